//! `/quan-tri/thu-tuc`: the procedure catalogue for administrators — search, versions and
//! status (publish, abolish), and the internal workflow of a procedure at an agency.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use motcua_domain::auth::{Action, Role};
use motcua_domain::catalogue::ProcedureStatus;
use motcua_domain::workflow::{Workflow, WorkflowStep, centi_text};
use motcua_store::{Agency, ProcedureHit, ProcedureRow, ProcedureVersion};
use serde::Deserialize;

use super::{
    Errors, ListQuery, OkQuery, Pager, agency_by_code, form_error, notice, opt, page_offset,
    see_other,
};
use crate::auth::require;
use crate::error::ApiError;
use crate::ui::form::{Admin, Gated, OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page, urlencode};
use motcua_app::AppError;
use motcua_app::calendar::parse_date;
use motcua_app::catalogue::{SearchParams, statutory_time};

const PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "ui/admin/procedures.html")]
struct List {
    p: Page,
    q: String,
    items: Vec<ProcedureHit>,
    total: String,
    pager: Pager,
}

pub(crate) async fn list(Query(lq): Query<ListQuery>, Gated(ctx, _, _): Gated<Admin>) -> UiResult {
    let state = &ctx.state;
    let q = lq.q.unwrap_or_default();
    let (page, offset) = page_offset(lq.trang, PAGE);
    // A full code finds its procedure whatever its status (drafts too).
    let found = state
        .search_procedures(
            SearchParams {
                q: opt(&q),
                limit: PAGE,
                offset,
                ..SearchParams::default()
            },
            true,
        )
        .await
        .map(|r| (r.items, r.total));
    let (items, total) = found.or_page(&ctx)?;
    let p = ctx.page();
    let link = |n: i64| format!("/quan-tri/thu-tuc?q={}&trang={n}", urlencode(&q));
    Ok(ctx.render(List {
        total: p.int(total),
        pager: Pager::new(page, offset, PAGE, total, link),
        items,
        q,
        p,
    }))
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

async fn detail_page(
    ctx: &Ctx,
    code: &str,
    errors: Errors,
    notice: Option<&'static str>,
    on: String,
) -> Response {
    let d = match ctx.state.procedure_detail(code, None).await {
        Ok(d) => d,
        Err(e) => return ctx.error(&e),
    };
    let time = statutory_time(&d.record).map(|(c, u)| (centi_text(u64::from(c)), u.label_vi()));
    let (row, versions) = (d.row, d.versions);
    let status = errors.status();
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

pub(crate) async fn detail(
    Path(code): Path<String>,
    Query(ok): Query<OkQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let said = [
        ("cong-khai", "Đã công khai thủ tục."),
        ("bai-bo", "Đã bãi bỏ thủ tục."),
    ];
    let notice = notice(ok.ok.as_deref(), &said);
    detail_page(&ctx, &code, Errors::default(), notice, String::new()).await
}

#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    on: String,
}

/// The same checks as `POST /api/v1/procedures/{code}/publish|abolish`.
async fn change_status(
    posted: Posted<StatusForm, Admin>,
    code: String,
    to: ProcedureStatus,
) -> Response {
    let Posted(ctx, caller, f, _) = posted;
    let state = &ctx.state;
    let done = async {
        require(&caller, Action::ManageCatalogue)?;
        let on = match opt(&f.on) {
            Some(d) => Some(
                parse_date(&d).map_err(|e| AppError::invalid("invalid_date", e.message_vi()))?,
            ),
            None => None,
        };
        state.change_procedure_status(&caller, &code, to, on).await
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

pub(crate) async fn publish(
    Path(code): Path<String>,
    posted: Posted<StatusForm, Admin>,
) -> Response {
    change_status(posted, code, ProcedureStatus::Published).await
}

pub(crate) async fn abolish(
    Path(code): Path<String>,
    posted: Posted<StatusForm, Admin>,
) -> Response {
    change_status(posted, code, ProcedureStatus::Abolished).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PickQuery {
    ma: String,
    co_quan: String,
}

/// The "set up a workflow" forms (GET, no JavaScript) lead to the workflow page.
pub(crate) async fn pick_workflow(
    Query(q): Query<PickQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    see_other(
        &ctx,
        &format!(
            "/quan-tri/thu-tuc/{}/quy-trinh/{}",
            urlencode(q.ma.trim()),
            urlencode(q.co_quan.trim())
        ),
    )
}

pub(crate) async fn pick_workflow_of(
    Path(code): Path<String>,
    Query(q): Query<PickQuery>,
    admin: Gated<Admin>,
) -> Response {
    let q = PickQuery {
        ma: code,
        co_quan: q.co_quan,
    };
    pick_workflow(Query(q), admin).await
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
    let setup = match ctx.state.workflow_setup(code, agency_code).await {
        Ok(s) => s,
        Err(e) => return ctx.error(&e),
    };
    let time = setup
        .statutory
        .map(|(c, u)| (centi_text(u64::from(c)), u.label_vi()));
    let (row, agency, applied, workflow) = (setup.row, setup.agency, setup.applied, setup.workflow);
    let steps = match typed {
        Some(t) => t,
        None => with_blank_rows(workflow.as_ref().map(rows_of).unwrap_or_default()),
    };
    let status = errors.status();
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

pub(crate) async fn workflow(
    Path((code, agency)): Path<(String, String)>,
    Query(ok): Query<OkQuery>,
    Gated(ctx, _, _): Gated<Admin>,
) -> Response {
    let notice = notice(ok.ok.as_deref(), &[("luu", "Đã lưu quy trình nội bộ.")]);
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

/// The rows of the workflow form as typed (name_i, role_i, unit_i, share_i); empty rows
/// are left out.
fn typed_rows(pairs: &[(String, String)]) -> Vec<StepRow> {
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (0..SHARE_FIELDS.len())
        .map(|i| StepRow {
            name: field(&format!("name_{i}")),
            role: field(&format!("role_{i}")),
            unit: field(&format!("unit_{i}")),
            share: field(&format!("share_{i}")),
        })
        .filter(|r| {
            !(r.name.trim().is_empty() && r.share.trim().is_empty() && r.unit.trim().is_empty())
        })
        .collect()
}

/// The workflow's steps from the typed rows, or the mistakes (by row position).
fn steps_of(typed: &[StepRow]) -> (Vec<WorkflowStep>, Errors) {
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
    (steps, errors)
}

pub(crate) async fn save_workflow(
    Path((code, agency_code)): Path<(String, String)>,
    Posted(ctx, caller, pairs, _): Posted<Vec<(String, String)>, Admin>,
) -> Response {
    let state = &ctx.state;
    let typed = typed_rows(&pairs);
    let (steps, mut errors) = steps_of(&typed);
    if errors.is_empty() {
        // The same checks as `PUT /api/v1/agencies/{code}/procedures/{procedure}`.
        let done = async {
            let agency = agency_by_code(state, &agency_code).await?;
            state
                .apply_procedure(&caller, agency.id, &code, Some(Workflow { steps }))
                .await?;
            Ok::<_, ApiError>(())
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
