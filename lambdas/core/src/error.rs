//! The errors a task can end with. Each has a stable name (`Docex.*`) that the state
//! machine's `Retry` and `Catch` blocks match on, in AWS and in the local engine alike;
//! renaming one is a breaking change of the workflow contract.

use serde::{Deserialize, Serialize};

/// Every failure docex reports to a user or to the workflow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocexError {
    #[error("the file is empty")]
    EmptyFile,
    #[error("the file is not a PDF: {0}")]
    NotPdf(String),
    #[error("the PDF is damaged and could not be read: {0}")]
    CorruptPdf(String),
    #[error("the PDF is encrypted; remove the password protection and try again")]
    EncryptedPdf,
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("the PDF has {pages} pages, over the limit of {limit} pages")]
    TooManyPages { pages: usize, limit: usize },
    #[error("the PDF exceeds the {limit_name} limit ({detail})")]
    PdfLimitExceeded { limit_name: String, detail: String },
    #[error("{0}")]
    OcrUnavailable(String),
    #[error("the spec is invalid: {0}")]
    SpecInvalid(String),
    #[error("no spec named {0:?}")]
    SpecNotFound(String),
    #[error("the template is invalid: {0}")]
    TemplateInvalid(String),
    #[error("no template named {0:?}")]
    TemplateNotFound(String),
    #[error("rendering the report failed: {0}")]
    RenderFailed(String),
    #[error("extraction failed: {0}")]
    ExtractionFailed(String),
    #[error("the service is throttling requests: {0}")]
    Throttled(String),
    #[error("a transient failure: {0}")]
    Transient(String),
    #[error("storage failed: {0}")]
    Storage(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// An error the workflow caught earlier, raised again under its own name (which may be
    /// a `States.*` or `Lambda.*` name) so that the execution ends with it.
    #[error("{}", .0.message)]
    Reraised(ErrorReport),
}

/// The stable, machine-readable name of an error, as the workflow sees it.
pub trait ErrorName {
    fn name(&self) -> &str;
}

impl ErrorName for DocexError {
    fn name(&self) -> &str {
        use DocexError::*;
        match self {
            EmptyFile => "Docex.EmptyFile",
            NotPdf(_) => "Docex.NotPdf",
            CorruptPdf(_) => "Docex.CorruptPdf",
            EncryptedPdf => "Docex.EncryptedPdf",
            FileTooLarge { .. } => "Docex.FileTooLarge",
            TooManyPages { .. } => "Docex.TooManyPages",
            PdfLimitExceeded { .. } => "Docex.PdfLimitExceeded",
            OcrUnavailable(_) => "Docex.OcrUnavailable",
            SpecInvalid(_) => "Docex.SpecInvalid",
            SpecNotFound(_) => "Docex.SpecNotFound",
            TemplateInvalid(_) => "Docex.TemplateInvalid",
            TemplateNotFound(_) => "Docex.TemplateNotFound",
            RenderFailed(_) => "Docex.RenderFailed",
            ExtractionFailed(_) => "Docex.ExtractionFailed",
            Throttled(_) => "Docex.Throttled",
            Transient(_) => "Docex.Transient",
            Storage(_) => "Docex.Storage",
            InvalidInput(_) => "Docex.InvalidInput",
            Reraised(report) => &report.name,
        }
    }
}

impl DocexError {
    /// Whether running the same step again may succeed. Deterministic errors (a bad file,
    /// a bad spec) never do; the workflow does not retry them.
    pub fn is_retryable(&self) -> bool {
        matches!(self, DocexError::Throttled(_) | DocexError::Transient(_))
    }

    /// The `{name, message}` pair shown to users and stored with a failed job.
    pub fn to_report(&self) -> ErrorReport {
        ErrorReport { name: self.name().to_string(), message: self.to_string() }
    }
}

/// The message of a task failure's cause. A Lambda reports its cause as a JSON object
/// `{"errorType", "errorMessage"}`; people want the message. Any other cause is kept as is.
pub fn readable_cause(cause: &str) -> String {
    serde_json::from_str::<serde_json::Value>(cause)
        .ok()
        .and_then(|v| v.get("errorMessage").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| cause.to_string())
}

/// The message a caught panic carries (`catch_unwind`'s payload), for the named error it
/// becomes.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

/// An error as it appears in results, job records and API responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    pub name: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lambda_cause_reads_as_its_message_and_other_causes_stay() {
        assert_eq!(readable_cause(r#"{"errorType": "Docex.NotPdf", "errorMessage": "a PNG"}"#), "a PNG");
        assert_eq!(readable_cause("plain words"), "plain words");
        assert_eq!(readable_cause(r#"{"other": 1}"#), r#"{"other": 1}"#);
    }
}
