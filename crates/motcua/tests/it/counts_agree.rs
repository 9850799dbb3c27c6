//! One definition of "received on a day" (the officer's receipt; an online dossier lodged and
//! still waiting for the check is not received): the desk's "Tiếp nhận hôm nay", the register
//! (page and official form), the dashboard and the report count the same dossiers today.
//!
//! Today at the centre: two counter dossiers (received at once), one online dossier received
//! by the officer, one online dossier still waiting for the check → 3 received everywhere.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dossiers::{body, setup};
use crate::support::{TestApp, browser, get_page};

const CENTRE: &str = "000.00.01.H38";

async fn lodge(app: &TestApp, token: &str, channel: &str) -> Value {
    let (s, d) = app
        .post("/api/v1/dossiers", Some(token), body(channel))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (s, d) = app.send(Method::GET, path, Some(token), None).await;
    assert_eq!(s, StatusCode::OK, "{path}: {d}");
    d
}

#[tokio::test]
async fn received_today_is_the_same_count_on_the_desk_register_dashboard_and_report() {
    let (app, [officer, _specialist, leader, citizen, _stranger]) = setup().await;
    let today = motcua_domain::vn_time::today();
    let mut received = Vec::new();
    for _ in 0..2 {
        received.push(lodge(&app, &officer, "counter").await["code"].clone());
    }
    let online = lodge(&app, &citizen, "online").await;
    let code = online["code"].as_str().unwrap();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/receive"),
            Some(&officer),
            json!({"version": online["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    received.push(online["code"].clone());
    let waiting = lodge(&app, &citizen, "online").await;
    let waiting = waiting["code"].as_str().unwrap();

    // The desk.
    let (b, _) = browser(&app, "tiepnhan").await;
    let (s, home) = get_page(&b, &app, "/mot-cua").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("id=\"count-today\">3<"), "{home}");
    // The register page: the received ones, each with its receipt time; not the waiting one.
    let iso = today.format("%Y-%m-%d").to_string();
    let (s, reg) = get_page(
        &b,
        &app,
        &format!("/mot-cua/so-theo-doi?tu={iso}&den={iso}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(reg.contains("id=\"register-count\">3<"), "{reg}");
    for c in &received {
        assert!(reg.contains(c.as_str().unwrap()), "{c}");
    }
    assert!(
        !reg.contains(waiting),
        "never received: not in the register"
    );
    // The official register.
    let official = app
        .client
        .get(app.url(&format!(
            "/api/v1/agencies/{CENTRE}/register?from={iso}&to={iso}&format=html"
        )))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!official.contains(waiting));
    for c in &received {
        assert!(official.contains(c.as_str().unwrap()), "{c}");
    }
    // The dashboard and the report, of the centre and of the province.
    for unit in [CENTRE, "000.00.00.H38"] {
        let dash = get(
            &app,
            &leader,
            &format!("/api/v1/stats/dashboard?unit={unit}"),
        )
        .await;
        assert_eq!(dash["today"]["received"], 3, "{unit}: {dash}");
        let r = get(
            &app,
            &leader,
            &format!("/api/v1/stats/report?unit={unit}&from={iso}&to={iso}"),
        )
        .await;
        let t = &r["total"];
        let new = ["new_online", "new_counter", "new_postal"]
            .iter()
            .map(|k| t[k].as_i64().unwrap())
            .sum::<i64>();
        assert_eq!(new, 3, "{unit}: {t}");
        assert_eq!(t["new_online"], 1, "{unit}: {t}");
    }
}
