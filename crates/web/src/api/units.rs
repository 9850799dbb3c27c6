//! Administrative units: search by name (with or without diacritics), by parent, at a date.

use axum::Json;
use axum::extract::State;
use motcua_domain::units::Level;
use motcua_store::{LineageRow, UnitQuery, UnitRow};
use serde::{Deserialize, Serialize};

use crate::api::params;
use crate::api::responses::{BadRequest, NotFound};
use crate::error::{ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// Name, with or without diacritics ("hoa hiep", "Hoà Hiệp").
    pub q: Option<String>,
    /// Parent unit code (a province code; a district code before 1/7/2025).
    pub parent: Option<String>,
    /// province, district or commune.
    pub level: Option<String>,
    /// Date the units are in force on, YYYY-MM-DD; today by default.
    pub at: Option<String>,
    /// At most this many items (1–500, default 50).
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<UnitRow>,
    pub total: i64,
}

/// Search administrative units.
#[utoipa::path(get, path = "/units", params(UnitParams), tag = "units",
    responses((status = 200, body = UnitList), BadRequest))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<UnitParams>,
) -> ApiResult<Json<UnitList>> {
    let at = match &p.at {
        Some(s) => motcua_app::calendar::parse_date(s)?,
        None => motcua_domain::vn_time::today(),
    };
    let level = params::filter(p.level.as_deref(), Level::parse, "invalid_level", |l| {
        format!("Cấp \"{l}\" không hợp lệ (province, district, commune).")
    })?;
    let q = UnitQuery {
        q: p.q.filter(|s| !s.trim().is_empty()),
        parent: p.parent,
        level,
        at,
        limit: params::limit(p.limit, 50, 500),
    };
    let page = state.search_units(&q).await?;
    Ok(Json(UnitList {
        items: page.items,
        total: page.total,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub unit: UnitRow,
    /// For a 2025 commune, the pre-2025 communes merged into it; for a pre-2025 commune, the
    /// 2025 communes it went into.
    #[schema(value_type = Vec<Object>)]
    pub lineage: Vec<LineageRow>,
}

/// One administrative unit by id (`2025:commune:00004`, `legacy:district:001`).
#[utoipa::path(get, path = "/units/{id}", tag = "units",
    responses((status = 200, body = UnitDetail), NotFound))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<UnitDetail>> {
    let (unit, lineage) = state.unit_with_lineage(&id).await?;
    Ok(Json(UnitDetail { unit, lineage }))
}
