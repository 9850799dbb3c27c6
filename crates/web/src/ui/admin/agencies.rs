//! `/quan-tri/co-quan`: agencies — search, create, an agency's office hours and the
//! procedures it applies.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use motcua_domain::agency::AgencyKind;
use motcua_store::{Agency, AgencyQuery};
use serde::Deserialize;

use super::{Errors, ListQuery, Pager, form_error, notice, opt, page_offset, see_other};

use super::agency_by_code;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{Admin, Gated, Posted};
use crate::ui::kit::{Ctx, Page, is_htmx, urlencode};
use motcua_app::accounts::CreateAgency;

const PAGE: i64 = 20;

pub struct Row {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub province: String,
}

#[derive(Template)]
#[template(path = "ui/admin/agency_rows.html")]
struct Rows {
    p: Page,
    rows: Vec<Row>,
    total: String,
    pager: Pager,
}

/// The new-agency form: as posted, and as typed when it comes back refused.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CreateForm {
    code: String,
    name: String,
    kind: String,
    parent_code: String,
    unit_id: String,
}

#[derive(Template)]
#[template(path = "ui/admin/agencies.html")]
struct List {
    p: Page,
    q: String,
    list: String,
    form: CreateForm,
    errors: Errors,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn rows(ctx: &Ctx, q: &str, trang: Option<i64>) -> Result<Rows, ApiError> {
    let (page, offset) = page_offset(trang, PAGE);
    let found = ctx
        .state
        .list_agencies(&AgencyQuery {
            q: opt(q),
            limit: PAGE,
            offset,
            ..Default::default()
        })
        .await?;
    let p = ctx.page();
    let link = |n: i64| format!("/quan-tri/co-quan?q={}&trang={n}", urlencode(q));
    Ok(Rows {
        rows: found
            .items
            .into_iter()
            .map(|a| Row {
                kind: a.kind.label_vi(),
                province: a.province_code.unwrap_or_default(),
                code: a.code,
                name: a.name,
            })
            .collect(),
        total: p.int(found.total),
        pager: Pager::new(page, offset, PAGE, found.total, link),
        p,
    })
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    AgencyKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_vi()))
        .collect()
}

async fn list_page(
    ctx: &Ctx,
    q: &str,
    trang: Option<i64>,
    form: CreateForm,
    errors: Errors,
) -> Response {
    let list = match rows(ctx, q, trang).await {
        Ok(r) => match r.render() {
            Ok(html) => html,
            Err(e) => return ctx.error(&ApiError::Internal(format!("template: {e}"))),
        },
        Err(e) => return ctx.error(&e),
    };
    let status = errors.status();
    ctx.render_status(
        status,
        List {
            p: ctx.page(),
            q: q.to_string(),
            list,
            form,
            errors,
            kinds: kinds(),
        },
    )
}

pub(crate) async fn list(
    headers: HeaderMap,
    Query(lq): Query<ListQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let q = lq.q.unwrap_or_default();
    if is_htmx(&headers) {
        return match rows(&ctx, &q, lq.trang).await {
            Ok(r) => ctx.render(r),
            Err(e) => ctx.error(&e),
        };
    }
    list_page(&ctx, &q, lq.trang, CreateForm::default(), Errors::default()).await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Posted(ctx, caller, f, _): Posted<CreateForm, Admin>,
) -> Response {
    let input = CreateAgency {
        code: f.code.trim().to_string(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        parent_code: opt(&f.parent_code),
        unit_id: opt(&f.unit_id),
    };
    // The same authorisation as `POST /api/v1/agencies`.
    let created = state.create_agency_as(&caller, input);
    match created.await {
        Ok(a) => see_other(
            &ctx,
            &format!("/quan-tri/co-quan/{}?ok=tao", urlencode(&a.code)),
        ),
        Err(e) => {
            let errors = match form_error(&ctx, &e, |code| match code {
                "invalid_agency_code" | "agency_code_taken" => Some("code"),
                "invalid_name" => Some("name"),
                "invalid_agency_kind" => Some("kind"),
                "unknown_parent" => Some("parent_code"),
                "unknown_unit" => Some("unit_id"),
                _ => None,
            }) {
                Ok(e) => e,
                Err(r) => return r,
            };
            list_page(&ctx, "", None, f, errors).await
        }
    }
}

/// A procedure an agency applies, with its internal workflow.
pub use motcua_app::catalogue::AppliedProcedure as Applied;

async fn applied(state: &AppState, agency: uuid::Uuid) -> Result<Vec<Applied>, ApiError> {
    Ok(state.applied_procedures(agency).await?)
}

/// Three session rows of the office-hours form (from, to).
type Sessions = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "ui/admin/agency.html")]
struct Detail {
    p: Page,
    agency: Agency,
    kind: &'static str,
    parent: Option<Agency>,
    sessions: Sessions,
    procedures: Vec<Applied>,
    /// How many procedures the agency applies (the page lists the first [`SHOWN`]).
    applied_total: usize,
    applied_count: String,
    errors: Errors,
    notice: Option<&'static str>,
}

/// Procedures listed on an agency's page unless all are asked for (a light page on a phone).
const SHOWN: usize = 50;

#[derive(Deserialize)]
pub(crate) struct OkQuery {
    ok: Option<String>,
    tat_ca: Option<String>,
}

fn padded(mut s: Sessions) -> Sessions {
    while s.len() < 3 {
        s.push((String::new(), String::new()));
    }
    s
}

async fn detail_page(
    ctx: &Ctx,
    code: &str,
    sessions: Option<Sessions>,
    errors: Errors,
    notice: Option<&'static str>,
    all: bool,
) -> Response {
    let state = &ctx.state;
    let agency = match agency_by_code(state, code).await {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    let parent = match agency.parent_id {
        Some(id) => state.agency_by_id(id).await.ok(),
        None => None,
    };
    let sessions = match sessions {
        Some(s) => s,
        None => match state.office_hours_of(agency.id).await {
            Ok(h) => h
                .sessions()
                .iter()
                .map(|(a, b)| (a.format("%H:%M").to_string(), b.format("%H:%M").to_string()))
                .collect(),
            Err(e) => return ctx.error(&e),
        },
    };
    let mut procedures = match applied(state, agency.id).await {
        Ok(v) => v,
        Err(e) => return ctx.error(&e),
    };
    let applied_total = procedures.len();
    if !all {
        procedures.truncate(SHOWN);
    }
    let status = errors.status();
    let p = ctx.page();
    ctx.render_status(
        status,
        Detail {
            applied_count: p.int(applied_total as i64),
            p,
            kind: agency.kind.label_vi(),
            agency,
            parent,
            sessions: padded(sessions),
            procedures,
            applied_total,
            errors,
            notice,
        },
    )
}

pub(crate) async fn detail(
    Path(code): Path<String>,
    Query(ok): Query<OkQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let said = [("tao", "Đã tạo cơ quan."), ("gio", "Đã lưu giờ làm việc.")];
    let notice = notice(ok.ok.as_deref(), &said);
    let all = ok.tat_ca.as_deref() == Some("1");
    detail_page(&ctx, &code, None, Errors::default(), notice, all).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct HoursForm {
    reset: String,
    from1: String,
    to1: String,
    from2: String,
    to2: String,
    from3: String,
    to3: String,
}

pub(crate) async fn office_hours(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted(ctx, caller, f, _): Posted<HoursForm, Admin>,
) -> Response {
    let typed: Sessions = vec![
        (f.from1.trim().into(), f.to1.trim().into()),
        (f.from2.trim().into(), f.to2.trim().into()),
        (f.from3.trim().into(), f.to3.trim().into()),
    ];
    let sessions = if f.reset == "1" {
        None
    } else {
        Some(
            typed
                .iter()
                .filter(|(a, b)| !a.is_empty() || !b.is_empty())
                .cloned()
                .collect::<Sessions>(),
        )
    };
    // The same authorisation as `PUT /api/v1/agencies/{code}/office-hours`.
    let saved = async {
        let agency = agency_by_code(&state, &code).await?;
        state.set_office_hours(&caller, agency.id, sessions).await?;
        Ok::<_, ApiError>(())
    };
    match saved.await {
        Ok(_) => see_other(
            &ctx,
            &format!("/quan-tri/co-quan/{}?ok=gio", urlencode(&code)),
        ),
        Err(e) => match form_error(&ctx, &e, |_| Some("hours")) {
            Ok(errors) => detail_page(&ctx, &code, Some(typed), errors, None, false).await,
            Err(r) => r,
        },
    }
}
