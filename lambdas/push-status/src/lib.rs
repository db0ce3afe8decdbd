//! The status fan-out. EventBridge delivers two kinds of events here:
//!
//! - docex's own `Job Status Changed` events (source `docex`, see `docex_aws::events`),
//!   published by the workflow's tasks: pushed to the job owner's WebSocket connections;
//! - Step Functions' `Step Functions Execution Status Change` events (source `aws.states`):
//!   an execution that ended `FAILED`, `TIMED_OUT` or `ABORTED` without reaching docex's
//!   failure path (an operator stopped it, the execution timed out) is recorded as a failed
//!   job here, then pushed like any status change. Other execution statuses are already
//!   told by docex's events and are ignored.
//!
//! - Lambda's `Lambda Function Invocation Result - Success` records (source `lambda`) of
//!   render-report runs after a reviewer's correction (an on-success destination of the
//!   function, see `terraform/corrections.tf`): the job's current status is pushed again, so
//!   an open job page learns that the corrected report is ready and fetches it.
//!
//! Both writes are idempotent: the job store ignores an update older than what it holds, so
//! a replayed or late event changes nothing, and a socket that is gone is forgotten.

use chrono::{DateTime, SecondsFormat, Utc};
use docex_aws::websocket::Connections;
use docex_core::error::ErrorReport;
use docex_core::{DocexError, JobEvent, JobStatus, JobStore, StatusUpdate};
use serde_json::Value;

/// What the fan-out did with one event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pushed {
    pub job_id: Option<String>,
    /// WebSocket connections the event reached.
    pub delivered: usize,
}

/// Handles one EventBridge event.
pub async fn handle(event: &Value, jobs: &dyn JobStore, connections: &Connections) -> Result<Pushed, DocexError> {
    let job_event = match event.get("source").and_then(Value::as_str) {
        Some(JobEvent::SOURCE) => Some(
            serde_json::from_value::<JobEvent>(event.get("detail").cloned().unwrap_or_default())
                .map_err(|e| DocexError::InvalidInput(format!("a docex event without a job event: {e}")))?,
        ),
        Some("aws.states") => execution_ended(event, jobs).await?,
        Some(INVOCATION_RESULT_SOURCE) => report_rendered(event, jobs).await?,
        _ => None,
    };
    let Some(job_event) = job_event else {
        return Ok(Pushed { job_id: None, delivered: 0 });
    };
    let delivered = connections.send_to_owner(&job_event.owner, &job_event).await?;
    Ok(Pushed { job_id: Some(job_event.job_id), delivered })
}

/// The source of the records Lambda sends to an EventBridge destination.
pub const INVOCATION_RESULT_SOURCE: &str = "lambda";

/// The job whose report a successful render-report invocation rendered again (its input is
/// the task input `{job_id, spec, template}`), announced with its current status.
async fn report_rendered(event: &Value, jobs: &dyn JobStore) -> Result<Option<JobEvent>, DocexError> {
    let Some(job_id) = event.pointer("/detail/requestPayload/job_id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let Some(job) = jobs.get(job_id).await? else {
        tracing::warn!(job_id, "a report was rendered for a job that has no record");
        return Ok(None);
    };
    let update = StatusUpdate {
        job_id: job.job_id,
        status: job.status,
        error: job.error,
        confidence: job.confidence,
        at: job.updated_at,
    };
    Ok(Some(JobEvent::new(&job.owner, &update)))
}

/// Records an execution that ended unsuccessfully as a failed job, and the event to push.
async fn execution_ended(event: &Value, jobs: &dyn JobStore) -> Result<Option<JobEvent>, DocexError> {
    let detail = event.get("detail").cloned().unwrap_or_default();
    let text = |key: &str| detail.get(key).and_then(Value::as_str).map(String::from);
    let status = text("status").unwrap_or_default();
    let default_error = match status.as_str() {
        "FAILED" => "States.Failed",
        "TIMED_OUT" => "States.Timeout",
        "ABORTED" => "States.Aborted",
        _ => return Ok(None),
    };
    // The execution name is the job id.
    let Some(job_id) = text("name") else { return Ok(None) };
    let Some(job) = jobs.get(&job_id).await? else {
        tracing::warn!(job_id, "an execution ended for a job that has no record");
        return Ok(None);
    };
    let error = ErrorReport {
        name: text("error").unwrap_or_else(|| default_error.to_string()),
        message: text("cause")
            .map(|cause| docex_core::error::readable_cause(&cause))
            .unwrap_or_else(|| format!("the execution ended {status}")),
    };
    let at = detail
        .get("stopDate")
        .and_then(Value::as_i64)
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(Utc::now)
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    let update = StatusUpdate { job_id, status: JobStatus::Failed, error: Some(error), confidence: None, at };
    jobs.set_status(&update).await?;
    Ok(Some(JobEvent::new(&job.owner, &update)))
}
