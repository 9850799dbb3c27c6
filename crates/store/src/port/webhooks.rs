//! Webhook subscriptions and deliveries (see `webhook_models.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Webhooks: Send + Sync {
    async fn insert_webhook(&self, s: &WebhookSubscription) -> DbResult<()>;
    /// Replaces a subscription's name, address, filters, secrets and state.
    async fn update_webhook(&self, s: &WebhookSubscription) -> DbResult<()>;
    async fn webhook(&self, id: Uuid) -> DbResult<WebhookSubscription>;
    /// Every subscription (bounded by `limit`), oldest first.
    async fn list_webhooks(&self, limit: i64) -> DbResult<Vec<WebhookSubscription>>;

    /// Claims up to `limit` due `integration.*` messages of the outbox for `lease` (as
    /// [`Outbox::claim_outbox`] does for notices).
    async fn claim_integration(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<OutboxRow>>;
    /// In ONE transaction, for each claimed message `(id, attempt, settled)`: creates its
    /// deliveries (one already there for the same subscription and event is left as it is)
    /// and marks it sent, or records its outcome. A message whose claim is no longer held is
    /// left as it is, its deliveries not created. Returns how many claims were still held.
    async fn settle_integration(
        &self,
        now: DateTime<Utc>,
        batch: &[(Uuid, i32, Settled)],
    ) -> DbResult<usize>;

    /// Claims up to `limit` due pending deliveries for `lease`: attempts + 1 and the next
    /// attempt moved to the lease's end in one statement, so no other worker takes them.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<WebhookDelivery>>;
    /// Records the outcome of claim `attempt`; `false` when it is no longer held.
    async fn finish_delivery(
        &self,
        id: Uuid,
        attempt: i32,
        now: DateTime<Utc>,
        outcome: &DeliveryOutcome,
    ) -> DbResult<bool>;
    async fn delivery(&self, id: Uuid) -> DbResult<WebhookDelivery>;
    /// A page of deliveries, newest first.
    async fn list_deliveries(&self, q: &DeliveryQuery) -> DbResult<Page<WebhookDelivery>>;
    /// Puts a delivery (delivered or failed, or pending and not held) back in the queue, due at
    /// `now`, attempts reset; `Conflict::OutboxInFlight` while a worker holds it.
    async fn replay_delivery(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<WebhookDelivery>;
    /// Of the dossiers received in `from..to` by `agency` and the agencies under it: how many
    /// have a delivered delivery of `subscription` (the portal's sync), and how many there are.
    async fn synced_dossiers(
        &self,
        subscription: Uuid,
        agency: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DbResult<(i64, i64)>;
}
