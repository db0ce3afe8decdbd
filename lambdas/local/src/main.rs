//! The `docex` command: run documents through the workflow on this machine, evaluate the
//! extractor, and inspect, re-drive and dead-letter jobs. Glue only: the work happens in
//! `docex_local` and the crates it wires together.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use docex_core::JobStatus;
use docex_local::commands::{self, Processed, RunOptions};
use docex_local::datadir::{DEFAULT_DATA_DIR, DataDir};
use docex_local::{embedded_adapters, embedded_workflow, embedded_workflow_with, eval, timeline};

#[derive(Parser)]
#[command(
    name = "docex",
    version,
    about = "Extract structured data from PDFs (invoices, receipts, contracts) and render reports.",
    long_about = "docex reads PDFs, fills an extraction spec (a JSON Schema) with the values it finds, checks them, \
and renders a report. On this machine it runs the same workflow definition that runs on AWS Step Functions, \
with embedded storage and the offline extractor."
)]
struct Cli {
    /// Data directory for jobs, results and user specs and templates.
    #[arg(long, global = true, env = "DOCEX_DATA", default_value = DEFAULT_DATA_DIR)]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract data from PDFs: writes OUT/<name>.json and OUT/<name>.pdf for each file.
    Run {
        /// The spec to fill: a name (invoice, receipt, contract, or one in DATA/specs) or a path to a .json file.
        #[arg(long, default_value = "invoice")]
        spec: String,
        /// The report template: a name (DATA/templates or shipped) or a path to a .typ file. Default: the spec's own, else generic.
        #[arg(long)]
        template: Option<String>,
        /// Output folder.
        #[arg(long, default_value = "docex-out")]
        out: PathBuf,
        /// Print one result object per line on stdout instead of a summary.
        #[arg(long)]
        json: bool,
        /// Documents processed at the same time.
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// Who reads the documents: offline (docex's own extractor, no model; the default), bedrock (Amazon
        /// Bedrock, configured like any AWS SDK) or openai (an OpenAI-compatible server at DOCEX_OPENAI_BASE_URL).
        #[arg(long, env = "DOCEX_PROVIDER")]
        provider: Option<String>,
        /// The model for bedrock or openai.
        #[arg(long, env = "DOCEX_MODEL")]
        model: Option<String>,
        /// PDF files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Measure extraction quality on documents with known answers: per-field precision, recall, F1 and
    /// exact match, line items paired row to row, and the calibration of the confidences.
    Eval {
        #[arg(long, default_value = "invoice")]
        spec: String,
        /// A manifest.json listing documents with their ground truth.
        #[arg(long)]
        manifest: PathBuf,
        /// Where the documents are (default: next to the manifest).
        #[arg(long)]
        documents: Option<PathBuf>,
        /// Which documents by their manifest `split`: dev, heldout or all.
        #[arg(long, default_value = "all")]
        split: String,
        /// Print the report as JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Also render the report as a PDF to this path.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// Largest difference between two numbers that still match.
        #[arg(long, default_value_t = 0.01)]
        number_tolerance: f64,
        /// Smallest similarity (0 to 1) at which two texts match.
        #[arg(long, default_value_t = 0.9)]
        similarity: f64,
    },
    /// Labelled documents for `docex eval`.
    Devset {
        #[command(subcommand)]
        command: DevsetCommand,
    },
    /// List jobs.
    Jobs {
        /// Only jobs with this status (QUEUED, RUNNING, SUCCEEDED, NEEDS_REVIEW, FAILED).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a job and its execution history as a timeline.
    Show {
        job: String,
        /// Print the raw history events as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-drive a failed job from the state that failed; finished states are not run again.
    Redrive { job: String },
    /// The dead-letter queue of failed jobs.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// List the specs and templates available.
    Specs,
    /// Measure text extraction, report rendering, engine overhead, end-to-end throughput, cold start and
    /// the AWS cost model; `docex bench lambda` measures the Lambda packages.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        command: Option<BenchCommand>,
        /// Folder of PDF files to read.
        #[arg(long, default_value = docex_local::bench::DEFAULT_DOCS)]
        docs: PathBuf,
        /// Repetitions for the means.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Documents per end-to-end run (copies of the documents, repeated), comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = docex_local::bench::DEFAULT_END_TO_END.to_vec())]
        end_to_end: Vec<usize>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the REST API, live job status and the browser app, and run uploaded jobs in the background.
    Serve {
        /// Address to listen on (loopback by default: anyone who can reach it is the local user unless
        /// --issuer is given).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The browser app's build folder (`npm --prefix web run build` makes web/dist).
        #[arg(long, default_value = "web/dist")]
        web: PathBuf,
        /// Jobs run at the same time (default: the number of CPUs).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Require sign-in: tokens (Bearer, or ?token= on the WebSocket) must come from this issuer,
        /// e.g. https://cognito-idp.REGION.amazonaws.com/POOL_ID.
        #[arg(long, requires = "client_id")]
        issuer: Option<String>,
        /// The app client the tokens are issued to (with --issuer).
        #[arg(long, requires = "issuer")]
        client_id: Option<String>,
        /// Where the issuer's signing keys are (default: ISSUER/.well-known/jwks.json).
        #[arg(long, requires = "issuer")]
        jwks_url: Option<String>,
    },
    /// Load-test `docex serve` on loopback: many uploads at once, each waiting for its job's final status over the
    /// WebSocket; prints throughput and latency. Uses a fresh data directory of its own.
    Loadtest {
        /// Uploads started at once.
        #[arg(long, default_value_t = 200)]
        jobs: usize,
        /// Jobs the server runs at the same time (default: the number of CPUs).
        #[arg(long)]
        concurrency: Option<usize>,
        /// The PDF every job uploads.
        #[arg(long, default_value = "tests/fixtures/documents/invoice2data__AmazonWebServices.pdf")]
        document: PathBuf,
        /// Seconds to wait for every job.
        #[arg(long, default_value_t = 900)]
        timeout: u64,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Work with Amazon States Language definitions.
    Statemachine {
        #[command(subcommand)]
        command: StatemachineCommand,
    },
}

#[derive(Subcommand)]
enum DevsetCommand {
    /// Write generated invoices and receipts with known ground truth, and their manifest.json.
    Generate {
        /// Output folder (created when missing).
        #[arg(long)]
        out: PathBuf,
        /// Invoices to write: every layout of the generator in turn, every fourth with a table over two pages.
        #[arg(long, default_value_t = 32)]
        count: usize,
        /// Till receipts to write beside them (default: a quarter of the invoices).
        #[arg(long)]
        receipts: Option<usize>,
        /// The same seed writes the same documents.
        #[arg(long, default_value_t = docex_local::devset::DEFAULT_SEED)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Lambda package sizes and cold init: each bootstrap binary started under a loopback Runtime API.
    Lambda {
        /// Folder of the binaries: DIR/<function>/bootstrap or DIR/<function>.
        #[arg(long, default_value = "target/lambda")]
        bin_dir: PathBuf,
        /// Folder of the zips: DIR/<function>/bootstrap.zip.
        #[arg(long, default_value = "target/lambda")]
        zip_dir: PathBuf,
        /// Starts per function (the median is printed).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DlqCommand {
    /// List failed jobs waiting for an operator.
    List,
    /// Re-drive jobs from the queue (all of them when none is named).
    Redrive { jobs: Vec<String> },
}

#[derive(Subcommand)]
enum StatemachineCommand {
    /// Check a definition's structure (states, transitions, fields).
    Validate { file: PathBuf },
    /// Run a definition with no Task states (or only tasks docex knows) and print
    /// {"status", "output", "error", "cause"}.
    Run {
        file: PathBuf,
        /// The execution input: JSON text, or @FILE.
        #[arg(long, default_value = "{}")]
        input: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A server says what it does; a command that prints its results keeps stderr quiet.
    let default_log = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOCEX_LOG").unwrap_or_else(|_| default_log.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let data = || DataDir::open(&cli.data).context("opening the data directory");
    match cli.command {
        Command::Run { spec, template, out, json, concurrency, provider, model, files } => {
            let provider = provider.as_deref().map(docex_agent::Provider::parse).transpose()?;
            let extractor = docex_agent::extractor_for(provider, model.as_deref()).await?;
            let workflow = Arc::new(embedded_workflow_with(&data()?, extractor)?);
            run(workflow, files, RunOptions { spec, template, out, concurrency }, json).await
        }
        Command::Eval { spec, manifest, documents, split, json, pdf, number_tolerance, similarity } => {
            let adapters = embedded_adapters(&data()?)?;
            let spec = adapters.specs.load(&spec)?;
            let options = eval::EvalOptions {
                documents_dir: documents,
                split: eval::Split::parse(&split),
                tolerances: docex_eval::Tolerances { number: number_tolerance, similarity },
            };
            let report =
                eval::evaluate(&spec, &manifest, &options, &*adapters.reader, adapters.extractor.as_ref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", eval::table(&report));
            }
            if let Some(path) = pdf {
                let today = docex_render::ReportDate::parse(&chrono::Utc::now().format("%Y-%m-%d").to_string())
                    .context("the system date is out of range")?;
                let bytes = eval::render_pdf(&report, today)?;
                std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                if !json {
                    println!("wrote {}", path.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Devset { command: DevsetCommand::Generate { out, count, receipts, seed } } => {
            let options = docex_local::devset::DevsetOptions {
                out,
                invoices: count,
                receipts: receipts.unwrap_or(count / 4),
                seed,
            };
            let summary = tokio::task::spawn_blocking(move || docex_local::devset::generate(&options)).await??;
            print!("{}", docex_local::devset::table(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs { status, json } => {
            let status = match status {
                Some(s) => Some(JobStatus::parse(&s).with_context(|| format!("unknown status {s:?}"))?),
                None => None,
            };
            let workflow = embedded_workflow(&data()?)?;
            let jobs = workflow.jobs().list(status).await?;
            if json {
                for job in &jobs {
                    println!("{}", serde_json::to_string(job)?);
                }
            } else {
                println!("{:<36}  {:<12}  {:<9}  {:>5}  {:<24}  document", "job", "status", "spec", "conf", "updated");
                for job in &jobs {
                    let confidence = job.confidence.map_or("-".into(), |c| format!("{c:.2}"));
                    println!(
                        "{:<36}  {:<12}  {:<9}  {:>5}  {:<24}  {}",
                        job.job_id,
                        job.status.as_str(),
                        job.spec,
                        confidence,
                        job.updated_at,
                        job.document
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { job, json } => {
            let workflow = embedded_workflow(&data()?)?;
            let record = commands::find_job(&workflow, &job).await?;
            let execution = workflow.adapters().store.execution(&record.job_id)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"job": record, "execution": execution}))?
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "job        {}\ndocument   {}\nspec       {}\nstatus     {}",
                record.job_id,
                record.document,
                record.spec,
                record.status.as_str()
            );
            if let Some(c) = record.confidence {
                println!("confidence {c:.2}");
            }
            if let Some(e) = &record.error {
                println!("error      {}: {}", e.name, e.message);
            }
            if let Some(execution) = execution {
                println!("execution  {} (re-driven {} times)\n", execution.status, execution.redrive_count);
                print!("{}", timeline::render(&timeline::timeline(&execution.history)));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Redrive { job } => {
            let workflow = embedded_workflow(&data()?)?;
            redrive_jobs(&workflow, vec![job]).await
        }
        Command::Dlq { command } => {
            let workflow = embedded_workflow(&data()?)?;
            let store = workflow.adapters().store.clone();
            match command {
                DlqCommand::List => {
                    for letter in store.dead_letters()? {
                        println!(
                            "{}  {}  {}  {}",
                            letter.job_id,
                            letter.at,
                            letter.error,
                            docex_core::error::readable_cause(&letter.cause)
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                DlqCommand::Redrive { jobs } => {
                    let jobs = if jobs.is_empty() {
                        store.dead_letters()?.into_iter().map(|l| l.job_id).collect()
                    } else {
                        jobs
                    };
                    redrive_jobs(&workflow, jobs).await
                }
            }
        }
        Command::Specs => {
            let adapters = embedded_adapters(&data()?)?;
            println!("specs:     {}", adapters.specs.names().join(", "));
            println!("templates: {}", docex_render::builtin_template_names().join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command: Some(BenchCommand::Lambda { bin_dir, zip_dir, runs, json }), .. } => {
            let options = docex_local::lambda_init::LambdaBenchOptions { bin_dir, zip_dir, runs };
            let report = tokio::task::spawn_blocking(move || docex_local::lambda_init::run(&options)).await??;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", docex_local::lambda_init::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command: None, docs, runs, end_to_end, json } => {
            let exe = std::env::current_exe().ok();
            let options = docex_local::bench::BenchOptions { docs, runs, end_to_end, exe };
            let report = docex_local::bench::run(&options).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", docex_local::bench::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Statemachine { command } => docex_local::statemachine::command(command.into()).await,
        Command::Loadtest { jobs, concurrency, document, timeout, json } => {
            let options = docex_local::load::LoadOptions {
                jobs,
                concurrency: concurrency.unwrap_or_else(default_concurrency),
                document,
                timeout: std::time::Duration::from_secs(timeout),
            };
            let scratch = std::env::temp_dir().join(format!("docex-loadtest-{}", uuid::Uuid::new_v4()));
            let report = docex_local::load::run(&DataDir::open(&scratch)?, &options).await;
            let _ = std::fs::remove_dir_all(&scratch);
            let report = report?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", docex_local::load::table(&report));
            }
            Ok(if report.complete() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Serve { addr, web, concurrency, issuer, client_id, jwks_url } => {
            let sign_in = match (issuer, client_id) {
                (Some(issuer), Some(client_id)) => Some(docex_serve::SignIn { issuer, client_id, jwks_url }),
                _ => None,
            };
            let concurrency = concurrency.unwrap_or_else(default_concurrency).max(1);
            let data = data()?;
            let workflow = Arc::new(embedded_workflow(&data)?);
            let options = docex_local::serve::ServeOptions { addr, web, concurrency, sign_in };
            let served = docex_local::serve::start(workflow, &data, options, docex_serve::stop_signal()).await?;
            println!("docex serve: http://{} (Ctrl-C stops)", served.addr);
            // A second Ctrl-C stops at once: running jobs resume at the next start.
            tokio::spawn(async {
                docex_serve::stop_signal().await;
                docex_serve::stop_signal().await;
                eprintln!("stopped before the running jobs finished; they resume at the next start");
                std::process::exit(130);
            });
            served.done.await.context("the server task")??;
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl From<StatemachineCommand> for docex_local::statemachine::Command {
    fn from(command: StatemachineCommand) -> Self {
        match command {
            StatemachineCommand::Validate { file } => docex_local::statemachine::Command::Validate { file },
            StatemachineCommand::Run { file, input } => docex_local::statemachine::Command::Run { file, input },
        }
    }
}

/// Jobs `docex serve` runs at once unless told: one per CPU.
fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Re-drives jobs one after the other and reports each; fails if any job stays failed.
async fn redrive_jobs(workflow: &docex_local::workflow::LocalWorkflow, jobs: Vec<String>) -> Result<ExitCode> {
    let mut failed = false;
    for job in jobs {
        let record = commands::find_job(workflow, &job).await?;
        let execution = workflow.redrive(&record.job_id).await?;
        let after = commands::find_job(workflow, &job).await?;
        failed |= after.status == JobStatus::Failed;
        println!("{}: execution {}, job {}", record.job_id, execution.status, after.status.as_str());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

async fn run(
    workflow: Arc<docex_local::workflow::LocalWorkflow>,
    files: Vec<PathBuf>,
    options: RunOptions,
    json: bool,
) -> Result<ExitCode> {
    let progress = (files.len() > 1 && !json).then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} documents  {elapsed}  {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let bar = progress.clone();
    let processed = commands::run_files(workflow, &files, &options, move |p: &Processed| {
        if json {
            let line = serde_json::to_string(&p.result).unwrap_or_default();
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{line}");
        }
        if let Some(bar) = &bar {
            bar.set_message(p.result.document.clone());
            bar.inc(1);
        }
    })
    .await?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if !json {
        summary(&processed);
    }
    let failed = processed.iter().filter(|p| p.result.status == JobStatus::Failed).count();
    if failed > 0 {
        eprintln!("{failed} of {} documents failed", processed.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(processed: &[Processed]) {
    if let [single] = processed {
        print_fields(single);
        return;
    }
    println!("{:<40} {:<12} {:>5}  output", "document", "status", "conf");
    for p in processed {
        let r = &p.result;
        println!("{:<40} {:<12} {:>5.2}  {}", r.document, r.status.as_str(), r.confidence, p.json_path.display());
        if let Some(e) = &r.error {
            println!("    {}: {}", e.name, e.message);
        }
    }
    let count = |s: JobStatus| processed.iter().filter(|p| p.result.status == s).count();
    println!(
        "\n{} documents: {} succeeded, {} need review, {} failed",
        processed.len(),
        count(JobStatus::Succeeded),
        count(JobStatus::NeedsReview),
        count(JobStatus::Failed)
    );
}

fn print_fields(p: &Processed) {
    let r = &p.result;
    println!("{}  {}  (confidence {:.2}, job {})", r.document, r.status.as_str(), r.confidence, r.job_id);
    if let Some(e) = &r.error {
        println!("  {}: {}", e.name, e.message);
        return;
    }
    if let Some(object) = r.data.as_object() {
        println!("\n  {:<18} {:<42} {:>5} {:>5}", "field", "value", "conf", "page");
        for (name, value) in object {
            let evidence = r.fields.get(&format!("/{name}"));
            let confidence = evidence.map_or("-".into(), |e| format!("{:.2}", e.confidence));
            let page = evidence.and_then(|e| e.page).map_or("-".into(), |p| p.to_string());
            println!("  {:<18} {:<42} {:>5} {:>5}", name, commands::display_value(value), confidence, page);
        }
    }
    for reason in &r.review_reasons {
        println!("  review: {reason}");
    }
    if let Some(u) = &r.usage {
        let cost = u.cost_usd.map_or("no price for this model".into(), |c| format!("${c:.4}"));
        println!(
            "\n  model {}: {} calls, {} input + {} output tokens ({} cached), {cost}",
            u.model, u.calls, u.input_tokens, u.output_tokens, u.cache_read_tokens
        );
    }
    println!("\n  wrote {}", p.json_path.display());
    if let Some(report) = &p.report_path {
        println!("  wrote {}", report.display());
    }
}
