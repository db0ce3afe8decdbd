//! WebSocket connections against moto through the real DynamoDB and API Gateway management
//! clients: connections recorded per user, a job event pushed to that user's connections
//! only, removal. moto accepts every `PostToConnection` and keeps what was posted to
//! itself, so a second test points the management client at a recording endpoint that
//! speaks the same protocol, to see exactly which connection got which bytes and to answer
//! `GoneException` (410) for a connection that closed without saying goodbye.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docex_aws::websocket::{self, Connections};
use docex_core::job::JobEvent;
use docex_core::outcome::JobStatus;
use docex_testkit::moto::{moto, unique_name};

async fn connections(management_endpoint: Option<&str>) -> Connections {
    let sdk = moto().sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("connections");
    websocket::create_table(&dynamodb, &table).await.unwrap();
    let management = websocket::management_client(&sdk, management_endpoint.unwrap_or(moto().endpoint()));
    Connections::new(dynamodb, table, management)
}

fn event(owner: &str) -> JobEvent {
    JobEvent {
        job_id: "job-1".to_string(),
        owner: owner.to_string(),
        status: JobStatus::Running,
        error: None,
        confidence: None,
        at: "2026-03-01T10:00:00Z".to_string(),
    }
}

#[tokio::test]
async fn events_reach_the_owners_connections_only() {
    let connections = connections(None).await;
    connections.add("conn-a1", "alice").await.unwrap();
    connections.add("conn-a2", "alice").await.unwrap();
    connections.add("conn-b1", "bob").await.unwrap();
    connections.add("conn-a2", "alice").await.unwrap(); // a repeated $connect

    let mut alice = connections.of_owner("alice").await.unwrap();
    alice.sort();
    assert_eq!(alice, ["conn-a1", "conn-a2"]);
    assert_eq!(connections.send_to_owner("alice", &event("alice")).await.unwrap(), 2);
    assert_eq!(connections.send_to_owner("bob", &event("bob")).await.unwrap(), 1);
    assert_eq!(connections.send_to_owner("carol", &event("carol")).await.unwrap(), 0);

    connections.remove("conn-a1").await.unwrap();
    connections.remove("conn-unknown").await.unwrap();
    assert_eq!(connections.of_owner("alice").await.unwrap(), ["conn-a2"]);
    assert_eq!(connections.send_to_owner("alice", &event("alice")).await.unwrap(), 1);
    assert_eq!(connections.of_owner("bob").await.unwrap(), ["conn-b1"]);

    for bad in ["", "a#b", "a\nb"] {
        assert!(connections.add(bad, "alice").await.is_err(), "{bad:?}");
        assert!(connections.add("conn-x", bad).await.is_err(), "{bad:?}");
    }
}

type Posts = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// A management endpoint that records every request (method, path, body) and answers 410
/// `GoneException` for the connections in `gone`, 200 for the others.
fn recording_endpoint(gone: &'static [&'static str]) -> (String, Posts) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let posts: Posts = Arc::default();
    let recorded = posts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            let (head, body) = loop {
                let n = stream.read(&mut buffer).unwrap_or(0);
                request.extend_from_slice(&buffer[..n]);
                if let Some(split) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&request[..split]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= split + 4 + length || n == 0 {
                        break (head, request[split + 4..].to_vec());
                    }
                } else if n == 0 {
                    break (String::from_utf8_lossy(&request).to_string(), Vec::new());
                }
            };
            let mut first = head.lines().next().unwrap_or_default().split(' ');
            let method = first.next().unwrap_or_default().to_string();
            let path = first.next().unwrap_or_default().to_string();
            let is_gone = gone.iter().any(|id| path.ends_with(&format!("/@connections/{id}")));
            recorded.lock().unwrap().push((method, path, body));
            let response = if is_gone {
                let body = r#"{"message":"the connection is gone"}"#;
                format!(
                    "HTTP/1.1 410 Gone\r\nx-amzn-ErrorType: GoneException\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (endpoint, posts)
}

#[tokio::test]
async fn each_connection_gets_the_event_json_and_gone_connections_are_removed() {
    let (endpoint, posts) = recording_endpoint(&["conn-gone"]);
    let connections = connections(Some(&endpoint)).await;
    connections.add("conn-a1", "alice").await.unwrap();
    connections.add("conn-gone", "alice").await.unwrap();
    connections.add("conn-b1", "bob").await.unwrap();

    let sent = event("alice");
    assert_eq!(connections.send_to_owner("alice", &sent).await.unwrap(), 1);
    let by_path: BTreeMap<String, (String, Vec<u8>)> =
        posts.lock().unwrap().iter().map(|(m, p, b)| (p.clone(), (m.clone(), b.clone()))).collect();
    assert_eq!(
        by_path.keys().map(String::as_str).collect::<Vec<_>>(),
        ["/@connections/conn-a1", "/@connections/conn-gone"]
    );
    let (method, body) = &by_path["/@connections/conn-a1"];
    assert_eq!(method, "POST");
    assert_eq!(serde_json::from_slice::<JobEvent>(body).unwrap(), sent);

    // The gone connection was forgotten; bob's was not touched.
    assert_eq!(connections.of_owner("alice").await.unwrap(), ["conn-a1"]);
    assert_eq!(connections.of_owner("bob").await.unwrap(), ["conn-b1"]);
    posts.lock().unwrap().clear();
    assert_eq!(connections.send_to_owner("alice", &sent).await.unwrap(), 1);
    assert_eq!(posts.lock().unwrap().len(), 1);
}
