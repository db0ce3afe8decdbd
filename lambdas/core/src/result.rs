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
