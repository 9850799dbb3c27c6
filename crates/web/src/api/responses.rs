//! The error answers an operation documents, one type a status, each with the body
//! `{"error": code, "message": …}` ([`ApiErrorBody`](crate::error::ApiErrorBody)). An operation
//! lists its own: `responses((status = 200, body = Agency), Unauthorized, Forbidden, NotFound)`.
//! An answer that needs its own description stays a tuple beside them.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

/// The error answer with HTTP status `STATUS`.
pub struct ErrorStatus<const STATUS: u16>;

impl<const STATUS: u16> utoipa::IntoResponses for ErrorStatus<STATUS> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ApiErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description("")
            .content("application/json", content)
            .build();
        BTreeMap::from([(STATUS.to_string(), RefOr::T(response))])
    }
}

/// 400: a query parameter or the body's syntax is wrong.
pub type BadRequest = ErrorStatus<400>;
/// 401: no valid token or session.
pub type Unauthorized = ErrorStatus<401>;
/// 403: the caller may not do this.
pub type Forbidden = ErrorStatus<403>;
/// 404: what the path names does not exist (or is not the caller's to see).
pub type NotFound = ErrorStatus<404>;
/// 409: the state refuses it (a stale version, a duplicate, a transition not allowed).
pub type Conflict = ErrorStatus<409>;
/// 413: the body is larger than allowed.
pub type TooLarge = ErrorStatus<413>;
/// 415: the file's type is not accepted.
pub type UnsupportedType = ErrorStatus<415>;
/// 422: a field's value is wrong.
pub type Unprocessable = ErrorStatus<422>;
/// 429: too many requests from this address or caller.
pub type TooManyRequests = ErrorStatus<429>;
/// 503: a service it needs cannot be reached.
pub type Unavailable = ErrorStatus<503>;
