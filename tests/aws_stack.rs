//! A docex deployment on local servers that speak the AWS wire protocols: buckets, tables,
//! queues and an event bus in moto, PostgreSQL behind docex's own RDS Data API endpoint. The
//! AWS-mode tests run the workflow's tasks over it, in process (with the local engine
//! standing in for Step Functions) and as the real Lambda binaries.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use docex_aws::rds::{Database, RdsResultStore};
use docex_aws::s3::{Buckets, S3BlobStore, S3SpecStore};
use docex_aws::{dynamodb, events::EventBridgeBus, sqs::SqsDeadLetterQueue, websocket};
use docex_core::{DeadLetter, JobEvent, JobRecord, JobStatus, JobStore};
use docex_render::{ReportDate, TypstRenderer};
use docex_tasks::Ports;
use docex_testkit::moto::{self, ACCOUNT_ID, REGION, unique_name};
use docex_testkit::postgres::ScratchDatabase;
use serde_json::Value;

/// Every resource of one test's deployment; names are unique per test.
pub struct AwsStack {
    pub sdk: SdkConfig,
    pub buckets: Buckets,
    pub specs_bucket: String,
    pub templates_bucket: String,
    pub jobs_table: String,
    pub connections_table: String,
    pub event_bus: String,
    /// A queue subscribed to the bus's docex events (what the status Lambda would get).
    pub events_queue: String,
    pub dead_letter_queue: String,
    pub state_machine_arn: String,
    pub database: Database,
    pub postgres: ScratchDatabase,
    pub data_api: docex_dataapi::RunningServer,
}

impl AwsStack {
    pub async fn create() -> AwsStack {
        let sdk = moto::moto().sdk_config().await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let buckets = Buckets { input: unique_name("input"), output: unique_name("output") };
        let (specs_bucket, templates_bucket) = (unique_name("specs"), unique_name("templates"));
        for bucket in [&buckets.input, &buckets.output, &specs_bucket, &templates_bucket] {
            s3.create_bucket().bucket(bucket).send().await.expect("bucket");
        }
        let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
        let (jobs_table, connections_table) = (unique_name("jobs"), unique_name("connections"));
        dynamodb::create_table(&dynamo, &jobs_table).await.expect("jobs table");
        websocket::create_table(&dynamo, &connections_table).await.expect("connections table");

        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let queue = |name: String| {
            let sqs = sqs.clone();
            async move { sqs.create_queue().queue_name(name).send().await.expect("queue").queue_url.expect("url") }
        };
        let events_queue = queue(unique_name("events")).await;
        let dead_letter_queue = queue(unique_name("dead-letters")).await;
        let bridge = aws_sdk_eventbridge::Client::new(&sdk);
        let event_bus = unique_name("bus");
        bridge.create_event_bus().name(&event_bus).send().await.expect("bus");
        let rule = unique_name("docex-events");
        bridge
            .put_rule()
            .name(&rule)
            .event_bus_name(&event_bus)
            .event_pattern(r#"{"source": ["docex"]}"#)
            .send()
            .await
            .expect("rule");
        let queue_name = events_queue.rsplit('/').next().unwrap_or_default();
        let target = aws_sdk_eventbridge::types::Target::builder()
            .id("events-queue")
            .arn(format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}"))
            .build()
            .expect("target");
        bridge.put_targets().rule(&rule).event_bus_name(&event_bus).targets(target).send().await.expect("targets");

        let sfn = aws_sdk_sfn::Client::new(&sdk);
        let definition =
            std::fs::read_to_string(crate::workspace().join("statemachine/docex.asl.json")).expect("the definition");
        let state_machine_arn = sfn
            .create_state_machine()
            .name(unique_name("docex"))
            .definition(definition)
            .role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/docex-states"))
            .send()
            .await
            .expect("state machine")
            .state_machine_arn;

        let postgres = ScratchDatabase::create().await.expect("a scratch PostgreSQL database");
        let data_api = docex_dataapi::bind("127.0.0.1:0", postgres.url()).await.expect("the Data API server");
        let database = Database {
            cluster_arn: format!("arn:aws:rds:{REGION}:{ACCOUNT_ID}:cluster:docex"),
            secret_arn: format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:docex-db"),
            name: postgres.name().to_string(),
        };
        AwsStack {
            sdk,
            buckets,
            specs_bucket,
            templates_bucket,
            jobs_table,
            connections_table,
            event_bus,
            events_queue,
            dead_letter_queue,
            state_machine_arn,
            database,
            postgres,
            data_api,
        }
    }

    /// The environment a Lambda of this deployment gets (as Terraform sets it), with every
    /// client pointed at the local servers.
    pub fn lambda_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_REGION", REGION.to_string()),
            ("AWS_ACCESS_KEY_ID", "test".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
            ("AWS_ENDPOINT_URL", moto::moto().endpoint().to_string()),
            ("AWS_ENDPOINT_URL_RDS_DATA", self.data_api.url().to_string()),
            ("DOCEX_INPUT_BUCKET", self.buckets.input.clone()),
            ("DOCEX_OUTPUT_BUCKET", self.buckets.output.clone()),
            ("DOCEX_SPECS_BUCKET", self.specs_bucket.clone()),
            ("DOCEX_TEMPLATES_BUCKET", self.templates_bucket.clone()),
            ("DOCEX_JOBS_TABLE", self.jobs_table.clone()),
            ("DOCEX_CONNECTIONS_TABLE", self.connections_table.clone()),
            ("DOCEX_EVENT_BUS", self.event_bus.clone()),
            ("DOCEX_DEAD_LETTER_QUEUE_URL", self.dead_letter_queue.clone()),
            ("DOCEX_STATE_MACHINE_ARN", self.state_machine_arn.clone()),
            ("DOCEX_DB_CLUSTER_ARN", self.database.cluster_arn.clone()),
            ("DOCEX_DB_SECRET_ARN", self.database.secret_arn.clone()),
            ("DOCEX_DB_NAME", self.database.name.clone()),
            ("DOCEX_WEBSOCKET_ENDPOINT", moto::moto().endpoint().to_string()),
            ("DOCEX_PROVIDER", "offline".to_string()),
        ]
    }

    pub fn blobs(&self) -> S3BlobStore {
        S3BlobStore::new(aws_sdk_s3::Client::new(&self.sdk), self.buckets.clone())
    }

    pub fn jobs(&self) -> dynamodb::DynamoJobStore {
        dynamodb::DynamoJobStore::new(aws_sdk_dynamodb::Client::new(&self.sdk), &self.jobs_table)
    }

    pub fn results(&self) -> RdsResultStore {
        let mut config = aws_sdk_rdsdata::config::Builder::from(&self.sdk);
        config.set_endpoint_url(Some(self.data_api.url().to_string()));
        RdsResultStore::new(aws_sdk_rdsdata::Client::from_conf(config.build()), self.database.clone())
    }

    pub fn dead_letters(&self) -> SqsDeadLetterQueue {
        SqsDeadLetterQueue::new(aws_sdk_sqs::Client::new(&self.sdk), &self.dead_letter_queue)
    }

    /// The workflow's ports over this deployment, with the offline extractor and the
    /// shipped templates: every task uses its AWS adapter.
    pub fn ports(&self) -> Ports {
        let today = ReportDate::parse("2026-11-28").expect("a date");
        Ports {
            blobs: Arc::new(self.blobs()),
            jobs: Arc::new(self.jobs()),
            results: Arc::new(self.results()),
            specs: Arc::new(S3SpecStore::new(aws_sdk_s3::Client::new(&self.sdk), &self.specs_bucket)),
            renderer: Arc::new(TypstRenderer::new(today)),
            reader: Arc::new(docex_pdf::PdfReader::default()),
            extractor: Arc::new(docex_offline::OfflineExtractor::new()),
            events: Arc::new(EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&self.sdk), &self.event_bus)),
            dead_letters: Arc::new(self.dead_letters()),
        }
    }

    /// Creates a job of `owner` for the invoice spec and uploads `pdf` as its document,
    /// as the API does before the browser's upload.
    pub async fn submit(&self, pdf: &[u8], owner: &str) -> JobRecord {
        let job_id = uuid::Uuid::new_v4().to_string();
        let now = docex_tasks::now();
        let job = JobRecord {
            job_id: job_id.clone(),
            owner: owner.to_string(),
            document: "invoice.pdf".to_string(),
            spec: "invoice".to_string(),
            template: "invoice".to_string(),
            status: JobStatus::Queued,
            error: None,
            confidence: None,
            created_at: now.clone(),
            updated_at: now,
        };
        assert!(self.jobs().create(&job).await.expect("job record"));
        docex_core::BlobStore::put(&self.blobs(), &docex_core::job::keys::input(&job_id), pdf.to_vec())
            .await
            .expect("upload");
        job
    }

    /// The docex events the bus delivered so far (from the subscribed queue), oldest first.
    pub async fn delivered_events(&self) -> Vec<JobEvent> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let mut events = Vec::new();
        loop {
            let received = sqs
                .receive_message()
                .queue_url(&self.events_queue)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .expect("receive");
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                break;
            }
            for message in messages {
                let event: Value = serde_json::from_str(message.body().unwrap_or_default()).expect("an event");
                assert_eq!(event["detail-type"], JobEvent::DETAIL_TYPE);
                events.push(serde_json::from_value(event["detail"].clone()).expect("a job event"));
                if let Some(receipt) = message.receipt_handle() {
                    sqs.delete_message().queue_url(&self.events_queue).receipt_handle(receipt).send().await.ok();
                }
            }
        }
        events.sort_by(|a: &JobEvent, b: &JobEvent| a.at.cmp(&b.at));
        events
    }

    /// The dead letters waiting in the queue.
    pub async fn waiting_dead_letters(&self) -> Vec<DeadLetter> {
        let received = self.dead_letters().receive(10, Duration::from_secs(0)).await.expect("receive");
        received.into_iter().map(|(letter, _)| letter).collect()
    }
}
