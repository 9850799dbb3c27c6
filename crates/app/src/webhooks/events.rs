//! The outbox messages for other systems that a dossier command writes, in its own transaction:
//! one `integration.webhook` message per event, carrying the CloudEvent (its `source` is set by
//! the worker from the configuration). The data holds no personal data of the applicant: the
//! code, what happened, the status, the channel, the dates and the agency and procedure.

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{DossierState, EventEnvelope};
use motcua_integrations::webhook::{CloudEvent, DossierRef, dossier_event_id};
use motcua_store::{KIND_WEBHOOK, OutboxMessage};
use serde_json::json;
use uuid::Uuid;

/// The webhook messages of a command's events (`due`: the appointment after the command).
pub fn outbox(
    dossier_id: Uuid,
    envelopes: &[EventEnvelope],
    state: &DossierState,
    due: Option<DateTime<Utc>>,
) -> Vec<OutboxMessage> {
    let code = state
        .code
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let agency = state
        .agency
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let procedure = state
        .procedure
        .as_ref()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    envelopes
        .iter()
        .map(|e| {
            let kind = e.event.kind();
            let data = json!({
                "code": code,
                "event": kind,
                "seq": e.seq,
                "status": state.status,
                "channel": state.channel,
                "received_at": state.received_at,
                "appointment": due,
                "returned_at": state.returned_at,
            });
            let event = CloudEvent::dossier(
                dossier_event_id(dossier_id, i64::from(e.seq)),
                "",
                kind,
                e.at,
                DossierRef {
                    code: &code,
                    agency: &agency,
                    procedure: &procedure,
                },
                data,
            );
            OutboxMessage {
                id: Uuid::now_v7(),
                kind: KIND_WEBHOOK.to_string(),
                payload: serde_json::to_string(&event).expect("a CloudEvent serialises"),
            }
        })
        .collect()
}
