//! The S3 adapters against moto through the real S3 client: the blob store's round trip,
//! bucket routing by key prefix, missing keys, the size limit, presigned PUT and GET used
//! with plain HTTP, specs from the bucket before the shipped ones, and template folders.

use std::time::Duration;

use docex_aws::s3::{self, Buckets, S3BlobStore, S3SpecStore, S3Templates};
use docex_core::{BlobStore, DocexError, SpecStore};
use docex_testkit::moto::{moto, unique_name};

async fn client() -> aws_sdk_s3::Client {
    s3::client(&moto().sdk_config().await)
}

async fn bucket(client: &aws_sdk_s3::Client, prefix: &str) -> String {
    let name = unique_name(prefix);
    client.create_bucket().bucket(&name).send().await.expect("create bucket");
    name
}

async fn store() -> (aws_sdk_s3::Client, S3BlobStore) {
    let client = client().await;
    let buckets = Buckets { input: bucket(&client, "in").await, output: bucket(&client, "out").await };
    (client.clone(), S3BlobStore::new(client, buckets))
}

async fn object(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Option<(Vec<u8>, Option<String>)> {
    let output = client.get_object().bucket(bucket).key(key).send().await.ok()?;
    let content_type = output.content_type().map(str::to_string);
    Some((output.body.collect().await.expect("body").into_bytes().to_vec(), content_type))
}

#[tokio::test]
async fn objects_round_trip_into_the_bucket_their_prefix_names() {
    let (client, store) = store().await;
    let buckets = store.buckets().clone();
    let pdf = b"%PDF-1.7 not really".to_vec();
    store.put("input/job-1/document.pdf", pdf.clone()).await.unwrap();
    store.put("work/job-1/document.json", br#"{"pages":[]}"#.to_vec()).await.unwrap();
    store.put("output/job-1/result.json", br#"{"ok":true}"#.to_vec()).await.unwrap();

    assert_eq!(store.get("input/job-1/document.pdf").await.unwrap(), Some(pdf.clone()));
    assert_eq!(store.get("output/job-1/result.json").await.unwrap(), Some(br#"{"ok":true}"#.to_vec()));

    // Where each object really is, and with which content type.
    let (bytes, content_type) = object(&client, &buckets.input, "input/job-1/document.pdf").await.expect("in input");
    assert_eq!(bytes, pdf);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    assert!(object(&client, &buckets.output, "input/job-1/document.pdf").await.is_none());
    let (_, content_type) = object(&client, &buckets.output, "work/job-1/document.json").await.expect("in output");
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert!(object(&client, &buckets.input, "work/job-1/document.json").await.is_none());
    assert!(object(&client, &buckets.output, "output/job-1/result.json").await.is_some());

    // Writing again replaces.
    store.put("output/job-1/result.json", b"{}".to_vec()).await.unwrap();
    assert_eq!(store.get("output/job-1/result.json").await.unwrap(), Some(b"{}".to_vec()));
}

#[tokio::test]
async fn a_missing_key_is_none_and_a_bad_key_is_refused() {
    let (_, store) = store().await;
    assert_eq!(store.get("output/no-such-job/result.json").await.unwrap(), None);
    assert_eq!(store.get("input/no-such-job/document.pdf").await.unwrap(), None);
    for bad in ["", "/output/x", "output/../input/x"] {
        assert!(matches!(store.get(bad).await, Err(DocexError::InvalidInput(_))), "{bad:?}");
        assert!(matches!(store.put(bad, vec![1]).await, Err(DocexError::InvalidInput(_))), "{bad:?}");
    }
}

#[tokio::test]
async fn an_object_over_the_limit_is_refused_with_its_size() {
    let (_, store) = store().await;
    let store = store.with_max_object_bytes(1000);
    store.put("input/big/document.pdf", vec![b'x'; 4096]).await.unwrap();
    store.put("input/small/document.pdf", vec![b'x'; 1000]).await.unwrap();
    match store.get("input/big/document.pdf").await {
        Err(DocexError::FileTooLarge { size, limit }) => assert_eq!((size, limit), (4096, 1000)),
        other => panic!("expected FileTooLarge, got {other:?}"),
    }
    assert_eq!(store.get("input/small/document.pdf").await.unwrap().map(|b| b.len()), Some(1000));
}

#[tokio::test]
async fn a_presigned_put_uploads_one_key_and_a_presigned_get_downloads_it() {
    let (_, store) = store().await;
    let http = reqwest::Client::new();
    let key = "input/job-7/document.pdf";
    let put = store.presign_put(key, "application/pdf", Duration::from_secs(300)).await.unwrap();
    assert_eq!(put.method, "PUT");
    assert!(put.url.contains(&format!("/{}/{key}?", store.buckets().input)), "{}", put.url);
    assert!(put.url.contains("X-Amz-Expires=300"), "{}", put.url);
    assert!(put.url.contains("X-Amz-Signature="), "{}", put.url);
    assert_eq!(put.headers.get("content-type").map(String::as_str), Some("application/pdf"));

    let body = b"%PDF-1.4 uploaded by a browser".to_vec();
    let mut request = http.put(&put.url).body(body.clone());
    for (name, value) in &put.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
    assert_eq!(store.get(key).await.unwrap(), Some(body.clone()));

    let get = store.presign_get(key, Duration::from_secs(60), Some("Rechnung März.pdf")).await.unwrap();
    assert_eq!(get.method, "GET");
    // The signed URL asks S3 to send the file as an attachment under its display name
    // (moto ignores the request and answers without the header; S3 honours it).
    let url = reqwest::Url::parse(&get.url).unwrap();
    let disposition = url.query_pairs().find(|(k, _)| k == "response-content-disposition").map(|(_, v)| v.to_string());
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf")
    );
    let response = http.get(&get.url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().to_vec(), body);

    // Reports come from the output bucket.
    store.put("output/job-7/report.pdf", b"%PDF report".to_vec()).await.unwrap();
    let get = store.presign_get("output/job-7/report.pdf", Duration::from_secs(60), None).await.unwrap();
    assert!(get.url.contains(&format!("/{}/output/job-7/report.pdf?", store.buckets().output)), "{}", get.url);
    assert_eq!(http.get(&get.url).send().await.unwrap().bytes().await.unwrap().as_ref(), b"%PDF report");
}

#[tokio::test]
async fn presigned_urls_are_short_lived() {
    let (_, store) = store().await;
    let key = "input/job-8/document.pdf";
    for expires in [Duration::ZERO, Duration::from_secs(3601), Duration::from_secs(7 * 24 * 3600)] {
        assert!(matches!(store.presign_put(key, "application/pdf", expires).await, Err(DocexError::InvalidInput(_))));
        assert!(matches!(store.presign_get(key, expires, None).await, Err(DocexError::InvalidInput(_))));
    }
    assert!(matches!(
        store.presign_put(key, "application/pdf\r\nx-evil: 1", Duration::from_secs(60)).await,
        Err(DocexError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn specs_come_from_the_bucket_first_then_the_shipped_ones() {
    let client = client().await;
    let specs = bucket(&client, "specs").await;
    let put = |key: &'static str, body: &'static str| {
        client.put_object().bucket(&specs).key(key).body(body.as_bytes().to_vec().into()).send()
    };
    put("purchase_order.json", r#"{"type":"object","properties":{"po_number":{"type":"string","description":"PO"}}}"#)
        .await
        .unwrap();
    put("invoice.json", r#"{"type":"object","properties":{"house_field":{"type":"string","description":"ours"}}}"#)
        .await
        .unwrap();
    put("broken.json", "{ not json").await.unwrap();
    let store = S3SpecStore::new(client.clone(), &specs);

    let spec = store.spec("purchase_order").await.unwrap();
    assert_eq!(spec.name, "purchase_order");
    assert_eq!(spec.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["po_number"]);
    // The bucket's invoice replaces the shipped one; the receipt is the shipped one.
    let invoice = store.spec("invoice").await.unwrap();
    assert_eq!(invoice.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["house_field"]);
    let receipt = store.spec("receipt").await.unwrap();
    assert!(receipt.fields.iter().any(|f| f.name == "total"), "{:?}", receipt.fields);

    assert!(matches!(store.spec("no_such_spec").await, Err(DocexError::SpecNotFound(_))));
    assert!(matches!(store.spec("broken").await, Err(DocexError::SpecInvalid(_))));
    for bad in ["../invoice", "a/b", "invoice.json", "", ".."] {
        assert!(matches!(store.spec(bad).await, Err(DocexError::SpecNotFound(_))), "{bad:?}");
    }
}

#[tokio::test]
async fn a_spec_over_the_size_limit_is_invalid() {
    let client = client().await;
    let specs = bucket(&client, "specs").await;
    let huge = format!(r#"{{"type":"object","description":"{}","properties":{{}}}}"#, "x".repeat(300 * 1024));
    client.put_object().bucket(&specs).key("huge.json").body(huge.into_bytes().into()).send().await.unwrap();
    match S3SpecStore::new(client, &specs).spec("huge").await {
        Err(DocexError::SpecInvalid(message)) => assert!(message.contains("over the limit"), "{message}"),
        other => panic!("expected SpecInvalid, got {:?}", other.map(|s| s.name)),
    }
}

const BIG: &str =
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

#[tokio::test]
async fn template_folders_load_into_memory_within_their_budget() {
    let client = client().await;
    let templates = bucket(&client, "templates").await;
    for (key, body) in [
        ("report/main.typ", "#let data = json(\"/data.json\")\n= Report"),
        ("report/parts/table.typ", "#let table = none"),
        ("report/logo.svg", "<svg/>"),
        ("report-other/main.typ", "= Other"),
        ("nomain/readme.txt", "no main file"),
        ("big/main.typ", "= Big"),
        ("big/blob.bin", BIG),
    ] {
        client.put_object().bucket(&templates).key(key).body(body.as_bytes().to_vec().into()).send().await.unwrap();
    }
    let store = S3Templates::new(client.clone(), &templates).with_max_total_bytes(100);

    let files = store.load("report").await.unwrap().expect("the report folder");
    assert_eq!(files.keys().map(String::as_str).collect::<Vec<_>>(), ["logo.svg", "main.typ", "parts/table.typ"]);
    assert_eq!(files["logo.svg"], b"<svg/>");
    assert!(store.load("absent").await.unwrap().is_none());
    assert!(matches!(store.load("nomain").await, Err(DocexError::TemplateInvalid(_))));
    assert!(matches!(store.load("big").await, Err(DocexError::TemplateInvalid(_))));
    for bad in ["../report", "report/parts", "", "a b"] {
        assert!(matches!(store.load(bad).await, Err(DocexError::TemplateNotFound(_))), "{bad:?}");
    }
}
