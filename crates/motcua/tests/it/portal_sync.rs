//! National portal sync: every received dossier and every status change goes to the portal's
//! dossier-sync endpoint as its record, through the outbox, played here by the repository's
//! fake (`crates/fake-portal`, which checks each record against its own transcription of the
//! field list). The fake fails, answers too late and loses an acknowledgement (so a record is
//! repeated, and kept once); the record of each status is checked field by field; the dossier's
//! sync log and the index's indicator 1.4 come from what the portal acknowledged.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::webhooks::worker::{Dispatcher, WebhookConfig};
use motcua_integrations::portal::FIELDS;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;

const KEY: &str = "khoa-dong-bo-thu-nghiem";
const PUBLIC: &str = "https://dichvucong.thanhhoa.example";

struct FakePortal {
    base: String,
    http: reqwest::Client,
}

impl FakePortal {
    async fn start() -> FakePortal {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, fake_portal::router(Some(KEY.into())))
                .await
                .unwrap()
        });
        FakePortal {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    async fn mode(&self, mode: &str, delay_ms: u64) {
        let s = self
            .http
            .post(format!("{}/_control/mode", self.base))
            .json(&json!({"mode": mode, "delay_ms": delay_ms}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s, StatusCode::NO_CONTENT);
    }

    async fn records(&self) -> Value {
        self.http
            .get(format!("{}/_control/records", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The latest record the portal keeps for `code`.
    async fn latest(&self, code: &str) -> Value {
        let all = self.records().await;
        all["stored"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|r| r["record"]["MaHoSo"] == code)
            .map(|r| r["record"].clone())
            .unwrap_or(Value::Null)
    }
}

fn config(portal: &FakePortal) -> WebhookConfig {
    WebhookConfig {
        source: PUBLIC.into(),
        timeout: Duration::from_secs(2),
        retry_base: Some(Duration::from_millis(50)),
        max_attempts: 20,
        portal_url: Some(format!("{}/dongbo/hoso", portal.base)),
        portal_key: Some(KEY.into()),
        ..WebhookConfig::default()
    }
}

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    fields["version"] = d["version"].clone();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{action}: {d}");
    d
}

/// Runs passes until nothing is pending for the portal (at most 20 s).
async fn synced(d: &Arc<Dispatcher>, app: &TestApp, admin: &str, code: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        d.run_once().await.unwrap();
        let log = sync_log(app, admin, code).await;
        if !log.is_empty() && log.iter().all(|x| x["status"] == "delivered") {
            return log;
        }
        assert!(Instant::now() < deadline, "not synced: {log:?}");
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

async fn sync_log(app: &TestApp, admin: &str, code: &str) -> Vec<Value> {
    let (s, log) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/portal-sync"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log["items"].as_array().unwrap().clone()
}

/// Every field of the list, and no other.
fn has_every_field(r: &Value) {
    let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, FIELDS.iter().copied().collect::<BTreeSet<_>>(), "{r}");
}

fn is_portal_time(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()))
}

#[tokio::test]
async fn each_status_is_synced_as_the_portals_record_through_failures_and_a_repeat() {
    let app = TestApp::new().await;
    let [officer, specialist, leader, _citizen, _] = crate::dossiers::seed(&app).await;
    let admin = app.user("quantri", "admin", None).await;
    let portal = FakePortal::start().await;
    let dispatcher = Arc::new(Dispatcher::new(app.store.clone(), config(&portal)).unwrap());

    // Received at the counter: the portal is down (500), then answers too late, then stores
    // the record but loses its acknowledgement; the record is sent again and kept once.
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    portal.mode("fail", 0).await;
    dispatcher.run_once().await.unwrap();
    let log = sync_log(&app, &admin, &code).await;
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|x| x["status"] == "pending" && x["last_status"] == 500),
        "{log:?}"
    );
    portal.mode("slow", 4000).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    dispatcher.deliver_due().await.unwrap();
    let log = sync_log(&app, &admin, &code).await;
    assert!(
        log.iter()
            .all(|x| x["last_error"].as_str().unwrap().contains("no answer")),
        "{log:?}"
    );
    portal.mode("lose_ack", 0).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    dispatcher.deliver_due().await.unwrap();
    portal.mode("ok", 0).await;
    let log = synced(&dispatcher, &app, &admin, &code).await;
    let got = portal.records().await;
    for entry in &log {
        let id = entry["event_id"].as_str().unwrap();
        let requests = got["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == id)
            .count();
        let stored = got["stored"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == id)
            .count();
        assert!(
            requests >= 3,
            "the same record was repeated under its id: {got}"
        );
        assert_eq!(stored, 1, "a repeated record is kept once: {got}");
    }
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(r["MaHoSo"], code.as_str());
    assert_eq!(r["MaTTHC"], "1.001193");
    assert_eq!(r["MaCoQuan"], "000.00.01.H38");
    assert_eq!(r["KenhThucHien"], 1);
    assert_eq!(r["TrangThaiHoSo"], "Đã tiếp nhận");
    assert!(
        is_portal_time(&r["NgayTiepNhan"]) && is_portal_time(&r["NgayHenTra"]),
        "{r}"
    );
    assert!(
        r["NgayKetThucXuLy"].is_null() && r["MaKetQua"].is_null(),
        "{r}"
    );
    assert_eq!(r["DuocThanhToanTrucTuyen"], 0);
    assert_eq!(r["HoSoCoThanhPhanSoHoa"], 0);
    assert_eq!(r["TaiLieuNop"], json!([]));
    let text = r.to_string();
    assert!(
        !text.contains("Nhung") && !text.contains("038199012345"),
        "{text}"
    );

    // Each status after it, as the portal names it.
    act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(
        (r["TrangThaiHoSo"].as_str(), r["MaTrangThai"].as_str()),
        (Some("Đang xử lý"), Some("processing"))
    );
    assert_eq!(r["MaCoQuan"], "000.00.02.H38");

    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&specialist), None)
        .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    act(&app, &specialist, &code, "assign_step",
        json!({"index": 0, "name": "Thẩm định hồ sơ", "role": "specialist", "assignee": me["id"], "due": due})).await;
    act(
        &app,
        &specialist,
        &code,
        "complete_step",
        json!({"index": 0, "note": "Đủ điều kiện"}),
    )
    .await;
    act(&app, &leader, &code, "approve", json!({"note": "Đồng ý"})).await;
    synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    assert_eq!(
        (r["TrangThaiHoSo"].as_str(), r["MaTrangThai"].as_str()),
        (Some("Đang xử lý"), Some("approved"))
    );
    assert!(r["NgayKetThucXuLy"].is_null());

    act(
        &app,
        &specialist,
        &code,
        "record_result",
        json!({"result_code": "KS-2025-000123", "form": {"form": "paper"}}),
    )
    .await;
    synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(r["TrangThaiHoSo"], "Đã xử lý xong");
    assert_eq!(r["MaKetQua"], "KS-2025-000123");
    assert!(
        r["DuongDanTepTinKetQua"].is_null(),
        "a paper result has no file link"
    );
    assert!(is_portal_time(&r["NgayKetThucXuLy"]), "{r}");
    let finished = r["NgayKetThucXuLy"].clone();

    act(
        &app,
        &officer,
        &code,
        "return_result",
        json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
    )
    .await;
    let log = synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(
        (r["TrangThaiHoSo"].as_str(), r["SuKien"].as_str()),
        (Some("Đã trả kết quả"), Some("result_returned"))
    );
    assert_eq!(
        r["NgayKetThucXuLy"], finished,
        "the end of processing stays the result's"
    );
    // The sync log: one record per event, each delivered, each as sent.
    let (_, full) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(
        log.len(),
        full["timeline"].as_array().unwrap().len(),
        "{log:?}"
    );
    assert!(log.iter().all(|x| x["record"]["MaHoSo"] == code.as_str()));

    // A withdrawn dossier, and one the portal never acknowledges.
    let (_, d2) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    let code2 = d2["code"].as_str().unwrap().to_string();
    act(
        &app,
        &officer,
        &code2,
        "withdraw",
        json!({"reason": "Công dân xin rút hồ sơ"}),
    )
    .await;
    synced(&dispatcher, &app, &admin, &code2).await;
    let r = portal.latest(&code2).await;
    has_every_field(&r);
    assert_eq!(r["TrangThaiHoSo"], "Công dân yêu cầu rút hồ sơ");
    assert!(is_portal_time(&r["NgayKetThucXuLy"]));
    portal.mode("fail", 0).await;
    let (_, d3) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    let code3 = d3["code"].as_str().unwrap().to_string();
    dispatcher.run_once().await.unwrap();
    assert!(
        sync_log(&app, &admin, &code3)
            .await
            .iter()
            .all(|x| x["status"] == "pending")
    );

    // Indicator 1.4: 2 of the 3 dossiers received this month are synced.
    let month = motcua_domain::vn_time::today().format("%Y-%m").to_string();
    let (s, ix) = app
        .send(
            Method::GET,
            &format!("/api/v1/index?unit=000.00.00.H38&period={month}"),
            Some(&leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ix}");
    let i14 = crate::stats::indicator(&ix, "1.4");
    assert_eq!(
        (
            i14["numerator"].as_f64(),
            i14["denominator"].as_f64(),
            i14["no_data"].as_bool()
        ),
        (Some(2.0), Some(3.0), Some(false)),
        "{i14}"
    );
    // Only administrators read the sync log.
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/portal-sync"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_a_portal_endpoint_the_records_are_skipped_visibly_and_1_4_has_no_data() {
    let app = TestApp::new().await;
    let [officer, _, leader, _, _] = crate::dossiers::seed(&app).await;
    let (s, _) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let dispatcher = Arc::new(
        Dispatcher::new(
            app.store.clone(),
            WebhookConfig {
                source: PUBLIC.into(),
                ..WebhookConfig::default()
            },
        )
        .unwrap(),
    );
    let (claimed, _) = dispatcher.run_once().await.unwrap();
    assert!(
        claimed >= 2,
        "the webhook and portal messages of the receipt"
    );
    let rows = app
        .store
        .claim_integration(chrono::Utc::now(), chrono::Duration::seconds(1), 100)
        .await
        .unwrap();
    assert!(rows.is_empty(), "nothing left pending");
    let month = motcua_domain::vn_time::today().format("%Y-%m").to_string();
    let (_, ix) = app
        .send(
            Method::GET,
            &format!("/api/v1/index?unit=000.00.00.H38&period={month}"),
            Some(&leader),
            None,
        )
        .await;
    assert_eq!(crate::stats::indicator(&ix, "1.4")["no_data"], true);
}

#[tokio::test]
async fn a_dossier_received_from_the_post_is_synced_as_channel_3_and_its_postage_too() {
    let app = TestApp::new().await;
    let [officer, specialist, leader, _, _] = crate::dossiers::seed(&app).await;
    let admin = app.user("quantri", "admin", None).await;
    let portal = FakePortal::start().await;
    let dispatcher = Arc::new(Dispatcher::new(app.store.clone(), config(&portal)).unwrap());
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("postal"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(
        (r["KenhThucHien"].as_i64(), r["TrangThaiHoSo"].as_str()),
        (Some(3), Some("Đã tiếp nhận"))
    );
    assert!(r["SoHieuBuuGui"].is_null() && r["PhiDichVuBuuChinh"].is_null());

    // The result goes back by post: its tracking number and the postal fee are on the record.
    act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    act(&app, &leader, &code, "approve", json!({"note": "Đồng ý"})).await;
    act(
        &app,
        &specialist,
        &code,
        "record_result",
        json!({"result_code": "KS-2025-000124", "form": {"form": "paper"}}),
    )
    .await;
    act(
        &app,
        &officer,
        &code,
        "return_result",
        json!({"via": "post"}),
    )
    .await;
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/record_postage"),
            Some(&officer),
            json!({"tracking_no": "EB 123", "fee_vnd": 25000, "version": d["version"]}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_tracking_number")
        ),
        "{e}"
    );
    act(
        &app,
        &officer,
        &code,
        "record_postage",
        json!({"tracking_no": "eb123456789vn", "fee_vnd": 25000}),
    )
    .await;
    synced(&dispatcher, &app, &admin, &code).await;
    let r = portal.latest(&code).await;
    has_every_field(&r);
    assert_eq!(
        (
            r["SoHieuBuuGui"].as_str(),
            r["PhiDichVuBuuChinh"].as_u64(),
            r["SuKien"].as_str()
        ),
        (Some("EB123456789VN"), Some(25000), Some("postage_recorded"))
    );
    assert_eq!(r["TrangThaiHoSo"], "Đã trả kết quả");
}

/// The worker settles a claimed batch in one transaction: deliveries created and messages
/// marked sent, outcomes recorded, and a message whose claim was lost meanwhile left as it is,
/// its deliveries not created.
#[tokio::test]
async fn a_settled_batch_skips_a_message_whose_claim_was_lost() {
    use motcua_store::{NewDelivery, OutboxOutcome, OutboxStatus, Settled};
    let app = TestApp::new().await;
    let [officer, ..] = crate::dossiers::seed(&app).await;
    let (s, _) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let now = chrono::Utc::now();
    app.store
        .insert_webhook(&motcua_store::WebhookSubscription {
            id: motcua_app::webhooks::portal::PORTAL_ID,
            name: "Cổng Dịch vụ công quốc gia".into(),
            url: "http://127.0.0.1:9/portal".into(),
            event_types: vec![],
            agencies: vec![],
            procedures: vec![],
            secrets: vec![],
            active: true,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    let rows = app
        .store
        .claim_integration(now, chrono::Duration::seconds(60), 100)
        .await
        .unwrap();
    assert!(rows.len() >= 3, "the receipt's webhook and portal messages");
    let delivery = |r: &motcua_store::OutboxRow| NewDelivery {
        id: uuid::Uuid::now_v7(),
        subscription_id: motcua_app::webhooks::portal::PORTAL_ID,
        event_id: format!("test-{}", r.id),
        event_type: "portal.test".into(),
        subject: None,
        body: "{}".into(),
    };
    let batch = vec![
        (
            rows[0].id,
            rows[0].attempts,
            Settled::Deliver(vec![delivery(&rows[0])]),
        ),
        (
            rows[1].id,
            rows[1].attempts,
            Settled::Finish(OutboxOutcome::Skipped {
                reason: "not configured".into(),
            }),
        ),
        // A claim taken again since (its attempt number moved on): not held any more.
        (
            rows[2].id,
            rows[2].attempts - 1,
            Settled::Deliver(vec![delivery(&rows[2])]),
        ),
    ];
    let held = app.store.settle_integration(now, &batch).await.unwrap();
    assert_eq!(held, 2);
    let status = |i: usize| {
        let store = app.store.clone();
        let id = rows[i].id;
        async move { store.outbox_message(id).await.unwrap().status }
    };
    assert_eq!(status(0).await, OutboxStatus::Sent);
    assert_eq!(status(1).await, OutboxStatus::Skipped);
    assert_eq!(
        status(2).await,
        OutboxStatus::Pending,
        "a lost claim is left as it is"
    );
    let deliveries = app
        .store
        .list_deliveries(&motcua_store::DeliveryQuery {
            subscription_id: Some(motcua_app::webhooks::portal::PORTAL_ID),
            subject: None,
            status: None,
            limit: 100,
            offset: 0,
        })
        .await
        .unwrap();
    let events: Vec<&str> = deliveries
        .items
        .iter()
        .map(|d| d.event_id.as_str())
        .collect();
    assert_eq!(events, vec![format!("test-{}", rows[0].id).as_str()]);
}
