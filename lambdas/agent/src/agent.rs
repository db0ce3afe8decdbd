//! The agent loop. The model reads the document and calls `submit_extraction`; docex checks
//! every submission — the spec's schema (types, formats, required fields), its cross-field
//! rules (line items adding up to the net or total, dates in order), fields the spec does
//! not have, and that every quote really occurs on the page it cites — and answers a failed
//! one with a tool result of status error listing every problem, until the model gets it
//! right or runs out of turns. Pages not shown at the start can be read with `read_pages`.
//!
//! The loop ends with an [`Extraction`] or a named error:
//! - an accepted submission becomes the extraction;
//! - out of turns, the submission with the fewest problems is kept and its problems become
//!   notes, so the job needs review (never accepted silently);
//! - no submission at all is `Docex.ExtractionFailed`;
//! - input too long for the model: the opening shows fewer pages (the rest stay readable
//!   with `read_pages`), down to one page, then `Docex.ExtractionFailed`;
//! - throttling and transient failures are passed on as `Docex.Throttled` /
//!   `Docex.Transient` for the workflow to retry.
//!
//! Every failure still accounts for the calls made before it: the usage travels with the
//! error ([`FailedExtraction`]) and its message says what was spent.
//!
//! Scanned pages are shown as images beside their OCR text (at most [`prompt::MAX_IMAGES`]
//! in a conversation); printed counts of list entries ("Items: 3") are checked like the
//! spec's rules.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use docex_core::merge::same_value;
use docex_core::result::escape_pointer_token;
use docex_core::{
    BBox, DocexError, Document, Extraction, Extractor, FailedExtraction, FieldEvidence, Page, Spec, Usage, Word,
};
use serde_json::{Map, Value};

use crate::model::{Block, CallError, Message, ModelClient, Request, Role, ToolChoice};
use crate::prices::PriceTable;
use crate::prompt::{self, READ_PAGES_TOOL, SUBMIT_TOOL};

/// How the loop is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentOptions {
    /// Model calls per attempt, `read_pages` calls and fixes included.
    pub max_turns: u32,
    /// Characters of page text shown at once (in the opening and per `read_pages` answer).
    pub page_chars: usize,
    /// Output tokens per model call. 4,096 by default: the most that every model in the
    /// shipped price table accepts (a larger value is refused by some).
    pub max_tokens: u32,
}

impl Default for AgentOptions {
    fn default() -> AgentOptions {
        AgentOptions { max_turns: 5, page_chars: 60_000, max_tokens: 4096 }
    }
}

impl AgentOptions {
    /// Defaults, with `DOCEX_MAX_TURNS`, `DOCEX_PAGE_CHARS` and `DOCEX_MAX_TOKENS` when set.
    pub fn from_env() -> Result<AgentOptions, DocexError> {
        let mut options = AgentOptions::default();
        let number = |name: &str| -> Result<Option<u64>, DocexError> {
            match std::env::var(name) {
                Ok(text) if !text.trim().is_empty() => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| DocexError::InvalidInput(format!("{name} must be a positive whole number"))),
                _ => Ok(None),
            }
        };
        if let Some(n) = number("DOCEX_MAX_TURNS")? {
            options.max_turns = n.min(50) as u32;
        }
        if let Some(n) = number("DOCEX_PAGE_CHARS")? {
            options.page_chars = n as usize;
        }
        if let Some(n) = number("DOCEX_MAX_TOKENS")? {
            options.max_tokens = n.min(u32::MAX as u64) as u32;
        }
        Ok(options)
    }
}

/// An [`Extractor`] that runs the agent loop over a model client.
pub struct AgentExtractor {
    client: Box<dyn ModelClient>,
    prices: PriceTable,
    options: AgentOptions,
}

impl AgentExtractor {
    pub fn new(client: Box<dyn ModelClient>, prices: PriceTable, options: AgentOptions) -> AgentExtractor {
        AgentExtractor { client, prices, options }
    }

    /// Reads `document` and fills `spec`.
    pub async fn run(&self, document: &Document, spec: &Spec) -> Result<Extraction, DocexError> {
        self.run_accounted(document, spec).await.map_err(|failed| failed.error)
    }

    /// Reads `document` and fills `spec`; a failure carries the usage of the calls made.
    pub async fn run_accounted(&self, document: &Document, spec: &Spec) -> Result<Extraction, FailedExtraction> {
        let has_images = document.page_images.iter().any(|i| !i.png.is_empty());
        if document.pages.iter().all(|p| p.words.is_empty()) && !has_images {
            let mut extraction = Extraction::default();
            extraction.notes.push("the document has no text to read; no model was called".into());
            return Ok(extraction);
        }
        let mut usage = Usage { model: self.client.model().to_string(), cost_usd: Some(0.0), ..Usage::default() };
        let mut budget = self.options.page_chars.max(1);
        let mut notes = Vec::new();
        loop {
            let opening = opening_pages(document, budget);
            let error = match self.converse(document, spec, &opening, budget, &mut usage).await {
                Ok(mut extraction) => {
                    extraction.notes.splice(0..0, notes);
                    extraction.usage = Some(usage);
                    return Ok(extraction);
                }
                Err(CallError::TooLong(message)) if opening.len() > 1 => {
                    tracing::info!(pages = opening.len(), %message, "input too long for the model, showing fewer pages");
                    notes.push(format!(
                        "the model refused {} pages at once as too long; read fewer at a time",
                        opening.len()
                    ));
                    budget = document_chars(document, &opening) / 2;
                    continue;
                }
                Err(CallError::TooLong(message)) => {
                    DocexError::ExtractionFailed(format!("one page is already more than the model accepts: {message}"))
                }
                Err(CallError::Failed(error)) => error,
            };
            return Err(spent_on(error, usage));
        }
    }

    async fn converse(
        &self,
        document: &Document,
        spec: &Spec,
        opening: &[u32],
        budget: usize,
        usage: &mut Usage,
    ) -> Result<Extraction, CallError> {
        let mut shown: BTreeSet<u32> = opening.iter().copied().collect();
        let all: Vec<u32> = document.pages.iter().map(|p| p.number).collect();
        let unseen =
            |shown: &BTreeSet<u32>| -> Vec<u32> { all.iter().copied().filter(|n| !shown.contains(n)).collect() };
        let pages: Vec<_> = document.pages.iter().filter(|p| shown.contains(&p.number)).collect();
        let mut tools = vec![prompt::submit_tool(spec)];
        if !unseen(&shown).is_empty() {
            tools.push(prompt::read_pages_tool());
        }
        let images = prompt::images_of(document, opening, prompt::MAX_IMAGES);
        let mut image_room = prompt::MAX_IMAGES - images.len();
        let mut messages = vec![Message::user(prompt::opening(spec, &pages, all.len(), &unseen(&shown), &images))];
        let checker = Checker::new(spec, document);
        // A later chunk of a long document (its first page is not page 1) need not hold the
        // fields of the first page.
        let mut require_all = document.pages.first().is_none_or(|p| p.number <= 1);
        let mut best: Option<(Submission, Vec<String>)> = None;

        for turn in 1..=self.options.max_turns {
            let choice = if unseen(&shown).is_empty() { ToolChoice::Tool(SUBMIT_TOOL.into()) } else { ToolChoice::Any };
            let request = Request {
                system: prompt::SYSTEM_PROMPT,
                messages: &messages,
                tools: &tools,
                tool_choice: &choice,
                max_tokens: self.options.max_tokens,
            };
            let reply = self.client.send(&request).await?;
            usage.add(&self.prices.usage(self.client.model(), reply.tokens));
            tracing::debug!(turn, stop_reason = %reply.stop_reason, "model replied");
            let mut content = reply.content.clone();
            if content.is_empty() {
                content.push(Block::Text("(no answer)".into()));
            }
            messages.push(Message { role: Role::Assistant, content });

            let calls: Vec<(String, String, Value)> = reply
                .content
                .into_iter()
                .filter_map(|b| match b {
                    Block::ToolUse { id, name, input } => Some((id, name, input)),
                    _ => None,
                })
                .collect();
            if calls.is_empty() {
                let cut = if reply.stop_reason.contains("max_tokens") || reply.stop_reason == "length" {
                    " Your answer was cut off at the output limit: keep the text short and put the data in the tool call."
                } else {
                    ""
                };
                messages.push(Message::user(vec![Block::Text(format!(
                    "You did not call a tool. Call {SUBMIT_TOOL} with the extracted data and its evidence.{cut}"
                ))]));
                continue;
            }

            let mut results = Vec::new();
            let mut accepted = None;
            for (id, name, input) in calls {
                match name.as_str() {
                    READ_PAGES_TOOL => {
                        let (text, images, ok) = read_pages(document, &input, &mut shown, budget, image_room);
                        image_room -= images.len();
                        results.push(Block::ToolResult { id, text, error: !ok, images });
                    }
                    SUBMIT_TOOL => {
                        let (submission, problems) = checker.check(&input, require_all);
                        require_all = false;
                        if problems.is_empty() {
                            accepted = Some(submission);
                            results.push(Block::tool_result(id, "Accepted.".into(), false));
                        } else {
                            results.push(Block::tool_result(id, rejection(&problems), true));
                            if best.as_ref().is_none_or(|(_, worst)| problems.len() <= worst.len()) {
                                best = Some((submission, problems));
                            }
                        }
                    }
                    other => results.push(Block::tool_result(
                        id,
                        format!("There is no tool named {other:?}. The tools are {SUBMIT_TOOL} and {READ_PAGES_TOOL}."),
                        true,
                    )),
                }
            }
            if let Some(submission) = accepted {
                return Ok(submission.into_extraction(document, spec, Vec::new()));
            }
            messages.push(Message::user(results));
        }
        match best {
            Some((submission, problems)) => {
                let note = format!(
                    "after {} model turns the extraction still had {} problem(s): {}",
                    self.options.max_turns,
                    problems.len(),
                    problems.join("; ")
                );
                Ok(submission.into_extraction(document, spec, vec![note]))
            }
            None => Err(CallError::Failed(DocexError::ExtractionFailed(format!(
                "the model did not call {SUBMIT_TOOL} in {} turns",
                self.options.max_turns
            )))),
        }
    }
}

#[async_trait]
impl Extractor for AgentExtractor {
    fn name(&self) -> &str {
        self.client.provider()
    }

    async fn extract(&self, document: &Document, spec: &Spec) -> Result<Extraction, DocexError> {
        self.run(document, spec).await
    }

    async fn extract_accounted(&self, document: &Document, spec: &Spec) -> Result<Extraction, FailedExtraction> {
        self.run_accounted(document, spec).await
    }
}

/// A failure with what the calls before it spent: in the message, for people, and beside
/// the error, for the job's cost accounting.
fn spent_on(error: DocexError, usage: Usage) -> FailedExtraction {
    if usage.calls == 0 {
        return FailedExtraction { error, spent: None };
    }
    let cost = usage.cost_usd.map_or_else(|| "no price known".to_string(), |c| format!("${c:.6}"));
    let spent = format!(
        " ({} model call(s) before this: {} input, {} output, {} cache-read and {} cache-write tokens, {cost})",
        usage.calls, usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens
    );
    let error = match error {
        DocexError::ExtractionFailed(m) => DocexError::ExtractionFailed(m + &spent),
        DocexError::Throttled(m) => DocexError::Throttled(m + &spent),
        DocexError::Transient(m) => DocexError::Transient(m + &spent),
        other => other,
    };
    FailedExtraction { error, spent: Some(usage) }
}

/// The pages shown at the start: in order, while their text fits the budget (at least one).
fn opening_pages(document: &Document, budget: usize) -> Vec<u32> {
    let mut used = 0;
    let mut pages = Vec::new();
    for page in &document.pages {
        let size = page.text().len();
        if !pages.is_empty() && used + size > budget {
            break;
        }
        used += size;
        pages.push(page.number);
    }
    pages
}

fn document_chars(document: &Document, pages: &[u32]) -> usize {
    document.pages.iter().filter(|p| pages.contains(&p.number)).map(|p| p.text().len()).sum()
}

/// Answers `read_pages`: the pages asked for, as document data, within the budget, with the
/// images of scanned ones (at most `image_room`); and whether any page was given.
fn read_pages(
    document: &Document,
    input: &Value,
    shown: &mut BTreeSet<u32>,
    budget: usize,
    image_room: usize,
) -> (String, Vec<crate::model::PageImage>, bool) {
    let first = document.pages.first().map_or(1, |p| p.number);
    let last = document.pages.last().map_or(1, |p| p.number);
    let asked: Vec<u64> = match input.get("pages") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_u64).collect(),
        Some(Value::Number(n)) => n.as_u64().into_iter().collect(),
        _ => Vec::new(),
    };
    if asked.is_empty() {
        return (
            format!(
                "Give the pages as a list of numbers, e.g. {{\"pages\": [{last}]}}. The document has pages {first} to {last}."
            ),
            Vec::new(),
            false,
        );
    }
    let mut missing = Vec::new();
    let mut later = Vec::new();
    let mut pages = Vec::new();
    let mut used = 0;
    for number in asked.into_iter().collect::<BTreeSet<_>>() {
        let Some(page) = u32::try_from(number).ok().and_then(|n| document.page(n)) else {
            missing.push(number.min(u32::MAX as u64) as u32);
            continue;
        };
        let size = page.text().len();
        if !pages.is_empty() && used + size > budget {
            later.push(page.number);
            continue;
        }
        used += size;
        pages.push(page);
    }
    let numbers: Vec<u32> = pages.iter().map(|p| p.number).collect();
    let images = prompt::images_of(document, &numbers, image_room);
    let imaged: Vec<u32> = images.iter().map(|i| i.page).collect();
    let mut text =
        if pages.is_empty() { String::new() } else { prompt::document_block(&pages, document.pages.len(), &imaged) };
    if !imaged.is_empty() {
        text.push_str(&format!("\nThe images of pages {} follow.", prompt::list(&imaged)));
    }
    if !missing.is_empty() {
        text.push_str(&format!(
            "\nNot in the document: pages {}. It has pages {first} to {last}.",
            prompt::list(&missing)
        ));
    }
    if !later.is_empty() {
        text.push_str(&format!("\nToo much text at once; ask again for pages {}.", prompt::list(&later)));
    }
    shown.extend(pages.iter().map(|p| p.number));
    (text.trim_start().to_string(), images, !pages.is_empty())
}

fn rejection(problems: &[String]) -> String {
    let mut text = format!("Rejected: {} problem(s). Fix all of them and call {SUBMIT_TOOL} again.\n", problems.len());
    for problem in problems {
        text.push_str("- ");
        text.push_str(problem);
        text.push('\n');
    }
    text.trim_end().to_string()
}

/// One evidence entry of a submission.
#[derive(Debug, Clone, PartialEq)]
struct Evidence {
    field: String,
    page: u32,
    quote: String,
    confidence: f64,
    /// Whether the quote occurs on the cited page.
    found: bool,
}

/// A `submit_extraction` call as docex read it.
#[derive(Debug, Clone, PartialEq, Default)]
struct Submission {
    data: Map<String, Value>,
    evidence: Vec<Evidence>,
    notes: Vec<String>,
}

/// Checks submissions against the spec and the document's pages.
struct Checker<'a> {
    spec: &'a Spec,
    document: &'a Document,
    /// Per page: its text lower-cased with runs of white space made one space, and with no
    /// white space at all.
    pages: BTreeMap<u32, (String, String)>,
}

impl<'a> Checker<'a> {
    fn new(spec: &'a Spec, document: &'a Document) -> Checker<'a> {
        let pages = document.pages.iter().map(|p| (p.number, (normalize(&p.text()), squash(&p.text())))).collect();
        Checker { spec, document, pages }
    }

    fn quote_on(&self, page: u32, quote: &str) -> bool {
        let (spaced, squashed) = (normalize(quote), squash(quote));
        !squashed.is_empty()
            && self.pages.get(&page).is_some_and(|(text, bare)| text.contains(&spaced) || bare.contains(&squashed))
    }

    /// The submission as far as it can be read, and every problem with it. A required
    /// field left out is a problem only while `require_all` holds: the model is asked once,
    /// and a field the document does not state may then stay out (the result needs review,
    /// or another chunk of the document supplies it).
    fn check(&self, input: &Value, require_all: bool) -> (Submission, Vec<String>) {
        let mut problems = Vec::new();
        let mut submission = Submission::default();
        let Some(input) = input.as_object() else {
            return (submission, vec!["the input must be an object with `data` and `evidence`".into()]);
        };
        // Some models send the object as JSON text.
        let data = match input.get("data") {
            Some(Value::String(text)) => serde_json::from_str::<Value>(text).unwrap_or(Value::Null),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        match data {
            Value::Object(map) => submission.data = map,
            _ => problems.push("`data` must be an object with the spec's fields".into()),
        }
        let unknown: Vec<String> = submission.data.keys().filter(|k| self.spec.field(k).is_none()).cloned().collect();
        for key in unknown {
            submission.data.remove(&key);
            problems.push(format!("/{key}: the spec has no field {key:?}; submit only the spec's fields"));
        }
        let data = Value::Object(submission.data.clone());
        for violation in docex_core::check(self.spec, &data) {
            if violation.pointer.is_empty() && violation.message.contains("required") {
                if require_all {
                    problems.push(format!(
                        "data: {}; if the document does not state it, submit again without it",
                        violation.message
                    ));
                }
                continue;
            }
            let at = if violation.pointer.is_empty() { "data".to_string() } else { violation.pointer };
            problems.push(format!("{at}: {}", violation.message));
        }
        for violation in docex_core::printed_count_violations(self.spec, self.document, &data) {
            problems.push(format!("{}: {}; list every entry", violation.pointer, violation.message));
        }

        match input.get("evidence") {
            Some(Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    match self.evidence(index, item, &data) {
                        Ok(evidence) => submission.evidence.push(evidence),
                        Err(problem) => problems.push(problem),
                    }
                }
            }
            _ => problems.push("`evidence` must be a list with one entry per value".into()),
        }
        // A page seen only as an image (no text layer, no OCR) has no text to check a quote
        // against: such quotes stay, with a lower confidence, and are not refused.
        let checkable = |page: u32| self.pages.get(&page).is_some_and(|(text, _)| !text.is_empty());
        for evidence in submission.evidence.iter().filter(|e| !e.found && checkable(e.page)) {
            let elsewhere: Vec<u32> =
                self.pages.keys().copied().filter(|p| self.quote_on(*p, &evidence.quote)).collect();
            problems.push(if elsewhere.is_empty() {
                format!(
                    "{}: the quote {:?} does not occur on page {}; copy the text exactly as it is on the page",
                    evidence.field, evidence.quote, evidence.page
                )
            } else {
                format!(
                    "{}: the quote {:?} is on page {}, not on page {}",
                    evidence.field,
                    evidence.quote,
                    prompt::list(&elsewhere),
                    evidence.page
                )
            });
        }
        for (name, value) in &submission.data {
            let pointer = format!("/{}", escape_pointer_token(name));
            let covered =
                submission.evidence.iter().any(|e| e.field == pointer || e.field.starts_with(&format!("{pointer}/")));
            if !value.is_null() && !covered {
                problems.push(format!("{pointer}: no evidence; add the page and the quote it was read from"));
            }
        }
        if let Some(Value::Array(notes)) = input.get("notes") {
            submission.notes = notes.iter().filter_map(Value::as_str).map(String::from).collect();
        }
        (submission, problems)
    }

    fn evidence(&self, index: usize, item: &Value, data: &Value) -> Result<Evidence, String> {
        let at = |what: &str| format!("evidence entry {}: {what}", index + 1);
        let field = item.get("field").and_then(Value::as_str).filter(|f| f.starts_with('/'));
        let Some(field) = field else {
            return Err(at("`field` must be the JSON pointer of a value in data, such as /total_amount"));
        };
        if data.pointer(field).is_none() {
            return Err(at(&format!("{field} is not a value in data")));
        }
        let page = item.get("page").and_then(Value::as_u64).and_then(|p| u32::try_from(p).ok());
        let Some(page) = page.filter(|p| self.document.page(*p).is_some()) else {
            let first = self.document.pages.first().map_or(1, |p| p.number);
            let last = self.document.pages.last().map_or(1, |p| p.number);
            return Err(at(&format!("{field}: `page` must be a page of the document ({first} to {last})")));
        };
        let quote = item.get("quote").and_then(Value::as_str).unwrap_or_default().to_string();
        if quote.trim().is_empty() {
            return Err(at(&format!("{field}: `quote` must be the text the value was read from")));
        }
        let confidence = match item.get("confidence").and_then(Value::as_f64) {
            Some(c) if (0.0..=1.0).contains(&c) => c,
            _ => return Err(at(&format!("{field}: `confidence` must be a number from 0 to 1"))),
        };
        let found = self.quote_on(page, &quote);
        Ok(Evidence { field: field.to_string(), page, quote, confidence, found })
    }
}

impl Submission {
    /// The extraction, with per-field confidence combining the model's own with docex's
    /// checks: a quote not found on its page cuts it, and so does disagreement with an
    /// embedded e-invoice, while agreement with one raises it.
    fn into_extraction(self, document: &Document, spec: &Spec, notes: Vec<String>) -> Extraction {
        let mut fields: BTreeMap<String, FieldEvidence> = BTreeMap::new();
        for evidence in self.evidence {
            let confidence = if evidence.found { evidence.confidence } else { evidence.confidence * 0.4 };
            let better = fields.get(&evidence.field).is_none_or(|e| e.confidence < confidence);
            if better {
                let bbox = document.page(evidence.page).and_then(|p| quote_box(p, &evidence.quote));
                fields.insert(
                    evidence.field,
                    FieldEvidence { confidence, page: Some(evidence.page), text: evidence.quote, bbox },
                );
            }
        }
        let mut extraction = Extraction { data: self.data, fields, notes, usage: None };
        extraction.notes.extend(self.notes.into_iter().map(|n| format!("the model notes: {n}")));
        compare_with_embedded_invoice(document, spec, &mut extraction);
        extraction
    }
}

/// Checks the values against an e-invoice embedded in the PDF (Factur-X, ZUGFeRD, UBL),
/// which the offline extractor reads with confidence 1.
fn compare_with_embedded_invoice(document: &Document, spec: &Spec, extraction: &mut Extraction) {
    if document.attachments.is_empty() {
        return;
    }
    let embedded = docex_offline::OfflineExtractor::new().extract_sync(document, spec);
    for (name, value) in &embedded.data {
        let pointer = format!("/{}", escape_pointer_token(name));
        let from_xml = embedded.fields.get(&pointer).is_some_and(|e| e.confidence >= 0.99);
        let Some(ours) = extraction.data.get(name).filter(|_| from_xml) else {
            continue;
        };
        let agree = same_value(ours, value);
        if let Some(evidence) = extraction.fields.get_mut(&pointer) {
            evidence.confidence = if agree { evidence.confidence.max(0.98) } else { evidence.confidence * 0.5 };
        }
        if !agree {
            extraction.notes.push(format!("{pointer}: the embedded e-invoice says {value}, the page reading {ours}"));
        }
    }
}

/// The box of the first run of words on the page (in reading order) that holds the quote.
fn quote_box(page: &Page, quote: &str) -> Option<BBox> {
    let wanted = squash(quote);
    if wanted.is_empty() {
        return None;
    }
    let words: Vec<Word> = page.lines().into_iter().flat_map(|line| line.words).collect();
    let texts: Vec<String> = words.iter().map(|w| squash(&w.text)).collect();
    for start in 0..words.len() {
        let mut joined = String::new();
        for end in start..words.len() {
            joined.push_str(&texts[end]);
            if joined.contains(&wanted) {
                if joined[texts[start].len()..].contains(&wanted) {
                    break; // the quote starts at a later word
                }
                let mut bbox = words[start].bbox;
                for word in &words[start + 1..=end] {
                    bbox = bbox.union(&word.bbox);
                }
                return Some(bbox);
            }
            if joined.len() >= wanted.len() + texts[start].len() {
                break;
            }
        }
    }
    None
}

/// Lower case, runs of white space as one space, trimmed.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Lower case with no white space: for quotes whose spacing differs from the page's.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn page(number: u32, lines: &[&str]) -> Page {
        let mut words = Vec::new();
        for (row, line) in lines.iter().enumerate() {
            let mut x = 10.0;
            for text in line.split_whitespace() {
                let y = 20.0 + 14.0 * row as f32;
                words.push(Word {
                    text: text.into(),
                    bbox: BBox { x0: x, y0: y, x1: x + 6.0 * text.len() as f32, y1: y + 10.0 },
                });
                x += 6.0 * text.len() as f32 + 5.0;
            }
        }
        Page { number, width: 600.0, height: 800.0, words, ocr: false }
    }

    fn spec() -> Spec {
        Spec::from_value(
            "t",
            json!({"type": "object", "required": ["total"],
                "x-docex-rules": [{"rule": "sum", "terms": ["/items/*/amount"], "equals_any": ["/total"]}],
                "properties": {"total": {"type": "number"}, "number": {"type": "string"},
                "items": {"type": "array", "items": {"type": "object", "properties": {"amount": {"type": "number"}}}}}}),
        )
        .unwrap()
    }

    #[test]
    fn quotes_match_across_case_and_spacing_and_a_wrong_page_is_named() {
        let document = Document {
            pages: vec![page(1, &["Invoice No. 42"]), page(2, &["Grand  TOTAL", "30.00 EUR"])],
            ..Document::default()
        };
        let spec = spec();
        let checker = Checker::new(&spec, &document);
        assert!(checker.quote_on(2, "grand total 30.00 eur"));
        assert!(checker.quote_on(1, "InvoiceNo.42"));
        let (_, problems) = checker.check(
            &json!({
                "data": {"total": 30.0, "number": "42"},
                "evidence": [
                    {"field": "/total", "page": 1, "quote": "30.00 EUR", "confidence": 0.9},
                    {"field": "/number", "page": 1, "quote": "No. 42", "confidence": 0.9}
                ]
            }),
            true,
        );
        assert_eq!(problems, vec!["/total: the quote \"30.00 EUR\" is on page 2, not on page 1"]);
    }

    #[test]
    fn a_missing_required_field_is_asked_for_once_and_never_on_later_chunks() {
        let spec = spec();
        let submission = json!({"data": {"number": "42"}, "evidence": [{"field": "/number", "page": 3, "quote": "No. 42", "confidence": 0.9}]});
        let later = Document { pages: vec![page(3, &["Invoice No. 42"])], ..Document::default() };
        let checker = Checker::new(&spec, &later);
        let (_, problems) = checker.check(&submission, true);
        assert_eq!(
            problems,
            vec!["data: \"total\" is a required property; if the document does not state it, submit again without it"]
        );
        assert!(checker.check(&submission, false).1.is_empty());
    }

    #[test]
    fn a_quote_from_a_page_seen_only_as_an_image_is_kept_with_less_confidence() {
        let document = Document { pages: vec![page(1, &[])], ..Document::default() };
        let spec = spec();
        let (submission, problems) = Checker::new(&spec, &document).check(
            &json!({"data": {"total": 5.0}, "evidence": [{"field": "/total", "page": 1, "quote": "Total 5.00", "confidence": 0.9}]}),
            true,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let extraction = submission.into_extraction(&document, &spec, Vec::new());
        assert!((extraction.fields["/total"].confidence - 0.9 * 0.4).abs() < 1e-12);
    }

    #[test]
    fn the_box_of_a_quote_spans_its_words() {
        let page = page(1, &["Invoice No. 42", "Total EUR 89.85"]);
        let bbox = quote_box(&page, "eur 89.85").unwrap();
        let (eur, amount) = (&page.words[4].bbox, &page.words[5].bbox);
        assert_eq!((bbox.x0, bbox.y0, bbox.x1, bbox.y1), (eur.x0, eur.y0, amount.x1, amount.y1));
        assert!(quote_box(&page, "Amount due").is_none());
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let document = Document { pages: vec![page(1, &["Total 31.00", "A 10.00", "B 20.00"])], ..Document::default() };
        let spec = spec();
        let (submission, problems) = Checker::new(&spec, &document).check(
            &json!({
                "data": {"total": 31.0, "items": [{"amount": 10.0}, {"amount": 20.0}], "hacked": true},
                "evidence": [{"field": "/total", "page": 9, "quote": "Total 31.00", "confidence": 2}]
            }),
            true,
        );
        assert!(!submission.data.contains_key("hacked"));
        let text = problems.join("\n");
        for expected in
            ["no field \"hacked\"", "add up to 30.00", "must be a page of the document (1 to 1)", "/items: no evidence"]
        {
            assert!(text.contains(expected), "{expected:?} missing from\n{text}");
        }
    }
}
