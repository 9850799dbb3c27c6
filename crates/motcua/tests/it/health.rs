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

#[tokio::test]
async fn the_operator_gauges_count_open_and_overdue_dossiers_and_the_notice_backlog() {
    let (app, tokens) = crate::dossiers::setup().await;
    let dossiers = crate::backups::populate(&app, &tokens, 0).await;
    assert_eq!(dossiers.len(), 8);
    let now = chrono::Utc::now();
    let g = app.store.ops_gauges(now).await.unwrap();
    // Received, processing and rejected (its answer not yet issued) are open; the others
    // are waiting for the check or closed. None is late yet.
    assert_eq!((g.open_dossiers, g.overdue_dossiers), (3, 0), "{g:?}");
    // No worker runs in this server: every notice is waiting, none given up.
    assert!(g.outbox_pending > 0, "{g:?}");
    assert_eq!((g.outbox_due, g.outbox_failed), (g.outbox_pending, 0));
    // A year on, the open ones are overdue.
    let later = app
        .store
        .ops_gauges(now + chrono::Duration::days(400))
        .await
        .unwrap();
    assert_eq!((later.open_dossiers, later.overdue_dossiers), (3, 3));

    let admin = app.user("quantri", "admin", None).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "motcua_dossiers_created_total",
        "motcua_dossiers_open",
        "motcua_dossiers_overdue",
        "motcua_outbox_due",
    ] {
        assert!(metrics.contains(name), "{name}: {metrics}");
    }
}
