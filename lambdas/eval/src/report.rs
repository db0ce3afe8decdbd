//! The evaluation report: scored documents summed up per field (every column of a table
//! its own row `name[].column`), over the core fields and over all fields, per split and
//! per source of the manifest, with the calibration of the confidences; printed as a table.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calibration::{Calibration, DEFAULT_BINS, calibrate};
use crate::compare::Tolerances;
use crate::metrics::{Counts, FieldOutcome};

/// One document, scored.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentResult {
    pub file: String,
    /// The manifest's split (`dev`, `held_out`), when it names one.
    pub split: Option<String>,
    /// The manifest's source (where or what the document comes from), when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub status: String,
    pub error: Option<String>,
    /// Seconds spent reading and extracting.
    pub seconds: f64,
    pub fields: Vec<FieldOutcome>,
}

/// The figures of one field (or of a group of fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMetrics {
    /// Exactly right values, and labelled values (documents for a field; cells for a
    /// column): `accuracy` = `correct` / `total`.
    pub correct: usize,
    pub total: usize,
    pub accuracy: Option<f64>,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl From<&Counts> for FieldMetrics {
    fn from(c: &Counts) -> Self {
        FieldMetrics {
            correct: c.exact,
            total: c.labelled,
            accuracy: c.accuracy(),
            tp: c.tp,
            fp: c.fp,
            fn_: c.fn_,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
        }
    }
}

/// The headline figures of a set of documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub failed: usize,
    /// Over the spec's core fields (their values, not their columns).
    pub core: FieldMetrics,
    /// Over every top-level field.
    pub all: FieldMetrics,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub spec: String,
    pub tolerances: Tolerances,
    pub documents: Vec<DocumentResult>,
    /// Every top-level field, and every column of a table as `name[].column`.
    pub per_field: BTreeMap<String, FieldMetrics>,
    pub core_fields: Vec<String>,
    /// Exact-match accuracy over the core fields, every document counted.
    pub core_accuracy: f64,
    /// Exact-match accuracy over all top-level fields.
    pub overall_accuracy: f64,
    pub summary: Summary,
    /// The same summary for each split of the manifest.
    pub splits: BTreeMap<String, Summary>,
    /// The same summary for each source the manifest names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, Summary>,
    pub calibration: Calibration,
    /// Documents per second through reading and extraction.
    pub documents_per_s: Option<f64>,
}

/// Sums up scored documents. `review_threshold` is the spec's; calibration uses the
/// top-level values that carry a confidence.
pub fn summarise(
    spec: &str,
    core_fields: &[String],
    review_threshold: f64,
    tolerances: Tolerances,
    documents: Vec<DocumentResult>,
) -> EvalReport {
    let mut per_field: BTreeMap<String, Counts> = BTreeMap::new();
    for outcome in documents.iter().flat_map(|d| &d.fields) {
        per_field.entry(outcome.field.clone()).or_default().merge(&outcome.counts);
        for (column, counts) in &outcome.columns {
            per_field.entry(format!("{}[].{column}", outcome.field)).or_default().merge(counts);
        }
    }
    let samples: Vec<(f64, bool)> =
        documents.iter().flat_map(|d| &d.fields).filter_map(|f| Some((f.confidence?, f.correct))).collect();
    let summary = summary_of(documents.iter(), core_fields);
    let splits = grouped(&documents, |d| d.split.as_ref(), core_fields);
    let sources = grouped(&documents, |d| d.source.as_ref(), core_fields);
    let seconds: f64 = documents.iter().map(|d| d.seconds).sum();
    EvalReport {
        spec: spec.to_string(),
        tolerances,
        per_field: per_field.iter().map(|(k, c)| (k.clone(), FieldMetrics::from(c))).collect(),
        core_fields: core_fields.to_vec(),
        core_accuracy: summary.core.accuracy.unwrap_or(0.0),
        overall_accuracy: summary.all.accuracy.unwrap_or(0.0),
        summary,
        splits,
        sources,
        calibration: calibrate(&samples, DEFAULT_BINS, review_threshold),
        documents_per_s: (seconds > 0.0).then(|| documents.len() as f64 / seconds),
        documents,
    }
}

/// A summary per value of a document's key (its split, its source); documents without one
/// are in none.
fn grouped(
    documents: &[DocumentResult],
    key: impl Fn(&DocumentResult) -> Option<&String>,
    core_fields: &[String],
) -> BTreeMap<String, Summary> {
    let names: std::collections::BTreeSet<&String> = documents.iter().filter_map(&key).collect();
    names
        .into_iter()
        .map(|name| (name.clone(), summary_of(documents.iter().filter(|d| key(d) == Some(name)), core_fields)))
        .collect()
}

fn summary_of<'a>(documents: impl Iterator<Item = &'a DocumentResult>, core_fields: &[String]) -> Summary {
    let (mut core, mut all) = (Counts::default(), Counts::default());
    let (mut count, mut failed) = (0, 0);
    for document in documents {
        count += 1;
        failed += usize::from(document.error.is_some());
        for outcome in &document.fields {
            all.merge(&outcome.counts);
            if core_fields.contains(&outcome.field) {
                core.merge(&outcome.counts);
            }
        }
    }
    Summary { documents: count, failed, core: FieldMetrics::from(&core), all: FieldMetrics::from(&all) }
}

fn figure(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.3}"))
}

/// The report as tables for the terminal: per field, the headline figures (per split, and
/// per source where sources group documents), the calibration, and the values each
/// document got wrong.
pub fn table(report: &EvalReport) -> String {
    // A source per document (a file's origin) says nothing the list of misses does not.
    let show_sources = report.sources.len() > 1 && report.sources.len() < report.summary.documents;
    let sources = report.sources.iter().filter(|_| show_sources);
    // The first column is as wide as its longest name ("core, <source> (<documents>)").
    let width = sources
        .clone()
        .chain(&report.splits)
        .map(|(name, summary)| format!("core, {name} ({})", summary.documents).chars().count())
        .chain(report.per_field.keys().map(|field| field.chars().count() + 1))
        .fold(36, usize::max);
    let mut out = format!(
        "{:<width$} {:>7} {:>5} {:>9} {:>4} {:>4} {:>4} {:>9} {:>6} {:>6}\n",
        "field", "correct", "total", "accuracy", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    let row = |name: &str, m: &FieldMetrics| {
        format!(
            "{:<width$} {:>7} {:>5} {:>9} {:>4} {:>4} {:>4} {:>9} {:>6} {:>6}\n",
            name,
            m.correct,
            m.total,
            figure(m.accuracy),
            m.tp,
            m.fp,
            m.fn_,
            figure(m.precision),
            figure(m.recall),
            figure(m.f1)
        )
    };
    for (field, metrics) in &report.per_field {
        let marker = if report.core_fields.contains(field) { "*" } else { "" };
        out.push_str(&row(&format!("{field}{marker}"), metrics));
    }
    out.push('\n');
    out.push_str(&row("core fields (*)", &report.summary.core));
    out.push_str(&row("all fields", &report.summary.all));
    for (split, summary) in &report.splits {
        out.push_str(&row(&format!("core, {split} ({})", summary.documents), &summary.core));
    }
    for (source, summary) in sources {
        out.push_str(&row(&format!("core, {source} ({})", summary.documents), &summary.core));
    }
    let c = &report.calibration;
    out.push_str(&format!(
        "\n{} documents ({} failed){}; numbers within {}, text similarity at least {}\n",
        report.summary.documents,
        report.summary.failed,
        report.documents_per_s.map(|d| format!(", {d:.1} documents/s")).unwrap_or_default(),
        report.tolerances.number,
        report.tolerances.similarity
    ));
    out.push_str(&format!(
        "calibration: {} values with a confidence, ECE {}; accuracy at or above the review threshold {} {} ({} values), below {} ({} values)\n",
        c.values,
        figure(c.ece),
        c.review_threshold,
        figure(c.above.accuracy),
        c.above.count,
        figure(c.below.accuracy),
        c.below.count
    ));
    for doc in &report.documents {
        let misses: Vec<String> = doc
            .fields
            .iter()
            .filter(|f| !f.exact)
            .map(|f| {
                let got = f.got.as_ref().map_or("nothing".into(), |g| short(&g.to_string()));
                let how = if f.correct { "similar" } else { "wrong" };
                format!("{} {how} (expected {}, got {got})", f.field, short(&f.expected.to_string()))
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

/// At most 80 characters of a value, for the list of misses.
fn short(text: &str) -> String {
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::ValueKind;
    use crate::metrics::score_field;
    use serde_json::json;

    fn document(file: &str, split: &str, fields: Vec<FieldOutcome>) -> DocumentResult {
        DocumentResult {
            file: file.into(),
            split: Some(split.into()),
            source: Some(format!("generator {}", &file[..1])),
            status: "SUCCEEDED".into(),
            error: None,
            seconds: 0.5,
            fields,
        }
    }

    #[test]
    fn fields_columns_splits_and_calibration_are_summed_up() {
        let t = Tolerances::default();
        let items = ValueKind::Table(vec![("amount".into(), ValueKind::Number)]);
        let a = document(
            "a.pdf",
            "dev",
            vec![
                score_field("total", &ValueKind::Number, &json!(10.0), Some(&json!(10.0)), Some(0.9), &t),
                score_field("number", &ValueKind::Identifier, &json!("A-1"), Some(&json!("A-2")), Some(0.8), &t),
                score_field("items", &items, &json!([{"amount": 1.0}]), Some(&json!([{"amount": 1.0}])), None, &t),
            ],
        );
        let b = document(
            "b.pdf",
            "held_out",
            vec![
                score_field("total", &ValueKind::Number, &json!(3.0), None, None, &t),
                score_field("number", &ValueKind::Identifier, &json!("B-1"), Some(&json!("b-1")), Some(0.4), &t),
            ],
        );
        let report = summarise("invoice", &["total".into(), "number".into()], 0.6, t, vec![a, b]);
        let total = &report.per_field["total"];
        assert_eq!((total.correct, total.total, total.tp, total.fp, total.fn_), (1, 2, 1, 0, 1));
        assert_eq!((total.precision, total.recall), (Some(1.0), Some(0.5)));
        let number = &report.per_field["number"];
        assert_eq!((number.tp, number.fp, number.fn_), (1, 1, 1));
        assert_eq!(report.per_field["items[].amount"].tp, 1);
        // Core: 2 of 4 exact; all: 3 of 5.
        assert_eq!(report.core_accuracy, 0.5);
        assert_eq!(report.overall_accuracy, 0.6);
        assert_eq!(report.splits["dev"].core.accuracy, Some(0.5));
        assert_eq!(report.splits["held_out"].core.accuracy, Some(0.5));
        assert_eq!(report.splits["held_out"].documents, 1);
        // Confidences 0.9 (right), 0.8 (wrong) above 0.6; 0.4 (right) below.
        assert_eq!(report.calibration.above.accuracy, Some(0.5));
        assert_eq!(report.calibration.below.accuracy, Some(1.0));
        assert_eq!(report.documents_per_s, Some(2.0));
        let printed = table(&report);
        assert!(printed.contains("number wrong (expected \"A-1\", got \"A-2\")"), "{printed}");
        assert!(printed.contains("core, held_out (1)"), "{printed}");
        // One source per document groups nothing and is not printed.
        assert_eq!(report.sources.len(), 2);
        assert!(!printed.contains("core, generator"), "{printed}");
    }

    #[test]
    fn documents_are_summed_up_per_source_where_sources_group_them() {
        let t = Tolerances::default();
        let total = |expected: f64, got: f64| {
            vec![score_field("total", &ValueKind::Number, &json!(expected), Some(&json!(got)), None, &t)]
        };
        let documents = vec![
            document("a1.pdf", "dev", total(1.0, 1.0)),
            document("a2.pdf", "dev", total(2.0, 9.0)),
            document("b1.pdf", "dev", total(3.0, 3.0)),
        ];
        let report = summarise("invoice", &["total".into()], 0.6, t, documents);
        assert_eq!(report.sources["generator a"].documents, 2);
        assert_eq!(report.sources["generator a"].core.accuracy, Some(0.5));
        assert_eq!(report.sources["generator b"].core.accuracy, Some(1.0));
        let printed = table(&report);
        assert!(printed.contains("core, generator a (2)"), "{printed}");
        assert!(printed.contains("core, generator b (1)"), "{printed}");
    }
}
