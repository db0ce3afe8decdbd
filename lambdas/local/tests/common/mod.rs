//! What the `docex` command-line tests share: the workspace root and running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (fixtures, specs and the workflow definition are found from it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `docex args` in `dir`, with no data directory or faults from the environment.
pub fn docex(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(args)
        .current_dir(dir)
        .env_remove("DOCEX_DATA")
        .env_remove("DOCEX_FAULTS")
        .output()
        .expect("docex starts")
}
