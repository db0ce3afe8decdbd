//! The executor: runs a [`StateMachine`] against task handlers and a clock, records the
//! history, and re-drives failed executions.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use crate::choice;
use crate::clock::Clock;
use crate::error::{Fault, RedriveError, names};
use crate::history::*;
use crate::intrinsics::splitmix;
use crate::jsonata;
use crate::jsonpath::{self, Path};
use crate::model::{Branch, Catcher, Jitter, QueryLanguage, State, StateKind, StateMachine, error_matches};
use crate::payload::{self, DataScope};
use crate::task::{LAMBDA_INVOKE, TaskContext, TaskFailure, TaskHandler, TaskRegistry, normalize_resource};

/// Final status of an execution (Step Functions names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Reached a terminal state successfully.
    Succeeded,
    /// A state failed and nothing caught it.
    Failed,
    /// The machine's `TimeoutSeconds` elapsed.
    TimedOut,
    /// Stopped through an [`AbortSignal`].
    Aborted,
}

impl std::fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        };
        f.write_str(s)
    }
}

/// Lets a caller stop a running execution (it ends as `Aborted`).
#[derive(Debug, Clone, Default)]
pub struct AbortSignal {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl AbortSignal {
    /// A fresh signal.
    pub fn new() -> Self {
        Self::default()
    }
    /// Requests the abort.
    pub fn abort(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }
    async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.flag.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// Options for one execution.
#[derive(Clone, Default)]
pub struct ExecutionOptions {
    /// Execution name (default: a UUID).
    pub name: Option<String>,
    /// Receives every history event as it is recorded.
    pub observer: Option<Arc<dyn ExecutionObserver>>,
    /// Seed for retry jitter and `States.MathRandom` (default: from the clock).
    pub rng_seed: Option<u64>,
    /// Stops the execution when triggered.
    pub abort: Option<AbortSignal>,
}

/// The result of an execution, with its full history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    /// Execution name.
    pub name: String,
    /// Final status.
    pub status: ExecutionStatus,
    /// Execution input.
    pub input: Value,
    /// Output when `Succeeded`.
    pub output: Option<Value>,
    /// Error when not `Succeeded`.
    pub error: Option<String>,
    /// Cause when not `Succeeded`.
    pub cause: Option<String>,
    /// Every event, across re-drives.
    pub history: Vec<HistoryEvent>,
    /// How many times this execution was re-driven.
    pub redrive_count: u32,
    /// When the execution started.
    pub start_date: DateTime<Utc>,
    /// When it stopped (this run).
    pub stop_date: DateTime<Utc>,
}

/// Runs state machines.
#[derive(Clone)]
pub struct Engine {
    registry: Arc<TaskRegistry>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("registry", &self.registry).finish()
    }
}

struct Exec {
    registry: Arc<TaskRegistry>,
    clock: Arc<dyn Clock>,
    name: String,
    machine_name: String,
    input: Value,
    start_time: DateTime<Utc>,
    redrive_count: u32,
    history: Mutex<Vec<HistoryEvent>>,
    observer: Option<Arc<dyn ExecutionObserver>>,
    rng: Mutex<u64>,
    /// Re-drive: outputs of Map iterations that already succeeded, for one top-level Map state.
    reuse_iterations: Mutex<Option<(String, HashMap<usize, Value>)>>,
}

impl Exec {
    fn emit(&self, scope: &str, prev: u64, ty: EventType, fill: impl FnOnce(&mut HistoryEvent)) -> u64 {
        let now = self.clock.now();
        let mut h = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let id = h.last().map(|e| e.id).unwrap_or(0) + 1;
        let mut ev = HistoryEvent::new(id, prev, now, ty);
        ev.scope = scope.to_string();
        fill(&mut ev);
        if let Some(o) = &self.observer {
            o.on_event(&self.name, &ev);
        }
        h.push(ev);
        id
    }

    fn next_random(&self) -> u64 {
        let mut s = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix(*s)
    }

    fn execution_arn(&self) -> String {
        format!("arn:aws:states:local:000000000000:execution:{}:{}", self.machine_name, self.name)
    }
}

struct Frame {
    exec: Arc<Exec>,
    scope: String,
    prev: u64,
    vars: Map<String, Value>,
}

impl Frame {
    fn emit(&mut self, ty: EventType, fill: impl FnOnce(&mut HistoryEvent)) -> u64 {
        let id = self.exec.emit(&self.scope, self.prev, ty, fill);
        self.prev = id;
        id
    }
    fn rng(&self) -> impl FnMut() -> u64 + '_ {
        || self.exec.next_random()
    }
}

enum Transition {
    Next(String, Value),
    End(Value),
}

struct Outcome {
    output: Value,
    assigned: Map<String, Value>,
    next: Option<String>,
}

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn entered_type(k: StateKind) -> EventType {
    match k {
        StateKind::Pass => EventType::PassStateEntered,
        StateKind::Task => EventType::TaskStateEntered,
        StateKind::Choice => EventType::ChoiceStateEntered,
        StateKind::Wait => EventType::WaitStateEntered,
        StateKind::Succeed => EventType::SucceedStateEntered,
        StateKind::Fail => EventType::FailStateEntered,
        StateKind::Parallel => EventType::ParallelStateEntered,
        StateKind::Map => EventType::MapStateEntered,
    }
}

fn exited_type(k: StateKind) -> Option<EventType> {
    Some(match k {
        StateKind::Pass => EventType::PassStateExited,
        StateKind::Task => EventType::TaskStateExited,
        StateKind::Choice => EventType::ChoiceStateExited,
        StateKind::Wait => EventType::WaitStateExited,
        StateKind::Succeed => EventType::SucceedStateExited,
        StateKind::Parallel => EventType::ParallelStateExited,
        StateKind::Map => EventType::MapStateExited,
        StateKind::Fail => return None,
    })
}

impl Engine {
    /// An engine with the given task handlers and clock.
    pub fn new(registry: TaskRegistry, clock: Arc<dyn Clock>) -> Self {
        Engine { registry: Arc::new(registry), clock }
    }

    /// Task resources of `machine` that no handler is bound to.
    ///
    /// Step Functions accepts such a definition and fails the Task at run time;
    /// this engine does the same (`States.TaskFailed`, catchable), so callers
    /// that want an early error check this list before starting.
    pub fn unbound_resources(&self, machine: &StateMachine) -> Vec<String> {
        machine.resources().into_iter().filter(|r| r != LAMBDA_INVOKE && self.registry.resolve(r).is_none()).collect()
    }

    /// Runs `machine` on `input` to completion.
    pub async fn start(&self, machine: &StateMachine, input: Value, options: ExecutionOptions) -> Execution {
        let name = options.name.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let exec = self.new_exec(machine, name, input.clone(), &options, 0, Vec::new());
        let mut frame = Frame { exec: exec.clone(), scope: String::new(), prev: 0, vars: Map::new() };
        frame.emit(EventType::ExecutionStarted, |e| {
            e.execution_started_event_details = Some(ExecutionStartedDetails { input: input.clone() })
        });
        let start = machine.root.start_at.clone();
        self.drive(machine, exec, frame, start, input, &options).await
    }

    /// Re-drives a failed, timed out or aborted execution like `RedriveExecution`:
    /// resumes at the top-level state that was running when it stopped, with the
    /// input and variables it had; states that completed are not run again, and a
    /// Map state reruns only the iterations that did not succeed.
    pub async fn redrive(
        &self,
        machine: &StateMachine,
        previous: &Execution,
        options: ExecutionOptions,
    ) -> Result<Execution, RedriveError> {
        if previous.status == ExecutionStatus::Succeeded {
            return Err(RedriveError::NotRedrivable(previous.status.to_string()));
        }
        let history = &previous.history;
        let entered = history
            .iter()
            .rev()
            .find(|e| e.scope.is_empty() && e.event_type.is_state_entered())
            .ok_or_else(|| RedriveError::NoResumePoint("no state was entered".into()))?;
        let details = entered
            .state_entered_event_details
            .clone()
            .ok_or_else(|| RedriveError::NoResumePoint("the last entered event has no details".into()))?;
        let state = machine.state(&details.name).ok_or_else(|| RedriveError::UnknownState(details.name.clone()))?;
        let mut vars = Map::new();
        for e in history.iter().filter(|e| e.scope.is_empty() && e.id < entered.id) {
            if let Some(assigned) = e.state_exited_event_details.as_ref().and_then(|d| d.assigned_variables.as_ref()) {
                for (k, v) in assigned {
                    vars.insert(k.clone(), v.clone());
                }
            }
        }
        let mut reuse = HashMap::new();
        if state.kind == StateKind::Map {
            for e in history.iter().filter(|e| e.scope.is_empty() && e.id > entered.id) {
                if let Some(d) = &e.map_iteration_succeeded_event_details
                    && d.name == state.name
                    && let Some(out) = &d.output
                {
                    reuse.insert(d.index, out.clone());
                }
            }
        }
        let redrive_count = previous.redrive_count + 1;
        let exec = self.new_exec(
            machine,
            previous.name.clone(),
            previous.input.clone(),
            &options,
            redrive_count,
            history.clone(),
        );
        *exec.reuse_iterations.lock().unwrap_or_else(|p| p.into_inner()) = Some((state.name.clone(), reuse));
        let last = history.last().map(|e| e.id).unwrap_or(0);
        let mut frame = Frame { exec: exec.clone(), scope: String::new(), prev: last, vars };
        frame.emit(EventType::ExecutionRedriven, |e| {
            e.execution_redriven_event_details = Some(RedrivenDetails { redrive_count })
        });
        let mut result = self.drive(machine, exec, frame, details.name.clone(), details.input.clone(), &options).await;
        result.start_date = previous.start_date;
        Ok(result)
    }

    fn new_exec(
        &self,
        machine: &StateMachine,
        name: String,
        input: Value,
        options: &ExecutionOptions,
        redrive_count: u32,
        history: Vec<HistoryEvent>,
    ) -> Arc<Exec> {
        let start_time = self.clock.now();
        let seed = options.rng_seed.unwrap_or_else(|| start_time.timestamp_nanos_opt().unwrap_or_default() as u64);
        Arc::new(Exec {
            registry: self.registry.clone(),
            clock: self.clock.clone(),
            name,
            machine_name: machine.name.clone(),
            input,
            start_time,
            redrive_count,
            history: Mutex::new(history),
            observer: options.observer.clone(),
            rng: Mutex::new(seed),
            reuse_iterations: Mutex::new(None),
        })
    }

    async fn drive(
        &self,
        machine: &StateMachine,
        exec: Arc<Exec>,
        mut frame: Frame,
        start: String,
        input: Value,
        options: &ExecutionOptions,
    ) -> Execution {
        enum End {
            Done(Result<Value, Fault>),
            TimedOut,
            Aborted,
        }
        let end = {
            let run = run_branch(&mut frame, machine.root.clone(), input, start);
            let timeout = async {
                match machine.timeout_seconds {
                    Some(t) => self.clock.sleep(Duration::from_secs(t)).await,
                    None => std::future::pending().await,
                }
            };
            let abort = async {
                match &options.abort {
                    Some(a) => a.wait().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = run => End::Done(r),
                _ = timeout => End::TimedOut,
                _ = abort => End::Aborted,
            }
        };
        let (status, output, error, cause) = match end {
            End::Done(Ok(out)) => {
                frame.emit(EventType::ExecutionSucceeded, |e| {
                    e.execution_succeeded_event_details = Some(ExecutionSucceededDetails { output: out.clone() })
                });
                (ExecutionStatus::Succeeded, Some(out), None, None)
            }
            End::Done(Err(f)) => {
                frame.emit(EventType::ExecutionFailed, |e| {
                    e.execution_failed_event_details =
                        Some(FailureDetails { error: f.error.clone(), cause: f.cause.clone(), resource: None })
                });
                (ExecutionStatus::Failed, None, Some(f.error), Some(f.cause))
            }
            End::TimedOut => {
                let cause = format!(
                    "The execution exceeded the state machine's TimeoutSeconds of {}",
                    machine.timeout_seconds.unwrap_or_default()
                );
                frame.emit(EventType::ExecutionTimedOut, |e| {
                    e.execution_timed_out_event_details =
                        Some(FailureDetails { error: names::TIMEOUT.into(), cause: cause.clone(), resource: None })
                });
                (ExecutionStatus::TimedOut, None, Some(names::TIMEOUT.to_string()), Some(cause))
            }
            End::Aborted => {
                frame.emit(EventType::ExecutionAborted, |_| {});
                (ExecutionStatus::Aborted, None, None, None)
            }
        };
        let history = exec.history.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Execution {
            name: exec.name.clone(),
            status,
            input: exec.input.clone(),
            output,
            error: error.filter(|e| !e.is_empty()),
            cause: cause.filter(|c| !c.is_empty()),
            history,
            redrive_count: exec.redrive_count,
            start_date: exec.start_time,
            stop_date: self.clock.now(),
        }
    }
}

fn run_branch<'a>(
    frame: &'a mut Frame,
    branch: Arc<Branch>,
    input: Value,
    start: String,
) -> BoxFut<'a, Result<Value, Fault>> {
    Box::pin(async move {
        let mut current = start;
        let mut input = input;
        loop {
            let state = branch
                .states
                .get(&current)
                .cloned()
                .ok_or_else(|| Fault::new(names::RUNTIME, format!("State '{current}' does not exist")))?;
            match run_state(frame, state, input).await? {
                Transition::Next(n, out) => {
                    current = n;
                    input = out;
                }
                Transition::End(out) => return Ok(out),
            }
        }
    })
}

fn context_object(frame: &Frame, state: &State, entered: DateTime<Utc>, retry: u32) -> Value {
    let e = &frame.exec;
    json!({
        "Execution": {
            "Id": e.execution_arn(),
            "Input": e.input,
            "Name": e.name,
            "RoleArn": "arn:aws:iam::000000000000:role/local",
            "StartTime": iso(e.start_time),
            "RedriveCount": e.redrive_count,
        },
        "State": {"Name": state.name, "EnteredTime": iso(entered), "RetryCount": retry},
        "StateMachine": {
            "Id": format!("arn:aws:states:local:000000000000:stateMachine:{}", e.machine_name),
            "Name": e.machine_name,
        },
    })
}

async fn run_state(frame: &mut Frame, state: Arc<State>, raw: Value) -> Result<Transition, Fault> {
    let entered_at = frame.exec.clock.now();
    let entered_id = frame.emit(entered_type(state.kind), |e| {
        e.state_entered_event_details = Some(StateEnteredDetails { name: state.name.clone(), input: raw.clone() })
    });
    let mut retry_counts = vec![0u32; state.retry.len()];
    let mut attempt = 0u32;
    loop {
        let ctx = context_object(frame, &state, entered_at, attempt);
        let result = run_body(frame, &state, &raw, &ctx, attempt).await;
        let fault = match result {
            Ok(outcome) => return Ok(exit(frame, &state, outcome)),
            Err(f) => f.in_state(&state.name, entered_id),
        };
        if fault.is_runtime() {
            return Err(fault);
        }
        if let Some((i, r)) = state.retry.iter().enumerate().find(|(_, r)| error_matches(&r.error_equals, &fault.error))
            && retry_counts[i] < r.max_attempts
        {
            let mut delay = r.base_delay(retry_counts[i]);
            if r.jitter == Jitter::Full {
                let unit = (frame.exec.next_random() >> 11) as f64 / (1u64 << 53) as f64;
                delay *= unit;
            }
            retry_counts[i] += 1;
            attempt += 1;
            let delay = if delay.is_finite() { delay.clamp(0.0, 1e12) } else { 1e12 };
            frame.exec.clock.sleep(Duration::from_secs_f64(delay)).await;
            continue;
        }
        if let Some(c) = state.catch.iter().find(|c| error_matches(&c.error_equals, &fault.error)) {
            let outcome =
                catch_outcome(frame, &state, c, &raw, &ctx, &fault).map_err(|f| f.in_state(&state.name, entered_id))?;
            return Ok(exit(frame, &state, outcome));
        }
        return Err(fault);
    }
}

fn exit(frame: &mut Frame, state: &State, outcome: Outcome) -> Transition {
    for (k, v) in &outcome.assigned {
        frame.vars.insert(k.clone(), v.clone());
    }
    if let Some(ty) = exited_type(state.kind) {
        frame.emit(ty, |e| {
            e.state_exited_event_details = Some(StateExitedDetails {
                name: state.name.clone(),
                output: outcome.output.clone(),
                assigned_variables: (!outcome.assigned.is_empty()).then(|| outcome.assigned.clone()),
            })
        });
    }
    match outcome.next {
        Some(n) => Transition::Next(n, outcome.output),
        None => Transition::End(outcome.output),
    }
}

fn catch_outcome(
    frame: &mut Frame,
    state: &State,
    c: &Catcher,
    raw: &Value,
    ctx: &Value,
    fault: &Fault,
) -> Result<Outcome, Fault> {
    let error_output = json!({"Error": fault.error, "Cause": fault.cause});
    let (output, assigned) = if state.language == QueryLanguage::Jsonata {
        let states = json!({"input": raw, "context": ctx, "errorOutput": error_output});
        let output = match c.raw.get("Output") {
            Some(t) => jsonata::eval_template(t, &states, &frame.vars)?,
            None => error_output.clone(),
        };
        let assigned = jsonata_assign(c.raw.get("Assign"), &states, &frame.vars)?;
        (output, assigned)
    } else {
        let output = match &c.result_path {
            None => error_output.clone(),
            Some(Value::Null) => raw.clone(),
            Some(Value::String(p)) => write_result(raw, p, error_output.clone())?,
            Some(other) => return Err(Fault::runtime(format!("Invalid ResultPath {other}"))),
        };
        let assigned = match c.raw.get("Assign") {
            Some(a) => {
                let mut rng = frame.rng();
                let scope = DataScope { input: &error_output, context: ctx, vars: &frame.vars };
                payload::eval_assign(a, &scope, &mut rng)?
            }
            None => Map::new(),
        };
        (output, assigned)
    };
    Ok(Outcome { output, assigned, next: Some(c.next.clone()) })
}

fn write_result(raw: &Value, path: &str, result: Value) -> Result<Value, Fault> {
    let p = Path::parse(path).map_err(|e| Fault::runtime(e.to_string()))?;
    jsonpath::write(raw.clone(), &p, result).map_err(|e| Fault::new(names::RESULT_PATH_MATCH_FAILURE, e.to_string()))
}

fn jsonata_assign(
    assign: Option<&Value>,
    states: &Value,
    vars: &Map<String, Value>,
) -> Result<Map<String, Value>, Fault> {
    match assign {
        None => Ok(Map::new()),
        Some(a) => match jsonata::eval_template(a, states, vars)? {
            Value::Object(m) => Ok(m),
            other => Err(Fault::runtime(format!("Assign must be an object, got {other}"))),
        },
    }
}

/// Applies `InputPath`.
fn jp_input(frame: &Frame, state: &State, raw: &Value, ctx: &Value) -> Result<Value, Fault> {
    match state.field("InputPath") {
        None => Ok(raw.clone()),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(p)) => DataScope { input: raw, context: ctx, vars: &frame.vars }.require(p),
        Some(other) => Err(Fault::runtime(format!("Invalid InputPath {other}"))),
    }
}

/// The input a Task or Parallel state works on: `Arguments` in JSONata mode; `InputPath`
/// then `Parameters` in JSONPath mode.
fn effective_input(frame: &Frame, state: &State, raw: &Value, ctx: &Value, jsonata_mode: bool) -> Result<Value, Fault> {
    if jsonata_mode {
        return match state.field("Arguments") {
            Some(t) => jsonata::eval_template(t, &ja_states(raw, ctx), &frame.vars),
            None => Ok(raw.clone()),
        };
    }
    let input = jp_input(frame, state, raw, ctx)?;
    match state.field("Parameters") {
        Some(p) => {
            let mut rng = frame.rng();
            payload::eval_template(p, &DataScope { input: &input, context: ctx, vars: &frame.vars }, &mut rng)
        }
        None => Ok(input),
    }
}

/// A state's output and assignments from its result, in the state's query language.
fn finish(
    frame: &Frame,
    state: &State,
    raw: &Value,
    result: Value,
    ctx: &Value,
    next: Option<String>,
    jsonata_mode: bool,
) -> Result<Outcome, Fault> {
    if jsonata_mode {
        ja_finish(frame, state, raw, result, ctx, next)
    } else {
        jp_finish(frame, state, raw, result, ctx, next)
    }
}

/// Applies `ResultSelector`, `Assign`, `ResultPath` and `OutputPath` to a state result.
fn jp_finish(
    frame: &Frame,
    state: &State,
    raw: &Value,
    result: Value,
    ctx: &Value,
    next: Option<String>,
) -> Result<Outcome, Fault> {
    let mut rng = frame.rng();
    let result = match state.field("ResultSelector") {
        Some(sel) => {
            payload::eval_template(sel, &DataScope { input: &result, context: ctx, vars: &frame.vars }, &mut rng)?
        }
        None => result,
    };
    let assigned = match state.field("Assign") {
        Some(a) => payload::eval_assign(a, &DataScope { input: &result, context: ctx, vars: &frame.vars }, &mut rng)?,
        None => Map::new(),
    };
    let merged = match state.field("ResultPath") {
        None => result,
        Some(Value::Null) => raw.clone(),
        Some(Value::String(p)) => write_result(raw, p, result)?,
        Some(other) => return Err(Fault::runtime(format!("Invalid ResultPath {other}"))),
    };
    let output = jp_output(frame, state, merged, ctx)?;
    Ok(Outcome { output, assigned, next })
}

fn jp_output(frame: &Frame, state: &State, value: Value, ctx: &Value) -> Result<Value, Fault> {
    match state.field("OutputPath") {
        None => Ok(value),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(p)) => DataScope { input: &value, context: ctx, vars: &frame.vars }.require(p),
        Some(other) => Err(Fault::runtime(format!("Invalid OutputPath {other}"))),
    }
}

/// Output and Assign of a JSONata state from its result.
fn ja_finish(
    frame: &Frame,
    state: &State,
    raw: &Value,
    result: Value,
    ctx: &Value,
    next: Option<String>,
) -> Result<Outcome, Fault> {
    let states = json!({"input": raw, "context": ctx, "result": result});
    let output = match state.field("Output") {
        Some(t) => jsonata::eval_template(t, &states, &frame.vars)?,
        None => result,
    };
    let assigned = jsonata_assign(state.field("Assign"), &states, &frame.vars)?;
    Ok(Outcome { output, assigned, next })
}

fn ja_states(raw: &Value, ctx: &Value) -> Value {
    json!({"input": raw, "context": ctx})
}

fn as_u64_field(v: &Value, what: &str) -> Result<u64, Fault> {
    v.as_u64().ok_or_else(|| Fault::runtime(format!("{what} must be a non-negative integer, got {v}")))
}

/// Reads an integer setting that may be given as `Field`, `FieldPath` (JSONPath) or a JSONata expression.
fn int_setting(
    frame: &Frame,
    state: &State,
    field: &str,
    raw: &Value,
    input: &Value,
    ctx: &Value,
) -> Result<Option<u64>, Fault> {
    if let Some(v) = state.field(field) {
        if let Some(s) = v.as_str()
            && jsonata::is_expression(s)
        {
            let r = jsonata::eval_template(v, &ja_states(raw, ctx), &frame.vars)?;
            return as_u64_field(&r, field).map(Some);
        }
        return as_u64_field(v, field).map(Some);
    }
    if let Some(Value::String(p)) = state.field(&format!("{field}Path")) {
        let v = DataScope { input, context: ctx, vars: &frame.vars }.require(p)?;
        return as_u64_field(&v, field).map(Some);
    }
    Ok(None)
}

async fn run_body(
    frame: &mut Frame,
    state: &Arc<State>,
    raw: &Value,
    ctx: &Value,
    attempt: u32,
) -> Result<Outcome, Fault> {
    let jsonata_mode = state.language == QueryLanguage::Jsonata;
    let next = state.next.clone();
    match state.kind {
        StateKind::Pass => {
            if jsonata_mode {
                let states = ja_states(raw, ctx);
                let output = match state.field("Output") {
                    Some(t) => jsonata::eval_template(t, &states, &frame.vars)?,
                    None => raw.clone(),
                };
                let assigned = jsonata_assign(state.field("Assign"), &states, &frame.vars)?;
                return Ok(Outcome { output, assigned, next });
            }
            let input = jp_input(frame, state, raw, ctx)?;
            let result = if let Some(r) = state.field("Result") {
                r.clone()
            } else if let Some(p) = state.field("Parameters") {
                let mut rng = frame.rng();
                payload::eval_template(p, &DataScope { input: &input, context: ctx, vars: &frame.vars }, &mut rng)?
            } else {
                input
            };
            jp_finish(frame, state, raw, result, ctx, next)
        }
        StateKind::Succeed => {
            if jsonata_mode {
                let output = match state.field("Output") {
                    Some(t) => jsonata::eval_template(t, &ja_states(raw, ctx), &frame.vars)?,
                    None => raw.clone(),
                };
                return Ok(Outcome { output, assigned: Map::new(), next: None });
            }
            let input = jp_input(frame, state, raw, ctx)?;
            let output = jp_output(frame, state, input, ctx)?;
            Ok(Outcome { output, assigned: Map::new(), next: None })
        }
        StateKind::Fail => Err(fail_fault(frame, state, raw, ctx)?),
        StateKind::Choice => run_choice(frame, state, raw, ctx),
        StateKind::Wait => run_wait(frame, state, raw, ctx).await,
        StateKind::Task => {
            let input = effective_input(frame, state, raw, ctx, jsonata_mode)?;
            let result = call_task(frame, state, raw, input, ctx, attempt).await?;
            finish(frame, state, raw, result, ctx, next, jsonata_mode)
        }
        StateKind::Parallel => {
            let input = effective_input(frame, state, raw, ctx, jsonata_mode)?;
            let result = run_parallel(frame, state, input).await?;
            finish(frame, state, raw, result, ctx, next, jsonata_mode)
        }
        StateKind::Map => {
            let result = run_map(frame, state, raw, ctx).await?;
            finish(frame, state, raw, result, ctx, next, jsonata_mode)
        }
    }
}

fn fail_fault(frame: &Frame, state: &State, raw: &Value, ctx: &Value) -> Result<Fault, Fault> {
    let pick = |field: &str| -> Result<String, Fault> {
        if state.language == QueryLanguage::Jsonata {
            return Ok(match state.field(field) {
                Some(t) => match jsonata::eval_template(t, &ja_states(raw, ctx), &frame.vars)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                },
                None => String::new(),
            });
        }
        if let Some(Value::String(s)) = state.field(field) {
            return Ok(s.clone());
        }
        if let Some(Value::String(p)) = state.field(&format!("{field}Path")) {
            let scope = DataScope { input: raw, context: ctx, vars: &frame.vars };
            let mut rng = frame.rng();
            let v = if crate::intrinsics::is_intrinsic(p) {
                crate::intrinsics::evaluate(p, &scope, &mut rng)?
            } else {
                scope.require(p)?
            };
            return Ok(match v {
                Value::String(s) => s,
                other => other.to_string(),
            });
        }
        Ok(String::new())
    };
    Ok(Fault::new(pick("Error")?, pick("Cause")?))
}

fn run_choice(frame: &Frame, state: &State, raw: &Value, ctx: &Value) -> Result<Outcome, Fault> {
    let rules = state.field("Choices").and_then(|c| c.as_array()).cloned().unwrap_or_default();
    if state.language == QueryLanguage::Jsonata {
        let states = ja_states(raw, ctx);
        let mut chosen: Option<(String, Option<&Value>, Option<&Value>)> = None;
        for rule in &rules {
            let cond = rule.get("Condition").cloned().unwrap_or(Value::Bool(false));
            let v = jsonata::eval_template(&cond, &states, &frame.vars)?;
            let b = v.as_bool().ok_or_else(|| {
                Fault::new(names::QUERY_EVALUATION_ERROR, format!("The Condition must evaluate to a boolean, got {v}"))
            })?;
            if b {
                let next = rule.get("Next").and_then(|n| n.as_str()).unwrap_or_default().to_string();
                chosen = Some((next, rule.get("Output"), rule.get("Assign")));
                break;
            }
        }
        let (next, output_t, assign_t) = match chosen {
            Some(c) => c,
            None => match state.field("Default").and_then(|d| d.as_str()) {
                Some(d) => (d.to_string(), state.field("Output"), state.field("Assign")),
                None => return Err(Fault::new(names::NO_CHOICE_MATCHED, "No Matches!")),
            },
        };
        let output = match output_t.or(state.field("Output")) {
            Some(t) => jsonata::eval_template(t, &states, &frame.vars)?,
            None => raw.clone(),
        };
        let assigned = jsonata_assign(assign_t, &states, &frame.vars)?;
        return Ok(Outcome { output, assigned, next: Some(next) });
    }
    let input = jp_input(frame, state, raw, ctx)?;
    let scope = DataScope { input: &input, context: ctx, vars: &frame.vars };
    let mut chosen = None;
    for rule in &rules {
        if choice::eval_rule(rule, &scope)? {
            let next = rule.get("Next").and_then(|n| n.as_str()).unwrap_or_default().to_string();
            chosen = Some((next, rule.get("Assign")));
            break;
        }
    }
    let (next, assign_t) = match chosen {
        Some(c) => c,
        None => match state.field("Default").and_then(|d| d.as_str()) {
            Some(d) => (d.to_string(), state.field("Assign")),
            None => return Err(Fault::new(names::NO_CHOICE_MATCHED, "No Matches!")),
        },
    };
    let assigned = match assign_t {
        Some(a) => {
            let mut rng = frame.rng();
            payload::eval_assign(a, &scope, &mut rng)?
        }
        None => Map::new(),
    };
    let output = jp_output(frame, state, input, ctx)?;
    Ok(Outcome { output, assigned, next: Some(next) })
}

async fn run_wait(frame: &mut Frame, state: &State, raw: &Value, ctx: &Value) -> Result<Outcome, Fault> {
    let jsonata_mode = state.language == QueryLanguage::Jsonata;
    let input = if jsonata_mode { raw.clone() } else { jp_input(frame, state, raw, ctx)? };
    let clock = frame.exec.clock.clone();
    let eval_field = |field: &str| -> Result<Option<Value>, Fault> {
        match state.field(field) {
            Some(v) if jsonata_mode => jsonata::eval_template(v, &ja_states(raw, ctx), &frame.vars).map(Some),
            Some(v) => Ok(Some(v.clone())),
            None => Ok(None),
        }
    };
    let parse_ts = |v: &Value, what: &str| -> Result<DateTime<Utc>, Fault> {
        v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc)).ok_or_else(|| {
            Fault::runtime(format!(
                "The {what} parameter does not reference a valid ISO-8601 extended offset date-time format string: {v}"
            ))
        })
    };
    let wait = if let Some(s) = eval_field("Seconds")? {
        let secs = s
            .as_u64()
            .ok_or_else(|| Fault::runtime(format!("The Seconds parameter must be a non-negative integer, got {s}")))?;
        Duration::from_secs(secs)
    } else if let Some(Value::String(p)) = state.field("SecondsPath") {
        let v = DataScope { input: &input, context: ctx, vars: &frame.vars }.require(p)?;
        match v.as_i64() {
            Some(n) if n < 0 => {
                return Err(Fault::runtime(format!(
                    "The SecondsPath parameter references a negative value: {p} == {v}"
                )));
            }
            Some(n) => Duration::from_secs(n as u64),
            None => {
                return Err(Fault::runtime(format!(
                    "The SecondsPath parameter does not reference a valid integer value: {p} == {v}"
                )));
            }
        }
    } else {
        let ts = if let Some(t) = eval_field("Timestamp")? {
            parse_ts(&t, "Timestamp")?
        } else if let Some(Value::String(p)) = state.field("TimestampPath") {
            let v = DataScope { input: &input, context: ctx, vars: &frame.vars }.require(p)?;
            parse_ts(&v, "TimestampPath")?
        } else {
            return Err(Fault::runtime("A Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath"));
        };
        (ts - clock.now()).to_std().unwrap_or(Duration::ZERO)
    };
    clock.sleep(wait).await;
    if jsonata_mode {
        let states = ja_states(raw, ctx);
        let output = match state.field("Output") {
            Some(t) => jsonata::eval_template(t, &states, &frame.vars)?,
            None => raw.clone(),
        };
        let assigned = jsonata_assign(state.field("Assign"), &states, &frame.vars)?;
        return Ok(Outcome { output, assigned, next: state.next.clone() });
    }
    let assigned = match state.field("Assign") {
        Some(a) => {
            let mut rng = frame.rng();
            payload::eval_assign(a, &DataScope { input: &input, context: ctx, vars: &frame.vars }, &mut rng)?
        }
        None => Map::new(),
    };
    let output = jp_output(frame, state, input, ctx)?;
    Ok(Outcome { output, assigned, next: state.next.clone() })
}

enum Resolved {
    Direct(Arc<dyn TaskHandler>),
    LambdaInvoke(Arc<dyn TaskHandler>),
}

fn resolve_handler(registry: &TaskRegistry, resource: &str, input: &Value) -> Option<Resolved> {
    if let Some(h) = registry.resolve(resource) {
        return Some(Resolved::Direct(h));
    }
    if resource.starts_with(LAMBDA_INVOKE) {
        let f = input.get("FunctionName").and_then(|f| f.as_str())?;
        return registry.resolve(f).map(Resolved::LambdaInvoke);
    }
    None
}

async fn call_task(
    frame: &mut Frame,
    state: &State,
    raw: &Value,
    input: Value,
    ctx: &Value,
    attempt: u32,
) -> Result<Value, Fault> {
    let resource = state.field("Resource").and_then(|r| r.as_str()).unwrap_or_default().to_string();
    let timeout = int_setting(frame, state, "TimeoutSeconds", raw, raw, ctx)?;
    let heartbeat = int_setting(frame, state, "HeartbeatSeconds", raw, raw, ctx)?;
    let resource_type = "local".to_string();
    frame.emit(EventType::TaskScheduled, |e| {
        e.task_scheduled_event_details = Some(TaskScheduledDetails {
            resource_type: resource_type.clone(),
            resource: resource.clone(),
            parameters: input.clone(),
            timeout_in_seconds: timeout,
            heartbeat_in_seconds: heartbeat,
            attempt,
        })
    });
    let fail = |frame: &mut Frame, error: String, cause: String, timed_out: bool| {
        let d = FailureDetails { error: error.clone(), cause: cause.clone(), resource: Some(resource.clone()) };
        if timed_out {
            frame.emit(EventType::TaskTimedOut, |e| e.task_timed_out_event_details = Some(d));
        } else {
            frame.emit(EventType::TaskFailed, |e| e.task_failed_event_details = Some(d));
        }
        Fault::new(error, cause)
    };
    let Some(resolved) = resolve_handler(&frame.exec.registry, &resource, &input) else {
        return Err(fail(
            frame,
            names::TASK_FAILED.into(),
            format!(
                "No task handler is bound to resource '{resource}' (also tried '{}')",
                normalize_resource(&resource)
            ),
            false,
        ));
    };
    frame.emit(EventType::TaskStarted, |e| {
        e.task_started_event_details =
            Some(TaskStartedDetails { resource_type: resource_type.clone(), resource: resource.clone() })
    });
    let (handler, payload, wrap) = match resolved {
        Resolved::Direct(h) => (h, input, false),
        Resolved::LambdaInvoke(h) => (h, input.get("Payload").cloned().unwrap_or(Value::Null), true),
    };
    let notify = Arc::new(Notify::new());
    let tctx = TaskContext {
        execution_name: frame.exec.name.clone(),
        state_name: state.name.clone(),
        resource: resource.clone(),
        attempt,
        context: ctx.clone(),
        heartbeat: notify.clone(),
    };
    let clock = frame.exec.clock.clone();
    let call = handler.call(payload, tctx);
    tokio::pin!(call);
    let start = clock.now();
    let mut last_beat = start;
    let outcome: Result<Result<Value, TaskFailure>, (&str, String)> = loop {
        let now = clock.now();
        let until = |since: DateTime<Utc>, secs: Option<u64>| {
            secs.map(|s| (add_secs(since, s) - now).to_std().unwrap_or(Duration::ZERO))
        };
        let t_left = until(start, timeout);
        let h_left = until(last_beat, heartbeat);
        let wait = match (t_left, h_left) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let sleeper = async {
            match wait {
                Some(d) => clock.sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            r = &mut call => break Ok(r),
            _ = notify.notified() => { last_beat = clock.now(); }
            _ = sleeper => {
                let now = clock.now();
                if timeout.is_some_and(|t| now >= add_secs(start, t)) {
                    break Err((names::TIMEOUT, format!("The task did not finish within TimeoutSeconds ({}s)", timeout.unwrap_or_default())));
                }
                if heartbeat.is_some_and(|h| now >= add_secs(last_beat, h)) {
                    break Err((names::TIMEOUT, format!("The task sent no heartbeat within HeartbeatSeconds ({}s)", heartbeat.unwrap_or_default())));
                }
            }
        }
    };
    match outcome {
        Ok(Ok(mut v)) => {
            if wrap {
                v = json!({"Payload": v, "StatusCode": 200, "ExecutedVersion": "$LATEST"});
            }
            frame.emit(EventType::TaskSucceeded, |e| {
                e.task_succeeded_event_details = Some(TaskSucceededDetails {
                    resource_type: resource_type.clone(),
                    resource: resource.clone(),
                    output: v.clone(),
                })
            });
            Ok(v)
        }
        Ok(Err(f)) => Err(fail(frame, f.error, f.cause, false)),
        Err((error, cause)) => Err(fail(frame, error.to_string(), cause, true)),
    }
}

async fn run_parallel(frame: &mut Frame, state: &Arc<State>, input: Value) -> Result<Value, Fault> {
    let started = frame.emit(EventType::ParallelStateStarted, |_| {});
    let mut set = JoinSet::new();
    for (i, branch) in state.branches.iter().enumerate() {
        let mut f = Frame {
            exec: frame.exec.clone(),
            scope: format!("{}/{}[{}]", frame.scope, state.name, i),
            prev: started,
            vars: frame.vars.clone(),
        };
        let branch = branch.clone();
        let input = input.clone();
        set.spawn(async move {
            let start = branch.start_at.clone();
            (i, run_branch(&mut f, branch, input, start).await)
        });
    }
    let mut results: Vec<Option<Value>> = vec![None; state.branches.len()];
    let mut failure = None;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, Ok(v))) => results[i] = Some(v),
            Ok((_, Err(f))) => {
                failure = Some(f);
                set.abort_all();
                break;
            }
            Err(e) => {
                failure = Some(Fault::new(names::BRANCH_FAILED, format!("A branch stopped unexpectedly: {e}")));
                set.abort_all();
                break;
            }
        }
    }
    if let Some(f) = failure {
        frame.emit(EventType::ParallelStateFailed, |_| {});
        return Err(f);
    }
    frame.emit(EventType::ParallelStateSucceeded, |_| {});
    Ok(Value::Array(results.into_iter().map(|v| v.unwrap_or(Value::Null)).collect()))
}

fn tolerance(
    frame: &Frame,
    state: &State,
    raw: &Value,
    input: &Value,
    ctx: &Value,
) -> Result<(Option<f64>, Option<u64>), Fault> {
    let jsonata_mode = state.language == QueryLanguage::Jsonata;
    let read = |field: &str| -> Result<Option<Value>, Fault> {
        if let Some(v) = state.field(field) {
            if jsonata_mode {
                return jsonata::eval_template(v, &ja_states(raw, ctx), &frame.vars).map(Some);
            }
            return Ok(Some(v.clone()));
        }
        if let Some(Value::String(p)) = state.field(&format!("{field}Path")) {
            return DataScope { input, context: ctx, vars: &frame.vars }.require(p).map(Some);
        }
        Ok(None)
    };
    let pct = match read("ToleratedFailurePercentage")? {
        None => None,
        Some(v) => match v.as_f64() {
            Some(p) if (0.0..=100.0).contains(&p) => Some(p),
            _ => return Err(Fault::runtime("ToleratedFailurePercentage must be between 0 and 100.")),
        },
    };
    let count = match read("ToleratedFailureCount")? {
        None => None,
        Some(v) => match v.as_u64() {
            Some(c) => Some(c),
            None => return Err(Fault::runtime("ToleratedFailureCount must be a non-negative integer.")),
        },
    };
    Ok((pct, count))
}

async fn run_map(frame: &mut Frame, state: &Arc<State>, raw: &Value, ctx: &Value) -> Result<Value, Fault> {
    let jsonata_mode = state.language == QueryLanguage::Jsonata;
    if state.field("ItemReader").is_some() {
        return Err(Fault::new(
            names::ITEM_READER_FAILED,
            "ItemReader (reading items from S3) is not supported by the local engine",
        ));
    }
    let processor = state.processor.clone().ok_or_else(|| Fault::runtime("A Map state needs an ItemProcessor"))?;
    let input = if jsonata_mode { raw.clone() } else { jp_input(frame, state, raw, ctx)? };
    let items_value = if jsonata_mode {
        match state.field("Items") {
            Some(t) => jsonata::eval_template(t, &ja_states(raw, ctx), &frame.vars)?,
            None => raw.clone(),
        }
    } else {
        let p = state.field("ItemsPath").and_then(|p| p.as_str()).unwrap_or("$");
        DataScope { input: &input, context: ctx, vars: &frame.vars }.require(p)?
    };
    let items = match items_value {
        Value::Array(a) => a,
        other => {
            return Err(Fault::runtime(format!("The Map state's items must be a JSON array, got {other}")));
        }
    };
    let (pct, count) = tolerance(frame, state, raw, &input, ctx)?;
    let tolerance_set = pct.is_some() || count.is_some();
    let max_conc = int_setting(frame, state, "MaxConcurrency", raw, &input, ctx)?.unwrap_or(0);
    let selector = state.field("ItemSelector").or_else(|| state.field("Parameters"));
    let mut iteration_inputs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let v = match selector {
            None => item.clone(),
            Some(t) => {
                let mut ctx_item = ctx.clone();
                ctx_item["Map"] = json!({"Item": {"Index": i, "Value": item}});
                if jsonata_mode {
                    jsonata::eval_template(t, &ja_states(raw, &ctx_item), &frame.vars)?
                } else {
                    let mut rng = frame.rng();
                    payload::eval_template(
                        t,
                        &DataScope { input: &input, context: &ctx_item, vars: &frame.vars },
                        &mut rng,
                    )?
                }
            }
        };
        iteration_inputs.push(v);
    }
    let total = items.len();
    let started = frame.emit(EventType::MapStateStarted, |e| {
        e.map_state_started_event_details = Some(MapStateStartedDetails { length: total })
    });
    let reuse = if frame.scope.is_empty() {
        let mut slot = frame.exec.reuse_iterations.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some((name, outputs)) if name == state.name => outputs,
            other => {
                *slot = other;
                HashMap::new()
            }
        }
    } else {
        HashMap::new()
    };
    let sem = (max_conc > 0).then(|| Arc::new(Semaphore::new(max_conc as usize)));
    let mut results: Vec<Option<Value>> = vec![None; total];
    let mut set = JoinSet::new();
    for (i, item_input) in iteration_inputs.into_iter().enumerate() {
        if let Some(out) = reuse.get(&i) {
            let name = state.name.clone();
            let out = out.clone();
            frame.exec.emit(&frame.scope, started, EventType::MapIterationSucceeded, |e| {
                e.map_iteration_succeeded_event_details =
                    Some(MapIterationDetails { name, index: i, output: Some(out.clone()), error: None, cause: None })
            });
            results[i] = Some(out);
            continue;
        }
        let exec = frame.exec.clone();
        let parent_scope = frame.scope.clone();
        let vars = frame.vars.clone();
        let processor = processor.clone();
        let sem = sem.clone();
        let name = state.name.clone();
        set.spawn(async move {
            let _permit = match &sem {
                Some(s) => s.clone().acquire_owned().await.ok(),
                None => None,
            };
            let detail =
                |output, error, cause| MapIterationDetails { name: name.clone(), index: i, output, error, cause };
            let it_started = exec.emit(&parent_scope, started, EventType::MapIterationStarted, |e| {
                e.map_iteration_started_event_details = Some(detail(None, None, None))
            });
            let mut f =
                Frame { exec: exec.clone(), scope: format!("{parent_scope}/{name}[{i}]"), prev: it_started, vars };
            let start = processor.start_at.clone();
            let r = run_branch(&mut f, processor, item_input, start).await;
            match &r {
                Ok(v) => exec.emit(&parent_scope, f.prev, EventType::MapIterationSucceeded, |e| {
                    e.map_iteration_succeeded_event_details = Some(detail(Some(v.clone()), None, None))
                }),
                Err(fault) => exec.emit(&parent_scope, f.prev, EventType::MapIterationFailed, |e| {
                    e.map_iteration_failed_event_details =
                        Some(detail(None, Some(fault.error.clone()), Some(fault.cause.clone())))
                }),
            };
            (i, r)
        });
    }
    let mut failed = 0u64;
    let mut failure: Option<Fault> = None;
    while let Some(joined) = set.join_next().await {
        let (i, r) = match joined {
            Ok(x) => x,
            Err(e) => {
                failure = Some(Fault::new(names::RUNTIME, format!("A Map iteration stopped unexpectedly: {e}")));
                set.abort_all();
                break;
            }
        };
        match r {
            Ok(v) => results[i] = Some(v),
            Err(f) => {
                failed += 1;
                results[i] = Some(json!({"Error": f.error, "Cause": f.cause}));
                let over_count = failed > count.unwrap_or(0);
                let over_pct = total > 0 && (failed as f64 * 100.0 / total as f64) > pct.unwrap_or(0.0);
                let exceeded =
                    if tolerance_set { (count.is_none() || over_count) && (pct.is_none() || over_pct) } else { true };
                if exceeded {
                    failure = Some(if tolerance_set {
                        Fault::new(
                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        )
                    } else {
                        f
                    });
                    set.abort_all();
                    break;
                }
            }
        }
    }
    if let Some(f) = failure {
        frame.prev = frame.exec.emit(&frame.scope, started, EventType::MapStateFailed, |_| {});
        return Err(f);
    }
    frame.prev = frame.exec.emit(&frame.scope, started, EventType::MapStateSucceeded, |_| {});
    Ok(Value::Array(results.into_iter().map(|v| v.unwrap_or(Value::Null)).collect()))
}

/// `t + secs`, saturating at the largest representable time.
fn add_secs(t: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    chrono::Duration::try_seconds(secs.min(i64::MAX as u64 / 1000) as i64)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
