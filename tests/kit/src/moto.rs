//! The AWS emulator: one moto server (`moto_server`, from `pip install 'moto[server]'`) per
//! test process, on a free loopback port, shared by every test of that process.
//!
//! The server is started on first use from any thread (tests run in parallel, each on its
//! own Tokio runtime) and answers before [`moto`] returns. It is started through a small
//! `sh` that holds the read end of a pipe whose write end only this process has: when the
//! test process ends, however it ends, the pipe closes and the shell kills moto, so no
//! server outlives its tests. Each test process (each file under a crate's `tests/`) gets
//! its own server, so tests of one file share state: name resources with [`unique_name`].
//! [`Moto::dedicated`] starts a further server that stops when dropped.
//!
//! Clients get an [`SdkConfig`] pointing every service at the server, with region
//! `us-east-1` and static test credentials; moto's account id is [`ACCOUNT_ID`].

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// The region every test client uses.
pub const REGION: &str = "us-east-1";
/// The account id moto puts in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// How long moto may take to answer after it was started (a cold Python start is ≈ 2 s).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The running server of this test process.
pub struct Moto {
    port: u16,
    endpoint: String,
    log: PathBuf,
    /// The shell that owns moto; its stdin is the pipe whose closing stops moto.
    child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

/// The moto server of this process, started on first use.
///
/// Panics with the reason (and the install command when `moto_server` is missing): a test
/// that needs the emulator cannot run without it.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(|| match Moto::start() {
        Ok(moto) => moto,
        Err(error) => panic!("could not start the moto AWS emulator: {error:#}"),
    })
}

/// A name no other test of this run uses: `prefix-` and 12 random hex digits (valid for
/// buckets, tables, queues, buses, state machines and execution names).
/// A new SQS queue on the emulator named after `prefix`: its URL and its ARN (what an
/// EventBridge rule targets).
pub async fn queue_with_arn(sqs: &aws_sdk_sqs::Client, prefix: &str) -> (String, String) {
    use aws_sdk_sqs::types::QueueAttributeName;
    let url = sqs.create_queue().queue_name(unique_name(prefix)).send().await.unwrap().queue_url.unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .unwrap();
    (url, arn)
}

pub fn unique_name(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &id[..12])
}

impl Moto {
    /// A server of its own, for a test that needs a fresh one (moto 5.2's server runs only
    /// the first state machine execution it is asked to run, see `moto_asl.rs` in
    /// `docex-aws`); it stops when dropped. Most tests share [`moto`] instead.
    pub fn dedicated() -> anyhow::Result<Moto> {
        Moto::start()
    }

    fn start() -> anyhow::Result<Moto> {
        let found = Command::new("sh").args(["-c", "command -v moto_server"]).output();
        if !found.map(|out| out.status.success()).unwrap_or(false) {
            bail!("`moto_server` is not on the PATH; install it with: pip install 'moto[server]'");
        }
        let mut last_error = None;
        // A port found free can be taken before moto binds it: try a few.
        for _ in 0..3 {
            match Moto::start_on(free_port()?) {
                Ok(moto) => return Ok(moto),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no attempt was made")))
    }

    fn start_on(port: u16) -> anyhow::Result<Moto> {
        let log = std::env::temp_dir().join(format!("docex-moto-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        // moto runs in the background; a second background job waits for this process to
        // close the pipe on stdin (it does when it exits) and kills moto; the shell itself
        // waits for moto, so its exit tells that moto stopped. The pipe is handed to the
        // watcher as fd 3: a background job's own stdin is /dev/null in a script. The log
        // goes when the test process does.
        let script = r#"exec 3<&0
moto_server -H 127.0.0.1 -p "$1" </dev/null 3<&- & m=$!
( cat <&3 >/dev/null; kill "$m" 2>/dev/null; rm -f "$2" ) &
exec 3<&-
wait "$m""#;
        let mut child = Command::new("sh")
            .args(["-c", script, "moto", &port.to_string(), &log.display().to_string()])
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .context("starting moto_server")?;
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                bail!("moto_server exited ({status}) before answering on port {port}:\n{output}");
            }
            // Moto's own answer, not any server's: another test's server may have taken the
            // port between finding it free and moto binding it (moto then exits, above).
            if matches!(http(port, "GET", "/moto-api/data.json", ""), Ok((200, _))) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("moto_server did not answer on port {port} within {STARTUP_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Moto { port, endpoint: format!("http://127.0.0.1:{port}"), log, child: Mutex::new(child) })
    }

    /// The server's URL (`http://127.0.0.1:PORT`), the endpoint of every service.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// moto's request log (useful when a test fails; removed when the test process ends).
    pub fn log_path(&self) -> &std::path::Path {
        &self.log
    }

    /// An SDK configuration for the server: its endpoint for every service, region
    /// `us-east-1`, static test credentials, and no second attempt (a failure shows at once).
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(self.endpoint.clone())
            .test_credentials()
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
            .load()
            .await
    }

    /// Makes Step Functions executions really run (Pass, Choice, Map, Parallel, Wait,
    /// Retry, Catch, Fail, and the service integrations moto implements) instead of
    /// staying `RUNNING` with a canned history. It applies to the whole server.
    pub fn enable_state_machine_execution(&self) -> anyhow::Result<()> {
        self.configure(r#"{"stepfunctions":{"execute_state_machine":true}}"#)
    }

    /// Back to moto's default: executions stay `RUNNING`.
    pub fn disable_state_machine_execution(&self) -> anyhow::Result<()> {
        self.configure(r#"{"stepfunctions":{"execute_state_machine":false}}"#)
    }

    fn configure(&self, body: &str) -> anyhow::Result<()> {
        let (status, text) = http(self.port, "POST", "/moto-api/config", body)?;
        if status != 200 && status != 201 {
            bail!("moto refused the configuration {body}: HTTP {status} {text}");
        }
        Ok(())
    }

    /// Forgets every resource of every service. The server is shared by the tests of this
    /// process, which run in parallel: only a test file whose tests cannot overlap may use it.
    pub fn reset(&self) -> anyhow::Result<()> {
        let (status, text) = http(self.port, "POST", "/moto-api/reset", "")?;
        if status != 200 {
            bail!("moto refused the reset: HTTP {status} {text}");
        }
        Ok(())
    }
}

impl Drop for Moto {
    /// Closes the pipe the watcher waits on, which stops moto, and waits for the shell.
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// A small blocking HTTP/1.1 exchange with the server (its control API only): status and body.
fn http(port: u16, method: &str, path: &str, body: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| response.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP response: {:?}", response.chars().take(80).collect::<String>()))?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_server_answers_for_every_caller_and_names_do_not_repeat() {
        let first = moto();
        let second = std::thread::spawn(|| moto().port()).join().unwrap();
        assert_eq!(first.port(), second);
        let (status, _) = http(first.port(), "GET", "/moto-api/data.json", "").unwrap();
        assert_eq!(status, 200);
        first.enable_state_machine_execution().unwrap();
        first.disable_state_machine_execution().unwrap();
        let own = Moto::dedicated().unwrap();
        assert_ne!(own.port(), first.port());
        let port = own.port();
        assert!(http(port, "GET", "/moto-api/data.json", "").is_ok());
        drop(own);
        assert!(http(port, "GET", "/moto-api/data.json", "").is_err(), "a dropped server stops");
        let a = unique_name("docex");
        assert!(a.starts_with("docex-") && a.len() == "docex-".len() + 12);
        assert_ne!(a, unique_name("docex"));
    }

    #[test]
    fn a_port_another_server_answers_on_is_not_taken_for_motos() {
        // Another test's server took the port found free before moto could bind it.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        assert!(Moto::start_on(port).is_err(), "moto could not bind the port, so it is not moto's");
    }
}
