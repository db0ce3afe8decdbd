//! Thickening thin, dotted or faded print on a scanned page before OCR. A till receipt's
//! thermal or dot-matrix print scanned at low resolution breaks each letter into dots that
//! tesseract reads as noise; blurring the page by about the gap between the dots and then
//! calling every pixel clearly darker than the paper ink joins the dots into strokes again.

use ::image::GrayImage;
use ::image::imageops::fast_blur;

/// A pixel is ink when it is darker than this share of the paper's brightness.
const INK_BELOW_PAPER: f32 = 0.83;

/// `page` blurred by `spread` pixels (the Gaussian's standard deviation) and made black
/// and white: black where the blurred page is clearly darker than its paper.
pub fn thicken(page: &GrayImage, spread: f32) -> GrayImage {
    let threshold = (paper_brightness(page) as f32 * INK_BELOW_PAPER) as u8;
    let mut thick = fast_blur(page, spread);
    for pixel in thick.pixels_mut() {
        pixel.0[0] = if pixel.0[0] < threshold { 0 } else { 255 };
    }
    thick
}

/// The brightness of the paper: the level that nine pixels in ten are at most as bright as
/// (a page is mostly paper, and the brightest tenth may be glare or a white margin).
fn paper_brightness(page: &GrayImage) -> u8 {
    let mut histogram = [0usize; 256];
    for pixel in page.pixels() {
        histogram[pixel.0[0] as usize] += 1;
    }
    let wanted = page.pixels().len() * 9 / 10;
    let mut seen = 0;
    for (level, count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= wanted {
            return level as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::image::Luma;

    /// A page (paper at `paper`) with a dotted horizontal stroke along row 21: dots of ink
    /// three pixels wide with gaps of `gap` pixels between them, as a thermal print scanned
    /// at 300 dpi.
    fn dotted_stroke(paper: u8, gap: u32) -> GrayImage {
        let mut page = GrayImage::from_pixel(60, 40, Luma([paper]));
        for x in (10..50).step_by(3 + gap as usize) {
            for dx in 0..3 {
                for dy in 0..3 {
                    page.put_pixel(x + dx, 20 + dy, Luma([40]));
                }
            }
        }
        page
    }

    #[test]
    fn dots_a_few_pixels_apart_become_one_stroke() {
        let page = dotted_stroke(235, 1);
        // Between two dots the page is paper before and ink after.
        assert_eq!(page.get_pixel(13, 21).0[0], 235);
        let thick = thicken(&page, 2.0);
        assert!((11..48).all(|x| thick.get_pixel(x, 21).0[0] == 0), "the stroke has a gap");
        // Paper away from the stroke stays paper, on a grey scan as on a white one.
        assert_eq!(thick.get_pixel(30, 5).0[0], 255);
        assert_eq!(thick.get_pixel(5, 20).0[0], 255);
    }

    #[test]
    fn paper_is_what_most_of_the_page_is() {
        let page = dotted_stroke(180, 1);
        assert_eq!(paper_brightness(&page), 180);
        let thick = thicken(&page, 2.0);
        assert_eq!(thick.get_pixel(30, 5).0[0], 255, "a grey paper is no ink");
    }
}
