//! Why a dossier command is refused. Every refusal has a stable machine code
//! ([`DossierError::code`]) for the API and a Vietnamese message ([`DossierError::message_vi`])
//! that names the dossier's current state in Vietnamese where the state is the reason;
//! `Display` is English, for logs. A refused command changes nothing.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::agency::AgencyCode;
use crate::auth::Role;

use super::applicant::ApplicantError;
use super::code::{DossierCode, DossierCodeError};
use super::state::Status;

/// A refused command, or an invalid history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("the dossier does not exist yet: cannot {action}")]
    NotCreated { action: &'static str },
    #[error("the dossier already exists: cannot {action}")]
    AlreadyCreated { action: &'static str },
    #[error("not allowed in status {status:?}: {action}")]
    NotAllowedInState {
        status: Status,
        action: &'static str,
    },
    #[error("role {role:?} may not {action}")]
    RoleNotAllowed { role: Role, action: &'static str },
    #[error("only the citizen who lodged the dossier may {action}")]
    NotOwner { action: &'static str },
    #[error("the command's instant {at} is before the dossier's last event ({last})")]
    TimeBeforeLastEvent {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    #[error("a reason is required to {action}")]
    ReasonRequired { action: &'static str },
    #[error("a supplement request must list what is missing")]
    MissingItemsRequired,
    #[error("the procedure code is empty")]
    ProcedureCodeRequired,
    #[error("invalid components received: {message}")]
    InvalidComponents { message: String },
    #[error("the name of who collects the result is empty or too long")]
    CollectorNameRequired,
    #[error("a dossier lodged online must be checked before it is received")]
    DirectReceiptOnline,
    #[error("dossier code {code} does not carry the receiving agency {agency}")]
    CodeAgencyMismatch {
        code: DossierCode,
        agency: AgencyCode,
    },
    #[error("dossier code {code} does not carry the receipt date {date}")]
    CodeDateMismatch { code: DossierCode, date: NaiveDate },
    #[error("the appointment {appointment} is not after the receipt")]
    AppointmentNotAfterReceipt { appointment: DateTime<Utc> },
    #[error("the dossier is already at {agency}")]
    SameAgency { agency: AgencyCode },
    #[error("the result was not returned by post")]
    NotReturnedByPost,
    #[error("invalid postal tracking number")]
    InvalidTrackingNumber,
    #[error("no deployment (peer) named for the transfer")]
    PeerRequired,
    #[error("the dossier is at another deployment ({peer})")]
    AtPeer { peer: String },
    #[error("the dossier is not at that deployment")]
    NotAtPeer,
    #[error("step name is empty")]
    StepNameRequired,
    #[error("step {found} given, the step to assign is {expected}")]
    StepOutOfOrder { expected: u32, found: u32 },
    #[error("the step's due instant {due} is not after its assignment")]
    StepDueNotAfterAssignment { due: DateTime<Utc> },
    #[error("no workflow step is active")]
    NoActiveStep,
    #[error("step {found} is not the active step {active}")]
    NotActiveStep { active: u32, found: u32 },
    #[error("only the assignee or a leader may {action} step {name:?}")]
    NotAssignee { name: String, action: &'static str },
    #[error("the apology and extension has already been used")]
    ApologyAlreadyUsed,
    #[error("the appointment {due} has passed")]
    AppointmentPassed { due: DateTime<Utc> },
    #[error("the new appointment {proposed} is not later than the current one {current}")]
    NewAppointmentNotLater {
        current: DateTime<Utc>,
        proposed: DateTime<Utc>,
    },
    #[error("the current due {given} does not match the dossier's appointment {stored}")]
    CurrentDueMismatch {
        given: DateTime<Utc>,
        stored: DateTime<Utc>,
    },
    #[error("the result code is empty")]
    ResultCodeRequired,
    #[error("an electronic result needs a file reference")]
    ResultFileRequired,
    #[error("no result has been recorded")]
    ResultNotRecorded,
    #[error("an online return needs an electronic result")]
    ElectronicResultRequired,
    #[error("fees not collected: {outstanding} VND outstanding")]
    FeeNotCollected { outstanding: u64 },
    #[error("no fee is due")]
    NoFeeDue,
    #[error("fee amount {amount} VND is invalid ({outstanding} VND outstanding)")]
    FeeAmountInvalid { amount: u64, outstanding: u64 },
    #[error("online payments are recorded from the payment gateway only")]
    PaymentMethodNotAllowed,
    #[error("fees already collected: the fees due can no longer change")]
    FeeAlreadyCollected,
    #[error("refund of {amount} VND is invalid ({refundable} VND refundable)")]
    FeeRefundInvalid { amount: u64, refundable: u64 },
    #[error("the reason is longer than {max} characters")]
    FeeReasonTooLong { max: usize },
    #[error("the component of a document is empty or too long")]
    DocumentComponentInvalid,
    #[error("the document's SHA-256 is not 64 lower-case hex digits")]
    DocumentHashInvalid,
    #[error("the document is empty")]
    DocumentEmpty,
    #[error("role {role:?} may not attach a document from that source")]
    DocumentSourceNotAllowed { role: Role },
    #[error("a dossier cannot re-use its own documents")]
    ReuseFromSameDossier,
    #[error("the authorisation is incomplete or names the applicant as their own representative")]
    AuthorisationInvalid,
    #[error("the document is already attached to component {component:?}")]
    DocumentAlreadyAttached { component: String },
    #[error("the dossier can be rated only after its result is returned (now {status:?})")]
    RateBeforeReturn { status: Status },
    #[error("the dossier has already been rated")]
    AlreadyRated,
    #[error("the rating comment is longer than {max} characters")]
    RatingCommentTooLong { max: usize },
    #[error("invalid text: {0}")]
    Text(#[from] crate::input::TextError),
    #[error("the new appointment {proposed} is more than a year after the current one {current}")]
    NewAppointmentTooFar {
        current: DateTime<Utc>,
        proposed: DateTime<Utc>,
    },
    #[error("a workflow step is assigned to staff, not to role {role:?}")]
    StepRoleNotStaff { role: Role },
    #[error("invalid applicant: {0}")]
    Applicant(#[from] ApplicantError),
    #[error("invalid dossier code: {0}")]
    Code(#[from] DossierCodeError),
    #[error("the dossier has no more event numbers")]
    SequenceExhausted,
    #[error("event {found} found where event {expected} was expected")]
    SequenceGap { expected: u32, found: u32 },
    #[error("the event is not what its command produces")]
    HistoryMismatch,
    #[error("event {seq}: {cause}")]
    InvalidHistory { seq: u32, cause: Box<DossierError> },
}

impl DossierError {
    /// The request itself is wrong (HTTP 422), whatever the dossier's state.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Self::Text(_)
                | Self::AuthorisationInvalid
                | Self::DocumentComponentInvalid
                | Self::DocumentHashInvalid
                | Self::PaymentMethodNotAllowed
                | Self::FeeReasonTooLong { .. }
                | Self::NewAppointmentTooFar { .. }
                | Self::StepRoleNotStaff { .. }
                | Self::RatingCommentTooLong { .. }
                | Self::InvalidTrackingNumber
                | Self::PeerRequired
        )
    }

    /// The caller may not do this to this dossier (HTTP 403).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::NotOwner { .. })
    }

    /// A stable, machine-readable code (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotCreated { .. } => "dossier_not_created",
            Self::AlreadyCreated { .. } => "dossier_already_exists",
            Self::NotAllowedInState { .. } => "not_allowed_in_state",
            Self::RoleNotAllowed { .. } => "role_not_allowed",
            Self::NotOwner { .. } => "not_owner",
            Self::TimeBeforeLastEvent { .. } => "time_before_last_event",
            Self::ReasonRequired { .. } => "reason_required",
            Self::MissingItemsRequired => "missing_items_required",
            Self::ProcedureCodeRequired => "procedure_code_required",
            Self::InvalidComponents { .. } => "invalid_components",
            Self::CollectorNameRequired => "collector_name_required",
            Self::DirectReceiptOnline => "direct_receipt_online",
            Self::CodeAgencyMismatch { .. } => "code_agency_mismatch",
            Self::CodeDateMismatch { .. } => "code_date_mismatch",
            Self::AppointmentNotAfterReceipt { .. } => "appointment_not_after_receipt",
            Self::SameAgency { .. } => "same_agency",
            Self::PeerRequired => "peer_required",
            Self::NotReturnedByPost => "not_returned_by_post",
            Self::InvalidTrackingNumber => "invalid_tracking_number",
            Self::AtPeer { .. } => "at_peer",
            Self::NotAtPeer => "not_at_peer",
            Self::StepNameRequired => "step_name_required",
            Self::StepOutOfOrder { .. } => "step_out_of_order",
            Self::StepDueNotAfterAssignment { .. } => "step_due_not_after_assignment",
            Self::NoActiveStep => "no_active_step",
            Self::NotActiveStep { .. } => "not_active_step",
            Self::NotAssignee { .. } => "not_assignee",
            Self::ApologyAlreadyUsed => "apology_already_used",
            Self::AppointmentPassed { .. } => "appointment_passed",
            Self::NewAppointmentNotLater { .. } => "new_appointment_not_later",
            Self::CurrentDueMismatch { .. } => "current_due_mismatch",
            Self::ResultCodeRequired => "result_code_required",
            Self::ResultFileRequired => "result_file_required",
            Self::ResultNotRecorded => "result_not_recorded",
            Self::ElectronicResultRequired => "electronic_result_required",
            Self::FeeNotCollected { .. } => "fee_not_collected",
            Self::NoFeeDue => "no_fee_due",
            Self::FeeAmountInvalid { .. } => "fee_amount_invalid",
            Self::PaymentMethodNotAllowed => "payment_method_not_allowed",
            Self::FeeAlreadyCollected => "fee_already_collected",
            Self::FeeRefundInvalid { .. } => "fee_refund_invalid",
            Self::FeeReasonTooLong { .. } => "fee_reason_too_long",
            Self::DocumentComponentInvalid => "document_component_invalid",
            Self::DocumentHashInvalid => "document_hash_invalid",
            Self::DocumentEmpty => "empty_file",
            Self::DocumentSourceNotAllowed { .. } => "document_source_not_allowed",
            Self::ReuseFromSameDossier => "reuse_from_same_dossier",
            Self::AuthorisationInvalid => "authorisation_invalid",
            Self::DocumentAlreadyAttached { .. } => "document_already_attached",
            Self::RateBeforeReturn { .. } => "rate_before_return",
            Self::AlreadyRated => "already_rated",
            Self::RatingCommentTooLong { .. } => "rating_comment_too_long",
            Self::Text(e) => e.code(),
            Self::NewAppointmentTooFar { .. } => "new_appointment_too_far",
            Self::StepRoleNotStaff { .. } => "step_role_not_staff",
            Self::Applicant(e) => e.code(),
            Self::Code(e) => e.code(),
            Self::SequenceExhausted => "sequence_exhausted",
            Self::SequenceGap { .. } => "sequence_gap",
            Self::HistoryMismatch => "history_mismatch",
            Self::InvalidHistory { .. } => "invalid_history",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotCreated { action } => format!("Hồ sơ chưa được tạo, không thể {action}."),
            Self::AlreadyCreated { action } => {
                format!("Hồ sơ này đã tồn tại, không thể {action} thêm một lần nữa.")
            }
            Self::NotAllowedInState { status, action } => format!(
                "Hồ sơ đang ở trạng thái «{}», không thể {action}.",
                status.label_vi()
            ),
            Self::RoleNotAllowed { role, action } => format!(
                "Người dùng với vai trò «{}» không được phép {action}.",
                role.label_vi()
            ),
            Self::NotOwner { .. } => {
                "Công dân chỉ được thao tác trên hồ sơ do chính mình nộp trực tuyến.".to_owned()
            }
            Self::TimeBeforeLastEvent { at, last } => format!(
                "Thời điểm thao tác ({}) sớm hơn thao tác gần nhất trên hồ sơ ({}).",
                vn_datetime(*at),
                vn_datetime(*last)
            ),
            Self::ReasonRequired { action } => format!("Cần nêu rõ lý do khi {action}."),
            Self::MissingItemsRequired => {
                "Cần liệt kê cụ thể từng nội dung, thành phần hồ sơ phải bổ sung, hoàn thiện."
                    .to_owned()
            }
            Self::ProcedureCodeRequired => "Chưa chọn thủ tục hành chính của hồ sơ.".to_owned(),
            Self::InvalidComponents { message } => message.clone(),
            Self::CollectorNameRequired => {
                "Cần ghi họ tên người nhận kết quả (tối đa 200 ký tự).".to_owned()
            }
            Self::DirectReceiptOnline => {
                "Hồ sơ nộp trực tuyến phải được cán bộ kiểm tra trước khi tiếp nhận.".to_owned()
            }
            Self::CodeAgencyMismatch { code, agency } => {
                format!("Mã hồ sơ {code} không mang mã của cơ quan tiếp nhận ({agency}).")
            }
            Self::CodeDateMismatch { code, date } => format!(
                "Mã hồ sơ {code} không mang ngày tiếp nhận {}.",
                vn_date(*date)
            ),
            Self::AppointmentNotAfterReceipt { appointment } => format!(
                "Ngày hẹn trả kết quả ({}) phải sau thời điểm tiếp nhận hồ sơ.",
                vn_datetime(*appointment)
            ),
            Self::SameAgency { agency } => {
                format!("Hồ sơ đang ở cơ quan {agency}, không thể chuyển đến chính cơ quan này.")
            }
            Self::NotReturnedByPost => {
                "Kết quả đã được trả không qua dịch vụ bưu chính, không ghi số hiệu bưu gửi."
                    .to_owned()
            }
            Self::InvalidTrackingNumber => {
                "Số hiệu bưu gửi gồm chữ cái không dấu, chữ số và dấu gạch ngang, tối đa 40 ký tự."
                    .to_owned()
            }
            Self::PeerRequired => {
                "Chưa ghi hệ thống nhận hồ sơ liên thông hoặc mã thông điệp.".to_owned()
            }
            Self::AtPeer { peer } => format!(
                "Hồ sơ đang được giải quyết liên thông tại hệ thống {peer}; chờ kết quả gửi về."
            ),
            Self::NotAtPeer => "Hồ sơ không ở hệ thống đã gửi kết quả này.".to_owned(),
            Self::StepNameRequired => "Chưa nhập tên bước xử lý.".to_owned(),
            Self::StepOutOfOrder { expected, found } => format!(
                "Bước cần phân công là bước {}, không phải bước {}.",
                u64::from(*expected) + 1,
                u64::from(*found) + 1
            ),
            Self::StepDueNotAfterAssignment { due } => format!(
                "Hạn xử lý của bước ({}) phải sau thời điểm phân công.",
                vn_datetime(*due)
            ),
            Self::NoActiveStep => "Hồ sơ chưa được phân công bước xử lý nào.".to_owned(),
            Self::NotActiveStep { active, found } => format!(
                "Bước đang xử lý là bước {}, không phải bước {}.",
                u64::from(*active) + 1,
                u64::from(*found) + 1
            ),
            Self::NotAssignee { name, action } => {
                format!("Chỉ người được phân công hoặc lãnh đạo mới được {action} bước «{name}».")
            }
            Self::ApologyAlreadyUsed => {
                "Hồ sơ đã được xin lỗi và gia hạn một lần; mỗi hồ sơ chỉ được gia hạn một lần."
                    .to_owned()
            }
            Self::AppointmentPassed { due } => format!(
                "Đã quá thời hạn trả kết quả ({}); văn bản xin lỗi và đề nghị gia hạn phải gửi trước thời hạn này.",
                vn_datetime(*due)
            ),
            Self::NewAppointmentNotLater { current, proposed } => format!(
                "Ngày hẹn trả mới ({}) phải sau ngày hẹn hiện tại ({}).",
                vn_datetime(*proposed),
                vn_datetime(*current)
            ),
            Self::CurrentDueMismatch { given, stored } => format!(
                "Hạn giải quyết hiện tại đã tính ({}) không khớp với ngày hẹn của hồ sơ ({}); vui lòng tải lại hồ sơ.",
                vn_datetime(*given),
                vn_datetime(*stored)
            ),
            Self::ResultCodeRequired => "Chưa nhập số, ký hiệu của kết quả giải quyết.".to_owned(),
            Self::ResultFileRequired => "Kết quả điện tử phải có tệp đính kèm.".to_owned(),
            Self::ResultNotRecorded => {
                "Hồ sơ chưa có kết quả giải quyết, không thể trả kết quả.".to_owned()
            }
            Self::ElectronicResultRequired => {
                "Hồ sơ không có kết quả điện tử, không thể trả kết quả trực tuyến.".to_owned()
            }
            Self::FeeNotCollected { outstanding } => format!(
                "Chưa thu đủ phí, lệ phí (còn {}), không thể trả kết quả.",
                vn_money(*outstanding)
            ),
            Self::NoFeeDue => "Hồ sơ không còn khoản phí, lệ phí nào phải thu.".to_owned(),
            Self::FeeAmountInvalid {
                amount,
                outstanding,
            } => format!(
                "Số tiền thu ({}) không hợp lệ: phải lớn hơn 0 và không vượt quá số còn phải thu ({}).",
                vn_money(*amount),
                vn_money(*outstanding)
            ),
            Self::PaymentMethodNotAllowed => {
                "Khoản thanh toán trực tuyến chỉ được ghi nhận từ xác nhận \
                của cổng thanh toán; cán bộ ghi nhận khoản thu bằng tiền mặt hoặc chuyển khoản."
                    .to_owned()
            }
            Self::FeeAlreadyCollected => {
                "Hồ sơ đã thu phí, lệ phí: không thể điều chỉnh số phải nộp.".to_owned()
            }
            Self::FeeRefundInvalid { amount, refundable } => format!(
                "Số tiền hoàn trả ({}) không hợp lệ: phải lớn hơn 0 và không vượt quá số đã thu chưa hoàn ({}).",
                vn_money(*amount),
                vn_money(*refundable)
            ),
            Self::FeeReasonTooLong { max } => format!("Lý do dài quá {max} ký tự."),
            Self::DocumentComponentInvalid => format!(
                "Cần ghi tên thành phần hồ sơ của tệp (không quá {} ký tự).",
                super::document::MAX_COMPONENT_CHARS
            ),
            Self::DocumentHashInvalid => "Mã băm SHA-256 của tệp không hợp lệ.".to_owned(),
            Self::DocumentEmpty => "Tệp tải lên rỗng.".to_owned(),
            Self::DocumentSourceNotAllowed { role } => format!(
                "Người dùng với vai trò «{}» không thể đính kèm tệp theo cách này: cán bộ tiếp nhận số hóa tại Bộ phận Một cửa, công dân tải lên trực tuyến.",
                role.label_vi()
            ),
            Self::ReuseFromSameDossier => {
                "Không thể sử dụng lại giấy tờ của chính hồ sơ này.".to_owned()
            }
            Self::AuthorisationInvalid => format!(
                "Nộp hồ sơ cho người khác cần văn bản ủy quyền: ghi phạm vi ủy quyền (không quá \
                 {MAX_AUTHORISATION_SCOPE_CHARS} ký tự) và số văn bản ủy quyền (không quá \
                 {MAX_AUTHORISATION_NUMBER_CHARS} ký tự); người được ủy quyền phải khác người ủy quyền.",
                MAX_AUTHORISATION_SCOPE_CHARS = super::command::MAX_AUTHORISATION_SCOPE_CHARS,
                MAX_AUTHORISATION_NUMBER_CHARS = super::command::MAX_AUTHORISATION_NUMBER_CHARS,
            ),
            Self::DocumentAlreadyAttached { component } => {
                format!("Tệp này đã được đính kèm vào thành phần «{component}» của hồ sơ.")
            }
            Self::RateBeforeReturn { status } => format!(
                "Chỉ đánh giá được sau khi đã nhận kết quả; hồ sơ đang ở trạng thái «{}».",
                status.label_vi()
            ),
            Self::AlreadyRated => {
                "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.".to_owned()
            }
            Self::RatingCommentTooLong { max } => {
                format!("Ý kiến góp ý dài quá {max} ký tự.")
            }
            Self::Text(e) => e.message_vi(),
            Self::NewAppointmentTooFar { proposed, current } => format!(
                "Ngày hẹn trả mới ({}) không được quá một năm sau ngày hẹn hiện tại ({}).",
                vn_datetime(*proposed),
                vn_datetime(*current)
            ),
            Self::StepRoleNotStaff { .. } => {
                "Bước xử lý chỉ được giao cho cán bộ (tiếp nhận, chuyên viên hoặc lãnh đạo)."
                    .to_owned()
            }
            Self::Applicant(e) => e.message_vi(),
            Self::Code(e) => e.message_vi(),
            Self::SequenceExhausted => "Hồ sơ đã đạt số thao tác tối đa.".to_owned(),
            Self::SequenceGap { expected, found } => format!(
                "Lịch sử hồ sơ không liền mạch: gặp sự kiện số {found} trong khi cần sự kiện số {expected}."
            ),
            Self::HistoryMismatch => {
                "Sự kiện không khớp với kết quả của thao tác tương ứng.".to_owned()
            }
            Self::InvalidHistory { seq, cause } => {
                format!(
                    "Lịch sử hồ sơ không hợp lệ tại sự kiện số {seq}: {}",
                    cause.message_vi()
                )
            }
        }
    }
}

/// `dd/mm/yyyy`.
pub(crate) fn vn_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// `HH:MM dd/mm/yyyy` in Vietnam time.
pub(crate) fn vn_datetime(t: DateTime<Utc>) -> String {
    match super::vietnam_local(t) {
        Some(local) => local.format("%H:%M %d/%m/%Y").to_string(),
        None => t.format("%H:%M %d/%m/%Y UTC").to_string(),
    }
}

/// `1.250.000 đồng`.
pub(crate) fn vn_money(amount: u64) -> String {
    format!("{} đồng", crate::text::group_thousands(&amount.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_the_vietnamese_way() {
        assert_eq!(vn_money(0), "0 đồng");
        assert_eq!(vn_money(999), "999 đồng");
        assert_eq!(vn_money(1000), "1.000 đồng");
        assert_eq!(vn_money(1_250_000), "1.250.000 đồng");
    }
}
