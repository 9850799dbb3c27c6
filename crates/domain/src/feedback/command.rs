//! What is asked of a report ([`FeedbackAction`]), by whom ([`FeedbackActor`]) and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;

use super::report::{Category, Photo, Report};

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum FeedbackActor {
    /// A member of the public: signed in (`account`), or not (an Open311 client posting for
    /// them, a report by e-mail). Only a signed-in person reacts to answers.
    Person { account: Option<Uuid> },
    /// Staff of the unit, in one of their roles.
    Staff { user: Uuid, role: Role },
}

/// A request to change a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackCommand {
    pub at: DateTime<Utc>,
    pub actor: FeedbackActor,
    pub action: FeedbackAction,
}

/// What may be done to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FeedbackAction {
    /// A new report for the unit `agency` (found by the application from its subject or place).
    Submit { report: Report, agency: Uuid },
    /// Staff take it in, classified.
    Receive { category: Category },
    /// Staff correct the classification.
    Classify { category: Category },
    /// Staff refuse it (not a PAKN within the rules), with the reason told to the person.
    Refuse { reason: String },
    /// Staff send it to the unit competent to handle it; its clock restarts there.
    Transfer { to_agency: Uuid, reason: String },
    /// Staff ask the person for more.
    AskMore { what: String },
    /// The person answers a request for more.
    Supplement { content: String, photos: Vec<Photo> },
    /// Staff write (or rewrite) the answer.
    DraftAnswer { answer: String },
    /// A leader sends the draft back, with what to change.
    ReturnDraft { reason: String },
    /// A leader approves the answer: handled (chờ công khai).
    Approve,
    /// The answer is made public (đã công khai).
    Publish,
    /// A signed-in person likes (`true`) or dislikes the published answer; again changes it.
    React { like: bool },
    /// The person takes the report back before it is handled.
    Withdraw { reason: String },
}

impl FeedbackAction {
    /// The action's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            FeedbackAction::Submit { .. } => "submit",
            FeedbackAction::Receive { .. } => "receive",
            FeedbackAction::Classify { .. } => "classify",
            FeedbackAction::Refuse { .. } => "refuse",
            FeedbackAction::Transfer { .. } => "transfer",
            FeedbackAction::AskMore { .. } => "ask_more",
            FeedbackAction::Supplement { .. } => "supplement",
            FeedbackAction::DraftAnswer { .. } => "draft_answer",
            FeedbackAction::ReturnDraft { .. } => "return_draft",
            FeedbackAction::Approve => "approve",
            FeedbackAction::Publish => "publish",
            FeedbackAction::React { .. } => "react",
            FeedbackAction::Withdraw { .. } => "withdraw",
        }
    }
}
