//! The personal data access log (Decree 13/2023/NĐ-CP): one row per staff read of a dossier's
//! personal data (who, when, which dossier, from where), queued by the request that read it
//! and committed with others by the log writer (`access_log_sql.rs`), listed by the
//! applicant's ID number (its SHA-256 key) for administrators.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// One staff read of a dossier's personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonalDataRead {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub user_id: Uuid,
    pub username: String,
    pub dossier_id: Uuid,
    pub dossier_code: String,
    /// The SHA-256 of the applicant's ID number (the dossiers' `applicant_key`).
    #[serde(skip)]
    pub applicant_key: String,
    /// What was read: `dossier`, `document`, `form` or `reuse_lookup` (an officer's look-up of
    /// the documents held for a person, by ID number).
    pub what: String,
    /// Why, when the reader had to say (a re-use look-up).
    pub reason: String,
    pub ip: String,
    pub user_agent: String,
}
