//! The legal calendar through the API and the CLI, on the database's official schedules.

use crate::cli::run;
use crate::support::{TestApp, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn days(body: &Value) -> Vec<(String, String)> {
    body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn official_schedules_are_shipped_and_editable_by_administrators() {
    let app = TestApp::new().await;
    let (s, y2025) = app.get_json("/api/v1/calendar/holidays/2025").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(y2025["official"], true);
    let d = days(&y2025);
    assert!(
        d.contains(&("2025-04-26".into(), "work".into())),
        "make-up Saturday"
    );
    assert!(d.contains(&("2025-01-27".into(), "off".into())));
    assert!(
        !d.iter().any(|(date, _)| date == "2025-02-03"),
        "3/2/2025 is a working day"
    );

    let (_, y2027) = app.get_json("/api/v1/calendar/holidays/2027").await;
    assert_eq!(
        y2027["official"], false,
        "statutory rules for a year without a schedule"
    );
    assert!(
        days(&y2027).contains(&("2027-04-16".into(), "off".into())),
        "Giỗ Tổ 10/3 lunar"
    );

    let admin = app.user("quantri", "admin", None).await;
    let leader = app.user("lanhdao", "citizen", None).await;
    let schedule = json!({
        "note": "Công văn giả định số 1/VPCP-KGVX (thử nghiệm)",
        "days": [
            {"date": "2027-01-01", "kind": "off", "name": "Tết Dương lịch", "source": "BLLĐ 2019 Điều 112"},
            {"date": "2027-02-04", "kind": "off", "name": "Tết Nguyên đán", "source": "thử nghiệm"},
            {"date": "2027-02-05", "kind": "off", "name": "Tết Nguyên đán", "source": "thử nghiệm"},
            {"date": "2027-01-30", "kind": "work", "name": "Làm bù", "source": "thử nghiệm"}
        ]
    });
    let (s, _) = app
        .send(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&leader),
            Some(schedule.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app
        .send(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            Some(schedule),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["official"], true);
    assert_eq!(
        days(&body),
        vec![
            ("2027-01-01".into(), "off".into()),
            ("2027-01-30".into(), "work".into()),
            ("2027-02-04".into(), "off".into()),
            ("2027-02-05".into(), "off".into())
        ]
    );
    // New computations use it at once.
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2027-02-03T09:00&working_days=1")
        .await;
    assert_eq!(due["appointment"], "2027-02-08T17:00", "{due}");

    // Wrong schedules are refused whole and change nothing.
    let bad = [
        (
            json!({"note": "x", "days": [{"date": "2027-03-03", "kind": "work", "name": "Làm bù", "source": "x"}]}),
            "schedule_work_on_weekday",
        ),
        (
            json!({"note": "x", "days": [{"date": "2028-01-01", "kind": "off", "name": "Tết", "source": "x"}]}),
            "schedule_wrong_year",
        ),
        (json!({"note": " ", "days": []}), "source_required"),
        (
            json!({"note": "x", "days": [{"date": "2027-05-03", "kind": "off", "name": "Nghỉ", "source": ""}]}),
            "source_required",
        ),
        (
            json!({"note": "x", "days": [{"date": "2027-13-03", "kind": "off", "name": "Nghỉ", "source": "x"}]}),
            "invalid_date",
        ),
        (
            json!({"note": "x", "days": [{"date": "2027-05-03", "kind": "nghi", "name": "Nghỉ", "source": "x"}]}),
            "invalid_day_kind",
        ),
    ];
    for (body, code) in bad {
        let (s, res) = app
            .send(
                Method::PUT,
                "/api/v1/calendar/years/2027",
                Some(&admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {res}");
        assert_eq!(res["error"], code, "{res}");
    }
    let (_, still) = app.get_json("/api/v1/calendar/holidays/2027").await;
    assert_eq!(days(&still).len(), 4);

    let (s, _) = app
        .send(
            Method::DELETE,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, back) = app.get_json("/api/v1/calendar/holidays/2027").await;
    assert_eq!(back["official"], false);
    assert_eq!(days(&back), days(&y2027));
    let (s, _) = app
        .send(
            Method::DELETE,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lunar_and_due_date_endpoints() {
    let app = TestApp::new().await;
    let (s, l) = app.get_json("/api/v1/calendar/lunar?date=2025-08-19").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (l["day"].as_u64(), l["month"].as_u64(), l["leap"].as_bool()),
        (Some(26), Some(6), Some(true))
    );
    assert_eq!(l["can_chi"], "Ất Tỵ");
    let (_, tet) = app.get_json("/api/v1/calendar/solar?lunar=1/1/1985").await;
    assert_eq!(
        tet["solar"], "1985-01-21",
        "Vietnamese Tết 1985, a month before the Chinese one"
    );
    let (s, e) = app.get_json("/api/v1/calendar/solar?lunar=30/2/2025").await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("lunar_day_out_of_range"))
    );
    let (s, e) = app
        .get_json("/api/v1/calendar/solar?lunar=1/4/2025&leap=true")
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("lunar_leap_month_absent"))
    );

    // Received on the Friday before Tết 2025 at 16:00: three working days end on 5/2 at 17:00.
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2025-01-24T16:00&working_days=3")
        .await;
    assert_eq!(due["appointment"], "2025-02-05T17:00");
    // After a 15:00 cut-off the count starts on the next working day (3/2, after Tết).
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2025-01-24T16:00&working_days=0&cutoff=15:00")
        .await;
    assert_eq!(due["effective_receipt"], "2025-02-03T07:30");
    assert_eq!(due["appointment"], "2025-02-03T17:00");
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2025-10-27T10:00&working_hours=4")
        .await;
    assert_eq!(
        due["appointment"], "2025-10-27T16:00",
        "1h30 before lunch, 2h30 after"
    );
    let (s, e) = app
        .get_json("/api/v1/calendar/due?from=2025-10-27T10:00")
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("duration_required"))
    );
    let (s, e) = app
        .get_json("/api/v1/calendar/due?from=27/10/2025&working_days=2")
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_instant"))
    );
}

#[tokio::test]
async fn calendar_commands() {
    let db = TestDb::fresh();
    let out = run(&db, &["calendar", "holidays", "2025"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "{text}");
    assert_eq!(lines[0], "2025-01-01\toff\tTết Dương lịch");
    assert!(lines.contains(&"2025-04-26\twork\tLàm bù cho ngày 02/05/2025"));

    let stdout = |args: &[&str]| {
        let out = run(&db, args, None);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(
        stdout(&["calendar", "add-working-days", "2025-01-24", "1"]),
        "2025-02-03"
    );
    assert_eq!(
        stdout(&[
            "calendar",
            "due",
            "--from",
            "2025-01-24T16:00",
            "--working-days",
            "3"
        ]),
        "2025-02-05T17:00"
    );
    assert_eq!(
        stdout(&["calendar", "lunar", "2025-08-19"]),
        "26/6/2025 nhuận\tẤt Tỵ"
    );
    assert_eq!(
        stdout(&["calendar", "solar", "--lunar", "1/1/2030"]),
        "2030-02-02"
    );
    assert_eq!(
        stdout(&["calendar", "solar", "--lunar", "26/6/2025", "--leap"]),
        "2025-08-19"
    );
    let json: Value =
        serde_json::from_str(&stdout(&["calendar", "lunar", "2024-02-10", "--json"])).unwrap();
    assert_eq!(json["can_chi"], "Giáp Thìn");

    for bad in [
        vec!["calendar", "solar", "--lunar", "30/2/2025"],
        vec!["calendar", "solar", "--lunar", "1/4/2025", "--leap"],
        vec!["calendar", "lunar", "1899-01-01"],
        vec!["calendar", "holidays", "2101"],
        vec!["calendar", "add-working-days", "2025-02-30", "1"],
    ] {
        let out = run(&db, &bad, None);
        assert!(!out.status.success(), "{bad:?} must fail");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("lỗi"),
            "{bad:?}"
        );
    }

    // An administrator sets 2027 from a CSV file; the holidays follow it.
    let csv = std::env::temp_dir().join(format!("lich-2027-{}.csv", uuid::Uuid::new_v4().simple()));
    std::fs::write(
        &csv,
        "date,kind,name,source\n2027-02-04,off,Tết Nguyên đán,thử nghiệm\n",
    )
    .unwrap();
    let out = run(
        &db,
        &[
            "calendar",
            "set-year",
            "2027",
            "--file",
            csv.to_str().unwrap(),
            "--note",
            "Công văn thử nghiệm",
        ],
        None,
    );
    let _ = std::fs::remove_file(&csv);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&["calendar", "holidays", "2027"]),
        "2027-02-04\toff\tTết Nguyên đán"
    );
    assert_eq!(
        stdout(&["calendar", "reset-year", "2027"]),
        "2027\tstatutory"
    );
    assert!(
        stdout(&["calendar", "holidays", "2027"]).contains("2027-04-16\toff\tGiỗ Tổ Hùng Vương")
    );
}

#[tokio::test]
async fn agencies_have_their_own_office_hours() {
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
    let admin = app.user("qt.tinh", "admin", Some("000.00.00.H38")).await;
    let officer = app
        .user("tiepnhan", "receiving_officer", Some("000.00.01.H38"))
        .await;
    let path = "/api/v1/agencies/000.00.01.H38/office-hours";
    let (_, default) = app.get_json(path).await;
    assert_eq!(
        default["sessions"],
        json!([["07:30", "11:30"], ["13:30", "17:00"]])
    );
    // The centre opens until 17:30; a one-day appointment then ends at 17:30.
    let longer = json!({"sessions": [["07:30", "11:30"], ["13:00", "17:30"]]});
    let (s, _) = app
        .send(Method::PUT, path, Some(&officer), Some(longer.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app
        .send(Method::PUT, path, Some(&admin), Some(longer))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2025-10-27T09:00&working_days=1&agency=000.00.01.H38")
        .await;
    assert_eq!(due["appointment"], "2025-10-28T17:30");
    let (_, due) = app
        .get_json("/api/v1/calendar/due?from=2025-10-27T09:00&working_days=1")
        .await;
    assert_eq!(due["appointment"], "2025-10-28T17:00");
    let overlapping = json!({"sessions": [["07:30", "12:00"], ["11:00", "17:00"]]});
    let (s, e) = app
        .send(Method::PUT, path, Some(&admin), Some(overlapping))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app
        .send(
            Method::PUT,
            path,
            Some(&admin),
            Some(json!({"sessions": [["7h30", "11:30"]]})),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_time"))
    );
    let (_, kept) = app.get_json(path).await;
    assert_eq!(
        kept["sessions"][1],
        json!(["13:00", "17:30"]),
        "refused hours change nothing"
    );
    let (s, reset) = app
        .send(
            Method::PUT,
            path,
            Some(&admin),
            Some(json!({"sessions": null})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(reset["sessions"][1], json!(["13:30", "17:00"]));
}
