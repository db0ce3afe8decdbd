//! The object routes behind the signed URLs: `PUT /uploads/<key>` takes a job's document
//! and queues the job (the upload starts the workflow, as on AWS), `GET /downloads/<key>`
//! hands out a report or result. Each checks its URL's signature and expiry first; every
//! refusal is a JSON error like the API's.

use std::sync::Arc;

use api::ApiError;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docex_core::job::keys;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::signed::{Refusal, UrlSigner};
use crate::{Backend, Upload};

/// What the object routes need.
pub struct Objects {
    pub signer: Arc<UrlSigner>,
    pub backend: Arc<dyn Backend>,
    pub blobs: Arc<dyn docex_core::BlobStore>,
    /// The largest document an upload may carry.
    pub max_upload_bytes: usize,
}

#[derive(Debug, Deserialize)]
pub struct Signed {
    expires: Option<i64>,
    signature: Option<String>,
    filename: Option<String>,
}

fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::BadSignature => ApiError::new(
            StatusCode::FORBIDDEN,
            "Api.SignatureMismatch",
            "the URL's signature does not match it: use the URL exactly as the API gave it",
        ),
        Refusal::Expired => {
            ApiError::new(StatusCode::FORBIDDEN, "Api.UrlExpired", "the URL has expired: ask the API for a new one")
        }
    }
}

/// Checks the signature and expiry of a request for `key`.
fn check(objects: &Objects, method: &str, key: &str, query: &Signed, detail: &str) -> Result<(), ApiError> {
    let (Some(expires), Some(signature)) = (query.expires, query.signature.as_deref()) else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Api.UnsignedUrl",
            "the URL carries no signature: ask the API for one",
        ));
    };
    objects.signer.check(method, key, expires, detail, signature, chrono::Utc::now().timestamp()).map_err(refused)
}

fn query_of(query: Result<Query<Signed>, axum::extract::rejection::QueryRejection>) -> Result<Signed, ApiError> {
    Ok(query?.0)
}

pub async fn upload(
    State(objects): State<Arc<Objects>>,
    Path(key): Path<String>,
    query: Result<Query<Signed>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let query = query_of(query)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    check(&objects, "PUT", &key, &query, content_type)?;
    let Some(job_id) = keys::job_of_input(&key) else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "Api.NotAnUpload", "this URL does not take uploads"));
    };
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Api.PayloadTooLarge",
            format!("a document has at most {} bytes", objects.max_upload_bytes),
        )
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > objects.max_upload_bytes) {
        return Err(too_large());
    }
    let document = axum::body::to_bytes(body, objects.max_upload_bytes).await.map_err(|_| too_large())?;
    let size = document.len();
    match objects.backend.accept_upload(job_id, document.to_vec()).await? {
        Upload::Queued => {
            tracing::info!(job_id, bytes = size, "document uploaded, job queued");
            Ok(StatusCode::OK.into_response())
        }
        Upload::AlreadyUploaded => Err(ApiError::conflict(
            "Api.AlreadyUploaded",
            format!("the document of job {job_id} was uploaded already; create a new job for another"),
        )),
        Upload::NoSuchJob => Err(ApiError::job_not_found(job_id)),
    }
}

pub async fn download(
    State(objects): State<Arc<Objects>>,
    Path(key): Path<String>,
    query: Result<Query<Signed>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let query = query_of(query)?;
    let filename = query.filename.clone().unwrap_or_default();
    check(&objects, "GET", &key, &query, &filename)?;
    let Some(bytes) = objects.blobs.get(&key).await? else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Api.ObjectNotFound", "the object does not exist (any more)"));
    };
    let content_type = mime_guess::from_path(&key).first_or_octet_stream();
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !filename.is_empty()
        && let Ok(value) = HeaderValue::from_str(&content_disposition(&filename))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// What RFC 5987 lets a header parameter value carry unencoded (`attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with the name both as plain ASCII (for old clients) and exactly (RFC 6266).
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(filename, ATTR_CHAR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_quoted_safely() {
        assert_eq!(
            content_disposition("März \"x\".pdf"),
            "attachment; filename=\"M_rz _x_.pdf\"; filename*=UTF-8''M%C3%A4rz%20%22x%22.pdf"
        );
        assert!(HeaderValue::from_str(&content_disposition("a\r\nb.pdf")).is_ok());
    }
}
