//! Webhook subscriptions for other systems (system administrators): create, change, rotate
//! secrets, read each subscription's delivery log and replay a delivery. Each delivery is a
//! CloudEvents 1.0 JSON body signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use motcua_app::webhooks::{DeliveryView, WebhookInput, WebhookView, WebhookWithSecret};
use motcua_store::DeliveryStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::params::{self, given};
use crate::api::responses::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};
use crate::auth::Acting;
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;

fn id_of(s: &str, what: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s.trim()).map_err(|_| ApiError::NotFound(what))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookList {
    /// Oldest first (at most 200).
    pub items: Vec<WebhookView>,
}

/// The webhook subscriptions (system administrators).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = WebhookList), Unauthorized, Forbidden))]
pub async fn list(Acting(state, caller): Acting) -> ApiResult<Json<WebhookList>> {
    let items = state.list_webhooks(&caller).await?;
    Ok(Json(WebhookList { items }))
}

/// Subscribe a system: its first signing secret is in the answer, and only there.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    security(("bearer" = [])),
    responses((status = 201, body = WebhookWithSecret), Unauthorized, Forbidden, Conflict,
        Unprocessable))]
pub async fn create(
    Acting(state, caller): Acting,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<(StatusCode, Json<WebhookWithSecret>)> {
    let made = state.create_webhook(&caller, &input).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// One subscription.
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The subscription's id")), security(("bearer" = [])),
    responses((status = 200, body = WebhookView), Unauthorized, Forbidden, NotFound))]
pub async fn get_one(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookView>> {
    let id = id_of(&id, "webhook")?;
    Ok(Json(state.webhook(&caller, id).await?))
}

/// Change a subscription's name, address, filters or state (`active: false` stops deliveries).
#[utoipa::path(put, path = "/webhooks/{id}", tag = "webhooks", request_body = WebhookInput,
    params(("id" = Uuid, Path, description = "The subscription's id")), security(("bearer" = [])),
    responses((status = 200, body = WebhookView), Unauthorized, Forbidden, NotFound,
        Unprocessable))]
pub async fn update(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<Json<WebhookView>> {
    let id = id_of(&id, "webhook")?;
    Ok(Json(state.update_webhook(&caller, id, &input).await?))
}

/// Start a secret rotation: a new secret (in the answer, only there) signs beside the old ones.
#[utoipa::path(post, path = "/webhooks/{id}/secrets", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The subscription's id")), security(("bearer" = [])),
    responses((status = 201, body = WebhookWithSecret), Unauthorized, Forbidden, NotFound))]
pub async fn rotate(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<WebhookWithSecret>)> {
    let id = id_of(&id, "webhook")?;
    let made = state.rotate_webhook_secret(&caller, id).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// End a rotation: only the newest secret signs from now on.
#[utoipa::path(delete, path = "/webhooks/{id}/secrets/old", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The subscription's id")), security(("bearer" = [])),
    responses((status = 200, body = WebhookView), Unauthorized, Forbidden, NotFound))]
pub async fn retire(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookView>> {
    let id = id_of(&id, "webhook")?;
    Ok(Json(state.retire_webhook_secrets(&caller, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeliveryParams {
    /// pending, delivered or failed (all when absent).
    pub status: Option<String>,
    /// At most 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub items: Vec<DeliveryView>,
    pub total: i64,
}

/// A subscription's delivery log: each event's attempts, last HTTP status and last error.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(DeliveryParams,
        ("id" = Uuid, Path, description = "The subscription's id")), security(("bearer" = [])),
    responses((status = 200, body = DeliveryList), BadRequest, Unauthorized, Forbidden, NotFound))]
pub async fn deliveries(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DeliveryParams>,
) -> ApiResult<Json<DeliveryList>> {
    let id = id_of(&id, "webhook")?;
    let status = params::filter(
        given(p.status.as_deref()),
        DeliveryStatus::parse,
        "invalid_status",
        |s| format!("Trạng thái \"{s}\" không hợp lệ (pending, delivered, failed)."),
    )?;
    let (limit, offset) = (p.limit.unwrap_or(50), p.offset.unwrap_or(0));
    let page = state
        .webhook_deliveries(&caller, id, status, limit, offset)
        .await?;
    Ok(Json(DeliveryList {
        items: page.items.iter().map(DeliveryView::of).collect(),
        total: page.total,
    }))
}

/// Send a delivery again, with the same `webhook-id` (409 `delivery_in_flight` while it is
/// being sent).
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery}/replay", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The subscription's id"),
        ("delivery" = Uuid, Path, description = "The delivery's id")), security(("bearer" = [])),
    responses((status = 200, body = DeliveryView), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn replay(
    Acting(state, caller): Acting,
    Path((id, delivery)): Path<(String, String)>,
) -> ApiResult<Json<DeliveryView>> {
    let id = id_of(&id, "webhook")?;
    let delivery = id_of(&delivery, "lần gửi webhook")?;
    let d = state.replay_delivery(&caller, id, delivery).await?;
    Ok(Json(DeliveryView::of(&d)))
}

/// One record sent (or to send) to the national portal.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalSyncItem {
    #[serde(flatten)]
    pub delivery: DeliveryView,
    /// The dossier-sync record as sent (MaHoSo, KenhThucHien, NgayTiepNhan, NgayHenTra,
    /// TrangThaiHoSo, NgayKetThucXuLy, DuocThanhToanTrucTuyen, MaKetQua, DuongDanTepTinKetQua,
    /// HoSoCoThanhPhanSoHoa, TaiLieuNop, ...).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalSyncLog {
    /// Newest first.
    pub items: Vec<PortalSyncItem>,
}

/// A dossier's sync log with the national public service portal (system administrators):
/// each record, its attempts, the portal's last answer.
#[utoipa::path(get, path = "/dossiers/{code}/portal-sync", tag = "webhooks",
    params(("code" = String, Path, description = "The dossier's code")), security(("bearer" = [])),
    responses((status = 200, body = PortalSyncLog), Unauthorized, Forbidden, NotFound))]
pub async fn portal_sync(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<PortalSyncLog>> {
    let log = state.portal_sync_log(&caller, code.trim()).await?;
    Ok(Json(PortalSyncLog {
        items: log
            .iter()
            .map(|d| PortalSyncItem {
                delivery: DeliveryView::of(d),
                record: serde_json::from_str(&d.body).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    }))
}

/// A message from another deployment (liên thông between systems): a dossier to process here,
/// or the result of one sent there. No bearer token: the request is signed per RFC 9421
/// (`Signature-Input`, `Signature` over `@method`, `@target-uri`, `content-digest`,
/// `content-type`, `date` and `motcua-message-id`) with a key configured for the peer, and the
/// body bound by its `Content-Digest`. A message is applied once; a repeat answers 200
/// `repeated`.
#[utoipa::path(post, path = "/transfers", tag = "webhooks",
    request_body(content = String, content_type = "application/json",
        description = "A transfer message (see the README's integration section)"),
    responses((status = 200, body = motcua_app::webhooks::transfer::TransferAck), BadRequest,
        (status = 401, description = "signature_missing, signature_malformed, signature_incomplete, \
            signature_unknown_key, signature_wrong_algorithm, signature_expired, \
            content_digest_mismatch, signature_invalid", body = crate::error::ApiErrorBody),
        NotFound, Conflict, Unprocessable))]
pub async fn receive_transfer(
    State(state): State<AppState>,
    uri: axum::extract::OriginalUri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<motcua_app::webhooks::transfer::TransferAck>> {
    let (target, headers) = signed_parts(&state, &uri, &headers);
    let ack = state
        .receive_transfer(motcua_app::webhooks::transfer::IncomingTransfer {
            target_uri: target,
            headers,
            body: body.to_vec(),
        })
        .await?;
    Ok(Json(ack))
}

/// A file of a dossier this deployment transferred, for the peer it went to: a GET signed per
/// RFC 9421 with that peer's key (covering `@method`, `@target-uri`, `content-digest` of the
/// empty body and `date`), while the dossier is there.
#[utoipa::path(get, path = "/transfers/{code}/documents/{sha256}", tag = "webhooks",
    params(("code" = String, Path), ("sha256" = String, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        Unauthorized, NotFound))]
pub async fn transferred_file(
    State(state): State<AppState>,
    uri: axum::extract::OriginalUri,
    headers: axum::http::HeaderMap,
    Path((code, sha256)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let (target, headers) = signed_parts(&state, &uri, &headers);
    let (media_type, bytes) = state
        .transferred_file(motcua_app::webhooks::transfer::IncomingFetch {
            target_uri: target,
            headers,
            code,
            sha256,
        })
        .await?;
    Ok(([(axum::http::header::CONTENT_TYPE, media_type)], bytes).into_response())
}

/// What a signature covers of a request: its absolute target URI (this deployment's public
/// address and the path asked for) and its header fields as text.
fn signed_parts(
    state: &AppState,
    uri: &axum::extract::OriginalUri,
    headers: &axum::http::HeaderMap,
) -> (String, Vec<(String, String)>) {
    let target = format!(
        "{}{}",
        state.config.public_url.trim_end_matches('/'),
        uri.0.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let headers = headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    (target, headers)
}
