//! Configuration: built-in defaults, then an optional `motcua.toml`, then `MOTCUA_*`
//! environment variables, then command-line flags. Secrets never reach the logs: `Debug`
//! redacts the database password.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The keys of [`Config`]; other `MOTCUA_*` variables (e.g. the test suite's) are not config.
const KEYS: [&str; 10] = [
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
];

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
}

impl Default for Config {
    fn default() -> Self {
        let web = motcua_web::WebConfig::default();
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

    pub fn web(&self, demo: bool) -> anyhow::Result<motcua_web::WebConfig> {
        Ok(motcua_web::WebConfig {
            session_ttl_hours: self.session_ttl_hours,
            token_ttl_hours: self.token_ttl_hours,
            max_body_bytes: self.max_body_bytes,
            secure_cookies: self.secure_cookies,
            demo,
            holiday_rules: self.holiday_rules()?,
            ..motcua_web::WebConfig::default()
        })
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error.
mod tests {
    use super::*;

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = Config {
            database_url: Some("postgres://motcua:hunter22@db/motcua".into()),
            ..Config::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("hunter22"), "{s}");
        assert!(s.contains("motcua:***@db"), "{s}");
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
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("motcua.toml", "lisen = \"127.0.0.1:9999\"")?;
            assert!(Config::load(&Overrides::default()).is_err());
            Ok(())
        });
    }
}
