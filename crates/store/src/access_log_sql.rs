//! The personal data access log's SQL and its writer, and the count behind citizens'
//! submission limit. Part of the one SQL body (included from `sql.rs`, compiled once per
//! backend).
//!
//! Every staff read of personal data is logged, but a row written and synced in the request
//! that read would put every read in the queue of SQLite's single writer. Reads are instead
//! queued to one writer task that commits whatever has arrived (up to [`BATCH`]) in one
//! transaction; the request goes on as soon as its row is queued. The window: a row is on
//! disk within one transaction's time of its read (under load a few milliseconds; at most
//! [`QUEUE`] rows wait). A process that stops cleanly writes every queued row first
//! ([`LogWriter::flush`], called by `Database::flush`); a crash (kill -9, power loss) may
//! lose the rows of that window. While a write fails (a full disk, the database away) new
//! reads are refused with its error, so no read is served that cannot be logged; the queued
//! rows are kept and written again every [`RETRY`].

use std::sync::{Arc, Mutex};

use sqlx::{Pool, QueryBuilder};
use tokio::sync::{mpsc, oneshot};

use super::super::{Db, begin_write};
use crate::{DbError, DbResult, PersonalDataRead};

/// Reads waiting for the log writer at most; a request finding the queue full waits for room.
pub(super) const QUEUE: usize = 8192;
/// Most reads taken from the queue for one transaction.
const BATCH: usize = 2048;
/// Rows per multi-row INSERT (11 binds a row): well under both backends' bind limits.
const ROWS: usize = 500;
/// How long the writer waits before it tries a failed write again.
const RETRY: std::time::Duration = std::time::Duration::from_millis(200);

/// What the log writer is asked to do. Reads are nearly every job: kept unboxed (no
/// allocation each), the queue's slots are the size of a read.
#[allow(clippy::large_enum_variant)]
pub(super) enum LogJob {
    Read(PersonalDataRead),
    /// Answered once every read queued before it is committed (or could not be).
    Flush(oneshot::Sender<DbResult<()>>),
}

/// The handle on the access log's writer: reads are queued and committed many to a
/// transaction. While the last write failed, new reads are refused with its error (a read that
/// cannot be logged is not served); the rows already queued are kept and written again.
pub(super) struct LogWriter {
    jobs: mpsc::Sender<LogJob>,
    /// The error of the last write, while it has not succeeded since.
    failing: Arc<Mutex<Option<DbError>>>,
}

impl LogWriter {
    /// Starts the writer on `pool`; it writes what is queued and stops when the handle is
    /// dropped.
    pub(super) fn spawn(pool: Pool<Db>) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        let failing = Arc::new(Mutex::new(None));
        tokio::spawn(write_loop(pool, rx, failing.clone()));
        LogWriter { jobs, failing }
    }

    pub(super) async fn record(&self, read: &PersonalDataRead) -> DbResult<()> {
        if let Some(e) = &*self.failing.lock().expect("log writer state") {
            return Err(copy(e));
        }
        self.jobs
            .send(LogJob::Read(read.clone()))
            .await
            .map_err(|_| stopped())
    }

    /// Waits until every read queued so far is committed.
    pub(super) async fn flush(&self) -> DbResult<()> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(LogJob::Flush(tx))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> DbError {
    DbError::Unavailable("the access log writer has stopped".into())
}

/// The same error again (a failed write is answered to every caller waiting on it).
fn copy(e: &DbError) -> DbError {
    match e {
        DbError::Full(m) => DbError::Full(m.clone()),
        DbError::Unavailable(m) => DbError::Unavailable(m.clone()),
        other => DbError::Other(other.to_string()),
    }
}

async fn write_loop(
    pool: Pool<Db>,
    mut rx: mpsc::Receiver<LogJob>,
    failing: Arc<Mutex<Option<DbError>>>,
) {
    let mut jobs = Vec::with_capacity(BATCH);
    let mut pending: Vec<PersonalDataRead> = Vec::new();
    let mut waiting: Vec<oneshot::Sender<DbResult<()>>> = Vec::new();
    let mut open = true;
    while open || !pending.is_empty() {
        if open && pending.is_empty() {
            open = rx.recv_many(&mut jobs, BATCH).await > 0;
        } else if open {
            // Rows are left from a failed write: take what has arrived meanwhile, no waiting.
            while jobs.len() < BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        open = false;
                        break;
                    }
                }
            }
        }
        for job in jobs.drain(..) {
            match job {
                LogJob::Read(r) => pending.push(r),
                LogJob::Flush(w) => waiting.push(w),
            }
        }
        let written = match insert(&pool, &pending).await {
            // A row the database refuses for good (none should be) must not stop the log:
            // the others are written one by one and that one is reported.
            Err(DbError::Conflict(_)) if pending.len() > 1 => {
                for r in &pending {
                    if let Err(e) = insert(&pool, std::slice::from_ref(r)).await {
                        tracing::error!(error = %e, dossier = %r.dossier_code, "an access log row was refused");
                    }
                }
                Ok(())
            }
            Err(DbError::Conflict(c)) => {
                tracing::error!(conflict = %c, "an access log row was refused");
                Ok(())
            }
            written => written,
        };
        match written {
            Ok(()) => {
                pending.clear();
                *failing.lock().expect("log writer state") = None;
                for w in waiting.drain(..) {
                    let _ = w.send(Ok(()));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, rows = pending.len(), "the access log could not be written; retrying");
                for w in waiting.drain(..) {
                    let _ = w.send(Err(copy(&e)));
                }
                *failing.lock().expect("log writer state") = Some(e);
                if !open {
                    // The store is gone (the process is stopping): one last try, then give up.
                    if let Err(e) = insert(&pool, &pending).await {
                        tracing::error!(error = %e, rows = pending.len(), "access log rows lost");
                    }
                    return;
                }
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Inserts `reads` in one transaction.
async fn insert(pool: &Pool<Db>, reads: &[PersonalDataRead]) -> DbResult<()> {
    if reads.is_empty() {
        return Ok(());
    }
    let mut tx = begin_write(pool).await?;
    for chunk in reads.chunks(ROWS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO personal_data_reads \
             (id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, reason, ip, \
             user_agent) ",
        );
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.at)
                .push_bind(r.user_id)
                .push_bind(r.username.clone())
                .push_bind(r.dossier_id)
                .push_bind(r.dossier_code.clone())
                .push_bind(r.applicant_key.clone())
                .push_bind(r.what.clone())
                .push_bind(r.reason.clone())
                .push_bind(r.ip.clone())
                .push_bind(r.user_agent.clone());
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn list(
    pool: &Pool<Db>,
    applicant_key: &str,
    limit: i64,
) -> DbResult<Vec<PersonalDataRead>> {
    Ok(sqlx::query_as(
        "SELECT id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, reason, \
         ip, user_agent FROM personal_data_reads WHERE applicant_key = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(applicant_key)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn citizen_submissions_since(
    pool: &Pool<Db>,
    user: uuid::Uuid,
    since: chrono::DateTime<chrono::Utc>,
) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM dossier_events WHERE actor_id = $1 AND at >= $2 \
         AND kind = 'submitted' AND actor_role = 'citizen'",
    )
    .bind(user)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(n)
}
