//! `/quan-tri/lich`: the holiday calendar of a year (days off, worked weekend days, Tết from
//! the lunar calendar), editing a year's official schedule, and the appointment calculator.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use motcua_domain::calendar::{
    DayEntry, DayKind, Duration, LunarDate, OfficeHours, can_chi_year, lunar_to_solar,
    solar_to_lunar,
};
use serde::Deserialize;

use super::{CsrfOnly, Errors, agency_by_code, form_error, notice, opt, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Admin, Gated, Posted};
use crate::ui::kit::{Ctx, Page, is_htmx};
use motcua_app::AppError;
use motcua_app::calendar::{
    self as cal, calendar_error, format_lunar, parse_date, parse_vn_instant,
};

/// One day of the year's list.
pub struct DayView {
    pub date: NaiveDate,
    pub iso: String,
    pub weekday: &'static str,
    pub off: bool,
    pub name: String,
    pub source: String,
    pub lunar: String,
    /// "Mùng 1 Tết", "30 Tết" for the days of Tết.
    pub tet: Option<String>,
}

fn weekday_vi(d: NaiveDate) -> &'static str {
    match d.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ nhật",
    }
}

fn view(e: &DayEntry) -> DayView {
    let lunar = solar_to_lunar(e.date).ok();
    let tet = lunar.and_then(|l| match (l.month, l.leap) {
        (1, false) if l.day <= 10 => Some(format!("Mùng {} Tết", l.day)),
        (12, false) if l.day >= 29 => Some(format!("{} Tết", l.day)),
        _ => None,
    });
    DayView {
        date: e.date,
        iso: e.date.to_string(),
        weekday: weekday_vi(e.date),
        off: e.kind == DayKind::Off,
        name: e.name.clone(),
        source: e.source.clone(),
        lunar: lunar.map(|l| format_lunar(&l)).unwrap_or_default(),
        tet,
    }
}

/// The day-to-add form, as typed.
#[derive(Default)]
pub struct AddForm {
    pub note: String,
    pub date: String,
    pub kind: String,
    pub name: String,
    pub source: String,
    pub remove: Vec<String>,
}

#[derive(Default)]
pub struct DueForm {
    pub from: String,
    pub days: String,
    pub agency: String,
}

#[derive(Template)]
#[template(path = "ui/admin/due_result.html")]
struct DueResult {
    p: Page,
    errors: Errors,
    appointment: Option<String>,
    start: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/admin/calendar.html")]
struct YearPage {
    p: Page,
    year: i32,
    can_chi: String,
    tet: Option<NaiveDate>,
    official: bool,
    note: String,
    updated: Option<(String, String)>,
    days: Vec<DayView>,
    form: AddForm,
    errors: Errors,
    notice: Option<&'static str>,
    due: DueForm,
    due_result: String,
}

impl YearPage {
    fn removed(&self, iso: &str) -> bool {
        self.form.remove.iter().any(|d| d == iso)
    }
}

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    nam: Option<String>,
    ok: Option<String>,
}

async fn render_year(
    ctx: &Ctx,
    year: i32,
    form: Option<AddForm>,
    errors: Errors,
    notice: Option<&'static str>,
    due: DueForm,
    due_result: String,
) -> Response {
    let state = &ctx.state;
    let found = async {
        let calendar = state.current_calendar().await?;
        let days = cal::holidays(&calendar, year)?;
        let official = state.official_year(year).await?;
        Ok::<_, ApiError>((days, official))
    };
    let (days, official) = match found.await {
        Ok(f) => f,
        Err(e) => return ctx.error(&e),
    };
    let p = ctx.page();
    let updated = official
        .as_ref()
        .map(|o| (p.datetime(&o.updated_at), o.updated_by.clone()));
    let note = official
        .as_ref()
        .map(|o| o.note.clone())
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| AddForm {
        note: note.clone(),
        kind: "off".into(),
        ..Default::default()
    });
    let status = errors.status();
    ctx.render_status(
        status,
        YearPage {
            year,
            can_chi: can_chi_year(year),
            tet: lunar_to_solar(LunarDate::new(year, 1, 1)).ok(),
            official: official.is_some(),
            note,
            updated,
            days: days.iter().map(view).collect(),
            form,
            errors,
            notice,
            due,
            due_result,
            p,
        },
    )
}

fn parse_year(s: &str) -> Option<i32> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
}

pub(crate) async fn year_page(
    Query(q): Query<YearQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let this_year = motcua_domain::vn_time::today().year();
    let year = match q.nam.as_deref() {
        None | Some("") => this_year,
        Some(s) => match parse_year(s) {
            Some(y) => y,
            None => {
                return ctx.error(&ApiError::bad_request(
                    "year_out_of_range",
                    format!("Năm \"{}\" không hợp lệ (1900–2100).", s.trim()),
                ));
            }
        },
    };
    let said = [
        ("luu", "Đã lưu lịch nghỉ chính thức của năm."),
        (
            "xoa",
            "Đã bỏ lịch chính thức; năm này áp dụng quy định của Bộ luật Lao động.",
        ),
    ];
    let notice = notice(q.ok.as_deref(), &said);
    let due = DueForm {
        from: format!("{year}-01-02T08:00"),
        days: "5".into(),
        agency: String::new(),
    };
    render_year(
        &ctx,
        year,
        None,
        Errors::default(),
        notice,
        due,
        String::new(),
    )
    .await
}

/// The edit form of a year as typed (every value trimmed; `remove` may repeat).
fn add_form(pairs: &[(String, String)]) -> AddForm {
    let field = |k: &str| form::field(pairs, k);
    AddForm {
        note: field("note"),
        date: field("date"),
        kind: field("kind"),
        name: field("name"),
        source: field("source"),
        remove: pairs
            .iter()
            .filter(|(n, _)| n == "remove")
            .map(|(_, v)| v.trim().to_string())
            .collect(),
    }
}

/// The day to add (when the form adds one) and the mistakes of the form.
fn day_to_add(form: &AddForm, year: i32) -> (Option<DayEntry>, Errors) {
    let mut errors = Errors::default();
    if form.note.is_empty() {
        errors.add(
            "note",
            "Cần ghi căn cứ pháp lý của lịch nghỉ (ví dụ: số công văn của Văn phòng Chính phủ).",
        );
    }
    let adding = !form.date.is_empty() || !form.name.is_empty();
    if !adding && form.remove.is_empty() {
        errors.add("date", "Nhập ngày cần thêm hoặc đánh dấu ngày cần bỏ.");
    }
    if !adding {
        return (None, errors);
    }
    match parse_date(&form.date) {
        Err(e) => errors.add("date", e.message_vi()),
        Ok(d) if d.year() != year => errors.add(
            "date",
            format!("Ngày {} không thuộc năm {year}.", d.format("%d/%m/%Y")),
        ),
        Ok(d) => {
            let kind = if form.kind == "work" {
                DayKind::Work
            } else {
                DayKind::Off
            };
            if form.name.is_empty() {
                errors.add("name", "Cần ghi tên ngày (ví dụ: Nghỉ bù, Làm bù).");
            }
            let entry = DayEntry {
                date: d,
                kind,
                name: form.name.clone(),
                source: opt(&form.source).unwrap_or_else(|| form.note.clone()),
            };
            return (Some(entry), errors);
        }
    }
    (None, errors)
}

/// The form field a refusal of the calendar service is about.
fn schedule_field(code: &str) -> Option<&'static str> {
    match code {
        "schedule_bad_date"
        | "schedule_work_on_weekday"
        | "schedule_duplicate_date"
        | "schedule_wrong_year"
        | "invalid_date" => Some("date"),
        "schedule_empty_name" => Some("name"),
        "schedule_bad_kind" => Some("kind"),
        "source_required" => Some("source"),
        _ => None,
    }
}

pub(crate) async fn edit_year(
    Path(year): Path<i32>,
    Posted(ctx, caller, pairs, _): Posted<Vec<(String, String)>, Admin>,
) -> Response {
    let form = add_form(&pairs);
    let (new_entry, mut errors) = day_to_add(&form, year);
    if errors.is_empty() {
        // The same authorisation and service as `PUT /api/v1/calendar/years/{year}`.
        let removed: BTreeSet<NaiveDate> = form
            .remove
            .iter()
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .collect();
        let done = ctx
            .state
            .edit_holiday_year(&caller, year, &removed, new_entry, &form.note);
        match done.await {
            Ok(_) => return see_other(&ctx, &format!("/quan-tri/lich?nam={year}&ok=luu")),
            Err(e) => match form_error(&ctx, &e, schedule_field) {
                Ok(e) => errors = e,
                Err(r) => return r,
            },
        }
    }
    let due = DueForm {
        from: format!("{year}-01-02T08:00"),
        days: "5".into(),
        agency: String::new(),
    };
    render_year(&ctx, year, Some(form), errors, None, due, String::new()).await
}

pub(crate) async fn delete_year(
    State(state): State<AppState>,
    Path(year): Path<i32>,
    Posted(ctx, caller, _, _): Posted<CsrfOnly, Admin>,
) -> Response {
    // The same as `DELETE /api/v1/calendar/years/{year}`.
    match state.delete_holiday_year(&caller, year).await {
        Ok(()) => see_other(&ctx, &format!("/quan-tri/lich?nam={year}&ok=xoa")),
        Err(e) => ctx.error(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DueQuery {
    tu: String,
    so_ngay: String,
    co_quan: String,
}

/// The appointment for a receipt instant and N working days (as `GET /api/v1/calendar/due`).
async fn compute_due(state: &AppState, q: &DueQuery) -> Result<(String, String), Errors> {
    let from = parse_vn_instant(&q.tu).map_err(|e| Errors::one("tu", e.message_vi()))?;
    let days: u32 = q
        .so_ngay
        .trim()
        .parse()
        .ok()
        .filter(|d| *d <= 3650)
        .ok_or_else(|| {
            Errors::one(
                "so_ngay",
                "Số ngày làm việc phải là số nguyên từ 0 đến 3650.",
            )
        })?;
    let general = |e: AppError| Errors::one("due", e.message_vi());
    let hours = match opt(&q.co_quan) {
        Some(code) => {
            let a = agency_by_code(state, &code).await.map_err(|_| {
                Errors::one(
                    "co_quan",
                    format!("Không tìm thấy cơ quan có mã \"{code}\"."),
                )
            })?;
            state.office_hours_of(a.id).await.map_err(general)?
        }
        None => OfficeHours::default(),
    };
    let calendar = state.current_calendar().await.map_err(general)?;
    let clock = calendar.clock(&hours);
    let start = clock
        .effective_receipt(from, None)
        .map_err(|e| Errors::one("tu", calendar_error(e).message_vi()))?;
    let appointment = clock
        .appointment(from, None, Duration::WorkingDays(days))
        .map_err(|e| Errors::one("tu", calendar_error(e).message_vi()))?;
    let fmt = |t: chrono::DateTime<chrono::Utc>| {
        motcua_domain::vn_time::local(t)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    };
    Ok((fmt(start), fmt(appointment)))
}

pub(crate) async fn due(
    headers: HeaderMap,
    Query(q): Query<DueQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let (errors, start, appointment) = match compute_due(&ctx.state, &q).await {
        Ok((s, a)) => (Errors::default(), Some(s), Some(a)),
        Err(e) => (e, None, None),
    };
    let status = errors.status();
    let result = DueResult {
        p: ctx.page(),
        errors,
        appointment,
        start,
    };
    if is_htmx(&headers) {
        // htmx swaps only 2xx answers by default: the mistake is shown with 200.
        return ctx.render(result);
    }
    let year = parse_vn_instant(&q.tu)
        .map(|t| motcua_domain::vn_time::local(t).year())
        .unwrap_or_else(|_| motcua_domain::vn_time::today().year());
    let html = match result.render() {
        Ok(h) => h,
        Err(e) => return ctx.error(&ApiError::Internal(format!("template: {e}"))),
    };
    let mut result = result;
    let errors = std::mem::take(&mut result.errors);
    let mut res = render_year(
        &ctx,
        year,
        None,
        errors,
        None,
        DueForm {
            from: q.tu,
            days: q.so_ngay,
            agency: q.co_quan,
        },
        html,
    )
    .await;
    if res.status() == StatusCode::OK || res.status() == StatusCode::UNPROCESSABLE_ENTITY {
        *res.status_mut() = status;
    }
    res
}
