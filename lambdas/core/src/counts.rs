//! Counts the document prints about its own lists ("Items: 3", "Anzahl Positionen 3",
//! "Nombre d'articles : 3"), found after the labels of a spec's `count` rules, and checked
//! against the lists extracted. A list that does not match a printed count is incomplete or
//! has entries too many: a reviewer must see it, and a model is asked to fix it.

use serde_json::Value;

use crate::document::Document;
use crate::outcome::{count_matches, list_len};
use crate::spec::{Rule, Spec, Violation};

/// A count printed in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedCount {
    pub page: u32,
    pub count: u64,
    /// The line it was read from.
    pub line: String,
}

/// Largest number read as a count: anything bigger is an amount or a reference.
const MAX_COUNT: u64 = 100_000;

/// Every count printed after one of `labels` (compared without regard to case), in page
/// order.
pub fn printed_counts(labels: &[String], document: &Document) -> Vec<PrintedCount> {
    let labels: Vec<String> = labels.iter().map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty()).collect();
    let mut found = Vec::new();
    for page in &document.pages {
        for line in page.lines() {
            let text = line.text();
            let lower = text.to_lowercase();
            let count = labels.iter().find_map(|label| count_after(&lower, label));
            if let Some(count) = count {
                found.push(PrintedCount { page: page.number, count, line: text });
            }
        }
    }
    found
}

/// The count right after `label` in `line` (both lower case): the label starts a word, and
/// is followed by optional `:`, `#`, `.` or `-` and a whole number that ends the token.
fn count_after(line: &str, label: &str) -> Option<u64> {
    for (start, _) in line.match_indices(label) {
        let starts_word = line[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if !starts_word {
            continue;
        }
        let rest = line[start + label.len()..].trim_start_matches(|c: char| c.is_whitespace() || ":#.-".contains(c));
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].chars().next();
        // "3.50" or "3,5" is an amount, "3x" or "3rd" not a count.
        let ends_token = match after {
            None => true,
            Some(c) => c.is_whitespace() || (!c.is_alphanumeric() && !".,/".contains(c)),
        };
        let count = digits.parse::<u64>().ok().filter(|n| *n <= MAX_COUNT);
        if ends_token && count.is_some() {
            return count;
        }
    }
    None
}

/// Every printed count that the extracted list at its rule does not match, as a violation
/// at the list's pointer. The same count printed twice is reported once.
pub fn printed_count_violations(spec: &Spec, document: &Document, data: &Value) -> Vec<Violation> {
    let mut violations: Vec<Violation> = Vec::new();
    for rule in &spec.rules {
        let Rule::Count { list, labels, units, .. } = rule else {
            continue;
        };
        if labels.is_empty() {
            continue;
        }
        let entries = list_len(data, list);
        let mut reported: Vec<u64> = Vec::new();
        for printed in printed_counts(labels, document) {
            if reported.contains(&printed.count) || count_matches(printed.count as f64, entries, units.as_deref(), data)
            {
                continue;
            }
            reported.push(printed.count);
            violations.push(Violation {
                pointer: list.clone(),
                message: format!(
                    "page {} prints {:?} (a count of {}), but {list} has {entries} entries",
                    printed.page, printed.line, printed.count
                ),
            });
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{BBox, Page, Word};
    use serde_json::json;

    fn document(lines: &[&str]) -> Document {
        let mut words = Vec::new();
        for (row, line) in lines.iter().enumerate() {
            let y = 20.0 + 14.0 * row as f32;
            let mut x = 10.0;
            for text in line.split_whitespace() {
                words.push(Word { text: text.into(), bbox: BBox { x0: x, y0: y, x1: x + 30.0, y1: y + 10.0 } });
                x += 35.0;
            }
        }
        Document {
            pages: vec![Page { number: 1, width: 600.0, height: 800.0, words, ocr: false }],
            ..Document::default()
        }
    }

    fn spec() -> Spec {
        Spec::from_value(
            "t",
            json!({"type": "object",
                "x-docex-rules": [{"rule": "count", "list": "/items", "labels": ["items", "anzahl positionen"],
                    "units": "/items/*/quantity"}],
                "properties": {"items": {"type": "array", "items": {"type": "object",
                    "properties": {"quantity": {"type": "number"}}}}}}),
        )
        .unwrap()
    }

    #[test]
    fn counts_are_read_after_their_labels_and_amounts_are_not_counts() {
        let labels = vec!["Items".to_string(), "Anzahl Positionen".to_string()];
        let doc = document(&[
            "Items: 3",
            "Anzahl Positionen 12",
            "Line items 2.50",
            "Stockitems 7",
            "Items 4x",
            "Total items # 5 pieces",
        ]);
        let counts: Vec<u64> = printed_counts(&labels, &doc).iter().map(|c| c.count).collect();
        assert_eq!(counts, vec![3, 12, 5]);
    }

    #[test]
    fn a_list_that_misses_the_printed_count_is_a_violation_once() {
        let doc = document(&["Items: 3", "A 1", "B 1", "Items: 3"]);
        let two = json!({"items": [{"quantity": 1}, {"quantity": 1}]});
        let violations = printed_count_violations(&spec(), &doc, &two);
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].pointer, "/items");
        assert_eq!(violations[0].message, "page 1 prints \"Items: 3\" (a count of 3), but /items has 2 entries");
        let three = json!({"items": [{"quantity": 1}, {"quantity": 1}, {"quantity": 1}]});
        assert!(printed_count_violations(&spec(), &doc, &three).is_empty());
        let units = json!({"items": [{"quantity": 2}, {"quantity": 1}]});
        assert!(printed_count_violations(&spec(), &doc, &units).is_empty(), "3 units in 2 entries");
        let none = json!({});
        assert_eq!(printed_count_violations(&spec(), &doc, &none).len(), 1, "a missing list counts 0");
    }
}
