//! PostgreSQL backend, for production and for several `motcua serve` processes on one database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::{Backend, DbError, DbResult, redact_url};

type Db = sqlx::Postgres;
const BACKEND: Backend = Backend::Postgres;

/// Prepared statements kept per connection: intake's batches alone have up to 64 sizes of
/// eight statements.
const STATEMENT_CACHE: usize = 1024;

fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/postgres")
}

/// The tables of the connection's schema, by name.
const TABLES_SQL: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";

/// Exports a snapshot from a read-only repeatable-read transaction, counts the rows in it, and
/// has `pg_dump` dump the schema as that snapshot sees it (the transaction stays open until the
/// dump is done).
async fn snapshot_to(
    pool: &sqlx::Pool<Db>,
    file: &std::path::Path,
    url: Option<&str>,
) -> DbResult<crate::Snapshot> {
    let url = url.ok_or_else(|| DbError::Other("pg_dump needs the database URL".into()))?;
    let (base, _) = split_schema(url);
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let (snapshot, schema): (String, String) =
        sqlx::query_as("SELECT pg_export_snapshot(), current_schema()::text")
            .fetch_one(&mut *tx)
            .await?;
    let counted = sql::backup_sql::snapshot_of(&mut tx).await?;
    crate::backup::pg_dump(&base, &schema, &snapshot, file).await?;
    tx.rollback().await?;
    Ok(counted)
}

/// Starts a write transaction (row locks serialise what must be serialised).
async fn begin_write(pool: &sqlx::Pool<Db>) -> DbResult<sqlx::Transaction<'static, Db>> {
    Ok(pool.begin().await?)
}

/// The search vector is a generated column: nothing to do.
async fn reindex_procedure(
    _: &mut sqlx::Transaction<'static, Db>,
    _: &str,
    _: &str,
    _: &str,
) -> DbResult<()> {
    Ok(())
}

/// A tsquery: `(dang:*) & (ki:* | khi:*)`. Terms are folded ASCII words.
fn ts_expr(groups: &[Vec<String>]) -> String {
    let group = |g: &Vec<String>| {
        format!(
            "({})",
            g.iter()
                .map(|t| format!("{t}:*"))
                .collect::<Vec<_>>()
                .join(" | ")
        )
    };
    groups.iter().map(group).collect::<Vec<_>>().join(" & ")
}

fn push_fts_from(qb: &mut sqlx::QueryBuilder<Db>, groups: &[Vec<String>]) {
    qb.push(" FROM procedures p WHERE p.search_tsv @@ to_tsquery('simple', ");
    qb.push_bind(ts_expr(groups));
    qb.push(")");
}

// The same SQL body as the other backend, on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
mod sql;

pub use sql::SqlStore as PostgresStore;

impl PostgresStore {
    /// Connects to `url`. A `?schema=NAME` parameter puts every table in that schema (created
    /// if missing); the test suite gives each test its own schema this way.
    pub async fn open(url: &str) -> DbResult<Self> {
        let (base, schema) = split_schema(url);
        let mut opts = PgConnectOptions::from_str(&base)
            .map_err(|e| DbError::Unavailable(format!("{}: {e}", redact_url(url))))?;
        if let Some(schema) = &schema {
            opts = opts.options([("search_path", schema.as_str())]);
        }
        // Intake's multi-row INSERTs have one text per batch size and table: kept prepared on
        // the server rather than parsed and described again (one more round trip each).
        opts = opts.statement_cache_capacity(STATEMENT_CACHE);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|e| DbError::Unavailable(format!("{}: {e}", redact_url(url))))?;
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(DbError::Unavailable(format!(
                    "invalid schema name {schema:?}"
                )));
            }
            let ddl = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
            match sqlx::query(sqlx::AssertSqlSafe(ddl))
                .execute(&pool)
                .await
                .map_err(DbError::from)
            {
                // Another process created it at the same moment.
                Ok(_) | Err(DbError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(PostgresStore::from_pools(pool.clone(), pool))
    }
}

/// Takes a `schema=` query parameter out of a PostgreSQL URL.
pub(crate) fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("schema=") {
            Some(s) => {
                schema = Some(s.to_string());
                false
            }
            None => true,
        })
        .collect();
    let base = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (base, schema)
}
