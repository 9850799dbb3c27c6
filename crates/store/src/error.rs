//! Storage errors, as the rest of motcua needs to tell them apart.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// The write contradicts what is stored (see [`Conflict`]).
    #[error("conflict on {0}")]
    Conflict(Conflict),
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

/// Why a write was refused. Callers match on the kind, never on constraint names; `Display`
/// gives the stable key (`dossier_seq`, `agencies_code_key`, ...) that messages and logs show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The dossier moved on since it was read (optimistic concurrency on its event number).
    StaleVersion,
    /// An idempotency key came back with another body.
    IdempotencyKeyReused,
    /// The notice was sent already: it is never sent twice.
    OutboxSent,
    /// A worker holds the notice now.
    OutboxInFlight,
    /// A restore target holds tables already.
    RestoreTargetNotEmpty,
    /// A restore target is another schema than the backup's.
    RestoreSchemaMismatch,
    /// The personal identification number is bound to another account already.
    IdNumberTaken,
    /// A uniqueness rule refused the write (a code, a username, ... taken); `what` is the
    /// constraint, named as PostgreSQL names it (`agencies_code_key`).
    UniqueViolation { what: String },
    /// A foreign-key rule refused the write (it names a row that does not exist).
    ForeignKeyViolation { what: String },
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conflict::StaleVersion => "dossier_seq",
            Conflict::IdempotencyKeyReused => "idempotency_key_reused",
            Conflict::OutboxSent => "outbox_sent",
            Conflict::OutboxInFlight => "outbox_in_flight",
            Conflict::RestoreTargetNotEmpty => "restore_target_not_empty",
            Conflict::RestoreSchemaMismatch => "restore_schema_mismatch",
            Conflict::IdNumberTaken => "users_id_number_key",
            Conflict::UniqueViolation { what } | Conflict::ForeignKeyViolation { what } => what,
        })
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(d) => {
                if d.is_unique_violation() || d.is_foreign_key_violation() {
                    // PostgreSQL names the constraint; SQLite says "UNIQUE constraint failed:
                    // agencies.code", which we map to the same name as PostgreSQL's.
                    let what = d.constraint().map(str::to_string).unwrap_or_else(|| {
                        let msg = d.message();
                        match msg.rsplit_once(": ") {
                            Some((_, cols)) => format!("{}_key", cols.replace('.', "_")),
                            None => "foreign_key".to_string(),
                        }
                    });
                    DbError::Conflict(if what == "users_id_number_key" {
                        Conflict::IdNumberTaken
                    } else if d.is_unique_violation() {
                        Conflict::UniqueViolation { what }
                    } else {
                        Conflict::ForeignKeyViolation { what }
                    })
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
