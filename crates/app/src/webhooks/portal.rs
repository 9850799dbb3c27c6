//! National portal sync (Cổng Dịch vụ công quốc gia): for every received dossier and every
//! status change, the dossier-sync record ([`SyncRecord`]) as the state stands after the
//! event, written to the outbox in the event's transaction (`integration.portal`). The worker
//! sends it to the configured endpoint as a delivery of the built-in portal subscription
//! ([`PORTAL_ID`]), with the same back-off and log as the webhooks; the log of one dossier is its
//! sync log, and the index's indicator 1.4 is computed from it ([`App::portal_sync_counts`]).

use chrono::{DateTime, Utc};
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::{DossierState, EventEnvelope, PaymentMethod, ResultForm, Status};
use motcua_integrations::portal::{Component, SyncRecord};
use motcua_store::{DeliveryQuery, KIND_PORTAL, OutboxMessage, WebhookDelivery};
use uuid::Uuid;

use crate::auth::{Caller, require};
use crate::{App, AppError};

/// The built-in subscription the portal's deliveries belong to (made by the worker when a
/// portal endpoint is configured; never listed with the webhooks).
pub const PORTAL_ID: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0766);

/// The portal's name of a status.
pub fn portal_status(s: Status) -> &'static str {
    match s {
        Status::Empty | Status::Submitted => "Chờ tiếp nhận",
        Status::AwaitingIntakeSupplement | Status::AwaitingSupplement => "Yêu cầu bổ sung hồ sơ",
        Status::Refused => "Từ chối",
        Status::Received => "Đã tiếp nhận",
        Status::Processing | Status::Approved | Status::Rejected => "Đang xử lý",
        Status::Stopped => "Dừng xử lý",
        Status::Done => "Đã xử lý xong",
        Status::Returned => "Đã trả kết quả",
        Status::Withdrawn => "Công dân yêu cầu rút hồ sơ",
    }
}

/// Vietnam time as the portal writes it: `yyyyMMddHHmmss`.
pub fn portal_time(t: DateTime<Utc>) -> String {
    motcua_domain::vn_time::local(t)
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// The record of `state` after the event `kind` (`due`: the appointment after it).
pub fn record(state: &DossierState, kind: &str, due: Option<DateTime<Utc>>) -> SyncRecord {
    let code = state
        .code
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let channel = match state.channel {
        Some(Channel::Online) => 2,
        Some(Channel::Postal) => 3,
        _ => 1,
    };
    let paid_online = if state
        .payments
        .iter()
        .any(|p| p.method == PaymentMethod::Online)
    {
        2
    } else {
        0
    };
    let (result_code, result_link) = match &state.result {
        Some(r) => {
            let link = match &r.form {
                ResultForm::Electronic { file_ref } if file_ref.starts_with("http") => {
                    Some(file_ref.clone())
                }
                ResultForm::Electronic { file_ref } => {
                    Some(format!("/api/v1/dossiers/{code}/documents/{file_ref}"))
                }
                ResultForm::Paper => None,
            };
            (Some(r.result_code.clone()), link)
        }
        None => (None, None),
    };
    let components: Vec<Component> = state
        .documents
        .iter()
        .map(|d| Component {
            name: d.component.clone(),
            digitised: 1,
            reused: u8::from(d.source.is_reused()),
        })
        .collect();
    SyncRecord {
        code,
        procedure: state
            .procedure
            .as_ref()
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        agency: state
            .agency
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        channel,
        submitted: state.submitted_at.map(portal_time),
        received: state.received_at.map(portal_time),
        appointment: due.or(state.appointment).map(portal_time),
        status: portal_status(state.status).to_string(),
        status_key: state.status.as_str().to_string(),
        finished: state.finished_at.map(portal_time),
        paid_online,
        result_code,
        result_link,
        has_digitised: u8::from(!components.is_empty()),
        components,
        postal_tracking: state.postage.as_ref().map(|p| p.tracking_no.clone()),
        postal_fee_vnd: state.postage.as_ref().map(|p| p.fee_vnd),
        event: kind.to_string(),
    }
}

/// The portal messages of a command's events: one record per event, each as the state stood
/// after it (the records of several events of one command differ only in `SuKien` except the
/// last, which is what the portal keeps).
pub fn outbox(
    dossier_id: Uuid,
    envelopes: &[EventEnvelope],
    state: &DossierState,
    due: Option<DateTime<Utc>>,
) -> Vec<OutboxMessage> {
    envelopes
        .iter()
        .map(|e| {
            let body = serde_json::json!({
                "id": motcua_integrations::webhook::dossier_event_id(dossier_id, i64::from(e.seq)),
                "record": record(state, e.event.kind(), due),
            });
            OutboxMessage {
                id: Uuid::now_v7(),
                kind: KIND_PORTAL.to_string(),
                payload: body.to_string(),
            }
        })
        .collect()
}

impl App {
    /// A dossier's sync log with the national portal (system administrators), newest first.
    pub async fn portal_sync_log(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<Vec<WebhookDelivery>, AppError> {
        require(caller, motcua_domain::auth::Action::ManageNotices)?;
        let row = self.dossier(code).await?;
        Ok(self
            .store
            .list_deliveries(&DeliveryQuery {
                subscription_id: Some(PORTAL_ID),
                subject: Some(row.code.clone()),
                status: None,
                limit: 500,
                offset: 0,
            })
            .await?
            .items)
    }
}

/// Indicator 1.4's numerator and denominator for `unit` over `period`: the dossiers received
/// in the period under the unit whose records the portal acknowledged, and all of them.
/// `None` while no portal sync is configured (the indicator stays without data).
pub async fn synced(
    store: &dyn motcua_store::Store,
    unit: Uuid,
    period: &crate::stats::Period,
) -> Result<Option<(i64, i64)>, AppError> {
    match store.webhook(PORTAL_ID).await {
        Ok(_) => {}
        Err(motcua_store::DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let from = motcua_domain::vn_time::midnight(period.from);
    Ok(Some(
        store
            .synced_dossiers(PORTAL_ID, unit, from, period.end())
            .await?,
    ))
}
