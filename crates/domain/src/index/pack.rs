//! A versioned index rule pack ([`IndexPack`]): groups of indicators, each with its maximum,
//! its numerator and denominator ([`InputKey`]s) and its points rule ([`PointsRule`]). Read
//! from JSON and validated ([`IndexPack::from_json`]); the format is in the module docs of
//! [`super`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{IndicatorProblem, PackError};
use super::keys::InputKey;

/// A rule pack: the indicators and formulas in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexPack {
    pub version: String,
    pub name_vi: String,
    pub effective_from: NaiveDate,
    /// Where the formulas come from.
    pub source: String,
    pub groups: Vec<GroupSpec>,
}

/// A group of indicators, as the portal displays it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSpec {
    pub code: String,
    pub name_vi: String,
    /// Equal to the sum of its indicators' maxima.
    pub max: f64,
    pub indicators: Vec<IndicatorSpec>,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSpec {
    /// The display code, e.g. `2.1`, `4.5b`.
    pub code: String,
    /// The national portal's metric code, when it has one (`PUBLISH_ON_TIME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_metric: Option<String>,
    pub name_vi: String,
    /// Maximum points (0 for an indicator that is only tracked).
    pub max: f64,
    /// `None` only for [`PointsRule::Satisfaction54`], which derives it.
    pub numerator: Option<InputKey>,
    pub denominator: InputKey,
    pub points: PointsRule,
    pub when_zero_denominator: ZeroDenominator,
    /// How the rate is shown.
    pub rate_unit: RateUnit,
    /// The rate is multiplied by the rate of this indicator (when that one has data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_factor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the rate (numerator / denominator, a fraction) becomes points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PointsRule {
    /// max × rate.
    Linear,
    /// min(max, max × rate).
    CappedLinear,
    /// Full points from `threshold` on; below it max × rate / threshold.
    FullAt { threshold: f64 },
    /// Indicator 5.4: rate = (denominator − Σ penalties) / denominator, then
    /// full points from `threshold` on (as [`PointsRule::FullAt`]).
    #[serde(rename = "satisfaction_5_4")]
    Satisfaction54 {
        threshold: f64,
        penalties: Vec<Penalty>,
    },
    /// Tracked and shown, never scored (maximum 0).
    NotScored,
}

/// A figure subtracted by [`PointsRule::Satisfaction54`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Penalty {
    pub key: InputKey,
    /// When the figure is missing, count it as 0 (and say so in the result) rather than
    /// marking the indicator "no data".
    #[serde(default)]
    pub missing_as_zero: bool,
}

/// How an indicator's rate is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// A percentage (73.03 for 73.03%).
    #[default]
    Percent,
    /// The plain quotient (an average: 3.5 days per dossier).
    Ratio,
}

/// Points when the denominator is 0 (nothing to judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroDenominator {
    #[default]
    Zero,
    Full,
}

// ---- reading ---------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    version: String,
    name_vi: String,
    effective_from: NaiveDate,
    #[serde(default)]
    source: String,
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    code: String,
    name_vi: String,
    max: f64,
    indicators: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    #[serde(default)]
    portal_metric: Option<String>,
    name_vi: String,
    max: f64,
    #[serde(default)]
    numerator: Option<String>,
    denominator: String,
    points: RawRule,
    #[serde(default)]
    when_zero_denominator: ZeroDenominator,
    #[serde(default)]
    rate_unit: RateUnit,
    #[serde(default)]
    rate_factor: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
enum RawRule {
    // Struct variants, so that a stray field is refused too.
    Linear {},
    CappedLinear {},
    FullAt {
        threshold: f64,
    },
    #[serde(rename = "satisfaction_5_4")]
    Satisfaction54 {
        threshold: f64,
        penalties: Vec<RawPenalty>,
    },
    NotScored {},
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPenalty {
    key: String,
    #[serde(default)]
    missing_as_zero: bool,
}

fn key(indicator: &str, name: &str) -> Result<InputKey, PackError> {
    InputKey::parse(name).ok_or_else(|| PackError::UnknownKey {
        indicator: indicator.to_owned(),
        key: name.to_owned(),
    })
}

impl RawIndicator {
    fn into_spec(self) -> Result<IndicatorSpec, PackError> {
        let code = self.code;
        let points = match self.points {
            RawRule::Linear {} => PointsRule::Linear,
            RawRule::CappedLinear {} => PointsRule::CappedLinear,
            RawRule::FullAt { threshold } => PointsRule::FullAt { threshold },
            RawRule::NotScored {} => PointsRule::NotScored,
            RawRule::Satisfaction54 {
                threshold,
                penalties,
            } => PointsRule::Satisfaction54 {
                threshold,
                penalties: penalties
                    .into_iter()
                    .map(|p| {
                        Ok(Penalty {
                            key: key(&code, &p.key)?,
                            missing_as_zero: p.missing_as_zero,
                        })
                    })
                    .collect::<Result<_, PackError>>()?,
            },
        };
        Ok(IndicatorSpec {
            numerator: self
                .numerator
                .as_deref()
                .map(|n| key(&code, n))
                .transpose()?,
            denominator: key(&code, &self.denominator)?,
            code,
            portal_metric: self.portal_metric,
            name_vi: self.name_vi,
            max: self.max,
            points,
            when_zero_denominator: self.when_zero_denominator,
            rate_unit: self.rate_unit,
            rate_factor: self.rate_factor,
            note: self.note,
        })
    }
}

/// Maxima are compared to this precision (they are written with at most 2 decimals).
const EPSILON: f64 = 1e-6;

impl IndexPack {
    /// Reads and validates a pack.
    pub fn from_json(json: &str) -> Result<IndexPack, PackError> {
        let raw: RawPack = serde_json::from_str(json).map_err(|e| PackError::Json {
            detail: e.to_string(),
        })?;
        let groups = raw
            .groups
            .into_iter()
            .map(|g| {
                Ok(GroupSpec {
                    code: g.code,
                    name_vi: g.name_vi,
                    max: g.max,
                    indicators: g
                        .indicators
                        .into_iter()
                        .map(RawIndicator::into_spec)
                        .collect::<Result<_, PackError>>()?,
                })
            })
            .collect::<Result<_, PackError>>()?;
        let pack = IndexPack {
            version: raw.version,
            name_vi: raw.name_vi,
            effective_from: raw.effective_from,
            source: raw.source,
            groups,
        };
        pack.validate()?;
        Ok(pack)
    }

    /// Every indicator, group by group.
    pub fn indicators(&self) -> impl Iterator<Item = &IndicatorSpec> {
        self.groups.iter().flat_map(|g| g.indicators.iter())
    }

    /// The indicator with this code.
    pub fn indicator(&self, code: &str) -> Option<&IndicatorSpec> {
        self.indicators().find(|i| i.code == code)
    }

    /// Checks the pack: a version, unique codes, sound indicators, group maxima equal to the
    /// sums of their indicators, and 100 points in all.
    pub fn validate(&self) -> Result<(), PackError> {
        if self.version.trim().is_empty() {
            return Err(PackError::NoVersion);
        }
        if self.groups.is_empty() {
            return Err(PackError::NoGroups);
        }
        let mut codes = std::collections::HashSet::new();
        for code in self
            .groups
            .iter()
            .map(|g| format!("group {}", g.code))
            .chain(self.indicators().map(|i| i.code.clone()))
        {
            if !codes.insert(code.clone()) {
                return Err(PackError::DuplicateCode {
                    code: code.trim_start_matches("group ").to_owned(),
                });
            }
        }
        for i in self.indicators() {
            self.check_indicator(i)
                .map_err(|problem| PackError::Indicator {
                    indicator: i.code.clone(),
                    problem,
                })?;
        }
        let mut total = 0.0;
        for g in &self.groups {
            let sum: f64 = g.indicators.iter().map(|i| i.max).sum();
            if !g.max.is_finite() || (g.max - sum).abs() > EPSILON {
                return Err(PackError::GroupMax {
                    group: g.code.clone(),
                    declared: g.max,
                    sum,
                });
            }
            total += g.max;
        }
        if (total - 100.0).abs() > EPSILON {
            return Err(PackError::TotalNot100 { sum: total });
        }
        Ok(())
    }

    fn check_indicator(&self, i: &IndicatorSpec) -> Result<(), IndicatorProblem> {
        use IndicatorProblem as P;
        if !i.max.is_finite() || i.max < 0.0 {
            return Err(P::BadMax);
        }
        match (&i.points, i.max > 0.0) {
            (PointsRule::NotScored, true) => return Err(P::NotScoredWithMax),
            (PointsRule::NotScored, false) => {}
            (_, false) => return Err(P::ScoredWithoutMax),
            _ => {}
        }
        match &i.points {
            PointsRule::Satisfaction54 {
                threshold,
                penalties,
            } => {
                if i.numerator.is_some() {
                    return Err(P::NumeratorNotAllowed);
                }
                if penalties.is_empty() {
                    return Err(P::NoPenalties);
                }
                check_threshold(*threshold)?;
            }
            PointsRule::FullAt { threshold } => {
                check_threshold(*threshold)?;
                if i.numerator.is_none() {
                    return Err(P::NumeratorRequired);
                }
            }
            PointsRule::Linear | PointsRule::CappedLinear | PointsRule::NotScored => {
                if i.numerator.is_none() {
                    return Err(P::NumeratorRequired);
                }
            }
        }
        if let Some(code) = &i.rate_factor {
            if *code == i.code {
                return Err(P::FactorOfItself);
            }
            let other = self
                .indicator(code)
                .ok_or_else(|| P::UnknownFactor { code: code.clone() })?;
            if other.rate_factor.is_some() {
                return Err(P::FactorChain { code: code.clone() });
            }
        }
        Ok(())
    }
}

fn check_threshold(threshold: f64) -> Result<(), IndicatorProblem> {
    if threshold.is_finite() && threshold > 0.0 && threshold <= 1.0 {
        Ok(())
    } else {
        Err(IndicatorProblem::BadThreshold { threshold })
    }
}
