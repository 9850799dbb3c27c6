//! The one-stop desk (Bộ phận Một cửa) for receiving officers: the desk's home with its lists,
//! receiving a dossier at the counter ([`intake`]: the procedure picker, the applicant, the
//! components checklist with scans, and the three outcomes of the check), the dossier's result
//! page with its official forms in a print view ([`desk`]), returning results with the fee
//! ([`returns`]) and the day's register ([`register`]).
//!
//! Handlers are thin: every state change goes through the same application services as the
//! JSON API (`App::lodge` / `lodge_for_check` / `act` / `upload_document`), so authorisation
//! and the state machine's rules are the API's.

pub(crate) mod desk;
pub(crate) mod intake;
pub(crate) mod register;
pub(crate) mod returns;
// Verifying a citizen account at the counter (#20).
pub(crate) mod verify;

use std::collections::BTreeMap;

use motcua_domain::catalogue::Channel;
use motcua_store::{Agency, DossierRow};

use super::form::{OrPage, UiError};
use super::kit::{Ctx, Page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The largest intake form (several scans): each file is still held to `max_upload_bytes`.
pub(crate) const INTAKE_BODY_LIMIT: usize = 100 * 1024 * 1024;

/// The agencies whose desk the caller staffs (grants as receiving officer).
pub(crate) use motcua_app::auth::desk_agency_ids;

pub(crate) async fn desk_agencies(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<Agency>, ApiError> {
    Ok(motcua_app::auth::desk_agencies(state, caller).await?)
}

/// The receiving officer asking and the agencies of their desk, or the page that answers
/// instead (sign in, 403, an error).
pub(crate) async fn desk(ctx: &Ctx) -> Result<(Caller, Vec<Agency>), UiError> {
    let caller = ctx.counter()?.clone();
    let agencies = desk_agencies(&ctx.state, &caller).await.or_page(ctx)?;
    Ok((caller, agencies))
}

/// A dossier status key (`received`) in Vietnamese.
pub(crate) fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "Trực tiếp",
        Channel::Postal => "Qua bưu chính công ích",
        Channel::Online => "Trực tuyến",
    }
}

/// Procedure names by code, read once per request.
#[derive(Default)]
pub(crate) struct Names(BTreeMap<String, String>);

impl Names {
    pub(crate) async fn of(&mut self, state: &AppState, code: &str) -> String {
        if let Some(n) = self.0.get(code) {
            return n.clone();
        }
        let name = state.procedure_name(code).await;
        self.0.insert(code.to_string(), name.clone());
        name
    }
}

/// One dossier in a desk list.
pub(crate) struct Line {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: String,
    pub channel: &'static str,
    pub received_at: String,
    pub appointment: String,
    pub status: String,
    pub status_label: &'static str,
    /// `late` when the appointment has passed (open dossiers).
    pub late: bool,
}

pub(crate) async fn lines(
    state: &AppState,
    p: &Page,
    rows: &[DossierRow],
    names: &mut Names,
) -> Vec<Line> {
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Line {
            code: r.code.clone(),
            procedure_code: r.procedure_code.clone(),
            procedure_name: names.of(state, &r.procedure_code).await,
            applicant: r.applicant_name.clone(),
            channel: channel_label(r.channel),
            received_at: r.received_at.map(|t| p.datetime(&t)).unwrap_or_default(),
            appointment: r.appointment.map(|t| p.datetime(&t)).unwrap_or_default(),
            status: r.status.as_str().to_string(),
            status_label: r.status.label_vi(),
            late: r.returned_at.is_none()
                && r.finished_at.is_none()
                && r.appointment.is_some_and(|a| {
                    motcua_domain::dossier::timeliness::overdue_at(a, r.paused_at, now)
                }),
        });
    }
    out
}

/// Field errors of a form: the field's name → the Vietnamese message shown next to it.
#[derive(Default)]
pub(crate) struct Errors(BTreeMap<String, String>);

impl Errors {
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub(crate) fn set(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The status of a page showing these mistakes: 422 when there are any.
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
}

/// `50.000` from a typed amount in đồng (`50.000`, `50000`, `50 000 đ`); `None` if not a number.
pub(crate) fn parse_vnd(s: &str) -> Option<u64> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}' | 'đ' | 'Đ'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_the_vietnamese_way() {
        assert_eq!(parse_vnd("50.000"), Some(50_000));
        assert_eq!(parse_vnd("1.250.000 đ"), Some(1_250_000));
        assert_eq!(parse_vnd("abc"), None);
        assert_eq!(parse_vnd(""), None);
    }
}
