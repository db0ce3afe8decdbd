//! The Lambda authorizer of the REST and WebSocket APIs. It accepts a Cognito token only
//! if its RS256 signature verifies against a key of the user pool's JWKS (fetched once and
//! cached; an unknown key id triggers one refetch, at most once a minute, for key
//! rotation), its issuer is the pool, it was issued to docex's app client (`aud` for ID
//! tokens, `client_id` for access tokens), its `token_use` is `id` or `access`, and it is
//! within its `nbf`/`exp` window. The caller's `sub` becomes the principal and the `owner`
//! every job is scoped to.
//!
//! Tokens come from the `Authorization: Bearer …` header (REST, `REQUEST` or `TOKEN`
//! authorizer) or, for the WebSocket `$connect` route where browsers cannot set headers,
//! from the `token` query parameter. A rejected token is answered with the error message
//! `Unauthorized`, which API Gateway turns into a 401; the reason goes to the log only.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::RwLock;

/// How long fetched keys are trusted before they are fetched again.
const KEYS_TTL: Duration = Duration::from_secs(3600);
/// The least time between two fetches caused by unknown key ids.
const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;

/// Why a token was refused (logged, never returned to the caller).
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    #[error("no bearer token in the request")]
    NoToken,
    #[error("the token is malformed or its claims are invalid: {0}")]
    Invalid(String),
    #[error("the token was signed with an unknown key {0:?}")]
    UnknownKey(String),
    #[error("the token is for another client")]
    WrongClient,
    #[error("the token's use {0:?} is not accepted")]
    WrongUse(String),
    #[error("the pool's keys could not be fetched: {0}")]
    KeysUnavailable(String),
}

/// Who the caller is, from a verified token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Caller {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, rename = "cognito:username")]
    pub username: Option<String>,
    #[serde(default, rename = "username")]
    pub access_username: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    token_use: String,
    #[serde(default)]
    aud: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(flatten)]
    caller: Caller,
}

/// The user pool a token must come from.
#[derive(Debug, Clone)]
pub struct Pool {
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub issuer: String,
    /// The app client docex's web app signs in with.
    pub client_id: String,
    /// Where the keys are; `<issuer>/.well-known/jwks.json` on AWS.
    pub jwks_url: String,
}

impl Pool {
    /// From `DOCEX_COGNITO_ISSUER`, `DOCEX_COGNITO_CLIENT_ID` and optionally
    /// `DOCEX_COGNITO_JWKS_URL`.
    #[cfg(feature = "lambda")]
    pub fn from_env() -> Result<Pool, docex_core::DocexError> {
        let issuer = docex_aws::config::required("DOCEX_COGNITO_ISSUER")?;
        let client_id = docex_aws::config::required("DOCEX_COGNITO_CLIENT_ID")?;
        let jwks_url = docex_aws::config::optional("DOCEX_COGNITO_JWKS_URL");
        Ok(Pool::new(&issuer, &client_id, jwks_url.as_deref()))
    }

    /// A pool whose keys are at the issuer's `/.well-known/jwks.json` unless `jwks_url` says otherwise.
    pub fn new(issuer: &str, client_id: &str, jwks_url: Option<&str>) -> Pool {
        let jwks_url = jwks_url
            .map(String::from)
            .unwrap_or_else(|| format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')));
        Pool { issuer: issuer.to_string(), client_id: client_id.to_string(), jwks_url }
    }
}

struct CachedKeys {
    keys: JwkSet,
    fetched: Instant,
}

/// Verifies tokens of one pool, caching its keys.
pub struct Verifier {
    pool: Pool,
    http: reqwest::Client,
    keys: RwLock<Option<CachedKeys>>,
}

impl Verifier {
    pub fn new(pool: Pool) -> Verifier {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default();
        Verifier { pool, http, keys: RwLock::new(None) }
    }

    /// The caller of a valid token.
    pub async fn verify(&self, token: &str) -> Result<Caller, Rejection> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| Rejection::Invalid(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| Rejection::Invalid("the token names no key".into()))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.pool.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false; // checked below: access tokens carry `client_id` instead
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| Rejection::Invalid(e.to_string()))?
            .claims;
        let client = match claims.token_use.as_str() {
            "id" => claims.aud,
            "access" => claims.client_id,
            other => return Err(Rejection::WrongUse(other.to_string())),
        };
        if client.as_deref() != Some(self.pool.client_id.as_str()) {
            return Err(Rejection::WrongClient);
        }
        Ok(claims.caller)
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, Rejection> {
        {
            let cached = self.keys.read().await;
            if let Some(cached) = cached.as_ref() {
                let fresh = cached.fetched.elapsed() < KEYS_TTL;
                match cached.keys.find(kid) {
                    Some(jwk) if fresh => {
                        return DecodingKey::from_jwk(jwk).map_err(|e| Rejection::Invalid(e.to_string()));
                    }
                    None if cached.fetched.elapsed() < REFETCH_INTERVAL => {
                        return Err(Rejection::UnknownKey(kid.to_string()));
                    }
                    _ => {}
                }
            }
        }
        let keys = self.fetch_keys().await?;
        let key = keys.find(kid).map(DecodingKey::from_jwk);
        *self.keys.write().await = Some(CachedKeys { keys, fetched: Instant::now() });
        match key {
            Some(key) => key.map_err(|e| Rejection::Invalid(e.to_string())),
            None => Err(Rejection::UnknownKey(kid.to_string())),
        }
    }

    async fn fetch_keys(&self) -> Result<JwkSet, Rejection> {
        let unavailable = |e: reqwest::Error| Rejection::KeysUnavailable(e.to_string());
        let response = self.http.get(&self.pool.jwks_url).send().await.map_err(unavailable)?;
        response.error_for_status().map_err(unavailable)?.json::<JwkSet>().await.map_err(unavailable)
    }
}

/// The bearer token of an authorizer event, wherever the API put it.
pub fn token_of(event: &Value) -> Option<&str> {
    let header = event.get("authorizationToken").and_then(Value::as_str).or_else(|| {
        event
            .get("headers")?
            .as_object()?
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))?
            .1
            .as_str()
    });
    let bearer = header.map(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).unwrap_or(h));
    bearer.or_else(|| event.pointer("/queryStringParameters/token")?.as_str()).filter(|t| !t.is_empty())
}

/// The authorizer's answer for an allowed caller: an IAM policy for the whole API stage (so
/// API Gateway can cache it across routes), with the caller in the context.
pub fn allow(event: &Value, caller: &Caller) -> Value {
    let method_arn = event.get("methodArn").and_then(Value::as_str).unwrap_or_default();
    // arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{method}/{path}
    let stage_arn = method_arn.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    let username = caller.username.clone().or_else(|| caller.access_username.clone()).unwrap_or_default();
    json!({
        "principalId": caller.sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": format!("{stage_arn}/*")}]
        },
        "context": {"owner": caller.sub, "email": caller.email.clone().unwrap_or_default(), "username": username}
    })
}

/// Handles one authorizer event: the policy, or `Err` with the reason (reported to API
/// Gateway as `Unauthorized`).
pub async fn authorize(event: &Value, verifier: &Verifier) -> Result<Value, Rejection> {
    let token = token_of(event).ok_or(Rejection::NoToken)?;
    let caller = verifier.verify(token).await?;
    Ok(allow(event, &caller))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_in_each_place_an_api_puts_it() {
        assert_eq!(token_of(&json!({"type": "TOKEN", "authorizationToken": "Bearer abc"})), Some("abc"));
        assert_eq!(token_of(&json!({"headers": {"authorization": "Bearer xyz"}})), Some("xyz"));
        assert_eq!(token_of(&json!({"headers": {"Authorization": "Bearer xyz"}})), Some("xyz"));
        assert_eq!(token_of(&json!({"queryStringParameters": {"token": "ws"}})), Some("ws"));
        assert_eq!(token_of(&json!({"headers": {"Authorization": "Bearer "}})), None);
        assert_eq!(token_of(&json!({})), None);
    }

    #[test]
    fn the_policy_covers_the_whole_stage_and_names_the_owner() {
        let event = json!({"methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/jobs/42"});
        let caller = Caller { sub: "u-1".into(), email: Some("a@b.c".into()), username: None, access_username: None };
        let policy = allow(&event, &caller);
        assert_eq!(policy["principalId"], "u-1");
        assert_eq!(policy["context"]["owner"], "u-1");
        assert_eq!(
            policy["policyDocument"]["Statement"][0]["Resource"],
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"
        );
    }
}
