//! Time source for Wait states, retry intervals and timeouts: real tokio time or a test clock.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

/// Where the engine reads the time and how it waits.
#[async_trait]
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Waits for `duration` of this clock's time.
    async fn sleep(&self, duration: Duration);
}

/// Production clock: wall time and `tokio::time::sleep`
/// (which also honours tokio's paused test time).
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioClock;

#[async_trait]
impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }
}

/// Test clock with virtual time.
///
/// In *instant* mode every sleep returns at once and moves the virtual time
/// forward; in *manual* mode sleeps wait until [`ManualClock::advance`] moves
/// the time past their deadline. Every requested sleep is recorded, so tests
/// can assert retry ladders.
///
/// Note: in instant mode a Task's `TimeoutSeconds`/`HeartbeatSeconds` timer
/// also fires at once, so a handler that is not ready on its first poll times
/// out; test timeouts with manual mode (or [`TokioClock`]).
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<ManualState>,
    instant: bool,
}

#[derive(Debug)]
struct ManualState {
    now: DateTime<Utc>,
    sleeps: Vec<Duration>,
    waiters: Vec<(DateTime<Utc>, oneshot::Sender<()>)>,
}

impl ManualClock {
    /// A clock whose sleeps complete immediately, starting at `start`.
    pub fn instant(start: DateTime<Utc>) -> Self {
        Self::with_mode(start, true)
    }

    /// A clock whose sleeps wait for [`ManualClock::advance`], starting at `start`.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self::with_mode(start, false)
    }

    fn with_mode(start: DateTime<Utc>, instant: bool) -> Self {
        ManualClock { state: Mutex::new(ManualState { now: start, sleeps: Vec::new(), waiters: Vec::new() }), instant }
    }

    /// Every duration passed to `sleep` so far, in call order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// Moves the virtual time forward and wakes the sleeps that are due.
    pub fn advance(&self, by: Duration) {
        let mut st = self.lock();
        st.now = shift(st.now, by);
        let now = st.now;
        let waiters = std::mem::take(&mut st.waiters);
        for (deadline, tx) in waiters {
            if deadline <= now {
                let _ = tx.send(());
            } else {
                st.waiters.push((deadline, tx));
            }
        }
    }

    /// Number of sleeps currently waiting for the clock to move.
    pub fn pending_sleeps(&self) -> usize {
        self.lock().waiters.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.lock().now
    }

    async fn sleep(&self, duration: Duration) {
        let rx = {
            let mut st = self.lock();
            st.sleeps.push(duration);
            if self.instant {
                st.now = shift(st.now, duration);
                None
            } else if duration.is_zero() {
                None
            } else {
                let (tx, rx) = oneshot::channel();
                let deadline = shift(st.now, duration);
                st.waiters.push((deadline, tx));
                Some(rx)
            }
        };
        if let Some(rx) = rx {
            let _ = rx.await;
        }
    }
}

/// `t + d`, saturating at the largest representable time.
fn shift(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d).ok().and_then(|d| t.checked_add_signed(d)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
