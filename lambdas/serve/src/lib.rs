//! The HTTP server of `docex serve`: everything the AWS deployment spreads over API
//! Gateway, S3 presigned URLs and the status Lambda, in one process on one port.
//!
//! | path | what it is |
//! |------|------------|
//! | `/api/…` | the REST API (`api::router`, `lambdas/api/openapi.yaml`), for the caller [`auth`] names |
//! | `GET /api/ws` | a WebSocket pushing the caller's job events as JSON ([`live`]) |
//! | `PUT /uploads/<key>?expires=…&signature=…` | a job's document, through the URL `POST /api/jobs` returned ([`objects`]); queues the job |
//! | `GET /downloads/<key>?expires=…&filename=…&signature=…` | a report, through the URL `GET /api/jobs/{id}/result` returned |
//! | `GET /config.json` | where the app finds the API, the socket and the sign-in ([`web`]) |
//! | anything else | the browser app's files (`--web DIR`) |
//!
//! The crate knows nothing of where jobs are kept or how they run: it is given the API's
//! ports and a [`Backend`] that takes uploads and streams job events (the embedded mode's
//! SQLite queue and in-process bus, wired in `docex-local`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::routing::{get, put};
use docex_core::{DocexError, JobEvent};
use tokio::sync::{broadcast, watch};

pub mod auth;
pub mod live;
pub mod objects;
pub mod signed;
pub mod web;

pub use auth::Authentication;
pub use signed::{LocalUrls, UrlSigner};
pub use web::SignIn;

/// The status socket's route inside the API ([`web::WEBSOCKET_PATH`] from outside).
pub const SOCKET_ROUTE: &str = "/ws";

/// What became of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// Stored, and the job is queued.
    Queued,
    /// The job's document came before; nothing changed.
    AlreadyUploaded,
    /// The job does not exist.
    NoSuchJob,
}

/// What the server needs besides the API's ports.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Takes the uploaded document of a job: stores it and queues the job's workflow.
    async fn accept_upload(&self, job_id: &str, document: Vec<u8>) -> Result<Upload, DocexError>;
    /// Every job event published from now on (the server passes on each to its owner).
    fn subscribe(&self) -> broadcast::Receiver<JobEvent>;
}

/// How the server is set up.
pub struct Options {
    /// The browser app's build folder.
    pub web: PathBuf,
    /// Token sign-in, or `None` for the single local user.
    pub sign_in: Option<SignIn>,
    /// The owner of every job when there is no sign-in.
    pub local_owner: String,
    /// The largest document an upload may carry.
    pub max_upload_bytes: usize,
    pub api: api::Settings,
}

/// Everything the routes work with.
pub struct Server {
    /// The API's ports; `urls` should be a [`LocalUrls`] over `signer`.
    pub ports: api::Ports,
    pub backend: Arc<dyn Backend>,
    pub signer: Arc<UrlSigner>,
}

/// The whole server as one router. When `stop` turns true, the status sockets close (so
/// that a graceful shutdown does not wait on them).
pub fn router(server: Server, options: Options, stop: watch::Receiver<bool>) -> Router {
    let authentication = match &options.sign_in {
        None => Authentication::SingleUser(options.local_owner.clone()),
        Some(sign_in) => Authentication::Tokens(Arc::new(authorizer::Verifier::new(authorizer::Pool::new(
            &sign_in.issuer,
            &sign_in.client_id,
            sign_in.jwks_url.as_deref(),
        )))),
    };
    let live = Arc::new(live::Live { backend: server.backend.clone(), stop });
    let api = api::router(server.ports.clone(), options.api.clone())
        .route(SOCKET_ROUTE, get(live::connect).with_state(live))
        .layer(axum::middleware::from_fn_with_state(authentication, auth::authenticate))
        .layer(axum::middleware::from_fn(signed::with_request_base));
    let objects = Arc::new(objects::Objects {
        signer: server.signer,
        backend: server.backend,
        blobs: server.ports.blobs,
        max_upload_bytes: options.max_upload_bytes,
    });
    let config = Arc::new(web::config(options.sign_in.as_ref()));
    Router::new()
        .nest(web::API_PATH, api)
        .route("/uploads/{*key}", put(objects::upload).with_state(objects.clone()))
        .route("/downloads/{*key}", get(objects::download).with_state(objects))
        .route("/config.json", get(web::config_json).with_state(config))
        .fallback_service(get(web::app_files).with_state(Arc::new(options.web)))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DocexError> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(?addr, "serving");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| DocexError::Storage(format!("the server stopped: {e}")))
}

/// Resolves on Ctrl-C (or SIGTERM on Unix).
pub async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
