//! The error type of the HTTP layer and its mapping to responses: JSON
//! `{"error": code, "message": Vietnamese text}` for the API, a Vietnamese page for the UI.
//! The application layer's [`AppError`] maps here to an HTTP status. A 500 is logged with its
//! cause and never shows it.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::{AppError, InvalidKind};
use motcua_store::DbError;
use serde::Serialize;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400/422: the request is wrong; `code` is stable, `message` is for people.
    #[error("{code}: {message}")]
    Invalid {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Like `Invalid`, with a technical detail for API clients (e.g. the JSON path at fault).
    #[error("{code}: {message} ({detail})")]
    InvalidDetail {
        status: StatusCode,
        code: &'static str,
        message: String,
        detail: String,
    },
    /// 422: one field of the request is wrong; `field` is its JSON path.
    #[error("{code} ({field}): {message}")]
    InvalidField {
        code: &'static str,
        field: String,
        message: String,
    },
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 503 `storage_full`: the disk is full; nothing of the request was written.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// 503 `document_store_unavailable`: the document store (a directory or S3) cannot be
    /// reached; the file was not stored and nothing refers to it.
    #[error("document store unavailable: {0}")]
    DocumentsUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable machine-readable code, e.g. `invalid_agency_code`.
    pub error: String,
    /// What went wrong, in Vietnamese.
    pub message: String,
    /// Technical detail for developers, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The field at fault (its JSON path, e.g. `applicant.name`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: message.into(),
        }
    }

    /// A text refused by the input rules (length, characters): 422 naming the field.
    pub fn text(e: &motcua_domain::input::TextError) -> Self {
        ApiError::InvalidField {
            code: e.code(),
            field: e.field().to_string(),
            message: e.message_vi(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// 400 `query_too_long`: a search text over the bounds of `motcua_domain::text`.
    pub fn query_too_long() -> Self {
        use motcua_domain::text::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
        ApiError::bad_request(
            "query_too_long",
            format!(
                "Từ khóa tìm kiếm quá dài: tối đa {MAX_QUERY_CHARS} ký tự và {MAX_QUERY_WORDS} từ."
            ),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid { status, .. } | ApiError::InvalidDetail { status, .. } => *status,
            ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_)
            | ApiError::StorageFull(_)
            | ApiError::DocumentsUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Invalid { code, .. }
            | ApiError::InvalidDetail { code, .. }
            | ApiError::InvalidField { code, .. }
            | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::StorageFull(_) => "storage_full",
            ApiError::DocumentsUnavailable(_) => "document_store_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    /// The Vietnamese message shown to people.
    pub fn message_vi(&self) -> String {
        match self {
            ApiError::Invalid { message, .. }
            | ApiError::InvalidDetail { message, .. }
            | ApiError::InvalidField { message, .. }
            | ApiError::Conflict { message, .. } => message.clone(),
            // The people-facing texts live once, in the application layer.
            ApiError::Unauthenticated => AppError::Unauthenticated.message_vi(),
            ApiError::Forbidden => AppError::Forbidden.message_vi(),
            ApiError::NotFound(what) => AppError::NotFound(what).message_vi(),
            ApiError::TooManyRequests { retry_after_secs } => AppError::TooManyRequests {
                retry_after_secs: *retry_after_secs,
            }
            .message_vi(),
            ApiError::Unavailable(m) => AppError::Unavailable(m.clone()).message_vi(),
            ApiError::StorageFull(m) => AppError::StorageFull(m.clone()).message_vi(),
            ApiError::DocumentsUnavailable(m) => {
                AppError::DocumentsUnavailable(m.clone()).message_vi()
            }
            ApiError::Internal(m) => AppError::Internal(m.clone()).message_vi(),
        }
    }

    pub fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            error: self.code().to_string(),
            message: self.message_vi(),
            detail: match self {
                ApiError::InvalidDetail { detail, .. } => Some(detail.clone()),
                _ => None,
            },
            field: match self {
                ApiError::InvalidField { field, .. } => Some(field.clone()),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause)
            | ApiError::StorageFull(cause)
            | ApiError::DocumentsUnavailable(cause) => tracing::warn!(%cause, "unavailable"),
            _ => {}
        }
        let mut res = (self.status(), Json(self.body())).into_response();
        match &self {
            ApiError::Unauthenticated => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        AppError::from(e).into()
    }
}

impl From<motcua_app::blobs::BlobError> for ApiError {
    fn from(e: motcua_app::blobs::BlobError) -> Self {
        AppError::from(e).into()
    }
}

/// The HTTP status of a refusal of the application layer.
fn invalid_status(kind: InvalidKind) -> StatusCode {
    match kind {
        InvalidKind::Malformed => StatusCode::BAD_REQUEST,
        InvalidKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        InvalidKind::Credentials => StatusCode::UNAUTHORIZED,
        InvalidKind::NotPermitted => StatusCode::FORBIDDEN,
        InvalidKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        InvalidKind::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        InvalidKind::OverLimit => StatusCode::TOO_MANY_REQUESTS,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid {
                kind: InvalidKind::Unprocessable,
                code,
                message,
                field: Some(field),
                ..
            } => ApiError::InvalidField {
                code,
                field,
                message,
            },
            AppError::Invalid {
                kind,
                code,
                message,
                detail: Some(detail),
                ..
            } => ApiError::InvalidDetail {
                status: invalid_status(kind),
                code,
                message,
                detail,
            },
            AppError::Invalid {
                kind,
                code,
                message,
                ..
            } => ApiError::Invalid {
                status: invalid_status(kind),
                code,
                message,
            },
            AppError::Unauthenticated => ApiError::Unauthenticated,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound(what) => ApiError::NotFound(what),
            AppError::Conflict { kind, message } => ApiError::Conflict {
                code: kind,
                message,
            },
            AppError::TooManyRequests { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            AppError::Unavailable(m) => ApiError::Unavailable(m),
            AppError::StorageFull(m) => ApiError::StorageFull(m),
            AppError::DocumentsUnavailable(m) => ApiError::DocumentsUnavailable(m),
            AppError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::InvalidDetail {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_body",
                message: "Dữ liệu gửi lên thiếu trường bắt buộc, sai kiểu hoặc có trường không được phép.".into(),
                detail: serde_detail(&e.body_text()),
            },
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request("malformed_json", "Nội dung gửi lên không phải JSON hợp lệ.")
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::Invalid {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "Yêu cầu phải có Content-Type: application/json.".into(),
            },
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::Invalid {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "payload_too_large",
                    message: "Nội dung gửi lên vượt quá dung lượng cho phép.".into(),
                }
            }
            other => ApiError::bad_request("bad_request", format!("Yêu cầu không hợp lệ: {other}")),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::InvalidDetail {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: "Tham số truy vấn không hợp lệ.".into(),
            detail: serde_detail(&r.body_text()),
        }
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        ApiError::InvalidDetail {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_path",
            message: "Tham số trên đường dẫn không hợp lệ.".into(),
            detail: serde_detail(&r.body_text()),
        }
    }
}

/// The serde part of an axum rejection text (drops axum's English preamble).
fn serde_detail(text: &str) -> String {
    text.rsplit_once("target type: ")
        .or_else(|| text.split_once(": "))
        .map(|(_, d)| d.to_string())
        .unwrap_or_else(|| text.to_string())
}

/// JSON body extractor whose rejections are [`ApiError`]s.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query-string extractor whose rejections are [`ApiError`]s.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path-parameter extractor whose rejections are [`ApiError`]s (400 `invalid_path`, JSON).
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;
