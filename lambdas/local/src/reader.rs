//! The PDF reader behind the [`DocumentReader`] port, with its limits and OCR settings.

use docex_core::{DocexError, Document, DocumentReader};
use docex_pdf::{Limits, OcrOptions, read_pdf};

#[derive(Default)]
pub struct PdfReader {
    pub limits: Limits,
    pub ocr: OcrOptions,
}

impl DocumentReader for PdfReader {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocexError> {
        read_pdf(bytes, &self.limits, &self.ocr)
    }
}
