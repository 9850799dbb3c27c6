//! On time or late: a dossier's deadline read with the calendar ([`WorkClock`]).
//!
//! **Which appointment is extended.** The state keeps the current appointment exactly as it
//! was given: computed by the calendar at receipt, or replaced by the apology's new appointment
//! (a date told to the citizen, which already accounts for every pause before it). Pauses for a
//! supplement during processing are never written into it; they are added here, at
//! classification time: the *effective appointment* is the current appointment pushed later by
//! the working time of the pauses that began at or after it was set
//! ([`DossierState::pauses_since_appointment`], [`WorkClock::due_with_pauses`]). While a pause
//! is open the effective appointment is unknown (`None`).
//!
//! **Two classifications of a finished dossier** (finish = "kết thúc xử lý",
//! [`DossierState::finished_at`]: the first of result recorded, stopped, refused, withdrawn):
//! - legal ([`Timeliness`]): early / on time / late (with working days and minutes), the finish
//!   against the effective appointment;
//! - statistical ([`IndexTimeliness`]), as the national portal computes indicator 2.1 of
//!   Decision 766: a dossier asked for a supplement during processing more than once counts as
//!   late; otherwise it is late iff the finish is after the effective appointment. (The portal
//!   subtracts the supplement time from the finish; here it is added, in working time, to the
//!   appointment, which is the same comparison.)
//!
//! Only received dossiers are classified: one refused or withdrawn before receipt has no
//! appointment (the portal counts withdrawals only when the dossier had been received).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Timeliness, WorkClock};

use super::state::DossierState;

/// On time or late as the national service index counts it (Decision 766, indicator 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexTimeliness {
    /// Trước hạn or đúng hạn.
    OnTime,
    /// Quá hạn.
    Late,
}

impl IndexTimeliness {
    pub fn label_vi(self) -> &'static str {
        match self {
            IndexTimeliness::OnTime => "Đúng hạn hoặc trước hạn",
            IndexTimeliness::Late => "Quá hạn",
        }
    }
}

/// How a finished dossier did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishClassification {
    pub finished_at: DateTime<Utc>,
    pub effective_appointment: DateTime<Utc>,
    /// The finish against the effective appointment.
    pub legal: Timeliness,
    /// The national index's verdict.
    pub index: IndexTimeliness,
    /// True when the index counts it late because of repeated supplement requests alone.
    pub late_by_supplements: bool,
}

/// Where an in-progress dossier stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The current appointment extended by the closed pauses since it was set.
    pub due: DateTime<Utc>,
    /// The clock is stopped since this instant (waiting for a supplement).
    pub paused_since: Option<DateTime<Utc>>,
    /// The instant judged: `now`, or the start of the open pause (the clock does not run
    /// while the applicant supplements).
    pub reference: DateTime<Utc>,
    /// `reference` against `due`: early or on time while within time, late once overdue.
    pub legal: Timeliness,
    /// Working minutes from `reference` to `due` (negative once overdue).
    pub remaining_working_minutes: i64,
    /// Past the effective appointment.
    pub overdue: bool,
    /// Counted late by the national index now: overdue, or asked for a supplement more than
    /// once.
    pub index_late: bool,
}

/// The effective appointment (see the module docs); `None` before receipt or while the clock
/// is paused.
pub fn effective_appointment(
    clock: &WorkClock<'_>,
    state: &DossierState,
) -> Result<Option<DateTime<Utc>>, CalendarError> {
    let Some(base) = state.appointment else {
        return Ok(None);
    };
    let pauses: Vec<_> = state
        .pauses_since_appointment()
        .iter()
        .map(|p| (p.start, p.end))
        .collect();
    clock.due_with_pauses(base, &pauses)
}

/// The current appointment extended by the closed pauses since it was set: the effective
/// appointment once no pause is open; while one is, the appointment before it (the clock
/// resumes from it when the supplement arrives). `None` before receipt. What people are shown
/// and what the queues sort and filter by (the projection's `appointment`).
pub fn current_due(
    clock: &WorkClock<'_>,
    state: &DossierState,
) -> Result<Option<DateTime<Utc>>, CalendarError> {
    let Some(base) = state.appointment else {
        return Ok(None);
    };
    if !state.appointment_moved_by_pauses() {
        return Ok(Some(base));
    }
    let closed: Vec<_> = state
        .pauses_since_appointment()
        .iter()
        .filter(|p| p.end.is_some())
        .map(|p| (p.start, p.end))
        .collect();
    clock.due_with_pauses(base, &closed)
}

/// Whether a received, unfinished dossier with effective appointment `due` is overdue at `at`:
/// judged at `at`, or when its clock stopped (`paused_since`: the applicant's supplement time
/// is not counted). The one rule the projection's queries mirror (`appointment`,
/// `paused_at`).
pub fn overdue_at(
    due: DateTime<Utc>,
    paused_since: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> bool {
    due < paused_since.map_or(at, |p| p.min(at))
}

/// Whether the national index counts the dossier late whatever the dates: asked for a
/// supplement during processing more than once.
pub fn late_by_supplements(state: &DossierState) -> bool {
    state.supplement_requests > 1
}

/// Classifies a finished, received dossier; `None` when it has not finished or was never
/// received.
pub fn classify_finish(
    clock: &WorkClock<'_>,
    state: &DossierState,
) -> Result<Option<FinishClassification>, CalendarError> {
    let (Some(finished_at), Some(_)) = (state.finished_at, state.received_at) else {
        return Ok(None);
    };
    let Some(effective) = effective_appointment(clock, state)? else {
        return Ok(None);
    };
    let legal = clock.classify(finished_at, effective)?;
    let by_supplements = late_by_supplements(state);
    let index = if by_supplements || finished_at > effective {
        IndexTimeliness::Late
    } else {
        IndexTimeliness::OnTime
    };
    Ok(Some(FinishClassification {
        finished_at,
        effective_appointment: effective,
        legal,
        index,
        late_by_supplements: by_supplements,
    }))
}

/// Where a received, unfinished dossier stands at `now`; `None` for any other dossier.
pub fn standing_at(
    clock: &WorkClock<'_>,
    state: &DossierState,
    now: DateTime<Utc>,
) -> Result<Option<Standing>, CalendarError> {
    if !state.status.is_in_progress() || state.finished_at.is_some() {
        return Ok(None);
    }
    let Some(due) = current_due(clock, state)? else {
        return Ok(None);
    };
    let paused_since = state.open_pause().map(|p| p.start);
    let reference = paused_since.unwrap_or(now);
    let legal = clock.classify(reference, due)?;
    let overdue = overdue_at(due, paused_since, now);
    Ok(Some(Standing {
        due,
        paused_since,
        reference,
        legal,
        remaining_working_minutes: clock.working_minutes_between(reference, due)?,
        overdue,
        index_late: overdue || late_by_supplements(state),
    }))
}

/// Whether a received, unfinished dossier is past its effective appointment at `now` (judged
/// at the start of an open pause while the applicant supplements). False for any other
/// dossier.
pub fn overdue_now(
    clock: &WorkClock<'_>,
    state: &DossierState,
    now: DateTime<Utc>,
) -> Result<bool, CalendarError> {
    Ok(standing_at(clock, state, now)?.is_some_and(|s| s.overdue))
}
