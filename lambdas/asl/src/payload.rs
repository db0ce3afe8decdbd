//! JSONPath-mode data handling: reading reference paths against input, context and
//! variables, and evaluating payload templates (`Parameters`, `ItemSelector`,
//! `ResultSelector`, `Assign`) whose `.$` keys hold paths or intrinsic calls.

use serde_json::{Map, Value};

use crate::error::Fault;
use crate::intrinsics;
use crate::jsonpath::{Path, Root};

/// The values a path can start from.
#[derive(Debug, Clone, Copy)]
pub struct DataScope<'a> {
    /// What `$` means.
    pub input: &'a Value,
    /// What `$$` means.
    pub context: &'a Value,
    /// Variables reachable as `$name`.
    pub vars: &'a Map<String, Value>,
}

impl DataScope<'_> {
    /// Reads a reference path; `Ok(None)` when it does not resolve.
    pub fn read_path(&self, text: &str) -> Result<Option<Value>, Fault> {
        let path = Path::parse(text).map_err(|e| Fault::runtime(e.to_string()))?;
        Ok(self.read(&path))
    }

    /// Reads a parsed path.
    pub fn read(&self, path: &Path) -> Option<Value> {
        match &path.root {
            Root::Input => path.read(self.input),
            Root::Context => path.read(self.context),
            Root::Variable(name) => self.vars.get(name).and_then(|v| path.read(v)),
        }
    }

    /// Reads a path that must resolve, with Step Functions' "Invalid path" message.
    pub fn require(&self, text: &str) -> Result<Value, Fault> {
        let path = Path::parse(text).map_err(|e| Fault::runtime(e.to_string()))?;
        self.read(&path).ok_or_else(|| {
            Fault::runtime(format!("Invalid path '{text}' : No results for path: {}", path.normalized()))
        })
    }
}

/// Evaluates a payload template: `"key.$"` entries are replaced by the value of their path
/// or intrinsic call (stored under `key`), everything else is copied.
pub fn eval_template(template: &Value, scope: &DataScope<'_>, rng: &mut dyn FnMut() -> u64) -> Result<Value, Fault> {
    match template {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj {
                if let Some(name) = k.strip_suffix(".$") {
                    out.insert(name.to_string(), eval_dynamic(name, k, v, scope, rng)?);
                } else {
                    out.insert(k.clone(), eval_template(v, scope, rng)?);
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => {
            items.iter().map(|v| eval_template(v, scope, rng)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        other => Ok(other.clone()),
    }
}

fn eval_dynamic(
    _name: &str,
    key: &str,
    value: &Value,
    scope: &DataScope<'_>,
    rng: &mut dyn FnMut() -> u64,
) -> Result<Value, Fault> {
    let text = value.as_str().ok_or_else(|| {
        Fault::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic function, got {value}"
        ))
    })?;
    if intrinsics::is_intrinsic(text) {
        return intrinsics::evaluate(text, scope, rng);
    }
    scope.read_path(text)?.ok_or_else(|| {
        let source = match Path::parse(text).map(|p| p.root) {
            Ok(Root::Context) => scope.context,
            _ => scope.input,
        };
        Fault::runtime(format!(
            "The JSONPath '{text}' specified for the field '{key}' could not be found in the input '{source}'"
        ))
    })
}

/// Evaluates a JSONPath-mode `Assign` block into the variables it sets.
pub fn eval_assign(
    assign: &Value,
    scope: &DataScope<'_>,
    rng: &mut dyn FnMut() -> u64,
) -> Result<Map<String, Value>, Fault> {
    match eval_template(assign, scope, rng)? {
        Value::Object(map) => Ok(map),
        other => Err(Fault::runtime(format!("Assign must be an object, got {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn template_resolves_paths_context_variables_and_intrinsics() {
        let input = json!({"a": 1, "arr": [1, 2]});
        let ctx = json!({"Execution": {"Name": "x"}});
        let mut vars = Map::new();
        vars.insert("v".into(), json!({"k": "val"}));
        let scope = DataScope { input: &input, context: &ctx, vars: &vars };
        let mut rng = || 1u64;
        let out = eval_template(
            &json!({"lit": "$.a", "p.$": "$.a", "c.$": "$$.Execution.Name", "v.$": "$v.k",
                    "n": [{"l.$": "States.ArrayLength($.arr)"}]}),
            &scope,
            &mut rng,
        )
        .unwrap();
        assert_eq!(out, json!({"lit": "$.a", "p": 1, "c": "x", "v": "val", "n": [{"l": 2}]}));
        let err = eval_template(&json!({"p.$": "$.nope"}), &scope, &mut rng).unwrap_err();
        assert!(err.cause.contains("could not be found"), "{}", err.cause);
    }
}
