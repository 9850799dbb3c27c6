//! The database itself: which backend, whether it answers, its schema.

use async_trait::async_trait;

use crate::*;

#[async_trait]
pub trait Database: Send + Sync {
    fn backend(&self) -> Backend;

    /// A cheap round trip to the database (for `/readyz`).
    async fn ping(&self) -> DbResult<()>;

    /// Commits what this process queued to write in the background (the personal data
    /// access log): a process calls it before it exits, so a clean stop loses nothing.
    async fn flush(&self) -> DbResult<()>;

    /// Applies pending migrations and loads the reference data (administrative units and
    /// their lineage) when it is missing. Safe to run from several processes at once.
    async fn migrate(&self) -> DbResult<MigrateReport>;
}
