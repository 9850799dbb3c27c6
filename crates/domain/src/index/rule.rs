//! From a rate to points: the arithmetic of each [`PointsRule`], before rounding.

use super::pack::PointsRule;

/// Points for `rate` (a fraction: 0.73 for 73%) under `rule` with maximum `max`. A negative
/// rate (inconsistent inputs) scores 0. [`PointsRule::Satisfaction54`] takes the rate it
/// derived (see [`satisfaction_rate`]).
pub fn points(rule: &PointsRule, max: f64, rate: f64) -> f64 {
    let rate = rate.max(0.0);
    match rule {
        PointsRule::Linear => max * rate,
        PointsRule::CappedLinear => (max * rate).min(max),
        PointsRule::FullAt { threshold } | PointsRule::Satisfaction54 { threshold, .. } => {
            if rate >= *threshold {
                max
            } else {
                max * rate / threshold
            }
        }
        PointsRule::NotScored => 0.0,
    }
}

/// The numerator of indicator 5.4: the denominator less the penalties, never below 0.
pub fn satisfaction_numerator(denominator: f64, penalties: f64) -> f64 {
    (denominator - penalties).max(0.0)
}

/// The rate of indicator 5.4 (`None` when the denominator is 0).
pub fn satisfaction_rate(denominator: f64, penalties: f64) -> Option<f64> {
    (denominator != 0.0).then(|| satisfaction_numerator(denominator, penalties) / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate::round2;

    fn full_at(threshold: f64) -> PointsRule {
        PointsRule::FullAt { threshold }
    }

    #[test]
    fn index_rule_linear() {
        // 2.1: 20 × 45/50.
        assert_eq!(round2(points(&PointsRule::Linear, 20.0, 45.0 / 50.0)), 18.0);
        // 1.1: 6 × 2/3 = 4.
        assert_eq!(round2(points(&PointsRule::Linear, 6.0, 2.0 / 3.0)), 4.0);
        // 3.6: 6 × 7/9 = 4.666… → 4.67.
        assert_eq!(round2(points(&PointsRule::Linear, 6.0, 7.0 / 9.0)), 4.67);
        // The portal's literal formula has no cap.
        assert_eq!(round2(points(&PointsRule::Linear, 6.0, 1.2)), 7.2);
        assert_eq!(points(&PointsRule::Linear, 6.0, -0.5), 0.0);
    }

    #[test]
    fn index_rule_capped_linear() {
        // 4.1: 6 × 3/8 = 2.25.
        assert_eq!(points(&PointsRule::CappedLinear, 6.0, 3.0 / 8.0), 2.25);
        assert_eq!(points(&PointsRule::CappedLinear, 6.0, 1.0), 6.0);
        assert_eq!(points(&PointsRule::CappedLinear, 6.0, 1.25), 6.0);
    }

    #[test]
    fn index_rule_full_at_threshold() {
        // 3.1 (≥ 80% full): 60% → 2 × 0.6 / 0.8 = 1.5; 80% and 95% → 2.
        assert_eq!(round2(points(&full_at(0.8), 2.0, 0.6)), 1.5);
        assert_eq!(points(&full_at(0.8), 2.0, 0.8), 2.0);
        assert_eq!(points(&full_at(0.8), 2.0, 0.95), 2.0);
        // 3.3 (≥ 50% full): 30% → 6 × 0.3 / 0.5 = 3.6; 50% → 6.
        assert_eq!(round2(points(&full_at(0.5), 6.0, 0.3)), 3.6);
        assert_eq!(points(&full_at(0.5), 6.0, 0.5), 6.0);
        // 4.3 is the fitted min(2, 2 × rate / 0.8): 1/3 → 0.83.
        assert_eq!(round2(points(&full_at(0.8), 2.0, 1.0 / 3.0)), 0.83);
        assert_eq!(points(&full_at(0.8), 2.0, 0.0), 0.0);
    }

    #[test]
    fn index_rule_satisfaction_5_4() {
        let rule = PointsRule::Satisfaction54 {
            threshold: 0.9,
            penalties: vec![],
        };
        // 40 dossiers, 6 overdue, 2 with a complaint: 32/40 = 80% → 6 × 0.8 / 0.9 = 5.333….
        let rate = satisfaction_rate(40.0, 8.0).unwrap();
        assert_eq!(rate, 0.8);
        assert_eq!(round2(points(&rule, 6.0, rate)), 5.33);
        // 37/40 = 92.5% ≥ 90% → full.
        assert_eq!(
            points(&rule, 6.0, satisfaction_rate(40.0, 3.0).unwrap()),
            6.0
        );
        // More penalties than dossiers: 0, not negative.
        assert_eq!(satisfaction_numerator(5.0, 9.0), 0.0);
        assert_eq!(
            points(&rule, 6.0, satisfaction_rate(5.0, 9.0).unwrap()),
            0.0
        );
        assert_eq!(satisfaction_rate(0.0, 0.0), None);
    }

    #[test]
    fn index_rule_not_scored() {
        assert_eq!(points(&PointsRule::NotScored, 0.0, 0.7), 0.0);
    }
}
