//! Open dossiers past their time, at the end of any day, as counters: [`open_deltas`] and
//! [`replay_open`] keep the levels [`Metric::OpenOverdue`] and [`Metric::OpenIndexLate`].
//!
//! Whether an open dossier is late depends on the clock, not only on its events, so a count at
//! a past instant cannot be read from the projection (which holds the dossier as it is now).
//! Instead each event writes the dossier's *forecast*: from which day, if nothing else happens,
//! it counts late at the day's end (`+1` on that day, which may lie in the future), and takes
//! back the forecast of the state before it (`−1` on the same terms). The sum of a level's
//! deltas up to day `d` is then, for every `d`, the number of dossiers open and late at the end
//! of `d` as their events up to that day make them ([`crate::dossier::timeliness`] decides:
//! late once past the effective appointment; one waiting for a supplement is judged when its
//! clock stopped; for the index, also when asked for a supplement more than once). A forecast
//! is only ever taken back from the day of the event that changes it, so the days before stay
//! as they were.
//!
//! Deltas here are `+1` or `−1` and come per event like the other counters, so a rebuild from
//! the event log ([`replay_open`]) gives what the commands wrote ([`open_deltas`]).

use chrono::{DateTime, NaiveDate, Utc};

use crate::agency::AgencyCode;
use crate::dossier::timeliness::{late_by_supplements, overdue_at};
use crate::dossier::{DossierState, EventEnvelope, vietnam_date};

use super::counters::CounterDelta;
use super::metric::Metric;

/// The forecast of a state: the agency holding the open dossier and, per level, the first day
/// at whose end it counts (`NaiveDate::MIN`: already).
fn forecast<D>(state: &DossierState, due: &D) -> Vec<(AgencyCode, Metric, NaiveDate)>
where
    D: Fn(&DossierState) -> Option<DateTime<Utc>>,
{
    let open = state.status.is_in_progress() && state.finished_at.is_none();
    let (true, Some(agency), Some(due)) = (open, state.agency.as_ref(), due(state)) else {
        return Vec::new();
    };
    // Running: late from the day of the effective appointment. Paused: judged when the clock
    // stopped, for good while it stays stopped.
    let overdue = match state.open_pause() {
        Some(p) if !overdue_at(due, Some(p.start), p.start) => None,
        _ => Some(vietnam_date(due)),
    };
    let index_late = match late_by_supplements(state) {
        true => Some(NaiveDate::MIN),
        false => overdue,
    };
    [
        (Metric::OpenOverdue, overdue),
        (Metric::OpenIndexLate, index_late),
    ]
    .into_iter()
    .filter_map(|(m, from)| from.map(|from| (agency.clone(), m, from)))
    .collect()
}

/// The deltas of one event: the forecast of `next` replaces that of `prev` from the event's day.
fn event_open<D>(
    prev: &DossierState,
    envelope: &EventEnvelope,
    next: &DossierState,
    due: &D,
    out: &mut Vec<CounterDelta>,
) where
    D: Fn(&DossierState) -> Option<DateTime<Utc>>,
{
    let today = vietnam_date(envelope.at);
    let old = forecast(prev, due);
    let new = forecast(next, due);
    if old == new {
        return;
    }
    for (list, delta) in [(old, -1), (new, 1)] {
        for (agency, metric, from) in list {
            out.push(CounterDelta {
                day: from.max(today),
                agency,
                metric,
                delta,
            });
        }
    }
}

/// The level changes of one command (`envelopes` appended to `before`, giving `after`).
/// `due` gives a state's effective appointment with the clock of the agency holding it
/// ([`crate::dossier::timeliness::current_due`]); `None` leaves the dossier out of the levels.
pub fn open_deltas<D>(
    before: &DossierState,
    envelopes: &[EventEnvelope],
    after: &DossierState,
    due: D,
) -> Vec<CounterDelta>
where
    D: Fn(&DossierState) -> Option<DateTime<Utc>>,
{
    let mut out = Vec::new();
    let mut prev = before.clone();
    for (i, envelope) in envelopes.iter().enumerate() {
        let next = if i + 1 == envelopes.len() {
            after.clone()
        } else {
            let mut next = prev.clone();
            next.apply(envelope);
            next
        };
        event_open(&prev, envelope, &next, &due, &mut out);
        prev = next;
    }
    out
}

/// The level changes of a whole history, event by event from an empty dossier: the
/// concatenation of the [`open_deltas`] of the commands that produced it.
pub fn replay_open<D>(envelopes: &[EventEnvelope], due: D) -> Vec<CounterDelta>
where
    D: Fn(&DossierState) -> Option<DateTime<Utc>>,
{
    let mut out = Vec::new();
    let mut state = DossierState::new();
    for envelope in envelopes {
        let mut next = state.clone();
        next.apply(envelope);
        event_open(&state, envelope, &next, &due, &mut out);
        state = next;
    }
    out
}
