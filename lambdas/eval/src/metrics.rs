//! Counting: one field of one document scored against its ground truth, and the counts
//! (true and false positives, false negatives, exact matches) that precision, recall, F1
//! and exact-match accuracy are computed from.
//!
//! Only fields with a ground-truth entry are scored: a value extracted for a field the
//! ground truth does not mention is neither right nor wrong. An explicit `null` in the
//! ground truth means "not on the document": extracting nothing is then exact, and
//! extracting something is a false positive. A wrong value is both a false positive (what
//! was extracted is wrong) and a false negative (the right value was not found). A list
//! field counts its items: matched items are true positives, extra items false positives,
//! missing items false negatives.

use serde::Serialize;
use serde_json::Value;

use crate::assign::{ItemPair, compare_lists};
use crate::compare::{Comparison, Tolerances, ValueKind, compare};

/// What precision, recall, F1 and accuracy are computed from.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Values (documents, for a field) equal to the ground truth after normalisation.
    pub exact: usize,
    /// Values that had a ground truth.
    pub labelled: usize,
}

impl Counts {
    /// One labelled value: `got` whether something was extracted, `outcome` its comparison
    /// with the ground truth (`None` when nothing was extracted or nothing to compare).
    pub fn add(&mut self, got: bool, outcome: Option<Comparison>) {
        self.labelled += 1;
        match outcome {
            Some(c) if c.matched => {
                self.tp += 1;
                self.exact += usize::from(c.exact);
            }
            _ => {
                self.fn_ += 1;
                self.fp += usize::from(got);
            }
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.exact += other.exact;
        self.labelled += other.labelled;
    }

    /// tp / (tp + fp); `None` when nothing was extracted.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn); `None` when there was nothing to find.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// The harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) })
    }

    /// exact / labelled.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.exact, self.labelled)
    }
}

/// `part / whole`, `None` for an empty whole.
pub fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One field of one document, scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldOutcome {
    pub field: String,
    pub kind: &'static str,
    pub expected: Value,
    pub got: Option<Value>,
    /// Counts as correct (for a list: every item matched and nothing extra).
    pub correct: bool,
    /// Equal after normalisation (for a list: every item, and nothing extra).
    pub exact: bool,
    /// Similarity to the ground truth, 0 to 1 (for a list: the share of matched items).
    pub score: f64,
    /// The extractor's confidence in the value, when it gave one.
    pub confidence: Option<f64>,
    /// This value's contribution to the field's counts.
    pub counts: Counts,
    /// For lists: which extracted item each expected item was paired with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<ItemPair>,
    /// For tables: the counts per column, reported as fields `name[].column`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<(String, Counts)>,
}

/// Scores one field of one document. `got` is `None` (or `null`) when nothing was
/// extracted.
pub fn score_field(
    field: &str,
    kind: &ValueKind,
    expected: &Value,
    got: Option<&Value>,
    confidence: Option<f64>,
    tolerances: &Tolerances,
) -> FieldOutcome {
    let got = got.filter(|v| !v.is_null());
    let mut outcome = FieldOutcome {
        field: field.to_string(),
        kind: kind.label(),
        expected: expected.clone(),
        got: got.cloned(),
        correct: false,
        exact: false,
        score: 0.0,
        confidence,
        counts: Counts::default(),
        pairs: Vec::new(),
        columns: Vec::new(),
    };
    let list_kind = matches!(kind, ValueKind::List(_) | ValueKind::Table(_));
    match (expected, got) {
        (Value::Null, None) => {
            outcome.counts = Counts { exact: 1, labelled: 1, ..Counts::default() };
            (outcome.correct, outcome.exact, outcome.score) = (true, true, 1.0);
        }
        (Value::Null, Some(_)) => outcome.counts = Counts { fp: 1, labelled: 1, ..Counts::default() },
        (Value::Array(expected_items), got) if list_kind || got.is_none_or(Value::is_array) => {
            let got_items: &[Value] = got.and_then(Value::as_array).map_or(&[], Vec::as_slice);
            let lists = compare_lists(kind, expected_items, got_items, tolerances);
            let matched = lists.matched_items();
            outcome.correct = lists.matched();
            outcome.exact = lists.exact();
            outcome.score = if expected_items.is_empty() && got_items.is_empty() {
                1.0
            } else {
                matched as f64 / expected_items.len().max(got_items.len()) as f64
            };
            outcome.counts = Counts {
                tp: matched,
                fp: got_items.len() - matched,
                fn_: expected_items.len() - matched,
                exact: usize::from(outcome.exact),
                labelled: 1,
            };
            outcome.pairs = lists.pairs;
            outcome.columns = lists.columns;
        }
        (_, got) => {
            let comparison = got.map(|g| compare(kind, expected, g, tolerances));
            outcome.counts.add(got.is_some(), comparison);
            if let Some(c) = comparison {
                (outcome.correct, outcome.exact, outcome.score) = (c.matched, c.exact, c.score);
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn score(kind: ValueKind, expected: Value, got: Option<Value>) -> FieldOutcome {
        score_field("f", &kind, &expected, got.as_ref(), None, &Tolerances::default())
    }

    #[test]
    fn precision_recall_and_f1_by_hand() {
        // 3 right, 1 wrong (fp and fn), 1 missed (fn): p = 3/4, r = 3/5, f1 = 2/3.
        let counts = Counts { tp: 3, fp: 1, fn_: 2, exact: 3, labelled: 5 };
        assert_eq!(counts.precision(), Some(0.75));
        assert_eq!(counts.recall(), Some(0.6));
        assert!((counts.f1().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(counts.accuracy(), Some(0.6));
        assert_eq!(Counts::default().precision(), None);
        assert_eq!(Counts { fn_: 2, fp: 1, labelled: 2, ..Counts::default() }.f1(), Some(0.0));
    }

    #[test]
    fn a_wrong_value_is_a_false_positive_and_a_false_negative() {
        let wrong = score(ValueKind::Number, json!(4.11), Some(json!(5.0)));
        assert_eq!(wrong.counts, Counts { tp: 0, fp: 1, fn_: 1, exact: 0, labelled: 1 });
        let missed = score(ValueKind::Number, json!(4.11), None);
        assert_eq!(missed.counts, Counts { tp: 0, fp: 0, fn_: 1, exact: 0, labelled: 1 });
        let right = score(ValueKind::Number, json!(4.11), Some(json!("4.11")));
        assert_eq!(right.counts, Counts { tp: 1, fp: 0, fn_: 0, exact: 1, labelled: 1 });
    }

    #[test]
    fn similar_text_is_a_true_positive_but_not_exact() {
        let close = score(ValueKind::Text, json!("Amazon Web Services, Inc."), Some(json!("Amazon Web Services Inc")));
        assert!(close.correct && !close.exact);
        assert_eq!(close.counts, Counts { tp: 1, fp: 0, fn_: 0, exact: 0, labelled: 1 });
    }

    #[test]
    fn a_known_absence_rewards_extracting_nothing() {
        assert_eq!(
            score(ValueKind::Text, Value::Null, None).counts,
            Counts { exact: 1, labelled: 1, ..Counts::default() }
        );
        assert_eq!(
            score(ValueKind::Text, Value::Null, Some(json!("x"))).counts,
            Counts { fp: 1, labelled: 1, ..Counts::default() }
        );
    }

    #[test]
    fn lists_count_their_items() {
        let kind = ValueKind::Table(vec![("amount".into(), ValueKind::Number)]);
        let expected = json!([{"amount": 1.0}, {"amount": 2.0}, {"amount": 3.0}]);
        let got = json!([{"amount": 3.0}, {"amount": 1.0}, {"amount": 9.0}, {"amount": 8.0}]);
        let outcome = score(kind.clone(), expected.clone(), Some(got));
        assert_eq!(outcome.counts, Counts { tp: 2, fp: 2, fn_: 1, exact: 0, labelled: 1 });
        assert!(!outcome.correct);
        assert_eq!(outcome.score, 0.5);
        // Nothing extracted: every expected row is missed.
        let nothing = score(kind, expected, None);
        assert_eq!(nothing.counts, Counts { tp: 0, fp: 0, fn_: 3, exact: 0, labelled: 1 });
    }
}
