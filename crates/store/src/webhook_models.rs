//! Webhook subscriptions and their deliveries as stored (see `webhooks_sql.rs`). What a filter
//! matches and how a delivery is signed are `motcua_integrations::webhook`'s; the store keeps
//! the rows, claims due deliveries with a lease and records each attempt's outcome.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// The outbox kinds of messages for other systems: claimed by the integration worker, never by
/// the notice worker (see [`crate::Outbox::claim_integration`]).
pub const INTEGRATION_KIND_PREFIX: &str = "integration.";
/// A dossier event for the webhook subscribers (payload: the CloudEvent).
pub const KIND_WEBHOOK: &str = "integration.webhook";
/// A dossier-sync record for the national portal (payload: `{"id", "record"}`).
pub const KIND_PORTAL: &str = "integration.portal";
/// A message to another deployment (payload: `{"peer", "dossier_id", "seq", "message"}`).
pub const KIND_TRANSFER: &str = "integration.transfer";

/// A subscriber: where events go, which ones, and the secrets they are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub agencies: Vec<String>,
    pub procedures: Vec<String>,
    /// Newest first: deliveries are signed with every one (a rotation keeps the old ones a while).
    pub secrets: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (or being attempted, while leased).
    Pending,
    /// The subscriber answered 2xx.
    Delivered,
    /// Given up after the last attempt; an administrator may replay it.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One event for one subscriber, with its delivery state.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    /// The CloudEvent's id, sent as `webhook-id`: the same on every attempt and replay.
    pub event_id: String,
    pub event_type: String,
    /// The dossier's code.
    pub subject: Option<String>,
    /// The CloudEvent, JSON.
    pub body: String,
    pub status: DeliveryStatus,
    /// Attempts started (a claim counts as one).
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub leased_until: Option<DateTime<Utc>>,
    /// The HTTP status of the last attempt (none: no answer).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// A delivery to create when an event is fanned out.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub subject: Option<String>,
    pub body: String,
}

/// What becomes of one claimed integration message (see `Webhooks::settle_integration`).
#[derive(Debug, Clone)]
pub enum Settled {
    /// These deliveries are created and the message is sent.
    Deliver(Vec<NewDelivery>),
    /// Nothing to deliver: the message's outcome (skipped, failed).
    Finish(crate::OutboxOutcome),
}

/// What happened to a claimed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The subscriber answered 2xx.
    Delivered { status: i32 },
    /// Not delivered; try again at `at`.
    Retry {
        status: Option<i32>,
        error: String,
        at: DateTime<Utc>,
    },
    /// Not delivered, no further attempt.
    Failed { status: Option<i32>, error: String },
}

/// Filters of a subscription's delivery log, newest first.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub subscription_id: Option<Uuid>,
    /// Only the deliveries about this dossier (its code).
    pub subject: Option<String>,
    pub status: Option<DeliveryStatus>,
    pub limit: i64,
    pub offset: i64,
}
