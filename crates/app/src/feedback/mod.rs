//! Citizen feedback (phản ánh, kiến nghị): submission from the portal, the counter and the
//! API (photos checked and stripped of their metadata, the receiving unit found from the
//! subject or the place), the staff's acts through the domain state machine
//! (`motcua_domain::feedback`), one transaction each (events, projection, photos, reactions,
//! notices), the queues with their due marks, and the views: the full one for the unit's staff
//! and the author, the public one (no personal data) for anyone holding the code, and the page
//! of published answers.
//!
//! # Who sees what
//!
//! The contact the person left (name, phone, e-mail) is shown to the staff of the unit that
//! holds the report, and to no one else. Anyone with the code sees the status, the timeline
//! and the title; the content, the photos, the place and the answer become public when the
//! answer is published.

pub mod index;
pub mod notices;
pub mod open311;
pub mod photos;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::auth::{Action, Role};
use motcua_domain::dossier::{MediaType, vietnam_date};
use motcua_domain::feedback::{
    Category, Contact, FeedbackAction, FeedbackActor, FeedbackCommand, FeedbackError,
    FeedbackEvent, FeedbackState, FeedbackStatus, MAX_PHOTOS, Photo, Place, Report, Subject,
    allowed_statuses, execute,
};
use motcua_domain::text::fold_ascii;
use motcua_store::{
    Conflict, DbError, FeedbackPhotoLink, FeedbackQuery, FeedbackReaction, FeedbackRow,
    FeedbackWrite, NewEvent,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope};
use crate::calendar::{calendar_error, format_vn_instant};
use crate::error::AppError;
use crate::state::App;

/// Most reports a queue or the public page shows at once.
pub const MAX_PAGE: i64 = 100;

/// A report as submitted (portal form, counter, JSON API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitFeedback {
    /// What it is about: `procedure`, `dossier`, `regulation`, `staff_behaviour`, `feedback`
    /// (a complaint about the handling of an earlier report) or `other`.
    pub about: String,
    /// The procedure's, dossier's or earlier report's code (about `procedure`, `dossier`,
    /// `feedback`).
    #[serde(default)]
    pub code: Option<String>,
    /// The regulation's name (about `regulation`).
    #[serde(default)]
    pub regulation: Option<String>,
    /// At most 200 characters.
    pub title: String,
    /// At most 5,000 characters.
    pub content: String,
    /// A point the person chooses to share (WGS 84), with `lon`.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// The commune (ward) where it happened: its statistics code.
    #[serde(default)]
    pub commune: Option<String>,
    /// Take the point from the first photo's GPS position when none is given. The photo itself
    /// never keeps it: every photo is stripped of its metadata.
    #[serde(default)]
    pub place_from_photo: bool,
    /// Contact details, shown only to the staff of the unit that handles it.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The receiving unit's code; found from the subject or the commune when absent.
    #[serde(default)]
    pub agency: Option<String>,
}

/// What the sender is told after submitting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackReceipt {
    /// The code to follow the report by.
    pub code: String,
    pub status: String,
    pub status_label: String,
    /// The receiving unit's code.
    pub agency: String,
    pub agency_name: String,
    /// The handling deadline, YYYY-MM-DD (Vietnam date).
    pub handle_by: Option<NaiveDate>,
    pub version: i32,
}

/// An act on a report: `action` and the fields it needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackAct {
    /// The report's version (its last event's number) the act is based on.
    pub version: i32,
    /// receive, classify, refuse, transfer, ask_more, supplement, draft_answer, return_draft,
    /// approve, publish, react, withdraw.
    pub action: String,
    /// receive, classify: `regulation` or `staff_behaviour`.
    #[serde(default)]
    pub category: Option<String>,
    /// refuse, transfer, return_draft, withdraw.
    #[serde(default)]
    pub reason: Option<String>,
    /// transfer: the code of the unit it goes to.
    #[serde(default)]
    pub to_agency: Option<String>,
    /// ask_more: what is asked.
    #[serde(default)]
    pub what: Option<String>,
    /// supplement: what the person adds.
    #[serde(default)]
    pub content: Option<String>,
    /// draft_answer: the answer.
    #[serde(default)]
    pub answer: Option<String>,
    /// react: like (`true`) or dislike.
    #[serde(default)]
    pub like: Option<bool>,
}

/// The due mark of a report in a queue: a key for the colour and its words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueMark {
    /// `late`, `due-soon`, `on-track`, or empty when nothing is due.
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackPlace {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub commune: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackPhoto {
    pub sha256: String,
    pub media_type: String,
    /// Where the photo is served.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackContact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackStep {
    /// Vietnam time, YYYY-MM-DDTHH:MM.
    pub at: String,
    pub kind: String,
    pub label: String,
    /// The reason, the request or the unit told with the step.
    pub detail: Option<String>,
}

/// The deadlines of the current clock (Vietnam dates).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackDeadlines {
    pub start: NaiveDate,
    pub refuse_by: NaiveDate,
    pub first_supplement_by: NaiveDate,
    pub handle_by: NaiveDate,
    pub publish_by: Option<NaiveDate>,
}

/// A report as the unit's staff and its author see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackView {
    pub code: String,
    pub status: String,
    pub status_label: String,
    /// The version to name when acting on it.
    pub version: i32,
    pub category: String,
    pub category_label: String,
    pub agency: String,
    pub agency_name: String,
    pub about: String,
    pub subject_code: Option<String>,
    pub title: String,
    pub content: String,
    pub place: Option<FeedbackPlace>,
    pub photos: Vec<FeedbackPhoto>,
    /// Staff of the unit only.
    pub contact: Option<FeedbackContact>,
    pub submitted_at: String,
    pub deadlines: Option<FeedbackDeadlines>,
    pub due: DueMark,
    pub answer: Option<String>,
    pub likes: usize,
    pub dislikes: usize,
    pub transfers: u32,
    pub timeline: Vec<FeedbackStep>,
    /// The acts this caller may try now.
    pub actions: Vec<String>,
}

/// What anyone sees of a report: no contact, and its content, place, photos and answer only
/// once published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicFeedback {
    pub code: String,
    /// The version to name when reacting to the answer.
    pub version: i32,
    pub status: String,
    pub status_label: String,
    pub category: String,
    pub category_label: String,
    pub agency: String,
    pub agency_name: String,
    pub title: String,
    pub content: Option<String>,
    pub place: Option<FeedbackPlace>,
    pub photos: Vec<FeedbackPhoto>,
    pub answer: Option<String>,
    pub likes: usize,
    pub dislikes: usize,
    pub submitted_at: String,
    pub published_at: Option<String>,
    pub timeline: Vec<FeedbackStep>,
}

/// One report in a queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackQueueItem {
    pub code: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub category: String,
    pub agency: String,
    pub submitted_at: String,
    pub handle_by: Option<NaiveDate>,
    pub due: DueMark,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedbackPage<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// Filters of a staff queue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct QueueFilter {
    /// The unit's code (default: the units of the caller's roles).
    pub agency: Option<String>,
    /// One status (default: every open one).
    pub status: Option<String>,
    /// Words of the code, title or content.
    pub q: Option<String>,
    /// At most 100 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Filters of the public page of published answers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PublishedFilter {
    /// Words of the code, title or content.
    pub q: Option<String>,
    /// The unit's code.
    pub agency: Option<String>,
    /// `regulation` or `staff_behaviour`.
    pub category: Option<String>,
    /// A commune's code.
    pub commune: Option<String>,
    /// At most 100 (default 20).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The error of a refused feedback command.
pub fn domain_error(e: FeedbackError) -> AppError {
    match e {
        FeedbackError::ActorNotAllowed { .. } => AppError::Forbidden,
        FeedbackError::NotAllowedInState { .. } => AppError::conflict(e.code(), e.message_vi()),
        FeedbackError::InvalidText { field, .. } => {
            AppError::field(e.code(), field, e.message_vi())
        }
        e => AppError::invalid(e.code(), e.message_vi()),
    }
}

fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("phản ánh, kiến nghị"),
        e => e.into(),
    }
}

fn stale_or(e: DbError) -> AppError {
    match e {
        DbError::Conflict(Conflict::StaleVersion) => stale(),
        e => not_found(e),
    }
}

fn stale() -> AppError {
    AppError::conflict(
        "stale_version",
        "Phản ánh, kiến nghị vừa được người khác cập nhật. Vui lòng tải lại trang và thực hiện lại.",
    )
}

pub fn category_of(s: &str) -> Result<Category, AppError> {
    match s.trim() {
        "regulation" => Ok(Category::Regulation),
        "staff_behaviour" => Ok(Category::StaffBehaviour),
        _ => Err(AppError::field(
            "invalid_category",
            "category",
            "Phân loại phải là «regulation» (quy định hành chính) hoặc «staff_behaviour» (hành vi \
             của cán bộ).",
        )),
    }
}

fn subject_of(input: &SubmitFeedback) -> Result<Subject, AppError> {
    let code = || {
        input
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                AppError::field(
                    "code_required",
                    "code",
                    "Vui lòng nhập mã của đối tượng phản ánh.",
                )
            })
    };
    Ok(match input.about.trim() {
        "procedure" => Subject::Procedure { code: code()? },
        "dossier" => Subject::Dossier { code: code()? },
        "feedback" => Subject::Feedback { code: code()? },
        "regulation" => Subject::Regulation {
            name: input.regulation.clone().unwrap_or_default(),
        },
        "staff_behaviour" => Subject::StaffBehaviour,
        "other" => Subject::Other,
        _ => {
            return Err(AppError::field(
                "invalid_subject",
                "about",
                "Nội dung phản ánh phải về một thủ tục, hồ sơ, quy định, hành vi của cán bộ, \
                 một phản ánh trước đó hoặc vấn đề khác.",
            ));
        }
    })
}

fn subject_key(s: &Subject) -> (&'static str, Option<String>) {
    match s {
        Subject::Procedure { code } => ("procedure", Some(code.clone())),
        Subject::Dossier { code } => ("dossier", Some(code.clone())),
        Subject::Feedback { code } => ("feedback", Some(code.clone())),
        Subject::Regulation { name } => ("regulation", Some(name.clone())),
        Subject::StaffBehaviour => ("staff_behaviour", None),
        Subject::Other => ("other", None),
    }
}

fn optional(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A phone number: 9 to 11 digits, an optional leading `+84`.
fn check_contact(c: &Contact) -> Result<(), AppError> {
    if let Some(p) = &c.phone {
        let digits = p.strip_prefix("+84").unwrap_or(p);
        if !(9..=11).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::field(
                "invalid_phone",
                "phone",
                "Số điện thoại gồm 9 đến 11 chữ số.",
            ));
        }
    }
    if let Some(e) = &c.email {
        let ok = e.len() <= 254
            && e.split_once('@').is_some_and(|(a, d)| {
                !a.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
            });
        if !ok {
            return Err(AppError::field(
                "invalid_email",
                "email",
                "Địa chỉ thư điện tử không hợp lệ.",
            ));
        }
    }
    Ok(())
}

/// A new report code: `PA` and the Vietnam date (YYMMDD), then six characters that are hard to
/// mistake for one another (`PA261207-K7M2QX`); not guessable, so a code is the key to follow
/// one's own report.
fn new_code(at: DateTime<Utc>) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("PA{}-{tail}", vietnam_date(at).format("%y%m%d"))
}

/// A commune as a unit id (`2025:commune:00004`); a bare code is a 2025 commune's.
fn commune_id(c: &str) -> String {
    if c.contains(':') {
        c.to_string()
    } else {
        format!("2025:commune:{c}")
    }
}

fn actor_fields(actor: &FeedbackActor) -> (Option<Uuid>, String) {
    match actor {
        FeedbackActor::Person { account } => (*account, "person".into()),
        FeedbackActor::Staff { user, role } => (Some(*user), role.as_str().into()),
    }
}

/// The projection row of a report in `state`.
fn row_of(
    id: Uuid,
    code: &str,
    state: &FeedbackState,
    calendar: &motcua_domain::calendar::Calendar,
) -> Result<FeedbackRow, AppError> {
    let report = state
        .report
        .as_ref()
        .ok_or_else(|| AppError::Internal("a stored report has no submission".into()))?;
    let (subject, subject_code) = subject_key(&report.subject);
    let deadlines = state.deadlines(calendar).map_err(calendar_error)?;
    let place = report.place.as_ref();
    Ok(FeedbackRow {
        id,
        code: code.to_string(),
        agency_id: state.agency.unwrap_or_default(),
        status: state.status,
        category: state.category.unwrap_or(Category::Regulation),
        subject: subject.to_string(),
        subject_code,
        commune: place.and_then(|p| p.commune.clone()),
        lat: place.and_then(|p| p.lat),
        lon: place.and_then(|p| p.lon),
        title: report.title.clone(),
        search: format!(
            " {} {} {}",
            fold_ascii(code),
            fold_ascii(&report.title),
            fold_ascii(&report.content)
        ),
        author_id: state.author,
        submitted_at: state.submitted_at.unwrap_or_else(Utc::now),
        clock_start: state.clock_start.unwrap_or_else(Utc::now),
        handle_by: deadlines.map(|d| d.handle_by),
        approved_at: state.approved_at,
        published_at: state.published_at,
        closed_at: state.closed_at,
        seq: state.version as i32,
        last_hash: String::new(),
        state: serde_json::to_string(state).expect("state serialises"),
        updated_at: Utc::now(),
    })
}

pub fn state_of(row: &FeedbackRow) -> Result<FeedbackState, AppError> {
    serde_json::from_str(&row.state)
        .map_err(|e| AppError::Internal(format!("report {}: {e}", row.code)))
}

/// The due mark of a report on `today`: its handling deadline while open, its publication
/// deadline once approved.
pub fn due_mark(
    state: &FeedbackState,
    calendar: &motcua_domain::calendar::Calendar,
    today: NaiveDate,
) -> DueMark {
    let mark = |key: &str, label: &str| DueMark {
        key: key.into(),
        label: label.into(),
    };
    let Ok(Some(d)) = state.deadlines(calendar) else {
        return mark("", "");
    };
    let by = match state.status {
        s if s.is_open() => d.handle_by,
        FeedbackStatus::AwaitingPublication => match d.publish_by {
            Some(p) => p,
            None => return mark("", ""),
        },
        _ => return mark("", ""),
    };
    let soon = calendar.add_working_days(today, 1).unwrap_or(today);
    if today > by {
        mark("late", "Quá hạn")
    } else if by <= soon {
        mark("due-soon", "Sắp đến hạn")
    } else {
        mark("on-track", "Trong hạn")
    }
}

fn place_view(p: &Option<Place>) -> Option<FeedbackPlace> {
    p.as_ref().map(|p| FeedbackPlace {
        lat: p.lat,
        lon: p.lon,
        commune: p.commune.clone(),
    })
}

/// Every photo of a report: the submission's and the supplements'.
fn all_photos(state: &FeedbackState, events: &[(DateTime<Utc>, FeedbackEvent)]) -> Vec<Photo> {
    let mut out: Vec<Photo> = state
        .report
        .as_ref()
        .map(|r| r.photos.clone())
        .unwrap_or_default();
    for (_, e) in events {
        if let FeedbackEvent::Supplemented { photos, .. } = e {
            out.extend(photos.iter().cloned());
        }
    }
    out
}

fn photo_views(code: &str, photos: &[Photo]) -> Vec<FeedbackPhoto> {
    photos
        .iter()
        .map(|p| FeedbackPhoto {
            sha256: p.sha256.clone(),
            media_type: p.media_type.clone(),
            url: format!("/api/v1/feedback/{code}/photos/{}", p.sha256),
        })
        .collect()
}

fn step_of(
    at: DateTime<Utc>,
    e: &FeedbackEvent,
    agency_name: impl Fn(Uuid) -> String,
) -> FeedbackStep {
    let detail = match e {
        FeedbackEvent::Refused { reason, .. }
        | FeedbackEvent::DraftReturned { reason }
        | FeedbackEvent::Withdrawn { reason } => Some(reason.clone()),
        FeedbackEvent::MoreAsked { what, .. } => Some(what.clone()),
        FeedbackEvent::Transferred {
            to_agency, reason, ..
        } => Some(format!("{}: {reason}", agency_name(*to_agency))),
        FeedbackEvent::Received { category } | FeedbackEvent::Classified { category } => {
            Some(category.label_vi().to_string())
        }
        _ => None,
    };
    FeedbackStep {
        at: format_vn_instant(at),
        kind: e.kind().to_string(),
        label: e.label_vi().to_string(),
        detail,
    }
}

/// The submission's photos, checked and stripped, ready to store.
struct PreparedPhoto {
    photo: Photo,
    bytes: Bytes,
    size: i64,
}

impl App {
    async fn agency_name(&self, id: Uuid) -> (String, String) {
        match self.store.get_agency(id).await {
            Ok(a) => (a.code, a.name),
            Err(_) => (String::new(), String::new()),
        }
    }

    /// Checks each photo as an upload (JPEG or PNG, size, dimensions) and strips its
    /// metadata; the first GPS position found, for a person who lets the place come from it.
    async fn prepare_photos(
        &self,
        photos: Vec<Bytes>,
    ) -> Result<(Vec<PreparedPhoto>, Option<(f64, f64)>), AppError> {
        if photos.len() > MAX_PHOTOS {
            return Err(domain_error(FeedbackError::TooManyPhotos {
                max: MAX_PHOTOS,
            }));
        }
        let mut out = Vec::with_capacity(photos.len());
        let mut gps = None;
        for bytes in photos {
            let (media_type, _) =
                crate::documents::inspect(&bytes, self.config.max_upload_bytes).await?;
            if media_type == MediaType::Pdf {
                return Err(AppError::refused(
                    crate::InvalidKind::UnsupportedType,
                    "unsupported_file_type",
                    "Ảnh gửi kèm phải là tệp JPEG hoặc PNG.",
                ));
            }
            if gps.is_none() {
                gps = photos::gps_of(&bytes);
            }
            let stripped = Bytes::from(photos::strip(media_type, &bytes)?);
            let sha256 = crate::blobs::sha256_hex(&stripped);
            out.push(PreparedPhoto {
                photo: Photo {
                    sha256,
                    media_type: media_type.as_str().to_string(),
                },
                size: stripped.len() as i64,
                bytes: stripped,
            });
        }
        Ok((out, gps))
    }

    /// The unit that receives a report: the one named, else the subject's (the dossier's
    /// agency, an agency applying the procedure — the one serving the commune first —, the
    /// earlier report's unit), else the one serving the commune.
    async fn receiving_unit(
        &self,
        named: Option<&str>,
        subject: &Subject,
        commune: Option<&str>,
    ) -> Result<Uuid, AppError> {
        if let Some(code) = named {
            return Ok(self.agency(code).await?.id);
        }
        let serving = match commune {
            Some(c) => self.store.agencies_serving(c).await?,
            None => Vec::new(),
        };
        match subject {
            Subject::Dossier { code } => {
                return match self.store.dossier_by_code(code).await {
                    Ok(d) => Ok(d.agency_id),
                    Err(DbError::NotFound) => Err(AppError::field(
                        "unknown_dossier",
                        "code",
                        format!("Không tìm thấy hồ sơ có mã {code}."),
                    )),
                    Err(e) => Err(e.into()),
                };
            }
            Subject::Feedback { code } => {
                return match self.store.feedback_by_code(code).await {
                    Ok(f) => Ok(f.agency_id),
                    Err(DbError::NotFound) => Err(AppError::field(
                        "unknown_feedback",
                        "code",
                        format!("Không tìm thấy phản ánh, kiến nghị có mã {code}."),
                    )),
                    Err(e) => Err(e.into()),
                };
            }
            Subject::Procedure { code } => {
                let applying = self.store.agencies_applying(code, 100).await?;
                let first = applying
                    .iter()
                    .find(|a| serving.contains(&a.id))
                    .or(applying.first());
                if let Some(a) = first {
                    return Ok(a.id);
                }
            }
            _ => {}
        }
        serving.first().copied().ok_or_else(|| {
            AppError::field(
                "feedback_unit_unknown",
                "agency",
                "Chưa xác định được cơ quan tiếp nhận: vui lòng chọn cơ quan hoặc xã, phường nơi \
                 phát sinh sự việc.",
            )
        })
    }

    /// Submits a report: from the portal (`caller` a citizen, or `None`: then within the
    /// look-up limit of the address `ip`), at the counter (`caller` a receiving officer of the
    /// unit) or through the API. Photos are checked and stripped; nothing is stored if
    /// anything is refused.
    pub async fn submit_feedback(
        &self,
        caller: Option<&Caller>,
        ip: Option<std::net::IpAddr>,
        input: SubmitFeedback,
        photo_bytes: Vec<Bytes>,
    ) -> Result<FeedbackReceipt, AppError> {
        if caller.is_none() {
            self.limit(ip).await?;
        }
        self.submit_feedback_inner(caller, input, photo_bytes).await
    }

    /// [`App::submit_feedback`] without the anonymous limit (an Open311 client with its key).
    pub(crate) async fn submit_feedback_inner(
        &self,
        caller: Option<&Caller>,
        input: SubmitFeedback,
        photo_bytes: Vec<Bytes>,
    ) -> Result<FeedbackReceipt, AppError> {
        let subject = subject_of(&input)?;
        let contact = Contact {
            name: optional(&input.name),
            phone: optional(&input.phone).map(|p| p.replace([' ', '.', '-'], "")),
            email: optional(&input.email),
        };
        check_contact(&contact)?;
        let (prepared, gps) = self.prepare_photos(photo_bytes).await?;
        let commune = optional(&input.commune).map(|c| commune_id(&c));
        let (lat, lon) = match (input.lat, input.lon) {
            (None, None) if input.place_from_photo => gps.unzip(),
            point => point,
        };
        let place = (lat.is_some() || lon.is_some() || commune.is_some()).then(|| Place {
            lat,
            lon,
            commune: commune.clone(),
        });
        let report = Report {
            subject,
            title: input.title.clone(),
            content: input.content.clone(),
            photos: prepared.iter().map(|p| p.photo.clone()).collect(),
            place,
            contact,
        };
        report.check().map_err(domain_error)?;
        let agency = self
            .receiving_unit(
                optional(&input.agency).as_deref(),
                &report.subject,
                commune.as_deref(),
            )
            .await?;
        let actor = match caller {
            None => FeedbackActor::Person { account: None },
            Some(c) => {
                let scope = ResolvedScope::of(self, agency).await?;
                if c.principal().may(&Action::Receive(scope.scope())) {
                    FeedbackActor::Staff {
                        user: c.user.id,
                        role: Role::ReceivingOfficer,
                    }
                } else {
                    FeedbackActor::Person {
                        account: Some(c.user.id),
                    }
                }
            }
        };
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let now = Utc::now();
        let command = FeedbackCommand {
            at: now,
            actor,
            action: FeedbackAction::Submit { report, agency },
        };
        let (envelopes, state) =
            execute(&FeedbackState::default(), &command, &calendar).map_err(domain_error)?;
        let id = Uuid::now_v7();
        for p in &prepared {
            self.blobs
                .put_if_absent(&p.photo.sha256, p.bytes.clone())
                .await?;
        }
        let links: Vec<FeedbackPhotoLink> = prepared
            .iter()
            .enumerate()
            .map(|(i, p)| FeedbackPhotoLink {
                seq: 1,
                position: i as i32,
                sha256: p.photo.sha256.clone(),
                media_type: p.photo.media_type.clone(),
                size: p.size,
                created_at: now,
            })
            .collect();
        // A code taken already (a one-in-a-billion draw) is drawn again.
        let mut attempt = 0;
        let code = loop {
            let code = new_code(now);
            let write = FeedbackWrite {
                row: row_of(id, &code, &state, &calendar)?,
                events: events_of(&envelopes),
                photos: links.clone(),
                reactions: Vec::new(),
                outbox: notices::outbox(&code, &envelopes, &state),
            };
            match self.store.create_feedback(&write).await {
                Ok(()) => break code,
                Err(DbError::Conflict(Conflict::UniqueViolation { .. })) if attempt < 3 => {
                    attempt += 1
                }
                Err(e) => {
                    for p in &prepared {
                        let removed = crate::documents::remove_unreferenced(
                            self.store.as_ref(),
                            &self.blobs,
                            &p.photo.sha256,
                            Some(p.bytes.clone()),
                        )
                        .await;
                        if let Err(undo) = removed {
                            // Left for `motcua documents gc`.
                            tracing::warn!(sha256 = %p.photo.sha256, error = %undo, "could not remove the photo of a failed report");
                        }
                    }
                    return Err(e.into());
                }
            }
        };
        let (agency_code, agency_name) = self.agency_name(agency).await;
        Ok(FeedbackReceipt {
            code,
            status: state.status.as_str().into(),
            status_label: state.status.label_vi().into(),
            agency: agency_code,
            agency_name,
            handle_by: state
                .deadlines(&calendar)
                .map_err(calendar_error)?
                .map(|d| d.handle_by),
            version: state.version as i32,
        })
    }

    /// Decides `cmd` on the report `code` (a new report when `None`, then `cmd` must be a
    /// submission) and stores its events, projection, reactions and notices in one
    /// transaction, at the command's own instant: the one write path of imports and of tests
    /// that need a report's history on given days. Photos are not handled here (they need
    /// their bytes: [`App::submit_feedback`]). Returns the code and the state after it.
    pub async fn feedback_at(
        &self,
        code: Option<&str>,
        cmd: &FeedbackCommand,
    ) -> Result<(String, FeedbackState), AppError> {
        let row = match code {
            Some(c) => Some(self.feedback_row(c).await?),
            None => None,
        };
        self.commit_feedback(row.as_ref(), cmd).await
    }

    /// [`App::feedback_at`] on the report as read (`row`): stored only if it is still at that
    /// version (409 `stale_version` otherwise).
    async fn commit_feedback(
        &self,
        row: Option<&FeedbackRow>,
        cmd: &FeedbackCommand,
    ) -> Result<(String, FeedbackState), AppError> {
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let state = match row {
            Some(r) => state_of(r)?,
            None => FeedbackState::default(),
        };
        let (envelopes, next) = execute(&state, cmd, &calendar).map_err(domain_error)?;
        if envelopes.is_empty() {
            return Ok((row.map(|r| r.code.clone()).unwrap_or_default(), next));
        }
        let (id, code, seq) = match row {
            Some(r) => (r.id, r.code.clone(), Some(r.seq)),
            None => (Uuid::now_v7(), new_code(cmd.at), None),
        };
        let reactions = envelopes
            .iter()
            .filter_map(|e| match e.event {
                FeedbackEvent::Reacted { account, like } => Some(FeedbackReaction {
                    account_id: account,
                    liked: like,
                    at: e.at,
                }),
                _ => None,
            })
            .collect();
        let write = FeedbackWrite {
            row: row_of(id, &code, &next, &calendar)?,
            events: events_of(&envelopes),
            photos: Vec::new(),
            reactions,
            outbox: notices::outbox(&code, &envelopes, &next),
        };
        match seq {
            Some(seq) => self
                .store
                .append_feedback(seq, &write)
                .await
                .map_err(stale_or)?,
            None => self.store.create_feedback(&write).await?,
        }
        Ok((code, next))
    }

    /// The report `code`: 404 when there is none.
    pub async fn feedback_row(&self, code: &str) -> Result<FeedbackRow, AppError> {
        self.store
            .feedback_by_code(code.trim())
            .await
            .map_err(not_found)
    }

    /// Whether the caller is staff of the unit holding the report (may read it whole).
    async fn feedback_staff(&self, caller: &Caller, row: &FeedbackRow) -> Result<bool, AppError> {
        let scope = ResolvedScope::of(self, row.agency_id).await?;
        Ok(caller.principal().may(&Action::Oversee(scope.scope())))
    }

    /// The roles a caller holds at the report's unit, for staff acts.
    async fn staff_roles(&self, caller: &Caller, agency: Uuid) -> Result<Vec<Role>, AppError> {
        let scope = ResolvedScope::of(self, agency).await?;
        let p = caller.principal();
        let mut roles = Vec::new();
        if p.may(&Action::Approve(scope.scope())) {
            roles.push(Role::Leader);
        }
        if p.may(&Action::Process(scope.scope())) {
            roles.push(Role::Specialist);
        }
        if p.may(&Action::Receive(scope.scope())) {
            roles.push(Role::ReceivingOfficer);
        }
        Ok(roles)
    }

    /// The actors a caller may act as on a report: each staff role at its unit, then the
    /// caller as a person.
    async fn actors(
        &self,
        caller: &Caller,
        row: &FeedbackRow,
    ) -> Result<Vec<FeedbackActor>, AppError> {
        let mut actors: Vec<FeedbackActor> = self
            .staff_roles(caller, row.agency_id)
            .await?
            .into_iter()
            .map(|role| FeedbackActor::Staff {
                user: caller.user.id,
                role,
            })
            .collect();
        actors.push(FeedbackActor::Person {
            account: Some(caller.user.id),
        });
        Ok(actors)
    }

    async fn events_of_row(
        &self,
        row: &FeedbackRow,
    ) -> Result<Vec<(DateTime<Utc>, FeedbackEvent)>, AppError> {
        self.store
            .feedback_events(row.id)
            .await?
            .into_iter()
            .map(|e| {
                serde_json::from_str::<FeedbackEvent>(&e.data)
                    .map(|ev| (e.at, ev))
                    .map_err(|err| {
                        AppError::Internal(format!("event {} of {}: {err}", e.seq, row.code))
                    })
            })
            .collect()
    }

    async fn timeline(
        &self,
        events: &[(DateTime<Utc>, FeedbackEvent)],
    ) -> Result<Vec<FeedbackStep>, AppError> {
        let mut names = std::collections::HashMap::new();
        for (_, e) in events {
            if let FeedbackEvent::Transferred { to_agency, .. } = e
                && !names.contains_key(to_agency)
            {
                names.insert(*to_agency, self.agency_name(*to_agency).await.1);
            }
        }
        Ok(events
            .iter()
            .filter(|(_, e)| !matches!(e, FeedbackEvent::Reacted { .. }))
            .map(|(at, e)| step_of(*at, e, |id| names.get(&id).cloned().unwrap_or_default()))
            .collect())
    }

    /// The report as its unit's staff (with the contact) or its author see it.
    pub async fn feedback_view(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<FeedbackView, AppError> {
        let row = self.feedback_row(code).await?;
        let staff = self.feedback_staff(caller, &row).await?;
        let state = state_of(&row)?;
        if !staff && (state.author.is_none() || state.author != Some(caller.user.id)) {
            return Err(AppError::Forbidden);
        }
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let events = self.events_of_row(&row).await?;
        let report = state
            .report
            .clone()
            .ok_or_else(|| AppError::Internal("a stored report has no submission".into()))?;
        let (agency, agency_name) = self.agency_name(row.agency_id).await;
        let deadlines = state.deadlines(&calendar).map_err(calendar_error)?;
        let (likes, dislikes) = state.reaction_counts();
        let actors = self.actors(caller, &row).await?;
        let now = Utc::now();
        let actions = ACTIONS
            .iter()
            .filter(|(_, probe)| {
                let action = probe();
                allowed_statuses(&action).contains(&state.status)
                    && actors.iter().any(|a| {
                        let cmd = FeedbackCommand {
                            at: now,
                            actor: *a,
                            action: action.clone(),
                        };
                        !matches!(
                            motcua_domain::feedback::decide(&state, &cmd, &calendar),
                            Err(FeedbackError::ActorNotAllowed { .. }
                                | FeedbackError::NotAllowedInState { .. })
                        )
                    })
            })
            .map(|(name, _)| name.to_string())
            .collect();
        Ok(FeedbackView {
            code: row.code.clone(),
            status: row.status.as_str().into(),
            status_label: row.status.label_vi().into(),
            version: row.seq,
            category: row.category.as_str().into(),
            category_label: row.category.label_vi().into(),
            agency,
            agency_name,
            about: row.subject.clone(),
            subject_code: row.subject_code.clone(),
            title: report.title.clone(),
            content: report.content.clone(),
            place: place_view(&report.place),
            photos: photo_views(&row.code, &all_photos(&state, &events)),
            contact: staff.then(|| FeedbackContact {
                name: report.contact.name.clone(),
                phone: report.contact.phone.clone(),
                email: report.contact.email.clone(),
            }),
            submitted_at: format_vn_instant(row.submitted_at),
            deadlines: deadlines.map(|d| FeedbackDeadlines {
                start: d.start,
                refuse_by: d.refuse_by,
                first_supplement_by: d.first_supplement_by,
                handle_by: d.handle_by,
                publish_by: d.publish_by,
            }),
            due: due_mark(&state, &calendar, vietnam_date(now)),
            answer: state.answer.clone(),
            likes,
            dislikes,
            transfers: state.transfers,
            timeline: self.timeline(&events).await?,
            actions,
        })
    }

    async fn limit(&self, ip: Option<std::net::IpAddr>) -> Result<(), AppError> {
        match self.lookup_limiter.check(self.store.as_ref(), ip).await {
            Ok(()) => Ok(()),
            Err(wait) => Err(AppError::TooManyRequests {
                retry_after_secs: wait,
            }),
        }
    }

    /// What anyone with the code sees of a report (within the look-up limit of `ip`).
    pub async fn public_feedback(
        &self,
        ip: Option<std::net::IpAddr>,
        code: &str,
    ) -> Result<PublicFeedback, AppError> {
        self.limit(ip).await?;
        let row = self.feedback_row(code).await?;
        let state = state_of(&row)?;
        let events = self.events_of_row(&row).await?;
        self.public_of(&row, &state, &events).await
    }

    async fn public_of(
        &self,
        row: &FeedbackRow,
        state: &FeedbackState,
        events: &[(DateTime<Utc>, FeedbackEvent)],
    ) -> Result<PublicFeedback, AppError> {
        let published = state.status == FeedbackStatus::Published;
        let report = state
            .report
            .as_ref()
            .ok_or_else(|| AppError::Internal("a stored report has no submission".into()))?;
        let (agency, agency_name) = self.agency_name(row.agency_id).await;
        let (likes, dislikes) = state.reaction_counts();
        Ok(PublicFeedback {
            code: row.code.clone(),
            version: row.seq,
            status: row.status.as_str().into(),
            status_label: row.status.label_vi().into(),
            category: row.category.as_str().into(),
            category_label: row.category.label_vi().into(),
            agency,
            agency_name,
            title: report.title.clone(),
            content: published.then(|| report.content.clone()),
            place: if published {
                place_view(&report.place)
            } else {
                None
            },
            photos: if published {
                photo_views(&row.code, &all_photos(state, events))
            } else {
                Vec::new()
            },
            answer: if published {
                state.answer.clone()
            } else {
                None
            },
            likes,
            dislikes,
            submitted_at: format_vn_instant(row.submitted_at),
            published_at: row.published_at.map(format_vn_instant),
            timeline: self.timeline(events).await?,
        })
    }

    /// The published answers, newest first, by words, unit, category and commune.
    pub async fn published_feedback(
        &self,
        f: &PublishedFilter,
    ) -> Result<FeedbackPage<PublicFeedback>, AppError> {
        let agencies = match optional(&f.agency) {
            Some(code) => vec![self.agency(&code).await?.id],
            None => Vec::new(),
        };
        let q = FeedbackQuery {
            agencies,
            statuses: vec![FeedbackStatus::Published],
            category: optional(&f.category).map(|c| category_of(&c)).transpose()?,
            commune: optional(&f.commune),
            q: search_words(&f.q)?,
            newest_published_first: true,
            limit: f.limit.unwrap_or(20).clamp(1, MAX_PAGE),
            offset: f.offset.unwrap_or(0).max(0),
            ..FeedbackQuery::default()
        };
        let page = self.store.list_feedback(&q).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in &page.items {
            let state = state_of(row)?;
            let events = self.events_of_row(row).await?;
            items.push(self.public_of(row, &state, &events).await?);
        }
        Ok(FeedbackPage {
            items,
            total: page.total,
        })
    }

    /// A staff queue: the reports of the caller's units (or of the one named, which they must
    /// oversee), open ones by handling deadline, with their due marks.
    pub async fn feedback_queue(
        &self,
        caller: &Caller,
        f: &QueueFilter,
    ) -> Result<FeedbackPage<FeedbackQueueItem>, AppError> {
        let agencies = match optional(&f.agency) {
            Some(code) => {
                let a = self.agency(&code).await?;
                let scope = ResolvedScope::of(self, a.id).await?;
                if !caller.principal().may(&Action::Oversee(scope.scope())) {
                    return Err(AppError::Forbidden);
                }
                vec![a.id]
            }
            None => {
                let own: Vec<Uuid> = caller
                    .user
                    .grants
                    .iter()
                    .filter(|g| {
                        matches!(
                            g.role,
                            Role::ReceivingOfficer | Role::Specialist | Role::Leader
                        )
                    })
                    .filter_map(|g| g.agency)
                    .collect();
                if own.is_empty() {
                    return Err(AppError::Forbidden);
                }
                own
            }
        };
        let statuses = match optional(&f.status) {
            Some(s) => vec![FeedbackStatus::parse(&s).ok_or_else(|| {
                AppError::bad_request(
                    "invalid_status",
                    format!("Trạng thái \"{s}\" không hợp lệ."),
                )
            })?],
            None => vec![
                FeedbackStatus::Submitted,
                FeedbackStatus::InProgress,
                FeedbackStatus::AwaitingSupplement,
                FeedbackStatus::AnswerDrafted,
                FeedbackStatus::AwaitingPublication,
            ],
        };
        let page = self
            .store
            .list_feedback(&FeedbackQuery {
                agencies,
                statuses,
                q: search_words(&f.q)?,
                limit: f.limit.unwrap_or(50).clamp(1, MAX_PAGE),
                offset: f.offset.unwrap_or(0).max(0),
                ..FeedbackQuery::default()
            })
            .await?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let today = vietnam_date(Utc::now());
        let mut items = Vec::with_capacity(page.items.len());
        for row in page.items {
            let state = state_of(&row)?;
            items.push(FeedbackQueueItem {
                agency: self.agency_name(row.agency_id).await.0,
                due: due_mark(&state, &calendar, today),
                code: row.code,
                title: row.title,
                status: row.status.as_str().into(),
                status_label: row.status.label_vi().into(),
                category: row.category.as_str().into(),
                submitted_at: format_vn_instant(row.submitted_at),
                handle_by: row.handle_by,
                version: row.seq,
            });
        }
        Ok(FeedbackPage {
            items,
            total: page.total,
        })
    }

    /// An act on a report by a signed-in caller: staff of its unit in the first of their roles
    /// the state machine accepts, or the caller as a person (supplement, withdraw, react).
    pub async fn act_on_feedback(
        &self,
        caller: &Caller,
        code: &str,
        act: FeedbackAct,
    ) -> Result<FeedbackView, AppError> {
        let row = self.feedback_row(code).await?;
        if act.version != row.seq {
            return Err(stale());
        }
        let state = state_of(&row)?;
        let action = self.action_of(&act).await?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let now = Utc::now();
        let actors = self.actors(caller, &row).await?;
        let mut outcome = None;
        for actor in &actors {
            let cmd = FeedbackCommand {
                at: now,
                actor: *actor,
                action: action.clone(),
            };
            match motcua_domain::feedback::decide(&state, &cmd, &calendar) {
                Ok(_) => {
                    outcome = Some(Ok(cmd));
                    break;
                }
                Err(FeedbackError::ActorNotAllowed { .. }) => {}
                Err(e) => {
                    outcome = Some(Err(e));
                    break;
                }
            }
        }
        let cmd = match outcome {
            Some(Ok(cmd)) => cmd,
            Some(Err(e)) => return Err(domain_error(e)),
            None => return Err(AppError::Forbidden),
        };
        let (_, next) = self.commit_feedback(Some(&row), &cmd).await?;
        // The author reacting may not read the staff view of a report of someone else.
        match self.feedback_view(caller, &row.code).await {
            Err(AppError::Forbidden) => Ok(FeedbackView::minimal(&row.code, &next)),
            other => other,
        }
    }

    async fn action_of(&self, act: &FeedbackAct) -> Result<FeedbackAction, AppError> {
        let text = |v: &Option<String>, field: &'static str| {
            v.clone().ok_or_else(|| {
                AppError::field("field_required", field, format!("Vui lòng nhập «{field}»."))
            })
        };
        let category = || {
            category_of(act.category.as_deref().ok_or_else(|| {
                AppError::field("field_required", "category", "Vui lòng chọn phân loại.")
            })?)
        };
        Ok(match act.action.trim() {
            "receive" => FeedbackAction::Receive {
                category: category()?,
            },
            "classify" => FeedbackAction::Classify {
                category: category()?,
            },
            "refuse" => FeedbackAction::Refuse {
                reason: text(&act.reason, "reason")?,
            },
            "transfer" => {
                let to = text(&act.to_agency, "to_agency")?;
                FeedbackAction::Transfer {
                    to_agency: self.agency(to.trim()).await?.id,
                    reason: text(&act.reason, "reason")?,
                }
            }
            "ask_more" => FeedbackAction::AskMore {
                what: text(&act.what, "what")?,
            },
            "supplement" => FeedbackAction::Supplement {
                content: text(&act.content, "content")?,
                photos: Vec::new(),
            },
            "draft_answer" => FeedbackAction::DraftAnswer {
                answer: text(&act.answer, "answer")?,
            },
            "return_draft" => FeedbackAction::ReturnDraft {
                reason: text(&act.reason, "reason")?,
            },
            "approve" => FeedbackAction::Approve,
            "publish" => FeedbackAction::Publish,
            "react" => FeedbackAction::React {
                like: act.like.ok_or_else(|| {
                    AppError::field(
                        "field_required",
                        "like",
                        "Vui lòng chọn thích hoặc không thích.",
                    )
                })?,
            },
            "withdraw" => FeedbackAction::Withdraw {
                reason: text(&act.reason, "reason")?,
            },
            other => {
                return Err(AppError::field(
                    "unknown_action",
                    "action",
                    format!("Thao tác «{other}» không có."),
                ));
            }
        })
    }

    /// A photo of a report: public once the answer is published; before, its unit's staff
    /// and its author only.
    pub async fn feedback_photo(
        &self,
        caller: Option<&Caller>,
        code: &str,
        sha256: &str,
    ) -> Result<(String, Bytes), AppError> {
        let row = self.feedback_row(code).await?;
        let missing = || AppError::NotFound("ảnh");
        if !self.store.feedback_holds_photo(row.id, sha256).await? {
            return Err(missing());
        }
        if row.status != FeedbackStatus::Published {
            let Some(c) = caller else {
                return Err(AppError::Unauthenticated);
            };
            let state = state_of(&row)?;
            if !(self.feedback_staff(c, &row).await? || state.author == Some(c.user.id)) {
                return Err(AppError::Forbidden);
            }
        }
        let state = state_of(&row)?;
        let events = self.events_of_row(&row).await?;
        let media_type = all_photos(&state, &events)
            .into_iter()
            .find(|p| p.sha256 == sha256)
            .map(|p| p.media_type)
            .ok_or_else(missing)?;
        let bytes = self.blobs.get(sha256).await?.ok_or_else(missing)?;
        Ok((media_type, bytes))
    }
}

impl FeedbackView {
    /// The little a person who reacted to someone else's answer is told back.
    fn minimal(code: &str, s: &FeedbackState) -> FeedbackView {
        let (likes, dislikes) = s.reaction_counts();
        FeedbackView {
            code: code.to_string(),
            status: s.status.as_str().into(),
            status_label: s.status.label_vi().into(),
            version: s.version as i32,
            category: String::new(),
            category_label: String::new(),
            agency: String::new(),
            agency_name: String::new(),
            about: String::new(),
            subject_code: None,
            title: s
                .report
                .as_ref()
                .map(|r| r.title.clone())
                .unwrap_or_default(),
            content: String::new(),
            place: None,
            photos: Vec::new(),
            contact: None,
            submitted_at: s.submitted_at.map(format_vn_instant).unwrap_or_default(),
            deadlines: None,
            due: DueMark {
                key: String::new(),
                label: String::new(),
            },
            answer: s.answer.clone(),
            likes,
            dislikes,
            transfers: 0,
            timeline: Vec::new(),
            actions: Vec::new(),
        }
    }
}

/// Every act, with a probe of its action (data that passes the checks), to list the acts a
/// caller may try.
type Probe = fn() -> FeedbackAction;
const ACTIONS: [(&str, Probe); 12] = [
    ("receive", || FeedbackAction::Receive {
        category: Category::Regulation,
    }),
    ("classify", || FeedbackAction::Classify {
        category: Category::StaffBehaviour,
    }),
    ("refuse", || FeedbackAction::Refuse { reason: "x".into() }),
    ("transfer", || FeedbackAction::Transfer {
        to_agency: Uuid::nil(),
        reason: "x".into(),
    }),
    ("ask_more", || FeedbackAction::AskMore { what: "x".into() }),
    ("supplement", || FeedbackAction::Supplement {
        content: "x".into(),
        photos: Vec::new(),
    }),
    ("draft_answer", || FeedbackAction::DraftAnswer {
        answer: "x".into(),
    }),
    ("return_draft", || FeedbackAction::ReturnDraft {
        reason: "x".into(),
    }),
    ("approve", || FeedbackAction::Approve),
    ("publish", || FeedbackAction::Publish),
    ("react", || FeedbackAction::React { like: true }),
    ("withdraw", || FeedbackAction::Withdraw {
        reason: "x".into(),
    }),
];

/// Stored events of a command's envelopes (data: the event as JSON, with its `kind`).
fn events_of(envelopes: &[motcua_domain::feedback::FeedbackEnvelope]) -> Vec<NewEvent> {
    envelopes
        .iter()
        .map(|e| {
            let (actor_id, actor_role) = actor_fields(&e.actor);
            NewEvent {
                at: e.at,
                actor_id,
                actor_role,
                kind: e.event.kind().to_string(),
                data: serde_json::to_string(&e.event).expect("an event serialises"),
            }
        })
        .collect()
}

/// Folded search words (each a prefix of a word), within the search bounds.
fn search_words(q: &Option<String>) -> Result<Option<String>, AppError> {
    let Some(q) = optional(q) else {
        return Ok(None);
    };
    if q.chars().count() > motcua_domain::text::MAX_QUERY_CHARS {
        return Err(AppError::query_too_long());
    }
    Ok(Some(fold_ascii(&q)).filter(|s| !s.is_empty()))
}
