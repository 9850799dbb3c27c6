//! What the store keeps of documents (see `documents_sql.rs`): one row per file
//! (`documents`, by SHA-256) and one per file attached to a dossier (`dossier_documents`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A file a dossier command attached, recorded in the command's own transaction.
#[derive(Debug, Clone)]
pub struct DocumentLink {
    /// The number of the event that attached it.
    pub seq: i32,
    /// The component's name (for an electronic result: what it is).
    pub component: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// `scanned`, `uploaded`, `reused` or `result`.
    pub source: String,
    /// `reused`: the code of the dossier it was taken from.
    pub reused_from: Option<String>,
    /// `result`: the number of the electronic result.
    pub result_code: Option<String>,
    /// The citizen account that lodged the dossier online, if any.
    pub owner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Valid until (YYYY-MM-DD), where known.
    pub valid_until: Option<String>,
}

/// A file attached to a dossier, with the dossier's code and procedure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentRecord {
    pub dossier_id: Uuid,
    pub dossier_code: String,
    pub procedure_code: String,
    pub seq: i32,
    pub component: String,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub source: String,
    pub reused_from: Option<String>,
    pub result_code: Option<String>,
    pub owner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Valid until (YYYY-MM-DD), where known.
    pub valid_until: Option<String>,
    /// The name of the agency holding the dossier (for a result, the one that issued it).
    pub issuer: Option<String>,
}

/// Files held by the state for a person or an account: every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    /// Dossiers of this applicant (hex SHA-256 of the ID number, `dossiers.applicant_key`).
    pub applicant_key: Option<String>,
    /// Dossiers this citizen account lodged online.
    pub owner: Option<Uuid>,
    pub sha256: Option<String>,
    /// Leave out this dossier's own files.
    pub exclude_dossier: Option<Uuid>,
    /// Only what may be re-used: electronic results, and components scanned or uploaded to a
    /// dossier that was received (checked by an officer); never a copy re-used itself.
    pub reusable_only: bool,
    pub limit: i64,
}
