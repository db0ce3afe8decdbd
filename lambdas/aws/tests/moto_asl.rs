//! docex's workflow definition on two independent ASL interpreters: moto's (a port of
//! LocalStack's Step Functions interpreter, run with `execute_state_machine`) and docex's
//! own engine (`docex-asl`). Both run `statemachine/docex.asl.json` with the same task
//! outcomes, and the top-level states entered, in order, the final status and error, and
//! (on success) the final output must agree:
//!
//! - the success path, through the Map over two chunks;
//! - a task that fails and is caught: `... → RecordFailure → SendToDeadLetterQueue → JobFailed`;
//! - a chunk that fails inside the Map, caught on the Map.
//!
//! What moto cannot do, and how the definition is adapted for it (docex's engine runs the
//! definition unchanged):
//! - moto runs Lambda tasks only with Docker, which the tests do not have. Every Task state
//!   whose resource is a Lambda placeholder (`${..._arn}`) becomes, for moto, a Pass state
//!   whose `Result` is the task's canned output, with the same `ResultPath` and transition
//!   (Pass allows no Retry, Catch or timeout, so those are dropped: nothing fails there).
//! - A task made to fail becomes an `sqs:sendMessage` Task to a queue that does not exist,
//!   which moto really runs and which fails with `SQS.SdkClientException`; the state keeps
//!   its Retry and Catch. docex's handler for that task fails with the same error name, so
//!   both interpreters see the same error. That error matches none of the definition's
//!   `Retry` lists (they name `Docex.*` and `Lambda.*` errors), so retry back-off, which
//!   moto would sleep through in real time, is not compared here (docex's engine tests
//!   cover it on a manual clock).
//! - `SendToDeadLetterQueue` (`arn:aws:states:::sqs:sendMessage`) runs as written on moto
//!   against a real moto queue; the test reads the message back.
//! - Map iterations run concurrently on both, so only the number of states entered inside
//!   the Map is compared, not their interleaving.
//! - `RedriveExecution` is not implemented by moto, so re-drive is not compared.
//! - moto 5.2's server runs only the first execution it is asked to start (the next
//!   `StartExecution` fails with HTTP 500: it deep-copies the state machine, which by then
//!   holds a lock), so every run gets a moto server of its own.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use docex_asl::{
    Engine, ExecutionOptions, ExecutionStatus, ManualClock, StateMachine, TaskContext, TaskFailure, TaskHandler,
    TaskRegistry, normalize_resource,
};
use docex_aws::sfn::Workflows;
use docex_testkit::moto::{ACCOUNT_ID, Moto, REGION, unique_name};
use serde_json::{Map, Value, json};

/// The error a failing task fails with, on both interpreters (moto's, for a missing queue).
const TASK_ERROR: &str = "SQS.SdkClientException";

fn definition_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../statemachine/docex.asl.json");
    std::fs::read_to_string(path).expect("statemachine/docex.asl.json")
}

/// The canned output of each Lambda task, by the task's short resource name.
fn canned_output(resource: &str) -> Value {
    match resource {
        "prepare_document" => json!({
            "pages": 3,
            "chunks": [{"index": 0, "first_page": 1, "last_page": 2}, {"index": 1, "first_page": 3, "last_page": 3}]
        }),
        "extract_chunk" => json!({"chunk": "work/job/chunks/n.json"}),
        "merge_and_validate" => json!({"status": "SUCCEEDED", "confidence": 0.9}),
        "store_result" => json!({"stored": true}),
        "render_report" => json!({"report": "output/job/report.pdf"}),
        "complete_job" => json!({"status": "SUCCEEDED"}),
        "record_failure" => json!({"attempt": 0}),
        other => json!({"task": other}),
    }
}

/// Which Lambda tasks fail in a run, by state name. `JobFailed`, when it is a Task, ends a
/// failed job by failing itself, so it always fails.
struct Scenario {
    failing: BTreeSet<&'static str>,
}

impl Scenario {
    fn new(failing: &[&'static str]) -> Scenario {
        let mut failing: BTreeSet<&'static str> = failing.iter().copied().collect();
        failing.insert("JobFailed");
        Scenario { failing }
    }
}

/// The definition as moto runs it (see the module doc).
fn for_moto(definition: &Value, scenario: &Scenario, dead_letter_queue: &str, missing_queue: &str) -> Value {
    let text = definition.to_string().replace("${dead_letter_queue_url}", dead_letter_queue);
    let mut definition: Value = serde_json::from_str(&text).unwrap();
    adapt_states(definition["States"].as_object_mut().unwrap(), scenario, missing_queue);
    definition
}

fn adapt_states(states: &mut Map<String, Value>, scenario: &Scenario, missing_queue: &str) {
    for (name, state) in states.iter_mut() {
        let object = state.as_object_mut().unwrap();
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(inner) = object.get_mut(key).and_then(|p| p.get_mut("States")).and_then(Value::as_object_mut) {
                adapt_states(inner, scenario, missing_queue);
            }
        }
        let resource = object.get("Resource").and_then(Value::as_str).unwrap_or_default().to_string();
        if object.get("Type").and_then(Value::as_str) != Some("Task") || !resource.starts_with("${") {
            continue;
        }
        if scenario.failing.contains(name.as_str()) {
            object.insert("Resource".into(), json!("arn:aws:states:::sqs:sendMessage"));
            object.insert("Parameters".into(), json!({"QueueUrl": missing_queue, "MessageBody": "fail"}));
            object.remove("ResultSelector");
            continue;
        }
        let mut pass = Map::new();
        pass.insert("Type".into(), json!("Pass"));
        pass.insert("Result".into(), canned_output(&normalize_resource(&resource)));
        for key in ["ResultPath", "OutputPath", "InputPath", "Next", "End", "Comment"] {
            if let Some(value) = object.get(key) {
                pass.insert(key.into(), value.clone());
            }
        }
        *object = pass;
    }
}

/// A docex task that returns its canned output or fails like moto's failing task.
struct Canned {
    output: Option<Value>,
}

#[async_trait]
impl TaskHandler for Canned {
    async fn call(&self, _input: Value, _ctx: TaskContext) -> Result<Value, TaskFailure> {
        match &self.output {
            Some(output) => Ok(output.clone()),
            None => Err(TaskFailure::new(TASK_ERROR, "The specified queue does not exist.")),
        }
    }
}

/// Every Task state's resource and state name, through Maps.
fn tasks(states: &Map<String, Value>, found: &mut Vec<(String, String)>) {
    for (name, state) in states {
        if state["Type"] == "Task" {
            found.push((name.clone(), state["Resource"].as_str().unwrap_or_default().to_string()));
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(inner) = state.get(key).and_then(|p| p.get("States")).and_then(Value::as_object) {
                tasks(inner, found);
            }
        }
    }
}

/// What a run did: the top-level states entered in order, how many states were entered
/// inside Maps, and how it ended.
#[derive(Debug, PartialEq)]
struct Path {
    top_level: Vec<String>,
    inside_maps: usize,
    status: String,
    error: Option<String>,
    output: Option<Value>,
}

async fn run_on_docex(definition: &Value, scenario: &Scenario, input: &Value) -> Path {
    let mut registry = TaskRegistry::new();
    let mut found = Vec::new();
    tasks(definition["States"].as_object().unwrap(), &mut found);
    for (name, resource) in found {
        let short = normalize_resource(&resource);
        let output = if scenario.failing.contains(name.as_str()) {
            None
        } else if resource == "arn:aws:states:::sqs:sendMessage" {
            Some(json!({"MessageId": "m", "MD5OfMessageBody": "x"}))
        } else {
            Some(canned_output(&short))
        };
        // Registered by exact resource: two states never share a Lambda here.
        registry.register(resource, Arc::new(Canned { output }));
    }
    let text = definition.to_string().replace("${dead_letter_queue_url}", "https://sqs.local/dlq");
    let machine = StateMachine::parse_str(&text).expect("the definition parses");
    let clock = Arc::new(ManualClock::instant(chrono::Utc::now()));
    let engine = Engine::new(registry, clock);
    let options = ExecutionOptions { name: Some("job-1".into()), rng_seed: Some(7), ..Default::default() };
    let run = engine.start(&machine, input.clone(), options).await;
    let entered = run.history.iter().filter_map(|e| e.state_entered_event_details.as_ref().map(|d| (e, d)));
    let (top, inner): (Vec<_>, Vec<_>) = entered.partition(|(e, _)| e.scope.is_empty());
    Path {
        top_level: top.into_iter().map(|(_, d)| d.name.clone()).collect(),
        inside_maps: inner.len(),
        status: run.status.to_string(),
        error: run.error,
        output: if run.status == ExecutionStatus::Succeeded { run.output } else { None },
    }
}

async fn run_on_moto(definition: &Value, scenario: &Scenario, input: &Value) -> (Path, Vec<String>) {
    // moto 5.2's server runs one execution: a second StartExecution fails with HTTP 500
    // (it deep-copies the state machine, which then holds a lock). One server per run.
    let server = Moto::dedicated().expect("a moto server");
    server.enable_state_machine_execution().expect("moto executes state machines");
    let sdk = server.sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let dead_letter_queue = sqs.create_queue().queue_name(unique_name("dlq")).send().await.unwrap().queue_url.unwrap();
    let missing_queue = format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{}", unique_name("missing"));
    let adapted = for_moto(definition, scenario, &dead_letter_queue, &missing_queue);

    let client = aws_sdk_sfn::Client::new(&sdk);
    let created = client
        .create_state_machine()
        .name(unique_name("docex"))
        .definition(adapted.to_string())
        .role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/docex-workflow"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("moto refused the adapted definition: {e:?}"));
    let workflows = Workflows::new(client, created.state_machine_arn());
    let job_id = input["job_id"].as_str().unwrap();
    workflows.start(job_id, input).await.unwrap();
    let mut execution = None;
    for _ in 0..300 {
        let described = workflows.describe(job_id).await.unwrap().expect("the execution");
        if described.status != "RUNNING" {
            execution = Some(described);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let execution = execution.expect("moto finished the execution within 30 s");
    let history = workflows.history(job_id).await.unwrap();
    let top_names: BTreeSet<&str> = definition["States"].as_object().unwrap().keys().map(String::as_str).collect();
    let entered: Vec<String> = history
        .iter()
        .filter(|e| e.event_type.ends_with("StateEntered"))
        .filter_map(|e| e.state_name.clone())
        .collect();
    let (top, inner): (Vec<String>, Vec<String>) = entered.into_iter().partition(|n| top_names.contains(n.as_str()));

    let messages = sqs
        .receive_message()
        .queue_url(&dead_letter_queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap()
        .messages()
        .iter()
        .filter_map(|m| m.body().map(str::to_string))
        .collect();
    let path = Path {
        top_level: top,
        inside_maps: inner.len(),
        status: execution.status.clone(),
        error: execution.error.clone(),
        output: if execution.status == "SUCCEEDED" { execution.output } else { None },
    };
    (path, messages)
}

fn input(job_id: &str) -> Value {
    json!({"job_id": job_id, "spec": "invoice", "template": "invoice", "owner": "alice"})
}

#[tokio::test]
async fn the_success_path_agrees_through_the_map() {
    let definition: Value = serde_json::from_str(&definition_text()).unwrap();
    let scenario = Scenario::new(&[]);
    let job = unique_name("job");
    let docex = run_on_docex(&definition, &scenario, &input(&job)).await;
    let (moto, dead_letters) = run_on_moto(&definition, &scenario, &input(&job)).await;
    assert_eq!(docex.status, "SUCCEEDED", "{docex:?}");
    assert_eq!(
        docex.top_level[..6],
        ["PrepareDocument", "ExtractChunks", "MergeAndValidate", "StoreResult", "RenderReport", "CompleteJob"]
    );
    assert_eq!(docex.inside_maps, 2, "one ExtractChunk per chunk");
    assert_eq!(moto, docex);
    assert!(dead_letters.is_empty(), "{dead_letters:?}");
}

#[tokio::test]
async fn a_caught_task_failure_takes_the_same_failure_path() {
    let definition: Value = serde_json::from_str(&definition_text()).unwrap();
    let scenario = Scenario::new(&["StoreResult"]);
    let job = unique_name("job");
    let docex = run_on_docex(&definition, &scenario, &input(&job)).await;
    let (moto, dead_letters) = run_on_moto(&definition, &scenario, &input(&job)).await;
    assert_eq!(docex.status, "FAILED", "{docex:?}");
    assert_eq!(
        docex.top_level[..],
        [
            "PrepareDocument",
            "ExtractChunks",
            "MergeAndValidate",
            "StoreResult",
            "RecordFailure",
            "SendToDeadLetterQueue",
            "JobFailed"
        ]
    );
    assert_eq!(moto, docex);
    assert_eq!(dead_letters.len(), 1, "{dead_letters:?}");
    let message: Value = serde_json::from_str(&dead_letters[0]).unwrap();
    assert_eq!(message["job_id"], job.as_str());
    assert_eq!(message["error"], TASK_ERROR);
}

#[tokio::test]
async fn a_chunk_failing_inside_the_map_is_caught_on_the_map() {
    let definition: Value = serde_json::from_str(&definition_text()).unwrap();
    let scenario = Scenario::new(&["ExtractChunk"]);
    let job = unique_name("job");
    let docex = run_on_docex(&definition, &scenario, &input(&job)).await;
    let (moto, dead_letters) = run_on_moto(&definition, &scenario, &input(&job)).await;
    assert_eq!(docex.status, "FAILED", "{docex:?}");
    assert_eq!(
        docex.top_level[..],
        ["PrepareDocument", "ExtractChunks", "RecordFailure", "SendToDeadLetterQueue", "JobFailed"]
    );
    assert!(docex.inside_maps >= 1 && moto.inside_maps >= 1, "{docex:?} {moto:?}");
    // Whether the second iteration starts before the first one's failure stops the Map is
    // up to each interpreter's scheduling.
    assert_eq!((&moto.top_level, &moto.status, &moto.error), (&docex.top_level, &docex.status, &docex.error));
    assert_eq!(dead_letters.len(), 1, "{dead_letters:?}");
}
