//! A document as docex reads it: pages of words, each with its box on the page, plus any
//! files embedded in the PDF (such as a Factur-X / ZUGFeRD invoice XML) and images of the
//! scanned pages for models that read images. Coordinates are in PDF points with the origin
//! at the top left of the page and y growing downwards.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    pub fn center_y(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
    /// How much two boxes overlap vertically, as a share of the shorter one's height.
    pub fn vertical_overlap(&self, other: &BBox) -> f32 {
        let overlap = self.y1.min(other.y1) - self.y0.max(other.y0);
        let shorter = self.height().min(other.height()).max(0.1);
        (overlap / shorter).max(0.0)
    }
}

/// One word (a run of non-space characters) and where it sits on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
}

/// One page. `number` counts from 1, as people do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
    /// True when the words came from OCR rather than the PDF's text layer.
    #[serde(default)]
    pub ocr: bool,
}

/// A visual line: words whose boxes overlap vertically, left to right. Words of about one
/// size on two rows stay two lines though a word in much larger type beside them spans
/// both (a shop's name in large letters beside its small-print address).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub words: Vec<Word>,
    pub bbox: BBox,
}

impl Line {
    /// The words joined with single spaces.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.words.iter().map(|w| w.text.as_str()).collect();
        texts.join(" ")
    }
}

impl Page {
    /// Groups the page's words into visual lines, top to bottom, each left to right.
    pub fn lines(&self) -> Vec<Line> {
        let mut words: Vec<&Word> = self.words.iter().filter(|w| !w.text.trim().is_empty()).collect();
        words.sort_by(|a, b| a.bbox.center_y().total_cmp(&b.bbox.center_y()));
        let mut lines: Vec<Line> = Vec::new();
        for word in words {
            let same_row = |line: &Line| {
                let alike = || {
                    line.words
                        .iter()
                        .filter(|w| (0.67..=1.5).contains(&(w.bbox.height() / word.bbox.height().max(0.1))))
                };
                line.bbox.vertical_overlap(&word.bbox) >= 0.5
                    && (alike().next().is_none() || alike().any(|w| w.bbox.vertical_overlap(&word.bbox) >= 0.5))
            };
            let target = lines.iter_mut().rev().take(3).find(|line| same_row(line));
            match target {
                Some(line) => {
                    line.bbox = line.bbox.union(&word.bbox);
                    line.words.push(word.clone());
                }
                None => lines.push(Line { words: vec![word.clone()], bbox: word.bbox }),
            }
        }
        for line in &mut lines {
            line.words.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        }
        lines.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
        lines
    }

    /// The page's text, one visual line per text line.
    pub fn text(&self) -> String {
        let lines: Vec<String> = self.lines().iter().map(Line::text).collect();
        lines.join("\n")
    }

    /// Whether a model should also see the page as an image: its words came from OCR, or
    /// it has none at all.
    pub fn wants_image(&self) -> bool {
        self.ocr || self.words.is_empty()
    }

    /// The length in pixels of the longer side of the page's image: at most
    /// [`PAGE_IMAGE_MAX_SIDE`], and small enough for [`PAGE_IMAGE_MAX_PIXELS`] at the
    /// page's aspect ratio.
    pub fn image_long_side(&self) -> u32 {
        let (long, short) = (self.width.max(self.height) as f64, self.width.min(self.height) as f64);
        if !(long > 0.0 && short > 0.0) {
            return PAGE_IMAGE_MAX_SIDE;
        }
        let by_pixels = (PAGE_IMAGE_MAX_PIXELS * long / short).sqrt().floor() as u32;
        by_pixels.clamp(1, PAGE_IMAGE_MAX_SIDE)
    }
}

/// A file embedded in the PDF (for example `factur-x.xml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The longest side of a page image, in pixels: Claude models read up to 1,568 px without
/// scaling the image down (Bedrock itself refuses more than 8,000).
pub const PAGE_IMAGE_MAX_SIDE: u32 = 1568;
/// The most pixels in a page image: about what Claude models read without scaling down.
pub const PAGE_IMAGE_MAX_PIXELS: f64 = 1_150_000.0;
/// The largest page image in bytes: Bedrock Converse takes images of up to 3.75 MB.
pub const PAGE_IMAGE_MAX_BYTES: usize = 3_750_000;

/// An image of a scanned page (PNG), for models that read page images beside the OCR text.
/// The PNG is stored as a blob under `key`; `png` holds its bytes only while an extractor
/// needs them, and is never serialised with the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageImage {
    pub page: u32,
    pub key: String,
    pub width: u32,
    pub height: u32,
    #[serde(skip)]
    pub png: Vec<u8>,
}

/// A whole document as read from a PDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Document {
    pub pages: Vec<Page>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Things worth telling the user about how the document was read (pages OCRed,
    /// pages left unread because OCR is not installed, a repaired file, ...).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Images of the pages that have no text layer of their own (OCRed, or unreadable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_images: Vec<PageImage>,
}

impl Document {
    pub fn page(&self, number: u32) -> Option<&Page> {
        self.pages.iter().find(|p| p.number == number)
    }

    /// All text, pages separated by a form feed.
    pub fn text(&self) -> String {
        let pages: Vec<String> = self.pages.iter().map(Page::text).collect();
        pages.join("\n\u{c}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: f32, y0: f32) -> Word {
        Word { text: text.into(), bbox: BBox { x0, y0, x1: x0 + 6.0 * text.len() as f32, y1: y0 + 10.0 } }
    }

    #[test]
    fn a_page_image_stays_within_the_side_and_pixel_bounds() {
        let page = |width, height| Page { number: 1, width, height, words: Vec::new(), ocr: false };
        // A4 portrait: the pixel bound decides (1275 x 902 is 1.15 megapixels).
        assert_eq!(page(595.276, 841.89).image_long_side(), 1275);
        assert_eq!(page(841.89, 595.276).image_long_side(), 1275);
        // A long thin receipt: the side bound decides.
        assert_eq!(page(200.0, 2000.0).image_long_side(), PAGE_IMAGE_MAX_SIDE);
        assert_eq!(page(0.0, 0.0).image_long_side(), PAGE_IMAGE_MAX_SIDE);
    }

    #[test]
    fn lines_group_words_by_row_and_order_them_left_to_right() {
        let page = Page {
            number: 1,
            width: 600.0,
            height: 800.0,
            words: vec![
                word("Total:", 10.0, 100.0),
                word("12.00", 200.0, 101.0),
                word("Invoice", 10.0, 50.0),
                word("42", 80.0, 49.0),
            ],
            ocr: false,
        };
        let texts: Vec<String> = page.lines().iter().map(Line::text).collect();
        assert_eq!(texts, vec!["Invoice 42", "Total: 12.00"]);
    }

    #[test]
    fn two_rows_of_small_print_beside_a_word_in_large_type_stay_two_lines() {
        let large = Word { text: "Müller".into(), bbox: BBox { x0: 10.0, y0: 100.0, x1: 100.0, y1: 134.0 } };
        let page = Page {
            number: 1,
            width: 600.0,
            height: 800.0,
            words: vec![
                large,
                word("Müller", 200.0, 106.0),
                word("GmbH", 240.0, 106.0),
                word("VAT", 200.0, 122.0),
                word("DE123", 230.0, 122.0),
            ],
            ocr: false,
        };
        let texts: Vec<String> = page.lines().iter().map(Line::text).collect();
        assert_eq!(texts, vec!["Müller Müller GmbH", "VAT DE123"]);
    }
}
