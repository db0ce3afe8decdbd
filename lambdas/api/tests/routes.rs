//! The router over the real AWS adapters (S3, DynamoDB, the bucket catalog and the
//! EventBridge bus on moto, with rules delivering to SQS queues; re-drives through the Step
//! Functions client to a recording endpoint, since moto has no `RedriveExecution`), driven
//! request by request with `oneshot`: every route, paging and the status filter, presigned
//! uploads and downloads used over plain HTTP, reviewers' corrections (checked against the
//! spec, kept in the result, announced, and handed to StoreResult and RenderReport through
//! the same input transformer Terraform sets), other users' jobs refused on every job
//! route, named errors for malformed bodies, ids and queries, CORS, and the OpenAPI
//! document against the router's routes. Every answer of a documented
//! route is checked against `openapi.yaml`: its status must be documented and its body must
//! match the schema given for it.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use api::{Caller, Ports, Settings};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use docex_aws::api::{
    CORRECTION_INPUT_PATHS, CORRECTION_INPUT_TEMPLATE, EventBridgeCorrections, RESULT_CORRECTED, S3Catalog,
};
use docex_aws::dynamodb::{self, DynamoJobStore};
use docex_aws::s3::{self, Buckets, S3BlobStore, S3SpecStore};
use docex_aws::sfn::Workflows;
use docex_core::error::ErrorReport;
use docex_core::job::keys;
use docex_core::{BlobStore, JobRecord, JobStatus, JobStore, StatusUpdate};
use docex_testkit::moto::{ACCOUNT_ID, REGION, moto, queue_with_arn, unique_name};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A recording Step Functions endpoint: answers `RedriveExecution`, refusing the jobs whose
/// id contains `stuck`, and keeps the execution ARNs it was asked for.
struct FakeStepFunctions {
    endpoint: String,
    redriven: Arc<Mutex<Vec<String>>>,
}

/// The history the fake Step Functions gives every execution: the first state done, the
/// second (a Map whose iteration runs a task) running.
const RUNNING_HISTORY: &str = r#"{"events": [
    {"id": 1, "previousEventId": 0, "timestamp": 1772360100.0, "type": "ExecutionStarted"},
    {"id": 2, "previousEventId": 1, "timestamp": 1772360100.1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "PrepareDocument"}},
    {"id": 3, "previousEventId": 2, "timestamp": 1772360101.0, "type": "TaskStateExited", "stateExitedEventDetails": {"name": "PrepareDocument"}},
    {"id": 4, "previousEventId": 3, "timestamp": 1772360101.1, "type": "MapStateEntered", "stateEnteredEventDetails": {"name": "ExtractChunks"}},
    {"id": 5, "previousEventId": 4, "timestamp": 1772360101.2, "type": "MapStateStarted", "mapStateStartedEventDetails": {"length": 1}},
    {"id": 6, "previousEventId": 5, "timestamp": 1772360101.3, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "ExtractChunk"}}
]}"#;

async fn fake_step_functions() -> FakeStepFunctions {
    let redriven = Arc::new(Mutex::new(Vec::new()));
    let recorded = redriven.clone();
    let app = Router::new().fallback(move |headers: HeaderMap, body: String| {
        let recorded = recorded.clone();
        async move {
            let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let arn =
                serde_json::from_str::<Value>(&body).ok().and_then(|v| v["executionArn"].as_str().map(String::from));
            let reply = |status: u16, body: &str| {
                axum::response::Response::builder()
                    .status(status)
                    .header("content-type", "application/x-amz-json-1.0")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            };
            match (target.as_str(), arn) {
                ("AWSStepFunctions.RedriveExecution", Some(arn)) => {
                    recorded.lock().unwrap().push(arn.clone());
                    if arn.contains("stuck") {
                        reply(400, r#"{"__type": "ExecutionNotRedrivable", "message": "redriven too often"}"#)
                    } else {
                        reply(200, r#"{"redriveDate": 1772360130.5}"#)
                    }
                }
                // Every job's execution is running its second state.
                ("AWSStepFunctions.DescribeExecution", Some(arn)) => reply(
                    200,
                    &json!({"executionArn": arn, "stateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:docex",
                            "status": "RUNNING", "startDate": 1772360100.0, "input": "{}"})
                    .to_string(),
                ),
                ("AWSStepFunctions.GetExecutionHistory", Some(_)) => reply(200, RUNNING_HISTORY),
                _ => reply(400, r#"{"__type": "UnknownOperationException", "message": "no"}"#),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FakeStepFunctions { endpoint, redriven }
}

struct Stack {
    router: Router,
    jobs: DynamoJobStore,
    blobs: S3BlobStore,
    s3: aws_sdk_s3::Client,
    specs_bucket: String,
    templates_bucket: String,
    step_functions: FakeStepFunctions,
    sqs: aws_sdk_sqs::Client,
    /// Receives what the correction rule hands to StoreResult and RenderReport.
    corrected_queue: String,
    /// Receives the bus's job status events.
    status_queue: String,
}

/// A rule on `bus` for docex events of `detail_type`, delivering to the queue `arn`, through
/// `transformer` when given.
async fn rule(
    events: &aws_sdk_eventbridge::Client,
    bus: &str,
    detail_type: &str,
    arn: &str,
    transformer: Option<aws_sdk_eventbridge::types::InputTransformer>,
) {
    let name = unique_name("rule");
    let pattern = json!({"source": ["docex"], "detail-type": [detail_type]});
    events.put_rule().name(&name).event_bus_name(bus).event_pattern(pattern.to_string()).send().await.unwrap();
    let target = aws_sdk_eventbridge::types::Target::builder().id("queue").arn(arn).set_input_transformer(transformer);
    events.put_targets().rule(&name).event_bus_name(bus).targets(target.build().unwrap()).send().await.unwrap();
}

/// The messages in a queue, waiting up to a few seconds for `expected` of them.
async fn messages(sqs: &aws_sdk_sqs::Client, url: &str, expected: usize) -> Vec<Value> {
    let mut received = Vec::new();
    for _ in 0..4 {
        let output =
            sqs.receive_message().queue_url(url).max_number_of_messages(10).wait_time_seconds(1).send().await.unwrap();
        received.extend(output.messages().iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()));
        if received.len() >= expected && expected > 0 {
            break;
        }
    }
    received
}

async fn bucket(client: &aws_sdk_s3::Client, prefix: &str) -> String {
    let name = unique_name(prefix);
    client.create_bucket().bucket(&name).send().await.expect("create bucket");
    name
}

async fn stack_with(settings: Settings) -> Stack {
    let sdk = moto().sdk_config().await;
    let s3 = s3::client(&sdk);
    let buckets = Buckets { input: bucket(&s3, "in").await, output: bucket(&s3, "out").await };
    let specs_bucket = bucket(&s3, "specs").await;
    let templates_bucket = bucket(&s3, "templates").await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("jobs");
    dynamodb::create_table(&dynamo, &table).await.expect("create the jobs table");
    let jobs = DynamoJobStore::new(dynamo, table);
    let blobs = S3BlobStore::new(s3.clone(), buckets);
    let step_functions = fake_step_functions().await;
    let sfn_sdk = sdk.clone().into_builder().endpoint_url(&step_functions.endpoint).build();
    let workflows = Workflows::new(
        aws_sdk_sfn::Client::new(&sfn_sdk),
        format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:docex"),
    );
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let bus = unique_name("bus");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let (corrected_queue, corrected_arn) = queue_with_arn(&sqs, "corrected").await;
    let (status_queue, status_arn) = queue_with_arn(&sqs, "status").await;
    let mut paths = std::collections::HashMap::new();
    for (name, path) in CORRECTION_INPUT_PATHS {
        paths.insert(name.to_string(), path.to_string());
    }
    let transformer = aws_sdk_eventbridge::types::InputTransformer::builder()
        .set_input_paths_map(Some(paths))
        .input_template(CORRECTION_INPUT_TEMPLATE)
        .build()
        .unwrap();
    rule(&events, &bus, RESULT_CORRECTED, &corrected_arn, Some(transformer)).await;
    rule(&events, &bus, "Job Status Changed", &status_arn, None).await;
    let ports = Ports {
        jobs: Arc::new(jobs.clone()),
        blobs: Arc::new(blobs.clone()),
        urls: Arc::new(blobs.clone()),
        specs: Arc::new(S3SpecStore::new(s3.clone(), &specs_bucket)),
        catalog: Arc::new(S3Catalog::new(s3.clone(), &specs_bucket, &templates_bucket)),
        workflows: Arc::new(workflows),
        corrections: Arc::new(EventBridgeCorrections::new(events, &bus)),
    };
    Stack {
        router: api::router(ports, settings),
        jobs,
        blobs,
        s3,
        specs_bucket,
        templates_bucket,
        step_functions,
        sqs,
        corrected_queue,
        status_queue,
    }
}

async fn stack() -> Stack {
    stack_with(Settings::default()).await
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn error_name(&self) -> &str {
        self.body["error"]["name"].as_str().unwrap_or_else(|| panic!("not an error body: {}", self.body))
    }
}

fn openapi() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_yaml::from_str(include_str!("../openapi.yaml")).expect("openapi.yaml is YAML"))
}

/// The route template (`/jobs/{id}`) a concrete path is served by, if any.
fn route_of(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    api::ROUTES.iter().find_map(|(m, template)| {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = *m == method
            && parts.len() == segments.len()
            && parts.iter().zip(&segments).all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()));
        matches.then_some(*template)
    })
}

/// Checks that the answer of a documented route has a documented status and a body that
/// the document's schema for that status accepts.
fn check_documented(method: &str, path: &str, status: StatusCode, body: &Value) {
    let Some(template) = route_of(method, path) else { return };
    let document = openapi();
    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
    let responses = format!("/paths/{}/{}/responses", escape(template), method.to_lowercase());
    let code = status.as_u16().to_string();
    let mut response_pointer = format!("{responses}/{code}");
    let response = document
        .pointer(&response_pointer)
        .unwrap_or_else(|| panic!("{method} {template} answered {code}, which openapi.yaml does not document: {body}"));
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        response_pointer = target.trim_start_matches('#').to_string();
    }
    let schema_pointer = format!("{response_pointer}/content/application~1json/schema");
    let schema = document
        .pointer(&schema_pointer)
        .unwrap_or_else(|| panic!("{method} {template} {code} has no JSON schema"))
        .clone();
    // The response's schema, with the document's components beside it for its `$ref`s.
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": document["components"],
    });
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {template} {code}: the body does not match openapi.yaml: {errors:?}\n{body}");
}

async fn call(router: &Router, request: Request<Body>) -> Answer {
    let (method, path) = (request.method().to_string(), request.uri().path().to_string());
    let response = router.clone().oneshot(request).await.expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    if method != "OPTIONS" {
        check_documented(&method, &path, status, &body);
    }
    Answer { status, headers, body }
}

fn request(method: &str, uri: &str, owner: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let mut request = builder.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default()).unwrap();
    if let Some(owner) = owner {
        request.extensions_mut().insert(Caller::new(owner).unwrap());
    }
    request
}

async fn send(router: &Router, method: &str, uri: &str, owner: Option<&str>, body: Option<Value>) -> Answer {
    let body = body.map(|b| b.to_string());
    call(router, request(method, uri, owner, body.as_deref())).await
}

fn job(id: &str, owner: &str, created_at: &str, status: JobStatus) -> JobRecord {
    JobRecord {
        job_id: id.to_string(),
        owner: owner.to_string(),
        document: "Rechnung März.pdf".to_string(),
        spec: "invoice".to_string(),
        template: "invoice".to_string(),
        status,
        error: None,
        confidence: None,
        created_at: created_at.to_string(),
        updated_at: created_at.to_string(),
    }
}

fn update(id: &str, status: JobStatus, at: &str) -> StatusUpdate {
    let error = (status == JobStatus::Failed)
        .then(|| ErrorReport { name: "Docex.NotPdf".into(), message: "the file is not a PDF: a PNG".into() });
    let confidence = status.is_finished().then_some(0.9).filter(|_| status != JobStatus::Failed);
    StatusUpdate { job_id: id.to_string(), status, error, confidence, at: at.to_string() }
}

/// A job of `owner` that went through `statuses` (created queued at `created_at`).
async fn seed(stack: &Stack, id: &str, owner: &str, created_at: &str, statuses: &[JobStatus]) {
    assert!(stack.jobs.create(&job(id, owner, created_at, JobStatus::Queued)).await.unwrap());
    let start = chrono::DateTime::parse_from_rfc3339(created_at).unwrap();
    for (i, status) in statuses.iter().enumerate() {
        let at = (start + chrono::Duration::seconds(i as i64 + 1)).to_rfc3339();
        stack.jobs.set_status(&update(id, *status, &at)).await.unwrap();
    }
}

fn id(prefix: &str) -> String {
    unique_name(prefix)
}

#[tokio::test]
async fn health_needs_no_user_and_everything_else_does() {
    let stack = stack().await;
    let answer = send(&stack.router, "GET", "/health", None, None).await;
    assert_eq!((answer.status, answer.body.clone()), (StatusCode::OK, json!({"status": "ok"})));
    for (method, path) in api::ROUTES.iter().filter(|(_, p)| *p != "/health") {
        let path = path.replace("{id}", "job-1");
        let body = (*method == "POST").then(|| json!({"document": "a.pdf", "spec": "invoice"}));
        let answer = send(&stack.router, method, &path, None, body).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(answer.error_name(), "Api.Unauthorized");
    }
}

#[tokio::test]
async fn creating_a_job_records_it_and_signs_an_upload_that_works() {
    let stack = stack().await;
    let answer =
        send(&stack.router, "POST", "/jobs", Some("alice"), Some(json!({"document": "März.pdf", "spec": "invoice"})))
            .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let job = &answer.body["job"];
    let job_id = job["job_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(job_id).is_ok_and(|u| u.get_version_num() == 4), "{job_id}");
    assert_eq!(answer.headers[header::LOCATION], format!("/jobs/{job_id}"));
    assert_eq!(job["owner"], "alice");
    assert_eq!(job["document"], "März.pdf");
    assert_eq!((job["spec"].as_str(), job["template"].as_str()), (Some("invoice"), Some("invoice")));
    assert_eq!(job["status"], "QUEUED");

    let stored = stack.jobs.get(job_id).await.unwrap().expect("the job is recorded");
    assert_eq!(serde_json::to_value(&stored).unwrap(), *job);

    let upload = &answer.body["upload"];
    assert_eq!(upload["method"], "PUT");
    let url = upload["url"].as_str().unwrap();
    assert!(url.contains(&format!("/input/{job_id}/document.pdf")), "{url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(upload["expires_at"].as_str().unwrap()).unwrap();
    let left = expires_at.signed_duration_since(chrono::Utc::now());
    assert!(left > chrono::Duration::minutes(13) && left <= chrono::Duration::minutes(15), "{left}");

    // The browser's upload, exactly as told.
    let pdf = b"%PDF-1.7 uploaded".to_vec();
    let mut put = reqwest::Client::new().put(url).body(pdf.clone());
    for (name, value) in upload["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert!(
        upload["headers"]
            .as_object()
            .unwrap()
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v == "application/pdf")
    );
    let response = put.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    assert_eq!(stack.blobs.get(&keys::input(job_id)).await.unwrap(), Some(pdf));
}

#[tokio::test]
async fn a_job_gets_the_template_asked_for_its_specs_own_or_the_generic_one() {
    let stack = stack().await;
    let receipt = docex_core::builtin::builtin_spec("receipt").unwrap();
    stack
        .s3
        .put_object()
        .bucket(&stack.specs_bucket)
        .key("purchase_order.json")
        .body(receipt.as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();
    stack
        .s3
        .put_object()
        .bucket(&stack.templates_bucket)
        .key("letterhead/main.typ")
        .body(b"= Report".to_vec().into())
        .send()
        .await
        .unwrap();
    let cases = [
        (json!({"document": "a.pdf", "spec": "purchase_order"}), "generic"),
        (json!({"document": "a.pdf", "spec": "receipt"}), "receipt"),
        (json!({"document": "a.pdf", "spec": "invoice", "template": "letterhead"}), "letterhead"),
        (json!({"document": "a.pdf", "spec": "purchase_order", "template": "invoice"}), "invoice"),
    ];
    for (body, template) in cases {
        let answer = send(&stack.router, "POST", "/jobs", Some("alice"), Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{body}: {}", answer.body);
        assert_eq!(answer.body["job"]["template"], template, "{body}");
        assert_eq!(answer.body["job"]["spec"], body["spec"]);
    }
}

#[tokio::test]
async fn bad_job_requests_are_named_and_create_nothing() {
    let stack = stack().await;
    stack
        .s3
        .put_object()
        .bucket(&stack.specs_bucket)
        .key("broken.json")
        .body(b"{not json".to_vec().into())
        .send()
        .await
        .unwrap();
    let cases: Vec<(Option<&str>, StatusCode, &str)> = vec![
        (Some(r#"{"document": "a.pdf", "spec": "nope"}"#), StatusCode::BAD_REQUEST, "Docex.SpecNotFound"),
        (Some(r#"{"document": "a.pdf", "spec": "../specs/invoice"}"#), StatusCode::BAD_REQUEST, "Docex.SpecNotFound"),
        (Some(r#"{"document": "a.pdf", "spec": "broken"}"#), StatusCode::BAD_REQUEST, "Docex.SpecInvalid"),
        (
            Some(r#"{"document": "a.pdf", "spec": "invoice", "template": "nope"}"#),
            StatusCode::BAD_REQUEST,
            "Docex.TemplateNotFound",
        ),
        (
            Some(r#"{"document": "a.pdf", "spec": "invoice", "template": "../x"}"#),
            StatusCode::BAD_REQUEST,
            "Docex.TemplateNotFound",
        ),
        (Some(r#"{"document": "", "spec": "invoice"}"#), StatusCode::BAD_REQUEST, "Api.InvalidDocumentName"),
        (
            Some(r#"{"document": "../../etc/passwd", "spec": "invoice"}"#),
            StatusCode::BAD_REQUEST,
            "Api.InvalidDocumentName",
        ),
        (Some(r#"{"document": "a\u0000.pdf", "spec": "invoice"}"#), StatusCode::BAD_REQUEST, "Api.InvalidDocumentName"),
        (Some(r#"{"document": "a.pdf", "spec": "invoice""#), StatusCode::BAD_REQUEST, "Api.MalformedJson"),
        (Some("not json at all"), StatusCode::BAD_REQUEST, "Api.MalformedJson"),
        (Some(r#"{"document": "a.pdf"}"#), StatusCode::BAD_REQUEST, "Api.InvalidBody"),
        (
            Some(r#"{"document": "a.pdf", "spec": "invoice", "owner": "bob"}"#),
            StatusCode::BAD_REQUEST,
            "Api.InvalidBody",
        ),
        (Some(r#"{"document": 7, "spec": "invoice"}"#), StatusCode::BAD_REQUEST, "Api.InvalidBody"),
        (Some("[]"), StatusCode::BAD_REQUEST, "Api.InvalidBody"),
    ];
    let long_name = format!(r#"{{"document": "{}.pdf", "spec": "invoice"}}"#, "x".repeat(300));
    let huge = format!(r#"{{"document": "a.pdf", "spec": "invoice", "pad": "{}"}}"#, "x".repeat(70_000));
    let mut cases = cases;
    cases.push((Some(&long_name), StatusCode::BAD_REQUEST, "Api.InvalidDocumentName"));
    cases.push((Some(&huge), StatusCode::PAYLOAD_TOO_LARGE, "Api.PayloadTooLarge"));
    for (body, status, name) in &cases {
        let answer = call(&stack.router, request("POST", "/jobs", Some("alice"), *body)).await;
        assert_eq!((answer.status, answer.error_name()), (*status, *name), "{body:?}: {}", answer.body);
        assert!(answer.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // JSON sent without saying so.
    let plain = Request::builder()
        .method("POST")
        .uri("/jobs")
        .body(Body::from(r#"{"document": "a.pdf", "spec": "invoice"}"#))
        .map(|mut r| {
            r.extensions_mut().insert(Caller::new("alice").unwrap());
            r
        })
        .unwrap();
    let answer = call(&stack.router, plain).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Api.UnsupportedMediaType"));

    let listed = send(&stack.router, "GET", "/jobs", Some("alice"), None).await;
    assert_eq!(listed.body["jobs"], json!([]), "no bad request left a job behind");
}

#[tokio::test]
async fn a_users_jobs_come_newest_first_page_by_page_and_by_status() {
    let stack = stack().await;
    let (alice, bob) = (id("alice"), id("bob"));
    let mut ids = Vec::new();
    for i in 0..5 {
        let job_id = id(&format!("a{i}"));
        let statuses: &[JobStatus] = match i {
            1 | 3 => &[JobStatus::Running, JobStatus::Failed],
            4 => &[JobStatus::Running],
            _ => &[JobStatus::Running, JobStatus::Succeeded],
        };
        seed(&stack, &job_id, &alice, &format!("2026-03-0{}T10:00:00Z", i + 1), statuses).await;
        ids.push(job_id);
    }
    seed(&stack, &id("b"), &bob, "2026-03-09T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &token {
            Some(token) => format!("/jobs?limit=2&page_token={token}"),
            None => "/jobs?limit=2".to_string(),
        };
        let answer = send(&stack.router, "GET", &uri, Some(&alice), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let jobs = answer.body["jobs"].as_array().unwrap();
        assert!(jobs.len() <= 2);
        for job in jobs {
            assert_eq!(job["owner"], alice.as_str());
            seen.push(job["job_id"].as_str().unwrap().to_string());
        }
        pages += 1;
        match answer.body["next_page_token"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, newest_first);
    assert!(pages >= 3);

    // Only failed ones, across pages.
    let mut failed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let uri = match &token {
            Some(token) => format!("/jobs?status=failed&limit=1&page_token={token}"),
            None => "/jobs?status=FAILED&limit=1".to_string(),
        };
        let answer = send(&stack.router, "GET", &uri, Some(&alice), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        for job in answer.body["jobs"].as_array().unwrap() {
            assert_eq!(job["status"], "FAILED");
            failed.push(job["job_id"].as_str().unwrap().to_string());
        }
        match answer.body["next_page_token"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(failed, vec![ids[3].clone(), ids[1].clone()]);

    // The default page holds all five; bob sees only his own.
    let all = send(&stack.router, "GET", "/jobs", Some(&alice), None).await;
    assert_eq!(all.body["jobs"].as_array().unwrap().len(), 5);
    assert_eq!(all.body["next_page_token"], Value::Null);
    let bobs = send(&stack.router, "GET", "/jobs", Some(&bob), None).await;
    assert_eq!(bobs.body["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(bobs.body["jobs"][0]["owner"], bob.as_str());

    // A page token is alice's alone.
    let first = send(&stack.router, "GET", "/jobs?limit=1", Some(&alice), None).await;
    let token = first.body["next_page_token"].as_str().unwrap().to_string();
    let stolen = send(&stack.router, "GET", &format!("/jobs?page_token={token}"), Some(&bob), None).await;
    assert_eq!((stolen.status, stolen.error_name()), (StatusCode::BAD_REQUEST, "Api.InvalidPageToken"));

    for (query, name) in [
        ("status=DONE", "Api.InvalidQuery"),
        ("limit=0", "Api.InvalidQuery"),
        ("limit=101", "Api.InvalidQuery"),
        ("limit=ten", "Api.InvalidQuery"),
        ("limit=-1", "Api.InvalidQuery"),
        ("page_token=zz", "Api.InvalidPageToken"),
        ("page_token=7b7d", "Api.InvalidPageToken"),
    ] {
        let answer = send(&stack.router, "GET", &format!("/jobs?{query}"), Some(&alice), None).await;
        assert_eq!((answer.status, answer.error_name()), (StatusCode::BAD_REQUEST, name), "{query}");
    }
}

#[tokio::test]
async fn a_job_comes_with_its_status_history() {
    let stack = stack().await;
    let job_id = id("job");
    seed(&stack, &job_id, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    let answer = send(&stack.router, "GET", &format!("/jobs/{job_id}"), Some("alice"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["job"]["job_id"], job_id.as_str());
    assert_eq!(answer.body["job"]["status"], "FAILED");
    assert_eq!(answer.body["job"]["error"]["name"], "Docex.NotPdf");
    let statuses: Vec<&str> =
        answer.body["history"].as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["QUEUED", "RUNNING", "FAILED"]);
    // The states from the execution's history: the top level only, not the Map's task.
    assert_eq!(
        answer.body["states"],
        json!([{"name": "PrepareDocument", "status": "SUCCEEDED"}, {"name": "ExtractChunks", "status": "RUNNING"}])
    );
}

#[tokio::test]
async fn a_result_comes_with_a_report_url_once_the_job_is_done() {
    let stack = stack().await;
    let (running, done, failed, lost) = (id("running"), id("done"), id("failed"), id("lost"));
    seed(&stack, &running, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running]).await;
    seed(&stack, &done, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::NeedsReview]).await;
    seed(&stack, &failed, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    seed(&stack, &lost, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Succeeded]).await;
    let result = |job_id: &str, report: bool| {
        json!({"job_id": job_id, "document": "Rechnung März.pdf", "spec": "invoice", "status": "NEEDS_REVIEW",
               "data": {"total": 12.5}, "fields": {}, "confidence": 0.7, "review_reasons": ["total is low"],
               "report": report.then(|| keys::report(job_id)), "error": null, "extractor": "offline"})
    };
    for (job_id, report) in [(&running, true), (&done, true), (&failed, true)] {
        let bytes = serde_json::to_vec(&result(job_id, report)).unwrap();
        stack.blobs.put(&keys::result(job_id), bytes).await.unwrap();
    }
    let report_pdf = b"%PDF-1.7 the report".to_vec();
    stack.blobs.put(&keys::report(&done), report_pdf.clone()).await.unwrap();

    let answer = send(&stack.router, "GET", &format!("/jobs/{running}/result"), Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::CONFLICT, "Api.ResultNotReady"));

    let answer = send(&stack.router, "GET", &format!("/jobs/{done}/result"), Some("alice"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["result"], result(&done, true));
    let report = &answer.body["report"];
    assert_eq!(report["method"], "GET");
    let url = report["url"].as_str().unwrap();
    assert!(url.contains(&format!("/output/{done}/report.pdf")), "{url}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(report["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires_at.signed_duration_since(chrono::Utc::now()) <= chrono::Duration::minutes(5));
    // The signed request asks S3 to name the download after the document.
    let disposition = reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "response-content-disposition")
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    assert!(disposition.contains("filename*=UTF-8''Rechnung%20M%C3%A4rz-report.pdf"), "{disposition}");
    let download = reqwest::get(url).await.unwrap();
    assert!(download.status().is_success());
    assert_eq!(download.bytes().await.unwrap().to_vec(), report_pdf);
    // And one of the uploaded document, for showing the evidence on its pages.
    let uploaded = b"%PDF-1.4 the document".to_vec();
    stack.blobs.put(&keys::input(&done), uploaded.clone()).await.unwrap();
    let url = answer.body["document"]["url"].as_str().unwrap();
    assert!(url.contains(&format!("/input/{done}/document.pdf")), "{url}");
    let download = reqwest::get(url).await.unwrap();
    assert!(download.status().is_success());
    assert_eq!(download.bytes().await.unwrap().to_vec(), uploaded);

    // A failed job has its result (with the error) but no report.
    let answer = send(&stack.router, "GET", &format!("/jobs/{failed}/result"), Some("alice"), None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["report"], Value::Null);

    let answer = send(&stack.router, "GET", &format!("/jobs/{lost}/result"), Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::NOT_FOUND, "Api.ResultNotFound"));
}

#[tokio::test]
async fn only_a_failed_job_is_redriven() {
    let stack = stack().await;
    let (failed, stuck, done) = (id("failed"), id("stuck"), id("done"));
    seed(&stack, &failed, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    seed(&stack, &stuck, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    seed(&stack, &done, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Succeeded]).await;

    let answer = send(&stack.router, "POST", &format!("/jobs/{failed}/redrive"), Some("alice"), None).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    assert_eq!(answer.body["redriven_at"], "2026-03-01T10:15:30.5Z");
    assert_eq!(answer.body["job"]["job_id"], failed.as_str());

    let answer = send(&stack.router, "POST", &format!("/jobs/{done}/redrive"), Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::CONFLICT, "Api.JobNotFailed"));

    let answer = send(&stack.router, "POST", &format!("/jobs/{stuck}/redrive"), Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::CONFLICT, "Api.NotRedrivable"));
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("redriven too often"));

    let execution = |job: &str| format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:docex:{job}");
    assert_eq!(*stack.step_functions.redriven.lock().unwrap(), vec![execution(&failed), execution(&stuck)]);
}

/// How the owner of a job calls a job route successfully: which of the seeded jobs (a
/// failed one for a re-drive, a finished one for the rest) and the body. A new job route
/// must say so here, so the test below cannot pass it by.
fn owners_call(method: &str, path: &str, failed: &str, done: &str) -> (String, Option<Value>) {
    match (method, path) {
        ("POST", "/jobs/{id}/redrive") => (failed.to_string(), None),
        ("GET", "/jobs/{id}") | ("GET", "/jobs/{id}/result") => (done.to_string(), None),
        ("PATCH", "/jobs/{id}/fields") => {
            (done.to_string(), Some(json!({"edits": [{"op": "replace", "path": "/vendor", "value": "ACME Ltd"}]})))
        }
        _ => panic!("{method} {path} is a job route this test does not know how to call: add it to owners_call"),
    }
}

#[tokio::test]
async fn another_users_job_is_not_found_on_every_route() {
    let stack = stack().await;
    put_bill_spec(&stack).await;
    let failed = id("failed");
    seed(&stack, &failed, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    let failed_result = json!({"job_id": failed, "document": "a.pdf", "spec": "bill", "status": "FAILED", "data": {},
                        "fields": {}, "confidence": 0.0, "report": null,
                        "error": {"name": "Docex.NotPdf", "message": "the file is not a PDF: a PNG"}});
    stack.blobs.put(&keys::result(&failed), serde_json::to_vec(&failed_result).unwrap()).await.unwrap();
    let done = id("done");
    seed_bill(&stack, &done, "alice").await;
    let missing = id("missing");
    let job_routes: Vec<_> = api::ROUTES.iter().filter(|(_, path)| path.contains("{id}")).collect();
    assert!(job_routes.len() >= 4, "{job_routes:?}");
    for (method, path) in job_routes {
        let (job_id, body) = owners_call(method, path, &failed, &done);
        let stored_before = stack.blobs.get(&keys::result(&job_id)).await.unwrap();
        let job_before = stack.jobs.get(&job_id).await.unwrap();
        let theirs = send(&stack.router, method, &path.replace("{id}", &job_id), Some("mallory"), body.clone()).await;
        assert_eq!((theirs.status, theirs.error_name()), (StatusCode::NOT_FOUND, "Api.JobNotFound"), "{method} {path}");
        let nobodys = send(&stack.router, method, &path.replace("{id}", &missing), Some("mallory"), body.clone()).await;
        assert_eq!(
            theirs.body.to_string().replace(&job_id, "ID"),
            nobodys.body.to_string().replace(&missing, "ID"),
            "another user's job reads like a missing one"
        );
        assert_eq!(stack.blobs.get(&keys::result(&job_id)).await.unwrap(), stored_before, "{method} {path}");
        assert_eq!(stack.jobs.get(&job_id).await.unwrap(), job_before, "{method} {path}");
        let mine = send(&stack.router, method, &path.replace("{id}", &job_id), Some("alice"), body).await;
        assert!(mine.status.is_success(), "{method} {path} for its owner: {}", mine.body);
    }
    // Only alice's own re-drive reached the workflow, and only her correction was announced.
    assert_eq!(stack.step_functions.redriven.lock().unwrap().len(), 1);
    let corrected = messages(&stack.sqs, &stack.corrected_queue, 1).await;
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    assert_eq!(corrected[0]["job_id"], done.as_str());
    let listed = send(&stack.router, "GET", "/jobs", Some("mallory"), None).await;
    assert_eq!(listed.body["jobs"], json!([]));
}

#[tokio::test]
async fn malformed_ids_and_unknown_routes_are_named() {
    let stack = stack().await;
    let long = "x".repeat(81);
    for (method, path) in api::ROUTES.iter().filter(|(_, path)| path.contains("{id}")) {
        for bad in ["bad%20id", "a.b", long.as_str(), "%C3%A4", "%FF"] {
            let uri = path.replace("{id}", bad);
            let answer = send(&stack.router, method, &uri, Some("alice"), None).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {uri}: {}", answer.body);
            assert!(["Api.InvalidJobId", "Api.InvalidPath"].contains(&answer.error_name()), "{method} {uri}");
        }
    }
    let answer = send(&stack.router, "GET", "/nowhere", Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::NOT_FOUND, "Api.RouteNotFound"));
    let answer = send(&stack.router, "DELETE", "/jobs", Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::METHOD_NOT_ALLOWED, "Api.MethodNotAllowed"));
    let answer = send(&stack.router, "GET", "/jobs/a/b/c", Some("alice"), None).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::NOT_FOUND, "Api.RouteNotFound"));
}

#[tokio::test]
async fn specs_and_templates_list_the_shipped_ones_and_the_buckets() {
    let stack = stack().await;
    for key in ["purchase_order.json", "nested/ignored.json", "notes.txt"] {
        stack.s3.put_object().bucket(&stack.specs_bucket).key(key).body(b"{}".to_vec().into()).send().await.unwrap();
    }
    for key in ["letterhead/main.typ", "letterhead/logo.svg", "stray.typ"] {
        stack.s3.put_object().bucket(&stack.templates_bucket).key(key).body(b"x".to_vec().into()).send().await.unwrap();
    }
    let specs = send(&stack.router, "GET", "/specs", Some("alice"), None).await;
    assert_eq!(specs.body, json!({"specs": ["contract", "invoice", "purchase_order", "receipt"]}));
    let templates = send(&stack.router, "GET", "/templates", Some("alice"), None).await;
    assert_eq!(templates.body, json!({"templates": ["contract", "generic", "invoice", "letterhead", "receipt"]}));
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only_when_configured() {
    let origin = "https://docex.example.com";
    let stack = stack_with(Settings { allowed_origin: Some(origin.to_string()), ..Settings::default() }).await;
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/jobs")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type")
        .body(Body::empty())
        .unwrap();
    let answer = call(&stack.router, preflight).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], origin);
    assert!(answer.headers[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().contains("POST"));
    assert!(answer.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("authorization"));

    let answer = send(&stack.router, "GET", "/jobs", Some("alice"), None).await;
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], origin);
    let answer = send(&stack.router, "GET", "/jobs", None, None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], origin, "errors are readable by the app too");

    let closed = stack_with(Settings::default()).await;
    let answer = send(&closed.router, "GET", "/health", None, None).await;
    assert!(!answer.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes() {
    let document: Value = serde_yaml::from_str(include_str!("../openapi.yaml")).expect("openapi.yaml is YAML");
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete", "options", "head"].contains(&method.as_str()) {
                documented.push((method.to_uppercase(), path.clone()));
                assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
            }
        }
    }
    let mut routed: Vec<(String, String)> = api::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);

    // Every `$ref` points at something the document defines.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    refs(&document, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').expect("local refs only");
        assert!(document.pointer(pointer).is_some(), "{target} is not defined");
    }

    // And the router serves each one (no route-not-found or method-not-allowed answer).
    let stack = stack().await;
    for (method, path) in api::ROUTES {
        let answer = send(&stack.router, method, &path.replace("{id}", "job-1"), Some("alice"), None).await;
        assert!(
            !["Api.RouteNotFound", "Api.MethodNotAllowed"]
                .contains(&answer.body["error"]["name"].as_str().unwrap_or("")),
            "{method} {path}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn presigned_urls_expire_when_the_settings_say() {
    let stack = stack_with(Settings { upload_expiry: Duration::from_secs(60), ..Settings::default() }).await;
    let answer =
        send(&stack.router, "POST", "/jobs", Some("alice"), Some(json!({"document": "a.pdf", "spec": "invoice"})))
            .await;
    let url = answer.body["upload"]["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Expires=60"), "{url}");
}

/// A spec whose line items must add up to the total.
const BILL_SPEC: &str = r#"{"type": "object", "required": ["total"],
    "x-docex-rules": [{"rule": "sum", "terms": ["/items/*/amount"], "equals_any": ["/total"]}],
    "properties": {
        "total": {"type": "number", "description": "The amount due"},
        "vendor": {"type": "string", "description": "Who sent the bill"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"amount": {"type": "number"}}}}
    }}"#;

async fn put_bill_spec(stack: &Stack) {
    let put = stack.s3.put_object().bucket(&stack.specs_bucket).key("bill.json");
    put.body(BILL_SPEC.as_bytes().to_vec().into()).send().await.unwrap();
}

/// A job of `owner` with the `bill` spec that needs review: its items (10 + 20) do not add
/// up to its total (31). Its result and report are stored.
async fn seed_bill(stack: &Stack, job_id: &str, owner: &str) -> Value {
    let mut record = job(job_id, owner, "2026-03-01T10:00:00Z", JobStatus::Queued);
    record.spec = "bill".into();
    record.template = "generic".into();
    assert!(stack.jobs.create(&record).await.unwrap());
    stack.jobs.set_status(&update(job_id, JobStatus::Running, "2026-03-01T10:00:01Z")).await.unwrap();
    let mut done = update(job_id, JobStatus::NeedsReview, "2026-03-01T10:00:02Z");
    done.confidence = Some(0.55);
    stack.jobs.set_status(&done).await.unwrap();
    let result = json!({
        "job_id": job_id, "document": "Rechnung März.pdf", "spec": "bill", "status": "NEEDS_REVIEW",
        "data": {"total": 31.0, "vendor": "ACME", "items": [{"amount": 10.0}, {"amount": 20.0}]},
        "fields": {
            "/total": {"confidence": 0.45, "page": 1, "text": "31.00"},
            "/vendor": {"confidence": 0.9, "page": 1, "text": "ACME"},
            "/items/0/amount": {"confidence": 0.4, "page": 1, "text": "10.00"},
            "/items/1/amount": {"confidence": 0.4, "page": 1, "text": "20.00"}
        },
        "confidence": 0.55,
        "review_reasons": ["/items/*/amount add up to 30.00, which matches none of /total"],
        "report": keys::report(job_id), "error": null, "extractor": "offline"
    });
    stack.blobs.put(&keys::result(job_id), serde_json::to_vec(&result).unwrap()).await.unwrap();
    stack.blobs.put(&keys::report(job_id), b"%PDF-1.7 the first report".to_vec()).await.unwrap();
    result
}

async fn stored_result(stack: &Stack, job_id: &str) -> Value {
    serde_json::from_slice(&stack.blobs.get(&keys::result(job_id)).await.unwrap().unwrap()).unwrap()
}

#[tokio::test]
async fn a_correction_is_checked_kept_announced_and_handed_to_store_and_render() {
    let stack = stack().await;
    put_bill_spec(&stack).await;
    let job_id = id("bill");
    let before = seed_bill(&stack, &job_id, "alice").await;
    let edits = json!({"edits": [
        {"op": "test", "path": "/total", "value": 31.0},
        {"op": "replace", "path": "/total", "value": 30.0}
    ]});
    let answer = send(&stack.router, "PATCH", &format!("/jobs/{job_id}/fields"), Some("alice"), Some(edits)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    // The checks pass now: the job succeeds, and the correction is kept with who and when.
    let result = &answer.body["result"];
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["review_reasons"], json!([]));
    assert_eq!(result["data"]["total"], 30.0);
    assert_eq!(result["fields"]["/total"]["confidence"], 1.0);
    let correction = &result["corrections"][0];
    assert_eq!(correction["by"], "alice");
    assert_eq!(correction["edits"], json!([{"pointer": "/total", "old": 31.0, "new": 30.0}]));
    assert_eq!(
        (correction["status_before"].as_str(), correction["status_after"].as_str()),
        (Some("NEEDS_REVIEW"), Some("SUCCEEDED"))
    );
    assert_eq!(correction["review_reasons_before"], before["review_reasons"]);
    let at = chrono::DateTime::parse_from_rfc3339(correction["at"].as_str().unwrap()).unwrap();
    assert!(chrono::Utc::now().signed_duration_since(at) < chrono::Duration::minutes(1));
    assert_eq!(stored_result(&stack, &job_id).await, *result, "result.json holds the corrected result");

    // The job record and its history follow.
    assert_eq!(answer.body["job"]["status"], "SUCCEEDED");
    let record = stack.jobs.get(&job_id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Succeeded);
    assert_eq!(record.confidence, result["confidence"].as_f64());
    let shown = send(&stack.router, "GET", &format!("/jobs/{job_id}"), Some("alice"), None).await;
    let statuses: Vec<&str> =
        shown.body["history"].as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.last(), Some(&"SUCCEEDED"), "{statuses:?}");

    // On AWS the report is rendered by RenderReport, so it is pending; the rule hands the
    // task input to StoreResult and RenderReport, and the new status goes to the owner.
    assert_eq!(answer.body["report"], json!({"state": "pending", "download": null}));
    let corrected = messages(&stack.sqs, &stack.corrected_queue, 1).await;
    assert_eq!(corrected, vec![json!({"job_id": job_id, "spec": "bill", "template": "generic"})]);
    let announced = messages(&stack.sqs, &stack.status_queue, 1).await;
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(announced[0]["detail"]["job_id"], job_id.as_str());
    assert_eq!(announced[0]["detail"]["owner"], "alice");
    assert_eq!(announced[0]["detail"]["status"], "SUCCEEDED");

    // A second correction builds on the first: the test of the old value fails now.
    let stale =
        json!({"edits": [{"op": "test", "path": "/total", "value": 31.0}, {"op": "remove", "path": "/vendor"}]});
    let answer = send(&stack.router, "PATCH", &format!("/jobs/{job_id}/fields"), Some("alice"), Some(stale)).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::CONFLICT, "Api.EditConflict"));
    let again =
        json!({"edits": [{"op": "remove", "path": "/items/1"}, {"op": "replace", "path": "/total", "value": 10}]});
    let answer = send(&stack.router, "PATCH", &format!("/jobs/{job_id}/fields"), Some("alice"), Some(again)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["result"]["corrections"].as_array().unwrap().len(), 2);
    assert_eq!(answer.body["result"]["data"]["items"], json!([{"amount": 10.0}]));
}

#[tokio::test]
async fn a_refused_correction_changes_nothing_and_only_finished_jobs_are_corrected() {
    let stack = stack().await;
    put_bill_spec(&stack).await;
    let job_id = id("bill");
    seed_bill(&stack, &job_id, "alice").await;
    let stored = stack.blobs.get(&keys::result(&job_id)).await.unwrap();
    let record = stack.jobs.get(&job_id).await.unwrap();
    let uri = format!("/jobs/{job_id}/fields");
    for (body, status, name) in [
        (
            json!({"edits": [{"op": "replace", "path": "/total", "value": "thirty"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Api.ValueRefused",
        ),
        (json!({"edits": [{"op": "remove", "path": "/total"}]}), StatusCode::UNPROCESSABLE_ENTITY, "Api.ValueRefused"),
        (
            json!({"edits": [{"op": "replace", "path": "/vendor", "value": 7}, {"op": "replace", "path": "/total", "value": 30}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Api.ValueRefused",
        ),
        (
            json!({"edits": [{"op": "replace", "path": "/items/5/amount", "value": 1}]}),
            StatusCode::BAD_REQUEST,
            "Api.InvalidEdit",
        ),
        (
            json!({"edits": [{"op": "copy", "from": "/total", "path": "/vendor"}]}),
            StatusCode::BAD_REQUEST,
            "Api.InvalidEdit",
        ),
        (json!({"edits": []}), StatusCode::BAD_REQUEST, "Api.InvalidEdit"),
        (json!({"edits": [{"op": "rename", "path": "/total"}]}), StatusCode::BAD_REQUEST, "Api.InvalidBody"),
        (
            json!({"edits": [{"op": "replace", "path": "/total", "value": 30}], "by": "bob"}),
            StatusCode::BAD_REQUEST,
            "Api.InvalidBody",
        ),
        (json!({"total": 30}), StatusCode::BAD_REQUEST, "Api.InvalidBody"),
    ] {
        let answer = send(&stack.router, "PATCH", &uri, Some("alice"), Some(body.clone())).await;
        assert_eq!((answer.status, answer.error_name()), (status, name), "{body}: {}", answer.body);
    }
    let refused = send(
        &stack.router,
        "PATCH",
        &uri,
        Some("alice"),
        Some(json!({"edits": [{"op": "replace", "path": "/total", "value": "thirty"}]})),
    )
    .await;
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("/total"), "{}", refused.body);
    assert_eq!(stack.blobs.get(&keys::result(&job_id)).await.unwrap(), stored, "nothing was written");
    assert_eq!(stack.jobs.get(&job_id).await.unwrap(), record);
    assert_eq!(messages(&stack.sqs, &stack.corrected_queue, 0).await, Vec::<Value>::new(), "nothing was announced");

    let edit = json!({"edits": [{"op": "replace", "path": "/total", "value": 30}]});
    let (running, failed) = (id("running"), id("failed"));
    seed(&stack, &running, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running]).await;
    seed(&stack, &failed, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Failed]).await;
    for job_id in [&running, &failed] {
        let answer =
            send(&stack.router, "PATCH", &format!("/jobs/{job_id}/fields"), Some("alice"), Some(edit.clone())).await;
        assert_eq!((answer.status, answer.error_name()), (StatusCode::CONFLICT, "Api.JobNotEditable"));
    }
    let lost = id("lost");
    seed(&stack, &lost, "alice", "2026-03-01T10:00:00Z", &[JobStatus::Running, JobStatus::Succeeded]).await;
    let answer = send(&stack.router, "PATCH", &format!("/jobs/{lost}/fields"), Some("alice"), Some(edit)).await;
    assert_eq!((answer.status, answer.error_name()), (StatusCode::NOT_FOUND, "Api.ResultNotFound"));
}
