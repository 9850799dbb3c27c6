//! The perimeter (issue 15): return addresses that stay on this site, bounded search texts,
//! the security headers, CSRF tokens bound to the session (and required of the JSON API when
//! the browser's cookie authenticates), a private `/metrics` with bounded labels, a login limit
//! that locks out an address but never the owner elsewhere, and the look-up's limit shared by
//! every process of one database.

use std::net::IpAddr;

use crate::support::{PASSWORD, TestApp, browser, client, csrf_from, get_page as get, sign_in};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// The payloads of the issue, and more, that must all come back as `/`.
const FOREIGN: [&str; 8] = [
    "/\t/evil.com",
    "//evil.com",
    "/\\evil.com",
    "/\r\nSet-Cookie: x=1",
    "/x\ry",
    "https://evil.com/",
    "javascript:alert(1)",
    "evil.com",
];

#[tokio::test]
async fn next_addresses_stay_on_this_site() {
    let app = TestApp::new().await;
    app.user("congdan", "citizen", None).await;
    // The login page carries only a local `next`.
    for raw in ["/%09/evil.com", "//evil.com", "/%5Cevil.com", "/%0d%0aX:1"] {
        let (s, html) = get(&client(), &app, &format!("/dang-nhap?next={raw}")).await;
        assert_eq!(s, StatusCode::OK, "{raw}");
        assert!(html.contains("name=\"next\" value=\"/\""), "{raw}");
    }
    for next in FOREIGN {
        let b = client();
        let (_, html) = get(&b, &app, "/").await;
        let csrf = csrf_from(&html);
        let res = b
            .post(app.url("/ngon-ngu"))
            .form(&[("csrf", csrf.as_str()), ("lang", "en"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
        let (_, html) = get(&b, &app, "/dang-nhap").await;
        let csrf = csrf_from(&html);
        let res = b
            .post(app.url("/dang-nhap"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "congdan"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }
    // A local address is kept.
    let (b, csrf) = browser(&app, "congdan").await;
    let res = b
        .post(app.url("/ngon-ngu"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("lang", "vi"),
            ("next", "/thu-tuc?q=ket+hon"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/thu-tuc?q=ket+hon");
}

/// `n` words, about `5 * n` characters.
fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join("+")
}

#[tokio::test]
async fn search_texts_are_bounded_everywhere() {
    let app = TestApp::new().await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    let officer = app
        .user("tiepnhan", "receiving_officer", Some("000.00.00.H38"))
        .await;
    app.user("quantri", "admin", None).await;
    let long = words(999);
    let many = words(13);
    let wide = "a".repeat(201);
    for path in [
        "/api/v1/units",
        "/api/v1/agencies",
        "/api/v1/procedures",
        "/api/v1/dossiers",
    ] {
        for q in [&long, &many, &wide] {
            let (s, body) = app
                .send(Method::GET, &format!("{path}?q={q}"), Some(&officer), None)
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} {}", &q[..20]);
            assert_eq!(body["error"], "query_too_long");
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("tối đa 200 ký tự và 12 từ")
            );
        }
        let (s, body) = app
            .send(
                Method::GET,
                &format!("{path}?q={}", words(12)),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
    }
    // The UI searches for the first words and says so, on the page.
    let (admin, _) = browser(&app, "quantri").await;
    let (officer_b, _) = browser(&app, "tiepnhan").await;
    for (b, path) in [
        (&client(), "/thu-tuc"),
        (&admin, "/quan-tri/co-quan"),
        (&admin, "/quan-tri/thu-tuc"),
        (&officer_b, "/xu-ly"),
        (&officer_b, "/mot-cua/tiep-nhan"),
    ] {
        let (s, html) = get(b, &app, &format!("{path}?q={long}")).await;
        assert_eq!(s, StatusCode::OK, "{path}: {html}");
        assert!(html.contains("data-notice=\"query_too_long\""), "{path}");
        assert!(html.contains("Từ khóa tìm kiếm quá dài"), "{path}");
        let (s, html) = get(b, &app, &format!("{path}?q=ket+hon")).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!html.contains("data-notice=\"query_too_long\""), "{path}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/dang-nhap",
        "/api/v1/units",
        "/static/app.js",
        "/khong-co",
        "/api/v1/khong-co",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(
            h["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()"),
            "{path}"
        );
    }
    // No inline script in what the pages send.
    let (_, html) = get(&client(), &app, "/khong-co").await;
    assert!(!html.contains("javascript:"));
    for path in ["/", "/dang-nhap", "/thu-tuc", "/tra-cuu", "/thong-ke"] {
        let (_, html) = get(&client(), &app, path).await;
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains(" src=\"/static/"), "{path}: inline {tag}");
        }
        assert!(!html.contains("javascript:"), "{path}");
    }
}

#[tokio::test]
async fn csrf_tokens_are_bound_to_the_session_and_rotate_at_sign_in() {
    let app = TestApp::new().await;
    app.user("congdan", "citizen", None).await;
    app.user("congdan2", "citizen", None).await;
    let b = client();
    let (_, html) = get(&b, &app, "/dang-nhap").await;
    let anonymous = csrf_from(&html);
    let res = b
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", anonymous.as_str()),
            ("username", "congdan"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&b, &app, "/").await;
    let signed_in = csrf_from(&html);
    assert_ne!(signed_in, anonymous, "a new token at sign-in");
    // The token of before, or of another session, does not sign out.
    let (_, other) = browser(&app, "congdan2").await;
    for stale in [&anonymous, &other] {
        let res = b
            .post(app.url("/dang-xuat"))
            .form(&[("csrf", stale.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    // htmx's header works as the field does.
    let res = b
        .post(app.url("/dang-xuat"))
        .header("x-csrf-token", &signed_in)
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&b, &app, "/").await;
    assert!(html.contains("href=\"/dang-nhap\""), "signed out");
}

#[tokio::test]
async fn the_api_refuses_cookie_authenticated_writes_without_the_csrf_header() {
    let app = TestApp::new().await;
    let token = app.user("quantri", "admin", None).await;
    let (b, csrf) = browser(&app, "quantri").await;
    let agency = json!({"code": "000.00.00.H38", "name": "UBND tỉnh Thanh Hóa",
        "kind": "province_committee"});
    // Reading with the cookie is fine.
    let res = b.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Writing with the cookie alone, or a wrong header: refused, nothing created.
    for header in [None, Some("not-the-token"), Some(PASSWORD)] {
        let mut req = b.post(app.url("/api/v1/agencies")).json(&agency);
        if let Some(h) = header {
            req = req.header("x-csrf-token", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "csrf_token_invalid");
    }
    let (s, list) = app
        .send(Method::GET, "/api/v1/agencies", Some(&token), None)
        .await;
    assert_eq!((s, list["total"].as_i64()), (StatusCode::OK, Some(0)));
    // With the page's token it goes through; a bearer token needs none.
    let res = b
        .post(app.url("/api/v1/agencies"))
        .header("x-csrf-token", &csrf)
        .json(&agency)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let (s, _) = app
        .post(
            "/api/v1/agencies",
            Some(&token),
            json!({"code": "000.00.01.H38", "name": "Trung tâm PVHCC Thanh Hóa",
                "kind": "service_centre", "parent_code": "000.00.00.H38"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn metrics_are_private_and_their_labels_bounded() {
    let app = TestApp::with_config(motcua_app::Config {
        metrics_token: Some("bi-mat-prometheus-0123456789".into()),
        ..Default::default()
    })
    .await;
    let citizen = app.user("congdan", "citizen", None).await;
    let admin = app.user("quantri", "admin", None).await;
    for method in ["FOOBAR1", "FOOBAR2", "PROPFIND"] {
        let res = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url("/healthz"),
            )
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{method}");
    }
    let metrics = |token: Option<&'static str>, bearer: Option<String>| {
        let req = app.client.get(app.url("/metrics"));
        let req = match token.map(str::to_string).or(bearer) {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    assert_eq!(metrics(None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(metrics(Some("sai"), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(metrics(None, Some(citizen)).await.0, StatusCode::FORBIDDEN);
    let (s, text) = metrics(None, Some(admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("http_requests_total"));
    let (s, text) = metrics(Some("bi-mat-prometheus-0123456789"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("method=\"OTHER\""), "{text}");
    for method in ["FOOBAR1", "FOOBAR2", "PROPFIND"] {
        assert!(!text.contains(method), "{method} is a label");
    }
}

/// A client whose connections come from `ip` (another loopback address).
fn client_from(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn try_token(
    c: &Client,
    app: &TestApp,
    username: &str,
    password: &str,
) -> (StatusCode, Value) {
    let res = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn wrong_passwords_lock_out_an_address_never_the_owner_elsewhere() {
    let app = TestApp::new().await;
    app.user("lanhdao", "citizen", None).await;
    let attacker = client_from("127.0.0.2");
    let owner = client_from("127.0.0.3");
    for _ in 0..5 {
        let (s, _) = try_token(&attacker, &app, "lanhdao", "doan-mo").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, body) = try_token(&attacker, &app, "lanhdao", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Vui lòng thử lại sau")
    );
    let (s, body) = try_token(&owner, &app, "lanhdao", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "the owner from another address: {body}");
    // The same through the login page: a Vietnamese message in place.
    let b = Client::builder()
        .local_address("127.0.0.2".parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, html) = get(&b, &app, "/dang-nhap").await;
    let res = b
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf_from(&html).as_str()),
            ("username", "lanhdao"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("Quá nhiều yêu cầu"));
    sign_in(&app, "lanhdao", PASSWORD).await;
    // Usernames of any length cost the same and do not break anything.
    let (s, _) = try_token(&owner, &app, &"x".repeat(100_000), "doan-mo").await;
    assert!(
        s == StatusCode::UNAUTHORIZED || s == StatusCode::PAYLOAD_TOO_LARGE,
        "{s}"
    );
}

#[tokio::test]
async fn the_look_up_limit_holds_across_processes_of_one_database() {
    let config = || motcua_app::Config {
        lookups_per_minute: 5,
        ..Default::default()
    };
    let a = TestApp::with_config(config()).await;
    let b = a.second_process(config()).await;
    // The windows are calendar minutes: start early in one.
    let second = chrono::Utc::now().timestamp().rem_euclid(60);
    if second > 45 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
    // Unknown codes count too: they are how codes are guessed.
    let code = "000.00.01.H38-991231-0001";
    let mut statuses = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { &a } else { &b };
        let (s, body) = app
            .get_json(&format!("/api/v1/public/dossiers/{code}"))
            .await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["error"], "too_many_requests");
        }
        statuses.push(s.as_u16());
    }
    assert_eq!(statuses, [404, 404, 404, 404, 404, 429, 429, 429]);
    // The public statistics page shares the budget.
    let (s, _) = get(&client(), &b, "/thong-ke").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}
