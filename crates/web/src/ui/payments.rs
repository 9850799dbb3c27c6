//! Fees and online payment pages (#23): a dossier's fees (`/thanh-toan/{ma}`) for its owner
//! and the staff who see it; the citizen pays online (to the agency's gateway), the desk
//! records cash or a transfer; the receipt (`/thanh-toan/{ma}/bien-lai`); the payer's return
//! from the gateway (`/thanh-toan/ket-qua`), which shows the outcome and changes nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawQuery};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use motcua_app::payments::transfer::VietQrView;
use motcua_app::payments::{CounterPaymentInput, PaymentView, ReturnOutcome};
use motcua_domain::auth::Role;
use serde::Deserialize;

use crate::auth::{ClientIp, ReadOrigin};
use crate::state::AppState;
use crate::ui::form::{Anyone, Counter, OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/thanh-toan/ket-qua", get(returned))
        .route("/thanh-toan/{ma}", get(show))
        .route("/thanh-toan/{ma}/truc-tuyen", post(pay_online))
        .route("/thanh-toan/{ma}/tai-quay", post(record_counter))
        .route("/thanh-toan/{ma}/bien-lai", get(receipt))
}

/// One fee line as shown.
pub struct LineRow {
    pub name: String,
    pub basis: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "ui/payments/payment.html")]
struct PaymentPage {
    p: Page,
    v: PaymentView,
    amount: String,
    lines: Vec<LineRow>,
    /// The caller may start an online payment (the owner, or the desk).
    may_pay: bool,
    /// The caller records counter payments.
    desk: bool,
    /// The VietQR to pay by transfer, when the agency has published its account.
    qr: Option<VietQrView>,
}

fn view_page(p: Page, v: PaymentView, qr: Option<VietQrView>) -> PaymentPage {
    let lines = v
        .lines
        .iter()
        .map(|l| LineRow {
            name: l.name.clone(),
            basis: l.legal_basis.clone().unwrap_or_default(),
            amount: p.int(l.amount_vnd as i64),
        })
        .collect();
    let desk = p.has_role(Role::ReceivingOfficer);
    let may_pay = v.payable_online && (desk || p.has_role(Role::Citizen));
    PaymentPage {
        amount: p.int(v.amount_due_vnd as i64),
        lines,
        may_pay,
        desk,
        qr,
        v,
        p,
    }
}

async fn show(ctx: Ctx, Path(code): Path<String>) -> Response {
    let caller = match ctx.signed_in() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let v = match ctx.state.payment(&caller, code.trim()).await {
        Ok(v) => v,
        Err(e) => return ctx.error(&e),
    };
    // The QR when the fees are awaited and the agency has an account (else none is shown).
    let qr = if v.payable_online || v.status == "due" {
        ctx.state.payment_vietqr(&caller, code.trim()).await.ok()
    } else {
        None
    };
    ctx.render(view_page(ctx.page(), v, qr))
}

#[derive(Debug, Deserialize)]
struct Empty {}

/// Starts an online attempt and sends the payer to the gateway.
async fn pay_online(
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Posted(ctx, caller, _f, _): Posted<Empty, Anyone>,
) -> UiResult {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/dang-nhap").into_response());
    };
    let ip = ip.map_or_else(|| "127.0.0.1".to_owned(), |i| i.to_string());
    let checkout = ctx
        .state
        .start_online_payment(&caller, code.trim(), &ip)
        .await
        .or_page(&ctx)?;
    // The page's `form-action 'self'` forbids a form to redirect to another origin: the payer
    // follows a link.
    let p = ctx.page();
    Ok(ctx.render(ToGateway {
        p,
        code: code.trim().to_owned(),
        url: checkout.redirect_url,
    }))
}

#[derive(Template)]
#[template(path = "ui/payments/to_gateway.html")]
struct ToGateway {
    p: Page,
    code: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct CounterForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    amount_vnd: String,
    #[serde(default)]
    receipt_no: String,
}

/// Cash or a transfer received at the desk.
async fn record_counter(
    Path(code): Path<String>,
    Posted(ctx, caller, f, _): Posted<CounterForm, Counter>,
) -> UiResult {
    let amount: u64 = f
        .amount_vnd
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    let input = CounterPaymentInput {
        method: f.method,
        amount_vnd: amount,
        receipt_no: Some(f.receipt_no),
    };
    ctx.state
        .record_counter_payment(&caller, code.trim(), input)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/thanh-toan/{}", code.trim())).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct ReceiptQuery {
    #[serde(default)]
    format: Option<String>,
}

/// The receipt (A4 HTML, or PDF with `?format=pdf`), to print or save.
async fn receipt(
    ctx: Ctx,
    origin: ReadOrigin,
    Path(code): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> UiResult {
    let caller = match ctx.signed_in() {
        Ok(c) => c.clone(),
        Err(r) => return Ok(r),
    };
    let state = &ctx.state;
    let format = motcua_app::forms::Format::parse(q.format.as_deref()).or_page(&ctx)?;
    let row = state.dossier(code.trim()).await.or_page(&ctx)?;
    state.readable(&caller, &row).await.or_page(&ctx)?;
    motcua_app::access_log::record(
        state,
        &caller,
        &row,
        motcua_app::access_log::Read::Form,
        &origin,
    )
    .await
    .or_page(&ctx)?;
    let r = state.fee_receipt_file(&row, format).await.or_page(&ctx)?;
    let disposition = format!("inline; filename=\"{}\"", r.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, r.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        r.body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "ui/payments/returned.html")]
struct ReturnedPage {
    p: Page,
    r: ReturnOutcome,
    amount: String,
}

/// The payer back from the gateway: what the gateway says and where the payment stands.
async fn returned(ctx: Ctx, RawQuery(q): RawQuery) -> Response {
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    match ctx.state.vnpay_return(&params).await {
        Ok(r) => {
            let p = ctx.page();
            ctx.render(ReturnedPage {
                amount: p.int(r.amount_vnd as i64),
                r,
                p,
            })
        }
        Err(e) => ctx.error(&e),
    }
}
