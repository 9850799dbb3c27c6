//! Agencies: creation with validation, the tree, search, and who may create them.

use crate::support::{TestApp, names};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn administrators_build_the_agency_tree() {
    let app = TestApp::new().await;
    let admin = app.user("quantri", "admin", None).await;
    let (status, province) = app
        .post(
            "/api/v1/agencies",
            Some(&admin),
            json!({"code": "000.00.00.H56", "name": "Ủy ban nhân dân tỉnh Thanh Hóa",
                   "kind": "province_committee", "unit_id": "2025:province:38"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{province}");
    assert_eq!(province["province_code"], "38");
    let (status, dept) = app
        .post(
            "/api/v1/agencies",
            Some(&admin),
            json!({"code": "000.00.06.H56", "name": "Sở Tư pháp tỉnh Thanh Hóa", "kind": "department",
                   "parent_code": "000.00.00.H56"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dept}");
    assert_eq!(dept["parent_id"], province["id"]);
    assert_eq!(dept["province_code"], "38", "inherited from the parent");

    let (_, found) = app
        .get_json("/api/v1/agencies?q=so%20tu%20phap%20thanh%20hoa")
        .await;
    assert_eq!(names(&found), vec!["Sở Tư pháp tỉnh Thanh Hóa"]);
    let (_, children) = app.get_json("/api/v1/agencies?parent=000.00.00.H56").await;
    assert_eq!(children["total"], 1);
    let (status, one) = app.get_json("/api/v1/agencies/000.00.06.H56").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["kind"], "department");
}

#[tokio::test]
async fn invalid_agencies_are_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let admin = app.user("quantri", "admin", None).await;
    app.agency("000.00.00.H56", "UBND tỉnh", "province_committee", None)
        .await;
    let cases = [
        (
            json!({"code": "56-H", "name": "X", "kind": "department"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_agency_code",
        ),
        (
            json!({"code": "000.00.07.H56", "name": "  ", "kind": "department"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        ),
        (
            json!({"code": "000.00.07.H56", "name": "X", "kind": "huyen"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_agency_kind",
        ),
        (
            json!({"code": "000.00.07.H56", "name": "X", "kind": "department", "parent_code": "000.00.00.H99"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_parent",
        ),
        (
            json!({"code": "000.00.07.H56", "name": "X", "kind": "department", "unit_id": "2025:commune:99999"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_unit",
        ),
        (
            json!({"code": "000.00.00.H56", "name": "Trùng mã", "kind": "department"}),
            StatusCode::CONFLICT,
            "agency_code_taken",
        ),
        (
            json!({"code": "000.00.07.H56", "name": "X"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let (got, res) = app
            .post("/api/v1/agencies", Some(&admin), body.clone())
            .await;
        assert_eq!(got, status, "{body} → {res}");
        assert_eq!(res["error"], code, "{body} → {res}");
        assert!(!res["message"].as_str().unwrap_or_default().is_empty());
    }
    let (_, all) = app.get_json("/api/v1/agencies").await;
    assert_eq!(all["total"], 1, "no refused agency was stored: {all}");
}

#[tokio::test]
async fn only_administrators_create_agencies_within_their_scope() {
    let app = TestApp::new().await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.00.00.H01",
        "UBND thành phố Hà Nội",
        "province_committee",
        None,
    )
    .await;
    let sys_admin = app.user("quantri", "admin", None).await;
    let province_admin = app
        .user("qt.thanhhoa", "admin", Some("000.00.00.H38"))
        .await;
    let leader = app.user("lanhdao", "leader", Some("000.00.00.H38")).await;
    let citizen = app.user("congdan", "citizen", None).await;
    let new = |code: &str, parent: Option<&str>| json!({"code": code, "name": "Sở mới", "kind": "department", "parent_code": parent});

    let (s, _) = app
        .post(
            "/api/v1/agencies",
            None,
            new("000.00.09.H38", Some("000.00.00.H38")),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for token in [&citizen, &leader] {
        let (s, body) = app
            .post(
                "/api/v1/agencies",
                Some(token),
                new("000.00.09.H38", Some("000.00.00.H38")),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "forbidden");
    }
    // A provincial administrator works inside the province, not at the top or elsewhere.
    let (s, _) = app
        .post(
            "/api/v1/agencies",
            Some(&province_admin),
            new("000.00.09.H38", Some("000.00.00.H38")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(
            "/api/v1/agencies",
            Some(&province_admin),
            new("000.00.09.H01", Some("000.00.00.H01")),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/agencies",
            Some(&province_admin),
            new("000.00.00.H02", None),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/agencies",
            Some(&sys_admin),
            new("000.00.00.H02", None),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}
