//! Rows and inputs of the storage port.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::agency::AgencyKind;
use motcua_domain::auth::{Grant, Role};
use motcua_domain::catalogue::{Channel, ProcedureStatus};
use motcua_domain::dossier::Status;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

#[derive(Debug, Default, Clone)]
pub struct MigrateReport {
    pub units_loaded: u64,
    pub lineage_loaded: u64,
    pub holiday_years_loaded: u64,
    /// This run applied a migration that adds counters older releases did not keep (0013:
    /// the open-dossier lateness counters) to a database already holding dossier events: the
    /// counters must be rebuilt from the event log (`motcua` does it right after migrating).
    pub stats_rebuild_needed: bool,
}

/// A search over administrative units.
#[derive(Debug, Clone)]
pub struct UnitQuery {
    /// Free text, matched word by word (see `motcua_domain::text::query_words`).
    pub q: Option<String>,
    /// The parent's code, in the era in force at `at`.
    pub parent: Option<String>,
    pub level: Option<motcua_domain::units::Level>,
    /// The date the units must be in force on.
    pub at: NaiveDate,
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UnitRow {
    pub id: String,
    pub era: String,
    pub level: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LineageRow {
    pub old_code: String,
    pub old_district_code: String,
    pub old_province_code: String,
    pub partly: bool,
    pub new_code: String,
    pub new_province_code: String,
}

#[derive(Debug, Clone)]
pub struct NewAgency {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    pub parent_id: Option<Uuid>,
    pub unit_id: Option<String>,
    pub province_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agency {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    pub parent_id: Option<Uuid>,
    pub unit_id: Option<String>,
    pub province_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct AgencyQuery {
    pub q: Option<String>,
    pub kind: Option<AgencyKind>,
    pub parent: Option<Uuid>,
    pub province_code: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub grants: Vec<Grant>,
    pub created_at: DateTime<Utc>,
    /// A citizen account's personal identification number (12 digits), if bound.
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub disabled: bool,
    pub grants: Vec<Grant>,
    pub created_at: DateTime<Utc>,
    /// The person a citizen account is bound to (personal identification number), set by an
    /// administrator; `None` for staff and for accounts not yet verified.
    pub id_number: Option<String>,
}

impl User {
    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: Uuid,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An official yearly holiday schedule with who set it and on what legal basis.
#[derive(Debug, Clone, Serialize)]
pub struct HolidayYear {
    pub schedule: motcua_domain::calendar::YearSchedule,
    /// The legal source of the schedule as a whole (e.g. the Government Office's letter).
    pub note: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// A procedure record to write: the store keeps versions, the change log and the search index
/// in step with it.
#[derive(Debug, Clone)]
pub struct ProcedureWrite {
    pub code: String,
    pub name: String,
    pub field: String,
    /// Level keys separated by spaces, with a space at each end: " province commune ".
    pub levels: String,
    pub online_level: String,
    pub body: String,
    /// The full record as JSON.
    pub record: String,
    pub content_hash: String,
    pub search_name: String,
    pub search_body: String,
    /// When a new version takes effect.
    pub effective_from: NaiveDate,
    pub by: String,
    /// Published or draft, for a code not seen before.
    pub status_if_new: ProcedureStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOutcome {
    Created,
    Amended { version: i32 },
    Unchanged,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProcedureRow {
    pub code: String,
    pub name: String,
    pub field: String,
    pub levels: String,
    pub online_level: String,
    pub body: String,
    #[sqlx(try_from = "crate::keys::Key<ProcedureStatus>")]
    pub status: ProcedureStatus,
    pub version: i32,
    pub abolished_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProcedureVersion {
    pub code: String,
    pub version: i32,
    pub effective_from: NaiveDate,
    pub record: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A search over the catalogue. `terms` is an AND of OR-groups of folded words, each a whole
/// word or, with a trailing `*`, a prefix.
#[derive(Debug, Clone, Default)]
pub struct ProcedureSearch {
    pub terms: Vec<Vec<String>>,
    pub level: Option<String>,
    pub field: Option<String>,
    pub online_level: Option<String>,
    pub agency: Option<Uuid>,
    /// Only published procedures unless set.
    pub any_status: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProcedureHit {
    pub code: String,
    pub name: String,
    pub field: String,
    pub levels: String,
    pub online_level: String,
    pub body: String,
    #[sqlx(try_from = "crate::keys::Key<ProcedureStatus>")]
    pub status: ProcedureStatus,
    #[serde(skip)]
    pub search_name: String,
    #[serde(skip)]
    pub search_body: String,
}

/// Count of lifecycle changes of one kind, per field and body, in a month.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChangeCount {
    pub field: String,
    pub body: String,
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AppliedProcedure {
    pub code: String,
    pub name: String,
    pub workflow: String,
}

/// The dossier projection row: what queues, look-ups and statistics read.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DossierRow {
    pub id: Uuid,
    pub code: String,
    pub agency_id: Uuid,
    pub intake_agency_id: Uuid,
    pub province_code: Option<String>,
    pub procedure_code: String,
    pub procedure_version: i32,
    #[sqlx(try_from = "crate::keys::Key<Channel>")]
    pub channel: Channel,
    #[sqlx(try_from = "crate::keys::Key<Status>")]
    pub status: Status,
    pub applicant_name: String,
    #[serde(skip)]
    pub applicant_key: String,
    #[serde(skip)]
    pub search: String,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// The effective appointment: the current one extended by the closed supplement pauses
    /// (`motcua_domain::dossier::timeliness::current_due`).
    pub appointment: Option<DateTime<Utc>>,
    /// Since when the clock is paused for a supplement (the dossier is judged at that instant).
    pub paused_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// The number of the last event: the version a command must name to be applied.
    pub seq: i32,
    #[serde(skip)]
    pub last_hash: String,
    /// The full folded state as JSON.
    #[serde(skip)]
    pub state: String,
    pub updated_at: DateTime<Utc>,
}

impl DossierRow {
    /// About how many bytes the row holds (its text and a fixed part): the row cache's weight.
    pub fn approx_bytes(&self) -> usize {
        256 + self.code.len()
            + self.province_code.as_ref().map_or(0, String::len)
            + self.procedure_code.len()
            + self.applicant_name.len()
            + self.applicant_key.len()
            + self.search.len()
            + self.last_hash.len()
            + self.state.len()
    }
}

/// An event to append. The store numbers it, chains its hash and stores it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub kind: String,
    /// JSON.
    pub data: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredEvent {
    pub dossier_id: Uuid,
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub kind: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A notice to deliver (email, SMS), written in the dossier's transaction.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
}

/// A change to a statistics counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub agency_id: Uuid,
    pub procedure_code: String,
    pub day: NaiveDate,
    pub metric: String,
    pub delta: i64,
}

/// Everything one dossier command writes, in one transaction: the new projection (its `seq` and
/// `last_hash` are filled in by the store), the events, the notices and the counter changes.
#[derive(Debug, Clone)]
pub struct DossierWrite {
    pub row: DossierRow,
    pub events: Vec<NewEvent>,
    pub outbox: Vec<OutboxMessage>,
    pub counters: Vec<CounterDelta>,
    /// The payment the command opens (a receipt that fixes fees), in the same transaction.
    pub payment: Option<crate::PaymentWrite>,
}

/// The outcome of a creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A new dossier with this code.
    New(String),
    /// The idempotency key was used before, with the same body: the dossier created then.
    Existing(String),
}

/// The idempotency key of a creation request, as the service scopes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The stored key, already scoped to the caller and the endpoint (unique across both).
    pub key: String,
    pub user: Option<Uuid>,
    /// A digest of the request body: the same key with another body is refused.
    pub fingerprint: String,
}

/// Builds a new dossier's write once its sequence number of the day is known.
pub type MakeDossier = Box<dyn Fn(u32) -> Result<DossierWrite, String> + Send + Sync>;

#[derive(Debug, Clone, Default)]
pub struct DossierQuery {
    pub agencies: Vec<Uuid>,
    pub statuses: Vec<String>,
    /// Only dossiers whose effective appointment is before this instant (late when it is
    /// now); one waiting for a supplement only if its appointment was already past when the
    /// clock stopped.
    pub due_before: Option<DateTime<Utc>>,
    /// Folded words matched against code, applicant name and procedure.
    pub q: Option<String>,
    /// Only dossiers whose current step this user holds.
    pub assignee: Option<Uuid>,
    /// Only dossiers no one holds a step of (waiting for assignment or for the decision).
    pub unassigned: bool,
    /// Also refused, stopped, returned and withdrawn dossiers (otherwise only open ones, unless
    /// `statuses` names them).
    pub include_closed: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Queues count at most this many matches (a page says "more than" beyond it).
pub const QUEUE_COUNT_CAP: i64 = 10_000;
