//! `docex eval`: runs the documents of a manifest (the format of the shared evaluation
//! data: `file`, `doc_type`, `ground_truth`) through the reader and the extractor, and
//! measures per-field accuracy. A value counts as correct when it equals the ground truth
//! after normalisation: numbers within 0.01, strings compared case-insensitively with
//! whitespace folded, lists as sets of such strings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docex_core::{DocexError, DocumentReader, Extractor, Spec, finalize};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    file: String,
    doc_type: String,
    ground_truth: serde_json::Map<String, Value>,
}

/// One field of one document.
#[derive(Debug, Clone, Serialize)]
pub struct FieldCheck {
    pub field: String,
    pub expected: Value,
    pub got: Option<Value>,
    pub correct: bool,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentEval {
    pub file: String,
    pub status: String,
    pub error: Option<String>,
    pub fields: Vec<FieldCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldAccuracy {
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub spec: String,
    pub documents: Vec<DocumentEval>,
    pub per_field: BTreeMap<String, FieldAccuracy>,
    /// Accuracy over the spec's core fields, every document counted.
    pub core_fields: Vec<String>,
    pub core_accuracy: f64,
    pub overall_accuracy: f64,
}

/// Evaluates every document of the manifest whose type the spec reads. Document files are
/// looked up next to the manifest, or in `documents_dir` when given.
pub async fn evaluate(
    spec: &Spec,
    manifest: &Path,
    documents_dir: Option<&Path>,
    reader: &dyn DocumentReader,
    extractor: &dyn Extractor,
) -> Result<EvalReport, DocexError> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", manifest.display())))?;
    let entries: Vec<ManifestEntry> = serde_json::from_str(&text)
        .map_err(|e| DocexError::InvalidInput(format!("{} is not a manifest: {e}", manifest.display())))?;
    let dir: PathBuf = documents_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.parent().unwrap_or(Path::new(".")).to_path_buf());
    let mut documents = Vec::new();
    for entry in entries.iter().filter(|e| e.doc_type == doc_type_of(&spec.name)) {
        documents.push(evaluate_one(spec, &dir.join(&entry.file), entry, reader, extractor).await);
    }
    Ok(summarise(spec, documents))
}

async fn evaluate_one(
    spec: &Spec,
    path: &Path,
    entry: &ManifestEntry,
    reader: &dyn DocumentReader,
    extractor: &dyn Extractor,
) -> DocumentEval {
    let extracted = async {
        let bytes = std::fs::read(path)
            .map_err(|e| DocexError::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        let document = reader.read(&bytes)?;
        let extraction = extractor.extract(&document, spec).await?;
        Ok::<_, DocexError>(finalize(spec, extraction))
    }
    .await;
    let (status, error, data, fields) = match extracted {
        Ok(outcome) => (outcome.status.as_str().to_string(), None, outcome.data, outcome.fields),
        Err(e) => (
            "FAILED".to_string(),
            Some(format!("{}: {e}", docex_core::ErrorName::name(&e))),
            Value::Null,
            Default::default(),
        ),
    };
    let checks = entry
        .ground_truth
        .iter()
        .filter(|(name, _)| spec.field(name).is_some())
        .map(|(name, expected)| {
            let got = data.get(name).filter(|v| !v.is_null()).cloned();
            FieldCheck {
                field: name.clone(),
                correct: got.as_ref().is_some_and(|g| values_match(expected, g)),
                expected: expected.clone(),
                confidence: fields.get(&format!("/{name}")).map(|e| e.confidence),
                got,
            }
        })
        .collect();
    DocumentEval { file: entry.file.clone(), status, error, fields: checks }
}

fn summarise(spec: &Spec, documents: Vec<DocumentEval>) -> EvalReport {
    let mut per_field: BTreeMap<String, FieldAccuracy> = BTreeMap::new();
    for check in documents.iter().flat_map(|d| &d.fields) {
        let entry =
            per_field.entry(check.field.clone()).or_insert(FieldAccuracy { correct: 0, total: 0, accuracy: 0.0 });
        entry.total += 1;
        entry.correct += usize::from(check.correct);
    }
    for acc in per_field.values_mut() {
        acc.accuracy = ratio(acc.correct, acc.total);
    }
    let core: Vec<String> = core_fields(&spec.name).iter().map(|s| s.to_string()).collect();
    let sum = |filter: &dyn Fn(&str) -> bool| {
        per_field.iter().filter(|(f, _)| filter(f)).fold((0, 0), |(c, t), (_, a)| (c + a.correct, t + a.total))
    };
    let (core_correct, core_total) = sum(&|f| core.iter().any(|c| c == f));
    let (all_correct, all_total) = sum(&|_| true);
    EvalReport {
        spec: spec.name.clone(),
        documents,
        per_field,
        core_fields: core,
        core_accuracy: ratio(core_correct, core_total),
        overall_accuracy: ratio(all_correct, all_total),
    }
}

fn ratio(correct: usize, total: usize) -> f64 {
    if total == 0 { 0.0 } else { correct as f64 / total as f64 }
}

/// Whether an extracted value matches the ground truth after normalisation.
pub fn values_match(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Number(a), Value::Number(b)) => {
            (a.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(f64::NAN)).abs() <= 0.01 + 1e-9
        }
        (Value::Array(a), Value::Array(b)) => {
            let set = |items: &Vec<Value>| {
                let mut v: Vec<String> = items.iter().map(|i| fold(&plain(i))).collect();
                v.sort();
                v
            };
            set(a) == set(b)
        }
        (a, b) => fold(&plain(a)) == fold(&plain(b)),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The report as a table for the terminal.
pub fn table(report: &EvalReport) -> String {
    let mut out = format!("{:<22} {:>8} {:>7} {:>9}\n", "field", "correct", "total", "accuracy");
    for (field, acc) in &report.per_field {
        let marker = if report.core_fields.contains(field) { "*" } else { " " };
        out.push_str(&format!(
            "{:<22} {:>8} {:>7} {:>9.3}\n",
            format!("{field}{marker}"),
            acc.correct,
            acc.total,
            acc.accuracy
        ));
    }
    out.push_str(&format!(
        "\n{} documents; core fields (*) accuracy {:.3}; all fields {:.3}\n",
        report.documents.len(),
        report.core_accuracy,
        report.overall_accuracy
    ));
    for doc in &report.documents {
        let misses: Vec<String> = doc
            .fields
            .iter()
            .filter(|c| !c.correct)
            .map(|c| {
                format!(
                    "{} (expected {}, got {})",
                    c.field,
                    c.expected,
                    c.got.as_ref().map_or("nothing".into(), |g| g.to_string())
                )
            })
            .collect();
        if let Some(error) = &doc.error {
            out.push_str(&format!("  {}: {error}\n", doc.file));
        } else if !misses.is_empty() {
            out.push_str(&format!("  {}: {}\n", doc.file, misses.join("; ")));
        }
    }
    out
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
    }
}
