//! Why a feedback command is refused: a stable machine [`code`](FeedbackError::code) for the
//! API and a Vietnamese [`message_vi`](FeedbackError::message_vi). A refused command changes
//! nothing.

use chrono::{DateTime, Utc};

use super::state::FeedbackStatus;

/// A refused feedback command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("not allowed in status {status:?}: {action}")]
    NotAllowedInState {
        status: FeedbackStatus,
        action: &'static str,
    },
    #[error("this actor may not {action}")]
    ActorNotAllowed { action: &'static str },
    #[error("the command's instant {at} is before the report's last event ({last})")]
    TimeBeforeLastEvent {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    #[error("field {field} is empty, longer than {max} characters or has forbidden characters")]
    InvalidText { field: &'static str, max: usize },
    #[error("at most {max} photos")]
    TooManyPhotos { max: usize },
    #[error("a photo must be a JPEG or PNG named by its SHA-256")]
    InvalidPhoto,
    #[error("a place is a point in Vietnam and/or a commune")]
    InvalidPlace,
    #[error("the report is already at that unit")]
    SameAgency,
    #[error("the date is outside the legal calendar")]
    OutOfCalendar,
}

impl FeedbackError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowedInState { .. } => "feedback_not_allowed_in_state",
            Self::ActorNotAllowed { .. } => "feedback_actor_not_allowed",
            Self::TimeBeforeLastEvent { .. } => "feedback_time_before_last_event",
            Self::InvalidText { .. } => "feedback_text_invalid",
            Self::TooManyPhotos { .. } => "feedback_too_many_photos",
            Self::InvalidPhoto => "feedback_photo_invalid",
            Self::InvalidPlace => "feedback_place_invalid",
            Self::SameAgency => "feedback_same_agency",
            Self::OutOfCalendar => "feedback_out_of_calendar",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotAllowedInState { status, .. } => format!(
                "Phản ánh, kiến nghị đang ở trạng thái «{}», không thực hiện được thao tác này.",
                status.label_vi()
            ),
            Self::ActorNotAllowed { .. } => "Bạn không có quyền thực hiện thao tác này.".into(),
            Self::TimeBeforeLastEvent { .. } => {
                "Thời điểm thao tác sớm hơn thao tác gần nhất của phản ánh, kiến nghị.".into()
            }
            Self::InvalidText { field, max } => format!(
                "Nội dung «{field}» không được để trống, không quá {max} ký tự và không chứa ký \
                 tự điều khiển."
            ),
            Self::TooManyPhotos { max } => format!("Gửi kèm tối đa {max} ảnh."),
            Self::InvalidPhoto => "Ảnh phải là tệp JPEG hoặc PNG.".into(),
            Self::InvalidPlace => {
                "Vị trí phải là một điểm trên lãnh thổ Việt Nam hoặc một xã, phường.".into()
            }
            Self::SameAgency => "Phản ánh, kiến nghị đang ở chính cơ quan này.".into(),
            Self::OutOfCalendar => "Ngày nằm ngoài lịch làm việc đã biết.".into(),
        }
    }
}
