//! A local RDS Data API endpoint backed by a real PostgreSQL.
//!
//! It answers the service's REST-JSON operations with the service's shapes, so the real
//! `aws-sdk-rdsdata` client (or any other Data API client) runs against it unchanged:
//!
//! | operation | route |
//! |---|---|
//! | `ExecuteStatement` | `POST /Execute` |
//! | `BatchExecuteStatement` | `POST /BatchExecute` |
//! | `BeginTransaction` | `POST /BeginTransaction` |
//! | `CommitTransaction` | `POST /CommitTransaction` |
//! | `RollbackTransaction` | `POST /RollbackTransaction` |
//!
//! `resourceArn` and `secretArn` are required, as by the service, but any value is
//! accepted, and so is any SigV4 `Authorization` header (it is not verified). The request's
//! `database` picks the PostgreSQL database (the URL's database when absent) and `schema`
//! the `search_path`. Transactions live on their own connection and are rolled back when
//! no call has used them for the transaction timeout (three minutes, like the service).
//! See [`values`] for how values are mapped and [`error`] for the error shapes.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let server = docex_dataapi::bind("127.0.0.1:0", "postgres://postgres@127.0.0.1:5432/test").await?;
//! println!("Data API at {}", server.url());
//! # Ok(()) }
//! ```

pub mod error;
mod exec;
mod pool;
pub mod sql;
pub mod values;
pub mod wire;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::{ApiError, ErrorKind};
use pool::{Conn, Pool};
use values::ReturnOptions;
use wire::{
    BatchExecuteStatementRequest, BatchExecuteStatementResponse, BeginTransactionRequest, BeginTransactionResponse,
    EndTransactionRequest, EndTransactionResponse, ExecuteStatementRequest, UpdateResult,
};

/// How long a transaction may sit unused before it is rolled back (the service's limit).
pub const DEFAULT_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a call may run (the service's limit for a call without `continueAfterTimeout`).
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(45);

/// A transaction: its connection (one call at a time) and when a call last used it.
struct Transaction {
    conn: tokio::sync::Mutex<Conn>,
    last_used: Mutex<Instant>,
}

/// The server's state: the PostgreSQL connections, the open transactions and the test hook.
pub struct DataApi {
    pool: Pool,
    transactions: Mutex<HashMap<String, Arc<Transaction>>>,
    transaction_timeout: Duration,
    statement_timeout: Duration,
    resuming: AtomicU32,
}

impl DataApi {
    /// A Data API over the PostgreSQL server at `postgres_url`, whose database is the
    /// default for requests that name none. Nothing connects until the first request.
    pub fn new(postgres_url: &str) -> anyhow::Result<DataApi> {
        Ok(DataApi {
            pool: Pool::new(postgres_url)?,
            transactions: Mutex::new(HashMap::new()),
            transaction_timeout: DEFAULT_TRANSACTION_TIMEOUT,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            resuming: AtomicU32::new(0),
        })
    }

    /// Rolls back transactions unused for `timeout` instead of the default three minutes.
    pub fn with_transaction_timeout(mut self, timeout: Duration) -> DataApi {
        self.transaction_timeout = timeout;
        self
    }

    /// Cancels calls running longer than `timeout` instead of the default 45 seconds.
    pub fn with_statement_timeout(mut self, timeout: Duration) -> DataApi {
        self.statement_timeout = timeout;
        self
    }

    /// Test hook: the next `requests` calls are answered with `DatabaseResumingException`,
    /// as Aurora Serverless does while it wakes up from a pause.
    pub fn answer_resuming(&self, requests: u32) {
        self.resuming.store(requests, Ordering::SeqCst);
    }

    /// How many open transactions there are.
    pub fn open_transactions(&self) -> usize {
        self.lock_transactions().len()
    }

    fn lock_transactions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Transaction>>> {
        self.transactions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether this call is answered as if the database were resuming (see [`Self::answer_resuming`]).
    fn resuming(&self) -> Result<(), ApiError> {
        let took = self.resuming.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        match took {
            Ok(_) => Err(ApiError::new(
                ErrorKind::DatabaseResuming,
                "The Aurora DB instance is resuming after being auto-paused. Please wait a few seconds and try again.",
            )),
            Err(_) => Ok(()),
        }
    }

    fn transaction(&self, id: &str) -> Option<Arc<Transaction>> {
        let transaction = self.lock_transactions().get(id).cloned()?;
        *transaction.last_used.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
        Some(transaction)
    }

    /// Rolls back (by closing their connections) transactions unused for the timeout.
    fn reap(&self) {
        let now = Instant::now();
        let mut transactions = self.lock_transactions();
        transactions.retain(|id, transaction| {
            let last = *transaction.last_used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let idle = now.duration_since(last) >= self.transaction_timeout;
            // A transaction running a call is in use, whatever its last start.
            let busy = transaction.conn.try_lock().is_err();
            let abandoned = idle && !busy;
            if abandoned {
                tracing::info!(transaction = %id, "rolling back an abandoned transaction");
            }
            !abandoned
        });
    }

    async fn execute(&self, request: ExecuteStatementRequest) -> Result<Response, ApiError> {
        require_arns(request.resource_arn.as_deref(), request.secret_arn.as_deref())?;
        let sql = required_sql(request.sql.as_deref())?;
        let format_json = match request.format_records_as.as_deref() {
            None | Some("NONE") => false,
            Some("JSON") => true,
            Some(other) => return Err(ApiError::bad_request(format!("Invalid formatRecordsAs {other}"))),
        };
        let options = return_options(request.result_set_options.as_ref())?;
        let timeout =
            if request.continue_after_timeout { Duration::from_secs(24 * 3600) } else { self.statement_timeout };
        let metadata = request.include_result_metadata;
        let response = match request.transaction_id.as_deref() {
            Some(id) => {
                let transaction =
                    self.transaction(id).ok_or_else(|| transaction_not_found(id, ErrorKind::BadRequest))?;
                let conn = transaction.conn.lock().await;
                let outcome = exec::run(&conn, sql, &request.parameters, timeout).await?;
                exec::respond(&conn.client, outcome, metadata, format_json, options).await?
            }
            None => {
                let target = self.pool.target(request.database.as_deref(), request.schema.as_deref());
                let conn = self.pool.take(&target).await?;
                let result = match exec::run(&conn, sql, &request.parameters, timeout).await {
                    Ok(outcome) => exec::respond(&conn.client, outcome, metadata, format_json, options).await,
                    Err(error) => Err(error),
                };
                if !matches!(&result, Err(e) if e.kind == ErrorKind::StatementTimeout) {
                    self.pool.give_back(conn);
                }
                result?
            }
        };
        Ok(axum::Json(response).into_response())
    }

    async fn batch_execute(&self, request: BatchExecuteStatementRequest) -> Result<Response, ApiError> {
        require_arns(request.resource_arn.as_deref(), request.secret_arn.as_deref())?;
        let sql = required_sql(request.sql.as_deref())?;
        let sets = if request.parameter_sets.is_empty() { vec![Vec::new()] } else { request.parameter_sets };
        let timeout = self.statement_timeout;
        let update_results = match request.transaction_id.as_deref() {
            Some(id) => {
                let transaction =
                    self.transaction(id).ok_or_else(|| transaction_not_found(id, ErrorKind::BadRequest))?;
                let conn = transaction.conn.lock().await;
                run_sets(&conn, sql, &sets, timeout).await?
            }
            None => {
                // Without a transaction the whole batch commits or none of it does.
                let target = self.pool.target(request.database.as_deref(), request.schema.as_deref());
                let conn = self.pool.take(&target).await?;
                conn.client.batch_execute("BEGIN").await.map_err(|e| ApiError::from_postgres(&e))?;
                match run_sets(&conn, sql, &sets, timeout).await {
                    Ok(results) => {
                        conn.client.batch_execute("COMMIT").await.map_err(|e| ApiError::from_postgres(&e))?;
                        self.pool.give_back(conn);
                        results
                    }
                    Err(error) => {
                        if conn.client.batch_execute("ROLLBACK").await.is_ok() {
                            self.pool.give_back(conn);
                        }
                        return Err(error);
                    }
                }
            }
        };
        Ok(axum::Json(BatchExecuteStatementResponse { update_results }).into_response())
    }

    async fn begin(&self, request: BeginTransactionRequest) -> Result<Response, ApiError> {
        require_arns(request.resource_arn.as_deref(), request.secret_arn.as_deref())?;
        let target = self.pool.target(request.database.as_deref(), request.schema.as_deref());
        let conn = self.pool.take(&target).await?;
        conn.client.batch_execute("BEGIN").await.map_err(|e| ApiError::from_postgres(&e))?;
        let id = new_transaction_id();
        let transaction = Transaction { conn: tokio::sync::Mutex::new(conn), last_used: Mutex::new(Instant::now()) };
        self.lock_transactions().insert(id.clone(), Arc::new(transaction));
        Ok(axum::Json(BeginTransactionResponse { transaction_id: id }).into_response())
    }

    async fn end(&self, request: EndTransactionRequest, commit: bool) -> Result<Response, ApiError> {
        require_arns(request.resource_arn.as_deref(), request.secret_arn.as_deref())?;
        let id = request
            .transaction_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ApiError::bad_request("transactionId is required"))?;
        let transaction =
            self.lock_transactions().remove(id).ok_or_else(|| transaction_not_found(id, ErrorKind::NotFound))?;
        let conn = transaction.conn.lock().await;
        let command = if commit { "COMMIT" } else { "ROLLBACK" };
        conn.client.batch_execute(command).await.map_err(|e| ApiError::from_postgres(&e))?;
        drop(conn);
        if let Ok(transaction) = Arc::try_unwrap(transaction) {
            self.pool.give_back(transaction.conn.into_inner());
        }
        let status = if commit { "Transaction Committed" } else { "Rollback Complete" };
        Ok(axum::Json(EndTransactionResponse { transaction_status: status.to_string() }).into_response())
    }
}

/// Runs a batch statement once per parameter set.
async fn run_sets(
    conn: &Conn,
    sql: &str,
    sets: &[Vec<wire::SqlParameter>],
    timeout: Duration,
) -> Result<Vec<UpdateResult>, ApiError> {
    let mut results = Vec::with_capacity(sets.len());
    for set in sets {
        exec::run(conn, sql, set, timeout).await?;
        results.push(UpdateResult { generated_fields: Vec::new() });
    }
    Ok(results)
}

fn transaction_not_found(id: &str, kind: ErrorKind) -> ApiError {
    ApiError::new(kind, format!("Transaction {id} is not found"))
}

fn new_transaction_id() -> String {
    use base64::Engine;
    let bytes: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()].iter().flat_map(|u| *u.as_bytes()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn require_arns(resource_arn: Option<&str>, secret_arn: Option<&str>) -> Result<(), ApiError> {
    if resource_arn.is_none_or(str::is_empty) {
        return Err(ApiError::bad_request("resourceArn is required"));
    }
    if secret_arn.is_none_or(str::is_empty) {
        return Err(ApiError::bad_request("secretArn is required"));
    }
    Ok(())
}

fn required_sql(sql: Option<&str>) -> Result<&str, ApiError> {
    sql.filter(|s| !s.trim().is_empty()).ok_or_else(|| ApiError::bad_request("sql is required"))
}

fn return_options(options: Option<&wire::ResultSetOptions>) -> Result<ReturnOptions, ApiError> {
    let Some(options) = options else { return Ok(ReturnOptions::default()) };
    let decimal_as_number = match options.decimal_return_type.as_deref() {
        None | Some("STRING") => false,
        Some("DOUBLE_OR_LONG") => true,
        Some(other) => return Err(ApiError::bad_request(format!("Invalid decimalReturnType {other}"))),
    };
    let long_as_string = match options.long_return_type.as_deref() {
        None | Some("LONG") => false,
        Some("STRING") => true,
        Some(other) => return Err(ApiError::bad_request(format!("Invalid longReturnType {other}"))),
    };
    Ok(ReturnOptions { decimal_as_number, long_as_string })
}

/// Parses a request body, answering `BadRequestException` for JSON that is not the shape.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
}

async fn handle<T, F, Fut>(api: Arc<DataApi>, body: Bytes, operation: F) -> Response
where
    T: DeserializeOwned,
    F: FnOnce(Arc<DataApi>, T) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let result = async {
        api.resuming()?;
        let request = parse::<T>(&body)?;
        operation(api.clone(), request).await
    }
    .await;
    match result {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%error, "request failed");
            error.into_response()
        }
    }
}

async fn execute_route(State(api): State<Arc<DataApi>>, body: Bytes) -> Response {
    handle(api, body, |api, request| async move { api.execute(request).await }).await
}

async fn batch_execute_route(State(api): State<Arc<DataApi>>, body: Bytes) -> Response {
    handle(api, body, |api, request| async move { api.batch_execute(request).await }).await
}

async fn begin_route(State(api): State<Arc<DataApi>>, body: Bytes) -> Response {
    handle(api, body, |api, request| async move { api.begin(request).await }).await
}

async fn commit_route(State(api): State<Arc<DataApi>>, body: Bytes) -> Response {
    handle(api, body, |api, request| async move { api.end(request, true).await }).await
}

async fn rollback_route(State(api): State<Arc<DataApi>>, body: Bytes) -> Response {
    handle(api, body, |api, request| async move { api.end(request, false).await }).await
}

/// The HTTP routes of the five operations over `api`.
pub fn router(api: Arc<DataApi>) -> Router {
    Router::new()
        .route("/Execute", post(execute_route))
        .route("/BatchExecute", post(batch_execute_route))
        .route("/BeginTransaction", post(begin_route))
        .route("/CommitTransaction", post(commit_route))
        .route("/RollbackTransaction", post(rollback_route))
        .with_state(api)
}

/// Rolls back abandoned transactions of `api` until it is dropped.
pub fn spawn_reaper(api: &Arc<DataApi>) -> JoinHandle<()> {
    let weak: Weak<DataApi> = Arc::downgrade(api);
    let period = (api.transaction_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(5));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(period).await;
            match weak.upgrade() {
                Some(api) => api.reap(),
                None => break,
            }
        }
    })
}

/// A server running in this process; it stops when dropped.
pub struct RunningServer {
    url: String,
    addr: SocketAddr,
    api: Arc<DataApi>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    reaper: JoinHandle<()>,
}

impl RunningServer {
    /// The endpoint URL (`http://127.0.0.1:PORT`) to point a client at.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's state, for the test hooks.
    pub fn api(&self) -> &Arc<DataApi> {
        &self.api
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.reaper.abort();
        self.task.abort();
    }
}

/// Starts a Data API over `postgres_url` on `addr` (port 0 picks a free port).
pub async fn bind(addr: &str, postgres_url: &str) -> anyhow::Result<RunningServer> {
    serve(addr, DataApi::new(postgres_url)?).await
}

/// Starts `api` on `addr` (port 0 picks a free port).
pub async fn serve(addr: &str, api: DataApi) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let api = Arc::new(api);
    let reaper = spawn_reaper(&api);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let app = router(api.clone());
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(error) = server.await {
            tracing::error!(%error, "the Data API server stopped");
        }
    });
    Ok(RunningServer { url: format!("http://{addr}"), addr, api, shutdown: Some(shutdown), task, reaper })
}
