//! The REST API's ports (`docex_core::api`) over the AWS adapters: presigned S3 URLs,
//! a user's jobs from the DynamoDB owner index, re-drive through Step Functions, what
//! follows a reviewer's correction (events on the docex bus), and the spec and template
//! names of the buckets plus the shipped ones.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_s3::Client;
use docex_core::DocexError;
use docex_core::EventBus;
use docex_core::api::{
    BUILTIN_TEMPLATE_NAMES, Catalog, Corrections, JobPage, JobQueries, ReportState, SignedRequest, SignedUrls,
    StateRun, WorkflowControl, state_runs,
};
use docex_core::builtin::BUILTIN_SPECS;
use docex_core::job::{JobEvent, JobRecord, StatusUpdate};
use docex_core::outcome::JobStatus;

use crate::config;
use crate::dynamodb::DynamoJobStore;
use crate::error::{classify, from_sdk};
use crate::events::EventBridgeBus;
use crate::s3::{PresignedRequest, S3BlobStore};
use crate::sfn::Workflows;

/// The most names [`S3Catalog`] reads from one bucket (one listing page).
pub const MAX_CATALOG_NAMES: i32 = 1000;

fn expiring(request: PresignedRequest, expires: Duration) -> SignedRequest {
    let expires_at = chrono::Utc::now() + chrono::Duration::from_std(expires).unwrap_or_default();
    SignedRequest {
        url: request.url,
        method: request.method,
        headers: request.headers,
        expires_at: expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[async_trait]
impl SignedUrls for S3BlobStore {
    async fn upload_url(&self, key: &str, content_type: &str, expires: Duration) -> Result<SignedRequest, DocexError> {
        Ok(expiring(self.presign_put(key, content_type, expires).await?, expires))
    }

    async fn download_url(
        &self,
        key: &str,
        expires: Duration,
        filename: Option<&str>,
    ) -> Result<SignedRequest, DocexError> {
        Ok(expiring(self.presign_get(key, expires, filename).await?, expires))
    }
}

#[async_trait]
impl JobQueries for DynamoJobStore {
    async fn jobs_of(
        &self,
        owner: &str,
        status: Option<JobStatus>,
        limit: usize,
        page_token: Option<&str>,
    ) -> Result<JobPage, DocexError> {
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        let page = self.list_for_owner(owner, status, limit, page_token).await?;
        Ok(JobPage { jobs: page.jobs, next_page_token: page.next_page_token })
    }

    async fn status_history(&self, job_id: &str) -> Result<Vec<StatusUpdate>, DocexError> {
        self.history(job_id).await
    }
}

#[async_trait]
impl WorkflowControl for Workflows {
    async fn redrive_job(&self, job_id: &str) -> Result<String, DocexError> {
        self.redrive(job_id).await
    }

    async fn state_runs(&self, job_id: &str) -> Result<Vec<StateRun>, DocexError> {
        if self.describe(job_id).await?.is_none() {
            return Ok(Vec::new());
        }
        let history = self.history(job_id).await?;
        Ok(state_runs(history.iter().map(|event| (event.event_type.as_str(), event.state_name.as_deref()))))
    }
}

/// The `detail-type` of the event that asks for a corrected result to be stored and its
/// report rendered again. Its `detail` is `{"job_id", "owner", "spec", "template", "at"}`.
pub const RESULT_CORRECTED: &str = "Job Result Corrected";

/// How an EventBridge rule turns a [`RESULT_CORRECTED`] event into the input of the
/// `store-result` and `render-report` functions (the task input `{job_id, spec, template}`):
/// the input transformer's paths and template, as `terraform/corrections.tf` sets them.
pub const CORRECTION_INPUT_PATHS: &[(&str, &str)] =
    &[("job_id", "$.detail.job_id"), ("spec", "$.detail.spec"), ("template", "$.detail.template")];
/// See [`CORRECTION_INPUT_PATHS`]. The values sit inside quotes: job ids, spec and template
/// names are plain names (letters, digits, `-`, `_`), so they need no escaping, and the
/// template is JSON both for EventBridge and for the emulator the tests use.
pub const CORRECTION_INPUT_TEMPLATE: &str = r#"{"job_id": "<job_id>", "spec": "<spec>", "template": "<template>"}"#;

/// Corrections on AWS: the job's new status goes out as a `Job Status Changed` event (to the
/// owner's open pages, like any status change), and a [`RESULT_CORRECTED`] event hands the
/// rest to the workflow's own StoreResult and RenderReport functions through a rule on the
/// docex bus. So the API function carries neither Typst nor database access, and the same
/// code stores and renders a corrected result as a fresh one. The report is pending until
/// RenderReport has run (seconds); EventBridge retries the functions when they fail.
#[derive(Debug, Clone)]
pub struct EventBridgeCorrections {
    client: aws_sdk_eventbridge::Client,
    bus: EventBridgeBus,
}

impl EventBridgeCorrections {
    pub fn new(client: aws_sdk_eventbridge::Client, bus_name: impl Into<String>) -> EventBridgeCorrections {
        let bus = EventBridgeBus::new(client.clone(), bus_name);
        EventBridgeCorrections { client, bus }
    }

    /// On the bus named by `DOCEX_EVENT_BUS`, `default` when unset.
    pub fn from_env(sdk: &SdkConfig) -> EventBridgeCorrections {
        let bus = EventBridgeBus::from_env(sdk);
        EventBridgeCorrections::new(aws_sdk_eventbridge::Client::new(sdk), bus.bus_name())
    }
}

#[async_trait]
impl Corrections for EventBridgeCorrections {
    async fn result_corrected(&self, job: &JobRecord, update: &StatusUpdate) -> Result<ReportState, DocexError> {
        self.bus.publish(&JobEvent::new(&job.owner, update)).await?;
        let detail = serde_json::json!({
            "job_id": job.job_id, "owner": job.owner, "spec": job.spec, "template": job.template, "at": update.at,
        });
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(self.bus.bus_name())
            .source(JobEvent::SOURCE)
            .detail_type(RESULT_CORRECTED)
            .detail(detail.to_string())
            .build();
        let what = format!("EventBridge PutEvents {} for job {}", self.bus.bus_name(), job.job_id);
        let output = self.client.put_events().entries(entry).send().await.map_err(|e| from_sdk(&what, e))?;
        if let Some(failed) = output.entries().iter().find(|e| e.error_code().is_some()) {
            let code = failed.error_code();
            let message = failed.error_message().unwrap_or("no message");
            return Err(classify(code, &format!("{what}: the entry failed: {} {message}", code.unwrap_or("?"))));
        }
        Ok(ReportState::Pending)
    }
}

/// Spec names from the specs bucket (`<name>.json`) and template names from the templates
/// bucket (`<name>/` folders), each with the shipped ones.
#[derive(Debug, Clone)]
pub struct S3Catalog {
    client: Client,
    specs_bucket: String,
    templates_bucket: String,
}

impl S3Catalog {
    pub fn new(client: Client, specs_bucket: impl Into<String>, templates_bucket: impl Into<String>) -> S3Catalog {
        S3Catalog { client, specs_bucket: specs_bucket.into(), templates_bucket: templates_bucket.into() }
    }

    /// With the buckets named by `DOCEX_SPECS_BUCKET` and `DOCEX_TEMPLATES_BUCKET`.
    pub fn from_env(sdk: &SdkConfig) -> Result<S3Catalog, DocexError> {
        Ok(S3Catalog::new(
            crate::s3::client(sdk),
            config::required(config::SPECS_BUCKET)?,
            config::required(config::TEMPLATES_BUCKET)?,
        ))
    }
}

#[async_trait]
impl Catalog for S3Catalog {
    async fn spec_names(&self) -> Result<Vec<String>, DocexError> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.specs_bucket)
            .delimiter("/")
            .max_keys(MAX_CATALOG_NAMES)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("S3 ListObjectsV2 {}", self.specs_bucket), e))?;
        let mut names: BTreeSet<String> = BUILTIN_SPECS.iter().map(|(name, _)| name.to_string()).collect();
        for object in page.contents() {
            if let Some(name) = object.key().and_then(|key| key.strip_suffix(".json")).filter(|n| is_plain_name(n)) {
                names.insert(name.to_string());
            }
        }
        Ok(names.into_iter().collect())
    }

    async fn template_names(&self) -> Result<Vec<String>, DocexError> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.templates_bucket)
            .delimiter("/")
            .max_keys(MAX_CATALOG_NAMES)
            .send()
            .await
            .map_err(|e| from_sdk(&format!("S3 ListObjectsV2 {}", self.templates_bucket), e))?;
        let mut names: BTreeSet<String> = BUILTIN_TEMPLATE_NAMES.iter().map(|name| name.to_string()).collect();
        for prefix in page.common_prefixes() {
            if let Some(name) = prefix.prefix().and_then(|p| p.strip_suffix('/')).filter(|n| is_plain_name(n)) {
                names.insert(name.to_string());
            }
        }
        Ok(names.into_iter().collect())
    }
}

/// A spec or template name as the stores accept it: letters, digits, `-` and `_`, at most 64.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
