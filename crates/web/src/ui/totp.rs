//! The staff's second factor in the browser (#20): the code page of a password sign-in
//! (`/dang-nhap/xac-thuc`, with the secret to set up when an administrator requires it), and
//! the staff member's own page to turn it on or off (`/tai-khoan/xac-thuc-hai-lop`). The rules
//! are [`motcua_app::totp`]'s.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::totp::{SecondStep, TotpSetup};
use motcua_store::User;
use serde::Deserialize;

use super::form::{OrPage, Posted, SignedIn, UiResult};
use super::kit::{Ctx, Page, set_lax_cookie};
use crate::auth::cookie_in;
use crate::error::ApiError;

/// The cookie of a password sign-in waiting for its code.
const CHALLENGE_COOKIE: &str = "motcua_2fa";

/// After a right password: the challenge's cookie and the code page.
pub(super) async fn challenge_started(ctx: &Ctx, user: &User, next: &str) -> Response {
    match ctx.state.start_challenge(user, next).await {
        Ok(secret) => {
            let mut res = Redirect::to("/dang-nhap/xac-thuc").into_response();
            let max_age = motcua_app::totp::CHALLENGE_MINUTES * 60;
            set_lax_cookie(
                &mut res,
                &ctx.state,
                CHALLENGE_COOKIE,
                &secret,
                "/dang-nhap",
                max_age,
            );
            res
        }
        Err(e) => ctx.error(&e),
    }
}

#[derive(Template)]
#[template(path = "ui/totp_code.html")]
struct CodePage {
    p: Page,
    setup: Option<TotpSetup>,
    error: Option<String>,
}

fn challenge_secret(headers: &HeaderMap) -> String {
    cookie_in(headers, CHALLENGE_COOKIE)
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn code_page(ctx: Ctx, headers: HeaderMap) -> Response {
    match ctx.state.challenge(&challenge_secret(&headers)).await {
        Ok(c) => ctx.render(CodePage {
            p: ctx.page(),
            setup: c.setup.filter(|_| c.step == SecondStep::Setup),
            error: None,
        }),
        Err(_) => Redirect::to("/dang-nhap").into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(crate) async fn code_submit(
    headers: HeaderMap,
    Posted(ctx, _, form, _): Posted<CodeForm>,
) -> Response {
    let secret = challenge_secret(&headers);
    match ctx.state.complete_challenge(&secret, &form.code).await {
        Ok(done) => {
            let mut res = super::session::signed_in(&ctx, &done.user, &done.secret, &done.next);
            set_lax_cookie(&mut res, &ctx.state, CHALLENGE_COOKIE, "", "/dang-nhap", 0);
            res
        }
        Err(e) => {
            let setup = match ctx.state.challenge(&secret).await {
                Ok(c) => c.setup.filter(|_| c.step == SecondStep::Setup),
                // Expired, or too many wrong codes: back to the password.
                Err(_) => return Redirect::to("/dang-nhap").into_response(),
            };
            let e = ApiError::from(e);
            ctx.render_status(
                StatusCode::UNAUTHORIZED,
                CodePage {
                    p: ctx.page(),
                    setup,
                    error: Some(e.message_vi()),
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "ui/totp_own.html")]
struct OwnPage {
    p: Page,
    enabled: bool,
    required: bool,
    setup: Option<TotpSetup>,
    error: Option<String>,
    notice: Option<&'static str>,
}

pub(crate) async fn own_page(ctx: Ctx) -> Response {
    own_render(&ctx, Said::default()).await
}

/// What the own page says besides the factor's state: the secret being set up, a refusal
/// (with its status) or what was done.
#[derive(Default)]
struct Said {
    setup: Option<TotpSetup>,
    error: Option<(StatusCode, String)>,
    notice: Option<&'static str>,
}

impl Said {
    fn done(notice: &'static str) -> Said {
        Said {
            notice: Some(notice),
            ..Said::default()
        }
    }
}

async fn own_render(ctx: &Ctx, said: Said) -> Response {
    let (status, error) = match said.error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let caller = match ctx.signed_in() {
        Ok(c) => c,
        Err(r) => return r,
    };
    match ctx.state.own_totp(caller).await {
        Ok(t) => ctx.render_status(
            status,
            OwnPage {
                p: ctx.page(),
                enabled: t.enabled,
                required: t.required,
                setup: said.setup,
                error,
                notice: said.notice,
            },
        ),
        Err(e) => ctx.error(&e),
    }
}

#[derive(Deserialize)]
pub(crate) struct NoFields {}

pub(crate) async fn turn_on(Posted(ctx, caller, _, _): Posted<NoFields, SignedIn>) -> UiResult {
    let setup = ctx.state.begin_totp(&caller).await.or_page(&ctx)?;
    let said = Said {
        setup: Some(setup),
        ..Said::default()
    };
    Ok(own_render(&ctx, said).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ConfirmForm {
    code: String,
    secret: String,
    uri: String,
}

pub(crate) async fn confirm(
    Posted(ctx, caller, form, _): Posted<ConfirmForm, SignedIn>,
) -> Response {
    let said = match ctx.state.confirm_totp(&caller, &form.code).await {
        Ok(()) => Said::done("Đã bật xác thực hai lớp."),
        // The secret being set up stays on the page, to try another code.
        Err(e) => Said {
            setup: Some(TotpSetup {
                secret: form.secret,
                uri: form.uri,
            }),
            error: Some((StatusCode::UNAUTHORIZED, ApiError::from(e).message_vi())),
            notice: None,
        },
    };
    own_render(&ctx, said).await
}

pub(crate) async fn turn_off(Posted(ctx, caller, form, _): Posted<CodeForm, SignedIn>) -> Response {
    let said = match ctx.state.turn_off_totp(&caller, &form.code).await {
        Ok(()) => Said::done("Đã tắt xác thực hai lớp."),
        Err(e) => {
            let e = ApiError::from(e);
            Said {
                error: Some((e.status(), e.message_vi())),
                ..Said::default()
            }
        }
    };
    own_render(&ctx, said).await
}
