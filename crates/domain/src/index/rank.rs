//! Ranking units by their index ([`rank`]), keeping each unit's denominator beside its score
//! and setting aside units with too few dossiers to judge (`insufficient_data`): with 5
//! dossiers one late dossier costs 4 of the 20 points of indicator 2.1, so a small unit would
//! otherwise top or tail the table by chance.

use serde::{Deserialize, Serialize};

use super::compute::IndexResult;

/// Ranking options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankOptions {
    /// Units that received fewer dossiers in the period are not ranked.
    pub min_received: u64,
}

impl Default for RankOptions {
    /// 30 dossiers: one dossier then moves indicator 2.1 by at most 0.67 of its 20 points.
    fn default() -> RankOptions {
        RankOptions { min_received: 30 }
    }
}

/// One unit in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked<T> {
    pub unit: T,
    pub result: IndexResult,
    /// Dossiers received in the period: the denominator the ranking trusts.
    pub received: u64,
    /// 1 for the best; units with equal totals share a rank (1, 2, 2, 4). `None` when not
    /// ranked.
    pub rank: Option<u32>,
    /// Fewer dossiers than [`RankOptions::min_received`]: shown, never ranked.
    pub insufficient_data: bool,
    /// Highest total among the ranked units (only when at least two totals differ).
    pub best: bool,
    /// Lowest total among the ranked units (only when at least two totals differ).
    pub worst: bool,
}

/// Ranks units `(unit, result, dossiers received)`: the ranked ones by total, highest first
/// (equal totals keep their input order), then the units with insufficient data, by total.
pub fn rank<T: Clone>(units: &[(T, IndexResult, u64)], options: RankOptions) -> Vec<Ranked<T>> {
    let mut out: Vec<Ranked<T>> = units
        .iter()
        .map(|(unit, result, received)| Ranked {
            unit: unit.clone(),
            result: result.clone(),
            received: *received,
            rank: None,
            insufficient_data: *received < options.min_received,
            best: false,
            worst: false,
        })
        .collect();
    // Stable: ranked before insufficient, then by total descending.
    out.sort_by(|a, b| {
        a.insufficient_data
            .cmp(&b.insufficient_data)
            .then(b.result.total.total_cmp(&a.result.total))
    });
    let ranked: Vec<f64> = out
        .iter()
        .filter(|r| !r.insufficient_data)
        .map(|r| r.result.total)
        .collect();
    let (Some(&high), Some(&low)) = (ranked.first(), ranked.last()) else {
        return out;
    };
    for r in out.iter_mut().filter(|r| !r.insufficient_data) {
        let above = ranked.iter().filter(|&&t| t > r.result.total).count();
        r.rank = Some(u32::try_from(above + 1).unwrap_or(u32::MAX));
        if high > low {
            r.best = r.result.total == high;
            r.worst = r.result.total == low;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(total: f64) -> IndexResult {
        IndexResult {
            version: "test".into(),
            groups: vec![],
            total,
            max_with_data: 100.0,
        }
    }

    fn summary<'a>(r: &[Ranked<&'a str>]) -> Vec<(&'a str, Option<u32>, bool, bool, bool)> {
        r.iter()
            .map(|r| (r.unit, r.rank, r.insufficient_data, r.best, r.worst))
            .collect()
    }

    #[test]
    fn index_rank_ties_and_small_units() {
        let units = [
            ("Xã A", result(71.5), 120),
            ("Xã B", result(88.25), 45),
            ("Xã C", result(99.0), 4),
            ("Xã D", result(71.5), 300),
            ("Xã E", result(40.0), 30),
            ("Xã F", result(12.0), 29),
        ];
        let r = rank(&units, RankOptions::default());
        assert_eq!(
            summary(&r),
            [
                ("Xã B", Some(1), false, true, false),
                ("Xã A", Some(2), false, false, false),
                ("Xã D", Some(2), false, false, false),
                ("Xã E", Some(4), false, false, true),
                // 99 points from 4 dossiers is not "the best"; 29 dossiers is not "the worst".
                ("Xã C", None, true, false, false),
                ("Xã F", None, true, false, false),
            ]
        );
        assert_eq!(r[4].received, 4);
        // With a lower minimum every unit is ranked.
        let r = rank(&units, RankOptions { min_received: 1 });
        assert_eq!(r[0].unit, "Xã C");
        assert!(r[0].best && r.last().unwrap().worst);
    }

    #[test]
    fn index_rank_equal_or_single_units_have_no_best_or_worst() {
        let r = rank(
            &[("A", result(50.0), 100), ("B", result(50.0), 100)],
            RankOptions::default(),
        );
        assert_eq!(
            summary(&r),
            [
                ("A", Some(1), false, false, false),
                ("B", Some(1), false, false, false)
            ]
        );
        let r = rank(&[("A", result(50.0), 100)], RankOptions::default());
        assert_eq!(summary(&r), [("A", Some(1), false, false, false)]);
        let r = rank(&[("A", result(50.0), 1)], RankOptions::default());
        assert_eq!(summary(&r), [("A", None, true, false, false)]);
        assert!(rank::<&str>(&[], RankOptions::default()).is_empty());
    }
}
