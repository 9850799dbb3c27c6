//! The citizen's data store (#20): what the signed-in citizen holds across dossiers and
//! agencies, and every re-use of it with its consent; one of its files; and the officer's
//! verification of a local citizen account at the counter; the person's contact details and
//! sessions (#20).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::data_store::{DataStoreView, VerificationView, VerifyInput};
use motcua_app::profile::{ContactInput, DeviceView};

use crate::api::responses::{Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::auth::Acting;
use crate::error::{ApiJson, ApiPath as Path, ApiResult};

/// The signed-in citizen's data store (kho quản lý dữ liệu điện tử, Decree 45/2020/NĐ-CP):
/// the electronic results and checked papers of every dossier of the account's ID number,
/// with kind (`component`), number (`result_code`), issuer and validity where known, and
/// every re-use of them with who, for which dossier, when, why and the consent (Decree
/// 13/2023/NĐ-CP). 403 `account_not_bound` for an account not yet verified.
#[utoipa::path(get, path = "/me/data-store", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = DataStoreView), Forbidden))]
pub async fn mine(Acting(state, caller): Acting) -> ApiResult<Json<DataStoreView>> {
    Ok(Json(state.data_store(&caller).await?))
}

/// Download a file of the signed-in citizen's data store (404 when it is not in their store).
#[utoipa::path(get, path = "/me/data-store/{sha256}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        Forbidden, NotFound))]
pub async fn file(
    Acting(state, caller): Acting,
    Path(sha256): Path<String>,
) -> ApiResult<Response> {
    let (record, bytes) = state.held_file(&caller, &sha256).await?;
    Ok(super::documents::file_response(&record, &bytes))
}

/// Verify a local citizen account at the counter (receiving officers, administrators): the
/// officer saw the person's card; the account is bound to its number, recorded with the
/// officer, the instant and the document. 409 `account_already_bound` or `id_number_taken`;
/// 422 `not_a_citizen_account`, `document_required`, or an ID number's code.
#[utoipa::path(post, path = "/users/{username}/verification", tag = "users",
    request_body = VerifyInput, security(("bearer" = [])),
    responses((status = 201, body = VerificationView), Forbidden, NotFound, Conflict,
        Unprocessable))]
pub async fn verify(
    Acting(state, caller): Acting,
    Path(username): Path<String>,
    ApiJson(input): ApiJson<VerifyInput>,
) -> ApiResult<(StatusCode, Json<VerificationView>)> {
    let v = state.verify_account(&caller, &username, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The signed-in person's contact details and the channel notices of their dossiers go by.
#[utoipa::path(get, path = "/me/contact", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = ContactInput), Unauthorized))]
pub async fn contact(Acting(state, caller): Acting) -> ApiResult<Json<ContactInput>> {
    Ok(Json(ContactInput::of(&state.my_contact(&caller).await?)))
}

/// Replace the signed-in person's contact details: the phone (a Vietnamese number), e-mail
/// and address (at most 300 characters), and the channel notices go by (`email`, `sms`,
/// `none`, or empty for every address a dossier carries). 422 `phone_invalid`,
/// `email_invalid`, `address_too_long`, `notify_channel_invalid`, `notify_channel_unreachable`.
#[utoipa::path(put, path = "/me/contact", tag = "users", request_body = ContactInput,
    security(("bearer" = [])),
    responses((status = 200, body = ContactInput), Unprocessable))]
pub async fn set_contact(
    Acting(state, caller): Acting,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<ContactInput>> {
    Ok(Json(ContactInput::of(
        &state.set_my_contact(&caller, &input).await?,
    )))
}

/// The signed-in person's live sessions (browsers and API tokens) with the device each was
/// last used from.
#[utoipa::path(get, path = "/me/sessions", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceView>), Unauthorized))]
pub async fn sessions(Acting(state, caller): Acting) -> ApiResult<Json<Vec<DeviceView>>> {
    Ok(Json(state.my_devices(&caller).await?))
}

/// End one of the signed-in person's sessions, by its `id` in `/me/sessions` (404 if none).
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "users", security(("bearer" = [])),
    responses((status = 204), NotFound))]
pub async fn end_session(
    Acting(state, caller): Acting,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.end_my_session(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
