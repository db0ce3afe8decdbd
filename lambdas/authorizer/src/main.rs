//! The authorizer Lambda's entry point: authorizer events to [`authorizer::authorize`].

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    docex_aws::lambda::init_logging();
    let verifier = &authorizer::Verifier::new(authorizer::Pool::from_env()?);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        authorizer::authorize(&event.payload, verifier).await.map_err(|reason| {
            tracing::warn!(%reason, "token refused");
            // API Gateway answers 401 for exactly this message.
            Diagnostic { error_type: "Unauthorized".into(), error_message: "Unauthorized".into() }
        })
    }))
    .await
}
