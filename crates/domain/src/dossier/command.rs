//! Commands: what someone asks to happen to a dossier ([`DossierAction`]), wrapped with who
//! asks and when ([`Command`]), and the small value types commands and events share (actor,
//! procedure reference, result form, payment method, return channel).
//!
//! A command carries everything the decision needs from outside the dossier: the appointment
//! the calendar computed at receipt, a step's due instant, the fee due, the current effective
//! appointment when an extension is asked. The service layer computes those (with
//! [`crate::calendar`] and [`super::timeliness`]); the domain never reads storage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agency::AgencyCode;
use crate::auth::Role;
use crate::catalogue::model::Channel;

use super::applicant::{Applicant, CitizenId};
use super::code::DossierCode;
use super::document::{DocumentSource, MediaType};

/// Who performs a transition: a user acting in one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub user: Uuid,
    pub role: Role,
}

/// The procedure a dossier is for: its code in the national catalogue (e.g. `1.001193`, text,
/// no meaning read into it) and the catalogue version in force when it was lodged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcedureRef {
    pub code: String,
    pub version: u32,
}

/// How a result document exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum ResultForm {
    /// An electronic result: a reference to the signed file (content hash, URL or store key).
    /// Counts as an electronic result for the national index (result code + file link).
    Electronic { file_ref: String },
    /// A paper document only.
    Paper,
}

impl ResultForm {
    pub fn is_electronic(&self) -> bool {
        matches!(self, ResultForm::Electronic { .. })
    }
}

/// How a fee was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Tiền mặt.
    Cash,
    /// Chuyển khoản.
    Transfer,
    /// Thanh toán trực tuyến.
    Online,
}

impl PaymentMethod {
    pub fn label_vi(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Tiền mặt",
            PaymentMethod::Transfer => "Chuyển khoản",
            PaymentMethod::Online => "Thanh toán trực tuyến",
        }
    }
}

/// How a result is returned to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnChannel {
    /// Trả trực tiếp tại Bộ phận Một cửa.
    Counter,
    /// Trả qua dịch vụ bưu chính công ích.
    Post,
    /// Trả trực tuyến (electronic result, pushed to the citizen's store).
    Online,
}

impl ReturnChannel {
    pub fn label_vi(self) -> &'static str {
        match self {
            ReturnChannel::Counter => "Trực tiếp",
            ReturnChannel::Post => "Qua dịch vụ bưu chính công ích",
            ReturnChannel::Online => "Trực tuyến",
        }
    }
}

/// How satisfied the applicant is with a dossier's handling (đánh giá mức độ hài lòng), as the
/// national portal asks it: three levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    /// Hài lòng.
    Satisfied,
    /// Bình thường.
    Neutral,
    /// Không hài lòng.
    Dissatisfied,
}

impl RatingLevel {
    pub const ALL: [RatingLevel; 3] = [
        RatingLevel::Satisfied,
        RatingLevel::Neutral,
        RatingLevel::Dissatisfied,
    ];

    /// Stable snake_case key (same as the serde name).
    pub fn key(self) -> &'static str {
        match self {
            RatingLevel::Satisfied => "satisfied",
            RatingLevel::Neutral => "neutral",
            RatingLevel::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<RatingLevel> {
        RatingLevel::ALL.into_iter().find(|l| l.key() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            RatingLevel::Satisfied => "Hài lòng",
            RatingLevel::Neutral => "Bình thường",
            RatingLevel::Dissatisfied => "Không hài lòng",
        }
    }
}

/// Longest rating comment, in characters.
pub const MAX_RATING_COMMENT_CHARS: usize = 1000;

/// What is lodged: the dossier's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Issued by the service layer from the receiving agency's daily sequence; its agency and
    /// date must be the receiving agency and the Vietnam date of the command.
    pub code: DossierCode,
    pub procedure: ProcedureRef,
    /// The agency (or service centre) where it is lodged.
    pub agency: AgencyCode,
    pub channel: Channel,
    pub applicant: Applicant,
    /// The components received (ticked at the desk, attached online), as the receipt lists
    /// them. Absent from dossiers lodged before components were recorded.
    #[serde(default)]
    pub components: Vec<ReceivedComponent>,
    /// Lodged by someone else for the applicant, under an authorisation (ủy quyền); `None`:
    /// by the applicant themselves (or at the counter, where the officer sees who is there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation: Option<Authorisation>,
}

/// The longest scope of an authorisation, in characters.
pub const MAX_AUTHORISATION_SCOPE_CHARS: usize = 500;
/// The longest number of an authorisation document, in characters.
pub const MAX_AUTHORISATION_NUMBER_CHARS: usize = 100;

/// An authorisation (ủy quyền, Civil Code 2015 art. 138, 562) under which a representative
/// lodges a dossier for the applicant, who is the authoriser: the applicant's name and ID
/// number are the authoriser's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Authorisation {
    /// The representative (người được ủy quyền) who lodged it: their name and ID number; a
    /// partner organisation (post office, community digital team) has its name only.
    pub representative_name: String,
    #[serde(default)]
    pub representative_id: Option<CitizenId>,
    /// Lodged by a partner organisation's account ([`Role::Partner`](crate::auth::Role)).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partner: bool,
    /// Phạm vi ủy quyền (1–500 characters).
    pub scope: String,
    /// The authorisation document's number (số văn bản ủy quyền, 1–100 characters).
    pub document_number: String,
}

/// Who collected a result at the counter (người nhận kết quả): the applicant, or someone
/// with their authorisation (nhận thay), as identified by the officer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Collector {
    pub name: String,
    /// Số định danh cá nhân of the person who collected it.
    pub id_number: CitizenId,
    /// Collected on the applicant's behalf, with an authorisation.
    #[serde(default)]
    pub on_behalf: bool,
}

/// Longest postal tracking number.
pub const MAX_TRACKING_CHARS: usize = 40;

/// The most components one dossier records.
pub const MAX_COMPONENTS: usize = 100;
/// The most originals or copies of one component.
pub const MAX_COMPONENT_PIECES: u32 = 99;

/// A component (thành phần hồ sơ) as received: what the officer ticked at the desk with the
/// number of originals and copies, or a file the applicant attached online.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReceivedComponent {
    /// The component's name in the catalogue.
    pub component: String,
    /// Bản chính.
    #[serde(default)]
    pub originals: u32,
    /// Bản sao.
    #[serde(default)]
    pub copies: u32,
    /// Received as an electronic file.
    #[serde(default)]
    pub electronic: bool,
}

/// What a deployment that processed a transferred dossier sends back: its decision and
/// result document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransferOutcome {
    /// Granted (phê duyệt) or not.
    pub approved: bool,
    /// The decision's note or reason.
    #[serde(default)]
    pub note: Option<String>,
    /// Số, ký hiệu of the result document.
    pub result_code: String,
    /// Where the electronic result can be fetched, if any.
    #[serde(default)]
    pub result_link: Option<String>,
}

/// A command: an action, who asks for it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub actor: Actor,
    pub at: DateTime<Utc>,
    pub action: DossierAction,
}

/// Everything that can be asked of a dossier. See the module docs of [`super`] for the
/// transitions table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DossierAction {
    /// Lodge a dossier (nộp hồ sơ); it waits for the one-stop officer's check. Online: by the
    /// citizen; counter or postal (registered first, checked afterwards): by a receiving
    /// officer.
    Submit { submission: Submission },
    /// Lodge and receive at once at the counter or from the post (tiếp nhận trực tiếp):
    /// `Submit` followed by `Receive`.
    ReceiveDirect {
        submission: Submission,
        appointment: DateTime<Utc>,
        fee_due_vnd: u64,
    },
    /// Accept a lodged dossier after the check: issue the receipt and appointment (giấy tiếp
    /// nhận và hẹn trả kết quả). `appointment` is the calendar's computation; `fee_due_vnd`
    /// the fees and charges due (0: none).
    Receive {
        appointment: DateTime<Utc>,
        fee_due_vnd: u64,
    },
    /// At the check: ask for the dossier to be supplemented or completed (phiếu yêu cầu bổ
    /// sung, hoàn thiện hồ sơ). The dossier is not received.
    RequestIntakeSupplement {
        reason: String,
        missing: Vec<String>,
    },
    /// The applicant supplements: before receipt it goes back to the check; during processing
    /// the clock resumes.
    ProvideSupplement {
        documents: Vec<String>,
        note: Option<String>,
    },
    /// At the check: refuse to receive (phiếu từ chối tiếp nhận giải quyết hồ sơ). Terminal.
    Refuse { reason: String },
    /// Forward a received dossier to the competent agency (chuyển xử lý).
    Forward { to: AgencyCode },
    /// Start (or reassign) step `index` of the current agency's internal workflow.
    AssignStep {
        index: u32,
        name: String,
        role: Role,
        assignee: Uuid,
        due: DateTime<Utc>,
    },
    /// Finish the active step.
    CompleteStep { index: u32, note: Option<String> },
    /// Transfer to another agency (chuyển liên thông); same code, the new agency's workflow
    /// starts from its first step. With `peer`, the agency is in another deployment (a
    /// ministry's motcua): the dossier is sent there and waits for its result.
    Transfer {
        to: AgencyCode,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<String>,
    },
    /// Take in a dossier another deployment (`peer`) transferred here, keeping its code, in
    /// its message `message_id`: it is processed at `submission.agency` from now on.
    ReceiveTransfer {
        submission: Submission,
        /// The agency that sent it, in the peer's deployment.
        from: AgencyCode,
        appointment: DateTime<Utc>,
        peer: String,
        message_id: String,
        reason: String,
    },
    /// The result of a dossier transferred to `peer` came back (message `message_id`): the
    /// dossier is back at the agency that sent it, with the peer's outcome.
    ReturnTransfer {
        peer: String,
        message_id: String,
        outcome: TransferOutcome,
    },
    /// During processing: ask the applicant for a supplement; the clock pauses.
    RequestSupplement {
        reason: String,
        missing: Vec<String>,
    },
    /// Stop processing (dừng giải quyết, thông báo dừng giải quyết hồ sơ). Terminal.
    Stop { reason: String },
    /// Apologise and extend (văn bản xin lỗi và đề nghị gia hạn): once per dossier, before
    /// `current_due` passes, to a later `new_appointment`. `current_due` is the effective
    /// appointment now ([`super::timeliness::effective_appointment`]): the stored appointment
    /// when there was no pause since it was set, later otherwise.
    Apologize {
        reason: String,
        new_appointment: DateTime<Utc>,
        current_due: DateTime<Utc>,
    },
    /// Decide to grant (phê duyệt).
    Approve { note: Option<String> },
    /// Decide not to grant, with the reason (the written answer is then the result).
    Reject { reason: String },
    /// Record the issued result document (số, ký hiệu kết quả; file or paper).
    RecordResult {
        result_code: String,
        form: ResultForm,
    },
    /// Collect (part of) the fees and charges due.
    CollectFee {
        amount_vnd: u64,
        method: PaymentMethod,
        receipt_no: Option<String>,
    },
    /// Change the fees due while nothing is collected (a receiving officer or a leader, with
    /// the reason): the payment service's, in the transaction that changes the payment's lines.
    AdjustFee { fee_due_vnd: u64, reason: String },
    /// The fees collected were given back (a receiving officer or a leader, with the reason):
    /// the payment service's, in the transaction that records the refund on the payment.
    RefundFee { amount_vnd: u64, reason: String },
    /// Hand the result to the applicant. Terminal.
    ReturnResult {
        via: ReturnChannel,
        /// Who collected it at the counter (the service layer requires it there; histories
        /// recorded before it was kept have none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collector: Option<Collector>,
    },
    /// The applicant withdraws the dossier (rút hồ sơ). Terminal.
    Withdraw { reason: Option<String> },
    /// Attach a file to a component (số hóa thành phần hồ sơ): scanned at the counter by a
    /// receiving officer, uploaded by the citizen who lodged online, or taken from data
    /// already held (re-use, by either). The file is named by the hex SHA-256 of its bytes;
    /// storing the bytes is the service layer's, before it stores the event.
    AttachDocument {
        component: String,
        sha256: String,
        media_type: MediaType,
        size: u64,
        source: DocumentSource,
    },
    /// The result goes by public postal service (bưu chính công ích): the postal tracking number
    /// (số hiệu bưu gửi) and the fee for the postal service, recorded by the desk at the return
    /// or by the post office that carries it.
    RecordPostage { tracking_no: String, fee_vnd: u64 },
    /// The applicant rates the handling once the result is returned (đánh giá mức độ hài
    /// lòng): the citizen who lodged it online, once.
    Rate {
        level: RatingLevel,
        comment: Option<String>,
    },
}

impl DossierAction {
    /// A stable snake_case name (same as the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submit { .. } => "submit",
            Self::ReceiveDirect { .. } => "receive_direct",
            Self::Receive { .. } => "receive",
            Self::RequestIntakeSupplement { .. } => "request_intake_supplement",
            Self::ProvideSupplement { .. } => "provide_supplement",
            Self::Refuse { .. } => "refuse",
            Self::Forward { .. } => "forward",
            Self::AssignStep { .. } => "assign_step",
            Self::CompleteStep { .. } => "complete_step",
            Self::Transfer { .. } => "transfer",
            Self::ReceiveTransfer { .. } => "receive_transfer",
            Self::ReturnTransfer { .. } => "return_transfer",
            Self::RequestSupplement { .. } => "request_supplement",
            Self::Stop { .. } => "stop",
            Self::Apologize { .. } => "apologize",
            Self::Approve { .. } => "approve",
            Self::Reject { .. } => "reject",
            Self::RecordResult { .. } => "record_result",
            Self::CollectFee { .. } => "collect_fee",
            Self::AdjustFee { .. } => "adjust_fee",
            Self::RefundFee { .. } => "refund_fee",
            Self::ReturnResult { .. } => "return_result",
            Self::Withdraw { .. } => "withdraw",
            Self::AttachDocument { .. } => "attach_document",
            Self::Rate { .. } => "rate",
            Self::RecordPostage { .. } => "record_postage",
        }
    }

    /// The action as a Vietnamese verb phrase, as it reads after "không thể …".
    pub fn label_vi(&self) -> &'static str {
        match self {
            Self::Submit { submission } if submission.channel == Channel::Online => {
                "nộp hồ sơ trực tuyến"
            }
            Self::Submit { .. } => "nộp hồ sơ",
            Self::ReceiveDirect { .. } | Self::Receive { .. } => "tiếp nhận hồ sơ",
            Self::RequestIntakeSupplement { .. } => "yêu cầu bổ sung, hoàn thiện hồ sơ",
            Self::ProvideSupplement { .. } => "bổ sung hồ sơ",
            Self::Refuse { .. } => "từ chối tiếp nhận hồ sơ",
            Self::Forward { .. } => "chuyển hồ sơ đến cơ quan có thẩm quyền",
            Self::AssignStep { .. } => "phân công xử lý",
            Self::CompleteStep { .. } => "hoàn thành bước xử lý",
            Self::Transfer { .. } => "chuyển liên thông",
            Self::ReceiveTransfer { .. } => "tiếp nhận hồ sơ liên thông",
            Self::ReturnTransfer { .. } => "nhận kết quả liên thông",
            Self::RequestSupplement { .. } => "yêu cầu bổ sung hồ sơ",
            Self::Stop { .. } => "dừng giải quyết hồ sơ",
            Self::Apologize { .. } => "xin gia hạn",
            Self::Approve { .. } => "phê duyệt",
            Self::Reject { .. } => "từ chối giải quyết",
            Self::RecordResult { .. } => "cập nhật kết quả giải quyết",
            Self::CollectFee { .. } => "thu phí, lệ phí",
            Self::AdjustFee { .. } => "điều chỉnh phí, lệ phí",
            Self::RefundFee { .. } => "hoàn trả phí, lệ phí",
            Self::ReturnResult { .. } => "trả kết quả",
            Self::Withdraw { .. } => "rút hồ sơ",
            Self::AttachDocument {
                source: DocumentSource::Reused { .. },
                ..
            } => "sử dụng lại giấy tờ đã số hóa",
            Self::AttachDocument { .. } => "đính kèm thành phần hồ sơ",
            Self::Rate { .. } => "đánh giá mức độ hài lòng",
            Self::RecordPostage { .. } => "ghi số hiệu bưu gửi",
        }
    }
}
