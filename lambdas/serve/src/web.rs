//! The browser app: the files of its build folder (`web/dist` by default), any other path
//! answered with its `index.html` (the app routes in the browser), and `GET /config.json`,
//! which tells the app where the API and the status socket are and how to sign in. When
//! the folder holds no built app, a page says how to build it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Where the API is mounted.
pub const API_PATH: &str = "/api";
/// Where the status socket is.
pub const WEBSOCKET_PATH: &str = "/api/ws";

/// The sign-in the app is told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// The token issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`).
    pub issuer: String,
    /// The app client the tokens are issued to.
    pub client_id: String,
    /// Where the issuer's keys are, when not at `<issuer>/.well-known/jwks.json`.
    pub jwks_url: Option<String>,
}

/// `config.json`: `{"api": "/api", "websocket": "/api/ws", "auth": null}`, or with sign-in
/// `"auth": {"issuer": …, "clientId": …}`: the shape the deployment writes too
/// (`terraform/web.tf`, which adds the hosted sign-in page the app signs in through).
pub fn config(sign_in: Option<&SignIn>) -> Value {
    let auth = sign_in.map(|s| json!({"issuer": s.issuer, "clientId": s.client_id}));
    json!({"api": API_PATH, "websocket": WEBSOCKET_PATH, "auth": auth})
}

pub async fn config_json(State(config): State<Arc<Value>>) -> Json<Value> {
    Json((*config).clone())
}

const MISSING_APP: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>docex: the browser app is not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>The browser app is not built</h1>
<p><code>docex serve</code> is running: the API is at <a href="/api/health"><code>/api</code></a>
and live job status at <code>/api/ws</code>, but the folder of the browser app holds no
<code>index.html</code>.</p>
<p>Build the app from the docex source folder, then reload this page:</p>
<pre>npm --prefix web ci
npm --prefix web run build</pre>
<p>or start the server with the folder of a built app: <code>docex serve --web DIR</code>.</p>
</body>
</html>
"#;

/// Serves the app's files, or the page saying how to build it.
pub async fn app_files(State(dir): State<Arc<PathBuf>>, request: Request) -> Response {
    let index = dir.join("index.html");
    if !index.is_file() {
        return (StatusCode::NOT_FOUND, Html(MISSING_APP)).into_response();
    }
    let files = ServeDir::new(dir.as_path()).fallback(ServeFile::new(index));
    match files.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}
