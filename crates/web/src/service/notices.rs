//! Notices to the applicant: which events are told, written to the outbox in the command's own
//! transaction.

use motcua_domain::dossier::{DossierState, EventEnvelope};
use motcua_store::OutboxMessage;
use uuid::Uuid;

use crate::service::calendar::format_vn_instant;

/// The notices that follow from a command's events.
pub fn outbox(envelopes: &[EventEnvelope], state: &DossierState) -> Vec<OutboxMessage> {
    let mut outbox = Vec::new();
    for e in envelopes {
        let kind = e.event.kind();
        let notify = matches!(
            kind,
            "received"
                | "intake_supplement_requested"
                | "refused"
                | "supplement_requested"
                | "apologized"
                | "stopped"
                | "result_recorded"
        );
        if notify && let Some(a) = &state.applicant {
            outbox.push(OutboxMessage {
                id: Uuid::now_v7(),
                kind: kind.to_string(),
                payload: serde_json::json!({
                    "code": state.code.as_ref().map(|c| c.to_string()),
                    "to_email": a.email, "to_phone": a.phone, "name": a.name,
                    "appointment": state.appointment.map(format_vn_instant),
                })
                .to_string(),
            });
        }
    }
    outbox
}
