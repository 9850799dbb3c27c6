//! motcua's RFC 9421 signatures against an independent implementation: PyPI's
//! `http-message-signatures` (installed by `scripts/test`). Its verifier accepts what motcua
//! signs (Ed25519 and HMAC-SHA256) and refuses it tampered; motcua's verifier accepts what it
//! signs, and refuses it for another target, an unknown key or a changed body.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::Utc;
use motcua_integrations::httpsig::{
    self, Alg, COVERED, Request, SigError, SignKey, VerifyKey, new_ed25519_key,
};
use motcua_integrations::transfer::{FETCH_COVERED, signed_fetch, signed_request};
use serde_json::{Value, json};

const URL: &str = "http://127.0.0.1:8080/api/v1/transfers";
const HMAC: &str = "khóa dùng chung của hai hệ thống, đủ dài";

fn python(cases: &[Value]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/httpsig_interop.py");
    let have = Command::new("python3")
        .args(["-c", "import http_message_signatures, requests"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        have,
        "the RFC 9421 interop test needs PyPI's http-message-signatures: \
         python3 -m pip install 'http-message-signatures==3.0.0' requests (scripts/test does it)"
    );
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json!({ "cases": cases }).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    v["results"].as_array().unwrap().clone()
}

fn pairs(headers: &[(String, String)]) -> Value {
    json!(
        headers
            .iter()
            .map(|(k, v)| json!([k, v]))
            .collect::<Vec<_>>()
    )
}

/// (algorithm, the signer's key text, the verifier's key text)
fn keys() -> Vec<(Alg, String, String)> {
    let (private, public) = new_ed25519_key();
    vec![
        (Alg::Ed25519, private, public),
        (Alg::HmacSha256, HMAC.to_string(), HMAC.to_string()),
    ]
}

#[test]
fn the_library_verifies_what_motcua_signs() {
    let body = br#"{"id":"0193:7","type":"result","code":"000.00.01.H38-261207-0001"}"#;
    let mut cases = Vec::new();
    for (alg, private, public) in keys() {
        let key = SignKey::parse(alg, &private).unwrap();
        let req = signed_request(
            "http://127.0.0.1:8080",
            "0193:7",
            body.to_vec(),
            "tinh-38",
            &key,
            Utc::now(),
        )
        .unwrap();
        let case = json!({"op": "verify", "alg": alg.as_str(), "key": public, "key_id": "tinh-38",
            "method": "POST", "url": req.url, "headers": pairs(&req.headers),
            "body": String::from_utf8(req.body.clone()).unwrap()});
        // Tampered: another body under the same headers; another key id; another target.
        let mut other_body = case.clone();
        other_body["body"] = json!(r#"{"id":"0193:7","type":"result","code":"X"}"#);
        let mut other_key = case.clone();
        other_key["key_id"] = json!("tinh-39");
        let mut other_url = case.clone();
        other_url["url"] = json!("http://127.0.0.1:8080/api/v1/transfers?again=1");
        cases.extend([case, other_body, other_key, other_url]);
    }
    let results = python(&cases);
    for (i, r) in results.iter().enumerate() {
        if i % 4 == 0 {
            assert_eq!(r["ok"], true, "the library refused motcua's signature: {r}");
            assert_eq!(
                r["covered"],
                json!(COVERED),
                "the library saw other covered components"
            );
        } else {
            assert_eq!(
                r["ok"], false,
                "the library accepted a tampered request: {r}"
            );
        }
    }
}

/// A file fetch (a GET over its empty body's digest) verifies in the library as well.
#[test]
fn the_library_verifies_a_signed_file_fetch() {
    let sha = "ab".repeat(32);
    let mut cases = Vec::new();
    for (alg, private, public) in keys() {
        let key = SignKey::parse(alg, &private).unwrap();
        let req = signed_fetch(
            "http://127.0.0.1:8080",
            "000.00.01.H38-261207-0001",
            &sha,
            "bo-tu-phap",
            &key,
            Utc::now(),
        )
        .unwrap();
        let case = json!({"op": "verify", "alg": alg.as_str(), "key": public,
            "key_id": "bo-tu-phap", "method": "GET", "url": req.url,
            "headers": pairs(&req.headers), "body": ""});
        let mut other_file = case.clone();
        other_file["url"] = json!(req.url.replace(&sha, &"cd".repeat(32)));
        cases.extend([case, other_file]);
    }
    for (i, r) in python(&cases).iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(r["ok"], true, "the library refused motcua's fetch: {r}");
            assert_eq!(r["covered"], json!(FETCH_COVERED), "{r}");
        } else {
            assert_eq!(
                r["ok"], false,
                "the library accepted another file's fetch: {r}"
            );
        }
    }
}

#[test]
fn motcua_verifies_what_the_library_signs() {
    let body = r#"{"id":"0193:3","type":"dossier","code":"000.00.01.H38-261207-0001"}"#;
    let headers = json!([
        ["content-type", "application/json"],
        [
            "date",
            Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
        ],
        ["motcua-message-id", "0193:3"]
    ]);
    let mut cases = Vec::new();
    let keys = keys();
    for (alg, private, _) in &keys {
        cases.push(
            json!({"op": "sign", "alg": alg.as_str(), "key": private, "key_id": "bo-tu-phap",
            "method": "POST", "url": URL, "headers": headers, "body": body, "covered": COVERED}),
        );
    }
    let results = python(&cases);
    let now = Utc::now();
    for ((alg, _, public), r) in keys.iter().zip(&results) {
        let headers: Vec<(String, String)> = r["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let vk = VerifyKey::parse(*alg, public).unwrap();
        let keys = |id: &str| (id == "bo-tu-phap").then(|| vk.clone());
        let req = |uri| Request {
            method: "POST",
            target_uri: uri,
            headers: &headers,
        };
        let ok = httpsig::verify(&req(URL), body.as_bytes(), keys, now)
            .unwrap_or_else(|e| panic!("{alg:?}: motcua refused the library's signature: {e}"));
        assert_eq!(ok.key_id, "bo-tu-phap");
        assert_eq!(
            httpsig::verify(
                &req("http://127.0.0.1:8081/api/v1/transfers"),
                body.as_bytes(),
                keys,
                now
            ),
            Err(SigError::Invalid)
        );
        assert_eq!(
            httpsig::verify(&req(URL), b"{}", keys, now),
            Err(SigError::DigestMismatch)
        );
        assert_eq!(
            httpsig::verify(&req(URL), body.as_bytes(), |_| None, now),
            Err(SigError::UnknownKey("bo-tu-phap".into()))
        );
    }
}
