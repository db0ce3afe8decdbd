//! The workflow definition checked by an independent validator (the npm package
//! `asl-validator`, installed by `.ci/run` into `.ci/node_modules`) and by docex's own,
//! and its Task states matched to what the local engine binds.

use std::process::Command;

use docex_e2e::workspace;

#[test]
fn the_definition_passes_the_independent_asl_validator() {
    let validator = workspace().join(".ci/node_modules/.bin/asl-validator");
    assert!(
        validator.is_file(),
        "asl-validator is not installed: run `npm ci --prefix .ci` (the test command `.ci/run` does this)"
    );
    let definition = workspace().join("statemachine/docex.asl.json");
    let output = Command::new(&validator).arg("--json-path").arg(&definition).output().expect("asl-validator runs");
    assert!(
        output.status.success(),
        "asl-validator rejects the definition:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // The validator must also be able to say no, or the check above proves nothing.
    let mut broken: serde_json::Value = serde_json::from_str(docex_local::workflow::DEFINITION).unwrap();
    broken["States"]["StoreResult"]["Next"] = "NoSuchState".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.asl.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let output = Command::new(&validator).arg("--json-path").arg(&path).output().expect("asl-validator runs");
    assert!(!output.status.success(), "asl-validator accepted a definition with a missing Next target");
}

#[test]
fn every_task_state_is_bound_and_every_binding_is_used() {
    let definition: serde_json::Value = serde_json::from_str(docex_local::workflow::DEFINITION).unwrap();
    let mut tasks = Vec::new();
    collect_tasks(&definition["States"], &mut tasks);
    tasks.sort();
    let mut bound: Vec<(String, String)> =
        docex_tasks::TASK_RESOURCES.iter().map(|(s, r)| (s.to_string(), r.to_string())).collect();
    bound.sort();
    let normalised: Vec<(String, String)> = tasks.iter().map(|(s, r)| (s.clone(), docex_asl_resource(r))).collect();
    assert_eq!(normalised, bound);
    docex_asl_validate(&definition);
}

fn docex_asl_resource(resource: &str) -> String {
    // `${prepare_document_arn}` is the placeholder Terraform fills; locally it binds by name.
    resource.strip_prefix("${").and_then(|r| r.strip_suffix("_arn}")).unwrap_or(resource).to_string()
}

fn docex_asl_validate(definition: &serde_json::Value) {
    let problems = docex_local::statemachine::problems(definition);
    assert!(problems.is_empty(), "{problems:?}");
}

fn collect_tasks(states: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let Some(states) = states.as_object() else { return };
    for (name, state) in states {
        if state["Type"] == "Task" {
            out.push((name.clone(), state["Resource"].as_str().unwrap_or_default().to_string()));
        }
        for nested in ["ItemProcessor", "Iterator"] {
            collect_tasks(&state[nested]["States"], out);
        }
        if let Some(branches) = state["Branches"].as_array() {
            for branch in branches {
                collect_tasks(&branch["States"], out);
            }
        }
    }
}
