//! Dossiers: intake, the full view with its timeline, every transition as an action, the work
//! queues, and the citizen's public look-up (no personal data).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use motcua_store::{DossierQuery, DossierRow, QUEUE_COUNT_CAP};
use serde::{Deserialize, Serialize};

use crate::api::agencies::agency_id;
use crate::api::params::{self, Paging};
use crate::api::responses::{
    Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable,
};
use crate::auth::Acting;
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::access_log::{self, Read, ReadOrigin};
use motcua_app::dossiers::CreateDossier;

use motcua_app::acting::ActRequest;
pub use motcua_app::acting::{DossierView, PublicDossier};

/// Lodge a dossier: at the counter or by post (receiving officers; received at once with its
/// appointment) or online (citizens; waits for the officer's check). Retries by the same caller
/// with the same `Idempotency-Key` and body return the first dossier; the same key with another
/// body is 422 `idempotency_key_reused`. Keys are per caller: another account's same key is
/// another key.
#[utoipa::path(post, path = "/dossiers", tag = "dossiers", request_body = CreateDossier, security(("bearer" = [])),
    responses((status = 201, body = DossierView),
        (status = 200, body = DossierView, description = "idempotent retry"), Forbidden,
        Unprocessable,
        (status = 429, body = crate::error::ApiErrorBody, description = "submission_limit: a citizen's online submissions per hour")))]
pub async fn create(
    Acting(state, caller): Acting,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CreateDossier>,
) -> ApiResult<(StatusCode, Json<DossierView>)> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (fresh, row) = state.lodge(&caller, input, key.as_deref()).await?;
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(state.view(&row).await?)))
}

/// A dossier with its timeline (staff of the agencies it went through; the citizen who lodged
/// it). A staff read is recorded in the personal data access log.
#[utoipa::path(get, path = "/dossiers/{code}", tag = "dossiers", security(("bearer" = [])),
    responses((status = 200, body = DossierView), Forbidden, NotFound))]
pub async fn get_one(
    Acting(state, caller): Acting,
    origin: ReadOrigin,
    Path(code): Path<String>,
) -> ApiResult<axum::response::Response> {
    let row = access_log::read_dossier(&state, &caller, &code, Read::Dossier, &origin).await?;
    let body = state.view_json(&row).await?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )))
}

/// Act on a dossier. The body names the `version` the caller saw (409 if it moved) and the
/// action's fields (see the state machine: `forward {to}`, `assign_step {index, name, role,
/// assignee, due}`, `complete_step {index}`, `request_supplement {reason, missing}`,
/// `apologize {reason, new_appointment}`, `approve {}`, `reject {reason}`, `record_result
/// {result_code, form}`, `collect_fee {amount_vnd, method}`, `return_result {via}`, `withdraw`,
/// ...). `receive` needs no fields: the appointment comes from the calendar.
#[utoipa::path(post, path = "/dossiers/{code}/actions/{action}", tag = "dossiers", request_body = Object,
    security(("bearer" = [])),
    responses((status = 200, body = DossierView), Forbidden, Conflict, Unprocessable))]
pub async fn act(
    Acting(state, caller): Acting,
    Path((code, action)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<DossierView>> {
    if action == "attach_document" {
        // A file is attached with its bytes, through the documents endpoints.
        return Err(ApiError::invalid(
            "use_documents_api",
            format!(
                "Tệp được đính kèm qua /api/v1/dossiers/{code}/documents (tải lên) hoặc .../documents/reuse (sử dụng lại)."
            ),
        ));
    }
    let (version, request) = ActRequest::from_body(&action, body)?;
    let row = state.act(&caller, &code, version, request).await?;
    Ok(Json(state.view(&row).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    /// Agency code (default: every agency the caller works for).
    pub agency: Option<String>,
    /// Comma-separated statuses, e.g. `received,processing`.
    pub status: Option<String>,
    /// Only dossiers already past their appointment.
    pub overdue: Option<bool>,
    /// Only dossiers due by the end of the next working day (soon late), overdue ones included.
    pub due_soon: Option<bool>,
    /// Only dossiers whose current step is assigned to me.
    pub mine: Option<bool>,
    /// Also refused, stopped, returned and withdrawn dossiers (default: open ones only).
    pub include_closed: Option<bool>,
    /// Only dossiers due before this instant (Vietnam time, YYYY-MM-DDTHH:MM).
    pub due_before: Option<String>,
    /// Code or applicant name, with or without diacritics.
    pub q: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Queue {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<DossierRow>,
    /// Matches, counted up to 10,000.
    pub total: i64,
    /// More than `total` match.
    pub more: bool,
}

/// Work queues: an agency's dossiers by status and due date.
#[utoipa::path(get, path = "/dossiers", params(QueueParams, Paging), tag = "dossiers", security(("bearer" = [])),
    responses((status = 200, body = Queue), Forbidden))]
pub async fn queue(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<QueueParams>,
    ApiQuery(page): ApiQuery<Paging>,
) -> ApiResult<Json<Queue>> {
    let agency = agency_id(&state, p.agency.as_deref()).await?;
    let agencies = state.queue_agencies(&caller, agency).await?;
    let mut due_before = p
        .due_before
        .as_deref()
        .map(motcua_app::calendar::parse_vn_instant)
        .transpose()?;
    if p.due_soon == Some(true) {
        due_before = state.due_soon_limit().await?;
    }
    if p.overdue == Some(true) {
        due_before = Some(Utc::now());
    }
    let statuses = p
        .status
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let found = state
        .list_dossiers(&DossierQuery {
            agencies,
            statuses,
            due_before,
            q: p.q
                .map(|q| motcua_domain::text::fold_ascii(&q))
                .filter(|q| !q.is_empty()),
            assignee: (p.mine == Some(true)).then_some(caller.user.id),
            unassigned: false,
            include_closed: p.include_closed == Some(true),
            limit: page.limit(50, 500),
            offset: page.offset(),
        })
        .await?;
    Ok(Json(Queue {
        items: found.items,
        total: found.total.min(QUEUE_COUNT_CAP),
        more: found.total > QUEUE_COUNT_CAP,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LodgedParams {
    /// At most 100 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A partner's (a post office's) dossiers lodged for citizens, newest first: their status,
/// appointment and return, to follow them and answer the citizens (partners only).
#[utoipa::path(get, path = "/partner/dossiers", params(LodgedParams), tag = "dossiers",
    security(("bearer" = [])),
    responses((status = 200, body = Queue), Unauthorized, Forbidden))]
pub async fn lodged_by_partner(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<LodgedParams>,
) -> ApiResult<Json<Queue>> {
    let (limit, offset) = (params::limit(p.limit, 50, 100), params::offset(p.offset));
    let page = state
        .dossiers_lodged_by_partner(&caller, limit, offset)
        .await?;
    Ok(Json(Queue {
        items: page.items,
        total: page.total,
        more: false,
    }))
}

/// The citizen's look-up by code (status, procedure, appointment, timeline).
#[utoipa::path(get, path = "/public/dossiers/{code}", tag = "dossiers",
    responses((status = 200, body = PublicDossier), NotFound, TooManyRequests))]
pub async fn public(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> ApiResult<Json<PublicDossier>> {
    Ok(Json(state.public_dossier(ip, &code).await?))
}
