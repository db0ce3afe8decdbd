//! The Data API server driven by the real `aws-sdk-rdsdata` client over HTTP, on a
//! scratch PostgreSQL database: every operation, every value type both ways, transactions
//! committed, rolled back and abandoned, the error shapes, JSON records and metadata.

use std::time::Duration;

use aws_sdk_rdsdata::Client;
use aws_sdk_rdsdata::config::retry::RetryConfig;
use aws_sdk_rdsdata::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_rdsdata::error::ProvideErrorMetadata;
use aws_sdk_rdsdata::primitives::Blob;
use aws_sdk_rdsdata::types::{
    ArrayValue, DecimalReturnType, Field, LongReturnType, RecordsFormatType, ResultSetOptions, SqlParameter, TypeHint,
};
use docex_dataapi::{DataApi, RunningServer};
use docex_testkit::postgres::ScratchDatabase;

const CLUSTER: &str = "arn:aws:rds:us-east-1:123456789012:cluster:docex";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:docex-db";

/// A scratch database, a server over its PostgreSQL and a client pointed at the server.
struct Setup {
    db: ScratchDatabase,
    server: RunningServer,
    client: Client,
}

async fn setup_with(api: impl FnOnce(DataApi) -> DataApi) -> Setup {
    let db = ScratchDatabase::create().await.expect("PostgreSQL must be running for these tests");
    // The server's own database is the base one: requests pick the scratch one by name.
    let server = docex_dataapi::serve("127.0.0.1:0", api(DataApi::new(&db.server_url()).unwrap())).await.unwrap();
    let config = aws_sdk_rdsdata::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
        .endpoint_url(server.url())
        .retry_config(RetryConfig::disabled())
        .build();
    Setup { db, server, client: Client::from_conf(config) }
}

async fn setup() -> Setup {
    setup_with(|api| api).await
}

fn param(name: &str, value: Field) -> SqlParameter {
    SqlParameter::builder().name(name).value(value).build()
}

fn hinted(name: &str, value: &str, hint: TypeHint) -> SqlParameter {
    SqlParameter::builder().name(name).value(Field::StringValue(value.into())).type_hint(hint).build()
}

impl Setup {
    async fn sql(&self, sql: &str) -> aws_sdk_rdsdata::operation::execute_statement::ExecuteStatementOutput {
        self.client
            .execute_statement()
            .resource_arn(CLUSTER)
            .secret_arn(SECRET)
            .database(self.db.name())
            .sql(sql)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {}", aws_sdk_rdsdata::error::DisplayErrorContext(&e)))
    }

    async fn count(&self, table: &str) -> i64 {
        let out = self.sql(&format!("SELECT count(*) FROM {table}")).await;
        match &out.records()[0][0] {
            Field::LongValue(n) => *n,
            other => panic!("count is {other:?}"),
        }
    }
}

#[tokio::test]
async fn every_type_goes_in_as_a_parameter_and_comes_back_as_its_field() {
    let s = setup().await;
    s.sql(
        "CREATE TABLE every_type (
            id serial PRIMARY KEY, i int, b bigint, sm smallint, n numeric(12,2), f double precision, r real,
            ok boolean, t text, v varchar(20), c char(3), bin bytea, d date, tm time, ts timestamp,
            tz timestamptz, j jsonb, js json, u uuid, ia int[], ta text[], fa float8[], ba boolean[],
            m int[][], nothing text)",
    )
    .await;
    let inserted = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql(
            "INSERT INTO every_type (i, b, sm, n, f, r, ok, t, v, c, bin, d, tm, ts, tz, j, js, u, ia, ta, fa, ba, m, nothing)
             VALUES (:i, :b, :sm, :n, :f, :r, :ok, :t, :v, :c, :bin, :d, :tm, :ts, :tz, :j, :js, :u,
                     ARRAY[1, 2, NULL], ARRAY['x', 'y''s'], ARRAY[1.5, -2.25], ARRAY[true, false],
                     ARRAY[[1, 2], [3, 4]], :nothing)",
        )
        .parameters(param("i", Field::LongValue(-42)))
        .parameters(param("b", Field::LongValue(9_007_199_254_740_993)))
        .parameters(param("sm", Field::LongValue(7)))
        .parameters(hinted("n", "12345.67", TypeHint::Decimal))
        .parameters(param("f", Field::DoubleValue(3.25)))
        .parameters(param("r", Field::DoubleValue(0.5)))
        .parameters(param("ok", Field::BooleanValue(true)))
        .parameters(param("t", Field::StringValue("Grüße, 'quoted' \"double\" ✓".into())))
        .parameters(param("v", Field::StringValue("short".into())))
        .parameters(param("c", Field::StringValue("ab".into())))
        .parameters(param("bin", Field::BlobValue(Blob::new(vec![0u8, 1, 2, 255]))))
        .parameters(hinted("d", "2024-02-29", TypeHint::Date))
        .parameters(hinted("tm", "13:45:30.5", TypeHint::Time))
        .parameters(hinted("ts", "2024-02-29 13:45:30.123", TypeHint::Timestamp))
        .parameters(hinted("tz", "2024-02-29 13:45:30", TypeHint::Timestamp))
        .parameters(hinted("j", r#"{"a": [1, 2], "b": "c"}"#, TypeHint::Json))
        .parameters(hinted("js", r#"{"k":1}"#, TypeHint::Json))
        .parameters(hinted("u", "6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f", TypeHint::Uuid))
        .parameters(param("nothing", Field::IsNull(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(inserted.number_of_records_updated(), 1);
    assert!(inserted.records().is_empty());
    assert!(inserted.generated_fields().is_empty());

    let out = s
        .sql(
            "SELECT i, b, sm, n, f, r, ok, t, v, c, bin, d, tm, ts, tz, j, js, u, ia, ta, fa, ba, m, nothing
             FROM every_type",
        )
        .await;
    assert_eq!(out.number_of_records_updated(), 0);
    let row = &out.records()[0];
    let expected = vec![
        Field::LongValue(-42),
        Field::LongValue(9_007_199_254_740_993),
        Field::LongValue(7),
        Field::StringValue("12345.67".into()),
        Field::DoubleValue(3.25),
        Field::DoubleValue(0.5),
        Field::BooleanValue(true),
        Field::StringValue("Grüße, 'quoted' \"double\" ✓".into()),
        Field::StringValue("short".into()),
        Field::StringValue("ab ".into()),
        Field::BlobValue(Blob::new(vec![0u8, 1, 2, 255])),
        Field::StringValue("2024-02-29".into()),
        Field::StringValue("13:45:30.5".into()),
        Field::StringValue("2024-02-29 13:45:30.123".into()),
        // Sessions run in UTC, as on Aurora.
        Field::StringValue("2024-02-29 13:45:30".into()),
        Field::StringValue(r#"{"a": [1, 2], "b": "c"}"#.into()),
        Field::StringValue(r#"{"k":1}"#.into()),
        Field::StringValue("6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f".into()),
        Field::ArrayValue(ArrayValue::LongValues(vec![Some(1), Some(2), None])),
        Field::ArrayValue(ArrayValue::StringValues(vec![Some("x".into()), Some("y's".into())])),
        Field::ArrayValue(ArrayValue::DoubleValues(vec![Some(1.5), Some(-2.25)])),
        Field::ArrayValue(ArrayValue::BooleanValues(vec![Some(true), Some(false)])),
        Field::ArrayValue(ArrayValue::ArrayValues(vec![
            Some(ArrayValue::LongValues(vec![Some(1), Some(2)])),
            Some(ArrayValue::LongValues(vec![Some(3), Some(4)])),
        ])),
        Field::IsNull(true),
    ];
    assert_eq!(row.len(), expected.len());
    for (i, (got, want)) in row.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "column {i}");
    }
}

#[tokio::test]
async fn strings_without_a_hint_are_varchar_as_in_the_service() {
    let s = setup().await;
    s.sql("CREATE TABLE dated (d date)").await;
    let err = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("INSERT INTO dated VALUES (:d)")
        .parameters(param("d", Field::StringValue("2024-01-01".into())))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_database_error_exception(), "{err:?}");
    assert!(err.message().unwrap_or_default().contains("character varying"), "{err:?}");
}

#[tokio::test]
async fn result_set_options_return_decimals_as_numbers_and_longs_as_strings() {
    let s = setup().await;
    let out = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT 2.50::numeric, 7::numeric, 9000000000::bigint")
        .result_set_options(
            ResultSetOptions::builder()
                .decimal_return_type(DecimalReturnType::DoubleOrLong)
                .long_return_type(LongReturnType::String)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A whole numeric comes back as a long, then longs as strings.
    assert_eq!(
        out.records()[0],
        vec![Field::DoubleValue(2.5), Field::StringValue("7".into()), Field::StringValue("9000000000".into())]
    );
}

#[tokio::test]
async fn named_parameters_leave_casts_literals_and_comments_alone() {
    let s = setup().await;
    let out = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT :a::int + 1 AS sum, ':a not a parameter' AS text, $$:b$$ AS dollar /* :c */, :b AS b -- :d")
        .parameters(param("a", Field::StringValue("41".into())))
        .parameters(param("b", Field::LongValue(5)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.records()[0],
        vec![
            Field::LongValue(42),
            Field::StringValue(":a not a parameter".into()),
            Field::StringValue(":b".into()),
            Field::LongValue(5),
        ]
    );
}

#[tokio::test]
async fn json_records_and_column_metadata_describe_the_result() {
    let s = setup().await;
    s.sql(
        "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, score numeric(5,1), born date, tags text[])",
    )
    .await;
    s.sql("INSERT INTO people (name, score, born, tags) VALUES ('Ada', 99.5, '1815-12-10', '{math,poetry}'), ('Bob', NULL, NULL, '{}')")
        .await;
    let out = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT id, name, score, born, tags FROM people ORDER BY id")
        .format_records_as(RecordsFormatType::Json)
        .include_result_metadata(true)
        .send()
        .await
        .unwrap();
    assert!(out.records().is_empty(), "JSON results come in formattedRecords only");
    let records: serde_json::Value = serde_json::from_str(out.formatted_records().unwrap()).unwrap();
    assert_eq!(
        records,
        serde_json::json!([
            {"id": 1, "name": "Ada", "score": "99.5", "born": "1815-12-10", "tags": ["math", "poetry"]},
            {"id": 2, "name": "Bob", "score": null, "born": null, "tags": []}
        ])
    );
    let meta = out.column_metadata();
    assert_eq!(meta.len(), 5);
    assert_eq!(meta[0].name(), Some("id"));
    assert_eq!(meta[0].type_name(), Some("serial"));
    assert_eq!(meta[0].r#type(), 4);
    assert!(meta[0].is_auto_increment());
    assert_eq!(meta[0].nullable(), 0);
    assert_eq!(meta[0].table_name(), Some("people"));
    assert_eq!(meta[1].type_name(), Some("text"));
    assert_eq!(meta[1].r#type(), 12);
    assert!(meta[1].is_case_sensitive());
    assert_eq!(meta[2].type_name(), Some("numeric"));
    assert_eq!((meta[2].precision(), meta[2].scale()), (5, 1));
    assert_eq!(meta[2].nullable(), 1);
    assert_eq!(meta[3].r#type(), 91);
    assert_eq!(meta[4].r#type(), 2003);
    assert_eq!(meta[4].array_base_column_type(), 12);
}

#[tokio::test]
async fn batch_execute_runs_once_per_parameter_set_and_all_or_nothing() {
    let s = setup().await;
    s.sql("CREATE TABLE items (id bigint PRIMARY KEY, label text)").await;
    let sets: Vec<Vec<SqlParameter>> = (1..=3)
        .map(|i| vec![param("id", Field::LongValue(i)), param("label", Field::StringValue(format!("item {i}")))])
        .collect();
    let out = s
        .client
        .batch_execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("INSERT INTO items VALUES (:id, :label)")
        .set_parameter_sets(Some(sets))
        .send()
        .await
        .unwrap();
    assert_eq!(out.update_results().len(), 3);
    assert_eq!(s.count("items").await, 3);

    // The third set collides with a row: nothing of the batch stays.
    let sets: Vec<Vec<SqlParameter>> = [10, 11, 1]
        .iter()
        .map(|i| vec![param("id", Field::LongValue(*i)), param("label", Field::IsNull(true))])
        .collect();
    let err = s
        .client
        .batch_execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("INSERT INTO items VALUES (:id, :label)")
        .set_parameter_sets(Some(sets))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_database_error_exception(), "{err:?}");
    assert!(err.message().unwrap_or_default().contains("23505"), "{err:?}");
    assert_eq!(s.count("items").await, 3);
}

#[tokio::test]
async fn a_committed_transaction_stays_and_a_rolled_back_one_does_not() {
    let s = setup().await;
    s.sql("CREATE TABLE ledger (entry text)").await;
    let begin =
        |s: &Setup| s.client.begin_transaction().resource_arn(CLUSTER).secret_arn(SECRET).database(s.db.name()).send();
    let insert = |s: &Setup, tx: String, entry: &'static str| {
        s.client
            .execute_statement()
            .resource_arn(CLUSTER)
            .secret_arn(SECRET)
            .database(s.db.name())
            .transaction_id(tx)
            .sql("INSERT INTO ledger VALUES (:entry)")
            .parameters(param("entry", Field::StringValue(entry.into())))
            .send()
    };

    let tx = begin(&s).await.unwrap().transaction_id().unwrap().to_string();
    assert_eq!(insert(&s, tx.clone(), "kept").await.unwrap().number_of_records_updated(), 1);
    assert_eq!(s.count("ledger").await, 0, "uncommitted rows are not visible outside the transaction");
    let committed = s
        .client
        .commit_transaction()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .transaction_id(&tx)
        .send()
        .await
        .unwrap();
    assert_eq!(committed.transaction_status(), Some("Transaction Committed"));
    assert_eq!(s.count("ledger").await, 1);

    let tx = begin(&s).await.unwrap().transaction_id().unwrap().to_string();
    insert(&s, tx.clone(), "dropped").await.unwrap();
    let rolled = s
        .client
        .rollback_transaction()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .transaction_id(&tx)
        .send()
        .await
        .unwrap();
    assert_eq!(rolled.transaction_status(), Some("Rollback Complete"));
    assert_eq!(s.count("ledger").await, 1);
    assert_eq!(s.server.api().open_transactions(), 0);

    // The transaction is gone: using or ending it again is an error.
    let err = insert(&s, tx.clone(), "late").await.unwrap_err().into_service_error();
    assert!(err.is_bad_request_exception(), "{err:?}");
    assert!(err.message().unwrap_or_default().contains("is not found"), "{err:?}");
    let err = s
        .client
        .commit_transaction()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .transaction_id(&tx)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");
}

#[tokio::test]
async fn an_abandoned_transaction_is_rolled_back_after_the_timeout() {
    let s = setup_with(|api| api.with_transaction_timeout(Duration::from_millis(200))).await;
    s.sql("CREATE TABLE notes (body text)").await;
    let tx = s
        .client
        .begin_transaction()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .send()
        .await
        .unwrap()
        .transaction_id()
        .unwrap()
        .to_string();
    s.client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .transaction_id(&tx)
        .sql("INSERT INTO notes VALUES ('abandoned')")
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.server.api().open_transactions(), 0);
    let err = s
        .client
        .commit_transaction()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .transaction_id(&tx)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");
    assert_eq!(s.count("notes").await, 0);
}

#[tokio::test]
async fn sql_errors_come_back_as_database_errors_with_postgres_message() {
    let s = setup().await;
    let err = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT * FROM no_such_table")
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(400));
    let err = err.into_service_error();
    assert!(err.is_database_error_exception(), "{err:?}");
    assert_eq!(err.code(), Some("DatabaseErrorException"));
    let message = err.message().unwrap_or_default();
    assert!(message.contains("relation \"no_such_table\" does not exist"), "{message}");
    assert!(message.contains("42P01"), "{message}");

    let err = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT :missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_bad_request_exception(), "{err:?}");

    let err = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database("no_such_database_here")
        .sql("SELECT 1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_bad_request_exception(), "{err:?}");
    assert!(err.message().unwrap_or_default().contains("does not exist"), "{err:?}");
}

#[tokio::test]
async fn a_statement_over_the_time_limit_is_cancelled_with_a_timeout_error() {
    let s = setup_with(|api| api.with_statement_timeout(Duration::from_millis(300))).await;
    let err = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .sql("SELECT pg_sleep(5)")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_statement_timeout_exception(), "{err:?}");
    // The server still answers afterwards; a function returning void gives a NULL.
    assert_eq!(s.sql("SELECT 1").await.records()[0][0], Field::LongValue(1));
    assert_eq!(s.sql("SELECT pg_sleep(0)").await.records()[0][0], Field::IsNull(true));
}

#[tokio::test]
async fn the_schema_of_a_request_is_its_search_path() {
    let s = setup().await;
    s.sql("CREATE SCHEMA reporting").await;
    s.sql("CREATE TABLE reporting.totals (amount int)").await;
    s.sql("INSERT INTO reporting.totals VALUES (5)").await;
    let out = s
        .client
        .execute_statement()
        .resource_arn(CLUSTER)
        .secret_arn(SECRET)
        .database(s.db.name())
        .schema("reporting")
        .sql("SELECT amount FROM totals")
        .send()
        .await
        .unwrap();
    assert_eq!(out.records()[0][0], Field::LongValue(5));
    let updated = s.sql("UPDATE reporting.totals SET amount = amount + 1").await;
    assert_eq!(updated.number_of_records_updated(), 1);
}

#[tokio::test]
async fn the_resuming_hook_answers_database_resuming_then_serves_again() {
    let s = setup().await;
    s.server.api().answer_resuming(2);
    for _ in 0..2 {
        let err = s
            .client
            .execute_statement()
            .resource_arn(CLUSTER)
            .secret_arn(SECRET)
            .database(s.db.name())
            .sql("SELECT 1")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_database_resuming_exception(), "{err:?}");
    }
    assert_eq!(s.sql("SELECT 1").await.records()[0][0], Field::LongValue(1));
}

#[tokio::test]
async fn requests_without_the_cluster_and_secret_are_refused() {
    let s = setup().await;
    let response = raw_post(s.server.addr(), "/Execute", r#"{"sql": "SELECT 1"}"#).await;
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.to_ascii_lowercase().contains("x-amzn-errortype: badrequestexception"), "{response}");
    assert!(response.contains("resourceArn is required"), "{response}");
}

/// Sends a bare HTTP/1.1 POST, without the SDK (which would refuse to send such a request).
async fn raw_post(addr: std::net::SocketAddr, path: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}
