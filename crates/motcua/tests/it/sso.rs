//! Single sign-on through a real OpenID Connect provider (#20): the npm package `oidc-provider`
//! (tests/oidc/provider.mjs, installed by `npm ci` in scripts/test), started per test as a
//! process. A browser (a cookie jar) goes through the whole flow over HTTP: motcua's redirect,
//! the provider's login and consent forms, the callback with the code; then motcua's session,
//! the account bound to the verified number, and the sign-out at the provider. The provider's
//! hostile modes hand out ID tokens tampered with, or with a wrong nonce, expired, from another
//! issuer or for another audience: each is refused, and nobody is signed in.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;

use motcua_app::sso::{Audience, OidcProvider};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{TestApp, TestDb, client};

/// The provider process; killed when dropped.
struct Op {
    issuer: String,
    _child: tokio::process::Child,
}

fn op_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

/// Starts the provider for motcua at `app_addr`, with these people (login → claims).
async fn start_op(app_addr: SocketAddr, mode: &str, accounts: Value) -> Op {
    let dir = op_dir();
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "the OpenID Connect provider is not installed: run `npm ci` in {} (scripts/test does)",
        dir.display()
    );
    let redirects = ["vneid", "sso-tinh"]
        .map(|p| format!("http://{app_addr}/dang-nhap/sso/{p}/callback"))
        .join(",");
    let mut child = tokio::process::Command::new("node")
        .arg("provider.mjs")
        .current_dir(&dir)
        .env("PORT", "0")
        .env("CLIENT_ID", "motcua")
        .env("CLIENT_SECRET", "bi-mat-cua-motcua")
        .env("REDIRECT_URIS", redirects)
        .env("POST_LOGOUT_URI", format!("http://{app_addr}/"))
        .env("ACCOUNTS", accounts.to_string())
        .env("MODE", mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let issuer = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("provider output") {
            if let Some(i) = line.strip_prefix("issuer ") {
                return i.to_string();
            }
        }
        panic!("the provider stopped before it was ready")
    })
    .await
    .expect("the provider starts within 30 s");
    // Keep reading what it prints: a closed pipe would stop it at its next line.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Op {
        issuer,
        _child: child,
    }
}

fn provider(id: &str, issuer: &str, audience: Audience) -> OidcProvider {
    OidcProvider {
        id: id.into(),
        name: format!("Đăng nhập {id}"),
        issuer: issuer.into(),
        client_id: "motcua".into(),
        client_secret: Some("bi-mat-cua-motcua".into()),
        audience,
        scopes: ["profile", "address", "id_number"]
            .map(String::from)
            .to_vec(),
        id_number_claim: "id_number".into(),
        staff_claim: "preferred_username".into(),
        name_claim: "name".into(),
        birth_date_claim: "birthdate".into(),
        address_claim: "address".into(),
    }
}

/// motcua on a fresh database with a citizen provider (`vneid`) and a staff provider
/// (`sso-tinh`), both at the provider started in `mode`.
async fn setup(mode: &str, accounts: Value) -> (TestApp, Op) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let op = start_op(addr, mode, accounts).await;
    let config = motcua_app::Config {
        public_url: format!("http://{addr}"),
        oidc_providers: vec![
            provider("vneid", &op.issuer, Audience::Citizen),
            provider("sso-tinh", &op.issuer, Audience::Staff),
        ],
        ..Default::default()
    };
    let db = TestDb::fresh();
    let store = db.open().await;
    let router = motcua_web::router(motcua_web::AppState::new(store.clone(), config));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let app = TestApp {
        db,
        store,
        addr,
        client: client(),
    };
    (app, op)
}

/// The value of `name="…"` attribute in one tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let raw = tag[start..].split('"').next()?;
    Some(
        raw.replace("&#x2f;", "/")
            .replace("&#47;", "/")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&#61;", "=")
            .replace("&#x3d;", "=")
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

/// The first form of a page: its action and its fields (login and password filled in).
fn form_of(html: &str, login: &str) -> (String, Vec<(String, String)>) {
    let start = html
        .find("<form")
        .unwrap_or_else(|| panic!("a form on the provider's page: {html}"));
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[start..end];
    let open = &form[..form.find('>').unwrap()];
    let action = attr(open, "action").expect("form action");
    let mut fields = Vec::new();
    for chunk in form.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let value = match name.as_str() {
            "login" => login.to_string(),
            "password" => "any password".to_string(),
            _ => attr(tag, "value").unwrap_or_default(),
        };
        fields.push((name, value));
    }
    // A submit button that carries a value (the logout confirmation's `logout=yes`).
    for chunk in form.split("<button").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((n, v));
        }
    }
    (action, fields)
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_string()
    } else {
        format!("{base}{location}")
    }
}

/// Follows the browser from `url` through the provider's pages (signing in as `login`) until
/// the provider sends it back to motcua at a path starting with `back`; answers that address.
async fn through_provider(b: &Client, op: &Op, url: String, login: &str, back: &str) -> String {
    let mut next = url;
    for _ in 0..20 {
        if next.contains(back) {
            return next;
        }
        let res = b.get(&next).send().await.unwrap();
        if res.status().is_redirection() {
            let loc = res.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_string();
            next = absolute(&op.issuer, &loc);
            continue;
        }
        let status = res.status();
        let html = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "provider page {next}: {html}");
        let (action, fields) = form_of(&html, login);
        let res = b
            .post(absolute(&op.issuer, &action))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_redirection(),
            "form {action}: {}",
            res.status()
        );
        let loc = res.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        next = absolute(&op.issuer, &loc);
    }
    panic!("the provider never sent the browser back (last at {next})")
}

/// Signs in through `provider` as `login`: answers the browser and motcua's answer to the
/// callback (not followed), with the callback's address.
async fn sso_sign_in(
    app: &TestApp,
    op: &Op,
    provider: &str,
    login: &str,
) -> (Client, reqwest::Response, String) {
    let b = client();
    let res = b
        .get(app.url(&format!("/dang-nhap/sso/{provider}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in starts");
    let to_op = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(to_op.starts_with(&op.issuer), "{to_op}");
    for p in [
        "code_challenge_method=S256",
        "code_challenge=",
        "nonce=",
        "state=",
    ] {
        assert!(
            to_op.contains(p),
            "the authorization request has {p}: {to_op}"
        );
    }
    let callback = through_provider(
        &b,
        op,
        to_op,
        login,
        &format!("/dang-nhap/sso/{provider}/callback"),
    )
    .await;
    let res = b.get(&callback).send().await.unwrap();
    (b, res, callback)
}

async fn me(b: &Client, app: &TestApp) -> (StatusCode, Value) {
    let res = b.get(app.url("/api/v1/me")).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The roles of an account as `/api/v1/me` shows it.
fn roles(me: &Value) -> Vec<String> {
    me["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| g["role"].as_str().unwrap().to_string())
        .collect()
}

fn people() -> Value {
    json!({
        "an": {
            "name": "Nguyễn Văn An",
            "id_number": "001090000123",
            "birthdate": "1990-05-01",
            "address": {"formatted": "12 Tràng Tiền, phường Hoàn Kiếm, Hà Nội"}
        },
        "binh": {"name": "Trần Thị Bình", "id_number": "038199012345", "birthdate": "1999-02-03"},
        "tiepnhan.sso": {"name": "Lê Văn Tiếp", "preferred_username": "tiepnhan"},
        "lạ": {"name": "Người Lạ", "preferred_username": "khongcotaikhoan"},
        "congdan.sso": {"name": "Công dân", "preferred_username": "congdan"}
    })
}

#[tokio::test]
async fn a_citizen_signs_in_through_the_provider_bound_to_the_verified_number_and_signs_out() {
    let (app, op) = setup("normal", people()).await;

    // The login page offers the providers.
    let page = app.get("/dang-nhap").await.text().await.unwrap();
    assert!(page.contains("/dang-nhap/sso/vneid"), "{page}");

    let (b, res, callback) = sso_sign_in(&app, &op, "vneid", "an").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/");
    let (s, first) = me(&b, &app).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["id_number"], "001090000123");
    assert_eq!(first["full_name"], "Nguyễn Văn An");
    assert_eq!(roles(&first), ["citizen"], "{first}");
    let user = app
        .store
        .user_by_id_number("001090000123")
        .await
        .unwrap()
        .expect("an account bound to the number");
    let profile = app.store.profile(user.id).await.unwrap();
    assert_eq!(profile.birth_date.as_deref(), Some("1990-05-01"));
    assert_eq!(
        profile.address.as_deref(),
        Some("12 Tràng Tiền, phường Hoàn Kiếm, Hà Nội")
    );
    // No password opens an account made by single sign-on.
    let (s, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": user.username, "password": ""}),
        )
        .await;
    assert_ne!(s, StatusCode::OK);

    // The callback is used once: replayed, even with the state's cookie, it signs nobody in.
    let state = callback
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("state="))
        .expect("state in the callback");
    let replay = client()
        .get(&callback)
        .header(header::COOKIE, format!("motcua_sso_state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::FORBIDDEN);
    assert!(replay.text().await.unwrap().contains("đã được dùng"));
    // Nor does the address work in another browser (the state is bound to the first).
    let other = client().get(&callback).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    assert!(
        other
            .text()
            .await
            .unwrap()
            .contains("không bắt đầu từ trình duyệt này")
    );

    // Signing out ends motcua's session and sends the browser to the provider's sign-out.
    let csrf = crate::support::page_csrf(&b, &app, "/").await;
    let res = b
        .post(app.url("/dang-xuat"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    // (A page, not a redirect: the pages' `form-action 'self'` would stop a redirect there.)
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let at = html.find("id=\"provider-sign-out\"").expect("the link on");
    let tag_start = html[..at].rfind("<a").unwrap();
    let end = attr(&html[tag_start..at], "href").expect("href");
    assert!(html.contains("http-equiv=\"refresh\" content=\"0;url="));
    assert!(
        end.starts_with(&format!("{}/session/end", op.issuer)) && end.contains("client_id=motcua"),
        "{end}"
    );
    assert_eq!(me(&b, &app).await.0, StatusCode::UNAUTHORIZED);
    let home = app.url("/");
    let back = through_provider(&b, &op, end, "an", &home).await;
    assert!(back.starts_with(&home), "{back}");

    // Signing in again (the provider asks again: its session ended too) finds the same account.
    let (b2, res, _) = sso_sign_in(&app, &op, "vneid", "an").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, second) = me(&b2, &app).await;
    assert_eq!(second["id"], first["id"], "one person, one account");

    // Two browsers; from one, the person signs the other out.
    let (b3, _, _) = sso_sign_in(&app, &op, "vneid", "an").await;
    let (_, html) = crate::support::get_page(&b3, &app, "/tai-khoan").await;
    assert!(html.contains("id=\"account-session-count\">2<"), "{html}");
    let csrf = crate::support::csrf_from(&html);
    let res = b3
        .post(app.url("/tai-khoan/dang-xuat-noi-khac"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(me(&b2, &app).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&b3, &app).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_local_account_with_the_same_number_is_linked_never_duplicated() {
    let (app, op) = setup("normal", people()).await;
    // `congdan` is bound to 038199012345 (by an administrator), the number the provider
    // says `binh` has.
    app.user("congdan", "citizen", None).await;
    let before = app.store.list_users(None, 100, 0).await.unwrap().total;
    let (b, res, _) = sso_sign_in(&app, &op, "vneid", "binh").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, me) = me(&b, &app).await;
    assert_eq!(me["username"], "congdan", "{me}");
    assert_eq!(me["id_number"], "038199012345");
    assert_eq!(
        app.store.list_users(None, 100, 0).await.unwrap().total,
        before
    );
    let profile = app
        .store
        .profile(app.store.user_by_username("congdan").await.unwrap().0.id)
        .await
        .unwrap();
    assert_eq!(profile.birth_date.as_deref(), Some("1999-02-03"));
}

#[tokio::test]
async fn staff_are_matched_to_their_account_and_keep_motcua_roles_only() {
    let (app, op) = setup("normal", people()).await;
    app.agency(
        "000.00.01.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.user("tiepnhan", "receiving_officer", Some("000.00.01.H38"))
        .await;
    app.user("congdan", "citizen", None).await;

    let (b, res, _) = sso_sign_in(&app, &op, "sso-tinh", "tiepnhan.sso").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/mot-cua");
    let (_, me) = me(&b, &app).await;
    assert_eq!(me["username"], "tiepnhan");
    assert_eq!(roles(&me), ["receiving_officer"], "{me}");

    // No staff account by that name, or a citizen's: refused, in Vietnamese, nobody signed in.
    for login in ["lạ", "congdan.sso"] {
        let (b, res, _) = sso_sign_in(&app, &op, "sso-tinh", login).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("chưa có tài khoản cán bộ tương ứng"),
            "{login}: {html}"
        );
        assert_eq!(self::me(&b, &app).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn id_tokens_tampered_with_expired_or_not_for_this_sign_in_are_refused() {
    for mode in ["tamper", "nonce", "expired", "issuer", "audience"] {
        let (app, op) = setup(mode, people()).await;
        let (b, res, _) = sso_sign_in(&app, &op, "vneid", "an").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{mode}");
        assert!(
            res.headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("motcua_session=")),
            "{mode}: no session"
        );
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Không xác minh được danh tính"),
            "{mode}: {html}"
        );
        assert_eq!(me(&b, &app).await.0, StatusCode::UNAUTHORIZED, "{mode}");
        assert!(
            app.store
                .user_by_id_number("001090000123")
                .await
                .unwrap()
                .is_none(),
            "{mode}: no account was made"
        );
    }
}

#[tokio::test]
async fn the_online_form_is_filled_from_the_provider_and_lodges_only_under_the_verified_number() {
    const ABTC: &str = "1.011728";
    const CENTRE: &str = "000.00.01.H38";
    let (app, op) = setup("normal", people()).await;
    crate::catalogue::import(app.store.as_ref(), &[ABTC]).await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    let centre = app
        .agency(
            CENTRE,
            "Trung tâm PVHCC Thanh Hóa",
            "service_centre",
            Some("000.00.00.H38"),
        )
        .await;
    motcua_app::catalogue::apply(app.store.as_ref(), ABTC, centre.id, None)
        .await
        .expect("applied");

    let (b, res, _) = sso_sign_in(&app, &op, "vneid", "an").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, html) = crate::support::get_page(&b, &app, &format!("/thu-tuc/{ABTC}/nop")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("value=\"Nguyễn Văn An\""), "the name filled");
    assert!(
        html.contains("value=\"001090000123\""),
        "the verified number"
    );
    assert!(
        html.contains("value=\"12 Tràng Tiền, phường Hoàn Kiếm, Hà Nội\""),
        "the address filled: {html}"
    );

    // Through the API with the session: under the verified number only.
    let csrf = crate::support::csrf_from(&html);
    let lodge = |id: &str| {
        b.post(app.url("/api/v1/dossiers"))
            .header("X-CSRF-Token", csrf.clone())
            .json(
                &json!({"procedure": ABTC, "agency": CENTRE, "channel": "online",
                "applicant": {"name": "Nguyễn Văn An", "id_number": id,
                    "phone": "0912345678", "address": "12 Tràng Tiền"}}),
            )
            .send()
    };
    let res = lodge("038199012345").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "id_number_not_yours", "{body}");
    let res = lodge("001090000123").await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let code = body["code"].as_str().unwrap().to_string();

    // The person's own page: the verified identity, and who read the dossier's personal data.
    let (_, html) = crate::support::get_page(&b, &app, "/tai-khoan").await;
    assert!(html.contains("id=\"account-no-reads\""), "{html}");
    let officer = app
        .user("tiepnhan", "receiving_officer", Some(CENTRE))
        .await;
    let (s, _) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, html) = crate::support::get_page(&b, &app, "/tai-khoan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("12 Tràng Tiền, phường Hoàn Kiếm, Hà Nội"));
    assert!(html.contains("1990-05-01"));
    let read = html
        .split("class=\"account-read\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a read listed: {html}"));
    assert!(read.contains("tiepnhan") && read.contains(&code) && read.contains("Xem hồ sơ"));
}
