//! Embedded SQLite backend: WAL, `synchronous=FULL` (an acknowledged write is on disk),
//! foreign keys on, a busy timeout so concurrent writers wait instead of failing, and pages
//! read through a memory map.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Backend, DbError, DbResult};

type Db = sqlx::Sqlite;
const BACKEND: Backend = Backend::Sqlite;

/// Prepared statements kept per connection: intake's batches alone have up to 64 sizes of
/// eight statements.
const STATEMENT_CACHE: usize = 1024;

fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/sqlite")
}

/// Every table (FTS shadow tables included), by name.
const TABLES_SQL: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

/// `VACUUM INTO` a new file (a consistent copy, taken in one read transaction while others
/// write), synced to disk, then counted.
async fn snapshot_to(
    pool: &sqlx::Pool<Db>,
    file: &Path,
    _url: Option<&str>,
) -> DbResult<crate::Snapshot> {
    use sqlx::Connection;
    let name = file
        .to_str()
        .ok_or_else(|| DbError::Other(format!("not a UTF-8 path: {}", file.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(name)
        .execute(pool)
        .await?;
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(|e| DbError::Other(format!("{}: {e}", file.display())))?;
    let mut conn = sqlx::SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(file).read_only(true),
    )
    .await?;
    let snapshot = sql::backup_sql::snapshot_of(&mut conn).await;
    conn.close().await?;
    snapshot
}

/// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock at once, so two writers
/// that both read first wait for each other (busy timeout) instead of one failing on upgrade.
async fn begin_write(pool: &sqlx::Pool<Db>) -> DbResult<sqlx::Transaction<'static, Db>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Keeps the FTS5 index in step with a procedure (same transaction).
async fn reindex_procedure(
    tx: &mut sqlx::Transaction<'static, Db>,
    code: &str,
    name: &str,
    body: &str,
) -> DbResult<()> {
    sqlx::query(
        "DELETE FROM procedure_fts WHERE rowid = (SELECT rowid FROM procedures WHERE code = $1)",
    )
    .bind(code)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO procedure_fts (rowid, code, name, body) SELECT rowid, code, $2, $3 FROM procedures WHERE code = $1")
        .bind(code)
        .bind(name)
        .bind(body)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An FTS5 expression: `("dang"*) AND ("ki"* OR "khi"*)`. Terms are folded ASCII words.
fn fts_expr(groups: &[Vec<String>]) -> String {
    let group = |g: &Vec<String>| {
        format!(
            "({})",
            g.iter()
                .map(|t| format!("\"{t}\"*"))
                .collect::<Vec<_>>()
                .join(" OR ")
        )
    };
    groups.iter().map(group).collect::<Vec<_>>().join(" AND ")
}

/// `FROM ... WHERE` of a text search, with its match bound.
fn push_fts_from(qb: &mut sqlx::QueryBuilder<Db>, groups: &[Vec<String>]) {
    qb.push(" FROM procedures p JOIN procedure_fts ON procedure_fts.rowid = p.rowid WHERE procedure_fts MATCH ");
    qb.push_bind(fts_expr(groups));
}

/// Whether a pooled connection may be used again. A COMMIT that SQLite refuses with
/// `SQLITE_FULL` (a full disk) rolls the transaction back by itself; sqlx's ROLLBACK then
/// fails and sqlx goes on counting an open transaction, so every later `BEGIN` on that
/// connection would fail. Such a connection is closed (the pool opens a fresh one). A ping
/// first lets a rollback still queued on the connection finish.
async fn out_of_transaction(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if conn.is_in_transaction() {
        conn.ping().await?;
    }
    Ok(!conn.is_in_transaction())
}

// The same SQL body as the other backend, on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
mod sql;

pub use sql::SqlStore as SqliteStore;

impl SqliteStore {
    pub async fn open_file(path: &Path) -> DbResult<Self> {
        Self::open_options(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
    }

    pub async fn open_url(url: &str) -> DbResult<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbError::Unavailable(e.to_string()))?
            .create_if_missing(true);
        Self::open_options(opts).await
    }

    async fn open_options(opts: SqliteConnectOptions) -> DbResult<Self> {
        let opts = opts
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Read pages through a memory map rather than a read() call each.
            .pragma("mmap_size", "268435456")
            // Intake's multi-row INSERTs have one text per batch size and table (up to 64 × 8):
            // kept prepared, not parsed again batch after batch (sqlx keeps 100 by default).
            .statement_cache_capacity(STATEMENT_CACHE);
        // Another process creating the same database file holds it for a moment (switching a
        // new file to WAL needs it alone): wait and retry rather than fail.
        let mut attempt = 0;
        loop {
            let pools = async {
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .before_acquire(|conn, _| Box::pin(out_of_transaction(conn)))
                    .connect_with(opts.clone())
                    .await?;
                let write_pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .before_acquire(|conn, _| Box::pin(out_of_transaction(conn)))
                    .connect_with(opts.clone())
                    .await?;
                Ok::<_, sqlx::Error>((pool, write_pool))
            };
            match pools.await {
                Ok((pool, write_pool)) => return Ok(SqliteStore::from_pools(pool, write_pool)),
                Err(e) if attempt < 40 && e.to_string().contains("database is locked") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(DbError::Unavailable(e.to_string())),
            }
        }
    }
}
