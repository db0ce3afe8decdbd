//! The RDS Data API's JSON shapes (REST-JSON, camelCase), as the service's model defines
//! them: the requests of the five operations, their responses, and the `Field`,
//! `ArrayValue`, `SqlParameter` and `ColumnMetadata` structures.

use serde::{Deserialize, Serialize};

/// A value in a parameter or a result: a union with exactly one member set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    IsNull(bool),
    BooleanValue(bool),
    LongValue(i64),
    DoubleValue(f64),
    StringValue(String),
    /// Base64 on the wire.
    BlobValue(String),
    ArrayValue(ArrayValue),
}

/// An array in a result: one list per element type, or nested arrays for more dimensions.
/// A NULL element is written as JSON `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ArrayValue {
    BooleanValues(Vec<Option<bool>>),
    LongValues(Vec<Option<i64>>),
    DoubleValues(Vec<Option<f64>>),
    StringValues(Vec<Option<String>>),
    ArrayValues(Vec<ArrayValue>),
}

/// A named parameter (`:name` in the SQL), with an optional hint of the SQL type a string
/// value stands for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlParameter {
    pub name: Option<String>,
    pub value: Option<Field>,
    pub type_hint: Option<String>,
}

/// How numeric and bigint results are returned.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultSetOptions {
    /// `STRING` (the default) or `DOUBLE_OR_LONG`.
    pub decimal_return_type: Option<String>,
    /// `LONG` (the default) or `STRING`.
    pub long_return_type: Option<String>,
}

/// `POST /Execute`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteStatementRequest {
    pub resource_arn: Option<String>,
    pub secret_arn: Option<String>,
    pub sql: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
    #[serde(default)]
    pub parameters: Vec<SqlParameter>,
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub include_result_metadata: bool,
    #[serde(default)]
    pub continue_after_timeout: bool,
    pub result_set_options: Option<ResultSetOptions>,
    /// `NONE` (the default) or `JSON`.
    pub format_records_as: Option<String>,
}

/// `POST /BatchExecute`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchExecuteStatementRequest {
    pub resource_arn: Option<String>,
    pub secret_arn: Option<String>,
    pub sql: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
    #[serde(default)]
    pub parameter_sets: Vec<Vec<SqlParameter>>,
    pub transaction_id: Option<String>,
}

/// `POST /BeginTransaction`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BeginTransactionRequest {
    pub resource_arn: Option<String>,
    pub secret_arn: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
}

/// `POST /CommitTransaction` and `POST /RollbackTransaction`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndTransactionRequest {
    pub resource_arn: Option<String>,
    pub secret_arn: Option<String>,
    pub transaction_id: Option<String>,
}

/// What the service says about a result column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMetadata {
    pub name: String,
    pub label: String,
    /// The JDBC type code (`java.sql.Types`).
    #[serde(rename = "type")]
    pub type_code: i32,
    pub type_name: String,
    pub schema_name: String,
    pub table_name: String,
    pub is_auto_increment: bool,
    pub is_signed: bool,
    pub is_currency: bool,
    pub is_case_sensitive: bool,
    /// 0 no nulls, 1 nullable, 2 unknown (JDBC's `columnNullable...` constants).
    pub nullable: i32,
    pub precision: i32,
    pub scale: i32,
    /// The JDBC type code of an array's elements, 0 for other columns.
    pub array_base_column_type: i32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteStatementResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<Vec<Field>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_metadata: Option<Vec<ColumnMetadata>>,
    pub number_of_records_updated: i64,
    pub generated_fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted_records: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResult {
    pub generated_fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchExecuteStatementResponse {
    pub update_results: Vec<UpdateResult>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BeginTransactionResponse {
    pub transaction_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndTransactionResponse {
    pub transaction_status: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_unions_with_one_camel_case_member() {
        assert_eq!(serde_json::to_value(Field::LongValue(5)).unwrap(), json!({"longValue": 5}));
        assert_eq!(serde_json::to_value(Field::IsNull(true)).unwrap(), json!({"isNull": true}));
        let array =
            Field::ArrayValue(ArrayValue::ArrayValues(vec![ArrayValue::StringValues(vec![Some("a".into()), None])]));
        assert_eq!(
            serde_json::to_value(array).unwrap(),
            json!({"arrayValue": {"arrayValues": [{"stringValues": ["a", null]}]}})
        );
        let parsed: Field = serde_json::from_value(json!({"blobValue": "AAE="})).unwrap();
        assert_eq!(parsed, Field::BlobValue("AAE=".into()));
    }

    #[test]
    fn column_metadata_uses_the_service_member_names() {
        let meta = ColumnMetadata {
            name: "id".into(),
            label: "id".into(),
            type_code: 4,
            type_name: "int4".into(),
            schema_name: "public".into(),
            table_name: "t".into(),
            is_auto_increment: true,
            is_signed: true,
            is_currency: false,
            is_case_sensitive: false,
            nullable: 0,
            precision: 10,
            scale: 0,
            array_base_column_type: 0,
        };
        let value = serde_json::to_value(meta).unwrap();
        assert_eq!(value["type"], 4);
        assert_eq!(value["typeName"], "int4");
        assert_eq!(value["isAutoIncrement"], true);
        assert_eq!(value["arrayBaseColumnType"], 0);
    }
}
