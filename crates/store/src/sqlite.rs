//! Embedded SQLite backend: WAL, `synchronous=FULL` (an acknowledged write is on disk),
//! foreign keys on, a busy timeout so concurrent writers wait instead of failing.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Backend, DbError, DbResult};

type Db = sqlx::Sqlite;
const BACKEND: Backend = Backend::Sqlite;

fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/sqlite")
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
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        Ok(SqliteStore { pool })
    }
}
