//! docex-asl: a local Amazon States Language engine.
//!
//! It runs Step Functions definitions (JSON in, JSON out) on one machine:
//! every state type, Retry/Catch, JSONPath and JSONata data handling,
//! intrinsic functions, variables, Map/Parallel concurrency on tokio, an
//! execution history shaped like `GetExecutionHistory`, and re-drive of
//! failed executions.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use docex_asl::{Engine, ExecutionOptions, StateMachine, TaskRegistry, TokioClock};
//! let machine = StateMachine::parse(&serde_json::json!({
//!     "StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": true}}
//! }))?;
//! let engine = Engine::new(TaskRegistry::new(), Arc::new(TokioClock));
//! let run = engine.start(&machine, serde_json::json!({"a": 1}), ExecutionOptions::default()).await;
//! assert_eq!(run.output, Some(serde_json::json!({"a": 1})));
//! # Ok(()) }
//! ```
//!
//! # History and re-drive
//!
//! Every execution records a [`HistoryEvent`] list (also streamed to an
//! [`ExecutionObserver`], e.g. to persist it). Each `*StateEntered` event keeps
//! the state's raw input, each `*StateExited` event its output and the
//! variables it assigned, and each `MapIterationSucceeded` event the
//! iteration's output. [`Engine::redrive`] reads that back: it finds the last
//! top-level state that was entered, rebuilds the variables from the earlier
//! exits, and runs the machine again from that state with that input,
//! appending to the same history after an `ExecutionRedriven` event. States
//! that completed are not run again. When the resumed state is a Map, the
//! iterations that succeeded reuse their recorded outputs and only the others
//! run. A failed iteration is rerun from its first state, and a resumed
//! Parallel state reruns all of its branches.
//!
//! Choices made where Step Functions leaves room:
//! - A Task whose resource has no bound handler fails at run time with
//!   `States.TaskFailed` (catchable), as a missing Lambda function would;
//!   [`Engine::unbound_resources`] lists such resources up front.
//! - `States.Runtime` is neither retried nor caught, as in Step Functions.
//! - Distributed Map runs like an inline Map; `ItemReader`/`ResultWriter`
//!   are not supported (`States.ItemReaderFailed`).
//! - With a tolerated failure threshold, failed iterations appear in the
//!   Map result as `{"Error", "Cause"}` objects.

#![warn(missing_docs)]

pub mod choice;
pub mod clock;
pub mod engine;
pub mod error;
pub mod history;
pub mod intrinsics;
pub mod jsonata;
pub mod jsonpath;
pub mod model;
pub mod payload;
pub mod recorded;
pub mod task;
pub mod validate;

pub use clock::{Clock, ManualClock, TokioClock};
pub use engine::{AbortSignal, Engine, Execution, ExecutionOptions, ExecutionStatus};
pub use error::{Fault, ParseError, RedriveError, ValidationError, ValidationErrorKind};
pub use history::{EventType, ExecutionObserver, HistoryEvent};
pub use model::{QueryLanguage, StateMachine};
pub use task::{TaskContext, TaskFailure, TaskHandler, TaskRegistry, normalize_resource};
pub use validate::validate;
