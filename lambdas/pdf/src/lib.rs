//! Reads a PDF into a [`docex_core::Document`]: every word with its box per page, the files
//! embedded in the PDF, and OCR for pages without a text layer; every failure is a named
//! [`DocexError`], never a panic.
//!
//! # How it reads
//!
//! 1. The raw bytes are checked first ([`sniff`]): empty, over `max_bytes`, no `%PDF-`
//!    header within the first 1024 bytes (the error says what the file looks like), and a
//!    lexical pass measures dictionary/array nesting ([`scan`]) before any recursive
//!    parser sees the file.
//! 2. `lopdf` loads the object structure ([`structure`]): it repairs damaged
//!    cross-reference data (the document then carries a note), decrypts files whose user
//!    password is empty (with a note) and refuses others, counts pages, inflates every
//!    non-image stream under `max_stream_bytes`, reads page geometry and embedded files.
//! 3. `pdf_oxide` gives the glyphs of each page with their boxes; [`text`] maps them to
//!    the displayed page (CropBox, /Rotate; origin top left, y down) and builds words.
//! 4. A page with almost no text that shows an image is rendered with `pdftoppm` and read
//!    with `tesseract` ([`ocr`]); when those are missing, the page stays empty and the
//!    document says why in its notes. On a page with a text layer, the images large enough
//!    to hold print ([`placement`] finds where they are painted) are read the same way, and
//!    a reading that is print rather than a logo adds its words ([`pictured`]).
//! 5. On request, pages are rendered as bounded PNG images for models that read page
//!    images ([`image`]).
//!
//! Both parsers run inside `catch_unwind`: a panic in either becomes `Docex.CorruptPdf`.
//!
//! # Why pdf_oxide for the words
//!
//! Measured with `cargo run --release -p docex-pdf --example compare_with_pdftotext -- DIR`
//! on the evaluation set (14 PDFs with a text layer, 25 pages: 12 invoices, 2 contracts;
//! the 4 scanned receipts have no text layer and are skipped), on a 2-core machine busy
//! with other builds (load ≈ 2.8), so speeds are rough.
//! Recall is the share of `pdftotext -bbox` words found (as a multiset); "same line" is
//! the share of found words whose vertical centre is within half a word height of
//! pdftotext's (and within 20 pt horizontally).
//!
//! | reader | recall (all / worst file) | same line | pages/s |
//! |---|---|---|---|
//! | docex-pdf (pdf_oxide 0.3 glyphs + the word builder in [`text`]) | 0.999 / 0.985 | 0.999 | 356 |
//! | pdf_oxide 0.3 `extract_words` | 0.997 / 0.972 | n/a | 103 |
//! | lopdf 0.47 `extract_text` (no positions) | 0.992 / 0.885 | n/a | 254 |
//! | pdftotext 22.12 `-bbox` (a process per file, reference) | 1 | 1 | 64 |
//!
//! pdf_oxide gives one glyph at a time with its box (`extract_chars`), and TJ offsets as
//! synthetic spaces, so words can be built exactly; its own word grouping is slower and
//! splits a few words differently. lopdf has no glyph positions at all (a content-stream
//! interpreter with font metrics would have to be written on top of it), so here it reads
//! the structure only. The remaining misses are glyphs touching across two text runs
//! ("88802Spielkreis") and text drawn over other text. The docex-pdf speed includes the
//! lopdf structure pass and the stream budget check. pdf_oxide without default features
//! still pulls about 230 crates (image decoders, font tooling); its release build is the
//! slow part of this crate.

pub mod image;
mod ink;
pub mod ocr;
pub mod pictured;
pub mod placement;
pub mod scan;
pub mod sniff;
pub mod structure;
pub mod text;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use docex_core::{BBox, DocexError, Document, DocumentReader, Page, panic_message};

/// Budgets for one document. Every one is configurable; exceeding one is a named error.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// File size (`Docex.FileTooLarge`).
    pub max_bytes: u64,
    /// Page count (`Docex.TooManyPages`).
    pub max_pages: usize,
    /// Bytes one stream may inflate to (limit name `max_stream_bytes`).
    pub max_stream_bytes: u64,
    /// Nesting of dictionaries and arrays (limit name `max_nesting_depth`).
    pub max_nesting_depth: usize,
    /// Glyphs drawn on one page (limit name `max_glyphs_per_page`).
    pub max_glyphs_per_page: usize,
    /// Words on one page (limit name `max_words_per_page`).
    pub max_words_per_page: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_pages: 500,
            max_stream_bytes: 64 * 1024 * 1024,
            max_nesting_depth: 64,
            max_glyphs_per_page: 200_000,
            max_words_per_page: 50_000,
        }
    }
}

/// How pages without a text layer are read.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrOptions {
    /// OCR at all; when false such pages stay empty (with a note).
    pub enabled: bool,
    /// Tesseract language(s), e.g. `eng` or `deu+eng`.
    pub language: String,
    /// Rendering resolution.
    pub dpi: u32,
    /// Time allowed for each external program, per page.
    pub timeout: Duration,
    /// A page with fewer non-space characters than this counts as having no text layer.
    pub min_text_chars: usize,
    /// Read the print inside the images of pages that have a text layer (a letterhead or
    /// footer pasted in as a picture; [`pictured`]). Each image large enough costs an OCR
    /// run (about half a second), logos included; on unless the environment variable
    /// [`READ_PICTURES_ENV`] is `0`, `false`, `no` or `off`.
    pub read_pictures: bool,
}

/// The environment variable that turns off reading the print inside images on pages with a
/// text layer ([`OcrOptions::read_pictures`]).
pub const READ_PICTURES_ENV: &str = "DOCEX_READ_PICTURES";

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            enabled: true,
            language: "eng".into(),
            dpi: 300,
            timeout: Duration::from_secs(60),
            min_text_chars: 10,
            read_pictures: std::env::var(READ_PICTURES_ENV)
                .map_or(true, |v| !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off")),
        }
    }
}

/// Whether OCR can run here; the error says what to install.
pub fn ocr_available() -> Result<(), DocexError> {
    ocr::available()
}

pub(crate) fn depth_error(depth: usize, limits: &Limits) -> DocexError {
    DocexError::PdfLimitExceeded {
        limit_name: "max_nesting_depth".into(),
        detail: format!("dictionaries and arrays nest more than {} deep (found {depth})", limits.max_nesting_depth),
    }
}

/// The PDF reader behind the core's [`DocumentReader`] port, with its limits and OCR
/// settings: what the prepare task uses in a Lambda and on one machine.
#[derive(Debug, Clone, Default)]
pub struct PdfReader {
    pub limits: Limits,
    pub ocr: OcrOptions,
}

impl DocumentReader for PdfReader {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocexError> {
        read_pdf(bytes, &self.limits, &self.ocr)
    }

    fn render_pages(&self, bytes: &[u8], pages: &[(u32, u32)]) -> Vec<(u32, Result<Vec<u8>, String>)> {
        image::render_pages(bytes, pages, self.ocr.timeout)
    }
}

/// Reads a PDF.
pub fn read_pdf(bytes: &[u8], limits: &Limits, ocr: &OcrOptions) -> Result<Document, DocexError> {
    sniff::check_header(bytes, limits.max_bytes)?;
    let depth = scan::max_nesting_depth(bytes, limits.max_nesting_depth);
    if depth > limits.max_nesting_depth {
        return Err(depth_error(depth, limits));
    }

    let parsed = catch_unwind(AssertUnwindSafe(|| read_text_layer(bytes, limits, ocr.min_text_chars)))
        .map_err(|p| DocexError::CorruptPdf(format!("the PDF parser failed: {}", panic_message(p))))?;
    let (mut document, scanned, pictured) = parsed?;

    if !scanned.is_empty() {
        ocr_pages(bytes, &mut document, &scanned, ocr);
    }
    if !pictured.is_empty() {
        read_pictured_text(bytes, &mut document, &pictured, ocr);
    }
    Ok(document)
}

/// A page that needs OCR: its index in `Document::pages`.
type Scanned = Vec<usize>;

/// Pages with a text layer that also show images large enough to hold print: each page's
/// index in `Document::pages` and the images' boxes.
type Pictured = Vec<(usize, Vec<BBox>)>;

fn read_text_layer(
    bytes: &[u8],
    limits: &Limits,
    min_text_chars: usize,
) -> Result<(Document, Scanned, Pictured), DocexError> {
    let structure = structure::load(bytes, limits)?;
    let source = structure.rewritten.clone().unwrap_or_else(|| bytes.to_vec());
    let doc = pdf_oxide::PdfDocument::from_bytes(source).map_err(|e| DocexError::CorruptPdf(e.to_string()))?;

    let mut document = Document {
        pages: Vec::new(),
        attachments: structure.attachments,
        notes: structure.notes,
        ..Document::default()
    };
    let mut scanned = Vec::new();
    let mut pictured = Vec::new();
    for geometry in &structure.pages {
        let glyphs = text::page_glyphs(&doc, (geometry.number - 1) as usize, geometry, limits)?;
        let words = text::words_from_glyphs(glyphs);
        if words.len() > limits.max_words_per_page {
            return Err(DocexError::PdfLimitExceeded {
                limit_name: "max_words_per_page".into(),
                detail: format!(
                    "page {} has {} words, over the limit of {}",
                    geometry.number,
                    words.len(),
                    limits.max_words_per_page
                ),
            });
        }
        let (width, height) = geometry.display_size();
        let chars: usize = words.iter().map(|w| w.text.chars().count()).sum();
        let page = Page { number: geometry.number, width, height, words, ocr: false };
        if geometry.has_images && chars < min_text_chars.max(1) {
            scanned.push(document.pages.len());
        } else {
            let regions = pictured::regions(&page, &geometry.images);
            if !regions.is_empty() {
                pictured.push((document.pages.len(), regions));
            }
        }
        document.pages.push(page);
    }
    Ok((document, scanned, pictured))
}

/// The PDF's bytes copied into a private temporary directory for the external programs.
fn scratch_copy(bytes: &[u8]) -> Result<(tempfile::TempDir, std::path::PathBuf), String> {
    let dir =
        tempfile::Builder::new().prefix("docex-ocr-").tempdir().map_err(|e| format!("no temporary directory ({e})"))?;
    let pdf = dir.path().join("input.pdf");
    std::fs::write(&pdf, bytes).map_err(|e| e.to_string())?;
    Ok((dir, pdf))
}

/// Reads the print in the images of pages that have a text layer ([`pictured`]). Without
/// OCR (turned off or not installed) the pages keep their text layer alone, as they would
/// anyway: nothing is noted, since most such images are logos.
fn read_pictured_text(bytes: &[u8], document: &mut Document, pictured: &Pictured, options: &OcrOptions) {
    if !options.enabled || !options.read_pictures || ocr::available().is_err() {
        return;
    }
    let (_dir, pdf) = match scratch_copy(bytes) {
        Ok(copy) => copy,
        Err(e) => {
            document.notes.push(format!("the images' print could not be read: {e}"));
            return;
        }
    };
    for (index, regions) in pictured {
        let page = &mut document.pages[*index];
        match pictured::read(&pdf, page, regions, options) {
            Ok(0) => {}
            Ok(_) => {
                let number = page.number;
                document
                    .notes
                    .push(format!("page {number}: print inside an image read with OCR ({})", options.language));
            }
            Err(e) => {
                document.notes.push(format!("page {}: the print inside its images could not be read: {e}", page.number))
            }
        }
    }
}

fn ocr_pages(bytes: &[u8], document: &mut Document, scanned: &[usize], options: &OcrOptions) {
    let describe = |list: &[usize]| -> String {
        let n: Vec<String> = list.iter().map(|&i| document.pages[i].number.to_string()).collect();
        if n.len() == 1 { format!("page {} has", n[0]) } else { format!("pages {} have", n.join(", ")) }
    };
    if !options.enabled {
        let what = describe(scanned);
        document.notes.push(format!("{what} no text layer and OCR is turned off"));
        return;
    }
    if let Err(e) = ocr::available() {
        let what = describe(scanned);
        document.notes.push(format!("{what} no text layer and {e}"));
        return;
    }
    let (_dir, pdf) = match scratch_copy(bytes) {
        Ok(copy) => copy,
        Err(e) => {
            document.notes.push(format!("OCR could not run: {e}"));
            return;
        }
    };
    let mut read = Vec::new();
    for &index in scanned {
        let page = &mut document.pages[index];
        match ocr::ocr_page(&pdf, page.number, page.width, page.height, options) {
            Ok(words) => {
                page.words = words;
                page.ocr = true;
                read.push(index);
            }
            Err(e) => document.notes.push(format!("page {} has no text layer and OCR failed: {e}", page.number)),
        }
    }
    if !read.is_empty() {
        let numbers: Vec<String> = read.iter().map(|&i| document.pages[i].number.to_string()).collect();
        let what = if read.len() == 1 { "page" } else { "pages" };
        document.notes.push(format!("{what} {} read with OCR ({})", numbers.join(", "), options.language));
    }
}
