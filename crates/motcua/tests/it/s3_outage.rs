//! Faults: the S3-compatible document store goes away for a while.
//!
//! The store is a real S3 server on this machine: moto's (`python3 -m moto.server`, installed by
//! `scripts/test`; the test fails when it is missing). motcua reaches it through a TCP relay the
//! test holds; the outage closes the relay's port and every connection through it, so motcua
//! meets what it meets when a store is down or cut off (connection refused), while moto keeps
//! the files it holds in memory for when the store is back (a restarted moto would start empty).
//! While the store is away:
//! - `/readyz` answers 503 and names the document store;
//! - an upload fails within seconds with 503 `document_store_unavailable` and is not recorded;
//!   a download fails the same way;
//! - dossiers without documents are still taken.
//!
//! When the relay is back the same server is ready again and uploads work; every document any
//! dossier refers to is in the store.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::support::{TestApp, client};

/// moto's S3 server on a free port, killed on drop.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    async fn start() -> Moto {
        let port = crate::processes::free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto's S3 server exited ({status}): install it with \
                     `python3 -m pip install 'moto[server]'` (scripts/test does)"
                );
            }
            let answer = client()
                .get(format!("http://127.0.0.1:{}/", moto.port))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return moto;
            }
            assert!(Instant::now() < deadline, "moto's S3 server never answered");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Makes a bucket (moto checks no signature).
    async fn bucket(&mut self, name: &str) {
        let r = client()
            .put(format!("http://127.0.0.1:{}/{name}", self.port))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "bucket: {}", r.status());
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP relay from a port of its own to another; `down` closes the port and every connection
/// through it, `up` opens the same port again.
struct Relay {
    port: u16,
    to: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    fn new(to: u16) -> Relay {
        let relay = Relay {
            port: crate::processes::free_port(),
            to,
            tasks: Arc::default(),
        };
        relay.up();
        relay
    }

    fn up(&self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(([127, 0, 0, 1], self.port).into())
            .expect("the relay's port is free again");
        let listener = socket.listen(128).unwrap();
        let (to, tasks) = (self.to, self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", to)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn down(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.down();
    }
}

async fn readyz(app: &TestApp) -> (StatusCode, String) {
    let res = app.get("/readyz").await;
    (res.status(), res.text().await.unwrap())
}

async fn version(app: &TestApp, token: &str, code: &str) -> i64 {
    let (s, d) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["version"].as_i64().unwrap()
}

async fn upload(app: &TestApp, token: &str, code: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let v = version(app, token, code).await;
    let res = app
        .client
        .post(app.url(&format!(
            "/api/v1/dossiers/{code}/documents?component=T%E1%BB%9D%20khai&version={v}"
        )))
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn new_dossier(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.post(
        "/api/v1/dossiers",
        Some(token),
        crate::dossiers::body("counter"),
    )
    .await
}

#[tokio::test]
async fn an_s3_outage_fails_uploads_cleanly_and_intake_goes_on() {
    let mut moto = Moto::start().await;
    moto.bucket("ho-so").await;
    let relay = Relay::new(moto.port);
    let config = motcua_app::Config {
        documents: bucket_through(&relay),
        ..motcua_app::Config::default()
    };
    let (app, [officer, ..]) = crate::dossiers::setup_with(config).await;
    let (s, body) = readyz(&app).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("documents: ok"), "{body}");
    let (s, d) = new_dossier(&app, &officer).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let before = crate::documents::pdf("truoc");
    let (s, d) = upload(&app, &officer, &code, before.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");

    relay.down();
    let (s, body) = readyz(&app).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("documents: unavailable"), "{body}");
    assert!(body.contains("database: ok"), "{body}");
    let during = crate::documents::pdf("trong");
    let started = Instant::now();
    let (s, e) = upload(&app, &officer, &code, during.clone()).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{e}");
    assert_eq!(e["error"], "document_store_unavailable", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Kho lưu trữ tài liệu"),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the failure is told quickly, not after minutes of retries: {:?}",
        started.elapsed()
    );
    let (s, _, _) = crate::documents::download(&app, &officer, &code, &sha256(&before)).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    // Dossiers without documents are taken as usual.
    for _ in 0..5 {
        let (s, d) = new_dossier(&app, &officer).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    relay.up();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (s, body) = readyz(&app).await;
        if s == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "never ready again: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, d) = upload(&app, &officer, &code, during.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    for bytes in [&before, &during] {
        let (s, _, got) = crate::documents::download(&app, &officer, &code, &sha256(bytes)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(&got, bytes);
    }

    // No dossier refers to a document the store does not hold.
    let blobs = motcua_app::blobs::Blobs::open(&bucket_through(&relay)).unwrap();
    let mut referred = 0;
    for id in app.store.dossier_ids().await.unwrap() {
        for doc in app.store.dossier_documents(id).await.unwrap() {
            assert!(
                blobs.exists(&doc.sha256).await.unwrap(),
                "{} is referred to but not stored",
                doc.sha256
            );
            referred += 1;
        }
    }
    assert_eq!(referred, 2, "the upload that failed is not recorded");
}

/// The bucket `ho-so`, reached through the relay.
fn bucket_through(relay: &Relay) -> motcua_app::blobs::BlobConfig {
    motcua_app::blobs::BlobConfig::S3(motcua_app::blobs::S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", relay.port)),
        bucket: "ho-so".into(),
        region: Some("us-east-1".into()),
        access_key: Some("motcua".into()),
        secret_key: Some("motcua-secret".into()),
        allow_http: true,
    })
}
