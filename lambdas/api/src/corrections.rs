//! A reviewer's correction of a finished job's result, as pure logic: the edits are a JSON
//! Patch (RFC 6902) on the result's `data`, limited to `add`, `replace` and `remove`, with
//! `test` to guard against a change made meanwhile. Every edited value must fit the job's
//! spec; the corrected data then goes through the same checks as an extraction
//! ([`docex_core::finalize`]), so the status becomes `SUCCEEDED` once nothing is left to
//! review, and the correction (who, when, each old and new value, the reasons it answered)
//! is kept in the result.
//!
//! An edited value counts as certain (confidence 1) and keeps the page and text of the
//! value it replaced as its evidence. A review reason that came from reading the document
//! (an extractor's note, a value that was dropped) is answered by the correction: it stays
//! in the correction's `review_reasons_before`, and only what the checks still find is
//! left in `review_reasons`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use docex_core::job::{Correction, FieldEdit};
use docex_core::{Extraction, FieldEvidence, JobResult, Spec, finalize};
use json_patch::{PatchErrorKind, PatchOperation};
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;

/// The most edits one correction may hold.
pub const MAX_EDITS: usize = 200;

/// The body of `PATCH /jobs/{id}/fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectFields {
    /// JSON Patch operations on the result's `data`, applied in order.
    pub edits: Vec<PatchOperation>,
}

/// `422 Api.ValueRefused`: an edited value the spec's schema refuses.
fn refused(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Api.ValueRefused", message)
}

/// `400 Api.InvalidEdit`: an edit that cannot be applied (a path to nothing, an unsupported
/// operation).
fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidEdit", message)
}

/// `result` corrected by `edits`, made by `by` at `at` (RFC 3339). Nothing is changed when
/// an edit fails: the answer is then `Api.InvalidEdit`, `Api.ValueRefused`, or
/// `409 Api.EditConflict` for a `test` that no longer holds.
pub fn correct(
    spec: &Spec,
    result: &JobResult,
    edits: &[PatchOperation],
    by: &str,
    at: &str,
) -> Result<JobResult, ApiError> {
    if edits.is_empty() {
        return Err(invalid("the correction has no edits".into()));
    }
    if edits.len() > MAX_EDITS {
        return Err(invalid(format!("a correction holds at most {MAX_EDITS} edits, not {}", edits.len())));
    }
    let mut data = result.data.clone();
    let mut fields = result.fields.clone();
    let mut log = Vec::new();
    for (index, edit) in edits.iter().enumerate() {
        if let Some(change) = apply(&mut data, &mut fields, index, edit)? {
            log.push(change);
        }
    }
    if log.is_empty() {
        return Err(invalid("the edits only test values: there is nothing to correct".into()));
    }
    let before = spec.violations(&result.data);
    let new_violations: Vec<String> = spec
        .violations(&data)
        .into_iter()
        .filter(|v| !before.contains(v))
        .map(|v| if v.pointer.is_empty() { v.message } else { format!("{}: {}", v.pointer, v.message) })
        .collect();
    if !new_violations.is_empty() {
        return Err(refused(format!(
            "the spec {} refuses the corrected data: {}",
            spec.name,
            new_violations.join("; ")
        )));
    }
    let Value::Object(object) = data else {
        return Err(invalid("the corrected data is not an object".into()));
    };
    let outcome = finalize(spec, Extraction { data: object, fields: fields.clone(), notes: Vec::new(), usage: None });
    // The checks may lower the confidence of values a broken rule involves; what is stored is
    // the evidence as it was, less any value the checks dropped.
    fields.retain(|pointer, _| outcome.fields.contains_key(pointer));
    let mut corrected = result.clone();
    corrected.corrections.push(Correction {
        by: by.to_string(),
        at: at.to_string(),
        edits: log,
        status_before: result.status,
        status_after: outcome.status,
        review_reasons_before: result.review_reasons.clone(),
    });
    corrected.status = outcome.status;
    corrected.data = outcome.data;
    corrected.fields = fields;
    corrected.confidence = outcome.confidence;
    corrected.review_reasons = outcome.review_reasons;
    Ok(corrected)
}

/// Applies one edit to `data` and its evidence; the change it made, or `None` for a `test`.
fn apply(
    data: &mut Value,
    fields: &mut BTreeMap<String, FieldEvidence>,
    index: usize,
    edit: &PatchOperation,
) -> Result<Option<FieldEdit>, ApiError> {
    let path = edit.path().to_string();
    let what = format!("edit {index} ({path:?})");
    if matches!(edit, PatchOperation::Move(_) | PatchOperation::Copy(_)) {
        return Err(invalid(format!("{what}: a correction uses add, replace, remove and test only")));
    }
    if path.is_empty() {
        return Err(invalid(format!("{what}: an edit names a value inside data, not the whole of it")));
    }
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
    let parent_is_list = data.pointer(parent).is_some_and(Value::is_array);
    let inserts = matches!(edit, PatchOperation::Add(_)) && parent_is_list;
    let old = if inserts { None } else { data.pointer(&path).cloned() };
    json_patch::patch(data, std::slice::from_ref(edit)).map_err(|e| match e.kind {
        PatchErrorKind::TestFailed => ApiError::conflict(
            "Api.EditConflict",
            format!("{what}: the value is not the one tested; the result changed meanwhile"),
        ),
        kind => invalid(format!("{what}: {kind}")),
    })?;
    // The concrete pointer of the value: `-` (the end of a list) becomes its index.
    let (pointer, position) = match (parent_is_list, data.pointer(parent).and_then(Value::as_array)) {
        (true, Some(items)) => {
            let position = if last == "-" { items.len().saturating_sub(1) } else { last.parse().unwrap_or(0) };
            (format!("{parent}/{position}"), Some(position))
        }
        _ => (path.clone(), None),
    };
    let new = match edit {
        PatchOperation::Add(add) => Some(add.value.clone()),
        PatchOperation::Replace(replace) => Some(replace.value.clone()),
        PatchOperation::Remove(_) => None,
        _ => return Ok(None),
    };
    let replaced = fields.get(&pointer).cloned();
    let under = |p: &str| p == pointer || p.starts_with(&format!("{pointer}/"));
    if inserts {
        shift_list_evidence(fields, parent, position.unwrap_or(0), 1);
    } else {
        fields.retain(|p, _| !under(p));
        if new.is_none()
            && let Some(position) = position
        {
            shift_list_evidence(fields, parent, position + 1, -1);
        }
    }
    if new.is_some() {
        let from = if inserts { None } else { replaced };
        fields.insert(
            pointer.clone(),
            FieldEvidence {
                confidence: 1.0,
                page: from.as_ref().and_then(|e| e.page),
                text: from.as_ref().map(|e| e.text.clone()).unwrap_or_default(),
                bbox: from.and_then(|e| e.bbox),
            },
        );
    }
    Ok(Some(FieldEdit { pointer, old, new }))
}

/// Moves the evidence of the items of the list at `list` from index `from` on by `by`
/// (an item was inserted before them, or removed).
fn shift_list_evidence(fields: &mut BTreeMap<String, FieldEvidence>, list: &str, from: usize, by: isize) {
    let prefix = format!("{list}/");
    let moved: Vec<(String, usize, String)> = fields
        .keys()
        .filter_map(|pointer| {
            let rest = pointer.strip_prefix(&prefix)?;
            let (index, tail) = rest.split_once('/').map_or((rest, String::new()), |(i, t)| (i, format!("/{t}")));
            let index: usize = index.parse().ok()?;
            (index >= from).then(|| (pointer.clone(), index, tail))
        })
        .collect();
    let entries: Vec<(String, FieldEvidence)> = moved
        .iter()
        .filter_map(|(pointer, index, tail)| {
            let evidence = fields.remove(pointer)?;
            let index = index.checked_add_signed(by)?;
            Some((format!("{prefix}{index}{tail}"), evidence))
        })
        .collect();
    fields.extend(entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::JobStatus;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::from_value(
            "bill",
            json!({"type": "object", "required": ["total"],
            "x-docex-rules": [{"rule": "sum", "terms": ["/items/*/amount"], "equals_any": ["/total"]}],
            "properties": {
                "total": {"type": "number"},
                "issued": {"type": "string", "format": "date"},
                "vendor": {"type": "string"},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "description": {"type": "string"}, "amount": {"type": "number"}}}}
            }}),
        )
        .unwrap()
    }

    fn evidence(confidence: f64, page: u32, text: &str) -> FieldEvidence {
        FieldEvidence { confidence, page: Some(page), text: text.into(), bbox: None }
    }

    /// A result whose line items (10 + 20) do not add up to its total (31).
    fn flagged() -> JobResult {
        let mut extraction = Extraction::default();
        extraction.set("total", json!(31.0), evidence(0.9, 1, "31.00"));
        extraction.set("vendor", json!("ACME"), evidence(0.9, 1, "ACME"));
        extraction.data.insert("items".into(), json!([{"amount": 10.0}, {"amount": 20.0}]));
        extraction.fields.insert("/items/0/amount".into(), evidence(0.8, 1, "10.00"));
        extraction.fields.insert("/items/1/amount".into(), evidence(0.8, 2, "20.00"));
        let outcome = finalize(&spec(), extraction);
        let job = docex_core::JobRecord {
            job_id: "j-1".into(),
            owner: "alice".into(),
            document: "a.pdf".into(),
            spec: "bill".into(),
            template: "generic".into(),
            status: outcome.status,
            error: None,
            confidence: Some(outcome.confidence),
            created_at: "2026-03-01T10:00:00Z".into(),
            updated_at: "2026-03-01T10:00:00Z".into(),
        };
        JobResult::from_outcome(&job, "offline", outcome)
    }

    fn edits(value: Value) -> Vec<PatchOperation> {
        serde_json::from_value(value).expect("a JSON Patch")
    }

    fn correct_with(result: &JobResult, patch: Value) -> Result<JobResult, ApiError> {
        correct(&spec(), result, &edits(patch), "alice", "2026-03-02T09:00:00.000Z")
    }

    #[test]
    fn fixing_the_flagged_total_makes_the_result_succeed_and_records_who_when_and_what() {
        let result = flagged();
        assert_eq!(result.status, JobStatus::NeedsReview, "{:?}", result.review_reasons);
        let corrected = correct_with(&result, json!([{"op": "replace", "path": "/total", "value": 30.0}])).unwrap();
        assert_eq!(corrected.status, JobStatus::Succeeded, "{:?}", corrected.review_reasons);
        assert!(corrected.review_reasons.is_empty());
        assert_eq!(corrected.data["total"], json!(30.0));
        let evidence = &corrected.fields["/total"];
        assert_eq!((evidence.confidence, evidence.page, evidence.text.as_str()), (1.0, Some(1), "31.00"));
        assert!(corrected.confidence > result.confidence);
        let correction = &corrected.corrections[0];
        assert_eq!((correction.by.as_str(), correction.at.as_str()), ("alice", "2026-03-02T09:00:00.000Z"));
        assert_eq!(
            correction.edits,
            vec![FieldEdit { pointer: "/total".into(), old: Some(json!(31.0)), new: Some(json!(30.0)) }]
        );
        assert_eq!((correction.status_before, correction.status_after), (JobStatus::NeedsReview, JobStatus::Succeeded));
        assert_eq!(correction.review_reasons_before, result.review_reasons);
    }

    #[test]
    fn an_edit_that_leaves_a_rule_broken_keeps_the_job_in_review() {
        let corrected =
            correct_with(&flagged(), json!([{"op": "replace", "path": "/vendor", "value": "ACME Ltd"}])).unwrap();
        assert_eq!(corrected.status, JobStatus::NeedsReview);
        assert!(
            corrected.review_reasons.iter().any(|r| r.contains("add up to 30.00")),
            "{:?}",
            corrected.review_reasons
        );
        assert_eq!(corrected.data["vendor"], "ACME Ltd");
    }

    #[test]
    fn list_items_are_added_and_removed_and_their_evidence_follows() {
        let result = flagged();
        let corrected = correct_with(
            &result,
            json!([
                {"op": "add", "path": "/items/0", "value": {"description": "Setup", "amount": 1.0}},
                {"op": "remove", "path": "/items/2"}
            ]),
        )
        .unwrap();
        assert_eq!(corrected.data["items"], json!([{"description": "Setup", "amount": 1.0}, {"amount": 10.0}]));
        assert_eq!(corrected.fields["/items/0"].confidence, 1.0);
        assert_eq!(corrected.fields["/items/1/amount"].text, "10.00", "the old first item moved to index 1");
        assert!(!corrected.fields.contains_key("/items/2/amount"), "the removed item's evidence is gone");
        let edits = &corrected.corrections[0].edits;
        assert_eq!(edits[0].old, None);
        assert_eq!(edits[1], FieldEdit { pointer: "/items/2".into(), old: Some(json!({"amount": 20.0})), new: None });

        let appended =
            correct_with(&result, json!([{"op": "add", "path": "/items/-", "value": {"amount": 1.0}}])).unwrap();
        assert_eq!(appended.corrections[0].edits[0].pointer, "/items/2");
        assert_eq!(appended.status, JobStatus::Succeeded, "{:?}", appended.review_reasons);
    }

    #[test]
    fn a_value_the_spec_refuses_is_refused_and_changes_nothing() {
        let result = flagged();
        for (patch, name) in [
            (json!([{"op": "replace", "path": "/total", "value": "thirty"}]), "Api.ValueRefused"),
            (json!([{"op": "replace", "path": "/issued", "value": "2026-02-30"}]), "Api.InvalidEdit"),
            (json!([{"op": "add", "path": "/issued", "value": "yesterday"}]), "Api.ValueRefused"),
            (json!([{"op": "remove", "path": "/total"}]), "Api.ValueRefused"),
            (json!([{"op": "replace", "path": "/items/7/amount", "value": 1}]), "Api.InvalidEdit"),
            (json!([{"op": "move", "from": "/total", "path": "/vendor"}]), "Api.InvalidEdit"),
            (json!([{"op": "replace", "path": "", "value": {}}]), "Api.InvalidEdit"),
            (json!([{"op": "test", "path": "/total", "value": 31.0}]), "Api.InvalidEdit"),
            (json!([]), "Api.InvalidEdit"),
            (
                json!([{"op": "test", "path": "/total", "value": 12}, {"op": "remove", "path": "/vendor"}]),
                "Api.EditConflict",
            ),
        ] {
            let error = correct_with(&result, patch.clone()).unwrap_err();
            assert_eq!(error.name, name, "{patch}: {}", error.message);
        }
        let message =
            correct_with(&result, json!([{"op": "replace", "path": "/total", "value": "thirty"}])).unwrap_err().message;
        assert!(message.contains("/total"), "{message}");
    }

    #[test]
    fn a_test_that_still_holds_lets_the_edits_through() {
        let corrected = correct_with(
            &flagged(),
            json!([{"op": "test", "path": "/total", "value": 31.0}, {"op": "replace", "path": "/total", "value": 30.0}]),
        )
        .unwrap();
        assert_eq!(corrected.corrections[0].edits.len(), 1);
        assert_eq!(corrected.data["total"], json!(30.0));
    }

    #[test]
    fn corrections_accumulate() {
        let once = correct_with(&flagged(), json!([{"op": "replace", "path": "/vendor", "value": "A"}])).unwrap();
        let twice = correct_with(&once, json!([{"op": "replace", "path": "/total", "value": 30.0}])).unwrap();
        assert_eq!(twice.corrections.len(), 2);
        assert_eq!(twice.corrections[1].review_reasons_before, once.review_reasons);
        assert_eq!(twice.corrections[0], once.corrections[0]);
    }
}
