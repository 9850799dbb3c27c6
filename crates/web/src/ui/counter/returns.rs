//! Returning results (`/mot-cua/tra-ket-qua`): the dossiers lodged at the officer's desk whose
//! result is ready, each with a small form: how the result is handed over and, when a fee is
//! still due, its collection. The API's `collect_fee` and `return_result` commands do the work.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::DossierRow;
use serde::Deserialize;

use super::{Errors, Line, Names, desk_agency_ids, lines, parse_vnd};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{Counter, Posted};
use crate::ui::kit::{Ctx, Page};
use motcua_app::acting::ActRequest;

const LIST: i64 = 100;

/// One dossier with its return form.
pub struct Item {
    pub line: Line,
    pub version: i32,
    pub result_code: String,
    pub electronic: bool,
    pub fee_outstanding: u64,
    pub fee_text: String,
    pub via: String,
    pub amount: String,
    pub method: String,
    pub receipt_no: String,
    /// Who collects it at the counter: the applicant's name to start with; the ID number is
    /// typed from the card the officer checks.
    pub collector_name: String,
    pub collector_id: String,
    pub on_behalf: bool,
    pub errors: Errors,
    pub summary: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/counter/returns.html")]
struct Returns {
    p: Page,
    items: Vec<Item>,
    total_text: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReturnsQuery {
    #[serde(default)]
    da_tra: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReturnForm {
    version: i32,
    via: String,
    amount: String,
    method: String,
    receipt_no: String,
    collector_name: String,
    collector_id: String,
    on_behalf: Option<String>,
}

async fn items(ctx: &Ctx, p: &Page, rows: &[DossierRow]) -> Result<Vec<Item>, ApiError> {
    let mut names = Names::default();
    let ls = lines(&ctx.state, p, rows, &mut names).await;
    let mut out = Vec::with_capacity(rows.len());
    for (row, line) in rows.iter().zip(ls) {
        let ds = motcua_app::dossiers::state_of(row)?;
        let outstanding = ds.fee_outstanding_vnd();
        out.push(Item {
            line,
            version: row.seq,
            result_code: ds
                .result
                .as_ref()
                .map(|r| r.result_code.clone())
                .unwrap_or_default(),
            electronic: ds.result.as_ref().is_some_and(|r| r.form.is_electronic()),
            fee_outstanding: outstanding,
            fee_text: p.int(outstanding as i64),
            via: "counter".into(),
            amount: if outstanding > 0 {
                p.int(outstanding as i64)
            } else {
                String::new()
            },
            method: "cash".into(),
            receipt_no: String::new(),
            collector_name: ds
                .applicant
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            collector_id: String::new(),
            on_behalf: false,
            errors: Errors::default(),
            summary: None,
        });
    }
    Ok(out)
}

async fn ready(ctx: &Ctx) -> Result<(Vec<DossierRow>, i64), Response> {
    let caller = ctx.counter()?;
    let ids = desk_agency_ids(caller);
    let page = ctx
        .state
        .dossiers_at_intake(&ids, &[motcua_domain::dossier::Status::Done], LIST)
        .await
        .map_err(|e| ctx.error(&e))?;
    Ok((page.items, page.total))
}

/// `GET /mot-cua/tra-ket-qua`.
pub async fn page(ctx: Ctx, Query(q): Query<ReturnsQuery>) -> Response {
    let (rows, total) = match ready(&ctx).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let p = ctx.page();
    let items = match items(&ctx, &p, &rows).await {
        Ok(i) => i,
        Err(e) => return ctx.error(&e),
    };
    let notice = q
        .da_tra
        .map(|code| format!("{} {code}.", p.t("Đã trả kết quả hồ sơ")));
    ctx.render(Returns {
        total_text: p.int(total),
        p,
        items,
        notice,
    })
}

/// The fee to collect first (when some is still due) and the form's mistakes.
fn check_return(form: &ReturnForm, outstanding: u64) -> (Option<u64>, Errors) {
    let mut errors = Errors::default();
    if !matches!(form.via.as_str(), "counter" | "post" | "online") {
        errors.set("via", "Chưa chọn hình thức trả kết quả.");
    }
    if form.via == "counter" {
        let name = form.collector_name.trim();
        if name.is_empty() || name.chars().count() > motcua_domain::input::MAX_NAME_CHARS {
            errors.set("collector_name", "Cần ghi họ tên người nhận kết quả.");
        }
        if let Err(e) = motcua_domain::dossier::CitizenId::parse(&form.collector_id) {
            errors.set("collector_id", e.message_vi());
        }
    }
    let mut fee = None;
    if outstanding > 0 {
        match parse_vnd(&form.amount) {
            Some(n) if n > 0 && n <= outstanding => fee = Some(n),
            Some(_) | None => errors.set(
                "amount",
                format!(
                    "Số tiền thu phải từ 1 đến {} đồng (số còn phải thu).",
                    motcua_sheets::vi::integer(outstanding as i64)
                ),
            ),
        }
        // Online payments come from the payment gateway's confirmation, not from the desk.
        if !matches!(form.method.as_str(), "cash" | "transfer") {
            errors.set("method", "Chưa chọn hình thức thanh toán.");
        }
    }
    (fee, errors)
}

/// Collects the fee (when some is due), then returns the result, each through the same
/// service as the API's actions.
async fn collect_and_return(
    state: &AppState,
    caller: &crate::auth::Caller,
    code: &str,
    form: &ReturnForm,
    fee: Option<u64>,
) -> Result<(), motcua_app::AppError> {
    let mut version = form.version;
    if let Some(amount) = fee {
        let receipt = form.receipt_no.trim();
        let body = serde_json::json!({
            "version": version, "amount_vnd": amount, "method": form.method,
            "receipt_no": (!receipt.is_empty()).then_some(receipt),
        });
        let (v, request) = ActRequest::from_body("collect_fee", body)?;
        version = state.act(caller, code, v, request).await?.seq;
    }
    let collector = (form.via == "counter").then(|| {
        serde_json::json!({
            "name": form.collector_name.trim(),
            "id_number": form.collector_id.trim(),
            "on_behalf": form.on_behalf.is_some(),
        })
    });
    let body = serde_json::json!({"version": version, "via": form.via, "collector": collector});
    let (v, request) = ActRequest::from_body("return_result", body)?;
    state.act(caller, code, v, request).await?;
    Ok(())
}

/// `POST /mot-cua/tra-ket-qua/{code}`: collect what is still due, then return the result.
pub async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted(ctx, caller, form, _): Posted<ReturnForm, Counter>,
) -> Response {
    let row = match state.dossier(code.trim()).await {
        Ok(r) => r,
        Err(e) => return ctx.error(&e),
    };
    if let Err(e) = state.readable(&caller, &row).await {
        return ctx.error(&e);
    }
    let ds = match motcua_app::dossiers::state_of(&row) {
        Ok(d) => d,
        Err(e) => return ctx.error(&e),
    };
    let (fee, errors) = check_return(&form, ds.fee_outstanding_vnd());
    let mut summary = None;
    if errors.is_empty() {
        match collect_and_return(&state, &caller, &row.code, &form, fee).await {
            Ok(()) => {
                return ctx.finish(
                    Redirect::to(&format!(
                        "/mot-cua/tra-ket-qua?da_tra={}",
                        crate::ui::kit::urlencode(&row.code)
                    ))
                    .into_response(),
                );
            }
            Err(e) => {
                let e = ApiError::from(e);
                if !e.status().is_client_error() || e.status() == StatusCode::FORBIDDEN {
                    return ctx.error(&e);
                }
                summary = Some(e.message_vi());
            }
        }
    }
    // Back with the messages next to the fields of this dossier's form.
    let (rows, total) = match ready(&ctx).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let p = ctx.page();
    let mut list = match items(&ctx, &p, &rows).await {
        Ok(i) => i,
        Err(e) => return ctx.error(&e),
    };
    if let Some(item) = list.iter_mut().find(|i| i.line.code == row.code) {
        item.via = form.via.clone();
        item.amount = form.amount.clone();
        item.method = form.method.clone();
        item.receipt_no = form.receipt_no.clone();
        item.collector_name = form.collector_name.clone();
        item.collector_id = form.collector_id.clone();
        item.on_behalf = form.on_behalf.is_some();
        item.errors = errors;
        item.summary = summary;
    } else if let Some(s) = summary {
        return ctx.error(&ApiError::Conflict {
            code: "return_refused",
            message: s,
        });
    }
    ctx.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        Returns {
            total_text: p.int(total),
            p,
            items: list,
            notice: None,
        },
    )
}
