//! Reading the query parameters several operations share: a page of a listing, and a filter
//! whose value names one of a set of keys.

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

/// How many items a page holds: `limit` if given, else `default`, within 1 to `max`.
pub fn limit(limit: Option<i64>, default: i64, max: i64) -> i64 {
    limit.unwrap_or(default).clamp(1, max)
}

/// Where a page starts: `offset` if given, never below 0.
pub fn offset(offset: Option<i64>) -> i64 {
    offset.unwrap_or(0).max(0)
}

/// A filter's value read by `parse` (none when absent); a value `parse` does not know is 400
/// `code`, with the message `message` writes for it.
pub fn filter<T>(
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    code: &'static str,
    message: impl Fn(&str) -> String,
) -> ApiResult<Option<T>> {
    value
        .map(|v| parse(v).ok_or_else(|| ApiError::bad_request(code, message(v))))
        .transpose()
}

/// A text parameter's value trimmed, none when absent or blank.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The page of a listing a request asks for, read beside the listing's own filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Paging {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl Paging {
    /// How many items: `limit`, else `default`, within 1 to `max`.
    pub fn limit(&self, default: i64, max: i64) -> i64 {
        limit(self.limit, default, max)
    }

    /// Where the page starts: `offset`, never below 0.
    pub fn offset(&self) -> i64 {
        offset(self.offset)
    }
}
