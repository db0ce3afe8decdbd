//! Scanned pages reach the model as page images beside their OCR text: the Prepare task
//! renders the scanned page of a real PDF (PNG, bounded for Bedrock), the Extract task hands
//! it to the agent, and the Converse request that the fake Bedrock runtime receives carries
//! an `image` block whose bytes decode to an image of the expected size.

mod common;

use common::stores::{Blobs, Events, Jobs, Specs};
use common::*;
use docex_agent::bedrock::BedrockClient;
use docex_agent::{AgentExtractor, AgentOptions, PriceTable};
use docex_core::job::keys;
use docex_core::{BlobStore, Document};
use docex_pdf::PdfReader;
use docex_tasks::{Chunk, JobInput};
use docex_testkit::fake_bedrock::{FakeBedrock, Reply};
use serde_json::{Value, json};

const MODEL: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/documents/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs Prepare on a PDF as job `job_id`.
async fn prepare(job_id: &str, pdf: Vec<u8>, blobs: &Blobs) -> docex_tasks::Prepared {
    blobs.put(&keys::input(job_id), pdf).await.unwrap();
    let input = JobInput { job_id: job_id.into(), spec: "invoice".into(), template: "invoice".into() };
    docex_tasks::prepare(&input, blobs, &Jobs::with(job_id), &PdfReader::default(), &Events::default()).await.unwrap()
}

fn png_size(png: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG");
    (reader.info().width, reader.info().height)
}

#[tokio::test]
async fn a_scanned_page_reaches_bedrock_as_an_image_beside_its_ocr_text() {
    let job_id = "job-scan";
    let blobs = Blobs::default();
    let prepared = prepare(job_id, fixture("generated/scanned_invoice.pdf"), &blobs).await;
    assert_eq!(prepared.ocr_pages, 1, "the page is read with OCR: {:?}", prepared.notes);

    // The document keeps a reference to the image, not its bytes.
    let stored: Value = blobs.json(&keys::document(job_id));
    assert_eq!(
        stored["page_images"],
        json!([{"page": 1, "key": keys::page_image(job_id, 1), "width": 902, "height": 1275}])
    );
    let png = blobs.get(&keys::page_image(job_id, 1)).await.unwrap().expect("the page image is stored");
    // An A4 page at the bound of 1.15 megapixels: 1275 px high, 902 wide.
    assert_eq!(png_size(&png), (902, 1275));

    let submission = json!({
        "data": {"invoice_number": "4711", "total_amount": 99.9, "currency": "EUR"},
        "evidence": [
            {"field": "/invoice_number", "page": 1, "quote": "4711", "confidence": 0.9},
            {"field": "/total_amount", "page": 1, "quote": "99.90", "confidence": 0.9},
            {"field": "/currency", "page": 1, "quote": "EUR", "confidence": 0.9}
        ]
    });
    let fake = FakeBedrock::start(vec![Reply::tool_use("t1", "submit_extraction", submission)]);
    let client = BedrockClient::new(&sdk(&fake.url).await, MODEL);
    let options = AgentOptions { max_turns: 1, ..AgentOptions::default() };
    let agent = AgentExtractor::new(Box::new(client), PriceTable::shipped(), options);
    let chunk = Chunk { job_id: job_id.into(), spec: "invoice".into(), index: 0, first_page: 1, last_page: 1 };
    let extracted = docex_tasks::extract(&chunk, &blobs, &Specs, &agent).await.unwrap();
    assert!(extracted.fields > 0);

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let images = requests[0].images();
    assert_eq!(images.len(), 1, "one image: the scanned page");
    assert_eq!((images[0].message, images[0].format.as_str()), (0, "png"));
    let sent = images[0].bytes.as_ref().expect("base64 image bytes");
    assert_eq!(png_size(sent), (902, 1275));
    assert_eq!(sent, &png, "the stored page image, unchanged");

    // The OCR text stays, in the page element that says an image comes with it, and the
    // image follows under docex's caption.
    let opening = requests[0].body["messages"][0]["content"].as_array().unwrap().clone();
    let text = opening[0]["text"].as_str().unwrap();
    assert!(text.contains("<page number=\"1\" source=\"ocr\" image=\"attached\">"), "{text}");
    assert!(text.contains("4711"), "the OCR text is in the page element: {text}");
    assert_eq!(opening[1], json!({"text": "Image of page 1:"}));
    assert!(opening[2].get("image").is_some(), "{:?}", opening[2]);
}

#[tokio::test]
async fn a_born_digital_pdf_has_no_page_images() {
    let blobs = Blobs::default();
    let prepared = prepare("job-text", fixture("invoice2data__AmazonWebServices.pdf"), &blobs).await;
    assert_eq!(prepared.ocr_pages, 0);
    let document: Document = blobs.json(&keys::document("job-text"));
    assert!(document.page_images.is_empty());
    assert!(blobs.get(&keys::page_image("job-text", 1)).await.unwrap().is_none());
}
