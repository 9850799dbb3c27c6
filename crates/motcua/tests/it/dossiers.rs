//! Dossiers through the API: counter intake with the code and appointment, forwarding,
//! the workflow, approval, result, return; online submission and the officer's check; refusals;
//! concurrent officers; the citizen's public look-up.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) async fn setup() -> (TestApp, [String; 5]) {
    setup_with(motcua_app::Config::default()).await
}

/// [`setup`] with a server configured by `config`.
pub(crate) async fn setup_with(config: motcua_app::Config) -> (TestApp, [String; 5]) {
    let app = TestApp::with_config(config).await;
    let tokens = seed(&app).await;
    (app, tokens)
}

/// The procedure, agencies and accounts of [`setup`] (officer, specialist, leader, citizen, an
/// officer of another province), in the app's database; returns their tokens.
pub(crate) async fn seed(app: &TestApp) -> [String; 5] {
    crate::catalogue::import(app.store.as_ref(), &["1.001193"]).await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        Some("000.00.00.H38"),
    )
    .await;
    app.agency(
        "000.00.02.H38",
        "Sở Tư pháp Thanh Hóa",
        "department",
        Some("000.00.00.H38"),
    )
    .await;
    app.agency(
        "000.00.01.H01",
        "Trung tâm PVHCC Hà Nội",
        "service_centre",
        None,
    )
    .await;
    let officer = app
        .user("tiepnhan", "receiving_officer", Some("000.00.01.H38"))
        .await;
    let specialist = app
        .user("chuyenvien", "specialist", Some("000.00.02.H38"))
        .await;
    let leader = app.user("lanhdao", "leader", Some("000.00.00.H38")).await;
    let citizen = app.user("congdan", "citizen", None).await;
    let stranger = app
        .user("tiepnhan.hn", "receiving_officer", Some("000.00.01.H01"))
        .await;
    [officer, specialist, leader, citizen, stranger]
}

pub(crate) fn body(channel: &str) -> Value {
    json!({
        "procedure": "1.001193", "agency": "000.00.01.H38", "channel": channel,
        "applicant": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345", "phone": "0912345678",
                      "email": "nhung@example.vn", "address": "Phường Hạc Thành, Thanh Hóa"}
    })
}

async fn act(
    app: &TestApp,
    token: &str,
    code: &str,
    action: &str,
    mut fields: Value,
    version: i64,
) -> (StatusCode, Value) {
    fields["version"] = json!(version);
    app.post(
        &format!("/api/v1/dossiers/{code}/actions/{action}"),
        Some(token),
        fields,
    )
    .await
}

/// How many dossiers the province's centre (000.00.01.H38) holds, as its officer sees them.
async fn centre_total(app: &TestApp, officer: &str) -> i64 {
    let (_, q) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38",
            Some(officer),
            None,
        )
        .await;
    q["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_counter_dossier_goes_from_receipt_to_return() {
    let (app, [officer, specialist, leader, citizen, stranger]) = setup().await;
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&citizen), body("counter"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, _) = app
        .post("/api/v1/dossiers", Some(&stranger), body("counter"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an officer of another province");

    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let today = motcua_domain::vn_time::today().format("%y%m%d").to_string();
    assert_eq!(code, format!("000.00.01.H38-{today}-0001"));
    assert_eq!(d["status"], "received");
    assert!(
        d["appointment"].as_str().is_some(),
        "the receipt carries the appointment"
    );
    let v = |d: &Value| d["version"].as_i64().unwrap();
    let first = v(&d);

    let (s, d) = act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
        first,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "processing");
    // Two officers at once: the second, acting on the version it saw, is refused.
    let (s, e) = act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
        first,
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("stale_dossier"))
    );

    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&specialist), None)
        .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let (s, d) = act(&app, &specialist, &code, "assign_step",
        json!({"index": 0, "name": "Thẩm định hồ sơ", "role": "specialist", "assignee": me["id"], "due": due}), v(&d)).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, d) = act(
        &app,
        &specialist,
        &code,
        "complete_step",
        json!({"index": 0, "note": "Đủ điều kiện"}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // Only a leader approves.
    let (s, _) = act(&app, &specialist, &code, "approve", json!({}), v(&d)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, d) = act(
        &app,
        &leader,
        &code,
        "approve",
        json!({"note": "Đồng ý"}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // The result cannot be returned before it is recorded: a clear reason, nothing changes.
    let (s, e) = act(
        &app,
        &officer,
        &code,
        "return_result",
        json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["message"].as_str().unwrap().contains("Hồ sơ"), "{e}");
    let (s, d) = act(
        &app,
        &specialist,
        &code,
        "record_result",
        json!({"result_code": "KS-2025-000123", "form": {"form": "paper"}}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, d) = act(
        &app,
        &officer,
        &code,
        "return_result",
        json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "returned");
    // A returned dossier leaves the work queue; it stays findable with the closed ones.
    let queue = |path: &'static str| app.send(Method::GET, path, Some(&leader), None);
    let (_, open) = queue("/api/v1/dossiers?agency=000.00.02.H38").await;
    assert_eq!(
        (open["total"].as_i64(), open["more"].as_bool()),
        (Some(0), Some(false)),
        "{open}"
    );
    let (_, all) = queue("/api/v1/dossiers?agency=000.00.02.H38&include_closed=true").await;
    assert_eq!(all["total"], 1, "{all}");
    assert_eq!(all["items"][0]["status"], "returned", "{all}");
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[kinds.len() - 6..],
        [
            "forwarded",
            "step_assigned",
            "step_completed",
            "approved",
            "result_recorded",
            "result_returned"
        ]
    );
    let events = kinds.len();
    let (s, e) = act(
        &app,
        &officer,
        &code,
        "withdraw",
        json!({"reason": "muộn"}),
        v(&d),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "terminal: {e}");

    // The public look-up shows no personal data.
    let (s, p) = app
        .get_json(&format!("/api/v1/public/dossiers/{code}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["status_label"], "Đã trả kết quả");
    assert_eq!(p["applicant"], "N. T. H. Nhung");
    let text = p.to_string();
    assert!(
        !text.contains("038199012345") && !text.contains("0912345678") && !text.contains("nhung@"),
        "{text}"
    );
    assert_eq!(
        app.get_json("/api/v1/public/dossiers/000.00.01.H38-991231-9999")
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The audit trail of the whole path verifies.
    let out = crate::cli::run(&app.db, &["audit", "verify"], None);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        report.contains(&format!("dossiers=1 events={events} broken=0")),
        "{report}"
    );
}

#[tokio::test]
async fn an_online_dossier_waits_for_the_check_and_bad_input_is_refused() {
    let (app, [officer, _specialist, _leader, citizen, _]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["status"], "submitted");
    assert!(d["appointment"].is_null());
    let code = d["code"].as_str().unwrap().to_string();
    // Its owner sees it; another citizen does not.
    let other = app.user("congdan2", "citizen", None).await;
    assert_eq!(
        app.send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&citizen),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        app.send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&other),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, d) = act(
        &app,
        &officer,
        &code,
        "receive",
        json!({}),
        d["version"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "received");
    assert!(d["appointment"].as_str().is_some());

    let bad_id = json!({"procedure": "1.001193", "agency": "000.00.01.H38", "channel": "counter",
        "applicant": {"name": "Trần Văn B", "id_number": "12345"}});
    let (s, e) = app.post("/api/v1/dossiers", Some(&officer), bad_id).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("citizen_id_length")),
        "{e}"
    );
    let mut bad_proc = body("counter");
    bad_proc["procedure"] = json!("9.999999");
    let (s, e) = app.post("/api/v1/dossiers", Some(&officer), bad_proc).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_procedure"))
    );
    let (s, e) = act(&app, &officer, &code, "fly", json!({}), 2).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_action"))
    );
    // Nothing half-written: the refused intakes took no code.
    assert_eq!(centre_total(&app, &officer).await, 1);
}

#[tokio::test]
async fn an_agency_day_holds_9999_codes_then_intake_is_refused_cleanly() {
    let (app, [officer, _, _, _, hanoi]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    // The agency's day has reached its last number (as after 9,998 more intakes). The Vietnam
    // date of now and of a minute later, should the test run across midnight.
    let now = chrono::Utc::now() + chrono::Duration::hours(7);
    let mut days = vec![now.format("%y%m%d").to_string()];
    days.push(
        (now + chrono::Duration::minutes(1))
            .format("%y%m%d")
            .to_string(),
    );
    days.dedup();
    for day in &days {
        crate::support::execute(
            &app,
            &format!(
                "INSERT INTO dossier_sequences (agency_code, day, last) VALUES ('000.00.01.H38', '{day}', 9999) \
                 ON CONFLICT (agency_code, day) DO UPDATE SET last = 9999"
            ),
        )
        .await;
    }
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("daily_sequence_exhausted")),
        "{e}"
    );
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("Trung tâm PVHCC Thanh Hóa đã cấp đủ 9.999 mã hồ sơ của ngày "),
        "{message}"
    );
    // Nothing written; another agency's day goes on.
    let mut elsewhere = body("counter");
    elsewhere["agency"] = json!("000.00.01.H01");
    let (s, d) = app.post("/api/v1/dossiers", Some(&hanoi), elsewhere).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert!(d["code"].as_str().unwrap().ends_with("-0001"), "{d}");
    assert_eq!(centre_total(&app, &officer).await, 1);
    assert!(
        crate::cli::run(&app.db, &["audit", "verify"], None)
            .status
            .success()
    );
}

#[tokio::test]
async fn a_retried_creation_returns_the_first_dossier() {
    let (app, [officer, ..]) = setup().await;
    let send = || {
        app.client
            .post(app.url("/api/v1/dossiers"))
            .bearer_auth(&officer)
            .header("Idempotency-Key", "quay-1-lan-1")
            .json(&body("counter"))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["code"], again["code"]);
}

#[tokio::test]
async fn the_public_look_up_is_rate_limited() {
    let app = TestApp::with_config(motcua_app::Config {
        lookups_per_minute: 3,
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.get_json("/api/v1/public/dossiers/000.00.01.H38-251027-0001")
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
    let res = app
        .get("/api/v1/public/dossiers/000.00.01.H38-251027-0001")
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn step_deadlines_come_from_the_agency_workflow() {
    let (app, [officer, specialist, ..]) = setup().await;
    let admin = app.user("qt.tinh", "admin", Some("000.00.00.H38")).await;
    // Sở Tư pháp applies the procedure with the default workflow.
    let (s, applied) = app
        .send(
            Method::PUT,
            "/api/v1/agencies/000.00.02.H38/procedures/1.001193",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{applied}");
    let first = applied["workflow"]["steps"][0].clone();
    let (_, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    let code = d["code"].as_str().unwrap().to_string();
    let (_, d) = act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
        d["version"].as_i64().unwrap(),
    )
    .await;
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&specialist), None)
        .await;
    // No due, name or role given: they come from the first step of the agency's workflow.
    let (s, d) = act(
        &app,
        &specialist,
        &code,
        "assign_step",
        json!({"index": 0, "assignee": me["id"]}),
        d["version"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let step = &d["state"]["active_step"];
    assert_eq!(step["name"], first["name"], "{d}");
    // "My queue": the dossier whose step I hold, and nobody else's.
    let (_, mine) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?mine=true",
            Some(&specialist),
            None,
        )
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["code"], code.as_str());
    let (_, theirs) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?mine=true",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    // Due soon: by the end of the next working day; this step's dossier is not.
    let (s, soon) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?due_soon=true",
            Some(&specialist),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{soon}");
    let due = chrono::DateTime::parse_from_rfc3339(step["due"].as_str().unwrap()).unwrap();
    assert!(
        due > chrono::Utc::now(),
        "a deadline after the assignment: {due}"
    );
    // A step the workflow does not have is refused clearly.
    let (s, e) = act(
        &app,
        &specialist,
        &code,
        "assign_step",
        json!({"index": 9, "assignee": me["id"]}),
        d["version"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_such_step"))
    );
}

/// Staff find a person's dossiers by the ID number they show at the counter (the queue keeps
/// only its hash), and never another person's.
#[tokio::test]
async fn queues_find_dossiers_by_the_applicants_id_number() {
    let (app, tokens) = setup().await;
    let officer = &tokens[0];
    let (s, d) = app
        .post("/api/v1/dossiers", Some(officer), body("counter"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let mut other = body("counter");
    other["applicant"]["id_number"] = json!("038199054321");
    other["applicant"]["name"] = json!("Trần Văn Bình");
    let (s, _) = app.post("/api/v1/dossiers", Some(officer), other).await;
    assert_eq!(s, StatusCode::CREATED);
    let find = |q: &str| {
        let path = format!("/api/v1/dossiers?q={q}");
        let app = &app;
        async move {
            let (s, v) = app
                .send(reqwest::Method::GET, &path, Some(officer), None)
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        find("038199012345").await,
        vec![d["code"].as_str().unwrap().to_string()]
    );
    assert_eq!(find("038199054321").await.len(), 1);
    assert!(
        find("038199099999").await.is_empty(),
        "nobody with that number"
    );
}
