//! `docex statemachine run|validate` against the cases recorded on AWS Step Functions
//! (`lambdas/asl/tests/cases`), compared by the same rule as the engine's own case test
//! (`docex_asl::recorded`), and against the workflow definition.

mod common;

use std::path::Path;
use std::process::Output;

use common::{docex, workspace};

use serde_json::Value;

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs one case through the binary; the mismatches, if any.
fn run_case(case: &Value, dir: &Path) -> Result<(), String> {
    std::fs::write(dir.join("definition.json"), case["definition"].to_string()).unwrap();
    std::fs::write(dir.join("input.json"), case["input"].to_string()).unwrap();
    let output = docex(dir, &["statemachine", "run", "definition.json", "--input", "@input.json"]);
    if !output.status.success() {
        return Err(format!("docex failed: {}", describe(&output)));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let run: Value = serde_json::from_str(stdout.trim()).map_err(|e| format!("not JSON ({e}): {stdout}"))?;
    docex_asl::recorded::compare(case, &run)
}

#[test]
fn every_recorded_case_runs_the_same_through_the_binary() {
    let cases = workspace().join("lambdas/asl/tests/cases");
    let files = docex_asl::recorded::case_files(&cases).expect("the recorded cases exist");
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
    let good = docex(&root, &["statemachine", "validate", "statemachine/docex.asl.json"]);
    assert!(good.status.success(), "{}", describe(&good));
    assert!(String::from_utf8_lossy(&good.stdout).contains("valid"));

    let dir = tempfile::tempdir().unwrap();
    let definition = std::fs::read_to_string(root.join("statemachine/docex.asl.json")).unwrap();
    let broken = definition.replace("\"Next\": \"CompleteJob\"", "\"Next\": \"CompleteTheJob\"");
    assert_ne!(broken, definition, "the definition has a transition to CompleteJob to break");
    std::fs::write(dir.path().join("broken.json"), broken).unwrap();
    let bad = docex(dir.path(), &["statemachine", "validate", "broken.json"]);
    assert!(!bad.status.success(), "a broken definition is refused: {}", describe(&bad));
    let message = String::from_utf8_lossy(&bad.stdout);
    assert!(
        message.contains("CompleteTheJob") && message.contains("/States/RenderReport/Next"),
        "the message names the missing target and where it is: {}",
        describe(&bad)
    );

    let run = docex(dir.path(), &["statemachine", "run", "broken.json"]);
    assert!(!run.status.success(), "a broken definition does not run: {}", describe(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("CompleteTheJob"), "{}", describe(&run));
}
