//! The small interface the agent loop talks to a model through, so the loop, the checks and
//! the prompts exist once for every provider: a conversation of messages made of text, page
//! images, tool calls and tool results, a set of tools with JSON Schema inputs, and a reply
//! with its token counts. [`crate::bedrock`] and [`crate::openai`] implement it.

use async_trait::async_trait;
use docex_core::DocexError;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// A page shown to the model as a picture (PNG), beside its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageImage {
    pub page: u32,
    #[serde(skip)]
    pub png: Vec<u8>,
}

/// One piece of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    Text(String),
    /// A page image, in a user message.
    Image(PageImage),
    /// The model calls a tool.
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    /// docex answers a tool call; `error` marks a refused call (a submission with violations).
    /// `images` are pages the answer shows as pictures (a `read_pages` answer).
    ToolResult {
        id: String,
        text: String,
        error: bool,
        images: Vec<PageImage>,
    },
}

impl Block {
    /// A tool result with text only.
    pub fn tool_result(id: String, text: String, error: bool) -> Block {
        Block::ToolResult { id, text, error, images: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Block>,
}

impl Message {
    pub fn user(content: Vec<Block>) -> Message {
        Message { role: Role::User, content }
    }
}

/// A tool the model may call; `input_schema` is a JSON Schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
}

/// Which tool calls the model must make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ToolChoice {
    /// Any one of the tools.
    Any,
    /// This tool.
    Tool(String),
}

/// One model call.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// docex's own instructions; never any document text.
    pub system: &'a str,
    pub messages: &'a [Message],
    pub tools: &'a [Tool],
    pub tool_choice: &'a ToolChoice,
    pub max_tokens: u32,
}

/// Tokens one call used, as the provider reports them. `input` excludes cached tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

/// The model's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub content: Vec<Block>,
    /// The provider's stop reason (`tool_use`, `end_turn`, `max_tokens`, `tool_calls`, ...).
    pub stop_reason: String,
    pub tokens: Tokens,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The input is longer than the model accepts: send fewer pages.
    TooLong(String),
    /// Any other failure, already named (`Docex.Throttled`, `Docex.Transient`, ...).
    Failed(DocexError),
}

impl From<DocexError> for CallError {
    fn from(error: DocexError) -> CallError {
        CallError::Failed(error)
    }
}

/// A model behind some provider's API.
#[async_trait]
pub trait ModelClient: Send + Sync {
    /// `bedrock`, `openai`.
    fn provider(&self) -> &str;
    /// The model id sent with each call (and looked up in the price table).
    fn model(&self) -> &str;
    async fn send(&self, request: &Request<'_>) -> Result<Reply, CallError>;
}

/// Whether a provider's refusal message says the input is too long for the model.
pub(crate) fn says_too_long(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["too long", "too many tokens", "context length", "context window", "maximum context", "too large"]
        .iter()
        .any(|needle| m.contains(needle))
}
