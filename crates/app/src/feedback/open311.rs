//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>) over citizen feedback, and
//! FixMyStreet's `servicerequestupdates` extension: the services (one per subject a report
//! may be about), service requests read and posted, tokens, and the status updates. The web
//! crate renders these as the spec's JSON or XML; the field names here are the spec's.
//!
//! - A service request is a report; its id is the report's code, its token the report's id.
//! - `jurisdiction_id`, when it names an agency's code, is the unit that receives a posted
//!   request; otherwise the unit is found as for any report (subject, commune).
//! - Posting needs an `api_key` among those configured (`open311_api_keys`).
//! - What anyone may read is what the public page shows: description, place and media only
//!   once the answer is published; never the contact.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use motcua_domain::feedback::{FeedbackEvent, FeedbackStatus};
use motcua_store::{FeedbackQuery, FeedbackRow};
use serde::Serialize;

use super::{SubmitFeedback, state_of};
use crate::error::AppError;
use crate::state::App;

/// Most requests one GET returns.
pub const MAX_REQUESTS: i64 = 1000;
/// The longest date range of a GET (the spec's 90 days).
pub const MAX_RANGE_DAYS: i64 = 90;

/// An Open311 error: its HTTP status (also its `code`) and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

impl Open311Error {
    fn new(code: u16, description: impl Into<String>) -> Self {
        Open311Error {
            code,
            description: description.into(),
        }
    }
}

impl From<AppError> for Open311Error {
    fn from(e: AppError) -> Self {
        let code = match &e {
            AppError::NotFound(_) => 404,
            AppError::Forbidden | AppError::Unauthenticated => 403,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unavailable(_)
            | AppError::StorageFull(_)
            | AppError::DocumentsUnavailable(_)
            | AppError::Internal(_) => 500,
            _ => 400,
        };
        let description = match &e {
            AppError::Invalid { field: Some(f), .. } => format!("{}: {}", f, e.message_vi()),
            _ => e.message_vi(),
        };
        Open311Error::new(code, description)
    }
}

/// (service_code, service_name, description, needs the `code` attribute, group).
const SERVICES: [(&str, &str, &str, bool, &str); 6] = [
    (
        "other",
        "Phản ánh khác",
        "Hạ tầng, môi trường, trật tự và các vấn đề khác, theo nơi xảy ra.",
        false,
        "phan-anh",
    ),
    (
        "procedure",
        "Thủ tục hành chính",
        "Phản ánh, kiến nghị về một thủ tục hành chính (mã thủ tục).",
        true,
        "thu-tuc",
    ),
    (
        "dossier",
        "Hồ sơ thủ tục hành chính",
        "Phản ánh về việc giải quyết một hồ sơ (mã hồ sơ).",
        true,
        "thu-tuc",
    ),
    (
        "regulation",
        "Quy định hành chính",
        "Phản ánh, kiến nghị về một quy định hành chính.",
        false,
        "quy-dinh",
    ),
    (
        "staff_behaviour",
        "Hành vi, thái độ của cán bộ",
        "Phản ánh về hành vi, thái độ của cán bộ, công chức.",
        false,
        "can-bo",
    ),
    (
        "feedback",
        "Việc xử lý phản ánh",
        "Phản ánh về việc xử lý một phản ánh, kiến nghị trước đó (mã phản ánh).",
        true,
        "phan-anh",
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`: a request is a report at once.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: String,
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// A service request as GET /requests answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to a POST.
#[derive(Debug, Clone, Serialize)]
pub struct PostedRequest {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Token {
    pub service_request_id: String,
    pub token: String,
}

/// One status update (FixMyStreet's `servicerequestupdates`).
#[derive(Debug, Clone, Serialize)]
pub struct RequestUpdate {
    pub update_id: String,
    pub service_request_id: String,
    /// `open` or `closed`, after the update.
    pub status: String,
    pub updated_datetime: String,
    pub description: String,
    pub media_url: Option<String>,
}

/// The filters of GET /requests, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RequestFilter {
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub status: Option<String>,
    pub jurisdiction_id: Option<String>,
}

/// A POST /requests form, as sent (`attribute[code]` and `attribute[commune]` read into
/// `attributes`).
#[derive(Debug, Clone, Default)]
pub struct PostForm {
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub attributes: Vec<(String, String)>,
}

fn w3(t: DateTime<Utc>) -> String {
    t.with_timezone(&motcua_domain::vn_time::offset())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn parse_w3(field: &str, s: &str) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Open311Error::new(
                400,
                format!("{field} must be a W3C datetime, e.g. 2026-01-01T00:00:00Z"),
            )
        })
}

fn open_or_closed(s: FeedbackStatus) -> &'static str {
    if matches!(
        s,
        FeedbackStatus::Published | FeedbackStatus::Refused | FeedbackStatus::Withdrawn
    ) {
        "closed"
    } else {
        "open"
    }
}

fn service_of(
    code: &str,
) -> Option<&'static (&'static str, &'static str, &'static str, bool, &'static str)> {
    SERVICES.iter().find(|s| s.0 == code)
}

/// A jurisdiction is any short text; one naming an agency is also the receiving unit.
fn check_jurisdiction(j: &Option<String>) -> Result<(), Open311Error> {
    match j {
        Some(j) if j.chars().count() > 100 => {
            Err(Open311Error::new(400, "jurisdiction_id is too long"))
        }
        _ => Ok(()),
    }
}

impl App {
    pub fn open311_services(
        &self,
        jurisdiction: &Option<String>,
    ) -> Result<Vec<Service>, Open311Error> {
        check_jurisdiction(jurisdiction)?;
        Ok(SERVICES
            .iter()
            .map(|(code, name, description, metadata, group)| Service {
                service_code: code.to_string(),
                service_name: name.to_string(),
                description: description.to_string(),
                metadata: *metadata,
                kind: "realtime".into(),
                keywords: format!("phản ánh, kiến nghị, {group}"),
                group: group.to_string(),
            })
            .collect())
    }

    pub fn open311_service(
        &self,
        code: &str,
        jurisdiction: &Option<String>,
    ) -> Result<ServiceDefinition, Open311Error> {
        check_jurisdiction(jurisdiction)?;
        let s = service_of(code)
            .ok_or_else(|| Open311Error::new(404, format!("service_code {code} not found")))?;
        let mut attributes = Vec::new();
        if s.3 {
            attributes.push(Attribute {
                variable: true,
                code: "code".into(),
                datatype: "string".into(),
                required: true,
                datatype_description: "Mã thủ tục, hồ sơ hoặc phản ánh".into(),
                order: 1,
                description: "Mã của đối tượng được phản ánh".into(),
                values: Vec::new(),
            });
        }
        attributes.push(Attribute {
            variable: true,
            code: "commune".into(),
            datatype: "string".into(),
            required: false,
            datatype_description: "Mã xã, phường (đơn vị hành chính 2025)".into(),
            order: 2,
            description: "Xã, phường nơi xảy ra".into(),
            values: Vec::new(),
        });
        Ok(ServiceDefinition {
            service_code: s.0.to_string(),
            attributes,
        })
    }

    async fn request_of(&self, row: &FeedbackRow) -> Result<ServiceRequest, Open311Error> {
        let state = state_of(row)?;
        let published = row.status == FeedbackStatus::Published;
        let report = state
            .report
            .as_ref()
            .ok_or_else(|| Open311Error::new(500, "a stored report has no submission"))?;
        let agency = self
            .store
            .get_agency(row.agency_id)
            .await
            .map(|a| a.name)
            .unwrap_or_default();
        let service = service_of(&row.subject)
            .map(|s| s.1)
            .unwrap_or("Phản ánh khác");
        let base = self.config.public_url.trim_end_matches('/');
        Ok(ServiceRequest {
            service_request_id: row.code.clone(),
            status: open_or_closed(row.status).into(),
            status_notes: if published {
                state.answer.clone()
            } else {
                Some(row.status.label_vi().to_string())
            },
            service_name: service.to_string(),
            service_code: row.subject.clone(),
            description: published.then(|| report.content.clone()),
            agency_responsible: agency,
            service_notice: None,
            requested_datetime: w3(row.submitted_at),
            updated_datetime: w3(row.updated_at),
            expected_datetime: row.handle_by.map(|d| {
                w3(motcua_domain::vn_time::instant(
                    d,
                    chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
                ))
            }),
            address: None,
            address_id: if published { row.commune.clone() } else { None },
            zipcode: None,
            lat: if published { row.lat } else { None },
            long: if published { row.lon } else { None },
            media_url: if published {
                report
                    .photos
                    .first()
                    .map(|p| format!("{base}/api/v1/feedback/{}/photos/{}", row.code, p.sha256))
            } else {
                None
            },
        })
    }

    /// GET /requests: by ids (which override every other filter), else by service codes,
    /// status and the submission range (the last 90 days by default, at most 90 days).
    pub async fn open311_requests(
        &self,
        f: &RequestFilter,
    ) -> Result<Vec<ServiceRequest>, Open311Error> {
        check_jurisdiction(&f.jurisdiction_id)?;
        let list = |s: &Option<String>| -> Vec<String> {
            s.as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        };
        let ids = list(&f.service_request_id);
        let mut out = Vec::new();
        if !ids.is_empty() {
            if ids.len() > 100 {
                return Err(Open311Error::new(400, "at most 100 service_request_id"));
            }
            for id in ids {
                match self.store.feedback_by_code(&id).await {
                    Ok(row) => out.push(self.request_of(&row).await?),
                    Err(motcua_store::DbError::NotFound) => {}
                    Err(e) => return Err(AppError::from(e).into()),
                }
            }
            return Ok(out);
        }
        let subjects = list(&f.service_code);
        if let Some(bad) = subjects.iter().find(|c| service_of(c).is_none()) {
            return Err(Open311Error::new(
                404,
                format!("service_code {bad} not found"),
            ));
        }
        let now = Utc::now();
        let end = match &f.end_date {
            Some(s) => parse_w3("end_date", s)?,
            None => now,
        };
        let start = match &f.start_date {
            Some(s) => parse_w3("start_date", s)?,
            None => end - Duration::days(MAX_RANGE_DAYS),
        };
        if end < start || end - start > Duration::days(MAX_RANGE_DAYS) {
            return Err(Open311Error::new(
                400,
                "start_date and end_date must span at most 90 days",
            ));
        }
        let statuses = match f.status.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(s) => {
                let mut out = Vec::new();
                for part in s.split(',').map(str::trim) {
                    match part {
                        "open" => out.extend([
                            FeedbackStatus::Submitted,
                            FeedbackStatus::InProgress,
                            FeedbackStatus::AwaitingSupplement,
                            FeedbackStatus::AnswerDrafted,
                            FeedbackStatus::AwaitingPublication,
                        ]),
                        "closed" => out.extend([
                            FeedbackStatus::Published,
                            FeedbackStatus::Refused,
                            FeedbackStatus::Withdrawn,
                        ]),
                        other => {
                            return Err(Open311Error::new(
                                400,
                                format!("status {other}: use open or closed"),
                            ));
                        }
                    }
                }
                out
            }
        };
        let page = self
            .store
            .list_feedback(&FeedbackQuery {
                statuses,
                subjects,
                submitted_from: Some(start),
                // The end is inclusive.
                submitted_to: Some(end + Duration::seconds(1)),
                limit: MAX_REQUESTS,
                ..FeedbackQuery::default()
            })
            .await
            .map_err(AppError::from)?;
        for row in &page.items {
            out.push(self.request_of(row).await?);
        }
        Ok(out)
    }

    /// GET /requests/{id}: one request (404 when there is none).
    pub async fn open311_request(
        &self,
        id: &str,
        jurisdiction: &Option<String>,
    ) -> Result<ServiceRequest, Open311Error> {
        check_jurisdiction(jurisdiction)?;
        let row = self
            .store
            .feedback_by_code(id.trim())
            .await
            .map_err(|e| match e {
                motcua_store::DbError::NotFound => {
                    Open311Error::new(404, format!("service_request_id {id} not found"))
                }
                e => AppError::from(e).into(),
            })?;
        self.request_of(&row).await
    }

    /// GET /tokens/{token}.
    pub async fn open311_token(
        &self,
        token: &str,
        jurisdiction: &Option<String>,
    ) -> Result<Token, Open311Error> {
        check_jurisdiction(jurisdiction)?;
        let missing = || Open311Error::new(404, format!("token {token} not found"));
        let id = uuid::Uuid::parse_str(token.trim()).map_err(|_| missing())?;
        let row = self.store.feedback_by_id(id).await.map_err(|_| missing())?;
        Ok(Token {
            service_request_id: row.code,
            token: row.id.to_string(),
        })
    }

    /// POST /requests: a report from a client holding one of the configured API keys.
    pub async fn open311_post(&self, form: PostForm) -> Result<PostedRequest, Open311Error> {
        let key = form.api_key.as_deref().unwrap_or_default();
        let known = !key.is_empty()
            && self
                .config
                .open311_api_keys
                .iter()
                .any(|k| crate::auth::same_secret(k, key));
        if !known {
            return Err(Open311Error::new(403, "api_key is missing or not valid"));
        }
        check_jurisdiction(&form.jurisdiction_id)?;
        let service = form
            .service_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Open311Error::new(400, "service_code is required"))?;
        let service = service_of(service)
            .ok_or_else(|| Open311Error::new(404, format!("service_code {service} not found")))?;
        let description = form
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| Open311Error::new(400, "description is required"))?;
        let number = |field: &str, v: &Option<String>| -> Result<Option<f64>, Open311Error> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>()
                        .map_err(|_| Open311Error::new(400, format!("{field} must be a number")))
                })
                .transpose()
        };
        let lat = number("lat", &form.lat)?;
        let lon = number("long", &form.long)?;
        let attr = |name: &str| {
            form.attributes
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let commune = attr("commune").or_else(|| form.address_id.clone());
        if lat.is_none() && commune.is_none() && form.address_string.is_none() {
            return Err(Open311Error::new(
                400,
                "a location is required: lat and long, address_id (a commune's code) or address_string",
            ));
        }
        let agency = match &form.jurisdiction_id {
            Some(j) => match self.store.get_agency_by_code(j.trim()).await {
                Ok(a) => Some(a.code),
                Err(_) => None,
            },
            None => None,
        };
        let mut content = description.trim().to_string();
        if let Some(a) = form
            .address_string
            .as_deref()
            .filter(|a| !a.trim().is_empty())
        {
            content.push_str(&format!("\nĐịa chỉ: {}", a.trim()));
        }
        let title: String = description.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = match title.char_indices().nth(100) {
            Some((i, _)) => format!("{}…", &title[..i]),
            None => title,
        };
        let name = [&form.first_name, &form.last_name]
            .iter()
            .filter_map(|s| s.as_deref().map(str::trim).filter(|s| !s.is_empty()))
            .collect::<Vec<_>>()
            .join(" ");
        let input = SubmitFeedback {
            about: service.0.to_string(),
            code: attr("code"),
            regulation: (service.0 == "regulation").then(|| title.clone()),
            title,
            content,
            lat,
            lon,
            commune,
            place_from_photo: false,
            name: Some(name).filter(|n| !n.is_empty()),
            phone: form.phone.clone().filter(|p| !p.trim().is_empty()),
            email: form.email.clone().filter(|e| !e.trim().is_empty()),
            agency,
        };
        let receipt = self.submit_feedback_inner(None, input, Vec::new()).await?;
        let row = self
            .store
            .feedback_by_code(&receipt.code)
            .await
            .map_err(AppError::from)?;
        Ok(PostedRequest {
            service_request_id: receipt.code,
            token: row.id.to_string(),
            service_notice: match receipt.handle_by {
                Some(d) => format!(
                    "{} tiếp nhận; hạn xử lý {}",
                    receipt.agency_name,
                    d.format("%d/%m/%Y")
                ),
                None => receipt.agency_name,
            },
            account_id: None,
        })
    }

    /// FixMyStreet's `servicerequestupdates`: the updates between two instants (the last
    /// day by default), oldest first.
    pub async fn open311_updates(
        &self,
        start: &Option<String>,
        end: &Option<String>,
        jurisdiction: &Option<String>,
    ) -> Result<Vec<RequestUpdate>, Open311Error> {
        check_jurisdiction(jurisdiction)?;
        let end = match end {
            Some(s) => parse_w3("end_date", s)?,
            None => Utc::now(),
        };
        let start = match start {
            Some(s) => parse_w3("start_date", s)?,
            None => end - Duration::days(1),
        };
        if end < start || end - start > Duration::days(MAX_RANGE_DAYS) {
            return Err(Open311Error::new(
                400,
                "start_date and end_date must span at most 90 days",
            ));
        }
        let events = self
            .store
            .feedback_events_between(start, end + Duration::seconds(1), MAX_REQUESTS)
            .await
            .map_err(AppError::from)?;
        let mut out = Vec::new();
        for (code, e) in events {
            let Ok(event) = serde_json::from_str::<FeedbackEvent>(&e.data) else {
                continue;
            };
            let (status, description) = match &event {
                FeedbackEvent::Submitted { .. } | FeedbackEvent::Reacted { .. } => continue,
                FeedbackEvent::Published { .. } => {
                    let answer = match self.store.feedback_by_code(&code).await {
                        Ok(row) => state_of(&row)?.answer.unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    ("closed", answer)
                }
                FeedbackEvent::Refused { .. } | FeedbackEvent::Withdrawn { .. } => {
                    ("closed", event.label_vi().to_string())
                }
                _ => ("open", event.label_vi().to_string()),
            };
            out.push(RequestUpdate {
                update_id: format!("{code}-{}", e.seq),
                service_request_id: code,
                status: status.into(),
                updated_datetime: w3(e.at),
                description,
                media_url: None,
            });
        }
        Ok(out)
    }
}
