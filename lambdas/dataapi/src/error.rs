//! The service's errors as it sends them: an HTTP status, the `x-amzn-errortype` header
//! with the error's shape name, and a JSON body `{"message": ...}` (plus `dbConnectionId`
//! for a statement timeout). PostgreSQL errors become `DatabaseErrorException` with
//! PostgreSQL's message and SQLSTATE, as Aurora PostgreSQL reports them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The error shapes this server answers with (a subset of the service's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    DatabaseError,
    NotFound,
    StatementTimeout,
    UnsupportedResult,
    DatabaseResuming,
    DatabaseUnavailable,
    InternalServerError,
}

impl ErrorKind {
    /// The shape name clients match on.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "BadRequestException",
            ErrorKind::DatabaseError => "DatabaseErrorException",
            ErrorKind::NotFound => "NotFoundException",
            ErrorKind::StatementTimeout => "StatementTimeoutException",
            ErrorKind::UnsupportedResult => "UnsupportedResultException",
            ErrorKind::DatabaseResuming => "DatabaseResumingException",
            ErrorKind::DatabaseUnavailable => "DatabaseUnavailableException",
            ErrorKind::InternalServerError => "InternalServerErrorException",
        }
    }

    /// The HTTP status the service documents for the shape.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::DatabaseUnavailable => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// The backend process of a timed-out statement.
    pub db_connection_id: Option<i64>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError { kind, message: message.into(), db_connection_id: None }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadRequest, message)
    }

    /// An error from PostgreSQL while running a statement.
    pub fn from_postgres(error: &tokio_postgres::Error) -> ApiError {
        match error.as_db_error() {
            Some(db) => {
                let code = db.code().code();
                let mut message = format!("ERROR: {}", db.message());
                if let Some(detail) = db.detail() {
                    message.push_str(&format!("\n  Detail: {detail}"));
                }
                if let Some(tokio_postgres::error::ErrorPosition::Original(position)) = db.position() {
                    message.push_str(&format!("\n  Position: {position}"));
                }
                message.push_str(&format!("; SQLState: {code}"));
                let kind = match code {
                    "57014" => ErrorKind::StatementTimeout,
                    "3D000" => ErrorKind::BadRequest,
                    _ => ErrorKind::DatabaseError,
                };
                ApiError::new(kind, message)
            }
            None if error.is_closed() => {
                ApiError::new(ErrorKind::DatabaseUnavailable, format!("The database connection was lost: {error}"))
            }
            None => ApiError::new(ErrorKind::DatabaseError, error.to_string()),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"message": self.message});
        if let Some(id) = self.db_connection_id {
            body["dbConnectionId"] = json!(id);
        }
        let mut response = (self.kind.status(), axum::Json(body)).into_response();
        response.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(self.kind.code()));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_their_shape_name_status_and_message() {
        let response = ApiError::new(ErrorKind::NotFound, "Transaction x is not found").into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()["x-amzn-errortype"], "NotFoundException");
        let response = ApiError::bad_request("bad").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()["x-amzn-errortype"], "BadRequestException");
    }
}
