//! Extraction quality metrics for docex, as pure functions over JSON values.
//!
//! A document's extracted data is scored against its ground truth field by field
//! ([`metrics::score_field`]): each value is compared by kind ([`compare`]: numbers within
//! a tolerance, dates and currencies normalised, identifiers exactly, text folded and then
//! compared by similarity), lists item to item after an optimal assignment ([`assign`],
//! Kuhn–Munkres). The scored documents are summed up ([`report::summarise`]) into
//! per-field precision, recall, F1 and exact-match accuracy, with the calibration of the
//! extractor's confidences ([`calibration`]). The report prints as a table
//! ([`report::table`]), serialises as JSON, and renders to PDF with [`REPORT_TEMPLATE`].

pub mod assign;
pub mod calibration;
pub mod compare;
pub mod metrics;
pub mod report;

pub use compare::{Comparison, Tolerances, ValueKind, compare};
pub use metrics::{Counts, FieldOutcome, score_field};
pub use report::{DocumentResult, EvalReport, FieldMetrics, Summary, summarise, table};

/// The Typst template of the PDF report: reads the [`EvalReport`] as JSON from
/// `/data.json` and draws a bar chart of each field's figures.
pub const REPORT_TEMPLATE: &str = include_str!("../templates/eval-report.typ");
