//! Hot look-ups remembered for a few seconds: the session behind a token, agencies by code,
//! office hours, and the procedure record in force on a day. Every API request needs the first,
//! every intake the others; read from the database each time they cost more than the dossier.
//!
//! This process forgets an entry as soon as it changes it (logout, office hours, catalogue
//! writes, accounts). A change made by another process (a second server on the same
//! PostgreSQL, the CLI) is seen within the time to live: [`SESSION_TTL`] for sessions,
//! [`REFERENCE_TTL`] for the rest.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use moka::future::Cache;
use motcua_domain::calendar::OfficeHours;
use motcua_domain::catalogue::Procedure;
use motcua_store::{Agency, DbError, SessionKind, Store, User};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::dossiers::TimelineEntry;

/// How long a session look-up is trusted.
pub const SESSION_TTL: Duration = Duration::from_secs(5);
/// The bytes each of the dossier caches (timelines, rendered views) may hold: bounded in
/// bytes, not entries, so large dossiers cannot grow memory without limit.
pub const CACHE_BYTES: u64 = 64 << 20;
/// How long agencies, office hours and procedure records are trusted.
pub const REFERENCE_TTL: Duration = Duration::from_secs(30);

/// A procedure as intake needs it: its status, and its record in force on a day.
#[derive(Debug)]
pub struct InForce {
    pub status: motcua_domain::catalogue::ProcedureStatus,
    pub procedure: Procedure,
    pub version: i32,
    pub effective_from: NaiveDate,
}

pub struct Lookups {
    sessions: Cache<String, Option<Arc<(User, SessionKind)>>>,
    agencies: Cache<String, Arc<Agency>>,
    office_hours: Cache<Uuid, Arc<OfficeHours>>,
    records: Cache<(String, NaiveDate), Arc<InForce>>,
    /// A dossier's timeline up to an event number: events are never changed, so never stale.
    timelines: Cache<(Uuid, i32), Arc<Vec<TimelineEntry>>>,
    /// A dossier's JSON view at an event number (the same for everyone who may read it).
    views: Cache<(Uuid, i32), axum::body::Bytes>,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            sessions: Cache::builder()
                .max_capacity(20_000)
                .time_to_live(SESSION_TTL)
                .build(),
            agencies: Cache::builder()
                .max_capacity(20_000)
                .time_to_live(REFERENCE_TTL)
                .build(),
            office_hours: Cache::builder()
                .max_capacity(20_000)
                .time_to_live(REFERENCE_TTL)
                .build(),
            records: Cache::builder()
                .max_capacity(20_000)
                .time_to_live(REFERENCE_TTL)
                .build(),
            timelines: Cache::builder()
                .weigher(|_, t: &Arc<Vec<TimelineEntry>>| {
                    let bytes: usize = t
                        .iter()
                        .map(|e| {
                            64 + e.at.len() + e.kind.len() + e.label.len() + e.actor_role.len()
                        })
                        .sum();
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .max_capacity(CACHE_BYTES)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            views: Cache::builder()
                .weigher(|_, v: &axum::body::Bytes| u32::try_from(v.len()).unwrap_or(u32::MAX))
                .max_capacity(CACHE_BYTES)
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }
}

impl Lookups {
    /// The live session with this token hash and its user; `None` when there is none (unknown,
    /// expired, logged out or disabled user).
    pub async fn session(
        &self,
        store: &dyn Store,
        token_hash: &str,
    ) -> Result<Option<Arc<(User, SessionKind)>>, DbError> {
        self.sessions
            .try_get_with(token_hash.to_string(), async {
                match store.session_user(token_hash, chrono::Utc::now()).await {
                    Ok(found) => Ok(Some(Arc::new(found))),
                    Err(DbError::NotFound) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))
    }

    pub async fn forget_session(&self, token_hash: &str) {
        self.sessions.invalidate(token_hash).await;
    }

    /// After a change to accounts or grants: every session is read again.
    pub fn forget_sessions(&self) {
        self.sessions.invalidate_all();
    }

    /// The agency with this code (`None`: no such agency).
    pub async fn agency(
        &self,
        store: &dyn Store,
        code: &str,
    ) -> Result<Option<Arc<Agency>>, DbError> {
        // An unknown code is not remembered: the agency may be created in a moment.
        let found = self
            .agencies
            .try_get_with(code.to_string(), async {
                store.get_agency_by_code(code).await.map(Arc::new)
            })
            .await;
        match found {
            Ok(a) => Ok(Some(a)),
            Err(e) if matches!(*e, DbError::NotFound) => Ok(None),
            Err(e) => Err(DbError::Unavailable(e.to_string())),
        }
    }

    pub async fn office_hours(
        &self,
        store: &dyn Store,
        agency: Uuid,
    ) -> Result<Arc<OfficeHours>, AppError> {
        self.office_hours
            .try_get_with(agency, async {
                crate::service::calendar::office_hours(store, agency)
                    .await
                    .map(Arc::new)
            })
            .await
            .map_err(|e| (*e).clone())
    }

    pub async fn forget_office_hours(&self, agency: Uuid) {
        self.office_hours.invalidate(&agency).await;
    }

    /// The procedure with its record in force on `day`.
    pub async fn in_force(
        &self,
        store: &dyn Store,
        code: &str,
        day: NaiveDate,
    ) -> Result<Arc<InForce>, AppError> {
        self.records
            .try_get_with((code.to_string(), day), async {
                let row = store.procedure(code).await?;
                let (procedure, version, effective_from) =
                    crate::service::catalogue::record(store, code, Some(day)).await?;
                Ok::<_, AppError>(Arc::new(InForce {
                    status: row.status,
                    procedure,
                    version,
                    effective_from,
                }))
            })
            .await
            .map_err(|e| (*e).clone())
    }

    /// After a catalogue write: every procedure is read again.
    pub fn forget_catalogue(&self) {
        self.records.invalidate_all();
    }

    /// The JSON view of dossier `id` at event `seq`, built by `make` once.
    pub async fn view_json<F>(
        &self,
        id: Uuid,
        seq: i32,
        make: F,
    ) -> Result<axum::body::Bytes, AppError>
    where
        F: std::future::Future<Output = Result<axum::body::Bytes, AppError>>,
    {
        self.views
            .try_get_with((id, seq), make)
            .await
            .map_err(|e| (*e).clone())
    }

    /// The timeline of dossier `id` as it stood at event `seq`.
    /// Remembers the timeline of a dossier just written by this process.
    pub async fn seed_timeline(&self, id: Uuid, seq: i32, entries: Vec<TimelineEntry>) {
        self.timelines.insert((id, seq), Arc::new(entries)).await;
    }

    pub async fn timeline(
        &self,
        store: &dyn Store,
        id: Uuid,
        seq: i32,
    ) -> Result<Arc<Vec<TimelineEntry>>, AppError> {
        self.timelines
            .try_get_with((id, seq), async {
                let mut entries = crate::service::dossiers::timeline(store, id).await?;
                entries.retain(|e| e.seq <= seq);
                Ok::<_, AppError>(Arc::new(entries))
            })
            .await
            .map_err(|e| (*e).clone())
    }
}
