//! `docex bench` through the binary: every section is measured on the fixture documents and
//! the JSON carries figures that make sense; a missing folder is a clear error.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn positive(value: &Value, what: &str) -> f64 {
    let n = value.as_f64().unwrap_or_else(|| panic!("{what} is not a number: {value}"));
    assert!(n > 0.0 && n.is_finite(), "{what} = {n}");
    n
}

#[test]
fn bench_measures_every_section_on_the_fixtures() {
    let pdftotext = Command::new("pdftotext").arg("-v").output();
    assert!(
        pdftotext.is_ok(),
        "this test compares against the pdftotext binary, which cannot run here: install poppler-utils"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(["bench", "--runs", "1", "--json"])
        .current_dir(workspace())
        .output()
        .expect("docex starts");
    assert!(output.status.success(), "docex bench failed: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("--json prints one JSON document");

    assert!(report["pdftotext"].as_str().is_some_and(|v| v.contains("pdftotext")), "{}", report["pdftotext"]);
    let text = report["text"].as_array().unwrap();
    let fixtures = std::fs::read_dir(workspace().join("tests/fixtures/documents"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pdf"))
        .count();
    assert_eq!(text.len(), fixtures, "one row per fixture PDF");
    for row in text {
        assert!(row["error"].is_null(), "{row}");
        assert!(row["pages"].as_u64().unwrap() >= 1, "{row}");
        positive(&row["docex_pages_per_s"], "docex pages/s");
        positive(&row["pdftotext_pages_per_s"], "pdftotext pages/s");
    }
    let total = &report["text_total"];
    let pages: u64 = text.iter().map(|r| r["pages"].as_u64().unwrap()).sum();
    assert_eq!(total["pages"].as_u64(), Some(pages));

    let templates: Vec<&str> =
        report["render"].as_array().unwrap().iter().map(|r| r["template"].as_str().unwrap()).collect();
    assert_eq!(templates, ["invoice", "receipt", "contract", "generic"]);
    for row in report["render"].as_array().unwrap() {
        positive(&row["cold_ms"], "cold ms");
        positive(&row["warm_ms"], "warm ms");
        assert!(row["bytes"].as_u64().unwrap() > 1000, "{row}");
    }

    let engine = &report["engine"];
    assert_eq!((engine["pass_states"].as_u64(), engine["task_states"].as_u64()), (Some(5), Some(5)));
    positive(&engine["us_per_execution"], "µs per execution");
    positive(&engine["executions_per_s"], "executions/s");
    assert_eq!(engine["concurrent_executions"].as_u64(), Some(1000));

    let runs = report["end_to_end"].as_array().unwrap();
    assert_eq!(runs.iter().map(|r| r["documents"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 10]);
    for run in runs {
        assert_eq!(run["failed"].as_u64(), Some(0), "{run}");
        positive(&run["documents_per_s"], "documents/s");
        let states = run["state_mean_ms"].as_object().unwrap();
        for state in [
            "PrepareDocument",
            "ExtractChunks",
            "ExtractChunk",
            "MergeAndValidate",
            "StoreResult",
            "RenderReport",
            "CompleteJob",
        ] {
            assert!(states.get(state).and_then(Value::as_f64).is_some_and(|ms| ms >= 0.0), "{state} in {run}");
        }
    }
    assert!(report["peak_rss_kib"].as_u64().is_some_and(|k| k > 1024), "{}", report["peak_rss_kib"]);
}

#[test]
fn bench_refuses_a_folder_without_documents() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(["bench", "--docs", "nothing-here"])
        .current_dir(dir.path())
        .output()
        .expect("docex starts");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing-here"), "the error names the folder: {stderr}");
}
