//! Agentic extraction: a language model reads the document and fills the spec through a
//! `submit_extraction` tool whose input schema is the spec; docex checks every answer
//! (schema, cross-field rules, quotes on the cited pages) and sends the violations back
//! until the answer passes or the turns run out. See [`agent`] for the loop.
//!
//! One loop over a small [`model::ModelClient`] trait, two providers:
//! - [`bedrock`]: Amazon Bedrock Converse with tool use (aws-sdk-bedrockruntime), configured
//!   by the standard AWS SDK settings, endpoint overrides included;
//! - [`openai`]: any OpenAI-compatible `/v1/chat/completions` server with tool calling
//!   (vLLM, llama.cpp, Ollama).
//!
//! Scanned pages go to the model twice: as their OCR text and as page images (PNG, rendered
//! by the Prepare task within Bedrock's and Claude's size bounds): Converse `image` blocks,
//! or `image_url` data URLs for OpenAI-compatible servers.
//!
//! The provider is chosen by `DOCEX_PROVIDER` (`offline`, `bedrock`, `openai`) or
//! `docex run --provider`, the model by `DOCEX_MODEL` or `--model`. Token usage and its cost
//! ([`prices`]) travel with the extraction, and with a failed one too
//! ([`docex_core::FailedExtraction`]).
//!
//! | variable | meaning |
//! |---|---|
//! | `DOCEX_PROVIDER` | `offline`, `bedrock` or `openai` |
//! | `DOCEX_MODEL` | model id (Bedrock model, inference profile or ARN; the server's model name) |
//! | `DOCEX_MAX_TURNS` | model calls per extraction, fixes and `read_pages` included (default 5) |
//! | `DOCEX_PAGE_CHARS` | characters of page text shown at once (default 60,000) |
//! | `DOCEX_MAX_TOKENS` | output tokens per model call (default 4,096) |
//! | `DOCEX_PRICES` | a JSON price file laid over the shipped `prices.json` |
//! | `DOCEX_PROMPT_CACHE` | `true`: a Bedrock prompt-cache point after the document |
//! | `DOCEX_OPENAI_BASE_URL`, `DOCEX_OPENAI_API_KEY` | the OpenAI-compatible server (else `OPENAI_BASE_URL`, `OPENAI_API_KEY`) |
//!
//! Bedrock takes the standard AWS SDK settings: credentials chain, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.

pub mod agent;
pub mod bedrock;
pub mod model;
pub mod openai;
pub mod prices;
pub mod prompt;

use docex_core::{DocexError, Extractor};

pub use agent::{AgentExtractor, AgentOptions};
pub use prices::PriceTable;

/// Environment variable choosing the provider.
pub const PROVIDER_ENV: &str = "DOCEX_PROVIDER";
/// Environment variable choosing the model.
pub const MODEL_ENV: &str = "DOCEX_MODEL";
/// The OpenAI-compatible server's API root (`http://localhost:8000/v1`); `OPENAI_BASE_URL`
/// is read when it is not set.
pub const OPENAI_BASE_URL_ENV: &str = "DOCEX_OPENAI_BASE_URL";
/// Its API key, if it wants one; `OPENAI_API_KEY` is read when it is not set.
pub const OPENAI_API_KEY_ENV: &str = "DOCEX_OPENAI_API_KEY";

/// `true` to mark the opening message as a Bedrock prompt-cache point (see
/// [`bedrock::BedrockClient::with_prompt_cache`]).
pub const PROMPT_CACHE_ENV: &str = "DOCEX_PROMPT_CACHE";

/// The Bedrock model used when none is configured.
pub const DEFAULT_BEDROCK_MODEL: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
/// The OpenAI-compatible API root used when none is configured.
pub const DEFAULT_OPENAI_BASE_URL: &str = "http://127.0.0.1:8000/v1";

/// Who reads the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// docex's own extractor: no model, no network.
    Offline,
    Bedrock,
    OpenAi,
}

impl Provider {
    pub fn parse(text: &str) -> Result<Provider, DocexError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "offline" => Ok(Provider::Offline),
            "bedrock" => Ok(Provider::Bedrock),
            "openai" => Ok(Provider::OpenAi),
            other => Err(DocexError::InvalidInput(format!(
                "unknown provider {other:?}; the providers are offline, bedrock and openai"
            ))),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Offline => "offline",
            Provider::Bedrock => "bedrock",
            Provider::OpenAi => "openai",
        }
    }

    /// The provider named by `DOCEX_PROVIDER`, if any.
    pub fn from_env() -> Result<Option<Provider>, DocexError> {
        match std::env::var(PROVIDER_ENV) {
            Ok(text) if !text.trim().is_empty() => Provider::parse(&text).map(Some),
            _ => Ok(None),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The extractor for a provider and model (`None`: `DOCEX_MODEL`, else the provider's
/// default). `sdk` is the loaded AWS configuration, needed for Bedrock only.
pub fn build_extractor(
    provider: Provider,
    model: Option<&str>,
    sdk: Option<&aws_config::SdkConfig>,
) -> Result<Box<dyn Extractor>, DocexError> {
    let model = model.map(String::from).or_else(|| env(MODEL_ENV));
    let client: Box<dyn model::ModelClient> = match provider {
        Provider::Offline => return Ok(Box::new(docex_offline::OfflineExtractor::new())),
        Provider::Bedrock => {
            let sdk = sdk.ok_or_else(|| {
                DocexError::InvalidInput("the bedrock provider needs the AWS configuration loaded".into())
            })?;
            let cache = env(PROMPT_CACHE_ENV).is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"));
            Box::new(
                bedrock::BedrockClient::new(sdk, model.as_deref().unwrap_or(DEFAULT_BEDROCK_MODEL))
                    .with_prompt_cache(cache),
            )
        }
        Provider::OpenAi => {
            let model = model.ok_or_else(|| {
                DocexError::InvalidInput(format!("the openai provider needs a model: set {MODEL_ENV} or --model"))
            })?;
            let base = env(OPENAI_BASE_URL_ENV)
                .or_else(|| env("OPENAI_BASE_URL"))
                .unwrap_or_else(|| DEFAULT_OPENAI_BASE_URL.to_string());
            let key = env(OPENAI_API_KEY_ENV).or_else(|| env("OPENAI_API_KEY"));
            Box::new(openai::OpenAiClient::new(&base, key, &model)?)
        }
    };
    Ok(Box::new(AgentExtractor::new(client, PriceTable::from_env()?, AgentOptions::from_env()?)))
}

/// The extractor a Lambda uses: the provider from `DOCEX_PROVIDER` (Bedrock when unset: in
/// AWS the model is the reader), the model from `DOCEX_MODEL`.
pub fn extractor_from_env(sdk: &aws_config::SdkConfig) -> Result<Box<dyn Extractor>, DocexError> {
    let provider = Provider::from_env()?.unwrap_or(Provider::Bedrock);
    build_extractor(provider, None, Some(sdk))
}

/// The extractor for a provider (`None`: `DOCEX_PROVIDER`, else offline), loading the AWS
/// configuration from the environment when the provider is Bedrock. For the command line.
pub async fn extractor_for(provider: Option<Provider>, model: Option<&str>) -> Result<Box<dyn Extractor>, DocexError> {
    let provider = match provider {
        Some(p) => p,
        None => Provider::from_env()?.unwrap_or(Provider::Offline),
    };
    let sdk = match provider {
        Provider::Bedrock => Some(aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await),
        _ => None,
    };
    build_extractor(provider, model, sdk.as_ref())
}
