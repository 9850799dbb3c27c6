//! Home page, signing in and out, and the language switch.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::SessionKind;
use serde::Deserialize;

use super::form::{OrPage, Posted, UiResult};
use super::kit::{Ctx, LANG_COOKIE, Page, append_cookie, secure, set_lax_cookie};
use crate::auth::{self, ClientIp, SESSION_COOKIE};
use crate::error::ApiError;
use crate::security::local_path;
use crate::state::AppState;
use motcua_app::totp::SecondStep;
use motcua_domain::auth::Role;

#[derive(Template)]
#[template(path = "ui/home.html")]
struct Home {
    p: Page,
    provinces: String,
    communes: String,
    agencies: String,
}

pub(crate) async fn home(ctx: Ctx) -> UiResult {
    let (provinces, communes, agencies) = ctx.state.home_counts().await.or_page(&ctx)?;
    let p = ctx.page();
    Ok(ctx.render(Home {
        provinces: p.int(provinces),
        communes: p.int(communes),
        agencies: p.int(agencies),
        p,
    }))
}

#[derive(Template)]
#[template(path = "ui/login.html")]
struct Login {
    p: Page,
    username: String,
    next: String,
    error: Option<String>,
    demo: bool,
    /// The single sign-on providers: (id, name on the button).
    providers: Vec<(String, String)>,
}

fn providers(state: &AppState) -> Vec<(String, String)> {
    state
        .sso_providers()
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
}

pub(crate) async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    ctx.render(Login {
        p: ctx.page(),
        username: String::new(),
        next: local_path(&q.next).to_string(),
        error: None,
        demo: ctx.state.config.demo,
        providers: providers(&ctx.state),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    next: String,
}

/// Where a role's work is: signing in without a page to return to lands there.
pub(super) fn landing(user: &motcua_store::User) -> &'static str {
    let roles = user.roles();
    [
        (Role::ReceivingOfficer, "/mot-cua"),
        (Role::Specialist, "/xu-ly"),
        (Role::Leader, "/dieu-hanh"),
        (Role::Admin, "/quan-tri"),
    ]
    .into_iter()
    .find(|(r, _)| roles.contains(r))
    .map_or("/", |(_, to)| to)
}

/// A sign-in completed (password, single sign-on, second factor): to `next`, or to the role's
/// landing page when there is none, with the session's cookie.
pub(super) fn signed_in(
    ctx: &Ctx,
    user: &motcua_store::User,
    secret: &str,
    next: &str,
) -> Response {
    let to = if next == "/" {
        landing(user)
    } else {
        local_path(next)
    };
    let mut res = Redirect::to(to).into_response();
    let max_age = ctx.state.config.session_ttl_hours * 3600;
    set_lax_cookie(&mut res, &ctx.state, SESSION_COOKIE, secret, "/", max_age);
    res
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Posted(ctx, _, form, _): Posted<LoginForm>,
) -> Response {
    let username = form.username.trim().to_string();
    let next = local_path(&form.next).to_string();
    match auth::login(&state, &username, &form.password, ip).await {
        // A staff account with a second factor: its code first (#20).
        Ok(user) if !matches!(state.second_step(&user).await, Ok(SecondStep::None)) => {
            super::totp::challenge_started(&ctx, &user, &next).await
        }
        Ok(user) => match auth::open_session(&state, &user, SessionKind::Browser).await {
            Ok((secret, _)) => signed_in(&ctx, &user, &secret, &next),
            Err(e) => ctx.error(&e),
        },
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status();
            if status.is_server_error() {
                return ctx.error(&e);
            }
            // Keep what was typed (but never the password) and say what went wrong, in place.
            ctx.render_status(
                status,
                Login {
                    p: ctx.page(),
                    username,
                    next,
                    error: Some(e.message_vi()),
                    demo: state.config.demo,
                    providers: providers(&state),
                },
            )
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct NoFields {}

pub(crate) async fn logout(Posted(ctx, _, _, _): Posted<NoFields>) -> Response {
    // A session opened through a provider ends there too (RP-initiated logout).
    let mut to = None;
    if let Some(c) = &ctx.caller {
        to = match ctx.state.sso_sign_out_url(&c.token_hash).await {
            Ok(u) => u,
            Err(e) => return ctx.error(&e),
        };
        if let Err(e) = ctx.state.sign_out(&c.token_hash).await {
            return ctx.error(&e);
        }
    }
    // The provider's sign-out is another origin: a redirect answering the form would be
    // refused by the pages' `form-action 'self'`, so a page sends the browser on.
    let mut res = match to {
        Some(url) => super::kit::render(SignedOut { url }),
        None => Redirect::to("/").into_response(),
    };
    set_lax_cookie(&mut res, &ctx.state, SESSION_COOKIE, "", "/", 0);
    res
}

/// Signed out here; on to the provider's sign-out (#20).
#[derive(Template)]
#[template(path = "ui/signed_out.html")]
struct SignedOut {
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LangForm {
    lang: String,
    next: String,
}

pub(crate) async fn language(Posted(ctx, _, form, _): Posted<LangForm>) -> Response {
    let lang = super::i18n::Lang::parse(&form.lang).unwrap_or(super::i18n::Lang::Vi);
    let mut res = Redirect::to(local_path(&form.next)).into_response();
    append_cookie(
        &mut res,
        &format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
            lang.code(),
            secure(&ctx.state)
        ),
    );
    res
}
