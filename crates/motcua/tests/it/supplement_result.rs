//! What the applicant does from their dossier's page, and what reaches them: the supplement
//! sent online (files for the items asked, checked before anything is written), and the result
//! recorded on the officers' page with its electronic file, shown and downloaded by the
//! applicant only.

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::dossiers::{body, setup};
use crate::support::{TestApp, browser, get_page};
use crate::ui_counter::multipart;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

async fn view(app: &TestApp, token: &str, code: &str) -> Value {
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

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    fields["version"] = view(app, token, code).await["version"].clone();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert!(s.is_success(), "{action}: {s} {d}");
    d
}

async fn documents(app: &TestApp, token: &str, code: &str) -> Vec<Value> {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["items"].as_array().unwrap().clone()
}

async fn post_form(
    b: &Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> reqwest::Response {
    let (content_type, bytes) = multipart(fields, files);
    b.post(app.url(path))
        .header(CONTENT_TYPE, content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// A citizen's online dossier.
async fn online(app: &TestApp, citizen: &str) -> String {
    let (s, d) = app
        .post("/api/v1/dossiers", Some(citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_applicant_sends_the_supplement_online_and_nothing_half_done() {
    let (app, [officer, _specialist, _leader, citizen, _stranger]) = setup().await;
    let code = online(&app, &citizen).await;
    let asked = [
        "Bản sao Giấy khai sinh của người được khai",
        "Tờ khai có chữ ký",
    ];
    act(
        &app,
        &officer,
        &code,
        "request_intake_supplement",
        json!({"reason": "Thiếu giấy tờ", "missing": asked}),
    )
    .await;
    let page = format!("/tra-cuu/{code}");
    let post = format!("/tra-cuu/{code}/bo-sung");

    // Only the owner is offered the form, and only the owner may send it.
    let other = app.user("congdan.khac", "citizen", None).await;
    let (b2, csrf2) = browser(&app, "congdan.khac").await;
    let _ = other;
    let (s, html) = get_page(&b2, &app, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("id=\"supplement-form\""));
    let v = view(&app, &citizen, &code).await["version"].to_string();
    let res = post_form(
        &b2,
        &app,
        &post,
        &[("csrf", &csrf2), ("version", &v)],
        &[("file_0", "ks.png", PNG)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (b, csrf) = browser(&app, "congdan").await;
    let (s, html) = get_page(&b, &app, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"supplement-form\"") && html.contains("name=\"file_1\""));
    assert!(html.contains(asked[0]));

    // A file that is not what it claims, or no file at all: back with the message, nothing kept.
    for (files, message) in [
        (
            vec![("file_0", "ks.png", b"khong phai anh".as_slice())],
            "Chỉ nhận tệp PDF, JPEG hoặc PNG.",
        ),
        (vec![], "Chọn ít nhất một tệp"),
    ] {
        let res = post_form(&b, &app, &post, &[("csrf", &csrf), ("version", &v)], &files).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("id=\"supplement-error\"") && html.contains(message),
            "{html}"
        );
        assert!(documents(&app, &officer, &code).await.is_empty());
        assert_eq!(
            view(&app, &officer, &code).await["status"],
            "awaiting_intake_supplement"
        );
    }
    // Without the token: refused.
    let res = post_form(
        &b,
        &app,
        &post,
        &[("version", &v)],
        &[("file_0", "ks.png", PNG)],
    )
    .await;
    assert!(res.status().is_client_error());
    assert!(documents(&app, &officer, &code).await.is_empty());

    // The first item's file and a note: sent, the dossier back at the officer's check.
    let res = post_form(
        &b,
        &app,
        &post,
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("note", "Gửi bản sao giấy khai sinh"),
        ],
        &[("file_0", "ks.png", PNG)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()[LOCATION]
            .to_str()
            .unwrap()
            .ends_with("?da_bo_sung=1")
    );
    let (_, html) = get_page(&b, &app, &format!("{page}?da_bo_sung=1")).await;
    assert!(html.contains("id=\"supplement-sent\"") && !html.contains("id=\"supplement-form\""));

    let d = view(&app, &officer, &code).await;
    assert_eq!(d["status"], "submitted", "{d}");
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"supplemented"), "{kinds:?}");
    let docs = documents(&app, &officer, &code).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["component"], asked[0]);
    let received = d["state"]["components"].as_array().unwrap();
    assert!(received.iter().any(|c| c["component"] == asked[0]), "{d}");
    // Sent once: the same form again is refused (no longer waiting), nothing added.
    let res = post_form(
        &b,
        &app,
        &post,
        &[("csrf", &csrf), ("version", &v)],
        &[("file_0", "ks.png", PNG)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(documents(&app, &officer, &code).await.len(), 1);
}

#[tokio::test]
async fn the_result_recorded_with_its_file_reaches_the_applicant_only() {
    let (app, [officer, _specialist, leader, citizen, _stranger]) = setup().await;
    let code = online(&app, &citizen).await;
    act(&app, &officer, &code, "receive", json!({})).await;
    act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    act(&app, &leader, &code, "approve", json!({})).await;

    // The specialist records the result on the dossier's page, with its electronic file.
    let (b, csrf) = browser(&app, "chuyenvien").await;
    let (s, html) = get_page(&b, &app, &format!("/ho-so/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("action=\"/ho-so/") && html.contains("id=\"record_result-file\""));
    let v = view(&app, &leader, &code).await["version"].to_string();
    let res = post_form(
        &b,
        &app,
        &format!("/ho-so/{code}/ket-qua"),
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("result_code", "15/GCN-STP"),
        ],
        &[("file", "ket-qua.png", PNG)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = view(&app, &leader, &code).await;
    assert_eq!(d["status"], "done", "{d}");
    assert_eq!(d["state"]["result"]["result_code"], "15/GCN-STP");
    let file_ref = d["state"]["result"]["form"]["file_ref"].as_str().unwrap();
    assert!(file_ref.starts_with("sha256:"), "{d}");

    // The applicant sees the number and downloads the file.
    let (cb, _) = browser(&app, "congdan").await;
    let (_, html) = get_page(&cb, &app, &format!("/tra-cuu/{code}")).await;
    assert!(html.contains("id=\"result-code\">15/GCN-STP<"), "{html}");
    let href = html
        .split("id=\"result-download\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let res = cb.get(app.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    // Anyone else: no result on the public page, no download.
    app.user("congdan.khac", "citizen", None).await;
    let (ob, _) = browser(&app, "congdan.khac").await;
    let (_, html) = get_page(&ob, &app, &format!("/tra-cuu/{code}")).await;
    assert!(!html.contains("id=\"result-code\""));
    let res = ob.get(app.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Without a file: a paper result, said so to the applicant.
    let paper = online(&app, &citizen).await;
    act(&app, &officer, &paper, "receive", json!({})).await;
    act(
        &app,
        &officer,
        &paper,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    act(&app, &leader, &paper, "approve", json!({})).await;
    let v = view(&app, &leader, &paper).await["version"].to_string();
    let res = post_form(
        &b,
        &app,
        &format!("/ho-so/{paper}/ket-qua"),
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("result_code", "16/GCN-STP"),
        ],
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = view(&app, &leader, &paper).await;
    assert_eq!(d["state"]["result"]["form"]["form"], "paper", "{d}");
    let (_, html) = get_page(&cb, &app, &format!("/tra-cuu/{paper}")).await;
    assert!(html.contains("Kết quả bằng bản giấy"));
}
