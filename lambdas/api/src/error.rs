//! Errors as the API answers them: a status and the JSON body
//! `{"error": {"name": "Api.*" | "Docex.*", "message": "..."}}`. Names are stable; clients
//! branch on them. A failure of docex's own (storage, a throttled service) keeps its
//! `Docex.*` name but not its detail, which is logged instead: it may name buckets or tables.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docex_core::{DocexError, ErrorName};
use serde_json::json;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub name: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, name: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, name: name.to_string(), message: message.into() }
    }

    /// `401 Api.Unauthorized`: no signed-in user.
    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Api.Unauthorized", "sign in first: the request names no user")
    }

    /// `404 Api.JobNotFound`: no such job, or another user's (the two are not told apart).
    pub fn job_not_found(job_id: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Api.JobNotFound", format!("no job {job_id}"))
    }

    pub fn invalid_job_id(job_id: &str) -> ApiError {
        let shown: String = job_id.chars().take(100).collect();
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "Api.InvalidJobId",
            format!("not a job id: {shown:?} (1 to 80 letters, digits, '-' or '_')"),
        )
    }

    pub fn invalid_query(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidQuery", message)
    }

    pub fn invalid_body(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidBody", message)
    }

    pub fn conflict(name: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, name, message)
    }
}

impl From<DocexError> for ApiError {
    fn from(error: DocexError) -> ApiError {
        use DocexError::*;
        let name = error.name().to_string();
        let (status, message) = match &error {
            // What the caller asked for or sent.
            InvalidInput(_) | SpecNotFound(_) | SpecInvalid(_) | TemplateNotFound(_) | TemplateInvalid(_)
            | EmptyFile | NotPdf(_) => (StatusCode::BAD_REQUEST, error.to_string()),
            Throttled(_) | Transient(_) => {
                tracing::warn!(error_name = %name, error = %error, "a request failed for a while");
                (StatusCode::SERVICE_UNAVAILABLE, "the service is busy; try again shortly".to_string())
            }
            _ => {
                tracing::error!(error_name = %name, error = %error, "a request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "the service failed; try again later".to_string())
            }
        };
        ApiError { status, name, message }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Api.UnsupportedMediaType",
                "send the body as JSON, with Content-Type: application/json",
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "Api.MalformedJson",
                format!("the body is not JSON: {}", e.body_text()),
            ),
            JsonRejection::JsonDataError(e) => ApiError::invalid_body(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Api.PayloadTooLarge", "the body is too large")
            }
            other => ApiError::invalid_body(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::invalid_query(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "Api.InvalidPath", rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"name": self.name, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docex_errors_keep_their_names_and_hide_internal_detail() {
        let bad = ApiError::from(DocexError::SpecNotFound("nope".into()));
        assert_eq!((bad.status, bad.name.as_str()), (StatusCode::BAD_REQUEST, "Docex.SpecNotFound"));
        assert!(bad.message.contains("nope"));
        let storage = ApiError::from(DocexError::Storage("S3 GetObject secret-bucket/key".into()));
        assert_eq!((storage.status, storage.name.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, "Docex.Storage"));
        assert!(!storage.message.contains("secret-bucket"));
        let busy = ApiError::from(DocexError::Throttled("DynamoDB".into()));
        assert_eq!((busy.status, busy.name.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "Docex.Throttled"));
    }
}
