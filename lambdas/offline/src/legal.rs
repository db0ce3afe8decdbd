//! Company names that end in a legal form (GmbH, B.V., Inc., Sdn Bhd, ...): finding them in
//! a run of text, tolerating the ways recognition (OCR) misreads the short legal forms, and
//! writing a misread form back the way it is spelled.

use std::sync::LazyLock;

use regex::Regex;

/// Legal forms as printed, as one regex alternation.
const LEGAL_FORMS: &str = r"GmbH(?:\s&\sCo\.\sKG)?|AG|B\.V\.|BV|N\.V\.|Inc\.?|Ltd\.?|Limited|LLC|L\.L\.C\.|SDN\.?\s+BHD\.?|Sdn\.?\s+Bhd\.?|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|S\.A\.|SA|Corp\.?|Corporation|plc|PLC|KG|e\.K\.|Pvt\.?\s+Ltd\.?|Private\s+Limited|S\.p\.A\.|S\.r\.l\.|GbR|UG|Oy|Oyj|AB|ApS|A/S|Pty\.?\s+Ltd\.?|Co\.|LLP|a\.s\.|s\.r\.o\.|sp\.\s?z\s?o\.o\.|Ltda\.?|S\.L\.|S\.R\.L\.|SRL|Kft\.?|Zrt\.?|d\.o\.o\.";

/// The Malaysian "Sdn Bhd" as recognition misreads it: "San Bhd", "SDN BHO", "5DN 8HD".
const SDN_BHD_MISREAD: &str = r"[S5][DdAaOo0][Nn]\.?\s+[Bb8][Hh][DdOo0]\.?";

fn legal_name_regex(forms: &str) -> Regex {
    // Up to five capitalised words (or words whose capital follows a short lower-case start:
    // "e-Luscious", "eBay"), the last before the legal form; the form ends the name.
    let start = r"(?:\b[a-z]{1,3}-?)?";
    let rest = r"[\w&'’.\-]*";
    Regex::new(&format!(
        r"((?:{start}[A-Z0-9&]{rest},?\s+){{0,4}}?{start}[A-Z0-9]{rest},?\s+(?:{forms}))(?:[\s,.;:)]|$)"
    ))
    .expect("valid legal-name regex")
}

/// A company name ending in a legal form, as printed.
pub(crate) static LEGAL_NAME: LazyLock<Regex> = LazyLock::new(|| legal_name_regex(LEGAL_FORMS));

/// The same on recognised text, also accepting misread legal forms.
static LEGAL_NAME_OCR: LazyLock<Regex> =
    LazyLock::new(|| legal_name_regex(&format!("{LEGAL_FORMS}|{SDN_BHD_MISREAD}")));

/// A legal form ending a name: where the words of the name proper stop.
static FORM_AT_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?:{LEGAL_FORMS}|{SDN_BHD_MISREAD})$")).expect("valid regex"));

static SDN_BHD_AT_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?:{SDN_BHD_MISREAD})$")).expect("valid regex"));

/// A legal name found in a text: its byte range there and the name to report (the printed
/// text, with a misread legal form spelled right).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegalName {
    pub start: usize,
    pub end: usize,
    pub name: String,
}

/// The legal names in `text`; `recognised` says the text came from OCR. A name starts at
/// its first capitalised word after the last lower-case one: "sold by Amazon Web Services,
/// Inc." gives "Amazon Web Services, Inc."; a word with a capital inside it is capitalised
/// ("e-Luscious Nederland B.V.").
pub(crate) fn legal_names(text: &str, recognised: bool) -> Vec<LegalName> {
    let regex = if recognised { &*LEGAL_NAME_OCR } else { &*LEGAL_NAME };
    let mut out = Vec::new();
    for captures in regex.captures_iter(text) {
        let Some(m) = captures.get(1) else { continue };
        let mut start = m.start();
        let mut offset = m.start();
        // The form itself may be in lower case ("a.s.", "sp. z o.o.").
        let matched = m.as_str().trim_end_matches([',', ' ']);
        let proper = &matched[..FORM_AT_END.find(matched).map_or(matched.len(), |f| f.start())];
        for word in proper.split_inclusive(char::is_whitespace) {
            // "e-Luscious", "eBay": a capital inside keeps a word in the name.
            if word.starts_with(|c: char| c.is_lowercase()) && !word.chars().any(char::is_uppercase) {
                start = offset + word.len();
            }
            offset += word.len();
        }
        let printed = text[start..m.end()].trim();
        if printed.split_whitespace().count() < 2 {
            continue;
        }
        let start = start + (text[start..].len() - text[start..].trim_start().len());
        let name = if recognised { spell_legal_form(printed) } else { printed.to_string() };
        out.push(LegalName { start, end: start + printed.len(), name });
    }
    out
}

/// Whether a name ends in a legal form, its dot included ("Acme Inc.", "Kovář a syn s.r.o.";
/// not "Müller GmbH.", a sentence's full stop after a form written without one).
pub(crate) fn ends_in_legal_form(name: &str) -> bool {
    FORM_AT_END.is_match(name)
}

/// Writes a misread "Sdn Bhd" at the end of a recognised name the right way, in the case of
/// the rest of the name.
pub(crate) fn spell_legal_form(name: &str) -> String {
    let Some(m) = SDN_BHD_AT_END.find(name) else { return name.to_string() };
    let form: String = m.as_str().chars().filter(|c| c.is_alphanumeric()).collect();
    if form.eq_ignore_ascii_case("sdnbhd") {
        return name.to_string();
    }
    let head = &name[..m.start()];
    let upper = head.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_uppercase());
    format!("{head}{}", if upper { "SDN BHD" } else { "Sdn Bhd" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, recognised: bool) -> Vec<String> {
        legal_names(text, recognised).into_iter().map(|n| n.name).collect()
    }

    #[test]
    fn printed_legal_names_end_at_their_form_and_start_after_lower_case_words() {
        assert_eq!(names("sold by Amazon Web Services, Inc. and others", false), vec!["Amazon Web Services, Inc."]);
        assert_eq!(names("Coolblue B.V.", false), vec!["Coolblue B.V."]);
        assert_eq!(names("QualityHosting AG, Frankfurt", false), vec!["QualityHosting AG"]);
        assert!(names("Invoice total", false).is_empty());
        assert_eq!(names("Customer: Stark Components a.s.", false), vec!["Stark Components a.s."]);
        assert_eq!(names("Kowalski Consulting sp. z o.o.", false), vec!["Kowalski Consulting sp. z o.o."]);
        assert_eq!(names("Blue Harbor Catering Co.", false), vec!["Blue Harbor Catering Co."]);
        // "SA" as a word of its own, not inside one ("USA").
        assert_eq!(names("Atlas Freight Services SA · Hauptstraße 5", false), vec!["Atlas Freight Services SA"]);
        assert!(names("Made in the USA", false).is_empty());
        // A form alone is not a name.
        assert!(names("AG", false).is_empty());
        // A word with a capital inside it belongs to the name; a lower-case word does not.
        assert_eq!(names("e-Luscious Nederland B.V. iov Saeco.com", true), vec!["e-Luscious Nederland B.V."]);
        assert_eq!(names("sold by eBay Marketplaces GmbH", false), vec!["eBay Marketplaces GmbH"]);
    }

    #[test]
    fn misread_sdn_bhd_is_accepted_only_in_recognised_text_and_spelled_right() {
        assert_eq!(names("Timeless Kitchenette San Bhd", true), vec!["Timeless Kitchenette Sdn Bhd"]);
        assert_eq!(names("SWC ENTERPRISE 5DN BHO", true), vec!["SWC ENTERPRISE SDN BHD"]);
        assert!(names("Timeless Kitchenette San Bhd", false).is_empty());
        // Evidence keeps the printed range.
        let found = legal_names("Lot 5 Timeless Kitchenette San Bhd", true);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &"Lot 5 Timeless Kitchenette San Bhd"[found[0].start..found[0].end],
            "Lot 5 Timeless Kitchenette San Bhd"
        );
        assert_eq!(spell_legal_form("ABC Sdn Bhd"), "ABC Sdn Bhd");
    }
}
