//! Counter values: one change ([`CounterDelta`]) and a set of totals ([`Counters`], metric →
//! value) with the balances derived from them.

use std::collections::{BTreeMap, HashMap};
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;

use super::metric::Metric;

/// One counter change: `metric` of `agency` on `day` (the Vietnam date of the event) moves by
/// `delta`. The procedure is the dossier's (it never changes); the caller adds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CounterDelta {
    pub day: NaiveDate,
    pub agency: AgencyCode,
    pub metric: Metric,
    pub delta: i64,
}

/// Merges the deltas of the same day, agency and metric and drops those summing to 0: one
/// upsert per row. Ordered by day, agency code, metric.
pub fn coalesce(deltas: impl IntoIterator<Item = CounterDelta>) -> Vec<CounterDelta> {
    let mut sums: HashMap<(NaiveDate, AgencyCode, Metric), i64> = HashMap::new();
    for d in deltas {
        *sums.entry((d.day, d.agency, d.metric)).or_default() += d.delta;
    }
    let mut out: Vec<CounterDelta> = sums
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((day, agency, metric), delta)| CounterDelta {
            day,
            agency,
            metric,
            delta,
        })
        .collect();
    out.sort_by(|a, b| {
        (a.day, a.agency.as_str(), a.metric).cmp(&(b.day, b.agency.as_str(), b.metric))
    });
    out
}

/// Totals per metric over some cells (agencies × procedures × days); absent means 0. Sum the
/// cells of children to get the parent's: commune → province → ministry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Counters(BTreeMap<Metric, i64>);

impl Counters {
    pub fn new() -> Counters {
        Counters::default()
    }

    /// The value of `metric` (0 when absent).
    pub fn get(&self, metric: Metric) -> i64 {
        self.0.get(&metric).copied().unwrap_or(0)
    }

    /// Adds `delta` to `metric` (a value back at 0 is dropped, so equal totals compare equal).
    pub fn add_to(&mut self, metric: Metric, delta: i64) {
        let v = self.0.entry(metric).or_insert(0);
        *v += delta;
        if *v == 0 {
            self.0.remove(&metric);
        }
    }

    /// Builder form of [`Counters::add_to`].
    pub fn with(mut self, metric: Metric, value: i64) -> Counters {
        self.add_to(metric, value);
        self
    }

    /// The non-zero values, in metric order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, i64)> + '_ {
        self.0.iter().map(|(m, v)| (*m, *v))
    }

    /// The totals of `deltas` (any agencies and days: filter first).
    pub fn from_deltas<'a>(deltas: impl IntoIterator<Item = &'a CounterDelta>) -> Counters {
        let mut c = Counters::new();
        for d in deltas {
            c.add_to(d.metric, d.delta);
        }
        c
    }

    /// Dossiers received, every channel.
    pub fn received(&self) -> i64 {
        self.get(Metric::ReceivedOnline)
            + self.get(Metric::ReceivedCounter)
            + self.get(Metric::ReceivedPostal)
    }

    /// Dossiers that came in by forwarding or transfer.
    pub fn moved_in(&self) -> i64 {
        self.get(Metric::ForwardedIn) + self.get(Metric::TransferredIn)
    }

    /// Dossiers that left by forwarding or transfer.
    pub fn moved_out(&self) -> i64 {
        self.get(Metric::ForwardedOut) + self.get(Metric::TransferredOut)
    }

    /// Received dossiers finished (kết thúc xử lý): resolved, stopped or withdrawn. Each
    /// dossier finishes once.
    pub fn finished(&self) -> i64 {
        self.get(Metric::Resolved) + self.get(Metric::Stopped) + self.get(Metric::Withdrawn)
    }

    /// For cumulative counters up to a day: dossiers in progress (received, not finished) at
    /// the end of that day, held by these agencies.
    pub fn in_progress(&self) -> i64 {
        self.received() + self.moved_in() - self.moved_out() - self.finished()
    }

    /// For cumulative counters up to a day: dossiers lodged and waiting for the check (or for
    /// a supplement before receipt) at the end of that day.
    pub fn awaiting_receipt(&self) -> i64 {
        self.get(Metric::Submitted)
            - self.received()
            - self.get(Metric::Refused)
            - self.get(Metric::WithdrawnBeforeReceipt)
    }
}

impl AddAssign<&Counters> for Counters {
    fn add_assign(&mut self, rhs: &Counters) {
        for (m, v) in rhs.iter() {
            self.add_to(m, v);
        }
    }
}

impl AddAssign for Counters {
    fn add_assign(&mut self, rhs: Counters) {
        *self += &rhs;
    }
}

impl Add for Counters {
    type Output = Counters;
    fn add(mut self, rhs: Counters) -> Counters {
        self += &rhs;
        self
    }
}

impl Sum for Counters {
    fn sum<I: Iterator<Item = Counters>>(iter: I) -> Counters {
        iter.fold(Counters::new(), Add::add)
    }
}

impl<'a> Sum<&'a Counters> for Counters {
    fn sum<I: Iterator<Item = &'a Counters>>(iter: I) -> Counters {
        iter.fold(Counters::new(), |mut acc, c| {
            acc += c;
            acc
        })
    }
}

impl FromIterator<(Metric, i64)> for Counters {
    fn from_iter<I: IntoIterator<Item = (Metric, i64)>>(iter: I) -> Counters {
        let mut c = Counters::new();
        for (m, v) in iter {
            c.add_to(m, v);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn agency(s: &str) -> AgencyCode {
        AgencyCode::parse(s).unwrap()
    }

    #[test]
    fn stats_counters_add_sum_and_drop_zeros() {
        let a = Counters::new()
            .with(Metric::ReceivedOnline, 3)
            .with(Metric::Resolved, 1);
        let b = Counters::new()
            .with(Metric::ReceivedOnline, -3)
            .with(Metric::ReceivedPostal, 2);
        let sum = a.clone() + b.clone();
        assert_eq!(sum.get(Metric::ReceivedOnline), 0);
        assert_eq!(sum.iter().count(), 2);
        assert_eq!(
            sum,
            Counters::new()
                .with(Metric::Resolved, 1)
                .with(Metric::ReceivedPostal, 2)
        );
        assert_eq!([a.clone(), b.clone()].iter().sum::<Counters>(), sum);
        assert_eq!(vec![a, b].into_iter().sum::<Counters>(), sum);
    }

    #[test]
    fn stats_counters_balances() {
        let c: Counters = [
            (Metric::Submitted, 10),
            (Metric::Refused, 1),
            (Metric::WithdrawnBeforeReceipt, 1),
            (Metric::ReceivedOnline, 4),
            (Metric::ReceivedCounter, 2),
            (Metric::ReceivedPostal, 1),
            (Metric::ForwardedIn, 2),
            (Metric::TransferredOut, 1),
            (Metric::Resolved, 3),
            (Metric::Stopped, 1),
            (Metric::Withdrawn, 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(c.received(), 7);
        assert_eq!(c.finished(), 5);
        assert_eq!(c.in_progress(), 7 + 2 - 1 - 5);
        assert_eq!(c.awaiting_receipt(), 10 - 7 - 1 - 1);
    }

    #[test]
    fn stats_counters_serialise_as_a_map_of_keys() {
        let c = Counters::new()
            .with(Metric::PaidOnline, 2)
            .with(Metric::Resolved, 5);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"resolved":5,"paid_online":2}"#);
        let back: Counters = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn stats_coalesce_merges_and_orders() {
        let a = agency("000.00.06.H56");
        let b = agency("000.00.01.H56");
        let d = |day_: u32, ag: &AgencyCode, metric, delta| CounterDelta {
            day: day(day_),
            agency: ag.clone(),
            metric,
            delta,
        };
        let merged = coalesce(vec![
            d(2, &a, Metric::Resolved, 1),
            d(1, &a, Metric::Submitted, 1),
            d(2, &a, Metric::Resolved, 1),
            d(1, &b, Metric::Submitted, 1),
            d(1, &b, Metric::ForwardedIn, 1),
            d(1, &b, Metric::ForwardedIn, -1),
        ]);
        assert_eq!(
            merged,
            vec![
                d(1, &b, Metric::Submitted, 1),
                d(1, &a, Metric::Submitted, 1),
                d(2, &a, Metric::Resolved, 2),
            ]
        );
    }
}
