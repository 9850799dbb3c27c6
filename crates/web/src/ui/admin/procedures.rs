//! `/quan-tri/thu-tuc`: the procedure catalogue for administrators — search, versions and
//! status (publish, abolish), and the internal workflow of a procedure at an agency.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::auth::{Action, Role};
use motcua_domain::catalogue::{ProcedureStatus, TimeUnit};
use motcua_domain::workflow::{Workflow, WorkflowStep, centi_text};
use motcua_store::{Agency, ProcedureHit, ProcedureRow, ProcedureVersion};
use serde::Deserialize;

use super::{Errors, agency_by_code, form_error, opt, page_offset, see_other};
use crate::auth::{ResolvedScope, require};
use crate::error::AppError;
use crate::service::calendar::parse_date;
use crate::service::catalogue::{self as cat, SearchParams, not_found, statutory_time};
use crate::state::AppState;
use crate::ui::kit::{Ctx, Page, urlencode};

const PAGE: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quan-tri/thu-tuc", get(list))
        .route("/quan-tri/thu-tuc/quy-trinh", get(pick_workflow))
        .route("/quan-tri/thu-tuc/{code}", get(detail))
        .route("/quan-tri/thu-tuc/{code}/cong-khai", post(publish))
        .route("/quan-tri/thu-tuc/{code}/bai-bo", post(abolish))
        .route("/quan-tri/thu-tuc/{code}/quy-trinh", get(pick_workflow_of))
        .route(
            "/quan-tri/thu-tuc/{code}/quy-trinh/{agency}",
            get(workflow).post(save_workflow),
        )
}

#[derive(Template)]
#[template(path = "ui/admin/procedures.html")]
struct List {
    p: Page,
    q: String,
    items: Vec<ProcedureHit>,
    total: String,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    trang: Option<i64>,
}

fn is_procedure_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8
        && b[1] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 1 || c.is_ascii_digit())
}

async fn list(ctx: Ctx, Query(lq): Query<ListQuery>) -> Response {
    if let Err(r) = ctx.admin() {
        return r;
    }
    let state = &ctx.state;
    let q = lq.q.unwrap_or_default();
    let (page, offset) = page_offset(lq.trang, PAGE);
    let found = async {
        // A full code finds its procedure whatever its status (drafts too).
        if is_procedure_code(q.trim())
            && let Ok(r) = state.store.procedure(q.trim()).await
        {
            let hit = ProcedureHit {
                code: r.code,
                name: r.name,
                field: r.field,
                levels: r.levels,
                online_level: r.online_level,
                body: r.body,
                status: r.status,
                search_name: String::new(),
                search_body: String::new(),
            };
            return Ok((vec![hit], 1));
        }
        let r = cat::search(
            state.store.as_ref(),
            &state.search,
            SearchParams {
                q: opt(&q),
                level: None,
                field: None,
                online_level: None,
                agency: None,
                prefer: None,
                limit: PAGE,
                offset,
            },
        )
        .await?;
        Ok::<_, AppError>((r.items, r.total))
    };
    let (items, total) = match found.await {
        Ok(f) => f,
        Err(e) => return ctx.error(&e),
    };
    let p = ctx.page();
    let link = |n: i64| format!("/quan-tri/thu-tuc?q={}&trang={n}", urlencode(&q));
    ctx.render(List {
        total: p.int(total),
        prev: (page > 1).then(|| link(page - 1)),
        next: (offset + PAGE < total).then(|| link(page + 1)),
        items,
        page,
        q,
        p,
    })
}

fn unit_label(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::WorkingDays | TimeUnit::InTheDay => "ngày làm việc",
        TimeUnit::Days => "ngày",
        TimeUnit::WorkingHours => "giờ làm việc",
        TimeUnit::Hours => "giờ",
        TimeUnit::Weeks => "tuần",
        TimeUnit::Months => "tháng",
        TimeUnit::Years => "năm",
    }
}

#[derive(Template)]
#[template(path = "ui/admin/procedure.html")]
struct Detail {
    p: Page,
    row: ProcedureRow,
    status: &'static str,
    versions: Vec<ProcedureVersion>,
    time: Option<(String, &'static str)>,
    errors: Errors,
    notice: Option<&'static str>,
    on: String,
}

impl Detail {
    /// The page offers to publish (a draft).
    fn may_publish(&self) -> bool {
        self.row
            .status
            .can_transition_to(ProcedureStatus::Published)
    }

    /// The page offers to abolish (a published procedure).
    fn may_abolish(&self) -> bool {
        self.row
            .status
            .can_transition_to(ProcedureStatus::Abolished)
    }
}

#[derive(Deserialize)]
struct OkQuery {
    ok: Option<String>,
}

async fn detail_page(
    ctx: &Ctx,
    code: &str,
    errors: Errors,
    notice: Option<&'static str>,
    on: String,
) -> Response {
    let store = ctx.state.store.as_ref();
    let found = async {
        let row = store.procedure(code).await.map_err(not_found)?;
        let versions = store.procedure_versions(code).await?;
        let (record, _, _) = cat::record(store, code, None).await?;
        let time = statutory_time(&record).map(|(c, u)| (centi_text(u64::from(c)), unit_label(u)));
        Ok::<_, AppError>((row, versions, time))
    };
    let (row, versions, time) = match found.await {
        Ok(f) => f,
        Err(e) => return ctx.error(&e),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(
        status,
        Detail {
            p: ctx.page(),
            status: row.status.label_vi(),
            row,
            versions,
            time,
            errors,
            notice,
            on,
        },
    )
}

async fn detail(ctx: Ctx, Path(code): Path<String>, Query(ok): Query<OkQuery>) -> Response {
    if let Err(r) = ctx.admin() {
        return r;
    }
    let notice = match ok.ok.as_deref() {
        Some("cong-khai") => Some("Đã công khai thủ tục."),
        Some("bai-bo") => Some("Đã bãi bỏ thủ tục."),
        _ => None,
    };
    detail_page(&ctx, &code, Errors::default(), notice, String::new()).await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    on: String,
}

/// The same checks as `POST /api/v1/procedures/{code}/publish|abolish`.
async fn change_status(
    ctx: Ctx,
    state: AppState,
    code: String,
    f: StatusForm,
    to: ProcedureStatus,
) -> Response {
    let caller = match ctx.post(Ctx::admin, &f.csrf) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let done = async {
        require(&caller, Action::ManageCatalogue)?;
        let row = state.store.procedure(&code).await.map_err(not_found)?;
        if !row.status.can_transition_to(to) {
            return Err(AppError::Conflict {
                code: "invalid_transition",
                message: format!(
                    "Không thể chuyển thủ tục từ trạng thái \"{}\" sang \"{}\".",
                    row.status.label_vi(),
                    to.label_vi()
                ),
            });
        }
        let on = match opt(&f.on) {
            Some(d) => {
                parse_date(&d).map_err(|e| AppError::invalid("invalid_date", e.message_vi()))?
            }
            None => motcua_domain::vn_time::today(),
        };
        state.store.set_procedure_status(&code, to, on).await?;
        state.search.invalidate();
        state.lookups.forget_catalogue();
        Ok(())
    };
    match done.await {
        Ok(()) => see_other(
            &ctx,
            &format!(
                "/quan-tri/thu-tuc/{}?ok={}",
                urlencode(&code),
                if to == ProcedureStatus::Published {
                    "cong-khai"
                } else {
                    "bai-bo"
                }
            ),
        ),
        Err(e) => match form_error(&ctx, &e, |c| (c == "invalid_date").then_some("on")) {
            Ok(errors) => detail_page(&ctx, &code, errors, None, f.on).await,
            Err(r) => r,
        },
    }
}

async fn publish(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    change_status(ctx, state, code, f, ProcedureStatus::Published).await
}

async fn abolish(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    change_status(ctx, state, code, f, ProcedureStatus::Abolished).await
}

#[derive(Deserialize)]
struct PickQuery {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    co_quan: String,
}

/// The "set up a workflow" forms (GET, no JavaScript) lead to the workflow page.
async fn pick_workflow(ctx: Ctx, Query(q): Query<PickQuery>) -> Response {
    if let Err(r) = ctx.admin() {
        return r;
    }
    see_other(
        &ctx,
        &format!(
            "/quan-tri/thu-tuc/{}/quy-trinh/{}",
            urlencode(q.ma.trim()),
            urlencode(q.co_quan.trim())
        ),
    )
}

async fn pick_workflow_of(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<PickQuery>,
) -> Response {
    pick_workflow(
        ctx,
        Query(PickQuery {
            ma: code,
            co_quan: q.co_quan,
        }),
    )
    .await
}

/// One row of the workflow form, as typed.
pub struct StepRow {
    pub name: String,
    pub role: String,
    pub unit: String,
    pub share: String,
}

#[derive(Template)]
#[template(path = "ui/admin/workflow.html")]
struct WorkflowPage {
    p: Page,
    row: ProcedureRow,
    agency: Agency,
    applied: bool,
    time: Option<(String, &'static str)>,
    steps: Vec<StepRow>,
    errors: Errors,
    notice: Option<&'static str>,
    roles: Vec<(&'static str, &'static str)>,
}

impl WorkflowPage {
    fn share_error(&self, i: &usize) -> Option<&str> {
        self.errors.get(&format!("share_{i}"))
    }
}

fn rows_of(w: &Workflow) -> Vec<StepRow> {
    w.steps
        .iter()
        .map(|s| StepRow {
            name: s.name.clone(),
            role: s.role.as_str().to_string(),
            unit: s.unit.clone().unwrap_or_default(),
            share: centi_text(u64::from(s.share)),
        })
        .collect()
}

/// Two empty rows to add steps without JavaScript.
fn with_blank_rows(mut rows: Vec<StepRow>) -> Vec<StepRow> {
    for _ in 0..2 {
        rows.push(StepRow {
            name: String::new(),
            role: Role::Specialist.as_str().to_string(),
            unit: String::new(),
            share: String::new(),
        });
    }
    rows
}

async fn workflow_page(
    ctx: &Ctx,
    code: &str,
    agency_code: &str,
    typed: Option<Vec<StepRow>>,
    errors: Errors,
    notice: Option<&'static str>,
) -> Response {
    let state = &ctx.state;
    let store = state.store.as_ref();
    let found = async {
        let row = store.procedure(code).await.map_err(not_found)?;
        let agency = agency_by_code(state, agency_code).await?;
        let (record, _, _) = cat::record(store, code, None).await?;
        let statutory = statutory_time(&record);
        let (applied, workflow) = match store.applied_workflow(code, agency.id).await {
            Ok(json) => (
                true,
                Some(
                    serde_json::from_str::<Workflow>(&json)
                        .map_err(|e| AppError::Internal(format!("stored workflow: {e}")))?,
                ),
            ),
            Err(motcua_store::DbError::NotFound) => {
                (false, statutory.map(|(t, _)| Workflow::default_for(t)))
            }
            Err(e) => return Err(e.into()),
        };
        let time = statutory.map(|(c, u)| (centi_text(u64::from(c)), unit_label(u)));
        Ok::<_, AppError>((row, agency, applied, workflow, time))
    };
    let (row, agency, applied, workflow, time) = match found.await {
        Ok(f) => f,
        Err(e) => return ctx.error(&e),
    };
    let steps = match typed {
        Some(t) => t,
        None => with_blank_rows(workflow.as_ref().map(rows_of).unwrap_or_default()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(
        status,
        WorkflowPage {
            p: ctx.page(),
            row,
            agency,
            applied,
            time,
            steps,
            errors,
            notice,
            roles: Role::ALL
                .iter()
                .filter(|r| r.is_staff())
                .map(|r| (r.as_str(), r.label_vi()))
                .collect(),
        },
    )
}

async fn workflow(
    ctx: Ctx,
    Path((code, agency)): Path<(String, String)>,
    Query(ok): Query<OkQuery>,
) -> Response {
    if let Err(r) = ctx.admin() {
        return r;
    }
    let notice = match ok.ok.as_deref() {
        Some("luu") => Some("Đã lưu quy trình nội bộ."),
        _ => None,
    };
    workflow_page(&ctx, &code, &agency, None, Errors::default(), notice).await
}

/// `"0,25"` or `"0.25"` → 25 hundredths.
fn parse_share(s: &str) -> Option<u32> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    (v.is_finite() && (0.0..1e6).contains(&v)).then(|| (v * 100.0).round() as u32)
}

const SHARE_FIELDS: [&str; 40] = [
    "share_0", "share_1", "share_2", "share_3", "share_4", "share_5", "share_6", "share_7",
    "share_8", "share_9", "share_10", "share_11", "share_12", "share_13", "share_14", "share_15",
    "share_16", "share_17", "share_18", "share_19", "share_20", "share_21", "share_22", "share_23",
    "share_24", "share_25", "share_26", "share_27", "share_28", "share_29", "share_30", "share_31",
    "share_32", "share_33", "share_34", "share_35", "share_36", "share_37", "share_38", "share_39",
];

async fn save_workflow(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((code, agency_code)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let caller = match ctx.admin() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if let Err(r) = ctx.check_csrf(&field("csrf")) {
        return r;
    }
    // Rows as typed (name_i, role_i, unit_i, share_i); empty rows are left out.
    let mut typed = Vec::new();
    for i in 0..SHARE_FIELDS.len() {
        let row = StepRow {
            name: field(&format!("name_{i}")),
            role: field(&format!("role_{i}")),
            unit: field(&format!("unit_{i}")),
            share: field(&format!("share_{i}")),
        };
        if row.name.trim().is_empty() && row.share.trim().is_empty() && row.unit.trim().is_empty() {
            continue;
        }
        typed.push(row);
    }
    let mut errors = Errors::default();
    let mut steps = Vec::with_capacity(typed.len());
    for (i, r) in typed.iter().enumerate() {
        let Some(role) = Role::parse(&r.role).filter(|r| r.is_staff()) else {
            errors.add("steps", format!("Bước {}: vai trò không hợp lệ.", i + 1));
            continue;
        };
        match parse_share(&r.share) {
            Some(share) => steps.push(WorkflowStep {
                name: r.name.trim().to_string(),
                role,
                unit: opt(&r.unit),
                share,
            }),
            None => errors.add(
                SHARE_FIELDS[i],
                "Thời gian phải là một số không âm, ví dụ 0,5 hoặc 2.",
            ),
        }
    }
    if errors.is_empty() {
        // The same checks as `PUT /api/v1/agencies/{code}/procedures/{procedure}`.
        let done = async {
            let agency = agency_by_code(&state, &agency_code).await?;
            let scope = ResolvedScope::of(&state, agency.id).await?;
            require(&caller, Action::ConfigureAgency(scope.scope()))?;
            let row = state.store.procedure(&code).await.map_err(not_found)?;
            if row.status != ProcedureStatus::Published {
                return Err(AppError::Conflict {
                    code: "procedure_not_published",
                    message: "Chỉ áp dụng được thủ tục đang công khai.".into(),
                });
            }
            cat::apply(
                state.store.as_ref(),
                &code,
                agency.id,
                Some(Workflow { steps }),
            )
            .await?;
            state.search.forget_receivers();
            Ok(())
        };
        match done.await {
            Ok(()) => {
                return see_other(
                    &ctx,
                    &format!(
                        "/quan-tri/thu-tuc/{}/quy-trinh/{}?ok=luu",
                        urlencode(&code),
                        urlencode(&agency_code)
                    ),
                );
            }
            Err(e) => match form_error(&ctx, &e, |c| c.starts_with("workflow_").then_some("steps"))
            {
                Ok(e) => errors = e,
                Err(r) => return r,
            },
        }
    }
    // Keep what was typed; errors point at rows by their position in `typed`.
    let mut rows = typed;
    rows.push(StepRow {
        name: String::new(),
        role: Role::Specialist.as_str().to_string(),
        unit: String::new(),
        share: String::new(),
    });
    workflow_page(&ctx, &code, &agency_code, Some(rows), errors, None).await
}
