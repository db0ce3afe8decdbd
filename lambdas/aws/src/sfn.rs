//! Step Functions: starting the workflow of a job, reading its execution and history, and
//! re-driving it.
//!
//! One Standard execution per job, named by the job id, so the console shows job ids and
//! the execution ARN follows from the state machine ARN:
//! `arn:<partition>:states:<region>:<account>:stateMachine:<name>` →
//! `arn:<partition>:states:<region>:<account>:execution:<name>:<job id>`.
//! `DOCEX_STATE_MACHINE_ARN` may name an alias (`...:stateMachine:<name>:live`, as deployed)
//! or a version (`...:<name>:7`): executions start through it, so each runs the version the
//! alias pointed at when it started, and its ARN is the same as without the qualifier.
//! Starting a job twice is harmless: the second start finds the execution and reports
//! [`Start::AlreadyStarted`]; a second start with a different input is refused, since it
//! would not run what was asked.

use aws_config::SdkConfig;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::HistoryEvent as SdkHistoryEvent;
use aws_smithy_types::date_time::Format;
use docex_core::DocexError;
use docex_core::job::is_valid_job_id;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config;
use crate::error::from_sdk;

/// What a start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new execution.
    Started { execution_arn: String },
    /// The job's execution existed already, with the same input.
    AlreadyStarted { execution_arn: String },
}

impl Start {
    pub fn execution_arn(&self) -> &str {
        match self {
            Start::Started { execution_arn } | Start::AlreadyStarted { execution_arn } => execution_arn,
        }
    }
}

/// A job's execution as `DescribeExecution` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub execution_arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` or `PENDING_REDRIVE`.
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub input: Option<Value>,
    pub output: Option<Value>,
    /// RFC 3339.
    pub start_date: String,
    pub stop_date: Option<String>,
    pub redrive_count: i32,
    /// `REDRIVABLE`, `NOT_REDRIVABLE`, ... when the service says.
    pub redrive_status: Option<String>,
    pub redrive_status_reason: Option<String>,
}

/// One event of an execution's history, with the details an operator reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub id: i64,
    pub previous_event_id: i64,
    /// RFC 3339.
    pub timestamp: String,
    /// `ExecutionStarted`, `TaskStateEntered`, `TaskFailed`, `MapIterationStarted`, ...
    pub event_type: String,
    /// The state entered or exited, for state events.
    pub state_name: Option<String>,
    /// The error and cause of failure events.
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// The workflow of jobs: one state machine.
#[derive(Debug, Clone)]
pub struct Workflows {
    client: Client,
    state_machine_arn: String,
}

impl Workflows {
    pub fn new(client: Client, state_machine_arn: impl Into<String>) -> Workflows {
        Workflows { client, state_machine_arn: state_machine_arn.into() }
    }

    /// The state machine named by `DOCEX_STATE_MACHINE_ARN`.
    pub fn from_env(sdk: &SdkConfig) -> Result<Workflows, DocexError> {
        Ok(Workflows::new(Client::new(sdk), config::required(config::STATE_MACHINE_ARN)?))
    }

    pub fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// The ARN of the execution of `job_id`.
    pub fn execution_arn(&self, job_id: &str) -> Result<String, DocexError> {
        if !is_valid_job_id(job_id) {
            return Err(DocexError::InvalidInput(format!("not a job id: {job_id:?}")));
        }
        execution_arn(&self.state_machine_arn, job_id)
    }

    /// Starts the workflow of `job_id` with `input`; an execution of that job with the same
    /// input is [`Start::AlreadyStarted`], with another input `Docex.InvalidInput`.
    ///
    /// The execution is looked up first: Step Functions answers a second `StartExecution`
    /// with the same name and input as if it had started it, while the first still runs, so
    /// only the lookup tells a repeated start from a new one. Two starts racing past the
    /// lookup still make one execution.
    pub async fn start(&self, job_id: &str, input: &Value) -> Result<Start, DocexError> {
        if let Some(existing) = self.describe(job_id).await? {
            return already_started(job_id, existing, input);
        }
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(job_id)
            .input(input.to_string())
            .send()
            .await;
        match result {
            Ok(output) => Ok(Start::Started { execution_arn: output.execution_arn().to_string() }),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_execution_already_exists()) => {
                let existing = self.describe(job_id).await?.ok_or_else(|| {
                    DocexError::Transient(format!("the execution of job {job_id} exists but cannot be described yet"))
                })?;
                already_started(job_id, existing, input)
            }
            Err(e) => Err(from_sdk(&format!("Step Functions StartExecution {job_id}"), e)),
        }
    }

    /// The execution of `job_id`, `None` when the job was never started.
    pub async fn describe(&self, job_id: &str) -> Result<Option<Execution>, DocexError> {
        let arn = self.execution_arn(job_id)?;
        let output = match self.client.describe_execution().execution_arn(&arn).send().await {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_execution_does_not_exist()) => return Ok(None),
            Err(e) => return Err(from_sdk(&format!("Step Functions DescribeExecution {job_id}"), e)),
        };
        Ok(Some(Execution {
            execution_arn: output.execution_arn().to_string(),
            status: output.status().as_str().to_string(),
            error: output.error().map(str::to_string),
            cause: output.cause().map(str::to_string),
            input: output.input().map(parse_json),
            output: output.output().map(parse_json),
            start_date: date(output.start_date()),
            stop_date: output.stop_date().map(date),
            redrive_count: output.redrive_count().unwrap_or(0),
            redrive_status: output.redrive_status().map(|s| s.as_str().to_string()),
            redrive_status_reason: output.redrive_status_reason().map(str::to_string),
        }))
    }

    /// Every event of the execution of `job_id`, oldest first (all pages).
    pub async fn history(&self, job_id: &str) -> Result<Vec<HistoryEvent>, DocexError> {
        let arn = self.execution_arn(job_id)?;
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .get_execution_history()
                .execution_arn(&arn)
                .max_results(1000)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(&format!("Step Functions GetExecutionHistory {job_id}"), e))?;
            events.extend(page.events().iter().map(history_event));
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        Ok(events)
    }

    /// Re-drives the failed execution of `job_id` from the state that failed
    /// (`RedriveExecution`); returns when the re-drive was accepted (RFC 3339). An execution
    /// that cannot be re-driven (succeeded, still running, older than 14 days, or re-driven
    /// too often) is `Docex.InvalidInput` with the service's reason.
    pub async fn redrive(&self, job_id: &str) -> Result<String, DocexError> {
        let arn = self.execution_arn(job_id)?;
        match self.client.redrive_execution().execution_arn(&arn).send().await {
            Ok(output) => Ok(date(output.redrive_date())),
            Err(e) => {
                let message = e.as_service_error().and_then(|service| {
                    if service.is_execution_not_redrivable() {
                        Some(format!("the execution of job {job_id} cannot be re-driven: {service}"))
                    } else if service.is_execution_does_not_exist() {
                        Some(format!("job {job_id} has no execution to re-drive"))
                    } else {
                        None
                    }
                });
                match message {
                    Some(message) => Err(DocexError::InvalidInput(message)),
                    None => Err(from_sdk(&format!("Step Functions RedriveExecution {job_id}"), e)),
                }
            }
        }
    }
}

/// `arn:...:stateMachine:<name>[:<alias or version>]` → `arn:...:execution:<name>:<job id>`.
pub fn execution_arn(state_machine_arn: &str, job_id: &str) -> Result<String, DocexError> {
    let parts: Vec<&str> = state_machine_arn.split(':').collect();
    // arn, partition, "states", region, account, "stateMachine", name, optional qualifier
    if !(parts.len() == 7 || (parts.len() == 8 && !parts[7].is_empty()))
        || parts[0] != "arn"
        || parts[2] != "states"
        || parts[5] != "stateMachine"
        || parts[6].is_empty()
    {
        return Err(DocexError::InvalidInput(format!("not a state machine ARN: {state_machine_arn:?}")));
    }
    Ok(format!("{}:execution:{}:{job_id}", parts[..5].join(":"), parts[6]))
}

fn already_started(job_id: &str, existing: Execution, input: &Value) -> Result<Start, DocexError> {
    if existing.input.as_ref() == Some(input) {
        Ok(Start::AlreadyStarted { execution_arn: existing.execution_arn })
    } else {
        Err(DocexError::InvalidInput(format!(
            "job {job_id} was already started with another input ({})",
            existing.input.map(|v| v.to_string()).unwrap_or_default()
        )))
    }
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn date(value: &aws_smithy_types::DateTime) -> String {
    value.fmt(Format::DateTime).unwrap_or_else(|_| value.to_string())
}

fn history_event(event: &SdkHistoryEvent) -> HistoryEvent {
    let state_name = event
        .state_entered_event_details()
        .map(|d| d.name().to_string())
        .or_else(|| event.state_exited_event_details().map(|d| d.name().to_string()));
    let failure: Option<(Option<&str>, Option<&str>)> = event
        .execution_failed_event_details()
        .map(|d| (d.error(), d.cause()))
        .or_else(|| event.task_failed_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.lambda_function_failed_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.task_timed_out_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.execution_timed_out_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.execution_aborted_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.activity_failed_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.evaluation_failed_event_details().map(|d| (d.error(), d.cause())))
        .or_else(|| event.map_run_failed_event_details().map(|d| (d.error(), d.cause())));
    let (error, cause) = failure.unwrap_or((None, None));
    HistoryEvent {
        id: event.id(),
        previous_event_id: event.previous_event_id(),
        timestamp: date(event.timestamp()),
        event_type: event.r#type().as_str().to_string(),
        state_name,
        error: error.map(str::to_string),
        cause: cause.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_arns_follow_from_the_state_machine() {
        assert_eq!(
            execution_arn("arn:aws:states:eu-west-1:123456789012:stateMachine:docex", "job-1").unwrap(),
            "arn:aws:states:eu-west-1:123456789012:execution:docex:job-1"
        );
        assert_eq!(
            execution_arn("arn:aws-cn:states:cn-north-1:1:stateMachine:d", "j").unwrap(),
            "arn:aws-cn:states:cn-north-1:1:execution:d:j"
        );
        // Through an alias or a version: the execution belongs to the state machine.
        for qualified in
            ["arn:aws:states:eu-west-1:1:stateMachine:docex:live", "arn:aws:states:eu-west-1:1:stateMachine:docex:7"]
        {
            assert_eq!(execution_arn(qualified, "job-1").unwrap(), "arn:aws:states:eu-west-1:1:execution:docex:job-1");
        }
        for bad in [
            "",
            "docex",
            "arn:aws:lambda:eu-west-1:1:function:x",
            "arn:aws:states:r:1:stateMachine:",
            "arn:aws:states:r:1:stateMachine:docex:",
            "arn:aws:states:r:1:stateMachine:docex:live:extra",
        ] {
            assert!(execution_arn(bad, "j").is_err(), "{bad:?}");
        }
    }
}
