//! The application: its settings and the state every service shares (the store, caches,
//! limiters, the blob store). Built once per process; cheap to clone.

use std::sync::Arc;
use std::time::Duration;

use motcua_store::DynStore;

use crate::auth::{AncestorCache, LoginLimiter, RateLimiter};
use crate::calendar::CalendarCache;
use crate::catalogue::SearchCache;

/// Settings of a motcua process (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct Config {
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
    /// Online submissions allowed per citizen account and hour (counted in the database, so
    /// across processes).
    pub citizen_submissions_per_hour: u32,
    /// The address citizens reach motcua at (links in notices, QR codes on receipts).
    pub public_url: String,
    /// Largest accepted document upload (PDF, JPEG, PNG), in bytes; the JSON limit above
    /// stays for everything else.
    pub max_upload_bytes: usize,
    /// Where the documents' bytes are kept (the binary: `<data_dir>/documents` or S3).
    pub documents: crate::blobs::BlobConfig,
    /// The bearer token that may read `/metrics`; `None`: administrators only.
    pub metrics_token: Option<String>,
    /// The data directory whose free space `/readyz` watches (`None`: not watched).
    pub data_dir: Option<std::path::PathBuf>,
    /// `/readyz` says not ready when the data directory has less free space than this.
    pub min_free_disk_bytes: u64,
    /// The map tiles of the public feedback page (`https://tile.example.vn/{z}/{x}/{y}.png`);
    /// `None`: no map, the places are listed.
    pub map_tile_url: Option<String>,
    /// The keys Open311 clients post service requests with.
    pub open311_api_keys: Vec<String>,
    /// How long an online payment attempt stays valid at the gateway (#23).
    pub payment_attempt_ttl: Duration,
    /// The reconciliation worker queries the gateway for attempts pending longer than this.
    pub payment_reconcile_after: Duration,
    /// How often the reconciliation worker runs.
    pub payment_reconcile_every: Duration,
    /// The OpenID Connect providers people may sign in through (#20).
    pub oidc_providers: Vec<crate::sso::OidcProvider>,
    /// Transfers between deployments: this one's signing key and its peers (#21).
    pub transfers: crate::webhooks::transfer::TransferConfig,
    /// The key secrets are sealed with in the database (second-factor secrets).
    pub secrets_key: crate::sealed::SecretsKey,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            session_ttl_hours: 12,
            token_ttl_hours: 24,
            max_body_bytes: 2 * 1024 * 1024,
            secure_cookies: false,
            demo: false,
            holiday_rules: motcua_domain::calendar::RulePack::vietnam(),
            lookups_per_minute: 60,
            citizen_submissions_per_hour: 20,
            public_url: "http://127.0.0.1:8080".into(),
            max_upload_bytes: 20 * 1024 * 1024,
            documents: crate::blobs::BlobConfig::default(),
            secrets_key: crate::sealed::SecretsKey::default(),
            metrics_token: None,
            data_dir: None,
            min_free_disk_bytes: 64 * 1024 * 1024,
            map_tile_url: None,
            open311_api_keys: Vec::new(),
            payment_attempt_ttl: Duration::from_secs(15 * 60),
            payment_reconcile_after: Duration::from_secs(5 * 60),
            payment_reconcile_every: Duration::from_secs(60),
            oidc_providers: Vec::new(),
            transfers: Default::default(),
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub store: DynStore,
    pub config: Arc<Config>,
    pub limiter: Arc<LoginLimiter>,
    pub calendar: Arc<CalendarCache>,
    pub search: Arc<SearchCache>,
    /// Limits the public dossier look-up per address.
    pub lookup_limiter: Arc<RateLimiter>,
    pub ancestors: Arc<AncestorCache>,
    pub lookups: Arc<crate::lookups::Lookups>,
    /// The documents' bytes.
    pub blobs: Arc<crate::blobs::Blobs>,
    /// Single sign-on's HTTP client and the providers' discovery documents (#20).
    pub sso: Arc<crate::sso::Sso>,
}

impl App {
    /// The state; panics if the document store cannot be opened (use [`App::try_new`]
    /// where that is a configuration error to report).
    pub fn new(store: DynStore, config: Config) -> Self {
        Self::try_new(store, config).expect("the document store opens")
    }

    pub fn try_new(store: DynStore, config: Config) -> Result<Self, crate::blobs::BlobError> {
        let blobs = Arc::new(crate::blobs::Blobs::open(&config.documents)?);
        let calendar = Arc::new(CalendarCache::new(config.holiday_rules.clone()));
        let lookup_limiter = Arc::new(RateLimiter::new(config.lookups_per_minute));
        Ok(App {
            store,
            config: Arc::new(config),
            limiter: Arc::new(LoginLimiter::new(Duration::from_secs(300), 5, 50)),
            calendar,
            search: Arc::new(SearchCache::default()),
            lookup_limiter,
            ancestors: Arc::new(AncestorCache::default()),
            lookups: Arc::default(),
            blobs,
            sso: Arc::default(),
        })
    }
}
