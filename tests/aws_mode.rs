//! The AWS mode end to end, on local servers: the workflow definition runs on the local
//! engine (standing in for Step Functions, which cannot invoke Lambdas here) with every
//! task over its AWS adapter: S3 objects, DynamoDB job records, EventBridge events and the
//! SQS dead-letter queue in moto, results in PostgreSQL through docex's RDS Data API
//! endpoint. Checked: the job record, the rows, the report object, the events, the
//! dead-letter queue on failure, and that a replay or a re-drive leaves exactly one set of
//! rows and one report.

use std::sync::Arc;

use docex_asl::{ExecutionStatus, TokioClock};
use docex_core::job::keys;
use docex_core::{BlobStore, JobStatus, JobStore};
use docex_e2e::aws_stack::AwsStack;
use docex_e2e::workspace;
use docex_local::sqlite::SqliteStore;
use docex_local::workflow::{Faults, WorkflowRunner};
use docex_tasks::JobInput;
use serde_json::json;

const INVOICE: &str = "tests/fixtures/documents/invoice2data__AmazonWebServices.pdf";

fn runner(stack: &AwsStack, faults: &str, dir: &tempfile::TempDir) -> WorkflowRunner {
    let executions = Arc::new(SqliteStore::open(&dir.path().join("executions.sqlite")).expect("execution store"));
    let faults = Faults::parse(faults).expect("faults");
    WorkflowRunner::new(stack.ports(), executions, faults, Arc::new(TokioClock)).expect("the workflow")
}

fn input(job_id: &str) -> JobInput {
    JobInput { job_id: job_id.to_string(), spec: "invoice".into(), template: "invoice".into() }
}

async fn postgres(stack: &AwsStack) -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(stack.postgres.url(), tokio_postgres::NoTls).await.expect("PostgreSQL");
    tokio::spawn(connection);
    client
}

/// Rows of the job in the base table, the spec's typed table and its line-item table.
async fn row_counts(stack: &AwsStack, job_id: &str) -> (i64, i64, i64) {
    let db = postgres(stack).await;
    let mut counts = Vec::new();
    for table in ["docex_results", "result_invoice", "result_invoice__line_items"] {
        let exists = db.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table]).await.expect("catalogue");
        if !exists.get::<_, bool>(0) {
            counts.push(0);
            continue;
        }
        let row = db
            .query_one(&format!("SELECT count(*) FROM {table} WHERE job_id = $1"), &[&job_id])
            .await
            .unwrap_or_else(|e| panic!("counting {table}: {e}"));
        counts.push(row.get::<_, i64>(0));
    }
    (counts[0], counts[1], counts[2])
}

/// The objects under the job's output prefix.
async fn output_objects(stack: &AwsStack, job_id: &str) -> Vec<String> {
    let s3 = aws_sdk_s3::Client::new(&stack.sdk);
    let listed = s3
        .list_objects_v2()
        .bucket(&stack.buckets.output)
        .prefix(format!("output/{job_id}/"))
        .send()
        .await
        .expect("list");
    let mut keys: Vec<String> = listed.contents().iter().filter_map(|o| o.key().map(String::from)).collect();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invoice_runs_through_every_aws_adapter_and_a_replay_changes_nothing() {
    let stack = AwsStack::create().await;
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(&stack, "", &dir);
    let pdf = std::fs::read(workspace().join(INVOICE)).unwrap();
    let job = stack.submit(&pdf, "user-a").await;

    let execution = runner.start(&input(&job.job_id)).await.expect("started");
    assert_eq!(execution.status, ExecutionStatus::Succeeded, "{:?} {:?}", execution.error, execution.cause);

    // The job record in DynamoDB.
    let record = stack.jobs().get(&job.job_id).await.unwrap().expect("the job record");
    assert!(matches!(record.status, JobStatus::Succeeded | JobStatus::NeedsReview), "{:?}", record.status);
    assert!(record.confidence.is_some_and(|c| c > 0.0));

    // The rows in PostgreSQL: one result, its typed row, and its line items.
    let (results, typed, _) = row_counts(&stack, &job.job_id).await;
    assert_eq!((results, typed), (1, 1));
    let db = postgres(&stack).await;
    let row = db
        .query_one(
            "SELECT invoice_number, status FROM result_invoice JOIN docex_results USING (job_id) WHERE job_id = $1",
            &[&job.job_id],
        )
        .await
        .expect("the typed row");
    let result: serde_json::Value =
        serde_json::from_slice(&stack.blobs().get(&keys::result(&job.job_id)).await.unwrap().unwrap()).unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), result["data"]["invoice_number"].as_str());
    assert_eq!(row.get::<_, String>(1), record.status.as_str());

    // The report in the output bucket.
    let report = stack.blobs().get(&keys::report(&job.job_id)).await.unwrap().expect("the report");
    assert!(report.starts_with(b"%PDF-"));

    // The events on the bus, in order: running, then the final status with the confidence.
    let events = stack.delivered_events().await;
    let statuses: Vec<JobStatus> = events.iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![JobStatus::Running, record.status]);
    assert!(events.iter().all(|e| e.owner == "user-a" && e.job_id == job.job_id));
    assert!(stack.waiting_dead_letters().await.is_empty());

    // A second start of the same job is refused (execution name = job id), and replaying
    // the store and render tasks, as a retry would, leaves one set of rows and one report.
    assert!(runner.start(&input(&job.job_id)).await.is_err());
    let before = (row_counts(&stack, &job.job_id).await, output_objects(&stack, &job.job_id).await);
    let ports = stack.ports();
    let task_input = json!({"job_id": job.job_id, "spec": "invoice", "template": "invoice"});
    ports.run("store_result", task_input.clone()).await.expect("store again");
    ports.run("render_report", task_input).await.expect("render again");
    let after = (row_counts(&stack, &job.job_id).await, output_objects(&stack, &job.job_id).await);
    assert_eq!(before, after);
    assert_eq!(after.1, vec![keys::report(&job.job_id), keys::result(&job.job_id)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_reaches_the_dead_letter_queue_and_a_redrive_finishes_it_once() {
    let stack = AwsStack::create().await;
    let dir = tempfile::tempdir().unwrap();
    // The first StoreResult fails with an error the state machine does not retry.
    let runner = runner(&stack, "StoreResult=Docex.SpecInvalid:1", &dir);
    let pdf = std::fs::read(workspace().join(INVOICE)).unwrap();
    let job = stack.submit(&pdf, "user-b").await;

    let failed = runner.start(&input(&job.job_id)).await.expect("started");
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("Docex.SpecInvalid"));
    let record = stack.jobs().get(&job.job_id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.error.as_ref().map(|e| e.name.as_str()), Some("Docex.SpecInvalid"));
    let letters = stack.waiting_dead_letters().await;
    assert_eq!(letters.len(), 1);
    assert_eq!((letters[0].job_id.as_str(), letters[0].error.as_str()), (job.job_id.as_str(), "Docex.SpecInvalid"));
    assert_eq!(row_counts(&stack, &job.job_id).await.0, 0, "nothing was stored");
    assert_eq!(stack.delivered_events().await.last().map(|e| e.status), Some(JobStatus::Failed));

    // The operator re-drives: the job resumes at StoreResult and finishes, once.
    let redriven = runner.redrive(&job.job_id).await.expect("re-driven");
    assert_eq!(redriven.status, ExecutionStatus::Succeeded, "{:?} {:?}", redriven.error, redriven.cause);
    let entered = |name: &str| {
        redriven
            .history
            .iter()
            .filter(|e| e.state_entered_event_details.as_ref().is_some_and(|d| d.name == name))
            .count()
    };
    assert_eq!((entered("PrepareDocument"), entered("MergeAndValidate")), (1, 1), "finished steps are not redone");
    assert_eq!((entered("StoreResult"), entered("JobFailed"), entered("ResumeJob")), (2, 2, 1));
    let record = stack.jobs().get(&job.job_id).await.unwrap().unwrap();
    assert!(matches!(record.status, JobStatus::Succeeded | JobStatus::NeedsReview));
    assert_eq!(row_counts(&stack, &job.job_id).await.0, 1);
    assert_eq!(output_objects(&stack, &job.job_id).await, vec![keys::report(&job.job_id), keys::result(&job.job_id)]);
    let statuses: Vec<JobStatus> = stack.delivered_events().await.iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![JobStatus::Running, record.status], "the re-drive announced running, then the end");
}
