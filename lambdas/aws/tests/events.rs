//! The EventBridge bus against moto through the real EventBridge and SQS clients: a rule on
//! the bus matching docex's events with an SQS queue as target receives each published
//! `JobEvent` with the documented source, detail-type and detail. A failed entry in a
//! `PutEvents` answer (which moto never produces) is checked against a canned answer.

use docex_aws::events::EventBridgeBus;
use docex_core::error::ErrorReport;
use docex_core::job::JobEvent;
use docex_core::outcome::JobStatus;
use docex_core::{DocexError, EventBus};
use docex_testkit::canned::answer_once;
use docex_testkit::moto::{moto, queue_with_arn, unique_name};
use serde_json::{Value, json};

fn event(job_id: &str, status: JobStatus) -> JobEvent {
    JobEvent {
        job_id: job_id.to_string(),
        owner: "alice".to_string(),
        status,
        error: (status == JobStatus::Failed)
            .then(|| ErrorReport { name: "Docex.NotPdf".into(), message: "the file is not a PDF: a PNG".into() }),
        confidence: (status == JobStatus::Succeeded).then_some(0.93),
        at: "2026-03-01T10:15:30.120Z".to_string(),
    }
}

#[tokio::test]
async fn published_events_reach_a_queue_through_a_rule_on_the_bus() {
    let sdk = moto().sdk_config().await;
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);

    let bus = unique_name("bus");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let (queue_url, queue_arn) = queue_with_arn(&sqs, "status").await;
    let pattern = json!({"source": [JobEvent::SOURCE], "detail-type": [JobEvent::DETAIL_TYPE]});
    events
        .put_rule()
        .name("docex-status")
        .event_bus_name(&bus)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("docex-status")
        .event_bus_name(&bus)
        .targets(aws_sdk_eventbridge::types::Target::builder().id("queue").arn(&queue_arn).build().unwrap())
        .send()
        .await
        .unwrap();

    let publisher = EventBridgeBus::new(events.clone(), &bus);
    let failed = event("job-1", JobStatus::Failed);
    let succeeded = event("job-2", JobStatus::Succeeded);
    publisher.publish(&failed).await.unwrap();
    publisher.publish(&succeeded).await.unwrap();

    let mut received: Vec<Value> = Vec::new();
    for _ in 0..5 {
        let output = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        received.extend(output.messages().iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()));
        if received.len() >= 2 {
            break;
        }
    }
    assert_eq!(received.len(), 2, "{received:?}");
    received.sort_by_key(|e| e["detail"]["job_id"].as_str().unwrap_or_default().to_string());
    for (envelope, sent) in received.iter().zip([&failed, &succeeded]) {
        assert_eq!(envelope["source"], "docex");
        assert_eq!(envelope["detail-type"], "Job Status Changed");
        assert_eq!(envelope["time"], "2026-03-01T10:15:30Z", "the event's time is the change's");
        let detail: JobEvent = serde_json::from_value(envelope["detail"].clone()).unwrap();
        assert_eq!(&detail, sent);
    }
    assert_eq!(received[0]["detail"]["status"], "FAILED");
    assert_eq!(received[0]["detail"]["error"]["name"], "Docex.NotPdf");
    assert_eq!(received[1]["detail"]["confidence"], 0.93);
}

#[tokio::test]
async fn a_throttled_entry_is_a_throttled_error_and_another_failure_a_storage_error() {
    for (answer, expect_throttled) in [
        (
            r#"{"FailedEntryCount":1,"Entries":[{"ErrorCode":"ThrottlingException","ErrorMessage":"Rate exceeded"}]}"#,
            true,
        ),
        (r#"{"FailedEntryCount":1,"Entries":[{"ErrorCode":"AccessDeniedException","ErrorMessage":"no"}]}"#, false),
    ] {
        let (endpoint, server) = answer_once(200, "application/x-amz-json-1.1", answer);
        let sdk = moto().sdk_config().await.into_builder().endpoint_url(endpoint).build();
        let bus = EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&sdk), "docex-bus");
        let result = bus.publish(&event("job-9", JobStatus::Running)).await;
        let request = server.join().unwrap();
        assert!(request.contains("AWSEvents.PutEvents"), "{request}");
        assert!(request.contains(r#""EventBusName":"docex-bus""#), "{request}");
        match result {
            Err(DocexError::Throttled(message)) if expect_throttled => assert!(message.contains("Rate exceeded")),
            Err(DocexError::Storage(message)) if !expect_throttled => assert!(message.contains("AccessDenied")),
            other => panic!("unexpected {other:?} for {answer}"),
        }
    }
}
