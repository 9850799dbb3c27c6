//! `/ho-so/{ma}`: the officers' dossier page (summary, components and documents, timeline) with
//! the actions the caller may take now, each a small form posting to
//! `/ho-so/{ma}/thao-tac/{action}`, which runs the API's action handler.
//!
//! Which actions are offered: for each action the page has a form for, a probe command (the
//! action with well-formed data) is put to the state machine ([`decide`]) in the role the
//! caller would act in ([`acting_role_for`], i.e. [`Principal::may`] at the agency concerned). A
//! refusal because of the dossier's state, the caller's role, the step's assignee, an apology
//! already used or no fee due hides the action; a refusal about the probe's data does not.
//!
//! [`Principal::may`]: motcua_domain::auth::Principal::may

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::dossier::{
    Actor, Command, DossierAction, DossierError, DossierState, Event, PaymentMethod, ResultForm,
    ReturnChannel, Turn, decide, timeliness,
};
use motcua_domain::vn_time;
use motcua_store::DossierRow;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::queue::{due_of, due_soon_limit, staff_of};
use crate::auth::{Caller, ResolvedScope};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{Officer, Posted};
use crate::ui::kit::{Ctx, Page};
use motcua_app::acting::{ActRequest, acting_role_for, at_intake};

/// The actions the page has a form for, in the order they are shown.
const ACTIONS: [&str; 15] = [
    "receive",
    "request_intake_supplement",
    "refuse",
    "forward",
    "assign_step",
    "complete_step",
    "request_supplement",
    "transfer",
    "apologize",
    "approve",
    "reject",
    "stop",
    "record_result",
    "collect_fee",
    "return_result",
];

fn title(action: &str) -> &'static str {
    match action {
        "receive" => "Tiếp nhận hồ sơ",
        "request_intake_supplement" => "Yêu cầu bổ sung, hoàn thiện trước khi tiếp nhận",
        "refuse" => "Từ chối tiếp nhận",
        "forward" => "Chuyển cơ quan có thẩm quyền xử lý",
        "assign_step" => "Phân công xử lý",
        "complete_step" => "Hoàn thành bước xử lý",
        "request_supplement" => "Yêu cầu bổ sung hồ sơ",
        "transfer" => "Chuyển liên thông",
        "apologize" => "Xin lỗi và gia hạn",
        "approve" => "Phê duyệt",
        "reject" => "Từ chối giải quyết",
        "stop" => "Dừng giải quyết",
        "record_result" => "Cập nhật kết quả giải quyết",
        "collect_fee" => "Thu phí, lệ phí",
        "return_result" => "Trả kết quả",
        _ => "",
    }
}

/// One input of an action's form.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `textarea`, `date`, `datetime`, `number`, `select`, `agency`.
    pub kind: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
}

/// An action the caller may take now, as a form.
pub struct ActionView {
    pub name: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    /// Shown open: it was sent back with a mistake.
    pub open: bool,
    pub error: Option<String>,
    pub fields: Vec<FieldView>,
    /// Ends or refuses the dossier: set apart, sent only when confirmed.
    pub destructive: bool,
    /// The first of the destructive ones (the section's heading goes before it).
    pub first_destructive: bool,
}

/// Actions that end or refuse a dossier, which cannot be undone.
const DESTRUCTIVE: [&str; 4] = ["refuse", "reject", "stop", "withdraw"];

pub struct TimelineLine {
    pub at: String,
    pub label: String,
    pub actor: String,
    pub detail: String,
}

pub struct DocLine {
    pub component: String,
    pub href: String,
    pub media_type: String,
    pub size: String,
    pub source: String,
    pub at: String,
}

pub struct Summary {
    /// Whose turn it is ("Chờ lãnh đạo phê duyệt", "Đang xử lý bước «…»: Trần Văn A").
    pub turn: String,
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub agency: String,
    pub intake_agency: String,
    pub channel: String,
    pub submitted: String,
    pub received: String,
    pub appointment: String,
    pub status: String,
    pub due_class: &'static str,
    pub due_label: &'static str,
    pub step: String,
    pub step_due: String,
    pub assignee: String,
    pub fee: String,
    pub decision: String,
    pub result: String,
    pub open_request: String,
}

#[derive(Template)]
#[template(path = "ui/workspace/dossier.html")]
struct DossierPage {
    p: Page,
    d: Summary,
    version: i32,
    components: Vec<String>,
    documents: Vec<DocLine>,
    timeline: Vec<TimelineLine>,
    actions: Vec<ActionView>,
    agencies: Destinations,
    banner: Option<String>,
    ok: Option<String>,
}

/// What was sent with an action that failed: shown again with the errors.
#[derive(Default)]
struct Sent {
    action: String,
    values: HashMap<String, String>,
    errors: HashMap<&'static str, String>,
    form_error: Option<String>,
    banner: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    ok: String,
}

fn vn(t: DateTime<Utc>) -> String {
    motcua_domain::vn_time::local(t)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

fn vnd(n: u64) -> String {
    format!("{} đồng", motcua_sheets::vi::integer(n as i64))
}

/// Runs an action as `POST /api/v1/dossiers/{code}/actions/{action}` does (the same service
/// method): the calendar's inputs, the acting role at the right agency, the version check.
pub async fn run_action(
    state: &AppState,
    caller: &Caller,
    code: &str,
    action: &str,
    fields: Value,
) -> Result<(), ApiError> {
    let (version, request) = ActRequest::from_body(action, fields)?;
    state.act(caller, code, version, request).await?;
    Ok(())
}

/// The effective appointment now (what an apology must be asked before), as the API computes.
async fn current_due(
    state: &AppState,
    row: &DossierRow,
    s: &DossierState,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let calendar = state.current_calendar().await?;
    let hours = state.cached_office_hours(row.agency_id).await?;
    let clock = calendar.clock(&hours);
    Ok(timeliness::effective_appointment(&clock, s)
        .map_err(motcua_app::calendar::calendar_error)?)
}

/// The action `name` with well-formed data, to ask the state machine whether it may happen.
fn probe(
    name: &str,
    s: &DossierState,
    me: Uuid,
    now: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
) -> Option<DossierAction> {
    let later = now + chrono::Duration::days(1);
    let reason = || "x".to_string();
    let here = s.agency.clone()?;
    Some(match name {
        "receive" => DossierAction::Receive {
            appointment: later,
            fee_due_vnd: 0,
        },
        "request_intake_supplement" => DossierAction::RequestIntakeSupplement {
            reason: reason(),
            missing: vec![reason()],
        },
        "refuse" => DossierAction::Refuse { reason: reason() },
        "forward" => DossierAction::Forward { to: here },
        "assign_step" => DossierAction::AssignStep {
            index: s.active_step.as_ref().map_or(s.next_step, |a| a.index),
            name: reason(),
            role: Role::Specialist,
            assignee: me,
            due: later,
        },
        "complete_step" => DossierAction::CompleteStep {
            index: s.active_step.as_ref().map_or(s.next_step, |a| a.index),
            note: None,
        },
        "request_supplement" => DossierAction::RequestSupplement {
            reason: reason(),
            missing: vec![reason()],
        },
        "transfer" => {
            let other = ["000.00.00.A01", "000.00.00.A02"]
                .into_iter()
                .find(|c| *c != here.as_str())?;
            DossierAction::Transfer {
                to: AgencyCode::parse(other).ok()?,
                reason: reason(),
                peer: None,
            }
        }
        "apologize" => {
            let due = due?;
            DossierAction::Apologize {
                reason: reason(),
                new_appointment: due + chrono::Duration::days(1),
                current_due: due,
            }
        }
        "approve" => DossierAction::Approve { note: None },
        "reject" => DossierAction::Reject { reason: reason() },
        "stop" => DossierAction::Stop { reason: reason() },
        "record_result" => DossierAction::RecordResult {
            result_code: reason(),
            form: ResultForm::Paper,
        },
        "collect_fee" => DossierAction::CollectFee {
            amount_vnd: s.fee_outstanding_vnd().max(1),
            method: PaymentMethod::Cash,
            receipt_no: None,
        },
        "return_result" => DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        },
        _ => return None,
    })
}

/// Refusals that mean "not now, not by you" (the action is hidden), as opposed to refusals of
/// the probe's data.
fn hides(e: &DossierError) -> bool {
    matches!(
        e,
        DossierError::NotCreated { .. }
            | DossierError::NotAllowedInState { .. }
            | DossierError::RoleNotAllowed { .. }
            | DossierError::NotOwner { .. }
            | DossierError::NotAssignee { .. }
            | DossierError::NoActiveStep
            | DossierError::NotActiveStep { .. }
            | DossierError::StepOutOfOrder { .. }
            | DossierError::ApologyAlreadyUsed
            | DossierError::AppointmentPassed { .. }
            | DossierError::CurrentDueMismatch { .. }
            | DossierError::NoFeeDue
            | DossierError::ResultNotRecorded
            | DossierError::FeeNotCollected { .. }
    )
}

/// The actions `caller` may take on the dossier now.
async fn allowed_now(
    state: &AppState,
    caller: &Caller,
    row: &DossierRow,
    s: &DossierState,
) -> Result<Vec<&'static str>, ApiError> {
    if s.status.is_terminal() {
        return Ok(Vec::new());
    }
    let intake = ResolvedScope::of(state, row.intake_agency_id).await?;
    let current = ResolvedScope::of(state, row.agency_id).await?;
    let due = current_due(state, row, s).await.ok().flatten();
    let principal = caller.principal();
    let now = Utc::now().max(s.last_event_at.unwrap_or_default());
    let mut out = Vec::new();
    for name in ACTIONS {
        let Some(action) = probe(name, s, caller.user.id, now, due) else {
            continue;
        };
        // Where the service authorises it: the counter's actions where the dossier was lodged.
        let scope = if at_intake(&action) {
            &intake
        } else {
            &current
        };
        let Some(role) =
            acting_role_for(&principal, scope.scope(), s, caller.user.id, &action, now)
        else {
            continue;
        };
        let command = Command {
            actor: Actor {
                user: caller.user.id,
                role,
            },
            at: now,
            action,
        };
        match decide(s, &command) {
            Err(e) if hides(&e) => {}
            _ => out.push(name),
        }
    }
    Ok(out)
}

fn field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
    hint: &'static str,
) -> FieldView {
    FieldView {
        name,
        label,
        kind,
        required,
        hint,
        value: String::new(),
        error: None,
        options: Vec::new(),
    }
}

/// A select's options from enum values: the serde key and the Vietnamese label.
fn options<T: serde::Serialize + Labelled>(values: &[T]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|m| {
            (
                serde_json::to_value(m)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                m.label().to_string(),
            )
        })
        .collect()
}

/// What a select shows of a value.
trait Labelled {
    fn label(&self) -> &'static str;
}

impl Labelled for PaymentMethod {
    fn label(&self) -> &'static str {
        self.label_vi()
    }
}

impl Labelled for ReturnChannel {
    fn label(&self) -> &'static str {
        self.label_vi()
    }
}

/// The inputs of `assign_step`: whom, and the due day (required without a workflow).
fn assign_fields(staff: &[(Uuid, String)], has_workflow: bool) -> Vec<FieldView> {
    let mut who = field("assignee", "Người được phân công", "select", true, "");
    who.options = staff
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let due = field(
        "due",
        "Hạn xử lý của bước",
        "date",
        !has_workflow,
        if has_workflow {
            "Để trống: theo thời gian của bước trong quy trình nội bộ."
        } else {
            "Cơ quan chưa có quy trình nội bộ cho thủ tục này: cần ghi hạn xử lý."
        },
    );
    vec![who, due]
}

/// The inputs of `collect_fee`: the amount outstanding, how it is paid, the receipt.
fn fee_fields(s: &DossierState) -> Vec<FieldView> {
    let mut amount = field("amount_vnd", "Số tiền (đồng)", "number", true, "");
    amount.value = s.fee_outstanding_vnd().to_string();
    let mut method = field("method", "Hình thức thu", "select", true, "");
    method.options = options(&[PaymentMethod::Cash, PaymentMethod::Transfer]);
    vec![
        amount,
        method,
        field("receipt_no", "Số chứng từ (nếu có)", "text", false, ""),
    ]
}

/// The form of an action (its inputs, with defaults).
fn fields_of(
    action: &str,
    s: &DossierState,
    staff: &[(Uuid, String)],
    has_workflow: bool,
) -> Vec<FieldView> {
    let reason = || field("reason", "Lý do", "textarea", true, "");
    let missing = || {
        field(
            "missing",
            "Giấy tờ cần bổ sung",
            "textarea",
            true,
            "Mỗi dòng một giấy tờ.",
        )
    };
    match action {
        "request_intake_supplement" | "request_supplement" => vec![reason(), missing()],
        "refuse" | "reject" | "stop" => vec![reason()],
        "forward" => vec![field(
            "to",
            "Cơ quan nhận",
            "agency",
            true,
            "Chọn theo tên; các cơ quan cùng giải quyết thủ tục này đứng đầu danh sách.",
        )],
        "transfer" => vec![
            field(
                "to",
                "Cơ quan nhận liên thông",
                "agency",
                true,
                "Chọn theo tên; các cơ quan cùng giải quyết thủ tục này đứng đầu danh sách.",
            ),
            reason(),
        ],
        "assign_step" => assign_fields(staff, has_workflow),
        "complete_step" | "approve" => vec![field("note", "Ghi chú", "textarea", false, "")],
        "apologize" => vec![
            reason(),
            field(
                "new_appointment",
                "Ngày hẹn trả mới",
                "datetime",
                true,
                "Ngày/tháng/năm giờ:phút, giờ Việt Nam (chỉ ghi ngày: 17:00).",
            ),
        ],
        "record_result" => vec![field(
            "result_code",
            "Số, ký hiệu văn bản kết quả",
            "text",
            true,
            "Kết quả bản giấy: chỉ ghi số, ký hiệu; kết quả điện tử: chọn thêm tệp bên dưới.",
        )],
        "collect_fee" => fee_fields(s),
        "return_result" => return_fields(),
        _ => Vec::new(),
    }
}

/// How the result is returned and, at the counter, who collects it.
fn return_fields() -> Vec<FieldView> {
    let mut via = field("via", "Hình thức trả kết quả", "select", true, "");
    via.options = options(&[
        ReturnChannel::Counter,
        ReturnChannel::Post,
        ReturnChannel::Online,
    ]);
    let name = field(
        "collector_name",
        "Người nhận kết quả",
        "text",
        false,
        "Khi trả tại Bộ phận Một cửa.",
    );
    let id = field(
        "collector_id",
        "Số định danh cá nhân của người nhận",
        "text",
        false,
        "Đối chiếu với thẻ căn cước người nhận xuất trình.",
    );
    let mut behalf = field("on_behalf", "Người nhận", "select", false, "");
    behalf.options = vec![
        ("".into(), "Chính người nộp hồ sơ".into()),
        ("1".into(), "Người nhận thay (có giấy ủy quyền)".into()),
    ];
    vec![via, name, id, behalf]
}

fn hint_of(action: &str) -> &'static str {
    match action {
        "receive" => "Ngày hẹn trả được tính theo lịch làm việc khi tiếp nhận.",
        "approve" => "Đồng ý giải quyết hồ sơ.",
        _ => "",
    }
}

/// The decision on a dossier as the page says it ("Phê duyệt: …").
fn decision_text(s: &DossierState) -> String {
    s.decision
        .as_ref()
        .map(|d| {
            let verdict = match d.verdict {
                motcua_domain::dossier::Verdict::Approved => "Phê duyệt",
                motcua_domain::dossier::Verdict::Rejected => "Không phê duyệt",
            };
            match &d.reason {
                Some(r) => format!("{verdict}: {r}"),
                None => verdict.to_string(),
            }
        })
        .unwrap_or_default()
}

/// The dossier's summary: where it is, whose it is, when it is due.
async fn summary_of(
    state: &AppState,
    row: &DossierRow,
    s: &DossierState,
    procedure_name: String,
    names: &mut Names,
    now: DateTime<Utc>,
) -> Result<(Summary, motcua_store::Agency), ApiError> {
    let agency = state.agency_by_id(row.agency_id).await?;
    let intake = if row.intake_agency_id == row.agency_id {
        agency.clone()
    } else {
        state.agency_by_id(row.intake_agency_id).await?
    };
    let status = s.status;
    let soon = due_soon_limit(state).await?;
    let (due_class, due_label) = due_of(status, row, now, soon);
    let applicant = s.applicant.as_ref();
    let text = Option::unwrap_or_default;
    let step = s.active_step.clone();
    let turn = match s.turn() {
        t @ Turn::Step { assignee, .. } => {
            format!("{}: {}", t.label_vi(), names.get(state, assignee).await)
        }
        t => t.label_vi(),
    };
    let d = Summary {
        turn,
        code: row.code.clone(),
        procedure_code: row.procedure_code.clone(),
        procedure_name,
        applicant: row.applicant_name.clone(),
        id_number: text(applicant.map(|a| a.id_number.as_str().to_string())),
        phone: text(applicant.and_then(|a| a.phone.clone())),
        email: text(applicant.and_then(|a| a.email.clone())),
        address: text(applicant.and_then(|a| a.address.clone())),
        agency: format!("{} ({})", agency.name, agency.code),
        intake_agency: format!("{} ({})", intake.name, intake.code),
        channel: s
            .channel
            .map(|c| c.label_vi())
            .unwrap_or_default()
            .to_string(),
        submitted: s.submitted_at.map(vn).unwrap_or_default(),
        received: s.received_at.map(vn).unwrap_or_default(),
        appointment: row.appointment.map(vn).unwrap_or_default(),
        status: status.label_vi().to_string(),
        due_class,
        due_label,
        step: step
            .as_ref()
            .map(|a| format!("{}. {}", a.index + 1, a.name))
            .unwrap_or_default(),
        step_due: step.as_ref().map(|a| vn(a.due)).unwrap_or_default(),
        assignee: match &step {
            Some(a) => names.get(state, a.assignee).await,
            None => String::new(),
        },
        fee: if s.fee_due_vnd > 0 {
            format!("{} / {}", vnd(s.fee_collected_vnd), vnd(s.fee_due_vnd))
        } else {
            String::new()
        },
        decision: decision_text(s),
        result: s
            .result
            .as_ref()
            .map(|r| r.result_code.clone())
            .unwrap_or_default(),
        open_request: s
            .open_request
            .as_ref()
            .map(|r| format!("{} — {}", r.reason, r.missing.join("; ")))
            .unwrap_or_default(),
    };
    Ok((d, agency))
}

/// The dossier's documents, each with its download link.
async fn documents_of(state: &AppState, row: &DossierRow) -> Result<Vec<DocLine>, ApiError> {
    Ok(state
        .dossier_documents(row)
        .await?
        .into_iter()
        .map(|doc| DocLine {
            href: format!("/api/v1/dossiers/{}/documents/{}", row.code, doc.sha256),
            component: doc.component,
            media_type: motcua_sheets::vi::media_label(&doc.media_type),
            size: format!(
                "{} KB",
                motcua_sheets::vi::integer((doc.size + 1023) / 1024)
            ),
            source: doc.source_label,
            at: motcua_sheets::vi::datetime(&doc.at),
        })
        .collect())
}

/// The dossier's events, each with who did it and what it says.
async fn timeline_of(
    state: &AppState,
    row: &DossierRow,
    names: &mut Names,
) -> Result<Vec<TimelineLine>, ApiError> {
    let mut timeline = Vec::new();
    for e in state.dossier_events(row.id).await? {
        let event: Option<Event> = serde_json::from_str(&e.data).ok();
        let role = Role::parse(&e.actor_role).map(Role::label_vi).unwrap_or("");
        let actor = match e.actor_id {
            Some(id) => {
                let n = names.get(state, id).await;
                if role.is_empty() {
                    n
                } else {
                    format!("{n} ({role})")
                }
            }
            None => role.to_string(),
        };
        let detail = match &event {
            Some(ev) => detail_of(state, ev, names).await,
            None => String::new(),
        };
        timeline.push(TimelineLine {
            at: vn(e.at),
            label: event
                .as_ref()
                .map(|ev| ev.label_vi().to_string())
                .unwrap_or_else(|| e.kind.clone()),
            actor,
            detail,
        });
    }
    Ok(timeline)
}

/// The actions the caller may take now, with their fields (`sent`: the form sent back, its
/// values and mistakes put in; its banner and form error taken).
async fn actions_of(
    state: &AppState,
    caller: &Caller,
    row: &DossierRow,
    s: &DossierState,
    sent: &mut Sent,
) -> Result<Vec<ActionView>, ApiError> {
    let allowed = allowed_now(state, caller, row, s).await?;
    let (staff, has_workflow) = if allowed.contains(&"assign_step") {
        (
            staff_of(state, &[row.agency_id]).await?,
            state.has_workflow(&row.procedure_code, row.agency_id).await,
        )
    } else {
        (Vec::new(), true)
    };
    let actions = allowed
        .into_iter()
        .map(|name| {
            let mut fields = fields_of(name, s, &staff, has_workflow);
            let mine = sent.action == name;
            if mine {
                for f in &mut fields {
                    if let Some(v) = sent.values.get(f.name) {
                        f.value = v.clone();
                    }
                    f.error = sent.errors.remove(f.name);
                }
            }
            ActionView {
                name,
                title: title(name),
                hint: hint_of(name),
                open: mine,
                error: if mine { sent.form_error.take() } else { None },
                fields,
                destructive: DESTRUCTIVE.contains(&name),
                first_destructive: false,
            }
        })
        .collect::<Vec<_>>();
    // The destructive ones last, under their own heading.
    let mut actions = actions;
    actions.sort_by_key(|a| a.destructive);
    if let Some(a) = actions.iter_mut().find(|a| a.destructive) {
        a.first_destructive = true;
    }
    Ok(actions)
}

/// Builds the page (the dossier as it is now; `sent` is a form sent back with its mistakes).
async fn build(
    ctx: &Ctx,
    caller: &Caller,
    row: &DossierRow,
    sent: Option<Sent>,
    ok: Option<String>,
) -> Result<DossierPage, ApiError> {
    let state = &ctx.state;
    let s = motcua_app::dossiers::state_of(row)?;
    let now = Utc::now();
    let mut names = Names::default();
    let procedure = state
        .in_force(
            &row.procedure_code,
            motcua_domain::dossier::vietnam_date(now),
        )
        .await
        .ok();
    let procedure_name = procedure
        .as_ref()
        .map(|p| p.procedure.name.clone())
        .unwrap_or_default();
    let (d, agency) = summary_of(state, row, &s, procedure_name, &mut names, now).await?;
    let components = procedure
        .as_ref()
        .map(|p| {
            p.procedure
                .components
                .iter()
                .map(|c| c.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let documents = documents_of(state, row).await?;
    let timeline = timeline_of(state, row, &mut names).await?;
    let mut sent = sent.unwrap_or_default();
    let actions = actions_of(state, caller, row, &s, &mut sent).await?;
    let agencies = if actions
        .iter()
        .any(|a| a.name == "forward" || a.name == "transfer")
    {
        destinations(state, &agency, &row.procedure_code).await
    } else {
        Destinations::default()
    };
    Ok(DossierPage {
        p: ctx.page(),
        d,
        version: row.seq,
        components,
        documents,
        timeline,
        actions,
        agencies,
        banner: sent.banner,
        ok,
    })
}

/// Where a dossier can be forwarded or transferred, by name: first the agencies that apply
/// its procedure, then the other agencies of its province.
#[derive(Default)]
pub struct Destinations {
    pub suggested: Vec<(String, String)>,
    pub others: Vec<(String, String)>,
}

async fn destinations(
    state: &AppState,
    here: &motcua_store::Agency,
    procedure: &str,
) -> Destinations {
    let q = motcua_store::AgencyQuery {
        province_code: here.province_code.clone(),
        parent: if here.province_code.is_none() {
            here.parent_id
        } else {
            None
        },
        limit: 1000,
        ..Default::default()
    };
    let mut all: Vec<(String, String)> = state
        .list_agencies(&q)
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|a| a.id != here.id)
                .map(|a| (a.code, a.name))
                .collect()
        })
        .unwrap_or_default();
    all.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let applying: std::collections::HashSet<String> = state
        .agencies_applying(procedure, 200)
        .await
        .map(|a| a.into_iter().map(|a| a.code).collect())
        .unwrap_or_default();
    let (suggested, others) = all.into_iter().partition(|(c, _)| applying.contains(c));
    Destinations { suggested, others }
}

/// People's names by id, each read once per page.
#[derive(Default)]
struct Names(HashMap<Uuid, String>);

impl Names {
    async fn get(&mut self, state: &AppState, id: Uuid) -> String {
        if let Some(n) = self.0.get(&id) {
            return n.clone();
        }
        let n = state
            .user_by_id(id)
            .await
            .map(|u| u.full_name)
            .unwrap_or_default();
        self.0.insert(id, n.clone());
        n
    }
}

async fn agency_label(state: &AppState, code: &AgencyCode) -> String {
    match state.agency(code.as_str()).await {
        Ok(a) => format!("{} ({})", a.name, a.code),
        _ => code.to_string(),
    }
}

/// The detail of a hop between deployments and of a result sent by post.
fn link_detail(ev: &Event) -> Option<String> {
    Some(match ev {
        Event::Transferred {
            to,
            reason,
            peer: Some(peer),
            ..
        } => format!("Đến: {to} (hệ thống {peer}). Lý do: {reason}"),
        Event::TransferReceived {
            from, peer, reason, ..
        } => format!("Từ: {from} (hệ thống {peer}). Lý do: {reason}"),
        Event::TransferReturned { from, outcome, .. } => format!(
            "Từ: {from}. {}; số, ký hiệu kết quả: {}",
            if outcome.approved {
                "Đồng ý"
            } else {
                "Không đồng ý"
            },
            outcome.result_code
        ),
        Event::PostageRecorded {
            tracking_no,
            fee_vnd,
        } => format!("Số hiệu bưu gửi: {tracking_no}; cước: {}", vnd(*fee_vnd)),
        _ => return None,
    })
}

async fn detail_of(state: &AppState, ev: &Event, names: &mut Names) -> String {
    if let Some(d) = link_detail(ev) {
        return d;
    }
    match ev {
        Event::Received {
            appointment,
            fee_due_vnd,
        } => {
            let mut s = format!("Hẹn trả: {}", vn(*appointment));
            if *fee_due_vnd > 0 {
                s.push_str(&format!("; phí, lệ phí: {}", vnd(*fee_due_vnd)));
            }
            s
        }
        Event::IntakeSupplementRequested { reason, missing }
        | Event::SupplementRequested { reason, missing } => {
            format!("Lý do: {reason}. Cần bổ sung: {}", missing.join("; "))
        }
        Event::Refused { reason } | Event::Stopped { reason } | Event::Rejected { reason } => {
            format!("Lý do: {reason}")
        }
        Event::Forwarded { to, .. } => format!("Đến: {}", agency_label(state, to).await),
        Event::StepAssigned {
            index,
            name,
            assignee,
            due,
            ..
        } => format!(
            "Bước {}: {name}; người xử lý: {}; hạn: {}",
            index + 1,
            names.get(state, *assignee).await,
            vn(*due)
        ),
        Event::StepCompleted { index, note } => match note {
            Some(n) => format!("Bước {}: {n}", index + 1),
            None => format!("Bước {}", index + 1),
        },
        Event::Transferred { to, reason, .. } => {
            format!("Đến: {}. Lý do: {reason}", agency_label(state, to).await)
        }
        Event::Apologized {
            reason,
            new_appointment,
            ..
        } => format!("Lý do: {reason}. Hẹn trả mới: {}", vn(*new_appointment)),
        Event::Approved { note: Some(n) } => n.clone(),
        Event::ResultRecorded { result_code, .. } => format!("Số, ký hiệu: {result_code}"),
        Event::FeeCollected {
            amount_vnd, method, ..
        } => format!("{} ({})", vnd(*amount_vnd), method.label_vi()),
        Event::FeeAdjusted {
            previous_vnd,
            fee_due_vnd,
            reason,
        } => format!(
            "Từ {} thành {}. Lý do: {reason}",
            vnd(*previous_vnd),
            vnd(*fee_due_vnd)
        ),
        Event::FeeRefunded { amount_vnd, reason } => {
            format!("{}. Lý do: {reason}", vnd(*amount_vnd))
        }
        Event::ResultReturned { via, .. } => via.label_vi().to_string(),
        Event::Withdrawn { reason: Some(r) } => format!("Lý do: {r}"),
        Event::SupplementProvided { note: Some(n), .. }
        | Event::Supplemented { note: Some(n), .. } => n.clone(),
        Event::DocumentAttached {
            component, source, ..
        } => format!("{component} ({})", source.label_vi()),
        _ => String::new(),
    }
}

async fn load(ctx: &Ctx, caller: &Caller, code: &str) -> Result<DossierRow, ApiError> {
    let row = ctx.state.dossier(code.trim()).await?;
    ctx.state.readable(caller, &row).await?;
    Ok(row)
}

pub async fn page(
    ctx: Ctx,
    origin: motcua_app::access_log::ReadOrigin,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let caller = match ctx.officer() {
        Ok(c) => c.clone(),
        Err(res) => return res,
    };
    let row = match load(&ctx, &caller, &code).await {
        Ok(r) => r,
        Err(ApiError::Forbidden) => return ctx.forbidden(),
        Err(e) => return ctx.error(&e),
    };
    let read = motcua_app::access_log::Read::Dossier;
    if let Err(e) = motcua_app::access_log::record(&ctx.state, &caller, &row, read, &origin).await {
        return ctx.error(&e);
    }
    let ok = ACTIONS
        .iter()
        .find(|a| **a == q.ok)
        .map(|a| title(a).to_string());
    match build(&ctx, &caller, &row, None, ok).await {
        Ok(t) => ctx.render(t),
        Err(e) => ctx.error(&e),
    }
}

/// An action's form being read: what was typed, the action's JSON fields so far, the
/// mistakes by input.
struct Input<'a> {
    ctx: &'a Ctx,
    v: &'a HashMap<String, String>,
    out: serde_json::Map<String, Value>,
    errors: HashMap<&'static str, String>,
}

impl Input<'_> {
    fn get(&self, k: &str) -> &str {
        self.v.get(k).map(|x| x.trim()).unwrap_or_default()
    }

    /// Whether `k` was typed; if not, `msg` goes next to it.
    fn need(&mut self, k: &'static str, msg: &str) -> bool {
        if self.get(k).is_empty() {
            self.error(k, msg);
            false
        } else {
            true
        }
    }

    fn error(&mut self, k: &'static str, msg: &str) {
        self.errors.insert(k, self.ctx.t(msg).to_string());
    }

    /// The input `k` as typed (`null` when empty).
    fn opt(&self, k: &str) -> Value {
        let x = self.get(k);
        if x.is_empty() { Value::Null } else { json!(x) }
    }

    fn put(&mut self, k: &str, v: Value) {
        self.out.insert(k.into(), v);
    }

    /// The input `k` as typed, or `default` when empty.
    /// How the result is returned and, at the counter, who collected it.
    fn collector(&mut self) {
        self.put_or("via", "counter");
        if !matches!(self.get("via"), "" | "counter") {
            return;
        }
        if self.need("collector_name", "Cần ghi họ tên người nhận kết quả.")
            && let Err(e) = motcua_domain::dossier::CitizenId::parse(self.get("collector_id"))
        {
            self.error("collector_id", &e.message_vi());
        }
        let collector = json!({
            "name": self.get("collector_name"),
            "id_number": self.get("collector_id"),
            "on_behalf": !self.get("on_behalf").is_empty(),
        });
        self.put("collector", collector);
    }

    fn put_or(&mut self, k: &str, default: &str) {
        let x = match self.get(k) {
            "" => default.to_string(),
            x => x.to_string(),
        };
        self.put(k, json!(x));
    }

    fn reason(&mut self) {
        self.need("reason", "Vui lòng nhập lý do.");
        self.put("reason", json!(self.get("reason")));
    }

    fn supplement(&mut self) {
        self.reason();
        let items: Vec<String> = self
            .get("missing")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if items.is_empty() {
            self.error("missing", "Vui lòng liệt kê giấy tờ cần bổ sung.");
        }
        self.put("missing", json!(items));
    }

    async fn destination(&mut self, transfer: bool) {
        if self.need("to", "Vui lòng nhập mã cơ quan nhận.") {
            let to = self.get("to").to_string();
            if self.ctx.state.agency(&to).await.is_err() {
                let msg = format!("{} \"{to}\".", self.ctx.t("Không tìm thấy cơ quan có mã"));
                self.errors.insert("to", msg);
            }
        }
        self.put("to", json!(self.get("to")));
        if transfer {
            self.reason();
        }
    }

    fn assignment(&mut self, s: &DossierState) {
        match Uuid::parse_str(self.get("assignee")) {
            Ok(id) => self.put("assignee", json!(id)),
            Err(_) => self.error("assignee", "Vui lòng chọn người được phân công."),
        }
        let index = s.active_step.as_ref().map_or(s.next_step, |a| a.index);
        self.put("index", json!(index));
        if let Some(a) = &s.active_step {
            self.put("name", json!(a.name));
            self.put("role", json!(a.role));
        }
        if self.get("due").is_empty() {
            return;
        }
        match motcua_domain::vn_time::parse_day(self.get("due")).ok_or(()) {
            Ok(day) => {
                let at = day
                    .and_hms_opt(17, 0, 0)
                    .and_then(|t| {
                        t.and_local_timezone(motcua_domain::vn_time::offset())
                            .single()
                    })
                    .map(|t| t.with_timezone(&Utc));
                self.put("due", json!(at));
                self.out.entry("name").or_insert(json!("Xử lý hồ sơ"));
                self.out.entry("role").or_insert(json!("specialist"));
            }
            Err(_) => self.error("due", "Hạn xử lý không hợp lệ."),
        }
    }

    fn apology(&mut self) {
        self.reason();
        if !self.need("new_appointment", "Vui lòng chọn ngày hẹn trả mới.") {
            return;
        }
        // A day alone means the end of that working day (17:00).
        let raw = self.get("new_appointment");
        let local = vn_time::parse_day_time(raw)
            .or_else(|| vn_time::parse_day(raw).and_then(|d| d.and_hms_opt(17, 0, 0)));
        match local {
            Some(t) => self.put("new_appointment", json!(vn_time::to_utc(t))),
            None => self.error("new_appointment", "Ngày hẹn trả mới không hợp lệ."),
        }
    }

    fn fee(&mut self) {
        match self.get("amount_vnd").replace('.', "").parse::<u64>() {
            Ok(n) if n > 0 => self.put("amount_vnd", json!(n)),
            _ => self.error("amount_vnd", "Số tiền phải là số nguyên dương (đồng)."),
        }
        self.put_or("method", "cash");
        self.put("receipt_no", self.opt("receipt_no"));
    }
}

/// What the form's inputs are, checked for what is required, as the action's JSON fields.
async fn fields_from(
    ctx: &Ctx,
    action: &str,
    s: &DossierState,
    v: &HashMap<String, String>,
) -> Result<Value, HashMap<&'static str, String>> {
    let mut i = Input {
        ctx,
        v,
        out: serde_json::Map::new(),
        errors: HashMap::new(),
    };
    match action {
        "request_intake_supplement" | "request_supplement" => i.supplement(),
        "refuse" | "reject" | "stop" => i.reason(),
        "forward" | "transfer" => i.destination(action == "transfer").await,
        "assign_step" => i.assignment(s),
        "complete_step" => {
            let index = s.active_step.as_ref().map_or(s.next_step, |a| a.index);
            i.put("index", json!(index));
            i.put("note", i.opt("note"));
        }
        "approve" => i.put("note", i.opt("note")),
        "apologize" => i.apology(),
        "record_result" => {
            i.need("result_code", "Vui lòng nhập số, ký hiệu văn bản kết quả.");
            i.put("result_code", json!(i.get("result_code")));
            i.put("form", json!({"form": "paper"}));
        }
        "collect_fee" => i.fee(),
        "return_result" => i.collector(),
        _ => {}
    }
    if i.errors.is_empty() {
        Ok(Value::Object(i.out))
    } else {
        Err(i.errors)
    }
}

/// The input an error of the action is about, if one.
fn field_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "reason_required" => "reason",
        "missing_items_required" => "missing",
        "same_agency" | "unknown_agency" => "to",
        "new_appointment_not_later" | "appointment_passed" => "new_appointment",
        "result_code_required" | "result_file_required" => "result_code",
        "fee_amount_invalid" | "no_fee_due" => "amount_vnd",
        "due_required" | "step_due_not_after_assignment" | "no_such_step" => "due",
        "electronic_result_required" => "via",
        "collector_required" | "collector_name_required" => "collector_name",
        _ => return None,
    })
}

/// How a refused action comes back: the page for refusals that are not the form's (`Err`),
/// or the status with the message put next to its field, in the form or in the banner.
#[allow(clippy::result_large_err)] // the page itself, as `Ctx`'s gates return it
fn refused(ctx: &Ctx, sent: &mut Sent, e: ApiError) -> Result<StatusCode, Response> {
    match e {
        ApiError::Forbidden => Err(ctx.forbidden()),
        ApiError::NotFound(_) => Err(ctx.error(&e)),
        e if e.status().is_server_error() => Err(ctx.error(&e)),
        e if e.code() == "stale_dossier" => {
            sent.banner = Some(
                ctx.t("Hồ sơ vừa được người khác cập nhật, vui lòng tải lại trang và kiểm tra trước khi thực hiện lại.")
                    .to_string(),
            );
            Ok(StatusCode::CONFLICT)
        }
        e => match field_of(e.code()) {
            Some(f) => {
                sent.errors.insert(f, e.message_vi());
                Ok(StatusCode::UNPROCESSABLE_ENTITY)
            }
            None => {
                sent.form_error = Some(e.message_vi());
                if e.status() == StatusCode::CONFLICT {
                    Ok(StatusCode::CONFLICT)
                } else {
                    Ok(StatusCode::UNPROCESSABLE_ENTITY)
                }
            }
        },
    }
}

pub async fn act(
    Path((code, action)): Path<(String, String)>,
    Posted(ctx, caller, pairs, _): Posted<Vec<(String, String)>, Officer>,
) -> Response {
    let mut values: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        values.entry(k).or_insert(v);
    }
    let Some(action) = ACTIONS.iter().copied().find(|a| *a == action) else {
        return ctx.error(&ApiError::NotFound("thao tác"));
    };
    let row = match load(&ctx, &caller, &code).await {
        Ok(r) => r,
        Err(ApiError::Forbidden) => return ctx.forbidden(),
        Err(e) => return ctx.error(&e),
    };
    let s = match motcua_app::dossiers::state_of(&row) {
        Ok(s) => s,
        Err(e) => return ctx.error(&e),
    };
    let version = values
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let mut sent = Sent {
        action: action.to_string(),
        ..Default::default()
    };
    let status = match (version, fields_from(&ctx, action, &s, &values).await) {
        (None, _) => {
            sent.banner = Some(
                ctx.t("Biểu mẫu thiếu phiên bản hồ sơ. Vui lòng tải lại trang.")
                    .to_string(),
            );
            StatusCode::UNPROCESSABLE_ENTITY
        }
        (Some(_), Err(errors)) => {
            sent.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        (Some(version), Ok(mut fields)) => {
            fields["version"] = json!(version);
            match run_action(&ctx.state, &caller, &row.code, action, fields).await {
                Ok(()) => {
                    return Redirect::to(&format!("/ho-so/{}?ok={action}", row.code))
                        .into_response();
                }
                Err(e) => match refused(&ctx, &mut sent, e) {
                    Ok(status) => status,
                    Err(page) => return page,
                },
            }
        }
    };
    sent_back(&ctx, &caller, &code, sent, values, status).await
}

/// The answer to an action done elsewhere (the electronic result's upload): the dossier's
/// page with "done", or the page with the refusal next to the form as it was typed.
pub(super) async fn answer(
    ctx: &Ctx,
    caller: &Caller,
    code: &str,
    action: &'static str,
    values: HashMap<String, String>,
    outcome: Result<(), ApiError>,
) -> Response {
    let mut sent = Sent {
        action: action.to_string(),
        ..Default::default()
    };
    let status = match outcome {
        Ok(()) => return Redirect::to(&format!("/ho-so/{code}?ok={action}")).into_response(),
        Err(e) => match refused(ctx, &mut sent, e) {
            Ok(status) => status,
            Err(page) => return page,
        },
    };
    sent_back(ctx, caller, code, sent, values, status).await
}

/// The page as the dossier is now, with the form of the refused action as it was typed.
async fn sent_back(
    ctx: &Ctx,
    caller: &Caller,
    code: &str,
    mut sent: Sent,
    values: HashMap<String, String>,
    status: StatusCode,
) -> Response {
    sent.values = values;
    sent.values.remove("csrf");
    let row = match load(ctx, caller, code).await {
        Ok(r) => r,
        Err(e) => return ctx.error(&e),
    };
    let offered = sent.action.clone();
    let form_error = sent.form_error.clone();
    match build(ctx, caller, &row, Some(sent), None).await {
        Ok(mut t) => {
            // The action may no longer be offered (someone acted first): say it in the banner.
            if !t.actions.iter().any(|a| a.name == offered) && t.banner.is_none() {
                t.banner = Some(form_error.unwrap_or_else(|| {
                    ctx.t("Thao tác này không còn thực hiện được với hồ sơ ở trạng thái hiện tại.")
                        .to_string()
                }));
            }
            ctx.render_status(status, t)
        }
        Err(e) => ctx.error(&e),
    }
}
