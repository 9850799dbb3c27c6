//! The one-stop desk's web pages, driven as a browser does (cookies, CSRF, multipart forms):
//! receiving a dossier with a scan, the forms sent back with their mistakes, the desk's
//! supplement request and refusal, the check of an online dossier, returning a result with its
//! fee, the register, and who may not use the desk.

use crate::support::{browser, get_page as get};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::dossiers::body;
use crate::support::{TestApp, client};

const DESK: &str = "000.00.01.H38";
/// Cấp Phiếu Lý lịch tư pháp: its declaration form is required in every case.
const PROCEDURE: &str = "3.000333";

/// The dossiers' test set-up, with [`PROCEDURE`] in the catalogue too.
async fn setup() -> (TestApp, [String; 5]) {
    let (app, users) = crate::dossiers::setup().await;
    crate::catalogue::import(app.store.as_ref(), &[PROCEDURE]).await;
    (app, users)
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A multipart/form-data body: text fields, then files (field, file name, bytes).
pub(crate) fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----motcua-test-boundary-7MA4YWxkTrZu0gW";
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

async fn post_intake(
    b: &Client,
    app: &TestApp,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> reqwest::Response {
    let (content_type, bytes) = multipart(fields, files);
    b.post(app.url("/mot-cua/tiep-nhan"))
        .header(CONTENT_TYPE, content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// The component indices of the procedure's checklist, and which of them are required.
async fn checklist(b: &Client, app: &TestApp) -> (Vec<String>, Vec<String>) {
    let (s, html) = get(b, app, &format!("/mot-cua/tiep-nhan?thu_tuc={PROCEDURE}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"chosen-procedure\""),
        "the procedure is chosen"
    );
    let mut all = Vec::new();
    let mut required = Vec::new();
    for part in html
        .split("<input type=\"checkbox\" name=\"comp\" value=\"")
        .skip(1)
    {
        let index = part.split('"').next().unwrap().to_string();
        let item = part.split("</li>").next().unwrap();
        if item.contains("bắt buộc") {
            required.push(index.clone());
        }
        all.push(index);
    }
    assert!(
        !required.is_empty(),
        "the procedure has required components"
    );
    assert!(
        required.len() < all.len(),
        "papers needed only in some cases are not required"
    );
    (all, required)
}

/// Dossiers of the desk, open or closed, through the API.
async fn queue_total(app: &TestApp, officer: &str) -> i64 {
    let (s, q) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers?agency={DESK}&include_closed=true"),
            Some(officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    q["total"].as_i64().unwrap()
}

async fn dossier(app: &TestApp, token: &str, code: &str) -> Value {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// The dossier code of a redirect to its desk page.
fn code_of(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[LOCATION].to_str().unwrap();
    let code = location
        .strip_prefix("/mot-cua/ho-so/")
        .unwrap_or_else(|| panic!("{location}"));
    code.split('?').next().unwrap().to_string()
}

fn applicant<'a>(csrf: &'a str, id_number: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("procedure", PROCEDURE),
        ("name", "Nguyễn Thị Hồng Nhung"),
        ("id_number", id_number),
        ("phone", "0912345678"),
        ("email", "nhung@example.vn"),
        ("address", "Phường Hạc Thành, Thanh Hóa"),
        ("channel", "counter"),
    ]
}

#[tokio::test]
async fn ui_counter_receives_a_dossier_with_a_scan_and_prints_the_receipt() {
    let (app, [officer, ..]) = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;

    // The procedure picker: typed without diacritics, as a page and as htmx's fragment.
    let (s, html) = get(
        &b,
        &app,
        "/mot-cua/tiep-nhan?q=phieu%20ly%20lich%20tu%20phap",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("thu_tuc={PROCEDURE}")), "{html}");
    assert!(html.contains("Tiếp nhận hồ sơ") && html.contains("Số định danh cá nhân"));
    let res = b
        .get(app.url("/mot-cua/tiep-nhan/thu-tuc?q=ly%20lich"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fragment = res.text().await.unwrap();
    assert!(
        fragment.contains(PROCEDURE) && !fragment.contains("<html"),
        "{fragment}"
    );
    let res = b
        .get(app.url(&format!(
            "/mot-cua/tiep-nhan/thanh-phan?thu_tuc={PROCEDURE}"
        )))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("name=\"comp\"") && !fragment.contains("<html"));

    let (all, _) = checklist(&b, &app).await;
    let mut fields = applicant(&csrf, "038199012345");
    for i in &all {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    let scan = format!("scan_{}", all[0]);
    let res = post_intake(&b, &app, &fields, &[(&scan, "to-khai.png", PNG)]).await;
    let code = code_of(&res);
    let today = motcua_domain::vn_time::today();
    assert_eq!(
        code,
        format!("{DESK}-{}-0001", today.format("%y%m%d")),
        "the desk's code of the day"
    );

    let (s, html) = get(&b, &app, &format!("/mot-cua/ho-so/{code}?moi=1")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&code) && html.contains("Đã tiếp nhận hồ sơ."));
    assert!(html.contains("Ngày hẹn trả kết quả"));
    let appointment = html
        .split("id=\"appointment\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    // dd/mm/yyyy HH:MM
    let b2 = appointment.as_bytes();
    assert!(
        appointment.len() == 16 && b2[2] == b'/' && b2[5] == b'/' && b2[13] == b':',
        "{appointment}"
    );
    assert!(html.contains(&format!("/mot-cua/ho-so/{code}/in/receipt")));

    // Received at once with its appointment, the scan attached: through the API.
    let d = dossier(&app, &officer, &code).await;
    assert_eq!(d["status"], "received", "{d}");
    assert_eq!(d["channel"], "counter");
    assert_eq!(d["applicant_name"], "Nguyễn Thị Hồng Nhung");
    let vn = appointment;
    let api_appt = d["appointment"].as_str().unwrap();
    assert_eq!(
        format!(
            "{}/{}/{} {}",
            &api_appt[8..10],
            &api_appt[5..7],
            &api_appt[0..4],
            &api_appt[11..16]
        ),
        vn
    );
    let (s, docs) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(docs["items"].as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(docs["items"][0]["source"], "scanned");
    assert_eq!(docs["items"][0]["media_type"], "image/png");

    // The receipt's print view: the official form with its code and look-up address.
    let (s, receipt) = get(&b, &app, &format!("/mot-cua/ho-so/{code}/in/receipt")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(receipt.contains(&code));
    assert!(receipt.contains(&format!("/tra-cuu/{code}")), "look-up URL");
    assert!(receipt.contains("data-print") && receipt.contains("TIẾP NHẬN"));
    let (s, _) = get(&b, &app, &format!("/mot-cua/ho-so/{code}/in/khong-co")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The same form sent twice (a double click) keeps the first dossier.
    fields.push(("form_key", "6f1c2f9e-3b1d-4c8a-9e55-0d2c1b7a9f10"));
    let res = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(code_of(&res), code_of(&again));
    assert_eq!(queue_total(&app, &officer).await, 2);

    // The desk's home counts today's dossiers; the register lists them.
    let (s, home) = get(&b, &app, "/mot-cua").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains(&code) && home.contains("Tiếp nhận hôm nay"));
    assert!(home.contains("id=\"count-today\">2<"), "{home}");
    let (s, reg) = get(&b, &app, "/mot-cua/so-theo-doi").await;
    assert_eq!(s, StatusCode::OK);
    assert!(reg.contains(&code) && reg.contains("Nguyễn Thị Hồng Nhung"));
    let iso = today.format("%Y-%m-%d").to_string();
    let link = format!("/api/v1/agencies/{DESK}/register?from={iso}&amp;to={iso}&amp;format=pdf");
    assert!(reg.contains(&link), "{reg}");
    let (s, official) = get(
        &b,
        &app,
        &format!("/api/v1/agencies/{DESK}/register?from={iso}&to={iso}&format=html"),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the officer's session opens the official register"
    );
    assert!(official.contains(&code));
    let (s, bad) = get(
        &b,
        &app,
        "/mot-cua/so-theo-doi?tu=2025-11-20&den=2025-11-01",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("id=\"den-error\"") && bad.contains("Khoảng thời gian không hợp lệ"));
}

#[tokio::test]
async fn ui_counter_sends_mistakes_back_and_creates_nothing() {
    let (app, [officer, ..]) = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (all, required) = checklist(&b, &app).await;

    // A bad ID number: 422, the message next to the field, what was typed kept.
    let mut fields = applicant(&csrf, "12345");
    for i in &all {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    let res = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"id_number-error\""), "{html}");
    assert!(html.contains("phải gồm đúng 12 chữ số"));
    assert!(html.contains("aria-describedby=\"id_number-error\""));
    assert!(html.contains("value=\"12345\"") && html.contains("value=\"Nguyễn Thị Hồng Nhung\""));
    assert!(html.contains("value=\"Phường Hạc Thành, Thanh Hóa\""));
    assert!(html.contains(&format!(
        "value=\"{}\" id=\"comp-{}\" checked",
        all[0], all[0]
    )));
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");

    // A required component not brought.
    let mut fields = applicant(&csrf, "038199012345");
    for i in all.iter().filter(|i| !required.contains(i)) {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    let res = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"components-error\"") && html.contains("Còn thiếu"));
    assert!(html.contains(&format!("id=\"comp-{}-error\"", required[0])));
    assert!(html.contains("value=\"038199012345\""));
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");

    // A text file passed off as a PNG scan: refused by its content.
    let mut fields = applicant(&csrf, "038199012345");
    for i in &all {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    let scan = format!("scan_{}", all[0]);
    let res = post_intake(
        &b,
        &app,
        &fields,
        &[(&scan, "anh.png", b"day khong phai anh".as_slice())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Chỉ nhận tệp PDF, JPEG hoặc PNG."), "{html}");
    assert!(html.contains(&format!("id=\"comp-{}-error\"", all[0])));
    assert!(
        !html.contains(&format!("name=\"kept_{}\"", all[0])),
        "a refused scan is not kept"
    );
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");

    // No procedure, no reason for a refusal.
    let res = post_intake(
        &b,
        &app,
        &[
            ("csrf", csrf.as_str()),
            ("name", "Lê Văn Tám"),
            ("id_number", "038199012345"),
            ("channel", "counter"),
            ("outcome", "refuse"),
        ],
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Chưa chọn thủ tục hành chính.") && html.contains("id=\"reason-error\""));
    assert!(html.contains("value=\"Lê Văn Tám\""));

    // Without the CSRF token: refused, as multipart and as a plain form.
    let mut fields = applicant("", "038199012345");
    fields.retain(|(k, _)| *k != "csrf");
    for i in &all {
        fields.push(("comp", i));
    }
    let res = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = b
        .post(app.url("/mot-cua/tiep-nhan"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");
}

#[tokio::test]
async fn ui_counter_asks_for_a_supplement_refuses_and_checks_online_dossiers() {
    let (app, [officer, _, _, citizen, _]) = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (_, required) = checklist(&b, &app).await;

    // Supplement request: what is missing defaults to the required components not brought.
    let mut fields = applicant(&csrf, "038199012345");
    fields.push(("outcome", "supplement"));
    fields.push(("reason", ""));
    let res = post_intake(&b, &app, &fields, &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"reason-error\"") && html.contains("<details id=\"other-outcomes\"")
    );
    assert_eq!(queue_total(&app, &officer).await, 0);
    let mut fields = applicant(&csrf, "038199012345");
    fields.push(("outcome", "supplement"));
    fields.push(("reason", "Thiếu giấy chứng sinh bản chính"));
    let res = post_intake(&b, &app, &fields, &[]).await;
    let code = code_of(&res);
    let d = dossier(&app, &officer, &code).await;
    assert_eq!(d["status"], "awaiting_intake_supplement", "{d}");
    let (_, html) = get(&b, &app, &format!("/mot-cua/ho-so/{code}")).await;
    assert!(html.contains("Thiếu giấy chứng sinh bản chính"));
    assert!(html.contains(&format!("/mot-cua/ho-so/{code}/in/supplement_request")));
    let (s, form) = get(
        &b,
        &app,
        &format!("/mot-cua/ho-so/{code}/in/supplement_request"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains(&code) && form.contains("data-print"));
    let _ = required;

    // Refusal with its reason.
    let mut fields = applicant(&csrf, "038199012345");
    fields.push(("channel", "postal"));
    fields.retain(|(k, v)| !(*k == "channel" && *v == "counter"));
    fields.push(("outcome", "refuse"));
    fields.push(("reason", "Không thuộc thẩm quyền giải quyết"));
    let res = post_intake(&b, &app, &fields, &[]).await;
    let refused = code_of(&res);
    let d = dossier(&app, &officer, &refused).await;
    assert_eq!(
        (d["status"].as_str(), d["channel"].as_str()),
        (Some("refused"), Some("postal"))
    );
    let (s, form) = get(&b, &app, &format!("/mot-cua/ho-so/{refused}/in/refusal")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Không thuộc thẩm quyền giải quyết"));

    // An online dossier waits on the desk's home, and is received there with its fee.
    let (s, online) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{online}");
    let online = online["code"].as_str().unwrap().to_string();
    let (_, home) = get(&b, &app, "/mot-cua").await;
    let awaiting = home.split("id=\"awaiting\"").nth(1).unwrap();
    assert!(awaiting.contains(&online), "{home}");
    let (_, page) = get(&b, &app, &format!("/mot-cua/ho-so/{online}")).await;
    assert!(page.contains("id=\"check-form\""));
    let version = dossier(&app, &officer, &online).await["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let check = format!("/mot-cua/ho-so/{online}/kiem-tra");
    let res = b
        .post(app.url(&check))
        .form(&[("version", version.as_str()), ("outcome", "receive")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let res = b
        .post(app.url(&check))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("outcome", "receive"),
            ("fee", "năm mươi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"fee-error\"") && html.contains("value=\"năm mươi\""));
    let res = b
        .post(app.url(&check))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("outcome", "receive"),
            ("fee", "50.000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = dossier(&app, &officer, &online).await;
    assert_eq!(d["status"], "received", "{d}");
    assert_eq!(d["state"]["fee_due_vnd"], 50_000);
    // The page it acted on is stale now: a second check is refused in place.
    let res = b
        .post(app.url(&check))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("outcome", "refuse"),
            ("reason", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    let d = dossier(app, token, code).await;
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

#[tokio::test]
async fn ui_counter_returns_a_result_with_its_fee() {
    let (app, [officer, specialist, leader, citizen, _]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    act(
        &app,
        &officer,
        &code,
        "receive",
        json!({"fee_due_vnd": 50000}),
    )
    .await;
    act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
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
        json!({"index": 0}),
    )
    .await;
    act(&app, &leader, &code, "approve", json!({})).await;
    act(
        &app,
        &specialist,
        &code,
        "record_result",
        json!({"result_code": "KS-2025-000123", "form": {"form": "paper"}}),
    )
    .await;

    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (_, home) = get(&b, &app, "/mot-cua").await;
    assert!(home.split("id=\"ready\"").nth(1).unwrap().contains(&code));
    let (s, html) = get(&b, &app, "/mot-cua/tra-ket-qua").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&code) && html.contains("KS-2025-000123"));
    assert!(
        html.contains("50.000"),
        "the fee still due, Vietnamese grouping"
    );
    let version = dossier(&app, &officer, &code).await["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let path = format!("/mot-cua/tra-ket-qua/{code}");

    // A wrong amount: the message next to the field, nothing collected.
    let res = b
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("via", "counter"),
            ("amount", "80.000"),
            ("method", "cash"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("id=\"amount-{code}-error\"")),
        "{html}"
    );
    assert!(html.contains("value=\"80.000\""));
    // No ID number of who collects it: the message next to it.
    assert!(
        html.contains(&format!("id=\"collector-id-{code}-error\"")),
        "{html}"
    );
    assert_eq!(dossier(&app, &officer, &code).await["status"], "done");
    let res = b
        .post(app.url(&path))
        .form(&[("version", version.as_str()), ("via", "counter")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");

    let res = b
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("via", "counter"),
            ("amount", "50.000"),
            ("method", "cash"),
            ("receipt_no", "BL-0001"),
            ("collector_name", "Nguyễn Thị Hồng Nhung"),
            ("collector_id", "038199012345"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, html) = get(&b, &app, &location).await;
    assert!(
        html.contains(&format!("Đã trả kết quả hồ sơ {code}.")),
        "{html}"
    );
    let d = dossier(&app, &officer, &code).await;
    assert_eq!(d["status"], "returned", "{d}");
    assert_eq!(d["state"]["fee_collected_vnd"], 50_000);
    assert_eq!(d["state"]["returned_via"], "counter");
    assert_eq!(d["state"]["returned_to"]["id_number"], "038199012345");
    assert_eq!(d["state"]["returned_to"]["on_behalf"], false);
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[kinds.len() - 2..],
        ["fee_collected", "result_returned"]
    );
}

#[tokio::test]
async fn ui_counter_is_for_receiving_officers_only() {
    let (app, [officer, ..]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let code = d["code"].as_str().unwrap().to_string();
    let pages = [
        "/mot-cua".to_string(),
        "/mot-cua/tiep-nhan".to_string(),
        "/mot-cua/tra-ket-qua".to_string(),
        "/mot-cua/so-theo-doi".to_string(),
        format!("/mot-cua/ho-so/{code}"),
        format!("/mot-cua/ho-so/{code}/in/receipt"),
    ];
    let anonymous = client();
    for page in &pages {
        let res = anonymous.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(
            res.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/dang-nhap?next=/mot-cua"),
            "{page}"
        );
    }
    for user in ["chuyenvien", "congdan", "lanhdao"] {
        let (b, csrf) = browser(&app, user).await;
        for page in &pages {
            let (s, html) = get(&b, &app, page).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{user} {page}");
            assert!(html.contains("Không có quyền truy cập"));
        }
        let fields = applicant(&csrf, "038199012345");
        let res = post_intake(&b, &app, &fields, &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user}");
    }
    // An officer of another province's desk does not see this desk's dossier.
    let (b, _) = browser(&app, "tiepnhan.hn").await;
    let (s, _) = get(&b, &app, &format!("/mot-cua/ho-so/{code}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = get(&b, &app, "/mot-cua/tra-ket-qua").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains(&code));
    assert_eq!(queue_total(&app, &officer).await, 1);
}

/// The desk's picker at a provincial centre that applies the province's procedures with
/// "khai" or "sinh" in their names (water resources, land...), while a commune of the province
/// applies birth registration: the centre still finds birth registration first (under Decree
/// 118/2025 it receives regardless of administrative boundary) and says who decides it.
#[tokio::test]
async fn ui_counter_search_at_the_provincial_centre_finds_birth_registration_first() {
    let app = TestApp::new().await;
    motcua_app::catalogue::import_dvc(
        app.store.as_ref(),
        &crate::catalogue::shipped(),
        motcua_domain::vn_time::today(),
        "test",
    )
    .await
    .unwrap();
    let province = Some("2025:province:38");
    app.agency_in(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
        province,
    )
    .await;
    let centre = app
        .agency(
            "000.00.01.H38",
            "Trung tâm PVHCC Thanh Hóa",
            "service_centre",
            Some("000.00.00.H38"),
        )
        .await;
    let commune = app
        .agency(
            "000.01.30.H38",
            "UBND phường Hạc Thành",
            "commune_committee",
            Some("000.00.00.H38"),
        )
        .await;
    assert_eq!(centre.province_code.as_deref(), Some("38"));
    let mut applied = 0;
    for word in ["khai", "sinh"] {
        let (_, found) = app
            .get_json(&format!(
                "/api/v1/procedures?q={word}&level=province&limit=200"
            ))
            .await;
        for item in found["items"].as_array().unwrap() {
            let code = item["code"].as_str().unwrap();
            let store = app.store.as_ref();
            if motcua_app::catalogue::apply(store, code, centre.id, None)
                .await
                .is_ok()
            {
                applied += 1;
            }
        }
    }
    assert!(applied > 10, "{applied}");
    motcua_app::catalogue::apply(app.store.as_ref(), "1.001193", commune.id, None)
        .await
        .unwrap();
    app.user("tiepnhan", "receiving_officer", Some("000.00.01.H38"))
        .await;
    let (b, _) = browser(&app, "tiepnhan").await;
    for q in ["khai sinh", "dang ky khai sinh", "Đăng ký khai sinh"] {
        let res = b
            .get(app.url(&format!(
                "/mot-cua/tiep-nhan/thu-tuc?q={}",
                crate::catalogue::urlencode(q)
            )))
            .header("hx-request", "true")
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        let first = html.split("data-code=\"").nth(1).unwrap_or_default();
        assert!(first.starts_with("1.001193\""), "{q}: {html}");
        assert!(
            html.contains("Thủ tục này do UBND phường Hạc Thành giải quyết")
                && html.contains("Nghị định 118/2025/NĐ-CP"),
            "{q}: {html}"
        );
    }
    // A procedure the centre applies itself carries no such note.
    let mine = app.store.agency_procedures(centre.id).await.unwrap();
    let name = mine[0].name.clone();
    let (_, html) = get(
        &b,
        &app,
        &format!(
            "/mot-cua/tiep-nhan?q={}",
            crate::catalogue::urlencode(&name)
        ),
    )
    .await;
    assert!(
        html.contains(&format!("data-code=\"{}\"", mine[0].code)),
        "{html}"
    );
    assert!(!html.contains("Thủ tục này do"), "{html}");
}

/// The checklist's component names by index (as the page prints them).
async fn component_names(b: &Client, app: &TestApp) -> Vec<(String, String)> {
    let (_, html) = get(b, app, &format!("/mot-cua/tiep-nhan?thu_tuc={PROCEDURE}")).await;
    html.split("<label for=\"comp-")
        .skip(1)
        .map(|part| {
            let index = part.split('"').next().unwrap().to_string();
            let name = part.split('>').nth(1).unwrap().split('<').next().unwrap();
            // A stretch of the name free of characters HTML escapes differently.
            let plain: String = name
                .chars()
                .take_while(|c| !"&<>\"'".contains(*c))
                .collect();
            (index, plain)
        })
        .collect()
}

#[tokio::test]
async fn ui_counter_receipt_lists_only_the_components_received_with_their_counts() {
    let (app, [officer, ..]) = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (all, required) = checklist(&b, &app).await;
    let names = component_names(&b, &app).await;
    assert_eq!(names.len(), all.len());
    let name = |i: &String| names.iter().find(|(k, _)| k == i).unwrap().1.clone();
    let not_brought: Vec<&String> = all.iter().filter(|i| !required.contains(i)).collect();
    assert!(!not_brought.is_empty());
    let (orig, copy) = (
        format!("orig_{}", required[0]),
        format!("copy_{}", required[0]),
    );

    // A count that is not a number, and a component ticked with no piece: sent back.
    for (o, c, message) in [
        ("abc", "1", "Số bản chính, bản sao phải từ 0 đến 99."),
        ("0", "0", "Ghi số bản chính hoặc bản sao đã nhận"),
    ] {
        let mut fields = applicant(&csrf, "038199012345");
        for i in &required {
            fields.push(("comp", i));
        }
        fields.extend([
            (orig.as_str(), o),
            (copy.as_str(), c),
            ("outcome", "receive"),
        ]);
        let res = post_intake(&b, &app, &fields, &[]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{html}");
        assert!(html.contains(&format!("id=\"comp-{}-error\"", required[0])));
        assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");
    }

    // Only the required components brought: two originals and a copy of the first.
    let mut fields = applicant(&csrf, "038199012345");
    for i in &required {
        fields.push(("comp", i));
    }
    fields.extend([
        (orig.as_str(), "2"),
        (copy.as_str(), "1"),
        ("outcome", "receive"),
    ]);
    let res = post_intake(&b, &app, &fields, &[]).await;
    let code = code_of(&res);
    let d = dossier(&app, &officer, &code).await;
    let recorded = d["state"]["components"].as_array().unwrap();
    assert_eq!(recorded.len(), required.len(), "{d}");
    assert_eq!(
        (
            recorded[0]["originals"].as_u64(),
            recorded[0]["copies"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(recorded[0]["electronic"], false);

    let (s, receipt) = get(&b, &app, &format!("/mot-cua/ho-so/{code}/in/receipt")).await;
    assert_eq!(s, StatusCode::OK);
    for i in &required {
        assert!(receipt.contains(&name(i)), "the receipt lists {}", name(i));
    }
    for i in &not_brought {
        assert!(
            !receipt.contains(&name(i)),
            "the receipt does not list {}, never received",
            name(i)
        );
    }
    let row = receipt.split(&name(&required[0])).nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(row.contains("02") && row.contains("01"), "{row}");
}

#[tokio::test]
async fn api_components_must_be_the_procedures_and_are_all_or_nothing() {
    let (app, [officer, ..]) = setup().await;
    let mut bad = body("counter");
    bad["components"] =
        json!([{"component": "Giấy ủy quyền không có trong thủ tục", "originals": 1}]);
    let (s, e) = app.post("/api/v1/dossiers", Some(&officer), bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"], "invalid_components");
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");
}

/// The `kept_{i}` token of a form sent back, if its scan was kept.
fn kept_token(html: &str, index: &str) -> Option<String> {
    let marker = format!("name=\"kept_{index}\" value=\"");
    let rest = html.split(&marker).nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

#[tokio::test]
async fn ui_counter_keeps_scans_across_a_corrected_form() {
    let (app, [officer, ..]) = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (all, _) = checklist(&b, &app).await;
    let mut fields = applicant(&csrf, "12345");
    for i in &all {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    let scan = format!("scan_{}", all[0]);

    // A wrong ID number: the form comes back, the scan kept with its name.
    let res = post_intake(&b, &app, &fields, &[(&scan, "to-khai.png", PNG)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"id_number-error\""), "{html}");
    let token = kept_token(&html, &all[0]).expect("the scan is kept");
    assert!(html.contains("Đã giữ bản quét") && html.contains("to-khai.png"));
    assert!(!html.contains("id=\"rescan\""), "nothing to choose again");
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");

    // The token is this session's: another officer's browser cannot use it.
    let (b2, csrf2) = browser(&app, "tiepnhan").await;
    let kept = format!("kept_{}", all[0]);
    let mut other = applicant(&csrf2, "038199012345");
    for i in &all {
        other.push(("comp", i));
    }
    other.push(("outcome", "receive"));
    other.push((&kept, &token));
    let res = post_intake(&b2, &app, &other, &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("không còn được giữ"), "{html}");
    assert_eq!(queue_total(&app, &officer).await, 0, "nothing created");

    // Corrected, sent again without choosing the file: received with the scan attached.
    let mut fields = applicant(&csrf, "038199012345");
    for i in &all {
        fields.push(("comp", i));
    }
    fields.push(("outcome", "receive"));
    fields.push((&kept, &token));
    let res = post_intake(&b, &app, &fields, &[]).await;
    let code = code_of(&res);
    let d = dossier(&app, &officer, &code).await;
    assert_eq!(d["status"], "received", "{d}");
    let (s, docs) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{docs}");
    let items = docs["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{docs}");
    assert_eq!(
        items[0]["sha256"],
        motcua_app::blobs::sha256_hex(PNG),
        "the kept scan's bytes"
    );
}
