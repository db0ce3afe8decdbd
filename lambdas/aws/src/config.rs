//! Settings from the environment and the shared AWS SDK configuration.
//!
//! Each Lambda reads only the variables it needs, by name, and a missing one is a named
//! error that says which. The SDK configuration honours the standard chain (credentials,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`), so every client can be
//! pointed at a local server; its own retries are kept to two attempts because the state
//! machine retries on top and the two layers would multiply.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use docex_core::DocexError;

/// Input bucket (uploads, `input/...` keys).
pub const INPUT_BUCKET: &str = "DOCEX_INPUT_BUCKET";
/// Output bucket (work files, results and reports: `work/...`, `output/...`).
pub const OUTPUT_BUCKET: &str = "DOCEX_OUTPUT_BUCKET";
/// Specs bucket (`<name>.json`), read before the shipped specs.
pub const SPECS_BUCKET: &str = "DOCEX_SPECS_BUCKET";
/// Templates bucket (`<name>/main.typ` and its files), read before the shipped templates.
pub const TEMPLATES_BUCKET: &str = "DOCEX_TEMPLATES_BUCKET";
/// DynamoDB table of job records and their status history.
pub const JOBS_TABLE: &str = "DOCEX_JOBS_TABLE";
/// DynamoDB table of open WebSocket connections.
pub const CONNECTIONS_TABLE: &str = "DOCEX_CONNECTIONS_TABLE";
/// Aurora cluster ARN, its secret ARN and database name for the RDS Data API.
pub const DB_CLUSTER_ARN: &str = "DOCEX_DB_CLUSTER_ARN";
pub const DB_SECRET_ARN: &str = "DOCEX_DB_SECRET_ARN";
pub const DB_NAME: &str = "DOCEX_DB_NAME";
/// The state machine the starter starts.
pub const STATE_MACHINE_ARN: &str = "DOCEX_STATE_MACHINE_ARN";
/// The EventBridge bus job events go to (`default` when unset).
pub const EVENT_BUS: &str = "DOCEX_EVENT_BUS";
/// The API Gateway WebSocket management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
pub const WEBSOCKET_ENDPOINT: &str = "DOCEX_WEBSOCKET_ENDPOINT";
/// The dead-letter queue URL.
pub const DEAD_LETTER_QUEUE_URL: &str = "DOCEX_DEAD_LETTER_QUEUE_URL";

/// The value of a required setting, or an error naming it.
pub fn required(name: &str) -> Result<String, DocexError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(DocexError::InvalidInput(format!("the environment variable {name} is not set"))),
    }
}

/// The value of an optional setting.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The SDK configuration every client is built from, loaded once per process.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await
}
