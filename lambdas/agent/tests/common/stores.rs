//! The ports the workflow's tasks use, held in memory: blobs in a map, the shipped specs, one
//! job record, and an event bus that keeps what it was sent. Enough to run Prepare,
//! Extract, Merge and RecordFailure in a test.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use docex_core::{BlobStore, DocexError, JobEvent, JobRecord, JobStatus, JobStore, Spec, SpecStore, StatusUpdate};
use serde::de::DeserializeOwned;

#[derive(Default)]
pub struct Blobs(Mutex<HashMap<String, Vec<u8>>>);

#[async_trait]
impl BlobStore for Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocexError> {
        self.0.lock().unwrap().insert(key.to_string(), bytes);
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocexError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
}

impl Blobs {
    /// The JSON object under `key`, decoded; panics when there is none.
    pub fn json<T: DeserializeOwned>(&self, key: &str) -> T {
        let bytes = self.0.lock().unwrap().get(key).cloned().unwrap_or_else(|| panic!("no object {key}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{key}: {e}"))
    }

    /// Stores `value` as JSON under `key`.
    pub fn put_json<T: serde::Serialize>(&self, key: &str, value: &T) {
        self.0.lock().unwrap().insert(key.to_string(), serde_json::to_vec(value).unwrap());
    }
}

/// The specs shipped with docex.
pub struct Specs;

#[async_trait]
impl SpecStore for Specs {
    async fn spec(&self, name: &str) -> Result<Spec, DocexError> {
        let text = docex_core::builtin::builtin_spec(name).ok_or_else(|| DocexError::SpecNotFound(name.into()))?;
        Spec::from_json(name, text)
    }
}

/// A running job of the invoice spec, owned by user `u`.
pub fn running_invoice_job(job_id: &str) -> JobRecord {
    JobRecord {
        job_id: job_id.into(),
        owner: "u".into(),
        document: "invoice.pdf".into(),
        spec: "invoice".into(),
        template: "invoice".into(),
        status: JobStatus::Running,
        error: None,
        confidence: None,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

/// Job records by id.
#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, JobRecord>>);

impl Jobs {
    /// A store holding one running job of the invoice spec.
    pub fn with(job_id: &str) -> Jobs {
        Jobs(Mutex::new(HashMap::from([(job_id.to_string(), running_invoice_job(job_id))])))
    }
}

#[async_trait]
impl JobStore for Jobs {
    async fn create(&self, job: &JobRecord) -> Result<bool, DocexError> {
        let mut jobs = self.0.lock().unwrap();
        if jobs.contains_key(&job.job_id) {
            return Ok(false);
        }
        jobs.insert(job.job_id.clone(), job.clone());
        Ok(true)
    }
    async fn get(&self, job_id: &str) -> Result<Option<JobRecord>, DocexError> {
        Ok(self.0.lock().unwrap().get(job_id).cloned())
    }
    async fn set_status(&self, update: &StatusUpdate) -> Result<(), DocexError> {
        if let Some(job) = self.0.lock().unwrap().get_mut(&update.job_id) {
            job.status = update.status;
            job.error = update.error.clone();
            job.confidence = update.confidence;
        }
        Ok(())
    }
    async fn list(&self, status: Option<JobStatus>) -> Result<Vec<JobRecord>, DocexError> {
        Ok(self.0.lock().unwrap().values().filter(|j| status.is_none_or(|s| j.status == s)).cloned().collect())
    }
}

/// An event bus that keeps every event.
#[derive(Default)]
pub struct Events(pub Mutex<Vec<JobEvent>>);

#[async_trait]
impl docex_core::EventBus for Events {
    async fn publish(&self, event: &JobEvent) -> Result<(), DocexError> {
        self.0.lock().unwrap().push(event.clone());
        Ok(())
    }
}
