//! Dossiers: intake (the appointment from the calendar, the code from the agency's daily
//! sequence), every later command through the domain state machine, one transaction each
//! (events, projection, counters, notices), and the views people read.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::{Calendar, Duration, OfficeHours};
use motcua_domain::catalogue::{Channel, Procedure, TimeUnit};
use motcua_domain::dossier::{
    Actor, Applicant, Authorisation, CitizenId, Command, DossierAction, DossierCode,
    DossierCodeError, DossierState, EventEnvelope, MAX_DAILY_SEQUENCE, ProcedureRef,
    ReceivedComponent, Submission, component_key, execute, timeliness, vietnam_date,
};
use motcua_domain::text::fold_ascii;

use motcua_store::{
    Conflict, Created, DbError, DossierRow, DossierWrite, IdempotencyKey, NewEvent, Store,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::calendar::{calendar_error, format_vn_instant};
use crate::error::{AppError, InvalidKind};
use crate::lookups::Lookups;
use crate::{notices, stats};

/// The statutory processing time of a channel (the counter's when the channel states none).
fn channel_time(p: &Procedure, channel: Channel) -> Option<(f64, TimeUnit)> {
    let of = |c: Channel| {
        p.channels
            .iter()
            .find(|s| s.channel == c)
            .and_then(|s| s.time.as_ref())
    };
    of(channel)
        .or_else(|| of(Channel::Counter))
        .or_else(|| p.channels.iter().find_map(|c| c.time.as_ref()))
        .map(|t| (t.amount, t.unit))
}

/// The appointment (ngày hẹn trả) for a dossier received at `at`: working days and hours by the
/// calendar engine; calendar days, weeks, months and years counted from the receipt day and
/// moved to the next working day, at the close of office.
pub fn appointment(
    calendar: &Calendar,
    hours: &OfficeHours,
    p: &Procedure,
    channel: Channel,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let (amount, unit) = channel_time(p, channel).ok_or_else(|| {
        AppError::invalid(
            "no_processing_time",
            format!(
                "Thủ tục {} chưa có thời hạn giải quyết có cấu trúc; không tính được ngày hẹn trả.",
                p.code
            ),
        )
    })?;
    let clock = calendar.clock(hours);
    let n = amount.max(0.0).ceil() as u32;
    let by_days = |days: Option<u32>, months: u32| -> Result<DateTime<Utc>, AppError> {
        let start = clock.effective_receipt(at, None).map_err(calendar_error)?;
        let day = vietnam_date(start);
        let target = match days {
            Some(d) => day + TimeDelta::days(i64::from(d)),
            None => day.checked_add_months(Months::new(months)).unwrap_or(day),
        };
        let working: NaiveDate = calendar
            .add_working_days(target, 0)
            .map_err(calendar_error)?;
        let close = hours.sessions().last().map(|s| s.1).unwrap_or_default();
        Ok(motcua_domain::vn_time::instant(working, close))
    };
    match unit {
        TimeUnit::WorkingDays => clock
            .appointment(at, None, Duration::WorkingDays(n))
            .map_err(calendar_error),
        TimeUnit::InTheDay => clock
            .appointment(at, None, Duration::WorkingDays(0))
            .map_err(calendar_error),
        TimeUnit::WorkingHours | TimeUnit::Hours => clock
            .appointment(at, None, Duration::WorkingHours(n))
            .map_err(calendar_error),
        TimeUnit::Days => by_days(Some(n), 0),
        TimeUnit::Weeks => by_days(Some(n * 7), 0),
        TimeUnit::Months => by_days(None, n),
        TimeUnit::Years => by_days(None, n * 12),
    }
}

/// The fee due at the counter for a channel, in đồng (0 when free or unstated).
fn fee_due(p: &Procedure, channel: Channel) -> u64 {
    p.channels
        .iter()
        .find(|c| c.channel == channel)
        .and_then(|c| c.fee.as_ref())
        .filter(|f| f.states_positive_amount())
        .map(|f| f.total_vnd().max(0) as u64)
        .unwrap_or(0)
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    pub name: String,
    /// Số định danh cá nhân (căn cước), 12 digits. For an online dossier the account's own
    /// number: it may be left out, and another is refused (422 `id_number_not_yours`).
    #[serde(default)]
    pub id_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDossier {
    /// Procedure code, e.g. `1.001193`.
    pub procedure: String,
    /// Code of the agency that receives it.
    pub agency: String,
    /// counter, postal (received at once) or online (waits for the officer's check)
    pub channel: String,
    pub applicant: ApplicantInput,
    /// The components received with it, as the receipt lists them; each must be a component
    /// of the procedure in force (422 `invalid_components`). Empty: none recorded.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub components: Vec<ComponentInput>,
    /// Online, for someone else: the authorisation (ủy quyền) under which the account lodges
    /// for the applicant, who is the authoriser. Required when `applicant.id_number` is not
    /// the account's own (422 `id_number_not_yours` without it); refused for one's own
    /// dossier (422 `authorisation_not_needed`). A partner (post office, community digital
    /// team) lodging by post always gives the citizen's (422 `authorisation_required`).
    /// Refused at the counter (422 `authorisation_online_only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation: Option<AuthorisationInput>,
}

/// An authorisation to lodge for someone else: what the authorisation document says.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorisationInput {
    /// Phạm vi ủy quyền, e.g. "Nộp hồ sơ và nhận kết quả" (1–500 characters).
    #[schema(max_length = 500)]
    pub scope: String,
    /// The authorisation document's number (số văn bản ủy quyền, hợp đồng ủy quyền; 1–100
    /// characters).
    #[schema(max_length = 100)]
    pub document_number: String,
}

/// A component received (thành phần hồ sơ): its name in the catalogue and what was given.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    /// The component's name, exactly as in the procedure's catalogue entry.
    #[schema(max_length = 500)]
    pub component: String,
    /// Bản chính (0 to 99).
    #[serde(default)]
    #[schema(maximum = 99)]
    pub originals: u32,
    /// Bản sao (0 to 99).
    #[serde(default)]
    #[schema(maximum = 99)]
    pub copies: u32,
    /// Given as an electronic file.
    #[serde(default)]
    pub electronic: bool,
}

/// The components given, checked against the procedure's catalogue entry.
fn received_components(
    procedure: &Procedure,
    given: &[ComponentInput],
) -> Result<Vec<ReceivedComponent>, AppError> {
    given
        .iter()
        .map(|c| {
            let name = c.component.trim();
            if !procedure
                .components
                .iter()
                .any(|k| component_key(&k.name) == component_key(name))
            {
                return Err(AppError::field(
                    "invalid_components",
                    "components",
                    format!("\"{name}\" không phải thành phần hồ sơ của thủ tục này."),
                ));
            }
            Ok(ReceivedComponent {
                component: component_key(name),
                originals: c.originals,
                copies: c.copies,
                electronic: c.electronic,
            })
        })
        .collect()
}

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// A client's `Idempotency-Key` for creating a dossier, scoped to the caller and the endpoint
/// (the same key from another account is another key), with the digest of the request body
/// (the same key with another body is refused: IETF Idempotency-Key draft).
fn creation_key(key: &str, user: Uuid, input: &CreateDossier) -> Result<IdempotencyKey, AppError> {
    if key.is_empty() || key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(AppError::invalid(
            "idempotency_key_invalid",
            format!("Khóa Idempotency-Key phải có từ 1 đến {MAX_IDEMPOTENCY_KEY_CHARS} ký tự."),
        ));
    }
    let body = serde_json::to_vec(input).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(IdempotencyKey {
        key: format!("{user}:POST /dossiers:{key}"),
        user: Some(user),
        fingerprint: sha256_hex(&body),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    motcua_store::hex(&Sha256::digest(bytes))
}

/// The key the applicant's ID number is found by, without storing it in clear in the index.
pub fn applicant_key(id_number: &str) -> String {
    sha256_hex(id_number.as_bytes())
}

/// The effective appointment of `state` held by `agency` ([`timeliness::current_due`]): what
/// people are shown and the queues filter by. The agency's office hours are read only when a
/// closed pause moved the appointment.
pub async fn due_of(
    store: &dyn Store,
    calendar: &Calendar,
    agency: Uuid,
    state: &DossierState,
) -> Result<Option<DateTime<Utc>>, AppError> {
    if !state.appointment_moved_by_pauses() {
        return Ok(state.appointment);
    }
    let hours = crate::calendar::office_hours(store, agency).await?;
    timeliness::current_due(&calendar.clock(&hours), state).map_err(calendar_error)
}

/// The projection of a folded state; `due` is its effective appointment ([`due_of`]).
pub fn row_of(
    id: Uuid,
    state: &DossierState,
    due: Option<DateTime<Utc>>,
    agency_id: Uuid,
    intake_agency_id: Uuid,
    province_code: Option<String>,
    procedure_name: &str,
) -> DossierRow {
    let code = state
        .code
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let applicant = state.applicant.as_ref();
    DossierRow {
        id,
        code: code.clone(),
        agency_id,
        intake_agency_id,
        province_code,
        procedure_code: state
            .procedure
            .as_ref()
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        procedure_version: state
            .procedure
            .as_ref()
            .map(|p| p.version as i32)
            .unwrap_or(0),
        // Set by the first event (the submission), which every stored dossier has.
        channel: state.channel.unwrap_or(Channel::Counter),
        status: state.status,
        applicant_name: applicant.map(|a| a.name.clone()).unwrap_or_default(),
        applicant_key: applicant
            .map(|a| applicant_key(a.id_number.as_str()))
            .unwrap_or_default(),
        search: format!(
            " {} {} {}",
            fold_ascii(&code),
            fold_ascii(applicant.map(|a| a.name.as_str()).unwrap_or_default()),
            fold_ascii(procedure_name)
        ),
        submitted_at: state.submitted_at.unwrap_or_else(Utc::now),
        received_at: state.received_at,
        appointment: due,
        paused_at: state.open_pause().map(|p| p.start),
        finished_at: state.finished_at,
        returned_at: state.returned_at,
        seq: state.version as i32,
        last_hash: String::new(),
        state: serde_json::to_string(state).expect("state serialises"),
        updated_at: Utc::now(),
    }
}

pub(crate) fn new_events(envelopes: &[EventEnvelope]) -> Vec<NewEvent> {
    envelopes
        .iter()
        .map(|e| NewEvent {
            at: e.at,
            actor_id: Some(e.actor.user),
            actor_role: e.actor.role.as_str().to_string(),
            kind: e.event.kind().to_string(),
            data: serde_json::to_string(&e.event).expect("event serialises"),
        })
        .collect()
}

/// A refusal of the state machine: 422 when the request itself is wrong, 403 when it is not
/// the caller's to make, 409 when the dossier's state is the reason.
pub fn domain_error(e: motcua_domain::dossier::DossierError) -> AppError {
    use motcua_domain::dossier::DossierError;
    if let DossierError::Text(t) = &e {
        return AppError::text(t);
    }
    if e.is_invalid_input() || e.is_forbidden() {
        let kind = if e.is_forbidden() {
            InvalidKind::NotPermitted
        } else {
            InvalidKind::Unprocessable
        };
        return AppError::refused(kind, e.code(), e.message_vi());
    }
    AppError::Conflict {
        kind: e.code(),
        message: e.message_vi(),
    }
}

/// Puts a request's texts in NFC and checks them (lengths, characters) before anything reads
/// them: 422 naming the field.
pub fn clean_input(value: &mut serde_json::Value) -> Result<(), AppError> {
    motcua_domain::input::nfc_json(value);
    motcua_domain::input::check_json("", value).map_err(|e| AppError::text(&e))
}

/// The error of an agency whose day has used every dossier number (0001–9999).
const DAY_FULL: &str = "daily_sequence_exhausted";

/// Lodges a dossier: at the counter or by post it is received at once with its appointment;
/// online it waits for the officer's check. Returns its code. `idempotency` is the client's
/// key: a retry by the same caller with the same body returns the first dossier; the same key
/// with another body is 422 `idempotency_key_reused`.
pub async fn create(
    store: &dyn Store,
    lookups: &Lookups,
    calendar: &Calendar,
    actor: Actor,
    input: CreateDossier,
    idempotency: Option<&str>,
) -> Result<Created, AppError> {
    let mut input = input;
    let authorisation = match actor.role {
        Role::Citizen => representation(store, actor.user, &mut input).await?,
        Role::Partner => Some(partner_authorisation(store, actor.user, &input).await?),
        _ => None,
    };
    let key = idempotency
        .map(|k| creation_key(k, actor.user, &input))
        .transpose()?;
    // A partner's dossier waits for its papers, which the officer checks on arrival.
    let receive_now = actor.role != Role::Partner;
    create_as(
        store,
        lookups,
        calendar,
        actor,
        input,
        key,
        receive_now,
        authorisation,
    )
    .await
}

/// The authorisation a partner (post office, community digital team) lodges under: the
/// citizen's, as its document says, to the partner's organisation (its account's name).
/// Required (422 `authorisation_required`).
async fn partner_authorisation(
    store: &dyn Store,
    user: Uuid,
    input: &CreateDossier,
) -> Result<Authorisation, AppError> {
    let Some(a) = input.authorisation.as_ref() else {
        return Err(AppError::field(
            "authorisation_required",
            "authorisation",
            "Đối tác nộp hồ sơ thay công dân phải ghi văn bản ủy quyền của công dân: phạm vi \
             ủy quyền và số văn bản (hoặc số phiếu gửi bưu chính).",
        ));
    };
    authorisation_of(store, user, None, a, &input.applicant.id_number).await
}

/// The authorisation `a` under which account `user` lodges for the applicant numbered
/// `applicant`: the account's person (`representative_id`) or, without one, its partner
/// organisation, as the domain checks it.
async fn authorisation_of(
    store: &dyn Store,
    user: Uuid,
    representative_id: Option<CitizenId>,
    a: &AuthorisationInput,
    applicant: &str,
) -> Result<Authorisation, AppError> {
    let applicant = CitizenId::parse(applicant.trim())
        .map_err(|e| AppError::field(e.code(), "applicant.id_number", e.message_vi()))?;
    let account = store.get_user(user).await?;
    let authorisation = Authorisation {
        representative_name: account.full_name,
        partner: representative_id.is_none(),
        representative_id,
        scope: a.scope.clone(),
        document_number: a.document_number.clone(),
    };
    motcua_domain::dossier::checked_authorisation(&authorisation, &applicant)
        .map_err(|e| AppError::field(e.code(), "authorisation", e.message_vi()))
}

/// Whom a citizen's online dossier is for: without an authorisation, the account's own person
/// ([`own_id_number`]); with one, the applicant named, the account's person being the
/// representative (the account must be verified either way).
async fn representation(
    store: &dyn Store,
    user: Uuid,
    input: &mut CreateDossier,
) -> Result<Option<Authorisation>, AppError> {
    let Some(a) = input.authorisation.as_ref() else {
        input.applicant.id_number = own_id_number(store, user, &input.applicant.id_number)
            .await?
            .to_string();
        return Ok(None);
    };
    let own = own_id_number(store, user, "").await?;
    let given = input.applicant.id_number.trim();
    if given.is_empty() || given == own.as_str() {
        return Err(AppError::field(
            "authorisation_not_needed",
            "authorisation",
            "Hồ sơ của chính bạn không cần văn bản ủy quyền; chỉ ghi ủy quyền khi nộp hồ sơ cho \
             người khác (số định danh cá nhân của người ủy quyền).",
        ));
    }
    authorisation_of(store, user, Some(own), a, given)
        .await
        .map(Some)
}

/// The ID number a citizen's online dossier carries: the account's own (an account is bound
/// to one person by an administrator). An account not yet bound may not lodge online (403
/// `account_not_bound`); another person's number is refused (422 `id_number_not_yours`); an
/// empty one is the account's.
pub async fn own_id_number(
    store: &dyn Store,
    user: Uuid,
    given: &str,
) -> Result<CitizenId, AppError> {
    let account = store.get_user(user).await?;
    let own = account
        .id_number
        .as_deref()
        .and_then(|n| CitizenId::parse(n).ok())
        .ok_or_else(|| {
            AppError::refused(
                InvalidKind::NotPermitted,
                "account_not_bound",
                "Tài khoản chưa được gắn số định danh cá nhân nên chưa nộp hồ sơ trực tuyến \
                 được. Vui lòng xác thực tài khoản (mang căn cước đến Bộ phận Một cửa).",
            )
        })?;
    let given = given.trim();
    if !given.is_empty() && given != own.as_str() {
        return Err(AppError::field(
            "id_number_not_yours",
            "applicant.id_number",
            "Hồ sơ trực tuyến mang số định danh cá nhân của chính chủ tài khoản; không \
             nộp được bằng số định danh của người khác.",
        ));
    }
    Ok(own)
}

/// Refuses a citizen's online submission beyond `per_hour` in the last hour (429
/// `submission_limit`): one account cannot flood the officers' queue.
pub async fn check_submission_limit(
    store: &dyn Store,
    user: Uuid,
    per_hour: u32,
) -> Result<(), AppError> {
    let since = Utc::now() - TimeDelta::hours(1);
    if store.citizen_submissions_since(user, since).await? >= i64::from(per_hour) {
        return Err(AppError::refused(
            InvalidKind::OverLimit,
            "submission_limit",
            format!(
                "Tài khoản đã nộp {per_hour} hồ sơ trực tuyến trong một giờ qua, là số tối đa \
                 cho phép. Vui lòng thử lại sau."
            ),
        ));
    }
    Ok(())
}

/// Lodges a dossier at the counter or by post *without* receiving it: it waits for the
/// officer's decision at the check (the desk's supplement request or refusal of a paper
/// dossier, which need a lodged dossier to act on). Online dossiers are lodged as by [`create`].
pub async fn lodge_for_check(
    store: &dyn Store,
    lookups: &Lookups,
    calendar: &Calendar,
    actor: Actor,
    input: CreateDossier,
) -> Result<Created, AppError> {
    create_as(store, lookups, calendar, actor, input, None, false, None).await
}

#[allow(clippy::too_many_arguments)]
async fn create_as(
    store: &dyn Store,
    lookups: &Lookups,
    calendar: &Calendar,
    actor: Actor,
    input: CreateDossier,
    idempotency: Option<IdempotencyKey>,
    receive_now: bool,
    authorisation: Option<Authorisation>,
) -> Result<Created, AppError> {
    if input.authorisation.is_some() && authorisation.is_none() {
        return Err(AppError::field(
            "authorisation_online_only",
            "authorisation",
            "Văn bản ủy quyền chỉ ghi khi công dân nộp hồ sơ trực tuyến cho người khác, hoặc \
             khi đối tác (bưu điện) nộp hồ sơ thay công dân.",
        ));
    }
    let input = {
        let mut v = serde_json::to_value(&input).map_err(|e| AppError::Internal(e.to_string()))?;
        clean_input(&mut v)?;
        serde_json::from_value::<CreateDossier>(v).map_err(|e| AppError::Internal(e.to_string()))?
    };
    let channel = match input.channel.as_str() {
        "counter" => Channel::Counter,
        "online" => Channel::Online,
        "postal" => Channel::Postal,
        other => {
            return Err(AppError::invalid(
                "invalid_channel",
                format!("Cách thức nộp \"{other}\" không hợp lệ (counter, online, postal)."),
            ));
        }
    };
    let now = Utc::now();
    let applicant = Applicant::new(
        &input.applicant.name,
        &input.applicant.id_number,
        input.applicant.phone.as_deref(),
        input.applicant.email.as_deref(),
        input.applicant.address.as_deref(),
        vietnam_date(now),
    )
    .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let agency = lookups
        .agency(store, input.agency.trim())
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "unknown_agency",
                format!("Không tìm thấy cơ quan có mã \"{}\".", input.agency),
            )
        })?;
    let agency_code =
        AgencyCode::parse(&agency.code).map_err(|e| AppError::Internal(e.to_string()))?;
    let in_force = lookups
        .in_force(store, input.procedure.trim(), vietnam_date(now))
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::invalid(
                "unknown_procedure",
                format!("Không tìm thấy thủ tục \"{}\".", input.procedure),
            ),
            e => e,
        })?;
    if in_force.status != motcua_domain::catalogue::ProcedureStatus::Published {
        return Err(AppError::invalid(
            "procedure_not_published",
            "Thủ tục này không còn được tiếp nhận.",
        ));
    }
    let (procedure, version) = (&in_force.procedure, in_force.version);
    let components = received_components(procedure, &input.components)?;
    let hours = lookups.office_hours(store, agency.id).await?;
    let appt = if channel == Channel::Online || !receive_now {
        None
    } else {
        Some(appointment(calendar, &hours, procedure, channel, now)?)
    };
    let fee = fee_due(procedure, channel);
    let day = vietnam_date(now);
    let yymmdd = format!("{:02}{:02}{:02}", day.year() % 100, day.month(), day.day());
    let id = Uuid::now_v7();
    let procedure_name = procedure.name.clone();
    let procedure_code = procedure.code.clone();
    let (agency_id, province_code) = (agency.id, agency.province_code.clone());
    // The new dossier's timeline, kept so the reply need not read it back.
    let made: Arc<Mutex<Vec<TimelineEntry>>> = Arc::default();
    let made_in = made.clone();
    let catalogue = in_force.clone();
    let make = move |seq: u32| -> Result<DossierWrite, String> {
        let code = DossierCode::new(&agency_code, day, seq).map_err(|e| match e {
            DossierCodeError::SequenceOutOfRange { .. } => DAY_FULL.to_string(),
            e => e.to_string(),
        })?;
        // A receipt that fixes fees opens the payment, in the dossier's transaction.
        let payment = match appt {
            Some(_) => crate::payments::opening(
                &catalogue.procedure,
                Some(channel),
                fee,
                (id, &code.to_string(), agency_id),
                actor.user,
                now,
            )
            .map_err(|e| e.to_string())?,
            None => None,
        };
        let submission = Submission {
            code,
            procedure: ProcedureRef {
                code: procedure_code.clone(),
                version: version as u32,
            },
            agency: agency_code.clone(),
            channel,
            applicant: applicant.clone(),
            components: components.clone(),
            authorisation: authorisation.clone(),
        };
        let action = match appt {
            None => DossierAction::Submit { submission },
            Some(appointment) => DossierAction::ReceiveDirect {
                submission,
                appointment,
                fee_due_vnd: fee,
            },
        };
        let command = Command {
            actor,
            at: now,
            action,
        };
        let mut state = DossierState::new();
        let envelopes =
            execute(&state, &command).map_err(|e| format!("{}: {}", e.code(), e.message_vi()))?;
        for e in &envelopes {
            state.apply(e);
        }
        let counters = stats::counters(
            &DossierState::new(),
            &envelopes,
            &state,
            &stats::AgencyBook::one(&agency_code, agency_id),
            &procedure_code,
            None,
        )
        .map_err(|e| e.to_string())?;
        let mut outbox = notices::outbox(&envelopes, &state, appt);
        outbox.extend(crate::webhooks::events::outbox(
            id, &envelopes, &state, appt,
        ));
        outbox.extend(crate::webhooks::portal::outbox(
            id, &envelopes, &state, appt,
        ));
        *made_in.lock().expect("timeline slot") = envelopes
            .iter()
            .map(|e| TimelineEntry {
                seq: e.seq as i32,
                at: format_vn_instant(e.at),
                kind: e.event.kind().to_string(),
                label: e.event.label_vi().to_string(),
                actor_role: e.actor.role.as_str().to_string(),
            })
            .collect();
        Ok(DossierWrite {
            row: row_of(
                id,
                &state,
                appt,
                agency_id,
                agency_id,
                province_code.clone(),
                &procedure_name,
            ),
            events: new_events(&envelopes),
            outbox,
            counters,
            payment,
        })
    };
    let created = store
        .create_dossier(&agency.code, &yymmdd, idempotency, Box::new(make))
        .await
        .map_err(|e| match e {
            DbError::Other(m) if m == DAY_FULL => AppError::Conflict {
                kind: DAY_FULL,
                message: format!(
                    "{} đã cấp đủ {} mã hồ sơ của ngày {} (số thứ tự trong mã hồ sơ có 4 chữ số): \
                     không tiếp nhận thêm hồ sơ vào ngày này.",
                    agency.name,
                    motcua_sheets::vi::integer(i64::from(MAX_DAILY_SEQUENCE)),
                    day.format("%d/%m/%Y"),
                ),
            },
            DbError::Other(m) if m.contains(": ") => AppError::Conflict {
                kind: "dossier_refused",
                message: m,
            },
            DbError::Conflict(Conflict::IdempotencyKeyReused) => AppError::invalid(
                "idempotency_key_reused",
                "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác (nội dung khác): \
                 dùng khóa mới cho hồ sơ mới.",
            ),
            e => e.into(),
        })?;
    if let Created::New(_) = created {
        metrics::counter!("motcua_dossiers_created_total").increment(1);
        let entries = std::mem::take(&mut *made.lock().expect("timeline slot"));
        if let Some(last) = entries.last() {
            lookups.seed_timeline(id, last.seq, entries.clone()).await;
        }
    }
    Ok(created)
}

/// The account that lodged a stored dossier online (`None` at the counter): read from the
/// stored state without building the rest of it (a staff read asks this twice).
pub fn owner_of(row: &DossierRow) -> Result<Option<Uuid>, AppError> {
    accounts_of(row).map(|(owner, _)| owner)
}

/// The accounts a stored dossier belongs to: its owner (online) and the partner that lodged
/// it (by post), read as [`owner_of`].
pub fn accounts_of(row: &DossierRow) -> Result<(Option<Uuid>, Option<Uuid>), AppError> {
    #[derive(serde::Deserialize)]
    struct Accounts {
        #[serde(default)]
        owner: Option<Uuid>,
        #[serde(default)]
        partner: Option<Uuid>,
    }
    serde_json::from_str::<Accounts>(&row.state)
        .map(|o| (o.owner, o.partner))
        .map_err(|e| AppError::Internal(format!("stored state: {e}")))
}

/// The state of a stored dossier.
pub fn state_of(row: &DossierRow) -> Result<DossierState, AppError> {
    serde_json::from_str(&row.state).map_err(|e| AppError::Internal(format!("stored state: {e}")))
}

/// Applies one command to a dossier at version `expected` (the caller's view; 409 if it moved).
pub async fn act(
    store: &dyn Store,
    calendar: &Calendar,
    row: &DossierRow,
    expected: i32,
    command: Command,
) -> Result<DossierState, AppError> {
    if row.seq != expected {
        return Err(stale());
    }
    // An online payment is recorded from the payment gateway's verified confirmation, never
    // because someone says it was paid.
    if let DossierAction::CollectFee {
        method: motcua_domain::dossier::PaymentMethod::Online,
        ..
    } = &command.action
    {
        return Err(domain_error(
            motcua_domain::dossier::DossierError::PaymentMethodNotAllowed,
        ));
    }
    let (write, state) = prepare(store, calendar, row, command).await?;
    store
        .append_dossier(expected, &write)
        .await
        .map_err(stale_or)?;
    Ok(state)
}

/// Decides `command` on the stored dossier `row` and builds what storing it writes (events,
/// projection, counters, notices), without storing it: [`act`], and the document uploads that
/// store their file between the decision and the transaction. Returns the write and the state
/// after it.
pub async fn prepare(
    store: &dyn Store,
    calendar: &Calendar,
    row: &DossierRow,
    command: Command,
) -> Result<(DossierWrite, DossierState), AppError> {
    let mut state = state_of(row)?;
    let before = state.clone();
    let agency_before = state.agency.clone();
    let envelopes = execute(&state, &command).map_err(domain_error)?;
    for e in &envelopes {
        state.apply(e);
    }
    // A forward or transfer moves the dossier to another agency (one of another deployment
    // leaves it counted here, where it comes back).
    let agency_id = match &state.agency {
        Some(code) if state.agency != agency_before && state.away.is_none() => {
            store.get_agency_by_code(code.as_str()).await?.id
        }
        _ => row.agency_id,
    };
    let counters = stats::command_counters(
        store,
        calendar,
        row.agency_id,
        agency_id,
        &before,
        &envelopes,
        &state,
        &row.procedure_code,
    )
    .await?;
    let due = due_of(store, calendar, agency_id, &state).await?;
    let mut outbox = notices::outbox(&envelopes, &state, due);
    outbox.extend(crate::webhooks::events::outbox(
        row.id, &envelopes, &state, due,
    ));
    outbox.extend(crate::webhooks::portal::outbox(
        row.id, &envelopes, &state, due,
    ));
    outbox.extend(crate::webhooks::transfer::outbox(
        row.id, &envelopes, &state,
    ));
    // The search text keeps the procedure name given at intake.
    let mut new_row = row_of(
        row.id,
        &state,
        due,
        agency_id,
        row.intake_agency_id,
        row.province_code.clone(),
        "",
    );
    new_row.search = row.search.clone();
    // A receipt that fixes fees opens the payment, in the receipt's transaction.
    let payment = if before.received_at.is_none() && state.received_at.is_some() {
        let procedure =
            crate::catalogue::record_version(store, &row.procedure_code, row.procedure_version)
                .await?;
        crate::payments::opening(
            &procedure,
            Some(row.channel),
            state.fee_due_vnd,
            (row.id, &row.code, row.intake_agency_id),
            command.actor.user,
            command.at,
        )?
    } else {
        None
    };
    let write = DossierWrite {
        row: new_row,
        events: new_events(&envelopes),
        outbox,
        counters,
        payment,
    };
    Ok((write, state))
}

/// A storage error of an append: someone acted first is [`stale`].
pub fn stale_or(e: DbError) -> AppError {
    match e {
        DbError::Conflict(Conflict::StaleVersion) => stale(),
        e => e.into(),
    }
}

pub fn stale() -> AppError {
    AppError::Conflict {
        kind: "stale_dossier",
        message: "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thực hiện lại thao tác."
            .into(),
    }
}

/// One line of a dossier's timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub seq: i32,
    /// Vietnam time, YYYY-MM-DDTHH:MM.
    pub at: String,
    pub kind: String,
    /// What happened, in Vietnamese.
    pub label: String,
    pub actor_role: String,
}

pub async fn timeline(store: &dyn Store, id: Uuid) -> Result<Vec<TimelineEntry>, AppError> {
    let events = store.dossier_events(id).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let label = serde_json::from_str::<motcua_domain::dossier::Event>(&e.data)
                .map(|ev| ev.label_vi().to_string())
                .unwrap_or_else(|_| e.kind.clone());
            TimelineEntry {
                seq: e.seq,
                at: format_vn_instant(e.at),
                kind: e.kind,
                label,
                actor_role: e.actor_role,
            }
        })
        .collect())
}

/// One dossier of an import file: its full history as the state machine numbers it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedDossier {
    pub events: Vec<EventEnvelope>,
}

/// Imports dossiers from JSON Lines (one dossier per line), replaying each history through the
/// state machine. The first impossible history refuses the whole file (its line and reason)
/// and nothing of it is kept. Returns (dossiers, events) imported.
pub async fn import_jsonl(
    store: &dyn Store,
    calendar: &Calendar,
    text: &str,
) -> Result<(usize, usize), AppError> {
    let refuse = |line: usize, message: String| {
        AppError::invalid(
            "import_refused",
            format!("Dòng {line}: {message}. Không có hồ sơ nào của tệp được nhập."),
        )
    };
    let mut writes = Vec::new();
    let mut events = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let d: ImportedDossier =
            serde_json::from_str(raw).map_err(|e| refuse(line, format!("không đọc được ({e})")))?;
        let state =
            motcua_domain::dossier::replay(&d.events).map_err(|e| refuse(line, e.message_vi()))?;
        if state.code.is_none() {
            return Err(refuse(line, "hồ sơ chưa có mã".into()));
        }
        let current = state
            .agency
            .as_ref()
            .ok_or_else(|| refuse(line, "hồ sơ chưa có cơ quan".into()))?;
        let intake = state.hops.first().map(|h| &h.agency).unwrap_or(current);
        let find = |code: String| async move {
            store.get_agency_by_code(&code).await.map_err(|e| match e {
                DbError::NotFound => refuse(line, format!("không có cơ quan mã {code}")),
                e => e.into(),
            })
        };
        let agency = find(current.to_string()).await?;
        let intake = find(intake.to_string()).await?;
        let procedure = state
            .procedure
            .as_ref()
            .ok_or_else(|| refuse(line, "hồ sơ chưa có thủ tục".into()))?;
        let name = store
            .procedure(&procedure.code)
            .await
            .map_err(|_| {
                refuse(
                    line,
                    format!("không có thủ tục mã {} trong danh mục", procedure.code),
                )
            })?
            .name;
        let counters = stats::history_counters(store, calendar, &state, &d.events)
            .await
            .map_err(|e| refuse(line, e.message_vi()))?;
        events += d.events.len();
        let due = due_of(store, calendar, agency.id, &state).await?;
        writes.push(DossierWrite {
            row: row_of(
                Uuid::now_v7(),
                &state,
                due,
                agency.id,
                intake.id,
                agency.province_code.clone(),
                &name,
            ),
            events: new_events(&d.events),
            outbox: Vec::new(),
            counters,
            payment: None,
        });
    }
    let n = writes.len();
    store.import_dossiers(&writes).await.map_err(|e| match e {
        DbError::Conflict(_) => AppError::Conflict {
            kind: "import_refused",
            message: "Tệp có hồ sơ trùng mã với hồ sơ đã có. Không có hồ sơ nào của tệp được nhập."
                .into(),
        },
        e => e.into(),
    })?;
    Ok((n, events))
}
