//! The route handlers. Each job route first loads the job and checks that the caller owns
//! it; a job of someone else is answered exactly like a missing one.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docex_core::api::{MAX_PAGE_SIZE, ReportState, default_template};
use docex_core::job::{is_valid_job_id, keys};
use docex_core::{DocexError, JobRecord, JobResult, JobStatus, StatusUpdate};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::corrections::{self, CorrectFields};
use crate::{ApiError, AppState, Caller};

/// The content type an upload must be sent with.
pub const UPLOAD_CONTENT_TYPE: &str = "application/pdf";
/// The longest display name of a document, in characters.
pub const MAX_DOCUMENT_NAME: usize = 255;
/// Jobs per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The longest page token the API accepts.
const MAX_PAGE_TOKEN: usize = 8192;

/// A JSON body whose rejections are named API errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<ApiJson<T>, ApiError> {
        Ok(ApiJson(Json::<T>::from_request(request, state).await?.0))
    }
}

/// A job id from the path, checked.
pub struct JobId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for JobId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<JobId, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        if is_valid_job_id(&id) { Ok(JobId(id)) } else { Err(ApiError::invalid_job_id(&id)) }
    }
}

/// The caller's job `job_id`.
async fn owned_job(state: &AppState, caller: &Caller, job_id: &str) -> Result<JobRecord, ApiError> {
    match state.ports.jobs.get(job_id).await? {
        Some(job) if job.owner == caller.owner => Ok(job),
        _ => Err(ApiError::job_not_found(job_id)),
    }
}

pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    /// The file's name, shown to the user; never a path or a key.
    document: String,
    spec: String,
    template: Option<String>,
}

/// A spec or template name: letters, digits, `-` and `_`, at most 64. Anything else cannot
/// name one (and must never reach a store that resolves names to files).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_document_name(name: &str) -> Result<(), ApiError> {
    let invalid = |why: &str| ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidDocumentName", why.to_string());
    if name.trim().is_empty() {
        return Err(invalid("the document needs a name"));
    }
    if name.chars().count() > MAX_DOCUMENT_NAME {
        return Err(invalid(&format!("a document name has at most {MAX_DOCUMENT_NAME} characters")));
    }
    if name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err(invalid("a document name is a file name: no control characters, '/' or '\\'"));
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ApiJson<CreateJob>,
) -> Result<Response, ApiError> {
    let ApiJson(body) = body;
    check_document_name(&body.document)?;
    if !is_plain_name(&body.spec) {
        return Err(DocexError::SpecNotFound(body.spec.chars().take(100).collect()).into());
    }
    // Loading the spec checks that it exists and is valid before anything is uploaded.
    state.ports.specs.spec(&body.spec).await?;
    let templates = state.ports.catalog.template_names().await?;
    let template = match body.template {
        Some(template) if is_plain_name(&template) && templates.contains(&template) => template,
        Some(template) => return Err(DocexError::TemplateNotFound(template.chars().take(100).collect()).into()),
        None => default_template(&body.spec, &templates),
    };
    let job_id = uuid::Uuid::new_v4().to_string();
    // Signing has no side effect: it comes first, so a failure leaves no job behind.
    let upload =
        state.ports.urls.upload_url(&keys::input(&job_id), UPLOAD_CONTENT_TYPE, state.settings.upload_expiry).await?;
    let now = now_rfc3339();
    let job = JobRecord {
        job_id: job_id.clone(),
        owner: caller.owner,
        document: body.document,
        spec: body.spec,
        template,
        status: JobStatus::Queued,
        error: None,
        confidence: None,
        created_at: now.clone(),
        updated_at: now,
    };
    if !state.ports.jobs.create(&job).await? {
        // A fresh random id that exists already: nothing sensible to do but fail.
        return Err(DocexError::Storage(format!("the new job id {job_id} exists already")).into());
    }
    let mut response = (StatusCode::CREATED, Json(json!({"job": job, "upload": upload}))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/jobs/{job_id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    page_token: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(JobStatus::parse(text).ok_or_else(|| {
            ApiError::invalid_query("status is one of QUEUED, RUNNING, SUCCEEDED, NEEDS_REVIEW, FAILED")
        })?),
    };
    let limit = match query.limit.as_deref().filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| ApiError::invalid_query(format!("limit is a number from 1 to {MAX_PAGE_SIZE}")))?,
    };
    let token = query.page_token.as_deref().filter(|s| !s.is_empty());
    if token.is_some_and(|t| t.len() > MAX_PAGE_TOKEN) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidPageToken", "the page token is not valid"));
    }
    let page = state.ports.jobs.jobs_of(&caller.owner, status, limit, token).await.map_err(|e| match e {
        DocexError::InvalidInput(_) if token.is_some() => {
            ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidPageToken", "the page token is not valid")
        }
        other => other.into(),
    })?;
    Ok(Json(json!({"jobs": page.jobs, "next_page_token": page.next_page_token})))
}

pub async fn show(State(state): State<AppState>, caller: Caller, JobId(id): JobId) -> Result<Json<Value>, ApiError> {
    let job = owned_job(&state, &caller, &id).await?;
    let history = state.ports.jobs.status_history(&id).await?;
    let states = state.ports.workflows.state_runs(&id).await?;
    Ok(Json(json!({"job": job, "history": history, "states": states})))
}

/// The name a report is saved under: the document's name without `.pdf`, then `-report.pdf`.
fn report_file_name(document: &str) -> String {
    let stem = match document.len().checked_sub(4) {
        Some(cut) if document.is_char_boundary(cut) && document[cut..].eq_ignore_ascii_case(".pdf") => &document[..cut],
        _ => document,
    };
    format!("{stem}-report.pdf")
}

/// The stored result of job `id`, decoded as `T`.
async fn stored_result<T: DeserializeOwned>(state: &AppState, id: &str) -> Result<T, ApiError> {
    let Some(bytes) = state.ports.blobs.get(&keys::result(id)).await? else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Api.ResultNotFound", format!("job {id} has no result")));
    };
    Ok(serde_json::from_slice(&bytes)
        .map_err(|e| DocexError::Storage(format!("the result of job {id} cannot be read: {e}")))?)
}

/// A short-lived download of the report of `job`.
async fn report_download(state: &AppState, job: &JobRecord) -> Result<docex_core::api::SignedRequest, ApiError> {
    let name = report_file_name(&job.document);
    Ok(state.ports.urls.download_url(&keys::report(&job.job_id), state.settings.download_expiry, Some(&name)).await?)
}

pub async fn result(State(state): State<AppState>, caller: Caller, JobId(id): JobId) -> Result<Json<Value>, ApiError> {
    let job = owned_job(&state, &caller, &id).await?;
    if !job.status.is_finished() {
        return Err(ApiError::conflict(
            "Api.ResultNotReady",
            format!("job {id} is {}: its result is not ready yet", job.status.as_str()),
        ));
    }
    let result: Value = stored_result(&state, &id).await?;
    if !result.is_object() {
        return Err(DocexError::Storage(format!("the result of job {id} is not a JSON object")).into());
    }
    // The report is rendered after the result is written and before the job completes: it
    // exists when the job finished without failing.
    let has_report = job.status != JobStatus::Failed && result.get("report").is_some_and(|r| !r.is_null());
    let report = if has_report { Some(report_download(&state, &job).await?) } else { None };
    // The uploaded PDF, for showing the evidence on its pages (in any browser tab).
    let document =
        state.ports.urls.download_url(&keys::input(&id), state.settings.download_expiry, Some(&job.document)).await?;
    Ok(Json(json!({"result": result, "report": report, "document": document})))
}

/// `PATCH /jobs/{id}/fields`: a reviewer's correction of a finished job's values (see
/// [`corrections`]). The corrected result replaces `result.json`, the job takes the status
/// the checks give, and [`docex_core::api::Corrections`] stores the result and renders the
/// report again: the answer says whether the new report is ready or pending.
pub async fn correct_fields(
    State(state): State<AppState>,
    caller: Caller,
    JobId(id): JobId,
    body: ApiJson<CorrectFields>,
) -> Result<Json<Value>, ApiError> {
    let ApiJson(body) = body;
    let job = owned_job(&state, &caller, &id).await?;
    if !matches!(job.status, JobStatus::Succeeded | JobStatus::NeedsReview) {
        return Err(ApiError::conflict(
            "Api.JobNotEditable",
            format!(
                "job {id} is {}: only a succeeded job or one that needs review can be corrected",
                job.status.as_str()
            ),
        ));
    }
    let result: JobResult = stored_result(&state, &id).await?;
    let spec = state.ports.specs.spec(&job.spec).await?;
    let at = now_rfc3339();
    let corrected = corrections::correct(&spec, &result, &body.edits, &caller.owner, &at)?;
    let bytes = serde_json::to_vec(&corrected)
        .map_err(|e| DocexError::Storage(format!("cannot encode the result of job {id}: {e}")))?;
    state.ports.blobs.put(&keys::result(&id), bytes).await?;
    let update = StatusUpdate {
        job_id: id.clone(),
        status: corrected.status,
        error: None,
        confidence: Some(corrected.confidence),
        at: at.clone(),
    };
    state.ports.jobs.set_status(&update).await?;
    let job = JobRecord { status: corrected.status, confidence: Some(corrected.confidence), updated_at: at, ..job };
    let report_state = state.ports.corrections.result_corrected(&job, &update).await?;
    let download = match report_state {
        ReportState::Ready => Some(report_download(&state, &job).await?),
        ReportState::Pending => None,
    };
    Ok(Json(json!({"job": job, "result": corrected, "report": {"state": report_state, "download": download}})))
}

/// The current time as every store records it (RFC 3339, milliseconds).
fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub async fn redrive(State(state): State<AppState>, caller: Caller, JobId(id): JobId) -> Result<Response, ApiError> {
    let job = owned_job(&state, &caller, &id).await?;
    if job.status != JobStatus::Failed {
        return Err(ApiError::conflict(
            "Api.JobNotFailed",
            format!("job {id} is {}: only a failed job can be re-driven", job.status.as_str()),
        ));
    }
    let redriven_at = state.ports.workflows.redrive_job(&id).await.map_err(|e| match e {
        DocexError::InvalidInput(message) => ApiError::conflict("Api.NotRedrivable", message),
        other => other.into(),
    })?;
    Ok((StatusCode::ACCEPTED, Json(json!({"job": job, "redriven_at": redriven_at}))).into_response())
}

pub async fn specs(State(state): State<AppState>, _caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"specs": state.ports.catalog.spec_names().await?})))
}

pub async fn templates(State(state): State<AppState>, _caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"templates": state.ports.catalog.template_names().await?})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_are_file_names() {
        assert!(check_document_name("Rechnung März 2026.pdf").is_ok());
        for bad in ["", "   ", "../etc/passwd", "a\\b.pdf", "a\nb.pdf", &"x".repeat(256)] {
            assert_eq!(check_document_name(bad).unwrap_err().name, "Api.InvalidDocumentName", "{bad:?}");
        }
    }

    #[test]
    fn reports_are_named_after_their_document() {
        assert_eq!(report_file_name("invoice.PDF"), "invoice-report.pdf");
        assert_eq!(report_file_name("scan"), "scan-report.pdf");
        assert_eq!(report_file_name("März.pdf"), "März-report.pdf");
        assert_eq!(report_file_name("ü"), "ü-report.pdf");
    }
}
