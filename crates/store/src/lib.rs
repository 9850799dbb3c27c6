//! The storage port of motcua: one [`Store`] trait with domain-shaped methods, and its two
//! implementations, embedded SQLite (the default) and PostgreSQL.
//!
//! Both implementations are the same SQL body (`sql.rs`), compiled twice: `sqlite.rs` and
//! `postgres.rs` each include it as a module with their own `Db` type and the few statements
//! where the dialects differ. Migrations are plain SQL per backend under `migrations/`.

mod access_log;
pub mod backup;
mod document_models;
mod error;
mod models;
mod outbox;
mod postgres;
mod reference;
mod sqlite;
mod stat_models;

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub use access_log::PersonalDataRead;
pub use backup::Snapshot;
pub use document_models::{DocumentLink, DocumentQuery, DocumentRecord};
pub use error::{DbError, DbResult};

/// The bytes the dossier row cache may hold (weighed by [`DossierRow::approx_bytes`]).
pub const ROW_CACHE_BYTES: u64 = 128 << 20;
/// How long this process trusts a dossier projection it read, when another process may have
/// written it (its own writes are seen at once).
pub const ROW_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
pub use models::*;
pub use outbox::{OutboxOutcome, OutboxQuery, OutboxRow, OutboxStatus};
pub use stat_models::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage port. Handlers and services see only this trait.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// A cheap round trip to the database (for `/readyz`).
    async fn ping(&self) -> DbResult<()>;

    /// Applies pending migrations and loads the reference data (administrative units and
    /// their lineage) when it is missing. Safe to run from several processes at once.
    async fn migrate(&self) -> DbResult<MigrateReport>;

    // Administrative units.
    async fn search_units(&self, q: &UnitQuery) -> DbResult<Page<UnitRow>>;
    async fn get_unit(&self, id: &str) -> DbResult<UnitRow>;
    /// Links from pre-2025 communes to the 2025 commune `new_code`, or from old to new.
    async fn unit_lineage(
        &self,
        code: &str,
        era: motcua_domain::units::Era,
    ) -> DbResult<Vec<LineageRow>>;

    // Agencies.
    async fn create_agency(&self, a: &NewAgency) -> DbResult<Agency>;
    /// Inserts many agencies in one transaction, skipping codes that exist. Returns how many
    /// were inserted.
    async fn insert_agencies(&self, batch: &[NewAgency]) -> DbResult<u64>;
    async fn list_agencies(&self, q: &AgencyQuery) -> DbResult<Page<Agency>>;
    async fn get_agency(&self, id: Uuid) -> DbResult<Agency>;
    async fn get_agency_by_code(&self, code: &str) -> DbResult<Agency>;
    /// The ancestors of an agency, nearest first.
    async fn agency_ancestors(&self, id: Uuid) -> DbResult<Vec<Uuid>>;

    // Calendar: official yearly schedules and office hours.
    /// Every official yearly schedule, by year.
    async fn holiday_schedules(&self) -> DbResult<Vec<HolidayYear>>;
    /// Replaces (or adds) the official schedule of one year, atomically.
    async fn replace_holiday_year(&self, year: &HolidayYear) -> DbResult<()>;
    /// Removes a year's official schedule (the statutory rules apply again). `NotFound` if none.
    async fn delete_holiday_year(&self, year: i32) -> DbResult<()>;
    /// Changes whenever any schedule changes (for caches shared by several processes).
    async fn calendar_version(&self) -> DbResult<String>;
    /// An agency's office hours as stored (JSON), `None` for the default.
    async fn set_agency_office_hours(&self, agency: Uuid, json: Option<&str>) -> DbResult<()>;
    async fn agency_office_hours(&self, agency: Uuid) -> DbResult<Option<String>>;

    // Procedure catalogue.
    /// Writes records in one transaction: a new code is created (version 1), a changed record
    /// becomes a new version (an amendment when published), an identical one is left alone.
    async fn write_procedures(&self, batch: &[ProcedureWrite]) -> DbResult<Vec<WriteOutcome>>;
    async fn procedure(&self, code: &str) -> DbResult<ProcedureRow>;
    /// The version in force on `at` (the latest when `None`).
    async fn procedure_version(
        &self,
        code: &str,
        at: Option<NaiveDate>,
    ) -> DbResult<ProcedureVersion>;
    async fn procedure_versions(&self, code: &str) -> DbResult<Vec<ProcedureVersion>>;
    /// Publishes a draft or abolishes a procedure on a date, logging the change.
    async fn set_procedure_status(&self, code: &str, status: &str, on: NaiveDate) -> DbResult<()>;
    /// A page of procedures by code, with the filters of `q` (its terms are ignored).
    async fn list_procedures(&self, q: &ProcedureSearch) -> DbResult<Page<ProcedureHit>>;
    /// The codes of every procedure matching the terms and filters of `q` (unordered: the
    /// caller ranks them).
    async fn match_procedures(&self, q: &ProcedureSearch) -> DbResult<Vec<String>>;
    /// Every procedure's search row (for the in-memory ranking data and typo vocabulary).
    async fn procedure_hits(&self) -> DbResult<Vec<ProcedureHit>>;
    /// Changes whenever any procedure changes.
    async fn catalogue_version(&self) -> DbResult<String>;
    async fn procedure_changes(
        &self,
        month: &str,
        agency: Option<Uuid>,
    ) -> DbResult<Vec<ChangeCount>>;
    /// Every current record (JSON), by code.
    async fn procedure_records(&self) -> DbResult<Vec<String>>;
    async fn apply_procedure(&self, code: &str, agency: Uuid, workflow: &str) -> DbResult<()>;
    async fn agency_procedures(&self, agency: Uuid) -> DbResult<Vec<AppliedProcedure>>;
    /// (procedure code, agency) for every procedure an agency of the province applies, by code.
    async fn applied_in_province(&self, province_code: &str) -> DbResult<Vec<(String, Uuid)>>;
    async fn applied_workflow(&self, code: &str, agency: Uuid) -> DbResult<String>;
    /// The agencies that apply a procedure (take its dossiers), by code, at most `limit`.
    async fn agencies_applying(&self, code: &str, limit: i64) -> DbResult<Vec<Agency>>;

    // Dossiers (event-sourced).
    /// Creates a dossier in one transaction: takes the next sequence number of `(agency_code,
    /// day)` (no gaps: a failed creation gives its number back), builds the write with `make`,
    /// stores projection, events, notices and counters, and records the idempotency key. With a
    /// key seen before, returns that dossier instead, or `Conflict("idempotency_key_reused")`
    /// when the key came with another body (another fingerprint).
    async fn create_dossier(
        &self,
        agency_code: &str,
        day: &str,
        idempotency: Option<IdempotencyKey>,
        make: MakeDossier,
    ) -> DbResult<Created>;
    /// Appends a command's events and replaces the projection, if the dossier is still at
    /// `expected_seq`; otherwise `Conflict("dossier_seq")` and nothing is written.
    async fn append_dossier(&self, expected_seq: i32, write: &DossierWrite) -> DbResult<()>;
    /// Stores dossiers brought from another system, with their full histories, in ONE
    /// transaction (all or nothing), and moves each agency's daily sequence past the codes
    /// imported. A code already present is `Conflict("dossiers_code_key")`.
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
        statuses: &[String],
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
    /// The ids of every dossier (for the audit).
    async fn dossier_ids(&self) -> DbResult<Vec<Uuid>>;

    // The outbox of notices (see `outbox.rs`).
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

    // The personal data access log (see `access_log.rs`).
    /// Records one staff read of a dossier's personal data.
    async fn record_personal_data_read(&self, read: &PersonalDataRead) -> DbResult<()>;
    /// The reads of the dossiers of one applicant (by `applicant_key`), newest first.
    async fn personal_data_reads(
        &self,
        applicant_key: &str,
        limit: i64,
    ) -> DbResult<Vec<PersonalDataRead>>;
    /// How many dossiers the citizen account `user` lodged online since `since`.
    async fn citizen_submissions_since(
        &self,
        user: Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> DbResult<i64>;
    /// Puts a failed or skipped message, or a pending one no worker holds, back in the queue,
    /// due at `now`, its attempts reset. `Conflict("outbox_sent")` for a sent message (it is
    /// never sent twice), `Conflict("outbox_in_flight")` while a worker holds it.
    async fn retry_outbox(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<OutboxRow>;

    // Accounts.
    async fn create_user(&self, u: &NewUser) -> DbResult<User>;
    async fn user_by_username(&self, username: &str) -> DbResult<(User, String)>;
    async fn get_user(&self, id: Uuid) -> DbResult<User>;
    async fn list_users(
        &self,
        agency: Option<Uuid>,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<User>>;
    /// Replaces an account's grants (roles with their agencies) in one transaction.
    async fn set_user_grants(
        &self,
        id: Uuid,
        grants: &[motcua_domain::auth::Grant],
    ) -> DbResult<User>;
    /// Disables (no sign-in, sessions refused) or re-enables an account.
    async fn set_user_disabled(&self, id: Uuid, disabled: bool) -> DbResult<User>;

    // Sessions (browser cookies and API bearer tokens).
    async fn create_session(&self, s: &NewSession) -> DbResult<()>;
    /// The user of a live session; `NotFound` when it is unknown or expired.
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<(User, SessionKind)>;
    async fn delete_session(&self, token_hash: &str) -> DbResult<()>;
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> DbResult<u64>;

    // Request limits shared by every process (fixed windows, see `rate_windows`).
    /// Counts one hit of `key` in window number `window` (a row of an older window starts
    /// over) and returns the hits of `key` in that window, this one included.
    async fn hit_rate_window(&self, key: &str, window: i64) -> DbResult<i64>;
    /// Forgets the windows numbered before `window`.
    async fn prune_rate_windows(&self, before: i64) -> DbResult<u64>;

    // Statistics: the counters (`stat_daily`) and their monthly subtree roll-up.
    /// Sums of the counters of each root's subtree over days (see [`StatSumQuery`]).
    async fn stat_sums(&self, q: &StatSumQuery) -> DbResult<Vec<StatSum>>;
    /// The monthly sums of one agency's subtree over the months of `from..=to`.
    async fn stat_series(
        &self,
        root: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        metrics: &[String],
    ) -> DbResult<Vec<StatMonth>>;
    /// Received, unfinished dossiers past (or near) their appointment, from the projection.
    async fn stat_overdue(&self, q: &OverdueQuery) -> DbResult<Vec<OverdueCount>>;
    /// Dossiers open and overdue, notices waiting and given up, at `at` (for `/metrics`).
    async fn ops_gauges(&self, at: DateTime<Utc>) -> DbResult<OpsGauges>;
    /// Procedures applied by any agency of a subtree.
    async fn stat_applied_procedures(&self, root: Uuid) -> DbResult<Vec<String>>;
    /// Office hours as stored (JSON) of every agency that has its own.
    async fn office_hours_all(&self) -> DbResult<Vec<(Uuid, String)>>;
    /// Replaces every counter with those `replay` recomputes from each dossier's event log,
    /// and the roll-up with their sums, in ONE transaction.
    async fn rebuild_stats(&self, replay: &mut ReplayDossier<'_>) -> DbResult<RebuildReport>;
    /// Every counter cell and roll-up row, ordered (for checks on small databases).
    async fn stat_dump(&self) -> DbResult<(Vec<CounterDelta>, Vec<RollupRow>)>;
    /// Adds counter changes (and their roll-up) in one transaction, outside any dossier
    /// command: for generated benchmark history only.
    async fn add_stat_counters(&self, cells: &[CounterDelta]) -> DbResult<()>;

    // Documents (see `documents_sql.rs`); the bytes are in the web layer's document store.
    /// Appends a command's events as [`Store::append_dossier`] does (same `Conflict`) and
    /// records the files it attached (each file once in `documents`; the dossier, event and
    /// component in `dossier_documents`), all in ONE transaction.
    async fn append_dossier_documents(
        &self,
        expected_seq: i32,
        write: &DossierWrite,
        links: &[DocumentLink],
    ) -> DbResult<()>;
    /// A dossier's files, in the order they were attached.
    async fn dossier_documents(&self, dossier: Uuid) -> DbResult<Vec<DocumentRecord>>;
    /// Files held for a person or an account (every filter of `q`), newest first.
    async fn find_documents(&self, q: &DocumentQuery) -> DbResult<Vec<DocumentRecord>>;
    /// Which of these hashes some dossier holds (a `documents` row).
    async fn known_documents(&self, sha256: &[String]) -> DbResult<Vec<String>>;

    // Backups (see `backup.rs`).
    /// Writes a consistent copy of the database to `file` while others write, and returns
    /// what that copy holds: SQLite by `VACUUM INTO`; PostgreSQL by `pg_dump --format=custom`
    /// (of the database at `url`) reading a snapshot exported from a transaction that counts
    /// the rows, so the counts are those of the dump.
    async fn snapshot_to(&self, file: &Path, url: Option<&str>) -> DbResult<Snapshot>;
    /// The row counts and migrations of the database as it is now.
    async fn snapshot(&self) -> DbResult<Snapshot>;
}

pub type DynStore = Arc<dyn Store>;

/// Checks a dossier's event chain against its projection head: numbering from 1 without gaps,
/// each event's previous hash equal to the hash before it, each hash recomputed from the
/// event's content, and the last hash and number equal to those the projection holds. Returns
/// the first problem found.
pub fn verify_chain(events: &[StoredEvent], head_seq: i32, head_hash: &str) -> Result<(), String> {
    let mut prev = String::new();
    for (i, e) in events.iter().enumerate() {
        let want = i as i32 + 1;
        if e.seq != want {
            return Err(format!("event {want} is missing (found {})", e.seq));
        }
        if e.prev_hash != prev {
            return Err(format!(
                "event {} does not follow event {}",
                e.seq,
                e.seq - 1
            ));
        }
        let h = event_hash(
            &prev,
            e.seq,
            e.at,
            e.actor_id,
            &e.actor_role,
            &e.kind,
            &e.data,
        );
        if h != e.hash {
            return Err(format!("event {} was altered", e.seq));
        }
        prev = h;
    }
    let last = events.len() as i32;
    if last != head_seq || prev != head_hash {
        return Err(format!(
            "the log ends at event {last} but the dossier is at event {head_seq}"
        ));
    }
    Ok(())
}

/// The hash chaining an event to the one before it (hex SHA-256 over the previous hash and the
/// event's number, instant, actor, kind and data). The first event's previous hash is empty.
pub fn event_hash(
    prev_hash: &str,
    seq: i32,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_role: &str,
    kind: &str,
    data: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        &at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        &actor_id.map(|a| a.to_string()).unwrap_or_default(),
        actor_role,
        kind,
        data,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens the store named by `database_url`, or the embedded SQLite file in `data_dir` when no
/// URL is given. Only `postgres://`/`postgresql://` and `sqlite:` URLs are accepted.
pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> DbResult<DynStore> {
    match database_url {
        None => {
            let unavailable = |e: std::io::Error| {
                DbError::Unavailable(format!(
                    "cannot create data directory {}: {e}",
                    data_dir.display()
                ))
            };
            create_private_dir(data_dir).map_err(unavailable)?;
            let path = data_dir.join("motcua.sqlite3");
            // Created 0600 before SQLite opens it: its -wal and -shm files take the same mode.
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
                .map_err(unavailable)?;
            Ok(Arc::new(sqlite::SqliteStore::open_file(&path).await?))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(postgres::PostgresStore::open(url).await?))
        }
        Some(url) if url.starts_with("sqlite:") => {
            Ok(Arc::new(sqlite::SqliteStore::open_url(url).await?))
        }
        Some(other) => Err(DbError::Unavailable(format!(
            "unsupported database URL {}: use postgres://... or sqlite:...",
            redact_url(other)
        ))),
    }
}

/// Creates a directory (and its missing parents) readable by the owner only (0700). An
/// existing directory keeps its mode: the operator chose it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Sets a file's or directory's mode (0600 / 0700: personal data is the owner's only).
pub fn make_private(path: &Path, mode: u32) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// A database URL with its password replaced by `***`, for logs and errors.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("postgres://motcua:s3cret@db:5432/motcua"),
            "postgres://motcua:***@db:5432/motcua"
        );
        assert_eq!(redact_url("postgres://db/motcua"), "postgres://db/motcua");
        assert_eq!(redact_url("postgres://u:p@ss@h/x"), "postgres://u:***@h/x");
    }
}
