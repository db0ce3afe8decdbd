//! Static checks of a definition: structure, field types, transitions and reachability.

use std::collections::{HashSet, VecDeque};

use serde_json::{Map, Value};

use crate::choice::OPERATORS;
use crate::error::{ValidationError, ValidationErrorKind as K};
use crate::jsonata::is_expression;
use crate::jsonpath::Path;

/// Checks a definition; returns every problem found.
pub fn validate(definition: &Value) -> Result<(), Vec<ValidationError>> {
    let mut errs = Vec::new();
    let lang = match definition.get("QueryLanguage") {
        None => "JSONPath",
        Some(Value::String(s)) if s == "JSONPath" || s == "JSONata" => s.as_str(),
        Some(_) => {
            push(
                &mut errs,
                "/QueryLanguage",
                K::BadField { field: "QueryLanguage".into(), expected: "must be \"JSONPath\" or \"JSONata\"".into() },
            );
            "JSONPath"
        }
    };
    if let Some(t) = definition.get("TimeoutSeconds")
        && t.as_u64().is_none_or(|n| n == 0)
    {
        push(&mut errs, "/TimeoutSeconds", bad("TimeoutSeconds", "must be a positive integer"));
    }
    check_branch(definition, "", lang, &mut errs);
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

fn push(errs: &mut Vec<ValidationError>, location: impl Into<String>, kind: K) {
    errs.push(ValidationError { location: location.into(), kind });
}

fn bad(field: &str, expected: &str) -> K {
    K::BadField { field: field.into(), expected: expected.into() }
}

fn check_branch(def: &Value, loc: &str, lang: &str, errs: &mut Vec<ValidationError>) {
    let Some(obj) = def.as_object() else {
        push(errs, loc.to_string(), bad("definition", "must be a JSON object"));
        return;
    };
    let start = match obj.get("StartAt") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            push(errs, format!("{loc}/StartAt"), bad("StartAt", "must be a string"));
            None
        }
        None => {
            push(errs, loc.to_string(), K::MissingField("StartAt".into()));
            None
        }
    };
    let states = match obj.get("States") {
        Some(Value::Object(s)) if !s.is_empty() => s,
        Some(_) => {
            push(errs, format!("{loc}/States"), bad("States", "must be a non-empty object"));
            return;
        }
        None => {
            push(errs, loc.to_string(), K::MissingField("States".into()));
            return;
        }
    };
    if let Some(s) = start
        && !states.contains_key(s)
    {
        push(errs, format!("{loc}/StartAt"), K::UnknownState(s.into()));
    }
    for (name, sdef) in states {
        check_state(name, sdef, states, &format!("{loc}/States/{name}"), lang, errs);
    }
    // Reachability.
    if let Some(s) = start.filter(|s| states.contains_key(*s)) {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue = VecDeque::from([s]);
        while let Some(cur) = queue.pop_front() {
            if !seen.insert(cur) {
                continue;
            }
            for t in transitions(&states[cur]) {
                if let Some((k, _)) = states.get_key_value(t) {
                    queue.push_back(k.as_str());
                }
            }
        }
        for name in states.keys() {
            if !seen.contains(name.as_str()) {
                push(errs, format!("{loc}/States/{name}"), K::Unreachable(name.clone()));
            }
        }
    }
}

fn transitions(sdef: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    fn s(v: Option<&Value>) -> Option<&str> {
        v.and_then(|v| v.as_str())
    }
    if let Some(n) = s(sdef.get("Next")) {
        out.push(n);
    }
    if let Some(n) = s(sdef.get("Default")) {
        out.push(n);
    }
    for key in ["Choices", "Catch"] {
        if let Some(list) = sdef.get(key).and_then(|c| c.as_array()) {
            out.extend(list.iter().filter_map(|c| s(c.get("Next"))));
        }
    }
    out
}

const JSONPATH_ONLY: &[&str] = &["InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath"];
const JSONATA_ONLY: &[&str] = &["Arguments", "Output"];

fn check_path_field(obj: &Map<String, Value>, field: &str, loc: &str, errs: &mut Vec<ValidationError>) {
    match obj.get(field) {
        None | Some(Value::Null) => {}
        Some(Value::String(p)) => {
            if let Err(e) = Path::parse(p) {
                push(errs, format!("{loc}/{field}"), K::BadPath(p.clone(), e.to_string()));
            }
        }
        Some(_) => push(errs, format!("{loc}/{field}"), bad(field, "must be a path string or null")),
    }
}

fn check_state(
    name: &str,
    sdef: &Value,
    states: &Map<String, Value>,
    loc: &str,
    top_lang: &str,
    errs: &mut Vec<ValidationError>,
) {
    let Some(obj) = sdef.as_object() else {
        push(errs, loc, bad(name, "must be a JSON object"));
        return;
    };
    let ty = match obj.get("Type").and_then(|t| t.as_str()) {
        Some(t) => t,
        None => {
            push(errs, loc, K::MissingField("Type".into()));
            return;
        }
    };
    let lang = match obj.get("QueryLanguage") {
        None => top_lang,
        Some(Value::String(s)) if s == "JSONPath" || s == "JSONata" => s.as_str(),
        Some(_) => {
            push(errs, format!("{loc}/QueryLanguage"), bad("QueryLanguage", "must be \"JSONPath\" or \"JSONata\""));
            top_lang
        }
    };
    if lang == "JSONata" && top_lang == "JSONata" && obj.get("QueryLanguage").is_some_and(|q| q == "JSONPath") {
        push(
            errs,
            format!("{loc}/QueryLanguage"),
            K::NotAllowed("QueryLanguage JSONPath inside a JSONata machine".into()),
        );
    }
    let forbidden = if lang == "JSONata" { JSONPATH_ONLY } else { JSONATA_ONLY };
    for f in forbidden {
        if obj.contains_key(*f) {
            push(errs, format!("{loc}/{f}"), K::NotAllowed(format!("{f} (QueryLanguage {lang})")));
        }
    }
    if lang == "JSONPath" {
        for f in ["InputPath", "OutputPath", "ResultPath"] {
            check_path_field(obj, f, loc, errs);
        }
    }
    let check_next = |errs: &mut Vec<ValidationError>, field_loc: String, v: Option<&Value>| match v {
        Some(Value::String(n)) if states.contains_key(n) => {}
        Some(Value::String(n)) => push(errs, field_loc, K::UnknownState(n.clone())),
        Some(_) => push(errs, field_loc, bad("Next", "must be a string")),
        None => push(errs, field_loc, K::MissingField("Next".into())),
    };
    let terminal = matches!(ty, "Choice" | "Succeed" | "Fail");
    let has_next = obj.contains_key("Next");
    let end = obj.get("End");
    if let Some(e) = end
        && !e.is_boolean()
    {
        push(errs, format!("{loc}/End"), bad("End", "must be a boolean"));
    }
    let is_end = end.and_then(|e| e.as_bool()).unwrap_or(false);
    if terminal {
        if has_next || end.is_some() {
            push(errs, loc, K::NotAllowed(format!("Next/End on a {ty} state")));
        }
    } else if has_next == is_end {
        push(errs, loc, K::NoTransition(name.into()));
    } else if has_next {
        check_next(errs, format!("{loc}/Next"), obj.get("Next"));
    }
    if let Some(c) = obj.get("Catch") {
        match c.as_array() {
            Some(list) if matches!(ty, "Task" | "Parallel" | "Map") => {
                for (i, catcher) in list.iter().enumerate() {
                    check_error_equals(catcher, &format!("{loc}/Catch/{i}"), errs);
                    check_next(errs, format!("{loc}/Catch/{i}/Next"), catcher.get("Next"));
                }
            }
            Some(_) => push(errs, format!("{loc}/Catch"), K::NotAllowed(format!("Catch on a {ty} state"))),
            None => push(errs, format!("{loc}/Catch"), bad("Catch", "must be an array")),
        }
    }
    if let Some(r) = obj.get("Retry") {
        match r.as_array() {
            Some(list) if matches!(ty, "Task" | "Parallel" | "Map") => {
                for (i, retrier) in list.iter().enumerate() {
                    check_retrier(retrier, &format!("{loc}/Retry/{i}"), errs);
                }
            }
            Some(_) => push(errs, format!("{loc}/Retry"), K::NotAllowed(format!("Retry on a {ty} state"))),
            None => push(errs, format!("{loc}/Retry"), bad("Retry", "must be an array")),
        }
    }
    match ty {
        "Pass" | "Succeed" => {}
        "Task" => {
            match obj.get("Resource") {
                Some(Value::String(_)) => {}
                Some(_) => push(errs, format!("{loc}/Resource"), bad("Resource", "must be a string")),
                None => push(errs, loc, K::MissingField("Resource".into())),
            }
            for f in ["TimeoutSeconds", "HeartbeatSeconds"] {
                if let Some(v) = obj.get(f) {
                    let ok = v.as_u64().is_some_and(|n| n > 0) || v.as_str().is_some_and(is_expression);
                    if !ok {
                        push(errs, format!("{loc}/{f}"), bad(f, "must be a positive integer"));
                    }
                }
            }
        }
        "Choice" => {
            match obj.get("Choices").and_then(|c| c.as_array()) {
                Some(list) if !list.is_empty() => {
                    for (i, rule) in list.iter().enumerate() {
                        check_next(errs, format!("{loc}/Choices/{i}/Next"), rule.get("Next"));
                        if lang == "JSONata" {
                            if rule.get("Condition").is_none() {
                                push(errs, format!("{loc}/Choices/{i}"), K::MissingField("Condition".into()));
                            }
                        } else {
                            check_rule(rule, &format!("{loc}/Choices/{i}"), errs);
                        }
                    }
                }
                _ => push(errs, format!("{loc}/Choices"), bad("Choices", "must be a non-empty array")),
            }
            if obj.contains_key("Default") {
                check_next(errs, format!("{loc}/Default"), obj.get("Default"));
            }
        }
        "Wait" => {
            let n = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]
                .iter()
                .filter(|f| obj.contains_key(**f))
                .count();
            if n != 1 {
                push(errs, loc, bad("Wait", "needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath"));
            }
            if let Some(s) = obj.get("Seconds")
                && !(s.as_u64().is_some() || s.as_str().is_some_and(is_expression))
            {
                push(errs, format!("{loc}/Seconds"), bad("Seconds", "must be a non-negative integer"));
            }
        }
        "Fail" => {
            for (a, b) in [("Error", "ErrorPath"), ("Cause", "CausePath")] {
                if obj.contains_key(a) && obj.contains_key(b) {
                    push(errs, loc, K::NotAllowed(format!("both {a} and {b}")));
                }
                if obj.get(a).is_some_and(|v| !v.is_string()) {
                    push(errs, format!("{loc}/{a}"), bad(a, "must be a string"));
                }
            }
        }
        "Parallel" => match obj.get("Branches").and_then(|b| b.as_array()) {
            Some(list) if !list.is_empty() => {
                for (i, b) in list.iter().enumerate() {
                    check_branch(b, &format!("{loc}/Branches/{i}"), top_lang, errs);
                }
            }
            _ => push(errs, format!("{loc}/Branches"), bad("Branches", "must be a non-empty array")),
        },
        "Map" => {
            match obj.get("ItemProcessor").or_else(|| obj.get("Iterator")) {
                Some(p) => check_branch(p, &format!("{loc}/ItemProcessor"), top_lang, errs),
                None => push(errs, loc, K::MissingField("ItemProcessor".into())),
            }
            if let Some(m) = obj.get("MaxConcurrency")
                && m.as_u64().is_none()
                && !m.as_str().is_some_and(is_expression)
            {
                push(errs, format!("{loc}/MaxConcurrency"), bad("MaxConcurrency", "must be a non-negative integer"));
            }
            if lang == "JSONPath" {
                check_path_field(obj, "ItemsPath", loc, errs);
            }
        }
        other => push(errs, format!("{loc}/Type"), K::UnknownType(other.into())),
    }
}

fn check_error_equals(v: &Value, loc: &str, errs: &mut Vec<ValidationError>) {
    match v.get("ErrorEquals").and_then(|e| e.as_array()) {
        Some(list) if !list.is_empty() && list.iter().all(|e| e.is_string()) => {}
        _ => push(errs, format!("{loc}/ErrorEquals"), bad("ErrorEquals", "must be a non-empty array of strings")),
    }
}

fn check_retrier(r: &Value, loc: &str, errs: &mut Vec<ValidationError>) {
    check_error_equals(r, loc, errs);
    let num = |f: &str, ok: &dyn Fn(f64) -> bool, what: &str, errs: &mut Vec<ValidationError>| {
        if let Some(v) = r.get(f)
            && !v.as_f64().is_some_and(ok)
        {
            push(errs, format!("{loc}/{f}"), bad(f, what));
        }
    };
    num("IntervalSeconds", &|x| x >= 1.0 && x.fract() == 0.0, "must be a positive integer", errs);
    num("MaxAttempts", &|x| x >= 0.0 && x.fract() == 0.0, "must be a non-negative integer", errs);
    num("BackoffRate", &|x| x >= 1.0, "must be a number >= 1.0", errs);
    num("MaxDelaySeconds", &|x| x > 0.0 && x.fract() == 0.0, "must be a positive integer", errs);
    if let Some(j) = r.get("JitterStrategy")
        && !matches!(j.as_str(), Some("FULL") | Some("NONE"))
    {
        push(errs, format!("{loc}/JitterStrategy"), bad("JitterStrategy", "must be FULL or NONE"));
    }
}

fn check_rule(rule: &Value, loc: &str, errs: &mut Vec<ValidationError>) {
    let Some(obj) = rule.as_object() else {
        push(errs, loc, bad("rule", "must be an object"));
        return;
    };
    for key in ["And", "Or"] {
        if let Some(list) = obj.get(key) {
            match list.as_array() {
                Some(l) if !l.is_empty() => {
                    for (i, r) in l.iter().enumerate() {
                        check_rule(r, &format!("{loc}/{key}/{i}"), errs);
                    }
                }
                _ => push(errs, format!("{loc}/{key}"), bad(key, "must be a non-empty array of rules")),
            }
            return;
        }
    }
    if let Some(r) = obj.get("Not") {
        check_rule(r, &format!("{loc}/Not"), errs);
        return;
    }
    match obj.get("Variable") {
        Some(Value::String(p)) => {
            if let Err(e) = Path::parse(p) {
                push(errs, format!("{loc}/Variable"), K::BadPath(p.clone(), e.to_string()));
            }
        }
        _ => push(errs, loc, K::MissingField("Variable".into())),
    }
    let has_op = obj.keys().any(|k| {
        let base = k.strip_suffix("Path").unwrap_or(k);
        OPERATORS.contains(&base)
    });
    if !has_op {
        push(errs, loc, K::MissingField("comparison operator".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(def: Value) -> Vec<K> {
        validate(&def).err().unwrap_or_default().into_iter().map(|e| e.kind).collect()
    }

    #[test]
    fn finds_structural_problems() {
        assert!(validate(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}})).is_ok());
        assert!(
            kinds(json!({"States": {"A": {"Type": "Pass", "End": true}}})).contains(&K::MissingField("StartAt".into()))
        );
        let k = kinds(json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Nope"},
            "B": {"Type": "Pass"},
            "C": {"Type": "Bogus", "End": true},
            "D": {"Type": "Task", "Resource": 5, "End": "yes"}
        }}));
        assert!(k.contains(&K::UnknownState("Nope".into())), "{k:?}");
        assert!(k.contains(&K::NoTransition("B".into())), "{k:?}");
        assert!(k.contains(&K::Unreachable("B".into())), "{k:?}");
        assert!(k.contains(&K::UnknownType("Bogus".into())), "{k:?}");
        assert!(k.iter().any(|e| matches!(e, K::BadField { field, .. } if field == "Resource")), "{k:?}");
        assert!(k.iter().any(|e| matches!(e, K::BadField { field, .. } if field == "End")), "{k:?}");
        let nested = kinds(json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}}}}));
        assert_eq!(nested, vec![K::UnknownState("Y".into())]);
    }
}
