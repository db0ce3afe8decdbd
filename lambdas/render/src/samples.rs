//! Realistic job results for the builtin templates, for examples, benchmarks and tests:
//! the JSON object a report template reads as `/data.json`.

use serde_json::{Map, Value, json};

/// An invoice result with `line_items` rows, evidence for every value (some of it of low
/// confidence) and a review reason.
pub fn invoice_result(line_items: usize) -> Value {
    let products = [
        ("Consulting services (hours)", 7.5, 120.0),
        ("Website design", 1.0, 1850.0),
        ("Web hosting, 12 months", 1.0, 96.0),
        ("Printer paper A4, box of 5 reams", 4.0, 23.9),
        ("Software licence, annual", 3.0, 480.0),
        ("On-site installation", 2.0, 175.0),
    ];
    let mut items = Vec::new();
    let mut fields = Map::new();
    let mut net = 0.0;
    for i in 0..line_items {
        let (description, quantity, unit_price) = products[i % products.len()];
        let amount = ((quantity * unit_price) * 100.0_f64).round() / 100.0;
        net += amount;
        items.push(
            json!({"description": description, "quantity": quantity, "unit_price": unit_price, "amount": amount}),
        );
        let page = 1 + (i / 25) as u64;
        let row_text = format!("{description} {quantity} {unit_price:.2} {amount:.2}");
        for (column, confidence) in [("description", 0.93), ("quantity", 0.9), ("unit_price", 0.88), ("amount", 0.91)] {
            let confidence = if i % 11 == 7 && column == "amount" { 0.42 } else { confidence };
            fields.insert(
                format!("/line_items/{i}/{column}"),
                json!({"confidence": confidence, "page": page, "text": row_text}),
            );
        }
    }
    let net = (net * 100.0_f64).round() / 100.0;
    let tax = (net * 19.0_f64).round() / 100.0;
    let total = ((net + tax) * 100.0_f64).round() / 100.0;
    let mut evidence = |pointer: &str, confidence: f64, page: u64, text: &str| {
        fields.insert(pointer.to_string(), json!({"confidence": confidence, "page": page, "text": text}));
    };
    evidence("/invoice_number", 0.97, 1, "Rechnungsnummer: RE-2024-0815");
    evidence("/issue_date", 0.95, 1, "Rechnungsdatum: 31.12.2024");
    evidence("/due_date", 0.71, 1, "Zahlbar bis 30.01.2025");
    evidence("/vendor_name", 0.9, 1, "Kranich Software GmbH");
    evidence("/vendor_address", 0.64, 1, "Hauptstraße 12, 10115 Berlin");
    evidence("/vendor_vat_id", 0.96, 1, "USt-IdNr.: DE123456789");
    evidence("/buyer_name", 0.45, 1, "Stadtwerke Lindau GmbH");
    evidence("/currency", 0.99, 1, "EUR");
    evidence("/net_amount", 0.92, 2, &format!("Nettobetrag {net:.2} €"));
    evidence("/tax_amount", 0.9, 2, &format!("MwSt. 19 % {tax:.2} €"));
    evidence("/total_amount", 0.94, 2, &format!("Gesamtbetrag {total:.2} €"));
    json!({
        "job_id": "job-2024-12-31-0042",
        "document": "RE-2024-0815.pdf",
        "spec": "invoice",
        "status": "NEEDS_REVIEW",
        "data": {
            "invoice_number": "RE-2024-0815",
            "issue_date": "2024-12-31",
            "due_date": "2025-01-30",
            "vendor_name": "Kranich Software GmbH",
            "vendor_address": "Hauptstraße 12, 10115 Berlin",
            "vendor_vat_id": "DE123456789",
            "buyer_name": "Stadtwerke Lindau GmbH",
            "currency": "EUR",
            "net_amount": net,
            "tax_amount": tax,
            "total_amount": total,
            "line_items": items,
        },
        "fields": fields,
        "confidence": 0.83,
        "review_reasons": ["buyer_name was read with low confidence (0.45)", "vendor_address was read with low confidence (0.64)"],
        "generated_at": "2025-01-02",
    })
}

/// A receipt result.
pub fn receipt_result() -> Value {
    json!({
        "job_id": "job-2025-03-14-0007",
        "document": "receipt-0007.pdf",
        "spec": "receipt",
        "status": "SUCCEEDED",
        "data": {"company": "Café Rheinblick", "address": "Rheinweg 4, 4051 Basel", "date": "2025-03-14", "total": 23.8, "currency": "CHF"},
        "fields": {
            "/company": {"confidence": 0.95, "page": 1, "text": "Café Rheinblick"},
            "/address": {"confidence": 0.78, "page": 1, "text": "Rheinweg 4 4051 Basel"},
            "/date": {"confidence": 0.92, "page": 1, "text": "Datum: 14.03.2025 12:41"},
            "/total": {"confidence": 0.97, "page": 1, "text": "SUMME 23,80 CHF"},
            "/currency": {"confidence": 0.9, "page": 1, "text": "CHF"},
        },
        "confidence": 0.91,
        "review_reasons": [],
        "generated_at": "2025-03-14",
    })
}

/// A contract result.
pub fn contract_result() -> Value {
    json!({
        "job_id": "job-2025-02-01-0003",
        "document": "mutual-nda.pdf",
        "spec": "contract",
        "status": "SUCCEEDED",
        "data": {
            "effective_date": "2025-02-01",
            "jurisdiction": "State of Delaware",
            "party": ["Northwind Consulting LLC", "Bluefield Analytics Inc."],
            "term": "2 years",
        },
        "fields": {
            "/effective_date": {"confidence": 0.9, "page": 1, "text": "entered into as of February 1, 2025"},
            "/jurisdiction": {"confidence": 0.86, "page": 4, "text": "governed by the laws of the State of Delaware"},
            "/party/0": {"confidence": 0.93, "page": 1, "text": "by and between Northwind Consulting LLC"},
            "/party/1": {"confidence": 0.74, "page": 1, "text": "and Bluefield Analytics Inc."},
            "/term": {"confidence": 0.81, "page": 2, "text": "for a period of 2 years"},
        },
        "confidence": 0.85,
        "review_reasons": [],
        "generated_at": "2025-02-03",
    })
}
