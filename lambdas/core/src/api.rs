//! The ports the REST API needs beyond the workflow's: short-lived URLs for browsers, a
//! user's jobs page by page with their status history, re-driving a failed workflow, what
//! follows a reviewer's correction of a result, and the names of the specs and templates a
//! user can pick. The API is written against these
//! traits only, so the same routes run in the API Lambda (S3, DynamoDB, Step Functions) and
//! in `docex serve` (files, SQLite, the local engine).

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::DocexError;
use crate::job::{JobRecord, StatusUpdate};
use crate::outcome::JobStatus;
use crate::ports::JobStore;

/// The most jobs one page of [`JobQueries::jobs_of`] holds.
pub const MAX_PAGE_SIZE: usize = 100;

/// The shipped report templates (`templates/<name>.typ`; `common.typ` is styling the others
/// import, not a report). A template of the same name in the templates bucket or the data
/// directory takes precedence.
pub const BUILTIN_TEMPLATE_NAMES: &[&str] = &["invoice", "receipt", "contract", "generic"];

/// The template a job of `spec` gets when the caller names none: the spec's own when there
/// is one among `templates`, else the generic report.
pub fn default_template(spec: &str, templates: &[String]) -> String {
    if templates.iter().any(|t| t == spec) { spec.to_string() } else { "generic".to_string() }
}

/// A request a browser can make without credentials, valid until `expires_at`: the URL,
/// the method, and the headers it must send exactly as given (they may be signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRequest {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    /// RFC 3339.
    pub expires_at: String,
}

/// Short-lived URLs scoped to one object key (presigned S3 requests on AWS, signed local
/// URLs in the embedded mode). Keys are docex's own (see [`crate::job::keys`]).
#[async_trait]
pub trait SignedUrls: Send + Sync {
    /// A `PUT` of one object under `key` with `content_type`, valid for `expires`.
    async fn upload_url(&self, key: &str, content_type: &str, expires: Duration) -> Result<SignedRequest, DocexError>;
    /// A `GET` of the object under `key`, valid for `expires`; with `filename` the browser
    /// is asked to save it under that name.
    async fn download_url(
        &self,
        key: &str,
        expires: Duration,
        filename: Option<&str>,
    ) -> Result<SignedRequest, DocexError>;
}

/// One page of a user's jobs, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPage {
    pub jobs: Vec<JobRecord>,
    /// Pass it back to get the next page; `None` on the last page. Opaque, and valid only
    /// for the owner it was given to.
    pub next_page_token: Option<String>,
}

/// The job store as users see it: their own jobs, page by page, and a job's history.
#[async_trait]
pub trait JobQueries: JobStore {
    /// The jobs of `owner`, newest first, at most `limit` (1 to [`MAX_PAGE_SIZE`]) per page,
    /// only those with `status` when given. A filtered page may hold fewer jobs than
    /// `limit` and still have a next page. A token that is not one of this owner's is
    /// `Docex.InvalidInput`.
    async fn jobs_of(
        &self,
        owner: &str,
        status: Option<JobStatus>,
        limit: usize,
        page_token: Option<&str>,
    ) -> Result<JobPage, DocexError>;
    /// The statuses the job went through, oldest first.
    async fn status_history(&self, job_id: &str) -> Result<Vec<StatusUpdate>, DocexError>;
}

/// Control of running workflows.
#[async_trait]
pub trait WorkflowControl: Send + Sync {
    /// Re-drives the failed workflow of `job_id` from the state that failed; returns when
    /// the re-drive was accepted (RFC 3339). A workflow that cannot be re-driven is
    /// `Docex.InvalidInput` with the reason.
    async fn redrive_job(&self, job_id: &str) -> Result<String, DocexError>;

    /// How each top-level state of the job's execution fared (its last run), in the order
    /// the states were first entered; empty when the job has no execution yet.
    async fn state_runs(&self, job_id: &str) -> Result<Vec<StateRun>, DocexError>;
}

/// How a top-level state of a workflow fared in its last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRun {
    pub name: String,
    pub status: StateRunStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateRunStatus {
    /// Entered and not left yet.
    Running,
    Succeeded,
    /// It failed and a `Catch` led the execution on to another state.
    Caught,
    /// The execution ended in it, failed (or it is a `Fail` state).
    Failed,
}

/// The [`StateRun`]s of an execution from its history events in order, each given as its
/// Step Functions event type (`TaskStateEntered`, `MapStateStarted`, `ExecutionFailed`, …)
/// and, for `*StateEntered` and `*StateExited` events, the state's name. Events inside Map
/// iterations and Parallel branches (between `MapStateStarted` and the Map state's end) are
/// not top-level and are skipped. A re-driven execution enters states again: the last run
/// counts.
pub fn state_runs<'a>(events: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Vec<StateRun> {
    let mut runs: Vec<StateRun> = Vec::new();
    // The state entered and not left yet, and whether its last attempt failed (a state
    // whose failure a Catch handles is left too, after the failure).
    let mut open: Option<(usize, bool)> = None;
    let mut depth = 0usize;
    for (event_type, name) in events {
        match event_type {
            "MapStateStarted" | "ParallelStateStarted" => depth += 1,
            "MapStateSucceeded" | "MapStateAborted" | "ParallelStateSucceeded" | "ParallelStateAborted" => {
                depth = depth.saturating_sub(1)
            }
            "MapStateFailed" | "ParallelStateFailed" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    open = open.map(|(index, _)| (index, true));
                }
            }
            _ if depth > 0 => {}
            "TaskFailed"
            | "TaskTimedOut"
            | "TaskStartFailed"
            | "TaskSubmitFailed"
            | "LambdaFunctionFailed"
            | "LambdaFunctionTimedOut"
            | "LambdaFunctionStartFailed" => open = open.map(|(index, _)| (index, true)),
            "TaskSucceeded" | "LambdaFunctionSucceeded" => open = open.map(|(index, _)| (index, false)),
            "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                if let Some((index, _)) = open.take() {
                    runs[index].status = StateRunStatus::Failed;
                }
            }
            entered if entered.ends_with("StateEntered") => {
                let Some(name) = name else { continue };
                if let Some((index, _)) = open.take() {
                    runs[index].status = StateRunStatus::Caught;
                }
                let status =
                    if entered == "FailStateEntered" { StateRunStatus::Failed } else { StateRunStatus::Running };
                let index = match runs.iter().position(|run| run.name == name) {
                    Some(index) => index,
                    None => {
                        runs.push(StateRun { name: name.to_string(), status });
                        runs.len() - 1
                    }
                };
                runs[index].status = status;
                open = (status == StateRunStatus::Running).then_some((index, false));
            }
            exited if exited.ends_with("StateExited") => {
                if let Some((index, failed)) = open.take() {
                    runs[index].status = if failed { StateRunStatus::Caught } else { StateRunStatus::Succeeded };
                }
            }
            _ => {}
        }
    }
    runs
}

/// Whether the report of a corrected result is rendered already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportState {
    /// The report in the output store shows the corrected result.
    Ready,
    /// The report is being rendered again; until then the old one is served.
    Pending,
}

/// What follows a reviewer's correction of a finished job. When it is called, the corrected
/// result is written (`result.json`) and the job's new status recorded; an implementation
/// stores the result in the result store, renders the report again from it, and announces
/// `update` to the job's listeners. Running it twice for one correction is harmless.
#[async_trait]
pub trait Corrections: Send + Sync {
    async fn result_corrected(&self, job: &JobRecord, update: &StatusUpdate) -> Result<ReportState, DocexError>;
}

/// What a user can choose from.
#[async_trait]
pub trait Catalog: Send + Sync {
    /// The names of the specs, sorted, without duplicates.
    async fn spec_names(&self) -> Result<Vec<String>, DocexError>;
    /// The names of the report templates, sorted, without duplicates.
    async fn template_names(&self) -> Result<Vec<String>, DocexError>;
}

#[cfg(test)]
mod tests {
    use super::{StateRun, StateRunStatus, state_runs};

    fn runs(events: &[(&'static str, Option<&'static str>)]) -> Vec<(String, StateRunStatus)> {
        state_runs(events.iter().copied()).into_iter().map(|StateRun { name, status }| (name, status)).collect()
    }

    #[test]
    fn state_runs_follow_the_top_level_states() {
        use StateRunStatus::*;
        let ok = runs(&[
            ("ExecutionStarted", None),
            ("TaskStateEntered", Some("Prepare")),
            ("TaskScheduled", None),
            ("TaskSucceeded", None),
            ("TaskStateExited", Some("Prepare")),
            ("MapStateEntered", Some("ExtractChunks")),
            ("MapStateStarted", None),
            ("MapIterationStarted", None),
            ("TaskStateEntered", Some("ExtractChunk")),
            ("TaskFailed", None),
            ("MapIterationFailed", None),
            ("MapStateFailed", None),
            ("TaskStateEntered", Some("RecordFailure")),
        ]);
        assert_eq!(
            ok,
            [("Prepare".into(), Succeeded), ("ExtractChunks".into(), Caught), ("RecordFailure".into(), Running)]
        );
        let failed = runs(&[
            ("TaskStateEntered", Some("Prepare")),
            ("TaskFailed", None),
            ("ExecutionFailed", None),
            ("ExecutionRedriven", None),
            ("TaskStateEntered", Some("Prepare")),
            ("TaskStateExited", Some("Prepare")),
            ("FailStateEntered", Some("JobFailed")),
        ]);
        assert_eq!(failed, [("Prepare".into(), Succeeded), ("JobFailed".into(), Failed)]);
        let ended = runs(&[("TaskStateEntered", Some("Prepare")), ("ExecutionFailed", None)]);
        assert_eq!(ended, [("Prepare".into(), Failed)]);
        // A caught failure leaves the state (after the failure); a retried one that then
        // succeeds is a success.
        let caught = runs(&[
            ("TaskStateEntered", Some("StoreResult")),
            ("TaskFailed", None),
            ("TaskScheduled", None),
            ("TaskSucceeded", None),
            ("TaskStateExited", Some("StoreResult")),
            ("TaskStateEntered", Some("RenderReport")),
            ("TaskFailed", None),
            ("TaskStateExited", Some("RenderReport")),
            ("TaskStateEntered", Some("RecordFailure")),
        ]);
        assert_eq!(
            caught,
            [("StoreResult".into(), Succeeded), ("RenderReport".into(), Caught), ("RecordFailure".into(), Running)]
        );
    }

    use super::*;

    #[test]
    fn the_builtin_template_names_are_the_template_files() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
        let mut files: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".typ").map(String::from))
            .filter(|name| name != "common")
            .collect();
        files.sort();
        let mut names: Vec<String> = BUILTIN_TEMPLATE_NAMES.iter().map(|n| n.to_string()).collect();
        names.sort();
        assert_eq!(names, files);
    }

    #[test]
    fn a_spec_gets_its_own_template_or_the_generic_one() {
        let templates: Vec<String> = ["generic", "invoice"].iter().map(|t| t.to_string()).collect();
        assert_eq!(default_template("invoice", &templates), "invoice");
        assert_eq!(default_template("purchase_order", &templates), "generic");
    }
}
