//! The `ResultStore` on Aurora PostgreSQL through the RDS Data API.
//!
//! Every result is kept whole as JSON in `docex_results` (one row per job), and spread
//! into tables derived from its spec so it can be queried with plain SQL:
//!
//! - `result_<spec>`: one row per job, one column per scalar field (string → `text`,
//!   number and money → `numeric`, integer → `bigint`, boolean → `boolean`, date →
//!   `date`, list of strings → `jsonb`). A value that does not parse as its column's type
//!   leaves the column NULL and is kept verbatim in the row's `_unparsed` object
//!   (`{"column": value}`), so nothing extracted is lost;
//! - `result_<spec>__<field>`: one row per element of an array-of-objects field (invoice
//!   lines, ...), with `job_id`, `position` and one column per scalar property.
//!
//! Table and column names come from spec and field names: they are reduced to
//! `[a-z0-9_]`, given a hash suffix when that changed them (or when they collide with
//! docex's own columns), kept within PostgreSQL's 63 bytes, and always quoted. Values
//! only ever travel as statement parameters. The tables are created on first use and
//! gain columns when a spec gains fields (`CREATE TABLE IF NOT EXISTS`, `ADD COLUMN IF NOT
//! EXISTS`, under an advisory lock so concurrent Lambdas do not race).
//!
//! One result is one transaction: the `docex_results` row is upserted, the spec rows are
//! deleted and inserted again, so writing a job twice (a retry, a re-drive) leaves exactly
//! one set of rows. The base schema comes from numbered migrations (`MIGRATIONS`),
//! recorded in `docex_schema_migrations` and applied once under an advisory lock.
//! `DatabaseResumingException` (Aurora Serverless waking up) is retried with backoff
//! before it becomes `Docex.Transient`.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_rdsdata::Client;
use aws_sdk_rdsdata::error::SdkError;
use aws_sdk_rdsdata::types::{Field, SqlParameter, TypeHint};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use docex_core::spec::{FieldKind, FieldSpec};
use docex_core::{DocexError, JobResult, ResultStore, Spec};
use serde_json::{Map, Value};

use crate::config::{DB_CLUSTER_ARN, DB_NAME, DB_SECRET_ARN, required};
use crate::error::from_sdk;

/// The schema migrations, in order: version, name, statements. A shipped migration is
/// never edited; a change is a new migration.
pub const MIGRATIONS: &[(i64, &str, &[&str])] = &[(
    1,
    "results",
    &[
        "CREATE TABLE IF NOT EXISTS docex_results (
            job_id text PRIMARY KEY,
            spec text NOT NULL,
            status text NOT NULL,
            confidence double precision NOT NULL,
            document text NOT NULL,
            extractor text NOT NULL,
            result jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )",
        "CREATE INDEX IF NOT EXISTS docex_results_spec_updated ON docex_results (spec, updated_at)",
    ],
)];

/// The advisory lock key migrations run under ("docex" in ASCII).
const MIGRATION_LOCK: i64 = 0x0064_6f63_6578;
/// PostgreSQL's longest identifier, in bytes.
const MAX_IDENTIFIER: usize = 63;
/// Column names docex's spec tables use for themselves.
const RESERVED_COLUMNS: &[&str] = &["job_id", "position", "_unparsed"];

/// Which database the store writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    pub cluster_arn: String,
    pub secret_arn: String,
    pub name: String,
}

/// How `DatabaseResumingException` is retried.
#[derive(Debug, Clone, Copy)]
struct Retry {
    attempts: u32,
    first_delay: Duration,
}

/// Results in Aurora PostgreSQL over the RDS Data API.
pub struct RdsResultStore {
    client: Client,
    database: Database,
    retry: Retry,
    migrated: tokio::sync::OnceCell<()>,
    /// Spec table shapes already created in this process.
    shapes: Mutex<HashSet<String>>,
}

/// The SQL type of a spec column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Text,
    Numeric,
    BigInt,
    Boolean,
    Date,
    Json,
}

impl ColumnType {
    fn of(kind: &FieldKind) -> Option<ColumnType> {
        Some(match kind {
            FieldKind::Text | FieldKind::Identifier | FieldKind::Name | FieldKind::Address | FieldKind::Currency => {
                ColumnType::Text
            }
            FieldKind::Money | FieldKind::Number => ColumnType::Numeric,
            FieldKind::Integer => ColumnType::BigInt,
            FieldKind::Boolean => ColumnType::Boolean,
            FieldKind::Date => ColumnType::Date,
            FieldKind::TextList => ColumnType::Json,
            FieldKind::Table(_) => return None,
        })
    }

    fn sql(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Numeric => "numeric",
            ColumnType::BigInt => "bigint",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Json => "jsonb",
        }
    }
}

/// A column derived from a field.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    field: String,
    name: String,
    ty: ColumnType,
}

/// A table derived from a spec (or one of its array-of-objects fields).
#[derive(Debug, Clone, PartialEq)]
struct Table {
    name: String,
    columns: Vec<Column>,
}

fn columns(fields: &[FieldSpec]) -> Vec<Column> {
    fields
        .iter()
        .filter_map(|f| {
            ColumnType::of(&f.kind).map(|ty| Column { field: f.name.clone(), name: identifier(&f.name), ty })
        })
        .collect()
}

/// The spec's row table and its child tables (with the field each is for).
fn spec_tables(spec: &Spec) -> (Table, Vec<(String, Table)>) {
    let parent = bounded(&format!("result_{}", identifier(&spec.name)));
    let children = spec
        .fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::Table(properties) => Some((
                f.name.clone(),
                Table { name: bounded(&format!("{parent}__{}", identifier(&f.name))), columns: columns(properties) },
            )),
            _ => None,
        })
        .collect();
    (Table { name: parent, columns: columns(&spec.fields) }, children)
}

/// FNV-1a: a small, stable hash for name suffixes.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |hash, b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// A SQL identifier for a spec or field name: lowercase `[a-z0-9_]`, starting with a
/// letter, with a hash of the original appended when it had to change (or names one of
/// docex's own columns) so that different names stay different.
fn identifier(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let mut out = out.trim_matches('_').to_string();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "f_");
    }
    if out != name || RESERVED_COLUMNS.contains(&out.as_str()) {
        out = format!("{out}_{:08x}", fnv(name));
    }
    bounded(&out)
}

/// `name` cut to PostgreSQL's identifier length, with a hash of the whole when cut.
fn bounded(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER {
        return name.to_string();
    }
    let mut cut = MAX_IDENTIFIER - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &name[..cut], fnv(name))
}

/// `name` quoted as a SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A value bound for a column, or the reason it stays NULL.
enum Typed {
    Value(Field, Option<TypeHint>),
    Unparsed,
}

/// Converts a JSON value to its column's type.
fn typed(value: Option<&Value>, ty: ColumnType) -> Typed {
    let value = match value {
        None | Some(Value::Null) => return Typed::Value(Field::IsNull(true), None),
        Some(value) => value,
    };
    let text = match value {
        Value::String(s) => Some(s.trim()),
        _ => None,
    };
    match ty {
        ColumnType::Text => match value {
            Value::String(s) => Typed::Value(Field::StringValue(s.clone()), None),
            other => Typed::Value(Field::StringValue(other.to_string()), None),
        },
        ColumnType::Json => Typed::Value(Field::StringValue(value.to_string()), Some(TypeHint::Json)),
        ColumnType::Numeric => {
            let number = match value {
                Value::Number(n) => Some(n.to_string()),
                _ => text.filter(|t| t.parse::<f64>().is_ok_and(f64::is_finite)).map(str::to_string),
            };
            match number {
                Some(n) => Typed::Value(Field::StringValue(n), Some(TypeHint::Decimal)),
                None => Typed::Unparsed,
            }
        }
        ColumnType::BigInt => {
            let long = match value {
                Value::Number(n) => {
                    n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
                }
                _ => text.and_then(|t| t.parse::<i64>().ok()),
            };
            long.map_or(Typed::Unparsed, |l| Typed::Value(Field::LongValue(l), None))
        }
        ColumnType::Boolean => {
            let boolean = match value {
                Value::Bool(b) => Some(*b),
                _ => match text.map(str::to_ascii_lowercase).as_deref() {
                    Some("true" | "yes") => Some(true),
                    Some("false" | "no") => Some(false),
                    _ => None,
                },
            };
            boolean.map_or(Typed::Unparsed, |b| Typed::Value(Field::BooleanValue(b), None))
        }
        ColumnType::Date => match text.filter(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()) {
            Some(date) => Typed::Value(Field::StringValue(date.to_string()), Some(TypeHint::Date)),
            None => Typed::Unparsed,
        },
    }
}

fn parameter(name: &str, value: Field, hint: Option<TypeHint>) -> SqlParameter {
    SqlParameter::builder().name(name).value(value).set_type_hint(hint).build()
}

fn text(name: &str, value: &str) -> SqlParameter {
    parameter(name, Field::StringValue(value.to_string()), None)
}

/// The statement inserting one row of `table` (parameters `:job_id`, `:position` for a
/// child table, `:c0`..., `:unparsed`).
fn insert_sql(table: &Table, child: bool) -> String {
    let mut names = vec!["job_id".to_string()];
    let mut values = vec![":job_id".to_string()];
    if child {
        names.push("position".into());
        values.push(":position".into());
    }
    for (i, column) in table.columns.iter().enumerate() {
        names.push(quoted(&column.name));
        values.push(format!(":c{i}"));
    }
    names.push(quoted("_unparsed"));
    values.push(":unparsed".into());
    format!("INSERT INTO {} ({}) VALUES ({})", quoted(&table.name), names.join(", "), values.join(", "))
}

/// The parameters of one row: the object's values converted to the columns' types.
fn row_parameters(table: &Table, object: Option<&Map<String, Value>>, job_id: &str) -> Vec<SqlParameter> {
    let mut parameters = vec![text("job_id", job_id)];
    let mut unparsed = Map::new();
    for (i, column) in table.columns.iter().enumerate() {
        let value = object.and_then(|o| o.get(&column.field));
        let (field, hint) = match typed(value, column.ty) {
            Typed::Value(field, hint) => (field, hint),
            Typed::Unparsed => {
                if let Some(value) = value {
                    unparsed.insert(column.name.clone(), value.clone());
                }
                (Field::IsNull(true), None)
            }
        };
        parameters.push(parameter(&format!("c{i}"), field, hint));
    }
    let unparsed = if unparsed.is_empty() {
        parameter("unparsed", Field::IsNull(true), None)
    } else {
        parameter("unparsed", Field::StringValue(Value::Object(unparsed).to_string()), Some(TypeHint::Json))
    };
    parameters.push(unparsed);
    parameters
}

fn is_resuming<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    matches!(error, SdkError::ServiceError(service) if service.err().code() == Some("DatabaseResumingException"))
}

impl RdsResultStore {
    /// A store writing to `database` through `client`.
    pub fn new(client: Client, database: Database) -> RdsResultStore {
        RdsResultStore {
            client,
            database,
            retry: Retry { attempts: 5, first_delay: Duration::from_millis(500) },
            migrated: tokio::sync::OnceCell::new(),
            shapes: Mutex::new(HashSet::new()),
        }
    }

    /// A store configured from `DOCEX_DB_CLUSTER_ARN`, `DOCEX_DB_SECRET_ARN` and `DOCEX_DB_NAME`.
    pub fn from_env(config: &SdkConfig) -> Result<RdsResultStore, DocexError> {
        let database = Database {
            cluster_arn: required(DB_CLUSTER_ARN)?,
            secret_arn: required(DB_SECRET_ARN)?,
            name: required(DB_NAME)?,
        };
        Ok(RdsResultStore::new(Client::new(config), database))
    }

    /// Retries `DatabaseResumingException` `attempts` times in all, waiting `first_delay`
    /// and then twice as long each time (default: 5 attempts from 500 ms).
    pub fn with_resume_retry(mut self, attempts: u32, first_delay: Duration) -> RdsResultStore {
        self.retry = Retry { attempts: attempts.max(1), first_delay };
        self
    }

    /// Runs a Data API call, retrying while the database is resuming.
    async fn call<T, E, R, F, Fut>(&self, what: &str, mut send: F) -> Result<T, DocexError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        let mut delay = self.retry.first_delay;
        let mut attempt = 1;
        loop {
            match send().await {
                Ok(output) => return Ok(output),
                Err(error) if is_resuming(&error) && attempt < self.retry.attempts => {
                    tracing::info!(attempt, "the database is resuming; retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(error) => return Err(from_sdk(what, error)),
            }
        }
    }

    /// Runs one statement, in the transaction `tx` when given.
    async fn execute(
        &self,
        sql: &str,
        parameters: Vec<SqlParameter>,
        tx: Option<&str>,
    ) -> Result<aws_sdk_rdsdata::operation::execute_statement::ExecuteStatementOutput, DocexError> {
        self.call("RDS Data API ExecuteStatement", || {
            self.client
                .execute_statement()
                .resource_arn(&self.database.cluster_arn)
                .secret_arn(&self.database.secret_arn)
                .database(&self.database.name)
                .sql(sql)
                .set_parameters(Some(parameters.clone()))
                .set_transaction_id(tx.map(str::to_string))
                .send()
        })
        .await
    }

    async fn begin(&self) -> Result<String, DocexError> {
        let output = self
            .call("RDS Data API BeginTransaction", || {
                self.client
                    .begin_transaction()
                    .resource_arn(&self.database.cluster_arn)
                    .secret_arn(&self.database.secret_arn)
                    .database(&self.database.name)
                    .send()
            })
            .await?;
        output
            .transaction_id()
            .map(str::to_string)
            .ok_or_else(|| DocexError::Storage("RDS Data API BeginTransaction returned no transaction id".into()))
    }

    async fn commit(&self, tx: &str) -> Result<(), DocexError> {
        self.call("RDS Data API CommitTransaction", || {
            self.client
                .commit_transaction()
                .resource_arn(&self.database.cluster_arn)
                .secret_arn(&self.database.secret_arn)
                .transaction_id(tx)
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn rollback(&self, tx: &str) {
        let rolled = self
            .call("RDS Data API RollbackTransaction", || {
                self.client
                    .rollback_transaction()
                    .resource_arn(&self.database.cluster_arn)
                    .secret_arn(&self.database.secret_arn)
                    .transaction_id(tx)
                    .send()
            })
            .await;
        if let Err(error) = rolled {
            tracing::warn!(%error, "rollback failed; the transaction ends when it times out");
        }
    }

    /// Runs `work` in a transaction: committed when it succeeds, rolled back when not.
    async fn in_transaction<T, F, Fut>(&self, work: F) -> Result<T, DocexError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<T, DocexError>>,
    {
        let tx = self.begin().await?;
        match work(tx.clone()).await {
            Ok(value) => {
                self.commit(&tx).await?;
                Ok(value)
            }
            Err(error) => {
                self.rollback(&tx).await;
                Err(error)
            }
        }
    }

    /// Applies the migrations not yet applied; safe to call again and from concurrent
    /// processes (they wait on one advisory lock, then see what the first one applied).
    pub async fn migrate(&self) -> Result<(), DocexError> {
        self.in_transaction(|tx| async move {
            let tx = Some(tx.as_str());
            let key = parameter("key", Field::LongValue(MIGRATION_LOCK), None);
            self.execute("SELECT pg_advisory_xact_lock(:key)", vec![key], tx).await?;
            self.execute(
                "CREATE TABLE IF NOT EXISTS docex_schema_migrations (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )",
                Vec::new(),
                tx,
            )
            .await?;
            let applied = self.execute("SELECT version FROM docex_schema_migrations", Vec::new(), tx).await?;
            let applied: HashSet<i64> = applied
                .records()
                .iter()
                .filter_map(|row| match row.first() {
                    Some(Field::LongValue(v)) => Some(*v),
                    _ => None,
                })
                .collect();
            for (version, name, statements) in MIGRATIONS {
                if applied.contains(version) {
                    continue;
                }
                for statement in *statements {
                    self.execute(statement, Vec::new(), tx).await?;
                }
                self.execute(
                    "INSERT INTO docex_schema_migrations (version, name) VALUES (:version, :name)",
                    vec![parameter("version", Field::LongValue(*version), None), text("name", name)],
                    tx,
                )
                .await?;
                tracing::info!(version, name, "applied a schema migration");
            }
            Ok(())
        })
        .await
    }

    async fn ensure_migrated(&self) -> Result<(), DocexError> {
        self.migrated.get_or_try_init(|| self.migrate()).await.map(|_| ())
    }

    /// Creates the spec's tables and adds missing columns, in transaction `tx`.
    async fn ensure_tables(&self, parent: &Table, children: &[(String, Table)], tx: &str) -> Result<(), DocexError> {
        let tx = Some(tx);
        let lock = parameter("name", Field::StringValue(parent.name.clone()), None);
        self.execute("SELECT pg_advisory_xact_lock(hashtext(:name))", vec![lock], tx).await?;
        self.execute(
            &format!(
                "CREATE TABLE IF NOT EXISTS {} (job_id text PRIMARY KEY REFERENCES docex_results (job_id) \
                 ON DELETE CASCADE, _unparsed jsonb)",
                quoted(&parent.name)
            ),
            Vec::new(),
            tx,
        )
        .await?;
        self.add_columns(parent, tx).await?;
        for (_, child) in children {
            self.execute(
                &format!(
                    "CREATE TABLE IF NOT EXISTS {} (job_id text NOT NULL REFERENCES {} (job_id) ON DELETE CASCADE, \
                     position integer NOT NULL, _unparsed jsonb, PRIMARY KEY (job_id, position))",
                    quoted(&child.name),
                    quoted(&parent.name)
                ),
                Vec::new(),
                tx,
            )
            .await?;
            self.add_columns(child, tx).await?;
        }
        Ok(())
    }

    async fn add_columns(&self, table: &Table, tx: Option<&str>) -> Result<(), DocexError> {
        if table.columns.is_empty() {
            return Ok(());
        }
        let clauses: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("ADD COLUMN IF NOT EXISTS {} {}", quoted(&c.name), c.ty.sql()))
            .collect();
        self.execute(&format!("ALTER TABLE {} {}", quoted(&table.name), clauses.join(", ")), Vec::new(), tx).await?;
        Ok(())
    }

    /// Writes the result's rows in transaction `tx`.
    async fn write(
        &self,
        result: &JobResult,
        parent: &Table,
        children: &[(String, Table)],
        create_tables: bool,
        tx: &str,
    ) -> Result<(), DocexError> {
        if create_tables {
            self.ensure_tables(parent, children, tx).await?;
        }
        let tx = Some(tx);
        let raw = serde_json::to_string(result).map_err(|e| DocexError::Storage(format!("result as JSON: {e}")))?;
        self.execute(
            "INSERT INTO docex_results (job_id, spec, status, confidence, document, extractor, result, updated_at)
             VALUES (:job_id, :spec, :status, :confidence, :document, :extractor, :result, now())
             ON CONFLICT (job_id) DO UPDATE SET spec = EXCLUDED.spec, status = EXCLUDED.status,
                 confidence = EXCLUDED.confidence, document = EXCLUDED.document, extractor = EXCLUDED.extractor,
                 result = EXCLUDED.result, updated_at = now()",
            vec![
                text("job_id", &result.job_id),
                text("spec", &result.spec),
                text("status", result.status.as_str()),
                parameter("confidence", Field::DoubleValue(result.confidence), None),
                text("document", &result.document),
                text("extractor", &result.extractor),
                parameter("result", Field::StringValue(raw), Some(TypeHint::Json)),
            ],
            tx,
        )
        .await?;
        // The spec row goes and comes back (its child rows go with it, by cascade, and are
        // deleted explicitly too), so columns of fields the result no longer has are cleared.
        for (_, child) in children {
            self.execute(
                &format!("DELETE FROM {} WHERE job_id = :job_id", quoted(&child.name)),
                vec![text("job_id", &result.job_id)],
                tx,
            )
            .await?;
        }
        self.execute(
            &format!("DELETE FROM {} WHERE job_id = :job_id", quoted(&parent.name)),
            vec![text("job_id", &result.job_id)],
            tx,
        )
        .await?;
        let data = result.data.as_object();
        self.execute(&insert_sql(parent, false), row_parameters(parent, data, &result.job_id), tx).await?;
        for (field, child) in children {
            let Some(items) = data.and_then(|d| d.get(field)).and_then(Value::as_array) else { continue };
            if items.is_empty() {
                continue;
            }
            let sets: Vec<Vec<SqlParameter>> = items
                .iter()
                .enumerate()
                .map(|(position, item)| {
                    let mut parameters = row_parameters(child, item.as_object(), &result.job_id);
                    if !item.is_object() {
                        // Not an object: kept whole in `_unparsed`.
                        if let Some(last) = parameters.last_mut() {
                            let whole = Value::Object(Map::from_iter([("value".to_string(), item.clone())]));
                            *last = parameter("unparsed", Field::StringValue(whole.to_string()), Some(TypeHint::Json));
                        }
                    }
                    parameters.push(parameter("position", Field::LongValue(position as i64), None));
                    parameters
                })
                .collect();
            let sql = insert_sql(child, true);
            self.call("RDS Data API BatchExecuteStatement", || {
                self.client
                    .batch_execute_statement()
                    .resource_arn(&self.database.cluster_arn)
                    .secret_arn(&self.database.secret_arn)
                    .database(&self.database.name)
                    .sql(&sql)
                    .set_parameter_sets(Some(sets.clone()))
                    .set_transaction_id(tx.map(str::to_string))
                    .send()
            })
            .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl ResultStore for RdsResultStore {
    async fn upsert(&self, spec: &Spec, result: &JobResult) -> Result<(), DocexError> {
        self.ensure_migrated().await?;
        let (parent, children) = spec_tables(spec);
        let shape = format!("{parent:?}{children:?}");
        let known = self.shapes.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(&shape);
        self.in_transaction(|tx| async move { self.write(result, &parent, &children, !known, &tx).await }).await?;
        if !known {
            self.shapes.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(shape);
        }
        Ok(())
    }

    async fn get(&self, job_id: &str) -> Result<Option<JobResult>, DocexError> {
        self.ensure_migrated().await?;
        let output = self
            .execute(
                "SELECT result::text FROM docex_results WHERE job_id = :job_id",
                vec![text("job_id", job_id)],
                None,
            )
            .await?;
        let Some(row) = output.records().first() else { return Ok(None) };
        match row.first() {
            Some(Field::StringValue(json)) => serde_json::from_str(json)
                .map(Some)
                .map_err(|e| DocexError::Storage(format!("the stored result of {job_id} is not a result: {e}"))),
            other => Err(DocexError::Storage(format!("the stored result of {job_id} came back as {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_are_plain_lowercase_and_changed_names_stay_distinct() {
        assert_eq!(identifier("invoice_number"), "invoice_number");
        let odd = identifier("Invoice Number");
        assert!(odd.starts_with("invoice_number_") && odd.len() == "invoice_number_".len() + 8, "{odd}");
        assert_ne!(identifier("Invoice Number"), identifier("invoice number"));
        let hostile = identifier("x\"; DROP TABLE docex_results; --");
        assert!(hostile.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{hostile}");
        assert!(identifier("9lives").starts_with("f_9lives_"));
        assert!(identifier("job_id").starts_with("job_id_"), "docex's own columns are not taken");
        assert!(identifier("Größe").is_ascii());
        let long = identifier(&"a".repeat(100));
        assert!(long.len() <= MAX_IDENTIFIER);
        assert_ne!(long, identifier(&"a".repeat(101)));
    }

    #[test]
    fn values_convert_to_their_column_or_stay_unparsed() {
        let field = |t: Typed| match t {
            Typed::Value(field, hint) => Some((field, hint)),
            Typed::Unparsed => None,
        };
        assert_eq!(
            field(typed(Some(&json!(12.5)), ColumnType::Numeric)),
            Some((Field::StringValue("12.5".into()), Some(TypeHint::Decimal)))
        );
        assert_eq!(field(typed(Some(&json!("12,50 EUR")), ColumnType::Numeric)), None);
        assert_eq!(field(typed(Some(&json!(3.0)), ColumnType::BigInt)), Some((Field::LongValue(3), None)));
        assert_eq!(field(typed(Some(&json!("yes")), ColumnType::Boolean)), Some((Field::BooleanValue(true), None)));
        assert_eq!(
            field(typed(Some(&json!("2024-02-29")), ColumnType::Date)),
            Some((Field::StringValue("2024-02-29".into()), Some(TypeHint::Date)))
        );
        assert_eq!(field(typed(Some(&json!("31/12/2020")), ColumnType::Date)), None);
        assert_eq!(field(typed(None, ColumnType::Date)), Some((Field::IsNull(true), None)));
        assert_eq!(field(typed(Some(&json!(7)), ColumnType::Text)), Some((Field::StringValue("7".into()), None)));
    }
}
