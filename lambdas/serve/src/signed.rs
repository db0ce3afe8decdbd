//! Signed, expiring URLs: what presigned S3 requests are on AWS. An upload is
//! `PUT /uploads/<key>?expires=<unix seconds>&signature=<hex>` with the signed content
//! type; a download is `GET /downloads/<key>?expires=..&filename=..&signature=..`. The
//! signature is HMAC-SHA256, under a secret key of the data directory, over the method,
//! the object key, the expiry and the content type (upload) or file name (download), so a
//! URL opens exactly one object, one way, until it expires.
//!
//! The URLs are absolute. Their base is the address the browser used to reach the API
//! (the `Host` of the request that asked for the URL, see [`with_request_base`]), so the
//! app works at `localhost` as well as at `127.0.0.1`; without a request, it is the
//! address the server listens on.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use docex_core::DocexError;
use docex_core::api::{SignedRequest, SignedUrls};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The length of a new secret key, in bytes.
const KEY_BYTES: usize = 32;

/// Why a signed URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The signature does not match what it claims to sign (a changed key, expiry, file
    /// name or content type, or another server's key).
    BadSignature,
    Expired,
}

/// Signs and checks URLs with one secret key.
pub struct UrlSigner {
    key: Vec<u8>,
}

impl UrlSigner {
    pub fn new(key: Vec<u8>) -> UrlSigner {
        UrlSigner { key }
    }

    /// The signer of the key in `path`, creating the file with a fresh random key (readable
    /// by its owner only) the first time. Two processes starting at once agree on one key.
    pub fn from_key_file(path: &Path) -> Result<UrlSigner, DocexError> {
        let fail = |what: &str, e: std::io::Error| DocexError::Storage(format!("{what} {}: {e}", path.display()));
        if !path.exists() {
            let mut key = [0u8; KEY_BYTES];
            getrandom::fill(&mut key).map_err(|e| DocexError::Storage(format!("no random key: {e}")))?;
            let parent = path.parent().unwrap_or(Path::new("."));
            let temporary = parent.join(format!(".url-key-{}.tmp", std::process::id()));
            let mut file = open_private(&temporary).map_err(|e| fail("cannot create", e))?;
            file.write_all(hex::encode(key).as_bytes()).map_err(|e| fail("cannot write", e))?;
            drop(file);
            // A hard link never replaces: whoever links first wins, the others read theirs.
            let linked = std::fs::hard_link(&temporary, path);
            let _ = std::fs::remove_file(&temporary);
            match linked {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(fail("cannot create", e)),
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| fail("cannot read", e))?;
        let key = hex::decode(text.trim()).ok().filter(|k| k.len() >= 16).ok_or_else(|| {
            DocexError::Storage(format!("{} does not hold a key (hex, 16 bytes or more)", path.display()))
        })?;
        Ok(UrlSigner { key })
    }

    fn mac(&self, method: &str, key: &str, expires: i64, detail: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        // JSON keeps the parts apart: no choice of one part can pass for another.
        let message = serde_json::json!([method, key, expires, detail]).to_string();
        mac.update(message.as_bytes());
        mac
    }

    /// The signature of a request: `detail` is the content type of an upload or the file
    /// name of a download (empty for none).
    pub fn sign(&self, method: &str, key: &str, expires: i64, detail: &str) -> String {
        hex::encode(self.mac(method, key, expires, detail).finalize().into_bytes())
    }

    /// Checks a signature (in constant time) and then the expiry against `now` (unix seconds).
    pub fn check(
        &self,
        method: &str,
        key: &str,
        expires: i64,
        detail: &str,
        signature: &str,
        now: i64,
    ) -> Result<(), Refusal> {
        let signature = hex::decode(signature).map_err(|_| Refusal::BadSignature)?;
        self.mac(method, key, expires, detail).verify_slice(&signature).map_err(|_| Refusal::BadSignature)?;
        if now >= expires {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

tokio::task_local! {
    /// The base URL (`http://host:port`) the current API request was made to.
    static REQUEST_BASE: String;
}

/// Middleware: remembers the base URL the request was made to (from its `Host`) while the
/// request is handled, for the URLs it gets back.
pub async fn with_request_base(request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_plain_host(h));
    match host {
        Some(host) => REQUEST_BASE.scope(format!("http://{host}"), next.run(request)).await,
        None => next.run(request).await,
    }
}

/// A host and port, nothing else (no user info, path or spaces).
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// A docex object key as it may appear in a URL path: plain relative segments only.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/'))
}

/// [`SignedUrls`] for the embedded mode: URLs of this server, signed by a [`UrlSigner`].
pub struct LocalUrls {
    signer: Arc<UrlSigner>,
    /// The base when no request names one (the address the server listens on).
    default_base: String,
}

impl LocalUrls {
    pub fn new(signer: Arc<UrlSigner>, default_base: impl Into<String>) -> LocalUrls {
        LocalUrls { signer, default_base: default_base.into() }
    }

    fn url(&self, route: &str, key: &str, query: &[(&str, &str)]) -> Result<String, DocexError> {
        if !is_plain_key(key) {
            return Err(DocexError::InvalidInput(format!("invalid object key {key:?}")));
        }
        let base = REQUEST_BASE.try_with(Clone::clone).unwrap_or_else(|_| self.default_base.clone());
        let mut url = url::Url::parse(&format!("{}/{route}/{key}", base.trim_end_matches('/')))
            .map_err(|e| DocexError::InvalidInput(format!("the server's address {base:?} is not a URL base: {e}")))?;
        url.query_pairs_mut().extend_pairs(query);
        Ok(url.into())
    }
}

fn expiry(expires: Duration) -> (i64, String) {
    let at = chrono::Utc::now() + chrono::Duration::from_std(expires).unwrap_or_else(|_| chrono::Duration::hours(1));
    (at.timestamp(), at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[async_trait]
impl SignedUrls for LocalUrls {
    async fn upload_url(&self, key: &str, content_type: &str, expires: Duration) -> Result<SignedRequest, DocexError> {
        let (unix, expires_at) = expiry(expires);
        let signature = self.signer.sign("PUT", key, unix, content_type);
        let url = self.url("uploads", key, &[("expires", &unix.to_string()), ("signature", &signature)])?;
        let headers = [("content-type".to_string(), content_type.to_string())].into();
        Ok(SignedRequest { url, method: "PUT".into(), headers, expires_at })
    }

    async fn download_url(
        &self,
        key: &str,
        expires: Duration,
        filename: Option<&str>,
    ) -> Result<SignedRequest, DocexError> {
        let (unix, expires_at) = expiry(expires);
        let filename = filename.unwrap_or_default();
        let signature = self.signer.sign("GET", key, unix, filename);
        let unix = unix.to_string();
        let mut query = vec![("expires", unix.as_str())];
        if !filename.is_empty() {
            query.push(("filename", filename));
        }
        query.push(("signature", &signature));
        let url = self.url("downloads", key, &query)?;
        Ok(SignedRequest { url, method: "GET".into(), headers: Default::default(), expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_opens_one_object_one_way_until_it_expires() {
        let signer = UrlSigner::new(b"0123456789abcdef".to_vec());
        let signature = signer.sign("PUT", "input/j1/document.pdf", 1000, "application/pdf");
        assert_eq!(signer.check("PUT", "input/j1/document.pdf", 1000, "application/pdf", &signature, 999), Ok(()));
        assert_eq!(
            signer.check("PUT", "input/j1/document.pdf", 1000, "application/pdf", &signature, 1000),
            Err(Refusal::Expired)
        );
        for (method, key, expires, detail) in [
            ("GET", "input/j1/document.pdf", 1000, "application/pdf"),
            ("PUT", "input/j2/document.pdf", 1000, "application/pdf"),
            ("PUT", "input/j1/document.pdf", 5000, "application/pdf"),
            ("PUT", "input/j1/document.pdf", 1000, "text/html"),
        ] {
            assert_eq!(signer.check(method, key, expires, detail, &signature, 0), Err(Refusal::BadSignature));
        }
        assert_eq!(signer.check("PUT", "k", 1000, "", "not hex", 0), Err(Refusal::BadSignature));
        let other = UrlSigner::new(b"another key, same length".to_vec());
        assert_eq!(
            other.check("PUT", "input/j1/document.pdf", 1000, "application/pdf", &signature, 0),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("url.key");
        let first = UrlSigner::from_key_file(&path).unwrap();
        let again = UrlSigner::from_key_file(&path).unwrap();
        assert_eq!(first.key, again.key);
        assert_eq!(first.key.len(), KEY_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(matches!(UrlSigner::from_key_file(&path), Err(DocexError::Storage(_))));
    }

    #[tokio::test]
    async fn urls_use_the_address_the_request_came_to() {
        let urls = LocalUrls::new(Arc::new(UrlSigner::new(vec![7; 32])), "http://127.0.0.1:8080");
        let plain = urls.upload_url("input/j1/document.pdf", "application/pdf", Duration::from_secs(60)).await.unwrap();
        assert!(plain.url.starts_with("http://127.0.0.1:8080/uploads/input/j1/document.pdf?expires="), "{}", plain.url);
        assert_eq!(plain.headers.get("content-type").map(String::as_str), Some("application/pdf"));
        let scoped = REQUEST_BASE
            .scope(
                "http://localhost:9000".into(),
                urls.download_url("output/j1/report.pdf", Duration::from_secs(60), Some("a b&c.pdf")),
            )
            .await
            .unwrap();
        let url = url::Url::parse(&scoped.url).unwrap();
        assert_eq!(
            (url.host_str(), url.port(), url.path()),
            (Some("localhost"), Some(9000), "/downloads/output/j1/report.pdf")
        );
        let filename = url.query_pairs().find(|(k, _)| k == "filename").map(|(_, v)| v.into_owned());
        assert_eq!(filename.as_deref(), Some("a b&c.pdf"));
        assert!(urls.download_url("../secret", Duration::from_secs(60), None).await.is_err());
        assert!(!is_plain_host("evil.com/path") && !is_plain_host("a b") && is_plain_host("[::1]:8080"));
    }
}
