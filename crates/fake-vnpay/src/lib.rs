//! A faithful fake of VNPAY's payment gateway (merchant integration 2.1.0) for the demo and the
//! tests: it speaks the protocol of `motcua_payments::vnpay` from the gateway's side, including
//! its failures, and can be told to misbehave.
//!
//! - `GET /paymentv2/vpcpay.html?…`: checks the signature (a wrong one gets VNPAY's error page,
//!   code 70) and shows a payment page with "Thanh toán" and "Hủy giao dịch" buttons.
//! - `POST /paymentv2/confirm` (`ref`, `action=pay|cancel`): settles the transaction (paid; or
//!   cancelled, code 24; or timed out past `vnp_ExpireDate`, code 11), calls the merchant's IPN
//!   URL (`GET`, signed parameters) and redirects the payer to `vnp_ReturnUrl` with the same
//!   signed parameters.
//! - `POST /merchant_webapi/api/transaction`: `querydr` and `refund` (JSON, checksums in the
//!   command's field order; a wrong checksum gets code 97 unsigned).
//! - Control API (JSON): `GET /_control` and `POST /_control` with any of
//!   `{"ipn": "deliver"|"drop"|"duplicate"|"hold"|"corrupt", "amount_delta": <đồng>,
//!   "ipn_url": "<url>"}`; `POST /_control/release` delivers held IPNs newest first (reorder);
//!   `GET /_control/log` lists every IPN with the merchant's `RspCode`. `amount_delta` is added
//!   to the amount the fake states in IPNs, returns and query answers (a wrong amount).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Utc;
use motcua_payments::vnpay::{api, parse_vnp_date, sign, vnp_date};
use serde::{Deserialize, Serialize};

/// The one merchant account the fake serves.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub tmn_code: String,
    pub hash_secret: String,
    /// The merchant's IPN URL (configured at VNPAY's merchant portal, not in requests).
    pub ipn_url: Option<String>,
}

/// How the next IPNs are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IpnMode {
    #[default]
    Deliver,
    /// Lost: never sent.
    Drop,
    /// Sent twice.
    Duplicate,
    /// Kept until `POST /_control/release`, which sends them newest first.
    Hold,
    /// Sent with a broken signature.
    Corrupt,
}

/// The control settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Control {
    #[serde(default)]
    pub ipn: IpnMode,
    /// Added to every amount the fake states, in đồng.
    #[serde(default)]
    pub amount_delta: i64,
    #[serde(default)]
    pub ipn_url: Option<String>,
}

/// One IPN call and the merchant's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IpnLogEntry {
    pub reference: String,
    pub mode: IpnMode,
    /// The merchant's `RspCode`, or `None` when dropped, held or unanswered.
    pub rsp_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxnStatus {
    Pending,
    Paid,
    Failed(&'static str),
    Refunded,
}

#[derive(Debug, Clone)]
struct Txn {
    amount_x100: u64,
    order_info: String,
    return_url: String,
    expire: Option<chrono::DateTime<Utc>>,
    status: TxnStatus,
    transaction_no: String,
    pay_date: String,
}

#[derive(Default)]
struct Inner {
    txns: HashMap<String, Txn>,
    control: Control,
    held: Vec<(String, String)>,
    log: Vec<IpnLogEntry>,
    next_no: u64,
}

struct Fake {
    config: FakeConfig,
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

type Shared = Arc<Fake>;

/// The fake's routes.
pub fn router(config: FakeConfig) -> Router {
    let inner = Inner {
        control: Control {
            ipn_url: config.ipn_url.clone(),
            ..Control::default()
        },
        next_no: 14_000_000,
        ..Inner::default()
    };
    let fake = Arc::new(Fake {
        config,
        inner: Mutex::new(inner),
        http: reqwest::Client::new(),
    });
    Router::new()
        .route("/paymentv2/vpcpay.html", get(payment_page))
        .route("/paymentv2/confirm", post(confirm))
        .route("/merchant_webapi/api/transaction", post(transaction_api))
        .route("/_control", get(get_control).post(set_control))
        .route("/_control/release", post(release))
        .route("/_control/log", get(ipn_log))
        .with_state(fake)
}

fn pairs(q: &BTreeMap<String, String>) -> Vec<(String, String)> {
    q.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn error_page(code: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>VNPAY (giả lập)</title>\
         <h1>Thông báo</h1><p id=\"error\" data-code=\"{code}\">{message} (mã lỗi {code})</p></html>"
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

async fn payment_page(
    State(fake): State<Shared>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let params = pairs(&q);
    if sign::verify_params(&fake.config.hash_secret, &params).is_err() {
        return error_page("70", "Sai chữ ký");
    }
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("vnp_TmnCode") != fake.config.tmn_code {
        return error_page("02", "Mã website không tồn tại");
    }
    if get("vnp_Version") != "2.1.0" || get("vnp_Command") != "pay" {
        return error_page("03", "Dữ liệu gửi sang không đúng định dạng");
    }
    let Ok(amount_x100) = get("vnp_Amount").parse::<u64>() else {
        return error_page("03", "Số tiền không hợp lệ");
    };
    let reference = get("vnp_TxnRef");
    if reference.is_empty() || get("vnp_ReturnUrl").is_empty() {
        return error_page("03", "Dữ liệu gửi sang không đúng định dạng");
    }
    {
        let mut inner = fake.inner.lock().expect("fake state");
        if inner.txns.contains_key(&reference) {
            return error_page("01", "Giao dịch đã tồn tại");
        }
        inner.txns.insert(
            reference.clone(),
            Txn {
                amount_x100,
                order_info: get("vnp_OrderInfo"),
                return_url: get("vnp_ReturnUrl"),
                expire: parse_vnp_date(&get("vnp_ExpireDate")),
                status: TxnStatus::Pending,
                transaction_no: String::new(),
                pay_date: String::new(),
            },
        );
    }
    let r = escape(&reference);
    let body = format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>VNPAY (giả lập)</title>\
         <h1>Cổng thanh toán VNPAY (giả lập)</h1>\
         <p>Đơn hàng: <b id=\"ref\">{r}</b></p><p>Nội dung: {}</p>\
         <p>Số tiền: <b id=\"amount\">{}</b> VND</p>\
         <form method=\"post\" action=\"/paymentv2/confirm\"><input type=\"hidden\" name=\"ref\" value=\"{r}\">\
         <button name=\"action\" value=\"pay\">Thanh toán</button> \
         <button name=\"action\" value=\"cancel\">Hủy giao dịch</button></form></html>",
        escape(&get("vnp_OrderInfo")),
        amount_x100 / 100
    );
    Html(body).into_response()
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(rename = "ref")]
    reference: String,
    action: String,
}

/// The signed parameters of a return or an IPN for a transaction, with the control's amount.
fn result_params(fake: &Fake, inner: &Inner, reference: &str, txn: &Txn) -> Vec<(String, String)> {
    let (response, status) = match txn.status {
        TxnStatus::Paid | TxnStatus::Refunded => ("00", "00"),
        TxnStatus::Failed(code) => (code, "02"),
        TxnStatus::Pending => ("99", "01"),
    };
    let amount = stated_amount(inner, txn);
    let mut p: Vec<(String, String)> = [
        ("vnp_Amount", amount.to_string()),
        ("vnp_BankCode", "NCB".to_owned()),
        ("vnp_BankTranNo", format!("VNP{}", txn.transaction_no)),
        ("vnp_CardType", "ATM".to_owned()),
        ("vnp_OrderInfo", txn.order_info.clone()),
        ("vnp_PayDate", txn.pay_date.clone()),
        ("vnp_ResponseCode", response.to_owned()),
        ("vnp_TmnCode", fake.config.tmn_code.clone()),
        ("vnp_TransactionNo", txn.transaction_no.clone()),
        ("vnp_TransactionStatus", status.to_owned()),
        ("vnp_TxnRef", reference.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let hash = sign::hmac_sha512_hex(&fake.config.hash_secret, &sign::canonical_query(&p));
    p.push(("vnp_SecureHashType".into(), "HmacSHA512".into()));
    p.push(("vnp_SecureHash".into(), hash));
    p
}

fn stated_amount(inner: &Inner, txn: &Txn) -> u64 {
    txn.amount_x100
        .saturating_add_signed(inner.control.amount_delta.saturating_mul(100))
}

fn query_string(p: &[(String, String)]) -> String {
    p.iter()
        .map(|(k, v)| format!("{}={}", sign::urlencode(k), sign::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn confirm(State(fake): State<Shared>, Form(form): Form<ConfirmForm>) -> Response {
    let (params, return_url, mode, ipn_url) = {
        let mut inner = fake.inner.lock().expect("fake state");
        inner.next_no += 1;
        let no = inner.next_no;
        let Some(txn) = inner.txns.get_mut(&form.reference) else {
            return error_page("91", "Không tìm thấy giao dịch");
        };
        if txn.status != TxnStatus::Pending {
            return error_page("94", "Giao dịch đã được xử lý");
        }
        let now = Utc::now();
        txn.status = match form.action.as_str() {
            _ if txn.expire.is_some_and(|e| now > e) => TxnStatus::Failed("11"),
            "pay" => TxnStatus::Paid,
            _ => TxnStatus::Failed("24"),
        };
        txn.transaction_no = no.to_string();
        txn.pay_date = vnp_date(now);
        let txn = txn.clone();
        let params = result_params(&fake, &inner, &form.reference, &txn);
        let ipn_url = inner.control.ipn_url.clone();
        (params, txn.return_url, inner.control.ipn, ipn_url)
    };
    let query = query_string(&params);
    if let Some(url) = ipn_url {
        deliver(&fake, &url, &form.reference, &query, mode).await;
    }
    let sep = if return_url.contains('?') { '&' } else { '?' };
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{return_url}{sep}{query}"))],
    )
        .into_response()
}

/// Calls the merchant's IPN URL as `mode` says, and logs the answers.
async fn deliver(fake: &Fake, url: &str, reference: &str, query: &str, mode: IpnMode) {
    let sends: Vec<String> = match mode {
        IpnMode::Deliver => vec![query.to_owned()],
        IpnMode::Duplicate => vec![query.to_owned(), query.to_owned()],
        IpnMode::Corrupt => {
            // Flip the last hex digit of the hash.
            let mut q = query.to_owned();
            let last = q.pop().unwrap_or('0');
            q.push(if last == '0' { '1' } else { '0' });
            vec![q]
        }
        IpnMode::Drop | IpnMode::Hold => {
            let mut inner = fake.inner.lock().expect("fake state");
            if mode == IpnMode::Hold {
                inner.held.push((reference.to_owned(), query.to_owned()));
            }
            inner.log.push(IpnLogEntry {
                reference: reference.to_owned(),
                mode,
                rsp_code: None,
            });
            return;
        }
    };
    for q in sends {
        let rsp_code = call_ipn(fake, url, &q).await;
        fake.inner
            .lock()
            .expect("fake state")
            .log
            .push(IpnLogEntry {
                reference: reference.to_owned(),
                mode,
                rsp_code,
            });
    }
}

async fn call_ipn(fake: &Fake, url: &str, query: &str) -> Option<String> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let answer: serde_json::Value = fake
        .http
        .get(format!("{url}{sep}{query}"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    answer["RspCode"].as_str().map(str::to_owned)
}

async fn get_control(State(fake): State<Shared>) -> Json<Control> {
    Json(fake.inner.lock().expect("fake state").control.clone())
}

async fn set_control(State(fake): State<Shared>, Json(patch): Json<serde_json::Value>) -> Response {
    let mut inner = fake.inner.lock().expect("fake state");
    let mut merged = serde_json::to_value(&inner.control).expect("control as JSON");
    if let (Some(m), Some(p)) = (merged.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            m.insert(k.clone(), v.clone());
        }
    }
    match serde_json::from_value::<Control>(merged) {
        Ok(c) => {
            inner.control = c.clone();
            Json(c).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "invalid_control", "message": e.to_string()})),
        )
            .into_response(),
    }
}

async fn release(State(fake): State<Shared>) -> Json<Vec<IpnLogEntry>> {
    let (held, url) = {
        let mut inner = fake.inner.lock().expect("fake state");
        (
            std::mem::take(&mut inner.held),
            inner.control.ipn_url.clone(),
        )
    };
    let mut out = Vec::new();
    if let Some(url) = url {
        for (reference, query) in held.into_iter().rev() {
            let rsp_code = call_ipn(&fake, &url, &query).await;
            let entry = IpnLogEntry {
                reference,
                mode: IpnMode::Hold,
                rsp_code,
            };
            fake.inner
                .lock()
                .expect("fake state")
                .log
                .push(entry.clone());
            out.push(entry);
        }
    }
    Json(out)
}

async fn ipn_log(State(fake): State<Shared>) -> Json<Vec<IpnLogEntry>> {
    Json(fake.inner.lock().expect("fake state").log.clone())
}

/// An answer of the transaction API: signed over `order`, or unsigned for a refused checksum.
fn api_answer(fake: &Fake, fields: BTreeMap<String, String>, order: &[&str]) -> Response {
    Json(api::signed_body(&fake.config.hash_secret, &fields, order)).into_response()
}

async fn transaction_api(
    State(fake): State<Shared>,
    Json(body): Json<serde_json::Value>,
) -> Response {
    let req = api::text_fields(&body);
    let get = |k: &str| req.get(k).cloned().unwrap_or_default();
    let command = get("vnp_Command");
    let Some((request_order, response_order)) = api::fields_of(&command) else {
        return Json(
            serde_json::json!({"vnp_ResponseCode": "03", "vnp_Message": "Invalid command"}),
        )
        .into_response();
    };
    if api::verify_body(&fake.config.hash_secret, &req, request_order).is_err() {
        return Json(
            serde_json::json!({"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"}),
        )
        .into_response();
    }
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        out.insert(k.to_owned(), v);
    };
    set("vnp_ResponseId", format!("R{}", get("vnp_RequestId")));
    set("vnp_Command", command.clone());
    set("vnp_TmnCode", fake.config.tmn_code.clone());
    set("vnp_TxnRef", get("vnp_TxnRef"));
    if get("vnp_TmnCode") != fake.config.tmn_code {
        set("vnp_ResponseCode", "02".into());
        set("vnp_Message", "Merchant is not valid".into());
        return api_answer(&fake, out, response_order);
    }
    let mut inner = fake.inner.lock().expect("fake state");
    let Some(txn) = inner.txns.get(&get("vnp_TxnRef")).cloned() else {
        set("vnp_ResponseCode", "91".into());
        set("vnp_Message", "Transaction not found".into());
        return api_answer(&fake, out, response_order);
    };
    let amount = stated_amount(&inner, &txn);
    set("vnp_Amount", amount.to_string());
    set("vnp_BankCode", "NCB".into());
    set("vnp_PayDate", txn.pay_date.clone());
    set("vnp_TransactionNo", txn.transaction_no.clone());
    set("vnp_OrderInfo", txn.order_info.clone());
    let (code, message, txn_type, status) = if command == "querydr" {
        let status = match txn.status {
            TxnStatus::Pending => "01",
            TxnStatus::Paid => "00",
            TxnStatus::Failed(_) => "02",
            TxnStatus::Refunded => "05",
        };
        ("00", "Query success", "01", status)
    } else {
        let asked: Option<u64> = get("vnp_Amount").parse().ok();
        match txn.status {
            TxnStatus::Refunded => ("94", "Duplicate refund request", "02", "05"),
            TxnStatus::Paid
                if asked != Some(txn.amount_x100) || get("vnp_TransactionType") != "02" =>
            {
                ("03", "Invalid amount", "02", "00")
            }
            TxnStatus::Paid => {
                if let Some(t) = inner.txns.get_mut(&get("vnp_TxnRef")) {
                    t.status = TxnStatus::Refunded;
                }
                ("00", "Refund success", "02", "05")
            }
            _ => ("95", "Transaction is not successful", "02", "02"),
        }
    };
    drop(inner);
    set("vnp_ResponseCode", code.into());
    set("vnp_Message", message.into());
    set("vnp_TransactionType", txn_type.into());
    set("vnp_TransactionStatus", status.into());
    api_answer(&fake, out, response_order)
}
