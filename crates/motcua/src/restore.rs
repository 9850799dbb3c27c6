//! Restore and verify of a backup made by [`crate::backup`].
//!
//! A restore goes only into an EMPTY target: a data directory without a database (SQLite), or a
//! PostgreSQL schema without tables, and a document store without files. Every hash is checked
//! before anything is written. While it runs, the data directory holds `RESTORE-INCOMPLETE`;
//! it is removed last, and every command that opens the database (`serve` first) refuses a data
//! directory that still holds it. A new restore into such a directory is refused too, unless
//! given `--discard-incomplete`, which first removes what the interrupted one wrote (the SQLite
//! files and the local documents; on PostgreSQL the restore is one transaction, so the schema
//! is still empty — if it is not, the operator drops it by hand).
//!
//! Verify restores into a scratch place (a temporary directory, or a new PostgreSQL database on
//! the configured server, dropped afterwards), then checks the row counts and migrations against
//! the manifest, the audit chain of every dossier, and that every document a dossier holds is
//! in the backup.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use motcua_store::backup::{SQLITE_FILE, ScratchDatabase, restore_postgres};
use motcua_store::{Conflict, DbError, DynStore};
use motcua_web::blobs::{BlobConfig, Blobs};
use serde::Serialize;

use crate::backup::{self, Manifest};

/// The marker of a restore that has not finished.
pub const MARKER: &str = "RESTORE-INCOMPLETE";

/// Refuses a data directory an interrupted restore left behind.
pub fn refuse_incomplete(data_dir: &Path) -> anyhow::Result<()> {
    if data_dir.join(MARKER).exists() {
        bail!(
            "{}: khôi phục chưa hoàn tất (an interrupted restore left this data directory incomplete); \
             run `motcua restore --from DIR --discard-incomplete` again",
            data_dir.display()
        );
    }
    Ok(())
}

/// Where a restore writes.
pub struct Target<'a> {
    pub data_dir: &'a Path,
    pub database_url: Option<&'a str>,
    pub documents: &'a BlobConfig,
}

fn blobs(config: &BlobConfig) -> anyhow::Result<Blobs> {
    Blobs::open(config).map_err(|e| anyhow::anyhow!("{e}"))
}

fn sqlite_files(data_dir: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", ".restoring"]
        .iter()
        .map(|s| data_dir.join(format!("{SQLITE_FILE}{s}")))
        .collect()
}

fn pg_error(e: DbError) -> anyhow::Error {
    match e {
        DbError::Conflict(Conflict::RestoreTargetNotEmpty) => anyhow::anyhow!(
            "cơ sở dữ liệu đích không trống (the target schema has tables): restore only into an empty one"
        ),
        DbError::Conflict(Conflict::RestoreSchemaMismatch) => anyhow::anyhow!(
            "bản sao lưu thuộc schema khác (the backup is of another schema): use ?schema=<schema of the manifest>"
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Restores the backup in `from` into `to`; returns its manifest.
pub async fn restore(
    from: &Path,
    to: &Target<'_>,
    discard_incomplete: bool,
) -> anyhow::Result<Manifest> {
    let m = backup::check(from).await?;
    let backend_url = to.database_url.filter(|u| u.starts_with("postgres"));
    match (m.backend.as_str(), backend_url) {
        ("sqlite", None) | ("postgres", Some(_)) => {}
        (b, _) => bail!(
            "bản sao lưu {b} không khôi phục được vào cơ sở dữ liệu này (a {b} backup needs a {b} target)"
        ),
    }
    if to.database_url.is_some_and(|u| u.starts_with("sqlite:")) {
        bail!("restore into the data directory (--data-dir), not a sqlite: URL");
    }
    let marker = to.data_dir.join(MARKER);
    let local_docs = match to.documents {
        BlobConfig::Local(dir) => Some(dir.clone()),
        _ => None,
    };
    if marker.exists() {
        if !discard_incomplete {
            refuse_incomplete(to.data_dir)?;
        }
        if backend_url.is_none() {
            for f in sqlite_files(to.data_dir) {
                let _ = std::fs::remove_file(f);
            }
        }
        if let Some(dir) = &local_docs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    // The target must be empty.
    if backend_url.is_none() && to.data_dir.join(SQLITE_FILE).exists() {
        bail!(
            "{} đã có cơ sở dữ liệu (the data directory is not empty): restore only into an empty one",
            to.data_dir.display()
        );
    }
    let docs = blobs(to.documents)?;
    if !docs
        .list()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_empty()
        && !marker.exists()
    {
        bail!(
            "kho tài liệu đích không trống (the document store is not empty): restore only into an empty one"
        );
    }
    if let Some(url) = backend_url {
        let schema = m.schema.as_deref().unwrap_or("public");
        motcua_store::backup::check_restore_target(url, schema)
            .await
            .map_err(pg_error)?;
    }

    std::fs::create_dir_all(to.data_dir)?;
    std::fs::write(&marker, "motcua restore in progress\n")?;
    let source = backup::documents_of(from)?;
    for f in &m.documents {
        backup::file_delay().await;
        let bytes = source
            .get(&f.sha256)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("document {} missing", f.sha256))?;
        docs.put(&f.sha256, bytes)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let db = from.join(&m.database_file);
    match backend_url {
        None => {
            let part = to.data_dir.join(format!("{SQLITE_FILE}.restoring"));
            std::fs::copy(&db, &part)?;
            std::fs::File::open(&part)?.sync_all()?;
            std::fs::rename(&part, to.data_dir.join(SQLITE_FILE))?;
        }
        Some(url) => {
            let schema = m.schema.as_deref().unwrap_or("public");
            restore_postgres(url, &db, schema).await.map_err(pg_error)?;
        }
    }
    std::fs::remove_file(&marker)?;
    std::fs::File::open(to.data_dir)?.sync_all()?;
    Ok(m)
}

/// What verify found.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub backend: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub tables: usize,
    pub rows: i64,
    pub dossiers: usize,
    pub events: usize,
    pub documents: usize,
    /// Empty when the backup is good.
    pub problems: Vec<String>,
}

/// Restores `dir` into a scratch place and checks it. `server_url`: a PostgreSQL server on which
/// a scratch database may be made (needed for a PostgreSQL backup).
pub async fn verify(dir: &Path, server_url: Option<&str>) -> anyhow::Result<VerifyReport> {
    let m = backup::check(dir).await?;
    let scratch_dir =
        std::env::temp_dir().join(format!("motcua-verify-{}", uuid::Uuid::new_v4().simple()));
    let mut scratch_db = None;
    let result = async {
        let url = match m.backend.as_str() {
            "postgres" => {
                let server = server_url.filter(|u| u.starts_with("postgres")).context(
                    "kiểm tra bản sao lưu PostgreSQL cần một máy chủ PostgreSQL (--database-url postgres://…)",
                )?;
                let schema = m.schema.as_deref().unwrap_or("public");
                let db = ScratchDatabase::create(server, schema).await?;
                let url = db.url.clone();
                scratch_db = Some(db);
                Some(url)
            }
            _ => None,
        };
        let docs = BlobConfig::Local(scratch_dir.join("documents"));
        restore(
            dir,
            &Target {
                data_dir: &scratch_dir,
                database_url: url.as_deref(),
                documents: &docs,
            },
            false,
        )
        .await?;
        let store = motcua_store::connect(url.as_deref(), &scratch_dir).await?;
        check_restored(&m, &store).await
    }
    .await;
    if let Some(db) = scratch_db
        && let Err(e) = db.drop_database().await
    {
        tracing::warn!(error = %e, "cannot drop the scratch database");
    }
    let _ = std::fs::remove_dir_all(&scratch_dir);
    result
}

async fn check_restored(m: &Manifest, store: &DynStore) -> anyhow::Result<VerifyReport> {
    let mut problems = Vec::new();
    let now = store.snapshot().await?;
    if now.migrations != m.migrations {
        problems.push(format!(
            "migrations {:?} restored, manifest says {:?}",
            now.migrations, m.migrations
        ));
    }
    for (table, want) in &m.counts {
        let got = now.counts.get(table).copied();
        if got != Some(*want) {
            problems.push(format!("table {table}: {got:?} rows, manifest says {want}"));
        }
    }
    for table in now.counts.keys().filter(|t| !m.counts.contains_key(*t)) {
        problems.push(format!("table {table} is not in the manifest"));
    }
    let audit = crate::audit_cmd::check(store.as_ref()).await?;
    for b in &audit.broken {
        problems.push(format!("audit chain broken: {b}"));
    }
    let hashes: Vec<String> = m.documents.iter().map(|f| f.sha256.clone()).collect();
    let held = store.known_documents(&hashes).await?.len() as i64;
    let rows = m.counts.get("documents").copied().unwrap_or(0);
    if held != rows {
        problems.push(format!(
            "{} document(s) held by dossiers are missing from the backup",
            rows - held
        ));
    }
    Ok(VerifyReport {
        backend: m.backend.clone(),
        created_at: m.created_at,
        tables: now.counts.len(),
        rows: now.counts.values().sum(),
        dossiers: audit.dossiers,
        events: audit.events,
        documents: m.documents.len(),
        problems,
    })
}
