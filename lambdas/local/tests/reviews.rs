//! Corrections over the embedded adapters: a real invoice run through the local workflow,
//! its result corrected, and `LocalCorrections` storing the corrected result in SQLite,
//! rendering a report that shows the corrected value, and announcing the status on the bus.

use std::path::Path;

use docex_core::api::{Corrections, ReportState};
use docex_core::job::keys;
use docex_core::{BlobStore, DocumentReader, JobResult, JobStatus, JobStore, ResultStore, StatusUpdate};
use docex_local::commands::process_file;
use docex_local::datadir::DataDir;
use docex_local::embedded_adapters;
use docex_local::reviews::LocalCorrections;
use docex_local::workflow::{Faults, LocalWorkflow};
use serde_json::json;

fn report_text(bytes: &[u8]) -> String {
    docex_pdf::PdfReader::default().read(bytes).expect("the report is a PDF docex can read").text()
}

#[tokio::test]
async fn a_corrected_result_is_stored_rendered_and_announced_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let workflow = LocalWorkflow::new(embedded_adapters(&data).unwrap(), Faults::default()).unwrap();
    let invoice = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/documents/invoice2data__AmazonWebServices.pdf");
    let result = process_file(&workflow, &invoice, "invoice", "invoice").await;
    assert!(result.error.is_none(), "{:?}", result.error);
    let adapters = workflow.adapters();
    let job = JobStore::get(&*adapters.store, &result.job_id).await.unwrap().expect("the job is recorded");
    let first_report = adapters.blobs.get(&keys::report(&job.job_id)).await.unwrap().expect("a report");
    assert!(!report_text(&first_report).contains("Corrected Vendor"));

    // What the API writes before it calls the port: the corrected result.json and status.
    let mut corrected: JobResult = result.clone();
    corrected.data["vendor_name"] = json!("Corrected Vendor Ltd");
    corrected.status = JobStatus::Succeeded;
    let bytes = serde_json::to_vec(&corrected).unwrap();
    adapters.blobs.put(&keys::result(&job.job_id), bytes).await.unwrap();
    let update = StatusUpdate {
        job_id: job.job_id.clone(),
        status: JobStatus::Succeeded,
        error: None,
        confidence: Some(corrected.confidence),
        at: docex_tasks::now(),
    };
    adapters.store.set_status(&update).await.unwrap();
    let mut announced = adapters.events.subscribe();

    let corrections = LocalCorrections::new(adapters);
    assert_eq!(corrections.result_corrected(&job, &update).await.unwrap(), ReportState::Ready);

    let stored = ResultStore::get(&*adapters.store, &job.job_id).await.unwrap().expect("the stored result");
    assert_eq!(stored.data["vendor_name"], "Corrected Vendor Ltd");
    let report = adapters.blobs.get(&keys::report(&job.job_id)).await.unwrap().unwrap();
    assert!(report_text(&report).contains("Corrected Vendor"), "the new report shows the corrected value");
    let event = announced.try_recv().expect("the status was announced");
    assert_eq!(
        (event.job_id.as_str(), event.status, event.owner.as_str()),
        (job.job_id.as_str(), JobStatus::Succeeded, job.owner.as_str())
    );

    // Safe to run again: one stored result, the same report text.
    corrections.result_corrected(&job, &update).await.unwrap();
    let again = adapters.blobs.get(&keys::report(&job.job_id)).await.unwrap().unwrap();
    assert_eq!(report_text(&again), report_text(&report));
}
