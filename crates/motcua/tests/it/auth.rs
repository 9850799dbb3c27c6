//! Accounts, tokens, browser sessions with CSRF, the login rate limit, and the authorisation
//! matrix per role.

use crate::support::csrf_from;
use crate::support::{PASSWORD, TestApp, client};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn tokens_are_issued_checked_and_revoked() {
    let app = TestApp::new().await;
    let token = app.user("chuyenvien", "citizen", None).await;
    let (status, me) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "chuyenvien");
    assert_eq!(me["grants"][0]["role"], "citizen");
    assert!(me.get("password_hash").is_none());

    let (status, body) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "chuyenvien", "password": "sai-mat-khau"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_credentials");
    let (status, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "khongco", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = app
        .send(Method::DELETE, "/api/v1/auth/token", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthenticated");
    let (status, _) = app
        .send(Method::GET, "/api/v1/me", Some("mc_not-a-token"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited() {
    let app = TestApp::new().await;
    app.user("lanhdao", "citizen", None).await;
    for _ in 0..5 {
        let (status, _) = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": "lanhdao", "password": "doan-thu"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "lanhdao", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
}

#[tokio::test]
async fn authorisation_matrix_per_role() {
    let app = TestApp::new().await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        Some("000.00.00.H38"),
    )
    .await;
    let tokens = [
        ("citizen", app.user("congdan", "citizen", None).await),
        (
            "receiving_officer",
            app.user("tiepnhan", "receiving_officer", Some("000.00.01.H38"))
                .await,
        ),
        (
            "specialist",
            app.user("chuyenvien", "specialist", Some("000.00.01.H38"))
                .await,
        ),
        (
            "leader",
            app.user("lanhdao", "leader", Some("000.00.00.H38")).await,
        ),
        (
            "agency_admin",
            app.user("qt.tinh", "admin", Some("000.00.00.H38")).await,
        ),
        ("admin", app.user("quantri", "admin", None).await),
    ];
    // (role, GET /me, GET /users, GET /users?agency=centre, POST /users in the centre)
    let expected = [
        ("citizen", 200, 403, 403, 403),
        ("receiving_officer", 200, 403, 403, 403),
        ("specialist", 200, 403, 403, 403),
        ("leader", 200, 403, 403, 403),
        ("agency_admin", 200, 403, 200, 201),
        ("admin", 200, 200, 200, 201),
    ];
    for ((role, token), (erole, me, users, agency_users, create)) in tokens.iter().zip(expected) {
        assert_eq!(*role, erole);
        let (s, _) = app.send(Method::GET, "/api/v1/me", Some(token), None).await;
        assert_eq!(s.as_u16(), me, "{role} GET /me");
        let (s, _) = app
            .send(Method::GET, "/api/v1/users", Some(token), None)
            .await;
        assert_eq!(s.as_u16(), users, "{role} GET /users");
        let (s, _) = app
            .send(
                Method::GET,
                "/api/v1/users?agency=000.00.01.H38",
                Some(token),
                None,
            )
            .await;
        assert_eq!(s.as_u16(), agency_users, "{role} GET /users?agency");
        let body = json!({"username": format!("moi.{role}"), "password": PASSWORD, "role": "receiving_officer", "agency_code": "000.00.01.H38"});
        let (s, res) = app.post("/api/v1/users", Some(token), body).await;
        assert_eq!(s.as_u16(), create, "{role} POST /users: {res}");
    }
    // Anonymous callers get 401 everywhere a login is needed.
    for path in ["/api/v1/me", "/api/v1/users"] {
        let (s, _) = app.send(Method::GET, path, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}");
    }
    // The accounts listed by the agency administrator are those of the centre.
    let (_, list) = app
        .send(
            Method::GET,
            "/api/v1/users?agency=000.00.01.H38",
            Some(&tokens[4].1),
            None,
        )
        .await;
    let users: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        vec!["chuyenvien", "moi.admin", "moi.agency_admin", "tiepnhan"]
    );
}

#[tokio::test]
async fn account_rules_are_enforced() {
    let app = TestApp::new().await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        None,
    )
    .await;
    let admin = app.user("quantri", "admin", None).await;
    let cases = [
        (
            json!({"username": "a", "password": PASSWORD, "role": "citizen"}),
            422,
            "invalid_username",
        ),
        (
            json!({"username": "ngan", "password": "1234567", "role": "citizen"}),
            422,
            "weak_password",
        ),
        (
            json!({"username": "vaitro", "password": PASSWORD, "role": "boss"}),
            422,
            "invalid_role",
        ),
        (
            json!({"username": "canbo", "password": PASSWORD, "role": "specialist"}),
            422,
            "agency_required",
        ),
        (
            json!({"username": "dan", "password": PASSWORD, "role": "citizen", "agency_code": "000.00.01.H38"}),
            422,
            "agency_not_allowed",
        ),
        (
            json!({"username": "quantri", "password": PASSWORD, "role": "citizen"}),
            409,
            "username_taken",
        ),
    ];
    for (body, status, code) in cases {
        let (s, res) = app.post("/api/v1/users", Some(&admin), body.clone()).await;
        assert_eq!(s.as_u16(), status, "{body}: {res}");
        assert_eq!(res["error"], code);
    }
    let (_, list) = app
        .send(Method::GET, "/api/v1/users", Some(&admin), None)
        .await;
    assert_eq!(list["total"], 1, "nothing half-created");
}

/// Cookies the response sets, as raw `Set-Cookie` values.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn browser_login_uses_httponly_sessions_and_csrf() {
    let app = TestApp::new().await;
    app.user("tiepnhan", "citizen", None).await;
    let browser = client();
    let page = browser.get(app.url("/dang-nhap")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let cookies = set_cookies(&page);
    assert!(cookies.iter().any(|c| c.starts_with("motcua_csrf=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Strict")));
    let html = page.text().await.unwrap();
    assert!(html.contains("Đăng nhập") && html.contains("lang=\"vi\""));
    let csrf = csrf_from(&html);

    // A form without the token (a cross-site post) is refused.
    let res = browser
        .post(app.url("/dang-nhap"))
        .form(&[("username", "tiepnhan"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A token that is not this browser's is refused too.
    let res = client()
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "tiepnhan"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A wrong password keeps the username and says why, in Vietnamese.
    let res = browser
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "tiepnhan"),
            ("password", "sai"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert!(html.contains("value=\"tiepnhan\""));

    let res = browser
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "tiepnhan"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("motcua_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );

    let home = browser
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Người dùng tiepnhan"), "logged in");
    assert!(
        home.contains("<strong>3.321</strong> xã"),
        "Vietnamese number format"
    );
    let (_, me) = {
        let res = browser.get(app.url("/api/v1/me")).send().await.unwrap();
        (res.status(), res.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(me["username"], "tiepnhan");

    // The token of before signing in no longer serves: the session's own does.
    let res = browser
        .post(app.url("/dang-xuat"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = browser
        .post(app.url("/dang-xuat"))
        .form(&[("csrf", csrf_from(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "session ended on the server"
    );
}

/// Signing in without a page to return to lands each role on its work; a page asked for is
/// kept.
#[tokio::test]
async fn signing_in_lands_each_role_on_its_work() {
    let app = TestApp::new().await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        Some("000.00.00.H38"),
    )
    .await;
    let accounts = [
        (
            "tiepnhan",
            "receiving_officer",
            Some("000.00.01.H38"),
            "/mot-cua",
        ),
        ("chuyenvien", "specialist", Some("000.00.01.H38"), "/xu-ly"),
        ("lanhdao", "leader", Some("000.00.00.H38"), "/dieu-hanh"),
        ("quantri", "admin", None, "/quan-tri"),
        ("congdan", "citizen", None, "/"),
    ];
    for (username, role, agency, want) in accounts {
        app.user(username, role, agency).await;
        for (next, expected) in [("", want), ("/thong-ke", "/thong-ke")] {
            let b = client();
            let html = b
                .get(app.url("/dang-nhap"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = csrf_from(&html);
            let res = b
                .post(app.url("/dang-nhap"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", username),
                    ("password", PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                res.headers()["location"],
                expected,
                "{username} with next {next:?}"
            );
        }
    }
}
