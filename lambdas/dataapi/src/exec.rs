//! Running one statement on a connection: named parameters bound with their types, rows
//! decoded into `Field`s or formatted as JSON, the column metadata looked up in the
//! catalogue, and the number of rows a change touched.

use std::collections::HashMap;
use std::time::Duration;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Column, NoTls, Row, Statement};

use crate::error::{ApiError, ErrorKind};
use crate::pool::Conn;
use crate::sql::NamedSql;
use crate::values::{self, Bound, Cell, Param, Raw, ReturnOptions};
use crate::wire::{ColumnMetadata, ExecuteStatementResponse, SqlParameter};

/// What a statement returns, before it is shaped into a response.
pub struct Outcome {
    pub statement: Statement,
    pub rows: Vec<Row>,
    pub updated: u64,
}

/// Binds the request's parameters to the statement's names.
fn bind_all(named: &NamedSql, parameters: &[SqlParameter]) -> Result<Vec<Bound>, ApiError> {
    for parameter in parameters {
        if parameter.name.as_deref().is_none_or(str::is_empty) {
            return Err(ApiError::bad_request("Parameter name must not be empty"));
        }
    }
    named
        .names
        .iter()
        .map(|name| {
            let parameter = parameters
                .iter()
                .find(|p| p.name.as_deref().map(|n| n.trim_start_matches(':')) == Some(name.as_str()))
                .ok_or_else(|| ApiError::bad_request(format!("No value specified for parameter :{name}")))?;
            let value = parameter
                .value
                .as_ref()
                .ok_or_else(|| ApiError::bad_request(format!("Parameter :{name} has no value")))?;
            values::bind(value, parameter.type_hint.as_deref())
        })
        .collect()
}

/// Whether a statement's first keyword makes it a change (so rows it returns are changed rows).
fn is_change(sql: &str) -> bool {
    let first = sql
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(first.as_str(), "insert" | "update" | "delete" | "merge")
}

/// Runs `sql` with `parameters` on `client`, giving up (and cancelling the statement)
/// after `timeout`.
pub async fn run(conn: &Conn, sql: &str, parameters: &[SqlParameter], timeout: Duration) -> Result<Outcome, ApiError> {
    let client = &conn.client;
    let named = NamedSql::parse(sql);
    let bound = bind_all(&named, parameters)?;
    let casts: Vec<Option<&str>> = bound.iter().map(|b| b.cast).collect();
    let types: Vec<_> = bound.iter().map(|b| b.ty.clone()).collect();
    let text = named.render(&casts);
    let params: Vec<&Param> = bound.iter().map(|b| &b.param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| *p as &(dyn ToSql + Sync)).collect();
    let work = async {
        let statement = client.prepare_typed(&text, &types).await.map_err(|e| ApiError::from_postgres(&e))?;
        if statement.columns().is_empty() {
            let updated = client.execute(&statement, &refs).await.map_err(|e| ApiError::from_postgres(&e))?;
            Ok(Outcome { statement, rows: Vec::new(), updated })
        } else {
            let rows = client.query(&statement, &refs).await.map_err(|e| ApiError::from_postgres(&e))?;
            let updated = if is_change(&text) { rows.len() as u64 } else { 0 };
            Ok(Outcome { statement, rows, updated })
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(outcome) => outcome,
        Err(_) => {
            if let Err(error) = client.cancel_token().cancel_query(NoTls).await {
                tracing::warn!(%error, "cannot cancel a timed-out statement");
            }
            let mut error = ApiError::new(
                ErrorKind::StatementTimeout,
                format!("The statement did not finish within {} seconds and was cancelled", timeout.as_secs()),
            );
            error.db_connection_id = Some(conn.pid.into());
            Err(error)
        }
    }
}

/// Shapes an outcome as an `ExecuteStatement` response.
pub async fn respond(
    client: &Client,
    outcome: Outcome,
    include_metadata: bool,
    format_json: bool,
    options: ReturnOptions,
) -> Result<ExecuteStatementResponse, ApiError> {
    let columns = outcome.statement.columns();
    let mut records = Vec::with_capacity(outcome.rows.len());
    for row in &outcome.rows {
        let mut cells = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            let raw: Raw<'_> =
                row.try_get(i).map_err(|e| ApiError::new(ErrorKind::UnsupportedResult, e.to_string()))?;
            cells.push(values::decode(&raw, options)?);
        }
        records.push(cells);
    }
    let column_metadata = if include_metadata { Some(metadata(client, columns).await?) } else { None };
    let has_result_set = !columns.is_empty();
    let (records, formatted_records) = if format_json {
        let objects: Vec<serde_json::Value> = records
            .iter()
            .map(|cells: &Vec<Cell>| {
                let object: serde_json::Map<String, serde_json::Value> =
                    columns.iter().zip(cells).map(|(c, v)| (c.name().to_string(), v.to_json())).collect();
                serde_json::Value::Object(object)
            })
            .collect();
        let text = serde_json::to_string(&objects)
            .map_err(|e| ApiError::new(ErrorKind::InternalServerError, e.to_string()))?;
        (None, has_result_set.then_some(text))
    } else {
        let fields = records.iter().map(|cells| cells.iter().map(Cell::to_field).collect()).collect();
        (has_result_set.then_some(fields), None)
    };
    Ok(ExecuteStatementResponse {
        records,
        column_metadata,
        number_of_records_updated: i64::try_from(outcome.updated).unwrap_or(i64::MAX),
        generated_fields: Vec::new(),
        formatted_records,
    })
}

/// What the catalogue says about a column of a table.
struct TableColumn {
    schema: String,
    table: String,
    not_null: bool,
    auto_increment: bool,
}

/// Column metadata as the service reports it, with the table, nullability and
/// auto-increment looked up for columns that come straight from a table.
async fn metadata(client: &Client, columns: &[Column]) -> Result<Vec<ColumnMetadata>, ApiError> {
    let mut tables: HashMap<(u32, i16), TableColumn> = HashMap::new();
    for column in columns {
        let (Some(oid), Some(attnum)) = (column.table_oid(), column.column_id()) else { continue };
        if oid == 0 || tables.contains_key(&(oid, attnum)) {
            continue;
        }
        let row = client
            .query_opt(
                "SELECT n.nspname::text, c.relname::text, a.attnotnull, \
                 (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE a.attrelid = $1 AND a.attnum = $2",
                &[&oid, &attnum],
            )
            .await
            .map_err(|e| ApiError::from_postgres(&e))?;
        if let Some(row) = row {
            let entry = TableColumn {
                schema: row.try_get(0).unwrap_or_default(),
                table: row.try_get(1).unwrap_or_default(),
                not_null: row.try_get(2).unwrap_or(false),
                auto_increment: row.try_get(3).unwrap_or(false),
            };
            tables.insert((oid, attnum), entry);
        }
    }
    Ok(columns
        .iter()
        .map(|column| {
            let ty = column.type_();
            let table = column.table_oid().zip(column.column_id()).and_then(|key| tables.get(&key));
            let (precision, scale) = precision_and_scale(ty, column.type_modifier());
            let base = match ty.kind() {
                tokio_postgres::types::Kind::Array(member) => values::jdbc_type(member),
                _ => 0,
            };
            let numeric = matches!(
                *ty,
                tokio_postgres::types::Type::INT2
                    | tokio_postgres::types::Type::INT4
                    | tokio_postgres::types::Type::INT8
                    | tokio_postgres::types::Type::FLOAT4
                    | tokio_postgres::types::Type::FLOAT8
                    | tokio_postgres::types::Type::NUMERIC
                    | tokio_postgres::types::Type::MONEY
            );
            let texty = matches!(
                *ty,
                tokio_postgres::types::Type::TEXT
                    | tokio_postgres::types::Type::VARCHAR
                    | tokio_postgres::types::Type::BPCHAR
                    | tokio_postgres::types::Type::NAME
                    | tokio_postgres::types::Type::JSON
                    | tokio_postgres::types::Type::JSONB
            );
            let auto_increment = table.is_some_and(|t| t.auto_increment);
            ColumnMetadata {
                name: column.name().to_string(),
                label: column.name().to_string(),
                type_code: values::jdbc_type(ty),
                type_name: if auto_increment && *ty == tokio_postgres::types::Type::INT4 {
                    "serial".to_string()
                } else if auto_increment && *ty == tokio_postgres::types::Type::INT8 {
                    "bigserial".to_string()
                } else {
                    ty.name().to_string()
                },
                schema_name: table.map(|t| t.schema.clone()).unwrap_or_default(),
                table_name: table.map(|t| t.table.clone()).unwrap_or_default(),
                is_auto_increment: auto_increment,
                is_signed: numeric,
                is_currency: *ty == tokio_postgres::types::Type::MONEY,
                is_case_sensitive: texty,
                nullable: match table {
                    Some(t) if t.not_null => 0,
                    Some(_) => 1,
                    None => 2,
                },
                precision,
                scale,
                array_base_column_type: base,
            }
        })
        .collect())
}

/// The precision and scale the PostgreSQL JDBC driver reports for a type and modifier.
fn precision_and_scale(ty: &tokio_postgres::types::Type, modifier: i32) -> (i32, i32) {
    use tokio_postgres::types::Type;
    match *ty {
        Type::INT2 => (5, 0),
        Type::INT4 | Type::OID => (10, 0),
        Type::INT8 => (19, 0),
        Type::FLOAT4 => (8, 8),
        Type::FLOAT8 => (17, 17),
        Type::BOOL => (1, 0),
        Type::DATE => (13, 0),
        Type::TIME => (15, 6),
        Type::TIMESTAMP | Type::TIMESTAMPTZ => (29, 6),
        Type::UUID => (36, 0),
        Type::NUMERIC if modifier >= 4 => (((modifier - 4) >> 16) & 0xffff, (modifier - 4) & 0xffff),
        Type::NUMERIC => (0, 0),
        Type::VARCHAR | Type::BPCHAR if modifier >= 4 => (modifier - 4, 0),
        _ => (i32::MAX, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_told_from_queries_by_their_first_keyword() {
        assert!(is_change("  INSERT INTO t VALUES (1) RETURNING id"));
        assert!(is_change("(delete from t returning *)"));
        assert!(!is_change("SELECT 1"));
        assert!(!is_change("WITH x AS (SELECT 1) SELECT * FROM x"));
    }

    #[test]
    fn numeric_modifiers_give_precision_and_scale() {
        let modifier = ((12 << 16) | 2) + 4;
        assert_eq!(precision_and_scale(&tokio_postgres::types::Type::NUMERIC, modifier), (12, 2));
        assert_eq!(precision_and_scale(&tokio_postgres::types::Type::VARCHAR, 44), (40, 0));
    }
}
