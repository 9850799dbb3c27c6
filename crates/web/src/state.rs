//! Shared state of the HTTP layer.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use motcua_store::DynStore;

use crate::auth::{AncestorCache, LoginLimiter, RateLimiter};
use crate::service::calendar::CalendarCache;
use crate::service::catalogue::SearchCache;

/// Settings the HTTP layer needs (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session_ttl_hours: u64,
    pub token_ttl_hours: u64,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Mark cookies `Secure` (set behind HTTPS).
    pub secure_cookies: bool,
    /// Show the demo accounts on the login page.
    pub demo: bool,
    /// The statutory holiday rules (Labour Code 2019 art. 112 unless configured).
    pub holiday_rules: motcua_domain::calendar::RulePack,
    /// Public dossier look-ups allowed per address and minute.
    pub lookups_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_ttl_hours: 12,
            token_ttl_hours: 24,
            max_body_bytes: 2 * 1024 * 1024,
            secure_cookies: false,
            demo: false,
            holiday_rules: motcua_domain::calendar::RulePack::vietnam(),
            lookups_per_minute: 60,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    pub config: Arc<WebConfig>,
    pub limiter: Arc<LoginLimiter>,
    pub metrics: PrometheusHandle,
    pub calendar: Arc<CalendarCache>,
    pub search: Arc<SearchCache>,
    /// Limits the public dossier look-up per address.
    pub lookup_limiter: Arc<RateLimiter>,
    pub ancestors: Arc<AncestorCache>,
}

impl AppState {
    pub fn new(store: DynStore, config: WebConfig) -> Self {
        let calendar = Arc::new(CalendarCache::new(config.holiday_rules.clone()));
        let lookup_limiter = Arc::new(RateLimiter::new(config.lookups_per_minute));
        AppState {
            store,
            config: Arc::new(config),
            limiter: Arc::new(LoginLimiter::new(Duration::from_secs(300), 5, 50)),
            metrics: crate::metrics::handle(),
            calendar,
            search: Arc::new(SearchCache::default()),
            lookup_limiter,
            ancestors: Arc::new(AncestorCache::default()),
        }
    }
}
