//! Which counters a command changes ([`deltas`]), and the same computed from a whole history
//! ([`replay_counters`], for `motcua stats rebuild`).

use chrono::NaiveDate;

use crate::agency::AgencyCode;
use crate::calendar::Timeliness;
use crate::catalogue::model::Channel;
use crate::dossier::timeliness::{FinishClassification, IndexTimeliness};
use crate::dossier::{
    DossierState, Event, EventEnvelope, PaymentMethod, RatingLevel, vietnam_date,
};

use super::counters::CounterDelta;
use super::metric::Metric;

/// The counter changes of one command: `envelopes` are the events it appended to `before`,
/// giving `after` (`before` with every envelope applied, as the service layer holds it).
///
/// `classify` judges a received dossier at its finish, from the state just after the
/// finishing event; the service layer passes
/// `|s| timeliness::classify_finish(&clock, s).ok().flatten()` with the clock of the agency
/// (a `None` leaves the finish out of the timeliness splits, never out of the totals).
///
/// Pure and deterministic: the deltas come in event order, and one delta per (event, metric)
/// with `delta = 1`.
pub fn deltas<F>(
    before: &DossierState,
    envelopes: &[EventEnvelope],
    after: &DossierState,
    classify: F,
) -> Vec<CounterDelta>
where
    F: Fn(&DossierState) -> Option<FinishClassification>,
{
    debug_assert!(
        envelopes.last().is_none_or(|e| e.seq == after.version),
        "`after` is not the state after the envelopes"
    );
    let mut out = Vec::new();
    match envelopes {
        [] => {}
        [only] => event_deltas(before, only, after, &classify, &mut out),
        [init @ .., last] => {
            // A command with several events (a direct receipt: lodged, then received): the
            // states between them are folded here; the last one is `after`.
            let mut prev = before.clone();
            for envelope in init {
                let mut next = prev.clone();
                next.apply(envelope);
                event_deltas(&prev, envelope, &next, &classify, &mut out);
                prev = next;
            }
            event_deltas(&prev, last, after, &classify, &mut out);
        }
    }
    out
}

/// The counter changes of a whole history, recomputed envelope by envelope from an empty
/// dossier (the history is trusted: check it with [`crate::dossier::replay`] first). Equal to
/// the concatenation of [`deltas`] of the commands that produced it.
pub fn replay_counters<F>(envelopes: &[EventEnvelope], classify: F) -> Vec<CounterDelta>
where
    F: Fn(&DossierState) -> Option<FinishClassification>,
{
    let mut out = Vec::new();
    let mut state = DossierState::new();
    for envelope in envelopes {
        let mut next = state.clone();
        next.apply(envelope);
        event_deltas(&state, envelope, &next, &classify, &mut out);
        state = next;
    }
    out
}

/// The deltas of one event: `prev` is the state before it, `next` after it.
fn event_deltas<F>(
    prev: &DossierState,
    envelope: &EventEnvelope,
    next: &DossierState,
    classify: &F,
    out: &mut Vec<CounterDelta>,
) where
    F: Fn(&DossierState) -> Option<FinishClassification>,
{
    let mut push = Push {
        day: vietnam_date(envelope.at),
        out,
    };
    // The agency holding the dossier when the event happens.
    let here = prev.agency.as_ref();
    match &envelope.event {
        Event::Submitted { agency, .. } => push.one(Some(agency), Metric::Submitted),
        Event::Received { fee_due_vnd, .. } => {
            let metric = match prev.channel {
                Some(Channel::Online) => Metric::ReceivedOnline,
                Some(Channel::Postal) => Metric::ReceivedPostal,
                Some(Channel::Counter) | None => Metric::ReceivedCounter,
            };
            push.one(here, metric);
            if *fee_due_vnd > 0 {
                push.one(here, Metric::FeeDue);
            }
        }
        Event::IntakeSupplementRequested { .. } => {
            push.one(here, Metric::IntakeSupplementRequested)
        }
        Event::Refused { .. } => push.one(here, Metric::Refused),
        Event::Forwarded { from, to } if from != to => {
            push.one(Some(from), Metric::ForwardedOut);
            push.one(Some(to), Metric::ForwardedIn);
        }
        Event::Transferred { from, to, peer, .. } if from != to => {
            push.one(Some(from), Metric::TransferredOut);
            // An agency of another deployment is counted there.
            if peer.is_none() {
                push.one(Some(to), Metric::TransferredIn);
            }
        }
        Event::TransferReceived { agency, .. } => push.one(Some(agency), Metric::TransferredIn),
        Event::SupplementRequested { .. } => push.one(here, Metric::SupplementRequested),
        Event::Apologized { .. } => push.one(here, Metric::Apologized),
        Event::ResultRecorded { form, .. } if form.is_electronic() => {
            push.one(here, Metric::ElectronicResult)
        }
        Event::FeeCollected {
            method: PaymentMethod::Online,
            ..
        } if !prev
            .payments
            .iter()
            .any(|p| p.method == PaymentMethod::Online) =>
        {
            push.one(here, Metric::PaidOnline)
        }
        Event::ResultReturned { .. } => push.one(here, Metric::Returned),
        Event::Rated { level, .. } => {
            push.one(here, Metric::Rated);
            if *level == RatingLevel::Dissatisfied {
                push.one(here, Metric::Dissatisfied);
            }
        }
        Event::Withdrawn { .. } if prev.received_at.is_none() => {
            push.one(here, Metric::WithdrawnBeforeReceipt)
        }
        Event::Withdrawn { .. } if prev.finished_at.is_some() => {
            push.one(here, Metric::WithdrawnAfterResult)
        }
        _ => {}
    }
    // Digitised (a file on a component and an electronic result, indicator 4.2) and re-using
    // data already held (4.3): each dossier once, at the event that first makes it so.
    if !prev.is_digitised() && next.is_digitised() {
        push.one(here, Metric::Digitised);
    }
    if !prev.reuses_data() && next.reuses_data() {
        push.one(here, Metric::Reused);
    }

    // The finish ("kết thúc xử lý") of a received dossier: the one event that sets
    // `finished_at`, so each dossier finishes once, at the agency holding it.
    let finishes = prev.finished_at.is_none() && next.finished_at.is_some();
    if !finishes || next.received_at.is_none() {
        return;
    }
    let kind = match &envelope.event {
        Event::ResultRecorded { .. } => Metric::Resolved,
        Event::Stopped { .. } => Metric::Stopped,
        Event::Withdrawn { .. } => Metric::Withdrawn,
        // No other event finishes a received dossier.
        _ => return,
    };
    push.one(here, kind);
    let Some(c) = classify(next) else { return };
    if kind == Metric::Resolved {
        push.one(
            here,
            match c.legal {
                Timeliness::Early => Metric::ResolvedEarly,
                Timeliness::OnTime => Metric::ResolvedOnTime,
                Timeliness::Late { .. } => Metric::ResolvedLate,
            },
        );
    }
    match c.index {
        IndexTimeliness::OnTime => push.one(here, Metric::FinishedIndexOnTime),
        IndexTimeliness::Late => {
            push.one(here, Metric::FinishedIndexLate);
            if c.late_by_supplements && c.finished_at <= c.effective_appointment {
                push.one(here, Metric::FinishedLateBySupplements);
            }
        }
    }
}

struct Push<'a> {
    day: NaiveDate,
    out: &'a mut Vec<CounterDelta>,
}

impl Push<'_> {
    /// +1 to `metric` of `agency` (nothing when the dossier has no agency: only before its
    /// first event, which no valid history has).
    fn one(&mut self, agency: Option<&AgencyCode>, metric: Metric) {
        if let Some(agency) = agency {
            self.out.push(CounterDelta {
                day: self.day,
                agency: agency.clone(),
                metric,
                delta: 1,
            });
        }
    }
}
