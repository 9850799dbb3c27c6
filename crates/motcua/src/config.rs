//! Configuration: built-in defaults, then an optional `motcua.toml`, then `MOTCUA_*`
//! environment variables, then command-line flags. Secrets never reach the logs: `Debug`
//! redacts the database password.

use std::fmt;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The keys of [`Config`]; other `MOTCUA_*` variables (e.g. the test suite's) are not config.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "log_json",
    "log",
    "session_ttl_hours",
    "token_ttl_hours",
    "max_body_bytes",
    "secure_cookies",
    "holiday_rules",
    "public_url",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_from",
    "smtp_username",
    "smtp_password",
    "sms_url",
    "sms_key",
    "portal_sync_url",
    "portal_sync_key",
    "transfer_key_id",
    "transfer_alg",
    "transfer_key",
    "integration_retry_base_secs",
    "peers",
    "notify_interval_secs",
    "notify_max_attempts",
    "notify_retry_base_secs",
    "max_upload_bytes",
    "documents_s3_endpoint",
    "documents_s3_bucket",
    "documents_s3_region",
    "documents_s3_access_key",
    "documents_s3_secret_key",
    "documents_s3_allow_http",
    "backup_dir",
    "backup_interval_hours",
    "backup_keep",
    "metrics_token",
    "secrets_key",
    "min_free_disk_mb",
    "map_tile_url",
    "open311_api_keys",
    "oidc",
];

/// A deployment this one exchanges dossiers with (liên thông between systems).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    /// How transfers name it (`bo-tu-phap`).
    pub name: String,
    /// Its base address.
    pub url: String,
    /// The key id it signs with.
    pub key_id: String,
    /// `ed25519` (default) or `hmac-sha256`.
    #[serde(default = "ed25519")]
    pub alg: String,
    /// Its Ed25519 public key (32 bytes, base64), or the HMAC key shared with it.
    pub key: String,
}

fn ed25519() -> String {
    "ed25519".into()
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL; embedded SQLite in `data_dir` when unset.
    pub database_url: Option<String>,
    pub log_json: bool,
    /// A tracing filter, e.g. `info` or `motcua=debug,sqlx=warn`.
    pub log: String,
    pub session_ttl_hours: u64,
    pub token_ttl_hours: u64,
    pub max_body_bytes: usize,
    pub secure_cookies: bool,
    /// A JSON rule pack of statutory holidays replacing the built-in one (Labour Code 2019
    /// art. 112): how a holiday added by a future law is put in force without a new release.
    pub holiday_rules: Option<PathBuf>,
    /// The public address of the service (`https://…`), for the look-up links in notices.
    pub public_url: Option<String>,
    /// The SMTP server of the e-mail notices; unset: e-mails are skipped (recorded as such).
    pub smtp_host: Option<String>,
    /// Default: 25 (`none`), 587 (`starttls`), 465 (`tls`).
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none` (a relay on localhost or a trusted network).
    pub smtp_tls: String,
    /// The sender of the e-mails, `Name <address>`.
    pub smtp_from: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// The HTTP SMS gateway (see `motcua_app::notify::sms`); unset: SMS are skipped.
    pub sms_url: Option<String>,
    /// Bearer key of the SMS gateway.
    pub sms_key: Option<String>,
    /// The national public service portal's dossier-sync endpoint (#21); unset: not synced.
    pub portal_sync_url: Option<String>,
    /// Bearer key the portal gave this installation.
    pub portal_sync_key: Option<String>,
    /// The key id this deployment signs transfers with (its peers know its key by it).
    pub transfer_key_id: Option<String>,
    /// `ed25519` (default) or `hmac-sha256`.
    pub transfer_alg: String,
    /// The signing key: Ed25519's 32-byte private seed in base64, or the HMAC shared key.
    pub transfer_key: Option<String>,
    /// The wait after a first failed delivery to other systems, in seconds (doubling, 8
    /// attempts); unset: the Standard Webhooks schedule (5 s, 5 min, 30 min, ...).
    pub integration_retry_base_secs: Option<u64>,
    /// The deployments this one exchanges dossiers with (`[[peers]]` tables).
    pub peers: Vec<PeerConfig>,
    /// How often the outbox is looked at when idle, in seconds.
    pub notify_interval_secs: u64,
    /// Attempts before a notice is given up.
    pub notify_max_attempts: u32,
    /// The wait after the first failed attempt, in seconds; it doubles after each one.
    pub notify_retry_base_secs: u64,
    /// Largest document upload (PDF, JPEG, PNG), in bytes.
    pub max_upload_bytes: usize,
    /// Documents in an S3-compatible bucket instead of `<data_dir>/documents`: set the bucket.
    pub documents_s3_bucket: Option<String>,
    /// The S3-compatible endpoint (`https://…`); unset: AWS.
    pub documents_s3_endpoint: Option<String>,
    pub documents_s3_region: Option<String>,
    /// Unset: the `AWS_*` environment variables (or the instance's role).
    pub documents_s3_access_key: Option<String>,
    pub documents_s3_secret_key: Option<String>,
    /// Allow an `http://` endpoint (a store on a trusted network).
    pub documents_s3_allow_http: bool,
    /// Where `motcua serve` makes scheduled backups; unset: none (set it on ONE process).
    pub backup_dir: Option<PathBuf>,
    /// Hours between scheduled backups (a fraction is allowed: `0.5`).
    pub backup_interval_hours: f64,
    /// Scheduled backups kept (the oldest are removed).
    pub backup_keep: usize,
    /// The bearer token Prometheus sends to read `/metrics`; unset: administrators only.
    pub metrics_token: Option<String>,
    /// The key secrets are sealed with in the database (base64 of 32 bytes); unset: the key in
    /// `<data_dir>/secrets.key`, made at the first start. Every process of one installation
    /// needs the same.
    pub secrets_key: Option<String>,
    /// `/readyz` says not ready when the data directory has less free space than this (MB).
    pub min_free_disk_mb: u64,
    /// The map tile server of the public feedback page, `https://…/{z}/{x}/{y}.png`; unset:
    /// no map (the places are listed).
    pub map_tile_url: Option<String>,
    /// The keys Open311 GeoReport v2 clients post service requests with, comma-separated.
    pub open311_api_keys: Option<String>,
    /// The OpenID Connect providers people may sign in through (`[[oidc]]` tables; see the
    /// README's identity section).
    pub oidc: Vec<motcua_app::sso::OidcProvider>,
}

impl Default for Config {
    fn default() -> Self {
        let web = motcua_app::Config::default();
        Config {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            data_dir: PathBuf::from("./motcua-data"),
            database_url: None,
            log_json: false,
            log: "info".into(),
            session_ttl_hours: web.session_ttl_hours,
            token_ttl_hours: web.token_ttl_hours,
            max_body_bytes: web.max_body_bytes,
            secure_cookies: web.secure_cookies,
            holiday_rules: None,
            public_url: None,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: "starttls".into(),
            smtp_from: "Bộ phận Một cửa <no-reply@localhost>".into(),
            smtp_username: None,
            smtp_password: None,
            sms_url: None,
            sms_key: None,
            portal_sync_url: None,
            portal_sync_key: None,
            transfer_key_id: None,
            transfer_alg: "ed25519".into(),
            transfer_key: None,
            integration_retry_base_secs: None,
            peers: Vec::new(),
            notify_interval_secs: 5,
            notify_max_attempts: 10,
            notify_retry_base_secs: 60,
            max_upload_bytes: web.max_upload_bytes,
            documents_s3_bucket: None,
            documents_s3_endpoint: None,
            documents_s3_region: None,
            documents_s3_access_key: None,
            documents_s3_secret_key: None,
            documents_s3_allow_http: false,
            backup_dir: None,
            backup_interval_hours: 24.0,
            backup_keep: 7,
            metrics_token: None,
            secrets_key: None,
            min_free_disk_mb: web.min_free_disk_bytes / (1024 * 1024),
            map_tile_url: None,
            open311_api_keys: None,
            oidc: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(motcua_store::redact_url),
            )
            .field("log_json", &self.log_json)
            .field("log", &self.log)
            .field("session_ttl_hours", &self.session_ttl_hours)
            .field("token_ttl_hours", &self.token_ttl_hours)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("secure_cookies", &self.secure_cookies)
            .field("holiday_rules", &self.holiday_rules)
            .field("public_url", &self.public_url)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_from", &self.smtp_from)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("sms_url", &self.sms_url)
            .field("sms_key", &self.sms_key.as_ref().map(|_| "***"))
            .field("portal_sync_url", &self.portal_sync_url)
            .field(
                "portal_sync_key",
                &self.portal_sync_key.as_ref().map(|_| "***"),
            )
            .field("transfer_key_id", &self.transfer_key_id)
            .field("transfer_alg", &self.transfer_alg)
            .field("transfer_key", &self.transfer_key.as_ref().map(|_| "***"))
            .field("peers", &self.peers)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("secrets_key", &self.secrets_key.as_ref().map(|_| "***"))
            .field("notify_interval_secs", &self.notify_interval_secs)
            .field("notify_max_attempts", &self.notify_max_attempts)
            .field("notify_retry_base_secs", &self.notify_retry_base_secs)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("documents", &self.documents())
            .field("backup_dir", &self.backup_dir)
            .field("backup_interval_hours", &self.backup_interval_hours)
            .field("backup_keep", &self.backup_keep)
            .field("min_free_disk_mb", &self.min_free_disk_mb)
            .field("map_tile_url", &self.map_tile_url)
            .field(
                "open311_api_keys",
                &self.open311_api_keys.as_ref().map(|_| "***"),
            )
            .field("oidc", &self.oidc)
            .finish()
    }
}

/// Flags that override the file and the environment.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Configuration file (default: ./motcua.toml if it exists).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Data directory (embedded database, documents). Env: MOTCUA_DATA_DIR.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://user:pass@host/db). Env: MOTCUA_DATABASE_URL.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Log as JSON lines. Env: MOTCUA_LOG_JSON.
    #[arg(long, global = true)]
    pub log_json: bool,
}

impl Config {
    pub fn load(o: &Overrides) -> anyhow::Result<Config> {
        let file = o
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("motcua.toml"));
        if o.config.is_some() && !Path::new(&file).exists() {
            anyhow::bail!("configuration file {} not found", file.display());
        }
        let mut c: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(
                Env::prefixed("MOTCUA_")
                    .filter(|k| KEYS.contains(&k.as_str().to_ascii_lowercase().as_str())),
            )
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        if let Some(d) = &o.data_dir {
            c.data_dir = d.clone();
        }
        if let Some(u) = &o.database_url {
            c.database_url = Some(u.clone());
        }
        if o.log_json {
            c.log_json = true;
        }
        if c.database_url
            .as_deref()
            .is_some_and(|u| u.trim().is_empty())
        {
            c.database_url = None;
        }
        Ok(c)
    }

    /// The statutory holiday rules: the configured pack, or the built-in one.
    pub fn holiday_rules(&self) -> anyhow::Result<motcua_domain::calendar::RulePack> {
        match &self.holiday_rules {
            None => Ok(motcua_domain::calendar::RulePack::vietnam()),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read holiday rules {}: {e}", path.display())
                })?;
                motcua_domain::calendar::RulePack::from_json(&text).map_err(|e| {
                    anyhow::anyhow!("holiday rules {}: {}", path.display(), e.message_vi())
                })
            }
        }
    }

    /// The settings of the notice delivery worker.
    pub fn notify(&self) -> anyhow::Result<motcua_app::notify::NotifyConfig> {
        use motcua_app::notify::{NotifyConfig, SmsConfig, SmtpConfig, SmtpTls};
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let smtp = match set(&self.smtp_host) {
            None => None,
            Some(host) => {
                let tls = SmtpTls::parse(&self.smtp_tls).ok_or_else(|| {
                    anyhow::anyhow!(
                        "smtp_tls must be starttls, tls or none, not {:?}",
                        self.smtp_tls
                    )
                })?;
                Some(SmtpConfig {
                    host,
                    port: self.smtp_port.unwrap_or(tls.default_port()),
                    tls,
                    from: self.smtp_from.clone(),
                    username: set(&self.smtp_username),
                    password: self.smtp_password.clone(),
                })
            }
        };
        let sms = set(&self.sms_url).map(|url| SmsConfig {
            url,
            key: set(&self.sms_key),
        });
        Ok(NotifyConfig {
            smtp,
            sms,
            public_url: set(&self.public_url),
            interval: std::time::Duration::from_secs(self.notify_interval_secs.max(1)),
            max_attempts: self.notify_max_attempts.max(1),
            retry_base: std::time::Duration::from_secs(self.notify_retry_base_secs.max(1)),
            ..NotifyConfig::default()
        })
    }

    /// The webhook and national portal sync worker's settings (#21).
    pub fn webhooks(&self) -> motcua_app::webhooks::worker::WebhookConfig {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        motcua_app::webhooks::worker::WebhookConfig {
            source: self.public_url_or_listen(),
            portal_url: set(&self.portal_sync_url),
            portal_key: set(&self.portal_sync_key),
            transfers: std::sync::Arc::new(self.transfers().unwrap_or_default()),
            retry_base: self
                .integration_retry_base_secs
                .map(|s| std::time::Duration::from_secs(s.max(1))),
            ..Default::default()
        }
    }

    /// Transfers between deployments: this one's signing key and its peers (#21).
    pub fn transfers(&self) -> anyhow::Result<motcua_app::webhooks::transfer::TransferConfig> {
        use motcua_app::webhooks::transfer::{Peer, TransferConfig};
        use motcua_integrations::httpsig::{Alg, SignKey, VerifyKey};
        let alg = |a: &str| {
            Alg::parse(a.trim()).ok_or_else(|| {
                anyhow::anyhow!("unknown signature algorithm {a:?} (ed25519, hmac-sha256)")
            })
        };
        let key = match self
            .transfer_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            Some(k) => Some(
                SignKey::parse(alg(&self.transfer_alg)?, k)
                    .map_err(|e| anyhow::anyhow!("transfer_key: {e}"))?,
            ),
            None => None,
        };
        let mut peers: Vec<Peer> = Vec::new();
        for p in &self.peers {
            if peers
                .iter()
                .any(|q| q.name == p.name || q.key_id == p.key_id)
            {
                anyhow::bail!(
                    "two peers have the name {:?} or the key id {:?}",
                    p.name,
                    p.key_id
                );
            }
            peers.push(Peer {
                name: p.name.trim().to_string(),
                url: p.url.trim().to_string(),
                key_id: p.key_id.trim().to_string(),
                key: VerifyKey::parse(alg(&p.alg)?, &p.key)
                    .map_err(|e| anyhow::anyhow!("peer {}: {e}", p.name))?,
            });
        }
        Ok(TransferConfig {
            key_id: self
                .transfer_key_id
                .clone()
                .unwrap_or_default()
                .trim()
                .to_string(),
            key,
            peers,
        })
    }

    /// The address citizens reach this installation at: `public_url`, or else this server's own
    /// listening address (right on one machine only: receipts' QR codes, tickets and notices
    /// carry it, so `serve` warns when it is not set).
    pub fn public_url_or_listen(&self) -> String {
        match &self.public_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => {
                let host = match self.listen.ip() {
                    ip if ip.is_unspecified() => "127.0.0.1".to_string(),
                    std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                    ip => ip.to_string(),
                };
                format!("http://{host}:{}", self.listen.port())
            }
        }
    }

    pub fn app(&self, demo: bool) -> anyhow::Result<motcua_app::Config> {
        for (i, p) in self.oidc.iter().enumerate() {
            p.check().map_err(|e| anyhow::anyhow!(e))?;
            if self.oidc[..i].iter().any(|q| q.id == p.id) {
                anyhow::bail!("two oidc providers have the id {:?}", p.id);
            }
        }
        Ok(motcua_app::Config {
            secrets_key: self.secrets_key()?,
            oidc_providers: self.oidc.clone(),
            transfers: self.transfers()?,
            session_ttl_hours: self.session_ttl_hours,
            token_ttl_hours: self.token_ttl_hours,
            max_body_bytes: self.max_body_bytes,
            secure_cookies: self.secure_cookies,
            demo,
            holiday_rules: self.holiday_rules()?,
            public_url: self.public_url_or_listen(),
            max_upload_bytes: self.max_upload_bytes,
            documents: self.documents(),
            data_dir: Some(self.data_dir.clone()),
            min_free_disk_bytes: self.min_free_disk_mb.saturating_mul(1024 * 1024),
            map_tile_url: self
                .map_tile_url
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            open311_api_keys: self
                .open311_api_keys
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            metrics_token: self
                .metrics_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            ..motcua_app::Config::default()
        })
    }

    /// The time between scheduled backups.
    pub fn backup_interval(&self) -> anyhow::Result<std::time::Duration> {
        let h = self.backup_interval_hours;
        if !(h.is_finite() && h > 0.0 && h <= 24.0 * 366.0) {
            anyhow::bail!("backup_interval_hours must be more than 0 and at most a year, not {h}");
        }
        Ok(std::time::Duration::from_secs_f64(h * 3600.0))
    }

    /// The key secrets are sealed with: `secrets_key` when set, else the one in
    /// `<data_dir>/secrets.key` (made at the first start, readable by the owner only; two
    /// processes starting at once agree on one).
    pub fn secrets_key(&self) -> anyhow::Result<motcua_app::sealed::SecretsKey> {
        use motcua_app::sealed::SecretsKey;
        use std::io::Write;
        if let Some(text) = self.secrets_key.as_deref().filter(|t| !t.trim().is_empty()) {
            return SecretsKey::parse(text).map_err(|e| anyhow::anyhow!(e));
        }
        let path = self.data_dir.join("secrets.key");
        if !path.exists() {
            motcua_store::create_private_dir(&self.data_dir)?;
            // Written aside, then linked into place: the first link wins, nobody reads half.
            let tmp = self
                .data_dir
                .join(format!("secrets.key.{}.tmp", std::process::id()));
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(SecretsKey::random().to_base64().as_bytes())?;
            f.sync_all()?;
            let linked = std::fs::hard_link(&tmp, &path);
            std::fs::remove_file(&tmp)?;
            match linked {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e.into()),
                _ => {}
            }
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        SecretsKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Where documents are kept: the S3-compatible bucket when one is set, else
    /// `<data_dir>/documents`.
    pub fn documents(&self) -> motcua_app::blobs::BlobConfig {
        use motcua_app::blobs::{BlobConfig, S3Config};
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        match set(&self.documents_s3_bucket) {
            Some(bucket) => BlobConfig::S3(S3Config {
                endpoint: set(&self.documents_s3_endpoint),
                bucket,
                region: set(&self.documents_s3_region),
                access_key: set(&self.documents_s3_access_key),
                secret_key: set(&self.documents_s3_secret_key),
                allow_http: self.documents_s3_allow_http,
            }),
            None => BlobConfig::Local(self.data_dir.join("documents")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error.
mod tests {
    use super::*;

    #[test]
    fn the_secrets_key_is_made_once_in_the_data_directory_unless_configured() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("motcua-secrets-{}", uuid::Uuid::new_v4()));
        let config = Config {
            data_dir: dir.clone(),
            ..Config::default()
        };
        let first = config.secrets_key().unwrap();
        assert_eq!(
            config.secrets_key().unwrap(),
            first,
            "read back, not made again"
        );
        let mode = std::fs::metadata(dir.join("secrets.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        let set = motcua_app::sealed::SecretsKey::random();
        let configured = Config {
            secrets_key: Some(set.to_base64()),
            ..config.clone()
        };
        assert_eq!(configured.secrets_key().unwrap(), set);
        let bad = Config {
            secrets_key: Some("ngắn".into()),
            ..config
        };
        assert!(bad.secrets_key().is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_public_address_defaults_to_the_listening_one() {
        let at = |listen: &str, public: Option<&str>| Config {
            listen: listen.parse().unwrap(),
            public_url: public.map(str::to_string),
            ..Config::default()
        };
        assert_eq!(
            at("127.0.0.1:18080", None).public_url_or_listen(),
            "http://127.0.0.1:18080"
        );
        assert_eq!(
            at("0.0.0.0:80", None).public_url_or_listen(),
            "http://127.0.0.1:80"
        );
        assert_eq!(
            at("127.0.0.1:8080", Some("https://dichvucong.thanhhoa.gov.vn")).public_url_or_listen(),
            "https://dichvucong.thanhhoa.gov.vn"
        );
    }

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = Config {
            database_url: Some("postgres://motcua:hunter22@db/motcua".into()),
            ..Config::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("hunter22"), "{s}");
        assert!(s.contains("motcua:***@db"), "{s}");
        let c = Config {
            smtp_password: Some("smtp-secret".into()),
            sms_key: Some("sms-secret".into()),
            ..Config::default()
        };
        let s = format!("{c:?} {:?}", c.notify().unwrap());
        assert!(
            !s.contains("smtp-secret") && !s.contains("sms-secret"),
            "{s}"
        );
    }

    #[test]
    fn file_then_env_then_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "motcua.toml",
                "listen = \"127.0.0.1:9999\"\nlog = \"debug\"\ndata_dir = \"/from/file\"",
            )?;
            jail.set_env("MOTCUA_LOG", "warn");
            let c = Config::load(&Overrides::default()).expect("loads");
            assert_eq!(c.listen.port(), 9999);
            assert_eq!(c.log, "warn");
            assert_eq!(c.data_dir, PathBuf::from("/from/file"));
            let c = Config::load(&Overrides {
                data_dir: Some("/flag".into()),
                ..Default::default()
            })
            .expect("loads");
            assert_eq!(c.data_dir, PathBuf::from("/flag"));
            Ok(())
        });
    }

    #[test]
    fn documents_go_to_the_data_directory_or_the_bucket() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(&Overrides::default()).expect("loads");
            assert_eq!(c.max_upload_bytes, 20 * 1024 * 1024);
            let local = format!("{:?}", c.documents());
            assert!(local.contains("motcua-data/documents"), "{local}");
            jail.set_env("MOTCUA_DOCUMENTS_S3_BUCKET", "ho-so");
            jail.set_env("MOTCUA_DOCUMENTS_S3_ENDPOINT", "http://127.0.0.1:9000");
            jail.set_env("MOTCUA_DOCUMENTS_S3_SECRET_KEY", "s3-secret");
            jail.set_env("MOTCUA_DOCUMENTS_S3_ALLOW_HTTP", "true");
            jail.set_env("MOTCUA_MAX_UPLOAD_BYTES", "1048576");
            let c = Config::load(&Overrides::default()).expect("loads");
            assert_eq!(c.app(false).unwrap().max_upload_bytes, 1024 * 1024);
            match c.documents() {
                motcua_app::blobs::BlobConfig::S3(s3) => {
                    assert_eq!(s3.bucket, "ho-so");
                    assert!(s3.allow_http);
                    assert_eq!(s3.secret_key.as_deref(), Some("s3-secret"));
                }
                other => panic!("{other:?}"),
            }
            let printed = format!("{c:?}");
            assert!(!printed.contains("s3-secret"), "{printed}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("motcua.toml", "lisen = \"127.0.0.1:9999\"")?;
            assert!(Config::load(&Overrides::default()).is_err());
            Ok(())
        });
    }
}
