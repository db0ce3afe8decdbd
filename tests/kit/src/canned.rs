//! A one-shot HTTP endpoint for answers a local emulator cannot give (a throttled
//! EventBridge entry, Step Functions' `RedriveExecution`): it serves exactly one request with
//! a canned status and JSON body, and hands the raw request back so the test can check what
//! the real SDK client sent.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

/// Listens on a free loopback port; returns the endpoint URL and a handle whose result is
/// the request received (head and body, as text). `content_type` is the protocol's, e.g.
/// `application/x-amz-json-1.0`.
pub fn answer_once(status: u16, content_type: &'static str, body: &'static str) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a connection");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).unwrap_or(0);
            request.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&request);
            let complete = text.split_once("\r\n\r\n").is_some_and(|(head, rest)| {
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                rest.len() >= length
            });
            if complete || n == 0 {
                break;
            }
        }
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
        String::from_utf8_lossy(&request).to_string()
    });
    (endpoint, handle)
}
