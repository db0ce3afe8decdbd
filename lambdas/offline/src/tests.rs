//! Tests on documents built in code: labels right of and below values, decimal commas,
//! German and French labels, tables, fallbacks, e-invoices, contracts.

use docex_core::{Attachment, BBox, Document, Extraction, Page, Spec, Word, builtin::builtin_spec, finalize};
use serde_json::json;

use crate::OfflineExtractor;

/// The words of one line starting at (`x`, `y`): each `height` high, `char_width` per
/// character wide, `gap` apart.
fn place(words: &mut Vec<Word>, text: &str, (x, y): (f32, f32), height: f32, char_width: f32, gap: f32) {
    let mut x = x;
    for w in text.split(' ') {
        let width = char_width * w.chars().count() as f32;
        words.push(Word { text: w.into(), bbox: BBox { x0: x, y0: y, x1: x + width, y1: y + height } });
        x += width + gap;
    }
}

fn doc(lines: &[(&str, f32, f32)]) -> Document {
    let mut words = Vec::new();
    for (text, x, y) in lines {
        place(&mut words, text, (*x, *y), 10.0, 6.0, 3.0);
    }
    Document { pages: vec![Page { number: 1, width: 600.0, height: 800.0, words, ocr: false }], ..Default::default() }
}

fn spec(name: &str) -> Spec {
    Spec::from_json(name, builtin_spec(name).unwrap()).unwrap()
}

fn run(document: &Document, spec_name: &str) -> Extraction {
    OfflineExtractor::new().extract_sync(document, &spec(spec_name))
}

#[test]
fn values_right_of_labels_with_evidence() {
    let d = doc(&[
        ("Acme Widgets GmbH", 40.0, 30.0),
        ("Hauptstrasse 1, 10115 Berlin", 40.0, 42.0),
        ("Invoice number: INV-2024-001", 40.0, 100.0),
        ("Invoice date: 03.04.2024", 40.0, 115.0),
        ("Subtotal", 300.0, 300.0),
        ("100,00 €", 450.0, 300.0),
        ("VAT 19%", 300.0, 315.0),
        ("19,00 €", 450.0, 315.0),
        ("Total", 300.0, 330.0),
        ("119,00 €", 450.0, 330.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("INV-2024-001"));
    assert_eq!(x.data["issue_date"], json!("2024-04-03"));
    assert_eq!(x.data["total_amount"], json!(119.0));
    assert_eq!(x.data["net_amount"], json!(100.0));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["vendor_name"], json!("Acme Widgets GmbH"));
    let total = &x.fields["/total_amount"];
    assert_eq!(total.text, "119,00 €");
    assert_eq!(total.page, Some(1));
    assert!(total.confidence >= 0.75, "{}", total.confidence);
    assert!(total.bbox.is_some_and(|b| b.x0 >= 450.0));
    // The fallback guess for the vendor is less sure than a labelled total.
    assert!(x.fields["/vendor_name"].confidence < total.confidence);
}

#[test]
fn values_below_labels_in_a_header_row() {
    let d = doc(&[
        ("Invoice Date:", 40.0, 100.0),
        ("Due Date:", 200.0, 100.0),
        ("Invoice No.", 360.0, 100.0),
        ("03/20/2023", 40.0, 114.0),
        ("04/04/2023", 200.0, 114.0),
        ("A-77/12", 360.0, 114.0),
        ("Total", 300.0, 300.0),
        ("$ 279.84", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2023-03-20"));
    assert_eq!(x.data["due_date"], json!("2023-04-04"));
    assert_eq!(x.data["invoice_number"], json!("A-77/12"));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["total_amount"], json!(279.84));
}

#[test]
fn german_labels_and_decimal_commas() {
    let d = doc(&[
        ("Rechnungsnummer: 2024-0815", 40.0, 100.0),
        ("Rechnungsdatum: 7. Mai 2014", 40.0, 115.0),
        ("Nettobetrag", 300.0, 300.0),
        ("1.234,56 EUR", 450.0, 300.0),
        ("Gesamtbetrag", 300.0, 330.0),
        ("1.469,13 EUR", 450.0, 330.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("2024-0815"));
    assert_eq!(x.data["issue_date"], json!("2014-05-07"));
    assert_eq!(x.data["net_amount"], json!(1234.56));
    assert_eq!(x.data["total_amount"], json!(1469.13));
    assert_eq!(x.data["currency"], json!("EUR"));
}

#[test]
fn french_labels() {
    let d = doc(&[
        ("Facture n° 2022089083", 300.0, 80.0),
        ("Date : 28/11/2022", 100.0, 100.0),
        ("Total HT :", 400.0, 300.0),
        ("46,68 €", 500.0, 300.0),
        ("TVA 20% :", 400.0, 315.0),
        ("9,34 €", 500.0, 315.0),
        ("Total TTC :", 400.0, 330.0),
        ("56,02 €", 500.0, 330.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("2022089083"));
    assert_eq!(x.data["issue_date"], json!("2022-11-28"));
    assert_eq!(x.data["net_amount"], json!(46.68));
    assert_eq!(x.data["tax_amount"], json!(9.34));
    assert_eq!(x.data["total_amount"], json!(56.02));
}

#[test]
fn a_longer_label_hides_the_shorter_one_inside_it() {
    let d =
        doc(&[("Total tax", 300.0, 300.0), ("5.00", 450.0, 300.0), ("Total", 300.0, 320.0), ("55.00", 450.0, 320.0)]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["tax_amount"], json!(5.0));
    assert_eq!(x.data["total_amount"], json!(55.0));
}

#[test]
fn order_dates_are_not_invoice_dates_and_the_first_date_is_a_fallback() {
    let d = doc(&[("Order Date: 15-10-2015", 40.0, 100.0), ("Invoice Date: 20-10-2015", 40.0, 115.0)]);
    assert_eq!(run(&d, "invoice").data["issue_date"], json!("2015-10-20"));
    let d = doc(&[("Facture n°562044387 du 02 Juillet 2015", 40.0, 100.0)]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2015-07-02"));
    assert_eq!(x.data["invoice_number"], json!("562044387"));
    assert!(x.fields["/issue_date"].confidence < 0.6);
}

#[test]
fn ambiguous_dates_follow_the_currency() {
    let d = doc(&[("Invoice Date: 03/04/2020", 40.0, 100.0), ("Total", 300.0, 300.0), ("$10.00", 450.0, 300.0)]);
    assert_eq!(run(&d, "invoice").data["issue_date"], json!("2020-03-04"));
    let d = doc(&[("Invoice Date: 03/04/2020", 40.0, 100.0), ("Total", 300.0, 300.0), ("10,00 €", 450.0, 300.0)]);
    assert_eq!(run(&d, "invoice").data["issue_date"], json!("2020-04-03"));
}

#[test]
fn vendor_from_a_repeated_legal_name_not_the_buyer() {
    let d = doc(&[
        ("Bill to:", 40.0, 60.0),
        ("Contoso Holdings Ltd", 40.0, 72.0),
        ("Invoice no: 42", 300.0, 100.0),
        ("Thanks for your business", 40.0, 400.0),
        ("Northwind Traders Inc. - 1 Main St - Springfield", 40.0, 700.0),
        ("Northwind Traders Inc. is registered in Delaware", 40.0, 712.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Northwind Traders Inc."));
    assert_eq!(x.data["buyer_name"], json!("Contoso Holdings Ltd"));
}

#[test]
fn line_items_are_read_by_column_until_the_totals() {
    let d = doc(&[
        ("Description", 40.0, 200.0),
        ("Qty", 300.0, 200.0),
        ("Unit Price", 360.0, 200.0),
        ("Amount", 460.0, 200.0),
        ("Office chair", 40.0, 215.0),
        ("2", 305.0, 215.0),
        ("70.00", 370.0, 215.0),
        ("140.00", 465.0, 215.0),
        ("with armrests", 40.0, 227.0),
        ("Beeswax XL", 40.0, 240.0),
        ("1", 305.0, 240.0),
        ("42.00", 370.0, 240.0),
        ("42.00", 465.0, 240.0),
        ("Subtotal", 360.0, 260.0),
        ("182.00", 465.0, 260.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([
            {"description": "Office chair with armrests", "quantity": 2.0, "unit_price": 70.0, "amount": 140.0},
            {"description": "Beeswax XL", "quantity": 1.0, "unit_price": 42.0, "amount": 42.0}
        ])
    );
    assert_eq!(x.fields["/line_items/1/amount"].text, "42.00");
    assert_eq!(x.data["net_amount"], json!(182.0));
    let outcome = finalize(&spec("invoice"), x);
    assert!(!outcome.review_reasons.iter().any(|r| r.contains("sum")), "{:?}", outcome.review_reasons);
}

#[test]
fn a_table_goes_on_under_its_header_repeated_on_the_next_page() {
    let header = |y: f32| -> Vec<(&'static str, f32, f32)> {
        vec![
            ("Pos", 14.0, y),
            ("Description", 40.0, y),
            ("Qty", 300.0, y),
            ("Unit Price", 360.0, y),
            ("Amount", 460.0, y),
        ]
    };
    // A position column left of the description: its numbers belong to no cell.
    let row = |name: &'static str, y: f32| -> Vec<(&'static str, f32, f32)> {
        vec![("7", 20.0, y), (name, 40.0, y), ("1", 305.0, y), ("10.00", 370.0, y), ("10.00", 465.0, y)]
    };
    let mut first: Vec<(&str, f32, f32)> = vec![("Acme Widgets Ltd", 40.0, 30.0)];
    first.extend(header(200.0));
    first.extend(row("Bolts", 215.0));
    first.extend(row("Nuts", 230.0));
    // The page's footer, far under the rows: not a row.
    first.push(("Page 1 of 2 Acme Widgets Ltd 4000 Basel", 40.0, 760.0));
    let mut second: Vec<(&str, f32, f32)> = vec![("Invoice INV-7 (continued)", 40.0, 30.0)];
    second.extend(header(60.0));
    second.extend(row("Washers", 75.0));
    second.extend(row("Screws", 90.0));
    second.extend([("Subtotal", 360.0, 110.0), ("40.00", 465.0, 110.0)]);
    let mut d = doc(&first);
    let mut page_two = doc(&second).pages.remove(0);
    page_two.number = 2;
    d.pages.push(page_two);
    let x = run(&d, "invoice");
    let names: Vec<&str> =
        x.data["line_items"].as_array().unwrap().iter().map(|i| i["description"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bolts", "Nuts", "Washers", "Screws"]);
    assert_eq!(x.fields["/line_items/3/amount"].page, Some(2));
}

const CII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocument><ram:ID>RE-1</ram:ID><ram:IssueDateTime><udt:DateTimeString format="102">20201121</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedTradeProduct><ram:Name>Design</ram:Name></ram:SpecifiedTradeProduct>
<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>160.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="HUR">1.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
<ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>160.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>
<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>Bei Spiel GmbH</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE136695976</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty><ram:BuyerTradeParty><ram:Name>Theodor Est</ram:Name></ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20201212</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:TaxBasisTotalAmount>160.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">11.20</ram:TaxTotalAmount><ram:GrandTotalAmount>171.20</ram:GrandTotalAmount><ram:DuePayableAmount>171.20</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"#;

#[test]
fn an_embedded_cii_invoice_is_the_answer_and_disagreements_are_noted() {
    let mut d = doc(&[("Invoice # RE-1", 40.0, 100.0), ("Total", 300.0, 300.0), ("999.00 €", 450.0, 300.0)]);
    d.attachments.push(Attachment { name: "factur-x.xml".into(), bytes: CII.as_bytes().to_vec() });
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("RE-1"));
    assert_eq!(x.data["issue_date"], json!("2020-11-21"));
    assert_eq!(x.data["due_date"], json!("2020-12-12"));
    assert_eq!(x.data["total_amount"], json!(171.2));
    assert_eq!(x.data["vendor_vat_id"], json!("DE136695976"));
    assert_eq!(x.data["line_items"][0]["description"], json!("Design"));
    let evidence = &x.fields["/total_amount"];
    assert_eq!(evidence.confidence, 1.0);
    assert_eq!(evidence.page, None);
    assert!(evidence.text.contains("GrandTotalAmount>171.20<"), "{}", evidence.text);
    assert!(x.notes.iter().any(|n| n.starts_with("total_amount:") && n.contains("999")), "{:?}", x.notes);
    assert!(!x.notes.iter().any(|n| n.starts_with("invoice_number:")), "{:?}", x.notes);
    let outcome = finalize(&spec("invoice"), x);
    assert!(outcome.confidence > 0.9);
}

#[test]
fn a_ubl_invoice_under_any_xml_name_is_read() {
    let ubl = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
<cbc:ID>INV/1</cbc:ID><cbc:IssueDate>2023-03-20</cbc:IssueDate><cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Azure Interior</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
<cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="USD">262.90</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="USD">279.84</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="USD">279.84</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"#;
    let mut d = doc(&[("Hello", 40.0, 40.0)]);
    d.attachments.push(Attachment { name: "data.xml".into(), bytes: ubl.as_bytes().to_vec() });
    d.attachments.push(Attachment { name: "other.xml".into(), bytes: b"<not-an-invoice/>".to_vec() });
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("INV/1"));
    assert_eq!(x.data["vendor_name"], json!("Azure Interior"));
    assert_eq!(x.data["total_amount"], json!(279.84));
    assert_eq!(x.data["currency"], json!("USD"));
}

#[test]
fn broken_xml_and_empty_documents_do_not_panic() {
    let mut d = Document::default();
    d.attachments.push(Attachment { name: "factur-x.xml".into(), bytes: b"<rsm:CrossIndustryInvoice".to_vec() });
    d.attachments.push(Attachment { name: "zugferd-invoice.xml".into(), bytes: vec![0xff, 0xfe, 0x00] });
    for name in ["invoice", "receipt", "contract"] {
        let x = run(&d, name);
        assert!(x.data.is_empty());
    }
    let garbage =
        doc(&[("€€€ $$$ 1.2.3.4 //// Total: Total: Date: ::::", 10.0, 10.0), ("(( )) -- 31/13/2020", 10.0, 22.0)]);
    for name in ["invoice", "receipt", "contract"] {
        let _ = run(&garbage, name);
    }
}

#[test]
fn contract_sentences() {
    let d = doc(&[
        ("This Agreement is effective as of February 10, 2017, between Kite Pharma, Inc., a Delaware", 40.0, 100.0),
        ("corporation (\"Kite\") and Gilead Sciences, Inc., a Delaware corporation (\"Company\").", 40.0, 112.0),
        ("The obligations shall expire seven (7) years from the Effective Date.", 40.0, 124.0),
        ("This Agreement shall be governed by the laws of the State of California without regard", 40.0, 136.0),
    ]);
    let x = run(&d, "contract");
    assert_eq!(x.data["effective_date"], json!("2017-02-10"));
    assert_eq!(x.data["party"], json!(["Kite Pharma Inc.", "Gilead Sciences Inc."]));
    assert_eq!(x.data["jurisdiction"], json!("California"));
    assert_eq!(x.data["term"], json!("7 years"));
}

#[test]
fn receipt_total_and_ringgit() {
    let d = doc(&[
        ("ABC HO TRADING SDN BHD", 100.0, 20.0),
        ("NO.2, JALAN HARMONI 3/2, 81100 JOHOR BAHRU", 60.0, 32.0),
        ("DATE: 09/01/2019", 40.0, 80.0),
        ("TOTAL (RM):", 40.0, 200.0),
        ("31.00", 250.0, 200.0),
    ]);
    let x = run(&d, "receipt");
    assert_eq!(x.data["total"], json!(31.0));
    assert_eq!(x.data["date"], json!("2019-01-09"));
    assert_eq!(x.data["currency"], json!("MYR"));
    assert_eq!(x.data["company"], json!("ABC HO TRADING SDN BHD"));
}

#[test]
fn vat_ids_stop_before_the_next_token_and_swiss_and_indian_ids_are_read() {
    for (printed, want) in [
        ("VAT number: GB208243932   B", "GB208243932"),
        ("USt-IdNr.: DE333636774 50667 Köln", "DE333636774"),
        ("Numéro de TVA: CHE-462.044.020 MWST", "CHE-462.044.020 MWST"),
        ("GSTIN: 86AABCS8354R1Z8", "86AABCS8354R1Z8"),
        ("BTW-nummer: NL859048734B01", "NL859048734B01"),
    ] {
        let d = doc(&[(printed, 40.0, 60.0), ("Total 10.00 EUR", 300.0, 300.0)]);
        let x = run(&d, "invoice");
        assert_eq!(x.data["vendor_vat_id"], json!(want), "{printed}");
    }
}

#[test]
fn invoice_number_under_a_column_title_next_to_a_date_title() {
    // "INVOICE #" and "DATE OF ISSUE" are two column titles, not the label "invoice date".
    let d = doc(&[
        ("INVOICE #", 57.0, 100.0),
        ("DATE OF ISSUE", 147.0, 100.0),
        ("INV-2025-9814", 57.0, 111.0),
        ("25 April 2025", 147.0, 111.0),
        ("Total: 10.00 EUR", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("INV-2025-9814"));
    assert_eq!(x.data["issue_date"], json!("2025-04-25"));
}

#[test]
fn registration_lines_between_a_receipts_name_and_address_are_passed_over() {
    // As OCR read a Malaysian receipt: "Conpany no" and a GST registration under the name.
    let d = doc(&[
        ("Timeless Kitchenette Sdn Bhd", 40.0, 20.0),
        ("Conpany no: 1174703-K", 40.0, 32.0),
        ("GST Reg no > 0000 6771 0976", 40.0, 44.0),
        ("Lot 50, Floor 12, Sky Avenue", 40.0, 56.0),
        ("No. 7, 69000 Pahang Malaysia", 40.0, 68.0),
        ("Date: 2018-03-23", 40.0, 100.0),
        ("TOTAL RM 120.00", 40.0, 200.0),
    ]);
    let x = run(&d, "receipt");
    assert_eq!(x.data["company"], json!("Timeless Kitchenette Sdn Bhd"));
    assert_eq!(x.data["address"], json!("Lot 50, Floor 12, Sky Avenue, No. 7, 69000 Pahang Malaysia"));
}

#[test]
fn a_letter_spaced_heading_is_one_name() {
    // As OCR read it: each word of the name far from the next, a bracketed company number
    // under it, the lines centred.
    let mut d = doc(&[
        ("SWC", 62.0, 78.0),
        ("ENTERPRISE", 122.0, 78.0),
        ("SDN", 220.0, 78.0),
        ("BHD", 262.0, 78.0),
        ("(1125830-V)", 140.0, 91.0),
        ("3-7, JALAN MAHAGONI 7/1", 107.0, 104.0),
        ("44300 BATANG KALI, SELANGOR", 94.5, 117.0),
        ("Date: 2018-04-02", 14.0, 160.0),
        ("TOTAL RM 27.20", 14.0, 260.0),
    ]);
    d.pages[0].ocr = true;
    let x = run(&d, "receipt");
    assert_eq!(x.data["company"], json!("SWC ENTERPRISE SDN BHD"));
    assert_eq!(x.data["address"], json!("3-7, JALAN MAHAGONI 7/1, 44300 BATANG KALI, SELANGOR"));
}

#[test]
fn centred_receipt_header_gives_company_and_address() {
    let d = doc(&[
        ("Redwood Print Co.", 60.0, 20.0),
        ("1200 Harbor Blvd", 66.0, 34.0),
        ("Oakland, CA 94607", 63.0, 46.0),
        ("Date: 2023-12-18", 14.0, 81.0),
        ("Amount due $159.85", 14.0, 153.0),
    ]);
    let x = run(&d, "receipt");
    assert_eq!(x.data["company"], json!("Redwood Print Co."));
    assert_eq!(x.data["address"], json!("1200 Harbor Blvd, Oakland, CA 94607"));
    assert_eq!(x.data["total"], json!(159.85));
}

#[test]
fn vendor_name_in_a_right_aligned_letterhead_or_a_banner_repeated_in_the_footer() {
    // Right-aligned: the name and the address share their right edge.
    let d = doc(&[
        ("Horlogerie Favre SA", 426.0, 46.0),
        ("Rue du Rhone 40", 450.0, 62.0),
        ("CLIENT", 57.0, 149.0),
        ("Garage du Lac", 57.0, 160.0),
        ("Total 10.00 CHF", 300.0, 300.0),
    ]);
    assert_eq!(run(&d, "invoice").data["vendor_name"], json!("Horlogerie Favre SA"));
    // A banner: the name shares its line with the title, the address is far below, and
    // the footer prints the name again.
    let d = doc(&[
        ("Schreinerei Bauer", 69.0, 59.0),
        ("Rechnung", 434.0, 59.0),
        ("Am Markt 5, 93047 Regensburg", 57.0, 103.0),
        ("Gesamtbetrag 10,00 €", 300.0, 300.0),
        ("Schreinerei Bauer billing@example.com", 57.0, 760.0),
    ]);
    assert_eq!(run(&d, "invoice").data["vendor_name"], json!("Schreinerei Bauer"));
}

#[test]
fn vendor_name_from_the_footer_not_from_the_customer_window() {
    let d = doc(&[
        ("ALEXINUX", 386.0, 114.0),
        ("de Lattre Alexis", 386.0, 126.0),
        ("27 rue Henri Rolland", 386.0, 139.0),
        ("Facture n° 2022089083", 244.0, 176.0),
        ("Total TTC : 56,02 €", 376.0, 413.0),
        ("NETPRESSE", 278.0, 700.0),
        ("Sarl au capital de 10 000€ - RCS Paris B 530 848 134", 153.0, 712.0),
    ]);
    assert_eq!(run(&d, "invoice").data["vendor_name"], json!("NETPRESSE"));
}

#[test]
fn recognised_receipt_with_split_amount_and_no_currency_symbol() {
    let mut d = doc(&[
        ("SWC ENTERPRISE SDN BHD", 40.0, 20.0),
        ("BATANG KALI, SELANGOR", 40.0, 34.0),
        ("Date: 28/03/2018", 40.0, 60.0),
        ("Sub-total: 31, 16", 40.0, 188.0),
        ("Total 30. 00", 40.0, 200.0),
    ]);
    d.pages[0].ocr = true;
    let x = run(&d, "receipt");
    assert_eq!(x.data["total"], json!(30.0));
    assert_eq!(x.data["currency"], json!("MYR"));
}

#[test]
fn czech_labels_spaced_numeric_dates_and_a_total_with_tax() {
    let d = doc(&[
        ("Daňový doklad č.: 20240973", 300.0, 40.0),
        ("Dodavatel", 40.0, 55.0),
        ("Den vystavení: 29. 7. 2025", 300.0, 55.0),
        ("Müller Werkzeuge GmbH", 40.0, 67.0),
        ("Splatnost: 12. 8. 2025", 300.0, 67.0),
        ("Odběratel", 300.0, 100.0),
        ("Wayne Logistics s.r.o.", 300.0, 112.0),
        ("Celkem s DPH: 43.653,06 €", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("20240973"));
    assert_eq!(x.data["issue_date"], json!("2025-07-29"));
    assert_eq!(x.data["due_date"], json!("2025-08-12"));
    assert_eq!(x.data["vendor_name"], json!("Müller Werkzeuge GmbH"));
    assert_eq!(x.data["buyer_name"], json!("Wayne Logistics s.r.o."));
    assert_eq!(x.data["total_amount"], json!(43653.06));
    assert_eq!(x.data["currency"], json!("EUR"));
}

#[test]
fn portuguese_labels_a_label_phrase_up_to_its_colon_and_pairs_in_the_next_column() {
    let d = doc(&[
        ("Fatura com impostos num.: INV14420", 300.0, 40.0),
        ("Fornecedor", 40.0, 55.0),
        ("Data de emissão: 5 de out. de 2023", 300.0, 55.0),
        ("Blue Harbor Catering Co.", 40.0, 67.0),
        ("Data de vencimento: 19 de out. de 2023", 300.0, 67.0),
        ("Cliente", 300.0, 100.0),
        ("Initech Ltd", 300.0, 112.0),
        ("Total com imposto: R$ 1.279,80", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    // "impostos" inside the label phrase is no label of its own; the number follows the colon.
    assert_eq!(x.data["invoice_number"], json!("INV14420"));
    assert_eq!(x.data["issue_date"], json!("2023-10-05"));
    assert_eq!(x.data["due_date"], json!("2023-10-19"));
    // Right of "Fornecedor" is another label's "key: value" pair, not the supplier's name.
    assert_eq!(x.data["vendor_name"], json!("Blue Harbor Catering Co."));
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    assert_eq!(x.data["total_amount"], json!(1279.8));
}

#[test]
fn a_key_value_pair_under_a_label_belongs_to_its_own_label() {
    // "Date" over "Due date: ..." (two header cells stacked): the due date is no issue date.
    let d = doc(&[
        ("Acme Tools Ltd", 40.0, 30.0),
        ("05.03.2024", 40.0, 42.0),
        ("Date", 300.0, 100.0),
        ("Due date: 19.03.2024", 300.0, 112.0),
        ("Total: 50,00 €", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["due_date"], json!("2024-03-19"));
    assert_eq!(x.data["issue_date"], json!("2024-03-05"));
}

#[test]
fn party_headings_over_forms_and_remarks_under_a_label() {
    // A heading over "Name:  value" rows: the name is right of the key, not the key.
    let d = doc(&[
        ("Invoice id: 1023", 300.0, 30.0),
        ("Service Provider", 40.0, 100.0),
        ("Client", 340.0, 100.0),
        ("Name:", 40.0, 115.0),
        ("Northgate Office Supplies Ltd", 130.0, 115.0),
        ("Name:", 340.0, 115.0),
        ("Initech Ltd", 430.0, 115.0),
        ("Street:", 40.0, 127.0),
        ("Main Street 5", 130.0, 127.0),
        ("Total", 300.0, 300.0),
        ("6.60", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Northgate Office Supplies Ltd"));
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));

    // "(Not to be used for payment)" under the label is a remark; the name follows it.
    let d = doc(&[
        ("Invoice Number: 42183017", 300.0, 100.0),
        ("Total: $4.11", 300.0, 300.0),
        ("Service Provider:", 300.0, 600.0),
        ("(Not to be used for payment remittance)", 300.0, 612.0),
        ("Amazon Web Services, Inc.", 300.0, 624.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Amazon Web Services, Inc."));
}

#[test]
fn a_rate_is_not_an_amount() {
    let d = doc(&[("Invoice number: 7", 40.0, 30.0), ("VAT 21 %", 300.0, 280.0), ("Total: 121,00 €", 300.0, 300.0)]);
    let x = run(&d, "invoice");
    assert_ne!(x.data.get("tax_amount"), Some(&json!(21.0)));
    assert_eq!(x.data["total_amount"], json!(121.0));
}

#[test]
fn a_postcode_after_a_tax_word_is_not_the_tax_and_a_total_with_tax_is_no_tax_label() {
    // "... MWST" ends a Swiss VAT number; the postcode and town beside it are no amount.
    let d = doc(&[
        ("N° TVA: CHE-832.487.063 MWST", 40.0, 100.0),
        ("2000 Neuchâtel", 400.0, 100.0),
        ("TVA 8,1 %:", 300.0, 280.0),
        ("136,81 CHF", 450.0, 280.0),
        ("Total: 1 825,81 CHF", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["tax_amount"], json!(136.81));

    // "Total price with tax" over the line totals is not the tax; the breakdown's "Tax" is.
    let d = doc(&[
        ("Description", 40.0, 200.0),
        ("Units", 250.0, 200.0),
        ("Price", 300.0, 200.0),
        ("Total price with tax", 380.0, 200.0),
        ("Office chair", 40.0, 215.0),
        ("2", 262.0, 215.0),
        ("€100.00", 300.0, 215.0),
        ("€242.00", 410.0, 215.0),
        ("VAT rate", 40.0, 260.0),
        ("Tax", 120.0, 260.0),
        ("Without VAT", 200.0, 260.0),
        ("21.00%", 40.0, 272.0),
        ("€42.00", 120.0, 272.0),
        ("€200.00", 200.0, 272.0),
        ("Total with tax: €242.00", 300.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["tax_amount"], json!(42.0));
    assert_eq!(x.data["total_amount"], json!(242.0));
}

#[test]
fn columns_the_spec_does_not_name_are_not_run_into_their_neighbours() {
    // "Tax" and "Total price with tax" right of "Total price"; the line total is the one
    // under its own title. The section title after the table is no part of the last row.
    let d = doc(&[
        ("Description", 40.0, 200.0),
        ("Units", 250.0, 200.0),
        ("Price per one", 300.0, 200.0),
        ("Total price", 390.0, 200.0),
        ("Tax", 475.0, 200.0),
        ("Total price with tax", 510.0, 200.0),
        ("Office chair", 40.0, 215.0),
        ("32", 262.0, 215.0),
        ("€600.00", 330.0, 215.0),
        ("€19,200.00", 394.0, 215.0),
        ("21 %", 475.0, 215.0),
        ("€23,232.00", 570.0, 215.0),
        ("Imposto desagregado", 40.0, 245.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Office chair", "quantity": 32.0, "unit_price": 600.0, "amount": 19200.0}])
    );

    // An empty "Description" column beside an unnamed "Name" column: the item is named there.
    let d = doc(&[
        ("Name", 60.0, 200.0),
        ("Description", 150.0, 200.0),
        ("Units", 260.0, 200.0),
        ("Unit Price", 330.0, 200.0),
        ("Amount", 450.0, 200.0),
        ("Design revision", 40.0, 215.0),
        ("5", 265.0, 215.0),
        ("130.13", 340.0, 215.0),
        ("650.65", 455.0, 215.0),
        ("Subtotal", 330.0, 230.0),
        ("650.65", 455.0, 230.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Design revision", "quantity": 5.0, "unit_price": 130.13, "amount": 650.65}])
    );
}

#[test]
fn bilingual_labels_end_at_their_colon_and_their_values_sit_under_the_whole_label() {
    let d = doc(&[
        ("Invoice/ Sąskaita #: LT0102", 330.0, 78.0),
        ("Seller / Pardavėjas:", 77.0, 204.0),
        ("Buyer / Pirkėjas:", 403.0, 204.0),
        ("Kovář a syn s.r.o.", 77.0, 222.0),
        // Right-aligned under the right end of "Buyer / Pirkėjas:", not under "Buyer".
        ("Initech Ltd", 454.0, 222.0),
        ("Main Street 5", 77.0, 240.0),
        ("Parkway 300", 441.0, 240.0),
        ("Total w/o VAT:", 325.0, 594.0),
        ("€460.50", 452.0, 594.0),
        ("VAT", 325.0, 612.0),
        ("€96.70", 452.0, 612.0),
        ("Total:", 325.0, 630.0),
        ("€557.20", 452.0, 630.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("LT0102"));
    assert_eq!(x.data["vendor_name"], json!("Kovář a syn s.r.o."));
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    // "Total w/o VAT" is the net amount, and the "VAT" inside it is no tax label.
    assert_eq!(x.data["net_amount"], json!(460.5));
    assert_eq!(x.data["tax_amount"], json!(96.7));
    assert_eq!(x.data["total_amount"], json!(557.2));
}

#[test]
fn bill_from_ref_no_a_subtotal_column_and_dates_that_show_their_order() {
    // Labels stacked over values, "Bill From" beside "Bill To", a line's "Subtotal" column.
    let d = doc(&[
        ("Invoice Number:", 150.0, 40.0),
        ("47417", 150.0, 52.0),
        ("Bill To:", 40.0, 120.0),
        ("Bill From:", 150.0, 120.0),
        ("Stark Components a.s.", 40.0, 132.0),
        ("Pinecrest Dental Lab", 190.0, 132.0),
        ("Description", 40.0, 200.0),
        ("Quantity", 190.0, 200.0),
        ("Subtotal", 330.0, 200.0),
        ("Maintenance contract", 40.0, 215.0),
        ("7", 190.0, 215.0),
        ("854.62 EUR", 330.0, 215.0),
        ("Total without VAT", 190.0, 260.0),
        ("854.62 EUR", 330.0, 260.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("47417"));
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["buyer_name"], json!("Stark Components a.s."));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Maintenance contract", "quantity": 7.0, "amount": 854.62}])
    );

    // "Ref no: #3262" names the invoice; in dollars, "05/04/2021" is still day first when
    // the due date beside it can only be read day first.
    let d = doc(&[
        ("Redwood Cloud Hosting Inc.", 40.0, 30.0),
        ("Ref no: #3262", 350.0, 42.0),
        ("Date: 05/04/2021", 350.0, 54.0),
        ("Due Date: 25/04/2021", 350.0, 66.0),
        ("Grand Total", 300.0, 300.0),
        ("$1,010.70", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("3262"));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["issue_date"], json!("2021-04-05"));
    assert_eq!(x.data["due_date"], json!("2021-04-25"));
}

#[test]
fn a_currency_named_in_words_a_name_over_a_blank_row_and_french_header_labels() {
    // "Montants exprimés en Euros" is the only currency on the page; the seller's name has a
    // blank row under it where the customer's block beside it names a contact person.
    let d = doc(&[
        ("Facture", 450.0, 20.0),
        ("Réf. : IN2611-51616", 400.0, 35.0),
        ("Date facturation: 20/09/2021", 380.0, 50.0),
        ("Pinecrest Dental Lab", 40.0, 120.0),
        ("Umbrella Health Partners", 300.0, 120.0),
        ("Will Jameson", 300.0, 132.0),
        ("59 Rua das Flores 42", 40.0, 144.0),
        ("80 Parkway 300", 300.0, 144.0),
        ("99280 Leeds", 40.0, 156.0),
        ("39923 Austin", 300.0, 156.0),
        ("Montants exprimés en Euros", 380.0, 230.0),
        ("Description", 40.0, 260.0),
        ("TVA", 250.0, 260.0),
        ("P.U. HT", 320.0, 260.0),
        ("Qt", 400.0, 260.0),
        ("Total HT", 460.0, 260.0),
        ("Training day", 40.0, 280.0),
        ("10.00%", 250.0, 280.0),
        ("468.38", 320.0, 280.0),
        ("2", 400.0, 280.0),
        ("936.76", 460.0, 280.0),
        ("Total HT", 300.0, 330.0),
        ("936.76", 460.0, 330.0),
        ("Total TVA", 300.0, 345.0),
        ("93.68", 460.0, 345.0),
        ("Total TTC", 300.0, 360.0),
        ("1030.44", 460.0, 360.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("IN2611-51616"));
    assert_eq!(x.data["issue_date"], json!("2021-09-20"));
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.fields["/currency"].text, "Euros");
    assert_eq!(x.data["net_amount"], json!(936.76));
    assert_eq!(x.data["total_amount"], json!(1030.44));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Training day", "unit_price": 468.38, "quantity": 2.0, "amount": 936.76}])
    );

    // The English labels of the same template; a country cue would have said otherwise.
    let d = doc(&[
        ("Ref. : IN2611-00042", 400.0, 35.0),
        ("Brightwater Analytics LLC", 40.0, 120.0),
        ("12 Harbour Road, Singapore", 40.0, 132.0),
        ("Amounts expressed in Euros", 380.0, 230.0),
        ("Total exc. VAT", 300.0, 330.0),
        ("100.00", 460.0, 330.0),
        ("Total inc. VAT", 300.0, 360.0),
        ("120.00", 460.0, 360.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("IN2611-00042"));
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["net_amount"], json!(100.0));
    assert_eq!(x.data["total_amount"], json!(120.0));
}

#[test]
fn a_phrase_running_under_the_next_text_column_stays_whole() {
    // "Network switch 24-port" starts under "Title" and runs on under "Description", which
    // is empty; the buyer is the one the invoice is "issued for".
    let d = doc(&[
        ("Atlas Freight Services SA", 380.0, 20.0),
        ("Harbour Road 17, Berlin", 380.0, 32.0),
        ("Invoice issued for:", 40.0, 100.0),
        ("Globex Corporation", 40.0, 112.0),
        ("Invoice #: 8585", 400.0, 112.0),
        ("#", 40.0, 200.0),
        ("Title", 60.0, 200.0),
        ("Description", 130.0, 200.0),
        ("Price", 330.0, 200.0),
        ("Quantity", 390.0, 200.0),
        ("Unit", 450.0, 200.0),
        ("Total", 500.0, 200.0),
        ("1", 40.0, 215.0),
        ("Network switch 24-port", 60.0, 215.0),
        ("796.02", 330.0, 215.0),
        ("2", 390.0, 215.0),
        ("pcs", 450.0, 215.0),
        ("1592.04", 500.0, 215.0),
        ("Total:", 400.0, 300.0),
        ("1,592.04 EUR", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Globex Corporation"));
    assert_eq!(x.data["vendor_name"], json!("Atlas Freight Services SA"));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Network switch 24-port", "unit_price": 796.02, "quantity": 2.0, "amount": 1592.04}])
    );
}

/// A recognised page: words placed like OCR boxes, which hug capitals (6 points high, 13
/// for a heading printed double size) while a monospaced font spaces words 7.5 points apart.
fn scanned(heading: &str, lines: &[(&str, f32, f32)]) -> Document {
    let mut words = Vec::new();
    place(&mut words, heading, (30.0, 11.0), 13.0, 1.5 * 4.9, 1.5 * 7.5);
    for (text, x, y) in lines {
        place(&mut words, text, (*x, *y), 6.0, 4.9, 7.5);
    }
    Document { pages: vec![Page { number: 1, width: 227.0, height: 240.0, words, ocr: true }], ..Default::default() }
}

#[test]
fn a_scanned_receipt_keeps_its_address_whole_its_total_and_its_shop() {
    // The heading spans 30..196, centred on 113 as the address lines under it are.
    let d = scanned(
        "Corner Deli & Grocery",
        &[
            ("214 Elm Street", 81.0, 30.0),
            ("Springfield, IL 62704", 55.0, 40.0),
            ("Tel 899-4607", 84.0, 50.0),
            ("10/20/2021 09:46", 74.0, 70.0),
            ("NOODLES", 9.0, 110.0),
            ("3", 159.0, 110.0),
            ("43.20", 190.0, 110.0),
            ("SUGAR KG", 9.0, 120.0),
            ("2", 159.0, 120.0),
            ("166.50", 185.0, 120.0),
            ("TOTAL $", 9.0, 140.0),
            ("209.70", 185.0, 140.0),
            ("CASH", 9.0, 150.0),
            ("210.00", 185.0, 150.0),
            // Misread: the change was 0.30.
            ("CHANGE", 9.0, 160.0),
            ("9.30", 194.0, 160.0),
        ],
    );
    let x = run(&d, "receipt");
    // The address lines are read whole, though their word gaps exceed their height.
    assert_eq!(x.data["address"], json!("214 Elm Street, Springfield, IL 62704"));
    // "SUGAR KG" ends in a legal form, but its line goes on to a price: an item.
    assert_eq!(x.data["company"], json!("Corner Deli & Grocery"));
    // The items add up to the total, so a cash-less-change of 200.70 does not replace it.
    assert_eq!(x.data["total"], json!(209.7));
    assert_eq!(x.data["date"], json!("2021-10-20"));
}

/// A born-digital page whose lines each have a type size: (text, x, y, size); characters are
/// 0.5 of the size wide and words a quarter of it apart.
fn sized(lines: &[(&str, f32, f32, f32)]) -> Document {
    let mut words = Vec::new();
    for &(text, x, y, size) in lines {
        place(&mut words, text, (x, y), size, 0.5 * size, 0.25 * size);
    }
    Document { pages: vec![Page { number: 1, width: 595.0, height: 842.0, words, ocr: false }], ..Default::default() }
}

#[test]
fn a_window_letter_names_its_recipient_under_the_return_address() {
    // A DIN letter: the sender's letterhead top right, its return address in small print over
    // the recipient's block, the reference line's labels over their values.
    let d = sized(&[
        ("Pinecrest Dental Lab", 430.0, 20.0, 12.0),
        ("Main Street 5", 472.0, 35.0, 12.0),
        ("LS1 4AP Leeds", 472.0, 50.0, 12.0),
        ("Pinecrest Dental Lab, Main Street 5, LS1 4AP Leeds", 57.0, 134.0, 8.0),
        ("Initech Ltd", 57.0, 179.0, 12.0),
        ("Rua das Flores 42", 57.0, 194.0, 12.0),
        ("11000 Praha", 57.0, 208.0, 12.0),
        ("Kundennummer", 74.0, 286.0, 8.0),
        ("Rechnungsnummer", 263.0, 286.0, 8.0),
        ("Datum", 462.0, 286.0, 8.0),
        ("K-1119", 74.0, 296.0, 12.0),
        ("INV54044", 263.0, 296.0, 12.0),
        ("4. Juli 2022", 462.0, 296.0, 12.0),
        ("Gesamtbetrag", 307.0, 526.0, 12.0),
        ("4 740,55 EUR", 400.0, 526.0, 12.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    // The recipient's legal form does not make it the seller.
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["invoice_number"], json!("INV54044"));
    assert_eq!(x.data["issue_date"], json!("2022-07-04"));

    // Without a return address over it, a block of lines is nobody's in particular.
    let d = sized(&[
        ("Pinecrest Dental Lab", 430.0, 20.0, 12.0),
        ("Initech Ltd", 57.0, 179.0, 12.0),
        ("Rua das Flores 42", 57.0, 194.0, 12.0),
    ]);
    assert!(run(&d, "invoice").data.get("buyer_name").is_none());
}

#[test]
fn price_beside_unit_price_is_the_line_amount_and_a_phrase_keeps_its_words() {
    // invoice2's German table: "Preis" beside "Stückpreis" is the line's price. The item
    // starts nearer the quantity's title than its own, and its phrase runs on into the rate:
    // its words go to the item, the rate stays in its column.
    let d = sized(&[
        ("Anzahl", 124.0, 431.0, 8.0),
        ("Posten", 212.0, 431.0, 8.0),
        ("USt", 299.0, 431.0, 8.0),
        ("Stückpreis", 337.0, 431.0, 8.0),
        ("Preis", 426.0, 431.0, 8.0),
        ("2", 136.0, 447.0, 12.0),
        ("Network switch 24-port 7%", 150.0, 447.0, 12.0),
        ("443,81EUR", 328.0, 447.0, 12.0),
        ("949,75EUR", 409.0, 447.0, 12.0),
        ("Gesamtbetrag", 307.0, 526.0, 12.0),
        ("949,75 EUR", 409.0, 526.0, 12.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"quantity": 2.0, "description": "Network switch 24-port", "unit_price": 443.81, "amount": 949.75}])
    );
}

#[test]
fn an_included_part_under_an_item_is_no_row_of_its_own() {
    // Coolblue's layout: a levy already in the item's price, with its own amount.
    let d = sized(&[
        ("Artikel", 45.0, 249.0, 8.0),
        ("Aantal", 359.0, 249.0, 8.0),
        ("Prijs per stuk", 397.0, 249.0, 8.0),
        ("BTW", 470.0, 249.0, 8.0),
        ("Prijs incl. BTW", 490.0, 249.0, 8.0),
        ("Apple iPad Air Wifi 16 GB Zilver", 45.0, 264.0, 8.0),
        ("1", 381.0, 264.0, 8.0),
        ("€ 399,00", 419.0, 264.0, 8.0),
        ("21%", 473.0, 264.0, 8.0),
        ("€ 399,00", 517.0, 264.0, 8.0),
        ("Incl. Thuiskopieheffing: Thuiskopie €3.50", 57.0, 276.0, 8.0),
        ("1", 382.0, 276.0, 8.0),
        ("21%", 475.0, 276.0, 8.0),
        ("€ 4,24", 530.0, 276.0, 8.0),
        ("Mario Kart 7 3DS", 45.0, 288.0, 8.0),
        ("1", 381.0, 288.0, 8.0),
        ("€ 44,99", 419.0, 288.0, 8.0),
        ("21%", 473.0, 288.0, 8.0),
        ("€ 44,99", 517.0, 288.0, 8.0),
        ("Totaal", 400.0, 330.0, 8.0),
        ("€ 443,99", 517.0, 330.0, 8.0),
    ]);
    let x = run(&d, "invoice");
    let items = x.data["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    // "Prijs incl. BTW" beside "Prijs per stuk" is the line's price.
    assert_eq!(items[0]["amount"], json!(399.0));
    assert_eq!(items[1]["description"], json!("Mario Kart 7 3DS"));
}

#[test]
fn slovak_labels_a_discount_under_the_items_and_a_vat_number_that_is_no_tax() {
    // invoicer's layout: supplier and customer side by side with their tax numbers, the items,
    // then a discount and the total at the right, under the figures' columns.
    let d = sized(&[
        ("Faktúra", 60.0, 28.0, 10.0),
        ("2022179", 100.0, 28.0, 12.0),
        ("DODÁVATEĽ", 60.0, 60.0, 10.0),
        ("ODBERATEĽ", 308.0, 60.0, 10.0),
        ("Juraj Hudák - JH Soft", 60.0, 77.0, 10.0),
        ("Müller Werkzeuge GmbH", 308.0, 77.0, 10.0),
        ("DIČ: 1550282675", 308.0, 175.0, 10.0),
        ("IČ DPH: SK5079733511", 308.0, 188.0, 10.0),
        ("Dátum vystavenia", 70.0, 250.0, 10.0),
        ("Dátum splatnosti", 270.0, 250.0, 10.0),
        ("08.10.2022", 70.0, 262.0, 10.0),
        ("22.10.2022", 270.0, 262.0, 10.0),
        ("Č. Názov položky", 60.0, 340.0, 10.0),
        ("Počet", 304.0, 340.0, 10.0),
        ("MJ", 360.0, 340.0, 10.0),
        ("Jedn. cena", 400.0, 340.0, 10.0),
        ("Cena Spolu", 480.0, 340.0, 10.0),
        ("1. Vývoj mobilnej aplikácie - projekt Vega", 65.0, 355.0, 10.0),
        ("150,50", 305.0, 355.0, 10.0),
        ("hod", 362.0, 355.0, 10.0),
        ("42,00", 425.0, 355.0, 10.0),
        ("6 321,00", 490.0, 355.0, 10.0),
        ("Zľava za doklad 0,79 %", 307.0, 399.0, 9.0),
        ("-50,00", 504.0, 399.0, 9.0),
        ("Celkom", 307.0, 410.0, 10.0),
        ("EUR 6 271,00", 470.0, 410.0, 10.0),
    ]);
    let outcome = finalize(&spec("invoice"), run(&d, "invoice"));
    let data = &outcome.data;
    assert_eq!(data["total_amount"], json!(6271.0));
    assert_eq!(data["discount_amount"], json!(-50.0));
    // "IČ DPH" names a VAT number: the "DPH" in it is no tax amount.
    assert!(data.get("tax_amount").is_none(), "{data}");
    // The discount line is no item, and the items less the discount make the total.
    let items = data["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["quantity"], json!(150.5));
    assert_eq!(items[0]["unit_price"], json!(42.0));
    assert!(outcome.review_reasons.is_empty(), "{:?}", outcome.review_reasons);
}

#[test]
fn a_company_registration_line_is_no_company_and_a_yen_between_quantity_and_price_is_a_times_sign() {
    // As OCR read a Malaysian dot-matrix receipt: its "x" came out as "¥", and the only
    // "RM" are column titles.
    let d = scanned(
        "GL TAILORING",
        &[
            ("19, JALAN KANCIL,", 36.0, 30.0),
            ("55100 KUALA LUMPUR", 33.0, 40.0),
            ("Company Reg No. :75495-W", 40.0, 52.0),
            ("GST Reg No. 001948532736", 40.0, 62.0),
            ("Date : 09/04/2018 10:52", 10.0, 80.0),
            ("RM Code", 150.0, 95.0),
            ("NONA M ACRYIC YARN", 10.0, 105.0),
            ("8.00PKTS ¥ 13.00 104.00 SR", 20.0, 115.0),
            ("Total Incl. of GST 104.00", 20.0, 130.0),
            ("GST Summary Amount(RM) Tax (RM)", 10.0, 150.0),
        ],
    );
    let x = run(&d, "receipt");
    assert_eq!(x.data["company"], json!("GL TAILORING"));
    assert_eq!(x.data["currency"], json!("MYR"));
    assert_eq!(x.data["total"], json!(104.0));
}

#[test]
fn a_tax_above_the_total_is_some_other_number() {
    // Under "Service tax #" there is no amount, and the phone number below is none.
    let d = doc(&[
        ("WS Retail Services Pvt. Ltd.", 40.0, 30.0),
        ("Invoice No: BLR-0982590", 300.0, 30.0),
        ("Service tax #: AAACW8725FSD001", 40.0, 100.0),
        ("Phone: 8756390642", 40.0, 112.0),
        ("Grand Total", 300.0, 300.0),
        ("Rs 319.00", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["total_amount"], json!(319.0));
    assert!(x.data.get("tax_amount").is_none(), "{:?}", x.data);
}

#[test]
fn the_number_and_date_of_an_earlier_invoice_referred_to_are_not_this_ones() {
    let d = doc(&[
        ("FACTURE N° :", 300.0, 30.0),
        ("F20260023", 480.0, 30.0),
        ("Date :", 300.0, 42.0),
        ("31/01/2026", 480.0, 42.0),
        ("N° DE FACTURE ASSOCIÉE : F20260003", 40.0, 200.0),
        ("DATE DE FACTURE ASSOCIÉE : 01/01/2026", 40.0, 212.0),
        ("TOTAL TTC", 300.0, 400.0),
        ("104,90 €", 480.0, 400.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("F20260023"));
    assert_eq!(x.data["issue_date"], json!("2026-01-31"));
}

#[test]
fn a_tax_representative_is_a_party_not_a_tax() {
    let d = doc(&[
        ("Représentant Fiscal", 40.0, 150.0),
        ("SELLER TAX REP", 45.0, 162.0),
        ("35 rue d'ici, Seller line 2", 45.0, 174.0),
        ("TOTAL TTC", 300.0, 400.0),
        ("104,90 €", 480.0, 400.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["total_amount"], json!(104.9));
    assert!(x.data.get("tax_amount").is_none(), "{:?}", x.data);
}

#[test]
fn finnish_labels_a_reference_in_groups_an_unlabelled_recipient_and_a_net_by_its_sum() {
    let d = doc(&[
        ("Kattila Oy", 40.0, 30.0),
        ("Satamakatu 4", 40.0, 42.0),
        ("00160 Helsinki", 40.0, 54.0),
        ("Laskun päivämäärä", 330.0, 60.0),
        ("12.05.2024", 460.0, 60.0),
        ("Viitenumero", 330.0, 72.0),
        ("12345 67890 3", 460.0, 72.0),
        ("Eräpäivä", 330.0, 84.0),
        ("26.05.2024", 460.0, 84.0),
        // The recipient, standing apart with no label: a person over the company.
        ("Maija Meikäläinen", 40.0, 150.0),
        ("Puutarha Oy", 40.0, 162.0),
        ("Kauppakatu 7", 40.0, 174.0),
        ("40100 Jyväskylä", 40.0, 186.0),
        // The sum before tax under a word that names no net amount.
        ("Summa", 330.0, 330.0),
        ("1 000,00 €", 460.0, 330.0),
        ("ALV 24 %", 330.0, 342.0),
        ("240,00 €", 460.0, 342.0),
        ("Maksettava", 330.0, 354.0),
        ("1 240,00 €", 460.0, 354.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("12345 67890 3"));
    assert_eq!(x.data["issue_date"], json!("2024-05-12"));
    assert_eq!(x.data["due_date"], json!("2024-05-26"));
    assert_eq!(x.data["vendor_name"], json!("Kattila Oy"));
    assert_eq!(x.data["buyer_name"], json!("Puutarha Oy"));
    assert_eq!(x.data["total_amount"], json!(1240.0));
    assert_eq!(x.data["tax_amount"], json!(240.0));
    assert_eq!(x.data["net_amount"], json!(1000.0));
    assert_eq!(x.fields["/net_amount"].text, "1 000,00 €");
}

#[test]
fn a_number_followed_by_other_words_or_a_date_is_read_alone() {
    let d = doc(&[
        ("Invoice No", 40.0, 100.0),
        ("4711 2024-05-12", 130.0, 100.0),
        ("Total", 300.0, 300.0),
        ("10.00 EUR", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("4711"));
    // Without a tax there is nothing to add up: no net is made up.
    assert!(x.data.get("net_amount").is_none(), "{:?}", x.data);
}

#[test]
fn a_label_in_brackets_or_after_a_slash_goes_on_with_the_label_before_it() {
    let d = doc(&[
        ("Total w/o VAT/ Iš viso(be PVN):", 300.0, 300.0),
        ("£3311.60", 480.0, 300.0),
        ("VAT/ PVN", 300.0, 312.0),
        ("£298.04", 480.0, 312.0),
        ("Total /Iš viso:", 300.0, 324.0),
        ("£3609.64", 480.0, 324.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["net_amount"], json!(3311.6));
    assert_eq!(x.data["tax_amount"], json!(298.04));
    assert_eq!(x.data["total_amount"], json!(3609.64));
}

#[test]
fn a_lone_column_of_prices_under_a_count_title_is_the_line_amount() {
    let d = doc(&[
        ("Kuvaus", 40.0, 200.0),
        ("Määrä", 450.0, 200.0),
        ("Siivouspalvelu", 40.0, 214.0),
        ("610.95", 450.0, 214.0),
        ("Ikkunanpesu", 40.0, 226.0),
        ("89.00", 450.0, 226.0),
        ("Yhteensä", 300.0, 260.0),
        ("700.95 €", 450.0, 260.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Siivouspalvelu", "amount": 610.95}, {"description": "Ikkunanpesu", "amount": 89.0}])
    );
    assert_eq!(x.fields["/line_items/1/amount"].text, "89.00");
    // Whole counts stay counts.
    let d =
        doc(&[("Description", 40.0, 200.0), ("Qty", 450.0, 200.0), ("Office chair", 40.0, 214.0), ("4", 450.0, 214.0)]);
    assert_eq!(run(&d, "invoice").data["line_items"], json!([{"description": "Office chair", "quantity": 4.0}]));
}

#[test]
fn of_two_unlabelled_parties_side_by_side_the_first_is_the_seller_whatever_the_legal_forms() {
    let d = doc(&[
        ("Facture", 470.0, 20.0),
        ("Pinecrest Dental Lab", 40.0, 106.0),
        ("Stark Components a.s.", 312.0, 106.0),
        ("Will Jameson", 312.0, 118.0),
        ("21 Parkway 300", 40.0, 130.0),
        ("79 Rua das Flores 42", 312.0, 130.0),
        ("45079 London", 40.0, 142.0),
        ("47863 Lisbon", 312.0, 142.0),
        ("Total", 300.0, 400.0),
        ("486.75 EUR", 450.0, 400.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
}

#[test]
fn dates_that_fall_out_of_order_in_the_currencys_reading_are_read_the_other_way() {
    // Dollars suggest month first; due before issued that way, so these are day first.
    let d = doc(&[
        ("Invoice Date: 11/01/2021", 40.0, 100.0),
        ("Due Date: 10/02/2021", 40.0, 114.0),
        ("Total", 300.0, 300.0),
        ("$ 120.00", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2021-01-11"));
    assert_eq!(x.data["due_date"], json!("2021-02-10"));
    // In order as the currency reads them: left alone.
    let d = doc(&[
        ("Invoice Date: 01/11/2021", 40.0, 100.0),
        ("Due Date: 02/10/2021", 40.0, 114.0),
        ("Total", 300.0, 300.0),
        ("$ 120.00", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2021-01-11"));
    assert_eq!(x.data["due_date"], json!("2021-02-10"));
}

#[test]
fn a_tax_that_breaks_net_plus_tax_gives_way_to_the_one_that_makes_the_total() {
    let d = doc(&[
        ("Base TVA", 300.0, 300.0),
        ("Montant TVA", 400.0, 300.0),
        ("11,00", 300.0, 312.0),
        ("2,20", 400.0, 312.0),
        ("27,00", 300.0, 324.0),
        ("2,70", 400.0, 324.0),
        ("TOTAL HT", 200.0, 400.0),
        ("TOTAL TVA", 300.0, 400.0),
        ("TOTAL TTC", 400.0, 400.0),
        ("100,00", 200.0, 412.0),
        ("4,90", 300.0, 412.0),
        ("104,90 EUR", 400.0, 412.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["net_amount"], json!(100.0));
    assert_eq!(x.data["total_amount"], json!(104.9));
    assert_eq!(x.data["tax_amount"], json!(4.9));
    assert_eq!(x.fields["/tax_amount"].text, "4,90");
}

#[test]
fn a_recipient_laid_out_like_the_seller_a_person_over_the_company_names_the_company() {
    let d = doc(&[
        ("Pinecrest Dental Lab", 40.0, 20.0),
        ("John Smith", 40.0, 40.0),
        ("Pinecrest Dental Lab", 40.0, 52.0),
        ("Parkway 300", 40.0, 64.0),
        ("33100 Tampere", 40.0, 76.0),
        ("Jane Doe", 40.0, 150.0),
        ("Umbrella Health Partners", 40.0, 162.0),
        ("Rua das Flores 42", 40.0, 174.0),
        ("00100 Helsinki", 40.0, 186.0),
        ("Total", 300.0, 300.0),
        ("120.00 EUR", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["buyer_name"], json!("Umbrella Health Partners"));
    // Where the seller's block does not start with a person, the first name is the buyer's.
    let d = doc(&[
        ("Pinecrest Dental Lab", 40.0, 20.0),
        ("Parkway 300", 40.0, 32.0),
        ("33100 Tampere", 40.0, 44.0),
        ("Umbrella Health Partners", 40.0, 150.0),
        ("Jane Doe", 40.0, 162.0),
        ("Rua das Flores 42", 40.0, 174.0),
        ("00100 Helsinki", 40.0, 186.0),
        ("Total", 300.0, 300.0),
        ("120.00 EUR", 450.0, 300.0),
    ]);
    assert_eq!(run(&d, "invoice").data["buyer_name"], json!("Umbrella Health Partners"));
}

#[test]
fn a_tax_said_to_be_in_or_out_of_a_total_qualifies_its_label() {
    let d = doc(&[
        ("Total amount excl. of VAT", 200.0, 300.0),
        ("$2042.58", 450.0, 300.0),
        ("VAT out of scope", 200.0, 312.0),
        ("$0", 450.0, 312.0),
        ("Total amount incl. of VAT", 200.0, 324.0),
        ("$2042.58", 450.0, 324.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["total_amount"], json!(2042.58));
    assert_eq!(x.data["tax_amount"], json!(0.0));
    assert_eq!(x.data["net_amount"], json!(2042.58));
}

#[test]
fn the_buyer_after_a_labels_colon_and_the_seller_beside_it_on_that_line() {
    let d = doc(&[
        ("Kovář a syn s.r.o.", 49.0, 47.0),
        ("INVOICE", 447.0, 47.0),
        ("Bill To:", 49.0, 146.0),
        ("Pereira Engenharia Ltda.", 98.0, 146.0),
        ("Kovář a syn s.r.o.", 382.0, 146.0),
        ("Parkway 300", 98.0, 158.0),
        ("Vinohradská 112", 382.0, 158.0),
        ("Brno", 98.0, 170.0),
        ("78701 Austin", 382.0, 170.0),
        ("Total", 300.0, 300.0),
        ("$ 120.00", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Pereira Engenharia Ltda."));
    assert_eq!(x.data["vendor_name"], json!("Kovář a syn s.r.o."));
}

#[test]
fn a_return_address_set_apart_by_bullets_and_a_customer_label_keying_a_number() {
    let d = sized(&[
        ("Bei Spiel GmbH", 451.0, 122.0, 9.0),
        ("Ecke 12", 451.0, 138.0, 9.0),
        ("Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen ● Germany", 82.0, 155.0, 6.0),
        ("Theodor Est", 71.0, 167.0, 14.0),
        ("Bahnstr. 42", 71.0, 196.0, 12.0),
        ("88802 Spielkreis", 71.0, 223.0, 12.0),
        ("Customer:2", 57.0, 308.0, 12.0),
        ("Your order AB321", 57.0, 335.0, 14.0),
        ("Due payable: 571.04 €", 57.0, 500.0, 12.0),
        ("Please remit until 2020-12-12.", 57.0, 520.0, 12.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Theodor Est"));
    assert_eq!(x.data["due_date"], json!("2020-12-12"));
    assert_eq!(x.data["amount_due"], json!(571.04));
}

#[test]
fn a_date_wrapped_over_two_lines_of_a_narrow_cell_is_read_whole() {
    let d = doc(&[
        ("04 September", 498.0, 96.0),
        ("Date:", 462.0, 101.0),
        ("2023", 533.0, 106.0),
        ("Due", 467.0, 120.0),
        ("18 September", 498.0, 120.0),
        ("Date:", 462.0, 132.0),
        ("2023", 533.0, 132.0),
        ("Total", 300.0, 300.0),
        ("$ 120.00", 450.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2023-09-04"));
    assert_eq!(x.data["due_date"], json!("2023-09-18"));
}

#[test]
fn a_panel_title_alone_on_its_line_takes_the_value_set_right_below_it() {
    // Panels with the title at the left and the body set right, the last one running over
    // onto the next page. "Tax No." keys an identifier, not an amount.
    let first = doc(&[
        ("Supplier", 40.0, 30.0),
        ("Müller Werkzeuge GmbH", 40.0, 45.0),
        ("Tax No.: 5176189268", 40.0, 60.0),
        ("Invoice 2022/585", 400.0, 10.0),
        ("Issue date", 40.0, 90.0),
        ("22.04.2022", 40.0, 105.0),
        ("Base", 40.0, 700.0),
        ("12276.60 EUR", 480.0, 714.0),
        ("VAT", 40.0, 735.0),
        ("2455.32 EUR", 486.0, 749.0),
        ("Total due", 40.0, 770.0),
    ]);
    let mut d = first;
    let mut page_two = doc(&[("14731.92 EUR", 470.0, 20.0)]).pages.remove(0);
    page_two.number = 2;
    d.pages.push(page_two);
    let x = run(&d, "invoice");
    assert_eq!(x.data["net_amount"], json!(12276.6));
    assert_eq!(x.data["tax_amount"], json!(2455.32));
    assert_eq!(x.data["total_amount"], json!(14731.92));
    assert_eq!(x.fields["/total_amount"].page, Some(2));
}

#[test]
fn a_label_alone_on_its_line_does_not_take_a_line_of_words_below_it() {
    // What follows a lone label is its value only when that line is one value and no label.
    let d = doc(&[
        ("Total", 40.0, 300.0),
        ("Net amount 80.00", 300.0, 314.0),
        ("Amount due", 300.0, 340.0),
        ("96.00", 450.0, 340.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["total_amount"], json!(96.0));
}

#[test]
fn column_titles_over_two_lines_are_read_as_one() {
    // "Line total" over "with taxes" names the line amount, not "VAT amount" beside it (set
    // right, "Line" reaches out past "with taxes"); "Unit" over "price" the unit price, not
    // "Price" (the line's net) beside it.
    let d = doc(&[
        ("Unit", 250.0, 188.0),
        ("Line total", 470.0, 188.0),
        ("Description", 40.0, 200.0),
        ("Qty", 200.0, 200.0),
        ("price", 250.0, 200.0),
        ("Price", 320.0, 200.0),
        ("VAT amount", 400.0, 200.0),
        ("with taxes", 500.0, 200.0),
        ("Office chair", 40.0, 220.0),
        ("2", 205.0, 220.0),
        ("70.00", 250.0, 220.0),
        ("140.00", 320.0, 220.0),
        ("28.00", 410.0, 220.0),
        ("168.00", 510.0, 220.0),
        ("Total", 300.0, 260.0),
        ("168.00", 510.0, 260.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Office chair", "quantity": 2.0, "unit_price": 70.0, "amount": 168.0}])
    );
}

#[test]
fn lines_under_a_heading_after_the_table_go_on_with_no_row() {
    let d = doc(&[
        ("Description", 40.0, 200.0),
        ("Qty", 300.0, 200.0),
        ("Amount", 460.0, 200.0),
        ("Consulting hours", 40.0, 215.0),
        ("9", 305.0, 215.0),
        ("7899.39", 460.0, 215.0),
        ("Summary:", 40.0, 250.0),
        ("Remarks", 40.0, 262.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["line_items"], json!([{"description": "Consulting hours", "quantity": 9.0, "amount": 7899.39}]));
}

#[test]
fn a_heading_in_large_type_names_the_invoice_itself() {
    // "Original invoice" in running text is the earlier invoice a credit note corrects; as
    // the page's heading it is this invoice.
    let mut d = doc(&[
        ("Order #134116", 400.0, 113.0),
        ("Date: 14.09.2025", 400.0, 131.0),
        ("Müller Werkzeuge GmbH", 40.0, 180.0),
        ("Keizersgracht 123, Amsterdam", 40.0, 195.0),
        ("Order total: €6,508.89", 300.0, 400.0),
    ]);
    place(&mut d.pages[0].words, "Original invoice #25034116", (250.0, 70.0), 24.0, 14.0, 7.0);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("25034116"));
    let credit_note = doc(&[
        ("Credit note CN-77", 40.0, 70.0),
        ("Original invoice: INV-2024-001", 40.0, 90.0),
        ("Total: -50.00 EUR", 300.0, 400.0),
    ]);
    assert_ne!(run(&credit_note, "invoice").data.get("invoice_number"), Some(&json!("INV-2024-001")));
}

#[test]
fn a_norwegian_invoice_in_kroner_with_the_buyer_beside_the_invoice_details() {
    // The buyer's block at the left with the seller's email right above it, but over another
    // column; amounts in thin-spaced groups under right-aligned titles; "kr" with no country.
    let d = doc(&[
        ("Faktura", 460.0, 50.0),
        ("Fjordlys Regnskap", 300.0, 82.0),
        ("Strandgata 5", 300.0, 96.0),
        ("0150 Oslo", 300.0, 108.0),
        ("post@fjordlys.example", 300.0, 120.0),
        ("Globex Corporation", 57.0, 138.0),
        ("Fakturanummer: FV-2025-6797", 300.0, 142.0),
        ("Harbour Road 17", 57.0, 152.0),
        ("Fakturadato: 24. mars 2021", 300.0, 154.0),
        ("78701 Austin", 57.0, 164.0),
        ("Forfallsdato: 7. april 2021", 300.0, 166.0),
        ("Beskrivelse", 57.0, 264.0),
        ("Enhetspris", 390.0, 264.0),
        ("MVA", 460.0, 264.0),
        ("Sum", 520.0, 264.0),
        ("Training day", 57.0, 282.0),
        ("3 437,15 kr", 380.0, 282.0),
        ("15 %", 455.0, 282.0),
        ("3 952,72 kr", 480.0, 282.0),
        ("MVA-grunnlag:", 380.0, 400.0),
        ("3 437,15 kr", 478.0, 400.0),
        ("MVA:", 380.0, 412.0),
        ("515,57 kr", 490.0, 412.0),
        ("Å betale:", 380.0, 424.0),
        ("3 952,72 kr", 478.0, 424.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("NOK"));
    assert_eq!(x.data["buyer_name"], json!("Globex Corporation"));
    assert_eq!(x.data["vendor_name"], json!("Fjordlys Regnskap"));
    assert_eq!(x.data["due_date"], json!("2021-04-07"));
    assert_eq!(x.data["net_amount"], json!(3437.15));
    assert_eq!(x.data["tax_amount"], json!(515.57));
    assert_eq!(x.data["total_amount"], json!(3952.72));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Training day", "unit_price": 3437.15, "amount": 3952.72}])
    );
}

#[test]
fn a_vat_rate_set_close_beside_the_item_price_is_no_part_of_it() {
    // "Item price" and "VAT" close enough to read as one title; "0 %" is a rate, not a price.
    let d = doc(&[
        ("Invoice", 460.0, 50.0),
        ("Horizonte Consultoria Ltda.", 300.0, 82.0),
        ("Main Street 5", 300.0, 96.0),
        ("Initech Ltd", 57.0, 138.0),
        ("Invoice number: 20250521", 300.0, 142.0),
        ("Harbour Road 17", 57.0, 152.0),
        ("Invoice date: August 21, 2022", 300.0, 154.0),
        ("11000 Praha", 57.0, 164.0),
        ("Deadline: September 20, 2022", 300.0, 166.0),
        ("Description", 57.0, 276.0),
        ("Item price", 400.0, 276.0),
        ("VAT", 466.0, 276.0),
        ("Sum", 520.0, 276.0),
        ("Office chair", 57.0, 294.0),
        ("$6,135.52", 400.0, 294.0),
        ("0 %", 466.0, 294.0),
        ("$6,135.52", 484.0, 294.0),
        ("Subtotal:", 400.0, 400.0),
        ("$6,135.52", 484.0, 400.0),
        ("Total:", 400.0, 424.0),
        ("$6,135.52", 484.0, 424.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["due_date"], json!("2022-09-20"));
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Office chair", "unit_price": 6135.52, "amount": 6135.52}])
    );
}

#[test]
fn a_commercial_invoice_with_from_and_to_headings() {
    // A customs invoice: "From:" and "To:" over two columns, a country of origin column
    // whose name wraps, a figure at the end of a description, the goods' countries named
    // beside an "(USD)" column, a waybill number and no invoice number.
    let d = doc(&[
        ("Commercial Invoice", 239.0, 33.0),
        ("Waybill Number: 1Z2W9YL3M1YEZA39KC", 75.0, 78.0),
        ("From:", 72.0, 100.0),
        ("To:", 311.0, 100.0),
        ("Lumen Systems Inc.", 72.0, 117.0),
        ("Globex Corporation", 311.0, 117.0),
        ("Parkway 300", 72.0, 131.0),
        ("Main Street 5", 311.0, 131.0),
        ("Austin 78701", 72.0, 144.0),
        ("78701 Austin", 311.0, 144.0),
        ("Description", 124.0, 256.0),
        ("Country of", 251.0, 256.0),
        ("Quantity", 329.0, 256.0),
        ("Unit Value$", 390.0, 256.0),
        ("Amount (USD)", 469.0, 256.0),
        ("Origin", 263.0, 269.0),
        ("Drill bits (set of 12)", 78.0, 286.0),
        ("Mexico", 263.0, 286.0),
        ("2", 372.0, 286.0),
        ("187.00", 416.0, 286.0),
        ("374.00", 504.0, 286.0),
        ("Office chair", 78.0, 300.0),
        ("Czech", 263.0, 300.0),
        ("1", 372.0, 300.0),
        ("12.50", 416.0, 300.0),
        ("12.50", 504.0, 300.0),
        ("Republic", 263.0, 312.0),
        ("Shipping cost $20.11", 382.0, 353.0),
        ("Total Invoice Value $406.61", 350.0, 389.0),
        ("Name: Dana Whitfield", 78.0, 535.0),
        ("Date: July 11, 2024", 307.0, 535.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Lumen Systems Inc."));
    assert_eq!(x.data["buyer_name"], json!("Globex Corporation"));
    assert_eq!(x.data["total_amount"], json!(406.61));
    assert_eq!(x.data["currency"], json!("USD"));
    assert_eq!(x.data["issue_date"], json!("2024-07-11"));
    assert_eq!(
        x.data["line_items"],
        json!([
            {"description": "Drill bits (set of 12)", "quantity": 2.0, "unit_price": 187.0, "amount": 374.0},
            {"description": "Office chair", "quantity": 1.0, "unit_price": 12.5, "amount": 12.5},
        ])
    );
}

#[test]
fn a_two_letter_label_counts_only_as_a_heading_of_its_own() {
    // "To:" over a block names the buyer; "to" in a phrase names nothing.
    let d = doc(&[
        ("Northgate Office Supplies Ltd", 40.0, 30.0),
        ("Harbour Road 17, Leeds", 40.0, 42.0),
        ("Invoice INV-2291", 40.0, 80.0),
        ("Goods sent to Vandelay Industries by courier", 40.0, 100.0),
        ("Total: £120.00", 300.0, 300.0),
    ]);
    assert_eq!(run(&d, "invoice").data.get("buyer_name"), None);
}

#[test]
fn a_table_under_the_letterhead_is_no_recipients_block() {
    // Item names over a line with a number, left-aligned below the seller's block and
    // nothing right above them: the rows of a table (they have prices), not an address.
    let d = doc(&[
        ("Müller Werkzeuge GmbH", 176.0, 26.0),
        ("Lindenstraße 14, 10969 Berlin", 176.0, 38.0),
        ("Descripción", 164.0, 308.0),
        ("Unitario", 365.0, 308.0),
        ("Unidades", 432.0, 308.0),
        ("Total", 514.0, 308.0),
        ("Horas de consultoría", 40.0, 326.0),
        ("675,39 €", 373.0, 326.0),
        ("9", 478.0, 326.0),
        ("6.078,51 €", 500.0, 326.0),
        ("Switch de red 24 puertos", 40.0, 344.0),
        ("367,65 €", 373.0, 344.0),
        ("2", 478.0, 344.0),
        ("735,30 €", 500.0, 344.0),
        ("Silla de oficina", 40.0, 362.0),
        ("230,59 €", 373.0, 362.0),
        ("4", 478.0, 362.0),
        ("922,36 €", 500.0, 362.0),
    ]);
    assert_eq!(run(&d, "invoice").data.get("buyer_name"), None);
}

#[test]
fn a_swedish_letter_whose_project_subtotal_is_the_total() {
    // The invoice package's table in Swedish: one fee, so the fees' subtotal is not printed
    // and "Mellansumma" heads the project's sum with its VAT, the total; the currency only in
    // the amount column's title; figures of five digits in groups.
    let d = doc(&[
        ("Atlas Freight Services SA", 300.0, 40.0),
        ("Harbour Road 17", 300.0, 52.0),
        ("60200 Brno", 300.0, 64.0),
        ("21 oktober 2022", 300.0, 90.0),
        ("Stark Components a.s.", 57.0, 130.0),
        ("Vinohradská 112", 57.0, 142.0),
        ("78701 Austin", 57.0, 154.0),
        ("Faktura nr 509/2021", 57.0, 190.0),
        ("Aktivitet", 60.0, 250.0),
        ("Pris/Enhet", 250.0, 250.0),
        ("Antal", 340.0, 250.0),
        ("Belopp (kr)", 400.0, 250.0),
        ("On-site installation", 60.0, 264.0),
        ("756.48", 270.0, 264.0),
        ("12", 345.0, 264.0),
        ("9077.76", 418.0, 264.0),
        ("Moms (12%)", 60.0, 278.0),
        ("1089.33", 418.0, 278.0),
        ("Mellansumma Annual support", 60.0, 300.0),
        ("10 167.09", 406.0, 300.0),
        ("Summa Arvoden", 60.0, 322.0),
        ("9077.76", 418.0, 322.0),
        ("Summa Moms", 60.0, 336.0),
        ("1089.33", 418.0, 336.0),
        ("Slutsumma", 60.0, 350.0),
        ("10 167.09", 406.0, 350.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("SEK"));
    assert_eq!(x.data["invoice_number"], json!("509/2021"));
    assert_eq!(x.data["issue_date"], json!("2022-10-21"));
    assert_eq!(x.data["total_amount"], json!(10167.09));
    assert_eq!(x.data["tax_amount"], json!(1089.33));
    assert_eq!(x.data["net_amount"], json!(9077.76));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "On-site installation", "unit_price": 756.48, "quantity": 12.0, "amount": 9077.76}])
    );
}

#[test]
fn a_column_titled_with_a_currency_in_brackets_holds_amounts() {
    // The invoice package's Estonian titles: "Kogus (Euro)" (word for word "quantity
    // (euro)") over the line amounts, "Arv" over the counts.
    let d = doc(&[
        ("Paper A4, 5 boxes", 60.0, 20.0),
        ("Tegevus", 60.0, 250.0),
        ("Ühiku hind", 230.0, 250.0),
        ("Arv", 330.0, 250.0),
        ("Kogus (Euro)", 390.0, 250.0),
        ("Paper A4, 5 boxes", 60.0, 264.0),
        ("505.29", 250.0, 264.0),
        ("7", 336.0, 264.0),
        ("3537.03", 412.0, 264.0),
        ("Kogusumma", 60.0, 300.0),
        ("3855.36", 412.0, 300.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Paper A4, 5 boxes", "unit_price": 505.29, "quantity": 7.0, "amount": 3537.03}])
    );
    assert_eq!(x.data["total_amount"], json!(3855.36));
}

#[test]
fn our_reference_numbers_an_invoice_that_prints_no_invoice_number() {
    // isodoc's reference line: the labels over their values, the invoice's number as the
    // sender's own reference.
    let header = [
        ("Müller Werkzeuge GmbH", 99.0, 38.0, 14.0),
        ("Ihr Zeichen", 198.0, 275.0, 8.0),
        ("Unser Zeichen", 298.0, 275.0, 8.0),
        ("Datum", 397.0, 275.0, 8.0),
        ("PO 14770", 198.0, 285.0, 10.0),
        ("FV-2023-9628", 298.0, 285.0, 10.0),
        ("2. Mai 2025", 397.0, 285.0, 10.0),
        ("Insgesamt", 99.0, 403.0, 10.0),
        ("8672,39", 455.0, 403.0, 10.0),
    ];
    let x = run(&sized(&header), "invoice");
    assert_eq!(x.data["invoice_number"], json!("FV-2023-9628"));
    assert_eq!(x.data["issue_date"], json!("2025-05-02"));
    assert_eq!(x.data["total_amount"], json!(8672.39));
    // Where the invoice prints its number, the sender's reference is no rival to it.
    let mut numbered = header.to_vec();
    numbered.push(("Rechnungsnummer: R-2025-17", 99.0, 320.0, 10.0));
    let x = run(&sized(&numbered), "invoice");
    assert_eq!(x.data["invoice_number"], json!("R-2025-17"));
}

#[test]
fn an_iban_names_the_currency_a_page_prints_only_as_a_sign() {
    // The euro of a font that reads as "¤", the generic currency sign, over the amounts of a
    // Catalan table whose title says "quantity"; the IBAN is Spain's.
    let d = sized(&[
        ("Atlas Freight Services SA", 99.0, 38.0, 14.0),
        ("Descripció", 99.0, 359.0, 10.0),
        ("Quantitat (¤)", 438.0, 359.0, 10.0),
        ("Paper A4, 5 boxes", 99.0, 376.0, 10.0),
        ("191,47", 468.0, 376.0, 10.0),
        ("Office chair", 99.0, 388.0, 10.0),
        ("4590,83", 463.0, 388.0, 10.0),
        ("Total", 99.0, 403.0, 10.0),
        ("4782,30", 458.0, 403.0, 10.0),
        ("iban:", 149.0, 495.0, 10.0),
        ("es52bank0586434013", 185.0, 495.0, 10.0),
        ("El 21 juliol 2024", 99.0, 300.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("EUR"));
    assert_eq!(x.data["issue_date"], json!("2024-07-21"));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Paper A4, 5 boxes", "amount": 191.47}, {"description": "Office chair", "amount": 4590.83}])
    );
}

#[test]
fn kroner_in_a_title_dinars_and_a_grouped_tax_after_its_rate() {
    // Norwegian: "Beløp (kr)" with "mva" on the page is the krone; the tax's figure in
    // thin-spaced groups after its rate is read whole.
    let d = sized(&[
        ("Kovář a syn s.r.o.", 99.0, 38.0, 14.0),
        ("Beskrivelse", 99.0, 359.0, 10.0),
        ("Beløp (kr)", 455.0, 359.0, 10.0),
        ("Training day", 99.0, 376.0, 10.0),
        ("11 041,22", 452.0, 376.0, 10.0),
        ("Delsum", 99.0, 391.0, 10.0),
        ("11 041,22", 452.0, 391.0, 10.0),
        ("mva 15 %", 99.0, 403.0, 10.0),
        ("1 656,18", 457.0, 403.0, 10.0),
        ("Total", 99.0, 418.0, 10.0),
        ("12 697,40", 452.0, 418.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("NOK"));
    assert_eq!(x.data["net_amount"], json!(11041.22));
    assert_eq!(x.data["tax_amount"], json!(1656.18));
    assert_eq!(x.data["total_amount"], json!(12697.4));
    let d = sized(&[
        ("Opis", 99.0, 359.0, 10.0),
        ("Iznos (din.)", 450.0, 359.0, 10.0),
        ("Ukupno", 99.0, 478.0, 10.0),
        ("9233,52", 458.0, 478.0, 10.0),
        ("Datum 7. Novembar 2021", 99.0, 300.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("RSD"));
    assert_eq!(x.data["issue_date"], json!("2021-11-07"));
}

#[test]
fn a_large_name_printed_again_as_the_account_holder_heads_the_letter() {
    // isodoc's letterhead: the seller's name large over a rule, its contact's name and address
    // in a column of their own under the rule's right end, the recipient in the window below;
    // the name again in the payment details, as the holder of the account.
    let d = sized(&[
        ("Pinecrest Dental Lab", 99.0, 38.0, 14.0),
        ("Ana Lima", 397.0, 60.0, 8.0),
        ("Main Street 5", 397.0, 69.0, 8.0),
        ("01310-100 São Paulo", 397.0, 79.0, 8.0),
        ("Umbrella Health Partners", 99.0, 162.0, 10.0),
        ("Main Street 5", 99.0, 174.0, 10.0),
        ("11000 Praha", 99.0, 186.0, 10.0),
        ("Nostro riferimento", 298.0, 275.0, 8.0),
        ("Data", 397.0, 275.0, 8.0),
        ("20230654", 298.0, 285.0, 10.0),
        ("5 Gennaio 2021", 397.0, 285.0, 10.0),
        ("Descrizione", 99.0, 359.0, 10.0),
        ("Prezzo (EUR)", 440.0, 359.0, 10.0),
        ("Training day", 99.0, 376.0, 10.0),
        ("4169,86", 463.0, 376.0, 10.0),
        ("Subtotale", 99.0, 451.0, 10.0),
        ("4169,86", 463.0, 451.0, 10.0),
        ("i.v.a. 22 %", 99.0, 463.0, 10.0),
        ("917,37", 468.0, 463.0, 10.0),
        ("Totale", 99.0, 478.0, 10.0),
        ("5087,23", 463.0, 478.0, 10.0),
        ("intestato a:", 107.0, 543.0, 10.0),
        ("Pinecrest Dental Lab", 168.0, 543.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["buyer_name"], json!("Umbrella Health Partners"));
    assert_eq!(x.data["invoice_number"], json!("20230654"));
    assert_eq!(x.data["net_amount"], json!(4169.86));
    assert_eq!(x.data["tax_amount"], json!(917.37));
    assert_eq!(x.data["total_amount"], json!(5087.23));
}

#[test]
fn a_return_address_wrapped_over_two_lines_still_heads_the_recipient() {
    let d = sized(&[
        ("Redwood Cloud Hosting Inc.", 99.0, 38.0, 14.0),
        ("Tom Baker", 397.0, 60.0, 8.0),
        ("Parkway 300", 397.0, 69.0, 8.0),
        ("11000 Praha", 397.0, 79.0, 8.0),
        ("Redwood Cloud Hosting Inc. • Rua das Flores", 99.0, 150.0, 6.0),
        ("42 • 11000 Praha", 99.0, 159.0, 6.0),
        ("Wayne Logistics s.r.o.", 99.0, 172.0, 10.0),
        ("Harbour Road 17", 99.0, 184.0, 10.0),
        ("60200 Brno", 99.0, 196.0, 10.0),
        ("Total", 99.0, 403.0, 10.0),
        ("100.00", 463.0, 403.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Redwood Cloud Hosting Inc."));
    assert_eq!(x.data["buyer_name"], json!("Wayne Logistics s.r.o."));
}

#[test]
fn a_venezuelan_form_in_bolivars_with_the_customer_under_its_heading() {
    // The factura class: the customer's data under "Datos del cliente" as "Razón social:" and
    // the name in one run of words before a dotted leader, prices titled "Precio U. (Bs.)" and
    // "Precio T. (Bs.)", the taxable base as "BI G" and amounts after "Bs.".
    let d = sized(&[
        ("Horizonte Consultoria Ltda.", 163.0, 0.0, 14.0),
        ("Calle 72, Maracaibo, Venezuela. RIF: J-33.402.966-8", 139.0, 16.0, 8.0),
        ("FACTURA Nº 041395", 28.0, 114.0, 14.0),
        ("Fecha de emisión: 25-06-2023", 401.0, 114.0, 11.0),
        ("Datos del cliente", 267.0, 136.0, 11.0),
        ("Razón social: Globex Corporation . . . . . . . . . . . . . . . .", 35.0, 148.0, 11.0),
        ("R.I.F.: J-29.260.255-5", 460.0, 148.0, 11.0),
        ("Dirección fiscal: Carrera 19, Barquisimeto, Venezuela", 35.0, 161.0, 11.0),
        ("Cantidad", 33.0, 200.0, 10.0),
        ("Descripción", 88.0, 200.0, 10.0),
        ("Precio U. (Bs.)", 419.0, 200.0, 10.0),
        ("Precio T. (Bs.)", 504.0, 200.0, 10.0),
        ("12", 49.0, 214.0, 11.0),
        ("Office chair", 88.0, 214.0, 11.0),
        ("434,54", 457.0, 214.0, 11.0),
        ("5.214,48", 530.0, 214.0, 11.0),
        ("BI G", 387.0, 232.0, 11.0),
        ("Bs.5.214,48", 510.0, 232.0, 11.0),
        ("IVA G (16 %)", 387.0, 248.0, 11.0),
        ("Bs.834,32", 520.0, 248.0, 11.0),
        ("TOTAL", 421.0, 264.0, 11.0),
        ("Bs.6.048,80", 510.0, 264.0, 11.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["currency"], json!("VES"));
    assert_eq!(x.data["buyer_name"], json!("Globex Corporation"));
    assert_eq!(x.data["invoice_number"], json!("041395"));
    assert_eq!(x.data["net_amount"], json!(5214.48));
    assert_eq!(x.data["tax_amount"], json!(834.32));
    assert_eq!(x.data["total_amount"], json!(6048.8));
    assert_eq!(
        x.data["line_items"],
        json!([{"quantity": 12.0, "description": "Office chair", "unit_price": 434.54, "amount": 5214.48}])
    );
}

#[test]
fn a_french_letterhead_wrapped_in_large_type_the_payee_and_parties_under_their_headings() {
    // The facture class: the seller's name large and centred over two lines beside its
    // address, "Facturation" and "Livraison" heading the customer's and the delivery's blocks
    // in a row with "Date :", the due date as "À payer avant :", the customer's code under
    // "Code client :", and the payee named in the footer.
    let d = sized(&[
        ("Northgate Office", 78.0, 54.0, 24.0),
        ("3 boulevard Gambetta", 411.0, 64.0, 10.0),
        ("59000 Lille", 411.0, 76.0, 10.0),
        ("Supplies Ltd", 102.0, 84.0, 24.0),
        ("contact@northgateoff.fr", 411.0, 88.0, 10.0),
        ("Facture", 446.0, 134.0, 24.0),
        ("Facturation", 61.0, 183.0, 10.0),
        ("Livraison", 240.0, 183.0, 10.0),
        ("Date : 3 décembre 2021", 400.0, 183.0, 10.0),
        ("Umbrella Health Partners", 61.0, 195.0, 10.0),
        ("Service réception", 240.0, 195.0, 10.0),
        ("Facture n° 2024-220", 400.0, 195.0, 10.0),
        ("87 avenue Jean Jaurès", 61.0, 207.0, 10.0),
        ("87 avenue Jean Jaurès", 240.0, 207.0, 10.0),
        ("Code client : UMB57", 400.0, 207.0, 10.0),
        ("31000 Toulouse", 61.0, 219.0, 10.0),
        ("31000 Toulouse", 240.0, 219.0, 10.0),
        ("À payer avant : 18 décembre 2021", 400.0, 219.0, 10.0),
        ("Total HT :", 361.0, 294.0, 10.0),
        ("491,40 €", 493.0, 294.0, 10.0),
        ("Total TVA :", 361.0, 306.0, 10.0),
        ("98,28 €", 493.0, 306.0, 10.0),
        ("Total TTC :", 361.0, 318.0, 10.0),
        ("589,68 €", 493.0, 318.0, 10.0),
        ("Payable à l’ordre de Northgate Office Supplies Ltd — SIRET : 738 923 300 85552", 240.0, 805.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Northgate Office Supplies Ltd"));
    assert_eq!(x.data["buyer_name"], json!("Umbrella Health Partners"));
    assert_eq!(x.data["invoice_number"], json!("2024-220"));
    assert_eq!(x.data["issue_date"], json!("2021-12-03"));
    assert_eq!(x.data["due_date"], json!("2021-12-18"));
    assert_eq!(x.data["total_amount"], json!(589.68));
}

#[test]
fn a_billing_address_beside_a_delivery_address_heads_the_customers_block() {
    // Two address blocks side by side under heads worded alike: the customer is under the
    // billing address's head, not the delivery address's head beside it.
    for (billing, delivery) in [("Factuuradres", "Afleveradres"), ("Billing Address", "Shipping Address")] {
        let d = sized(&[
            ("Northgate Office Supplies B.V.", 80.0, 50.0, 14.0),
            ("Keizersgracht 12, 1015 CS Amsterdam", 80.0, 68.0, 10.0),
            (billing, 80.0, 128.0, 10.0),
            (delivery, 360.0, 128.0, 10.0),
            ("Umbrella Health Partners", 80.0, 143.0, 10.0),
            ("Warehouse 3", 360.0, 143.0, 10.0),
            ("Fakestreet 46", 80.0, 154.0, 10.0),
            ("Fakestreet 46", 360.0, 154.0, 10.0),
            ("3500 MJ Utrecht", 80.0, 165.0, 10.0),
            ("3500 MJ Utrecht", 360.0, 165.0, 10.0),
            ("Invoice 2024-220", 80.0, 220.0, 10.0),
            ("Total EUR 49,99", 380.0, 300.0, 10.0),
        ]);
        let x = run(&d, "invoice");
        assert_eq!(x.data["buyer_name"], json!("Umbrella Health Partners"), "under {billing:?}");
        assert_eq!(x.data["vendor_name"], json!("Northgate Office Supplies B.V."), "under {billing:?}");
    }
}

#[test]
fn french_item_titles_hyphenated_descriptions_and_a_rate_whose_sign_is_under_the_next_title() {
    let d = sized(&[
        ("Produit", 75.0, 248.0, 10.0),
        ("Quantité", 150.0, 248.0, 10.0),
        ("Prix HT", 210.0, 248.0, 10.0),
        ("Total HT", 325.0, 248.0, 10.0),
        ("TVA", 412.0, 248.0, 10.0),
        ("Prix TTC", 483.0, 248.0, 10.0),
        ("Consulting hours", 48.0, 266.0, 10.0),
        ("6", 188.0, 266.0, 10.0),
        ("113,03 €", 219.0, 266.0, 10.0),
        ("678,18 €", 336.0, 266.0, 10.0),
        ("5,50", 376.0, 266.0, 10.0),
        ("% ▷ 37,30 €", 400.0, 266.0, 10.0),
        ("715,48 €", 491.0, 266.0, 10.0),
        ("Printer toner car-", 48.0, 284.0, 10.0),
        ("5", 188.0, 284.0, 10.0),
        ("98,28 €", 224.0, 284.0, 10.0),
        ("491,40 €", 336.0, 284.0, 10.0),
        ("20,00", 376.0, 284.0, 10.0),
        ("% ▷ 98,28 €", 400.0, 284.0, 10.0),
        ("589,68 €", 491.0, 284.0, 10.0),
        ("tridge", 48.0, 296.0, 10.0),
        ("Network switch 24-", 48.0, 314.0, 10.0),
        ("1", 188.0, 314.0, 10.0),
        ("10,00 €", 224.0, 314.0, 10.0),
        ("10,00 €", 336.0, 314.0, 10.0),
        ("20,00", 376.0, 314.0, 10.0),
        ("% ▷ 2,00 €", 400.0, 314.0, 10.0),
        ("12,00 €", 491.0, 314.0, 10.0),
        ("port", 48.0, 326.0, 10.0),
        ("Total TTC :", 361.0, 350.0, 10.0),
        ("1 317,16 €", 483.0, 350.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([
            {"description": "Consulting hours", "quantity": 6.0, "unit_price": 113.03, "amount": 678.18},
            {"description": "Printer toner cartridge", "quantity": 5.0, "unit_price": 98.28, "amount": 491.4},
            {"description": "Network switch 24-port", "quantity": 1.0, "unit_price": 10.0, "amount": 10.0}
        ])
    );
}

#[test]
fn the_payees_block_beside_the_customers_is_the_sellers_and_a_login_names_no_customer() {
    // django-invoice: the customer's address on the left, the seller's block on the right, an
    // invoice id of capitals, the customer's login as "Client:", a table whose "Amount" is
    // the unit price beside the line's "Total", and the payee in the footer.
    let d = sized(&[
        ("Invoice", 510.0, 12.0, 16.0),
        ("Pereira Engenharia Ltda.", 43.0, 61.0, 10.0),
        ("Blue Harbor Catering Co.", 369.0, 61.0, 9.0),
        ("12 King Street", 43.0, 73.0, 10.0),
        ("Parkway 300", 369.0, 73.0, 9.0),
        ("Leeds", 43.0, 85.0, 10.0),
        ("Austin", 369.0, 84.0, 9.0),
        ("LS1 4AP", 43.0, 97.0, 10.0),
        ("78701", 369.0, 95.0, 9.0),
        ("Phone: +44 (0) 768 555 0441", 369.0, 159.0, 9.0),
        ("Invoice ID: JSBQP", 43.0, 181.0, 10.0),
        ("Website: www.blueharbor.example", 369.0, 181.0, 9.0),
        ("Invoice Date: 12 Sep 2025", 43.0, 193.0, 10.0),
        ("Reg No: 46375880", 369.0, 192.0, 9.0),
        ("Client: m.brown", 43.0, 205.0, 10.0),
        ("Quantity", 34.0, 230.0, 10.0),
        ("Description", 91.0, 230.0, 10.0),
        ("Amount", 441.0, 230.0, 10.0),
        ("Total", 539.0, 230.0, 10.0),
        ("1.00", 34.0, 248.0, 10.0),
        ("Shipping and handling", 91.0, 248.0, 10.0),
        ("€ 38.47 EUR", 419.0, 248.0, 10.0),
        ("€ 38.47 EUR", 504.0, 248.0, 10.0),
        ("2.00", 34.0, 266.0, 10.0),
        ("Office chair", 91.0, 266.0, 10.0),
        ("€ 188.46 EUR", 413.0, 266.0, 10.0),
        ("€ 376.92 EUR", 498.0, 266.0, 10.0),
        ("Total:", 451.0, 284.0, 10.0),
        ("€ 415.39 EUR", 498.0, 284.0, 10.0),
        ("Make cheques payable to Blue Harbor Catering Co..", 28.0, 791.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Blue Harbor Catering Co."));
    assert_eq!(x.data["buyer_name"], json!("Pereira Engenharia Ltda."));
    assert_eq!(x.data["invoice_number"], json!("JSBQP"));
    assert_eq!(
        x.data["line_items"],
        json!([
            {"quantity": 1.0, "description": "Shipping and handling", "amount": 38.47, "unit_price": 38.47},
            {"quantity": 2.0, "description": "Office chair", "amount": 376.92, "unit_price": 188.46}
        ])
    );
}

#[test]
fn an_amount_beside_a_total_that_is_no_product_of_it_stays_the_line_amount_and_a_copy_is_no_number() {
    let d = sized(&[
        ("Invoice: COPY", 43.0, 100.0, 10.0),
        ("Qty", 34.0, 230.0, 10.0),
        ("Description", 91.0, 230.0, 10.0),
        ("Amount", 441.0, 230.0, 10.0),
        ("Total", 539.0, 230.0, 10.0),
        ("2", 34.0, 248.0, 10.0),
        ("Office chair", 91.0, 248.0, 10.0),
        ("376.92", 441.0, 248.0, 10.0),
        ("452.30", 534.0, 248.0, 10.0),
        ("Total due", 441.0, 284.0, 10.0),
        ("452.30", 534.0, 284.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data.get("invoice_number"), None);
    assert_eq!(x.data["line_items"], json!([{"quantity": 2.0, "description": "Office chair", "amount": 376.92}]));
}

#[test]
fn party_headings_in_capitals_beside_other_heads_and_the_net_value_of_a_tax_table() {
    // pretix's invoice in Italian: "FATTURA DA" (the seller) beside "EVENTO", "FATTURA A" (the
    // customer) beside "NUMERO FATTURA", "Totale fattura", and the net under "Valore netto" in
    // the table of the taxes included.
    let d = sized(&[
        ("FATTURA DA", 71.0, 35.0, 8.0),
        ("EVENTO", 354.0, 35.0, 8.0),
        ("Kovář a syn s.r.o.", 71.0, 48.0, 10.0),
        ("Open Source Days 2022", 354.0, 48.0, 10.0),
        ("Via Roma 22", 71.0, 60.0, 10.0),
        ("29 Maggio 2027", 354.0, 60.0, 10.0),
        ("00184 Roma", 71.0, 72.0, 10.0),
        ("Partita IVA: IT338691436", 71.0, 96.0, 10.0),
        ("FATTURA A", 71.0, 134.0, 8.0),
        ("NUMERO FATTURA", 354.0, 134.0, 8.0),
        ("Umbrella Health Partners", 71.0, 147.0, 10.0),
        ("EV0-00001", 354.0, 147.0, 10.0),
        ("Sophie Martin", 71.0, 159.0, 10.0),
        ("DATA FATTURA", 354.0, 165.0, 8.0),
        ("Harbour Road 17", 71.0, 171.0, 10.0),
        ("14 Dicembre 2025", 354.0, 178.0, 10.0),
        ("LS1 4AP Leeds", 71.0, 183.0, 10.0),
        ("Descrizione", 71.0, 304.0, 10.0),
        ("Quantità", 277.0, 304.0, 10.0),
        ("Imposte", 351.0, 304.0, 10.0),
        ("Netto", 434.0, 304.0, 10.0),
        ("Lordo", 510.0, 304.0, 10.0),
        ("Design revision", 71.0, 322.0, 10.0),
        ("1", 316.0, 322.0, 10.0),
        ("22 %", 370.0, 322.0, 10.0),
        ("200,44 €", 418.0, 322.0, 10.0),
        ("244,54 €", 494.0, 322.0, 10.0),
        ("Totale fattura", 71.0, 340.0, 10.0),
        ("244,54 €", 494.0, 340.0, 10.0),
        ("Tasse incluse", 71.0, 398.0, 8.0),
        ("Imposte", 71.0, 413.0, 8.0),
        ("Valore netto", 206.0, 413.0, 8.0),
        ("Valore lordo", 276.0, 413.0, 8.0),
        ("Tasse", 371.0, 413.0, 8.0),
        ("22 % VAT", 71.0, 426.0, 8.0),
        ("200,44 €", 216.0, 426.0, 8.0),
        ("244,54 €", 286.0, 426.0, 8.0),
        ("44,10 €", 362.0, 426.0, 8.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Kovář a syn s.r.o."));
    assert_eq!(x.data["buyer_name"], json!("Umbrella Health Partners"));
    assert_eq!(x.data["invoice_number"], json!("EV0-00001"));
    assert_eq!(x.data["issue_date"], json!("2025-12-14"));
    assert_eq!(x.data["total_amount"], json!(244.54));
    assert_eq!(x.data["net_amount"], json!(200.44));
    assert_eq!(x.data["tax_amount"], json!(44.1));
}

#[test]
fn a_window_recipient_with_the_sellers_block_set_right_beside_the_return_address() {
    // pretix's European-style letter: the return address in small print (wrapped) over the
    // customer's block, the seller's block set right on the same lines.
    let d = sized(&[
        ("Data Summit 2021", 71.0, 48.0, 10.0),
        ("Atlas Freight Services SA · Hauptstraße 5 · 10115 Berlin ·", 71.0, 138.0, 8.0),
        ("Deutschland", 71.0, 148.0, 8.0),
        ("Initech Ltd", 71.0, 164.0, 10.0),
        ("Tom Hughes", 71.0, 176.0, 10.0),
        ("Main Street 5", 71.0, 188.0, 10.0),
        ("60200 Brno", 71.0, 200.0, 10.0),
        ("Atlas Freight Services SA", 426.0, 141.0, 10.0),
        ("Hauptstraße 5", 472.0, 154.0, 10.0),
        ("10115 Berlin", 480.0, 166.0, 10.0),
        ("Deutschland", 480.0, 178.0, 10.0),
        ("USt-ID: DE832012091", 439.0, 190.0, 10.0),
        ("Rechnungsbetrag", 71.0, 442.0, 10.0),
        ("1.783,72 €", 490.0, 442.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    assert_eq!(x.data["vendor_name"], json!("Atlas Freight Services SA"));
}

#[test]
fn the_sender_of_a_window_letters_return_address_is_the_seller_not_the_recipients_contact() {
    // The seller's block set ragged on the right (no address aligned under its name) and no
    // legal form in it: the return address names the seller, and the contact person under
    // the customer's name, with the customer's address under it, is not one.
    let d = sized(&[
        ("Data Summit 2021", 71.0, 48.0, 10.0),
        ("Pinecrest Dental Lab · Hauptstraße 5 · 10115 Berlin ·", 71.0, 138.0, 8.0),
        ("Deutschland", 71.0, 148.0, 8.0),
        ("Initech Ltd", 71.0, 164.0, 10.0),
        ("Tom Hughes", 71.0, 176.0, 10.0),
        ("Main Street 5", 71.0, 188.0, 10.0),
        ("60200 Brno", 71.0, 200.0, 10.0),
        ("Pinecrest Dental Lab", 426.0, 141.0, 10.0),
        ("Hauptstraße 5", 472.0, 154.0, 10.0),
        ("10115 Berlin", 480.0, 166.0, 10.0),
        ("Rechnungsbetrag", 71.0, 442.0, 10.0),
        ("1.783,72 €", 490.0, 442.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Initech Ltd"));
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
}

#[test]
fn a_key_naming_a_thing_of_its_own_under_a_heading_keys_its_own_number() {
    // invoice-class: "Waybill Number:" under the heading "Commercial Invoice" is the carrier's
    // number, not the invoice's; "No.:" under "Invoice" is the invoice's.
    let waybill = sized(&[
        ("Commercial Invoice", 239.0, 33.0, 15.0),
        ("Waybill Number: 1ZEXEYFGLWDGWKFDTG", 138.5, 78.0, 11.0),
        ("Total Invoice Value", 300.0, 400.0, 10.0),
        ("$220.04", 480.0, 400.0, 10.0),
    ]);
    assert_eq!(run(&waybill, "invoice").data.get("invoice_number"), None);
    let numbered = sized(&[
        ("Invoice", 200.0, 40.0, 14.0),
        ("No.: 2024-17", 200.0, 58.0, 10.0),
        ("Total", 300.0, 400.0, 10.0),
        ("$220.04", 480.0, 400.0, 10.0),
    ]);
    assert_eq!(run(&numbered, "invoice").data["invoice_number"], json!("2024-17"));
}

#[test]
fn a_return_address_names_the_seller_though_the_page_prints_it_nowhere_else() {
    // dinbrief's DIN letter with no information block: no letterhead, the seller named only
    // in the return address over the window.
    let d = sized(&[
        ("Pinecrest Dental Lab · Leopoldstraße 31 · 80802 München", 68.0, 130.0, 8.0),
        ("Wayne Logistics s.r.o.", 68.0, 150.0, 12.0),
        ("Bahnhofstrasse 12", 68.0, 164.0, 12.0),
        ("8001 Zürich", 68.0, 178.0, 12.0),
        ("Invoice 2021-1215", 68.0, 269.0, 12.0),
        ("22 April 2025", 500.0, 269.0, 12.0),
        ("Sum (gross)", 419.0, 550.0, 10.0),
        ("10757.40 €", 522.0, 550.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["vendor_name"], json!("Pinecrest Dental Lab"));
    assert_eq!(x.data["buyer_name"], json!("Wayne Logistics s.r.o."));
}

#[test]
fn a_form_of_address_over_the_window_recipient_is_no_name() {
    // erechnung's letter to a person: "Mr." on a line of its own over the name.
    let d = sized(&[
        ("Horizonte Consultoria Ltda. – Lärchenweg 22 – 63512 Hainburg", 71.0, 120.0, 8.0),
        ("Date:", 381.0, 146.0, 10.0),
        ("2024-06-18", 417.0, 146.0, 10.0),
        ("Mr.", 71.0, 140.0, 10.0),
        ("Max Mustermann", 71.0, 153.0, 10.0),
        ("Finkengasse 1", 71.0, 166.0, 10.0),
        ("63633 Birstein", 71.0, 179.0, 10.0),
        ("Horizonte Consultoria Ltda.", 71.0, 780.0, 8.0),
        ("Total (gross):", 419.0, 550.0, 10.0),
        ("20,916.92 EUR", 500.0, 550.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["buyer_name"], json!("Max Mustermann"));
    assert_eq!(x.data["vendor_name"], json!("Horizonte Consultoria Ltda."));
}

#[test]
fn a_date_under_the_items_tables_head_is_the_items_not_the_invoices() {
    // dinbrief: a "Datum" column in the item table, one item, and the letter's own date set
    // right beside the subject with no label.
    let d = sized(&[
        ("Rechnung Nr. 530/22", 68.0, 269.0, 12.0),
        ("Birstein, 28. April 2021", 430.0, 269.0, 12.0),
        ("#", 80.0, 315.0, 10.0),
        ("Beschreibung", 97.0, 315.0, 10.0),
        ("Datum", 300.0, 315.0, 10.0),
        ("Einzelpreis", 380.0, 315.0, 10.0),
        ("Anzahl", 450.0, 315.0, 10.0),
        ("Gesamtpreis", 510.0, 315.0, 10.0),
        ("1", 80.0, 339.0, 10.0),
        ("On-site installation", 97.0, 339.0, 10.0),
        ("25.02.2025", 300.0, 339.0, 10.0),
        ("171,00 CHF", 380.0, 339.0, 10.0),
        ("5,00", 460.0, 339.0, 10.0),
        ("855,00 CHF", 510.0, 339.0, 10.0),
        ("Summe (brutto)", 419.0, 400.0, 10.0),
        ("855,00 CHF", 510.0, 400.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["issue_date"], json!("2021-04-28"));
    assert_eq!(x.data["line_items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn sums_wrapped_in_narrow_cells_and_prices_per_unit() {
    // dinbrief's sums in a narrow cell: the figure over the label's line, only the currency
    // beside "Sum (net)"; a unit price with its unit after a slash.
    let d = sized(&[
        ("Description", 97.0, 315.0, 10.0),
        ("Unit Price", 380.0, 315.0, 10.0),
        ("Quantity", 450.0, 315.0, 10.0),
        ("Line Total", 510.0, 315.0, 10.0),
        ("Cloud server (monthly)", 97.0, 339.0, 10.0),
        ("793.60 CHF/month", 355.0, 339.0, 10.0),
        ("4.50", 470.0, 339.0, 10.0),
        ("3571.20 CHF", 510.0, 339.0, 10.0),
        ("3571.20", 520.0, 380.0, 10.0),
        ("Sum (net)", 419.0, 390.0, 10.0),
        ("CHF", 540.0, 390.0, 10.0),
        ("+8.10% VAT", 419.0, 406.0, 10.0),
        ("289.27 CHF", 510.0, 406.0, 10.0),
        ("3860.47", 520.0, 425.0, 10.0),
        ("Sum (gross)", 419.0, 435.0, 10.0),
        ("CHF", 540.0, 435.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["net_amount"], json!(3571.2));
    assert_eq!(x.data["total_amount"], json!(3860.47));
    assert_eq!(x.data["currency"], json!("CHF"));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Cloud server (monthly)", "unit_price": 793.6, "quantity": 4.5, "amount": 3571.2}])
    );
}

#[test]
fn an_items_own_discount_under_its_row_does_not_end_the_table() {
    // dinbrief: "10.0% discount" under an item, more items under it; "VAT 186.93" in the
    // sums is no VAT number.
    let d = sized(&[
        ("Description", 97.0, 315.0, 10.0),
        ("Unit Price", 380.0, 315.0, 10.0),
        ("Quantity", 450.0, 315.0, 10.0),
        ("Line Total", 510.0, 315.0, 10.0),
        ("Maintenance contract", 97.0, 339.0, 10.0),
        ("508.28 €/h", 370.0, 339.0, 10.0),
        ("1.00", 470.0, 339.0, 10.0),
        ("508.28 €", 510.0, 339.0, 10.0),
        ("10.0% discount", 97.0, 358.0, 10.0),
        ("–50.82 €", 510.0, 358.0, 10.0),
        ("On-site installation", 97.0, 382.0, 10.0),
        ("24.56 €/month", 360.0, 382.0, 10.0),
        ("7.50", 470.0, 382.0, 10.0),
        ("184.20 €", 510.0, 382.0, 10.0),
        ("Sum (net)", 419.0, 410.0, 10.0),
        ("641.66 €", 510.0, 410.0, 10.0),
        ("+7.00% VAT", 419.0, 422.0, 10.0),
        ("112.89 €", 510.0, 422.0, 10.0),
        ("+19.00% VAT", 419.0, 434.0, 10.0),
        ("186.93 €", 510.0, 434.0, 10.0),
        ("Sum (gross)", 419.0, 446.0, 10.0),
        ("941.48 €", 510.0, 446.0, 10.0),
    ]);
    let x = run(&d, "invoice");
    let items = x.data["line_items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[1]["description"], json!("On-site installation"));
    assert_eq!(items[1]["unit_price"], json!(24.56));
    assert_eq!(x.data["net_amount"], json!(641.66));
    assert_eq!(x.data.get("vendor_vat_id"), None);
}

#[test]
fn the_date_a_sentence_asks_payment_by_is_due() {
    // dinbrief's letters close with the date to pay by in a sentence of their own.
    for (sentence, due) in [
        ("Bitte überweisen Sie den Betrag bis zum 12.05.2021 auf unser Konto.", "2021-05-12"),
        ("Please transfer the amount to our account by 06/05/2021.", "2021-05-06"),
    ] {
        let d = sized(&[
            ("Rechnung 2021-0815", 68.0, 269.0, 12.0),
            ("Birstein, 28.04.2021", 440.0, 269.0, 12.0),
            ("Summe (brutto)", 419.0, 400.0, 10.0),
            ("855,00 €", 510.0, 400.0, 10.0),
            (sentence, 68.0, 430.0, 10.0),
        ]);
        let x = run(&d, "invoice");
        assert_eq!(x.data["issue_date"], json!("2021-04-28"));
        assert_eq!(x.data["due_date"], json!(due), "{sentence}");
    }
    // A date the sentence does not ask payment by is none.
    let d = sized(&[
        ("Invoice 2021-0815", 68.0, 269.0, 12.0),
        ("28.04.2021", 440.0, 269.0, 12.0),
        ("Delivered by 06/05/2021.", 68.0, 430.0, 10.0),
    ]);
    assert_eq!(run(&d, "invoice").data.get("due_date"), None);
}

#[test]
fn an_argentine_comprobante_its_number_pesos_and_both_parties_razon_social() {
    // arca-factura-pdf's ARCA layout: the number is the point of sale's and the comprobante's,
    // "$" is the peso where the CUIT is printed, each party's legal name keyed "Razón Social:",
    // the receptor's after its CUIT under "DATOS DEL RECEPTOR", a price beside a discount rate
    // under one title, the billed period's due date under its title.
    let d = sized(&[
        ("Estudio Rivas", 40.0, 40.0, 16.0),
        ("FACTURA", 380.0, 44.0, 12.0),
        ("Razón Social: Estudio Rivas y Asociados", 31.0, 93.0, 7.0),
        ("Punto de Venta: 0003 Comp. Nro: 00088703", 337.0, 80.0, 7.0),
        ("Fecha de Emisión: 15/02/2024", 337.0, 95.0, 7.0),
        ("CUIT: 20-35323964-5", 337.0, 110.0, 7.0),
        ("Factura proforma: INV-344738", 337.0, 125.0, 7.0),
        ("Período Facturado Desde:", 31.0, 150.0, 7.0),
        ("Hasta:", 200.0, 150.0, 7.0),
        ("Fecha de Vto. para el pago:", 380.0, 150.0, 7.0),
        ("01/02/2024", 31.0, 160.0, 8.0),
        ("29/02/2024", 200.0, 160.0, 8.0),
        ("16/03/2024", 380.0, 160.0, 8.0),
        ("DATOS DEL RECEPTOR", 31.0, 205.0, 7.0),
        ("CUIT: 30-51035411-1", 31.0, 220.0, 7.0),
        ("Razón Social: Distribuidora El Faro S.R.L.", 300.0, 220.0, 7.0),
        ("Código", 34.0, 271.0, 7.0),
        ("Producto / Servicio", 65.0, 271.0, 7.0),
        ("Cantidad", 328.0, 271.0, 7.0),
        ("Precio Unit. % Bonif.", 440.0, 271.0, 7.0),
        ("Subtotal", 537.0, 271.0, 7.0),
        ("Consultoría técnica", 65.0, 291.0, 8.0),
        ("10,00", 334.0, 291.0, 8.0),
        ("$35.618,69 0,00", 442.0, 291.0, 8.0),
        ("$356.186,90", 520.0, 291.0, 8.0),
        ("Importe Total:", 420.0, 400.0, 8.0),
        ("$356.186,90", 520.0, 400.0, 8.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("0003-00088703"));
    assert_eq!(x.data["currency"], json!("ARS"));
    assert_eq!(x.data["vendor_name"], json!("Estudio Rivas y Asociados"));
    assert_eq!(x.data["buyer_name"], json!("Distribuidora El Faro S.R.L."));
    assert_eq!(x.data["due_date"], json!("2024-03-16"));
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Consultoría técnica", "quantity": 10.0, "unit_price": 35618.69, "amount": 356186.9}])
    );
}

#[test]
fn the_one_sum_of_an_invoice_without_tax_is_its_total_though_labelled_net() {
    // dinbrief for a business exempt from VAT: its one sum under "Summe (netto)".
    let untaxed = sized(&[
        ("Rechnung Nr. 2023-5608", 68.0, 269.0, 12.0),
        ("22. März 2024", 480.0, 269.0, 12.0),
        ("Summe (netto)", 419.0, 400.0, 10.0),
        ("19438,87 CHF", 510.0, 400.0, 10.0),
    ]);
    let x = run(&untaxed, "invoice");
    assert_eq!(x.data["net_amount"], json!(19438.87));
    assert_eq!(x.data["total_amount"], json!(19438.87));
    assert!(x.fields["/total_amount"].confidence < 0.6, "to be checked");
    // With a tax named, the net is no total.
    let taxed = sized(&[
        ("Rechnung Nr. 2023-5608", 68.0, 269.0, 12.0),
        ("Summe (netto)", 419.0, 400.0, 10.0),
        ("19438,87 CHF", 510.0, 400.0, 10.0),
        ("+8,1% MwSt.", 419.0, 414.0, 10.0),
        ("1574,55 CHF", 510.0, 414.0, 10.0),
    ]);
    assert_eq!(run(&taxed, "invoice").data.get("total_amount"), None);
}

#[test]
fn details_in_small_print_under_an_item_are_not_its_description() {
    // facturization: an item's details bulleted in a smaller size under it; the line's VAT
    // and amount in columns of their own.
    let d = sized(&[
        ("Pos.", 51.0, 272.0, 9.0),
        ("Description", 80.0, 272.0, 9.0),
        ("Qty", 297.0, 272.0, 9.0),
        ("Unit price", 324.0, 272.0, 9.0),
        ("Net", 395.0, 272.0, 9.0),
        ("VAT rate", 422.0, 272.0, 9.0),
        ("VAT", 475.0, 272.0, 9.0),
        ("Amount", 506.0, 272.0, 9.0),
        ("1", 66.0, 292.0, 9.0),
        ("Annual software licence", 80.0, 292.0, 9.0),
        ("2.0", 303.0, 292.0, 9.0),
        ("808,79", 346.0, 292.0, 9.0),
        ("1617,58", 382.0, 292.0, 9.0),
        ("6%", 453.0, 292.0, 9.0),
        ("97,05", 476.0, 292.0, 9.0),
        ("1714,63", 514.0, 292.0, 9.0),
        ("On site, two visits", 92.0, 303.0, 7.0),
        ("Per the agreement of 12 March", 92.0, 312.0, 7.0),
        ("Total incl. VAT:", 400.0, 360.0, 9.0),
        ("1714,63 SEK", 500.0, 360.0, 9.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(
        x.data["line_items"],
        json!([{"description": "Annual software licence", "quantity": 2.0, "unit_price": 808.79, "amount": 1714.63}])
    );
}

#[test]
fn a_fault_in_one_documents_reading_is_a_named_error_not_a_crash() {
    let failed = crate::guarded(|| panic!("byte index 12 is out of bounds"));
    let Err(docex_core::DocexError::ExtractionFailed(message)) = failed else { panic!("{failed:?}") };
    assert!(message.contains("byte index 12 is out of bounds"), "{message}");
    assert_eq!(crate::guarded(Extraction::default), Ok(Extraction::default()));
}

#[test]
fn a_title_over_a_row_of_heads_keys_none_of_their_values() {
    // "Kopie factuur" (a copy of the invoice) ends in the label "factuur", but the value two
    // lines under it is the customer's number, under "Klant"; the invoice's number is under
    // the head "Factuur".
    let d = sized(&[
        ("Kopie factuur", 44.0, 260.0, 14.0),
        ("Klant", 44.0, 280.0, 8.0),
        ("Order", 144.0, 280.0, 8.0),
        ("Factuur datum", 315.0, 281.0, 8.0),
        ("Factuur", 432.0, 280.0, 8.0),
        ("Vervaldatum", 500.0, 280.0, 8.0),
        ("SCONL0303006280999", 44.0, 293.0, 8.0),
        ("SCONL000000444", 144.0, 293.0, 8.0),
        ("8-9-2022", 338.0, 293.0, 8.0),
        ("VF1005193039", 409.0, 293.0, 8.0),
        ("22-9-2022", 512.0, 293.0, 8.0),
    ]);
    let x = run(&d, "invoice");
    assert_eq!(x.data["invoice_number"], json!("VF1005193039"));
    assert_eq!(x.data["issue_date"], json!("2022-09-08"));
    assert_eq!(x.data["due_date"], json!("2022-09-22"));
}
