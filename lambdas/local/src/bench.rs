//! `docex bench`: throughput and latency figures on this machine, as tables or JSON.
//!
//! - text extraction: pages/s of `docex_pdf::read_pdf` (OCR off) against the `pdftotext`
//!   binary (poppler-utils) on the same PDF files, in the same run;
//! - report render: the first (cold) and the mean of the following (warm) renders of each
//!   builtin template with the sample results of `docex_render::samples`;
//! - engine overhead: a definition of Pass and no-op Task states, per execution and with
//!   1,000 executions started at once;
//! - end to end: documents/s and the time in each state (mean, p50, p99) through the local
//!   workflow with the offline extractor, for 1, 10 and 1,000 documents (copies of the
//!   documents, repeated), with the peak resident memory of each run;
//! - cold start: a new `docex run` process on one document, from spawn to its report file;
//! - the AWS cost model per 1,000 pages ([`crate::cost`]), from the definition's path and
//!   the measured state durations.
//!
//! `docex bench lambda` ([`crate::lambda_init`]) measures the Lambda packages instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use docex_asl::{
    Engine, ExecutionOptions, ExecutionStatus, HistoryEvent, StateMachine, TaskContext, TaskFailure, TaskHandler,
    TaskRegistry, TokioClock,
};
use docex_core::{DocexError, ErrorName};
use docex_pdf::{Limits, OcrOptions};
use docex_render::{ReportDate, TemplateSource, TypstRenderer};
use serde::Serialize;
use serde_json::{Value, json};

use crate::commands::{RunOptions, run_files};
use crate::datadir::DataDir;
use crate::workflow::{Faults, LocalWorkflow};

/// Default folder of documents, relative to the working directory.
pub const DEFAULT_DOCS: &str = "tests/fixtures/documents";

/// Pass and Task states in the engine-overhead definition (each).
const ENGINE_STATES: usize = 5;
/// Executions started at once for the concurrency figure.
const CONCURRENT_EXECUTIONS: usize = 1_000;
/// Documents processed at a time end to end (as `docex run` does by default).
const END_TO_END_CONCURRENCY: usize = 2;

pub struct BenchOptions {
    /// Folder of PDF files (not searched recursively).
    pub docs: PathBuf,
    /// Repetitions for the means (at least 1).
    pub runs: usize,
    /// Documents per end-to-end run, one run each (copies of the documents, repeated).
    pub end_to_end: Vec<usize>,
    /// The `docex` binary to time from process start to the first report; `None` skips it.
    pub exe: Option<PathBuf>,
}

/// Documents per end-to-end run when none are given.
pub const DEFAULT_END_TO_END: &[usize] = &[1, 10, 1_000];

#[derive(Debug, Clone, Serialize)]
pub struct TextRow {
    pub file: String,
    pub pages: usize,
    /// Mean seconds per read.
    pub docex_s: Option<f64>,
    pub docex_pages_per_s: Option<f64>,
    pub pdftotext_s: Option<f64>,
    pub pdftotext_pages_per_s: Option<f64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderRow {
    pub template: String,
    pub data: String,
    pub cold_ms: f64,
    pub warm_ms: f64,
    pub bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EngineFigures {
    pub pass_states: usize,
    pub task_states: usize,
    pub sequential_executions: usize,
    pub us_per_execution: f64,
    pub concurrent_executions: usize,
    pub concurrent_wall_ms: f64,
    pub executions_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndToEnd {
    pub documents: usize,
    pub concurrency: usize,
    pub wall_s: f64,
    pub documents_per_s: f64,
    pub failed: usize,
    /// Pages of the documents run.
    pub pages: usize,
    /// Milliseconds spent in each state (Map iterations counted per iteration): mean,
    /// median and 99th percentile.
    pub state_mean_ms: BTreeMap<String, f64>,
    pub state_p50_ms: BTreeMap<String, f64>,
    pub state_p99_ms: BTreeMap<String, f64>,
    /// Milliseconds from a job's first to its last history event.
    pub execution_p50_ms: f64,
    pub execution_p99_ms: f64,
    /// Peak resident set size during this run (VmHWM reset before it), KiB.
    pub peak_rss_kib: Option<u64>,
}

/// A new `docex run` process on one document.
#[derive(Debug, Clone, Serialize)]
pub struct ColdStart {
    pub document: String,
    /// From spawn until the report PDF exists.
    pub to_report_ms: Option<f64>,
    /// From spawn until the process exits.
    pub to_exit_ms: f64,
    pub exit_ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub docs: String,
    pub runs: usize,
    pub pdftotext: Option<String>,
    pub text: Vec<TextRow>,
    pub text_total: TextRow,
    pub render: Vec<RenderRow>,
    pub engine: EngineFigures,
    pub end_to_end: Vec<EndToEnd>,
    pub cold_start: Option<ColdStart>,
    pub cost: Option<crate::cost::CostModel>,
    /// Peak resident set size of this process (VmHWM), KiB.
    pub peak_rss_kib: Option<u64>,
}

/// Runs every benchmark.
pub async fn run(options: &BenchOptions) -> Result<BenchReport, DocexError> {
    let runs = options.runs.max(1);
    let files = pdf_files(&options.docs)?;
    let pdftotext = pdftotext_version();
    let (text, text_total) = text_extraction(&files, runs, pdftotext.is_ok());
    let render = report_render(runs)?;
    let engine = engine_overhead().await?;
    let pages: Vec<usize> = files
        .iter()
        .map(|f| {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            text.iter().find(|r| r.file == name).map_or(1, |r| r.pages.max(1))
        })
        .collect();
    let cold_start = match &options.exe {
        Some(exe) => Some(cold_start(exe, &files[0])?),
        None => None,
    };
    let whole_run_peak = peak_rss_kib();
    let mut end_to_end = Vec::new();
    for &documents in &options.end_to_end {
        end_to_end.push(end_to_end_run(&files, &pages, documents).await?);
    }
    let cost = end_to_end.iter().filter(|r| r.failed < r.documents).max_by_key(|r| r.documents).map(crate::cost::model);
    let peak =
        [whole_run_peak, peak_rss_kib()].into_iter().chain(end_to_end.iter().map(|r| r.peak_rss_kib)).flatten().max();
    Ok(BenchReport {
        docs: options.docs.display().to_string(),
        runs,
        pdftotext: pdftotext.ok(),
        text,
        text_total,
        render,
        engine,
        end_to_end,
        cold_start,
        cost,
        peak_rss_kib: peak,
    })
}

fn pdf_files(dir: &Path) -> Result<Vec<PathBuf>, DocexError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| DocexError::InvalidInput(format!("cannot read the documents folder {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(DocexError::InvalidInput(format!("no .pdf files in {}", dir.display())));
    }
    Ok(files)
}

/// The installed `pdftotext`'s version line, or why it cannot run.
fn pdftotext_version() -> Result<String, String> {
    let output = Command::new("pdftotext")
        .arg("-v")
        .output()
        .map_err(|e| format!("pdftotext cannot run ({e}); install poppler-utils"))?;
    let text = String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
    Ok(text.lines().next().unwrap_or("pdftotext").trim().to_string())
}

fn mean_seconds(runs: usize, mut once: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let start = Instant::now();
    for _ in 0..runs {
        once()?;
    }
    Ok(start.elapsed().as_secs_f64() / runs as f64)
}

fn text_extraction(files: &[PathBuf], runs: usize, with_pdftotext: bool) -> (Vec<TextRow>, TextRow) {
    let limits = Limits::default();
    let ocr = OcrOptions { enabled: false, ..OcrOptions::default() };
    let mut rows = Vec::new();
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut row = TextRow {
            file: name,
            pages: 0,
            docex_s: None,
            docex_pages_per_s: None,
            pdftotext_s: None,
            pdftotext_pages_per_s: None,
            error: None,
        };
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                row.error = Some(e.to_string());
                rows.push(row);
                continue;
            }
        };
        match docex_pdf::read_pdf(&bytes, &limits, &ocr) {
            Ok(document) => row.pages = document.pages.len(),
            Err(e) => row.error = Some(format!("docex: {}: {e}", e.name())),
        }
        if row.error.is_none() {
            let docex =
                mean_seconds(runs, || docex_pdf::read_pdf(&bytes, &limits, &ocr).map(drop).map_err(|e| e.to_string()));
            match docex {
                Ok(s) => row.docex_s = Some(s),
                Err(e) => row.error = Some(format!("docex: {e}")),
            }
        }
        if with_pdftotext && row.error.is_none() {
            let poppler = mean_seconds(runs, || {
                let output =
                    Command::new("pdftotext").arg("-q").arg(file).arg("-").output().map_err(|e| e.to_string())?;
                if output.status.success() { Ok(()) } else { Err(format!("pdftotext exited {}", output.status)) }
            });
            match poppler {
                Ok(s) => row.pdftotext_s = Some(s),
                Err(e) => row.error = Some(format!("pdftotext: {e}")),
            }
        }
        row.docex_pages_per_s = row.docex_s.map(|s| row.pages as f64 / s);
        row.pdftotext_pages_per_s = row.pdftotext_s.map(|s| row.pages as f64 / s);
        rows.push(row);
    }
    // The total over the files both readers read.
    let both: Vec<&TextRow> = rows.iter().filter(|r| r.error.is_none()).collect();
    let pages: usize = both.iter().map(|r| r.pages).sum();
    let sum = |f: fn(&TextRow) -> Option<f64>| both.iter().map(|r| f(r)).sum::<Option<f64>>();
    let docex_s = sum(|r| r.docex_s);
    let pdftotext_s = sum(|r| r.pdftotext_s);
    let total = TextRow {
        file: format!("total ({} files)", both.len()),
        pages,
        docex_s,
        docex_pages_per_s: docex_s.map(|s| pages as f64 / s),
        pdftotext_s,
        pdftotext_pages_per_s: pdftotext_s.map(|s| pages as f64 / s),
        error: None,
    };
    (rows, total)
}

fn report_render(runs: usize) -> Result<Vec<RenderRow>, DocexError> {
    let date = ReportDate::new(2025, 1, 1).ok_or_else(|| DocexError::InvalidInput("bad report date".into()))?;
    let renderer = TypstRenderer::new(date);
    let mut rows = Vec::new();
    for template in docex_render::builtin_template_names() {
        let (label, data) = match template {
            "receipt" => ("receipt_result()", docex_render::samples::receipt_result()),
            "contract" => ("contract_result()", docex_render::samples::contract_result()),
            _ => ("invoice_result(45)", docex_render::samples::invoice_result(45)),
        };
        let source = TemplateSource::builtin(template);
        let start = Instant::now();
        let pdf = renderer.render(&source, &data)?;
        let cold = start.elapsed();
        let start = Instant::now();
        for _ in 0..runs {
            renderer.render(&source, &data)?;
        }
        let warm = start.elapsed() / runs as u32;
        rows.push(RenderRow {
            template: template.to_string(),
            data: label.to_string(),
            cold_ms: ms(cold),
            warm_ms: ms(warm),
            bytes: pdf.len(),
        });
    }
    Ok(rows)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Noop;

#[async_trait]
impl TaskHandler for Noop {
    async fn call(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskFailure> {
        Ok(input)
    }
}

/// Pass, Task, Pass, Task, ... with every Task bound to a handler that returns its input.
fn overhead_machine() -> Result<StateMachine, DocexError> {
    let mut states = serde_json::Map::new();
    let names: Vec<String> = (1..=ENGINE_STATES).flat_map(|i| [format!("Pass{i}"), format!("Task{i}")]).collect();
    for (index, name) in names.iter().enumerate() {
        let mut state = if name.starts_with("Pass") {
            json!({"Type": "Pass", "Result": {"step": index}, "ResultPath": "$.last"})
        } else {
            json!({"Type": "Task", "Resource": "noop"})
        };
        match names.get(index + 1) {
            Some(next) => state["Next"] = json!(next),
            None => state["End"] = json!(true),
        }
        states.insert(name.clone(), state);
    }
    StateMachine::parse(&json!({"StartAt": names[0], "States": states}))
        .map_err(|e| DocexError::InvalidInput(format!("benchmark definition: {e}")))
}

async fn engine_overhead() -> Result<EngineFigures, DocexError> {
    let machine = Arc::new(overhead_machine()?);
    let engine = Engine::new(TaskRegistry::new().with("noop", Arc::new(Noop)), Arc::new(TokioClock));
    if !engine.unbound_resources(&machine).is_empty() {
        return Err(DocexError::InvalidInput("the benchmark's no-op task is not bound".into()));
    }
    let check = |status: ExecutionStatus| {
        if status == ExecutionStatus::Succeeded {
            Ok(())
        } else {
            Err(DocexError::InvalidInput(format!("a benchmark execution ended {status}")))
        }
    };
    // Warm up, then the sequential mean.
    for _ in 0..100 {
        check(engine.start(&machine, json!({"n": 0}), ExecutionOptions::default()).await.status)?;
    }
    let sequential = 2_000;
    let start = Instant::now();
    for n in 0..sequential {
        check(engine.start(&machine, json!({"n": n}), ExecutionOptions::default()).await.status)?;
    }
    let us_per_execution = start.elapsed().as_secs_f64() * 1e6 / sequential as f64;

    let start = Instant::now();
    let mut running = tokio::task::JoinSet::new();
    for n in 0..CONCURRENT_EXECUTIONS {
        let (engine, machine) = (engine.clone(), machine.clone());
        running.spawn(async move { engine.start(&machine, json!({"n": n}), ExecutionOptions::default()).await.status });
    }
    while let Some(done) = running.join_next().await {
        check(done.map_err(|e| DocexError::InvalidInput(format!("a benchmark execution stopped: {e}")))?)?;
    }
    let wall = start.elapsed();
    Ok(EngineFigures {
        pass_states: ENGINE_STATES,
        task_states: ENGINE_STATES,
        sequential_executions: sequential,
        us_per_execution,
        concurrent_executions: CONCURRENT_EXECUTIONS,
        concurrent_wall_ms: ms(wall),
        executions_per_s: CONCURRENT_EXECUTIONS as f64 / wall.as_secs_f64(),
    })
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn end_to_end_run(files: &[PathBuf], pages: &[usize], documents: usize) -> Result<EndToEnd, DocexError> {
    let scratch = Scratch(std::env::temp_dir().join(format!("docex-bench-{}", uuid::Uuid::new_v4())));
    let io = |e: std::io::Error| DocexError::Storage(format!("benchmark scratch folder: {e}"));
    let inputs = scratch.0.join("in");
    std::fs::create_dir_all(&inputs).map_err(io)?;
    let mut copies = Vec::with_capacity(documents);
    let mut page_count = 0;
    for (n, (source, pages)) in files.iter().zip(pages).cycle().take(documents).enumerate() {
        let copy = inputs.join(format!("{n:04}.pdf"));
        std::fs::copy(source, &copy).map_err(io)?;
        copies.push(copy);
        page_count += pages;
    }
    let data = DataDir::open(scratch.0.join("data"))?;
    let workflow = Arc::new(LocalWorkflow::new(crate::embedded_adapters(&data)?, Faults::default())?);
    let options = RunOptions {
        spec: "invoice".into(),
        template: None,
        out: scratch.0.join("out"),
        concurrency: END_TO_END_CONCURRENCY,
    };
    reset_peak_rss();
    let start = Instant::now();
    let processed = run_files(workflow.clone(), &copies, &options, |_| {}).await?;
    let wall = start.elapsed();
    let peak = peak_rss_kib();
    let mut per_state: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut executions = Vec::new();
    for p in &processed {
        if let Some(execution) = workflow.adapters().store.execution(&p.result.job_id)? {
            for (state, duration) in state_durations(&execution.history) {
                per_state.entry(state).or_default().push(ms(duration));
            }
            if let (Some(first), Some(last)) = (execution.history.first(), execution.history.last()) {
                executions.push(ms((last.timestamp - first.timestamp).to_std().unwrap_or_default()));
            }
        }
    }
    for samples in per_state.values_mut() {
        samples.sort_by(f64::total_cmp);
    }
    executions.sort_by(f64::total_cmp);
    let each = |f: &dyn Fn(&[f64]) -> f64| -> BTreeMap<String, f64> {
        per_state.iter().map(|(k, v)| (k.clone(), f(v))).collect()
    };
    Ok(EndToEnd {
        documents,
        concurrency: END_TO_END_CONCURRENCY,
        wall_s: wall.as_secs_f64(),
        documents_per_s: documents as f64 / wall.as_secs_f64(),
        failed: processed.iter().filter(|p| p.result.status == docex_core::JobStatus::Failed).count(),
        pages: page_count,
        state_mean_ms: each(&|v| v.iter().sum::<f64>() / v.len().max(1) as f64),
        state_p50_ms: each(&|v| percentile(v, 0.50)),
        state_p99_ms: each(&|v| percentile(v, 0.99)),
        execution_p50_ms: percentile(&executions, 0.50),
        execution_p99_ms: percentile(&executions, 0.99),
        peak_rss_kib: peak,
    })
}

/// The nearest-rank percentile of sorted samples (0 for none).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Starts `exe run` on one document in a scratch folder and times it to the report file.
fn cold_start(exe: &Path, document: &Path) -> Result<ColdStart, DocexError> {
    let scratch = Scratch(std::env::temp_dir().join(format!("docex-cold-{}", uuid::Uuid::new_v4())));
    let io = |e: std::io::Error| DocexError::Storage(format!("cold start: {e}"));
    std::fs::create_dir_all(&scratch.0).map_err(io)?;
    let document = &document.canonicalize().map_err(io)?;
    let stem = document.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let report = scratch.0.join("out").join(format!("{stem}.pdf"));
    let start = Instant::now();
    let mut child = Command::new(exe)
        .arg("--data")
        .arg(scratch.0.join("data"))
        .args(["run", "--out"])
        .arg(scratch.0.join("out"))
        .arg(document)
        .current_dir(&scratch.0)
        .env_remove("DOCEX_FAULTS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| DocexError::InvalidInput(format!("cannot start {}: {e}", exe.display())))?;
    let mut to_report = None;
    let status = loop {
        if to_report.is_none() && report.is_file() {
            to_report = Some(ms(start.elapsed()));
        }
        if let Some(status) = child.try_wait().map_err(io)? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let to_exit = ms(start.elapsed());
    if to_report.is_none() && report.is_file() {
        to_report = Some(to_exit);
    }
    Ok(ColdStart {
        document: document.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        to_report_ms: to_report,
        to_exit_ms: to_exit,
        exit_ok: status.success(),
    })
}

/// How long each state run took, from its entered event to its exited event.
fn state_durations(history: &[HistoryEvent]) -> Vec<(String, Duration)> {
    let mut open: BTreeMap<&str, (&str, chrono::DateTime<chrono::Utc>)> = BTreeMap::new();
    let mut durations = Vec::new();
    for event in history {
        if event.event_type.is_state_entered() {
            if let Some(d) = &event.state_entered_event_details {
                open.insert(&event.scope, (&d.name, event.timestamp));
            }
        } else if event.event_type.is_state_exited()
            && let Some((name, at)) = open.remove(event.scope.as_str())
        {
            durations.push((name.to_string(), (event.timestamp - at).to_std().unwrap_or_default()));
        }
    }
    durations
}

/// Resets this process's peak resident set size to its current size (Linux: writing 5 to
/// `/proc/self/clear_refs`); without it the peak covers the whole process.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size of this process in KiB (Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn opt(value: Option<f64>, precision: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.precision$}"))
}

/// The report as tables.
pub fn table(report: &BenchReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "text extraction ({}; mean of {} runs; docex read_pdf with OCR off vs {})\n",
        report.docs,
        report.runs,
        report.pdftotext.as_deref().unwrap_or("pdftotext: not installed (poppler-utils)")
    ));
    out.push_str(&format!(
        "{:<58} {:>5} {:>10} {:>10} {:>12} {:>12}\n",
        "file", "pages", "docex ms", "docex p/s", "pdftotext ms", "pdftotext p/s"
    ));
    for row in report.text.iter().chain(std::iter::once(&report.text_total)) {
        let name: String = if row.file.chars().count() > 58 {
            format!("{}…", row.file.chars().take(57).collect::<String>())
        } else {
            row.file.clone()
        };
        out.push_str(&format!(
            "{:<58} {:>5} {:>10} {:>10} {:>12} {:>12}{}\n",
            name,
            row.pages,
            opt(row.docex_s.map(|s| s * 1e3), 2),
            opt(row.docex_pages_per_s, 0),
            opt(row.pdftotext_s.map(|s| s * 1e3), 2),
            opt(row.pdftotext_pages_per_s, 0),
            row.error.as_ref().map(|e| format!("  {e}")).unwrap_or_default()
        ));
    }
    out.push_str(&format!("\nreport render (warm = mean of {} renders)\n", report.runs));
    out.push_str(&format!("{:<10} {:<20} {:>9} {:>9} {:>9}\n", "template", "data", "cold ms", "warm ms", "bytes"));
    for row in &report.render {
        out.push_str(&format!(
            "{:<10} {:<20} {:>9.1} {:>9.1} {:>9}\n",
            row.template, row.data, row.cold_ms, row.warm_ms, row.bytes
        ));
    }
    let e = &report.engine;
    out.push_str(&format!(
        "\nengine overhead ({} Pass + {} no-op Task states)\n{:<44} {:>10.1}\n{:<44} {:>10.0}  ({:.0} ms)\n",
        e.pass_states,
        e.task_states,
        format!("µs per execution (mean of {})", e.sequential_executions),
        e.us_per_execution,
        format!("executions/s, {} started at once", e.concurrent_executions),
        e.executions_per_s,
        e.concurrent_wall_ms
    ));
    out.push_str("\nend to end (local workflow, offline extractor, copies of the documents)\n");
    let states: Vec<&String> = {
        let mut all: Vec<&String> = report.end_to_end.iter().flat_map(|r| r.state_mean_ms.keys()).collect();
        all.sort();
        all.dedup();
        all
    };
    out.push_str(&format!("{:<24}", "documents"));
    for run in &report.end_to_end {
        out.push_str(&format!(" {:>10}", run.documents));
    }
    out.push('\n');
    let line = |label: &str, values: Vec<String>| {
        let mut s = format!("{label:<24}");
        for v in values {
            s.push_str(&format!(" {v:>10}"));
        }
        s.push('\n');
        s
    };
    let runs = &report.end_to_end;
    out.push_str(&line("concurrency", runs.iter().map(|r| r.concurrency.to_string()).collect()));
    out.push_str(&line("pages", runs.iter().map(|r| r.pages.to_string()).collect()));
    out.push_str(&line("wall s", runs.iter().map(|r| format!("{:.2}", r.wall_s)).collect()));
    out.push_str(&line("documents/s", runs.iter().map(|r| format!("{:.2}", r.documents_per_s)).collect()));
    out.push_str(&line("failed", runs.iter().map(|r| r.failed.to_string()).collect()));
    out.push_str(&line("job p50 ms", runs.iter().map(|r| format!("{:.1}", r.execution_p50_ms)).collect()));
    out.push_str(&line("job p99 ms", runs.iter().map(|r| format!("{:.1}", r.execution_p99_ms)).collect()));
    for state in states {
        for (label, figures) in [
            ("p50", runs.iter().map(|r| r.state_p50_ms.get(state).copied()).collect::<Vec<_>>()),
            ("p99", runs.iter().map(|r| r.state_p99_ms.get(state).copied()).collect()),
        ] {
            out.push_str(&line(&format!("{state} {label} ms"), figures.into_iter().map(|v| opt(v, 1)).collect()));
        }
    }
    let mib = |k: Option<u64>| k.map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0));
    out.push_str(&line("peak RSS MiB", runs.iter().map(|r| mib(r.peak_rss_kib)).collect()));
    if let Some(cold) = &report.cold_start {
        out.push_str(&format!(
            "\ncold start: `docex run {}` in a new process: report file after {} ms, exit after {:.0} ms{}\n",
            cold.document,
            opt(cold.to_report_ms, 0),
            cold.to_exit_ms,
            if cold.exit_ok { "" } else { " (the run failed)" }
        ));
    }
    if let Some(cost) = &report.cost {
        out.push('\n');
        out.push_str(&crate::cost::table(cost));
    }
    out.push_str(&format!(
        "\npeak RSS (VmHWM) {}\n",
        report.peak_rss_kib.map_or("unknown".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_rank_at_or_above() {
        let sorted = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0];
        assert_eq!(percentile(&sorted, 0.5), 50.0);
        assert_eq!(percentile(&sorted, 0.99), 100.0);
        assert_eq!(percentile(&[7.0], 0.5), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
