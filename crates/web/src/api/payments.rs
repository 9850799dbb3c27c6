//! Fees and online payment over JSON (#23): a dossier's payment, an online attempt at the
//! agency's gateway, the counter's cash and transfer, refunds, the fee receipt; VNPAY's IPN and
//! return; the agencies' gateway accounts and a reconciliation pass. The same
//! `motcua_app::payments` service as the pages.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::Response;
use motcua_app::payments::reconcile::ReconcileReport;
use motcua_app::payments::transfer::{BankAccountInput, StatementReport, VietQrView};
use motcua_app::payments::{
    AdjustFeeInput, CounterPaymentInput, GatewayAccountInput, GatewayAccountView, OnlineCheckout,
    PaymentView, RefundInput, ReturnOutcome,
};

use crate::api::responses::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unavailable, Unprocessable,
};
use crate::auth::{Acting, ClientIp};
use crate::download;
use crate::error::{ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;

/// The query's parameters, in order, decoded.
fn params(q: Option<String>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(q.as_deref().unwrap_or("")).unwrap_or_default()
}

/// A dossier's payment: fees due, attempts, settlement, receipt (its owner and the staff who
/// see the dossier).
#[utoipa::path(get, path = "/dossiers/{code}/payment", tag = "payments", security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, body = PaymentView), Unauthorized, Forbidden, NotFound))]
pub async fn get_payment(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(state.payment(&caller, &code).await?))
}

/// Starts an online payment at the agency's gateway (the dossier's owner, or a receiving
/// officer): where to send the payer.
#[utoipa::path(post, path = "/dossiers/{code}/payment/online", tag = "payments",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 201, body = OnlineCheckout), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn start_online(
    Acting(state, caller): Acting,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> ApiResult<(axum::http::StatusCode, Json<OnlineCheckout>)> {
    let ip = ip.map_or_else(|| "127.0.0.1".to_owned(), |i| i.to_string());
    let checkout = state.start_online_payment(&caller, &code, &ip).await?;
    Ok((axum::http::StatusCode::CREATED, Json(checkout)))
}

/// Records cash or a bank transfer received at the counter (a receiving officer).
#[utoipa::path(post, path = "/dossiers/{code}/payment/counter", tag = "payments",
    request_body = CounterPaymentInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, body = PaymentView), Unauthorized, Forbidden, NotFound, Conflict,
        Unprocessable))]
pub async fn record_counter(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<CounterPaymentInput>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(
        state.record_counter_payment(&caller, &code, input).await?,
    ))
}

/// Gives the fee back, with a reason (a receiving officer or a leader); an online payment is
/// refunded at the gateway first.
#[utoipa::path(post, path = "/dossiers/{code}/payment/refund", tag = "payments",
    request_body = RefundInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, body = PaymentView), Unauthorized, Forbidden, NotFound, Conflict,
        Unprocessable, Unavailable))]
pub async fn refund(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<RefundInput>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(state.refund_payment(&caller, &code, input).await?))
}

/// Changes the fee lines due, with a reason (a receiving officer or a leader of the dossier's
/// agency, while nothing is paid): 409 `payment_not_allowed_in_state` once paid,
/// `payment_attempt_pending` while an online attempt may still succeed.
#[utoipa::path(post, path = "/dossiers/{code}/payment/adjust", tag = "payments",
    request_body = AdjustFeeInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, body = PaymentView), Unauthorized, Forbidden, NotFound, Conflict,
        Unprocessable))]
pub async fn adjust(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<AdjustFeeInput>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(state.adjust_fee(&caller, &code, input).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReceiptParams {
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
}

/// The electronic fee receipt (biên lai thu phí, lệ phí) as A4 HTML or PDF, once paid.
#[utoipa::path(get, path = "/dossiers/{code}/payment/receipt", tag = "payments",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code"), ReceiptParams),
    responses((status = 200, content_type = "application/pdf", description = "the receipt (PDF or HTML)"),
        Unauthorized, Forbidden, NotFound, Unprocessable))]
pub async fn receipt(
    Acting(state, caller): Acting,
    origin: motcua_app::access_log::ReadOrigin,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<ReceiptParams>,
) -> ApiResult<Response> {
    let format = motcua_app::forms::Format::parse(p.format.as_deref())?;
    let read = motcua_app::access_log::Read::Form;
    let row = motcua_app::access_log::read_dossier(&state, &caller, &code, read, &origin).await?;
    Ok(crate::download::rendered(
        state.fee_receipt_file(&row, format).await?,
    ))
}

/// VNPAY's IPN (server to server): signature, order, amount and state checked; answered with
/// VNPAY's `{"RspCode", "Message"}`.
#[utoipa::path(get, path = "/payments/vnpay/ipn", tag = "payments",
    responses((status = 200, description = "`{\"RspCode\": \"00\", \"Message\": \"Confirm Success\"}` and VNPAY's other codes")))]
pub async fn vnpay_ipn(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Json<serde_json::Value> {
    Json(state.vnpay_ipn(&params(q)).await.body())
}

/// The payer's return from VNPAY: the signed outcome and the payment as it stands (changes
/// nothing).
#[utoipa::path(get, path = "/payments/vnpay/return", tag = "payments",
    responses((status = 200, body = ReturnOutcome), NotFound, Unprocessable))]
pub async fn vnpay_return(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<ReturnOutcome>> {
    Ok(Json(state.vnpay_return(&params(q)).await?))
}

/// Sets an agency's gateway merchant account and receipt book (administrators).
#[utoipa::path(put, path = "/agencies/{code}/payment-gateway", tag = "payments",
    request_body = GatewayAccountInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code")),
    responses((status = 200, body = GatewayAccountView), Unauthorized, Forbidden, NotFound,
        Unprocessable))]
pub async fn put_gateway(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<GatewayAccountInput>,
) -> ApiResult<Json<GatewayAccountView>> {
    Ok(Json(
        state.put_gateway_account(&caller, &code, input).await?,
    ))
}

/// Runs one reconciliation pass now (administrators): every attempt pending longer than the
/// interval is queried at its gateway; those past their expiry expire.
#[utoipa::path(post, path = "/admin/payments/reconcile", tag = "payments",
    security(("bearer" = [])),
    responses((status = 200, body = ReconcileReport), Unauthorized, Forbidden))]
pub async fn reconcile(Acting(state, caller): Acting) -> ApiResult<Json<ReconcileReport>> {
    Ok(Json(state.reconcile_payments_now(&caller).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// The day (YYYY-MM-DD, Vietnam).
    pub day: chrono::NaiveDate,
}

/// The daily reconciliation report of an agency's payments (XLSX: totals; every payment, refund,
/// extra payment, failure and expiry of the day), for the staff overseeing the agency.
#[utoipa::path(get, path = "/agencies/{code}/payments/report", tag = "payments",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code"), ReportParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the report"),
        BadRequest, Unauthorized, Forbidden, NotFound))]
pub async fn daily_report(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    let bytes = state.daily_payment_report(&caller, &code, p.day).await?;
    let name = format!("doi-soat-{code}-{}.xlsx", p.day);
    Ok(download::file(download::XLSX, "attachment", &name, bytes))
}

/// An agency's bank account for transfers by VietQR (its administrators and leaders); 404
/// when none is set.
#[utoipa::path(get, path = "/agencies/{code}/bank-account", tag = "payments",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code")),
    responses((status = 200, body = BankAccountInput), Unauthorized, Forbidden, NotFound))]
pub async fn get_bank_account(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<BankAccountInput>> {
    let account = state.bank_account(&caller, &code).await?;
    Ok(Json(account.ok_or(motcua_app::AppError::NotFound(
        "tài khoản ngân hàng",
    ))?))
}

/// Sets an agency's bank account for transfers by VietQR (its administrators and leaders).
#[utoipa::path(put, path = "/agencies/{code}/bank-account", tag = "payments",
    request_body = BankAccountInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code")),
    responses((status = 200, body = BankAccountInput), Unauthorized, Forbidden, NotFound,
        Unprocessable))]
pub async fn put_bank_account(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<BankAccountInput>,
) -> ApiResult<Json<BankAccountInput>> {
    Ok(Json(state.put_bank_account(&caller, &code, input).await?))
}

/// The VietQR to pay a dossier's fees by bank transfer (amount due, the dossier code as the
/// content), for its owner and the staff who see it.
#[utoipa::path(get, path = "/dossiers/{code}/payment/vietqr", tag = "payments",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, body = VietQrView), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn vietqr(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
) -> ApiResult<Json<VietQrView>> {
    Ok(Json(state.payment_vietqr(&caller, &code).await?))
}

/// Imports the agency's bank statement (CSV, or XLSX by its content type): each credit naming
/// an awaited dossier for exactly its amount is recorded as a transfer by the caller (a
/// receiving officer); the report says what matched and why the rest did not.
#[utoipa::path(post, path = "/agencies/{code}/payments/statement", tag = "payments",
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code")),
    responses((status = 200, body = StatementReport), Unauthorized, Forbidden, NotFound,
        Unprocessable))]
pub async fn import_statement(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<StatementReport>> {
    let xlsx = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("spreadsheetml"));
    Ok(Json(
        state.import_statement(&caller, &code, &body, xlsx).await?,
    ))
}
