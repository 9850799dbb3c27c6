//! The dossier (hồ sơ) state machine: commands → events → state, pure (no I/O, no async).
//!
//! Decrees 61/2018 and 118/2025 (one-stop mechanism), Circulars 01/2018 and 03/2025 (forms and
//! the dossier code), and the national portal's rules for Decision 766 statistics.
//!
//! - [`code`](DossierCode): the dossier code `000.00.06.H56-251027-0361`.
//! - [`applicant`](Applicant): the applicant and the personal identification number
//!   ([`CitizenId`]), with validation and masking.
//! - [`command`](Command): what is asked ([`DossierAction`]), by whom ([`Actor`]) and when.
//! - [`event`](Event): what happened, as stored ([`EventEnvelope`]).
//! - [`state`](DossierState): the fold of the events, with its [`Status`].
//! - `decide`: every rule — [`decide`], [`execute`], [`replay`] / [`fold`].
//! - [`document`](AttachedDocument): accepted file types recognised by content
//!   ([`MediaType::sniff`]), where a file came from ([`DocumentSource`]).
//! - [`error`](DossierError): refusals, each with a stable `code()` and a Vietnamese
//!   `message_vi()`.
//! - [`timeliness`]: the effective appointment, legal and statistical on-time classification,
//!   "overdue now".
//!
//! The service layer loads the state (the projection, or [`fold`] of the events), calls
//! [`execute`], appends the envelopes and applies them ([`DossierState::apply`]) in one
//! transaction. Whatever the rules need from outside (the appointment computed by the
//! calendar, a step's due instant, the fee due, the current effective appointment) comes in the
//! command.
//!
//! # Transitions
//!
//! | status (label) | allowed actions → next status |
//! |---|---|
//! | `empty` (Chưa khởi tạo) | submit → submitted; receive_direct (counter, postal) → received |
//! | `submitted` (Chờ tiếp nhận) | receive → received; request_intake_supplement → awaiting_intake_supplement; refuse → **refused**; attach_document; withdraw → **withdrawn** |
//! | `awaiting_intake_supplement` (Chờ bổ sung, hoàn thiện để tiếp nhận) | provide_supplement → submitted; attach_document; withdraw → **withdrawn** |
//! | `received` (Đã tiếp nhận) | forward → processing; stop → **stopped**; apologize; collect_fee; attach_document; withdraw → **withdrawn** |
//! | `processing` (Đang xử lý) | assign_step, complete_step; transfer → processing (next agency); request_supplement → awaiting_supplement; approve → approved; reject → rejected; stop → **stopped**; apologize; collect_fee; attach_document; withdraw → **withdrawn** |
//! | `awaiting_supplement` (Tạm dừng, chờ bổ sung hồ sơ) | provide_supplement → processing; stop → **stopped**; collect_fee; attach_document; withdraw → **withdrawn** |
//! | `approved` (Đã phê duyệt), `rejected` (Không đủ điều kiện giải quyết) | record_result → done; assign_step, complete_step; apologize; collect_fee; attach_document; withdraw → **withdrawn** |
//! | `done` (Đã xử lý xong) | return_result → **returned**; assign_step, complete_step; collect_fee; attach_document; withdraw → **withdrawn** |
//! | **returned** (Đã trả kết quả) | rate (once; the status stays) |
//! | **refused** (Từ chối tiếp nhận), **stopped** (Dừng giải quyết), **withdrawn** (Đã rút hồ sơ) | nothing: terminal |
//!
//! Actions without an arrow keep the status. Roles: submit online — citizen; submit at the
//! counter or by post, receive_direct, receive, request_intake_supplement, refuse, forward,
//! return_result — receiving officer; provide_supplement, collect_fee (citizens: online
//! payment only), withdraw, attach_document — the citizen who lodged online, or a receiving
//! officer;
//! rate — the citizen who lodged online, once, after the return;
//! adjust_fee (received to done, while nothing is collected; keeps the status) and refund_fee
//! (any status after receipt, up to what was collected; keeps the status) — receiving officer
//! or leader, with a reason, through the payment service only;
//! assign_step, complete_step, request_supplement, apologize, record_result — receiving
//! officer, specialist or leader (a step is completed or reassigned by its assignee or a
//! leader); transfer, stop — specialist or leader; approve, reject — leader.
//!
//! # Legal choices made here
//!
//! - The code is issued when the dossier is first lodged (online: at submission, so the
//!   citizen can follow it at once); its date is that day in Vietnam time, and it never changes
//!   (a supplement at intake, a transfer keep it).
//! - A supplement during processing pauses the clock; it is not restarted (as the national
//!   portal counts, legal-rules §1.4). A stop or withdrawal while waiting closes the pause at
//!   that instant, so the dossier is judged as at the request, as the portal does.
//! - Apology and extension: once per dossier, strictly before the current effective appointment,
//!   to a later date, not while the clock is paused, and not once the result is issued. The
//!   Decree 61/2018 "no later than one day before" is not enforced: it is unconfirmed under
//!   Decree 118/2025.
//! - Fees: the amount due is fixed at receipt; it may be collected in parts, never beyond what
//!   is due, any time after receipt; the result is returned only when it is fully collected,
//!   whether the decision granted or not (a waiver is expressed as 0 due at receipt).
//! - An online return needs an electronic result (a result code and a file), as the national
//!   index counts electronic results.
//! - Withdrawal is possible at any non-terminal point, including after the result is issued but
//!   before it is returned; the finish ("kết thúc xử lý") stays the result's instant then.
//! - Roles: [`decide`] checks the role that performs each transition (so an imported history is
//!   checked too); which agencies a user may act for stays the question of
//!   [`crate::auth::Principal::may`]. Citizens act only on dossiers they lodged online; for a
//!   counter or postal dossier the receiving officer records what the citizen asks.
//! - Documents (số hóa, Decree 45/2020, Circular 01/2023): a receiving officer attaches files
//!   scanned at the counter in any open status; the citizen uploads online only while the
//!   dossier waits for them (before the check, or when asked for a supplement); either may
//!   attach a file taken from the same person's earlier dossier (re-use; that it is the same
//!   person's is checked by the service, which holds the data). The same file is attached to a
//!   component once. The electronic result's file is the `file_ref` of `record_result`
//!   (`sha256:<hex>`), not a separate event.
//! - The applicant's birth year (from the identification number) is checked against the
//!   Vietnam date of the command. Phone numbers: mobile numbers have 10 digits, landlines 11
//!   (02x area codes since the 2017 renumbering), both also in `+84` form.

mod applicant;
mod code;
mod command;
mod decide;
mod document;
mod error;
mod event;
mod state;
pub mod timeliness;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub use applicant::{
    Applicant, ApplicantError, ApplicantField, CitizenId, PROVINCE_CODES, PublicApplicant,
    normalize_phone, province_name,
};
pub use code::{DossierCode, DossierCodeError, MAX_DAILY_SEQUENCE};
pub use command::{
    Actor, Authorisation, Collector, Command, DossierAction, MAX_AUTHORISATION_NUMBER_CHARS,
    MAX_AUTHORISATION_SCOPE_CHARS, MAX_COMPONENT_PIECES, MAX_COMPONENTS, MAX_RATING_COMMENT_CHARS,
    MAX_TRACKING_CHARS, PaymentMethod, ProcedureRef, RatingLevel, ReceivedComponent, ResultForm,
    ReturnChannel, Submission, TransferOutcome,
};
pub use decide::{
    MAX_FEE_REASON_CHARS, allowed_roles, allowed_statuses, checked_authorisation, decide, execute,
    fold, originating_command, replay,
};
pub use document::{
    AttachedDocument, DocumentSource, MAX_COMPONENT_CHARS, MediaType, component_key, is_sha256_hex,
};
pub use error::DossierError;
pub(crate) use error::vn_money;
pub use event::{Event, EventEnvelope};
pub use state::{
    ActiveStep, AgencyHop, ApologyRecord, Away, Closure, Decision, DossierState, HopKind, Origin,
    Pause, Payment, Postage, Rating, ResultRecord, Status, StepEnd, StepRecord, SupplementRequest,
    Turn, Verdict,
};

/// An instant as Vietnam local time; `None` past the end of chrono's range.
pub(crate) fn vietnam_local(at: DateTime<Utc>) -> Option<NaiveDateTime> {
    crate::vn_time::checked_local(at)
}

/// The calendar date of an instant in Vietnam (see [`crate::vn_time::date`]).
pub fn vietnam_date(at: DateTime<Utc>) -> NaiveDate {
    crate::vn_time::date(at)
}
