//! The state of a report: the fold of its events, its status and its deadlines.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{Calendar, CalendarError};
use crate::dossier::vietnam_date;

use super::decide::{FIRST_SUPPLEMENT_DAYS, HANDLE_DAYS, PUBLISH_DAYS, REFUSE_DAYS};
use super::event::{FeedbackEnvelope, FeedbackEvent};
use super::report::{Category, Report};

/// Where a report is, named as the national portal groups its states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// No event yet.
    Empty,
    /// Chờ tiếp nhận (also after a transfer, at the new unit).
    Submitted,
    /// Đang xử lý.
    InProgress,
    /// Chờ bổ sung.
    AwaitingSupplement,
    /// Dự thảo trả lời, chờ lãnh đạo duyệt.
    AnswerDrafted,
    /// Đã xử lý, chờ công khai.
    AwaitingPublication,
    /// Đã công khai.
    Published,
    /// Từ chối tiếp nhận.
    Refused,
    /// Rút phản ánh, kiến nghị.
    Withdrawn,
}

impl FeedbackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Submitted => "submitted",
            Self::InProgress => "in_progress",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::AnswerDrafted => "answer_drafted",
            Self::AwaitingPublication => "awaiting_publication",
            Self::Published => "published",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Empty,
            Self::Submitted,
            Self::InProgress,
            Self::AwaitingSupplement,
            Self::AnswerDrafted,
            Self::AwaitingPublication,
            Self::Published,
            Self::Refused,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Empty => "Chưa gửi",
            Self::Submitted => "Chờ tiếp nhận",
            Self::InProgress => "Đang xử lý",
            Self::AwaitingSupplement => "Chờ bổ sung thông tin",
            Self::AnswerDrafted => "Chờ duyệt trả lời",
            Self::AwaitingPublication => "Đã xử lý, chờ công khai",
            Self::Published => "Đã công khai",
            Self::Refused => "Từ chối tiếp nhận",
            Self::Withdrawn => "Đã rút",
        }
    }

    /// Handled: the unit's work is done (the answer approved or published).
    pub fn is_handled(self) -> bool {
        matches!(self, Self::AwaitingPublication | Self::Published)
    }

    /// Still to be handled by a unit.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::InProgress | Self::AwaitingSupplement | Self::AnswerDrafted
        )
    }
}

/// The dates by which each step is due (Vietnam dates, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// The day the clock started: submission, or the latest transfer.
    pub start: NaiveDate,
    pub refuse_by: NaiveDate,
    pub first_supplement_by: NaiveDate,
    pub handle_by: NaiveDate,
    /// Known once approved.
    pub publish_by: Option<NaiveDate>,
}

/// A report against its handling deadline on a given day (indicator 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Handled on or before the deadline.
    HandledOnTime,
    /// Handled after it.
    HandledLate,
    /// Open, within the deadline.
    InTime,
    /// Open, past the deadline.
    Overdue,
    /// Refused or withdrawn: not a PAKN handled by the unit.
    NotHandled,
}

impl Timeliness {
    /// Counts as on time for indicator 5.2.
    pub fn is_on_time(self) -> bool {
        matches!(self, Self::HandledOnTime | Self::InTime)
    }
}

/// A report as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackState {
    pub status: FeedbackStatus,
    pub version: u32,
    pub last_at: Option<DateTime<Utc>>,
    pub report: Option<Report>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The signed-in author, if any.
    pub author: Option<Uuid>,
    /// The unit that holds it now.
    pub agency: Option<Uuid>,
    pub category: Option<Category>,
    /// When its clock started: submission, or the latest transfer.
    pub clock_start: Option<DateTime<Utc>>,
    pub transfers: u32,
    /// The status a request for more was made in (where a supplement brings it back).
    pub asked_from: Option<FeedbackStatus>,
    pub first_more_asked_at: Option<DateTime<Utc>>,
    pub supplements: u32,
    pub answer: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The last reaction of each account to the published answer.
    pub reactions: BTreeMap<Uuid, bool>,
}

impl Default for FeedbackState {
    fn default() -> Self {
        FeedbackState {
            status: FeedbackStatus::Empty,
            version: 0,
            last_at: None,
            report: None,
            submitted_at: None,
            author: None,
            agency: None,
            category: None,
            clock_start: None,
            transfers: 0,
            asked_from: None,
            first_more_asked_at: None,
            supplements: 0,
            answer: None,
            approved_at: None,
            published_at: None,
            closed_at: None,
            reactions: BTreeMap::new(),
        }
    }
}

impl FeedbackState {
    /// Likes and dislikes of the published answer.
    pub fn reaction_counts(&self) -> (usize, usize) {
        let likes = self.reactions.values().filter(|l| **l).count();
        (likes, self.reactions.len() - likes)
    }

    /// More dislikes than likes: "not satisfied" for indicator 5.3.
    pub fn disliked(&self) -> bool {
        let (likes, dislikes) = self.reaction_counts();
        dislikes > likes
    }

    /// The deadlines of the current clock, on `calendar`.
    pub fn deadlines(&self, calendar: &Calendar) -> Result<Option<Deadlines>, CalendarError> {
        let Some(start) = self.clock_start.map(vietnam_date) else {
            return Ok(None);
        };
        Ok(Some(Deadlines {
            start,
            refuse_by: calendar.add_working_days(start, REFUSE_DAYS)?,
            first_supplement_by: calendar.add_working_days(start, FIRST_SUPPLEMENT_DAYS)?,
            handle_by: calendar.add_working_days(start, HANDLE_DAYS)?,
            publish_by: match self.approved_at {
                Some(a) => Some(calendar.add_working_days(vietnam_date(a), PUBLISH_DAYS)?),
                None => None,
            },
        }))
    }

    /// Against the handling deadline, as of the Vietnam date `today` (indicator 5.2).
    pub fn timeliness(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<Timeliness, CalendarError> {
        let Some(d) = self.deadlines(calendar)? else {
            return Ok(Timeliness::NotHandled);
        };
        Ok(match (self.status, self.approved_at) {
            (FeedbackStatus::Refused | FeedbackStatus::Withdrawn, _) => Timeliness::NotHandled,
            (_, Some(at)) if vietnam_date(at) <= d.handle_by => Timeliness::HandledOnTime,
            (_, Some(_)) => Timeliness::HandledLate,
            (_, None) if today <= d.handle_by => Timeliness::InTime,
            (_, None) => Timeliness::Overdue,
        })
    }

    /// Applies one event (already decided): the state after it.
    pub fn apply(&mut self, env: &FeedbackEnvelope) {
        use FeedbackEvent as E;
        use FeedbackStatus as S;
        self.version = env.seq;
        self.last_at = Some(env.at);
        match &env.event {
            E::Submitted {
                report,
                agency,
                author,
            } => {
                self.status = S::Submitted;
                self.category = Some(report.subject.default_category());
                self.report = Some((**report).clone());
                self.agency = Some(*agency);
                self.author = *author;
                self.submitted_at = Some(env.at);
                self.clock_start = Some(env.at);
            }
            E::Received { category } => {
                self.status = S::InProgress;
                self.category = Some(*category);
            }
            E::Classified { category } => self.category = Some(*category),
            E::Refused { .. } => {
                self.status = S::Refused;
                self.closed_at = Some(env.at);
            }
            E::Transferred { to_agency, .. } => {
                self.status = S::Submitted;
                self.agency = Some(*to_agency);
                self.clock_start = Some(env.at);
                self.transfers += 1;
                self.answer = None;
            }
            E::MoreAsked { .. } => {
                self.asked_from = Some(self.status);
                self.status = S::AwaitingSupplement;
                self.first_more_asked_at.get_or_insert(env.at);
            }
            E::Supplemented { .. } => {
                self.status = self.asked_from.take().unwrap_or(S::InProgress);
                self.supplements += 1;
            }
            E::AnswerDrafted { answer } => {
                self.status = S::AnswerDrafted;
                self.answer = Some(answer.clone());
            }
            E::DraftReturned { .. } => self.status = S::InProgress,
            E::Approved { .. } => {
                self.status = S::AwaitingPublication;
                self.approved_at = Some(env.at);
            }
            E::Published { .. } => {
                self.status = S::Published;
                self.published_at = Some(env.at);
                self.closed_at = Some(env.at);
            }
            E::Reacted { account, like } => {
                self.reactions.insert(*account, *like);
            }
            E::Withdrawn { .. } => {
                self.status = S::Withdrawn;
                self.closed_at = Some(env.at);
            }
        }
    }
}
