//! Home page, signing in and out, and the language switch.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::units::Level;
use motcua_store::{AgencyQuery, SessionKind, UnitQuery};
use serde::Deserialize;

use super::kit::{Ctx, LANG_COOKIE, Page, append_cookie, secure};
use crate::auth::{self, ClientIp, SESSION_COOKIE};
use crate::error::ApiError;
use crate::security::local_path;
use crate::state::AppState;
use motcua_app::changes::Changed;
use motcua_domain::auth::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/dang-nhap", get(login_page).post(login_submit))
        .route("/dang-xuat", post(logout))
        .route("/ngon-ngu", post(language))
}

#[derive(Template)]
#[template(path = "ui/home.html")]
struct Home {
    p: Page,
    provinces: String,
    communes: String,
    agencies: String,
}

async fn home(ctx: Ctx) -> Response {
    let state = &ctx.state;
    let count_units = |level| {
        let store = state.store.clone();
        async move {
            store
                .search_units(&UnitQuery {
                    q: None,
                    parent: None,
                    level: Some(level),
                    at: motcua_domain::vn_time::today(),
                    limit: 1,
                })
                .await
                .map(|p| p.total)
        }
    };
    let counts = async {
        let provinces = count_units(Level::Province).await?;
        let communes = count_units(Level::Commune).await?;
        let agencies = state
            .store
            .list_agencies(&AgencyQuery {
                limit: 1,
                ..Default::default()
            })
            .await?
            .total;
        Ok::<_, motcua_store::DbError>((provinces, communes, agencies))
    };
    let (provinces, communes, agencies) = match counts.await {
        Ok(c) => c,
        Err(e) => return ctx.error(&ApiError::from(e)),
    };
    let p = ctx.page();
    ctx.render(Home {
        provinces: p.int(provinces),
        communes: p.int(communes),
        agencies: p.int(agencies),
        p,
    })
}

#[derive(Template)]
#[template(path = "ui/login.html")]
struct Login {
    p: Page,
    username: String,
    next: String,
    error: Option<String>,
    demo: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    ctx.render(Login {
        p: ctx.page(),
        username: String::new(),
        next: local_path(&q.next).to_string(),
        error: None,
        demo: ctx.state.config.demo,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where a role's work is: signing in without a page to return to lands there.
fn landing(user: &motcua_store::User) -> &'static str {
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

async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Err(res) = ctx.check_csrf(&form.csrf) {
        return res;
    }
    let username = form.username.trim().to_string();
    let next = local_path(&form.next).to_string();
    match auth::login(&state, &username, &form.password, ip).await {
        Ok(user) => match auth::open_session(&state, &user, SessionKind::Browser).await {
            Ok((secret, _)) => {
                let to = if next == "/" { landing(&user) } else { &next };
                let mut res = Redirect::to(to).into_response();
                let max_age = state.config.session_ttl_hours * 3600;
                append_cookie(
                    &mut res,
                    &format!(
                        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
                        secure(&state)
                    ),
                );
                res
            }
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
                },
            )
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(ctx: Ctx, Form(form): Form<CsrfForm>) -> Response {
    if let Err(res) = ctx.check_csrf(&form.csrf) {
        return res;
    }
    if let Some(c) = &ctx.caller {
        if let Err(e) = ctx.state.store.delete_session(&c.token_hash).await {
            return ctx.error(&ApiError::from(e));
        }
        ctx.state
            .changed(Changed::SignedOut(c.token_hash.clone()))
            .await;
    }
    let mut res = Redirect::to("/").into_response();
    append_cookie(
        &mut res,
        &format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            secure(&ctx.state)
        ),
    );
    res
}

#[derive(Deserialize)]
struct LangForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

async fn language(ctx: Ctx, Form(form): Form<LangForm>) -> Response {
    if let Err(res) = ctx.check_csrf(&form.csrf) {
        return res;
    }
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
