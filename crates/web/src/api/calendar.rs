//! The legal calendar: holidays of a year, official schedules (administrators), lunar dates and
//! working-day deadlines.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::auth::Action;
use motcua_domain::calendar::{
    DayEntry, DayKind, Duration, OfficeHours, YearSchedule, can_chi_year, lunar_to_solar,
    solar_to_lunar,
};
use serde::{Deserialize, Serialize};

use crate::api::responses::{BadRequest, Forbidden, NotFound, Unprocessable};
use crate::auth::{Acting, require};
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::calendar::{
    self as cal, calendar_error, format_lunar, format_vn_instant, parse_date, parse_lunar,
    parse_time, parse_vn_instant,
};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Day {
    /// YYYY-MM-DD
    pub date: String,
    /// `off` (no work) or `work` (a weekend day that is worked)
    pub kind: String,
    pub name: String,
    pub source: String,
}

impl From<&DayEntry> for Day {
    fn from(e: &DayEntry) -> Self {
        Day {
            date: e.date.to_string(),
            kind: match e.kind {
                DayKind::Off => "off".into(),
                DayKind::Work => "work".into(),
            },
            name: e.name.clone(),
            source: e.source.clone(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct YearHolidays {
    pub year: i32,
    /// True when an official schedule of the year is in force; false when the statutory rules
    /// (Labour Code 2019 art. 112) are applied.
    pub official: bool,
    /// Legal source of the official schedule.
    pub note: Option<String>,
    /// Days off that are not weekends, and worked weekend days.
    pub days: Vec<Day>,
}

fn check_year(year: i32) -> ApiResult<()> {
    if (1900..=2100).contains(&year) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "year_out_of_range",
            format!("Năm {year} nằm ngoài phạm vi 1900–2100."),
        ))
    }
}

/// Holidays and worked weekend days of a year.
#[utoipa::path(get, path = "/calendar/holidays/{year}", tag = "calendar",
    responses((status = 200, body = YearHolidays), BadRequest))]
pub async fn holidays(
    State(state): State<AppState>,
    Path(year): Path<i32>,
) -> ApiResult<Json<YearHolidays>> {
    check_year(year)?;
    let calendar = state.current_calendar().await?;
    let days = cal::holidays(&calendar, year)?;
    let official = state.official_year(year).await?;
    Ok(Json(YearHolidays {
        year,
        official: official.is_some(),
        note: official.map(|y| y.note),
        days: days.iter().map(Day::from).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    /// YYYY-MM-DD
    pub date: String,
    /// `off` or `work`
    pub kind: String,
    pub name: String,
    /// Legal source of this day (e.g. "VPCP 8726/VPCP-KGVX").
    pub source: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearInput {
    /// Legal source of the schedule as a whole.
    pub note: String,
    /// Every day off (including the statutory ones) and every worked weekend day of the year.
    pub days: Vec<DayInput>,
}

/// Set the official schedule of a year (system administrators). It replaces the statutory
/// derivation for that year; dossiers received earlier keep their appointments.
#[utoipa::path(put, path = "/calendar/years/{year}", tag = "calendar", request_body = YearInput,
    security(("bearer" = [])),
    responses((status = 200, body = YearHolidays), Forbidden, Unprocessable))]
pub async fn set_year(
    Acting(state, caller): Acting,
    Path(year): Path<i32>,
    ApiJson(input): ApiJson<YearInput>,
) -> ApiResult<Json<YearHolidays>> {
    require(&caller, Action::ManageCalendar)?;
    check_year(year)?;
    let mut entries = Vec::with_capacity(input.days.len());
    for d in input.days {
        let kind = match d.kind.as_str() {
            "off" => DayKind::Off,
            "work" => DayKind::Work,
            other => {
                return Err(ApiError::invalid(
                    "invalid_day_kind",
                    format!("Loại ngày \"{other}\" không hợp lệ (off, work)."),
                ));
            }
        };
        let date = parse_date(&d.date).map_err(|e| ApiError::invalid(e.code(), e.message_vi()))?;
        entries.push(DayEntry {
            date,
            kind,
            name: d.name.trim().to_string(),
            source: d.source.trim().to_string(),
        });
    }
    state
        .set_holiday_year(&caller, YearSchedule { year, entries }, &input.note)
        .await?;
    holidays(State(state), crate::error::ApiPath(year)).await
}

/// Remove the official schedule of a year: the statutory rules apply again.
#[utoipa::path(delete, path = "/calendar/years/{year}", tag = "calendar", security(("bearer" = [])),
    responses((status = 204), Forbidden, NotFound))]
pub async fn delete_year(
    Acting(state, caller): Acting,
    Path(year): Path<i32>,
) -> ApiResult<StatusCode> {
    state.delete_holiday_year(&caller, year).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LunarParams {
    /// Solar date, YYYY-MM-DD.
    pub date: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LunarAnswer {
    pub solar: String,
    pub day: u32,
    pub month: u32,
    pub year: i32,
    pub leap: bool,
    /// `26/6/2025 nhuận`
    pub text: String,
    /// The year's name, e.g. "Ất Tỵ".
    pub can_chi: String,
}

/// Solar → lunar date (Vietnamese calendar, UTC+7).
#[utoipa::path(get, path = "/calendar/lunar", params(LunarParams), tag = "calendar",
    responses((status = 200, body = LunarAnswer), BadRequest))]
pub async fn lunar(ApiQuery(p): ApiQuery<LunarParams>) -> ApiResult<Json<LunarAnswer>> {
    let date = parse_date(&p.date)?;
    let l = solar_to_lunar(date).map_err(calendar_error)?;
    Ok(Json(LunarAnswer {
        solar: date.to_string(),
        day: l.day,
        month: l.month,
        year: l.year,
        leap: l.leap,
        text: format_lunar(&l),
        can_chi: can_chi_year(l.year),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SolarParams {
    /// Lunar date, D/M/YYYY.
    pub lunar: String,
    /// The month is the leap month of that year.
    #[serde(default)]
    pub leap: bool,
}

/// Lunar → solar date.
#[utoipa::path(get, path = "/calendar/solar", params(SolarParams), tag = "calendar",
    responses((status = 200, body = LunarAnswer), BadRequest))]
pub async fn solar(ApiQuery(p): ApiQuery<SolarParams>) -> ApiResult<Json<LunarAnswer>> {
    let l = parse_lunar(&p.lunar, p.leap)?;
    let date = lunar_to_solar(l).map_err(calendar_error)?;
    lunar(ApiQuery(LunarParams {
        date: date.to_string(),
    }))
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DueParams {
    /// Receipt instant in Vietnam time, YYYY-MM-DDTHH:MM.
    pub from: String,
    pub working_days: Option<u32>,
    pub working_hours: Option<u32>,
    /// Cut-off time of the procedure, HH:MM (received later counts from the next working day).
    pub cutoff: Option<String>,
    /// Agency code whose office hours apply (the default hours otherwise).
    pub agency: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DueAnswer {
    /// When counting starts, Vietnam time.
    pub effective_receipt: String,
    /// The appointment (ngày hẹn trả), Vietnam time YYYY-MM-DDTHH:MM.
    pub appointment: String,
    pub appointment_utc: chrono::DateTime<chrono::Utc>,
}

/// Appointment for a receipt instant and a processing time, with the default office hours.
#[utoipa::path(get, path = "/calendar/due", params(DueParams), tag = "calendar",
    responses((status = 200, body = DueAnswer), BadRequest))]
pub async fn due(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DueParams>,
) -> ApiResult<Json<DueAnswer>> {
    let from = parse_vn_instant(&p.from)?;
    let duration = match (p.working_days, p.working_hours) {
        (Some(d), None) => Duration::WorkingDays(d),
        (None, Some(h)) => Duration::WorkingHours(h),
        _ => {
            return Err(ApiError::bad_request(
                "duration_required",
                "Cần đúng một trong hai tham số working_days hoặc working_hours.",
            ));
        }
    };
    let cutoff = p.cutoff.as_deref().map(parse_time).transpose()?;
    let calendar = state.current_calendar().await?;
    let hours = match &p.agency {
        Some(code) => {
            state
                .office_hours_of(crate::api::agencies::agency_by_code(&state, code).await?.id)
                .await?
        }
        None => OfficeHours::default(),
    };
    let clock = calendar.clock(&hours);
    let start = clock
        .effective_receipt(from, cutoff)
        .map_err(calendar_error)?;
    let appointment = clock
        .appointment(from, cutoff, duration)
        .map_err(calendar_error)?;
    Ok(Json(DueAnswer {
        effective_receipt: format_vn_instant(start),
        appointment: format_vn_instant(appointment),
        appointment_utc: appointment,
    }))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeHoursBody {
    /// Sessions of a working day, `[["07:30", "11:30"], ["13:30", "17:00"]]`; `null` resets to
    /// the default. (Described as arrays of strings: utoipa writes a tuple as an OpenAPI 3.0
    /// `items` list, which 3.1 validators refuse.)
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub sessions: Option<Vec<(String, String)>>,
}

fn sessions_of(h: &OfficeHours) -> OfficeHoursBody {
    OfficeHoursBody {
        sessions: Some(
            h.sessions()
                .iter()
                .map(|(a, b)| (a.format("%H:%M").to_string(), b.format("%H:%M").to_string()))
                .collect(),
        ),
    }
}

/// An agency's office hours.
#[utoipa::path(get, path = "/agencies/{code}/office-hours", tag = "calendar",
    responses((status = 200, body = OfficeHoursBody), NotFound))]
pub async fn get_office_hours(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<OfficeHoursBody>> {
    let agency = crate::api::agencies::agency_by_code(&state, &code).await?;
    Ok(Json(sessions_of(&state.office_hours_of(agency.id).await?)))
}

/// Set an agency's office hours (administrators of the agency).
#[utoipa::path(put, path = "/agencies/{code}/office-hours", tag = "calendar", request_body = OfficeHoursBody,
    security(("bearer" = [])),
    responses((status = 200, body = OfficeHoursBody), Forbidden, Unprocessable))]
pub async fn set_office_hours(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<OfficeHoursBody>,
) -> ApiResult<Json<OfficeHoursBody>> {
    let agency = crate::api::agencies::agency_by_code(&state, &code).await?;
    let hours = state
        .set_office_hours(&caller, agency.id, body.sessions)
        .await?;
    Ok(Json(sessions_of(&hours)))
}
