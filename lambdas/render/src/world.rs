//! The sandboxed Typst world a template compiles in: the template's own files, the data
//! file, the fonts embedded in the binary and a fixed date. Nothing else exists in it: no
//! packages, no plugins, no paths outside the template's folder, no system fonts.
//!
//! Every access also checks the render's deadline; a compile past its budget is unwound
//! (see [`Cancelled`]) so a runaway template stops using the CPU.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The path the data file has inside every template's world.
pub const DATA_PATH: &str = "/data.json";

/// The largest template file read from disk.
const MAX_TEMPLATE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What every render shares: the standard library and the embedded fonts (loaded once).
pub(crate) struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Shared {
    /// Loads the fonts built into the binary.
    pub(crate) fn load() -> Shared {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let book = FontBook::from_fonts(&fonts);
        Shared { library: LazyHash::new(Library::builder().build()), book: LazyHash::new(book), fonts }
    }

    pub(crate) fn font_count(&self) -> usize {
        self.fonts.len()
    }
}

/// Where a template's files come from.
#[derive(Clone)]
pub(crate) enum Files {
    /// Files in memory, by path relative to the template's root (`common.typ`, `img/a.png`).
    Memory(Arc<BTreeMap<String, Bytes>>),
    /// A folder on disk, read on demand.
    Folder(Arc<PathBuf>),
}

/// The payload a cancelled compile unwinds with.
pub(crate) struct Cancelled;

/// One render's world.
pub(crate) struct SandboxWorld {
    shared: Arc<Shared>,
    main: FileId,
    files: Files,
    data: Bytes,
    today: Datetime,
    deadline: Instant,
    cancel: Arc<AtomicBool>,
    loaded: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
}

impl SandboxWorld {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        shared: Arc<Shared>,
        main: VirtualPath,
        files: Files,
        data: Bytes,
        today: Datetime,
        deadline: Instant,
        cancel: Arc<AtomicBool>,
    ) -> SandboxWorld {
        SandboxWorld {
            shared,
            main: RootedPath::new(VirtualRoot::Project, main).intern(),
            files,
            data,
            today,
            deadline,
            cancel,
            loaded: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        }
    }

    /// Unwinds the compile when its budget is spent or the caller gave up on it.
    fn check_budget(&self) {
        if self.cancel.load(Ordering::Relaxed) || Instant::now() > self.deadline {
            self.cancel.store(true, Ordering::Relaxed);
            // `resume_unwind` skips the panic hook: this is cancellation, not a bug.
            std::panic::resume_unwind(Box::new(Cancelled));
        }
    }

    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!("packages are not available to docex templates (import of {spec})").into(),
            ))));
        }
        let vpath = id.vpath();
        let path = vpath.get_with_slash();
        if path == DATA_PATH {
            return Ok(self.data.clone());
        }
        if vpath.extension().is_some_and(|e| e.eq_ignore_ascii_case("wasm")) {
            return Err(FileError::Other(Some("plugins are not available to docex templates".into())));
        }
        match &self.files {
            Files::Memory(files) => {
                files.get(vpath.get_without_slash()).cloned().ok_or_else(|| FileError::NotFound(PathBuf::from(path)))
            }
            Files::Folder(root) => read_inside(root, vpath),
        }
    }
}

/// Reads a file of a template folder, refusing anything that resolves outside it.
fn read_inside(root: &std::path::Path, vpath: &VirtualPath) -> FileResult<Bytes> {
    let shown = PathBuf::from(vpath.get_with_slash());
    let real = vpath.realize(root).map_err(|_| FileError::AccessDenied)?;
    let canonical_root = root.canonicalize().map_err(|_| FileError::NotFound(shown.clone()))?;
    let canonical = real.canonicalize().map_err(|_| FileError::NotFound(shown.clone()))?;
    if !canonical.starts_with(&canonical_root) {
        return Err(FileError::AccessDenied);
    }
    let meta = std::fs::metadata(&canonical).map_err(|e| FileError::from_io(e, &shown))?;
    if meta.is_dir() {
        return Err(FileError::IsDirectory);
    }
    if meta.len() > MAX_TEMPLATE_FILE_BYTES {
        return Err(FileError::Other(Some(
            format!("{} is over the limit of {MAX_TEMPLATE_FILE_BYTES} bytes", shown.display()).into(),
        )));
    }
    std::fs::read(&canonical).map(Bytes::new).map_err(|e| FileError::from_io(e, &shown))
}

impl World for SandboxWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.check_budget();
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.check_budget();
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.check_budget();
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = sources.get(&id) {
            return found.clone();
        }
        let source = self.file(id).and_then(|bytes| {
            let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text.to_string()))
        });
        sources.insert(id, source.clone());
        source
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.check_budget();
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = loaded.get(&id) {
            return found.clone();
        }
        let bytes = self.load(id);
        loaded.insert(id, bytes.clone());
        bytes
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.check_budget();
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
