//! Citizen feedback (phản ánh, kiến nghị) through the JSON API: submit (JSON, or
//! multipart/form-data with photos), the staff queue, a report and the acts on it, its photos,
//! and the public look-up and page of published answers. Every handler calls one method of
//! `motcua_app::feedback`.

use axum::Json;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppError;
use motcua_app::feedback::{
    FeedbackAct, FeedbackPage, FeedbackQueueItem, FeedbackReceipt, FeedbackView, PublicFeedback,
    PublishedFilter, QueueFilter, SubmitFeedback,
};
use motcua_domain::feedback::MAX_PHOTOS;

use crate::api::responses::{
    BadRequest, Forbidden, NotFound, TooLarge, TooManyRequests, Unauthorized, Unprocessable,
};
use crate::auth::{Acting, ClientIp, MaybeCaller};
use crate::error::{ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;

/// Room for the report's JSON and the multipart framing beside the photos.
const FORM_OVERHEAD: usize = 256 * 1024;

/// A submission read from JSON, or from a multipart form: the part `report` (the JSON) and up
/// to five parts `photo`.
pub struct Submission {
    pub report: SubmitFeedback,
    pub photos: Vec<Bytes>,
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "invalid_body",
        format!("Không đọc được nội dung gửi lên: {e}"),
    )
}

impl FromRequest<AppState> for Submission {
    type Rejection = crate::error::ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let ApiJson(report) = ApiJson::<SubmitFeedback>::from_request(req, state).await?;
            return Ok(Submission {
                report,
                photos: Vec::new(),
            });
        }
        let limit = state.config.max_upload_bytes * MAX_PHOTOS + FORM_OVERHEAD;
        let (parts, body) = req.into_parts();
        let bytes = super::documents::read_upload(limit, &parts.headers, body).await?;
        let req = Request::from_parts(parts, Body::from(bytes));
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(unreadable)?;
        let mut report = None;
        let mut photos = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(unreadable)? {
            match field.name() {
                Some("report") => {
                    let text = field.bytes().await.map_err(unreadable)?;
                    report = Some(serde_json::from_slice(&text).map_err(unreadable)?);
                }
                Some("photo") => {
                    let bytes = field.bytes().await.map_err(unreadable)?;
                    if !bytes.is_empty() {
                        photos.push(bytes);
                    }
                }
                _ => {}
            }
        }
        let report = report.ok_or_else(|| {
            AppError::field("report_required", "report", "Thiếu phần «report» (JSON).")
        })?;
        Ok(Submission { report, photos })
    }
}

/// Send feedback (gửi phản ánh, kiến nghị), signed in or not: as JSON (`SubmitFeedback`), or
/// as multipart/form-data with the part `report` (that JSON) and up to five parts `photo`
/// (JPEG or PNG, checked by content, stripped of their metadata such as GPS). The receiving
/// unit is the one named, else found from the subject (the dossier's or procedure's agency)
/// or the commune. A receiving officer of the unit records it at the counter. Anonymous
/// submissions count against the address's look-up limit.
#[utoipa::path(post, path = "/feedback", tag = "feedback",
    request_body(content(
        (SubmitFeedback = "application/json"),
        ("multipart/form-data")),
        description = "The report, with photos as multipart parts `photo`."),
    responses((status = 201, body = FeedbackReceipt), BadRequest,
        (status = 404, body = crate::error::ApiErrorBody, description = "the unit named does not exist"),
        TooLarge,
        (status = 415, body = crate::error::ApiErrorBody, description = "a photo is not JPEG or PNG"),
        Unprocessable, TooManyRequests))]
pub async fn submit(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    ClientIp(ip): ClientIp,
    s: Submission,
) -> ApiResult<(StatusCode, Json<FeedbackReceipt>)> {
    let receipt = state
        .submit_feedback(caller.as_ref(), ip, s.report, s.photos)
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// The staff queue: reports of the caller's units (or of `agency`), open ones by handling
/// deadline, with their due marks.
#[utoipa::path(get, path = "/feedback", tag = "feedback", params(QueueFilter),
    security(("bearer" = [])),
    responses((status = 200, body = FeedbackPage<FeedbackQueueItem>), BadRequest, Unauthorized,
        Forbidden))]
pub async fn queue(
    Acting(state, caller): Acting,
    ApiQuery(f): ApiQuery<QueueFilter>,
) -> ApiResult<Json<FeedbackPage<FeedbackQueueItem>>> {
    Ok(Json(state.feedback_queue(&caller, &f).await?))
}

/// A report, for the staff of its unit (with the contact details) and its signed-in author,
/// with the acts the caller may try.
#[utoipa::path(get, path = "/feedback/{code}", tag = "feedback", security(("bearer" = [])),
    responses((status = 200, body = FeedbackView), Unauthorized, Forbidden, NotFound))]
pub async fn get_one(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<FeedbackView>> {
    Ok(Json(state.feedback_view(&caller, &code).await?))
}

/// Act on a report: staff of its unit (receive, classify, refuse, transfer, ask_more,
/// draft_answer, return_draft, approve, publish) or a signed-in person (supplement and
/// withdraw, its author; react, anyone, once the answer is published). `version` must be the
/// report's current one (409 `stale_version`).
#[utoipa::path(post, path = "/feedback/{code}/actions", tag = "feedback",
    request_body = FeedbackAct, security(("bearer" = [])),
    responses((status = 200, body = FeedbackView), Unauthorized, Forbidden, NotFound,
        (status = 409, body = crate::error::ApiErrorBody, description = "stale_version, or not allowed in the report's status"),
        Unprocessable))]
pub async fn act(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(act): ApiJson<FeedbackAct>,
) -> ApiResult<Json<FeedbackView>> {
    Ok(Json(state.act_on_feedback(&caller, &code, act).await?))
}

/// A photo of a report: public once its answer is published; before, for its unit's staff
/// and its author.
#[utoipa::path(get, path = "/feedback/{code}/photos/{sha256}", tag = "feedback",
    responses((status = 200, content_type = "image/jpeg", description = "The photo (JPEG or PNG), without metadata"),
        Unauthorized, Forbidden, NotFound))]
pub async fn photo(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path((code, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (media_type, bytes) = state
        .feedback_photo(caller.as_ref(), &code, &sha256.to_ascii_lowercase())
        .await?;
    let content_type = if media_type == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, "inline"),
        (header::CACHE_CONTROL, "private, max-age=3600"),
    ];
    Ok((headers, bytes).into_response())
}

/// Follow a report by its code: status, timeline, title; its content, place, photos and answer
/// once published. No personal data.
#[utoipa::path(get, path = "/public/feedback/{code}", tag = "feedback",
    responses((status = 200, body = PublicFeedback), NotFound, TooManyRequests))]
pub async fn public(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> ApiResult<Json<PublicFeedback>> {
    Ok(Json(state.public_feedback(ip, &code).await?))
}

/// The published answers, newest first: searchable, by unit, category and commune.
#[utoipa::path(get, path = "/public/feedback", tag = "feedback", params(PublishedFilter),
    responses((status = 200, body = FeedbackPage<PublicFeedback>), BadRequest, NotFound))]
pub async fn published(
    State(state): State<AppState>,
    ApiQuery(f): ApiQuery<PublishedFilter>,
) -> ApiResult<Json<FeedbackPage<PublicFeedback>>> {
    Ok(Json(state.published_feedback(&f).await?))
}
