//! The OpenAI-compatible provider: `POST {base}/chat/completions` with function tools, as
//! served by vLLM, llama.cpp's server, Ollama and OpenAI itself. Page images go as
//! `image_url` parts holding `data:image/png;base64,...` URLs in user messages; the images
//! of a `read_pages` answer follow its tool message in a user message of their own (tool
//! messages carry text only).

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use docex_core::DocexError;
use serde_json::{Value, json};

use crate::model::{
    Block, CallError, Message, ModelClient, PageImage, Reply, Request, Role, Tokens, ToolChoice, says_too_long,
};

/// How long one call may take before it counts as a transient failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// A model behind an OpenAI-compatible chat completions endpoint.
pub struct OpenAiClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<String>,
    model: String,
}

impl OpenAiClient {
    /// `base_url` is the API root that `/chat/completions` is appended to
    /// (`http://localhost:8000/v1`); `api_key`, when given, is sent as a bearer token.
    pub fn new(base_url: &str, api_key: Option<String>, model: &str) -> Result<OpenAiClient, DocexError> {
        let http = reqwest::Client::builder()
            .timeout(DEFAULT_TIMEOUT)
            .build()
            .map_err(|e| DocexError::ExtractionFailed(format!("cannot build the HTTP client: {e}")))?;
        Ok(OpenAiClient {
            http,
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            api_key: api_key.filter(|k| !k.is_empty()),
            model: model.to_string(),
        })
    }

    /// The request body for a call.
    pub fn body(&self, request: &Request<'_>) -> Value {
        let mut messages = vec![json!({"role": "system", "content": request.system})];
        for message in request.messages {
            messages.extend(to_messages(message));
        }
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function": {
                    "name": t.name, "description": t.description, "parameters": t.input_schema
                }})
            })
            .collect();
        let tool_choice = match request.tool_choice {
            ToolChoice::Any => json!("required"),
            ToolChoice::Tool(name) => json!({"type": "function", "function": {"name": name}}),
        };
        json!({
            "model": self.model, "messages": messages, "tools": tools, "tool_choice": tool_choice,
            "max_tokens": request.max_tokens, "temperature": 0
        })
    }
}

#[async_trait]
impl ModelClient for OpenAiClient {
    fn provider(&self) -> &str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn send(&self, request: &Request<'_>) -> Result<Reply, CallError> {
        let mut call = self.http.post(&self.url).json(&self.body(request));
        if let Some(key) = &self.api_key {
            call = call.bearer_auth(key);
        }
        let response = call.send().await.map_err(|e| {
            CallError::Failed(DocexError::Transient(format!("the model server at {} did not answer: {e}", self.url)))
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            CallError::Failed(DocexError::Transient(format!("the model server's answer was cut off: {e}")))
        })?;
        if !status.is_success() {
            return Err(status_error(status.as_u16(), &text));
        }
        let body: Value = serde_json::from_str(&text).map_err(|e| {
            CallError::Failed(DocexError::Transient(format!("the model server answered with something not JSON: {e}")))
        })?;
        Ok(from_completion(&body))
    }
}

fn status_error(status: u16, body: &str) -> CallError {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let error = v.get("error")?;
            error.get("message").and_then(Value::as_str).map(String::from).or_else(|| error.as_str().map(String::from))
        })
        .unwrap_or_else(|| body.chars().take(300).collect());
    let text = format!("the model server answered {status}: {message}");
    CallError::Failed(match status {
        429 => DocexError::Throttled(text),
        408 | 500 | 502 | 503 | 504 => DocexError::Transient(text),
        400 | 413 if says_too_long(&message) => return CallError::TooLong(text),
        _ => DocexError::ExtractionFailed(text),
    })
}

/// One docex message as chat messages: tool results become `tool` messages of their own.
fn to_messages(message: &Message) -> Vec<Value> {
    let mut out = Vec::new();
    let mut texts = Vec::new();
    let mut calls = Vec::new();
    // Parts of a user message that has images: text and images in their order.
    let mut parts = Vec::new();
    let mut result_images = Vec::new();
    for block in &message.content {
        match block {
            Block::Text(text) => {
                texts.push(text.clone());
                parts.push(json!({"type": "text", "text": text}));
            }
            Block::Image(image) => parts.push(image_part(image)),
            Block::ToolUse { id, name, input } => calls.push(json!({
                "id": id, "type": "function", "function": {"name": name, "arguments": input.to_string()}
            })),
            Block::ToolResult { id, text, error, images } => {
                let content = if *error { format!("Error: {text}") } else { text.clone() };
                out.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
                for image in images {
                    result_images.push(json!({"type": "text", "text": format!("Image of page {}:", image.page)}));
                    result_images.push(image_part(image));
                }
            }
        }
    }
    let has_images = parts.iter().any(|p| p["type"] == "image_url");
    match message.role {
        Role::Assistant => {
            let mut assistant = json!({"role": "assistant", "content": (!texts.is_empty()).then(|| texts.join("\n"))});
            if !calls.is_empty() {
                assistant["tool_calls"] = Value::Array(calls);
            }
            out.insert(0, assistant);
        }
        Role::User if has_images => out.push(json!({"role": "user", "content": parts})),
        Role::User if !texts.is_empty() => out.push(json!({"role": "user", "content": texts.join("\n")})),
        Role::User => {}
    }
    if !result_images.is_empty() {
        out.push(json!({"role": "user", "content": result_images}));
    }
    out
}

/// A page image as a chat content part with a data URL.
fn image_part(image: &PageImage) -> Value {
    let data = base64::engine::general_purpose::STANDARD.encode(&image.png);
    json!({"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{data}")}})
}

fn from_completion(body: &Value) -> Reply {
    let choice = body.pointer("/choices/0");
    let message = choice.and_then(|c| c.get("message"));
    let mut content = Vec::new();
    if let Some(text) = message.and_then(|m| m.get("content")).and_then(Value::as_str).filter(|t| !t.is_empty()) {
        content.push(Block::Text(text.to_string()));
    }
    for (index, call) in
        message.and_then(|m| m.get("tool_calls")).and_then(Value::as_array).into_iter().flatten().enumerate()
    {
        let function = call.get("function");
        let name = function.and_then(|f| f.get("name")).and_then(Value::as_str).unwrap_or_default();
        // Arguments arrive as a JSON string (some servers send an object); text that is not
        // JSON is passed on as a string, for the checks to reject with a reason.
        let input = match function.and_then(|f| f.get("arguments")) {
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        let id = call.get("id").and_then(Value::as_str).map_or_else(|| format!("call_{index}"), String::from);
        content.push(Block::ToolUse { id, name: name.to_string(), input });
    }
    let count = |pointer: &str| body.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
    let cached = count("/usage/prompt_tokens_details/cached_tokens");
    let tokens = Tokens {
        input: count("/usage/prompt_tokens").saturating_sub(cached),
        output: count("/usage/completion_tokens"),
        cache_read: cached,
        cache_write: 0,
    };
    let stop_reason =
        choice.and_then(|c| c.get("finish_reason")).and_then(Value::as_str).unwrap_or_default().to_string();
    Reply { content, stop_reason, tokens }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_results_become_tool_messages_after_the_assistant_call() {
        let assistant = Message {
            role: Role::Assistant,
            content: vec![Block::ToolUse { id: "c1".into(), name: "t".into(), input: json!({"a": 1}) }],
        };
        let out = to_messages(&assistant);
        assert_eq!(out[0]["tool_calls"][0]["function"]["arguments"], "{\"a\":1}");
        let results = Message::user(vec![Block::tool_result("c1".into(), "no".into(), true)]);
        assert_eq!(to_messages(&results), vec![json!({"role": "tool", "tool_call_id": "c1", "content": "Error: no"})]);
    }

    #[test]
    fn page_images_become_data_urls_and_those_of_a_tool_result_follow_it() {
        let image = PageImage { page: 2, png: b"\x89PNG fake".to_vec() };
        let url = "data:image/png;base64,iVBORyBmYWtl";
        let opening = Message::user(vec![Block::Text("read".into()), Block::Image(image.clone())]);
        assert_eq!(
            to_messages(&opening),
            vec![json!({"role": "user", "content": [
                {"type": "text", "text": "read"}, {"type": "image_url", "image_url": {"url": url}}
            ]})]
        );
        let result = Message::user(vec![Block::ToolResult {
            id: "c1".into(),
            text: "<document>".into(),
            error: false,
            images: vec![image],
        }]);
        assert_eq!(
            to_messages(&result),
            vec![
                json!({"role": "tool", "tool_call_id": "c1", "content": "<document>"}),
                json!({"role": "user", "content": [
                    {"type": "text", "text": "Image of page 2:"}, {"type": "image_url", "image_url": {"url": url}}
                ]}),
            ]
        );
    }

    #[test]
    fn status_codes_map_to_named_errors() {
        let name = |e: CallError| match e {
            CallError::Failed(e) => docex_core::ErrorName::name(&e).to_string(),
            CallError::TooLong(_) => "too long".into(),
        };
        assert_eq!(name(status_error(429, r#"{"error": {"message": "slow down"}}"#)), "Docex.Throttled");
        assert_eq!(name(status_error(503, "busy")), "Docex.Transient");
        assert_eq!(name(status_error(400, r#"{"error": {"message": "maximum context length is 8192"}}"#)), "too long");
        assert_eq!(name(status_error(401, "no key")), "Docex.ExtractionFailed");
    }
}
