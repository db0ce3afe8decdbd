//! DynamoDB: job records and their status history, in one table.
//!
//! Key schema (Terraform creates the table from this description; [`create_table`] creates
//! the same one for tests):
//!
//! | item           | `pk` (S, hash)   | `sk` (S, range)               | other attributes |
//! |----------------|------------------|-------------------------------|------------------|
//! | job record     | `JOB#<job id>`   | `JOB`                         | `job_id`, `owner`, `document`, `spec`, `template`, `status`, `status_rank` (N), `error` (M: `name`, `message`), `confidence` (N), `created_at`, `updated_at`, `updated_order` |
//! | status history | `JOB#<job id>`   | `STATUS#<at>#<STATUS>`        | `job_id`, `event_status`, `at`, `error`, `confidence` |
//!
//! Global secondary indexes (projection ALL, only job records carry their keys):
//!
//! | index            | hash      | range           | used for |
//! |------------------|-----------|-----------------|----------|
//! | `owner-created`  | `owner`   | `created_at`    | a user's jobs, newest first, paged |
//! | `status-updated` | `status`  | `updated_order` | jobs by status, for operators |
//!
//! Times: `created_at` and `updated_at` keep the RFC 3339 text they were given;
//! `updated_order` and the `<at>` of a history key are the same instant in UTC with nine
//! fractional digits (`2026-01-02T03:04:05.000000000Z`), so that text order is time order.
//!
//! Writes are conditional, so events delivered twice or out of order do no harm:
//! - `create` puts the record only if `pk` does not exist (`Ok(false)` otherwise);
//! - `set_status` applies only if the update is newer than the record: a later `at`, or
//!   the same `at` and a higher status rank. A replayed or older event changes nothing;
//!   a re-drive, which comes later, takes a `FAILED` job back to `RUNNING`;
//! - every status also becomes a history item, put only if it does not exist, so a
//!   replayed event adds nothing.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
};
use docex_core::error::ErrorReport;
use docex_core::job::{JobRecord, StatusUpdate};
use docex_core::outcome::JobStatus;
use docex_core::{DocexError, JobStore};
use serde_json::{Map, Value};

use crate::config;
use crate::error::from_sdk;

/// The index of a user's jobs by creation time.
pub const OWNER_INDEX: &str = "owner-created";
/// The index of jobs by status and time of their last change.
pub const STATUS_INDEX: &str = "status-updated";
/// The most jobs one page of [`DynamoJobStore::list_for_owner`] holds.
pub const MAX_PAGE_SIZE: i32 = 100;

type Item = HashMap<String, AttributeValue>;

/// Creates the jobs table with its key schema and indexes (on-demand billing), as
/// Terraform does; for tests and local development.
pub async fn create_table(client: &Client, table: &str) -> Result<(), DocexError> {
    let string = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(build_error)
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(build_error)
    };
    let index = |name: &str, hash: &str, range: &str| -> Result<GlobalSecondaryIndex, DocexError> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash)?)
            .key_schema(key(range, KeyType::Range)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
            .map_err(build_error)
    };
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string("pk")?)
        .attribute_definitions(string("sk")?)
        .attribute_definitions(string("owner")?)
        .attribute_definitions(string("created_at")?)
        .attribute_definitions(string("status")?)
        .attribute_definitions(string("updated_order")?)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .global_secondary_indexes(index(OWNER_INDEX, "owner", "created_at")?)
        .global_secondary_indexes(index(STATUS_INDEX, "status", "updated_order")?)
        .send()
        .await
        .map_err(|e| from_sdk(&format!("DynamoDB CreateTable {table}"), e))?;
    Ok(())
}

pub(crate) fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> DocexError {
    DocexError::InvalidInput(format!("building a DynamoDB request: {error}"))
}

/// One page of a user's jobs, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    pub jobs: Vec<JobRecord>,
    /// Pass it back to get the next page; `None` on the last page.
    pub next_page_token: Option<String>,
}

/// The job store over one DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoJobStore {
    client: Client,
    table: String,
}

impl DynamoJobStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoJobStore {
        DynamoJobStore { client, table: table.into() }
    }

    /// With the table named by `DOCEX_JOBS_TABLE`.
    pub fn from_env(sdk: &SdkConfig) -> Result<DynamoJobStore, DocexError> {
        Ok(DynamoJobStore::new(Client::new(sdk), config::required(config::JOBS_TABLE)?))
    }

    /// The statuses a job went through, oldest first (as recorded: an event that arrived
    /// late is in the history at its own time even though it did not change the record).
    pub async fn history(&self, job_id: &str) -> Result<Vec<StatusUpdate>, DocexError> {
        let mut updates = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(job_pk(job_id)))
                .expression_attribute_values(":prefix", s("STATUS#"))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| from_sdk(&format!("DynamoDB Query history of {job_id}"), e))?;
            for item in page.items() {
                updates.push(StatusUpdate {
                    job_id: text(item, "job_id")?,
                    status: status(item, "event_status")?,
                    error: error_report(item)?,
                    confidence: number(item, "confidence")?,
                    at: text(item, "at")?,
                });
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        Ok(updates)
    }

    /// A user's jobs, newest first, `page_size` at a time (1 to [`MAX_PAGE_SIZE`]), only
    /// those with `status` when given. With a status filter a page may hold fewer jobs than
    /// `page_size` (DynamoDB filters after reading) and still have a next page.
    pub async fn list_for_owner(
        &self,
        owner: &str,
        status: Option<JobStatus>,
        page_size: i32,
        page_token: Option<&str>,
    ) -> Result<JobPage, DocexError> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(DocexError::InvalidInput(format!("a page holds 1 to {MAX_PAGE_SIZE} jobs, not {page_size}")));
        }
        let start = page_token.map(|token| decode_page_token(token, owner)).transpose()?;
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(OWNER_INDEX)
            .key_condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .scan_index_forward(false)
            .limit(page_size)
            .set_exclusive_start_key(start);
        if let Some(status) = status {
            query = query
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str()));
        }
        let page = query.send().await.map_err(|e| from_sdk(&format!("DynamoDB Query jobs of {owner}"), e))?;
        let jobs = page.items().iter().map(job_from_item).collect::<Result<Vec<_>, _>>()?;
        let next_page_token = match page.last_evaluated_key() {
            Some(key) if !key.is_empty() => Some(encode_page_token(key)?),
            _ => None,
        };
        Ok(JobPage { jobs, next_page_token })
    }

    async fn record_history(&self, update: &StatusUpdate, order: &str) -> Result<(), DocexError> {
        let mut item: Item = HashMap::new();
        item.insert("pk".into(), s(job_pk(&update.job_id)));
        item.insert("sk".into(), s(format!("STATUS#{order}#{}", update.status.as_str())));
        item.insert("job_id".into(), s(&update.job_id));
        item.insert("event_status".into(), s(update.status.as_str()));
        item.insert("at".into(), s(&update.at));
        if let Some(error) = &update.error {
            item.insert("error".into(), error_value(error));
        }
        if let Some(confidence) = update.confidence {
            item.insert("confidence".into(), n(confidence)?);
        }
        // `false`: the same status at the same time is already there, a replayed event.
        self.put_new(item, &format!("history of {}", update.job_id)).await.map(|_| ())
    }

    /// Puts `item` unless an item with its key exists; `Ok(false)` when one does.
    async fn put_new(&self, item: Item, what: &str) -> Result<bool, DocexError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(from_sdk(&format!("DynamoDB PutItem {what}"), e)),
        }
    }

    async fn list_status(&self, status: JobStatus) -> Result<Vec<JobRecord>, DocexError> {
        let mut jobs = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(STATUS_INDEX)
                .key_condition_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| from_sdk(&format!("DynamoDB Query jobs {}", status.as_str()), e))?;
            for item in page.items() {
                jobs.push(job_from_item(item)?);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        Ok(jobs)
    }
}

#[async_trait]
impl JobStore for DynamoJobStore {
    async fn create(&self, job: &JobRecord) -> Result<bool, DocexError> {
        let order = time_order(&job.updated_at)?;
        time_order(&job.created_at)?;
        let mut item: Item = HashMap::new();
        item.insert("pk".into(), s(job_pk(&job.job_id)));
        item.insert("sk".into(), s("JOB"));
        item.insert("job_id".into(), s(&job.job_id));
        item.insert("owner".into(), s(&job.owner));
        item.insert("document".into(), s(&job.document));
        item.insert("spec".into(), s(&job.spec));
        item.insert("template".into(), s(&job.template));
        item.insert("status".into(), s(job.status.as_str()));
        item.insert("status_rank".into(), AttributeValue::N(job.status.rank().to_string()));
        if let Some(error) = &job.error {
            item.insert("error".into(), error_value(error));
        }
        if let Some(confidence) = job.confidence {
            item.insert("confidence".into(), n(confidence)?);
        }
        item.insert("created_at".into(), s(&job.created_at));
        item.insert("updated_at".into(), s(&job.updated_at));
        item.insert("updated_order".into(), s(&order));
        if !self.put_new(item, &format!("job {}", job.job_id)).await? {
            return Ok(false);
        }
        let first = StatusUpdate {
            job_id: job.job_id.clone(),
            status: job.status,
            error: job.error.clone(),
            confidence: job.confidence,
            at: job.updated_at.clone(),
        };
        self.record_history(&first, &order).await?;
        Ok(true)
    }

    async fn get(&self, job_id: &str) -> Result<Option<JobRecord>, DocexError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(job_id)))
            .key("sk", s("JOB"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("DynamoDB GetItem job {job_id}"), e))?;
        output.item().map(job_from_item).transpose()
    }

    async fn set_status(&self, update: &StatusUpdate) -> Result<(), DocexError> {
        let order = time_order(&update.at)?;
        let mut set = vec!["#status = :status", "status_rank = :rank", "updated_at = :at", "updated_order = :order"];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(job_pk(&update.job_id)))
            .key("sk", s("JOB"))
            .condition_expression(
                "attribute_exists(pk) AND (updated_order < :order OR (updated_order = :order AND status_rank < :rank))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":status", s(update.status.as_str()))
            .expression_attribute_values(":rank", AttributeValue::N(update.status.rank().to_string()))
            .expression_attribute_values(":at", s(&update.at))
            .expression_attribute_values(":order", s(&order))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(confidence) = update.confidence {
            set.push("confidence = :confidence");
            request = request.expression_attribute_values(":confidence", n(confidence)?);
        }
        let mut expression = format!("SET {}", set.join(", "));
        match &update.error {
            Some(error) => {
                expression.push_str(", #error = :error");
                request = request.expression_attribute_values(":error", error_value(error));
            }
            None => expression.push_str(" REMOVE #error"),
        }
        match request.update_expression(expression).send().await {
            Ok(_) => {}
            Err(e) => {
                let stale = e.as_service_error().and_then(|e| match e {
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => {
                        Some(c.item().is_some_and(|item| !item.is_empty()))
                    }
                    _ => None,
                });
                match stale {
                    // The record is newer than this update: an older or replayed event.
                    Some(true) => {}
                    Some(false) => return Err(DocexError::InvalidInput(format!("no job {}", update.job_id))),
                    None => return Err(from_sdk(&format!("DynamoDB UpdateItem job {}", update.job_id), e)),
                }
            }
        }
        self.record_history(update, &order).await
    }

    /// Jobs with `status`, or all jobs, oldest first. Reads the status index, one query per
    /// status when none is given: an operator's view, not a user's (see `list_for_owner`).
    async fn list(&self, status: Option<JobStatus>) -> Result<Vec<JobRecord>, DocexError> {
        let statuses = match status {
            Some(status) => vec![status],
            None => vec![
                JobStatus::Queued,
                JobStatus::Running,
                JobStatus::Succeeded,
                JobStatus::NeedsReview,
                JobStatus::Failed,
            ],
        };
        let mut jobs = Vec::new();
        for status in statuses {
            jobs.extend(self.list_status(status).await?);
        }
        jobs.sort_by(|a, b| (&a.created_at, &a.job_id).cmp(&(&b.created_at, &b.job_id)));
        Ok(jobs)
    }
}

fn job_pk(job_id: &str) -> String {
    format!("JOB#{job_id}")
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: f64) -> Result<AttributeValue, DocexError> {
    if value.is_finite() {
        Ok(AttributeValue::N(value.to_string()))
    } else {
        Err(DocexError::InvalidInput(format!("a confidence must be a number, not {value}")))
    }
}

fn error_value(error: &ErrorReport) -> AttributeValue {
    AttributeValue::M(HashMap::from([("name".to_string(), s(&error.name)), ("message".to_string(), s(&error.message))]))
}

/// The instant `at` (RFC 3339) in UTC with nine fractional digits, whose text order is
/// time order.
fn time_order(at: &str) -> Result<String, DocexError> {
    let instant = chrono::DateTime::parse_from_rfc3339(at)
        .map_err(|e| DocexError::InvalidInput(format!("not an RFC 3339 time: {at:?} ({e})")))?;
    Ok(instant.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
}

fn malformed(name: &str, item: &Item) -> DocexError {
    let pk = item.get("pk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("?");
    DocexError::Storage(format!("the job item {pk} has no valid {name}"))
}

pub(crate) fn text(item: &Item, name: &str) -> Result<String, DocexError> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().ok_or_else(|| malformed(name, item))
}

fn number(item: &Item, name: &str) -> Result<Option<f64>, DocexError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(text)) => text.parse().map(Some).map_err(|_| malformed(name, item)),
        Some(_) => Err(malformed(name, item)),
    }
}

fn status(item: &Item, name: &str) -> Result<JobStatus, DocexError> {
    JobStatus::parse(&text(item, name)?).ok_or_else(|| malformed(name, item))
}

fn error_report(item: &Item) -> Result<Option<ErrorReport>, DocexError> {
    match item.get("error") {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::M(map)) => {
            Ok(Some(ErrorReport { name: text(map, "name")?, message: text(map, "message")? }))
        }
        Some(_) => Err(malformed("error", item)),
    }
}

fn job_from_item(item: &Item) -> Result<JobRecord, DocexError> {
    Ok(JobRecord {
        job_id: text(item, "job_id")?,
        owner: text(item, "owner")?,
        document: text(item, "document")?,
        spec: text(item, "spec")?,
        template: text(item, "template")?,
        status: status(item, "status")?,
        error: error_report(item)?,
        confidence: number(item, "confidence")?,
        created_at: text(item, "created_at")?,
        updated_at: text(item, "updated_at")?,
    })
}

/// The keys of a page token: the primary key and the owner index's key.
const TOKEN_KEYS: [&str; 4] = ["pk", "sk", "owner", "created_at"];

/// `LastEvaluatedKey` as an opaque string: its JSON, hex-encoded.
fn encode_page_token(key: &Item) -> Result<String, DocexError> {
    let mut object = Map::new();
    for name in TOKEN_KEYS {
        let value = key
            .get(name)
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| DocexError::Storage(format!("DynamoDB returned a page key without {name}")))?;
        object.insert(name.to_string(), Value::String(value.clone()));
    }
    let json = Value::Object(object).to_string();
    Ok(json.bytes().map(|b| format!("{b:02x}")).collect())
}

/// A page token back into `ExclusiveStartKey`, refused unless it is one of ours for `owner`.
fn decode_page_token(token: &str, owner: &str) -> Result<Item, DocexError> {
    let bad = || DocexError::InvalidInput("the page token is not valid".to_string());
    if !token.len().is_multiple_of(2) || token.len() > 8192 {
        return Err(bad());
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| token.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(bad());
    };
    if object.len() != TOKEN_KEYS.len() {
        return Err(bad());
    }
    let mut key = HashMap::new();
    for name in TOKEN_KEYS {
        let value = object.get(name).and_then(Value::as_str).ok_or_else(bad)?;
        key.insert(name.to_string(), s(value));
    }
    let valid = object.get("owner").and_then(Value::as_str) == Some(owner)
        && object.get("sk").and_then(Value::as_str) == Some("JOB")
        && object.get("pk").and_then(Value::as_str).is_some_and(|pk| pk.starts_with("JOB#"));
    if !valid {
        return Err(bad());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_order_as_text_whatever_their_offset() {
        let a = time_order("2026-01-02T03:04:05+01:00").unwrap();
        let b = time_order("2026-01-02T02:30:00.5Z").unwrap();
        assert_eq!(a, "2026-01-02T02:04:05.000000000Z");
        assert!(a < b);
        assert!(time_order("yesterday").is_err());
    }

    #[test]
    fn page_tokens_round_trip_and_belong_to_one_owner() {
        let key: Item = HashMap::from([
            ("pk".to_string(), s("JOB#j1")),
            ("sk".to_string(), s("JOB")),
            ("owner".to_string(), s("alice")),
            ("created_at".to_string(), s("2026-01-01T00:00:00Z")),
        ]);
        let token = encode_page_token(&key).unwrap();
        assert_eq!(decode_page_token(&token, "alice").unwrap(), key);
        assert!(decode_page_token(&token, "bob").is_err());
        assert!(decode_page_token("zz", "alice").is_err());
        assert!(decode_page_token("7b7d", "alice").is_err());
    }
}
