//! Acting on dossiers, as the API, the web pages and the CLI all do it: lodging, reading (who
//! may, and the view), the typed action requests with what the calendar fills in
//! (appointments, step deadlines, the current due date of an apology), the role a caller acts
//! in and at which agency, and attaching documents. One list says which actions belong to the
//! one-stop counter ([`at_intake`]).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use motcua_domain::auth::{Action, Principal, Role, Scope};
use motcua_domain::calendar::OfficeHours;
use motcua_domain::catalogue::{Channel, TimeUnit};
use motcua_domain::dossier::{
    Actor, Command, DossierAction, DossierState, ReturnChannel, allowed_roles, timeliness,
};
use motcua_store::{Agency, Created, DbError, DossierRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope};
use crate::calendar::{calendar_error, format_vn_instant};
use crate::documents::{self as docs, Attached, ReuseInput};
use crate::dossiers::{self, CreateDossier, TimelineEntry};
use crate::error::AppError;
use crate::state::App;

/// The dossier as staff and its owner see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// What anyone may see of a dossier by its code: no personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// Whether an action belongs to the one-stop counter, and is so authorised where the dossier
/// was lodged; every other action is authorised where the dossier is now. The API, the pages
/// and their action lists all ask this.
pub fn at_intake(action: &DossierAction) -> bool {
    use DossierAction as A;
    matches!(
        action,
        A::Receive { .. }
            | A::RequestIntakeSupplement { .. }
            | A::Refuse { .. }
            | A::Forward { .. }
            | A::ReturnResult { .. }
            | A::RecordPostage { .. }
            | A::CollectFee { .. }
            | A::AdjustFee { .. }
            | A::RefundFee { .. }
            | A::Withdraw { .. }
            | A::ProvideSupplement { .. }
    )
}

/// An action asked of a dossier. The three whose data the service computes take only what
/// the caller chooses; every other is the state machine's action as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum ActRequest {
    /// Receive after the check: the appointment comes from the calendar.
    Receive { fee_due_vnd: u64 },
    /// Start (or reassign) a step. Without `due`, the deadline (and the name, role and index
    /// when absent) come from the agency's internal workflow.
    AssignStep {
        index: Option<u32>,
        name: Option<String>,
        role: Option<Role>,
        assignee: Uuid,
        due: Option<DateTime<Utc>>,
    },
    /// Apologise and extend: the current due date comes from the calendar.
    Apologize {
        reason: String,
        new_appointment: DateTime<Utc>,
    },
    /// Any other action.
    Other(Box<DossierAction>),
}

/// The fields of `receive` a caller may send (the appointment sent is ignored: the calendar's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiveFields {
    #[serde(default)]
    fee_due_vnd: u64,
    #[serde(default, rename = "appointment")]
    _appointment: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignFields {
    index: Option<u32>,
    name: Option<String>,
    role: Option<Role>,
    assignee: Uuid,
    due: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApologizeFields {
    reason: String,
    new_appointment: DateTime<Utc>,
    #[serde(default, rename = "current_due")]
    _current_due: Option<serde_json::Value>,
}

impl ActRequest {
    /// The version the caller saw and the request, from an action's JSON body (the API's,
    /// and the pages' forms): `version` with the action's fields.
    pub fn from_body(action: &str, body: serde_json::Value) -> Result<(i32, Self), AppError> {
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
        Ok((version, Self::parse(action, fields)?))
    }

    /// The request of `action` with its fields (a JSON object, texts already cleaned): 422
    /// `invalid_action` naming what is wrong, `use_documents_api` for a file.
    pub fn parse(
        action: &str,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, AppError> {
        let mut cleaned = serde_json::Value::Object(fields);
        dossiers::clean_input(&mut cleaned)?;
        let serde_json::Value::Object(mut fields) = cleaned else {
            unreachable!("cleaning keeps an object")
        };
        fields.remove("action");
        let invalid = |e: serde_json::Error| AppError::Invalid {
            kind: crate::InvalidKind::Unprocessable,
            code: "invalid_action",
            message: format!("Thao tác \"{action}\" không hợp lệ hoặc thiếu thông tin."),
            field: None,
            detail: Some(e.to_string()),
        };
        let value = |fields| serde_json::Value::Object(fields);
        match action {
            "receive" => {
                let f: ReceiveFields = serde_json::from_value(value(fields)).map_err(invalid)?;
                Ok(ActRequest::Receive {
                    fee_due_vnd: f.fee_due_vnd,
                })
            }
            "assign_step" => {
                let f: AssignFields = serde_json::from_value(value(fields)).map_err(invalid)?;
                Ok(ActRequest::AssignStep {
                    index: f.index,
                    name: f.name,
                    role: f.role,
                    assignee: f.assignee,
                    due: f.due,
                })
            }
            "apologize" => {
                let f: ApologizeFields = serde_json::from_value(value(fields)).map_err(invalid)?;
                Ok(ActRequest::Apologize {
                    reason: f.reason,
                    new_appointment: f.new_appointment,
                })
            }
            // A file is attached with its bytes ([`App::upload_document`]).
            "attach_document" => Err(AppError::invalid(
                "use_documents_api",
                "Tệp được đính kèm bằng cách tải lên hoặc sử dụng lại giấy tờ đã số hóa.",
            )),
            _ => {
                fields.insert("action".into(), serde_json::Value::String(action.into()));
                serde_json::from_value(value(fields))
                    .map(|a| ActRequest::Other(Box::new(a)))
                    .map_err(invalid)
            }
        }
    }
}

/// `NotFound("hồ sơ")` for a missing dossier.
pub fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("hồ sơ"),
        e => e.into(),
    }
}

/// The role a caller acts in on a dossier of `scope`: the first role the action allows that
/// one of the caller's grants gives at that agency.
pub fn acting_role(
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
        // Partners only lodge ([`App::lodge`]); they act on nothing after.
        Role::Admin | Role::Partner => false,
    })
}

/// The role a caller acts in for `action` on a dossier in state `s`: of the roles the action
/// allows and the caller holds at `scope`, the first the state machine accepts (a leader, who
/// may also process, reassigns a step as leader, not as specialist); failing all, the first
/// held, whose refusal is then the answer.
pub fn acting_role_for(
    p: &Principal,
    scope: Scope<'_>,
    s: &DossierState,
    user: Uuid,
    action: &DossierAction,
    at: DateTime<Utc>,
) -> Option<Role> {
    let held: Vec<Role> = allowed_roles(action)
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

impl App {
    /// What anyone may see of the dossier `code` (no personal data), within the look-up limit
    /// of the address `ip`.
    pub async fn public_dossier(
        &self,
        ip: Option<std::net::IpAddr>,
        code: &str,
    ) -> Result<PublicDossier, AppError> {
        if let Err(wait) = self.lookup_limiter.check(self.store.as_ref(), ip).await {
            return Err(AppError::TooManyRequests {
                retry_after_secs: wait,
            });
        }
        let row = self
            .store
            .dossier_by_code(code.trim())
            .await
            .map_err(not_found)?;
        let s = dossiers::state_of(&row)?;
        let procedure_name = self
            .lookups
            .in_force(
                self.store.as_ref(),
                &row.procedure_code,
                motcua_domain::dossier::vietnam_date(chrono::Utc::now()),
            )
            .await
            .map(|p| p.procedure.name.clone())
            .unwrap_or_default();
        let timeline = self
            .lookups
            .timeline(self.store.as_ref(), row.id, row.seq)
            .await?
            .iter()
            .map(|t| PublicEvent {
                at: t.at.clone(),
                label: t.label.clone(),
            })
            .collect();
        Ok(PublicDossier {
            code: row.code,
            status_label: s.status.label_vi().to_string(),
            procedure_code: row.procedure_code,
            procedure_name,
            appointment: row.appointment.map(format_vn_instant),
            applicant: initials(&row.applicant_name),
            timeline,
        })
    }

    /// The agency of `code` (remembered for a few seconds): 404 when there is none.
    pub async fn agency(&self, code: &str) -> Result<Agency, AppError> {
        match self.lookups.agency(self.store.as_ref(), code).await? {
            Some(a) => Ok((*a).clone()),
            None => Err(AppError::NotFound("cơ quan")),
        }
    }

    /// The dossier of `code`: 404 when there is none.
    pub async fn dossier(&self, code: &str) -> Result<DossierRow, AppError> {
        self.store.dossier_by_code(code).await.map_err(not_found)
    }

    /// Whether `caller` may read `row`: staff overseeing the agency it is at or was lodged
    /// at, its owner, and the partner that lodged it (whose reads the access log keeps).
    pub async fn readable(&self, caller: &Caller, row: &DossierRow) -> Result<(), AppError> {
        let scope = ResolvedScope::of(self, row.agency_id).await?;
        let intake = ResolvedScope::of(self, row.intake_agency_id).await?;
        let p = caller.principal();
        let (owner, partner) = dossiers::accounts_of(row)?;
        if p.may(&Action::Oversee(scope.scope()))
            || p.may(&Action::Oversee(intake.scope()))
            || owner == Some(caller.user.id)
            || partner == Some(caller.user.id)
        {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The view of a dossier, with its timeline.
    pub async fn view(&self, row: &DossierRow) -> Result<DossierView, AppError> {
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
            timeline: (*self
                .lookups
                .timeline(self.store.as_ref(), row.id, row.seq)
                .await?)
                .clone(),
            state: s,
        })
    }

    /// The view of a dossier as JSON, built once per version.
    pub async fn view_json(&self, row: &DossierRow) -> Result<Bytes, AppError> {
        self.lookups
            .view_json(row.id, row.seq, async {
                serde_json::to_vec(&self.view(row).await?)
                    .map(Into::into)
                    .map_err(|e| AppError::Internal(e.to_string()))
            })
            .await
    }

    /// Lodges a dossier: online by a citizen (within the hourly limit), at the counter or by
    /// post by a receiving officer of the agency, by post by a partner whose grant reaches the
    /// agency (it waits for its papers and the officer's check). Returns whether it is new (an idempotent
    /// retry is not) and the dossier; a retry returns only what the caller may still read.
    pub async fn lodge(
        &self,
        caller: &Caller,
        input: CreateDossier,
        idempotency: Option<&str>,
    ) -> Result<(bool, DossierRow), AppError> {
        let agency = self.agency(input.agency.trim()).await.map_err(|_| {
            AppError::invalid(
                "unknown_agency",
                format!("Không tìm thấy cơ quan có mã \"{}\".", input.agency),
            )
        })?;
        let scope = ResolvedScope::of(self, agency.id).await?;
        let principal = caller.principal();
        let role = if input.channel == "online" {
            principal.has_role(Role::Citizen).then_some(Role::Citizen)
        } else if principal.may(&Action::Receive(scope.scope())) {
            Some(Role::ReceivingOfficer)
        } else if principal.may(&Action::LodgeFor(scope.scope())) {
            // A partner (post office) lodges by post, for a citizen who authorised it.
            if input.channel != "postal" {
                return Err(AppError::field(
                    "partner_postal_only",
                    "channel",
                    "Đối tác nộp hồ sơ thay công dân qua dịch vụ bưu chính: cách thức nộp là \
                     \"postal\".",
                ));
            }
            Some(Role::Partner)
        } else {
            None
        }
        .ok_or(AppError::Forbidden)?;
        if role == Role::Citizen {
            dossiers::check_submission_limit(
                self.store.as_ref(),
                caller.user.id,
                self.config.citizen_submissions_per_hour,
            )
            .await?;
        }
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let actor = Actor {
            user: caller.user.id,
            role,
        };
        let created = dossiers::create(
            self.store.as_ref(),
            &self.lookups,
            &calendar,
            actor,
            input,
            idempotency,
        )
        .await?;
        let (fresh, code) = match created {
            Created::New(code) => (true, code),
            Created::Existing(code) => (false, code),
        };
        let row = self.store.dossier_by_code(&code).await?;
        if !fresh {
            self.readable(caller, &row).await?;
        }
        Ok((fresh, row))
    }

    /// Lodges a paper dossier for the check without receiving it (the desk's supplement
    /// request or refusal), by a receiving officer of the agency.
    pub async fn lodge_for_check(
        &self,
        caller: &Caller,
        input: CreateDossier,
    ) -> Result<DossierRow, AppError> {
        let agency = self.agency(input.agency.trim()).await?;
        let scope = ResolvedScope::of(self, agency.id).await?;
        if !caller.principal().may(&Action::Receive(scope.scope())) {
            return Err(AppError::Forbidden);
        }
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let actor = Actor {
            user: caller.user.id,
            role: Role::ReceivingOfficer,
        };
        let created =
            dossiers::lodge_for_check(self.store.as_ref(), &self.lookups, &calendar, actor, input)
                .await?;
        let (Created::New(code) | Created::Existing(code)) = created;
        Ok(self.store.dossier_by_code(&code).await?)
    }

    /// Acts on the dossier `code` as `caller`, who saw it at `version`: fills in what the
    /// calendar decides, authorises at the counter or at the current agency ([`at_intake`]),
    /// checks an assignee, and runs the state machine. Returns the dossier after.
    pub async fn act(
        &self,
        caller: &Caller,
        code: &str,
        version: i32,
        request: ActRequest,
    ) -> Result<DossierRow, AppError> {
        let row = self.dossier(code).await?;
        let current = dossiers::state_of(&row)?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let hours = match &current.agency {
            Some(_) => (*self
                .lookups
                .office_hours(self.store.as_ref(), row.agency_id)
                .await?)
                .clone(),
            None => OfficeHours::default(),
        };
        let now = Utc::now();
        let action = self
            .complete(&row, &current, &calendar, &hours, now, request)
            .await?;
        let scope = ResolvedScope::of(
            self,
            if at_intake(&action) {
                row.intake_agency_id
            } else {
                row.agency_id
            },
        )
        .await?;
        let role = acting_role_for(
            &caller.principal(),
            scope.scope(),
            &current,
            caller.user.id,
            &action,
            now,
        )
        .ok_or(AppError::Forbidden)?;
        if let DossierAction::AssignStep { assignee, .. } = &action {
            self.assignable(*assignee, &scope).await?;
        }
        if let Some(done) = self.fee_action(caller, &row, version, &action).await {
            return done;
        }
        let command = Command {
            actor: Actor {
                user: caller.user.id,
                role,
            },
            at: now,
            action,
        };
        // A result handed over at the counter records who collected it (histories imported
        // from before have none, so the rule is this service's, after the state machine's).
        if let DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        } = &command.action
        {
            motcua_domain::dossier::decide(&current, &command).map_err(dossiers::domain_error)?;
            return Err(AppError::field(
                "collector_required",
                "collector",
                "Trả kết quả tại Bộ phận Một cửa cần ghi họ tên và số định danh cá nhân của người \
                 nhận kết quả.",
            ));
        }
        dossiers::act(self.store.as_ref(), &calendar, &row, version, command).await?;
        self.store.dossier_by_code(code).await.map_err(Into::into)
    }

    /// Fees go through the payment service, one way only: `collect_fee` (cash or transfer at
    /// the counter) is the payment's counter record (exact amount, numbered receipt, the
    /// dossier's `fee_collected` in the same transaction); fee adjustments and refunds have
    /// their own payment commands. `None` for any other action.
    async fn fee_action(
        &self,
        caller: &Caller,
        row: &DossierRow,
        version: i32,
        action: &DossierAction,
    ) -> Option<Result<DossierRow, AppError>> {
        use motcua_domain::dossier::PaymentMethod;
        let (amount_vnd, method, receipt_no) = match action {
            DossierAction::CollectFee {
                amount_vnd,
                method,
                receipt_no,
            } => (*amount_vnd, *method, receipt_no.clone()),
            DossierAction::AdjustFee { .. } | DossierAction::RefundFee { .. } => {
                return Some(Err(AppError::invalid(
                    "use_payments_api",
                    "Điều chỉnh hoặc hoàn trả phí, lệ phí thực hiện ở trang thu phí của hồ sơ.",
                )));
            }
            _ => return None,
        };
        let method = match method {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            // Recorded from the gateway's verified confirmation, never because someone says so.
            PaymentMethod::Online => {
                return Some(Err(dossiers::domain_error(
                    motcua_domain::dossier::DossierError::PaymentMethodNotAllowed,
                )));
            }
        };
        if row.seq != version {
            return Some(Err(dossiers::stale()));
        }
        let input = crate::payments::CounterPaymentInput {
            method: method.to_owned(),
            amount_vnd,
            receipt_no,
        };
        Some(
            match self.record_counter_payment(caller, &row.code, input).await {
                Ok(_) => self
                    .store
                    .dossier_by_code(&row.code)
                    .await
                    .map_err(Into::into),
                Err(e) => Err(e),
            },
        )
    }

    /// The state machine's action of a request: what the service computes comes from the
    /// calendar and the agency's workflow, not the client.
    async fn complete(
        &self,
        row: &DossierRow,
        current: &DossierState,
        calendar: &motcua_domain::calendar::Calendar,
        hours: &OfficeHours,
        now: DateTime<Utc>,
        request: ActRequest,
    ) -> Result<DossierAction, AppError> {
        Ok(match request {
            ActRequest::Receive { fee_due_vnd } => {
                // The version the dossier was lodged under, not a later amendment.
                let procedure = crate::catalogue::record_version(
                    self.store.as_ref(),
                    &row.procedure_code,
                    row.procedure_version,
                )
                .await?;
                let channel = current.channel.unwrap_or(Channel::Online);
                let appointment = dossiers::appointment(calendar, hours, &procedure, channel, now)?;
                DossierAction::Receive {
                    appointment,
                    fee_due_vnd,
                }
            }
            ActRequest::AssignStep {
                index,
                name,
                role,
                assignee,
                due: Some(due),
            } => {
                let missing = |what: &str| AppError::Invalid {
                    kind: crate::InvalidKind::Unprocessable,
                    code: "invalid_action",
                    message: "Thao tác \"assign_step\" không hợp lệ hoặc thiếu thông tin.".into(),
                    field: None,
                    detail: Some(format!("missing field `{what}`")),
                };
                DossierAction::AssignStep {
                    index: index.ok_or_else(|| missing("index"))?,
                    name: name.ok_or_else(|| missing("name"))?,
                    role: role.ok_or_else(|| missing("role"))?,
                    assignee,
                    due,
                }
            }
            ActRequest::AssignStep {
                index,
                name,
                role,
                assignee,
                due: None,
            } => {
                let index = index.unwrap_or(current.next_step);
                let (step_name, step_role, due) = self
                    .step_due(row, calendar, hours, now, index as usize)
                    .await?;
                DossierAction::AssignStep {
                    index,
                    name: name.unwrap_or(step_name),
                    role: role.unwrap_or(step_role),
                    assignee,
                    due,
                }
            }
            ActRequest::Apologize {
                reason,
                new_appointment,
            } => {
                let clock = calendar.clock(hours);
                let current_due = timeliness::effective_appointment(&clock, current)
                    .map_err(calendar_error)?
                    .ok_or_else(|| AppError::Invalid {
                        kind: crate::InvalidKind::Unprocessable,
                        code: "invalid_action",
                        message: "Thao tác \"apologize\" không hợp lệ hoặc thiếu thông tin.".into(),
                        field: None,
                        detail: Some("the dossier has no appointment".into()),
                    })?;
                DossierAction::Apologize {
                    reason,
                    new_appointment,
                    current_due,
                }
            }
            ActRequest::Other(action) => match *action {
                DossierAction::ReceiveTransfer { .. } | DossierAction::ReturnTransfer { .. } => {
                    return Err(AppError::invalid(
                        "invalid_action",
                        "Thao tác này chỉ do hệ thống liên thông thực hiện khi nhận thông điệp \
                         đã ký từ hệ thống khác.",
                    ));
                }
                DossierAction::Transfer {
                    peer: Some(peer), ..
                } if self.config.transfers.peer(&peer).is_none()
                    || self.config.transfers.key.is_none() =>
                {
                    return Err(AppError::field(
                        "unknown_peer",
                        "peer",
                        format!(
                            "Chưa cấu hình liên thông với hệ thống {peer} (peers, transfer_key)."
                        ),
                    ));
                }
                action => action,
            },
        })
    }

    /// A step's name, role and deadline: its share of the statutory time in the agency's
    /// internal workflow, from now.
    async fn step_due(
        &self,
        row: &DossierRow,
        calendar: &motcua_domain::calendar::Calendar,
        hours: &OfficeHours,
        now: DateTime<Utc>,
        index: usize,
    ) -> Result<(String, Role, DateTime<Utc>), AppError> {
        let workflow = self
            .store
            .applied_workflow(&row.procedure_code, row.agency_id)
            .await
            .map_err(|e| match e {
                DbError::NotFound => AppError::invalid(
                    "due_required",
                    "Cơ quan chưa có quy trình nội bộ cho thủ tục này: cần ghi hạn xử lý (due) \
                     của bước.",
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
        let procedure = crate::catalogue::record_version(
            self.store.as_ref(),
            &row.procedure_code,
            row.procedure_version,
        )
        .await?;
        let unit_minutes = match crate::catalogue::statutory_time(&procedure).map(|(_, u)| u) {
            Some(TimeUnit::WorkingHours | TimeUnit::Hours) => 60,
            _ => hours.minutes_per_day(),
        };
        let due = calendar
            .clock(hours)
            .add_working_minutes(now, i64::from(step.share) * unit_minutes / 100)
            .map_err(calendar_error)?;
        Ok((step.name.clone(), step.role, due))
    }

    /// A step goes to staff who work the dossier at its agency, never to a citizen or to
    /// staff of another agency.
    async fn assignable(&self, assignee: Uuid, scope: &ResolvedScope) -> Result<(), AppError> {
        let user = self.store.get_user(assignee).await.map_err(|e| match e {
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
            || !(p.may(&Action::Process(s))
                || p.may(&Action::Approve(s))
                || p.may(&Action::Receive(s)))
        {
            return Err(AppError::invalid(
                "assignee_not_staff",
                "Chỉ giao bước xử lý cho cán bộ của cơ quan đang giải quyết hồ sơ.",
            ));
        }
        Ok(())
    }

    /// The actor attaching a component's file: the citizen who lodged the dossier online, or
    /// a receiving officer of the counter where it was lodged.
    pub async fn attaching_actor(
        &self,
        caller: &Caller,
        row: &DossierRow,
    ) -> Result<Actor, AppError> {
        let scope = ResolvedScope::of(self, row.intake_agency_id).await?;
        let owner = dossiers::state_of(row)?.owner;
        let role = acting_role(
            &caller.principal(),
            &[Role::Citizen, Role::ReceivingOfficer],
            scope.scope(),
            owner,
            caller.user.id,
        )
        .ok_or(AppError::Forbidden)?;
        Ok(Actor {
            user: caller.user.id,
            role,
        })
    }

    /// Attaches the file of `component` to the dossier `code` (seen at `version`), at most
    /// `limit` bytes.
    /// `bytes` is read once the caller is authorised.
    pub async fn upload_document(
        &self,
        caller: &Caller,
        code: &str,
        version: i32,
        component: &str,
        bytes: impl Future<Output = Result<Bytes, AppError>>,
        limit: usize,
    ) -> Result<Attached, AppError> {
        let row = self.dossier(code).await?;
        let actor = self.attaching_actor(caller, &row).await?;
        let bytes = bytes.await?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        docs::upload(
            self.store.as_ref(),
            &self.blobs,
            &calendar,
            &row,
            version,
            actor,
            component,
            bytes,
            limit,
        )
        .await
    }

    /// Attaches a file already held for the same person to the dossier `code`: an officer's
    /// re-use (with its reason) is recorded in the personal data access log, from `origin`.
    pub async fn reuse_document(
        &self,
        caller: &Caller,
        code: &str,
        input: &ReuseInput,
        origin: &crate::access_log::ReadOrigin,
    ) -> Result<Attached, AppError> {
        let row = self.dossier(code).await?;
        let actor = self.attaching_actor(caller, &row).await?;
        if actor.role != Role::Citizen {
            return docs::reuse_for_person(self, caller, &row, actor, input, origin).await;
        }
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let basis = docs::ReuseBasis::online(&caller.user.full_name, &row.code);
        docs::reuse(
            self.store.as_ref(),
            &self.blobs,
            &calendar,
            &row,
            actor,
            input,
            &basis,
        )
        .await
    }

    /// Records the electronic result of the dossier `code` with its file: by the staff of the
    /// agency holding it.
    pub async fn upload_result(
        &self,
        caller: &Caller,
        code: &str,
        version: i32,
        result_code: &str,
        bytes: impl Future<Output = Result<Bytes, AppError>>,
    ) -> Result<Attached, AppError> {
        let row = self.dossier(code).await?;
        let scope = ResolvedScope::of(self, row.agency_id).await?;
        let role = acting_role(
            &caller.principal(),
            &[Role::ReceivingOfficer, Role::Specialist, Role::Leader],
            scope.scope(),
            None,
            caller.user.id,
        )
        .ok_or(AppError::Forbidden)?;
        let bytes = bytes.await?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        docs::upload_result(
            self.store.as_ref(),
            &self.blobs,
            &calendar,
            &row,
            version,
            Actor {
                user: caller.user.id,
                role,
            },
            result_code,
            bytes,
            self.config.max_upload_bytes,
        )
        .await
    }
}
