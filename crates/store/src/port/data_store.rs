//! The citizen's data store (#20, Decree 45/2020/NĐ-CP art. 16): the re-use of held papers and
//! results with the person's consent (Decree 13/2023/NĐ-CP), a local account's verification at
//! the counter, and what the person keeps on their own page (contact details, devices).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::*;

/// One use of a held file in another dossier: whose data, what, for which dossier, by whom,
/// when and why, with the consent it was given under.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReuseRecord {
    pub id: Uuid,
    /// Whose data: the hex SHA-256 of the person's ID number (as `dossiers.applicant_key`).
    pub applicant_key: String,
    pub dossier_id: Uuid,
    pub dossier_code: String,
    /// The event that attached the file.
    pub seq: i32,
    pub component: String,
    pub sha256: String,
    /// The code of the dossier the file was taken from.
    pub from_dossier: String,
    pub actor_id: Uuid,
    /// The actor's name when it happened.
    pub actor_name: String,
    /// `citizen` or `receiving_officer`.
    pub actor_role: String,
    pub purpose: String,
    /// `online` (the person chose it) or `in_person` (the person, present, agreed).
    pub consent: String,
    pub created_at: DateTime<Utc>,
}

/// A local citizen account verified at the counter by an officer who saw the card.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountVerification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub id_number: String,
    pub officer_id: Uuid,
    /// What was seen: the card's kind and number.
    pub document: String,
    pub verified_at: DateTime<Utc>,
}

/// How the person is reached, as they keep it on their own page.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact_address: Option<String>,
    /// `email`, `sms` or `none`; `None`: every address a dossier carries.
    pub notify_channel: Option<String>,
}

/// A live session of an account, with the device it was last used from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionDevice {
    pub token_hash: String,
    /// `browser` or `api`.
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait DataStore: Send + Sync {
    /// Appends a command that re-used a held file (as [`Documents::append_dossier_documents`]
    /// with one link) and records the re-use, all in ONE transaction.
    async fn append_dossier_reuse(
        &self,
        expected_seq: i32,
        write: &DossierWrite,
        link: &DocumentLink,
        reuse: &ReuseRecord,
    ) -> DbResult<()>;
    /// The re-uses of a person's data, newest first.
    async fn reuses_of(&self, applicant_key: &str, limit: i64) -> DbResult<Vec<ReuseRecord>>;
    /// Binds a citizen account not bound yet to `v.id_number` and records the verification, in
    /// one transaction. `Conflict::UniqueViolation` when another account holds the number;
    /// `NotFound` when the account is bound already.
    async fn verify_account(&self, v: &AccountVerification) -> DbResult<()>;
    /// An account's verifications at the counter, newest first.
    async fn verifications_of(&self, user: Uuid) -> DbResult<Vec<AccountVerification>>;

    /// An account's contact details (empty when none are kept).
    async fn contact(&self, user: Uuid) -> DbResult<Contact>;
    /// Replaces an account's contact details (the provider's profile stays).
    async fn set_contact(&self, user: Uuid, c: &Contact, now: DateTime<Utc>) -> DbResult<()>;
    /// Remembers the device a session is used from, and when.
    async fn touch_session(
        &self,
        token_hash: &str,
        user_agent: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()>;
    /// An account's live sessions, the most recently used first (at most 100).
    async fn session_devices(&self, user: Uuid, now: DateTime<Utc>)
    -> DbResult<Vec<SessionDevice>>;
    /// Ends one session of an account: `false` when the account has no such session.
    async fn end_session_of(&self, user: Uuid, token_hash: &str) -> DbResult<bool>;
}
