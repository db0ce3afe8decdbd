//! Every Lambda as Lambda runs it: the real `bootstrap` binary, started with the
//! environment Lambda sets and pointed at a local Lambda Runtime API, gets real events (task
//! inputs from Step Functions, an SQS batch of S3 upload events, EventBridge events,
//! authorizer requests) and its replies and error shapes are checked. Behind the functions
//! are the local servers of the AWS mode (moto, PostgreSQL through the Data API endpoint).
//!
//! The binaries are the workspace's debug builds: `.ci/run` builds them (`cargo build
//! --workspace --bins`) before the tests.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use docex_aws::sfn::Workflows;
use docex_aws::websocket::Connections;
use docex_core::job::keys;
use docex_core::{BlobStore, JobStatus, JobStore};
use docex_e2e::aws_stack::AwsStack;
use docex_e2e::workspace;
use docex_testkit::moto::{self, unique_name};
use docex_testkit::runtime_api::{Function, Reply};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);
const INVOICE: &str = "tests/fixtures/documents/invoice2data__AmazonWebServices.pdf";

/// The debug build of a Lambda's binary; refuses a missing or stale one.
fn bootstrap(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("the target directory");
    let path = dir.join(name);
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or_else(|_| {
        panic!("the Lambda binary {name} is not built: run `cargo build --workspace --bins` first (.ci/run does)")
    });
    // The function's own crate and the libraries every function is built on.
    let newest = [name, "aws", "tasks", "core"]
        .iter()
        .map(|dir| newest_source(&workspace().join("lambdas").join(dir)))
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    assert!(
        built >= newest,
        "the Lambda binary {name} is older than the sources: run `cargo build --workspace --bins` first (.ci/run does)"
    );
    path
}

fn newest_source(dir: &std::path::Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let modified = if path.is_dir() {
            newest_source(&path)
        } else if path.extension().is_some_and(|e| e == "rs") || path.ends_with("Cargo.toml") {
            entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)
        } else {
            SystemTime::UNIX_EPOCH
        };
        newest = newest.max(modified);
    }
    newest
}

async fn start(stack: &AwsStack, name: &str) -> Function {
    Function::start(&bootstrap(name), name, &stack.lambda_env()).await.expect("the function starts")
}

/// Invokes a function once and returns its successful response.
async fn respond(function: &mut Function, event: Value) -> Value {
    match function.invoke(event, TIMEOUT).await.expect("an answer") {
        Reply::Response(value) => value,
        Reply::Error { error_type, error_message } => panic!("{error_type}: {error_message}"),
    }
}

async fn fails_with(function: &mut Function, event: Value) -> (String, String) {
    match function.invoke(event, TIMEOUT).await.expect("an answer") {
        Reply::Error { error_type, error_message } => (error_type, error_message),
        Reply::Response(value) => panic!("expected an error, got {value}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_task_functions_take_a_document_from_upload_to_report() {
    let stack = AwsStack::create().await;
    let job = stack.submit(&std::fs::read(workspace().join(INVOICE)).unwrap(), "user-a").await;
    let job_input = json!({"job_id": job.job_id, "spec": "invoice", "template": "invoice"});

    let prepared = respond(&mut start(&stack, "prepare-document").await, job_input.clone()).await;
    assert_eq!(prepared["pages"], 1);
    let chunks = prepared["chunks"].as_array().expect("chunks").clone();
    assert_eq!(chunks.len(), 1);

    let extracted = respond(&mut start(&stack, "extract-chunk").await, chunks[0].clone()).await;
    assert_eq!(extracted["chunk_key"], keys::chunk(&job.job_id, 0));
    assert!(extracted["fields"].as_u64().is_some_and(|n| n >= 5), "{extracted}");

    let merge_input = json!({"job_id": job.job_id, "spec": "invoice", "chunk_count": 1});
    let merged = respond(&mut start(&stack, "merge-and-validate").await, merge_input).await;
    assert_eq!(merged["result_key"], keys::result(&job.job_id));

    let stored = respond(&mut start(&stack, "store-result").await, job_input.clone()).await;
    assert_eq!(stored["result_key"], keys::result(&job.job_id));

    let rendered = respond(&mut start(&stack, "render-report").await, job_input.clone()).await;
    assert_eq!(rendered["report_key"], keys::report(&job.job_id));
    let report = stack.blobs().get(&keys::report(&job.job_id)).await.unwrap().expect("the report object");
    assert!(report.starts_with(b"%PDF-") && report.len() as u64 == rendered["bytes"].as_u64().unwrap());

    let status = respond(&mut start(&stack, "complete-job").await, job_input).await;
    assert_eq!(status, merged["status"]);
    let record = stack.jobs().get(&job.job_id).await.unwrap().unwrap();
    assert_eq!(Value::String(record.status.as_str().into()), status);
}

#[tokio::test(flavor = "multi_thread")]
async fn task_errors_reach_lambda_under_their_docex_names() {
    let stack = AwsStack::create().await;
    let job = stack.submit(b"\x89PNG\r\n\x1a\n not a pdf", "user-b").await;
    let mut prepare = start(&stack, "prepare-document").await;
    let (error_type, message) =
        fails_with(&mut prepare, json!({"job_id": job.job_id, "spec": "invoice", "template": "invoice"})).await;
    assert_eq!(error_type, "Docex.NotPdf");
    assert!(message.contains("PNG"), "{message}");
    // The same process goes on serving: a malformed event is a named error too.
    let (error_type, _) = fails_with(&mut prepare, json!({"job": "no such field"})).await;
    assert_eq!(error_type, "Docex.InvalidInput");
    assert!(prepare.init_error().is_none());

    let failure = json!({"job_id": job.job_id, "Error": "Docex.NotPdf", "Cause": r#"{"errorType":"Docex.NotPdf","errorMessage":"a PNG image"}"#, "attempt": 0});
    let recorded = respond(&mut start(&stack, "record-failure").await, failure).await;
    assert_eq!(recorded, json!({"attempt": 0}));
    let record = stack.jobs().get(&job.job_id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.error.map(|e| e.message), Some("a PNG image".to_string()));

    // JobFailed raises the caught error again in the attempt that failed, and lets a
    // re-driven attempt resume.
    let mut job_failed = start(&stack, "job-failed").await;
    let raised = json!({"job_id": job.job_id, "Error": "States.Timeout", "Cause": "the task timed out", "failed_in_attempt": 0, "attempt": 0});
    assert_eq!(
        fails_with(&mut job_failed, raised).await,
        ("States.Timeout".to_string(), "the task timed out".to_string())
    );
    let redriven =
        json!({"job_id": job.job_id, "Error": "States.Timeout", "Cause": "", "failed_in_attempt": 0, "attempt": 1});
    assert_eq!(respond(&mut job_failed, redriven).await, json!({"attempt": 1}));
    assert_eq!(stack.jobs().get(&job.job_id).await.unwrap().unwrap().status, JobStatus::Running);
}

/// An S3 "Object Created" event as EventBridge puts it on the intake queue.
fn upload_event(bucket: &str, key: &str) -> String {
    json!({
        "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Object Created", "source": "aws.s3",
        "account": moto::ACCOUNT_ID, "time": "2026-11-28T12:00:00Z", "region": moto::REGION,
        "resources": [format!("arn:aws:s3:::{bucket}")],
        "detail": {"version": "0", "bucket": {"name": bucket}, "object": {"key": key, "size": 1024}, "reason": "PutObject"}
    })
    .to_string()
}

fn sqs_record(id: &str, body: String) -> Value {
    json!({
        "messageId": id, "receiptHandle": format!("handle-{id}"), "body": body, "attributes": {},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": format!("arn:aws:sqs:{}:{}:intake", moto::REGION, moto::ACCOUNT_ID), "awsRegion": moto::REGION
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_starter_starts_each_upload_once_and_reports_the_messages_it_cannot_start() {
    let stack = AwsStack::create().await;
    let job = stack.submit(b"%PDF-1.4", "user-c").await;
    let key = keys::input(&job.job_id);
    let orphan = keys::input(&uuid::Uuid::new_v4().to_string());
    let batch = json!({"Records": [
        sqs_record("m-1", upload_event(&stack.buckets.input, &key)),
        sqs_record("m-2", upload_event(&stack.buckets.input, &key)),
        sqs_record("m-3", "not an event".to_string()),
        sqs_record("m-4", upload_event(&stack.buckets.input, &orphan)),
        sqs_record("m-5", upload_event(&stack.buckets.input, "input/elsewhere.txt")),
    ]});
    let response = respond(&mut start(&stack, "start-job").await, batch).await;
    let failed: Vec<&str> =
        response["batchItemFailures"].as_array().unwrap().iter().filter_map(|f| f["itemIdentifier"].as_str()).collect();
    assert_eq!(failed, ["m-3", "m-4"], "the duplicate and the unrelated key are done, the broken ones retried");
    let workflows = Workflows::new(aws_sdk_sfn::Client::new(&stack.sdk), &stack.state_machine_arn);
    let execution = workflows.describe(&job.job_id).await.unwrap().expect("the execution, named by the job id");
    assert_eq!(
        execution.input.expect("its input"),
        json!({"job_id": job.job_id, "spec": "invoice", "template": "invoice"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_function_pushes_job_events_to_their_owner_and_records_stopped_executions() {
    let stack = AwsStack::create().await;
    let job = stack.submit(b"%PDF-1.4", "user-d").await;
    let connections = Connections::new(
        aws_sdk_dynamodb::Client::new(&stack.sdk),
        &stack.connections_table,
        docex_aws::websocket::management_client(&stack.sdk, moto::moto().endpoint()),
    );
    connections.add(&unique_name("conn"), "user-d").await.unwrap();
    connections.add(&unique_name("conn"), "someone-else").await.unwrap();
    let mut status = start(&stack, "push-status").await;

    let docex_event = json!({
        "version": "0", "id": "e-1", "detail-type": "Job Status Changed", "source": "docex",
        "account": moto::ACCOUNT_ID, "time": "2026-11-28T12:00:00Z", "region": moto::REGION, "resources": [],
        "detail": {"job_id": job.job_id, "owner": "user-d", "status": "RUNNING", "error": null, "confidence": null, "at": "2026-11-28T12:00:00.000Z"}
    });
    let pushed = respond(&mut status, docex_event).await;
    assert_eq!(pushed, json!({"job_id": job.job_id, "delivered": 1}));

    let stopped = json!({
        "version": "0", "id": "e-2", "detail-type": "Step Functions Execution Status Change", "source": "aws.states",
        "account": moto::ACCOUNT_ID, "time": "2026-11-28T12:05:00Z", "region": moto::REGION, "resources": [],
        "detail": {"executionArn": "arn", "stateMachineArn": stack.state_machine_arn, "name": job.job_id,
                   "status": "ABORTED", "startDate": 1_790_000_000_000i64, "stopDate": 1_800_000_000_000i64, "error": null, "cause": null}
    });
    let pushed = respond(&mut status, stopped.clone()).await;
    assert_eq!(pushed["delivered"], 1);
    let record = stack.jobs().get(&job.job_id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.error.map(|e| e.name), Some("States.Aborted".to_string()));
    // A replayed event changes nothing.
    respond(&mut status, stopped).await;
    assert_eq!(stack.jobs().history(&job.job_id).await.unwrap().len(), 2, "queued, then failed once");

    // render-report's on-success record after a correction: the owner hears the job again
    // (its current status), so an open page fetches the new report.
    let rendered = json!({
        "version": "0", "id": "e-3", "detail-type": "Lambda Function Invocation Result - Success", "source": "lambda",
        "account": moto::ACCOUNT_ID, "time": "2026-11-28T12:10:00Z", "region": moto::REGION,
        "resources": ["arn:aws:events:eu-west-1:123456789012:event-bus/docex", "arn:aws:lambda:eu-west-1:123456789012:function:docex-render-report:live"],
        "detail": {"version": "1.0", "timestamp": "2026-11-28T12:10:00.000Z",
                   "requestContext": {"requestId": "r-1", "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:docex-render-report:live",
                                      "condition": "Success", "approximateInvokeCount": 1},
                   "requestPayload": {"job_id": job.job_id, "spec": "invoice", "template": "invoice"},
                   "responseContext": {"statusCode": 200, "executedVersion": "7"},
                   "responsePayload": {"job_id": job.job_id}}
    });
    let pushed = respond(&mut status, rendered).await;
    assert_eq!(pushed, json!({"job_id": job.job_id, "delivered": 1}));
    assert_eq!(stack.jobs().history(&job.job_id).await.unwrap().len(), 2, "nothing recorded");
}

/// What a model would submit for the Amazon Web Services invoice; `issue_date` as printed
/// when `broken`, which the agent loop must refuse.
fn aws_invoice_submission(broken: bool) -> Value {
    let evidence = [
        ("/invoice_number", "Invoice Number: 42183017"),
        ("/issue_date", "Invoice Date: August 3 , 2014"),
        ("/vendor_name", "Amazon Web Services"),
        ("/currency", "$4.11"),
        ("/total_amount", "Total for this invoice $4.11"),
    ];
    json!({
        "data": {
            "invoice_number": "42183017",
            "issue_date": if broken { "August 3 , 2014" } else { "2014-08-03" },
            "vendor_name": "Amazon Web Services", "currency": "USD", "total_amount": 4.11
        },
        "evidence": evidence.iter().map(|(f, q)| json!({"field": f, "page": 1, "quote": q, "confidence": 0.9})).collect::<Vec<_>>()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_extract_function_reads_with_bedrock_retries_by_name_and_fixes_what_fails_validation() {
    use docex_testkit::fake_bedrock::{FakeBedrock, Reply as ModelReply};
    let stack = AwsStack::create().await;
    let job = stack.submit(&std::fs::read(workspace().join(INVOICE)).unwrap(), "user-e").await;
    let job_input = json!({"job_id": job.job_id, "spec": "invoice", "template": "invoice"});
    let prepared = respond(&mut start(&stack, "prepare-document").await, job_input).await;

    let model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    let fake = FakeBedrock::start(vec![
        ModelReply::throttling(),
        ModelReply::throttling(),
        ModelReply::tool_use("t1", "submit_extraction", aws_invoice_submission(true)).with_usage(2100, 300, 0, 0),
        ModelReply::tool_use("t2", "submit_extraction", aws_invoice_submission(false)).with_usage(2500, 310, 0, 0),
    ]);
    let mut env = stack.lambda_env();
    env.retain(|(name, _)| *name != "DOCEX_PROVIDER");
    env.extend([
        ("DOCEX_PROVIDER", "bedrock".to_string()),
        ("DOCEX_MODEL", model.to_string()),
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url.clone()),
    ]);
    let mut extract = Function::start(&bootstrap("extract-chunk"), "extract-chunk", &env).await.unwrap();
    let chunk = prepared["chunks"][0].clone();

    // Throttled twice (the SDK's own two attempts): the state machine's Retry matches the name.
    let (error_type, _) = fails_with(&mut extract, chunk.clone()).await;
    assert_eq!(error_type, "Docex.Throttled");
    // The retry: a first answer that fails validation, then the fix.
    let extracted = respond(&mut extract, chunk).await;
    assert_eq!(extracted["fields"], 5);
    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.signed && r.model_id == model));
    let tool = &requests[2].body["toolConfig"]["tools"][0]["toolSpec"];
    assert_eq!(tool["name"], "submit_extraction");
    let last_turn = requests[3].body["messages"].as_array().unwrap().last().unwrap().to_string();
    assert!(last_turn.contains("toolResult") && last_turn.contains("/issue_date"), "{last_turn}");

    let saved: Value =
        serde_json::from_slice(&stack.blobs().get(&keys::chunk(&job.job_id, 0)).await.unwrap().unwrap()).unwrap();
    assert_eq!(saved["data"]["issue_date"], "2014-08-03");
    assert_eq!((saved["usage"]["calls"].as_u64(), saved["usage"]["input_tokens"].as_u64()), (Some(2), Some(4600)));
}
