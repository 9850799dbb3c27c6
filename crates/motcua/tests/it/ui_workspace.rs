//! The workspace UI of specialists and leaders, through a cookie-keeping browser-like client:
//! the queues (due colours, search without diacritics, the htmx fragment), the officers'
//! dossier page with exactly the actions the caller may take, actions with mistakes, stale
//! versions and without CSRF, approval, bulk assignment, and who may not see a dossier.

use crate::support::{browser, csrf_from, get_page as get};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::dossiers::{body, setup};
use crate::support::{TestApp, client, execute};

async fn post(
    b: &Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let res = b.post(app.url(path)).form(form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The `<tr ...>` opening tag of a dossier's row in a queue.
fn row_of<'a>(html: &'a str, code: &str) -> &'a str {
    let at = html
        .find(&format!("data-code=\"{code}\""))
        .unwrap_or_else(|| panic!("row of {code} in {html}"));
    let start = html[..at].rfind("<tr").expect("row start");
    let end = html[at..].find("</tr>").expect("row end") + at;
    &html[start..end]
}

async fn dossier(app: &TestApp, token: &str, code: &str) -> Value {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    let d = dossier(app, token, code).await;
    fields["version"] = d["version"].clone();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{action}: {d}");
    d
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let (_, me) = app.send(Method::GET, "/api/v1/me", Some(token), None).await;
    me["id"].as_str().unwrap().to_string()
}

/// A counter dossier of `name`, forwarded to the department (processing).
async fn at_department(app: &TestApp, officer: &str, name: &str) -> String {
    let mut b = body("counter");
    b["applicant"]["name"] = json!(name);
    let (s, d) = app.post("/api/v1/dossiers", Some(officer), b).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    act(
        app,
        officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    code
}

async fn assign_to(app: &TestApp, token: &str, code: &str, who: &str) {
    let due = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    act(
        app,
        token,
        code,
        "assign_step",
        json!({"index": 0, "name": "Thẩm định hồ sơ", "role": "specialist", "assignee": who, "due": due}),
    )
    .await;
}

#[tokio::test]
async fn ui_workspace_queue_colours_due_dates_and_searches_without_diacritics() {
    let (app, [officer, specialist, _leader, _citizen, _stranger]) = setup().await;
    let me = user_id(&app, &specialist).await;
    let late = at_department(&app, &officer, "Nguyễn Thị Hồng Nhung").await;
    let other = at_department(&app, &officer, "Trần Văn Bình").await;
    let unassigned = at_department(&app, &officer, "Lê Thị Mai").await;
    assign_to(&app, &specialist, &late, &me).await;
    assign_to(&app, &specialist, &other, &me).await;
    // One of them overdue: its appointment set to the moment it was received.
    execute(
        &app,
        &format!("UPDATE dossiers SET appointment = received_at WHERE code = '{late}'"),
    )
    .await;

    let (b, _) = browser(&app, "chuyenvien").await;
    let (s, html) = get(&b, &app, "/xu-ly?tab=mine").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Xử lý hồ sơ") && html.contains("Của tôi") && html.contains("Sắp đến hạn")
    );
    let row = row_of(&html, &late);
    assert!(row.contains("<tr class=\"late\""), "{row}");
    assert!(
        row.contains("Quá hạn"),
        "the colour is said in words too: {row}"
    );
    assert!(row.contains("Nguyễn Thị Hồng Nhung"));
    let row = row_of(&html, &other);
    assert!(
        !row.contains("class=\"late\"") && !row.contains("Quá hạn"),
        "{row}"
    );
    assert!(
        !html.contains(&unassigned),
        "\"Của tôi\" holds only my dossiers"
    );
    // Each tab says how many it holds: mine 2, the agency's 3, 1 overdue.
    let count = |html: &str, tab: &str| {
        html.split(&format!("id=\"tab-{tab}-count\">"))
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        ["mine", "agency", "waiting", "overdue"].map(|t| count(&html, t)),
        ["2", "3", "1", "1"]
    );
    // No one holds a step of it yet: it waits for assignment.
    let (_, waiting) = get(&b, &app, "/xu-ly?tab=waiting").await;
    assert!(waiting.contains(&unassigned) && !waiting.contains(&late));
    // The counts follow the filters.
    let (_, filtered) = get(&b, &app, "/xu-ly?tab=mine&q=tran+van+binh").await;
    assert_eq!(
        ["mine", "agency", "waiting", "overdue"].map(|t| count(&filtered, t)),
        ["1", "1", "0", "0"]
    );

    // Search without diacritics.
    let (s, html) = get(&b, &app, "/xu-ly?tab=mine&q=tran+van+binh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&other) && !html.contains(&late), "{html}");
    let (_, html) = get(&b, &app, "/xu-ly?tab=mine&q=nguyen%20hong").await;
    assert!(html.contains(&late) && !html.contains(&other));

    // The overdue tab; the agency tab has the unassigned one too.
    let (_, html) = get(&b, &app, "/xu-ly?tab=overdue").await;
    assert!(html.contains(&late) && !html.contains(&other));
    let (_, html) = get(&b, &app, "/xu-ly?tab=agency").await;
    assert!(html.contains(&late) && html.contains(&other) && html.contains(&unassigned));
    assert!(
        !html.contains("id=\"bulk-form\""),
        "bulk assignment is the leaders'"
    );

    // htmx asks for the table only.
    let res = b
        .get(app.url("/xu-ly?tab=mine&q=tran%20van"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let frag = res.text().await.unwrap();
    assert!(frag.trim_start().starts_with("<div id=\"queue\""), "{frag}");
    assert!(!frag.contains("<html") && !frag.contains("queue-filters"));
    assert!(frag.contains(&other) && !frag.contains(&late));
    assert!(frag.contains("every 60s"), "the table refreshes itself");

    // Not for citizens.
    let (c, _) = browser(&app, "congdan").await;
    let (s, html) = get(&c, &app, "/xu-ly").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("Không có quyền truy cập"));
    // Signed out: to the login page.
    let res = client().get(app.url("/xu-ly")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn ui_workspace_dossier_page_offers_exactly_the_allowed_actions() {
    let (app, [officer, specialist, _leader, _citizen, _stranger]) = setup().await;
    let me = user_id(&app, &specialist).await;
    let code = at_department(&app, &officer, "Nguyễn Thị Hồng Nhung").await;
    assign_to(&app, &specialist, &code, &me).await;
    let path = format!("/ho-so/{code}");

    let (b, _) = browser(&app, "chuyenvien").await;
    let (s, html) = get(&b, &app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Nguyễn Thị Hồng Nhung") && html.contains("Sở Tư pháp Thanh Hóa"));
    assert!(html.contains("038199012345"), "officers see the ID number");
    for label in [
        "Nộp hồ sơ trực tiếp",
        "Tiếp nhận hồ sơ, hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan có thẩm quyền",
        "Phân công xử lý",
    ] {
        assert!(html.contains(label), "timeline has {label}");
    }
    assert!(html.contains("Thẩm định hồ sơ"));
    let offered = |html: &str| -> Vec<String> {
        html.match_indices("data-action=\"")
            .map(|(i, _)| html[i + 13..].split('"').next().unwrap().to_string())
            .collect()
    };
    let specialist_actions = offered(&html);
    for a in [
        "complete_step",
        "request_supplement",
        "transfer",
        "assign_step",
        "stop",
    ] {
        assert!(
            specialist_actions.contains(&a.to_string()),
            "{a}: {specialist_actions:?}"
        );
    }
    for a in [
        "approve",
        "reject",
        "receive",
        "return_result",
        "forward",
        "record_result",
    ] {
        assert!(
            !specialist_actions.contains(&a.to_string()),
            "{a}: {specialist_actions:?}"
        );
    }

    let (l, _) = browser(&app, "lanhdao").await;
    let (s, html) = get(&l, &app, &path).await;
    assert_eq!(s, StatusCode::OK);
    let leader_actions = offered(&html);
    for a in ["approve", "reject", "request_supplement", "transfer"] {
        assert!(
            leader_actions.contains(&a.to_string()),
            "{a}: {leader_actions:?}"
        );
    }
    assert!(html.contains("Phê duyệt"));
    // Whose turn: the step and who holds it.
    let turn = html
        .split("id=\"summary-turn\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(turn.starts_with("Đang xử lý bước «"), "{turn}");
    // Refusing ends the dossier: set apart after the others, sent only when confirmed.
    let pos = |a: &str| leader_actions.iter().position(|x| x == a).unwrap();
    assert!(pos("reject") > pos("approve") && pos("reject") > pos("transfer"));
    let heading = html
        .find("id=\"destructive-h\"")
        .expect("the destructive section");
    assert!(heading < html.find("id=\"action-reject\"").unwrap());
    assert!(heading > html.find("id=\"action-approve\"").unwrap());
    assert!(html.contains("id=\"reject-confirm\" name=\"confirm\" value=\"1\" required"));
    // A leader may reassign the specialist's step (acting as leader, not as a specialist).
    assert!(
        leader_actions.contains(&"assign_step".to_string()),
        "{leader_actions:?}"
    );
    let leader_token = app.token("lanhdao", crate::support::PASSWORD).await;
    let leader_id = user_id(&app, &leader_token).await;
    assign_to(&app, &leader_token, &code, &leader_id).await;
    let d = dossier(&app, &leader_token, &code).await;
    assert_eq!(
        d["timeline"].as_array().unwrap().last().unwrap()["actor_role"],
        "leader",
        "{d}"
    );

    // The receiving officer sees the page, without the handlers' actions.
    let (o, _) = browser(&app, "tiepnhan").await;
    let (s, html) = get(&o, &app, &path).await;
    assert_eq!(s, StatusCode::OK);
    let officer_actions = offered(&html);
    for a in ["approve", "complete_step", "transfer", "receive"] {
        assert!(
            !officer_actions.contains(&a.to_string()),
            "{a}: {officer_actions:?}"
        );
    }

    // A citizen, an officer of another province: 403.
    for who in ["congdan", "tiepnhan.hn"] {
        let (c, _) = browser(&app, who).await;
        let (s, html) = get(&c, &app, &path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        assert!(html.contains("Không có quyền truy cập"), "{who}");
        assert!(!html.contains("038199012345"), "{who}");
    }
    let (s, _) = get(&b, &app, "/ho-so/000.00.01.H38-000101-9999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ui_workspace_actions_keep_input_refuse_stale_and_unsigned_forms_and_approve() {
    let (app, [officer, specialist, leader, _citizen, _stranger]) = setup().await;
    let me = user_id(&app, &specialist).await;
    let code = at_department(&app, &officer, "Nguyễn Thị Hồng Nhung").await;
    assign_to(&app, &specialist, &code, &me).await;
    let version = dossier(&app, &specialist, &code).await["version"]
        .as_i64()
        .unwrap();
    let v = version.to_string();
    let (b, csrf) = browser(&app, "chuyenvien").await;

    // A missing reason: 422, the message next to the field, what was typed kept, no event.
    let (s, html) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/request_supplement"),
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("reason", "  "),
            ("missing", "Bản sao giấy chứng sinh"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(
        "<span class=\"field-error\" id=\"request_supplement-reason-error\">Vui lòng nhập lý do.</span>"
    ));
    assert!(html.contains("aria-describedby=\"request_supplement-reason-error\""));
    assert!(
        html.contains(">Bản sao giấy chứng sinh</textarea>"),
        "typed text kept"
    );
    assert!(html.contains(
        "<details id=\"action-request_supplement\" data-action=\"request_supplement\" open>"
    ));
    assert_eq!(dossier(&app, &specialist, &code).await["version"], version);

    // A stale version: the Vietnamese conflict message, no event.
    let stale = (version - 1).to_string();
    let (s, html) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/complete_step"),
        &[
            ("csrf", &csrf),
            ("version", &stale),
            ("note", "Đủ điều kiện"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("Hồ sơ vừa được người khác cập nhật, vui lòng tải lại trang"));
    assert!(html.contains(">Đủ điều kiện</textarea>"));
    assert_eq!(dossier(&app, &specialist, &code).await["version"], version);

    // Without the CSRF token: refused, nothing happens.
    let (s, _) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/complete_step"),
        &[("version", &v), ("note", "Đủ điều kiện")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(dossier(&app, &specialist, &code).await["version"], version);

    // A specialist cannot approve, even by posting the form.
    let (s, _) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/approve"),
        &[("csrf", &csrf), ("version", &v)],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(dossier(&app, &specialist, &code).await["version"], version);

    // The step is completed through the page.
    let res = b
        .post(app.url(&format!("/ho-so/{code}/thao-tac/complete_step")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &v),
            ("note", "Đủ điều kiện"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let next = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(next, format!("/ho-so/{code}?ok=complete_step"));
    let (_, html) = get(&b, &app, &next).await;
    assert!(html.contains("Đã thực hiện: Hoàn thành bước xử lý."));
    assert!(
        html.contains("Bước 1: Đủ điều kiện"),
        "the note on the timeline"
    );
    let d = dossier(&app, &specialist, &code).await;
    assert_eq!(d["version"].as_i64(), Some(version + 1));

    // The leader approves through the page.
    let (l, lcsrf) = browser(&app, "lanhdao").await;
    let v = d["version"].to_string();
    let (s, _) = post(
        &l,
        &app,
        &format!("/ho-so/{code}/thao-tac/approve"),
        &[("csrf", &lcsrf), ("version", &v), ("note", "Đồng ý")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let d = dossier(&app, &leader, &code).await;
    assert_eq!(d["status"], "approved", "{d}");
    let (_, html) = get(&l, &app, &format!("/ho-so/{code}")).await;
    assert!(html.contains("Đã phê duyệt") && html.contains("Đồng ý"));
}

#[tokio::test]
async fn ui_workspace_bulk_assignment_reports_each_dossier() {
    let (app, [officer, specialist, _leader, _citizen, _stranger]) = setup().await;
    let me = user_id(&app, &specialist).await;
    let a = at_department(&app, &officer, "Nguyễn Thị Hồng Nhung").await;
    let b2 = at_department(&app, &officer, "Trần Văn Bình").await;
    // Received at the centre, not forwarded: no step can be assigned yet.
    let (_, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    let waiting = d["code"].as_str().unwrap().to_string();

    let (l, _) = browser(&app, "lanhdao").await;
    let (s, html) = get(&l, &app, "/xu-ly?tab=agency").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"bulk-form\""), "leaders assign in bulk");
    assert!(html.contains(&a) && html.contains(&b2) && html.contains(&waiting));
    assert!(
        html.contains(&format!("value=\"{me}\"")),
        "the specialist is offered"
    );
    let csrf = csrf_from(&html);
    let due = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();

    // Nothing chosen: said plainly.
    let (s, html) = post(
        &l,
        &app,
        "/xu-ly/phan-cong",
        &[("csrf", &csrf), ("assignee", &me), ("due", &due)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Chưa chọn hồ sơ nào để phân công."));

    // No CSRF: refused.
    let (s, _) = post(
        &l,
        &app,
        "/xu-ly/phan-cong",
        &[("codes", a.as_str()), ("assignee", &me), ("due", &due)],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, html) = post(
        &l,
        &app,
        "/xu-ly/phan-cong",
        &[
            ("csrf", &csrf),
            ("codes", &a),
            ("codes", &b2),
            ("codes", &waiting),
            ("assignee", &me),
            ("due", &due),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Đã phân công <strong>2</strong> hồ sơ"),
        "{html}"
    );
    assert!(html.contains("<strong>1</strong> hồ sơ không phân công được"));
    assert!(row_of(&html, &a).contains("bulk-ok"));
    assert!(row_of(&html, &b2).contains("bulk-ok"));
    let refused = row_of(&html, &waiting);
    assert!(
        refused.contains("bulk-refused") && refused.contains("Không thực hiện được"),
        "{refused}"
    );
    for code in [&a, &b2] {
        let d = dossier(&app, &specialist, code).await;
        assert_eq!(d["state"]["active_step"]["assignee"], json!(me), "{d}");
    }
    let d = dossier(&app, &officer, &waiting).await;
    assert_eq!(d["status"], "received", "the refused one is unchanged");

    // The specialist now finds both in "Của tôi".
    let (sb, _) = browser(&app, "chuyenvien").await;
    let (_, html) = get(&sb, &app, "/xu-ly?tab=mine").await;
    assert!(html.contains(&a) && html.contains(&b2) && !html.contains(&waiting));
}

#[tokio::test]
async fn ui_workspace_apology_transfer_result_and_return_through_the_page() {
    let (app, [officer, specialist, leader, _citizen, _stranger]) = setup().await;
    let me = user_id(&app, &specialist).await;
    let code = at_department(&app, &officer, "Nguyễn Thị Hồng Nhung").await;
    assign_to(&app, &specialist, &code, &me).await;
    let (b, csrf) = browser(&app, "chuyenvien").await;
    let version = |d: &Value| d["version"].as_i64().unwrap().to_string();

    // Apology and extension: the new appointment typed in Vietnam time.
    let d = dossier(&app, &specialist, &code).await;
    let appointment =
        chrono::NaiveDateTime::parse_from_str(d["appointment"].as_str().unwrap(), "%Y-%m-%dT%H:%M")
            .unwrap();
    let new_at = appointment + chrono::Duration::days(5);
    let new = new_at.format("%Y-%m-%dT%H:%M").to_string();
    // Typed as people write it: day/month/year hour:minute.
    let typed = new_at.format("%d/%m/%Y %H:%M").to_string();
    let (_, html) = get(&b, &app, &format!("/ho-so/{code}")).await;
    assert!(
        html.contains("id=\"apologize-new_appointment\"")
            && html.contains("placeholder=\"dd/mm/yyyy hh:mm\"")
            && !html.contains("type=\"datetime-local\""),
        "the new appointment is a dd/mm/yyyy text field"
    );
    let res = b
        .post(app.url(&format!("/ho-so/{code}/thao-tac/apologize")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &version(&d)),
            ("reason", "Cần xác minh thêm tại địa phương"),
            ("new_appointment", &typed),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let d = dossier(&app, &specialist, &code).await;
    assert_eq!(d["appointment"].as_str(), Some(new.as_str()), "{d}");
    let (_, html) = get(&b, &app, &format!("/ho-so/{code}")).await;
    assert!(html.contains("Xin lỗi và gia hạn thời gian giải quyết"));
    assert!(
        !html.contains("data-action=\"apologize\""),
        "once per dossier"
    );

    // Step done, the leader approves, the specialist records the result, the counter returns it.
    act(
        &app,
        &specialist,
        &code,
        "complete_step",
        json!({"index": 0}),
    )
    .await;
    act(&app, &leader, &code, "approve", json!({})).await;
    let d = dossier(&app, &specialist, &code).await;
    let (s, html) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/record_result"),
        &[
            ("csrf", &csrf),
            ("version", &version(&d)),
            ("result_code", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"record_result-result_code-error\""));
    let (s, _) = post(
        &b,
        &app,
        &format!("/ho-so/{code}/thao-tac/record_result"),
        &[
            ("csrf", &csrf),
            ("version", &version(&d)),
            ("result_code", "KS-2025-000123"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (o, ocsrf) = browser(&app, "tiepnhan").await;
    let (_, html) = get(&o, &app, &format!("/ho-so/{code}")).await;
    assert!(
        html.contains("data-action=\"return_result\""),
        "the counter returns the result"
    );
    let d = dossier(&app, &officer, &code).await;
    // At the counter without who collects it: back with the message, not returned.
    let (s, html) = post(
        &o,
        &app,
        &format!("/ho-so/{code}/thao-tac/return_result"),
        &[
            ("csrf", &ocsrf),
            ("version", &version(&d)),
            ("via", "counter"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Cần ghi họ tên người nhận kết quả."),
        "{html}"
    );
    assert_eq!(dossier(&app, &officer, &code).await["status"], "done");
    let (s, _) = post(
        &o,
        &app,
        &format!("/ho-so/{code}/thao-tac/return_result"),
        &[
            ("csrf", &ocsrf),
            ("version", &version(&d)),
            ("via", "counter"),
            ("collector_name", "Trần Văn Bình"),
            ("collector_id", "038199012346"),
            ("on_behalf", "1"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let d = dossier(&app, &officer, &code).await;
    assert_eq!(d["status"], "returned");
    assert_eq!(d["state"]["returned_to"]["name"], "Trần Văn Bình", "{d}");
    assert_eq!(d["state"]["returned_to"]["on_behalf"], true);
    // The control sheet names who collected it.
    let sheet = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/control_sheet")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sheet.contains("Trần Văn Bình (nhận thay)"), "{sheet}");

    // Transfer (liên thông) of another dossier: the agency chosen by name, those applying the
    // procedure first; an unknown code (a forged form) is refused.
    let admin = app.user("qt.tinh", "admin", Some("000.00.00.H38")).await;
    let (s, applied) = app
        .send(
            Method::PUT,
            "/api/v1/agencies/000.00.01.H38/procedures/1.001193",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{applied}");
    app.agency(
        "000.00.05.H38",
        "Sở Tài chính Thanh Hóa",
        "department",
        Some("000.00.00.H38"),
    )
    .await;
    let other = at_department(&app, &officer, "Trần Văn Bình").await;
    assign_to(&app, &specialist, &other, &me).await;
    let d = dossier(&app, &specialist, &other).await;
    let (_, html) = get(&b, &app, &format!("/ho-so/{other}")).await;
    let select = html
        .split("<select id=\"transfer-to\" name=\"to\"")
        .nth(1)
        .expect("the agency is chosen from a list")
        .split("</select>")
        .next()
        .unwrap();
    let suggested = select
        .split("<optgroup label=\"Cùng giải quyết thủ tục này\">")
        .nth(1)
        .expect("a group of agencies applying the procedure")
        .split("</optgroup>")
        .next()
        .unwrap();
    assert!(
        suggested.contains("value=\"000.00.01.H38\">Trung tâm PVHCC Thanh Hóa</option>"),
        "{select}"
    );
    let others = select
        .split("<optgroup label=\"Các cơ quan khác\">")
        .nth(1)
        .expect("the rest of the province")
        .split("</optgroup>")
        .next()
        .unwrap();
    assert!(
        others.contains("value=\"000.00.05.H38\">Sở Tài chính Thanh Hóa</option>"),
        "by name: {select}"
    );
    assert!(
        !select.contains(">Sở Tư pháp Thanh Hóa<"),
        "not the agency holding the dossier"
    );
    assert!(!select.contains("Hà Nội"), "not another province");
    let (s, html) = post(
        &b,
        &app,
        &format!("/ho-so/{other}/thao-tac/transfer"),
        &[
            ("csrf", &csrf),
            ("version", &version(&d)),
            ("to", "000.00.77.H38"),
            ("reason", "Thuộc thẩm quyền cơ quan khác"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Không tìm thấy cơ quan có mã &#34;000.00.77.H38&#34;."));
    assert!(html.contains(">Thuộc thẩm quyền cơ quan khác</textarea>"));
    let (s, _) = post(
        &b,
        &app,
        &format!("/ho-so/{other}/thao-tac/transfer"),
        &[
            ("csrf", &csrf),
            ("version", &version(&d)),
            ("to", "000.00.01.H38"),
            ("reason", "Thuộc thẩm quyền cơ quan khác"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let d = dossier(&app, &officer, &other).await;
    assert_eq!(d["state"]["agency"], "000.00.01.H38", "{d}");
}

/// The counter's actions are authorised where the dossier was lodged, and the page offers
/// them there: the receiving officer of the service centre collects the fee of a dossier
/// forwarded to the department (page and API agree), the department's specialist is not
/// offered it.
#[tokio::test]
async fn ui_workspace_offers_the_fee_at_the_counter_where_the_api_authorises_it() {
    let (app, [officer, specialist, _leader, citizen, _stranger]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), body("online"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    act(
        &app,
        &officer,
        &code,
        "receive",
        json!({"fee_due_vnd": 50000}),
    )
    .await;
    act(
        &app,
        &officer,
        &code,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    let path = format!("/ho-so/{code}");
    let offered = |html: &str| -> Vec<String> {
        html.match_indices("data-action=\"")
            .map(|(i, _)| html[i + 13..].split('"').next().unwrap().to_string())
            .collect()
    };

    let (o, _) = browser(&app, "tiepnhan").await;
    let (s, html) = get(&o, &app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let at_counter = offered(&html);
    assert!(
        at_counter.contains(&"collect_fee".to_string()),
        "{at_counter:?}"
    );
    let (c, _) = browser(&app, "chuyenvien").await;
    let (s, html) = get(&c, &app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let at_department = offered(&html);
    assert!(
        !at_department.contains(&"collect_fee".to_string()),
        "{at_department:?}"
    );

    let fee = json!({"amount_vnd": 50000, "method": "cash", "receipt_no": "BL-0001"});
    let d = dossier(&app, &specialist, &code).await;
    let mut refused = fee.clone();
    refused["version"] = d["version"].clone();
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/collect_fee"),
            Some(&specialist),
            refused,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let paid = act(&app, &officer, &code, "collect_fee", fee).await;
    assert_eq!(paid["state"]["fee_collected_vnd"], 50000, "{paid}");
}
