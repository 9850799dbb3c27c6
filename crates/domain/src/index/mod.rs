//! The service index of Decision 766/QĐ-TTg (Bộ chỉ số phục vụ người dân, doanh nghiệp) as a
//! versioned rule pack, pure (no I/O, no async). Every "how many points" is answered here.
//!
//! - [`IndexPack`]: groups and indicators read from JSON and validated
//!   ([`IndexPack::from_json`]); [`IndexPacks`] holds several, keyed by version and effective
//!   date. The embedded pack [`DVCQG_2025_JSON`] (`index-766-dvcqg-2025.json`) is the index as
//!   the national portal computes it (legal-rules §3.2: six display groups, 100 points).
//! - [`IndexInputs`] → [`compute`] → [`IndexResult`]: points per indicator, group and in
//!   total, with the numerators and denominators behind them.
//! - [`index_inputs`]: the inputs from the statistics counters ([`crate::stats`]) and a few
//!   catalogue figures ([`CatalogueFacts`]).
//! - [`rank`]: units by total, small units set aside ([`Ranked::insufficient_data`]).
//!
//! # Pack format
//!
//! ```json
//! { "version": "766-dvcqg-2025", "name_vi": "…", "effective_from": "2022-06-23",
//!   "source": "…",
//!   "groups": [ { "code": "2", "name_vi": "Tiến độ, kết quả giải quyết", "max": 20,
//!     "indicators": [ { "code": "2.1", "portal_metric": null, "name_vi": "…", "max": 20,
//!       "numerator": "dossiers_handled_on_time", "denominator": "dossiers_to_handle",
//!       "points": { "rule": "linear" }, "when_zero_denominator": "zero",
//!       "rate_unit": "percent", "rate_factor": null, "note": "…" } ] } ] }
//! ```
//!
//! Keys are [`InputKey`]s. Points rules ([`PointsRule`]), with rate = numerator /
//! denominator as a fraction:
//! - `linear`: max × rate (the portal's literal formula, uncapped);
//! - `capped_linear`: min(max, max × rate);
//! - `full_at` with `threshold` t: max when rate ≥ t, else max × rate / t;
//! - `satisfaction_5_4` with `threshold` and `penalties` (keys, each optionally
//!   `missing_as_zero`): no numerator; rate = (denominator − Σ penalties) / denominator, then
//!   as `full_at`;
//! - `not_scored`: shown with its figures, maximum 0.
//!
//! `when_zero_denominator` is `zero` (default) or `full`; `rate_unit` is `percent` (default)
//! or `ratio` (an average, for 2.2); `rate_factor` names another
//! indicator whose rate multiplies this one's (3.3 × the synchronisation rate 1.4), applied
//! only when that indicator has data. Validation: unique codes, known keys, thresholds in
//! (0, 1], group maxima equal to the sums of their indicators, 100 in all.
//!
//! # Scoring choices
//!
//! - **No data.** An indicator whose input motcua does not hold (absent from the inputs:
//!   publication dates 1.1–1.2, synchronisation 1.4, the personal data store 4.4, the
//!   population database 4.5a–b, electronic certified copies; feedback 5.1–5.3 for a single
//!   procedure's drill-down) scores 0, as the portal scores missing data, and is marked
//!   `no_data`; [`IndexResult::max_with_data`] says how many points the data held can earn.
//!   A zero denominator is not "no data": it follows `when_zero_denominator` (5.2 and 5.3:
//!   full points, as the portal gives a unit without feedback).
//! - **Rounding.** Rates (in percent) and points are rounded to 2 decimals per indicator,
//!   half away from zero; groups and the total add the rounded points.
//! - **Period.** A period is scored with the pack in force on its first day.
//! - **Ranking bands** (Xuất sắc, Tốt, …) are not in any source found; none are invented.
//! - The 2022 decision's own appendix (five groups) was not available in full
//!   (legal-rules §3.1), so no pack is written from it; [`IndexPacks`] takes a second pack
//!   when one is.

mod compute;
mod error;
mod from_stats;
mod keys;
mod pack;
mod packs;
mod rank;
pub mod rule;

#[cfg(test)]
mod pack_tests;
#[cfg(test)]
mod workload_tests;

pub use compute::{GroupResult, IndexInputs, IndexResult, IndicatorResult, compute};
pub use error::{IndicatorProblem, PackError};
pub use from_stats::{CatalogueFacts, ProcedureFacts, add_feedback, index_inputs};
pub use keys::{InputKey, InputSource};
pub use pack::{
    GroupSpec, IndexPack, IndicatorSpec, Penalty, PointsRule, RateUnit, ZeroDenominator,
};
pub use packs::{DVCQG_2025_JSON, IndexPacks, dvcqg_2025};
pub use rank::{RankOptions, Ranked, rank};
