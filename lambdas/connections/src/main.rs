//! The connections Lambda's entry point: WebSocket `$connect`/`$disconnect` events to
//! [`connections::handle`]. Settings: `DOCEX_CONNECTIONS_TABLE`, `DOCEX_WEBSOCKET_ENDPOINT`.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let store = &aws.connections()?;
    docex_aws::lambda::serve(|event: ApiGatewayWebsocketProxyRequest| async move {
        connections::handle(&event, store).await
    })
    .await
}
