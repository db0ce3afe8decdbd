//! Live status for browsers: the open API Gateway WebSocket connections of each user, and
//! job events pushed to them.
//!
//! The connections table (`DOCEX_CONNECTIONS_TABLE`; [`create_table`] creates it for tests)
//! has the key schema `pk` (S, hash) + `sk` (S, range) and two items per connection:
//!
//! | item               | `pk`              | `sk`                 | other attributes |
//! |--------------------|-------------------|----------------------|------------------|
//! | a user's connection | `OWNER#<owner>`  | `CONN#<connection>`  | `connection_id`, `owner`, `connected_at`, `expires_at` |
//! | connection → owner | `CONN#<connection>` | `CONN`             | `connection_id`, `owner`, `connected_at`, `expires_at` |
//!
//! The first is queried to reach a user, the second found on disconnect. `expires_at`
//! (N, epoch seconds) is two hours after connecting, API Gateway's longest connection:
//! enable DynamoDB TTL on it so connections that never said goodbye disappear.
//!
//! Delivery is best-effort, as WebSocket pushes are: a connection API Gateway reports gone
//! (`GoneException`) is removed; another failure is logged and the other connections still
//! get the event. A browser that reconnects reads the job's state from the API.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_apigatewaymanagement::Client as ManagementClient;
use aws_sdk_dynamodb::Client as DynamoClient;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_smithy_types::Blob;
use docex_core::DocexError;
use docex_core::job::JobEvent;

use crate::config;
use crate::dynamodb::{build_error, s, text};
use crate::error::from_sdk;

/// How long API Gateway keeps a WebSocket connection open at most.
pub const MAX_CONNECTION_SECONDS: i64 = 2 * 60 * 60;

type Item = HashMap<String, AttributeValue>;

/// A management API client for the WebSocket API at `endpoint`
/// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
pub fn management_client(sdk: &SdkConfig, endpoint: &str) -> ManagementClient {
    ManagementClient::from_conf(aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(endpoint).build())
}

/// Creates the connections table (on-demand billing); for tests and local development.
pub async fn create_table(client: &DynamoClient, table: &str) -> Result<(), DocexError> {
    let mut request = client.create_table().table_name(table).billing_mode(BillingMode::PayPerRequest);
    for (name, kind) in [("pk", KeyType::Hash), ("sk", KeyType::Range)] {
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(build_error)?,
            )
            .key_schema(KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(build_error)?);
    }
    request.send().await.map_err(|e| from_sdk(&format!("DynamoDB CreateTable {table}"), e))?;
    Ok(())
}

/// The open connections and the pushes to them.
#[derive(Debug, Clone)]
pub struct Connections {
    dynamodb: DynamoClient,
    table: String,
    management: ManagementClient,
}

impl Connections {
    pub fn new(dynamodb: DynamoClient, table: impl Into<String>, management: ManagementClient) -> Connections {
        Connections { dynamodb, table: table.into(), management }
    }

    /// With `DOCEX_CONNECTIONS_TABLE` and the management endpoint `DOCEX_WEBSOCKET_ENDPOINT`.
    pub fn from_env(sdk: &SdkConfig) -> Result<Connections, DocexError> {
        let endpoint = config::required(config::WEBSOCKET_ENDPOINT)?;
        Ok(Connections::new(
            DynamoClient::new(sdk),
            config::required(config::CONNECTIONS_TABLE)?,
            management_client(sdk, &endpoint),
        ))
    }

    /// Records that `owner` opened `connection_id` (on `$connect`, after the authorizer
    /// named the user). Connecting again replaces the record.
    pub async fn add(&self, connection_id: &str, owner: &str) -> Result<(), DocexError> {
        check_id("connection id", connection_id)?;
        check_id("owner", owner)?;
        let now = chrono::Utc::now();
        let base: Item = HashMap::from([
            ("connection_id".to_string(), s(connection_id)),
            ("owner".to_string(), s(owner)),
            ("connected_at".to_string(), s(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))),
            ("expires_at".to_string(), AttributeValue::N((now.timestamp() + MAX_CONNECTION_SECONDS).to_string())),
        ]);
        for (pk, sk) in
            [(format!("OWNER#{owner}"), format!("CONN#{connection_id}")), (connection_pk(connection_id), "CONN".into())]
        {
            let mut item = base.clone();
            item.insert("pk".into(), s(pk));
            item.insert("sk".into(), s(sk));
            self.dynamodb
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| from_sdk(&format!("DynamoDB PutItem connection {connection_id}"), e))?;
        }
        Ok(())
    }

    /// Forgets `connection_id` (on `$disconnect`, or when API Gateway says it is gone).
    /// Forgetting an unknown connection does nothing.
    pub async fn remove(&self, connection_id: &str) -> Result<(), DocexError> {
        check_id("connection id", connection_id)?;
        let found = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("pk", s(connection_pk(connection_id)))
            .key("sk", s("CONN"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("DynamoDB GetItem connection {connection_id}"), e))?;
        if let Some(item) = found.item() {
            let owner = text(item, "owner")?;
            self.delete(format!("OWNER#{owner}"), format!("CONN#{connection_id}")).await?;
        }
        self.delete(connection_pk(connection_id), "CONN".to_string()).await
    }

    /// The open connections of `owner`.
    pub async fn of_owner(&self, owner: &str) -> Result<Vec<String>, DocexError> {
        let now = chrono::Utc::now().timestamp();
        let mut connections = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .dynamodb
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :conn)")
                .expression_attribute_values(":pk", s(format!("OWNER#{owner}")))
                .expression_attribute_values(":conn", s("CONN#"))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| from_sdk(&format!("DynamoDB Query connections of {owner}"), e))?;
            for item in page.items() {
                let expired = item
                    .get("expires_at")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<i64>().ok())
                    .is_some_and(|expires| expires < now);
                if !expired {
                    connections.push(text(item, "connection_id")?);
                }
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        Ok(connections)
    }

    /// Pushes `event` (its JSON) to every open connection of `owner` and only to those;
    /// returns how many received it. Connections that are gone are removed.
    pub async fn send_to_owner(&self, owner: &str, event: &JobEvent) -> Result<usize, DocexError> {
        let data = serde_json::to_vec(event)
            .map_err(|e| DocexError::InvalidInput(format!("the event of job {} is not JSON: {e}", event.job_id)))?;
        let mut delivered = 0;
        for connection_id in self.of_owner(owner).await? {
            let result = self
                .management
                .post_to_connection()
                .connection_id(&connection_id)
                .data(Blob::new(data.clone()))
                .send()
                .await;
            match result {
                Ok(_) => delivered += 1,
                Err(e) if e.as_service_error().is_some_and(|e| e.is_gone_exception()) => {
                    self.remove(&connection_id).await?;
                }
                Err(e) => {
                    let error = from_sdk(&format!("API Gateway PostToConnection {connection_id}"), e);
                    tracing::warn!(%connection_id, job_id = %event.job_id, %error, "a status push failed");
                }
            }
        }
        Ok(delivered)
    }

    async fn delete(&self, pk: String, sk: String) -> Result<(), DocexError> {
        self.dynamodb
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .key("sk", s(sk))
            .send()
            .await
            .map_err(|e| from_sdk(&format!("DynamoDB DeleteItem {pk}"), e))?;
        Ok(())
    }
}

fn connection_pk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}

/// Connection ids (API Gateway's, like `L0SM9cOFvHcCIhw=`) and owners (Cognito subjects)
/// are short printable strings; anything else would corrupt the keys.
fn check_id(what: &str, value: &str) -> Result<(), DocexError> {
    if value.is_empty() || value.len() > 256 || value.chars().any(|c| c.is_control() || c == '#') {
        return Err(DocexError::InvalidInput(format!("not a valid {what}: {value:?}")));
    }
    Ok(())
}
