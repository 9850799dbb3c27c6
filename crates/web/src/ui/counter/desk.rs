//! The desk's home (`/mot-cua`), a dossier's page at the desk (`/mot-cua/ho-so/{code}`: the
//! code, the appointment, the official forms to print; for a dossier waiting for the check,
//! the three outcomes) and the print view of an official form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::{DossierState, Status, vietnam_date};
use motcua_store::{DossierQuery, DossierRow};
use serde::Deserialize;

use super::{Errors, Line, Names, channel_label, desk_agencies, desk_agency_ids, lines, parse_vnd};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{Counter, OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page};
use motcua_app::acting::ActRequest;
use motcua_app::forms::{self, Format};

/// How many dossiers each list of the home page shows.
const LIST: i64 = 20;

#[derive(Template)]
#[template(path = "ui/counter/home.html")]
struct Home {
    p: Page,
    agencies: String,
    awaiting: Vec<Line>,
    awaiting_count: String,
    today: Vec<Line>,
    today_count: String,
    ready: Vec<Line>,
    ready_count: String,
}

/// `GET /mot-cua`: what waits for the desk.
pub async fn home(ctx: Ctx) -> UiResult {
    let caller = ctx.counter()?;
    let state = &ctx.state;
    let ids = desk_agency_ids(caller);
    let p = ctx.page();
    let data = async {
        let agencies = desk_agencies(state, caller).await?;
        let awaiting = if ids.is_empty() {
            motcua_store::Page {
                items: Vec::new(),
                total: 0,
            }
        } else {
            state
                .list_dossiers(&DossierQuery {
                    agencies: ids.clone(),
                    statuses: vec!["submitted".into()],
                    limit: LIST,
                    ..Default::default()
                })
                .await?
        };
        let today = vietnam_date(chrono::Utc::now());
        let mut received = Vec::new();
        for id in &ids {
            received.extend(state.dossiers_received(*id, today, today).await?);
        }
        // Newest first: the desk looks at what it just did.
        received.sort_by_key(|r| std::cmp::Reverse(r.received_at));
        let ready = state
            .dossiers_at_intake(&ids, &[motcua_domain::dossier::Status::Done], LIST)
            .await?;
        Ok::<_, ApiError>((agencies, awaiting, received, ready))
    };
    let (agencies, awaiting, received, ready) = data.await.or_page(&ctx)?;
    let mut names = Names::default();
    let home = Home {
        agencies: agencies
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        awaiting: lines(state, &p, &awaiting.items, &mut names).await,
        awaiting_count: p.int(awaiting.total),
        today: lines(state, &p, &received, &mut names).await,
        today_count: p.int(received.len() as i64),
        ready: lines(state, &p, &ready.items, &mut names).await,
        ready_count: p.int(ready.total),
        p,
    };
    Ok(ctx.render(home))
}

/// An official form that can be printed for the dossier.
pub struct FormLink {
    pub kind: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "ui/counter/dossier.html")]
struct Dossier {
    p: Page,
    code: String,
    version: i32,
    status: String,
    status_label: &'static str,
    procedure_code: String,
    procedure_name: String,
    applicant: String,
    id_number: String,
    phone: String,
    /// Lodged by a representative under an authorisation (#20).
    authorisation: Option<motcua_domain::dossier::Authorisation>,
    channel: &'static str,
    submitted_at: String,
    received_at: Option<String>,
    appointment: Option<String>,
    fee_due: u64,
    fee_due_text: String,
    fee_outstanding: u64,
    fee_outstanding_text: String,
    /// The open request to supplement, or the refusal: its reason and what is missing.
    request_reason: Option<String>,
    request_missing: Vec<String>,
    refusal_reason: Option<String>,
    documents: Vec<String>,
    forms: Vec<FormLink>,
    /// Waiting for the check: the desk decides here.
    can_check: bool,
    /// The check form's values and errors.
    outcome: String,
    reason: String,
    missing: String,
    fee: String,
    errors: Errors,
    summary: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DossierQueryParams {
    moi: Option<String>,
    loi: Option<String>,
    so: Option<u32>,
    xong: Option<String>,
}

async fn row_of(state: &AppState, code: &str) -> Result<DossierRow, ApiError> {
    Ok(state.dossier(code.trim()).await?)
}

/// The dossier as the desk sees it: the receiving officer of its agencies (the API's rule).
async fn readable_row(ctx: &Ctx, code: &str) -> Result<(DossierRow, DossierState), Response> {
    let caller = ctx.counter()?;
    let row = row_of(&ctx.state, code).await.map_err(|e| ctx.error(&e))?;
    ctx.state
        .readable(caller, &row)
        .await
        .map_err(|e| ctx.error(&e))?;
    let ds = motcua_app::dossiers::state_of(&row).map_err(|e| ctx.error(&e))?;
    Ok((row, ds))
}

fn forms_of(ds: &DossierState) -> Vec<FormLink> {
    let mut out = Vec::new();
    if ds.received_at.is_some() {
        out.push(FormLink {
            kind: "receipt",
            label: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        });
    }
    if ds.intake_supplement_requests > 0 {
        out.push(FormLink {
            kind: "supplement_request",
            label: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        });
    }
    if ds.status == Status::Refused {
        out.push(FormLink {
            kind: "refusal",
            label: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        });
    }
    out
}

async fn view(
    ctx: &Ctx,
    row: &DossierRow,
    ds: &DossierState,
    check: CheckValues,
    errors: Errors,
    summary: Option<String>,
    notice: Option<String>,
) -> Dossier {
    let p = ctx.page();
    let mut names = Names::default();
    let applicant = ds.applicant.as_ref();
    let request = ds.open_request.as_ref();
    Dossier {
        code: row.code.clone(),
        version: row.seq,
        status: row.status.as_str().to_string(),
        status_label: ds.status.label_vi(),
        procedure_code: row.procedure_code.clone(),
        procedure_name: names.of(&ctx.state, &row.procedure_code).await,
        applicant: row.applicant_name.clone(),
        id_number: applicant
            .map(|a| a.id_number.as_str().to_string())
            .unwrap_or_default(),
        phone: applicant.and_then(|a| a.phone.clone()).unwrap_or_default(),
        authorisation: ds.authorisation.clone(),
        channel: channel_label(row.channel),
        submitted_at: p.datetime(&row.submitted_at),
        received_at: row.received_at.map(|t| p.datetime(&t)),
        appointment: row.appointment.map(|t| p.datetime(&t)),
        fee_due: ds.fee_due_vnd,
        fee_due_text: p.int(ds.fee_due_vnd as i64),
        fee_outstanding: ds.fee_outstanding_vnd(),
        fee_outstanding_text: p.int(ds.fee_outstanding_vnd() as i64),
        request_reason: request.map(|r| r.reason.clone()),
        request_missing: request.map(|r| r.missing.clone()).unwrap_or_default(),
        refusal_reason: ds.refusal.as_ref().and_then(|r| r.reason.clone()),
        documents: ds.documents.iter().map(|d| d.component.clone()).collect(),
        forms: forms_of(ds),
        can_check: ds.status == Status::Submitted,
        outcome: check.outcome,
        reason: check.reason,
        missing: check.missing,
        fee: check.fee,
        errors,
        summary,
        notice,
        p,
    }
}

#[derive(Default)]
struct CheckValues {
    outcome: String,
    reason: String,
    missing: String,
    fee: String,
}

/// `GET /mot-cua/ho-so/{code}`: the result of the desk's work on a dossier.
pub async fn dossier(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<DossierQueryParams>,
) -> Response {
    let (row, ds) = match readable_row(&ctx, &code).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (summary, notice) = match (q.loi.as_deref(), q.moi.is_some(), q.xong.as_deref()) {
        (Some("ban-quet"), _, _) => (
            Some(format!(
                "Hồ sơ đã được tạo nhưng {} bản quét chưa lưu được; vui lòng đính kèm lại trên trang hồ sơ.",
                q.so.unwrap_or(1)
            )),
            None,
        ),
        (Some(_), _, _) => (
            Some("Hồ sơ đã được tạo nhưng chưa ghi được kết quả kiểm tra; vui lòng thực hiện lại bên dưới.".to_string()),
            None,
        ),
        (None, true, _) | (None, _, Some(_)) => (None, Some(match ds.status {
            Status::Refused => "Đã từ chối tiếp nhận hồ sơ.",
            Status::AwaitingIntakeSupplement => "Đã yêu cầu bổ sung, hoàn thiện hồ sơ.",
            _ => "Đã tiếp nhận hồ sơ.",
        }.to_string())),
        _ => (None, None),
    };
    let page = view(
        &ctx,
        &row,
        &ds,
        CheckValues {
            outcome: "receive".into(),
            ..Default::default()
        },
        Errors::default(),
        summary,
        notice,
    )
    .await;
    ctx.render(page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    version: i32,
    outcome: String,
    reason: String,
    missing: String,
    fee: String,
}

/// The action the check asks for, as the action's JSON body, and the form's mistakes.
fn check_action(form: &CheckForm) -> ((&'static str, serde_json::Value), Errors) {
    let mut errors = Errors::default();
    let missing = super::intake::missing_list(&form.missing);
    super::intake::check_outcome(&form.outcome, &form.reason, &missing, &mut errors);
    let body = match form.outcome.as_str() {
        "supplement" => (
            "request_intake_supplement",
            serde_json::json!({"version": form.version, "reason": form.reason.trim(), "missing": missing}),
        ),
        "refuse" => (
            "refuse",
            serde_json::json!({"version": form.version, "reason": form.reason.trim()}),
        ),
        _ => {
            let fee = if form.fee.trim().is_empty() {
                Some(0)
            } else {
                parse_vnd(&form.fee)
            };
            if fee.is_none() {
                errors.set("fee", "Số tiền phí, lệ phí phải là số đồng (ví dụ 50.000).");
            }
            (
                "receive",
                serde_json::json!({"version": form.version, "fee_due_vnd": fee.unwrap_or(0)}),
            )
        }
    };
    (body, errors)
}

/// `POST /mot-cua/ho-so/{code}/kiem-tra`: the check of a lodged dossier (online, or lodged at
/// the desk): receive it, ask for a supplement, or refuse it, through the API's commands.
pub async fn check(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted(ctx, caller, form, _): Posted<CheckForm, Counter>,
) -> Response {
    let (row, ds) = match readable_row(&ctx, &code).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (body, errors) = check_action(&form);
    let values = CheckValues {
        outcome: form.outcome.clone(),
        reason: form.reason.clone(),
        missing: form.missing.clone(),
        fee: form.fee.clone(),
    };
    if !errors.is_empty() {
        let page = view(&ctx, &row, &ds, values, errors, None, None).await;
        return ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let (action, body) = body;
    let acted = match ActRequest::from_body(action, body) {
        Ok((version, request)) => state.act(&caller, &row.code, version, request).await,
        Err(e) => Err(e),
    };
    match acted.map_err(ApiError::from) {
        Ok(_) => ctx.finish(
            Redirect::to(&format!("/mot-cua/ho-so/{}?xong={action}", row.code)).into_response(),
        ),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            // Refused by the rules (someone acted first, a stale page): say so in place.
            let (row, ds) = match readable_row(&ctx, &code).await {
                Ok(r) => r,
                Err(r) => return r,
            };
            let status = e.status();
            let page = view(
                &ctx,
                &row,
                &ds,
                values,
                Errors::default(),
                Some(e.message_vi()),
                None,
            )
            .await;
            ctx.render_status(status, page)
        }
        Err(e) => ctx.error(&e),
    }
}

/// `GET /mot-cua/ho-so/{code}/in/{kind}`: an official form as its A4 HTML, with a bar (not
/// printed) holding the "In" button, the PDF and the way back.
pub async fn print(
    ctx: Ctx,
    origin: motcua_app::access_log::ReadOrigin,
    Path((code, kind)): Path<(String, String)>,
) -> UiResult {
    let (row, _) = match readable_row(&ctx, &code).await {
        Ok(r) => r,
        Err(r) => return Ok(r),
    };
    if let Some(caller) = &ctx.caller {
        let read = motcua_app::access_log::Read::Form;
        if let Err(e) =
            motcua_app::access_log::record(&ctx.state, caller, &row, read, &origin).await
        {
            return Ok(ctx.error(&e));
        }
    }
    let form_kind = forms::kind(&kind).or_page(&ctx)?;
    let rendered = forms::dossier_form(&ctx.state, &row, form_kind, Format::Html)
        .await
        .or_page(&ctx)?;
    let html = String::from_utf8_lossy(&rendered.body).into_owned();
    let p = ctx.page();
    let bar = format!(
        "<div class=\"motcua-print-bar\" style=\"font:16px system-ui,sans-serif;padding:8px 12px;background:#f0f1f4;border-bottom:1px solid #d9dce1;display:flex;gap:12px;align-items:center\">\
<button type=\"button\" id=\"print-button\" data-print style=\"font:inherit;background:#a50e0e;color:#fff;border:0;border-radius:4px;padding:6px 16px;cursor:pointer\">{in_label}</button>\
<a href=\"/api/v1/dossiers/{code}/forms/{kind}?format=pdf\" id=\"pdf-link\">{pdf}</a>\
<a href=\"/mot-cua/ho-so/{code}\" id=\"back-link\">{back}</a></div>\
<style>@media print{{.motcua-print-bar{{display:none!important}}}}</style>\
<script src=\"/static/app.js?v={v}\" defer></script>",
        in_label = p.t("In"),
        pdf = p.t("Tải bản PDF"),
        back = p.t("Quay lại hồ sơ"),
        code = row.code,
        kind = form_kind.as_str(),
        v = p.v(),
    );
    let html = match html.find("<body") {
        Some(start) => match html[start..].find('>') {
            Some(end) => {
                let at = start + end + 1;
                format!("{}{}{}", &html[..at], bar, &html[at..])
            }
            None => format!("{bar}{html}"),
        },
        None => format!("{bar}{html}"),
    };
    let mut res = (StatusCode::OK, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(ctx.finish(res))
}
