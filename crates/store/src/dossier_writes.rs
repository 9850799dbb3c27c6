//! Dossier writes: the hash-chained events, the projection, notices, counters and the payment
//! a receipt opens, of one or many commands in one transaction, and the intake writer that group-commits new dossiers.
//!
//! Intake is the hot path: every new dossier takes the next number of its agency's day and
//! must be durable before it is acknowledged. With a single writer (SQLite) a transaction per
//! dossier spends its time in round trips, so creations queue to one task that takes whatever
//! has arrived (up to [`INTAKE_BATCH`]) and writes it in ONE transaction: one statement per
//! table for the whole batch, one commit. If anything in a batch fails, it is rolled back and
//! each creation is retried alone, so every caller gets its own outcome and no number is lost.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{Pool, QueryBuilder};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::super::{Db, begin_write};
use crate::models::*;
use crate::{Conflict, DbError, DbResult};

/// Most creations written in one transaction.
pub(super) const INTAKE_BATCH: usize = 64;
/// Rows per multi-row INSERT of children: well under both backends' bind-parameter limits.
const ROWS: usize = 400;

type Tx = sqlx::Transaction<'static, Db>;

/// One event ready to store: its number in the dossier and its place in the hash chain.
struct EventRow<'a> {
    dossier: Uuid,
    seq: i32,
    at: DateTime<Utc>,
    event: &'a NewEvent,
    prev: String,
    hash: String,
}

/// Numbers and chains `events` after the head `(seq, hash)`; returns the rows and the new head.
fn chain<'a>(
    dossier: Uuid,
    events: &'a [NewEvent],
    mut seq: i32,
    mut hash: String,
) -> (Vec<EventRow<'a>>, i32, String) {
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let at = e.at.trunc_subsecs(6);
        let prev = std::mem::take(&mut hash);
        hash = crate::event_hash(&prev, seq, at, e.actor_id, &e.actor_role, &e.kind, &e.data);
        rows.push(EventRow {
            dossier,
            seq,
            at,
            event: e,
            prev,
            hash: hash.clone(),
        });
    }
    (rows, seq, hash)
}

/// Writes the events, notices and counters of many dossier commands (one statement per table
/// and chunk).
async fn write_children(
    tx: &mut Tx,
    events: &[EventRow<'_>],
    writes: &[&DossierWrite],
) -> DbResult<()> {
    for chunk in events.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO dossier_events (dossier_id, seq, at, actor_id, actor_role, kind, data, prev_hash, hash) ",
        );
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(r.dossier)
                .push_bind(r.seq)
                .push_bind(r.at)
                .push_bind(r.event.actor_id)
                .push_bind(r.event.actor_role.clone())
                .push_bind(r.event.kind.clone())
                .push_bind(r.event.data.clone())
                .push_bind(r.prev.clone())
                .push_bind(r.hash.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    let outbox: Vec<(Uuid, &OutboxMessage)> = writes
        .iter()
        .flat_map(|w| w.outbox.iter().map(|m| (w.row.id, m)))
        .collect();
    let now = Utc::now();
    for chunk in outbox.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO outbox (id, dossier_id, kind, payload, created_at, attempts, next_attempt_at) ",
        );
        qb.push_values(chunk, |mut b, (dossier, m)| {
            b.push_bind(m.id)
                .push_bind(*dossier)
                .push_bind(m.kind.clone())
                .push_bind(m.payload.clone())
                .push_bind(now)
                .push_bind(0i32)
                .push_bind(now);
        });
        qb.build().execute(&mut **tx).await?;
    }
    // Changes to one counter are summed first: an upsert may touch a row once per statement.
    let mut sums: HashMap<(Uuid, &str, chrono::NaiveDate, &str), i64> = HashMap::new();
    let mut order = Vec::new();
    for c in writes.iter().flat_map(|w| &w.counters) {
        let key = (
            c.agency_id,
            c.procedure_code.as_str(),
            c.day,
            c.metric.as_str(),
        );
        match sums.get_mut(&key) {
            Some(v) => *v += c.delta,
            None => {
                sums.insert(key, c.delta);
                order.push(key);
            }
        }
    }
    // A level raised and taken back in the same write changes nothing.
    order.retain(|k| sums[k] != 0);
    for chunk in order.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO stat_daily (agency_id, procedure_code, day, metric, value) ",
        );
        qb.push_values(chunk, |mut b, key| {
            b.push_bind(key.0)
                .push_bind(key.1.to_string())
                .push_bind(key.2)
                .push_bind(key.3.to_string())
                .push_bind(sums[key]);
        });
        qb.push(
            " ON CONFLICT (agency_id, procedure_code, day, metric) DO UPDATE SET value = stat_daily.value + excluded.value",
        );
        qb.build().execute(&mut **tx).await?;
    }
    // The monthly subtree sums, in the same transaction.
    super::stats_sql::roll_up(tx, order.iter().map(|k| (k.0, k.1, k.2, k.3, sums[k]))).await?;
    for p in writes.iter().filter_map(|w| w.payment.as_ref()) {
        super::payments_sql::write_on(tx, 0, p).await?;
    }
    Ok(())
}

/// Inserts new dossiers: projections, chained events, notices and counters. Returns the
/// stored head of each (`seq`, `last_hash`) and the `updated_at` they were given.
pub(super) async fn insert_new(
    tx: &mut Tx,
    writes: &[&DossierWrite],
) -> DbResult<(Vec<(i32, String)>, DateTime<Utc>)> {
    let mut events = Vec::new();
    let mut heads = Vec::with_capacity(writes.len());
    for w in writes {
        let (rows, seq, hash) = chain(w.row.id, &w.events, 0, String::new());
        events.extend(rows);
        heads.push((&w.row, seq, hash));
    }
    let now = Utc::now();
    // 22 binds a row.
    for chunk in heads.chunks(ROWS / 4) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO dossiers (id, code, agency_id, intake_agency_id, province_code, procedure_code, \
             procedure_version, channel, status, applicant_name, applicant_key, search, submitted_at, received_at, \
             appointment, paused_at, finished_at, returned_at, seq, last_hash, state, updated_at) ",
        );
        qb.push_values(chunk, |mut b, (r, seq, hash)| {
            b.push_bind(r.id)
                .push_bind(r.code.clone())
                .push_bind(r.agency_id)
                .push_bind(r.intake_agency_id)
                .push_bind(r.province_code.clone())
                .push_bind(r.procedure_code.clone())
                .push_bind(r.procedure_version)
                .push_bind(r.channel.key())
                .push_bind(r.status.as_str())
                .push_bind(r.applicant_name.clone())
                .push_bind(r.applicant_key.clone())
                .push_bind(r.search.clone())
                .push_bind(r.submitted_at)
                .push_bind(r.received_at)
                .push_bind(r.appointment)
                .push_bind(r.paused_at)
                .push_bind(r.finished_at)
                .push_bind(r.returned_at)
                .push_bind(*seq)
                .push_bind(hash.clone())
                .push_bind(r.state.clone())
                .push_bind(now);
        });
        qb.build().execute(&mut **tx).await?;
    }
    write_children(tx, &events, writes).await?;
    Ok((
        heads
            .into_iter()
            .map(|(_, seq, hash)| (seq, hash))
            .collect(),
        now,
    ))
}

/// Appends a command to a stored dossier still at `expected`: events chained after its head,
/// the projection replaced, notices and counters.
pub(super) async fn append(tx: &mut Tx, w: &DossierWrite, expected: i32) -> DbResult<()> {
    let head: Option<(i32, String)> =
        sqlx::query_as("SELECT seq, last_hash FROM dossiers WHERE id = $1")
            .bind(w.row.id)
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, hash) = match head {
        None => return Err(DbError::NotFound),
        Some((s, _)) if s != expected => return Err(DbError::Conflict(Conflict::StaleVersion)),
        Some(head) => head,
    };
    let (events, seq, hash) = chain(w.row.id, &w.events, seq, hash);
    let r = &w.row;
    let n = sqlx::query(
        "UPDATE dossiers SET agency_id = $1, status = $2, received_at = $3, appointment = $4, finished_at = $5, \
         returned_at = $6, seq = $7, last_hash = $8, state = $9, updated_at = $10, search = $11, paused_at = $14 \
         WHERE id = $12 AND seq = $13",
    )
    .bind(r.agency_id)
    .bind(r.status.as_str())
    .bind(r.received_at)
    .bind(r.appointment)
    .bind(r.finished_at)
    .bind(r.returned_at)
    .bind(seq)
    .bind(&hash)
    .bind(&r.state)
    .bind(Utc::now())
    .bind(&r.search)
    .bind(r.id)
    .bind(expected)
    .bind(r.paused_at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(DbError::Conflict(Conflict::StaleVersion));
    }
    write_children(tx, &events, &[w]).await
}

/// A creation waiting for the intake writer.
pub(super) struct CreateJob {
    pub agency_code: String,
    pub day: String,
    pub key: Option<IdempotencyKey>,
    pub make: MakeDossier,
    pub reply: oneshot::Sender<DbResult<Created>>,
}

/// Starts the intake writer on `pool`; it stops when the returned sender is dropped. Each
/// committed dossier's projection goes into `rows` (the store's cache by code), so the reply's
/// read of the new dossier does not go back to the database.
pub(super) fn spawn_intake(
    pool: Pool<Db>,
    rows: moka::sync::Cache<String, DossierRow>,
) -> mpsc::Sender<CreateJob> {
    let (tx, mut rx) = mpsc::channel::<CreateJob>(INTAKE_BATCH * 8);
    tokio::spawn(async move {
        let mut jobs = Vec::with_capacity(INTAKE_BATCH);
        while rx.recv_many(&mut jobs, INTAKE_BATCH).await > 0 {
            let outcomes = match create_batch(&pool, &rows, &jobs).await {
                Ok(outcomes) => outcomes,
                Err(e) if jobs.len() == 1 => vec![Err(e)],
                Err(_) => {
                    let mut outcomes = Vec::with_capacity(jobs.len());
                    for job in &jobs {
                        outcomes.push(
                            create_batch(&pool, &rows, std::slice::from_ref(job))
                                .await
                                .and_then(|mut o| o.pop().unwrap_or(Err(DbError::NotFound))),
                        );
                    }
                    outcomes
                }
            };
            for (job, outcome) in jobs.drain(..).zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
    });
    tx
}

/// What a creation in a batch turns out to be.
enum Plan {
    /// Its idempotency key was used by an earlier request with the same body.
    Existing(String),
    /// Its idempotency key was used by an earlier request with another body.
    Reused,
    /// Its key is the same as that of the earlier job at this index in the batch.
    SameAs(usize),
    New,
}

/// Writes a batch of creations in one transaction. Errors abort the whole batch.
async fn create_batch(
    pool: &Pool<Db>,
    rows: &moka::sync::Cache<String, DossierRow>,
    jobs: &[CreateJob],
) -> DbResult<Vec<DbResult<Created>>> {
    let mut tx = begin_write(pool).await?;
    let keys: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j.key.as_ref().map(|k| k.key.as_str()))
        .collect();
    let mut known: HashMap<String, (String, String)> = HashMap::new();
    if !keys.is_empty() {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT k.key, d.code, k.fingerprint FROM idempotency_keys k JOIN dossiers d ON d.id = k.dossier_id WHERE k.key IN (",
        );
        let mut sep = qb.separated(", ");
        for k in &keys {
            sep.push_bind(k.to_string());
        }
        qb.push(")");
        known = qb
            .build_query_as::<(String, String, String)>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(k, code, fingerprint)| (k, (code, fingerprint)))
            .collect();
    }
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    let mut plans = Vec::with_capacity(jobs.len());
    // Numbers wanted per agency and day, in order of first appearance.
    let mut wanted: Vec<(&str, &str, i32)> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if let Some(k) = &job.key {
            if let Some((code, fingerprint)) = known.get(&k.key) {
                plans.push(if *fingerprint == k.fingerprint {
                    Plan::Existing(code.clone())
                } else {
                    Plan::Reused
                });
                continue;
            }
            if let Some(&first) = first_with_key.get(k.key.as_str()) {
                let same = jobs[first]
                    .key
                    .as_ref()
                    .is_some_and(|f| f.fingerprint == k.fingerprint);
                plans.push(if same {
                    Plan::SameAs(first)
                } else {
                    Plan::Reused
                });
                continue;
            }
            first_with_key.insert(&k.key, i);
        }
        match wanted
            .iter_mut()
            .find(|(a, d, _)| *a == job.agency_code && *d == job.day)
        {
            Some(w) => w.2 += 1,
            None => wanted.push((&job.agency_code, &job.day, 1)),
        }
        plans.push(Plan::New);
    }
    let mut next: HashMap<(String, String), u32> = HashMap::new();
    if !wanted.is_empty() {
        let mut qb =
            QueryBuilder::<Db>::new("INSERT INTO dossier_sequences (agency_code, day, last) ");
        qb.push_values(&wanted, |mut b, (a, d, n)| {
            b.push_bind(a.to_string())
                .push_bind(d.to_string())
                .push_bind(*n);
        });
        qb.push(
            " ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + excluded.last \
             RETURNING agency_code, day, last",
        );
        let rows: Vec<(String, String, i32)> = qb.build_query_as().fetch_all(&mut *tx).await?;
        for (agency, day, last) in rows {
            let n = wanted
                .iter()
                .find(|(a, d, _)| *a == agency && *d == day)
                .map_or(0, |w| w.2);
            next.insert((agency, day), (last - n + 1) as u32);
        }
    }
    let mut writes = Vec::new();
    for (job, plan) in jobs.iter().zip(&plans) {
        if matches!(plan, Plan::New) {
            let seq = next
                .get_mut(&(job.agency_code.clone(), job.day.clone()))
                .ok_or_else(|| DbError::Other("sequence not allocated".into()))?;
            writes.push((job.make)(*seq).map_err(DbError::Other)?);
            *seq += 1;
        }
    }
    let (heads, now) = insert_new(&mut tx, &writes.iter().collect::<Vec<_>>()).await?;
    let keyed: Vec<(&IdempotencyKey, Uuid)> = jobs
        .iter()
        .zip(&plans)
        .filter(|(_, p)| matches!(p, Plan::New))
        .zip(&writes)
        .filter_map(|((job, _), w)| job.key.as_ref().map(|k| (k, w.row.id)))
        .collect();
    if !keyed.is_empty() {
        let now = Utc::now();
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO idempotency_keys (key, user_id, dossier_id, created_at, fingerprint) ",
        );
        qb.push_values(&keyed, |mut b, (k, d)| {
            b.push_bind(k.key.clone())
                .push_bind(k.user)
                .push_bind(*d)
                .push_bind(now)
                .push_bind(k.fingerprint.clone());
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    for (w, (seq, hash)) in writes.iter().zip(heads) {
        let mut row = w.row.clone();
        (row.seq, row.last_hash, row.updated_at) = (seq, hash, now);
        rows.insert(row.code.clone(), row);
    }
    let mut codes = writes.iter().map(|w| w.row.code.clone());
    let mut out: Vec<DbResult<Created>> = Vec::with_capacity(jobs.len());
    let mut made: Vec<Option<String>> = Vec::with_capacity(jobs.len());
    for plan in &plans {
        match plan {
            Plan::Existing(code) => {
                made.push(None);
                out.push(Ok(Created::Existing(code.clone())));
            }
            Plan::Reused => {
                made.push(None);
                out.push(Err(DbError::Conflict(Conflict::IdempotencyKeyReused)));
            }
            Plan::SameAs(first) => {
                let code = made[*first].clone().unwrap_or_default();
                made.push(None);
                out.push(Ok(Created::Existing(code)));
            }
            Plan::New => {
                let code = codes.next().unwrap_or_default();
                made.push(Some(code.clone()));
                out.push(Ok(Created::New(code)));
            }
        }
    }
    Ok(out)
}
