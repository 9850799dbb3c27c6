//! Rates and rounding as reports show them: percentages with 2 decimals, half away from zero.

/// Rounds to 2 decimals, half away from zero on the decimal value (1.005 → 1.01: the binary
/// error of `x × 100` is removed at 1e-6 before the final rounding).
pub fn round2(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let cents = ((x * 100.0) * 1e6).round() / 1e6;
    cents.round() / 100.0
}

/// `numerator / denominator` in percent with 2 decimals; `None` when the denominator is 0.
pub fn percent(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| round2(numerator as f64 * 100.0 / denominator as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_round2_half_away_from_zero() {
        assert_eq!(round2(1.005), 1.01);
        assert_eq!(round2(73.025), 73.03);
        assert_eq!(round2(2.0 / 3.0), 0.67);
        assert_eq!(round2(-1.005), -1.01);
        assert_eq!(round2(12.344_999), 12.34);
    }

    #[test]
    fn stats_percent() {
        assert_eq!(percent(2, 3), Some(66.67));
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(0, 5), Some(0.0));
        assert_eq!(percent(5, 0), None);
    }
}
