//! The public look-up (`/tra-cuu`, `/tra-cuu/{ma}`: what the receipt's QR code opens; status
//! and dates only), the citizen's rating of a returned dossier on that page, and the citizen's
//! own dossiers (`/cong-dan/ho-so`). The staff's free-text reasons (supplement, refusal, stop,
//! rejection) may hold personal data: they are shown only to the applicant, signed in as the
//! dossier's owner or proving it with the last 4 digits of the ID number or phone
//! (`POST /tra-cuu/{ma}`, under the look-up limit and [`PROOFS_PER_MINUTE`] per dossier).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use motcua_domain::auth::Role;
use motcua_domain::dossier::{
    Actor, Command, DossierAction, DossierState, RatingLevel, Status, decide,
};
use serde::Deserialize;

use crate::auth::ClientIp;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page, urlencode};
use motcua_app::AppError;
use motcua_app::acting::{ActRequest, PublicDossier};
use motcua_app::dossiers;

/// "2025-10-27T09:15" (Vietnam time, as the API writes it) → "27/10/2025 09:15".
fn vn_text(at: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M") {
        Ok(t) => t.format("%d/%m/%Y %H:%M").to_string(),
        Err(_) => at.to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    ma: String,
}

#[derive(Template)]
#[template(path = "ui/portal/lookup_form.html")]
struct LookupForm {
    p: Page,
    ma: String,
    error: Option<String>,
}

/// `/tra-cuu`: the form; `?ma=` (the form sent without JavaScript) goes to the dossier's page.
pub async fn form(ctx: Ctx, Query(q): Query<LookupQuery>) -> Response {
    let ma = q.ma.trim();
    if !ma.is_empty() {
        return Redirect::to(&format!("/tra-cuu/{}", urlencode(ma))).into_response();
    }
    ctx.render(LookupForm {
        p: ctx.page(),
        ma: String::new(),
        error: None,
    })
}

pub struct Step {
    pub at: String,
    pub label: String,
}

/// What the applicant is asked for, or why the dossier was closed.
pub struct Reason {
    pub title: &'static str,
    pub text: String,
    pub missing: Vec<String>,
}

#[derive(Template)]
#[template(path = "ui/portal/lookup.html")]
struct LookupPage {
    p: Page,
    d: PublicDossier,
    status: String,
    status_class: &'static str,
    received: Option<String>,
    appointment: Option<String>,
    returned: Option<String>,
    steps: Vec<Step>,
    reasons: Vec<Reason>,
    /// Reasons exist but the caller has not shown they are the applicant: the proof form.
    reasons_hidden: bool,
    /// The proof given was wrong (or too many were tried).
    proof_error: Option<String>,
    may_rate: bool,
    rated: Option<(String, Option<String>)>,
    version: i32,
    levels: Vec<(&'static str, &'static str)>,
    /// Just rated (after the redirect).
    thanks: bool,
    /// The owner's answer to an open supplement request: the items asked for.
    supplement: Option<SupplementAsk>,
    /// Just supplemented (after the redirect).
    supplemented: bool,
    /// The result, for the owner: its number and the electronic copy's download.
    result: Option<ResultShown>,
    /// The look-up box at the bottom (empty).
    ma: String,
    error: Option<String>,
}

fn reasons(s: &DossierState) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(r) = &s.open_request {
        out.push(Reason {
            title: if r.at_intake {
                "Yêu cầu bổ sung, hoàn thiện hồ sơ"
            } else {
                "Yêu cầu bổ sung hồ sơ"
            },
            text: r.reason.clone(),
            missing: r.missing.clone(),
        });
    }
    if let Some(c) = &s.refusal {
        out.push(Reason {
            title: "Lý do từ chối tiếp nhận",
            text: c.reason.clone().unwrap_or_default(),
            missing: vec![],
        });
    }
    if let Some(c) = &s.stop {
        out.push(Reason {
            title: "Lý do dừng giải quyết",
            text: c.reason.clone().unwrap_or_default(),
            missing: vec![],
        });
    }
    if let Some(d) = &s.decision
        && d.verdict == motcua_domain::dossier::Verdict::Rejected
    {
        out.push(Reason {
            title: "Lý do không giải quyết",
            text: d.reason.clone().unwrap_or_default(),
            missing: vec![],
        });
    }
    out
}

/// The rating command the caller would give (any level): whether the rules let them rate.
fn may_rate(ctx: &Ctx, s: &DossierState) -> bool {
    let Some(c) = &ctx.caller else { return false };
    if !c.user.roles().contains(&Role::Citizen) {
        return false;
    }
    let command = Command {
        actor: Actor {
            user: c.user.id,
            role: Role::Citizen,
        },
        at: Utc::now(),
        action: DossierAction::Rate {
            level: RatingLevel::Satisfied,
            comment: None,
        },
    };
    decide(s, &command).is_ok()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThanksQuery {
    da_danh_gia: Option<String>,
    da_bo_sung: Option<String>,
}

/// The items a supplement request asks for, which the owner may answer with files.
pub struct SupplementAsk {
    pub items: Vec<String>,
    /// The form's mistake, when it came back.
    pub error: Option<String>,
}

/// The result as its owner sees it.
pub struct ResultShown {
    pub code: String,
    pub at: String,
    /// The electronic copy's download address (the API's, with the session).
    pub download: Option<String>,
}

/// The owner's supplement form, while a request waits for them.
fn supplement_ask(owner: bool, s: &DossierState, error: Option<String>) -> Option<SupplementAsk> {
    let r = s.open_request.as_ref().filter(|_| owner)?;
    Some(SupplementAsk {
        items: r.missing.clone(),
        error,
    })
}

fn result_shown(p: &Page, code: &str, s: &DossierState) -> Option<ResultShown> {
    let r = s.result.as_ref()?;
    let download = match &r.form {
        motcua_domain::dossier::ResultForm::Electronic { file_ref } => file_ref
            .strip_prefix("sha256:")
            .map(|h| format!("/api/v1/dossiers/{}/documents/{h}", urlencode(code))),
        motcua_domain::dossier::ResultForm::Paper => None,
    };
    Some(ResultShown {
        code: r.result_code.clone(),
        at: p.datetime(&r.at),
        download,
    })
}

/// Guesses of the applicant's digits allowed per dossier and minute, from all addresses.
pub const PROOFS_PER_MINUTE: i64 = 10;

/// Whether `digits` (4 digits, anything else ignored) are the last digits of the applicant's
/// ID number or phone.
fn proves_applicant(s: &DossierState, digits: &str) -> bool {
    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
    let Some(a) = &s.applicant else { return false };
    digits.len() == 4
        && (a.id_number.as_str().ends_with(&digits)
            || a.phone.as_deref().is_some_and(|p| p.ends_with(&digits)))
}

pub async fn dossier(
    ctx: Ctx,
    State(state): State<AppState>,
    ip: ClientIp,
    Path(code): Path<String>,
    Query(tq): Query<ThanksQuery>,
) -> UiResult {
    let shown = Shown {
        thanks: tq.da_danh_gia.is_some(),
        supplemented: tq.da_bo_sung.is_some(),
        ..Shown::default()
    };
    show(ctx, state, ip, code, shown).await
}

/// What the page says beyond the dossier: after a redirect, a proof given, a form sent back.
#[derive(Default)]
pub(super) struct Shown {
    pub thanks: bool,
    pub supplemented: bool,
    pub proof: Option<String>,
    pub supplement_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProofForm {
    /// The last 4 digits of the applicant's ID number or phone.
    #[serde(default)]
    so: String,
}

/// `POST /tra-cuu/{ma}`: the applicant proves it with the last digits, and sees the reasons.
pub async fn prove(
    State(state): State<AppState>,
    ip: ClientIp,
    Path(code): Path<String>,
    Posted(ctx, _, f, _): Posted<ProofForm>,
) -> UiResult {
    let mut so = f.so;
    so.truncate(32);
    let shown = Shown {
        proof: Some(so),
        ..Shown::default()
    };
    show(ctx, state, ip, code, shown).await
}

/// Whether `digits` prove the caller is the applicant, and what to say if not (too many
/// attempts at this dossier this minute, or digits that do not match).
async fn check_proof(
    state: &AppState,
    dossier: uuid::Uuid,
    s: &DossierState,
    digits: &str,
) -> Result<(bool, Option<String>), AppError> {
    let window = Utc::now().timestamp().div_euclid(60);
    if state.proof_attempts(dossier, window).await? > PROOFS_PER_MINUTE {
        return Ok((
            false,
            Some("Đã thử quá nhiều lần cho hồ sơ này. Vui lòng thử lại sau một phút.".to_string()),
        ));
    }
    if proves_applicant(s, digits) {
        return Ok((true, None));
    }
    Ok((
        false,
        Some(
            "Các số vừa nhập không khớp với số định danh cá nhân hoặc số điện thoại của người nộp hồ sơ."
                .to_string(),
        ),
    ))
}

/// The look-up form again, saying no dossier has `code` (404).
fn unknown_code(ctx: &Ctx, code: String) -> Response {
    ctx.render_status(
        StatusCode::NOT_FOUND,
        LookupForm {
            p: ctx.page(),
            error: Some(format!(
                "Không tìm thấy hồ sơ có mã «{code}». Vui lòng kiểm tra lại mã trên giấy tiếp nhận."
            )),
            ma: code,
        },
    )
}

/// The colour class of a status on the look-up page.
fn status_class(s: Status) -> &'static str {
    match s {
        Status::Returned | Status::Done | Status::Approved => "on-track",
        Status::Refused | Status::Stopped | Status::Rejected | Status::Withdrawn => "late",
        Status::AwaitingIntakeSupplement | Status::AwaitingSupplement => "due-soon",
        _ => "",
    }
}

pub(super) async fn show(
    ctx: Ctx,
    state: AppState,
    ip: ClientIp,
    code: String,
    shown: Shown,
) -> UiResult {
    let Shown {
        thanks,
        supplemented,
        proof,
        supplement_error,
    } = shown;
    let code = code.trim().to_string();
    // The API's public projection (and its rate limit): no personal data.
    let d = match state.public_dossier(ip.0, &code).await {
        Ok(d) => d,
        Err(AppError::NotFound(_)) => return Ok(unknown_code(&ctx, code)),
        Err(e) => return Ok(ctx.error(&e)),
    };
    let row = state.dossier(&code).await.or_page(&ctx)?;
    let s = dossiers::state_of(&row).or_page(&ctx)?;
    let owner = ctx
        .caller
        .as_ref()
        .is_some_and(|c| s.owner == Some(c.user.id));
    let (proved, proof_error) = match &proof {
        Some(digits) => check_proof(&state, row.id, &s, digits)
            .await
            .or_page(&ctx)?,
        None => (false, None),
    };
    let all_reasons = reasons(&s);
    let reasons_shown = owner || proved;
    let reasons_hidden = !reasons_shown && !all_reasons.is_empty();
    let p = ctx.page();
    let status_class = status_class(s.status);
    Ok(ctx.render(LookupPage {
        status: s.status.label_vi().to_string(),
        status_class,
        received: row.received_at.map(|t| p.datetime(&t)),
        appointment: row.appointment.map(|t| p.datetime(&t)),
        returned: row.returned_at.map(|t| p.datetime(&t)),
        steps: d
            .timeline
            .iter()
            .map(|e| Step {
                at: vn_text(&e.at),
                label: e.label.clone(),
            })
            .collect(),
        reasons: if reasons_shown {
            all_reasons
        } else {
            Vec::new()
        },
        reasons_hidden,
        proof_error,
        may_rate: may_rate(&ctx, &s),
        rated: s
            .rating
            .as_ref()
            .filter(|_| owner)
            .map(|r| (r.level.label_vi().to_string(), r.comment.clone())),
        version: row.seq,
        levels: RatingLevel::ALL
            .iter()
            .map(|l| (l.key(), l.label_vi()))
            .collect(),
        thanks,
        supplement: supplement_ask(owner, &s, supplement_error),
        supplemented,
        result: result_shown(&p, &row.code, &s).filter(|_| owner),
        ma: String::new(),
        error: None,
        d,
        p,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateForm {
    level: String,
    comment: String,
    version: i32,
}

/// The applicant's rating, through the state machine as `rate` (the API's
/// `POST /api/v1/dossiers/{code}/actions/rate`).
pub async fn rate(
    Path(code): Path<String>,
    Posted(ctx, caller, f, _): Posted<RateForm>,
) -> UiResult {
    let caller = match caller {
        Some(c) => c,
        None => {
            return Ok(Redirect::to(&format!(
                "/dang-nhap?next={}",
                urlencode(&format!("/tra-cuu/{code}"))
            ))
            .into_response());
        }
    };
    let state = &ctx.state;
    let row = state.dossier(code.trim()).await.or_page(&ctx)?;
    let Some(level) = RatingLevel::parse(&f.level) else {
        return Ok(ctx.error(&ApiError::invalid(
            "rating_level_required",
            "Vui lòng chọn mức độ hài lòng.",
        )));
    };
    // The same service as the API's actions: a citizen acts on their own dossier only.
    let action = DossierAction::Rate {
        level,
        comment: Some(f.comment),
    };
    if let Err(e) = state
        .act(
            &caller,
            &row.code,
            f.version,
            ActRequest::Other(Box::new(action)),
        )
        .await
    {
        return Ok(ctx.error(&e));
    }
    Ok(Redirect::to(&format!("/tra-cuu/{}?da_danh_gia=1", urlencode(&row.code))).into_response())
}

pub struct MyRow {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub submitted: String,
    pub appointment: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/portal/my_dossiers.html")]
struct MyDossiers {
    p: Page,
    rows: Vec<MyRow>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
}

const MY_PER_PAGE: i64 = 20;

pub async fn mine(ctx: Ctx, Query(q): Query<PageQuery>) -> UiResult {
    let caller = ctx.citizen()?;
    let state = &ctx.state;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let found = state
        .dossiers_lodged_by(caller.user.id, MY_PER_PAGE, (page - 1) * MY_PER_PAGE)
        .await
        .or_page(&ctx)?;
    let p = ctx.page();
    let mut rows = Vec::with_capacity(found.items.len());
    for r in &found.items {
        let procedure = state
            .in_force(&r.procedure_code, motcua_domain::vn_time::today())
            .await
            .map(|f| f.procedure.name.clone())
            .unwrap_or_else(|_| r.procedure_code.clone());
        let status = r.status.label_vi().to_string();
        rows.push(MyRow {
            code: r.code.clone(),
            procedure,
            status,
            submitted: p.datetime(&r.submitted_at),
            appointment: r.appointment.map(|t| p.datetime(&t)),
        });
    }
    let pages = ((found.total + MY_PER_PAGE - 1) / MY_PER_PAGE).max(1);
    Ok(ctx.render(MyDossiers {
        p,
        rows,
        total: found.total,
        page,
        pages,
    }))
}
