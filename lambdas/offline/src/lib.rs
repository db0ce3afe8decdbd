//! The offline extractor: fills a spec from a document's positioned words with no network
//! and no model. It is layout-aware and driven by the spec's hints:
//!
//! 1. an embedded e-invoice (Factur-X / ZUGFeRD / XRechnung CII, or UBL) is read first and
//!    is the answer wherever it has one (confidence 1.0); disagreements with the page are
//!    noted for the reviewer;
//! 2. for every field, its `x-docex-labels` are found on the lines of every page (folded:
//!    case, diacritics and punctuation do not matter; whole words only; a longer label
//!    hides the shorter ones inside it), and the value is read right of the label on the
//!    same line or in the nearest line below that overlaps it, then parsed by the field's
//!    kind and scored;
//! 3. unlabelled fallbacks fill what labels did not: the currency from the symbols and
//!    codes next to amounts, the first date for an issue date, the seller from legal-form
//!    names (GmbH, B.V., Inc., ...) repeated on the page, VAT ids by pattern;
//! 4. tables (`line_items`) are read under their header row by column;
//! 5. contracts: parties, governing law and term from sentence patterns.
//!
//! Confidence: a specific label with a clean parse scores about 0.9, a generic label about
//! 0.8, a fallback guess 0.35 to 0.55.

mod contract;
mod einvoice;
mod fields;
mod layout;
mod legal;
mod table;
mod tender;

use std::panic::{AssertUnwindSafe, catch_unwind};

use async_trait::async_trait;
use docex_core::{DocexError, Document, Extraction, Extractor, Spec, panic_message};

pub use einvoice::{EInvoice, read_einvoice};

/// The offline extractor. Stateless; cheap to create.
#[derive(Debug, Clone, Default)]
pub struct OfflineExtractor;

impl OfflineExtractor {
    pub fn new() -> OfflineExtractor {
        OfflineExtractor
    }

    /// Extracts synchronously; [`Extractor::extract`] calls this.
    pub fn extract_sync(&self, document: &Document, spec: &Spec) -> Extraction {
        let mut extraction = fields::extract_from_pages(document, spec);
        if let Some(invoice) = einvoice::find_einvoice(document) {
            einvoice::merge(invoice, spec, &mut extraction);
        }
        extraction
    }
}

#[async_trait]
impl Extractor for OfflineExtractor {
    fn name(&self) -> &str {
        "offline"
    }

    async fn extract(&self, document: &Document, spec: &Spec) -> Result<Extraction, DocexError> {
        guarded(|| self.extract_sync(document, spec))
    }
}

/// Runs one document's extraction so that a fault in it fails that document with a named
/// error, not the process reading many (`docex eval`, the local engine). A Lambda build
/// aborts on a panic instead, and the workflow retries the task, then dead-letters it.
fn guarded(extract: impl FnOnce() -> Extraction) -> Result<Extraction, DocexError> {
    catch_unwind(AssertUnwindSafe(extract))
        .map_err(|p| DocexError::ExtractionFailed(format!("the offline extractor failed: {}", panic_message(p))))
}

#[cfg(test)]
mod tests;
