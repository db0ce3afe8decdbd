//! S3: the blob store, presigned URLs for browsers, specs and templates.
//!
//! Layout (keys are built by `docex_core::job::keys` from docex's own job ids):
//!
//! | bucket (setting)                | keys                                               |
//! |---------------------------------|----------------------------------------------------|
//! | input (`DOCEX_INPUT_BUCKET`)    | `input/<job>/document.pdf`, uploaded by browsers   |
//! | output (`DOCEX_OUTPUT_BUCKET`)  | `work/<job>/...` between states, `output/<job>/result.json`, `output/<job>/report.pdf` |
//! | specs (`DOCEX_SPECS_BUCKET`)    | `<name>.json`, read before the shipped specs       |
//! | templates (`DOCEX_TEMPLATES_BUCKET`) | `<name>/main.typ` and the files beside it     |
//!
//! Reads are bounded: an object's size (the `Content-Length` of the response) is checked
//! against a limit before its body is read, and the body is read as a stream that stops at
//! the limit, so an oversized object never fills a Lambda's memory.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use docex_core::builtin::builtin_spec;
use docex_core::spec::MAX_SPEC_BYTES;
use docex_core::{BlobStore, DocexError, Spec, SpecStore};
use serde::{Deserialize, Serialize};

use crate::config;
use crate::error::from_sdk;

/// The largest object [`S3BlobStore::get`] reads unless told otherwise (the PDF reader's own
/// limit is 50 MiB; work files are far smaller).
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 64 * 1024 * 1024;
/// The longest a presigned URL may live: browsers use it at once.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(3600);
/// The total size of a template folder [`S3Templates`] reads.
pub const DEFAULT_MAX_TEMPLATE_BYTES: u64 = 8 * 1024 * 1024;
/// The most files a template folder may hold.
pub const MAX_TEMPLATE_FILES: usize = 256;

/// An S3 client for `sdk`. When the configuration names an endpoint (a local server in
/// tests or development), buckets are addressed by path, since `bucket.127.0.0.1` does
/// not resolve; on AWS the default virtual-hosted style is kept.
pub fn client(sdk: &SdkConfig) -> Client {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk);
    if sdk.endpoint_url().is_some() {
        builder = builder.force_path_style(true);
    }
    Client::from_conf(builder.build())
}

/// The two buckets of the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    /// Uploads: keys under `input/`.
    pub input: String,
    /// Everything docex writes: `work/...` and `output/...`.
    pub output: String,
}

impl Buckets {
    /// From `DOCEX_INPUT_BUCKET` and `DOCEX_OUTPUT_BUCKET`.
    pub fn from_env() -> Result<Buckets, DocexError> {
        Ok(Buckets { input: config::required(config::INPUT_BUCKET)?, output: config::required(config::OUTPUT_BUCKET)? })
    }

    /// The bucket that holds `key`: the input bucket for `input/...`, the output bucket otherwise.
    pub fn for_key(&self, key: &str) -> &str {
        if key.starts_with("input/") { &self.input } else { &self.output }
    }
}

/// A presigned request a browser can make without credentials: the URL, the method and
/// the headers it must send exactly as given (they are part of the signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedRequest {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
}

impl From<aws_sdk_s3::presigning::PresignedRequest> for PresignedRequest {
    fn from(request: aws_sdk_s3::presigning::PresignedRequest) -> PresignedRequest {
        PresignedRequest {
            url: request.uri().to_string(),
            method: request.method().to_string(),
            headers: request.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

/// The blob store over the input and output buckets.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    client: Client,
    buckets: Buckets,
    max_object_bytes: u64,
}

impl S3BlobStore {
    pub fn new(client: Client, buckets: Buckets) -> S3BlobStore {
        S3BlobStore { client, buckets, max_object_bytes: DEFAULT_MAX_OBJECT_BYTES }
    }

    /// With the buckets named by `DOCEX_INPUT_BUCKET` and `DOCEX_OUTPUT_BUCKET`.
    pub fn from_env(sdk: &SdkConfig) -> Result<S3BlobStore, DocexError> {
        Ok(S3BlobStore::new(client(sdk), Buckets::from_env()?))
    }

    /// Refuses to read objects larger than `limit` bytes (`Docex.FileTooLarge`).
    pub fn with_max_object_bytes(mut self, limit: u64) -> S3BlobStore {
        self.max_object_bytes = limit;
        self
    }

    pub fn buckets(&self) -> &Buckets {
        &self.buckets
    }

    /// A URL the browser can `PUT` one object to, under `key` only, with `content_type`
    /// (which the upload must send as its `Content-Type`), valid for `expires` (at most
    /// [`MAX_PRESIGN_EXPIRY`]).
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        expires: Duration,
    ) -> Result<PresignedRequest, DocexError> {
        check_key(key)?;
        if content_type.is_empty() || content_type.chars().any(|c| c.is_control()) {
            return Err(DocexError::InvalidInput(format!("not a content type: {content_type:?}")));
        }
        let presigned = self
            .client
            .put_object()
            .bucket(self.buckets.for_key(key))
            .key(key)
            .content_type(content_type)
            .presigned(presigning(expires)?)
            .await
            .map_err(|e| from_sdk(&format!("S3 presign PutObject {key}"), e))?;
        Ok(presigned.into())
    }

    /// A URL the browser can `GET` the object under `key` from, valid for `expires` (at most
    /// [`MAX_PRESIGN_EXPIRY`]). With `download_name` the response asks the browser to save
    /// the file under that name (made safe for the header: quotes, backslashes and control
    /// characters are replaced, non-ASCII names travel percent-encoded as `filename*`).
    pub async fn presign_get(
        &self,
        key: &str,
        expires: Duration,
        download_name: Option<&str>,
    ) -> Result<PresignedRequest, DocexError> {
        check_key(key)?;
        let mut request = self.client.get_object().bucket(self.buckets.for_key(key)).key(key);
        if let Some(name) = download_name {
            request = request.response_content_disposition(content_disposition(name));
        }
        let presigned = request
            .presigned(presigning(expires)?)
            .await
            .map_err(|e| from_sdk(&format!("S3 presign GetObject {key}"), e))?;
        Ok(presigned.into())
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocexError> {
        check_key(key)?;
        let mut request =
            self.client.put_object().bucket(self.buckets.for_key(key)).key(key).body(ByteStream::from(bytes));
        if let Some(content_type) = content_type_for(key) {
            request = request.content_type(content_type);
        }
        request.send().await.map_err(|e| from_sdk(&format!("S3 PutObject {key}"), e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocexError> {
        check_key(key)?;
        read_object(&self.client, self.buckets.for_key(key), key, self.max_object_bytes).await
    }
}

/// The content type docex stores an object with, by the key's extension.
pub fn content_type_for(key: &str) -> Option<&'static str> {
    let extension = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match extension.as_str() {
        "json" => Some("application/json"),
        "pdf" => Some("application/pdf"),
        "typ" | "txt" => Some("text/plain; charset=utf-8"),
        _ => None,
    }
}

/// Specs from the specs bucket (`<name>.json`), then the shipped ones.
#[derive(Debug, Clone)]
pub struct S3SpecStore {
    client: Client,
    bucket: String,
}

impl S3SpecStore {
    pub fn new(client: Client, bucket: impl Into<String>) -> S3SpecStore {
        S3SpecStore { client, bucket: bucket.into() }
    }

    /// With the bucket named by `DOCEX_SPECS_BUCKET`.
    pub fn from_env(sdk: &SdkConfig) -> Result<S3SpecStore, DocexError> {
        Ok(S3SpecStore::new(client(sdk), config::required(config::SPECS_BUCKET)?))
    }
}

#[async_trait]
impl SpecStore for S3SpecStore {
    async fn spec(&self, name: &str) -> Result<Spec, DocexError> {
        if !is_plain_name(name) {
            return Err(DocexError::SpecNotFound(name.to_string()));
        }
        let key = format!("{name}.json");
        let bytes = match read_object(&self.client, &self.bucket, &key, MAX_SPEC_BYTES as u64).await {
            Ok(bytes) => bytes,
            Err(DocexError::FileTooLarge { size, limit }) => {
                return Err(DocexError::SpecInvalid(format!(
                    "{key} is {size} bytes, over the limit of {limit} bytes for a spec"
                )));
            }
            Err(error) => return Err(error),
        };
        match bytes {
            Some(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| DocexError::SpecInvalid(format!("{key} is not UTF-8 text")))?;
                Spec::from_json(name, &text)
            }
            None => match builtin_spec(name) {
                Some(text) => Spec::from_json(name, text),
                None => Err(DocexError::SpecNotFound(name.to_string())),
            },
        }
    }
}

/// Template folders from the templates bucket: `<name>/main.typ` and the files beside it,
/// read into memory for the renderer's sandboxed world.
#[derive(Debug, Clone)]
pub struct S3Templates {
    client: Client,
    bucket: String,
    max_total_bytes: u64,
}

impl S3Templates {
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Templates {
        S3Templates { client, bucket: bucket.into(), max_total_bytes: DEFAULT_MAX_TEMPLATE_BYTES }
    }

    /// With the bucket named by `DOCEX_TEMPLATES_BUCKET`.
    pub fn from_env(sdk: &SdkConfig) -> Result<S3Templates, DocexError> {
        Ok(S3Templates::new(client(sdk), config::required(config::TEMPLATES_BUCKET)?))
    }

    /// Refuses template folders larger than `limit` bytes in total.
    pub fn with_max_total_bytes(mut self, limit: u64) -> S3Templates {
        self.max_total_bytes = limit;
        self
    }

    /// The files of template `name` by path relative to its folder (`main.typ`,
    /// `assets/logo.svg`, ...), or `Ok(None)` when the bucket has no folder of that name
    /// (the caller then falls back to the shipped templates). A folder without `main.typ`,
    /// over the size or file budget, or with a path that is not a plain relative path is
    /// `Docex.TemplateInvalid`.
    pub async fn load(&self, name: &str) -> Result<Option<BTreeMap<String, Vec<u8>>>, DocexError> {
        if !is_plain_name(name) {
            return Err(DocexError::TemplateNotFound(name.to_string()));
        }
        let prefix = format!("{name}/");
        let mut listed: Vec<(String, u64)> = Vec::new();
        let mut total: u64 = 0;
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(&format!("S3 ListObjectsV2 {}/{prefix}", self.bucket), e))?;
            for object in page.contents() {
                let Some(relative) = object.key().and_then(|key| key.strip_prefix(&prefix)) else { continue };
                if relative.is_empty() || relative.ends_with('/') {
                    continue; // a folder marker
                }
                if !is_safe_relative_path(relative) {
                    return Err(DocexError::TemplateInvalid(format!(
                        "{name}: the file name {relative:?} is not allowed"
                    )));
                }
                let size = object.size().unwrap_or(0).max(0) as u64;
                total = total.saturating_add(size);
                if total > self.max_total_bytes {
                    return Err(DocexError::TemplateInvalid(format!(
                        "{name}: the template's files exceed {} bytes",
                        self.max_total_bytes
                    )));
                }
                listed.push((relative.to_string(), size));
                if listed.len() > MAX_TEMPLATE_FILES {
                    return Err(DocexError::TemplateInvalid(format!(
                        "{name}: the template has more than {MAX_TEMPLATE_FILES} files"
                    )));
                }
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
        if listed.is_empty() {
            return Ok(None);
        }
        if !listed.iter().any(|(path, _)| path == "main.typ") {
            return Err(DocexError::TemplateInvalid(format!("{name}: the folder has no main.typ")));
        }
        let mut files = BTreeMap::new();
        let mut remaining = self.max_total_bytes;
        for (relative, _) in listed {
            let key = format!("{prefix}{relative}");
            let bytes = match read_object(&self.client, &self.bucket, &key, remaining).await {
                Ok(Some(bytes)) => bytes,
                // Deleted between the listing and the read: the folder is being replaced.
                Ok(None) => continue,
                Err(DocexError::FileTooLarge { .. }) => {
                    return Err(DocexError::TemplateInvalid(format!(
                        "{name}: the template's files exceed {} bytes",
                        self.max_total_bytes
                    )));
                }
                Err(error) => return Err(error),
            };
            remaining = remaining.saturating_sub(bytes.len() as u64);
            files.insert(relative, bytes);
        }
        Ok(Some(files))
    }
}

/// Reads one object, refusing it before the download when its length is over `limit` and
/// during the download if the stream turns out longer than announced.
async fn read_object(client: &Client, bucket: &str, key: &str, limit: u64) -> Result<Option<Vec<u8>>, DocexError> {
    let output = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output,
        Err(error) => {
            if error.as_service_error().is_some_and(|e| e.is_no_such_key()) {
                return Ok(None);
            }
            return Err(from_sdk(&format!("S3 GetObject {bucket}/{key}"), error));
        }
    };
    let announced = output.content_length().unwrap_or(0).max(0) as u64;
    if announced > limit {
        return Err(DocexError::FileTooLarge { size: announced, limit });
    }
    let mut body = output.body;
    let mut bytes = Vec::with_capacity(announced as usize);
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| DocexError::Transient(format!("S3 GetObject {bucket}/{key}: reading the body: {e}")))?;
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(DocexError::FileTooLarge { size: (bytes.len() + chunk.len()) as u64, limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

fn presigning(expires: Duration) -> Result<PresigningConfig, DocexError> {
    if expires.is_zero() || expires > MAX_PRESIGN_EXPIRY {
        return Err(DocexError::InvalidInput(format!(
            "a presigned URL must expire within {} s, not {} s",
            MAX_PRESIGN_EXPIRY.as_secs(),
            expires.as_secs()
        )));
    }
    PresigningConfig::expires_in(expires).map_err(|e| DocexError::InvalidInput(format!("presigning: {e}")))
}

/// Keys are docex's own (`input/`, `work/`, `output/` + job id); anything else is refused
/// rather than sent.
fn check_key(key: &str) -> Result<(), DocexError> {
    if is_safe_relative_path(key) && key.len() <= 1024 {
        Ok(())
    } else {
        Err(DocexError::InvalidInput(format!("not an object key docex uses: {key:?}")))
    }
}

/// A relative path of plain segments: no empty, `.` or `..` segment, no backslash or
/// control character, not absolute.
fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control())
        && path.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// A spec or template name: letters, digits, `-` and `_`, at most 64 of them.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `attachment` with an ASCII `filename` (unsafe characters replaced) and the exact name
/// percent-encoded as `filename*` (RFC 6266).
fn content_disposition(name: &str) -> String {
    let name: String = name.chars().take(200).collect();
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_route_by_prefix_and_unsafe_keys_are_refused() {
        let buckets = Buckets { input: "in".into(), output: "out".into() };
        assert_eq!(buckets.for_key("input/j1/document.pdf"), "in");
        assert_eq!(buckets.for_key("work/j1/document.json"), "out");
        assert_eq!(buckets.for_key("output/j1/report.pdf"), "out");
        assert_eq!(buckets.for_key("inputs/x"), "out");
        assert!(check_key("output/j1/result.json").is_ok());
        for bad in ["", "/abs", "work/../x", "work//x", "work/./x", "a\\b", "a\nb"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_types_and_download_names() {
        assert_eq!(content_type_for("output/j/result.json"), Some("application/json"));
        assert_eq!(content_type_for("input/j/document.PDF"), Some("application/pdf"));
        assert_eq!(content_type_for("work/j/blob"), None);
        assert_eq!(
            content_disposition("Rechnung \"März\".pdf"),
            "attachment; filename=\"Rechnung _M_rz_.pdf\"; filename*=UTF-8''Rechnung%20%22M%C3%A4rz%22.pdf"
        );
    }

    #[test]
    fn names_are_plain() {
        assert!(is_plain_name("invoice_v2-de"));
        for bad in ["", "../x", "a/b", "a.json", "a b", &"x".repeat(65)] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }
}
