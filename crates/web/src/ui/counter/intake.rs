//! Receiving a dossier at the desk (`/mot-cua/tiep-nhan`): the procedure picked by search
//! (as-you-type with htmx, a plain search without JavaScript), the applicant, the channel, the
//! components checklist of the procedure with a scan per component, and the check's three
//! outcomes: receive (the receipt with its appointment), ask for a supplement, refuse.
//!
//! Everything is checked before anything is created (the applicant's data, the required
//! components, each scan's type by its content and its size): a form with a mistake comes back
//! (422) with what was typed and the message next to the field, and no dossier exists.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::auth::{Action, Role};
use motcua_domain::dossier::{Actor, Applicant, vietnam_date};
use motcua_store::{Agency, Created};
use serde::Deserialize;

use super::{Errors, desk_agencies};
use crate::api::documents::UploadParams;
use crate::auth::{Caller, ResolvedScope};
use crate::error::{ApiJson, ApiQuery, AppError};
use crate::service::catalogue::{SearchParams, search};
use crate::service::dossiers::{ApplicantInput, CreateDossier};
use crate::state::AppState;
use crate::ui::kit::{Ctx, Page, is_htmx};

/// A procedure found by the picker.
pub struct Hit {
    pub code: String,
    pub name: String,
    pub field: String,
    /// Said of the best match when the desk's agency does not apply it itself: who does.
    pub elsewhere: Option<String>,
}

/// One component (thành phần hồ sơ) of the chosen procedure in the checklist.
pub struct Comp {
    pub index: usize,
    pub name: String,
    /// The "Trường hợp ..." group it belongs to (empty: every applicant brings it).
    pub case: String,
    /// "Bản chính: 1; bản sao: 1" when the catalogue states it.
    pub quantity: String,
    pub required: bool,
    pub checked: bool,
    /// The message next to the component (not brought, or its scan refused).
    pub error: Option<String>,
}

/// The procedure chosen for the dossier.
pub struct Chosen {
    pub code: String,
    pub name: String,
    pub components: Vec<Comp>,
}

/// What the officer typed, sent back with the form.
#[derive(Default)]
pub struct Values {
    pub procedure: String,
    pub agency: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub channel: String,
    pub outcome: String,
    pub reason: String,
    pub missing: String,
    pub form_key: String,
}

#[derive(Template)]
#[template(path = "ui/counter/intake.html")]
struct Intake {
    p: Page,
    q: String,
    hits: Vec<Hit>,
    searched: bool,
    chosen: Option<Chosen>,
    agencies: Vec<Agency>,
    f: Values,
    errors: Errors,
    /// A problem that is not one field's (shown at the top).
    summary: Option<String>,
    /// Scans were sent with a form that came back: they must be chosen again.
    rescan: bool,
}

#[derive(Template)]
#[template(path = "ui/counter/procedure_hits.html")]
struct Hits {
    p: Page,
    hits: Vec<Hit>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "ui/counter/procedure_block.html")]
struct Block {
    p: Page,
    chosen: Option<Chosen>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    thu_tuc: String,
}

/// The desk's procedure search: the whole catalogue, ranked as the portal ranks it, except that
/// among equally good answers the procedures received in the agency's province come first (under
/// Decree 118/2025 a centre receives regardless of administrative boundary); the best match
/// says who applies it when the agency does not. A full code goes straight to its procedure.
async fn find(state: &AppState, q: &str, agency: Option<&Agency>) -> Result<Vec<Hit>, AppError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    if let Ok(row) = state.store.procedure(q).await
        && row.status == motcua_domain::catalogue::ProcedureStatus::Published
    {
        return Ok(vec![Hit {
            code: row.code,
            name: row.name,
            field: row.field,
            elsewhere: None,
        }]);
    }
    let receivers = match agency {
        Some(Agency {
            province_code: Some(province),
            ..
        }) => Some(
            state
                .search
                .receivers(state.store.as_ref(), province)
                .await?,
        ),
        Some(a) => Some(Arc::new(
            state
                .store
                .agency_procedures(a.id)
                .await?
                .into_iter()
                .map(|r| (r.code, vec![a.id]))
                .collect(),
        )),
        None => None,
    };
    let found = search(
        state.store.as_ref(),
        &state.search,
        SearchParams {
            q: Some(q.to_string()),
            prefer: receivers.clone(),
            limit: 12,
            ..Default::default()
        },
    )
    .await?;
    let mut hits: Vec<Hit> = found
        .items
        .into_iter()
        .map(|h| Hit {
            code: h.code,
            name: h.name,
            field: h.field,
            elsewhere: None,
        })
        .collect();
    if let (Some(best), Some(agency), Some(receivers)) = (hits.first_mut(), agency, receivers) {
        let by = receivers.get(&best.code).map(Vec::as_slice).unwrap_or(&[]);
        if !by.contains(&agency.id) {
            best.elsewhere = Some(match by.first() {
                Some(other) => format!(
                    "Thủ tục này do {} giải quyết; {} vẫn tiếp nhận hồ sơ không phụ thuộc địa giới hành chính (Nghị định 118/2025/NĐ-CP).",
                    state.store.get_agency(*other).await?.name,
                    agency.name
                ),
                None => "Chưa có cơ quan nào trong tỉnh áp dụng thủ tục này.".to_string(),
            });
        }
    }
    Ok(hits)
}

/// The procedure in force today with its checklist; `checked` are the components brought.
async fn chosen(
    state: &AppState,
    code: &str,
    checked: &BTreeSet<usize>,
) -> Result<Chosen, AppError> {
    let today = vietnam_date(chrono::Utc::now());
    let in_force = state
        .lookups
        .in_force(state.store.as_ref(), code.trim(), today)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::invalid(
                "unknown_procedure",
                format!("Không tìm thấy thủ tục \"{}\".", code.trim()),
            ),
            e => e,
        })?;
    if in_force.status != motcua_domain::catalogue::ProcedureStatus::Published {
        return Err(AppError::invalid(
            "procedure_not_published",
            "Thủ tục này không còn được tiếp nhận.",
        ));
    }
    let p = &in_force.procedure;
    let components = p
        .components
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let mut quantity = Vec::new();
            if let Some(n) = c.originals {
                quantity.push(format!("bản chính: {n}"));
            }
            if let Some(n) = c.copies {
                quantity.push(format!("bản sao: {n}"));
            }
            let case = c.case.clone().unwrap_or_default();
            Comp {
                index,
                name: c.name.clone(),
                required: c.is_required(),
                case,
                quantity: quantity.join("; "),
                checked: checked.contains(&index),
                error: None,
            }
        })
        .collect();
    Ok(Chosen {
        code: p.code.clone(),
        name: p.name.clone(),
        components,
    })
}

fn values_for(agencies: &[Agency]) -> Values {
    Values {
        agency: agencies.first().map(|a| a.code.clone()).unwrap_or_default(),
        channel: "counter".into(),
        outcome: "receive".into(),
        form_key: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    }
}

/// `GET /mot-cua/tiep-nhan`: the empty form; `?q=` searches procedures (without JavaScript),
/// `?thu_tuc=` picks one.
pub async fn page(ctx: Ctx, Query(q): Query<PageQuery>) -> Response {
    let caller = match ctx.counter() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let state = &ctx.state;
    let agencies = match desk_agencies(state, &caller).await {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    let hits = match find(state, &q.q, agencies.first()).await {
        Ok(h) => h,
        Err(e) => return ctx.error(&e),
    };
    let mut errors = Errors::default();
    let mut chosen_block = None;
    // One hit for a full code: pick it at once.
    let pick = if q.thu_tuc.trim().is_empty() && hits.len() == 1 && hits[0].code == q.q.trim() {
        hits[0].code.clone()
    } else {
        q.thu_tuc.trim().to_string()
    };
    if !pick.is_empty() {
        match chosen(state, &pick, &BTreeSet::new()).await {
            Ok(c) => chosen_block = Some(c),
            Err(e) if e.status().is_client_error() => errors.set("procedure", e.message_vi()),
            Err(e) => return ctx.error(&e),
        }
    }
    let mut f = values_for(&agencies);
    f.procedure = chosen_block
        .as_ref()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    ctx.render(Intake {
        p: ctx.page(),
        searched: !q.q.trim().is_empty(),
        q: q.q,
        hits,
        chosen: chosen_block,
        agencies,
        f,
        errors,
        summary: None,
        rescan: false,
    })
}

/// `GET /mot-cua/tiep-nhan/thu-tuc?q=`: the picker's results (a fragment for htmx, the whole
/// page otherwise).
pub async fn procedures(ctx: Ctx, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if !is_htmx(&headers) {
        let url = format!("/mot-cua/tiep-nhan?q={}", crate::ui::kit::urlencode(&q.q));
        return Redirect::to(&url).into_response();
    }
    let caller = match ctx.counter() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let agencies = match desk_agencies(&ctx.state, &caller).await {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    match find(&ctx.state, &q.q, agencies.first()).await {
        Ok(hits) => ctx.render(Hits {
            p: ctx.page(),
            searched: !q.q.trim().is_empty(),
            hits,
        }),
        Err(e) => ctx.error(&e),
    }
}

/// `GET /mot-cua/tiep-nhan/thanh-phan?thu_tuc=`: the chosen procedure with its checklist (a
/// fragment for htmx, the whole page otherwise).
pub async fn components(ctx: Ctx, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if !is_htmx(&headers) {
        let url = format!(
            "/mot-cua/tiep-nhan?thu_tuc={}",
            crate::ui::kit::urlencode(&q.thu_tuc)
        );
        return Redirect::to(&url).into_response();
    }
    if let Err(r) = ctx.counter() {
        return r;
    }
    let mut errors = Errors::default();
    let chosen_block = match chosen(&ctx.state, &q.thu_tuc, &BTreeSet::new()).await {
        Ok(c) => Some(c),
        Err(e) if e.status().is_client_error() => {
            errors.set("procedure", e.message_vi());
            None
        }
        Err(e) => return ctx.error(&e),
    };
    ctx.render(Block {
        p: ctx.page(),
        chosen: chosen_block,
        errors,
    })
}

/// The posted form.
#[derive(Default)]
struct Posted {
    csrf: String,
    values: Values,
    checked: BTreeSet<usize>,
    /// Scans by component index.
    scans: BTreeMap<usize, Bytes>,
}

async fn read_form(mut mp: Multipart) -> Result<Posted, AppError> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::service::documents::too_large(super::INTAKE_BODY_LIMIT)
        } else {
            AppError::bad_request(
                "upload_interrupted",
                "Biểu mẫu gửi lên bị gián đoạn. Vui lòng gửi lại.",
            )
        }
    };
    let mut f = Posted::default();
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(i) = name.strip_prefix("scan_") {
            let bytes = field.bytes().await.map_err(broken)?;
            if let Ok(i) = i.parse::<usize>()
                && !bytes.is_empty()
            {
                f.scans.insert(i, bytes);
            }
            continue;
        }
        let text = field.text().await.map_err(broken)?;
        let v = &mut f.values;
        match name.as_str() {
            "csrf" => f.csrf = text,
            "comp" => {
                if let Ok(i) = text.trim().parse() {
                    f.checked.insert(i);
                }
            }
            "procedure" => v.procedure = text.trim().to_string(),
            "agency" => v.agency = text.trim().to_string(),
            "name" => v.name = text,
            "id_number" => v.id_number = text.trim().to_string(),
            "phone" => v.phone = text.trim().to_string(),
            "email" => v.email = text.trim().to_string(),
            "address" => v.address = text,
            "channel" => v.channel = text,
            "outcome" => v.outcome = text,
            "reason" => v.reason = text,
            "missing" => v.missing = text,
            "form_key" => v.form_key = text,
            _ => {}
        }
    }
    Ok(f)
}

fn opt(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Every problem of the applicant's data, one per field (the domain's check stops at the
/// first, so it is asked again with each faulty field set aside).
fn applicant_errors(v: &Values, errors: &mut Errors) {
    let today = vietnam_date(chrono::Utc::now());
    let (mut name, mut id, mut phone, mut email) = (
        v.name.as_str(),
        v.id_number.as_str(),
        opt(&v.phone),
        opt(&v.email),
    );
    for _ in 0..4 {
        match Applicant::new(name, id, phone, email, opt(&v.address), today) {
            Ok(_) => return,
            Err(e) => {
                let field = e.field().as_str();
                errors.set(field, e.message_vi());
                match field {
                    "name" => name = "Nguyễn Văn A",
                    "id_number" => id = "001090000001",
                    "phone" => phone = None,
                    _ => email = None,
                }
            }
        }
    }
}

/// Lodges a paper dossier for the check without receiving it (the desk's supplement request
/// or refusal), with the API's authorisation of a counter intake.
async fn lodge(
    state: &AppState,
    caller: &Caller,
    input: CreateDossier,
) -> Result<(String, i32), AppError> {
    let agency = crate::api::agencies::agency_by_code(state, input.agency.trim()).await?;
    let scope = ResolvedScope::of(state, agency.id).await?;
    if !caller.principal().may(&Action::Receive(scope.scope())) {
        return Err(AppError::Forbidden);
    }
    let calendar = state.calendar.get(state.store.as_ref()).await?;
    let created = crate::service::dossiers::lodge_for_check(
        state.store.as_ref(),
        &state.lookups,
        &calendar,
        Actor {
            user: caller.user.id,
            role: Role::ReceivingOfficer,
        },
        input,
    )
    .await?;
    let code = match created {
        Created::New(c) | Created::Existing(c) => c,
    };
    let row = state.store.dossier_by_code(&code).await?;
    Ok((code, row.seq))
}

/// `POST /mot-cua/tiep-nhan` (multipart): checks everything, then creates the dossier, attaches
/// the scans and records the outcome; on a mistake the form comes back with 422.
pub async fn submit(ctx: Ctx, mp: Result<Multipart, MultipartRejection>) -> Response {
    let caller = match ctx.counter() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let mp = match mp {
        Ok(m) => m,
        // Not a multipart form: it carries no token this handler could read.
        Err(_) => {
            return match ctx.check_csrf("") {
                Err(r) => r,
                Ok(()) => ctx.error(&AppError::bad_request(
                    "invalid_form",
                    "Biểu mẫu không hợp lệ.",
                )),
            };
        }
    };
    let posted = match read_form(mp).await {
        Ok(f) => f,
        Err(e) => {
            return match ctx.check_csrf("") {
                Err(r) if e.status() != StatusCode::PAYLOAD_TOO_LARGE => r,
                _ => ctx.error(&e),
            };
        }
    };
    if let Err(r) = ctx.check_csrf(&posted.csrf) {
        return r;
    }
    let state = ctx.state.clone();
    let agencies = match desk_agencies(&state, &caller).await {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    let Posted {
        values: mut v,
        checked,
        scans,
        ..
    } = posted;
    let mut errors = Errors::default();

    // The receiving agency: the officer's desk.
    if v.agency.is_empty() && agencies.len() == 1 {
        v.agency = agencies[0].code.clone();
    }
    if !agencies.iter().any(|a| a.code == v.agency) {
        errors.set(
            "agency",
            "Chưa chọn nơi tiếp nhận (Bộ phận Một cửa của cán bộ).",
        );
    }
    // The procedure and its checklist; a scan counts as the component brought.
    let brought: BTreeSet<usize> = checked.iter().chain(scans.keys()).copied().collect();
    let mut chosen_block = None;
    if v.procedure.is_empty() {
        errors.set("procedure", "Chưa chọn thủ tục hành chính.");
    } else {
        match chosen(&state, &v.procedure, &brought).await {
            Ok(c) => chosen_block = Some(c),
            Err(e) if e.status().is_client_error() => errors.set("procedure", e.message_vi()),
            Err(e) => return ctx.error(&e),
        }
    }
    applicant_errors(&v, &mut errors);
    if !matches!(v.channel.as_str(), "counter" | "postal") {
        errors.set(
            "channel",
            "Chưa chọn hình thức nộp (trực tiếp hoặc qua bưu chính).",
        );
    }
    if !matches!(v.outcome.as_str(), "receive" | "supplement" | "refuse") {
        v.outcome = "receive".into();
    }
    let limit = state.config.max_upload_bytes;
    let mut missing: Vec<String> = v
        .missing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(c) = chosen_block.as_mut() {
        let not_brought: Vec<String> = c
            .components
            .iter()
            .filter(|k| k.required && !k.checked)
            .map(|k| k.name.trim_end_matches([';', '.', ',', ' ']).to_string())
            .collect();
        if v.outcome == "receive" && !not_brought.is_empty() {
            errors.set(
                "components",
                format!(
                    "Hồ sơ chưa đủ thành phần bắt buộc, chưa thể tiếp nhận. Còn thiếu: {}. Nếu người nộp chưa mang đủ, hãy chọn «Yêu cầu bổ sung».",
                    not_brought.join("; ")
                ),
            );
            for k in c.components.iter_mut().filter(|k| k.required && !k.checked) {
                k.error = Some("Thành phần bắt buộc: chưa đánh dấu đã nhận.".into());
            }
        }
        if v.outcome == "supplement" && missing.is_empty() {
            missing = not_brought;
        }
        for (i, bytes) in &scans {
            let Some(k) = c.components.get_mut(*i) else {
                continue;
            };
            if let Err(e) = crate::service::documents::inspect(bytes, limit).await {
                let message = e.message_vi();
                errors.set(format!("scan_{i}"), message.clone());
                k.error = Some(message);
            }
        }
    }
    match v.outcome.as_str() {
        "supplement" => {
            if missing.is_empty() {
                errors.set(
                    "missing",
                    "Cần ghi ít nhất một giấy tờ người nộp phải bổ sung.",
                );
            }
            if v.reason.trim().is_empty() {
                errors.set("reason", "Cần ghi lý do yêu cầu bổ sung, hoàn thiện hồ sơ.");
            }
        }
        "refuse" if v.reason.trim().is_empty() => {
            errors.set("reason", "Cần ghi lý do từ chối tiếp nhận hồ sơ.");
        }
        _ => {}
    }
    let back =
        |ctx: &Ctx, v: Values, chosen: Option<Chosen>, errors: Errors, summary: Option<String>| {
            let rescan = !scans.is_empty();
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                Intake {
                    p: ctx.page(),
                    q: String::new(),
                    hits: Vec::new(),
                    searched: false,
                    chosen,
                    agencies: agencies.clone(),
                    f: v,
                    errors,
                    summary,
                    rescan,
                },
            )
        };
    if !errors.is_empty() {
        return back(&ctx, v, chosen_block, errors, None);
    }
    let Some(chosen_block) = chosen_block else {
        return back(&ctx, v, None, errors, None);
    };

    // Everything checked: create, attach, decide.
    let input = CreateDossier {
        procedure: chosen_block.code.clone(),
        agency: v.agency.clone(),
        channel: v.channel.clone(),
        applicant: ApplicantInput {
            name: v.name.trim().to_string(),
            id_number: v.id_number.clone(),
            phone: opt(&v.phone).map(str::to_string),
            email: opt(&v.email).map(str::to_string),
            address: opt(&v.address).map(str::to_string),
        },
    };
    let created = if v.outcome == "receive" {
        let mut headers = HeaderMap::new();
        if let Ok(key) = HeaderValue::from_str(&format!("desk-{}", v.form_key.trim()))
            && uuid::Uuid::parse_str(v.form_key.trim()).is_ok()
        {
            headers.insert("idempotency-key", key);
        }
        crate::api::dossiers::create(
            State(state.clone()),
            caller.clone(),
            headers,
            ApiJson(input),
        )
        .await
        .map(|(status, Json(d))| (d.code, d.version, status == StatusCode::OK))
    } else {
        lodge(&state, &caller, input)
            .await
            .map(|(code, version)| (code, version, false))
    };
    let (code, mut version, repeated) = match created {
        Ok(c) => c,
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            return back(&ctx, v, Some(chosen_block), errors, Some(e.message_vi()));
        }
        Err(e) => return ctx.error(&e),
    };
    let target = format!("/mot-cua/ho-so/{code}");
    if repeated {
        // The same form sent twice: the first dossier stands.
        return ctx.finish(Redirect::to(&target).into_response());
    }
    let mut unsaved = 0;
    for (i, bytes) in scans {
        let Some(k) = chosen_block.components.get(i) else {
            continue;
        };
        let uploaded = crate::api::documents::upload(
            State(state.clone()),
            caller.clone(),
            crate::error::ApiPath(code.clone()),
            ApiQuery(UploadParams {
                component: k.name.clone(),
                version,
            }),
            HeaderMap::new(),
            Body::from(bytes),
        )
        .await;
        match uploaded {
            Ok((_, Json(a))) => version = a.version,
            Err(e) => {
                tracing::warn!(dossier = %code, error = %e, "a scan at the desk was not attached");
                unsaved += 1;
            }
        }
    }
    let decided = match v.outcome.as_str() {
        "supplement" => Some((
            "request_intake_supplement",
            serde_json::json!({"version": version, "reason": v.reason.trim(), "missing": missing}),
        )),
        "refuse" => Some((
            "refuse",
            serde_json::json!({"version": version, "reason": v.reason.trim()}),
        )),
        _ => None,
    };
    if let Some((action, body)) = decided
        && let Err(e) = crate::api::dossiers::act(
            State(state.clone()),
            caller.clone(),
            crate::error::ApiPath((code.clone(), action.to_string())),
            ApiJson(body),
        )
        .await
    {
        // Lodged, but the decision failed: the dossier page shows it waiting for the check.
        tracing::warn!(dossier = %code, error = %e, "the desk's decision was not recorded");
        return ctx.finish(Redirect::to(&format!("{target}?loi=quyet-dinh")).into_response());
    }
    let target = if unsaved > 0 {
        format!("{target}?loi=ban-quet&so={unsaved}")
    } else {
        format!("{target}?moi=1")
    };
    ctx.finish(Redirect::to(&target).into_response())
}
