//! Statistics SQL (part of the one SQL body, included from `sql.rs`): the monthly subtree
//! roll-up kept with every counter write, sums of a unit's counters over days, the overdue
//! dossiers of the projection, and the rebuild of every counter from the event log.
//!
//! `stat_daily (agency, procedure, day, metric)` is the truth. `stat_monthly (agency, metric,
//! month)` holds each agency's subtree sums per month (every ancestor of a cell's agency gets
//! its value, through `agency_closure`), written in the same transaction as the cells
//! ([`roll_up`]). A sum over days ([`sums`]) reads whole months from the roll-up and only the
//! partial months at either end from the daily cells (index `stat_daily_agency_day`); sums per
//! procedure read the daily cells.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::dossier::Status;
use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::super::{BACKEND, Db, begin_write};
use crate::models::{CounterDelta, StoredEvent};
use crate::stat_models::*;
use crate::{Backend, DbResult};

type Tx = sqlx::Transaction<'static, Db>;

/// Rows per multi-row statement: well under both backends' bind-parameter limits.
const ROWS: usize = 400;
/// Agencies named in one `IN (...)` list.
const IDS: usize = 2000;

use crate::stat_models::month_start as month_of;

/// Adds counter changes `(agency, procedure, day, metric, delta)` to the monthly subtree sums
/// of the agency and every ancestor (and per procedure for [`PROCEDURE_ROLLUP_METRICS`]), in a
/// fixed order, so concurrent writers lock rows in the same order.
pub(super) async fn roll_up<'a>(
    tx: &mut Tx,
    cells: impl IntoIterator<Item = (Uuid, &'a str, NaiveDate, &'a str, i64)>,
) -> DbResult<()> {
    let mut all: HashMap<(Uuid, NaiveDate, &str), i64> = HashMap::new();
    let mut per: HashMap<(Uuid, &str, NaiveDate, &str), i64> = HashMap::new();
    for (agency, procedure, day, metric, delta) in cells {
        let month = month_of(day);
        *all.entry((agency, month, metric)).or_default() += delta;
        if PROCEDURE_ROLLUP_METRICS.contains(&metric) {
            *per.entry((agency, procedure, month, metric)).or_default() += delta;
        }
    }
    let mut rows: Vec<_> = all.into_iter().filter(|(_, v)| *v != 0).collect();
    rows.sort_unstable();
    for chunk in rows.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO stat_monthly (agency_id, month, metric, value) \
             SELECT c.ancestor_id, v.column2, v.column3, SUM(v.column4) FROM (",
        );
        qb.push_values(chunk, |mut b, ((agency, month, metric), value)| {
            b.push_bind(*agency)
                .push_bind(*month)
                .push_bind(metric.to_string())
                .push_bind(*value);
        });
        qb.push(
            ") AS v CROSS JOIN agency_closure c WHERE c.agency_id = v.column1 \
             GROUP BY c.ancestor_id, v.column2, v.column3 ORDER BY 1, 3, 2 \
             ON CONFLICT (agency_id, metric, month) DO UPDATE SET value = stat_monthly.value + excluded.value",
        );
        qb.build().execute(&mut **tx).await?;
    }
    let mut rows: Vec<_> = per.into_iter().filter(|(_, v)| *v != 0).collect();
    rows.sort_unstable();
    for chunk in rows.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO stat_monthly_procedure (agency_id, procedure_code, month, metric, value) \
             SELECT c.ancestor_id, v.column2, v.column3, v.column4, SUM(v.column5) FROM (",
        );
        qb.push_values(
            chunk,
            |mut b, ((agency, procedure, month, metric), value)| {
                b.push_bind(*agency)
                    .push_bind(procedure.to_string())
                    .push_bind(*month)
                    .push_bind(metric.to_string())
                    .push_bind(*value);
            },
        );
        qb.push(
            ") AS v CROSS JOIN agency_closure c WHERE c.agency_id = v.column1 \
             GROUP BY c.ancestor_id, v.column2, v.column3, v.column4 ORDER BY 1, 4, 3, 2 \
             ON CONFLICT (agency_id, metric, month, procedure_code) \
             DO UPDATE SET value = stat_monthly_procedure.value + excluded.value",
        );
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Recomputes the whole monthly roll-up from the daily cells.
async fn roll_up_all(tx: &mut Tx) -> DbResult<()> {
    for table in ["stat_monthly", "stat_monthly_procedure"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut **tx)
            .await?;
    }
    let month = match BACKEND {
        Backend::Sqlite => "substr(s.day, 1, 8) || '01'",
        Backend::Postgres => "CAST(date_trunc('month', s.day) AS DATE)",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO stat_monthly (agency_id, month, metric, value) \
         SELECT c.ancestor_id, {month}, s.metric, SUM(s.value) \
         FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id WHERE TRUE \
         GROUP BY c.ancestor_id, {month}, s.metric"
    )))
    .execute(&mut **tx)
    .await?;
    let metrics = PROCEDURE_ROLLUP_METRICS
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO stat_monthly_procedure (agency_id, procedure_code, month, metric, value) \
         SELECT c.ancestor_id, s.procedure_code, {month}, s.metric, SUM(s.value) \
         FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id \
         WHERE s.metric IN ({metrics}) \
         GROUP BY c.ancestor_id, s.procedure_code, {month}, s.metric"
    )))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn push_in<T>(qb: &mut QueryBuilder<Db>, column: &str, values: &[T])
where
    T: Clone + Send + 'static + for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db>,
{
    qb.push(format_args!(" AND {column} IN ("));
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    qb.push(")");
}

/// Sums from the daily cells of the subtrees of `roots` over `from..=to`.
async fn daily_sums(
    pool: &Pool<Db>,
    roots: &[Uuid],
    from: Option<NaiveDate>,
    to: NaiveDate,
    q: &StatSumQuery,
    out: &mut HashMap<(Uuid, Option<String>, String), i64>,
) -> DbResult<()> {
    let by_procedure = q.by_procedure;
    let mut qb = QueryBuilder::<Db>::new(if by_procedure {
        "SELECT c.ancestor_id, s.procedure_code, s.metric, CAST(SUM(s.value) AS BIGINT)"
    } else {
        "SELECT c.ancestor_id, '', s.metric, CAST(SUM(s.value) AS BIGINT)"
    });
    qb.push(" FROM agency_closure c JOIN stat_daily s ON s.agency_id = c.agency_id WHERE TRUE");
    push_in(&mut qb, "c.ancestor_id", roots);
    if let Some(from) = from {
        qb.push(" AND s.day >= ").push_bind(from);
    }
    qb.push(" AND s.day <= ").push_bind(to);
    if !q.metrics.is_empty() {
        push_in(&mut qb, "s.metric", &q.metrics);
    }
    if !q.procedures.is_empty() {
        push_in(&mut qb, "s.procedure_code", &q.procedures);
    }
    qb.push(if by_procedure {
        " GROUP BY c.ancestor_id, s.procedure_code, s.metric"
    } else {
        " GROUP BY c.ancestor_id, s.metric"
    });
    let rows: Vec<(Uuid, String, String, i64)> = qb.build_query_as().fetch_all(pool).await?;
    for (root, procedure, metric, value) in rows {
        let procedure = by_procedure.then_some(procedure);
        *out.entry((root, procedure, metric)).or_default() += value;
    }
    Ok(())
}

/// Sums from the monthly roll-up of `roots` over the months `from..=to` (first days); per
/// procedure from its procedure table (only [`PROCEDURE_ROLLUP_METRICS`]).
async fn monthly_sums(
    pool: &Pool<Db>,
    roots: &[Uuid],
    from: Option<NaiveDate>,
    to: NaiveDate,
    q: &StatSumQuery,
    out: &mut HashMap<(Uuid, Option<String>, String), i64>,
) -> DbResult<()> {
    let per = q.by_procedure || !q.procedures.is_empty();
    let mut qb = QueryBuilder::<Db>::new(if q.by_procedure {
        "SELECT agency_id, procedure_code, metric, CAST(SUM(value) AS BIGINT) FROM stat_monthly_procedure WHERE TRUE"
    } else if per {
        "SELECT agency_id, '', metric, CAST(SUM(value) AS BIGINT) FROM stat_monthly_procedure WHERE TRUE"
    } else {
        "SELECT agency_id, '', metric, CAST(SUM(value) AS BIGINT) FROM stat_monthly WHERE TRUE"
    });
    push_in(&mut qb, "agency_id", roots);
    if !q.metrics.is_empty() {
        push_in(&mut qb, "metric", &q.metrics);
    }
    if !q.procedures.is_empty() {
        push_in(&mut qb, "procedure_code", &q.procedures);
    }
    if let Some(from) = from {
        qb.push(" AND month >= ").push_bind(from);
    }
    qb.push(" AND month <= ").push_bind(to);
    qb.push(if q.by_procedure {
        " GROUP BY agency_id, procedure_code, metric"
    } else {
        " GROUP BY agency_id, metric"
    });
    let rows: Vec<(Uuid, String, String, i64)> = qb.build_query_as().fetch_all(pool).await?;
    for (root, procedure, metric, value) in rows {
        let procedure = q.by_procedure.then_some(procedure);
        *out.entry((root, procedure, metric)).or_default() += value;
    }
    Ok(())
}

/// Sums of counters per root (and procedure) over days, see [`StatSumQuery`].
pub(super) async fn sums(pool: &Pool<Db>, q: &StatSumQuery) -> DbResult<Vec<StatSum>> {
    let mut out: HashMap<(Uuid, Option<String>, String), i64> = HashMap::new();
    if q.from.is_some_and(|f| f > q.to) {
        return Ok(Vec::new());
    }
    // Per procedure, the roll-up holds only a few metrics.
    let per = q.by_procedure || !q.procedures.is_empty();
    let rolled_up = !per
        || (!q.metrics.is_empty()
            && q.metrics
                .iter()
                .all(|m| PROCEDURE_ROLLUP_METRICS.contains(&m.as_str())));
    for roots in q.roots.chunks(IDS) {
        if !rolled_up {
            daily_sums(pool, roots, q.from, q.to, q, &mut out).await?;
            continue;
        }
        // Whole months from the roll-up; the partial months at either end from the cells.
        let split = split_days(q.from, q.to);
        if let Some((first, last)) = split.months {
            monthly_sums(pool, roots, first, last, q, &mut out).await?;
        }
        for (from, to) in split.days {
            daily_sums(pool, roots, Some(from), to, q, &mut out).await?;
        }
    }
    Ok(out
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((root, procedure_code, metric), value)| StatSum {
            root,
            procedure_code,
            metric,
            value,
        })
        .collect())
}

/// The monthly series of one subtree over the months `from..=to` (first days).
pub(super) async fn series(
    pool: &Pool<Db>,
    root: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    metrics: &[String],
) -> DbResult<Vec<StatMonth>> {
    let mut qb =
        QueryBuilder::<Db>::new("SELECT month, metric, value FROM stat_monthly WHERE agency_id = ");
    qb.push_bind(root);
    if !metrics.is_empty() {
        push_in(&mut qb, "metric", metrics);
    }
    qb.push(" AND month >= ").push_bind(month_of(from));
    qb.push(" AND month <= ").push_bind(month_of(to));
    qb.push(" ORDER BY month, metric");
    let rows: Vec<(NaiveDate, String, i64)> = qb.build_query_as().fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(month, metric, value)| StatMonth {
            month,
            metric,
            value,
        })
        .collect())
}

/// The in-progress status whose clock is paused: judged at `paused_at`, not now.
const PAUSED: Status = Status::AwaitingSupplement;

/// The other statuses of a received dossier not finished ([`Status::is_in_progress`]): their
/// clock runs.
fn running() -> Vec<String> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_in_progress() && *s != PAUSED)
        .map(|s| s.as_str().to_string())
        .collect()
}

/// The operator's gauges at `at` (see [`OpsGauges`]); overdue by the same rule as [`overdue`].
pub(super) async fn gauges(pool: &Pool<Db>, at: DateTime<Utc>) -> DbResult<OpsGauges> {
    let paused = PAUSED.as_str();
    let running = running()
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let (open, overdue): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN appointment < $1 AND (status IN ({running}) \
         OR appointment < paused_at) THEN 1 ELSE 0 END), 0) \
         FROM dossiers WHERE status IN ({running}, '{paused}')"
    )))
    .bind(at)
    .fetch_one(pool)
    .await?;
    let (due, pending, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' AND next_attempt_at <= $1 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) \
         FROM outbox WHERE status IN ('pending', 'failed')",
    )
    .bind(at)
    .fetch_one(pool)
    .await?;
    Ok(OpsGauges {
        open_dossiers: open,
        overdue_dossiers: overdue,
        outbox_due: due,
        outbox_pending: pending,
        outbox_failed: failed,
    })
}

/// Received dossiers in progress now past their effective appointment, see [`OverdueQuery`]
/// (the rule of `motcua_domain::dossier::timeliness::overdue_at`, on `appointment` and
/// `paused_at`).
pub(super) async fn overdue(pool: &Pool<Db>, q: &OverdueQuery) -> DbResult<Vec<OverdueCount>> {
    let mut out: HashMap<(Uuid, Option<String>), (i64, i64)> = HashMap::new();
    let group = |qb: &mut QueryBuilder<Db>| {
        qb.push(if q.by_procedure {
            " GROUP BY c.ancestor_id, d.procedure_code"
        } else {
            " GROUP BY c.ancestor_id"
        });
    };
    let select = if q.by_procedure {
        "SELECT c.ancestor_id, d.procedure_code, COUNT(*)"
    } else {
        "SELECT c.ancestor_id, '', COUNT(*)"
    };
    for roots in q.roots.chunks(IDS) {
        let filters = |qb: &mut QueryBuilder<Db>| {
            qb.push(
                " FROM agency_closure c JOIN dossiers d ON d.agency_id = c.agency_id WHERE TRUE",
            );
            push_in(qb, "c.ancestor_id", roots);
            if !q.procedures.is_empty() {
                push_in(qb, "d.procedure_code", &q.procedures);
            }
        };
        let mut queries: Vec<(QueryBuilder<Db>, bool)> = Vec::new();
        // Running: past the appointment now (the index range of dossiers_agency_status).
        let mut qb = QueryBuilder::<Db>::new(select);
        filters(&mut qb);
        push_in(&mut qb, "d.status", &running());
        qb.push(" AND d.appointment < ").push_bind(q.at);
        group(&mut qb);
        queries.push((qb, false));
        // Waiting for a supplement: judged when the clock stopped.
        let mut qb = QueryBuilder::<Db>::new(select);
        filters(&mut qb);
        qb.push(" AND d.status = ").push_bind(PAUSED.as_str());
        qb.push(" AND d.appointment < ").push_bind(q.at);
        qb.push(" AND d.appointment < d.paused_at");
        group(&mut qb);
        queries.push((qb, false));
        if let Some(soon) = q.due_before {
            let mut qb = QueryBuilder::<Db>::new(select);
            filters(&mut qb);
            push_in(&mut qb, "d.status", &running());
            qb.push(" AND d.appointment >= ").push_bind(q.at);
            qb.push(" AND d.appointment < ").push_bind(soon);
            group(&mut qb);
            queries.push((qb, true));
        }
        for (mut qb, soon) in queries {
            let rows: Vec<(Uuid, String, i64)> = qb.build_query_as().fetch_all(pool).await?;
            for (root, procedure, n) in rows {
                let e = out
                    .entry((root, q.by_procedure.then_some(procedure)))
                    .or_default();
                if soon {
                    e.1 += n;
                } else {
                    e.0 += n;
                }
            }
        }
    }
    Ok(out
        .into_iter()
        .map(
            |((root, procedure_code), (overdue, due_soon))| OverdueCount {
                root,
                procedure_code,
                overdue,
                due_soon,
            },
        )
        .collect())
}

/// Every daily cell and every monthly roll-up row not at 0 (a level taken back leaves its
/// cell at 0; a rebuild writes none), for checks on small databases.
pub(super) async fn dump(pool: &Pool<Db>) -> DbResult<(Vec<CounterDelta>, Vec<RollupRow>)> {
    let daily: Vec<(Uuid, String, NaiveDate, String, i64)> = sqlx::query_as(
        "SELECT agency_id, procedure_code, day, metric, value FROM stat_daily WHERE value <> 0 \
         ORDER BY agency_id, procedure_code, day, metric",
    )
    .fetch_all(pool)
    .await?;
    let monthly: Vec<(Uuid, String, NaiveDate, String, i64)> = sqlx::query_as(
        "SELECT agency_id, '', month, metric, value FROM stat_monthly WHERE value <> 0 \
         UNION ALL SELECT agency_id, procedure_code, month, metric, value FROM stat_monthly_procedure \
         WHERE value <> 0",
    )
    .fetch_all(pool)
    .await?;
    let mut rollup: Vec<RollupRow> = monthly
        .into_iter()
        .map(|(agency_id, procedure, month, metric, value)| RollupRow {
            agency_id,
            procedure_code: (!procedure.is_empty()).then_some(procedure),
            month,
            metric,
            value,
        })
        .collect();
    rollup.sort();
    Ok((
        daily
            .into_iter()
            .map(
                |(agency_id, procedure_code, day, metric, delta)| CounterDelta {
                    agency_id,
                    procedure_code,
                    day,
                    metric,
                    delta,
                },
            )
            .collect(),
        rollup,
    ))
}

/// Dossiers read per page by the rebuild.
const REBUILD_PAGE: i64 = 500;
/// Distinct cells held in memory before they are written.
const REBUILD_FLUSH: usize = 200_000;

type CellKey = (Uuid, String, NaiveDate, String);

async fn flush(tx: &mut Tx, cells: &mut HashMap<CellKey, i64>) -> DbResult<()> {
    let rows: Vec<(CellKey, i64)> = cells.drain().filter(|(_, v)| *v != 0).collect();
    for chunk in rows.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO stat_daily (agency_id, procedure_code, day, metric, value) ",
        );
        qb.push_values(chunk, |mut b, ((agency, procedure, day, metric), value)| {
            b.push_bind(*agency)
                .push_bind(procedure.clone())
                .push_bind(*day)
                .push_bind(metric.clone())
                .push_bind(*value);
        });
        qb.push(
            " ON CONFLICT (agency_id, procedure_code, day, metric) DO UPDATE SET value = stat_daily.value + excluded.value",
        );
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Replaces every counter with those `replay` recomputes from each dossier's event log, and
/// the monthly roll-up with the sums of the new cells, in ONE transaction. Counter writes of
/// concurrent commands wait for it (SQLite: the write lock; PostgreSQL: a table lock), so none
/// is lost or counted twice.
pub(super) async fn rebuild(
    pool: &Pool<Db>,
    replay: &mut ReplayDossier<'_>,
) -> DbResult<RebuildReport> {
    let mut tx = begin_write(pool).await?;
    if BACKEND == Backend::Postgres {
        sqlx::query(
            "LOCK TABLE stat_daily, stat_monthly, stat_monthly_procedure IN EXCLUSIVE MODE",
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM stat_daily")
        .execute(&mut *tx)
        .await?;
    let mut report = RebuildReport::default();
    let mut cells: HashMap<CellKey, i64> = HashMap::new();
    let mut last: Option<Uuid> = None;
    loop {
        let mut qb = QueryBuilder::<Db>::new("SELECT id FROM dossiers");
        if let Some(last) = last {
            qb.push(" WHERE id > ").push_bind(last);
        }
        qb.push(" ORDER BY id LIMIT ").push_bind(REBUILD_PAGE);
        let ids: Vec<(Uuid,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
        let Some(&(page_last,)) = ids.last() else {
            break;
        };
        last = Some(page_last);
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT dossier_id, seq, at, actor_id, actor_role, kind, data, prev_hash, hash \
             FROM dossier_events WHERE TRUE",
        );
        push_in(
            &mut qb,
            "dossier_id",
            &ids.iter().map(|r| r.0).collect::<Vec<_>>(),
        );
        qb.push(" ORDER BY dossier_id, seq");
        let events: Vec<StoredEvent> = qb.build_query_as().fetch_all(&mut *tx).await?;
        report.dossiers += ids.len() as u64;
        report.events += events.len() as u64;
        for log in events.chunk_by(|a, b| a.dossier_id == b.dossier_id) {
            let deltas = replay(log).map_err(crate::DbError::Other)?;
            for d in deltas {
                *cells
                    .entry((d.agency_id, d.procedure_code, d.day, d.metric))
                    .or_default() += d.delta;
            }
        }
        if cells.len() >= REBUILD_FLUSH {
            flush(&mut tx, &mut cells).await?;
        }
    }
    flush(&mut tx, &mut cells).await?;
    roll_up_all(&mut tx).await?;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stat_daily")
        .fetch_one(&mut *tx)
        .await?;
    report.rows = rows as u64;
    tx.commit().await?;
    Ok(report)
}

/// Procedures applied by any agency of `root`'s subtree.
pub(super) async fn applied_procedures(pool: &Pool<Db>, root: Uuid) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT pa.code FROM procedure_agencies pa \
         JOIN agency_closure c ON c.agency_id = pa.agency_id WHERE c.ancestor_id = $1 ORDER BY pa.code",
    )
    .bind(root)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Every agency's own office hours (JSON).
pub(super) async fn office_hours_all(pool: &Pool<Db>) -> DbResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, office_hours FROM agencies WHERE office_hours IS NOT NULL ORDER BY id",
    )
    .fetch_all(pool)
    .await?)
}

/// Adds counter changes outside any dossier command (generated benchmark history), with
/// their roll-up, in one transaction.
pub(super) async fn add_counters(pool: &Pool<Db>, cells: &[CounterDelta]) -> DbResult<()> {
    let mut sums: HashMap<CellKey, i64> = HashMap::new();
    for c in cells {
        *sums
            .entry((
                c.agency_id,
                c.procedure_code.clone(),
                c.day,
                c.metric.clone(),
            ))
            .or_default() += c.delta;
    }
    let rolled: Vec<(Uuid, String, NaiveDate, String, i64)> = sums
        .iter()
        .map(|((a, p, d, m), v)| (*a, p.clone(), *d, m.clone(), *v))
        .collect();
    let mut tx = begin_write(pool).await?;
    flush(&mut tx, &mut sums).await?;
    roll_up(
        &mut tx,
        rolled
            .iter()
            .map(|(a, p, d, m, v)| (*a, p.as_str(), *d, m.as_str(), *v)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
