//! Bad requests get a clear JSON error with the right status, never a stack trace.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

async fn raw(app: &TestApp, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn malformed_and_oversized_bodies() {
    let app = TestApp::with_config(motcua_app::Config {
        max_body_bytes: 4096,
        ..Default::default()
    })
    .await;
    let (s, b) = raw(&app, "application/json", b"{\"username\": ".to_vec()).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (s, b) = raw(
        &app,
        "application/json",
        br#"{"username":"a","password":"b","extra":1}"#.to_vec(),
    )
    .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
    assert!(b["detail"].as_str().unwrap().contains("extra"), "{b}");
    assert!(b["message"].as_str().unwrap().starts_with("Dữ liệu"));
    let (s, b) = raw(
        &app,
        "text/plain",
        br#"{"username":"a","password":"b"}"#.to_vec(),
    )
    .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    let big = format!(r#"{{"username":"{}","password":"b"}}"#, "x".repeat(10_000));
    let (s, b) = raw(&app, "application/json", big.into_bytes()).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}

#[tokio::test]
async fn unknown_addresses() {
    let app = TestApp::new().await;
    let (s, b) = app.get_json("/api/v1/khong-co").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"], "not_found");
    let res = app.get("/trang-khong-co").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Không tìm thấy trang"));
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let app = TestApp::new().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for p in [
        "/units",
        "/units/{id}",
        "/agencies",
        "/agencies/{code}",
        "/auth/token",
        "/me",
        "/users",
    ] {
        assert!(paths.iter().any(|k| *k == p), "{p} missing from {paths:?}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
