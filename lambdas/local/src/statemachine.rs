//! `docex statemachine validate|run`: check any Amazon States Language definition, or run
//! one whose Task states docex knows (or that has none), printing
//! `{"status", "output", "error", "cause"}` as Step Functions would report them.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use docex_asl::{Engine, ExecutionOptions, StateMachine, TaskRegistry, TokioClock};
use serde_json::Value;

pub enum Command {
    Validate { file: PathBuf },
    Run { file: PathBuf, input: String },
}

fn read_json(text_or_file: &str) -> Result<Value> {
    let text = match text_or_file.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        None => text_or_file.to_string(),
    };
    serde_json::from_str(&text).context("the input is not JSON")
}

fn load(file: &PathBuf) -> Result<Value> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))
}

/// Everything wrong with a definition, one line each (empty when it is valid).
pub fn problems(definition: &Value) -> Vec<String> {
    match docex_asl::validate(definition) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

pub async fn command(command: Command) -> Result<ExitCode> {
    match command {
        Command::Validate { file } => {
            let definition = load(&file)?;
            let problems = problems(&definition);
            if problems.is_empty() {
                println!("{}: valid", file.display());
                return Ok(ExitCode::SUCCESS);
            }
            for problem in problems {
                println!("{}: {problem}", file.display());
            }
            Ok(ExitCode::FAILURE)
        }
        Command::Run { file, input } => {
            let definition = load(&file)?;
            let machine = StateMachine::parse(&definition).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let engine = Engine::new(TaskRegistry::new(), Arc::new(TokioClock));
            let execution = engine.start(&machine, read_json(&input)?, ExecutionOptions::default()).await;
            println!("{}", docex_asl::recorded::summary(&execution));
            Ok(ExitCode::SUCCESS)
        }
    }
}
