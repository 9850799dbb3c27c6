//! Notices to the applicant: which events are told, to which addresses, written to the outbox in
//! the command's own transaction. The delivery worker ([`crate::notify`]) sends them later.
//!
//! The applicant is told of the receipt, a supplement request (at the check or during
//! processing), a refusal, the apology with its new appointment, a stop and the result being
//! ready. Each event gives one message per address the applicant left: one by e-mail, one by
//! SMS, so each channel is delivered (and retried) on its own and a failed SMS never sends the
//! e-mail twice. A message stores the facts to tell, not its text: the text is written from
//! them when it is sent, with the procedure's and agency's names and the look-up link.

use chrono::{DateTime, NaiveDateTime, Utc};
use motcua_domain::dossier::{DossierState, Event, EventEnvelope};
use motcua_store::OutboxMessage;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::format_vn_instant;

/// The events the applicant is told of (their stable kind names).
pub const NOTIFIED: [&str; 8] = [
    "received",
    "intake_supplement_requested",
    "supplement_requested",
    "supplement_provided",
    "refused",
    "apologized",
    "stopped",
    "result_recorded",
];

/// How a notice reaches the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// What a notice tells, as stored in the outbox (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The one channel of this message. `None` in messages written before channels were split:
    /// those go to every address they carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub to_email: Option<String>,
    #[serde(default)]
    pub to_phone: Option<String>,
    /// The applicant's name.
    #[serde(default)]
    pub name: String,
    /// The dossier code.
    #[serde(default)]
    pub code: Option<String>,
    /// The procedure's code (its name is looked up when the message is written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    /// The code of the agency holding the dossier when the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// When the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// The appointment in force after the event, Vietnam time `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub appointment: Option<String>,
    /// The reason of a supplement request, refusal, apology or stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the applicant must still bring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The number of the result document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
}

impl Notice {
    pub fn parse(payload: &str) -> Result<Notice, String> {
        serde_json::from_str(payload).map_err(|e| format!("unreadable notice: {e}"))
    }

    /// Where this message goes: its channel and address (two for the older messages that
    /// carry both addresses).
    pub fn recipients(&self) -> Vec<(Channel, String)> {
        let email = self.to_email.clone().map(|a| (Channel::Email, a));
        let sms = self.to_phone.clone().map(|p| (Channel::Sms, p));
        match self.channel {
            Some(Channel::Email) => email.into_iter().collect(),
            Some(Channel::Sms) => sms.into_iter().collect(),
            None => email.into_iter().chain(sms).collect(),
        }
    }

    /// The appointment as a Vietnamese reader writes it: `17 giờ 00, ngày 26/11/2026`.
    pub fn appointment_vi(&self) -> Option<String> {
        let text = self.appointment.as_deref()?;
        let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .ok()
            .or_else(|| {
                DateTime::parse_from_rfc3339(text).ok().and_then(|t| {
                    NaiveDateTime::parse_from_str(
                        &format_vn_instant(t.with_timezone(&Utc)),
                        "%Y-%m-%dT%H:%M",
                    )
                    .ok()
                })
            })?;
        Some(t.format("%H giờ %M, ngày %d/%m/%Y").to_string())
    }
}

/// The facts an event adds to its notice: reason, missing documents, result number.
fn facts(event: &Event, notice: &mut Notice) {
    match event {
        Event::IntakeSupplementRequested { reason, missing }
        | Event::SupplementRequested { reason, missing } => {
            notice.reason = Some(reason.clone());
            notice.missing = missing.clone();
        }
        Event::Refused { reason } | Event::Stopped { reason } => {
            notice.reason = Some(reason.clone());
        }
        Event::Apologized { reason, .. } => notice.reason = Some(reason.clone()),
        Event::ResultRecorded { result_code, .. } => {
            notice.result_code = Some(result_code.clone());
        }
        _ => {}
    }
}

/// The notices that follow from a command's events: one message per notified event and per
/// address of the applicant (none when the applicant left neither e-mail nor phone). `due` is
/// the effective appointment after the command (`dossiers::due_of`).
pub fn outbox(
    envelopes: &[EventEnvelope],
    state: &DossierState,
    due: Option<DateTime<Utc>>,
) -> Vec<OutboxMessage> {
    let mut outbox = Vec::new();
    let Some(a) = &state.applicant else {
        return outbox;
    };
    for e in envelopes {
        let kind = e.event.kind();
        if !NOTIFIED.contains(&kind) {
            continue;
        }
        let mut notice = Notice {
            channel: None,
            to_email: None,
            to_phone: None,
            name: a.name.clone(),
            code: state.code.as_ref().map(|c| c.to_string()),
            procedure: state.procedure.as_ref().map(|p| p.code.clone()),
            agency: state.agency.as_ref().map(|c| c.to_string()),
            at: Some(e.at),
            appointment: due.map(format_vn_instant),
            ..Notice::default()
        };
        facts(&e.event, &mut notice);
        let channels = [
            (Channel::Email, a.email.as_ref()),
            (Channel::Sms, a.phone.as_ref()),
        ];
        for (channel, address) in channels {
            let Some(address) = address else { continue };
            let mut n = notice.clone();
            n.channel = Some(channel);
            match channel {
                Channel::Email => n.to_email = Some(address.clone()),
                Channel::Sms => n.to_phone = Some(address.clone()),
            }
            outbox.push(OutboxMessage {
                id: Uuid::now_v7(),
                kind: kind.to_string(),
                payload: serde_json::to_string(&n).expect("a notice serialises"),
            });
        }
    }
    outbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_messages_with_both_addresses_still_read() {
        let n = Notice::parse(
            r#"{"code":"000.00.01.H38-261124-0001","to_email":"a@b.vn","to_phone":"0912345678",
                "name":"Nguyễn Văn A","appointment":"2026-11-26T17:00"}"#,
        )
        .unwrap();
        assert_eq!(
            n.recipients(),
            vec![
                (Channel::Email, "a@b.vn".to_string()),
                (Channel::Sms, "0912345678".to_string())
            ]
        );
        assert_eq!(
            n.appointment_vi().as_deref(),
            Some("17 giờ 00, ngày 26/11/2026")
        );
    }

    #[test]
    fn one_channel_per_message() {
        let n = Notice {
            channel: Some(Channel::Sms),
            to_phone: Some("0912345678".into()),
            ..Notice::default()
        };
        let back = Notice::parse(&serde_json::to_string(&n).unwrap()).unwrap();
        assert_eq!(back.recipients(), vec![(Channel::Sms, "0912345678".into())]);
    }
}

/// A message of the outbox as administrators see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxItem {
    pub id: Uuid,
    /// The dossier's code.
    pub dossier: Option<String>,
    /// The event told: received, intake_supplement_requested, supplement_requested, refused,
    /// apologized, stopped, result_recorded.
    pub kind: String,
    /// `email` or `sms`; absent for older messages sent to every address they carry.
    pub channel: Option<Channel>,
    /// The address or phone number.
    pub to: Option<String>,
    /// pending, sent, failed or skipped.
    pub status: String,
    /// Attempts started.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// When a pending message is attempted next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When a failed or skipped message was given up.
    pub failed_at: Option<DateTime<Utc>>,
    /// The last error, or why it was skipped.
    pub last_error: Option<String>,
}

impl OutboxItem {
    pub fn of(row: &motcua_store::OutboxRow) -> OutboxItem {
        let notice = Notice::parse(&row.payload).unwrap_or_default();
        let to = notice
            .recipients()
            .into_iter()
            .map(|(_, a)| a)
            .collect::<Vec<_>>()
            .join(", ");
        let pending = row.status == motcua_store::OutboxStatus::Pending;
        OutboxItem {
            id: row.id,
            dossier: notice.code.clone(),
            kind: row.kind.clone(),
            channel: notice.channel,
            to: Some(to).filter(|t| !t.is_empty()),
            status: row.status.as_str().to_string(),
            attempts: row.attempts,
            created_at: row.created_at,
            next_attempt_at: pending.then_some(row.next_attempt_at),
            sent_at: row.sent_at,
            failed_at: row.failed_at,
            last_error: row.last_error.clone(),
        }
    }
}

/// The notices' queue as the system administrators see it.
impl crate::state::App {
    /// A page of the outbox, optionally of one status and of one dossier (by its code).
    pub async fn list_notices(
        &self,
        caller: &crate::auth::Caller,
        status: Option<motcua_store::OutboxStatus>,
        dossier_code: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<motcua_store::Page<motcua_store::OutboxRow>, crate::AppError> {
        crate::auth::require(caller, motcua_domain::auth::Action::ManageNotices)?;
        let dossier_id = match dossier_code {
            Some(code) => Some(self.dossier(code).await?.id),
            None => None,
        };
        Ok(self
            .store
            .list_outbox(&motcua_store::OutboxQuery {
                status,
                dossier_id,
                limit,
                offset,
            })
            .await?)
    }

    /// Puts a failed or skipped notice back in the queue, due now (see the API's retry).
    pub async fn retry_notice(
        &self,
        caller: &crate::auth::Caller,
        id: Uuid,
    ) -> Result<motcua_store::OutboxRow, crate::AppError> {
        use motcua_store::{Conflict, DbError};
        crate::auth::require(caller, motcua_domain::auth::Action::ManageNotices)?;
        self.store
            .retry_outbox(id, Utc::now())
            .await
            .map_err(|e| match e {
                DbError::NotFound => crate::AppError::NotFound("thông báo"),
                DbError::Conflict(Conflict::OutboxSent) => crate::AppError::conflict(
                    "notice_already_sent",
                    "Thông báo này đã được gửi; hệ thống không gửi lại lần thứ hai.",
                ),
                DbError::Conflict(_) => crate::AppError::conflict(
                    "notice_in_flight",
                    "Thông báo này đang được gửi. Vui lòng xem lại sau ít phút.",
                ),
                e => e.into(),
            })
    }
}
