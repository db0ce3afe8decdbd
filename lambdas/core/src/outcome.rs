//! Merging and checking: turns an [`Extraction`] into the final [`Outcome`] of a job by
//! validating it against the spec, applying the spec's cross-field rules, and deciding
//! whether a person needs to review it.
//!
//! Values that break the schema (a date that is not a date, a number that is text) are
//! removed from the data, never passed on, and each removal is a review reason. A missing
//! required field, a failed rule or a document confidence under the spec's threshold makes
//! the status `NEEDS_REVIEW`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::result::{Extraction, FieldEvidence, Usage};
use crate::spec::{Rule, Spec, Violation};

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    NeedsReview,
    Failed,
}

impl JobStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            JobStatus::Queued => "QUEUED",
            JobStatus::Running => "RUNNING",
            JobStatus::Succeeded => "SUCCEEDED",
            JobStatus::NeedsReview => "NEEDS_REVIEW",
            JobStatus::Failed => "FAILED",
        }
    }

    /// Where the status sits in a job's life: queued, then running, then finished. A job
    /// store never lets an older event move a job back down this order; only a re-drive,
    /// a later event, takes a finished job back to running.
    pub fn rank(&self) -> u8 {
        match self {
            JobStatus::Queued => 0,
            JobStatus::Running => 1,
            JobStatus::Succeeded | JobStatus::NeedsReview | JobStatus::Failed => 2,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.rank() == 2
    }

    pub fn parse(text: &str) -> Option<JobStatus> {
        [JobStatus::Queued, JobStatus::Running, JobStatus::Succeeded, JobStatus::NeedsReview, JobStatus::Failed]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// The checked result of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: JobStatus,
    pub data: Value,
    pub fields: BTreeMap<String, FieldEvidence>,
    pub confidence: f64,
    pub review_reasons: Vec<String>,
    /// Model tokens and cost, when a model did the reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// Every way `data` breaks its spec: schema violations (types, formats, required fields)
/// and broken cross-field rules, each with the pointer of a value involved (empty for the
/// whole object) and a message. An extractor that can correct itself (the agent loop)
/// checks its answers with this before [`finalize`] sees them.
pub fn check(spec: &Spec, data: &Value) -> Vec<Violation> {
    let mut violations = spec.violations(data);
    for rule in &spec.rules {
        if let Some((message, pointers)) = broken_rule(rule, data) {
            let pointer = pointers.last().cloned().unwrap_or_default();
            violations.push(Violation { pointer, message });
        }
    }
    violations
}

/// Validates an extraction against its spec and decides the job's status.
pub fn finalize(spec: &Spec, extraction: Extraction) -> Outcome {
    let usage = extraction.usage;
    let mut data = Value::Object(extraction.data);
    let mut fields = extraction.fields;
    let mut reasons: Vec<String> = extraction.notes;

    // Drop values that break the schema; `required` violations are reported on their own.
    for _ in 0..8 {
        let bad: Vec<_> = spec.violations(&data).into_iter().filter(|v| !v.pointer.is_empty()).collect();
        if bad.is_empty() {
            break;
        }
        for violation in bad {
            if remove_pointer(&mut data, &violation.pointer) {
                fields.retain(|p, _| p != &violation.pointer && !p.starts_with(&format!("{}/", violation.pointer)));
                reasons.push(format!("{} was removed: {}", violation.pointer, violation.message));
            }
        }
    }
    for field in spec.fields.iter().filter(|f| f.required) {
        if data.get(&field.name).is_none_or(Value::is_null) {
            reasons.push(format!("required field {} was not found", field.name));
        }
    }
    for rule in &spec.rules {
        if let Some((message, pointers)) = broken_rule(rule, &data) {
            for pointer in pointers {
                if let Some(evidence) = fields.get_mut(&pointer) {
                    evidence.confidence *= 0.5;
                }
            }
            reasons.push(message);
        }
    }

    let confidence = document_confidence(spec, &data, &fields);
    if confidence < spec.review_threshold {
        reasons.push(format!("confidence {confidence:.2} is under the review threshold {:.2}", spec.review_threshold));
    }
    let status = if reasons.is_empty() { JobStatus::Succeeded } else { JobStatus::NeedsReview };
    Outcome { status, data, fields, confidence, review_reasons: reasons, usage }
}

/// The mean confidence of the top-level values found plus the required ones (a missing
/// required field counts as 0).
fn document_confidence(spec: &Spec, data: &Value, fields: &BTreeMap<String, FieldEvidence>) -> f64 {
    let scores: Vec<f64> = spec
        .fields
        .iter()
        .filter_map(|f| {
            let pointer = format!("/{}", crate::result::escape_pointer_token(&f.name));
            let present = data.get(&f.name).is_some_and(|v| !v.is_null());
            match (present, fields.get(&pointer)) {
                (true, Some(e)) => Some(e.confidence),
                (true, None) => {
                    // A list field: the mean of its cells' confidences.
                    let cells: Vec<f64> = fields
                        .iter()
                        .filter(|(p, _)| p.starts_with(&format!("{pointer}/")))
                        .map(|(_, e)| e.confidence)
                        .collect();
                    (!cells.is_empty()).then(|| cells.iter().sum::<f64>() / cells.len() as f64)
                }
                (false, _) if f.required => Some(0.0),
                (false, _) => None,
            }
        })
        .collect();
    if scores.is_empty() { 0.0 } else { scores.iter().sum::<f64>() / scores.len() as f64 }
}

fn remove_pointer(data: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match data.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&last).is_some(),
        Some(Value::Array(items)) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Numbers at a pointer that may contain `*` for "every element of this array".
fn numbers_at(data: &Value, pointer: &str) -> Vec<(String, f64)> {
    fn walk(value: &Value, here: String, rest: &[&str], out: &mut Vec<(String, f64)>) {
        match rest.split_first() {
            None => {
                if let Some(n) = value.as_f64() {
                    out.push((here, n));
                }
            }
            Some((&"*", tail)) => {
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, format!("{here}/{i}"), tail, out);
                    }
                }
            }
            Some((token, tail)) => {
                let child = match value {
                    Value::Object(map) => map.get(*token),
                    Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                    _ => None,
                };
                if let Some(child) = child {
                    walk(child, format!("{here}/{token}"), tail, out);
                }
            }
        }
    }
    let tokens: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let mut out = Vec::new();
    walk(data, String::new(), &tokens, &mut out);
    out
}

/// When a rule is broken: a message for the reviewer and the pointers of the values involved.
fn broken_rule(rule: &Rule, data: &Value) -> Option<(String, Vec<String>)> {
    match rule {
        Rule::Sum { terms, less, equals_any, tolerance } => {
            let tolerance = tolerance.unwrap_or(0.01);
            let parts: Vec<(String, f64)> = terms.iter().flat_map(|t| numbers_at(data, t)).collect();
            // A rule over values that were not extracted cannot be checked; absence is
            // reported by `required`, not here.
            if parts.is_empty() || terms.iter().any(|t| !t.contains('*') && numbers_at(data, t).is_empty()) {
                return None;
            }
            let targets: Vec<(String, f64)> = equals_any.iter().flat_map(|t| numbers_at(data, t)).collect();
            if targets.is_empty() {
                return None;
            }
            let taken_off: Vec<(String, f64)> = less.iter().flat_map(|t| numbers_at(data, t)).collect();
            let whole: f64 = parts.iter().map(|(_, n)| n).sum();
            let sum = whole - taken_off.iter().map(|(_, n)| n.abs()).sum::<f64>();
            if targets.iter().any(|(_, n)| (n - sum).abs() <= tolerance + 1e-9 || (n - whole).abs() <= tolerance + 1e-9)
            {
                return None;
            }
            let mut pointers: Vec<String> = parts.into_iter().map(|(p, _)| p).collect();
            pointers.extend(taken_off.iter().map(|(p, _)| p.clone()));
            pointers.extend(targets.iter().map(|(p, _)| p.clone()));
            let target_names: Vec<&str> = equals_any.iter().map(String::as_str).collect();
            let minus: String = taken_off.iter().map(|(p, _)| format!(" - {p}")).collect();
            Some((
                format!(
                    "{}{minus} add up to {sum:.2}, which matches none of {}",
                    terms.join(" + "),
                    target_names.join(", ")
                ),
                pointers,
            ))
        }
        Rule::DateOrder { earlier, later } => {
            let a = data.pointer(earlier)?.as_str()?;
            let b = data.pointer(later)?.as_str()?;
            // ISO 8601 dates compare correctly as strings.
            (a > b).then(|| (format!("{earlier} ({a}) is after {later} ({b})"), vec![earlier.clone(), later.clone()]))
        }
        Rule::Count { list, equals, units, .. } => {
            let count = data.pointer(equals.as_deref()?)?.as_f64()?;
            let entries = list_len(data, list);
            if count_matches(count, entries, units.as_deref(), data) {
                return None;
            }
            let equals = equals.as_deref().unwrap_or_default();
            Some((
                format!("{list} has {entries} entries, but {equals} counts {count}"),
                vec![list.clone(), equals.to_string()],
            ))
        }
    }
}

/// The number of entries of the list at `pointer` (0 when there is none).
pub(crate) fn list_len(data: &Value, pointer: &str) -> usize {
    data.pointer(pointer).and_then(Value::as_array).map_or(0, Vec::len)
}

/// Whether `count` counts the list's entries, or the units summed at `units`.
pub(crate) fn count_matches(count: f64, entries: usize, units: Option<&str>, data: &Value) -> bool {
    if (count - entries as f64).abs() < 1e-9 {
        return true;
    }
    let summed: Vec<f64> = units.map(|u| numbers_at(data, u).into_iter().map(|(_, n)| n).collect()).unwrap_or_default();
    !summed.is_empty() && (summed.iter().sum::<f64>() - count).abs() < 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::from_value(
            "t",
            json!({"type": "object", "required": ["total"],
                "x-docex-rules": [
                    {"rule": "sum", "terms": ["/items/*/amount"], "less": ["/discount"], "equals_any": ["/total"]},
                    {"rule": "date_order", "earlier": "/issued", "later": "/due"},
                    {"rule": "count", "list": "/items", "equals": "/item_count", "units": "/items/*/quantity"}
                ],
                "properties": {
                "total": {"type": "number"},
                "discount": {"type": "number"},
                "item_count": {"type": "integer"},
                "issued": {"type": "string", "format": "date"},
                "due": {"type": "string", "format": "date"},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "amount": {"type": "number"}, "quantity": {"type": "number"}}}}
            }}),
        )
        .unwrap()
    }

    fn evidence(confidence: f64) -> FieldEvidence {
        FieldEvidence { confidence, page: Some(1), text: "x".into(), bbox: None }
    }

    #[test]
    fn a_consistent_confident_result_succeeds() {
        let mut e = Extraction::default();
        e.set("total", json!(30.0), evidence(0.9));
        e.set("items", json!([{"amount": 10.0}, {"amount": 20.0}]), evidence(0.9));
        let outcome = finalize(&spec(), e);
        assert_eq!(outcome.status, JobStatus::Succeeded, "{:?}", outcome.review_reasons);
    }

    #[test]
    fn line_items_that_do_not_add_up_need_review() {
        let mut e = Extraction::default();
        e.set("total", json!(31.0), evidence(0.9));
        e.set("items", json!([{"amount": 10.0}, {"amount": 20.0}]), evidence(0.9));
        let outcome = finalize(&spec(), e);
        assert_eq!(outcome.status, JobStatus::NeedsReview);
        assert!(outcome.review_reasons[0].contains("30.00"), "{:?}", outcome.review_reasons);
        assert!(outcome.fields["/total"].confidence < 0.9);
    }

    #[test]
    fn a_discount_may_be_taken_off_the_line_items_whatever_its_printed_sign() {
        let outcome = |discount: Option<f64>, total: f64| {
            let mut e = Extraction::default();
            e.set("total", json!(total), evidence(0.9));
            e.set("items", json!([{"amount": 10.0}, {"amount": 20.0}]), evidence(0.9));
            if let Some(discount) = discount {
                e.set("discount", json!(discount), evidence(0.9));
            }
            finalize(&spec(), e)
        };
        for printed in [-5.0, 5.0] {
            let discounted = outcome(Some(printed), 25.0);
            assert_eq!(discounted.status, JobStatus::Succeeded, "{:?}", discounted.review_reasons);
        }
        // A discount may be in the items' amounts already.
        assert_eq!(outcome(Some(5.0), 30.0).status, JobStatus::Succeeded);
        assert_eq!(outcome(None, 30.0).status, JobStatus::Succeeded);
        let off = outcome(Some(5.0), 40.0);
        assert_eq!(
            off.review_reasons,
            vec!["/items/*/amount - /discount add up to 25.00, which matches none of /total"]
        );
    }

    #[test]
    fn an_invalid_value_is_removed_and_a_missing_required_field_is_reported() {
        let mut e = Extraction::default();
        e.set("issued", json!("not a date"), evidence(0.9));
        let outcome = finalize(&spec(), e);
        assert_eq!(outcome.status, JobStatus::NeedsReview);
        assert!(outcome.data.get("issued").is_none());
        assert!(!outcome.fields.contains_key("/issued"));
        assert!(outcome.review_reasons.iter().any(|r| r.contains("required field total")));
        assert!(spec().violations(&outcome.data).iter().all(|v| v.pointer.is_empty()), "only `required` may remain");
    }

    #[test]
    fn check_reports_schema_violations_and_broken_rules() {
        let data = json!({"total": 31.0, "issued": "2024-13-01", "items": [{"amount": 10.0}, {"amount": 20.0}]});
        let violations = check(&spec(), &data);
        assert!(violations.iter().any(|v| v.pointer == "/issued"), "{violations:?}");
        assert!(violations.iter().any(|v| v.pointer == "/total" && v.message.contains("30.00")), "{violations:?}");
        let missing = check(&spec(), &json!({}));
        assert!(missing.iter().any(|v| v.pointer.is_empty() && v.message.contains("total")), "{missing:?}");
    }

    #[test]
    fn a_list_that_does_not_match_its_count_field_needs_review() {
        let items = json!([{"amount": 10.0, "quantity": 2}, {"amount": 20.0, "quantity": 1}]);
        let outcome = |count: u64| {
            let mut e = Extraction::default();
            e.set("total", json!(30.0), evidence(0.9));
            e.set("items", items.clone(), evidence(0.9));
            e.set("item_count", json!(count), evidence(0.9));
            finalize(&spec(), e)
        };
        assert_eq!(outcome(2).status, JobStatus::Succeeded, "{:?}", outcome(2).review_reasons);
        assert_eq!(outcome(3).status, JobStatus::Succeeded, "3 units: 2 + 1 quantities");
        let miscounted = outcome(4);
        assert_eq!(miscounted.status, JobStatus::NeedsReview);
        assert_eq!(miscounted.review_reasons, vec!["/items has 2 entries, but /item_count counts 4"]);
        assert!(miscounted.fields["/item_count"].confidence < 0.9);
    }

    #[test]
    fn dates_out_of_order_need_review() {
        let mut e = Extraction::default();
        e.set("total", json!(1.0), evidence(1.0));
        e.set("issued", json!("2024-02-01"), evidence(1.0));
        e.set("due", json!("2024-01-01"), evidence(1.0));
        assert_eq!(finalize(&spec(), e).status, JobStatus::NeedsReview);
    }
}
