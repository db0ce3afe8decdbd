//! `docex statemachine run|validate` against the cases recorded on AWS Step Functions
//! (`lambdas/asl/tests/cases`), compared with the rules of the engine's own case test
//! (`lambdas/asl/tests/cases.rs`), and against the workflow definition.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn docex(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(args)
        .current_dir(dir)
        .env_remove("DOCEX_DATA")
        .env_remove("DOCEX_FAULTS")
        .output()
        .expect("docex starts")
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Equality as `lambdas/asl/tests/cases.rs` defines it: numbers by value, arrays in order,
/// objects without regard to key order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Runs one case through the binary; the mismatches, if any.
fn run_case(case: &Value, dir: &Path) -> Result<(), String> {
    std::fs::write(dir.join("definition.json"), case["definition"].to_string()).unwrap();
    std::fs::write(dir.join("input.json"), case["input"].to_string()).unwrap();
    let output = docex(&["statemachine", "run", "definition.json", "--input", "@input.json"], dir);
    if !output.status.success() {
        return Err(format!("docex failed: {}", describe(&output)));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let run: Value = serde_json::from_str(stdout.trim()).map_err(|e| format!("not JSON ({e}): {stdout}"))?;
    let expected = &case["expected"];
    let mut problems = Vec::new();
    if run["status"] != expected["status"] {
        problems.push(format!("status {} != {}", run["status"], expected["status"]));
    }
    if !same(&run["output"], &expected["output"]) {
        problems.push(format!("output {} != {}", run["output"], expected["output"]));
    }
    if run["error"] != expected["error"] {
        problems.push(format!("error {} != {}", run["error"], expected["error"]));
    }
    let cause = match (&run["cause"], case["cause_is_json"].as_bool().unwrap_or(false)) {
        (Value::String(c), true) => serde_json::from_str(c).unwrap_or(Value::String(c.clone())),
        (other, _) => other.clone(),
    };
    if !same(&cause, &expected["cause"]) {
        problems.push(format!("cause {cause} != {}", expected["cause"]));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

#[test]
fn every_recorded_case_runs_the_same_through_the_binary() {
    let cases = workspace().join("lambdas/asl/tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("the recorded cases exist")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 44, "expected the recorded cases, found {}", files.len());
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        if let Err(problem) = run_case(&case, dir.path()) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} case(s) differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn validate_accepts_the_workflow_and_names_a_missing_next_target() {
    let root = workspace();
    let good = docex(&["statemachine", "validate", "statemachine/docex.asl.json"], &root);
    assert!(good.status.success(), "{}", describe(&good));
    assert!(String::from_utf8_lossy(&good.stdout).contains("valid"));

    let dir = tempfile::tempdir().unwrap();
    let definition = std::fs::read_to_string(root.join("statemachine/docex.asl.json")).unwrap();
    let broken = definition.replace("\"Next\": \"CompleteJob\"", "\"Next\": \"CompleteTheJob\"");
    assert_ne!(broken, definition, "the definition has a transition to CompleteJob to break");
    std::fs::write(dir.path().join("broken.json"), broken).unwrap();
    let bad = docex(&["statemachine", "validate", "broken.json"], dir.path());
    assert!(!bad.status.success(), "a broken definition is refused: {}", describe(&bad));
    let message = String::from_utf8_lossy(&bad.stdout);
    assert!(
        message.contains("CompleteTheJob") && message.contains("/States/RenderReport/Next"),
        "the message names the missing target and where it is: {}",
        describe(&bad)
    );

    let run = docex(&["statemachine", "run", "broken.json"], dir.path());
    assert!(!run.status.success(), "a broken definition does not run: {}", describe(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("CompleteTheJob"), "{}", describe(&run));
}
