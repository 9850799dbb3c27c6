//! Fees and payments (phí, lệ phí; thanh toán trực tuyến), pure: commands → events → state, as
//! the dossier ([`crate::dossier`]) does.
//!
//! - [`fee_line`](FeeLine): what is owed, one line per fee or charge, from the catalogue.
//! - [`command`](PaymentCommand): what is asked ([`PaymentAction`]), by whom ([`PaymentActor`]).
//! - [`event`](PaymentEvent): what happened, as stored ([`PaymentEnvelope`]).
//! - [`state`](PaymentState): the fold of the events, with its [`PaymentStatus`].
//! - `decide`: every rule — [`decide`], [`execute`], [`fold`].
//! - [`words`]: the amount in Vietnamese words, for receipts.
//!
//! # Transitions
//!
//! | status | allowed actions → next status |
//! |---|---|
//! | `empty` | open (staff) → due |
//! | `due` | start_attempt → pending; record_counter → paid |
//! | `pending` | report paid → paid; report failed → failed; expire (at or after the attempt's expiry) → expired; start_attempt or record_counter after the expiry → expires it first |
//! | `failed`, `expired` | start_attempt → pending (a new reference); record_counter → paid; a late report paid → paid |
//! | `paid` | refund → refunded; reports change nothing, except a second attempt paid → extra_payment_received (to give back), status stays paid |
//! | `refunded` | reports as in `paid` |
//! | `empty`, `due`, `pending` (past its expiry: expires it first), `failed`, `expired`, `waived` | adjust (staff, with a reason) → due, or waived when the lines add up to zero |
//!
//! # Rules
//!
//! - Amounts are integer đồng. The amount due is the sum of the lines, fixed when the payment is
//!   opened; each attempt carries it.
//! - Paid online only by a verified gateway report ([`ReportSource::Notification`] or
//!   [`ReportSource::Query`], from [`PaymentActor::System`]) for exactly the attempt's amount;
//!   a wrong amount is refused and changes nothing. The browser's return is no source.
//! - Paid once: a repeated success changes nothing; a success of another attempt after the
//!   settlement is recorded as an extra payment to give back, never as a second payment.
//! - A failure never overrides a success; an expired or failed attempt is retried with a new
//!   attempt under a new reference, and a late success of the old one still counts.
//! - Staff (a receiving officer) record cash and bank transfer for exactly the amount due, not
//!   while an online attempt may still succeed. Citizens only start attempts: they never record
//!   a payment.
//! - A refund gives back the whole amount paid, by a receiving officer or a leader, with a reason.

mod command;
mod decide;
mod error;
mod event;
pub mod fee_line;
mod state;
pub mod words;

pub use command::{
    GatewayOutcome, MAX_CODE_CHARS, MAX_GATEWAY_CHARS, MAX_REASON_CHARS, MAX_REFERENCE_CHARS,
    PaymentAction, PaymentActor, PaymentCommand, ReportSource,
};
pub use decide::{allowed_statuses, decide, execute, fold};
pub use error::PaymentError;
pub use event::{PaymentEnvelope, PaymentEvent};
pub use fee_line::{FeeLine, kind_name, lines_from_fee, total_vnd};
pub use state::{
    Adjustment, Attempt, AttemptOutcome, ExtraPayment, PaymentState, PaymentStatus, RefundRecord,
    Settlement,
};
pub use words::amount_in_words;
