//! Backups: a consistent copy of the database and of the documents, with a manifest, made
//! while servers run; retention of the scheduled ones. Restore and verify are in
//! [`crate::restore`].
//!
//! A backup is a directory `motcua-<UTC time>` holding `database.sqlite3` (SQLite's
//! `VACUUM INTO`) or `database.pgdump` (`pg_dump --format=custom`), `documents/sha256/ab/cdef…`
//! (the content-addressed files, each checked against its name) and `manifest.json`: version,
//! backend, migrations, each table's row count in the copy, each file's SHA-256 and size. It is
//! written as `.motcua-<time>.partial`, the manifest last (with `"complete": true`), and only
//! then renamed: a directory without a complete manifest, or still named `.partial`, is a
//! backup that did not finish, and restore and verify refuse it.
//!
//! `MOTCUA_BACKUP_FILE_DELAY_MS` makes each document copy wait that long: how the tests kill
//! a backup (or a restore) in the middle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use motcua_app::blobs::{BlobConfig, Blobs, sha256_hex};
use motcua_store::{Backend, Store};
use serde::{Deserialize, Serialize};

pub const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;
const PREFIX: &str = "motcua-";

/// A file of the backup: its SHA-256 and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub motcua_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The PostgreSQL schema dumped (a restore goes into the same one).
    pub schema: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub migrations: Vec<i64>,
    /// Each table's row count, as in the copy.
    pub counts: BTreeMap<String, i64>,
    /// The database file (`database.sqlite3` or `database.pgdump`).
    pub database: FileEntry,
    pub database_file: String,
    pub documents: Vec<FileEntry>,
    /// Written last: `true` means everything above is in the directory.
    pub complete: bool,
}

/// Waits `MOTCUA_BACKUP_FILE_DELAY_MS` (the kill tests), if set.
pub async fn file_delay() {
    if let Some(ms) = std::env::var("MOTCUA_BACKUP_FILE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// The backup's documents directory as a document store.
pub fn documents_of(dir: &Path) -> anyhow::Result<Blobs> {
    Blobs::open(&BlobConfig::Local(dir.join("documents"))).map_err(|e| anyhow::anyhow!("{e}"))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Makes a backup under `parent` and returns its directory.
pub async fn take(
    store: &dyn Store,
    database_url: Option<&str>,
    documents: &Blobs,
    parent: &Path,
) -> anyhow::Result<PathBuf> {
    let now = chrono::Utc::now();
    let stamp = now.format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let name = format!("{PREFIX}{stamp}");
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.partial"));
    let done = parent.join(&name);
    if done.exists() || tmp.exists() {
        bail!("{} already exists", done.display());
    }
    std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    match write(store, database_url, documents, &tmp, now).await {
        Ok(()) => {
            std::fs::rename(&tmp, &done)?;
            sync_dir(parent)?;
            Ok(done)
        }
        Err(e) => {
            // A failure (not a kill) leaves nothing behind.
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Writes a whole backup into `tmp`, the manifest last.
async fn write(
    store: &dyn Store,
    database_url: Option<&str>,
    documents: &Blobs,
    tmp: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let (backend, database_file) = match store.backend() {
        Backend::Sqlite => ("sqlite", "database.sqlite3"),
        Backend::Postgres => ("postgres", "database.pgdump"),
    };
    let db_path = tmp.join(database_file);
    let snapshot = store
        .snapshot_to(&db_path, database_url)
        .await
        .context("copying the database")?;
    let database = hash_file(&db_path)?;
    let schema = match store.backend() {
        Backend::Postgres => Some(pg_schema(database_url)),
        Backend::Sqlite => None,
    };

    // Every file a dossier of the copy holds was stored before the copy was taken, and a held
    // file is never removed: listing after the copy finds them all.
    let target = documents_of(tmp)?;
    let mut files = Vec::new();
    for blob in documents.list().await.map_err(|e| anyhow::anyhow!("{e}"))? {
        file_delay().await;
        let bytes = documents
            .get(&blob.sha256)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(bytes) = bytes else { continue }; // removed since listed: held by no dossier
        if sha256_hex(&bytes) != blob.sha256 {
            bail!("document {} does not match its hash", blob.sha256);
        }
        let size = bytes.len() as u64;
        target
            .put(&blob.sha256, bytes)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        files.push(FileEntry {
            sha256: blob.sha256,
            size,
        });
    }
    files.sort_by(|a, b| a.sha256.cmp(&b.sha256));

    let manifest = Manifest {
        format: FORMAT,
        motcua_version: env!("CARGO_PKG_VERSION").to_string(),
        backend: backend.into(),
        schema,
        created_at: now,
        migrations: snapshot.migrations,
        counts: snapshot.counts,
        database,
        database_file: database_file.into(),
        documents: files,
        complete: true,
    };
    let part = tmp.join("manifest.json.tmp");
    std::fs::write(&part, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::File::open(&part)?.sync_all()?;
    std::fs::rename(&part, tmp.join(MANIFEST))?;
    Ok(sync_dir(tmp)?)
}

/// The schema a PostgreSQL URL names (`?schema=`), else `public`.
pub fn pg_schema(url: Option<&str>) -> String {
    url.and_then(|u| u.split_once('?'))
        .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("schema=")))
        .unwrap_or("public")
        .to_string()
}

/// The SHA-256 and size of a file, read in pieces.
pub fn hash_file(path: &Path) -> anyhow::Result<FileEntry> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok(FileEntry {
        sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        size,
    })
}

/// Reads a backup's manifest and checks every file against it; the reason a directory is not a
/// whole backup otherwise.
pub async fn check(dir: &Path) -> anyhow::Result<Manifest> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with(".partial") {
        bail!(
            "{} là bản sao lưu chưa hoàn tất (backup incomplete: it was interrupted)",
            dir.display()
        );
    }
    let text = std::fs::read(dir.join(MANIFEST)).map_err(|_| {
        anyhow::anyhow!(
            "{} không phải bản sao lưu hoàn chỉnh: không có {MANIFEST} (backup incomplete or not a backup)",
            dir.display()
        )
    })?;
    let m: Manifest = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not a motcua manifest", dir.join(MANIFEST).display()))?;
    if !m.complete || m.format != FORMAT {
        bail!(
            "{}: bản sao lưu chưa hoàn tất (backup incomplete)",
            dir.display()
        );
    }
    if !matches!(
        m.database_file.as_str(),
        "database.sqlite3" | "database.pgdump"
    ) {
        bail!("unexpected database file {:?}", m.database_file);
    }
    let db = hash_file(&dir.join(&m.database_file))?;
    if db != m.database {
        bail!(
            "{}: tệp cơ sở dữ liệu không khớp mã băm (database file does not match its hash)",
            dir.display()
        );
    }
    let docs = documents_of(dir)?;
    for f in &m.documents {
        let bytes = docs
            .get(&f.sha256)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match bytes {
            Some(b) if b.len() as u64 == f.size && sha256_hex(&b) == f.sha256 => {}
            Some(_) => bail!("tài liệu {} bị hỏng (document corrupt)", f.sha256),
            None => bail!("thiếu tài liệu {} (document missing)", f.sha256),
        }
    }
    Ok(m)
}

/// The complete backups under `parent`, oldest first.
pub fn list(parent: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(parent)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with(PREFIX) && path.join(MANIFEST).is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Keeps the newest `keep` complete backups under `parent` and removes interrupted ones older
/// than a day (a younger one may be a backup still running). Returns what was removed.
pub fn prune(parent: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let complete = list(parent)?;
    let excess = complete.len().saturating_sub(keep.max(1));
    for old in complete.into_iter().take(excess) {
        std::fs::remove_dir_all(&old)?;
        removed.push(old);
    }
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let stale = entry.metadata()?.modified()? < day_ago;
        if name.starts_with(&format!(".{PREFIX}")) && name.ends_with(".partial") && stale {
            std::fs::remove_dir_all(&path)?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// `motcua serve`'s scheduled backups: every `interval`, a backup under `parent`, then
/// [`prune`] to `keep`. Failures are logged (and counted by the next success's absence).
pub async fn schedule(
    store: motcua_store::DynStore,
    database_url: Option<String>,
    documents: BlobConfig,
    parent: PathBuf,
    interval: std::time::Duration,
    keep: usize,
) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let run = async {
            let docs = Blobs::open(&documents).map_err(|e| anyhow::anyhow!("{e}"))?;
            let dir = take(store.as_ref(), database_url.as_deref(), &docs, &parent).await?;
            let removed = prune(&parent, keep)?;
            anyhow::Ok((dir, removed.len()))
        };
        let result = run.await;
        motcua_app::gauges::backup_done(result.is_ok());
        match result {
            Ok((dir, removed)) => {
                tracing::info!(dir = %dir.display(), removed, "scheduled backup done")
            }
            Err(e) => tracing::error!(error = format!("{e:#}"), "scheduled backup failed"),
        }
    }
}
