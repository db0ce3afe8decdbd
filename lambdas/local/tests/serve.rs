//! `docex serve` over real HTTP and WebSocket on loopback: an upload through the signed URL
//! runs the job and the socket sees it live; tampered, expired and unsigned URLs are
//! refused with JSON errors; the browser app and its config; with sign-in (tokens of a
//! user pool in moto's Cognito) each user's socket gets that user's events only; a
//! restart takes up the queued jobs and runs each exactly once; and 200 uploads at once, none
//! lost or run twice.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use docex_asl::ManualClock;
use docex_core::job::keys;
use docex_core::{BlobStore, JobEvent, JobRecord, JobStatus, JobStore};
use docex_local::datadir::DataDir;
use docex_local::embedded_workflow;
use docex_local::load::{Client, LoadOptions, next_event};
use docex_local::queue::JobQueue;
use docex_local::serve::{ServeOptions, Served, URL_KEY_FILE, start};
use docex_local::workflow::Faults;
use docex_serve::{SignIn, UrlSigner};
use docex_tasks::JobInput;
use serde_json::{Value, json};

const INVOICE: &str = "invoice2data__AmazonWebServices.pdf";
/// How long a job may take on a busy machine.
const JOB_TIMEOUT: Duration = Duration::from_secs(180);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents").join(name)
}

/// A server over a data directory, stopped when dropped.
struct TestServer {
    served: Option<Served>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    async fn start(data: &DataDir, web: &Path, sign_in: Option<SignIn>) -> TestServer {
        let workflow = Arc::new(embedded_workflow(data).expect("the workflow"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            web: web.to_path_buf(),
            concurrency: 2,
            sign_in,
        };
        let served = start(workflow, data, options, async {
            let _ = stopped.await;
        })
        .await
        .expect("the server starts");
        TestServer { served: Some(served), stop: Some(stop) }
    }

    fn addr(&self) -> SocketAddr {
        self.served.as_ref().expect("running").addr
    }

    fn client(&self, token: Option<&str>) -> Client {
        Client::new(self.addr(), token.map(String::from))
    }

    /// Stops it and waits until its running jobs are done.
    async fn stop(mut self) {
        let _ = self.stop.take().expect("running").send(());
        let served = self.served.take().expect("running");
        tokio::time::timeout(JOB_TIMEOUT, served.done).await.expect("stops in time").unwrap().unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The events of `job_id` on a socket until it finishes.
async fn events_until_finished(socket: &mut docex_local::load::StatusSocket, job_id: &str) -> Vec<JobEvent> {
    let deadline = Instant::now() + JOB_TIMEOUT;
    let mut seen = Vec::new();
    while let Some(event) = next_event(socket, deadline).await {
        if event.job_id == job_id {
            let finished = event.status.is_finished();
            seen.push(event);
            if finished {
                return seen;
            }
        }
    }
    panic!("job {job_id} did not finish in time; events: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_runs_the_job_and_the_socket_sees_it_live() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let server = TestServer::start(&data, &dir.path().join("no-app"), None).await;
    let client = server.client(None);
    let mut socket = client.status_socket().await.expect("the status socket");

    let created = client.create_job("Rechnung März.pdf", "invoice").await.unwrap();
    let job_id = created["job"]["job_id"].as_str().unwrap().to_string();
    assert_eq!(created["job"]["owner"], "local");
    assert_eq!(created["job"]["status"], "QUEUED");
    let upload = &created["upload"];
    let url = upload["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://{}/uploads/input/{job_id}/document.pdf?", server.addr())), "{url}");
    let pdf = std::fs::read(fixture(INVOICE)).unwrap();
    let response = client.upload(upload, pdf.clone()).await.unwrap();
    assert_eq!(response.status(), 200);

    let events = events_until_finished(&mut socket, &job_id).await;
    let statuses: Vec<JobStatus> = events.iter().map(|e| e.status).collect();
    assert_eq!(statuses.first(), Some(&JobStatus::Running), "{events:?}");
    assert_eq!(statuses.last(), Some(&JobStatus::Succeeded), "{events:?}");
    assert!(events.iter().all(|e| e.owner == "local"));
    // The message is the serde of a JobEvent, as the AWS status Lambda sends it.
    let last = serde_json::to_value(events.last().unwrap()).unwrap();
    assert_eq!(last["job_id"], job_id.as_str());
    assert!(last["confidence"].as_f64().is_some() && last["at"].as_str().is_some());

    // The API tells the same story: status, history, result and report.
    let (status, shown) =
        json_of(client.request(reqwest::Method::GET, &format!("/api/jobs/{job_id}")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(shown["job"]["status"], "SUCCEEDED");
    let history: Vec<&str> =
        shown["history"].as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(history.first(), Some(&"QUEUED"));
    assert_eq!(history.last(), Some(&"SUCCEEDED"));
    assert!(history.contains(&"RUNNING"), "{history:?}");
    // And the states the execution went through, as the workflow graph draws them.
    let states: Vec<(&str, &str)> = shown["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    // CompleteJob announces SUCCEEDED before its state is left, so it may still be running.
    let (last, done) = states.split_last().expect("states");
    let succeeded = ["PrepareDocument", "ExtractChunks", "MergeAndValidate", "StoreResult", "RenderReport"];
    assert_eq!(done, succeeded.map(|name| (name, "SUCCEEDED")), "{}", shown["states"]);
    assert!(matches!(*last, ("CompleteJob", "SUCCEEDED" | "RUNNING")), "{}", shown["states"]);
    let (status, result) =
        json_of(client.request(reqwest::Method::GET, &format!("/api/jobs/{job_id}/result")).send().await.unwrap())
            .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["result"]["job_id"], job_id.as_str());
    let report_url = result["report"]["url"].as_str().expect("a report URL");
    let report = reqwest::get(report_url).await.unwrap();
    assert_eq!(report.status(), 200);
    assert_eq!(report.headers()["content-type"], "application/pdf");
    let disposition = report.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("Rechnung%20M%C3%A4rz-report.pdf"),
        "{disposition}"
    );
    assert!(report.bytes().await.unwrap().starts_with(b"%PDF"));
    // The uploaded document too, for the app to show the evidence on its pages.
    let document = reqwest::get(result["document"]["url"].as_str().expect("a document URL")).await.unwrap();
    assert_eq!(document.status(), 200);
    assert_eq!(document.bytes().await.unwrap().to_vec(), pdf);

    // The same upload again changes nothing.
    let (status, again) = json_of(client.upload(upload, pdf).await.unwrap()).await;
    assert_eq!((status, again["error"]["name"].as_str()), (409, Some("Api.AlreadyUploaded")));
    let (_, listed) = json_of(client.request(reqwest::Method::GET, "/api/jobs").send().await.unwrap()).await;
    assert_eq!(listed["jobs"].as_array().unwrap().len(), 1);

    // The app is not built here: a page says how; config.json says where things are.
    let page = reqwest::get(format!("{}/", client.base())).await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("npm --prefix web run build"));
    let (status, config) = json_of(reqwest::get(format!("{}/config.json", client.base())).await.unwrap()).await;
    assert_eq!((status, config), (200, json!({"api": "/api", "websocket": "/api/ws", "auth": null})));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_app_is_served_from_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let web = dir.path().join("dist");
    std::fs::create_dir_all(web.join("assets")).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>docex app</title>").unwrap();
    std::fs::write(web.join("assets/app.js"), "console.log('docex')").unwrap();
    let server = TestServer::start(&data, &web, None).await;
    let base = server.client(None).base().to_string();
    let script = reqwest::get(format!("{base}/assets/app.js")).await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));
    for path in ["/", "/jobs/some-job"] {
        let page = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert!(page.text().await.unwrap().contains("docex app"), "{path}");
    }
    // The API's own 404 is JSON, not the app.
    let (status, body) = json_of(reqwest::get(format!("{base}/api/nope")).await.unwrap()).await;
    assert_eq!((status, body["error"]["name"].as_str()), (404, Some("Api.RouteNotFound")));
    server.stop().await;
}

/// `url` with its query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .chain([(name.to_string(), value.to_string())])
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_expired_and_unsigned_urls_are_refused_with_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let server = TestServer::start(&data, &dir.path().join("no-app"), None).await;
    let client = server.client(None);
    let created = client.create_job("a.pdf", "invoice").await.unwrap();
    let job_id = created["job"]["job_id"].as_str().unwrap().to_string();
    let other = client.create_job("b.pdf", "invoice").await.unwrap();
    let upload = created["upload"].clone();
    let url = upload["url"].as_str().unwrap().to_string();
    let pdf = std::fs::read(fixture(INVOICE)).unwrap();

    let put = |url: String, content_type: &'static str| {
        let pdf = pdf.clone();
        async move {
            json_of(
                reqwest::Client::new().put(url).header("content-type", content_type).body(pdf).send().await.unwrap(),
            )
            .await
        }
    };
    let signature =
        url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "signature").unwrap().1.into_owned();
    let mut flipped = signature.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    let tampered = with_param(&url, "signature", std::str::from_utf8(&flipped).unwrap());
    let later = with_param(&url, "expires", &(chrono::Utc::now().timestamp() + 86_400).to_string());
    let other_job = url.replace(&job_id, other["job"]["job_id"].as_str().unwrap());
    let unsigned = url.split('?').next().unwrap().to_string();
    for (case, url, content_type, name) in [
        ("tampered signature", tampered, "application/pdf", "Api.SignatureMismatch"),
        ("longer expiry", later, "application/pdf", "Api.SignatureMismatch"),
        ("another job's key", other_job, "application/pdf", "Api.SignatureMismatch"),
        ("another content type", url.clone(), "text/html", "Api.SignatureMismatch"),
        ("no signature", unsigned, "application/pdf", "Api.UnsignedUrl"),
    ] {
        let (status, body) = put(url, content_type).await;
        assert_eq!((status, body["error"]["name"].as_str()), (403, Some(name)), "{case}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{case}");
    }

    // A URL signed with the server's own key that has expired.
    let signer = UrlSigner::from_key_file(&data.root().join(URL_KEY_FILE)).unwrap();
    let key = keys::input(&job_id);
    let past = chrono::Utc::now().timestamp() - 1;
    let expired = format!(
        "{}/uploads/{key}?expires={past}&signature={}",
        client.base(),
        signer.sign("PUT", &key, past, "application/pdf")
    );
    let (status, body) = put(expired, "application/pdf").await;
    assert_eq!((status, body["error"]["name"].as_str()), (403, Some("Api.UrlExpired")), "{body}");
    // A download URL does not take uploads, nor an upload URL downloads.
    let report_key = keys::report(&job_id);
    let future = chrono::Utc::now().timestamp() + 60;
    let download = format!(
        "{}/downloads/{report_key}?expires={future}&signature={}",
        client.base(),
        signer.sign("GET", &report_key, future, "")
    );
    let (status, body) = json_of(reqwest::get(&download).await.unwrap()).await;
    assert_eq!((status, body["error"]["name"].as_str()), (404, Some("Api.ObjectNotFound")), "{body}");
    let as_upload = download.replace("/downloads/", "/uploads/");
    assert_eq!(put(as_upload, "application/pdf").await.0, 403);

    // Nothing was stored or queued; the real URL still works.
    let store = embedded_workflow(&data).unwrap();
    assert_eq!(store.adapters().blobs.get(&keys::input(&job_id)).await.unwrap(), None);
    let (status, _) = put(url, "application/pdf").await;
    assert_eq!(status, 200);
    server.stop().await;
}

mod sign_in {
    use super::*;
    use aws_sdk_cognitoidentityprovider::Client as Cognito;
    use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
    use docex_testkit::moto::{self, unique_name};

    const PASSWORD: &str = "Correct-Horse-9";

    /// A user pool with one app client and two users; their ID tokens and `sub`s.
    async fn pool() -> (SignIn, BTreeMap<&'static str, (String, String)>) {
        let cognito = Cognito::new(&moto::moto().sdk_config().await);
        let pool_id = cognito
            .create_user_pool()
            .pool_name(unique_name("users"))
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let client_id = cognito
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name(unique_name("web"))
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
        let mut users = BTreeMap::new();
        for name in ["ada", "bob"] {
            cognito.admin_create_user().user_pool_id(&pool_id).username(name).send().await.unwrap();
            cognito
                .admin_set_user_password()
                .user_pool_id(&pool_id)
                .username(name)
                .password(PASSWORD)
                .permanent(true)
                .send()
                .await
                .unwrap();
            let auth = cognito
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", name)
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await
                .unwrap()
                .authentication_result
                .unwrap();
            let user = cognito.admin_get_user().user_pool_id(&pool_id).username(name).send().await.unwrap();
            let sub =
                user.user_attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value()).unwrap().to_string();
            users.insert(name, (auth.id_token.unwrap(), sub));
        }
        let sign_in = SignIn {
            issuer: format!("https://cognito-idp.{}.amazonaws.com/{pool_id}", moto::REGION),
            client_id,
            jwks_url: Some(format!("{}/{pool_id}/.well-known/jwks.json", moto::moto().endpoint())),
        };
        (sign_in, users)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_user_gets_only_their_own_events_and_jobs() {
        let (sign_in, users) = pool().await;
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::open(dir.path().join("data")).unwrap();
        let server = TestServer::start(&data, &dir.path().join("no-app"), Some(sign_in.clone())).await;
        let anonymous = server.client(None);
        let (ada_token, ada_sub) = &users["ada"];
        let (bob_token, bob_sub) = &users["bob"];

        // No token, or a bad one: refused, on the REST API and on the socket.
        let (status, body) = json_of(anonymous.request(reqwest::Method::GET, "/api/jobs").send().await.unwrap()).await;
        assert_eq!((status, body["error"]["name"].as_str()), (401, Some("Api.Unauthorized")));
        let forged = format!("{}x", &ada_token[..ada_token.len() - 1]);
        let (status, _) =
            json_of(server.client(Some(&forged)).request(reqwest::Method::GET, "/api/jobs").send().await.unwrap())
                .await;
        assert_eq!(status, 401);
        for client in [anonymous.clone(), server.client(Some(&forged))] {
            match client.status_socket().await {
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
                other => panic!("a socket without a valid token: {:?}", other.map(|_| "opened")),
            }
        }
        let (status, _) = json_of(anonymous.request(reqwest::Method::GET, "/api/health").send().await.unwrap()).await;
        assert_eq!(status, 200);
        let (_, config) = json_of(reqwest::get(format!("{}/config.json", anonymous.base())).await.unwrap()).await;
        assert_eq!(config["auth"], json!({"issuer": sign_in.issuer, "clientId": sign_in.client_id}));

        let ada = server.client(Some(ada_token));
        let bob = server.client(Some(bob_token));
        let mut ada_socket = ada.status_socket().await.unwrap();
        let mut bob_socket = bob.status_socket().await.unwrap();
        let pdf = std::fs::read(fixture(INVOICE)).unwrap();
        let mut jobs = BTreeMap::new();
        for (name, client) in [("ada", &ada), ("bob", &bob)] {
            let created = client.create_job(&format!("{name}.pdf"), "invoice").await.unwrap();
            assert_eq!(client.upload(&created["upload"], pdf.clone()).await.unwrap().status(), 200);
            jobs.insert(name, created["job"]["job_id"].as_str().unwrap().to_string());
        }
        for (socket, name, sub) in [(&mut ada_socket, "ada", ada_sub), (&mut bob_socket, "bob", bob_sub)] {
            let events = events_until_finished(socket, &jobs[name]).await;
            assert!(events.iter().all(|e| &e.owner == sub), "{name}: {events:?}");
        }
        // Nothing of the other's reached either socket, however long we listen.
        for (socket, name) in [(&mut ada_socket, "ada"), (&mut bob_socket, "bob")] {
            let other = if name == "ada" { &jobs["bob"] } else { &jobs["ada"] };
            let deadline = Instant::now() + Duration::from_millis(500);
            while let Some(event) = next_event(socket, deadline).await {
                assert_ne!(&event.job_id, other, "{name}'s socket got the other user's event");
            }
        }
        // And neither can read the other's job.
        let (status, body) =
            json_of(bob.request(reqwest::Method::GET, &format!("/api/jobs/{}", jobs["ada"])).send().await.unwrap())
                .await;
        assert_eq!((status, body["error"]["name"].as_str()), (404, Some("Api.JobNotFound")));
        let (_, listed) = json_of(ada.request(reqwest::Method::GET, "/api/jobs").send().await.unwrap()).await;
        let ids: Vec<&str> = listed["jobs"].as_array().unwrap().iter().map(|j| j["job_id"].as_str().unwrap()).collect();
        assert_eq!(ids, [jobs["ada"].as_str()]);
        server.stop().await;
    }
}

/// Creates a job with its uploaded document and queues it, as an upload does, without
/// running it.
async fn queued_job(queue: &JobQueue, name: &str) -> String {
    let adapters = queue.workflow().adapters();
    let job_id = docex_local::commands::new_job_id();
    let now = docex_tasks::now();
    let job = JobRecord {
        job_id: job_id.clone(),
        owner: "local".into(),
        document: name.into(),
        spec: "invoice".into(),
        template: "invoice".into(),
        status: JobStatus::Queued,
        error: None,
        confidence: None,
        created_at: now.clone(),
        updated_at: now,
    };
    assert!(adapters.store.create(&job).await.unwrap());
    adapters.blobs.put(&keys::input(&job_id), std::fs::read(fixture(INVOICE)).unwrap()).await.unwrap();
    let input = JobInput { job_id: job_id.clone(), spec: job.spec, template: job.template };
    assert!(queue.enqueue_start(&input).unwrap());
    assert!(!queue.enqueue_start(&input).unwrap(), "queued once only");
    job_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_takes_up_the_queued_jobs_and_runs_each_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    // A process took four uploads and stopped: two had not started, one had just begun its
    // execution (no state entered yet), and one was in the middle of it (its chunk
    // throttled, waiting to retry on a clock that never moves).
    let jobs = {
        let clock = Arc::new(ManualClock::manual(chrono::Utc::now()));
        let stuck = docex_local::workflow::LocalWorkflow::with_clock(
            docex_local::embedded_adapters(&data).unwrap(),
            Faults::parse("ExtractChunk=Docex.Throttled:1").unwrap(),
            clock.clone(),
        )
        .unwrap();
        let queue = JobQueue::new(Arc::new(stuck));
        let mut jobs = Vec::new();
        for name in ["one.pdf", "two.pdf", "begun.pdf", "midway.pdf"] {
            jobs.push(queued_job(&queue, name).await);
        }
        let input =
            |job_id: &str| JobInput { job_id: job_id.to_string(), spec: "invoice".into(), template: "invoice".into() };
        let begun = serde_json::to_value(input(&jobs[2])).unwrap();
        assert!(queue.workflow().adapters().store.begin_execution(&jobs[2], &begun).unwrap());
        let running = {
            let (queue, midway) = (queue.clone(), input(&jobs[3]));
            tokio::spawn(async move { queue.workflow().start(&midway).await })
        };
        let waited = Instant::now();
        while clock.pending_sleeps() == 0 {
            assert!(waited.elapsed() < JOB_TIMEOUT, "the execution never reached the retry wait");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        running.abort();
        assert!(running.await.unwrap_err().is_cancelled());
        assert_eq!(queue.pending().unwrap(), 4);
        jobs
    };

    let server = TestServer::start(&data, &dir.path().join("no-app"), None).await;
    let client = server.client(None);
    let deadline = Instant::now() + JOB_TIMEOUT;
    loop {
        let (_, listed) = json_of(client.request(reqwest::Method::GET, "/api/jobs").send().await.unwrap()).await;
        let finished = listed["jobs"].as_array().unwrap().iter().filter(|j| j["status"] == "SUCCEEDED").count();
        if finished == jobs.len() {
            break;
        }
        assert!(Instant::now() < deadline, "the queued jobs did not finish: {listed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;

    // Another restart finds nothing left to do.
    let server = TestServer::start(&data, &dir.path().join("no-app"), None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.stop().await;

    let workflow = embedded_workflow(&data).unwrap();
    let store = &workflow.adapters().store;
    let midway = store.execution(&jobs[3]).unwrap().unwrap();
    assert_eq!(midway.redrive_count, 1, "the interrupted execution was resumed, not started again");
    for job_id in &jobs {
        let history = docex_core::api::JobQueries::status_history(&**store, job_id).await.unwrap();
        let succeeded = history.iter().filter(|u| u.status == JobStatus::Succeeded).count();
        assert_eq!(succeeded, 1, "{job_id}: {history:?}");
        assert_eq!(store.result_rows(job_id).unwrap(), 1);
        let execution = store.execution(job_id).unwrap().expect("an execution");
        assert_eq!(execution.status.to_string(), "SUCCEEDED");
    }
    assert!(store.running_executions().unwrap().is_empty());
    assert_eq!(JobQueue::new(Arc::new(workflow)).pending().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_uploads_at_once_all_finish_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path().join("data")).unwrap();
    let options = LoadOptions { jobs: 200, concurrency: 2, document: fixture(INVOICE), timeout: JOB_TIMEOUT * 4 };
    let report = docex_local::load::run(&data, &options).await.unwrap();
    assert!(report.lost.is_empty() && report.duplicated.is_empty(), "{report:?}");
    assert_eq!((report.finished, report.listed), (200, 200), "{report:?}");
    assert_eq!(report.statuses.get("SUCCEEDED"), Some(&200), "{report:?}");
    assert!(report.complete());
}
