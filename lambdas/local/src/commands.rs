//! What each `docex` subcommand does, as functions over the local workflow (the argument
//! parsing lives in `main.rs`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use docex_asl::ExecutionStatus;
use docex_core::error::{ErrorReport, readable_cause};
use docex_core::job::{is_valid_job_id, keys};
use docex_core::{BlobStore, DocexError, JobRecord, JobResult, JobStatus, JobStore};
use docex_tasks::JobInput;
use serde_json::Value;

use crate::workflow::LocalWorkflow;

/// The owner of jobs started from the command line.
pub const LOCAL_OWNER: &str = "local";

/// Options of `docex run`.
pub struct RunOptions {
    pub spec: String,
    pub template: Option<String>,
    pub out: PathBuf,
    pub concurrency: usize,
}

/// One document's result, and where its files were written.
pub struct Processed {
    pub file: PathBuf,
    pub result: JobResult,
    pub json_path: PathBuf,
    pub report_path: Option<PathBuf>,
}

/// Runs every file through the workflow, a few at a time, and writes
/// `OUT/<stem>.json` and `OUT/<stem>.pdf`. A failed document does not stop the others.
/// `on_done` is called as each document finishes (for progress and `--json` lines).
pub async fn run_files(
    workflow: Arc<LocalWorkflow>,
    files: &[PathBuf],
    options: &RunOptions,
    on_done: impl Fn(&Processed) + Send + Sync + 'static,
) -> Result<Vec<Processed>, DocexError> {
    // Check the spec and template once, before any work: a typo fails fast and loud.
    workflow.adapters().specs.load(&options.spec)?;
    let template =
        options.template.clone().unwrap_or_else(|| crate::catalog::default_template_for(&spec_name(&options.spec)));
    workflow.adapters().templates.check(&template)?;
    std::fs::create_dir_all(&options.out)
        .map_err(|e| DocexError::Storage(format!("cannot create {}: {e}", options.out.display())))?;

    let stems = output_stems(files);
    let on_done = Arc::new(on_done);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let mut running = tokio::task::JoinSet::new();
    for (index, (file, stem)) in files.iter().zip(stems).enumerate() {
        let (workflow, on_done, semaphore) = (workflow.clone(), on_done.clone(), semaphore.clone());
        let (file, spec, template, out) = (file.clone(), options.spec.clone(), template.clone(), options.out.clone());
        running.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let result = process_file(&workflow, &file, &spec, &template).await;
            let processed = write_outputs(&workflow, file, result, &out, &stem).await;
            if let Ok(p) = &processed {
                on_done(p);
            }
            (index, processed)
        });
    }
    let mut done: Vec<(usize, Processed)> = Vec::with_capacity(files.len());
    while let Some(joined) = running.join_next().await {
        let (index, processed) = joined.map_err(|e| DocexError::Storage(format!("a job stopped unexpectedly: {e}")))?;
        done.push((index, processed?));
    }
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, p)| p).collect())
}

/// The spec's name as results record it (the file stem for a spec given by path).
fn spec_name(spec: &str) -> String {
    Path::new(spec).file_stem().and_then(|s| s.to_str()).unwrap_or(spec).trim_end_matches(".json").to_string()
}

/// File stems for the outputs, made unique (`a`, `a-2`, ...) when two inputs share one.
fn output_stems(files: &[PathBuf]) -> Vec<String> {
    let mut seen = HashSet::new();
    files
        .iter()
        .map(|f| {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("document").to_string();
            let mut candidate = stem.clone();
            let mut n = 1;
            while !seen.insert(candidate.clone()) {
                n += 1;
                candidate = format!("{stem}-{n}");
            }
            candidate
        })
        .collect()
}

/// A new job id: unique, and valid as an execution name and in object keys.
pub fn new_job_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Creates a job for one file and runs it through the workflow.
pub async fn process_file(workflow: &LocalWorkflow, file: &Path, spec: &str, template: &str) -> JobResult {
    let job_id = new_job_id();
    let display_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let now = docex_tasks::now();
    let job = JobRecord {
        job_id: job_id.clone(),
        owner: LOCAL_OWNER.into(),
        document: display_name,
        spec: spec_name(spec),
        template: template.to_string(),
        status: JobStatus::Queued,
        error: None,
        confidence: None,
        created_at: now.clone(),
        updated_at: now,
    };
    match submit(workflow, file, &job, spec).await {
        Ok(result) => result,
        Err(error) => {
            let report = error.to_report();
            // Record the failure on the job when it exists; the result says it either way.
            let _ = workflow
                .jobs()
                .set_status(&docex_core::StatusUpdate {
                    job_id: job.job_id.clone(),
                    status: JobStatus::Failed,
                    error: Some(report.clone()),
                    confidence: None,
                    at: docex_tasks::now(),
                })
                .await;
            JobResult::failed(&job, report)
        }
    }
}

async fn submit(workflow: &LocalWorkflow, file: &Path, job: &JobRecord, spec: &str) -> Result<JobResult, DocexError> {
    let adapters = workflow.adapters();
    // Refuse an over-size file before reading it into memory.
    let size = std::fs::metadata(file)
        .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", file.display())))?
        .len();
    if size > adapters.reader.limits.max_bytes {
        return Err(DocexError::FileTooLarge { size, limit: adapters.reader.limits.max_bytes });
    }
    let bytes =
        std::fs::read(file).map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", file.display())))?;
    adapters.store.create(job).await?;
    adapters.blobs.put(&keys::input(&job.job_id), bytes).await?;
    let input = JobInput { job_id: job.job_id.clone(), spec: spec.to_string(), template: job.template.clone() };
    let execution = workflow.start(&input).await?;
    let failure = (execution.status != ExecutionStatus::Succeeded).then(|| ErrorReport {
        name: execution.error.clone().unwrap_or_else(|| "Docex.Storage".into()),
        message: execution.cause.as_deref().map_or_else(|| "the workflow left no result".into(), readable_cause),
    });
    let mut result = match adapters.blobs.get(&keys::result(&job.job_id)).await? {
        Some(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| DocexError::Storage(format!("result of {}: {e}", job.job_id)))?
        }
        None => JobResult::failed(
            job,
            failure.clone().unwrap_or_else(|| ErrorReport {
                name: "Docex.Storage".into(),
                message: "the workflow left no result".into(),
            }),
        ),
    };
    // A job that failed after its extraction keeps the extracted data in its result object
    // (a re-drive stores and reports it); what the user sees is the failure.
    if let Some(failure) = failure {
        result.status = JobStatus::Failed;
        result.error = Some(failure);
    }
    Ok(result)
}

/// Writes a result's JSON and report into the output folder.
async fn write_outputs(
    workflow: &LocalWorkflow,
    file: PathBuf,
    mut result: JobResult,
    out: &Path,
    stem: &str,
) -> Result<Processed, DocexError> {
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| DocexError::Storage(format!("cannot write {}: {e}", path.display())))
    };
    let mut report_path = None;
    if result.status != JobStatus::Failed
        && let Some(report) = workflow.adapters().blobs.get(&keys::report(&result.job_id)).await?
    {
        let path = out.join(format!("{stem}.pdf"));
        write(&path, &report)?;
        report_path = Some(path);
    }
    result.report = report_path.as_ref().map(|p| p.display().to_string());
    let json_path = out.join(format!("{stem}.json"));
    let json = serde_json::to_vec_pretty(&result).map_err(|e| DocexError::Storage(e.to_string()))?;
    write(&json_path, &json)?;
    Ok(Processed { file, result, json_path, report_path })
}

/// Looks a job up by id, with a clear error for a malformed or unknown one.
pub async fn find_job(workflow: &LocalWorkflow, job_id: &str) -> Result<JobRecord, DocexError> {
    if !is_valid_job_id(job_id) {
        return Err(DocexError::InvalidInput(format!("{job_id:?} is not a job id")));
    }
    workflow.jobs().get(job_id).await?.ok_or_else(|| DocexError::InvalidInput(format!("no job {job_id}")))
}

/// A value as one short line for tables.
pub fn display_value(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
        }
        Value::Array(items) => format!("{} rows", items.len()),
        other => other.to_string(),
    };
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 60 { format!("{}…", text.chars().take(59).collect::<String>()) } else { text }
}
