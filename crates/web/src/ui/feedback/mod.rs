//! Citizen feedback pages (phản ánh, kiến nghị), each handler one call of
//! `motcua_app::feedback`:
//! - `/phan-anh`: the published answers (search, unit, category; photos; places listed, and on
//!   a Leaflet map when a tile server is configured);
//! - `/phan-anh/gui`: the submit form, phone first (text, up to five photos, an optional
//!   place), signed in or not;
//! - `/phan-anh/{ma}`: following a report by its code, and liking or disliking its answer;
//! - `/xu-ly/phan-anh`, `/xu-ly/phan-anh/{ma}`: the staff queue and the report page with its
//!   acts.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::AppError;
use motcua_app::feedback::{
    FeedbackAct, FeedbackPage, FeedbackQueueItem, FeedbackReceipt, FeedbackStep, FeedbackView,
    PublicFeedback, PublishedFilter, QueueFilter, SubmitFeedback,
};
use motcua_domain::feedback::MAX_PHOTOS;
use serde::Deserialize;

use crate::auth::{Caller, ClientIp};
use crate::ui::form::{MultipartForm, OrPage, Posted, SignedIn, UiResult, Upload};
use crate::ui::kit::{Ctx, Page, urlencode};

/// "2025-10-27T09:15" → "27/10/2025 09:15".
fn vn_text(at: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M") {
        Ok(t) => t.format("%d/%m/%Y %H:%M").to_string(),
        Err(_) => at.to_string(),
    }
}

/// The subjects a person may choose, with their labels.
const SUBJECTS: [(&str, &str); 6] = [
    ("other", "Vấn đề khác (hạ tầng, môi trường, trật tự…)"),
    ("procedure", "Một thủ tục hành chính (nhập mã thủ tục)"),
    ("dossier", "Một hồ sơ đã nộp (nhập mã hồ sơ)"),
    ("regulation", "Một quy định hành chính"),
    ("staff_behaviour", "Hành vi, thái độ của cán bộ, công chức"),
    (
        "feedback",
        "Việc xử lý một phản ánh trước đó (nhập mã phản ánh)",
    ),
];

#[derive(Template)]
#[template(path = "ui/feedback/form.html")]
struct FormPage {
    p: Page,
    v: SubmitFeedback,
    subjects: &'static [(&'static str, &'static str)],
    max_photos: usize,
    error: Option<String>,
    error_field: String,
}

pub async fn form(ctx: Ctx) -> Response {
    ctx.render(FormPage {
        p: ctx.page(),
        v: SubmitFeedback {
            about: "other".into(),
            place_from_photo: true,
            ..SubmitFeedback::default()
        },
        subjects: &SUBJECTS,
        max_photos: MAX_PHOTOS,
        error: None,
        error_field: String::new(),
    })
}

#[derive(Template)]
#[template(path = "ui/feedback/submitted.html")]
struct SubmittedPage {
    p: Page,
    r: FeedbackReceipt,
    handle_by: String,
}

/// The report of the form read: its fields and its photos (at most [`MAX_PHOTOS`] + 1 kept,
/// so that one too many is refused by the service; each bounded by the upload limit).
fn report_of(form: MultipartForm, limit: usize) -> Result<(SubmitFeedback, Vec<Bytes>), AppError> {
    if !form.too_large.is_empty() {
        return Err(motcua_app::documents::too_large(limit));
    }
    let mut v = SubmitFeedback::default();
    let (mut lat, mut lon) = (None, None);
    for (name, text) in form.texts {
        if text.len() > 20_000 {
            return Err(AppError::bad_request("field_too_long", "Nội dung quá dài."));
        }
        let opt = Some(text.clone()).filter(|t| !t.trim().is_empty());
        match name.as_str() {
            "about" => v.about = text,
            "code" => v.code = opt,
            "regulation" => v.regulation = opt,
            "title" => v.title = text,
            "content" => v.content = text,
            "commune" => v.commune = opt,
            "lat" => lat = opt,
            "lon" => lon = opt,
            "place_from_photo" => v.place_from_photo = true,
            "name" => v.name = opt,
            "phone" => v.phone = opt,
            "email" => v.email = opt,
            "agency" => v.agency = opt,
            _ => {}
        }
    }
    let number = |s: Option<String>, field: &'static str| -> Result<Option<f64>, AppError> {
        s.map(|t| {
            t.trim().replace(',', ".").parse::<f64>().map_err(|_| {
                AppError::field("invalid_place", field, "Tọa độ phải là số, ví dụ 19.8075.")
            })
        })
        .transpose()
    };
    v.lat = number(lat, "lat")?;
    v.lon = number(lon, "lon")?;
    let photos = form
        .files
        .into_iter()
        .map(|(_, b)| b)
        .filter(|b| !b.is_empty());
    Ok((v, photos.take(MAX_PHOTOS + 1).collect()))
}

pub async fn submit(ClientIp(ip): ClientIp, Upload(ctx, _, body, _): Upload) -> UiResult {
    let limit = ctx.state.config.max_upload_bytes;
    // The photos one too many included, and the text fields.
    let total = limit.saturating_mul(MAX_PHOTOS + 1) + 1024 * 1024;
    let form = body.read(&ctx, |n| n == "photo", limit, total).await?;
    let (v, photos) = report_of(form, limit).or_page(&ctx)?;
    Ok(
        match ctx
            .state
            .submit_feedback(ctx.caller.as_ref(), ip, v.clone(), photos)
            .await
        {
            Ok(r) => ctx.render_status(
                StatusCode::CREATED,
                SubmittedPage {
                    p: ctx.page(),
                    handle_by: r
                        .handle_by
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default(),
                    r,
                },
            ),
            Err(e @ AppError::Invalid { .. }) => {
                let field = match &e {
                    AppError::Invalid { field, .. } => field.clone().unwrap_or_default(),
                    _ => String::new(),
                };
                let status = crate::error::ApiError::from(e.clone()).status();
                ctx.render_status(
                    status,
                    FormPage {
                        p: ctx.page(),
                        v,
                        subjects: &SUBJECTS,
                        max_photos: MAX_PHOTOS,
                        error: Some(e.message_vi()),
                        error_field: field,
                    },
                )
            }
            Err(e) => ctx.error(&e),
        },
    )
}

/// A published answer or a followed report, ready for the page.
pub struct Shown {
    pub f: PublicFeedback,
    pub submitted: String,
    pub published: String,
    pub lat: String,
    pub lon: String,
}

impl Shown {
    fn of(f: PublicFeedback) -> Shown {
        let place = f.place.as_ref();
        Shown {
            submitted: vn_text(&f.submitted_at),
            published: f.published_at.as_deref().map(vn_text).unwrap_or_default(),
            lat: place
                .and_then(|p| p.lat)
                .map(|l| format!("{l:.6}"))
                .unwrap_or_default(),
            lon: place
                .and_then(|p| p.lon)
                .map(|l| format!("{l:.6}"))
                .unwrap_or_default(),
            f,
        }
    }
}

#[derive(Template)]
#[template(path = "ui/feedback/published.html")]
struct PublishedPage {
    p: Page,
    items: Vec<Shown>,
    total: i64,
    q: String,
    agency: String,
    category: String,
    tiles: String,
}

/// The page's Content-Security-Policy: the usual one, with the tile server's origin allowed
/// for images when a map is configured.
fn with_tiles_csp(mut res: Response, tiles: &str) -> Response {
    let origin = tiles
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or("")))
        .filter(|o| !o.contains(['{', ' ', ';', '\'']));
    if let Some(origin) = origin {
        let csp = crate::security::CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:",
            &format!("img-src 'self' data: {origin}"),
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

#[derive(Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    ma: String,
}

/// `/phan-anh`; `?ma=` (the follow box) goes to that report's page.
pub async fn published(
    ctx: Ctx,
    Query(m): Query<FollowQuery>,
    Query(f): Query<PublishedFilter>,
) -> Response {
    if !m.ma.trim().is_empty() {
        return Redirect::to(&format!("/phan-anh/{}", urlencode(m.ma.trim()))).into_response();
    }
    let page: FeedbackPage<PublicFeedback> = match ctx.state.published_feedback(&f).await {
        Ok(p) => p,
        Err(e) => return ctx.error(&e),
    };
    let tiles = ctx.state.config.map_tile_url.clone().unwrap_or_default();
    let res = ctx.render(PublishedPage {
        p: ctx.page(),
        items: page.items.into_iter().map(Shown::of).collect(),
        total: page.total,
        q: f.q.unwrap_or_default(),
        agency: f.agency.unwrap_or_default(),
        category: f.category.unwrap_or_default(),
        tiles: tiles.clone(),
    });
    with_tiles_csp(res, &tiles)
}

#[derive(Template)]
#[template(path = "ui/feedback/follow.html")]
struct FollowPage {
    p: Page,
    s: Shown,
    steps: Vec<(String, String, String)>,
    may_react: bool,
    version: i32,
}

/// A report's timeline as its page shows it: (when, what, detail).
fn steps_of(timeline: &[FeedbackStep]) -> Vec<(String, String, String)> {
    timeline
        .iter()
        .map(|s| {
            let detail = s.detail.clone().unwrap_or_default();
            (vn_text(&s.at), s.label.clone(), detail)
        })
        .collect()
}

pub async fn follow(ctx: Ctx, ClientIp(ip): ClientIp, Path(ma): Path<String>) -> UiResult {
    let f = ctx.state.public_feedback(ip, &ma).await.or_page(&ctx)?;
    let steps = steps_of(&f.timeline);
    let version = f.version;
    Ok(ctx.render(FollowPage {
        p: ctx.page(),
        may_react: ctx.caller.is_some() && f.status == "published",
        s: Shown::of(f),
        steps,
        version,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactForm {
    version: i32,
    like: String,
}

pub async fn react(
    Path(ma): Path<String>,
    Posted(ctx, caller, f, _): Posted<ReactForm, SignedIn>,
) -> UiResult {
    let act = FeedbackAct {
        version: f.version,
        action: "react".into(),
        like: Some(f.like == "1"),
        ..FeedbackAct::default()
    };
    act_then(&ctx, &caller, &ma, act, "/phan-anh").await
}

/// Acts on a report, then back to its page under `pages` (the public one or the officers').
async fn act_then(ctx: &Ctx, caller: &Caller, ma: &str, act: FeedbackAct, pages: &str) -> UiResult {
    ctx.state
        .act_on_feedback(caller, ma, act)
        .await
        .or_page(ctx)?;
    let to = format!("{pages}/{}", urlencode(ma));
    Ok(ctx.finish(Redirect::to(&to).into_response()))
}

/// The statuses a queue may be filtered by.
const STATUSES: [(&str, &str); 7] = [
    ("submitted", "Chờ tiếp nhận"),
    ("in_progress", "Đang xử lý"),
    ("awaiting_supplement", "Chờ bổ sung thông tin"),
    ("answer_drafted", "Chờ duyệt trả lời"),
    ("awaiting_publication", "Đã xử lý, chờ công khai"),
    ("published", "Đã công khai"),
    ("refused", "Từ chối tiếp nhận"),
];

/// Acts with one text: (action, field, label, button).
const TEXT_ACTS: [(&str, &str, &str, &str); 6] = [
    ("refuse", "reason", "Lý do từ chối", "Từ chối tiếp nhận"),
    (
        "ask_more",
        "what",
        "Thông tin cần bổ sung",
        "Đề nghị bổ sung",
    ),
    ("draft_answer", "answer", "Dự thảo trả lời", "Lưu dự thảo"),
    (
        "return_draft",
        "reason",
        "Nội dung cần sửa",
        "Trả lại dự thảo",
    ),
    ("supplement", "content", "Thông tin bổ sung", "Bổ sung"),
    ("withdraw", "reason", "Lý do rút", "Rút phản ánh"),
];

/// Acts of one button: (action, button).
const BUTTON_ACTS: [(&str, &str); 2] = [
    ("approve", "Duyệt trả lời"),
    ("publish", "Công khai kết quả"),
];

#[derive(Template)]
#[template(path = "ui/feedback/queue.html")]
struct QueuePage {
    p: Page,
    statuses: &'static [(&'static str, &'static str)],
    items: Vec<FeedbackQueueItem>,
    total: i64,
    status: String,
    q: String,
}

pub async fn queue(ctx: Ctx, Query(f): Query<QueueFilter>) -> UiResult {
    let caller = ctx.officer()?;
    let page = ctx.state.feedback_queue(caller, &f).await.or_page(&ctx)?;
    Ok(ctx.render(QueuePage {
        p: ctx.page(),
        statuses: &STATUSES,
        items: page.items,
        total: page.total,
        status: f.status.unwrap_or_default(),
        q: f.q.unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "ui/feedback/report.html")]
struct ReportPage {
    p: Page,
    text_acts: &'static [(&'static str, &'static str, &'static str, &'static str)],
    button_acts: &'static [(&'static str, &'static str)],
    r: FeedbackView,
    submitted: String,
    steps: Vec<(String, String, String)>,
}

impl ReportPage {
    fn may(&self, action: &str) -> bool {
        self.r.actions.iter().any(|a| a == action)
    }
}

pub async fn report(ctx: Ctx, Path(ma): Path<String>) -> UiResult {
    let caller = ctx.signed_in()?;
    let r = ctx.state.feedback_view(caller, &ma).await.or_page(&ctx)?;
    Ok(ctx.render(ReportPage {
        p: ctx.page(),
        text_acts: &TEXT_ACTS,
        button_acts: &BUTTON_ACTS,
        submitted: vn_text(&r.submitted_at),
        steps: steps_of(&r.timeline),
        r,
    }))
}

/// An act's form (an empty field stands for an absent one).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActForm {
    version: i32,
    action: String,
    category: String,
    reason: String,
    to_agency: String,
    what: String,
    content: String,
    answer: String,
}

pub async fn act(
    Path(ma): Path<String>,
    Posted(ctx, caller, a, _): Posted<ActForm, SignedIn>,
) -> UiResult {
    let some = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let act = FeedbackAct {
        version: a.version,
        action: a.action,
        category: some(a.category),
        reason: some(a.reason),
        to_agency: some(a.to_agency),
        what: some(a.what),
        content: some(a.content),
        answer: some(a.answer),
        like: None,
    };
    act_then(&ctx, &caller, &ma, act, "/xu-ly/phan-anh").await
}
