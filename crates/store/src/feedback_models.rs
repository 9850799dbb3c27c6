//! Citizen feedback as stored: the report projection ([`FeedbackRow`]), a command's write
//! ([`FeedbackWrite`]: chained events, projection, photos, reactions, notices), the queues'
//! and the public page's filters ([`FeedbackQuery`]) and the stored events.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::feedback::{Category, FeedbackStatus};
use serde::Serialize;
use uuid::Uuid;

use crate::models::{NewEvent, OutboxMessage};

/// The projection of a report: what queues, the public page and look-ups read.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRow {
    pub id: Uuid,
    pub code: String,
    /// The unit that holds it now.
    pub agency_id: Uuid,
    pub status: FeedbackStatus,
    pub category: Category,
    /// `procedure`, `dossier`, `regulation`, `staff_behaviour`, `feedback` or `other`.
    pub subject: String,
    pub subject_code: Option<String>,
    pub commune: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub title: String,
    #[serde(skip)]
    pub search: String,
    pub author_id: Option<Uuid>,
    pub submitted_at: DateTime<Utc>,
    pub clock_start: DateTime<Utc>,
    /// The handling deadline (Vietnam date) of the current clock.
    pub handle_by: Option<NaiveDate>,
    pub approved_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The number of the last event: the version a command must name.
    pub seq: i32,
    #[serde(skip)]
    pub last_hash: String,
    /// The folded state (JSON).
    #[serde(skip)]
    pub state: String,
    pub updated_at: DateTime<Utc>,
}

/// A photo a command attached: its file (a `documents` row) and where it sits in the report.
#[derive(Debug, Clone)]
pub struct FeedbackPhotoLink {
    /// The event that attached it.
    pub seq: i32,
    pub position: i32,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// An account's reaction to a published answer (replaces its earlier one).
#[derive(Debug, Clone)]
pub struct FeedbackReaction {
    pub account_id: Uuid,
    pub liked: bool,
    pub at: DateTime<Utc>,
}

/// Everything one command writes, in ONE transaction.
#[derive(Debug, Clone)]
pub struct FeedbackWrite {
    pub row: FeedbackRow,
    pub events: Vec<NewEvent>,
    pub photos: Vec<FeedbackPhotoLink>,
    pub reactions: Vec<FeedbackReaction>,
    pub outbox: Vec<OutboxMessage>,
}

/// Which reports a list shows (every filter given must hold).
#[derive(Debug, Clone, Default)]
pub struct FeedbackQuery {
    /// Held by one of these units (any unit when empty).
    pub agencies: Vec<Uuid>,
    /// In one of these statuses (any when empty).
    pub statuses: Vec<FeedbackStatus>,
    pub category: Option<Category>,
    pub commune: Option<String>,
    /// Submitted by this account.
    pub author: Option<Uuid>,
    /// Folded ASCII words, each a word prefix of the code, title or content.
    pub q: Option<String>,
    /// Submitted between these instants (inclusive start, exclusive end).
    pub submitted_from: Option<DateTime<Utc>>,
    pub submitted_to: Option<DateTime<Utc>>,
    /// About one of these subjects (`procedure`, `other`, …; any when empty).
    pub subjects: Vec<String>,
    /// Published between these instants (inclusive start, exclusive end).
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    /// Newest published first (the public page); otherwise by handling deadline.
    pub newest_published_first: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A stored event of a report, with its place in the hash chain.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredFeedbackEvent {
    pub report_id: Uuid,
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub kind: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredFeedbackEvent {
    /// As a dossier event, for [`crate::verify_chain`] (the chain is the same).
    pub fn as_chain_event(&self) -> crate::StoredEvent {
        crate::StoredEvent {
            dossier_id: self.report_id,
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            actor_role: self.actor_role.clone(),
            kind: self.kind.clone(),
            data: self.data.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}
