//! `/quan-tri/can-bo`: staff accounts and their roles — list, create, add or remove a role
//! (with its agency), disable or re-enable an account.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use motcua_app::AppError;
use motcua_domain::auth::Role;
use motcua_store::User;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Errors, OkQuery, Pager, agency_by_code, form_error, notice, opt, page_offset, see_other,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{Admin, Posted, UiResult};
use crate::ui::kit::{Ctx, Page, urlencode};
use motcua_app::accounts::{AccountChange, CreateUser};

const PAGE: i64 = 30;

/// A role of an account, for display.
pub struct GrantView {
    pub role: &'static str,
    pub agency_code: String,
    pub agency_name: String,
}

pub struct UserView {
    pub username: String,
    pub full_name: String,
    pub disabled: bool,
    pub grants: Vec<GrantView>,
}

/// Names of the agencies the grants refer to (one look-up per agency).
async fn views(state: &AppState, users: Vec<User>) -> Result<Vec<UserView>, ApiError> {
    let mut names: HashMap<Uuid, (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let mut grants = Vec::with_capacity(u.grants.len());
        for g in &u.grants {
            let (agency_code, agency_name) = match g.agency {
                Some(id) => {
                    if let Entry::Vacant(slot) = names.entry(id) {
                        let a = state.agency_by_id(id).await?;
                        slot.insert((a.code, a.name));
                    }
                    names[&id].clone()
                }
                None => (String::new(), String::new()),
            };
            grants.push(GrantView {
                role: g.role.label_vi(),
                agency_code,
                agency_name,
            });
        }
        out.push(UserView {
            username: u.username,
            full_name: u.full_name,
            disabled: u.disabled,
            grants,
        });
    }
    Ok(out)
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label_vi()))
        .collect()
}

/// The new-account form: as posted, and as typed when it comes back refused (without the
/// password).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CreateForm {
    username: String,
    full_name: String,
    password: String,
    role: String,
    agency_code: String,
    id_number: String,
}

#[derive(Template)]
#[template(path = "ui/admin/users.html")]
struct List {
    p: Page,
    users: Vec<UserView>,
    total: String,
    agency: String,
    pager: Pager,
    form: CreateForm,
    errors: Errors,
    roles: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    co_quan: Option<String>,
    trang: Option<i64>,
}

/// May the caller manage accounts with a role in `agency` (`None`: system-wide)?
async fn may_manage(
    state: &AppState,
    caller: &Caller,
    agency: Option<Uuid>,
) -> Result<(), ApiError> {
    Ok(state.may_manage_users(caller, agency).await?)
}

async fn list_page(
    ctx: &Ctx,
    caller: &Caller,
    agency_code: &str,
    trang: Option<i64>,
    form: CreateForm,
    errors: Errors,
) -> Response {
    let state = &ctx.state;
    let (page, offset) = page_offset(trang, PAGE);
    // The same authorisation as `GET /api/v1/users`.
    let found = async {
        let agency = match opt(agency_code) {
            Some(code) => Some(agency_by_code(state, &code).await?.id),
            None => None,
        };
        let page = state.list_users_as(caller, agency, PAGE, offset).await?;
        Ok::<_, ApiError>((views(state, page.items).await?, page.total))
    };
    let (users, total) = match found.await {
        Ok(f) => f,
        Err(e) => return ctx.error(&e),
    };
    let p = ctx.page();
    let link = |n: i64| {
        format!(
            "/quan-tri/can-bo?co_quan={}&trang={n}",
            urlencode(agency_code.trim())
        )
    };
    let status = errors.status();
    ctx.render_status(
        status,
        List {
            users,
            total: p.int(total),
            agency: agency_code.trim().to_string(),
            pager: Pager::new(page, offset, PAGE, total, link),
            form,
            errors,
            roles: roles(),
            p,
        },
    )
}

pub(crate) async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> UiResult {
    let caller = ctx.admin()?;
    let agency = q.co_quan.unwrap_or_default();
    let form = CreateForm {
        agency_code: agency.clone(),
        role: Role::Specialist.as_str().into(),
        ..Default::default()
    };
    Ok(list_page(&ctx, caller, &agency, q.trang, form, Errors::default()).await)
}

fn user_field(code: &str) -> Option<&'static str> {
    match code {
        "invalid_username" | "username_taken" => Some("username"),
        "weak_password" => Some("password"),
        "invalid_role" => Some("role"),
        "unknown_agency" | "agency_required" | "agency_not_allowed" | "grant_exists" => {
            Some("agency_code")
        }
        c if c.starts_with("citizen_id_") || c.starts_with("id_number_") => Some("id_number"),
        _ => None,
    }
}

/// The agency of a form by its code; an unknown code is the user's mistake (422 on the field).
async fn form_agency(state: &AppState, code: &str) -> Result<Option<Uuid>, ApiError> {
    match opt(code) {
        None => Ok(None),
        Some(c) => match state.agency(&c).await {
            Ok(a) => Ok(Some(a.id)),
            Err(AppError::NotFound(_)) => Err(ApiError::invalid(
                "unknown_agency",
                format!("Không tìm thấy cơ quan có mã \"{c}\"."),
            )),
            Err(e) => Err(e.into()),
        },
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Posted(ctx, caller, f, _): Posted<CreateForm, Admin>,
) -> Response {
    // The same authorisation as `POST /api/v1/users`.
    let created = async {
        let agency = form_agency(&state, &f.agency_code).await?;
        Ok::<_, ApiError>(
            state
                .create_user_as(
                    &caller,
                    agency,
                    CreateUser {
                        username: f.username.clone(),
                        full_name: opt(&f.full_name),
                        password: f.password.clone(),
                        role: f.role.clone(),
                        agency_code: opt(&f.agency_code),
                        id_number: opt(&f.id_number),
                    },
                )
                .await?,
        )
    };
    match created.await {
        Ok(u) => see_other(
            &ctx,
            &format!("/quan-tri/can-bo/{}?ok=tao", urlencode(&u.username)),
        ),
        Err(e) => match form_error(&ctx, &e, user_field) {
            Ok(errors) => {
                // What was typed comes back, except the password.
                let form = CreateForm {
                    password: String::new(),
                    ..f
                };
                list_page(&ctx, &caller, "", None, form, errors).await
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "ui/admin/user.html")]
struct Detail {
    p: Page,
    user: UserView,
    is_self: bool,
    role: String,
    agency_code: String,
    errors: Errors,
    notice: Option<&'static str>,
    roles: Vec<(&'static str, &'static str)>,
    /// Whether the second factor is required of this account (#20).
    totp_required: bool,
}

async fn user_by_name(state: &AppState, username: &str) -> Result<User, ApiError> {
    Ok(state.user_by_username(username).await?)
}

async fn detail_page(
    ctx: &Ctx,
    caller: &Caller,
    username: &str,
    typed: (String, String),
    errors: Errors,
    notice: Option<&'static str>,
) -> Response {
    let state = &ctx.state;
    let shown = async {
        let user = user_by_name(state, username).await?;
        for g in &user.grants {
            may_manage(state, caller, g.agency).await?;
        }
        let is_self = user.id == caller.user.id;
        let totp_required = state.totp_required(user.id).await?;
        let mut v = views(state, vec![user]).await?;
        Ok::<_, ApiError>((v.remove(0), is_self, totp_required))
    };
    let (user, is_self, totp_required) = match shown.await {
        Ok(u) => u,
        Err(e) => return ctx.error(&e),
    };
    let status = errors.status();
    ctx.render_status(
        status,
        Detail {
            p: ctx.page(),
            user,
            is_self,
            role: typed.0,
            agency_code: typed.1,
            errors,
            notice,
            roles: roles(),
            totp_required,
        },
    )
}

pub(crate) async fn detail(
    ctx: Ctx,
    Path(username): Path<String>,
    Query(ok): Query<OkQuery>,
) -> UiResult {
    let caller = ctx.admin()?;
    let said = [
        ("tao", "Đã tạo tài khoản."),
        ("vai-tro", "Đã cập nhật vai trò."),
        ("khoa", "Đã khóa tài khoản."),
        ("mo", "Đã mở khóa tài khoản."),
        ("totp", "Đã cập nhật yêu cầu xác thực hai lớp."),
    ];
    let notice = notice(ok.ok.as_deref(), &said);
    let typed = (Role::Specialist.as_str().into(), String::new());
    let page = detail_page(&ctx, caller, &username, typed, Errors::default(), notice);
    Ok(page.await)
}

/// A change posted from an account's page: each of its forms fills its own fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ChangeForm {
    role: String,
    agency_code: String,
    index: usize,
    disabled: String,
    required: String,
}

type ChangePosted = Posted<ChangeForm, Admin>;

pub(crate) async fn add_grant(Path(username): Path<String>, posted: ChangePosted) -> Response {
    apply(posted, &username, |f| AccountChange::AddGrant {
        role: f.role.clone(),
        agency_code: opt(&f.agency_code),
    })
    .await
}

pub(crate) async fn remove_grant(Path(username): Path<String>, posted: ChangePosted) -> Response {
    apply(posted, &username, |f| AccountChange::RemoveGrant(f.index)).await
}

pub(crate) async fn disable(Path(username): Path<String>, posted: ChangePosted) -> Response {
    apply(posted, &username, |f| {
        AccountChange::SetDisabled(f.disabled == "1")
    })
    .await
}

/// Requires (or no longer) the second factor of a staff account (#20).
pub(crate) async fn require_totp(Path(username): Path<String>, posted: ChangePosted) -> Response {
    apply(posted, &username, |f| {
        AccountChange::RequireTotp(f.required == "1")
    })
    .await
}

/// Makes an account change posted from the account's page: the page with what was done said
/// (`?ok=`), or the page again with the refusal next to the change's field (the `typed` role
/// and agency kept; only the grant form has them).
async fn apply(
    Posted(ctx, caller, f, _): ChangePosted,
    username: &str,
    change: impl FnOnce(&ChangeForm) -> AccountChange,
) -> Response {
    let change = change(&f);
    let typed = (f.role, f.agency_code);
    type FieldOf = fn(&str) -> Option<&'static str>;
    let (ok, field_of): (&str, FieldOf) = match &change {
        AccountChange::AddGrant { .. } => ("vai-tro", user_field),
        AccountChange::RemoveGrant(_) => ("vai-tro", |_| Some("grants")),
        AccountChange::SetDisabled(true) => ("khoa", |_| Some("disabled")),
        AccountChange::SetDisabled(false) => ("mo", |_| Some("disabled")),
        AccountChange::RequireTotp(_) => ("totp", |_| Some("totp")),
    };
    match ctx.state.change_account(&caller, username, change).await {
        Ok(u) => see_other(
            &ctx,
            &format!("/quan-tri/can-bo/{}?ok={ok}", urlencode(&u.username)),
        ),
        Err(e) => match form_error(&ctx, &e, field_of) {
            Ok(errors) => detail_page(&ctx, &caller, username, typed, errors, None).await,
            Err(r) => r,
        },
    }
}
