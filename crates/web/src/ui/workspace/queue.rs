//! `/xu-ly`: the work queues of specialists and leaders, and bulk assignment.
//!
//! The queue is the dossier list of `GET /api/v1/dossiers` (`App::list_dossiers`, counts
//! capped at 10,000). The agencies it reads are the ones the caller may oversee
//! ([`Action::Oversee`]): the agencies of their staff grants and, for leaders, every agency
//! below them (a provincial leader watches the departments, the service centre and the
//! communes), or the one agency chosen in the filter.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use motcua_domain::auth::Role;
use motcua_domain::dossier::{Status, timeliness};
use motcua_store::{DossierQuery, DossierRow, QUEUE_COUNT_CAP};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Officer, Posted, UiResult};
use crate::ui::kit::{Ctx, Page, is_htmx, urlencode};

pub const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    tab: String,
    status: String,
    procedure: String,
    due_before: String,
    q: String,
    agency: String,
    page: String,
}

/// An agency the caller may oversee.
pub struct AgencyOpt {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// One line of a queue.
pub struct QueueRow {
    pub code: String,
    pub applicant: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency: String,
    pub status_label: &'static str,
    pub received: String,
    pub appointment: String,
    /// `on-track`, `due-soon`, `late` (the CSS classes), or empty before receipt.
    pub due_class: &'static str,
    pub due_label: &'static str,
}

pub struct Tab {
    pub key: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
    /// How many dossiers the tab holds with the same filters ("1.000+" past the cap).
    pub count: String,
}

/// What the queue page and its table fragment show.
pub struct QueueView {
    pub tab: &'static str,
    pub tabs: Vec<Tab>,
    pub status: String,
    pub procedure: String,
    pub due_before: String,
    pub q: String,
    pub agency: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub agencies: Vec<AgencyOpt>,
    pub rows: Vec<QueueRow>,
    pub total: String,
    pub more: bool,
    pub page: i64,
    pub pages_known: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// This view's address (the 60-second refresh reloads it).
    pub self_href: String,
    /// Leaders: the people dossiers can be assigned to, for the bulk form.
    pub assignees: Option<Vec<(Uuid, String)>>,
}

#[derive(Template)]
#[template(path = "ui/workspace/queue.html")]
struct QueuePage {
    p: Page,
    v: QueueView,
}

#[derive(Template)]
#[template(path = "ui/workspace/queue_table.html")]
struct QueueTable {
    p: Page,
    v: QueueView,
}

const TABS: [(&str, &str); 5] = [
    ("mine", "Của tôi"),
    ("agency", "Của cơ quan"),
    ("waiting", "Chờ phân công, phê duyệt"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
];

const STATUSES: [Status; 12] = [
    Status::Submitted,
    Status::AwaitingIntakeSupplement,
    Status::Received,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::Approved,
    Status::Rejected,
    Status::Done,
    Status::Refused,
    Status::Stopped,
    Status::Returned,
    Status::Withdrawn,
];

/// The agencies `caller` may oversee: those of their staff grants and, for leaders and
/// administrators, the agencies below them; each one checked with [`Action::Oversee`].
pub async fn overseeable(state: &AppState, caller: &Caller) -> Result<Vec<AgencyOpt>, ApiError> {
    Ok(state
        .overseeable_agencies(caller)
        .await?
        .into_iter()
        .map(|a| AgencyOpt {
            id: a.id,
            code: a.code,
            name: a.name,
        })
        .collect())
}

/// The end of the next working day, Vietnam time: due before it is "due soon" (as the API's
/// `due_soon`).
pub async fn due_soon_limit(state: &AppState) -> Result<Option<DateTime<Utc>>, ApiError> {
    Ok(state.due_soon_limit().await?)
}

/// The due colour and its words (never colour alone).
pub fn due_of(
    status: Status,
    row: &DossierRow,
    now: DateTime<Utc>,
    soon: Option<DateTime<Utc>>,
) -> (&'static str, &'static str) {
    if status.is_terminal() || status == Status::Done {
        return ("", "");
    }
    let overdue = row
        .appointment
        .is_some_and(|a| timeliness::overdue_at(a, row.paused_at, now));
    if status == Status::AwaitingSupplement {
        // The clock stopped at the request: judged then.
        return match overdue {
            true => ("late", "Quá hạn, chờ bổ sung"),
            false => ("on-track", "Tạm dừng, chờ bổ sung"),
        };
    }
    match row.appointment {
        None => ("", ""),
        Some(_) if overdue => ("late", "Quá hạn"),
        Some(a) if soon.is_some_and(|s| a < s) => ("due-soon", "Sắp đến hạn"),
        Some(_) => ("on-track", "Trong hạn"),
    }
}

/// A day typed (`dd/mm/yyyy`) as the first instant of the next day in Vietnam: appointments
/// on or before that day.
fn end_of_day(s: &str) -> Option<DateTime<Utc>> {
    let d = motcua_domain::vn_time::parse_day(s)?;
    d.succ_opt()?
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(motcua_domain::vn_time::offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn query_string(tab: &str, f: &QueueQuery, page: i64) -> String {
    let mut s = format!("/xu-ly?tab={tab}");
    for (k, v) in [
        ("agency", &f.agency),
        ("status", &f.status),
        ("procedure", &f.procedure),
        ("due_before", &f.due_before),
        ("q", &f.q),
    ] {
        if !v.trim().is_empty() {
            s.push_str(&format!("&{k}={}", urlencode(v.trim())));
        }
    }
    if page > 1 {
        s.push_str(&format!("&page={page}"));
    }
    s
}

async fn procedure_name(
    state: &AppState,
    code: &str,
    names: &mut HashMap<String, String>,
) -> String {
    if let Some(n) = names.get(code) {
        return n.clone();
    }
    let name = state.procedure_name_in_force(code).await;
    names.insert(code.to_string(), name.clone());
    name
}

/// The dossier query of a queue's tab and filters: the chosen agency (one the caller may
/// oversee) or all of them, the due limit of the tab, the words folded.
fn queue_query(
    caller: &Caller,
    f: &QueueQuery,
    tab: &str,
    agencies: &[AgencyOpt],
    now: DateTime<Utc>,
    soon: Option<DateTime<Utc>>,
    page: i64,
) -> Result<DossierQuery, ApiError> {
    let chosen: Vec<Uuid> = match f.agency.trim() {
        "" => agencies.iter().map(|a| a.id).collect(),
        code => vec![
            agencies
                .iter()
                .find(|a| a.code == code)
                .ok_or(ApiError::Forbidden)?
                .id,
        ],
    };
    let mut due_before = end_of_day(&f.due_before);
    let limit = match tab {
        "overdue" => Some(now),
        "due_soon" => soon,
        _ => None,
    };
    if let Some(l) = limit {
        due_before = Some(due_before.map_or(l, |d| d.min(l)));
    }
    let words = format!("{} {}", f.q, f.procedure);
    let folded = motcua_domain::text::fold_ascii(words.trim());
    let mut statuses: Vec<String> = Status::parse(f.status.trim())
        .map(|s| vec![s.as_str().to_string()])
        .unwrap_or_default();
    // In the agency's hands with no step held: to assign, or (steps done) to decide.
    let waiting = tab == "waiting";
    if waiting && statuses.is_empty() {
        statuses.push(Status::Processing.as_str().to_string());
    }
    Ok(DossierQuery {
        agencies: chosen,
        statuses,
        due_before,
        q: Some(folded).filter(|q| !q.trim().is_empty()),
        assignee: (tab == "mine").then_some(caller.user.id),
        unassigned: waiting,
        include_closed: false,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    })
}

/// The tabs with their counts under the same filters (`shown`: the tab listed and its total).
async fn tabs_of(
    state: &AppState,
    caller: &Caller,
    f: &QueueQuery,
    shown: (&str, i64),
    agencies: &[AgencyOpt],
    now: DateTime<Utc>,
    soon: Option<DateTime<Utc>>,
) -> Result<Vec<Tab>, ApiError> {
    let mut tabs = Vec::with_capacity(TABS.len());
    for (k, label) in TABS {
        let count = if k == shown.0 {
            shown.1
        } else {
            let mut q = queue_query(caller, f, k, agencies, now, soon, 1)?;
            q.limit = 1;
            state.list_dossiers(&q).await?.total
        };
        tabs.push(Tab {
            key: k,
            label,
            href: query_string(k, f, 1),
            current: k == shown.0,
            count: count_text(count),
        });
    }
    Ok(tabs)
}

/// A tab's count as shown, capped like the total.
fn count_text(n: i64) -> String {
    if n > QUEUE_COUNT_CAP {
        format!("{}+", motcua_sheets::vi::integer(QUEUE_COUNT_CAP))
    } else {
        motcua_sheets::vi::integer(n)
    }
}

/// The tab asked for, or the caller's default: a leader's agency, anyone else's own.
fn pick_tab(caller: &Caller, asked: &str) -> &'static str {
    TABS.iter()
        .map(|(k, _)| *k)
        .find(|k| *k == asked)
        .unwrap_or(if caller.user.roles().contains(&Role::Leader) {
            "agency"
        } else {
            "mine"
        })
}

/// Builds the queue for `caller` with the filters `f`.
async fn build(state: &AppState, caller: &Caller, f: &QueueQuery) -> Result<QueueView, ApiError> {
    let tab = pick_tab(caller, &f.tab);
    let agencies = overseeable(state, caller).await?;
    if agencies.is_empty() {
        return Err(ApiError::Forbidden);
    }
    let now = Utc::now();
    let soon = due_soon_limit(state).await?;
    let page = f.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let q = queue_query(caller, f, tab, &agencies, now, soon, page)?;
    let found = state.list_dossiers(&q).await?;
    let names_by_id: HashMap<Uuid, &str> =
        agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
    let mut procedure_names = HashMap::new();
    let mut rows = Vec::with_capacity(found.items.len());
    let mut row_agencies: Vec<Uuid> = Vec::new();
    for r in &found.items {
        rows.push(row_view(state, r, now, soon, &names_by_id, &mut procedure_names).await);
        if !row_agencies.contains(&r.agency_id) {
            row_agencies.push(r.agency_id);
        }
    }
    let total = found.total.min(QUEUE_COUNT_CAP);
    let total_text = motcua_sheets::vi::integer(total);
    let more = found.total > QUEUE_COUNT_CAP;
    let pages_known = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let has_next = page < pages_known || (more && (page * PAGE_SIZE) < found.total);
    // Leaders assign in bulk to the staff of the agencies the page shows.
    let assignees = if tab == "agency" && caller.user.roles().contains(&Role::Leader) {
        let ids: Vec<Uuid> = match f.agency.trim() {
            "" => row_agencies,
            code => vec![
                found.items.first().map_or(
                    agencies
                        .iter()
                        .find(|a| a.code == code)
                        .map(|a| a.id)
                        .unwrap_or_default(),
                    |r| r.agency_id,
                ),
            ],
        };
        Some(staff_of(state, &ids).await?)
    } else {
        None
    };
    let tabs = tabs_of(state, caller, f, (tab, found.total), &agencies, now, soon).await?;
    Ok(QueueView {
        tab,
        tabs,
        status: f.status.trim().to_string(),
        procedure: f.procedure.trim().to_string(),
        due_before: f.due_before.trim().to_string(),
        q: f.q.trim().to_string(),
        agency: f.agency.trim().to_string(),
        statuses: STATUSES
            .iter()
            .map(|s| (s.as_str(), s.label_vi()))
            .collect(),
        agencies,
        rows,
        total: total_text,
        more,
        page,
        pages_known,
        prev_href: (page > 1).then(|| query_string(tab, f, page - 1)),
        next_href: has_next.then(|| query_string(tab, f, page + 1)),
        self_href: query_string(tab, f, page),
        assignees,
    })
}

async fn row_view(
    state: &AppState,
    r: &DossierRow,
    now: DateTime<Utc>,
    soon: Option<DateTime<Utc>>,
    agencies: &HashMap<Uuid, &str>,
    procedure_names: &mut HashMap<String, String>,
) -> QueueRow {
    let status = r.status;
    let (due_class, due_label) = due_of(status, r, now, soon);
    let fmt = |t: DateTime<Utc>| {
        motcua_domain::vn_time::local(t)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    };
    QueueRow {
        code: r.code.clone(),
        applicant: r.applicant_name.clone(),
        procedure_name: procedure_name(state, &r.procedure_code, procedure_names).await,
        procedure_code: r.procedure_code.clone(),
        agency: agencies
            .get(&r.agency_id)
            .map(|s| s.to_string())
            .unwrap_or_default(),
        status_label: status.label_vi(),
        received: r
            .received_at
            .map(|t| {
                motcua_domain::vn_time::local(t)
                    .format("%d/%m/%Y")
                    .to_string()
            })
            .unwrap_or_default(),
        appointment: r.appointment.map(fmt).unwrap_or_default(),
        due_class,
        due_label,
    }
}

/// Specialists and leaders of these agencies, by name.
pub async fn staff_of(
    state: &AppState,
    agencies: &[Uuid],
) -> Result<Vec<(Uuid, String)>, ApiError> {
    let mut out: Vec<(Uuid, String)> = Vec::new();
    for id in agencies.iter().take(20) {
        let users = state.staff_of(*id, 500).await?;
        for u in users {
            let handles = u.grants.iter().any(|g| {
                g.agency == Some(*id) && matches!(g.role, Role::Specialist | Role::Leader)
            });
            if handles && !u.disabled && !out.iter().any(|(x, _)| *x == u.id) {
                out.push((u.id, u.full_name.clone()));
            }
        }
    }
    Ok(out)
}

pub async fn page(ctx: Ctx, headers: HeaderMap, Query(f): Query<QueueQuery>) -> UiResult {
    let caller = ctx.officer()?;
    let v = match build(&ctx.state, caller, &f).await {
        Ok(v) => v,
        Err(ApiError::Forbidden) => return Err(ctx.forbidden().into()),
        Err(e) => return Err(ctx.error(&e).into()),
    };
    let p = ctx.page();
    // htmx asks for the table only; a history restore wants the whole page.
    Ok(
        if is_htmx(&headers) && !headers.contains_key("hx-history-restore-request") {
            ctx.render(QueueTable { p, v })
        } else {
            ctx.render(QueuePage { p, v })
        },
    )
}

/// The result of one dossier of a bulk assignment.
pub struct BulkLine {
    pub code: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "ui/workspace/bulk_result.html")]
struct BulkResult {
    p: Page,
    lines: Vec<BulkLine>,
    done: usize,
    refused: usize,
    assignee: String,
    back: String,
    error: Option<String>,
}

/// Assigns several dossiers to one person: each dossier by the same command as the dossier
/// page (`assign_step` of its current step, at the version read now); each succeeds or is
/// refused on its own, and the page says which.
/// What a bulk assignment asks: the dossiers, the assignee, the due day (17:00 Vietnam
/// time), where to go back; or the mistake to show.
struct BulkForm {
    back: String,
    codes: Vec<String>,
    assignee: Uuid,
    due: Option<DateTime<Utc>>,
}

fn bulk_form(ctx: &Ctx, pairs: &[(String, String)]) -> (String, Result<BulkForm, String>) {
    let field = |k: &str| form::field(pairs, k);
    let back = {
        let b = field("back");
        if b.starts_with("/xu-ly") {
            b
        } else {
            "/xu-ly?tab=agency".into()
        }
    };
    let codes: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k == "codes" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    let mut error = None;
    let assignee = Uuid::parse_str(&field("assignee")).ok();
    if codes.is_empty() {
        error = Some(ctx.t("Chưa chọn hồ sơ nào để phân công.").to_string());
    } else if assignee.is_none() {
        error = Some(ctx.t("Vui lòng chọn người được phân công.").to_string());
    }
    let due = match field("due").as_str() {
        "" => None,
        d => match motcua_domain::vn_time::parse_day(d).ok_or(()) {
            Ok(day) => day
                .and_hms_opt(17, 0, 0)
                .and_then(|t| {
                    t.and_local_timezone(motcua_domain::vn_time::offset())
                        .single()
                })
                .map(|t| t.with_timezone(&Utc)),
            Err(_) => {
                error = Some(ctx.t("Hạn xử lý không hợp lệ.").to_string());
                None
            }
        },
    };
    let form = match (error, assignee) {
        (Some(e), _) => Err(e),
        (None, Some(assignee)) => Ok(BulkForm {
            back: back.clone(),
            codes,
            assignee,
            due,
        }),
        (None, None) => unreachable!("a missing assignee is an error"),
    };
    (back, form)
}

pub async fn bulk_assign(
    Posted(ctx, caller, pairs, _): Posted<Vec<(String, String)>, Officer>,
) -> Response {
    let (back, form) = bulk_form(&ctx, &pairs);
    let form = match form {
        Ok(f) => f,
        Err(e) => {
            return ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                BulkResult {
                    p: ctx.page(),
                    lines: Vec::new(),
                    done: 0,
                    refused: 0,
                    assignee: String::new(),
                    back,
                    error: Some(e),
                },
            );
        }
    };
    let BulkForm {
        back,
        codes,
        assignee: assignee_id,
        due: due_at,
    } = form;

    let assignee_name = ctx
        .state
        .user_by_id(assignee_id)
        .await
        .map(|u| u.full_name)
        .unwrap_or_default();
    let mut lines = Vec::new();
    for code in codes.iter().take(500) {
        let result = assign_one(&ctx.state, &caller, code, assignee_id, due_at).await;
        lines.push(match result {
            Ok(()) => BulkLine {
                code: code.clone(),
                ok: true,
                message: ctx.t("Đã phân công").to_string(),
            },
            Err(e) => BulkLine {
                code: code.clone(),
                ok: false,
                message: e.message_vi(),
            },
        });
    }
    let done = lines.iter().filter(|l| l.ok).count();
    ctx.render(BulkResult {
        p: ctx.page(),
        refused: lines.len() - done,
        done,
        lines,
        assignee: assignee_name,
        back,
        error: None,
    })
}

async fn assign_one(
    state: &AppState,
    caller: &Caller,
    code: &str,
    assignee: Uuid,
    due: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    let row = state.dossier(code).await?;
    let s = motcua_app::dossiers::state_of(&row)?;
    let index = s.active_step.as_ref().map_or(s.next_step, |a| a.index);
    let mut fields = serde_json::json!({
        "version": row.seq,
        "index": index,
        "assignee": assignee,
    });
    if let Some(a) = &s.active_step {
        fields["name"] = serde_json::json!(a.name);
        fields["role"] = serde_json::json!(a.role);
    }
    if let Some(d) = due {
        fields["due"] = serde_json::json!(d);
        fields
            .as_object_mut()
            .expect("object")
            .entry("name")
            .or_insert(serde_json::json!("Xử lý hồ sơ"));
        fields
            .as_object_mut()
            .expect("object")
            .entry("role")
            .or_insert(serde_json::json!("specialist"));
    }
    super::dossier::run_action(state, caller, code, "assign_step", fields).await
}
