//! Storage errors, as the rest of motcua needs to tell them apart.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the write; carries the constraint name.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The database cannot be reached or opened.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full: the write was rolled back whole (SQLite's
    /// `SQLITE_FULL`, PostgreSQL's `disk_full`, or `ENOSPC` from the operating system).
    #[error("storage full: {0}")]
    Full(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type DbResult<T> = Result<T, DbError>;

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(d) => {
                if d.is_unique_violation() || d.is_foreign_key_violation() {
                    // PostgreSQL names the constraint; SQLite says "UNIQUE constraint failed:
                    // agencies.code", which we map to the same name as PostgreSQL's.
                    let name = d.constraint().map(str::to_string).unwrap_or_else(|| {
                        let msg = d.message();
                        match msg.rsplit_once(": ") {
                            Some((_, cols)) => format!("{}_key", cols.replace('.', "_")),
                            None => "foreign_key".to_string(),
                        }
                    });
                    DbError::Conflict(name)
                } else if matches!(d.code().as_deref(), Some("13" | "53100")) {
                    // SQLITE_FULL; PostgreSQL's class 53100 disk_full.
                    DbError::Full(d.to_string())
                } else {
                    DbError::Other(d.to_string())
                }
            }
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
                DbError::Full(io.to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                DbError::Unavailable(e.to_string())
            }
            other => DbError::Other(other.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for DbError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        DbError::Other(format!("migration failed: {e}"))
    }
}
