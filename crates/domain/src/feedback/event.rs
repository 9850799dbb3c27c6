//! Events: the facts of a report's life, as stored. The `kind` names are stable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::command::FeedbackActor;
use super::report::{Category, Photo, Report};

/// One event, numbered within its report (1, 2, …), with its instant and actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackEnvelope {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: FeedbackActor,
    pub event: FeedbackEvent,
}

/// A fact about a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedbackEvent {
    Submitted {
        report: Box<Report>,
        agency: Uuid,
        /// The signed-in author, if any: the one who may supplement or withdraw.
        author: Option<Uuid>,
    },
    Received {
        category: Category,
    },
    Classified {
        category: Category,
    },
    Refused {
        reason: String,
        /// After the refusal deadline.
        late: bool,
    },
    Transferred {
        from_agency: Uuid,
        to_agency: Uuid,
        reason: String,
    },
    MoreAsked {
        what: String,
        /// The first request, after its deadline.
        late: bool,
    },
    Supplemented {
        content: String,
        photos: Vec<Photo>,
    },
    AnswerDrafted {
        answer: String,
    },
    DraftReturned {
        reason: String,
    },
    Approved {
        /// After the handling deadline.
        late: bool,
    },
    Published {
        /// After the publication deadline.
        late: bool,
    },
    Reacted {
        account: Uuid,
        like: bool,
    },
    Withdrawn {
        reason: String,
    },
}

impl FeedbackEvent {
    /// The stable kind name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            FeedbackEvent::Submitted { .. } => "submitted",
            FeedbackEvent::Received { .. } => "received",
            FeedbackEvent::Classified { .. } => "classified",
            FeedbackEvent::Refused { .. } => "refused",
            FeedbackEvent::Transferred { .. } => "transferred",
            FeedbackEvent::MoreAsked { .. } => "more_asked",
            FeedbackEvent::Supplemented { .. } => "supplemented",
            FeedbackEvent::AnswerDrafted { .. } => "answer_drafted",
            FeedbackEvent::DraftReturned { .. } => "draft_returned",
            FeedbackEvent::Approved { .. } => "approved",
            FeedbackEvent::Published { .. } => "published",
            FeedbackEvent::Reacted { .. } => "reacted",
            FeedbackEvent::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The Vietnamese label of the event, for the timeline shown to the person and the public.
    pub fn label_vi(&self) -> &'static str {
        match self {
            FeedbackEvent::Submitted { .. } => "Gửi phản ánh, kiến nghị",
            FeedbackEvent::Received { .. } => "Tiếp nhận",
            FeedbackEvent::Classified { .. } => "Phân loại",
            FeedbackEvent::Refused { .. } => "Từ chối tiếp nhận",
            FeedbackEvent::Transferred { .. } => "Chuyển cơ quan có thẩm quyền",
            FeedbackEvent::MoreAsked { .. } => "Đề nghị bổ sung thông tin",
            FeedbackEvent::Supplemented { .. } => "Đã bổ sung thông tin",
            FeedbackEvent::AnswerDrafted { .. } => "Dự thảo trả lời",
            FeedbackEvent::DraftReturned { .. } => "Trả lại dự thảo",
            FeedbackEvent::Approved { .. } => "Đã xử lý, chờ công khai",
            FeedbackEvent::Published { .. } => "Đã công khai kết quả",
            FeedbackEvent::Reacted { .. } => "Đánh giá kết quả",
            FeedbackEvent::Withdrawn { .. } => "Rút phản ánh, kiến nghị",
        }
    }
}
