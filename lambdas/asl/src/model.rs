//! Parsed state machine: states by name, their transitions, nested branches and
//! the Retry/Catch policies. Payload fields stay as JSON and are read when run.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::{ParseError, names};
use crate::validate::validate;

/// Which language a state uses for its data fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    /// Paths, payload templates and intrinsic functions (the default).
    JsonPath,
    /// `{% %}` JSONata expressions, `Arguments`, `Output`.
    Jsonata,
}

impl QueryLanguage {
    pub(crate) fn from_field(v: Option<&Value>, default: QueryLanguage) -> QueryLanguage {
        match v.and_then(|v| v.as_str()) {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some("JSONPath") => QueryLanguage::JsonPath,
            _ => default,
        }
    }
}

/// State types.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

/// `JitterStrategy` of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exact intervals.
    None,
    /// Random delay between 0 and the computed interval.
    Full,
}

/// One `Retry` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    /// Error names this retrier handles.
    pub error_equals: Vec<String>,
    /// First interval, seconds (default 1).
    pub interval_seconds: f64,
    /// Retries allowed (default 3).
    pub max_attempts: u32,
    /// Multiplier per attempt (default 2.0).
    pub backoff_rate: f64,
    /// Upper bound of one interval.
    pub max_delay_seconds: Option<f64>,
    /// Jitter.
    pub jitter: Jitter,
}

/// One `Catch` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    /// Error names this catcher handles.
    pub error_equals: Vec<String>,
    /// Where the error output goes (JSONPath mode); `None` = field absent (`$`).
    pub result_path: Option<Value>,
    /// State to go to.
    pub next: String,
    /// The raw catcher (for `Assign`, `Output`).
    pub raw: Value,
}

/// Does `names` (an `ErrorEquals` list) cover `error`?
pub fn error_matches(list: &[String], error: &str) -> bool {
    if error == names::RUNTIME {
        return false;
    }
    list.iter().any(|e| {
        e == error
            || e == names::ALL
            || (e == names::TASK_FAILED && error != names::TIMEOUT && error != names::HEARTBEAT_TIMEOUT)
    })
}

/// One state.
#[derive(Debug)]
pub struct State {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: StateKind,
    /// Effective query language.
    pub language: QueryLanguage,
    /// `Next`, if any.
    pub next: Option<String>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// Parallel branches.
    pub branches: Vec<Arc<Branch>>,
    /// Map item processor.
    pub processor: Option<Arc<Branch>>,
    /// The state's JSON object.
    pub raw: Map<String, Value>,
}

impl State {
    /// A field of the state's JSON; `None` when absent (a JSON `null` is `Some(Null)`).
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }
}

/// A set of states with a start (the machine itself, a Parallel branch, a Map processor).
#[derive(Debug)]
pub struct Branch {
    /// `StartAt`.
    pub start_at: String,
    /// States by name.
    pub states: HashMap<String, Arc<State>>,
}

/// A parsed, validated state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub(crate) root: Arc<Branch>,
    pub(crate) definition: Value,
    pub(crate) timeout_seconds: Option<u64>,
    pub(crate) name: String,
}

impl StateMachine {
    /// Validates and parses a definition.
    pub fn parse(definition: &Value) -> Result<StateMachine, ParseError> {
        validate(definition).map_err(ParseError::Invalid)?;
        let default = QueryLanguage::from_field(definition.get("QueryLanguage"), QueryLanguage::JsonPath);
        let root = parse_branch(definition, default);
        Ok(StateMachine {
            root: Arc::new(root),
            definition: definition.clone(),
            timeout_seconds: definition.get("TimeoutSeconds").and_then(|v| v.as_u64()),
            name: "local".to_string(),
        })
    }

    /// Parses definition text.
    pub fn parse_str(text: &str) -> Result<StateMachine, ParseError> {
        let v: Value = serde_json::from_str(text)?;
        Self::parse(&v)
    }

    /// Sets the machine name used in the context object (`$$.StateMachine.Name`).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The definition JSON.
    pub fn definition(&self) -> &Value {
        &self.definition
    }

    /// Every Task `Resource` string in the machine, nested branches included.
    pub fn resources(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_resources(&self.root, &mut out);
        out.sort();
        out.dedup();
        out
    }

    pub(crate) fn state(&self, name: &str) -> Option<&Arc<State>> {
        self.root.states.get(name)
    }
}

fn collect_resources(b: &Branch, out: &mut Vec<String>) {
    for s in b.states.values() {
        if let Some(r) = s.field("Resource").and_then(|r| r.as_str()) {
            out.push(r.to_string());
        }
        for br in &s.branches {
            collect_resources(br, out);
        }
        if let Some(p) = &s.processor {
            collect_resources(p, out);
        }
    }
}

fn kind_of(t: &str) -> Option<StateKind> {
    Some(match t {
        "Pass" => StateKind::Pass,
        "Task" => StateKind::Task,
        "Choice" => StateKind::Choice,
        "Wait" => StateKind::Wait,
        "Succeed" => StateKind::Succeed,
        "Fail" => StateKind::Fail,
        "Parallel" => StateKind::Parallel,
        "Map" => StateKind::Map,
        _ => return None,
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn parse_branch(def: &Value, default: QueryLanguage) -> Branch {
    let start_at = def.get("StartAt").and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut states = HashMap::new();
    if let Some(obj) = def.get("States").and_then(|v| v.as_object()) {
        for (name, sdef) in obj {
            let raw = sdef.as_object().cloned().unwrap_or_default();
            let Some(kind) = raw.get("Type").and_then(|t| t.as_str()).and_then(kind_of) else {
                continue;
            };
            let language = QueryLanguage::from_field(raw.get("QueryLanguage"), default);
            let retry = raw
                .get("Retry")
                .and_then(|r| r.as_array())
                .map(|a| a.iter().map(parse_retrier).collect())
                .unwrap_or_default();
            let catch = raw
                .get("Catch")
                .and_then(|r| r.as_array())
                .map(|a| {
                    a.iter()
                        .map(|c| Catcher {
                            error_equals: strings(c.get("ErrorEquals")),
                            result_path: c.get("ResultPath").cloned(),
                            next: c.get("Next").and_then(|n| n.as_str()).unwrap_or_default().to_string(),
                            raw: c.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let branches = raw
                .get("Branches")
                .and_then(|b| b.as_array())
                .map(|a| a.iter().map(|b| Arc::new(parse_branch(b, default))).collect())
                .unwrap_or_default();
            let processor =
                raw.get("ItemProcessor").or_else(|| raw.get("Iterator")).map(|p| Arc::new(parse_branch(p, default)));
            states.insert(
                name.clone(),
                Arc::new(State {
                    name: name.clone(),
                    kind,
                    language,
                    next: raw.get("Next").and_then(|n| n.as_str()).map(String::from),
                    retry,
                    catch,
                    branches,
                    processor,
                    raw,
                }),
            );
        }
    }
    Branch { start_at, states }
}

fn parse_retrier(r: &Value) -> Retrier {
    Retrier {
        error_equals: strings(r.get("ErrorEquals")),
        interval_seconds: r.get("IntervalSeconds").and_then(|v| v.as_f64()).unwrap_or(1.0),
        max_attempts: r.get("MaxAttempts").and_then(|v| v.as_u64()).unwrap_or(3) as u32,
        backoff_rate: r.get("BackoffRate").and_then(|v| v.as_f64()).unwrap_or(2.0),
        max_delay_seconds: r.get("MaxDelaySeconds").and_then(|v| v.as_f64()),
        jitter: match r.get("JitterStrategy").and_then(|v| v.as_str()) {
            Some("FULL") => Jitter::Full,
            _ => Jitter::None,
        },
    }
}

impl Retrier {
    /// Delay before retry number `attempt` (0-based), before jitter:
    /// `IntervalSeconds * BackoffRate^attempt`, capped by `MaxDelaySeconds`.
    pub fn base_delay(&self, attempt: u32) -> f64 {
        let d = self.interval_seconds * self.backoff_rate.powi(attempt as i32);
        match self.max_delay_seconds {
            Some(cap) => d.min(cap),
            None => d,
        }
    }
}
