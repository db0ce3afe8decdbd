//! Execution history shaped like Step Functions' `GetExecutionHistory`, and the observer
//! hook that lets a caller persist events as they happen.
//!
//! Differences from the AWS shape: inputs and outputs are JSON values rather than
//! JSON-encoded strings; events carry a `scope` (empty at the top level,
//! `/Map[2]` inside iteration 2 of state `Map`) so nested events can be told
//! apart; `MapIterationSucceeded` records the iteration's `output` and
//! `MapIterationFailed` its `error`/`cause`. Those extensions are what re-drive
//! reads back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Event types (the subset of Step Functions' `HistoryEventType` this engine emits).
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    ExecutionAborted,
    ExecutionRedriven,
    PassStateEntered,
    PassStateExited,
    TaskStateEntered,
    TaskScheduled,
    TaskStarted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    TaskStateExited,
    ChoiceStateEntered,
    ChoiceStateExited,
    WaitStateEntered,
    WaitStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
    ParallelStateEntered,
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    ParallelStateExited,
    MapStateEntered,
    MapStateStarted,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapStateSucceeded,
    MapStateFailed,
    MapStateExited,
}

impl EventType {
    /// True for `*StateEntered` events.
    pub fn is_state_entered(self) -> bool {
        use EventType::*;
        matches!(
            self,
            PassStateEntered
                | TaskStateEntered
                | ChoiceStateEntered
                | WaitStateEntered
                | SucceedStateEntered
                | FailStateEntered
                | ParallelStateEntered
                | MapStateEntered
        )
    }
    /// True for `*StateExited` events.
    pub fn is_state_exited(self) -> bool {
        use EventType::*;
        matches!(
            self,
            PassStateExited
                | TaskStateExited
                | ChoiceStateExited
                | WaitStateExited
                | SucceedStateExited
                | ParallelStateExited
                | MapStateExited
        )
    }
}

/// `executionStartedEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionStartedDetails {
    /// Execution input.
    pub input: Value,
}

/// `executionSucceededEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionSucceededDetails {
    /// Execution output.
    pub output: Value,
}

/// Error details (`executionFailedEventDetails`, `taskFailedEventDetails`...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureDetails {
    /// Error name.
    pub error: String,
    /// Cause text.
    pub cause: String,
    /// Task resource, for task events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// `executionRedrivenEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedrivenDetails {
    /// How many times the execution has been re-driven, this one included.
    pub redrive_count: u32,
}

/// `stateEnteredEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateEnteredDetails {
    /// State name.
    pub name: String,
    /// Raw state input.
    pub input: Value,
}

/// `stateExitedEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateExitedDetails {
    /// State name.
    pub name: String,
    /// State output.
    pub output: Value,
    /// Variables the state assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_variables: Option<Map<String, Value>>,
}

/// `taskScheduledEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskScheduledDetails {
    /// Always `local` here.
    pub resource_type: String,
    /// The Task's `Resource`.
    pub resource: String,
    /// The payload sent to the handler.
    pub parameters: Value,
    /// Task timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u64>,
    /// Heartbeat timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_in_seconds: Option<u64>,
    /// Retry attempt (0 for the first call).
    pub attempt: u32,
}

/// `taskStartedEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStartedDetails {
    /// Always `local` here.
    pub resource_type: String,
    /// The Task's `Resource`.
    pub resource: String,
}

/// `taskSucceededEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSucceededDetails {
    /// Always `local` here.
    pub resource_type: String,
    /// The Task's `Resource`.
    pub resource: String,
    /// What the handler returned.
    pub output: Value,
}

/// `mapStateStartedEventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapStateStartedDetails {
    /// Number of items.
    pub length: usize,
}

/// `mapIteration*EventDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapIterationDetails {
    /// Map state name.
    pub name: String,
    /// Item index.
    pub index: usize,
    /// Iteration output (on `MapIterationSucceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Error (on `MapIterationFailed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Cause (on `MapIterationFailed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HistoryEvent {
    /// 1-based, increasing across re-drives.
    pub id: u64,
    /// The event this one follows in its scope (0 for the first).
    pub previous_event_id: u64,
    /// When the event happened (engine clock).
    pub timestamp: DateTime<Utc>,
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Nesting scope: empty at the top level, `/State[index]` per Map iteration or Parallel branch.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_started_event_details: Option<ExecutionStartedDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_succeeded_event_details: Option<ExecutionSucceededDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_failed_event_details: Option<FailureDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_timed_out_event_details: Option<FailureDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_redriven_event_details: Option<RedrivenDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_entered_event_details: Option<StateEnteredDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_exited_event_details: Option<StateExitedDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_scheduled_event_details: Option<TaskScheduledDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_started_event_details: Option<TaskStartedDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_succeeded_event_details: Option<TaskSucceededDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_failed_event_details: Option<FailureDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_timed_out_event_details: Option<FailureDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_state_started_event_details: Option<MapStateStartedDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_iteration_started_event_details: Option<MapIterationDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_iteration_succeeded_event_details: Option<MapIterationDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_iteration_failed_event_details: Option<MapIterationDetails>,
}

impl HistoryEvent {
    /// An event with no details; the engine fills in the matching details field.
    pub fn new(id: u64, previous_event_id: u64, timestamp: DateTime<Utc>, event_type: EventType) -> Self {
        HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            event_type,
            scope: String::new(),
            execution_started_event_details: None,
            execution_succeeded_event_details: None,
            execution_failed_event_details: None,
            execution_timed_out_event_details: None,
            execution_redriven_event_details: None,
            state_entered_event_details: None,
            state_exited_event_details: None,
            task_scheduled_event_details: None,
            task_started_event_details: None,
            task_succeeded_event_details: None,
            task_failed_event_details: None,
            task_timed_out_event_details: None,
            map_state_started_event_details: None,
            map_iteration_started_event_details: None,
            map_iteration_succeeded_event_details: None,
            map_iteration_failed_event_details: None,
        }
    }
}

/// Receives each history event as soon as it is recorded (in id order).
/// Implementations should be quick; they run while the history lock is held.
pub trait ExecutionObserver: Send + Sync {
    /// Called once per event.
    fn on_event(&self, execution_name: &str, event: &HistoryEvent);
}

impl<F> ExecutionObserver for F
where
    F: Fn(&str, &HistoryEvent) + Send + Sync,
{
    fn on_event(&self, execution_name: &str, event: &HistoryEvent) {
        self(execution_name, event)
    }
}
