//! The WebSocket API's connection routes. On `$connect` (after the Lambda authorizer
//! accepted the user's token) the connection is recorded for the user the authorizer named
//! in its context (`requestContext.authorizer.owner`, the Cognito `sub`); on `$disconnect`
//! it is forgotten. The status Lambda pushes each job event to its owner's connections only
//! (see `docex_aws::websocket`).
//!
//! The answer is the proxy response API Gateway expects: `200` accepts the connection; a
//! `$connect` without an owner is `401` and the connection is refused. A storage failure is
//! a Lambda error under its `Docex.*` name, which also refuses the connection.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use docex_aws::websocket::Connections;
use docex_core::DocexError;
use serde_json::json;

/// The owner the authorizer named, if any.
pub fn owner_of(event: &ApiGatewayWebsocketProxyRequest) -> Option<&str> {
    event.request_context.authorizer.fields.get("owner").and_then(|owner| owner.as_str()).filter(|o| !o.is_empty())
}

/// The route of the event: `$connect`, `$disconnect`, or another.
fn route_of(event: &ApiGatewayWebsocketProxyRequest) -> &str {
    let context = &event.request_context;
    match (context.route_key.as_deref(), context.event_type.as_deref()) {
        (Some(route), _) => route,
        (None, Some("CONNECT")) => "$connect",
        (None, Some("DISCONNECT")) => "$disconnect",
        _ => "",
    }
}

fn answer(status: i64, name: Option<&str>, message: &str) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    let body = match name {
        Some(name) => json!({"error": {"name": name, "message": message}}),
        None => json!({"message": message}),
    };
    response.body = Some(Body::Text(body.to_string()));
    response
        .headers
        .insert(aws_lambda_events::http::header::CONTENT_TYPE, "application/json".parse().expect("a header value"));
    response
}

/// Handles one `$connect` or `$disconnect`.
pub async fn handle(
    event: &ApiGatewayWebsocketProxyRequest,
    connections: &Connections,
) -> Result<ApiGatewayProxyResponse, DocexError> {
    let route = route_of(event);
    let Some(connection_id) = event.request_context.connection_id.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(answer(400, Some("Api.InvalidEvent"), "the event names no connection"));
    };
    match route {
        "$connect" => {
            let Some(owner) = owner_of(event) else {
                tracing::warn!(connection_id, "a connection without an authorized user was refused");
                return Ok(answer(401, Some("Api.Unauthorized"), "sign in first: the connection names no user"));
            };
            connections.add(connection_id, owner).await?;
            tracing::info!(connection_id, owner, "connected");
            Ok(answer(200, None, "connected"))
        }
        "$disconnect" => {
            connections.remove(connection_id).await?;
            tracing::info!(connection_id, "disconnected");
            Ok(answer(200, None, "disconnected"))
        }
        other => {
            let shown: String = other.chars().take(100).collect();
            Ok(answer(
                400,
                Some("Api.RouteNotFound"),
                &format!("this function serves $connect and $disconnect, not {shown:?}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(mut value: serde_json::Value) -> ApiGatewayWebsocketProxyRequest {
        value["requestContext"]["connectedAt"] = json!(1772360130000i64);
        value["requestContext"]["requestTimeEpoch"] = json!(1772360130000i64);
        serde_json::from_value(value).expect("a WebSocket event")
    }

    #[test]
    fn the_owner_and_route_come_from_the_request_context() {
        let connect = event(json!({"requestContext": {"routeKey": "$connect", "eventType": "CONNECT",
            "connectionId": "c1", "authorizer": {"owner": "u-1", "principalId": "u-1"}}}));
        assert_eq!((route_of(&connect), owner_of(&connect)), ("$connect", Some("u-1")));
        let by_type = event(json!({"requestContext": {"eventType": "DISCONNECT", "connectionId": "c1"}}));
        assert_eq!((route_of(&by_type), owner_of(&by_type)), ("$disconnect", None));
        for authorizer in [json!({}), json!({"owner": ""}), json!({"owner": 1}), json!(null)] {
            let e = event(json!({"requestContext": {"routeKey": "$connect", "authorizer": authorizer}}));
            assert_eq!(owner_of(&e), None);
        }
    }
}
