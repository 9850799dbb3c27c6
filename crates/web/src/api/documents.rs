//! Documents of dossiers: upload a component's file (the citizen online, the receiving officer
//! at the counter), re-use a file already held for the same person, record the electronic
//! result with its file, list and download a dossier's files (whoever may read the dossier),
//! and the files held for a person (officers at the counter, by ID number; citizens, their
//! own). Uploads are the raw file as the request body, up to `max_upload_bytes` (20 MB by
//! default); the JSON body limit of every other route is unchanged.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::auth::Role;
use motcua_domain::dossier::MediaType;
use serde::{Deserialize, Serialize};

use crate::api::responses::{
    Conflict, Forbidden, NotFound, TooLarge, Unprocessable, UnsupportedType,
};
use crate::auth::Acting;
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use motcua_app::AppError;
use motcua_app::documents::{self as docs, Attached, DocumentView, ReuseInput};

/// Reads an upload, at most `limit` bytes: a larger declared or sent body is 413
/// `file_too_large`, without reading it whole.
pub async fn read_upload(limit: usize, headers: &HeaderMap, body: Body) -> Result<Bytes, AppError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(docs::too_large(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.into_inner()
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            docs::too_large(limit)
        } else {
            AppError::bad_request(
                "upload_interrupted",
                "Tệp tải lên bị gián đoạn. Vui lòng gửi lại.",
            )
        }
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadParams {
    /// The component (thành phần hồ sơ) the file stands for, e.g. `Tờ khai đăng ký khai sinh`.
    pub component: String,
    /// The dossier version the caller saw (409 `stale_dossier` if it moved).
    pub version: i32,
}

/// Upload a component's file: PDF, JPEG or PNG, recognised by its content (the declared
/// `Content-Type` and the file name are not trusted), at most `max_upload_bytes` (20 MB by
/// default). The citizen who lodged the dossier online uploads while it waits for them
/// (`uploaded`); a receiving officer of the counter scans paper components (`scanned`). The
/// same bytes are stored once. A refused or failed upload records nothing and leaves no file.
#[utoipa::path(post, path = "/dossiers/{code}/documents", tag = "documents", params(UploadParams),
    request_body(content(("application/pdf"), ("image/jpeg"), ("image/png")),
        description = "The file's bytes, as the request body."),
    security(("bearer" = [])),
    responses((status = 201, body = Attached), Forbidden, NotFound,
        (status = 409, body = crate::error::ApiErrorBody, description = "stale_dossier, or the state machine refuses"),
        (status = 413, body = crate::error::ApiErrorBody, description = "file_too_large"),
        (status = 415, body = crate::error::ApiErrorBody, description = "unsupported_file_type: not PDF, JPEG or PNG"),
        (status = 422, body = crate::error::ApiErrorBody, description = "empty_file")))]
pub async fn upload(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attached>)> {
    let limit = state.config.max_upload_bytes;
    let bytes = read_upload(limit, &headers, body);
    let attached = state
        .upload_document(&caller, &code, p.version, &p.component, bytes, limit)
        .await?;
    Ok((StatusCode::CREATED, Json(attached)))
}

/// Attach a file already held for the same person instead of uploading it again (sử dụng lại
/// dữ liệu đã số hóa): a result, or a checked component, of another dossier of the same ID
/// number (a citizen: only into a dossier of their own number, from their data store). Listed
/// by `/documents/reusable` (officers) and `/me/data-store` (citizens). An officer gives the
/// `reason` (422 `reason_required`) and the person's consent at the counter (`consent`, 422
/// `consent_required`), re-uses only files of dossiers lodged in their province, and the use is
/// recorded in the personal data access log. Every re-use is recorded with its consent and
/// shown to the person. Counted for Decision 766 indicator 4.3.
#[utoipa::path(post, path = "/dossiers/{code}/documents/reuse", tag = "documents",
    request_body = ReuseInput, security(("bearer" = [])),
    responses((status = 201, body = Attached), Forbidden, Conflict,
        (status = 422, body = crate::error::ApiErrorBody, description = "document_not_reusable")))]
pub async fn reuse(
    Acting(state, caller): Acting,
    origin: motcua_app::access_log::ReadOrigin,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ReuseInput>,
) -> ApiResult<(StatusCode, Json<Attached>)> {
    let attached = state
        .reuse_document(&caller, &code, &input, &origin)
        .await?;
    Ok((StatusCode::CREATED, Json(attached)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ResultParams {
    /// The result's number (số, ký hiệu), e.g. `15/GCN-STP`.
    pub result_code: String,
    /// The dossier version the caller saw.
    pub version: i32,
}

/// Record the electronic result (kết quả điện tử): its number and its file (PDF, JPEG or PNG,
/// the signed document), as `record_result` with an electronic form. By the staff of the
/// agency holding the dossier, once it is approved or rejected.
#[utoipa::path(post, path = "/dossiers/{code}/result-file", tag = "documents", params(ResultParams),
    request_body(content(("application/pdf"), ("image/jpeg"), ("image/png")),
        description = "The result file's bytes, as the request body."),
    security(("bearer" = [])),
    responses((status = 201, body = Attached), Forbidden, Conflict, TooLarge, UnsupportedType,
        Unprocessable))]
pub async fn result_file(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<ResultParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attached>)> {
    let bytes = read_upload(state.config.max_upload_bytes, &headers, body);
    let attached = state
        .upload_result(&caller, &code, p.version, &p.result_code, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attached)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Documents {
    pub items: Vec<DocumentView>,
}

/// A dossier's documents with their flags (scanned, uploaded, reused and from where, the
/// electronic result): for the staff of the agencies it went through and the citizen who
/// lodged it.
#[utoipa::path(get, path = "/dossiers/{code}/documents", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = Documents), Forbidden, NotFound))]
pub async fn list(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<Documents>> {
    let row = state.dossier(&code).await?;
    state.readable(&caller, &row).await?;
    Ok(Json(Documents {
        items: state.dossier_documents(&row).await?,
    }))
}

/// Download a document (or the electronic result) of a dossier, with its type: for whoever
/// may read the dossier (its citizen, the staff of its agencies).
#[utoipa::path(get, path = "/dossiers/{code}/documents/{sha256}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        Forbidden, NotFound))]
pub async fn download(
    Acting(state, caller): Acting,
    origin: motcua_app::access_log::ReadOrigin,
    Path((code, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let read = motcua_app::access_log::Read::Document;
    let row = motcua_app::access_log::read_dossier(&state, &caller, &code, read, &origin).await?;
    let (record, bytes) = state
        .open_document(&row, &sha256.to_ascii_lowercase())
        .await?;
    Ok(file_response(&record, &bytes))
}

/// A document's bytes as a download: its type read from the content, images shown and
/// anything else saved, nothing run, kept by no shared cache.
pub(crate) fn file_response(record: &motcua_store::DocumentRecord, bytes: &Bytes) -> Response {
    let media = MediaType::parse(&record.media_type);
    let content_type = media.map_or("application/octet-stream", MediaType::as_str);
    let name = format!(
        "{}-{}.{}",
        record.dossier_code,
        record.seq,
        media.map_or("bin", MediaType::extension)
    );
    // Personal data: never kept by shared caches. The type was read from the content at
    // upload and `nosniff` is set on every response, so a browser shows it as that type only.
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "private, max-age=300"),
    ];
    let mut res = (headers, bytes.clone()).into_response();
    let h = res.headers_mut();
    // Images are shown; anything else (a PDF can carry script) is saved, never rendered in
    // the application's origin. Either way the response may run nothing.
    let disposition = match media {
        Some(MediaType::Jpeg | MediaType::Png) => "inline",
        _ => "attachment",
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", record.sha256)) {
        h.insert(header::ETAG, v);
    }
    res
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReusableParams {
    /// The applicant's personal identification number (12 digits), from the card they show.
    pub id_number: String,
    /// Why the officer looks this person up (required, at most 500 characters); recorded.
    pub reason: Option<String>,
}

/// The documents that may be re-used for a person at the counter (receiving officers), by
/// their ID number and with the reason for looking (recorded in the personal data access
/// log): electronic results and checked components of their dossiers lodged in the officer's
/// province, newest first, one entry per file. Attach one with `POST /dossiers/{code}/documents/reuse`; its
/// bytes are read through that dossier afterwards.
#[utoipa::path(get, path = "/documents/reusable", tag = "documents", params(ReusableParams),
    security(("bearer" = [])),
    responses((status = 200, body = Documents), Forbidden, Unprocessable))]
pub async fn reusable(
    Acting(state, caller): Acting,
    origin: motcua_app::access_log::ReadOrigin,
    ApiQuery(p): ApiQuery<ReusableParams>,
) -> ApiResult<Json<Documents>> {
    if !caller.principal().has_role(Role::ReceivingOfficer) {
        return Err(ApiError::Forbidden);
    }
    let items =
        docs::reusable_for_officer(&state, &caller, &p.id_number, p.reason.as_deref(), &origin)
            .await?;
    tracing::info!(user = %caller.user.id, found = items.len(), "documents held for a person looked up");
    Ok(Json(Documents { items }))
}

/// A citizen's own documents that may be re-used: the files of their data store
/// (`/me/data-store`), the electronic results and checked components of every dossier of the
/// account's ID number.
#[utoipa::path(get, path = "/me/documents", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = Documents), Forbidden))]
pub async fn mine(Acting(state, caller): Acting) -> ApiResult<Json<Documents>> {
    if !caller.principal().has_role(Role::Citizen) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(Documents {
        items: state.reusable_documents(caller.user.id).await?,
    }))
}
