//! Compares docex-pdf's words with poppler's `pdftotext -bbox` on every PDF in a folder:
//! word recall (share of pdftotext's words found, as a multiset), the share of found words
//! on the same line as pdftotext puts them, and pages per second. Also measures
//! `pdf_oxide`'s own word grouping and `lopdf`'s text extraction for comparison.
//!
//! `cargo run --release -p docex-pdf --example compare_with_pdftotext -- DIR`

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use docex_core::{BBox, Word};
use docex_pdf::{Limits, OcrOptions, read_pdf};

/// Runs `f` until at least `min` has passed (and at least twice); seconds per run.
fn time<T>(min: Duration, mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < 2 || start.elapsed() < min {
        std::hint::black_box(f());
        runs += 1;
    }
    start.elapsed().as_secs_f64() / runs as f64
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> f32 {
    let key = format!("{name}=\"");
    tag.find(&key).and_then(|i| tag[i + key.len()..].split('"').next()).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// pdftotext's words per page.
fn pdftotext_words(path: &Path) -> Option<Vec<Vec<Word>>> {
    let out = Command::new("pdftotext").arg("-bbox").arg(path).arg("-").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let html = String::from_utf8_lossy(&out.stdout);
    let mut pages: Vec<Vec<Word>> = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Vec::new());
        } else if line.starts_with("<word ") {
            let (Some(close), Some(end)) = (line.find('>'), line.rfind("</word>")) else { continue };
            let tag = &line[..close];
            let bbox =
                BBox { x0: attr(tag, "xMin"), y0: attr(tag, "yMin"), x1: attr(tag, "xMax"), y1: attr(tag, "yMax") };
            if let Some(page) = pages.last_mut() {
                page.push(Word { text: unescape(&line[close + 1..end]), bbox });
            }
        }
    }
    Some(pages)
}

/// Multiset recall of reference words.
fn recall(reference: &[&str], found: &[&str]) -> (usize, usize) {
    let mut bag: HashMap<&str, usize> = HashMap::new();
    for w in found {
        *bag.entry(w).or_default() += 1;
    }
    let mut hit = 0;
    for w in reference {
        if let Some(n) = bag.get_mut(w)
            && *n > 0
        {
            *n -= 1;
            hit += 1;
        }
    }
    (hit, reference.len())
}

/// Of the reference words that have a same-text word on the page, how many have one
/// whose vertical centre lies within half the reference word's height.
fn same_line(reference: &[Word], found: &[Word]) -> (usize, usize) {
    let mut by_text: HashMap<&str, Vec<&Word>> = HashMap::new();
    for w in found {
        by_text.entry(w.text.as_str()).or_default().push(w);
    }
    let (mut ok, mut total) = (0, 0);
    for r in reference {
        let Some(candidates) = by_text.get(r.text.as_str()) else { continue };
        total += 1;
        let tolerance = (r.bbox.height() / 2.0).max(1.0);
        if candidates.iter().any(|w| {
            (w.bbox.center_y() - r.bbox.center_y()).abs() <= tolerance && (w.bbox.x0 - r.bbox.x0).abs() <= 20.0
        }) {
            ok += 1;
        }
    }
    (ok, total)
}

fn texts(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.text.as_str()).collect()
}

#[derive(Default)]
struct Totals {
    hit: usize,
    total: usize,
    line_ok: usize,
    line_total: usize,
    seconds: f64,
    min_recall: f64,
}

impl Totals {
    fn add(&mut self, (hit, total): (usize, usize), line: Option<(usize, usize)>, seconds: f64) -> f64 {
        let r = if total == 0 { 1.0 } else { hit as f64 / total as f64 };
        if self.total == 0 || r < self.min_recall {
            self.min_recall = r;
        }
        self.hit += hit;
        self.total += total;
        if let Some((ok, t)) = line {
            self.line_ok += ok;
            self.line_total += t;
        }
        self.seconds += seconds;
        r
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "tests/fixtures/documents".into());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    let min = Duration::from_millis(300);
    let limits = Limits::default();
    let no_ocr = OcrOptions { enabled: false, ..OcrOptions::default() };

    println!(
        "| file | pages | words (pdftotext) | recall docex-pdf | same line | recall pdf_oxide words | recall lopdf | p/s docex-pdf | p/s pdf_oxide words | p/s lopdf | p/s pdftotext |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let (mut ours, mut oxide, mut lopdf_t, mut poppler) =
        (Totals::default(), Totals::default(), Totals::default(), Totals::default());
    let mut pages_total = 0usize;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(path).unwrap();
        let Some(reference) = pdftotext_words(path) else {
            println!("| {name} | - | pdftotext failed | | | | | | | | |");
            continue;
        };
        let ref_words: Vec<Word> = reference.iter().flatten().cloned().collect();
        if ref_words.is_empty() {
            println!("| {name} | {} | 0 (no text layer, skipped) | | | | | | | | |", reference.len());
            continue;
        }
        let pages = reference.len();
        pages_total += pages;

        let doc = match read_pdf(&bytes, &limits, &no_ocr) {
            Ok(doc) => doc,
            Err(e) => {
                println!("| {name} | {pages} | {} | error: {e} | | | | | | | |", ref_words.len());
                continue;
            }
        };
        let t_ours = time(min, || read_pdf(&bytes, &limits, &no_ocr).map(|d| d.pages.len()));
        let mut r_hit = (0, 0);
        let mut line = (0, 0);
        for (i, page) in doc.pages.iter().enumerate() {
            let refs = reference.get(i).map(Vec::as_slice).unwrap_or(&[]);
            let (h, t) = recall(&texts(refs), &texts(&page.words));
            r_hit = (r_hit.0 + h, r_hit.1 + t);
            let (o, t) = same_line(refs, &page.words);
            line = (line.0 + o, line.1 + t);
        }
        let r_ours = ours.add(r_hit, Some(line), t_ours);

        let oxide_words = |bytes: &[u8]| -> Vec<String> {
            let Ok(doc) = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()) else { return Vec::new() };
            let n = doc.page_count().unwrap_or(0);
            (0..n)
                .flat_map(|i| doc.extract_words(i).unwrap_or_default())
                .flat_map(|w| w.text.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .collect()
        };
        let ox = oxide_words(&bytes);
        let t_ox = time(min, || oxide_words(&bytes).len());
        let ox_refs: Vec<&str> = ox.iter().map(String::as_str).collect();
        let r_ox = oxide.add(recall(&texts(&ref_words), &ox_refs), None, t_ox);

        let lopdf_words = |bytes: &[u8]| -> Vec<String> {
            let Ok(doc) = lopdf::Document::load_mem(bytes) else { return Vec::new() };
            let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
            doc.extract_text(&numbers).unwrap_or_default().split_whitespace().map(str::to_string).collect()
        };
        let lo = lopdf_words(&bytes);
        let t_lo = time(min, || lopdf_words(&bytes).len());
        let lo_refs: Vec<&str> = lo.iter().map(String::as_str).collect();
        let r_lo = lopdf_t.add(recall(&texts(&ref_words), &lo_refs), None, t_lo);

        let t_pop = time(min, || pdftotext_words(path).map(|p| p.len()));
        poppler.add((1, 1), None, t_pop);

        println!(
            "| {name} | {pages} | {} | {r_ours:.3} | {:.3} | {r_ox:.3} | {r_lo:.3} | {:.0} | {:.0} | {:.0} | {:.0} |",
            ref_words.len(),
            if line.1 == 0 { 1.0 } else { line.0 as f64 / line.1 as f64 },
            pages as f64 / t_ours,
            pages as f64 / t_ox,
            pages as f64 / t_lo,
            pages as f64 / t_pop,
        );
    }
    let summary = |t: &Totals| {
        format!(
            "recall {:.3} (min {:.3}), {:.0} pages/s",
            if t.total == 0 { 0.0 } else { t.hit as f64 / t.total as f64 },
            t.min_recall,
            pages_total as f64 / t.seconds.max(1e-9)
        )
    };
    println!();
    println!("{pages_total} pages with a text layer");
    println!(
        "docex-pdf:        {}, same line as pdftotext {:.3}",
        summary(&ours),
        if ours.line_total == 0 { 0.0 } else { ours.line_ok as f64 / ours.line_total as f64 }
    );
    println!("pdf_oxide words:  {}", summary(&oxide));
    println!("lopdf text:       {}", summary(&lopdf_t));
    println!(
        "pdftotext -bbox:  {:.0} pages/s (a new process per file)",
        pages_total as f64 / poppler.seconds.max(1e-9)
    );
}
