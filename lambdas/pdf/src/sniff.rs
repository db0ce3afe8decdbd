//! First look at the bytes before any parser runs: empty files, files over the size limit,
//! and files that are not PDFs at all (with a guess at what they are instead).

use docex_core::DocexError;

/// How far into the file a `%PDF-` header may start; readers accept some leading junk.
pub const HEADER_SEARCH_WINDOW: usize = 1024;

/// Checks size and header; returns the offset of `%PDF-`.
pub fn check_header(bytes: &[u8], max_bytes: u64) -> Result<usize, DocexError> {
    if bytes.is_empty() {
        return Err(DocexError::EmptyFile);
    }
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(DocexError::FileTooLarge { size, limit: max_bytes });
    }
    let window = &bytes[..bytes.len().min(HEADER_SEARCH_WINDOW)];
    match find(window, b"%PDF-") {
        Some(offset) => Ok(offset),
        None => Err(DocexError::NotPdf(describe(bytes))),
    }
}

/// A short human description of what non-PDF bytes look like.
pub fn describe(bytes: &[u8]) -> String {
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("a PNG image")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("a JPEG image")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("a GIF image")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("a TIFF image")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("a WebP image")
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some("a ZIP archive (or an Office document such as .docx/.xlsx)")
    } else if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Some("a legacy Office document (.doc/.xls)")
    } else if bytes.starts_with(b"\x1f\x8b") {
        Some("a gzip archive")
    } else if bytes.starts_with(b"{\\rtf") {
        Some("an RTF document")
    } else {
        None
    };
    if let Some(kind) = kind {
        return format!("it looks like {kind}");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<html") {
        return "it looks like an HTML page".into();
    }
    if head.starts_with("<?xml") || head.starts_with('<') {
        return "it looks like an XML document".into();
    }
    if head.starts_with('{') || head.starts_with('[') {
        return "it looks like JSON".into();
    }
    if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        return "it looks like plain text".into();
    }
    "it does not start with the %PDF- header".into()
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_formats() {
        assert!(describe(b"\x89PNG\r\n\x1a\n....").contains("PNG"));
        assert!(describe(b"PK\x03\x04rest").contains("ZIP"));
        assert!(describe(b"<!DOCTYPE html><html>").contains("HTML"));
        assert!(describe(b"hello").contains("plain text"));
    }

    #[test]
    fn accepts_leading_junk_within_the_window() {
        let mut bytes = vec![b' '; 100];
        bytes.extend_from_slice(b"%PDF-1.7\n");
        assert_eq!(check_header(&bytes, 1000).unwrap(), 100);
        let mut far = vec![b' '; 2000];
        far.extend_from_slice(b"%PDF-1.7\n");
        assert!(matches!(check_header(&far, 10_000), Err(DocexError::NotPdf(_))));
    }
}
