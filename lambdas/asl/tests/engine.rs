//! Behaviour tests of the engine: retry ladders on the test clock, Catch routing,
//! Map tolerance and concurrency, timeouts, Wait, history shape and re-drive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use docex_asl::{
    Engine, EventType, Execution, ExecutionObserver, ExecutionOptions, ExecutionStatus, HistoryEvent, ManualClock,
    StateMachine, TaskContext, TaskFailure, TaskHandler, TaskRegistry,
};
use serde_json::{Value, json};

type Sync = dyn Fn(Value, &TaskContext) -> Result<Value, TaskFailure> + Send + std::marker::Sync;

/// A handler built from a closure, counting its calls.
struct FnHandler {
    calls: AtomicUsize,
    f: Box<Sync>,
}

impl FnHandler {
    fn new(
        f: impl Fn(Value, &TaskContext) -> Result<Value, TaskFailure> + Send + std::marker::Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(FnHandler { calls: AtomicUsize::new(0), f: Box::new(f) })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TaskHandler for FnHandler {
    async fn call(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        (self.f)(input, &ctx)
    }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

fn machine(def: Value) -> StateMachine {
    StateMachine::parse(&def).unwrap_or_else(|e| panic!("definition should parse: {e}"))
}

fn opts(seed: u64) -> ExecutionOptions {
    ExecutionOptions { name: Some("test".into()), rng_seed: Some(seed), ..Default::default() }
}

fn types(run: &Execution) -> Vec<EventType> {
    run.history.iter().map(|e| e.event_type).collect()
}

fn task_with_retry(retry: Value) -> StateMachine {
    machine(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "work", "Retry": [retry], "End": true}}}),
    )
}

#[tokio::test]
async fn retry_ladder_uses_interval_and_backoff() {
    let h = FnHandler::new(|_, _| Err(TaskFailure::new("Boom", "always")));
    let clock = Arc::new(ManualClock::instant(t0()));
    let engine = Engine::new(TaskRegistry::new().with("work", h.clone()), clock.clone());
    let m = task_with_retry(json!({"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 3}));
    let run = engine.start(&m, json!({}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Failed);
    assert_eq!(run.error.as_deref(), Some("Boom"));
    assert_eq!(h.calls(), 4);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2), Duration::from_secs(6), Duration::from_secs(18)]);
    let attempts: Vec<u32> =
        run.history.iter().filter_map(|e| e.task_scheduled_event_details.as_ref().map(|d| d.attempt)).collect();
    assert_eq!(attempts, vec![0, 1, 2, 3]);
}

#[tokio::test]
async fn retry_delay_is_capped_by_max_delay_seconds() {
    let h = FnHandler::new(|_, _| Err(TaskFailure::new("Boom", "always")));
    let clock = Arc::new(ManualClock::instant(t0()));
    let engine = Engine::new(TaskRegistry::new().with("work", h.clone()), clock.clone());
    let m = task_with_retry(
        json!({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 4, "BackoffRate": 10, "MaxDelaySeconds": 50}),
    );
    engine.start(&m, json!({}), opts(1)).await;
    let secs: Vec<u64> = clock.sleeps().iter().map(|d| d.as_secs()).collect();
    assert_eq!(secs, vec![1, 10, 50, 50]);
}

#[tokio::test]
async fn full_jitter_stays_within_bounds_and_follows_the_seed() {
    let retry = json!({"ErrorEquals": ["Boom"], "IntervalSeconds": 4, "MaxAttempts": 5, "BackoffRate": 2, "JitterStrategy": "FULL"});
    let mut ladders = Vec::new();
    for seed in [11, 11, 12] {
        let h = FnHandler::new(|_, _| Err(TaskFailure::new("Boom", "always")));
        let clock = Arc::new(ManualClock::instant(t0()));
        let engine = Engine::new(TaskRegistry::new().with("work", h), clock.clone());
        engine.start(&task_with_retry(retry.clone()), json!({}), opts(seed)).await;
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.len(), 5);
        for (i, d) in sleeps.iter().enumerate() {
            let cap = 4.0 * 2f64.powi(i as i32);
            assert!(d.as_secs_f64() <= cap, "attempt {i}: {d:?} > {cap}");
        }
        assert!(sleeps.iter().enumerate().any(|(i, d)| d.as_secs_f64() < 4.0 * 2f64.powi(i as i32)));
        ladders.push(sleeps);
    }
    assert_eq!(ladders[0], ladders[1], "same seed, same jitter");
    assert_ne!(ladders[0], ladders[2], "other seed, other jitter");
}

#[tokio::test]
async fn retry_then_success_sees_the_retry_count() {
    let h = FnHandler::new(|_, ctx| {
        if ctx.attempt < 2 {
            Err(TaskFailure::new("Flaky", "not yet"))
        } else {
            Ok(json!({"attempt": ctx.attempt, "retryCount": ctx.context["State"]["RetryCount"]}))
        }
    });
    let engine = Engine::new(TaskRegistry::new().with("work", h.clone()), Arc::new(ManualClock::instant(t0())));
    let m = task_with_retry(json!({"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 5}));
    let run = engine.start(&m, json!({}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Succeeded);
    assert_eq!(run.output, Some(json!({"attempt": 2, "retryCount": 2})));
    assert_eq!(h.calls(), 3);
}

#[tokio::test]
async fn catch_routes_by_error_and_writes_result_path() {
    let h = FnHandler::new(|input, _| match input["kind"].as_str() {
        Some("a") => Err(TaskFailure::new("ErrA", "cause a")),
        _ => Err(TaskFailure::new("ErrB", "cause b")),
    });
    let engine = Engine::new(TaskRegistry::new().with("work", h), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "work", "Next": "Done", "Catch": [
            {"ErrorEquals": ["ErrA"], "ResultPath": "$.err", "Next": "HandledA"},
            {"ErrorEquals": ["States.ALL"], "Next": "HandledAll", "Assign": {"seen.$": "$.Error"}}
        ]},
        "HandledA": {"Type": "Pass", "End": true},
        "HandledAll": {"Type": "Pass", "Parameters": {"caught.$": "$", "var.$": "$seen"}, "End": true},
        "Done": {"Type": "Succeed"}
    }}));
    let a = engine.start(&m, json!({"kind": "a"}), opts(1)).await;
    assert_eq!(a.output, Some(json!({"kind": "a", "err": {"Error": "ErrA", "Cause": "cause a"}})));
    let b = engine.start(&m, json!({"kind": "b"}), opts(1)).await;
    assert_eq!(b.output, Some(json!({"caught": {"Error": "ErrB", "Cause": "cause b"}, "var": "ErrB"})));
}

#[tokio::test]
async fn runtime_errors_are_not_caught_and_unknown_resources_fail_the_task() {
    let engine = Engine::new(TaskRegistry::new(), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${missing_arn}", "InputPath": "$.nope", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]},
        "C": {"Type": "Pass", "End": true}
    }}));
    let run = engine.start(&m, json!({}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Failed);
    assert_eq!(run.error.as_deref(), Some("States.Runtime"));
    assert!(run.cause.unwrap().contains("Invalid path '$.nope'"));
    assert_eq!(engine.unbound_resources(&m), vec!["${missing_arn}".to_string()]);

    let run = engine.start(&m, json!({"nope": 1}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Succeeded, "the unbound task fails catchably");
    assert_eq!(run.output.unwrap()["Error"], json!("States.TaskFailed"));
}

#[tokio::test]
async fn resources_resolve_by_placeholder_arn_and_lambda_invoke() {
    let h = FnHandler::new(|input, _| Ok(json!({"got": input})));
    let engine = Engine::new(TaskRegistry::new().with("extract", h.clone()), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "${extract_arn}", "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:extract", "ResultPath": "$.b", "Next": "C"},
        "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "${extract_arn}", "Payload": {"x": 1}},
              "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.c", "End": true}
    }}));
    let run = engine.start(&m, json!({}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Succeeded, "{:?}", run.cause);
    let out = run.output.unwrap();
    assert_eq!(out["a"], json!({"got": {}}));
    assert_eq!(out["c"], json!({"p": {"got": {"x": 1}}}));
    assert_eq!(h.calls(), 3);
}

fn odd_fails() -> Arc<FnHandler> {
    FnHandler::new(|input, _| {
        if input.as_i64().unwrap_or(0) % 2 == 1 {
            Err(TaskFailure::new("Odd", format!("{input} is odd")))
        } else {
            Ok(json!(input.as_i64().unwrap_or(0) * 10))
        }
    })
}

fn map_with(extra: Value) -> StateMachine {
    let mut state = json!({"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "work", "End": true}}}});
    for (k, v) in extra.as_object().unwrap() {
        state[k] = v.clone();
    }
    machine(json!({"StartAt": "M", "States": {"M": state}}))
}

#[tokio::test]
async fn map_tolerated_failures() {
    let engine = Engine::new(TaskRegistry::new().with("work", odd_fails()), Arc::new(ManualClock::instant(t0())));
    let items = json!([0, 1, 2, 3]);
    let ok = engine.start(&map_with(json!({"ToleratedFailureCount": 2})), items.clone(), opts(1)).await;
    assert_eq!(ok.status, ExecutionStatus::Succeeded);
    let out = ok.output.unwrap();
    assert_eq!(out[0], json!(0));
    assert_eq!(out[1]["Error"], json!("Odd"));
    assert_eq!(out[2], json!(20));

    let over =
        engine.start(&map_with(json!({"ToleratedFailureCount": 1, "MaxConcurrency": 1})), items.clone(), opts(1)).await;
    assert_eq!(over.status, ExecutionStatus::Failed);
    assert_eq!(over.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));

    let pct_ok = engine.start(&map_with(json!({"ToleratedFailurePercentage": 50})), items.clone(), opts(1)).await;
    assert_eq!(pct_ok.status, ExecutionStatus::Succeeded);
    let pct_over = engine.start(&map_with(json!({"ToleratedFailurePercentage": 25})), items.clone(), opts(1)).await;
    assert_eq!(pct_over.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));

    let none = engine.start(&map_with(json!({})), items, opts(1)).await;
    assert_eq!(none.error.as_deref(), Some("Odd"), "without a threshold the iteration's error propagates");
}

/// Tracks how many calls run at once; each call takes a few milliseconds of real time.
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

#[async_trait]
impl TaskHandler for Gauge {
    async fn call(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskFailure> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(15)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        Ok(input)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_honours_max_concurrency_and_keeps_order() {
    for (limit, expect_max) in [(2u64, 2usize), (0, 6)] {
        let gauge = Arc::new(Gauge { now: AtomicUsize::new(0), max: AtomicUsize::new(0) });
        let engine = Engine::new(TaskRegistry::new().with("work", gauge.clone()), Arc::new(ManualClock::instant(t0())));
        let run = engine.start(&map_with(json!({"MaxConcurrency": limit})), json!([1, 2, 3, 4, 5, 6]), opts(1)).await;
        assert_eq!(run.output, Some(json!([1, 2, 3, 4, 5, 6])));
        assert_eq!(gauge.max.load(Ordering::SeqCst), expect_max, "MaxConcurrency {limit}");
    }
}

/// Waits until every branch has arrived: only passes when branches run concurrently.
struct Rendezvous(tokio::sync::Barrier);

#[async_trait]
impl TaskHandler for Rendezvous {
    async fn call(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskFailure> {
        self.0.wait().await;
        Ok(input)
    }
}

#[tokio::test]
async fn parallel_branches_run_concurrently() {
    let h = Arc::new(Rendezvous(tokio::sync::Barrier::new(3)));
    let engine = Engine::new(TaskRegistry::new().with("meet", h), Arc::new(ManualClock::instant(t0())));
    let branch = |n: i64| json!({"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "meet", "Parameters": {"n": n}, "End": true}}});
    let m = machine(json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [branch(0), branch(1), branch(2)]}}}));
    let run = tokio::time::timeout(Duration::from_secs(5), engine.start(&m, json!({}), opts(1)))
        .await
        .expect("branches must not run one after another");
    assert_eq!(run.output, Some(json!([{"n": 0}, {"n": 1}, {"n": 2}])));
}

struct Never;

#[async_trait]
impl TaskHandler for Never {
    async fn call(&self, _input: Value, _ctx: TaskContext) -> Result<Value, TaskFailure> {
        std::future::pending().await
    }
}

async fn until_sleeping(clock: &ManualClock) {
    for _ in 0..1000 {
        if clock.pending_sleeps() > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the engine never slept on the clock");
}

#[tokio::test]
async fn task_slower_than_timeout_fails_with_states_timeout() {
    let clock = Arc::new(ManualClock::manual(t0()));
    let engine = Engine::new(TaskRegistry::new().with("slow", Arc::new(Never)), clock.clone());
    let m = machine(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "slow", "TimeoutSeconds": 30, "End": true}}}),
    );
    let run = tokio::spawn({
        let engine = engine.clone();
        async move { engine.start(&m, json!({}), opts(1)).await }
    });
    until_sleeping(&clock).await;
    clock.advance(Duration::from_secs(29));
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!run.is_finished(), "29 of 30 seconds must not time out");
    clock.advance(Duration::from_secs(1));
    let run = tokio::time::timeout(Duration::from_secs(5), run).await.unwrap().unwrap();
    assert_eq!(run.status, ExecutionStatus::Failed);
    assert_eq!(run.error.as_deref(), Some("States.Timeout"));
    assert!(types(&run).contains(&EventType::TaskTimedOut));
}

#[tokio::test]
async fn wait_states_use_the_clock() {
    let clock = Arc::new(ManualClock::manual(t0()));
    let engine = Engine::new(TaskRegistry::new(), clock.clone());
    let m = machine(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 10, "Next": "U"},
        "U": {"Type": "Wait", "TimestampPath": "$.until", "End": true}
    }}));
    let run = tokio::spawn({
        let engine = engine.clone();
        async move { engine.start(&m, json!({"until": "2024-01-01T00:01:00Z"}), opts(1)).await }
    });
    until_sleeping(&clock).await;
    clock.advance(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(20)).await;
    until_sleeping(&clock).await;
    clock.advance(Duration::from_secs(50));
    let run = tokio::time::timeout(Duration::from_secs(5), run).await.unwrap().unwrap();
    assert_eq!(run.status, ExecutionStatus::Succeeded);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(10), Duration::from_secs(50)]);
}

#[derive(Default)]
struct Recorder(Mutex<Vec<HistoryEvent>>);

impl ExecutionObserver for Recorder {
    fn on_event(&self, _execution: &str, event: &HistoryEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[tokio::test]
async fn history_event_sequence_for_a_small_machine() {
    let h = FnHandler::new(|input, _| Ok(json!({"echo": input})));
    let engine = Engine::new(TaskRegistry::new().with("work", h), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "T"},
        "T": {"Type": "Task", "Resource": "work", "End": true}
    }}));
    let recorder = Arc::new(Recorder::default());
    let options = ExecutionOptions { observer: Some(recorder.clone()), ..opts(1) };
    let run = engine.start(&m, json!({"in": true}), options).await;
    use EventType::*;
    assert_eq!(
        types(&run),
        vec![
            ExecutionStarted,
            PassStateEntered,
            PassStateExited,
            TaskStateEntered,
            TaskScheduled,
            TaskStarted,
            TaskSucceeded,
            TaskStateExited,
            ExecutionSucceeded
        ]
    );
    for (i, e) in run.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert_eq!(e.previous_event_id, i as u64);
    }
    assert_eq!(run.history[3].state_entered_event_details.as_ref().unwrap().input, json!({"in": true, "one": 1}));
    assert_eq!(*recorder.0.lock().unwrap(), run.history, "the observer sees every event");
    let text = serde_json::to_string(&run.history).unwrap();
    assert!(text.contains("\"type\":\"TaskScheduled\"") && text.contains("\"previousEventId\":3"));
    assert!(text.contains("\"stateEnteredEventDetails\""));
    let back: Vec<HistoryEvent> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, run.history);
}

#[tokio::test]
async fn redrive_reruns_the_failed_task_only() {
    let first = FnHandler::new(|_, _| Ok(json!("first done")));
    let flaky_calls = Arc::new(AtomicUsize::new(0));
    let fc = flaky_calls.clone();
    let flaky = FnHandler::new(move |input, _| {
        if fc.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(TaskFailure::new("Transient", "first call fails"))
        } else {
            Ok(json!({"saw": input}))
        }
    });
    let registry = TaskRegistry::new().with("first", first.clone()).with("flaky", flaky.clone());
    let engine = Engine::new(registry, Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "first", "ResultPath": "$.first", "Assign": {"kept.$": "$"}, "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": "flaky", "ResultPath": "$.flaky", "Next": "Last"},
        "Last": {"Type": "Pass", "Parameters": {"all.$": "$", "kept.$": "$kept"}, "End": true}
    }}));
    let failed = engine.start(&m, json!({"doc": 7}), opts(1)).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("Transient"));

    let redriven = engine.redrive(&m, &failed, opts(1)).await.unwrap();
    assert_eq!(redriven.status, ExecutionStatus::Succeeded, "{:?}", redriven.cause);
    assert_eq!(first.calls(), 1, "states that succeeded are not run again");
    assert_eq!(flaky.calls(), 2, "the failed task runs again exactly once");
    assert_eq!(redriven.redrive_count, 1);
    assert_eq!(
        redriven.output,
        Some(json!({
            "all": {"doc": 7, "first": "first done", "flaky": {"saw": {"doc": 7, "first": "first done"}}},
            "kept": "first done"
        }))
    );
    assert!(redriven.history.len() > failed.history.len());
    assert_eq!(redriven.history[..failed.history.len()], failed.history[..]);
    assert_eq!(redriven.history[failed.history.len()].event_type, EventType::ExecutionRedriven);

    let again = engine.redrive(&m, &redriven, opts(1)).await;
    assert!(again.is_err(), "a succeeded execution cannot be re-driven");
}

#[tokio::test]
async fn redrive_map_reruns_only_failed_iterations() {
    let seen: Arc<Mutex<HashMap<i64, usize>>> = Arc::default();
    let s = seen.clone();
    let h = FnHandler::new(move |input, _| {
        let item = input.as_i64().unwrap();
        let mut seen = s.lock().unwrap();
        let n = seen.entry(item).or_default();
        *n += 1;
        if item == 2 && *n == 1 {
            Err(TaskFailure::new("Transient", "item 2 fails once"))
        } else {
            Ok(json!(item * 100))
        }
    });
    let engine = Engine::new(TaskRegistry::new().with("work", h), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "work", "End": true}}}}
    }}));
    let failed = engine.start(&m, json!({"items": [1, 2, 3]}), opts(1)).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    // MaxConcurrency 1: item 3 never ran in the first attempt.
    let redriven = engine.redrive(&m, &failed, opts(1)).await.unwrap();
    assert_eq!(redriven.status, ExecutionStatus::Succeeded, "{:?}", redriven.cause);
    assert_eq!(redriven.output, Some(json!([100, 200, 300])));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, HashMap::from([(1, 1), (2, 2), (3, 1)]));
}

#[tokio::test]
async fn redrive_map_with_three_iterations_reruns_only_the_failed_one() {
    let seen: Arc<Mutex<HashMap<i64, usize>>> = Arc::default();
    let s = seen.clone();
    let h = FnHandler::new(move |input, _| {
        let item = input.as_i64().unwrap();
        let mut seen = s.lock().unwrap();
        let n = seen.entry(item).or_default();
        *n += 1;
        if item == 2 && *n == 1 { Err(TaskFailure::new("Transient", "once")) } else { Ok(json!(item)) }
    });
    let engine = Engine::new(TaskRegistry::new().with("work", h), Arc::new(ManualClock::instant(t0())));
    // Sequential iterations: 0 and 1 succeed, 2 (the last) fails, so all three ran.
    let m = machine(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "work", "End": true}}}}
    }}));
    let failed = engine.start(&m, json!([0, 1, 2]), opts(1)).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    let count = |run: &Execution, t: EventType| run.history.iter().filter(|e| e.event_type == t).count();
    assert_eq!(count(&failed, EventType::MapIterationSucceeded), 2);
    assert_eq!(count(&failed, EventType::MapIterationFailed), 1);

    let redriven = engine.redrive(&m, &failed, opts(1)).await.unwrap();
    assert_eq!(redriven.status, ExecutionStatus::Succeeded, "{:?}", redriven.cause);
    assert_eq!(redriven.output, Some(json!([0, 1, 2])));
    assert_eq!(*seen.lock().unwrap(), HashMap::from([(0, 1), (1, 1), (2, 2)]));
    let new_events = &redriven.history[failed.history.len()..];
    let started: Vec<usize> =
        new_events.iter().filter_map(|e| e.map_iteration_started_event_details.as_ref().map(|d| d.index)).collect();
    assert_eq!(started, vec![2], "only the failed iteration starts again");
}

#[tokio::test]
async fn validation_and_parse_errors_are_reported() {
    let err =
        StateMachine::parse(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})).unwrap_err();
    assert!(err.to_string().contains("'B' is not a state"), "{err}");
    assert!(StateMachine::parse_str("{not json").is_err());
}

/// Sends a heartbeat, then waits for a release that never comes.
struct BeatsOnce;

#[async_trait]
impl TaskHandler for BeatsOnce {
    async fn call(&self, _input: Value, ctx: TaskContext) -> Result<Value, TaskFailure> {
        ctx.heartbeat();
        std::future::pending().await
    }
}

#[tokio::test]
async fn missing_heartbeat_times_the_task_out() {
    let clock = Arc::new(ManualClock::manual(t0()));
    let engine = Engine::new(TaskRegistry::new().with("beat", Arc::new(BeatsOnce)), clock.clone());
    let m = machine(json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "beat",
        "TimeoutSeconds": 100, "HeartbeatSeconds": 5, "End": true}}}));
    let run = tokio::spawn({
        let engine = engine.clone();
        async move { engine.start(&m, json!({}), opts(1)).await }
    });
    until_sleeping(&clock).await;
    clock.advance(Duration::from_secs(6));
    let run = tokio::time::timeout(Duration::from_secs(5), run).await.unwrap().unwrap();
    assert_eq!(run.error.as_deref(), Some("States.Timeout"));
    assert!(run.cause.unwrap().contains("HeartbeatSeconds"));
}

#[tokio::test]
async fn execution_timeout_and_abort() {
    let clock = Arc::new(ManualClock::manual(t0()));
    let engine = Engine::new(TaskRegistry::new().with("slow", Arc::new(Never)), clock.clone());
    let m = machine(
        json!({"TimeoutSeconds": 60, "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "slow", "End": true}}}),
    );
    let run = tokio::spawn({
        let (engine, m) = (engine.clone(), m.clone());
        async move { engine.start(&m, json!({}), opts(1)).await }
    });
    until_sleeping(&clock).await;
    clock.advance(Duration::from_secs(60));
    let run = tokio::time::timeout(Duration::from_secs(5), run).await.unwrap().unwrap();
    assert_eq!(run.status, ExecutionStatus::TimedOut);
    assert_eq!(*types(&run).last().unwrap(), EventType::ExecutionTimedOut);

    let abort = docex_asl::AbortSignal::new();
    let run = tokio::spawn({
        let (engine, abort) = (engine.clone(), abort.clone());
        async move { engine.start(&m, json!({}), ExecutionOptions { abort: Some(abort), ..opts(1) }).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    abort.abort();
    let run = tokio::time::timeout(Duration::from_secs(5), run).await.unwrap().unwrap();
    assert_eq!(run.status, ExecutionStatus::Aborted);
}

#[tokio::test]
async fn jsonata_states_task_map_and_catch() {
    let h = FnHandler::new(|input, _| {
        if input["n"] == json!(3) {
            Err(TaskFailure::new("Three", "no threes"))
        } else {
            Ok(json!({"double": input["n"].as_i64().unwrap() * 2}))
        }
    });
    let engine = Engine::new(TaskRegistry::new().with("work", h), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": "{% $states.input.values %}",
              "ItemSelector": {"n": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "work",
                  "Arguments": {"n": "{% $states.input.n %}"}, "Output": "{% $states.result.double %}", "End": true}}},
              "Assign": {"total": "{% $sum($states.result) %}"},
              "Output": {"doubled": "{% $states.result %}"},
              "Next": "Again"},
        "Again": {"Type": "Task", "Resource": "work", "Arguments": {"n": 3},
                  "Catch": [{"ErrorEquals": ["Three"], "Next": "Done",
                             "Output": {"err": "{% $states.errorOutput.Error %}", "total": "{% $total %}", "prev": "{% $states.input.doubled %}"}}],
                  "End": true},
        "Done": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.total > 10 %}", "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Succeed", "Output": {"size": "big", "all": "{% $states.input %}"}},
        "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "{% 'total was ' & $string($total) %}"}
    }}));
    let run = engine.start(&m, json!({"values": [1, 2, 4]}), opts(1)).await;
    assert_eq!(run.status, ExecutionStatus::Succeeded, "{:?} {:?}", run.error, run.cause);
    assert_eq!(run.output, Some(json!({"size": "big", "all": {"err": "Three", "total": 14, "prev": [2, 4, 8]}})));
    let small = engine.start(&m, json!({"values": [1]}), opts(1)).await;
    assert_eq!(small.error.as_deref(), Some("TooSmall"));
    assert_eq!(small.cause.as_deref(), Some("total was 2"));
}

#[tokio::test]
async fn choice_without_match_fails_with_no_choice_matched() {
    let engine = Engine::new(TaskRegistry::new(), Arc::new(ManualClock::instant(t0())));
    let m = machine(json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringMatches": "log-*.txt", "Next": "Y"}]},
        "Y": {"Type": "Succeed"}
    }}));
    assert_eq!(engine.start(&m, json!({"x": "log-1.txt"}), opts(1)).await.status, ExecutionStatus::Succeeded);
    let run = engine.start(&m, json!({"x": "other"}), opts(1)).await;
    assert_eq!(run.error.as_deref(), Some("States.NoChoiceMatched"));
}
