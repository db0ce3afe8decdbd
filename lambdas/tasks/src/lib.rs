//! The tasks of the docex workflow, one function per Task state of
//! `statemachine/docex.asl.json`. Each is `input -> Result<output, DocexError>` over the
//! ports it needs and nothing else; a Lambda wires AWS adapters into one of them, the local
//! engine wires embedded adapters into all of them. One code path, two homes.
//!
//! Inputs and outputs are small JSON objects of references (job id, spec name, chunk
//! numbers); document bytes and results travel through the [`BlobStore`] under the keys of
//! [`docex_core::job::keys`]. Every task is safe to run again: it overwrites what it wrote
//! before, and the stores' writes are idempotent.
//!
//! Scanned pages also travel as images: Prepare renders them (PNG, bounded by
//! [`docex_core::Page::image_long_side`]) beside the document, and Extract hands them to
//! the extractor with the chunk's pages. Model usage is accounted for even when an
//! extraction fails: Extract keeps the usage of failed attempts per chunk, and Merge (or
//! RecordFailure, for a job that fails) adds it to the job's usage.
//!
//! | state                   | task               |
//! |-------------------------|--------------------|
//! | `PrepareDocument`       | [`prepare`]        |
//! | `ExtractChunk` (in Map) | [`extract`]        |
//! | `MergeAndValidate`      | [`merge`]          |
//! | `StoreResult`           | [`store`]          |
//! | `RenderReport`          | [`render`]         |
//! | `CompleteJob`           | [`complete`]       |
//! | `RecordFailure`         | [`record_failure`] |
//! | `JobFailed`             | [`job_failed`]     |

use docex_core::job::keys;
use std::sync::Arc;

use docex_core::{
    BlobStore, DeadLetter, DeadLetterQueue, DocexError, Document, DocumentReader, EventBus, Extraction, Extractor,
    JobEvent, JobResult, JobStatus, JobStore, PageImage, Renderer, ResultStore, SpecStore, StatusUpdate, Usage,
    finalize, merge_extractions, printed_count_violations,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Pages per chunk: each chunk is read by one Extract task, in parallel.
pub const PAGES_PER_CHUNK: u32 = 8;

/// The execution input: which job, read with which spec, reported with which template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInput {
    pub job_id: String,
    pub spec: String,
    pub template: String,
}

/// A range of pages read by one Extract task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub job_id: String,
    pub spec: String,
    pub index: usize,
    pub first_page: u32,
    pub last_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    pub pages: u32,
    pub ocr_pages: u32,
    pub chunks: Vec<Chunk>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub chunk_key: String,
    pub fields: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeInput {
    pub job_id: String,
    pub spec: String,
    pub chunk_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merged {
    pub status: JobStatus,
    pub confidence: f64,
    pub result_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub result_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    pub report_key: String,
    pub bytes: usize,
}

/// The error a workflow caught, as the `Catch` block hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureInput {
    pub job_id: String,
    #[serde(rename = "Error")]
    pub error: String,
    #[serde(rename = "Cause", default)]
    pub cause: String,
    /// The execution's re-drive count when the failure was recorded
    /// (`$$.Execution.RedriveCount`).
    #[serde(default)]
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// The attempt (re-drive count) the failure belongs to.
    pub attempt: u32,
}

/// The input of `JobFailed`: the caught error, the attempt it was recorded in, and the
/// execution's current attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobFailedInput {
    pub job_id: String,
    #[serde(rename = "Error")]
    pub error: String,
    #[serde(rename = "Cause", default)]
    pub cause: String,
    pub failed_in_attempt: u32,
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resumed {
    pub attempt: u32,
}

/// `PrepareDocument`: reads the uploaded PDF, saves its pages as a [`Document`], and plans
/// the chunks the Extract tasks will read.
pub async fn prepare(
    input: &JobInput,
    blobs: &dyn BlobStore,
    jobs: &dyn JobStore,
    reader: &dyn DocumentReader,
    events: &dyn EventBus,
) -> Result<Prepared, DocexError> {
    set_status(jobs, events, update(&input.job_id, JobStatus::Running, None, None)).await?;
    let bytes = blobs
        .get(&keys::input(&input.job_id))
        .await?
        .ok_or_else(|| DocexError::InvalidInput(format!("no uploaded document for job {}", input.job_id)))?;
    let mut document = reader.read(&bytes)?;
    document.page_images = page_images(&input.job_id, &bytes, &document, blobs, reader).await?;
    let pages = document.pages.len() as u32;
    let chunks = (0..chunk_count(pages))
        .map(|index| Chunk {
            job_id: input.job_id.clone(),
            spec: input.spec.clone(),
            index: index as usize,
            first_page: index * PAGES_PER_CHUNK + 1,
            last_page: ((index + 1) * PAGES_PER_CHUNK).min(pages.max(1)),
        })
        .collect();
    let prepared = Prepared {
        pages,
        ocr_pages: document.pages.iter().filter(|p| p.ocr).count() as u32,
        chunks,
        notes: document.notes.clone(),
    };
    put_json(blobs, &keys::document(&input.job_id), &document).await?;
    Ok(prepared)
}

/// How many chunks a document of `pages` pages is read in (one at least).
pub fn chunk_count(pages: u32) -> u32 {
    pages.div_ceil(PAGES_PER_CHUNK).max(1)
}

/// Renders the pages that want an image (scanned ones) and stores each PNG beside the
/// document. A page the reader cannot render keeps its text only: the image is a help to
/// a model, not a condition of reading the page.
async fn page_images(
    job_id: &str,
    bytes: &[u8],
    document: &Document,
    blobs: &dyn BlobStore,
    reader: &dyn DocumentReader,
) -> Result<Vec<PageImage>, DocexError> {
    let wanted: Vec<(u32, u32)> =
        document.pages.iter().filter(|p| p.wants_image()).map(|p| (p.number, p.image_long_side())).collect();
    let mut images = Vec::new();
    for (page, rendered) in reader.render_pages(bytes, &wanted) {
        let size = rendered.and_then(|png| png_size(&png).map(|size| (png, size)));
        let (png, (width, height)) = match size {
            Ok(image) => image,
            Err(why) => {
                tracing::warn!(job_id, page, %why, "no image of the page for the model");
                continue;
            }
        };
        let key = keys::page_image(job_id, page);
        blobs.put(&key, png).await?;
        images.push(PageImage { page, key, width, height, png: Vec::new() });
    }
    Ok(images)
}

/// The width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> Result<(u32, u32), String> {
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().map_err(|e| format!("not a PNG: {e}"))?;
    Ok((reader.info().width, reader.info().height))
}

/// `ExtractChunk`: reads one chunk's pages with the extractor and saves what it found. A
/// chunk already read in an earlier attempt of the job (before a re-drive) is not read
/// again: that would pay the model twice for the same pages.
pub async fn extract(
    chunk: &Chunk,
    blobs: &dyn BlobStore,
    specs: &dyn SpecStore,
    extractor: &dyn Extractor,
) -> Result<Extracted, DocexError> {
    let key = keys::chunk(&chunk.job_id, chunk.index);
    if let Some(earlier) = blobs.get(&key).await?
        && let Ok(extraction) = serde_json::from_slice::<Extraction>(&earlier)
    {
        return Ok(Extracted { chunk_key: key, fields: extraction.fields.len() });
    }
    let spec = specs.spec(&chunk.spec).await?;
    let mut document: Document = get_json(blobs, &keys::document(&chunk.job_id)).await?;
    let pages = chunk.first_page..=chunk.last_page;
    document.pages.retain(|p| pages.contains(&p.number));
    document.page_images.retain(|i| pages.contains(&i.page));
    for image in &mut document.page_images {
        image.png = blobs.get(&image.key).await?.unwrap_or_default();
    }
    document.page_images.retain(|i| !i.png.is_empty());
    let extraction = match extractor.extract_accounted(&document, &spec).await {
        Ok(extraction) => extraction,
        Err(failed) => {
            if let Some(spent) = &failed.spent {
                add_spent(blobs, &keys::spent(&chunk.job_id, chunk.index), spent).await;
            }
            return Err(failed.error);
        }
    };
    let fields = extraction.fields.len();
    put_json(blobs, &key, &extraction).await?;
    Ok(Extracted { chunk_key: key, fields })
}

/// Adds the usage of a failed attempt to what the chunk's earlier failed attempts spent.
/// The task fails with the extractor's error either way; a usage that cannot be stored is
/// logged, not raised in its place.
async fn add_spent(blobs: &dyn BlobStore, key: &str, spent: &Usage) {
    let mut total: Usage = match get_optional_json(blobs, key).await {
        Ok(earlier) => earlier.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(key, error = %e, "the usage of earlier failed attempts could not be read");
            Usage::default()
        }
    };
    total.add(spent);
    if let Err(e) = put_json(blobs, key, &total).await {
        tracing::warn!(key, error = %e, "the usage of a failed attempt could not be stored");
    }
}

/// What the job has spent on models so far: the chunks read, and the failed attempts of
/// every chunk.
async fn job_usage(blobs: &dyn BlobStore, job_id: &str, chunks: &[Extraction]) -> Result<Option<Usage>, DocexError> {
    let mut usage: Option<Usage> = None;
    for chunk in chunks {
        if let Some(spent) = &chunk.usage {
            usage.get_or_insert_with(Usage::default).add(spent);
        }
    }
    for index in 0..chunk_count_of_job(blobs, job_id).await? {
        if let Some(spent) = get_optional_json::<Usage>(blobs, &keys::spent(job_id, index)).await? {
            usage.get_or_insert_with(Usage::default).add(&spent);
        }
    }
    Ok(usage)
}

/// The number of chunks of a prepared job (0 before Prepare saved the document).
async fn chunk_count_of_job(blobs: &dyn BlobStore, job_id: &str) -> Result<usize, DocexError> {
    let document: Option<Document> = get_optional_json(blobs, &keys::document(job_id)).await?;
    Ok(document.map_or(0, |d| chunk_count(d.pages.len() as u32) as usize))
}

/// `MergeAndValidate`: merges the chunks, validates against the spec, decides the status,
/// and saves the job's result object.
pub async fn merge(
    input: &MergeInput,
    blobs: &dyn BlobStore,
    jobs: &dyn JobStore,
    specs: &dyn SpecStore,
    extractor_name: &str,
) -> Result<Merged, DocexError> {
    let spec = specs.spec(&input.spec).await?;
    let mut chunks: Vec<Extraction> = Vec::with_capacity(input.chunk_count);
    for index in 0..input.chunk_count {
        chunks.push(get_json(blobs, &keys::chunk(&input.job_id, index)).await?);
    }
    let document: Document = get_json(blobs, &keys::document(&input.job_id)).await?;
    let usage = job_usage(blobs, &input.job_id, &chunks).await?;
    let mut merged = merge_extractions(chunks);
    merged.usage = usage;
    let miscounted = printed_count_violations(&spec, &document, &Value::Object(merged.data.clone()));
    merged.notes.extend(miscounted.into_iter().map(|v| format!("{}: {}", v.pointer, v.message)));
    merged.notes.splice(0..0, document.notes);
    let job = job_record(jobs, &input.job_id).await?;
    let mut result = JobResult::from_outcome(&job, extractor_name, finalize(&spec, merged));
    result.report = Some(keys::report(&input.job_id));
    let result_key = keys::result(&input.job_id);
    put_json(blobs, &result_key, &result).await?;
    Ok(Merged { status: result.status, confidence: result.confidence, result_key })
}

/// `StoreResult`: writes the result to the result store (an upsert: running it twice
/// leaves one result).
pub async fn store(
    input: &JobInput,
    blobs: &dyn BlobStore,
    specs: &dyn SpecStore,
    results: &dyn ResultStore,
) -> Result<Stored, DocexError> {
    let spec = specs.spec(&input.spec).await?;
    let result_key = keys::result(&input.job_id);
    let result: JobResult = get_json(blobs, &result_key).await?;
    results.upsert(&spec, &result).await?;
    Ok(Stored { result_key })
}

/// `RenderReport`: renders the result with the job's template into the report PDF.
pub async fn render(input: &JobInput, blobs: &dyn BlobStore, renderer: &dyn Renderer) -> Result<Rendered, DocexError> {
    let mut data: serde_json::Value = get_json(blobs, &keys::result(&input.job_id)).await?;
    data["generated_at"] = serde_json::Value::String(chrono::Utc::now().format("%Y-%m-%d").to_string());
    let pdf = renderer.render(&input.template, &data)?;
    let report_key = keys::report(&input.job_id);
    let bytes = pdf.len();
    blobs.put(&report_key, pdf).await?;
    Ok(Rendered { report_key, bytes })
}

/// `CompleteJob`: records the final status and confidence on the job.
pub async fn complete(
    input: &JobInput,
    blobs: &dyn BlobStore,
    jobs: &dyn JobStore,
    events: &dyn EventBus,
) -> Result<JobStatus, DocexError> {
    let result: JobResult = get_json(blobs, &keys::result(&input.job_id)).await?;
    set_status(jobs, events, update(&input.job_id, result.status, None, Some(result.confidence))).await?;
    Ok(result.status)
}

/// `RecordFailure`: marks the job failed with the workflow's error. A job that failed
/// before it had a result gets a failed result object; an extraction that exists is kept, so
/// that a re-drive can store, render and complete it. (The next state,
/// `SendToDeadLetterQueue`, parks the job for an operator.)
pub async fn record_failure(
    input: &FailureInput,
    blobs: &dyn BlobStore,
    jobs: &dyn JobStore,
    events: &dyn EventBus,
) -> Result<Recorded, DocexError> {
    let error = docex_core::error::ErrorReport {
        name: input.error.clone(),
        message: docex_core::error::readable_cause(&input.cause),
    };
    let job = job_record(jobs, &input.job_id).await?;
    let result_key = keys::result(&input.job_id);
    if blobs.get(&result_key).await?.is_none() {
        let mut failed = JobResult::failed(&job, error.clone());
        failed.usage = failed_job_usage(blobs, &input.job_id).await?;
        put_json(blobs, &result_key, &failed).await?;
    }
    set_status(jobs, events, update(&input.job_id, JobStatus::Failed, Some(error), None)).await?;
    Ok(Recorded { attempt: input.attempt })
}

/// The usage of a job that failed before its chunks were merged: the chunks that were read
/// and the failed attempts of all of them.
async fn failed_job_usage(blobs: &dyn BlobStore, job_id: &str) -> Result<Option<Usage>, DocexError> {
    let mut chunks = Vec::new();
    for index in 0..chunk_count_of_job(blobs, job_id).await? {
        if let Some(chunk) = get_optional_json::<Extraction>(blobs, &keys::chunk(job_id, index)).await? {
            chunks.push(chunk);
        }
    }
    job_usage(blobs, job_id, &chunks).await
}

/// `JobFailed`: ends the execution with the caught error, raised again under its own name.
/// When an operator re-drives the execution, Step Functions restarts at this state (the
/// one that failed) in a later attempt: then the job is marked running again and the
/// workflow resumes at the first step whose result is missing (`ResumeJob`).
pub async fn job_failed(
    input: &JobFailedInput,
    jobs: &dyn JobStore,
    events: &dyn EventBus,
) -> Result<Resumed, DocexError> {
    if input.attempt <= input.failed_in_attempt {
        return Err(DocexError::Reraised(docex_core::error::ErrorReport {
            name: input.error.clone(),
            message: docex_core::error::readable_cause(&input.cause),
        }));
    }
    set_status(jobs, events, update(&input.job_id, JobStatus::Running, None, None)).await?;
    Ok(Resumed { attempt: input.attempt })
}

/// Records a status on the job and announces it. Both are idempotent: the store ignores an
/// update it has seen, and listeners ignore an event they have seen.
async fn set_status(jobs: &dyn JobStore, events: &dyn EventBus, update: StatusUpdate) -> Result<(), DocexError> {
    jobs.set_status(&update).await?;
    let job = job_record(jobs, &update.job_id).await?;
    events.publish(&JobEvent::new(&job.owner, &update)).await
}

async fn job_record(jobs: &dyn JobStore, job_id: &str) -> Result<docex_core::JobRecord, DocexError> {
    jobs.get(job_id).await?.ok_or_else(|| DocexError::InvalidInput(format!("no job {job_id}")))
}

fn update(
    job_id: &str,
    status: JobStatus,
    error: Option<docex_core::error::ErrorReport>,
    confidence: Option<f64>,
) -> StatusUpdate {
    StatusUpdate { job_id: job_id.to_string(), status, error, confidence, at: now() }
}

/// The current time as RFC 3339, as every store records it.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn put_json<T: Serialize>(blobs: &dyn BlobStore, key: &str, value: &T) -> Result<(), DocexError> {
    let bytes = serde_json::to_vec(value).map_err(|e| DocexError::Storage(format!("cannot encode {key}: {e}")))?;
    blobs.put(key, bytes).await
}

async fn get_json<T: DeserializeOwned>(blobs: &dyn BlobStore, key: &str) -> Result<T, DocexError> {
    get_optional_json(blobs, key).await?.ok_or_else(|| DocexError::Storage(format!("missing object {key}")))
}

/// `Ok(None)` when there is no object under `key`.
async fn get_optional_json<T: DeserializeOwned>(blobs: &dyn BlobStore, key: &str) -> Result<Option<T>, DocexError> {
    match blobs.get(key).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| DocexError::Storage(format!("cannot decode {key}: {e}"))),
    }
}

/// The Task states of `statemachine/docex.asl.json` and the resource each is bound to: the
/// name inside its `${..._arn}` placeholder, or the service integration's ARN.
pub const TASK_RESOURCES: &[(&str, &str)] = &[
    ("PrepareDocument", "prepare_document"),
    ("ExtractChunk", "extract_chunk"),
    ("MergeAndValidate", "merge_and_validate"),
    ("StoreResult", "store_result"),
    ("RenderReport", "render_report"),
    ("CompleteJob", "complete_job"),
    ("RecordFailure", "record_failure"),
    ("JobFailed", "job_failed"),
    ("SendToDeadLetterQueue", SQS_SEND_MESSAGE),
];

/// The Step Functions SQS integration the definition sends dead letters with.
pub const SQS_SEND_MESSAGE: &str = "arn:aws:states:::sqs:sendMessage";

/// Every port the workflow's tasks use, as one set: what a home binds the definition's Task
/// states to when it runs the whole workflow in one process (the local engine with
/// embedded adapters, or with the AWS adapters in the tests that stand in for Step
/// Functions). A Lambda wires only the ports of its own task.
#[derive(Clone)]
pub struct Ports {
    pub blobs: Arc<dyn BlobStore>,
    pub jobs: Arc<dyn JobStore>,
    pub results: Arc<dyn ResultStore>,
    pub specs: Arc<dyn SpecStore>,
    pub renderer: Arc<dyn Renderer>,
    pub reader: Arc<dyn DocumentReader>,
    pub extractor: Arc<dyn Extractor>,
    pub events: Arc<dyn EventBus>,
    pub dead_letters: Arc<dyn DeadLetterQueue>,
}

impl Ports {
    /// Runs the task bound to `resource` (see [`TASK_RESOURCES`]) on a state's input.
    pub async fn run(&self, resource: &str, input: Value) -> Result<Value, DocexError> {
        let (blobs, jobs, events) = (&*self.blobs, &*self.jobs, &*self.events);
        match resource {
            "prepare_document" => encode(prepare(&decode(input)?, blobs, jobs, &*self.reader, events).await?),
            "extract_chunk" => encode(extract(&decode(input)?, blobs, &*self.specs, &*self.extractor).await?),
            "merge_and_validate" => {
                encode(merge(&decode(input)?, blobs, jobs, &*self.specs, self.extractor.name()).await?)
            }
            "store_result" => encode(store(&decode(input)?, blobs, &*self.specs, &*self.results).await?),
            "render_report" => encode(render(&decode(input)?, blobs, &*self.renderer).await?),
            "complete_job" => encode(complete(&decode(input)?, blobs, jobs, events).await?),
            "record_failure" => encode(record_failure(&decode(input)?, blobs, jobs, events).await?),
            "job_failed" => encode(job_failed(&decode(input)?, jobs, events).await?),
            SQS_SEND_MESSAGE => {
                let body = input.get("MessageBody").cloned().unwrap_or(Value::Null);
                let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                let letter =
                    DeadLetter { job_id: text("job_id"), error: text("error"), cause: text("cause"), at: now() };
                self.dead_letters.send(&letter).await?;
                Ok(serde_json::json!({"MessageId": letter.job_id}))
            }
            other => Err(DocexError::InvalidInput(format!("no task bound to {other}"))),
        }
    }
}

fn decode<T: DeserializeOwned>(input: Value) -> Result<T, DocexError> {
    serde_json::from_value(input).map_err(|e| DocexError::InvalidInput(format!("task input: {e}")))
}

fn encode<T: Serialize>(output: T) -> Result<Value, DocexError> {
    serde_json::to_value(output).map_err(|e| DocexError::InvalidInput(format!("task output: {e}")))
}
