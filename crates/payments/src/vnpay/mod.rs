//! VNPAY, merchant integration version 2.1.0 (Cổng thanh toán VNPAY, "pay" API), as VNPAY
//! publishes it at <https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html> and in its
//! PHP/Java sample code (`vnpay_create_payment.php`, `vnpay_ipn.php`, `vnpay_querydr.php`,
//! `vnpay_refund.php`), checked against the npm library `vnpay` (see `tests/vnpay-interop`).
//!
//! - Payment URL: `vnp_Version=2.1.0`, `vnp_Command=pay`, `vnp_TmnCode`, `vnp_Amount` (đồng
//!   × 100), `vnp_CurrCode=VND`, `vnp_TxnRef`, `vnp_OrderInfo`, `vnp_OrderType=other`,
//!   `vnp_Locale=vn`, `vnp_ReturnUrl`, `vnp_IpAddr`, `vnp_CreateDate` and `vnp_ExpireDate`
//!   (`yyyyMMddHHmmss`, GMT+7), signed as [`sign`] says.
//! - Return and IPN carry `vnp_Amount`, `vnp_BankCode`, `vnp_OrderInfo`, `vnp_PayDate`,
//!   `vnp_ResponseCode`, `vnp_TmnCode`, `vnp_TransactionNo`, `vnp_TransactionStatus`,
//!   `vnp_TxnRef` (and `vnp_BankTranNo`, `vnp_CardType`), signed the same way; paid means
//!   `vnp_ResponseCode=00` and `vnp_TransactionStatus=00`.
//! - The IPN is answered with [`RspCode`] ([`ipn::answer`]); `querydr` and `refund` are JSON
//!   commands ([`api`]).

pub mod api;
pub mod codes;
pub mod ipn;
pub mod sign;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use motcua_domain::payment::GatewayOutcome;
use motcua_domain::vn_time;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::gateway::{
    AttemptRequest, Checkout, Gateway, GatewayError, QueryOutcome, QueryRequest, RefundRequest,
    RefundResult, ReturnView, VerifiedReport,
};

pub use codes::RspCode;

/// The protocol version.
pub const VERSION: &str = "2.1.0";
/// VNPAY's sandbox payment page.
pub const SANDBOX_PAY_URL: &str = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html";
/// VNPAY's sandbox merchant web API.
pub const SANDBOX_API_URL: &str = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction";
/// Longest `vnp_OrderInfo` kept, in characters (VNPAY allows 255).
pub const MAX_ORDER_INFO_CHARS: usize = 255;

/// One merchant account (one per agency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnpayConfig {
    /// `vnp_TmnCode`.
    pub tmn_code: String,
    /// `vnp_HashSecret`.
    pub hash_secret: String,
    /// The payment page (`…/paymentv2/vpcpay.html`).
    pub pay_url: String,
    /// The merchant web API (`…/merchant_webapi/api/transaction`).
    pub api_url: String,
    /// Where VNPAY sends the payer back.
    pub return_url: String,
}

/// The VNPAY adapter for one merchant account.
#[derive(Debug, Clone)]
pub struct Vnpay {
    config: VnpayConfig,
    http: reqwest::Client,
}

/// `yyyyMMddHHmmss` in GMT+7, as every VNPAY date.
pub fn vnp_date(at: DateTime<Utc>) -> String {
    vn_time::local(at).format("%Y%m%d%H%M%S").to_string()
}

/// Reads a VNPAY date.
pub fn parse_vnp_date(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok()?;
    Some(vn_time::to_utc(naive))
}

/// `vnp_OrderInfo` as VNPAY asks: Vietnamese without diacritics, no special characters (only
/// letters, digits, spaces and `-_.:,/`), at most [`MAX_ORDER_INFO_CHARS`].
pub fn order_info(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_.:,/".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_ORDER_INFO_CHARS)
        .collect()
}

/// `vnp_Amount` (đồng × 100) as đồng; amounts with a fraction of a đồng are refused.
pub fn amount_from_vnp(s: &str) -> Option<u64> {
    let v: u64 = s.trim().parse().ok()?;
    v.is_multiple_of(100).then_some(v / 100)
}

fn field<'a>(params: &'a [(String, String)], name: &'static str) -> Result<&'a str, GatewayError> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .ok_or(GatewayError::Malformed(name))
}

/// The outcome stated by a return, an IPN or a query answer.
fn outcome(response: &str, status: &str, amount_vnd: u64, transaction_no: &str) -> GatewayOutcome {
    if response == "00" && status == codes::STATUS_SUCCESS {
        GatewayOutcome::Paid {
            amount_vnd,
            transaction_no: transaction_no.to_owned(),
        }
    } else {
        let code = if response == "00" { status } else { response };
        GatewayOutcome::Failed {
            code: code.to_owned(),
        }
    }
}

impl Vnpay {
    pub fn new(config: VnpayConfig) -> Result<Vnpay, GatewayError> {
        if config.tmn_code.trim().is_empty() || config.hash_secret.is_empty() {
            return Err(GatewayError::Config(
                "vnp_TmnCode and the hash secret are required".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| GatewayError::Config(e.to_string()))?;
        Ok(Vnpay { config, http })
    }

    pub fn config(&self) -> &VnpayConfig {
        &self.config
    }

    /// The parameters of the payment URL, unsigned.
    pub fn payment_params(&self, a: &AttemptRequest) -> Vec<(String, String)> {
        [
            ("vnp_Version", VERSION.to_owned()),
            ("vnp_Command", "pay".to_owned()),
            ("vnp_TmnCode", self.config.tmn_code.clone()),
            ("vnp_Amount", (u128::from(a.amount_vnd) * 100).to_string()),
            ("vnp_CurrCode", "VND".to_owned()),
            ("vnp_TxnRef", a.reference.clone()),
            ("vnp_OrderInfo", order_info(&a.order_info)),
            ("vnp_OrderType", "other".to_owned()),
            ("vnp_Locale", "vn".to_owned()),
            ("vnp_ReturnUrl", self.config.return_url.clone()),
            ("vnp_IpAddr", a.client_ip.clone()),
            ("vnp_CreateDate", vnp_date(a.created_at)),
            ("vnp_ExpireDate", vnp_date(a.expires_at)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The signed payment URL.
    pub fn payment_url(&self, a: &AttemptRequest) -> String {
        let query = sign::signed_query(&self.config.hash_secret, &self.payment_params(a));
        format!("{}?{query}", self.config.pay_url)
    }

    /// Checks the signature and the merchant of a return or an IPN, and reads it.
    fn read_signed(
        &self,
        params: &[(String, String)],
    ) -> Result<(VerifiedReport, String), GatewayError> {
        sign::verify_params(&self.config.hash_secret, params)?;
        if field(params, "vnp_TmnCode")? != self.config.tmn_code {
            return Err(GatewayError::Malformed("vnp_TmnCode"));
        }
        let reference = field(params, "vnp_TxnRef")?.to_owned();
        let amount_vnd = amount_from_vnp(field(params, "vnp_Amount")?)
            .ok_or(GatewayError::Malformed("vnp_Amount"))?;
        let response = field(params, "vnp_ResponseCode")?.to_owned();
        let status = field(params, "vnp_TransactionStatus")?;
        let txn = params
            .iter()
            .find(|(k, _)| k == "vnp_TransactionNo")
            .map_or("", |(_, v)| v.as_str());
        let outcome = outcome(&response, status, amount_vnd, txn);
        if matches!(outcome, GatewayOutcome::Paid { .. }) && txn.is_empty() {
            return Err(GatewayError::Malformed("vnp_TransactionNo"));
        }
        Ok((
            VerifiedReport {
                reference,
                amount_vnd,
                outcome,
            },
            response,
        ))
    }

    async fn call(
        &self,
        command: &'static str,
        fields: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, GatewayError> {
        let (request_order, response_order) =
            api::fields_of(command).ok_or(GatewayError::Unsupported(command))?;
        let body = api::signed_body(&self.config.hash_secret, &fields, request_order);
        let answer: serde_json::Value = self
            .http
            .post(&self.config.api_url)
            .json(&body)
            .send()
            .await
            .map_err(|e| GatewayError::Transport(e.to_string()))?
            .json()
            .await
            .map_err(|e| GatewayError::Transport(e.to_string()))?;
        let answer = api::text_fields(&answer);
        // An answer refusing the request itself (bad checksum, bad data) may come unsigned.
        if !answer.contains_key("vnp_SecureHash") {
            return Err(GatewayError::Refused {
                code: answer.get("vnp_ResponseCode").cloned().unwrap_or_default(),
                message: answer.get("vnp_Message").cloned().unwrap_or_default(),
            });
        }
        api::verify_body(&self.config.hash_secret, &answer, response_order)?;
        if answer.get("vnp_TxnRef") != fields.get("vnp_TxnRef")
            && answer.get("vnp_ResponseCode").map(String::as_str) == Some("00")
        {
            return Err(GatewayError::Malformed("vnp_TxnRef"));
        }
        Ok(answer)
    }

    fn base_fields(
        &self,
        command: &str,
        request_id: &str,
        reference: &str,
    ) -> BTreeMap<String, String> {
        [
            ("vnp_RequestId", request_id),
            ("vnp_Version", VERSION),
            ("vnp_Command", command),
            ("vnp_TmnCode", &self.config.tmn_code),
            ("vnp_TxnRef", reference),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

#[async_trait]
impl Gateway for Vnpay {
    fn name(&self) -> &'static str {
        "vnpay"
    }

    fn checkout(&self, attempt: &AttemptRequest) -> Result<Checkout, GatewayError> {
        if attempt.reference.is_empty() || attempt.reference.len() > 100 {
            return Err(GatewayError::Malformed("vnp_TxnRef"));
        }
        if attempt.amount_vnd == 0 {
            return Err(GatewayError::Malformed("vnp_Amount"));
        }
        Ok(Checkout::Redirect {
            url: self.payment_url(attempt),
        })
    }

    fn verify_return(&self, params: &[(String, String)]) -> Result<ReturnView, GatewayError> {
        let (report, response) = self.read_signed(params)?;
        let success = matches!(report.outcome, GatewayOutcome::Paid { .. });
        Ok(ReturnView {
            reference: report.reference,
            amount_vnd: report.amount_vnd,
            success,
            // "00" with a transaction status other than paid is a failure all the same.
            message_vi: match (success, response.as_str()) {
                (true, _) => codes::response_message_vi("00"),
                (false, "00") => codes::response_message_vi(""),
                (false, code) => codes::response_message_vi(code),
            },
            code: response,
        })
    }

    fn verify_notification(
        &self,
        params: &[(String, String)],
    ) -> Result<VerifiedReport, GatewayError> {
        self.read_signed(params).map(|(r, _)| r)
    }

    async fn query(&self, q: &QueryRequest) -> Result<QueryOutcome, GatewayError> {
        let mut fields = self.base_fields("querydr", &q.request_id, &q.reference);
        for (k, v) in [
            ("vnp_OrderInfo", order_info(&q.order_info)),
            ("vnp_TransactionDate", vnp_date(q.attempt_created_at)),
            ("vnp_CreateDate", vnp_date(q.at)),
            ("vnp_IpAddr", q.server_ip.clone()),
        ] {
            fields.insert(k.to_owned(), v);
        }
        let a = self.call("querydr", fields).await?;
        let get = |k: &str| a.get(k).map_or("", String::as_str);
        match get("vnp_ResponseCode") {
            "00" => {}
            codes::QUERY_NOT_FOUND => return Ok(QueryOutcome::NotFound),
            code => {
                return Err(GatewayError::Refused {
                    code: code.to_owned(),
                    message: get("vnp_Message").to_owned(),
                });
            }
        }
        let amount_vnd =
            amount_from_vnp(get("vnp_Amount")).ok_or(GatewayError::Malformed("vnp_Amount"))?;
        let status = get("vnp_TransactionStatus");
        Ok(match status {
            codes::STATUS_SUCCESS | codes::STATUS_FAILED => QueryOutcome::Final(VerifiedReport {
                reference: q.reference.clone(),
                amount_vnd,
                outcome: outcome("00", status, amount_vnd, get("vnp_TransactionNo")),
            }),
            codes::STATUS_PENDING => QueryOutcome::Pending,
            other => QueryOutcome::Other {
                code: other.to_owned(),
            },
        })
    }

    async fn refund(&self, r: &RefundRequest) -> Result<RefundResult, GatewayError> {
        let mut fields = self.base_fields("refund", &r.request_id, &r.reference);
        for (k, v) in [
            // 02: the whole amount (motcua refunds whole payments only).
            ("vnp_TransactionType", "02".to_owned()),
            ("vnp_Amount", (u128::from(r.amount_vnd) * 100).to_string()),
            ("vnp_TransactionNo", r.transaction_no.clone()),
            ("vnp_TransactionDate", vnp_date(r.attempt_created_at)),
            ("vnp_CreateBy", r.created_by.clone()),
            ("vnp_CreateDate", vnp_date(r.at)),
            ("vnp_IpAddr", r.server_ip.clone()),
            ("vnp_OrderInfo", order_info(&r.order_info)),
        ] {
            fields.insert(k.to_owned(), v);
        }
        let a = self.call("refund", fields).await?;
        let code = a.get("vnp_ResponseCode").cloned().unwrap_or_default();
        Ok(RefundResult {
            accepted: code == "00",
            message: a.get("vnp_Message").cloned().unwrap_or_default(),
            code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn vnpay() -> Vnpay {
        Vnpay::new(VnpayConfig {
            tmn_code: "MOTCUA01".into(),
            hash_secret: "SECRETSECRETSECRETSECRETSECRET12".into(),
            pay_url: SANDBOX_PAY_URL.into(),
            api_url: SANDBOX_API_URL.into(),
            return_url: "https://dvc.example.vn/thanh-toan/ket-qua".into(),
        })
        .unwrap()
    }

    fn attempt() -> AttemptRequest {
        let at = Utc.with_ymd_and_hms(2026, 4, 7, 2, 0, 0).unwrap();
        AttemptRequest {
            reference: "000.00.06.H56-260407-0001-1".into(),
            amount_vnd: 1_500_000,
            order_info: "Thanh toán lệ phí hồ sơ 000.00.06.H56-260407-0001".into(),
            created_at: at,
            expires_at: at + chrono::TimeDelta::minutes(15),
            client_ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn dates_are_gmt7() {
        let at = Utc.with_ymd_and_hms(2026, 4, 7, 20, 5, 9).unwrap();
        assert_eq!(vnp_date(at), "20260408030509");
        assert_eq!(parse_vnp_date("20260408030509"), Some(at));
        assert_eq!(parse_vnp_date("2026"), None);
    }

    #[test]
    fn payment_url_is_sorted_encoded_and_signed() {
        let v = vnpay();
        let url = v.payment_url(&attempt());
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, SANDBOX_PAY_URL);
        let names: Vec<&str> = query
            .split('&')
            .map(|kv| kv.split_once('=').unwrap().0)
            .collect();
        let mut sorted = names[..names.len() - 1].to_vec();
        sorted.sort_unstable();
        assert_eq!(names[..names.len() - 1], sorted[..]);
        assert_eq!(names.last(), Some(&"vnp_SecureHash"));
        assert!(query.contains("vnp_Amount=150000000&"));
        assert!(query.contains("vnp_OrderInfo=Thanh+toan+le+phi+ho+so+000.00.06.H56-260407-0001&"));
        assert!(
            query.contains("vnp_ReturnUrl=https%3A%2F%2Fdvc.example.vn%2Fthanh-toan%2Fket-qua&")
        );
        assert!(query.contains("vnp_CreateDate=20260407090000&"));
        assert!(query.contains("vnp_ExpireDate=20260407091500&"));
        let (signed, hash) = query.rsplit_once("&vnp_SecureHash=").unwrap();
        assert_eq!(hash, sign::hmac_sha512_hex(&v.config.hash_secret, signed));
        assert_eq!(hash.len(), 128);
    }

    #[test]
    fn amounts_are_hundredths() {
        assert_eq!(amount_from_vnp("150000000"), Some(1_500_000));
        assert_eq!(amount_from_vnp("150000001"), None);
        assert_eq!(amount_from_vnp("x"), None);
    }

    #[test]
    fn order_info_has_no_special_characters() {
        assert_eq!(
            order_info("Lệ phí: hồ sơ #12 (Đà Nẵng) & 50%"),
            "Le phi: ho so 12 Da Nang 50"
        );
        assert_eq!(order_info(&"đ".repeat(400)).len(), MAX_ORDER_INFO_CHARS);
    }

    fn signed(v: &Vnpay, pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let hash = sign::hmac_sha512_hex(&v.config.hash_secret, &sign::canonical_query(&p));
        p.push(("vnp_SecureHash".into(), hash));
        p
    }

    #[test]
    fn returns_are_read_strictly() {
        let v = vnpay();
        let base = [
            ("vnp_Amount", "150000000"),
            ("vnp_ResponseCode", "00"),
            ("vnp_TransactionStatus", "02"),
            ("vnp_TmnCode", "MOTCUA01"),
            ("vnp_TransactionNo", "1"),
            ("vnp_TxnRef", "A1"),
        ];
        // "00" with a failed transaction status is a failure.
        let view = v.verify_return(&signed(&v, &base)).unwrap();
        assert!(!view.success);
        assert_eq!(view.message_vi, "Giao dịch không thành công");
        let report = v.verify_notification(&signed(&v, &base)).unwrap();
        assert_eq!(report.outcome, GatewayOutcome::Failed { code: "02".into() });
        // Another merchant's report, a fraction of a đồng, a success without a transaction.
        let mut other = base;
        other[3].1 = "OTHER";
        assert_eq!(
            v.verify_notification(&signed(&v, &other)),
            Err(GatewayError::Malformed("vnp_TmnCode"))
        );
        let mut cents = base;
        cents[0].1 = "150000050";
        assert_eq!(
            v.verify_notification(&signed(&v, &cents)),
            Err(GatewayError::Malformed("vnp_Amount"))
        );
        let mut no_txn = base;
        no_txn[2].1 = "00";
        no_txn[4].1 = "";
        assert_eq!(
            v.verify_notification(&signed(&v, &no_txn)),
            Err(GatewayError::Malformed("vnp_TransactionNo"))
        );
    }
}
