//! The job queue of `docex serve`: what the intake queue and the starter Lambda are on AWS.
//! An upload queues its job's start, a re-drive request queues a re-drive, and a few
//! workers run them through the local workflow, at most `concurrency` at a time.
//!
//! The queue is a SQLite table (`job_queue`, one row per job), so it survives a restart: a
//! job that was queued, or running when the process stopped, is taken up again at the next
//! start. Nothing runs twice: a job is queued once (a second upload changes nothing), a
//! row is claimed by one worker, and a claimed start whose execution exists already is
//! resumed from its saved history (as a re-drive) instead of started again, or left alone
//! when that execution finished.

use std::sync::Arc;
use std::time::Duration;

use docex_asl::ExecutionStatus;
use docex_core::api::{StateRun, WorkflowControl, state_runs};
use docex_core::{DocexError, ErrorName, EventBus, JobEvent, JobStatus, JobStore, StatusUpdate};
use docex_tasks::JobInput;
use rusqlite::{OptionalExtension, params};
use tokio::sync::{Notify, Semaphore, watch};
use tracing::Instrument;

use crate::sqlite::{RUNNING as EXECUTION_RUNNING, SqliteStore, storage};
use crate::workflow::LocalWorkflow;

/// What a queued job is to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run the job's workflow (after its upload).
    Start,
    /// Re-drive its failed workflow from the state that failed.
    Redrive,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Redrive => "redrive",
        }
    }

    fn parse(text: &str) -> Action {
        if text == "redrive" { Action::Redrive } else { Action::Start }
    }
}

const QUEUED: &str = "queued";
const RUNNING: &str = "running";
const DONE: &str = "done";

/// How often idle workers look at the table even without being woken (a job queued by
/// another process on the same data directory).
const IDLE_POLL: Duration = Duration::from_secs(2);

/// One claimed row.
#[derive(Debug, Clone)]
struct Claimed {
    job_id: String,
    action: Action,
    input: JobInput,
}

/// The queue over a local workflow and its SQLite store.
pub struct JobQueue {
    workflow: Arc<LocalWorkflow>,
    wake: Notify,
}

impl JobQueue {
    pub fn new(workflow: Arc<LocalWorkflow>) -> Arc<JobQueue> {
        Arc::new(JobQueue { workflow, wake: Notify::new() })
    }

    pub fn workflow(&self) -> &LocalWorkflow {
        &self.workflow
    }

    fn store(&self) -> &SqliteStore {
        &self.workflow.adapters().store
    }

    /// Queues the start of a job's workflow; `false` (and nothing changes) when the job was
    /// queued before, whatever became of it.
    pub fn enqueue_start(&self, input: &JobInput) -> Result<bool, DocexError> {
        let json = serde_json::to_string(input).map_err(storage)?;
        let inserted = {
            let connection = self.store().lock()?;
            let now = docex_tasks::now();
            connection
                .execute(
                    "INSERT INTO job_queue (job_id, action, input, state, seq, queued_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(seq), 0) + 1 FROM job_queue), ?5, ?5)
                     ON CONFLICT (job_id) DO NOTHING",
                    params![input.job_id, Action::Start.as_str(), json, QUEUED, now],
                )
                .map_err(storage)?
        };
        if inserted == 1 {
            self.wake.notify_one();
        }
        Ok(inserted == 1)
    }

    /// Whether the job was ever queued (its document was taken), whatever became of it.
    pub fn was_queued(&self, job_id: &str) -> Result<bool, DocexError> {
        let connection = self.store().lock()?;
        connection
            .query_row("SELECT count(*) FROM job_queue WHERE job_id = ?1", [job_id], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
            .map_err(storage)
    }

    /// Queues a re-drive of a job whose workflow failed (or was interrupted). A job whose
    /// workflow succeeded, never ran, or is queued or running already is `InvalidInput`.
    pub fn enqueue_redrive(&self, job_id: &str) -> Result<(), DocexError> {
        match self.execution_status(job_id)? {
            None => {
                return Err(DocexError::InvalidInput(format!(
                    "job {job_id} has not run; there is nothing to re-drive"
                )));
            }
            Some(status) if status == ExecutionStatus::Succeeded.to_string() => {
                return Err(DocexError::InvalidInput(format!("job {job_id} succeeded; there is nothing to re-drive")));
            }
            Some(_) => {}
        }
        let changed = {
            let connection = self.store().lock()?;
            connection
                .execute(
                    "UPDATE job_queue SET action = ?2, state = ?3, updated_at = ?4,
                        seq = (SELECT coalesce(max(seq), 0) + 1 FROM job_queue)
                     WHERE job_id = ?1 AND state = ?5",
                    params![job_id, Action::Redrive.as_str(), QUEUED, docex_tasks::now(), DONE],
                )
                .map_err(storage)?
        };
        if changed == 0 {
            return Err(DocexError::InvalidInput(format!("job {job_id} is queued or running already")));
        }
        self.wake.notify_one();
        Ok(())
    }

    /// The status of the job's execution as last saved (`RUNNING` while one runs or when its
    /// process died), if it has one.
    fn execution_status(&self, job_id: &str) -> Result<Option<String>, DocexError> {
        let connection = self.store().lock()?;
        connection
            .query_row("SELECT status FROM executions WHERE name = ?1", [job_id], |r| r.get(0))
            .optional()
            .map_err(storage)
    }

    /// Takes the oldest queued job, marking it running.
    fn claim(&self) -> Result<Option<Claimed>, DocexError> {
        let connection = self.store().lock()?;
        let row: Option<(String, String, String)> = connection
            .query_row(
                "UPDATE job_queue SET state = ?1, updated_at = ?2
                 WHERE job_id = (SELECT job_id FROM job_queue WHERE state = ?3 ORDER BY seq LIMIT 1)
                 RETURNING job_id, action, input",
                params![RUNNING, docex_tasks::now(), QUEUED],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(storage)?;
        let Some((job_id, action, input)) = row else { return Ok(None) };
        let input = serde_json::from_str(&input).map_err(storage)?;
        Ok(Some(Claimed { job_id, action: Action::parse(&action), input }))
    }

    fn finish(&self, job_id: &str) -> Result<(), DocexError> {
        let connection = self.store().lock()?;
        connection
            .execute(
                "UPDATE job_queue SET state = ?2, updated_at = ?3 WHERE job_id = ?1",
                params![job_id, DONE, docex_tasks::now()],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// Puts the jobs that were running when the process stopped back in the queue; returns
    /// how many. Only call it before [`JobQueue::run`] (no worker of this queue runs yet).
    pub fn recover(&self) -> Result<usize, DocexError> {
        let connection = self.store().lock()?;
        connection
            .execute(
                "UPDATE job_queue SET state = ?1, updated_at = ?2 WHERE state = ?3",
                params![QUEUED, docex_tasks::now(), RUNNING],
            )
            .map_err(storage)
    }

    /// Jobs queued or running.
    pub fn pending(&self) -> Result<usize, DocexError> {
        let connection = self.store().lock()?;
        connection.query_row("SELECT count(*) FROM job_queue WHERE state != ?1", [DONE], |r| r.get(0)).map_err(storage)
    }

    /// Runs queued jobs, at most `concurrency` at a time, until `stop` turns true (or its
    /// sender is dropped); then waits for the jobs that are running to finish. Jobs run on
    /// the blocking pool (extraction and rendering are CPU-bound), so they never hold up
    /// the server's own tasks. Call [`JobQueue::recover`] first.
    pub async fn run(self: Arc<Self>, concurrency: usize, mut stop: watch::Receiver<bool>) {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut running = tokio::task::JoinSet::new();
        loop {
            if *stop.borrow() {
                break;
            }
            let permit = tokio::select! {
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                _ = stop.changed() => break,
            };
            match self.claim() {
                Ok(Some(job)) => {
                    let queue = self.clone();
                    let runtime = tokio::runtime::Handle::current();
                    running.spawn_blocking(move || {
                        runtime.block_on(queue.execute(job));
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = stop.changed() => break,
                    }
                }
                Err(error) => {
                    drop(permit);
                    tracing::error!(%error, "cannot read the job queue");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
            while let Some(joined) = running.try_join_next() {
                if let Err(error) = joined {
                    // Its row stays claimed: the next start takes it up again.
                    tracing::error!(%error, "a job stopped unexpectedly");
                }
            }
        }
        let left = running.len();
        if left > 0 {
            tracing::info!(jobs = left, "waiting for running jobs to finish");
        }
        while running.join_next().await.is_some() {}
    }

    /// Runs one claimed job and marks it done. A job whose workflow cannot even start is
    /// marked failed, with the reason, and its owner is told.
    async fn execute(&self, job: Claimed) {
        let span = tracing::info_span!("job", job_id = %job.job_id, action = job.action.as_str());
        self.execute_in_span(job).instrument(span).await
    }

    async fn execute_in_span(&self, job: Claimed) {
        let outcome = match job.action {
            Action::Start => match self.execution_status(&job.job_id) {
                Ok(None) => self.workflow.start(&job.input).await.map(|e| Some(e.status)),
                // The process stopped while it ran: resume it from its saved history.
                Ok(Some(status)) if status == EXECUTION_RUNNING => self.resume(&job.input).await.map(Some),
                // It ran to its end before the process stopped; nothing is left to do.
                Ok(Some(_)) => Ok(None),
                Err(error) => Err(error),
            },
            Action::Redrive => self.workflow.redrive(&job.job_id).await.map(|e| Some(e.status)),
        };
        match outcome {
            Ok(Some(status)) => tracing::info!(%status, "workflow ended"),
            Ok(None) => tracing::info!("workflow had ended already"),
            Err(error) => {
                tracing::error!(error_name = error.name(), %error, "the workflow could not run");
                self.record_failure(&job.job_id, &error).await;
            }
        }
        if let Err(error) = self.finish(&job.job_id) {
            tracing::error!(%error, "cannot mark a job done in the queue");
        }
    }

    /// Resumes an execution whose process stopped: re-driven from the last state it entered,
    /// or, when it had entered none (no task ran), started afresh.
    async fn resume(&self, input: &JobInput) -> Result<ExecutionStatus, DocexError> {
        let job_id = &input.job_id;
        let entered_a_state = self.store().execution(job_id)?.is_some_and(|e| {
            e.history.iter().any(|event| event.scope.is_empty() && event.event_type.is_state_entered())
        });
        if entered_a_state {
            return Ok(self.workflow.redrive(job_id).await?.status);
        }
        {
            let mut connection = self.store().lock()?;
            let tx = connection.transaction().map_err(storage)?;
            tx.execute("DELETE FROM history_events WHERE execution = ?1", [job_id]).map_err(storage)?;
            tx.execute("DELETE FROM executions WHERE name = ?1 AND status = ?2", params![job_id, EXECUTION_RUNNING])
                .map_err(storage)?;
            tx.commit().map_err(storage)?;
        }
        Ok(self.workflow.start(input).await?.status)
    }

    async fn record_failure(&self, job_id: &str, error: &DocexError) {
        let adapters = self.workflow.adapters();
        let update = StatusUpdate {
            job_id: job_id.to_string(),
            status: JobStatus::Failed,
            error: Some(error.to_report()),
            confidence: None,
            at: docex_tasks::now(),
        };
        let recorded = async {
            adapters.store.set_status(&update).await?;
            if let Some(job) = adapters.store.get(job_id).await? {
                adapters.events.publish(&JobEvent::new(&job.owner, &update)).await?;
            }
            Ok::<(), DocexError>(())
        };
        if let Err(error) = recorded.await {
            tracing::error!(%error, "cannot record a job's failure");
        }
    }
}

/// Re-drive as the API asks for it: queued, and run by the workers.
#[async_trait::async_trait]
impl WorkflowControl for JobQueue {
    async fn redrive_job(&self, job_id: &str) -> Result<String, DocexError> {
        self.enqueue_redrive(job_id)?;
        Ok(docex_tasks::now())
    }

    async fn state_runs(&self, job_id: &str) -> Result<Vec<StateRun>, DocexError> {
        let Some(execution) = self.store().execution(job_id)? else { return Ok(Vec::new()) };
        let events: Vec<(String, Option<String>)> = execution
            .history
            .iter()
            .filter(|event| event.scope.is_empty())
            .map(|event| {
                let name = event
                    .state_entered_event_details
                    .as_ref()
                    .map(|d| d.name.clone())
                    .or_else(|| event.state_exited_event_details.as_ref().map(|d| d.name.clone()));
                (format!("{:?}", event.event_type), name)
            })
            .collect();
        Ok(state_runs(events.iter().map(|(event_type, name)| (event_type.as_str(), name.as_deref()))))
    }
}
