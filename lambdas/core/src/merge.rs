//! Merging the extractions of a document's chunks (page ranges read separately) into one:
//! list fields are concatenated in page order; for a single value read by more than one
//! chunk, agreement raises its confidence (two readings of the same value, on different
//! pages) and disagreement lowers it, keeps the more confident reading and records the
//! disagreement as a note for the reviewer.

use serde_json::Value;

use crate::result::{Extraction, FieldEvidence, escape_pointer_token};

/// The most confidence that agreement between chunks alone can give a value: certainty is
/// left to sources such as an embedded e-invoice.
pub const AGREEMENT_CEILING: f64 = 0.99;

/// Whether two readings are the same value: numbers within 0.01, text without regard to
/// case and runs of white space.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 0.01 + 1e-9,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => normalized(x) == normalized(y),
            _ => a == b,
        },
    }
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The confidence of a value two chunks agree on: the chance that not both readings are
/// wrong, under the ceiling, and never below the more confident reading.
pub fn agreed_confidence(a: f64, b: f64) -> f64 {
    (1.0 - (1.0 - a) * (1.0 - b)).min(AGREEMENT_CEILING).max(a.max(b))
}

/// The confidence of the reading kept when two chunks disagree: cut by half the
/// confidence of the other reading.
pub fn disputed_confidence(kept: f64, other: f64) -> f64 {
    kept * (1.0 - other / 2.0)
}

/// Merges chunk extractions, given in page order.
pub fn merge_extractions(chunks: Vec<Extraction>) -> Extraction {
    let mut merged = Extraction::default();
    for chunk in chunks {
        merged.notes.extend(chunk.notes);
        if let Some(usage) = &chunk.usage {
            merged.usage.get_or_insert_with(Default::default).add(usage);
        }
        for (name, value) in chunk.data {
            let pointer = format!("/{}", escape_pointer_token(&name));
            match merged.data.get_mut(&name) {
                None => {
                    merged.data.insert(name.clone(), value);
                    move_evidence(&mut merged, &chunk.fields, &pointer, &pointer);
                }
                Some(Value::Array(existing)) if value.is_array() => {
                    let offset = existing.len();
                    let more = value.as_array().map(Vec::len).unwrap_or_default();
                    if let Value::Array(items) = value {
                        existing.extend(items);
                    }
                    for i in 0..more {
                        let (from, to) = (format!("{pointer}/{i}"), format!("{pointer}/{}", offset + i));
                        move_evidence(&mut merged, &chunk.fields, &from, &to);
                    }
                }
                Some(existing) => {
                    let earlier = merged.fields.get(&pointer).cloned();
                    let later = chunk.fields.get(&pointer).cloned();
                    let (old, new) = (confidence(&earlier), confidence(&later));
                    let agree = same_value(existing, &value);
                    let later_wins = new > old;
                    let confidence = if agree {
                        agreed_confidence(old, new)
                    } else {
                        let (kept, other) = if later_wins { (new, old) } else { (old, new) };
                        let confidence = disputed_confidence(kept, other);
                        let (kept_reading, other_reading) = if later_wins {
                            ((&value, &later), (&*existing, &earlier))
                        } else {
                            ((&*existing, &earlier), (&value, &later))
                        };
                        merged.notes.push(format!(
                            "{pointer}: the pages disagree: {} and {}; kept {} with confidence {confidence:.2}",
                            reading(kept_reading.0, kept_reading.1),
                            reading(other_reading.0, other_reading.1),
                            kept_reading.0
                        ));
                        confidence
                    };
                    if later_wins {
                        if !agree {
                            *existing = value;
                        }
                        move_evidence(&mut merged, &chunk.fields, &pointer, &pointer);
                    }
                    if let Some(evidence) = merged.fields.get_mut(&pointer) {
                        evidence.confidence = confidence;
                    }
                }
            }
        }
    }
    merged
}

fn confidence(evidence: &Option<FieldEvidence>) -> f64 {
    evidence.as_ref().map_or(0.0, |e| e.confidence)
}

/// A reading for a note: the value, its page and its confidence.
fn reading(value: &Value, evidence: &Option<FieldEvidence>) -> String {
    match evidence {
        Some(FieldEvidence { page: Some(page), confidence, .. }) => {
            format!("{value} (page {page}, confidence {confidence:.2})")
        }
        Some(e) => format!("{value} (confidence {:.2})", e.confidence),
        None => value.to_string(),
    }
}

/// Copies the evidence of `from` (and everything under it) in `source` to `to` in `target`.
fn move_evidence(
    target: &mut Extraction,
    source: &std::collections::BTreeMap<String, crate::result::FieldEvidence>,
    from: &str,
    to: &str,
) {
    for (pointer, evidence) in source {
        if pointer == from {
            target.fields.insert(to.to_string(), evidence.clone());
        } else if let Some(rest) = pointer.strip_prefix(from).filter(|r| r.starts_with('/')) {
            target.fields.insert(format!("{to}{rest}"), evidence.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{FieldEvidence, Usage};
    use serde_json::json;

    fn evidence(confidence: f64, page: u32) -> FieldEvidence {
        FieldEvidence { confidence, page: Some(page), text: String::new(), bbox: None }
    }

    #[test]
    fn the_most_confident_value_wins_and_lists_are_concatenated() {
        let mut first = Extraction::default();
        first.set("total", json!(10.0), evidence(0.4, 1));
        first.set("items", json!([{"a": 1}]), evidence(0.9, 1));
        first.fields.insert("/items/0/a".into(), evidence(0.8, 1));
        let mut second = Extraction::default();
        second.set("total", json!(12.0), evidence(0.9, 2));
        second.set("items", json!([{"a": 2}]), evidence(0.9, 2));
        second.fields.insert("/items/0/a".into(), evidence(0.7, 2));

        let usage = |tokens, cost| Usage {
            model: "m".into(),
            calls: 1,
            input_tokens: tokens,
            output_tokens: 10,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            cost_usd: cost,
        };
        first.usage = Some(usage(100, Some(0.5)));
        second.usage = Some(usage(200, Some(0.25)));

        let merged = merge_extractions(vec![first, second]);
        let total = merged.usage.as_ref().unwrap();
        assert_eq!((total.calls, total.input_tokens, total.output_tokens, total.cost_usd), (2, 300, 20, Some(0.75)));
        assert_eq!(total.model, "m");
        assert_eq!(merged.data["total"], json!(12.0));
        assert_eq!(merged.fields["/total"].page, Some(2));
        assert_eq!(merged.data["items"], json!([{"a": 1}, {"a": 2}]));
        assert_eq!(merged.fields["/items/1/a"].page, Some(2));
        assert!(merged.notes.iter().any(|n| n.contains("/total")), "{:?}", merged.notes);
    }

    fn chunk(name: &str, value: Value, confidence: f64, page: u32) -> Extraction {
        let mut extraction = Extraction::default();
        extraction.set(name, value, evidence(confidence, page));
        extraction
    }

    #[test]
    fn chunks_that_disagree_lower_the_confidence_and_say_why() {
        let merged = merge_extractions(vec![chunk("total", json!(10.0), 0.4, 1), chunk("total", json!(12.0), 0.9, 9)]);
        assert_eq!(merged.data["total"], json!(12.0));
        let confidence = merged.fields["/total"].confidence;
        assert!((confidence - 0.9 * (1.0 - 0.4 / 2.0)).abs() < 1e-12, "{confidence}");
        assert_eq!(
            merged.notes,
            vec![
                "/total: the pages disagree: 12.0 (page 9, confidence 0.90) and 10.0 (page 1, confidence 0.40); \
kept 12.0 with confidence 0.72"
            ]
        );
        // The earlier reading is kept when it is the more confident one.
        let merged = merge_extractions(vec![chunk("total", json!(10.0), 0.8, 1), chunk("total", json!(12.0), 0.6, 9)]);
        assert_eq!((merged.data["total"].clone(), merged.fields["/total"].page), (json!(10.0), Some(1)));
        assert!((merged.fields["/total"].confidence - 0.8 * 0.7).abs() < 1e-12);
    }

    #[test]
    fn chunks_that_agree_raise_the_confidence_without_a_note() {
        let merged = merge_extractions(vec![
            chunk("vendor", json!("ACME  Tools"), 0.7, 1),
            chunk("vendor", json!("acme tools"), 0.8, 9),
            chunk("vendor", json!("ACME Tools"), 0.6, 17),
        ]);
        assert!(merged.notes.is_empty(), "{:?}", merged.notes);
        assert_eq!(merged.data["vendor"], json!("ACME  Tools"), "the first reading's text stays");
        assert_eq!(merged.fields["/vendor"].page, Some(9), "with the evidence of the most confident one");
        let two = 1.0 - 0.3 * 0.2;
        let confidence = merged.fields["/vendor"].confidence;
        assert!((confidence - (1.0 - (1.0 - two) * 0.4)).abs() < 1e-12, "{confidence}");
        let sure = merge_extractions(vec![chunk("n", json!(5), 0.95, 1), chunk("n", json!(5.001), 0.95, 2)]);
        assert_eq!(sure.fields["/n"].confidence, AGREEMENT_CEILING);
        let certain = merge_extractions(vec![chunk("n", json!(5), 1.0, 1), chunk("n", json!(5), 0.5, 2)]);
        assert_eq!(certain.fields["/n"].confidence, 1.0, "agreement never lowers a confidence");
    }
}
