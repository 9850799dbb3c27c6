//! The counter hall (bốc số), over real HTTP: a ticket from the kiosk page to a counter's call,
//! the display board's live events, the dossier it becomes and the waiting-time statistics;
//! counters of two processes racing for the same queue; a big centre's day across a restart;
//! and who may do what.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, browser, client, csrf_from};

const CENTRE: &str = "000.00.01.H38";

async fn setup() -> (TestApp, [String; 5]) {
    let (app, tokens) = crate::dossiers::setup().await;
    let (s, v) = app
        .send(
            Method::PUT,
            &format!("/api/v1/hall/{CENTRE}/areas"),
            Some(&tokens[0]),
            Some(json!({"areas": [{"code": "A", "name": "Tư pháp, hộ tịch"}, {"code": "B", "name": "Đất đai"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (app, tokens)
}

async fn take(app: &TestApp, area: &str) -> Value {
    let (s, v) = app
        .post(
            &format!("/api/v1/hall/{CENTRE}/tickets"),
            None,
            json!({"area": area}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn call(app: &TestApp, token: &str, counter: i32, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/hall/{CENTRE}/counters/{counter}/call"),
        Some(token),
        body,
    )
    .await
}

/// Follows a form's 303 as a browser does: the page it leads to.
async fn follow(b: &Client, app: &TestApp, res: Response) -> Response {
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a form answers with a redirect"
    );
    let to = res.headers()["location"].to_str().unwrap().to_string();
    b.get(app.url(&to)).send().await.unwrap()
}

/// The `data:` of the next `board` event of a display board's stream.
async fn next_board(stream: &mut Response, buf: &mut String) -> Value {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if event.contains("event: board") {
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("a data line");
                return serde_json::from_str(data).expect("board JSON");
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("an event within 10 s")
            .expect("bytes")
            .expect("the stream goes on");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn a_ticket_goes_from_the_kiosk_to_a_counter_the_board_and_a_dossier() {
    let (app, tokens) = setup().await;
    let officer = &tokens[0];

    // The board's live stream: the first event is the board as it is.
    let res = client()
        .get(app.url(&format!("/bang-goi-so/{CENTRE}/su-kien")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut events = res;
    let mut buf = String::new();
    let first = next_board(&mut events, &mut buf).await;
    assert_eq!(first["calls"], json!([]));
    assert_eq!(first["areas"][0]["waiting"], 0);

    // The kiosk page, as a person at the kiosk uses it (anonymous, CSRF by cookie).
    let kiosk = client();
    let html = kiosk
        .get(app.url(&format!("/boc-so/{CENTRE}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Tư pháp, hộ tịch") && html.contains("id=\"area-B\""));
    let csrf = csrf_from(&html);
    let res = kiosk
        .post(app.url(&format!("/boc-so/{CENTRE}")))
        .form(&[("csrf", csrf.as_str()), ("area", "A")])
        .send()
        .await
        .unwrap();
    let res = follow(&kiosk, &app, res).await;
    assert_eq!(res.status(), StatusCode::OK, "followed to the ticket page");
    let ticket_url = res.url().path().to_string();
    assert!(ticket_url.starts_with("/boc-so/ve/"), "{ticket_url}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"ticket-number\">A001<"),
        "the first number of A"
    );
    assert!(html.contains("id=\"ticket-ahead\">0<"));
    assert!(html.contains("<svg"), "the ticket carries its QR");
    // A form without the kiosk's token is refused and gives no number.
    let res = client()
        .post(app.url(&format!("/boc-so/{CENTRE}")))
        .form(&[("csrf", "x"), ("area", "A")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let second = take(&app, "A").await;
    assert_eq!(
        (second["label"].as_str(), second["ahead"].as_i64()),
        (Some("A002"), Some(1))
    );
    let waiting = next_board(&mut events, &mut buf).await;
    assert_eq!(waiting["areas"][0]["waiting"], 2, "{waiting}");

    // Counter 2 calls the next: the longest waiting, A001; the board shows it at once.
    let (b, csrf) = browser(&app, "tiepnhan").await;
    let res = b
        .post(app.url("/mot-cua/boc-so/goi"))
        .form(&[("csrf", csrf.as_str()), ("quay", "2"), ("what", "next")])
        .send()
        .await
        .unwrap();
    let html = follow(&b, &app, res).await.text().await.unwrap();
    assert!(html.contains("Đã gọi số A001 đến quầy 2"), "notice");
    assert!(html.contains("id=\"current-number\">A001<"));
    let called = next_board(&mut events, &mut buf).await;
    assert_eq!(called["calls"][0]["label"], "A001", "{called}");
    assert_eq!(called["calls"][0]["counter"], 2);
    assert_eq!(called["areas"][0]["waiting"], 1);
    let html = kiosk
        .get(app.url(&ticket_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Mời đến quầy số 2"),
        "the ticket's page tells where to go"
    );
    // While serving, the counter cannot call another.
    let (s, v) = call(&app, officer, 2, json!({"what": "next"})).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::CONFLICT, Some("hall_counter_busy"))
    );

    // The officer receives the dossier; "done" links the ticket to it (suggested on the page).
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap();
    let html = b
        .get(app.url("/mot-cua/boc-so?quay=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("value=\"{code}\"")),
        "the dossier just received is suggested"
    );
    let res = b
        .post(app.url("/mot-cua/boc-so/xong"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("quay", "2"),
            ("what", "done"),
            ("ho_so", code),
        ])
        .send()
        .await
        .unwrap();
    let html = follow(&b, &app, res).await.text().await.unwrap();
    assert!(
        html.contains(&format!("Số A001: đã phục vụ, hồ sơ {code}.")),
        "done notice"
    );
    assert!(html.contains("id=\"current-none\""));
    let (_, t) = app
        .get_json(&format!(
            "/api/v1/hall/tickets/{}",
            &ticket_url["/boc-so/ve/".len()..]
        ))
        .await;
    assert_eq!(
        (t["status"].as_str(), t["dossier_code"].as_str()),
        (Some("done"), Some(code))
    );

    // The next call goes to A002; "not here" closes it as a no-show.
    let (s, v) = call(&app, officer, 2, json!({"what": "next"})).await;
    assert_eq!(
        (s, v["ticket"]["label"].as_str()),
        (StatusCode::OK, Some("A002"))
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/hall/{CENTRE}/counters/2/finish"),
            Some(officer),
            json!({"outcome": "no_show"}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("no_show")));
    let (s, v) = call(&app, officer, 2, json!({"what": "next"})).await;
    assert_eq!(
        (s, &v["ticket"]),
        (StatusCode::OK, &Value::Null),
        "nobody waits"
    );

    // The statistics count what happened.
    let (s, st) = app
        .send(
            Method::GET,
            &format!("/api/v1/hall/{CENTRE}/stats"),
            Some(officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st["total"]["issued"], 2);
    assert_eq!(st["total"]["served"], 1);
    assert_eq!(st["total"]["no_show"], 1);
    assert!(st["total"]["serve_avg"].as_f64().is_some());
    assert_eq!(st["counters"][0]["counter"], 2);
    assert_eq!(st["areas"][0]["times"]["issued"], 2);
    let html = b
        .get(app.url("/mot-cua/boc-so/thong-ke"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"total-issued\">2<") && html.contains("id=\"total-served\">1<"));

    // The province's leader sees the day's hall in the operations view, next to the dossiers.
    let (lb, _) = crate::support::browser(&app, "lanhdao").await;
    let (s, html) = crate::support::get_page(&lb, &app, "/dieu-hanh?don-vi=000.00.00.H38").await;
    assert_eq!(s, StatusCode::OK);
    let hall = html
        .split("id=\"hall-today-table\"")
        .nth(1)
        .expect("the hall's section")
        .split("</table>")
        .next()
        .unwrap();
    let row = hall
        .split(&format!("data-centre=\"{CENTRE}\""))
        .nth(1)
        .expect("the centre's row")
        .split("</tr>")
        .next()
        .unwrap();
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(
        &cells[..4],
        ["2", "0", "1", "1"],
        "issued, waiting, served, no-show: {row}"
    );
}

#[tokio::test]
async fn counters_of_two_processes_never_call_the_same_ticket() {
    let (app, tokens) = setup().await;
    let other = app.second_process(motcua_app::Config::default()).await;
    for i in 0..40 {
        take(&app, if i % 2 == 0 { "A" } else { "B" }).await;
    }
    // Six counters, three on each process, call and close until nobody waits.
    let mut handles = Vec::new();
    for counter in 1..=6 {
        let server = if counter % 2 == 0 { &app } else { &other };
        let (url, token) = (server.url(""), tokens[0].clone());
        handles.push(tokio::spawn(async move {
            let c = client();
            let mut got = Vec::new();
            loop {
                let res = c
                    .post(format!(
                        "{url}/api/v1/hall/{CENTRE}/counters/{counter}/call"
                    ))
                    .bearer_auth(&token)
                    .json(&json!({"what": "next"}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let v: Value = res.json().await.unwrap();
                if status == StatusCode::CONFLICT && v["error"] == "hall_busy" {
                    continue;
                }
                assert_eq!(status, StatusCode::OK, "{v}");
                let Some(label) = v["ticket"]["label"].as_str() else {
                    break;
                };
                got.push(label.to_string());
                let res = c
                    .post(format!(
                        "{url}/api/v1/hall/{CENTRE}/counters/{counter}/finish"
                    ))
                    .bearer_auth(&token)
                    .json(&json!({"outcome": "done"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 40, "every ticket called once: {all:?}");
    assert_eq!(distinct.len(), 40);
    let (_, st) = app
        .send(
            Method::GET,
            &format!("/api/v1/hall/{CENTRE}/stats"),
            Some(&tokens[0]),
            None,
        )
        .await;
    assert_eq!(
        (
            st["total"]["served"].as_i64(),
            st["total"]["waiting"].as_i64()
        ),
        (Some(40), Some(0))
    );
}

#[tokio::test]
async fn a_big_centres_day_is_kept_across_a_restart() {
    let (app, tokens) = setup().await;
    let state = motcua_app::App::new(app.store.clone(), motcua_app::Config::default());
    let now = chrono::Utc::now();
    // 3,000 tickets over the two areas (the kiosk's service, without the per-address limit).
    for i in 0..3_000 {
        let area = if i % 3 == 0 { "B" } else { "A" };
        motcua_app::hall::issue(
            &state,
            CENTRE,
            area,
            None,
            now + chrono::Duration::milliseconds(i),
        )
        .await
        .expect("a ticket");
    }
    // A restart: a new process on the same database sees the same day.
    let restarted = app.second_process(motcua_app::Config::default()).await;
    let (s, board) = restarted
        .get_json(&format!("/api/v1/hall/{CENTRE}/board"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(board["areas"][0]["waiting"], 2_000);
    assert_eq!(board["areas"][1]["waiting"], 1_000);
    let v = restarted
        .post(
            &format!("/api/v1/hall/{CENTRE}/tickets"),
            None,
            json!({"area": "A"}),
        )
        .await
        .1;
    assert_eq!(
        (v["label"].as_str(), v["ahead"].as_i64()),
        (Some("A2001"), Some(2_000))
    );
    // Counter 7 serves B only: it gets B's first ticket, not the older A's.
    let (b, csrf) = browser(&restarted, "tiepnhan").await;
    let res = b
        .post(restarted.url("/mot-cua/boc-so/quay"))
        .form(&[("csrf", csrf.as_str()), ("quay", "7"), ("khu", "B")])
        .send()
        .await
        .unwrap();
    let html = follow(&b, &restarted, res).await.text().await.unwrap();
    assert!(html.contains("Đã lưu quầy số 7."));
    let (s, v) = call(&restarted, &tokens[0], 7, json!({"what": "next"})).await;
    assert_eq!(
        (s, v["ticket"]["label"].as_str()),
        (StatusCode::OK, Some("B001"))
    );
    // A named call takes a ticket out of turn, once its counter is free.
    let (s, v) = call(
        &restarted,
        &tokens[0],
        8,
        json!({"what": "number", "number": "a150"}),
    )
    .await;
    assert_eq!(
        (s, v["ticket"]["label"].as_str()),
        (StatusCode::OK, Some("A150"))
    );
    let (s, v) = call(
        &restarted,
        &tokens[0],
        9,
        json!({"what": "number", "number": "A150"}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a person sent on to another counter is called there: {v}"
    );
    assert_eq!(v["ticket"]["counter"], 9);
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let (app, tokens) = setup().await;
    let [officer, specialist, leader, citizen, other_province] = &tokens;
    let path = |p: &str| format!("/api/v1/hall/{CENTRE}/{p}");
    // Unknown centre, unknown area, unknown ticket.
    let (s, v) = app.get_json("/api/v1/hall/000.00.99.H38/board").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, v) = app.post(&path("tickets"), None, json!({"area": "Z"})).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("hall_area_unknown"))
    );
    let (s, _) = app.get_json("/api/v1/hall/tickets/khong-co").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Only the centre's receiving officers call; nobody else.
    take(&app, "A").await;
    let (s, _) = call(&app, "", 1, json!({"what": "next"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for t in [specialist, citizen, other_province] {
        let (s, _) = call(&app, t, 1, json!({"what": "next"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // Bad counters, labels, outcomes.
    let (s, v) = call(&app, officer, 100, json!({"what": "next"})).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("hall_counter_invalid")
        )
    );
    let (s, v) = call(&app, officer, 1, json!({"what": "number", "number": "12"})).await;
    assert_eq!(v["error"], "hall_ticket_label_invalid", "{s}");
    let (s, v) = call(&app, officer, 1, json!({"what": "again"})).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::CONFLICT, Some("hall_counter_idle"))
    );
    let (s, v) = app
        .post(
            &path("counters/1/finish"),
            Some(officer),
            json!({"outcome": "done"}),
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::CONFLICT, Some("hall_counter_idle"))
    );
    let (s, _) = call(&app, officer, 1, json!({"what": "next"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .post(
            &path("counters/1/finish"),
            Some(officer),
            json!({"outcome": "maybe"}),
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("hall_outcome_invalid")
        )
    );
    let (s, v) = app
        .post(
            &path("counters/1/finish"),
            Some(officer),
            json!({"outcome": "done", "dossier_code": "000.00.01.H38-000000-0000"}),
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("hall_dossier_unknown")
        )
    );
    let (_, t) = call(&app, officer, 1, json!({"what": "again"})).await;
    assert_eq!(
        t["ticket"]["status"], "called",
        "the refused close left the ticket called"
    );
    // Areas: one letter each, named, at most 26, no repeats.
    for bad in [
        json!([]),
        json!([{"code": "AB", "name": "x"}]),
        json!([{"code": "A", "name": ""}]),
        json!([{"code": "A", "name": "x"}, {"code": "A", "name": "y"}]),
    ] {
        let bad = json!({ "areas": bad });
        let (s, _) = app
            .send(Method::PUT, &path("areas"), Some(officer), Some(bad))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, _) = app
        .send(
            Method::PUT,
            &path("areas"),
            Some(other_province),
            Some(json!({"areas": [{"code": "A", "name": "x"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, board) = app.get_json(&path("board")).await;
    assert_eq!(
        board["areas"].as_array().unwrap().len(),
        2,
        "areas unchanged"
    );
    // The statistics: the centre's officers and the leaders above it; not other staff.
    for (t, want) in [
        (leader, StatusCode::OK),
        (specialist, StatusCode::FORBIDDEN),
        (other_province, StatusCode::FORBIDDEN),
    ] {
        let (s, _) = app.send(Method::GET, &path("stats"), Some(t), None).await;
        assert_eq!(s, want);
    }
}

#[tokio::test]
async fn the_kiosk_limits_each_address_and_each_days_numbers() {
    let (app, _) = setup().await;
    let mut last = StatusCode::OK;
    for _ in 0..60 {
        last = app
            .post(
                &format!("/api/v1/hall/{CENTRE}/tickets"),
                None,
                json!({"area": "B"}),
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::CREATED, "60 a minute pass");
    let (s, v) = app
        .post(
            &format!("/api/v1/hall/{CENTRE}/tickets"),
            None,
            json!({"area": "B"}),
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests"))
    );
    // A day's last number: the next is refused, nothing is written.
    let state = motcua_app::App::new(app.store.clone(), motcua_app::Config::default());
    let centre = app.store.get_agency_by_code(CENTRE).await.unwrap();
    let now = chrono::Utc::now();
    let mut t = motcua_app::hall::issue(&state, CENTRE, "A", None, now)
        .await
        .unwrap();
    t.id = uuid::Uuid::new_v4();
    t.number = motcua_domain::hall::MAX_TICKETS_PER_AREA_DAY;
    t.token = "cuoi-ngay".into();
    app.store.insert_ticket(&t).await.unwrap();
    let e = motcua_app::hall::issue(&state, CENTRE, "A", None, now)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "hall_day_full");
    let day = motcua_domain::vn_time::local(now).date();
    assert_eq!(
        app.store
            .last_ticket_number(centre.id, day, "A")
            .await
            .unwrap(),
        9_999
    );
    assert_eq!(
        app.store.waiting_counts(centre.id, day).await.unwrap(),
        vec![("A".to_string(), 2), ("B".to_string(), 60)]
    );
}
