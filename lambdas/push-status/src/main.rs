//! The status Lambda's entry point: EventBridge events to [`push_status::handle`].

use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (jobs, connections) = (&aws.jobs()?, &aws.connections()?);
    docex_aws::lambda::serve(|event: Value| async move { push_status::handle(&event, jobs, connections).await }).await
}
