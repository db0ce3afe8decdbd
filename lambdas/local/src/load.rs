//! The load test of `docex serve` (`docex loadtest`): a server on loopback with a fresh data
//! directory, and many uploaders at once, each doing what the browser app does: open the
//! status WebSocket, create a job, `PUT` the PDF to the signed URL, and wait for the job's
//! final status on the socket. It reports whether every job finished exactly once (from
//! an observer socket that sees every event, and from each job's status history through
//! the API), the throughput and the latency from creating a job to its final status.
//!
//! [`Client`] is the HTTP and WebSocket client it uses; the server's tests use it too.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docex_core::{DocexError, JobEvent};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::bench::percentile;
use crate::datadir::DataDir;
use crate::serve::{ServeOptions, start};

/// A client of one `docex serve`.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// Sent as a Bearer token (and `?token=` on the socket) when set.
    token: Option<String>,
}

/// A status WebSocket, open.
pub type StatusSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn client_error(what: &str, e: impl std::fmt::Display) -> DocexError {
    DocexError::Transient(format!("{what}: {e}"))
}

impl Client {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Client {
        Client { base: format!("http://{addr}"), http: reqwest::Client::new(), token }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to `path` of the server, with the token if any.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `POST /api/jobs`: the answer's body (`{"job", "upload"}`).
    pub async fn create_job(&self, document: &str, spec: &str) -> Result<Value, DocexError> {
        let response = self
            .request(reqwest::Method::POST, "/api/jobs")
            .json(&json!({"document": document, "spec": spec}))
            .send()
            .await
            .map_err(|e| client_error("POST /api/jobs", e))?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| client_error("POST /api/jobs", e))?;
        if status != reqwest::StatusCode::CREATED {
            return Err(client_error("POST /api/jobs", format!("{status}: {body}")));
        }
        Ok(body)
    }

    /// Sends `bytes` as the signed upload request of a created job says.
    pub async fn upload(&self, upload: &Value, bytes: Vec<u8>) -> Result<reqwest::Response, DocexError> {
        let url = upload["url"].as_str().ok_or_else(|| client_error("upload", "no URL"))?;
        let mut request = self.http.put(url).body(bytes);
        for (name, value) in upload["headers"].as_object().into_iter().flatten() {
            request = request.header(name, value.as_str().unwrap_or_default());
        }
        request.send().await.map_err(|e| client_error("PUT upload", e))
    }

    /// Opens the status WebSocket.
    pub async fn status_socket(&self) -> Result<StatusSocket, tokio_tungstenite::tungstenite::Error> {
        let mut url = format!("{}/api/ws", self.base.replacen("http", "ws", 1));
        if let Some(token) = &self.token {
            url.push_str(&format!("?token={token}"));
        }
        Ok(tokio_tungstenite::connect_async(url).await?.0)
    }
}

/// The next job event on a socket, if one comes before `deadline`.
pub async fn next_event(socket: &mut StatusSocket, deadline: Instant) -> Option<JobEvent> {
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await.ok()?? {
            Ok(Message::Text(text)) => match serde_json::from_str(&text) {
                Ok(event) => return Some(event),
                Err(e) => tracing::warn!(error = %e, "a status message that is not a job event"),
            },
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Options of [`run`].
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Uploads started at once.
    pub jobs: usize,
    /// Jobs the server runs at the same time.
    pub concurrency: usize,
    /// The PDF every job uploads.
    pub document: PathBuf,
    /// How long to wait for every job to finish.
    pub timeout: Duration,
}

/// What the load test saw.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub jobs: usize,
    pub server_concurrency: usize,
    /// Jobs whose uploader saw their final status on its socket.
    pub finished: usize,
    /// Jobs that were created but never finished (or failed to be created or uploaded).
    pub lost: Vec<String>,
    /// Jobs that reached a final status more than once (observer socket or status history).
    pub duplicated: Vec<String>,
    /// Jobs the API lists for the user (all pages).
    pub listed: usize,
    /// Final statuses and how many jobs reached each.
    pub statuses: BTreeMap<String, usize>,
    pub seconds: f64,
    pub jobs_per_second: f64,
    /// From `POST /api/jobs` to the final status on the socket.
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_max_ms: f64,
}

impl LoadReport {
    /// Every job finished, once.
    pub fn complete(&self) -> bool {
        self.lost.is_empty() && self.duplicated.is_empty() && self.finished == self.jobs && self.listed == self.jobs
    }
}

struct Uploaded {
    index: usize,
    job_id: Option<String>,
    latency: Option<Duration>,
    status: Option<String>,
}

/// One uploader: socket, create, upload, wait for the final status.
async fn upload_and_wait(client: Client, document: Arc<Vec<u8>>, index: usize, deadline: Instant) -> Uploaded {
    let mut outcome = Uploaded { index, job_id: None, latency: None, status: None };
    let mut socket = match client.status_socket().await {
        Ok(socket) => socket,
        Err(error) => {
            tracing::warn!(%error, index, "cannot open the status socket");
            return outcome;
        }
    };
    let started = Instant::now();
    let created = match client.create_job(&format!("load-{index:04}.pdf"), "invoice").await {
        Ok(created) => created,
        Err(error) => {
            tracing::warn!(%error, index, "cannot create a job");
            return outcome;
        }
    };
    let job_id = created["job"]["job_id"].as_str().unwrap_or_default().to_string();
    outcome.job_id = Some(job_id.clone());
    match client.upload(&created["upload"], document.to_vec()).await {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => {
            tracing::warn!(status = %response.status(), index, "the upload was refused");
            return outcome;
        }
        Err(error) => {
            tracing::warn!(%error, index, "cannot upload");
            return outcome;
        }
    }
    while let Some(event) = next_event(&mut socket, deadline).await {
        if event.job_id == job_id && event.status.is_finished() {
            outcome.latency = Some(started.elapsed());
            outcome.status = Some(event.status.as_str().to_string());
            break;
        }
    }
    let _ = socket.close(None).await;
    outcome
}

/// Every job of the user, through the API's pages.
async fn listed_jobs(client: &Client) -> Result<Vec<Value>, DocexError> {
    let mut jobs = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = "/api/jobs?limit=100".to_string();
        if let Some(token) = &token {
            path.push_str(&format!("&page_token={token}"));
        }
        let page: Value = client
            .request(reqwest::Method::GET, &path)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| client_error("GET /api/jobs", e))?
            .json()
            .await
            .map_err(|e| client_error("GET /api/jobs", e))?;
        jobs.extend(page["jobs"].as_array().cloned().unwrap_or_default());
        token = page["next_page_token"].as_str().map(String::from);
        if token.is_none() {
            return Ok(jobs);
        }
    }
}

/// How many final statuses a job's history holds.
async fn finals_in_history(client: &Client, job_id: &str) -> Result<usize, DocexError> {
    let body: Value = client
        .request(reqwest::Method::GET, &format!("/api/jobs/{job_id}"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| client_error("GET /api/jobs/{id}", e))?
        .json()
        .await
        .map_err(|e| client_error("GET /api/jobs/{id}", e))?;
    let finished = ["SUCCEEDED", "NEEDS_REVIEW", "FAILED"];
    Ok(body["history"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| finished.contains(&u["status"].as_str().unwrap_or("")))
        .count())
}

/// Runs the load test against a server of its own over `data` (a fresh data directory).
pub async fn run(data: &DataDir, options: &LoadOptions) -> Result<LoadReport, DocexError> {
    let document = Arc::new(
        std::fs::read(&options.document)
            .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", options.document.display())))?,
    );
    let workflow = Arc::new(crate::embedded_workflow(data)?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serve_options = ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        web: data.root().join("web"),
        concurrency: options.concurrency,
        sign_in: None,
    };
    let served = start(workflow, data, serve_options, async {
        let _ = stopped.await;
    })
    .await?;
    let client = Client::new(served.addr, None);
    let deadline = Instant::now() + options.timeout;
    // The observer sees every event (one user): it counts the final ones per job.
    let mut observer_socket = client.status_socket().await.map_err(|e| client_error("status socket", e))?;
    let finals: Arc<std::sync::Mutex<HashMap<String, usize>>> = Arc::default();
    let counted = finals.clone();
    let observer = tokio::spawn(async move {
        while let Some(event) = next_event(&mut observer_socket, deadline).await {
            if event.status.is_finished()
                && let Ok(mut finals) = counted.lock()
            {
                *finals.entry(event.job_id).or_default() += 1;
            }
        }
    });

    let started = Instant::now();
    let mut uploaders = tokio::task::JoinSet::new();
    for index in 0..options.jobs {
        uploaders.spawn(upload_and_wait(client.clone(), document.clone(), index, deadline));
    }
    let mut uploaded = Vec::with_capacity(options.jobs);
    while let Some(joined) = uploaders.join_next().await {
        uploaded.push(joined.map_err(|e| client_error("an uploader stopped", e))?);
    }
    let seconds = started.elapsed().as_secs_f64();

    // Until the observer has the final status of every job the uploaders saw finish, and a
    // moment more for a duplicate that would come late.
    let expected = uploaded.iter().filter(|u| u.latency.is_some()).count();
    let observed = || finals.lock().map(|f| f.len()).unwrap_or(0);
    while observed() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    observer.abort();
    let finals = finals.lock().map(|f| f.clone()).unwrap_or_default();

    let mut lost = Vec::new();
    let mut duplicated = Vec::new();
    let mut statuses = BTreeMap::new();
    let mut latencies = Vec::new();
    for u in &uploaded {
        let name = u.job_id.clone().unwrap_or_else(|| format!("upload {} (no job)", u.index));
        match (&u.latency, &u.status) {
            (Some(latency), Some(status)) => {
                latencies.push(latency.as_secs_f64() * 1000.0);
                *statuses.entry(status.clone()).or_insert(0) += 1;
            }
            _ => lost.push(name.clone()),
        }
        if let Some(job_id) = &u.job_id {
            let in_history = finals_in_history(&client, job_id).await?;
            if finals.get(job_id).copied().unwrap_or(0) > 1 || in_history > 1 {
                duplicated.push(name);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let listed = listed_jobs(&client).await?.len();
    let _ = stop.send(());
    served.done.await.map_err(|e| client_error("the server task", e))??;
    Ok(LoadReport {
        jobs: options.jobs,
        server_concurrency: options.concurrency,
        finished: latencies.len(),
        lost,
        duplicated,
        listed,
        statuses,
        seconds,
        jobs_per_second: latencies.len() as f64 / seconds.max(f64::EPSILON),
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_max_ms: latencies.last().copied().unwrap_or(0.0),
    })
}

/// The report as a table.
pub fn table(report: &LoadReport) -> String {
    let statuses: Vec<String> = report.statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let rows = [
        ("uploads at once", report.jobs.to_string()),
        ("jobs run at once by the server", report.server_concurrency.to_string()),
        ("finished (seen on the socket)", format!("{} ({})", report.finished, statuses.join(", "))),
        ("listed by the API", report.listed.to_string()),
        ("lost", report.lost.len().to_string()),
        ("finished more than once", report.duplicated.len().to_string()),
        ("wall time", format!("{:.1} s", report.seconds)),
        ("throughput", format!("{:.1} jobs/s", report.jobs_per_second)),
        ("latency p50 (create → final status)", format!("{:.0} ms", report.latency_p50_ms)),
        ("latency p99", format!("{:.0} ms", report.latency_p99_ms)),
        ("latency max", format!("{:.0} ms", report.latency_max_ms)),
    ];
    let mut out = String::new();
    for (what, figure) in rows {
        out.push_str(&format!("{what:<38} {figure}\n"));
    }
    out
}
