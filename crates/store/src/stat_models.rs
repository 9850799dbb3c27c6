//! What the statistics queries take and give (see `stats_sql.rs`): sums of the counters of
//! agency subtrees over days, the in-progress dossiers past their appointment from the
//! projection, and the rebuild of every counter from the event log.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use uuid::Uuid;

use crate::models::{CounterDelta, StoredEvent};

/// Sums of counters: for each root, its whole subtree (itself and every agency below it) over
/// the days `from..=to` (Vietnam dates; `from: None` = since the first counter).
#[derive(Debug, Clone, Default)]
pub struct StatSumQuery {
    pub roots: Vec<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
    /// Only these metrics (empty: every metric).
    pub metrics: Vec<String>,
    /// Only these procedures (empty: every procedure). Read from the daily cells.
    pub procedures: Vec<String>,
    /// One sum per procedure as well (read from the daily cells).
    pub by_procedure: bool,
}

/// One sum of [`StatSumQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatSum {
    pub root: Uuid,
    /// Set when the query asked for sums per procedure.
    pub procedure_code: Option<String>,
    pub metric: String,
    pub value: i64,
}

/// A monthly series of one subtree (the month's first day → metric → value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatMonth {
    pub month: NaiveDate,
    pub metric: String,
    pub value: i64,
}

/// Received dossiers in progress now (`at` is the current instant), past their effective
/// appointment, from the projection, per root (and procedure); a dossier waiting for a
/// supplement is judged when its clock stopped. (At a past instant the projection no longer
/// holds the dossiers as they were: the statistics read the open levels of the counters.)
#[derive(Debug, Clone)]
pub struct OverdueQuery {
    pub roots: Vec<Uuid>,
    pub at: DateTime<Utc>,
    pub procedures: Vec<String>,
    pub by_procedure: bool,
    /// Also count those due in `[at, due_before)` (current only).
    pub due_before: Option<DateTime<Utc>>,
}

/// One count of [`OverdueQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCount {
    pub root: Uuid,
    pub procedure_code: Option<String>,
    /// Past the appointment.
    pub overdue: i64,
    /// Due in `[at, due_before)`.
    pub due_soon: i64,
}

/// The metrics the roll-up also keeps per procedure (what the service index needs per
/// procedure: online dossiers, dossiers with fees, online payments).
pub const PROCEDURE_ROLLUP_METRICS: [&str; 3] = ["received_online", "fee_due", "paid_online"];

/// One row of the monthly roll-up: a subtree's sum for a month (its first day), over every
/// procedure (`procedure_code: None`) or one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RollupRow {
    pub agency_id: Uuid,
    pub procedure_code: Option<String>,
    pub month: NaiveDate,
    pub metric: String,
    pub value: i64,
}

/// What `rebuild_stats` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub dossiers: u64,
    pub events: u64,
    /// Rows of `stat_daily` written.
    pub rows: u64,
}

/// Recomputes the counters of one dossier from its whole event log (in order).
pub type ReplayDossier<'a> =
    dyn FnMut(&[StoredEvent]) -> Result<Vec<CounterDelta>, String> + Send + 'a;

/// How a day range is read: whole months from the monthly roll-up, the partial months at either
/// end from the daily cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySplit {
    /// First days of the first and last whole months (`None` first: since the beginning).
    pub months: Option<(Option<NaiveDate>, NaiveDate)>,
    /// Day spans, inclusive.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The last day of `day`'s month.
pub fn month_end(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(Months::new(1))
        .and_then(|m| m.pred_opt())
        .unwrap_or(day)
}

/// Splits `from..=to` (`from: None`: since the beginning) into whole months and partial spans.
pub fn split_days(from: Option<NaiveDate>, to: NaiveDate) -> DaySplit {
    let mut split = DaySplit {
        months: None,
        days: Vec::new(),
    };
    if from.is_some_and(|f| f > to) {
        return split;
    }
    let last = month_start(to);
    // The last whole month, and the partial span of the last month.
    let (last_full, tail) = if to == month_end(to) {
        (Some(last), None)
    } else {
        (last.checked_sub_months(Months::new(1)), Some((last, to)))
    };
    match from {
        None => {
            split.months = last_full.map(|m| (None, m));
            split.days.extend(tail);
        }
        Some(f) if month_start(f) == last => {
            if f.day() == 1 && tail.is_none() {
                split.months = Some((Some(last), last));
            } else {
                split.days.push((f, to));
            }
        }
        Some(f) => {
            let first_full = if f.day() == 1 {
                Some(f)
            } else {
                split.days.push((f, month_end(f)));
                month_start(f).checked_add_months(Months::new(1))
            };
            if let (Some(a), Some(b)) = (first_full, last_full)
                && a <= b
            {
                split.months = Some((Some(a), b));
            }
            split.days.extend(tail);
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn stats_day_ranges_split_into_months_and_days() {
        // A quarter: three whole months.
        assert_eq!(
            split_days(Some(d(2026, 10, 1)), d(2026, 12, 31)),
            DaySplit {
                months: Some((Some(d(2026, 10, 1)), d(2026, 12, 1))),
                days: vec![]
            }
        );
        // A month so far.
        assert_eq!(
            split_days(Some(d(2026, 11, 1)), d(2026, 11, 24)),
            DaySplit {
                months: None,
                days: vec![(d(2026, 11, 1), d(2026, 11, 24))]
            }
        );
        // Partial at both ends.
        assert_eq!(
            split_days(Some(d(2026, 1, 15)), d(2026, 3, 10)),
            DaySplit {
                months: Some((Some(d(2026, 2, 1)), d(2026, 2, 1))),
                days: vec![
                    (d(2026, 1, 15), d(2026, 1, 31)),
                    (d(2026, 3, 1), d(2026, 3, 10))
                ]
            }
        );
        // Adjacent partial months, no whole one.
        assert_eq!(
            split_days(Some(d(2026, 1, 15)), d(2026, 2, 10)),
            DaySplit {
                months: None,
                days: vec![
                    (d(2026, 1, 15), d(2026, 1, 31)),
                    (d(2026, 2, 1), d(2026, 2, 10))
                ]
            }
        );
        // Everything before a day.
        assert_eq!(
            split_days(None, d(2026, 10, 31)),
            DaySplit {
                months: Some((None, d(2026, 10, 1))),
                days: vec![]
            }
        );
        assert_eq!(
            split_days(None, d(2026, 11, 2)),
            DaySplit {
                months: Some((None, d(2026, 10, 1))),
                days: vec![(d(2026, 11, 1), d(2026, 11, 2))]
            }
        );
        assert_eq!(split_days(Some(d(2026, 2, 2)), d(2026, 2, 1)).days, vec![]);
        assert_eq!(month_end(d(2024, 2, 10)), d(2024, 2, 29));
    }
}

/// What an operator watches (the `/metrics` gauges): dossiers open and overdue now (the rule of
/// [`OverdueQuery`] with `current`), notices waiting to be sent and those given up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpsGauges {
    pub open_dossiers: i64,
    pub overdue_dossiers: i64,
    /// Pending notices due now or earlier (the worker's backlog).
    pub outbox_due: i64,
    pub outbox_pending: i64,
    pub outbox_failed: i64,
}
