//! The operator's gauges and counters that are not about requests: the database gauges (open
//! and overdue dossiers, the notice backlog), read at most every [`GAUGE_INTERVAL`], and the
//! last backup's time. The web crate installs the recorder and serves them.

use std::time::Instant;

/// How stale the database gauges may be (every process of a deployment reports them: the same
/// figures, so alert on `max`).
pub const GAUGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// Refreshes the database gauges if they are older than [`GAUGE_INTERVAL`]. A failed read
/// leaves the last figures (and `/readyz` says the database is down).
pub async fn refresh_gauges(store: &dyn motcua_store::Store) {
    static LAST: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);
    {
        let mut last = LAST.lock().expect("gauge clock");
        if last.is_some_and(|t| t.elapsed() < GAUGE_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
    }
    match store.ops_gauges(chrono::Utc::now()).await {
        Ok(g) => {
            metrics::gauge!("motcua_dossiers_open").set(g.open_dossiers as f64);
            metrics::gauge!("motcua_dossiers_overdue").set(g.overdue_dossiers as f64);
            metrics::gauge!("motcua_outbox_due").set(g.outbox_due as f64);
            metrics::gauge!("motcua_outbox_pending").set(g.outbox_pending as f64);
            metrics::gauge!("motcua_outbox_failed").set(g.outbox_failed as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics gauges not read"),
    }
}

/// Records a finished scheduled backup.
pub fn backup_done(ok: bool) {
    if ok {
        metrics::gauge!("motcua_backup_last_success_timestamp_seconds")
            .set(chrono::Utc::now().timestamp() as f64);
    } else {
        metrics::counter!("motcua_backup_failures_total").increment(1);
    }
}

impl crate::state::App {
    /// Refreshes the database gauges (see [`refresh_gauges`]).
    pub async fn refresh_gauges(&self) {
        refresh_gauges(self.store.as_ref()).await
    }

    /// Whether the document store answers.
    pub async fn check_documents(&self) -> Result<(), crate::blobs::BlobError> {
        self.blobs.check().await
    }

    /// Whether the database answers.
    pub async fn ping_database(&self) -> Result<(), motcua_store::DbError> {
        self.store.ping().await
    }
}
