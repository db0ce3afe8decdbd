//! A fake Amazon Bedrock runtime: an HTTP server on loopback that speaks the Converse
//! REST/JSON wire protocol (`POST /model/{modelId}/converse`), answers from a script, and
//! keeps every request it received (the parsed JSON body, the model id from the path and
//! whether it was SigV4-signed) for the test to inspect.
//!
//! Point the real SDK client at it with `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (or an endpoint
//! override) and dummy credentials. Errors are sent like the service sends them: an HTTP
//! status, the `x-amzn-errortype` header and a `{"message"}` body, so the SDK parses them
//! into its own error types. A request without a SigV4 `Authorization` header is refused as
//! the service would refuse it; a request after the script has run out gets a 500 with a
//! message saying so.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::scripted::Server;

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A Converse response body, sent with status 200.
    Ok(Value),
    /// A service error: status, error type (`ThrottlingException`, ...) and message.
    Error { status: u16, error_type: String, message: String },
}

impl Reply {
    /// The model calls a tool (stop reason `tool_use`), with a default token usage.
    pub fn tool_use(id: &str, name: &str, input: Value) -> Reply {
        Reply::message(json!([{"toolUse": {"toolUseId": id, "name": name, "input": input}}]), "tool_use")
    }

    /// The model answers with text only (stop reason `end_turn`).
    pub fn text(text: &str) -> Reply {
        Reply::message(json!([{"text": text}]), "end_turn")
    }

    /// An assistant message with the given content blocks and stop reason.
    pub fn message(content: Value, stop_reason: &str) -> Reply {
        Reply::Ok(json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop_reason,
            "usage": {"inputTokens": 1000, "outputTokens": 200, "totalTokens": 1200},
            "metrics": {"latencyMs": 420}
        }))
    }

    /// Replaces the token usage of a successful reply.
    pub fn with_usage(mut self, input: u64, output: u64, cache_read: u64, cache_write: u64) -> Reply {
        if let Reply::Ok(body) = &mut self {
            body["usage"] = json!({
                "inputTokens": input, "outputTokens": output, "totalTokens": input + output + cache_read + cache_write,
                "cacheReadInputTokens": cache_read, "cacheWriteInputTokens": cache_write
            });
        }
        self
    }

    pub fn error(status: u16, error_type: &str, message: &str) -> Reply {
        Reply::Error { status, error_type: error_type.into(), message: message.into() }
    }

    pub fn throttling() -> Reply {
        Reply::error(429, "ThrottlingException", "Too many requests, please wait before trying again.")
    }

    pub fn service_unavailable() -> Reply {
        Reply::error(503, "ServiceUnavailableException", "Service is temporarily unavailable.")
    }

    pub fn model_timeout() -> Reply {
        Reply::error(408, "ModelTimeoutException", "Model has timed out in processing the request.")
    }

    pub fn validation(message: &str) -> Reply {
        Reply::error(400, "ValidationException", message)
    }
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The model id from the path, percent-decoded.
    pub model_id: String,
    /// The request body as JSON (`Value::Null` if it was not JSON).
    pub body: Value,
    /// Whether the request carried a SigV4 `Authorization` header and an `x-amz-date`.
    pub signed: bool,
}

/// An `image` content block of a request, its bytes decoded from the wire's base64.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSent {
    /// The message it is in (0 for the first).
    pub message: usize,
    /// `png`, `jpeg`, ...
    pub format: String,
    /// `None` when the block's bytes are not valid base64.
    pub bytes: Option<Vec<u8>>,
}

impl Received {
    /// Every image the request carries, in order: in the messages' content and inside
    /// their tool results.
    pub fn images(&self) -> Vec<ImageSent> {
        use base64::Engine;
        let mut images = Vec::new();
        let messages = self.body["messages"].as_array().cloned().unwrap_or_default();
        for (index, message) in messages.iter().enumerate() {
            for block in message["content"].as_array().into_iter().flatten() {
                let nested = block["toolResult"]["content"].as_array().cloned().unwrap_or_default();
                for image in std::iter::once(block).chain(nested.iter()).filter_map(|b| b.get("image")) {
                    let bytes = image["source"]["bytes"]
                        .as_str()
                        .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok());
                    let format = image["format"].as_str().unwrap_or_default().to_string();
                    images.push(ImageSent { message: index, format, bytes });
                }
            }
        }
        images
    }
}

/// One request and the reply it got.
pub type Exchange = crate::scripted::Exchange<Received, Reply>;

type Script = crate::scripted::Script<Received, Reply>;

/// A running fake Bedrock runtime. Stops when dropped.
pub struct FakeBedrock {
    /// `http://127.0.0.1:PORT`, the value for `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
    pub url: String,
    script: Script,
    _server: Server,
}

impl FakeBedrock {
    /// Starts a server on a free loopback port that answers with `replies`, in order.
    pub fn start(replies: Vec<Reply>) -> FakeBedrock {
        let script = Script::new(replies);
        let router = Router::new().route("/model/{model_id}/converse", post(converse)).with_state(script.clone());
        let server = Server::start(router);
        FakeBedrock { url: server.url.clone(), script, _server: server }
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Received> {
        self.script.requests()
    }

    /// The requests received so far with the replies they got.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.script.exchanges()
    }

    /// Scripted replies not sent yet.
    pub fn remaining(&self) -> usize {
        self.script.remaining()
    }
}

async fn converse(
    State(script): State<Script>,
    Path(model_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let signed =
        header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=") && !header("x-amz-date").is_empty();
    if !signed {
        return error_response(&Reply::error(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    }
    let request = Received { model_id, body: serde_json::from_slice(&body).unwrap_or(Value::Null), signed };
    let reply =
        script.answer(request, || Reply::error(500, "InternalServerException", "the fake server's script has run out"));
    match &reply {
        Reply::Ok(body) => (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response(),
        Reply::Error { .. } => error_response(&reply),
    }
}

fn error_response(reply: &Reply) -> Response {
    let Reply::Error { status, error_type, message } = reply else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let error_header = format!("{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/");
    (
        status,
        [("content-type", "application/json".to_string()), ("x-amzn-errortype", error_header)],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}
