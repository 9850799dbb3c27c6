//! Health, readiness and metrics endpoints.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert!(ready.headers().get("x-request-id").is_some());
    app.get("/api/v1/units?q=ba%20dinh").await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let admin = app.user("quantri", "admin", None).await;
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let metrics = res.text().await.unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("path=\"/api/v1/units\""),
        "keyed by route: {metrics}"
    );
}
