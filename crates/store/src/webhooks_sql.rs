//! Webhook subscriptions and deliveries (the [`Webhooks`] port). Part of the one SQL body
//! (included from `sql.rs`, compiled once per backend).
//!
//! Deliveries are claimed as the outbox's messages are (see `outbox_sql.rs`): ONE statement
//! counts the attempt and moves the next one to the lease's end, so two workers (two processes
//! on one database) never hold the same delivery, and only the holder of a claim records its
//! outcome.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::super::{BACKEND, Db, begin_write};
use super::SqlStore;
use crate::port::Webhooks;
use crate::{
    Backend, Conflict, DbError, DbResult, DeliveryOutcome, DeliveryQuery, DeliveryStatus,
    OutboxRow, Page, Settled, WebhookDelivery, WebhookSubscription,
};

const SUBSCRIPTION_COLUMNS: &str = "id, name, url, event_types, agencies, procedures, secrets, \
                                    active, created_at, updated_at";
const DELIVERY_COLUMNS: &str = "id, subscription_id, event_id, event_type, subject, body, status, \
                                attempts, next_attempt_at, leased_until, last_status, last_error, \
                                created_at, delivered_at, failed_at";
const MAX_ERROR: usize = 1000;

fn instant(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn clip(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR) {
        Some((i, _)) => format!("{}…", &error[..i]),
        None => error.to_string(),
    }
}

fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings serialises")
}

fn list_of(text: &str) -> DbResult<Vec<String>> {
    serde_json::from_str(text).map_err(|e| DbError::Other(format!("webhook list: {e}")))
}

#[derive(sqlx::FromRow)]
struct SubscriptionRecord {
    id: Uuid,
    name: String,
    url: String,
    event_types: String,
    agencies: String,
    procedures: String,
    secrets: String,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl SubscriptionRecord {
    fn into_row(self) -> DbResult<WebhookSubscription> {
        Ok(WebhookSubscription {
            id: self.id,
            name: self.name,
            url: self.url,
            event_types: list_of(&self.event_types)?,
            agencies: list_of(&self.agencies)?,
            procedures: list_of(&self.procedures)?,
            secrets: list_of(&self.secrets)?,
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRecord {
    id: Uuid,
    subscription_id: Uuid,
    event_id: String,
    event_type: String,
    subject: Option<String>,
    body: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    leased_until: Option<DateTime<Utc>>,
    last_status: Option<i32>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
}

impl DeliveryRecord {
    fn into_row(self) -> DbResult<WebhookDelivery> {
        let status = DeliveryStatus::parse(&self.status)
            .ok_or_else(|| DbError::Other(format!("unknown delivery status {:?}", self.status)))?;
        Ok(WebhookDelivery {
            id: self.id,
            subscription_id: self.subscription_id,
            event_id: self.event_id,
            event_type: self.event_type,
            subject: self.subject,
            body: self.body,
            status,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            leased_until: self.leased_until,
            last_status: self.last_status,
            last_error: self.last_error,
            created_at: self.created_at,
            delivered_at: self.delivered_at,
            failed_at: self.failed_at,
        })
    }
}

fn deliveries(records: Vec<DeliveryRecord>) -> DbResult<Vec<WebhookDelivery>> {
    records.into_iter().map(DeliveryRecord::into_row).collect()
}

#[async_trait]
impl Webhooks for SqlStore {
    async fn insert_webhook(&self, s: &WebhookSubscription) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO webhook_subscriptions (id, name, url, event_types, agencies, procedures, \
             secrets, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(s.id)
        .bind(&s.name)
        .bind(&s.url)
        .bind(list_json(&s.event_types))
        .bind(list_json(&s.agencies))
        .bind(list_json(&s.procedures))
        .bind(list_json(&s.secrets))
        .bind(s.active)
        .bind(instant(s.created_at))
        .bind(instant(s.updated_at))
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn update_webhook(&self, s: &WebhookSubscription) -> DbResult<()> {
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET name = $2, url = $3, event_types = $4, \
             agencies = $5, procedures = $6, secrets = $7, active = $8, updated_at = $9 \
             WHERE id = $1",
        )
        .bind(s.id)
        .bind(&s.name)
        .bind(&s.url)
        .bind(list_json(&s.event_types))
        .bind(list_json(&s.agencies))
        .bind(list_json(&s.procedures))
        .bind(list_json(&s.secrets))
        .bind(s.active)
        .bind(instant(s.updated_at))
        .execute(&self.write_pool)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }

    async fn webhook(&self, id: Uuid) -> DbResult<WebhookSubscription> {
        let r: SubscriptionRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        r.into_row()
    }

    async fn list_webhooks(&self, limit: i64) -> DbResult<Vec<WebhookSubscription>> {
        let records: Vec<SubscriptionRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions \
             ORDER BY created_at, id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        records
            .into_iter()
            .map(SubscriptionRecord::into_row)
            .collect()
    }

    async fn claim_integration(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<OutboxRow>> {
        super::outbox_sql::claim(&self.write_pool, now, lease, limit, true).await
    }

    async fn settle_integration(
        &self,
        now: DateTime<Utc>,
        batch: &[(Uuid, i32, Settled)],
    ) -> DbResult<usize> {
        let now = instant(now);
        let mut tx = begin_write(&self.write_pool).await?;
        let mut held = 0;
        for (message, attempt, settled) in batch {
            let deliveries = match settled {
                Settled::Finish(outcome) => {
                    held += usize::from(
                        super::outbox_sql::finish_on(&mut tx, *message, *attempt, now, outcome)
                            .await?,
                    );
                    continue;
                }
                Settled::Deliver(d) => d,
            };
            let sent = sqlx::query(
                "UPDATE outbox SET status = 'sent', sent_at = $1, leased_until = NULL \
                 WHERE id = $2 AND attempts = $3 AND status = 'pending'",
            )
            .bind(now)
            .bind(message)
            .bind(attempt)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if sent != 1 {
                continue;
            }
            held += 1;
            for chunk in deliveries.chunks(200) {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, \
                     subject, body, status, attempts, next_attempt_at, created_at) ",
                );
                qb.push_values(chunk, |mut b, d| {
                    b.push_bind(d.id)
                        .push_bind(d.subscription_id)
                        .push_bind(d.event_id.clone())
                        .push_bind(d.event_type.clone())
                        .push_bind(d.subject.clone())
                        .push_bind(d.body.clone())
                        .push_bind("pending")
                        .push_bind(0i32)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" ON CONFLICT (subscription_id, event_id) DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(held)
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> DbResult<Vec<WebhookDelivery>> {
        let now = instant(now);
        let until = instant(now + lease);
        // PostgreSQL: the candidates are picked once (a materialised CTE: a `LIMIT` subquery
        // inside `IN (...)` may be run again per row and pick more than `limit`), locked with
        // SKIP LOCKED, and checked again on the locked row.
        let (materialized, lock, recheck) = match BACKEND {
            Backend::Postgres => (
                " MATERIALIZED",
                " FOR UPDATE SKIP LOCKED",
                " AND status = 'pending' AND next_attempt_at <= $1",
            ),
            Backend::Sqlite => ("", "", ""),
        };
        let sql = format!(
            "WITH picked AS{materialized} (SELECT id FROM webhook_deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at LIMIT $3{lock}) \
             UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $2, \
             leased_until = $2 \
             WHERE id IN (SELECT id FROM picked){recheck} \
             RETURNING {DELIVERY_COLUMNS}"
        );
        let records: Vec<DeliveryRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(&self.write_pool)
            .await?;
        deliveries(records)
    }

    async fn finish_delivery(
        &self,
        id: Uuid,
        attempt: i32,
        now: DateTime<Utc>,
        outcome: &DeliveryOutcome,
    ) -> DbResult<bool> {
        let now = instant(now);
        let mut qb = QueryBuilder::<Db>::new("UPDATE webhook_deliveries SET leased_until = NULL, ");
        match outcome {
            DeliveryOutcome::Delivered { status } => {
                qb.push("status = 'delivered', last_error = NULL, delivered_at = ")
                    .push_bind(now)
                    .push(", last_status = ")
                    .push_bind(*status);
            }
            DeliveryOutcome::Retry { status, error, at } => {
                qb.push("next_attempt_at = ")
                    .push_bind(instant(*at))
                    .push(", last_status = ")
                    .push_bind(*status)
                    .push(", last_error = ")
                    .push_bind(clip(error));
            }
            DeliveryOutcome::Failed { status, error } => {
                qb.push("status = 'failed', failed_at = ")
                    .push_bind(now)
                    .push(", last_status = ")
                    .push_bind(*status)
                    .push(", last_error = ")
                    .push_bind(clip(error));
            }
        }
        qb.push(" WHERE id = ")
            .push_bind(id)
            .push(" AND attempts = ")
            .push_bind(attempt)
            .push(" AND status = 'pending'");
        let done = qb.build().execute(&self.write_pool).await?.rows_affected();
        Ok(done == 1)
    }

    async fn delivery(&self, id: Uuid) -> DbResult<WebhookDelivery> {
        let r: DeliveryRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&self.write_pool)
        .await?;
        r.into_row()
    }

    async fn list_deliveries(&self, q: &DeliveryQuery) -> DbResult<Page<WebhookDelivery>> {
        let filters = |qb: &mut QueryBuilder<Db>| {
            qb.push(" WHERE 1 = 1");
            if let Some(s) = q.subscription_id {
                qb.push(" AND subscription_id = ").push_bind(s);
            }
            if let Some(s) = q.status {
                qb.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(s) = &q.subject {
                qb.push(" AND subject = ").push_bind(s.clone());
            }
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM webhook_deliveries");
        filters(&mut count);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut qb =
            QueryBuilder::<Db>::new(format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries"));
        filters(&mut qb);
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(q.limit)
            .push(" OFFSET ")
            .push_bind(q.offset);
        let records: Vec<DeliveryRecord> = qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page {
            items: deliveries(records)?,
            total,
        })
    }

    async fn replay_delivery(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<WebhookDelivery> {
        let now = instant(now);
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, \
             next_attempt_at = $2, failed_at = NULL, leased_until = NULL \
             WHERE id = $1 AND (leased_until IS NULL OR leased_until <= $2)",
        )
        .bind(id)
        .bind(now)
        .execute(&self.write_pool)
        .await?
        .rows_affected();
        let row = self.delivery(id).await?;
        if done == 0 {
            return Err(DbError::Conflict(Conflict::OutboxInFlight));
        }
        Ok(row)
    }

    async fn synced_dossiers(
        &self,
        subscription: Uuid,
        agency: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DbResult<(i64, i64)> {
        let (synced, total): (Option<i64>, i64) = sqlx::query_as(
            "WITH RECURSIVE sub (id) AS ( \
                 SELECT id FROM agencies WHERE id = $1 \
                 UNION ALL SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id) \
             SELECT SUM(CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries w \
                        WHERE w.subscription_id = $4 AND w.subject = d.code \
                          AND w.status = 'delivered') THEN 1 ELSE 0 END), COUNT(*) \
             FROM dossiers d \
             WHERE d.intake_agency_id IN (SELECT id FROM sub) \
               AND d.received_at >= $2 AND d.received_at < $3",
        )
        .bind(agency)
        .bind(instant(from))
        .bind(instant(to))
        .bind(subscription)
        .fetch_one(&self.pool)
        .await?;
        Ok((synced.unwrap_or(0), total))
    }
}
