//! docex's REST API (described by `openapi.yaml` beside this crate): an axum [`Router`] over
//! the core's ports, so the same routes and code serve in the API Lambda (behind API
//! Gateway, AWS adapters; see [`lambda`]) and in `docex serve` (embedded adapters).
//!
//! | route                        | what it does |
//! |------------------------------|--------------|
//! | `GET /health`                | liveness, no user needed |
//! | `POST /jobs`                 | creates a job and returns a short-lived upload URL for its PDF; the upload starts the workflow |
//! | `GET /jobs`                  | the caller's jobs, newest first, paged, optionally by status |
//! | `GET /jobs/{id}`             | a job and its status history |
//! | `GET /jobs/{id}/result`      | the result JSON and a short-lived report download URL |
//! | `PATCH /jobs/{id}/fields`    | a reviewer's correction of a finished job's values (a JSON Patch), kept with who and when; re-checks the result and re-renders the report |
//! | `POST /jobs/{id}/redrive`    | re-drives a failed job from the state that failed |
//! | `GET /specs`, `GET /templates` | what a job can be run with |
//!
//! Who calls is not the router's business: whatever authenticates the request (the API
//! Gateway authorizer, or `docex serve`) puts a [`Caller`] into the request's extensions.
//! A request without one is `401 Api.Unauthorized`, and every job route is scoped to the
//! caller: another user's job is `404 Api.JobNotFound`, exactly like a job that does not
//! exist. Errors are JSON (see [`error`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, patch, post};
use docex_core::api::{Catalog, Corrections, JobQueries, SignedUrls, WorkflowControl};
use docex_core::{BlobStore, DocexError, SpecStore};

pub mod corrections;
pub mod error;
mod jobs;
#[cfg(feature = "lambda")]
pub mod lambda;

pub use error::ApiError;

/// Every route of the API as `(method, path)`; the router is built from this list, and a
/// test checks that `openapi.yaml` describes exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("POST", "/jobs"),
    ("GET", "/jobs"),
    ("GET", "/jobs/{id}"),
    ("GET", "/jobs/{id}/result"),
    ("PATCH", "/jobs/{id}/fields"),
    ("POST", "/jobs/{id}/redrive"),
    ("GET", "/specs"),
    ("GET", "/templates"),
];

/// The largest request body the API reads (job creation is a few hundred bytes; a
/// correction of many line items a few KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The environment variable with the browser origin allowed to call the API (CORS), e.g.
/// `https://docex.example.com`; unset, no CORS headers are sent.
pub const ALLOWED_ORIGIN: &str = "DOCEX_ALLOWED_ORIGIN";

/// The ports the API runs over.
#[derive(Clone)]
pub struct Ports {
    pub jobs: Arc<dyn JobQueries>,
    pub blobs: Arc<dyn BlobStore>,
    pub urls: Arc<dyn SignedUrls>,
    pub specs: Arc<dyn SpecStore>,
    pub catalog: Arc<dyn Catalog>,
    pub workflows: Arc<dyn WorkflowControl>,
    pub corrections: Arc<dyn Corrections>,
}

/// How the API behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The browser origin allowed by CORS (`*` for any).
    pub allowed_origin: Option<String>,
    /// How long an upload URL is valid.
    pub upload_expiry: Duration,
    /// How long a report download URL is valid.
    pub download_expiry: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            allowed_origin: None,
            upload_expiry: Duration::from_secs(15 * 60),
            download_expiry: Duration::from_secs(5 * 60),
        }
    }
}

impl Settings {
    /// The defaults, with the allowed origin from `DOCEX_ALLOWED_ORIGIN`, which must be
    /// `*` or an origin (`scheme://host[:port]`, nothing after it).
    pub fn from_env() -> Result<Settings, DocexError> {
        let allowed_origin = std::env::var(ALLOWED_ORIGIN).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(origin) = &allowed_origin {
            check_origin(origin)?;
        }
        Ok(Settings { allowed_origin, ..Settings::default() })
    }
}

fn check_origin(origin: &str) -> Result<(), DocexError> {
    let valid = origin == "*"
        || (origin.split_once("://").is_some_and(|(scheme, rest)| {
            (scheme == "https" || scheme == "http") && !rest.is_empty() && !rest.contains('/')
        }) && HeaderValue::from_str(origin).is_ok());
    if valid {
        Ok(())
    } else {
        Err(DocexError::InvalidInput(format!(
            "{ALLOWED_ORIGIN} must be * or an origin like https://host, not {origin:?}"
        )))
    }
}

/// The signed-in user a request is made for: `owner` is the user's stable id (the Cognito
/// `sub` on AWS). Put into the request's extensions by whatever authenticated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub owner: String,
}

impl Caller {
    /// A caller, if `owner` can be one: 1 to 256 printable characters.
    pub fn new(owner: &str) -> Option<Caller> {
        let valid = !owner.is_empty() && owner.len() <= 256 && !owner.chars().any(char::is_control);
        valid.then(|| Caller { owner: owner.to_string() })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Caller, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(ApiError::unauthorized)
    }
}

pub(crate) struct App {
    pub ports: Ports,
    pub settings: Settings,
}

pub(crate) type AppState = Arc<App>;

/// The handler of one route of [`ROUTES`].
fn route(method: &str, path: &str) -> Option<MethodRouter<AppState>> {
    Some(match (method, path) {
        ("GET", "/health") => get(jobs::health),
        ("POST", "/jobs") => post(jobs::create),
        ("GET", "/jobs") => get(jobs::list),
        ("GET", "/jobs/{id}") => get(jobs::show),
        ("GET", "/jobs/{id}/result") => get(jobs::result),
        ("PATCH", "/jobs/{id}/fields") => patch(jobs::correct_fields),
        ("POST", "/jobs/{id}/redrive") => post(jobs::redrive),
        ("GET", "/specs") => get(jobs::specs),
        ("GET", "/templates") => get(jobs::templates),
        _ => return None,
    })
}

/// The API over `ports`.
pub fn router(ports: Ports, settings: Settings) -> Router {
    let origin = settings.allowed_origin.as_deref().and_then(|o| HeaderValue::from_str(o).ok());
    let mut router = Router::new();
    for (method, path) in ROUTES {
        if let Some(handler) = route(method, path) {
            router = router.route(path, handler);
        }
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(origin, cors))
        .with_state(Arc::new(App { ports, settings }))
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::new(StatusCode::NOT_FOUND, "Api.RouteNotFound", format!("no route {method} {path}"))
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Api.MethodNotAllowed", format!("{path} does not take {method}"))
}

/// CORS for one allowed origin: answers preflights (`OPTIONS` with
/// `Access-Control-Request-Method`) itself and marks every response.
async fn cors(State(origin): State<Option<HeaderValue>>, request: Request, next: Next) -> Response {
    let Some(origin) = origin else { return next.run(request).await };
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, PATCH, OPTIONS"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("location"));
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_route_has_a_handler() {
        for (method, path) in ROUTES {
            assert!(route(method, path).is_some(), "{method} {path}");
        }
        assert!(route("DELETE", "/jobs").is_none());
    }

    #[test]
    fn origins_are_checked() {
        for good in ["*", "https://docex.example.com", "http://127.0.0.1:5173"] {
            assert!(check_origin(good).is_ok(), "{good}");
        }
        for bad in ["docex.example.com", "https://", "https://a/b", "ftp://a", "https://a\nb"] {
            assert!(check_origin(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn owners_are_short_printable_ids() {
        assert_eq!(Caller::new("u-1").map(|c| c.owner), Some("u-1".to_string()));
        assert!(Caller::new("").is_none());
        assert!(Caller::new("a\u{0}b").is_none());
        assert!(Caller::new(&"x".repeat(257)).is_none());
    }
}
