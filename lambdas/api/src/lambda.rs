//! The router as an API Gateway REST API Lambda (proxy integration): `lambda_http` turns
//! each proxy event into an HTTP request and the router's response into the proxy
//! response. Before the router sees a request, [`from_api_gateway`] names the caller from
//! the Lambda authorizer's context (`requestContext.authorizer.owner`, the Cognito `sub`)
//! and takes the stage out of the path.

use axum::Router;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use tower::ServiceExt;

use crate::Caller;

/// The caller the authorizer named, if it named one.
pub fn caller_of(request: &Request) -> Option<Caller> {
    match request.extensions().request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => {
            context.authorizer.fields.get("owner").and_then(|owner| owner.as_str()).and_then(Caller::new)
        }
        _ => None,
    }
}

/// The request as the router expects it: the caller in its extensions (and only the one
/// the authorizer named: nothing in the request itself can set it), and the path as the
/// client sent it (`lambda_http` puts the stage in front, `/prod/jobs`; the routes are
/// `/jobs`).
pub fn from_api_gateway(request: Request) -> Request {
    let caller = caller_of(&request);
    let (mut parts, body) = request.into_parts();
    parts.extensions.remove::<Caller>();
    if let Some(caller) = caller {
        parts.extensions.insert(caller);
    }
    if let Some(uri) = without_stage(&parts.uri, &parts.extensions) {
        parts.uri = uri;
    }
    Request::from_parts(parts, body)
}

fn without_stage(uri: &Uri, extensions: &axum::http::Extensions) -> Option<Uri> {
    let stage = match extensions.request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => context.stage.clone()?,
        _ => return None,
    };
    let prefix = format!("/{stage}");
    let raw = extensions.raw_http_path();
    let path = uri.path();
    let rest = path.strip_prefix(&prefix)?;
    // Only a prefix lambda_http added: the client's own path does not start with it.
    if !(rest.is_empty() || rest.starts_with('/')) || raw.starts_with(&format!("{prefix}/")) || raw == prefix {
        return None;
    }
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

/// Serves `router` as this process's Lambda handler until the runtime stops it.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router.map_request(from_api_gateway)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::request::from_str;
    use serde_json::json;

    fn event(path: &str, authorizer: serde_json::Value) -> Request {
        let event = json!({
            "resource": "/{proxy+}",
            "path": path,
            "httpMethod": "GET",
            "headers": {"Host": "api123.execute-api.us-east-1.amazonaws.com"},
            "multiValueHeaders": {"Host": ["api123.execute-api.us-east-1.amazonaws.com"]},
            "queryStringParameters": {"limit": "5"},
            "multiValueQueryStringParameters": {"limit": ["5"]},
            "pathParameters": {"proxy": path.trim_start_matches('/')},
            "stageVariables": null,
            "requestContext": {
                "resourcePath": "/{proxy+}",
                "httpMethod": "GET",
                "path": format!("/prod{path}"),
                "stage": "prod",
                "requestId": "r-1",
                "accountId": "123456789012",
                "apiId": "api123",
                "identity": {"sourceIp": "192.0.2.1"},
                "authorizer": authorizer,
                "requestTimeEpoch": 1772360130000i64
            },
            "body": null,
            "isBase64Encoded": false
        });
        from_str(&event.to_string()).expect("a REST proxy event")
    }

    #[test]
    fn the_authorizers_owner_becomes_the_caller_and_the_stage_leaves_the_path() {
        let request = from_api_gateway(event("/jobs/abc", json!({"owner": "u-1", "principalId": "u-1"})));
        assert_eq!(request.extensions().get::<Caller>().map(|c| c.owner.as_str()), Some("u-1"));
        assert_eq!(request.uri().path(), "/jobs/abc");
        assert_eq!(request.uri().query(), Some("limit=5"));
    }

    #[test]
    fn no_owner_no_caller() {
        for authorizer in
            [json!(null), json!({}), json!({"owner": ""}), json!({"owner": 7}), json!({"principalId": "x"})]
        {
            let request = from_api_gateway(event("/jobs", authorizer.clone()));
            assert!(request.extensions().get::<Caller>().is_none(), "{authorizer}");
            assert_eq!(request.uri().path(), "/jobs");
        }
    }

    #[test]
    fn a_path_that_starts_like_the_stage_is_kept() {
        let request = from_api_gateway(event("/prod/jobs", json!({"owner": "u-1"})));
        assert_eq!(request.uri().path(), "/prod/jobs");
    }
}
