//! Extraction specs. A spec is a plain JSON Schema document describing the object to
//! extract; docex reads its fields (with optional `x-docex-*` hints for the offline
//! extractor) and validates every result against it with a real JSON Schema validator.
//!
//! Specs are untrusted input: they are bounded in size and depth, a `$ref` may only point
//! inside the spec itself (nothing is fetched from the network or the file system), and
//! `pattern`s are bounded in length.
//!
//! Hints understood on a field:
//! - `x-docex-labels`: label texts that announce the value on a page ("Invoice no", ...);
//! - `x-docex-fallback-labels`: labels read only where none of `x-docex-labels` gives a
//!   value ("Our reference" names an invoice that prints no invoice number);
//! - `x-docex-pattern`: a regular expression the value's text matches;
//! - `x-docex-kind`: `date`, `money`, `currency`, `identifier`, `name`, `address`, `text`
//!   (derived from `type`/`format` when absent).
//!
//! Spec-level hints: `x-docex-review-threshold` (document confidence under which a result
//! needs review, default 0.6) and `x-docex-rules` (cross-field checks, see [`Rule`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::DocexError;

/// Largest spec accepted, in bytes of JSON.
pub const MAX_SPEC_BYTES: usize = 256 * 1024;
/// Deepest nesting of objects and arrays accepted in a spec.
pub const MAX_SPEC_DEPTH: usize = 32;
/// Longest `pattern` accepted.
pub const MAX_PATTERN_LEN: usize = 512;
/// Default confidence under which a document is flagged for review.
pub const DEFAULT_REVIEW_THRESHOLD: f64 = 0.6;

/// What kind of value a field holds, which decides how text is parsed into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Identifier,
    Name,
    Address,
    Date,
    Money,
    Number,
    Integer,
    Currency,
    Boolean,
    /// An array of strings (for example the parties of a contract).
    TextList,
    /// An array of objects (for example invoice line items), with its columns.
    Table(Vec<FieldSpec>),
}

/// One field of a spec, as the extractors see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    pub kind: FieldKind,
    pub description: String,
    pub required: bool,
    pub labels: Vec<String>,
    /// Labels read only where `labels` give no value.
    #[serde(default)]
    pub fallback_labels: Vec<String>,
    pub pattern: Option<String>,
    pub enum_values: Vec<String>,
}

/// A cross-field check declared in `x-docex-rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The sum of the fields in `terms` (a `*` in a pointer spans an array) equals one of the
    /// fields in `equals_any`, within `tolerance` (default 0.01), either as it is or less the
    /// fields in `less`: a discount printed under the lines may or may not be in them
    /// already. A field in `less` is taken off whatever its printed sign ("-50.00" or
    /// "50.00").
    Sum {
        terms: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        less: Vec<String>,
        equals_any: Vec<String>,
        #[serde(default)]
        tolerance: Option<f64>,
    },
    /// The date at `earlier` is not after the date at `later`.
    DateOrder { earlier: String, later: String },
    /// The list at `list` has as many entries as a count says: the number at `equals` (a
    /// count field of the spec), and any count the document prints after one of `labels`
    /// ("Items: 3", "Anzahl Positionen 3"). A printed count may also count units: it
    /// matches when it equals the sum of the numbers at `units` (such as
    /// `/line_items/*/quantity`).
    Count {
        list: String,
        #[serde(default)]
        equals: Option<String>,
        #[serde(default)]
        labels: Vec<String>,
        #[serde(default)]
        units: Option<String>,
    },
}

/// A loaded, checked spec with its compiled validator.
pub struct Spec {
    pub name: String,
    pub schema: Value,
    pub fields: Vec<FieldSpec>,
    pub review_threshold: f64,
    pub rules: Vec<Rule>,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("name", &self.name).field("fields", &self.fields).finish()
    }
}

/// One way a value fails its spec: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl Spec {
    /// Parses and checks a spec from JSON text.
    pub fn from_json(name: &str, text: &str) -> Result<Spec, DocexError> {
        if text.len() > MAX_SPEC_BYTES {
            return Err(DocexError::SpecInvalid(format!("{} bytes, over the limit of {MAX_SPEC_BYTES}", text.len())));
        }
        let schema: Value =
            serde_json::from_str(text).map_err(|e| DocexError::SpecInvalid(format!("not JSON: {e}")))?;
        Spec::from_value(name, schema)
    }

    /// Checks a spec given as a JSON value.
    pub fn from_value(name: &str, schema: Value) -> Result<Spec, DocexError> {
        check_untrusted_schema(&schema, 0)?;
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err(DocexError::SpecInvalid("the top level must be a schema of \"type\": \"object\"".into()));
        }
        jsonschema::meta::validate(&schema)
            .map_err(|e| DocexError::SpecInvalid(format!("not a valid JSON Schema: {e}")))?;
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| DocexError::SpecInvalid(format!("cannot compile: {e}")))?;
        let fields = object_fields(&schema, &schema)?;
        if fields.is_empty() {
            return Err(DocexError::SpecInvalid("the spec has no properties to extract".into()));
        }
        let review_threshold = match schema.get("x-docex-review-threshold") {
            None => DEFAULT_REVIEW_THRESHOLD,
            Some(v) => v.as_f64().filter(|t| (0.0..=1.0).contains(t)).ok_or_else(|| {
                DocexError::SpecInvalid("x-docex-review-threshold must be a number from 0 to 1".into())
            })?,
        };
        let rules = match schema.get("x-docex-rules") {
            None => Vec::new(),
            Some(v) => {
                serde_json::from_value(v.clone()).map_err(|e| DocexError::SpecInvalid(format!("x-docex-rules: {e}")))?
            }
        };
        Ok(Spec { name: name.to_string(), schema, fields, review_threshold, rules, validator })
    }

    /// Every way `data` fails the schema, with JSON pointers to the offending values.
    pub fn violations(&self, data: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(data)
            .map(|e| Violation { pointer: e.instance_path().to_string(), message: e.to_string() })
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Rejects what an untrusted schema must not do before any library sees it.
fn check_untrusted_schema(value: &Value, depth: usize) -> Result<(), DocexError> {
    if depth > MAX_SPEC_DEPTH {
        return Err(DocexError::SpecInvalid(format!("nested deeper than {MAX_SPEC_DEPTH} levels")));
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref" | "$dynamicRef" | "$recursiveRef", Value::String(target)) if !target.starts_with('#') => {
                        return Err(DocexError::SpecInvalid(format!(
                            "{key} {target:?} points outside the spec; only local references (\"#/...\") are allowed"
                        )));
                    }
                    ("pattern" | "x-docex-pattern", Value::String(p)) if p.len() > MAX_PATTERN_LEN => {
                        return Err(DocexError::SpecInvalid(format!(
                            "a pattern is longer than {MAX_PATTERN_LEN} characters"
                        )));
                    }
                    _ => check_untrusted_schema(child, depth + 1)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_untrusted_schema(v, depth + 1)),
        _ => Ok(()),
    }
}

/// Follows a local `$ref` once, so fields may be declared in `$defs`.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

fn object_fields(root: &Value, schema: &Value) -> Result<Vec<FieldSpec>, DocexError> {
    let schema = resolve(root, schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    properties
        .iter()
        .map(|(name, prop)| field_spec(root, name, resolve(root, prop), required.contains(&name.as_str())))
        .collect()
}

fn field_spec(root: &Value, name: &str, prop: &Value, required: bool) -> Result<FieldSpec, DocexError> {
    let strings = |key: &str| -> Vec<String> {
        prop.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    let kind = match prop.get("x-docex-kind").and_then(Value::as_str) {
        Some(hint) => kind_from_hint(hint)
            .ok_or_else(|| DocexError::SpecInvalid(format!("{name}: unknown x-docex-kind {hint:?}")))?,
        None => kind_from_schema(root, name, prop)?,
    };
    let kind = match (kind, prop.get("items").map(|i| resolve(root, i))) {
        (FieldKind::Table(_), Some(items)) => FieldKind::Table(object_fields(root, items)?),
        (kind, _) => kind,
    };
    Ok(FieldSpec {
        name: name.to_string(),
        kind,
        description: prop.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
        required,
        labels: strings("x-docex-labels"),
        fallback_labels: strings("x-docex-fallback-labels"),
        pattern: prop.get("x-docex-pattern").and_then(Value::as_str).map(String::from),
        enum_values: strings("enum"),
    })
}

fn kind_from_hint(hint: &str) -> Option<FieldKind> {
    Some(match hint {
        "text" => FieldKind::Text,
        "identifier" => FieldKind::Identifier,
        "name" => FieldKind::Name,
        "address" => FieldKind::Address,
        "date" => FieldKind::Date,
        "money" => FieldKind::Money,
        "number" => FieldKind::Number,
        "integer" => FieldKind::Integer,
        "currency" => FieldKind::Currency,
        "boolean" => FieldKind::Boolean,
        "text_list" => FieldKind::TextList,
        "table" => FieldKind::Table(Vec::new()),
        _ => return None,
    })
}

fn kind_from_schema(root: &Value, name: &str, prop: &Value) -> Result<FieldKind, DocexError> {
    let ty = match prop.get("type") {
        Some(Value::String(t)) => t.as_str(),
        // ["string", "null"] and the like: the first non-null type decides.
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("string"),
        _ => "string",
    };
    Ok(match ty {
        "number" => FieldKind::Number,
        "integer" => FieldKind::Integer,
        "boolean" => FieldKind::Boolean,
        "string" if prop.get("format").and_then(Value::as_str) == Some("date") => FieldKind::Date,
        "string" => FieldKind::Text,
        "array" => {
            match prop.get("items").map(|i| resolve(root, i)).and_then(|i| i.get("type")).and_then(Value::as_str) {
                Some("object") => FieldKind::Table(Vec::new()),
                _ => FieldKind::TextList,
            }
        }
        other => {
            return Err(DocexError::SpecInvalid(format!("{name}: fields of type {other:?} are not supported")));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reference_outside_the_spec_is_refused() {
        let spec = json!({"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}});
        let err = Spec::from_value("t", spec).unwrap_err();
        assert_eq!(crate::ErrorName::name(&err), "Docex.SpecInvalid");
        assert!(err.to_string().contains("outside the spec"), "{err}");
    }

    #[test]
    fn a_deeply_nested_spec_is_refused() {
        let mut schema = json!({"type": "string"});
        for _ in 0..40 {
            schema = json!({"type": "object", "properties": {"x": schema}});
        }
        let err = Spec::from_value("t", schema).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn fields_and_kinds_come_from_the_schema_and_hints() {
        let spec = Spec::from_value(
            "t",
            json!({"type": "object", "required": ["d"], "properties": {
                "d": {"type": "string", "format": "date"},
                "m": {"type": "number", "x-docex-kind": "money", "x-docex-labels": ["Total"],
                      "x-docex-fallback-labels": ["Sum"]},
                "rows": {"type": "array", "items": {"type": "object", "properties": {"q": {"type": "integer"}}}}
            }}),
        )
        .unwrap();
        assert_eq!(spec.field("d").unwrap().kind, FieldKind::Date);
        assert!(spec.field("d").unwrap().required);
        assert_eq!(spec.field("m").unwrap().kind, FieldKind::Money);
        assert_eq!(spec.field("m").unwrap().labels, vec!["Total"]);
        assert_eq!(spec.field("m").unwrap().fallback_labels, vec!["Sum"]);
        let FieldKind::Table(columns) = &spec.field("rows").unwrap().kind else { panic!("rows is a table") };
        assert_eq!(columns[0].kind, FieldKind::Integer);
    }

    #[test]
    fn violations_point_at_the_bad_value() {
        let spec =
            Spec::from_value("t", json!({"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}))
                .unwrap();
        let v = spec.violations(&json!({"d": "31/12/2020"}));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].pointer, "/d");
    }
}
