//! The workflow's Merge task (`docex_tasks::merge`) over chunks read separately: chunks
//! that disagree on a value lower its confidence and say why, and a list that does not
//! match the count the document prints ("Anzahl Positionen: 4") needs review.

mod common;

use common::stores::{Blobs, Jobs, Specs};
use common::*;
use docex_core::job::keys;
use docex_core::{Document, Extraction, FieldEvidence, JobResult, JobStatus};
use docex_tasks::MergeInput;
use serde_json::{Value, json};

fn evidence(page: u32, text: &str, confidence: f64) -> FieldEvidence {
    FieldEvidence { confidence, page: Some(page), text: text.into(), bbox: None }
}

/// The good invoice data as one chunk's extraction, every value read on `page`.
fn chunk_of(data: Value, page: u32, confidence: f64) -> Extraction {
    let mut extraction = Extraction::default();
    for (name, value) in data.as_object().unwrap() {
        extraction.set(name, value.clone(), evidence(page, "as printed", confidence));
    }
    extraction
}

async fn merged(job_id: &str, document: Document, chunks: Vec<Extraction>) -> JobResult {
    let blobs = Blobs::default();
    blobs.put_json(&keys::document(job_id), &document);
    for (index, chunk) in chunks.iter().enumerate() {
        blobs.put_json(&keys::chunk(job_id, index), chunk);
    }
    let input = MergeInput { job_id: job_id.into(), spec: "invoice".into(), chunk_count: chunks.len() };
    docex_tasks::merge(&input, &blobs, &Jobs::with(job_id), &Specs, "bedrock").await.unwrap();
    blobs.json(&keys::result(job_id))
}

fn two_pages() -> Document {
    Document { pages: vec![page(1, INVOICE_LINES), page(9, &["Total EUR 89.85"])], ..Document::default() }
}

#[tokio::test]
async fn chunks_that_disagree_on_a_value_lower_its_confidence_and_need_review() {
    let mut later = serde_json::Map::new();
    later.insert("total_amount".into(), json!(98.85));
    let result = merged(
        "job-disagree",
        two_pages(),
        vec![chunk_of(good_data(), 1, 0.9), chunk_of(Value::Object(later), 9, 0.6)],
    )
    .await;
    assert_eq!(result.data["total_amount"], json!(89.85), "the more confident reading is kept");
    let confidence = result.fields["/total_amount"].confidence;
    assert!((confidence - 0.9 * 0.7).abs() < 1e-9, "{confidence}");
    assert_eq!(result.status, JobStatus::NeedsReview);
    assert!(
        result.review_reasons.contains(
            &"/total_amount: the pages disagree: 89.85 (page 1, confidence 0.90) and 98.85 (page 9, confidence 0.60); \
kept 89.85 with confidence 0.63"
                .to_string()
        ),
        "{:?}",
        result.review_reasons
    );
}

#[tokio::test]
async fn chunks_that_agree_on_a_value_raise_its_confidence() {
    let mut later = serde_json::Map::new();
    later.insert("total_amount".into(), json!(89.85));
    let result =
        merged("job-agree", two_pages(), vec![chunk_of(good_data(), 1, 0.8), chunk_of(Value::Object(later), 9, 0.7)])
            .await;
    let confidence = result.fields["/total_amount"].confidence;
    assert!((confidence - (1.0 - 0.2 * 0.3)).abs() < 1e-9, "{confidence}");
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.review_reasons);
}

#[tokio::test]
async fn a_list_short_of_the_printed_count_needs_review_with_the_reason() {
    let mut lines: Vec<&str> = INVOICE_LINES.to_vec();
    lines.push("Anzahl Positionen: 4");
    let document = Document { pages: vec![page(1, &lines)], ..Document::default() };
    let result = merged("job-count", document, vec![chunk_of(good_data(), 1, 0.95)]).await;
    assert_eq!(result.status, JobStatus::NeedsReview);
    assert_eq!(
        result.review_reasons,
        vec!["/line_items: page 1 prints \"Anzahl Positionen: 4\" (a count of 4), but /line_items has 2 entries"]
    );

    // Counted right (2 entries, or 3 units: 2 hammers and 1 set), the same document passes.
    for printed in ["Anzahl Positionen: 2", "Number of items: 3"] {
        let mut lines: Vec<&str> = INVOICE_LINES.to_vec();
        lines.push(printed);
        let document = Document { pages: vec![page(1, &lines)], ..Document::default() };
        let result = merged("job-counted", document, vec![chunk_of(good_data(), 1, 0.95)]).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{printed}: {:?}", result.review_reasons);
    }
}
