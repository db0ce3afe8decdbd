//! EventBridge: job status changes announced on a bus.
//!
//! Every change of a job's status is one event with `source` `docex`, `detail-type`
//! `Job Status Changed`, the time of the change as the event's `time`, and the
//! `docex_core::job::JobEvent` as `detail`:
//!
//! ```json
//! {
//!   "version": "0",
//!   "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
//!   "detail-type": "Job Status Changed",
//!   "source": "docex",
//!   "account": "123456789012",
//!   "time": "2026-03-01T10:15:30Z",
//!   "region": "eu-west-1",
//!   "resources": [],
//!   "detail": {
//!     "job_id": "01HZX3K2V8",
//!     "owner": "6c1f0b2e-user-sub",
//!     "status": "FAILED",
//!     "error": { "name": "Docex.NotPdf", "message": "the file is not a PDF: a PNG image" },
//!     "confidence": null,
//!     "at": "2026-03-01T10:15:30.120Z"
//!   }
//! }
//! ```
//!
//! `status` is one of `QUEUED`, `RUNNING`, `SUCCEEDED`, `NEEDS_REVIEW`, `FAILED`. Rules match
//! on `{"source": ["docex"], "detail-type": ["Job Status Changed"]}`; delivery is
//! at-least-once and unordered, so listeners order by `detail.at` and ignore repeats.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_smithy_types::DateTime;
use docex_core::job::JobEvent;
use docex_core::{DocexError, EventBus};

use crate::config;
use crate::error::{classify, from_sdk};

/// The job event bus.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: impl Into<String>) -> EventBridgeBus {
        EventBridgeBus { client, bus_name: bus_name.into() }
    }

    /// On the bus named by `DOCEX_EVENT_BUS`, `default` when unset.
    pub fn from_env(sdk: &SdkConfig) -> EventBridgeBus {
        let bus = config::optional(config::EVENT_BUS).unwrap_or_else(|| "default".to_string());
        EventBridgeBus::new(Client::new(sdk), bus)
    }

    pub fn bus_name(&self) -> &str {
        &self.bus_name
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, event: &JobEvent) -> Result<(), DocexError> {
        let detail = serde_json::to_string(event)
            .map_err(|e| DocexError::InvalidInput(format!("the event of job {} is not JSON: {e}", event.job_id)))?;
        let mut entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(JobEvent::SOURCE)
            .detail_type(JobEvent::DETAIL_TYPE)
            .detail(detail);
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&event.at) {
            entry = entry.time(DateTime::from_millis(at.timestamp_millis()));
        }
        let what = format!("EventBridge PutEvents {} for job {}", self.bus_name, event.job_id);
        let output = self.client.put_events().entries(entry.build()).send().await.map_err(|e| from_sdk(&what, e))?;
        if output.failed_entry_count() > 0 {
            let failed = output.entries().iter().find(|e| e.error_code().is_some());
            let code = failed.and_then(|e| e.error_code());
            let message = failed.and_then(|e| e.error_message()).unwrap_or("no message");
            return Err(classify(code, &format!("{what}: the entry failed: {} {message}", code.unwrap_or("?"))));
        }
        Ok(())
    }
}
