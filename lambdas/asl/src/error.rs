//! Error types: definition problems, re-drive refusals and the run-time failures that states raise.

use thiserror::Error;

/// Names of the errors that Step Functions predefines.
pub mod names {
    /// Matches every error except `States.Runtime`.
    pub const ALL: &str = "States.ALL";
    /// Unrecoverable problem while processing a state (bad path, bad value...).
    pub const RUNTIME: &str = "States.Runtime";
    /// Matches any task failure except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A task or the execution ran longer than allowed.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A task is missing a heartbeat.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// The caller is not allowed to run the task.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// `ResultPath` cannot be applied to the state input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A path in a payload template does not resolve.
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A branch of a Parallel state failed.
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A Map state had more failed iterations than tolerated.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map state's ItemReader could not read its items.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A JSONata expression failed to evaluate.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

/// A failure raised while running a state, in Step Functions terms (`Error` + `Cause`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{error}: {cause}")]
pub struct Fault {
    /// Error name, e.g. `States.TaskFailed` or a name chosen by a task.
    pub error: String,
    /// Human readable cause.
    pub cause: String,
    /// True while a `States.Runtime` cause still lacks the
    /// "An error occurred while executing the state ..." prefix.
    pub(crate) needs_state_prefix: bool,
}

impl Fault {
    /// A failure with the given error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Fault { error: error.into(), cause: cause.into(), needs_state_prefix: false }
    }

    /// A `States.Runtime` failure; the running state adds its name to the cause.
    pub(crate) fn runtime(cause: impl Into<String>) -> Self {
        Fault { error: names::RUNTIME.to_string(), cause: cause.into(), needs_state_prefix: true }
    }

    /// Adds the Step Functions prefix naming the state to a runtime cause.
    pub(crate) fn in_state(mut self, state: &str, entered_event_id: u64) -> Self {
        if self.needs_state_prefix {
            self.cause = format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_event_id}). {}",
                self.cause
            );
            self.needs_state_prefix = false;
        }
        self
    }

    /// True for errors that neither Retry nor Catch may handle.
    pub(crate) fn is_runtime(&self) -> bool {
        self.error == names::RUNTIME
    }
}

/// Why a definition could not be turned into a [`crate::StateMachine`].
#[derive(Debug, Error)]
pub enum ParseError {
    /// The definition text is not JSON.
    #[error("definition is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The definition breaks the language rules.
    #[error("definition is invalid: {}", join_errors(.0))]
    Invalid(Vec<ValidationError>),
}

fn join_errors(errors: &[ValidationError]) -> String {
    errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

/// One problem found by [`crate::validate()`], with the JSON pointer of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{location}: {kind}")]
pub struct ValidationError {
    /// JSON pointer into the definition, e.g. `/States/Extract/Next`.
    pub location: String,
    /// What is wrong.
    pub kind: ValidationErrorKind,
}

/// The kinds of definition problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationErrorKind {
    /// A required field is absent.
    #[error("missing required field '{0}'")]
    MissingField(String),
    /// A field has the wrong JSON type or value.
    #[error("field '{field}' {expected}")]
    BadField {
        /// Field name.
        field: String,
        /// What was expected.
        expected: String,
    },
    /// A transition names a state that does not exist.
    #[error("'{0}' is not a state of this scope")]
    UnknownState(String),
    /// No transition leads to the state.
    #[error("state '{0}' is unreachable")]
    Unreachable(String),
    /// The state neither has `Next` nor `End: true` (or has both).
    #[error("state '{0}' must have exactly one of Next or End: true")]
    NoTransition(String),
    /// `Type` is missing or unknown.
    #[error("unknown state type '{0}'")]
    UnknownType(String),
    /// A field is not allowed here.
    #[error("field '{0}' is not allowed here")]
    NotAllowed(String),
    /// A path or expression does not parse.
    #[error("invalid path or expression '{0}': {1}")]
    BadPath(String, String),
}

/// Why an execution cannot be re-driven.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RedriveError {
    /// Only failed, timed out or aborted executions can be re-driven.
    #[error("execution status is {0}, only FAILED, TIMED_OUT or ABORTED executions can be re-driven")]
    NotRedrivable(String),
    /// The history does not show which state to resume.
    #[error("the history has no state to resume: {0}")]
    NoResumePoint(String),
    /// The state recorded in history is not part of this definition.
    #[error("state '{0}' from the history is not in the definition")]
    UnknownState(String),
}
