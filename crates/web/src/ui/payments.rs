//! Fees and online payment pages (#23): a dossier's fees (`/thanh-toan/{ma}`) for its owner
//! and the staff who see it; the citizen pays online (to the agency's gateway), the desk
//! records cash or a transfer, and staff change the fee lines with a reason
//! (`/thanh-toan/{ma}/dieu-chinh`); the receipt (`/thanh-toan/{ma}/bien-lai`); the payer's return
//! from the gateway (`/thanh-toan/ket-qua`), which shows the outcome and changes nothing.

use askama::Template;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::payments::transfer::VietQrView;
use motcua_app::payments::{
    AdjustFeeInput, CounterPaymentInput, FeeLineInput, PaymentView, ReturnOutcome,
};
use motcua_domain::auth::Role;
use motcua_domain::catalogue::FeeKind;
use motcua_domain::payment::FeeLine;
use serde::Deserialize;

use crate::auth::{ClientIp, ReadOrigin};
use crate::ui::form::{Anyone, Counter, Officer, OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page};

/// One fee line as shown.
pub struct LineRow {
    pub name: String,
    pub basis: String,
    pub amount: String,
    pub exemption: String,
}

/// One row of the adjustment form: a current line (ticked), one of the catalogue's
/// alternatives (not ticked), or a blank one.
pub struct EditRow {
    pub i: usize,
    pub apply: bool,
    pub name: String,
    pub kind: &'static str,
    pub amount: String,
    pub basis: String,
    pub exemption: String,
    pub description: String,
}

/// A change of the fee lines as shown.
pub struct AdjustmentRow {
    pub at: String,
    pub by: String,
    pub before: String,
    pub after: String,
    pub reason: String,
}

fn kind_key(k: FeeKind) -> &'static str {
    match k {
        FeeKind::Fee => "fee",
        FeeKind::Charge => "charge",
        FeeKind::ServicePrice => "service_price",
        FeeKind::Unspecified => "unspecified",
    }
}

fn edit_row(i: usize, apply: bool, l: &FeeLine) -> EditRow {
    EditRow {
        i,
        apply,
        name: l.name.clone(),
        kind: kind_key(l.kind),
        amount: l.amount_vnd.to_string(),
        basis: l.legal_basis.clone().unwrap_or_default(),
        exemption: l.exemption.clone().unwrap_or_default(),
        description: l.description.clone(),
    }
}

/// The form's rows: the current lines, the catalogue's others, one blank.
fn edit_rows(current: &[FeeLine], catalogue: &[FeeLine]) -> Vec<EditRow> {
    let mut rows: Vec<EditRow> = current
        .iter()
        .enumerate()
        .map(|(i, l)| edit_row(i, true, l))
        .collect();
    for l in catalogue {
        let shown = current
            .iter()
            .any(|c| c.description == l.description && c.name == l.name);
        if !shown && rows.len() < MAX_EDIT_ROWS - 1 {
            rows.push(edit_row(rows.len(), false, l));
        }
    }
    let blank = FeeLine {
        name: String::new(),
        kind: FeeKind::Unspecified,
        legal_basis: None,
        amount_vnd: 0,
        exemption: None,
        description: String::new(),
    };
    let mut row = edit_row(rows.len(), false, &blank);
    row.amount = String::new();
    rows.push(row);
    rows
}

/// Most rows of the adjustment form (the domain's most lines on a dossier).
const MAX_EDIT_ROWS: usize = motcua_domain::payment::fee_line::MAX_FEE_LINES;

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
    /// Staff who may change the fee lines (a receiving officer or a leader), while allowed.
    may_adjust: bool,
    edit: Vec<EditRow>,
    adjustments: Vec<AdjustmentRow>,
}

fn view_page(
    p: Page,
    v: PaymentView,
    qr: Option<VietQrView>,
    catalogue: &[FeeLine],
) -> PaymentPage {
    let lines = v
        .lines
        .iter()
        .map(|l| LineRow {
            name: l.name.clone(),
            basis: l.legal_basis.clone().unwrap_or_default(),
            amount: p.int(l.amount_vnd as i64),
            exemption: l.exemption.clone().unwrap_or_default(),
        })
        .collect();
    let desk = p.has_role(Role::ReceivingOfficer);
    let may_pay = v.payable_online && (desk || p.has_role(Role::Citizen));
    let may_adjust = v.adjustable && (desk || p.has_role(Role::Leader));
    let adjustments = v
        .adjustments
        .iter()
        .map(|a| AdjustmentRow {
            at: p.datetime(&a.at),
            by: a.by_name.clone(),
            before: p.int(a.previous_amount_vnd as i64),
            after: p.int(a.amount_vnd as i64),
            reason: a.reason.clone(),
        })
        .collect();
    PaymentPage {
        may_adjust,
        edit: if may_adjust {
            edit_rows(&v.lines, catalogue)
        } else {
            Vec::new()
        },
        adjustments,
        amount: p.int(v.amount_due_vnd as i64),
        lines,
        may_pay,
        desk,
        qr,
        v,
        p,
    }
}

pub(crate) async fn show(ctx: Ctx, Path(code): Path<String>) -> UiResult {
    let caller = ctx.signed_in()?;
    let v = ctx.state.payment(caller, code.trim()).await.or_page(&ctx)?;
    // The QR when the fees are awaited and the agency has an account (else none is shown).
    let qr = if v.payable_online || v.status == "due" {
        ctx.state.payment_vietqr(caller, code.trim()).await.ok()
    } else {
        None
    };
    let catalogue = if v.adjustable {
        ctx.state
            .catalogue_fee_lines(caller, code.trim())
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(ctx.render(view_page(ctx.page(), v, qr, &catalogue)))
}

/// The adjustment form's fields, by row: `apply_i` (ticked), `name_i`, `kind_i`, `amount_i`,
/// `basis_i`, `exemption_i`, `description_i`; `reason`, `version`.
fn adjust_input(fields: &[(String, String)]) -> AdjustFeeInput {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let lines = (0..MAX_EDIT_ROWS)
        .filter(|i| get(&format!("apply_{i}")).is_some())
        .map(|i| {
            let f = |name: &str| get(&format!("{name}_{i}")).unwrap_or_default();
            let kind = serde_json::from_value(serde_json::Value::String(f("kind"))).ok();
            FeeLineInput {
                name: f("name"),
                kind,
                legal_basis: Some(f("basis")),
                amount_vnd: digits(&f("amount")),
                exemption: Some(f("exemption")),
                description: Some(f("description")),
            }
        })
        .collect();
    AdjustFeeInput {
        lines,
        reason: get("reason").unwrap_or_default(),
        version: get("version").and_then(|v| v.trim().parse().ok()),
    }
}

/// The digits of an amount as typed ("1.500.000 đ" → 1500000); 0 when none.
fn digits(s: &str) -> u64 {
    s.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// Staff change the fee lines due, with a reason.
pub(crate) async fn adjust(
    Path(code): Path<String>,
    Posted(ctx, caller, fields, _): Posted<Vec<(String, String)>, Officer>,
) -> UiResult {
    ctx.state
        .adjust_fee(&caller, code.trim(), adjust_input(&fields))
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/thanh-toan/{}", code.trim())).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

/// Starts an online attempt and sends the payer to the gateway.
pub(crate) async fn pay_online(
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

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(crate) struct CounterForm {
    method: String,
    amount_vnd: String,
    receipt_no: String,
}

/// Cash or a transfer received at the desk.
pub(crate) async fn record_counter(
    Path(code): Path<String>,
    Posted(ctx, caller, f, _): Posted<CounterForm, Counter>,
) -> UiResult {
    let amount = digits(&f.amount_vnd);
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
pub(crate) struct ReceiptQuery {
    #[serde(default)]
    format: Option<String>,
}

/// The receipt (A4 HTML, or PDF with `?format=pdf`), to print or save.
pub(crate) async fn receipt(
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
    let read = motcua_app::access_log::Read::Form;
    let row = motcua_app::access_log::read_dossier(state, &caller, code.trim(), read, &origin)
        .await
        .or_page(&ctx)?;
    let r = state.fee_receipt_file(&row, format).await.or_page(&ctx)?;
    Ok(crate::download::rendered(r))
}

#[derive(Template)]
#[template(path = "ui/payments/returned.html")]
struct ReturnedPage {
    p: Page,
    r: ReturnOutcome,
    amount: String,
}

/// The payer back from the gateway: what the gateway says and where the payment stands.
pub(crate) async fn returned(ctx: Ctx, RawQuery(q): RawQuery) -> Response {
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
