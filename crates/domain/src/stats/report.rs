//! The periodic report on handling dossiers (báo cáo tình hình, kết quả giải quyết TTHC, the
//! Circular 03/2025-style row): [`PeriodReport`] from the counters before the period and those
//! inside it. Rows add up (`+`, [`Sum`]): a province's row is the sum of its units' rows.
//!
//! The balance of a row: `total = carried_over + new + moved_in − moved_out = resolved +
//! withdrawn + stopped + in_progress`. Moves between units of the same parent cancel in the
//! parent's row (both halves fall on the same day).

use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};

use super::counters::Counters;
use super::metric::Metric;
use super::rate::percent;

/// Dossiers in progress at the end of the period, split by whether they are still within
/// time. Counters cannot tell (it depends on the clock at that instant): the caller computes
/// it from the projection ([`crate::dossier::timeliness::standing_at`] at the period's end;
/// `overdue` for this report, `index_late` for the service index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InProgressSplit {
    /// Trong hạn.
    pub within_time: i64,
    /// Quá hạn.
    pub overdue: i64,
}

impl Add for InProgressSplit {
    type Output = InProgressSplit;
    fn add(self, rhs: InProgressSplit) -> InProgressSplit {
        InProgressSplit {
            within_time: self.within_time + rhs.within_time,
            overdue: self.overdue + rhs.overdue,
        }
    }
}

/// One row of the periodic report, for one unit (a set of agency × procedure cells).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    /// Kỳ trước chuyển sang: in progress at the start.
    pub carried_over: i64,
    /// Mới tiếp nhận trực tuyến.
    pub new_online: i64,
    /// Mới tiếp nhận trực tiếp.
    pub new_counter: i64,
    /// Mới tiếp nhận qua dịch vụ bưu chính công ích.
    pub new_postal: i64,
    /// Came in by forwarding or transfer (liên thông) from outside the unit.
    pub moved_in: i64,
    /// Left by forwarding or transfer to outside the unit.
    pub moved_out: i64,
    /// Tổng số hồ sơ phải giải quyết: carried over + new + moved in − moved out.
    pub total: i64,
    /// Đã giải quyết (a result issued), and its legal split.
    pub resolved: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    /// Rút hồ sơ (after receipt, before a result).
    pub withdrawn: i64,
    /// Dừng giải quyết.
    pub stopped: i64,
    /// Đang giải quyết at the end of the period.
    pub in_progress: i64,
    /// The split of `in_progress`, when the caller has it.
    pub in_progress_split: Option<InProgressSplit>,
    /// Finished in the period (resolved, withdrawn, stopped) as Decision 766 counts them.
    pub finished_index_on_time: i64,
    pub finished_index_late: i64,
    /// Of the index-late, those late only for repeated supplement requests.
    pub finished_late_by_supplements: i64,
    /// Từ chối tiếp nhận (never received, so outside `total`).
    pub refused: i64,
    /// Đã trả kết quả.
    pub returned: i64,
    pub electronic_result: i64,
    pub fee_due: i64,
    pub paid_online: i64,
    pub rates: Rates,
}

/// The row's rates, in percent with 2 decimals; `None` when the denominator is 0 (or the
/// in-progress split is unknown).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rates {
    /// (early + on time) / resolved.
    pub on_time: Option<f64>,
    /// early / resolved.
    pub early: Option<f64>,
    /// late / resolved.
    pub late: Option<f64>,
    /// (finished on time for the index + in progress within time) / total: indicator 2.1
    /// of Decision 766 when the split given is the index's.
    pub handled_on_time: Option<f64>,
    /// (resolved late + in progress overdue) / total.
    pub overdue: Option<f64>,
    /// in progress within time / in progress.
    pub in_progress_within_time: Option<f64>,
    /// new online / new.
    pub online: Option<f64>,
    /// electronic results / resolved.
    pub electronic_result: Option<f64>,
    /// paid online / fee due.
    pub paid_online: Option<f64>,
}

impl PeriodReport {
    /// The row of a period from `before` (cumulative counters up to the day before the period)
    /// and `within` (the sums over the period's days), for the same cells.
    pub fn from_counters(
        before: &Counters,
        within: &Counters,
        in_progress_split: Option<InProgressSplit>,
    ) -> PeriodReport {
        let carried_over = before.in_progress();
        let new = within.received();
        let total = carried_over + new + within.moved_in() - within.moved_out();
        let mut row = PeriodReport {
            carried_over,
            new_online: within.get(Metric::ReceivedOnline),
            new_counter: within.get(Metric::ReceivedCounter),
            new_postal: within.get(Metric::ReceivedPostal),
            moved_in: within.moved_in(),
            moved_out: within.moved_out(),
            total,
            resolved: within.get(Metric::Resolved),
            resolved_early: within.get(Metric::ResolvedEarly),
            resolved_on_time: within.get(Metric::ResolvedOnTime),
            resolved_late: within.get(Metric::ResolvedLate),
            withdrawn: within.get(Metric::Withdrawn),
            stopped: within.get(Metric::Stopped),
            in_progress: total - within.finished(),
            in_progress_split,
            finished_index_on_time: within.get(Metric::FinishedIndexOnTime),
            finished_index_late: within.get(Metric::FinishedIndexLate),
            finished_late_by_supplements: within.get(Metric::FinishedLateBySupplements),
            refused: within.get(Metric::Refused),
            returned: within.get(Metric::Returned),
            electronic_result: within.get(Metric::ElectronicResult),
            fee_due: within.get(Metric::FeeDue),
            paid_online: within.get(Metric::PaidOnline),
            rates: Rates::default(),
        };
        row.rates = row.compute_rates();
        row
    }

    /// New dossiers received, every channel.
    pub fn new_total(&self) -> i64 {
        self.new_online + self.new_counter + self.new_postal
    }

    fn compute_rates(&self) -> Rates {
        let split = self.in_progress_split;
        Rates {
            on_time: percent(self.resolved_early + self.resolved_on_time, self.resolved),
            early: percent(self.resolved_early, self.resolved),
            late: percent(self.resolved_late, self.resolved),
            handled_on_time: split
                .and_then(|s| percent(self.finished_index_on_time + s.within_time, self.total)),
            overdue: split.and_then(|s| percent(self.resolved_late + s.overdue, self.total)),
            in_progress_within_time: split.and_then(|s| percent(s.within_time, self.in_progress)),
            online: percent(self.new_online, self.new_total()),
            electronic_result: percent(self.electronic_result, self.resolved),
            paid_online: percent(self.paid_online, self.fee_due),
        }
    }

    /// The columns as people read them (key, Vietnamese label, value), in report order.
    pub fn columns(&self) -> Vec<(&'static str, &'static str, Option<i64>)> {
        let split = self.in_progress_split;
        vec![
            (
                "carried_over",
                "Số hồ sơ kỳ trước chuyển sang",
                Some(self.carried_over),
            ),
            (
                "new_online",
                "Mới tiếp nhận trực tuyến",
                Some(self.new_online),
            ),
            (
                "new_counter",
                "Mới tiếp nhận trực tiếp",
                Some(self.new_counter),
            ),
            (
                "new_postal",
                "Mới tiếp nhận qua dịch vụ bưu chính công ích",
                Some(self.new_postal),
            ),
            (
                "moved_in",
                "Nhận chuyển đến, liên thông",
                Some(self.moved_in),
            ),
            ("moved_out", "Chuyển đi, liên thông", Some(self.moved_out)),
            ("total", "Tổng số hồ sơ phải giải quyết", Some(self.total)),
            ("resolved", "Đã giải quyết", Some(self.resolved)),
            (
                "resolved_early",
                "Giải quyết trước hạn",
                Some(self.resolved_early),
            ),
            (
                "resolved_on_time",
                "Giải quyết đúng hạn",
                Some(self.resolved_on_time),
            ),
            (
                "resolved_late",
                "Giải quyết quá hạn",
                Some(self.resolved_late),
            ),
            ("in_progress", "Đang giải quyết", Some(self.in_progress)),
            (
                "in_progress_within_time",
                "Đang giải quyết trong hạn",
                split.map(|s| s.within_time),
            ),
            (
                "in_progress_overdue",
                "Đang giải quyết quá hạn",
                split.map(|s| s.overdue),
            ),
            ("withdrawn", "Rút hồ sơ", Some(self.withdrawn)),
            ("stopped", "Dừng giải quyết", Some(self.stopped)),
            ("refused", "Từ chối tiếp nhận", Some(self.refused)),
        ]
    }
}

impl Add for PeriodReport {
    type Output = PeriodReport;
    /// The parent's row: counts add, rates are recomputed from the sums (never averaged); the
    /// split is known only if both are.
    fn add(self, rhs: PeriodReport) -> PeriodReport {
        let mut row = PeriodReport {
            carried_over: self.carried_over + rhs.carried_over,
            new_online: self.new_online + rhs.new_online,
            new_counter: self.new_counter + rhs.new_counter,
            new_postal: self.new_postal + rhs.new_postal,
            moved_in: self.moved_in + rhs.moved_in,
            moved_out: self.moved_out + rhs.moved_out,
            total: self.total + rhs.total,
            resolved: self.resolved + rhs.resolved,
            resolved_early: self.resolved_early + rhs.resolved_early,
            resolved_on_time: self.resolved_on_time + rhs.resolved_on_time,
            resolved_late: self.resolved_late + rhs.resolved_late,
            withdrawn: self.withdrawn + rhs.withdrawn,
            stopped: self.stopped + rhs.stopped,
            in_progress: self.in_progress + rhs.in_progress,
            in_progress_split: match (self.in_progress_split, rhs.in_progress_split) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            },
            finished_index_on_time: self.finished_index_on_time + rhs.finished_index_on_time,
            finished_index_late: self.finished_index_late + rhs.finished_index_late,
            finished_late_by_supplements: self.finished_late_by_supplements
                + rhs.finished_late_by_supplements,
            refused: self.refused + rhs.refused,
            returned: self.returned + rhs.returned,
            electronic_result: self.electronic_result + rhs.electronic_result,
            fee_due: self.fee_due + rhs.fee_due,
            paid_online: self.paid_online + rhs.paid_online,
            rates: Rates::default(),
        };
        row.rates = row.compute_rates();
        row
    }
}

impl PeriodReport {
    /// The row with nothing in it (the neutral element of `+`).
    pub fn empty() -> PeriodReport {
        PeriodReport::from_counters(
            &Counters::new(),
            &Counters::new(),
            Some(InProgressSplit::default()),
        )
    }
}

impl Sum for PeriodReport {
    fn sum<I: Iterator<Item = PeriodReport>>(iter: I) -> PeriodReport {
        iter.fold(PeriodReport::empty(), Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(pairs: &[(Metric, i64)]) -> Counters {
        pairs.iter().copied().collect()
    }

    /// Before: 10 received, 1 transferred in, 6 finished → 5 carried over.
    /// Within: 8 received (5 online, 2 counter, 1 postal), 1 transferred out; resolved 7
    /// (3 early, 2 on time, 2 late), 1 withdrawn, 1 stopped; index: 7 on time, 2 late.
    fn sample() -> PeriodReport {
        let before = counters(&[
            (Metric::ReceivedCounter, 10),
            (Metric::TransferredIn, 1),
            (Metric::Resolved, 6),
        ]);
        let within = counters(&[
            (Metric::ReceivedOnline, 5),
            (Metric::ReceivedCounter, 2),
            (Metric::ReceivedPostal, 1),
            (Metric::TransferredOut, 1),
            (Metric::Resolved, 7),
            (Metric::ResolvedEarly, 3),
            (Metric::ResolvedOnTime, 2),
            (Metric::ResolvedLate, 2),
            (Metric::Withdrawn, 1),
            (Metric::Stopped, 1),
            (Metric::FinishedIndexOnTime, 7),
            (Metric::FinishedIndexLate, 2),
            (Metric::FinishedLateBySupplements, 1),
            (Metric::Refused, 2),
            (Metric::ElectronicResult, 4),
            (Metric::FeeDue, 6),
            (Metric::PaidOnline, 3),
        ]);
        PeriodReport::from_counters(
            &before,
            &within,
            Some(InProgressSplit {
                within_time: 2,
                overdue: 1,
            }),
        )
    }

    #[test]
    fn stats_report_row_by_hand() {
        let r = sample();
        assert_eq!(r.carried_over, 5);
        assert_eq!(r.new_total(), 8);
        assert_eq!(r.total, 5 + 8 - 1); // carried + new − transferred out
        assert_eq!(r.in_progress, 12 - 9);
        assert_eq!(
            r.total,
            r.resolved + r.withdrawn + r.stopped + r.in_progress
        );
        assert_eq!(r.refused, 2);
        // (3 + 2) / 7 = 71.428…
        assert_eq!(r.rates.on_time, Some(71.43));
        assert_eq!(r.rates.early, Some(42.86));
        assert_eq!(r.rates.late, Some(28.57));
        // (7 + 2) / 12
        assert_eq!(r.rates.handled_on_time, Some(75.0));
        // (2 + 1) / 12
        assert_eq!(r.rates.overdue, Some(25.0));
        assert_eq!(r.rates.in_progress_within_time, Some(66.67));
        assert_eq!(r.rates.online, Some(62.5));
        assert_eq!(r.rates.electronic_result, Some(57.14));
        assert_eq!(r.rates.paid_online, Some(50.0));
        let labels: Vec<_> = r.columns().iter().map(|c| c.1).collect();
        assert!(labels.contains(&"Tổng số hồ sơ phải giải quyết"));
    }

    #[test]
    fn stats_report_zero_denominators_are_none() {
        let r = PeriodReport::from_counters(&Counters::new(), &Counters::new(), None);
        assert_eq!(r.total, 0);
        assert_eq!(r.rates, Rates::default());
        let e = PeriodReport::empty();
        assert_eq!(e.rates.handled_on_time, None);
        assert_eq!(e.in_progress_split, Some(InProgressSplit::default()));
    }

    #[test]
    fn stats_report_rows_add_like_their_counters() {
        let a_before = counters(&[(Metric::ReceivedOnline, 4), (Metric::Resolved, 1)]);
        let a_within = counters(&[
            (Metric::ReceivedCounter, 3),
            (Metric::Resolved, 2),
            (Metric::ResolvedEarly, 2),
            (Metric::FinishedIndexOnTime, 2),
        ]);
        let b_before = counters(&[(Metric::ReceivedPostal, 2)]);
        let b_within = counters(&[
            (Metric::ReceivedOnline, 1),
            (Metric::Resolved, 3),
            (Metric::ResolvedLate, 3),
            (Metric::FinishedIndexLate, 3),
        ]);
        let sa = InProgressSplit {
            within_time: 3,
            overdue: 1,
        };
        let sb = InProgressSplit {
            within_time: 0,
            overdue: 0,
        };
        let a = PeriodReport::from_counters(&a_before, &a_within, Some(sa));
        let b = PeriodReport::from_counters(&b_before, &b_within, Some(sb));
        let parent = PeriodReport::from_counters(
            &(a_before + b_before),
            &(a_within + b_within),
            Some(sa + sb),
        );
        assert_eq!(a.clone() + b.clone(), parent);
        assert_eq!(
            vec![a.clone(), b.clone()].into_iter().sum::<PeriodReport>(),
            parent
        );
        // Rates are recomputed, not averaged: 2 early of 5 resolved.
        assert_eq!(parent.rates.on_time, Some(40.0));
        // An unknown split makes the parent's unknown.
        let c = PeriodReport::from_counters(&Counters::new(), &Counters::new(), None);
        assert_eq!((a + c).in_progress_split, None);
    }
}
