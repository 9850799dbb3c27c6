//! Regression tests of issue 15's API findings: idempotency keys scoped to the caller, no
//! self-recorded payments, version and assignment bounds, text limits and characters (NFC),
//! JSON errors for bad paths and unknown fields.

use crate::dossiers::{body, setup};
use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn create_keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn act(
    app: &TestApp,
    token: &str,
    d: &Value,
    action: &str,
    mut f: Value,
) -> (StatusCode, Value) {
    f["version"] = d["version"].clone();
    app.post(
        &format!(
            "/api/v1/dossiers/{}/actions/{action}",
            d["code"].as_str().unwrap()
        ),
        Some(token),
        f,
    )
    .await
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_caller_and_body() {
    let (app, [officer, _, _, citizen, stranger]) = setup().await;
    let (s, first) = create_keyed(&app, &officer, "quay-3-0001", &body("counter")).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    // The citizen's same key is their own key: a new dossier, not the officer's.
    let (s, mine) = create_keyed(&app, &citizen, "quay-3-0001", &body("online")).await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    assert_ne!(mine["code"], first["code"]);
    assert_eq!(mine["channel"], "online");
    // An officer of another province: their own dossier at their own agency.
    let mut hanoi = body("counter");
    hanoi["agency"] = json!("000.00.01.H01");
    let (s, theirs) = create_keyed(&app, &stranger, "quay-3-0001", &hanoi).await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    assert!(
        theirs["code"]
            .as_str()
            .unwrap()
            .starts_with("000.00.01.H01-"),
        "{theirs}"
    );
    // The same caller, same key, another body: refused, nothing created.
    let mut other = body("counter");
    other["applicant"]["name"] = json!("Lê Văn Tám");
    let (s, e) = create_keyed(&app, &officer, "quay-3-0001", &other).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        ),
        "{e}"
    );
    // The same caller, same key, same body: the first dossier.
    let (s, again) = create_keyed(&app, &officer, "quay-3-0001", &body("counter")).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["code"], first["code"]);
    let (_, q) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38&include_closed=true",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(q["total"], 2, "the officer's and the citizen's: {q}");
    let (s, e) = create_keyed(&app, &officer, &"k".repeat(201), &body("counter")).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_invalid")
        )
    );
}

#[tokio::test]
async fn a_citizen_never_records_a_payment() {
    let (app, [officer, _, _, citizen, _]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, d) = act(&app, &officer, &d, "receive", json!({"fee_due_vnd": 50000})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let fee =
        |method: &str| json!({"amount_vnd": 50000, "method": method, "receipt_no": "FAKE-0001"});
    for method in ["online", "cash", "transfer"] {
        let (s, e) = act(&app, &citizen, &d, "collect_fee", fee(method)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method}: {e}");
    }
    // Not even staff record an online payment through this action: the gateway does.
    let (s, e) = act(&app, &officer, &d, "collect_fee", fee("online")).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("payment_method_not_allowed")
        ),
        "{e}"
    );
    let (s, paid) = act(&app, &officer, &d, "collect_fee", fee("cash")).await;
    assert_eq!(s, StatusCode::OK, "{paid}");
    assert_eq!(paid["state"]["fee_collected_vnd"], 50000);
}

#[tokio::test]
async fn versions_steps_and_appointments_are_bounded() {
    let (app, [officer, specialist, _, citizen, stranger]) = setup().await;
    let (_, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    // 2^32 + 2 is not version 2.
    let mut big = d.clone();
    big["version"] = json!(4_294_967_298u64);
    let (s, e) = act(
        &app,
        &officer,
        &big,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_version")),
        "{e}"
    );
    let (s, d) = act(
        &app,
        &officer,
        &d,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let id = |token: &str| {
        let app = &app;
        let token = token.to_string();
        async move {
            app.send(Method::GET, "/api/v1/me", Some(&token), None)
                .await
                .1["id"]
                .clone()
        }
    };
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let step = |assignee: Value, role: &str| json!({"index": 0, "name": "Thẩm định", "role": role, "assignee": assignee, "due": due});
    for who in [&citizen, &stranger] {
        let (s, e) = act(
            &app,
            &specialist,
            &d,
            "assign_step",
            step(id(who).await, "specialist"),
        )
        .await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("assignee_not_staff")),
            "{e}"
        );
    }
    let (s, e) = act(
        &app,
        &specialist,
        &d,
        "assign_step",
        step(id(&specialist).await, "citizen"),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("step_role_not_staff")
        ),
        "{e}"
    );
    let (s, d) = act(
        &app,
        &specialist,
        &d,
        "assign_step",
        step(id(&specialist).await, "specialist"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // An apology moves the appointment at most a year.
    let (s, e) = act(
        &app,
        &specialist,
        &d,
        "apologize",
        json!({"reason": "Cần xác minh", "new_appointment": "9999-12-31T10:00:00Z"}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("new_appointment_too_far")
        ),
        "{e}"
    );
    let later = (chrono::Utc::now() + chrono::Duration::days(60)).to_rfc3339();
    let (s, ok) = act(
        &app,
        &specialist,
        &d,
        "apologize",
        json!({"reason": "Cần xác minh", "new_appointment": later}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ok}");
}

#[tokio::test]
async fn texts_are_bounded_clean_and_nfc() {
    let (app, [officer, specialist, ..]) = setup().await;
    let with = |field: &str, value: &str| {
        let mut b = body("counter");
        b["applicant"][field] = json!(value);
        b
    };
    let cases = [
        (
            with("name", &"A".repeat(201)),
            "text_too_long",
            "applicant.name",
        ),
        (
            with("address", &"đ".repeat(501)),
            "text_too_long",
            "applicant.address",
        ),
        (
            with("name", "\u{200B}\u{200C}\u{FEFF}"),
            "text_invisible",
            "applicant.name",
        ),
        (
            with("name", "Nguyễn\u{202E}Văn A"),
            "text_forbidden_character",
            "applicant.name",
        ),
        (
            with("name", "Nguyễn\u{0}Văn A"),
            "text_forbidden_character",
            "applicant.name",
        ),
        (
            with("address", "Số 1\u{2067}x"),
            "text_forbidden_character",
            "applicant.address",
        ),
    ];
    for (b, code, field) in cases {
        let (s, e) = app.post("/api/v1/dossiers", Some(&officer), b).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            (e["error"].as_str(), e["field"].as_str()),
            (Some(code), Some(field)),
            "{e}"
        );
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    let (_, q) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38&include_closed=true",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(q["total"], 0, "nothing half-done: {q}");
    // Decomposed input is stored composed, and found by search.
    let nfd = "Tra\u{302}\u{300}n Thi\u{323} Ma\u{306}\u{301}n";
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), with("name", nfd))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["applicant_name"], "Trần Thị Mắn");
    let (_, q) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38&q=Tr%E1%BA%A7n%20Th%E1%BB%8B%20M%E1%BA%AFn",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(q["total"], 1, "{q}");
    // A 1 MB stop reason is refused before it reaches any form.
    let (_, d) = act(
        &app,
        &officer,
        &d,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    let (s, e) = act(
        &app,
        &specialist,
        &d,
        "stop",
        json!({"reason": "x".repeat(1_000_000)}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("text_too_long"),
            Some("reason")
        ),
        "{}",
        e["error"]
    );
    let (s, _) = act(
        &app,
        &specialist,
        &d,
        "stop",
        json!({"reason": "x".repeat(2_000)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn bad_paths_and_unknown_fields_answer_json() {
    let (app, [officer, ..]) = setup().await;
    let (s, e) = app.get_json("/api/v1/calendar/holidays/abc").await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_path")),
        "{e}"
    );
    assert!(e["message"].as_str().is_some());
    let (_, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    let (s, e) = act(
        &app,
        &officer,
        &d,
        "forward",
        json!({"to": "000.00.02.H38", "bogus": 1}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_action")),
        "{e}"
    );
    let (s, e) = app
        .send(
            Method::GET,
            "/api/v1/dossiers/000.00.01.H38-000000-0001",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "{e}"
    );
}

#[tokio::test]
async fn the_data_directory_database_and_documents_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("motcua-perm-{}", uuid::Uuid::new_v4().simple()));
    let data = root.join("data");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let store = motcua_store::connect(None, &data).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(mode(&data), 0o700);
    for f in ["motcua.sqlite3", "motcua.sqlite3-wal", "motcua.sqlite3-shm"] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    let docs = data.join("documents");
    let blobs = motcua_app::blobs::Blobs::open(&motcua_app::blobs::BlobConfig::Local(docs.clone()))
        .unwrap();
    let sha = "ab".repeat(32);
    blobs.put(&sha, b"%PDF-".to_vec().into()).await.unwrap();
    assert_eq!(mode(&docs), 0o700);
    assert_eq!(mode(&docs.join("sha256")), 0o700);
    assert_eq!(mode(&docs.join("sha256").join("ab")), 0o700);
    assert_eq!(mode(&docs.join("sha256").join("ab").join(&sha[2..])), 0o600);
    drop(store);
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn staff_reads_of_personal_data_are_logged_for_the_administrator() {
    let (app, [officer, specialist, _, citizen, _]) = setup().await;
    let admin = app.user("quantri", "admin", None).await;
    let (_, counter) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    let (_, online) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    let get = |token: String, path: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&path))
                .bearer_auth(token)
                .header("user-agent", "trinh-duyet-thu/1.0")
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (c, o) = (
        counter["code"].as_str().unwrap(),
        online["code"].as_str().unwrap(),
    );
    assert_eq!(
        get(officer.clone(), format!("/api/v1/dossiers/{c}")).await,
        StatusCode::OK
    );
    assert_eq!(
        get(
            officer.clone(),
            format!("/api/v1/dossiers/{c}/forms/receipt")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        get(officer.clone(), format!("/api/v1/dossiers/{o}")).await,
        StatusCode::OK
    );
    // The applicant reading their own dossier is not a staff read; a refused read is no read.
    assert_eq!(
        get(citizen.clone(), format!("/api/v1/dossiers/{o}")).await,
        StatusCode::OK
    );
    assert_eq!(
        get(specialist.clone(), format!("/api/v1/dossiers/{o}")).await,
        StatusCode::FORBIDDEN
    );
    let path = "/api/v1/admin/personal-data-reads?id_number=038199012345";
    let (s, _) = app.send(Method::GET, path, Some(&officer), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "administrators only");
    let (s, list) = app.send(Method::GET, path, Some(&admin), None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["username"].as_str().unwrap(),
                i["dossier"].as_str().unwrap(),
                i["what"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("tiepnhan", o, "dossier"),
            ("tiepnhan", c, "form"),
            ("tiepnhan", c, "dossier")
        ],
        "{list}"
    );
    assert!(
        items
            .iter()
            .all(|i| i["user_agent"] == "trinh-duyet-thu/1.0" && i["ip"] == "127.0.0.1"),
        "{list}"
    );
    // Another person's number lists nothing; a malformed one is refused.
    let (_, other) = app
        .send(
            Method::GET,
            "/api/v1/admin/personal-data-reads?id_number=001099012345",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(other["items"], json!([]));
    let (s, _) = app
        .send(
            Method::GET,
            "/api/v1/admin/personal-data-reads?id_number=12",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let csv = app
        .client
        .get(app.url(&format!("{path}&format=csv")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("thoi_diem,tai_khoan,ho_so"), "{text}");
    assert!(
        lines[2].contains(",tiepnhan,") && lines[2].contains("Xem, in biểu mẫu"),
        "{text}"
    );
}

#[tokio::test]
async fn a_citizen_account_lodges_a_bounded_number_of_dossiers_an_hour() {
    let (app, [officer, _, _, citizen, _]) = crate::dossiers::setup_with(motcua_app::Config {
        citizen_submissions_per_hour: 2,
        ..Default::default()
    })
    .await;
    for _ in 0..2 {
        let (s, d) = app
            .post("/api/v1/dossiers", Some(&citizen), body("online"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
    }
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("submission_limit")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("hồ sơ trực tuyến"));
    // Officers at the counter are not citizens: no such limit.
    for _ in 0..3 {
        let (s, _) = app
            .post("/api/v1/dossiers", Some(&officer), body("counter"))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
}
