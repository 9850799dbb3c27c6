//! Receiving a dossier at the desk (`/mot-cua/tiep-nhan`): the procedure picked by search
//! (as-you-type with htmx, a plain search without JavaScript), the applicant, the channel, the
//! components checklist of the procedure with a scan per component, and the check's three
//! outcomes: receive (the receipt with its appointment), ask for a supplement, refuse.
//!
//! Everything is checked before anything is created (the applicant's data, the required
//! components, each scan's type by its content and its size): a form with a mistake comes back
//! (422) with what was typed and the message next to the field, and no dossier exists.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::vietnam_date;
use motcua_store::Agency;
use serde::Deserialize;

use super::{Errors, desk, desk_agencies};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::applicant::ApplicantForm;
use crate::ui::form::{self, OrPage, UiResult};
use crate::ui::kit::{Ctx, Page, is_htmx};
use motcua_app::AppError;
use motcua_app::acting::ActRequest;
use motcua_app::dossiers::{ComponentInput, CreateDossier};

/// A procedure found by the picker.
pub use motcua_app::catalogue::DeskHit as Hit;

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
    /// Bản chính and bản sao received, as typed (the catalogue's numbers to start with).
    pub originals: String,
    pub copies: String,
    /// The message next to the component (not brought, or its scan refused).
    pub error: Option<String>,
    /// Its scan kept from the form sent back (sent again without choosing it again).
    pub kept: Option<motcua_app::held::HeldFile>,
}

impl Comp {
    /// The numbers of originals and copies typed, when both are 0 to 99 (blank is 0).
    fn pieces(&self) -> Option<(u32, u32)> {
        let n = |t: &str| -> Option<u32> {
            let t = t.trim();
            if t.is_empty() {
                return Some(0);
            }
            t.parse::<u32>()
                .ok()
                .filter(|n| *n <= motcua_domain::dossier::MAX_COMPONENT_PIECES)
        };
        Some((n(&self.originals)?, n(&self.copies)?))
    }
}

/// The checklist as posted: the components ticked and the numbers typed next to them.
#[derive(Default)]
struct Ticks {
    checked: BTreeSet<usize>,
    originals: BTreeMap<usize, String>,
    copies: BTreeMap<usize, String>,
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
    pub applicant: ApplicantForm,
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
    /// Scans sent with a form that came back could not all be kept: choose them again.
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
#[serde(default)]
pub struct PageQuery {
    q: String,
    thu_tuc: String,
}

/// The desk's procedure search (see [`motcua_app::state::App::desk_search`]).
async fn find(state: &AppState, q: &str, agency: Option<&Agency>) -> Result<Vec<Hit>, ApiError> {
    Ok(state.desk_search(q, agency).await?)
}

/// The procedure in force today with its checklist, with what `ticks` says was brought.
async fn chosen(state: &AppState, code: &str, ticks: &Ticks) -> Result<Chosen, ApiError> {
    let today = vietnam_date(chrono::Utc::now());
    let in_force = state
        .in_force(code.trim(), today)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::invalid(
                "unknown_procedure",
                format!("Không tìm thấy thủ tục \"{}\".", code.trim()),
            ),
            e => e,
        })?;
    if in_force.status != motcua_domain::catalogue::ProcedureStatus::Published {
        return Err(ApiError::invalid(
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
            // The catalogue's numbers to start with; one original when it states none.
            let (originals, copies) = match (c.originals.unwrap_or(0), c.copies.unwrap_or(0)) {
                (0, 0) => (1, 0),
                n => n,
            };
            let typed = |m: &BTreeMap<usize, String>, default: u32| {
                m.get(&index)
                    .cloned()
                    .unwrap_or_else(|| default.to_string())
            };
            Comp {
                index,
                name: c.name.clone(),
                required: c.is_required(),
                case,
                quantity: quantity.join("; "),
                checked: ticks.checked.contains(&index),
                originals: typed(&ticks.originals, originals),
                copies: typed(&ticks.copies, copies),
                error: None,
                kept: None,
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
pub async fn page(ctx: Ctx, Query(q): Query<PageQuery>) -> UiResult {
    let (_, agencies) = desk(&ctx).await?;
    let state = &ctx.state;
    let hits = find(state, &q.q, agencies.first()).await.or_page(&ctx)?;
    let mut errors = Errors::default();
    let mut chosen_block = None;
    // One hit for a full code: pick it at once.
    let pick = if q.thu_tuc.trim().is_empty() && hits.len() == 1 && hits[0].code == q.q.trim() {
        hits[0].code.clone()
    } else {
        q.thu_tuc.trim().to_string()
    };
    if !pick.is_empty() {
        match chosen(state, &pick, &Ticks::default()).await {
            Ok(c) => chosen_block = Some(c),
            Err(e) if e.status().is_client_error() => errors.set("procedure", e.message_vi()),
            Err(e) => return Err(ctx.error(&e).into()),
        }
    }
    let mut f = values_for(&agencies);
    f.procedure = chosen_block
        .as_ref()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    Ok(ctx.render(Intake {
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
    }))
}

/// `GET /mot-cua/tiep-nhan/thu-tuc?q=`: the picker's results (a fragment for htmx, the whole
/// page otherwise).
pub async fn procedures(ctx: Ctx, headers: HeaderMap, Query(q): Query<PageQuery>) -> UiResult {
    if !is_htmx(&headers) {
        let url = format!("/mot-cua/tiep-nhan?q={}", crate::ui::kit::urlencode(&q.q));
        return Ok(Redirect::to(&url).into_response());
    }
    let (_, agencies) = desk(&ctx).await?;
    let hits = find(&ctx.state, &q.q, agencies.first())
        .await
        .or_page(&ctx)?;
    Ok(ctx.render(Hits {
        p: ctx.page(),
        searched: !q.q.trim().is_empty(),
        hits,
    }))
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
    let chosen_block = match chosen(&ctx.state, &q.thu_tuc, &Ticks::default()).await {
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
struct IntakeForm {
    csrf: String,
    values: Values,
    ticks: Ticks,
    /// Scans by component index, with their file names.
    scans: BTreeMap<usize, Bytes>,
    names: BTreeMap<usize, String>,
    /// Tokens of scans kept from the form sent back (`kept_{i}`), by component index.
    kept: BTreeMap<usize, String>,
}

async fn read_form(mut mp: Multipart) -> Result<IntakeForm, ApiError> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            motcua_app::documents::too_large(super::INTAKE_BODY_LIMIT).into()
        } else {
            ApiError::bad_request(
                "upload_interrupted",
                "Biểu mẫu gửi lên bị gián đoạn. Vui lòng gửi lại.",
            )
        }
    };
    let mut f = IntakeForm::default();
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(i) = name.strip_prefix("scan_") {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(broken)?;
            if let Ok(i) = i.parse::<usize>()
                && !bytes.is_empty()
            {
                f.scans.insert(i, bytes);
                f.names.insert(i, file_name);
            }
            continue;
        }
        let text = field.text().await.map_err(broken)?;
        let v = &mut f.values;
        match name.as_str() {
            "csrf" => f.csrf = text,
            "comp" => {
                if let Ok(i) = text.trim().parse() {
                    f.ticks.checked.insert(i);
                }
            }
            n if n.starts_with("orig_") || n.starts_with("copy_") => {
                if let Ok(i) = n[5..].parse::<usize>() {
                    let m = if n.starts_with("orig_") {
                        &mut f.ticks.originals
                    } else {
                        &mut f.ticks.copies
                    };
                    m.insert(i, text.chars().take(8).collect());
                }
            }
            "procedure" => v.procedure = text.trim().to_string(),
            "agency" => v.agency = text.trim().to_string(),
            "channel" => v.channel = text,
            "outcome" => v.outcome = text,
            "reason" => v.reason = text,
            "missing" => v.missing = text,
            "form_key" => v.form_key = text,
            n if n.starts_with("kept_") => {
                if let Ok(i) = n[5..].parse::<usize>() {
                    f.kept.insert(i, text);
                }
            }
            other => {
                v.applicant.take(other, text);
            }
        }
    }
    Ok(f)
}

/// The form sent back (422) with what was typed and its mistakes; scans sent must be chosen
/// again (`rescan`).
fn send_back(ctx: &Ctx, agencies: &[Agency], back: Back, rescan: bool) -> Response {
    ctx.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        Intake {
            p: ctx.page(),
            q: String::new(),
            hits: Vec::new(),
            searched: false,
            chosen: back.chosen,
            agencies: agencies.to_vec(),
            f: back.values,
            errors: back.errors,
            summary: back.summary,
            rescan,
        },
    )
}

/// What a form sent back shows.
struct Back {
    values: Values,
    chosen: Option<Chosen>,
    errors: Errors,
    summary: Option<String>,
    /// The scans sent, when the service refused the dossier after its checks passed.
    scans: Option<BTreeMap<usize, Bytes>>,
}

/// Reads the multipart form once; a body that cannot be read is refused (the "form expired"
/// page when no token came with it either), and so is a wrong token.
async fn read_posted(
    ctx: &Ctx,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<IntakeForm, Response> {
    let mp = match mp {
        Ok(m) => m,
        // Not a multipart form: it carries no token this handler could read.
        Err(_) => {
            return Err(match ctx.check_csrf("") {
                Err(r) => r,
                Ok(()) => ctx.error(&ApiError::bad_request(
                    "invalid_form",
                    "Biểu mẫu không hợp lệ.",
                )),
            });
        }
    };
    let posted = match read_form(mp).await {
        Ok(f) => f,
        Err(e) => {
            return Err(match ctx.check_csrf("") {
                Err(r) if e.status() != StatusCode::PAYLOAD_TOO_LARGE => r,
                _ => ctx.error(&e),
            });
        }
    };
    ctx.check_csrf(&posted.csrf)?;
    Ok(posted)
}

/// The checklist against the outcome: receiving needs every required component; a
/// supplement request without a list asks for those not brought; each scan is checked.
async fn check_components(
    c: &mut Chosen,
    v: &Values,
    scans: &BTreeMap<usize, Bytes>,
    limit: usize,
    errors: &mut Errors,
    missing: &mut Vec<String>,
) {
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
        *missing = not_brought;
    }
    for k in c.components.iter_mut().filter(|k| k.checked) {
        let message = match k.pieces() {
            None => "Số bản chính, bản sao phải từ 0 đến 99.",
            Some((0, 0)) if !scans.contains_key(&k.index) => {
                "Ghi số bản chính hoặc bản sao đã nhận (hoặc đính kèm bản quét)."
            }
            Some(_) => continue,
        };
        errors.set(format!("pieces_{}", k.index), message);
        k.error = Some(message.into());
    }
    for (i, bytes) in scans {
        let Some(k) = c.components.get_mut(*i) else {
            continue;
        };
        if let Err(e) = motcua_app::documents::inspect(bytes, limit).await {
            let message = e.message_vi();
            errors.set(format!("scan_{i}"), message.clone());
            k.error = Some(message);
        }
    }
}

/// Everything the desk's form must hold before anything is created: the desk, the procedure
/// with its required components brought, the applicant, the channel, each scan, and the
/// outcome's reason and missing items. Returns the chosen procedure, the missing items and
/// the mistakes.
async fn check_intake(
    ctx: &Ctx,
    agencies: &[Agency],
    v: &mut Values,
    ticks: &Ticks,
    scans: &BTreeMap<usize, Bytes>,
) -> Result<(Option<Chosen>, Vec<String>, Errors), Response> {
    let state = &ctx.state;
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
    let brought = Ticks {
        checked: ticks.checked.iter().chain(scans.keys()).copied().collect(),
        originals: ticks.originals.clone(),
        copies: ticks.copies.clone(),
    };
    let mut chosen_block = None;
    if v.procedure.is_empty() {
        errors.set("procedure", "Chưa chọn thủ tục hành chính.");
    } else {
        match chosen(state, &v.procedure, &brought).await {
            Ok(c) => chosen_block = Some(c),
            Err(e) if e.status().is_client_error() => errors.set("procedure", e.message_vi()),
            Err(e) => return Err(ctx.error(&e)),
        }
    }
    for (field, message) in v.applicant.problems(vietnam_date(chrono::Utc::now())) {
        errors.set(field.as_str(), message);
    }
    if !matches!(v.channel.as_str(), "counter" | "postal") {
        errors.set(
            "channel",
            "Chưa chọn hình thức nộp (trực tiếp hoặc qua bưu chính).",
        );
    }
    if !matches!(v.outcome.as_str(), "receive" | "supplement" | "refuse") {
        v.outcome = "receive".into();
    }
    let mut missing = missing_list(&v.missing);
    if let Some(c) = chosen_block.as_mut() {
        check_components(
            c,
            v,
            scans,
            state.config.max_upload_bytes,
            &mut errors,
            &mut missing,
        )
        .await;
    }
    check_outcome(&v.outcome, &v.reason, &missing, &mut errors);
    Ok((chosen_block, missing, errors))
}

/// The documents a supplement request asks for, one a line.
pub(super) fn missing_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A supplement request needs what is missing and why; a refusal needs why.
pub(super) fn check_outcome(outcome: &str, reason: &str, missing: &[String], errors: &mut Errors) {
    match outcome {
        "supplement" => {
            if missing.is_empty() {
                errors.set(
                    "missing",
                    "Cần ghi ít nhất một giấy tờ người nộp phải bổ sung.",
                );
            }
            if reason.trim().is_empty() {
                errors.set("reason", "Cần ghi lý do yêu cầu bổ sung, hoàn thiện hồ sơ.");
            }
        }
        "refuse" if reason.trim().is_empty() => {
            errors.set("reason", "Cần ghi lý do từ chối tiếp nhận hồ sơ.");
        }
        _ => {}
    }
}

/// `POST /mot-cua/tiep-nhan` (multipart): checks everything, then creates the dossier, attaches
/// the scans and records the outcome; on a mistake the form comes back with 422.
pub async fn submit(ctx: Ctx, mp: Result<Multipart, MultipartRejection>) -> Response {
    let caller = match ctx.counter() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let posted = match read_posted(&ctx, mp).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let agencies = match desk_agencies(&ctx.state, &caller).await {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    let IntakeForm {
        values: mut v,
        ticks,
        mut scans,
        mut names,
        kept,
        ..
    } = posted;
    let lost = take_kept(&ctx, kept, &mut scans, &mut names).await;
    let (chosen_block, missing, mut errors) =
        match check_intake(&ctx, &agencies, &mut v, &ticks, &scans).await {
            Ok(c) => c,
            Err(r) => return r,
        };
    let mut chosen_block = chosen_block;
    for (i, message) in lost {
        errors.set(format!("scan_{i}"), message.clone());
        if let Some(k) = chosen_block.as_mut().and_then(|c| c.components.get_mut(i)) {
            k.error.get_or_insert(message);
        }
    }
    let chosen_block = match chosen_block {
        Some(c) if errors.is_empty() => c,
        mut chosen => {
            let rescan = keep_scans(&ctx, chosen.as_mut(), &scans, &names, &errors).await;
            let back = Back {
                values: v,
                chosen,
                errors,
                summary: None,
                scans: None,
            };
            return send_back(&ctx, &agencies, back, rescan);
        }
    };
    let intake = Checked {
        caller,
        chosen: chosen_block,
        values: v,
        missing,
        scans,
    };
    let kept_names = names;
    match record(&ctx, intake).await {
        Ok(r) => r,
        Err(back) => {
            let mut back = *back;
            let rescan = match back.scans.take() {
                Some(scans) => {
                    keep_scans(
                        &ctx,
                        back.chosen.as_mut(),
                        &scans,
                        &kept_names,
                        &back.errors,
                    )
                    .await
                }
                None => false,
            };
            send_back(&ctx, &agencies, back, rescan)
        }
    }
}

/// The scans kept from the form sent back, read again for the components not given a new
/// file; returns the components whose kept scan is gone, with the message to show.
async fn take_kept(
    ctx: &Ctx,
    kept: BTreeMap<usize, String>,
    scans: &mut BTreeMap<usize, Bytes>,
    names: &mut BTreeMap<usize, String>,
) -> Vec<(usize, String)> {
    let (taken, lost) = form::take_kept(ctx, kept, |i| scans.contains_key(&i)).await;
    for (i, name, bytes) in taken {
        scans.insert(i, bytes);
        names.insert(i, name);
    }
    lost
}

/// Keeps each scan that passed its checks for the form going back; `true` when some scan
/// could not be kept (it must be chosen again).
async fn keep_scans(
    ctx: &Ctx,
    chosen: Option<&mut Chosen>,
    scans: &BTreeMap<usize, Bytes>,
    names: &BTreeMap<usize, String>,
    errors: &Errors,
) -> bool {
    let Some(chosen) = chosen else {
        return !scans.is_empty();
    };
    let passed = scans
        .iter()
        .filter(|(i, _)| **i < chosen.components.len() && !errors.has(&format!("scan_{i}")))
        .map(|(i, b)| (*i, names.get(i).cloned().unwrap_or_default(), b.clone()))
        .collect();
    let (kept, lost) = form::keep_files(ctx, passed).await;
    for (i, f) in kept {
        chosen.components[i].kept = Some(f);
    }
    lost
}

/// A checked intake to record.
struct Checked {
    caller: crate::auth::Caller,
    chosen: Chosen,
    values: Values,
    missing: Vec<String>,
    scans: BTreeMap<usize, Bytes>,
}

/// Attaches the desk's scans to the new dossier `code` (at `version`), each to its component;
/// returns how many could not be attached (logged; the dossier page says so) and the
/// dossier's version after.
async fn attach_scans(
    ctx: &Ctx,
    caller: &crate::auth::Caller,
    chosen: &Chosen,
    code: &str,
    mut version: i32,
    scans: BTreeMap<usize, Bytes>,
) -> (usize, i32) {
    let state = &ctx.state;
    let mut unsaved = 0;
    for (i, bytes) in scans {
        let Some(k) = chosen.components.get(i) else {
            continue;
        };
        let limit = state.config.max_upload_bytes;
        let uploaded = state
            .upload_document(caller, code, version, &k.name, async { Ok(bytes) }, limit)
            .await;
        match uploaded {
            Ok(a) => version = a.version,
            Err(e) => {
                tracing::warn!(dossier = %code, error = %e, "a scan at the desk was not attached");
                unsaved += 1;
            }
        }
    }
    (unsaved, version)
}

/// The components ticked (or scanned), with the numbers typed, as the dossier records them.
fn received(chosen: &Chosen, scans: &BTreeMap<usize, Bytes>) -> Vec<ComponentInput> {
    chosen
        .components
        .iter()
        .filter(|k| k.checked)
        .map(|k| {
            let (originals, copies) = k.pieces().unwrap_or_default();
            ComponentInput {
                component: k.name.clone(),
                originals,
                copies,
                electronic: scans.contains_key(&k.index),
            }
        })
        .collect()
}

/// The desk's decision on the lodged dossier `code` (at `version`): a supplement request or
/// a refusal; receiving needs none.
async fn decide_outcome(
    ctx: &Ctx,
    caller: &crate::auth::Caller,
    code: &str,
    version: i32,
    v: &Values,
    missing: Vec<String>,
) -> Result<(), AppError> {
    let (action, body) = match v.outcome.as_str() {
        "supplement" => (
            "request_intake_supplement",
            serde_json::json!({"version": version, "reason": v.reason.trim(), "missing": missing}),
        ),
        "refuse" => (
            "refuse",
            serde_json::json!({"version": version, "reason": v.reason.trim()}),
        ),
        _ => return Ok(()),
    };
    let (version, request) = ActRequest::from_body(action, body)?;
    ctx.state.act(caller, code, version, request).await?;
    Ok(())
}

/// Creates the dossier, attaches the scans and records the outcome, then goes to the
/// dossier's page; `Err` sends the form back with the service's refusal.
async fn record(ctx: &Ctx, intake: Checked) -> Result<Response, Box<Back>> {
    let state = &ctx.state;
    let Checked {
        caller,
        chosen: chosen_block,
        values: v,
        missing,
        scans,
    } = intake;
    // Everything checked: create, attach, decide.
    let input = CreateDossier {
        procedure: chosen_block.code.clone(),
        agency: v.agency.clone(),
        channel: v.channel.clone(),
        applicant: v.applicant.input(),
        components: received(&chosen_block, &scans),
        authorisation: None,
    };
    let created = if v.outcome == "receive" {
        let key = uuid::Uuid::parse_str(v.form_key.trim())
            .is_ok()
            .then(|| format!("desk-{}", v.form_key.trim()));
        state
            .lodge(&caller, input, key.as_deref())
            .await
            .map(|(fresh, row)| (row.code, row.seq, !fresh))
    } else {
        state
            .lodge_for_check(&caller, input)
            .await
            .map(|row| (row.code, row.seq, false))
    };
    let (code, version, repeated) = match created {
        Ok(c) => c,
        Err(e) => {
            let e = ApiError::from(e);
            if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN {
                return Err(Box::new(Back {
                    values: v,
                    chosen: Some(chosen_block),
                    errors: Errors::default(),
                    summary: Some(e.message_vi()),
                    scans: Some(scans),
                }));
            }
            return Ok(ctx.error(&e));
        }
    };
    let target = format!("/mot-cua/ho-so/{code}");
    if repeated {
        // The same form sent twice: the first dossier stands.
        return Ok(ctx.finish(Redirect::to(&target).into_response()));
    }
    let (unsaved, version) = attach_scans(ctx, &caller, &chosen_block, &code, version, scans).await;
    if let Err(e) = decide_outcome(ctx, &caller, &code, version, &v, missing).await {
        // Lodged, but the decision failed: the dossier page shows it waiting for the check.
        tracing::warn!(dossier = %code, error = %e, "the desk's decision was not recorded");
        return Ok(ctx.finish(Redirect::to(&format!("{target}?loi=quyet-dinh")).into_response()));
    }
    let target = if unsaved > 0 {
        format!("{target}?loi=ban-quet&so={unsaved}")
    } else {
        format!("{target}?moi=1")
    };
    Ok(ctx.finish(Redirect::to(&target).into_response()))
}
