//! Citizen feedback (phản ánh, kiến nghị, PAKN), pure: commands → events → state, as the
//! dossier ([`crate::dossier`]) and the payment ([`crate::payment`]) do.
//!
//! - [`report`]: what a report is about ([`Subject`], [`Category`]), its photos, place and the
//!   person's private contact.
//! - [`command`](FeedbackCommand): what is asked ([`FeedbackAction`]), by whom ([`FeedbackActor`]).
//! - [`event`](FeedbackEvent): what happened, as stored ([`FeedbackEnvelope`]).
//! - [`state`](FeedbackState): the fold of the events, its [`FeedbackStatus`] and [`Deadlines`].
//! - `decide`: every rule — [`decide`], [`execute`], [`fold`].
//! - [`indicators`]: the counts of Decision 766 indicators 5.1–5.3 for a unit and period.
//!
//! # Transitions (the national portal's states, legal-rules.md §5)
//!
//! | status | allowed actions → next status |
//! |---|---|
//! | — | submit (a person or staff at the counter) → `submitted` (chờ tiếp nhận) |
//! | `submitted` | receive (staff, with a category) → `in_progress`; refuse (staff, reason) → `refused`; transfer (staff) → `submitted` at the other unit; ask_more (staff) → `awaiting_supplement`; withdraw (its author) → `withdrawn` |
//! | `in_progress` | classify; transfer → `submitted` at the other unit; ask_more → `awaiting_supplement`; draft_answer (staff) → `answer_drafted` |
//! | `awaiting_supplement` | supplement (its author) → back to where it was asked; withdraw → `withdrawn` |
//! | `answer_drafted` | draft_answer again; approve (leader) → `awaiting_publication` (chờ công khai); return_draft (leader, reason) → `in_progress` |
//! | `awaiting_publication` | publish (leader or receiving officer) → `published` |
//! | `published` | react (a signed-in person: like or dislike, one per account, may change) |
//! | `refused`, `withdrawn` | nothing |
//!
//! # Deadlines (working days on the legal calendar, counted from the day after the start)
//!
//! The start is the day of submission, or of the latest transfer (the clock restarts at the
//! unit that receives the transfer). From it: refuse within **2**, first request for more
//! within **5**, handled (approved: chờ công khai) within **15**; then published within **2**
//! of the approval. A request for more does not stop the clock (the portal's rule counts from
//! the submission or the latest transfer only). Late acts are allowed and recorded as late.
//!
//! # Service index (Decision 766)
//!
//! 5.2 counts a report handled on time when approved on or before its handling deadline, or
//! still in progress within it; 5.3 counts it not satisfactory when its answer has more
//! dislikes than likes, when it was handled late, or when another report complains of it
//! ([`Subject::Feedback`]).

mod command;
mod decide;
mod error;
mod event;
pub mod indicators;
pub mod report;
mod state;

pub use command::{FeedbackAction, FeedbackActor, FeedbackCommand};
pub use decide::{
    FIRST_SUPPLEMENT_DAYS, HANDLE_DAYS, PUBLISH_DAYS, REFUSE_DAYS, allowed_statuses, decide,
    execute, fold,
};
pub use error::FeedbackError;
pub use event::{FeedbackEnvelope, FeedbackEvent};
pub use indicators::{Counted, FeedbackCounts};
pub use report::{
    Category, Contact, MAX_ANSWER_CHARS, MAX_CONTENT_CHARS, MAX_PHOTOS, MAX_REASON_CHARS,
    MAX_TITLE_CHARS, Photo, Place, Report, Subject,
};
pub use state::{Deadlines, FeedbackState, FeedbackStatus, Timeliness};
