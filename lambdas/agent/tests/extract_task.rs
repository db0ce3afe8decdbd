//! The workflow's Extract task (`docex_tasks::extract`, what the ExtractChunk Lambda runs)
//! with the agent extractor over the real Bedrock client and a fake Bedrock runtime: the
//! chunk it saves carries the data, the evidence and the token usage, and merging and
//! finalizing carry the usage into the job's result. The calls made before a failure are
//! accounted for too: in the error, and in the job's usage whether the job then succeeds
//! or fails.

mod common;

use common::stores::{Blobs, Events, Jobs, Specs, running_invoice_job};
use common::*;
use docex_agent::bedrock::BedrockClient;
use docex_agent::{AgentExtractor, AgentOptions, PriceTable, Provider};
use docex_core::job::keys;
use docex_core::{
    BlobStore, ErrorName, Extraction, Extractor, JobResult, JobStatus, SpecStore, Usage, finalize, merge_extractions,
};
use docex_tasks::{Chunk, FailureInput, MergeInput};
use docex_testkit::fake_bedrock::{FakeBedrock, Reply};

const MODEL: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

#[tokio::test]
async fn the_extract_task_saves_the_chunk_with_its_usage_and_the_result_carries_the_cost() {
    let fake = FakeBedrock::start(vec![
        Reply::throttling(),
        Reply::throttling(),
        Reply::tool_use("t1", "submit_extraction", broken_submission()).with_usage(1500, 400, 0, 1200),
        Reply::tool_use("t2", "submit_extraction", good_submission()).with_usage(300, 380, 1200, 0),
    ]);
    let sdk = sdk(&fake.url).await;
    let extractor = docex_agent::build_extractor(Provider::Bedrock, Some(MODEL), Some(&sdk)).unwrap();
    assert_eq!(extractor.name(), "bedrock");

    let blobs = Blobs::default();
    let job_id = "job-1";
    blobs.put(&keys::document(job_id), serde_json::to_vec(&invoice()).unwrap()).await.unwrap();
    let chunk = Chunk { job_id: job_id.into(), spec: "invoice".into(), index: 0, first_page: 1, last_page: 1 };

    // The state machine retries a throttled chunk; here, by hand.
    let error = docex_tasks::extract(&chunk, &blobs, &Specs, extractor.as_ref()).await.unwrap_err();
    assert_eq!(error.name(), "Docex.Throttled");
    let extracted = docex_tasks::extract(&chunk, &blobs, &Specs, extractor.as_ref()).await.unwrap();
    assert_eq!(extracted.chunk_key, keys::chunk(job_id, 0));

    let saved: Extraction = serde_json::from_slice(&blobs.get(&extracted.chunk_key).await.unwrap().unwrap()).unwrap();
    let usage = saved.usage.clone().unwrap();
    assert_eq!((usage.calls, usage.input_tokens, usage.output_tokens), (2, 1800, 780));
    assert_eq!((usage.cache_read_tokens, usage.cache_write_tokens), (1200, 1200));
    let cost = (1800.0 * 3.0 + 780.0 * 15.0 + 1200.0 * 0.3 + 1200.0 * 3.75) / 1e6;
    assert!((usage.cost_usd.unwrap() - cost).abs() < 1e-12, "{usage:?}");

    let spec = Specs.spec("invoice").await.unwrap();
    let job = running_invoice_job(job_id);
    let result = JobResult::from_outcome(&job, "bedrock", finalize(&spec, merge_extractions(vec![saved])));
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.review_reasons);
    assert_eq!(result.usage, Some(usage));
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["usage"]["calls"], 2);
}

#[test]
fn providers_are_named_and_an_unknown_one_is_refused() {
    assert_eq!(Provider::parse("Bedrock").unwrap(), Provider::Bedrock);
    assert_eq!(Provider::parse("openai").unwrap().as_str(), "openai");
    let error = Provider::parse("gpt").unwrap_err();
    assert_eq!(error.name(), "Docex.InvalidInput");
    let error = docex_agent::build_extractor(Provider::OpenAi, None, None).err();
    // Without a model the openai provider cannot start (unless DOCEX_MODEL is set around the test).
    if std::env::var("DOCEX_MODEL").is_err() {
        assert!(error.is_some_and(|e| e.to_string().contains("needs a model")));
    }
}

#[tokio::test]
async fn the_calls_before_a_throttled_one_are_counted_in_the_job_usage() {
    // Turn 1 is answered; turn 2 is throttled (both of the SDK's attempts). The workflow
    // retries the chunk, which starts over and succeeds at once.
    let fake = FakeBedrock::start(vec![
        Reply::tool_use("t1", "submit_extraction", broken_submission()).with_usage(1000, 300, 0, 0),
        Reply::throttling(),
        Reply::throttling(),
        Reply::tool_use("t2", "submit_extraction", good_submission()).with_usage(1500, 280, 0, 0),
    ]);
    let sdk = sdk(&fake.url).await;
    let extractor = docex_agent::build_extractor(Provider::Bedrock, Some(MODEL), Some(&sdk)).unwrap();
    let (job_id, blobs, jobs) = ("job-throttled", Blobs::default(), Jobs::with("job-throttled"));
    blobs.put_json(&keys::document(job_id), &invoice());
    let chunk = Chunk { job_id: job_id.into(), spec: "invoice".into(), index: 0, first_page: 1, last_page: 1 };

    let error = docex_tasks::extract(&chunk, &blobs, &Specs, extractor.as_ref()).await.unwrap_err();
    assert_eq!(error.name(), "Docex.Throttled");
    assert!(error.to_string().contains("(1 model call(s) before this: 1000 input, 300 output"), "{error}");
    let spent: Usage = blobs.json(&keys::spent(job_id, 0));
    assert_eq!((spent.calls, spent.input_tokens, spent.output_tokens), (1, 1000, 300));

    docex_tasks::extract(&chunk, &blobs, &Specs, extractor.as_ref()).await.unwrap();
    let input = MergeInput { job_id: job_id.into(), spec: "invoice".into(), chunk_count: 1 };
    docex_tasks::merge(&input, &blobs, &jobs, &Specs, "bedrock").await.unwrap();
    let result: JobResult = blobs.json(&keys::result(job_id));
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.review_reasons);
    let usage = result.usage.unwrap();
    assert_eq!((usage.calls, usage.input_tokens, usage.output_tokens), (2, 2500, 580));
    let cost = (2500.0 * 3.0 + 580.0 * 15.0) / 1e6;
    assert!((usage.cost_usd.unwrap() - cost).abs() < 1e-12, "{usage:?}");
}

#[tokio::test]
async fn a_job_whose_model_never_calls_the_tool_fails_with_the_usage_of_its_calls() {
    let fake = FakeBedrock::start(vec![Reply::text("The total is 89.85 EUR.").with_usage(900, 50, 0, 0); 2]);
    let client = BedrockClient::new(&sdk(&fake.url).await, MODEL);
    let options = AgentOptions { max_turns: 2, ..AgentOptions::default() };
    let agent = AgentExtractor::new(Box::new(client), PriceTable::shipped(), options);

    // The extractor's own account of the failure.
    let failed = agent.extract_accounted(&invoice(), &Specs.spec("invoice").await.unwrap()).await.unwrap_err();
    assert_eq!(failed.error.name(), "Docex.ExtractionFailed");
    let spent = failed.spent.expect("the calls made are accounted for");
    assert_eq!((spent.calls, spent.input_tokens, spent.output_tokens), (2, 1800, 100));

    // Through the workflow's tasks: Extract fails, RecordFailure keeps the cost on the job.
    let fake = FakeBedrock::start(vec![Reply::text("The total is 89.85 EUR.").with_usage(900, 50, 0, 0); 2]);
    let client = BedrockClient::new(&sdk(&fake.url).await, MODEL);
    let agent = AgentExtractor::new(Box::new(client), PriceTable::shipped(), options);
    let (job_id, blobs, jobs) = ("job-silent", Blobs::default(), Jobs::with("job-silent"));
    blobs.put_json(&keys::document(job_id), &invoice());
    let chunk = Chunk { job_id: job_id.into(), spec: "invoice".into(), index: 0, first_page: 1, last_page: 1 };
    let error = docex_tasks::extract(&chunk, &blobs, &Specs, &agent).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("did not call submit_extraction in 2 turns (2 model call(s) before this"), "{message}");
    let failure =
        FailureInput { job_id: job_id.into(), error: error.name().to_string(), cause: message.clone(), attempt: 0 };
    docex_tasks::record_failure(&failure, &blobs, &jobs, &Events::default()).await.unwrap();
    let result: JobResult = blobs.json(&keys::result(job_id));
    assert_eq!(result.status, JobStatus::Failed);
    assert_eq!(result.error.unwrap().message, message);
    let usage = result.usage.expect("a failed job still shows what it spent");
    assert_eq!((usage.calls, usage.input_tokens, usage.output_tokens), (2, 1800, 100));
    assert!((usage.cost_usd.unwrap() - (1800.0 * 3.0 + 100.0 * 15.0) / 1e6).abs() < 1e-12, "{usage:?}");
}
