//! Runs every case recorded on AWS Step Functions (tests/cases/*.json) through the local
//! engine and compares status, output, error and cause; reports every mismatch at once.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use docex_asl::{Engine, ExecutionOptions, ManualClock, StateMachine, TaskRegistry, recorded};
use serde_json::Value;

/// Cases the engine does not pass yet, with the reason. The test fails if one of
/// these starts passing, so the list stays honest.
const KNOWN_GAPS: &[(&str, &str)] = &[];

async fn run_case(case: &Value) -> Result<(), String> {
    let machine = StateMachine::parse(&case["definition"]).map_err(|e| format!("parse: {e}"))?;
    let clock = Arc::new(ManualClock::instant(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()));
    let engine = Engine::new(TaskRegistry::new(), clock);
    let options = ExecutionOptions { name: Some("case".into()), rng_seed: Some(7), ..Default::default() };
    let run = engine.start(&machine, case["input"].clone(), options).await;
    recorded::compare(case, &recorded::summary(&run))
}

#[tokio::test]
async fn recorded_step_functions_cases() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let files = recorded::case_files(&dir).expect("tests/cases exists");
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
