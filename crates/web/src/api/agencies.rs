//! Agencies: the public tree, and creation by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::agency::AgencyKind;
use motcua_store::{Agency, AgencyQuery, Page};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::accounts::CreateAgency;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AgencyParams {
    /// Name, with or without diacritics.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Code of the parent agency.
    pub parent: Option<String>,
    /// Province code (statistics office), e.g. `38`.
    pub province: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AgencyList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Agency>,
    pub total: i64,
}

/// List and search agencies.
#[utoipa::path(get, path = "/agencies", params(AgencyParams), tag = "agencies",
    responses((status = 200, body = AgencyList), (status = 400, body = crate::error::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AgencyParams>,
) -> ApiResult<Json<AgencyList>> {
    let kind = match p.kind.as_deref() {
        Some(k) => Some(AgencyKind::parse(k).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_agency_kind",
                format!("Loại cơ quan \"{k}\" không hợp lệ."),
            )
        })?),
        None => None,
    };
    let parent = match &p.parent {
        Some(code) => Some(agency_by_code(&state, code).await?.id),
        None => None,
    };
    let Page { items, total } = state
        .list_agencies(&AgencyQuery {
            q: p.q.filter(|s| !s.trim().is_empty()),
            kind,
            parent,
            province_code: p.province,
            limit: p.limit.unwrap_or(50).clamp(1, 500),
            offset: p.offset.unwrap_or(0).max(0),
        })
        .await?;
    Ok(Json(AgencyList { items, total }))
}

pub async fn agency_by_code(state: &AppState, code: &str) -> ApiResult<Agency> {
    Ok(state.agency(code).await?)
}

/// One agency by its electronic identifier code.
#[utoipa::path(get, path = "/agencies/{code}", tag = "agencies",
    responses((status = 200, body = Object), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(agency_by_code(&state, &code).await?))
}

/// Create an agency (administrators: system-wide, or within their agency's subtree).
#[utoipa::path(post, path = "/agencies", tag = "agencies", request_body = CreateAgency,
    security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 401, body = crate::error::ApiErrorBody),
        (status = 403, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody),
        (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateAgency>,
) -> ApiResult<(StatusCode, Json<Agency>)> {
    let agency = state.create_agency_as(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(agency)))
}
