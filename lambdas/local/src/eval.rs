//! `docex eval`: runs the documents of a manifest (the format of the shared evaluation
//! data: `file`, `doc_type`, `ground_truth`, optionally `split`) through the reader and the
//! extractor, and scores them with `docex_eval`: per-field precision, recall, F1 and
//! exact-match accuracy, line items paired row to row by optimal assignment, and the
//! calibration of the extractor's confidences against the spec's review threshold. The
//! report prints as a table, serialises as JSON and renders to PDF with docex-eval's Typst
//! template.

use std::path::{Path, PathBuf};
use std::time::Instant;

use docex_core::{DocexError, DocumentReader, Extractor, FieldKind, FieldSpec, Spec, finalize};
use docex_eval::{DocumentResult, EvalReport, Tolerances, ValueKind, score_field, summarise};
use docex_render::{ReportDate, TemplateSource, TypstRenderer};
use serde::Deserialize;
use serde_json::Value;

pub use docex_eval::table;

/// The fields the headline accuracy is computed over, per spec.
pub fn core_fields(spec: &str) -> &'static [&'static str] {
    match spec {
        "invoice" => &["invoice_number", "issue_date", "total_amount", "currency", "vendor_name"],
        "receipt" => &["company", "date", "address", "total"],
        "contract" => &["effective_date", "jurisdiction", "party", "term"],
        _ => &[],
    }
}

/// Which manifest `doc_type` a spec reads.
fn doc_type_of(spec: &str) -> &str {
    match spec {
        "contract" => "contract_nda",
        other => other,
    }
}

/// Which documents of the manifest to evaluate, by their `split`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// Every document, with or without a split.
    All,
    /// Only documents whose `split` is this name.
    Named(String),
}

impl Split {
    /// `all`, `dev`, `heldout` (or `held_out`, the manifest's spelling), or any other name.
    pub fn parse(text: &str) -> Split {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" | "" => Split::All,
            "heldout" | "held-out" | "held_out" => Split::Named("held_out".into()),
            other => Split::Named(other.to_string()),
        }
    }

    fn keeps(&self, split: Option<&str>) -> bool {
        match self {
            Split::All => true,
            Split::Named(name) => split == Some(name.as_str()),
        }
    }
}

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Where the documents are (default: next to the manifest).
    pub documents_dir: Option<PathBuf>,
    pub split: Split,
    pub tolerances: Tolerances,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { documents_dir: None, split: Split::All, tolerances: Tolerances::default() }
    }
}

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    file: String,
    doc_type: String,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    source: Option<String>,
    ground_truth: serde_json::Map<String, Value>,
}

/// How a spec's field is compared with its ground truth.
pub fn value_kind(field: &FieldSpec) -> ValueKind {
    kind_of(&field.kind)
}

fn kind_of(kind: &FieldKind) -> ValueKind {
    match kind {
        FieldKind::Text | FieldKind::Name | FieldKind::Address | FieldKind::Boolean => ValueKind::Text,
        FieldKind::Identifier => ValueKind::Identifier,
        FieldKind::Date => ValueKind::Date,
        FieldKind::Money | FieldKind::Number | FieldKind::Integer => ValueKind::Number,
        FieldKind::Currency => ValueKind::Currency,
        FieldKind::TextList => ValueKind::List(Box::new(ValueKind::Text)),
        FieldKind::Table(columns) => {
            ValueKind::Table(columns.iter().map(|c| (c.name.clone(), kind_of(&c.kind))).collect())
        }
    }
}

/// Reads a manifest: a JSON array of entries.
fn read_manifest(manifest: &Path) -> Result<Vec<ManifestEntry>, DocexError> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", manifest.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| DocexError::InvalidInput(format!("{} is not a manifest: {e}", manifest.display())))
}

/// Evaluates every document of the manifest whose type the spec reads and whose split the
/// options keep.
pub async fn evaluate(
    spec: &Spec,
    manifest: &Path,
    options: &EvalOptions,
    reader: &dyn DocumentReader,
    extractor: &dyn Extractor,
) -> Result<EvalReport, DocexError> {
    let entries = read_manifest(manifest)?;
    let dir: PathBuf =
        options.documents_dir.clone().unwrap_or_else(|| manifest.parent().unwrap_or(Path::new(".")).to_path_buf());
    let mut documents = Vec::new();
    for entry in
        entries.iter().filter(|e| e.doc_type == doc_type_of(&spec.name) && options.split.keeps(e.split.as_deref()))
    {
        documents.push(evaluate_one(spec, &dir.join(&entry.file), entry, &options.tolerances, reader, extractor).await);
    }
    let core: Vec<String> = core_fields(&spec.name).iter().map(|s| s.to_string()).collect();
    Ok(summarise(&spec.name, &core, spec.review_threshold, options.tolerances, documents))
}

async fn evaluate_one(
    spec: &Spec,
    path: &Path,
    entry: &ManifestEntry,
    tolerances: &Tolerances,
    reader: &dyn DocumentReader,
    extractor: &dyn Extractor,
) -> DocumentResult {
    let start = Instant::now();
    let extracted = async {
        let bytes = std::fs::read(path)
            .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        let document = reader.read(&bytes)?;
        let extraction = extractor.extract(&document, spec).await?;
        Ok::<_, DocexError>(finalize(spec, extraction))
    }
    .await;
    let seconds = start.elapsed().as_secs_f64();
    let (status, error, data, evidence) = match extracted {
        Ok(outcome) => (outcome.status.as_str().to_string(), None, outcome.data, outcome.fields),
        Err(e) => (
            "FAILED".to_string(),
            Some(format!("{}: {e}", docex_core::ErrorName::name(&e))),
            Value::Null,
            Default::default(),
        ),
    };
    // Ground-truth fields the spec does not have are not the extractor's to find.
    let fields = entry
        .ground_truth
        .iter()
        .filter_map(|(name, expected)| {
            let field = spec.field(name)?;
            let confidence = evidence.get(&format!("/{name}")).map(|e| e.confidence);
            Some(score_field(name, &value_kind(field), expected, data.get(name), confidence, tolerances))
        })
        .collect();
    DocumentResult {
        file: entry.file.clone(),
        split: entry.split.clone(),
        source: entry.source.clone(),
        status,
        error,
        seconds,
        fields,
    }
}

/// Renders the report to PDF with docex-eval's template (the report as `/data.json`;
/// the per-document details are left out of the data, the template does not show them).
pub fn render_pdf(report: &EvalReport, today: ReportDate) -> Result<Vec<u8>, DocexError> {
    let mut data = serde_json::to_value(report).map_err(|e| DocexError::InvalidInput(format!("the report: {e}")))?;
    if let Some(object) = data.as_object_mut() {
        object.remove("documents");
    }
    let template = TemplateSource::in_memory(docex_eval::REPORT_TEMPLATE, Default::default());
    TypstRenderer::new(today).render(&template, &data)
}

/// Whether an extracted value matches the ground truth, the kind inferred from the ground
/// truth (numbers within 0.01, dates and currencies normalised, text folded and similar).
pub fn values_match(expected: &Value, got: &Value) -> bool {
    score_field("value", &ValueKind::infer(expected), expected, Some(got), None, &Tolerances::default()).correct
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_compared_after_normalisation() {
        assert!(values_match(&json!(4.11), &json!(4.115)));
        assert!(!values_match(&json!(4.11), &json!(4.13)));
        assert!(values_match(&json!("Coolblue  B.V."), &json!("coolblue b.v.")));
        assert!(!values_match(&json!("Coolblue"), &json!("Coolblue B.V.")));
        assert!(values_match(&json!(["A Inc.", "B LLC"]), &json!(["b llc", "a inc."])));
        assert!(values_match(&json!("2014-08-03"), &json!("03.08.2014")));
    }

    #[test]
    fn splits_are_parsed_with_either_spelling_of_held_out() {
        assert_eq!(Split::parse("heldout"), Split::Named("held_out".into()));
        assert_eq!(Split::parse("held_out"), Split::Named("held_out".into()));
        assert_eq!(Split::parse("all"), Split::All);
        assert!(Split::parse("dev").keeps(Some("dev")));
        assert!(!Split::parse("dev").keeps(None));
        assert!(Split::All.keeps(None));
    }

    #[test]
    fn spec_kinds_decide_the_comparison() {
        let spec = Spec::from_json("invoice", include_str!("../../../specs/invoice.json")).unwrap();
        assert_eq!(value_kind(spec.field("issue_date").unwrap()), ValueKind::Date);
        assert_eq!(value_kind(spec.field("invoice_number").unwrap()), ValueKind::Identifier);
        assert_eq!(value_kind(spec.field("total_amount").unwrap()), ValueKind::Number);
        assert!(matches!(value_kind(spec.field("line_items").unwrap()), ValueKind::Table(_)));
    }
}
