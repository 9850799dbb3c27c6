//! Administration (Quản trị), for administrators: agencies and their office hours, staff and
//! their roles, procedures with their status and per-agency workflows, the holiday calendar,
//! the personal data access log.
//!
//! Every page is gated by [`Ctx::admin`] (a form by `Posted<_, Admin>`); every change goes
//! through the same application service (and so the same authorisation) as the JSON API.

pub(crate) mod access_log;
pub(crate) mod agencies;
pub(crate) mod calendar;
pub(crate) mod procedures;
pub(crate) mod users;
// Webhooks (#21).
pub(crate) mod webhooks;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::kit::{Ctx, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// The mistakes of a form, each shown next to its field (`"form"`: about the whole form).
#[derive(Default)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        Errors(vec![(field, message.into())])
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The status of a page showing these mistakes: 422 when there are any.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// A service error on a form: `Ok(errors)` to send the form back (422) with the message next
/// to the field `field_of(code)` names (the whole form otherwise); `Err(page)` for refusals
/// and failures, which are not the user's typing.
#[allow(clippy::result_large_err)] // the page itself, as `Ctx`'s gates return it
pub(super) fn form_error(
    ctx: &Ctx,
    e: &(impl Clone + Into<ApiError>),
    field_of: impl Fn(&str) -> Option<&'static str>,
) -> Result<Errors, Response> {
    let e: ApiError = e.clone().into();
    let e = &e;
    let s = e.status();
    if s == StatusCode::FORBIDDEN || s == StatusCode::UNAUTHORIZED || s.is_server_error() {
        return Err(ctx.error(e));
    }
    Ok(Errors::one(
        field_of(e.code()).unwrap_or("form"),
        e.message_vi(),
    ))
}

/// What a page says after a change (post/redirect/get): the text of its `?ok=` key in `said`.
pub(super) fn notice(ok: Option<&str>, said: &[(&str, &'static str)]) -> Option<&'static str> {
    said.iter()
        .find(|(k, _)| Some(*k) == ok)
        .map(|(_, text)| *text)
}

/// 303 to `to` after a change (post/redirect/get).
pub(super) fn see_other(ctx: &Ctx, to: &str) -> Response {
    ctx.finish(Redirect::to(to).into_response())
}

/// A form with only its CSRF token (which [`crate::ui::form::Posted`] checks).
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {}

/// Page number from `?trang=` (1-based).
pub(super) fn page_offset(trang: Option<i64>, size: i64) -> (i64, i64) {
    let page = trang.unwrap_or(1).max(1);
    (page, (page - 1) * size)
}

/// What a page was sent back to say (`?ok=`, see [`notice`]).
#[derive(Deserialize)]
pub(crate) struct OkQuery {
    pub ok: Option<String>,
}

/// A searched list's query: the words (`?q=`) and the page (`?trang=`).
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    pub q: Option<String>,
    pub trang: Option<i64>,
}

/// A list's page (`?trang=`, 1-based) and the addresses of the pages before and after it.
pub(crate) struct Pager {
    pub page: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `page`, from `offset` with `size` items a page, of `total` items; `link(n)` is the
    /// address of page n.
    pub(super) fn new(
        page: i64,
        offset: i64,
        size: i64,
        total: i64,
        link: impl Fn(i64) -> String,
    ) -> Self {
        Pager {
            prev: (page > 1).then(|| link(page - 1)),
            next: (offset + size < total).then(|| link(page + 1)),
            page,
        }
    }
}

/// An agency by its code, through the look-up cache (as the API finds it).
pub(super) async fn agency_by_code(
    state: &AppState,
    code: &str,
) -> Result<motcua_store::Agency, ApiError> {
    Ok(state.agency(code.trim()).await?)
}

/// Empty after trimming → `None`.
pub(super) fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[derive(Template)]
#[template(path = "ui/admin/index.html")]
struct Index {
    p: Page,
    agencies: String,
    users: String,
    procedures: String,
    official_years: Vec<i32>,
    year: i32,
}

pub(crate) async fn index(ctx: Ctx) -> Response {
    if let Err(r) = ctx.admin() {
        return r;
    }
    let c = match ctx.state.admin_counts().await {
        Ok(c) => c,
        Err(e) => return ctx.error(&e),
    };
    let (agencies, users, procedures, official_years) =
        (c.agencies, c.users, c.procedures, c.official_years);
    let p = ctx.page();
    ctx.render(Index {
        agencies: p.int(agencies),
        users: p.int(users),
        procedures: p.int(procedures),
        official_years,
        year: chrono::Datelike::year(&motcua_domain::vn_time::today()),
        p,
    })
}
