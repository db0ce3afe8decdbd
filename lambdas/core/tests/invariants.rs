//! Architecture invariants of the core crate, checked on its real dependency tree.

use std::process::Command;

/// Crates whose presence would mean the core does I/O over a network or talks to AWS.
const FORBIDDEN_PREFIXES: &[&str] =
    &["aws-", "aws_", "hyper", "reqwest", "tokio", "rustls", "openssl", "lambda_runtime", "rusqlite", "typst"];

#[test]
fn core_has_no_io_dependencies() {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "-p", "docex-core", "-e", "normal", "--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    assert!(tree.lines().count() > 3, "the tree lists the core's dependencies:\n{tree}");
    let offending: Vec<&str> =
        tree.lines().filter(|line| FORBIDDEN_PREFIXES.iter().any(|p| line.starts_with(p))).collect();
    assert!(offending.is_empty(), "docex-core must not depend on {offending:?}");
}
