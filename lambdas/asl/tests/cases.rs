//! Runs every case recorded on AWS Step Functions (tests/cases/*.json) through the local
//! engine and compares status, output, error and cause; reports every mismatch at once.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use docex_asl::{Engine, ExecutionOptions, ManualClock, StateMachine, TaskRegistry};
use serde_json::Value;

/// Cases the engine does not pass yet, with the reason. The test fails if one of
/// these starts passing, so the list stays honest.
const KNOWN_GAPS: &[(&str, &str)] = &[];

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

async fn run_case(case: &Value) -> Result<(), String> {
    let machine = StateMachine::parse(&case["definition"]).map_err(|e| format!("parse: {e}"))?;
    let clock = Arc::new(ManualClock::instant(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()));
    let engine = Engine::new(TaskRegistry::new(), clock);
    let options = ExecutionOptions { name: Some("case".into()), rng_seed: Some(7), ..Default::default() };
    let run = engine.start(&machine, case["input"].clone(), options).await;
    let expected = &case["expected"];
    let mut problems = Vec::new();
    let status = run.status.to_string();
    if expected["status"].as_str() != Some(status.as_str()) {
        problems.push(format!("status {status} != {}", expected["status"]));
    }
    let output = run.output.clone().unwrap_or(Value::Null);
    if !same(&output, &expected["output"]) {
        problems.push(format!("output {output} != {}", expected["output"]));
    }
    let error = run.error.clone().map(Value::String).unwrap_or(Value::Null);
    if error != expected["error"] {
        problems.push(format!("error {error} != {}", expected["error"]));
    }
    let cause = match (&run.cause, case["cause_is_json"].as_bool().unwrap_or(false)) {
        (Some(c), true) => serde_json::from_str(c).unwrap_or(Value::String(c.clone())),
        (Some(c), false) => Value::String(c.clone()),
        (None, _) => Value::Null,
    };
    if !same(&cause, &expected["cause"]) {
        problems.push(format!("cause {cause} != {}", expected["cause"]));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

#[tokio::test]
async fn recorded_step_functions_cases() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 44, "expected the 44 recorded cases, found {}", files.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let result = run_case(&case).await;
        let gap = KNOWN_GAPS.iter().find(|(n, _)| *n == name);
        match (result, gap) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => failures.push(format!("{name}: listed in KNOWN_GAPS but passes now")),
            (Err(_), Some(_)) => {}
            (Err(e), None) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("{passed} of {} recorded cases pass ({} known gaps)", files.len(), KNOWN_GAPS.len());
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
