//! Prometheus metrics: request counts and latencies keyed by the matched route, not the raw
//! path (so `/api/v1/agencies/{id}` is one series), and by the method, any method outside the
//! standard ones being `OTHER`: the number of series is bounded whatever clients send. The
//! operator's gauges are read from the database (open and overdue dossiers, the notice backlog)
//! at most every [`GAUGE_INTERVAL`]; `motcua_dossiers_created_total` (intake) and the last
//! backup's time.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder, installed on first use.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests, embedding): keep ours local.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

pub use motcua_app::gauges::{GAUGE_INTERVAL, backup_done, refresh_gauges};

pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method()).to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("path", path), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}

/// The method's label: the standard methods by name, anything else `OTHER`.
pub fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}
