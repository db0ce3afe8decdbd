//! Jobs: one document run through the workflow for one spec. The job record (status,
//! error) and the result object users get back, plus the object keys a job uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorReport;
use crate::outcome::{JobStatus, Outcome};
use crate::result::FieldEvidence;

/// The record of a job as the job store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub job_id: String,
    pub owner: String,
    /// The uploaded file's name, for display only (never used as a path).
    pub document: String,
    pub spec: String,
    pub template: String,
    pub status: JobStatus,
    pub error: Option<ErrorReport>,
    pub confidence: Option<f64>,
    /// RFC 3339 timestamps.
    pub created_at: String,
    pub updated_at: String,
}

/// A change of a job's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub job_id: String,
    pub status: JobStatus,
    pub error: Option<ErrorReport>,
    pub confidence: Option<f64>,
    pub at: String,
}

/// A job's change of status as docex announces it to listeners: on AWS an EventBridge event
/// (`source` `docex`, `detail-type` `Job Status Changed`, this object as `detail`), on one
/// machine a message on the in-process bus. Browsers get it over WebSocket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    pub job_id: String,
    /// Whose job it is: listeners deliver the event to this user only.
    pub owner: String,
    pub status: JobStatus,
    pub error: Option<ErrorReport>,
    pub confidence: Option<f64>,
    /// RFC 3339, when the status changed.
    pub at: String,
}

impl JobEvent {
    /// The EventBridge `source` of docex's events.
    pub const SOURCE: &'static str = "docex";
    /// The EventBridge `detail-type` of a status change.
    pub const DETAIL_TYPE: &'static str = "Job Status Changed";

    pub fn new(owner: &str, update: &StatusUpdate) -> JobEvent {
        JobEvent {
            job_id: update.job_id.clone(),
            owner: owner.to_string(),
            status: update.status,
            error: update.error.clone(),
            confidence: update.confidence,
            at: update.at.clone(),
        }
    }
}

/// The result object of a job: what `docex run --json` prints, what the API returns and
/// what report templates read as `data.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub job_id: String,
    pub document: String,
    pub spec: String,
    pub status: JobStatus,
    pub data: Value,
    pub fields: BTreeMap<String, FieldEvidence>,
    pub confidence: f64,
    #[serde(default)]
    pub review_reasons: Vec<String>,
    /// Where the report is: a path (embedded mode) or an object key.
    pub report: Option<String>,
    pub error: Option<ErrorReport>,
    /// Which extractor produced the data.
    #[serde(default)]
    pub extractor: String,
    /// Model tokens and cost of the job, when a model did the reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::result::Usage>,
    /// Reviewers' corrections of the data, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
}

/// One reviewer's correction of a result: who made it, when, every value it changed, and
/// what the checks said before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// The reviewer (the owner id of the signed-in user).
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub edits: Vec<FieldEdit>,
    pub status_before: JobStatus,
    pub status_after: JobStatus,
    /// The result's review reasons before the correction; the ones still standing after it
    /// are the result's `review_reasons`.
    pub review_reasons_before: Vec<String>,
}

/// One value a reviewer changed, by JSON pointer into the result's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEdit {
    pub pointer: String,
    /// `None` when the value was added.
    pub old: Option<Value>,
    /// `None` when the value was removed.
    pub new: Option<Value>,
}

impl JobResult {
    pub fn from_outcome(job: &JobRecord, extractor: &str, outcome: Outcome) -> JobResult {
        JobResult {
            job_id: job.job_id.clone(),
            document: job.document.clone(),
            spec: job.spec.clone(),
            status: outcome.status,
            data: outcome.data,
            fields: outcome.fields,
            confidence: outcome.confidence,
            review_reasons: outcome.review_reasons,
            report: None,
            error: None,
            extractor: extractor.to_string(),
            usage: outcome.usage,
            corrections: Vec::new(),
        }
    }

    /// The result of a job that failed before producing data.
    pub fn failed(job: &JobRecord, error: ErrorReport) -> JobResult {
        JobResult {
            job_id: job.job_id.clone(),
            document: job.document.clone(),
            spec: job.spec.clone(),
            status: JobStatus::Failed,
            data: Value::Object(Default::default()),
            fields: BTreeMap::new(),
            confidence: 0.0,
            review_reasons: Vec::new(),
            report: None,
            error: Some(error),
            extractor: String::new(),
            usage: None,
            corrections: Vec::new(),
        }
    }
}

/// The object keys of a job. Every key is built here from the job id, which docex
/// generates; nothing from a document's name or content becomes part of a key.
pub mod keys {
    pub fn input(job_id: &str) -> String {
        format!("input/{job_id}/document.pdf")
    }
    pub fn document(job_id: &str) -> String {
        format!("work/{job_id}/document.json")
    }
    pub fn chunk(job_id: &str, index: usize) -> String {
        format!("work/{job_id}/chunks/{index}.json")
    }
    /// The model usage of a chunk's failed attempts (each retry adds to it).
    pub fn spent(job_id: &str, index: usize) -> String {
        format!("work/{job_id}/chunks/{index}.spent.json")
    }
    /// The image of a page (PNG) for models that read page images.
    pub fn page_image(job_id: &str, page: u32) -> String {
        format!("work/{job_id}/pages/{page}.png")
    }
    pub fn result(job_id: &str) -> String {
        format!("output/{job_id}/result.json")
    }
    pub fn report(job_id: &str) -> String {
        format!("output/{job_id}/report.pdf")
    }

    /// The job whose upload `key` is (the inverse of [`input`]); `None` for any other key.
    pub fn job_of_input(key: &str) -> Option<&str> {
        let job_id = key.strip_prefix("input/")?.strip_suffix("/document.pdf")?;
        super::is_valid_job_id(job_id).then_some(job_id)
    }
}

/// Whether a string is acceptable as a job id: it becomes part of object keys and an
/// execution name (Step Functions allows 1–80 characters of `[A-Za-z0-9_-]`).
pub fn is_valid_job_id(id: &str) -> bool {
    (1..=80).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A failed job as it sits in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub job_id: String,
    /// The error name (`Docex.*` or `States.*`) and cause the workflow failed with.
    pub error: String,
    pub cause: String,
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_key_names_its_job_and_nothing_else_does() {
        assert_eq!(keys::job_of_input(&keys::input("3f2a-9")), Some("3f2a-9"));
        assert_eq!(keys::job_of_input("input/a/b/document.pdf"), None);
        assert_eq!(keys::job_of_input("input/../document.pdf"), None);
        assert_eq!(keys::job_of_input(&keys::report("3f2a-9")), None);
        assert_eq!(keys::job_of_input("input//document.pdf"), None);
    }
}
