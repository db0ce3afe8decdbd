//! Choice rule evaluation: comparison operators, `And`/`Or`/`Not` and JSONata `Condition`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::error::Fault;
use crate::payload::DataScope;

/// Every comparison operator of JSONPath Choice rules (without the `Path` variants).
pub const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "StringMatches",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
    "BooleanEquals",
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// Evaluates a JSONPath-mode rule (`Variable` + operator, or `And`/`Or`/`Not`).
pub fn eval_rule(rule: &Value, scope: &DataScope<'_>) -> Result<bool, Fault> {
    let obj = rule.as_object().ok_or_else(|| Fault::runtime(format!("A choice rule must be an object, got {rule}")))?;
    if let Some(list) = obj.get("And") {
        for r in as_rules(list, "And")? {
            if !eval_rule(r, scope)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(list) = obj.get("Or") {
        for r in as_rules(list, "Or")? {
            if eval_rule(r, scope)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(inner) = obj.get("Not") {
        return Ok(!eval_rule(inner, scope)?);
    }
    let var_path = obj
        .get("Variable")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Fault::runtime("A choice rule needs a 'Variable' or And/Or/Not"))?;
    let (op, operand) = find_operator(obj)?;
    let value = scope.read_path(var_path)?;
    if op == "IsPresent" {
        return Ok(value.is_some() == operand.as_bool().unwrap_or(false));
    }
    let value = value.ok_or_else(|| {
        Fault::runtime(format!(
            "Invalid path '{var_path}': The choice state's condition path references an invalid value."
        ))
    })?;
    let (op, expected) = match op.strip_suffix("Path") {
        Some(base) => {
            let p =
                operand.as_str().ok_or_else(|| Fault::runtime(format!("The value of '{op}' must be a path string")))?;
            (base, scope.require(p)?)
        }
        None => (op, operand.clone()),
    };
    Ok(compare(op, &value, &expected))
}

fn as_rules<'a>(list: &'a Value, name: &str) -> Result<&'a Vec<Value>, Fault> {
    list.as_array().ok_or_else(|| Fault::runtime(format!("'{name}' must be an array of rules")))
}

fn find_operator(obj: &Map<String, Value>) -> Result<(&str, &Value), Fault> {
    for (k, v) in obj {
        let base = k.strip_suffix("Path").unwrap_or(k);
        if OPERATORS.contains(&base) && (k == base || !base.starts_with("Is")) {
            return Ok((k.as_str(), v));
        }
    }
    Err(Fault::runtime("A choice rule has no comparison operator"))
}

fn timestamp(v: &Value) -> Option<DateTime<FixedOffset>> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok())
}

fn compare(op: &str, value: &Value, expected: &Value) -> bool {
    use std::cmp::Ordering::*;
    let flag = expected.as_bool().unwrap_or(false);
    match op {
        "IsNull" => value.is_null() == flag,
        "IsNumeric" => value.is_number() == flag,
        "IsString" => value.is_string() == flag,
        "IsBoolean" => value.is_boolean() == flag,
        "IsTimestamp" => timestamp(value).is_some() == flag,
        "BooleanEquals" => matches!((value, expected), (Value::Bool(a), Value::Bool(b)) if a == b),
        "StringMatches" => match (value.as_str(), expected.as_str()) {
            (Some(s), Some(pattern)) => wildcard_match(pattern, s),
            _ => false,
        },
        _ => {
            let ord = if let Some(rest) = op.strip_prefix("String") {
                match (value.as_str(), expected.as_str()) {
                    (Some(a), Some(b)) => Some((rest, a.cmp(b))),
                    _ => None,
                }
            } else if let Some(rest) = op.strip_prefix("Numeric") {
                match (value.as_f64(), expected.as_f64()) {
                    (Some(a), Some(b)) => a.partial_cmp(&b).map(|o| (rest, o)),
                    _ => None,
                }
            } else if let Some(rest) = op.strip_prefix("Timestamp") {
                match (timestamp(value), timestamp(expected)) {
                    (Some(a), Some(b)) => Some((rest, a.cmp(&b))),
                    _ => None,
                }
            } else {
                None
            };
            match ord {
                Some(("Equals", o)) => o == Equal,
                Some(("LessThan", o)) => o == Less,
                Some(("GreaterThan", o)) => o == Greater,
                Some(("LessThanEquals", o)) => o != Greater,
                Some(("GreaterThanEquals", o)) => o != Less,
                _ => false,
            }
        }
    }
}

/// `StringMatches`: `*` matches any run of characters, `\*` a literal star, `\\` a backslash.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Char(n)),
                None => toks.push(Tok::Char('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let s: Vec<char> = text.chars().collect();
    // Classic greedy matcher with backtracking to the last star.
    let (mut p, mut i) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while i < s.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == s[i] => {
                p += 1;
                i += 1;
            }
            Some(Tok::Star) => {
                star = Some(p);
                mark = i;
                p += 1;
            }
            _ => match star {
                Some(sp) => {
                    p = sp + 1;
                    mark += 1;
                    i = mark;
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(rule: Value, input: Value) -> Result<bool, Fault> {
        let ctx = json!({});
        let vars = Map::new();
        eval_rule(&rule, &DataScope { input: &input, context: &ctx, vars: &vars })
    }

    #[test]
    fn operators() {
        let i = json!({"s": "abc", "n": 5, "b": true, "t": "2024-01-01T00:00:00Z", "t2": "2024-01-02T00:00:00Z", "z": null});
        assert!(check(json!({"Variable": "$.s", "StringEquals": "abc"}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.s", "StringGreaterThanEquals": "abb"}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.n", "NumericLessThanEqualsPath": "$.n"}), i.clone()).unwrap());
        assert!(!check(json!({"Variable": "$.s", "NumericEquals": 5}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.b", "BooleanEquals": true}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.t", "TimestampLessThanPath": "$.t2"}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.t", "IsTimestamp": true}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.z", "IsNull": true}), i.clone()).unwrap());
        assert!(check(json!({"Variable": "$.q", "IsPresent": false}), i.clone()).unwrap());
        assert!(check(json!({"Not": {"Variable": "$.n", "IsString": true}}), i.clone()).unwrap());
        assert!(
            check(
                json!({"Or": [{"Variable": "$.n", "IsString": true}, {"Variable": "$.n", "IsNumeric": true}]}),
                i.clone()
            )
            .unwrap()
        );
        assert_eq!(check(json!({"Variable": "$.q", "StringEquals": "x"}), i).unwrap_err().error, "States.Runtime");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.log", "a.b.log"));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b", "aXXc"));
        assert!(wildcard_match("a\\*b", "a*b"));
        assert!(!wildcard_match("a\\*b", "aXb"));
        assert!(wildcard_match("a\\\\b", "a\\b"));
        assert!(wildcard_match("*", ""));
    }
}
