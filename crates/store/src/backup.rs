//! What a backup needs from the database: a [`Snapshot`] (row counts and migrations of the
//! copy), and the PostgreSQL client tools run on the operator's behalf — `pg_dump` in its
//! custom format (see [`crate::Backups::snapshot_to`]), `pg_restore` in one transaction into an
//! empty schema, and a scratch database for `motcua backup verify`.
//!
//! The tools are the `postgresql-client` package of the server's major version; an older
//! `pg_dump` refuses a newer server, and says so.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;

use crate::postgres::split_schema;
use crate::{Conflict, DbError, DbResult, redact_url};

/// The file name of the embedded database in the data directory.
pub const SQLITE_FILE: &str = "motcua.sqlite3";

/// What a database copy holds: each table's row count and the migrations applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub counts: BTreeMap<String, i64>,
    pub migrations: Vec<i64>,
}

/// Runs a client tool; its standard error becomes the error when it fails.
async fn run_tool(program: &str, args: &[String]) -> DbResult<Vec<u8>> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            DbError::Unavailable(format!(
                "cannot run {program} ({e}): install postgresql-client of the server's major version"
            ))
        })?;
    if !out.status.success() {
        return Err(DbError::Other(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// `pg_dump --format=custom` of one schema as seen by an exported snapshot.
pub(crate) async fn pg_dump(
    base_url: &str,
    schema: &str,
    snapshot: &str,
    file: &Path,
) -> DbResult<()> {
    run_tool(
        "pg_dump",
        &[
            "--format=custom".into(),
            "--no-owner".into(),
            "--no-privileges".into(),
            format!("--schema={schema}"),
            format!("--snapshot={snapshot}"),
            format!("--file={}", file.display()),
            format!("--dbname={base_url}"),
        ],
    )
    .await
    .map(|_| ())
}

/// Tables in a schema of the database at `base_url`, and whether the schema exists.
async fn schema_state(base_url: &str, schema: &str) -> DbResult<(bool, i64)> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(base_url)
        .await
        .map_err(|e| DbError::Unavailable(format!("{}: {e}", redact_url(base_url))))?;
    let (exists,): (bool,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(schema)
            .fetch_one(&pool)
            .await?;
    let (tables,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1")
            .bind(schema)
            .fetch_one(&pool)
            .await?;
    pool.close().await;
    Ok((exists, tables))
}

/// Checks that the database of `url` can take a restore of `schema`: its schema (the URL's
/// `?schema=`, else `public`) must be that one, `Conflict::RestoreSchemaMismatch`
/// otherwise, and hold no table, `Conflict::RestoreTargetNotEmpty` otherwise. Returns
/// whether the (empty) schema exists.
pub async fn check_restore_target(url: &str, schema: &str) -> DbResult<bool> {
    let (base, target) = split_schema(url);
    if target.as_deref().unwrap_or("public") != schema {
        return Err(DbError::Conflict(Conflict::RestoreSchemaMismatch));
    }
    let (exists, tables) = schema_state(&base, schema).await?;
    if tables > 0 {
        return Err(DbError::Conflict(Conflict::RestoreTargetNotEmpty));
    }
    Ok(exists)
}

/// Restores a `pg_dump` of `schema` into the database of `url` after
/// [`check_restore_target`]. One transaction: a restore that fails or is killed leaves the
/// schema as empty as it was.
pub async fn restore_postgres(url: &str, dump: &Path, schema: &str) -> DbResult<()> {
    let exists = check_restore_target(url, schema).await?;
    let (base, _) = split_schema(url);
    // The dump creates its schema; an existing (empty) one is kept instead.
    let list = run_tool("pg_restore", &["--list".into(), dump.display().to_string()]).await?;
    let list: String = String::from_utf8_lossy(&list)
        .lines()
        .map(|l| {
            if exists && l.contains(&format!(" SCHEMA - {schema} ")) {
                format!(";{l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let list_file =
        std::env::temp_dir().join(format!("motcua-restore-{}.list", uuid::Uuid::new_v4()));
    std::fs::write(&list_file, list).map_err(|e| DbError::Other(e.to_string()))?;
    let restored = run_tool(
        "pg_restore",
        &[
            "--single-transaction".into(),
            "--exit-on-error".into(),
            "--no-owner".into(),
            "--no-privileges".into(),
            format!("--use-list={}", list_file.display()),
            format!("--dbname={base}"),
            dump.display().to_string(),
        ],
    )
    .await;
    let _ = std::fs::remove_file(&list_file);
    restored.map(|_| ())
}

/// A database made for one check and dropped after it (`motcua backup verify`).
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    /// The URL of the new database, with `?schema=` when given one.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates an empty database beside the one of `url` (same server and account).
    pub async fn create(url: &str, schema: &str) -> DbResult<ScratchDatabase> {
        let (admin_url, _) = split_schema(url);
        let name = format!("motcua_scratch_{}", uuid::Uuid::new_v4().simple());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .map_err(|e| DbError::Unavailable(format!("{}: {e}", redact_url(&admin_url))))?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&pool)
            .await?;
        pool.close().await;
        let mut db_url = with_database(&admin_url, &name);
        if schema != "public" {
            let sep = if db_url.contains('?') { '&' } else { '?' };
            db_url = format!("{db_url}{sep}schema={schema}");
        }
        Ok(ScratchDatabase {
            admin_url,
            name,
            url: db_url,
        })
    }

    /// Drops the database (closing what is still connected to it).
    pub async fn drop_database(self) -> DbResult<()> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.admin_url)
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&pool)
        .await?;
        pool.close().await;
        Ok(())
    }
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    match query {
        Some(q) => format!("{scheme}://{host}/{name}?{q}"),
        None => format!("{scheme}://{host}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn scratch_urls_name_the_new_database() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/motcua?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
