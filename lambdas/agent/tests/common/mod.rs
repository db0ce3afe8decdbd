//! Shared pieces of the agent's tests: a small invoice document, the shipped invoice spec,
//! correct and broken submissions, SDK configuration pointed at a fake server, and the
//! workflow's stores held in memory ([`stores`]) for tests that run the tasks.
#![allow(dead_code)]

pub mod stores;

use docex_core::{BBox, Document, Page, Spec, Word};
use serde_json::{Value, json};

/// A page whose words are laid out line by line.
pub fn page(number: u32, lines: &[&str]) -> Page {
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let mut x = 40.0;
        let y = 40.0 + 16.0 * row as f32;
        for text in line.split_whitespace() {
            let width = 6.0 * text.chars().count() as f32;
            words.push(Word { text: text.into(), bbox: BBox { x0: x, y0: y, x1: x + width, y1: y + 11.0 } });
            x += width + 5.0;
        }
    }
    Page { number, width: 595.0, height: 842.0, words, ocr: false }
}

pub const INVOICE_LINES: &[&str] = &[
    "ACME Tools GmbH",
    "Invoice No. INV-2024-017",
    "Invoice date: 12.03.2024",
    "Due date: 11.04.2024",
    "Bill to: Northwind Ltd",
    "Hammer 2 x 15.00 30.00",
    "Screwdriver set 1 x 45.50 45.50",
    "Subtotal 75.50",
    "VAT 19% 14.35",
    "Total EUR 89.85",
];

pub fn invoice() -> Document {
    Document { pages: vec![page(1, INVOICE_LINES)], ..Document::default() }
}

pub fn spec() -> Spec {
    Spec::from_json("invoice", docex_core::builtin::builtin_spec("invoice").expect("shipped spec")).expect("valid spec")
}

pub fn good_data() -> Value {
    json!({
        "invoice_number": "INV-2024-017", "issue_date": "2024-03-12", "due_date": "2024-04-11",
        "vendor_name": "ACME Tools GmbH", "buyer_name": "Northwind Ltd", "currency": "EUR",
        "net_amount": 75.5, "tax_amount": 14.35, "total_amount": 89.85,
        "line_items": [
            {"description": "Hammer", "quantity": 2, "unit_price": 15.0, "amount": 30.0},
            {"description": "Screwdriver set", "quantity": 1, "unit_price": 45.5, "amount": 45.5}
        ]
    })
}

pub fn good_evidence(page: u32) -> Value {
    let entries = [
        ("/invoice_number", "INV-2024-017"),
        ("/issue_date", "Invoice date: 12.03.2024"),
        ("/due_date", "Due date: 11.04.2024"),
        ("/vendor_name", "ACME Tools GmbH"),
        ("/buyer_name", "Northwind Ltd"),
        ("/currency", "EUR"),
        ("/net_amount", "Subtotal 75.50"),
        ("/tax_amount", "VAT 19% 14.35"),
        ("/total_amount", "Total EUR 89.85"),
        ("/line_items/0", "Hammer 2 x 15.00 30.00"),
        ("/line_items/1", "Screwdriver set 1 x 45.50 45.50"),
    ];
    Value::Array(
        entries.iter().map(|(f, q)| json!({"field": f, "page": page, "quote": q, "confidence": 0.95})).collect(),
    )
}

pub fn good_submission() -> Value {
    json!({"data": good_data(), "evidence": good_evidence(1)})
}

/// A submission whose line items do not add up, with a date that is not a date.
pub fn broken_submission() -> Value {
    let mut data = good_data();
    data["line_items"][1]["amount"] = json!(54.5);
    data["issue_date"] = json!("12.03.2024");
    json!({"data": data, "evidence": good_evidence(1)})
}

/// AWS SDK configuration pointed at a fake endpoint, with dummy credentials.
pub async fn sdk(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .load()
        .await
}

/// The text of every `text` block of a Converse request's messages with this role.
pub fn texts(body: &Value, role: &str) -> Vec<String> {
    body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == role)
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["text"].as_str().map(String::from))
        .collect()
}

/// The tool results in the last message of a Converse request.
pub fn last_tool_results(body: &Value) -> Vec<Value> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().cloned().unwrap_or_default();
    last["content"].as_array().into_iter().flatten().filter_map(|b| b.get("toolResult").cloned()).collect()
}
