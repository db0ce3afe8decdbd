//! Cases recorded on AWS Step Functions (`{definition, input, expected: {status, output,
//! error, cause}}`) and the rule for comparing a run with one: numbers by value, arrays in
//! order, objects without regard to key order; a case marked `cause_is_json` recorded its
//! cause as parsed JSON. Shared by every test that replays the recordings.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::engine::Execution;

/// What Step Functions reports of an execution: `{"status", "output", "error", "cause"}`.
pub fn summary(execution: &Execution) -> Value {
    json!({
        "status": execution.status.to_string(),
        "output": execution.output,
        "error": execution.error,
        "cause": execution.cause,
    })
}

/// The recorded case files in a folder, sorted by name.
pub fn case_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// Compares a run's summary (see [`summary`]) with a recorded case's `expected`; every
/// difference, joined, when they differ.
pub fn compare(case: &Value, run: &Value) -> Result<(), String> {
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

/// JSON equality with numbers compared by value and objects without regard to key order.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_number_form_do_not_matter_but_values_do() {
        assert!(same(&json!({"a": 1, "b": [1.0, 2]}), &json!({"b": [1, 2.0], "a": 1.0})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert!(!same(&json!([1, 2]), &json!([2, 1])));
        let case = json!({"cause_is_json": true, "expected": {"status": "FAILED", "output": null, "error": "E", "cause": {"x": 1}}});
        assert!(
            compare(&case, &json!({"status": "FAILED", "output": null, "error": "E", "cause": "{\"x\":1}"})).is_ok()
        );
        assert!(
            compare(&case, &json!({"status": "FAILED", "output": null, "error": "E", "cause": "{\"x\":2}"})).is_err()
        );
    }
}
