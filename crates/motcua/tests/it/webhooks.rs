//! Webhooks to other systems, delivered for real: the subscriber is a separate process
//! (`tests/webhook_receiver.py`) that verifies each delivery with the Standard Webhooks
//! reference library for Python (PyPI `standardwebhooks`, installed by `scripts/test`), not with
//! motcua's code. It fails (500), answers too late, is down and is restarted; every event still
//! arrives, with the same `webhook-id` on every copy, and a copy signed with another secret is
//! refused by the library. The worker runs pass by pass (`Dispatcher::run_once`) with a short
//! back-off, so nothing waits minutes.

use std::collections::{BTreeSet, HashMap};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::webhooks::worker::{Dispatcher, WebhookConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TempDir, TestApp};

const AGENCY: &str = "000.00.01.H38";
const SOURCE: &str = "https://motcua.thanhhoa.example";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The subscriber process: each request it gets is a JSON line in `log`.
struct Receiver {
    child: Child,
}

impl Receiver {
    fn start(port: u16, log: &std::path::Path, secret: &str, mode: &str) -> Receiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhook_receiver.py");
        let mut child = Command::new("python3")
            .args([
                script,
                &port.to_string(),
                &log.display().to_string(),
                secret,
                mode,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!(
                    "the webhook receiver stopped ({status}): {err}\n\
                     It needs PyPI's standardwebhooks: python3 -m pip install standardwebhooks \
                     (scripts/test installs it)."
                );
            }
            assert!(
                Instant::now() < deadline,
                "the webhook receiver never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Receiver { child }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn entries(log: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The catalogue, the receiving agency and its officer, a second agency, and a system
/// administrator.
async fn seed(app: &TestApp) {
    crate::catalogue::import(app.store.as_ref(), &["1.001193"]).await;
    app.agency(
        AGENCY,
        "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "service_centre",
        None,
    )
    .await;
    app.user("tiepnhan", "receiving_officer", Some(AGENCY))
        .await;
    app.user("quantri", "admin", None).await;
}

fn dossier_body(n: usize) -> Value {
    json!({
        "procedure": "1.001193", "agency": AGENCY, "channel": "counter",
        "applicant": {"name": "Nguyễn Thị Hồng Nhung", "id_number": format!("03819901{n:04}"),
                      "address": "Phường Hạc Thành, Thanh Hóa"}
    })
}

fn config() -> WebhookConfig {
    WebhookConfig {
        source: SOURCE.into(),
        // Generous: the machine running the tests may be busy; a late answer is tested apart.
        timeout: Duration::from_secs(3),
        retry_base: Some(Duration::from_millis(50)),
        max_attempts: 20,
        ..WebhookConfig::default()
    }
}

async fn deliveries(app: &TestApp, admin: &str, id: &str) -> Vec<Value> {
    let (s, body) = app
        .send(
            Method::GET,
            &format!("/api/v1/webhooks/{id}/deliveries?limit=500"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn subscribe(app: &TestApp, admin: &str, url: &str, agencies: &[&str]) -> (String, String) {
    let (s, made) = app
        .post(
            "/api/v1/webhooks",
            Some(admin),
            json!({"name": "Trung tâm IOC tỉnh Thanh Hóa", "url": url,
                   "event_types": ["vn.motcua.dossier.*"], "agencies": agencies}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
    (
        made["webhook"]["id"].as_str().unwrap().to_string(),
        made["secret"].as_str().unwrap().to_string(),
    )
}

/// Runs worker passes until every delivery of `id` is delivered (at most 30 s).
async fn until_delivered(d: &Arc<Dispatcher>, app: &TestApp, admin: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        d.run_once().await.unwrap();
        let all = deliveries(app, admin, id).await;
        if !all.is_empty() && all.iter().all(|x| x["status"] == "delivered") {
            return;
        }
        assert!(Instant::now() < deadline, "not all delivered: {all:?}");
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

#[tokio::test]
async fn every_event_arrives_through_failures_timeouts_and_restarts_with_stable_ids() {
    let app = TestApp::new().await;
    seed(&app).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-webhooks-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let log = dir.0.join("received.jsonl");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/motcua");

    // Only system administrators manage subscriptions.
    let (s, _) = app
        .send(Method::GET, "/api/v1/webhooks", Some(&officer), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .post(
            "/api/v1/webhooks",
            Some(&admin),
            json!({"name": "IOC", "url": "ftp://ioc.example/x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_url"))
    );
    let (id, secret) = subscribe(&app, &admin, &url, &[AGENCY]).await;
    // Another subscriber, for another agency: it gets nothing of this agency.
    let (other, _) = subscribe(&app, &admin, "http://127.0.0.1:9/none", &["000.00.02.H38"]).await;

    let mut codes = Vec::new();
    for n in 0..3 {
        let (s, d) = app
            .post("/api/v1/dossiers", Some(&officer), dossier_body(n))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    let dispatcher = Arc::new(Dispatcher::new(app.store.clone(), config()).unwrap());

    // 1. The subscriber answers 500: each event is attempted, verified, and stays pending.
    let rx = Receiver::start(port, &log, &secret, "fail");
    dispatcher.run_once().await.unwrap();
    let first = deliveries(&app, &admin, &id).await;
    assert!(first.len() >= 3, "{first:?}");
    let event_ids: BTreeSet<String> = first
        .iter()
        .map(|d| d["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(event_ids.len(), first.len(), "one delivery per event");
    for d in &first {
        assert_eq!(d["status"], "pending", "{d}");
        assert_eq!(d["attempts"], 1, "{d}");
        assert_eq!(d["last_status"], 500, "{d}");
        assert!(d["last_error"].as_str().unwrap().contains("500"), "{d}");
    }
    assert!(deliveries(&app, &admin, &other).await.is_empty());
    rx.stop();

    // 2. It answers too late (after motcua's timeout): still pending, with the reason.
    tokio::time::sleep(Duration::from_millis(120)).await;
    let rx = Receiver::start(port, &log, &secret, "slow:5");
    dispatcher.deliver_due().await.unwrap();
    for d in deliveries(&app, &admin, &id).await {
        assert_eq!(d["status"], "pending", "{d}");
        assert!(
            d["last_error"].as_str().unwrap().contains("no answer"),
            "{d}"
        );
    }
    rx.stop();

    // 3. It is down.
    tokio::time::sleep(Duration::from_millis(250)).await;
    dispatcher.deliver_due().await.unwrap();
    for d in deliveries(&app, &admin, &id).await {
        assert_eq!(d["status"], "pending", "{d}");
        assert!(
            d["last_error"].as_str().unwrap().contains("cannot reach"),
            "{d}"
        );
    }

    // 4. Restarted and healthy: everything arrives.
    let rx = Receiver::start(port, &log, &secret, "ok");
    until_delivered(&dispatcher, &app, &admin, &id).await;
    let got = entries(&log);
    assert!(got.iter().all(|e| e["verified"] == true), "{got:?}");
    let accepted: Vec<&Value> = got.iter().filter(|e| e["answered"] == 204).collect();
    let accepted_ids: BTreeSet<String> = accepted
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(accepted_ids, event_ids, "every event arrived");
    // Each event was accepted once; every copy (failed, late, accepted) carries its id.
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for e in &accepted {
        *per_id
            .entry(e["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(per_id.values().all(|n| *n == 1), "{per_id:?}");
    for e in &got {
        assert!(event_ids.contains(e["id"].as_str().unwrap()), "{e}");
        assert_eq!(
            e["event"]["id"], e["id"],
            "the webhook-id is the CloudEvent's id"
        );
    }
    for id in &event_ids {
        let modes: BTreeSet<&str> = got
            .iter()
            .filter(|e| e["id"] == id.as_str())
            .map(|e| e["mode"].as_str().unwrap())
            .collect();
        assert_eq!(
            modes,
            BTreeSet::from(["fail", "ok", "slow:5"]),
            "the same id on every copy of {id}"
        );
    }
    // The events are CloudEvents 1.0 of this installation, about the dossiers, without the
    // applicant's personal data.
    let event = &accepted[0]["event"];
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["source"], SOURCE);
    assert_eq!(event["agency"], AGENCY);
    assert_eq!(event["procedure"], "1.001193");
    assert!(
        event["type"]
            .as_str()
            .unwrap()
            .starts_with("vn.motcua.dossier.")
    );
    assert!(codes.contains(&event["subject"].as_str().unwrap().to_string()));
    assert_eq!(event["data"]["code"], event["subject"]);
    assert_eq!(accepted[0]["content_type"], "application/cloudevents+json");
    for e in &accepted {
        let text = e["event"].to_string();
        assert!(
            !text.contains("Nhung") && !text.contains("038199"),
            "{text}"
        );
    }
    let delivered = deliveries(&app, &admin, &id).await;
    assert!(
        delivered
            .iter()
            .all(|d| d["last_status"] == 204 && d["last_error"].is_null())
    );

    // 5. An administrator replays a delivery: one more copy, with the same id.
    let replayed = delivered[0]["id"].as_str().unwrap();
    let replayed_event = delivered[0]["event_id"].as_str().unwrap().to_string();
    let (s, r) = app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/{replayed}/replay"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "pending");
    let (s, _) = app
        .post(
            &format!("/api/v1/webhooks/{other}/deliveries/{replayed}/replay"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a delivery is replayed under its subscription"
    );
    until_delivered(&dispatcher, &app, &admin, &id).await;
    let copies = entries(&log)
        .into_iter()
        .filter(|e| e["answered"] == 204 && e["id"] == replayed_event.as_str())
        .count();
    assert_eq!(copies, 2);
    rx.stop();
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_library_and_a_rotation_keeps_deliveries_verifiable() {
    let app = TestApp::new().await;
    seed(&app).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-webhooks-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let log = dir.0.join("received.jsonl");
    let port = free_port();
    let (id, secret) = subscribe(&app, &admin, &format!("http://127.0.0.1:{port}/"), &[]).await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(1))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let dispatcher = Arc::new(Dispatcher::new(app.store.clone(), config()).unwrap());

    // A subscriber that knows another secret: the library refuses every copy (400), and the
    // delivery log says so.
    let impostor = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let rx = Receiver::start(port, &log, impostor, "ok");
    dispatcher.run_once().await.unwrap();
    let got = entries(&log);
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|e| e["verified"] == false && e["error"].as_str().unwrap().contains("signature")),
        "{got:?}"
    );
    for d in deliveries(&app, &admin, &id).await {
        assert_eq!(
            (d["status"].as_str(), d["last_status"].as_i64()),
            (Some("pending"), Some(400))
        );
    }
    rx.stop();

    // A rotation: the new secret signs beside the old one; a subscriber that already has only
    // the new one verifies, and so would one that still has the old one.
    let (s, rotated) = app
        .post(
            &format!("/api/v1/webhooks/{id}/secrets"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    assert_eq!(rotated["webhook"]["secrets"], 2);
    let (s, view) = app
        .send(
            Method::GET,
            &format!("/api/v1/webhooks/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        view.get("secret").is_none() && !view.to_string().contains("whsec_"),
        "{view}"
    );
    let rx = Receiver::start(port, &log, &new_secret, "ok");
    until_delivered(&dispatcher, &app, &admin, &id).await;
    rx.stop();
    let verified = entries(&log)
        .iter()
        .filter(|e| e["verified"] == true)
        .count();
    assert!(verified >= 1);

    // The rotation ends: only the new secret signs; a subscriber with the old one refuses.
    let (s, view) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}/secrets/old"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((s, view["secrets"].as_i64()), (StatusCode::OK, Some(1)));
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(2))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let before = entries(&log).len();
    let rx = Receiver::start(port, &log, &secret, "ok");
    dispatcher.run_once().await.unwrap();
    rx.stop();
    let after = entries(&log);
    assert!(after.len() > before);
    assert!(
        after[before..].iter().all(|e| e["verified"] == false),
        "{after:?}"
    );

    // A disabled subscription gets nothing new.
    let (s, _) = app
        .send(
            Method::PUT,
            &format!("/api/v1/webhooks/{id}"),
            Some(&admin),
            Some(
                json!({"name": "IOC", "url": format!("http://127.0.0.1:{port}/"), "active": false}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let pending_before = deliveries(&app, &admin, &id).await.len();
    let (s, _) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(3))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    dispatcher.fan_out_due().await.unwrap();
    assert_eq!(deliveries(&app, &admin, &id).await.len(), pending_before);
}

#[tokio::test]
async fn the_admin_pages_subscribe_show_the_log_and_replay() {
    use crate::support::{browser, get_page};
    let app = TestApp::new().await;
    seed(&app).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let (b, csrf) = browser(&app, "quantri").await;

    let (s, html) = get_page(&b, &app, "/quan-tri").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("/quan-tri/webhook"),
        "the admin home links the page"
    );
    // A wrong address is refused next to its field, in Vietnamese.
    let res = b
        .post(app.url("/quan-tri/webhook"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "IOC"),
            ("url", "khong-phai-url"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Địa chỉ nhận phải là một URL")
    );
    // Nobody listens on port 9: deliveries fail and the log shows why.
    let res = b
        .post(app.url("/quan-tri/webhook"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Trung tâm IOC tỉnh Thanh Hóa"),
            ("url", "http://127.0.0.1:9/ioc"),
            ("event_types", "vn.motcua.dossier.*"),
            ("agencies", AGENCY),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"hook-secret\"") && html.contains("whsec_"),
        "the secret is shown once"
    );
    let (_, list) = app
        .send(Method::GET, "/api/v1/webhooks", Some(&admin), None)
        .await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["items"][0]["agencies"], json!([AGENCY]));
    let (s, html) = get_page(&b, &app, &format!("/quan-tri/webhook/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("whsec_"), "the secret is not shown again");

    let (s, _) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(1))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let dispatcher = Arc::new(Dispatcher::new(app.store.clone(), config()).unwrap());
    dispatcher.run_once().await.unwrap();
    let (_, html) = get_page(&b, &app, &format!("/quan-tri/webhook/{id}")).await;
    assert!(
        html.contains("Đang chờ gửi") && html.contains("cannot reach"),
        "{html}"
    );
    let first = deliveries(&app, &admin, &id).await;
    let delivery = first[0]["id"].as_str().unwrap();
    assert_eq!(first[0]["attempts"], 1);
    let res = b
        .post(app.url(&format!("/quan-tri/webhook/{id}/gui-lai/{delivery}")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = deliveries(&app, &admin, &id).await;
    assert_eq!(
        (again[0]["attempts"].as_i64(), again[0]["status"].as_str()),
        (Some(0), Some("pending"))
    );
    // Switched off: the page says so.
    let res = b
        .post(app.url(&format!("/quan-tri/webhook/{id}/bat-tat")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_page(&b, &app, "/quan-tri/webhook").await;
    assert!(html.contains("Đã tắt"), "{html}");
}

#[tokio::test]
async fn two_processes_never_send_twice_and_a_crash_repeats_once_with_the_same_id() {
    let app = TestApp::new().await;
    seed(&app).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-webhooks-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let log = dir.0.join("received.jsonl");
    let port = free_port();
    let (id, secret) = subscribe(&app, &admin, &format!("http://127.0.0.1:{port}/"), &[]).await;
    for n in 0..6 {
        let (s, d) = app
            .post("/api/v1/dossiers", Some(&officer), dossier_body(n))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
    }
    let _rx = Receiver::start(port, &log, &secret, "ok");

    // A worker that sent one delivery and died before recording it: its claim is held until
    // the lease ends.
    let one = Arc::new(Dispatcher::new(app.store.clone(), config()).unwrap());
    one.fan_out_due().await.unwrap();
    let crashed = app
        .store
        .claim_deliveries(chrono::Utc::now(), chrono::Duration::seconds(3), 1)
        .await
        .unwrap()
        .remove(0);
    let sub = app.store.webhook(crashed.subscription_id).await.unwrap();
    let event: motcua_integrations::webhook::CloudEvent =
        serde_json::from_str(&crashed.body).unwrap();
    let signed =
        motcua_integrations::webhook::sign(&event, &sub.secrets, chrono::Utc::now()).unwrap();
    let mut req = reqwest::Client::new().post(&sub.url).body(signed.body);
    for (name, value) in signed.headers {
        req = req.header(name, value);
    }
    assert!(req.send().await.unwrap().status().is_success());

    // Two processes on one database deliver the rest at once: none twice.
    let other = app.second_process(motcua_app::Config::default()).await;
    let two = Arc::new(Dispatcher::new(other.store.clone(), config()).unwrap());
    let before = deliveries(&app, &admin, &id).await;
    let (a, b) = tokio::join!(one.deliver_due(), two.deliver_due());
    assert!(a.unwrap() + b.unwrap() >= 1, "{before:?}");
    let all = deliveries(&app, &admin, &id).await;
    let held: Vec<&Value> = all.iter().filter(|d| d["status"] == "pending").collect();
    assert_eq!(
        held.len(),
        1,
        "only the crashed worker's delivery waits: {all:?}"
    );
    // Its lease ends: it is sent again, once, with the same id.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    until_delivered(&two, &app, &admin, &id).await;
    let got = entries(&log);
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for e in &got {
        assert_eq!(e["verified"], true);
        *per_id
            .entry(e["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), all.len(), "every event arrived");
    for (event_id, n) in &per_id {
        let expected = if *event_id == crashed.event_id { 2 } else { 1 };
        assert_eq!(*n, expected, "{event_id}: {per_id:?}");
    }
    let repeated = deliveries(&app, &admin, &id)
        .await
        .into_iter()
        .find(|d| d["event_id"] == crashed.event_id.as_str())
        .unwrap();
    assert_eq!(repeated["attempts"], 2, "{repeated}");
}
