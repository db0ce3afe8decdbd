//! Step Functions workflows against moto through the real Step Functions client: a start
//! named by the job id, a second start with the same input reported as already started and
//! one with another input refused, the execution described, its history read, and
//! `RedriveExecution`: moto does not implement it, so its failure is checked against moto
//! and the request and the reading of each answer against canned answers on the wire.
//!
//! moto runs executions only when told to (see `moto_asl.rs`); by default, as here, an
//! execution stays `RUNNING` and its history is moto's canned one, so this file checks the
//! adapter's requests and how it reads the answers, not the workflow.

use docex_aws::sfn::{Start, Workflows};
use docex_core::DocexError;
use docex_testkit::canned::answer_once;
use docex_testkit::moto::{ACCOUNT_ID, REGION, moto, unique_name};
use serde_json::json;

async fn workflows() -> (aws_sdk_sfn::Client, Workflows) {
    let client = aws_sdk_sfn::Client::new(&moto().sdk_config().await);
    let definition = json!({
        "StartAt": "PrepareDocument",
        "States": {"PrepareDocument": {"Type": "Pass", "End": true}}
    });
    let created = client
        .create_state_machine()
        .name(unique_name("docex"))
        .definition(definition.to_string())
        .role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/docex-workflow"))
        .send()
        .await
        .unwrap();
    (client.clone(), Workflows::new(client, created.state_machine_arn()))
}

#[tokio::test]
async fn a_job_starts_once_under_its_own_name() {
    let (_, workflows) = workflows().await;
    let job_id = unique_name("job");
    let input = json!({"job_id": job_id, "spec": "invoice", "template": "invoice"});

    let first = workflows.start(&job_id, &input).await.unwrap();
    let expected_arn = workflows.execution_arn(&job_id).unwrap();
    assert_eq!(first, Start::Started { execution_arn: expected_arn.clone() });
    assert!(expected_arn.starts_with(&format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:docex-")));
    assert!(expected_arn.ends_with(&format!(":{job_id}")));

    let second = workflows.start(&job_id, &input).await.unwrap();
    assert_eq!(second, Start::AlreadyStarted { execution_arn: expected_arn.clone() });
    assert!(matches!(
        workflows.start(&job_id, &json!({"job_id": job_id, "spec": "receipt"})).await,
        Err(DocexError::InvalidInput(message)) if message.contains("another input")
    ));
    assert!(matches!(workflows.start("bad/id", &input).await, Err(DocexError::InvalidInput(_))));

    let execution = workflows.describe(&job_id).await.unwrap().expect("the execution");
    assert_eq!(execution.execution_arn, expected_arn);
    assert_eq!(execution.status, "RUNNING");
    assert_eq!(execution.input, Some(input));
    assert!(chrono::DateTime::parse_from_rfc3339(&execution.start_date).is_ok(), "{}", execution.start_date);
    assert_eq!(execution.stop_date, None);
    assert_eq!(execution.redrive_count, 0);
    assert_eq!(workflows.describe("never-started").await.unwrap(), None);
}

#[tokio::test]
async fn the_history_of_an_execution_is_read_in_order() {
    let (_, workflows) = workflows().await;
    let job_id = unique_name("job");
    workflows.start(&job_id, &json!({"job_id": job_id})).await.unwrap();
    let history = workflows.history(&job_id).await.unwrap();
    assert!(!history.is_empty());
    assert_eq!(history[0].event_type, "ExecutionStarted");
    let ids: Vec<i64> = history.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for event in &history {
        assert!(chrono::DateTime::parse_from_rfc3339(&event.timestamp).is_ok(), "{}", event.timestamp);
        if event.event_type.ends_with("StateEntered") || event.event_type.ends_with("StateExited") {
            assert!(event.state_name.is_some(), "{event:?}");
        }
    }
    assert!(matches!(workflows.history("never-started").await, Err(DocexError::Storage(_))));
}

#[tokio::test]
async fn a_stopped_execution_is_described_as_such_and_a_second_start_finds_it() {
    let (client, workflows) = workflows().await;
    let job_id = unique_name("job");
    let input = json!({"job_id": job_id});
    workflows.start(&job_id, &input).await.unwrap();
    client
        .stop_execution()
        .execution_arn(workflows.execution_arn(&job_id).unwrap())
        .error("Docex.Cancelled")
        .cause("stopped by an operator")
        .send()
        .await
        .unwrap();
    let execution = workflows.describe(&job_id).await.unwrap().unwrap();
    assert_eq!(execution.status, "ABORTED");
    assert!(execution.stop_date.is_some());
    // A finished execution with the same name and input is still this job's execution.
    assert!(matches!(workflows.start(&job_id, &input).await, Ok(Start::AlreadyStarted { .. })));
}

#[tokio::test]
async fn redrive_on_moto_fails_with_a_named_error() {
    let (_, workflows) = workflows().await;
    let job_id = unique_name("job");
    workflows.start(&job_id, &json!({"job_id": job_id})).await.unwrap();
    // moto 5.2 has no RedriveExecution: it answers HTTP 500 with an HTML page. The adapter
    // reports that as Docex.Storage (not retried) naming the operation and the job.
    match workflows.redrive(&job_id).await {
        Err(DocexError::Storage(message)) => {
            assert!(message.contains("RedriveExecution") && message.contains(&job_id), "{message}");
        }
        other => panic!("expected Docex.Storage from moto's missing RedriveExecution, got {other:?}"),
    }
    assert!(matches!(workflows.redrive("bad id").await, Err(DocexError::InvalidInput(_))));
}

#[tokio::test]
async fn redrive_asks_for_the_jobs_execution_and_names_each_answer() {
    let state_machine = format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:docex");
    let answers: [(u16, &'static str); 4] = [
        (200, r#"{"redriveDate": 1772360130.5}"#),
        (400, r#"{"__type": "ExecutionNotRedrivable", "message": "Execution has SUCCEEDED"}"#),
        (400, r#"{"__type": "ExecutionDoesNotExist", "message": "no such execution"}"#),
        (400, r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#),
    ];
    for (status, body) in answers {
        let (endpoint, server) = answer_once(status, "application/x-amz-json-1.0", body);
        let sdk = moto().sdk_config().await.into_builder().endpoint_url(endpoint).build();
        let workflows = Workflows::new(aws_sdk_sfn::Client::new(&sdk), &state_machine);
        let result = workflows.redrive("job-42").await;
        let request = server.join().unwrap();
        assert!(request.contains("AWSStepFunctions.RedriveExecution"), "{request}");
        assert!(
            request
                .contains(&format!(r#""executionArn":"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:docex:job-42""#)),
            "{request}"
        );
        match (status, result) {
            (200, Ok(date)) => assert_eq!(date, "2026-03-01T10:15:30.5Z"),
            (_, Err(DocexError::InvalidInput(message))) if body.contains("NotRedrivable") => {
                assert!(message.contains("cannot be re-driven") && message.contains("SUCCEEDED"), "{message}")
            }
            (_, Err(DocexError::InvalidInput(message))) if body.contains("DoesNotExist") => {
                assert!(message.contains("no execution"), "{message}")
            }
            (_, Err(DocexError::Throttled(_))) if body.contains("Throttling") => {}
            (_, other) => panic!("unexpected {other:?} for {body}"),
        }
    }
}
