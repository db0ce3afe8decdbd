//! `docex bench` through the binary: every section is measured on the fixture documents and
//! the JSON carries figures that make sense (percentiles in order, the cold start, the cost
//! model's path); a missing folder is a clear error; `docex bench lambda` times stand-in
//! bootstraps to their first Runtime API request.

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
        .args(["bench", "--runs", "1", "--end-to-end", "1,10", "--json"])
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
            let p50 = run["state_p50_ms"][state].as_f64().unwrap();
            let p99 = run["state_p99_ms"][state].as_f64().unwrap();
            assert!(p50 <= p99, "{state}: p50 {p50} > p99 {p99}");
        }
        assert!(run["execution_p50_ms"].as_f64().unwrap() <= run["execution_p99_ms"].as_f64().unwrap(), "{run}");
        assert!(run["peak_rss_kib"].as_u64().is_some_and(|k| k > 1024), "{run}");
        assert!(run["pages"].as_u64().unwrap() >= run["documents"].as_u64().unwrap(), "{run}");
    }

    let cold = &report["cold_start"];
    assert_eq!(cold["exit_ok"], true, "{cold}");
    let to_report = positive(&cold["to_report_ms"], "cold start to the report");
    assert!(to_report <= positive(&cold["to_exit_ms"], "cold start to exit"), "{cold}");

    // The cost model walks the definition's success path and prices what it measured.
    let cost = &report["cost"];
    assert_eq!(cost["documents_measured"], 10);
    assert_eq!(cost["transitions_per_document"], 7, "{cost}");
    assert_eq!(cost["lambda_requests_per_document"], 6, "{cost}");
    positive(&cost["lambda_gb_seconds_per_document"], "GB-s per document");
    assert_eq!(cost["bda_standard_per_1000"], 10.0);
    assert_eq!(cost["bda_custom_per_1000"], 40.0);
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

/// A stand-in `bootstrap`: a shell script that asks the Runtime API for work as a Lambda
/// binary does (or exits first, to show a failed start).
fn fake_bootstrap(dir: &Path, function: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let folder = dir.join(function);
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("bootstrap");
    std::fs::write(&path, format!("#!/bin/bash\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn bench_lambda_times_each_bootstrap_to_its_first_runtime_api_request() {
    let dir = tempfile::tempdir().unwrap();
    fake_bootstrap(
        dir.path(),
        "job-failed",
        "exec 3<>/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API#*:}\n\
         printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' >&3\nsleep 5",
    );
    fake_bootstrap(dir.path(), "start-job", "exit 3");
    std::fs::write(dir.path().join("job-failed/bootstrap.zip"), vec![0u8; 2_000_000]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(["bench", "lambda", "--runs", "2", "--json", "--bin-dir"])
        .arg(dir.path())
        .arg("--zip-dir")
        .arg(dir.path())
        .current_dir(dir.path())
        .output()
        .expect("docex starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let row =
        |name: &str| report["functions"].as_array().unwrap().iter().find(|r| r["function"] == name).cloned().unwrap();
    let ok = row("job-failed");
    assert_eq!(ok["first_request"], "GET /2018-06-01/runtime/invocation/next", "{ok}");
    positive(&ok["init_ms"], "init ms");
    assert_eq!(ok["zip_bytes"], 2_000_000);
    assert_eq!(ok["memory_mb"], 256, "from lambdas/functions.json");
    let failed = row("start-job");
    assert!(failed["first_request"].as_str().unwrap().contains("exited"), "{failed}");
    assert!(failed["init_ms"].is_null());
    assert_eq!(row("render-report")["first_request"], "no binary");
}
