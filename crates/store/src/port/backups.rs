//! Backups (see `backup.rs`): consistent copies taken while others write.

use async_trait::async_trait;
use std::path::Path;

use crate::*;

#[async_trait]
pub trait Backups: Send + Sync {
    /// Writes a consistent copy of the database to `file` while others write, and returns
    /// what that copy holds: SQLite by `VACUUM INTO`; PostgreSQL by `pg_dump --format=custom`
    /// (of the database at `url`) reading a snapshot exported from a transaction that counts
    /// the rows, so the counts are those of the dump.
    async fn snapshot_to(&self, file: &Path, url: Option<&str>) -> DbResult<Snapshot>;
    /// The row counts and migrations of the database as it is now.
    async fn snapshot(&self) -> DbResult<Snapshot>;
}
