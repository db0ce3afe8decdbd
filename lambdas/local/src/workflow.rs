//! The workflow on one machine: `statemachine/docex.asl.json` (the same file Step Functions
//! runs) executed by the local ASL engine, with every Task resource bound to the task
//! function of `docex-tasks` over the embedded adapters. Executions and their history are
//! saved in SQLite as they happen, so `docex show` and `docex redrive` work after a restart
//! (and after a killed process).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use docex_asl::{
    Clock, Engine, Execution, ExecutionOptions, ExecutionStatus, HistoryEvent, StateMachine, TaskContext, TaskFailure,
    TaskHandler, TaskRegistry, TokioClock,
};
use docex_core::{DocexError, ErrorName, Extractor, JobStore};
use docex_pdf::PdfReader;
use docex_tasks::{JobInput, Ports, TASK_RESOURCES};
use serde_json::{Value, json};

use crate::blobs::FileBlobStore;
use crate::bus::LocalBus;
use crate::catalog::{LocalSpecs, LocalTemplates};
use crate::sqlite::SqliteStore;

/// The workflow definition, shipped in the binary.
pub const DEFINITION: &str = include_str!("../../../statemachine/docex.asl.json");

/// Everything the tasks need, as embedded adapters.
pub struct Adapters {
    pub blobs: Arc<FileBlobStore>,
    pub store: Arc<SqliteStore>,
    pub specs: Arc<LocalSpecs>,
    pub templates: Arc<LocalTemplates>,
    pub reader: Arc<PdfReader>,
    pub extractor: Arc<dyn Extractor>,
    pub events: Arc<LocalBus>,
}

impl Adapters {
    /// The embedded adapters as the tasks' ports; SQLite keeps jobs, results and dead letters.
    pub fn ports(&self) -> Ports {
        Ports {
            blobs: self.blobs.clone(),
            jobs: self.store.clone(),
            results: self.store.clone(),
            specs: self.specs.clone(),
            renderer: self.templates.clone(),
            reader: self.reader.clone(),
            extractor: self.extractor.clone(),
            events: self.events.clone(),
            dead_letters: self.store.clone(),
        }
    }
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

/// The cause of a failed task in the form a Lambda reports it.
fn lambda_cause(error: &str, message: &str) -> String {
    json!({"errorType": error, "errorMessage": message}).to_string()
}

struct BoundTask {
    resource: &'static str,
    ports: Ports,
    faults: Arc<Faults>,
}

#[async_trait]
impl TaskHandler for BoundTask {
    async fn call(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskFailure> {
        if let Some(failure) = self.faults.take(&ctx.state_name) {
            return Err(failure);
        }
        self.ports
            .run(self.resource, input)
            .await
            .map_err(|e| TaskFailure::new(e.name(), lambda_cause(e.name(), &e.to_string())))
    }
}

/// The workflow definition run by the local engine over a set of ports, with executions
/// and their history saved in SQLite as they happen. The embedded mode runs it over the
/// embedded adapters ([`LocalWorkflow`]); the tests of the AWS mode run it over the AWS
/// adapters, standing in for Step Functions.
pub struct WorkflowRunner {
    machine: StateMachine,
    engine: Engine,
    database: Arc<SqliteStore>,
}

impl WorkflowRunner {
    pub fn new(
        ports: Ports,
        database: Arc<SqliteStore>,
        faults: Faults,
        clock: Arc<dyn Clock>,
    ) -> Result<WorkflowRunner, DocexError> {
        let definition: Value =
            serde_json::from_str(DEFINITION).map_err(|e| DocexError::InvalidInput(e.to_string()))?;
        let machine = StateMachine::parse(&definition)
            .map_err(|e| DocexError::InvalidInput(format!("workflow definition: {e}")))?;
        let faults = Arc::new(faults);
        let mut registry = TaskRegistry::new();
        for (_, resource) in TASK_RESOURCES {
            registry
                .register(*resource, Arc::new(BoundTask { resource, ports: ports.clone(), faults: faults.clone() }));
        }
        let engine = Engine::new(registry, clock);
        let unbound = engine.unbound_resources(&machine);
        if !unbound.is_empty() {
            return Err(DocexError::InvalidInput(format!("workflow tasks without a binding: {unbound:?}")));
        }
        Ok(WorkflowRunner { machine, engine, database })
    }

    fn options(&self, job_id: &str) -> ExecutionOptions {
        let database = self.database.clone();
        let observer = move |name: &str, event: &HistoryEvent| {
            // A failed write of one history event must not stop the job; it is logged.
            if let Err(e) = database.record_event(name, event) {
                tracing::warn!(execution = name, error = %e, "could not save a history event");
            }
        };
        ExecutionOptions { name: Some(job_id.to_string()), observer: Some(Arc::new(observer)), ..Default::default() }
    }

    /// Runs a new execution for a job (execution name = job id). A job id that already has
    /// an execution is refused, as Step Functions refuses a duplicate name.
    pub async fn start(&self, input: &JobInput) -> Result<Execution, DocexError> {
        let input_json = serde_json::to_value(input).map_err(|e| DocexError::InvalidInput(e.to_string()))?;
        if !self.database.begin_execution(&input.job_id, &input_json)? {
            return Err(DocexError::InvalidInput(format!("job {} already has an execution", input.job_id)));
        }
        let execution = self.engine.start(&self.machine, input_json, self.options(&input.job_id)).await;
        self.database.finish_execution(&execution)?;
        Ok(execution)
    }

    /// Re-drives a failed (or interrupted) execution as `RedriveExecution` does: from the
    /// state that did not finish, which for a failure the definition caught is `JobFailed`;
    /// in the new attempt it lets the job resume at the first step that has not succeeded.
    pub async fn redrive(&self, job_id: &str) -> Result<Execution, DocexError> {
        let previous = self
            .database
            .execution(job_id)?
            .ok_or_else(|| DocexError::InvalidInput(format!("no execution for job {job_id}")))?;
        if previous.status == ExecutionStatus::Succeeded {
            return Err(DocexError::InvalidInput(format!("job {job_id} succeeded; there is nothing to re-drive")));
        }
        self.database.resume_execution(job_id)?;
        let execution = match self.engine.redrive(&self.machine, &previous, self.options(job_id)).await {
            Ok(execution) => execution,
            Err(e) => {
                // Nothing ran: the execution stays as it was, not "running".
                self.database.finish_execution(&previous)?;
                return Err(DocexError::InvalidInput(format!("cannot re-drive {job_id}: {e}")));
            }
        };
        self.database.finish_execution(&execution)?;
        Ok(execution)
    }

    /// Jobs whose execution stopped without finishing (the process was killed).
    pub fn interrupted(&self) -> Result<Vec<String>, DocexError> {
        self.database.running_executions()
    }
}

/// The docex workflow, ready to run jobs on one machine over the embedded adapters.
pub struct LocalWorkflow {
    runner: WorkflowRunner,
    adapters: Arc<Adapters>,
}

impl LocalWorkflow {
    pub fn new(adapters: Adapters, faults: Faults) -> Result<LocalWorkflow, DocexError> {
        LocalWorkflow::with_clock(adapters, faults, Arc::new(TokioClock))
    }

    /// With a clock of the caller's (tests pass one that does not really sleep).
    pub fn with_clock(adapters: Adapters, faults: Faults, clock: Arc<dyn Clock>) -> Result<LocalWorkflow, DocexError> {
        let runner = WorkflowRunner::new(adapters.ports(), adapters.store.clone(), faults, clock)?;
        Ok(LocalWorkflow { runner, adapters: Arc::new(adapters) })
    }

    pub fn adapters(&self) -> &Adapters {
        &self.adapters
    }

    /// Runs a new execution for a job; see [`WorkflowRunner::start`].
    pub async fn start(&self, input: &JobInput) -> Result<Execution, DocexError> {
        self.runner.start(input).await
    }

    /// Re-drives a job's execution (see [`WorkflowRunner::redrive`]) and takes the job out
    /// of the dead-letter queue.
    pub async fn redrive(&self, job_id: &str) -> Result<Execution, DocexError> {
        let execution = self.runner.redrive(job_id).await?;
        self.adapters.store.remove_dead_letter(job_id)?;
        Ok(execution)
    }

    /// Jobs whose execution stopped without finishing (the process was killed).
    pub fn interrupted(&self) -> Result<Vec<String>, DocexError> {
        self.runner.interrupted()
    }

    pub fn jobs(&self) -> &dyn JobStore {
        &*self.adapters.store
    }
}
