//! The job store as the REST API reads it in the embedded mode: one owner's jobs, newest
//! first, a page at a time, and a job's status history (written by every status update).
//!
//! Pages are keyset pages over `(created_at, job_id)`. The page token is opaque to callers
//! (URL-safe base64 of JSON naming the owner and the last job of the page) and valid only
//! for the owner it was given to: the query is always scoped to the caller, so a token
//! from someone else could reveal nothing, but it is refused all the same.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use docex_core::api::{JobPage, JobQueries, MAX_PAGE_SIZE};
use docex_core::error::ErrorReport;
use docex_core::{DocexError, JobStatus, StatusUpdate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::sqlite::{JOB_COLUMNS, SqliteStore, job_from_row, storage};

/// Where a page ends: the last job it holds, and whose page it was.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct PageToken {
    owner: String,
    created_at: String,
    job_id: String,
}

impl PageToken {
    fn encode(&self) -> Result<String, DocexError> {
        Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).map_err(storage)?))
    }

    /// The token's position, if it is a token of `owner`'s.
    fn decode(token: &str, owner: &str) -> Result<PageToken, DocexError> {
        let invalid = || DocexError::InvalidInput("the page token is not valid".into());
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let token: PageToken = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if token.owner != owner {
            return Err(invalid());
        }
        Ok(token)
    }
}

#[async_trait]
impl JobQueries for SqliteStore {
    async fn jobs_of(
        &self,
        owner: &str,
        status: Option<JobStatus>,
        limit: usize,
        page_token: Option<&str>,
    ) -> Result<JobPage, DocexError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let after = page_token.map(|token| PageToken::decode(token, owner)).transpose()?;
        let connection = self.lock()?;
        let mut statement = connection
            .prepare(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs
                 WHERE owner = ?1 AND (?2 IS NULL OR status = ?2)
                   AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND job_id < ?4))
                 ORDER BY created_at DESC, job_id DESC LIMIT ?5"
            ))
            .map_err(storage)?;
        let rows = statement
            .query_map(
                params![
                    owner,
                    status.map(|s| s.as_str()),
                    after.as_ref().map(|a| &a.created_at),
                    after.as_ref().map(|a| &a.job_id),
                    (limit + 1) as i64
                ],
                job_from_row,
            )
            .map_err(storage)?;
        let mut jobs = rows.collect::<Result<Vec<_>, _>>().map_err(storage)?;
        let next_page_token = if jobs.len() > limit {
            jobs.truncate(limit);
            let last = &jobs[limit - 1];
            let token = PageToken {
                owner: owner.to_string(),
                created_at: last.created_at.clone(),
                job_id: last.job_id.clone(),
            };
            Some(token.encode()?)
        } else {
            None
        };
        Ok(JobPage { jobs, next_page_token })
    }

    async fn status_history(&self, job_id: &str) -> Result<Vec<StatusUpdate>, DocexError> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare(
                "SELECT status, error_name, error_message, confidence, at FROM job_status_history
                 WHERE job_id = ?1 ORDER BY seq",
            )
            .map_err(storage)?;
        let rows = statement
            .query_map([job_id], |row| {
                let status: String = row.get(0)?;
                let error_name: Option<String> = row.get(1)?;
                let error_message: Option<String> = row.get(2)?;
                Ok(StatusUpdate {
                    job_id: job_id.to_string(),
                    status: JobStatus::parse(&status).unwrap_or(JobStatus::Failed),
                    error: error_name.map(|name| ErrorReport { name, message: error_message.unwrap_or_default() }),
                    confidence: row.get(3)?,
                    at: row.get(4)?,
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::{JobRecord, JobStore};

    fn job(id: usize, owner: &str, status: JobStatus) -> JobRecord {
        // One second apart, and two jobs in the same second to exercise the tie on job_id.
        let at = format!("2026-11-28T10:00:{:02}.000Z", id / 2);
        JobRecord {
            job_id: format!("job-{id:02}"),
            owner: owner.into(),
            document: format!("{id}.pdf"),
            spec: "invoice".into(),
            template: "invoice".into(),
            status,
            error: None,
            confidence: None,
            created_at: at.clone(),
            updated_at: at,
        }
    }

    async fn store_with_jobs() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
        for id in 0..25 {
            let status = if id % 5 == 0 { JobStatus::Failed } else { JobStatus::Succeeded };
            assert!(store.create(&job(id, if id % 2 == 0 { "ada" } else { "bob" }, status)).await.unwrap());
        }
        (dir, store)
    }

    #[tokio::test]
    async fn an_owners_jobs_come_newest_first_page_by_page_and_only_theirs() {
        let (_dir, store) = store_with_jobs().await;
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = store.jobs_of("ada", None, 4, token.as_deref()).await.unwrap();
            assert!(page.jobs.len() <= 4);
            assert!(page.jobs.iter().all(|j| j.owner == "ada"));
            seen.extend(page.jobs.into_iter().map(|j| j.job_id));
            pages += 1;
            token = page.next_page_token;
            if token.is_none() {
                break;
            }
        }
        let expected: Vec<String> = (0..25).rev().filter(|i| i % 2 == 0).map(|i| format!("job-{i:02}")).collect();
        assert_eq!(seen, expected);
        assert_eq!(pages, 4, "13 jobs in pages of 4");
    }

    #[tokio::test]
    async fn the_status_filter_and_the_owner_bound_token() {
        let (_dir, store) = store_with_jobs().await;
        let failed = store.jobs_of("ada", Some(JobStatus::Failed), 100, None).await.unwrap();
        let ids: Vec<&str> = failed.jobs.iter().map(|j| j.job_id.as_str()).collect();
        assert_eq!(ids, ["job-20", "job-10", "job-00"]);
        assert!(failed.next_page_token.is_none());

        let page = store.jobs_of("ada", None, 2, None).await.unwrap();
        let token = page.next_page_token.unwrap();
        let refused = store.jobs_of("bob", None, 2, Some(&token)).await.unwrap_err();
        assert!(matches!(refused, DocexError::InvalidInput(_)), "{refused:?}");
        for garbage in ["", "not base64!", "eyJ9"] {
            assert!(matches!(store.jobs_of("ada", None, 2, Some(garbage)).await, Err(DocexError::InvalidInput(_))));
        }
    }

    #[tokio::test]
    async fn every_status_update_is_kept_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
        store.create(&job(1, "ada", JobStatus::Queued)).await.unwrap();
        // Creating it again changes nothing, its history included.
        assert!(!store.create(&job(1, "ada", JobStatus::Queued)).await.unwrap());
        for (status, at) in [(JobStatus::Running, "10:01"), (JobStatus::Succeeded, "10:02")] {
            let update = StatusUpdate {
                job_id: "job-01".into(),
                status,
                error: None,
                confidence: Some(0.9),
                at: format!("2026-11-28T{at}:00.000Z"),
            };
            store.set_status(&update).await.unwrap();
        }
        let history = store.status_history("job-01").await.unwrap();
        let statuses: Vec<JobStatus> = history.iter().map(|u| u.status).collect();
        assert_eq!(statuses, [JobStatus::Queued, JobStatus::Running, JobStatus::Succeeded]);
        assert_eq!(history[2].confidence, Some(0.9));
        assert!(store.status_history("job-99").await.unwrap().is_empty());
    }
}
