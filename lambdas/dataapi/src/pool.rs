//! Connections to PostgreSQL, one idle list per database and schema: a request takes a
//! connection, runs on it alone and gives it back; a transaction keeps its connection
//! until it ends.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio_postgres::{Client, Config, NoTls};

use crate::error::{ApiError, ErrorKind};

/// Idle connections kept per database and schema.
const MAX_IDLE: usize = 8;

/// Which database (and schema, as the `search_path`) a connection is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub database: String,
    pub schema: Option<String>,
}

/// A connection taken from the pool.
pub struct Conn {
    pub target: Target,
    pub client: Client,
    /// The backend process id, reported with a statement timeout.
    pub pid: i32,
}

pub struct Pool {
    base: Config,
    default_database: String,
    idle: Mutex<HashMap<Target, Vec<(Client, i32)>>>,
}

/// `name` as a quoted SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Pool {
    /// A pool over the server at `postgres_url`; its database is the default one.
    pub fn new(postgres_url: &str) -> anyhow::Result<Pool> {
        let base: Config = postgres_url.parse()?;
        let default_database = base.get_dbname().unwrap_or("postgres").to_string();
        Ok(Pool { base, default_database, idle: Mutex::new(HashMap::new()) })
    }

    /// The target of a request's `database` and `schema` (empty means the default).
    pub fn target(&self, database: Option<&str>, schema: Option<&str>) -> Target {
        let database = database.filter(|d| !d.is_empty()).unwrap_or(&self.default_database).to_string();
        let schema = schema.filter(|s| !s.is_empty()).map(str::to_string);
        Target { database, schema }
    }

    /// An idle connection to `target`, or a new one.
    pub async fn take(&self, target: &Target) -> Result<Conn, ApiError> {
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            idle.get_mut(target).and_then(|list| {
                while let Some((client, pid)) = list.pop() {
                    if !client.is_closed() {
                        return Some((client, pid));
                    }
                }
                None
            })
        };
        if let Some((client, pid)) = idle {
            return Ok(Conn { target: target.clone(), client, pid });
        }
        let mut config = self.base.clone();
        config.dbname(&target.database);
        // Aurora's sessions run in UTC; timestamps with a time zone are read in it.
        config.options("-c TimeZone=UTC");
        let (client, connection) = config.connect(NoTls).await.map_err(|e| match e.as_db_error() {
            Some(db) => ApiError::bad_request(format!("FATAL: {}; SQLState: {}", db.message(), db.code().code())),
            None => ApiError::new(ErrorKind::DatabaseUnavailable, format!("Cannot reach the database: {e}")),
        })?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "postgres connection ended");
            }
        });
        if let Some(schema) = &target.schema {
            client
                .execute("SELECT set_config('search_path', $1, false)", &[&quote_ident(schema)])
                .await
                .map_err(|e| ApiError::from_postgres(&e))?;
        }
        let pid = client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .and_then(|row| row.try_get::<_, i32>(0))
            .map_err(|e| ApiError::from_postgres(&e))?;
        Ok(Conn { target: target.clone(), client, pid })
    }

    /// Gives a connection back for the next request.
    pub fn give_back(&self, conn: Conn) {
        if conn.client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let list = idle.entry(conn.target).or_default();
        if list.len() < MAX_IDLE {
            list.push((conn.client, conn.pid));
        }
    }
}
