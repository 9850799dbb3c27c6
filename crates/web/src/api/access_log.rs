//! The personal data access log for system administrators: the staff reads of one person's
//! dossiers (Decree 13/2023/NĐ-CP), as JSON or CSV.

use axum::response::{IntoResponse, Response};
use motcua_domain::auth::Action;
use serde::{Deserialize, Serialize};

use crate::api::responses::{Forbidden, Unauthorized, Unprocessable};
use crate::auth::{Acting, require};
use crate::error::{ApiError, ApiQuery, ApiResult};
use motcua_app::access_log;
use motcua_app::calendar::format_vn_instant;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReadsParams {
    /// The person's ID number (12 digits); required.
    pub id_number: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadItem {
    /// Vietnam time, YYYY-MM-DDTHH:MM.
    pub at: String,
    pub username: String,
    pub dossier: String,
    /// dossier, document, form or reuse_lookup.
    pub what: String,
    /// Why (a re-use look-up's reason).
    pub reason: String,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadList {
    /// Newest first, at most 10,000.
    pub items: Vec<ReadItem>,
}

/// Who read the personal data of one person's dossiers, when and from where (system
/// administrators). The reads by the person themself are not listed.
#[utoipa::path(get, path = "/admin/personal-data-reads", params(ReadsParams), tag = "audit",
    security(("bearer" = [])),
    responses((status = 200, body = ReadList), Unauthorized, Forbidden, Unprocessable))]
pub async fn list(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<ReadsParams>,
) -> ApiResult<Response> {
    require(&caller, Action::ManageUsers { agency: None })?;
    let id_number = p.id_number.ok_or_else(|| {
        ApiError::invalid(
            "id_number_required",
            "Cần nhập số định danh cá nhân của người cần tra cứu.",
        )
    })?;
    let reads = access_log::reads_of(&state, &id_number).await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(axum::Json(ReadList {
            items: reads
                .into_iter()
                .map(|r| ReadItem {
                    at: format_vn_instant(r.at),
                    username: r.username,
                    dossier: r.dossier_code,
                    what: r.what,
                    reason: r.reason,
                    ip: r.ip,
                    user_agent: r.user_agent,
                })
                .collect(),
        })
        .into_response()),
        "csv" => Ok(crate::download::file(
            "text/csv; charset=utf-8",
            "attachment",
            "truy-cap-du-lieu-ca-nhan.csv",
            access_log::csv(&reads)?,
        )),
        other => Err(ApiError::bad_request(
            "invalid_format",
            format!("Định dạng \"{other}\" không hợp lệ (json, csv)."),
        )),
    }
}
