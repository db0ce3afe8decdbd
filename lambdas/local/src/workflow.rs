//! The workflow on one machine: `statemachine/docex.asl.json` (the same file Step Functions
//! runs) executed by the local ASL engine, with every Task resource bound to the task
//! function of `docex-tasks` over the embedded adapters. Executions and their history are
//! saved in SQLite as they happen, so `docex show` and `docex redrive` work after a restart
//! (and after a killed process).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use docex_asl::{
    Clock, Engine, Execution, ExecutionOptions, ExecutionStatus, HistoryEvent, StateMachine, TaskContext, TaskFailure,
    TaskHandler, TaskRegistry, TokioClock,
};
use docex_core::job::keys;
use docex_core::{
    BlobStore, DeadLetter, DeadLetterQueue, DocexError, ErrorName, Extractor, JobResult, JobStatus, JobStore,
};
use docex_tasks::{Chunk, FailureInput, JobInput, MergeInput};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::blobs::FileBlobStore;
use crate::catalog::{LocalSpecs, LocalTemplates};
use crate::reader::PdfReader;
use crate::sqlite::SqliteStore;

/// The workflow definition, shipped in the binary.
pub const DEFINITION: &str = include_str!("../../../statemachine/docex.asl.json");

/// The Task states of the definition and the resource each is bound to.
pub const TASK_RESOURCES: &[(&str, &str)] = &[
    ("PrepareDocument", "prepare_document"),
    ("ExtractChunk", "extract_chunk"),
    ("MergeAndValidate", "merge_and_validate"),
    ("StoreResult", "store_result"),
    ("RenderReport", "render_report"),
    ("CompleteJob", "complete_job"),
    ("RecordFailure", "record_failure"),
    ("SendToDeadLetterQueue", SQS_SEND_MESSAGE),
];

const SQS_SEND_MESSAGE: &str = "arn:aws:states:::sqs:sendMessage";

/// Everything the tasks need, as embedded adapters.
pub struct Adapters {
    pub blobs: FileBlobStore,
    pub store: Arc<SqliteStore>,
    pub specs: LocalSpecs,
    pub templates: LocalTemplates,
    pub reader: PdfReader,
    pub extractor: Box<dyn Extractor>,
}

/// Makes named states fail with a named error a number of times: for tests and demos of
/// the retry, catch and re-drive paths. Parsed from `STATE=Error.Name:COUNT[,...]`
/// (for example `ExtractChunk=Docex.Throttled:2`).
#[derive(Debug, Default)]
pub struct Faults {
    remaining: Mutex<HashMap<String, (String, u32)>>,
}

impl Faults {
    pub fn parse(spec: &str) -> Result<Faults, DocexError> {
        let mut remaining = HashMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = part.split_once('=').and_then(|(state, rest)| {
                let (error, count) = rest.rsplit_once(':').unwrap_or((rest, "1"));
                Some((state.trim().to_string(), (error.trim().to_string(), count.trim().parse().ok()?)))
            });
            let (state, fault) = parsed
                .ok_or_else(|| DocexError::InvalidInput(format!("fault {part:?} is not STATE=Error.Name:COUNT")))?;
            if !TASK_RESOURCES.iter().any(|(s, _)| *s == state) {
                return Err(DocexError::InvalidInput(format!("fault for unknown task state {state:?}")));
            }
            remaining.insert(state, fault);
        }
        Ok(Faults { remaining: Mutex::new(remaining) })
    }

    /// The injected failure for this call of `state`, if one is left.
    fn take(&self, state: &str) -> Option<TaskFailure> {
        let mut remaining = self.remaining.lock().ok()?;
        let (error, count) = remaining.get_mut(state)?;
        if *count == 0 {
            return None;
        }
        *count -= 1;
        Some(TaskFailure::new(error.clone(), lambda_cause(error, "injected fault")))
    }

    /// Clears every fault (an operator "fixed the problem").
    pub fn clear(&self) {
        if let Ok(mut remaining) = self.remaining.lock() {
            remaining.clear();
        }
    }
}

/// Where the result object is kept when RecordFailure replaces it, for a re-drive.
fn saved_result_key(job_id: &str) -> String {
    format!("work/{job_id}/result.before-failure.json")
}

fn is_failed_result(bytes: &[u8]) -> bool {
    serde_json::from_slice::<JobResult>(bytes).is_ok_and(|r| r.status == JobStatus::Failed)
}

/// The states reachable from the `Catch` targets of the top-level states.
fn failure_path(definition: &Value) -> HashSet<String> {
    let states = definition.get("States").and_then(Value::as_object);
    let mut pending: Vec<String> = states
        .into_iter()
        .flat_map(|s| s.values())
        .filter_map(|state| state.get("Catch").and_then(Value::as_array))
        .flatten()
        .filter_map(|catcher| catcher.get("Next").and_then(Value::as_str).map(String::from))
        .collect();
    let mut path = HashSet::new();
    while let Some(name) = pending.pop() {
        if !path.insert(name.clone()) {
            continue;
        }
        let state = states.and_then(|s| s.get(&name));
        let choices = state.and_then(|s| s.get("Choices")).and_then(Value::as_array).into_iter().flatten();
        let nexts = choices.chain(state).flat_map(|s| ["Next", "Default"].map(|k| s.get(k)));
        pending.extend(nexts.flatten().filter_map(Value::as_str).map(String::from));
    }
    path
}

/// The execution as a re-drive should see it when it ended on the failure path: without
/// the state entries after the last state outside that path, so the engine resumes at the
/// state whose failure was caught. `None` when the execution stopped elsewhere.
fn caught_failure_view(previous: &Execution, failure_path: &HashSet<String>) -> Option<Execution> {
    let top_entered = |e: &&HistoryEvent| e.scope.is_empty() && e.event_type.is_state_entered();
    let name = |e: &HistoryEvent| e.state_entered_event_details.as_ref().map(|d| d.name.clone()).unwrap_or_default();
    let last = previous.history.iter().rev().find(top_entered)?;
    if !failure_path.contains(&name(last)) {
        return None;
    }
    let resume = previous.history.iter().rev().filter(top_entered).find(|e| !failure_path.contains(&name(e)))?;
    let mut view = previous.clone();
    view.history.retain(|e| e.id <= resume.id || !top_entered(&e));
    Some(view)
}

/// The cause of a failed task in the form a Lambda reports it.
fn lambda_cause(error: &str, message: &str) -> String {
    json!({"errorType": error, "errorMessage": message}).to_string()
}

struct BoundTask {
    resource: &'static str,
    adapters: Arc<Adapters>,
    faults: Arc<Faults>,
}

fn decode<T: DeserializeOwned>(input: Value) -> Result<T, DocexError> {
    serde_json::from_value(input).map_err(|e| DocexError::InvalidInput(format!("task input: {e}")))
}

fn encode<T: Serialize>(output: T) -> Result<Value, DocexError> {
    serde_json::to_value(output).map_err(|e| DocexError::InvalidInput(format!("task output: {e}")))
}

impl BoundTask {
    async fn run(&self, input: Value) -> Result<Value, DocexError> {
        let a = &*self.adapters;
        let store = &*a.store;
        match self.resource {
            "prepare_document" => encode(docex_tasks::prepare(&decode(input)?, &a.blobs, store, &a.reader).await?),
            "extract_chunk" => {
                let chunk: Chunk = decode(input)?;
                encode(docex_tasks::extract(&chunk, &a.blobs, &a.specs, a.extractor.as_ref()).await?)
            }
            "merge_and_validate" => {
                let merge: MergeInput = decode(input)?;
                encode(docex_tasks::merge(&merge, &a.blobs, store, &a.specs, a.extractor.name()).await?)
            }
            "store_result" => encode(docex_tasks::store(&decode::<JobInput>(input)?, &a.blobs, &a.specs, store).await?),
            "render_report" => encode(docex_tasks::render(&decode(input)?, &a.blobs, &a.templates).await?),
            "complete_job" => encode(docex_tasks::complete(&decode(input)?, &a.blobs, store).await?),
            "record_failure" => {
                let failure: FailureInput = decode(input)?;
                // RecordFailure replaces the result object with the failure. A failure after
                // MergeAndValidate would leave a re-drive nothing but that failure to store,
                // render and complete, so the extraction is kept aside first.
                let result = a.blobs.get(&keys::result(&failure.job_id)).await?;
                if let Some(bytes) = result.filter(|b| !is_failed_result(b)) {
                    a.blobs.put(&saved_result_key(&failure.job_id), bytes).await?;
                }
                encode(docex_tasks::record_failure(&failure, &a.blobs, store).await?)
            }
            SQS_SEND_MESSAGE => {
                let body = input.get("MessageBody").cloned().unwrap_or(Value::Null);
                let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                let letter = DeadLetter {
                    job_id: text("job_id"),
                    error: text("error"),
                    cause: text("cause"),
                    at: docex_tasks::now(),
                };
                store.send(&letter).await?;
                Ok(json!({"MessageId": letter.job_id}))
            }
            other => Err(DocexError::InvalidInput(format!("no task bound to {other}"))),
        }
    }
}

#[async_trait]
impl TaskHandler for BoundTask {
    async fn call(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskFailure> {
        if let Some(failure) = self.faults.take(&ctx.state_name) {
            return Err(failure);
        }
        self.run(input).await.map_err(|e| TaskFailure::new(e.name(), lambda_cause(e.name(), &e.to_string())))
    }
}

/// The docex workflow, ready to run jobs on one machine.
pub struct LocalWorkflow {
    machine: StateMachine,
    engine: Engine,
    adapters: Arc<Adapters>,
    /// The states a `Catch` leads to, and every state after them (the failure path).
    failure_path: HashSet<String>,
}

impl LocalWorkflow {
    pub fn new(adapters: Adapters, faults: Faults) -> Result<LocalWorkflow, DocexError> {
        LocalWorkflow::with_clock(adapters, faults, Arc::new(TokioClock))
    }

    /// With a clock of the caller's (tests pass one that does not really sleep).
    pub fn with_clock(adapters: Adapters, faults: Faults, clock: Arc<dyn Clock>) -> Result<LocalWorkflow, DocexError> {
        let definition: Value =
            serde_json::from_str(DEFINITION).map_err(|e| DocexError::InvalidInput(e.to_string()))?;
        let machine = StateMachine::parse(&definition)
            .map_err(|e| DocexError::InvalidInput(format!("workflow definition: {e}")))?;
        let adapters = Arc::new(adapters);
        let faults = Arc::new(faults);
        let mut registry = TaskRegistry::new();
        for (_, resource) in TASK_RESOURCES {
            registry.register(
                *resource,
                Arc::new(BoundTask { resource, adapters: adapters.clone(), faults: faults.clone() }),
            );
        }
        let engine = Engine::new(registry, clock);
        let unbound = engine.unbound_resources(&machine);
        if !unbound.is_empty() {
            return Err(DocexError::InvalidInput(format!("workflow tasks without a binding: {unbound:?}")));
        }
        Ok(LocalWorkflow { machine, engine, adapters, failure_path: failure_path(&definition) })
    }

    pub fn adapters(&self) -> &Adapters {
        &self.adapters
    }

    fn options(&self, job_id: &str) -> ExecutionOptions {
        let store = self.adapters.store.clone();
        let observer = move |name: &str, event: &HistoryEvent| {
            // A failed write of one history event must not stop the job; it is logged.
            if let Err(e) = store.record_event(name, event) {
                tracing::warn!(execution = name, error = %e, "could not save a history event");
            }
        };
        ExecutionOptions { name: Some(job_id.to_string()), observer: Some(Arc::new(observer)), ..Default::default() }
    }

    /// Runs a new execution for a job (execution name = job id). A job id that already has
    /// an execution is refused, as Step Functions refuses a duplicate name.
    pub async fn start(&self, input: &JobInput) -> Result<Execution, DocexError> {
        let input_json = encode(input)?;
        if !self.adapters.store.begin_execution(&input.job_id, &input_json)? {
            return Err(DocexError::InvalidInput(format!("job {} already has an execution", input.job_id)));
        }
        let execution = self.engine.start(&self.machine, input_json, self.options(&input.job_id)).await;
        self.adapters.store.finish_execution(&execution)?;
        Ok(execution)
    }

    /// Re-drives a failed (or interrupted) execution from the state that did not finish:
    /// for a failure a `Catch` sent down the failure path, the state whose failure was caught.
    pub async fn redrive(&self, job_id: &str) -> Result<Execution, DocexError> {
        let previous = self
            .adapters
            .store
            .execution(job_id)?
            .ok_or_else(|| DocexError::InvalidInput(format!("no execution for job {job_id}")))?;
        if previous.status == ExecutionStatus::Succeeded {
            return Err(DocexError::InvalidInput(format!("job {job_id} succeeded; there is nothing to re-drive")));
        }
        // Put back the extraction RecordFailure replaced (see `saved_result_key`).
        let blobs = &self.adapters.blobs;
        if let Some(saved) = blobs.get(&saved_result_key(job_id)).await? {
            blobs.put(&keys::result(job_id), saved).await?;
        }
        self.adapters.store.resume_execution(job_id)?;
        // A failure that was caught ran the failure path to its Fail state; re-driving from
        // there would only fail again. Resume at the state whose failure was caught instead.
        let resumed = caught_failure_view(&previous, &self.failure_path);
        let redriven =
            self.engine.redrive(&self.machine, resumed.as_ref().unwrap_or(&previous), self.options(job_id)).await;
        let mut execution = match redriven {
            Ok(execution) => execution,
            Err(e) => {
                // Nothing ran: the execution stays as it was, not "running".
                self.adapters.store.finish_execution(&previous)?;
                return Err(DocexError::InvalidInput(format!("cannot re-drive {job_id}: {e}")));
            }
        };
        if resumed.is_some() {
            // The engine saw the history without the failure path's state entries; the
            // execution keeps all of it.
            let last = previous.history.last().map_or(0, |e| e.id);
            let added: Vec<HistoryEvent> = execution.history.drain(..).filter(|e| e.id > last).collect();
            execution.history = previous.history.iter().cloned().chain(added).collect();
        }
        self.adapters.store.finish_execution(&execution)?;
        self.adapters.store.remove_dead_letter(job_id)?;
        Ok(execution)
    }

    /// Jobs whose execution stopped without finishing (the process was killed).
    pub fn interrupted(&self) -> Result<Vec<String>, DocexError> {
        self.adapters.store.running_executions()
    }

    pub fn jobs(&self) -> &dyn JobStore {
        &*self.adapters.store
    }
}
