//! The staff's second factor (#20), TOTP per RFC 6238, with the codes computed by an
//! independent implementation, Python's `pyotp` (installed by scripts/test): turned on by the
//! staff member (confirmed with a code), required by an administrator (set up at the next
//! sign-in), asked by password sign-ins in the browser and by bearer tokens; a code is
//! accepted once; a wrong code signs nobody in.

use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, browser, client, get_page, page_csrf};

/// The code of `secret` `steps` steps from now, by pyotp.
fn pyotp(secret: &str, steps: i64) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import pyotp, sys, time; print(pyotp.TOTP(sys.argv[1]).at(int(time.time()) + 30 * int(sys.argv[2])))",
            secret,
            &steps.to_string(),
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "pyotp: {} (scripts/test installs it)",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(code.len(), 6, "{code}");
    code
}

/// A code that is not `code`.
fn other_than(code: &str) -> String {
    let mut c: Vec<u8> = code.bytes().collect();
    c[5] = b'0' + (c[5] - b'0' + 1) % 10;
    String::from_utf8(c).unwrap()
}

fn secret_in(html: &str) -> String {
    let start = html.find("id=\"totp-secret\"").expect("the secret shown") + 16;
    let start = html[start..].find('>').unwrap() + start + 1;
    html[start..].split('<').next().unwrap().to_string()
}

async fn setup() -> TestApp {
    let app = TestApp::new().await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    for (u, role) in [
        ("tiepnhan", "receiving_officer"),
        ("chuyenvien", "specialist"),
        ("lanhdao", "leader"),
    ] {
        app.user(u, role, Some("000.00.00.H38")).await;
    }
    app.user("quantri", "admin", None).await;
    app.user("congdan", "citizen", None).await;
    app
}

/// Posts the password form; answers the browser and the answer (not followed).
async fn password(app: &TestApp, username: &str) -> (Client, reqwest::Response) {
    let b = client();
    let csrf = page_csrf(&b, app, "/dang-nhap").await;
    let res = b
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    (b, res)
}

async fn post_code(b: &Client, app: &TestApp, path: &str, code: &str) -> reqwest::Response {
    let csrf = page_csrf(b, app, "/").await;
    b.post(app.url(path))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

async fn me(b: &Client, app: &TestApp) -> StatusCode {
    b.get(app.url("/api/v1/me")).send().await.unwrap().status()
}

async fn token(app: &TestApp, username: &str, totp: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"username": username, "password": PASSWORD});
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    app.post("/api/v1/auth/token", None, body).await
}

#[tokio::test]
async fn staff_turn_the_second_factor_on_and_sign_in_with_a_code_used_once() {
    let app = setup().await;
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let (s, html) = get_page(&b, &app, "/tai-khoan/xac-thuc-hai-lop").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Chưa bật"), "{html}");
    let res = b
        .post(app.url("/tai-khoan/xac-thuc-hai-lop/bat"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    let secret = secret_in(&html);
    assert!(html.contains(&format!("otpauth://totp/motcua:tiepnhan?secret={secret}")));
    // A wrong code does not turn it on; pyotp's code does.
    let now = pyotp(&secret, 0);
    let confirm = |code: String| {
        let b = b.clone();
        let app_url = app.url("/tai-khoan/xac-thuc-hai-lop/xac-nhan");
        let csrf = csrf.clone();
        let secret = secret.clone();
        async move {
            b.post(app_url)
                .form(&[
                    ("csrf", csrf),
                    ("code", code),
                    ("secret", secret),
                    ("uri", String::new()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = confirm(other_than(&now)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        !app.store
            .totp_state(app.store.user_by_username("tiepnhan").await.unwrap().0.id)
            .await
            .unwrap()
            .enabled
    );
    let res = confirm(now.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Đã bật xác thực hai lớp")
    );
    // The database keeps the secret sealed with the server's key, not as shown.
    let stored = app
        .store
        .totp_state(app.store.user_by_username("tiepnhan").await.unwrap().0.id)
        .await
        .unwrap()
        .secret
        .unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains(&secret),
        "{stored}"
    );

    // The password alone no longer opens a session: the code page does.
    let (b2, res) = password(&app, "tiepnhan").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/dang-nhap/xac-thuc");
    assert_eq!(me(&b2, &app).await, StatusCode::UNAUTHORIZED);
    // The code that confirmed it was used: refused; a wrong one too; the next one opens.
    for bad in [now.clone(), other_than(&pyotp(&secret, 1))] {
        let res = post_code(&b2, &app, "/dang-nhap/xac-thuc", &bad).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
        assert!(res.text().await.unwrap().contains("Mã xác thực không đúng"));
        assert_eq!(me(&b2, &app).await, StatusCode::UNAUTHORIZED);
    }
    let res = post_code(&b2, &app, "/dang-nhap/xac-thuc", &pyotp(&secret, 1)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/mot-cua");
    assert_eq!(me(&b2, &app).await, StatusCode::OK);

    // Bearer tokens ask for the code too.
    let (s, body) = token(&app, "tiepnhan", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "totp_required", "{body}");
    let (s, _) = token(&app, "tiepnhan", Some(&pyotp(&secret, 1))).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the code of a step used already"
    );

    // Five wrong codes drop the sign-in: back to the password.
    let (b3, _) = password(&app, "tiepnhan").await;
    for _ in 0..5 {
        post_code(&b3, &app, "/dang-nhap/xac-thuc", "000000").await;
    }
    let res = b3.get(app.url("/dang-nhap/xac-thuc")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/dang-nhap");
}

#[tokio::test]
async fn staff_turn_it_off_with_a_current_code() {
    let app = setup().await;
    let (b, csrf) = browser(&app, "lanhdao").await;
    let res = b
        .post(app.url("/tai-khoan/xac-thuc-hai-lop/bat"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let secret = secret_in(&res.text().await.unwrap());
    let res = b
        .post(app.url("/tai-khoan/xac-thuc-hai-lop/xac-nhan"))
        .form(&[("csrf", csrf.as_str()), ("code", &pyotp(&secret, 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = post_code(&b, &app, "/tai-khoan/xac-thuc-hai-lop/tat", "000000").await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a wrong code turns nothing off"
    );
    let res = post_code(
        &b,
        &app,
        "/tai-khoan/xac-thuc-hai-lop/tat",
        &pyotp(&secret, 1),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Đã tắt xác thực hai lớp")
    );
    let (_, res) = password(&app, "lanhdao").await;
    assert_eq!(res.headers()[header::LOCATION], "/dieu-hanh");
    // Citizens have no TOTP page.
    let (c, _) = browser(&app, "congdan").await;
    let (s, _) = get_page(&c, &app, "/tai-khoan/xac-thuc-hai-lop").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_requires_it_and_the_next_sign_in_sets_it_up() {
    let app = setup().await;
    let (admin, csrf) = browser(&app, "quantri").await;
    let require = |username: &'static str, required: &'static str| {
        let admin = admin.clone();
        let csrf = csrf.clone();
        let url = app.url(&format!("/quan-tri/can-bo/{username}/xac-thuc-hai-lop"));
        async move {
            admin
                .post(url)
                .form(&[("csrf", csrf.as_str()), ("required", required)])
                .send()
                .await
                .unwrap()
        }
    };
    let res = require("chuyenvien", "1").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, html) = get_page(&admin, &app, "/quan-tri/can-bo/chuyenvien").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Bắt buộc xác thực hai lớp (mã TOTP)"),
        "{html}"
    );
    // Only staff accounts have one.
    let res = require("congdan", "1").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Not set up yet: a bearer token is refused until it is.
    let (s, body) = token(&app, "chuyenvien", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "totp_setup_required", "{body}");

    let (b, res) = password(&app, "chuyenvien").await;
    assert_eq!(res.headers()[header::LOCATION], "/dang-nhap/xac-thuc");
    let (s, html) = get_page(&b, &app, "/dang-nhap/xac-thuc").await;
    assert_eq!(s, StatusCode::OK);
    let secret = secret_in(&html);
    // The same secret until it is confirmed.
    let (_, again) = get_page(&b, &app, "/dang-nhap/xac-thuc").await;
    assert_eq!(secret_in(&again), secret);
    let res = post_code(&b, &app, "/dang-nhap/xac-thuc", &pyotp(&secret, 0)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/xu-ly");
    assert_eq!(me(&b, &app).await, StatusCode::OK);
    let (s, _) = token(&app, "chuyenvien", Some(&pyotp(&secret, 1))).await;
    assert_eq!(s, StatusCode::OK);

    // Required: the staff member cannot turn it off.
    let res = post_code(
        &b,
        &app,
        "/tai-khoan/xac-thuc-hai-lop/tat",
        &pyotp(&secret, 1),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // No longer required, still on (it was set up): the code is still asked.
    require("chuyenvien", "0").await;
    let (_, res) = password(&app, "chuyenvien").await;
    assert_eq!(res.headers()[header::LOCATION], "/dang-nhap/xac-thuc");
}
