//! Currency symbols and codes to ISO 4217.

use crate::text::fold;

/// ISO 4217 codes accepted as written (the common ones; a three-letter word that is not in
/// this list is not taken for a currency).
pub(crate) const ISO_CODES: &[&str] = &[
    "AED", "ARS", "AUD", "BDT", "BGN", "BHD", "BOB", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
    "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "KWD", "LKR", "MAD", "MXN", "MYR",
    "NGN", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SEK", "SGD", "THB", "TND",
    "TRY", "TWD", "UAH", "USD", "VES", "VND", "XAF", "XOF", "ZAR",
];

/// Symbols and local abbreviations, matched exactly (case-sensitive where it matters).
/// `$` alone is USD; see [`parse_currency_in_context`] for other dollars.
pub(crate) const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("USD$", "USD"),
    ("C$", "CAD"),
    ("CA$", "CAD"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("S$", "SGD"),
    ("HK$", "HKD"),
    ("R$", "BRL"),
    ("MX$", "MXN"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("₫", "VND"),
    ("฿", "THB"),
    ("₱", "PHP"),
    ("₴", "UAH"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("Ft", "HUF"),
    ("Rs.", "INR"),
    ("Rs", "INR"),
    ("Rp", "IDR"),
    ("RM", "MYR"),
    ("Fr.", "CHF"),
    ("SFr.", "CHF"),
    ("CHF", "CHF"),
    ("kr.", "SEK"),
    ("kr", "SEK"),
    ("Dhs", "AED"),
];

/// Abbreviations read only as printed: "din." is the Serbian dinar, "DIN" a standard ("DIN A4");
/// "Bs." the Venezuelan bolívar (the boliviano where Bolivia is named), "BS" a standard too.
const EXACT_ONLY: &[(&str, &str)] = &[("din", "RSD"), ("din.", "RSD"), ("Bs", "VES"), ("Bs.", "VES")];

/// Words naming a currency in prose ("All charges are in US Dollars").
const NAMES: &[(&str, &str)] = &[
    ("us dollars", "USD"),
    ("us dollar", "USD"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("pounds sterling", "GBP"),
    ("indian rupees", "INR"),
    ("rupees", "INR"),
    ("ringgit", "MYR"),
    ("swiss francs", "CHF"),
    ("yen", "JPY"),
];

/// The ISO 4217 code for a currency code, symbol or name: `"€"` → `EUR`, `"usd"` →
/// `USD`, `"Rs."` → `INR`, `"RM"` → `MYR`, `"Fr."` → `CHF`, `"kr"` → `SEK`, `"$"` →
/// `USD`. `None` for anything else.
pub fn parse_currency(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_matches(|c: char| c == ':' || c == '(' || c == ')' || c == ',');
    if t.is_empty() {
        return None;
    }
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let upper = t.to_ascii_uppercase();
        if let Some(code) = ISO_CODES.iter().find(|c| **c == upper) {
            return Some(code);
        }
    }
    if let Some((_, code)) = SYMBOLS.iter().chain(EXACT_ONLY).find(|(s, _)| *s == t) {
        return Some(code);
    }
    // Case-insensitive for the letter abbreviations only ("RS", "rm" are common in OCR).
    if let Some((_, code)) = SYMBOLS
        .iter()
        .find(|(s, _)| s.chars().all(|c| c.is_ascii_alphabetic() || c == '.') && s.eq_ignore_ascii_case(t))
    {
        return Some(code);
    }
    let folded = fold(t);
    NAMES.iter().find(|(n, _)| *n == folded).map(|(_, c)| *c)
}

/// Currencies a text names in words ("Amounts expressed in Euros", "montants en euros",
/// "payable in pounds sterling"): each as its byte range and ISO code, in text order.
pub fn currency_names_in(text: &str) -> Vec<(usize, usize, &'static str)> {
    static NAMED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        let names: Vec<String> = NAMES.iter().map(|(name, _)| regex::escape(name).replace(' ', r"\s+")).collect();
        regex::Regex::new(&format!(r"(?i)\b(?:{})\b", names.join("|"))).expect("a valid pattern")
    });
    NAMED
        .find_iter(text)
        .filter_map(|m| {
            let folded = fold(m.as_str());
            NAMES.iter().find(|(name, _)| *name == folded).map(|(_, code)| (m.start(), m.end(), *code))
        })
        .collect()
}

/// The currency a document's text implies when it prints no symbol or code: the country
/// or the company forms it names (`Malaysia`, `Sdn Bhd`; `India`, `GSTIN`; ...), else the
/// country of the IBAN it asks to be paid to. Only cues that point at one currency count;
/// `None` when there are none or they disagree.
pub fn currency_from_locale_cues(context: &str) -> Option<&'static str> {
    named_place_currency(context).or_else(|| iban_currency(context))
}

/// The currencies of the countries an IBAN's first two letters name: the euro area's, and
/// those of the countries with a currency of their own that print IBANs on invoices.
const IBAN_COUNTRIES: &[(&str, &str)] = &[
    ("AT", "EUR"),
    ("BE", "EUR"),
    ("CY", "EUR"),
    ("DE", "EUR"),
    ("EE", "EUR"),
    ("ES", "EUR"),
    ("FI", "EUR"),
    ("FR", "EUR"),
    ("GR", "EUR"),
    ("HR", "EUR"),
    ("IE", "EUR"),
    ("IT", "EUR"),
    ("LT", "EUR"),
    ("LU", "EUR"),
    ("LV", "EUR"),
    ("MT", "EUR"),
    ("NL", "EUR"),
    ("PT", "EUR"),
    ("SI", "EUR"),
    ("SK", "EUR"),
    ("GB", "GBP"),
    ("CH", "CHF"),
    ("LI", "CHF"),
    ("NO", "NOK"),
    ("SE", "SEK"),
    ("DK", "DKK"),
    ("PL", "PLN"),
    ("CZ", "CZK"),
    ("HU", "HUF"),
    ("RO", "RON"),
    ("BG", "BGN"),
    ("RS", "RSD"),
    ("IS", "ISK"),
    ("TR", "TRY"),
    ("AE", "AED"),
    ("SA", "SAR"),
    ("IL", "ILS"),
];

/// The currency of the country of the IBANs printed after "IBAN" ("IBAN: DE89 3704 0044
/// …", or in lower case as some letters set it in small capitals); `None` when there is
/// none, when one is of a country not listed, or when they are of countries with different
/// currencies.
fn iban_currency(context: &str) -> Option<&'static str> {
    static IBAN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\biban\b[\s:.#]*([a-z]{2})\s?\d{2}\s?[a-z0-9]{4}").expect("a valid pattern")
    });
    let mut found: Option<&'static str> = None;
    for caps in IBAN.captures_iter(context) {
        let country = caps[1].to_ascii_uppercase();
        let code = IBAN_COUNTRIES.iter().find(|(c, _)| *c == country).map(|(_, code)| *code)?;
        if found.is_some_and(|f| f != code) {
            return None;
        }
        found = Some(code);
    }
    found
}

/// The one currency of the places and company forms a text names.
fn named_place_currency(context: &str) -> Option<&'static str> {
    const CUES: &[(&str, &[&str])] = &[
        ("MYR", &["malaysia", "sdn bhd", "kuala lumpur", "selangor", "johor", "penang", "ringgit"]),
        ("INR", &["india", "gstin", "rupees", "mumbai", "bengaluru", "new delhi"]),
        ("SGD", &["singapore"]),
        ("IDR", &["indonesia", "jakarta"]),
        ("PHP", &["philippines", "manila"]),
        ("THB", &["thailand", "bangkok"]),
    ];
    let folded = format!(" {} ", fold(context));
    let mut found: Option<&'static str> = None;
    for (code, words) in CUES {
        if words.iter().any(|w| folded.contains(&format!(" {w} "))) {
            if found.is_some_and(|f| f != *code) {
                return None;
            }
            found = Some(code);
        }
    }
    found
}

/// Like [`parse_currency`], but a bare `$` (or `kr`) is read in the light of the
/// surrounding text: a `$` is the dollar (or peso) whose ISO code alone appears in
/// `context` ("Amount (USD)"), else AUD, CAD, NZD, SGD, HKD, MXN or ARS when the country is
/// named (or, for Argentina, its tax number, CUIT), USD otherwise; `kr` is NOK or DKK when
/// Norway or Denmark is named or the text is in its language, SEK otherwise; `Bs.` is the
/// boliviano where Bolivia is named, the Venezuelan bolívar otherwise.
pub fn parse_currency_in_context(text: &str, context: &str) -> Option<&'static str> {
    /// The `$` currencies: the code, then the words that name the country.
    const DOLLARS: &[(&str, &[&str])] = &[
        ("AUD", &["australia", "australian"]),
        ("CAD", &["canada", "canadian"]),
        ("NZD", &["new zealand"]),
        ("SGD", &["singapore"]),
        ("HKD", &["hong kong dollars"]),
        ("MXN", &["mexico", "mexicanos"]),
        ("ARS", &["argentina", "cuit", "afip", "ingresos brutos"]),
        ("USD", &[]),
    ];
    let code = parse_currency(text)?;
    let folded = format!(" {} ", fold(context));
    let mentions = |words: &[&str]| words.iter().any(|w| folded.contains(&format!(" {w} ")));
    Some(match code {
        "USD" if text.trim() == "$" => {
            let coded: Vec<&str> =
                DOLLARS.iter().map(|(code, _)| *code).filter(|code| mentions(&[&code.to_lowercase()])).collect();
            match coded[..] {
                [only] => only,
                _ => DOLLARS.iter().find(|(_, country)| mentions(country)).map_or("USD", |(code, _)| code),
            }
        }
        "VES" if text.trim().starts_with("Bs") && mentions(&["bolivia"]) => "BOB",
        "SEK" if text.trim().to_ascii_lowercase().starts_with("kr") => {
            // The country, or words only that country's invoices use: Norwegian "mva" (VAT),
            // "forfallsdato", "å betale"; Danish "forfaldsdato", "at betale", "beløb".
            if mentions(&["nok", "norway", "norge", "norwegian", "mva", "merverdiavgift", "forfallsdato", "a betale"]) {
                "NOK"
            } else if mentions(&["dkk", "denmark", "danmark", "danish", "forfaldsdato", "at betale", "belob"]) {
                "DKK"
            } else {
                "SEK"
            }
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_symbols_and_abbreviations() {
        for (text, code) in [
            ("EUR", "EUR"),
            ("usd", "USD"),
            ("€", "EUR"),
            ("$", "USD"),
            ("£", "GBP"),
            ("¥", "JPY"),
            ("₹", "INR"),
            ("Rs", "INR"),
            ("Rs.", "INR"),
            ("RS", "INR"),
            ("RM", "MYR"),
            ("CHF", "CHF"),
            ("Fr.", "CHF"),
            ("kr", "SEK"),
            ("din.", "RSD"),
            ("din", "RSD"),
            ("Bs.", "VES"),
            ("VES", "VES"),
            ("US$", "USD"),
            ("C$", "CAD"),
            ("zł", "PLN"),
            (" (EUR) ", "EUR"),
            ("US Dollars", "USD"),
            ("Euro", "EUR"),
        ] {
            assert_eq!(parse_currency(text), Some(code), "{text}");
        }
    }

    #[test]
    fn unknown_text_is_not_a_currency() {
        for text in ["", "ABC", "THE", "dollar sign", "€€", "12", "R", "DIN", "Din", "BS"] {
            assert_eq!(parse_currency(text), None, "{text}");
        }
    }

    #[test]
    fn context_decides_which_dollar_or_krone() {
        assert_eq!(parse_currency_in_context("$", "Sydney NSW, Australia"), Some("AUD"));
        assert_eq!(parse_currency_in_context("$", "Toronto, Canada"), Some("CAD"));
        assert_eq!(parse_currency_in_context("$", "Seattle, WA"), Some("USD"));
        // An Argentine invoice names the issuer's tax number, CUIT, and its gross income tax.
        assert_eq!(parse_currency_in_context("$", "CUIT: 20-35323964-5\nIngresos Brutos: 939-349672-7"), Some("ARS"));
        // A code printed on the page outweighs a country named on it.
        assert_eq!(parse_currency_in_context("$", "Country of origin: Mexico\nAmount (USD)"), Some("USD"));
        assert_eq!(parse_currency_in_context("$", "Ship to: Canada\nAll amounts in AUD"), Some("AUD"));
        assert_eq!(parse_currency_in_context("US$", "Toronto, Canada"), Some("USD"));
        assert_eq!(parse_currency_in_context("kr", "Oslo, Norway"), Some("NOK"));
        // The language's own words name the krone where no country is named.
        assert_eq!(parse_currency_in_context("kr", "MVA-grunnlag: 1 000,00 kr\nÅ betale: 1 250,00 kr"), Some("NOK"));
        assert_eq!(parse_currency_in_context("kr", "Moms: 250,00 kr\nAt betale: 1 250,00 kr"), Some("DKK"));
        assert_eq!(parse_currency_in_context("kr", "Moms: 250,00 kr\nAtt betala: 1 250,00 kr"), Some("SEK"));
        assert_eq!(parse_currency_in_context("Bs.", "Caracas, Venezuela"), Some("VES"));
        assert_eq!(parse_currency_in_context("Bs", "La Paz, Bolivia"), Some("BOB"));
        assert_eq!(parse_currency_in_context("€", "Canada"), Some("EUR"));
    }

    #[test]
    fn currencies_named_in_words_are_found_with_their_place() {
        let text = "Amounts expressed in Euros";
        assert_eq!(currency_names_in(text), vec![(21, 26, "EUR")]);
        assert_eq!(currency_names_in("Montants exprimés en euros")[0].2, "EUR");
        assert_eq!(currency_names_in("payable in pounds  sterling only")[0].2, "GBP");
        assert_eq!(currency_names_in("25 US Dollars")[0].2, "USD");
        // Whole words only: a company called Eurotrans names no currency.
        assert!(currency_names_in("Eurotrans GmbH, Yenidze 3").is_empty());
    }

    #[test]
    fn malaysian_receipts_without_a_symbol_are_in_ringgit() {
        assert_eq!(currency_from_locale_cues("ABC TRADING\n81100 JOHOR BAHRU JOHOR"), Some("MYR"));
        assert_eq!(currency_from_locale_cues("SWC ENTERPRISE SDN BHD"), Some("MYR"));
        assert_eq!(currency_from_locale_cues("Redwood Print Co., Oakland"), None);
        // Cues for two currencies: no guess.
        assert_eq!(currency_from_locale_cues("Shipped from Singapore to Kuala Lumpur"), None);
    }

    #[test]
    fn an_iban_names_the_currency_of_its_country() {
        assert_eq!(currency_from_locale_cues("Zahlungsdaten:\niban: de52bank0586434013"), Some("EUR"));
        assert_eq!(currency_from_locale_cues("IBAN: GB33 BUKB 2020 1555 5555 55"), Some("GBP"));
        assert_eq!(currency_from_locale_cues("IBAN NO93 8601 1117 947"), Some("NOK"));
        // Accounts in two currencies say nothing; a word that only starts like an IBAN is none.
        assert_eq!(currency_from_locale_cues("IBAN DE89370400440532013000\nIBAN CH9300762011623852957"), None);
        assert_eq!(currency_from_locale_cues("Ibanez Guitars, Calle 5"), None);
    }
}
