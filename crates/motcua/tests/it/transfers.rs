//! Transfers between deployments: two real `motcua serve` processes, each on its own database
//! (a province's and a ministry's), configured as each other's peer, one signing with Ed25519
//! and the other with HMAC-SHA256 (RFC 9421). A dossier goes to the ministry while the ministry
//! is down (the message is re-sent from the outbox once it is up), keeps its code there, and
//! its result comes back; a repeated message changes nothing; bad, expired and unknown-key
//! signatures are refused with their codes; both event logs show the hop.

use std::time::{Duration, Instant};

use chrono::Utc;
use motcua_app::webhooks::transfer::{Peer, TransferConfig, subscription_id};
use motcua_integrations::httpsig::{Alg, SignKey, VerifyKey, new_ed25519_key};
use motcua_integrations::transfer::signed_request;
use motcua_store::DeliveryQuery;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::processes::{free_port, start_at};
use crate::support::{TestApp, TestDb, client};

const SHARED: &str = "khóa HMAC dùng chung giữa Bộ và tỉnh, thử nghiệm";

struct Side {
    app: TestApp,
    port: u16,
    config: std::path::PathBuf,
}

impl Side {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&self) -> crate::processes::Server {
        let mut args = vec!["--config".into(), self.config.display().to_string()];
        // On SQLite the data directory is the database's; on PostgreSQL each side keeps its
        // files in a directory of its own.
        if let TestDb::Postgres(_) = self.app.db {
            let files = std::env::temp_dir().join(format!("motcua-transfer-files-{}", self.port));
            args.extend(["--data-dir".into(), files.display().to_string()]);
        }
        start_at(&self.app.db, self.port, &args).await
    }

    async fn dossier(&self, code: &str) -> Option<Value> {
        let row = self.app.store.dossier_by_code(code).await.ok()?;
        let events = self.app.store.dossier_events(row.id).await.unwrap();
        let kinds: Vec<String> = events.iter().map(|e| e.kind.clone()).collect();
        let state: Value = serde_json::from_str(&row.state).unwrap();
        Some(
            json!({"status": row.status.as_str(), "agency": state["agency"], "kinds": kinds,
            "state": state}),
        )
    }

    /// The deliveries to a peer, newest first.
    async fn deliveries(&self, peer: &str) -> Vec<motcua_store::WebhookDelivery> {
        self.app
            .store
            .list_deliveries(&DeliveryQuery {
                subscription_id: Some(subscription_id(peer)),
                subject: None,
                status: None,
                limit: 50,
                offset: 0,
            })
            .await
            .unwrap()
            .items
    }
}

fn write_config(port: u16, key_id: &str, alg: &str, key: &str, peer: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("motcua-transfer-{port}.toml"));
    let text = format!(
        "public_url = \"http://127.0.0.1:{port}\"\n\
         transfer_key_id = \"{key_id}\"\ntransfer_alg = \"{alg}\"\ntransfer_key = \"{key}\"\n\
         integration_retry_base_secs = 1\n{peer}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn peer(name: &str, port: u16, key_id: &str, alg: &str, key: &str) -> String {
    format!(
        "[[peers]]\nname = \"{name}\"\nurl = \"http://127.0.0.1:{port}\"\nkey_id = \"{key_id}\"\n\
         alg = \"{alg}\"\nkey = \"{key}\"\n"
    )
}

/// The same settings for the in-process server the test acts through (on the same database).
fn app_config(
    key_id: &str,
    key: SignKey,
    (name, port, peer_key_id, peer_key): (&str, u16, &str, VerifyKey),
) -> motcua_app::Config {
    motcua_app::Config {
        transfers: TransferConfig {
            key_id: key_id.into(),
            key: Some(key),
            peers: vec![Peer {
                name: name.into(),
                url: format!("http://127.0.0.1:{port}"),
                key_id: peer_key_id.into(),
                key: peer_key,
            }],
        },
        ..motcua_app::Config::default()
    }
}

async fn act(
    app: &TestApp,
    token: &str,
    code: &str,
    action: &str,
    mut fields: Value,
) -> (StatusCode, Value) {
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    fields["version"] = d["version"].clone();
    app.post(
        &format!("/api/v1/dossiers/{code}/actions/{action}"),
        Some(token),
        fields,
    )
    .await
}

async fn until<F, Fut>(what: &str, mut check: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// POSTs a message signed with `key` (as `key_id`, at `at`) to `base`.
async fn post_signed(
    base: &str,
    body: &str,
    id: &str,
    key_id: &str,
    key: &SignKey,
    at: chrono::DateTime<Utc>,
) -> (StatusCode, Value) {
    let req = signed_request(base, id, body.as_bytes().to_vec(), key_id, key, at).unwrap();
    let mut r = client().post(&req.url).body(req.body);
    for (k, v) in req.headers {
        r = r.header(k, v);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_dossier_goes_to_another_deployment_and_its_result_comes_back() {
    let (province_seed, province_pub) = new_ed25519_key();
    let (pa, pb) = (free_port(), free_port());
    let province_key = SignKey::parse(Alg::Ed25519, &province_seed).unwrap();
    let ministry_key = SignKey::parse(Alg::HmacSha256, SHARED).unwrap();
    let province = Side {
        app: TestApp::with_config(app_config(
            "tinh-thanh-hoa",
            province_key.clone(),
            ("bo-tu-phap", pb, "bo-tu-phap", ministry_key.verify_key()),
        ))
        .await,
        port: pa,
        config: write_config(
            pa,
            "tinh-thanh-hoa",
            "ed25519",
            &province_seed,
            &peer("bo-tu-phap", pb, "bo-tu-phap", "hmac-sha256", SHARED),
        ),
    };
    let ministry = Side {
        app: TestApp::with_config(app_config(
            "bo-tu-phap",
            ministry_key.clone(),
            (
                "tinh-thanh-hoa",
                pa,
                "tinh-thanh-hoa",
                province_key.verify_key(),
            ),
        ))
        .await,
        port: pb,
        config: write_config(
            pb,
            "bo-tu-phap",
            "hmac-sha256",
            SHARED,
            &peer(
                "tinh-thanh-hoa",
                pa,
                "tinh-thanh-hoa",
                "ed25519",
                &province_pub,
            ),
        ),
    };
    assert!(
        !matches!((&province.app.db, &ministry.app.db), (TestDb::Postgres(a), TestDb::Postgres(b)) if a == b),
        "two databases"
    );

    // The province: a dossier received at the counter, forwarded, sent to the ministry.
    let [officer, specialist, leader, _, _] = crate::dossiers::seed(&province.app).await;
    crate::catalogue::import(ministry.app.store.as_ref(), &["1.001193"]).await;
    ministry
        .app
        .agency("000.00.00.G06", "Bộ Tư pháp", "ministry", None)
        .await;
    let m_leader = ministry
        .app
        .user("lanhdao.bo", "leader", Some("000.00.00.G06"))
        .await;
    let (s, d) = province
        .app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let (s, d) = act(
        &province.app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // A peer that is not configured is refused before anything is written.
    let (s, e) = act(
        &province.app,
        &specialist,
        &code,
        "transfer",
        json!({"to": "000.00.00.G06", "reason": "Thuộc thẩm quyền của Bộ", "peer": "bo-cong-an"}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_peer")),
        "{e}"
    );
    // Nobody asks for the receiving side's actions through the API.
    let (s, e) = act(&province.app, &specialist, &code, "return_transfer",
        json!({"peer": "bo-tu-phap", "message_id": "x", "outcome": {"approved": true, "result_code": "1"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

    // The province's process runs; the ministry's is down: the message waits in the outbox.
    let province_server = province.start().await;
    // A paper scanned at the province's counter goes with the dossier: the ministry fetches it
    // from the province's process, signed as the ministry.
    let scan = crate::documents::pdf("To khai dang ky khai sinh");
    let sha = motcua_app::blobs::sha256_hex(&scan);
    let (_, now) = province
        .app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    let up = client()
        .post(format!(
            "{}/api/v1/dossiers/{code}/documents?component=T%E1%BB%9D%20khai&version={}",
            province.base(),
            now["version"]
        ))
        .bearer_auth(&officer)
        .header("content-type", "application/octet-stream")
        .body(scan.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::CREATED, "{:?}", up.text().await);
    let fetch_at_province = |sha: String, at: chrono::DateTime<Utc>| {
        let (base, code, key) = (province.base(), code.clone(), ministry_key.clone());
        async move {
            let r = motcua_integrations::transfer::signed_fetch(
                &base,
                &code,
                &sha,
                "bo-tu-phap",
                &key,
                at,
            )
            .unwrap();
            let mut req = client().get(&r.url);
            for (n, v) in r.headers {
                req = req.header(n, v);
            }
            req.send().await.unwrap().status()
        }
    };
    // Not before it is sent there.
    assert_eq!(
        fetch_at_province(sha.clone(), Utc::now()).await,
        StatusCode::NOT_FOUND
    );
    // The in-process server the test acts through sees the other process's write once its
    // row cache (2 s) lets it go, as a second host would.
    until("the upload is seen by the in-process server", || async {
        let (_, d) = province
            .app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&officer),
                None,
            )
            .await;
        (d["version"].as_i64() > now["version"].as_i64()).then_some(Value::Null)
    })
    .await;
    let (s, d) = act(
        &province.app,
        &specialist,
        &code,
        "transfer",
        json!({"to": "000.00.00.G06", "reason": "Thuộc thẩm quyền của Bộ", "peer": "bo-tu-phap"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let failed = until("a first attempt fails", || async {
        let d = province.deliveries("bo-tu-phap").await;
        d.first()
            .filter(|d| d.attempts >= 1 && d.status.as_str() == "pending")
            .map(|d| json!({"error": d.last_error}))
    })
    .await;
    assert!(
        failed["error"].as_str().unwrap().contains("cannot reach"),
        "{failed}"
    );
    // While it is there, nothing happens to it here.
    let (s, e) = act(
        &province.app,
        &specialist,
        &code,
        "request_supplement",
        json!({"reason": "Thiếu giấy tờ", "missing": ["Tờ khai"]}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("at_peer")),
        "{e}"
    );

    // The ministry comes up: the message is sent again and the dossier is there, same code.
    let ministry_server = ministry.start().await;
    let there = until("the dossier reaches the ministry", || {
        ministry.dossier(&code)
    })
    .await;
    assert_eq!(there["status"], "processing", "{there}");
    assert_eq!(there["agency"], "000.00.00.G06");
    let there = until("the file is attached at the ministry", || async {
        ministry
            .dossier(&code)
            .await
            // Its events read fresh, its row through the row cache: both.
            .filter(|d| {
                d["kinds"] == json!(["transfer_received", "document_attached"])
                    && d["state"]["version"] == 2
            })
    })
    .await;
    let doc = &there["state"]["documents"][0];
    assert_eq!(
        (
            doc["sha256"].as_str(),
            doc["component"].as_str(),
            doc["source"]["kind"].as_str(),
            doc["source"]["peer"].as_str()
        ),
        (
            Some(sha.as_str()),
            Some("Tờ khai"),
            Some("transferred"),
            Some("tinh-thanh-hoa")
        ),
        "{there}"
    );
    let file = client()
        .get(format!(
            "{}/api/v1/dossiers/{code}/documents/{sha}",
            ministry.base()
        ))
        .bearer_auth(&m_leader)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.bytes().await.unwrap().to_vec(),
        scan,
        "the same bytes at the ministry"
    );
    // At the province: only that file, only signed by the peer it went to, not expired.
    assert_eq!(
        fetch_at_province(sha.clone(), Utc::now()).await,
        StatusCode::OK
    );
    assert_eq!(
        fetch_at_province("ab".repeat(32), Utc::now()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch_at_province(sha.clone(), Utc::now() - chrono::Duration::minutes(10)).await,
        StatusCode::UNAUTHORIZED
    );
    let unsigned = client()
        .get(format!(
            "{}/api/v1/transfers/{code}/documents/{sha}",
            province.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(there["state"]["origin"]["peer"], "tinh-thanh-hoa");
    assert_eq!(there["state"]["applicant"]["id_number"], "038199012345");
    let sent = until("the delivery is recorded", || async {
        province
            .deliveries("bo-tu-phap")
            .await
            .into_iter()
            .find(|d| d.status.as_str() == "delivered")
            .map(|d| json!({"id": d.event_id, "body": d.body, "attempts": d.attempts}))
    })
    .await;
    assert!(sent["attempts"].as_i64().unwrap() >= 2, "{sent}");
    let body = sent["body"].as_str().unwrap();
    let message: Value = serde_json::from_str(body).unwrap();
    assert_eq!(message["type"], "dossier");
    let kinds: Vec<&str> = message["dossier"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.last(), Some(&"transferred"), "{message}");
    assert!(kinds.contains(&"received"), "{message}");

    // The same message again, signed afresh: 200 "repeated", nothing changes.
    let id = sent["id"].as_str().unwrap();
    let (s, ack) = post_signed(
        &ministry.base(),
        body,
        id,
        "tinh-thanh-hoa",
        &province_key,
        Utc::now(),
    )
    .await;
    assert_eq!(
        (s, ack["outcome"].as_str()),
        (StatusCode::OK, Some("repeated")),
        "{ack}"
    );
    assert_eq!(
        ministry.dossier(&code).await.unwrap()["kinds"],
        json!(["transfer_received", "document_attached"])
    );
    // Refused: an unknown key, another key under a known id, an expired signature.
    let stranger = SignKey::parse(Alg::Ed25519, &new_ed25519_key().0).unwrap();
    for (key_id, key, at, want) in [
        (
            "tinh-nghe-an",
            &stranger,
            Utc::now(),
            "signature_unknown_key",
        ),
        ("tinh-thanh-hoa", &stranger, Utc::now(), "signature_invalid"),
        (
            "tinh-thanh-hoa",
            &province_key,
            Utc::now() - chrono::Duration::minutes(10),
            "signature_expired",
        ),
    ] {
        let (s, e) = post_signed(&ministry.base(), body, id, key_id, key, at).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(want)),
            "{e}"
        );
    }
    let unsigned = client()
        .post(format!("{}/api/v1/transfers", ministry.base()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let e: Value = unsigned.json().await.unwrap();
    assert_eq!(e["error"], "signature_missing", "{e}");

    // The ministry decides and issues the result; it goes back while the province is down.
    drop(province_server);
    let (s, d) = act(
        &ministry.app,
        &m_leader,
        &code,
        "approve",
        json!({"note": "Đồng ý"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, d) = act(
        &ministry.app,
        &m_leader,
        &code,
        "record_result",
        json!({"result_code": "125/QĐ-BTP", "form": {"form": "paper"}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    until("the result's first attempt fails", || async {
        ministry
            .deliveries("tinh-thanh-hoa")
            .await
            .first()
            .filter(|d| d.attempts >= 1 && d.status.as_str() == "pending")
            .map(|_| Value::Null)
    })
    .await;
    let _province_server = province.start().await;
    let back = until("the result is back at the province", || async {
        province
            .dossier(&code)
            .await
            .filter(|d| d["state"]["away"].is_null())
    })
    .await;
    assert_eq!(back["status"], "processing", "{back}");
    assert_eq!(back["agency"], "000.00.02.H38");
    assert_eq!(
        back["state"]["transfer_outcome"]["result_code"],
        "125/QĐ-BTP"
    );
    assert_eq!(back["state"]["transfer_outcome"]["approved"], true);
    let k = back["kinds"].as_array().unwrap();
    assert_eq!(
        k[k.len() - 2..],
        [json!("transferred"), json!("transfer_returned")],
        "{back}"
    );
    // The result message repeated: nothing changes at the province.
    let result = until("the result's delivery is recorded", || async {
        ministry
            .deliveries("tinh-thanh-hoa")
            .await
            .into_iter()
            .find(|d| d.status.as_str() == "delivered")
            .map(|d| json!({"id": d.event_id, "body": d.body}))
    })
    .await;
    let (s, ack) = post_signed(
        &province.base(),
        result["body"].as_str().unwrap(),
        result["id"].as_str().unwrap(),
        "bo-tu-phap",
        &ministry_key,
        Utc::now(),
    )
    .await;
    assert_eq!(
        (s, ack["outcome"].as_str()),
        (StatusCode::OK, Some("repeated")),
        "{ack}"
    );
    assert_eq!(
        province.dossier(&code).await.unwrap()["kinds"],
        back["kinds"]
    );

    // The province finishes it with the ministry's result.
    let (s, d) = act(
        &province.app,
        &leader,
        &code,
        "approve",
        json!({"note": "Theo kết quả của Bộ"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, d) = act(
        &province.app,
        &specialist,
        &code,
        "record_result",
        json!({"result_code": "125/QĐ-BTP", "form": {"form": "paper"}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "done", "{d}");
    // The ministry's log: received from the province, decided, result recorded.
    assert_eq!(
        ministry.dossier(&code).await.unwrap()["kinds"],
        json!([
            "transfer_received",
            "document_attached",
            "approved",
            "result_recorded"
        ])
    );
    // Back home, its files are no longer served to the ministry.
    assert_eq!(
        fetch_at_province(sha.clone(), Utc::now()).await,
        StatusCode::NOT_FOUND
    );
    drop(ministry_server);
}
