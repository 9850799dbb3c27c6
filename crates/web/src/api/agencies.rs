//! Agencies: the public tree, and creation by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::agency::AgencyKind;
use motcua_store::{Agency, AgencyQuery, Page};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::params::{self, Paging};
use crate::api::responses::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};
use crate::auth::Acting;
use crate::error::{ApiJson, ApiPath as Path, ApiQuery, ApiResult};
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
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AgencyList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Agency>,
    pub total: i64,
}

/// List and search agencies.
#[utoipa::path(get, path = "/agencies", params(AgencyParams, Paging), tag = "agencies",
    responses((status = 200, body = AgencyList), BadRequest))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AgencyParams>,
    ApiQuery(page): ApiQuery<Paging>,
) -> ApiResult<Json<AgencyList>> {
    let kind = params::filter(
        p.kind.as_deref(),
        AgencyKind::parse,
        "invalid_agency_kind",
        |k| format!("Loại cơ quan \"{k}\" không hợp lệ."),
    )?;
    let Page { items, total } = state
        .list_agencies(&AgencyQuery {
            q: p.q.filter(|s| !s.trim().is_empty()),
            kind,
            parent: agency_id(&state, p.parent.as_deref()).await?,
            province_code: p.province,
            limit: page.limit(50, 500),
            offset: page.offset(),
        })
        .await?;
    Ok(Json(AgencyList { items, total }))
}

pub async fn agency_by_code(state: &AppState, code: &str) -> ApiResult<Agency> {
    Ok(state.agency(code).await?)
}

/// The id of the agency a filter names by its code, if it names one (404 when none has it).
pub async fn agency_id(state: &AppState, code: Option<&str>) -> ApiResult<Option<Uuid>> {
    match code {
        Some(code) => Ok(Some(agency_by_code(state, code).await?.id)),
        None => Ok(None),
    }
}

/// One agency by its electronic identifier code.
#[utoipa::path(get, path = "/agencies/{code}", tag = "agencies",
    responses((status = 200, body = Object), NotFound))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(agency_by_code(&state, &code).await?))
}

/// Create an agency (administrators: system-wide, or within their agency's subtree).
#[utoipa::path(post, path = "/agencies", tag = "agencies", request_body = CreateAgency,
    security(("bearer" = [])),
    responses((status = 201, body = Object), Unauthorized, Forbidden, Conflict, Unprocessable))]
pub async fn create(
    Acting(state, caller): Acting,
    ApiJson(input): ApiJson<CreateAgency>,
) -> ApiResult<(StatusCode, Json<Agency>)> {
    let agency = state.create_agency_as(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(agency)))
}
