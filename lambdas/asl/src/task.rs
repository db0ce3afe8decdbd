//! Task handlers: the code a Task state runs, bound by resource name in a registry.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::Notify;

/// What a handler returns when it fails; becomes the state's `Error`/`Cause`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct TaskFailure {
    /// Error name matched by `Retry`/`Catch` `ErrorEquals`.
    pub error: String,
    /// Human readable cause.
    pub cause: String,
}

impl TaskFailure {
    /// A failure with the given error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        TaskFailure { error: error.into(), cause: cause.into() }
    }
}

/// Information a handler gets with its input.
#[derive(Debug, Clone)]
pub struct TaskContext {
    /// Execution name.
    pub execution_name: String,
    /// Task state name.
    pub state_name: String,
    /// The `Resource` string as written in the definition.
    pub resource: String,
    /// Retry attempt: 0 for the first call.
    pub attempt: u32,
    /// The context object (`$$`) at the time of the call.
    pub context: Value,
    pub(crate) heartbeat: Arc<Notify>,
}

impl TaskContext {
    /// Reports progress; resets the state's `HeartbeatSeconds` timer.
    pub fn heartbeat(&self) {
        self.heartbeat.notify_one();
    }
}

/// The work behind a Task state.
#[async_trait]
pub trait TaskHandler: Send + Sync {
    /// Runs the task with its effective input.
    async fn call(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskFailure>;
}

/// Handlers by resource string.
///
/// Lookup order for a Task's `Resource`: the exact string; then its
/// [`normalize_resource`] form. For the `arn:aws:states:::lambda:invoke`
/// integration the handler is looked up by `Parameters.FunctionName`
/// (exact, then normalised), receives `Payload`, and its result is returned
/// as `{"Payload": result, "StatusCode": 200}` like the real integration.
#[derive(Clone, Default)]
pub struct TaskRegistry {
    handlers: HashMap<String, Arc<dyn TaskHandler>>,
}

impl std::fmt::Debug for TaskRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("TaskRegistry").field("resources", &names).finish()
    }
}

impl TaskRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `resource` (exact string or normalised name) to `handler`.
    pub fn register(&mut self, resource: impl Into<String>, handler: Arc<dyn TaskHandler>) -> &mut Self {
        self.handlers.insert(resource.into(), handler);
        self
    }

    /// Builder form of [`TaskRegistry::register`].
    pub fn with(mut self, resource: impl Into<String>, handler: Arc<dyn TaskHandler>) -> Self {
        self.register(resource, handler);
        self
    }

    /// Finds the handler for a resource string (exact, then normalised).
    pub fn resolve(&self, resource: &str) -> Option<Arc<dyn TaskHandler>> {
        self.handlers.get(resource).or_else(|| self.handlers.get(&normalize_resource(resource))).cloned()
    }
}

/// The Lambda invoke integration resource.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Normalises a resource to a short name:
/// `${extract_arn}` and `${extract}` become `extract`,
/// `arn:aws:lambda:REGION:ACCOUNT:function:extract[:alias]` becomes `extract`;
/// anything else is returned unchanged.
pub fn normalize_resource(resource: &str) -> String {
    let r = resource.trim();
    if let Some(inner) = r.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
        let inner = inner.trim();
        return inner.strip_suffix("_arn").or_else(|| inner.strip_suffix("_function_arn")).unwrap_or(inner).to_string();
    }
    let parts: Vec<&str> = r.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
        return parts[6].to_string();
    }
    r.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_placeholders_and_lambda_arns() {
        assert_eq!(normalize_resource("${extract_arn}"), "extract");
        assert_eq!(normalize_resource("${extract}"), "extract");
        assert_eq!(normalize_resource("arn:aws:lambda:eu-west-1:123456789012:function:extract:live"), "extract");
        assert_eq!(normalize_resource("arn:aws:states:::lambda:invoke"), LAMBDA_INVOKE);
    }
}
