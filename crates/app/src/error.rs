//! The one error type of the application layer. It says what went wrong in the terms of the
//! application (not found, forbidden, conflict of a kind, invalid input with its field and
//! code, unavailable); the web crate maps it to HTTP statuses and the API's JSON error codes.

use motcua_store::DbError;

/// Why a request is refused as invalid; the adapters choose their answer from it (the web
/// crate: 400, 422, 401, 403, 413, 415, 429).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidKind {
    /// The request cannot be read as asked (a parameter of the wrong shape).
    Malformed,
    /// The request is readable but its content is refused.
    Unprocessable,
    /// The credentials are wrong.
    Credentials,
    /// A rule forbids this caller this change (e.g. a state machine's "not yours to do").
    NotPermitted,
    /// An upload over the size limit.
    TooLarge,
    /// An upload of a type not accepted.
    UnsupportedType,
    /// A quota of the caller is used up (no waiting time to tell).
    OverLimit,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The request is refused: `code` is stable, `message` is for people, `field` is the
    /// JSON path at fault when one field is, `detail` a technical detail for developers.
    #[error("{code}: {message}")]
    Invalid {
        kind: InvalidKind,
        code: &'static str,
        message: String,
        field: Option<String>,
        detail: Option<String>,
    },
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The state of the data refuses the change; `kind` is the stable code.
    #[error("conflict: {kind}")]
    Conflict { kind: &'static str, message: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The disk of the database or of the documents is full: nothing was written.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// The document store cannot be reached: the file was not stored.
    #[error("document store unavailable: {0}")]
    DocumentsUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An invalid request of `kind`.
    pub fn refused(kind: InvalidKind, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            kind,
            code,
            message: message.into(),
            field: None,
            detail: None,
        }
    }

    /// Readable but refused content (422 on the web).
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::refused(InvalidKind::Unprocessable, code, message)
    }

    /// A request that cannot be read as asked (400 on the web).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::refused(InvalidKind::Malformed, code, message)
    }

    /// One field refused: `field` is its JSON path.
    pub fn field(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            kind: InvalidKind::Unprocessable,
            code,
            message: message.into(),
            field: Some(field.into()),
            detail: None,
        }
    }

    /// A text refused by the input rules (length, characters), naming the field.
    pub fn text(e: &motcua_domain::input::TextError) -> Self {
        Self::field(e.code(), e.field(), e.message_vi())
    }

    /// `query_too_long`: a search text over the bounds of `motcua_domain::text`.
    pub fn query_too_long() -> Self {
        use motcua_domain::text::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
        AppError::bad_request(
            "query_too_long",
            format!(
                "Từ khóa tìm kiếm quá dài: tối đa {MAX_QUERY_CHARS} ký tự và {MAX_QUERY_WORDS} từ."
            ),
        )
    }

    /// A conflict of `kind`.
    pub fn conflict(kind: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            kind,
            message: message.into(),
        }
    }

    /// The stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { code, .. } => code,
            AppError::Conflict { kind, .. } => kind,
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable(_) => "service_unavailable",
            AppError::StorageFull(_) => "storage_full",
            AppError::DocumentsUnavailable(_) => "document_store_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// The Vietnamese message shown to people.
    pub fn message_vi(&self) -> String {
        match self {
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } => {
                message.clone()
            }
            AppError::Unauthenticated => "Vui lòng đăng nhập.".into(),
            AppError::Forbidden => "Bạn không có quyền thực hiện thao tác này.".into(),
            AppError::NotFound(what) => format!("Không tìm thấy {what}."),
            AppError::TooManyRequests { retry_after_secs } => {
                format!("Quá nhiều yêu cầu. Vui lòng thử lại sau {retry_after_secs} giây.")
            }
            AppError::Unavailable(_) => {
                "Hệ thống tạm thời không phục vụ được. Vui lòng thử lại sau.".into()
            }
            AppError::StorageFull(_) => {
                "Bộ nhớ lưu trữ của hệ thống đã đầy nên dữ liệu chưa được ghi. Vui lòng thử lại sau \
                 hoặc báo quản trị viên hệ thống."
                    .into()
            }
            AppError::DocumentsUnavailable(_) => {
                "Kho lưu trữ tài liệu tạm thời không truy cập được nên tệp chưa được lưu. Hồ sơ \
                 vẫn tiếp nhận được; vui lòng đính kèm tệp lại sau."
                    .into()
            }
            AppError::Internal(_) => "Đã có lỗi hệ thống. Vui lòng thử lại sau.".into(),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound("dữ liệu"),
            DbError::Conflict(c) => AppError::Conflict {
                kind: "conflict",
                message: format!("Dữ liệu bị trùng hoặc không khớp ràng buộc ({c})."),
            },
            DbError::Unavailable(m) => AppError::Unavailable(m),
            DbError::Full(m) => AppError::StorageFull(m),
            DbError::Other(m) => AppError::Internal(m),
        }
    }
}
