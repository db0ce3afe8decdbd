//! The AWS cost model of `docex bench`: what 1,000 one-page documents (one chunk each) cost
//! on the deployed stack, from
//!
//! - Step Functions state transitions: the states a one-chunk document enters on the
//!   success path of `statemachine/docex.asl.json`, walked from `StartAt` (a Map state
//!   counts itself plus its iteration's states once per chunk);
//! - Lambda requests and GB-seconds: one request per Task state on that path, its
//!   duration measured through the local workflow (mean of the largest end-to-end run,
//!   rounded up to the millisecond as Lambda bills) times the function's memory in
//!   `lambdas/functions.json` (terraform's default; environments may override it);
//! - Bedrock tokens: the usage the agent loop accounted in the fake-Bedrock transcript test
//!   (`lambdas/agent/tests/transcript.rs`: one-page invoice, one fix turn), priced with the
//!   shipped price table (`lambdas/agent/prices.json`);
//!
//! compared with Bedrock Data Automation's published per-page prices. The prices below are
//! us-east-1 list prices as published by AWS; check the current pricing pages before
//! relying on them. Storage, DynamoDB, Aurora, CloudWatch and data transfer are left out.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::bench::EndToEnd;

/// Step Functions Standard workflows: USD per state transition ($0.025 per 1,000;
/// <https://aws.amazon.com/step-functions/pricing/>).
pub const STEP_FUNCTIONS_PER_TRANSITION: f64 = 0.025 / 1000.0;
/// Lambda on arm64: USD per GB-second, first pricing tier
/// (<https://aws.amazon.com/lambda/pricing/>).
pub const LAMBDA_ARM_PER_GB_SECOND: f64 = 0.000_013_333_4;
/// Lambda: USD per request ($0.20 per million; <https://aws.amazon.com/lambda/pricing/>).
pub const LAMBDA_PER_REQUEST: f64 = 0.20 / 1e6;
/// Bedrock Data Automation, documents: USD per page with standard output and with custom
/// output (blueprints) — published price, check the current AWS pricing page
/// (<https://aws.amazon.com/bedrock/pricing/>).
pub const BDA_STANDARD_PER_PAGE: f64 = 0.010;
pub const BDA_CUSTOM_PER_PAGE: f64 = 0.040;

/// The agent loop's usage on a one-page invoice as accounted in the fake-Bedrock
/// transcript test (`lambdas/agent/tests/transcript.rs` asserts these figures): two
/// Converse calls (a first submission and one fix), input and output tokens. The token
/// counts are what the fake server reports for docex's real requests, not a live model's.
pub const TRANSCRIPT_CALLS: u64 = 2;
pub const TRANSCRIPT_INPUT_TOKENS: u64 = 5192;
pub const TRANSCRIPT_OUTPUT_TOKENS: u64 = 1010;

/// The models priced: dev's default and prod's default (terraform environments).
pub const MODELS: &[(&str, &str)] = &[
    ("dev default", "anthropic.claude-3-5-haiku-20241022-v1:0"),
    ("prod default", "anthropic.claude-3-5-sonnet-20241022-v2:0"),
];

const FUNCTIONS: &str = include_str!("../../functions.json");

/// One Task state of the path and what it costs per document.
#[derive(Debug, Clone, Serialize)]
pub struct TaskCost {
    pub state: String,
    pub function: String,
    pub memory_mb: u64,
    /// Measured mean duration through the local workflow (offline extractor), ms.
    pub measured_ms: f64,
    pub gb_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelCost {
    pub label: String,
    pub model: String,
    /// USD per document; `None` when the price table lacks the model.
    pub usd_per_document: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostModel {
    pub documents_measured: usize,
    /// States entered by a one-chunk document on the success path, in order.
    pub path: Vec<String>,
    pub transitions_per_document: usize,
    pub tasks: Vec<TaskCost>,
    pub lambda_requests_per_document: usize,
    pub lambda_gb_seconds_per_document: f64,
    pub model_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub models: Vec<ModelCost>,
    /// USD per 1,000 pages (one-page documents).
    pub step_functions_per_1000: f64,
    pub lambda_per_1000: f64,
    pub bda_standard_per_1000: f64,
    pub bda_custom_per_1000: f64,
}

/// The states a one-chunk execution enters on the success path of `definition`, each with
/// the Lambda function its `Resource` names (`${render_report_arn}` → `render-report`).
pub fn success_path(definition: &Value) -> Vec<(String, Option<String>)> {
    fn walk(states: &Value, start: &str, path: &mut Vec<(String, Option<String>)>) {
        let mut current = Some(start.to_string());
        let mut guard = 0;
        while let Some(name) = current.take() {
            guard += 1;
            let Some(state) = states.get(&name) else { break };
            if guard > 100 {
                break;
            }
            let function = state
                .get("Resource")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("${"))
                .and_then(|r| r.strip_suffix("_arn}"))
                .map(|r| r.replace('_', "-"));
            path.push((name.clone(), function));
            if state.get("Type").and_then(Value::as_str) == Some("Map") {
                let processor = state.get("ItemProcessor").or_else(|| state.get("Iterator"));
                if let Some(p) = processor
                    && let (Some(inner), Some(start)) = (p.get("States"), p.get("StartAt").and_then(Value::as_str))
                {
                    walk(inner, start, path);
                }
            }
            if state.get("End").and_then(Value::as_bool) == Some(true) {
                break;
            }
            current = state.get("Next").and_then(Value::as_str).map(String::from);
        }
    }
    let mut path = Vec::new();
    if let (Some(states), Some(start)) = (definition.get("States"), definition.get("StartAt").and_then(Value::as_str)) {
        walk(states, start, &mut path);
    }
    path
}

/// Memory (MB) per function from `lambdas/functions.json`.
pub fn function_memory() -> BTreeMap<String, u64> {
    let table: Value = serde_json::from_str(FUNCTIONS).unwrap_or_default();
    table
        .get("functions")
        .and_then(Value::as_object)
        .map(|functions| {
            functions.iter().filter_map(|(name, f)| Some((name.clone(), f.get("memory")?.as_u64()?))).collect()
        })
        .unwrap_or_default()
}

/// The cost model from an end-to-end run's measured state durations.
pub fn model(run: &EndToEnd) -> CostModel {
    let definition: Value = serde_json::from_str(crate::workflow::DEFINITION).unwrap_or_default();
    let path = success_path(&definition);
    let memory = function_memory();
    let tasks: Vec<TaskCost> = path
        .iter()
        .filter_map(|(state, function)| {
            let function = function.clone()?;
            let memory_mb = memory.get(&function).copied().unwrap_or(128);
            let measured_ms = run.state_mean_ms.get(state).copied().unwrap_or(0.0);
            let billed_s = measured_ms.ceil().max(1.0) / 1000.0;
            Some(TaskCost {
                state: state.clone(),
                function,
                memory_mb,
                measured_ms,
                gb_seconds: memory_mb as f64 / 1024.0 * billed_s,
            })
        })
        .collect();
    let gb_seconds: f64 = tasks.iter().map(|t| t.gb_seconds).sum();
    let prices = docex_agent::PriceTable::shipped();
    let models = MODELS
        .iter()
        .map(|(label, model)| ModelCost {
            label: label.to_string(),
            model: model.to_string(),
            usd_per_document: prices
                .price(model)
                .map(|p| (TRANSCRIPT_INPUT_TOKENS as f64 * p.input + TRANSCRIPT_OUTPUT_TOKENS as f64 * p.output) / 1e6),
        })
        .collect();
    let transitions = path.len();
    CostModel {
        documents_measured: run.documents,
        path: path.iter().map(|(s, _)| s.clone()).collect(),
        transitions_per_document: transitions,
        lambda_requests_per_document: tasks.len(),
        lambda_gb_seconds_per_document: gb_seconds,
        tasks,
        model_calls: TRANSCRIPT_CALLS,
        input_tokens: TRANSCRIPT_INPUT_TOKENS,
        output_tokens: TRANSCRIPT_OUTPUT_TOKENS,
        models,
        step_functions_per_1000: 1000.0 * transitions as f64 * STEP_FUNCTIONS_PER_TRANSITION,
        lambda_per_1000: 1000.0
            * (gb_seconds * LAMBDA_ARM_PER_GB_SECOND
                + path.iter().filter(|(_, f)| f.is_some()).count() as f64 * LAMBDA_PER_REQUEST),
        bda_standard_per_1000: 1000.0 * BDA_STANDARD_PER_PAGE,
        bda_custom_per_1000: 1000.0 * BDA_CUSTOM_PER_PAGE,
    }
}

/// The cost model as a table.
pub fn table(cost: &CostModel) -> String {
    let mut out = format!(
        "AWS cost model per 1,000 pages (one-page documents, one chunk each; us-east-1 list prices, check the current AWS pricing pages)\n\
         path of a one-chunk document: {} = {} state transitions\n",
        cost.path.join(" → "),
        cost.transitions_per_document
    );
    out.push_str(&format!("{:<20} {:<20} {:>7} {:>12} {:>12}\n", "state", "function", "MB", "measured ms", "GB-s/doc"));
    for t in &cost.tasks {
        out.push_str(&format!(
            "{:<20} {:<20} {:>7} {:>12.1} {:>12.6}\n",
            t.state, t.function, t.memory_mb, t.measured_ms, t.gb_seconds
        ));
    }
    out.push_str(&format!(
        "(durations: mean of the {}-document run through the local workflow with the offline extractor;\n a model's answer time would add to extract-chunk)\n\n",
        cost.documents_measured
    ));
    let row = |item: &str, usd: Option<f64>| {
        let usd = usd.map_or("no price".into(), |u| if u >= 1.0 { format!("${u:.2}") } else { format!("${u:.4}") });
        format!("{item:<98} {usd:>10}\n")
    };
    out.push_str(&format!("{:<98} {:>10}\n", "item", "per 1,000"));
    out.push_str(&row(
        &format!("Step Functions Standard, {} transitions × $0.025 per 1,000", cost.transitions_per_document),
        Some(cost.step_functions_per_1000),
    ));
    out.push_str(&row(
        &format!(
            "Lambda arm64, {} requests and {:.4} GB-s per document",
            cost.lambda_requests_per_document, cost.lambda_gb_seconds_per_document
        ),
        Some(cost.lambda_per_1000),
    ));
    for m in &cost.models {
        out.push_str(&row(
            &format!(
                "Bedrock {} ({}), {} calls, {} in + {} out tokens",
                m.model, m.label, cost.model_calls, cost.input_tokens, cost.output_tokens
            ),
            m.usd_per_document.map(|u| u * 1000.0),
        ));
    }
    for m in &cost.models {
        out.push_str(&row(
            &format!("docex total with {}", m.label),
            m.usd_per_document.map(|u| u * 1000.0 + cost.step_functions_per_1000 + cost.lambda_per_1000),
        ));
    }
    out.push_str(&row(
        "Bedrock Data Automation, standard output (published price, check the current AWS pricing page)",
        Some(cost.bda_standard_per_1000),
    ));
    out.push_str(&row(
        "Bedrock Data Automation, custom output (published price, check the current AWS pricing page)",
        Some(cost.bda_custom_per_1000),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_success_path_of_a_one_chunk_document() {
        let definition: Value = serde_json::from_str(crate::workflow::DEFINITION).unwrap();
        let path = success_path(&definition);
        let states: Vec<&str> = path.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            states,
            [
                "PrepareDocument",
                "ExtractChunks",
                "ExtractChunk",
                "MergeAndValidate",
                "StoreResult",
                "RenderReport",
                "CompleteJob"
            ]
        );
        assert_eq!(path[0].1.as_deref(), Some("prepare-document"));
        assert_eq!(path[1].1, None, "the Map state runs no function");
        let memory = function_memory();
        for (_, function) in &path {
            if let Some(f) = function {
                assert!(memory.contains_key(f), "{f} in functions.json");
            }
        }
    }

    #[test]
    fn lambda_and_step_functions_costs_by_hand() {
        let mut run = EndToEnd {
            documents: 10,
            concurrency: 2,
            wall_s: 1.0,
            documents_per_s: 10.0,
            failed: 0,
            pages: 10,
            state_mean_ms: BTreeMap::new(),
            state_p50_ms: BTreeMap::new(),
            state_p99_ms: BTreeMap::new(),
            execution_p50_ms: 0.0,
            execution_p99_ms: 0.0,
            peak_rss_kib: None,
        };
        // 99.2 ms billed as 100 ms at 1024 MB: 0.1 GB-s.
        run.state_mean_ms.insert("PrepareDocument".into(), 99.2);
        let cost = model(&run);
        let prepare = &cost.tasks[0];
        assert!((prepare.gb_seconds - 0.1).abs() < 1e-12, "{prepare:?}");
        assert_eq!(cost.transitions_per_document, 7);
        assert!((cost.step_functions_per_1000 - 0.175).abs() < 1e-12);
        let haiku = cost.models[0].usd_per_document.unwrap();
        assert!((haiku - (5192.0 * 0.8 + 1010.0 * 4.0) / 1e6).abs() < 1e-12);
    }
}
