//! Why a form cannot be rendered.

use crate::sets::FormKind;

/// A form that cannot be produced, with a stable `code()` and a Vietnamese `message_vi()`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The form set in force does not have this form (the stop notice before Circular
    /// 03/2025/TT-VPCP).
    #[error("form {kind} is not part of the form set of {circular}")]
    NotInSet { kind: FormKind, circular: String },
    /// The dossier lacks what the form must state (e.g. a receipt without an appointment).
    #[error("form {kind} needs {field}, which the dossier does not have")]
    Missing {
        kind: FormKind,
        /// What is missing, in Vietnamese ("ngày hẹn trả kết quả").
        field: &'static str,
    },
    /// The look-up URL does not fit in a QR code.
    #[error("cannot encode the look-up URL as a QR code: {0}")]
    Qr(String),
    /// The HTML template failed.
    #[error("HTML template error: {0}")]
    Template(String),
    /// The PDF writer failed.
    #[error("PDF error: {0}")]
    Pdf(String),
}

impl FormError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::NotInSet { .. } => "form_not_in_set",
            FormError::Missing { .. } => "form_data_missing",
            FormError::Qr(_) => "form_qr",
            FormError::Template(_) => "form_template",
            FormError::Pdf(_) => "form_pdf",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            FormError::NotInSet { kind, circular } => format!(
                "Bộ biểu mẫu theo {circular} không có mẫu «{}».",
                kind_vi(*kind)
            ),
            FormError::Missing { kind, field } => {
                format!("Chưa in được {}: hồ sơ chưa có {field}.", kind_vi(*kind))
            }
            FormError::Qr(_) => "Địa chỉ tra cứu hồ sơ quá dài, không tạo được mã QR.".to_owned(),
            FormError::Template(_) | FormError::Pdf(_) => {
                "Đã có lỗi khi tạo biểu mẫu; vui lòng thử lại hoặc báo quản trị hệ thống."
                    .to_owned()
            }
        }
    }
}

/// The form's usual name, for messages.
fn kind_vi(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Receipt => "giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        FormKind::SupplementRequest => "phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        FormKind::Refusal => "phiếu từ chối tiếp nhận giải quyết hồ sơ",
        FormKind::Apology => "văn bản xin lỗi và hẹn lại ngày trả kết quả",
        FormKind::StopNotice => "thông báo dừng giải quyết hồ sơ",
        FormKind::ControlSheet => "phiếu kiểm soát quá trình giải quyết hồ sơ",
        FormKind::Register => "sổ theo dõi hồ sơ",
    }
}
