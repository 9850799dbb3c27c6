//! The Vietnamese web UI (server-rendered with askama). Forms carry a CSRF token checked
//! against a cookie (double submit, `SameSite=Strict`), and the session cookie is `HttpOnly`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_store::{AgencyQuery, SessionKind, UnitQuery};
use serde::Deserialize;

use crate::auth::{self, ClientIp, MaybeCaller, SESSION_COOKIE};
use crate::error::AppError;
use crate::state::AppState;

const CSRF_COOKIE: &str = "motcua_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/dang-nhap", get(login_page).post(login_submit))
        .route("/dang-xuat", axum::routing::post(logout))
        .route("/static/fonts/{file}", get(crate::api::font))
}

/// The CSRF token of this browser: the cookie's value, or a new one to set.
pub struct Csrf {
    token: String,
    is_new: bool,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Csrf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(match auth::cookie(parts, CSRF_COOKIE) {
            Some(t) if t.len() >= 32 => Csrf {
                token: t.to_string(),
                is_new: false,
            },
            _ => Csrf {
                token: auth::new_secret("").0,
                is_new: true,
            },
        })
    }
}

impl Csrf {
    /// `Err(page)` with the Vietnamese "form expired" page when the token does not match.
    fn verify(&self, submitted: &str) -> Result<(), Box<Response>> {
        if self.is_new || submitted.is_empty() || submitted != self.token {
            return Err(Box::new(error_page(
                StatusCode::FORBIDDEN,
                "Phiên làm việc đã hết hạn",
                "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
            )));
        }
        Ok(())
    }

    fn set_cookie(&self, state: &AppState, res: &mut Response) {
        if self.is_new {
            append_cookie(
                res,
                &format!(
                    "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}",
                    self.token,
                    secure(state)
                ),
            );
        }
    }
}

fn secure(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

fn append_cookie(res: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let mut res = render(ErrorPage {
        status: status.as_u16(),
        title,
        message,
    });
    *res.status_mut() = status;
    res
}

/// The UI's fallback: a Vietnamese 404 page.
pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Không tìm thấy trang",
        "Địa chỉ bạn truy cập không tồn tại.",
    )
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    user: Option<motcua_store::User>,
    roles: String,
    csrf: String,
    /// Counts written the Vietnamese way ("3.321").
    provinces: String,
    communes: String,
    agencies: String,
}

async fn home(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    csrf: Csrf,
) -> Response {
    let count_units = |level| {
        let store = state.store.clone();
        async move {
            store
                .search_units(&UnitQuery {
                    q: None,
                    parent: None,
                    level: Some(level),
                    at: crate::vn_today(),
                    limit: 1,
                })
                .await
                .map(|p| p.total)
        }
    };
    use motcua_domain::units::Level;
    let (provinces, communes) = match (
        count_units(Level::Province).await,
        count_units(Level::Commune).await,
    ) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return AppError::from(e).into_response(),
    };
    let agencies = match state
        .store
        .list_agencies(&AgencyQuery {
            limit: 1,
            ..Default::default()
        })
        .await
    {
        Ok(p) => p.total,
        Err(e) => return AppError::from(e).into_response(),
    };
    let user = caller.map(|c| c.user);
    let roles = user
        .as_ref()
        .map(|u| {
            u.roles()
                .iter()
                .map(|r| r.label_vi())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let mut res = render(Home {
        user,
        roles,
        csrf: csrf.token.clone(),
        provinces: motcua_docs::vi::integer(provinces),
        communes: motcua_docs::vi::integer(communes),
        agencies: motcua_docs::vi::integer(agencies),
    });
    csrf.set_cookie(&state, &mut res);
    res
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    csrf: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

async fn login_page(State(state): State<AppState>, csrf: Csrf) -> Response {
    let mut res = render(Login {
        csrf: csrf.token.clone(),
        username: String::new(),
        error: None,
        demo: state.config.demo,
    });
    csrf.set_cookie(&state, &mut res);
    res
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    csrf: Csrf,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Err(res) = csrf.verify(&form.csrf) {
        return *res;
    }
    let username = form.username.trim().to_string();
    match auth::login(&state, &username, &form.password, ip).await {
        Ok(user) => match auth::open_session(&state, &user, SessionKind::Browser).await {
            Ok((secret, _)) => {
                let mut res = Redirect::to("/").into_response();
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
            Err(e) => e.into_response(),
        },
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                return e.into_response();
            }
            // Keep what was typed (but never the password) and say what went wrong, in place.
            let mut res = render(Login {
                csrf: csrf.token.clone(),
                username,
                error: Some(e.message_vi()),
                demo: state.config.demo,
            });
            *res.status_mut() = status;
            res
        }
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    csrf: Csrf,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Err(res) = csrf.verify(&form.csrf) {
        return *res;
    }
    if let Some(c) = caller {
        if let Err(e) = state.store.delete_session(&c.token_hash).await {
            return AppError::from(e).into_response();
        }
        state.lookups.forget_session(&c.token_hash).await;
    }
    let mut res = Redirect::to("/").into_response();
    append_cookie(
        &mut res,
        &format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            secure(&state)
        ),
    );
    res
}
