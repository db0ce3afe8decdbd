//! docex's domain and pure logic: documents and their positioned text, extraction specs
//! (JSON Schema), extraction results with evidence and confidence, the stable error names
//! that the workflow routes on, and the ports (traits) that adapters implement.
//!
//! Architecture invariant: this crate does no I/O and depends on no AWS or network crate.
//! The `core_has_no_io_dependencies` test in `tests/invariants.rs` checks the dependency list.
//!
//! The pipeline, as the workflow runs it:
//! 1. a PDF becomes a [`Document`] (pages of [`Word`]s with boxes) in `docex-pdf`;
//! 2. an [`Extractor`] fills a [`Spec`] and returns an [`Extraction`];
//! 3. [`finalize`] validates it against the spec and decides the [`JobStatus`];
//! 4. a [`Renderer`] turns the result into a report.

pub mod api;
pub mod builtin;
pub mod counts;
pub mod document;
pub mod error;
pub mod job;
pub mod merge;
pub mod outcome;
pub mod ports;
pub mod result;
pub mod spec;

pub use counts::printed_count_violations;
pub use document::{Attachment, BBox, Document, Line, Page, PageImage, Word};
pub use error::{DocexError, ErrorName, panic_message};
pub use job::{DeadLetter, JobEvent, JobRecord, JobResult, StatusUpdate};
pub use merge::merge_extractions;
pub use outcome::{JobStatus, Outcome, check, finalize};
pub use ports::{
    BlobStore, DeadLetterQueue, DocumentReader, EventBus, Extractor, FailedExtraction, JobStore, Renderer, ResultStore,
    SpecStore,
};
pub use result::{Extraction, FieldEvidence, Usage};
pub use spec::{FieldKind, FieldSpec, Spec};
