//! Where a page paints its images: the content stream walked with its graphics state (`q`,
//! `Q`, `cm`) to each `Do` of an image XObject, and on into form XObjects, each image's unit
//! square mapped to the displayed page. The reader uses it to find text a page with a text
//! layer shows only as a picture (a letterhead or footer pasted in as an image).

use docex_core::BBox;
use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};

use crate::Limits;
use crate::structure::PageGeometry;

/// Form XObjects nest at most this deep before the walk stops looking inside them.
const MAX_FORM_DEPTH: usize = 8;

/// An affine matrix `[a b c d e f]` as PDF writes it (row vectors: `[x y 1] × M`).
type Matrix = [f32; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `first` applied, then `then`.
fn concat(first: Matrix, then: Matrix) -> Matrix {
    let [a, b, c, d, e, f] = first;
    let [a2, b2, c2, d2, e2, f2] = then;
    [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2]
}

/// The boxes (displayed page coordinates, origin top left) of the image XObjects page
/// `geometry` paints, in painting order. Inline images are left out; a content stream that
/// cannot be read gives no boxes.
pub fn image_boxes(doc: &lopdf::Document, geometry: &PageGeometry, limits: &Limits) -> Vec<BBox> {
    let Ok(content) = doc.get_page_content_with_limit(geometry.id, limits.max_stream_bytes as usize) else {
        return Vec::new();
    };
    let resources = page_resources(doc, geometry.id);
    let mut boxes = Vec::new();
    walk(doc, &content, &resources, IDENTITY, 0, limits, &mut |unit_square| {
        boxes.push(display_box(geometry, unit_square));
    });
    boxes
}

/// The page's own resources and those it inherits, nearest first.
fn page_resources(doc: &lopdf::Document, page: ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = doc.get_page_resources(page) else { return Vec::new() };
    own.into_iter()
        .chain(inherited.into_iter().filter_map(|id| doc.get_object(id).and_then(Object::as_dict).ok()))
        .collect()
}

/// Calls `found` with the matrix of every image painted by `content` (drawn with
/// `resources`, under the matrix `ctm`).
fn walk(
    doc: &lopdf::Document,
    content: &[u8],
    resources: &[&Dictionary],
    ctm: Matrix,
    depth: usize,
    limits: &Limits,
    found: &mut dyn FnMut(Matrix),
) {
    let Ok(content) = Content::decode(content) else { return };
    let mut ctm = ctm;
    let mut saved = Vec::new();
    for operation in &content.operations {
        match operation.operator.as_str() {
            "q" => saved.push(ctm),
            "Q" => ctm = saved.pop().unwrap_or(ctm),
            "cm" => {
                if let Some(matrix) = matrix(doc, &operation.operands) {
                    ctm = concat(matrix, ctm);
                }
            }
            "Do" => {
                let Some(name) = operation.operands.first().and_then(|o| o.as_name().ok()) else { continue };
                let Some(stream) = xobject(doc, resources, name) else { continue };
                match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                    Ok(b"Image") => found(ctm),
                    Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                        let Ok(inner) = stream.decompressed_content_with_limit(limits.max_stream_bytes as usize) else {
                            continue;
                        };
                        let form_matrix = stream
                            .dict
                            .get(b"Matrix")
                            .ok()
                            .and_then(|o| o.as_array().ok())
                            .and_then(|a| matrix(doc, a))
                            .unwrap_or(IDENTITY);
                        let own = stream
                            .dict
                            .get(b"Resources")
                            .ok()
                            .and_then(|o| doc.dereference(o).ok())
                            .and_then(|(_, o)| o.as_dict().ok());
                        let form_resources: Vec<&Dictionary> =
                            own.into_iter().chain(resources.iter().copied()).collect();
                        walk(doc, &inner, &form_resources, concat(form_matrix, ctm), depth + 1, limits, found);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Six numbers as a matrix.
fn matrix(doc: &lopdf::Document, operands: &[Object]) -> Option<Matrix> {
    let numbers: Vec<f32> = operands
        .iter()
        .filter_map(|o| match doc.dereference(o).ok()?.1 {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) => Some(*r),
            _ => None,
        })
        .filter(|v| v.is_finite())
        .collect();
    numbers.try_into().ok()
}

/// The XObject stream called `name` in the first resource dictionary that has one.
fn xobject<'a>(doc: &'a lopdf::Document, resources: &[&'a Dictionary], name: &[u8]) -> Option<&'a lopdf::Stream> {
    resources.iter().find_map(|dict| {
        let (_, xobjects) = doc.dereference(dict.get(b"XObject").ok()?).ok()?;
        let (_, object) = doc.dereference(xobjects.as_dict().ok()?.get(name).ok()?).ok()?;
        object.as_stream().ok()
    })
}

/// The unit square under `matrix`, as a box on the displayed page.
fn display_box(geometry: &PageGeometry, matrix: Matrix) -> BBox {
    let [a, b, c, d, e, f] = matrix;
    let corners = [(e, f), (a + e, b + f), (c + e, d + f), (a + c + e, b + d + f)];
    let shown: Vec<(f32, f32)> = corners.iter().map(|&(x, y)| geometry.to_display(x, y)).collect();
    let fold =
        |pick: fn(&(f32, f32)) -> f32, start: f32, keep: fn(f32, f32) -> f32| shown.iter().map(pick).fold(start, keep);
    BBox {
        x0: fold(|p| p.0, f32::INFINITY, f32::min),
        y0: fold(|p| p.1, f32::INFINITY, f32::min),
        x1: fold(|p| p.0, f32::NEG_INFINITY, f32::max),
        y1: fold(|p| p.1, f32::NEG_INFINITY, f32::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_and_moved_image_is_placed_on_the_displayed_page() {
        // `q 200 0 0 50 100 700 cm /Im1 Do Q` on an A4 page: 200 × 50 points, its lower
        // left corner 100 points from the left and 700 up, so 91.9 points from the top.
        let scale = [200.0, 0.0, 0.0, 50.0, 100.0, 700.0];
        let geometry = PageGeometry {
            number: 1,
            id: (1, 0),
            crop: [0.0, 0.0, 595.0, 841.9],
            rotate: 0,
            has_images: true,
            images: Vec::new(),
        };
        let placed = display_box(&geometry, concat(scale, IDENTITY));
        assert_eq!((placed.x0, placed.x1), (100.0, 300.0));
        assert!((placed.y0 - 91.9).abs() < 0.01 && (placed.y1 - 141.9).abs() < 0.01, "{placed:?}");
        // A translation applied after the scale moves the image, not its size.
        let moved = display_box(&geometry, concat(scale, [1.0, 0.0, 0.0, 1.0, 10.0, -20.0]));
        assert_eq!((moved.x0, moved.x1), (110.0, 310.0));
        assert!((moved.y1 - 161.9).abs() < 0.01);
    }
}
