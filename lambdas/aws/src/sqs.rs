//! SQS: the dead-letter queue of failed jobs.
//!
//! A message's body is the `docex_core::job::DeadLetter` as JSON (`job_id`, `error`,
//! `cause`, `at`) and its message attribute `job_id` (String) names the job, so an operator
//! or a redrive tool can pick messages without parsing bodies. On a FIFO queue (URL ending
//! in `.fifo`) the job id is the message group and the job id with the failure time the
//! deduplication id, so the same failure sent twice within five minutes is stored once; on
//! a standard queue a repeated send is a second message, which operators recognise by job
//! id (re-driving a job twice is harmless: its workflow run is keyed by job id).

use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;
use docex_core::job::DeadLetter;
use docex_core::{DeadLetterQueue, DocexError};

use crate::config;
use crate::error::from_sdk;

/// The message attribute that carries the job id.
pub const JOB_ID_ATTRIBUTE: &str = "job_id";

/// The dead-letter queue.
#[derive(Debug, Clone)]
pub struct SqsDeadLetterQueue {
    client: Client,
    queue_url: String,
}

impl SqsDeadLetterQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> SqsDeadLetterQueue {
        SqsDeadLetterQueue { client, queue_url: queue_url.into() }
    }

    /// On the queue named by `DOCEX_DEAD_LETTER_QUEUE_URL`.
    pub fn from_env(sdk: &SdkConfig) -> Result<SqsDeadLetterQueue, DocexError> {
        Ok(SqsDeadLetterQueue::new(Client::new(sdk), config::required(config::DEAD_LETTER_QUEUE_URL)?))
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    fn is_fifo(&self) -> bool {
        self.queue_url.ends_with(".fifo")
    }

    /// Up to `max` (1–10) failed jobs with the receipt handle that deletes each, waiting up
    /// to `wait` (at most 20 s) for the first. Received messages are hidden from other
    /// readers for the queue's visibility timeout. A message whose body is not a dead letter
    /// (sent by something else) is left in the queue and logged.
    pub async fn receive(&self, max: i32, wait: Duration) -> Result<Vec<(DeadLetter, String)>, DocexError> {
        if !(1..=10).contains(&max) {
            return Err(DocexError::InvalidInput(format!("SQS returns 1 to 10 messages at a time, not {max}")));
        }
        if wait > Duration::from_secs(20) {
            return Err(DocexError::InvalidInput(format!("SQS waits at most 20 s, not {} s", wait.as_secs())));
        }
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(max)
            .wait_time_seconds(wait.as_secs() as i32)
            .message_attribute_names(JOB_ID_ATTRIBUTE)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("SQS ReceiveMessage {}", self.queue_url), e))?;
        let mut received = Vec::new();
        for message in output.messages() {
            let (Some(body), Some(receipt)) = (message.body(), message.receipt_handle()) else { continue };
            match serde_json::from_str::<DeadLetter>(body) {
                Ok(dead_letter) => received.push((dead_letter, receipt.to_string())),
                Err(error) => tracing::warn!(
                    queue = %self.queue_url,
                    message_id = message.message_id().unwrap_or("?"),
                    %error,
                    "a message in the dead-letter queue is not a docex dead letter"
                ),
            }
        }
        Ok(received)
    }

    /// Removes a received message (after its job was re-driven or given up on).
    pub async fn delete(&self, receipt_handle: &str) -> Result<(), DocexError> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("SQS DeleteMessage {}", self.queue_url), e))?;
        Ok(())
    }
}

#[async_trait]
impl DeadLetterQueue for SqsDeadLetterQueue {
    async fn send(&self, message: &DeadLetter) -> Result<(), DocexError> {
        let body = serde_json::to_string(message).map_err(|e| {
            DocexError::InvalidInput(format!("the dead letter of job {} is not JSON: {e}", message.job_id))
        })?;
        let job_id = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(&message.job_id)
            .build()
            .map_err(|e| DocexError::InvalidInput(format!("building an SQS message attribute: {e}")))?;
        let mut request = self
            .client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_attributes(JOB_ID_ATTRIBUTE, job_id);
        if self.is_fifo() {
            request = request
                .message_group_id(&message.job_id)
                .message_deduplication_id(deduplication_id(&message.job_id, &message.at));
        }
        request
            .send()
            .await
            .map_err(|e| from_sdk(&format!("SQS SendMessage {} for job {}", self.queue_url, message.job_id), e))?;
        Ok(())
    }
}

/// `<job id>@<at>` with characters SQS does not allow replaced, at most 128 of them.
fn deduplication_id(job_id: &str, at: &str) -> String {
    format!("{job_id}@{at}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".contains(c) { c } else { '_' })
        .take(128)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplication_ids_stay_within_what_sqs_accepts() {
        assert_eq!(deduplication_id("job-1", "2026-01-01T00:00:00Z"), "job-1@2026-01-01T00:00:00Z");
        assert_eq!(deduplication_id("j ö", "t").as_str(), "j__@t");
        assert_eq!(deduplication_id(&"x".repeat(200), "t").len(), 128);
    }
}
