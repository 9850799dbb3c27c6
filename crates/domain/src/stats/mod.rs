//! Statistics counters and the periodic report, pure (no I/O, no async).
//!
//! The store keeps `stat_daily (agency, procedure, day, metric) → value`, updated in the same
//! transaction as the events. This module says what changes: [`deltas`] turns one command
//! (the state before, the envelopes appended, the state after) into [`CounterDelta`]s;
//! [`replay_counters`] recomputes them from a whole history (`motcua stats rebuild`; a test
//! proves rebuild == incremental). [`Counters`] sums cells; [`PeriodReport`] makes the report
//! row (Circular 03/2025-style) from the counters before a period and inside it, and the
//! service index ([`crate::index`]) is computed from the same counters.
//!
//! # What a counter belongs to
//!
//! - **Day**: the Vietnam date of the event (not the receipt date of the dossier). A period's
//!   figures are the sums of its days, and the cumulative sums up to a day give balances:
//!   in progress at the end of day d = received + moved in − moved out − finished, up to d
//!   ([`Counters::in_progress`]); waiting for the check = lodged − received − refused −
//!   withdrawn before receipt ([`Counters::awaiting_receipt`]).
//! - **Agency**: the agency holding the dossier when the event happens. Lodging and receipt
//!   count at the receiving place (the dossier code's agency); a forward (chuyển xử lý) or a
//!   transfer (liên thông) counts out at the sender and in at the receiver on the same day,
//!   so the dossier's "in progress" moves with it, and cancels in any parent holding both
//!   agencies; the finish counts at the agency that finishes it. A unit's report is the sum of
//!   its cells (agencies × procedures), so "the Department's dossiers received at the service
//!   centre" is the cells of the centre for the Department's procedures.
//! - **Procedure**: the dossier's, constant; the caller adds it to each delta.
//!
//! # Finishing, once
//!
//! A received dossier finishes (kết thúc xử lý) at the first of: result issued
//! ([`Metric::Resolved`]), stopped, withdrawn — the one event that sets
//! [`crate::dossier::DossierState::finished_at`]. That event alone counts the finish, its legal
//! split (resolved only: early / on time / late) and its index split (every finish, as the
//! national portal counts indicator 2.1: a dossier asked for a supplement during processing
//! more than once is late, [`Metric::FinishedLateBySupplements`]). A withdrawal before receipt
//! or after the result is counted apart and is not a finish; a refusal is never received.
//!
//! # Digitisation and re-use
//!
//! [`Metric::Digitised`] counts a dossier once, at the event that first gives it both a file
//! on a component and an electronic result (a document attached, or the electronic result
//! recorded, whichever comes second), as the national portal counts indicator 4.2;
//! [`Metric::Reused`] counts it once, at its first component taken from data already held
//! (indicator 4.3). Both at the agency holding the dossier then.

mod counters;
mod deltas;
mod metric;
mod open;
pub mod rate;
mod report;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

pub use counters::{CounterDelta, Counters, coalesce};
pub use deltas::{deltas, replay_counters};
pub use metric::Metric;
pub use open::{open_deltas, replay_open};
pub use report::{InProgressSplit, PeriodReport, Rates};
