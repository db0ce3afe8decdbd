//! The `connections` binary as Lambda runs it, under a local Lambda Runtime API, with the
//! connections table in moto: a `$connect` with the authorizer's owner records the
//! connection for that user, one without an owner is refused and records nothing, a
//! `$disconnect` forgets it, and other routes are refused.

use std::time::Duration;

use docex_aws::websocket::{self, Connections};
use docex_testkit::moto::{self, REGION, unique_name};
use docex_testkit::runtime_api::{Function, Reply};
use serde_json::{Value, json};

fn event(route: &str, connection_id: &str, owner: Option<&str>) -> Value {
    let event_type = match route {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    };
    let mut context = json!({
        "routeKey": route,
        "eventType": event_type,
        "extendedRequestId": "e-1",
        "requestTime": "01/Mar/2026:10:15:30 +0000",
        "messageDirection": "IN",
        "stage": "prod",
        "connectedAt": 1772360130000i64,
        "requestTimeEpoch": 1772360130000i64,
        "identity": {"sourceIp": "192.0.2.1"},
        "requestId": "r-1",
        "domainName": "ws123.execute-api.us-east-1.amazonaws.com",
        "connectionId": connection_id,
        "apiId": "ws123"
    });
    if let Some(owner) = owner {
        context["authorizer"] = json!({"owner": owner, "principalId": owner, "integrationLatency": 10});
    }
    if route == "$disconnect" {
        context["disconnectStatusCode"] = json!(1001);
        context["disconnectReason"] = json!("Going away");
    }
    json!({
        "headers": {"Host": "ws123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": {"Host": ["ws123.execute-api.us-east-1.amazonaws.com"]},
        "requestContext": context,
        "isBase64Encoded": false
    })
}

async fn status_of(function: &mut Function, event: Value) -> (i64, Value) {
    match function.invoke(event, Duration::from_secs(60)).await.expect("an answer") {
        Reply::Response(response) => {
            let body: Value = serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap_or_default();
            (response["statusCode"].as_i64().expect("a statusCode"), body)
        }
        other => panic!("the function failed: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_are_recorded_for_the_authorized_user_and_forgotten() {
    let sdk = moto::moto().sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("connections");
    websocket::create_table(&dynamo, &table).await.unwrap();
    let store = Connections::new(dynamo, &table, websocket::management_client(&sdk, moto::moto().endpoint()));
    let env = [
        ("AWS_REGION", REGION.to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_ENDPOINT_URL", moto::moto().endpoint().to_string()),
        ("DOCEX_CONNECTIONS_TABLE", table.clone()),
        ("DOCEX_WEBSOCKET_ENDPOINT", moto::moto().endpoint().to_string()),
    ];
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_connections"));
    let mut function = Function::start(binary, "connections", &env).await.unwrap();

    assert_eq!(status_of(&mut function, event("$connect", "conn-A=", Some("u-ada"))).await.0, 200);
    assert_eq!(status_of(&mut function, event("$connect", "conn-B=", Some("u-ada"))).await.0, 200);
    assert_eq!(status_of(&mut function, event("$connect", "conn-C=", Some("u-eve"))).await.0, 200);
    let mut ada = store.of_owner("u-ada").await.unwrap();
    ada.sort();
    assert_eq!(ada, ["conn-A=", "conn-B="]);
    assert_eq!(store.of_owner("u-eve").await.unwrap(), ["conn-C="]);

    // No owner in the authorizer's context: refused, nothing recorded.
    let (status, body) = status_of(&mut function, event("$connect", "conn-X=", None)).await;
    assert_eq!((status, body["error"]["name"].as_str()), (401, Some("Api.Unauthorized")));
    let mut spoofed = event("$connect", "conn-Y=", None);
    spoofed["headers"]["owner"] = json!("u-ada");
    spoofed["queryStringParameters"] = json!({"owner": "u-ada"});
    assert_eq!(status_of(&mut function, spoofed).await.0, 401);
    let mut ada = store.of_owner("u-ada").await.unwrap();
    ada.sort();
    assert_eq!(ada, ["conn-A=", "conn-B="], "only authorized connections are recorded");

    assert_eq!(status_of(&mut function, event("$disconnect", "conn-A=", None)).await.0, 200);
    assert_eq!(store.of_owner("u-ada").await.unwrap(), ["conn-B="]);
    // A disconnect of a connection never recorded (or already gone) is fine.
    assert_eq!(status_of(&mut function, event("$disconnect", "conn-A=", None)).await.0, 200);

    let (status, body) = status_of(&mut function, event("$default", "conn-B=", Some("u-ada"))).await;
    assert_eq!((status, body["error"]["name"].as_str()), (400, Some("Api.RouteNotFound")));
    assert_eq!(store.of_owner("u-ada").await.unwrap(), ["conn-B="]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_event_is_a_named_error() {
    let env = [
        ("AWS_REGION", REGION.to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_ENDPOINT_URL", moto::moto().endpoint().to_string()),
        ("DOCEX_CONNECTIONS_TABLE", unique_name("connections")),
        ("DOCEX_WEBSOCKET_ENDPOINT", moto::moto().endpoint().to_string()),
    ];
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_connections"));
    let mut function = Function::start(binary, "connections", &env).await.unwrap();
    let reply = function.invoke(json!({"requestContext": "nope"}), Duration::from_secs(60)).await.unwrap();
    assert!(matches!(&reply, Reply::Error { error_type, .. } if error_type == "Docex.InvalidInput"), "{reply:?}");
    let (status, _) = status_of(
        &mut function,
        json!({"requestContext": {"routeKey": "$connect", "connectedAt": 1, "requestTimeEpoch": 1}}),
    )
    .await;
    assert_eq!(status, 400, "an event without a connection id");
}
