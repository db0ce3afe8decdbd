//! The agent loop against a fake OpenAI-compatible server: the same loop and checks, spoken
//! as chat completions with function tools.

mod common;

use common::*;
use docex_agent::openai::OpenAiClient;
use docex_agent::{AgentExtractor, AgentOptions, PriceTable};
use docex_core::{ErrorName, Extractor};
use docex_testkit::fake_openai::{FakeOpenAi, Reply};
use serde_json::{Value, json};

fn extractor(fake: &FakeOpenAi, key: Option<&str>) -> AgentExtractor {
    let client = OpenAiClient::new(&fake.base_url, key.map(String::from), "qwen2.5-7b-instruct").unwrap();
    AgentExtractor::new(Box::new(client), PriceTable::shipped(), AgentOptions::default())
}

#[tokio::test]
async fn a_fix_loop_over_chat_completions() {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_call("call_1", "submit_extraction", broken_submission()).with_usage(1500, 300, 0),
        Reply::tool_call("call_2", "submit_extraction", good_submission()).with_usage(2100, 310, 1400),
    ]);
    let spec = spec();
    let extraction = extractor(&fake, Some("sk-local")).extract(&invoice(), &spec).await.unwrap();
    assert_eq!(Value::Object(extraction.data), good_data());
    let usage = extraction.usage.unwrap();
    assert_eq!((usage.calls, usage.input_tokens, usage.cache_read_tokens, usage.output_tokens), (2, 2200, 1400, 610));
    assert_eq!(usage.cost_usd, None, "a local model has no price");

    let requests = fake.requests();
    assert_eq!(requests[0].authorization.as_deref(), Some("Bearer sk-local"));
    let first = &requests[0].body;
    assert_eq!(first["model"], "qwen2.5-7b-instruct");
    assert_eq!(first["messages"][0]["role"], "system");
    assert!(first["messages"][1]["content"].as_str().unwrap().contains("<page number=\"1\">\nACME Tools GmbH"));
    let mut spec_schema = spec.schema.clone();
    spec_schema.as_object_mut().unwrap().remove("$schema");
    assert_eq!(first["tools"][0]["function"]["parameters"]["properties"]["data"], spec_schema);
    assert_eq!(first["tool_choice"], json!({"type": "function", "function": {"name": "submit_extraction"}}));

    let second = requests[1].body["messages"].as_array().unwrap().clone();
    assert_eq!(second[2]["tool_calls"][0]["id"], "call_1");
    assert_eq!(second[3]["role"], "tool");
    assert_eq!(second[3]["tool_call_id"], "call_1");
    let answer = second[3]["content"].as_str().unwrap();
    assert!(answer.starts_with("Error: Rejected: 2 problem(s)"), "{answer}");
    assert!(answer.contains("/issue_date"), "{answer}");
}

#[tokio::test]
async fn a_busy_server_is_throttling_and_arguments_that_are_not_json_are_refused() {
    let fake = FakeOpenAi::start(vec![Reply::error(429, "rate limited")]);
    let error = extractor(&fake, None).extract(&invoice(), &spec()).await.unwrap_err();
    assert_eq!(error.name(), "Docex.Throttled", "{error}");
    assert_eq!(fake.requests()[0].authorization, None);

    let garbled = Reply::completion(
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "submit_extraction", "arguments": "{\"data\": {"}}
        ]}),
        "tool_calls",
    );
    let fake = FakeOpenAi::start(vec![garbled, Reply::tool_call("c2", "submit_extraction", good_submission())]);
    let extraction = extractor(&fake, None).extract(&invoice(), &spec()).await.unwrap();
    assert_eq!(extraction.data["total_amount"], 89.85);
    let messages = fake.requests()[1].body["messages"].clone();
    assert!(messages[3]["content"].as_str().unwrap().contains("the input must be an object"), "{messages}");
}
