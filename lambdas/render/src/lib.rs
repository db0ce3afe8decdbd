//! docex reports: Typst templates compiled to PDF as a library, in a sandbox.
//!
//! A template reads the job result as a JSON file (`json("/data.json")`); the data is never
//! spliced into Typst source, so extracted text cannot run Typst code. The world a template
//! compiles in holds only the template's own files, the data file, the fonts built into the
//! binary and an explicit date; packages and plugins are refused. A compile runs on its own
//! thread with a time budget, and a report has a page cap.
//!
//! [`generate`] renders synthetic invoices and receipts from known data, for round-trip
//! tests of the extractors.

pub mod builtin;
pub mod generate;
mod renderer;
pub mod samples;
mod world;

pub use builtin::{BUILTIN_TEMPLATES, builtin_template_names};
pub use renderer::{RenderLimits, ReportDate, TemplateSource, TypstRenderer};
pub use world::DATA_PATH;
