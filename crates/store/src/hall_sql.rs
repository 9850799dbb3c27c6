//! The counter hall's SQL (the [`Hall`] port). Part of the one SQL body (included from
//! `sql.rs`, compiled once per backend).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::hall::{Area, CounterDesk, Ticket, TicketStatus};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::super::{Db, begin_write};
use super::SqlStore;
use crate::port::Hall;
use crate::{DbError, DbResult};

/// The ticket columns, in [`Row`]'s order (a macro, so that statements stay `&'static str`).
macro_rules! columns {
    () => {
        "id, agency_id, day, area, number, token, status, counter, issued_at, called_at, \
         last_called_at, calls, finished_at, dossier_code"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    agency_id: Uuid,
    day: NaiveDate,
    area: String,
    number: i32,
    token: String,
    status: String,
    counter: Option<i32>,
    issued_at: DateTime<Utc>,
    called_at: Option<DateTime<Utc>>,
    last_called_at: Option<DateTime<Utc>>,
    calls: i32,
    finished_at: Option<DateTime<Utc>>,
    dossier_code: Option<String>,
}

impl TryFrom<Row> for Ticket {
    type Error = DbError;

    fn try_from(r: Row) -> DbResult<Ticket> {
        Ok(Ticket {
            id: r.id,
            agency_id: r.agency_id,
            day: r.day,
            area: r.area,
            number: r.number,
            token: r.token,
            status: TicketStatus::parse(&r.status).map_err(|e| DbError::Other(e.to_string()))?,
            counter: r.counter,
            issued_at: r.issued_at,
            called_at: r.called_at,
            last_called_at: r.last_called_at,
            calls: r.calls,
            finished_at: r.finished_at,
            dossier_code: r.dossier_code,
        })
    }
}

fn tickets(rows: Vec<Row>) -> DbResult<Vec<Ticket>> {
    rows.into_iter().map(Ticket::try_from).collect()
}

/// `AND area IN (...)` when `areas` is not empty.
fn push_areas(qb: &mut QueryBuilder<Db>, areas: &[String]) {
    if !areas.is_empty() {
        qb.push(" AND area IN (");
        let mut sep = qb.separated(", ");
        for a in areas {
            sep.push_bind(a.clone());
        }
        qb.push(")");
    }
}

#[async_trait]
impl Hall for SqlStore {
    async fn hall_areas(&self, agency: Uuid) -> DbResult<Vec<Area>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT code, name FROM hall_areas WHERE agency_id = $1 ORDER BY position, code",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name)| Area { code, name })
            .collect())
    }

    async fn set_hall_areas(&self, agency: Uuid, areas: &[Area]) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query("DELETE FROM hall_areas WHERE agency_id = $1")
            .bind(agency)
            .execute(&mut *tx)
            .await?;
        for (i, a) in areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO hall_areas (agency_id, code, name, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(agency)
            .bind(&a.code)
            .bind(&a.name)
            .bind(i as i32)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn last_ticket_number(&self, agency: Uuid, day: NaiveDate, area: &str) -> DbResult<i32> {
        let (n,): (Option<i32>,) = sqlx::query_as(
            "SELECT MAX(number) FROM hall_tickets WHERE agency_id = $1 AND day = $2 AND area = $3",
        )
        .bind(agency)
        .bind(day)
        .bind(area)
        .fetch_one(&self.write_pool)
        .await?;
        Ok(n.unwrap_or(0))
    }

    async fn insert_ticket(&self, t: &Ticket) -> DbResult<()> {
        sqlx::query(concat!(
            "INSERT INTO hall_tickets (",
            columns!(),
            ") \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(t.id)
        .bind(t.agency_id)
        .bind(t.day)
        .bind(&t.area)
        .bind(t.number)
        .bind(&t.token)
        .bind(t.status.as_str())
        .bind(t.counter)
        .bind(t.issued_at)
        .bind(t.called_at)
        .bind(t.last_called_at)
        .bind(t.calls)
        .bind(t.finished_at)
        .bind(&t.dossier_code)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn ticket(&self, id: Uuid) -> DbResult<Ticket> {
        let row: Row = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    async fn ticket_by_token(&self, token: &str) -> DbResult<Ticket> {
        let row: Row = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets WHERE token = $1"
        ))
        .bind(token)
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    async fn ticket_by_number(
        &self,
        agency: Uuid,
        day: NaiveDate,
        area: &str,
        number: i32,
    ) -> DbResult<Ticket> {
        let row: Row = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets \
             WHERE agency_id = $1 AND day = $2 AND area = $3 AND number = $4"
        ))
        .bind(agency)
        .bind(day)
        .bind(area)
        .bind(number)
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    async fn update_ticket(&self, t: &Ticket, was: TicketStatus) -> DbResult<bool> {
        let done = sqlx::query(
            "UPDATE hall_tickets SET status = $1, counter = $2, called_at = $3, \
             last_called_at = $4, calls = $5, finished_at = $6, dossier_code = $7 \
             WHERE id = $8 AND status = $9 AND calls = $10",
        )
        .bind(t.status.as_str())
        .bind(t.counter)
        .bind(t.called_at)
        .bind(t.last_called_at)
        .bind(t.calls)
        .bind(t.finished_at)
        .bind(&t.dossier_code)
        .bind(t.id)
        .bind(was.as_str())
        // A recall adds one call: the row must still have the calls the caller read.
        .bind(
            if t.status == TicketStatus::Called && was == TicketStatus::Called {
                t.calls - 1
            } else if was == TicketStatus::Waiting {
                0
            } else {
                t.calls
            },
        )
        .execute(&self.write_pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn waiting_tickets(
        &self,
        agency: Uuid,
        day: NaiveDate,
        areas: &[String],
        limit: i64,
    ) -> DbResult<Vec<Ticket>> {
        let mut qb =
            QueryBuilder::<Db>::new(concat!("SELECT ", columns!(), " FROM hall_tickets WHERE "));
        qb.push("agency_id = ")
            .push_bind(agency)
            .push(" AND day = ")
            .push_bind(day)
            .push(" AND status = 'waiting'");
        push_areas(&mut qb, areas);
        qb.push(" ORDER BY issued_at, number LIMIT ")
            .push_bind(limit);
        tickets(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn tickets_ahead(&self, t: &Ticket) -> DbResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM hall_tickets WHERE agency_id = $1 AND day = $2 AND area = $3 \
             AND status = 'waiting' AND number < $4",
        )
        .bind(t.agency_id)
        .bind(t.day)
        .bind(&t.area)
        .bind(t.number)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    async fn recent_calls(
        &self,
        agency: Uuid,
        day: NaiveDate,
        limit: i64,
    ) -> DbResult<Vec<Ticket>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets WHERE agency_id = $1 AND day = $2 \
             AND last_called_at IS NOT NULL ORDER BY last_called_at DESC, number DESC LIMIT $3"
        ))
        .bind(agency)
        .bind(day)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        tickets(rows)
    }

    async fn counter_ticket(
        &self,
        agency: Uuid,
        day: NaiveDate,
        counter: i32,
    ) -> DbResult<Option<Ticket>> {
        let row: Option<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets WHERE agency_id = $1 AND day = $2 \
             AND status = 'called' AND counter = $3 ORDER BY last_called_at DESC LIMIT 1"
        ))
        .bind(agency)
        .bind(day)
        .bind(counter)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Ticket::try_from).transpose()
    }

    async fn tickets_between(
        &self,
        agency: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        limit: i64,
    ) -> DbResult<Vec<Ticket>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM hall_tickets WHERE agency_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day, issued_at, number LIMIT $4"
        ))
        .bind(agency)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        tickets(rows)
    }

    async fn counter_desk(&self, agency: Uuid, counter: i32) -> DbResult<Option<CounterDesk>> {
        let row: Option<(String, Option<Uuid>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT areas, user_id, updated_at FROM hall_counters \
             WHERE agency_id = $1 AND counter = $2",
        )
        .bind(agency)
        .bind(counter)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(areas, user_id, updated_at)| CounterDesk {
            agency_id: agency,
            counter,
            areas: areas.chars().map(String::from).collect(),
            user_id,
            updated_at,
        }))
    }

    async fn put_counter_desk(&self, d: &CounterDesk) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO hall_counters (agency_id, counter, areas, user_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agency_id, counter) DO UPDATE SET \
             areas = excluded.areas, user_id = excluded.user_id, updated_at = excluded.updated_at",
        )
        .bind(d.agency_id)
        .bind(d.counter)
        .bind(d.areas.concat())
        .bind(d.user_id)
        .bind(d.updated_at)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn latest_received_by(
        &self,
        user: Uuid,
        agency: Uuid,
        since: DateTime<Utc>,
    ) -> DbResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT d.code FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id \
             WHERE e.actor_id = $1 AND e.at >= $2 AND e.kind = 'received' \
             AND d.intake_agency_id = $3 ORDER BY e.at DESC LIMIT 1",
        )
        .bind(user)
        .bind(since)
        .bind(agency)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(c,)| c))
    }

    async fn waiting_counts(&self, agency: Uuid, day: NaiveDate) -> DbResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT area, COUNT(*) FROM hall_tickets WHERE agency_id = $1 AND day = $2 \
             AND status = 'waiting' GROUP BY area ORDER BY area",
        )
        .bind(agency)
        .bind(day)
        .fetch_all(&self.pool)
        .await?)
    }
}
