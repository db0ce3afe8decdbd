//! A Lambda Runtime API server (the `2018-06-01` HTTP interface a `bootstrap` binary polls),
//! so a function's real binary can be started as Lambda starts it and sent real events.
//!
//! [`Function::start`] runs a binary with the environment Lambda sets
//! (`AWS_LAMBDA_RUNTIME_API` pointing here, function name, memory, version, log names) plus
//! the caller's; [`Function::invoke`] queues an event and waits for the binary's answer:
//! a response, or an error with its `errorType` (the `Lambda-Runtime-Function-Error-Type`
//! header and the body's field). The time from spawn to the first `next` request is the
//! cold init time.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

/// What a function answered to one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Response(Value),
    Error { error_type: String, error_message: String },
}

#[derive(Default)]
struct Shared {
    queue: Mutex<VecDeque<(String, Value)>>,
    queued: Notify,
    waiting: Mutex<HashMap<String, oneshot::Sender<Reply>>>,
    init_error: Mutex<Option<Reply>>,
    first_poll: Mutex<Option<Instant>>,
}

/// A running function: its process and the Runtime API it talks to.
pub struct Function {
    shared: Arc<Shared>,
    child: tokio::process::Child,
    started: Instant,
    server: tokio::task::JoinHandle<()>,
    next_request: u64,
}

impl Function {
    /// Starts `binary` against a fresh Runtime API on a free loopback port.
    pub async fn start(binary: &Path, name: &str, env: &[(&str, String)]) -> anyhow::Result<Function> {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let started = Instant::now();
        let child = tokio::process::Command::new(binary)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("_HANDLER", "bootstrap")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Function { shared, child, started, server, next_request: 0 })
    }

    /// Sends an event and waits (up to `timeout`) for the function's reply.
    pub async fn invoke(&mut self, event: Value, timeout: Duration) -> anyhow::Result<Reply> {
        self.next_request += 1;
        let id = format!("request-{}", self.next_request);
        let (sender, receiver) = oneshot::channel();
        lock(&self.shared.waiting).insert(id.clone(), sender);
        lock(&self.shared.queue).push_back((id, event));
        self.shared.queued.notify_one();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        tokio::select! {
            reply = receiver => reply.map_err(|_| anyhow!("the runtime API dropped the invocation")),
            status = self.child.wait() => {
                let init = lock(&self.shared.init_error).clone();
                bail!("the function exited ({:?}) before answering; init error: {init:?}", status?);
            }
            _ = &mut deadline => bail!("the function did not answer within {timeout:?}"),
        }
    }

    /// The error the function reported while starting, if any.
    pub fn init_error(&self) -> Option<Reply> {
        lock(&self.shared.init_error).clone()
    }

    /// From spawn to the function's first request for work: its cold start.
    pub fn init_duration(&self) -> Option<Duration> {
        lock(&self.shared.first_poll).map(|t| t.duration_since(self.started))
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.first_poll).get_or_insert_with(Instant::now);
    loop {
        let notified = shared.queued.notified();
        if let Some((id, event)) = lock(&shared.queue).pop_front() {
            let deadline = std::time::SystemTime::now() + Duration::from_secs(900);
            let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis();
            let mut headers = HeaderMap::new();
            let mut set = |name: &'static str, value: String| {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            };
            set("lambda-runtime-aws-request-id", id);
            set("lambda-runtime-deadline-ms", deadline_ms.to_string());
            set("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:test".into());
            set("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0".into());
            return (StatusCode::OK, headers, axum::Json(event)).into_response();
        }
        notified.await;
    }
}

fn reply_to(shared: &Shared, id: &str, reply: Reply) -> StatusCode {
    match lock(&shared.waiting).remove(id) {
        Some(sender) => {
            let _ = sender.send(reply);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn response(State(shared): State<Arc<Shared>>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    reply_to(&shared, &id, Reply::Response(value))
}

fn error_reply(headers: &HeaderMap, body: &[u8]) -> Reply {
    let body: Value = serde_json::from_slice(body).unwrap_or_default();
    let header_type = headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok());
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(String::from);
    Reply::Error {
        error_type: text("errorType").or(header_type.map(String::from)).unwrap_or_default(),
        error_message: text("errorMessage").unwrap_or_default(),
    }
}

async fn error(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    reply_to(&shared, &id, error_reply(&headers, &body))
}

async fn init_error(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    *lock(&shared.init_error) = Some(error_reply(&headers, &body));
    StatusCode::ACCEPTED
}
