//! Partners who lodge for citizens (#21): a post office, with its own API credential, lodges a
//! postal dossier for a citizen whose authorisation it records; the desk checks the papers when
//! they arrive; the result goes back by post with its tracking number and the postal fee; the
//! statistics count the dossier as postal (KenhThucHien 3). Outside its grant, or doing anything
//! but lodging and following, the partner is refused.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp};

/// The dossier as `token` reads it.
async fn read(app: &TestApp, token: &str, code: &str) -> (StatusCode, Value) {
    app.send(
        Method::GET,
        &format!("/api/v1/dossiers/{code}"),
        Some(token),
        None,
    )
    .await
}

/// A postal lodging by the post office for the citizen Nguyễn Thị Hồng Nhung.
fn lodging(agency: &str) -> Value {
    let mut body = crate::dossiers::body("postal");
    body["agency"] = json!(agency);
    body["authorisation"] = json!({
        "scope": "Nộp hồ sơ và nhận kết quả qua dịch vụ bưu chính công ích",
        "document_number": "BCCI-TH-2026-000731",
    });
    body
}

#[tokio::test]
async fn a_post_office_lodges_for_a_citizen_and_the_result_comes_back_by_post() {
    let app = TestApp::new().await;
    let [officer, specialist, leader, citizen, _] = crate::dossiers::seed(&app).await;
    let admin = app.user("quantri", "admin", None).await;

    // The administrator opens the province's post office an account of its own.
    let (s, u) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "buudien.th", "full_name": "Bưu điện tỉnh Thanh Hóa",
                   "password": PASSWORD, "role": "partner", "agency_code": "000.00.00.H38"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let (s, e) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "buudien.x", "password": PASSWORD, "role": "partner"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("agency_required")),
        "{e}"
    );
    let post = app.token("buudien.th", PASSWORD).await;

    // Lodged for the citizen, under her authorisation: it waits for its papers.
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&post), lodging("000.00.01.H38"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    assert_eq!(
        (d["status"].as_str(), d["channel"].as_str()),
        (Some("submitted"), Some("postal")),
        "{d}"
    );
    assert!(
        d["appointment"].is_null(),
        "no appointment before the desk receives it: {d}"
    );
    let a = &d["state"]["authorisation"];
    assert_eq!(
        (
            a["representative_name"].as_str(),
            a["partner"].as_bool(),
            a["document_number"].as_str()
        ),
        (
            Some("Bưu điện tỉnh Thanh Hóa"),
            Some(true),
            Some("BCCI-TH-2026-000731")
        ),
        "{d}"
    );
    assert!(
        a["representative_id"].is_null(),
        "an organisation has no personal number: {d}"
    );
    assert_eq!(d["timeline"][0]["actor_role"], "partner", "{d}");

    // What a partner may not do, each refused with nothing written.
    let before = centre_count(&app, &officer).await;
    let mut bare = lodging("000.00.01.H38");
    bare.as_object_mut().unwrap().remove("authorisation");
    for (body, status, error) in [
        (
            bare,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("authorisation_required"),
        ),
        (
            {
                let mut b = lodging("000.00.01.H38");
                b["channel"] = json!("counter");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("partner_postal_only"),
        ),
        (
            {
                let mut b = lodging("000.00.01.H38");
                b["applicant"]["id_number"] = json!("12345");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        // Hà Nội's centre is outside the post office's grant.
        (lodging("000.00.01.H01"), StatusCode::FORBIDDEN, None),
    ] {
        let (s, e) = app.post("/api/v1/dossiers", Some(&post), body).await;
        assert_eq!(s, status, "{e}");
        if error.is_some() {
            assert_eq!(e["error"].as_str(), error, "{e}");
        }
    }
    assert_eq!(
        centre_count(&app, &officer).await,
        before,
        "nothing half-lodged"
    );
    // It receives nothing and decides nothing, and sees no queue.
    let (s, _) = app.act(&post, &code, "receive", json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38",
            Some(&post),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Another dossier, lodged at the counter, is none of its business.
    let (s, other) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let (s, _) = read(&app, &post, other["code"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The papers arrive: the desk checks and receives them, and the dossier is worked.
    let (s, d) = app.act(&officer, &code, "receive", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    for (token, action, fields) in [
        (&officer, "forward", json!({"to": "000.00.02.H38"})),
        (&leader, "approve", json!({"note": "Đồng ý"})),
        (
            &specialist,
            "record_result",
            json!({"result_code": "LLTP-2026-000731", "form": {"form": "paper"}}),
        ),
        (&officer, "return_result", json!({"via": "post"})),
        (
            &officer,
            "record_postage",
            json!({"tracking_no": "eb123456789vn", "fee_vnd": 25000}),
        ),
    ] {
        let (s, d) = app.act(token, &code, action, fields).await;
        assert_eq!(s, StatusCode::OK, "{action}: {d}");
    }

    // The post office follows it to the end: the result's tracking number and postal fee.
    let (s, d) = read(&app, &post, &code).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "returned", "{d}");
    assert_eq!(
        (
            d["state"]["postage"]["tracking_no"].as_str(),
            d["state"]["postage"]["fee_vnd"].as_u64()
        ),
        (Some("EB123456789VN"), Some(25000)),
        "{d}"
    );
    // Its own list: the dossiers it lodged, and no other; no one else's list.
    let (s, mine) = app
        .send(Method::GET, "/api/v1/partner/dossiers", Some(&post), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["code"], code.as_str(), "{mine}");
    assert_eq!(mine["items"][0]["status"], "returned", "{mine}");
    for token in [&officer, &citizen] {
        let (s, _) = app
            .send(Method::GET, "/api/v1/partner/dossiers", Some(token), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    app.user("buudien.hn", "partner", Some("000.00.01.H01"))
        .await;
    let other = app.token("buudien.hn", PASSWORD).await;
    let (_, none) = app
        .send(Method::GET, "/api/v1/partner/dossiers", Some(&other), None)
        .await;
    assert_eq!(none["total"], 0, "{none}");

    // Its reads of the citizen's dossier are in the access log, as any third party's.
    let (s, log) = app
        .send(
            Method::GET,
            "/api/v1/admin/personal-data-reads?id_number=038199012345",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["username"] == "buudien.th"),
        "{log}"
    );
    // Signed in to the web, its account page lists what it lodged, and not a citizen's boxes.
    let (b, _) = crate::support::browser(&app, "buudien.th").await;
    let (s, html) = crate::support::get_page(&b, &app, "/tai-khoan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"account-lodged\"") && html.contains(&code),
        "{html}"
    );
    assert!(!html.contains("data-store-link") && !html.contains("account-reads"));
    // The citizen's account is not the dossier's owner: she follows it by its code.
    let (s, _) = read(&app, &citizen, &code).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The statistics count it as received by post (KenhThucHien 3).
    let today = motcua_domain::vn_time::today();
    let (s, r) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?unit=000.00.00.H38&from={today}&to={today}"),
            Some(&leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["total"]["new_postal"].as_i64(),
            r["total"]["new_counter"].as_i64()
        ),
        (Some(1), Some(1)),
        "{r}"
    );
}

/// How many dossiers the province's centre holds, as its officer sees them.
async fn centre_count(app: &TestApp, officer: &str) -> i64 {
    let (s, q) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38",
            Some(officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    q["total"].as_i64().unwrap()
}
