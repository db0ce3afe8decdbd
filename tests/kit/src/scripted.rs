//! What the fake model servers share: a script of replies given out in order, a log of
//! every request with the reply it got, and a server that runs an axum router on a free
//! loopback port from its own thread.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;

/// One request and the reply it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange<Request, Reply> {
    pub request: Request,
    pub reply: Reply,
}

struct Log<Request, Reply> {
    replies: VecDeque<Reply>,
    exchanges: Vec<Exchange<Request, Reply>>,
}

/// The replies still to give and the exchanges so far, shared by a server and its test.
pub struct Script<Request, Reply>(Arc<Mutex<Log<Request, Reply>>>);

impl<Request, Reply> Clone for Script<Request, Reply> {
    fn clone(&self) -> Self {
        Script(self.0.clone())
    }
}

impl<Request: Clone, Reply: Clone> Script<Request, Reply> {
    pub fn new(replies: Vec<Reply>) -> Self {
        Script(Arc::new(Mutex::new(Log { replies: replies.into(), exchanges: Vec::new() })))
    }

    /// The next reply for `request` (or `out_of_script` when none is left), logged with it.
    pub fn answer(&self, request: Request, out_of_script: impl FnOnce() -> Reply) -> Reply {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let reply = log.replies.pop_front().unwrap_or_else(out_of_script);
        log.exchanges.push(Exchange { request, reply: reply.clone() });
        reply
    }

    /// The requests received so far with the replies they got.
    pub fn exchanges(&self) -> Vec<Exchange<Request, Reply>> {
        self.0.lock().map(|log| log.exchanges.clone()).unwrap_or_default()
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.exchanges().into_iter().map(|e| e.request).collect()
    }

    /// Scripted replies not given yet.
    pub fn remaining(&self) -> usize {
        self.0.lock().map(|log| log.replies.len()).unwrap_or_default()
    }
}

/// An axum router served on a free loopback port from its own thread and runtime, so a
/// test can start it from synchronous or asynchronous code alike. Stops when dropped
/// (without waiting for clients that still hold idle connections).
pub(crate) struct Server {
    pub(crate) url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    pub(crate) fn start(router: Router) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Server { url, shutdown: Some(shutdown) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
