//! End-to-end tests of `read_pdf`: words and positions on real invoices, every named error,
//! repair and decryption notes, rotated pages, OCR of an image-only page, embedded files.

use std::path::PathBuf;

use docex_core::{DocexError, Document, ErrorName, Page, Word};
use docex_pdf::{Limits, OcrOptions, ocr_available, read_pdf};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = workspace().join("tests/fixtures/documents").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} missing: {e}", path.display()))
}

/// Documents without a clear licence are read from the shared data folder beside the
/// workspace, never committed. Returns None (after saying so loudly) when it is absent.
fn shared(name: &str) -> Option<Vec<u8>> {
    let path = workspace().join("../shared/data/documents").join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!(
                "\n*** SKIPPED: {} not found. This document has no clear licence, so it is not \
                 in the repository; put the shared data folder at ../shared/data beside the \
                 workspace to run this check. ***\n",
                path.display()
            );
            None
        }
    }
}

fn read(bytes: &[u8]) -> Result<Document, DocexError> {
    read_pdf(bytes, &Limits::default(), &OcrOptions::default())
}

fn error_name(result: Result<Document, DocexError>) -> String {
    match result {
        Ok(doc) => panic!("expected an error, got a document with {} pages and notes {:?}", doc.pages.len(), doc.notes),
        Err(e) => e.name().to_string(),
    }
}

fn find<'a>(page: &'a Page, text: &str) -> Vec<&'a Word> {
    page.words.iter().filter(|w| w.text == text).collect()
}

fn require_ocr() {
    if let Err(e) = ocr_available() {
        panic!(
            "this test needs OCR: {e}. Install the Debian packages tesseract-ocr and poppler-utils (CI installs them)."
        );
    }
}

/// A minimal PDF from object bodies (object 1 is the catalog), with a correct xref table.
fn build_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// One page showing `content`, with Helvetica as /F1.
fn one_page_pdf(content: Vec<u8>) -> Vec<u8> {
    build_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ])
}

// ---------------------------------------------------------------- words and positions

#[test]
fn amazon_invoice_words_pair_labels_with_values() {
    let doc = read(&fixture("invoice2data__AmazonWebServices.pdf")).unwrap();
    assert_eq!(doc.pages.len(), 1);
    let page = &doc.pages[0];
    assert!(!page.ocr);
    assert!((page.width - 612.0).abs() < 1.0 && (page.height - 792.0).abs() < 1.0, "{} x {}", page.width, page.height);
    assert!(page.words.len() > 200, "only {} words", page.words.len());
    assert!(!find(page, "42183017").is_empty(), "invoice number missing");

    // "Total for this invoice ... $4.11": the amount sits on the label's line, to its right.
    let lines = page.lines();
    let total = lines.iter().find(|l| l.text().starts_with("Total for this invoice")).expect("total line");
    assert!(total.text().ends_with("$4.11"), "total line reads {:?}", total.text());
    // The invoice number is on the line of its label, to the right.
    let label = find(page, "Number:")[0];
    let number = find(page, "42183017")[0];
    assert!(label.bbox.vertical_overlap(&number.bbox) > 0.5);
    assert!(number.bbox.x0 > label.bbox.x1);
    // Top-left origin: the title is near the top, the footer near the bottom.
    let title = find(page, "Amazon")[0];
    assert!(title.bbox.y0 < 100.0, "title at y {}", title.bbox.y0);
    assert!(find(page, "Seattle,")[0].bbox.y0 > 500.0);
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn words_have_sane_boxes_and_reading_order() {
    let doc = read(&fixture("invoice2data__QualityHosting.pdf")).unwrap();
    assert_eq!(doc.pages.len(), 2);
    for page in &doc.pages {
        assert!(!page.words.is_empty(), "page {} has no words", page.number);
        for w in &page.words {
            let b = w.bbox;
            assert!(!w.text.contains(' '), "{:?}", w.text);
            assert!(b.x0 <= b.x1 && b.y0 <= b.y1, "{w:?}");
            assert!(b.x0 >= -1.0 && b.x1 <= page.width + 1.0 && b.y0 >= -1.0 && b.y1 <= page.height + 1.0, "{w:?}");
        }
        // Lines come top to bottom.
        let ys: Vec<f32> = page.words.iter().map(|w| w.bbox.y0).collect();
        assert!(ys.first() < ys.last());
    }
}

#[test]
fn rotated_page_is_reported_as_displayed() {
    let upright = read(&fixture("invoice2data__SammyMaystoneLinesTest.pdf")).unwrap();
    let rotated = read(&fixture("generated/rotated_90.pdf")).unwrap();
    let (u, r) = (&upright.pages[0], &rotated.pages[0]);
    assert!((u.width - r.height).abs() < 1.0 && (u.height - r.width).abs() < 1.0);
    let texts = |p: &Page| {
        let mut t: Vec<String> = p.words.iter().map(|w| w.text.clone()).collect();
        t.sort();
        t
    };
    assert_eq!(texts(u), texts(r));
    // Turned a quarter clockwise, a horizontal word becomes tall and narrow, and the top of
    // the upright page is now on the right.
    let word = u.words.iter().find(|w| w.text.len() >= 6).unwrap();
    let turned = r.words.iter().find(|w| w.text == word.text).unwrap();
    assert!(turned.bbox.height() > turned.bbox.width(), "{turned:?}");
    assert!((turned.bbox.x1 - (r.width - word.bbox.y0)).abs() < 2.0, "{word:?} -> {turned:?}");
    assert!((turned.bbox.y0 - word.bbox.x0).abs() < 2.0, "{word:?} -> {turned:?}");
}

#[test]
fn hand_made_pdf_positions_follow_the_text_matrix() {
    let content = stream(
        "",
        b"BT /F1 12 Tf 72 700 Td (Invoice 42) Tj ET BT /F1 12 Tf 72 650 Td (Total:) Tj 300 0 Td (99.50) Tj ET",
    );
    let doc = read(&one_page_pdf(content)).unwrap();
    let page = &doc.pages[0];
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["Invoice", "42", "Total:", "99.50"]);
    let invoice = find(page, "Invoice")[0].bbox;
    assert!((invoice.x0 - 72.0).abs() < 1.5, "{invoice:?}");
    // Baseline at pdf y 700 is 100 pt from the top of an 800 pt page; the glyphs sit above it.
    assert!(invoice.y1 > 96.0 && invoice.y1 < 104.0 && invoice.y0 > 85.0, "{invoice:?}");
    let amount = find(page, "99.50")[0].bbox;
    assert!((amount.x0 - 372.0).abs() < 1.5, "{amount:?}");
    assert!(amount.vertical_overlap(&find(page, "Total:")[0].bbox) > 0.9);
}

#[test]
fn crop_box_offset_is_removed() {
    let content = stream("", b"BT /F1 12 Tf 172 800 Td (Offset) Tj ET");
    let bytes = build_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 800 1000] >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /CropBox [100 100 700 900] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ]);
    let doc = read(&bytes).unwrap();
    let page = &doc.pages[0];
    assert_eq!((page.width, page.height), (600.0, 800.0));
    let word = find(page, "Offset")[0].bbox;
    // pdf (172, 800) is 72 pt from the crop box's left edge and 100 pt below its top.
    assert!((word.x0 - 72.0).abs() < 1.5, "{word:?}");
    assert!(word.y1 > 96.0 && word.y1 < 104.0, "{word:?}");
}

// ---------------------------------------------------------------- named errors

#[test]
fn empty_file() {
    assert_eq!(error_name(read(b"")), "Docex.EmptyFile");
}

#[test]
fn not_a_pdf_says_what_it_looks_like() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    match read(png) {
        Err(DocexError::NotPdf(what)) => assert!(what.contains("PNG"), "{what}"),
        other => panic!("{other:?}"),
    }
    match read(b"<!DOCTYPE html><html><body>login</body></html>") {
        Err(DocexError::NotPdf(what)) => assert!(what.contains("HTML"), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(error_name(read(b"PK\x03\x04zipzipzip")), "Docex.NotPdf");
}

#[test]
fn leading_junk_before_the_header_is_accepted() {
    let mut bytes = b"garbage from a mail gateway\r\n".to_vec();
    bytes.extend(fixture("invoice2data__SammyMaystoneLinesTest.pdf"));
    let doc = read(&bytes).unwrap();
    assert!(!doc.pages[0].words.is_empty());
}

#[test]
fn truncated_invoice_is_corrupt() {
    let bytes = fixture("invoice2data__AmazonWebServices.pdf");
    for keep in [bytes.len() / 10, bytes.len() / 4, bytes.len() / 2] {
        let result = read(&bytes[..keep]);
        match result {
            Err(DocexError::CorruptPdf(_)) => {}
            Ok(doc) => panic!("{keep} bytes read as {} pages, notes {:?}", doc.pages.len(), doc.notes),
            Err(e) => panic!("{keep} bytes: {e:?}"),
        }
    }
    assert_eq!(error_name(read(b"%PDF-1.4\n")), "Docex.CorruptPdf");
}

#[test]
fn damaged_but_repairable_file_is_read_with_a_note() {
    let mut bytes = fixture("invoice2data__SammyMaystoneLinesTest.pdf");
    // Point startxref at the wrong place, as broken writers do.
    let at = bytes.windows(9).rposition(|w| w == b"startxref").unwrap();
    let digits_start = at + 10;
    let digits_end = digits_start + bytes[digits_start..].iter().position(|b| !b.is_ascii_digit()).unwrap();
    let wrong = format!("{:0width$}", 17, width = digits_end - digits_start);
    bytes.splice(digits_start..digits_end, wrong.into_bytes());
    let doc = read(&bytes).unwrap();
    assert!(doc.notes.iter().any(|n| n.contains("repaired")), "{:?}", doc.notes);
    assert!(!doc.pages[0].words.is_empty());
}

#[test]
fn encrypted_with_a_password() {
    assert_eq!(error_name(read(&fixture("generated/encrypted_password.pdf"))), "Docex.EncryptedPdf");
}

#[test]
fn encrypted_with_an_empty_user_password_is_read_with_a_note() {
    let doc = read(&fixture("generated/encrypted_empty_user_password.pdf")).unwrap();
    assert!(doc.notes.iter().any(|n| n.contains("empty user password")), "{:?}", doc.notes);
    let plain = read(&fixture("invoice2data__SammyMaystoneLinesTest.pdf")).unwrap();
    assert_eq!(doc.pages[0].words, plain.pages[0].words);
}

#[test]
fn too_many_pages() {
    let limits = Limits { max_pages: 1, ..Limits::default() };
    let result = read_pdf(&fixture("invoice2data__QualityHosting.pdf"), &limits, &OcrOptions::default());
    assert_eq!(result.unwrap_err(), DocexError::TooManyPages { pages: 2, limit: 1 });
}

#[test]
fn file_too_large() {
    let bytes = fixture("invoice2data__SammyMaystoneLinesTest.pdf");
    let limits = Limits { max_bytes: 10_000, ..Limits::default() };
    let result = read_pdf(&bytes, &limits, &OcrOptions::default());
    assert_eq!(result.unwrap_err(), DocexError::FileTooLarge { size: bytes.len() as u64, limit: 10_000 });
}

#[test]
fn flate_bomb_hits_the_stream_limit() {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..16 {
        encoder.write_all(&chunk).unwrap();
    }
    let packed = encoder.finish().unwrap();
    assert!(packed.len() < 100_000);
    let bytes = one_page_pdf(stream("/Filter /FlateDecode", &packed));
    let limits = Limits { max_stream_bytes: 4 << 20, ..Limits::default() };
    match read_pdf(&bytes, &limits, &OcrOptions::default()) {
        Err(DocexError::PdfLimitExceeded { limit_name, detail }) => {
            assert_eq!(limit_name, "max_stream_bytes", "{detail}");
        }
        other => panic!("{other:?}"),
    }
    // Under a budget that fits, the same file reads (as a blank page).
    let limits = Limits { max_stream_bytes: 32 << 20, ..Limits::default() };
    assert!(read_pdf(&bytes, &limits, &OcrOptions::default()).is_ok());
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let depth = 5000;
    let mut deep = b"<< /Type /Catalog /Pages 2 0 R /Junk ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.extend_from_slice(b" >>");
    let bytes = build_pdf(&[
        deep,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>".to_vec(),
    ]);
    match read(&bytes) {
        Err(DocexError::PdfLimitExceeded { limit_name, .. }) => assert_eq!(limit_name, "max_nesting_depth"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn glyph_and_word_budgets_are_named() {
    let bytes = fixture("invoice2data__AmazonWebServices.pdf");
    let limits = Limits { max_words_per_page: 10, ..Limits::default() };
    match read_pdf(&bytes, &limits, &OcrOptions::default()) {
        Err(DocexError::PdfLimitExceeded { limit_name, .. }) => assert_eq!(limit_name, "max_words_per_page"),
        other => panic!("{other:?}"),
    }
    let limits = Limits { max_glyphs_per_page: 10, ..Limits::default() };
    match read_pdf(&bytes, &limits, &OcrOptions::default()) {
        Err(DocexError::PdfLimitExceeded { limit_name, .. }) => assert_eq!(limit_name, "max_glyphs_per_page"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn damaged_bytes_never_panic() {
    let original = fixture("invoice2data__SammyMaystoneLinesTest.pdf");
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..40 {
        let mut bytes = original.clone();
        if round % 2 == 0 {
            for _ in 0..20 {
                let i = (next() as usize) % bytes.len();
                bytes[i] = next() as u8;
            }
        } else {
            bytes.truncate(20 + (next() as usize) % (bytes.len() - 20));
        }
        bytes[..5].copy_from_slice(b"%PDF-");
        // Any outcome is fine except a panic (which would fail this test).
        if let Err(e) = read(&bytes) {
            assert!(e.name().starts_with("Docex."));
        }
    }
}

// ---------------------------------------------------------------- OCR

#[test]
fn scanned_page_is_read_with_ocr() {
    require_ocr();
    let doc = read(&fixture("generated/scanned_invoice.pdf")).unwrap();
    let page = &doc.pages[0];
    assert!(page.ocr, "notes: {:?}", doc.notes);
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    for expected in ["INVOICE", "4711", "2024-03-15", "Total", "99.90", "EUR"] {
        assert!(texts.contains(&expected), "{expected} not in {texts:?}");
    }
    let total = find(page, "Total")[0].bbox;
    let amount = find(page, "99.90")[0].bbox;
    assert!(total.vertical_overlap(&amount) > 0.5, "{total:?} {amount:?}");
    assert!(amount.x0 > total.x1);
    // Boxes are in points on the A4 page: the image is fitted to the page width.
    assert!((page.width - 595.3).abs() < 1.0, "{}", page.width);
    assert!(total.x0 > 30.0 && total.x0 < 70.0, "{total:?}");
    assert!(doc.notes.iter().any(|n| n.contains("OCR")), "{:?}", doc.notes);
}

#[test]
fn print_inside_an_image_on_a_text_page_is_read_and_a_logo_is_not() {
    require_ocr();
    // The issuer's name, address and numbers are only a picture at the foot of the page, and
    // its logo another at the top; the rest is a text layer.
    let path = workspace().join("tests/fixtures/devset/real/invoice2data__saeco.pdf");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = read(&bytes).unwrap();
    let page = &doc.pages[0];
    assert!(!page.ocr);
    let lines = page.lines();
    let issuer = lines.iter().find(|l| l.text().contains("Nederland B.V.")).expect("the pictured issuer's line");
    assert!(issuer.text().contains("Luscious"), "{}", issuer.text());
    assert!(issuer.bbox.y0 > 700.0 && issuer.bbox.x0 < 60.0, "{:?}", issuer.bbox);
    assert_eq!(find(page, "NL8152.54.295.B01").len(), 1);
    // The logo's one word is left out; the text layer's words are kept once each.
    assert!(find(page, "Saeco").is_empty());
    assert_eq!(find(page, "VF1005193039").len(), 1);
    assert!(doc.notes.iter().any(|n| n.contains("print inside an image read with OCR")), "{:?}", doc.notes);

    // Without OCR, or told not to read pictures, the page keeps its text layer alone.
    for options in [
        OcrOptions { enabled: false, ..OcrOptions::default() },
        OcrOptions { read_pictures: false, ..OcrOptions::default() },
    ] {
        let plain = read_pdf(&bytes, &Limits::default(), &options).unwrap();
        assert!(find(&plain.pages[0], "NL8152.54.295.B01").is_empty());
        assert_eq!(plain.pages[0].words.len() + issuer_and_footer_words(page), page.words.len());
        assert!(plain.notes.is_empty(), "{:?}", plain.notes);
    }
}

/// The words of a page below its text layer's last line (y 710), where the saeco invoice's
/// pictured footer is.
fn issuer_and_footer_words(page: &Page) -> usize {
    page.words.iter().filter(|w| w.bbox.y0 > 710.0).count()
}

#[test]
fn scanned_page_without_ocr_is_left_empty_with_a_note() {
    let options = OcrOptions { enabled: false, ..OcrOptions::default() };
    let doc = read_pdf(&fixture("generated/scanned_invoice.pdf"), &Limits::default(), &options).unwrap();
    assert!(doc.pages[0].words.is_empty());
    assert!(!doc.pages[0].ocr);
    assert!(doc.notes.iter().any(|n| n.contains("page 1 has no text layer")), "{:?}", doc.notes);
}

#[test]
fn unknown_ocr_language_becomes_a_note() {
    require_ocr();
    let options = OcrOptions { language: "xx-no-such-language".into(), ..OcrOptions::default() };
    let doc = read_pdf(&fixture("generated/scanned_invoice.pdf"), &Limits::default(), &options).unwrap();
    assert!(doc.pages[0].words.is_empty());
    assert!(doc.notes.iter().any(|n| n.contains("OCR failed")), "{:?}", doc.notes);
}

#[test]
fn sroie_receipts_are_read_with_ocr() {
    require_ocr();
    let Some(bytes) = shared("sroie__005.pdf") else { return };
    let doc = read(&bytes).unwrap();
    assert!(doc.pages[0].ocr, "{:?}", doc.notes);
    assert!(doc.pages[0].words.len() > 30, "{} words", doc.pages[0].words.len());
    assert!(doc.text().to_uppercase().contains("TOTAL"), "{}", doc.text());
}

#[test]
fn kleister_contracts_read_every_page() {
    let Some(bytes) = shared("kleister_nda__031470434423a8c40105a4b404ced88b.pdf") else { return };
    let doc = read(&bytes).unwrap();
    assert_eq!(doc.pages.len(), 5);
    assert!(doc.pages.iter().all(|p| p.words.len() > 20 && !p.ocr));
    assert!(doc.pages[..4].iter().all(|p| p.words.len() > 400));
}

// ---------------------------------------------------------------- embedded files

#[test]
fn zugferd_invoice_carries_its_xml() {
    let name = "zugferd__ZUGFeRDv2_Mustangproject_MustangGnuaccountingBeispielRE-20201121_508.pdf";
    let doc = read(&fixture(name)).unwrap();
    assert_eq!(doc.attachments.len(), 1, "{:?}", doc.attachments.iter().map(|a| &a.name).collect::<Vec<_>>());
    let xml = &doc.attachments[0];
    assert!(xml.name.ends_with(".xml"), "{}", xml.name);
    let text = String::from_utf8_lossy(&xml.bytes);
    assert!(text.contains("CrossIndustryInvoice"), "{}", &text[..text.len().min(300)]);
    assert!(!doc.pages[0].words.is_empty());

    let stripped = read(&fixture(&format!("no_attachments/{name}"))).unwrap();
    assert!(stripped.attachments.is_empty());
    assert_eq!(stripped.pages[0].words, doc.pages[0].words);
}
