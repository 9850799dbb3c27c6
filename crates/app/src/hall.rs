//! The counter hall (bốc số) of a centre: the kiosk gives out tickets, the counters call them,
//! the display board shows the calls, and the statistics report waiting and serving times.
//! The rules are `motcua_domain::hall`'s; this service finds the centre, authorises the
//! counter's officer (a receiving officer of that centre), keeps two counters from taking the
//! same ticket (a conditional update, tried again on a race) and limits the kiosk per address.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::auth::Action;
use motcua_domain::hall::{
    self, Area, CounterDesk, HallError, MAX_AREAS, Ticket, TicketStatus, Times,
};
use motcua_domain::vn_time;
use motcua_store::{Agency, DbError};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope, require};
use crate::error::AppError;
use crate::state::App;

/// Tickets one address may take in a minute at the kiosk (a kiosk is one address: a busy
/// centre gives a few a minute).
pub const KIOSK_PER_MINUTE: i64 = 60;
/// Calls shown on the display board.
pub const BOARD_CALLS: i64 = 8;
/// The most tickets the statistics read for a period.
pub const STATS_MAX_TICKETS: i64 = 200_000;
/// How often a conditional update is tried when counters race for the same ticket.
const RACE_TRIES: usize = 8;

/// The area a centre's kiosk offers when none is set up.
pub fn default_areas() -> Vec<Area> {
    vec![Area {
        code: "A".into(),
        name: "Tiếp nhận và trả kết quả".into(),
    }]
}

pub fn hall_error(e: HallError) -> AppError {
    match e {
        HallError::NotCallable(_) | HallError::NotCalled(_) | HallError::OtherCounter(_) => {
            AppError::Conflict {
                kind: e.code(),
                message: e.message_vi(),
            }
        }
        HallError::DayFull => AppError::Conflict {
            kind: e.code(),
            message: e.message_vi(),
        },
        _ => AppError::invalid(e.code(), e.message_vi()),
    }
}

/// A ticket with what its page and the board show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub label: String,
    pub area: String,
    pub area_name: String,
    pub agency_code: String,
    pub agency_name: String,
    pub status: String,
    pub status_label: String,
    pub counter: Option<i32>,
    /// Vietnam time, YYYY-MM-DDTHH:MM.
    pub issued_at: String,
    /// Tickets of the same area still waiting before this one.
    pub ahead: i64,
    pub token: String,
    pub dossier_code: Option<String>,
}

/// One call on the display board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BoardCall {
    pub label: String,
    pub counter: i32,
    pub area_name: String,
    /// HH:MM, Vietnam time.
    pub at: String,
}

/// Waiting tickets of an area.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaQueue {
    pub code: String,
    pub name: String,
    pub waiting: i64,
}

/// What the hall's display board shows: no personal data, only numbers and counters.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub agency_code: String,
    pub agency_name: String,
    /// The newest call first.
    pub calls: Vec<BoardCall>,
    pub areas: Vec<AreaQueue>,
}

/// A counter's screen: its areas, the ticket it serves, the queues.
#[derive(Debug, Clone, Serialize)]
pub struct Desk {
    pub agency: Agency,
    pub counter: i32,
    pub areas: Vec<Area>,
    /// The letters this counter serves (empty: all).
    pub serves: Vec<String>,
    pub current: Option<Ticket>,
    pub queues: Vec<AreaQueue>,
    /// The newest dossier this officer received since the current ticket was called: what
    /// "done" links the ticket to unless the officer names another.
    pub suggested_dossier: Option<String>,
}

/// Waiting and serving times of a period, per area and per counter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HallStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[schema(value_type = Object)]
    pub total: Times,
    pub areas: Vec<AreaTimes>,
    pub counters: Vec<CounterTimes>,
}

/// The times of one service area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaTimes {
    pub code: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub times: Times,
}

/// The times of the tickets one counter called.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterTimes {
    pub counter: i32,
    #[schema(value_type = Object)]
    pub times: Times,
}

/// A centre by its code (404 when there is none).
pub async fn agency_by_code(app: &App, code: &str) -> Result<Agency, AppError> {
    match app.store.get_agency_by_code(code).await {
        Ok(a) => Ok(a),
        Err(DbError::NotFound) => Err(AppError::NotFound("cơ quan")),
        Err(e) => Err(e.into()),
    }
}

/// A centre's kiosk areas (the default one when none is set up).
pub async fn areas(app: &App, agency: Uuid) -> Result<Vec<Area>, AppError> {
    let areas = app.store.hall_areas(agency).await?;
    Ok(if areas.is_empty() {
        default_areas()
    } else {
        areas
    })
}

/// A centre by its code, when `caller` staffs its counters (403 otherwise): what the API
/// checks before it reads a counter's request.
pub async fn staffed_centre(app: &App, caller: &Caller, code: &str) -> Result<Agency, AppError> {
    let agency = agency_by_code(app, code).await?;
    staff_of(caller, agency.id)?;
    Ok(agency)
}

fn staff_of(caller: &Caller, agency: Uuid) -> Result<(), AppError> {
    if crate::auth::desk_agency_ids(caller).contains(&agency) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Sets up a centre's kiosk areas: its receiving officers or an administrator.
pub async fn set_areas(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    areas: Vec<Area>,
) -> Result<Vec<Area>, AppError> {
    if staff_of(caller, agency).is_err() {
        let scope = ResolvedScope::of(app, agency).await?;
        require(caller, Action::ConfigureAgency(scope.scope()))?;
    }
    if areas.is_empty() || areas.len() > MAX_AREAS {
        return Err(AppError::invalid(
            "hall_areas_count",
            format!("Cần từ 1 đến {MAX_AREAS} khu vực."),
        ));
    }
    let mut seen = Vec::new();
    let mut clean = Vec::with_capacity(areas.len());
    for a in areas {
        let name = motcua_domain::input::nfc(a.name.trim());
        hall::check_area(&a.code, &name).map_err(hall_error)?;
        if seen.contains(&a.code) {
            return Err(AppError::invalid(
                "hall_area_code_taken",
                format!("Mã khu vực {} bị trùng.", a.code),
            ));
        }
        seen.push(a.code.clone());
        clean.push(Area { code: a.code, name });
    }
    app.store.set_hall_areas(agency, &clean).await?;
    Ok(clean)
}

/// Gives out the next number of `area` at the kiosk of the centre `agency_code`. Anyone may
/// take one; an address takes at most [`KIOSK_PER_MINUTE`] a minute.
pub async fn issue(
    app: &App,
    agency_code: &str,
    area: &str,
    ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Ticket, AppError> {
    let agency = agency_by_code(app, agency_code).await?;
    let areas = areas(app, agency.id).await?;
    if !areas.iter().any(|a| a.code == area) {
        return Err(AppError::invalid(
            "hall_area_unknown",
            "Khu vực này không có tại trung tâm.",
        ));
    }
    if let Some(ip) = ip {
        let window = now.timestamp().div_euclid(60);
        let hits = app
            .store
            .hit_rate_window(&format!("kiosk:{ip}"), window)
            .await?;
        if hits > KIOSK_PER_MINUTE {
            return Err(AppError::TooManyRequests {
                retry_after_secs: (60 - now.timestamp().rem_euclid(60)).max(1) as u64,
            });
        }
    }
    let day = vn_time::local(now).date();
    for _ in 0..RACE_TRIES {
        let last = app.store.last_ticket_number(agency.id, day, area).await?;
        let number = hall::next_number(last).map_err(hall_error)?;
        let t = Ticket {
            id: Uuid::new_v4(),
            agency_id: agency.id,
            day,
            area: area.to_string(),
            number,
            token: crate::auth::new_secret("").0,
            status: TicketStatus::Waiting,
            counter: None,
            issued_at: now,
            called_at: None,
            last_called_at: None,
            calls: 0,
            finished_at: None,
            dossier_code: None,
        };
        match app.store.insert_ticket(&t).await {
            Ok(()) => return Ok(t),
            // Another process took this number first: read the last one again.
            Err(DbError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Unavailable(
        "the kiosk could not take a number".into(),
    ))
}

/// A ticket by its key, as its page shows it.
pub async fn ticket_view(app: &App, token: &str) -> Result<TicketView, AppError> {
    if token.is_empty() || token.len() > 64 {
        return Err(AppError::NotFound("số thứ tự"));
    }
    let t = match app.store.ticket_by_token(token).await {
        Ok(t) => t,
        Err(DbError::NotFound) => return Err(AppError::NotFound("số thứ tự")),
        Err(e) => return Err(e.into()),
    };
    let agency = app.store.get_agency(t.agency_id).await?;
    let areas = areas(app, agency.id).await?;
    let ahead = if t.status == TicketStatus::Waiting {
        app.store.tickets_ahead(&t).await?
    } else {
        0
    };
    Ok(view(&t, &agency, &areas, ahead))
}

fn area_name(areas: &[Area], code: &str) -> String {
    areas
        .iter()
        .find(|a| a.code == code)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub fn view(t: &Ticket, agency: &Agency, areas: &[Area], ahead: i64) -> TicketView {
    TicketView {
        label: t.label(),
        area: t.area.clone(),
        area_name: area_name(areas, &t.area),
        agency_code: agency.code.clone(),
        agency_name: agency.name.clone(),
        status: t.status.as_str().into(),
        status_label: t.status.label_vi().into(),
        counter: t.counter,
        issued_at: crate::calendar::format_vn_instant(t.issued_at),
        ahead,
        token: t.token.clone(),
        dossier_code: t.dossier_code.clone(),
    }
}

/// The display board of the centre `agency_code` on the day of `now`.
pub async fn board(app: &App, agency_code: &str, now: DateTime<Utc>) -> Result<Board, AppError> {
    let agency = agency_by_code(app, agency_code).await?;
    let day = vn_time::local(now).date();
    let areas = areas(app, agency.id).await?;
    let calls = app.store.recent_calls(agency.id, day, BOARD_CALLS).await?;
    let waiting = app.store.waiting_counts(agency.id, day).await?;
    Ok(Board {
        agency_code: agency.code.clone(),
        agency_name: agency.name.clone(),
        calls: calls
            .iter()
            .filter_map(|t| {
                Some(BoardCall {
                    label: t.label(),
                    counter: t.counter?,
                    area_name: area_name(&areas, &t.area),
                    at: vn_time::local(t.last_called_at?)
                        .format("%H:%M")
                        .to_string(),
                })
            })
            .collect(),
        areas: queues(&areas, &waiting),
    })
}

fn queues(areas: &[Area], waiting: &[(String, i64)]) -> Vec<AreaQueue> {
    areas
        .iter()
        .map(|a| AreaQueue {
            code: a.code.clone(),
            name: a.name.clone(),
            waiting: waiting
                .iter()
                .find(|(c, _)| *c == a.code)
                .map_or(0, |(_, n)| *n),
        })
        .collect()
}

/// A counter's screen for its officer.
pub async fn desk(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    counter: i32,
    now: DateTime<Utc>,
) -> Result<Desk, AppError> {
    staff_of(caller, agency)?;
    hall::check_counter(counter).map_err(hall_error)?;
    let day = vn_time::local(now).date();
    let agency = app.store.get_agency(agency).await?;
    let areas = areas(app, agency.id).await?;
    let serves = app
        .store
        .counter_desk(agency.id, counter)
        .await?
        .map(|d| d.areas)
        .unwrap_or_default();
    let current = app.store.counter_ticket(agency.id, day, counter).await?;
    let waiting = app.store.waiting_counts(agency.id, day).await?;
    let suggested_dossier = match &current {
        Some(t) => {
            app.store
                .latest_received_by(caller.user.id, agency.id, t.called_at.unwrap_or(now))
                .await?
        }
        None => None,
    };
    Ok(Desk {
        queues: queues(&areas, &waiting),
        agency,
        counter,
        areas,
        serves,
        current,
        suggested_dossier,
    })
}

/// Sets the areas a counter serves (empty: all).
pub async fn set_desk(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    counter: i32,
    serves: Vec<String>,
) -> Result<(), AppError> {
    staff_of(caller, agency)?;
    hall::check_counter(counter).map_err(hall_error)?;
    let areas = areas(app, agency).await?;
    let mut serves: Vec<String> = serves
        .into_iter()
        .filter(|s| areas.iter().any(|a| a.code == *s))
        .collect();
    serves.sort();
    serves.dedup();
    app.store
        .put_counter_desk(&CounterDesk {
            agency_id: agency,
            counter,
            areas: serves,
            user_id: Some(caller.user.id),
            updated_at: Utc::now(),
        })
        .await?;
    Ok(())
}

/// What a counter asks of the hall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallWhat {
    /// The ticket waiting longest in the counter's areas.
    Next,
    /// A named ticket (`A012`), waiting or called (a person sent here from another counter).
    Number(String),
    /// The counter's current ticket, once more.
    Again,
}

fn parse_label(label: &str) -> Option<(String, i32)> {
    let label = label.trim().to_ascii_uppercase();
    let (area, number) = label.split_at_checked(1)?;
    if !area.bytes().all(|b| b.is_ascii_uppercase()) || number.is_empty() || number.len() > 4 {
        return None;
    }
    Some((area.to_string(), number.parse().ok()?))
}

fn busy(t: &Ticket) -> AppError {
    AppError::Conflict {
        kind: "hall_counter_busy",
        message: format!(
            "Quầy đang phục vụ số {}: bấm “Xong” hoặc “Vắng mặt” trước khi gọi số khác.",
            t.label()
        ),
    }
}

/// Calls a ticket to `counter`; `Ok(None)` when nobody waits in the counter's areas.
pub async fn call(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    counter: i32,
    what: CallWhat,
    now: DateTime<Utc>,
) -> Result<Option<Ticket>, AppError> {
    staff_of(caller, agency)?;
    hall::check_counter(counter).map_err(hall_error)?;
    let day = vn_time::local(now).date();
    let current = app.store.counter_ticket(agency, day, counter).await?;
    for _ in 0..RACE_TRIES {
        let mut t = match &what {
            CallWhat::Again => match app.store.counter_ticket(agency, day, counter).await? {
                Some(t) => t,
                None => {
                    return Err(AppError::Conflict {
                        kind: "hall_counter_idle",
                        message: "Quầy chưa gọi số nào để gọi lại.".into(),
                    });
                }
            },
            CallWhat::Next => {
                if let Some(c) = &current {
                    return Err(busy(c));
                }
                let serves = app
                    .store
                    .counter_desk(agency, counter)
                    .await?
                    .map(|d| d.areas)
                    .unwrap_or_default();
                let waiting = app.store.waiting_tickets(agency, day, &serves, 1).await?;
                match hall::next_for(&waiting, &serves) {
                    Some(t) => t.clone(),
                    None => return Ok(None),
                }
            }
            CallWhat::Number(label) => {
                let Some((area, number)) = parse_label(label) else {
                    return Err(AppError::invalid(
                        "hall_ticket_label_invalid",
                        "Số thứ tự cần dạng chữ cái và số, ví dụ A012.",
                    ));
                };
                let t = match app.store.ticket_by_number(agency, day, &area, number).await {
                    Ok(t) => t,
                    Err(DbError::NotFound) => return Err(AppError::NotFound("số thứ tự")),
                    Err(e) => return Err(e.into()),
                };
                if let Some(c) = current.as_ref().filter(|c| c.id != t.id) {
                    return Err(busy(c));
                }
                t
            }
        };
        let was = t.status;
        hall::call(&mut t, counter, now).map_err(hall_error)?;
        if app.store.update_ticket(&t, was).await? {
            return Ok(Some(t));
        }
        // Another counter took it between the read and the write: choose again.
    }
    Err(AppError::Conflict {
        kind: "hall_busy",
        message: "Nhiều quầy cùng gọi một lúc: vui lòng bấm lại.".into(),
    })
}

/// Closes the counter's current ticket: served (linked to the dossier received, if any) or
/// not there.
pub async fn finish(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    counter: i32,
    outcome: TicketStatus,
    dossier_code: Option<String>,
    now: DateTime<Utc>,
) -> Result<Ticket, AppError> {
    staff_of(caller, agency)?;
    hall::check_counter(counter).map_err(hall_error)?;
    if !matches!(outcome, TicketStatus::Done | TicketStatus::NoShow) {
        return Err(AppError::invalid(
            "hall_outcome_invalid",
            "Kết quả phục vụ không hợp lệ.",
        ));
    }
    let dossier_code = dossier_code
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if let Some(code) = &dossier_code {
        let found = if code.len() > 100 {
            Err(DbError::NotFound)
        } else {
            app.store.dossier_by_code(code).await
        };
        let row = match found {
            Ok(r) => r,
            Err(DbError::NotFound) => {
                return Err(AppError::invalid(
                    "hall_dossier_unknown",
                    format!("Không có hồ sơ mã {code}."),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if row.intake_agency_id != agency {
            return Err(AppError::invalid(
                "hall_dossier_other_agency",
                format!("Hồ sơ {code} không được tiếp nhận tại trung tâm này."),
            ));
        }
    }
    let day = vn_time::local(now).date();
    let Some(mut t) = app.store.counter_ticket(agency, day, counter).await? else {
        return Err(AppError::Conflict {
            kind: "hall_counter_idle",
            message: "Quầy không có số nào đang phục vụ.".into(),
        });
    };
    hall::finish(&mut t, counter, outcome, dossier_code, now).map_err(hall_error)?;
    if !app.store.update_ticket(&t, TicketStatus::Called).await? {
        return Err(AppError::Conflict {
            kind: "hall_busy",
            message: "Số này vừa được thay đổi ở quầy khác: vui lòng tải lại trang.".into(),
        });
    }
    Ok(t)
}

/// Waiting and serving times of a centre from `from` to `to` (Vietnam dates, included).
pub async fn stats(
    app: &App,
    caller: &Caller,
    agency: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HallStats, AppError> {
    if staff_of(caller, agency).is_err() {
        let scope = ResolvedScope::of(app, agency).await?;
        require(caller, Action::Oversee(scope.scope()))?;
    }
    if to < from || (to - from).num_days() > 366 {
        return Err(AppError::invalid(
            "hall_period_invalid",
            "Khoảng thời gian cần hợp lệ và không quá một năm.",
        ));
    }
    let tickets = app
        .store
        .tickets_between(agency, from, to, STATS_MAX_TICKETS)
        .await?;
    let areas = areas(app, agency).await?;
    let mut counters: Vec<i32> = tickets.iter().filter_map(|t| t.counter).collect();
    counters.sort();
    counters.dedup();
    Ok(HallStats {
        from,
        to,
        total: hall::times(&tickets),
        areas: areas
            .into_iter()
            .map(|a| AreaTimes {
                times: hall::times(tickets.iter().filter(|t| t.area == a.code)),
                code: a.code,
                name: a.name,
            })
            .collect(),
        counters: counters
            .into_iter()
            .map(|c| CounterTimes {
                counter: c,
                times: hall::times(tickets.iter().filter(|t| t.counter == Some(c))),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_back() {
        assert_eq!(parse_label("a012"), Some(("A".into(), 12)));
        assert_eq!(parse_label(" B7 "), Some(("B".into(), 7)));
        assert_eq!(parse_label("A"), None);
        assert_eq!(parse_label("12"), None);
        assert_eq!(parse_label("A12345"), None);
        assert_eq!(parse_label("Ă12"), None);
    }
}

/// Today's hall of a centre, for the operations view.
#[derive(Debug, Clone, Serialize)]
pub struct CentreToday {
    pub code: String,
    pub name: String,
    pub times: Times,
}

/// The halls that gave out tickets today among `unit` and the agencies `below` it (the
/// operations view's unit and its children; at most 500 looked at): 403 unless `caller`
/// oversees the unit.
pub async fn today_in(
    app: &App,
    caller: &Caller,
    unit: &Agency,
    below: &[Agency],
    now: DateTime<Utc>,
) -> Result<Vec<CentreToday>, AppError> {
    let scope = ResolvedScope::of(app, unit.id).await?;
    require(caller, Action::Oversee(scope.scope()))?;
    let day = vn_time::date(now);
    let mut out = Vec::new();
    for a in std::iter::once(unit).chain(below).take(500) {
        let tickets = app
            .store
            .tickets_between(a.id, day, day, STATS_MAX_TICKETS)
            .await?;
        if !tickets.is_empty() {
            out.push(CentreToday {
                code: a.code.clone(),
                name: a.name.clone(),
                times: hall::times(&tickets),
            });
        }
    }
    Ok(out)
}
