//! The embedded job, result and dead-letter store, in one SQLite file. Statements are
//! parameterised; the schema is created and upgraded by numbered migrations recorded in
//! `PRAGMA user_version`. Writes are idempotent: a result is keyed by its job, a dead
//! letter by its job, and creating an existing job changes nothing.

use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;
use docex_asl::{Execution, HistoryEvent};
use docex_core::error::ErrorReport;
use docex_core::{
    DeadLetter, DeadLetterQueue, DocexError, JobRecord, JobResult, JobStatus, JobStore, ResultStore, Spec, StatusUpdate,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Schema migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        document TEXT NOT NULL,
        spec TEXT NOT NULL,
        template TEXT NOT NULL,
        status TEXT NOT NULL,
        error_name TEXT,
        error_message TEXT,
        confidence REAL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX jobs_by_status ON jobs (status, created_at);
    CREATE TABLE results (
        job_id TEXT PRIMARY KEY REFERENCES jobs (job_id),
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        confidence REAL NOT NULL,
        result TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE dead_letters (
        job_id TEXT PRIMARY KEY,
        error TEXT NOT NULL,
        cause TEXT NOT NULL,
        at TEXT NOT NULL
    );",
    "CREATE TABLE executions (
        name TEXT PRIMARY KEY,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        execution TEXT,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE history_events (
        execution TEXT NOT NULL REFERENCES executions (name),
        id INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (execution, id)
    );",
    // Every status a job went through (the current one of existing jobs starts it), the
    // owner's jobs newest first, and the queue of jobs `docex serve` runs (see `queue.rs`).
    "CREATE TABLE job_status_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (job_id),
        status TEXT NOT NULL,
        error_name TEXT,
        error_message TEXT,
        confidence REAL,
        at TEXT NOT NULL
    );
    CREATE INDEX job_status_history_by_job ON job_status_history (job_id, seq);
    INSERT INTO job_status_history (job_id, status, error_name, error_message, confidence, at)
        SELECT job_id, status, error_name, error_message, confidence, updated_at FROM jobs ORDER BY created_at, job_id;
    CREATE INDEX jobs_by_owner ON jobs (owner, created_at, job_id);
    CREATE TABLE job_queue (
        job_id TEXT PRIMARY KEY REFERENCES jobs (job_id),
        action TEXT NOT NULL,
        input TEXT NOT NULL,
        state TEXT NOT NULL,
        seq INTEGER NOT NULL,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX job_queue_by_state ON job_queue (state, seq);",
];

/// Status of an execution whose process has not yet recorded its end.
pub(crate) const RUNNING: &str = "RUNNING";

pub struct SqliteStore {
    connection: Mutex<Connection>,
}

pub(crate) fn storage(e: impl std::fmt::Display) -> DocexError {
    DocexError::Storage(e.to_string())
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, DocexError> {
        let connection =
            Connection::open(path).map_err(|e| DocexError::Storage(format!("cannot open {}: {e}", path.display())))?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
            .map_err(storage)?;
        let store = SqliteStore { connection: Mutex::new(connection) };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), DocexError> {
        let mut connection = self.lock()?;
        let version: usize = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage)?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = connection.transaction().map_err(storage)?;
            tx.execute_batch(migration).map_err(storage)?;
            tx.pragma_update(None, "user_version", index + 1).map_err(storage)?;
            tx.commit().map_err(storage)?;
        }
        Ok(())
    }

    pub(crate) fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, DocexError> {
        self.connection.lock().map_err(|_| DocexError::Storage("the database lock is poisoned".into()))
    }

    /// Jobs waiting in the dead-letter queue, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, DocexError> {
        let connection = self.lock()?;
        let mut statement =
            connection.prepare("SELECT job_id, error, cause, at FROM dead_letters ORDER BY at").map_err(storage)?;
        let rows = statement
            .query_map([], |r| Ok(DeadLetter { job_id: r.get(0)?, error: r.get(1)?, cause: r.get(2)?, at: r.get(3)? }))
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    /// Takes a job out of the dead-letter queue (when it is re-driven).
    pub fn remove_dead_letter(&self, job_id: &str) -> Result<bool, DocexError> {
        let connection = self.lock()?;
        Ok(connection.execute("DELETE FROM dead_letters WHERE job_id = ?1", [job_id]).map_err(storage)? > 0)
    }

    /// How many result rows a job has (0 or 1): what "written once" means, checkable.
    pub fn result_rows(&self, job_id: &str) -> Result<usize, DocexError> {
        let connection = self.lock()?;
        connection.query_row("SELECT count(*) FROM results WHERE job_id = ?1", [job_id], |r| r.get(0)).map_err(storage)
    }
}

impl SqliteStore {
    /// Records the start of an execution; `false` if one with that name exists.
    pub fn begin_execution(&self, name: &str, input: &Value) -> Result<bool, DocexError> {
        let connection = self.lock()?;
        let now = docex_tasks::now();
        let inserted = connection
            .execute(
                "INSERT INTO executions (name, input, status, started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (name) DO NOTHING",
                params![name, input.to_string(), RUNNING, now],
            )
            .map_err(storage)?;
        Ok(inserted == 1)
    }

    /// Saves one history event as it happens (a replayed event changes nothing).
    pub fn record_event(&self, execution: &str, event: &HistoryEvent) -> Result<(), DocexError> {
        let json = serde_json::to_string(event).map_err(storage)?;
        let connection = self.lock()?;
        connection
            .execute(
                "INSERT INTO history_events (execution, id, event) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                params![execution, event.id as i64, json],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// Records how an execution (or a re-drive of it) ended.
    pub fn finish_execution(&self, execution: &Execution) -> Result<(), DocexError> {
        let json = serde_json::to_string(execution).map_err(storage)?;
        let connection = self.lock()?;
        connection
            .execute(
                "UPDATE executions SET status = ?2, execution = ?3, updated_at = ?4 WHERE name = ?1",
                params![execution.name, execution.status.to_string(), json, docex_tasks::now()],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// Marks an execution as running again (a re-drive started).
    pub fn resume_execution(&self, name: &str) -> Result<(), DocexError> {
        let connection = self.lock()?;
        connection
            .execute(
                "UPDATE executions SET status = ?2, updated_at = ?3 WHERE name = ?1",
                params![name, RUNNING, docex_tasks::now()],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// An execution as last saved. One whose process died while it ran is rebuilt from
    /// its saved history and reported as `ABORTED`, so it can be re-driven.
    pub fn execution(&self, name: &str) -> Result<Option<Execution>, DocexError> {
        let connection = self.lock()?;
        let row: Option<(String, String, Option<String>, String)> = connection
            .query_row("SELECT input, status, execution, started_at FROM executions WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .map_err(storage)?;
        let Some((input, status, saved, started_at)) = row else { return Ok(None) };
        let mut statement =
            connection.prepare("SELECT event FROM history_events WHERE execution = ?1 ORDER BY id").map_err(storage)?;
        let history: Vec<HistoryEvent> = statement
            .query_map([name], |r| r.get::<_, String>(0))
            .map_err(storage)?
            .map(|json| json.map_err(storage).and_then(|j| serde_json::from_str(&j).map_err(storage)))
            .collect::<Result<_, _>>()?;
        let mut execution: Execution = match (status.as_str(), saved) {
            (RUNNING, _) | (_, None) => serde_json::from_value(serde_json::json!({
                "name": name,
                "status": "ABORTED",
                "input": serde_json::from_str::<Value>(&input).map_err(storage)?,
                "output": null,
                "error": "Docex.Interrupted",
                "cause": "the process running this execution stopped before it finished",
                "history": [],
                "redriveCount": 0,
                "startDate": started_at,
                "stopDate": docex_tasks::now(),
            }))
            .map_err(storage)?,
            (_, Some(json)) => serde_json::from_str(&json).map_err(storage)?,
        };
        if history.len() > execution.history.len() {
            execution.history = history;
        }
        Ok(Some(execution))
    }

    /// Names of executions that are still marked running.
    pub fn running_executions(&self) -> Result<Vec<String>, DocexError> {
        let connection = self.lock()?;
        let mut statement =
            connection.prepare("SELECT name FROM executions WHERE status = ?1 ORDER BY started_at").map_err(storage)?;
        let rows = statement.query_map([RUNNING], |r| r.get(0)).map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }
}

pub(crate) fn job_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<JobRecord> {
    let status: String = row.get(5)?;
    let error_name: Option<String> = row.get(6)?;
    let error_message: Option<String> = row.get(7)?;
    Ok(JobRecord {
        job_id: row.get(0)?,
        owner: row.get(1)?,
        document: row.get(2)?,
        spec: row.get(3)?,
        template: row.get(4)?,
        status: JobStatus::parse(&status).unwrap_or(JobStatus::Failed),
        error: error_name.map(|name| ErrorReport { name, message: error_message.unwrap_or_default() }),
        confidence: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

/// A status update as the parameters `?1`..`?6` of the statements that write one: job id,
/// status, error name and message, confidence, time.
fn status_params(update: &StatusUpdate) -> impl rusqlite::Params + '_ {
    (
        update.job_id.as_str(),
        update.status.as_str(),
        update.error.as_ref().map(|e| e.name.as_str()),
        update.error.as_ref().map(|e| e.message.as_str()),
        update.confidence,
        update.at.as_str(),
    )
}

/// Appends a status to the job's history (read by `JobQueries::status_history`).
fn record_status(connection: &Connection, update: &StatusUpdate) -> Result<(), DocexError> {
    connection
        .execute(
            "INSERT INTO job_status_history (job_id, status, error_name, error_message, confidence, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            status_params(update),
        )
        .map_err(storage)?;
    Ok(())
}

pub(crate) const JOB_COLUMNS: &str =
    "job_id, owner, document, spec, template, status, error_name, error_message, confidence, created_at, updated_at";

#[async_trait]
impl JobStore for SqliteStore {
    async fn create(&self, job: &JobRecord) -> Result<bool, DocexError> {
        let mut connection = self.lock()?;
        let tx = connection.transaction().map_err(storage)?;
        let inserted = tx
            .execute(
                &format!("INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (job_id) DO NOTHING"),
                params![
                    job.job_id,
                    job.owner,
                    job.document,
                    job.spec,
                    job.template,
                    job.status.as_str(),
                    job.error.as_ref().map(|e| &e.name),
                    job.error.as_ref().map(|e| &e.message),
                    job.confidence,
                    job.created_at,
                    job.updated_at
                ],
            )
            .map_err(storage)?;
        if inserted == 1 {
            record_status(
                &tx,
                &StatusUpdate {
                    job_id: job.job_id.clone(),
                    status: job.status,
                    error: job.error.clone(),
                    confidence: job.confidence,
                    at: job.updated_at.clone(),
                },
            )?;
        }
        tx.commit().map_err(storage)?;
        Ok(inserted == 1)
    }

    async fn get(&self, job_id: &str) -> Result<Option<JobRecord>, DocexError> {
        let connection = self.lock()?;
        connection
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = ?1"), [job_id], job_from_row)
            .optional()
            .map_err(storage)
    }

    async fn set_status(&self, update: &StatusUpdate) -> Result<(), DocexError> {
        let mut connection = self.lock()?;
        let tx = connection.transaction().map_err(storage)?;
        let changed = tx
            .execute(
                "UPDATE jobs SET status = ?2, error_name = ?3, error_message = ?4,
                    confidence = coalesce(?5, confidence), updated_at = ?6 WHERE job_id = ?1",
                status_params(update),
            )
            .map_err(storage)?;
        if changed == 0 {
            return Err(DocexError::InvalidInput(format!("no job {}", update.job_id)));
        }
        record_status(&tx, update)?;
        tx.commit().map_err(storage)
    }

    async fn list(&self, status: Option<JobStatus>) -> Result<Vec<JobRecord>, DocexError> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE ?1 IS NULL OR status = ?1 ORDER BY created_at, job_id"
            ))
            .map_err(storage)?;
        let rows = statement.query_map([status.map(|s| s.as_str())], job_from_row).map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }
}

#[async_trait]
impl ResultStore for SqliteStore {
    async fn upsert(&self, spec: &Spec, result: &JobResult) -> Result<(), DocexError> {
        let json = serde_json::to_string(result).map_err(storage)?;
        let connection = self.lock()?;
        connection
            .execute(
                "INSERT INTO results (job_id, spec, status, confidence, result, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (job_id) DO UPDATE SET spec = excluded.spec, status = excluded.status,
                    confidence = excluded.confidence, result = excluded.result, updated_at = excluded.updated_at",
                params![result.job_id, spec.name, result.status.as_str(), result.confidence, json, docex_tasks::now()],
            )
            .map_err(storage)?;
        Ok(())
    }

    async fn get(&self, job_id: &str) -> Result<Option<JobResult>, DocexError> {
        let connection = self.lock()?;
        let json: Option<String> = connection
            .query_row("SELECT result FROM results WHERE job_id = ?1", [job_id], |r| r.get(0))
            .optional()
            .map_err(storage)?;
        json.map(|j| serde_json::from_str(&j).map_err(storage)).transpose()
    }
}

#[async_trait]
impl DeadLetterQueue for SqliteStore {
    async fn send(&self, message: &DeadLetter) -> Result<(), DocexError> {
        let connection = self.lock()?;
        connection
            .execute(
                "INSERT INTO dead_letters (job_id, error, cause, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (job_id) DO UPDATE SET error = excluded.error, cause = excluded.cause, at = excluded.at",
                params![message.job_id, message.error, message.cause, message.at],
            )
            .map_err(storage)?;
        Ok(())
    }
}
