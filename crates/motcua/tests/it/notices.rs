//! Notices to citizens, delivered for real: a real SMTP server (Python's aiosmtpd, started by
//! the test: `tests/smtp_sink.py`) and a fake of the outside SMS gateway speaking motcua's
//! documented protocol. Covers the Vietnamese e-mail and SMS of a receipt, what administrators
//! see, back-off and failure while the mail server is down and a retry once it is up, a restart
//! with notices pending (each delivered exactly once), and two servers on one database (no
//! notice sent twice).

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use motcua_app::notify::{Notifier, NotifyConfig, SmsConfig, SmtpConfig, SmtpTls};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::processes::motcua;
use crate::support::{PASSWORD, TempDir, TestApp, TestDb, client};

const SMS_KEY: &str = "khoa-sms-thu-nghiem";
const PUBLIC_URL: &str = "https://motcua.thanhhoa.example";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real SMTP server: every message it accepts is a JSON file in `dir`.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl SmtpSink {
    fn start(port: u16) -> SmtpSink {
        let dir = TempDir(
            std::env::temp_dir().join(format!("motcua-smtp-{}", uuid::Uuid::new_v4().simple())),
        );
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mut child = Command::new("python3")
            .args([script, &port.to_string(), &dir.0.display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!(
                    "the test SMTP server stopped ({status}): {err}\n\
                     It needs Python's aiosmtpd: python3 -m pip install aiosmtpd (scripts/test installs it)."
                );
            }
            assert!(
                Instant::now() < deadline,
                "the test SMTP server never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { child, port, dir }
    }

    /// Every message received so far.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.dir.0) {
            Ok(d) => d
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "json")
                        && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                })
                .collect(),
            Err(_) => vec![],
        };
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake of the outside SMS gateway: accepts `POST /sms` with the right bearer key and keeps
/// what it received.
#[derive(Clone, Default)]
struct SmsSink {
    received: Arc<Mutex<Vec<Value>>>,
    url: String,
}

impl SmsSink {
    async fn start() -> SmsSink {
        let received: Arc<Mutex<Vec<Value>>> = Arc::default();
        let kept = received.clone();
        let app = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |headers: HeaderMap, body: axum::Json<Value>| {
                let kept = kept.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if auth != format!("Bearer {SMS_KEY}") {
                        return (AxumStatus::UNAUTHORIZED, "bad key");
                    }
                    let mut sms = body.0;
                    sms["idempotency_key"] = json!(
                        headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                    );
                    kept.lock().unwrap().push(sms);
                    (AxumStatus::OK, "queued")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        SmsSink {
            received,
            url: format!("http://{addr}/sms"),
        }
    }

    fn messages(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

fn config(smtp_port: u16, sms: Option<&SmsSink>) -> NotifyConfig {
    NotifyConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: smtp_port,
            tls: SmtpTls::None,
            from: "Trung tâm Phục vụ hành chính công <motcua@thanhhoa.example>".into(),
            username: None,
            password: None,
        }),
        sms: sms.map(|s| SmsConfig {
            url: s.url.clone(),
            key: Some(SMS_KEY.into()),
        }),
        public_url: Some(PUBLIC_URL.into()),
        timeout: Duration::from_secs(5),
        ..NotifyConfig::default()
    }
}

fn dossier_body(n: usize, phone: bool) -> Value {
    let mut applicant = json!({
        "name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345",
        "email": format!("nhung{n}@example.vn"), "address": "Phường Hạc Thành, Thanh Hóa"
    });
    if phone {
        applicant["phone"] = json!(format!("09123456{:02}", n % 100));
    }
    json!({"procedure": "1.001193", "agency": "000.00.01.H38", "channel": "counter", "applicant": applicant})
}

/// The catalogue, the receiving agency and its officer, and a system administrator.
async fn seed(store: &dyn motcua_store::Store) {
    crate::catalogue::import(store, &["1.001193"]).await;
    motcua_app::accounts::create_agency(
        store,
        motcua_app::accounts::CreateAgency {
            code: "000.00.01.H38".into(),
            name: "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".into(),
            kind: "service_centre".into(),
            parent_code: None,
            unit_id: None,
        },
    )
    .await
    .unwrap();
    for (username, role, agency) in [
        ("tiepnhan", "receiving_officer", Some("000.00.01.H38")),
        ("quantri", "admin", None),
    ] {
        motcua_app::accounts::create_user(
            store,
            motcua_app::accounts::CreateUser {
                username: username.into(),
                full_name: None,
                password: PASSWORD.into(),
                role: role.into(),
                agency_code: agency.map(str::to_string),
                id_number: None,
            },
        )
        .await
        .unwrap();
    }
}

async fn outbox(app: &TestApp, admin: &str, query: &str) -> Value {
    let (s, body) = app
        .send(
            Method::GET,
            &format!("/api/v1/admin/outbox{query}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

/// "2026-11-26T17:00" → "17 giờ 00, ngày 26/11/2026".
fn appointment_vi(api: &str) -> String {
    let t = chrono::NaiveDateTime::parse_from_str(api, "%Y-%m-%dT%H:%M").unwrap();
    t.format("%H giờ %M, ngày %d/%m/%Y").to_string()
}

#[tokio::test]
async fn a_receipt_is_emailed_and_texted_once_in_vietnamese() {
    let app = TestApp::new().await;
    seed(app.store.as_ref()).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let smtp = SmtpSink::start(free_port());
    let sms = SmsSink::start().await;
    let notifier =
        Arc::new(Notifier::new(app.store.clone(), config(smtp.port, Some(&sms))).unwrap());

    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(1, true))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let appointment = appointment_vi(d["appointment"].as_str().unwrap());

    // Written with the dossier: one message per channel, waiting.
    let pending = outbox(&app, &admin, "?status=pending").await;
    assert_eq!(pending["total"], 2, "{pending}");
    let mut channels: Vec<&str> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["channel"].as_str().unwrap())
        .collect();
    channels.sort();
    assert_eq!(channels, ["email", "sms"]);
    assert!(
        pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["dossier"] == code.as_str() && i["kind"] == "received")
    );
    // Only system administrators see the outbox.
    let (s, _) = app
        .send(Method::GET, "/api/v1/admin/outbox", Some(&officer), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send(Method::GET, "/api/v1/admin/outbox", None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, e) = app
        .send(
            Method::GET,
            "/api/v1/admin/outbox?status=lost",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_status"))
    );

    assert_eq!(notifier.deliver_due().await.unwrap(), 2);

    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["rcpt_tos"], json!(["nhung1@example.vn"]));
    assert_eq!(mail["subject"], format!("Tiếp nhận hồ sơ {code}"));
    assert!(
        mail["to"]
            .as_str()
            .unwrap()
            .contains("Nguyễn Thị Hồng Nhung")
    );
    assert!(
        mail["from"]
            .as_str()
            .unwrap()
            .contains("Trung tâm Phục vụ hành chính công")
    );
    let body = mail["body"].as_str().unwrap().replace("\r\n", "\n");
    let procedure = app.store.procedure("1.001193").await.unwrap().name;
    for line in [
        "Kính gửi Ông/Bà Nguyễn Thị Hồng Nhung,".to_string(),
        "Hồ sơ của Ông/Bà đã được tiếp nhận.".to_string(),
        format!("Mã hồ sơ: {code}"),
        format!("Thủ tục: {procedure}"),
        "Cơ quan: Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".to_string(),
        format!("Ngày hẹn trả kết quả: {appointment}"),
        format!("Tra cứu tình trạng hồ sơ: {PUBLIC_URL}/tra-cuu/{code}"),
    ] {
        assert!(body.contains(&line), "missing {line:?} in:\n{body}");
    }

    let texts = sms.messages();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["to"], "0912345601");
    assert_eq!(
        texts[0]["text"],
        format!(
            "Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {appointment}. Tra cứu: {PUBLIC_URL}/tra-cuu/{code}"
        )
    );
    assert_eq!(texts[0]["id"], texts[0]["idempotency_key"]);

    // The administrator sees both sent; nothing is sent a second time.
    let sent = outbox(&app, &admin, &format!("?status=sent&dossier={code}")).await;
    assert_eq!(sent["total"], 2, "{sent}");
    assert!(
        sent["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["attempts"] == 1 && i["sent_at"].is_string())
    );
    assert_eq!(outbox(&app, &admin, "?status=pending").await["total"], 0);
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(sms.messages().len(), 1);
    let id = sent["items"][0]["id"].as_str().unwrap();
    let (s, e) = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("notice_already_sent"))
    );

    // Described in the OpenAPI document.
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/admin/outbox"]["get"].is_object());
    assert!(doc["paths"]["/admin/outbox/{id}/retry"]["post"].is_object());
}

/// The channel a citizen chose on their account page (#20) decides how their dossiers' notices
/// go: by SMS only, then by e-mail only, the other channel's message skipped with the reason.
#[tokio::test]
async fn notices_go_by_the_channel_the_citizen_chose() {
    let app = TestApp::new().await;
    seed(app.store.as_ref()).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let citizen = app.user("congdan", "citizen", None).await;
    let smtp = SmtpSink::start(free_port());
    let sms = SmsSink::start().await;
    let notifier =
        Arc::new(Notifier::new(app.store.clone(), config(smtp.port, Some(&sms))).unwrap());
    let choose = |channel: &'static str| {
        let (app, citizen) = (&app, &citizen);
        async move {
            let (s, c) = app
                .send(
                    Method::PUT,
                    "/api/v1/me/contact",
                    Some(citizen),
                    Some(json!({"phone": "0912345601", "email": "nhung@example.vn",
                                "address": "", "notify_channel": channel})),
                )
                .await;
            assert_eq!(
                (s, c["notify_channel"].as_str()),
                (StatusCode::OK, Some(channel)),
                "{c}"
            );
        }
    };
    choose("sms").await;
    let mut body = dossier_body(1, true);
    body["channel"] = json!("online");
    let (s, d) = app.post("/api/v1/dossiers", Some(&citizen), body).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let act = |action: &'static str, fields: Value| {
        let (app, officer, code) = (&app, &officer, &code);
        async move {
            let (_, d) = app
                .send(
                    Method::GET,
                    &format!("/api/v1/dossiers/{code}"),
                    Some(officer),
                    None,
                )
                .await;
            let mut fields = fields;
            fields["version"] = d["version"].clone();
            let (s, d) = app
                .post(
                    &format!("/api/v1/dossiers/{code}/actions/{action}"),
                    Some(officer),
                    fields,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{action}: {d}");
        }
    };
    act(
        "request_intake_supplement",
        json!({"reason": "Thiếu bản sao giấy tờ", "missing": ["Tờ khai"]}),
    )
    .await;
    notifier.deliver_due().await.unwrap();
    let texts = sms.messages().len();
    assert!(texts >= 1, "the request is texted");
    assert_eq!(smtp.messages().len(), 0, "nothing by e-mail");
    let skipped = outbox(&app, &admin, &format!("?status=skipped&dossier={code}")).await;
    let items = skipped["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{skipped}");
    assert!(
        items
            .iter()
            .all(|i| i["channel"] == "email" && i["last_error"].as_str().unwrap().contains("sms")),
        "{skipped}"
    );

    // Then by e-mail: the next notice is mailed, not texted.
    choose("email").await;
    act("provide_supplement", json!({"documents": ["Tờ khai"]})).await;
    act("receive", json!({})).await;
    notifier.deliver_due().await.unwrap();
    assert!(!smtp.messages().is_empty(), "mailed");
    assert_eq!(sms.messages().len(), texts, "not texted");
}

#[tokio::test]
async fn a_mail_server_down_means_back_off_then_failure_and_a_retry_delivers_once() {
    let app = TestApp::new().await;
    seed(app.store.as_ref()).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let port = free_port(); // nothing listens there yet
    let config = NotifyConfig {
        max_attempts: 3,
        retry_base: Duration::from_millis(400),
        // SMS not configured: its notices are skipped, visibly.
        ..config(port, None)
    };
    let notifier = Arc::new(Notifier::new(app.store.clone(), config).unwrap());
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), dossier_body(2, true))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();

    assert_eq!(notifier.deliver_due().await.unwrap(), 2);
    let skipped = outbox(&app, &admin, "?status=skipped").await;
    assert_eq!(skipped["total"], 1, "{skipped}");
    assert_eq!(skipped["items"][0]["channel"], "sms");
    assert!(
        skipped["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("SMS is not configured"),
        "{skipped}"
    );
    let pending = outbox(&app, &admin, "?status=pending").await;
    assert_eq!(pending["total"], 1, "{pending}");
    let item = &pending["items"][0];
    assert_eq!(item["channel"], "email");
    assert_eq!(item["attempts"], 1);
    assert!(
        item["last_error"].as_str().unwrap().contains("SMTP"),
        "{item}"
    );
    let next: chrono::DateTime<chrono::Utc> =
        item["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(next > chrono::Utc::now(), "backs off: {item}");
    // Not due yet: nothing is attempted.
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);

    // Attempts 2 and 3 after the back-off (400 ms, then 800 ms), then it is given up.
    for attempt in [2, 3] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if notifier.deliver_due().await.unwrap() == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "attempt {attempt} never came");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let failed = outbox(&app, &admin, "?status=failed").await;
    assert_eq!(failed["total"], 1, "{failed}");
    let item = failed["items"][0].clone();
    assert_eq!(item["attempts"], 3);
    assert!(item["failed_at"].is_string());
    assert!(
        item["last_error"]
            .as_str()
            .unwrap()
            .contains("after 3 attempts"),
        "{item}"
    );
    assert_eq!(outbox(&app, &admin, "?status=pending").await["total"], 0);

    // The mail server comes up: a failed notice waits for an administrator.
    let smtp = SmtpSink::start(port);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    assert!(smtp.messages().is_empty());
    let id = item["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&officer),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .post(
            &format!("/api/v1/admin/outbox/{}/retry", uuid::Uuid::now_v7()),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, retried) = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{retried}");
    assert_eq!(retried["status"], "pending");
    assert_eq!(retried["attempts"], 0);

    assert_eq!(notifier.deliver_due().await.unwrap(), 1);
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "delivered once: {mails:?}");
    assert_eq!(mails[0]["subject"], format!("Tiếp nhận hồ sơ {code}"));
    assert_eq!(mails[0]["message_id"], format!("<{id}@motcua>"));
    let sent = outbox(&app, &admin, "?status=sent").await;
    assert_eq!(sent["total"], 1, "{sent}");
    assert_eq!(sent["items"][0]["id"], id);
    let (s, e) = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("notice_already_sent"))
    );
}

/// A `motcua serve` child process with notices delivered to the sinks.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(db: &TestDb, smtp_port: u16, sms: &SmsSink, interval_secs: u64) -> Server {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("motcua-notices-{port}.log"));
        let child = motcua()
            .args(db.cli_args())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("MOTCUA_LOG", "warn,motcua_app::notify=info")
            .env("MOTCUA_SMTP_HOST", "127.0.0.1")
            .env("MOTCUA_SMTP_PORT", smtp_port.to_string())
            .env("MOTCUA_SMTP_TLS", "none")
            .env(
                "MOTCUA_SMTP_FROM",
                "Bộ phận Một cửa <motcua@thanhhoa.example>",
            )
            .env("MOTCUA_SMS_URL", &sms.url)
            .env("MOTCUA_SMS_KEY", SMS_KEY)
            .env("MOTCUA_PUBLIC_URL", PUBLIC_URL)
            .env("MOTCUA_NOTIFY_INTERVAL_SECS", interval_secs.to_string())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("motcua starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(res) = http.get(format!("{base}/readyz")).send().await
                && res.status() == StatusCode::OK
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "server on {base} never became ready: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base, log }
    }

    /// SIGTERM, and wait for a clean exit.
    async fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(
                    exit.success(),
                    "clean exit: {exit:?}\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
                return;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn token(&self, username: &str) -> String {
        let res: Value = client()
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        res["token"].as_str().expect("token").to_string()
    }

    async fn create(&self, token: &str, n: usize) -> String {
        let res = client()
            .post(format!("{}/api/v1/dossiers", self.base))
            .bearer_auth(token)
            .json(&dossier_body(n, true))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let d: Value = res.json().await.unwrap();
        d["code"].as_str().unwrap().to_string()
    }
}

/// How many times each dossier code was e-mailed and texted.
fn tally(smtp: &[Value], sms: &[Value]) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let code_of = |text: &str| {
        text.split_whitespace()
            .find(|w| w.starts_with("000.00.01.H38-"))
            .map(|w| w.trim_end_matches('.').to_string())
            .unwrap_or_default()
    };
    let mut mails = HashMap::new();
    for m in smtp {
        *mails
            .entry(code_of(m["subject"].as_str().unwrap()))
            .or_insert(0) += 1;
    }
    let mut texts = HashMap::new();
    for m in sms {
        *texts
            .entry(code_of(m["text"].as_str().unwrap()))
            .or_insert(0) += 1;
    }
    (mails, texts)
}

/// Waits until `n` e-mails and `n` SMS arrived, then a little more (to catch a second copy),
/// and checks that every code arrived exactly once by each channel.
async fn expect_each_once(smtp: &SmtpSink, sms: &SmsSink, codes: &[String]) {
    let n = codes.len();
    let deadline = Instant::now() + Duration::from_secs(90);
    while smtp.messages().len() < n || sms.messages().len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} e-mails and {} SMS of {n} arrived",
            smtp.messages().len(),
            sms.messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (mails, texts) = tally(&smtp.messages(), &sms.messages());
    for code in codes {
        assert_eq!(mails.get(code), Some(&1), "e-mails of {code}: {mails:?}");
        assert_eq!(texts.get(code), Some(&1), "SMS of {code}: {texts:?}");
    }
    assert_eq!(smtp.messages().len(), n, "{mails:?}");
    assert_eq!(sms.messages().len(), n, "{texts:?}");
    let ids: std::collections::HashSet<String> = sms
        .messages()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), n);
}

async fn count(store: &dyn motcua_store::Store, status: motcua_store::OutboxStatus) -> i64 {
    store
        .list_outbox(&motcua_store::OutboxQuery {
            status: Some(status),
            dossier_id: None,
            limit: 1,
            offset: 0,
        })
        .await
        .unwrap()
        .total
}

#[cfg(unix)]
#[tokio::test]
async fn a_restart_with_notices_pending_delivers_each_exactly_once() {
    use motcua_store::OutboxStatus::{Pending, Sent};
    let db = TestDb::fresh();
    let store = db.open().await;
    seed(store.as_ref()).await;
    let smtp = SmtpSink::start(free_port());
    let sms = SmsSink::start().await;

    // A server that looks at its outbox only at start: the notices of the dossiers it receives
    // are still pending when it is stopped.
    let a = Server::start(&db, smtp.port, &sms, 3600).await;
    let officer = a.token("tiepnhan").await;
    let mut codes = Vec::new();
    for n in 0..6 {
        codes.push(a.create(&officer, n).await);
    }
    a.stop().await;
    assert_eq!(count(store.as_ref(), Pending).await, 12);
    assert!(smtp.messages().is_empty() && sms.messages().is_empty());

    // Started again, it delivers them; it is stopped again in the middle of more deliveries.
    let b = Server::start(&db, smtp.port, &sms, 1).await;
    for n in 6..12 {
        codes.push(b.create(&officer, n).await);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.messages().is_empty() && sms.messages().is_empty() {
        assert!(
            Instant::now() < deadline,
            "nothing delivered after the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.stop().await;

    let c = Server::start(&db, smtp.port, &sms, 1).await;
    expect_each_once(&smtp, &sms, &codes).await;
    assert_eq!(count(store.as_ref(), Sent).await, 24);
    assert_eq!(count(store.as_ref(), Pending).await, 0);
    c.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn two_servers_on_one_database_send_no_notice_twice() {
    use motcua_store::OutboxStatus::{Pending, Sent};
    let db = TestDb::fresh();
    let store = db.open().await;
    seed(store.as_ref()).await;
    let smtp = SmtpSink::start(free_port());
    let sms = SmsSink::start().await;
    let (a, b) = tokio::join!(
        Server::start(&db, smtp.port, &sms, 1),
        Server::start(&db, smtp.port, &sms, 1)
    );
    let officer = a.token("tiepnhan").await;
    let mut codes = Vec::new();
    for n in 0..8 {
        let (x, y) = tokio::join!(a.create(&officer, 2 * n), b.create(&officer, 2 * n + 1));
        codes.push(x);
        codes.push(y);
    }
    expect_each_once(&smtp, &sms, &codes).await;
    assert_eq!(count(store.as_ref(), Sent).await, 32);
    assert_eq!(count(store.as_ref(), Pending).await, 0);
    a.stop().await;
    b.stop().await;
}

/// Many claims at once through two stores (two pools, as two processes would have) on one
/// database: every message is claimed exactly once.
#[tokio::test]
async fn concurrent_claims_never_share_a_message() {
    let app = TestApp::new().await;
    seed(app.store.as_ref()).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    for n in 0..30 {
        let (s, d) = app
            .post("/api/v1/dossiers", Some(&officer), dossier_body(n, true))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
    }
    let other = app.db.open().await;
    let stores = [app.store.clone(), other];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = stores[i % 2].clone();
        tasks.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store
                    .claim_outbox(chrono::Utc::now(), chrono::Duration::minutes(5), 3)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|r| (r.id, r.attempts)));
            }
        });
    }
    let mut all = Vec::new();
    while let Some(mine) = tasks.join_next().await {
        all.extend(mine.unwrap());
    }
    assert_eq!(all.len(), 60);
    assert!(all.iter().all(|(_, attempts)| *attempts == 1));
    let ids: std::collections::HashSet<_> = all.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 60, "a message was claimed twice");
    // Held: nothing is due until the lease ends.
    assert!(
        stores[0]
            .claim_outbox(chrono::Utc::now(), chrono::Duration::minutes(5), 100)
            .await
            .unwrap()
            .is_empty()
    );
    // A claim lost to an expired lease cannot record its outcome.
    let (id, _) = all[0];
    let later = chrono::Utc::now() + chrono::Duration::minutes(6);
    let again = stores[1]
        .claim_outbox(later, chrono::Duration::minutes(5), 100)
        .await
        .unwrap();
    assert_eq!(again.len(), 60);
    assert!(
        !stores[0]
            .finish_outbox(id, 1, later, &motcua_store::OutboxOutcome::Sent)
            .await
            .unwrap()
    );
    assert!(
        stores[1]
            .finish_outbox(id, 2, later, &motcua_store::OutboxOutcome::Sent)
            .await
            .unwrap()
    );
}

/// The check of online dossiers: a supplement request tells the reason and what is missing, a
/// refusal its reason; the lodging itself is not a notice.
#[tokio::test]
async fn a_supplement_request_and_a_refusal_carry_their_reasons() {
    let app = TestApp::new().await;
    seed(app.store.as_ref()).await;
    let officer = app.token("tiepnhan", PASSWORD).await;
    let citizen = app.user("congdan", "citizen", None).await;
    let smtp = SmtpSink::start(free_port());
    let notifier = Arc::new(Notifier::new(app.store.clone(), config(smtp.port, None)).unwrap());
    let mut online = dossier_body(7, false);
    online["channel"] = json!("online");
    let mut codes = Vec::new();
    for _ in 0..2 {
        let (s, d) = app
            .post("/api/v1/dossiers", Some(&citizen), online.clone())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    assert_eq!(
        notifier.deliver_due().await.unwrap(),
        0,
        "lodging is not told"
    );
    let (s, d) = app
        .post(
            &format!(
                "/api/v1/dossiers/{}/actions/request_intake_supplement",
                codes[0]
            ),
            Some(&officer),
            json!({"version": 1, "reason": "Tờ khai chưa có chữ ký của người yêu cầu.",
                   "missing": ["Tờ khai đăng ký khai sinh có chữ ký", "Giấy chứng sinh"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{}/actions/refuse", codes[1]),
            Some(&officer),
            json!({"version": 1, "reason": "Thủ tục không thuộc thẩm quyền của cơ quan."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(notifier.deliver_due().await.unwrap(), 2);

    let mails = smtp.messages();
    assert_eq!(mails.len(), 2, "{mails:?}");
    let find = |subject: String| {
        mails
            .iter()
            .find(|m| m["subject"] == subject.as_str())
            .unwrap_or_else(|| panic!("no mail {subject:?}: {mails:?}"))["body"]
            .as_str()
            .unwrap()
            .replace("\r\n", "\n")
    };
    let supplement = find(format!("Yêu cầu bổ sung, hoàn thiện hồ sơ {}", codes[0]));
    assert!(supplement.contains("Lý do: Tờ khai chưa có chữ ký của người yêu cầu."));
    assert!(supplement.contains(
        "Giấy tờ cần bổ sung:\n  - Tờ khai đăng ký khai sinh có chữ ký\n  - Giấy chứng sinh\n"
    ));
    let refusal = find(format!("Từ chối tiếp nhận hồ sơ {}", codes[1]));
    assert!(refusal.contains("Hồ sơ của Ông/Bà không được tiếp nhận"));
    assert!(refusal.contains("Lý do: Thủ tục không thuộc thẩm quyền của cơ quan."));
}
