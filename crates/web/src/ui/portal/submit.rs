//! `/thu-tuc/{ma}/nop`: online submission by a signed-in citizen. The applicant's data, the
//! agency, and one file (or a document already held) per component; everything is checked
//! (the applicant's data by the domain's rules, each file's type by its content, its size,
//! the required components) before the dossier is created, so a mistake creates nothing and
//! the form comes back with what was typed and the error next to its field (422).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::ApplicantField;
use motcua_store::Agency;

use super::catalogue::{component_label, online_allowed, quantity};
use crate::error::ApiError;
use crate::ui::applicant::ApplicantForm;
use crate::ui::form::{self, OrPage, UiResult, UploadBody};
use crate::ui::kit::{Ctx, Page};
use motcua_app::documents::{self as docs, DocumentView};
use motcua_app::dossiers::{AuthorisationInput, ComponentInput, CreateDossier};
use motcua_app::online::OnlineFile;
use motcua_app::{AppError, InvalidKind};

/// A document already held that may stand for a component.
pub struct Held {
    pub sha256: String,
    pub label: String,
    pub checked: bool,
}

/// One component's row of the form.
pub struct ComponentField {
    pub index: usize,
    pub name: String,
    pub quantity: String,
    pub required: bool,
    pub held: Vec<Held>,
    pub error: Option<String>,
    /// Its file kept from the form sent back.
    pub kept: Option<motcua_app::held::HeldFile>,
}

#[derive(Default, Clone)]
pub struct Values {
    pub applicant: ApplicantForm,
    pub agency: String,
    pub key: String,
    /// Lodged for someone else under an authorisation (#20).
    pub auth: AuthValues,
}

/// The authorisation part of the form: the authoriser (the applicant) and the document.
#[derive(Default, Clone)]
pub struct AuthValues {
    pub for_other: bool,
    pub name: String,
    pub id_number: String,
    pub scope: String,
    pub number: String,
}

#[derive(Default)]
pub struct Errors {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub agency: Option<String>,
    pub authorisation: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        self.authorisation.is_some()
            || self.name.is_some()
            || self.id_number.is_some()
            || self.phone.is_some()
            || self.email.is_some()
            || self.agency.is_some()
    }
}

#[derive(Template)]
#[template(path = "ui/portal/submit.html")]
struct SubmitPage {
    p: Page,
    code: String,
    procedure: String,
    v: Values,
    e: Errors,
    agencies: Vec<Agency>,
    components: Vec<ComponentField>,
    /// A mistake somewhere: the summary at the top.
    summary: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/portal/submitted.html")]
struct Submitted {
    p: Page,
    code: String,
    status: String,
    procedure: String,
    files: usize,
}

/// What the form needs besides the typed values.
struct Setup {
    code: String,
    name: String,
    spec: Vec<motcua_domain::catalogue::ComponentSpec>,
    agencies: Vec<Agency>,
    held: Vec<DocumentView>,
}

async fn setup(ctx: &Ctx, code: &str, user: uuid::Uuid) -> Result<Setup, Response> {
    let state = &ctx.state;
    let in_force = state
        .in_force(code.trim(), motcua_domain::vn_time::today())
        .await
        .map_err(|e| ctx.error(&e))?;
    if in_force.status != motcua_domain::catalogue::ProcedureStatus::Published {
        return Err(ctx.error(&ApiError::NotFound("thủ tục hành chính")));
    }
    let p = &in_force.procedure;
    if !online_allowed(p) {
        return Err(ctx.error(&ApiError::Conflict {
            code: "online_not_offered",
            message: "Thủ tục này không hỗ trợ nộp hồ sơ trực tuyến.".into(),
        }));
    }
    let agencies = state
        .agencies_applying(&p.code, 200)
        .await
        .map_err(|e| ctx.error(&e))?;
    let held = state
        .reusable_documents(user)
        .await
        .map_err(|e| ctx.error(&e))?;
    Ok(Setup {
        code: p.code.clone(),
        name: p.name.clone(),
        spec: p.components.clone(),
        agencies,
        held,
    })
}

fn component_fields(
    s: &Setup,
    reused: &HashMap<usize, Vec<String>>,
    errors: &HashMap<usize, String>,
) -> Vec<ComponentField> {
    // Rows of the catalogue that are notes (a quantity of zero) are not asked for.
    s.spec
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_paper())
        .map(|(i, c)| {
            let chosen = reused.get(&i);
            ComponentField {
                index: i,
                name: component_label(c),
                quantity: quantity(c),
                required: c.is_required(),
                held: s
                    .held
                    .iter()
                    .map(|d| Held {
                        sha256: d.sha256.clone(),
                        label: format!("{} (hồ sơ {})", d.component, d.dossier),
                        checked: chosen.is_some_and(|c| c.contains(&d.sha256)),
                    })
                    .collect(),
                error: errors.get(&i).cloned(),
                kept: None,
            }
        })
        .collect()
}

/// The component's name as a document is attached to it (the domain's length limit).
fn component_name(c: &motcua_domain::catalogue::ComponentSpec) -> String {
    motcua_domain::dossier::component_key(&c.name)
}

pub async fn form(ctx: Ctx, Path(code): Path<String>) -> UiResult {
    let caller = ctx.citizen()?;
    let s = setup(&ctx, &code, caller.user.id).await?;
    // Online dossiers carry the account's own ID number: an account not yet bound is told so.
    let state = &ctx.state;
    let own = state
        .own_id_number(caller.user.id, "")
        .await
        .or_page(&ctx)?;
    // What the identity provider said of the person (#20) fills the form too.
    let profile = state.profile_of(caller.user.id).await.or_page(&ctx)?;
    let v = Values {
        applicant: ApplicantForm {
            name: caller.user.full_name.clone(),
            id_number: own.as_str().to_string(),
            address: profile.address.unwrap_or_default(),
            ..ApplicantForm::default()
        },
        agency: if s.agencies.len() == 1 {
            s.agencies[0].code.clone()
        } else {
            String::new()
        },
        key: uuid::Uuid::new_v4().to_string(),
        auth: AuthValues::default(),
    };
    let components = component_fields(&s, &HashMap::new(), &HashMap::new());
    Ok(ctx.render(SubmitPage {
        p: ctx.page(),
        code: s.code,
        procedure: s.name,
        v,
        e: Errors::default(),
        agencies: s.agencies,
        components,
        summary: None,
    }))
}

/// What the browser sent.
#[derive(Default)]
struct Sent {
    v: Values,
    files: HashMap<usize, Bytes>,
    /// Files over the size limit, by component.
    too_large: HashSet<usize>,
    reuse: HashMap<usize, Vec<String>>,
    /// File names by component, and tokens of files kept from the form sent back.
    names: HashMap<usize, String>,
    kept: HashMap<usize, String>,
}

/// The component a field is for (`file_{i}`, `reuse_{i}`, `kept_{i}`).
fn index(name: &str, prefix: &str) -> Option<usize> {
    name.strip_prefix(prefix)
        .and_then(|i| i.parse::<usize>().ok())
}

/// The form read: text fields, one file per component (`file_{i}`), held documents chosen
/// (`reuse_{i}`).
fn sent_of(form: form::MultipartForm) -> Sent {
    let mut sent = Sent::default();
    for name in form.too_large {
        sent.too_large.extend(index(&name, "file_"));
    }
    for (name, bytes) in form.files {
        if let Some(i) = index(&name, "file_") {
            if let Some(n) = form.file_names.get(&name) {
                sent.names.insert(i, n.clone());
            }
            sent.files.insert(i, bytes);
        }
    }
    for (name, text) in form.texts {
        if let Some(i) = index(&name, "reuse_") {
            sent.reuse.entry(i).or_default().push(text);
            continue;
        }
        if let Some(i) = index(&name, "kept_") {
            sent.kept.insert(i, text);
            continue;
        }
        let v = &mut sent.v;
        match name.as_str() {
            "agency" => v.agency = text,
            "key" => v.key = text,
            "for_other" => v.auth.for_other = text == "1",
            "auth_name" => v.auth.name = text,
            "auth_id_number" => v.auth.id_number = text,
            "auth_scope" => v.auth.scope = text,
            "auth_number" => v.auth.number = text,
            other => {
                v.applicant.take(other, text);
            }
        }
    }
    sent
}

/// Every problem of the applicant's data, one per field.
fn applicant_errors(v: &Values, today: chrono::NaiveDate) -> Errors {
    let mut e = Errors::default();
    for (field, message) in v.applicant.problems(today) {
        let slot = match field {
            ApplicantField::Name => &mut e.name,
            ApplicantField::IdNumber => &mut e.id_number,
            ApplicantField::Phone => &mut e.phone,
            ApplicantField::Email => &mut e.email,
        };
        *slot = Some(message);
    }
    e
}

/// The components' files checked: each file by content and size, each held document among
/// the citizen's, each required component given. Returns the mistakes by component, the
/// uploads and the re-uses.
async fn check_components(s: &Setup, sent: &Sent, limit: usize) -> Checked {
    let held: HashSet<&str> = s.held.iter().map(|d| d.sha256.as_str()).collect();
    let mut c = Checked::default();
    for (i, spec) in s.spec.iter().enumerate().filter(|(_, c)| c.is_paper()) {
        let mut given = false;
        let mut shas: HashSet<String> = HashSet::new();
        if sent.too_large.contains(&i) {
            c.errors.insert(i, docs::too_large(limit).message_vi());
            continue;
        }
        if let Some(bytes) = sent.files.get(&i) {
            match docs::inspect(bytes, limit).await {
                Ok((_, sha)) => {
                    shas.insert(sha);
                    c.uploads.push((i, bytes.clone()));
                    given = true;
                }
                Err(err) => {
                    c.errors.insert(i, err.message_vi());
                    continue;
                }
            }
        }
        for sha in sent.reuse.get(&i).into_iter().flatten() {
            if sent.v.auth.for_other {
                c.errors.insert(
                    i,
                    "Giấy tờ trong kho dữ liệu của bạn không dùng cho hồ sơ của người khác: \
                     vui lòng tải tệp lên."
                        .into(),
                );
                break;
            }
            if !held.contains(sha.as_str()) {
                c.errors.insert(
                    i,
                    "Không có giấy tờ này trong dữ liệu đã số hóa của bạn.".into(),
                );
                break;
            }
            if shas.insert(sha.clone()) {
                c.reuses.push((i, sha.clone()));
            }
            given = true;
        }
        if !given && spec.is_required() && !c.errors.contains_key(&i) {
            c.errors.insert(
                i,
                "Thành phần hồ sơ bắt buộc: vui lòng chọn tệp hoặc giấy tờ đã có.".into(),
            );
        }
    }
    c
}

/// The components of a sent form, checked.
#[derive(Default)]
struct Checked {
    errors: HashMap<usize, String>,
    uploads: Vec<(usize, Bytes)>,
    reuses: Vec<(usize, String)>,
}

/// The form sent back (422) with what was typed, the mistakes and a summary at the top.
fn send_back(
    ctx: &Ctx,
    s: &Setup,
    sent: &Sent,
    e: Errors,
    comp_errors: &HashMap<usize, String>,
    mut kept: BTreeMap<usize, motcua_app::held::HeldFile>,
    summary: String,
) -> Response {
    let mut components = component_fields(s, &sent.reuse, comp_errors);
    for c in &mut components {
        c.kept = kept.remove(&c.index);
    }
    let mut v = sent.v.clone();
    if v.key.is_empty() {
        v.key = uuid::Uuid::new_v4().to_string();
    }
    ctx.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        SubmitPage {
            p: ctx.page(),
            code: s.code.clone(),
            procedure: s.name.clone(),
            v,
            e,
            agencies: s.agencies.clone(),
            components,
            summary: Some(summary),
        },
    )
}

/// The applicant's mistakes: their data, the account's own ID number (or, for someone else,
/// the authorisation), the agency chosen.
async fn applicant_check(
    ctx: &Ctx,
    caller: &crate::auth::Caller,
    s: &Setup,
    sent: &mut Sent,
) -> Result<Errors, Response> {
    let given = if sent.v.auth.for_other {
        String::new()
    } else {
        sent.v.applicant.id_number.clone()
    };
    let id_error = match ctx.state.own_id_number(caller.user.id, &given).await {
        Ok(id) if sent.v.auth.for_other => authorisation_check(&mut sent.v, id.as_str()),
        Ok(id) => {
            sent.v.applicant.id_number = id.as_str().to_string();
            None
        }
        Err(
            err @ AppError::Invalid {
                kind: InvalidKind::Unprocessable,
                ..
            },
        ) => Some(err.message_vi()),
        Err(err) => return Err(ctx.error(&err)),
    };
    let mut e = applicant_errors(&sent.v, motcua_domain::vn_time::today());
    if sent.v.auth.for_other {
        e.authorisation = id_error;
    } else if id_error.is_some() {
        e.id_number = id_error;
    }
    if !s.agencies.iter().any(|a| a.code == sent.v.agency.trim()) {
        e.agency = Some("Vui lòng chọn cơ quan tiếp nhận hồ sơ.".into());
    }
    Ok(e)
}

/// Lodging for someone else: the applicant is the authoriser named in the authorisation part,
/// whose number is not the account's own; the scope and the document's number are given.
fn authorisation_check(v: &mut Values, own: &str) -> Option<String> {
    use motcua_domain::dossier::{MAX_AUTHORISATION_NUMBER_CHARS, MAX_AUTHORISATION_SCOPE_CHARS};
    v.applicant.name = v.auth.name.trim().to_string();
    v.applicant.id_number = v.auth.id_number.trim().to_string();
    let fits = |t: &str, max: usize| !t.trim().is_empty() && t.trim().chars().count() <= max;
    if v.applicant.id_number == own {
        Some("Hồ sơ của chính bạn không cần ủy quyền: bỏ chọn «Nộp cho người khác».".to_string())
    } else if !fits(&v.auth.scope, MAX_AUTHORISATION_SCOPE_CHARS)
        || !fits(&v.auth.number, MAX_AUTHORISATION_NUMBER_CHARS)
    {
        Some(format!(
            "Ghi phạm vi ủy quyền (không quá {MAX_AUTHORISATION_SCOPE_CHARS} ký tự) và số văn bản \
             ủy quyền (không quá {MAX_AUTHORISATION_NUMBER_CHARS} ký tự)."
        ))
    } else {
        None
    }
}

/// A body that is not multipart is refused first (400), whoever sends it: the body is taken
/// as [`Multipart`], then read as an [`UploadBody`].
pub async fn submit(ctx: Ctx, Path(code): Path<String>, mp: Multipart) -> UiResult {
    let caller = ctx.citizen()?.clone();
    let body = UploadBody::from(mp);
    let s = setup(&ctx, &code, caller.user.id).await?;
    let limit = ctx.state.config.max_upload_bytes;
    let total = limit.saturating_mul(s.spec.len().max(1)) + 1024 * 1024;
    let form = body
        .read(&ctx, |n| index(n, "file_").is_some(), limit, total)
        .await?;
    let mut sent = sent_of(form);
    let e = applicant_check(&ctx, &caller, &s, &mut sent).await?;
    let kept = std::mem::take(&mut sent.kept);
    let (taken, lost) = form::take_kept(&ctx, kept, |i| sent.files.contains_key(&i)).await;
    for (i, name, bytes) in taken {
        sent.files.insert(i, bytes);
        sent.names.insert(i, name);
    }
    let mut checked = check_components(&s, &sent, limit).await;
    checked.errors.extend(lost);
    if e.any() || !checked.errors.is_empty() {
        let (kept, some_lost) = form::keep_files(&ctx, uploads_of(&sent, &checked)).await;
        let mut summary =
            "Hồ sơ chưa được nộp: vui lòng sửa các mục được đánh dấu bên dưới.".to_string();
        if some_lost {
            summary.push_str(" Một số tệp chưa được giữ lại: vui lòng chọn lại các tệp đó.");
        }
        return Ok(send_back(
            &ctx,
            &s,
            &sent,
            e,
            &checked.errors,
            kept,
            summary,
        ));
    }
    Ok(lodge(&ctx, &caller, &s, &sent, checked, limit).await)
}

/// The components given online (a file uploaded or re-used), each once, as electronic copies.
fn online_components(s: &Setup, checked: &Checked) -> Vec<ComponentInput> {
    let given: BTreeSet<usize> = checked
        .uploads
        .iter()
        .map(|(i, _)| *i)
        .chain(checked.reuses.iter().map(|(i, _)| *i))
        .collect();
    given
        .into_iter()
        .filter_map(|i| s.spec.get(i))
        .map(|c| ComponentInput {
            component: component_name(c),
            originals: 0,
            copies: 0,
            electronic: true,
        })
        .collect()
}

/// The files that passed their checks, with their names, to keep for the form sent back.
fn uploads_of(sent: &Sent, checked: &Checked) -> Vec<(usize, String, Bytes)> {
    checked
        .uploads
        .iter()
        .map(|(i, b)| {
            (
                *i,
                sent.names.get(i).cloned().unwrap_or_default(),
                b.clone(),
            )
        })
        .collect()
}

/// The dossier the form lodges (for someone else: with its authorisation).
fn online_input(s: &Setup, sent: &Sent, checked: &Checked) -> CreateDossier {
    CreateDossier {
        procedure: s.code.clone(),
        agency: sent.v.agency.trim().to_string(),
        channel: "online".into(),
        applicant: sent.v.applicant.input(),
        components: online_components(s, checked),
        authorisation: sent.v.auth.for_other.then(|| AuthorisationInput {
            scope: sent.v.auth.scope.trim().to_string(),
            document_number: sent.v.auth.number.trim().to_string(),
        }),
    }
}

/// Everything checked: lodges the dossier, then attaches its files, and shows the receipt.
async fn lodge(
    ctx: &Ctx,
    caller: &crate::auth::Caller,
    s: &Setup,
    sent: &Sent,
    checked: Checked,
    limit: usize,
) -> Response {
    let state = &ctx.state;
    let input = online_input(s, sent, &checked);
    let key = format!("ui-nop:{}", sent.v.key.trim());
    let key = (!sent.v.key.trim().is_empty()).then_some(key.as_str());
    let (dossier_code, fresh) = match state.lodge_online(caller, input, key).await {
        Ok(c) => c,
        // Over the hourly limit, or refused content: the form comes back with the message.
        Err(
            err @ AppError::Invalid {
                kind: InvalidKind::OverLimit | InvalidKind::Unprocessable,
                ..
            },
        ) => {
            let no_errors = HashMap::new();
            let (kept, _) = form::keep_files(ctx, uploads_of(sent, &checked)).await;
            return send_back(
                ctx,
                s,
                sent,
                Errors::default(),
                &no_errors,
                kept,
                err.message_vi(),
            );
        }
        Err(err) => return ctx.error(&err),
    };
    let mut files = 0;
    if fresh {
        let attached: Vec<OnlineFile> = checked
            .uploads
            .into_iter()
            .map(|(i, bytes)| OnlineFile::Upload {
                component: component_name(&s.spec[i]),
                bytes,
            })
            .chain(
                checked
                    .reuses
                    .into_iter()
                    .map(|(i, sha256)| OnlineFile::Reuse {
                        component: component_name(&s.spec[i]),
                        sha256,
                    }),
            )
            .collect();
        files = match state
            .attach_online(caller, &dossier_code, attached, limit)
            .await
        {
            Ok(n) => n,
            Err(err) => return ctx.error(&err),
        };
    }
    let status = match state.status_label(&dossier_code).await {
        Ok(s) => s,
        Err(err) => return ctx.error(&err),
    };
    ctx.render(Submitted {
        p: ctx.page(),
        code: dossier_code,
        status,
        procedure: s.name.clone(),
        files,
    })
}
