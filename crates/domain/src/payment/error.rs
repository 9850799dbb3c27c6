//! Why a payment command is refused: a stable machine [`code`](PaymentError::code) for the API
//! and a Vietnamese [`message_vi`](PaymentError::message_vi). A refused command changes nothing.

use chrono::{DateTime, Utc};

use crate::dossier::vn_money;

use super::state::PaymentStatus;

/// A refused payment command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("not allowed in status {status:?}: {action}")]
    NotAllowedInState {
        status: PaymentStatus,
        action: &'static str,
    },
    #[error("this actor may not {action}")]
    ActorNotAllowed { action: &'static str },
    #[error("the command's instant {at} is before the payment's last event ({last})")]
    TimeBeforeLastEvent {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    #[error("no fee line, or a total of zero")]
    NothingDue,
    #[error("at most {max} fee lines")]
    TooManyLines { max: usize },
    #[error("fee line field {field} is empty or longer than {max} characters")]
    InvalidLine { field: &'static str, max: usize },
    #[error("amount above {max}")]
    AmountTooLarge { max: u64 },
    #[error("field {field} is empty or longer than {max} characters")]
    InvalidText { field: &'static str, max: usize },
    #[error("the attempt reference {reference} is already used")]
    DuplicateReference { reference: String },
    #[error("the expiry is not after the start")]
    ExpiryNotAfterStart,
    #[error("no attempt with reference {reference}")]
    UnknownReference { reference: String },
    #[error("wrong amount: {amount} paid, {due} due")]
    WrongAmount { amount: u64, due: u64 },
    #[error("the attempt {reference} is still valid until {expires_at}")]
    NotExpiredYet {
        reference: String,
        expires_at: DateTime<Utc>,
    },
    #[error("an online attempt is pending")]
    AttemptPending,
    #[error("the counter records cash or bank transfer only")]
    OnlineAtCounter,
    #[error("the fee lines are unchanged")]
    FeeUnchanged,
}

impl PaymentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowedInState { .. } => "payment_not_allowed_in_state",
            Self::ActorNotAllowed { .. } => "payment_actor_not_allowed",
            Self::TimeBeforeLastEvent { .. } => "payment_time_before_last_event",
            Self::NothingDue => "payment_nothing_due",
            Self::TooManyLines { .. } => "payment_too_many_lines",
            Self::InvalidLine { .. } => "payment_invalid_line",
            Self::AmountTooLarge { .. } => "payment_amount_too_large",
            Self::InvalidText { .. } => "payment_invalid_text",
            Self::DuplicateReference { .. } => "payment_duplicate_reference",
            Self::ExpiryNotAfterStart => "payment_expiry_not_after_start",
            Self::UnknownReference { .. } => "payment_unknown_reference",
            Self::WrongAmount { .. } => "payment_wrong_amount",
            Self::NotExpiredYet { .. } => "payment_not_expired_yet",
            Self::AttemptPending => "payment_attempt_pending",
            Self::OnlineAtCounter => "payment_online_at_counter",
            Self::FeeUnchanged => "payment_fee_unchanged",
        }
    }

    /// The message shown to users.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotAllowedInState { status, .. } => format!(
                "Không thực hiện được khi khoản thu đang ở trạng thái «{}».",
                status.label_vi()
            ),
            Self::ActorNotAllowed { .. } => {
                "Bạn không có quyền thực hiện thao tác này với khoản thu.".to_owned()
            }
            Self::TimeBeforeLastEvent { .. } => {
                "Thời điểm thao tác sớm hơn thao tác gần nhất của khoản thu.".to_owned()
            }
            Self::NothingDue => "Không có khoản phí, lệ phí nào phải nộp.".to_owned(),
            Self::TooManyLines { max } => format!("Tối đa {max} khoản phí, lệ phí."),
            Self::InvalidLine { max, .. } => {
                format!("Thông tin khoản phí, lệ phí bị trống hoặc dài quá {max} ký tự.")
            }
            Self::AmountTooLarge { max } => {
                format!("Số tiền vượt quá {}.", vn_money(*max))
            }
            Self::InvalidText { max, .. } => {
                format!("Nội dung bị trống hoặc dài quá {max} ký tự.")
            }
            Self::DuplicateReference { reference } => {
                format!("Mã giao dịch {reference} đã được dùng.")
            }
            Self::ExpiryNotAfterStart => {
                "Thời hạn thanh toán phải sau thời điểm tạo giao dịch.".to_owned()
            }
            Self::UnknownReference { reference } => {
                format!("Không tìm thấy giao dịch {reference}.")
            }
            Self::WrongAmount { amount, due } => format!(
                "Số tiền {} không khớp với số phải nộp {}.",
                vn_money(*amount),
                vn_money(*due)
            ),
            Self::NotExpiredYet { reference, .. } => {
                format!("Giao dịch {reference} chưa hết hạn.")
            }
            Self::AttemptPending => {
                "Đang có giao dịch thanh toán trực tuyến chờ xác nhận; hãy chờ kết quả hoặc hết hạn."
                    .to_owned()
            }
            Self::OnlineAtCounter => {
                "Tại quầy chỉ ghi nhận nộp tiền mặt hoặc chuyển khoản.".to_owned()
            }
            Self::FeeUnchanged => "Các khoản phí, lệ phí không thay đổi.".to_owned(),
        }
    }
}
