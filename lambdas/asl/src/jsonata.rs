//! JSONata-mode data handling: `{% expr %}` templates evaluated with `$states` and
//! workflow variables bound.
//!
//! Expressions are evaluated by the `jsonata-rs` crate (an incomplete JSONata
//! implementation that covers paths, operators, the common function library and
//! lambdas). The Step Functions extensions `$parse`, `$partition`, `$range` and
//! `$hash` are added here; `$uuid` and `$random` come with the crate. Known
//! differences: object keys produced by JSONata expressions come back in
//! unspecified order, and Step Functions' `$merge`/`$distinct` edge cases follow
//! the crate's behaviour.

use std::collections::HashMap;

use bumpalo::Bump;
use jsonata_rs::{ArrayFlags, FunctionContext, JsonAta, Value as JValue};
use serde_json::{Map, Value};

use crate::error::{Fault, names};

/// True when `text` is a `{% ... %}` expression.
pub fn is_expression(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("{%") && t.ends_with("%}") && t.len() >= 4
}

fn query_error(msg: impl Into<String>) -> Fault {
    Fault::new(names::QUERY_EVALUATION_ERROR, msg)
}

/// Evaluates one expression (without the `{% %}` markers).
/// `Ok(None)` means the expression produced JSONata's *undefined*.
pub fn eval_expr(expr: &str, states: &Value, vars: &Map<String, Value>) -> Result<Option<Value>, Fault> {
    let arena = Bump::new();
    let jsonata = JsonAta::new(expr, &arena)
        .map_err(|e| query_error(format!("Cannot parse JSONata expression '{expr}': {e}")))?;
    jsonata.register_function("parse", 1, fn_parse);
    jsonata.register_function("partition", 2, fn_partition);
    jsonata.register_function("range", 3, fn_range);
    jsonata.register_function("hash", 2, fn_hash);
    let mut bindings: HashMap<&str, &Value> = HashMap::new();
    for (k, v) in vars {
        bindings.insert(k.as_str(), v);
    }
    bindings.insert("states", states);
    let result = jsonata
        .evaluate(None, Some(&bindings))
        .map_err(|e| query_error(format!("The JSONata expression '{expr}' failed: {e}")))?;
    to_json(result).map_err(query_error)
}

/// Evaluates a template: strings that are `{% %}` expressions are replaced by their value,
/// objects and arrays are walked, other values are copied.
pub fn eval_template(template: &Value, states: &Value, vars: &Map<String, Value>) -> Result<Value, Fault> {
    match template {
        Value::String(s) if is_expression(s) => {
            let t = s.trim();
            let expr = &t[2..t.len() - 2];
            eval_expr(expr, states, vars)?
                .ok_or_else(|| query_error(format!("The JSONata expression '{expr}' returned nothing (undefined)")))
        }
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj {
                // Undefined members are dropped, as JSONata does.
                match v {
                    Value::String(s) if is_expression(s) => {
                        let t = s.trim();
                        if let Some(x) = eval_expr(&t[2..t.len() - 2], states, vars)? {
                            out.insert(k.clone(), x);
                        }
                    }
                    _ => {
                        out.insert(k.clone(), eval_template(v, states, vars)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => {
            items.iter().map(|v| eval_template(v, states, vars)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        other => Ok(other.clone()),
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn to_json<'a>(v: &'a JValue<'a>) -> Result<Option<Value>, String> {
    Ok(Some(match v {
        JValue::Undefined => return Ok(None),
        JValue::Null => Value::Null,
        JValue::Number(n) => number(*n),
        JValue::Bool(b) => Value::Bool(*b),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(..) | JValue::Range(..) => {
            let mut out = Vec::new();
            for m in v.members() {
                if let Some(x) = to_json(m)? {
                    out.push(x);
                }
            }
            Value::Array(out)
        }
        JValue::Object(map) => {
            let mut entries: Vec<(String, Value)> = Vec::new();
            for (k, m) in map.iter() {
                if let Some(x) = to_json(m)? {
                    entries.push((k.to_string(), x));
                }
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        JValue::Regex(_) => return Err("a regular expression is not a JSON value".into()),
        _ => return Err("a function is not a JSON value".into()),
    }))
}

fn from_json<'a>(arena: &'a Bump, v: &Value) -> &'a JValue<'a> {
    match v {
        Value::Null => JValue::null(arena),
        Value::Bool(b) => JValue::bool(*b),
        Value::Number(n) => JValue::number(arena, n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::string(arena, s),
        Value::Array(items) => {
            let arr = JValue::array_with_capacity(arena, items.len(), ArrayFlags::empty());
            for i in items {
                arr.push(from_json(arena, i));
            }
            arr
        }
        Value::Object(obj) => {
            let o = JValue::object_with_capacity(arena, obj.len());
            for (k, x) in obj {
                o.insert(k, from_json(arena, x));
            }
            o
        }
    }
}

fn arg_error(ctx: &FunctionContext<'_, '_>, msg: &str) -> jsonata_rs::Error {
    jsonata_rs::Error::D3137Error(format!("${}: {msg}", ctx.name))
}

fn fn_parse<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    let s = match args.first() {
        Some(JValue::String(s)) => s.to_string(),
        _ => return Err(arg_error(&ctx, "expects a string")),
    };
    let parsed: Value = serde_json::from_str(&s).map_err(|e| arg_error(&ctx, &format!("invalid JSON: {e}")))?;
    Ok(from_json(ctx.arena, &parsed))
}

fn json_args<'a>(args: &[&'a JValue<'a>]) -> Vec<Value> {
    args.iter().map(|a| to_json(a).ok().flatten().unwrap_or(Value::Null)).collect()
}

fn fn_partition<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    let a = json_args(args);
    let (Some(Value::Array(items)), Some(size)) = (a.first(), a.get(1).and_then(|s| s.as_u64())) else {
        return Err(arg_error(&ctx, "expects an array and a chunk size"));
    };
    if size == 0 {
        return Err(arg_error(&ctx, "the chunk size must be greater than 0"));
    }
    let out: Vec<Value> = items.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect();
    Ok(from_json(ctx.arena, &Value::Array(out)))
}

fn fn_range<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    let a = json_args(args);
    let n = |i: usize| a.get(i).and_then(|v| v.as_f64()).map(|x| x as i64);
    let (Some(start), Some(end), Some(step)) = (n(0), n(1), n(2)) else {
        return Err(arg_error(&ctx, "expects start, end and step numbers"));
    };
    if step == 0 {
        return Err(arg_error(&ctx, "the step must not be 0"));
    }
    let mut out = Vec::new();
    let mut x = start;
    while ((step > 0 && x <= end) || (step < 0 && x >= end)) && out.len() <= 1000 {
        out.push(Value::from(x));
        x += step;
    }
    Ok(from_json(ctx.arena, &Value::Array(out)))
}

fn fn_hash<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    let a = json_args(args);
    let (Some(Value::String(data)), Some(Value::String(alg))) = (a.first(), a.get(1)) else {
        return Err(arg_error(&ctx, "expects a string and an algorithm name"));
    };
    let expr = format!("States.Hash('{}', '{}')", data.replace('\'', "\\'"), alg);
    let empty = Value::Null;
    let vars = Map::new();
    let scope = crate::payload::DataScope { input: &empty, context: &empty, vars: &vars };
    let mut rng = || 0u64;
    let v = crate::intrinsics::evaluate(&expr, &scope, &mut rng).map_err(|f| arg_error(&ctx, &f.cause))?;
    Ok(from_json(ctx.arena, &v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_expressions_with_states_and_variables() {
        let states = json!({"input": {"xs": [1, 2, 3], "s": "a"}});
        let mut vars = Map::new();
        vars.insert("k".into(), json!(1));
        assert_eq!(eval_expr("$sum($states.input.xs) + $k", &states, &vars).unwrap(), Some(json!(7)));
        assert_eq!(eval_expr("$states.input.s = \"a\"", &states, &vars).unwrap(), Some(json!(true)));
        assert_eq!(eval_expr("$parse('{\"a\":[1]}')", &states, &vars).unwrap(), Some(json!({"a": [1]})));
        assert_eq!(eval_expr("$partition([1,2,3], 2)", &states, &vars).unwrap(), Some(json!([[1, 2], [3]])));
        assert_eq!(eval_expr("$range(0, 4, 2)", &states, &vars).unwrap(), Some(json!([0, 2, 4])));
        assert_eq!(eval_expr("$states.input.nothing", &states, &vars).unwrap(), None);
        assert_eq!(
            eval_template(&json!({"a": "{% $states.input.s %}", "b": ["{% 1 + 1 %}"], "c": 3}), &states, &vars)
                .unwrap(),
            json!({"a": "a", "b": [2], "c": 3})
        );
        assert!(eval_expr("1 +", &states, &vars).is_err());
    }
}
