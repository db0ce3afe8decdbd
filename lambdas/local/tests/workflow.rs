//! The docex workflow definition run by the local engine over the embedded adapters in a
//! temporary data directory: retries, the failure path and its dead-letter queue, re-drive
//! after a failure and after a killed process, and duplicate jobs. Every claim is checked
//! against the saved execution history and the stores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use docex_asl::{EventType, ExecutionStatus, HistoryEvent, ManualClock};
use docex_core::job::keys;
use docex_core::{BlobStore, JobResult, JobStatus};
use docex_local::commands::process_file;
use docex_local::datadir::DataDir;
use docex_local::embedded_adapters;
use docex_local::workflow::{Faults, LocalWorkflow};
use docex_tasks::JobInput;

/// A real invoice the offline extractor reads in full (one chunk of pages).
const INVOICE: &str = "invoice2data__AmazonWebServices.pdf";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents").join(name)
}

/// A temporary data directory; workflows opened over it share its stores, as processes do.
struct Harness {
    _dir: tempfile::TempDir,
    data: DataDir,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let data = DataDir::open(dir.path().join("data")).expect("the data directory opens");
        Harness { _dir: dir, data }
    }

    /// A workflow whose clock never really sleeps but records every sleep.
    fn workflow(&self, faults: &str) -> (LocalWorkflow, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::instant(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()));
        (self.workflow_with(faults, clock.clone()), clock)
    }

    fn workflow_with(&self, faults: &str, clock: Arc<ManualClock>) -> LocalWorkflow {
        let adapters = embedded_adapters(&self.data).expect("the embedded adapters open");
        LocalWorkflow::with_clock(adapters, Faults::parse(faults).expect("the faults parse"), clock)
            .expect("the workflow definition binds")
    }
}

async fn run_invoice(workflow: &LocalWorkflow) -> JobResult {
    process_file(workflow, &fixture(INVOICE), "invoice", "invoice").await
}

fn history(workflow: &LocalWorkflow, job_id: &str) -> Vec<HistoryEvent> {
    workflow.adapters().store.execution(job_id).unwrap().expect("the execution is saved").history
}

/// Each event with the name of the state it belongs to (the last state entered in its scope).
fn with_states(history: &[HistoryEvent]) -> Vec<(String, &HistoryEvent)> {
    let mut current: BTreeMap<&str, String> = BTreeMap::new();
    history
        .iter()
        .map(|e| {
            if let Some(d) = e.state_entered_event_details.as_ref().filter(|_| e.event_type.is_state_entered()) {
                current.insert(e.scope.as_str(), d.name.clone());
            }
            (current.get(e.scope.as_str()).cloned().unwrap_or_default(), e)
        })
        .collect()
}

/// How many times each Task state was scheduled (called).
fn scheduled(history: &[HistoryEvent]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (state, _) in with_states(history).into_iter().filter(|(_, e)| e.event_type == EventType::TaskScheduled) {
        *counts.entry(state).or_insert(0) += 1;
    }
    counts
}

/// The top-level states entered, in order.
fn entered(history: &[HistoryEvent]) -> Vec<String> {
    history
        .iter()
        .filter(|e| e.scope.is_empty() && e.event_type.is_state_entered())
        .filter_map(|e| e.state_entered_event_details.as_ref().map(|d| d.name.clone()))
        .collect()
}

async fn job_status(workflow: &LocalWorkflow, job_id: &str) -> docex_core::JobRecord {
    workflow.jobs().get(job_id).await.unwrap().expect("the job exists")
}

async fn report_bytes(workflow: &LocalWorkflow, job_id: &str) -> Option<Vec<u8>> {
    workflow.adapters().blobs.get(&keys::report(job_id)).await.unwrap()
}

/// Files under the job's output folder (result and report objects).
fn output_objects(harness: &Harness, job_id: &str) -> Vec<String> {
    let dir = harness.data.blobs().join("output").join(job_id);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The status the offline extractor gives the invoice with no faults, for comparison.
async fn baseline_status(harness: &Harness) -> JobStatus {
    let (workflow, _) = harness.workflow("");
    let result = run_invoice(&workflow).await;
    assert_ne!(result.status, JobStatus::Failed, "the invoice fails with no fault: {:?}", result.error);
    result.status
}

#[tokio::test]
async fn a_throttled_chunk_is_retried_on_the_ladder_and_the_job_succeeds() {
    let harness = Harness::new();
    let expected = baseline_status(&harness).await;
    let (workflow, clock) = harness.workflow("ExtractChunk=Docex.Throttled:2");
    let result = run_invoice(&workflow).await;
    assert_eq!(result.status, expected, "error: {:?}", result.error);
    assert_eq!(job_status(&workflow, &result.job_id).await.status, expected);

    let history = history(&workflow, &result.job_id);
    assert_eq!(history.last().unwrap().event_type, EventType::ExecutionSucceeded);
    let outcomes: Vec<(EventType, Option<String>)> = with_states(&history)
        .into_iter()
        .filter(|(state, e)| {
            state == "ExtractChunk" && matches!(e.event_type, EventType::TaskFailed | EventType::TaskSucceeded)
        })
        .map(|(_, e)| (e.event_type, e.task_failed_event_details.as_ref().map(|d| d.error.clone())))
        .collect();
    let throttled = (EventType::TaskFailed, Some("Docex.Throttled".to_string()));
    assert_eq!(outcomes, vec![throttled.clone(), throttled, (EventType::TaskSucceeded, None)]);
    let attempts: Vec<u32> = history
        .iter()
        .filter_map(|e| e.task_scheduled_event_details.as_ref())
        .filter(|d| d.resource.contains("extract_chunk"))
        .map(|d| d.attempt)
        .collect();
    assert_eq!(attempts, vec![0, 1, 2]);

    // The definition's ladder for Docex.Throttled: 2 s, then x2, capped at 60 s, full jitter
    // (each wait is somewhere in [0, cap)). The only sleeps of the run are these two.
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "sleeps: {sleeps:?}");
    for (retry, sleep) in sleeps.iter().enumerate() {
        let cap = Duration::from_secs((2u64 << retry).min(60));
        assert!(*sleep <= cap, "retry {retry} waited {sleep:?}, over the ladder's {cap:?}");
    }
    // The waits happened on the engine's clock: the attempts are that far apart in the history.
    let scheduled_at: Vec<_> = with_states(&history)
        .into_iter()
        .filter(|(s, e)| s == "ExtractChunk" && e.event_type == EventType::TaskScheduled)
        .map(|(_, e)| e.timestamp)
        .collect();
    for (i, pair) in scheduled_at.windows(2).enumerate() {
        let gap = (pair[1] - pair[0]).to_std().unwrap();
        assert!(gap >= sleeps[i] && gap <= sleeps[i] + Duration::from_millis(1), "gap {gap:?} vs {:?}", sleeps[i]);
    }
    assert_eq!(workflow.adapters().store.result_rows(&result.job_id).unwrap(), 1);
}

#[tokio::test]
async fn a_permanent_failure_is_not_retried_and_reaches_the_dead_letter_queue() {
    let harness = Harness::new();
    let (workflow, clock) = harness.workflow("PrepareDocument=Docex.CorruptPdf:1");
    let result = run_invoice(&workflow).await;
    assert_eq!(result.status, JobStatus::Failed);
    assert_eq!(result.error.as_ref().map(|e| e.name.as_str()), Some("Docex.CorruptPdf"));

    let history = history(&workflow, &result.job_id);
    assert_eq!(
        entered(&history),
        ["PrepareDocument", "RecordFailure", "SendToDeadLetterQueue", "JobFailed"],
        "the failure path"
    );
    assert_eq!(scheduled(&history).get("PrepareDocument"), Some(&1), "a corrupt PDF is not retried");
    assert!(clock.sleeps().is_empty(), "no retry wait: {:?}", clock.sleeps());
    let task_failure =
        history.iter().find_map(|e| e.task_failed_event_details.clone()).expect("PrepareDocument's TaskFailed event");

    let job = job_status(&workflow, &result.job_id).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error.as_ref().map(|e| e.name.as_str()), Some("Docex.CorruptPdf"));

    let letters = workflow.adapters().store.dead_letters().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].job_id, result.job_id);
    assert_eq!(letters[0].error, "Docex.CorruptPdf");
    assert_eq!(letters[0].cause, task_failure.cause, "the queue keeps the original cause");
    assert!(letters[0].cause.contains("injected fault"), "cause: {}", letters[0].cause);

    let execution = workflow.adapters().store.execution(&result.job_id).unwrap().unwrap();
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("Docex.CorruptPdf"));
    assert_eq!(execution.cause.as_deref(), Some(task_failure.cause.as_str()));
    assert_eq!(workflow.adapters().store.result_rows(&result.job_id).unwrap(), 0);
}

#[tokio::test]
async fn a_real_non_pdf_fails_with_its_own_error_and_is_dead_lettered() {
    let harness = Harness::new();
    let (workflow, _) = harness.workflow("");
    let file = harness.data.root().join("notes.pdf");
    std::fs::write(&file, b"just some text, not a PDF\n").unwrap();
    let result = process_file(&workflow, &file, "invoice", "invoice").await;
    assert_eq!(result.error.as_ref().map(|e| e.name.as_str()), Some("Docex.NotPdf"));
    let history = history(&workflow, &result.job_id);
    assert_eq!(scheduled(&history).get("PrepareDocument"), Some(&1));
    assert_eq!(entered(&history).last().map(String::as_str), Some("JobFailed"));
    let letters = workflow.adapters().store.dead_letters().unwrap();
    assert_eq!(
        letters.iter().map(|l| (l.job_id.as_str(), l.error.as_str())).collect::<Vec<_>>(),
        [(result.job_id.as_str(), "Docex.NotPdf")]
    );
    assert!(!letters[0].cause.is_empty());
}

#[tokio::test]
async fn a_failed_report_is_redriven_without_running_the_finished_states_again() {
    let harness = Harness::new();
    let expected = baseline_status(&harness).await;
    let job_id = {
        let (workflow, clock) = harness.workflow("RenderReport=Docex.Transient:10");
        let result = run_invoice(&workflow).await;
        assert_eq!(result.status, JobStatus::Failed);
        assert_eq!(result.error.as_ref().map(|e| e.name.as_str()), Some("Docex.Transient"));
        let job = job_status(&workflow, &result.job_id).await;
        assert_eq!(job.status, JobStatus::Failed);
        let history = history(&workflow, &result.job_id);
        assert_eq!(scheduled(&history).get("RenderReport"), Some(&4), "one call and three retries");
        assert_eq!(clock.sleeps().len(), 3);
        let letters = workflow.adapters().store.dead_letters().unwrap();
        assert_eq!(letters.iter().map(|l| l.job_id.as_str()).collect::<Vec<_>>(), [result.job_id.as_str()]);
        assert!(report_bytes(&workflow, &result.job_id).await.is_none());
        result.job_id
    };

    // The operator fixed the problem: a process without the fault re-drives the job.
    let (workflow, _) = harness.workflow("");
    let before = scheduled(&history(&workflow, &job_id));
    let execution = workflow.redrive(&job_id).await.expect("the job can be re-driven");
    assert_eq!(execution.status, ExecutionStatus::Succeeded, "{:?}: {:?}", execution.error, execution.cause);
    assert_eq!(execution.redrive_count, 1);
    let after = scheduled(&history(&workflow, &job_id));
    for state in ["PrepareDocument", "ExtractChunk", "MergeAndValidate", "StoreResult"] {
        assert_eq!(after.get(state), before.get(state), "{state} ran again (before {before:?}, after {after:?})");
        assert!(before.contains_key(state), "{state} ran in the first execution");
    }
    assert_eq!(after.get("RenderReport"), Some(&5), "RenderReport runs once more: {after:?}");
    assert_eq!(after.get("CompleteJob"), Some(&1));

    let job = job_status(&workflow, &job_id).await;
    assert_eq!(job.status, expected, "the job ends as a fault-free run does (error {:?})", job.error);
    assert!(job.error.is_none(), "the old error is cleared: {:?}", job.error);
    assert_eq!(workflow.adapters().store.result_rows(&job_id).unwrap(), 1);
    let stored = docex_core::ResultStore::get(&*workflow.adapters().store, &job_id).await.unwrap().unwrap();
    assert_eq!(stored.status, expected);
    let report = report_bytes(&workflow, &job_id).await.expect("the report was rendered");
    assert!(report.starts_with(b"%PDF"), "the report is a PDF");
    assert_eq!(output_objects(&harness, &job_id), ["report.pdf", "result.json"]);
    let result: JobResult =
        serde_json::from_slice(&workflow.adapters().blobs.get(&keys::result(&job_id)).await.unwrap().unwrap()).unwrap();
    assert_eq!(result.status, expected, "the result object is the extraction, not the old failure");
    assert!(workflow.adapters().store.dead_letters().unwrap().is_empty(), "the job left the dead-letter queue");
    let refused = workflow.redrive(&job_id).await.expect_err("a succeeded execution cannot be re-driven");
    assert!(refused.to_string().contains(&job_id), "{refused}");
    assert!(workflow.interrupted().unwrap().is_empty(), "a refused re-drive leaves the execution as it was");
    let saved = workflow.adapters().store.execution(&job_id).unwrap().unwrap();
    assert_eq!(saved.status, ExecutionStatus::Succeeded);
}

#[tokio::test]
async fn an_execution_of_a_killed_process_is_found_and_redriven_by_the_next_one() {
    let harness = Harness::new();
    let expected = baseline_status(&harness).await;
    // The first process: the chunk is throttled once and the retry waits on a clock that
    // never moves, so the execution is stuck mid-way when the process "dies".
    let clock = Arc::new(ManualClock::manual(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()));
    let workflow = Arc::new(harness.workflow_with("ExtractChunk=Docex.Throttled:1", clock.clone()));
    let running = {
        let workflow = workflow.clone();
        tokio::spawn(async move { run_invoice(&workflow).await })
    };
    let mut waited = 0;
    while clock.pending_sleeps() == 0 {
        assert!(waited < 2_000, "the execution never reached the retry wait");
        tokio::time::sleep(Duration::from_millis(5)).await;
        waited += 1;
    }
    let job_id = match workflow.interrupted().unwrap().as_slice() {
        [one] => one.clone(),
        other => panic!("expected one running execution, found {other:?}"),
    };
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    drop(workflow);

    // The restarted process.
    let (workflow, _) = harness.workflow("");
    assert_eq!(workflow.interrupted().unwrap(), std::slice::from_ref(&job_id));
    let saved = workflow.adapters().store.execution(&job_id).unwrap().unwrap();
    assert_eq!(saved.status, ExecutionStatus::Aborted);
    assert_eq!(entered(&saved.history).last().map(String::as_str), Some("ExtractChunks"));
    assert_eq!(job_status(&workflow, &job_id).await.status, JobStatus::Running);

    let execution = workflow.redrive(&job_id).await.expect("the interrupted job can be re-driven");
    assert_eq!(execution.status, ExecutionStatus::Succeeded, "{:?}: {:?}", execution.error, execution.cause);
    let history = history(&workflow, &job_id);
    let counts = scheduled(&history);
    assert_eq!(counts.get("PrepareDocument"), Some(&1), "PrepareDocument is not run again: {counts:?}");
    assert_eq!(counts.get("ExtractChunk"), Some(&2), "the throttled call, then the re-driven one: {counts:?}");
    assert_eq!(counts.get("StoreResult"), Some(&1));
    assert!(workflow.interrupted().unwrap().is_empty());
    assert_eq!(job_status(&workflow, &job_id).await.status, expected);
    assert_eq!(workflow.adapters().store.result_rows(&job_id).unwrap(), 1);
    assert!(report_bytes(&workflow, &job_id).await.is_some_and(|r| r.starts_with(b"%PDF")));
    assert_eq!(output_objects(&harness, &job_id), ["report.pdf", "result.json"]);
}

#[tokio::test]
async fn the_same_document_twice_is_two_jobs_and_a_job_id_runs_once() {
    let harness = Harness::new();
    let (workflow, _) = harness.workflow("");
    let first = run_invoice(&workflow).await;
    let second = run_invoice(&workflow).await;
    assert_ne!(first.job_id, second.job_id);
    for result in [&first, &second] {
        assert_ne!(result.status, JobStatus::Failed, "{:?}", result.error);
        assert_eq!(workflow.adapters().store.result_rows(&result.job_id).unwrap(), 1);
    }
    assert_eq!(workflow.jobs().list(None).await.unwrap().len(), 2);

    let again = JobInput { job_id: first.job_id.clone(), spec: "invoice".into(), template: "invoice".into() };
    let refused = workflow.start(&again).await.expect_err("a second execution of one job is refused");
    let message = refused.to_string();
    assert!(message.contains(&first.job_id) && message.contains("already has an execution"), "{message}");
    assert_eq!(workflow.adapters().store.result_rows(&first.job_id).unwrap(), 1);
    assert_eq!(scheduled(&history(&workflow, &first.job_id)).get("PrepareDocument"), Some(&1));
}

#[tokio::test]
async fn a_chunk_that_kept_failing_is_redriven_from_the_map_without_preparing_again() {
    let harness = Harness::new();
    let expected = baseline_status(&harness).await;
    let job_id = {
        let (workflow, clock) = harness.workflow("ExtractChunk=Docex.Throttled:20");
        let result = run_invoice(&workflow).await;
        assert_eq!(result.error.as_ref().map(|e| e.name.as_str()), Some("Docex.Throttled"));
        let history = history(&workflow, &result.job_id);
        assert_eq!(scheduled(&history).get("ExtractChunk"), Some(&7), "one call and the ladder's six retries");
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.len(), 6);
        for (retry, sleep) in sleeps.iter().enumerate() {
            assert!(*sleep <= Duration::from_secs((2u64 << retry).min(60)), "retry {retry}: {sleep:?}");
        }
        assert_eq!(entered(&history).last().map(String::as_str), Some("JobFailed"));
        result.job_id
    };
    let (workflow, _) = harness.workflow("");
    let execution = workflow.redrive(&job_id).await.expect("the job can be re-driven");
    assert_eq!(execution.status, ExecutionStatus::Succeeded, "{:?}: {:?}", execution.error, execution.cause);
    let history = history(&workflow, &job_id);
    let counts = scheduled(&history);
    assert_eq!(counts.get("PrepareDocument"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("ExtractChunk"), Some(&8), "{counts:?}");
    let after_redrive: Vec<String> = {
        let at = history.iter().position(|e| e.event_type == EventType::ExecutionRedriven).unwrap();
        entered(&history[at..])
    };
    assert_eq!(
        after_redrive,
        ["JobFailed", "ResumeJob", "ExtractChunks", "MergeAndValidate", "StoreResult", "RenderReport", "CompleteJob"],
        "the re-drive restarts at the failed state, which resumes at the Map whose failure was caught"
    );
    assert_eq!(job_status(&workflow, &job_id).await.status, expected);
    assert_eq!(workflow.adapters().store.result_rows(&job_id).unwrap(), 1);
    assert!(workflow.adapters().store.dead_letters().unwrap().is_empty());
}
