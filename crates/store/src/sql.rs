//! The one SQL body of the [`Store`] port, compiled once per backend: the including module
//! (`sqlite.rs` or `postgres.rs`) defines `Db`, `BACKEND` and `migrator()`. Queries use `$n`
//! placeholders (SQLite accepts them) and types both drivers encode the same way.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::agency::AgencyKind;
use motcua_domain::auth::{Grant, Role};
use motcua_domain::calendar::{DayEntry, DayKind, YearSchedule};
use motcua_domain::catalogue::ProcedureStatus;
use motcua_domain::dossier::Status;
use motcua_domain::text::{QueryWord, fold_ascii, query_words, tone_key};
use motcua_domain::units::Era;
use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::{BACKEND, Db, begin_write, migrator, push_fts_from, reindex_procedure};
use crate::models::*;
use crate::port::*;
use crate::{Backend, DbError, DbResult, reference};

/// Rows per multi-row INSERT: well under both backends' bind-parameter limits.
const BATCH: usize = 400;

pub struct SqlStore {
    pub(super) pool: Pool<Db>,
    /// Where write transactions run: on SQLite a single connection, so this process's writers
    /// queue in order instead of polling for the file's write lock; on PostgreSQL the pool.
    pub(super) write_pool: Pool<Db>,
    /// The intake writer, which group-commits new dossiers.
    intake: tokio::sync::mpsc::Sender<dossier_writes::CreateJob>,
    /// The personal data access log's writer, which group-commits the reads.
    access_log: access_log_sql::LogWriter,
    /// Dossier projections by code, read most: forgotten by every write of this process, and
    /// after [`crate::ROW_CACHE_TTL`] (what another process wrote).
    rows: moka::sync::Cache<String, DossierRow>,
    /// Bumped by every dossier write of this process: a read that raced a write is not cached.
    row_writes: std::sync::atomic::AtomicU64,
}

#[path = "backup_sql.rs"]
pub(super) mod backup_sql;
/// The migration that added counters kept per event (the open dossiers' lateness): a database
/// upgraded across it has its counters rebuilt from the event log.
const STATS_COUNTERS_MIGRATION: i64 = 13;

#[path = "access_log_sql.rs"]
mod access_log_sql;
#[path = "documents_sql.rs"]
mod documents_sql;
#[path = "dossier_writes.rs"]
mod dossier_writes;
#[path = "feedback_sql.rs"]
mod feedback_sql;
#[path = "hall_sql.rs"]
mod hall_sql;
#[path = "outbox_sql.rs"]
mod outbox_sql;
#[path = "payments_sql.rs"]
mod payments_sql;
#[path = "stats_sql.rs"]
mod stats_sql;
#[path = "webhooks_sql.rs"]
mod webhooks_sql;
// Single sign-on (#20).
#[path = "identities_sql.rs"]
mod identities_sql;
// The citizen's data store (#20).
#[path = "data_store_sql.rs"]
mod data_store_sql;

/// The applicant key (hex SHA-256, as `motcua_app::dossiers::applicant_key` makes it) of a
/// search text that is an identity number: 12 digits (căn cước) or 9 (old identity card).
fn id_number_key(text: &str) -> Option<String> {
    use sha2::Digest;
    let t = text.trim();
    if !matches!(t.len(), 9 | 12) || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        sha2::Sha256::digest(t.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Adds one `AND (...)` per query word: a word typed without accents matches the ASCII fold of
/// the text, a word with accents its tone key; both as a word prefix.
fn push_text_match(qb: &mut QueryBuilder<Db>, ascii_col: &str, key_col: &str, q: &str) {
    for w in query_words(q) {
        let (col, word) = match w {
            QueryWord::Ascii(w) => (ascii_col, w),
            QueryWord::Toned(w) => (key_col, w),
        };
        qb.push(format_args!(" AND {col} LIKE "));
        qb.push_bind(format!("% {word}%"));
    }
}

/// Pushes an ORDER BY term (with its trailing comma) that ranks texts containing the whole
/// query as a phrase first: "hoa hiep" puts "Hòa Hiệp" before "Hiệp Hòa".
fn push_phrase_rank(qb: &mut QueryBuilder<Db>, ascii_col: &str, key_col: &str, q: &str) {
    let words = query_words(q);
    let col = if words.iter().all(|w| matches!(w, QueryWord::Ascii(_))) {
        ascii_col
    } else if words.iter().all(|w| matches!(w, QueryWord::Toned(_))) {
        key_col
    } else {
        return;
    };
    if words.len() < 2 {
        return;
    }
    let phrase: Vec<&str> = words.iter().map(QueryWord::as_str).collect();
    qb.push(format_args!("CASE WHEN {col} LIKE "));
    qb.push_bind(format!("% {}%", phrase.join(" ")));
    qb.push(" THEN 0 ELSE 1 END, ");
}

#[derive(sqlx::FromRow)]
struct AgencyRecord {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    parent_id: Option<Uuid>,
    unit_id: Option<String>,
    province_code: Option<String>,
    created_at: DateTime<Utc>,
}

impl AgencyRecord {
    fn into_agency(self) -> DbResult<Agency> {
        let kind = AgencyKind::parse(&self.kind)
            .ok_or_else(|| DbError::Other(format!("unknown agency kind {:?}", self.kind)))?;
        Ok(Agency {
            id: self.id,
            code: self.code,
            name: self.name,
            kind,
            parent_id: self.parent_id,
            unit_id: self.unit_id,
            province_code: self.province_code,
            created_at: self.created_at,
        })
    }
}

const AGENCY_COLUMNS: &str = "id, code, name, kind, parent_id, unit_id, province_code, created_at";

#[derive(sqlx::FromRow)]
struct UserRecord {
    id: Uuid,
    username: String,
    full_name: String,
    password_hash: String,
    disabled: bool,
    created_at: DateTime<Utc>,
    id_number: Option<String>,
}

impl SqlStore {
    /// A page of the dossiers whose ids `lodged` selects (one bind, `$1`: the account), newest
    /// first.
    async fn lodged_page(
        &self,
        lodged: &'static str,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<DossierRow>> {
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM dossiers WHERE id IN ({lodged})"
        )))
        .bind(user)
        .fetch_one(&self.pool)
        .await?;
        let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id IN ({lodged}) \
             ORDER BY submitted_at DESC, code DESC LIMIT $2 OFFSET $3"
        )))
        .bind(user)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page { items, total })
    }

    pub(super) fn from_pools(pool: Pool<Db>, write_pool: Pool<Db>) -> Self {
        let rows = moka::sync::Cache::builder()
            .weigher(|code: &String, row: &DossierRow| {
                u32::try_from(code.len() + row.approx_bytes()).unwrap_or(u32::MAX)
            })
            .max_capacity(crate::ROW_CACHE_BYTES)
            .time_to_live(crate::ROW_CACHE_TTL)
            .build();
        let intake = dossier_writes::spawn_intake(write_pool.clone(), rows.clone());
        let access_log = access_log_sql::LogWriter::spawn(write_pool.clone());
        SqlStore {
            pool,
            write_pool,
            intake,
            access_log,
            rows,
            row_writes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Forgets a cached projection after (and before the commit of) a write to it.
    fn forget_row(&self, code: &str) {
        self.row_writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.rows.invalidate(code);
    }

    async fn grants(&self, user_id: Uuid) -> DbResult<Vec<Grant>> {
        let rows: Vec<(String, Option<Uuid>)> =
            sqlx::query_as("SELECT role, agency_id FROM user_roles WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(role, agency)| {
                let role = Role::parse(&role)
                    .ok_or_else(|| DbError::Other(format!("unknown role {role:?}")))?;
                Ok(Grant { role, agency })
            })
            .collect()
    }

    async fn user_from(&self, r: UserRecord) -> DbResult<(User, String)> {
        let grants = self.grants(r.id).await?;
        Ok((
            User {
                id: r.id,
                username: r.username,
                full_name: r.full_name,
                disabled: r.disabled,
                grants,
                created_at: r.created_at,
                id_number: r.id_number,
            },
            r.password_hash,
        ))
    }

    /// Whether migration `version` is applied; `None` on a database never migrated.
    async fn applied_migration(&self, version: i64) -> Option<bool> {
        let row: Result<(i64,), _> =
            sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1")
                .bind(version)
                .fetch_one(&self.pool)
                .await;
        row.ok().map(|(n,)| n > 0)
    }

    async fn load_reference_data(&self) -> DbResult<MigrateReport> {
        let mut report = MigrateReport::default();
        let (units,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admin_units")
            .fetch_one(&self.pool)
            .await?;
        if units == 0 {
            let all = reference::all_units();
            let mut tx = begin_write(&self.write_pool).await?;
            for chunk in all.chunks(BATCH) {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO admin_units (id, era, level, code, name, kind, parent_code, \
                     province_code, valid_from, valid_to, name_ascii, name_key, lat, lon) ",
                );
                qb.push_values(chunk, |mut b, u| {
                    b.push_bind(u.id())
                        .push_bind(u.era.as_str())
                        .push_bind(u.level.as_str())
                        .push_bind(u.code.clone())
                        .push_bind(u.name.clone())
                        .push_bind(u.kind.clone())
                        .push_bind(u.parent_code.clone())
                        .push_bind(u.province_code.clone())
                        .push_bind(u.era.valid_from())
                        .push_bind(u.era.valid_to())
                        .push_bind(format!(" {}", u.name_ascii()))
                        .push_bind(format!(" {}", u.name_key()))
                        .push_bind(u.lat)
                        .push_bind(u.lon);
                });
                qb.push(" ON CONFLICT DO NOTHING");
                report.units_loaded += qb.build().execute(&mut *tx).await?.rows_affected();
            }
            let links = reference::lineage();
            for chunk in links.chunks(BATCH) {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO unit_lineage (old_code, old_district_code, old_province_code, \
                     partly, new_code, new_province_code) ",
                );
                qb.push_values(chunk, |mut b, l| {
                    b.push_bind(l.old_code.clone())
                        .push_bind(l.old_district_code.clone())
                        .push_bind(l.old_province_code.clone())
                        .push_bind(l.partly)
                        .push_bind(l.new_code.clone())
                        .push_bind(l.new_province_code.clone());
                });
                qb.push(" ON CONFLICT DO NOTHING");
                report.lineage_loaded += qb.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
        }
        let mut tx = begin_write(&self.write_pool).await?;
        let first = sqlx::query(
            "INSERT INTO reference_loads (name, loaded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(reference::HOLIDAYS_LOAD)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if first == 1 {
            for schedule in reference::holiday_schedules() {
                let year = HolidayYear {
                    schedule,
                    note: reference::HOLIDAYS_NOTE.to_string(),
                    updated_at: Utc::now(),
                    updated_by: "motcua".to_string(),
                };
                write_holiday_year(&mut tx, &year).await?;
                report.holiday_years_loaded += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    fn push_agency_filters(qb: &mut QueryBuilder<Db>, q: &AgencyQuery) {
        qb.push(" WHERE 1 = 1");
        if let Some(kind) = q.kind {
            qb.push(" AND kind = ").push_bind(kind.as_str());
        }
        if let Some(parent) = q.parent {
            qb.push(" AND parent_id = ").push_bind(parent);
        }
        if let Some(p) = &q.province_code {
            qb.push(" AND province_code = ").push_bind(p.clone());
        }
        if let Some(text) = &q.q {
            push_text_match(qb, "name_ascii", "name_key", text);
        }
    }
}

async fn write_holiday_year(
    tx: &mut sqlx::Transaction<'static, Db>,
    y: &HolidayYear,
) -> DbResult<()> {
    let year = y.schedule.year;
    sqlx::query("DELETE FROM holiday_days WHERE year = $1")
        .bind(year)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO holiday_years (year, note, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year) DO UPDATE SET note = $2, updated_at = $3, updated_by = $4",
    )
    .bind(year)
    .bind(&y.note)
    .bind(y.updated_at)
    .bind(&y.updated_by)
    .execute(&mut **tx)
    .await?;
    for chunk in y.schedule.entries.chunks(BATCH) {
        let mut qb =
            QueryBuilder::<Db>::new("INSERT INTO holiday_days (date, year, kind, name, source) ");
        qb.push_values(chunk, |mut b, e| {
            b.push_bind(e.date)
                .push_bind(year)
                .push_bind(match e.kind {
                    DayKind::Off => "off",
                    DayKind::Work => "work",
                })
                .push_bind(e.name.clone())
                .push_bind(e.source.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

const PROCEDURE_COLUMNS: &str = "p.code, p.name, p.field, p.levels, p.online_level, p.body, p.status, p.search_name, p.search_body";

fn push_procedure_filters(qb: &mut QueryBuilder<Db>, q: &ProcedureSearch) {
    if !q.any_status {
        qb.push(" AND p.status = 'published'");
    }
    if let Some(level) = &q.level {
        qb.push(" AND p.levels LIKE ")
            .push_bind(format!("% {level} %"));
    }
    if let Some(field) = &q.field {
        qb.push(" AND p.field = ").push_bind(field.clone());
    }
    if let Some(o) = &q.online_level {
        qb.push(" AND p.online_level = ").push_bind(o.clone());
    }
    if let Some(a) = q.agency {
        qb.push(" AND p.code IN (SELECT code FROM procedure_agencies WHERE agency_id = ")
            .push_bind(a)
            .push(")");
    }
}

async fn log_change(
    tx: &mut sqlx::Transaction<'static, Db>,
    code: &str,
    kind: &str,
    on: NaiveDate,
    version: i32,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO procedure_changes (id, code, kind, on_date, month, field, body, version) \
         SELECT $1, code, $2, $3, $4, field, body, $5 FROM procedures WHERE code = $6",
    )
    .bind(Uuid::now_v7())
    .bind(kind)
    .bind(on)
    .bind(on.format("%Y-%m").to_string())
    .bind(version)
    .bind(code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const DOSSIER_COLUMNS: &str = "id, code, agency_id, intake_agency_id, province_code, procedure_code, \
    procedure_version, channel, status, applicant_name, applicant_key, search, submitted_at, received_at, \
    appointment, paused_at, finished_at, returned_at, seq, last_hash, state, updated_at";

fn insert_agency_sql() -> QueryBuilder<Db> {
    QueryBuilder::<Db>::new(
        "INSERT INTO agencies (id, code, name, kind, parent_id, unit_id, province_code, \
         name_ascii, name_key, created_at) ",
    )
}

fn push_agency_values(qb: &mut QueryBuilder<Db>, batch: &[NewAgency]) {
    qb.push_values(batch, |mut b, a| {
        b.push_bind(a.id)
            .push_bind(a.code.clone())
            .push_bind(a.name.clone())
            .push_bind(a.kind.as_str())
            .push_bind(a.parent_id)
            .push_bind(a.unit_id.clone())
            .push_bind(a.province_code.clone())
            .push_bind(format!(" {}", fold_ascii(&a.name)))
            .push_bind(format!(" {}", tone_key(&a.name)))
            .push_bind(a.created_at);
    });
}

#[async_trait]
impl Database for SqlStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn flush(&self) -> DbResult<()> {
        self.access_log.flush().await
    }

    async fn migrate(&self) -> DbResult<MigrateReport> {
        // Two processes starting at once on one SQLite file can race on the first migration
        // (PostgreSQL takes a lock); each migration is one transaction, so retrying is safe.
        let counters_before = self.applied_migration(STATS_COUNTERS_MIGRATION).await;
        let mut attempt = 0;
        loop {
            match migrator().run(&self.pool).await {
                Ok(()) => break,
                Err(e) if attempt < 40 => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "migration raced with another process; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        let mut report = self.load_reference_data().await?;
        if counters_before == Some(false) {
            let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dossier_events")
                .fetch_one(&self.pool)
                .await?;
            report.stats_rebuild_needed = events > 0;
        }
        Ok(report)
    }
}

#[async_trait]
impl Units for SqlStore {
    async fn search_units(&self, q: &UnitQuery) -> DbResult<Page<UnitRow>> {
        let filters = |qb: &mut QueryBuilder<Db>| {
            qb.push(" WHERE era = ").push_bind(Era::at(q.at).as_str());
            if let Some(parent) = &q.parent {
                qb.push(" AND parent_code = ").push_bind(parent.clone());
            }
            if let Some(level) = q.level {
                qb.push(" AND level = ").push_bind(level.as_str());
            }
            if let Some(text) = &q.q {
                push_text_match(qb, "name_ascii", "name_key", text);
            }
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM admin_units");
        filters(&mut count);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT id, era, level, code, name, kind, parent_code, province_code, valid_from, \
             valid_to, lat, lon FROM admin_units",
        );
        filters(&mut qb);
        qb.push(" ORDER BY ");
        if let Some(text) = &q.q {
            push_phrase_rank(&mut qb, "name_ascii", "name_key", text);
        }
        qb.push(
            "CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, \
             code LIMIT ",
        )
        .push_bind(q.limit);
        let items = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { items, total })
    }

    async fn get_unit(&self, id: &str) -> DbResult<UnitRow> {
        Ok(sqlx::query_as(
            "SELECT id, era, level, code, name, kind, parent_code, province_code, valid_from, \
             valid_to, lat, lon FROM admin_units WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn unit_lineage(&self, code: &str, era: Era) -> DbResult<Vec<LineageRow>> {
        let sql = match era {
            Era::TwoTier2025 => {
                "SELECT old_code, old_district_code, old_province_code, partly, new_code, \
                 new_province_code FROM unit_lineage WHERE new_code = $1 ORDER BY old_code"
            }
            Era::Legacy => {
                "SELECT old_code, old_district_code, old_province_code, partly, new_code, \
                 new_province_code FROM unit_lineage WHERE old_code = $1 ORDER BY new_code"
            }
        };
        Ok(sqlx::query_as(sql).bind(code).fetch_all(&self.pool).await?)
    }
}

#[async_trait]
impl Agencies for SqlStore {
    async fn create_agency(&self, a: &NewAgency) -> DbResult<Agency> {
        let mut qb = insert_agency_sql();
        push_agency_values(&mut qb, std::slice::from_ref(a));
        qb.build().execute(&self.pool).await?;
        self.get_agency(a.id).await
    }

    async fn insert_agencies(&self, batch: &[NewAgency]) -> DbResult<u64> {
        let mut tx = begin_write(&self.write_pool).await?;
        let mut inserted = 0;
        for chunk in batch.chunks(BATCH) {
            let mut qb = insert_agency_sql();
            push_agency_values(&mut qb, chunk);
            qb.push(" ON CONFLICT DO NOTHING");
            inserted += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }

    async fn list_agencies(&self, q: &AgencyQuery) -> DbResult<Page<Agency>> {
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM agencies");
        Self::push_agency_filters(&mut count, q);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;

        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {AGENCY_COLUMNS} FROM agencies"));
        Self::push_agency_filters(&mut qb, q);
        qb.push(" ORDER BY ");
        if let Some(text) = &q.q {
            push_phrase_rank(&mut qb, "name_ascii", "name_key", text);
        }
        qb.push("code LIMIT ").push_bind(q.limit);
        qb.push(" OFFSET ").push_bind(q.offset);
        let rows: Vec<AgencyRecord> = qb.build_query_as().fetch_all(&self.pool).await?;
        let items = rows
            .into_iter()
            .map(AgencyRecord::into_agency)
            .collect::<DbResult<_>>()?;
        Ok(Page { items, total })
    }

    async fn get_agency(&self, id: Uuid) -> DbResult<Agency> {
        let mut qb =
            QueryBuilder::<Db>::new(format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = "));
        qb.push_bind(id);
        let r: AgencyRecord = qb.build_query_as().fetch_one(&self.pool).await?;
        r.into_agency()
    }

    async fn get_agency_by_code(&self, code: &str) -> DbResult<Agency> {
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies WHERE code = "
        ));
        qb.push_bind(code.to_string());
        let r: AgencyRecord = qb.build_query_as().fetch_one(&self.pool).await?;
        r.into_agency()
    }

    async fn agency_ancestors(&self, id: Uuid) -> DbResult<Vec<Uuid>> {
        let rows: Vec<(Uuid, i64)> = sqlx::query_as(
            "WITH RECURSIVE up (id, parent_id, depth) AS ( \
                 SELECT a.id, a.parent_id, CAST(0 AS BIGINT) FROM agencies a WHERE a.id = $1 \
                 UNION ALL \
                 SELECT p.id, p.parent_id, up.depth + 1 FROM agencies p JOIN up ON p.id = up.parent_id \
                 WHERE up.depth < 32) \
             SELECT id, depth FROM up WHERE depth > 0 ORDER BY depth",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, _)| id).collect())
    }
}

#[async_trait]
impl Calendar for SqlStore {
    async fn holiday_schedules(&self) -> DbResult<Vec<HolidayYear>> {
        let years: Vec<(i32, String, DateTime<Utc>, String)> = sqlx::query_as(
            "SELECT year, note, updated_at, updated_by FROM holiday_years ORDER BY year",
        )
        .fetch_all(&self.pool)
        .await?;
        let days: Vec<(NaiveDate, i32, String, String, String)> =
            sqlx::query_as("SELECT date, year, kind, name, source FROM holiday_days ORDER BY date")
                .fetch_all(&self.pool)
                .await?;
        let mut out: Vec<HolidayYear> = years
            .into_iter()
            .map(|(year, note, updated_at, updated_by)| HolidayYear {
                schedule: YearSchedule {
                    year,
                    entries: Vec::new(),
                },
                note,
                updated_at,
                updated_by,
            })
            .collect();
        for (date, year, kind, name, source) in days {
            let kind = if kind == "work" {
                DayKind::Work
            } else {
                DayKind::Off
            };
            if let Some(y) = out.iter_mut().find(|y| y.schedule.year == year) {
                y.schedule.entries.push(DayEntry {
                    date,
                    kind,
                    name,
                    source,
                });
            }
        }
        Ok(out)
    }

    async fn replace_holiday_year(&self, year: &HolidayYear) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        write_holiday_year(&mut tx, year).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_holiday_year(&self, year: i32) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query("DELETE FROM holiday_days WHERE year = $1")
            .bind(year)
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query("DELETE FROM holiday_years WHERE year = $1")
            .bind(year)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(DbError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn calendar_version(&self) -> DbResult<String> {
        let (count, latest): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT COUNT(*), MAX(updated_at) FROM holiday_years")
                .fetch_one(&self.pool)
                .await?;
        Ok(format!(
            "{count}:{}",
            latest.map(|t| t.to_rfc3339()).unwrap_or_default()
        ))
    }

    async fn set_agency_office_hours(&self, agency: Uuid, json: Option<&str>) -> DbResult<()> {
        let n = sqlx::query("UPDATE agencies SET office_hours = $1 WHERE id = $2")
            .bind(json)
            .bind(agency)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            Err(DbError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn agency_office_hours(&self, agency: Uuid) -> DbResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT office_hours FROM agencies WHERE id = $1")
                .bind(agency)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(h,)| h).ok_or(DbError::NotFound)
    }

    async fn office_hours_all(&self) -> DbResult<Vec<(Uuid, String)>> {
        stats_sql::office_hours_all(&self.pool).await
    }
}

#[async_trait]
impl Catalogue for SqlStore {
    async fn write_procedures(&self, batch: &[ProcedureWrite]) -> DbResult<Vec<WriteOutcome>> {
        let mut tx = begin_write(&self.write_pool).await?;
        let mut out = Vec::with_capacity(batch.len());
        for w in batch {
            let current: Option<(i32, String, String)> = sqlx::query_as(
                "SELECT version, content_hash, status FROM procedures WHERE code = $1",
            )
            .bind(&w.code)
            .fetch_optional(&mut *tx)
            .await?;
            let (version, status, outcome) = match current {
                Some((_, hash, _)) if hash == w.content_hash => {
                    out.push(WriteOutcome::Unchanged);
                    continue;
                }
                Some((v, _, status)) => (v + 1, status, WriteOutcome::Amended { version: v + 1 }),
                None => (
                    1,
                    w.status_if_new.as_str().to_string(),
                    WriteOutcome::Created,
                ),
            };
            sqlx::query(
                "INSERT INTO procedures (code, name, field, levels, online_level, body, status, version, \
                 content_hash, search_name, search_body, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (code) DO UPDATE SET name = $2, field = $3, levels = $4, online_level = $5, \
                 body = $6, version = $8, content_hash = $9, search_name = $10, search_body = $11, updated_at = $12",
            )
            .bind(&w.code)
            .bind(&w.name)
            .bind(&w.field)
            .bind(&w.levels)
            .bind(&w.online_level)
            .bind(&w.body)
            .bind(&status)
            .bind(version)
            .bind(&w.content_hash)
            .bind(&w.search_name)
            .bind(&w.search_body)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO procedure_versions (code, version, effective_from, record, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&w.code)
            .bind(version)
            .bind(w.effective_from)
            .bind(&w.record)
            .bind(Utc::now())
            .bind(&w.by)
            .execute(&mut *tx)
            .await?;
            if status == ProcedureStatus::Published.as_str() {
                let kind = if version == 1 { "published" } else { "amended" };
                log_change(&mut tx, &w.code, kind, w.effective_from, version).await?;
            }
            reindex_procedure(&mut tx, &w.code, &w.search_name, &w.search_body).await?;
            out.push(outcome);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn procedure(&self, code: &str) -> DbResult<ProcedureRow> {
        Ok(sqlx::query_as(
            "SELECT code, name, field, levels, online_level, body, status, version, abolished_on, updated_at \
             FROM procedures WHERE code = $1",
        )
        .bind(code)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn procedure_version(
        &self,
        code: &str,
        at: Option<NaiveDate>,
    ) -> DbResult<ProcedureVersion> {
        let row = match at {
            None => sqlx::query_as(
                "SELECT code, version, effective_from, record, created_at, created_by FROM procedure_versions \
                 WHERE code = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(code)
            .fetch_one(&self.pool)
            .await?,
            Some(at) => sqlx::query_as(
                "SELECT code, version, effective_from, record, created_at, created_by FROM procedure_versions \
                 WHERE code = $1 AND effective_from <= $2 ORDER BY effective_from DESC, version DESC LIMIT 1",
            )
            .bind(code)
            .bind(at)
            .fetch_one(&self.pool)
            .await?,
        };
        Ok(row)
    }

    async fn procedure_versions(&self, code: &str) -> DbResult<Vec<ProcedureVersion>> {
        Ok(sqlx::query_as(
            "SELECT code, version, effective_from, record, created_at, created_by FROM procedure_versions \
             WHERE code = $1 ORDER BY version",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_procedure_status(
        &self,
        code: &str,
        status: ProcedureStatus,
        on: NaiveDate,
    ) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        let (version,): (i32,) = sqlx::query_as("SELECT version FROM procedures WHERE code = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        let abolished = (status == ProcedureStatus::Abolished).then_some(on);
        sqlx::query(
            "UPDATE procedures SET status = $1, abolished_on = $2, updated_at = $3 WHERE code = $4",
        )
        .bind(status.as_str())
        .bind(abolished)
        .bind(Utc::now())
        .bind(code)
        .execute(&mut *tx)
        .await?;
        log_change(&mut tx, code, status.as_str(), on, version).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_procedures(&self, q: &ProcedureSearch) -> DbResult<Page<ProcedureHit>> {
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM procedures p WHERE 1 = 1");
        push_procedure_filters(&mut count, q);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT {PROCEDURE_COLUMNS} FROM procedures p WHERE 1 = 1"
        ));
        push_procedure_filters(&mut qb, q);
        qb.push(" ORDER BY p.code LIMIT ")
            .push_bind(q.limit)
            .push(" OFFSET ")
            .push_bind(q.offset);
        let items = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { items, total })
    }

    async fn match_procedures(&self, q: &ProcedureSearch) -> DbResult<Vec<String>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT p.code");
        push_fts_from(&mut qb, &q.terms);
        push_procedure_filters(&mut qb, q);
        let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn procedure_hits(&self) -> DbResult<Vec<ProcedureHit>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROCEDURE_COLUMNS} FROM procedures p ORDER BY p.code"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn catalogue_version(&self) -> DbResult<String> {
        let (count, latest): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT COUNT(*), MAX(updated_at) FROM procedures")
                .fetch_one(&self.pool)
                .await?;
        Ok(format!(
            "{count}:{}",
            latest.map(|t| t.to_rfc3339()).unwrap_or_default()
        ))
    }

    async fn procedure_changes(
        &self,
        month: &str,
        agency: Option<Uuid>,
    ) -> DbResult<Vec<ChangeCount>> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT field, body, kind, COUNT(*) AS count FROM procedure_changes WHERE month = ",
        );
        qb.push_bind(month.to_string());
        if let Some(a) = agency {
            qb.push(" AND code IN (SELECT code FROM procedure_agencies WHERE agency_id = ")
                .push_bind(a)
                .push(")");
        }
        qb.push(" GROUP BY field, body, kind ORDER BY field, body, kind");
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn procedure_records(&self) -> DbResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT v.record FROM procedures p JOIN procedure_versions v ON v.code = p.code AND v.version = p.version \
             ORDER BY p.code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    async fn apply_procedure(&self, code: &str, agency: Uuid, workflow: &str) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO procedure_agencies (code, agency_id, workflow) VALUES ($1, $2, $3) \
             ON CONFLICT (code, agency_id) DO UPDATE SET workflow = $3",
        )
        .bind(code)
        .bind(agency)
        .bind(workflow)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn agency_procedures(&self, agency: Uuid) -> DbResult<Vec<AppliedProcedure>> {
        Ok(sqlx::query_as(
            "SELECT a.code, p.name, a.workflow FROM procedure_agencies a JOIN procedures p ON p.code = a.code \
             WHERE a.agency_id = $1 ORDER BY a.code",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn applied_in_province(&self, province_code: &str) -> DbResult<Vec<(String, Uuid)>> {
        Ok(sqlx::query_as(
            "SELECT a.code, a.agency_id FROM procedure_agencies a JOIN agencies g ON g.id = a.agency_id \
             WHERE g.province_code = $1 ORDER BY a.code, g.code",
        )
        .bind(province_code)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn applied_workflow(&self, code: &str, agency: Uuid) -> DbResult<String> {
        let (w,): (String,) = sqlx::query_as(
            "SELECT workflow FROM procedure_agencies WHERE code = $1 AND agency_id = $2",
        )
        .bind(code)
        .bind(agency)
        .fetch_one(&self.pool)
        .await?;
        Ok(w)
    }

    async fn agencies_applying(&self, code: &str, limit: i64) -> DbResult<Vec<Agency>> {
        let rows: Vec<AgencyRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies WHERE id IN \
             (SELECT agency_id FROM procedure_agencies WHERE code = $1) ORDER BY code LIMIT $2"
        )))
        .bind(code)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(AgencyRecord::into_agency).collect()
    }
}

#[async_trait]
impl Dossiers for SqlStore {
    async fn create_dossier(
        &self,
        agency_code: &str,
        day: &str,
        idempotency: Option<IdempotencyKey>,
        make: MakeDossier,
    ) -> DbResult<Created> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        let job = dossier_writes::CreateJob {
            agency_code: agency_code.to_string(),
            day: day.to_string(),
            key: idempotency,
            make,
            reply,
        };
        let stopped = || DbError::Unavailable("the intake writer has stopped".into());
        self.intake.send(job).await.map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }

    async fn append_dossier(&self, expected_seq: i32, write: &DossierWrite) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        let written = dossier_writes::append(&mut tx, write, expected_seq).await;
        self.forget_row(&write.row.code);
        written?;
        tx.commit().await?;
        self.forget_row(&write.row.code);
        Ok(())
    }

    async fn import_dossiers(&self, batch: &[DossierWrite]) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        for chunk in batch.chunks(dossier_writes::INTAKE_BATCH * 4) {
            dossier_writes::insert_new(&mut tx, &chunk.iter().collect::<Vec<_>>()).await?;
        }
        // `<agency>-<YYMMDD>-<NNNN>`: later intakes continue after the highest imported number.
        let mut highest: Vec<(String, String, i32)> = Vec::new();
        for w in batch {
            let mut parts = w.row.code.rsplitn(3, '-');
            let (Some(seq), Some(day), Some(agency)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(DbError::Other(format!(
                    "malformed dossier code {}",
                    w.row.code
                )));
            };
            let seq: i32 = seq
                .parse()
                .map_err(|_| DbError::Other(format!("malformed dossier code {}", w.row.code)))?;
            match highest.iter_mut().find(|(a, d, _)| a == agency && d == day) {
                Some(h) => h.2 = h.2.max(seq),
                None => highest.push((agency.to_string(), day.to_string(), seq)),
            }
        }
        for chunk in highest.chunks(BATCH) {
            let mut qb =
                QueryBuilder::<Db>::new("INSERT INTO dossier_sequences (agency_code, day, last) ");
            qb.push_values(chunk, |mut b, (a, d, n)| {
                b.push_bind(a.clone()).push_bind(d.clone()).push_bind(*n);
            });
            qb.push(
                " ON CONFLICT (agency_code, day) DO UPDATE SET last = CASE WHEN dossier_sequences.last < excluded.last \
                 THEN excluded.last ELSE dossier_sequences.last END",
            );
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn dossier_by_code(&self, code: &str) -> DbResult<DossierRow> {
        if let Some(row) = self.rows.get(code) {
            return Ok(row);
        }
        let before = self.row_writes.load(std::sync::atomic::Ordering::SeqCst);
        let row: DossierRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE code = $1"
        )))
        .bind(code)
        .fetch_one(&self.pool)
        .await?;
        if self.row_writes.load(std::sync::atomic::Ordering::SeqCst) == before {
            self.rows.insert(code.to_string(), row.clone());
        }
        Ok(row)
    }

    async fn dossiers_received(
        &self,
        intake_agency: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> DbResult<Vec<DossierRow>> {
        let start = motcua_domain::vn_time::midnight;
        let (a, b) = (start(from), start(to.succ_opt().unwrap_or(to)));
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE intake_agency_id = $1 \
             AND received_at >= $2 AND received_at < $3 ORDER BY code LIMIT 10000"
        )))
        .bind(intake_agency)
        .bind(a)
        .bind(b)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn dossier_head(&self, id: Uuid) -> DbResult<DossierRow> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn dossier_events(&self, id: Uuid) -> DbResult<Vec<StoredEvent>> {
        Ok(sqlx::query_as(
            "SELECT dossier_id, seq, at, actor_id, actor_role, kind, data, prev_hash, hash FROM dossier_events \
             WHERE dossier_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn list_dossiers(&self, q: &DossierQuery) -> DbResult<Page<DossierRow>> {
        let filters = |qb: &mut QueryBuilder<Db>| {
            qb.push(" WHERE 1 = 1");
            if !q.agencies.is_empty() {
                qb.push(" AND agency_id IN (");
                let mut sep = qb.separated(", ");
                for a in &q.agencies {
                    sep.push_bind(*a);
                }
                qb.push(")");
            }
            if !q.statuses.is_empty() {
                qb.push(" AND status IN (");
                let mut sep = qb.separated(", ");
                for st in &q.statuses {
                    sep.push_bind(st.clone());
                }
                qb.push(")");
            }
            if q.statuses.is_empty() && !q.include_closed {
                qb.push(" AND active = TRUE");
            }
            if let Some(user) = q.assignee {
                // The assignee column holds the UUID as the state's JSON writes it.
                qb.push(" AND assignee = ").push_bind(user.to_string());
            }
            if q.unassigned {
                qb.push(" AND assignee IS NULL");
            }
            if let Some(t) = q.due_before {
                // A paused dossier is judged when its clock stopped.
                qb.push(" AND appointment < ").push_bind(t);
                qb.push(" AND (paused_at IS NULL OR appointment < paused_at)");
            }
            if let Some(text) = &q.q {
                match id_number_key(text) {
                    // An ID number typed in the search: the applicant's key (the projection
                    // keeps no ID number), or a code that holds these digits.
                    Some(key) => {
                        qb.push(" AND (applicant_key = ")
                            .push_bind(key)
                            .push(" OR search LIKE ")
                            .push_bind(format!("% {}%", text.trim()))
                            .push(")");
                    }
                    None => {
                        for w in text.split(' ').filter(|w| !w.is_empty()) {
                            qb.push(" AND search LIKE ").push_bind(format!("% {w}%"));
                        }
                    }
                }
            }
        };
        // Counted up to the cap + 1: a queue of a million does not count a million rows.
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (SELECT 1 FROM dossiers");
        filters(&mut count);
        count
            .push(" LIMIT ")
            .push_bind(QUEUE_COUNT_CAP + 1)
            .push(") AS matches");
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {DOSSIER_COLUMNS} FROM dossiers"));
        filters(&mut qb);
        qb.push(" ORDER BY appointment, code LIMIT ")
            .push_bind(q.limit)
            .push(" OFFSET ")
            .push_bind(q.offset);
        let items = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { items, total })
    }

    async fn dossiers_at_intake(
        &self,
        intake_agencies: &[Uuid],
        statuses: &[Status],
        limit: i64,
    ) -> DbResult<Page<DossierRow>> {
        if intake_agencies.is_empty() || statuses.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let filters = |qb: &mut QueryBuilder<Db>| {
            qb.push(" WHERE intake_agency_id IN (");
            let mut sep = qb.separated(", ");
            for a in intake_agencies {
                sep.push_bind(*a);
            }
            qb.push(") AND status IN (");
            let mut sep = qb.separated(", ");
            for st in statuses {
                sep.push_bind(st.as_str());
            }
            qb.push(")");
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (SELECT 1 FROM dossiers");
        filters(&mut count);
        count
            .push(" LIMIT ")
            .push_bind(QUEUE_COUNT_CAP + 1)
            .push(") AS matches");
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {DOSSIER_COLUMNS} FROM dossiers"));
        filters(&mut qb);
        qb.push(" ORDER BY appointment, code LIMIT ")
            .push_bind(limit);
        let items = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { items, total })
    }

    async fn dossiers_lodged_by(
        &self,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<DossierRow>> {
        self.lodged_page(
            "SELECT dossier_id FROM dossier_events WHERE seq = 1 \
             AND actor_id = $1 AND actor_role = 'citizen'",
            user,
            limit,
            offset,
        )
        .await
    }

    async fn dossiers_lodged_by_partner(
        &self,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<DossierRow>> {
        // Found by the partial index `dossier_events_partner_lodged`.
        self.lodged_page(
            "SELECT dossier_id FROM dossier_events WHERE kind = 'submitted' \
             AND actor_role = 'partner' AND actor_id = $1",
            user,
            limit,
            offset,
        )
        .await
    }

    async fn dossier_ids(&self) -> DbResult<Vec<Uuid>> {
        let rows: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM dossiers ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn citizen_submissions_since(&self, user: Uuid, since: DateTime<Utc>) -> DbResult<i64> {
        access_log_sql::citizen_submissions_since(&self.pool, user, since).await
    }
}

#[async_trait]
impl Outbox for SqlStore {
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<crate::OutboxRow>> {
        outbox_sql::claim(&self.write_pool, now, lease, limit, false).await
    }

    async fn finish_outbox(
        &self,
        id: Uuid,
        attempt: i32,
        now: DateTime<Utc>,
        outcome: &crate::OutboxOutcome,
    ) -> DbResult<bool> {
        outbox_sql::finish(&self.write_pool, id, attempt, now, outcome).await
    }

    async fn finish_outbox_many(
        &self,
        now: DateTime<Utc>,
        outcomes: &[(Uuid, i32, crate::OutboxOutcome)],
    ) -> DbResult<usize> {
        outbox_sql::finish_many(&self.write_pool, now, outcomes).await
    }

    async fn list_outbox(&self, q: &crate::OutboxQuery) -> DbResult<Page<crate::OutboxRow>> {
        outbox_sql::list(&self.pool, q).await
    }

    async fn outbox_message(&self, id: Uuid) -> DbResult<crate::OutboxRow> {
        outbox_sql::get(&self.pool, id).await
    }

    async fn retry_outbox(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<crate::OutboxRow> {
        outbox_sql::retry(&self.write_pool, id, now).await
    }
}

#[async_trait]
impl AccessLog for SqlStore {
    async fn record_personal_data_read(&self, read: &crate::PersonalDataRead) -> DbResult<()> {
        self.access_log.record(read).await
    }

    async fn personal_data_reads(
        &self,
        applicant_key: &str,
        limit: i64,
    ) -> DbResult<Vec<crate::PersonalDataRead>> {
        // This process's reads queued before the listing are in it.
        self.access_log.flush().await?;
        access_log_sql::list(&self.pool, applicant_key, limit).await
    }
}

#[async_trait]
impl Accounts for SqlStore {
    async fn create_user(&self, u: &NewUser) -> DbResult<User> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query(
            "INSERT INTO users (id, username, full_name, password_hash, disabled, created_at, \
             id_number) VALUES ($1, $2, $3, $4, FALSE, $5, $6)",
        )
        .bind(u.id)
        .bind(&u.username)
        .bind(&u.full_name)
        .bind(&u.password_hash)
        .bind(u.created_at)
        .bind(&u.id_number)
        .execute(&mut *tx)
        .await?;
        for g in &u.grants {
            sqlx::query("INSERT INTO user_roles (user_id, role, agency_id) VALUES ($1, $2, $3)")
                .bind(u.id)
                .bind(g.role.as_str())
                .bind(g.agency)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.get_user(u.id).await
    }

    async fn user_by_username(&self, username: &str) -> DbResult<(User, String)> {
        let r: UserRecord = sqlx::query_as(
            "SELECT id, username, full_name, password_hash, disabled, created_at, id_number FROM users \
             WHERE username = $1",
        )
        .bind(username)
        .fetch_one(&self.pool)
        .await?;
        self.user_from(r).await
    }

    async fn get_user(&self, id: Uuid) -> DbResult<User> {
        let r: UserRecord = sqlx::query_as(
            "SELECT id, username, full_name, password_hash, disabled, created_at, id_number FROM users \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(self.user_from(r).await?.0)
    }

    async fn list_users(
        &self,
        agency: Option<Uuid>,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<User>> {
        let filter =
            " WHERE ($1 IS NULL OR id IN (SELECT user_id FROM user_roles WHERE agency_id = $1))";
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM users{filter}"
        )))
        .bind(agency)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<UserRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, username, full_name, password_hash, disabled, created_at, id_number FROM users{filter} \
             ORDER BY username LIMIT $2 OFFSET $3"
        )))
        .bind(agency)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(self.user_from(r).await?.0);
        }
        Ok(Page { items, total })
    }

    async fn set_user_grants(&self, id: Uuid, grants: &[Grant]) -> DbResult<User> {
        let mut tx = begin_write(&self.write_pool).await?;
        let found = sqlx::query("UPDATE users SET username = username WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Err(DbError::NotFound);
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for g in grants {
            sqlx::query("INSERT INTO user_roles (user_id, role, agency_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(g.role.as_str())
                .bind(g.agency)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.get_user(id).await
    }

    async fn set_user_disabled(&self, id: Uuid, disabled: bool) -> DbResult<User> {
        let mut tx = begin_write(&self.write_pool).await?;
        let found = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Err(DbError::NotFound);
        }
        tx.commit().await?;
        self.get_user(id).await
    }
}

#[async_trait]
impl Sessions for SqlStore {
    async fn create_session(&self, s: &NewSession) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id)
        .bind(s.kind.as_str())
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<(User, SessionKind)> {
        #[derive(sqlx::FromRow)]
        struct SessionUser {
            #[sqlx(flatten)]
            user: UserRecord,
            kind: String,
        }
        let row: Option<SessionUser> = sqlx::query_as(
            "SELECT u.id, u.username, u.full_name, u.password_hash, u.disabled, u.created_at, u.id_number, s.kind \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let SessionUser { user, kind } = row.ok_or(DbError::NotFound)?;
        let kind = if kind == "api" {
            SessionKind::Api
        } else {
            SessionKind::Browser
        };
        Ok((self.user_from(user).await?.0, kind))
    }

    async fn delete_session(&self, token_hash: &str) -> DbResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> DbResult<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn hit_rate_window(&self, key: &str, window: i64) -> DbResult<i64> {
        let (hits,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_windows (key, window_no, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN excluded.window_no > rate_windows.window_no \
                      THEN 1 ELSE rate_windows.hits + 1 END, \
               window_no = CASE WHEN excluded.window_no > rate_windows.window_no \
                      THEN excluded.window_no ELSE rate_windows.window_no END \
             RETURNING hits",
        )
        .bind(key)
        .bind(window)
        .fetch_one(&self.write_pool)
        .await?;
        Ok(hits)
    }

    async fn prune_rate_windows(&self, before: i64) -> DbResult<u64> {
        Ok(sqlx::query("DELETE FROM rate_windows WHERE window_no < $1")
            .bind(before)
            .execute(&self.write_pool)
            .await?
            .rows_affected())
    }
}

#[async_trait]
impl Stats for SqlStore {
    async fn stat_sums(&self, q: &crate::StatSumQuery) -> DbResult<Vec<crate::StatSum>> {
        stats_sql::sums(&self.pool, q).await
    }

    async fn stat_series(
        &self,
        root: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        metrics: &[String],
    ) -> DbResult<Vec<crate::StatMonth>> {
        stats_sql::series(&self.pool, root, from, to, metrics).await
    }

    async fn stat_overdue(&self, q: &crate::OverdueQuery) -> DbResult<Vec<crate::OverdueCount>> {
        stats_sql::overdue(&self.pool, q).await
    }

    async fn stat_applied_procedures(&self, root: Uuid) -> DbResult<Vec<String>> {
        stats_sql::applied_procedures(&self.pool, root).await
    }

    async fn rebuild_stats(
        &self,
        replay: &mut crate::ReplayDossier<'_>,
    ) -> DbResult<crate::RebuildReport> {
        stats_sql::rebuild(&self.write_pool, replay).await
    }

    async fn stat_dump(&self) -> DbResult<(Vec<CounterDelta>, Vec<crate::RollupRow>)> {
        stats_sql::dump(&self.pool).await
    }

    async fn add_stat_counters(&self, cells: &[CounterDelta]) -> DbResult<()> {
        stats_sql::add_counters(&self.write_pool, cells).await
    }

    async fn ops_gauges(&self, at: DateTime<Utc>) -> DbResult<crate::OpsGauges> {
        stats_sql::gauges(&self.pool, at).await
    }
}

#[async_trait]
impl Documents for SqlStore {
    async fn append_dossier_documents(
        &self,
        expected_seq: i32,
        write: &DossierWrite,
        links: &[crate::DocumentLink],
    ) -> DbResult<()> {
        let written = documents_sql::append(&self.write_pool, expected_seq, write, links).await;
        self.forget_row(&write.row.code);
        written
    }

    async fn dossier_documents(&self, dossier: Uuid) -> DbResult<Vec<crate::DocumentRecord>> {
        documents_sql::list(&self.pool, dossier).await
    }

    async fn find_documents(
        &self,
        q: &crate::DocumentQuery,
    ) -> DbResult<Vec<crate::DocumentRecord>> {
        documents_sql::find(&self.pool, q).await
    }

    async fn known_documents(&self, sha256: &[String]) -> DbResult<Vec<String>> {
        documents_sql::known(&self.pool, sha256).await
    }
}

#[async_trait]
impl FeedbackStore for SqlStore {
    async fn create_feedback(&self, write: &crate::FeedbackWrite) -> DbResult<()> {
        feedback_sql::create(&self.write_pool, write).await
    }

    async fn append_feedback(
        &self,
        expected_seq: i32,
        write: &crate::FeedbackWrite,
    ) -> DbResult<()> {
        feedback_sql::append(&self.write_pool, expected_seq, write).await
    }

    async fn feedback_by_code(&self, code: &str) -> DbResult<crate::FeedbackRow> {
        feedback_sql::by(&self.pool, "code", feedback_sql::Key::Code(code)).await
    }

    async fn feedback_by_id(&self, id: Uuid) -> DbResult<crate::FeedbackRow> {
        feedback_sql::by(&self.pool, "id", feedback_sql::Key::Id(id)).await
    }

    async fn feedback_events(&self, id: Uuid) -> DbResult<Vec<crate::StoredFeedbackEvent>> {
        feedback_sql::events(&self.pool, id).await
    }

    async fn list_feedback(&self, q: &crate::FeedbackQuery) -> DbResult<Page<crate::FeedbackRow>> {
        feedback_sql::list(&self.pool, q).await
    }

    async fn feedback_holds_photo(&self, id: Uuid, sha256: &str) -> DbResult<bool> {
        feedback_sql::holds_photo(&self.pool, id, sha256).await
    }

    async fn agencies_serving(&self, unit: &str) -> DbResult<Vec<Uuid>> {
        feedback_sql::agencies_serving(&self.pool, unit).await
    }

    async fn feedback_events_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, crate::StoredFeedbackEvent)>> {
        feedback_sql::events_between(&self.pool, from, to, limit).await
    }
}

#[async_trait]
impl Backups for SqlStore {
    async fn snapshot_to(
        &self,
        file: &std::path::Path,
        url: Option<&str>,
    ) -> DbResult<crate::Snapshot> {
        super::snapshot_to(&self.pool, file, url).await
    }

    async fn snapshot(&self) -> DbResult<crate::Snapshot> {
        let mut conn = self.pool.acquire().await?;
        backup_sql::snapshot_of(&mut conn).await
    }
}

#[async_trait]
impl Payments for SqlStore {
    async fn gateway_account(&self, agency: Uuid) -> DbResult<Option<crate::GatewayAccount>> {
        payments_sql::account(&self.pool, agency).await
    }

    async fn put_gateway_account(&self, account: &crate::GatewayAccount) -> DbResult<()> {
        payments_sql::put_account(&self.write_pool, account).await
    }

    async fn payment_of_dossier(&self, dossier: Uuid) -> DbResult<Option<crate::PaymentRecord>> {
        payments_sql::payment(&self.pool, payments_sql::Key::Dossier(dossier)).await
    }

    async fn payment_of_attempt(&self, reference: &str) -> DbResult<Option<crate::PaymentRecord>> {
        payments_sql::payment(&self.pool, payments_sql::Key::Attempt(reference)).await
    }

    async fn write_payment(
        &self,
        expected_seq: i32,
        write: &crate::PaymentWrite,
        dossier: Option<(i32, &DossierWrite)>,
    ) -> DbResult<Option<crate::FeeReceiptRow>> {
        let written = payments_sql::write(&self.write_pool, expected_seq, write, dossier).await;
        if let Some((_, d)) = dossier {
            self.forget_row(&d.row.code);
        }
        written
    }

    async fn pending_attempts(
        &self,
        started_before: DateTime<Utc>,
        expired_before: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<crate::AttemptRow>> {
        payments_sql::pending(&self.pool, started_before, expired_before, limit).await
    }

    async fn pending_attempts_of_agency(
        &self,
        agency: Uuid,
        started_before: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, crate::AttemptRow)>> {
        payments_sql::pending_of_agency(&self.pool, agency, started_before, limit).await
    }

    async fn payment_events_between(
        &self,
        agency: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, String)>> {
        payments_sql::events_between(&self.pool, agency, from, to, limit).await
    }

    async fn bank_account(&self, agency: Uuid) -> DbResult<Option<crate::BankAccount>> {
        payments_sql::bank_account(&self.pool, agency).await
    }

    async fn put_bank_account(&self, account: &crate::BankAccount) -> DbResult<()> {
        payments_sql::put_bank_account(&self.write_pool, account).await
    }

    async fn awaited_payments(&self, agency: Uuid, limit: i64) -> DbResult<Vec<(String, i64)>> {
        payments_sql::awaited(&self.pool, agency, limit).await
    }
}
