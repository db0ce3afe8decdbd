//! Values both ways, mapped as the Data API maps them for Aurora PostgreSQL.
//!
//! Parameters are bound with the SQL type their `Field` member names (the JDBC driver
//! behind the real service does the same): `longValue` is `int8`, `doubleValue` `float8`,
//! `booleanValue` `bool`, `stringValue` `varchar`, `blobValue` `bytea`, and `isNull` leaves
//! the type to PostgreSQL. A `typeHint` (`DATE`, `TIME`, `TIMESTAMP`, `DECIMAL`, `JSON`,
//! `UUID`) casts a string to that type.
//!
//! Results are read from PostgreSQL's binary format: integers are `longValue`, floats
//! `doubleValue`, `numeric` a `stringValue` (exact), `bool` `booleanValue`, text types,
//! `json`, `jsonb` and `uuid` `stringValue`, `bytea` `blobValue`, dates and times a
//! `stringValue` in the service's form (`YYYY-MM-DD HH:MM:SS[.ffffff]`, timestamps with a
//! time zone in UTC), arrays `arrayValue`, and NULL and `void` `isNull`.

use std::error::Error;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

use crate::error::{ApiError, ErrorKind};
use crate::wire::{ArrayValue, Field};

/// A parameter value ready to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Bool(bool),
    Long(i64),
    Double(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A parameter with the type it is declared with and the cast its type hint asks for.
#[derive(Debug, Clone)]
pub struct Bound {
    pub param: Param,
    pub ty: Type,
    pub cast: Option<&'static str>,
}

/// The type of a NULL parameter: left for PostgreSQL to infer (OID 0).
fn unspecified() -> Type {
    Type::new("unspecified".into(), 0, Kind::Pseudo, "pg_catalog".into())
}

/// Binds a request parameter.
pub fn bind(field: &Field, hint: Option<&str>) -> Result<Bound, ApiError> {
    let cast = match hint {
        None => None,
        Some("DATE") => Some("date"),
        Some("TIME") => Some("time"),
        Some("TIMESTAMP") => Some("timestamp"),
        Some("DECIMAL") => Some("numeric"),
        Some("JSON") => Some("json"),
        Some("UUID") => Some("uuid"),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid typeHint {other}: expected one of DATE, TIME, TIMESTAMP, DECIMAL, JSON, UUID"
            )));
        }
    };
    let (param, ty) = match field {
        Field::IsNull(_) => (Param::Null, unspecified()),
        Field::BooleanValue(v) => (Param::Bool(*v), Type::BOOL),
        Field::LongValue(v) => (Param::Long(*v), Type::INT8),
        Field::DoubleValue(v) => (Param::Double(*v), Type::FLOAT8),
        Field::StringValue(v) => (Param::Text(v.clone()), Type::VARCHAR),
        Field::BlobValue(v) => {
            let bytes = BASE64.decode(v).map_err(|e| ApiError::bad_request(format!("blobValue is not base64: {e}")))?;
            (Param::Blob(bytes), Type::BYTEA)
        }
        Field::ArrayValue(_) => return Err(ApiError::bad_request("Array parameters are not supported.")),
    };
    // A hint only changes how a string is read.
    let cast = if matches!(param, Param::Text(_)) { cast } else { None };
    Ok(Bound { param, ty, cast })
}

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Param::Null => Ok(IsNull::Yes),
            Param::Bool(v) => v.to_sql(ty, out),
            Param::Long(v) => v.to_sql(ty, out),
            Param::Double(v) => v.to_sql(ty, out),
            Param::Text(v) => v.to_sql(ty, out),
            Param::Blob(v) => v.to_sql(ty, out),
        }
    }

    /// Every parameter is prepared with the type of its value, so any declared type fits.
    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        self.to_sql(ty, out)
    }
}

/// A column value as PostgreSQL sent it, before decoding.
pub struct Raw<'a> {
    pub ty: Type,
    pub bytes: Option<&'a [u8]>,
}

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw { ty: ty.clone(), bytes: Some(raw) })
    }

    fn from_sql_null(ty: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw { ty: ty.clone(), bytes: None })
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// How numeric and bigint results are returned (`resultSetOptions`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReturnOptions {
    pub decimal_as_number: bool,
    pub long_as_string: bool,
}

/// The kind of list an array's elements go in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ElementKind {
    Bool,
    Long,
    Double,
    Text,
}

/// A decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Long(i64),
    Double(f64),
    Text(String),
    Blob(Vec<u8>),
    Array(Vec<Cell>, ElementKind),
}

type DecodeResult = Result<Cell, Box<dyn Error + Sync + Send>>;

/// Decodes a column value.
pub fn decode(raw: &Raw<'_>, options: ReturnOptions) -> Result<Cell, ApiError> {
    match raw.bytes {
        None => Ok(Cell::Null),
        Some(bytes) => match decode_value(&raw.ty, bytes, options) {
            Ok(Cell::Long(v)) if options.long_as_string => Ok(Cell::Text(v.to_string())),
            Ok(cell) => Ok(cell),
            Err(e) => Err(ApiError::new(
                ErrorKind::UnsupportedResult,
                format!("Cannot read a value of type {}: {e}", raw.ty.name()),
            )),
        },
    }
}

fn decode_value(ty: &Type, bytes: &[u8], options: ReturnOptions) -> DecodeResult {
    let cell = match *ty {
        Type::BOOL => Cell::Bool(bool::from_sql(ty, bytes)?),
        Type::INT2 => Cell::Long(i16::from_sql(ty, bytes)?.into()),
        Type::INT4 => Cell::Long(i32::from_sql(ty, bytes)?.into()),
        Type::INT8 => Cell::Long(i64::from_sql(ty, bytes)?),
        Type::OID => Cell::Long(u32::from_sql(ty, bytes)?.into()),
        Type::FLOAT4 => Cell::Double(f32::from_sql(ty, bytes)?.into()),
        Type::FLOAT8 => Cell::Double(f64::from_sql(ty, bytes)?),
        Type::NUMERIC => {
            let text = numeric_to_string(bytes)?;
            if options.decimal_as_number {
                match text.parse::<i64>() {
                    Ok(long) if !text.contains('.') => Cell::Long(long),
                    _ => Cell::Double(text.parse::<f64>()?),
                }
            } else {
                Cell::Text(text)
            }
        }
        Type::BYTEA => Cell::Blob(bytes.to_vec()),
        // What functions like pg_advisory_lock return: no value.
        Type::VOID => Cell::Null,
        Type::DATE => Cell::Text(NaiveDate::from_sql(ty, bytes)?.format("%Y-%m-%d").to_string()),
        Type::TIME => Cell::Text(time_string(NaiveTime::from_sql(ty, bytes)?)),
        Type::TIMESTAMP => Cell::Text(timestamp_string(NaiveDateTime::from_sql(ty, bytes)?)),
        Type::TIMESTAMPTZ => Cell::Text(timestamp_string(DateTime::<Utc>::from_sql(ty, bytes)?.naive_utc())),
        Type::JSON => Cell::Text(std::str::from_utf8(bytes)?.to_string()),
        Type::JSONB => match bytes.split_first() {
            Some((1, text)) => Cell::Text(std::str::from_utf8(text)?.to_string()),
            _ => return Err("unknown jsonb format version".into()),
        },
        Type::UUID => Cell::Text(uuid::Uuid::from_sql(ty, bytes)?.to_string()),
        Type::CHAR => Cell::Text(char::from(i8::from_sql(ty, bytes)?.to_ne_bytes()[0]).to_string()),
        _ => match ty.kind() {
            Kind::Array(member) => decode_array(member, bytes, options)?,
            Kind::Domain(base) => decode_value(base, bytes, options)?,
            // Enum labels, and every text-like type (citext, name, ...), are UTF-8 text.
            Kind::Enum(_) => Cell::Text(std::str::from_utf8(bytes)?.to_string()),
            _ if <String as FromSql>::accepts(ty) => Cell::Text(String::from_sql(ty, bytes)?),
            _ => return Err(format!("the data type {} is not supported", ty.name()).into()),
        },
    };
    Ok(cell)
}

/// `HH:MM:SS[.ffffff]`, without trailing zeros in the fraction.
fn time_string(time: NaiveTime) -> String {
    trim_fraction(time.format("%H:%M:%S%.6f").to_string())
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`, without trailing zeros in the fraction.
fn timestamp_string(at: NaiveDateTime) -> String {
    trim_fraction(at.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

fn trim_fraction(text: String) -> String {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
        }
        None => text,
    }
}

fn read_i32(bytes: &[u8], at: usize) -> Result<i32, Box<dyn Error + Sync + Send>> {
    let slice = bytes.get(at..at + 4).ok_or("truncated value")?;
    Ok(i32::from_be_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

fn read_i16(bytes: &[u8], at: usize) -> Result<i16, Box<dyn Error + Sync + Send>> {
    let slice = bytes.get(at..at + 2).ok_or("truncated value")?;
    Ok(i16::from_be_bytes([slice[0], slice[1]]))
}

/// PostgreSQL's binary `numeric` (base-10000 digits with a weight, sign and display
/// scale) as decimal text.
pub fn numeric_to_string(bytes: &[u8]) -> Result<String, Box<dyn Error + Sync + Send>> {
    let ndigits = read_i16(bytes, 0)?;
    let weight = i32::from(read_i16(bytes, 2)?);
    let sign = read_i16(bytes, 4)? as u16;
    let dscale = read_i16(bytes, 6)?;
    match sign {
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        _ => {}
    }
    let digits = (0..usize::try_from(ndigits)?).map(|i| read_i16(bytes, 8 + 2 * i)).collect::<Result<Vec<_>, _>>()?;
    // The digit group of weight `w` (10000^w) is at index `weight - w`.
    let group = |w: i32| -> i16 { usize::try_from(weight - w).ok().and_then(|k| digits.get(k).copied()).unwrap_or(0) };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for w in (0..=weight).rev() {
            if w == weight {
                text.push_str(&group(w).to_string());
            } else {
                text.push_str(&format!("{:04}", group(w)));
            }
        }
    }
    let scale = usize::try_from(dscale)?;
    if scale > 0 {
        let mut fraction = String::new();
        let mut w = -1;
        while fraction.len() < scale {
            fraction.push_str(&format!("{:04}", group(w)));
            w -= 1;
        }
        fraction.truncate(scale);
        text.push('.');
        text.push_str(&fraction);
    }
    Ok(text)
}

fn element_kind(member: &Type) -> ElementKind {
    match *member {
        Type::BOOL => ElementKind::Bool,
        Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => ElementKind::Long,
        Type::FLOAT4 | Type::FLOAT8 => ElementKind::Double,
        _ => ElementKind::Text,
    }
}

/// PostgreSQL's binary array: dimensions, then each element with its length (-1 for NULL).
fn decode_array(member: &Type, bytes: &[u8], options: ReturnOptions) -> DecodeResult {
    let ndim = usize::try_from(read_i32(bytes, 0)?)?;
    let kind = element_kind(member);
    if ndim == 0 {
        return Ok(Cell::Array(Vec::new(), kind));
    }
    let mut dims = Vec::with_capacity(ndim);
    for d in 0..ndim {
        dims.push(usize::try_from(read_i32(bytes, 12 + 8 * d)?)?);
    }
    let mut at = 12 + 8 * ndim;
    let total: usize = dims.iter().product();
    let mut elements = Vec::with_capacity(total);
    for _ in 0..total {
        let len = read_i32(bytes, at)?;
        at += 4;
        if len < 0 {
            elements.push(Cell::Null);
        } else {
            let len = usize::try_from(len)?;
            let value = bytes.get(at..at + len).ok_or("truncated array")?;
            let cell = match decode_value(member, value, options)? {
                Cell::Blob(blob) => Cell::Text(BASE64.encode(blob)),
                cell => cell,
            };
            elements.push(cell);
            at += len;
        }
    }
    Ok(nest(&dims, elements, kind))
}

/// Groups flat elements into nested arrays along the dimensions.
fn nest(dims: &[usize], elements: Vec<Cell>, kind: ElementKind) -> Cell {
    match dims {
        [] | [_] => Cell::Array(elements, kind),
        [outer, inner @ ..] => {
            let size: usize = inner.iter().product();
            let mut rest = elements.into_iter();
            let children = (0..*outer).map(|_| nest(inner, rest.by_ref().take(size).collect(), kind)).collect();
            Cell::Array(children, kind)
        }
    }
}

impl Cell {
    /// The value as a result `Field`.
    pub fn to_field(&self) -> Field {
        match self {
            Cell::Null => Field::IsNull(true),
            Cell::Bool(v) => Field::BooleanValue(*v),
            Cell::Long(v) => Field::LongValue(*v),
            Cell::Double(v) => Field::DoubleValue(*v),
            Cell::Text(v) => Field::StringValue(v.clone()),
            Cell::Blob(v) => Field::BlobValue(BASE64.encode(v)),
            Cell::Array(items, kind) => Field::ArrayValue(array_value(items, *kind)),
        }
    }

    /// The value in `formattedRecords` JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(v) => Value::Bool(*v),
            Cell::Long(v) => Value::from(*v),
            Cell::Double(v) => serde_json::Number::from_f64(*v).map(Value::Number).unwrap_or(Value::Null),
            Cell::Text(v) => Value::String(v.clone()),
            Cell::Blob(v) => Value::String(BASE64.encode(v)),
            Cell::Array(items, _) => Value::Array(items.iter().map(Cell::to_json).collect()),
        }
    }
}

fn array_value(items: &[Cell], kind: ElementKind) -> ArrayValue {
    if items.iter().any(|c| matches!(c, Cell::Array(..))) {
        return ArrayValue::ArrayValues(
            items
                .iter()
                .filter_map(|c| match c {
                    Cell::Array(inner, kind) => Some(array_value(inner, *kind)),
                    _ => None,
                })
                .collect(),
        );
    }
    match kind {
        ElementKind::Bool => ArrayValue::BooleanValues(
            items.iter().map(|c| if let Cell::Bool(v) = c { Some(*v) } else { None }).collect(),
        ),
        ElementKind::Long => {
            ArrayValue::LongValues(items.iter().map(|c| if let Cell::Long(v) = c { Some(*v) } else { None }).collect())
        }
        ElementKind::Double => ArrayValue::DoubleValues(
            items.iter().map(|c| if let Cell::Double(v) = c { Some(*v) } else { None }).collect(),
        ),
        ElementKind::Text => ArrayValue::StringValues(
            items
                .iter()
                .map(|c| match c {
                    Cell::Null => None,
                    Cell::Text(v) => Some(v.clone()),
                    Cell::Long(v) => Some(v.to_string()),
                    Cell::Double(v) => Some(v.to_string()),
                    Cell::Bool(v) => Some(v.to_string()),
                    Cell::Blob(v) => Some(BASE64.encode(v)),
                    Cell::Array(..) => None,
                })
                .collect(),
        ),
    }
}

/// The JDBC type code (`java.sql.Types`) the PostgreSQL JDBC driver reports for a type.
pub fn jdbc_type(ty: &Type) -> i32 {
    match *ty {
        Type::BOOL => -7,
        Type::INT2 => 5,
        Type::INT4 => 4,
        Type::INT8 | Type::OID => -5,
        Type::FLOAT4 => 7,
        Type::FLOAT8 => 8,
        Type::NUMERIC => 2,
        Type::BPCHAR | Type::CHAR => 1,
        Type::TEXT | Type::VARCHAR | Type::NAME => 12,
        Type::BYTEA => -2,
        Type::DATE => 91,
        Type::TIME | Type::TIMETZ => 92,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => 93,
        _ => match ty.kind() {
            Kind::Array(_) => 2003,
            Kind::Domain(base) => jdbc_type(base),
            _ => 1111,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: i16, weight: i16, sign: u16, dscale: i16, digits: &[i16]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for v in [ndigits, weight, sign as i16, dscale] {
            bytes.extend(v.to_be_bytes());
        }
        for d in digits {
            bytes.extend(d.to_be_bytes());
        }
        bytes
    }

    #[test]
    fn numerics_keep_every_digit_and_their_scale() {
        assert_eq!(numeric_to_string(&numeric(2, 0, 0, 2, &[1234, 5600])).unwrap(), "1234.56");
        assert_eq!(numeric_to_string(&numeric(1, -1, 0x4000, 4, &[1])).unwrap(), "-0.0001");
        assert_eq!(numeric_to_string(&numeric(2, 1, 0, 0, &[1, 0])).unwrap(), "10000");
        assert_eq!(numeric_to_string(&numeric(0, 0, 0, 3, &[])).unwrap(), "0.000");
        assert_eq!(numeric_to_string(&numeric(0, 0, 0xC000, 0, &[])).unwrap(), "NaN");
        assert!(numeric_to_string(&[0, 1]).is_err());
    }

    #[test]
    fn timestamps_drop_zero_fractions() {
        let at = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap().and_hms_micro_opt(13, 5, 9, 120_000).unwrap();
        assert_eq!(timestamp_string(at), "2024-02-29 13:05:09.12");
        assert_eq!(timestamp_string(at.with_nanosecond_zero()), "2024-02-29 13:05:09");
    }

    trait ZeroNanos {
        fn with_nanosecond_zero(self) -> Self;
    }
    impl ZeroNanos for NaiveDateTime {
        fn with_nanosecond_zero(self) -> Self {
            chrono::Timelike::with_nanosecond(&self, 0).unwrap()
        }
    }

    #[test]
    fn hints_cast_strings_only_and_unknown_hints_are_refused() {
        let bound = bind(&Field::StringValue("2024-01-01".into()), Some("DATE")).unwrap();
        assert_eq!(bound.cast, Some("date"));
        assert_eq!(bound.ty, Type::VARCHAR);
        assert_eq!(bind(&Field::LongValue(1), Some("DECIMAL")).unwrap().cast, None);
        assert!(bind(&Field::StringValue("x".into()), Some("MONEY")).is_err());
        let err = bind(&Field::ArrayValue(ArrayValue::LongValues(vec![Some(1)])), None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
    }
}
