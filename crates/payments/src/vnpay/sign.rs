//! VNPAY's signature rules (2.1.0).
//!
//! - Payment URL, return and IPN: the `vnp_*` parameters except `vnp_SecureHash` and
//!   `vnp_SecureHashType`, with a non-empty value, sorted by name (byte order), each written
//!   `urlencode(name)=urlencode(value)` and joined by `&`; the hash is the lowercase hex
//!   HMAC-SHA512 of that text with the merchant's secret. `urlencode` is PHP's, as VNPAY's
//!   sample code uses: letters, digits and `-_.` stay, a space becomes `+`, every other byte of
//!   the UTF-8 text becomes `%XX` (uppercase hex). The URL's query is the same text.
//!   Implementations differ on `*` only: PHP encodes it, the WHATWG form encoding (npm `vnpay`)
//!   and Java's `URLEncoder` (VNPAY's Java sample) leave it. motcua never sends one
//!   ([`super::order_info`]); a received `*` is verified the PHP way.
//! - `querydr` and `refund`: the listed fields' values joined by `|` in the order the command
//!   fixes, hashed the same way ([`hash_fields`]).

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha512;

use crate::gateway::GatewayError;

/// Everything but letters, digits and `-_.` is encoded (PHP's `urlencode`, space aside).
const URLENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// PHP's `urlencode`: "Thanh toan GD:5" → "Thanh+toan+GD%3A5".
pub fn urlencode(s: &str) -> String {
    utf8_percent_encode(s, URLENCODE)
        .to_string()
        .replace("%20", "+")
}

/// Lowercase hex HMAC-SHA512 of `data` with `secret`.
pub fn hmac_sha512_hex(secret: &str, data: &str) -> String {
    let mut mac =
        Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `hash` (hex, any case) is the HMAC-SHA512 of `data`, compared in constant time.
pub fn hmac_matches(secret: &str, data: &str, hash: &str) -> bool {
    let Ok(bytes) = hex::decode(hash.trim()) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

/// The signed text of parameters: `vnp_*` names only, hash fields and empty values left out,
/// sorted, encoded, joined by `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut fields: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, v)| {
            k.starts_with("vnp_")
                && k != "vnp_SecureHash"
                && k != "vnp_SecureHashType"
                && !v.is_empty()
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.sort_unstable();
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The query string of signed parameters: the canonical text and `vnp_SecureHash`.
pub fn signed_query(secret: &str, params: &[(String, String)]) -> String {
    let query = canonical_query(params);
    let hash = hmac_sha512_hex(secret, &query);
    format!("{query}&vnp_SecureHash={hash}")
}

/// Checks `vnp_SecureHash` of received parameters.
pub fn verify_params(secret: &str, params: &[(String, String)]) -> Result<(), GatewayError> {
    let hash = params
        .iter()
        .find(|(k, _)| k == "vnp_SecureHash")
        .map(|(_, v)| v.as_str())
        .ok_or(GatewayError::InvalidSignature)?;
    if hmac_matches(secret, &canonical_query(params), hash) {
        Ok(())
    } else {
        Err(GatewayError::InvalidSignature)
    }
}

/// The hash of `querydr` / `refund` fields: values joined by `|`.
pub fn hash_fields(secret: &str, values: &[&str]) -> String {
    hmac_sha512_hex(secret, &values.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn php_urlencode() {
        assert_eq!(urlencode("Thanh toan GD:5"), "Thanh+toan+GD%3A5");
        assert_eq!(
            urlencode("https://a.vn/r?x=1&y=2"),
            "https%3A%2F%2Fa.vn%2Fr%3Fx%3D1%26y%3D2"
        );
        assert_eq!(urlencode("a-b_c.d~*"), "a-b_c.d%7E%2A");
        assert_eq!(urlencode("Lệ"), "L%E1%BB%87");
    }

    #[test]
    fn hmac_of_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_sha512_hex("Jefe", "what do ya want for nothing?"),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[test]
    fn canonical_text_sorts_and_skips() {
        let q = canonical_query(&p(&[
            ("vnp_TxnRef", "5"),
            ("vnp_Amount", "1806000"),
            ("vnp_SecureHash", "ab"),
            ("vnp_BankCode", ""),
            ("other", "x"),
            ("vnp_OrderInfo", "Thanh toan don hang :5"),
        ]));
        assert_eq!(
            q,
            "vnp_Amount=1806000&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_TxnRef=5"
        );
    }

    #[test]
    fn verification_refuses_a_changed_field() {
        let mut params = p(&[("vnp_Amount", "100"), ("vnp_TxnRef", "A1")]);
        let hash = hmac_sha512_hex("S", &canonical_query(&params));
        params.push(("vnp_SecureHash".into(), hash.to_uppercase()));
        assert_eq!(verify_params("S", &params), Ok(()));
        assert_eq!(
            verify_params("T", &params),
            Err(GatewayError::InvalidSignature)
        );
        params[0].1 = "101".into();
        assert_eq!(
            verify_params("S", &params),
            Err(GatewayError::InvalidSignature)
        );
        assert_eq!(
            verify_params("S", &params[..2]),
            Err(GatewayError::InvalidSignature)
        );
    }
}
