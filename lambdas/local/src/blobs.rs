//! The embedded blob store: one file per key under the data directory's `blobs/` folder.
//! Writes go to a temporary file first and are renamed into place, so a crash never leaves
//! half an object, and writing the same key again simply replaces it.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use docex_core::{BlobStore, DocexError};

pub struct FileBlobStore {
    root: PathBuf,
}

impl FileBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> FileBlobStore {
        FileBlobStore { root: root.into() }
    }

    /// The file of a key. Keys are docex's own (`input/<job>/document.pdf`), but are still
    /// checked: only plain relative components.
    pub fn path(&self, key: &str) -> Result<PathBuf, DocexError> {
        let relative = Path::new(key);
        let plain = !key.is_empty() && relative.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain {
            return Err(DocexError::InvalidInput(format!("invalid object key {key:?}")));
        }
        Ok(self.root.join(relative))
    }
}

#[async_trait]
impl BlobStore for FileBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocexError> {
        let path = self.path(key)?;
        let parent = path.parent().unwrap_or(&self.root);
        let fail = |e: std::io::Error| DocexError::Storage(format!("cannot write {key}: {e}"));
        std::fs::create_dir_all(parent).map_err(fail)?;
        let temporary = parent.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
        std::fs::write(&temporary, bytes).map_err(fail)?;
        std::fs::rename(&temporary, &path).map_err(fail)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocexError> {
        match std::fs::read(self.path(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DocexError::Storage(format!("cannot read {key}: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn objects_round_trip_and_keys_cannot_escape_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileBlobStore::new(dir.path());
        store.put("a/b.json", b"one".to_vec()).await.unwrap();
        store.put("a/b.json", b"two".to_vec()).await.unwrap();
        assert_eq!(store.get("a/b.json").await.unwrap(), Some(b"two".to_vec()));
        assert_eq!(store.get("a/missing").await.unwrap(), None);
        for bad in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(matches!(store.put(bad, vec![]).await, Err(DocexError::InvalidInput(_))), "{bad}");
        }
    }
}
