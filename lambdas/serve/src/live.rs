//! Live job status: `GET /api/ws` upgrades to a WebSocket on which the server pushes the
//! caller's `JobEvent`s as JSON text messages, exactly the messages the AWS status Lambda
//! posts to a user's connections (`serde_json` of `docex_core::JobEvent`). Only the owner's
//! events are sent; the socket takes nothing but close and ping frames from the browser.
//! A socket that falls far behind misses events (the app re-reads the job list), and every
//! socket is closed with "going away" when the server stops.

use std::sync::Arc;

use api::Caller;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use docex_core::JobEvent;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::Backend;

pub struct Live {
    pub backend: Arc<dyn Backend>,
    pub stop: watch::Receiver<bool>,
}

pub async fn connect(State(live): State<Arc<Live>>, caller: Caller, upgrade: WebSocketUpgrade) -> Response {
    // Subscribed before the handshake answers: nothing published after it is missed.
    let events = live.backend.subscribe();
    let stop = live.stop.clone();
    tracing::debug!(owner = %caller.owner, "status socket opened");
    upgrade.on_upgrade(move |socket| push(socket, caller.owner, events, stop))
}

async fn push(
    mut socket: WebSocket,
    owner: String,
    mut events: broadcast::Receiver<JobEvent>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) if event.owner == owner => {
                    let Ok(text) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "a status socket fell behind"),
                Err(RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            _ = stop.changed() => {
                let frame = CloseFrame { code: close_code::AWAY, reason: "the server is stopping".into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    tracing::debug!(%owner, "status socket closed");
}
