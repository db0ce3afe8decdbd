//! A multi-turn fix loop as it goes over the wire, printed as a transcript (run with
//! `--nocapture` to read it): each Converse request docex sent, abridged, the reply the
//! model gave, and the token and cost accounting of the whole extraction.

mod common;

use common::*;
use docex_agent::bedrock::BedrockClient;
use docex_agent::{AgentExtractor, AgentOptions, PriceTable};
use docex_core::{Extractor, JobStatus, finalize};
use docex_testkit::fake_bedrock::{FakeBedrock, Reply};
use serde_json::{Value, json};

const MODEL: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";

fn abridge(text: &str, limit: usize) -> String {
    let one_line = text.replace('\n', "⏎");
    if one_line.chars().count() > limit {
        format!("{}…", one_line.chars().take(limit).collect::<String>())
    } else {
        one_line
    }
}

fn block_summary(block: &Value) -> String {
    if let Some(text) = block.get("text").and_then(Value::as_str) {
        format!("text {:?}", abridge(text, 140))
    } else if let Some(tool) = block.get("toolUse") {
        format!("toolUse {} {} {}", tool["toolUseId"], tool["name"], abridge(&tool["input"].to_string(), 160))
    } else if let Some(result) = block.get("toolResult") {
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        format!("toolResult {} status={}\n{}", result["toolUseId"], result["status"], text)
    } else {
        abridge(&block.to_string(), 120)
    }
}

#[tokio::test]
async fn transcript_of_a_fix_loop() {
    // The model misreads the second line item and the issue date, and cites a total that is
    // not on the page; docex lists all three problems; the model fixes them.
    let mut first = broken_submission();
    first["evidence"][8]["quote"] = json!("Amount due 89.85");
    let fake = FakeBedrock::start(vec![
        Reply::tool_use("tooluse_1", "submit_extraction", first).with_usage(2214, 512, 0, 0),
        Reply::tool_use("tooluse_2", "submit_extraction", good_submission()).with_usage(2978, 498, 0, 0),
    ]);
    let sdk = sdk(&fake.url).await;
    let agent =
        AgentExtractor::new(Box::new(BedrockClient::new(&sdk, MODEL)), PriceTable::shipped(), AgentOptions::default());
    let spec = spec();
    let extraction = agent.extract(&invoice(), &spec).await.unwrap();
    let usage = extraction.usage.clone().unwrap();
    let outcome = finalize(&spec, extraction);
    assert_eq!(outcome.status, JobStatus::Succeeded);

    let mut out = String::new();
    for (turn, exchange) in fake.exchanges().iter().enumerate() {
        let body = &exchange.request.body;
        out.push_str(&format!(
            "── request {} ── POST /model/{}/converse (SigV4: {})\n",
            turn + 1,
            exchange.request.model_id,
            exchange.request.signed
        ));
        let tools: Vec<String> = body["toolConfig"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let schema = &t["toolSpec"]["inputSchema"]["json"];
                format!(
                    "{}(data: spec {:?} with {} properties, evidence[], notes[])",
                    t["toolSpec"]["name"].as_str().unwrap(),
                    spec.name,
                    schema["properties"]["data"]["properties"].as_object().map_or(0, |p| p.len())
                )
            })
            .collect();
        out.push_str(&format!(
            "toolConfig: tools [{}], toolChoice {}\n",
            tools.join(", "),
            body["toolConfig"]["toolChoice"]
        ));
        out.push_str(&format!("system: {}\n", abridge(body["system"][0]["text"].as_str().unwrap(), 100)));
        for message in body["messages"].as_array().unwrap() {
            for block in message["content"].as_array().unwrap() {
                out.push_str(&format!("{}: {}\n", message["role"].as_str().unwrap(), block_summary(block)));
            }
        }
        let Reply::Ok(reply) = &exchange.reply else { panic!("scripted replies are answers") };
        out.push_str(&format!(
            "── reply {} ── stopReason {}, usage {}\n",
            turn + 1,
            reply["stopReason"],
            reply["usage"]
        ));
        for block in reply["output"]["message"]["content"].as_array().unwrap() {
            out.push_str(&format!("assistant: {}\n", block_summary(block)));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "── accounting ── model {}: {} calls, {} input + {} output tokens, {} cache read, {} cache write; cost ${:.6} \
(prices: $0.80 / $4.00 per million input / output tokens)\n",
        usage.model,
        usage.calls,
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.cost_usd.unwrap()
    ));
    out.push_str(&format!("── outcome ── {} confidence {:.2}\n", outcome.status.as_str(), outcome.confidence));
    println!("{out}");

    assert!(out.contains("toolResult \"tooluse_1\" status=\"error\"\nRejected: 3 problem(s)"), "{out}");
    assert_eq!((usage.calls, usage.input_tokens, usage.output_tokens), (2, 5192, 1010));
    assert!((usage.cost_usd.unwrap() - (5192.0 * 0.8 + 1010.0 * 4.0) / 1e6).abs() < 1e-12);
}
