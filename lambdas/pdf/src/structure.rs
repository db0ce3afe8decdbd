//! The PDF's object structure, read with `lopdf`: loading (with repair of damaged
//! cross-reference data), encryption, page geometry (MediaBox/CropBox/Rotate, inherited
//! through the page tree), the per-stream decompression budget, whether a page carries
//! images, and the embedded files (`/EmbeddedFiles` name tree and `/AF` associated files).

use std::collections::HashSet;

use docex_core::{Attachment, BBox, DocexError};
use lopdf::{Dictionary, Object, ObjectId};

use crate::Limits;

/// The geometry of one page. Boxes are `[x0, y0, x1, y1]` in PDF user space (y up).
#[derive(Debug, Clone)]
pub struct PageGeometry {
    pub number: u32,
    pub id: ObjectId,
    /// The visible area: the CropBox clipped to the MediaBox.
    pub crop: [f32; 4],
    /// Clockwise display rotation: 0, 90, 180 or 270.
    pub rotate: i32,
    pub has_images: bool,
    /// Where the page paints its image XObjects, on the displayed page
    /// ([`crate::placement`]); empty on a page without images.
    pub images: Vec<BBox>,
}

impl PageGeometry {
    /// Width and height as displayed (rotation applied), in points.
    pub fn display_size(&self) -> (f32, f32) {
        let w = self.crop[2] - self.crop[0];
        let h = self.crop[3] - self.crop[1];
        if self.rotate % 180 == 0 { (w, h) } else { (h, w) }
    }

    /// Maps a point of PDF user space to displayed page coordinates (origin top left,
    /// y down), applying the CropBox offset and the page rotation.
    pub fn to_display(&self, x: f32, y: f32) -> (f32, f32) {
        let w = self.crop[2] - self.crop[0];
        let h = self.crop[3] - self.crop[1];
        let u = x - self.crop[0];
        let v = self.crop[3] - y;
        match self.rotate {
            90 => (h - v, u),
            180 => (w - u, h - v),
            270 => (v, w - u),
            _ => (u, v),
        }
    }
}

/// What the structure pass found.
pub struct Structure {
    pub pages: Vec<PageGeometry>,
    pub attachments: Vec<Attachment>,
    pub notes: Vec<String>,
    /// Set when the bytes given to the text extractor must differ from the input: a
    /// decrypted or repaired document, written back out.
    pub rewritten: Option<Vec<u8>>,
}

fn limit_error(limit_name: &str, detail: String) -> DocexError {
    DocexError::PdfLimitExceeded { limit_name: limit_name.to_string(), detail }
}

fn is_memory_limit(error: &lopdf::Error) -> bool {
    matches!(error, lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }))
}

fn map_load_error(error: lopdf::Error, limits: &Limits) -> DocexError {
    match &error {
        e if is_memory_limit(e) => {
            limit_error("max_stream_bytes", format!("a stream inflates to more than {} bytes", limits.max_stream_bytes))
        }
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword | lopdf::Error::UnsupportedSecurityHandler(_) => {
            DocexError::EncryptedPdf
        }
        lopdf::Error::RecursionLimit | lopdf::Error::ReferenceLimit => {
            limit_error("max_nesting_depth", format!("the parser's own limit was reached: {error}"))
        }
        _ => DocexError::CorruptPdf(error.to_string()),
    }
}

pub fn load(bytes: &[u8], limits: &Limits) -> Result<Structure, DocexError> {
    let options =
        lopdf::LoadOptions { max_decompressed_size: Some(limits.max_stream_bytes as usize), ..Default::default() };
    let mut doc = lopdf::Document::load_mem_with_options(bytes, options).map_err(|e| map_load_error(e, limits))?;
    let mut notes = Vec::new();
    let mut rewrite = false;

    let encrypted = doc.trailer.get(b"Encrypt").is_ok();
    if encrypted && doc.encryption_state.is_none() {
        return Err(DocexError::EncryptedPdf);
    }
    if doc.encryption_state.is_some() {
        notes.push(
            "the PDF is encrypted with an empty user password (it opens without a password); \
             it was decrypted to be read"
                .to_string(),
        );
        doc.encryption_state = None;
        doc.trailer.remove(b"Encrypt");
        rewrite = true;
    }
    if let Some(recovery) = doc.xref_recovery {
        let how = match recovery {
            lopdf::xref::XrefRecovery::OffsetCorrected => "its cross-reference offsets were wrong",
            _ => "its cross-reference table was rebuilt by scanning the file",
        };
        notes.push(format!("the PDF is damaged ({how}); it was repaired to be read, so check the result"));
        rewrite = true;
    }

    check_streams(&doc, limits)?;

    let page_ids = doc.get_pages();
    if page_ids.is_empty() {
        return Err(DocexError::CorruptPdf("no pages could be found".into()));
    }
    if page_ids.len() > limits.max_pages {
        return Err(DocexError::TooManyPages { pages: page_ids.len(), limit: limits.max_pages });
    }

    let mut pages = Vec::with_capacity(page_ids.len());
    for (&number, &id) in &page_ids {
        let dict = doc
            .get_object(id)
            .and_then(Object::as_dict)
            .map_err(|e| DocexError::CorruptPdf(format!("page {number} is missing: {e}")))?;
        if doc.xref_recovery.is_some() {
            for content_id in doc.get_page_contents(id) {
                if doc.get_object(content_id).is_err() {
                    return Err(DocexError::CorruptPdf(format!(
                        "the file is truncated or damaged: the content of page {number} is missing"
                    )));
                }
            }
        }
        pages.push(page_geometry(&doc, number, id, dict, limits));
    }

    let attachments = attachments(&doc, limits)?;

    let rewritten = if rewrite {
        let mut out = Vec::with_capacity(bytes.len());
        doc.save_to(&mut out)
            .map_err(|e| DocexError::CorruptPdf(format!("the repaired document could not be written: {e}")))?;
        Some(out)
    } else {
        None
    };
    Ok(Structure { pages, attachments, notes, rewritten })
}

/// Inflates every non-image stream under the per-stream budget, and checks the nesting
/// depth inside object streams (their objects never appear in the raw file).
fn check_streams(doc: &lopdf::Document, limits: &Limits) -> Result<(), DocexError> {
    let max = limits.max_stream_bytes as usize;
    for (id, object) in &doc.objects {
        let Object::Stream(stream) = object else { continue };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s == b"Image") {
            continue;
        }
        if stream.dict.get(b"Filter").is_err() {
            continue;
        }
        match stream.decompressed_content_with_limit(max) {
            Err(e) if is_memory_limit(&e) => {
                return Err(limit_error(
                    "max_stream_bytes",
                    format!("stream {} {} inflates to more than {max} bytes", id.0, id.1),
                ));
            }
            Ok(content) if stream.dict.has_type(b"ObjStm") => {
                let depth = crate::scan::max_nesting_depth(&content, limits.max_nesting_depth);
                if depth > limits.max_nesting_depth {
                    return Err(crate::depth_error(depth, limits));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Follows `/Parent` links for an inheritable page attribute.
fn inherited<'a>(doc: &'a lopdf::Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = page;
    for _ in 0..64 {
        if let Ok(value) = dict.get(key) {
            return doc.dereference(value).ok().map(|(_, o)| o);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_object(parent).ok()?.as_dict().ok()?;
    }
    None
}

fn num(doc: &lopdf::Document, object: &Object) -> Option<f32> {
    let (_, object) = doc.dereference(object).ok()?;
    match object {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn rect(doc: &lopdf::Document, object: Option<&Object>) -> Option<[f32; 4]> {
    let array = object?.as_array().ok()?;
    if array.len() != 4 {
        return None;
    }
    let v: Vec<f32> = array.iter().filter_map(|o| num(doc, o)).collect();
    if v.len() != 4 {
        return None;
    }
    let r = [v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])];
    (r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0).then_some(r)
}

fn page_geometry(doc: &lopdf::Document, number: u32, id: ObjectId, dict: &Dictionary, limits: &Limits) -> PageGeometry {
    let media = rect(doc, inherited(doc, dict, b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let crop = rect(doc, inherited(doc, dict, b"CropBox"))
        .map(|c| [c[0].max(media[0]), c[1].max(media[1]), c[2].min(media[2]), c[3].min(media[3])])
        .filter(|c| c[2] - c[0] > 1.0 && c[3] - c[1] > 1.0)
        .unwrap_or(media);
    let rotate = inherited(doc, dict, b"Rotate")
        .and_then(|o| num(doc, o))
        .map(|r| ((r as i32 % 360) + 360) % 360)
        .map(|r| (r / 90) * 90)
        .unwrap_or(0);
    let has_images = page_has_images(doc, id, limits);
    let mut geometry = PageGeometry { number, id, crop, rotate, has_images, images: Vec::new() };
    if has_images {
        geometry.images = crate::placement::image_boxes(doc, &geometry, limits);
    }
    geometry
}

fn page_has_images(doc: &lopdf::Document, page: ObjectId, limits: &Limits) -> bool {
    if let Ok((resources, inherited_ids)) = doc.get_page_resources(page) {
        let mut seen = HashSet::new();
        if let Some(res) = resources
            && resources_have_images(doc, res, 0, &mut seen)
        {
            return true;
        }
        for rid in inherited_ids {
            if let Ok(res) = doc.get_object(rid).and_then(Object::as_dict)
                && resources_have_images(doc, res, 0, &mut seen)
            {
                return true;
            }
        }
    }
    // Inline images (`BI ... ID ... EI`) live in the content stream itself.
    doc.get_page_content_with_limit(page, limits.max_stream_bytes as usize)
        .map(|content| {
            content.windows(4).any(|w| w[1..3] == *b"BI" && w[0].is_ascii_whitespace() && w[3].is_ascii_whitespace())
        })
        .unwrap_or(false)
}

fn resources_have_images(
    doc: &lopdf::Document,
    resources: &Dictionary,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
) -> bool {
    if depth > 8 {
        return false;
    }
    let Some(xobjects) =
        resources.get(b"XObject").ok().and_then(|o| doc.dereference(o).ok()).and_then(|(_, o)| o.as_dict().ok())
    else {
        return false;
    };
    for (_, value) in xobjects.iter() {
        if let Ok(id) = value.as_reference()
            && !seen.insert(id)
        {
            continue;
        }
        let Ok((_, Object::Stream(stream))) = doc.dereference(value) else { continue };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => return true,
            Ok(b"Form") => {
                if let Some(inner) = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|o| doc.dereference(o).ok())
                    .and_then(|(_, o)| o.as_dict().ok())
                    && resources_have_images(doc, inner, depth + 1, seen)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Decodes a PDF text string (UTF-16BE with a byte order mark, UTF-8 with one, or
/// PDFDocEncoding, read here as Latin-1).
pub fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

fn attachments(doc: &lopdf::Document, limits: &Limits) -> Result<Vec<Attachment>, DocexError> {
    let mut specs: Vec<(Option<String>, Object)> = Vec::new();
    if let Ok(catalog) = doc.catalog() {
        let tree = catalog
            .get(b"Names")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok())
            .and_then(|names| names.get(b"EmbeddedFiles").ok());
        if let Some(tree) = tree {
            let mut seen = HashSet::new();
            walk_name_tree(doc, tree, 0, &mut seen, &mut specs);
        }
        collect_af(doc, catalog, &mut specs);
    }
    for (_, page_id) in doc.get_pages() {
        if let Ok(page) = doc.get_object(page_id).and_then(Object::as_dict) {
            collect_af(doc, page, &mut specs);
        }
    }

    let mut out = Vec::new();
    let mut seen_streams = HashSet::new();
    for (key, spec) in specs {
        let Ok((_, Object::Dictionary(spec))) = doc.dereference(&spec) else { continue };
        let name = ["UF", "F"]
            .iter()
            .find_map(|k| spec.get(k.as_bytes()).ok().and_then(|o| o.as_str().ok()).map(text_string))
            .filter(|n| !n.is_empty())
            .or(key)
            .unwrap_or_else(|| "attachment".to_string());
        let Some(ef) = spec.get(b"EF").ok().and_then(|o| doc.dereference(o).ok()).and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        let Some(stream_ref) = ef.get(b"F").or_else(|_| ef.get(b"UF")).ok() else { continue };
        if let Ok(id) = stream_ref.as_reference()
            && !seen_streams.insert(id)
        {
            continue;
        }
        let Ok((_, Object::Stream(stream))) = doc.dereference(stream_ref) else { continue };
        let bytes = match stream.decompressed_content_with_limit(limits.max_stream_bytes as usize) {
            Ok(b) => b,
            Err(e) if is_memory_limit(&e) => {
                return Err(limit_error(
                    "max_stream_bytes",
                    format!("embedded file {name:?} inflates to more than {} bytes", limits.max_stream_bytes),
                ));
            }
            Err(_) if stream.dict.get(b"Filter").is_err() => stream.content.clone(),
            Err(e) => return Err(DocexError::CorruptPdf(format!("embedded file {name:?} could not be decoded: {e}"))),
        };
        out.push(Attachment { name, bytes });
    }
    Ok(out)
}

fn collect_af(doc: &lopdf::Document, dict: &Dictionary, specs: &mut Vec<(Option<String>, Object)>) {
    if let Some(array) = dict.get(b"AF").ok().and_then(|o| doc.dereference(o).ok()).and_then(|(_, o)| o.as_array().ok())
    {
        specs.extend(array.iter().map(|o| (None, o.clone())));
    }
}

fn walk_name_tree(
    doc: &lopdf::Document,
    node: &Object,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    specs: &mut Vec<(Option<String>, Object)>,
) {
    if depth > 32 {
        return;
    }
    if let Ok(id) = node.as_reference()
        && !seen.insert(id)
    {
        return;
    }
    let Some(dict) = doc.dereference(node).ok().and_then(|(_, o)| o.as_dict().ok()) else { return };
    if let Some(names) =
        dict.get(b"Names").ok().and_then(|o| doc.dereference(o).ok()).and_then(|(_, o)| o.as_array().ok())
    {
        for pair in names.chunks(2) {
            if let [key, value] = pair {
                let key = doc.dereference(key).ok().and_then(|(_, k)| k.as_str().ok()).map(text_string);
                specs.push((key, value.clone()));
            }
        }
    }
    if let Some(kids) =
        dict.get(b"Kids").ok().and_then(|o| doc.dereference(o).ok()).and_then(|(_, o)| o.as_array().ok())
    {
        for kid in kids {
            walk_name_tree(doc, kid, depth + 1, seen, specs);
        }
    }
}
