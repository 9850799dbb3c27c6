//! Payments (part of the one SQL body, included from `sql.rs`): a payment command's events,
//! the projection, the attempts, the receipt numbered from its book's counter and, when given,
//! the dossier's own events, in ONE transaction with optimistic concurrency on the payment's
//! event number. The counter row is updated in that transaction, so concurrent payments take
//! numbers one after another: no gap (a rolled-back payment rolls its number back) and no
//! duplicate (the unique number key stands behind it).

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::Pool;
use uuid::Uuid;

use super::super::{Db, begin_write};
use super::dossier_writes;
use crate::models::DossierWrite;
use crate::payment_models::*;
use crate::{Conflict, DbError, DbResult};

type Tx = sqlx::Transaction<'static, Db>;

const ACCOUNT_COLUMNS: &str = "agency_id, gateway, merchant_code, hash_secret, pay_url, api_url, \
     return_url, receipt_template, receipt_serial, updated_at";

#[derive(sqlx::FromRow)]
struct AccountRecord {
    agency_id: Uuid,
    gateway: String,
    merchant_code: String,
    hash_secret: String,
    pay_url: String,
    api_url: String,
    return_url: String,
    receipt_template: String,
    receipt_serial: String,
    updated_at: DateTime<Utc>,
}

pub(super) async fn account(pool: &Pool<Db>, agency: Uuid) -> DbResult<Option<GatewayAccount>> {
    let r: Option<AccountRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM payment_gateways WHERE agency_id = $1"
    )))
    .bind(agency)
    .fetch_optional(pool)
    .await?;
    Ok(r.map(|r| GatewayAccount {
        agency_id: r.agency_id,
        gateway: r.gateway,
        merchant_code: r.merchant_code,
        hash_secret: r.hash_secret,
        pay_url: r.pay_url,
        api_url: r.api_url,
        return_url: r.return_url,
        receipt_template: r.receipt_template,
        receipt_serial: r.receipt_serial,
        updated_at: r.updated_at,
    }))
}

pub(super) async fn put_account(pool: &Pool<Db>, a: &GatewayAccount) -> DbResult<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO payment_gateways ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (agency_id) DO UPDATE SET gateway = excluded.gateway, \
         merchant_code = excluded.merchant_code, hash_secret = excluded.hash_secret, \
         pay_url = excluded.pay_url, api_url = excluded.api_url, return_url = excluded.return_url, \
         receipt_template = excluded.receipt_template, receipt_serial = excluded.receipt_serial, \
         updated_at = excluded.updated_at"
    )))
    .bind(a.agency_id)
    .bind(&a.gateway)
    .bind(&a.merchant_code)
    .bind(&a.hash_secret)
    .bind(&a.pay_url)
    .bind(&a.api_url)
    .bind(&a.return_url)
    .bind(&a.receipt_template)
    .bind(&a.receipt_serial)
    .bind(a.updated_at.trunc_subsecs(6))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PaymentHead {
    id: Uuid,
    dossier_id: Uuid,
    dossier_code: String,
    agency_id: Uuid,
    status: String,
    amount_vnd: i64,
    seq: i32,
}

#[derive(sqlx::FromRow)]
struct ReceiptRecord {
    template: String,
    serial: String,
    number: i64,
    issued_at: DateTime<Utc>,
}

/// Which payment to read.
pub(super) enum Key<'a> {
    Dossier(Uuid),
    Attempt(&'a str),
}

pub(super) async fn payment(pool: &Pool<Db>, key: Key<'_>) -> DbResult<Option<PaymentRecord>> {
    const COLUMNS: &str = "id, dossier_id, dossier_code, agency_id, status, amount_vnd, seq";
    let head: Option<PaymentHead> = match key {
        Key::Dossier(id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM payments WHERE dossier_id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        }
        Key::Attempt(reference) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM payments WHERE id = \
                 (SELECT payment_id FROM payment_attempts WHERE reference = $1)"
            )))
            .bind(reference)
            .fetch_optional(pool)
            .await?
        }
    };
    let Some(h) = head else {
        return Ok(None);
    };
    let events: Vec<(String,)> =
        sqlx::query_as("SELECT data FROM payment_events WHERE payment_id = $1 ORDER BY seq")
            .bind(h.id)
            .fetch_all(pool)
            .await?;
    let receipt: Option<ReceiptRecord> = sqlx::query_as(
        "SELECT template, serial, number, issued_at FROM fee_receipts WHERE payment_id = $1",
    )
    .bind(h.id)
    .fetch_optional(pool)
    .await?;
    if events.len() != h.seq as usize {
        return Err(DbError::Other(format!(
            "payment {} has {} events, its head says {}",
            h.id,
            events.len(),
            h.seq
        )));
    }
    Ok(Some(PaymentRecord {
        id: h.id,
        dossier_id: h.dossier_id,
        dossier_code: h.dossier_code,
        agency_id: h.agency_id,
        status: h.status,
        amount_vnd: h.amount_vnd,
        seq: h.seq,
        events: events.into_iter().map(|(d,)| d).collect(),
        receipt: receipt.map(|r| FeeReceiptRow {
            template: r.template,
            serial: r.serial,
            number: r.number,
            issued_at: r.issued_at,
        }),
    }))
}

/// The payment row, inserted (`expected == 0`) or moved on from `expected`.
async fn head(tx: &mut Tx, w: &PaymentWrite, expected: i32, seq: i32) -> DbResult<()> {
    let at = w.at.trunc_subsecs(6);
    if expected == 0 {
        let inserted = sqlx::query(
            "INSERT INTO payments (id, dossier_id, dossier_code, agency_id, status, amount_vnd, seq, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(w.id)
        .bind(w.dossier_id)
        .bind(&w.dossier_code)
        .bind(w.agency_id)
        .bind(&w.status)
        .bind(w.amount_vnd)
        .bind(seq)
        .bind(at)
        .execute(&mut **tx)
        .await;
        return match inserted {
            // Opened by someone else first.
            Err(e) => match DbError::from(e) {
                DbError::Conflict(Conflict::UniqueViolation { .. }) => {
                    Err(DbError::Conflict(Conflict::StaleVersion))
                }
                e => Err(e),
            },
            Ok(_) => Ok(()),
        };
    }
    let n = sqlx::query(
        "UPDATE payments SET status = $1, amount_vnd = $2, seq = $3, updated_at = $4 \
         WHERE id = $5 AND seq = $6",
    )
    .bind(&w.status)
    .bind(w.amount_vnd)
    .bind(seq)
    .bind(at)
    .bind(w.id)
    .bind(expected)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Conflict(Conflict::StaleVersion));
    }
    Ok(())
}

/// Takes the next number of the book and writes the receipt.
async fn issue(
    tx: &mut Tx,
    w: &PaymentWrite,
    template: &str,
    serial: &str,
) -> DbResult<FeeReceiptRow> {
    let (number,): (i64,) = sqlx::query_as(
        "INSERT INTO receipt_counters (agency_id, template, serial, last_no) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (agency_id, template, serial) DO UPDATE SET last_no = receipt_counters.last_no + 1 \
         RETURNING last_no",
    )
    .bind(w.agency_id)
    .bind(template)
    .bind(serial)
    .fetch_one(&mut **tx)
    .await?;
    let issued_at = w.at.trunc_subsecs(6);
    sqlx::query(
        "INSERT INTO fee_receipts (payment_id, agency_id, template, serial, number, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(w.id)
    .bind(w.agency_id)
    .bind(template)
    .bind(serial)
    .bind(number)
    .bind(issued_at)
    .execute(&mut **tx)
    .await?;
    Ok(FeeReceiptRow {
        template: template.to_owned(),
        serial: serial.to_owned(),
        number,
        issued_at,
    })
}

pub(super) async fn write(
    pool: &Pool<Db>,
    expected: i32,
    w: &PaymentWrite,
    dossier: Option<(i32, &DossierWrite)>,
) -> DbResult<Option<FeeReceiptRow>> {
    let mut tx = begin_write(pool).await?;
    let receipt = write_on(&mut tx, expected, w).await?;
    if let Some((expected, d)) = dossier {
        dossier_writes::append(&mut tx, d, expected).await?;
    }
    tx.commit().await?;
    Ok(receipt)
}

/// Writes a payment command in `tx`: its events after `expected`, the projection, the
/// attempts and the receipt it issues.
pub(super) async fn write_on(
    tx: &mut Tx,
    expected: i32,
    w: &PaymentWrite,
) -> DbResult<Option<FeeReceiptRow>> {
    let seq = w.events.last().map_or(expected, |e| e.seq);
    if w.events.iter().zip(expected + 1..).any(|(e, n)| e.seq != n) {
        return Err(DbError::Other(
            "payment events are not numbered in order".into(),
        ));
    }
    head(tx, w, expected, seq).await?;
    for e in &w.events {
        sqlx::query(
            "INSERT INTO payment_events (payment_id, seq, at, kind, data) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(w.id)
        .bind(e.seq)
        .bind(e.at.trunc_subsecs(6))
        .bind(&e.kind)
        .bind(&e.data)
        .execute(&mut **tx)
        .await?;
    }
    for a in &w.attempts {
        sqlx::query(
            "INSERT INTO payment_attempts (reference, payment_id, gateway, outcome, amount_vnd, \
             started_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (reference) DO UPDATE SET outcome = excluded.outcome",
        )
        .bind(&a.reference)
        .bind(w.id)
        .bind(&a.gateway)
        .bind(&a.outcome)
        .bind(a.amount_vnd)
        .bind(a.started_at.trunc_subsecs(6))
        .bind(a.expires_at.trunc_subsecs(6))
        .execute(&mut **tx)
        .await?;
    }
    let receipt = match &w.issue_receipt {
        Some((template, serial)) => Some(issue(tx, w, template, serial).await?),
        None => None,
    };
    Ok(receipt)
}

#[derive(sqlx::FromRow)]
struct AttemptRecord {
    reference: String,
    payment_id: Uuid,
    gateway: String,
    outcome: String,
    amount_vnd: i64,
    started_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

pub(super) async fn pending(
    pool: &Pool<Db>,
    started_before: DateTime<Utc>,
    expired_before: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<AttemptRow>> {
    let rows: Vec<AttemptRecord> = sqlx::query_as(
        "SELECT reference, payment_id, gateway, outcome, amount_vnd, started_at, expires_at \
         FROM payment_attempts WHERE outcome = 'pending' AND (started_at < $1 OR expires_at < $2) \
         ORDER BY started_at LIMIT $3",
    )
    .bind(started_before)
    .bind(expired_before)
    .bind(limit.clamp(1, 1000))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AttemptRow {
            reference: r.reference,
            payment_id: r.payment_id,
            gateway: r.gateway,
            outcome: r.outcome,
            amount_vnd: r.amount_vnd,
            started_at: r.started_at,
            expires_at: r.expires_at,
        })
        .collect())
}

pub(super) async fn pending_of_agency(
    pool: &Pool<Db>,
    agency: Uuid,
    started_before: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<(String, AttemptRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        dossier_code: String,
        #[sqlx(flatten)]
        attempt: AttemptRecord,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.dossier_code, a.reference, a.payment_id, a.gateway, a.outcome, a.amount_vnd, \
         a.started_at, a.expires_at FROM payment_attempts a JOIN payments p ON p.id = a.payment_id \
         WHERE p.agency_id = $1 AND a.outcome = 'pending' AND a.started_at < $2 \
         ORDER BY a.started_at LIMIT $3",
    )
    .bind(agency)
    .bind(started_before)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let a = r.attempt;
            (
                r.dossier_code,
                AttemptRow {
                    reference: a.reference,
                    payment_id: a.payment_id,
                    gateway: a.gateway,
                    outcome: a.outcome,
                    amount_vnd: a.amount_vnd,
                    started_at: a.started_at,
                    expires_at: a.expires_at,
                },
            )
        })
        .collect())
}

pub(super) async fn events_between(
    pool: &Pool<Db>,
    agency: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.dossier_code, e.data FROM payment_events e JOIN payments p ON p.id = e.payment_id \
         WHERE p.agency_id = $1 AND e.at >= $2 AND e.at < $3 ORDER BY e.at, p.dossier_code, e.seq LIMIT $4",
    )
    .bind(agency)
    .bind(from)
    .bind(to)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(pool)
    .await?)
}

pub(super) async fn bank_account(pool: &Pool<Db>, agency: Uuid) -> DbResult<Option<BankAccount>> {
    let r: Option<(Uuid, String, String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT agency_id, bank_bin, account, account_name, updated_at FROM payment_bank_accounts \
         WHERE agency_id = $1",
    )
    .bind(agency)
    .fetch_optional(pool)
    .await?;
    Ok(r.map(
        |(agency_id, bank_bin, account, account_name, updated_at)| BankAccount {
            agency_id,
            bank_bin,
            account,
            account_name,
            updated_at,
        },
    ))
}

pub(super) async fn put_bank_account(pool: &Pool<Db>, a: &BankAccount) -> DbResult<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO payment_bank_accounts (agency_id, bank_bin, account, account_name, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agency_id) DO UPDATE SET \
         bank_bin = excluded.bank_bin, account = excluded.account, \
         account_name = excluded.account_name, updated_at = excluded.updated_at",
    )
    .bind(a.agency_id)
    .bind(&a.bank_bin)
    .bind(&a.account)
    .bind(&a.account_name)
    .bind(a.updated_at.trunc_subsecs(6))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn awaited(
    pool: &Pool<Db>,
    agency: Uuid,
    limit: i64,
) -> DbResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT dossier_code, amount_vnd FROM payments WHERE agency_id = $1 \
         AND status IN ('due', 'failed', 'expired') ORDER BY dossier_code LIMIT $2",
    )
    .bind(agency)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(pool)
    .await?)
}
