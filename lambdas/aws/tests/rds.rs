//! The RDS result store through the real `aws-sdk-rdsdata` client against docex's own Data
//! API server over a scratch PostgreSQL database: typed tables and child rows derived from
//! the invoice spec, read back directly with SQL; writing a job twice; hostile strings and
//! field names; values that do not parse; a spec gaining a field; migrations raced by two
//! stores; and an Aurora database resuming from a pause.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_rdsdata::config::{Credentials, SharedCredentialsProvider};
use docex_aws::rds::{Database, MIGRATIONS, RdsResultStore};
use docex_core::builtin::builtin_spec;
use docex_core::{ErrorName, JobResult, ResultStore, Spec};
use docex_dataapi::RunningServer;
use docex_testkit::postgres::ScratchDatabase;
use serde_json::{Value, json};

struct Setup {
    db: ScratchDatabase,
    server: RunningServer,
    sdk: SdkConfig,
}

async fn setup() -> Setup {
    let db = ScratchDatabase::create().await.expect("PostgreSQL must be running for these tests");
    let server = docex_dataapi::bind("127.0.0.1:0", &db.server_url()).await.expect("start the Data API server");
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "t",
        )))
        .endpoint_url(server.url())
        .build();
    Setup { db, server, sdk }
}

impl Setup {
    fn store(&self) -> RdsResultStore {
        let database = Database {
            cluster_arn: "arn:aws:rds:us-east-1:123456789012:cluster:docex".into(),
            secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:docex".into(),
            name: self.db.name().to_string(),
        };
        RdsResultStore::new(aws_sdk_rdsdata::Client::new(&self.sdk), database)
            .with_resume_retry(4, Duration::from_millis(10))
    }

    /// Rows of a query run directly on PostgreSQL, every value as text.
    async fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let client = self.db.connect().await.unwrap();
        let rows = client.query(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter().map(|row| (0..row.len()).map(|i| row.get::<_, Option<String>>(i)).collect()).collect()
    }

    async fn one(&self, sql: &str) -> Option<String> {
        let rows = self.rows(sql).await;
        assert_eq!(rows.len(), 1, "{sql} gave {rows:?}");
        rows[0][0].clone()
    }
}

fn invoice_spec() -> Spec {
    Spec::from_json("invoice", builtin_spec("invoice").expect("the invoice spec ships")).unwrap()
}

fn result(job_id: &str, spec: &str, data: Value) -> JobResult {
    serde_json::from_value(json!({
        "job_id": job_id,
        "document": "invoice.pdf",
        "spec": spec,
        "status": "SUCCEEDED",
        "data": data,
        "fields": {"/total_amount": {"confidence": 0.9, "page": 1, "text": "1,190.00"}},
        "confidence": 0.87,
        "review_reasons": [],
        "report": null,
        "error": null,
        "extractor": "offline"
    }))
    .unwrap()
}

fn invoice(lines: usize) -> Value {
    let items: Vec<Value> = (0..lines)
        .map(|i| json!({"description": format!("Item {i}"), "quantity": i + 1, "unit_price": 10.5, "amount": 10.5 * (i + 1) as f64}))
        .collect();
    json!({
        "invoice_number": "INV-2024-001",
        "issue_date": "2024-02-29",
        "due_date": "2024-03-30",
        "vendor_name": "ACME GmbH",
        "currency": "EUR",
        "net_amount": 1000.0,
        "tax_amount": 190.0,
        "total_amount": 1190.0,
        "line_items": items
    })
}

#[tokio::test]
async fn an_invoice_lands_in_typed_tables_and_reads_back_whole() {
    let s = setup().await;
    let store = s.store();
    let stored = result("job-1", "invoice", invoice(2));
    store.upsert(&invoice_spec(), &stored).await.unwrap();

    assert_eq!(store.get("job-1").await.unwrap(), Some(stored.clone()));
    assert_eq!(store.get("no-such-job").await.unwrap(), None);

    let base = s
        .rows("SELECT spec, status, confidence::text, document, extractor, result->>'job_id' FROM docex_results")
        .await;
    assert_eq!(
        base,
        vec![["invoice", "SUCCEEDED", "0.87", "invoice.pdf", "offline", "job-1"].map(|v| Some(v.to_string())).to_vec()]
    );

    let types: Vec<Vec<Option<String>>> = s
        .rows(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_name = 'result_invoice' AND column_name IN
               ('job_id', 'invoice_number', 'issue_date', 'total_amount', 'vendor_name', '_unparsed')
             ORDER BY column_name",
        )
        .await;
    let types: Vec<(String, String)> =
        types.into_iter().map(|r| (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default())).collect();
    assert_eq!(
        types,
        [
            ("_unparsed", "jsonb"),
            ("invoice_number", "text"),
            ("issue_date", "date"),
            ("job_id", "text"),
            ("total_amount", "numeric"),
            ("vendor_name", "text"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec()
    );
    let row = s
        .rows(
            "SELECT invoice_number, issue_date::text, due_date::text, total_amount::text, tax_amount::text,
                    currency, buyer_name, _unparsed::text
             FROM result_invoice WHERE job_id = 'job-1'",
        )
        .await;
    assert_eq!(
        row[0],
        vec![
            Some("INV-2024-001".into()),
            Some("2024-02-29".into()),
            Some("2024-03-30".into()),
            Some("1190.0".into()),
            Some("190.0".into()),
            Some("EUR".into()),
            None,
            None
        ]
    );
    let lines = s
        .rows(
            "SELECT position::text, description, quantity::text, amount::text
             FROM result_invoice__line_items WHERE job_id = 'job-1' ORDER BY position",
        )
        .await;
    assert_eq!(
        lines,
        vec![
            vec![Some("0".into()), Some("Item 0".into()), Some("1".into()), Some("10.5".into())],
            vec![Some("1".into()), Some("Item 1".into()), Some("2".into()), Some("21.0".into())],
        ]
    );
    assert_eq!(s.one("SELECT count(*)::text FROM docex_schema_migrations").await, Some(MIGRATIONS.len().to_string()));
}

#[tokio::test]
async fn writing_a_job_again_leaves_exactly_one_set_of_rows() {
    let s = setup().await;
    let store = s.store();
    let spec = invoice_spec();
    store.upsert(&spec, &result("job-2", "invoice", invoice(3))).await.unwrap();
    // A re-drive: the same job, written again by a fresh process, now with two lines.
    let mut again = result("job-2", "invoice", invoice(2));
    again.data["vendor_name"] = json!("ACME AG");
    s.store().upsert(&spec, &again).await.unwrap();
    store.upsert(&spec, &again).await.unwrap();

    assert_eq!(s.one("SELECT count(*)::text FROM docex_results").await, Some("1".into()));
    assert_eq!(s.one("SELECT count(*)::text FROM result_invoice").await, Some("1".into()));
    assert_eq!(s.one("SELECT vendor_name FROM result_invoice").await, Some("ACME AG".into()));
    assert_eq!(s.one("SELECT count(*)::text FROM result_invoice__line_items").await, Some("2".into()));
    assert_eq!(store.get("job-2").await.unwrap(), Some(again));
}

#[tokio::test]
async fn hostile_strings_and_field_names_are_stored_verbatim_as_data() {
    let s = setup().await;
    let store = s.store();
    let hostile = "O'Brien \"Ltd\"'); DROP TABLE docex_results; -- Zürich ✓ 東京 \\ $$ :name";
    let mut data = invoice(1);
    data["vendor_name"] = json!(hostile);
    data["line_items"][0]["description"] = json!(hostile);
    store.upsert(&invoice_spec(), &result("job-'; DROP TABLE x; --", "invoice", data)).await.unwrap();
    assert_eq!(s.one("SELECT vendor_name FROM result_invoice").await, Some(hostile.into()));
    assert_eq!(s.one("SELECT description FROM result_invoice__line_items").await, Some(hostile.into()));
    assert_eq!(s.one("SELECT job_id FROM docex_results").await, Some("job-'; DROP TABLE x; --".into()));
    assert_eq!(
        store.get("job-'; DROP TABLE x; --").await.unwrap().map(|r| r.data["vendor_name"].clone()),
        Some(json!(hostile))
    );

    // A spec whose names are themselves hostile gets plain identifiers.
    let spec = Spec::from_value(
        "evil\"; DROP TABLE docex_results; --",
        json!({"type": "object", "properties": {
            "a\"b; DROP TABLE docex_results; --": {"type": "string"},
            "job_id": {"type": "integer"}
        }}),
    )
    .unwrap();
    let data = json!({"a\"b; DROP TABLE docex_results; --": "x'y", "job_id": 7});
    store.upsert(&spec, &result("job-evil", &spec.name, data)).await.unwrap();
    let tables = s
        .rows("SELECT table_name::text FROM information_schema.tables WHERE table_name LIKE 'result_evil%' ORDER BY 1")
        .await;
    assert_eq!(tables.len(), 1, "{tables:?}");
    let table = tables[0][0].clone().unwrap_or_default();
    assert!(table.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{table}");
    let columns = s
        .rows(&format!(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' ORDER BY 1"
        ))
        .await;
    assert_eq!(columns.len(), 4, "job_id, _unparsed and one column per field: {columns:?}");
    assert_eq!(s.one("SELECT count(*)::text FROM docex_results").await, Some("2".into()));
    assert_eq!(s.one(&format!("SELECT count(*)::text FROM {table} WHERE job_id = 'job-evil'")).await, Some("1".into()));
}

#[tokio::test]
async fn values_that_do_not_parse_stay_null_and_are_kept_as_given() {
    let s = setup().await;
    let store = s.store();
    let mut data = invoice(1);
    data["issue_date"] = json!("31/12/2020");
    data["total_amount"] = json!("1.190,00 €");
    data["line_items"][0]["quantity"] = json!("two");
    store.upsert(&invoice_spec(), &result("job-3", "invoice", data)).await.unwrap();
    let row = s.rows("SELECT issue_date::text, total_amount::text, _unparsed::text FROM result_invoice").await;
    assert_eq!(row[0][0], None);
    assert_eq!(row[0][1], None);
    let unparsed: Value = serde_json::from_str(row[0][2].as_deref().unwrap_or("null")).unwrap();
    assert_eq!(unparsed, json!({"issue_date": "31/12/2020", "total_amount": "1.190,00 €"}));
    assert_eq!(s.one("SELECT _unparsed->>'quantity' FROM result_invoice__line_items").await, Some("two".to_string()));
}

#[tokio::test]
async fn a_spec_that_gains_a_field_gains_a_column() {
    let s = setup().await;
    let v1 =
        Spec::from_value("order", json!({"type": "object", "properties": {"reference": {"type": "string"}}})).unwrap();
    s.store().upsert(&v1, &result("job-a", "order", json!({"reference": "A-1"}))).await.unwrap();
    let v2 = Spec::from_value(
        "order",
        json!({"type": "object", "properties": {
            "reference": {"type": "string"},
            "paid": {"type": "boolean"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
        }}),
    )
    .unwrap();
    // A new process (an updated Lambda) with the new spec.
    let data = json!({"reference": "B-2", "paid": true, "lines": [{"sku": "X"}, {"sku": "Y"}]});
    s.store().upsert(&v2, &result("job-b", "order", data)).await.unwrap();
    let rows = s.rows("SELECT job_id, reference, paid::text FROM result_order ORDER BY job_id").await;
    assert_eq!(
        rows,
        vec![
            vec![Some("job-a".into()), Some("A-1".into()), None],
            vec![Some("job-b".into()), Some("B-2".into()), Some("true".into())],
        ]
    );
    assert_eq!(
        s.one("SELECT string_agg(sku, ',' ORDER BY position) FROM result_order__lines").await,
        Some("X,Y".into())
    );
}

#[tokio::test]
async fn migrations_raced_by_two_stores_apply_once() {
    let s = setup().await;
    let (a, b) = (s.store(), s.store());
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    ra.unwrap();
    rb.unwrap();
    a.migrate().await.unwrap();
    assert_eq!(s.one("SELECT count(*)::text FROM docex_schema_migrations").await, Some(MIGRATIONS.len().to_string()));
    assert_eq!(s.one("SELECT to_regclass('docex_results')::text").await, Some("docex_results".into()));
}

#[tokio::test]
async fn a_resuming_database_is_retried_and_then_reported_as_transient() {
    let s = setup().await;
    let store = s.store();
    s.server.api().answer_resuming(2);
    store.upsert(&invoice_spec(), &result("job-r", "invoice", invoice(1))).await.unwrap();
    assert_eq!(s.one("SELECT count(*)::text FROM result_invoice").await, Some("1".into()));

    // Still resuming after every attempt: the workflow's Retry takes over.
    s.server.api().answer_resuming(100);
    let err = store.get("job-r").await.unwrap_err();
    assert_eq!(err.name(), "Docex.Transient", "{err}");
    assert!(err.to_string().contains("DatabaseResumingException"), "{err}");
    s.server.api().answer_resuming(0);
    assert!(store.get("job-r").await.unwrap().is_some());
}

#[tokio::test]
async fn the_store_reads_its_database_from_the_environment() {
    let s = setup().await;
    // SAFETY: no other test in this binary reads or writes these variables.
    unsafe {
        std::env::set_var("DOCEX_DB_CLUSTER_ARN", "arn:aws:rds:us-east-1:123456789012:cluster:docex");
        std::env::set_var("DOCEX_DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:docex");
        std::env::set_var("DOCEX_DB_NAME", s.db.name());
    }
    let store = RdsResultStore::from_env(&s.sdk).unwrap();
    store.upsert(&invoice_spec(), &result("job-env", "invoice", invoice(0))).await.unwrap();
    assert_eq!(s.one("SELECT job_id FROM docex_results").await, Some("job-env".into()));
    unsafe { std::env::remove_var("DOCEX_DB_NAME") };
    let err = RdsResultStore::from_env(&s.sdk).err().expect("a missing setting is an error");
    assert!(err.to_string().contains("DOCEX_DB_NAME"), "{err}");
}
