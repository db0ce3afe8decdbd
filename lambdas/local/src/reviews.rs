//! Corrections on one machine: after a reviewer corrected a job's result (`PATCH
//! /jobs/{id}/fields` of `docex serve`), the workflow's own StoreResult and RenderReport
//! tasks store the corrected result in SQLite and render the report again, in process, and
//! the new status goes out on the in-process bus. The new report is ready when the API
//! answers.

use async_trait::async_trait;
use docex_core::api::{Corrections, ReportState};
use docex_core::{DocexError, JobEvent, JobRecord, StatusUpdate};
use docex_tasks::{JobInput, Ports};

use crate::workflow::Adapters;

/// [`Corrections`] over the embedded adapters.
pub struct LocalCorrections {
    ports: Ports,
}

impl LocalCorrections {
    pub fn new(adapters: &Adapters) -> LocalCorrections {
        LocalCorrections { ports: adapters.ports() }
    }
}

#[async_trait]
impl Corrections for LocalCorrections {
    async fn result_corrected(&self, job: &JobRecord, update: &StatusUpdate) -> Result<ReportState, DocexError> {
        let input = JobInput { job_id: job.job_id.clone(), spec: job.spec.clone(), template: job.template.clone() };
        let ports = &self.ports;
        docex_tasks::store(&input, &*ports.blobs, &*ports.specs, &*ports.results).await?;
        docex_tasks::render(&input, &*ports.blobs, &*ports.renderer).await?;
        ports.events.publish(&JobEvent::new(&job.owner, update)).await?;
        Ok(ReportState::Ready)
    }
}
