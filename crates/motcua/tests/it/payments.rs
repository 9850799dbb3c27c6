//! Fees and online payment (#23), over real HTTP against the fake VNPAY gateway running as its
//! own server on a port (`fake-vnpay`, told by its control API to drop, repeat, hold and
//! reorder, corrupt IPNs or state a wrong amount): a payment is paid only by a verified IPN or
//! status query for exactly the amount due, once; the return URL changes nothing; a lost IPN
//! is caught by the reconciliation pass, an expired attempt expires and none stays pending
//! past the pass; refunds need an authorised officer and a reason; receipt numbers have no gap
//! and no duplicate under 20 concurrent payments.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, client};

const CENTRE: &str = "000.00.01.H38";
/// "Cấp lại Giấy chứng nhận đủ điều kiện sản xuất thuốc bảo vệ thực vật": 6,000,000 VNĐ on
/// every channel.
const PROCEDURE: &str = "1.002560";
const FEE: u64 = 6_000_000;
const TMN: &str = "MOTCUA01";
const SECRET: &str = "FAKESECRETFAKESECRETFAKESECRET12";

struct Pay {
    app: TestApp,
    /// The fake gateway's base URL.
    fake: String,
    officer: String,
    specialist: String,
    leader: String,
    citizen: String,
    admin: String,
    http: Client,
}

/// The fake VNPAY on its own port, calling `ipn_url`.
async fn start_fake(ipn_url: String) -> String {
    let router = fake_vnpay::router(fake_vnpay::FakeConfig {
        tmn_code: TMN.into(),
        hash_secret: SECRET.into(),
        ipn_url: Some(ipn_url),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("fake runs") });
    format!("http://{addr}")
}

async fn setup_with(config: motcua_app::Config) -> Pay {
    let app = TestApp::with_config(config).await;
    let [officer, specialist, leader, citizen, _] = crate::dossiers::seed(&app).await;
    crate::catalogue::import(app.store.as_ref(), &["1.001193", PROCEDURE]).await;
    let admin = app.user("quantri", "admin", None).await;
    let fake = start_fake(app.url("/api/v1/payments/vnpay/ipn")).await;
    let p = Pay {
        app,
        fake,
        officer,
        specialist,
        leader,
        citizen,
        admin,
        http: client(),
    };
    let account = json!({
        "gateway": "vnpay", "merchant_code": TMN, "hash_secret": SECRET,
        "pay_url": format!("{}/paymentv2/vpcpay.html", p.fake),
        "api_url": format!("{}/merchant_webapi/api/transaction", p.fake),
        "return_url": p.app.url("/api/v1/payments/vnpay/return"),
        "receipt_template": "01BLP0-001", "receipt_serial": "TH-26E"
    });
    let path = format!("/api/v1/agencies/{CENTRE}/payment-gateway");
    let (s, e) = p
        .app
        .send(Method::PUT, &path, Some(&p.officer), Some(account.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only administrators: {e}");
    let (s, v) = p
        .app
        .send(Method::PUT, &path, Some(&p.admin), Some(account))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.get("hash_secret").is_none(), "the secret is never shown");
    p
}

async fn setup() -> Pay {
    setup_with(config()).await
}

/// Every pending attempt is looked at by a pass (no waiting in tests).
fn config() -> motcua_app::Config {
    motcua_app::Config {
        payment_reconcile_after: Duration::ZERO,
        ..motcua_app::Config::default()
    }
}

impl Pay {
    /// A dossier received at the counter, its fee fixed from the catalogue.
    async fn dossier(&self) -> String {
        let mut body = crate::dossiers::body("counter");
        body["procedure"] = json!(PROCEDURE);
        let (s, d) = self
            .app
            .post("/api/v1/dossiers", Some(&self.officer), body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        d["code"].as_str().unwrap().to_string()
    }

    async fn payment(&self, code: &str, token: &str) -> (StatusCode, Value) {
        self.app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}/payment"),
                Some(token),
                None,
            )
            .await
    }

    async fn status(&self, code: &str) -> String {
        let (s, v) = self.payment(code, &self.officer).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["status"].as_str().unwrap().to_string()
    }

    async fn control(&self, body: Value) {
        let r = self
            .http
            .post(format!("{}/_control", self.fake))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// The merchant's answers to the fake's IPNs for `reference`, in order.
    async fn ipn_answers(&self, reference: &str) -> Vec<Option<String>> {
        let log: Value = self
            .http
            .get(format!("{}/_control/log", self.fake))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reference"] == reference)
            .map(|e| e["rsp_code"].as_str().map(str::to_string))
            .collect()
    }

    /// Starts an online attempt as `token`: its reference and the gateway's page.
    async fn start(&self, code: &str, token: &str) -> (String, String) {
        let (s, v) = self
            .app
            .post(
                &format!("/api/v1/dossiers/{code}/payment/online"),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (
            v["reference"].as_str().unwrap().to_string(),
            v["redirect_url"].as_str().unwrap().to_string(),
        )
    }

    /// The payer at the gateway: opens its page, pays (or cancels); the gateway calls the IPN
    /// and sends the payer back. Returns where the payer is sent back to.
    async fn pay_at_gateway(&self, url: &str, reference: &str, action: &str) -> String {
        let page = self.http.get(url).send().await.unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "the gateway accepts the signed URL"
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&FEE.to_string()),
            "the page shows the amount: {html}"
        );
        let r = self
            .http
            .post(format!("{}/paymentv2/confirm", self.fake))
            .form(&[("ref", reference), ("action", action)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        r.headers()["location"].to_str().unwrap().to_string()
    }

    async fn reconcile(&self) -> Value {
        let (s, e) = self
            .app
            .post(
                "/api/v1/admin/payments/reconcile",
                Some(&self.officer),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, v) = self
            .app
            .post(
                "/api/v1/admin/payments/reconcile",
                Some(&self.admin),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    async fn paid_online(&self) -> String {
        let code = self.dossier().await;
        let (reference, url) = self.start(&code, &self.officer).await;
        self.pay_at_gateway(&url, &reference, "pay").await;
        assert_eq!(self.status(&code).await, "paid");
        code
    }

    /// The dossier as the API shows it to the desk.
    async fn dossier_json(&self, code: &str) -> Value {
        let (s, d) = self
            .app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&self.officer),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        d
    }

    /// The dossier's own record of the fee collected.
    async fn fee_collected(&self, code: &str) -> u64 {
        let (s, d) = self
            .app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&self.officer),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        d["state"]["fee_collected_vnd"].as_u64().unwrap()
    }
}

fn kinds(v: &Value) -> Vec<String> {
    v["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"]["outcome"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_verified_ipn_pays_once_and_a_repeated_one_changes_nothing() {
    let p = setup().await;
    let code = p.dossier().await;
    let (s, v) = p.payment(&code, &p.officer).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "due");
    assert_eq!(v["amount_due_vnd"], FEE);
    assert_eq!(v["amount_in_words"], "Sáu triệu đồng");
    assert_eq!(v["lines"][0]["amount_vnd"], FEE);
    assert_eq!(p.fee_collected(&code).await, 0);
    // Nobody unrelated sees it.
    let (s, _) = p.payment(&code, &p.citizen).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    p.control(json!({"ipn": "duplicate"})).await;
    let (reference, url) = p.start(&code, &p.officer).await;
    assert!(url.starts_with(&p.fake), "{url}");
    assert!(url.contains("vnp_SecureHash="), "{url}");
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "pending");
    p.pay_at_gateway(&url, &reference, "pay").await;
    assert_eq!(
        p.ipn_answers(&reference).await,
        vec![Some("00".to_string()), Some("02".to_string())],
        "the first IPN confirms, the repeated one is 'already confirmed'"
    );
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "paid", "{v}");
    assert_eq!(v["settlement"]["amount_vnd"], FEE);
    assert_eq!(v["settlement"]["source"], "notification");
    assert_eq!(v["receipt"]["number"], "0000001");
    assert_eq!(v["receipt"]["serial"], "TH-26E");
    assert_eq!(kinds(&v), vec!["paid"]);
    assert!(v["extra_payments"].as_array().unwrap().is_empty());
    // The dossier records the fee in the same transaction: its result may be returned.
    assert_eq!(p.fee_collected(&code).await, FEE);
    // The statistics (the online-payment rate, Decision 766's 3.5b and 3.6) count it.
    let today = motcua_domain::vn_time::today();
    let (s, r) = p
        .app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?unit=000.00.00.H38&from={today}&to={today}"),
            Some(&p.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["total"]["fee_due"], 1, "{r}");
    assert_eq!(r["total"]["paid_online"], 1, "{r}");
    // Paid: no new attempt, no counter payment on top.
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/payment/online"),
            Some(&p.officer),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/payment/counter"),
            Some(&p.officer),
            json!({"method": "cash", "amount_vnd": FEE}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");

    // The electronic receipt.
    let r = p
        .app
        .client
        .get(
            p.app
                .url(&format!("/api/v1/dossiers/{code}/payment/receipt")),
        )
        .bearer_auth(&p.officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for s in [
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "01BLP0-001",
        "TH-26E",
        "0000001",
        "6.000.000",
        "Sáu triệu đồng",
        "Thanh toán trực tuyến",
        "Nguyễn Thị Hồng Nhung",
        code.as_str(),
    ] {
        assert!(html.contains(s), "{s} on the receipt");
    }
    let r = p
        .app
        .client
        .get(p.app.url(&format!(
            "/api/v1/dossiers/{code}/payment/receipt?format=pdf"
        )))
        .bearer_auth(&p.officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_lost_ipn_is_caught_by_the_query_and_the_return_changes_nothing() {
    let p = setup().await;
    let code = p.dossier().await;
    p.control(json!({"ipn": "drop"})).await;
    let (reference, url) = p.start(&code, &p.officer).await;
    let back = p.pay_at_gateway(&url, &reference, "pay").await;
    assert_eq!(
        p.ipn_answers(&reference).await,
        vec![None],
        "the IPN is lost"
    );
    // The payer's return says the gateway took the money, and changes nothing.
    assert!(back.starts_with(&p.app.url("/api/v1/payments/vnpay/return")));
    let r: Value = p
        .http
        .get(&back)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["gateway_success"], true, "{r}");
    assert_eq!(r["status"], "pending", "{r}");
    assert_eq!(p.status(&code).await, "pending");
    assert_eq!(p.fee_collected(&code).await, 0);
    // A tampered return is refused.
    let tampered = back.replace("vnp_Amount=600000000", "vnp_Amount=100");
    assert_ne!(tampered, back);
    let r = p.http.get(&tampered).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let report = p.reconcile().await;
    assert_eq!(report["paid"], 1, "{report}");
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "paid");
    assert_eq!(v["settlement"]["source"], "query");
    assert_eq!(v["receipt"]["number"], "0000001");
    assert_eq!(p.fee_collected(&code).await, FEE);
    // A second pass finds nothing pending.
    assert_eq!(p.reconcile().await["examined"], 0);
}

#[tokio::test]
async fn a_bad_signature_or_a_wrong_amount_never_pays() {
    let p = setup().await;
    // A corrupted signature: refused (97), the payment waits.
    let first = p.dossier().await;
    p.control(json!({"ipn": "corrupt"})).await;
    let (r1, url) = p.start(&first, &p.officer).await;
    p.pay_at_gateway(&url, &r1, "pay").await;
    assert_eq!(p.ipn_answers(&r1).await, vec![Some("97".to_string())]);
    assert_eq!(p.status(&first).await, "pending");

    // A wrong amount in the IPN (04) and in the status query: not paid.
    p.control(json!({"ipn": "deliver", "amount_delta": 1000}))
        .await;
    let second = p.dossier().await;
    let (r2, url) = p.start(&second, &p.officer).await;
    p.pay_at_gateway(&url, &r2, "pay").await;
    assert_eq!(p.ipn_answers(&r2).await, vec![Some("04".to_string())]);
    let report = p.reconcile().await;
    assert_eq!(report["mismatched"], 2, "{report}");
    assert_eq!(report["paid"], 0, "{report}");
    assert_eq!(p.status(&first).await, "pending");
    assert_eq!(p.status(&second).await, "pending");
    assert_eq!(p.fee_collected(&second).await, 0);

    // The gateway states the right amount again: the query pays both, each once.
    p.control(json!({"amount_delta": 0})).await;
    let report = p.reconcile().await;
    assert_eq!(report["paid"], 2, "{report}");
    for code in [&first, &second] {
        let (_, v) = p.payment(code, &p.officer).await;
        assert_eq!(v["status"], "paid");
        assert_eq!(v["settlement"]["source"], "query");
    }
}

#[tokio::test]
async fn out_of_order_ipns_settle_on_the_success() {
    let p = setup().await;
    let code = p.dossier().await;
    p.control(json!({"ipn": "hold"})).await;
    // The first attempt is cancelled; its IPN is held. The query learns the failure.
    let (r1, url) = p.start(&code, &p.officer).await;
    p.pay_at_gateway(&url, &r1, "cancel").await;
    let report = p.reconcile().await;
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(p.status(&code).await, "failed");
    // A second attempt is paid; its IPN is held too.
    let (r2, url) = p.start(&code, &p.officer).await;
    assert_ne!(r1, r2);
    p.pay_at_gateway(&url, &r2, "pay").await;
    // Released newest first: the success, then the old failure, which changes nothing.
    let released: Value = p
        .http
        .post(format!("{}/_control/release", p.fake))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answers: Vec<(&str, &str)> = released
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reference"].as_str().unwrap(),
                e["rsp_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(answers, vec![(r2.as_str(), "00"), (r1.as_str(), "02")]);
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "paid");
    assert_eq!(kinds(&v), vec!["failed", "paid"]);
    assert_eq!(v["settlement"]["reference"], r2.as_str());
}

#[tokio::test]
async fn an_expired_attempt_expires_and_none_stays_pending() {
    let p = setup_with(motcua_app::Config {
        payment_attempt_ttl: Duration::from_secs(2),
        ..config()
    })
    .await;
    let code = p.dossier().await;
    let (r1, url) = p.start(&code, &p.officer).await;
    // The payer opens the gateway's page and leaves.
    assert_eq!(
        p.http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    // While it may still be paid, no second attempt.
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/payment/online"),
            Some(&p.officer),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("payment_attempt_pending")),
        "{e}"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let report = p.reconcile().await;
    assert_eq!(report["expired"], 1, "{report}");
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "expired");
    assert!(
        !kinds(&v).contains(&"pending".to_string()),
        "none pending after the pass: {v}"
    );
    assert_eq!(v["payable_online"], true);
    // Paying the expired attempt at the gateway now fails there (code 11) and changes nothing.
    let r = p
        .http
        .post(format!("{}/paymentv2/confirm", p.fake))
        .form(&[("ref", r1.as_str()), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("vnp_ResponseCode=11")
    );
    assert_eq!(p.ipn_answers(&r1).await, vec![Some("02".to_string())]);
    assert_eq!(p.status(&code).await, "expired");
    // A new attempt may be paid.
    let (r2, url) = p.start(&code, &p.officer).await;
    p.pay_at_gateway(&url, &r2, "pay").await;
    assert_eq!(p.status(&code).await, "paid");
    assert_eq!(p.reconcile().await["examined"], 0);
}

#[tokio::test]
async fn a_refund_needs_an_authorised_officer_and_a_reason() {
    let p = setup().await;
    let code = p.paid_online().await;
    let path = format!("/api/v1/dossiers/{code}/payment/refund");
    let (s, _) = p
        .app
        .post(&path, Some(&p.specialist), json!({"reason": "Thu nhầm"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = p
        .app
        .post(&path, Some(&p.citizen), json!({"reason": "Thu nhầm"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = p
        .app
        .post(&path, Some(&p.leader), json!({"reason": "  "}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(p.status(&code).await, "paid");
    let (s, v) = p
        .app
        .post(
            &path,
            Some(&p.leader),
            json!({"reason": "Hồ sơ thuộc diện miễn lệ phí"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "refunded");
    assert_eq!(v["refund"]["amount_vnd"], FEE);
    assert_eq!(v["refund"]["reason"], "Hồ sơ thuộc diện miễn lệ phí");
    // The dossier's own history records it, in the same transaction as the payment.
    let d = p.dossier_json(&code).await;
    assert_eq!(d["state"]["fee_refunded_vnd"], FEE, "{d}");
    let last = d["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "fee_refunded", "{d}");
    // The gateway gave it back: a second refund is refused before the gateway is asked.
    let (s, e) = p
        .app
        .post(&path, Some(&p.officer), json!({"reason": "Lần nữa"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let html = p
        .app
        .client
        .get(
            p.app
                .url(&format!("/api/v1/dossiers/{code}/payment/receipt")),
        )
        .bearer_auth(&p.officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("ĐÃ HOÀN TRẢ"), "the receipt shows the refund");

    // A cash payment the same day; the daily reconciliation report adds the day up.
    let cash = p.dossier().await;
    let (s, v) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{cash}/payment/counter"),
            Some(&p.officer),
            json!({"method": "cash", "amount_vnd": FEE, "receipt_no": "PT-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["receipt"]["number"], "0000002");
    let today = motcua_domain::vn_time::today();
    let path = format!("/api/v1/agencies/{CENTRE}/payments/report?day={today}");
    let get = |token: &str| {
        p.app
            .client
            .get(p.app.url(&path))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(
        get(&p.citizen).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = get(&p.leader).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::{DataType, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a real XLSX");
    let totals = book.worksheet_range("Tổng hợp").expect("the totals");
    let figure = |label: &str| -> (f64, f64) {
        let row = totals
            .rows()
            .find(|r| r[0].get_string() == Some(label))
            .unwrap_or_else(|| panic!("{label} in the totals"));
        (row[1].as_f64().unwrap(), row[2].as_f64().unwrap())
    };
    assert_eq!(figure("Đã thu"), (2.0, 2.0 * FEE as f64));
    assert_eq!(figure("Trong đó thanh toán trực tuyến"), (1.0, FEE as f64));
    assert_eq!(figure("Hoàn trả"), (1.0, FEE as f64));
    assert_eq!(figure("Thu thừa, phải trả lại (chênh lệch)"), (0.0, 0.0));
    let lines = book.worksheet_range("Giao dịch").expect("the lines");
    let codes: Vec<String> = lines.rows().skip(2).map(|r| r[1].to_string()).collect();
    assert_eq!(codes, vec![code.clone(), code, cash]);
}

#[tokio::test]
async fn receipt_numbers_have_no_gap_under_concurrent_payments() {
    let p = setup().await;
    let mut codes = Vec::new();
    for _ in 0..20 {
        codes.push(p.dossier().await);
    }
    // A wrong amount and a citizen are refused and take no number.
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{}/payment/counter", codes[0]),
            Some(&p.officer),
            json!({"method": "cash", "amount_vnd": FEE - 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, _) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{}/payment/counter", codes[0]),
            Some(&p.citizen),
            json!({"method": "cash", "amount_vnd": FEE}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let results = futures_join(&p, &codes).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, StatusCode::OK, "{v}");
            assert_eq!(v["status"], "paid");
            v["receipt"]["number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("{n:07}")).collect();
    assert_eq!(numbers, expected, "1 to 20, no gap, no duplicate");
    for code in &codes {
        assert_eq!(p.fee_collected(code).await, FEE);
    }
}

/// The 20 counter payments at once.
async fn futures_join(p: &Pay, codes: &[String]) -> Vec<(StatusCode, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for (i, code) in codes.iter().enumerate() {
        let url = p
            .app
            .url(&format!("/api/v1/dossiers/{code}/payment/counter"));
        let token = p.officer.clone();
        let method = if i % 2 == 0 { "cash" } else { "transfer" };
        set.spawn(async move {
            let r = client()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"method": method, "amount_vnd": FEE}))
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        });
    }
    set.join_all().await
}

#[tokio::test]
async fn a_citizen_pays_their_online_dossier_and_downloads_the_receipt() {
    let p = setup().await;
    let mut body = crate::dossiers::body("online");
    body["procedure"] = json!(PROCEDURE);
    let (s, d) = p.app.post("/api/v1/dossiers", Some(&p.citizen), body).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    // Nothing is due before the dossier is received.
    let (s, v) = p.payment(&code, &p.citizen).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "none");
    let (s, d) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/receive"),
            Some(&p.officer),
            json!({"version": d["version"], "fee_due_vnd": FEE}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (_, v) = p.payment(&code, &p.citizen).await;
    assert_eq!(v["status"], "due", "{v}");
    assert_eq!(v["payable_online"], true);
    // Citizens never record payments; another citizen sees nothing.
    let (s, _) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/payment/counter"),
            Some(&p.citizen),
            json!({"method": "cash", "amount_vnd": FEE}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = p.app.user("congdan2", "citizen", None).await;
    assert_eq!(p.payment(&code, &other).await.0, StatusCode::FORBIDDEN);
    let (reference, url) = p.start(&code, &p.citizen).await;
    p.pay_at_gateway(&url, &reference, "pay").await;
    let (_, v) = p.payment(&code, &p.citizen).await;
    assert_eq!(v["status"], "paid");
    let r = p
        .app
        .client
        .get(
            p.app
                .url(&format!("/api/v1/dossiers/{code}/payment/receipt")),
        )
        .bearer_auth(&p.citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Sáu triệu đồng"));
    let r = p
        .app
        .client
        .get(
            p.app
                .url(&format!("/api/v1/dossiers/{code}/payment/receipt")),
        )
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bank_transfer_is_matched_from_the_statement() {
    let p = setup().await;
    let account = json!({"bank_bin": "970405", "account": "1234567890",
        "account_name": "TRUNG TAM PHUC VU HANH CHINH CONG"});
    let path = format!("/api/v1/agencies/{CENTRE}/bank-account");
    let (s, _) = p
        .app
        .send(Method::PUT, &path, Some(&p.officer), Some(account.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = p
        .app
        .send(Method::PUT, &path, Some(&p.admin), Some(account))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (a, b, c) = (p.dossier().await, p.dossier().await, p.dossier().await);
    // The QR asks for exactly the amount due, with the dossier code as the content.
    let (s, q) = p
        .app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{a}/payment/vietqr"),
            Some(&p.officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let payload = q["payload"].as_str().unwrap();
    for part in ["970405", "1234567890", "6000000", a.as_str()] {
        assert!(payload.contains(part), "{part} in {payload}");
    }
    assert!(q["svg"].as_str().unwrap().contains("<svg"));
    // Nobody looked at b's and c's payments: they were opened at the receipt and are awaited.
    let csv = format!(
        "Ngày giao dịch;Số tham chiếu;Ghi nợ;Ghi có;Nội dung\n\
         07/12/2026;FT001;;6.000.000;NGUYEN THI NHUNG CK {a}\n\
         07/12/2026;FT002;;5.000.000;{b} nop phi\n\
         07/12/2026;FT003;;6.000.000;ung ho quy\n\
         07/12/2026;FT004;;6.000.000;{a} chuyen lan 2\n\
         07/12/2026;FT005;20.000;;phi ngan hang\n"
    );
    let import = |token: &str| {
        p.app
            .client
            .post(
                p.app
                    .url(&format!("/api/v1/agencies/{CENTRE}/payments/statement")),
            )
            .bearer_auth(token.to_string())
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
    };
    assert_eq!(
        import(&p.citizen).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = import(&p.officer).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    let matched: Vec<&str> = report["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dossier_code"].as_str().unwrap())
        .collect();
    assert_eq!(matched, vec![a.as_str()], "{report}");
    assert_eq!(report["matched"][0]["receipt_number"], "0000001");
    let reasons: Vec<&str> = report["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 3, "{report}");
    assert!(reasons[0].contains("Số tiền không khớp"), "{report}");
    assert!(reasons[1].contains("không chứa mã hồ sơ"), "{report}");
    assert!(reasons[2].contains("đã được đối chiếu"), "{report}");
    assert_eq!(report["skipped"], 1);
    let mut awaited: Vec<String> = report["still_awaited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    awaited.sort();
    assert_eq!(awaited, vec![b.clone(), c.clone()]);
    let (_, v) = p.payment(&a, &p.officer).await;
    assert_eq!(v["status"], "paid");
    assert_eq!(v["settlement"]["method"], "transfer");
    assert_eq!(v["settlement"]["receipt_no"], "FT001");
    assert_eq!(p.fee_collected(&a).await, FEE);
    assert_eq!(p.status(&b).await, "due");
    // The same statement again pays nothing twice.
    let again: Value = import(&p.officer).await.unwrap().json().await.unwrap();
    assert!(again["matched"].as_array().unwrap().is_empty(), "{again}");
}

/// One line of 1,500,000 đồng with an exemption stated, as staff set it.
fn reduced_line() -> Value {
    json!({"name": "Lệ phí", "kind": "charge", "legal_basis": "Thông tư 40/2026/TT-BTC",
        "amount_vnd": 1_500_000,
        "exemption": "Giảm 75% theo Thông tư 40/2026/TT-BTC (tàu bay dưới 5.700 kg)"})
}

#[tokio::test]
async fn staff_change_the_fees_with_a_reason_until_paid() {
    let p = setup().await;
    let code = p.dossier().await;
    let path = format!("/api/v1/dossiers/{code}/payment/adjust");
    let body = |reason: &str| json!({"lines": [reduced_line()], "reason": reason});
    let hanoi = p
        .app
        .user("tiepnhan.hn2", "receiving_officer", Some("000.00.01.H01"))
        .await;
    // Citizens, specialists and another agency's staff may not.
    for token in [&p.citizen, &p.specialist, &hanoi] {
        let (s, e) = p.app.post(&path, Some(token), body("Giảm lệ phí")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    }
    // A reason is required, and bounded.
    for reason in ["  ".to_string(), "x".repeat(501)] {
        let (s, e) = p.app.post(&path, Some(&p.officer), body(&reason)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"], "payment_invalid_text", "{e}");
    }
    assert_eq!(p.dossier_json(&code).await["state"]["fee_due_vnd"], FEE);
    let (s, v) = p
        .app
        .post(&path, Some(&p.officer), body("Tàu bay dưới 5.700 kg"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["amount_due_vnd"], 1_500_000);
    assert_eq!(v["status"], "due");
    assert_eq!(v["lines"][0]["exemption"], reduced_line()["exemption"]);
    let a = &v["adjustments"][0];
    assert_eq!(
        (&a["previous_amount_vnd"], &a["amount_vnd"], &a["reason"]),
        (
            &json!(FEE),
            &json!(1_500_000),
            &json!("Tàu bay dưới 5.700 kg")
        ),
        "{v}"
    );
    assert!(!a["by_name"].as_str().unwrap().is_empty(), "{v}");
    // The dossier's fees due and history changed with it; the receipt (biên nhận) shows it.
    let d = p.dossier_json(&code).await;
    assert_eq!(d["state"]["fee_due_vnd"], 1_500_000, "{d}");
    let last = d["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "fee_adjusted", "{d}");
    let r = p
        .app
        .client
        .get(p.app.url(&format!("/api/v1/dossiers/{code}/forms/receipt")))
        .bearer_auth(&p.officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("1.500.000 đồng"));
    // The same lines again change nothing.
    let (s, e) = p.app.post(&path, Some(&p.leader), body("Lần nữa")).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("payment_fee_unchanged")
        ),
        "{e}"
    );
    // The counter takes exactly the new amount; then the fees no longer change.
    let (s, v) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/payment/counter"),
            Some(&p.officer),
            json!({"method": "cash", "amount_vnd": 1_500_000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(p.fee_collected(&code).await, 1_500_000);
    let (s, e) = p
        .app
        .post(
            &path,
            Some(&p.leader),
            json!({"lines": [], "reason": "Miễn"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("payment_not_allowed_in_state")),
        "{e}"
    );
    let r = p
        .app
        .client
        .get(
            p.app
                .url(&format!("/api/v1/dossiers/{code}/payment/receipt")),
        )
        .bearer_auth(&p.officer)
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Một triệu năm trăm nghìn đồng")
    );

    // While an online attempt may still succeed, the fees do not change; a leader waives
    // another dossier's fees entirely.
    let pending = p.dossier().await;
    p.start(&pending, &p.officer).await;
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{pending}/payment/adjust"),
            Some(&p.leader),
            body("Giảm"),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("payment_attempt_pending")),
        "{e}"
    );
    let waived = p.dossier().await;
    let (s, v) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{waived}/payment/adjust"),
            Some(&p.leader),
            json!({"lines": [], "reason": "Đối tượng được miễn lệ phí theo Điều 5 Thông tư 40/2026/TT-BTC"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["amount_due_vnd"].as_u64()),
        (Some("waived"), Some(0))
    );
    assert_eq!(p.dossier_json(&waived).await["state"]["fee_due_vnd"], 0);
}

#[tokio::test]
async fn the_fee_form_on_the_payment_page_changes_the_fees() {
    let p = setup().await;
    let code = p.dossier().await;
    let page = format!("/thanh-toan/{code}");
    let (b, _) = crate::support::browser(&p.app, "tiepnhan").await;
    let (s, html) = crate::support::get_page(&b, &p.app, &page).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"adjust-form\""), "{html}");
    let csrf = crate::support::csrf_from(&html);
    let (_, v) = p.payment(&code, &p.officer).await;
    let version = v["version"].to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone()), ("version", version.clone())];
        form.extend(fields);
        b.post(p.app.url(&format!("/thanh-toan/{code}/dieu-chinh")))
            .form(&form)
            .send()
    };
    // No reason: refused with the message, nothing changed.
    let r = post(vec![
        ("apply_0", "1".into()),
        ("name_0", "Lệ phí".into()),
        ("amount_0", "2.000.000".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Nội dung bị trống"));
    assert_eq!(p.payment(&code, &p.officer).await.1["amount_due_vnd"], FEE);
    let r = post(vec![
        ("apply_0", "1".into()),
        ("name_0", "Lệ phí".into()),
        ("kind_0", "charge".into()),
        ("amount_0", "2.000.000".into()),
        ("exemption_0", "Giảm theo Nghị quyết 12/2026/NQ-HĐND".into()),
        ("reason", "Áp dụng mức giảm của tỉnh".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = crate::support::get_page(&b, &p.app, &page).await;
    assert!(html.contains("id=\"adjustments\""), "{html}");
    assert!(html.contains("Áp dụng mức giảm của tỉnh"), "{html}");
    assert!(html.contains("2.000.000"), "{html}");
    // The English page has the form's words in English.
    let r = b
        .get(p.app.url(&format!("{page}?lang=en")))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Change the fees") || html.contains("Phí, lệ phí"),
        "{html}"
    );
}

#[tokio::test]
async fn counter_collect_fee_goes_through_the_payment() {
    let p = setup().await;
    let code = p.dossier().await;
    let d = p.dossier_json(&code).await;
    let path = format!("/api/v1/dossiers/{code}/actions/collect_fee");
    let act = |version: &Value, body: Value| {
        let mut body = body;
        body["version"] = version.clone();
        p.app.post(&path, Some(&p.officer), body)
    };
    // Part of the fee is no payment: the payment takes exactly the amount due.
    let (s, e) = act(
        &d["version"],
        json!({"amount_vnd": FEE / 2, "method": "cash"}),
    )
    .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("payment_wrong_amount")),
        "{e}"
    );
    let (s, d) = act(
        &d["version"],
        json!({"amount_vnd": FEE, "method": "cash", "receipt_no": "PT-9"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["state"]["fee_collected_vnd"], FEE);
    // Recorded as the payment, with a numbered receipt: one way only.
    let (_, v) = p.payment(&code, &p.officer).await;
    assert_eq!(v["status"], "paid", "{v}");
    assert_eq!(v["settlement"]["method"], "cash");
    assert_eq!(v["receipt"]["number"], "0000001");
    let (s, e) = act(&d["version"], json!({"amount_vnd": FEE, "method": "cash"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "paid once: {e}");
    // Adjusting or refunding is the payment's, never a bare dossier action.
    let (s, e) = p
        .app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/refund_fee"),
            Some(&p.officer),
            json!({"version": d["version"], "amount_vnd": FEE, "reason": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("use_payments_api")),
        "{e}"
    );
}

#[tokio::test]
async fn the_daily_report_lists_pending_attempts() {
    let p = setup().await;
    let code = p.dossier().await;
    let (reference, _) = p.start(&code, &p.officer).await;
    let today = motcua_domain::vn_time::today();
    let r = p
        .app
        .client
        .get(p.app.url(&format!(
            "/api/v1/agencies/{CENTRE}/payments/report?day={today}"
        )))
        .bearer_auth(&p.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::{DataType, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a real XLSX");
    let totals = book.worksheet_range("Tổng hợp").expect("the totals");
    let pending = totals
        .rows()
        .find(|r| r[0].get_string() == Some("Đang chờ cổng thanh toán xác nhận"))
        .expect("the pending total");
    assert_eq!(
        (pending[1].as_f64(), pending[2].as_f64()),
        (Some(1.0), Some(FEE as f64))
    );
    let lines = book.worksheet_range("Giao dịch").expect("the lines");
    let row = lines
        .rows()
        .find(|r| r[5].get_string() == Some(reference.as_str()))
        .expect("the attempt's row");
    assert_eq!(row[1].to_string(), code);
    assert_eq!(
        row[2].get_string(),
        Some("Đang chờ cổng thanh toán xác nhận")
    );
    // A report of an earlier day lists no attempt started after it.
    let yesterday = today.pred_opt().unwrap();
    let r = p
        .app
        .client
        .get(p.app.url(&format!(
            "/api/v1/agencies/{CENTRE}/payments/report?day={yesterday}"
        )))
        .bearer_auth(&p.leader)
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a real XLSX");
    let totals = book.worksheet_range("Tổng hợp").expect("the totals");
    let pending = totals
        .rows()
        .find(|r| r[0].get_string() == Some("Đang chờ cổng thanh toán xác nhận"))
        .expect("the pending total");
    assert_eq!(pending[1].as_f64(), Some(0.0));
}

#[tokio::test]
async fn the_bank_pages_keep_the_account_and_match_a_statement() {
    let p = setup().await;
    let account_page = format!("/thanh-toan/co-quan/{CENTRE}/tai-khoan");
    // The citizen and the desk may not see or set the account; the leader may.
    for who in ["congdan", "tiepnhan"] {
        let (b, _) = crate::support::browser(&p.app, who).await;
        let (s, _) = crate::support::get_page(&b, &p.app, &account_page).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let (b, _) = crate::support::browser(&p.app, "lanhdao").await;
    let (s, html) = crate::support::get_page(&b, &p.app, &account_page).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"bank-account-none\""), "{html}");
    let csrf = crate::support::csrf_from(&html);
    let save = |bin: &str| {
        b.post(p.app.url(&account_page))
            .form(&[
                ("csrf", csrf.as_str()),
                ("bank_bin", bin),
                ("account", "1234567890"),
                ("account_name", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"),
            ])
            .send()
    };
    let r = save("97040").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("bank_bin"));
    let r = save("970405").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"notice\"") && html.contains("970405"),
        "{html}"
    );
    let (s, v) = p
        .app
        .send(
            Method::GET,
            &format!("/api/v1/agencies/{CENTRE}/bank-account"),
            Some(&p.leader),
            None,
        )
        .await;
    assert_eq!(
        (s, v["account"].as_str()),
        (StatusCode::OK, Some("1234567890")),
        "{v}"
    );

    // The desk imports the statement from its page and reads the report.
    let (a, b2) = (p.dossier().await, p.dossier().await);
    let statement_page = format!("/thanh-toan/co-quan/{CENTRE}/sao-ke");
    let (desk, _) = crate::support::browser(&p.app, "tiepnhan").await;
    let (s, html) = crate::support::get_page(&desk, &p.app, &statement_page).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let csrf = crate::support::csrf_from(&html);
    let csv = format!(
        "Ngày giao dịch,Số tham chiếu,Ghi nợ,Ghi có,Nội dung\n\
         07/12/2026,FT101,,6000000,CK {a} nop phi\n\
         07/12/2026,FT102,,100000,{b2}\n"
    );
    let (content_type, body) = crate::ui_counter::multipart(
        &[("csrf", csrf.as_str())],
        &[("file", "saoke.csv", csv.as_bytes())],
    );
    let r = desk
        .post(p.app.url(&statement_page))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"statement-report\""), "{html}");
    assert!(
        html.contains("<strong id=\"matched-count\">1</strong>"),
        "{html}"
    );
    assert!(
        html.contains("<strong id=\"unmatched-count\">1</strong>"),
        "{html}"
    );
    assert!(html.contains("Số tiền không khớp"), "{html}");
    assert!(html.contains(&a) && html.contains("0000001"), "{html}");
    assert_eq!(p.status(&a).await, "paid");
    assert_eq!(p.status(&b2).await, "due");
}
