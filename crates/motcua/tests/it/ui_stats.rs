//! The dashboards of the web UI, through a real browser-like client: the leaders' operations
//! view (`/dieu-hanh`) with its tiles, server-drawn charts, htmx fragment, period selector
//! and report downloads; who may see it; and the public statistics page (`/thong-ke`) in
//! Vietnamese and English.
//!
//! The workload (all today): three dossiers received at the centre's counter (one resolved
//! early), one submitted online and received, and, with `late`, one same-day dossier at a
//! desk that closes a few seconds after receiving it, so it is overdue once the test waits.

use crate::support::csrf_from;
use std::time::Duration;

use chrono::{Datelike, Timelike, Utc};
use motcua_domain::calendar::RulePack;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, client};

const PROVINCE: &str = "000.00.00.H38";
const CENTRE: &str = "000.00.01.H38";
const JUSTICE: &str = "000.00.02.H38";
const LATE_DESK: &str = "000.00.05.H38";
const OTHER_PROVINCE: &str = "000.00.00.H01";
const SAME_DAY: &str = "9.000001";
const BIRTH: &str = "1.001193";

fn vn_now() -> chrono::NaiveDateTime {
    (Utc::now() + chrono::Duration::hours(7)).naive_utc()
}

/// Waits past midnight (Vietnam time) when it is close, so the whole test falls on one day.
async fn not_near_midnight() {
    let t = vn_now().time();
    if t.hour() == 23 && t.minute() >= 57 {
        let left = 86_400 - t.num_seconds_from_midnight() as u64 + 3;
        tokio::time::sleep(Duration::from_secs(left)).await;
    }
}

struct World {
    app: TestApp,
    admin: String,
    officer: String,
    late_officer: String,
    specialist: String,
    leader: String,
    citizen: String,
}

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) {
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    fields["version"] = d["version"].clone();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{action} on {code}: {d}");
}

async fn lodge(app: &TestApp, token: &str, procedure: &str, agency: &str, channel: &str) -> String {
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(token),
            json!({
                "procedure": procedure, "agency": agency, "channel": channel,
                "applicant": {"name": "Trần Thị Mai", "id_number": "038199012345", "phone": "0912345678"}
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Agencies, accounts, the two procedures, office hours all day, today a working day.
async fn setup() -> World {
    not_near_midnight().await;
    let app = TestApp::new().await;
    crate::catalogue::import(app.store.as_ref(), &[BIRTH]).await;
    app.agency(PROVINCE, "UBND tỉnh Thanh Hóa", "province_committee", None)
        .await;
    for (code, name, kind) in [
        (CENTRE, "Trung tâm PVHCC Thanh Hóa", "service_centre"),
        (JUSTICE, "Sở Tư pháp Thanh Hóa", "department"),
        (LATE_DESK, "Sở Tài chính Thanh Hóa", "department"),
    ] {
        app.agency(code, name, kind, Some(PROVINCE)).await;
    }
    app.agency(
        OTHER_PROVINCE,
        "UBND thành phố Hà Nội",
        "province_committee",
        None,
    )
    .await;
    let admin = app.user("quantri", "admin", None).await;
    let world = World {
        officer: app
            .user("tiepnhan", "receiving_officer", Some(CENTRE))
            .await,
        late_officer: app
            .user("tiepnhan.stc", "receiving_officer", Some(LATE_DESK))
            .await,
        specialist: app.user("chuyenvien", "specialist", Some(JUSTICE)).await,
        leader: app.user("lanhdao", "leader", Some(PROVINCE)).await,
        citizen: app.user("congdan", "citizen", None).await,
        admin,
        app,
    };
    world
        .app
        .user("lanhdao.hn", "leader", Some(OTHER_PROVINCE))
        .await;
    let app = &world.app;
    // A same-day procedure, from the birth registration record.
    let (_, base) = app.get_json(&format!("/api/v1/procedures/{BIRTH}")).await;
    let mut record = base["record"].clone();
    record["code"] = json!(SAME_DAY);
    record["name"] = json!("Thủ tục thí điểm giải quyết trong ngày");
    for c in record["channels"].as_array_mut().unwrap() {
        c["time"] =
            json!({"amount": 0.0, "unit": "in_the_day", "min_amount": null, "unit_assumed": false});
    }
    let (s, d) = app
        .post("/api/v1/procedures", Some(&world.admin), record)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, d) = app
        .post(
            &format!("/api/v1/procedures/{SAME_DAY}/publish"),
            Some(&world.admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let today = motcua_domain::vn_time::today();
    let calendar = motcua_app::calendar::load(app.store.as_ref(), &RulePack::vietnam())
        .await
        .unwrap();
    if !calendar.is_working_day(today).unwrap() {
        let (s, d) = app
            .send(
                Method::PUT,
                &format!("/api/v1/calendar/years/{}", today.year()),
                Some(&world.admin),
                Some(json!({"note": "Lịch thử nghiệm", "days": [
                    {"date": today.to_string(), "kind": "work", "name": "Ngày làm việc thử nghiệm", "source": "thử nghiệm"}
                ]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
    }
    for code in [CENTRE, JUSTICE] {
        let a = app.store.get_agency_by_code(code).await.unwrap();
        app.store
            .set_agency_office_hours(a.id, Some(r#"{"sessions": [["00:00:00", "23:59:59"]]}"#))
            .await
            .unwrap();
    }
    world
}

/// The day's dossiers (see the module docs).
async fn drive(w: &World, late: bool) {
    let app = &w.app;
    let close = vn_now() + chrono::Duration::seconds(6);
    if late {
        let desk = app.store.get_agency_by_code(LATE_DESK).await.unwrap();
        app.store
            .set_agency_office_hours(
                desk.id,
                Some(&format!(
                    r#"{{"sessions": [["00:00:00", "{}"]]}}"#,
                    close.format("%H:%M:%S")
                )),
            )
            .await
            .unwrap();
        lodge(app, &w.late_officer, SAME_DAY, LATE_DESK, "counter").await;
        assert!(vn_now() < close, "the late desk's receipt took too long");
    }
    let mut counter = Vec::new();
    for _ in 0..3 {
        counter.push(lodge(app, &w.officer, BIRTH, CENTRE, "counter").await);
    }
    let online = lodge(app, &w.citizen, BIRTH, CENTRE, "online").await;
    act(app, &w.officer, &online, "receive", json!({})).await;
    let done = &counter[0];
    act(app, &w.officer, done, "forward", json!({"to": JUSTICE})).await;
    act(app, &w.leader, done, "approve", json!({"note": "Đồng ý"})).await;
    act(
        app,
        &w.specialist,
        done,
        "record_result",
        json!({"result_code": "KQ-01", "form": {"form": "paper"}}),
    )
    .await;
    if late {
        let wait = close - vn_now();
        if wait > chrono::Duration::zero() {
            tokio::time::sleep(wait.to_std().unwrap() + Duration::from_millis(1500)).await;
        }
    }
}

/// A browser signed in as `username`.
async fn browser(app: &TestApp, username: &str) -> Client {
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
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
    b
}

async fn page(b: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = b.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// `&` as HTML writes it in attributes, back to `&`.
fn unescape(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

/// The text of the element with `id` (up to its first tag).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..].split('<').next().unwrap().trim()
}

#[tokio::test]
async fn the_operations_view_shows_today_the_trend_and_the_weakest_with_live_reload() {
    let w = setup().await;
    drive(&w, true).await;
    let app = &w.app;
    let leader = browser(app, "lanhdao").await;
    let today = motcua_domain::vn_time::today();
    let month = format!("{:02}/{}", today.month(), today.year());

    let (s, html) = page(&leader, app, "/dieu-hanh").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Tiếp nhận hôm nay") && html.contains("UBND tỉnh Thanh Hóa"));
    // Today: 5 received (4 at counters, 1 online), 4 in progress, 1 past its appointment.
    assert_eq!(by_id(&html, "kpi-today"), "5");
    assert_eq!(by_id(&html, "kpi-in-progress"), "4");
    assert_eq!(by_id(&html, "kpi-overdue"), "1");
    assert!(html.contains("class=\"tile bad\" id=\"tile-overdue\""));
    // Charts drawn on the server, accessible, with the month's figures beside them.
    assert!(html.matches("<svg").count() >= 3);
    assert!(html.contains(r#"id="ioc-trend-chart" viewBox"#));
    assert!(
        html.contains(r#"role="img" aria-labelledby="ioc-trend-chart-title ioc-trend-chart-desc""#)
    );
    assert!(
        html.contains(&format!("Tiếp nhận, {month}: 5")),
        "bar title"
    );
    let row = format!(
        "<tr><th scope=\"row\">{month}</th><td class=\"num\">5</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">100,00%</td></tr>"
    );
    assert!(html.contains(&row), "the month's row in the trend table");
    // Channels: 1 of 5 online.
    assert!(
        html.contains("1 (20,00%)"),
        "online share, Vietnamese format"
    );
    // Live reload of the tiles and charts every 30 s.
    assert!(html.contains(&format!(
        r#"hx-get="/dieu-hanh?don-vi={PROVINCE}" hx-trigger="every 30s""#
    )));
    // The weakest units, with their denominators; all too small to be ranked.
    let weak = &html[html.find("id=\"weak-units-table\"").expect("units table")..];
    assert!(weak.contains("Trung tâm PVHCC Thanh Hóa") && weak.contains("Chưa đủ số liệu"));
    assert!(html.contains("Đơn vị tiếp nhận dưới 30 hồ sơ trong kỳ"));
    // The weakest procedures: the same-day one is late in full.
    let procs = &html[html
        .find("id=\"weak-procedures-table\"")
        .expect("procedures table")..];
    let first = procs.find("data-procedure=").unwrap();
    assert!(
        procs[first..].starts_with(&format!("data-procedure=\"{SAME_DAY}\"")),
        "most often late first"
    );
    assert!(procs.contains("100,00%") && procs.contains("Ít hồ sơ"));

    // The report downloads, with the browser's session.
    let period = format!("{:04}-{:02}", today.year(), today.month());
    let href = format!("/api/v1/stats/report?unit={PROVINCE}&period={period}&format=xlsx");
    assert!(unescape(&html).contains(&href), "xlsx link");
    let res = leader.get(app.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let csv = leader
        .get(app.url(&format!(
            "/api/v1/stats/report?unit={PROVINCE}&period={period}&format=csv&by=procedure"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);

    // htmx asks for the live part only.
    let res = leader
        .get(app.url(&format!("/dieu-hanh?don-vi={PROVINCE}")))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fragment = res.text().await.unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with("<section id=\"ioc-live\""),
        "{fragment}"
    );
    assert!(!fragment.contains("<html") && !fragment.contains("weak-units"));
    assert!(fragment.contains("<svg") && fragment.contains("id=\"kpi-today\">5<"));

    // A unit below: the Department of Justice, whose one dossier was resolved.
    let (s, html) = page(&leader, app, &format!("/dieu-hanh?don-vi={JUSTICE}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Sở Tư pháp Thanh Hóa"));
    assert_eq!(by_id(&html, "kpi-today"), "0");
    assert!(html.contains("id=\"weak-units-none\""));

    // Another period; a mistaken range keeps what was typed and says why, by the field.
    let (s, html) = page(&leader, app, "/dieu-hanh?ky=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<option value=\"2025\" selected>"));
    assert!(html.contains("01/01/2025 – 31/12/2025"));
    let (s, html) = page(&leader, app, "/dieu-hanh?ky=khac&tu=&den=2026-01-31").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(
            r#"id="tu" name="tu" value="" aria-invalid="true" aria-describedby="tu-error""#
        )
    );
    assert!(html.contains(r#"<span class="field-error" id="tu-error">Chọn ngày bắt đầu.</span>"#));
    assert!(
        html.contains(r#"name="den" value="31/01/2026""#),
        "the day as people write it, whatever the link carried"
    );
    let (s, html) = page(
        &leader,
        app,
        "/dieu-hanh?ky=khac&tu=2026-02-01&den=2026-01-31",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Ngày kết thúc phải sau ngày bắt đầu."));
    assert!(html.contains(r#"name="tu" value="01/02/2026""#));
    let first = today.with_day(1).unwrap();
    let (s, html) = page(&leader, app, &format!("/dieu-hanh?ky=khac&tu={first}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        unescape(&html).contains(&format!("from={first}&to={today}&format=xlsx")),
        "custom range download"
    );

    // English: by the address, then by the language cookie.
    let (s, html) = page(&leader, app, "/dieu-hanh?lang=en").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("lang=\"en\"") && html.contains("Received today"));
    assert!(html.contains("1 (20.00%)") && !html.contains("Tiếp nhận hôm nay"));
    let (_, home) = page(&leader, app, "/").await;
    let res = leader
        .post(app.url("/ngon-ngu"))
        .form(&[
            ("csrf", csrf_from(&home).as_str()),
            ("lang", "en"),
            ("next", "/dieu-hanh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&leader, app, "/dieu-hanh").await;
    assert!(html.contains("Units with the lowest index") && html.contains("Wall-screen mode"));

    // The wall screen.
    let (s, html) = page(&leader, app, "/dieu-hanh?tv=1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("class=\"ioc tv\""));
}

#[tokio::test]
async fn the_operations_view_is_for_leaders_of_the_unit_only() {
    let w = setup().await;
    let app = &w.app;
    // Anonymous: to the login page, and back here after.
    let (s, _) = page(&client(), app, "/dieu-hanh").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let res = client()
        .get(app.url(&format!("/dieu-hanh?don-vi={PROVINCE}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/dang-nhap?next=/dieu-hanh%3Fdon-vi%3D000.00.00.H38"
    );
    // A live reload without a session sends the whole page to the login page.
    let res = client()
        .get(app.url(&format!("/dieu-hanh?don-vi={PROVINCE}")))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["hx-redirect"].to_str().unwrap(),
        "/dang-nhap?next=/dieu-hanh%3Fdon-vi%3D000.00.00.H38"
    );
    // Citizens, specialists and officers: a Vietnamese 403 page.
    for who in ["congdan", "chuyenvien", "tiepnhan"] {
        let b = browser(app, who).await;
        let (s, html) = page(&b, app, "/dieu-hanh").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        assert!(html.contains("Không có quyền truy cập"), "{who}");
    }
    // A leader of another province: their own unit, not this one.
    let other = browser(app, "lanhdao.hn").await;
    let (s, html) = page(&other, app, "/dieu-hanh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("UBND thành phố Hà Nội") && !html.contains("UBND tỉnh Thanh Hóa"));
    for unit in [PROVINCE, JUSTICE] {
        let (s, html) = page(&other, app, &format!("/dieu-hanh?don-vi={unit}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{unit}");
        assert!(!html.contains("kpi-today"));
        let res = other
            .get(app.url(&format!("/dieu-hanh?don-vi={unit}")))
            .header("HX-Request", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "fragment of {unit}");
    }
    // The leader chooses among the units below; an unknown code is a 404 page.
    let leader = browser(app, "lanhdao").await;
    let (s, html) = page(&leader, app, "/dieu-hanh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!(
        "<option value=\"{JUSTICE}\">Sở Tư pháp Thanh Hóa</option>"
    )));
    assert!(!html.contains(&format!("<option value=\"{OTHER_PROVINCE}\"")));
    let (s, html) = page(&leader, app, &format!("/dieu-hanh?don-vi={OTHER_PROVINCE}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
    let (s, _) = page(&leader, app, "/dieu-hanh?don-vi=000.00.99.H99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A system administrator may look at every province.
    let admin = browser(app, "quantri").await;
    let (s, html) = page(&admin, app, &format!("/dieu-hanh?don-vi={OTHER_PROVINCE}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!(
        "<option value=\"{PROVINCE}\">UBND tỉnh Thanh Hóa</option>"
    )));
    // The API agrees.
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/dashboard?unit={PROVINCE}"),
            Some(&w.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn the_public_statistics_need_no_account_and_show_no_personal_data() {
    let w = setup().await;
    drive(&w, false).await;
    let app = &w.app;
    let anon = client();
    // Every province: 4 received in Thanh Hóa, 1 of them online, 1 resolved on time.
    let (s, html) = page(&anon, app, "/thong-ke").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Thống kê tình hình giải quyết thủ tục hành chính"));
    let row = &html[html
        .find(&format!("data-unit=\"{PROVINCE}\""))
        .expect("the province's row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(&format!("href=\"/thong-ke?don-vi={PROVINCE}")),
        "{row}"
    );
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(cells[..5], ["4", "4", "1", "100,00%", "25,00%"], "{row}");
    assert!(
        cells[5].contains(','),
        "index points with a decimal comma: {row}"
    );
    assert!(html.contains("UBND thành phố Hà Nội"));

    // One province: its figures and its agencies'.
    let (s, html) = page(&anon, app, &format!("/thong-ke?don-vi={PROVINCE}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(by_id(&html, "pub-received"), "4");
    assert_eq!(by_id(&html, "pub-on-time"), "100,00%");
    assert_eq!(by_id(&html, "pub-online"), "25,00%");
    assert!(html.contains("Trung tâm PVHCC Thanh Hóa") && html.contains("Sở Tư pháp Thanh Hóa"));
    assert!(!html.contains("Trần Thị Mai") && !html.contains("038199012345"));
    assert!(!html.contains("0912345678"));
    // The on-time rates as a chart, with their denominators.
    assert!(html.contains(r#"id="public-on-time-chart" viewBox"#));
    assert!(html.contains("Sở Tư pháp Thanh Hóa: 100,00% (1 hồ sơ)"));
    // The same through the API.
    let (_, api) = app
        .get_json(&format!("/api/v1/public/stats?unit={PROVINCE}"))
        .await;
    assert_eq!(api["total"]["received"], 4);

    // English.
    let (s, html) = page(&anon, app, &format!("/thong-ke?don-vi={PROVINCE}&lang=en")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Newly received") && html.contains("lang=\"en\""));
    assert_eq!(by_id(&html, "pub-online"), "25.00%");

    // A mistaken period is said next to its field; an unknown unit is a 404 page.
    let (s, html) = page(&anon, app, "/thong-ke?ky=2026-13").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="ky" name="ky" aria-invalid="true" aria-describedby="ky-error""#));
    assert!(html.contains("id=\"ky-error\">Kỳ báo cáo không hợp lệ"));
    let (s, html) = page(&anon, app, "/thong-ke?don-vi=000.00.99.H99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Không tìm thấy"));
}
