//! Test support: local servers that speak the real wire protocols, started by the tests
//! themselves, so every adapter is exercised through its real client without an AWS
//! account or a model endpoint.
//!
//! - [`moto`]: the AWS emulator (S3, DynamoDB, SQS, EventBridge, Step Functions, Cognito,
//!   API Gateway management), one server per test process on a free loopback port.
//! - [`postgres`]: a scratch database on the PostgreSQL at 127.0.0.1:5432, dropped afterwards.
//! - [`runtime_api`]: a Lambda Runtime API server to run a `bootstrap` binary against.
//! - [`canned`]: a one-shot endpoint for answers an emulator cannot give.
//! - [`fake_bedrock`] and [`fake_openai`]: scripted model servers speaking Bedrock Converse
//!   and OpenAI chat completions.

pub mod canned;
pub mod fake_bedrock;
pub mod fake_openai;
pub mod moto;
pub mod postgres;
pub mod runtime_api;
pub mod scripted;
