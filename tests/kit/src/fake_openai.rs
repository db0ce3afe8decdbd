//! A fake OpenAI-compatible model server (the `/v1/chat/completions` API that vLLM,
//! llama.cpp and Ollama serve): answers from a script and keeps every request body it
//! received, with its `Authorization` header, for the test to inspect. Errors are sent as
//! such servers send them: a status and `{"error": {"message", "type"}}`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::scripted::Server;

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A chat completion body, sent with status 200.
    Ok(Value),
    /// An error: status and message.
    Error { status: u16, message: String },
}

impl Reply {
    /// The model calls one tool (finish reason `tool_calls`), with a default token usage.
    pub fn tool_call(id: &str, name: &str, arguments: Value) -> Reply {
        Reply::completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}}
            ]}),
            "tool_calls",
        )
    }

    /// The model answers with text only (finish reason `stop`).
    pub fn text(text: &str) -> Reply {
        Reply::completion(json!({"role": "assistant", "content": text}), "stop")
    }

    /// A completion with one choice holding `message`.
    pub fn completion(message: Value, finish_reason: &str) -> Reply {
        Reply::Ok(json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 150, "total_tokens": 1050}
        }))
    }

    /// Replaces the token usage of a successful reply (`cached` as
    /// `prompt_tokens_details.cached_tokens`).
    pub fn with_usage(mut self, prompt: u64, completion: u64, cached: u64) -> Reply {
        if let Reply::Ok(body) = &mut self {
            body["usage"] = json!({
                "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached}
            });
        }
        self
    }

    pub fn error(status: u16, message: &str) -> Reply {
        Reply::Error { status, message: message.into() }
    }
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The request body as JSON (`Value::Null` if it was not JSON).
    pub body: Value,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
}

/// One request and the reply it got.
pub type Exchange = crate::scripted::Exchange<Received, Reply>;

type Script = crate::scripted::Script<Received, Reply>;

/// A running fake OpenAI-compatible server. Stops when dropped.
pub struct FakeOpenAi {
    /// `http://127.0.0.1:PORT/v1`, the base URL a client appends `/chat/completions` to.
    pub base_url: String,
    script: Script,
    _server: Server,
}

impl FakeOpenAi {
    /// Starts a server on a free loopback port that answers with `replies`, in order.
    pub fn start(replies: Vec<Reply>) -> FakeOpenAi {
        let script = Script::new(replies);
        let router = Router::new().route("/v1/chat/completions", post(completions)).with_state(script.clone());
        let server = Server::start(router);
        FakeOpenAi { base_url: format!("{}/v1", server.url), script, _server: server }
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Received> {
        self.script.requests()
    }

    /// The requests received so far with the replies they got.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.script.exchanges()
    }
}

async fn completions(State(script): State<Script>, headers: HeaderMap, body: Bytes) -> Response {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
    let request = Received { body: serde_json::from_slice(&body).unwrap_or(Value::Null), authorization };
    let reply = script.answer(request, || Reply::error(500, "the fake server's script has run out"));
    match reply {
        Reply::Ok(body) => (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response(),
        Reply::Error { status, message } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [("content-type", "application/json")],
            json!({"error": {"message": message, "type": "server_error", "code": status}}).to_string(),
        )
            .into_response(),
    }
}
