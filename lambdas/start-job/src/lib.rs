//! The starter: the intake queue delivers S3 "Object Created" events (through EventBridge)
//! in batches; each upload under `input/<job id>/document.pdf` starts the job's workflow
//! execution, named by the job id. A duplicate event finds the execution already started
//! and counts as done, so starts are idempotent. A message that cannot be started is
//! reported as a batch item failure: SQS delivers it again, and after the queue's
//! `maxReceiveCount` moves it to the intake dead-letter queue. How fast executions start is
//! bounded where it belongs, by the event source's maximum concurrency.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use docex_aws::sfn::{Start, Workflows};
use docex_core::job::keys;
use docex_core::{DocexError, JobStore};
use serde_json::{Value, json};

/// What became of one upload event.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Started(String),
    AlreadyStarted(String),
    /// Not an upload docex starts a job for (another key, another event type).
    Ignored(String),
}

/// Starts the jobs of a batch and reports the messages that failed.
pub async fn start_batch(event: SqsEvent, jobs: &dyn JobStore, workflows: &Workflows) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.clone().unwrap_or_default();
        match start_one(record.body.as_deref().unwrap_or_default(), jobs, workflows).await {
            Ok(outcome) => tracing::info!(message_id, ?outcome, "upload event handled"),
            Err(error) => {
                tracing::error!(message_id, error = %error, error_name = docex_core::ErrorName::name(&error), "cannot start the job");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message_id;
                response.batch_item_failures.push(failure);
            }
        }
    }
    response
}

/// Starts the job of one upload event (the EventBridge event as the queue holds it).
pub async fn start_one(body: &str, jobs: &dyn JobStore, workflows: &Workflows) -> Result<Outcome, DocexError> {
    let event: Value = serde_json::from_str(body)
        .map_err(|e| DocexError::InvalidInput(format!("the queue message is not an event: {e}")))?;
    let key = event.pointer("/detail/object/key").and_then(Value::as_str).unwrap_or_default();
    let Some(job_id) = keys::job_of_input(key) else {
        return Ok(Outcome::Ignored(key.to_string()));
    };
    let job = jobs
        .get(job_id)
        .await?
        .ok_or_else(|| DocexError::InvalidInput(format!("an upload for job {job_id}, which has no job record")))?;
    let input = json!({"job_id": job.job_id, "spec": job.spec, "template": job.template});
    Ok(match workflows.start(&job.job_id, &input).await? {
        Start::Started { .. } => Outcome::Started(job.job_id),
        Start::AlreadyStarted { .. } => Outcome::AlreadyStarted(job.job_id),
    })
}
