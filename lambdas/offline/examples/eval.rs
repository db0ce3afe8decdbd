//! Runs the offline extractor over the documents of a manifest (real documents with ground
//! truth) and prints per-field accuracy, separately for the documents used to tune the
//! extractor and for the held-out ones.
//!
//! `cargo run -p docex-offline --example eval -- [DOCUMENTS_DIR]`; the folder holds
//! `manifest.json` and the PDFs (default: `shared/data/documents` beside the workspace, or
//! `DOCEX_EVAL_DIR`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use docex_core::{Spec, builtin::builtin_spec};
use docex_offline::OfflineExtractor;
use serde_json::Value;

/// Documents kept out of tuning (their text is not looked at while rules are written):
/// their results show how the extractor does on unseen layouts. Three invoices, and one of
/// the four scanned receipts.
const HELD_OUT: &[&str] =
    &["invoice2data__FlipkartInvoice.pdf", "invoice2data__oyo.pdf", "invoice2data__saeco.pdf", "sroie__250.pdf"];

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn matches(expected: &Value, got: Option<&Value>) -> bool {
    let Some(got) = got else { return false };
    match (expected, got) {
        (Value::Number(a), b) => b.as_f64().is_some_and(|b| (a.as_f64().unwrap_or(f64::NAN) - b).abs() <= 0.01),
        (Value::String(a), Value::String(b)) => fold(a) == fold(b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| matches(x, Some(y))))
        }
        (a, b) => a == b,
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var("DOCEX_EVAL_DIR").ok().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/documents"));
    let manifest: Vec<Value> = match std::fs::read_to_string(dir.join("manifest.json")) {
        Ok(text) => serde_json::from_str(&text).expect("manifest.json is JSON"),
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.join("manifest.json").display());
            std::process::exit(2);
        }
    };
    let extractor = OfflineExtractor::new();
    let groups: &[(&str, &str, &[&str])] = &[
        ("invoice", "invoice", &["invoice_number", "issue_date", "total_amount", "currency", "vendor_name"]),
        ("receipt", "receipt", &["company", "date", "total", "currency", "address"]),
        ("contract_nda", "contract", &["effective_date", "jurisdiction", "party", "term"]),
    ];
    for (doc_type, spec_name, fields) in groups {
        let spec = Spec::from_json(spec_name, builtin_spec(spec_name).expect("shipped spec")).expect("valid spec");
        // field -> (tuned ok, tuned n, held ok, held n)
        let mut score: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        println!("== {doc_type} ==");
        for entry in manifest.iter().filter(|e| e["doc_type"] == *doc_type) {
            let file = entry["file"].as_str().unwrap_or_default();
            let held = HELD_OUT.contains(&file);
            let bytes = match std::fs::read(dir.join(file)) {
                Ok(b) => b,
                Err(e) => {
                    println!("  {file}: cannot read: {e}");
                    continue;
                }
            };
            let document =
                match docex_pdf::read_pdf(&bytes, &docex_pdf::Limits::default(), &docex_pdf::OcrOptions::default()) {
                    Ok(d) => d,
                    Err(e) => {
                        println!("  {file}: cannot read the PDF: {e}");
                        continue;
                    }
                };
            let extraction = extractor.extract_sync(&document, &spec);
            let mut misses = Vec::new();
            for field in *fields {
                let Some(expected) = entry["ground_truth"].get(*field) else { continue };
                let got = extraction.data.get(*field);
                let ok = matches(expected, got);
                let s = score.entry(field).or_default();
                let k = if held { 2 } else { 0 };
                s[k] += ok as usize;
                s[k + 1] += 1;
                if !ok {
                    misses.push(format!("{field}: want {expected}, got {}", got.map_or("-".into(), |v| v.to_string())));
                }
            }
            let tag = if held { " (held out)" } else { "" };
            if misses.is_empty() {
                println!("  {file}{tag}: all right");
            } else {
                println!("  {file}{tag}: {}", misses.join("; "));
            }
            for note in &extraction.notes {
                println!("      note: {note}");
            }
        }
        println!("  {:<16} {:>10} {:>10} {:>10}", "field", "tuned", "held-out", "all");
        let rate = |ok: usize, n: usize| if n == 0 { "-".to_string() } else { format!("{ok}/{n}") };
        let mut sum = [0usize; 4];
        for field in *fields {
            let s = score.get(field).copied().unwrap_or_default();
            for i in 0..4 {
                sum[i] += s[i];
            }
            println!(
                "  {:<16} {:>10} {:>10} {:>10}",
                field,
                rate(s[0], s[1]),
                rate(s[2], s[3]),
                rate(s[0] + s[2], s[1] + s[3])
            );
        }
        let pct = |ok: usize, n: usize| if n == 0 { "-".to_string() } else { format!("{:.2}", ok as f64 / n as f64) };
        println!(
            "  {:<16} {:>10} {:>10} {:>10}",
            "overall",
            pct(sum[0], sum[1]),
            pct(sum[2], sum[3]),
            pct(sum[0] + sum[2], sum[1] + sum[3])
        );
    }
}
