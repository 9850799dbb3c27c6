//! The outbox's delivery: claims with a lease, outcomes, the administrators' list and retry.
//! Part of the one SQL body (included from `sql.rs`, compiled once per backend).
//!
//! A claim is ONE statement: it takes due pending messages and, in the same statement, moves
//! their next attempt to the end of the lease and counts the attempt. Two workers (two
//! `motcua serve` processes on one database) therefore never hold the same message: on
//! PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED` and the outer condition is
//! checked again on the locked row; on SQLite the statement holds the database's write lock.
//! Outcomes are recorded only by the holder of the claim (`attempts` must still be the one it
//! claimed), so a worker whose lease ran out cannot overwrite what another recorded.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::super::{BACKEND, Db};
use crate::{
    Backend, Conflict, DbError, DbResult, OutboxOutcome, OutboxQuery, OutboxRow, OutboxStatus, Page,
};

const COLUMNS: &str = "id, dossier_id, feedback_id, kind, payload, status, created_at, attempts, \
                       next_attempt_at, sent_at, failed_at, last_error, leased_until";

/// Longest error text kept (a server's answer can be long).
const MAX_ERROR: usize = 1000;

/// The messages for other systems (the `outbox_integration_due` index's condition).
const INTEGRATION: &str = "AND kind LIKE 'integration.%'";
/// The notices to citizens: everything else.
const NOT_INTEGRATION: &str = "AND kind NOT LIKE 'integration.%'";

#[derive(sqlx::FromRow)]
struct Record {
    id: Uuid,
    dossier_id: Option<Uuid>,
    feedback_id: Option<Uuid>,
    kind: String,
    payload: String,
    status: String,
    created_at: DateTime<Utc>,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    leased_until: Option<DateTime<Utc>>,
}

impl Record {
    fn into_row(self) -> DbResult<OutboxRow> {
        let status = OutboxStatus::parse(&self.status)
            .ok_or_else(|| DbError::Other(format!("unknown outbox status {:?}", self.status)))?;
        Ok(OutboxRow {
            id: self.id,
            dossier_id: self.dossier_id,
            feedback_id: self.feedback_id,
            kind: self.kind,
            payload: self.payload,
            status,
            created_at: self.created_at,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            sent_at: self.sent_at,
            failed_at: self.failed_at,
            last_error: self.last_error,
            leased_until: self.leased_until,
        })
    }
}

fn rows(records: Vec<Record>) -> DbResult<Vec<OutboxRow>> {
    records.into_iter().map(Record::into_row).collect()
}

/// Instants are stored to the microsecond (as the events are), so that stored texts compare
/// in time order on SQLite.
fn instant(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn clip(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR) {
        Some((i, _)) => format!("{}…", &error[..i]),
        None => error.to_string(),
    }
}

/// Claims up to `limit` due pending messages, oldest due first, for `lease`: the notices, or
/// with `integration` the messages for other systems (`integration.*` kinds).
pub(super) async fn claim(
    write: &Pool<Db>,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
    integration: bool,
) -> DbResult<Vec<OutboxRow>> {
    let now = instant(now);
    let until = instant(now + lease);
    let (kinds, index) = if integration {
        (INTEGRATION, "outbox_integration_due")
    } else {
        (NOT_INTEGRATION, "outbox_notices_due")
    };
    // SQLite's planner prefers `outbox_due` (status, next_attempt_at) and then tests the kind
    // of every due message of the other worker: it is told to use the partial index that
    // holds only this worker's messages.
    let from = match BACKEND {
        Backend::Sqlite => format!("outbox INDEXED BY {index}"),
        Backend::Postgres => "outbox".to_string(),
    };
    let pick = format!(
        "SELECT id FROM {from} WHERE status = 'pending' AND next_attempt_at <= $1 {kinds} \
         ORDER BY next_attempt_at LIMIT $3"
    );
    let set = "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, leased_until = $2";
    let sql = match BACKEND {
        // The chosen rows are locked once, in a materialised CTE: a subquery under `IN` may
        // be run again by the planner and claim more than `limit`. The condition is checked
        // again on each locked row (another worker may have claimed it meanwhile).
        Backend::Postgres => format!(
            "WITH picked AS MATERIALIZED ({pick} FOR UPDATE SKIP LOCKED) \
             {set} WHERE id IN (SELECT id FROM picked) \
             AND status = 'pending' AND next_attempt_at <= $1 RETURNING {COLUMNS}"
        ),
        // SQLite holds the write lock for the statement: no second check (with one it walks
        // every due message of `outbox_due`, a backlog under load, instead of finding the
        // chosen ones by key).
        Backend::Sqlite => format!("{set} WHERE id IN ({pick}) RETURNING {COLUMNS}"),
    };
    let records: Vec<Record> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(until)
        .bind(limit)
        .fetch_all(write)
        .await?;
    rows(records)
}

/// Records the outcome of attempt `attempt`; `false` when that claim is no longer held.
pub(super) async fn finish(
    write: &Pool<Db>,
    id: Uuid,
    attempt: i32,
    now: DateTime<Utc>,
    outcome: &OutboxOutcome,
) -> DbResult<bool> {
    let mut conn = write.acquire().await?;
    finish_on(&mut conn, id, attempt, now, outcome).await
}

/// Records several outcomes in one transaction; how many claims were still held.
pub(super) async fn finish_many(
    write: &Pool<Db>,
    now: DateTime<Utc>,
    outcomes: &[(Uuid, i32, OutboxOutcome)],
) -> DbResult<usize> {
    let mut tx = super::super::begin_write(write).await?;
    let mut held = 0;
    for (id, attempt, outcome) in outcomes {
        held += usize::from(finish_on(&mut tx, *id, *attempt, now, outcome).await?);
    }
    tx.commit().await?;
    Ok(held)
}

pub(super) async fn finish_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    id: Uuid,
    attempt: i32,
    now: DateTime<Utc>,
    outcome: &OutboxOutcome,
) -> DbResult<bool> {
    let now = instant(now);
    let mut qb = QueryBuilder::<Db>::new("UPDATE outbox SET leased_until = NULL, ");
    match outcome {
        OutboxOutcome::Sent => {
            qb.push("status = 'sent', sent_at = ").push_bind(now);
        }
        OutboxOutcome::Retry { error, at } => {
            qb.push("next_attempt_at = ")
                .push_bind(instant(*at))
                .push(", last_error = ")
                .push_bind(clip(error));
        }
        OutboxOutcome::Failed { error } => {
            qb.push("status = 'failed', failed_at = ")
                .push_bind(now)
                .push(", last_error = ")
                .push_bind(clip(error));
        }
        OutboxOutcome::Skipped { reason } => {
            qb.push("status = 'skipped', failed_at = ")
                .push_bind(now)
                .push(", last_error = ")
                .push_bind(clip(reason));
        }
    }
    qb.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND attempts = ")
        .push_bind(attempt)
        .push(" AND status = 'pending'");
    let done = qb.build().execute(&mut *conn).await?.rows_affected();
    Ok(done == 1)
}

pub(super) async fn get(read: &Pool<Db>, id: Uuid) -> DbResult<OutboxRow> {
    let record: Record = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(read)
    .await?;
    record.into_row()
}

/// A page of messages, newest first.
pub(super) async fn list(read: &Pool<Db>, q: &OutboxQuery) -> DbResult<Page<OutboxRow>> {
    let filters = |qb: &mut QueryBuilder<Db>| {
        qb.push(" WHERE 1 = 1 ").push(NOT_INTEGRATION);
        if let Some(s) = q.status {
            qb.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(d) = q.dossier_id {
            qb.push(" AND dossier_id = ").push_bind(d);
        }
    };
    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM outbox");
    filters(&mut count);
    let (total,): (i64,) = count.build_query_as().fetch_one(read).await?;
    let mut qb = QueryBuilder::<Db>::new(format!("SELECT {COLUMNS} FROM outbox"));
    filters(&mut qb);
    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(q.limit)
        .push(" OFFSET ")
        .push_bind(q.offset);
    let records: Vec<Record> = qb.build_query_as().fetch_all(read).await?;
    Ok(Page {
        items: rows(records)?,
        total,
    })
}

/// Puts a message back in the queue, due at `now`, with its attempts reset; a sent message or
/// one a worker holds is a conflict.
pub(super) async fn retry(write: &Pool<Db>, id: Uuid, now: DateTime<Utc>) -> DbResult<OutboxRow> {
    let now = instant(now);
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, \
         failed_at = NULL, leased_until = NULL \
         WHERE id = $1 AND status <> 'sent' AND (leased_until IS NULL OR leased_until <= $2)",
    )
    .bind(id)
    .bind(now)
    .execute(write)
    .await?
    .rows_affected();
    let row = get(write, id).await?;
    if done == 0 {
        return Err(DbError::Conflict(match row.status {
            OutboxStatus::Sent => Conflict::OutboxSent,
            _ => Conflict::OutboxInFlight,
        }));
    }
    Ok(row)
}
