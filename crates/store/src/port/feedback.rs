//! Citizen feedback reports, event-sourced as dossiers are (see `feedback_sql.rs`).

use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Stores a new report: its projection, chained events, photos and notices, in ONE
    /// transaction. A code already taken is `Conflict::UniqueViolation` and writes nothing.
    async fn create_feedback(&self, write: &FeedbackWrite) -> DbResult<()>;
    /// Appends a command's events, replaces the projection and records its photos, reactions
    /// and notices, if the report is still at `expected_seq`; otherwise
    /// `Conflict::StaleVersion` and nothing is written.
    async fn append_feedback(&self, expected_seq: i32, write: &FeedbackWrite) -> DbResult<()>;
    async fn feedback_by_code(&self, code: &str) -> DbResult<FeedbackRow>;
    async fn feedback_by_id(&self, id: Uuid) -> DbResult<FeedbackRow>;
    /// A report's events, in order.
    async fn feedback_events(&self, id: Uuid) -> DbResult<Vec<StoredFeedbackEvent>>;
    /// A page of reports (at most `q.limit`), with the number matching.
    async fn list_feedback(&self, q: &FeedbackQuery) -> DbResult<Page<FeedbackRow>>;
    /// Whether the report holds the photo `sha256`.
    async fn feedback_holds_photo(&self, id: Uuid, sha256: &str) -> DbResult<bool>;
    /// The agencies serving the administrative unit `unit` (a commune's code), by agency code.
    async fn agencies_serving(&self, unit: &str) -> DbResult<Vec<Uuid>>;
    /// The events of every report that happened in `from..to`, oldest first (at most
    /// `limit`), with each report's code: the status updates other systems follow.
    async fn feedback_events_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, StoredFeedbackEvent)>>;
}
