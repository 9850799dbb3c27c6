//! Citizen feedback reports (part of the one SQL body, included from `sql.rs`): a command's
//! chained events, the projection, the photos it attached (each file once in `documents`, as
//! dossiers' files are, so the document sweep keeps them), the reactions and the notices, in
//! ONE transaction with optimistic concurrency on the event number.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use motcua_domain::feedback::{Category, FeedbackStatus};
use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::super::{Db, begin_write};
use crate::feedback_models::*;
use crate::models::Page;
use crate::{Conflict, DbError, DbResult};

type Tx = sqlx::Transaction<'static, Db>;

const COLUMNS: &str = "id, code, agency_id, status, category, subject, subject_code, commune, \
     lat, lon, title, search, author_id, submitted_at, clock_start, handle_by, approved_at, \
     published_at, closed_at, seq, last_hash, state, updated_at";

/// Most reports a list returns.
const MAX_LIMIT: i64 = 500;
/// Lists are counted up to this many matches.
const COUNT_CAP: i64 = 10_000;

#[derive(sqlx::FromRow)]
struct Record {
    id: Uuid,
    code: String,
    agency_id: Uuid,
    status: String,
    category: String,
    subject: String,
    subject_code: Option<String>,
    commune: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    title: String,
    search: String,
    author_id: Option<Uuid>,
    submitted_at: DateTime<Utc>,
    clock_start: DateTime<Utc>,
    handle_by: Option<NaiveDate>,
    approved_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    seq: i32,
    last_hash: String,
    state: String,
    updated_at: DateTime<Utc>,
}

fn category(s: &str) -> DbResult<Category> {
    [Category::Regulation, Category::StaffBehaviour]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| DbError::Other(format!("unknown feedback category {s:?}")))
}

impl Record {
    fn into_row(self) -> DbResult<FeedbackRow> {
        Ok(FeedbackRow {
            status: FeedbackStatus::parse(&self.status).ok_or_else(|| {
                DbError::Other(format!("unknown feedback status {:?}", self.status))
            })?,
            category: category(&self.category)?,
            id: self.id,
            code: self.code,
            agency_id: self.agency_id,
            subject: self.subject,
            subject_code: self.subject_code,
            commune: self.commune,
            lat: self.lat,
            lon: self.lon,
            title: self.title,
            search: self.search,
            author_id: self.author_id,
            submitted_at: self.submitted_at,
            clock_start: self.clock_start,
            handle_by: self.handle_by,
            approved_at: self.approved_at,
            published_at: self.published_at,
            closed_at: self.closed_at,
            seq: self.seq,
            last_hash: self.last_hash,
            state: self.state,
            updated_at: self.updated_at,
        })
    }
}

/// Numbers and chains the write's events after `(seq, hash)`, inserts them with the photos,
/// reactions and notices; returns the new head.
async fn write_children(
    tx: &mut Tx,
    w: &FeedbackWrite,
    mut seq: i32,
    mut hash: String,
) -> DbResult<(i32, String)> {
    for e in &w.events {
        seq += 1;
        let at = e.at.trunc_subsecs(6);
        let prev = std::mem::take(&mut hash);
        hash = crate::event_hash(&prev, seq, at, e.actor_id, &e.actor_role, &e.kind, &e.data);
        sqlx::query(
            "INSERT INTO feedback_events (report_id, seq, at, actor_id, actor_role, kind, data, \
             prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(w.row.id)
        .bind(seq)
        .bind(at)
        .bind(e.actor_id)
        .bind(&e.actor_role)
        .bind(&e.kind)
        .bind(&e.data)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    }
    for p in &w.photos {
        sqlx::query(
            "INSERT INTO documents (sha256, media_type, size, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&p.sha256)
        .bind(&p.media_type)
        .bind(p.size)
        .bind(p.created_at)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO feedback_photos (report_id, seq, position, sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(w.row.id)
        .bind(p.seq)
        .bind(p.position)
        .bind(&p.sha256)
        .bind(p.created_at)
        .execute(&mut **tx)
        .await?;
    }
    for r in &w.reactions {
        sqlx::query(
            "INSERT INTO feedback_reactions (report_id, account_id, liked, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (report_id, account_id) DO UPDATE SET liked = excluded.liked, at = excluded.at",
        )
        .bind(w.row.id)
        .bind(r.account_id)
        .bind(r.liked)
        .bind(r.at)
        .execute(&mut **tx)
        .await?;
    }
    let now = Utc::now().trunc_subsecs(6);
    for m in &w.outbox {
        sqlx::query(
            "INSERT INTO outbox (id, feedback_id, kind, payload, created_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(m.id)
        .bind(w.row.id)
        .bind(&m.kind)
        .bind(&m.payload)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok((seq, hash))
}

pub(super) async fn create(pool: &Pool<Db>, w: &FeedbackWrite) -> DbResult<()> {
    let mut tx = begin_write(pool).await?;
    let r = &w.row;
    // The projection first (the events refer to it), its head set once they are chained.
    sqlx::query(
        "INSERT INTO feedback_reports (id, code, agency_id, status, category, subject, subject_code, \
         commune, lat, lon, title, search, author_id, submitted_at, clock_start, handle_by, \
         approved_at, published_at, closed_at, seq, last_hash, state, updated_at) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 0, '', $20, $21)",
    )
    .bind(r.id)
    .bind(&r.code)
    .bind(r.agency_id)
    .bind(r.status.as_str())
    .bind(r.category.as_str())
    .bind(&r.subject)
    .bind(&r.subject_code)
    .bind(&r.commune)
    .bind(r.lat)
    .bind(r.lon)
    .bind(&r.title)
    .bind(&r.search)
    .bind(r.author_id)
    .bind(r.submitted_at)
    .bind(r.clock_start)
    .bind(r.handle_by)
    .bind(r.approved_at)
    .bind(r.published_at)
    .bind(r.closed_at)
    .bind(&r.state)
    .bind(Utc::now())
    .execute(&mut *tx)
    .await?;
    let (seq, hash) = write_children(&mut tx, w, 0, String::new()).await?;
    sqlx::query("UPDATE feedback_reports SET seq = $1, last_hash = $2 WHERE id = $3")
        .bind(seq)
        .bind(&hash)
        .bind(r.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn append(pool: &Pool<Db>, expected: i32, w: &FeedbackWrite) -> DbResult<()> {
    let mut tx = begin_write(pool).await?;
    let r = &w.row;
    let head: Option<(i32, String)> =
        sqlx::query_as("SELECT seq, last_hash FROM feedback_reports WHERE id = $1")
            .bind(r.id)
            .fetch_optional(&mut *tx)
            .await?;
    let (seq, hash) = match head {
        None => return Err(DbError::NotFound),
        Some((s, _)) if s != expected => return Err(DbError::Conflict(Conflict::StaleVersion)),
        Some(head) => head,
    };
    let (seq, hash) = write_children(&mut tx, w, seq, hash).await?;
    let n = sqlx::query(
        "UPDATE feedback_reports SET agency_id = $1, status = $2, category = $3, clock_start = $4, \
         handle_by = $5, approved_at = $6, published_at = $7, closed_at = $8, seq = $9, \
         last_hash = $10, state = $11, updated_at = $12 WHERE id = $13 AND seq = $14",
    )
    .bind(r.agency_id)
    .bind(r.status.as_str())
    .bind(r.category.as_str())
    .bind(r.clock_start)
    .bind(r.handle_by)
    .bind(r.approved_at)
    .bind(r.published_at)
    .bind(r.closed_at)
    .bind(seq)
    .bind(&hash)
    .bind(&r.state)
    .bind(Utc::now())
    .bind(r.id)
    .bind(expected)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(DbError::Conflict(Conflict::StaleVersion));
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn by(pool: &Pool<Db>, column: &str, value: Key<'_>) -> DbResult<FeedbackRow> {
    let sql = format!("SELECT {COLUMNS} FROM feedback_reports WHERE {column} = $1");
    let q = sqlx::query_as::<_, Record>(sqlx::AssertSqlSafe(sql));
    let record = match value {
        Key::Id(id) => q.bind(id).fetch_one(pool).await?,
        Key::Code(code) => q.bind(code.to_string()).fetch_one(pool).await?,
    };
    record.into_row()
}

/// How a report is looked up.
pub(super) enum Key<'a> {
    Id(Uuid),
    Code(&'a str),
}

pub(super) async fn events(pool: &Pool<Db>, id: Uuid) -> DbResult<Vec<StoredFeedbackEvent>> {
    Ok(sqlx::query_as(
        "SELECT report_id, seq, at, actor_id, actor_role, kind, data, prev_hash, hash \
         FROM feedback_events WHERE report_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn list(pool: &Pool<Db>, q: &FeedbackQuery) -> DbResult<Page<FeedbackRow>> {
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
            for s in &q.statuses {
                sep.push_bind(s.as_str());
            }
            qb.push(")");
        }
        if let Some(c) = q.category {
            qb.push(" AND category = ").push_bind(c.as_str());
        }
        if let Some(c) = &q.commune {
            qb.push(" AND commune = ").push_bind(c.clone());
        }
        if let Some(a) = q.author {
            qb.push(" AND author_id = ").push_bind(a);
        }
        if let Some(t) = q.submitted_from {
            qb.push(" AND submitted_at >= ").push_bind(t);
        }
        if let Some(t) = q.submitted_to {
            qb.push(" AND submitted_at < ").push_bind(t);
        }
        if !q.subjects.is_empty() {
            qb.push(" AND subject IN (");
            let mut sep = qb.separated(", ");
            for s in &q.subjects {
                sep.push_bind(s.clone());
            }
            qb.push(")");
        }
        if let Some(t) = q.published_from {
            qb.push(" AND published_at >= ").push_bind(t);
        }
        if let Some(t) = q.published_to {
            qb.push(" AND published_at < ").push_bind(t);
        }
        if let Some(text) = &q.q {
            for w in text.split(' ').filter(|w| !w.is_empty()).take(8) {
                qb.push(" AND search LIKE ").push_bind(format!("% {w}%"));
            }
        }
    };
    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (SELECT 1 FROM feedback_reports");
    filters(&mut count);
    count
        .push(" LIMIT ")
        .push_bind(COUNT_CAP + 1)
        .push(") AS matches");
    let (total,): (i64,) = count.build_query_as().fetch_one(pool).await?;
    let mut qb = QueryBuilder::<Db>::new(format!("SELECT {COLUMNS} FROM feedback_reports"));
    filters(&mut qb);
    if q.newest_published_first {
        qb.push(" ORDER BY published_at DESC, code");
    } else {
        qb.push(" ORDER BY handle_by, submitted_at, code");
    }
    qb.push(" LIMIT ")
        .push_bind(q.limit.clamp(1, MAX_LIMIT))
        .push(" OFFSET ")
        .push_bind(q.offset.max(0));
    let records: Vec<Record> = qb.build_query_as().fetch_all(pool).await?;
    Ok(Page {
        items: records
            .into_iter()
            .map(Record::into_row)
            .collect::<DbResult<_>>()?,
        total,
    })
}

pub(super) async fn holds_photo(pool: &Pool<Db>, id: Uuid, sha256: &str) -> DbResult<bool> {
    let row: Option<(i32,)> = sqlx::query_as(
        "SELECT 1 FROM feedback_photos WHERE report_id = $1 AND sha256 = $2 LIMIT 1",
    )
    .bind(id)
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

pub(super) async fn agencies_serving(pool: &Pool<Db>, unit: &str) -> DbResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> =
        sqlx::query_as("SELECT id FROM agencies WHERE unit_id = $1 ORDER BY code LIMIT 100")
            .bind(unit)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub(super) async fn events_between(
    pool: &Pool<Db>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<(String, StoredFeedbackEvent)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        code: String,
        #[sqlx(flatten)]
        event: StoredFeedbackEvent,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.code, e.report_id, e.seq, e.at, e.actor_id, e.actor_role, e.kind, e.data, \
         e.prev_hash, e.hash FROM feedback_events e JOIN feedback_reports r ON r.id = e.report_id \
         WHERE e.at >= $1 AND e.at < $2 ORDER BY e.at, r.code, e.seq LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit.clamp(1, 10_000))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.event)).collect())
}
