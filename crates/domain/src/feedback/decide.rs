//! The rules: [`decide`] says whether a command may happen to a report and which events it
//! produces; [`execute`] numbers them; [`fold`] rebuilds a report from its envelopes. Every
//! "may this happen" of a report is answered here.
//!
//! Checks run in this order: the command is not earlier than the last event; the status allows
//! the action; the actor may perform it; then the action's own data.

use crate::auth::Role;
use crate::calendar::Calendar;
use crate::dossier::vietnam_date;

use super::command::{FeedbackAction, FeedbackActor, FeedbackCommand};
use super::error::FeedbackError;
use super::event::{FeedbackEnvelope, FeedbackEvent};
use super::report::{MAX_ANSWER_CHARS, MAX_CONTENT_CHARS, MAX_REASON_CHARS, check_photos, text};
use super::state::{FeedbackState, FeedbackStatus};

/// Working days after the start to refuse a report.
pub const REFUSE_DAYS: u32 = 2;
/// Working days after the start to ask for more the first time.
pub const FIRST_SUPPLEMENT_DAYS: u32 = 5;
/// Working days after the start to handle it (approve the answer).
pub const HANDLE_DAYS: u32 = 15;
/// Working days after the approval to publish the answer.
pub const PUBLISH_DAYS: u32 = 2;

use FeedbackStatus as S;

/// Statuses in which an action is allowed.
pub fn allowed_statuses(action: &FeedbackAction) -> &'static [FeedbackStatus] {
    use FeedbackAction as A;
    match action {
        A::Submit { .. } => &[S::Empty],
        A::Receive { .. } | A::Refuse { .. } => &[S::Submitted],
        A::Classify { .. } => &[
            S::Submitted,
            S::InProgress,
            S::AwaitingSupplement,
            S::AnswerDrafted,
        ],
        A::Transfer { .. } | A::AskMore { .. } => &[S::Submitted, S::InProgress],
        A::Supplement { .. } => &[S::AwaitingSupplement],
        A::DraftAnswer { .. } => &[S::InProgress, S::AnswerDrafted],
        A::ReturnDraft { .. } | A::Approve => &[S::AnswerDrafted],
        A::Publish => &[S::AwaitingPublication],
        A::React { .. } => &[S::Published],
        A::Withdraw { .. } => &[S::Submitted, S::AwaitingSupplement],
    }
}

/// Whether `actor` may perform `action` on `state`.
fn actor_may(state: &FeedbackState, actor: &FeedbackActor, action: &FeedbackAction) -> bool {
    use FeedbackAction as A;
    let staff =
        |roles: &[Role]| matches!(actor, FeedbackActor::Staff { role, .. } if roles.contains(role));
    let handler = staff(&[Role::ReceivingOfficer, Role::Specialist, Role::Leader]);
    // The author, when signed in; anyone holding the report's code otherwise (the application
    // checks the person's secret for an anonymous report).
    let author = match actor {
        FeedbackActor::Person { account } => state.author.is_none() || *account == state.author,
        FeedbackActor::Staff { .. } => false,
    };
    match action {
        A::Submit { .. } => {
            matches!(actor, FeedbackActor::Person { .. }) || staff(&[Role::ReceivingOfficer])
        }
        A::Receive { .. }
        | A::Classify { .. }
        | A::Refuse { .. }
        | A::Transfer { .. }
        | A::AskMore { .. } => handler,
        // A supplement brought to the counter is recorded by its officer.
        A::Supplement { .. } => author || staff(&[Role::ReceivingOfficer]),
        A::DraftAnswer { .. } => staff(&[Role::Specialist, Role::Leader]),
        A::ReturnDraft { .. } | A::Approve => staff(&[Role::Leader]),
        A::Publish => staff(&[Role::Leader, Role::ReceivingOfficer]),
        A::React { .. } => matches!(actor, FeedbackActor::Person { account: Some(_) }),
        A::Withdraw { .. } => author,
    }
}

/// The events a command produces, or why it is refused. An empty list means the command is
/// accepted and changes nothing (the same reaction again).
pub fn decide(
    state: &FeedbackState,
    cmd: &FeedbackCommand,
    calendar: &Calendar,
) -> Result<Vec<FeedbackEvent>, FeedbackError> {
    use FeedbackAction as A;
    use FeedbackEvent as E;
    let action = cmd.action.name();
    if let Some(last) = state.last_at
        && cmd.at < last
    {
        return Err(FeedbackError::TimeBeforeLastEvent { at: cmd.at, last });
    }
    let status = state.status;
    if !allowed_statuses(&cmd.action).contains(&status) {
        return Err(FeedbackError::NotAllowedInState { status, action });
    }
    if !actor_may(state, &cmd.actor, &cmd.action) {
        return Err(FeedbackError::ActorNotAllowed { action });
    }
    let today = vietnam_date(cmd.at);
    let deadlines = state
        .deadlines(calendar)
        .map_err(|_| FeedbackError::OutOfCalendar)?;
    let after = |by: Option<chrono::NaiveDate>| by.is_some_and(|by| today > by);
    let event = match &cmd.action {
        A::Submit { report, agency } => {
            report.check()?;
            // The deadlines of the new report must be computable.
            calendar
                .add_working_days(today, HANDLE_DAYS)
                .map_err(|_| FeedbackError::OutOfCalendar)?;
            E::Submitted {
                report: Box::new(report.clone()),
                agency: *agency,
                author: match cmd.actor {
                    FeedbackActor::Person { account } => account,
                    FeedbackActor::Staff { .. } => None,
                },
            }
        }
        A::Receive { category } => E::Received {
            category: *category,
        },
        A::Classify { category } => {
            if state.category == Some(*category) {
                return Ok(Vec::new());
            }
            E::Classified {
                category: *category,
            }
        }
        A::Refuse { reason } => {
            text("reason", reason, MAX_REASON_CHARS)?;
            E::Refused {
                reason: reason.trim().to_string(),
                late: after(deadlines.map(|d| d.refuse_by)),
            }
        }
        A::Transfer { to_agency, reason } => {
            text("reason", reason, MAX_REASON_CHARS)?;
            if state.agency == Some(*to_agency) {
                return Err(FeedbackError::SameAgency);
            }
            E::Transferred {
                from_agency: state.agency.unwrap_or_default(),
                to_agency: *to_agency,
                reason: reason.trim().to_string(),
            }
        }
        A::AskMore { what } => {
            text("what", what, MAX_REASON_CHARS)?;
            E::MoreAsked {
                what: what.trim().to_string(),
                late: state.first_more_asked_at.is_none()
                    && after(deadlines.map(|d| d.first_supplement_by)),
            }
        }
        A::Supplement { content, photos } => {
            text("content", content, MAX_CONTENT_CHARS)?;
            check_photos(photos)?;
            E::Supplemented {
                content: content.trim().to_string(),
                photos: photos.clone(),
            }
        }
        A::DraftAnswer { answer } => {
            text("answer", answer, MAX_ANSWER_CHARS)?;
            E::AnswerDrafted {
                answer: answer.trim().to_string(),
            }
        }
        A::ReturnDraft { reason } => {
            text("reason", reason, MAX_REASON_CHARS)?;
            E::DraftReturned {
                reason: reason.trim().to_string(),
            }
        }
        A::Approve => E::Approved {
            late: after(deadlines.map(|d| d.handle_by)),
        },
        A::Publish => E::Published {
            late: after(deadlines.and_then(|d| d.publish_by)),
        },
        A::React { like } => {
            let FeedbackActor::Person {
                account: Some(account),
            } = cmd.actor
            else {
                return Err(FeedbackError::ActorNotAllowed { action });
            };
            if state.reactions.get(&account) == Some(like) {
                return Ok(Vec::new());
            }
            E::Reacted {
                account,
                like: *like,
            }
        }
        A::Withdraw { reason } => {
            text("reason", reason, MAX_REASON_CHARS)?;
            E::Withdrawn {
                reason: reason.trim().to_string(),
            }
        }
    };
    Ok(vec![event])
}

/// Decides `cmd` and numbers its events after the state's version; returns them and the state
/// after them.
pub fn execute(
    state: &FeedbackState,
    cmd: &FeedbackCommand,
    calendar: &Calendar,
) -> Result<(Vec<FeedbackEnvelope>, FeedbackState), FeedbackError> {
    let events = decide(state, cmd, calendar)?;
    let mut next = state.clone();
    let mut out = Vec::with_capacity(events.len());
    for (i, event) in events.into_iter().enumerate() {
        let env = FeedbackEnvelope {
            seq: state.version + 1 + i as u32,
            at: cmd.at,
            actor: cmd.actor,
            event,
        };
        next.apply(&env);
        out.push(env);
    }
    Ok((out, next))
}

/// The state a report's envelopes (in order) leave it in.
pub fn fold<'a>(envelopes: impl IntoIterator<Item = &'a FeedbackEnvelope>) -> FeedbackState {
    let mut state = FeedbackState::default();
    for env in envelopes {
        state.apply(env);
    }
    state
}
