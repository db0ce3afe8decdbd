//! Scalar fields: label candidates, value reading right of or below a label, parsing by
//! kind, scoring, and the unlabelled fallbacks.

use std::collections::HashMap;

use docex_core::spec::Rule;
use docex_core::{BBox, Document, Extraction, FieldEvidence, FieldKind, FieldSpec, Spec};
use docex_normalize::{
    DateOrder, currency_from_locale_cues, currency_names_in, find_dates_with, find_money, find_money_grouped, fold,
    parse_currency, parse_currency_in_context, parse_money, repair_ocr_amounts,
};
use regex::Regex;
use serde_json::{Value, json};

use crate::layout::{LabelHit, TLine, document_lines, find_labels, fold_label, median_line_height};
use crate::legal::{LEGAL_NAME, ends_in_legal_form, legal_names};
use crate::table::heads_a_table;
use crate::tender::tendered_less_change;

/// Phrases that look like a label of some field but announce something else: a hit inside
/// one of them is dropped ("date" in "order date", "customer" in "customer number").
const DISTRACTORS: &[&str] = &[
    "order date",
    "order no",
    "order number",
    "order id",
    "delivery date",
    "date of delivery",
    "ship date",
    "shipping date",
    "print date",
    "check in",
    "check out",
    "orderdatum",
    "leverdatum",
    "lieferdatum",
    "bestelldatum",
    "auftragsdatum",
    "date de livraison",
    "date de commande",
    // The seller's tax representative: a party, not an amount.
    "tax rep",
    "tax representative",
    "représentant fiscal",
    // An earlier invoice this one refers to (a credit note's, a correction's).
    "n° de facture associée",
    "date de facture associée",
    "facture d'origine",
    "related invoice",
    "original invoice",
    "preceding invoice",
    // "Company Reg No.": a registration number, not the company's name.
    "company reg",
    "company reg no",
    "company registration",
    "company no",
    "customer number",
    "customer no",
    "customer id",
    "account number",
    "klantnummer",
    "kundennummer",
    "kundennr",
    "numero client",
    "code client",
    "po number",
    "your vat number",
    "customer vat",
    "uw btw nummer",
    "your order",
    "tax 0",
    "total items",
    "sub total",
    "subtotal",
    // "Total price with tax": a total, not the tax.
    "with tax",
    "with vat",
    "incl. tax",
    "including tax",
    "s daní",
    "s dph",
    "com imposto",
    "com impostos",
];

/// One way of reading a field.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub value: Value,
    pub confidence: f64,
    pub page: u32,
    pub text: String,
    pub bbox: Option<BBox>,
    /// Index of the line it was read from (reading order).
    pub line: usize,
    pub amount: Option<f64>,
    pub currency: Option<&'static str>,
}

impl Candidate {
    /// A text read on line `line`, the value being the text itself.
    fn of_text(text: &str, confidence: f64, page: u32, bbox: Option<BBox>, line: usize) -> Candidate {
        Candidate {
            value: json!(text),
            confidence,
            page,
            text: text.to_string(),
            bbox,
            line,
            amount: None,
            currency: None,
        }
    }

    fn evidence(&self) -> FieldEvidence {
        FieldEvidence {
            confidence: (self.confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
            page: Some(self.page),
            text: self.text.clone(),
            bbox: self.bbox,
        }
    }
}

/// Everything the field readers share.
pub(crate) struct Ctx<'a> {
    pub lines: Vec<TLine>,
    pub hits: Vec<LabelHit>,
    pub fields: Vec<&'a FieldSpec>,
    pub order: DateOrder,
    pub doc_text: String,
}

fn label_quality(len: usize) -> f64 {
    0.78 + 0.17 * (len as f64 / 12.0).min(1.0)
}

/// The text right of a label on its line, up to the next label that does not go on with it.
fn right_region(ctx: &Ctx, hit: &LabelHit) -> (usize, usize) {
    let line = &ctx.lines[hit.line];
    let stop = ctx
        .hits
        .iter()
        .filter(|h| h.line == hit.line && h.start >= hit.end && !continues_a_label(ctx, h))
        .map(|h| h.start)
        .min()
        .unwrap_or(line.text.len());
    (hit.end, stop.max(hit.end))
}

/// Words that say whether a tax is in an amount or not ("excl. of", "inkl.", "hors", "bez"):
/// a tax label after them qualifies the label before it.
const TAX_QUALIFIERS: &[&str] = &[
    "excl",
    "incl",
    "excluding",
    "including",
    "exclusive",
    "inclusive",
    "of",
    "without",
    "with",
    "w",
    "o",
    "before",
    "after",
    "plus",
    "ex",
    "inc",
    "exkl",
    "inkl",
    "zzgl",
    "ohne",
    "mit",
    "hors",
    "avec",
    "sans",
    "zonder",
    "met",
    "exclusief",
    "inclusief",
    "bez",
    "sem",
    "com",
    "sin",
    "con",
    "senza",
    "be",
    "su",
    "ar",
    "uden",
    "utan",
    "med",
];

/// Whether a label goes on with the label before it in the same run of words: its
/// translation after a slash ("VAT/ PVN", "Due / Apmokėti iki"), a qualifier in brackets
/// ("Total w/o VAT/ Iš viso(be PVN)", "Total (excl. VAT)") or a tax after words that say it
/// is in or out ("Total amount excl. of VAT"). The value right of them is the first label's.
fn continues_a_label(ctx: &Ctx, hit: &LabelHit) -> bool {
    let line = &ctx.lines[hit.line];
    let Some(previous) = ctx.hits.iter().filter(|h| h.line == hit.line && h.end <= hit.start).max_by_key(|h| h.end)
    else {
        return false;
    };
    if line.segment_at(previous.start) != line.segment_at(hit.start) {
        return false;
    }
    let between = &line.text[previous.end..hit.start];
    let separators_only = between.chars().all(|c| c.is_whitespace() || "/|:()-,".contains(c));
    let opened = between.rfind('(').is_some_and(|open| !between[open..].contains(')'));
    let words: Vec<String> =
        between.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(fold).collect();
    let qualified = !words.is_empty() && words.iter().all(|w| TAX_QUALIFIERS.contains(&w.as_str()));
    (separators_only && between.contains(['/', '|', '('])) || (opened && words.len() <= 2) || qualified
}

/// The segment of the nearest line below a label that overlaps it horizontally; or, under a
/// label alone on its line, a line right below it that holds one value and nothing else,
/// wherever it is aligned (a panel's title over its body set right: "Total due" over
/// "14731.92 EUR" at the far side of the page), the top line of the next page when the label
/// ends its page.
fn below_region(ctx: &Ctx, hit: &LabelHit) -> Option<(usize, usize, usize)> {
    let here = &ctx.lines[hit.line];
    let height = here.height();
    let label_alone = here.segments().len() == 1
        && here.text[..hit.start].trim().is_empty()
        && here.text[hit.end..].trim_matches(|c: char| c.is_whitespace() || c == ':').is_empty();
    let lone_value = |j: usize| match ctx.lines[j].segments()[..] {
        [(s, e)] if label_alone && j == hit.line + 1 && !has_hit(ctx, j, s, e) => Some((j, s, e)),
        _ => None,
    };
    // Lines passed over, with nothing under the label.
    let mut passed: Vec<usize> = Vec::new();
    for j in hit.line + 1..(hit.line + 5).min(ctx.lines.len()) {
        let line = &ctx.lines[j];
        if line.page == here.page + 1 {
            return lone_value(j);
        }
        if line.page != here.page || line.bbox.y0 - here.bbox.y1 > 3.5 * height {
            break;
        }
        // Under a label phrase ending in a colon ("Buyer / Pirkėjas:"), the whole phrase.
        let phrase = here
            .segment_at(hit.start)
            .filter(|(_, e)| here.text[..*e].trim_end().ends_with(':'))
            .and_then(|(s, e)| here.bbox_of(s, e))
            .unwrap_or(hit.bbox);
        let (x0, x1) = (hit.bbox.x0 - 4.0, phrase.x1.max(hit.bbox.x1).max(hit.bbox.x0 + 40.0) + 4.0);
        let best = line
            .segments()
            .into_iter()
            .filter_map(|(s, e)| {
                let b = line.bbox_of(s, e)?;
                let overlap = b.x1.min(x1) - b.x0.max(x0);
                (overlap > 0.0).then_some((s, e, overlap))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((s, e, _)) = best {
            // A value under a word of a line passed over is that word's: "Kopie factuur" over
            // a row of heads ("Klant   Order   Factuur") and the row of their values.
            let under_another = |b: BBox| {
                passed
                    .iter()
                    .flat_map(|&k| ctx.lines[k].segments().into_iter().map(move |seg| (k, seg)))
                    .any(|(k, (ks, ke))| ctx.lines[k].bbox_of(ks, ke).is_some_and(|a| a.x1.min(b.x1) > a.x0.max(b.x0)))
            };
            if line.bbox_of(s, e).is_some_and(under_another) {
                return None;
            }
            // "Due date: 12 May" under "Date" is the value of its own label; but a seller's key
            // under the customer's heading ("Razón social:") keys the customer's name.
            let field_of = |h: &LabelHit| h.field.map(|f| ctx.fields[f].name.as_str());
            let buyers_heading = field_of(hit).is_some_and(is_buyer_field);
            if ctx
                .hits
                .iter()
                .any(|h| h.line == j && h.start == s && !(buyers_heading && field_of(h).is_some_and(is_vendor_field)))
            {
                return None;
            }
            // "(Not for payment)" under a label is a remark; the value comes after it. ("(555)
            // 0100" is a value.)
            let cell = line.text[s..e].trim();
            if cell.starts_with('(') && cell.ends_with(')') && !cell.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            // A party heading over a form: the row under it is "Name:   Acme Ltd", and the
            // value is the segment right of that key.
            if line.text[s..e].trim_end().ends_with(':') {
                return line.segment_after(e).map(|(s, e)| (j, s, e));
            }
            // "Waybill Number: 1Z…" under a heading ("Commercial Invoice") is the waybill's: a
            // key that names a thing of its own keys the identifier after it.
            let identifies = hit.field.is_some_and(|f| ctx.fields[f].kind == FieldKind::Identifier);
            if identifies && keys_something_else(&line.text[s..e]) {
                return None;
            }
            // Or the key and its name in one run of words, the name followed by a dotted
            // leader: "Razón social: Globex Corporation . . . ."
            let names_a_party = hit.field.is_some_and(|f| ctx.fields[f].kind == FieldKind::Name);
            let keyed =
                |(ks, ke): (usize, usize)| name_after_key(&line.text[ks..ke]).map(|(vs, ve)| (ks + vs, ks + ve));
            if let Some((vs, ve)) = names_a_party.then(|| keyed((s, e))).flatten() {
                // The row may key a tax number first and the name further on: "CUIT:
                // 30-51035411-1   Razón Social: Distribuidora El Faro S.R.L."
                let named_further = || {
                    let further = line.segments().into_iter().filter(|&(ns, _)| ns >= e);
                    further.filter_map(keyed).find(|&(ns, ne)| name_like(&line.text[ns..ne]))
                };
                let (vs, ve) =
                    if name_like(&line.text[vs..ve]) { (vs, ve) } else { named_further().unwrap_or((vs, ve)) };
                return Some((j, vs, ve));
            }
            return Some((j, s, e));
        }
        if let Some(value) = lone_value(j) {
            return Some(value);
        }
        passed.push(j);
    }
    None
}

/// The name in a form's row "Key: Name . . . . ." (a key of one to three words): its byte range
/// in `cell`, up to a dotted leader.
fn name_after_key(cell: &str) -> Option<(usize, usize)> {
    let (key, _) = cell.split_once(':')?;
    let words = key.split_whitespace().count();
    if !(1..=3).contains(&words) || !key.chars().all(|c| c.is_alphabetic() || c.is_whitespace() || c == '.') {
        return None;
    }
    let start = key.len() + 1;
    let rest = &cell[start..];
    let end = rest.find(" . .").unwrap_or(rest.len());
    let value = rest[..end].trim();
    if value.is_empty() {
        return None;
    }
    let value_start = start + rest.find(value)?;
    Some((value_start, value_start + value.len()))
}

/// Whether a value is a login ("jsmith", "m.brown"): one word with no capital, which names no
/// party.
fn a_login(text: &str) -> bool {
    !text.contains(' ') && text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_uppercase)
}

/// Replaces the dates in a text with spaces (byte for byte), so that their digits are not
/// read as amounts.
fn blank_dates(text: &str, order: DateOrder) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for d in find_dates_with(text, order) {
        for b in &mut bytes[d.start..d.end] {
            *b = b' ';
        }
    }
    // Only whole characters were blanked, so this cannot fail; fall back to the original.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// Replaces the rates in a text ("15 %", "7,5%") with spaces, byte for byte.
fn blank_rates(text: &str) -> String {
    static RATE: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)?\s?%").expect("a valid pattern"));
    RATE.replace_all(text, |c: &regex::Captures| " ".repeat(c[0].len())).into_owned()
}

/// Words that say a number follows, as both callers see them: lower case, without the
/// punctuation around them ("No.:" is "no").
/// Words in capitals that say what a document is or where it stands, never its number.
const DOCUMENT_STATES: &[&str] = &[
    "COPY",
    "DRAFT",
    "ORIGINAL",
    "DUPLICATE",
    "PAID",
    "UNPAID",
    "OVERDUE",
    "PENDING",
    "PROFORMA",
    "VOID",
    "NONE",
    "CANCELLED",
    "CANCELED",
    "DUE",
    "TOTAL",
    "DATE",
    "FINAL",
];

const NUMBER_WORDS: &[&str] =
    &["no", "nr", "n", "number", "num", "nummer", "numero", "#", "id", "ref", "numer", "număr", "číslo", "szám"];

/// Whether the words right of a label say that it names an identifier, not an amount: "Tax
/// No.: 5176189268", "VAT Nr.", "ÁFA szám".
fn names_an_identifier(rest: &str) -> bool {
    rest.split_whitespace().next().is_some_and(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '#').to_lowercase();
        NUMBER_WORDS.contains(&word.as_str())
    })
}

/// Whether a cell is a "Key: value" pair whose key of one to three words names a thing of its
/// own ("Waybill Number:", "Tracking no:"), not just a number ("No.:", "Nr.:").
fn keys_something_else(cell: &str) -> bool {
    let Some((key, value)) = cell.split_once(':') else { return false };
    let words: Vec<String> = key.split_whitespace().map(fold).collect();
    (1..=3).contains(&words.len())
        && key.chars().all(|c| c.is_alphabetic() || c.is_whitespace() || c == '.')
        && value.chars().any(char::is_alphanumeric)
        && words.iter().any(|w| !NUMBER_WORDS.contains(&w.as_str()))
}

/// Parses the value of a field from a region of a line. Returns the value, the byte range
/// of its source text, a quality factor, and (for money) the amount and currency.
fn parse_region(
    ctx: &Ctx,
    field: &FieldSpec,
    line: &TLine,
    start: usize,
    end: usize,
) -> Option<(Value, usize, usize, f64, Option<f64>, Option<&'static str>)> {
    let region = line.text.get(start..end)?;
    match &field.kind {
        FieldKind::Date => {
            let d = find_dates_with(region, ctx.order).into_iter().next()?;
            Some((json!(d.iso), start + d.start, start + d.end, 1.0, None, None))
        }
        FieldKind::Money | FieldKind::Number | FieldKind::Integer => {
            // Recognised text splits amounts ("30. 00"); the repair keeps byte offsets.
            let repaired;
            let region = if line.ocr {
                repaired = repair_ocr_amounts(region);
                repaired.as_str()
            } else {
                region
            };
            let blanked = blank_dates(region, ctx.order);
            // A value that ends the region as its one figure but for a rate, printed in
            // groups, is read whole ("21 893.23", "Arvoden 12 180.65", "mva 15 % 1 656,18").
            let without_rates = blank_rates(&blanked);
            let grouped = find_money_grouped(&without_rates);
            let one_grouped_figure = match grouped.as_slice() {
                [m] => (!without_rates[..m.start].contains(|c: char| c.is_ascii_digit())
                    && without_rates[m.end..].trim().is_empty())
                .then_some(grouped),
                _ => None,
            };
            // A rate ("21 %") is not an amount, nor is a whole number followed by a word
            // ("1003 Lausanne", "30 days").
            let found: Vec<_> = one_grouped_figure
                .unwrap_or_else(|| find_money(&blanked))
                .into_iter()
                .filter(|m| {
                    let after = blanked[m.end..].trim_start();
                    let whole = !blanked[m.start..m.end].contains(['.', ',']);
                    !after.starts_with('%')
                        && !(whole && m.money.currency.is_none() && after.starts_with(char::is_alphabetic))
                })
                .collect();
            let m = found.last()?;
            let amount = m.money.amount;
            let value = if field.kind == FieldKind::Integer {
                if amount.fract() != 0.0 {
                    return None;
                }
                json!(amount as i64)
            } else {
                json!(amount)
            };
            let quality = if found.len() > 2 { 0.9 } else { 1.0 };
            Some((value, start + m.start, start + m.end, quality, Some(amount), m.money.currency))
        }
        FieldKind::Currency => {
            for (s, word) in words_with_offsets(region) {
                let w = word.trim_matches(|c: char| c == ':' || c == '(' || c == ')' || c == ',');
                if let Some(code) = parse_currency(w) {
                    return Some((json!(code), start + s, start + s + word.len(), 1.0, None, Some(code)));
                }
            }
            let m = find_money(region).into_iter().find(|m| m.money.currency.is_some())?;
            let code = m.money.currency?;
            Some((json!(code), start + m.start, start + m.end, 0.9, None, Some(code)))
        }
        FieldKind::Identifier => {
            if let Some(pattern) = field.pattern.as_deref().and_then(|p| Regex::new(p).ok()) {
                // The match may run on past the next label ("CHE-123.456.789 MWST", where
                // "MWST" is also a tax label), but it must start inside the region.
                let rest = line.text.get(start..)?;
                if let Some(m) = pattern.find(rest).filter(|m| m.start() < region.len()) {
                    let text = m.as_str().trim_end_matches([' ', '.', ',']);
                    return Some((json!(text), start + m.start(), start + m.start() + text.len(), 1.0, None, None));
                }
                return None;
            }
            // "Invoice with tax num.: A-17": the label phrase runs to its colon.
            let skip = region
                .find(':')
                .filter(|colon| !region[..*colon].chars().any(|c| c.is_ascii_digit()))
                .map_or(0, |colon| colon + 1);
            for (s, word) in words_with_offsets(&region[skip..]) {
                let s = s + skip;
                let lead = word.len() - word.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
                let trimmed = word[lead..].trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')');
                let trimmed = trimmed.trim_end_matches(')');
                if trimmed.is_empty() || NUMBER_WORDS.contains(&trimmed.to_lowercase().as_str()) {
                    continue;
                }
                // A code of capitals alone after a key's colon ("Invoice ID: JSBQP") is one, but
                // for a word that says what the document is ("Invoice: COPY").
                let code_end = start + s + lead + trimmed.len();
                let code_of_capitals = skip > 0
                    && (4..=12).contains(&trimmed.len())
                    && trimmed.chars().all(|c| c.is_ascii_uppercase())
                    && line.segment_at(code_end - 1).is_some_and(|(_, end)| line.text[code_end..end].trim().is_empty())
                    && !DOCUMENT_STATES.contains(&trimmed);
                if (!trimmed.chars().any(|c| c.is_ascii_digit()) && !code_of_capitals) || trimmed.len() < 2 {
                    return None;
                }
                if find_dates_with(trimmed, ctx.order).first().is_some_and(|d| d.end - d.start == trimmed.len()) {
                    return None;
                }
                let s = s + lead;
                let len = digit_groups_after(line, start + s, trimmed.len());
                let text = &line.text[start + s..start + s + len];
                return Some((json!(text), start + s, start + s + len, 1.0, None, None));
            }
            None
        }
        FieldKind::Name | FieldKind::Text | FieldKind::Address => {
            let (s, e) = value_segment(line, start).filter(|(s, _)| *s < end)?;
            let s = s.max(start);
            let e = e.min(end.max(s));
            let raw = line.text.get(s..e)?;
            // "Seller / Pardavėjas:": the rest of a bilingual label, not a value.
            if raw.trim_end().ends_with(':') {
                return None;
            }
            let lead = raw.len() - raw.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
            let text = raw[lead..].trim_end_matches([' ', ',', ';', ':']);
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            if letters < 2 || text.chars().count() > 100 {
                return None;
            }
            if field.kind == FieldKind::Name && a_login(text) {
                return None;
            }
            // "Issue date: 5 May 2023" in the next column is another label's pair, not a name.
            if field.kind == FieldKind::Name
                && text.split_once(':').is_some_and(|(_, v)| v.chars().any(char::is_alphanumeric))
            {
                return None;
            }
            let quality = if field.kind == FieldKind::Name && text.chars().filter(|c| c.is_ascii_digit()).count() > 4 {
                0.6
            } else {
                1.0
            };
            Some((json!(text), s + lead, s + lead + text.len(), quality, None, None))
        }
        FieldKind::Boolean | FieldKind::TextList | FieldKind::Table(_) => None,
    }
}

/// The length of an identifier that starts at `at` with a word of `len` bytes, taken on
/// over the groups of digits that make up the rest of its segment: a number printed in
/// groups ("74 19610", a bank reference) is one identifier. Anything else after it (a
/// word, a date, an amount) leaves the first word alone.
fn digit_groups_after(line: &TLine, at: usize, len: usize) -> usize {
    let Some((_, segment_end)) = line.segment_at(at) else { return len };
    let rest = line.text.get(at + len..segment_end).unwrap_or("").trim_end();
    let groups = rest.split(' ').skip(1);
    let spaced_digits = rest.starts_with(' ')
        && groups.clone().count() > 0
        && groups.into_iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    if spaced_digits { len + rest.len() } else { len }
}

/// The segment a value right of a label at `at` is in: the rest of the label's own segment,
/// else (past the label's colon) the next one.
fn value_segment(line: &TLine, at: usize) -> Option<(usize, usize)> {
    line.segment_at(at)
        .filter(|(_, e)| line.text.get(at..*e).is_some_and(|t| t.chars().any(char::is_alphanumeric)))
        .or_else(|| line.segment_after(at + 1))
}

fn words_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

fn candidate(
    ctx: &Ctx,
    line_index: usize,
    parsed: (Value, usize, usize, f64, Option<f64>, Option<&'static str>),
    confidence: f64,
) -> Candidate {
    let line = &ctx.lines[line_index];
    let (value, s, e, quality, amount, currency) = parsed;
    Candidate {
        value,
        confidence: confidence * quality,
        page: line.page,
        text: line.text.get(s..e).unwrap_or_default().to_string(),
        bbox: line.bbox_of(s, e),
        line: line_index,
        amount,
        currency,
    }
}

/// Whether a hit of a field's labels is one of its fallback labels.
fn is_fallback_hit(ctx: &Ctx, hit: &LabelHit, field: &FieldSpec) -> bool {
    let found = fold_label(&ctx.lines[hit.line].text[hit.start..hit.end]);
    field.fallback_labels.iter().any(|l| fold_label(l) == found)
}

/// The candidates a field's labels give: its own labels', or its fallback labels' (`fallback`).
fn labelled_candidates(ctx: &Ctx, index: usize, field: &FieldSpec, fallback: bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    for hit in ctx
        .hits
        .iter()
        .filter(|h| h.field == Some(index) && !continues_a_label(ctx, h) && is_fallback_hit(ctx, h, field) == fallback)
    {
        // A seller's key under the customer's heading ("Razón social:" under "Datos del
        // cliente") keys the customer's name.
        if is_vendor_field(&field.name) && under_a_buyer_heading(ctx, hit) {
            continue;
        }
        let q = label_quality(hit.len);
        let line = &ctx.lines[hit.line];
        let starts_segment = line.segment_at(hit.start).is_some_and(|(s, _)| s == hit.start);
        if matches!(field.kind, FieldKind::Name | FieldKind::Text | FieldKind::Address) && !starts_segment {
            // "from" in "removed debris from case" is prose, not a form label.
            continue;
        }
        let (s, e) = right_region(ctx, hit);
        if field.kind == FieldKind::Money && line.text.get(s..e).is_some_and(names_an_identifier) {
            continue;
        }
        // A party's heading in a row of three or more column heads ("Facturation   Livraison
        // Date : …"), or beside another head in capitals as it is ("INVOICE FROM   EVENT") or
        // worded like it ("Factuuradres   Afleveradres", "Billing Address   Shipping Address"):
        // its value is under it, not the next column's head.
        let capitals = |t: &str| t.chars().any(char::is_alphabetic) && !t.chars().any(char::is_lowercase);
        let heads_a_column = matches!(field.kind, FieldKind::Name | FieldKind::Address)
            && line.segment_at(hit.start).is_some_and(|(label_start, end)| {
                let beside_a_head = || {
                    line.segment_after(end).is_some_and(|(ns, ne)| {
                        let (head, next) = (&line.text[label_start..end], &line.text[ns..ne]);
                        (capitals(head) && capitals(next)) || worded_alike(head, next)
                    })
                };
                line.text[hit.end..end].trim().is_empty() && (line.segments().len() >= 3 || beside_a_head())
            });
        let rest_empty = heads_a_column || line.text.get(s..e).is_none_or(|t| !t.chars().any(|c| c.is_alphanumeric()));
        if !rest_empty {
            if let Some(mut p) = parse_region(ctx, field, line, s, e) {
                if field.kind == FieldKind::Identifier {
                    p.0 = with_point_of_sale(&line.text[..hit.start], p.0);
                }
                out.push(candidate(ctx, hit.line, p, 0.95 * q));
                continue;
            }
        }
        if field.kind == FieldKind::Date {
            if let Some(c) = wrapped_date(ctx, hit, (s, e), 0.85 * q) {
                out.push(c);
                continue;
            }
        }
        if field.kind == FieldKind::Money {
            if let Some(c) = wrapped_amount(ctx, hit, (s, e), 0.85 * q) {
                out.push(c);
                continue;
            }
        }
        // "Customer: 2", "Client: jsmith": the label keys a number or a login right beside it,
        // so what is under it is no name of its.
        let keyed_number = line.text.get(s..e).is_some_and(|t| {
            let value = t.trim_matches(|c: char| !c.is_alphanumeric());
            !value.is_empty() && (value.chars().all(|c| c.is_ascii_digit()) || a_login(value))
        });
        if keyed_number && matches!(field.kind, FieldKind::Name) {
            continue;
        }
        if let Some((j, s, e)) = below_region(ctx, hit) {
            if let Some(p) = parse_region(ctx, field, &ctx.lines[j], s, e) {
                // A value below a label in running text is less sure than one in a form; an
                // amount under a column title of a table is a line's, not the document's.
                let table_header = line.segments().len() >= 3 && find_money(&line.text).is_empty();
                // A date under the items table's head ("Datum") is an item's, not the document's.
                if table_header && field.kind == FieldKind::Date && heads_a_table(ctx, hit.line) {
                    continue;
                }
                let factor = match (rest_empty, table_header, &field.kind) {
                    (_, true, FieldKind::Money | FieldKind::Number) => 0.55,
                    (true, _, _) => 0.92,
                    (false, _, _) => 0.8,
                };
                out.push(candidate(ctx, j, p, factor * q));
            }
        }
    }
    out
}

/// Whether two column heads end alike, in four letters or more, and the second holds no
/// figure: "Factuuradres" and "Afleveradres", "Billing Address" and "Shipping Address".
fn worded_alike(head: &str, next: &str) -> bool {
    let (head, next) = (fold(head.trim_end_matches(':')), fold(next.trim_end_matches(':')));
    let shared = head.chars().rev().zip(next.chars().rev()).take_while(|(a, b)| a == b).count();
    shared >= 4 && !next.chars().any(|c| c.is_ascii_digit()) && head != next
}

/// Whether a label's hit lies in the three lines under a hit of a buyer field's label.
fn under_a_buyer_heading(ctx: &Ctx, hit: &LabelHit) -> bool {
    let page = ctx.lines[hit.line].page;
    ctx.hits.iter().any(|h| {
        h.line < hit.line
            && h.line + 3 >= hit.line
            && ctx.lines[h.line].page == page
            && h.field.is_some_and(|f| is_buyer_field(&ctx.fields[f].name))
    })
}

/// An Argentine comprobante's number is its point of sale's and its own, printed apart:
/// "Punto de Venta: 0003 Comp. Nro: 00088703" numbers it "0003-00088703". `before` is the
/// text before the number's label.
fn with_point_of_sale(before: &str, number: Value) -> Value {
    static POINT_OF_SALE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?i)\bpunto\s+de\s+venta\s*:?\s*([0-9]{1,5})\s*$").expect("a valid pattern")
    });
    match (POINT_OF_SALE.captures(before), number.as_str()) {
        (Some(point), Some(own)) if own.chars().all(|c| c.is_ascii_digit()) => json!(format!("{}-{own}", &point[1])),
        _ => number,
    }
}

/// A date wrapped over two lines of a narrow cell beside its label: "18 September" right of
/// "Due" and "2023" on the next line, or "04 September" above a "Date:" set in the middle
/// of its cell and "2023" below it.
fn wrapped_date(ctx: &Ctx, hit: &LabelHit, (s, e): (usize, usize), confidence: f64) -> Option<Candidate> {
    let here = &ctx.lines[hit.line];
    let centre = |b: &BBox| (b.y0 + b.y1) / 2.0;
    // The words right of the label on a line beside it, none of them a label.
    let right_of_label = |j: usize| -> Option<(String, BBox)> {
        let line = ctx.lines.get(j)?;
        if line.page != here.page || (centre(&line.bbox) - centre(&here.bbox)).abs() > 1.5 * here.height() {
            return None;
        }
        let words: Vec<_> =
            line.words.iter().filter(|w| w.bbox.x0 >= hit.bbox.x1 && !has_hit(ctx, j, w.start, w.end)).collect();
        let text = words.iter().map(|w| &line.text[w.start..w.end]).collect::<Vec<_>>().join(" ");
        let bbox = words.iter().map(|w| w.bbox).reduce(|a, b| a.union(&b))?;
        Some((text, bbox))
    };
    let own = here.text.get(s..e).map(str::trim).filter(|t| t.chars().any(char::is_alphanumeric));
    let before = match own {
        Some(text) => Some((text.to_string(), here.bbox_of(s, e)?)),
        None => right_of_label(hit.line.checked_sub(1)?),
    }?;
    let after = right_of_label(hit.line + 1)?;
    let joined = format!("{} {}", before.0, after.0);
    let date = find_dates_with(&joined, ctx.order).into_iter().next()?;
    // Both lines take part: the date starts on the first and ends on the second.
    if date.start >= before.0.len() || date.end <= before.0.len() + 1 {
        return None;
    }
    Some(Candidate {
        value: json!(date.iso),
        confidence,
        page: here.page,
        text: joined[date.start..date.end].to_string(),
        bbox: Some(before.1.union(&after.1)),
        line: hit.line,
        amount: None,
        currency: None,
    })
}

/// An amount wrapped in a narrow cell beside its label: only its currency is right of the
/// label, its figure on the line just above or below, in the same column ("14452,05" over
/// "Summe (netto)   CHF").
fn wrapped_amount(ctx: &Ctx, hit: &LabelHit, (s, e): (usize, usize), confidence: f64) -> Option<Candidate> {
    let here = &ctx.lines[hit.line];
    // The currency ends the region; before it only the rest of the label ("(brutto)").
    let trimmed = here.text.get(s..e)?.trim_end();
    let (start, end) = (trimmed.rfind(char::is_whitespace).map_or(s, |at| s + at + 1), s + trimmed.len());
    let code = parse_currency(&here.text[start..end])?;
    let labelled = |at: usize| ctx.hits.iter().any(|h| h.line == hit.line && h.start <= at && at < h.end);
    if here.text[s..start].char_indices().any(|(at, c)| c.is_alphanumeric() && !labelled(s + at)) {
        return None;
    }
    let unit = here.bbox_of(start, end)?;
    [hit.line.checked_sub(1), Some(hit.line + 1)].into_iter().flatten().find_map(|j| {
        let line = ctx.lines.get(j).filter(|l| l.page == here.page)?;
        if (line.bbox.y0 - here.bbox.y0).abs() > 1.5 * here.height() {
            return None;
        }
        line.segments().into_iter().find_map(|(fs, fe)| {
            let figure = line.bbox_of(fs, fe).filter(|b| b.x0 < unit.x1 && unit.x0 < b.x1)?;
            let text = line.text[fs..fe].trim();
            let money = parse_money(text).filter(|m| m.currency.is_none() && !has_hit(ctx, j, fs, fe))?;
            Some(Candidate {
                value: json!(money.amount),
                confidence,
                page: here.page,
                text: format!("{text} {}", &here.text[start..end]),
                bbox: Some(figure.union(&unit)),
                line: hit.line,
                amount: Some(money.amount),
                currency: Some(code),
            })
        })
    })
}

/// The currency of the document from the symbols and codes found next to amounts (and
/// standalone ISO codes), with the amount-attached ones counting double.
fn vote_currency(ctx: &Ctx) -> Option<Candidate> {
    let mut votes: HashMap<&'static str, (f64, usize, usize, usize)> = HashMap::new();
    for (li, line) in ctx.lines.iter().enumerate() {
        let blanked = blank_dates(&line.text, ctx.order);
        for m in find_money(&blanked) {
            if times_read_as_yen(line, m.start) {
                continue;
            }
            if let Some(code) = m.money.currency {
                let entry = votes.entry(code).or_insert((0.0, li, m.start, m.end));
                entry.0 += 2.0;
            }
        }
        let has_digits = line.text.chars().any(|c| c.is_ascii_digit());
        let mut previous = "";
        for (s, word) in words_with_offsets(&line.text) {
            // A column's unit in brackets ("Amount(RM)", "Tax (EUR)") names the currency of
            // the figures under it, on a line of titles without figures of its own.
            let bracketed = word.split_once('(').and_then(|(_, inside)| inside.strip_suffix(')'));
            let w = bracketed
                .unwrap_or_else(|| word.trim_matches(|c: char| c.is_ascii_punctuation() && c != '$' && c != '.'));
            let w = w.trim_end_matches(['.', ':']);
            let after_company_word = previous.eq_ignore_ascii_case("sdn");
            previous = w;
            let iso_like = w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase());
            let symbol_like = matches!(w, "RM" | "Rs" | "€" | "$" | "£" | "₹" | "¥" | "CHF" | "US$");
            if (has_digits || bracketed.is_some())
                && !after_company_word
                && (iso_like || symbol_like || bracketed.is_some())
                && !times_read_as_yen(line, s)
            {
                if let Some(code) = parse_currency(w) {
                    let entry = votes.entry(code).or_insert((0.0, li, s, s + word.len()));
                    entry.0 += 1.0;
                }
            }
        }
    }
    let total: f64 = votes.values().map(|v| v.0).sum();
    let (code, (score, li, s, e)) = votes.into_iter().max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.0.cmp(a.0)))?;
    let line = &ctx.lines[li];
    let text = line.text.get(s..e).unwrap_or_default().to_string();
    let code = currency_in_context(code, &text, &ctx.doc_text);
    let share = score / total.max(1.0);
    Some(Candidate {
        value: json!(code),
        confidence: 0.45 + 0.25 * share,
        page: line.page,
        text,
        bbox: line.bbox_of(s, e),
        line: li,
        amount: None,
        currency: Some(code),
    })
}

/// The currency an amount's text (`text`, "$ 12.00", "1 234,50 kr") is in, once the document
/// says which: "$" alone is the dollar of the country the text names, "kr" the krone or
/// krona of the language it is written in, "Bs." the bolívar or the boliviano.
fn currency_in_context(code: &'static str, text: &str, doc_text: &str) -> &'static str {
    let symbol = text.trim_matches(|c: char| c.is_ascii_digit() || ".,()".contains(c) || c.is_whitespace());
    let shared = match code {
        "USD" if symbol.contains('$') && !symbol.contains("US") => "$",
        "SEK" if symbol.eq_ignore_ascii_case("kr") || symbol.eq_ignore_ascii_case("kr.") => "kr",
        "VES" if symbol.starts_with("Bs") => "Bs",
        _ => return code,
    };
    parse_currency_in_context(shared, doc_text).unwrap_or(code)
}

/// Whether the "¥" at byte `at` of an OCR'd line stands between a quantity and a price
/// ("3.00 PKTS ¥ 13.00"): a multiplication sign that OCR read as a yen sign.
fn times_read_as_yen(line: &TLine, at: usize) -> bool {
    line.ocr
        && line.text.get(at..).is_some_and(|rest| rest.starts_with('¥'))
        && line.text[..at].split_whitespace().last().is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// The one currency the document names in words, with the words as evidence; `None` when
/// it names none or several.
fn currency_named_in_words(ctx: &Ctx) -> Option<Candidate> {
    let named: Vec<(usize, usize, usize, &'static str)> = ctx
        .lines
        .iter()
        .enumerate()
        .flat_map(|(li, line)| currency_names_in(&line.text).into_iter().map(move |(s, e, code)| (li, s, e, code)))
        .collect();
    let &(li, s, e, code) = named.first()?;
    if named.iter().any(|n| n.3 != code) {
        return None;
    }
    let line = &ctx.lines[li];
    Some(Candidate {
        value: json!(code),
        confidence: 0.45,
        page: line.page,
        text: line.text[s..e].to_string(),
        bbox: line.bbox_of(s, e),
        line: li,
        amount: None,
        currency: Some(code),
    })
}

/// Company names ending in a legal form; the one repeated most, nearest the top of the
/// first page, wins. Names next to a buyer label are skipped.
fn legal_name_candidates(ctx: &Ctx, buyer_fields: &[usize]) -> Vec<Candidate> {
    let mut found: Vec<(String, usize, usize, usize)> = Vec::new();
    for (li, line) in ctx.lines.iter().enumerate() {
        let near_buyer = ctx.hits.iter().any(|h| {
            h.field.is_some_and(|f| buyer_fields.contains(&f)) && (h.line == li || h.line + 1 == li || h.line + 2 == li)
        });
        if near_buyer {
            continue;
        }
        for (seg_start, seg_end) in line.segments() {
            for name in legal_names(&line.text[seg_start..seg_end], line.ocr) {
                // A line that goes on to a price is an item ("SUGAR KG  2  20.38", where
                // OCR lost the "1" of "1KG"), not a company.
                if priced(&line.text[seg_start + name.end..]) {
                    continue;
                }
                found.push((name.name, li, seg_start + name.start, seg_start + name.end));
            }
        }
    }
    let mut out = Vec::new();
    for (text, li, s, e) in &found {
        let key = fold(text);
        let count = found.iter().filter(|f| fold(&f.0) == key).count();
        let first = found.iter().position(|f| fold(&f.0) == key).unwrap_or(0);
        if found[first].1 != *li {
            continue;
        }
        let line = &ctx.lines[*li];
        let top = line.page == 1 && line.bbox.y0 < line.page_height * 0.25;
        let confidence = 0.5 + 0.07 * (count.min(4) as f64 - 1.0) + if top { 0.1 } else { 0.0 };
        out.push(Candidate {
            value: json!(text),
            confidence,
            page: line.page,
            text: line.text[*s..*e].to_string(),
            bbox: line.bbox_of(*s, *e),
            line: *li,
            amount: None,
            currency: None,
        });
    }
    out
}

/// Whether a text holds an amount with decimals ("20.38", "1.234,50").
pub(crate) fn priced(text: &str) -> bool {
    static PRICE: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"\d[.,]\d{2}\b").expect("a valid pattern"));
    PRICE.is_match(text)
}

/// Whether a segment reads like a name: starts with a capital or a digit, has letters, no
/// digits, no e-mail or web address, and is not a label ("Date:").
fn name_like(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !text.chars().any(|c| c.is_ascii_digit())
        && !text.contains('@')
        && !text.to_lowercase().contains("www")
        && !text.ends_with(':')
        && text.split_whitespace().count() <= 8
}

/// A label word followed by "no" and a colon or the like ("Company no: 1174703-K", "GST Reg
/// no > 0000 6771", "Invoice No :"), read as OCR gives it: the line numbers something. An
/// address that starts with "No. 2" has no word before the "no".
fn numbered_label(text: &str) -> bool {
    static NUMBERED: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"(?i)\b[a-z]{2,}\.?\s+no\.?\s*[:>#]").expect("a valid pattern"));
    NUMBERED.is_match(text)
}

/// Registration details printed between a company's name and its address: a bracketed
/// company number under OCR, a tax or company registration line.
fn registration_line(line: &TLine, text: &str) -> bool {
    let folded = format!(" {} ", fold(text));
    (line.ocr && text.starts_with('(') && text.ends_with(')'))
        || numbered_label(text)
        || [" gst ", " sst ", " vat ", " reg ", " roc ", " company no ", " co no "].iter().any(|w| folded.contains(w))
}

/// Whether a line of a letterhead is part of the postal address, not a phone, tax,
/// registration or date line or a rule.
fn address_line_like(line: &TLine, text: &str, order: DateOrder) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    let folded = format!(" {} ", fold(text));
    let stop_words = [
        " tel ",
        " tel no ",
        " phone ",
        " fax ",
        " gst ",
        " vat ",
        " tva ",
        " ust ",
        " mwst ",
        " reg ",
        " company no ",
        " co no ",
        " roc ",
        " date ",
        " datum ",
        " invoice ",
        " receipt ",
        " email ",
        " mobile ",
        " hp ",
    ];
    letters >= 2
        && digits <= letters * 2
        && !text.contains('@')
        && !text.to_lowercase().contains("www")
        && !stop_words.iter().any(|w| folded.contains(w))
        && find_dates_with(text, order).is_empty()
        && !registration_line(line, text)
}

/// A letterhead found at the top of page 1: the name and the address lines under it.
struct Letterhead {
    name: Candidate,
    address: Vec<(usize, usize, usize)>,
    /// The block of another name beside the letterhead's, read before it: the recipient's.
    beside: Option<Candidate>,
}

/// The horizontal alignment of two boxes: same left edge, centre or right edge.
fn aligned(a: &BBox, b: &BBox) -> bool {
    let tolerance = 6.0;
    (a.x0 - b.x0).abs() < tolerance
        || (a.x1 - b.x1).abs() < tolerance
        || ((a.x0 + a.x1) / 2.0 - (b.x0 + b.x1) / 2.0).abs() < tolerance
}

/// The segments of the lines under `li` aligned with `b` that read like an address: at
/// most four lines, each close under the one before. Up to two registration lines right
/// under the name are passed over.
fn address_under(ctx: &Ctx, li: usize, b: &BBox) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut passed_over = 0;
    let mut blank_rows = 0;
    let mut previous = &ctx.lines[li];
    let mut previous_y1 = b.y1;
    for j in li + 1..(li + 6).min(ctx.lines.len()) {
        let next = &ctx.lines[j];
        if next.page != previous.page || next.bbox.y0 - previous_y1 > previous.height().max(next.height()) {
            break;
        }
        let Some((s, e)) = close_set_whole(next)
            .into_iter()
            .chain(next.segments())
            .find(|(s, e)| next.bbox_of(*s, *e).is_some_and(|nb| aligned(&nb, b)) && !has_hit(ctx, j, *s, *e))
        else {
            // One row left blank under the name while the next column goes on (a contact
            // person under the customer's name beside it): the address may follow.
            if out.is_empty() && blank_rows == 0 && !next.segments().is_empty() {
                blank_rows += 1;
                previous = next;
                previous_y1 = next.bbox.y1;
                continue;
            }
            break;
        };
        let text = next.text[s..e].trim();
        if !address_line_like(next, text, ctx.order) {
            if out.is_empty() && passed_over < 2 && registration_line(next, text) {
                passed_over += 1;
                previous = next;
                previous_y1 = next.bbox.y1;
                continue;
            }
            break;
        }
        out.push((j, s, e));
        previous = next;
        previous_y1 = next.bbox.y1;
        if out.len() == 4 {
            break;
        }
    }
    out
}

/// The recipient of a letter set for a window envelope: under a line of small print that
/// gives the sender's return address ("Müller Werkzeuge GmbH, Vinohradská 112, LS1 4AP
/// Leeds", or its parts set apart by bullets, the name printed again elsewhere on the page),
/// the first line of the block starting about where it starts is the recipient's name.
fn window_recipient(ctx: &Ctx) -> Option<(Candidate, Candidate)> {
    for (li, line) in ctx.lines.iter().enumerate() {
        if line.page != 1 || line.bbox.y0 > line.page_height * 0.5 {
            break;
        }
        // A return address too long for its line wraps onto one more in the same small print.
        let wrapped = ctx.lines.get(li + 1).filter(|w| {
            w.page == line.page
                && (w.height() - line.height()).abs() < 0.1 * line.height()
                && w.bbox.y0 - line.bbox.y1 < line.height()
                && (w.bbox.x0 - line.bbox.x0).abs() < 2.0 * line.height()
        });
        let whole = match wrapped {
            Some(w) => format!("{} {}", line.text, w.text),
            None => line.text.clone(),
        };
        let parts: Vec<&str> = whole.split([',', '●', '•', '·', '|', '–']).map(str::trim).collect();
        if parts.len() < 3 || !parts[1..].iter().any(|p| p.chars().any(|c| c.is_ascii_digit())) {
            continue;
        }
        // The recipient's block starts where the return address starts; lines of the seller's
        // block set right beside it may come between.
        let from = li + 1 + usize::from(wrapped.is_some());
        let starts_there = |j: &usize| {
            let other = &ctx.lines[*j];
            let first = other.segments().first().and_then(|&(s, e)| other.bbox_of(s, e));
            first.is_some_and(|b| (b.x0 - line.bbox.x0).abs() < 2.0 * other.height())
        };
        let Some(mut next_index) = (from..(from + 4).min(ctx.lines.len())).find(starts_there) else { break };
        // A form of address on a line of its own ("Herrn", "Mr.") comes before the name.
        let first_text = |j: usize| ctx.lines[j].segments().first().map(|&(s, e)| ctx.lines[j].text[s..e].trim());
        if first_text(next_index).is_some_and(form_of_address) {
            let Some(name_index) = (next_index + 1..(next_index + 3).min(ctx.lines.len())).find(starts_there) else {
                break;
            };
            next_index = name_index;
        }
        let next = &ctx.lines[next_index];
        let small_print = line.height() < 0.85 * next.height();
        let under = next.page == line.page
            && next.bbox.y0 - line.bbox.y1 < 6.0 * next.height()
            && (next.bbox.x0 - line.bbox.x0).abs() < 2.0 * next.height();
        let sender = fold(parts[0]);
        // Printed again anywhere but in the return address itself (the seller's block may
        // share its line).
        let return_address_start = line.segments().first().map(|(s, _)| *s);
        let named_elsewhere = || {
            ctx.lines.iter().enumerate().filter(|(_, other)| other.page == 1).find_map(|(j, other)| {
                other.segments().into_iter().find_map(|(s, e)| {
                    let text = other.text[s..e].trim();
                    (!(j == li && Some(s) == return_address_start) && fold(text) == sender)
                        .then(|| Candidate::of_text(text, 0.45, other.page, other.bbox_of(s, e), j))
                })
            })
        };
        // Else the return address itself, when it starts with a name.
        let printed_there = || {
            let start = line.text.find(parts[0]).filter(|_| name_like(parts[0]))?;
            Some(Candidate::of_text(parts[0], 0.4, line.page, line.bbox_of(start, start + parts[0].len()), li))
        };
        let Some(sender) = (small_print && under).then(|| named_elsewhere().or_else(printed_there)).flatten() else {
            continue;
        };
        let (s, e) = next.segments().first().copied()?;
        let text = next.text[s..e].trim();
        if !name_like(text) {
            return None;
        }
        return Some((Candidate::of_text(text, 0.55, next.page, next.bbox_of(s, e), next_index), sender));
    }
    None
}

/// A form of address printed over a recipient's name: "Herrn", "Frau", "Mr.", "Mme".
fn form_of_address(text: &str) -> bool {
    const FORMS: &[&str] = &[
        "herrn", "herr", "frau", "firma", "mr", "mrs", "ms", "miss", "mx", "monsieur", "madame", "m", "mme", "sr",
        "sra", "senor", "senora", "sig", "sig ra", "dhr", "mevr", "pan", "pani",
    ];
    FORMS.contains(&fold(text).as_str())
}

/// The whole line as one span when no gap between its words is wider than two and a half
/// times its height: a line set in one block, whose word gaps may still split it into
/// segments where OCR boxes hug capitals ("NO. 12, JALAN PUTRA 3/1" in a monospaced font).
fn close_set_whole(line: &TLine) -> Option<(usize, usize)> {
    let limit = 2.5 * line.height();
    let close = line.words.windows(2).all(|pair| pair[1].bbox.x0 - pair[0].bbox.x1 <= limit);
    let (first, last) = (line.words.first()?, line.words.last()?);
    (close && line.words.len() > 1).then_some((first.start, last.end))
}

/// The spans of a line a letterhead's name may be: its segments, and first the whole line
/// when it is one legal name printed with wide gaps ("SWC  ENTERPRISE  SDN  BHD"), not two
/// names in columns far apart.
fn heading_spans(line: &TLine) -> Vec<(usize, usize)> {
    let mut spans = line.segments();
    let whole = line.text.trim_end();
    let one_name = legal_names(whole, line.ocr).first().is_some_and(|n| n.start == 0 && n.end == whole.len());
    let letter_spaced = line.words.windows(2).all(|pair| pair[1].bbox.x0 - pair[0].bbox.x1 < 8.0 * line.height());
    if spans.len() > 1 && one_name && letter_spaced {
        spans.insert(0, (0, whole.len()));
    }
    spans
}

/// Whether two boxes on one line stand apart, neither reaching over the other; boxes not known
/// are taken to be one.
fn apart(a: Option<BBox>, b: Option<BBox>) -> bool {
    a.zip(b).is_some_and(|(a, b)| a.x1 <= b.x0 || b.x1 <= a.x0)
}

fn has_hit(ctx: &Ctx, li: usize, s: usize, e: usize) -> bool {
    ctx.hits.iter().any(|h| h.line == li && h.start < e && s < h.end)
}

/// A name set large that wraps: the segment at `li` and those right under it in the same
/// type, aligned with it ("Northgate Office" over "Supplies Ltd", centred in a letterhead),
/// joined. Returns the name, its box and the line it ends on.
fn wrapped_large_name(ctx: &Ctx, li: usize, (s, e): (usize, usize), body_height: f32) -> Option<(String, BBox, usize)> {
    let line = &ctx.lines[li];
    let mut name = line.text[s..e].trim().to_string();
    let mut bbox = line.bbox_of(s, e)?;
    let mut last = li;
    let height = bbox.y1 - bbox.y0;
    if height < 1.25 * body_height {
        return Some((name, bbox, last));
    }
    for j in li + 1..(li + 6).min(ctx.lines.len()) {
        let next = &ctx.lines[j];
        if next.page != line.page || next.bbox.y0 - bbox.y1 > 0.8 * height {
            break;
        }
        let continued = next.segments().into_iter().find_map(|(ns, ne)| {
            let b = next.bbox_of(ns, ne)?;
            let text = next.text[ns..ne].trim();
            let same_type = ((b.y1 - b.y0) - height).abs() < 0.15 * height;
            (same_type
                && b.y0 > bbox.y1 - 0.3 * height
                && aligned(&b, &bbox)
                && name_like(text)
                && !has_hit(ctx, j, ns, ne))
            .then(|| (text.to_string(), b))
        });
        if let Some((text, b)) = continued {
            name = format!("{name} {text}");
            bbox = bbox.union(&b);
            last = j;
        }
    }
    Some((name, bbox, last))
}

/// The letterhead whose name is the payee's: the seller's block, wherever it stands among
/// the blocks at the top of page 1 (right of the customer's, in a window envelope's layout).
fn payee_letterhead(ctx: &Ctx, payee: &Candidate, first_buyer_line: usize, body_height: f32) -> Option<Letterhead> {
    let key = fold(&payee.text);
    for (li, line) in ctx.lines.iter().enumerate().take(25) {
        if line.page != 1 || line.bbox.y0 > line.page_height * 0.35 || li > first_buyer_line {
            break;
        }
        let spans = heading_spans(line);
        for &(s, e) in &spans {
            if has_hit(ctx, li, s, e) || !name_like(line.text[s..e].trim()) {
                continue;
            }
            let Some((text, b, last)) = wrapped_large_name(ctx, li, (s, e), body_height) else { continue };
            if fold(&text) != key {
                continue;
            }
            let address_of = |li: usize, b: &BBox| {
                let address = address_under(ctx, li, b);
                let first = address.first().map(|(j, s, e)| ctx.lines[*j].text[*s..*e].to_string());
                first.is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())).then_some(address)
            };
            let beside = spans.iter().filter(|(os, _)| *os < s).find_map(|&(os, oe)| {
                let other = line.text[os..oe].trim();
                let ob = line.bbox_of(os, oe)?;
                (name_like(other) && !has_hit(ctx, li, os, oe) && address_of(li, &ob).is_some())
                    .then(|| Candidate::of_text(other, 0.45, line.page, Some(ob), li))
            });
            let name = Candidate::of_text(&text, 0.7, line.page, Some(b), li);
            return Some(Letterhead { name, address: address_of(last, &b).unwrap_or_default(), beside });
        }
    }
    None
}

/// The block at the top of page 1 that names the payee, if one does; else the topmost
/// name-like segment of page 1, above the buyer's block, that has an address (aligned left,
/// centred or right) right under it, or that is printed again in the page's footer, or, set
/// larger than the page's text, anywhere else on page 1 (in the return address over the
/// recipient's, or as the value of a key, the holder of the account to pay to). A name set
/// large that wraps is read whole.
fn letterhead(ctx: &Ctx, skip_fields: &[usize], payee: Option<&Candidate>) -> Option<Letterhead> {
    let first_buyer_line = ctx
        .hits
        .iter()
        .filter(|h| h.field.is_some_and(|f| skip_fields.contains(&f)))
        .map(|h| h.line)
        .min()
        .unwrap_or(usize::MAX);
    let body_height = median_line_height(&ctx.lines);
    if let Some(head) = payee.and_then(|payee| payee_letterhead(ctx, payee, first_buyer_line, body_height)) {
        return Some(head);
    }
    // A name set large with no address under it, held while a block under it may repeat it.
    let mut large_name: Option<Candidate> = None;
    let looks_like_address = |t: &str| {
        let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        digits >= 1 && letters >= 2 && !t.contains('@')
    };
    for (li, line) in ctx.lines.iter().enumerate().take(25) {
        if line.page != 1 || line.bbox.y0 > line.page_height * 0.35 || li > first_buyer_line {
            break;
        }
        // On the buyer's label line, the value right of the label is the buyer's name.
        let buyer_value = ctx
            .hits
            .iter()
            .filter(|h| h.line == li && h.field.is_some_and(|f| skip_fields.contains(&f)))
            .find_map(|h| value_segment(line, h.end));
        for (s, e) in heading_spans(line) {
            if has_hit(ctx, li, s, e) || buyer_value.is_some_and(|(bs, be)| s < be && bs < e) {
                continue;
            }
            if !name_like(line.text[s..e].trim()) {
                continue;
            }
            let Some((text, b, last)) = wrapped_large_name(ctx, li, (s, e), body_height) else { continue };
            let address = address_under(ctx, last, &b);
            let with_address = address.first().is_some_and(|(j, s, e)| looks_like_address(&ctx.lines[*j].text[*s..*e]));
            let key = fold(&text);
            // Another line with a segment that is the name, starts with it, or (`as_a_value`)
            // gives it as a key's value.
            let printed_again = |j: usize, other: &TLine, as_a_value: bool| {
                j != li
                    && other.segments().iter().any(|(os, oe)| {
                        let segment = &other.text[*os..*oe];
                        let f = fold(segment);
                        f == key
                            || f.starts_with(&format!("{key} "))
                            || (as_a_value && segment.split_once(':').is_some_and(|(_, value)| fold(value) == key))
                    })
            };
            let in_footer = ctx
                .lines
                .iter()
                .enumerate()
                .any(|(j, other)| other.bbox.y0 > other.page_height * 0.8 && printed_again(j, other, false));
            let large_and_repeated = line.height() >= 1.25 * body_height
                && ctx.lines.iter().enumerate().any(|(j, other)| other.page == 1 && printed_again(j, other, true));
            if !(with_address || in_footer || large_and_repeated) {
                continue;
            }
            let name =
                Candidate::of_text(&text, if with_address && in_footer { 0.45 } else { 0.4 }, line.page, Some(b), li);
            match large_name.take() {
                // The large name printed again over its address is the letterhead with it; a
                // block of another name under it (a contact's) is not.
                Some(large) if fold(&large.text) != key => {
                    return Some(Letterhead { name: large, address: Vec::new(), beside: None });
                }
                _ if with_address || in_footer => {
                    let address = if with_address { address } else { Vec::new() };
                    return Some(Letterhead { name, address, beside: None });
                }
                _ => large_name = Some(name),
            }
        }
    }
    large_name.map(|name| Letterhead { name, address: Vec::new(), beside: None })
}

/// Whether the seller's own block, above the recipient's on page 1, prints a person's name
/// over the seller's: then a recipient's block with two names is laid out the same way, the
/// company second.
fn seller_named_under_a_person(ctx: &Ctx, vendor_name: &str, recipient: usize) -> bool {
    let first_segment = |li: usize| {
        let line = &ctx.lines[li];
        let &(s, e) = line.segments().first()?;
        Some((line.text[s..e].trim(), line.bbox_of(s, e)?, has_hit(ctx, li, s, e)))
    };
    (1..recipient).any(|li| {
        let (Some((name, b, _)), Some((above, a, labelled))) = (first_segment(li), first_segment(li - 1)) else {
            return false;
        };
        ctx.lines[li].page == 1
            && fold(name) == vendor_name
            && (a.x0 - b.x0).abs() < 6.0
            && b.y0 - a.y1 < ctx.lines[li].height()
            && name_like(above)
            && fold(above) != vendor_name
            && !labelled
    })
}

/// The recipient's block when no label names it, as letters print it for a window envelope:
/// on the upper half of page 1, below the letterhead (`below`, its last line), a block of
/// lines with nothing printed right above them in their column, aligned on the left, one or
/// two names over an address (a line with a number: the street or the postcode), no label
/// and no price in it, and not right under a letterhead name with no address of its own
/// (there, in a column of its own, is the seller's contact and address). Of two names the
/// one with a legal form, else the second where the seller's own block prints a person over
/// the seller, else the first.
fn unlabelled_recipient(ctx: &Ctx, below: usize, vendor: &Candidate) -> Option<Candidate> {
    let lines = &ctx.lines;
    let vendor_name = vendor.value.as_str().map(fold)?;
    for li in below + 1..lines.len() {
        let (line, above) = (&lines[li], &lines[li - 1]);
        if line.page != 1 || line.bbox.y0 > line.page_height * 0.55 {
            break;
        }
        let Some(&(s, e)) = line.segments().first() else { continue };
        let Some(first) = line.bbox_of(s, e) else { continue };
        // Standing apart: nothing printed right above it (text beside, over another column,
        // is the seller's block or the invoice's details).
        let close_under = above.page == line.page && first.y0 - above.bbox.y1 < 1.5 * line.height();
        let crowded = close_under && above.words.iter().any(|w| w.bbox.x0 < first.x1 && first.x0 < w.bbox.x1);
        let sellers_details = close_under && below == vendor.line && li == below + 1;
        if crowded || sellers_details {
            continue;
        }
        let left = first.x0;
        let mut block = vec![(li, s, e)];
        for j in li + 1..(li + 8).min(lines.len()) {
            let (next, last) = (&lines[j], &lines[block[block.len() - 1].0]);
            if next.page != line.page || next.bbox.y0 - last.bbox.y1 > last.height() {
                break;
            }
            let Some(&(ns, ne)) = next.segments().first() else { break };
            if next.bbox_of(ns, ne).is_none_or(|b| (b.x0 - left).abs() > 6.0) {
                break;
            }
            block.push((j, ns, ne));
        }
        let text = |(j, s, e): &(usize, usize, usize)| lines[*j].text[*s..*e].trim();
        // No label in it, and no price beside it: lines with prices are a table's rows.
        let labelled_or_priced =
            block.iter().any(|(j, s, e)| has_hit(ctx, *j, *s, *e) || priced(&blank_dates(&lines[*j].text, ctx.order)));
        if block.len() < 3 || labelled_or_priced {
            continue;
        }
        let names: Vec<&(usize, usize, usize)> = block.iter().take_while(|b| name_like(text(b))).take(3).collect();
        let address_follows = block.get(names.len()).is_some_and(|b| text(b).chars().any(|c| c.is_ascii_digit()));
        if !(1..=2).contains(&names.len()) || !address_follows {
            continue;
        }
        if names.iter().any(|b| fold(text(b)) == vendor_name) {
            return None;
        }
        let second_is_the_company = names.len() == 2 && seller_named_under_a_person(ctx, &vendor_name, li);
        let name = names.iter().find(|b| LEGAL_NAME.is_match(text(b))).unwrap_or(if second_is_the_company {
            &names[1]
        } else {
            &names[0]
        });
        let (j, s, e) = **name;
        return Some(Candidate::of_text(text(name), 0.45, lines[j].page, lines[j].bbox_of(s, e), j));
    }
    None
}

/// The name a document asks payments to be made out to ("Make cheques payable to Acme Ltd.",
/// "Payable à l'ordre de Acme — SIRET : …"): the seller's, or the name it trades under.
fn payee(ctx: &Ctx) -> Option<Candidate> {
    static PAYABLE_TO: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:payable to|made out to|(?:à|a) l['’]ordre de)\s*:?\s+").expect("a valid pattern")
    });
    ctx.lines.iter().enumerate().find_map(|(li, line)| {
        let phrase = PAYABLE_TO.find(&line.text)?;
        let (_, segment_end) = line.segment_at(phrase.start())?;
        let rest = line.text.get(phrase.end()..segment_end)?;
        // The name ends at a dash, a semicolon or a comma, or with its sentence, whose full stop
        // is no part of it unless it ends a legal form ("Blue Harbor Catering Co.").
        let cut = rest.find([';', ',', '(', '|', '—', '–']).unwrap_or(rest.len());
        let cut = rest[..cut].find(" - ").unwrap_or(cut);
        let mut name = rest[..cut].trim_end();
        if let Some(end) = name.find(". ") {
            name = &name[..=end];
        }
        if name.ends_with("..") || (name.ends_with('.') && !ends_in_legal_form(name)) {
            name = &name[..name.len() - 1];
        }
        if !name_like(name) || name.split_whitespace().count() > 6 {
            return None;
        }
        let start = phrase.end();
        Some(Candidate::of_text(name, 0.45, line.page, line.bbox_of(start, start + name.len()), li))
    })
}

/// A name printed alone in the footer of page 1 right above the company's registration
/// details ("capital", "RCS", "Siret", "registered office", ...).
fn footer_name_candidate(ctx: &Ctx) -> Option<Candidate> {
    const REGISTRATION: &[&str] = &[
        "capital",
        "rcs",
        "siret",
        "siren",
        "siege social",
        "registered office",
        "company number",
        "registered in",
        "handelsregister",
        "hrb",
        "amtsgericht",
        "geschaftsfuhrer",
        "kvk",
        "chamber of commerce",
    ];
    for (li, line) in ctx.lines.iter().enumerate() {
        if line.page != 1 || line.bbox.y0 < line.page_height * 0.8 {
            continue;
        }
        let segments = line.segments();
        let [(s, e)] = segments.as_slice() else { continue };
        let text = line.text[*s..*e].trim();
        if !name_like(text) || has_hit(ctx, li, *s, *e) {
            continue;
        }
        let below = ctx.lines.iter().skip(li + 1).take(3).filter(|l| l.page == line.page);
        let registered = below.into_iter().any(|l| {
            let folded = format!(" {} ", fold(&l.text));
            REGISTRATION.iter().any(|w| folded.contains(&format!(" {w} ")))
        });
        if registered {
            return Some(Candidate::of_text(text, 0.38, line.page, line.bbox_of(*s, *e), li));
        }
    }
    None
}

/// The address of a letterhead, its lines joined by commas.
fn letterhead_address(ctx: &Ctx, head: &Letterhead) -> Option<Candidate> {
    let (first, _, _) = *head.address.first()?;
    let mut text = String::new();
    let mut bbox: Option<BBox> = None;
    for (j, s, e) in &head.address {
        let line = &ctx.lines[*j];
        let part = line.text[*s..*e].trim();
        if !text.is_empty() {
            text.push_str(if text.ends_with([',', '.', ';']) { " " } else { ", " });
        }
        text.push_str(part);
        if let Some(b) = line.bbox_of(*s, *e) {
            bbox = Some(bbox.map_or(b, |a| a.union(&b)));
        }
    }
    Some(Candidate {
        value: json!(text),
        confidence: 0.4,
        page: ctx.lines[first].page,
        text: text.clone(),
        bbox,
        line: first,
        amount: None,
        currency: None,
    })
}

fn first_date_candidate(ctx: &Ctx, used: &[String]) -> Option<Candidate> {
    for (li, line) in ctx.lines.iter().enumerate() {
        if line.page != 1 {
            break;
        }
        for d in find_dates_with(&line.text, ctx.order) {
            if used.contains(&d.iso) {
                continue;
            }
            return Some(Candidate {
                value: json!(d.iso),
                confidence: 0.45,
                page: line.page,
                text: line.text[d.start..d.end].to_string(),
                bbox: line.bbox_of(d.start, d.end),
                line: li,
                amount: None,
                currency: None,
            });
        }
    }
    None
}

/// A date a sentence asks payment by: "Bitte überweisen Sie den Betrag bis zum 12.05.2021",
/// "Please transfer the amount to our account by 06/05/2025", a payment word before it and a
/// word of a deadline right before it.
fn payment_deadline(ctx: &Ctx) -> Option<Candidate> {
    static PAYMENT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?i)\b(pay|paid|transfer|remit|settle|zahl|bezahl|überweis|begleich|paiement|régle|virement)\w*")
            .expect("a valid pattern")
    });
    static DEADLINE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?i)\b(by|before|until|no later than|bis zum|bis|spätestens|avant le|avant|au plus tard le)\s*$")
            .expect("a valid pattern")
    });
    ctx.lines.iter().enumerate().find_map(|(li, line)| {
        let d = find_dates_with(&line.text, ctx.order).into_iter().find(|d| {
            let before = &line.text[..d.start];
            DEADLINE.is_match(before) && PAYMENT.is_match(before)
        })?;
        let text = &line.text[d.start..d.end];
        Some(Candidate {
            value: json!(d.iso),
            ..Candidate::of_text(text, 0.55, line.page, line.bbox_of(d.start, d.end), li)
        })
    })
}

fn pattern_candidate(ctx: &Ctx, pattern: &str) -> Option<Candidate> {
    let re = Regex::new(&format!(r"\b(?:{pattern})")).ok()?;
    for (li, line) in ctx.lines.iter().enumerate() {
        if let Some(m) = re.find(&line.text) {
            let text = m.as_str().trim_end_matches([' ', '.', ',']);
            if !text.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            return Some(Candidate::of_text(text, 0.4, line.page, line.bbox_of(m.start(), m.start() + text.len()), li));
        }
    }
    None
}

fn is_vendor_field(name: &str) -> bool {
    let n = name.to_lowercase();
    ["vendor", "seller", "supplier", "company", "merchant", "issuer", "shop", "store"].iter().any(|w| n.contains(w))
        && !n.contains("address")
        && !n.contains("vat")
}

fn is_buyer_field(name: &str) -> bool {
    let n = name.to_lowercase();
    ["buyer", "customer", "client", "recipient", "bill_to", "ship"].iter().any(|w| n.contains(w))
}

/// A share of the total: the net amount, the tax, a discount. None can be more than the total.
fn is_share_of_total(field: &FieldSpec) -> bool {
    let n = field.name.to_lowercase();
    matches!(field.kind, FieldKind::Money) && ["tax", "net", "discount"].iter().any(|w| n.contains(w))
}

fn is_total_field(field: &FieldSpec) -> bool {
    field.name.to_lowercase().contains("total")
        || field.name == "amount"
        || field.labels.iter().take(2).any(|l| fold(l) == "total")
}

/// Weighs the candidates of a total against cash tendered less change: one that agrees is
/// surer; on a recognised page one that disagrees is less sure than the difference, which
/// joins the candidates.
fn cross_check_with_tender(ctx: &Ctx, cands: &mut Vec<Candidate>) {
    let Some(paid) = tendered_less_change(&ctx.lines) else { return };
    let mut agreed = false;
    for c in cands.iter_mut() {
        // A total that the amounts right above it add up to (the items, or the subtotal and
        // the tax) stands on its own: then it is the change that was misread.
        let sums_up = c.amount.is_some_and(|a| sum_of_amounts_above(ctx, c.line, a));
        if sums_up || c.amount.is_some_and(|a| (a - paid.total).abs() < 0.005) {
            c.confidence = (c.confidence + 0.05).min(0.98);
            agreed = true;
        } else if ctx.lines[c.line].ocr {
            c.confidence *= 0.6;
        }
    }
    if !agreed {
        let line = &ctx.lines[paid.tendered.line];
        cands.push(Candidate {
            value: json!(paid.total),
            confidence: 0.62,
            page: line.page,
            text: format!("{} / {}", paid.tendered.text, paid.change.text),
            bbox: line.bbox_of(0, line.text.len()),
            line: paid.tendered.line,
            amount: Some(paid.total),
            currency: None,
        });
    }
}

/// Whether the last amounts of two or more lines right above line `li` (on its page, with
/// no line without an amount between) add up to `amount`.
fn sum_of_amounts_above(ctx: &Ctx, li: usize, amount: f64) -> bool {
    let page = ctx.lines[li].page;
    let mut sum = 0.0;
    for (taken, line) in ctx.lines[..li].iter().rev().take_while(|l| l.page == page).enumerate() {
        let Some(last) = find_money(&blank_dates(&line.text, ctx.order)).last().map(|m| m.money.amount) else {
            return false;
        };
        sum += last;
        if taken >= 1 && (sum - amount).abs() < 0.005 {
            return true;
        }
        if sum > amount + 0.005 {
            return false;
        }
    }
    false
}

/// The net amount when no label names it: the amount on a line above the tax that the tax
/// adds up with to the total, whatever its label says ("Brutto" over "Vero" and
/// "Yhteensä", "Amount" over "VAT" and "Total due").
fn net_added_to_the_tax(ctx: &Ctx, fields: &[&FieldSpec], chosen: &[(usize, Candidate)]) -> Option<(usize, Candidate)> {
    let money = |i: usize| matches!(fields[i].kind, FieldKind::Money);
    let is_net = |i: usize| money(i) && fields[i].name.to_lowercase().contains("net");
    let net = (0..fields.len()).find(|i| is_net(*i))?;
    if chosen.iter().any(|(i, _)| *i == net) {
        return None;
    }
    let (_, tax) = chosen.iter().find(|(i, _)| money(*i) && fields[*i].name.to_lowercase().contains("tax"))?;
    let (_, total) = chosen.iter().find(|(i, _)| is_total_field(fields[*i]))?;
    let (tax_amount, total_amount) = (tax.amount?, total.amount?);
    let tax_line = &ctx.lines[tax.line];
    for li in (tax.line.saturating_sub(4)..tax.line).rev() {
        let line = &ctx.lines[li];
        if line.page != tax_line.page {
            break;
        }
        let blanked = blank_dates(&line.text, ctx.order);
        let Some(m) = find_money(&blanked).into_iter().last() else { continue };
        if (m.money.amount + tax_amount - total_amount).abs() < 0.005 {
            let candidate = Candidate {
                value: json!(m.money.amount),
                confidence: 0.6,
                page: line.page,
                text: line.text[m.start..m.end].to_string(),
                bbox: line.bbox_of(m.start, m.end),
                line: li,
                amount: Some(m.money.amount),
                currency: m.money.currency,
            };
            return Some((net, candidate));
        }
    }
    None
}

/// The field a rule's pointer names, when it names a top-level field ("/net_amount").
fn field_at(fields: &[&FieldSpec], pointer: &str) -> Option<usize> {
    let name = pointer.strip_prefix('/').filter(|n| !n.contains('/'))?;
    fields.iter().position(|f| f.name == name)
}

/// Amounts that break a sum rule of the spec over single fields (net + tax = total) where
/// another labelled candidate of one term keeps it: that one is taken ("TOTAL TVA 4,90"
/// over the first row of a VAT breakdown under "Montant TVA", 2,20).
fn fit_the_sums(
    spec: &Spec,
    fields: &[&FieldSpec],
    chosen: &mut [(usize, Candidate)],
    candidates: &HashMap<usize, Vec<Candidate>>,
) {
    for rule in &spec.rules {
        let Rule::Sum { terms, less, equals_any, tolerance } = rule else { continue };
        let (Some(terms), Some(targets)) = (
            terms.iter().map(|t| field_at(fields, t)).collect::<Option<Vec<usize>>>(),
            equals_any.iter().map(|t| field_at(fields, t)).collect::<Option<Vec<usize>>>(),
        ) else {
            continue;
        };
        if !less.is_empty() {
            continue;
        }
        let tolerance = tolerance.unwrap_or(0.01);
        let amount =
            |chosen: &[(usize, Candidate)], i: usize| chosen.iter().find(|(j, _)| *j == i).and_then(|(_, c)| c.amount);
        let Some(values) = terms.iter().map(|t| amount(chosen, *t)).collect::<Option<Vec<f64>>>() else { continue };
        let target_amounts: Vec<f64> = targets.iter().filter_map(|t| amount(chosen, *t)).collect();
        let fits = |sum: f64| target_amounts.iter().any(|t| (sum - t).abs() <= tolerance + 1e-9);
        let sum: f64 = values.iter().sum();
        if target_amounts.is_empty() || fits(sum) {
            continue;
        }
        let replacement = terms.iter().enumerate().find_map(|(k, term)| {
            let mut others = candidates.get(term)?.clone();
            others.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            others.into_iter().find(|c| c.amount.is_some_and(|a| fits(sum - values[k] + a))).map(|c| (*term, c))
        });
        if let Some((term, candidate)) = replacement {
            if let Some(slot) = chosen.iter_mut().find(|(j, _)| *j == term) {
                slot.1 = candidate;
            }
        }
    }
}

/// Dates read in the order the currency suggests (nothing on the page shows it) that break
/// a rule of the spec's date order (issued after due) but keep it read the other way: read
/// the other way ("11/01/2021" and "10/02/2021" are 11 January and 10 February, not
/// 1 November and 2 October).
fn reread_dates_out_of_order(spec: &Spec, fields: &[&FieldSpec], chosen: &mut [(usize, Candidate)], order: DateOrder) {
    let other = match order {
        DateOrder::DayFirst => DateOrder::MonthFirst,
        DateOrder::MonthFirst => DateOrder::DayFirst,
    };
    let reading = |c: &Candidate, o: DateOrder| find_dates_with(&c.text, o).first().map(|d| d.iso.clone());
    let chosen_for = |pointer: &str| {
        let field = field_at(fields, pointer)?;
        chosen.iter().find(|(i, _)| *i == field).map(|(_, c)| c)
    };
    let kept_the_other_way = spec.rules.iter().any(|rule| {
        let Rule::DateOrder { earlier, later } = rule else { return false };
        let (Some(e), Some(l)) = (chosen_for(earlier), chosen_for(later)) else { return false };
        match (reading(e, order), reading(l, order), reading(e, other), reading(l, other)) {
            (Some(a), Some(b), Some(c), Some(d)) => a > b && c <= d,
            _ => false,
        }
    });
    if !kept_the_other_way {
        return;
    }
    for (i, c) in chosen.iter_mut() {
        if fields[*i].kind == FieldKind::Date {
            if let Some(iso) = reading(c, other) {
                c.value = json!(iso);
            }
        }
    }
}

/// Picks the best candidate of a field.
fn choose(field: &FieldSpec, mut cands: Vec<Candidate>) -> Option<Candidate> {
    if cands.is_empty() {
        return None;
    }
    let max_amount = cands.iter().filter_map(|c| c.amount).fold(f64::MIN, f64::max);
    let last_line = cands.iter().map(|c| c.line).max().unwrap_or(0);
    let score = |c: &Candidate| {
        let mut s = c.confidence;
        if matches!(field.kind, FieldKind::Money) && is_total_field(field) {
            if c.amount == Some(max_amount) {
                s += 0.06;
            }
            if c.line == last_line {
                s += 0.01;
            }
        }
        if c.currency.is_some() {
            s += 0.01;
        }
        // Earlier in the document wins a tie.
        s - c.line as f64 * 1e-5
    };
    cands.sort_by(|a, b| score(b).total_cmp(&score(a)));
    let best = cands.swap_remove(0);
    Some(best)
}

/// Reads every non-list field of the spec from the pages of the document.
pub(crate) fn extract_from_pages(document: &Document, spec: &Spec) -> Extraction {
    let mut extraction = Extraction::default();
    let lines = document_lines(document);
    if lines.is_empty() {
        return extraction;
    }
    let fields: Vec<&FieldSpec> = spec.fields.iter().collect();
    let mut labels: Vec<(Option<usize>, Vec<char>)> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if matches!(f.kind, FieldKind::Table(_) | FieldKind::TextList) {
            continue;
        }
        for l in f.labels.iter().chain(&f.fallback_labels) {
            let folded = fold_label(l);
            if !folded.is_empty() {
                labels.push((Some(i), folded));
            }
        }
    }
    for d in DISTRACTORS {
        labels.push((None, fold_label(d)));
    }
    let hits = find_labels(&lines, &labels);
    let doc_text = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    let mut ctx = Ctx { lines, hits, fields: fields.clone(), order: DateOrder::DayFirst, doc_text };

    // The currency first: it decides how ambiguous dates are read, unless a date of the
    // document can be read one way only.
    let currency_vote = vote_currency(&ctx);
    let shown_order = DateOrder::shown_in(&ctx.doc_text);
    ctx.order =
        shown_order.unwrap_or_else(|| DateOrder::from_currency(currency_vote.as_ref().and_then(|c| c.currency)));

    let buyer_fields: Vec<usize> = ctx
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let n = f.name.to_lowercase();
            n.contains("buyer") || n.contains("customer") || n.contains("client") || n.contains("recipient")
        })
        .map(|(i, _)| i)
        .collect();

    let mut chosen: Vec<(usize, Candidate)> = Vec::new();
    let mut money_candidates: HashMap<usize, Vec<Candidate>> = HashMap::new();
    let mut used_dates: Vec<String> = Vec::new();
    // Labelled values first, over all fields, so that fallbacks can avoid them.
    let mut pending: Vec<usize> = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        if matches!(field.kind, FieldKind::Table(_) | FieldKind::TextList | FieldKind::Boolean) {
            continue;
        }
        let mut cands = labelled_candidates(&ctx, i, field, false);
        if cands.is_empty() {
            cands = labelled_candidates(&ctx, i, field, true);
        }
        if matches!(field.kind, FieldKind::Money) && is_total_field(field) {
            cross_check_with_tender(&ctx, &mut cands);
        }
        if matches!(field.kind, FieldKind::Money) {
            money_candidates.insert(i, cands.clone());
        }
        match choose(field, cands) {
            Some(c) => {
                if field.kind == FieldKind::Date {
                    if let Some(v) = c.value.as_str() {
                        used_dates.push(v.to_string());
                    }
                }
                chosen.push((i, c));
            }
            None => pending.push(i),
        }
    }
    // Fallbacks.
    let payee = payee(&ctx);
    let head = letterhead(&ctx, &buyer_fields, payee.as_ref());
    let window = window_recipient(&ctx);
    let recipient = window.as_ref().map(|(to, _)| to.clone()).or_else(|| head.as_ref()?.beside.clone()).or_else(|| {
        let head = head.as_ref()?;
        unlabelled_recipient(&ctx, head.address.last().map_or(head.name.line, |a| a.0), &head.name)
    });
    let mut first_date_taken = false;
    for i in pending {
        let field = fields[i];
        let fallback = match &field.kind {
            FieldKind::Currency => {
                // The currency of the chosen total, else the vote.
                let from_total = chosen.iter().filter(|(j, _)| is_total_field(fields[*j])).find_map(|(_, c)| {
                    c.currency.map(|code| (currency_in_context(code, &c.text, &ctx.doc_text), c.clone()))
                });
                match (from_total, &currency_vote) {
                    (Some((code, c)), vote) => {
                        let agrees = vote.as_ref().and_then(|v| v.currency) == Some(code);
                        Some(Candidate {
                            value: json!(code),
                            confidence: if agrees { 0.75 } else { 0.6 },
                            amount: None,
                            ..c
                        })
                    }
                    (None, Some(vote)) => Some(vote.clone()),
                    // No symbol or code anywhere: the currency the text names in words
                    // ("Amounts expressed in Euros"), else the country it names.
                    (None, None) => currency_named_in_words(&ctx).or_else(|| {
                        currency_from_locale_cues(&ctx.doc_text).and_then(|code| {
                            let (li, line) = ctx.lines.iter().enumerate().next()?;
                            Some(Candidate {
                                value: json!(code),
                                confidence: 0.35,
                                page: line.page,
                                text: String::new(),
                                bbox: None,
                                line: li,
                                amount: None,
                                currency: Some(code),
                            })
                        })
                    }),
                }
            }
            FieldKind::Date if field.required && !first_date_taken => {
                first_date_taken = true;
                first_date_candidate(&ctx, &used_dates)
            }
            FieldKind::Date if field.name.contains("due") => payment_deadline(&ctx),
            FieldKind::Name if is_vendor_field(&field.name) => {
                let mut cands = legal_name_candidates(&ctx, &buyer_fields);
                // Two parties side by side with no label: the one read first is the issuer, the
                // other the customer, whatever their legal forms.
                if let Some(b) = head.as_ref().and_then(|h| h.name.bbox.map(|b| (h.name.line, b))) {
                    cands.retain(|c| !(c.line == b.0 && c.bbox.is_some_and(|cb| cb.x0 > b.1.x1)));
                }
                cands.extend(head.as_ref().map(|h| h.name.clone()));
                cands.extend(footer_name_candidate(&ctx));
                // Not the recipient, nor a line of its block under its name (a contact person).
                let in_recipients_block = |c: &Candidate| {
                    recipient.as_ref().is_some_and(|r| {
                        let under = c.page == r.page && (r.line + 1..=r.line + 3).contains(&c.line);
                        under && r.bbox.zip(c.bbox).is_some_and(|(rb, cb)| (rb.x0 - cb.x0).abs() < 6.0)
                    })
                };
                cands.retain(|c| {
                    recipient.as_ref().is_none_or(|r| r.line != c.line || apart(r.bbox, c.bbox))
                        && !in_recipients_block(c)
                });
                // The name payments are made out to, and the sender's in a window letter's
                // return address, are the seller's.
                for seller in payee.iter().chain(window.as_ref().map(|(_, sender)| sender)) {
                    let key = fold(&seller.text);
                    let mut named = false;
                    for c in cands.iter_mut() {
                        let name = fold(&c.text);
                        if name == key || name.starts_with(&format!("{key} ")) {
                            c.confidence = c.confidence.max(0.7);
                            named = true;
                        }
                    }
                    if !named {
                        cands.push(seller.clone());
                    }
                }
                choose(field, cands)
            }
            FieldKind::Name if is_buyer_field(&field.name) => recipient.clone(),
            FieldKind::Money if is_total_field(field) => {
                // An invoice that charges no tax may print its one sum as the net ("Summe
                // (netto)" from a business exempt from VAT): with no tax named anywhere, that
                // sum is the total, to be checked.
                let named = |word: &str, f: usize| fields[f].name.to_lowercase().contains(word);
                let taxed = ctx.hits.iter().any(|h| h.field.is_some_and(|f| named("tax", f)));
                let net = chosen.iter().find(|(j, _)| matches!(fields[*j].kind, FieldKind::Money) && named("net", *j));
                net.filter(|_| !taxed).map(|(_, c)| Candidate { confidence: c.confidence.min(0.5), ..c.clone() })
            }
            FieldKind::Address if !is_buyer_field(&field.name) => {
                head.as_ref().and_then(|h| letterhead_address(&ctx, h))
            }
            FieldKind::Identifier => field.pattern.as_deref().and_then(|p| pattern_candidate(&ctx, p)),
            _ => None,
        };
        if let Some(c) = fallback {
            chosen.push((i, c));
        }
    }
    // A labelled vendor name that is also a legal-form name is surer.
    for (i, c) in chosen.iter_mut() {
        if is_vendor_field(&fields[*i].name) {
            if let Some(text) = c.value.as_str() {
                if LEGAL_NAME.is_match(text) {
                    c.confidence = (c.confidence + 0.05).min(0.95);
                }
            }
        }
    }
    // A share of the total above the total is some other number under its label (a tax
    // number, a phone number under "Service tax #").
    let total = chosen.iter().filter(|(i, _)| is_total_field(fields[*i])).find_map(|(_, c)| c.amount);
    if let Some(total) = total {
        chosen.retain(|(i, c)| !(is_share_of_total(fields[*i]) && c.amount.is_some_and(|a| a.abs() > total.abs())));
    }
    if shown_order.is_none() {
        reread_dates_out_of_order(spec, &fields, &mut chosen, ctx.order);
    }
    fit_the_sums(spec, &fields, &mut chosen, &money_candidates);
    // A share equal to the total beside another share that is not nothing is the total
    // under another label ("Mellansumma <project>", the project's sum with its VAT, under a
    // subtotal's label).
    if let Some(total) = total {
        let nonzero_shares: Vec<usize> = chosen
            .iter()
            .filter(|(i, c)| is_share_of_total(fields[*i]) && c.amount.is_some_and(|a| a.abs() > 0.005))
            .map(|(i, _)| *i)
            .collect();
        chosen.retain(|(i, c)| {
            let the_total = is_share_of_total(fields[*i]) && c.amount.is_some_and(|a| (a - total).abs() < 0.005);
            !(the_total && nonzero_shares.iter().any(|j| j != i))
        });
    }
    if let Some(net) = net_added_to_the_tax(&ctx, &fields, &chosen) {
        chosen.push(net);
    }
    chosen.sort_by_key(|(i, _)| *i);
    for (i, c) in chosen {
        extraction.set(&fields[i].name, c.value.clone(), c.evidence());
    }
    crate::table::extract_tables(&ctx, spec, &mut extraction);
    crate::contract::extract_sentences(&ctx, spec, &mut extraction);
    extraction
}
