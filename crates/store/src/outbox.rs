//! The outbox of notices to citizens as its delivery worker and administrators see it. Messages
//! are written in the dossier's (or feedback report's) own transaction (see [`crate::OutboxMessage`]); a worker
//! claims due ones with a lease, delivers them and records the outcome.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its next attempt (or being attempted, while leased).
    Pending,
    /// Delivered to the mail server or the SMS gateway.
    Sent,
    /// Given up after the last attempt, or refused for good by the server.
    Failed,
    /// Not sent because its channel is not configured (the reason is in `last_error`).
    Skipped,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 4] = [
        OutboxStatus::Pending,
        OutboxStatus::Sent,
        OutboxStatus::Failed,
        OutboxStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        OutboxStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A stored message with its delivery state.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: Uuid,
    /// The dossier the message is about, or the feedback report (exactly one of the two).
    pub dossier_id: Option<Uuid>,
    pub feedback_id: Option<Uuid>,
    /// The event that caused it (`received`, `refused`, ...).
    pub kind: String,
    /// JSON written by the service layer (recipient, channel, facts to tell).
    pub payload: String,
    pub status: OutboxStatus,
    pub created_at: DateTime<Utc>,
    /// Attempts started (a claim counts as one).
    pub attempts: i32,
    /// When it is due next (while leased: when the lease ends).
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was given up (failed or skipped).
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Set while a worker holds the message.
    pub leased_until: Option<DateTime<Utc>>,
}

/// Filters of the administrators' list, newest first.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub status: Option<OutboxStatus>,
    pub dossier_id: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

/// What happened to a claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxOutcome {
    /// Delivered.
    Sent,
    /// Not delivered; try again at `at`.
    Retry { error: String, at: DateTime<Utc> },
    /// Not delivered, and no further attempt will be made.
    Failed { error: String },
    /// Not attempted: its channel is not configured.
    Skipped { reason: String },
}
