//! Ports: the small traits that adapters implement, so the same task code runs with AWS
//! adapters in a Lambda and with embedded adapters (files, SQLite) on one machine.

use async_trait::async_trait;
use serde_json::Value;

use crate::document::Document;
use crate::error::DocexError;
use crate::job::{JobRecord, JobResult};
use crate::outcome::JobStatus;
use crate::result::{Extraction, Usage};
use crate::spec::Spec;

/// An extraction that failed, with the model usage spent on it before it failed (the calls
/// made before a throttled one, or before the turns ran out), so no token goes unaccounted.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedExtraction {
    pub error: DocexError,
    pub spent: Option<Usage>,
}

/// Reads a document and fills a spec: the offline extractor, or an LLM.
#[async_trait]
pub trait Extractor: Send + Sync {
    /// A short name for logs and results (`offline`, `bedrock`, ...).
    fn name(&self) -> &str;
    async fn extract(&self, document: &Document, spec: &Spec) -> Result<Extraction, DocexError>;

    /// Like [`Extractor::extract`], but a failure also says what it had spent. Extractors
    /// that pay for model calls override it; the default spends nothing.
    async fn extract_accounted(&self, document: &Document, spec: &Spec) -> Result<Extraction, FailedExtraction> {
        self.extract(document, spec).await.map_err(|error| FailedExtraction { error, spent: None })
    }
}

/// Turns a result (the JSON object a template reads as `data.json`) into a report PDF.
pub trait Renderer: Send + Sync {
    fn render(&self, template: &str, data: &Value) -> Result<Vec<u8>, DocexError>;
}

/// Objects by key: uploaded documents, intermediate results, reports.
/// Keys are produced by docex (see [`crate::job::keys`]), never taken from a document.
#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocexError>;
    /// `Ok(None)` when there is no object under `key`.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocexError>;
}

/// Job records and their status.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Creates the job; `Ok(false)` if a job with that id already exists (starts are
    /// idempotent).
    async fn create(&self, job: &JobRecord) -> Result<bool, DocexError>;
    async fn get(&self, job_id: &str) -> Result<Option<JobRecord>, DocexError>;
    /// Records a new status (and the error of a failed job, the confidence of a finished one).
    async fn set_status(&self, update: &crate::job::StatusUpdate) -> Result<(), DocexError>;
    async fn list(&self, status: Option<JobStatus>) -> Result<Vec<JobRecord>, DocexError>;
}

/// Structured results, one per job; writing the same job again replaces it (idempotent).
#[async_trait]
pub trait ResultStore: Send + Sync {
    async fn upsert(&self, spec: &Spec, result: &JobResult) -> Result<(), DocexError>;
    async fn get(&self, job_id: &str) -> Result<Option<JobResult>, DocexError>;
}

/// Turns uploaded bytes into a [`Document`] (the PDF reader, with its limits and OCR).
pub trait DocumentReader: Send + Sync {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocexError>;

    /// Renders pages as PNG images for models that read them: for each `(page number,
    /// pixels of the longer side)`, the page number with the PNG bytes or why there are
    /// none. A reader that cannot render pages gives nothing (the default).
    fn render_pages(&self, bytes: &[u8], pages: &[(u32, u32)]) -> Vec<(u32, Result<Vec<u8>, String>)> {
        let _ = (bytes, pages);
        Vec::new()
    }
}

/// Where specs come from (the specs bucket, or the data directory and the shipped specs).
#[async_trait]
pub trait SpecStore: Send + Sync {
    async fn spec(&self, name: &str) -> Result<Spec, DocexError>;
}

/// Where status changes are announced (EventBridge on AWS, an in-process bus on one
/// machine). Publishing is at-least-once: listeners must ignore an event they have seen.
#[async_trait]
pub trait EventBus: Send + Sync {
    async fn publish(&self, event: &crate::job::JobEvent) -> Result<(), DocexError>;
}

/// Failed jobs waiting for an operator.
#[async_trait]
pub trait DeadLetterQueue: Send + Sync {
    /// Sends a failed job; sending the same job again replaces its entry.
    async fn send(&self, message: &crate::job::DeadLetter) -> Result<(), DocexError>;
}
