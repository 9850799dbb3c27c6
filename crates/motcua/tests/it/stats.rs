//! Statistics through the real API: a hand-computed day of dossiers (early, on time, late,
//! supplemented twice, withdrawn, stopped, transferred, online with a fee paid online and an
//! electronic result, refused, two in progress) → the exact periodic report, per agency and
//! per procedure, the service index points, the XLSX and CSV exports, the ranking, the public
//! figures; who may read them; and `motcua stats rebuild` giving back exactly the counters
//! kept incrementally, after that day and after a random workload.
//!
//! Time: every command happens now. The test's agencies work 00:00–23:59:59 (set before any
//! dossier), so a receipt counts from its instant and a same-day procedure is due at 23:59:59
//! today; one receiving point closes a few seconds after its two receipts, so those two
//! dossiers are due then and become late while the test waits. Today is made a working day if
//! it is not one.

use std::time::Duration;

use chrono::{Datelike, NaiveDate, Timelike, Utc};
use motcua_domain::calendar::RulePack;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;

const PROVINCE: &str = "000.00.00.H38";
const CENTRE: &str = "000.00.01.H38";
const JUSTICE: &str = "000.00.02.H38";
const BUILDING: &str = "000.00.03.H38";
const LATE_DESK: &str = "000.00.05.H38";
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

struct Day {
    app: TestApp,
    admin: String,
    officer: String,
    late_officer: String,
    specialist: String,
    building_specialist: String,
    leader: String,
    citizen: String,
    other_leader: String,
    today: NaiveDate,
}

/// Acts on a dossier at its current version; the action must succeed.
pub(crate) async fn act(
    app: &TestApp,
    token: &str,
    code: &str,
    action: &str,
    mut fields: Value,
) -> Value {
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
    d
}

/// An online payment as the payment gateway's confirmation records it (the API's collect_fee
/// refuses `online`): straight through the service, on behalf of the desk's officer.
async fn gateway_payment(app: &TestApp, officer: &str, code: &str, amount_vnd: u64) {
    use motcua_domain::dossier::{Actor, Command, DossierAction, PaymentMethod};
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(officer), None)
        .await;
    let user = me["id"].as_str().unwrap().parse().unwrap();
    let row = app.store.dossier_by_code(code).await.unwrap();
    let calendar = motcua_app::calendar::load(app.store.as_ref(), &RulePack::vietnam())
        .await
        .unwrap();
    let command = Command {
        actor: Actor {
            user,
            role: motcua_domain::auth::Role::ReceivingOfficer,
        },
        at: Utc::now(),
        action: DossierAction::CollectFee {
            amount_vnd,
            method: PaymentMethod::Online,
            receipt_no: Some("BL-1".into()),
        },
    };
    let (write, _) = motcua_app::dossiers::prepare(app.store.as_ref(), &calendar, &row, command)
        .await
        .unwrap();
    app.store.append_dossier(row.seq, &write).await.unwrap();
}

fn body(procedure: &str, agency: &str, channel: &str) -> Value {
    json!({
        "procedure": procedure, "agency": agency, "channel": channel,
        "applicant": {"name": "Trần Thị Mai", "id_number": "038199012345", "phone": "0912345678"}
    })
}

async fn lodge(app: &TestApp, token: &str, procedure: &str, agency: &str, channel: &str) -> String {
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(token),
            body(procedure, agency, channel),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Agencies, accounts, the two procedures (birth registration: 1 working day; a same-day
/// one), office hours, and today as a working day.
async fn setup() -> Day {
    not_near_midnight().await;
    let app = TestApp::new().await;
    crate::catalogue::import(app.store.as_ref(), &[BIRTH]).await;
    app.agency(PROVINCE, "UBND tỉnh Thanh Hóa", "province_committee", None)
        .await;
    for (code, name, kind) in [
        (CENTRE, "Trung tâm PVHCC Thanh Hóa", "service_centre"),
        (JUSTICE, "Sở Tư pháp Thanh Hóa", "department"),
        (BUILDING, "Sở Xây dựng Thanh Hóa", "department"),
        (LATE_DESK, "Sở Tài chính Thanh Hóa", "department"),
    ] {
        app.agency(code, name, kind, Some(PROVINCE)).await;
    }
    app.agency(
        "000.00.00.H01",
        "UBND thành phố Hà Nội",
        "province_committee",
        None,
    )
    .await;
    let admin = app.user("quantri", "admin", None).await;
    let day = Day {
        officer: app
            .user("tiepnhan", "receiving_officer", Some(CENTRE))
            .await,
        late_officer: app
            .user("tiepnhan.stc", "receiving_officer", Some(LATE_DESK))
            .await,
        specialist: app.user("chuyenvien", "specialist", Some(JUSTICE)).await,
        building_specialist: app
            .user("chuyenvien.sxd", "specialist", Some(BUILDING))
            .await,
        leader: app.user("lanhdao", "leader", Some(PROVINCE)).await,
        citizen: app.user("congdan", "citizen", None).await,
        other_leader: app
            .user("lanhdao.hn", "leader", Some("000.00.00.H01"))
            .await,
        today: motcua_domain::vn_time::today(),
        admin,
        app,
    };
    let app = &day.app;
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
        .post("/api/v1/procedures", Some(&day.admin), record)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, d) = app
        .post(
            &format!("/api/v1/procedures/{SAME_DAY}/publish"),
            Some(&day.admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // Today is a working day.
    let calendar = motcua_app::calendar::load(app.store.as_ref(), &RulePack::vietnam())
        .await
        .unwrap();
    if !calendar.is_working_day(day.today).unwrap() {
        let (s, d) = app
            .send(
                Method::PUT,
                &format!("/api/v1/calendar/years/{}", day.today.year()),
                Some(&day.admin),
                Some(json!({"note": "Lịch thử nghiệm", "days": [
                    {"date": day.today.to_string(), "kind": "work", "name": "Ngày làm việc thử nghiệm", "source": "thử nghiệm"}
                ]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
    }
    // Office hours all day long.
    for code in [CENTRE, JUSTICE, BUILDING] {
        let a = app.store.get_agency_by_code(code).await.unwrap();
        app.store
            .set_agency_office_hours(a.id, Some(r#"{"sessions": [["00:00:00", "23:59:59"]]}"#))
            .await
            .unwrap();
    }
    day
}

/// The hand-computed day (see the module docs). Returns the codes by name.
async fn drive(day: &Day) -> std::collections::HashMap<&'static str, String> {
    let app = &day.app;
    let (officer, specialist, leader) = (&day.officer, &day.specialist, &day.leader);
    let mut codes = std::collections::HashMap::new();

    // The late desk closes a few seconds after its two receipts.
    let close = vn_now() + chrono::Duration::seconds(8);
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
    let late = lodge(app, &day.late_officer, SAME_DAY, LATE_DESK, "counter").await;
    let overdue = lodge(app, &day.late_officer, SAME_DAY, LATE_DESK, "counter").await;
    assert!(vn_now() < close, "the late desk's receipts took too long");
    for code in [&late, &overdue] {
        act(
            app,
            &day.late_officer,
            code,
            "forward",
            json!({"to": JUSTICE}),
        )
        .await;
    }
    codes.insert("late", late.clone());
    codes.insert("overdue", overdue);

    let forward = |code: String| async move {
        act(app, officer, &code, "forward", json!({"to": JUSTICE})).await;
        code
    };
    let resolve = |code: String, token: String, form: Value| async move {
        act(app, leader, &code, "approve", json!({"note": "Đồng ý"})).await;
        act(
            app,
            &token,
            &code,
            "record_result",
            json!({"result_code": "KQ-01", "form": form}),
        )
        .await;
        code
    };
    let paper = json!({"form": "paper"});

    // Early, returned.
    let a = forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await;
    let a = resolve(a, specialist.clone(), paper.clone()).await;
    act(app, officer, &a, "return_result", json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}})).await;
    codes.insert("early", a);
    // Online, fee paid online, electronic result.
    let b = lodge(app, &day.citizen, BIRTH, CENTRE, "online").await;
    act(app, officer, &b, "receive", json!({"fee_due_vnd": 50000})).await;
    gateway_payment(app, officer, &b, 50_000).await;
    let b = forward(b).await;
    let b = resolve(
        b,
        specialist.clone(),
        json!({"form": "electronic", "file_ref": "sha256:ab12"}),
    )
    .await;
    codes.insert("online", b);
    // On time: due at the close of today.
    let c = forward(lodge(app, officer, SAME_DAY, CENTRE, "counter").await).await;
    codes.insert(
        "on_time",
        resolve(c, specialist.clone(), paper.clone()).await,
    );
    // Supplemented twice: early by law, late for the index.
    let d = forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await;
    for _ in 0..2 {
        act(
            app,
            specialist,
            &d,
            "request_supplement",
            json!({"reason": "Thiếu giấy tờ", "missing": ["Giấy chứng sinh"]}),
        )
        .await;
        act(
            app,
            officer,
            &d,
            "provide_supplement",
            json!({"documents": ["Giấy chứng sinh"]}),
        )
        .await;
    }
    codes.insert(
        "supplemented",
        resolve(d, specialist.clone(), paper.clone()).await,
    );
    // Withdrawn after receipt.
    let e = forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await;
    act(
        app,
        officer,
        &e,
        "withdraw",
        json!({"reason": "Không có nhu cầu"}),
    )
    .await;
    codes.insert("withdrawn", e);
    // Transferred to another department, resolved there.
    let f = forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await;
    act(
        app,
        specialist,
        &f,
        "transfer",
        json!({"to": BUILDING, "reason": "Liên thông"}),
    )
    .await;
    codes.insert(
        "transferred",
        resolve(f, day.building_specialist.clone(), paper.clone()).await,
    );
    // Stopped.
    let k = forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await;
    act(
        app,
        specialist,
        &k,
        "stop",
        json!({"reason": "Không đủ điều kiện"}),
    )
    .await;
    codes.insert("stopped", k);
    // In progress, within time.
    codes.insert(
        "in_progress",
        forward(lodge(app, officer, BIRTH, CENTRE, "counter").await).await,
    );
    // Refused at the check.
    let j = lodge(app, &day.citizen, BIRTH, CENTRE, "online").await;
    act(
        app,
        officer,
        &j,
        "refuse",
        json!({"reason": "Sai thẩm quyền"}),
    )
    .await;
    codes.insert("refused", j);

    // The late one finishes after its appointment.
    let wait = close - vn_now();
    if wait > chrono::Duration::zero() {
        tokio::time::sleep(wait.to_std().unwrap() + Duration::from_millis(1500)).await;
    }
    codes.insert("late", resolve(late, specialist.clone(), paper).await);
    codes
}

fn figures(r: &Value) -> Vec<(&'static str, i64)> {
    [
        "carried_over",
        "new_online",
        "new_counter",
        "new_postal",
        "moved_in",
        "moved_out",
        "total",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "withdrawn",
        "stopped",
        "in_progress",
        "finished_index_on_time",
        "finished_index_late",
        "finished_late_by_supplements",
        "refused",
        "returned",
        "electronic_result",
        "fee_due",
        "paid_online",
    ]
    .into_iter()
    .map(|k| (k, r[k].as_i64().unwrap_or_else(|| panic!("{k} in {r}"))))
    .collect()
}

fn row<'a>(rows: &'a Value, code: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code} in {rows}"))
}

/// One indicator of an index answer, by its code.
pub(crate) fn indicator<'a>(index: &'a Value, code: &str) -> &'a Value {
    index["result"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["indicators"].as_array().unwrap())
        .find(|i| i["code"] == code)
        .unwrap()
}

/// Every counter cell and roll-up row, as `stats rebuild` must give them back.
async fn dump(
    app: &TestApp,
) -> (
    Vec<motcua_store::CounterDelta>,
    Vec<motcua_store::RollupRow>,
) {
    app.store.stat_dump().await.unwrap()
}

/// Runs `motcua stats rebuild` (a process waited for without yielding, so this test's server
/// first commits the access log rows it holds: a write left open would lock it out).
async fn rebuild(app: &TestApp) -> String {
    app.store.flush().await.unwrap();
    let out = crate::cli::run(&app.db, &["stats", "rebuild"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn a_hand_computed_day_gives_the_exact_report_and_index() {
    let day = setup().await;
    drive(&day).await;
    let app = &day.app;
    let today = day.today.to_string();
    let q = format!("unit={PROVINCE}&from={today}&to={today}");
    let (s, r) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?{q}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // The province: 10 received (1 online, 9 at counters), moves inside it cancel out.
    let total = &r["total"];
    assert_eq!(
        figures(total),
        vec![
            ("carried_over", 0),
            ("new_online", 1),
            ("new_counter", 9),
            ("new_postal", 0),
            ("moved_in", 11),
            ("moved_out", 11),
            ("total", 10),
            ("resolved", 6),
            ("resolved_early", 4),
            ("resolved_on_time", 1),
            ("resolved_late", 1),
            ("withdrawn", 1),
            ("stopped", 1),
            ("in_progress", 2),
            ("finished_index_on_time", 6),
            ("finished_index_late", 2),
            ("finished_late_by_supplements", 1),
            ("refused", 1),
            ("returned", 1),
            ("electronic_result", 1),
            ("fee_due", 1),
            ("paid_online", 1),
        ]
    );
    assert_eq!(
        total["in_progress_split"],
        json!({"within_time": 1, "overdue": 1})
    );
    let rates = &total["rates"];
    assert_eq!(rates["on_time"], json!(83.33)); // (4 + 1) / 6
    assert_eq!(rates["handled_on_time"], json!(70.0)); // (6 + 1) / 10
    assert_eq!(rates["overdue"], json!(20.0)); // (1 + 1) / 10
    assert_eq!(rates["online"], json!(10.0));
    assert_eq!(rates["electronic_result"], json!(16.67));
    assert_eq!(rates["paid_online"], json!(100.0));

    // Per agency: the centre and the late desk received and forwarded everything; the
    // Department of Justice handled 10 and transferred one to Construction.
    let agencies = &r["agencies"];
    assert_eq!(agencies.as_array().unwrap().len(), 4, "{agencies}");
    let centre = &row(agencies, CENTRE)["report"];
    assert_eq!(
        (
            centre["new_online"].as_i64(),
            centre["new_counter"].as_i64(),
            centre["moved_out"].as_i64(),
            centre["total"].as_i64(),
            centre["refused"].as_i64()
        ),
        (Some(1), Some(7), Some(8), Some(0), Some(1))
    );
    let justice = &row(agencies, JUSTICE)["report"];
    assert_eq!(
        figures(justice)
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .collect::<Vec<_>>(),
        vec![
            ("moved_in", 10),
            ("moved_out", 1),
            ("total", 9),
            ("resolved", 5),
            ("resolved_early", 3),
            ("resolved_on_time", 1),
            ("resolved_late", 1),
            ("withdrawn", 1),
            ("stopped", 1),
            ("in_progress", 2),
            ("finished_index_on_time", 5),
            ("finished_index_late", 2),
            ("finished_late_by_supplements", 1),
            ("returned", 1),
            ("electronic_result", 1),
        ]
    );
    assert_eq!(
        justice["in_progress_split"],
        json!({"within_time": 1, "overdue": 1})
    );
    let building = &row(agencies, BUILDING)["report"];
    assert_eq!(
        (
            building["moved_in"].as_i64(),
            building["total"].as_i64(),
            building["resolved_early"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let desk = &row(agencies, LATE_DESK)["report"];
    assert_eq!(
        (
            desk["new_counter"].as_i64(),
            desk["moved_out"].as_i64(),
            desk["total"].as_i64()
        ),
        (Some(2), Some(2), Some(0))
    );
    // Per procedure: the same-day procedure had three dossiers, one on time, one late, one
    // overdue in progress.
    let same_day = &row(&r["procedures"], SAME_DAY)["report"];
    assert_eq!(
        (
            same_day["total"].as_i64(),
            same_day["resolved_on_time"].as_i64(),
            same_day["resolved_late"].as_i64(),
            same_day["in_progress"].as_i64()
        ),
        (Some(3), Some(1), Some(1), Some(1))
    );
    assert_eq!(same_day["in_progress_split"]["overdue"], 1);
    assert_eq!(row(&r["procedures"], BIRTH)["report"]["total"], 7);
    // The same month as a period gives the same figures (nothing before today).
    let month = format!("{:04}-{:02}", day.today.year(), day.today.month());
    let (_, m) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?unit={PROVINCE}&period={month}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(figures(&m["total"]), figures(total));
    // Drill-down by procedure.
    let (_, p) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?{q}&procedure={SAME_DAY}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(figures(&p["total"]), figures(same_day));

    // The index: 2.1 = 20 × 7/10; 3.3 = 6 × 10% / 50%; 3.6 = 6 × 1/1; 4.1 = 6 × 1/6;
    // 5.4 = 6 × ((10 − 3) / 10) / 90%.
    let (s, ix) = app
        .send(
            Method::GET,
            &format!("/api/v1/index?{q}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ix}");
    let points = |code: &str| indicator(&ix, code)["points"].as_f64().unwrap();
    let i21 = indicator(&ix, "2.1");
    assert_eq!(
        (
            i21["numerator"].as_f64(),
            i21["denominator"].as_f64(),
            i21["rate"].as_f64()
        ),
        (Some(7.0), Some(10.0), Some(70.0))
    );
    assert_eq!(points("2.1"), 14.0);
    assert_eq!(points("3.3"), 1.2);
    assert_eq!(points("3.6"), 6.0);
    assert_eq!(points("4.1"), 1.0);
    assert_eq!(points("5.4"), 4.67);
    assert_eq!(indicator(&ix, "5.4")["numerator"].as_f64(), Some(7.0));
    // No feedback in the period: 5.2 and 5.3 are full (a zero denominator, as the portal
    // scores a unit without feedback), no longer "no data".
    assert_eq!((points("5.2"), points("5.3")), (6.0, 6.0));
    assert_eq!(indicator(&ix, "5.2")["no_data"], false);
    assert_eq!(ix["result"]["total"], json!(38.87));
    for no_data in ["1.1", "1.3", "1.4", "3.1", "3.2", "3.5"] {
        assert_eq!(indicator(&ix, no_data)["no_data"], true, "{no_data}");
    }
    // Digitisation is tracked: none of the 10 dossiers has both a file and an e-result.
    let i42 = indicator(&ix, "4.2");
    assert_eq!(
        (
            i42["no_data"].as_bool(),
            i42["numerator"].as_f64(),
            i42["denominator"].as_f64()
        ),
        (Some(false), Some(0.0), Some(10.0))
    );
    assert_eq!(ix["received"], 10);
    // By procedure: the same-day one: 1 on time of 3 to handle.
    let (_, ixp) = app
        .send(
            Method::GET,
            &format!("/api/v1/index?{q}&procedure={SAME_DAY}"),
            Some(&day.leader),
            None,
        )
        .await;
    let i21 = indicator(&ixp, "2.1");
    assert_eq!(
        (i21["numerator"].as_f64(), i21["denominator"].as_f64()),
        (Some(1.0), Some(3.0))
    );

    // Once the centre applies the procedures, the catalogue indicators have data.
    let centre_id = app.store.get_agency_by_code(CENTRE).await.unwrap().id;
    for code in [BIRTH, SAME_DAY] {
        motcua_app::catalogue::apply(app.store.as_ref(), code, centre_id, None)
            .await
            .unwrap();
    }
    let (_, ix2) = app
        .send(
            Method::GET,
            &format!("/api/v1/index?{q}"),
            Some(&day.leader),
            None,
        )
        .await;
    let i31 = indicator(&ix2, "3.1");
    assert_eq!(
        (i31["no_data"].as_bool(), i31["denominator"].as_f64()),
        (Some(false), Some(2.0))
    );
    assert_eq!(
        points("2.1"),
        indicator(&ix2, "2.1")["points"].as_f64().unwrap()
    );

    // The ranking of the province's agencies: all too small to rank.
    let (s, rk) = app
        .send(
            Method::GET,
            &format!("/api/v1/index/ranking?parent={PROVINCE}&from={today}&to={today}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rk}");
    let units = rk["units"].as_array().unwrap();
    assert_eq!(units.len(), 4);
    assert!(
        units
            .iter()
            .all(|u| u["insufficient_data"] == true && u["rank"].is_null())
    );
    let centre = units.iter().find(|u| u["unit"]["code"] == CENTRE).unwrap();
    assert_eq!(centre["received"], 8);

    // The dashboard.
    let (s, dash) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/dashboard?unit={PROVINCE}"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dash}");
    assert_eq!(
        (
            dash["today"]["received"].as_i64(),
            dash["today"]["submitted"].as_i64(),
            dash["in_progress"].as_i64(),
            dash["overdue"].as_i64()
        ),
        (Some(10), Some(11), Some(2), Some(1))
    );
    let trend = dash["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[11]["received"], 10);
    assert_eq!(dash["channels"]["online"], 1);

    // The public figures: counts and rates, nothing personal.
    let (s, public) = app.get_json(&format!("/api/v1/public/stats?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{public}");
    assert_eq!(
        (
            public["total"]["received"].as_i64(),
            public["total"]["resolved"].as_i64(),
            public["total"]["in_progress_overdue"].as_i64()
        ),
        (Some(10), Some(6), Some(1))
    );
    let text = public.to_string();
    assert!(!text.contains("Trần Thị Mai") && !text.contains("038199012345"));

    // Rebuilding from the events gives back every counter and roll-up row.
    let before = dump(app).await;
    assert!(before.0.len() > 20 && before.1.len() > before.0.len() / 2);
    let out = rebuild(app).await;
    assert!(out.contains("dossiers=11"), "{out}");
    assert_eq!(dump(app).await, before);
}

#[tokio::test]
async fn the_report_downloads_as_xlsx_and_csv_in_the_official_layout() {
    let day = setup().await;
    drive(&day).await;
    let app = &day.app;
    let today = day.today.to_string();
    let q = format!("unit={PROVINCE}&from={today}&to={today}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/stats/report?{q}&format=xlsx")))
        .bearer_auth(&day.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::{DataType, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a real XLSX");
    let sheet = book
        .worksheet_range("Theo đơn vị")
        .expect("the agencies sheet");
    let rows: Vec<Vec<calamine::Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert!(
        rows[0][0]
            .to_string()
            .starts_with("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT")
    );
    let header: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "STT");
    assert_eq!(header[2], "Tổng số hồ sơ nhận giải quyết");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last[1].to_string(), "Tổng cộng");
    let num = |c: &calamine::Data| c.as_f64().unwrap();
    assert_eq!(num(&last[col("Tổng số hồ sơ nhận giải quyết")]), 10.0);
    assert_eq!(num(&last[col("Số mới tiếp nhận trực tuyến")]), 1.0);
    assert_eq!(
        num(&last[col("Số mới tiếp nhận trực tiếp, qua dịch vụ bưu chính công ích")]),
        9.0
    );
    assert_eq!(num(&last[col("Đã giải quyết: trả trước hạn")]), 4.0);
    assert_eq!(num(&last[col("Đã giải quyết: trả quá hạn")]), 1.0);
    assert_eq!(num(&last[col("Đang giải quyết: quá hạn")]), 1.0);
    let rate = num(&last[col("Tỷ lệ giải quyết trước hạn, đúng hạn (%)")]);
    assert!((rate - 0.8333).abs() < 1e-9, "{rate}");
    // Four agencies and the total.
    assert_eq!(rows.len(), 2 + 4 + 1);
    let justice = rows
        .iter()
        .find(|r| r[1] == "Sở Tư pháp Thanh Hóa")
        .unwrap();
    assert_eq!(num(&justice[col("Đã giải quyết: tổng số")]), 5.0);
    let procedures = book
        .worksheet_range("Theo thủ tục")
        .expect("the procedures sheet");
    assert_eq!(procedures.rows().count(), 2 + 2 + 1);

    let res = app
        .client
        .get(app.url(&format!("/api/v1/stats/report?{q}&format=csv&by=procedure")))
        .bearer_auth(&day.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 2 + 1);
    assert!(lines[0].contains("Thủ tục hành chính"));
    assert!(lines[3].starts_with(",Tổng cộng,10,0,1,9,"), "{}", lines[3]);
    let (s, e) = app
        .send(
            Method::GET,
            &format!("/api/v1/stats/report?{q}&format=pdf"),
            Some(&day.leader),
            None,
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_format"))
    );
}

#[tokio::test]
async fn statistics_are_read_only_by_those_who_oversee_the_unit() {
    let day = setup().await;
    let app = &day.app;
    let month = format!("{:04}-{:02}", day.today.year(), day.today.month());
    for path in [
        format!("/api/v1/stats/report?unit={PROVINCE}&period={month}"),
        format!("/api/v1/stats/dashboard?unit={PROVINCE}"),
        format!("/api/v1/index?unit={PROVINCE}&period={month}"),
        format!("/api/v1/index/ranking?parent={PROVINCE}&period={month}"),
    ] {
        let get = |token: Option<String>| {
            let path = path.clone();
            async move { app.send(Method::GET, &path, token.as_deref(), None).await.0 }
        };
        assert_eq!(get(None).await, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            get(Some(day.specialist.clone())).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            get(Some(day.other_leader.clone())).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            get(Some(day.officer.clone())).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            get(Some(day.citizen.clone())).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            get(Some(day.leader.clone())).await,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(get(Some(day.admin.clone())).await, StatusCode::OK, "{path}");
    }
    // Staff read their own agency; the ranking of every province is for system-wide
    // administrators.
    let own = format!("/api/v1/stats/report?unit={JUSTICE}&period={month}");
    let (s, _) = app
        .send(Method::GET, &own, Some(&day.specialist), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let all = format!("/api/v1/index/ranking?period={month}");
    let (s, _) = app.send(Method::GET, &all, Some(&day.leader), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, rk) = app.send(Method::GET, &all, Some(&day.admin), None).await;
    assert_eq!(s, StatusCode::OK, "{rk}");
    assert_eq!(rk["units"].as_array().unwrap().len(), 2, "{rk}");
    // Bad input: a clear 400 or 404.
    for (path, status, code) in [
        (
            format!("/api/v1/stats/report?unit={PROVINCE}&period=2026-13"),
            StatusCode::BAD_REQUEST,
            "invalid_period",
        ),
        (
            format!("/api/v1/stats/report?unit={PROVINCE}&from=2026-11-05&to=2026-11-01"),
            StatusCode::BAD_REQUEST,
            "invalid_period",
        ),
        (
            "/api/v1/stats/report?unit=000.00.99.H99".to_string(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("/api/v1/index?unit={PROVINCE}&procedure=9.999999"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("/api/v1/index?unit={PROVINCE}&bogus=1"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
    ] {
        let (s, e) = app.send(Method::GET, &path, Some(&day.admin), None).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (status, Some(code)),
            "{path}: {e}"
        );
    }
    // The public figures need no account.
    let (s, _) = app
        .get_json(&format!(
            "/api/v1/public/stats?unit={PROVINCE}&period={month}"
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
}

/// A small deterministic pseudo-random sequence (no extra dependency).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[tokio::test]
async fn rebuild_equals_the_counters_kept_after_a_random_workload() {
    let day = setup().await;
    let app = &day.app;
    let seed = std::env::var("MOTCUA_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(766_u64);
    let mut rng = Rng(seed | 1);
    let mut codes: Vec<String> = Vec::new();
    let mut accepted = 0;
    for _ in 0..220 {
        if codes.is_empty() || rng.below(6) == 0 {
            let (token, channel) = match rng.below(3) {
                0 => (&day.citizen, "online"),
                1 => (&day.officer, "postal"),
                _ => (&day.officer, "counter"),
            };
            let procedure = [BIRTH, SAME_DAY][rng.below(2)];
            codes.push(lodge(app, token, procedure, CENTRE, channel).await);
            continue;
        }
        let code = codes[rng.below(codes.len())].clone();
        let (_, d) = app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&day.leader),
                None,
            )
            .await;
        let handler = match d["state"]["agency"].as_str() {
            Some(BUILDING) => &day.building_specialist,
            _ => &day.specialist,
        };
        let officer = &day.officer;
        let leader = &day.leader;
        let supplement = json!({"reason": "Thiếu", "missing": ["Giấy tờ"]});
        let provide = json!({"documents": ["Giấy tờ"]});
        let method = ["transfer", "cash"][rng.below(2)];
        let fee = json!({"amount_vnd": 20000, "method": method});
        // What the dossier's status allows, by whom; now and then something it does not.
        let mut choices: Vec<(&str, &String, Value)> = match d["status"].as_str().unwrap() {
            "submitted" => vec![
                ("receive", officer, json!({"fee_due_vnd": 20000})),
                ("receive", officer, json!({})),
                ("request_intake_supplement", officer, supplement.clone()),
                ("refuse", officer, json!({"reason": "Sai thẩm quyền"})),
            ],
            "awaiting_intake_supplement" => vec![("provide_supplement", officer, provide.clone())],
            "received" => vec![
                ("forward", officer, json!({"to": JUSTICE})),
                ("forward", officer, json!({"to": JUSTICE})),
                ("collect_fee", officer, fee.clone()),
            ],
            "processing" => vec![
                ("request_supplement", handler, supplement.clone()),
                (
                    "transfer",
                    handler,
                    json!({"to": BUILDING, "reason": "Liên thông"}),
                ),
                ("approve", leader, json!({})),
                ("approve", leader, json!({})),
                ("reject", leader, json!({"reason": "Không đủ điều kiện"})),
                ("stop", handler, json!({"reason": "Dừng"})),
                ("collect_fee", officer, fee.clone()),
            ],
            "awaiting_supplement" => vec![
                ("provide_supplement", officer, provide.clone()),
                ("provide_supplement", officer, provide.clone()),
                ("stop", handler, json!({"reason": "Dừng"})),
            ],
            "approved" | "rejected" => vec![
                (
                    "record_result",
                    handler,
                    json!({"result_code": "KQ", "form": {"form": "electronic", "file_ref": "f"}}),
                ),
                (
                    "record_result",
                    handler,
                    json!({"result_code": "KQ", "form": {"form": "paper"}}),
                ),
            ],
            "done" => vec![("return_result", officer, json!({"via": "online"}))],
            _ => vec![],
        };
        if rng.below(8) == 0 {
            choices.push(("withdraw", officer, json!({})));
        }
        if rng.below(10) == 0 {
            // Something the status does not allow, or the wrong person: refused, no counter.
            choices = vec![
                ("approve", &day.specialist, json!({})),
                (
                    "return_result",
                    officer,
                    json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
                ),
            ];
        }
        if choices.is_empty() {
            continue;
        }
        let (action, token, mut fields) = choices.swap_remove(rng.below(choices.len()));
        fields["version"] = d["version"].clone();
        let (s, e) = app
            .post(
                &format!("/api/v1/dossiers/{code}/actions/{action}"),
                Some(token),
                fields,
            )
            .await;
        if s == StatusCode::OK {
            accepted += 1;
        }
        assert!(s.is_success() || s.is_client_error(), "{action} → {s}: {e}");
    }
    assert!(accepted > 20, "only {accepted} commands were accepted");
    let before = dump(app).await;
    assert!(!before.0.is_empty());
    let out = rebuild(app).await;
    assert!(out.contains(&format!("dossiers={}", codes.len())), "{out}");
    let after = dump(app).await;
    let mut metrics: Vec<&str> = before.0.iter().map(|c| c.metric.as_str()).collect();
    metrics.sort_unstable();
    metrics.dedup();
    eprintln!(
        "accepted={accepted} dossiers={} metrics={metrics:?}",
        codes.len()
    );
    assert!(
        metrics.len() >= 12,
        "the workload reached too few counters: {metrics:?}"
    );
    assert_eq!(after.0, before.0, "daily cells differ (seed {seed})");
    assert_eq!(after.1, before.1, "roll-up rows differ (seed {seed})");
}
