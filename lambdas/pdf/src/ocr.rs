//! OCR for pages without a text layer, through two external programs: `pdftoppm`
//! (poppler-utils) renders the page to a PNG and `tesseract` (tesseract-ocr) reads it as
//! TSV. Both run with fixed arguments on files in a private temporary directory, under a
//! timeout; nothing from the document reaches a shell. A page tesseract is unsure of is
//! read again with its print thickened (the `ink` module); the thickened reading is kept
//! only when tesseract is clearly surer of it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docex_core::{BBox, DocexError, Word};

use crate::{OcrOptions, ink};

/// The message given when OCR cannot run.
pub const UNAVAILABLE: &str = "OCR is not available: install tesseract-ocr and poppler-utils";

/// Whether `pdftoppm` and `tesseract` can be started.
pub fn available() -> Result<(), DocexError> {
    let mut missing = Vec::new();
    for (program, arg, package) in [("pdftoppm", "-v", "poppler-utils"), ("tesseract", "--version", "tesseract-ocr")] {
        let ok = Command::new(program)
            .arg(arg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !ok {
            missing.push(format!("{program} ({package})"));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DocexError::OcrUnavailable(format!("{UNAVAILABLE} (missing: {})", missing.join(", "))))
    }
}

/// Runs a program to completion or kills it after `timeout`.
pub(crate) fn run(mut command: Command, timeout: Duration, dir: &Path, label: &str) -> Result<(), String> {
    let stderr_path = dir.join(format!("{label}.stderr"));
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| format!("{label}: {e}"))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(stderr))
        .spawn()
        .map_err(|e| format!("{label} could not be started: {e}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let message = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                let message: String = message.trim().chars().take(300).collect();
                return Err(format!("{label} failed ({status}): {message}"));
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{label} did not finish within {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{label}: {e}")),
        }
    }
}

/// Below this mean word confidence tesseract is unsure of a page as rendered, and the page
/// is read again with its print thickened.
const SURE_ENOUGH: f32 = 85.0;

/// How far the print is spread before it is read again (the blur's standard deviation in
/// pixels at 300 dpi), smallest first: about the gap between the dots of a thermal or
/// dot-matrix print.
const INK_SPREADS: [f32; 3] = [1.0, 2.0, 3.0];

/// A thickened reading replaces the page as rendered when it has at least this many times
/// as many characters tesseract is sure of.
const CLEAR_GAIN: f32 = 1.5;

/// A word that tesseract is at least this sure of counts towards a reading's score.
const CONFIDENT_WORD: f32 = 80.0;

/// Renders page `number` of the PDF at `pdf` and reads its words. `width`/`height` are the
/// displayed page size in points, used to scale pixel boxes back to points. When tesseract
/// is unsure of the page, it reads it again with the print thickened by more and more, as
/// long as that gives more characters it is sure of; the best of those readings is kept if
/// it clearly beats the page as rendered.
pub fn ocr_page(pdf: &Path, number: u32, width: f32, height: f32, options: &OcrOptions) -> Result<Vec<Word>, String> {
    let dir = pdf.parent().ok_or("no working directory")?;
    let image = render(pdf, number, None, options)?;
    let read = |image: &Path| read_image(image, width, height, options);
    let rendered = read(&image)?;
    // A thickened reading that cannot be made leaves the page as rendered.
    let thickened = if rendered.mean_confidence < SURE_ENOUGH {
        read_thickened(&image, &dir.join(format!("page-{number}-thickened.png")), options.dpi, read).ok().flatten()
    } else {
        None
    };
    let _ = std::fs::remove_file(&image);
    // Thickening also blurs print that was sharp: it has to win clearly.
    Ok(match thickened {
        Some(best) if best.confident_chars as f32 >= CLEAR_GAIN * rendered.confident_chars as f32 => best.words,
        _ => rendered.words,
    })
}

/// Renders page `number` of the PDF at `pdf` (only `region` of it, in points, when given)
/// as a grey PNG beside it, and returns the image's path.
fn render(pdf: &Path, number: u32, region: Option<BBox>, options: &OcrOptions) -> Result<PathBuf, String> {
    let dir = pdf.parent().ok_or("no working directory")?;
    let image_base = dir.join(format!("page-{number}"));
    let mut render = Command::new("pdftoppm");
    render.arg("-r").arg(options.dpi.to_string()).arg("-f").arg(number.to_string()).arg("-l").arg(number.to_string());
    if let Some(region) = region {
        let pixels = |points: f32| ((points * options.dpi as f32 / 72.0).round().max(0.0) as u32).to_string();
        render.arg("-x").arg(pixels(region.x0)).arg("-y").arg(pixels(region.y0));
        render.arg("-W").arg(pixels(region.width())).arg("-H").arg(pixels(region.height()));
    }
    render.arg("-cropbox").arg("-gray").arg("-png").arg("-singlefile").arg(pdf).arg(&image_base);
    run(render, options.timeout, dir, "pdftoppm")?;
    Ok(image_base.with_extension("png"))
}

/// Reads an image of `width` × `height` points with tesseract.
fn read_image(image: &Path, width: f32, height: f32, options: &OcrOptions) -> Result<Reading, String> {
    let dir = image.parent().ok_or("no working directory")?;
    let stem = image.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
    let tsv_base = dir.join(format!("{stem}-ocr"));
    let mut read = Command::new("tesseract");
    // One thread: on a page or a picture, tesseract's threads cost more than they save (a
    // picture reads in about a third of the time).
    read.env("OMP_THREAD_LIMIT", "1");
    read.arg(image).arg(&tsv_base).arg("-l").arg(&options.language).arg("tsv");
    run(read, options.timeout, dir, "tesseract")?;
    let tsv = std::fs::read_to_string(tsv_base.with_extension("tsv"))
        .map_err(|e| format!("tesseract wrote no output: {e}"))?;
    Ok(parse_tsv(&tsv, width, height, options.dpi))
}

/// Reads the part `region` (in points) of page `number` with tesseract, as rendered, the
/// words' boxes in points on the page.
pub fn ocr_region(pdf: &Path, number: u32, region: BBox, options: &OcrOptions) -> Result<Reading, String> {
    let image = render(pdf, number, Some(region), options)?;
    let mut reading = read_image(&image, region.width(), region.height(), options);
    let _ = std::fs::remove_file(&image);
    if let Ok(reading) = &mut reading {
        for word in &mut reading.words {
            word.bbox = BBox {
                x0: word.bbox.x0 + region.x0,
                y0: word.bbox.y0 + region.y0,
                x1: word.bbox.x1 + region.x0,
                y1: word.bbox.y1 + region.y0,
            };
        }
    }
    reading
}

/// Reads the page image at `image` with its print thickened by more and more, while that
/// gives more characters tesseract is sure of, and returns the best of those readings.
fn read_thickened(
    image: &Path,
    thickened: &Path,
    dpi: u32,
    read: impl Fn(&Path) -> Result<Reading, String>,
) -> Result<Option<Reading>, String> {
    let page = ::image::open(image).map_err(|e| format!("cannot load the rendered page: {e}"))?.into_luma8();
    let mut best: Option<Reading> = None;
    for spread in INK_SPREADS {
        ink::thicken(&page, spread * dpi as f32 / 300.0)
            .save(thickened)
            .map_err(|e| format!("cannot save the thickened page: {e}"))?;
        let again = read(thickened)?;
        if best.as_ref().is_some_and(|best| again.confident_chars <= best.confident_chars) {
            break;
        }
        best = Some(again);
    }
    let _ = std::fs::remove_file(thickened);
    Ok(best)
}

/// What tesseract read on a page, and how sure it was.
#[derive(Debug)]
pub struct Reading {
    pub words: Vec<Word>,
    /// Mean confidence (0 to 100) of the words, weighted by their length.
    pub mean_confidence: f32,
    /// Characters in words read with a confidence of at least [`CONFIDENT_WORD`].
    pub confident_chars: usize,
}

/// Parses tesseract's TSV (`level page block par line word left top width height conf
/// text`) into words with boxes in points. A page scanned a little askew is levelled: the
/// words are shifted up or down by the median slope of tesseract's own text lines, so that
/// the words of one printed line share a height again and the total stays beside its label.
pub fn parse_tsv(tsv: &str, width: f32, height: f32, dpi: u32) -> Reading {
    let default_scale = 72.0 / dpi.max(1) as f32;
    let (mut sx, mut sy) = (default_scale, default_scale);
    let mut middle = 0.0;
    // (block, paragraph, line) and the box in pixels.
    let mut read: Vec<((u32, u32, u32), [f32; 4], &str)> = Vec::new();
    let (mut weighted_confidence, mut chars, mut confident_chars) = (0.0, 0usize, 0usize);
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 12 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<f32>().ok();
        let (Some(level), Some(left), Some(top), Some(w), Some(h), Some(conf)) =
            (num(0), num(6), num(7), num(8), num(9), num(10))
        else {
            continue;
        };
        if level == 1.0 && w > 0.0 && h > 0.0 {
            // The page row carries the image size in pixels.
            sx = width / w;
            sy = height / h;
            middle = w / 2.0;
            continue;
        }
        let text = cols[11].trim();
        if level != 5.0 || text.is_empty() || conf < 0.0 {
            continue;
        }
        let length = text.chars().count();
        chars += length;
        weighted_confidence += conf * length as f32;
        if conf >= CONFIDENT_WORD {
            confident_chars += length;
        }
        let id = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        read.push(((id(2), id(3), id(4)), [left, top, w, h], text));
    }
    let slope = skew_slope(&read);
    let words = read
        .into_iter()
        .map(|(_, [left, top, w, h], text)| {
            // Turned about the middle of the page, so no box moves far from its ink.
            let shift = slope * (left + w / 2.0 - middle);
            Word {
                text: text.to_string(),
                bbox: BBox { x0: left * sx, y0: (top - shift) * sy, x1: (left + w) * sx, y1: (top + h - shift) * sy },
            }
        })
        .collect();
    let mean_confidence = if chars == 0 { 0.0 } else { weighted_confidence / chars as f32 };
    Reading { words, mean_confidence, confident_chars }
}

/// The median slope (pixels down per pixel right) of the text lines with words far enough
/// apart to show one; 0 when no line does or the page is level to within a tenth of a degree.
fn skew_slope(words: &[((u32, u32, u32), [f32; 4], &str)]) -> f32 {
    let mut lines: Vec<(u32, u32, u32)> = words.iter().map(|w| w.0).collect();
    lines.sort_unstable();
    lines.dedup();
    let mut slopes: Vec<f32> = lines
        .iter()
        .filter_map(|key| {
            let centres: Vec<(f32, f32)> =
                words.iter().filter(|w| w.0 == *key).map(|(_, b, _)| (b[0] + b[2] / 2.0, b[1] + b[3])).collect();
            let (first, last) = (centres.first()?, centres.last()?);
            let run = last.0 - first.0;
            // Bottoms, not centres: a line's capitals and its lower-case words share a baseline.
            let height = words.iter().filter(|w| w.0 == *key).map(|w| w.1[3]).fold(0.0, f32::max);
            (centres.len() >= 2 && run > 8.0 * height).then(|| (last.1 - first.1) / run)
        })
        .collect();
    if slopes.is_empty() {
        return 0.0;
    }
    slopes.sort_by(f32::total_cmp);
    let median = slopes[slopes.len() / 2];
    if median.abs() < 0.1_f32.to_radians().tan() { 0.0 } else { median }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tsv_and_scales_to_points() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t300\t600\t150\t50\t96.5\tTotal\n\
                   5\t1\t1\t1\t1\t2\t600\t600\t150\t50\t-1\t \n";
        let reading = parse_tsv(tsv, 595.2, 841.92, 300);
        assert_eq!((reading.mean_confidence, reading.confident_chars), (96.5, 5));
        let words = reading.words;
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].text, "Total");
        assert!((words[0].bbox.x0 - 72.0).abs() < 0.1);
        assert!((words[0].bbox.y0 - 144.0).abs() < 0.1);
    }

    #[test]
    fn a_page_scanned_askew_is_levelled() {
        // Turned by about two degrees: each line falls 0.035 pixels per pixel to the right, so
        // the total on the right sits lower than its label, level with the next line's label.
        let header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                      1\t1\t0\t0\t0\t0\t0\t0\t1000\t1000\t-1\t\n";
        let mut tsv = header.to_string();
        for (line, (label, amount)) in
            [("SUBTOTAL", "291.68"), ("TOTAL", "309.18"), ("CASH", "310.00")].iter().enumerate()
        {
            let top = 500.0 + 30.0 * line as f32;
            tsv += &format!("5\t1\t1\t1\t{}\t1\t40\t{top}\t100\t20\t90\t{label}\n", line + 1);
            tsv += &format!("5\t1\t1\t1\t{}\t2\t800\t{}\t100\t20\t90\t{amount}\n", line + 1, top + 0.035 * 760.0);
        }
        let words = parse_tsv(&tsv, 1000.0, 1000.0, 72).words;
        let y = |text: &str| words.iter().find(|w| w.text == text).unwrap().bbox.y0;
        assert!((y("TOTAL") - y("309.18")).abs() < 1.0, "{words:?}");
        assert!((y("CASH") - y("310.00")).abs() < 1.0);
        // A level page keeps its coordinates.
        let level = format!(
            "{header}5\t1\t1\t1\t1\t1\t40\t500\t100\t20\t90\tTOTAL\n5\t1\t1\t1\t1\t2\t800\t500\t100\t20\t90\t9.99\n"
        );
        let words = parse_tsv(&level, 1000.0, 1000.0, 72).words;
        assert_eq!(words[1].bbox.y0, 500.0);
    }
}
