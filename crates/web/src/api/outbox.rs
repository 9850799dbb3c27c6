//! The outbox of notices to citizens, for system administrators: what was sent, what waits and
//! why, what failed; and sending a failed message again.

use axum::Json;
use motcua_domain::auth::Action;
use motcua_store::OutboxStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::params::{self, given};
use crate::api::responses::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized};
use crate::auth::{Acting, require};
use crate::error::{ApiError, ApiPath as Path, ApiQuery, ApiResult};
use motcua_app::notices::OutboxItem;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutboxParams {
    /// pending, sent, failed or skipped (all when absent).
    pub status: Option<String>,
    /// Only the messages of this dossier (its code).
    pub dossier: Option<String>,
    /// At most 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxList {
    /// Newest first.
    pub items: Vec<OutboxItem>,
    pub total: i64,
}

/// Notices to citizens and their delivery (system administrators).
#[utoipa::path(get, path = "/admin/outbox", params(OutboxParams), tag = "notices",
    security(("bearer" = [])),
    responses((status = 200, body = OutboxList), BadRequest, Unauthorized, Forbidden))]
pub async fn list(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> ApiResult<Json<OutboxList>> {
    require(&caller, Action::ManageNotices)?;
    let status = params::filter(
        given(p.status.as_deref()),
        OutboxStatus::parse,
        "invalid_status",
        |s| format!("Trạng thái \"{s}\" không hợp lệ (pending, sent, failed, skipped)."),
    )?;
    let (limit, offset) = (params::limit(p.limit, 50, 500), params::offset(p.offset));
    let page = state
        .list_notices(&caller, status, given(p.dossier.as_deref()), limit, offset)
        .await?;
    Ok(Json(OutboxList {
        items: page.items.iter().map(OutboxItem::of).collect(),
        total: page.total,
    }))
}

/// Send a failed or skipped notice again (system administrators): it goes back in the queue,
/// due now, its attempts counted afresh. A sent notice is never sent again (409
/// `notice_already_sent`); one being sent right now cannot be retried (409 `notice_in_flight`).
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", tag = "notices",
    params(("id" = Uuid, Path, description = "The message's id")),
    security(("bearer" = [])),
    responses((status = 200, body = OutboxItem), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn retry(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
) -> ApiResult<Json<OutboxItem>> {
    require(&caller, Action::ManageNotices)?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| ApiError::NotFound("thông báo"))?;
    let row = state.retry_notice(&caller, id).await?;
    Ok(Json(OutboxItem::of(&row)))
}
