//! What an extractor returns: the data object, and for every extracted value (by JSON
//! pointer) the evidence it came from and how sure the extractor is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::BBox;

/// Where a value came from and how much to trust it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// From 0 (a guess) to 1 (certain, e.g. read from an embedded e-invoice).
    pub confidence: f64,
    /// The page the value was read from (1-based), when it came from a page.
    pub page: Option<u32>,
    /// The source text the value was read from, verbatim.
    pub text: String,
    /// The box of that text on the page, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
}

/// An extractor's answer for one document and one spec, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Extraction {
    /// The extracted object; keys are the spec's property names.
    pub data: Map<String, Value>,
    /// Evidence per extracted value, keyed by JSON pointer (`/total_amount`,
    /// `/line_items/0/amount`).
    pub fields: BTreeMap<String, FieldEvidence>,
    /// Remarks for a reviewer (disagreements between sources, values left out, ...).
    pub notes: Vec<String>,
    /// Model tokens spent on this extraction and their cost; `None` for extractors that use
    /// no model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// Model tokens used and what they cost, for one call, one chunk or a whole job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Usage {
    /// The model (or models, comma-separated) that did the reading.
    pub model: String,
    /// Model calls made.
    pub calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache.
    #[serde(default)]
    pub cache_read_tokens: u64,
    /// Input tokens written to the provider's prompt cache.
    #[serde(default)]
    pub cache_write_tokens: u64,
    /// In US dollars; `None` when the model has no price in the price table.
    pub cost_usd: Option<f64>,
}

impl Usage {
    /// Adds another's tokens and cost. A cost stays known only while both are known.
    pub fn add(&mut self, other: &Usage) {
        if self.model.is_empty() {
            self.model = other.model.clone();
        } else if !other.model.is_empty() && !self.model.split(", ").any(|m| m == other.model) {
            self.model = format!("{}, {}", self.model, other.model);
        }
        let fresh = self.calls == 0;
        self.calls += other.calls;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            (None, b) if fresh => b,
            _ => None,
        };
    }
}

impl Extraction {
    /// Sets a top-level value with its evidence.
    pub fn set(&mut self, name: &str, value: Value, evidence: FieldEvidence) {
        self.data.insert(name.to_string(), value);
        self.fields.insert(format!("/{}", escape_pointer_token(name)), evidence);
    }
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
