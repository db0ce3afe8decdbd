//! The Bedrock provider: the Converse API with tool use, through aws-sdk-bedrockruntime.
//! Page images go as `image` content blocks (PNG bytes), in the opening message and in
//! `read_pages` tool results.
//!
//! The client is built from the standard AWS SDK configuration (credentials chain,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`), with the SDK's own
//! retries capped at [`SDK_MAX_ATTEMPTS`]: the workflow retries `Docex.Throttled` and
//! `Docex.Transient` on top, and the two layers must not multiply.

use async_trait::async_trait;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, CachePointBlock, CachePointType, ContentBlock, ConversationRole, ConverseOutput, ImageBlock,
    ImageFormat, ImageSource, InferenceConfiguration, SpecificToolChoice, SystemContentBlock, ToolConfiguration,
    ToolInputSchema, ToolResultBlock, ToolResultContentBlock, ToolResultStatus, ToolSpecification, ToolUseBlock,
};
use aws_smithy_types::{Blob, Document, Number};
use docex_core::DocexError;
use serde_json::Value;

use crate::model::{
    Block, CallError, Message, ModelClient, PageImage, Reply, Request, Role, Tokens, ToolChoice, says_too_long,
};

/// Attempts the SDK makes per call (the first one included).
pub const SDK_MAX_ATTEMPTS: u32 = 2;

/// A Bedrock model reached through Converse.
pub struct BedrockClient {
    client: aws_sdk_bedrockruntime::Client,
    model: String,
    prompt_cache: bool,
}

impl BedrockClient {
    /// A client for `model` (a model id, inference profile id or ARN) from a loaded SDK
    /// configuration; a service-specific endpoint (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`) in it
    /// is honoured.
    pub fn new(sdk: &aws_config::SdkConfig, model: &str) -> BedrockClient {
        let config = aws_sdk_bedrockruntime::config::Builder::from(sdk)
            .retry_config(
                aws_sdk_bedrockruntime::config::retry::RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS),
            )
            .build();
        BedrockClient {
            client: aws_sdk_bedrockruntime::Client::from_conf(config),
            model: model.to_string(),
            prompt_cache: false,
        }
    }

    /// Marks the end of the opening message (instructions and pages) as a prompt-cache
    /// point, so a fix loop re-reads the document from the cache at the cache-read price.
    /// Only for models that support Converse prompt caching; others refuse the request.
    pub fn with_prompt_cache(mut self, on: bool) -> BedrockClient {
        self.prompt_cache = on;
        self
    }
}

#[async_trait]
impl ModelClient for BedrockClient {
    fn provider(&self) -> &str {
        "bedrock"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn send(&self, request: &Request<'_>) -> Result<Reply, CallError> {
        let mut messages = request.messages.iter().map(to_message).collect::<Result<Vec<_>, _>>()?;
        if self.prompt_cache
            && let Some(opening) = messages.first_mut()
        {
            let point = CachePointBlock::builder().r#type(CachePointType::Default).build().map_err(build_error)?;
            opening.content.push(ContentBlock::CachePoint(point));
        }
        let mut tools = ToolConfiguration::builder();
        for tool in request.tools {
            let spec = ToolSpecification::builder()
                .name(&tool.name)
                .description(&tool.description)
                .input_schema(ToolInputSchema::Json(to_document(&tool.input_schema)))
                .build()
                .map_err(build_error)?;
            tools = tools.tools(aws_sdk_bedrockruntime::types::Tool::ToolSpec(spec));
        }
        let choice = match request.tool_choice {
            ToolChoice::Any => aws_sdk_bedrockruntime::types::ToolChoice::Any(AnyToolChoice::builder().build()),
            ToolChoice::Tool(name) => aws_sdk_bedrockruntime::types::ToolChoice::Tool(
                SpecificToolChoice::builder().name(name).build().map_err(build_error)?,
            ),
        };
        let output = self
            .client
            .converse()
            .model_id(&self.model)
            .system(SystemContentBlock::Text(request.system.to_string()))
            .set_messages(Some(messages))
            .tool_config(tools.tool_choice(choice).build().map_err(build_error)?)
            .inference_config(
                InferenceConfiguration::builder().max_tokens(request.max_tokens as i32).temperature(0.0).build(),
            )
            .send()
            .await
            .map_err(call_error)?;
        let content = match output.output() {
            Some(ConverseOutput::Message(message)) => message.content().iter().filter_map(from_block).collect(),
            _ => Vec::new(),
        };
        let tokens = output
            .usage()
            .map(|u| Tokens {
                input: u.input_tokens().max(0) as u64,
                output: u.output_tokens().max(0) as u64,
                cache_read: u.cache_read_input_tokens().unwrap_or(0).max(0) as u64,
                cache_write: u.cache_write_input_tokens().unwrap_or(0).max(0) as u64,
            })
            .unwrap_or_default();
        Ok(Reply { content, stop_reason: output.stop_reason().as_str().to_string(), tokens })
    }
}

fn build_error(e: aws_smithy_types::error::operation::BuildError) -> CallError {
    CallError::Failed(DocexError::ExtractionFailed(format!("cannot build the Bedrock request: {e}")))
}

fn to_message(message: &Message) -> Result<aws_sdk_bedrockruntime::types::Message, CallError> {
    let role = match message.role {
        Role::User => ConversationRole::User,
        Role::Assistant => ConversationRole::Assistant,
    };
    let mut builder = aws_sdk_bedrockruntime::types::Message::builder().role(role);
    for block in &message.content {
        builder = builder.content(match block {
            Block::Text(text) => ContentBlock::Text(text.clone()),
            Block::Image(image) => ContentBlock::Image(image_block(image)?),
            Block::ToolUse { id, name, input } => ContentBlock::ToolUse(
                ToolUseBlock::builder()
                    .tool_use_id(id)
                    .name(name)
                    .input(to_document(input))
                    .build()
                    .map_err(build_error)?,
            ),
            Block::ToolResult { id, text, error, images } => {
                let mut result = ToolResultBlock::builder()
                    .tool_use_id(id)
                    .content(ToolResultContentBlock::Text(text.clone()))
                    .status(if *error { ToolResultStatus::Error } else { ToolResultStatus::Success });
                for image in images {
                    result = result.content(ToolResultContentBlock::Image(image_block(image)?));
                }
                ContentBlock::ToolResult(result.build().map_err(build_error)?)
            }
        });
    }
    builder.build().map_err(build_error)
}

fn image_block(image: &PageImage) -> Result<ImageBlock, CallError> {
    ImageBlock::builder()
        .format(ImageFormat::Png)
        .source(ImageSource::Bytes(Blob::new(image.png.clone())))
        .build()
        .map_err(build_error)
}

/// The blocks docex understands; others (reasoning, citations, ...) are dropped.
fn from_block(block: &ContentBlock) -> Option<Block> {
    match block {
        ContentBlock::Text(text) => Some(Block::Text(text.clone())),
        ContentBlock::ToolUse(tool) => Some(Block::ToolUse {
            id: tool.tool_use_id().to_string(),
            name: tool.name().to_string(),
            input: from_document(tool.input()),
        }),
        _ => None,
    }
}

/// Names a failed call so the workflow knows whether to retry it.
fn call_error(error: SdkError<ConverseError>) -> CallError {
    let service = match &error {
        SdkError::ServiceError(service) => service.err(),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            return CallError::Failed(DocexError::Transient(format!("Bedrock did not answer: {}", describe(&error))));
        }
        _ => {
            return CallError::Failed(DocexError::ExtractionFailed(format!(
                "Bedrock call failed: {}",
                describe(&error)
            )));
        }
    };
    let code = service.code().unwrap_or("unknown error").to_string();
    let message = service.message().unwrap_or_default().to_string();
    let text = format!("Bedrock {code}: {message}");
    CallError::Failed(match service {
        ConverseError::ThrottlingException(_) => DocexError::Throttled(text),
        ConverseError::ServiceUnavailableException(_)
        | ConverseError::ModelTimeoutException(_)
        | ConverseError::InternalServerException(_)
        | ConverseError::ModelNotReadyException(_)
        | ConverseError::ModelErrorException(_) => DocexError::Transient(text),
        ConverseError::ValidationException(_) if says_too_long(&message) => return CallError::TooLong(text),
        _ => DocexError::ExtractionFailed(text),
    })
}

/// An SDK error with its sources, which is where the useful part is.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(crate) fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(map.iter().map(|(k, v)| (k.clone(), to_document(v))).collect()),
    }
}

pub(crate) fn from_document(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(from_document).collect()),
        Document::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), from_document(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_survives_the_round_trip_through_a_document() {
        let value = json!({"a": [1, -2, 2.5, "x", null, true], "b": {"c": {}}});
        assert_eq!(from_document(&to_document(&value)), value);
    }
}
