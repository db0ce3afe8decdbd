//! How one extracted value is compared with its ground truth: numbers within a tolerance,
//! dates and currencies after normalisation, identifiers exactly, other text after
//! whitespace and case folding with a similarity threshold.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of value a field holds, which decides how it is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Free text (names, addresses): exact after folding, or similar enough.
    Text,
    /// Codes and numbers that are text (invoice numbers, VAT ids): exact after folding only.
    Identifier,
    /// Numbers and money amounts: within [`Tolerances::number`].
    Number,
    /// Dates: equal once both sides are normalised to ISO `YYYY-MM-DD`.
    Date,
    /// Currencies: equal once both sides are ISO 4217 codes (`€` is `EUR`).
    Currency,
    /// A list of values of one kind (the parties of a contract), matched item to item.
    List(Box<ValueKind>),
    /// A list of rows (invoice line items), matched row to row, compared column by column.
    Table(Vec<(String, ValueKind)>),
}

impl ValueKind {
    /// A kind guessed from a ground-truth value, for fields the spec does not describe:
    /// numbers, ISO dates, ISO currency codes, lists of objects (tables), other lists, text.
    pub fn infer(expected: &Value) -> ValueKind {
        match expected {
            Value::Number(_) => ValueKind::Number,
            Value::String(s) if is_iso_date(s) => ValueKind::Date,
            Value::String(s) if is_currency_code(s) => ValueKind::Currency,
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let mut columns: Vec<(String, ValueKind)> = Vec::new();
                for row in items.iter().filter_map(Value::as_object) {
                    for (name, value) in row {
                        if !value.is_null() && !columns.iter().any(|(c, _)| c == name) {
                            columns.push((name.clone(), ValueKind::infer(value)));
                        }
                    }
                }
                ValueKind::Table(columns)
            }
            Value::Array(items) => {
                ValueKind::List(Box::new(items.iter().find(|v| !v.is_null()).map_or(ValueKind::Text, ValueKind::infer)))
            }
            _ => ValueKind::Text,
        }
    }

    /// A short name for reports.
    pub fn label(&self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Identifier => "identifier",
            ValueKind::Number => "number",
            ValueKind::Date => "date",
            ValueKind::Currency => "currency",
            ValueKind::List(_) => "list",
            ValueKind::Table(_) => "table",
        }
    }
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

fn is_currency_code(text: &str) -> bool {
    text.len() == 3 && docex_normalize::parse_currency(text) == Some(text)
}

/// How close two values must be to count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerances {
    /// Largest absolute difference between two numbers that still match.
    pub number: f64,
    /// Smallest similarity (normalised Levenshtein on folded text, 0 to 1) at which two
    /// texts match.
    pub similarity: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances { number: 0.01, similarity: 0.9 }
    }
}

/// The outcome of comparing one value with its ground truth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// How alike they are, 0 to 1 (1 for an exact match).
    pub score: f64,
    /// Equal after normalisation (numbers within the tolerance).
    pub exact: bool,
    /// Counts as correct: exact, or text at least as similar as the threshold.
    pub matched: bool,
}

impl Comparison {
    fn exact() -> Comparison {
        Comparison { score: 1.0, exact: true, matched: true }
    }

    fn miss(score: f64) -> Comparison {
        Comparison { score, exact: false, matched: false }
    }
}

/// Compares a scalar value with its ground truth. Lists and tables are compared by
/// [`crate::assign`]; given here, they are compared as text.
pub fn compare(kind: &ValueKind, expected: &Value, got: &Value, tolerances: &Tolerances) -> Comparison {
    if expected == got {
        return Comparison::exact();
    }
    match kind {
        ValueKind::Number => match (as_number(expected), as_number(got)) {
            // A small epsilon so that 4.11 and 4.12 are within 0.01 despite binary fractions.
            (Some(a), Some(b)) if (a - b).abs() <= tolerances.number + 1e-9 => Comparison::exact(),
            _ => Comparison::miss(0.0),
        },
        ValueKind::Date => normalised_equal(expected, got, docex_normalize::parse_date),
        ValueKind::Currency => {
            normalised_equal(expected, got, |t| docex_normalize::parse_currency(t).map(str::to_string))
        }
        ValueKind::Identifier => {
            let (a, b) = (fold_spaces_and_case(&plain(expected)), fold_spaces_and_case(&plain(got)));
            if a == b { Comparison::exact() } else { Comparison::miss(similarity(&a, &b)) }
        }
        ValueKind::Text | ValueKind::List(_) | ValueKind::Table(_) => {
            let (a, b) = (plain(expected), plain(got));
            if fold_spaces_and_case(&a) == fold_spaces_and_case(&b) {
                return Comparison::exact();
            }
            let score = similarity(&docex_normalize::fold(&a), &docex_normalize::fold(&b));
            Comparison { score, exact: false, matched: score >= tolerances.similarity }
        }
    }
}

fn normalised_equal(expected: &Value, got: &Value, normalise: impl Fn(&str) -> Option<String>) -> Comparison {
    match (normalise(&plain(expected)), normalise(&plain(got))) {
        (Some(a), Some(b)) if a == b => Comparison::exact(),
        _ => Comparison::miss(0.0),
    }
}

/// A number, or a string that reads as one (`"1.234,50"`, `"$4.11"`).
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            docex_normalize::parse_number(s).or_else(|| docex_normalize::parse_money(s).map(|m| m.amount))
        }
        _ => None,
    }
}

/// A value as text: strings as they are, anything else as JSON.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Lower case with every run of white space as one space, trimmed.
pub fn fold_spaces_and_case(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Normalised Levenshtein similarity, 1 for equal texts (two empty texts included).
fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cmp(kind: ValueKind, expected: Value, got: Value) -> Comparison {
        compare(&kind, &expected, &got, &Tolerances::default())
    }

    #[test]
    fn numbers_match_within_the_tolerance_and_read_from_text() {
        assert!(cmp(ValueKind::Number, json!(4.11), json!(4.12)).exact);
        assert!(!cmp(ValueKind::Number, json!(4.11), json!(4.13)).matched);
        assert!(cmp(ValueKind::Number, json!(1234.5), json!("1.234,50")).exact);
        assert!(!cmp(ValueKind::Number, json!(4.11), json!("four")).matched);
    }

    #[test]
    fn dates_and_currencies_are_normalised_first() {
        assert!(cmp(ValueKind::Date, json!("2014-08-03"), json!("03.08.2014")).exact);
        assert!(cmp(ValueKind::Date, json!("2014-08-03"), json!("August 3, 2014")).exact);
        assert!(!cmp(ValueKind::Date, json!("2014-08-03"), json!("2014-08-04")).matched);
        assert!(cmp(ValueKind::Currency, json!("EUR"), json!("€")).exact);
        assert!(!cmp(ValueKind::Currency, json!("EUR"), json!("USD")).matched);
    }

    #[test]
    fn text_is_folded_then_compared_by_similarity() {
        let folded = cmp(ValueKind::Text, json!("Coolblue  B.V."), json!("coolblue b.v."));
        assert!(folded.exact && folded.matched);
        // "amazon web services inc" vs "amazon web services in": one edit in 23 characters.
        let close = cmp(ValueKind::Text, json!("Amazon Web Services, Inc."), json!("Amazon Web Services In"));
        assert!(!close.exact && close.matched);
        assert!((close.score - (1.0 - 1.0 / 23.0)).abs() < 1e-9, "{}", close.score);
        let far = cmp(ValueKind::Text, json!("Coolblue"), json!("Coolblue B.V."));
        assert!(!far.matched, "{far:?}");
    }

    #[test]
    fn identifiers_match_only_exactly() {
        let near = cmp(ValueKind::Identifier, json!("INV-2023-0001"), json!("INV-2023-0007"));
        assert!(!near.matched && near.score > 0.9);
        assert!(cmp(ValueKind::Identifier, json!("inv-1"), json!("INV-1")).exact);
    }

    #[test]
    fn kinds_are_inferred_from_the_ground_truth() {
        assert_eq!(ValueKind::infer(&json!(3.5)), ValueKind::Number);
        assert_eq!(ValueKind::infer(&json!("2020-01-31")), ValueKind::Date);
        assert_eq!(ValueKind::infer(&json!("EUR")), ValueKind::Currency);
        assert_eq!(ValueKind::infer(&json!("ABC")), ValueKind::Text);
        assert_eq!(ValueKind::infer(&json!(["A", "B"])), ValueKind::List(Box::new(ValueKind::Text)));
        assert_eq!(
            ValueKind::infer(&json!([{"description": "x", "amount": 2.0}])),
            ValueKind::Table(vec![("description".into(), ValueKind::Text), ("amount".into(), ValueKind::Number)])
        );
    }
}
