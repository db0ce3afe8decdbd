//! Synthetic invoices and receipts from known data, for round-trip tests of the
//! extractors: each case is the ground truth (in the spec's field names) and a PDF that
//! prints it in one of many realistic layouts, languages, date and money formats.
//!
//! Cases are deterministic: the same seed and index always give the same truth, layout and
//! bytes. The layout, labels and the already formatted strings reach the generator
//! templates as a JSON data file, like report data.

use serde_json::{Value, json};

use docex_core::DocexError;

use crate::renderer::{ReportDate, TemplateSource, TypstRenderer};

const INVOICE_TEMPLATE: &str = include_str!("../../../tests/generator/invoice_layouts.typ");
const RECEIPT_TEMPLATE: &str = include_str!("../../../tests/generator/receipt_layouts.typ");

/// A small deterministic PRNG (SplitMix64): the same seed always gives the same cases.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = (high - low) as u64 + 1;
        low + (self.next_u64() % span) as i64
    }

    /// One element of a slice; only used with the non-empty constant tables below.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.range(0, items.len().saturating_sub(1) as i64) as usize;
        &items[i.min(items.len() - 1)]
    }

    pub fn chance(&mut self, percent: i64) -> bool {
        self.range(0, 99) < percent
    }
}

/// The language a document is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    German,
    French,
}

impl Language {
    pub fn code(&self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
        }
    }
}

/// How a date is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    /// `31.12.2024`
    Dotted,
    /// `12/31/2024`
    UsSlashed,
    /// `31 December 2024`
    LongEnglish,
    /// `31. Dezember 2024`
    LongGerman,
    /// `2024-12-31`
    Iso,
    /// `31 déc. 2024`
    ShortFrench,
}

/// How amounts are grouped and where the currency goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyFormat {
    /// `1,234.56`, `1.234,56` or `1 234,56`.
    pub grouping: Grouping,
    pub currency: CurrencyPlacement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    CommaDot,
    DotComma,
    SpaceComma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencyPlacement {
    /// `€1,234.56` (the ISO code when the currency has no symbol of its own: `CHF 1,234.56`).
    SymbolBefore,
    /// `1.234,56 €`
    SymbolAfter,
    /// `EUR 1.234,56`
    CodeBefore,
    /// `1 234,56 EUR`
    CodeAfter,
}

/// `YYYY-MM-DD` date as days since 1970-01-01 and back (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_FR_SHORT: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// Prints a date (`y`, `m` 1–12, `d`) in a format.
pub fn format_date(y: i64, m: i64, d: i64, format: DateFormat) -> String {
    let month = (m.clamp(1, 12) - 1) as usize;
    match format {
        DateFormat::Dotted => format!("{d:02}.{m:02}.{y}"),
        DateFormat::UsSlashed => format!("{m:02}/{d:02}/{y}"),
        DateFormat::LongEnglish => format!("{d} {} {y}", MONTHS_EN[month]),
        DateFormat::LongGerman => format!("{d}. {} {y}", MONTHS_DE[month]),
        DateFormat::Iso => format!("{y}-{m:02}-{d:02}"),
        DateFormat::ShortFrench => format!("{d} {} {y}", MONTHS_FR_SHORT[month]),
    }
}

/// Prints a number of cents with two decimals in a grouping (`123456` → `1,234.56`).
pub fn format_number(cents: i64, grouping: Grouping) -> String {
    let (thousands, decimal) = match grouping {
        Grouping::CommaDot => (",", "."),
        Grouping::DotComma => (".", ","),
        Grouping::SpaceComma => (" ", ","),
    };
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = whole.len();
    while end > 3 {
        groups.push(&whole[end - 3..end]);
        end -= 3;
    }
    groups.push(&whole[..end]);
    groups.reverse();
    format!("{sign}{}{decimal}{:02}", groups.join(thousands), cents % 100)
}

fn currency_symbol(code: &str) -> Option<&'static str> {
    match code {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "INR" => Some("₹"),
        _ => None,
    }
}

/// Prints an amount with its currency (`€1,234.56`, `1.234,56 €`, `CHF 1'...` is not used).
pub fn format_money(cents: i64, currency: &str, format: MoneyFormat) -> String {
    let number = format_number(cents, format.grouping);
    match (format.currency, currency_symbol(currency)) {
        (CurrencyPlacement::SymbolBefore, Some(symbol)) => format!("{symbol}{number}"),
        (CurrencyPlacement::SymbolAfter, Some(symbol)) => format!("{number} {symbol}"),
        (CurrencyPlacement::SymbolBefore | CurrencyPlacement::CodeBefore, _) => format!("{currency} {number}"),
        (CurrencyPlacement::SymbolAfter | CurrencyPlacement::CodeAfter, _) => format!("{number} {currency}"),
    }
}

/// Prints a quantity (in hundredths) the way the language writes decimals.
fn format_quantity(hundredths: i64, grouping: Grouping) -> String {
    if hundredths % 100 == 0 {
        return (hundredths / 100).to_string();
    }
    let text = format_number(hundredths, grouping);
    text.trim_end_matches('0').to_string()
}

/// A cents amount as a JSON number with two decimals.
fn money_value(cents: i64) -> Value {
    json!((cents as f64) / 100.0)
}

/// One country's conventions: who trades there and how they print.
struct Locale {
    language: Language,
    currency: &'static str,
    tax_label: &'static str,
    tax_percent_tenths: i64,
    vendors: &'static [(&'static str, &'static str, &'static str)],
    buyers: &'static [(&'static str, &'static str)],
    vat_prefix: &'static str,
}

const LOCALES: &[Locale] = &[
    Locale {
        language: Language::English,
        currency: "GBP",
        tax_label: "VAT",
        tax_percent_tenths: 200,
        vendors: &[
            ("Brightline Design Ltd", "14 Clarence Street", "Bristol BS1 6JX"),
            ("Harbour & Pine Studio Ltd", "3 Wharf Road", "London N1 7GR"),
            ("Kestrel IT Services Ltd", "22 Mill Lane", "Leeds LS2 8PF"),
        ],
        buyers: &[("Oakridge Surveyors LLP", "Manchester M1 4BT"), ("Thornbury Dental Practice", "Bath BA1 2QH")],
        vat_prefix: "GB",
    },
    Locale {
        language: Language::English,
        currency: "USD",
        tax_label: "Sales tax",
        tax_percent_tenths: 80,
        vendors: &[
            ("Northwind Consulting LLC", "410 Pine Street, Suite 300", "Seattle, WA 98101"),
            ("Bluefield Analytics Inc.", "77 Market Avenue", "Austin, TX 78701"),
            ("Redwood Print Co.", "1200 Harbor Blvd", "Oakland, CA 94607"),
        ],
        buyers: &[("Granite Peak Outfitters", "Denver, CO 80202"), ("Maple Street Bakery", "Portland, OR 97205")],
        vat_prefix: "",
    },
    Locale {
        language: Language::English,
        currency: "INR",
        tax_label: "GST",
        tax_percent_tenths: 180,
        vendors: &[
            ("Sundaram Technologies Pvt. Ltd.", "42 MG Road", "Bengaluru 560001"),
            ("Lotus Textiles Pvt. Ltd.", "8 Linking Road", "Mumbai 400050"),
        ],
        buyers: &[("Indus Retail Pvt. Ltd.", "Chennai 600002"), ("Ganges Foods Ltd.", "Kolkata 700001")],
        vat_prefix: "GSTIN",
    },
    Locale {
        language: Language::English,
        currency: "EUR",
        tax_label: "VAT",
        tax_percent_tenths: 230,
        vendors: &[("Liffey Software Ltd", "5 Grand Canal Quay", "Dublin D02 R2K4")],
        buyers: &[("Atlantic Seafoods Ltd", "Galway H91 X2Y3"), ("Connolly Architects", "Cork T12 AB34")],
        vat_prefix: "IE",
    },
    Locale {
        language: Language::German,
        currency: "EUR",
        tax_label: "MwSt.",
        tax_percent_tenths: 190,
        vendors: &[
            ("Kranich Software GmbH", "Hauptstraße 12", "10115 Berlin"),
            ("Müller & Söhne GmbH", "Bahnhofstraße 3", "80335 München"),
            ("Elbtal Druck GmbH", "Schillerplatz 8", "01067 Dresden"),
            ("Schreinerei Bauer", "Am Markt 5", "93047 Regensburg"),
        ],
        buyers: &[("Stadtwerke Lindau GmbH", "88131 Lindau"), ("Praxis Dr. Weber", "50667 Köln")],
        vat_prefix: "DE",
    },
    Locale {
        language: Language::German,
        currency: "CHF",
        tax_label: "MWST",
        tax_percent_tenths: 81,
        vendors: &[("Alpenblick Treuhand AG", "Bahnhofstrasse 21", "8001 Zürich")],
        buyers: &[("Berner Velowerkstatt", "3011 Bern"), ("Café Rheinblick", "4051 Basel")],
        vat_prefix: "CHE",
    },
    Locale {
        language: Language::French,
        currency: "EUR",
        tax_label: "TVA",
        tax_percent_tenths: 200,
        vendors: &[
            ("Atelier Lumière SARL", "12 rue des Lilas", "75011 Paris"),
            ("Conseil Dupont SAS", "8 avenue Jean Jaurès", "69007 Lyon"),
            ("Imprimerie Garnier", "3 quai de la Fosse", "44000 Nantes"),
        ],
        buyers: &[("Boulangerie Martin", "33000 Bordeaux"), ("Cabinet Moreau", "31000 Toulouse")],
        vat_prefix: "FR",
    },
    Locale {
        language: Language::French,
        currency: "CHF",
        tax_label: "TVA",
        tax_percent_tenths: 81,
        vendors: &[("Horlogerie Favre SA", "Rue du Rhône 40", "1204 Genève")],
        buyers: &[("Chocolaterie Vaudoise", "1003 Lausanne"), ("Garage du Lac", "2000 Neuchâtel")],
        vat_prefix: "CHE",
    },
];

/// What was sold: (English, German, French description, low and high unit price in whole
/// units, whether the quantity may be fractional hours).
const PRODUCTS: &[(&str, &str, &str, i64, i64, bool)] = &[
    ("Consulting services (hours)", "Beratungsleistung (Std.)", "Prestation de conseil (heures)", 80, 160, true),
    ("Website design", "Webdesign", "Conception du site web", 400, 2500, false),
    ("Web hosting, 12 months", "Webhosting, 12 Monate", "Hébergement web, 12 mois", 60, 240, false),
    ("Logo design", "Logogestaltung", "Création de logo", 150, 900, false),
    ("Printer paper A4, box of 5 reams", "Druckerpapier A4, Karton", "Papier A4, carton de 5 ramettes", 18, 45, false),
    ("Office chair", "Bürostuhl", "Chaise de bureau", 120, 480, false),
    ("Software licence, annual", "Softwarelizenz, jährlich", "Licence logicielle annuelle", 90, 1200, false),
    ("On-site installation", "Montage vor Ort", "Installation sur site", 150, 600, false),
    ("Maintenance contract", "Wartungsvertrag", "Contrat de maintenance", 200, 1500, false),
    ("Flyers A5, 500 pcs", "Flyer A5, 500 Stück", "Flyers A5, 500 ex.", 45, 140, false),
    ("Travel expenses", "Reisekosten", "Frais de déplacement", 30, 350, false),
    ("Training workshop", "Schulung", "Atelier de formation", 300, 1800, false),
    ("Network switch, 24 ports", "Netzwerk-Switch, 24 Ports", "Commutateur réseau 24 ports", 110, 420, false),
    ("Copywriting (hours)", "Texterstellung (Std.)", "Rédaction (heures)", 55, 120, true),
];

/// Label variants per language; each is a word the invoice spec lists for its field.
struct Labels {
    title: &'static [&'static str],
    invoice_number: &'static [&'static str],
    issue_date: &'static [&'static str],
    due_date: &'static [&'static str],
    vat_id: &'static [&'static str],
    bill_to: &'static [&'static str],
    net: &'static [&'static str],
    total: &'static [&'static str],
    position: &'static [&'static str],
    description: &'static [&'static str],
    quantity: &'static [&'static str],
    unit_price: &'static [&'static str],
    amount: &'static [&'static str],
    terms: &'static [&'static str],
    thanks: &'static [&'static str],
}

const LABELS_EN: Labels = Labels {
    title: &["INVOICE", "Invoice", "Tax Invoice"],
    invoice_number: &["Invoice number", "Invoice No.", "Invoice #"],
    issue_date: &["Invoice date", "Date of issue", "Issue date"],
    due_date: &["Due date", "Payment due"],
    vat_id: &["VAT number", "VAT Reg No"],
    bill_to: &["Bill to", "Billed to", "Customer"],
    net: &["Subtotal", "Net amount", "Total excl. VAT"],
    total: &["Total", "Total due", "Invoice total"],
    position: &["#", "No."],
    description: &["Description", "Item", "Service"],
    quantity: &["Qty", "Quantity", "Units"],
    unit_price: &["Unit price", "Rate", "Price"],
    amount: &["Amount", "Line total", "Total"],
    terms: &["Payment within 30 days by bank transfer.", "Please pay within 14 days of the invoice date."],
    thanks: &["Thank you for your business!", "Thank you for choosing us."],
};

const LABELS_DE: Labels = Labels {
    title: &["RECHNUNG", "Rechnung"],
    invoice_number: &["Rechnungsnummer", "Rechnung Nr.", "Rechnungs-Nr."],
    issue_date: &["Rechnungsdatum", "Datum"],
    due_date: &["Fällig am", "Zahlbar bis", "Fälligkeitsdatum"],
    vat_id: &["USt-IdNr.", "UST-ID"],
    bill_to: &["Rechnungsempfänger", "Kunde"],
    net: &["Nettobetrag", "Zwischensumme", "Summe netto"],
    total: &["Gesamtbetrag", "Rechnungsbetrag", "Endbetrag"],
    position: &["Pos.", "Nr."],
    description: &["Bezeichnung", "Beschreibung", "Leistung"],
    quantity: &["Menge", "Anzahl"],
    unit_price: &["Einzelpreis", "E-Preis", "Preis"],
    amount: &["Betrag", "Gesamt", "Gesamtpreis"],
    terms: &["Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Bitte überweisen Sie den Betrag bis zum Fälligkeitsdatum."],
    thanks: &["Vielen Dank für Ihren Auftrag!", "Wir danken für Ihr Vertrauen."],
};

const LABELS_FR: Labels = Labels {
    title: &["FACTURE", "Facture"],
    invoice_number: &["N° de facture", "Numéro de facture", "Facture N°"],
    issue_date: &["Date de facture", "Date de facturation"],
    due_date: &["Date d'échéance", "Échéance"],
    vat_id: &["N° TVA", "Numéro de TVA"],
    bill_to: &["Facturé à", "Client"],
    net: &["Total HT", "Sous-total", "Montant HT"],
    total: &["Total TTC", "Net à payer", "Montant TTC"],
    position: &["N°", "Réf."],
    description: &["Désignation", "Description"],
    quantity: &["Qté", "Quantité"],
    unit_price: &["Prix unitaire", "PU HT"],
    amount: &["Montant", "Total HT"],
    terms: &["Paiement à 30 jours par virement bancaire.", "Règlement à réception de facture."],
    thanks: &["Merci de votre confiance.", "Nous vous remercions de votre commande."],
};

fn labels_for(language: Language) -> &'static Labels {
    match language {
        Language::English => &LABELS_EN,
        Language::German => &LABELS_DE,
        Language::French => &LABELS_FR,
    }
}

/// The header arrangements of the invoice layouts.
pub const HEADER_STYLES: &[&str] = &["split", "stacked", "banner", "letter"];
/// The orders of the line-item columns.
pub const COLUMN_ORDERS: &[&[&str]] = &[
    &["description", "quantity", "unit_price", "amount"],
    &["position", "description", "quantity", "unit_price", "amount"],
    &["quantity", "description", "unit_price", "amount"],
    &["description", "unit_price", "quantity", "amount"],
];
/// How the totals are set: a right-aligned table or label/value lines in a box.
pub const TOTALS_STYLES: &[&str] = &["table", "boxed"];

/// The number of distinct invoice layouts (headers × column orders × totals).
pub fn invoice_layout_count() -> usize {
    HEADER_STYLES.len() * COLUMN_ORDERS.len() * TOTALS_STYLES.len()
}

/// One generated case before rendering: the truth and the JSON the template reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The values the extractor should read back, in the spec's field names.
    pub truth: Value,
    /// What the generator template prints: layout, labels and formatted strings.
    pub document: Value,
}

impl Case {
    /// The invoice number or receipt total exactly as printed, for quick checks.
    pub fn printed(&self, key: &str) -> Option<&str> {
        self.document.get("display").and_then(|d| d.get(key)).and_then(Value::as_str)
    }
}

/// A rendered case.
#[derive(Debug, Clone)]
pub struct GeneratedCase {
    pub case: Case,
    pub pdf: Vec<u8>,
}

fn date_formats_for(language: Language, currency: &str) -> &'static [DateFormat] {
    match (language, currency) {
        (Language::English, "USD") => &[DateFormat::UsSlashed, DateFormat::LongEnglish, DateFormat::Iso],
        (Language::English, _) => &[DateFormat::LongEnglish, DateFormat::Iso, DateFormat::Dotted],
        (Language::German, _) => &[DateFormat::Dotted, DateFormat::LongGerman, DateFormat::Iso],
        (Language::French, _) => &[DateFormat::ShortFrench, DateFormat::Dotted, DateFormat::Iso],
    }
}

fn money_formats_for(language: Language) -> &'static [MoneyFormat] {
    use CurrencyPlacement::*;
    use Grouping::*;
    match language {
        Language::English => &[
            MoneyFormat { grouping: CommaDot, currency: SymbolBefore },
            MoneyFormat { grouping: CommaDot, currency: CodeBefore },
            MoneyFormat { grouping: CommaDot, currency: CodeAfter },
        ],
        Language::German => &[
            MoneyFormat { grouping: DotComma, currency: SymbolAfter },
            MoneyFormat { grouping: DotComma, currency: CodeBefore },
            MoneyFormat { grouping: DotComma, currency: CodeAfter },
        ],
        Language::French => &[
            MoneyFormat { grouping: SpaceComma, currency: SymbolAfter },
            MoneyFormat { grouping: SpaceComma, currency: CodeAfter },
            MoneyFormat { grouping: DotComma, currency: SymbolAfter },
        ],
    }
}

fn vat_id(rng: &mut Rng, prefix: &str) -> Option<String> {
    let digits =
        |rng: &mut Rng, n: usize| -> String { (0..n).map(|_| char::from(b'0' + rng.range(0, 9) as u8)).collect() };
    match prefix {
        "" => None,
        "GSTIN" => Some(format!("{}AABCS{}R1Z{}", digits(rng, 2), digits(rng, 4), digits(rng, 1))),
        "CHE" => Some(format!("CHE-{}.{}.{} MWST", digits(rng, 3), digits(rng, 3), digits(rng, 3))),
        "GB" => Some(format!("GB{}", digits(rng, 9))),
        "FR" => Some(format!("FR{}", digits(rng, 11))),
        "IE" => Some(format!("IE{}WH", digits(rng, 6))),
        other => Some(format!("{other}{}", digits(rng, 9))),
    }
}

fn invoice_number(rng: &mut Rng, year: i64) -> String {
    match rng.range(0, 4) {
        0 => format!("INV-{year}-{:04}", rng.range(1, 9999)),
        1 => format!("{year}-{:03}", rng.range(1, 999)),
        2 => format!("RE-{}", rng.range(10_000, 99_999)),
        3 => format!("F{year}{:04}", rng.range(1, 9999)),
        _ => format!("{}", rng.range(1000, 99_999)),
    }
}

/// The `index`-th invoice case of a seed. Layouts cycle with the index, so any
/// [`invoice_layout_count`] consecutive cases cover every layout once.
pub fn invoice_case(seed: u64, index: usize) -> Case {
    invoice_case_with(seed, index, None)
}

/// The `index`-th invoice case of a seed with a long table of `items` line items (40 or
/// more run onto a second page); the rest of the case is as [`invoice_case`] draws it.
pub fn long_invoice_case(seed: u64, index: usize, items: usize) -> Case {
    invoice_case_with(seed, index, Some(items.max(1)))
}

fn invoice_case_with(seed: u64, index: usize, items: Option<usize>) -> Case {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F));
    let layout = index % invoice_layout_count();
    let header = HEADER_STYLES[layout % HEADER_STYLES.len()];
    let columns = COLUMN_ORDERS[(layout / HEADER_STYLES.len()) % COLUMN_ORDERS.len()];
    let totals_style = TOTALS_STYLES[(layout / (HEADER_STYLES.len() * COLUMN_ORDERS.len())) % TOTALS_STYLES.len()];

    let locale = &LOCALES[(index / 3 + rng.range(0, 7) as usize) % LOCALES.len()];
    let language = locale.language;
    let labels = labels_for(language);
    let date_format = *rng.pick(date_formats_for(language, locale.currency));
    let money_format = *rng.pick(money_formats_for(language));

    let (vendor_name, vendor_street, vendor_city) = *rng.pick(locale.vendors);
    let (buyer_name, buyer_city) = *rng.pick(locale.buyers);
    let vat = vat_id(&mut rng, locale.vat_prefix);

    let issue_days = days_from_civil(2023, 1, 1) + rng.range(0, 1000);
    let due_days = issue_days + *rng.pick(&[14, 30, 30, 45]);
    let (iy, im, id) = civil_from_days(issue_days);
    let (dy, dm, dd) = civil_from_days(due_days);
    let number = invoice_number(&mut rng, iy);

    let item_count = rng.range(1, 7) as usize;
    let item_count = items.unwrap_or(item_count);
    let mut items = Vec::new();
    let mut net_cents = 0i64;
    for _ in 0..item_count {
        let (en, de, fr, low, high, hourly) = *rng.pick(PRODUCTS);
        let description = match language {
            Language::English => en,
            Language::German => de,
            Language::French => fr,
        };
        let unit_cents = rng.range(low * 100, high * 100) / 50 * 50;
        let quantity_hundredths =
            if hourly { rng.range(2, 32) * 50 } else { *rng.pick(&[100, 100, 100, 200, 300, 500, 1000]) };
        let amount_cents = unit_cents * quantity_hundredths / 100;
        net_cents += amount_cents;
        items.push((description, quantity_hundredths, unit_cents, amount_cents));
    }
    let tax_cents = (net_cents * locale.tax_percent_tenths + 500) / 1000;
    let total_cents = net_cents + tax_cents;
    let currency = locale.currency;
    let grouping = money_format.grouping;
    let date = |y, m, d| format_date(y, m, d, date_format);

    let mut truth = json!({
        "invoice_number": number,
        "issue_date": format!("{iy:04}-{im:02}-{id:02}"),
        "due_date": format!("{dy:04}-{dm:02}-{dd:02}"),
        "vendor_name": vendor_name,
        "buyer_name": buyer_name,
        "currency": currency,
        "net_amount": money_value(net_cents),
        "tax_amount": money_value(tax_cents),
        "total_amount": money_value(total_cents),
        "line_items": items.iter().map(|(d, q, u, a)| json!({
            "description": d,
            "quantity": (*q as f64) / 100.0,
            "unit_price": money_value(*u),
            "amount": money_value(*a),
        })).collect::<Vec<_>>(),
    });
    if let (Some(vat), Some(map)) = (&vat, truth.as_object_mut()) {
        map.insert("vendor_vat_id".into(), json!(vat));
    }

    let tax_percent = format_quantity(locale.tax_percent_tenths * 10, grouping);
    let tax_label = match language {
        Language::French | Language::German => format!("{} {tax_percent} %", locale.tax_label),
        Language::English => format!("{} ({tax_percent}%)", locale.tax_label),
    };
    let accent = *rng.pick(&["#1d4e89", "#2f5d50", "#6b2d5c", "#8a4b08", "#333333", "#0b6e99"]);
    let document = json!({
        "kind": "invoice",
        "lang": language.code(),
        "layout": {
            "id": layout,
            "header": header,
            "columns": columns,
            "totals": totals_style,
            "accent": accent,
            "date_format": format!("{date_format:?}"),
            "money_format": format!("{:?}/{:?}", money_format.grouping, money_format.currency),
        },
        "labels": {
            "title": rng.pick(labels.title),
            "invoice_number": rng.pick(labels.invoice_number),
            "issue_date": rng.pick(labels.issue_date),
            "due_date": rng.pick(labels.due_date),
            "vat_id": rng.pick(labels.vat_id),
            "bill_to": rng.pick(labels.bill_to),
            "net": rng.pick(labels.net),
            "tax": tax_label,
            "total": rng.pick(labels.total),
            "columns": {
                "position": rng.pick(labels.position),
                "description": rng.pick(labels.description),
                "quantity": rng.pick(labels.quantity),
                "unit_price": rng.pick(labels.unit_price),
                "amount": rng.pick(labels.amount),
            },
            "terms": rng.pick(labels.terms),
            "thanks": rng.pick(labels.thanks),
        },
        "vendor": {
            "name": vendor_name,
            "address": [vendor_street, vendor_city],
            "vat_id": vat,
            "email": format!("billing@{}.example", vendor_name.split_whitespace().next().unwrap_or("shop").to_lowercase()
                .chars().filter(char::is_ascii_alphanumeric).collect::<String>()),
            "phone": format!("+{} {} {}", rng.range(30, 49), rng.range(100, 999), rng.range(100_000, 999_999)),
        },
        "buyer": {"name": buyer_name, "address": [format!("{} {}", rng.range(1, 120), street_word(language)), buyer_city]},
        "display": {
            "invoice_number": number,
            "issue_date": date(iy, im, id),
            "due_date": date(dy, dm, dd),
            "net": format_money(net_cents, currency, money_format),
            "tax": format_money(tax_cents, currency, money_format),
            "total": format_money(total_cents, currency, money_format),
            "items": items.iter().enumerate().map(|(i, (d, q, u, a))| json!({
                "position": (i + 1).to_string(),
                "description": d,
                "quantity": format_quantity(*q, grouping),
                "unit_price": format_number(*u, grouping),
                "amount": format_number(*a, grouping),
            })).collect::<Vec<_>>(),
        },
    });
    Case { truth, document }
}

fn street_word(language: Language) -> &'static str {
    match language {
        Language::English => "High Street",
        Language::German => "Lindenweg",
        Language::French => "rue Victor Hugo",
    }
}

/// `n` invoice cases of a seed (indices `0..n`).
pub fn invoice_cases(seed: u64, n: usize) -> Vec<Case> {
    (0..n).map(|i| invoice_case(seed, i)).collect()
}

/// The `index`-th till receipt of a seed; truth in the receipt spec's field names.
pub fn receipt_case(seed: u64, index: usize) -> Case {
    let mut rng = Rng::new(seed ^ 0x5EC0_u64 ^ (index as u64).wrapping_mul(0xE703_7ED1_A0B4_28DB));
    let locale = &LOCALES[(index + rng.range(0, 7) as usize) % LOCALES.len()];
    let language = locale.language;
    let date_format = *rng.pick(date_formats_for(language, locale.currency));
    let money_format = *rng.pick(money_formats_for(language));
    let (company, street, city) = *rng.pick(locale.vendors);
    let days = days_from_civil(2023, 1, 1) + rng.range(0, 1000);
    let (y, m, d) = civil_from_days(days);
    let mut lines = Vec::new();
    let mut total_cents = 0;
    for _ in 0..rng.range(2, 9) {
        let (en, de, fr, low, high, _) = *rng.pick(PRODUCTS);
        let name = match language {
            Language::English => en,
            Language::German => de,
            Language::French => fr,
        };
        let cents = rng.range(low * 10, high * 20) / 5 * 5;
        total_cents += cents;
        lines.push(json!({"name": name, "price": format_number(cents, money_format.grouping)}));
    }
    let total_label = match language {
        Language::English => *rng.pick(&["TOTAL", "Total", "Grand total", "Amount due"]),
        Language::German => *rng.pick(&["SUMME", "Summe", "Gesamt"]),
        Language::French => *rng.pick(&["TOTAL", "Total TTC", "Montant TTC"]),
    };
    let date_label = match language {
        Language::English => "Date",
        Language::German => "Datum",
        Language::French => "Date",
    };
    let thanks = match language {
        Language::English => "Thank you for shopping with us",
        Language::German => "Vielen Dank für Ihren Einkauf",
        Language::French => "Merci de votre visite",
    };
    let payment = match language {
        Language::English => *rng.pick(&["Card", "Cash", "Visa"]),
        Language::German => *rng.pick(&["EC-Karte", "Bar", "Kreditkarte"]),
        Language::French => *rng.pick(&["Carte bancaire", "Espèces"]),
    };
    let address = format!("{street}, {city}");
    let truth = json!({
        "company": company,
        "address": address,
        "date": format!("{y:04}-{m:02}-{d:02}"),
        "total": money_value(total_cents),
        "currency": locale.currency,
    });
    let document = json!({
        "kind": "receipt",
        "lang": language.code(),
        "layout": {"centered": rng.chance(60), "rules": *rng.pick(&["dashes", "lines", "none"])},
        "labels": {"total": total_label, "date": date_label, "thanks": thanks, "payment": payment},
        "shop": {"name": company, "address": [street, city]},
        "display": {
            "date": format_date(y, m, d, date_format),
            "time": format!("{:02}:{:02}", rng.range(8, 20), rng.range(0, 59)),
            "items": lines,
            "total": format_money(total_cents, locale.currency, money_format),
            "receipt_number": format!("{}", rng.range(1000, 999_999)),
        },
    });
    Case { truth, document }
}

/// `n` receipt cases of a seed.
pub fn receipt_cases(seed: u64, n: usize) -> Vec<Case> {
    (0..n).map(|i| receipt_case(seed, i)).collect()
}

/// The generator templates (an in-memory folder).
fn template_for(kind: &str) -> TemplateSource {
    let main = if kind == "receipt" { "receipt_layouts.typ" } else { "invoice_layouts.typ" };
    TemplateSource::static_files(
        main,
        &[("invoice_layouts.typ", INVOICE_TEMPLATE), ("receipt_layouts.typ", RECEIPT_TEMPLATE)],
    )
}

/// Renders one case to PDF.
pub fn render_case(renderer: &TypstRenderer, case: &Case) -> Result<Vec<u8>, DocexError> {
    let kind = case.document.get("kind").and_then(Value::as_str).unwrap_or("invoice");
    let date = case
        .truth
        .get("issue_date")
        .or_else(|| case.truth.get("date"))
        .and_then(Value::as_str)
        .and_then(ReportDate::parse);
    let template = template_for(kind);
    match date {
        Some(date) => renderer.render_dated(&template, &case.document, date),
        None => renderer.render(&template, &case.document),
    }
}

/// `n` invoices of a seed, rendered.
pub fn generate_invoices(renderer: &TypstRenderer, seed: u64, n: usize) -> Result<Vec<GeneratedCase>, DocexError> {
    invoice_cases(seed, n)
        .into_iter()
        .map(|case| render_case(renderer, &case).map(|pdf| GeneratedCase { case, pdf }))
        .collect()
}

/// `n` receipts of a seed, rendered.
pub fn generate_receipts(renderer: &TypstRenderer, seed: u64, n: usize) -> Result<Vec<GeneratedCase>, DocexError> {
    receipt_cases(seed, n)
        .into_iter()
        .map(|case| render_case(renderer, &case).map(|pdf| GeneratedCase { case, pdf }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_print_in_every_format() {
        let days = days_from_civil(2024, 12, 31);
        assert_eq!(civil_from_days(days), (2024, 12, 31));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29) + 1), (2024, 3, 1));
        let printed: Vec<String> = [
            DateFormat::Dotted,
            DateFormat::UsSlashed,
            DateFormat::LongEnglish,
            DateFormat::LongGerman,
            DateFormat::Iso,
            DateFormat::ShortFrench,
        ]
        .iter()
        .map(|f| format_date(2024, 12, 31, *f))
        .collect();
        assert_eq!(
            printed,
            ["31.12.2024", "12/31/2024", "31 December 2024", "31. Dezember 2024", "2024-12-31", "31 déc. 2024"]
        );
    }

    #[test]
    fn money_prints_in_every_grouping_and_placement() {
        use CurrencyPlacement::*;
        use Grouping::*;
        let m = |g, c, cur| format_money(123_456, cur, MoneyFormat { grouping: g, currency: c });
        assert_eq!(m(CommaDot, SymbolBefore, "USD"), "$1,234.56");
        assert_eq!(m(DotComma, SymbolAfter, "EUR"), "1.234,56 €");
        assert_eq!(m(SpaceComma, CodeAfter, "EUR"), "1 234,56 EUR");
        assert_eq!(m(CommaDot, CodeBefore, "GBP"), "GBP 1,234.56");
        assert_eq!(m(CommaDot, SymbolBefore, "CHF"), "CHF 1,234.56");
        assert_eq!(m(CommaDot, SymbolBefore, "INR"), "₹1,234.56");
        assert_eq!(format_number(5, CommaDot), "0.05");
        assert_eq!(format_number(123_456_789, DotComma), "1.234.567,89");
        assert_eq!(format_quantity(150, DotComma), "1,5");
        assert_eq!(format_quantity(300, CommaDot), "3");
    }

    #[test]
    fn cases_are_deterministic_and_add_up() {
        assert_eq!(invoice_cases(7, 5), invoice_cases(7, 5));
        assert_ne!(invoice_case(7, 0), invoice_case(8, 0));
        for case in invoice_cases(42, 64) {
            let t = &case.truth;
            let cents = |v: &Value| (v.as_f64().unwrap_or(f64::NAN) * 100.0).round() as i64;
            let items: i64 = t["line_items"].as_array().unwrap().iter().map(|i| cents(&i["amount"])).sum();
            assert_eq!(items, cents(&t["net_amount"]));
            assert_eq!(cents(&t["net_amount"]) + cents(&t["tax_amount"]), cents(&t["total_amount"]));
            assert!(t["issue_date"].as_str().unwrap() < t["due_date"].as_str().unwrap());
        }
        let layouts: std::collections::BTreeSet<u64> = invoice_cases(1, invoice_layout_count())
            .iter()
            .map(|c| c.document["layout"]["id"].as_u64().unwrap())
            .collect();
        assert_eq!(layouts.len(), invoice_layout_count());
    }
}
