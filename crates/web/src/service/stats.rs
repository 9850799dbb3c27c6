//! Statistics counters: which counters a dossier command changes, kept in the command's own
//! transaction.

use motcua_domain::dossier::{DossierState, EventEnvelope, vietnam_date};
use motcua_store::CounterDelta;
use uuid::Uuid;

/// The counter changes that follow from a command's events (`before` → `after`).
pub fn counters(
    _before: &DossierState,
    envelopes: &[EventEnvelope],
    _after: &DossierState,
    agency: Uuid,
    procedure: &str,
) -> Vec<CounterDelta> {
    envelopes
        .iter()
        .map(|e| CounterDelta {
            agency_id: agency,
            procedure_code: procedure.to_string(),
            day: vietnam_date(e.at),
            metric: e.event.kind().to_string(),
            delta: 1,
        })
        .collect()
}
