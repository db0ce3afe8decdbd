//! The verifier against tokens crafted for each way a token can be wrong. moto's Cognito
//! issues only valid tokens, so these are signed here with a test-only RSA key
//! (`keys/pool.pem`) whose public half a loopback server serves as the pool's JWKS: valid
//! ID and access tokens pass; an expired token, a token not valid yet, another issuer,
//! another client, another token use, a signature by another key, `alg: none`, an HMAC
//! token signed with the public key, and a key id the JWKS does not hold are each refused
//! for their own reason. The keys are fetched once and cached.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use authorizer::{Pool, Rejection, Verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
const CLIENT_ID: &str = "docex-web-client";
const KEY_ID: &str = "pool-key-1";

fn pool_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(include_bytes!("keys/pool.pem")).expect("the test key is an RSA key")
}

fn forger_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(include_bytes!("keys/forger.pem")).expect("the test key is an RSA key")
}

/// The pool's JWKS: the public half of `keys/pool.pem` under [`KEY_ID`].
fn jwks() -> JwkSet {
    let mut jwk = Jwk::from_encoding_key(&pool_key(), Algorithm::RS256).expect("a JWK of the test key");
    jwk.common.key_id = Some(KEY_ID.to_string());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
    JwkSet { keys: vec![jwk] }
}

/// Serves `body` as JSON to every request on loopback; the URL and the count of requests.
async fn serve_json(body: String) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    (url, served)
}

async fn verifier() -> (Verifier, Arc<AtomicUsize>) {
    let (url, served) = serve_json(serde_json::to_string(&jwks()).unwrap()).await;
    (Verifier::new(pool(&url)), served)
}

fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    since_epoch.as_secs() as i64
}

fn pool(jwks_url: &str) -> Pool {
    Pool { issuer: ISSUER.to_string(), client_id: CLIENT_ID.to_string(), jwks_url: jwks_url.to_string() }
}

/// The claims of a valid ID token of user `u-1`.
fn id_claims() -> Value {
    json!({
        "sub": "u-1", "iss": ISSUER, "aud": CLIENT_ID, "token_use": "id",
        "email": "ada@example.com", "cognito:username": "ada",
        "iat": now() - 10, "nbf": now() - 10, "exp": now() + 3600
    })
}

/// The claims of a valid access token of user `u-1`.
fn access_claims() -> Value {
    json!({
        "sub": "u-1", "iss": ISSUER, "client_id": CLIENT_ID, "token_use": "access", "username": "ada",
        "iat": now() - 10, "exp": now() + 3600
    })
}

/// `claims` with `changes` merged in (a `null` removes a claim).
fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn sign_with(claims: &Value, key: &EncodingKey, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, key).expect("signed")
}

fn sign(claims: &Value) -> String {
    sign_with(claims, &pool_key(), KEY_ID)
}

fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn valid_id_and_access_tokens_name_the_caller() {
    let (verifier, _) = verifier().await;
    let caller = verifier.verify(&sign(&id_claims())).await.expect("a valid ID token");
    assert_eq!(caller.sub, "u-1");
    assert_eq!(caller.email.as_deref(), Some("ada@example.com"));
    assert_eq!(caller.username.as_deref(), Some("ada"));
    let caller = verifier.verify(&sign(&access_claims())).await.expect("a valid access token");
    assert_eq!((caller.sub.as_str(), caller.access_username.as_deref()), ("u-1", Some("ada")));
    // Within the clock skew allowed (60 s) a token that just expired still passes.
    verifier.verify(&sign(&with(id_claims(), json!({"exp": now() - 20})))).await.expect("within the skew");
}

#[tokio::test]
async fn each_wrong_token_is_refused_for_its_own_reason() {
    let (verifier, served) = verifier().await;
    let expired = sign(&with(id_claims(), json!({"iat": now() - 7200, "exp": now() - 3600})));
    let not_yet = sign(&with(id_claims(), json!({"nbf": now() + 3600})));
    let wrong_issuer = sign(&with(id_claims(), json!({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/other"})));
    let no_issuer = sign(&with(id_claims(), json!({"iss": null})));
    let no_expiry = sign(&with(id_claims(), json!({"exp": null})));
    let wrong_client = sign(&with(id_claims(), json!({"aud": "someone-elses-client"})));
    let wrong_access_client = sign(&with(access_claims(), json!({"client_id": "someone-elses-client"})));
    // An access token has no `aud`; an ID token's `client_id` is not its audience.
    let id_without_audience = sign(&with(id_claims(), json!({"aud": null, "client_id": CLIENT_ID})));
    let refresh_use = sign(&with(id_claims(), json!({"token_use": "refresh"})));
    let forged = sign_with(&id_claims(), &forger_key(), KEY_ID);
    let unknown_key = sign_with(&id_claims(), &forger_key(), "not-in-the-jwks");
    let valid = sign(&id_claims());
    let (header, payload) = valid.rsplit_once('.').unwrap().0.split_once('.').unwrap();
    let alg_none = format!("{}.{payload}.", segment(&json!({"alg": "none", "typ": "JWT", "kid": KEY_ID})));
    let alg_none_signed = format!("{}.{payload}.{}", segment(&json!({"alg": "none", "kid": KEY_ID})), "AAAA");
    // The classic confusion: an HMAC token whose secret is the pool's public key.
    let public_n = match &jwks().keys[0].algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) => rsa.n.clone(),
        other => panic!("not an RSA key: {other:?}"),
    };
    let mut hmac_header = Header::new(Algorithm::HS256);
    hmac_header.kid = Some(KEY_ID.to_string());
    let hmac =
        jsonwebtoken::encode(&hmac_header, &id_claims(), &EncodingKey::from_secret(public_n.as_bytes()).unwrap())
            .unwrap();
    let tampered_claims = format!(
        "{}.{}.{}",
        header,
        segment(&with(id_claims(), json!({"sub": "u-2"}))),
        valid.rsplit('.').next().unwrap()
    );
    let no_kid = {
        let header = Header::new(Algorithm::RS256);
        jsonwebtoken::encode(&header, &id_claims(), &pool_key()).unwrap()
    };

    let invalid_because = |reason: &str| {
        let reason = reason.to_string();
        move |rejection: &Rejection| matches!(rejection, Rejection::Invalid(message) if message.contains(&reason))
    };
    type Check = Box<dyn Fn(&Rejection) -> bool>;
    let cases: Vec<(&str, String, Check)> = vec![
        ("expired", expired, Box::new(invalid_because("ExpiredSignature"))),
        ("not before in the future", not_yet, Box::new(invalid_because("ImmatureSignature"))),
        ("wrong issuer", wrong_issuer, Box::new(invalid_because("InvalidIssuer"))),
        ("no issuer", no_issuer, Box::new(invalid_because("iss"))),
        ("no expiry", no_expiry, Box::new(invalid_because("exp"))),
        ("wrong client (ID token)", wrong_client, Box::new(|r: &Rejection| matches!(r, Rejection::WrongClient))),
        (
            "wrong client (access token)",
            wrong_access_client,
            Box::new(|r: &Rejection| matches!(r, Rejection::WrongClient)),
        ),
        (
            "ID token without audience",
            id_without_audience,
            Box::new(|r: &Rejection| matches!(r, Rejection::WrongClient)),
        ),
        (
            "wrong token use",
            refresh_use,
            Box::new(|r: &Rejection| matches!(r, Rejection::WrongUse(u) if u == "refresh")),
        ),
        ("bad signature", forged, Box::new(invalid_because("InvalidSignature"))),
        ("tampered claims", tampered_claims, Box::new(invalid_because("InvalidSignature"))),
        ("alg none", alg_none, Box::new(|r: &Rejection| matches!(r, Rejection::Invalid(_)))),
        ("alg none with a signature", alg_none_signed, Box::new(|r: &Rejection| matches!(r, Rejection::Invalid(_)))),
        ("HMAC with the public key", hmac, Box::new(|r: &Rejection| matches!(r, Rejection::Invalid(_)))),
        (
            "key id not in the JWKS",
            unknown_key,
            Box::new(|r: &Rejection| matches!(r, Rejection::UnknownKey(k) if k == "not-in-the-jwks")),
        ),
        ("no key id", no_kid, Box::new(invalid_because("no key"))),
        ("not a JWT", "not-a-jwt".to_string(), Box::new(|r: &Rejection| matches!(r, Rejection::Invalid(_)))),
    ];
    for (case, token, expected) in &cases {
        match verifier.verify(token).await {
            Ok(caller) => panic!("{case}: accepted as {caller:?}"),
            Err(rejection) => assert!(expected(&rejection), "{case}: refused for another reason: {rejection}"),
        }
    }
    // The valid token still passes after all that, and the keys were fetched once: an
    // unknown key id does not make every request fetch them again.
    verifier.verify(&valid).await.expect("the valid token");
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_refuse_every_token() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    let verifier = Verifier::new(pool(&url));
    let refused = verifier.verify(&sign(&id_claims())).await.unwrap_err();
    assert!(matches!(refused, Rejection::KeysUnavailable(_)), "{refused}");

    let (url, _) = serve_json("{\"not\": \"a jwks\"}".to_string()).await;
    let verifier = Verifier::new(pool(&url));
    let refused = verifier.verify(&sign(&id_claims())).await.unwrap_err();
    assert!(matches!(refused, Rejection::KeysUnavailable(_)), "{refused}");
}
