//! The `docex` binary as a user runs it: outputs of `run`, `--json` lines, a batch with bad
//! files, where the data directory is, `jobs`, `show`, `redrive`, the dead-letter queue and
//! fault injection through `DOCEX_FAULTS`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const INVOICE: &str = "invoice2data__AmazonWebServices.pdf";
const OTHER_INVOICE: &str = "invoice2data__QualityHosting.pdf";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents").join(name)
}

/// A working directory for the command, so nothing lands outside it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("a temporary directory") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_docex"));
        command.args(args).current_dir(self.dir.path()).env_remove("DOCEX_DATA").env_remove("DOCEX_FAULTS");
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args, env).output().expect("docex starts")
    }

    /// Runs and requires success.
    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = self.run(args, env);
        assert!(output.status.success(), "docex {args:?} failed:\n{}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    /// `docex jobs --json` as objects.
    fn jobs(&self, args: &[&str], env: &[(&str, &str)]) -> Vec<Value> {
        let mut all = vec!["jobs", "--json"];
        all.extend_from_slice(args);
        json_lines(&self.ok(&all, env))
    }

    fn read_json(&self, path: &str) -> Value {
        let text = std::fs::read_to_string(self.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
    }
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {l}")))
        .collect()
}

fn error_name(result: &Value) -> Option<&str> {
    result["error"]["name"].as_str()
}

#[test]
fn run_writes_the_result_and_the_report_of_a_real_invoice() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    let stdout = sandbox.ok(&["--data", "data", "run", "--out", "out", invoice.to_str().unwrap()], &[]);
    let stem = INVOICE.trim_end_matches(".pdf");
    assert!(stdout.contains(INVOICE), "the summary names the document:\n{stdout}");
    let result = sandbox.read_json(&format!("out/{stem}.json"));
    for key in ["job_id", "document", "spec", "status", "data", "fields", "confidence", "report", "error"] {
        assert!(result.get(key).is_some(), "the result has no {key:?}: {result}");
    }
    assert_eq!(result["document"], INVOICE);
    assert_eq!(result["spec"], "invoice");
    assert!(matches!(result["status"].as_str(), Some("SUCCEEDED" | "NEEDS_REVIEW")), "{}", result["status"]);
    assert!(result["error"].is_null());
    assert!(result["data"].as_object().is_some_and(|d| !d.is_empty()), "some fields were extracted");
    let report = std::fs::read(sandbox.path(&format!("out/{stem}.pdf"))).expect("the report is written");
    assert!(report.starts_with(b"%PDF"));
    assert!(result["report"].as_str().is_some_and(|r| r.ends_with(&format!("{stem}.pdf"))), "{}", result["report"]);
    let jobs = sandbox.jobs(&["--data", "data"], &[]);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["job_id"], result["job_id"]);
}

#[test]
fn json_prints_one_result_object_per_line() {
    let sandbox = Sandbox::new();
    let (a, b) = (fixture(INVOICE), fixture(OTHER_INVOICE));
    let stdout =
        sandbox.ok(&["--data", "data", "run", "--json", "--out", "out", a.to_str().unwrap(), b.to_str().unwrap()], &[]);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 2, "{stdout}");
    let mut documents: Vec<&str> = lines.iter().map(|l| l["document"].as_str().unwrap()).collect();
    documents.sort();
    assert_eq!(documents, [INVOICE, OTHER_INVOICE]);
    assert!(lines.iter().all(|l| l["job_id"].as_str().is_some_and(|id| !id.is_empty())));
}

#[test]
fn a_batch_with_bad_files_processes_the_others_and_exits_non_zero() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("in")).unwrap();
    std::fs::write(sandbox.path("in/empty.pdf"), b"").unwrap();
    std::fs::write(sandbox.path("in/picture.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01").unwrap();
    let whole = std::fs::read(fixture(INVOICE)).unwrap();
    std::fs::write(sandbox.path("in/truncated.pdf"), &whole[..whole.len() / 3]).unwrap();
    let good = fixture(INVOICE);
    let args = ["--data", "data", "run", "--out", "out", "in/empty.pdf", "in/picture.png", "in/truncated.pdf"];
    let mut args = args.to_vec();
    args.push(good.to_str().unwrap());
    let output = sandbox.run(&args, &[]);
    assert!(!output.status.success(), "a batch with failures exits non-zero:\n{}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("3 of 4 documents failed"), "{}", describe(&output));

    let good_result = sandbox.read_json(&format!("out/{}.json", INVOICE.trim_end_matches(".pdf")));
    assert!(good_result["error"].is_null(), "the good file is processed: {good_result}");
    assert!(sandbox.path(&format!("out/{}.pdf", INVOICE.trim_end_matches(".pdf"))).is_file());
    let mut failed_ids = Vec::new();
    for (stem, error) in [("empty", "Docex.EmptyFile"), ("picture", "Docex.NotPdf"), ("truncated", "Docex.CorruptPdf")]
    {
        let result = sandbox.read_json(&format!("out/{stem}.json"));
        assert_eq!(result["status"], "FAILED", "{stem}: {result}");
        assert_eq!(error_name(&result), Some(error), "{stem}: {result}");
        assert!(result["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(!sandbox.path(&format!("out/{stem}.pdf")).exists(), "no report for a failed {stem}");
        failed_ids.push(result["job_id"].as_str().unwrap().to_string());
    }

    let mut listed: Vec<String> = sandbox
        .jobs(&["--data", "data", "--status", "FAILED"], &[])
        .iter()
        .map(|j| j["job_id"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    failed_ids.sort();
    assert_eq!(listed, failed_ids, "jobs --status FAILED lists exactly the bad files");
    let table = sandbox.ok(&["--data", "data", "jobs", "--status", "FAILED"], &[]);
    assert_eq!(table.lines().count(), 4, "a header and three jobs:\n{table}");
    let queue = sandbox.ok(&["--data", "data", "dlq", "list"], &[]);
    for id in &failed_ids {
        assert!(queue.lines().any(|l| l.starts_with(id.as_str())), "{id} is in the dead-letter queue:\n{queue}");
    }
    assert!(queue.contains("Docex.EmptyFile") && queue.contains("Docex.NotPdf") && queue.contains("Docex.CorruptPdf"));
}

#[test]
fn the_data_directory_follows_the_flag_before_or_after_the_subcommand_and_the_environment() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    let invoice = invoice.to_str().unwrap();
    sandbox.ok(&["--data", "before", "run", "--out", "o1", invoice], &[]);
    sandbox.ok(&["run", "--data", "after", "--out", "o2", invoice], &[]);
    sandbox.ok(&["run", "--out", "o3", invoice], &[("DOCEX_DATA", "from-env")]);
    for dir in ["before", "after", "from-env"] {
        assert!(sandbox.path(dir).join("docex.sqlite").is_file(), "{dir} holds the database");
        // Read each back the other ways round.
        assert_eq!(sandbox.jobs(&["--data", dir], &[]).len(), 1, "{dir}");
        assert_eq!(sandbox.jobs(&[], &[("DOCEX_DATA", dir)]).len(), 1, "{dir}");
    }
    assert!(!sandbox.path(".docex").exists(), "nothing went to the default data directory");
    assert_eq!(sandbox.jobs(&[], &[]).len(), 0, "the default directory has no jobs");
    // The flag wins over the environment.
    let before = sandbox.jobs(&["--data", "before"], &[("DOCEX_DATA", "after")]);
    let after = sandbox.jobs(&[], &[("DOCEX_DATA", "after")]);
    assert_ne!(before[0]["job_id"], after[0]["job_id"]);
}

#[test]
fn show_tells_the_states_and_the_retry_of_a_throttled_chunk() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    let faults = [("DOCEX_FAULTS", "ExtractChunk=Docex.Throttled:1")];
    let stdout = sandbox.ok(&["--data", "data", "run", "--json", "--out", "out", invoice.to_str().unwrap()], &faults);
    let result = &json_lines(&stdout)[0];
    assert!(result["error"].is_null(), "one throttle is retried: {result}");
    let job = result["job_id"].as_str().unwrap();

    let shown = sandbox.ok(&["--data", "data", "show", job], &[]);
    for state in [
        "PrepareDocument",
        "ExtractChunks",
        "ExtractChunk [0]",
        "MergeAndValidate",
        "StoreResult",
        "RenderReport",
        "CompleteJob",
    ] {
        assert!(shown.contains(state), "the timeline mentions {state}:\n{shown}");
    }
    assert!(shown.contains(&format!("job        {job}")), "{shown}");
    assert!(shown.contains("execution  SUCCEEDED"), "{shown}");
    let chunk = shown.lines().find(|l| l.trim_start().starts_with("ExtractChunk [0]")).unwrap();
    let columns: Vec<&str> = chunk.split_whitespace().collect();
    // state, [0], date, time, duration, "ms", retries
    assert_eq!(columns.get(6), Some(&"1"), "one retry of the chunk: {chunk:?}");
    let prepare = shown.lines().find(|l| l.starts_with("PrepareDocument")).unwrap();
    assert_eq!(prepare.split_whitespace().nth(5), Some("0"), "PrepareDocument was not retried: {prepare:?}");

    let raw: Value = serde_json::from_str(&sandbox.ok(&["--data", "data", "show", "--json", job], &[])).unwrap();
    let failures: Vec<&str> = raw["execution"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .filter_map(|e| e["taskFailedEventDetails"]["error"].as_str())
        .collect();
    assert_eq!(failures, ["Docex.Throttled"], "{}", raw["execution"]["history"]);
}

#[test]
fn an_injected_failure_is_dead_lettered_and_dlq_redrive_recovers_it() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    let faults = [("DOCEX_FAULTS", "StoreResult=Docex.CorruptPdf:1")];
    let output = sandbox.run(&["--data", "data", "run", "--json", "--out", "out", invoice.to_str().unwrap()], &faults);
    assert!(!output.status.success(), "{}", describe(&output));
    let result = &json_lines(&String::from_utf8_lossy(&output.stdout))[0];
    assert_eq!(error_name(result), Some("Docex.CorruptPdf"), "{result}");
    let job = result["job_id"].as_str().unwrap().to_string();

    let failed = sandbox.jobs(&["--data", "data", "--status", "FAILED"], &[]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["job_id"], job.as_str());
    let queue = sandbox.ok(&["--data", "data", "dlq", "list"], &[]);
    let line = queue.lines().find(|l| l.starts_with(&job)).unwrap_or_else(|| panic!("{job} not queued:\n{queue}"));
    assert!(line.contains("Docex.CorruptPdf") && line.contains("injected fault"), "{line}");

    let redriven = sandbox.ok(&["--data", "data", "dlq", "redrive"], &[]);
    assert!(redriven.contains(&format!("{job}: execution SUCCEEDED")), "{redriven}");
    assert!(sandbox.ok(&["--data", "data", "dlq", "list"], &[]).trim().is_empty(), "the queue is empty");
    assert!(sandbox.jobs(&["--data", "data", "--status", "FAILED"], &[]).is_empty());
    let shown = sandbox.ok(&["--data", "data", "show", &job], &[]);
    assert!(shown.contains("re-driven 1 times"), "{shown}");
}

#[test]
fn redrive_of_one_job_and_of_an_unknown_one() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    let faults = [("DOCEX_FAULTS", "CompleteJob=Docex.InvalidInput:1")];
    let output = sandbox.run(&["--data", "data", "run", "--json", "--out", "out", invoice.to_str().unwrap()], &faults);
    assert!(!output.status.success(), "{}", describe(&output));
    let job = json_lines(&String::from_utf8_lossy(&output.stdout))[0]["job_id"].as_str().unwrap().to_string();
    let redriven = sandbox.ok(&["--data", "data", "redrive", &job], &[]);
    assert!(redriven.starts_with(&format!("{job}: execution SUCCEEDED, job ")), "{redriven}");
    assert!(!redriven.contains("job FAILED"), "{redriven}");

    let unknown = sandbox.run(&["--data", "data", "redrive", "no-such-job"], &[]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no job no-such-job"), "{}", describe(&unknown));
}

#[test]
fn a_malformed_fault_is_refused_with_its_text() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["--data", "data", "jobs"], &[("DOCEX_FAULTS", "NoSuchState=Docex.Throttled:1")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("NoSuchState"), "{}", describe(&output));
}

#[test]
fn a_killed_docex_run_is_redriven_by_the_next_command() {
    let sandbox = Sandbox::new();
    let invoice = fixture(INVOICE);
    // Throttled six times: the retries wait for real, long enough to kill the process mid-way.
    let mut child = sandbox
        .command(
            &["--data", "data", "run", "--out", "out", invoice.to_str().unwrap()],
            &[("DOCEX_FAULTS", "ExtractChunk=Docex.Throttled:6")],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("docex starts");
    let database = sandbox.path("data/docex.sqlite");
    let throttled = || -> Option<String> {
        let connection =
            rusqlite::Connection::open_with_flags(&database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        connection
            .query_row("SELECT execution FROM history_events WHERE event LIKE '%\"TaskFailed\"%' LIMIT 1", [], |r| {
                r.get(0)
            })
            .ok()
    };
    let started = std::time::Instant::now();
    let job = loop {
        if let Some(job) = throttled() {
            break job;
        }
        assert!(child.try_wait().unwrap().is_none(), "docex ended before it was killed");
        assert!(started.elapsed().as_secs() < 60, "the chunk was never throttled");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    child.kill().expect("the process is killed");
    child.wait().unwrap();
    assert!(
        !sandbox.path(&format!("out/{}.json", INVOICE.trim_end_matches(".pdf"))).exists(),
        "it died before writing"
    );

    let running = sandbox.jobs(&["--data", "data", "--status", "RUNNING"], &[]);
    assert_eq!(running.len(), 1, "the killed job is left running");
    assert_eq!(running[0]["job_id"], job.as_str());
    let redriven = sandbox.ok(&["--data", "data", "redrive", &job], &[]);
    assert!(redriven.starts_with(&format!("{job}: execution SUCCEEDED")), "{redriven}");
    let shown = sandbox.ok(&["--data", "data", "show", &job], &[]);
    assert!(shown.contains("re-driven 1 times"), "{shown}");
    let prepared = shown.lines().filter(|l| l.starts_with("PrepareDocument")).count();
    assert_eq!(prepared, 1, "PrepareDocument ran once:\n{shown}");
    let connection = rusqlite::Connection::open(&database).unwrap();
    let rows: i64 =
        connection.query_row("SELECT count(*) FROM results WHERE job_id = ?1", [&job], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
    assert!(sandbox.path(&format!("data/blobs/output/{job}/report.pdf")).is_file(), "one report");
}
