//! The workflow's Extract task (`docex_tasks::extract`, what the ExtractChunk Lambda runs)
//! with the agent extractor over the real Bedrock client and a fake Bedrock runtime: the
//! chunk it saves carries the data, the evidence and the token usage, and merging and
//! finalizing carry the usage into the job's result.

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use common::*;
use docex_agent::Provider;
use docex_core::job::keys;
use docex_core::{
    BlobStore, DocexError, ErrorName, Extraction, JobRecord, JobResult, JobStatus, Spec, SpecStore, finalize,
    merge_extractions,
};
use docex_tasks::Chunk;
use docex_testkit::fake_bedrock::{FakeBedrock, Reply};

#[derive(Default)]
struct Blobs(Mutex<HashMap<String, Vec<u8>>>);

#[async_trait]
impl BlobStore for Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocexError> {
        self.0.lock().unwrap().insert(key.to_string(), bytes);
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocexError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
}

struct Specs;

#[async_trait]
impl SpecStore for Specs {
    async fn spec(&self, name: &str) -> Result<Spec, DocexError> {
        let text = docex_core::builtin::builtin_spec(name).ok_or_else(|| DocexError::SpecNotFound(name.into()))?;
        Spec::from_json(name, text)
    }
}

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
    let job = JobRecord {
        job_id: job_id.into(),
        owner: "u".into(),
        document: "invoice.pdf".into(),
        spec: "invoice".into(),
        template: "invoice".into(),
        status: JobStatus::Running,
        error: None,
        confidence: None,
        created_at: String::new(),
        updated_at: String::new(),
    };
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
