//! Merging the extractions of a document's chunks (page ranges read separately) into one:
//! for a single value the most confident reading wins, list fields are concatenated in
//! page order, and disagreements between chunks become notes for the reviewer.

use serde_json::Value;

use crate::result::{Extraction, escape_pointer_token};

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
            let pointer_moves: Vec<(String, String)>;
            match (merged.data.get_mut(&name), value) {
                (None, value) => {
                    merged.data.insert(name.clone(), value);
                    pointer_moves = vec![(pointer.clone(), pointer.clone())];
                }
                (Some(Value::Array(existing)), Value::Array(more)) => {
                    let offset = existing.len();
                    pointer_moves = (0..more.len())
                        .map(|i| (format!("{pointer}/{i}"), format!("{pointer}/{}", offset + i)))
                        .collect();
                    existing.extend(more);
                }
                (Some(existing), value) => {
                    let old = merged.fields.get(&pointer).map_or(0.0, |e| e.confidence);
                    let new = chunk.fields.get(&pointer).map_or(0.0, |e| e.confidence);
                    if *existing != value {
                        merged.notes.push(format!("{pointer}: pages disagree ({existing} and {value})"));
                    }
                    pointer_moves = if new > old {
                        *existing = value;
                        vec![(pointer.clone(), pointer.clone())]
                    } else {
                        Vec::new()
                    };
                }
            }
            for (from, to) in pointer_moves {
                move_evidence(&mut merged, &chunk.fields, &from, &to);
            }
        }
    }
    merged
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
}
