//! Events: the facts of a dossier's life, as stored (`dossier_events`) and shown on its
//! timeline. Each event carries what the projection ([`super::DossierState`]) and the timeline
//! need; who and when are on the [`EventEnvelope`]. The `kind` names are stable: they are the
//! stored discriminant and part of the API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agency::AgencyCode;
use crate::auth::Role;
use crate::catalogue::model::Channel;

use super::applicant::Applicant;
use super::code::DossierCode;
use super::command::{
    Actor, Authorisation, Collector, PaymentMethod, ProcedureRef, RatingLevel, ReceivedComponent,
    ResultForm, ReturnChannel, TransferOutcome,
};
use super::document::{DocumentSource, MediaType};

/// What is stored: one event, numbered within its dossier (1, 2, …), with its instant and actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub event: Event,
}

/// A fact about a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// Lodged (nộp) through `channel` at `agency`; waits for the check.
    Submitted {
        code: DossierCode,
        procedure: ProcedureRef,
        agency: AgencyCode,
        channel: Channel,
        applicant: Applicant,
        /// The components received with it (absent before they were recorded).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        components: Vec<ReceivedComponent>,
        /// Lodged by a representative under this authorisation (absent: by the applicant).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        authorisation: Option<Box<Authorisation>>,
    },
    /// Received (tiếp nhận): receipt issued with this appointment; fees due.
    Received {
        appointment: DateTime<Utc>,
        fee_due_vnd: u64,
    },
    /// Not received yet: the applicant must supplement or complete the dossier.
    IntakeSupplementRequested {
        reason: String,
        missing: Vec<String>,
    },
    /// The applicant supplemented before receipt; back to the check.
    Supplemented {
        documents: Vec<String>,
        note: Option<String>,
    },
    /// Refused at the check (từ chối tiếp nhận).
    Refused { reason: String },
    /// Forwarded from the receiving place to the competent agency.
    Forwarded { from: AgencyCode, to: AgencyCode },
    /// Step `index` of the current agency's workflow assigned (or reassigned).
    StepAssigned {
        index: u32,
        name: String,
        role: Role,
        assignee: Uuid,
        due: DateTime<Utc>,
    },
    /// The active step finished.
    StepCompleted { index: u32, note: Option<String> },
    /// Transferred to another agency (liên thông), same code.
    Transferred {
        from: AgencyCode,
        to: AgencyCode,
        reason: String,
        /// The deployment `to` belongs to, when it is not this one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<String>,
    },
    /// Taken in from another deployment (liên thông), keeping its code: processed at `agency`.
    TransferReceived {
        code: DossierCode,
        procedure: ProcedureRef,
        agency: AgencyCode,
        /// The agency that sent it, in the peer's deployment.
        from: AgencyCode,
        channel: Channel,
        applicant: Applicant,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        components: Vec<ReceivedComponent>,
        appointment: DateTime<Utc>,
        peer: String,
        message_id: String,
        reason: String,
    },
    /// Back from the deployment it was transferred to, with its outcome.
    TransferReturned {
        peer: String,
        message_id: String,
        from: AgencyCode,
        to: AgencyCode,
        outcome: TransferOutcome,
    },
    /// Supplement asked during processing; the clock pauses from this instant.
    SupplementRequested {
        reason: String,
        missing: Vec<String>,
    },
    /// Supplement received during processing; the clock resumes from this instant.
    SupplementProvided {
        documents: Vec<String>,
        note: Option<String>,
    },
    /// Processing stopped (dừng giải quyết).
    Stopped { reason: String },
    /// Apology and extension: `previous_due` was the effective appointment when it was asked.
    Apologized {
        reason: String,
        previous_due: DateTime<Utc>,
        new_appointment: DateTime<Utc>,
    },
    /// Decision: granted.
    Approved { note: Option<String> },
    /// Decision: not granted.
    Rejected { reason: String },
    /// The result document was issued (kết thúc xử lý).
    ResultRecorded {
        result_code: String,
        form: ResultForm,
    },
    /// Fees collected.
    FeeCollected {
        amount_vnd: u64,
        method: PaymentMethod,
        receipt_no: Option<String>,
    },
    /// The fees due changed (staff, with the reason), from `previous_vnd`.
    FeeAdjusted {
        previous_vnd: u64,
        fee_due_vnd: u64,
        reason: String,
    },
    /// The fees collected were given back.
    FeeRefunded { amount_vnd: u64, reason: String },
    /// Result handed to the applicant.
    ResultReturned {
        via: ReturnChannel,
        /// Who collected it (absent before it was recorded, and for results sent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collector: Option<Collector>,
    },
    /// Withdrawn by the applicant.
    Withdrawn { reason: Option<String> },
    /// A file attached to a component: scanned, uploaded, or re-used from data already held.
    DocumentAttached {
        component: String,
        /// Hex SHA-256 of the file's bytes.
        sha256: String,
        media_type: MediaType,
        size: u64,
        source: DocumentSource,
    },
    /// The result went by post: its tracking number and the postal service's fee.
    PostageRecorded { tracking_no: String, fee_vnd: u64 },
    /// The applicant rated the handling (after the return; once).
    Rated {
        level: RatingLevel,
        comment: Option<String>,
    },
}

impl Event {
    /// Every kind name, in lifecycle order.
    pub const KINDS: [&'static str; 26] = [
        "submitted",
        "received",
        "intake_supplement_requested",
        "supplemented",
        "refused",
        "forwarded",
        "step_assigned",
        "step_completed",
        "transferred",
        "transfer_received",
        "transfer_returned",
        "supplement_requested",
        "supplement_provided",
        "stopped",
        "apologized",
        "approved",
        "rejected",
        "result_recorded",
        "fee_collected",
        "fee_adjusted",
        "fee_refunded",
        "result_returned",
        "withdrawn",
        "document_attached",
        "rated",
        "postage_recorded",
    ];

    /// The stable kind name (the serde tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Received { .. } => "received",
            Self::IntakeSupplementRequested { .. } => "intake_supplement_requested",
            Self::Supplemented { .. } => "supplemented",
            Self::Refused { .. } => "refused",
            Self::Forwarded { .. } => "forwarded",
            Self::StepAssigned { .. } => "step_assigned",
            Self::StepCompleted { .. } => "step_completed",
            Self::Transferred { .. } => "transferred",
            Self::TransferReceived { .. } => "transfer_received",
            Self::TransferReturned { .. } => "transfer_returned",
            Self::SupplementRequested { .. } => "supplement_requested",
            Self::SupplementProvided { .. } => "supplement_provided",
            Self::Stopped { .. } => "stopped",
            Self::Apologized { .. } => "apologized",
            Self::Approved { .. } => "approved",
            Self::Rejected { .. } => "rejected",
            Self::ResultRecorded { .. } => "result_recorded",
            Self::FeeCollected { .. } => "fee_collected",
            Self::FeeAdjusted { .. } => "fee_adjusted",
            Self::FeeRefunded { .. } => "fee_refunded",
            Self::ResultReturned { .. } => "result_returned",
            Self::Withdrawn { .. } => "withdrawn",
            Self::DocumentAttached { .. } => "document_attached",
            Self::Rated { .. } => "rated",
            Self::PostageRecorded { .. } => "postage_recorded",
        }
    }

    /// The timeline's heading for this event, in Vietnamese.
    pub fn label_vi(&self) -> &'static str {
        match self {
            Self::Submitted {
                channel: Channel::Online,
                ..
            } => "Nộp hồ sơ trực tuyến",
            Self::Submitted {
                channel: Channel::Postal,
                ..
            } => "Nhận hồ sơ qua dịch vụ bưu chính",
            Self::Submitted { .. } => "Nộp hồ sơ trực tiếp",
            Self::Received { .. } => "Tiếp nhận hồ sơ, hẹn trả kết quả",
            Self::IntakeSupplementRequested { .. } => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
            Self::Supplemented { .. } => "Bổ sung, hoàn thiện hồ sơ",
            Self::Refused { .. } => "Từ chối tiếp nhận hồ sơ",
            Self::Forwarded { .. } => "Chuyển hồ sơ đến cơ quan có thẩm quyền",
            Self::StepAssigned { .. } => "Phân công xử lý",
            Self::StepCompleted { .. } => "Hoàn thành bước xử lý",
            Self::Transferred { peer: Some(_), .. } => "Chuyển liên thông đến hệ thống khác",
            Self::Transferred { .. } => "Chuyển liên thông",
            Self::TransferReceived { .. } => "Tiếp nhận hồ sơ liên thông từ hệ thống khác",
            Self::TransferReturned { .. } => "Nhận kết quả liên thông",
            Self::SupplementRequested { .. } => "Yêu cầu bổ sung hồ sơ (tạm dừng tính thời gian)",
            Self::SupplementProvided { .. } => "Bổ sung hồ sơ (tiếp tục tính thời gian)",
            Self::Stopped { .. } => "Dừng giải quyết hồ sơ",
            Self::Apologized { .. } => "Xin lỗi và gia hạn thời gian giải quyết",
            Self::Approved { .. } => "Phê duyệt",
            Self::Rejected { .. } => "Từ chối giải quyết",
            Self::ResultRecorded { .. } => "Có kết quả giải quyết",
            Self::FeeCollected { .. } => "Thu phí, lệ phí",
            Self::FeeAdjusted { .. } => "Điều chỉnh phí, lệ phí",
            Self::FeeRefunded { .. } => "Hoàn trả phí, lệ phí",
            Self::ResultReturned { .. } => "Trả kết quả",
            Self::Withdrawn { .. } => "Rút hồ sơ",
            Self::DocumentAttached {
                source: DocumentSource::Reused { .. },
                ..
            } => "Sử dụng lại dữ liệu đã số hóa",
            Self::DocumentAttached { .. } => "Số hóa thành phần hồ sơ",
            Self::Rated { .. } => "Đánh giá mức độ hài lòng",
            Self::PostageRecorded { .. } => "Gửi kết quả qua dịch vụ bưu chính công ích",
        }
    }
}
