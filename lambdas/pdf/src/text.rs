//! Words with positions from the PDF's text layer. `pdf_oxide` gives every glyph with its
//! box in PDF user space; this module maps the boxes to the displayed page (CropBox offset,
//! page rotation, origin top left, y down), groups glyphs into visual lines, and splits the
//! lines into words on spaces and on gaps wider than a fraction of the glyph height.

use docex_core::{BBox, DocexError, Word};

use crate::Limits;
use crate::structure::PageGeometry;

/// A glyph on the displayed page.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub ch: char,
    /// Box on the displayed page (origin top left, y down).
    pub bbox: BBox,
    /// Reading direction on the displayed page in quarter turns clockwise: 0 left to right,
    /// 1 top to bottom, 2 upside down, 3 bottom to top.
    pub direction: u8,
}

/// A gap wider than this share of the glyph height separates two words.
const WORD_GAP: f32 = 0.2;

/// Glyphs of one page, mapped to the displayed page.
pub fn page_glyphs(
    doc: &pdf_oxide::PdfDocument,
    index: usize,
    geometry: &PageGeometry,
    limits: &Limits,
) -> Result<Vec<Glyph>, DocexError> {
    let chars = doc
        .extract_chars(index)
        .map_err(|e| DocexError::CorruptPdf(format!("the text of page {} could not be read: {e}", geometry.number)))?;
    if chars.len() > limits.max_glyphs_per_page {
        return Err(DocexError::PdfLimitExceeded {
            limit_name: "max_glyphs_per_page".into(),
            detail: format!(
                "page {} has {} glyphs, over the limit of {}",
                geometry.number,
                chars.len(),
                limits.max_glyphs_per_page
            ),
        });
    }
    let mut glyphs = Vec::with_capacity(chars.len());
    for c in chars {
        let r = c.bbox;
        if ![r.x, r.y, r.width, r.height].iter().all(|v| v.is_finite()) {
            continue;
        }
        let (ax, ay) = geometry.to_display(r.x, r.y);
        let (bx, by) = geometry.to_display(r.x + r.width, r.y + r.height);
        let bbox = BBox { x0: ax.min(bx), y0: ay.min(by), x1: ax.max(bx), y1: ay.max(by) };
        // pdf_oxide measures the run's angle counter-clockwise in user space (y up); the page
        // /Rotate turns the display clockwise.
        let angle = (-c.rotation_degrees + geometry.rotate as f32).rem_euclid(360.0);
        let direction = ((angle / 90.0).round() as i32).rem_euclid(4) as u8;
        glyphs.push(Glyph { ch: c.char, bbox, direction });
    }
    Ok(glyphs)
}

/// Turns a display box into the frame where text of `direction` runs left to right.
fn canonical(direction: u8, b: &BBox) -> BBox {
    let (ax, ay, bx, by) = match direction {
        1 => (b.y0, -b.x0, b.y1, -b.x1),
        2 => (-b.x0, -b.y0, -b.x1, -b.y1),
        3 => (-b.y0, b.x0, -b.y1, b.x1),
        _ => (b.x0, b.y0, b.x1, b.y1),
    };
    BBox { x0: ax.min(bx), y0: ay.min(by), x1: ax.max(bx), y1: ay.max(by) }
}

struct Pending {
    glyphs: Vec<(BBox, Glyph)>, // canonical box, glyph
    range: BBox,
}

/// Groups glyphs into words, in reading order: lines top to bottom, words left to right
/// (horizontal text first, then each other direction).
pub fn words_from_glyphs(glyphs: Vec<Glyph>) -> Vec<Word> {
    let mut words = Vec::new();
    for direction in 0..4u8 {
        let mut items: Vec<(BBox, Glyph)> = glyphs
            .iter()
            .filter(|g| g.direction == direction)
            .map(|g| (canonical(direction, &g.bbox), g.clone()))
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort_by(|a, b| a.0.center_y().total_cmp(&b.0.center_y()).then(a.0.x0.total_cmp(&b.0.x0)));
        let mut lines: Vec<Pending> = Vec::new();
        for (cb, g) in items {
            let target = lines.iter_mut().rev().take(4).find(|line| {
                let overlap = line.range.y1.min(cb.y1) - line.range.y0.max(cb.y0);
                overlap >= 0.5 * cb.height().min(line.range.height()).max(0.1)
            });
            match target {
                Some(line) => {
                    line.range.x0 = line.range.x0.min(cb.x0);
                    line.range.x1 = line.range.x1.max(cb.x1);
                    line.glyphs.push((cb, g));
                }
                None => lines.push(Pending { range: cb, glyphs: vec![(cb, g)] }),
            }
        }
        lines.sort_by(|a, b| a.range.center_y().total_cmp(&b.range.center_y()));
        for mut line in lines {
            line.glyphs.sort_by(|a, b| a.0.x0.total_cmp(&b.0.x0));
            split_line(&line.glyphs, &mut words);
        }
    }
    words
}

fn split_line(glyphs: &[(BBox, Glyph)], words: &mut Vec<Word>) {
    let mut text = String::new();
    let mut bbox: Option<BBox> = None;
    let mut prev: Option<&(BBox, Glyph)> = None;
    let flush = |text: &mut String, bbox: &mut Option<BBox>, words: &mut Vec<Word>| {
        if let Some(b) = bbox.take()
            && !text.is_empty()
        {
            words.push(Word { text: std::mem::take(text), bbox: b });
        }
        text.clear();
    };
    for item in glyphs {
        let (cb, g) = item;
        if g.ch.is_whitespace() || g.ch.is_control() {
            // A space drawn inside the previous glyph separates nothing (some producers
            // emit spaces at the start of the run they belong to).
            if let Some((pb, _)) = prev
                && (cb.x0 + cb.x1) / 2.0 < pb.x1
            {
                continue;
            }
            flush(&mut text, &mut bbox, words);
            prev = None;
            continue;
        }
        if let Some((pb, pg)) = prev {
            // The same glyph drawn twice at almost the same place (fake bold, shadows).
            if pg.ch == g.ch && (cb.x0 - pb.x0).abs() < 0.3 * cb.width().max(0.5) {
                continue;
            }
            let height = cb.height().min(pb.height()).max(1.0);
            if cb.x0 - pb.x1 > WORD_GAP * height {
                flush(&mut text, &mut bbox, words);
            }
        }
        text.push(g.ch);
        bbox = Some(match bbox {
            Some(b) => b.union(&g.bbox),
            None => g.bbox,
        });
        prev = Some(item);
    }
    flush(&mut text, &mut bbox, words);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f32, y: f32, advance: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| Glyph {
                ch,
                bbox: BBox { x0: x + i as f32 * advance, y0: y, x1: x + (i as f32 + 0.9) * advance, y1: y + 10.0 },
                direction: 0,
            })
            .collect()
    }

    #[test]
    fn splits_on_spaces_and_gaps_and_orders_lines() {
        let mut all = glyphs("Total: 12.00", 10.0, 100.0, 5.0);
        all.extend(glyphs("EUR", 120.0, 101.0, 5.0));
        all.extend(glyphs("Invoice", 10.0, 50.0, 5.0));
        let words = words_from_glyphs(all);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, vec!["Invoice", "Total:", "12.00", "EUR"]);
        assert!((words[1].bbox.y0 - 100.0).abs() < 0.01);
    }

    #[test]
    fn a_space_inside_the_previous_glyph_does_not_split() {
        let mut all = glyphs("Klant", 10.0, 100.0, 5.0);
        let mut space = all[0].clone();
        space.ch = ' ';
        space.bbox.x0 += 0.5;
        space.bbox.x1 = space.bbox.x0 + 2.0;
        all.insert(1, space);
        let words = words_from_glyphs(all);
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].text, "Klant");
    }
}
