//! The data directory of the embedded mode: blobs as files under `blobs/`, jobs and results
//! in `docex.sqlite`, and user specs and templates under `specs/` and `templates/` (which
//! take precedence over the ones shipped in the binary).

use std::path::{Path, PathBuf};

use docex_core::DocexError;

/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = ".docex";

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Opens (creating if needed) the data directory at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<DataDir, DocexError> {
        let root = root.into();
        for sub in ["blobs", "specs", "templates"] {
            std::fs::create_dir_all(root.join(sub))
                .map_err(|e| DocexError::Storage(format!("cannot create {}: {e}", root.join(sub).display())))?;
        }
        Ok(DataDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn blobs(&self) -> PathBuf {
        self.root.join("blobs")
    }
    pub fn database(&self) -> PathBuf {
        self.root.join("docex.sqlite")
    }
    pub fn specs(&self) -> PathBuf {
        self.root.join("specs")
    }
    pub fn templates(&self) -> PathBuf {
        self.root.join("templates")
    }
}
