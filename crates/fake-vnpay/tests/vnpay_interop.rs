//! motcua's VNPAY signing against an independent implementation: the npm library `vnpay`
//! (pinned in tests/vnpay-interop/package-lock.json, installed with `npm ci`). The library
//! builds the payment URL from the same inputs (same URL, same `vnp_SecureHash`), verifies a
//! return/IPN that motcua's rules signed (with Vietnamese text), and calls `querydr` on the fake
//! VNPAY (so the fake checks the library's checksum and the library checks the fake's).
//! Skipped, loudly, only when node or npm is missing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use motcua_payments::vnpay::{Vnpay, VnpayConfig, sign, vnp_date};
use motcua_payments::{AttemptRequest, Gateway};

const SECRET: &str = "INTEROPSECRETINTEROPSECRET123456";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vnpay-interop")
}

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the library on `input`; `None` (after a loud message) when node or npm is missing.
fn library(input: &serde_json::Value) -> Option<serde_json::Value> {
    if !have("node") || !have("npm") {
        eprintln!(
            "\n!!! SKIPPED: node/npm missing, motcua's VNPAY signing was NOT checked against \
             the npm library `vnpay`\n"
        );
        return None;
    }
    let dir = interop_dir();
    if !dir.join("node_modules/vnpay").exists() {
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci");
        assert!(ok.success(), "npm ci in {} failed", dir.display());
    }
    let mut child = Command::new("node")
        .arg("check.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "check.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("JSON from check.mjs"))
}

async fn fake() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = fake_vnpay::router(fake_vnpay::FakeConfig {
        tmn_code: "INTEROP1".into(),
        hash_secret: SECRET.into(),
        ipn_url: None,
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn our_signing_agrees_with_the_npm_vnpay_library() {
    let host = fake().await;
    let vnpay = Vnpay::new(VnpayConfig {
        tmn_code: "INTEROP1".into(),
        hash_secret: SECRET.into(),
        pay_url: format!("{host}/paymentv2/vpcpay.html"),
        api_url: format!("{host}/merchant_webapi/api/transaction"),
        return_url: "https://dichvucong.example.vn/thanh-toan/ket-qua?nguon=vnpay".into(),
    })
    .unwrap();
    let created = Utc.with_ymd_and_hms(2026, 4, 7, 2, 0, 0).unwrap();
    let attempt = AttemptRequest {
        reference: "000.00.06.H56-260407-0001-1".into(),
        amount_vnd: 1_500_000,
        order_info: "Thanh toán lệ phí hồ sơ 000.00.06.H56-260407-0001".into(),
        created_at: created,
        expires_at: created + chrono::TimeDelta::minutes(15),
        client_ip: "203.0.113.7".into(),
    };
    let ours = vnpay.payment_url(&attempt);
    // The payer opens it at the fake: the URL is real, and the fake knows the transaction.
    assert_eq!(reqwest::get(&ours).await.unwrap().status(), 200);

    let params = vnpay.payment_params(&attempt);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).unwrap().1.clone();
    // A return/IPN as VNPAY sends it, signed by our rules, with Vietnamese text left in. (A
    // `*` would not verify: the library leaves it unencoded, PHP's urlencode does not; see
    // motcua_payments::vnpay::sign.)
    let mut signed: Vec<(String, String)> = [
        ("vnp_Amount", "150000000"),
        ("vnp_BankCode", "NCB"),
        ("vnp_BankTranNo", "VNP14000001"),
        ("vnp_CardType", "ATM"),
        (
            "vnp_OrderInfo",
            "Thanh toán lệ phí (hồ sơ) 000.00.06.H56-260407-0001 ~!",
        ),
        ("vnp_PayDate", "20260407090501"),
        ("vnp_ResponseCode", "00"),
        ("vnp_TmnCode", "INTEROP1"),
        ("vnp_TransactionNo", "14000001"),
        ("vnp_TransactionStatus", "00"),
        ("vnp_TxnRef", "000.00.06.H56-260407-0001-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let hash = sign::hmac_sha512_hex(SECRET, &sign::canonical_query(&signed));
    signed.push(("vnp_SecureHash".into(), hash));
    assert!(vnpay.verify_notification(&signed).is_ok());

    let input = serde_json::json!({
        "tmnCode": "INTEROP1",
        "secret": SECRET,
        "host": host,
        "payment": {
            "vnp_Amount": attempt.amount_vnd,
            "vnp_TxnRef": get("vnp_TxnRef"),
            "vnp_OrderInfo": get("vnp_OrderInfo"),
            "vnp_OrderType": "other",
            "vnp_ReturnUrl": get("vnp_ReturnUrl"),
            "vnp_IpAddr": get("vnp_IpAddr"),
            "vnp_Locale": "vn",
            "vnp_CreateDate": get("vnp_CreateDate").parse::<u64>().unwrap(),
            "vnp_ExpireDate": get("vnp_ExpireDate").parse::<u64>().unwrap(),
        },
        "signed": signed
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect::<serde_json::Map<_, _>>(),
        "query": {
            "vnp_RequestId": "RQ0001",
            "vnp_TxnRef": attempt.reference,
            "vnp_OrderInfo": "Truy van giao dich",
            "vnp_TransactionDate": vnp_date(created).parse::<u64>().unwrap(),
            "vnp_CreateDate": vnp_date(created).parse::<u64>().unwrap(),
            "vnp_IpAddr": "127.0.0.1",
        },
    });
    let Some(lib) = library(&input) else {
        return;
    };
    let theirs = lib["url"].as_str().unwrap();
    let hash_of = |u: &str| u.rsplit_once("vnp_SecureHash=").unwrap().1.to_owned();
    assert_eq!(hash_of(theirs), hash_of(&ours), "vnp_SecureHash differs");
    assert_eq!(theirs, ours);
    assert_eq!(lib["returnVerified"], true, "{lib}");
    assert_eq!(lib["ipnVerified"], true, "{lib}");
    assert_eq!(lib["returnSuccess"], true);
    assert_eq!(lib["returnAmount"], 1_500_000);
    // querydr: the fake accepted the library's checksum and the library ours.
    let q = &lib["queryDr"];
    assert_eq!(q["isVerified"], true, "{lib}");
    assert_eq!(q["vnp_ResponseCode"], "00", "{lib}");
    assert_eq!(q["vnp_TransactionStatus"], "01", "{lib}");
    // And the other way round: a URL the library signed verifies with our rules.
    let their_params: Vec<(String, String)> = reqwest::Url::parse(theirs)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(sign::verify_params(SECRET, &their_params), Ok(()));
}
