//! Numbers and money amounts.
//!
//! How separators are read ([`parse_number`]):
//! - both `.` and `,` present: the last one is the decimal mark, the other groups
//!   thousands (`1.234,56` and `1,234.56` are both 1234.56);
//! - one of them, several times: thousands (`1.234.567`);
//! - one of them once, followed by exactly three digits, after an integer part of one to
//!   three digits other than `0`: thousands (`1.234` and `1,234` are 1234, as amounts with
//!   three decimals are rare on invoices); otherwise a decimal mark (`0,025`, `12,5`,
//!   `1234.567`);
//! - spaces (also no-break and thin spaces) and apostrophes group thousands (`1 234,56`,
//!   `1'234.50`); Indian grouping (`1,00,000.00`) is accepted.

use std::sync::LazyLock;

use regex::Regex;

use crate::currency::{ISO_CODES, parse_currency};

/// An amount of money, with its currency when the text said.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: Option<&'static str>,
}

/// A money amount found inside a longer text, with its byte range in that text.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundMoney {
    pub start: usize,
    pub end: usize,
    pub money: Money,
}

/// A thousands separator. U+FFFD is what a PDF's text gives for a glyph its font maps to no
/// character: between digit groups, a narrow space the font lacks ("2�678,79", French
/// amounts set in a font with no U+202F).
fn is_group_sep(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{fffd}' | '\'' | '’')
}

/// Parses a plain number with thousands separators and a decimal point or comma (see
/// the module rules). A leading `-` or `+` is allowed. `None` for anything else.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let (negative, t) = match t.chars().next() {
        Some('-' | '−' | '–') => (true, t[t.chars().next()?.len_utf8()..].trim_start()),
        Some('+') => (false, t[1..].trim_start()),
        _ => (false, t),
    };
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) || !t.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_group_sep(c)) {
        return None;
    }
    // Space-like and apostrophe groups first: every group after the first has 3 digits
    // (the last one may carry a decimal part).
    let mut parts = t.split(is_group_sep);
    let mut joined = String::from(parts.next()?);
    for part in parts {
        let digits_before_mark = part.find(['.', ',']).unwrap_or(part.len());
        if digits_before_mark != 3 || joined.contains(['.', ',']) {
            return None;
        }
        joined.push_str(part);
    }
    let t = joined.as_str();
    let dots = t.matches('.').count();
    let commas = t.matches(',').count();
    let (group, decimal): (Option<char>, Option<char>) = match (dots, commas) {
        (0, 0) => (None, None),
        (d, c) if d > 0 && c > 0 => {
            let last_dot = t.rfind('.')?;
            let last_comma = t.rfind(',')?;
            if last_dot > last_comma {
                if d > 1 {
                    return None;
                }
                (Some(','), Some('.'))
            } else {
                if c > 1 {
                    return None;
                }
                (Some('.'), Some(','))
            }
        }
        (d, 0) if d > 1 => (Some('.'), None),
        (0, c) if c > 1 => (Some(','), None),
        _ => {
            let sep = if dots == 1 { '.' } else { ',' };
            let (int, frac) = t.split_once(sep)?;
            if frac.len() == 3 && (1..=3).contains(&int.len()) && int != "0" {
                (Some(sep), None)
            } else {
                (None, Some(sep))
            }
        }
    };
    let (int_part, frac_part) = match decimal {
        Some(d) => {
            let (i, f) = t.rsplit_once(d)?;
            (i, Some(f))
        }
        None => (t, None),
    };
    let int_digits: String = match group {
        Some(g) => {
            let groups: Vec<&str> = int_part.split(g).collect();
            let (first, rest) = groups.split_first()?;
            if first.is_empty() || first.len() > 3 || rest.is_empty() {
                return None;
            }
            let (last, middle) = rest.split_last()?;
            // Western groups of three, or Indian groups of two before the last three.
            let western = rest.iter().all(|g| g.len() == 3);
            let indian = last.len() == 3 && middle.iter().all(|g| g.len() == 2) && first.len() <= 2;
            if !(western || indian) {
                return None;
            }
            groups.concat()
        }
        None => int_part.to_string(),
    };
    if int_digits.is_empty() || !int_digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut number = int_digits;
    if let Some(f) = frac_part {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        number.push('.');
        number.push_str(f);
    }
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some(if negative { -value } else { value })
}

const CURRENCY_PATTERN: &str = r"US\$|USD\$|CA\$|AU\$|NZ\$|HK\$|MX\$|C\$|A\$|S\$|R\$|\$|€|£|¥|₹|₩|₽|₺|₪|₫|฿|₱|₴|zł|Kč|Rs\.?|RS\.?|Rp|RM|SFr\.|Fr\.|CHF|kr\.?|Dhs|Bs\.?|din\.?|[A-Z]{3}";

fn money_regex(number: &str) -> Regex {
    let pattern = format!(
        r"(?P<open>\(\s?)?(?P<minus>[-−–]\s?)?(?:(?P<pre>{CURRENCY_PATTERN})\s?(?P<minus2>[-−–]\s?)?)?(?P<num>{number})(?:\s?(?P<post>{CURRENCY_PATTERN}))?(?P<close>\s?\))?"
    );
    Regex::new(&pattern).expect("the money pattern is valid")
}

static MONEY: LazyLock<Regex> =
    LazyLock::new(|| money_regex(r"\d{1,3}(?:[.,'’]\d{2,3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?"));
static MONEY_SPACED: LazyLock<Regex> =
    LazyLock::new(|| money_regex(r"\d{1,3}(?:[ \u{a0}\u{202f}\u{2009}\u{fffd}]\d{3})+(?:[.,]\d{1,4})?"));

fn currency_code(text: &str) -> Option<&'static str> {
    if text.len() == 3 && text.chars().all(|c| c.is_ascii_uppercase()) && !ISO_CODES.contains(&text) {
        return None;
    }
    parse_currency(text)
}

/// Reads one regex match as money, checking what the pattern cannot: word boundaries, a
/// known currency, no percentage.
fn read_match(text: &str, caps: &regex::Captures, need_currency: bool) -> Option<FoundMoney> {
    let whole = caps.get(0)?;
    let num = caps.name("num")?;
    let pre = caps.name("pre").and_then(|m| currency_code(m.as_str()).map(|c| (m, c)));
    let post = caps.name("post").and_then(|m| currency_code(m.as_str()).map(|c| (m, c)));
    let mut start = whole.start();
    if caps.name("pre").is_some() && pre.is_none() {
        // An unknown three-letter word before the number: not part of the amount.
        start = num.start();
    }
    let mut end = match (&post, caps.name("post")) {
        (None, Some(_)) => num.end(),
        _ => whole.end(),
    };
    let negative_minus = caps.name("minus").is_some() || caps.name("minus2").is_some();
    let mut negative_paren = caps.name("open").is_some() && caps.name("close").is_some() && end == whole.end();
    if !negative_paren {
        if let Some(open) = caps.name("open") {
            if start == open.start() {
                start = open.end();
            }
        }
        if let Some(close) = caps.name("close") {
            if end == close.end() {
                end = close.start();
            }
        }
        negative_paren = false;
    }
    if caps.name("minus").is_some() && pre.is_none() && start != whole.start() {
        return None;
    }
    // Boundaries: no letter or digit glued to the amount.
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let letter_or_digit = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let first_is_symbol = text[start..].chars().next().is_some_and(|c| !c.is_alphanumeric());
    if letter_or_digit(before) && !first_is_symbol {
        return None;
    }
    if letter_or_digit(after) && post.is_none() {
        return None;
    }
    if after.is_some_and(|c| c == '%' || c == '/' || c == ':') {
        return None;
    }
    if after == Some('.') || after == Some(',') {
        // "31.12.2020" and the like: a number followed by another number part.
        if text[end..].chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    if before.is_some_and(|c| c == '/' || c == '#') {
        return None;
    }
    // "91,14 455,70": a figure starting right after another's decimal mark is that one's tail.
    let mut back = text[..start].chars().rev();
    if matches!(back.next(), Some('.' | ',')) && back.next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let currency = pre.map(|(_, c)| c).or(post.map(|(_, c)| c));
    if need_currency && currency.is_none() {
        return None;
    }
    let value = parse_number(num.as_str())?;
    let amount = if negative_minus || negative_paren { -value } else { value };
    Some(FoundMoney { start, end, money: Money { amount, currency } })
}

/// Every money amount in a text, left to right: numbers with an optional currency symbol
/// or code before or after, negative in parentheses or with a minus. Percentages and
/// numbers glued to letters (`A4`, `INV2023`) are skipped. Thousands grouped with spaces
/// (`1 234,56 €`) are only read so when a currency is attached, so that `1 278.61`
/// (a quantity and a price) stays two numbers.
pub fn find_money(text: &str) -> Vec<FoundMoney> {
    let mut found: Vec<FoundMoney> = Vec::new();
    for caps in MONEY_SPACED.captures_iter(text) {
        if let Some(m) = read_match(text, &caps, true) {
            found.push(m);
        }
    }
    let mut at = 0;
    while at <= text.len() {
        let Some(caps) = MONEY.captures_at(text, at) else { break };
        let Some(whole) = caps.get(0) else { break };
        let overlaps = |m: &FoundMoney| m.start < whole.end() && whole.start() < m.end;
        if !found.iter().any(overlaps) {
            if let Some(m) = read_match(text, &caps, false) {
                found.push(m);
            }
        }
        // Move past this match; an empty match cannot happen (a digit is required).
        at = whole.end().max(at + 1);
        while at < text.len() && !text.is_char_boundary(at) {
            at += 1;
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

/// Like [`find_money`], but for a text known to hold one amount, such as a table cell:
/// thousands grouped by spaces count without a currency next to them (`5 155,00` is
/// 5155, not 5 and 155).
pub fn find_money_grouped(text: &str) -> Vec<FoundMoney> {
    let mut found: Vec<FoundMoney> =
        MONEY_SPACED.captures_iter(text).filter_map(|caps| read_match(text, &caps, false)).collect();
    for m in find_money(text) {
        if !found.iter().any(|f| f.start < m.end && m.start < f.end) {
            found.push(m);
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

static OCR_SPLIT_DECIMALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d)([.,]) (\d{2})\b").expect("the pattern is valid"));
static OCR_STRAY_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d)[.,] (\d{1,3}[.,]\d{2})\b").expect("the pattern is valid"));

/// Undoes the spaces that text recognition puts inside amounts: `30. 00` and `593, 16`
/// become `30.00` and `593,16`; a stray mark and space inside the integer part
/// (`3. 1.00`) is dropped (`31.00`). The result has the same length in bytes as the input
/// (the removed characters reappear as spaces after the amount), so byte offsets into it
/// still point at the same words. Meant for recognised text only: in a born-digital PDF a
/// space after a decimal point is deliberate.
pub fn repair_ocr_amounts(text: &str) -> String {
    let pass = OCR_STRAY_MARK.replace_all(text, |c: &regex::Captures| format!("{}{}  ", &c[1], &c[2]));
    OCR_SPLIT_DECIMALS.replace_all(&pass, |c: &regex::Captures| format!("{}{}{} ", &c[1], &c[2], &c[3])).into_owned()
}

/// Parses a text that is one money amount (`€1.234,56`, `1 234,56 €`, `$1,234.56`,
/// `1.234,56 EUR`, `USD 4.11`, `Rs. 319`, `(12.00)`, `-5,00 €`) and nothing else.
pub fn parse_money(text: &str) -> Option<Money> {
    let t = text.trim();
    let found = find_money(t);
    match found.as_slice() {
        [one] if one.start == 0 && one.end == t.len() => Some(one.money.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Option<(f64, Option<&'static str>)> {
        parse_money(text).map(|m| (m.amount, m.currency))
    }

    #[test]
    fn numbers_with_separators() {
        for (text, value) in [
            ("0", 0.0),
            ("42", 42.0),
            ("1.234,56", 1234.56),
            ("1,234.56", 1234.56),
            ("1234,56", 1234.56),
            ("1234.56", 1234.56),
            ("1.234", 1234.0),
            ("1,234", 1234.0),
            ("0,025", 0.025),
            ("0.025", 0.025),
            ("12,5", 12.5),
            ("1234.567", 1234.567),
            ("1.234.567", 1234567.0),
            ("1,234,567.89", 1234567.89),
            ("1 234,56", 1234.56),
            ("1\u{a0}234,56", 1234.56),
            ("2\u{fffd}678,79", 2678.79),
            ("1'234.50", 1234.5),
            ("1,00,000.00", 100000.0),
            ("-3,50", -3.5),
            ("+7", 7.0),
        ] {
            assert_eq!(parse_number(text), Some(value), "{text}");
        }
    }

    #[test]
    fn bad_numbers_do_not_parse() {
        for text in ["", "abc", "1.2.3", "1,23,4", "12 34", "1.234,567,8", "1..2", ",5", "5,", "1.2e5", "--1", "١٢"] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    #[test]
    fn money_with_symbols_and_codes_before_or_after() {
        for (text, amount, currency) in [
            ("€1.234,56", 1234.56, Some("EUR")),
            ("1 234,56 €", 1234.56, Some("EUR")),
            ("$1,234.56", 1234.56, Some("USD")),
            ("1.234,56 EUR", 1234.56, Some("EUR")),
            ("USD 4.11", 4.11, Some("USD")),
            ("Rs. 319", 319.0, Some("INR")),
            ("Rs 1939", 1939.0, Some("INR")),
            ("₹319.00", 319.0, Some("INR")),
            ("RM 31.00", 31.0, Some("MYR")),
            ("CHF 1'250.00", 1250.0, Some("CHF")),
            ("£ 12", 12.0, Some("GBP")),
            ("$ 42.00", 42.0, Some("USD")),
            ("(12.00)", -12.0, None),
            ("($12.00)", -12.0, Some("USD")),
            ("-5,00 €", -5.0, Some("EUR")),
            ("€ -9,32", -9.32, Some("EUR")),
            ("Rs -40.00", -40.0, Some("INR")),
            ("160.00", 160.0, None),
            ("0.025 €", 0.025, Some("EUR")),
            ("Bs.86.807,26", 86807.26, Some("VES")),
            ("Bs. 2.126,32", 2126.32, Some("VES")),
            ("9233,52 din.", 9233.52, Some("RSD")),
        ] {
            assert_eq!(money(text), Some((amount, currency)), "{text}");
        }
    }

    #[test]
    fn text_that_is_not_one_amount_is_refused() {
        for text in ["", "total", "15%", "12 $ 13", "INV2023", "31.12.2020", "€", "1.2.3 €", "12 apples"] {
            assert_eq!(parse_money(text), None, "{text}");
        }
    }

    #[test]
    fn amounts_are_found_inside_lines() {
        let found = find_money("Tax 15% on $ 112.90 $ 16.94");
        let amounts: Vec<f64> = found.iter().map(|m| m.money.amount).collect();
        assert_eq!(amounts, vec![112.9, 16.94]);
        let found = find_money("Total 1 278.61");
        let amounts: Vec<f64> = found.iter().map(|m| m.money.amount).collect();
        assert_eq!(amounts, vec![1.0, 278.61]);
        let found = find_money("Somme à payer 29.99 € TTC");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].money, Money { amount: 29.99, currency: Some("EUR") });
        assert_eq!(&"Somme à payer 29.99 € TTC"[found[0].start..found[0].end], "29.99 €");
        assert!(find_money("Invoice INV/2023/03/0008").is_empty());
        let found = find_money("Montant 1 234,56 € et 3 articles");
        assert_eq!(found[0].money.amount, 1234.56);
        assert_eq!(found[1].money.amount, 3.0);
    }

    #[test]
    fn space_grouped_thousands_in_a_cell_are_one_amount() {
        let found = find_money_grouped("5 155,00");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].money.amount, 5155.0);
        assert_eq!(find_money_grouped("2 109,50 EUR").last().map(|m| m.money.amount), Some(2109.5));
        assert_eq!(find_money_grouped("2\u{fffd}232,33 €").last().map(|m| m.money.amount), Some(2232.33));
        // Without a currency, free text keeps reading them as two numbers.
        assert_eq!(find_money("5 155,00").len(), 2);
        // Not three digits after the space: two numbers.
        assert_eq!(find_money_grouped("5 15,00").last().map(|m| m.money.amount), Some(15.0));
        // Two figures in one cell, a line's VAT and its amount: no group starts inside the first.
        let amounts: Vec<f64> = find_money_grouped("91,14 455,70").iter().map(|m| m.money.amount).collect();
        assert_eq!(amounts, [91.14, 455.7]);
    }

    #[test]
    fn ocr_spaces_inside_amounts_are_undone_keeping_offsets() {
        for (text, repaired) in [
            ("Total 30. 00", "Total 30.00 "),
            ("Sub-total: 593, 16", "Sub-total: 593,16 "),
            ("TotalAmount: S3. 1.00", "TotalAmount: S31.00  "),
            ("Cash 50.00", "Cash 50.00"),
            ("Qty 6 Spac. Disc 0.00", "Qty 6 Spac. Disc 0.00"),
        ] {
            let got = repair_ocr_amounts(text);
            assert_eq!(got, repaired);
            assert_eq!(got.len(), text.len());
        }
        assert_eq!(find_money(&repair_ocr_amounts("Total 30. 00")).last().map(|m| m.money.amount), Some(30.0));
    }
}
