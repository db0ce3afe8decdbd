//! Text that a page with a text layer shows only as a picture: a letterhead, a footer with
//! the issuer's address and registration numbers, or a stamp pasted in as an image. Each
//! image large enough to hold a line of print is read with OCR; a reading is kept only when
//! it holds a line or more of print tesseract is sure of (a logo's one or two words are
//! left out, so that a brand drawn as a picture never outweighs the names the page prints),
//! and only its words that no word of the text layer already covers are added.

use std::path::Path;

use docex_core::{BBox, Page};

use crate::OcrOptions;
use crate::ocr::ocr_region;

/// An image narrower or lower than this (in points) holds no line of print worth reading.
const MIN_WIDTH: f32 = 72.0;
const MIN_HEIGHT: f32 = 14.0;

/// At most this many images of a page are read, the largest first.
const MAX_IMAGES_PER_PAGE: usize = 4;

/// An image that already has this many words of the text layer on it is a background
/// under real text (a form, or a scan with its own OCR layer), not text of its own.
const TEXT_LAYER_WORDS_ON_A_BACKGROUND: usize = 3;

/// A reading with fewer characters tesseract is sure of than this is a logo or a picture,
/// not a line of print.
const MIN_CONFIDENT_CHARS: usize = 40;

/// Of `images` (boxes on the page), those worth reading, the largest first.
pub fn regions(page: &Page, images: &[BBox]) -> Vec<BBox> {
    let whole = BBox { x0: 0.0, y0: 0.0, x1: page.width, y1: page.height };
    let mut regions: Vec<BBox> = images
        .iter()
        .filter_map(|image| intersection(image, &whole))
        .filter(|image| image.width() >= MIN_WIDTH && image.height() >= MIN_HEIGHT)
        .filter(|image| {
            let on_it = page.words.iter().filter(|w| contains(image, &w.bbox)).count();
            on_it < TEXT_LAYER_WORDS_ON_A_BACKGROUND
        })
        .collect();
    regions.sort_by(|a, b| area(b).total_cmp(&area(a)));
    regions.dedup_by(|a, b| a == b);
    regions.truncate(MAX_IMAGES_PER_PAGE);
    regions
}

/// Reads `regions` of `page` (rendered from the PDF at `pdf`) and adds the words of each
/// reading that counts as print after the page's own (lines are made from the boxes, so
/// the order of `Page::words` does not matter); returns how many words were added.
pub fn read(pdf: &Path, page: &mut Page, regions: &[BBox], options: &OcrOptions) -> Result<usize, String> {
    let mut added = 0;
    for region in regions {
        let reading = ocr_region(pdf, page.number, *region, options)?;
        if reading.confident_chars < MIN_CONFIDENT_CHARS {
            continue;
        }
        let new: Vec<_> = reading
            .words
            .into_iter()
            .filter(|word| !page.words.iter().any(|printed| covers(&printed.bbox, &word.bbox)))
            .collect();
        added += new.len();
        page.words.extend(new);
    }
    Ok(added)
}

fn area(b: &BBox) -> f32 {
    b.width().max(0.0) * b.height().max(0.0)
}

fn intersection(a: &BBox, b: &BBox) -> Option<BBox> {
    let cut = BBox { x0: a.x0.max(b.x0), y0: a.y0.max(b.y0), x1: a.x1.min(b.x1), y1: a.y1.min(b.y1) };
    (cut.x1 > cut.x0 && cut.y1 > cut.y0).then_some(cut)
}

/// Whether the centre of `inner` lies in `outer`.
fn contains(outer: &BBox, inner: &BBox) -> bool {
    let (x, y) = ((inner.x0 + inner.x1) / 2.0, (inner.y0 + inner.y1) / 2.0);
    x >= outer.x0 && x <= outer.x1 && y >= outer.y0 && y <= outer.y1
}

/// Whether `printed` covers a third or more of `read`.
fn covers(printed: &BBox, read: &BBox) -> bool {
    intersection(printed, read).is_some_and(|cut| area(&cut) * 3.0 >= area(read))
}
