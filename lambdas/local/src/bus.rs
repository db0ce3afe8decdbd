//! The in-process event bus of the embedded mode: the tasks announce status changes on it
//! (as EventBridge carries them on AWS), and whoever listens (the server's WebSocket
//! connections, a progress display) subscribes. A listener that falls behind misses old
//! events, never blocks the workflow.

use async_trait::async_trait;
use docex_core::{DocexError, EventBus, JobEvent};
use tokio::sync::broadcast;

/// How many events a slow listener may lag behind before it misses some.
const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct LocalBus {
    sender: broadcast::Sender<JobEvent>,
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl LocalBus {
    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.sender.subscribe()
    }
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, event: &JobEvent) -> Result<(), DocexError> {
        // No listener is not an error: nobody is watching this job right now.
        let _ = self.sender.send(event.clone());
        Ok(())
    }
}
