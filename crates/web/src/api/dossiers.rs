//! Dossiers: intake, the full view with its timeline, every transition as an action, the work
//! queues, and the citizen's public look-up (no personal data).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use motcua_domain::auth::{Action, Principal, Role, Scope};
use motcua_domain::calendar::OfficeHours;
use motcua_domain::dossier::{
    Actor, Command, DossierAction, DossierState, allowed_roles, timeliness, vietnam_date,
};
use motcua_store::{Created, DbError, DossierQuery, DossierRow, QUEUE_COUNT_CAP};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope};
use crate::error::{ApiJson, ApiPath as Path, ApiQuery, ApiResult, AppError};
use crate::service::access_log::{self, Read, ReadOrigin};
use crate::service::calendar::{calendar_error, format_vn_instant};
use crate::service::dossiers::{self, CreateDossier, TimelineEntry};
use crate::state::AppState;

/// The dossier as staff and its owner see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DossierView {
    pub code: String,
    pub status: String,
    pub status_label: String,
    /// The version to name when acting on it (optimistic concurrency).
    pub version: i32,
    pub procedure_code: String,
    pub channel: String,
    pub applicant_name: String,
    /// The effective appointment (the current one moved later by the closed supplement
    /// pauses), Vietnam time, YYYY-MM-DDTHH:MM.
    pub appointment: Option<String>,
    /// The appointment given at receipt.
    pub original_appointment: Option<String>,
    /// Since when the clock is paused, waiting for the applicant's supplement.
    pub paused_since: Option<String>,
    pub received_at: Option<String>,
    #[schema(value_type = Object)]
    pub state: DossierState,
    pub timeline: Vec<TimelineEntry>,
}

fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("hồ sơ"),
        e => e.into(),
    }
}

async fn view(state: &AppState, row: &DossierRow) -> ApiResult<DossierView> {
    let s = dossiers::state_of(row)?;
    Ok(DossierView {
        code: row.code.clone(),
        status: row.status.as_str().to_string(),
        status_label: s.status.label_vi().to_string(),
        version: row.seq,
        procedure_code: row.procedure_code.clone(),
        channel: row.channel.key().to_string(),
        applicant_name: row.applicant_name.clone(),
        appointment: row.appointment.map(format_vn_instant),
        original_appointment: s.original_appointment.map(format_vn_instant),
        paused_since: row.paused_at.map(format_vn_instant),
        received_at: row.received_at.map(format_vn_instant),
        timeline: (*state
            .lookups
            .timeline(state.store.as_ref(), row.id, row.seq)
            .await?)
            .clone(),
        state: s,
    })
}

/// The role a caller acts in on a dossier of `scope`: the first role the action allows that
/// one of the caller's grants gives at that agency.
pub(crate) fn acting_role(
    p: &Principal,
    allowed: &[Role],
    scope: Scope<'_>,
    owner: Option<Uuid>,
    user: Uuid,
) -> Option<Role> {
    allowed.iter().copied().find(|role| match role {
        Role::Citizen => p.has_role(Role::Citizen) && owner.is_none_or(|o| o == user),
        Role::ReceivingOfficer => p.may(&Action::Receive(scope)),
        Role::Specialist => p.may(&Action::Process(scope)),
        Role::Leader => p.may(&Action::Approve(scope)),
        Role::Admin => false,
    })
}

/// The role a caller acts in for `action` on a dossier in state `s`: of the roles the action
/// allows and the caller holds at `scope`, the first the state machine accepts (a leader, who
/// may also process, reassigns a step as leader, not as specialist); failing all, the first
/// held, whose refusal is then the answer.
pub(crate) fn acting_role_for(
    p: &Principal,
    allowed: &[Role],
    scope: Scope<'_>,
    s: &motcua_domain::dossier::DossierState,
    user: Uuid,
    action: &DossierAction,
    at: chrono::DateTime<Utc>,
) -> Option<Role> {
    let held: Vec<Role> = allowed
        .iter()
        .copied()
        .filter(|r| acting_role(p, &[*r], scope, s.owner, user).is_some())
        .collect();
    held.iter()
        .copied()
        .find(|&role| {
            let command = Command {
                actor: Actor { user, role },
                at,
                action: action.clone(),
            };
            motcua_domain::dossier::decide(s, &command).is_ok()
        })
        .or(held.first().copied())
}

/// Lodge a dossier: at the counter or by post (receiving officers; received at once with its
/// appointment) or online (citizens; waits for the officer's check). Retries by the same caller
/// with the same `Idempotency-Key` and body return the first dossier; the same key with another
/// body is 422 `idempotency_key_reused`. Keys are per caller: another account's same key is
/// another key.
#[utoipa::path(post, path = "/dossiers", tag = "dossiers", request_body = CreateDossier, security(("bearer" = [])),
    responses((status = 201, body = DossierView), (status = 200, body = DossierView, description = "idempotent retry"),
        (status = 403, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody),
        (status = 429, body = crate::error::ApiErrorBody, description = "submission_limit: a citizen's online submissions per hour")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CreateDossier>,
) -> ApiResult<(StatusCode, Json<DossierView>)> {
    let agency = crate::api::agencies::agency_by_code(&state, input.agency.trim())
        .await
        .map_err(|_| {
            AppError::invalid(
                "unknown_agency",
                format!("Không tìm thấy cơ quan có mã \"{}\".", input.agency),
            )
        })?;
    let scope = ResolvedScope::of(&state, agency.id).await?;
    let principal = caller.principal();
    let role = if input.channel == "online" {
        principal.has_role(Role::Citizen).then_some(Role::Citizen)
    } else {
        principal
            .may(&Action::Receive(scope.scope()))
            .then_some(Role::ReceivingOfficer)
    }
    .ok_or(AppError::Forbidden)?;
    if role == Role::Citizen {
        dossiers::check_submission_limit(
            state.store.as_ref(),
            caller.user.id,
            state.config.citizen_submissions_per_hour,
        )
        .await?;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let calendar = state.calendar.get(state.store.as_ref()).await?;
    let actor = Actor {
        user: caller.user.id,
        role,
    };
    let created = dossiers::create(
        state.store.as_ref(),
        &state.lookups,
        &calendar,
        actor,
        input,
        key.as_deref(),
    )
    .await?;
    let (status, code) = match created {
        Created::New(code) => (StatusCode::CREATED, code),
        Created::Existing(code) => (StatusCode::OK, code),
    };
    let row = state.store.dossier_by_code(&code).await?;
    if status == StatusCode::OK {
        // A replay returns only what the caller may still read.
        readable(&state, &caller, &row).await?;
    }
    Ok((status, Json(view(&state, &row).await?)))
}

/// A step goes to staff who work the dossier at its agency, never to a citizen or to staff of
/// another agency.
async fn assignable(state: &AppState, assignee: Uuid, scope: &ResolvedScope) -> ApiResult<()> {
    let user = state.store.get_user(assignee).await.map_err(|e| match e {
        DbError::NotFound => AppError::invalid(
            "unknown_assignee",
            "Không tìm thấy tài khoản được giao xử lý bước này.",
        ),
        e => e.into(),
    })?;
    let p = Principal {
        grants: user.grants.clone(),
    };
    let s = scope.scope();
    if user.disabled
        || !(p.may(&Action::Process(s)) || p.may(&Action::Approve(s)) || p.may(&Action::Receive(s)))
    {
        return Err(AppError::invalid(
            "assignee_not_staff",
            "Chỉ giao bước xử lý cho cán bộ của cơ quan đang giải quyết hồ sơ.",
        ));
    }
    Ok(())
}

pub(crate) async fn readable(state: &AppState, caller: &Caller, row: &DossierRow) -> ApiResult<()> {
    let scope = ResolvedScope::of(state, row.agency_id).await?;
    let intake = ResolvedScope::of(state, row.intake_agency_id).await?;
    let p = caller.principal();
    let owner = dossiers::state_of(row)?.owner;
    if p.may(&Action::Oversee(scope.scope()))
        || p.may(&Action::Oversee(intake.scope()))
        || owner == Some(caller.user.id)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A dossier with its timeline (staff of the agencies it went through; the citizen who lodged
/// it). A staff read is recorded in the personal data access log.
#[utoipa::path(get, path = "/dossiers/{code}", tag = "dossiers", security(("bearer" = [])),
    responses((status = 200, body = DossierView), (status = 403, body = crate::error::ApiErrorBody),
        (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    origin: ReadOrigin,
    Path(code): Path<String>,
) -> ApiResult<axum::response::Response> {
    let row = state
        .store
        .dossier_by_code(&code)
        .await
        .map_err(not_found)?;
    readable(&state, &caller, &row).await?;
    access_log::record(&state, &caller, &row, Read::Dossier, &origin).await?;
    let body = state
        .lookups
        .view_json(row.id, row.seq, async {
            serde_json::to_vec(&view(&state, &row).await?)
                .map(Into::into)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )))
}

/// Act on a dossier. The body names the `version` the caller saw (409 if it moved) and the
/// action's fields (see the state machine: `forward {to}`, `assign_step {index, name, role,
/// assignee, due}`, `complete_step {index}`, `request_supplement {reason, missing}`,
/// `apologize {reason, new_appointment}`, `approve {}`, `reject {reason}`, `record_result
/// {result_code, form}`, `collect_fee {amount_vnd, method}`, `return_result {via}`, `withdraw`,
/// ...). `receive` needs no fields: the appointment comes from the calendar.
#[utoipa::path(post, path = "/dossiers/{code}/actions/{action}", tag = "dossiers", request_body = Object,
    security(("bearer" = [])),
    responses((status = 200, body = DossierView), (status = 403, body = crate::error::ApiErrorBody),
        (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, action)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<DossierView>> {
    let row = state
        .store
        .dossier_by_code(&code)
        .await
        .map_err(not_found)?;
    let mut fields = match body {
        serde_json::Value::Object(m) => m,
        _ => {
            return Err(AppError::invalid(
                "invalid_body",
                "Nội dung phải là một đối tượng JSON.",
            ));
        }
    };
    let version = match fields.remove("version") {
        None => {
            return Err(AppError::invalid(
                "version_required",
                "Cần ghi phiên bản hồ sơ (version) đã xem khi thao tác.",
            ));
        }
        // Never truncated: 4294967298 is not version 2.
        Some(v) => v
            .as_u64()
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| {
                AppError::invalid(
                    "invalid_version",
                    "Phiên bản hồ sơ (version) phải là số nguyên không âm hợp lệ.",
                )
            })?,
    };
    let mut cleaned = serde_json::Value::Object(fields);
    dossiers::clean_input(&mut cleaned)?;
    let serde_json::Value::Object(mut fields) = cleaned else {
        unreachable!("cleaning keeps an object")
    };
    let current = dossiers::state_of(&row)?;
    let calendar = state.calendar.get(state.store.as_ref()).await?;
    let hours = match &current.agency {
        Some(_) => (*state
            .lookups
            .office_hours(state.store.as_ref(), row.agency_id)
            .await?)
            .clone(),
        None => OfficeHours::default(),
    };
    let now = Utc::now();
    // What the state machine needs from the calendar comes from the service, not the client.
    match action.as_str() {
        "receive" => {
            // The version the dossier was lodged under, not a later amendment.
            let procedure = crate::service::catalogue::record_version(
                state.store.as_ref(),
                &row.procedure_code,
                row.procedure_version,
            )
            .await?;
            let channel = current
                .channel
                .unwrap_or(motcua_domain::catalogue::Channel::Online);
            let appointment = dossiers::appointment(&calendar, &hours, &procedure, channel, now)?;
            fields.insert(
                "appointment".into(),
                serde_json::to_value(appointment).expect("instant"),
            );
            fields.entry("fee_due_vnd").or_insert(serde_json::json!(0));
        }
        "assign_step" if !fields.contains_key("due") => {
            // The step's deadline is its share of the statutory time in the agency's workflow.
            let index = fields
                .get("index")
                .and_then(|v| v.as_u64())
                .unwrap_or(u64::from(current.next_step)) as usize;
            let workflow = state.store.applied_workflow(&row.procedure_code, row.agency_id).await.map_err(|e| match e {
                DbError::NotFound => AppError::invalid(
                    "due_required",
                    "Cơ quan chưa có quy trình nội bộ cho thủ tục này: cần ghi hạn xử lý (due) của bước.",
                ),
                e => e.into(),
            })?;
            let workflow: motcua_domain::workflow::Workflow = serde_json::from_str(&workflow)
                .map_err(|e| AppError::Internal(format!("stored workflow: {e}")))?;
            let step = workflow.steps.get(index).ok_or_else(|| {
                AppError::invalid(
                    "no_such_step",
                    format!("Quy trình nội bộ không có bước {}.", index + 1),
                )
            })?;
            let procedure = crate::service::catalogue::record_version(
                state.store.as_ref(),
                &row.procedure_code,
                row.procedure_version,
            )
            .await?;
            let unit_minutes =
                match crate::service::catalogue::statutory_time(&procedure).map(|(_, u)| u) {
                    Some(
                        motcua_domain::catalogue::TimeUnit::WorkingHours
                        | motcua_domain::catalogue::TimeUnit::Hours,
                    ) => 60,
                    _ => hours.minutes_per_day(),
                };
            let clock = calendar.clock(&hours);
            let due = clock
                .add_working_minutes(now, i64::from(step.share) * unit_minutes / 100)
                .map_err(calendar_error)?;
            fields.insert("due".into(), serde_json::to_value(due).expect("instant"));
            fields
                .entry("name")
                .or_insert_with(|| serde_json::Value::String(step.name.clone()));
            fields
                .entry("role")
                .or_insert_with(|| serde_json::to_value(step.role).expect("role"));
            fields.entry("index").or_insert(serde_json::json!(index));
        }
        "apologize" => {
            let clock = calendar.clock(&hours);
            let due =
                timeliness::effective_appointment(&clock, &current).map_err(calendar_error)?;
            fields.insert(
                "current_due".into(),
                serde_json::to_value(due).expect("instant"),
            );
        }
        _ => {}
    }
    if action == "attach_document" {
        // A file is attached with its bytes, through the documents endpoints.
        return Err(AppError::invalid(
            "use_documents_api",
            format!(
                "Tệp được đính kèm qua /api/v1/dossiers/{code}/documents (tải lên) hoặc .../documents/reuse (sử dụng lại)."
            ),
        ));
    }
    fields.insert("action".into(), serde_json::Value::String(action.clone()));
    let parsed: DossierAction =
        serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| {
            AppError::InvalidDetail {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_action",
                message: format!("Thao tác \"{action}\" không hợp lệ hoặc thiếu thông tin."),
                detail: e.to_string(),
            }
        })?;
    // The one-stop counter acts where the dossier was lodged; handlers where it is now.
    let counter_action = matches!(
        action.as_str(),
        "receive"
            | "request_intake_supplement"
            | "refuse"
            | "forward"
            | "return_result"
            | "collect_fee"
            | "withdraw"
            | "provide_supplement"
    );
    let scope = ResolvedScope::of(
        &state,
        if counter_action {
            row.intake_agency_id
        } else {
            row.agency_id
        },
    )
    .await?;
    let role = acting_role_for(
        &caller.principal(),
        allowed_roles(&parsed),
        scope.scope(),
        &current,
        caller.user.id,
        &parsed,
        now,
    )
    .ok_or(AppError::Forbidden)?;
    let command = Command {
        actor: Actor {
            user: caller.user.id,
            role,
        },
        at: now,
        action: parsed,
    };
    if let DossierAction::AssignStep { assignee, .. } = &command.action {
        assignable(&state, *assignee, &scope).await?;
    }
    dossiers::act(state.store.as_ref(), &calendar, &row, version, command).await?;
    let row = state.store.dossier_by_code(&code).await?;
    Ok(Json(view(&state, &row).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    /// Agency code (default: every agency the caller works for).
    pub agency: Option<String>,
    /// Comma-separated statuses, e.g. `received,processing`.
    pub status: Option<String>,
    /// Only dossiers already past their appointment.
    pub overdue: Option<bool>,
    /// Only dossiers due by the end of the next working day (soon late), overdue ones included.
    pub due_soon: Option<bool>,
    /// Only dossiers whose current step is assigned to me.
    pub mine: Option<bool>,
    /// Also refused, stopped, returned and withdrawn dossiers (default: open ones only).
    pub include_closed: Option<bool>,
    /// Only dossiers due before this instant (Vietnam time, YYYY-MM-DDTHH:MM).
    pub due_before: Option<String>,
    /// Code or applicant name, with or without diacritics.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Queue {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<DossierRow>,
    /// Matches, counted up to 10,000.
    pub total: i64,
    /// More than `total` match.
    pub more: bool,
}

/// Work queues: an agency's dossiers by status and due date.
#[utoipa::path(get, path = "/dossiers", params(QueueParams), tag = "dossiers", security(("bearer" = [])),
    responses((status = 200, body = Queue), (status = 403, body = crate::error::ApiErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> ApiResult<Json<Queue>> {
    let principal = caller.principal();
    let agencies: Vec<Uuid> = match &p.agency {
        Some(code) => {
            let a = crate::api::agencies::agency_by_code(&state, code).await?;
            let scope = ResolvedScope::of(&state, a.id).await?;
            if !principal.may(&Action::Oversee(scope.scope())) {
                return Err(AppError::Forbidden);
            }
            vec![a.id]
        }
        None => {
            let mine: Vec<Uuid> = caller
                .user
                .grants
                .iter()
                .filter(|g| g.role.is_staff())
                .filter_map(|g| g.agency)
                .collect();
            if mine.is_empty() {
                return Err(AppError::Forbidden);
            }
            mine
        }
    };
    let mut due_before = p
        .due_before
        .as_deref()
        .map(crate::service::calendar::parse_vn_instant)
        .transpose()?;
    if p.due_soon == Some(true) {
        let calendar = state.calendar.get(state.store.as_ref()).await?;
        let today = vietnam_date(Utc::now());
        let next = calendar
            .add_working_days(today, 1)
            .map_err(crate::service::calendar::calendar_error)?;
        let end = next
            .succ_opt()
            .unwrap_or(next)
            .and_hms_opt(0, 0, 0)
            .and_then(|t| {
                t.and_local_timezone(motcua_domain::vn_time::offset())
                    .single()
            })
            .map(|t| t.with_timezone(&Utc));
        due_before = end;
    }
    if p.overdue == Some(true) {
        due_before = Some(Utc::now());
    }
    let statuses = p
        .status
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let page = state
        .store
        .list_dossiers(&DossierQuery {
            agencies,
            statuses,
            due_before,
            q: p.q
                .map(|q| motcua_domain::text::fold_ascii(&q))
                .filter(|q| !q.is_empty()),
            assignee: (p.mine == Some(true)).then_some(caller.user.id),
            include_closed: p.include_closed == Some(true),
            limit: p.limit.unwrap_or(50).clamp(1, 500),
            offset: p.offset.unwrap_or(0).max(0),
        })
        .await?;
    Ok(Json(Queue {
        items: page.items,
        total: page.total.min(QUEUE_COUNT_CAP),
        more: page.total > QUEUE_COUNT_CAP,
    }))
}

/// What anyone may see of a dossier by its code: no personal data.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicDossier {
    pub code: String,
    pub status_label: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub appointment: Option<String>,
    /// The applicant's name with only initials shown.
    pub applicant: String,
    pub timeline: Vec<PublicEvent>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicEvent {
    pub at: String,
    pub label: String,
}

fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) => {
            let mut s: String = rest
                .iter()
                .filter_map(|w| w.chars().next())
                .map(|c| format!("{c}. "))
                .collect();
            s.push_str(last);
            s
        }
        None => String::new(),
    }
}

/// The citizen's look-up by code (status, procedure, appointment, timeline).
#[utoipa::path(get, path = "/public/dossiers/{code}", tag = "dossiers",
    responses((status = 200, body = PublicDossier), (status = 404, body = crate::error::ApiErrorBody),
        (status = 429, body = crate::error::ApiErrorBody)))]
pub async fn public(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> ApiResult<Json<PublicDossier>> {
    if let Err(wait) = state.lookup_limiter.check(state.store.as_ref(), ip).await {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let row = state
        .store
        .dossier_by_code(code.trim())
        .await
        .map_err(not_found)?;
    let s = dossiers::state_of(&row)?;
    let procedure_name = state
        .lookups
        .in_force(
            state.store.as_ref(),
            &row.procedure_code,
            vietnam_date(chrono::Utc::now()),
        )
        .await
        .map(|p| p.procedure.name.clone())
        .unwrap_or_default();
    let timeline = state
        .lookups
        .timeline(state.store.as_ref(), row.id, row.seq)
        .await?
        .iter()
        .map(|t| PublicEvent {
            at: t.at.clone(),
            label: t.label.clone(),
        })
        .collect();
    Ok(Json(PublicDossier {
        code: row.code,
        status_label: s.status.label_vi().to_string(),
        procedure_code: row.procedure_code,
        procedure_name,
        appointment: row.appointment.map(format_vn_instant),
        applicant: initials(&row.applicant_name),
        timeline,
    }))
}
