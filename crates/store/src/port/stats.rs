//! Statistics: the counters (`stat_daily`), their monthly subtree roll-up and the operator gauges.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Stats: Send + Sync {
    /// Sums of the counters of each root's subtree over days (see [`StatSumQuery`]).
    async fn stat_sums(&self, q: &StatSumQuery) -> DbResult<Vec<StatSum>>;
    /// The monthly sums of one agency's subtree over the months of `from..=to`.
    async fn stat_series(
        &self,
        root: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        metrics: &[String],
    ) -> DbResult<Vec<StatMonth>>;
    /// Received, unfinished dossiers past (or near) their appointment, from the projection.
    async fn stat_overdue(&self, q: &OverdueQuery) -> DbResult<Vec<OverdueCount>>;
    /// Dossiers open and overdue, notices waiting and given up, at `at` (for `/metrics`).
    async fn ops_gauges(&self, at: DateTime<Utc>) -> DbResult<OpsGauges>;
    /// Procedures applied by any agency of a subtree.
    async fn stat_applied_procedures(&self, root: Uuid) -> DbResult<Vec<String>>;
    /// Replaces every counter with those `replay` recomputes from each dossier's event log,
    /// and the roll-up with their sums, in ONE transaction.
    async fn rebuild_stats(&self, replay: &mut ReplayDossier<'_>) -> DbResult<RebuildReport>;
    /// Every counter cell and roll-up row, ordered (for checks on small databases).
    async fn stat_dump(&self) -> DbResult<(Vec<CounterDelta>, Vec<RollupRow>)>;
    /// Adds counter changes (and their roll-up) in one transaction, outside any dossier
    /// command: for generated benchmark history only.
    async fn add_stat_counters(&self, cells: &[CounterDelta]) -> DbResult<()>;
}
