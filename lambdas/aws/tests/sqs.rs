//! The SQS dead-letter queue against moto through the real SQS client: a failed job sent,
//! received with its job id attribute and deleted; a FIFO queue keeps one message for a
//! failure sent twice; messages that are not dead letters are left alone.

use std::time::Duration;

use docex_aws::sqs::{JOB_ID_ATTRIBUTE, SqsDeadLetterQueue};
use docex_core::job::DeadLetter;
use docex_core::{DeadLetterQueue, DocexError};
use docex_testkit::moto::{moto, unique_name};

async fn queue(fifo: bool) -> (aws_sdk_sqs::Client, String) {
    let client = aws_sdk_sqs::Client::new(&moto().sdk_config().await);
    let mut request = client.create_queue();
    if fifo {
        request = request
            .queue_name(format!("{}.fifo", unique_name("dlq")))
            .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
    } else {
        request = request.queue_name(unique_name("dlq"));
    }
    let url = request.send().await.unwrap().queue_url.unwrap();
    (client, url)
}

fn dead_letter(job_id: &str) -> DeadLetter {
    DeadLetter {
        job_id: job_id.to_string(),
        error: "Docex.CorruptPdf".to_string(),
        cause: "the PDF is damaged and could not be read: no xref".to_string(),
        at: "2026-03-01T10:15:30Z".to_string(),
    }
}

#[tokio::test]
async fn a_failed_job_is_sent_received_and_deleted() {
    let (client, url) = queue(false).await;
    let dlq = SqsDeadLetterQueue::new(client.clone(), &url);
    dlq.send(&dead_letter("job-1")).await.unwrap();
    dlq.send(&dead_letter("job-2")).await.unwrap();

    // The raw message: the dead letter as JSON, the job id as an attribute.
    let raw = client
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let first = &raw.messages()[0];
    let body: DeadLetter = serde_json::from_str(first.body().unwrap()).unwrap();
    let attribute = first.message_attributes().and_then(|a| a.get(JOB_ID_ATTRIBUTE)).expect("job id attribute");
    assert_eq!(attribute.data_type(), "String");
    assert_eq!(attribute.string_value(), Some(body.job_id.as_str()));

    let mut received = Vec::new();
    for _ in 0..3 {
        received.extend(dlq.receive(10, Duration::from_secs(1)).await.unwrap());
        if received.len() == 2 {
            break;
        }
    }
    received.sort_by(|a, b| a.0.job_id.cmp(&b.0.job_id));
    assert_eq!(
        received.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>(),
        [dead_letter("job-1"), dead_letter("job-2")]
    );
    for (_, receipt) in &received {
        dlq.delete(receipt).await.unwrap();
    }
    let attributes = client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let count = |name: aws_sdk_sqs::types::QueueAttributeName| {
        attributes.attributes().and_then(|a| a.get(&name)).cloned().unwrap_or_default()
    };
    assert_eq!(count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages), "0");
    assert_eq!(count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible), "0");
}

#[tokio::test]
async fn a_fifo_queue_keeps_one_message_for_a_failure_sent_twice() {
    let (client, url) = queue(true).await;
    let dlq = SqsDeadLetterQueue::new(client, &url);
    dlq.send(&dead_letter("job-1")).await.unwrap();
    dlq.send(&dead_letter("job-1")).await.unwrap();
    let received = dlq.receive(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].0, dead_letter("job-1"));
}

#[tokio::test]
async fn other_messages_are_left_alone_and_bounds_are_checked() {
    let (client, url) = queue(false).await;
    client.send_message().queue_url(&url).message_body("not a dead letter").send().await.unwrap();
    let dlq = SqsDeadLetterQueue::new(client, &url);
    assert!(dlq.receive(10, Duration::from_secs(1)).await.unwrap().is_empty());
    assert!(matches!(dlq.receive(0, Duration::ZERO).await, Err(DocexError::InvalidInput(_))));
    assert!(matches!(dlq.receive(11, Duration::ZERO).await, Err(DocexError::InvalidInput(_))));
    assert!(matches!(dlq.receive(1, Duration::from_secs(21)).await, Err(DocexError::InvalidInput(_))));
}
