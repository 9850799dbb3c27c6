//! The HTTP interface of motcua: the JSON API (`/api/v1`), the Vietnamese web UI, health and
//! metrics endpoints, and the middleware every request passes (request id, tracing, metrics,
//! body limit, security headers). Handlers parse, call the application layer
//! ([`motcua_app`]) and render; they hold no business rules.

// UI handlers return `Result<_, Response>` (a ready page) by design, as axum does.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod auth;
pub mod error;
pub mod metrics;
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

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
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
    metrics::refresh_gauges(state.store.as_ref()).await;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    ))
}
