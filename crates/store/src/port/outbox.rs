//! The outbox of notices (see `outbox.rs`): claimed by workers, retried by administrators.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Claims up to `limit` due pending messages for `lease`: in one statement each one's
    /// attempts go up by one and its next attempt moves to the lease's end, so no other worker
    /// (in this or another process) takes it until the lease ends or its outcome is recorded.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<OutboxRow>>;
    /// Records the outcome of the claim that made `attempts` equal to `attempt`. `false` when
    /// that claim is no longer held (its lease ran out and another worker took the message, or
    /// an administrator put it back in the queue): nothing is changed then.
    async fn finish_outbox(
        &self,
        id: Uuid,
        attempt: i32,
        now: DateTime<Utc>,
        outcome: &OutboxOutcome,
    ) -> DbResult<bool>;
    /// Records several outcomes in one transaction (those that sent nothing: skipped or
    /// failed before sending); returns how many claims were still held.
    async fn finish_outbox_many(
        &self,
        now: DateTime<Utc>,
        outcomes: &[(Uuid, i32, OutboxOutcome)],
    ) -> DbResult<usize>;
    /// A page of messages, newest first.
    async fn list_outbox(&self, q: &OutboxQuery) -> DbResult<Page<OutboxRow>>;
    async fn outbox_message(&self, id: Uuid) -> DbResult<OutboxRow>;

    /// Puts a failed or skipped message, or a pending one no worker holds, back in the queue,
    /// due at `now`, its attempts reset. `Conflict::OutboxSent` for a sent message (it is
    /// never sent twice), `Conflict::OutboxInFlight` while a worker holds it.
    async fn retry_outbox(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<OutboxRow>;
}
