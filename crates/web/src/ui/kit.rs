//! What every UI page shares: the CSRF token (signed in: bound to the session, see
//! [`auth::csrf_token`], so it changes at every sign-in; anonymous: double submit of a cookie,
//! `SameSite=Strict`, and a form field), the page context [`Page`] (who is signed in, the language, the menu),
//! rendering with askama, and the Vietnamese error pages.
//!
//! A handler takes [`Ctx`], checks access with [`Ctx::officer`] / [`Ctx::citizen`] /
//! [`Ctx::signed_in`], renders a template holding `p: Page`, and returns
//! [`Ctx::finish`]`(response)` so a new CSRF cookie is set when the browser had none.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use motcua_domain::auth::Role;
use motcua_store::{SessionKind, User};

use super::i18n::{self, Lang};
use crate::auth::{self, Caller, MaybeCaller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::state::AppState;

pub const CSRF_COOKIE: &str = "motcua_csrf";
pub const LANG_COOKIE: &str = "motcua_lang";

/// The CSRF token of this request: bound to the browser session when signed in with the
/// session cookie, otherwise the anonymous cookie's value (or a new one to set).
#[derive(Clone)]
pub struct Csrf {
    pub token: String,
    is_new: bool,
}

impl Csrf {
    fn of(parts: &Parts, caller: Option<&Caller>) -> Csrf {
        let session = auth::cookie(parts, SESSION_COOKIE)
            .filter(|_| caller.is_some_and(|c| c.kind == SessionKind::Browser));
        if let Some(secret) = session {
            return Csrf {
                token: auth::csrf_token(secret),
                is_new: false,
            };
        }
        match auth::cookie(parts, CSRF_COOKIE) {
            Some(t) if t.len() >= 32 && t.len() <= 128 => Csrf {
                token: t.to_string(),
                is_new: false,
            },
            _ => Csrf {
                token: auth::new_secret("").0,
                is_new: true,
            },
        }
    }
}

impl Csrf {
    /// `Err(page)` with the Vietnamese "form expired" page when the token does not match.
    pub fn verify(&self, submitted: &str) -> Result<(), Box<Response>> {
        if self.is_new || submitted.is_empty() || !auth::same_secret(submitted, &self.token) {
            return Err(Box::new(error_page(
                StatusCode::FORBIDDEN,
                "Phiên làm việc đã hết hạn",
                "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
            )));
        }
        Ok(())
    }

    pub fn set_cookie(&self, state: &AppState, res: &mut Response) {
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

pub fn secure(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

pub fn append_cookie(res: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sets a sign-in cookie (`HttpOnly; SameSite=Lax`, and `Secure` when the server's cookies
/// are): `name=value` for `max_age` seconds below `path`; an empty value and 0 clear it.
pub fn set_lax_cookie(
    res: &mut Response,
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: impl std::fmt::Display,
) {
    let cookie = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        secure(state)
    );
    append_cookie(res, &cookie);
}

/// One entry of the top menu.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the layout (`ui/base.html`) needs: every page template has a field `p: Page`.
pub struct Page {
    pub user: Option<User>,
    /// The signed-in user's roles in the page's language ("Chuyên viên, Lãnh đạo").
    pub roles: String,
    pub csrf: String,
    pub lang: Lang,
    pub nav: Vec<NavItem>,
    /// The request path (for the language switch and the login return address).
    pub path: String,
    /// A note at the top of the page (e.g. the search text was too long and was shortened).
    pub notice: Option<String>,
}

impl Page {
    /// The text in the page's language; `vi` is the Vietnamese text and the dictionary key.
    pub fn t<'a>(&self, vi: &'a str) -> &'a str {
        i18n::tr(self.lang, i18n::area_of(&self.path), vi)
    }

    /// The asset version for cache-busting URLs.
    pub fn v(&self) -> &'static str {
        super::assets::VERSION
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.roles().contains(&role))
    }

    /// `dd/mm/yyyy`.
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        d.format("%d/%m/%Y").to_string()
    }

    /// `dd/mm/yyyy hh:mm`, Vietnam time.
    pub fn datetime(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        motcua_domain::vn_time::local(*t)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }

    /// `1.816` (Vietnamese) or `1,816` (English).
    pub fn int(&self, n: i64) -> String {
        match self.lang {
            Lang::Vi => motcua_sheets::vi::integer(n),
            Lang::En => {
                let s = motcua_sheets::vi::integer(n);
                s.replace('.', ",")
            }
        }
    }

    /// `73,03%` (Vietnamese) or `73.03%` (English), two decimals.
    pub fn pct(&self, rate: f64) -> String {
        let s = format!("{:.2}%", rate * 100.0);
        match self.lang {
            Lang::Vi => s.replace('.', ","),
            Lang::En => s,
        }
    }
}

/// Request context of a UI page: the caller (if any), the CSRF token, the language.
pub struct Ctx {
    pub state: AppState,
    pub caller: Option<Caller>,
    pub csrf: Csrf,
    pub lang: Lang,
    pub path: String,
    /// The path with its query (where to come back after signing in).
    pub path_and_query: String,
    /// The CSRF token htmx sends in `x-csrf-token` (requests without a form).
    csrf_header: Option<String>,
    /// The search text was over its bounds and was shortened (see `security::bound_queries`).
    query_shortened: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let MaybeCaller(caller) = MaybeCaller::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let csrf = Csrf::of(parts, caller.as_ref());
        let lang = auth::cookie(parts, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or(Lang::Vi);
        Ok(Ctx {
            state: state.clone(),
            caller,
            csrf,
            lang,
            path: parts.uri.path().to_string(),
            path_and_query: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            csrf_header: parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            query_shortened: parts
                .extensions
                .get::<crate::security::QueryShortened>()
                .is_some(),
        })
    }
}

impl Ctx {
    /// The layout context for this request.
    pub fn page(&self) -> Page {
        let user = self.caller.as_ref().map(|c| c.user.clone());
        let roles: Vec<Role> = user.as_ref().map(User::roles).unwrap_or_default();
        let mut nav = vec![
            NavItem::new("/thu-tuc", "Thủ tục hành chính"),
            NavItem::new("/tra-cuu", "Tra cứu hồ sơ"),
            NavItem::new("/thong-ke", "Thống kê"),
            NavItem::new("/phan-anh", "Phản ánh, kiến nghị"),
        ];
        if roles.contains(&Role::Citizen) {
            nav.push(NavItem::new("/cong-dan/ho-so", "Hồ sơ của tôi"));
        }
        if roles.contains(&Role::ReceivingOfficer) {
            nav.push(NavItem::new("/mot-cua", "Một cửa"));
        }
        if roles.contains(&Role::Specialist)
            || roles.contains(&Role::Leader)
            || roles.contains(&Role::ReceivingOfficer)
        {
            nav.push(NavItem::new("/xu-ly", "Xử lý hồ sơ"));
        }
        if roles.contains(&Role::Leader) || roles.contains(&Role::Admin) {
            nav.push(NavItem::new("/dieu-hanh", "Điều hành"));
        }
        if roles.contains(&Role::Admin) {
            nav.push(NavItem::new("/quan-tri", "Quản trị"));
        }
        // The longest menu prefix of the path is the current entry.
        let current = nav
            .iter()
            .filter(|n| self.path == n.href || self.path.starts_with(&format!("{}/", n.href)))
            .map(|n| n.href.len())
            .max();
        for n in &mut nav {
            n.current = Some(n.href.len()) == current && self.path.starts_with(n.href);
        }
        let roles = roles
            .iter()
            .map(|r| i18n::tr(self.lang, "common", r.label_vi()))
            .collect::<Vec<_>>()
            .join(", ");
        Page {
            user,
            roles,
            csrf: self.csrf.token.clone(),
            lang: self.lang,
            nav,
            path: self.path.clone(),
            notice: self.query_shortened.then(|| {
                format!(
                    "{} {}",
                    ApiError::query_too_long().message_vi(),
                    self.t("Chỉ tìm theo phần đầu của từ khóa.")
                )
            }),
        }
    }

    /// Sets the CSRF cookie when new; every UI handler returns through this.
    pub fn finish(&self, mut res: Response) -> Response {
        self.csrf.set_cookie(&self.state, &mut res);
        res
    }

    /// Renders a page template and finishes the response.
    pub fn render(&self, t: impl Template) -> Response {
        self.finish(render(t))
    }

    /// Renders with a status (e.g. 422 for a form sent back with its errors).
    pub fn render_status(&self, status: StatusCode, t: impl Template) -> Response {
        let mut res = render(t);
        *res.status_mut() = status;
        self.finish(res)
    }

    /// The signed-in caller, or a redirect to the login page that comes back here.
    pub fn signed_in(&self) -> Result<&Caller, Response> {
        self.caller.as_ref().ok_or_else(|| {
            let next = urlencode(&self.path_and_query);
            Redirect::to(&format!("/dang-nhap?next={next}")).into_response()
        })
    }

    /// The caller when signed in with one of `roles`; otherwise the login redirect or a
    /// Vietnamese 403 page.
    pub fn with_role(&self, roles: &[Role]) -> Result<&Caller, Response> {
        let caller = self.signed_in()?;
        if caller.user.roles().iter().any(|r| roles.contains(r)) {
            Ok(caller)
        } else {
            Err(self.forbidden())
        }
    }

    /// Officers of the one-stop desk.
    pub fn counter(&self) -> Result<&Caller, Response> {
        self.with_role(&[Role::ReceivingOfficer])
    }

    /// Specialists and leaders (the processing workspace).
    pub fn officer(&self) -> Result<&Caller, Response> {
        self.with_role(&[Role::Specialist, Role::Leader, Role::ReceivingOfficer])
    }

    pub fn citizen(&self) -> Result<&Caller, Response> {
        self.with_role(&[Role::Citizen])
    }

    pub fn admin(&self) -> Result<&Caller, Response> {
        self.with_role(&[Role::Admin])
    }

    /// A state-changing request: the caller let through by `gate` (e.g. [`Ctx::admin`]), once
    /// the CSRF token checks out.
    pub fn post(
        &self,
        gate: fn(&Ctx) -> Result<&Caller, Response>,
        csrf: &str,
    ) -> Result<Caller, Response> {
        let caller = gate(self)?.clone();
        self.check_csrf(csrf)?;
        Ok(caller)
    }

    pub fn forbidden(&self) -> Response {
        self.finish(error_page(
            StatusCode::FORBIDDEN,
            self.t("Không có quyền truy cập"),
            self.t("Tài khoản của bạn không có quyền xem trang này."),
        ))
    }

    /// The Vietnamese page for an application error (404, 409, 422...).
    pub fn error<E: Clone + Into<ApiError>>(&self, e: &E) -> Response {
        let e: ApiError = e.clone().into();
        let status = e.status();
        let title = match status {
            StatusCode::NOT_FOUND => self.t("Không tìm thấy"),
            StatusCode::FORBIDDEN => self.t("Không có quyền truy cập"),
            StatusCode::UNAUTHORIZED => self.t("Cần đăng nhập"),
            StatusCode::CONFLICT => self.t("Không thực hiện được"),
            s if s.is_server_error() => self.t("Lỗi hệ thống"),
            _ => self.t("Dữ liệu chưa hợp lệ"),
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "UI request failed");
        }
        self.finish(error_page(status, title, &e.message_vi()))
    }

    pub fn t<'a>(&self, vi: &'a str) -> &'a str {
        i18n::tr(self.lang, i18n::area_of(&self.path), vi)
    }

    /// Checks a state-changing request: the form's `csrf` field, or htmx's header when the
    /// field is empty. `Err` is the "form expired" page.
    pub fn check_csrf(&self, form_field: &str) -> Result<(), Response> {
        let submitted = match (form_field.is_empty(), &self.csrf_header) {
            (true, Some(h)) => h.as_str(),
            _ => form_field,
        };
        self.csrf.verify(submitted).map_err(|r| *r)
    }
}

impl NavItem {
    fn new(href: &'static str, label: &'static str) -> Self {
        NavItem {
            href,
            label,
            current: false,
        }
    }
}

/// Percent-encodes a string for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Renders a template to an HTML response.
pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::Internal(format!("template: {e}")).into_response(),
    }
}

/// Whether the request came from htmx (a partial page is wanted).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request")
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
