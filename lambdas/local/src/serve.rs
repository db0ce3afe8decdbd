//! `docex serve` over the embedded adapters: the server of `docex-serve` with the API's
//! ports bound to the data directory (SQLite jobs and their history, file blobs, signed
//! local URLs, local specs and templates), uploads taken into the durable [`JobQueue`],
//! job events from the in-process bus, and the queue's workers running jobs in the
//! background until the server stops.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use docex_core::job::keys;
use docex_core::{BlobStore, DocexError, JobEvent, JobStore};
use docex_serve::{Backend, LocalUrls, SignIn, Upload, UrlSigner};
use docex_tasks::JobInput;
use tokio::sync::{broadcast, watch};

use crate::catalog::LocalCatalog;
use crate::commands::LOCAL_OWNER;
use crate::datadir::DataDir;
use crate::queue::JobQueue;
use crate::workflow::LocalWorkflow;

/// The file in the data directory holding the key local URLs are signed with.
pub const URL_KEY_FILE: &str = "url-signing.key";

/// How `docex serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// The browser app's build folder.
    pub web: PathBuf,
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// Token sign-in; without it every request is the local user.
    pub sign_in: Option<SignIn>,
}

/// Uploads into the blob store and the queue; events from the local bus.
struct EmbeddedBackend {
    queue: Arc<JobQueue>,
}

#[async_trait]
impl Backend for EmbeddedBackend {
    async fn accept_upload(&self, job_id: &str, document: Vec<u8>) -> Result<Upload, DocexError> {
        let adapters = self.queue.workflow().adapters();
        let Some(job) = adapters.store.get(job_id).await? else { return Ok(Upload::NoSuchJob) };
        // A job runs what was uploaded first; a second upload must not replace it underneath.
        if self.queue.was_queued(job_id)? {
            return Ok(Upload::AlreadyUploaded);
        }
        adapters.blobs.put(&keys::input(job_id), document).await?;
        let input = JobInput { job_id: job.job_id, spec: job.spec, template: job.template };
        Ok(if self.queue.enqueue_start(&input)? { Upload::Queued } else { Upload::AlreadyUploaded })
    }

    fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.queue.workflow().adapters().events.subscribe()
    }
}

/// A server that is running.
pub struct Served {
    /// Where it listens (the port the system chose, for port 0).
    pub addr: SocketAddr,
    /// Ends when the server has stopped and its running jobs have finished.
    pub done: tokio::task::JoinHandle<Result<(), DocexError>>,
}

/// Starts the server and its workers. Jobs queued or interrupted before are taken up
/// again first. When `shutdown` resolves, the server stops taking requests, closes the
/// status sockets, takes no new job from the queue and waits for the running ones; jobs
/// still queued stay in the queue for the next start.
pub async fn start(
    workflow: Arc<LocalWorkflow>,
    data: &DataDir,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Served, DocexError> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| DocexError::InvalidInput(format!("cannot listen on {}: {e}", options.addr)))?;
    let addr = listener.local_addr().map_err(|e| DocexError::Storage(e.to_string()))?;
    let signer = Arc::new(UrlSigner::from_key_file(&data.root().join(URL_KEY_FILE))?);

    let queue = JobQueue::new(workflow.clone());
    let resumed = queue.recover()?;
    let pending = queue.pending()?;
    if pending > 0 {
        tracing::info!(pending, resumed, "taking up jobs queued before the last stop");
    }
    let (stop, stopped) = watch::channel(false);
    let workers = tokio::spawn(queue.clone().run(options.concurrency, stopped.clone()));

    let adapters = workflow.adapters();
    let ports = api::Ports {
        jobs: adapters.store.clone(),
        blobs: adapters.blobs.clone() as Arc<dyn BlobStore>,
        urls: Arc::new(LocalUrls::new(signer.clone(), format!("http://{addr}"))),
        specs: adapters.specs.clone(),
        catalog: Arc::new(LocalCatalog::new(adapters.specs.clone(), data.templates())),
        workflows: queue.clone(),
        corrections: Arc::new(crate::reviews::LocalCorrections::new(adapters)),
    };
    let server = docex_serve::Server { ports, backend: Arc::new(EmbeddedBackend { queue }), signer };
    let max_upload_bytes = usize::try_from(adapters.reader.limits.max_bytes).unwrap_or(usize::MAX);
    let settings = docex_serve::Options {
        web: options.web,
        sign_in: options.sign_in,
        local_owner: LOCAL_OWNER.to_string(),
        max_upload_bytes,
        api: api::Settings::from_env()?,
    };
    let router = docex_serve::router(server, settings, stopped);
    let stopping = async move {
        shutdown.await;
        tracing::info!("stopping: no new requests or jobs");
        let _ = stop.send(true);
    };
    let done = tokio::spawn(async move {
        let served = docex_serve::serve(listener, router, stopping).await;
        if workers.await.is_err() {
            tracing::error!("the job workers stopped unexpectedly");
        }
        served
    });
    Ok(Served { addr, done })
}
