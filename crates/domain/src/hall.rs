//! The counter hall (bốc số) of a one-stop centre: people take a numbered ticket for a service
//! area at the kiosk, a counter calls the next ticket (or a named one, or calls again), and the
//! hall's display board shows which number goes to which counter. A ticket becomes the dossier
//! received for it. Numbers restart every day per area; the label is the area's letter code and
//! the number on three digits (`A007`, `B123`), four when the day runs past 999.
//!
//! This module holds the rules: the ticket's states and what may change them, which waiting
//! ticket a counter gets next, and the waiting and serving times the statistics report.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most tickets an area gives out in a day (four digits).
pub const MAX_TICKETS_PER_AREA_DAY: i32 = 9_999;
/// Counter numbers run from 1 to this.
pub const MAX_COUNTER: i32 = 99;
/// Service areas a centre may set up for its kiosk.
pub const MAX_AREAS: usize = 26;
/// The longest area name.
pub const MAX_AREA_NAME_CHARS: usize = 120;

/// A service area of the kiosk (a group of counters: "Tư pháp - Hộ tịch").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// One letter, printed before the number.
    pub code: String,
    pub name: String,
}

/// Which areas a counter serves (empty: all), and who set it last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterDesk {
    pub agency_id: Uuid,
    pub counter: i32,
    pub areas: Vec<String>,
    pub user_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// Where a ticket is in its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Taken at the kiosk, not yet called.
    Waiting,
    /// Called to a counter (possibly more than once).
    Called,
    /// Served: the person was received (with or without a dossier).
    Done,
    /// Called and did not come.
    NoShow,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Result<TicketStatus, crate::UnknownKey> {
        Ok(match s {
            "waiting" => TicketStatus::Waiting,
            "called" => TicketStatus::Called,
            "done" => TicketStatus::Done,
            "no_show" => TicketStatus::NoShow,
            _ => {
                return Err(crate::UnknownKey {
                    what: "ticket status",
                    value: s.to_string(),
                });
            }
        })
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "Đang chờ",
            TicketStatus::Called => "Đã gọi",
            TicketStatus::Done => "Đã phục vụ",
            TicketStatus::NoShow => "Vắng mặt",
        }
    }
}

/// One ticket of the hall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    pub agency_id: Uuid,
    /// The day (Vietnam time) the number belongs to.
    pub day: NaiveDate,
    /// The service area's letter code (`A`).
    pub area: String,
    pub number: i32,
    /// The unguessable key of the ticket's own page (the QR a phone keeps).
    pub token: String,
    pub status: TicketStatus,
    /// The counter that called it last.
    pub counter: Option<i32>,
    pub issued_at: DateTime<Utc>,
    /// The first call.
    pub called_at: Option<DateTime<Utc>>,
    /// The latest call (a recall moves it; the board orders by it).
    pub last_called_at: Option<DateTime<Utc>>,
    pub calls: i32,
    pub finished_at: Option<DateTime<Utc>>,
    /// The dossier received for this ticket.
    pub dossier_code: Option<String>,
}

impl Ticket {
    /// The printed number: `A007`.
    pub fn label(&self) -> String {
        label(&self.area, self.number)
    }

    /// Minutes from the kiosk to the first call.
    pub fn wait_minutes(&self) -> Option<f64> {
        self.called_at.map(|c| minutes(self.issued_at, c))
    }

    /// Minutes at the counter: from the first call to done.
    pub fn serve_minutes(&self) -> Option<f64> {
        match (self.status, self.called_at, self.finished_at) {
            (TicketStatus::Done, Some(c), Some(f)) => Some(minutes(c, f)),
            _ => None,
        }
    }
}

/// `A` and 7 → `A007`.
pub fn label(area: &str, number: i32) -> String {
    format!("{area}{number:03}")
}

fn minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds().max(0) as f64 / 60_000.0
}

/// Why a hall action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HallError {
    #[error("area code must be one letter A-Z")]
    BadAreaCode,
    #[error("area name must be 1 to {MAX_AREA_NAME_CHARS} characters")]
    BadAreaName,
    #[error("counter must be 1 to {MAX_COUNTER}")]
    BadCounter,
    #[error("the ticket is {0:?}, not waiting or called")]
    NotCallable(TicketStatus),
    #[error("the ticket is {0:?}, not called")]
    NotCalled(TicketStatus),
    #[error("the ticket was called to counter {0}")]
    OtherCounter(i32),
    #[error("the area has given out its {MAX_TICKETS_PER_AREA_DAY} numbers of the day")]
    DayFull,
}

impl HallError {
    /// The machine-readable code of the API.
    pub fn code(&self) -> &'static str {
        match self {
            HallError::BadAreaCode => "hall_area_code_invalid",
            HallError::BadAreaName => "hall_area_name_invalid",
            HallError::BadCounter => "hall_counter_invalid",
            HallError::NotCallable(_) => "hall_ticket_not_callable",
            HallError::NotCalled(_) => "hall_ticket_not_called",
            HallError::OtherCounter(_) => "hall_ticket_other_counter",
            HallError::DayFull => "hall_day_full",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            HallError::BadAreaCode => "Mã khu vực phải là một chữ cái từ A đến Z.".into(),
            HallError::BadAreaName => {
                format!("Tên khu vực phải có từ 1 đến {MAX_AREA_NAME_CHARS} ký tự.")
            }
            HallError::BadCounter => format!("Số quầy phải từ 1 đến {MAX_COUNTER}."),
            HallError::NotCallable(s) => format!(
                "Số này không thể gọi: trạng thái hiện tại là “{}”.",
                s.label_vi()
            ),
            HallError::NotCalled(s) => format!(
                "Số này chưa được gọi tới quầy (trạng thái “{}”).",
                s.label_vi()
            ),
            HallError::OtherCounter(c) => format!("Số này đang được phục vụ tại quầy {c}."),
            HallError::DayFull => format!(
                "Khu vực này đã cấp đủ {} số thứ tự trong ngày.",
                crate::text::group_thousands(&MAX_TICKETS_PER_AREA_DAY.to_string())
            ),
        }
    }
}

/// Checks a service area's code (one letter) and name.
pub fn check_area(code: &str, name: &str) -> Result<(), HallError> {
    if code.len() != 1 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(HallError::BadAreaCode);
    }
    let n = name.trim().chars().count();
    if n == 0 || n > MAX_AREA_NAME_CHARS || crate::input::check("name", name).is_err() {
        return Err(HallError::BadAreaName);
    }
    Ok(())
}

pub fn check_counter(counter: i32) -> Result<(), HallError> {
    if (1..=MAX_COUNTER).contains(&counter) {
        Ok(())
    } else {
        Err(HallError::BadCounter)
    }
}

/// The next number of an area's day after `last` (0 when none was given).
pub fn next_number(last: i32) -> Result<i32, HallError> {
    if last >= MAX_TICKETS_PER_AREA_DAY {
        Err(HallError::DayFull)
    } else {
        Ok(last + 1)
    }
}

/// Calls `t` to `counter` at `at`: a waiting ticket, or a called one again (a recall, by any
/// counter: the person may be sent to another).
pub fn call(t: &mut Ticket, counter: i32, at: DateTime<Utc>) -> Result<(), HallError> {
    check_counter(counter)?;
    match t.status {
        TicketStatus::Waiting | TicketStatus::Called => {
            t.status = TicketStatus::Called;
            t.counter = Some(counter);
            t.called_at.get_or_insert(at);
            t.last_called_at = Some(at);
            t.calls += 1;
            Ok(())
        }
        s => Err(HallError::NotCallable(s)),
    }
}

/// Closes a called ticket at its counter: served (`done`, with the dossier received if any) or
/// not there (`no_show`).
pub fn finish(
    t: &mut Ticket,
    counter: i32,
    outcome: TicketStatus,
    dossier_code: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), HallError> {
    if t.status != TicketStatus::Called {
        return Err(HallError::NotCalled(t.status));
    }
    if let Some(c) = t.counter.filter(|c| *c != counter) {
        return Err(HallError::OtherCounter(c));
    }
    debug_assert!(matches!(outcome, TicketStatus::Done | TicketStatus::NoShow));
    t.status = outcome;
    t.finished_at = Some(at);
    if outcome == TicketStatus::Done {
        t.dossier_code = dossier_code;
    }
    Ok(())
}

/// The waiting ticket a counter serving `areas` calls next: the one waiting longest (first
/// issued, then lowest number), whatever its area. `None` when nobody waits there.
pub fn next_for<'a>(waiting: &'a [Ticket], areas: &[String]) -> Option<&'a Ticket> {
    waiting
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting)
        .filter(|t| areas.is_empty() || areas.contains(&t.area))
        .min_by_key(|t| (t.issued_at, t.number))
}

/// Waiting and serving times of a group of tickets (an area, a counter, a day).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Times {
    pub issued: i64,
    pub waiting: i64,
    pub served: i64,
    pub no_show: i64,
    /// Average minutes from the kiosk to the first call, over the called tickets.
    pub wait_avg: Option<f64>,
    /// The longest such wait.
    pub wait_max: Option<f64>,
    /// Average minutes at the counter, over the served tickets.
    pub serve_avg: Option<f64>,
}

/// Sums `tickets` into [`Times`].
pub fn times<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> Times {
    let mut out = Times::default();
    let (mut wait_sum, mut waits, mut serve_sum, mut serves) = (0.0, 0i64, 0.0, 0i64);
    for t in tickets {
        out.issued += 1;
        match t.status {
            TicketStatus::Waiting => out.waiting += 1,
            TicketStatus::Done => out.served += 1,
            TicketStatus::NoShow => out.no_show += 1,
            TicketStatus::Called => {}
        }
        if let Some(w) = t.wait_minutes() {
            wait_sum += w;
            waits += 1;
            out.wait_max = Some(out.wait_max.map_or(w, |m: f64| m.max(w)));
        }
        if let Some(s) = t.serve_minutes() {
            serve_sum += s;
            serves += 1;
        }
    }
    out.wait_avg = (waits > 0).then(|| wait_sum / waits as f64);
    out.serve_avg = (serves > 0).then(|| serve_sum / serves as f64);
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
    }

    fn ticket(area: &str, number: i32, issued: DateTime<Utc>) -> Ticket {
        Ticket {
            id: Uuid::new_v4(),
            agency_id: Uuid::nil(),
            day: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            area: area.into(),
            number,
            token: format!("t{number}"),
            status: TicketStatus::Waiting,
            counter: None,
            issued_at: issued,
            called_at: None,
            last_called_at: None,
            calls: 0,
            finished_at: None,
            dossier_code: None,
        }
    }

    #[test]
    fn labels_pad_to_three_digits() {
        assert_eq!(label("A", 7), "A007");
        assert_eq!(label("B", 123), "B123");
        assert_eq!(label("C", 1234), "C1234");
    }

    #[test]
    fn numbers_stop_at_the_days_limit() {
        assert_eq!(next_number(0), Ok(1));
        assert_eq!(next_number(9_998), Ok(9_999));
        assert_eq!(next_number(9_999), Err(HallError::DayFull));
    }

    #[test]
    fn the_longest_waiting_ticket_of_the_counters_areas_comes_next() {
        let ts = vec![
            ticket("B", 1, at(1, 0)),
            ticket("A", 2, at(1, 5)),
            ticket("A", 1, at(1, 2)),
        ];
        assert_eq!(next_for(&ts, &["A".into()]).unwrap().number, 1);
        assert_eq!(next_for(&ts, &["A".into()]).unwrap().area, "A");
        assert_eq!(next_for(&ts, &[]).unwrap().area, "B");
        assert!(next_for(&ts, &["C".into()]).is_none());
    }

    #[test]
    fn a_ticket_is_called_recalled_and_closed_at_its_counter() {
        let mut t = ticket("A", 1, at(1, 0));
        call(&mut t, 3, at(1, 10)).unwrap();
        call(&mut t, 3, at(1, 12)).unwrap();
        assert_eq!(
            (t.calls, t.called_at, t.last_called_at),
            (2, Some(at(1, 10)), Some(at(1, 12)))
        );
        assert_eq!(
            finish(&mut t, 4, TicketStatus::Done, None, at(1, 20)),
            Err(HallError::OtherCounter(3))
        );
        finish(&mut t, 3, TicketStatus::Done, Some("X".into()), at(1, 25)).unwrap();
        assert_eq!(t.dossier_code.as_deref(), Some("X"));
        assert_eq!(t.wait_minutes(), Some(10.0));
        assert_eq!(t.serve_minutes(), Some(15.0));
        assert_eq!(
            call(&mut t, 3, at(1, 30)),
            Err(HallError::NotCallable(TicketStatus::Done))
        );
        assert_eq!(
            call(&mut ticket("A", 2, at(1, 0)), 0, at(1, 1)),
            Err(HallError::BadCounter)
        );
        let mut w = ticket("A", 2, at(1, 0));
        assert_eq!(
            finish(&mut w, 3, TicketStatus::NoShow, None, at(1, 1)),
            Err(HallError::NotCalled(TicketStatus::Waiting))
        );
    }

    #[test]
    fn times_average_over_called_and_served_tickets() {
        let mut a = ticket("A", 1, at(1, 0));
        call(&mut a, 1, at(1, 4)).unwrap();
        finish(&mut a, 1, TicketStatus::Done, None, at(1, 10)).unwrap();
        let mut b = ticket("A", 2, at(1, 0));
        call(&mut b, 2, at(1, 8)).unwrap();
        finish(&mut b, 2, TicketStatus::NoShow, None, at(1, 9)).unwrap();
        let c = ticket("A", 3, at(1, 1));
        let t = times([&a, &b, &c]);
        assert_eq!((t.issued, t.waiting, t.served, t.no_show), (3, 1, 1, 1));
        assert_eq!(t.wait_avg, Some(6.0));
        assert_eq!(t.wait_max, Some(8.0));
        assert_eq!(t.serve_avg, Some(6.0));
    }

    #[test]
    fn areas_are_one_letter_with_a_name() {
        assert!(check_area("A", "Tư pháp - Hộ tịch").is_ok());
        assert_eq!(check_area("a", "x"), Err(HallError::BadAreaCode));
        assert_eq!(check_area("AB", "x"), Err(HallError::BadAreaCode));
        assert_eq!(check_area("A", "  "), Err(HallError::BadAreaName));
        assert_eq!(
            check_area("A", &"x".repeat(121)),
            Err(HallError::BadAreaName)
        );
    }
}
