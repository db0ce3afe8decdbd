//! What every docex Lambda's `main` shares: JSON logs and task errors reported as a
//! `Diagnostic` whose `error_type` is the stable `Docex.*` name, which is what the state
//! machine's `Retry` and `Catch` blocks match on (without it Lambda reports a Rust type path).

use std::future::Future;

use docex_core::DocexError;
use docex_core::error::ErrorName;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A task's failure as Lambda reports it.
#[derive(Debug)]
pub struct TaskFailure(pub DocexError);

impl From<DocexError> for TaskFailure {
    fn from(error: DocexError) -> Self {
        TaskFailure(error)
    }
}

impl From<TaskFailure> for Diagnostic {
    fn from(failure: TaskFailure) -> Diagnostic {
        Diagnostic { error_type: failure.0.name().to_string(), error_message: failure.0.to_string() }
    }
}

/// The AWS clients of one Lambda process, built once from the environment; each adapter
/// is made from them on demand, reading only the settings it needs.
pub struct Services {
    pub sdk: aws_config::SdkConfig,
}

impl Services {
    /// Starts JSON logging and loads the SDK configuration: the first line of every main.
    pub async fn from_env() -> Services {
        init_logging();
        Services { sdk: crate::config::sdk_config().await }
    }

    pub fn blobs(&self) -> Result<crate::s3::S3BlobStore, DocexError> {
        crate::s3::S3BlobStore::from_env(&self.sdk)
    }

    pub fn specs(&self) -> Result<crate::s3::S3SpecStore, DocexError> {
        crate::s3::S3SpecStore::from_env(&self.sdk)
    }

    pub fn templates(&self) -> Result<crate::s3::S3Templates, DocexError> {
        crate::s3::S3Templates::from_env(&self.sdk)
    }

    pub fn jobs(&self) -> Result<crate::dynamodb::DynamoJobStore, DocexError> {
        crate::dynamodb::DynamoJobStore::from_env(&self.sdk)
    }

    pub fn results(&self) -> Result<crate::rds::RdsResultStore, DocexError> {
        crate::rds::RdsResultStore::from_env(&self.sdk)
    }

    pub fn events(&self) -> Result<crate::events::EventBridgeBus, DocexError> {
        Ok(crate::events::EventBridgeBus::from_env(&self.sdk))
    }

    pub fn workflows(&self) -> Result<crate::sfn::Workflows, DocexError> {
        crate::sfn::Workflows::from_env(&self.sdk)
    }

    pub fn connections(&self) -> Result<crate::websocket::Connections, DocexError> {
        crate::websocket::Connections::from_env(&self.sdk)
    }
}

/// Runs a task as this process's Lambda handler until the runtime stops it. The event is
/// decoded here, so a malformed one ends as `Docex.InvalidInput` (not as a runtime error
/// without a docex name), and every error reaches Lambda under its `Docex.*` name.
pub async fn serve<In, Out, F, Fut>(task: F) -> Result<(), lambda_runtime::Error>
where
    In: DeserializeOwned,
    Out: Serialize,
    F: Fn(In) -> Fut,
    Fut: Future<Output = Result<Out, DocexError>>,
{
    let task = &task;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let input = decode::<In>(event.payload)?;
        task(input).await.map_err(TaskFailure)
    }))
    .await
}

/// Decodes an event into a task's input type.
pub fn decode<T: DeserializeOwned>(event: Value) -> Result<T, TaskFailure> {
    serde_json::from_value(event).map_err(|e| TaskFailure(DocexError::InvalidInput(format!("the event: {e}"))))
}

/// Logs as JSON lines (one object per event, as CloudWatch Logs Insights reads them), level
/// from `RUST_LOG` (default `info`), without ANSI colours or the time (Lambda adds it).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_error_reaches_lambda_under_its_stable_name() {
        let diagnostic = Diagnostic::from(TaskFailure(DocexError::NotPdf("a PNG image".into())));
        assert_eq!(diagnostic.error_type, "Docex.NotPdf");
        assert!(diagnostic.error_message.contains("a PNG image"));
    }
}
