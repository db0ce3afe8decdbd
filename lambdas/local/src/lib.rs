//! docex on one machine, with no AWS account: the embedded adapters (blobs as files; jobs,
//! results, executions and the dead-letter queue in SQLite), the workflow definition run by
//! the local ASL engine with every task bound in process, and the `docex` command.
//!
//! Entry points: [`workflow::LocalWorkflow`] runs jobs; `src/main.rs` is the command line.

pub mod bench;
pub mod blobs;
pub mod bus;
pub mod catalog;
pub mod commands;
pub mod cost;
pub mod datadir;
pub mod devset;
pub mod eval;
pub mod lambda_init;
pub mod load;
pub mod queries;
pub mod queue;
pub mod reviews;
pub mod serve;
pub mod sqlite;
pub mod statemachine;
pub mod timeline;
pub mod workflow;

use std::sync::Arc;

use docex_core::{DocexError, Extractor};
use docex_render::{ReportDate, TypstRenderer};

use crate::blobs::FileBlobStore;
use crate::catalog::{LocalSpecs, LocalTemplates};
use crate::datadir::DataDir;
use crate::sqlite::SqliteStore;
use crate::workflow::{Adapters, Faults, LocalWorkflow};
use docex_pdf::PdfReader;

/// Environment variable naming task faults to inject (see [`Faults::parse`]).
pub const FAULTS_ENV: &str = "DOCEX_FAULTS";

/// The embedded adapters over a data directory, with the offline extractor.
pub fn embedded_adapters(data: &DataDir) -> Result<Adapters, DocexError> {
    let today = chrono::Utc::now().date_naive();
    let date = ReportDate::parse(&today.format("%Y-%m-%d").to_string())
        .ok_or_else(|| DocexError::InvalidInput("the system date is out of range".into()))?;
    Ok(Adapters {
        blobs: Arc::new(FileBlobStore::new(data.blobs())),
        store: Arc::new(SqliteStore::open(&data.database())?),
        specs: Arc::new(LocalSpecs::new(data.specs())),
        templates: Arc::new(LocalTemplates::new(TypstRenderer::new(date).with_template_dir(data.templates()))),
        reader: Arc::new(PdfReader::default()),
        extractor: Arc::new(docex_offline::OfflineExtractor::new()),
        events: Arc::new(crate::bus::LocalBus::default()),
    })
}

/// The local workflow over a data directory, with faults from the environment if any.
pub fn embedded_workflow(data: &DataDir) -> Result<LocalWorkflow, DocexError> {
    let faults = Faults::parse(&std::env::var(FAULTS_ENV).unwrap_or_default())?;
    LocalWorkflow::new(embedded_adapters(data)?, faults)
}

/// The local workflow with another extractor in place of the offline one (a model
/// provider, see `docex_agent::extractor_for`).
pub fn embedded_workflow_with(data: &DataDir, extractor: Box<dyn Extractor>) -> Result<LocalWorkflow, DocexError> {
    let faults = Faults::parse(&std::env::var(FAULTS_ENV).unwrap_or_default())?;
    let mut adapters = embedded_adapters(data)?;
    adapters.extractor = Arc::from(extractor);
    LocalWorkflow::new(adapters, faults)
}
