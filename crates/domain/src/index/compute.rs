//! Scoring: the named input figures of a unit and period ([`IndexInputs`]) through a pack
//! ([`compute`]) into points per indicator, group and in total ([`IndexResult`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::stats::rate::round2;

use super::keys::InputKey;
use super::pack::{IndexPack, IndicatorSpec, PointsRule, RateUnit, ZeroDenominator};
use super::rule::{points, satisfaction_numerator};

/// The figures of one unit and period; a key absent means motcua does not hold it (the
/// indicators that need it are "no data"), a key at 0 means nothing was counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IndexInputs(BTreeMap<InputKey, f64>);

impl IndexInputs {
    pub fn new() -> IndexInputs {
        IndexInputs::default()
    }

    pub fn set(&mut self, key: InputKey, value: f64) {
        self.0.insert(key, value);
    }

    /// Builder form of [`IndexInputs::set`].
    pub fn with(mut self, key: InputKey, value: f64) -> IndexInputs {
        self.set(key, value);
        self
    }

    pub fn get(&self, key: InputKey) -> Option<f64> {
        self.0.get(&key).copied()
    }

    pub fn remove(&mut self, key: InputKey) -> Option<f64> {
        self.0.remove(&key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (InputKey, f64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

/// The score of one unit and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexResult {
    /// The pack's version.
    pub version: String,
    pub groups: Vec<GroupResult>,
    /// Out of 100, 2 decimals.
    pub total: f64,
    /// The points that could be earned with the data held: 100 less the maxima of the
    /// indicators with no data.
    pub max_with_data: f64,
}

/// The score of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub code: String,
    pub name_vi: String,
    pub max: f64,
    /// The sum of its indicators' points, 2 decimals.
    pub points: f64,
    pub indicators: Vec<IndicatorResult>,
}

/// The score of one indicator, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub code: String,
    pub portal_metric: Option<String>,
    pub name_vi: String,
    pub max: f64,
    /// `None` when not held (for 5.4: the denominator less the penalties).
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// In `rate_unit` (percent unless the pack says otherwise), 2 decimals, after the rate
    /// factor; `None` without data or with a zero denominator.
    pub rate: Option<f64>,
    pub rate_unit: RateUnit,
    /// 2 decimals.
    pub points: f64,
    /// An input is not held: scored 0, as the portal scores missing data.
    pub no_data: bool,
    /// Counted toward the total (false for indicators that are only tracked).
    pub scored: bool,
    /// Inputs that were missing and counted as 0 (allowed by the pack).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_zero: Vec<InputKey>,
    /// The rate factor applied (a fraction), when the pack names one and it has data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
}

/// The raw figures of one indicator: `None` when some input is not held.
struct Figures {
    numerator: f64,
    denominator: f64,
    assumed_zero: Vec<InputKey>,
}

fn figures(spec: &IndicatorSpec, inputs: &IndexInputs) -> Option<Figures> {
    let denominator = inputs.get(spec.denominator)?;
    let mut assumed_zero = Vec::new();
    let numerator = match (&spec.points, spec.numerator) {
        (PointsRule::Satisfaction54 { penalties, .. }, _) => {
            let mut sum = 0.0;
            for p in penalties {
                match inputs.get(p.key) {
                    Some(v) => sum += v,
                    None if p.missing_as_zero => assumed_zero.push(p.key),
                    None => return None,
                }
            }
            satisfaction_numerator(denominator, sum)
        }
        (_, Some(key)) => inputs.get(key)?,
        // A validated pack always names the numerator of the other rules.
        (_, None) => return None,
    };
    Some(Figures {
        numerator,
        denominator,
        assumed_zero,
    })
}

/// The plain rate (a fraction) of an indicator, before any factor.
fn plain_rate(spec: &IndicatorSpec, inputs: &IndexInputs) -> Option<f64> {
    figures(spec, inputs)
        .filter(|f| f.denominator != 0.0)
        .map(|f| f.numerator / f.denominator)
}

/// Scores `inputs` with `pack` (validated). Rates and points are rounded to 2 decimals per
/// indicator; a group's points are the sum of its indicators', the total the sum of the
/// groups'.
pub fn compute(pack: &IndexPack, inputs: &IndexInputs) -> IndexResult {
    // Rates other indicators may multiply by.
    let factors: HashMap<&str, Option<f64>> = pack
        .indicators()
        .filter_map(|i| i.rate_factor.as_deref())
        .map(|code| {
            (
                code,
                pack.indicator(code).and_then(|s| plain_rate(s, inputs)),
            )
        })
        .collect();
    let mut max_without_data = 0.0;
    let groups: Vec<GroupResult> = pack
        .groups
        .iter()
        .map(|g| {
            let indicators: Vec<IndicatorResult> = g
                .indicators
                .iter()
                .map(|spec| {
                    let factor = spec
                        .rate_factor
                        .as_deref()
                        .and_then(|c| factors.get(c).copied().flatten());
                    let r = indicator(spec, inputs, factor);
                    if r.no_data {
                        max_without_data += spec.max;
                    }
                    r
                })
                .collect();
            let points = round2(
                indicators
                    .iter()
                    .filter(|i| i.scored)
                    .map(|i| i.points)
                    .sum(),
            );
            GroupResult {
                code: g.code.clone(),
                name_vi: g.name_vi.clone(),
                max: g.max,
                points,
                indicators,
            }
        })
        .collect();
    let total = round2(groups.iter().map(|g| g.points).sum());
    IndexResult {
        version: pack.version.clone(),
        groups,
        total,
        max_with_data: round2(100.0 - max_without_data),
    }
}

fn indicator(spec: &IndicatorSpec, inputs: &IndexInputs, factor: Option<f64>) -> IndicatorResult {
    let scored = !matches!(spec.points, PointsRule::NotScored);
    let mut result = IndicatorResult {
        code: spec.code.clone(),
        portal_metric: spec.portal_metric.clone(),
        name_vi: spec.name_vi.clone(),
        max: spec.max,
        numerator: None,
        denominator: None,
        rate: None,
        rate_unit: spec.rate_unit,
        points: 0.0,
        no_data: true,
        scored,
        assumed_zero: Vec::new(),
        factor: None,
    };
    let Some(f) = figures(spec, inputs) else {
        // Show what is held even when the indicator cannot be scored.
        result.numerator = spec.numerator.and_then(|k| inputs.get(k));
        result.denominator = inputs.get(spec.denominator);
        return result;
    };
    result.no_data = false;
    result.numerator = Some(f.numerator);
    result.denominator = Some(f.denominator);
    result.assumed_zero = f.assumed_zero;
    if f.denominator == 0.0 {
        result.points = match spec.when_zero_denominator {
            ZeroDenominator::Full => spec.max,
            ZeroDenominator::Zero => 0.0,
        };
        return result;
    }
    let mut rate = f.numerator / f.denominator;
    if let Some(factor) = factor {
        rate *= factor;
        result.factor = Some(factor);
    }
    result.rate = Some(round2(match spec.rate_unit {
        RateUnit::Percent => rate * 100.0,
        RateUnit::Ratio => rate,
    }));
    result.points = round2(points(&spec.points, spec.max, rate));
    result
}

impl IndexResult {
    /// The indicator with this code.
    pub fn indicator(&self, code: &str) -> Option<&IndicatorResult> {
        self.groups
            .iter()
            .flat_map(|g| g.indicators.iter())
            .find(|i| i.code == code)
    }

    /// The group with this code.
    pub fn group(&self, code: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.code == code)
    }
}
