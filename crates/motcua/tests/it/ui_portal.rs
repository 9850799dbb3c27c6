//! The public service portal in the browser: the catalogue searched without diacritics (whole
//! page and htmx fragment), a procedure page, online submission with real uploads (and the
//! mistakes that create nothing), the citizen's dossiers, the public look-up without personal
//! data, and the rating after the return — once.

use crate::support::{TestApp, client};
use crate::support::{browser, csrf_from, get_page as get};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const CENTRE: &str = "000.00.01.H38";
/// A procedure with one plain required component (Đơn trình báo mất thẻ ABTC).
const ABTC: &str = "1.011728";

struct Portal {
    app: TestApp,
    officer: String,
    specialist: String,
    leader: String,
    citizen: String,
}

async fn setup() -> Portal {
    let app = TestApp::new().await;
    crate::catalogue::import(app.store.as_ref(), &["1.001193", ABTC]).await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    let centre = app
        .agency(
            CENTRE,
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
    for code in ["1.001193", ABTC] {
        motcua_app::catalogue::apply(app.store.as_ref(), code, centre.id, None)
            .await
            .unwrap_or_else(|e| panic!("apply {code}: {}", e.message_vi()));
    }
    let officer = app
        .user("tiepnhan", "receiving_officer", Some(CENTRE))
        .await;
    let specialist = app
        .user("chuyenvien", "specialist", Some("000.00.02.H38"))
        .await;
    let leader = app.user("lanhdao", "leader", Some("000.00.00.H38")).await;
    let citizen = app.user("congdan", "citizen", None).await;
    Portal {
        app,
        officer,
        specialist,
        leader,
        citizen,
    }
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x00\0\0\0");
    b
}

/// One part of a multipart form: a text field, or a file (name, bytes).
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, Vec<u8>),
}

/// Sends a multipart/form-data POST as a browser does.
async fn post_multipart(
    b: &Client,
    app: &TestApp,
    path: &str,
    parts: &[Part<'_>],
) -> (StatusCode, String) {
    let boundary = "----motcuaBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, filename, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let res = b
        .post(app.url(path))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The applicant's fields as typed.
fn applicant<'a>(csrf: &'a str, key: &'a str) -> Vec<Part<'a>> {
    vec![
        Part::Text("csrf", csrf),
        Part::Text("key", key),
        Part::Text("name", "Nguyễn Thị Hồng Nhung"),
        Part::Text("id_number", "038199012345"),
        Part::Text("phone", "0912345678"),
        Part::Text("email", "nhung@example.vn"),
        Part::Text("address", "Phường Hạc Thành, Thanh Hóa"),
        Part::Text("agency", CENTRE),
    ]
}

/// How many dossiers the centre has (closed ones too), through the JSON API.
async fn dossiers_at_centre(p: &Portal) -> i64 {
    let (s, q) = p
        .app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers?agency={CENTRE}&include_closed=true"),
            Some(&p.officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    q["total"].as_i64().unwrap()
}

#[tokio::test]
async fn procedures_are_found_without_diacritics_and_shown_in_plain_vietnamese() {
    let p = setup().await;
    let app = &p.app;
    let b = client();
    // The whole page (the form sent without JavaScript).
    let (s, html) = get(&b, app, "/thu-tuc?q=dang+ky+khai+sinh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html"), "a whole page");
    assert!(html.contains("Thủ tục đăng ký khai sinh"), "{html}");
    assert!(html.contains("href=\"/thu-tuc/1.001193\""));
    assert!(
        !html.contains("1.011728\""),
        "the other procedure does not match"
    );
    assert!(
        html.contains("value=\"dang ky khai sinh\""),
        "the query is kept"
    );
    // As htmx asks it: the results fragment only.
    let res = b
        .get(app.url("/thu-tuc?q=dang+ky+khai+sinh"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let frag = res.text().await.unwrap();
    assert!(
        !frag.contains("<html") && !frag.contains("<header"),
        "{frag}"
    );
    assert!(frag.contains("id=\"procedure-results\""));
    assert!(frag.contains("Thủ tục đăng ký khai sinh"));
    assert!(frag.contains("Tìm thấy 1 thủ tục"), "{frag}");
    // A code goes straight to its procedure; a level filters.
    let (_, html) = get(&b, app, &format!("/thu-tuc?q={ABTC}")).await;
    assert!(html.contains("Trình báo mất thẻ ABTC"), "{html}");
    let (_, html) = get(&b, app, "/thu-tuc?q=khai+sinh&level=ministry").await;
    assert!(!html.contains("href=\"/thu-tuc/1.001193\""));
    assert!(html.contains("Không tìm thấy thủ tục phù hợp"));

    // The procedure page: what to bring, the time limit, the fee, where, the legal basis.
    let (s, html) = get(&b, app, "/thu-tuc/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Thành phần hồ sơ cần chuẩn bị"));
    assert!(html.contains("Giấy chứng sinh"), "components");
    assert!(html.contains("1 bản chính"), "copies");
    assert!(html.contains("1 ngày làm việc"), "time limit: {html}");
    assert!(html.contains("Miễn phí"), "fee");
    assert!(
        html.contains("Trung tâm PVHCC Thanh Hóa"),
        "where to submit"
    );
    assert!(html.contains("123/2015/NĐ-CP"), "legal basis");
    assert!(
        html.contains("href=\"/thu-tuc/1.001193/nop\""),
        "online submission"
    );
    let (s, html) = get(&b, app, "/thu-tuc/9.999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Không tìm thấy"));

    // In English: the portal's own texts are translated.
    let (_, html) = get(&b, app, "/thu-tuc").await;
    let csrf = csrf_from(&html);
    let res = b
        .post(app.url("/ngon-ngu"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("lang", "en"),
            ("next", "/thu-tuc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&b, app, "/thu-tuc/1.001193").await;
    assert!(
        html.contains("What to bring") && html.contains("Time limit"),
        "{html}"
    );
    assert!(
        html.contains("Thủ tục đăng ký khai sinh"),
        "data stays as written"
    );
}

#[tokio::test]
async fn online_submission_checks_everything_before_creating_the_dossier() {
    let p = setup().await;
    let app = &p.app;
    let path = format!("/thu-tuc/{ABTC}/nop");

    // Anonymous: to the login page, which comes back here.
    let (s, _) = get(&client(), app, &path).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let res = client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/dang-nhap?next={path}")
    );
    // An officer is not a citizen.
    let (officer_browser, _) = browser(app, "tiepnhan").await;
    let (s, html) = get(&officer_browser, app, &path).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("Không có quyền truy cập"));

    let (b, csrf) = browser(app, "congdan").await;
    let (s, html) = get(&b, app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("value=\"Người dùng congdan\""),
        "the name pre-filled"
    );
    assert!(html.contains("Đơn trình báo mất thẻ ABTC"), "{html}");
    assert!(html.contains("name=\"file_0\""));
    let key = "3f1c9a52-6f0e-4c53-9d6e-0a6f7d2b9e11";

    // No CSRF token: refused, nothing created.
    let mut parts = applicant("", key);
    parts.push(Part::File("file_0", "don.pdf", pdf()));
    let (s, _) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A text file named .pdf: refused next to its component, what was typed kept.
    let mut parts = applicant(&csrf, key);
    parts.push(Part::File(
        "file_0",
        "don.pdf",
        b"day khong phai PDF".to_vec(),
    ));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(
            "<span class=\"field-error\" id=\"file_0-error\">Chỉ nhận tệp PDF, JPEG hoặc PNG.</span>"
        ),
        "{html}"
    );
    assert!(html.contains("aria-describedby=\"file_0-error\""));
    assert!(html.contains("value=\"Nguyễn Thị Hồng Nhung\""));
    assert!(html.contains("value=\"038199012345\""));
    assert!(html.contains("value=\"Phường Hạc Thành, Thanh Hóa\""));
    assert!(html.contains(&format!("<option value=\"{CENTRE}\" selected>")));

    // The required component missing, and a wrong ID number: both said, in place.
    let mut parts = applicant(&csrf, key);
    parts[3] = Part::Text("id_number", "12345");
    parts.push(Part::File("file_0", "", Vec::new()));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"file_0-error\">Thành phần hồ sơ bắt buộc"),
        "{html}"
    );
    assert!(html.contains("id=\"id_number-error\""), "{html}");
    assert!(html.contains("value=\"12345\""));
    assert_eq!(dossiers_at_centre(&p).await, 0, "nothing was created");

    // A good file with a wrong ID number: the file is kept for the corrected form.
    let mut parts = applicant(&csrf, key);
    parts[3] = Part::Text("id_number", "12345");
    parts.push(Part::File("file_0", "don đề nghị.pdf", pdf()));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"kept_0\"") && html.contains("don đề nghị.pdf"),
        "{html}"
    );
    assert!(
        !html.contains("chọn lại"),
        "nothing to choose again: {html}"
    );
    let token = html
        .split("name=\"kept_0\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(dossiers_at_centre(&p).await, 0, "nothing was created");

    // Everything right, the file not chosen again: the dossier, with the kept file.
    let mut parts = applicant(&csrf, key);
    parts.push(Part::Text("kept_0", &token));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Chờ tiếp nhận"), "{html}");
    let start = html.find("id=\"dossier-code\">").unwrap() + 18;
    let code = html[start..].split('<').next().unwrap().to_string();
    assert!(code.starts_with(&format!("{CENTRE}-")), "{code}");
    assert!(html.contains(&format!("href=\"/tra-cuu/{code}\"")));
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&p.citizen),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the owner reads it: {d}");
    assert_eq!(
        (d["status"].as_str(), d["channel"].as_str()),
        (Some("submitted"), Some("online"))
    );
    let (_, docs) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            Some(&p.citizen),
            None,
        )
        .await;
    let items = docs["items"].as_array().expect("documents");
    assert_eq!(items.len(), 1, "{docs}");
    assert_eq!(items[0]["media_type"], "application/pdf");
    assert_eq!(items[0]["source"], "uploaded");
    // The same form sent again (a double click): the same dossier, not a second one.
    let mut parts = applicant(&csrf, key);
    parts.push(Part::File("file_0", "don.pdf", pdf()));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&code));
    // A PNG for another dossier.
    let mut parts = applicant(&csrf, "another-key");
    parts.push(Part::File("file_0", "anh.png", png()));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_eq!(dossiers_at_centre(&p).await, 2);

    // My dossiers: both, linked to the look-up; another citizen has none.
    let (s, html) = get(&b, app, "/cong-dan/ho-so").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/tra-cuu/{code}\"")),
        "{html}"
    );
    assert!(html.contains("Chờ tiếp nhận"));
    assert!(html.contains("Trình báo mất thẻ ABTC"));
    app.user("congdan2", "citizen", None).await;
    let (other, _) = browser(app, "congdan2").await;
    let (_, html) = get(&other, app, "/cong-dan/ho-so").await;
    assert!(!html.contains(&code));
    assert!(html.contains("Bạn chưa nộp hồ sơ trực tuyến nào."));
    let (s, _) = get(&officer_browser, app, "/cong-dan/ho-so").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// The citizen's online ABTC dossier at the centre; its code.
async fn online_dossier(p: &Portal) -> String {
    let (s, d) = p
        .app
        .post(
            "/api/v1/dossiers",
            Some(&p.citizen),
            json!({"procedure": ABTC, "agency": CENTRE, "channel": "online",
                "applicant": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345",
                    "phone": "0912345678", "address": "Số 5 phố Lê Lợi"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Sends the look-up's proof form (the last digits of the ID number or phone); the page.
async fn prove(b: &Client, app: &TestApp, code: &str, csrf: &str, digits: &str) -> String {
    let res = b
        .post(app.url(&format!("/tra-cuu/{code}")))
        .form(&[("csrf", csrf), ("so", digits)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

#[tokio::test]
async fn staff_reasons_are_shown_only_to_the_applicant() {
    let p = setup().await;
    let app = &p.app;
    let code = online_dossier(&p).await;
    let reason = "Ảnh chụp CCCD số 038199012345 bị mờ";
    act(&p, &p.officer, &code, "refuse", json!({"reason": reason})).await;
    let path = format!("/tra-cuu/{code}");

    // Anyone: the status and dates, and the proof form.
    let anon = client();
    let (s, html) = get(&anon, app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Từ chối tiếp nhận"), "{html}");
    assert!(!html.contains(reason));
    assert!(html.contains("id=\"proof-form\""));
    let (_, body) = app
        .get_json(&format!("/api/v1/public/dossiers/{code}"))
        .await;
    assert!(!body.to_string().contains("bị mờ"), "{body}");
    // Wrong digits: a message, no reason.
    let csrf = csrf_from(&html);
    for wrong in ["1234", "345", "12345", "", "abcd"] {
        let html = prove(&anon, app, &code, &csrf, wrong).await;
        assert!(!html.contains(reason), "{wrong}");
        assert!(html.contains("id=\"proof-error\""), "{wrong}");
    }
    // Without the CSRF token: refused.
    let res = anon
        .post(app.url(&path))
        .form(&[("so", "2345")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The last digits of the ID number, or of the phone.
    for right in ["2345", "5678", " 5 6 7 8 "] {
        let html = prove(&anon, app, &code, &csrf, right).await;
        assert!(html.contains(reason), "{right}");
        assert!(!html.contains("id=\"proof-form\""));
    }
    // The owner signed in sees it; another citizen and an officer do not.
    let (owner, _) = browser(app, "congdan").await;
    let (_, html) = get(&owner, app, &path).await;
    assert!(html.contains(reason));
    app.user("congdan2", "citizen", None).await;
    for who in ["congdan2", "tiepnhan"] {
        let (b, _) = browser(app, who).await;
        let (_, html) = get(&b, app, &path).await;
        assert!(!html.contains(reason), "{who}");
    }
    // Guesses are bounded per dossier, from every address.
    for _ in 0..10 {
        prove(&anon, app, &code, &csrf, "0000").await;
    }
    let html = prove(&anon, app, &code, &csrf, "2345").await;
    assert!(!html.contains(reason));
    assert!(
        html.contains("Đã thử quá nhiều lần cho hồ sơ này"),
        "{html}"
    );
}

async fn act(p: &Portal, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    let (_, d) = p
        .app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&p.officer),
            None,
        )
        .await;
    fields["version"] = d["version"].clone();
    let (s, d) = p
        .app
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
async fn the_look_up_shows_no_personal_data_and_the_owner_rates_once_after_the_return() {
    let p = setup().await;
    let app = &p.app;
    let code = online_dossier(&p).await;

    // The public page: the status in Vietnamese, nothing personal.
    let anon = client();
    let (s, html) = get(&anon, app, &format!("/tra-cuu/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Chờ tiếp nhận"), "{html}");
    assert!(html.contains("N. T. H. Nhung"));
    assert!(html.contains("Nộp hồ sơ trực tuyến"), "timeline");
    for secret in [
        "038199012345",
        "0912345678",
        "Lê Lợi",
        "Nguyễn Thị Hồng Nhung",
    ] {
        assert!(!html.contains(secret), "{secret} shown");
    }
    assert!(!html.contains("rating-form"));
    // The form without JavaScript, and an unknown code.
    let res = anon
        .get(app.url(&format!("/tra-cuu?ma={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/tra-cuu/{code}")
    );
    let (s, html) = get(&anon, app, "/tra-cuu/000.00.01.H38-991231-9999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Không tìm thấy hồ sơ có mã «000.00.01.H38-991231-9999»"));
    assert!(html.contains("id=\"lookup-form\""));

    // Asked for a supplement at the check: the reason and what is missing.
    act(
        &p,
        &p.officer,
        &code,
        "request_intake_supplement",
        json!({"reason": "Thiếu đơn trình báo", "missing": ["Đơn trình báo mất thẻ ABTC (mẫu TK07)"]}),
    )
    .await;
    let (_, html) = get(&anon, app, &format!("/tra-cuu/{code}")).await;
    assert!(html.contains("Chờ bổ sung, hoàn thiện để tiếp nhận"));
    // The reason is the applicant's: shown after the last digits of the ID number.
    assert!(!html.contains("Thiếu đơn trình báo"), "{html}");
    assert!(html.contains("id=\"proof-form\""));
    let html = prove(&anon, app, &code, &csrf_from(&html), "2345").await;
    assert!(html.contains("Thiếu đơn trình báo"));
    assert!(
        html.contains("<li>Đơn trình báo mất thẻ ABTC (mẫu TK07)</li>"),
        "{html}"
    );
    act(
        &p,
        &p.citizen,
        &code,
        "provide_supplement",
        json!({"documents": ["Đơn trình báo"]}),
    )
    .await;

    // Before the return the owner may not rate.
    let (b, csrf) = browser(app, "congdan").await;
    let rate_path = format!("/tra-cuu/{code}/danh-gia");
    let rate = |csrf: String, level: &'static str, version: i64| {
        let b = b.clone();
        let url = app.url(&rate_path);
        async move {
            let res = b
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("level", level),
                    ("comment", "Cán bộ hướng dẫn chưa rõ"),
                    ("version", &version.to_string()),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let version = |html: &str| -> i64 {
        let start = html.find("name=\"version\" value=\"").unwrap() + 22;
        html[start..].split('"').next().unwrap().parse().unwrap()
    };
    let (s, html) = rate(csrf.clone(), "dissatisfied", 3).await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("Chỉ đánh giá được sau khi đã nhận kết quả"),
        "{html}"
    );

    act(&p, &p.officer, &code, "receive", json!({})).await;
    act(
        &p,
        &p.officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&p.specialist), None)
        .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    act(&p, &p.specialist, &code, "assign_step",
        json!({"index": 0, "name": "Thẩm định", "role": "specialist", "assignee": me["id"], "due": due})).await;
    act(
        &p,
        &p.specialist,
        &code,
        "complete_step",
        json!({"index": 0}),
    )
    .await;
    act(&p, &p.leader, &code, "approve", json!({})).await;
    act(
        &p,
        &p.specialist,
        &code,
        "record_result",
        json!({"result_code": "CV05-2025-01", "form": {"form": "paper"}}),
    )
    .await;
    act(
        &p,
        &p.officer,
        &code,
        "return_result",
        json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
    )
    .await;

    // Returned: the public sees no rating form; the owner does.
    let (_, html) = get(&anon, app, &format!("/tra-cuu/{code}")).await;
    assert!(html.contains("Đã trả kết quả"));
    assert!(!html.contains("rating-form"));
    let (_, html) = get(&b, app, &format!("/tra-cuu/{code}")).await;
    assert!(html.contains("id=\"rating-form\""), "{html}");
    assert!(html.contains("Không hài lòng"));
    let v = version(&html);
    // Without the token: refused. Another citizen: refused.
    let res = b
        .post(app.url(&rate_path))
        .form(&[("level", "neutral"), ("version", &v.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.user("congdan2", "citizen", None).await;
    let (other, other_csrf) = browser(app, "congdan2").await;
    let (_, html) = get(&other, app, &format!("/tra-cuu/{code}")).await;
    assert!(!html.contains("rating-form"));
    let res = other
        .post(app.url(&rate_path))
        .form(&[
            ("csrf", other_csrf.as_str()),
            ("level", "satisfied"),
            ("version", &v.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The owner rates: once.
    let (s, _) = rate(csrf.clone(), "dissatisfied", v).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&b, app, &format!("/tra-cuu/{code}?da_danh_gia=1")).await;
    assert!(html.contains("Cảm ơn bạn đã đánh giá"));
    assert!(html.contains("Cán bộ hướng dẫn chưa rõ"));
    assert!(!html.contains("id=\"rating-form\""));
    let (s, html) = rate(csrf.clone(), "satisfied", v + 1).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("Hồ sơ này đã được đánh giá"), "{html}");
    // The same rule through the API's generic action.
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/rate"),
            Some(&p.citizen),
            json!({"level": "satisfied", "version": v + 1}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_rated")),
        "{e}"
    );
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&p.citizen),
            None,
        )
        .await;
    assert_eq!(d["status"], "returned");
    assert_eq!(d["state"]["rating"]["level"], "dissatisfied", "{d}");
    assert_eq!(
        d["timeline"].as_array().unwrap().last().unwrap()["kind"],
        "rated"
    );
}

/// Online dossiers carry the account's own ID number: the form shows it, read-only; an account
/// not yet bound to a person is told so instead of a form.
#[tokio::test]
async fn the_form_carries_the_accounts_own_id_number() {
    let p = setup().await;
    let app = &p.app;
    let path = format!("/thu-tuc/{ABTC}/nop");
    let (b, _) = browser(app, "congdan").await;
    let (s, html) = get(&b, app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("id=\"id_number\" name=\"id_number\" required readonly"),
        "{html}"
    );
    assert!(html.contains("value=\"038199012345\""), "{html}");
    // Another number sent anyway (a tampered form): said in place, nothing created.
    let csrf = csrf_from(&html);
    let key = "the-form-carries-the-own-number";
    let mut parts = applicant(&csrf, key);
    parts[3] = Part::Text("id_number", "001099012345");
    parts.push(Part::File("file_0", "don.pdf", pdf()));
    let (s, html) = post_multipart(&b, app, &path, &parts).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(
            "id=\"id_number-error\">Hồ sơ trực tuyến mang số định danh cá nhân của chính chủ"
        ),
        "{html}"
    );
    assert_eq!(dossiers_at_centre(&p).await, 0, "nothing was created");

    let admin = app.user("quantri", "admin", None).await;
    let (s, _) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "chuaxacthuc", "password": crate::support::PASSWORD, "role": "citizen"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (b, _) = browser(app, "chuaxacthuc").await;
    let (s, html) = get(&b, app, &path).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
    assert!(
        html.contains("chưa được gắn số định danh cá nhân"),
        "{html}"
    );
}

/// What people read is written for people: no API links on the citizens' home page, the
/// portal's crawled text spaced ("Miễn phí (Thực hiện…"), the holiday calendar's sources in
/// Vietnamese without file paths.
#[tokio::test]
async fn pages_show_no_raw_text() {
    let p = setup().await;
    let b = client();
    let (_, home) = get(&b, &p.app, "/").await;
    assert!(!home.contains("openapi.json"), "no API link for citizens");
    let (_, page) = get(&b, &p.app, "/thu-tuc/1.001193").await;
    assert!(page.contains("Miễn phí"), "the fee is shown");
    assert!(!page.contains("phí("), "a space before the parenthesis");
    // Every field of Decree 63/2010 art. 8 the record has: steps, who may apply, the bodies.
    for section in [
        "id=\"steps\"",
        "id=\"applicants\"",
        "Trình tự thực hiện",
        "Đối tượng thực hiện",
    ] {
        assert!(page.contains(section), "{section}");
    }
    p.app.user("quantri.lich", "admin", None).await;
    let (admin, _) = browser(&p.app, "quantri.lich").await;
    let (_, cal) = get(&admin, &p.app, "/quan-tri/lich?nam=2025").await;
    assert!(
        cal.contains("Bộ luật Lao động 2019, Điều 112"),
        "sources in Vietnamese"
    );
    assert!(
        !cal.contains("Labour Code") && !cal.contains(".csv"),
        "no English, no file path"
    );
}
