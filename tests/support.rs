//! Helpers shared by the end-to-end tests: where the workspace is, and a fresh embedded
//! docex (data directory, adapters, workflow) in a temporary folder, and a deployment of the
//! AWS mode on local servers ([`aws_stack`]).

use std::path::PathBuf;
use std::sync::Arc;

use docex_local::datadir::DataDir;
use docex_local::workflow::{Faults, LocalWorkflow};

pub mod aws_stack;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// A local workflow over a new data directory; keep the returned folder alive.
pub fn fresh_workflow() -> (tempfile::TempDir, Arc<LocalWorkflow>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = DataDir::open(dir.path().join("data")).expect("data directory");
    let adapters = docex_local::embedded_adapters(&data).expect("adapters");
    let workflow = LocalWorkflow::new(adapters, Faults::default()).expect("workflow");
    (dir, Arc::new(workflow))
}
