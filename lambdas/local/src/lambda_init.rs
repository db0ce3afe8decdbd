//! `docex bench lambda`: the size of each Lambda package and its cold init time, measured
//! by starting the function's `bootstrap` binary as Lambda does, against a Runtime API
//! endpoint on loopback, and timing process start to the binary's first request (its
//! `GET /2018-06-01/runtime/invocation/next`, or the `POST .../init/error` of a function
//! that could not start). The environment is the one Lambda sets plus a placeholder for
//! every variable `lambdas/functions.json` lists for the function; nothing is invoked, so
//! no AWS endpoint is contacted.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docex_core::DocexError;
use serde::Serialize;
use serde_json::Value;

const FUNCTIONS: &str = include_str!("../../functions.json");
/// How long a binary may take to ask for its first event.
const INIT_TIMEOUT: Duration = Duration::from_secs(20);

pub struct LambdaBenchOptions {
    /// Where the binaries are: `DIR/<function>/bootstrap` (cargo lambda's layout) or
    /// `DIR/<function>` (cargo's).
    pub bin_dir: PathBuf,
    /// Where the zips are: `DIR/<function>/bootstrap.zip`.
    pub zip_dir: PathBuf,
    /// Starts per function; the median is reported.
    pub runs: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LambdaRow {
    pub function: String,
    pub memory_mb: Option<u64>,
    pub binary: Option<String>,
    pub binary_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
    /// Median milliseconds from spawn to the first request.
    pub init_ms: Option<f64>,
    pub init_min_ms: Option<f64>,
    /// The first request's method and path, or why nothing was measured.
    pub first_request: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LambdaReport {
    pub bin_dir: String,
    pub zip_dir: String,
    pub runs: usize,
    pub functions: Vec<LambdaRow>,
}

fn functions() -> Vec<(String, Value)> {
    let table: Value = serde_json::from_str(FUNCTIONS).unwrap_or_default();
    table
        .get("functions")
        .and_then(Value::as_object)
        .map(|f| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// A placeholder of the right shape for an environment variable the function reads.
fn placeholder(name: &str) -> String {
    match name {
        "DOCEX_PROVIDER" => "bedrock".into(),
        "DOCEX_MODEL" => "anthropic.claude-3-5-haiku-20241022-v1:0".into(),
        "DOCEX_DB_NAME" => "docex".into(),
        "DOCEX_ALLOWED_ORIGIN" => "https://example.com".into(),
        n if n.ends_with("_ARN") => format!("arn:aws:states:us-east-1:123456789012:stateMachine:{}", n.to_lowercase()),
        n if n.ends_with("_URL") || n.ends_with("_ENDPOINT") || n.ends_with("_ISSUER") => {
            "https://127.0.0.1:9/placeholder".into()
        }
        n => n.to_lowercase().replace('_', "-"),
    }
}

fn find_binary(dir: &Path, function: &str) -> Option<PathBuf> {
    [dir.join(function).join("bootstrap"), dir.join(function)].into_iter().find(|p| p.is_file())
}

/// Runs the benchmark over every function of `lambdas/functions.json`.
pub fn run(options: &LambdaBenchOptions) -> Result<LambdaReport, DocexError> {
    let runs = options.runs.max(1);
    let mut rows = Vec::new();
    for (function, settings) in functions() {
        let memory_mb = settings.get("memory").and_then(Value::as_u64);
        let env: Vec<(String, String)> = settings
            .get("env")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).map(|n| (n.to_string(), placeholder(n))).collect())
            .unwrap_or_default();
        let zip_bytes = std::fs::metadata(options.zip_dir.join(&function).join("bootstrap.zip")).ok().map(|m| m.len());
        let mut row = LambdaRow {
            function: function.clone(),
            memory_mb,
            binary: None,
            binary_bytes: None,
            zip_bytes,
            init_ms: None,
            init_min_ms: None,
            first_request: "no binary".into(),
        };
        if let Some(binary) = find_binary(&options.bin_dir, &function) {
            row.binary_bytes = std::fs::metadata(&binary).ok().map(|m| m.len());
            row.binary = Some(binary.display().to_string());
            let mut times = Vec::new();
            for _ in 0..runs {
                match first_request(&binary, &function, memory_mb.unwrap_or(128), &env) {
                    Ok((elapsed, request)) => {
                        times.push(elapsed.as_secs_f64() * 1e3);
                        row.first_request = request;
                    }
                    Err(e) => {
                        row.first_request = e;
                        break;
                    }
                }
            }
            times.sort_by(f64::total_cmp);
            if !times.is_empty() {
                row.init_ms = Some(crate::bench::percentile(&times, 0.5));
                row.init_min_ms = times.first().copied();
            }
        }
        rows.push(row);
    }
    Ok(LambdaReport {
        bin_dir: options.bin_dir.display().to_string(),
        zip_dir: options.zip_dir.display().to_string(),
        runs,
        functions: rows,
    })
}

/// Starts the binary and waits for its first Runtime API request; the process is killed
/// after it.
fn first_request(
    binary: &Path,
    function: &str,
    memory_mb: u64,
    env: &[(String, String)],
) -> Result<(Duration, String), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string())
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{function}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("_HANDLER", "bootstrap")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_SESSION_TOKEN", "bench")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let result = loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let elapsed = start.elapsed();
                break Ok((elapsed, request_line(stream)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Ok(Some(status)) = child.try_wait() {
                    break Err(format!("exited ({status}) before asking for work"));
                }
                if start.elapsed() > INIT_TIMEOUT {
                    break Err(format!("no request within {INIT_TIMEOUT:?}"));
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(e) => break Err(format!("accept: {e}")),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// The request's method and path; the connection is answered and closed.
fn request_line(mut stream: TcpStream) -> String {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buffer = [0u8; 1024];
    let n = stream.read(&mut buffer).unwrap_or(0);
    let text = String::from_utf8_lossy(&buffer[..n]);
    let line: Vec<&str> = text.lines().next().unwrap_or("").split_whitespace().take(2).collect();
    let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    line.join(" ")
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("-".into(), |b| format!("{:.1}", b as f64 / 1e6))
}

/// The report as a table.
pub fn table(report: &LambdaReport) -> String {
    let mut out = format!(
        "Lambda packages: binaries in {}, zips in {}; init = spawn to first Runtime API request, median of {} starts\n",
        report.bin_dir, report.zip_dir, report.runs
    );
    out.push_str(&format!(
        "{:<20} {:>6} {:>10} {:>8} {:>9} {:>9}  {}\n",
        "function", "MB mem", "binary MB", "zip MB", "init ms", "min ms", "first request"
    ));
    for row in &report.functions {
        let ms = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
        out.push_str(&format!(
            "{:<20} {:>6} {:>10} {:>8} {:>9} {:>9}  {}\n",
            row.function,
            row.memory_mb.map_or("-".into(), |m| m.to_string()),
            mb(row.binary_bytes),
            mb(row.zip_bytes),
            ms(row.init_ms),
            ms(row.init_min_ms),
            row.first_request
        ));
    }
    out
}
