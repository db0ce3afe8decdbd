//! `docex run --provider bedrock` end to end: the `docex` binary runs the workflow with the
//! agent extractor, whose real Bedrock SDK client is pointed at a fake Bedrock runtime
//! (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`) answering from a script: a fix loop, `read_pages`,
//! throttling retried by the state machine, and a model that never calls the tool.

use std::path::{Path, PathBuf};
use std::process::Output;

use docex_testkit::fake_bedrock::{FakeBedrock, Reply};
use serde_json::{Value, json};

const MODEL: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents")
}

/// Each page's text lines, as docex reads them.
fn page_lines(file: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(file).unwrap();
    let document =
        docex_pdf::read_pdf(&bytes, &docex_pdf::Limits::default(), &docex_pdf::OcrOptions::default()).unwrap();
    document.pages.iter().map(|p| p.text().lines().map(String::from).filter(|l| l.trim().len() > 3).collect()).collect()
}

/// A valid invoice submission whose evidence quotes lines of the document (`page` for the total).
fn submission(lines: &[Vec<String>], total_page: usize) -> Value {
    let fields = ["/invoice_number", "/issue_date", "/vendor_name", "/currency"];
    let mut evidence: Vec<Value> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| json!({"field": f, "page": 1, "quote": lines[0][i % lines[0].len()], "confidence": 0.9}))
        .collect();
    let total_line = &lines[total_page - 1][0];
    evidence.push(json!({"field": "/total_amount", "page": total_page, "quote": total_line, "confidence": 0.9}));
    json!({
        "data": {"invoice_number": "42183017", "issue_date": "2014-08-03", "vendor_name": "Amazon Web Services",
                 "currency": "USD", "total_amount": 4.11},
        "evidence": evidence
    })
}

fn run(fake: &FakeBedrock, dir: &Path, file: &Path, env: &[(&str, &str)]) -> (Output, Value) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_docex"));
    command
        .args(["--data", "data", "run", "--provider", "bedrock", "--model", MODEL, "--json", "--out", "out"])
        .arg(file)
        .current_dir(dir)
        .env_remove("DOCEX_DATA")
        .env_remove("DOCEX_FAULTS")
        .env_remove("DOCEX_PROVIDER")
        .env_remove("DOCEX_MODEL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", &fake.url)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("docex starts");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let line = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no result line:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr)));
    (output.clone(), serde_json::from_str(line).unwrap())
}

fn tool_results(body: &Value) -> Vec<Value> {
    let last = body["messages"].as_array().and_then(|m| m.last()).cloned().unwrap_or_default();
    last["content"].as_array().into_iter().flatten().filter_map(|b| b.get("toolResult").cloned()).collect()
}

#[test]
fn a_fix_loop_through_the_docex_command() {
    let file = fixtures().join("invoice2data__AmazonWebServices.pdf");
    let lines = page_lines(&file);
    let mut broken = submission(&lines, 1);
    broken["data"]["issue_date"] = json!("03/08/2014");
    broken["evidence"][4]["quote"] = json!("Total due: $999.00");
    let fake = FakeBedrock::start(vec![
        Reply::tool_use("t1", "submit_extraction", broken).with_usage(2100, 380, 0, 0),
        Reply::tool_use("t2", "submit_extraction", submission(&lines, 1)).with_usage(2600, 360, 0, 0),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (output, result) = run(&fake, dir.path(), &file, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["extractor"], "bedrock");
    assert_eq!(result["data"]["total_amount"], 4.11);
    assert_eq!(result["usage"]["calls"], 2);
    assert_eq!(result["usage"]["input_tokens"], 4700);
    assert_eq!(result["usage"]["output_tokens"], 740);
    let cost = (4700.0 * 0.8 + 740.0 * 4.0) / 1e6;
    assert!((result["usage"]["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-9, "{}", result["usage"]);

    // The report shows the model's usage and cost.
    let report = std::fs::read(dir.path().join("out/invoice2data__AmazonWebServices.pdf")).unwrap();
    let report =
        docex_pdf::read_pdf(&report, &docex_pdf::Limits::default(), &docex_pdf::OcrOptions::default()).unwrap();
    let text = report.text().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&format!("Model {MODEL} · 2 calls · 4700 input and 740 output tokens · cost $0.0067")),
        "{text}"
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.signed && r.model_id == MODEL));
    let opening = requests[0].body["messages"][0]["content"][0]["text"].as_str().unwrap();
    assert!(opening.contains("<page number=\"1\">"), "{opening}");
    let results = tool_results(&requests[1].body);
    assert_eq!(results[0]["status"], "error");
    let text = results[0]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("/issue_date: \"03/08/2014\" is not a \"date\""), "{text}");
    assert!(text.contains("the quote \"Total due: $999.00\" does not occur on page 1"), "{text}");
}

#[test]
fn read_pages_through_the_docex_command() {
    let (file, lines) = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| {
            let lines = page_lines(&p);
            (p, lines)
        })
        .find(|(_, lines)| lines.len() >= 2 && lines.len() <= 8 && lines.iter().all(|l| !l.is_empty()))
        .expect("a fixture of two to eight pages with text");
    let fake = FakeBedrock::start(vec![
        Reply::tool_use("r1", "read_pages", json!({"pages": [2]})),
        Reply::tool_use("t1", "submit_extraction", submission(&lines, 2)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (output, result) = run(&fake, dir.path(), &file, &[("DOCEX_PAGE_CHARS", "1")]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(result["fields"]["/total_amount"]["page"], 2, "{result}");
    let requests = fake.requests();
    assert_eq!(requests[0].body["toolConfig"]["toolChoice"], json!({"any": {}}));
    let pages = tool_results(&requests[1].body)[0]["content"][0]["text"].as_str().unwrap().to_string();
    assert!(pages.contains("<page number=\"2\">"), "{pages}");
}

#[test]
fn throttling_twice_is_retried_by_the_state_machine() {
    let file = fixtures().join("invoice2data__AmazonWebServices.pdf");
    let lines = page_lines(&file);
    let fake = FakeBedrock::start(vec![
        Reply::throttling(),
        Reply::throttling(),
        Reply::tool_use("t1", "submit_extraction", submission(&lines, 1)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (output, result) = run(&fake, dir.path(), &file, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(fake.remaining(), 0);
    assert_eq!(result["usage"]["calls"], 1, "the throttled attempts used no tokens");
}

#[test]
fn a_model_that_never_calls_the_tool_fails_the_job_with_a_named_error() {
    let file = fixtures().join("invoice2data__AmazonWebServices.pdf");
    let fake = FakeBedrock::start(vec![Reply::text("It is an invoice from AWS."); 2]);
    let dir = tempfile::tempdir().unwrap();
    let (output, result) = run(&fake, dir.path(), &file, &[("DOCEX_MAX_TURNS", "2")]);
    assert!(!output.status.success());
    assert_eq!(result["status"], "FAILED");
    assert_eq!(result["error"]["name"], "Docex.ExtractionFailed", "{result}");
    assert!(result["error"]["message"].as_str().unwrap().contains("did not call submit_extraction in 2 turns"));
    assert_eq!(fake.requests().len(), 2, "a deterministic failure is not retried");
}

#[test]
fn the_openai_provider_through_the_docex_command() {
    use docex_testkit::fake_openai::{FakeOpenAi, Reply};
    let file = fixtures().join("invoice2data__AmazonWebServices.pdf");
    let lines = page_lines(&file);
    let fake = FakeOpenAi::start(vec![Reply::tool_call("c1", "submit_extraction", submission(&lines, 1))]);
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(["--data", "data", "run", "--json", "--out", "out"])
        .arg(&file)
        .current_dir(dir.path())
        .env_remove("DOCEX_DATA")
        .env_remove("DOCEX_FAULTS")
        .env_remove("DOCEX_OPENAI_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .env("DOCEX_PROVIDER", "openai")
        .env("DOCEX_MODEL", "llama-3.1-8b-instruct")
        .env("DOCEX_OPENAI_BASE_URL", &fake.base_url)
        .output()
        .expect("docex starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: Value = serde_json::from_str(String::from_utf8_lossy(&output.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(result["extractor"], "openai");
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["usage"]["model"], "llama-3.1-8b-instruct");
    assert!(result["usage"]["cost_usd"].is_null(), "no price for a local model");
    let request = &fake.requests()[0].body;
    assert_eq!(request["model"], "llama-3.1-8b-instruct");
    assert!(request["messages"][1]["content"].as_str().unwrap().contains("<page number=\"1\">"));
}
