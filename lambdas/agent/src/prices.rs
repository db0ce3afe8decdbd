//! What model tokens cost: a price table from configuration (model id -> USD per million
//! input, output, cache-read and cache-write tokens). docex ships `prices.json` with known
//! Bedrock model ids; a JSON file of the same shape named by `DOCEX_PRICES` adds models or
//! replaces their prices. A model with no price has tokens but no cost (`cost_usd: null`),
//! never a made-up one.

use std::collections::BTreeMap;

use docex_core::{DocexError, Usage};
use serde::{Deserialize, Serialize};

use crate::model::Tokens;

/// Environment variable naming a price file that extends or overrides the shipped table.
pub const PRICES_ENV: &str = "DOCEX_PRICES";

const SHIPPED: &str = include_str!("../prices.json");

/// USD per million tokens. Cache prices default to the input price when absent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_read: Option<f64>,
    #[serde(default)]
    pub cache_write: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PriceTable {
    pub models: BTreeMap<String, Price>,
}

impl PriceTable {
    /// The table shipped with docex.
    pub fn shipped() -> PriceTable {
        // The shipped file is checked by a test; an unreadable one would be a build defect.
        PriceTable::parse(SHIPPED).unwrap_or_default()
    }

    /// Parses a price file: `{"models": {"<model id>": {"input", "output", "cache_read"?, "cache_write"?}}}`.
    pub fn parse(text: &str) -> Result<PriceTable, DocexError> {
        let table: PriceTable =
            serde_json::from_str(text).map_err(|e| DocexError::InvalidInput(format!("price table: {e}")))?;
        for (model, price) in &table.models {
            let all = [Some(price.input), Some(price.output), price.cache_read, price.cache_write];
            if all.into_iter().flatten().any(|p| !p.is_finite() || p < 0.0) {
                return Err(DocexError::InvalidInput(format!("price table: {model} has a negative or invalid price")));
            }
        }
        Ok(table)
    }

    /// The shipped table, with the file named by `DOCEX_PRICES` (if set) laid over it.
    pub fn from_env() -> Result<PriceTable, DocexError> {
        let mut table = PriceTable::shipped();
        if let Some(path) = std::env::var_os(PRICES_ENV).filter(|p| !p.is_empty()) {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                DocexError::InvalidInput(format!("cannot read the price table {}: {e}", path.to_string_lossy()))
            })?;
            table.models.extend(PriceTable::parse(&text)?.models);
        }
        Ok(table)
    }

    /// The price of a model: by its exact id, else without a cross-region inference profile
    /// prefix (`us.`, `eu.`, `apac.`, `global.`) or an ARN's path.
    pub fn price(&self, model: &str) -> Option<Price> {
        let bare = model.rsplit('/').next().unwrap_or(model);
        let unprefixed =
            ["us.", "eu.", "apac.", "us-gov.", "global."].iter().find_map(|p| bare.strip_prefix(p)).unwrap_or(bare);
        [model, bare, unprefixed].iter().find_map(|id| self.models.get(*id).copied())
    }

    /// The usage of one call, with its cost when the model has a price.
    pub fn usage(&self, model: &str, tokens: Tokens) -> Usage {
        let cost = self.price(model).map(|p| {
            (tokens.input as f64 * p.input
                + tokens.output as f64 * p.output
                + tokens.cache_read as f64 * p.cache_read.unwrap_or(p.input)
                + tokens.cache_write as f64 * p.cache_write.unwrap_or(p.input))
                / 1_000_000.0
        });
        Usage {
            model: model.to_string(),
            calls: 1,
            input_tokens: tokens.input,
            output_tokens: tokens.output,
            cache_read_tokens: tokens.cache_read,
            cache_write_tokens: tokens.cache_write,
            cost_usd: cost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_prices_a_call() {
        let table = PriceTable::parse(SHIPPED).unwrap();
        assert!(table.models.len() >= 10);
        let tokens = Tokens { input: 1_000_000, output: 100_000, cache_read: 1_000_000, cache_write: 0 };
        let usage = table.usage("anthropic.claude-3-5-haiku-20241022-v1:0", tokens);
        assert!((usage.cost_usd.unwrap() - (0.8 + 0.4 + 0.08)).abs() < 1e-9, "{usage:?}");
    }

    #[test]
    fn inference_profiles_and_arns_find_their_model_and_unknown_models_have_no_cost() {
        let table = PriceTable::shipped();
        assert!(table.price("us.anthropic.claude-3-7-sonnet-20250219-v1:0").is_some());
        assert!(
            table
                .price("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0")
                .is_some()
        );
        assert_eq!(table.usage("some-local-model", Tokens::default()).cost_usd, None);
    }

    #[test]
    fn a_negative_price_is_refused() {
        let err = PriceTable::parse(r#"{"models": {"m": {"input": -1, "output": 1}}}"#).unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
    }
}
