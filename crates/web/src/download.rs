//! Files answered as downloads (forms, receipts, exports): their media type, and how the
//! browser is to treat them (`inline` or `attachment`) under which name.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use motcua_app::forms::Rendered;

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `body` as a file of `content_type`, shown (`inline`) or saved (`attachment`) as `name`.
pub fn file(
    content_type: &str,
    disposition: &str,
    name: &str,
    body: impl IntoResponse,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A form or receipt the application layer rendered (HTML or PDF), shown inline.
pub fn rendered(r: Rendered) -> Response {
    file(r.content_type, "inline", &r.file_name, r.body)
}
