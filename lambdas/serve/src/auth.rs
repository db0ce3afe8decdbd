//! Who a request is from. Without sign-in every request is the one local user; with an
//! issuer configured, a request names its user with a token (`Authorization: Bearer …`,
//! or `?token=` on the WebSocket, where browsers cannot set headers) that
//! `authorizer::Verifier` checks exactly as the API Gateway authorizer does. The caller
//! goes into the request as the [`api::Caller`] the API's routes are scoped to; nothing a
//! client sends can set it otherwise.

use std::sync::Arc;

use api::{ApiError, Caller};
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// How callers are named.
#[derive(Clone)]
pub enum Authentication {
    /// Every request is this one user (no sign-in).
    SingleUser(String),
    /// Tokens of this issuer and client.
    Tokens(Arc<authorizer::Verifier>),
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The token a request carries, if any: the `Authorization` header, or on the status
/// socket (whose path inside the API is [`crate::SOCKET_ROUTE`]) the `token` parameter.
fn token_of(request: &Request) -> Option<String> {
    let header = request.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    let bearer = header.map(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).unwrap_or(h).trim());
    let from_query = || {
        let socket = request.uri().path() == crate::SOCKET_ROUTE;
        socket.then(|| Query::<TokenQuery>::try_from_uri(request.uri()).ok()?.0.token).flatten()
    };
    bearer.filter(|t| !t.is_empty()).map(String::from).or_else(from_query).filter(|t| !t.is_empty())
}

/// Middleware: names the caller, or refuses a token that does not verify (`401
/// Api.Unauthorized`). A request without a token goes on with no caller: the routes that
/// need one refuse it, `GET /api/health` does not.
pub async fn authenticate(State(authentication): State<Authentication>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().remove::<Caller>();
    match &authentication {
        Authentication::SingleUser(owner) => {
            if let Some(caller) = Caller::new(owner) {
                request.extensions_mut().insert(caller);
            }
        }
        Authentication::Tokens(verifier) => {
            if let Some(token) = token_of(&request) {
                match verifier.verify(&token).await {
                    Ok(user) => match Caller::new(&user.sub) {
                        Some(caller) => {
                            request.extensions_mut().insert(caller);
                        }
                        None => return invalid_token(),
                    },
                    Err(reason) => {
                        tracing::warn!(%reason, "token refused");
                        return invalid_token();
                    }
                }
            }
        }
    }
    next.run(request).await
}

fn invalid_token() -> Response {
    ApiError::new(StatusCode::UNAUTHORIZED, "Api.Unauthorized", "the token is not valid: sign in again").into_response()
}
