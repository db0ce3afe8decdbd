//! [`TypstRenderer`]: compiles a Typst template against a JSON data file into a PDF, in a
//! sandbox, within a time budget and a page cap.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use docex_core::{DocexError, Renderer};
use serde_json::Value;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{DiagSpan, VirtualPath, VirtualRoot};
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::builtin::BUILTIN_TEMPLATES;
use crate::world::{Cancelled, Files, SandboxWorld, Shared};

/// How many compiles a cached result may go unused before `comemo` drops it.
const EVICT_AFTER: usize = 10;
/// How many compile errors a `TemplateInvalid` message lists.
const MAX_LISTED_ERRORS: usize = 8;
/// Stack of the compile thread; Typst recurses deeply on nested content.
const COMPILE_STACK_BYTES: usize = 32 * 1024 * 1024;
/// How long past the budget the caller waits for a compile that touches neither files
/// nor fonts (so cannot notice its deadline) before giving up on it.
const GRACE: Duration = Duration::from_secs(1);

/// The limits every render runs under.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderLimits {
    /// Wall-clock budget of one compile and export.
    pub time_budget: Duration,
    /// The most pages a report may have.
    pub max_pages: usize,
    /// The largest data object accepted, as serialized JSON.
    pub max_data_bytes: usize,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits { time_budget: Duration::from_secs(10), max_pages: 200, max_data_bytes: 16 * 1024 * 1024 }
    }
}

/// A calendar date: what Typst's `datetime.today()` returns and the PDF's creation date,
/// so the same inputs always give the same bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportDate(Datetime);

impl ReportDate {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u8, day: u8) -> Option<ReportDate> {
        Datetime::from_ymd(year, month, day).map(ReportDate)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<ReportDate> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        ReportDate::new(year, month, day)
    }

    fn datetime(&self) -> Datetime {
        self.0
    }
}

/// Which template to render: one built into the binary, a folder on disk (a main file and
/// the files beside it), or files held in memory.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    kind: SourceKind,
}

#[derive(Debug, Clone)]
enum SourceKind {
    Builtin(String),
    Folder { dir: PathBuf, main: String },
    Memory { main: String, files: Arc<BTreeMap<String, Bytes>> },
}

impl TemplateSource {
    /// A template built into the binary (`invoice`, `receipt`, `contract`, `generic`).
    pub fn builtin(name: &str) -> TemplateSource {
        TemplateSource { kind: SourceKind::Builtin(name.to_string()) }
    }

    /// `main` (a file name such as `report.typ`) in `dir`; the template may read the other
    /// files of `dir` and its subfolders, nothing else.
    pub fn folder(dir: impl Into<PathBuf>, main: &str) -> TemplateSource {
        TemplateSource { kind: SourceKind::Folder { dir: dir.into(), main: main.to_string() } }
    }

    /// A template given as text, with the files it may read (by relative path).
    pub fn in_memory(main_text: &str, files: BTreeMap<String, Vec<u8>>) -> TemplateSource {
        let mut files: BTreeMap<String, Bytes> = files.into_iter().map(|(k, v)| (k, Bytes::new(v))).collect();
        files.insert("main.typ".to_string(), Bytes::from_string(main_text.to_string()));
        TemplateSource { kind: SourceKind::Memory { main: "main.typ".to_string(), files: Arc::new(files) } }
    }

    /// Several files held in memory, `main` among them.
    pub(crate) fn static_files(main: &str, files: &[(&str, &'static str)]) -> TemplateSource {
        let files = files.iter().map(|(name, text)| (name.to_string(), Bytes::new(text.as_bytes()))).collect();
        TemplateSource { kind: SourceKind::Memory { main: main.to_string(), files: Arc::new(files) } }
    }

    /// A short name for messages and the PDF's identifier.
    pub fn name(&self) -> String {
        match &self.kind {
            SourceKind::Builtin(name) => name.clone(),
            SourceKind::Folder { main, .. } | SourceKind::Memory { main, .. } => {
                main.trim_end_matches(".typ").to_string()
            }
        }
    }

    /// The main file's path in the world and where the files come from.
    fn resolve(&self) -> Result<(VirtualPath, Files), DocexError> {
        let main_path = |main: &str| -> Result<VirtualPath, DocexError> {
            let path = VirtualPath::new(main).map_err(|e| DocexError::TemplateNotFound(format!("{main}: {e}")))?;
            if main.contains("..") || main.starts_with('/') || main.contains('\\') {
                return Err(DocexError::TemplateNotFound(format!("{main}: the main file must be a relative path")));
            }
            Ok(path)
        };
        match &self.kind {
            SourceKind::Builtin(name) => {
                let files = builtin_files();
                let main = format!("{name}.typ");
                if name == "common" || !files.contains_key(&main) {
                    return Err(DocexError::TemplateNotFound(name.clone()));
                }
                Ok((main_path(&main)?, Files::Memory(files)))
            }
            SourceKind::Folder { dir, main } => {
                let path = main_path(main)?;
                if !dir.join(main).is_file() {
                    return Err(DocexError::TemplateNotFound(format!("{main} (no such file in the template folder)")));
                }
                Ok((path, Files::Folder(Arc::new(dir.clone()))))
            }
            SourceKind::Memory { main, files } => {
                if !files.contains_key(main) {
                    return Err(DocexError::TemplateNotFound(main.clone()));
                }
                Ok((main_path(main)?, Files::Memory(files.clone())))
            }
        }
    }
}

/// The builtin templates as one in-memory folder, so they can import `common.typ`.
fn builtin_files() -> Arc<BTreeMap<String, Bytes>> {
    static FILES: OnceLock<Arc<BTreeMap<String, Bytes>>> = OnceLock::new();
    FILES
        .get_or_init(|| {
            Arc::new(
                BUILTIN_TEMPLATES
                    .iter()
                    .map(|(name, text)| (format!("{name}.typ"), Bytes::new(text.as_bytes())))
                    .collect(),
            )
        })
        .clone()
}

/// Renders Typst templates to PDF. Loads the embedded fonts once; cheap to share.
pub struct TypstRenderer {
    shared: Arc<Shared>,
    limits: RenderLimits,
    today: ReportDate,
    template_dir: Option<PathBuf>,
}

impl TypstRenderer {
    /// A renderer whose templates see `today` as the current date.
    pub fn new(today: ReportDate) -> TypstRenderer {
        TypstRenderer { shared: Arc::new(Shared::load()), limits: RenderLimits::default(), today, template_dir: None }
    }

    /// The same renderer with other limits.
    pub fn with_limits(mut self, limits: RenderLimits) -> TypstRenderer {
        self.limits = limits;
        self
    }

    /// Templates named `<name>.typ` in `dir` take precedence over the builtin ones when
    /// rendering by name ([`Renderer::render`]).
    pub fn with_template_dir(mut self, dir: impl Into<PathBuf>) -> TypstRenderer {
        self.template_dir = Some(dir.into());
        self
    }

    pub fn limits(&self) -> &RenderLimits {
        &self.limits
    }

    /// How many font faces are embedded.
    pub fn font_count(&self) -> usize {
        self.shared.font_count()
    }

    /// Where a template of this name comes from: the template folder, else the builtins.
    pub fn source_for(&self, name: &str) -> Result<TemplateSource, DocexError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(DocexError::TemplateNotFound(name.to_string()));
        }
        if let Some(dir) = &self.template_dir {
            let main = format!("{name}.typ");
            if dir.join(&main).is_file() {
                return Ok(TemplateSource::folder(dir.clone(), &main));
            }
        }
        Ok(TemplateSource::builtin(name))
    }

    /// Renders `template` with `data` served as `/data.json`, dated with the renderer's date.
    pub fn render(&self, template: &TemplateSource, data: &Value) -> Result<Vec<u8>, DocexError> {
        self.render_dated(template, data, self.today)
    }

    /// Renders a job's result, dated with its `generated_at` when that is a `YYYY-MM-DD` date.
    pub fn render_result(&self, template: &TemplateSource, data: &Value) -> Result<Vec<u8>, DocexError> {
        let today = data.get("generated_at").and_then(Value::as_str).and_then(ReportDate::parse).unwrap_or(self.today);
        self.render_dated(template, data, today)
    }

    /// Renders with an explicit date for `datetime.today()` and the PDF metadata.
    pub fn render_dated(
        &self,
        template: &TemplateSource,
        data: &Value,
        today: ReportDate,
    ) -> Result<Vec<u8>, DocexError> {
        let result = self.compile(template, data, today);
        typst::comemo::evict(EVICT_AFTER);
        result
    }

    fn compile(&self, template: &TemplateSource, data: &Value, today: ReportDate) -> Result<Vec<u8>, DocexError> {
        let (main, files) = template.resolve()?;
        let json = serde_json::to_vec(data).map_err(|e| DocexError::InvalidInput(format!("the data: {e}")))?;
        if json.len() > self.limits.max_data_bytes {
            return Err(DocexError::InvalidInput(format!(
                "the data is {} bytes, over the limit of {} bytes",
                json.len(),
                self.limits.max_data_bytes
            )));
        }
        let budget = self.limits.time_budget;
        let cancel = Arc::new(AtomicBool::new(false));
        let world = SandboxWorld::new(
            self.shared.clone(),
            main,
            files,
            Bytes::new(json),
            today.datetime(),
            Instant::now() + budget,
            cancel.clone(),
        );
        let max_pages = self.limits.max_pages;
        let options = PdfOptions {
            ident: Smart::Custom(format!("docex-{}", template.name())),
            timestamp: Some(Timestamp::new_utc(today.datetime())),
            ..PdfOptions::default()
        };
        let over_budget = || {
            DocexError::RenderFailed(format!(
                "the template did not finish within the budget of {} ms (a runaway loop, endless recursion or far too much content); it was stopped",
                budget.as_millis()
            ))
        };

        let (sender, receiver) = mpsc::sync_channel(1);
        let spawned =
            std::thread::Builder::new().name("docex-render".into()).stack_size(COMPILE_STACK_BYTES).spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    compile_to_pdf(&world, &options, max_pages)
                }));
                // The receiver may be gone after a timeout; nothing is left to tell then.
                let _ = sender.send(outcome.map_err(|payload| payload.is::<Cancelled>().then_some(())));
            });
        if let Err(e) = spawned {
            return Err(DocexError::RenderFailed(format!("could not start the render thread: {e}")));
        }
        match receiver.recv_timeout(budget + GRACE) {
            Ok(Ok(result)) => result,
            Ok(Err(Some(()))) => Err(over_budget()),
            Ok(Err(None)) => Err(DocexError::RenderFailed("the Typst compiler failed unexpectedly".into())),
            Err(_) => {
                cancel.store(true, Ordering::Relaxed);
                Err(over_budget())
            }
        }
    }
}

/// Compiles and exports on the render thread.
fn compile_to_pdf(world: &SandboxWorld, options: &PdfOptions, max_pages: usize) -> Result<Vec<u8>, DocexError> {
    let warned = typst::compile::<PagedDocument>(world);
    let document = warned.output.map_err(|errors| DocexError::TemplateInvalid(describe(world, &errors)))?;
    let pages = document.pages().len();
    if pages > max_pages {
        return Err(DocexError::RenderFailed(format!("the report has {pages} pages, over the limit of {max_pages}")));
    }
    typst_pdf::pdf(&document, options).map_err(|errors| DocexError::RenderFailed(describe(world, &errors)))
}

/// `file:line:column: message (hint: ...)` for each error, like the Typst CLI prints them.
fn describe(world: &SandboxWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let errors: Vec<&SourceDiagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let mut parts: Vec<String> = errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(|d| {
            let mut text = format!("{}: {}", locate(world, d.span), d.message);
            // Hints about the Typst command line do not apply here.
            for hint in d.hints.iter().filter(|h| !h.v.contains("--")) {
                text.push_str(&format!(" (hint: {})", hint.v));
            }
            text
        })
        .collect();
    if errors.len() > MAX_LISTED_ERRORS {
        parts.push(format!("and {} more errors", errors.len() - MAX_LISTED_ERRORS));
    }
    if parts.is_empty() {
        return "the Typst compiler reported an error without a message".into();
    }
    parts.join("; ")
}

/// Where a diagnostic points, as `file:line:column`.
fn locate(world: &SandboxWorld, span: DiagSpan) -> String {
    let Some(id) = span.id() else {
        return "(template)".to_string();
    };
    let file = match id.root() {
        VirtualRoot::Project => id.vpath().get_without_slash().to_string(),
        VirtualRoot::Package(spec) => format!("{spec}{}", id.vpath().get_with_slash()),
    };
    let Some(range) = world.range(span) else {
        return file;
    };
    match world.file(id) {
        Ok(bytes) => {
            let before = bytes.get(..range.start.min(bytes.len())).unwrap_or_default();
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            format!("{file}:{line}:{column}")
        }
        Err(_) => file,
    }
}

impl Renderer for TypstRenderer {
    /// Renders a template by name (see [`TypstRenderer::source_for`]).
    fn render(&self, template: &str, data: &Value) -> Result<Vec<u8>, DocexError> {
        self.render_result(&self.source_for(template)?, data)
    }
}
