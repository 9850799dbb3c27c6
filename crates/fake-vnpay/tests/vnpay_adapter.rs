//! motcua's VNPAY adapter against the fake VNPAY over real HTTP: a merchant IPN endpoint in
//! this test applies verified reports to a payment through the domain's state machine, and
//! each failure of the gateway is driven through the fake's control API.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{TimeDelta, Utc};
use motcua_domain::auth::Role;
use motcua_domain::catalogue::FeeKind;
use motcua_domain::payment::{
    FeeLine, PaymentAction, PaymentActor, PaymentCommand, PaymentEnvelope, PaymentError,
    PaymentEvent, PaymentState, PaymentStatus, ReportSource, execute,
};
use motcua_payments::vnpay::{Vnpay, VnpayConfig, ipn};
use motcua_payments::{
    AttemptRequest, Checkout, Gateway, GatewayError, QueryOutcome, QueryRequest, RefundRequest,
};
use uuid::Uuid;

const DUE: u64 = 1_500_000;
const SECRET: &str = "TESTSECRETTESTSECRETTESTSECRET12";

#[derive(Default)]
struct Ledger {
    state: PaymentState,
    history: Vec<PaymentEnvelope>,
}

impl Ledger {
    fn run(&mut self, cmd: PaymentCommand) -> Result<usize, PaymentError> {
        let envs = execute(&self.state, &cmd)?;
        for e in &envs {
            self.state.apply(e.at, &e.event);
        }
        let n = envs.len();
        self.history.extend(envs);
        Ok(n)
    }

    fn paid_events(&self) -> usize {
        self.history
            .iter()
            .filter(|e| matches!(e.event, PaymentEvent::Paid { .. }))
            .count()
    }
}

#[derive(Clone)]
struct Merchant {
    vnpay: Vnpay,
    ledger: Arc<Mutex<Ledger>>,
}

struct World {
    fake: String,
    merchant: Merchant,
    http: reqwest::Client,
}

async fn ipn_endpoint(
    State(m): State<Merchant>,
    Query(q): Query<Vec<(String, String)>>,
) -> Json<serde_json::Value> {
    let verified = m.vnpay.verify_notification(&q);
    let mut ledger = m.ledger.lock().unwrap();
    let decision = ipn::answer(verified, Some(&ledger.state), Utc::now());
    if let Some(cmd) = decision.command {
        ledger.run(cmd).expect("an accepted IPN applies");
    }
    Json(decision.rsp.body())
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn officer(role: Role) -> PaymentActor {
    PaymentActor::Staff {
        user: Uuid::from_u128(7),
        role,
    }
}

async fn world() -> World {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    // The merchant's IPN URL must be known to the fake before the merchant's config names the
    // fake: bind the merchant first.
    let merchant_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let merchant_url = format!("http://{}", merchant_listener.local_addr().unwrap());
    let fake = serve(fake_vnpay::router(fake_vnpay::FakeConfig {
        tmn_code: "MOTCUA01".into(),
        hash_secret: SECRET.into(),
        ipn_url: Some(format!("{merchant_url}/ipn")),
    }))
    .await;
    let vnpay = Vnpay::new(VnpayConfig {
        tmn_code: "MOTCUA01".into(),
        hash_secret: SECRET.into(),
        pay_url: format!("{fake}/paymentv2/vpcpay.html"),
        api_url: format!("{fake}/merchant_webapi/api/transaction"),
        return_url: "http://127.0.0.1:9/thanh-toan/ket-qua".into(),
    })
    .unwrap();
    let merchant = Merchant {
        vnpay,
        ledger: ledger.clone(),
    };
    let router = Router::new()
        .route("/ipn", get(ipn_endpoint))
        .with_state(merchant.clone());
    tokio::spawn(async move { axum::serve(merchant_listener, router).await.unwrap() });
    ledger
        .lock()
        .unwrap()
        .run(PaymentCommand {
            at: Utc::now(),
            actor: officer(Role::ReceivingOfficer),
            action: PaymentAction::Open {
                lines: vec![FeeLine {
                    name: "Lệ phí".into(),
                    kind: FeeKind::Charge,
                    legal_basis: None,
                    amount_vnd: DUE,
                    exemption: None,
                    description: "Lệ phí: 1,500,000".into(),
                }],
            },
        })
        .unwrap();
    World {
        fake,
        merchant,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

impl World {
    fn status(&self) -> PaymentStatus {
        self.merchant.ledger.lock().unwrap().state.status()
    }

    /// Starts an attempt in the ledger and returns its payment URL.
    fn start(&self, reference: &str, valid: TimeDelta) -> String {
        let now = Utc::now();
        self.merchant
            .ledger
            .lock()
            .unwrap()
            .run(PaymentCommand {
                at: now,
                actor: PaymentActor::Citizen {
                    user: Uuid::from_u128(1),
                },
                action: PaymentAction::StartAttempt {
                    gateway: "vnpay".into(),
                    reference: reference.into(),
                    expires_at: now + valid,
                },
            })
            .unwrap();
        self.checkout_url(reference, valid)
    }

    /// The payment URL of an attempt, without touching the ledger.
    fn checkout_url(&self, reference: &str, valid: TimeDelta) -> String {
        let now = Utc::now();
        let checkout = self
            .merchant
            .vnpay
            .checkout(&AttemptRequest {
                reference: reference.into(),
                amount_vnd: DUE,
                order_info: format!("Thanh toán lệ phí hồ sơ {reference}"),
                created_at: now,
                expires_at: now + valid,
                client_ip: "127.0.0.1".into(),
            })
            .unwrap();
        let Checkout::Redirect { url } = checkout else {
            panic!("VNPAY redirects")
        };
        url
    }

    /// Opens the payment page, presses a button and returns the return URL's parameters.
    async fn pay(&self, url: &str, action: &str) -> Vec<(String, String)> {
        let page = self.http.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("<b id=\"amount\">1500000</b>"), "{html}");
        let reference = reqwest::Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "vnp_TxnRef")
            .unwrap()
            .1
            .into_owned();
        let r = self
            .http
            .post(format!("{}/paymentv2/confirm", self.fake))
            .form(&[("ref", reference.as_str()), ("action", action)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("http://127.0.0.1:9/thanh-toan/ket-qua?"));
        reqwest::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    async fn control(&self, body: serde_json::Value) {
        let r = self
            .http
            .post(format!("{}/_control", self.fake))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }

    /// The JSON answer of a control route.
    async fn control_json<T: serde::de::DeserializeOwned>(&self, method: &str, path: &str) -> T {
        let url = format!("{}/_control{path}", self.fake);
        let req = match method {
            "POST" => self.http.post(url),
            _ => self.http.get(url),
        };
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn ipn_codes(&self) -> Vec<Option<String>> {
        let log: Vec<fake_vnpay::IpnLogEntry> = self.control_json("GET", "/log").await;
        log.into_iter().map(|e| e.rsp_code).collect()
    }

    /// What the reconciliation worker does: query the gateway, apply a final answer.
    async fn reconcile(&self, reference: &str) -> Result<QueryOutcome, PaymentError> {
        let outcome = self
            .merchant
            .vnpay
            .query(&QueryRequest {
                request_id: format!("Q{}", Uuid::now_v7().simple()),
                reference: reference.into(),
                order_info: format!("Truy van {reference}"),
                attempt_created_at: Utc::now(),
                at: Utc::now(),
                server_ip: "127.0.0.1".into(),
            })
            .await
            .expect("querydr answers");
        if let QueryOutcome::Final(report) = &outcome {
            self.merchant.ledger.lock().unwrap().run(PaymentCommand {
                at: Utc::now(),
                actor: PaymentActor::System,
                action: PaymentAction::Report {
                    reference: report.reference.clone(),
                    source: ReportSource::Query,
                    outcome: report.outcome.clone(),
                },
            })?;
        }
        Ok(outcome)
    }

    fn paid_events(&self) -> usize {
        self.merchant.ledger.lock().unwrap().paid_events()
    }
}

fn c(code: &str) -> Option<String> {
    Some(code.to_owned())
}

#[tokio::test]
async fn pay_notifies_once_and_the_return_shows_it() {
    let w = world().await;
    let url = w.start("HS0001-1", TimeDelta::minutes(15));
    let back = w.pay(&url, "pay").await;
    assert_eq!(w.ipn_codes().await, vec![c("00")]);
    assert_eq!(w.status(), PaymentStatus::Paid);
    let view = w.merchant.vnpay.verify_return(&back).unwrap();
    assert!(view.success);
    assert_eq!((view.amount_vnd, view.code.as_str()), (DUE, "00"));
    // The return changes nothing; a query agrees and changes nothing either.
    let before = w.merchant.ledger.lock().unwrap().history.len();
    assert!(matches!(
        w.reconcile("HS0001-1").await,
        Ok(QueryOutcome::Final(_))
    ));
    assert_eq!(w.merchant.ledger.lock().unwrap().history.len(), before);
    let ledger = w.merchant.ledger.lock().unwrap();
    let s = ledger.state.settlement.as_ref().unwrap();
    assert_eq!(s.source, Some(ReportSource::Notification));
    assert_eq!(s.transaction_no.as_deref(), Some("14000001"));
}

#[tokio::test]
async fn cancel_fails_the_attempt_and_a_new_one_pays() {
    let w = world().await;
    let back = w
        .pay(&w.start("HS0002-1", TimeDelta::minutes(15)), "cancel")
        .await;
    let view = w.merchant.vnpay.verify_return(&back).unwrap();
    assert!(!view.success);
    assert_eq!(view.code, "24");
    assert_eq!(view.message_vi, "Khách hàng hủy giao dịch");
    assert_eq!(w.status(), PaymentStatus::Failed);
    w.pay(&w.start("HS0002-2", TimeDelta::minutes(15)), "pay")
        .await;
    assert_eq!(w.status(), PaymentStatus::Paid);
    assert_eq!(w.ipn_codes().await, vec![c("00"), c("00")]);
}

#[tokio::test]
async fn a_lost_ipn_is_caught_by_the_query() {
    let w = world().await;
    w.control(serde_json::json!({"ipn": "drop"})).await;
    w.pay(&w.start("HS0003-1", TimeDelta::minutes(15)), "pay")
        .await;
    assert_eq!(w.ipn_codes().await, vec![None]);
    assert_eq!(w.status(), PaymentStatus::Pending);
    w.reconcile("HS0003-1").await.unwrap();
    assert_eq!(w.status(), PaymentStatus::Paid);
    let src = w
        .merchant
        .ledger
        .lock()
        .unwrap()
        .state
        .settlement
        .clone()
        .unwrap()
        .source;
    assert_eq!(src, Some(ReportSource::Query));
    // A reference the gateway never saw.
    assert_eq!(w.reconcile("NEVER").await.unwrap(), QueryOutcome::NotFound);
}

#[tokio::test]
async fn a_duplicate_ipn_changes_nothing() {
    let w = world().await;
    w.control(serde_json::json!({"ipn": "duplicate"})).await;
    w.pay(&w.start("HS0004-1", TimeDelta::minutes(15)), "pay")
        .await;
    assert_eq!(w.ipn_codes().await, vec![c("00"), c("02")]);
    assert_eq!(w.paid_events(), 1);
}

#[tokio::test]
async fn a_bad_signature_is_refused_everywhere() {
    let w = world().await;
    w.control(serde_json::json!({"ipn": "corrupt"})).await;
    let mut back = w
        .pay(&w.start("HS0005-1", TimeDelta::minutes(15)), "pay")
        .await;
    assert_eq!(w.ipn_codes().await, vec![c("97")]);
    assert_eq!(w.status(), PaymentStatus::Pending);
    // A return whose amount was edited in the browser.
    for (k, v) in back.iter_mut() {
        if k == "vnp_Amount" {
            *v = "100".into();
        }
    }
    assert_eq!(
        w.merchant.vnpay.verify_return(&back),
        Err(GatewayError::InvalidSignature)
    );
    // A payment URL edited on the way to the gateway.
    let url = w.checkout_url("HS0005-2", TimeDelta::minutes(15));
    let forged = url.replace("vnp_Amount=150000000", "vnp_Amount=100");
    let page = w.http.get(&forged).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("data-code=\"70\""));
    // The query still tells the truth about the first attempt.
    w.reconcile("HS0005-1").await.unwrap();
    assert_eq!(w.status(), PaymentStatus::Paid);
}

#[tokio::test]
async fn a_wrong_amount_is_never_paid() {
    let w = world().await;
    w.control(serde_json::json!({"amount_delta": 1000})).await;
    w.pay(&w.start("HS0006-1", TimeDelta::minutes(15)), "pay")
        .await;
    assert_eq!(w.ipn_codes().await, vec![c("04")]);
    assert_eq!(w.status(), PaymentStatus::Pending);
    assert_eq!(
        w.reconcile("HS0006-1").await.unwrap_err(),
        PaymentError::WrongAmount {
            amount: DUE + 1000,
            due: DUE
        }
    );
    assert_eq!(w.status(), PaymentStatus::Pending);
    assert_eq!(w.paid_events(), 0);
}

#[tokio::test]
async fn out_of_order_ipns_never_override_the_success() {
    let w = world().await;
    w.control(serde_json::json!({"ipn": "hold"})).await;
    w.pay(&w.start("HS0007-1", TimeDelta::seconds(1)), "cancel")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // The first attempt is past its expiry: a new one expires it.
    w.pay(&w.start("HS0007-2", TimeDelta::minutes(15)), "pay")
        .await;
    let released: Vec<fake_vnpay::IpnLogEntry> = w.control_json("POST", "/release").await;
    let got: Vec<_> = released
        .iter()
        .map(|e| (e.reference.as_str(), e.rsp_code.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![("HS0007-2", Some("00")), ("HS0007-1", Some("02"))]
    );
    assert_eq!(w.status(), PaymentStatus::Paid);
    assert_eq!(w.paid_events(), 1);
}

#[tokio::test]
async fn an_attempt_paid_after_its_expiry_fails_at_the_gateway() {
    let w = world().await;
    let url = w.start("HS0008-1", TimeDelta::seconds(1));
    let page = w.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = w
        .http
        .post(format!("{}/paymentv2/confirm", w.fake))
        .form(&[("ref", "HS0008-1"), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(w.ipn_codes().await, vec![c("00")]);
    assert_eq!(w.status(), PaymentStatus::Failed);
    let failed = w.merchant.ledger.lock().unwrap().state.attempts[0]
        .outcome
        .clone();
    assert_eq!(
        failed,
        motcua_domain::payment::AttemptOutcome::Failed { code: "11".into() }
    );
}

#[tokio::test]
async fn refund_goes_to_the_gateway_once() {
    let w = world().await;
    w.pay(&w.start("HS0009-1", TimeDelta::minutes(15)), "pay")
        .await;
    let txn = w
        .merchant
        .ledger
        .lock()
        .unwrap()
        .state
        .settlement
        .clone()
        .unwrap()
        .transaction_no
        .unwrap();
    let request = RefundRequest {
        request_id: "RF1".into(),
        reference: "HS0009-1".into(),
        amount_vnd: DUE,
        transaction_no: txn,
        attempt_created_at: Utc::now(),
        created_by: "lanhdao".into(),
        order_info: "Hoan tien HS0009".into(),
        at: Utc::now(),
        server_ip: "127.0.0.1".into(),
    };
    let wrong = RefundRequest {
        amount_vnd: DUE + 1,
        ..request.clone()
    };
    assert!(!w.merchant.vnpay.refund(&wrong).await.unwrap().accepted);
    let r = w.merchant.vnpay.refund(&request).await.unwrap();
    assert!(r.accepted, "{r:?}");
    w.merchant
        .ledger
        .lock()
        .unwrap()
        .run(PaymentCommand {
            at: Utc::now(),
            actor: officer(Role::Leader),
            action: PaymentAction::Refund {
                reason: "Hồ sơ bị từ chối".into(),
            },
        })
        .unwrap();
    assert_eq!(w.status(), PaymentStatus::Refunded);
    let again = w.merchant.vnpay.refund(&request).await.unwrap();
    assert_eq!((again.accepted, again.code.as_str()), (false, "94"));
    assert_eq!(
        w.reconcile("HS0009-1").await.unwrap(),
        QueryOutcome::Other { code: "05".into() }
    );
    assert_eq!(w.status(), PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_gateway_with_another_secret_is_not_believed() {
    let w = world().await;
    let other = Vnpay::new(VnpayConfig {
        hash_secret: "ANOTHERSECRET".into(),
        ..w.merchant.vnpay.config().clone()
    })
    .unwrap();
    let q = QueryRequest {
        request_id: "Q1".into(),
        reference: "X".into(),
        order_info: "x".into(),
        attempt_created_at: Utc::now(),
        at: Utc::now(),
        server_ip: "127.0.0.1".into(),
    };
    // The fake refuses our checksum (97, unsigned).
    assert!(matches!(
        other.query(&q).await,
        Err(GatewayError::Refused { code, .. }) if code == "97"
    ));
}
