//! The JSONPath subset Step Functions accepts: reference paths for reading
//! (`$`, `$.a.b`, `$['a']`, `$.a[0]`, `$.a[*].b`, `$..x`, `$$.` context, `$var`
//! variables) and `ResultPath` for writing.

use serde_json::{Map, Value};
use thiserror::Error;

/// What a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input (or result, depending on the field).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Key(String),
    /// `[n]`; negative counts from the end.
    Index(i64),
    /// `[*]` or `.*`.
    Wildcard,
    /// `..name`: every `name` member at any depth.
    Descend(String),
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The text as written.
    pub raw: String,
    /// Where it starts.
    pub root: Root,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

/// Path syntax or write errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathError {
    /// The path does not parse.
    #[error("invalid JSONPath '{path}': {reason}")]
    Syntax {
        /// The path text.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `ResultPath` cannot be applied.
    #[error("{0}")]
    CannotWrite(String),
}

fn syntax(path: &str, reason: impl Into<String>) -> PathError {
    PathError::Syntax { path: path.to_string(), reason: reason.into() }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Path {
    /// Parses a path such as `$.a[0].b`, `$$.Execution.Input` or `$var.x`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let chars: Vec<char> = text.trim().chars().collect();
        if chars.first() != Some(&'$') {
            return Err(syntax(text, "a path must start with '$'"));
        }
        let mut i = 1;
        let root = if chars.get(1) == Some(&'$') {
            i = 2;
            Root::Context
        } else if chars.get(1).is_some_and(|c| is_ident(*c) && *c != '-') {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            Root::Variable(chars[start..i].iter().collect())
        } else {
            Root::Input
        };
        let mut segments = Vec::new();
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    if chars.get(i + 1) == Some(&'.') {
                        i += 2;
                        let start = i;
                        while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                            i += 1;
                        }
                        if start == i {
                            return Err(syntax(text, "'..' must be followed by a name"));
                        }
                        segments.push(Segment::Descend(chars[start..i].iter().collect()));
                    } else {
                        i += 1;
                        let start = i;
                        while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                            i += 1;
                        }
                        let name: String = chars[start..i].iter().collect();
                        if name.is_empty() {
                            return Err(syntax(text, "empty member name"));
                        }
                        if name == "*" {
                            segments.push(Segment::Wildcard);
                        } else {
                            segments.push(Segment::Key(name));
                        }
                    }
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some('\'') | Some('"') => {
                            let quote = chars[i];
                            i += 1;
                            let mut name = String::new();
                            while i < chars.len() && chars[i] != quote {
                                if chars[i] == '\\' && i + 1 < chars.len() {
                                    i += 1;
                                }
                                name.push(chars[i]);
                                i += 1;
                            }
                            if chars.get(i) != Some(&quote) || chars.get(i + 1) != Some(&']') {
                                return Err(syntax(text, "unterminated quoted member"));
                            }
                            i += 2;
                            segments.push(Segment::Key(name));
                        }
                        Some('*') => {
                            if chars.get(i + 1) != Some(&']') {
                                return Err(syntax(text, "expected ']' after '*'"));
                            }
                            i += 2;
                            segments.push(Segment::Wildcard);
                        }
                        _ => {
                            let start = i;
                            while i < chars.len() && chars[i] != ']' {
                                i += 1;
                            }
                            if i >= chars.len() {
                                return Err(syntax(text, "missing ']'"));
                            }
                            let inner: String = chars[start..i].iter().collect();
                            let n: i64 = inner
                                .trim()
                                .parse()
                                .map_err(|_| syntax(text, format!("unsupported subscript '[{inner}]'")))?;
                            i += 1;
                            segments.push(Segment::Index(n));
                        }
                    }
                }
                c => return Err(syntax(text, format!("unexpected character '{c}'"))),
            }
        }
        Ok(Path { raw: text.to_string(), root, segments })
    }

    /// True when the path can select several values (wildcards, `..`).
    pub fn is_indefinite(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Wildcard | Segment::Descend(_)))
    }

    /// The path in bracket notation, as Step Functions prints it in errors: `$['a'][0]`.
    pub fn normalized(&self) -> String {
        let mut out = match &self.root {
            Root::Input => "$".to_string(),
            Root::Context => "$$".to_string(),
            Root::Variable(v) => format!("${v}"),
        };
        for s in &self.segments {
            match s {
                Segment::Key(k) => out.push_str(&format!("['{k}']")),
                Segment::Index(n) => out.push_str(&format!("[{n}]")),
                Segment::Wildcard => out.push_str("[*]"),
                Segment::Descend(k) => out.push_str(&format!("..['{k}']")),
            }
        }
        out
    }

    /// Reads the path from `doc` (the value its root refers to).
    /// `None` when a definite path does not resolve; an indefinite path yields an array.
    pub fn read(&self, doc: &Value) -> Option<Value> {
        let mut current: Vec<&Value> = vec![doc];
        for seg in &self.segments {
            let mut next = Vec::new();
            for v in current {
                match seg {
                    Segment::Key(k) => {
                        if let Some(x) = v.as_object().and_then(|o| o.get(k)) {
                            next.push(x);
                        }
                    }
                    Segment::Index(n) => {
                        if let Some(a) = v.as_array() {
                            let idx = if *n < 0 { a.len() as i64 + n } else { *n };
                            if idx >= 0
                                && let Some(x) = a.get(idx as usize)
                            {
                                next.push(x);
                            }
                        }
                    }
                    Segment::Wildcard => match v {
                        Value::Array(a) => next.extend(a.iter()),
                        Value::Object(o) => next.extend(o.values()),
                        _ => {}
                    },
                    Segment::Descend(k) => descend(v, k, &mut next),
                }
            }
            current = next;
        }
        if self.is_indefinite() {
            Some(Value::Array(current.into_iter().cloned().collect()))
        } else {
            current.first().map(|v| (*v).clone())
        }
    }
}

fn descend<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) => {
            if let Some(x) = o.get(key) {
                out.push(x);
            }
            for child in o.values() {
                descend(child, key, out);
            }
        }
        Value::Array(a) => {
            for child in a {
                descend(child, key, out);
            }
        }
        _ => {}
    }
}

/// Writes `value` into `target` at `path` (a `ResultPath`), creating objects on the way.
pub fn write(target: Value, path: &Path, value: Value) -> Result<Value, PathError> {
    if path.root != Root::Input {
        return Err(PathError::CannotWrite(format!("ResultPath '{}' must start with '$.'", path.raw)));
    }
    if path.segments.is_empty() {
        return Ok(value);
    }
    let mut target = target;
    write_into(&mut target, &path.segments, value, path)?;
    Ok(target)
}

fn write_into(node: &mut Value, segments: &[Segment], value: Value, path: &Path) -> Result<(), PathError> {
    let fail =
        |node: &Value| PathError::CannotWrite(format!("Unable to apply ResultPath '{}' to input '{}'", path.raw, node));
    let (first, rest) = match segments.split_first() {
        Some(x) => x,
        None => {
            *node = value;
            return Ok(());
        }
    };
    match first {
        Segment::Key(k) => {
            let obj = match node {
                Value::Object(o) => o,
                other => return Err(fail(other)),
            };
            if rest.is_empty() {
                obj.insert(k.clone(), value);
                return Ok(());
            }
            let child = obj.entry(k.clone()).or_insert_with(|| Value::Object(Map::new()));
            if child.is_null() {
                *child = Value::Object(Map::new());
            }
            write_into(child, rest, value, path)
        }
        Segment::Index(n) => {
            let snapshot = node.clone();
            let arr = match node {
                Value::Array(a) => a,
                _ => return Err(fail(&snapshot)),
            };
            let idx = if *n < 0 { arr.len() as i64 + n } else { *n };
            if idx < 0 || idx as usize >= arr.len() {
                return Err(fail(&snapshot));
            }
            write_into(&mut arr[idx as usize], rest, value, path)
        }
        _ => Err(PathError::CannotWrite(format!("ResultPath '{}' must be a definite path", path.raw))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_definite_and_indefinite_paths() {
        let doc = json!({"a": {"b": [1, {"c": 2}, {"c": 3}]}, "x y": 5});
        let p = |s| Path::parse(s).unwrap();
        assert_eq!(p("$").read(&doc), Some(doc.clone()));
        assert_eq!(p("$.a.b[0]").read(&doc), Some(json!(1)));
        assert_eq!(p("$.a.b[-1].c").read(&doc), Some(json!(3)));
        assert_eq!(p("$['x y']").read(&doc), Some(json!(5)));
        assert_eq!(p("$.a.b[*].c").read(&doc), Some(json!([2, 3])));
        assert_eq!(p("$..c").read(&doc), Some(json!([2, 3])));
        assert_eq!(p("$.missing").read(&doc), None);
        assert_eq!(p("$var.a").root, Root::Variable("var".into()));
        assert_eq!(p("$$.Execution.Id").root, Root::Context);
        assert_eq!(p("$.a.b[0]").normalized(), "$['a']['b'][0]");
        assert!(Path::parse("a.b").is_err());
        assert!(Path::parse("$.a[?(@.x)]").is_err());
    }

    #[test]
    fn writes_result_paths() {
        let p = |s| Path::parse(s).unwrap();
        assert_eq!(write(json!({"a": 1}), &p("$.b.c"), json!(2)).unwrap(), json!({"a": 1, "b": {"c": 2}}));
        assert_eq!(write(json!({"a": 1}), &p("$"), json!(2)).unwrap(), json!(2));
        assert!(write(json!("text"), &p("$.a"), json!(2)).is_err());
        assert!(write(json!({"a": "s"}), &p("$.a.b"), json!(2)).is_err());
    }
}
