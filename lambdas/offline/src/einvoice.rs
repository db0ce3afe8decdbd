//! Embedded e-invoices: Factur-X / ZUGFeRD / XRechnung in UN/CEFACT CII syntax
//! (`CrossIndustryInvoice`), and UBL (`Invoice`). Their values are the issuer's own
//! structured data: they are taken with confidence 1.0, and every field where the page
//! reading disagrees gets a note for the reviewer.

use docex_core::{Document, Extraction, FieldEvidence, FieldKind, Spec};
use docex_normalize::fold;
use roxmltree::Node;
use serde_json::{Map, Value, json};

/// One value read from the XML: the field it fills, the value, and the XML element it came
/// from, verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlValue {
    pub field: String,
    pub value: Value,
    pub source: String,
}

/// What an embedded e-invoice says, in the invoice spec's field names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EInvoice {
    /// `"CII"` or `"UBL"`.
    pub syntax: &'static str,
    pub values: Vec<XmlValue>,
    /// Line items: `description`, `quantity`, `unit_price`, `amount`.
    pub line_items: Vec<Vec<XmlValue>>,
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn path<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    let mut here = node;
    for name in names {
        here = here.children().find(|c| c.is_element() && c.tag_name().name() == *name)?;
    }
    Some(here)
}

fn descendant<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: Node) -> Option<String> {
    let t = node.text()?.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// CII dates are `YYYYMMDD` (format 102); UBL dates are ISO already.
fn xml_date(text: &str) -> Option<String> {
    let t = text.trim();
    let iso = if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
    } else {
        t.get(..10)?.to_string()
    };
    docex_normalize::parse_date(&iso).filter(|d| *d == iso)
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Number,
}

struct Reader<'x> {
    xml: &'x str,
    out: Vec<XmlValue>,
}

impl Reader<'_> {
    fn add(&mut self, field: &str, node: Option<Node>, kind: Kind) {
        let Some(node) = node else { return };
        if self.out.iter().any(|v| v.field == field) {
            return;
        }
        let Some(text) = text_of(node) else { return };
        let value = match kind {
            Kind::Text => Some(json!(text)),
            Kind::Date => xml_date(&text).map(|d| json!(d)),
            Kind::Number => text.parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| json!(n)),
        };
        if let Some(value) = value {
            let source = self.xml.get(node.range()).unwrap_or_default().to_string();
            self.out.push(XmlValue { field: field.to_string(), value, source });
        }
    }
}

fn read_cii(xml: &str, root: Node) -> EInvoice {
    let mut r = Reader { xml, out: Vec::new() };
    let doc = path(root, &["ExchangedDocument"]);
    r.add("invoice_number", doc.and_then(|d| path(d, &["ID"])), Kind::Text);
    r.add("issue_date", doc.and_then(|d| path(d, &["IssueDateTime", "DateTimeString"])), Kind::Date);
    let trade = path(root, &["SupplyChainTradeTransaction"]);
    let agreement = trade.and_then(|t| path(t, &["ApplicableHeaderTradeAgreement"]));
    let seller = agreement.and_then(|a| path(a, &["SellerTradeParty"]));
    let buyer = agreement.and_then(|a| path(a, &["BuyerTradeParty"]));
    r.add("vendor_name", seller.and_then(|s| path(s, &["Name"])), Kind::Text);
    let vat = seller.and_then(|s| {
        children(s, "SpecifiedTaxRegistration")
            .filter_map(|t| path(t, &["ID"]))
            .find(|id| id.attribute("schemeID") == Some("VA"))
    });
    r.add("vendor_vat_id", vat, Kind::Text);
    r.add("buyer_name", buyer.and_then(|b| path(b, &["Name"])), Kind::Text);
    if let Some(address) = seller.and_then(|s| path(s, &["PostalTradeAddress"])) {
        let part = |n: &str| path(address, &[n]).and_then(text_of);
        let city = [part("PostcodeCode"), part("CityName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let parts: Vec<String> = [part("LineOne"), part("LineTwo"), Some(city), part("CountryID")]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        if !parts.is_empty() {
            let source = xml.get(address.range()).unwrap_or_default().to_string();
            r.out.push(XmlValue { field: "vendor_address".into(), value: json!(parts.join(", ")), source });
        }
    }
    let settlement = trade.and_then(|t| path(t, &["ApplicableHeaderTradeSettlement"]));
    r.add("currency", settlement.and_then(|s| path(s, &["InvoiceCurrencyCode"])), Kind::Text);
    let sums = settlement.and_then(|s| path(s, &["SpecifiedTradeSettlementHeaderMonetarySummation"]));
    r.add("net_amount", sums.and_then(|s| path(s, &["TaxBasisTotalAmount"])), Kind::Number);
    r.add("tax_amount", sums.and_then(|s| path(s, &["TaxTotalAmount"])), Kind::Number);
    r.add("total_amount", sums.and_then(|s| path(s, &["GrandTotalAmount"])), Kind::Number);
    r.add("amount_due", sums.and_then(|s| path(s, &["DuePayableAmount"])), Kind::Number);
    r.add(
        "due_date",
        settlement.and_then(|s| path(s, &["SpecifiedTradePaymentTerms", "DueDateDateTime", "DateTimeString"])),
        Kind::Date,
    );
    let values = r.out;
    let mut line_items = Vec::new();
    if let Some(trade) = trade {
        for item in children(trade, "IncludedSupplyChainTradeLineItem") {
            let mut r = Reader { xml, out: Vec::new() };
            r.add("description", path(item, &["SpecifiedTradeProduct", "Name"]), Kind::Text);
            r.add("quantity", path(item, &["SpecifiedLineTradeDelivery", "BilledQuantity"]), Kind::Number);
            r.add(
                "unit_price",
                path(item, &["SpecifiedLineTradeAgreement", "NetPriceProductTradePrice", "ChargeAmount"]),
                Kind::Number,
            );
            r.add(
                "amount",
                path(
                    item,
                    &[
                        "SpecifiedLineTradeSettlement",
                        "SpecifiedTradeSettlementLineMonetarySummation",
                        "LineTotalAmount",
                    ],
                ),
                Kind::Number,
            );
            line_items.push(r.out);
        }
    }
    EInvoice { syntax: "CII", values, line_items }
}

fn read_ubl(xml: &str, root: Node) -> EInvoice {
    let mut r = Reader { xml, out: Vec::new() };
    r.add("invoice_number", path(root, &["ID"]), Kind::Text);
    r.add("issue_date", path(root, &["IssueDate"]), Kind::Date);
    r.add("due_date", path(root, &["DueDate"]).or_else(|| path(root, &["PaymentMeans", "PaymentDueDate"])), Kind::Date);
    r.add("currency", path(root, &["DocumentCurrencyCode"]), Kind::Text);
    let seller = path(root, &["AccountingSupplierParty", "Party"]);
    let buyer = path(root, &["AccountingCustomerParty", "Party"]);
    r.add(
        "vendor_name",
        seller.and_then(|s| path(s, &["PartyName", "Name"]).or_else(|| descendant(s, "RegistrationName"))),
        Kind::Text,
    );
    r.add("vendor_vat_id", seller.and_then(|s| path(s, &["PartyTaxScheme", "CompanyID"])), Kind::Text);
    r.add(
        "buyer_name",
        buyer.and_then(|b| path(b, &["PartyName", "Name"]).or_else(|| descendant(b, "RegistrationName"))),
        Kind::Text,
    );
    let totals = path(root, &["LegalMonetaryTotal"]);
    r.add("net_amount", totals.and_then(|t| path(t, &["TaxExclusiveAmount"])), Kind::Number);
    r.add("tax_amount", path(root, &["TaxTotal", "TaxAmount"]), Kind::Number);
    r.add("total_amount", totals.and_then(|t| path(t, &["TaxInclusiveAmount"])), Kind::Number);
    r.add("amount_due", totals.and_then(|t| path(t, &["PayableAmount"])), Kind::Number);
    let values = r.out;
    let line_items = children(root, "InvoiceLine")
        .map(|item| {
            let mut r = Reader { xml, out: Vec::new() };
            r.add("description", path(item, &["Item", "Name"]), Kind::Text);
            r.add("quantity", path(item, &["InvoicedQuantity"]), Kind::Number);
            r.add("unit_price", path(item, &["Price", "PriceAmount"]), Kind::Number);
            r.add("amount", path(item, &["LineExtensionAmount"]), Kind::Number);
            r.out
        })
        .collect();
    EInvoice { syntax: "UBL", values, line_items }
}

/// Reads a CII or UBL invoice; `None` when the bytes are not one.
pub fn read_einvoice(bytes: &[u8]) -> Option<EInvoice> {
    let xml = std::str::from_utf8(bytes).ok()?;
    let xml = xml.trim_start_matches('\u{feff}');
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 2_000_000, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(xml, options).ok()?;
    let root = doc.root_element();
    let invoice = match root.tag_name().name() {
        "CrossIndustryInvoice" => read_cii(xml, root),
        "Invoice" | "CreditNote" => read_ubl(xml, root),
        _ => return None,
    };
    (!invoice.values.is_empty()).then_some(invoice)
}

/// The first attachment that is an XML e-invoice.
pub(crate) fn find_einvoice(document: &Document) -> Option<EInvoice> {
    let mut attachments: Vec<_> =
        document.attachments.iter().filter(|a| a.name.to_lowercase().ends_with(".xml")).collect();
    // The well-known names first.
    attachments.sort_by_key(|a| {
        let n = a.name.to_lowercase();
        !(n.contains("factur-x") || n.contains("zugferd") || n.contains("xrechnung"))
    });
    attachments.into_iter().find_map(|a| read_einvoice(&a.bytes))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 0.01,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => fold(x).replace(' ', "") == fold(y).replace(' ', ""),
            _ => a == b,
        },
    }
}

/// Puts the e-invoice's values over the page reading, noting every disagreement.
pub(crate) fn merge(invoice: EInvoice, spec: &Spec, extraction: &mut Extraction) {
    for v in &invoice.values {
        let Some(field) = spec.field(&v.field) else { continue };
        if let Some(page_value) = extraction.data.get(&field.name) {
            if !same(page_value, &v.value) {
                extraction.notes.push(format!(
                    "{}: the page reads {} but the embedded {} e-invoice says {}; the e-invoice was taken",
                    field.name, page_value, invoice.syntax, v.value
                ));
            }
        }
        let evidence = FieldEvidence { confidence: 1.0, page: None, text: v.source.clone(), bbox: None };
        extraction.set(&field.name, v.value.clone(), evidence);
    }
    let table = spec.fields.iter().find(|f| matches!(&f.kind, FieldKind::Table(_)) && f.name == "line_items");
    if let (Some(table), false) = (table, invoice.line_items.is_empty()) {
        let FieldKind::Table(columns) = &table.kind else { return };
        let prefix = format!("/{}/", table.name);
        extraction.fields.retain(|p, _| !p.starts_with(&prefix));
        let mut items = Vec::new();
        for (i, line) in invoice.line_items.iter().enumerate() {
            let mut item = Map::new();
            for v in line {
                if columns.iter().any(|c| c.name == v.field) {
                    item.insert(v.field.clone(), v.value.clone());
                    extraction.fields.insert(
                        format!("{prefix}{i}/{}", v.field),
                        FieldEvidence { confidence: 1.0, page: None, text: v.source.clone(), bbox: None },
                    );
                }
            }
            items.push(Value::Object(item));
        }
        extraction.data.insert(table.name.clone(), Value::Array(items));
    }
}
