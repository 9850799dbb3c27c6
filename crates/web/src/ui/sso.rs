//! Signing in through an OpenID Connect provider (#20): `/dang-nhap/sso/{provider}` sends the
//! browser to the provider, `/dang-nhap/sso/{provider}/callback` receives it back. The flow
//! itself (PKCE, nonce, the ID token's checks, the account) is [`motcua_app::sso`]'s; here the
//! `state` is also bound to the browser that started the sign-in, by a short-lived cookie, so
//! a callback address sent to someone else signs nobody in.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::kit::{Ctx, Page, set_lax_cookie};
use crate::auth::{cookie_in, same_secret};
use crate::error::ApiError;
use crate::security::local_path;

/// The cookie that binds a sign-in's `state` to the browser that started it.
const STATE_COOKIE: &str = "motcua_sso_state";
/// Where the state cookie is sent: the flow's pages.
const PATH: &str = "/dang-nhap/sso";

#[derive(Deserialize)]
pub(crate) struct StartQuery {
    #[serde(default)]
    next: String,
}

pub(crate) async fn start(
    ctx: Ctx,
    Path(provider): Path<String>,
    Query(q): Query<StartQuery>,
) -> Response {
    let next = local_path(&q.next).to_string();
    match ctx.state.sso_start(&provider, &next).await {
        Ok(s) => {
            let mut res = Redirect::to(&s.url).into_response();
            let max_age = motcua_app::sso::FLOW_TTL_MINUTES * 60;
            set_lax_cookie(&mut res, &ctx.state, STATE_COOKIE, &s.state, PATH, max_age);
            res
        }
        Err(e) => refused_page(&ctx, &e),
    }
}

#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    iss: Option<String>,
    error: Option<String>,
}

pub(crate) async fn callback(
    ctx: Ctx,
    Path(provider): Path<String>,
    headers: axum::http::HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let bound = cookie_in(&headers, STATE_COOKIE).is_some_and(|c| same_secret(c, &q.state));
    let outcome = if q.error.is_some() {
        Err(motcua_app::AppError::refused(
            motcua_app::InvalidKind::Credentials,
            "sso_cancelled",
            "Việc đăng nhập tại nhà cung cấp đã bị hủy hoặc không thành công. Bạn có thể thử lại.",
        ))
    } else if !bound || q.code.is_empty() {
        Err(motcua_app::AppError::refused(
            motcua_app::InvalidKind::Credentials,
            "sso_state_invalid",
            "Lượt đăng nhập này không bắt đầu từ trình duyệt này hoặc đã hết hạn. Vui lòng đăng nhập lại.",
        ))
    } else {
        ctx.state
            .sso_callback(&provider, &q.code, &q.state, q.iss.as_deref())
            .await
    };
    let mut res = match outcome {
        Ok(done) => super::session::signed_in(&ctx, &done.user, &done.secret, &done.next),
        Err(e) => refused_page(&ctx, &e),
    };
    set_lax_cookie(&mut res, &ctx.state, STATE_COOKIE, "", PATH, 0);
    res
}

#[derive(Template)]
#[template(path = "ui/sso_refused.html")]
struct Refused {
    p: Page,
    message: String,
}

/// The Vietnamese page of a sign-in refused (or a provider away), with the way back.
fn refused_page(ctx: &Ctx, e: &motcua_app::AppError) -> Response {
    let e = ApiError::from(e.clone());
    let status = match e.status() {
        s if s.is_server_error() => s,
        StatusCode::NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::FORBIDDEN,
    };
    ctx.render_status(
        status,
        Refused {
            p: ctx.page(),
            message: e.message_vi(),
        },
    )
}
