//! The API Lambda's entry point: the router over the AWS adapters, behind API Gateway.
//!
//! Settings: `DOCEX_INPUT_BUCKET`, `DOCEX_OUTPUT_BUCKET`, `DOCEX_SPECS_BUCKET`,
//! `DOCEX_TEMPLATES_BUCKET`, `DOCEX_JOBS_TABLE`, `DOCEX_STATE_MACHINE_ARN`, `DOCEX_EVENT_BUS`
//! (where corrections are announced), and `DOCEX_ALLOWED_ORIGIN` for CORS.

use std::sync::Arc;

use docex_aws::api::{EventBridgeCorrections, S3Catalog};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let blobs = Arc::new(aws.blobs()?);
    let ports = api::Ports {
        jobs: Arc::new(aws.jobs()?),
        blobs: blobs.clone(),
        urls: blobs,
        specs: Arc::new(aws.specs()?),
        catalog: Arc::new(S3Catalog::from_env(&aws.sdk)?),
        workflows: Arc::new(aws.workflows()?),
        corrections: Arc::new(EventBridgeCorrections::from_env(&aws.sdk)),
    };
    api::lambda::run(api::router(ports, api::Settings::from_env()?)).await
}
