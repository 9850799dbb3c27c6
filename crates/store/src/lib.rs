//! The storage port of motcua: one trait per aggregate (see [`port`]; [`Store`] is all of them)
//! with domain-shaped methods, and its two implementations, embedded SQLite (the default) and PostgreSQL.
//!
//! Both implementations are the same SQL body (`sql.rs`), compiled twice: `sqlite.rs` and
//! `postgres.rs` each include it as a module with their own `Db` type and the few statements
//! where the dialects differ. Migrations are plain SQL per backend under `migrations/`.

mod access_log;
pub mod backup;
mod document_models;
mod error;
mod feedback_models;
mod keys;
mod models;
mod outbox;
mod payment_models;
pub mod port;
mod postgres;
mod reference;
mod sqlite;
mod stat_models;
mod webhook_models;

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use access_log::PersonalDataRead;
pub use backup::Snapshot;
pub use document_models::{DocumentLink, DocumentQuery, DocumentRecord};
pub use error::{Conflict, DbError, DbResult};
pub use feedback_models::*;

/// The bytes the dossier row cache may hold (weighed by [`DossierRow::approx_bytes`]).
pub const ROW_CACHE_BYTES: u64 = 128 << 20;
/// How long this process trusts a dossier projection it read, when another process may have
/// written it (its own writes are seen at once).
pub const ROW_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
pub use models::*;
pub use outbox::{OutboxOutcome, OutboxQuery, OutboxRow, OutboxStatus};
pub use payment_models::*;
pub use port::*;
pub use stat_models::*;
pub use webhook_models::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage port: every aggregate's trait (see [`port`]). Handlers and services see only this
/// trait (or one of its parts); anything implementing all the parts is a `Store`.
pub trait Store:
    Database
    + Units
    + Agencies
    + Calendar
    + Catalogue
    + Dossiers
    + Hall
    + FeedbackStore
    + Outbox
    + AccessLog
    + Accounts
    + Sessions
    + Stats
    + Documents
    + Backups
    + Webhooks
    + Payments
    + Identities
    + DataStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: Database
        + Units
        + Agencies
        + Calendar
        + Catalogue
        + Dossiers
        + Hall
        + FeedbackStore
        + Outbox
        + AccessLog
        + Accounts
        + Sessions
        + Stats
        + Documents
        + Backups
        + Webhooks
        + Payments
        + Identities
        + DataStore
        + Send
        + Sync
        + 'static
{
}

pub type DynStore = Arc<dyn Store>;

/// Checks a dossier's event chain against its projection head: numbering from 1 without gaps,
/// each event's previous hash equal to the hash before it, each hash recomputed from the
/// event's content, and the last hash and number equal to those the projection holds. Returns
/// the first problem found.
pub fn verify_chain(events: &[StoredEvent], head_seq: i32, head_hash: &str) -> Result<(), String> {
    let mut prev = String::new();
    for (i, e) in events.iter().enumerate() {
        let want = i as i32 + 1;
        if e.seq != want {
            return Err(format!("event {want} is missing (found {})", e.seq));
        }
        if e.prev_hash != prev {
            return Err(format!(
                "event {} does not follow event {}",
                e.seq,
                e.seq - 1
            ));
        }
        let h = event_hash(
            &prev,
            e.seq,
            e.at,
            e.actor_id,
            &e.actor_role,
            &e.kind,
            &e.data,
        );
        if h != e.hash {
            return Err(format!("event {} was altered", e.seq));
        }
        prev = h;
    }
    let last = events.len() as i32;
    if last != head_seq || prev != head_hash {
        return Err(format!(
            "the log ends at event {last} but the dossier is at event {head_seq}"
        ));
    }
    Ok(())
}

/// The hash chaining an event to the one before it (hex SHA-256 over the previous hash and the
/// event's number, instant, actor, kind and data). The first event's previous hash is empty.
pub fn event_hash(
    prev_hash: &str,
    seq: i32,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_role: &str,
    kind: &str,
    data: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut uuid = Uuid::encode_buffer();
    for part in [
        prev_hash,
        &seq.to_string(),
        &at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor_id.map_or("", |a| a.hyphenated().encode_lower(&mut uuid)),
        actor_role,
        kind,
        data,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

/// Lower-case hexadecimal of `bytes` (digests as they are stored and shown).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Opens the store named by `database_url`, or the embedded SQLite file in `data_dir` when no
/// URL is given. Only `postgres://`/`postgresql://` and `sqlite:` URLs are accepted.
pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> DbResult<DynStore> {
    match database_url {
        None => {
            let unavailable = |e: std::io::Error| {
                DbError::Unavailable(format!(
                    "cannot create data directory {}: {e}",
                    data_dir.display()
                ))
            };
            create_private_dir(data_dir).map_err(unavailable)?;
            let path = data_dir.join("motcua.sqlite3");
            // Created 0600 before SQLite opens it: its -wal and -shm files take the same mode.
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
                .map_err(unavailable)?;
            Ok(Arc::new(sqlite::SqliteStore::open_file(&path).await?))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(postgres::PostgresStore::open(url).await?))
        }
        Some(url) if url.starts_with("sqlite:") => {
            Ok(Arc::new(sqlite::SqliteStore::open_url(url).await?))
        }
        Some(other) => Err(DbError::Unavailable(format!(
            "unsupported database URL {}: use postgres://... or sqlite:...",
            redact_url(other)
        ))),
    }
}

/// Creates a directory (and its missing parents) readable by the owner only (0700). An
/// existing directory keeps its mode: the operator chose it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Sets a file's or directory's mode (0600 / 0700: personal data is the owner's only).
pub fn make_private(path: &Path, mode: u32) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// A database URL with its password replaced by `***`, for logs and errors.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("postgres://motcua:s3cret@db:5432/motcua"),
            "postgres://motcua:***@db:5432/motcua"
        );
        assert_eq!(redact_url("postgres://db/motcua"), "postgres://db/motcua");
        assert_eq!(redact_url("postgres://u:p@ss@h/x"), "postgres://u:***@h/x");
    }
}
