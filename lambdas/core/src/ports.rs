//! Ports: the small traits that adapters implement, so the same task code runs with AWS
//! adapters in a Lambda and with embedded adapters on one machine.

use async_trait::async_trait;
use serde_json::Value;

use crate::document::Document;
use crate::error::DocexError;
use crate::result::Extraction;
use crate::spec::Spec;

/// Reads a document and fills a spec: the offline extractor, or an LLM.
#[async_trait]
pub trait Extractor: Send + Sync {
    /// A short name for logs and results (`offline`, `bedrock`, ...).
    fn name(&self) -> &str;
    async fn extract(&self, document: &Document, spec: &Spec) -> Result<Extraction, DocexError>;
}

/// Turns a result (the JSON object a template reads as `data.json`) into a report PDF.
pub trait Renderer: Send + Sync {
    fn render(&self, template: &str, data: &Value) -> Result<Vec<u8>, DocexError>;
}
