//! The leaders' operations view (IOC, `/dieu-hanh`) and the public statistics page
//! (`/thong-ke`).
//!
//! - `/dieu-hanh`: the dashboard of a unit the caller oversees (leaders and administrators;
//!   the unit defaults to the caller's agency, `?don-vi=` picks one below it, authorised as
//!   the API's `/stats/dashboard`): today's intake, dossiers in progress, due soon and late as
//!   big tiles, the 12-month trend, the channel mix and the service index as server-drawn SVG
//!   ([`charts`]); htmx reloads that part (`#ioc-live`) every 30 s. Below it, for a chosen
//!   period: the weakest units and procedures with their denominators, and the periodic
//!   report's downloads (the API's XLSX / CSV). `?tv=1` is the wall-screen layout.
//! - `/thong-ke`: for anyone, the published figures of every province, and of the agencies
//!   below a chosen unit: counts, rates and index points, never personal data.
//!
//! Both pages also read `?lang=en|vi` (besides the language cookie), so a link can fix the
//! language of a wall screen.

pub mod charts;

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use motcua_domain::auth::Role;
use motcua_domain::dossier::vietnam_date;
use motcua_store::Agency;
use serde::Deserialize;

use super::i18n::Lang;
use super::kit::{Ctx, Page, error_page, is_htmx, urlencode};
use crate::auth::{Caller, ClientIp};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{OrPage, UiResult};
use charts::{HBar, Series};
use motcua_app::stats::{self, Dashboard, Period, parse_period};

const CSS: &str = include_str!("../../templates/ui/stats/stats.css");

/// Colours of the charts (WCAG AA against white).
const BLUE: &str = "#0b4f9c";
const GREEN: &str = "#1d6b32";
const RED: &str = "#a50e0e";
const AMBER: &str = "#8a5a00";
const PURPLE: &str = "#5b2a86";

/// The statistics pages' style sheet.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    let headers = [
        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
    ];
    (headers, CSS)
}

// ---- formatting ------------------------------------------------------------------------------

/// `26,87` (Vietnamese) or `26.87` (English): index points, two decimals.
fn dec(lang: Lang, x: f64) -> String {
    let s = format!("{x:.2}");
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A maximum of points: `20` when whole, else like [`dec`].
fn max_points(lang: Lang, x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        dec(lang, x)
    }
}

/// A rate given in percent (`73.03`) the page's way (`73,03%`), or a dash without a
/// denominator.
fn rate(p: &Page, percent: Option<f64>) -> String {
    match percent {
        Some(r) => p.pct(r / 100.0),
        None => "—".into(),
    }
}

fn share(p: &Page, part: i64, whole: i64) -> String {
    rate(p, motcua_domain::stats::rate::percent(part, whole))
}

/// `?lang=` of the address, over the cookie.
fn with_lang(mut ctx: Ctx, lang: Option<&str>) -> Ctx {
    if let Some(l) = lang.and_then(Lang::parse) {
        ctx.lang = l;
    }
    ctx
}

// ---- the period selector ---------------------------------------------------------------------

/// One choice of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The period fields of a form (`ky`: `2026-11`, `2026-Q4`, `2026` or `khac` with `tu`/`den`),
/// what was chosen, and the errors next to the fields.
pub struct PeriodForm {
    pub choices: Vec<Choice>,
    pub custom: bool,
    pub tu: String,
    pub den: String,
    pub error_ky: Option<String>,
    pub error_tu: Option<String>,
    pub error_den: Option<String>,
    /// The chosen period's label ("Tháng 11/2026"), empty when the choice is invalid.
    pub label: String,
    /// The query of the period for the API (`period=2026-11` or `from=…&to=…`).
    pub api_query: String,
    /// The query of the period for this page's links (`ky=…`).
    pub page_query: String,
}

impl PeriodForm {
    fn has_error(&self) -> bool {
        self.error_ky.is_some() || self.error_tu.is_some() || self.error_den.is_some()
    }
}

/// The periods the selector offers (this month, last month, this quarter, this year, last
/// year, a range of days), `chosen` selected.
fn period_choices(p: &Page, today: NaiveDate, chosen: &str) -> Vec<Choice> {
    let month = format!("{:04}-{:02}", today.year(), today.month());
    let quarter = format!("{:04}-Q{}", today.year(), today.month0() / 3 + 1);
    let last_month_day = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let last_month = format!("{:04}-{:02}", last_month_day.year(), last_month_day.month());
    let year = format!("{:04}", today.year());
    let last_year = format!("{:04}", today.year() - 1);
    [
        (month, p.t("Tháng này")),
        (last_month, p.t("Tháng trước")),
        (quarter, p.t("Quý này")),
        (year, p.t("Năm nay")),
        (last_year, p.t("Năm trước")),
        (
            "khac".to_string(),
            p.t("Khoảng ngày khác (chọn từ ngày, đến ngày)"),
        ),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        selected: value == chosen,
        label: label.to_string(),
        value,
    })
    .collect()
}

/// A range of days typed (`tu`, `den`; to today without `den`); the mistakes go in `form`.
fn custom_period(p: &Page, form: &mut PeriodForm, today: NaiveDate) -> Option<Period> {
    let (tu, den) = (form.tu.clone(), form.den.clone());
    let from = match motcua_domain::vn_time::parse_day(&tu) {
        Some(d) => {
            form.tu = motcua_domain::vn_time::day_text(d);
            Some(d)
        }
        None => {
            form.error_tu = Some(
                match tu.is_empty() {
                    true => p.t("Chọn ngày bắt đầu."),
                    false => p.t("Ngày bắt đầu không hợp lệ (cần dạng ngày/tháng/năm)."),
                }
                .to_string(),
            );
            None
        }
    };
    let to = match den.is_empty() {
        true => Some(today),
        false => match motcua_domain::vn_time::parse_day(&den) {
            Some(d) => {
                form.den = motcua_domain::vn_time::day_text(d);
                Some(d)
            }
            None => {
                form.error_den = Some(
                    p.t("Ngày kết thúc không hợp lệ (cần dạng ngày/tháng/năm).")
                        .to_string(),
                );
                None
            }
        },
    };
    match (from, to) {
        (Some(f), Some(t)) if t < f => {
            form.error_den = Some(p.t("Ngày kết thúc phải sau ngày bắt đầu.").to_string());
            None
        }
        (Some(f), Some(t)) => {
            match parse_period(None, Some(&f.to_string()), Some(&t.to_string()), today) {
                Ok(period) => Some(period),
                Err(e) => {
                    form.error_den = Some(e.message_vi());
                    None
                }
            }
        }
        _ => None,
    }
}

/// A named period (`2026-11`, `2026-Q4`, `2026`); one from a link that the selector does not
/// offer is added to its choices.
fn named_period(p: &Page, form: &mut PeriodForm, chosen: &str, today: NaiveDate) -> Option<Period> {
    match parse_period(Some(chosen), None, None, today) {
        Ok(period) => {
            if !form.choices.iter().any(|c| c.selected) {
                form.choices.insert(
                    0,
                    Choice {
                        value: chosen.to_string(),
                        label: period.label.clone(),
                        selected: true,
                    },
                );
            }
            Some(period)
        }
        Err(_) => {
            form.error_ky = Some(
                p.t("Kỳ báo cáo không hợp lệ: chọn tháng, quý, năm hoặc một khoảng ngày.")
                    .to_string(),
            );
            None
        }
    }
}

/// Reads the period fields; `None` period when they hold a mistake (the form says which).
fn read_period(
    p: &Page,
    ky: Option<&str>,
    tu: Option<&str>,
    den: Option<&str>,
    today: NaiveDate,
) -> (PeriodForm, Option<Period>) {
    let clean = |s: Option<&str>| s.map(str::trim).unwrap_or_default().to_string();
    let (ky, tu, den) = (clean(ky), clean(tu), clean(den));
    let custom = ky == "khac" || (ky.is_empty() && !tu.is_empty());
    let chosen = if custom {
        "khac".to_string()
    } else if ky.is_empty() {
        format!("{:04}-{:02}", today.year(), today.month())
    } else {
        ky.clone()
    };
    let mut form = PeriodForm {
        choices: period_choices(p, today, &chosen),
        custom,
        tu,
        den,
        error_ky: None,
        error_tu: None,
        error_den: None,
        label: String::new(),
        api_query: String::new(),
        page_query: String::new(),
    };
    let period = if custom {
        custom_period(p, &mut form, today)
    } else {
        named_period(p, &mut form, &chosen, today)
    };
    if let Some(period) = &period {
        form.label = period_label(p, period);
        if custom {
            form.api_query = format!("from={}&to={}", period.from, period.to);
            form.page_query = format!("ky=khac&tu={}&den={}", period.from, period.to);
        } else {
            form.api_query = format!("period={}", urlencode(&chosen));
            form.page_query = format!("ky={}", urlencode(&chosen));
        }
    }
    (form, period)
}

/// "Tháng 11/2026 (01/11/2026 – 30/11/2026)" in the page's language.
fn period_label(p: &Page, period: &Period) -> String {
    let label = match p.lang {
        Lang::Vi => period.label.clone(),
        Lang::En => period
            .label
            .replace("Tháng", "Month")
            .replace("Quý", "Quarter")
            .replace("Năm", "Year")
            .replace("Từ", "From")
            .replace("đến", "to"),
    };
    format!(
        "{label} ({} – {})",
        p.date(&period.from),
        p.date(&period.to)
    )
}

// ---- the operations view ---------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct IocQuery {
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    ky: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    tv: Option<String>,
    lang: Option<String>,
}

/// One month of the trend table.
pub struct TrendRow {
    pub month: String,
    pub received: String,
    pub on_time: String,
    pub late: String,
    pub rate: String,
}

/// One row of a table beside a chart.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub share: String,
}

/// What `#ioc-live` shows (the part htmx reloads).
pub struct Live {
    pub refresh_url: String,
    pub unit_name: String,
    pub at: String,
    pub today: String,
    pub received: String,
    pub submitted: String,
    pub online: String,
    pub counter: String,
    pub postal: String,
    pub resolved: String,
    pub returned: String,
    pub in_progress: String,
    pub due_soon: String,
    pub overdue: String,
    pub has_due_soon: bool,
    pub has_overdue: bool,
    pub trend_svg: String,
    pub trend: Vec<TrendRow>,
    pub channels_svg: String,
    pub channels: Vec<Figure>,
    pub index_svg: String,
    pub index_total: String,
    pub index_max: String,
    pub index_period: String,
    pub index_groups: Vec<Figure>,
}

/// The 12 months' chart and table of the operations view.
fn trend_of(p: &Page, d: &Dashboard) -> (String, Vec<TrendRow>) {
    let int = |n: i64| p.int(n);
    let months: Vec<String> = d
        .trend
        .iter()
        .map(|m| {
            // YYYY-MM → MM/YYYY
            match m.month.split_once('-') {
                Some((y, mm)) => format!("{mm}/{y}"),
                None => m.month.clone(),
            }
        })
        .collect();
    let on_time: Vec<i64> = d
        .trend
        .iter()
        .map(|m| (m.resolved - m.resolved_late).max(0))
        .collect();
    let trend_svg = charts::grouped_bars(
        "ioc-trend-chart",
        p.t("Hồ sơ theo tháng, 12 tháng gần nhất"),
        &format!(
            "{} {}: {} {}, {} {}, {} {}.",
            p.t("Tháng"),
            months.last().cloned().unwrap_or_default(),
            p.t("tiếp nhận"),
            int(d.trend.last().map(|m| m.received).unwrap_or(0)),
            p.t("giải quyết đúng hạn"),
            int(on_time.last().copied().unwrap_or(0)),
            p.t("giải quyết quá hạn"),
            int(d.trend.last().map(|m| m.resolved_late).unwrap_or(0)),
        ),
        &months,
        &[
            Series {
                name: p.t("Tiếp nhận"),
                color: BLUE,
                values: d.trend.iter().map(|m| m.received).collect(),
            },
            Series {
                name: p.t("Giải quyết đúng hạn"),
                color: GREEN,
                values: on_time.clone(),
            },
            Series {
                name: p.t("Giải quyết quá hạn"),
                color: RED,
                values: d.trend.iter().map(|m| m.resolved_late).collect(),
            },
        ],
        &int,
    );
    let trend = d
        .trend
        .iter()
        .zip(&months)
        .zip(&on_time)
        .map(|((m, label), ok)| TrendRow {
            month: label.clone(),
            received: int(m.received),
            on_time: int(*ok),
            late: int(m.resolved_late),
            rate: rate(p, m.on_time_rate),
        })
        .collect();
    (trend_svg, trend)
}

/// The channels' chart and table of the operations view.
fn channels_of(p: &Page, d: &Dashboard) -> (String, Vec<Figure>) {
    let int = |n: i64| p.int(n);
    let c = &d.channels;
    let all = c.online + c.counter + c.postal;
    let channel_rows = [
        (p.t("Trực tuyến"), c.online, BLUE),
        (p.t("Trực tiếp tại Bộ phận Một cửa"), c.counter, GREEN),
        (p.t("Qua bưu chính công ích"), c.postal, AMBER),
    ];
    let channels_svg = charts::hbars(
        "ioc-channels-chart",
        p.t("Kênh tiếp nhận hồ sơ, 12 tháng gần nhất"),
        &format!(
            "{}: {}.",
            p.t("Tỷ lệ hồ sơ trực tuyến"),
            rate(p, c.online_rate)
        ),
        &channel_rows
            .iter()
            .map(|(label, n, color)| HBar {
                label: label.to_string(),
                value: *n as f64,
                max: all as f64,
                text: format!("{} ({})", int(*n), share(p, *n, all)),
                color,
            })
            .collect::<Vec<_>>(),
    );
    let channels = channel_rows
        .iter()
        .map(|(label, n, _)| Figure {
            label: label.to_string(),
            value: int(*n),
            share: share(p, *n, all),
        })
        .collect();
    (channels_svg, channels)
}

/// The service index's chart and table of the operations view.
fn index_of(p: &Page, d: &Dashboard) -> (String, Vec<Figure>) {
    let index_svg = charts::hbars(
        "ioc-index-chart",
        p.t("Chỉ số phục vụ người dân, doanh nghiệp theo nhóm (điểm / tối đa)"),
        &format!(
            "{}: {} / 100.",
            p.t("Tổng điểm"),
            dec(p.lang, d.index_total)
        ),
        &d.index_groups
            .iter()
            .map(|g| HBar {
                label: p.t(&g.name_vi).to_string(),
                value: g.points,
                max: g.max,
                text: format!("{} / {}", dec(p.lang, g.points), max_points(p.lang, g.max)),
                color: PURPLE,
            })
            .collect::<Vec<_>>(),
    );
    let index_groups = d
        .index_groups
        .iter()
        .map(|g| Figure {
            label: p.t(&g.name_vi).to_string(),
            value: dec(p.lang, g.points),
            share: max_points(p.lang, g.max),
        })
        .collect();
    (index_svg, index_groups)
}

fn live(p: &Page, d: &Dashboard, refresh_url: String) -> Live {
    let int = |n: i64| p.int(n);
    let (trend_svg, trend) = trend_of(p, d);
    let (channels_svg, channels) = channels_of(p, d);
    let (index_svg, index_groups) = index_of(p, d);
    Live {
        refresh_url,
        unit_name: d.unit.name.clone(),
        at: p.datetime(&Utc::now()),
        today: p.date(&d.today.date),
        received: int(d.today.received),
        submitted: int(d.today.submitted),
        online: int(d.today.received_online),
        counter: int(d.today.received_counter),
        postal: int(d.today.received_postal),
        resolved: int(d.today.resolved),
        returned: int(d.today.returned),
        in_progress: int(d.in_progress),
        due_soon: int(d.due_soon),
        overdue: int(d.overdue),
        has_due_soon: d.due_soon > 0,
        has_overdue: d.overdue > 0,
        trend_svg,
        trend,
        channels_svg,
        channels,
        index_svg,
        index_total: dec(p.lang, d.index_total),
        index_max: max_points(p.lang, d.index_max_with_data),
        index_period: period_label(p, &d.index_period),
        index_groups,
    }
}

/// A unit below the caller's, weakest first.
pub struct WeakUnit {
    pub code: String,
    pub name: String,
    pub total: String,
    pub max: String,
    pub received: String,
    pub to_handle: String,
    pub rank: String,
    pub insufficient: bool,
    pub worst: bool,
}

/// A procedure of the unit, most often late first.
pub struct WeakProcedure {
    pub code: String,
    pub name: String,
    pub to_handle: String,
    pub resolved: String,
    pub late: String,
    pub late_rate: String,
    pub on_time_rate: String,
    pub small: bool,
}

/// A download of the periodic report.
pub struct Download {
    pub id: &'static str,
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "ui/stats/ioc.html")]
struct Ioc {
    p: Page,
    live: Live,
    tv: bool,
    lang_param: String,
    unit_code: String,
    units: Vec<Choice>,
    period: PeriodForm,
    has_children: bool,
    weak_units: Vec<WeakUnit>,
    weak_procedures: Vec<WeakProcedure>,
    min_received: String,
    downloads: Vec<Download>,
    /// Today's counter halls of the unit and the agencies below it: (centre code, times).
    hall: Vec<(String, crate::ui::hall::Row)>,
}

#[derive(Template)]
#[template(path = "ui/stats/ioc_live.html")]
struct IocLive {
    p: Page,
    live: Live,
}

#[derive(Template)]
#[template(path = "ui/stats/no_unit.html")]
struct NoUnit {
    p: Page,
}

async fn children(state: &AppState, parent: uuid::Uuid) -> Result<Vec<Agency>, ApiError> {
    Ok(state.child_agencies(parent).await?)
}

/// An agency by its code (as the API reads it).
/// The unit a caller oversees by code (as the API's statistics do).
async fn overseen(state: &AppState, caller: &Caller, code: &str) -> Result<Agency, ApiError> {
    Ok(state.overseen_unit(caller, code).await?)
}

/// The caller's own unit: the agency of their first leader or administrator grant; for a
/// system-wide administrator, the first province.
async fn home_unit(state: &AppState, caller: &Caller) -> Result<Option<Agency>, ApiError> {
    let own = caller
        .user
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Leader | Role::Admin))
        .find_map(|g| g.agency);
    match own {
        Some(id) => Ok(Some(state.agency_by_id(id).await?)),
        None => Ok(state.provinces().await?.into_iter().next()),
    }
}

/// The units the selector offers: the caller's own unit (or, system-wide, the provinces),
/// the agencies below it, and the chosen unit with the agencies below it.
async fn unit_choices(
    state: &AppState,
    caller: &Caller,
    home: &Agency,
    unit: &Agency,
) -> Result<(Vec<Choice>, Vec<Agency>), ApiError> {
    let system_wide = caller
        .user
        .grants
        .iter()
        .any(|g| g.role == Role::Admin && g.agency.is_none());
    let mut list: Vec<Agency> = Vec::new();
    if system_wide {
        list.extend(state.provinces().await?);
    } else {
        list.push(home.clone());
        list.extend(children(state, home.id).await?);
    }
    if !list.iter().any(|a| a.id == unit.id) {
        list.push(unit.clone());
    }
    let below = children(state, unit.id).await?;
    for a in &below {
        if !list.iter().any(|x| x.id == a.id) {
            list.push(a.clone());
        }
    }
    let choices = list
        .into_iter()
        .map(|a| Choice {
            selected: a.id == unit.id,
            label: a.name,
            value: a.code,
        })
        .collect();
    Ok((choices, below))
}

/// The ten weakest units below `unit` and procedures of `unit` for a period, and the
/// fewest dossiers a unit is ranked with.
async fn weak_spots(
    state: &AppState,
    p: &Page,
    unit: &Agency,
    below: &[Agency],
    period: &Period,
    now: chrono::DateTime<Utc>,
) -> Result<(Vec<WeakUnit>, Vec<WeakProcedure>, u64), ApiError> {
    let ranking = state
        .rank_units(Some(unit), below, period, None, now)
        .await?;
    let min_received = ranking.min_received;
    let mut ranked = ranking.units;
    ranked.sort_by(|a, b| {
        a.insufficient_data
            .cmp(&b.insufficient_data)
            .then(a.total.total_cmp(&b.total))
            .then(a.received.cmp(&b.received))
    });
    let weak_units = ranked
        .iter()
        .take(10)
        .map(|u| WeakUnit {
            code: u.unit.code.clone(),
            name: u.unit.name.clone(),
            total: dec(p.lang, u.total),
            max: max_points(p.lang, u.max_with_data),
            received: p.int(u.received as i64),
            to_handle: p.int(u.to_handle),
            rank: u.rank.map(|r| p.int(r as i64)).unwrap_or_default(),
            insufficient: u.insufficient_data,
            worst: u.worst,
        })
        .collect();
    let report = state.unit_report(unit, period, None, now).await?;
    let weak = weak_procedures_of(p, &report, min_received as i64);
    Ok((weak_units, weak, min_received))
}

/// The ten procedures most often late (those with fewer than `min` dossiers last).
fn weak_procedures_of(p: &Page, report: &stats::Report, min: i64) -> Vec<WeakProcedure> {
    let mut rows: Vec<_> = report
        .procedures
        .iter()
        .filter(|r| r.report.total > 0)
        .collect();
    let late = |r: &stats::ReportRow| {
        r.report.resolved_late
            + r.report
                .in_progress_split
                .map(|s| s.overdue)
                .unwrap_or_default()
    };
    rows.sort_by(|a, b| {
        (a.report.total < min)
            .cmp(&(b.report.total < min))
            .then(
                b.report
                    .rates
                    .overdue
                    .unwrap_or(0.0)
                    .total_cmp(&a.report.rates.overdue.unwrap_or(0.0)),
            )
            .then(late(b).cmp(&late(a)))
            .then(b.report.total.cmp(&a.report.total))
    });
    rows.into_iter()
        .take(10)
        .map(|r| WeakProcedure {
            code: r.code.clone(),
            name: r.name.clone(),
            to_handle: p.int(r.report.total),
            resolved: p.int(r.report.resolved),
            late: p.int(late(r)),
            late_rate: rate(p, r.report.rates.overdue),
            on_time_rate: rate(p, r.report.rates.on_time),
            small: r.report.total < min,
        })
        .collect()
}

/// The report's downloads for a unit and period (`api_query`: the period in the API's terms).
fn downloads_of(p: &Page, unit_code: &str, api_query: &str) -> Vec<Download> {
    let base = format!(
        "/api/v1/stats/report?unit={}&{api_query}",
        urlencode(unit_code)
    );
    vec![
        Download {
            id: "download-xlsx",
            href: format!("{base}&format=xlsx"),
            label: p.t("Báo cáo định kỳ (Excel, XLSX)").to_string(),
        },
        Download {
            id: "download-csv",
            href: format!("{base}&format=csv"),
            label: p.t("Theo đơn vị (CSV)").to_string(),
        },
        Download {
            id: "download-csv-procedures",
            href: format!("{base}&format=csv&by=procedure"),
            label: p.t("Theo thủ tục (CSV)").to_string(),
        },
    ]
}

/// A refusal of a live reload after the session ended: the whole page goes to the login
/// page (htmx would otherwise put the login form inside the dashboard).
fn whole_page(headers: &HeaderMap, res: Response) -> Response {
    if is_htmx(headers)
        && res.status().is_redirection()
        && let Some(to) = res.headers().get(header::LOCATION).cloned()
    {
        return ([(header::HeaderName::from_static("hx-redirect"), to)], "").into_response();
    }
    res
}

/// `&lang=en` when the page was asked in a language by its query, for its links.
fn lang_param(lang: Option<&str>) -> String {
    lang.and_then(Lang::parse)
        .map(|l| format!("&lang={}", l.code()))
        .unwrap_or_default()
}

pub(crate) async fn ioc(ctx: Ctx, headers: HeaderMap, Query(q): Query<IocQuery>) -> UiResult {
    let ctx = with_lang(ctx, q.lang.as_deref());
    let caller = match ctx.with_role(&[Role::Leader, Role::Admin]) {
        Ok(c) => c,
        Err(res) => return Ok(whole_page(&headers, res)),
    };
    let state = ctx.state.clone();
    let home = match home_unit(&state, caller).await {
        Ok(Some(h)) => h,
        Ok(None) => return Ok(ctx.render(NoUnit { p: ctx.page() })),
        Err(e) => return Ok(ctx.error(&e)),
    };
    let chosen = q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let unit = match overseen(&state, caller, chosen.unwrap_or(&home.code)).await {
        Ok(u) => u,
        Err(ApiError::Forbidden) => return Ok(ctx.forbidden()),
        Err(e) => return Ok(ctx.error(&e)),
    };
    let now = Utc::now();
    let dashboard = state.unit_dashboard(&unit, now).await.or_page(&ctx)?;
    let p = ctx.page();
    let lang_param = lang_param(q.lang.as_deref());
    let refresh_url = format!("/dieu-hanh?don-vi={}{lang_param}", urlencode(&unit.code));
    let live = live(&p, &dashboard, refresh_url);
    if is_htmx(&headers) {
        return Ok(ctx.render(IocLive { p, live }));
    }

    let (period, chosen_period) = read_period(
        &p,
        q.ky.as_deref(),
        q.tu.as_deref(),
        q.den.as_deref(),
        vietnam_date(now),
    );
    let (units, below) = unit_choices(&state, caller, &home, &unit)
        .await
        .or_page(&ctx)?;
    let hall = motcua_app::hall::today_in(&state, caller, &unit, &below, now)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|c| (c.code, crate::ui::hall::row(c.name, c.times)))
        .collect();
    let (mut weak_units, mut weak_procedures, mut min_received) = (Vec::new(), Vec::new(), 0);
    let mut downloads = Vec::new();
    if let Some(period_v) = &chosen_period {
        (weak_units, weak_procedures, min_received) =
            weak_spots(&state, &p, &unit, &below, period_v, now)
                .await
                .or_page(&ctx)?;
        downloads = downloads_of(&p, &unit.code, &period.api_query);
    }
    let status = match period.has_error() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    Ok(ctx.render_status(
        status,
        Ioc {
            min_received: p.int(min_received as i64),
            p,
            live,
            tv: q.tv.as_deref().is_some_and(|t| t == "1" || t == "true"),
            lang_param,
            unit_code: unit.code.clone(),
            has_children: !below.is_empty(),
            units,
            period,
            weak_units,
            weak_procedures,
            downloads,
            hall,
        },
    ))
}

// ---- the public statistics page --------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct PublicQuery {
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    ky: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    lang: Option<String>,
}

/// One unit's published figures.
pub struct PublicFigures {
    pub code: String,
    pub name: String,
    /// Links to the unit's own page (the agencies below it).
    pub link: bool,
    pub received: String,
    pub to_handle: String,
    pub resolved: String,
    pub on_time_rate: String,
    pub online_rate: String,
    pub in_progress: String,
    pub overdue: String,
    pub index: String,
    /// For the chart: the on-time rate (percent) and its denominator.
    pub on_time: Option<f64>,
    pub resolved_n: i64,
}

#[derive(Template)]
#[template(path = "ui/stats/public.html")]
struct PublicPage {
    p: Page,
    period: PeriodForm,
    lang_param: String,
    units: Vec<Choice>,
    /// Whether the chosen unit is one of `units` (a province).
    unit_listed: bool,
    /// The chosen unit (none: every province).
    unit: Option<PublicFigures>,
    index_max: String,
    rows: Vec<PublicFigures>,
    /// The on-time rates as an SVG chart (empty: nothing resolved).
    chart_svg: String,
}

fn public_row(p: &Page, r: &stats::PublicRow, index: Option<f64>, link: bool) -> PublicFigures {
    PublicFigures {
        code: r.code.clone(),
        name: r.name.clone(),
        link,
        received: p.int(r.received),
        to_handle: p.int(r.to_handle),
        resolved: p.int(r.resolved),
        on_time_rate: rate(p, r.on_time_rate),
        online_rate: rate(p, r.online_rate),
        in_progress: p.int(r.in_progress),
        overdue: p.int(r.in_progress_overdue),
        index: index.map(|x| dec(p.lang, x)).unwrap_or_else(|| "—".into()),
        on_time: r.on_time_rate,
        resolved_n: r.resolved,
    }
}

/// The on-time rate of the units that resolved dossiers, highest first, each with its
/// denominator (empty when none did).
fn on_time_chart(p: &Page, rows: &[PublicFigures]) -> String {
    let mut with: Vec<&PublicFigures> = rows
        .iter()
        .filter(|r| r.resolved_n > 0 && r.on_time.is_some())
        .collect();
    if with.is_empty() {
        return String::new();
    }
    with.sort_by(|a, b| {
        b.on_time
            .unwrap_or(0.0)
            .total_cmp(&a.on_time.unwrap_or(0.0))
            .then(b.resolved_n.cmp(&a.resolved_n))
    });
    let bars: Vec<HBar> = with
        .iter()
        .map(|r| HBar {
            label: r.name.clone(),
            value: r.on_time.unwrap_or(0.0),
            max: 100.0,
            text: format!(
                "{} ({} {})",
                r.on_time_rate,
                p.int(r.resolved_n),
                p.t("hồ sơ")
            ),
            color: GREEN,
        })
        .collect();
    charts::hbars(
        "public-on-time-chart",
        p.t("Tỷ lệ giải quyết trước hạn, đúng hạn theo đơn vị"),
        p.t("Mỗi thanh là tỷ lệ của một đơn vị; trong ngoặc là số hồ sơ đã giải quyết. Số liệu đầy đủ ở bảng dưới."),
        &bars,
    )
}

/// The "too many requests" page of the public statistics, with its `Retry-After`.
fn too_many(ctx: &Ctx, wait: u64) -> Response {
    let message = match ctx.lang {
        Lang::Vi => {
            format!("Bạn đã xem quá nhiều lần trong một phút. Vui lòng thử lại sau {wait} giây.")
        }
        Lang::En => format!("Too many requests in a minute. Please try again in {wait} seconds."),
    };
    let mut res = error_page(
        StatusCode::TOO_MANY_REQUESTS,
        ctx.t("Vui lòng thử lại sau"),
        &message,
    );
    if let Ok(v) = header::HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    ctx.finish(res)
}

/// The published figures of a unit: its own row (with its index) and a row per agency
/// directly below it (with theirs).
async fn unit_figures(
    state: &AppState,
    p: &Page,
    u: &Agency,
    period: &Period,
    now: chrono::DateTime<Utc>,
) -> Result<(PublicFigures, Vec<PublicFigures>, String), ApiError> {
    let public = state.public_stats(u, period, now).await?;
    let below = children(state, u.id).await?;
    let ranking = state.rank_units(Some(u), &below, period, None, now).await?;
    let index_of = |code: &str| {
        ranking
            .units
            .iter()
            .find(|r| r.unit.code == code)
            .map(|r| r.total)
    };
    let head = public_row(p, &public.total, Some(public.index_total), false);
    let rows = public
        .agencies
        .iter()
        .map(|r| {
            let child = r.code != u.code;
            let index = if child { index_of(&r.code) } else { None };
            public_row(p, r, index, child)
        })
        .collect();
    Ok((head, rows, max_points(p.lang, public.index_max_with_data)))
}

/// The published figures of every province, with its index.
async fn province_figures(
    state: &AppState,
    p: &Page,
    provinces: &[Agency],
    period: &Period,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<PublicFigures>, ApiError> {
    let roots: Vec<uuid::Uuid> = provinces.iter().map(|a| a.id).collect();
    let map = state.figures(&roots, period, &[], false, now).await?;
    let ranking = state.rank_units(None, provinces, period, None, now).await?;
    Ok(provinces
        .iter()
        .map(|a| {
            let f = map.get(&(a.id, None)).cloned().unwrap_or_default();
            let r = f.report();
            let row = stats::PublicRow {
                code: a.code.clone(),
                name: a.name.clone(),
                received: r.new_total(),
                to_handle: r.total,
                resolved: r.resolved,
                resolved_early: r.resolved_early,
                resolved_on_time: r.resolved_on_time,
                resolved_late: r.resolved_late,
                in_progress: r.in_progress,
                in_progress_overdue: r.in_progress_split.map(|s| s.overdue).unwrap_or(0),
                on_time_rate: r.rates.on_time,
                online_rate: r.rates.online,
            };
            let index = ranking
                .units
                .iter()
                .find(|u| u.unit.code == a.code)
                .map(|u| u.total);
            public_row(p, &row, index, true)
        })
        .collect())
}

pub(crate) async fn public_page(
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    Query(q): Query<PublicQuery>,
) -> Response {
    let ctx = with_lang(ctx, q.lang.as_deref());
    if let Err(wait) = ctx.state.check_lookup_rate(ip).await {
        return too_many(&ctx, wait);
    }
    let state = ctx.state.clone();
    let now = Utc::now();
    let p = ctx.page();
    let (period, chosen_period) = read_period(
        &p,
        q.ky.as_deref(),
        q.tu.as_deref(),
        q.den.as_deref(),
        vietnam_date(now),
    );
    let provinces = match state.provinces().await {
        Ok(u) => u,
        Err(e) => return ctx.error(&e),
    };
    let chosen = q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let unit = match chosen {
        Some(code) => match state.agency(code).await {
            Ok(u) => Some(u),
            Err(e) => return ctx.error(&e),
        },
        None => None,
    };
    let units: Vec<Choice> = provinces
        .iter()
        .map(|a| Choice {
            value: a.code.clone(),
            label: a.name.clone(),
            selected: unit.as_ref().is_some_and(|u| u.id == a.id),
        })
        .collect();
    let lang_param = lang_param(q.lang.as_deref());
    let (mut head, mut rows, mut index_max) = (None, Vec::new(), String::new());
    let figures = match (&chosen_period, &unit) {
        (None, _) => Ok(()),
        (Some(period_v), Some(u)) => unit_figures(&state, &p, u, period_v, now)
            .await
            .map(|(h, r, m)| (head, rows, index_max) = (Some(h), r, m)),
        (Some(period_v), None) => province_figures(&state, &p, &provinces, period_v, now)
            .await
            .map(|r| rows = r),
    };
    if let Err(e) = figures {
        return ctx.error(&e);
    }
    let status = match period.has_error() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    let chart_svg = on_time_chart(&p, &rows);
    ctx.render_status(
        status,
        PublicPage {
            p,
            period,
            lang_param,
            unit_listed: units.iter().any(|c| c.selected),
            units,
            unit: head,
            index_max,
            chart_svg,
            rows,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lang: Lang) -> Page {
        Page {
            user: None,
            roles: String::new(),
            csrf: String::new(),
            lang,
            nav: Vec::new(),
            path: "/dieu-hanh".into(),
            notice: None,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_period_selector_reads_months_quarters_years_and_ranges() {
        let p = page(Lang::Vi);
        let today = d(2026, 11, 24);
        let (form, period) = read_period(&p, None, None, None, today);
        let period = period.unwrap();
        assert_eq!((period.from, period.to), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(form.label, "Tháng 11/2026 (01/11/2026 – 30/11/2026)");
        assert_eq!(form.api_query, "period=2026-11");
        let values: Vec<&str> = form.choices.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            values,
            ["2026-11", "2026-10", "2026-Q4", "2026", "2025", "khac"]
        );
        let (form, period) = read_period(&p, Some("2026-Q4"), None, None, today);
        assert_eq!(period.unwrap().from, d(2026, 10, 1));
        assert!(
            form.choices
                .iter()
                .any(|c| c.selected && c.value == "2026-Q4")
        );
        // A period from a link is offered as it is.
        let (form, _) = read_period(&p, Some("2025-03"), None, None, today);
        assert_eq!(form.choices[0].label, "Tháng 03/2025");
        // A range; `den` defaults to today.
        let (form, period) = read_period(&p, Some("khac"), Some("2026-11-03"), None, today);
        assert_eq!(period.unwrap().to, today);
        assert_eq!(form.api_query, "from=2026-11-03&to=2026-11-24");
        let (typed, period) = read_period(&p, Some("khac"), Some("3/11/2026"), None, today);
        assert_eq!(period.unwrap().from.to_string(), "2026-11-03", "day first");
        assert_eq!(typed.api_query, form.api_query);
        // Mistakes, each by its field.
        let (form, period) = read_period(&p, Some("khac"), Some(""), Some("2026-11-01"), today);
        assert!(period.is_none());
        assert_eq!(form.error_tu.as_deref(), Some("Chọn ngày bắt đầu."));
        // Shown day first, as people write it, whatever the link carried.
        assert_eq!(form.den, "01/11/2026");
        let (form, _) = read_period(
            &p,
            Some("khac"),
            Some("2026-11-05"),
            Some("2026-11-01"),
            today,
        );
        assert_eq!(
            form.error_den.as_deref(),
            Some("Ngày kết thúc phải sau ngày bắt đầu.")
        );
        let (form, _) = read_period(&p, Some("2026-13"), None, None, today);
        assert!(form.error_ky.is_some() && form.has_error());
        // English labels.
        let (form, _) = read_period(&page(Lang::En), Some("2026-Q4"), None, None, today);
        assert_eq!(form.label, "Quarter IV/2026 (01/10/2026 – 31/12/2026)");
    }

    #[test]
    fn numbers_are_written_the_page_s_way() {
        let vi = page(Lang::Vi);
        assert_eq!(rate(&vi, Some(73.03)), "73,03%");
        assert_eq!(rate(&vi, None), "—");
        assert_eq!(dec(Lang::Vi, 26.87), "26,87");
        assert_eq!(max_points(Lang::Vi, 20.0), "20");
        assert_eq!(max_points(Lang::En, 56.5), "56.50");
        assert_eq!(share(&page(Lang::En), 1, 8), "12.50%");
    }
}
