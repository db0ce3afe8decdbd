//! docex on AWS: one adapter per port of `docex-core`, each over the official AWS SDK
//! client, plus what every docex Lambda shares (SDK configuration, settings from the
//! environment, JSON logs, errors as `Diagnostic`s named `Docex.*`).
//!
//! | port / use                   | adapter                         | service            |
//! |------------------------------|---------------------------------|--------------------|
//! | `BlobStore`, presigned URLs  | [`s3::S3BlobStore`]             | S3                 |
//! | `SpecStore`                  | [`s3::S3SpecStore`]             | S3 (specs bucket)  |
//! | `JobStore`                   | [`dynamodb::DynamoJobStore`]    | DynamoDB           |
//! | `ResultStore`                | [`rds::RdsResultStore`]         | RDS Data API       |
//! | `EventBus`                   | [`events::EventBridgeBus`]      | EventBridge        |
//! | workflow starts and re-drive | [`sfn::Workflows`]              | Step Functions     |
//! | `DeadLetterQueue`            | [`sqs::SqsDeadLetterQueue`]     | SQS                |
//! | live status to browsers      | [`websocket::Connections`]      | API Gateway + DynamoDB |
//! | the REST API's ports         | [`api`] (`SignedUrls`, `JobQueries`, `WorkflowControl`, `Catalog`) | S3, DynamoDB, Step Functions |
//!
//! Every adapter is tested over the service's real wire protocol against a local server
//! (moto for most, docex's own Data API server for RDS); see the crate's `tests/`.

pub mod api;
pub mod config;
pub mod dynamodb;
pub mod error;
pub mod events;
pub mod lambda;
pub mod rds;
pub mod s3;
pub mod sfn;
pub mod sqs;
pub mod websocket;
