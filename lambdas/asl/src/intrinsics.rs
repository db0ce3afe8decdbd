//! Intrinsic functions (`States.Format(...)` and friends): argument parser and evaluator.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{Fault, names};
use crate::payload::DataScope;

/// A parsed intrinsic argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A quoted string literal, escapes resolved except `\{` and `\}`.
    Str(String),
    /// A number literal.
    Number(serde_json::Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A reference path (`$.x`, `$$.x`, `$var`).
    Path(String),
    /// A nested call.
    Call(Call),
}

/// A parsed call: `States.Name(args...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Function name without the `States.` prefix.
    pub name: String,
    /// Arguments in order.
    pub args: Vec<Arg>,
}

fn failure(msg: impl Into<String>) -> Fault {
    Fault::new(names::INTRINSIC_FAILURE, msg)
}

/// True when a `.$` value is an intrinsic call rather than a path.
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses `States.Name(...)`.
pub fn parse(text: &str) -> Result<Call, Fault> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser { chars, pos: 0 };
    p.skip_ws();
    let call = p.call()?;
    p.skip_ws();
    if p.pos != p.chars.len() {
        return Err(failure(format!("unexpected text after the intrinsic call in '{text}'")));
    }
    Ok(call)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn text(&self) -> String {
        self.chars.iter().collect()
    }

    fn call(&mut self) -> Result<Call, Fault> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_') {
            self.pos += 1;
        }
        let full: String = self.chars[start..self.pos].iter().collect();
        let name = full
            .strip_prefix("States.")
            .ok_or_else(|| failure(format!("'{full}' is not an intrinsic function")))?
            .to_string();
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(failure(format!("expected '(' after {full} in '{}'", self.text())));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(Call { name, args });
        }
        loop {
            self.skip_ws();
            args.push(self.arg()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Call { name, args });
                }
                _ => {
                    return Err(failure(format!("expected ',' or ')' at position {} in '{}'", self.pos, self.text())));
                }
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, Fault> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => Ok(Arg::Path(self.path())),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) => {
                let rest: String = self.chars[self.pos..].iter().collect();
                for (word, arg) in [("null", Arg::Null), ("true", Arg::Bool(true)), ("false", Arg::Bool(false))] {
                    if rest.starts_with(word) && !rest[word.len()..].chars().next().is_some_and(|c| c.is_alphanumeric())
                    {
                        self.pos += word.len();
                        return Ok(arg);
                    }
                }
                if rest.starts_with("States.") {
                    return Ok(Arg::Call(self.call()?));
                }
                Err(failure(format!("unexpected argument at position {} in '{}'", self.pos, self.text())))
            }
            None => Err(failure(format!("unexpected end of '{}'", self.text()))),
        }
    }

    fn string(&mut self) -> Result<Arg, Fault> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(failure(format!("unterminated string in '{}'", self.text()))),
                Some('\'') => {
                    self.pos += 1;
                    return Ok(Arg::Str(out));
                }
                Some('\\') => {
                    let next = self.chars.get(self.pos + 1).copied();
                    match next {
                        Some('{') | Some('}') => {
                            out.push('\\');
                            out.push(next.unwrap_or_default());
                        }
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(c) => out.push(c),
                        None => {
                            return Err(failure(format!("dangling escape in '{}'", self.text())));
                        }
                    }
                    self.pos += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn path(&mut self) -> String {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
            } else {
                match c {
                    '\'' | '"' if depth > 0 => quote = Some(c),
                    '[' => depth += 1,
                    ']' => depth = depth.saturating_sub(1),
                    ',' | ')' if depth == 0 => break,
                    c if c.is_whitespace() && depth == 0 => break,
                    _ => {}
                }
            }
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn number(&mut self) -> Result<Arg, Fault> {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Number(n)) => Ok(Arg::Number(n)),
            _ => Err(failure(format!("invalid number '{text}'"))),
        }
    }
}

/// Parses and evaluates an intrinsic call against `scope`.
pub fn evaluate(text: &str, scope: &DataScope<'_>, rng: &mut dyn FnMut() -> u64) -> Result<Value, Fault> {
    let call = parse(text)?;
    eval_call(&call, scope, rng)
}

fn eval_arg(arg: &Arg, scope: &DataScope<'_>, rng: &mut dyn FnMut() -> u64) -> Result<Value, Fault> {
    Ok(match arg {
        Arg::Str(s) => Value::String(s.clone()),
        Arg::Number(n) => Value::Number(n.clone()),
        Arg::Bool(b) => Value::Bool(*b),
        Arg::Null => Value::Null,
        Arg::Path(p) => scope.read_path(p)?.ok_or_else(|| {
            Fault::runtime(format!(
                "The JSONPath '{p}' specified in an intrinsic function argument could not be found in the input '{}'",
                scope.input
            ))
        })?,
        Arg::Call(c) => eval_call(c, scope, rng)?,
    })
}

fn unescape_braces(s: &str) -> String {
    s.replace("\\{", "{").replace("\\}", "}")
}

fn want_str<'a>(f: &str, v: &'a Value) -> Result<&'a str, Fault> {
    v.as_str().ok_or_else(|| failure(format!("States.{f}: expected a string argument, got {v}")))
}

fn want_array<'a>(f: &str, v: &'a Value) -> Result<&'a Vec<Value>, Fault> {
    v.as_array().ok_or_else(|| failure(format!("States.{f}: expected an array argument, got {v}")))
}

fn want_int(f: &str, v: &Value) -> Result<i64, Fault> {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 => Ok(x as i64),
        _ => Err(failure(format!("States.{f}: expected an integer argument, got {v}"))),
    }
}

fn arity(f: &str, args: &[Value], min: usize, max: usize) -> Result<(), Fault> {
    if args.len() < min || args.len() > max {
        let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
        return Err(failure(format!("States.{f} takes {want} arguments, got {}", args.len())));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn eval_call(call: &Call, scope: &DataScope<'_>, rng: &mut dyn FnMut() -> u64) -> Result<Value, Fault> {
    let f = call.name.as_str();
    if f == "Format" {
        let template = match call.args.first() {
            Some(Arg::Str(s)) => s.clone(),
            Some(other) => match eval_arg(other, scope, rng)? {
                Value::String(s) => s,
                v => return Err(failure(format!("States.Format: the template must be a string, got {v}"))),
            },
            None => return Err(failure("States.Format needs a template argument")),
        };
        let values = call.args[1..].iter().map(|a| eval_arg(a, scope, rng)).collect::<Result<Vec<_>, _>>()?;
        return format(&template, &values);
    }
    let args = call.args.iter().map(|a| eval_arg(a, scope, rng)).collect::<Result<Vec<_>, _>>()?;
    let args: Vec<Value> = args
        .into_iter()
        .map(|v| match v {
            Value::String(s) if s.contains('\\') => Value::String(unescape_braces(&s)),
            v => v,
        })
        .collect();
    match f {
        "StringToJson" => {
            arity(f, &args, 1, 1)?;
            let s = want_str(f, &args[0])?;
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(s).map_err(|e| failure(format!("States.StringToJson: '{s}' is not JSON: {e}")))
        }
        "JsonToString" => {
            arity(f, &args, 1, 1)?;
            Ok(Value::String(args[0].to_string()))
        }
        "Array" => Ok(Value::Array(args)),
        "ArrayPartition" => {
            arity(f, &args, 2, 2)?;
            let a = want_array(f, &args[0])?;
            let size = want_int(f, &args[1])?;
            if size <= 0 {
                return Err(failure("States.ArrayPartition: the chunk size must be greater than 0"));
            }
            Ok(Value::Array(a.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect()))
        }
        "ArrayContains" => {
            arity(f, &args, 2, 2)?;
            let a = want_array(f, &args[0])?;
            Ok(Value::Bool(a.iter().any(|v| json_eq(v, &args[1]))))
        }
        "ArrayRange" => {
            arity(f, &args, 3, 3)?;
            let (start, end, step) = (want_int(f, &args[0])?, want_int(f, &args[1])?, want_int(f, &args[2])?);
            if step == 0 {
                return Err(failure("States.ArrayRange: the step must not be 0"));
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0 && x <= end) || (step < 0 && x >= end) {
                out.push(Value::from(x));
                if out.len() > 1000 {
                    return Err(failure("States.ArrayRange: at most 1000 items may be generated"));
                }
                x = match x.checked_add(step) {
                    Some(n) => n,
                    None => break,
                };
            }
            Ok(Value::Array(out))
        }
        "ArrayGetItem" => {
            arity(f, &args, 2, 2)?;
            let a = want_array(f, &args[0])?;
            let i = want_int(f, &args[1])?;
            if i < 0 || i as usize >= a.len() {
                return Err(failure(format!(
                    "States.ArrayGetItem: index {i} is out of bounds for an array of {} items",
                    a.len()
                )));
            }
            Ok(a[i as usize].clone())
        }
        "ArrayLength" => {
            arity(f, &args, 1, 1)?;
            Ok(Value::from(want_array(f, &args[0])?.len()))
        }
        "ArrayUnique" => {
            arity(f, &args, 1, 1)?;
            let mut out: Vec<Value> = Vec::new();
            for v in want_array(f, &args[0])? {
                if !out.iter().any(|o| json_eq(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        "Base64Encode" => {
            arity(f, &args, 1, 1)?;
            let s = want_str(f, &args[0])?;
            Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
        }
        "Base64Decode" => {
            arity(f, &args, 1, 1)?;
            let s = want_str(f, &args[0])?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|e| failure(format!("States.Base64Decode: invalid base64: {e}")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| failure("States.Base64Decode: the decoded data is not UTF-8"))
        }
        "Hash" => {
            arity(f, &args, 2, 2)?;
            let data = match &args[0] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let alg = want_str(f, &args[1])?;
            use sha2::Digest;
            let digest = match alg {
                "MD5" => hex(&md5::Md5::digest(data.as_bytes())),
                "SHA-1" => hex(&sha1::Sha1::digest(data.as_bytes())),
                "SHA-256" => hex(&sha2::Sha256::digest(data.as_bytes())),
                "SHA-384" => hex(&sha2::Sha384::digest(data.as_bytes())),
                "SHA-512" => hex(&sha2::Sha512::digest(data.as_bytes())),
                other => {
                    return Err(failure(format!(
                        "States.Hash: unsupported algorithm '{other}' (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
                    )));
                }
            };
            Ok(Value::String(digest))
        }
        "JsonMerge" => {
            arity(f, &args, 3, 3)?;
            let (a, b) = match (&args[0], &args[1]) {
                (Value::Object(a), Value::Object(b)) => (a, b),
                _ => return Err(failure("States.JsonMerge: both arguments must be objects")),
            };
            let deep =
                args[2].as_bool().ok_or_else(|| failure("States.JsonMerge: the third argument must be a boolean"))?;
            let mut out: Map<String, Value> = a.clone();
            if deep {
                deep_merge(&mut out, b);
            } else {
                for (k, v) in b {
                    out.insert(k.clone(), v.clone());
                }
            }
            Ok(Value::Object(out))
        }
        "MathRandom" => {
            arity(f, &args, 2, 3)?;
            let (start, end) = (want_int(f, &args[0])?, want_int(f, &args[1])?);
            if end <= start {
                return Err(failure("States.MathRandom: the end must be greater than the start"));
            }
            let r = match args.get(2) {
                Some(seed) => splitmix(want_int(f, seed)? as u64),
                None => rng(),
            };
            let span =
                end.checked_sub(start).ok_or_else(|| failure("States.MathRandom: the range is too large"))? as u64;
            Ok(Value::from(start + (r % span) as i64))
        }
        "MathAdd" => {
            arity(f, &args, 2, 2)?;
            let num =
                |v: &Value| v.as_f64().ok_or_else(|| failure(format!("States.MathAdd: expected a number, got {v}")));
            let (a, b) = (num(&args[0])?.round() as i64, num(&args[1])?.round() as i64);
            a.checked_add(b).map(Value::from).ok_or_else(|| failure("States.MathAdd: the sum overflows"))
        }
        "StringSplit" => {
            arity(f, &args, 2, 2)?;
            let s = want_str(f, &args[0])?;
            let delims: Vec<char> = want_str(f, &args[1])?.chars().collect();
            Ok(Value::Array(
                s.split(|c| delims.contains(&c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        "UUID" => {
            arity(f, &args, 0, 0)?;
            Ok(Value::String(uuid::Uuid::new_v4().to_string()))
        }
        other => Err(failure(format!("States.{other} is not an intrinsic function"))),
    }
}

fn format(template: &str, values: &[Value]) -> Result<Value, Fault> {
    let mut out = String::new();
    let mut it = values.iter();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('{') | Some('}') | Some('\\')) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '{' if chars.get(i + 1) == Some(&'}') => {
                let v = it.next().ok_or_else(|| failure("States.Format: fewer arguments than '{}' placeholders"))?;
                match v {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if it.next().is_some() {
        return Err(failure("States.Format: more arguments than '{}' placeholders"));
    }
    Ok(Value::String(out))
}

fn deep_merge(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => deep_merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// JSON equality where numbers compare by value (1 == 1.0).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// One step of the splitmix64 generator (used for seeded randomness).
pub(crate) fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(expr: &str, input: Value) -> Result<Value, Fault> {
        let ctx = json!({});
        let vars = Map::new();
        let scope = DataScope { input: &input, context: &ctx, vars: &vars };
        let mut r = || 4u64;
        evaluate(expr, &scope, &mut r)
    }

    #[test]
    fn parses_nested_calls_and_literals() {
        let c = parse("States.Format('a\\'b {}', States.Array(1, -2.5, null, true), $.x['y z'])").unwrap();
        assert_eq!(c.name, "Format");
        assert_eq!(c.args[0], Arg::Str("a'b {}".into()));
        assert_eq!(c.args[2], Arg::Path("$.x['y z']".into()));
        assert!(matches!(&c.args[1], Arg::Call(inner) if inner.args.len() == 4));
        assert!(parse("States.Array(1,").is_err());
        assert!(parse("Foo(1)").is_err());
    }

    #[test]
    fn evaluates_functions() {
        assert_eq!(run("States.Format('x \\{\\} {} {}', 'a', 3)", json!({})).unwrap(), json!("x {} a 3"));
        assert_eq!(run("States.ArrayRange(1, 9, 2)", json!({})).unwrap(), json!([1, 3, 5, 7, 9]));
        assert_eq!(run("States.ArrayUnique($.a)", json!({"a": [1, 1, 2]})).unwrap(), json!([1, 2]));
        assert_eq!(run("States.ArrayGetItem($.a, 1)", json!({"a": [1, 2]})).unwrap(), json!(2));
        assert_eq!(run("States.Base64Encode('Hello World')", json!({})).unwrap(), json!("SGVsbG8gV29ybGQ="));
        assert_eq!(run("States.Base64Decode('SGVsbG8gV29ybGQ=')", json!({})).unwrap(), json!("Hello World"));
        assert_eq!(
            run("States.Hash('input data', 'MD5')", json!({})).unwrap(),
            json!("812f45842bc6d66ee14572ce20db8e86")
        );
        assert_eq!(
            run("States.Hash('input data', 'SHA-1')", json!({})).unwrap(),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        assert_eq!(run("States.JsonToString($.o)", json!({"o": {"a": [1]}})).unwrap(), json!("{\"a\":[1]}"));
        assert_eq!(run("States.MathAdd(-3, 5)", json!({})).unwrap(), json!(2));
        let r = run("States.MathRandom(1, 10)", json!({})).unwrap().as_i64().unwrap();
        assert!((1..10).contains(&r));
        assert_eq!(run("States.UUID()", json!({})).unwrap().as_str().unwrap().len(), 36);
        assert_eq!(run("States.ArrayGetItem($.a, 5)", json!({"a": []})).unwrap_err().error, names::INTRINSIC_FAILURE);
        assert_eq!(run("States.Array($.missing)", json!({})).unwrap_err().error, names::RUNTIME);
    }
}
