//! The HTTP interface of motcua: the JSON API (`/api/v1`), the Vietnamese web UI, health and
//! metrics endpoints, and the middleware every request passes (request id, tracing, metrics,
//! body limit, security headers). Handlers parse, call the application layer
//! ([`motcua_app`]) and render; they hold no business rules.

// UI handlers return `Result<_, Response>` (a ready page) by design, as axum does.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod auth;
pub mod download;
pub mod error;
pub mod metrics;
pub mod open311;
pub mod routes;
pub mod security;
pub mod state;
pub mod ui;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use motcua_app::vn_today;
pub use state::AppState;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .nest(
            "/api/v1",
            api::router().layer(axum::middleware::from_fn(security::api_csrf)),
        )
        .merge(ui::router())
        .merge(open311::router())
        .fallback(ui::not_found)
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn(security::bound_queries))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Readiness: 200 `ready` when the database answers, the data directory has room to write and
/// the document store answers; otherwise 503 `not ready`. Either way one line per check
/// follows (`database: ok`, `disk: full (…)`, `documents: unavailable (…)`), so an operator
/// and the probe see what is wrong.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let limit = Duration::from_secs(3);
    let database = match tokio::time::timeout(limit, state.ping_database()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".to_string()),
    };
    let disk = match &state.config.data_dir {
        None => Ok(None),
        Some(dir) => free_disk_bytes(dir).map(Some).and_then(|free| match free {
            Some(free) if free < state.config.min_free_disk_bytes => Err(format!(
                "full ({} MiB free in {}, at least {} MiB needed)",
                free / (1024 * 1024),
                dir.display(),
                state.config.min_free_disk_bytes / (1024 * 1024)
            )),
            _ => Ok(free),
        }),
    };
    let documents = match tokio::time::timeout(limit, state.check_documents()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".to_string()),
    };
    let mut lines = Vec::new();
    match &database {
        Ok(()) => lines.push("database: ok".to_string()),
        Err(e) => lines.push(format!("database: unavailable ({e})")),
    }
    match &disk {
        Ok(None) => {}
        Ok(Some(free)) => lines.push(format!("disk: ok ({} MiB free)", free / (1024 * 1024))),
        Err(e) if e.starts_with("full") => lines.push(format!("disk: {e}")),
        Err(e) => lines.push(format!("disk: unavailable ({e})")),
    }
    match &documents {
        Ok(()) => lines.push("documents: ok".to_string()),
        Err(e) => lines.push(format!("documents: unavailable ({e})")),
    }
    let ok = database.is_ok() && disk.is_ok() && documents.is_ok();
    if !ok {
        tracing::warn!(checks = %lines.join("; "), "readiness check failed");
    }
    let (status, head) = if ok {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    (status, format!("{head}\n{}\n", lines.join("\n")))
}

/// The bytes an unprivileged writer may still use on the file system of `dir`.
fn free_disk_bytes(dir: &std::path::Path) -> Result<u64, String> {
    let st = rustix::fs::statvfs(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// `/metrics` for Prometheus with the configured `metrics_token` as bearer, or for a signed-in
/// administrator; nobody else (request counts by route tell an outsider too much).
async fn metrics_text(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    auth::MaybeCaller(caller): auth::MaybeCaller,
) -> Result<impl IntoResponse, error::ApiError> {
    let by_token = match (&state.config.metrics_token, auth::bearer(&headers)) {
        (Some(expected), Some(sent)) => auth::same_secret(sent, expected),
        _ => false,
    };
    let by_admin = caller
        .as_ref()
        .is_some_and(|c| c.user.roles().contains(&motcua_domain::auth::Role::Admin));
    if !by_token && !by_admin {
        return Err(match caller {
            None => error::ApiError::Unauthenticated,
            Some(_) => error::ApiError::Forbidden,
        });
    }
    state.refresh_gauges().await;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    ))
}
