//! The `api` binary as Lambda runs it, under a local Lambda Runtime API, with moto behind
//! it: real API Gateway REST proxy events (stage in the path, the Lambda authorizer's
//! context with the owner) in, proxy responses (`statusCode`, `headers`, a JSON `body`) out.

use std::time::Duration;

use docex_aws::dynamodb;
use docex_testkit::moto::{self, ACCOUNT_ID, REGION, unique_name};
use docex_testkit::runtime_api::{Function, Reply};
use serde_json::{Value, json};

const ORIGIN: &str = "https://docex.example.com";

async fn api_function() -> Function {
    let sdk = moto::moto().sdk_config().await;
    let s3 = docex_aws::s3::client(&sdk);
    let mut buckets = Vec::new();
    for prefix in ["in", "out", "specs", "templates"] {
        let name = unique_name(prefix);
        s3.create_bucket().bucket(&name).send().await.unwrap();
        buckets.push(name);
    }
    let table = unique_name("jobs");
    dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table).await.unwrap();
    let env = [
        ("AWS_REGION", REGION.to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_ENDPOINT_URL", moto::moto().endpoint().to_string()),
        ("DOCEX_INPUT_BUCKET", buckets[0].clone()),
        ("DOCEX_OUTPUT_BUCKET", buckets[1].clone()),
        ("DOCEX_SPECS_BUCKET", buckets[2].clone()),
        ("DOCEX_TEMPLATES_BUCKET", buckets[3].clone()),
        ("DOCEX_JOBS_TABLE", table),
        ("DOCEX_STATE_MACHINE_ARN", format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:docex")),
        ("DOCEX_ALLOWED_ORIGIN", ORIGIN.to_string()),
    ];
    Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_api")), "api", &env).await.unwrap()
}

/// An API Gateway REST API proxy event (`{proxy+}` resource, stage `prod`).
fn proxy_event(method: &str, path: &str, owner: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({
        "Host": "api123.execute-api.us-east-1.amazonaws.com",
        "Origin": ORIGIN,
        "X-Forwarded-Proto": "https"
    });
    if body.is_some() {
        headers["Content-Type"] = json!("application/json");
    }
    let multi: serde_json::Map<String, Value> =
        headers.as_object().unwrap().iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
    let params: serde_json::Map<String, Value> =
        query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_string(), json!(v))).collect();
    let multi_params: serde_json::Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    let authorizer = match owner {
        Some(owner) => {
            json!({"owner": owner, "email": "", "username": "ada", "principalId": owner, "integrationLatency": 12})
        }
        None => Value::Null,
    };
    json!({
        "resource": "/{proxy+}",
        "path": path_only,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
        "multiValueQueryStringParameters": if multi_params.is_empty() { Value::Null } else { Value::Object(multi_params) },
        "pathParameters": {"proxy": path_only.trim_start_matches('/')},
        "stageVariables": null,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "e-1",
            "requestTime": "01/Mar/2026:10:15:30 +0000",
            "path": format!("/prod{path_only}"),
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "api123",
            "requestTimeEpoch": 1772360130000i64,
            "requestId": "r-1",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "test"},
            "domainName": "api123.execute-api.us-east-1.amazonaws.com",
            "apiId": "api123",
            "authorizer": authorizer
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

/// Sends an event and returns (status, headers by lower-case name, parsed body) of the proxy
/// response.
async fn respond(function: &mut Function, event: Value) -> (i64, Value, Value) {
    let reply = function.invoke(event, Duration::from_secs(60)).await.expect("an answer");
    let Reply::Response(response) = reply else { panic!("the function failed: {reply:?}") };
    assert_eq!(response["isBase64Encoded"], false, "{response}");
    let body: Value = serde_json::from_str(response["body"].as_str().expect("a text body")).expect("a JSON body");
    // REST API responses carry their headers as `multiValueHeaders` (name → list of values).
    let headers: serde_json::Map<String, Value> = response["multiValueHeaders"]
        .as_object()
        .expect("multiValueHeaders")
        .iter()
        .map(|(name, values)| (name.to_ascii_lowercase(), values[0].clone()))
        .collect();
    (response["statusCode"].as_i64().expect("a statusCode"), Value::Object(headers), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_lambda_answers_proxy_events_for_the_authorized_user() {
    let mut function = api_function().await;

    let create = json!({"document": "invoice.pdf", "spec": "invoice"});
    let (status, headers, body) =
        respond(&mut function, proxy_event("POST", "/jobs", Some("u-ada"), Some(create))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let job_id = body["job"]["job_id"].as_str().unwrap().to_string();
    assert_eq!(headers["location"], format!("/jobs/{job_id}"));
    assert_eq!(body["job"]["owner"], "u-ada");
    assert_eq!(body["upload"]["method"], "PUT");

    let (status, _, body) =
        respond(&mut function, proxy_event("GET", &format!("/jobs/{job_id}"), Some("u-ada"), None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["job"]["status"], "QUEUED");
    assert_eq!(body["history"].as_array().unwrap().len(), 1);

    let (status, _, body) =
        respond(&mut function, proxy_event("GET", "/jobs?limit=5&status=QUEUED", Some("u-ada"), None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["jobs"][0]["job_id"], job_id.as_str());

    // Another user, and no user at all.
    let (status, _, body) =
        respond(&mut function, proxy_event("GET", &format!("/jobs/{job_id}"), Some("u-eve"), None)).await;
    assert_eq!((status, body["error"]["name"].as_str()), (404, Some("Api.JobNotFound")));
    let (status, headers, body) = respond(&mut function, proxy_event("GET", "/jobs", None, None)).await;
    assert_eq!((status, body["error"]["name"].as_str()), (401, Some("Api.Unauthorized")));
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);

    // A malformed body is a named error, not a failed invocation.
    let mut event = proxy_event("POST", "/jobs", Some("u-ada"), None);
    event["headers"]["Content-Type"] = json!("application/json");
    event["body"] = json!("{\"document\": ");
    let (status, _, body) = respond(&mut function, event).await;
    assert_eq!((status, body["error"]["name"].as_str()), (400, Some("Api.MalformedJson")));

    let (status, _, body) = respond(&mut function, proxy_event("GET", "/health", None, None)).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    assert!(function.init_duration().is_some());
}
