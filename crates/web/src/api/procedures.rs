//! The procedure catalogue: search, the full record (as in force on a date), lifecycle,
//! monthly change statistics, export, and the procedures an agency applies.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use motcua_domain::catalogue::{Procedure, ProcedureStatus};
use motcua_domain::workflow::Workflow;
use motcua_store::ProcedureVersion;
use serde::{Deserialize, Serialize};

use crate::api::agencies::{agency_by_code, agency_id};
use crate::api::params::Paging;
use crate::api::responses::{BadRequest, Conflict, Forbidden, NotFound, Unprocessable};
use crate::auth::{Acting, Caller, require};
use crate::download;
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::calendar::parse_date;
use motcua_app::catalogue::{self as cat, SearchParams, SearchResult};
use motcua_domain::auth::Action;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words or a code, with or without diacritics ("dang ky khai sinh", "1.001193").
    pub q: Option<String>,
    /// ministry, province, commune, ...
    pub level: Option<String>,
    /// Field (lĩnh vực), exactly.
    pub field: Option<String>,
    /// Agency code: only procedures that agency applies.
    pub agency: Option<String>,
    /// full_process, partial or none.
    pub online: Option<String>,
}

/// Search the catalogue.
#[utoipa::path(get, path = "/procedures", params(SearchQuery, Paging), tag = "procedures",
    responses((status = 200, body = Object), BadRequest))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchQuery>,
    ApiQuery(page): ApiQuery<Paging>,
) -> ApiResult<Json<SearchResult>> {
    let agency = agency_id(&state, p.agency.as_deref()).await?;
    // A full code goes straight to its procedure.
    let result = state
        .search_procedures(
            SearchParams {
                q: p.q,
                level: p.level,
                field: p.field,
                online_level: p.online,
                agency,
                prefer: None,
                limit: page.limit(20, 200),
                offset: page.offset(),
            },
            false,
        )
        .await?;
    Ok(Json(result))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordQuery {
    /// The version in force on this date (YYYY-MM-DD); the latest by default.
    pub at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProcedureDetail {
    /// draft, published or abolished
    pub status: String,
    pub version: i32,
    pub effective_from: NaiveDate,
    pub abolished_on: Option<NaiveDate>,
    #[schema(value_type = Object)]
    pub record: Procedure,
    /// All versions: number and effective date.
    pub versions: Vec<VersionInfo>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub version: i32,
    pub effective_from: NaiveDate,
    pub created_by: String,
}

impl From<&ProcedureVersion> for VersionInfo {
    fn from(v: &ProcedureVersion) -> Self {
        VersionInfo {
            version: v.version,
            effective_from: v.effective_from,
            created_by: v.created_by.clone(),
        }
    }
}

/// The full record of a procedure.
#[utoipa::path(get, path = "/procedures/{code}", params(RecordQuery), tag = "procedures",
    responses((status = 200, body = ProcedureDetail), NotFound))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> ApiResult<Json<ProcedureDetail>> {
    let at = q.at.as_deref().map(parse_date).transpose()?;
    let d = state.procedure_detail(&code, at).await?;
    Ok(Json(ProcedureDetail {
        status: d.row.status.to_string(),
        version: d.version,
        effective_from: d.effective_from,
        abolished_on: d.row.abolished_on,
        record: d.record,
        versions: d.versions.iter().map(VersionInfo::from).collect(),
    }))
}

/// The full record in its latest version, as `GET /procedures/{code}` answers it after a change.
async fn latest(state: AppState, code: String) -> ApiResult<Json<ProcedureDetail>> {
    let latest = ApiQuery(RecordQuery { at: None });
    get_one(State(state), crate::error::ApiPath(code), latest).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    #[schema(value_type = Object)]
    pub record: Procedure,
    /// When the new version takes effect (YYYY-MM-DD); dossiers received before keep the old one.
    pub effective_from: String,
}

/// Create a procedure as a draft (system administrators).
#[utoipa::path(post, path = "/procedures", tag = "procedures", request_body = Object, security(("bearer" = [])),
    responses((status = 201, body = ProcedureDetail), Conflict, Unprocessable))]
pub async fn create(
    Acting(state, caller): Acting,
    ApiJson(record): ApiJson<Procedure>,
) -> ApiResult<Response> {
    state.create_procedure(&caller, &record).await?;
    let detail = latest(state, record.code).await?;
    Ok((StatusCode::CREATED, detail).into_response())
}

/// Amend a procedure: a new version from `effective_from` (system administrators).
#[utoipa::path(put, path = "/procedures/{code}", tag = "procedures", request_body = Amendment, security(("bearer" = [])),
    responses((status = 200, body = ProcedureDetail), NotFound, Unprocessable))]
pub async fn amend(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(a): ApiJson<Amendment>,
) -> ApiResult<Json<ProcedureDetail>> {
    require(&caller, Action::ManageCatalogue)?;
    let effective_from = parse_date(&a.effective_from)?;
    state
        .amend_procedure(&caller, &code, &a.record, effective_from)
        .await?;
    latest(state, code).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The date of the change (YYYY-MM-DD); today by default.
    pub on: Option<String>,
}

async fn change_status(
    state: AppState,
    caller: Caller,
    code: String,
    body: StatusChange,
    to: ProcedureStatus,
) -> ApiResult<Json<ProcedureDetail>> {
    require(&caller, Action::ManageCatalogue)?;
    let on = body.on.as_deref().map(parse_date).transpose()?;
    state
        .change_procedure_status(&caller, &code, to, on)
        .await?;
    latest(state, code).await
}

/// Publish a draft (công khai).
#[utoipa::path(post, path = "/procedures/{code}/publish", tag = "procedures", request_body = StatusChange, security(("bearer" = [])),
    responses((status = 200, body = ProcedureDetail), Conflict))]
pub async fn publish(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<StatusChange>,
) -> ApiResult<Json<ProcedureDetail>> {
    change_status(state, caller, code, b, ProcedureStatus::Published).await
}

/// Abolish a procedure (bãi bỏ) on a date.
#[utoipa::path(post, path = "/procedures/{code}/abolish", tag = "procedures", request_body = StatusChange, security(("bearer" = [])),
    responses((status = 200, body = ProcedureDetail), Conflict))]
pub async fn abolish(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<StatusChange>,
) -> ApiResult<Json<ProcedureDetail>> {
    change_status(state, caller, code, b, ProcedureStatus::Abolished).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatsQuery {
    /// YYYY-MM
    pub month: String,
    /// Agency code: only procedures that agency applies.
    pub agency: Option<String>,
}

#[derive(Serialize, Default, Clone, utoipa::ToSchema)]
pub struct Counts {
    pub published: i64,
    pub amended: i64,
    pub abolished: i64,
}

impl Counts {
    fn add(&mut self, kind: &str, n: i64) {
        match kind {
            "published" => self.published += n,
            "amended" => self.amended += n,
            "abolished" => self.abolished += n,
            _ => {}
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub month: String,
    pub total: Counts,
    pub by_field: BTreeMap<String, Counts>,
    /// By the competent body (bộ, ngành) of the procedure.
    pub by_body: BTreeMap<String, Counts>,
}

/// Procedures newly published, amended and abolished in a month, per field and body.
#[utoipa::path(get, path = "/procedures/stats", params(StatsQuery), tag = "procedures",
    responses((status = 200, body = Stats), BadRequest))]
pub async fn stats(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    let month = q.month.trim();
    if NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(ApiError::bad_request(
            "invalid_month",
            format!("Tháng \"{month}\" không hợp lệ, cần dạng YYYY-MM."),
        ));
    }
    let agency = agency_id(&state, q.agency.as_deref()).await?;
    let rows = state.procedure_changes(month, agency).await?;
    let mut stats = Stats {
        month: month.to_string(),
        total: Counts::default(),
        by_field: BTreeMap::new(),
        by_body: BTreeMap::new(),
    };
    for r in rows {
        stats.total.add(&r.kind, r.count);
        stats
            .by_field
            .entry(r.field.clone())
            .or_default()
            .add(&r.kind, r.count);
        stats
            .by_body
            .entry(r.body.clone())
            .or_default()
            .add(&r.kind, r.count);
    }
    Ok(Json(stats))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// jsonl (default), csv or xlsx
    pub format: Option<String>,
}

/// Export the whole catalogue (current versions).
#[utoipa::path(get, path = "/procedures/export", params(ExportQuery), tag = "procedures",
    responses((status = 200, description = "JSON Lines, CSV or XLSX"), BadRequest))]
pub async fn export(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let format = q.format.as_deref().unwrap_or("jsonl");
    let records = state.catalogue_records().await?;
    match format {
        "jsonl" => {
            let mut body = records.join("\n");
            body.push('\n');
            Ok((
                [(header::CONTENT_TYPE, "application/jsonl; charset=utf-8")],
                body,
            )
                .into_response())
        }
        "csv" => {
            let procs = cat::parse_records(&records)?;
            let csv = motcua_domain::catalogue::to_csv(&procs)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
        }
        "xlsx" => {
            let procs = cat::parse_records(&records)?;
            let bytes = motcua_sheets::procedures_xlsx(&procs)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let name = "danh-muc-tthc.xlsx";
            Ok(download::file(download::XLSX, "attachment", name, bytes))
        }
        other => Err(ApiError::bad_request(
            "invalid_format",
            format!("Định dạng \"{other}\" không hỗ trợ (jsonl, csv, xlsx)."),
        )),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Applied {
    pub code: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub workflow: Workflow,
}

/// The procedures an agency applies, with their internal workflows.
#[utoipa::path(get, path = "/agencies/{code}/procedures", tag = "procedures",
    responses((status = 200, body = Vec<Applied>), NotFound))]
pub async fn agency_procedures(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<Applied>>> {
    let agency = agency_by_code(&state, &code).await?;
    let rows = state.applied_procedures(agency.id).await?;
    Ok(Json(rows.into_iter().map(Applied::from).collect()))
}

impl From<cat::AppliedProcedure> for Applied {
    fn from(a: cat::AppliedProcedure) -> Self {
        Applied {
            code: a.code,
            name: a.name,
            workflow: a.workflow,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    /// The internal workflow; the default (receive → process → approve → return) when absent.
    #[schema(value_type = Object)]
    pub workflow: Option<Workflow>,
}

/// Apply a procedure at an agency with its internal workflow (administrators of the agency).
#[utoipa::path(put, path = "/agencies/{code}/procedures/{procedure}", tag = "procedures", request_body = ApplyInput,
    security(("bearer" = [])),
    responses((status = 200, body = Applied), Forbidden, Unprocessable))]
pub async fn apply(
    Acting(state, caller): Acting,
    Path((code, procedure)): Path<(String, String)>,
    ApiJson(input): ApiJson<ApplyInput>,
) -> ApiResult<Json<Applied>> {
    let agency = agency_by_code(&state, &code).await?;
    let applied = state
        .apply_procedure(&caller, agency.id, &procedure, input.workflow)
        .await?;
    Ok(Json(Applied::from(applied)))
}
