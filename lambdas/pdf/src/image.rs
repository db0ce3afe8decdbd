//! Page images for models that read images (scanned pages go to the model as pictures
//! beside their OCR text): `pdftoppm` renders each page asked for as a grey-scale PNG whose
//! longer side has the number of pixels asked for, from a private temporary copy of the
//! PDF, under a timeout. An image over [`PAGE_IMAGE_MAX_BYTES`] is refused.

use std::time::Duration;

use docex_core::document::PAGE_IMAGE_MAX_BYTES;

/// For each `(page number, pixels of the longer side)`, the PNG bytes or why there are none.
pub fn render_pages(bytes: &[u8], pages: &[(u32, u32)], timeout: Duration) -> Vec<(u32, Result<Vec<u8>, String>)> {
    if pages.is_empty() {
        return Vec::new();
    }
    let every = |why: String| pages.iter().map(|(page, _)| (*page, Err(why.clone()))).collect();
    let dir = match tempfile::Builder::new().prefix("docex-image-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return every(format!("no temporary directory: {e}")),
    };
    let pdf = dir.path().join("input.pdf");
    if let Err(e) = std::fs::write(&pdf, bytes) {
        return every(format!("cannot write the PDF for rendering: {e}"));
    }
    pages.iter().map(|&(page, long_side)| (page, render_page(dir.path(), &pdf, page, long_side, timeout))).collect()
}

fn render_page(
    dir: &std::path::Path,
    pdf: &std::path::Path,
    page: u32,
    long_side: u32,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let base = dir.join(format!("image-{page}"));
    let mut render = std::process::Command::new("pdftoppm");
    render
        .arg("-scale-to")
        .arg(long_side.max(1).to_string())
        .arg("-f")
        .arg(page.to_string())
        .arg("-l")
        .arg(page.to_string())
        .arg("-cropbox")
        .arg("-gray")
        .arg("-png")
        .arg("-singlefile")
        .arg(pdf)
        .arg(&base);
    crate::ocr::run(render, timeout, dir, "pdftoppm")?;
    let path = base.with_extension("png");
    let png = std::fs::read(&path).map_err(|e| format!("pdftoppm wrote no image: {e}"))?;
    let _ = std::fs::remove_file(&path);
    if png.len() > PAGE_IMAGE_MAX_BYTES {
        return Err(format!(
            "the image of page {page} has {} bytes, over the limit of {PAGE_IMAGE_MAX_BYTES}",
            png.len()
        ));
    }
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/documents/");
        std::fs::read(format!("{path}{name}")).expect("fixture")
    }

    /// Width and height from a PNG's IHDR chunk.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (number(16), number(20))
    }

    #[test]
    fn a_page_renders_at_the_size_asked_for_and_a_missing_page_says_why() {
        let pdf = fixture("generated/scanned_invoice.pdf");
        let rendered = render_pages(&pdf, &[(1, 1275), (7, 1275)], Duration::from_secs(60));
        assert_eq!(rendered.len(), 2);
        let (page, png) = &rendered[0];
        assert_eq!(*page, 1);
        let png = png.as_ref().unwrap_or_else(|e| panic!("{e} (pdftoppm comes with poppler-utils)"));
        // A4 portrait: 1275 px high, 1275 * 595.3 / 841.9 wide.
        assert_eq!(png_size(png), (902, 1275));
        let (page, missing) = &rendered[1];
        assert_eq!(*page, 7);
        assert!(missing.as_ref().unwrap_err().contains("pdftoppm failed"), "{missing:?}");
    }
}
