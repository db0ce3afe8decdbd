//! The offline extractor on real invoices (the fixtures under `tests/fixtures/documents`),
//! read through docex-pdf.

use std::path::PathBuf;

use docex_core::{Document, Extraction, Spec, builtin::builtin_spec, finalize};
use docex_offline::OfflineExtractor;
use serde_json::json;

fn fixture(name: &str) -> Document {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    docex_pdf::read_pdf(&bytes, &docex_pdf::Limits::default(), &docex_pdf::OcrOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn invoice_spec() -> Spec {
    Spec::from_json("invoice", builtin_spec("invoice").unwrap()).unwrap()
}

fn extract(name: &str) -> Extraction {
    OfflineExtractor::new().extract_sync(&fixture(name), &invoice_spec())
}

#[test]
fn amazon_web_services() {
    let x = extract("invoice2data__AmazonWebServices.pdf");
    assert_eq!(x.data["invoice_number"], json!("42183017"));
    assert_eq!(x.data["issue_date"], json!("2014-08-03"));
    assert_eq!(x.data["total_amount"], json!(4.11));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["vendor_name"], json!("Amazon Web Services, Inc."));
    assert!(x.fields["/invoice_number"].confidence >= 0.85);
}

#[test]
fn quality_hosting_german_two_pages() {
    let x = extract("invoice2data__QualityHosting.pdf");
    assert_eq!(x.data["invoice_number"], json!("30064443"));
    assert_eq!(x.data["issue_date"], json!("2014-05-07"));
    assert_eq!(x.data["total_amount"], json!(34.73));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["vendor_name"], json!("QualityHosting AG"));
}

#[test]
fn coolblue_dutch_with_split_first_letters() {
    let x = extract("invoice2data__coolblue1.pdf");
    assert_eq!(x.data["invoice_number"], json!("993548900"));
    assert_eq!(x.data["issue_date"], json!("2014-04-19"));
    assert_eq!(x.data["total_amount"], json!(717.97));
    assert_eq!(x.data["net_amount"], json!(593.36));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["vendor_name"], json!("Coolblue B.V."));
    assert_eq!(x.data["vendor_vat_id"], json!("NL810433941B01"));
}

#[test]
fn sammy_maystone_labels_above_and_beside() {
    let x = extract("invoice2data__SammyMaystoneLinesTest.pdf");
    assert_eq!(x.data["invoice_number"], json!("invoice_number_1"));
    assert_eq!(x.data["issue_date"], json!("2022-01-01"));
    assert_eq!(x.data["due_date"], json!("2022-01-31"));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["total_amount"], json!(127.5));
    // "from" inside a sentence is not a vendor label.
    assert_ne!(x.data.get("vendor_name"), Some(&json!("case")));
}

#[test]
fn azure_interior_with_its_embedded_ubl() {
    let x = extract("invoice2data__AzureInterior.pdf");
    assert_eq!(x.data["invoice_number"], json!("INV/2023/03/0008"));
    assert_eq!(x.data["issue_date"], json!("2023-03-20"));
    assert_eq!(x.data["due_date"], json!("2023-04-04"));
    assert_eq!(x.data["total_amount"], json!(279.84));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["vendor_name"], json!("Azure Interior"));
}

#[test]
fn zugferd_xml_is_the_answer() {
    let x = extract("zugferd__ZUGFeRDv2_Mustangproject_MustangGnuaccountingBeispielRE-20201121_508.pdf");
    for (field, value) in [
        ("invoice_number", json!("RE-20201121/508")),
        ("issue_date", json!("2020-11-21")),
        ("due_date", json!("2020-12-12")),
        ("currency", json!("EUR")),
        ("total_amount", json!(571.04)),
        ("net_amount", json!(496.0)),
        ("tax_amount", json!(75.04)),
        ("vendor_name", json!("Bei Spiel GmbH")),
        ("buyer_name", json!("Theodor Est")),
        ("vendor_vat_id", json!("DE136695976")),
    ] {
        assert_eq!(x.data[field], value, "{field}");
        assert_eq!(x.fields[&format!("/{field}")].confidence, 1.0);
    }
    // Where the page reading differs, the reviewer is told.
    assert!(x.notes.iter().all(|n| n.contains("e-invoice")), "{:?}", x.notes);
    let outcome = finalize(&invoice_spec(), x);
    assert!(outcome.confidence > 0.95, "{}", outcome.confidence);
    assert!(!outcome.review_reasons.iter().any(|r| r.contains("required")), "{:?}", outcome.review_reasons);
}

#[test]
fn zugferd_page_without_its_xml() {
    let x = extract("no_attachments/zugferd__ZUGFeRDv2_Mustangproject_MustangGnuaccountingBeispielRE-20201121_508.pdf");
    assert_eq!(x.data["invoice_number"], json!("RE-20201121/508"));
    assert_eq!(x.data["issue_date"], json!("2020-11-21"));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["vendor_name"], json!("Bei Spiel GmbH"));
    assert_eq!(x.data["net_amount"], json!(496.0));
    assert_eq!(x.data["vendor_vat_id"], json!("DE136695976"));
    assert!(x.fields["/invoice_number"].page == Some(1) && x.fields["/invoice_number"].bbox.is_some());
}
