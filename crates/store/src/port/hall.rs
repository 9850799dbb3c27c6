//! The counter hall's tickets, service areas and counters (see `motcua_domain::hall`).

use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::hall::{Area, CounterDesk, Ticket, TicketStatus};
use uuid::Uuid;

use crate::DbResult;

#[async_trait]
pub trait Hall: Send + Sync {
    /// A centre's service areas, in kiosk order.
    async fn hall_areas(&self, agency: Uuid) -> DbResult<Vec<Area>>;
    /// Replaces a centre's service areas (in one transaction).
    async fn set_hall_areas(&self, agency: Uuid, areas: &[Area]) -> DbResult<()>;
    /// The last number an area gave out on `day` (0 when none).
    async fn last_ticket_number(&self, agency: Uuid, day: NaiveDate, area: &str) -> DbResult<i32>;
    /// Stores a new ticket; a number already taken is `Conflict::UniqueViolation`.
    async fn insert_ticket(&self, t: &Ticket) -> DbResult<()>;
    async fn ticket(&self, id: Uuid) -> DbResult<Ticket>;
    async fn ticket_by_token(&self, token: &str) -> DbResult<Ticket>;
    /// The ticket of an area and number on a day.
    async fn ticket_by_number(
        &self,
        agency: Uuid,
        day: NaiveDate,
        area: &str,
        number: i32,
    ) -> DbResult<Ticket>;
    /// Writes a ticket's new state if it is still `was` (what the caller read): `false` when
    /// another counter changed it first.
    async fn update_ticket(&self, t: &Ticket, was: TicketStatus) -> DbResult<bool>;
    /// The oldest waiting tickets of a day (in call order), at most `limit`.
    async fn waiting_tickets(
        &self,
        agency: Uuid,
        day: NaiveDate,
        areas: &[String],
        limit: i64,
    ) -> DbResult<Vec<Ticket>>;
    /// Tickets waiting before `t` in its area (issued earlier, still waiting).
    async fn tickets_ahead(&self, t: &Ticket) -> DbResult<i64>;
    /// The tickets called most recently on a day (the display board), newest call first.
    async fn recent_calls(&self, agency: Uuid, day: NaiveDate, limit: i64)
    -> DbResult<Vec<Ticket>>;
    /// The ticket a counter is serving now (called, not closed), if any.
    async fn counter_ticket(
        &self,
        agency: Uuid,
        day: NaiveDate,
        counter: i32,
    ) -> DbResult<Option<Ticket>>;
    /// Every ticket of a centre issued from `from` to `to` (dates included), for the
    /// statistics; at most `limit`.
    async fn tickets_between(
        &self,
        agency: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        limit: i64,
    ) -> DbResult<Vec<Ticket>>;
    /// The areas a counter serves, as last set.
    async fn counter_desk(&self, agency: Uuid, counter: i32) -> DbResult<Option<CounterDesk>>;
    async fn put_counter_desk(&self, desk: &CounterDesk) -> DbResult<()>;
    /// The newest dossier `user` received at the counter of `agency` since `since`: what a
    /// served ticket is linked to by default.
    async fn latest_received_by(
        &self,
        user: Uuid,
        agency: Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> DbResult<Option<String>>;
    /// How many tickets wait in each area on `day`.
    async fn waiting_counts(&self, agency: Uuid, day: NaiveDate) -> DbResult<Vec<(String, i64)>>;
}
