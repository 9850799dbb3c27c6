//! Accounts bound to a person (finding 4 of the security review): a citizen account carries one
//! personal identification number, set by an administrator and never by the citizen; online
//! dossiers carry it; another person's number, or an account not yet bound, lodges nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dossiers::{body, setup};
use crate::support::{PASSWORD, TestApp};

async fn dossier_count(app: &TestApp, officer: &str) -> usize {
    let (s, list) = app
        .send(
            Method::GET,
            "/api/v1/dossiers?agency=000.00.01.H38&limit=100",
            Some(officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn an_administrator_binds_a_citizen_account_to_one_person() {
    let (app, [officer, ..]) = setup().await;
    let admin = app.user("quantri", "admin", None).await;
    let create = |username: &str, role: &str, id: &str| json!({"username": username, "password": PASSWORD, "role": role, "id_number": id});
    let (s, u) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            create("nguyenan", "citizen", " 001090000123 "),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["id_number"], "001090000123");
    let token = app.token("nguyenan", PASSWORD).await;
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(me["id_number"], "001090000123");

    // One number, one account; only citizens; a number that cannot be.
    let cases: [(Value, StatusCode, &str); 4] = [
        (
            create("nguyenan2", "citizen", "001090000123"),
            StatusCode::CONFLICT,
            "id_number_taken",
        ),
        (
            json!({"username": "canbo", "password": PASSWORD, "role": "receiving_officer",
                   "agency_code": "000.00.01.H38", "id_number": "001090000124"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_number_citizen_only",
        ),
        (
            create("nguyenan3", "citizen", "00109000012"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "citizen_id_length",
        ),
        (
            create("nguyenan4", "citizen", "999090000123"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "citizen_id_province",
        ),
    ];
    for (input, status, code) in cases {
        let (s, e) = app.post("/api/v1/users", Some(&admin), input).await;
        assert_eq!((s, e["error"].as_str()), (status, Some(code)), "{e}");
    }
    for name in ["nguyenan2", "canbo", "nguyenan3", "nguyenan4"] {
        let (s, _) = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name} was not created");
    }
    assert_eq!(dossier_count(&app, &officer).await, 0);
}

#[tokio::test]
async fn online_dossiers_carry_the_accounts_own_id_number() {
    let (app, [officer, _, _, citizen, _]) = setup().await;
    let admin = app.user("quantri", "admin", None).await;

    // Another person's number: refused, nothing created.
    let other = app.user("congdan2", "citizen", None).await;
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&other), body("online"))
        .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("id_number_not_yours"),
            Some("applicant.id_number")
        ),
        "{e}"
    );
    assert_eq!(dossier_count(&app, &officer).await, 0);

    // An account nobody has bound yet lodges nothing online, and is told why.
    let (s, _) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "chuaxacthuc", "password": PASSWORD, "role": "citizen"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let unbound = app.token("chuaxacthuc", PASSWORD).await;
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&unbound), body("online"))
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_not_bound")),
        "{e}"
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("chưa được gắn số định danh")
    );
    assert_eq!(dossier_count(&app, &officer).await, 0);

    // The account's own number, given or left out: the dossier carries it.
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let mut blank = body("online");
    blank["applicant"]["id_number"] = json!("");
    let (s, d2) = app.post("/api/v1/dossiers", Some(&other), blank).await;
    assert_eq!(s, StatusCode::CREATED, "{d2}");
    for (d, id) in [
        (&d, "038199012345".to_string()),
        (&d2, crate::support::citizen_id("congdan2")),
    ] {
        let (_, view) = app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{}", d["code"].as_str().unwrap()),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(
            view["state"]["applicant"]["id_number"],
            id.as_str(),
            "{view}"
        );
    }
    assert_eq!(dossier_count(&app, &officer).await, 2);
    // At the counter an officer lodges for whoever is present, by their card.
    let mut walk_in = body("counter");
    walk_in["applicant"]["id_number"] = json!("001099012345");
    let (s, d) = app.post("/api/v1/dossiers", Some(&officer), walk_in).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
}
