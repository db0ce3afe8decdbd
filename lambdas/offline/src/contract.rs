//! Contracts and other running text: parties ("by and between X and Y"), the governing law
//! ("governed by the laws of the State of X"), a term ("for a period of two (2) years") and
//! dates announced in a sentence ("effective as of February 10, 2017").

use std::sync::LazyLock;

use docex_core::{Extraction, FieldEvidence, FieldKind, Spec};
use docex_normalize::{find_dates_with, fold};
use regex::Regex;
use serde_json::json;

use crate::fields::Ctx;

static LEGAL_FORM_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{2,80}?),?\s+(Inc\.?|Incorporated|LLC|L\.L\.C\.|Ltd\.?|Limited|Corporation|Corp\.?|Company|Co\.|LLP|L\.P\.|LP|plc|PLC|GmbH|AG|N\.V\.|B\.V\.|S\.A\.)(?:[\s,;(]|$)")
        .expect("valid")
});
static BETWEEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bbetween\s+").expect("valid"));
static GOVERNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Ll]aws\s+of\s+(?:the\s+)?(?:(?:[Ss]tate|[Cc]ommonwealth|[Pp]rovince|[Rr]epublic)\s+of\s+)?([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})")
        .expect("valid")
});
static TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:period|term)\s+of\s+([a-z]+|\d+)\s*(?:\((\d+)\)\s*)?(years?|months?)|\b(?:expire|terminate|continue|remain in effect)[a-z ]{0,20}?\s([a-z]+|\d+)\s*(?:\((\d+)\)\s*)?(years?|months?)")
        .expect("valid")
});

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("eighteen", 18),
    ("twenty", 20),
    ("twenty-four", 24),
    ("thirty-six", 36),
];

/// A party name: up to and with its legal form, the comma before the form dropped
/// ("Kite Pharma, Inc." → "Kite Pharma Inc."); else up to the first comma or parenthesis.
fn party_name(text: &str) -> Option<String> {
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    if let Some(c) = LEGAL_FORM_END.captures(text) {
        let name = c.get(1)?.as_str().trim_end_matches(',');
        let form = c.get(2)?.as_str();
        if !name.contains(" and ") && name.split_whitespace().count() <= 8 {
            return Some(format!("{name} {form}"));
        }
    }
    let end = text.find([',', '(', ';', '\n']).unwrap_or(text.len()).min(80);
    let name = text.get(..end)?.trim();
    (name.chars().filter(|c| c.is_alphabetic()).count() >= 3).then(|| name.to_string())
}

fn number(word: &str, digits: Option<&str>) -> Option<u32> {
    if let Some(d) = digits.and_then(|d| d.parse().ok()) {
        return Some(d);
    }
    word.parse().ok().or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == word.to_lowercase()).map(|(_, n)| *n))
}

fn evidence(confidence: f64, text: &str) -> FieldEvidence {
    FieldEvidence { confidence, page: None, text: text.chars().take(200).collect(), bbox: None }
}

/// Fills text-list fields, and text and date fields left empty, from sentence patterns over
/// the running text of the document.
pub(crate) fn extract_sentences(ctx: &Ctx, spec: &Spec, extraction: &mut Extraction) {
    let flowing = ctx.doc_text.replace('\n', " ");
    for field in &spec.fields {
        let name = field.name.to_lowercase();
        // Sentence patterns know better than a label on a line for these; other fields
        // keep what the page reading found.
        let sentence_field = matches!(field.kind, FieldKind::TextList)
            || (matches!(field.kind, FieldKind::Text | FieldKind::Name)
                && (name.contains("jurisdiction") || name.contains("law") || name.contains("term")));
        if extraction.data.contains_key(&field.name) && !sentence_field {
            continue;
        }
        match &field.kind {
            FieldKind::TextList => {
                if let Some(m) = BETWEEN.find(&flowing) {
                    let rest = &flowing[m.end()..flowing.len().min(m.end() + 600)];
                    let mut parties = Vec::new();
                    if let Some(first) = party_name(rest) {
                        // The second party follows the first " and " after the first's name.
                        let after = rest.find(&first.replace(", ", " ")).map_or(first.len(), |i| i + first.len());
                        let tail = rest.get(after..).unwrap_or_default();
                        let second = tail.find(" and ").and_then(|i| party_name(&tail[i + 5..]));
                        parties.push(first);
                        parties.extend(second);
                    }
                    if !parties.is_empty() {
                        let source: String = flowing[m.start()..].chars().take(200).collect();
                        extraction.set(&field.name, json!(parties), evidence(0.6, &source));
                    }
                }
            }
            FieldKind::Text | FieldKind::Name if name.contains("jurisdiction") || name.contains("law") => {
                if let Some(c) = GOVERNED.captures(&flowing) {
                    if let (Some(all), Some(place)) = (c.get(0), c.get(1)) {
                        let place = place.as_str().trim();
                        let place = place.strip_suffix(" without").unwrap_or(place);
                        extraction.set(&field.name, json!(place), evidence(0.7, all.as_str()));
                    }
                }
            }
            FieldKind::Text if name.contains("term") || name.contains("duration") => {
                if let Some(c) = TERM.captures(&flowing) {
                    let (word, digits, unit) = match c.get(1) {
                        Some(w) => (w.as_str(), c.get(2).map(|d| d.as_str()), c.get(3).map(|u| u.as_str())),
                        None => (
                            c.get(4).map_or("", |w| w.as_str()),
                            c.get(5).map(|d| d.as_str()),
                            c.get(6).map(|u| u.as_str()),
                        ),
                    };
                    if let (Some(n), Some(unit), Some(all)) = (number(word, digits), unit, c.get(0)) {
                        let unit = unit.to_lowercase();
                        let unit = unit.trim_end_matches('s');
                        let value = if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
                        extraction.set(&field.name, json!(value), evidence(0.55, all.as_str()));
                    }
                }
            }
            FieldKind::Date => {
                // The first date within a sentence's reach after one of the field's labels.
                let folded_flow = flowing.to_lowercase();
                let mut best: Option<(usize, String, String)> = None;
                for label in &field.labels {
                    let l = label.to_lowercase();
                    if fold(&l).len() < 4 {
                        continue;
                    }
                    let Some(at) = folded_flow.find(&l) else { continue };
                    let from = at + l.len();
                    if !flowing.is_char_boundary(from) {
                        continue;
                    }
                    let window: String = flowing[from..].chars().take(80).collect();
                    if let Some(d) = find_dates_with(&window, ctx.order).into_iter().next() {
                        if best.as_ref().is_none_or(|b| at < b.0) {
                            best = Some((at, d.iso, window[d.start..d.end].to_string()));
                        }
                    }
                }
                if let Some((_, iso, text)) = best {
                    extraction.set(&field.name, json!(iso), evidence(0.7, &text));
                }
            }
            _ => {}
        }
    }
}
