//! The administration pages (/quan-tri) driven like a browser: agencies, staff and roles,
//! procedures and workflows, the holiday calendar; who may see them; CSRF.

use crate::support::{get_page as get, sign_in as browser};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

use crate::dossiers::setup;
use crate::support::{PASSWORD, TestApp, client};

async fn post(
    b: &Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let res = b.post(app.url(path)).form(form).send().await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// The text inside the element with this id (up to its first tag).
fn text_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..].split('<').next().unwrap().trim().to_string()
}

async fn admin_app() -> (TestApp, [String; 5], String) {
    let (app, tokens) = setup().await;
    let admin = app.user("quantri", "admin", None).await;
    (app, tokens, admin)
}

#[tokio::test]
async fn admin_creates_an_agency_and_a_user_through_the_forms() {
    let (app, _, admin) = admin_app().await;
    let (b, csrf) = browser(&app, "quantri", PASSWORD).await;

    let (s, html) = get(&b, &app, "/quan-tri").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Cán bộ và vai trò") && html.contains("Lịch nghỉ lễ, Tết"));

    // A new agency under the province.
    let (s, location, _) = post(
        &b,
        &app,
        "/quan-tri/co-quan",
        &[
            ("csrf", &csrf),
            ("code", "000.00.03.H38"),
            ("name", "Sở Nội vụ Thanh Hóa"),
            ("kind", "department"),
            ("parent_code", "000.00.00.H38"),
            ("unit_id", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, "/quan-tri/co-quan/000.00.03.H38?ok=tao");
    let (s, html) = get(&b, &app, &location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Đã tạo cơ quan.") && html.contains("Sở Nội vụ Thanh Hóa"));
    assert!(html.contains("UBND tỉnh Thanh Hóa"), "parent shown");
    let (s, body) = app.get_json("/api/v1/agencies/000.00.03.H38").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["name"], "Sở Nội vụ Thanh Hóa");
    let agency_id = body["id"].clone();

    // Found by its name without diacritics; htmx gets only the list.
    let (s, html) = get(&b, &app, "/quan-tri/co-quan?q=so%20noi%20vu").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("000.00.03.H38") && !html.contains("Sở Tư pháp Thanh Hóa"));
    let res = b
        .get(app.url("/quan-tri/co-quan?q=so%20noi%20vu"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("Sở Nội vụ Thanh Hóa") && !fragment.contains("<html"));

    // The same code again: sent back with the message next to the code, input kept.
    let (_, before) = app.get_json("/api/v1/agencies?limit=1").await;
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/co-quan",
        &[
            ("csrf", &csrf),
            ("code", "000.00.03.H38"),
            ("name", "Sở Nội vụ (bản sao)"),
            ("kind", "department"),
            ("parent_code", "000.00.00.H38"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\""), "{html}");
    assert!(html.contains("đã được dùng cho cơ quan khác"));
    assert!(html.contains("value=\"Sở Nội vụ (bản sao)\""), "input kept");
    assert!(html.contains("aria-describedby=\"code-error\""));
    // A malformed code and an unknown parent are errors of their own fields.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/co-quan",
        &[
            ("csrf", &csrf),
            ("code", "H38"),
            ("name", "Cơ quan thử"),
            ("kind", "department"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\"") && html.contains("không đúng định dạng"));
    let (_, after) = app.get_json("/api/v1/agencies?limit=1").await;
    assert_eq!(before["total"], after["total"], "nothing created");

    // Without the CSRF token nothing happens.
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/co-quan",
        &[
            ("code", "000.00.04.H38"),
            ("name", "Sở Y tế Thanh Hóa"),
            ("kind", "department"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get_json("/api/v1/agencies/000.00.04.H38").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Office hours of the agency: shown, saved, checked.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/co-quan/000.00.03.H38/gio-lam-viec",
        &[("csrf", &csrf), ("from1", "08:00"), ("to1", "07:00")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"hours-error\"") && html.contains("value=\"07:00\""));
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/co-quan/000.00.03.H38/gio-lam-viec",
        &[
            ("csrf", &csrf),
            ("from1", "07:00"),
            ("to1", "11:30"),
            ("from2", "13:00"),
            ("to2", "16:30"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, hours) = app
        .get_json("/api/v1/agencies/000.00.03.H38/office-hours")
        .await;
    assert_eq!(hours["sessions"][0][0], "07:00");
    assert_eq!(hours["sessions"][1][1], "16:30");

    // A weak password: 422, the message next to the password, the rest kept, nobody created.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/can-bo",
        &[
            ("csrf", &csrf),
            ("username", "cb.noivu"),
            ("full_name", "Nguyễn Thị Hòa"),
            ("password", "ngan"),
            ("role", "specialist"),
            ("agency_code", "000.00.03.H38"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("Mật khẩu phải có ít nhất 8 ký tự."));
    assert!(html.contains("value=\"cb.noivu\"") && html.contains("value=\"Nguyễn Thị Hòa\""));
    assert!(
        !html.contains("value=\"ngan\""),
        "a password is never sent back"
    );
    let (s, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            serde_json::json!({"username": "cb.noivu", "password": "ngan"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "no account was created");
    // An officer without an agency: the message is next to the agency.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/can-bo",
        &[
            ("csrf", &csrf),
            ("username", "cb.noivu"),
            ("password", "mat-khau-du-dai"),
            ("role", "specialist"),
            ("agency_code", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"agency_code-error\"") && html.contains("phải gắn với một cơ quan"));

    // The account with a role at the new agency.
    let (s, location, _) = post(
        &b,
        &app,
        "/quan-tri/can-bo",
        &[
            ("csrf", &csrf),
            ("username", "cb.noivu"),
            ("full_name", "Nguyễn Thị Hòa"),
            ("password", "mat-khau-du-dai"),
            ("role", "specialist"),
            ("agency_code", "000.00.03.H38"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, "/quan-tri/can-bo/cb.noivu?ok=tao");
    let token = app.token("cb.noivu", "mat-khau-du-dai").await;
    let (s, me) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["full_name"], "Nguyễn Thị Hòa");
    assert_eq!(me["grants"][0]["role"], "specialist");
    assert_eq!(me["grants"][0]["agency"], agency_id);
    let (_, html) = get(&b, &app, "/quan-tri/can-bo?co_quan=000.00.03.H38").await;
    assert!(
        html.contains("id=\"user-cb.noivu\"") && html.contains("Chuyên viên — Sở Nội vụ Thanh Hóa")
    );

    // Another role, then the account is disabled: its sessions stop working.
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/can-bo/cb.noivu/vai-tro",
        &[
            ("csrf", &csrf),
            ("role", "leader"),
            ("agency_code", "000.00.03.H38"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    let roles: Vec<&str> = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["specialist", "leader"]);
    // The same grant twice is a mistake of the form.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/can-bo/cb.noivu/vai-tro",
        &[
            ("csrf", &csrf),
            ("role", "leader"),
            ("agency_code", "000.00.03.H38"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tài khoản đã có vai trò này"));
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/can-bo/cb.noivu/vai-tro/bo",
        &[("csrf", &csrf), ("index", "1")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, me) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(me["grants"].as_array().unwrap().len(), 1);
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/can-bo/cb.noivu/khoa",
        &[("csrf", &csrf), ("disabled", "1")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = app
        .send(Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a disabled account is refused");
    // Nobody disables their own account.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/can-bo/quantri/khoa",
        &[("csrf", &csrf), ("disabled", "1")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Không thể tự khóa tài khoản của chính mình."));
    let (s, _) = app
        .send(Method::GET, "/api/v1/me", Some(&admin), None)
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn other_roles_are_refused_every_admin_page() {
    let (app, ..) = admin_app().await;
    let (_, year_before) = app.get_json("/api/v1/calendar/holidays/2026").await;
    let pages = [
        "/quan-tri",
        "/quan-tri/co-quan",
        "/quan-tri/co-quan/000.00.02.H38",
        "/quan-tri/can-bo",
        "/quan-tri/can-bo/congdan",
        "/quan-tri/thu-tuc",
        "/quan-tri/thu-tuc/1.001193",
        "/quan-tri/thu-tuc/1.001193/quy-trinh/000.00.02.H38",
        "/quan-tri/lich?nam=2026",
        "/quan-tri/lich/han?tu=2026-03-06T09:00&so_ngay=1",
    ];
    for who in ["lanhdao", "chuyenvien", "congdan", "tiepnhan"] {
        let (b, csrf) = browser(&app, who, PASSWORD).await;
        for page in pages {
            let (s, html) = get(&b, &app, page).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} {page}");
            assert!(html.contains("Không có quyền truy cập"), "{who} {page}");
        }
        // Forms too, even with a valid token.
        let (s, _, _) = post(
            &b,
            &app,
            "/quan-tri/co-quan",
            &[
                ("csrf", &csrf),
                ("code", "000.00.05.H38"),
                ("name", "Sở Xây dựng"),
                ("kind", "department"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        let (s, _, _) = post(
            &b,
            &app,
            "/quan-tri/lich/2026",
            &[
                ("csrf", &csrf),
                ("note", "Thử"),
                ("date", "2026-03-09"),
                ("name", "Nghỉ"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let (s, _) = app.get_json("/api/v1/agencies/000.00.05.H38").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, year) = app.get_json("/api/v1/calendar/holidays/2026").await;
    assert_eq!(year, year_before, "the calendar is unchanged");
    // Not signed in: to the login page, coming back here.
    let res = client()
        .get(app.url("/quan-tri/can-bo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/dang-nhap?next=/quan-tri/can-bo"
    );
}

#[tokio::test]
async fn the_year_page_shows_tet_and_edits_change_the_due_date() {
    let (app, ..) = admin_app().await;
    let (b, csrf) = browser(&app, "quantri", PASSWORD).await;
    let (_, year_before) = app.get_json("/api/v1/calendar/holidays/2026").await;
    let (s, html) = get(&b, &app, "/quan-tri/lich?nam=2026").await;
    assert_eq!(s, StatusCode::OK);
    // Tết Bính Ngọ: 17/02/2026 is the first day of the lunar year, and a day off.
    assert!(
        html.contains("Mùng 1 Tết Bính Ngọ: <strong>17/02/2026</strong>"),
        "{html}"
    );
    let row = &html[html
        .find("id=\"day-2026-02-17\"")
        .expect("17/02 listed as a day off")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("17/02/2026") && row.contains("Mùng 1 Tết") && row.contains("Nghỉ"),
        "{row}"
    );
    assert!(html.contains("id=\"day-2026-09-02\""), "Quốc khánh");

    // The calculator: Friday 06/03/2026 09:00 + 1 working day.
    let due = "/quan-tri/lich/han?tu=2026-03-06T09%3A00&so_ngay=1&co_quan=";
    let (s, html) = get(&b, &app, due).await;
    assert_eq!(s, StatusCode::OK);
    let before = text_of(&html, "due-appointment");
    assert!(before.starts_with("09/03/2026"), "{before}");
    let res = b
        .get(app.url(due))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains(&before) && !fragment.contains("<html"));
    let (s, html) = get(&b, &app, "/quan-tri/lich/han?tu=hom-nay&so_ngay=1").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"tu-error\"") && html.contains("value=\"hom-nay\""));

    // Mistakes: a date of another year, no legal source.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[
            ("csrf", &csrf),
            ("note", "Công văn 1234/VPCP-KGVX"),
            ("date", "2025-03-09"),
            ("kind", "off"),
            ("name", "Nghỉ bù"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"date-error\"") && html.contains("không thuộc năm 2026"));
    assert!(
        html.contains("value=\"Công văn 1234/VPCP-KGVX\""),
        "input kept"
    );
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[
            ("csrf", &csrf),
            ("note", ""),
            ("date", "2026-03-09"),
            ("kind", "off"),
            ("name", "Nghỉ bù"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"note-error\"") && html.contains("value=\"2026-03-09\""));
    // A weekday cannot be a make-up working day.
    let (s, _, html) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[
            ("csrf", &csrf),
            ("note", "Công văn 1234/VPCP-KGVX"),
            ("date", "2026-03-10"),
            ("kind", "work"),
            ("name", "Làm bù"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"date-error\""), "{html}");
    let (_, year) = app.get_json("/api/v1/calendar/holidays/2026").await;
    assert_eq!(year, year_before, "nothing half-done");

    // Monday 09/03/2026 off: the appointment moves to Tuesday.
    let (s, location, _) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[
            ("csrf", &csrf),
            ("note", "Công văn 1234/VPCP-KGVX"),
            ("date", "2026-03-09"),
            ("kind", "off"),
            ("name", "Nghỉ bù"),
            ("source", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, "/quan-tri/lich?nam=2026&ok=luu");
    let (_, year) = app.get_json("/api/v1/calendar/holidays/2026").await;
    assert_eq!(year["official"], true);
    assert_eq!(year["note"], "Công văn 1234/VPCP-KGVX");
    assert!(
        year["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-03-09" && d["kind"] == "off")
    );
    let (_, html) = get(&b, &app, due).await;
    let after = text_of(&html, "due-appointment");
    assert!(after.starts_with("10/03/2026"), "{after}");
    let (_, api) = app
        .get_json("/api/v1/calendar/due?from=2026-03-06T09:00&working_days=1")
        .await;
    assert!(
        api["appointment"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-10")
    );

    // Removing the day again restores the answer.
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[
            ("csrf", &csrf),
            ("note", "Công văn 1234/VPCP-KGVX"),
            ("remove", "2026-03-09"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&b, &app, due).await;
    assert_eq!(text_of(&html, "due-appointment"), before);
    // Back to the statutory rules.
    let (s, _, _) = post(&b, &app, "/quan-tri/lich/2026/xoa", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, year) = app.get_json("/api/v1/calendar/holidays/2026").await;
    assert_eq!(year["official"], false);
    // No token, no change.
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/lich/2026",
        &[("note", "X"), ("date", "2026-03-09"), ("name", "Nghỉ")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// `"2,5"` → 250 hundredths.
fn centi(s: &str) -> u64 {
    let v: f64 = s.replace(',', ".").parse().unwrap();
    (v * 100.0).round() as u64
}

fn centi_text(c: u64) -> String {
    format!("{},{:02}", c / 100, c % 100)
}

#[tokio::test]
async fn a_procedure_workflow_at_an_agency_is_shown_and_edited() {
    let (app, ..) = admin_app().await;
    let (b, csrf) = browser(&app, "quantri", PASSWORD).await;
    // Search without diacritics.
    let (s, html) = get(&b, &app, "/quan-tri/thu-tuc?q=dang%20ky%20khai%20sinh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/quan-tri/thu-tuc/1.001193") && html.contains("Đang công khai"));
    let (s, html) = get(&b, &app, "/quan-tri/thu-tuc/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Các phiên bản") && html.contains("Bãi bỏ thủ tục"));

    // Not applied yet: the default workflow is proposed.
    let path = "/quan-tri/thu-tuc/1.001193/quy-trinh/000.00.02.H38";
    let (s, html) = get(&b, &app, path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Cơ quan chưa áp dụng thủ tục này"));
    assert!(html.contains("value=\"Tiếp nhận hồ sơ\""));
    let time = text_of(&html, "statutory-time");
    let total = centi(time.split(' ').next().unwrap());
    assert!(total > 0, "{time}");
    let first = total / 2;
    let (a, c) = (centi_text(first), centi_text(total - first));

    // Shares that do not add up: sent back with the message, rows kept.
    let (s, _, html) = post(
        &b,
        &app,
        path,
        &[
            ("csrf", &csrf),
            ("name_0", "Thẩm định hồ sơ"),
            ("role_0", "specialist"),
            ("unit_0", "Phòng Hộ tịch"),
            ("share_0", &a),
            ("name_1", "Ký duyệt"),
            ("role_1", "leader"),
            ("unit_1", ""),
            ("share_1", "999"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"steps-error\"") && html.contains("Tổng thời gian các bước"));
    assert!(html.contains("value=\"Phòng Hộ tịch\"") && html.contains("value=\"999\""));
    let (s, _, html) = post(
        &b,
        &app,
        path,
        &[
            ("csrf", &csrf),
            ("name_0", "Thẩm định hồ sơ"),
            ("role_0", "specialist"),
            ("share_0", "nửa ngày"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"share_0-error\"") && html.contains("value=\"nửa ngày\""));
    let (_, applied) = app
        .get_json("/api/v1/agencies/000.00.02.H38/procedures")
        .await;
    assert_eq!(applied.as_array().unwrap().len(), 0, "nothing applied");

    let (s, location, _) = post(
        &b,
        &app,
        path,
        &[
            ("csrf", &csrf),
            ("name_0", "Thẩm định hồ sơ"),
            ("role_0", "specialist"),
            ("unit_0", "Phòng Hộ tịch"),
            ("share_0", &a),
            ("name_1", "Ký duyệt"),
            ("role_1", "leader"),
            ("unit_1", ""),
            ("share_1", &c),
            ("name_2", ""),
            ("role_2", "specialist"),
            ("share_2", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{path}?ok=luu"));
    let (_, applied) = app
        .get_json("/api/v1/agencies/000.00.02.H38/procedures")
        .await;
    let steps: &Vec<Value> = applied[0]["workflow"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["name"], "Thẩm định hồ sơ");
    assert_eq!(steps[0]["unit"], "Phòng Hộ tịch");
    assert_eq!(steps[1]["role"], "leader");
    assert_eq!(steps[1]["share"], total - first);
    let (_, html) = get(&b, &app, &location).await;
    assert!(html.contains("Đã lưu quy trình nội bộ.") && html.contains("Cơ quan đang áp dụng"));
    let (_, html) = get(&b, &app, "/quan-tri/co-quan/000.00.02.H38").await;
    assert!(html.contains("1.001193") && html.contains(path));

    // No token, no change.
    let (s, _, _) = post(
        &b,
        &app,
        path,
        &[("name_0", "X"), ("role_0", "specialist"), ("share_0", &a)],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Abolished through the page: the public search no longer lists it.
    let (s, _, _) = post(
        &b,
        &app,
        "/quan-tri/thu-tuc/1.001193/bai-bo",
        &[("csrf", &csrf), ("on", "")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, body) = app.get_json("/api/v1/procedures/1.001193").await;
    assert_eq!(body["status"], "abolished");
    let (_, html) = get(&b, &app, "/quan-tri/thu-tuc?q=1.001193").await;
    assert!(html.contains("Đã bãi bỏ"));

    // The same pages in English.
    let (s, _, _) = post(
        &b,
        &app,
        "/ngon-ngu",
        &[("csrf", &csrf), ("lang", "en"), ("next", "/quan-tri")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&b, &app, "/quan-tri").await;
    assert!(html.contains("Staff and roles") && html.contains("Holidays and Tết"));
    let (_, html) = get(&b, &app, "/quan-tri/thu-tuc/1.001193").await;
    assert!(html.contains("Abolished") && html.contains("Versions"));
}

/// The personal data access log as a page: an officer's read of a person's dossier shows with
/// who, what and from where; a number that cannot be is said next to the field.
#[tokio::test]
async fn the_access_log_page_lists_the_reads_of_one_person() {
    let (app, [officer, ..], _admin) = admin_app().await;
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let (b, _) = browser(&app, "quantri", PASSWORD).await;
    let (s, html) = get(&b, &app, "/quan-tri").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("href=\"/quan-tri/truy-cap-du-lieu\""),
        "{html}"
    );
    let (s, html) = get(&b, &app, "/quan-tri/truy-cap-du-lieu").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !html.contains("id=\"read-table\""),
        "no list before a look-up"
    );
    let (s, html) = get(
        &b,
        &app,
        "/quan-tri/truy-cap-du-lieu?so_dinh_danh=038199012345",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let table = &html[html.find("id=\"read-table\"").expect("the list")..];
    assert!(table.contains(&code), "{table}");
    assert!(table.contains("tiepnhan"), "{table}");
    assert!(table.contains("Xem hồ sơ"), "{table}");
    assert!(
        html.contains(
            "href=\"/api/v1/admin/personal-data-reads?format=csv&#38;id_number=038199012345\""
        ),
        "{html}"
    );
    // Another person: nobody read theirs.
    let (_, html) = get(
        &b,
        &app,
        "/quan-tri/truy-cap-du-lieu?so_dinh_danh=001099012345",
    )
    .await;
    assert!(
        html.contains("Chưa có lượt truy cập nào của cán bộ."),
        "{html}"
    );
    assert!(!html.contains(&code));
    let (s, html) = get(&b, &app, "/quan-tri/truy-cap-du-lieu?so_dinh_danh=12ab").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"so_dinh_danh-error\""), "{html}");
    // Officers do not read the log.
    let (ob, _) = browser(&app, "tiepnhan", PASSWORD).await;
    let (s, _) = get(
        &ob,
        &app,
        "/quan-tri/truy-cap-du-lieu?so_dinh_danh=038199012345",
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
