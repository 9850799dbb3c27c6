//! VNPAY's merchant web API (`POST …/merchant_webapi/api/transaction`, JSON): the `querydr`
//! and `refund` commands, each with its own checksum field order ([`QUERYDR_REQUEST_FIELDS`]
//! and the others below). Pure: building requests and checking answers.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::gateway::GatewayError;

use super::sign::{hash_fields, hmac_matches};

/// Fields of a `querydr` request, in checksum order.
pub const QUERYDR_REQUEST_FIELDS: [&str; 9] = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
];

/// Fields of a `querydr` answer, in checksum order.
pub const QUERYDR_RESPONSE_FIELDS: [&str; 15] = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
];

/// Fields of a `refund` request, in checksum order.
pub const REFUND_REQUEST_FIELDS: [&str; 13] = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
];

/// Fields of a `refund` answer, in checksum order.
pub const REFUND_RESPONSE_FIELDS: [&str; 13] = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
];

/// The checksum fields of a command's request and answer.
pub fn fields_of(command: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    match command {
        "querydr" => Some((&QUERYDR_REQUEST_FIELDS, &QUERYDR_RESPONSE_FIELDS)),
        "refund" => Some((&REFUND_REQUEST_FIELDS, &REFUND_RESPONSE_FIELDS)),
        _ => None,
    }
}

/// A JSON object's fields as text (numbers written out, missing or null as "").
pub fn text_fields(body: &Value) -> BTreeMap<String, String> {
    body.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `fields` as a JSON object with `vnp_SecureHash` over `order`.
pub fn signed_body(secret: &str, fields: &BTreeMap<String, String>, order: &[&str]) -> Value {
    let values: Vec<&str> = order
        .iter()
        .map(|k| fields.get(*k).map_or("", String::as_str))
        .collect();
    let mut body: Map<String, Value> = fields
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    body.insert(
        "vnp_SecureHash".into(),
        Value::String(hash_fields(secret, &values)),
    );
    Value::Object(body)
}

/// Checks `vnp_SecureHash` of a JSON body over `order`.
pub fn verify_body(
    secret: &str,
    fields: &BTreeMap<String, String>,
    order: &[&str],
) -> Result<(), GatewayError> {
    let hash = fields
        .get("vnp_SecureHash")
        .ok_or(GatewayError::InvalidSignature)?;
    let values: Vec<&str> = order
        .iter()
        .map(|k| fields.get(*k).map_or("", String::as_str))
        .collect();
    if hmac_matches(secret, &values.join("|"), hash) {
        Ok(())
    } else {
        Err(GatewayError::InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_sign_and_verify_in_the_command_order() {
        let fields: BTreeMap<String, String> = QUERYDR_REQUEST_FIELDS
            .iter()
            .map(|k| (k.to_string(), format!("v-{k}")))
            .collect();
        let body = signed_body("S", &fields, &QUERYDR_REQUEST_FIELDS);
        let got = text_fields(&body);
        assert_eq!(verify_body("S", &got, &QUERYDR_REQUEST_FIELDS), Ok(()));
        // Another order (refund's) does not verify.
        assert_eq!(
            verify_body("S", &got, &REFUND_REQUEST_FIELDS),
            Err(GatewayError::InvalidSignature)
        );
        let mut changed = got.clone();
        changed.insert("vnp_TxnRef".into(), "other".into());
        assert!(verify_body("S", &changed, &QUERYDR_REQUEST_FIELDS).is_err());
    }

    #[test]
    fn numbers_and_nulls_as_text() {
        let f = text_fields(&serde_json::json!({"a": 100, "b": null, "c": "x"}));
        assert_eq!(f["a"], "100");
        assert_eq!(f["b"], "");
        assert_eq!(f["c"], "x");
    }
}
