//! motcua's pure domain: the rules of Vietnamese administrative procedures, with no I/O and no
//! async. Every "when" lives in [`calendar`], every "who may" in [`auth`], text matching in
//! [`text`], the limits and characters of free text in [`input`], the administrative-unit and agency model in [`units`] and [`agency`], the
//! procedure record in [`catalogue`] and the agencies' internal processes in [`workflow`].
//! Statistics counters and reports live in [`stats`], the Decision 766 service index in [`index`],
//! fees and payments in [`payment`]. Every conversion between UTC and Vietnam time is in
//! [`vn_time`].

pub mod agency;
pub mod auth;
pub mod calendar;
pub mod catalogue;
pub mod dossier;
pub mod feedback;
pub mod hall;
pub mod index;
pub mod input;
pub mod payment;
pub mod stats;
pub mod text;
pub mod units;
pub mod vn_time;
pub mod workflow;

/// A key the domain does not know: a state or kind stored as text that no enum variant names
/// (what the storage boundary reports instead of guessing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownKey {
    pub what: &'static str,
    pub value: String,
}
