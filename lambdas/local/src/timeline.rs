//! The execution history as a readable timeline for `docex show`: one row per state run
//! (Map iterations included), with its start, duration, retries and the error it ended with.

use chrono::{DateTime, Utc};
use docex_asl::{EventType, HistoryEvent};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineRow {
    /// The state's name, indented by nesting (`  ExtractChunk [0]`).
    pub state: String,
    pub started: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    /// Failed attempts before the last one (retries).
    pub retries: u32,
    pub error: Option<String>,
}

/// Builds the timeline from history events in id order.
pub fn timeline(history: &[HistoryEvent]) -> Vec<TimelineRow> {
    let mut rows: Vec<TimelineRow> = Vec::new();
    // Open states by scope: (scope, row index).
    let mut open: Vec<(String, usize)> = Vec::new();
    for event in history {
        if let Some(entered) =
            event.state_entered_event_details.as_ref().filter(|_| event.event_type.is_state_entered())
        {
            let depth = event.scope.matches('/').count();
            let iteration = event.scope.rsplit_once('[').map(|(_, i)| format!(" [{}", i)).unwrap_or_default();
            rows.push(TimelineRow {
                state: format!("{}{}{}", "  ".repeat(depth), entered.name, iteration),
                started: event.timestamp,
                duration_ms: None,
                retries: 0,
                error: None,
            });
            open.push((event.scope.clone(), rows.len() - 1));
            continue;
        }
        let Some(&(_, index)) = open.iter().rev().find(|(scope, _)| *scope == event.scope) else { continue };
        let row = &mut rows[index];
        match event.event_type {
            EventType::TaskFailed | EventType::TaskTimedOut => {
                let failure = event.task_failed_event_details.as_ref().or(event.task_timed_out_event_details.as_ref());
                row.retries += 1;
                row.error = failure.map(|f| format!("{}: {}", f.error, docex_core::error::readable_cause(&f.cause)));
            }
            EventType::TaskSucceeded => row.error = None,
            EventType::MapStateFailed | EventType::ParallelStateFailed | EventType::FailStateEntered => {
                row.error.get_or_insert_with(|| "failed".into());
            }
            t if t.is_state_exited() => {
                row.duration_ms = Some((event.timestamp - row.started).num_milliseconds());
                open.retain(|(_, i)| *i != index);
            }
            _ => {}
        }
    }
    // Every failure of a state that succeeded in the end was retried; the last failure of
    // a state that failed is its error, not a retry.
    for row in rows.iter_mut().filter(|r| r.error.is_some()) {
        row.retries = row.retries.saturating_sub(1);
    }
    rows
}

/// The timeline as a table.
pub fn render(rows: &[TimelineRow]) -> String {
    let mut out = format!("{:<32} {:<24} {:>9} {:>7}  {}\n", "state", "started", "duration", "retries", "error");
    for row in rows {
        let duration = row.duration_ms.map_or("-".to_string(), |ms| format!("{ms} ms"));
        out.push_str(&format!(
            "{:<32} {:<24} {:>9} {:>7}  {}\n",
            row.state,
            row.started.format("%Y-%m-%d %H:%M:%S%.3f"),
            duration,
            row.retries,
            row.error.as_deref().unwrap_or("")
        ));
    }
    out
}
