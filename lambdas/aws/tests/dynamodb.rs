//! The DynamoDB job store against moto through the real DynamoDB client: idempotent
//! creation, status that only moves forward, replayed and late events ignored, a re-drive's
//! later event accepted, the status history without duplicates, and paging a user's jobs.

use docex_aws::dynamodb::{self, DynamoJobStore};
use docex_core::error::ErrorReport;
use docex_core::job::{JobRecord, StatusUpdate};
use docex_core::outcome::JobStatus;
use docex_core::{DocexError, JobStore};
use docex_testkit::moto::{moto, unique_name};

async fn store() -> DynamoJobStore {
    let client = aws_sdk_dynamodb::Client::new(&moto().sdk_config().await);
    let table = unique_name("jobs");
    dynamodb::create_table(&client, &table).await.expect("create the jobs table");
    DynamoJobStore::new(client, table)
}

fn job(id: &str, owner: &str, created_at: &str) -> JobRecord {
    JobRecord {
        job_id: id.to_string(),
        owner: owner.to_string(),
        document: "invoice.pdf".to_string(),
        spec: "invoice".to_string(),
        template: "invoice".to_string(),
        status: JobStatus::Queued,
        error: None,
        confidence: None,
        created_at: created_at.to_string(),
        updated_at: created_at.to_string(),
    }
}

fn update(id: &str, status: JobStatus, at: &str) -> StatusUpdate {
    StatusUpdate { job_id: id.to_string(), status, error: None, confidence: None, at: at.to_string() }
}

fn statuses(history: &[StatusUpdate]) -> Vec<(JobStatus, &str)> {
    history.iter().map(|u| (u.status, u.at.as_str())).collect()
}

#[tokio::test]
async fn a_job_is_created_once() {
    let store = store().await;
    let record = job("job-1", "alice", "2026-03-01T10:00:00Z");
    assert!(store.create(&record).await.unwrap());
    let mut again = record.clone();
    again.document = "other.pdf".to_string();
    assert!(!store.create(&again).await.unwrap());
    assert_eq!(store.get("job-1").await.unwrap(), Some(record));
    assert_eq!(store.get("job-2").await.unwrap(), None);
    assert_eq!(statuses(&store.history("job-1").await.unwrap()), [(JobStatus::Queued, "2026-03-01T10:00:00Z")]);
}

#[tokio::test]
async fn status_moves_forward_and_keeps_error_and_confidence() {
    let store = store().await;
    store.create(&job("job-1", "alice", "2026-03-01T10:00:00Z")).await.unwrap();
    store.set_status(&update("job-1", JobStatus::Running, "2026-03-01T10:00:01Z")).await.unwrap();
    let running = store.get("job-1").await.unwrap().unwrap();
    assert_eq!((running.status, running.updated_at.as_str()), (JobStatus::Running, "2026-03-01T10:00:01Z"));

    let mut done = update("job-1", JobStatus::NeedsReview, "2026-03-01T10:00:09.250+01:00");
    // An offset is another instant: 09:00:09.25 UTC, before the RUNNING above.
    assert!(store.set_status(&done).await.is_ok());
    assert_eq!(store.get("job-1").await.unwrap().unwrap().status, JobStatus::Running);

    done.at = "2026-03-01T10:00:09.250Z".to_string();
    done.confidence = Some(0.42);
    store.set_status(&done).await.unwrap();
    let finished = store.get("job-1").await.unwrap().unwrap();
    assert_eq!(finished.status, JobStatus::NeedsReview);
    assert_eq!(finished.confidence, Some(0.42));
    assert_eq!(finished.created_at, "2026-03-01T10:00:00Z");

    let failed = StatusUpdate {
        error: Some(ErrorReport { name: "Docex.Storage".into(), message: "the database is gone".into() }),
        ..update("job-1", JobStatus::Failed, "2026-03-01T10:00:10Z")
    };
    store.set_status(&failed).await.unwrap();
    let record = store.get("job-1").await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.error, failed.error);
    assert_eq!(record.confidence, Some(0.42), "a status without a confidence keeps the last one");

    assert!(matches!(
        store.set_status(&update("no-such-job", JobStatus::Running, "2026-03-01T10:00:00Z")).await,
        Err(DocexError::InvalidInput(_))
    ));
    assert!(matches!(
        store.set_status(&update("job-1", JobStatus::Running, "yesterday")).await,
        Err(DocexError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn replayed_and_older_events_change_nothing_and_a_redrive_is_later() {
    let store = store().await;
    store.create(&job("job-1", "alice", "2026-03-01T10:00:00Z")).await.unwrap();
    let running = update("job-1", JobStatus::Running, "2026-03-01T10:00:01Z");
    let failed = StatusUpdate {
        error: Some(ErrorReport { name: "Docex.Throttled".into(), message: "slow down".into() }),
        ..update("job-1", JobStatus::Failed, "2026-03-01T10:00:05Z")
    };
    store.set_status(&running).await.unwrap();
    store.set_status(&failed).await.unwrap();

    // Delivered again, and late: the record stays FAILED, the history gains nothing.
    store.set_status(&running).await.unwrap();
    store.set_status(&failed).await.unwrap();
    store.set_status(&update("job-1", JobStatus::Queued, "2026-03-01T10:00:00Z")).await.unwrap();
    let record = store.get("job-1").await.unwrap().unwrap();
    assert_eq!((record.status, record.updated_at.as_str()), (JobStatus::Failed, "2026-03-01T10:00:05Z"));
    assert_eq!(store.history("job-1").await.unwrap().len(), 3);

    // Same instant: only a higher rank wins (a finished status over RUNNING, not back).
    store.set_status(&update("job-1", JobStatus::Running, "2026-03-01T10:00:05Z")).await.unwrap();
    assert_eq!(store.get("job-1").await.unwrap().unwrap().status, JobStatus::Failed);

    // The operator re-drives: a later RUNNING takes the job back, then it succeeds.
    store.set_status(&update("job-1", JobStatus::Running, "2026-03-01T11:00:00Z")).await.unwrap();
    let record = store.get("job-1").await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Running);
    assert_eq!(record.error, None, "a running job carries no error");
    store.set_status(&update("job-1", JobStatus::Succeeded, "2026-03-01T11:00:30Z")).await.unwrap();
    assert_eq!(store.get("job-1").await.unwrap().unwrap().status, JobStatus::Succeeded);

    let history = store.history("job-1").await.unwrap();
    assert_eq!(
        statuses(&history),
        [
            (JobStatus::Queued, "2026-03-01T10:00:00Z"),
            (JobStatus::Running, "2026-03-01T10:00:01Z"),
            (JobStatus::Failed, "2026-03-01T10:00:05Z"),
            (JobStatus::Running, "2026-03-01T10:00:05Z"),
            (JobStatus::Running, "2026-03-01T11:00:00Z"),
            (JobStatus::Succeeded, "2026-03-01T11:00:30Z"),
        ]
    );
    assert_eq!(history[2].error.as_ref().map(|e| e.name.as_str()), Some("Docex.Throttled"));
}

#[tokio::test]
async fn jobs_list_by_status_and_page_by_owner_newest_first() {
    let store = store().await;
    for i in 0..7 {
        let owner = if i % 2 == 0 { "alice" } else { "bob" };
        store.create(&job(&format!("job-{i}"), owner, &format!("2026-03-01T10:00:0{i}Z"))).await.unwrap();
    }
    store.set_status(&update("job-2", JobStatus::Failed, "2026-03-01T11:00:00Z")).await.unwrap();
    store.set_status(&update("job-3", JobStatus::Failed, "2026-03-01T11:00:00Z")).await.unwrap();

    let ids = |jobs: &[JobRecord]| jobs.iter().map(|j| j.job_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&store.list(Some(JobStatus::Failed)).await.unwrap()), ["job-2", "job-3"]);
    assert_eq!(ids(&store.list(None).await.unwrap()), (0..7).map(|i| format!("job-{i}")).collect::<Vec<_>>());
    assert!(store.list(Some(JobStatus::Succeeded)).await.unwrap().is_empty());

    // alice has job-0, 2, 4, 6: two pages of two, newest first, then nothing more.
    let first = store.list_for_owner("alice", None, 2, None).await.unwrap();
    assert_eq!(ids(&first.jobs), ["job-6", "job-4"]);
    let token = first.next_page_token.expect("a second page");
    let second = store.list_for_owner("alice", None, 2, Some(&token)).await.unwrap();
    assert_eq!(ids(&second.jobs), ["job-2", "job-0"]);
    if let Some(token) = second.next_page_token {
        let third = store.list_for_owner("alice", None, 2, Some(&token)).await.unwrap();
        assert!(third.jobs.is_empty() && third.next_page_token.is_none());
    }
    let all = store.list_for_owner("alice", None, 10, None).await.unwrap();
    assert_eq!((all.jobs.len(), all.next_page_token), (4, None));

    // Filtered by status, and nobody else's jobs.
    let failed = store.list_for_owner("bob", Some(JobStatus::Failed), 10, None).await.unwrap();
    assert_eq!(ids(&failed.jobs), ["job-3"]);
    assert!(store.list_for_owner("carol", None, 10, None).await.unwrap().jobs.is_empty());

    // A token is good for its owner only, and page sizes are bounded.
    assert!(matches!(store.list_for_owner("bob", None, 2, Some(&token)).await, Err(DocexError::InvalidInput(_))));
    assert!(matches!(
        store.list_for_owner("alice", None, 2, Some("not-a-token")).await,
        Err(DocexError::InvalidInput(_))
    ));
    assert!(matches!(store.list_for_owner("alice", None, 0, None).await, Err(DocexError::InvalidInput(_))));
    assert!(matches!(store.list_for_owner("alice", None, 101, None).await, Err(DocexError::InvalidInput(_))));
}
