//! Dossiers, event-sourced: the event log, its projection and the desk's lists.

use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::dossier::Status;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Dossiers: Send + Sync {
    /// Creates a dossier in one transaction: takes the next sequence number of `(agency_code,
    /// day)` (no gaps: a failed creation gives its number back), builds the write with `make`,
    /// stores projection, events, notices and counters, and records the idempotency key. With a
    /// key seen before, returns that dossier instead, or `Conflict::IdempotencyKeyReused`
    /// when the key came with another body (another fingerprint).
    async fn create_dossier(
        &self,
        agency_code: &str,
        day: &str,
        idempotency: Option<IdempotencyKey>,
        make: MakeDossier,
    ) -> DbResult<Created>;
    /// Appends a command's events and replaces the projection, if the dossier is still at
    /// `expected_seq`; otherwise `Conflict::StaleVersion` and nothing is written.
    async fn append_dossier(&self, expected_seq: i32, write: &DossierWrite) -> DbResult<()>;
    /// Stores dossiers brought from another system, with their full histories, in ONE
    /// transaction (all or nothing), and moves each agency's daily sequence past the codes
    /// imported. A code already present is `Conflict::UniqueViolation`.
    async fn import_dossiers(&self, batch: &[DossierWrite]) -> DbResult<()>;
    async fn dossier_by_code(&self, code: &str) -> DbResult<DossierRow>;
    /// The dossiers an agency received between two days (Vietnam time), in code order: its
    /// register (sổ theo dõi hồ sơ) and the desk's "received today". Received means the
    /// officer's receipt (tiếp nhận), as the counters count it: an online dossier lodged and
    /// still waiting for the check is not received.
    async fn dossiers_received(
        &self,
        intake_agency: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> DbResult<Vec<DossierRow>>;
    async fn dossier_head(&self, id: Uuid) -> DbResult<DossierRow>;
    async fn dossier_events(&self, id: Uuid) -> DbResult<Vec<StoredEvent>>;
    async fn list_dossiers(&self, q: &DossierQuery) -> DbResult<Page<DossierRow>>;
    /// The dossiers lodged at `intake_agencies` (wherever they are now) in one of `statuses`,
    /// by appointment then code: the one-stop desk's lists (results ready to return).
    async fn dossiers_at_intake(
        &self,
        intake_agencies: &[Uuid],
        statuses: &[Status],
        limit: i64,
    ) -> DbResult<Page<DossierRow>>;
    /// The dossiers a citizen account lodged online (its first event is theirs, as a citizen),
    /// newest first: the citizen's "my dossiers".
    async fn dossiers_lodged_by(
        &self,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<DossierRow>>;
    /// A page of the dossiers the partner account `user` (a post office) lodged for citizens,
    /// newest first.
    async fn dossiers_lodged_by_partner(
        &self,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<DossierRow>>;
    /// The ids of every dossier (for the audit).
    async fn dossier_ids(&self) -> DbResult<Vec<Uuid>>;

    /// How many dossiers the citizen account `user` lodged online since `since`.
    async fn citizen_submissions_since(
        &self,
        user: Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> DbResult<i64>;
}
