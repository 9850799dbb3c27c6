//! Statistics: the periodic report of a unit (JSON, XLSX, CSV), its dashboard figures, the
//! Decision 766 service index and the ranking of units, and the public figures. Staff read
//! the units they oversee (`Action::Oversee`: leaders and administrators their agency and
//! every agency below it, other staff their own agency); the public figures hold counts and
//! rates only.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_domain::dossier::vietnam_date;
use motcua_store::Agency;
use serde::Deserialize;

use crate::api::agencies::agency_by_code;
use crate::api::params::given;
use crate::api::responses::{BadRequest, Forbidden, NotFound, TooManyRequests};
use crate::auth::{Acting, Caller};
use crate::error::{ApiError, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::stats::{Dashboard, IndexView, Period, PublicStats, Ranking, Report, parse_period};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// Agency code of the unit (the agency and every agency below it).
    pub unit: String,
    /// `2026-11` (month), `2026-Q4` (quarter) or `2026` (year); or give `from` and `to`.
    /// Default: the current month.
    pub period: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    pub to: Option<String>,
    /// Only this procedure (drill-down).
    pub procedure: Option<String>,
    /// json (default), xlsx or csv.
    pub format: Option<String>,
    /// For csv: the rows per agency (default) or per procedure.
    pub by: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IndexParams {
    /// Agency code of the unit.
    pub unit: String,
    /// `2026-11`, `2026-Q4` or `2026`; or `from` and `to`. Default: the current month.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this procedure (drill-down).
    pub procedure: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RankingParams {
    /// Agency code of the parent whose children are ranked; without it, the provinces.
    pub parent: Option<String>,
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this procedure.
    pub procedure: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitParams {
    /// Agency code of the unit.
    pub unit: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicParams {
    /// Agency code of the unit.
    pub unit: String,
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The unit named by `code`, if the caller oversees it.
async fn overseen(state: &AppState, caller: &Caller, code: &str) -> ApiResult<Agency> {
    Ok(state.overseen_unit(caller, code).await?)
}

async fn procedure_param(state: &AppState, p: Option<&str>) -> ApiResult<Option<String>> {
    Ok(state.stats_procedure(p).await?)
}

fn period(
    period: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Period> {
    Ok(parse_period(period, from, to, vietnam_date(now))?)
}

/// The periodic report of a unit for a period (báo cáo tình hình, kết quả giải quyết TTHC):
/// the total, a row per agency directly below the unit (its subtree) and per procedure, with
/// rates. `format=xlsx|csv` downloads it in the layout of the official report table.
#[utoipa::path(get, path = "/stats/report", params(ReportParams), tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = Report, description = "JSON, or XLSX / CSV with format"),
        BadRequest, Forbidden, NotFound))]
pub async fn report(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    let unit = overseen(&state, &caller, &p.unit).await?;
    let now = Utc::now();
    let period = period(p.period.as_deref(), p.from.as_deref(), p.to.as_deref(), now)?;
    let procedure = procedure_param(&state, p.procedure.as_deref()).await?;
    let format = p.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "xlsx" | "csv") {
        return Err(ApiError::bad_request(
            "invalid_format",
            format!("Định dạng \"{format}\" không hỗ trợ (json, xlsx, csv)."),
        ));
    }
    let by_procedure = match p.by.as_deref() {
        None | Some("agency") => false,
        Some("procedure") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_by",
                format!("Cách nhóm \"{other}\" không hỗ trợ (agency, procedure)."),
            ));
        }
    };
    let r = state
        .unit_report(&unit, &period, procedure.as_deref(), now)
        .await?;
    match format {
        "json" => Ok(Json(r).into_response()),
        format => report_file(&unit, &period, &r, format, by_procedure),
    }
}

/// The report as a download: XLSX (both tables) or CSV (by agency, or by procedure).
fn report_file(
    unit: &Agency,
    period: &Period,
    r: &Report,
    format: &str,
    by_procedure: bool,
) -> ApiResult<Response> {
    let agencies: Vec<(String, &_)> = r
        .agencies
        .iter()
        .map(|row| (row.name.clone(), &row.report))
        .collect();
    let procedures: Vec<(String, &_)> = r
        .procedures
        .iter()
        .map(|row| (format!("{} – {}", row.code, row.name), &row.report))
        .collect();
    let file = format!(
        "bao-cao-{}-{}-{}",
        unit.code,
        period.from.format("%Y%m%d"),
        period.to.format("%Y%m%d")
    );
    let (content_type, bytes) = if format == "xlsx" {
        let title = format!(
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH – {} – {} ({} – {})",
            unit.name,
            period.label,
            period.from.format("%d/%m/%Y"),
            period.to.format("%d/%m/%Y")
        );
        let tables = [
            motcua_sheets::report_table("Theo đơn vị", &title, "Đơn vị", &agencies, &r.total),
            motcua_sheets::report_table(
                "Theo thủ tục",
                &title,
                "Thủ tục hành chính",
                &procedures,
                &r.total,
            ),
        ];
        let bytes =
            motcua_sheets::tables_xlsx(&tables).map_err(|e| ApiError::Internal(e.to_string()))?;
        (crate::download::XLSX, bytes)
    } else {
        let csv = if by_procedure {
            motcua_sheets::report_csv("Thủ tục hành chính", &procedures, &r.total)
        } else {
            motcua_sheets::report_csv("Đơn vị", &agencies, &r.total)
        };
        ("text/csv; charset=utf-8", csv.into_bytes())
    };
    let name = format!("{file}.{format}");
    Ok(crate::download::file(
        content_type,
        "attachment",
        &name,
        bytes,
    ))
}

/// A unit's dashboard figures now: today's intake, dossiers in progress, due soon and late,
/// the last 12 months, the channel mix and the index of the year so far.
#[utoipa::path(get, path = "/stats/dashboard", params(UnitParams), tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), Forbidden, NotFound))]
pub async fn dashboard(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<UnitParams>,
) -> ApiResult<Json<Dashboard>> {
    let unit = overseen(&state, &caller, &p.unit).await?;
    Ok(Json(state.unit_dashboard(&unit, Utc::now()).await?))
}

/// The service index (Decision 766) of a unit for a period: every group and indicator with
/// its numerator, denominator, rate, points and whether motcua holds its data.
#[utoipa::path(get, path = "/index", params(IndexParams), tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = IndexView), BadRequest, Forbidden, NotFound))]
pub async fn index(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<IndexParams>,
) -> ApiResult<Json<IndexView>> {
    let unit = overseen(&state, &caller, &p.unit).await?;
    let now = Utc::now();
    let period = period(p.period.as_deref(), p.from.as_deref(), p.to.as_deref(), now)?;
    let procedure = procedure_param(&state, p.procedure.as_deref()).await?;
    Ok(Json(
        state
            .service_index(&unit, &period, procedure.as_deref(), now)
            .await?,
    ))
}

/// The agencies directly below `parent` (without it: the provinces) ranked by their index
/// for a period, each with the dossiers received (units with fewer than `min_received` are
/// listed as `insufficient_data`, not ranked).
#[utoipa::path(get, path = "/index/ranking", params(RankingParams), tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = Ranking), BadRequest, Forbidden, NotFound))]
pub async fn ranking(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<RankingParams>,
) -> ApiResult<Json<Ranking>> {
    let parent = match given(p.parent.as_deref()) {
        Some(code) => Some(overseen(&state, &caller, code).await?),
        None => None,
    };
    let units = state.ranking_units(parent.as_ref()).await?;
    if parent.is_none() {
        // Every province: only a caller who oversees each of them.
        state.require_oversees_all(&caller, &units).await?;
    }
    let now = Utc::now();
    let period = period(p.period.as_deref(), p.from.as_deref(), p.to.as_deref(), now)?;
    let procedure = procedure_param(&state, p.procedure.as_deref()).await?;
    Ok(Json(
        state
            .rank_units(parent.as_ref(), &units, &period, procedure.as_deref(), now)
            .await?,
    ))
}

/// The published figures of a unit for a period, for anyone: counts and rates of the unit
/// and of the agencies directly below it, and the index points. No personal data.
#[utoipa::path(get, path = "/public/stats", params(PublicParams), tag = "stats",
    responses((status = 200, body = PublicStats), BadRequest, NotFound, TooManyRequests))]
pub async fn public(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    ApiQuery(p): ApiQuery<PublicParams>,
) -> ApiResult<Json<PublicStats>> {
    if let Err(wait) = state.check_lookup_rate(ip).await {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let unit = agency_by_code(&state, p.unit.trim()).await?;
    let now = Utc::now();
    let period = period(p.period.as_deref(), p.from.as_deref(), p.to.as_deref(), now)?;
    Ok(Json(state.public_stats(&unit, &period, now).await?))
}
