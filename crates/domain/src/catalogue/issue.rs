//! What the importer reports: a fatal [`ImportError`] when a record cannot become a procedure at
//! all, or a [`ParsedProcedure`] whose [`ParseIssue`]s list what could not be read with
//! certainty, so each record can be shown as imported or as needing review.

use serde::{Deserialize, Serialize};

use super::model::Procedure;

/// A record that could not become a procedure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The line is not a JSON object.
    #[error("the record is not a JSON object: {0}")]
    InvalidJson(String),
    /// No procedure code (mã thủ tục).
    #[error("the record has no procedure code")]
    MissingCode,
    /// No procedure name (tên thủ tục).
    #[error("the record has no procedure name")]
    MissingName,
}

impl ImportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::InvalidJson(_) => "catalogue.invalid_json",
            ImportError::MissingCode => "catalogue.missing_code",
            ImportError::MissingName => "catalogue.missing_name",
        }
    }

    /// Message for Vietnamese users.
    pub fn message_vi(&self) -> String {
        match self {
            ImportError::InvalidJson(detail) => {
                format!("Bản ghi không phải là một đối tượng JSON hợp lệ: {detail}")
            }
            ImportError::MissingCode => "Bản ghi thiếu mã thủ tục hành chính.".to_owned(),
            ImportError::MissingName => "Bản ghi thiếu tên thủ tục hành chính.".to_owned(),
        }
    }
}

/// A procedure with what the parser could not read with certainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedProcedure {
    pub procedure: Procedure,
    pub issues: Vec<ParseIssue>,
}

impl ParsedProcedure {
    /// True when some issue asks for a human to check the record.
    pub fn needs_review(&self) -> bool {
        self.issues.iter().any(|i| i.kind.needs_review())
    }
}

/// One thing the parser could not read with certainty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseIssue {
    /// The crawler's field name, e.g. "cach_thuc_thuc_hien".
    pub field: String,
    pub kind: IssueKind,
    /// English detail, quoting the text concerned (shortened).
    pub message: String,
}

/// What kind of problem an issue reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A time limit is stated in words the parser does not understand.
    TimeUnparsed,
    /// A bare number without a unit: working days assumed.
    TimeUnitAssumed,
    /// A range of time: the upper bound was taken.
    TimeRange,
    /// Several time limits in one text: the first was taken.
    TimeSeveralLimits,
    /// A time of "0", which the portal uses as a placeholder: read as not stated.
    TimeZero,
    /// A bare time limit and a fee amount ran together ("120 VNĐ"): split as the shortest time.
    TimeFeeRunTogether,
    /// A fee stated in prose without an amount.
    FeeInProse,
    /// A fee amount in thousands of đồng in the cell, scaled with the note's confirmation.
    FeeScaled,
    /// A fee amount too small to be in đồng, that the note does not explain.
    FeeDoubtfulAmount,
    /// The cell says free of charge but the note states amounts.
    FeeNoteStatesAmount,
    /// The cell says VNĐ but the note gives the same amount in another currency.
    FeeCurrencyFromNote,
    /// A number in the fee text that looks like an amount but was not read as one.
    FeeUnreadAmount,
    /// Text in the channel table that does not belong to a known channel row.
    UnknownChannel,
    /// The channel table has no row.
    NoChannels,
    /// The component field is not the portal's component table.
    ComponentsUnstructured,
    /// A component row without a quantity.
    ComponentWithoutQuantity,
    /// The legal basis is not the portal's table.
    LegalBasisUnstructured,
    /// A legal document without a number.
    LegalDocWithoutNumber,
    /// A cấp thực hiện the importer does not know.
    UnknownLevel,
    /// A procedure code that does not look like "d.dddddd".
    UnusualCode,
}

impl IssueKind {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            IssueKind::TimeUnparsed => "time_unparsed",
            IssueKind::TimeUnitAssumed => "time_unit_assumed",
            IssueKind::TimeRange => "time_range",
            IssueKind::TimeSeveralLimits => "time_several_limits",
            IssueKind::TimeZero => "time_zero",
            IssueKind::TimeFeeRunTogether => "time_fee_run_together",
            IssueKind::FeeInProse => "fee_in_prose",
            IssueKind::FeeScaled => "fee_scaled",
            IssueKind::FeeDoubtfulAmount => "fee_doubtful_amount",
            IssueKind::FeeNoteStatesAmount => "fee_note_states_amount",
            IssueKind::FeeCurrencyFromNote => "fee_currency_from_note",
            IssueKind::FeeUnreadAmount => "fee_unread_amount",
            IssueKind::UnknownChannel => "unknown_channel",
            IssueKind::NoChannels => "no_channels",
            IssueKind::ComponentsUnstructured => "components_unstructured",
            IssueKind::ComponentWithoutQuantity => "component_without_quantity",
            IssueKind::LegalBasisUnstructured => "legal_basis_unstructured",
            IssueKind::LegalDocWithoutNumber => "legal_doc_without_number",
            IssueKind::UnknownLevel => "unknown_level",
            IssueKind::UnusualCode => "unusual_code",
        }
    }

    /// Whether a human should check the record. Issues that only record a documented reading
    /// confirmed by the text (a range's upper bound, a scale or currency the note confirms, a
    /// document without number) do not.
    pub fn needs_review(self) -> bool {
        !matches!(
            self,
            IssueKind::TimeRange
                | IssueKind::FeeScaled
                | IssueKind::FeeCurrencyFromNote
                | IssueKind::LegalDocWithoutNumber
        )
    }

    /// Short label for Vietnamese users.
    pub fn label_vi(self) -> &'static str {
        match self {
            IssueKind::TimeUnparsed => "Không đọc được thời hạn giải quyết",
            IssueKind::TimeUnitAssumed => "Thời hạn không ghi đơn vị, tạm hiểu là ngày làm việc",
            IssueKind::TimeRange => "Thời hạn là một khoảng, lấy giới hạn trên",
            IssueKind::TimeSeveralLimits => "Có nhiều thời hạn, lấy thời hạn đầu tiên",
            IssueKind::TimeZero => "Thời hạn ghi 0, coi như không có thông tin",
            IssueKind::TimeFeeRunTogether => "Thời hạn và lệ phí bị dính liền nhau",
            IssueKind::FeeInProse => "Phí, lệ phí ghi bằng lời, không có số tiền",
            IssueKind::FeeScaled => "Số tiền ghi theo nghìn đồng, đã quy đổi theo ghi chú",
            IssueKind::FeeDoubtfulAmount => "Số tiền quá nhỏ, không rõ đơn vị",
            IssueKind::FeeNoteStatesAmount => "Ghi miễn phí nhưng phần ghi chú nêu số tiền",
            IssueKind::FeeCurrencyFromNote => "Đơn vị tiền tệ lấy theo ghi chú",
            IssueKind::FeeUnreadAmount => "Có số tiền chưa đọc được trong phần phí, lệ phí",
            IssueKind::UnknownChannel => "Có nội dung không thuộc hình thức nộp đã biết",
            IssueKind::NoChannels => "Không có hình thức nộp nào",
            IssueKind::ComponentsUnstructured => "Thành phần hồ sơ không đúng dạng bảng",
            IssueKind::ComponentWithoutQuantity => "Giấy tờ không ghi số lượng",
            IssueKind::LegalBasisUnstructured => "Căn cứ pháp lý không đúng dạng bảng",
            IssueKind::LegalDocWithoutNumber => "Văn bản pháp lý không có số ký hiệu",
            IssueKind::UnknownLevel => "Cấp thực hiện không xác định",
            IssueKind::UnusualCode => "Mã thủ tục có dạng bất thường",
        }
    }
}

/// An issue found by a field parser, before the record parser names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: IssueKind,
    pub message: String,
}

impl Finding {
    pub(crate) fn new(kind: IssueKind, message: impl Into<String>) -> Self {
        Finding {
            kind,
            message: message.into(),
        }
    }

    /// Names the field the finding belongs to.
    pub fn in_field(self, field: &str) -> ParseIssue {
        ParseIssue {
            field: field.to_owned(),
            kind: self.kind,
            message: self.message,
        }
    }
}
