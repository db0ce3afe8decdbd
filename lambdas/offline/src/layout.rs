//! The page as the extractor reads it: visual lines with their words, a folded copy of
//! each line's text for label matching, segments (runs of words without a wide gap), and
//! the label occurrences found on them.

use docex_core::{BBox, Document, Word};
use docex_normalize::fold;

/// One word of a line, with its byte range in the line's text.
#[derive(Debug, Clone)]
pub(crate) struct TWord {
    pub bbox: BBox,
    pub start: usize,
    pub end: usize,
}

/// One visual line.
#[derive(Debug, Clone)]
pub(crate) struct TLine {
    pub page: u32,
    pub page_height: f32,
    pub text: String,
    pub words: Vec<TWord>,
    pub bbox: BBox,
    /// The page's text came from recognition (OCR): expect noise.
    pub ocr: bool,
    /// Folded characters (lower case, no diacritics, punctuation as single spaces).
    folded: Vec<char>,
    /// For each folded character, the byte range of its source in `text`.
    spans: Vec<(usize, usize)>,
    /// For each folded character, whether a glued word starts there: a lower-case letter
    /// followed by an upper-case one ("TotalAmount", "SubTotal"), as recognised receipts
    /// print labels.
    glued: Vec<bool>,
    /// The folded positions where a word starts: where a label may start.
    word_starts: Vec<usize>,
}

/// A label found on a line.
#[derive(Debug, Clone)]
pub(crate) struct LabelHit {
    /// Index of the field in the list given to [`find_labels`]; `None` for a distractor.
    pub field: Option<usize>,
    /// Folded length of the label, in characters: longer labels are more specific.
    pub len: usize,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub bbox: BBox,
}

impl TLine {
    fn new(page: u32, page_height: f32, ocr: bool, words: &[Word], bbox: BBox) -> TLine {
        let mut text = String::new();
        let mut twords: Vec<TWord> = Vec::with_capacity(words.len());
        for word in words {
            // Pieces of one word split by the PDF's glyph spacing ("F" "actuurnummer:") join up.
            if let Some(last) = twords.last_mut() {
                let gap = word.bbox.x0 - last.bbox.x1;
                let height = last.bbox.height().min(word.bbox.height()).max(1.0);
                if gap < 0.08 * height && gap > -0.5 * height && word.bbox.vertical_overlap(&last.bbox) > 0.5 {
                    text.push_str(&word.text);
                    last.end = text.len();
                    last.bbox = last.bbox.union(&word.bbox);
                    continue;
                }
            }
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(&word.text);
            twords.push(TWord { bbox: word.bbox, start, end: text.len() });
        }
        let mut folded = Vec::with_capacity(text.len());
        let mut spans = Vec::with_capacity(text.len());
        let mut glued = Vec::with_capacity(text.len());
        let mut previous: Option<char> = None;
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            let f = fold(c.encode_utf8(&mut [0u8; 4]));
            let chars: Vec<char> = if f.is_empty() { vec![' '] } else { f.chars().collect() };
            let camel = previous.is_some_and(|p| p.is_lowercase()) && c.is_uppercase();
            for (k, fc) in chars.into_iter().enumerate() {
                if fc == ' ' && folded.last().is_none_or(|l| *l == ' ') {
                    continue;
                }
                folded.push(fc);
                spans.push((i, end));
                glued.push(camel && k == 0);
            }
            previous = Some(c);
        }
        let word_starts =
            (0..folded.len()).filter(|&i| folded[i] != ' ' && (i == 0 || folded[i - 1] == ' ' || glued[i])).collect();
        TLine { page, page_height, ocr, text, words: twords, bbox, folded, spans, glued, word_starts }
    }

    pub fn height(&self) -> f32 {
        let mut heights: Vec<f32> = self.words.iter().map(|w| w.bbox.height()).collect();
        heights.sort_by(f32::total_cmp);
        heights.get(heights.len() / 2).copied().unwrap_or(10.0).max(1.0)
    }

    /// Occurrences of a folded label as whole words: byte ranges in `text`. A space of the
    /// label also matches where two words are glued ("TotalAmount" is "total amount"), and
    /// a match may not cross a wide gap between words: "INVOICE #" over one column and
    /// "DATE" over the next are not the label "invoice date".
    pub fn find(&self, label: &[char]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if label.is_empty() || label.len() > self.folded.len() {
            return out;
        }
        let end_boundary = |i: usize| i >= self.folded.len() || self.folded[i] == ' ' || self.glued[i];
        for &i in self.word_starts.iter().filter(|&&i| self.folded[i] == label[0]) {
            // Walk the label over the folded text.
            let (mut a, mut b) = (0, i);
            while a < label.len() && b < self.folded.len() {
                if label[a] == self.folded[b] {
                    a += 1;
                    b += 1;
                } else if label[a] == ' ' && self.glued[b] {
                    a += 1;
                } else {
                    break;
                }
            }
            if a < label.len() || !end_boundary(b) || b == i {
                continue;
            }
            let (start, end) = (self.spans[i].0, self.spans[b - 1].1);
            if !self.crosses_wide_gap(start, end) {
                out.push((start, end));
            }
        }
        out
    }

    /// Whether two words inside a byte range lie further apart than a label's words do.
    fn crosses_wide_gap(&self, start: usize, end: usize) -> bool {
        let limit = self.height() * 2.0;
        let inside: Vec<&TWord> = self.words.iter().filter(|w| w.start < end && start < w.end).collect();
        inside.windows(2).any(|p| p[1].bbox.x0 - p[0].bbox.x1 > limit)
    }

    /// The union of the boxes of the words touching a byte range.
    pub fn bbox_of(&self, start: usize, end: usize) -> Option<BBox> {
        self.words.iter().filter(|w| w.start < end && start < w.end).map(|w| w.bbox).reduce(|a, b| a.union(&b))
    }

    /// Segments: maximal runs of words without a gap wider than about one and a half
    /// character heights, and in about one size of type (a shop's name in large letters ends
    /// where its legal name in small print begins), as byte ranges of `text`.
    pub fn segments(&self) -> Vec<(usize, usize)> {
        let gap_limit = self.height() * 1.2;
        let one_size = |a: &TWord, b: &TWord| {
            let (ha, hb) = (a.bbox.height().max(0.1), b.bbox.height().max(0.1));
            ha.max(hb) < 2.0 * ha.min(hb)
        };
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut previous: Option<&TWord> = None;
        for word in &self.words {
            match (previous, out.last_mut()) {
                (Some(p), Some(last)) if word.bbox.x0 - p.bbox.x1 <= gap_limit && one_size(p, word) => {
                    last.1 = word.end
                }
                _ => out.push((word.start, word.end)),
            }
            previous = Some(word);
        }
        out
    }

    /// Column titles set over two lines ("Line total" over "with taxes", "Jednotková" over
    /// "cena") as one line: each title of this line with the words of `upper` that stand
    /// over it first. `None` unless `upper` sits right above this line, holds no figures,
    /// and each run of its words stands over a title of this line (the one it overlaps
    /// most: "Linia totală" set wider than "cu taxe" under it).
    pub fn with_titles_above(&self, upper: &TLine) -> Option<TLine> {
        let gap = self.bbox.y0 - upper.bbox.y1;
        if upper.page != self.page
            || !(0.0..=0.8 * self.height()).contains(&gap)
            || upper.text.chars().any(|c| c.is_ascii_digit())
        {
            return None;
        }
        let titles: Vec<BBox> = self.segments().iter().filter_map(|&(s, e)| self.bbox_of(s, e)).collect();
        let word = |line: &TLine, w: &TWord| Word { text: line.text[w.start..w.end].to_string(), bbox: w.bbox };
        let mut placed: Vec<(usize, bool, Word)> = Vec::new();
        for (s, e) in upper.segments() {
            let run = upper.bbox_of(s, e)?;
            let overlap = |t: &BBox| t.x1.min(run.x1) - t.x0.max(run.x0);
            let (title, widest) = titles.iter().map(overlap).enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
            if widest <= 0.0 {
                return None;
            }
            for w in upper.words.iter().filter(|w| s <= w.start && w.end <= e) {
                placed.push((title, false, word(upper, w)));
            }
        }
        for w in &self.words {
            let title = titles.iter().position(|t| t.x0 <= w.bbox.x0 && w.bbox.x1 <= t.x1)?;
            placed.push((title, true, word(self, w)));
        }
        placed.sort_by_key(|(title, lower, _)| (*title, *lower));
        let words: Vec<Word> = placed.into_iter().map(|(_, _, w)| w).collect();
        Some(TLine::new(self.page, self.page_height, self.ocr, &words, self.bbox.union(&upper.bbox)))
    }

    /// The segment that holds a byte offset.
    pub fn segment_at(&self, at: usize) -> Option<(usize, usize)> {
        self.segments().into_iter().find(|(s, e)| *s <= at && at <= *e)
    }

    /// Whether the text from `start` to `end` is a segment of its own, but for a colon after
    /// it: a heading ("To:"), not a word of a phrase.
    pub fn is_whole_segment(&self, start: usize, end: usize) -> bool {
        self.segment_at(start).is_some_and(|(s, e)| {
            s == start && self.text[end..e].trim_start().trim_start_matches(':').trim().is_empty()
        })
    }

    /// The first segment starting at or after a byte offset.
    pub fn segment_after(&self, at: usize) -> Option<(usize, usize)> {
        self.segments().into_iter().find(|(s, _)| *s >= at)
    }
}

/// All lines of a document, page by page, top to bottom.
pub(crate) fn document_lines(document: &Document) -> Vec<TLine> {
    let mut out = Vec::new();
    for page in &document.pages {
        for line in page.lines() {
            out.push(TLine::new(page.number, page.height, page.ocr, &line.words, line.bbox));
        }
    }
    out
}

/// The height of a document's body text: the median of its lines'.
pub(crate) fn median_line_height(lines: &[TLine]) -> f32 {
    let mut heights: Vec<f32> = lines.iter().map(TLine::height).collect();
    heights.sort_by(f32::total_cmp);
    heights.get(heights.len() / 2).copied().unwrap_or(10.0)
}

/// A label folded to characters for [`TLine::find`].
pub(crate) fn fold_label(label: &str) -> Vec<char> {
    fold(label).chars().collect()
}

/// Finds every label of every field on every line, then drops each hit that lies inside a
/// longer hit (of any field, or a distractor): "total" inside "total tax", "date" inside
/// "order date". A label of one or two letters ("To") counts only as a segment of its own.
/// Distractors are words of running text ("original invoice", the invoice a credit note
/// corrects); in a heading, in type twice the size of the page's text, they name the
/// document itself ("Original invoice #25034116") and hide nothing.
pub(crate) fn find_labels(lines: &[TLine], labels: &[(Option<usize>, Vec<char>)]) -> Vec<LabelHit> {
    let body = median_line_height(lines);
    let mut hits = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let heading = line.height() >= 2.0 * body;
        let mut on_line: Vec<LabelHit> = Vec::new();
        for (field, label) in labels.iter().filter(|(field, _)| field.is_some() || !heading) {
            for (start, end) in line.find(label) {
                if label.len() <= 2 && !line.is_whole_segment(start, end) {
                    continue;
                }
                let bbox = line.bbox_of(start, end).unwrap_or(line.bbox);
                on_line.push(LabelHit { field: *field, len: label.len(), line: li, start, end, bbox });
            }
        }
        let kept: Vec<LabelHit> = on_line
            .iter()
            .filter(|h| {
                !on_line.iter().any(|o| {
                    o.len > h.len && o.start <= h.start && h.end <= o.end && (o.start, o.end) != (h.start, h.end)
                })
            })
            .cloned()
            .collect();
        hits.extend(kept.into_iter().filter(|h| h.field.is_some()));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::Page;

    fn word(text: &str, x0: f32, y0: f32) -> Word {
        Word { text: text.into(), bbox: BBox { x0, y0, x1: x0 + 6.0 * text.chars().count() as f32, y1: y0 + 10.0 } }
    }

    fn doc(words: Vec<Word>) -> Document {
        Document {
            pages: vec![Page { number: 1, width: 600.0, height: 800.0, words, ocr: false }],
            ..Default::default()
        }
    }

    #[test]
    fn labels_match_whole_words_ignoring_case_accents_and_punctuation() {
        let d = doc(vec![word("Numéro", 10.0, 10.0), word("de", 52.0, 10.0), word("FACTURE:", 66.0, 10.0)]);
        let lines = document_lines(&d);
        let hits = lines[0].find(&fold_label("numero de facture"));
        assert_eq!(hits.len(), 1);
        assert_eq!(&lines[0].text[hits[0].0..hits[0].1], "Numéro de FACTURE");
        assert!(lines[0].find(&fold_label("fact")).is_empty());
    }

    #[test]
    fn longer_labels_win_over_the_labels_inside_them() {
        let d = doc(vec![word("Total", 10.0, 10.0), word("tax", 50.0, 10.0), word("12.00", 300.0, 10.0)]);
        let lines = document_lines(&d);
        let labels = vec![(Some(0), fold_label("total")), (Some(1), fold_label("total tax"))];
        let hits = find_labels(&lines, &labels);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].field, Some(1));
    }

    #[test]
    fn labels_do_not_span_the_gap_between_two_column_titles() {
        // "INVOICE #" over one column and "DATE OF ISSUE" over the next: not "invoice date".
        let d = doc(vec![
            word("INVOICE", 57.0, 100.0),
            word("#", 101.0, 100.0),
            word("DATE", 147.0, 100.0),
            word("OF", 175.0, 100.0),
            word("ISSUE", 190.0, 100.0),
        ]);
        let lines = document_lines(&d);
        assert!(lines[0].find(&fold_label("invoice date")).is_empty());
        assert_eq!(lines[0].find(&fold_label("invoice")).len(), 1);
        assert_eq!(lines[0].find(&fold_label("date of issue")).len(), 1);
    }

    #[test]
    fn glued_labels_of_recognised_receipts_match() {
        let d = doc(vec![word("TotalAmount:", 10.0, 10.0), word("31.00", 200.0, 10.0)]);
        let lines = document_lines(&d);
        assert_eq!(lines[0].find(&fold_label("total amount")), vec![(0, 11)]);
        assert_eq!(lines[0].find(&fold_label("total")), vec![(0, 5)]);
        // Each glued part is a word of its own; inside a word that is not glued, no match.
        assert_eq!(lines[0].find(&fold_label("amount")), vec![(5, 11)]);
        let d = doc(vec![word("Subtotal", 10.0, 10.0)]);
        assert!(document_lines(&d)[0].find(&fold_label("total")).is_empty());
    }

    fn first_line_segments(d: &Document) -> Vec<String> {
        let line = &document_lines(d)[0];
        line.segments().iter().map(|&(s, e)| line.text[s..e].to_string()).collect()
    }

    #[test]
    fn segments_split_at_wide_gaps() {
        let d = doc(vec![word("Total", 10.0, 10.0), word("due", 50.0, 10.0), word("12.00", 300.0, 10.0)]);
        assert_eq!(first_line_segments(&d), ["Total due", "12.00"]);
    }

    #[test]
    fn segments_split_where_the_type_size_changes() {
        // A shop's name in large letters, its legal name in small print right after it.
        let large = |text: &str, x0: f32, x1: f32| Word { text: text.into(), bbox: BBox { x0, y0: 0.0, x1, y1: 34.0 } };
        let d = doc(vec![
            large("Lumen", 66.0, 169.0),
            large("Systems", 179.0, 308.0),
            word("Lumen", 318.0, 6.0),
            word("Systems", 358.0, 6.0),
            word("Inc.", 405.0, 6.0),
        ]);
        assert_eq!(first_line_segments(&d), ["Lumen Systems", "Lumen Systems Inc."]);
    }
}
