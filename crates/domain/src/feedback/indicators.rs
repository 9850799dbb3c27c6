//! The feedback terms of the Decision 766 service index for one unit and period (legal-rules.md
//! §4, indicators 5.1–5.3), counted from the reports' states as of the period's last day.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::dossier::vietnam_date;

use super::report::Category;
use super::state::{FeedbackState, FeedbackStatus, Timeliness};

/// One report of the unit, and whether another report complains of its handling.
pub struct Counted<'a> {
    pub state: &'a FeedbackState,
    pub complained_of: bool,
}

/// The counts the index formulas take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// 5.3's denominator: reports first received in the period (not refused, not withdrawn).
    pub received: u64,
    /// 5.1: of those, about regulations and procedures.
    pub about_regulations: u64,
    /// 5.2's denominator: reports the unit had to handle in the period (received or handled in
    /// it, not refused, not withdrawn).
    pub to_handle: u64,
    /// 5.2's numerator: of those, handled on or before the deadline, or open within it.
    pub handled_on_time: u64,
    /// 5.3's numerator: received in the period less those whose answer has more dislikes than
    /// likes, handled late or overdue, or complained of.
    pub satisfactory: u64,
}

/// Counts `reports` for the period `from..=to` (Vietnam dates), judged as of `to`: each state
/// folded from its events up to the end of the period.
pub fn count<'a>(
    reports: impl IntoIterator<Item = Counted<'a>>,
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<FeedbackCounts, CalendarError> {
    let within = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(vietnam_date)
            .is_some_and(|d| (from..=to).contains(&d))
    };
    let mut c = FeedbackCounts::default();
    for Counted {
        state: s,
        complained_of,
    } in reports
    {
        if matches!(
            s.status,
            FeedbackStatus::Refused | FeedbackStatus::Withdrawn
        ) {
            continue;
        }
        let started = s.clock_start.map(vietnam_date).is_some_and(|d| d <= to);
        if !started {
            continue;
        }
        let timeliness = s.timeliness(calendar, to)?;
        let open_in_period = s.status.is_open();
        if within(s.clock_start) || within(s.approved_at) || open_in_period {
            c.to_handle += 1;
            if timeliness.is_on_time() {
                c.handled_on_time += 1;
            }
        }
        if within(s.submitted_at) {
            c.received += 1;
            if s.category == Some(Category::Regulation) {
                c.about_regulations += 1;
            }
            let late = matches!(timeliness, Timeliness::HandledLate | Timeliness::Overdue);
            if !(s.disliked() || late || complained_of) {
                c.satisfactory += 1;
            }
        }
    }
    Ok(c)
}
