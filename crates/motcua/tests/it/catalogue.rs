//! The procedure catalogue on the real national-portal data: import, search as people type,
//! versions and lifecycle, monthly statistics, agencies' workflows, export.

use std::io::Read;

use crate::support::TestApp;
use motcua_domain::catalogue::search;
use motcua_web::service::catalogue::import_dvc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The shipped crawl files' text.
pub fn shipped() -> String {
    let mut all = String::new();
    for part in ["part1", "part2"] {
        let path = format!(
            "{}/../../data/procedures-dvc-{part}.jsonl.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).expect("shipped catalogue");
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut all)
            .unwrap();
    }
    all
}

/// The shipped records whose code is in `codes`.
pub fn sample(codes: &[&str]) -> String {
    shipped()
        .lines()
        .filter(|l| {
            codes
                .iter()
                .any(|c| l.contains(&format!("\"ma_thu_tuc\": \"{c}\"")))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Imports the shipped catalogue's procedures `codes` into `store`, in force today.
pub async fn import(store: &dyn motcua_store::Store, codes: &[&str]) {
    motcua_web::service::catalogue::import_dvc(
        store,
        &sample(codes),
        motcua_domain::vn_time::today(),
        "test",
    )
    .await
    .unwrap();
}

fn codes(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

fn today() -> chrono::NaiveDate {
    motcua_domain::vn_time::today()
}

#[tokio::test]
async fn the_real_catalogue_imports_and_is_found_the_way_people_type() {
    let app = TestApp::new().await;
    let text = shipped();
    let r = import_dvc(app.store.as_ref(), &text, today(), "test")
        .await
        .unwrap();
    assert_eq!((r.records, r.created, r.failed), (2642, 2642, 0));
    let rate = r.channels_time_parsed as f64 / r.channels_stating_time as f64;
    assert!(rate >= 0.98, "time limits parsed: {rate}");
    let again = import_dvc(app.store.as_ref(), &text, today(), "test")
        .await
        .unwrap();
    assert_eq!(
        (again.unchanged, again.created, again.amended),
        (2642, 0, 0),
        "re-import is idempotent"
    );

    // (query, the procedure that must come first)
    let cases = [
        ("dang ky khai sinh", "1.001193"),
        ("Đăng ký khai sinh", "1.001193"),
        ("đăng kí kết hôn", "1.000894"),
        ("dang ki ket hon", "1.000894"),
        ("cap lai giay phep lai xe", "3.000348"),
        ("dang ky khai sinhh", "1.001193"),
        ("dang ky ket hno", "1.000894"),
        ("1.001193", "1.001193"),
        ("khai sinh luu dong", "1.003583"),
    ];
    for (q, first) in cases {
        let (s, body) = app
            .get_json(&format!("/api/v1/procedures?q={}", urlencode(q)))
            .await;
        assert_eq!(s, StatusCode::OK);
        let found = codes(&body);
        assert_eq!(
            found.first().map(String::as_str),
            Some(first),
            "{q}: {found:?}"
        );
    }
    // The same ranking on both backends: the top three are pinned.
    let (_, body) = app
        .get_json("/api/v1/procedures?q=dang%20ky%20khai%20sinh&limit=3")
        .await;
    assert_eq!(codes(&body), vec!["1.001193", "1.003583", "2.000528"]);
    // Issue 18: a typo in a word that is a real word elsewhere, or in a short word, still
    // finds the procedure first.
    for (q, first) in [
        ("chấp thận đăng ký đại lý chi, trả ngoại tệ", "1.000555"),
        ("khai thuế bảo vệ môi trưng", "1.008323"),
        ("mở tài khản lưu ký", "1.000134"),
        ("đăng ký/hay đổi phương pháp", "1.012339"),
    ] {
        let (_, body) = app
            .get_json(&format!("/api/v1/procedures?limit=3&q={}", urlencode(q)))
            .await;
        assert_eq!(
            codes(&body).first().map(String::as_str),
            Some(first),
            "{q}: {body}"
        );
    }
    // Every answer over HTTP, whatever the database, is the in-memory index's answer over the
    // shipped file itself: the first 60 held-out queries, first ten answers and totals.
    let mut procs: Vec<_> = motcua_domain::catalogue::parse_dvc_lines(&text)
        .map(|(_, p)| p.unwrap().procedure)
        .collect();
    procs.sort_by(|a, b| a.code.cmp(&b.code));
    let bodies: Vec<String> = procs
        .iter()
        .map(|p| motcua_domain::text::search_fold(&search::body_text(p)))
        .collect();
    let index = search::SearchIndex::build(procs.iter().zip(&bodies).map(|(p, b)| search::Doc {
        code: &p.code,
        name: &p.name,
        body: b,
    }));
    let eval = include_str!("../../../domain/tests/data/search-eval.tsv");
    for q in eval
        .lines()
        .skip(1)
        .take(60)
        .map(|l| l.split('\t').next().unwrap())
    {
        let want = index.search(q, |_| true, |_| false, 10);
        let (_, body) = app
            .get_json(&format!("/api/v1/procedures?limit=10&q={}", urlencode(q)))
            .await;
        let expected: Vec<String> = want.top.iter().map(|f| procs[f.doc].code.clone()).collect();
        assert_eq!(codes(&body), expected, "{q}");
        assert_eq!(body["total"].as_u64(), Some(want.total as u64), "{q}");
    }
    // Words that match nothing are reported, not fatal.
    let (_, body) = app
        .get_json("/api/v1/procedures?q=khai%20sinh%20qqqq")
        .await;
    assert_eq!(body["ignored_words"], json!(["qqqq"]));
    assert_eq!(codes(&body).first().map(String::as_str), Some("1.001193"));
    // Filters.
    let (_, body) = app
        .get_json("/api/v1/procedures?q=khai%20sinh&level=commune&limit=50")
        .await;
    assert!(!codes(&body).is_empty());
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["levels"].as_str().unwrap().contains(" commune "))
    );
    let (_, body) = app.get_json("/api/v1/procedures?online=none&limit=1").await;
    assert!(body["total"].as_i64().unwrap() > 100);
    let (s, body) = app.get_json("/api/v1/procedures/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["record"]["name"], "Thủ tục đăng ký khai sinh");
    assert_eq!(body["status"], "published");
    assert!(!body["record"]["channels"].as_array().unwrap().is_empty());
    let (s, _) = app.get_json("/api/v1/procedures/9.999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let month = today().format("%Y-%m").to_string();
    let (_, stats) = app
        .get_json(&format!("/api/v1/procedures/stats?month={month}"))
        .await;
    assert_eq!(stats["total"]["published"], 2642);
    assert_eq!(
        stats["by_body"]["Bộ Tư pháp"]["published"]
            .as_i64()
            .map(|n| n > 0),
        Some(true),
        "{}",
        stats["by_body"]
    );
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn procedures_have_versions_and_a_lifecycle() {
    let app = TestApp::new().await;
    import_dvc(app.store.as_ref(), &sample(&["1.001193"]), today(), "test")
        .await
        .unwrap();
    let admin = app.user("quantri", "admin", None).await;
    let officer = app.user("congdan", "citizen", None).await;
    let (_, base) = app.get_json("/api/v1/procedures/1.001193").await;
    let mut record = base["record"].clone();
    record["code"] = json!("9.000001");
    record["name"] = json!("Thủ tục thí điểm cấp bản sao trích lục khai sinh điện tử");

    let (s, _) = app
        .post("/api/v1/procedures", Some(&officer), record.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, draft) = app
        .post("/api/v1/procedures", Some(&admin), record.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["status"], "draft");
    let (s, dup) = app
        .post("/api/v1/procedures", Some(&admin), record.clone())
        .await;
    assert_eq!(
        (s, dup["error"].as_str()),
        (StatusCode::CONFLICT, Some("procedure_exists"))
    );
    let (_, found) = app
        .get_json("/api/v1/procedures?q=thi%20diem%20trich%20luc")
        .await;
    assert!(
        !codes(&found).contains(&"9.000001".to_string()),
        "drafts are not public: {found}"
    );

    let (s, published) = app
        .post(
            "/api/v1/procedures/9.000001/publish",
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{published}");
    let (_, found) = app
        .get_json("/api/v1/procedures?q=thi%20diem%20trich%20luc")
        .await;
    assert_eq!(codes(&found), vec!["9.000001"]);

    // An amendment takes effect on its date; the old version stays for earlier dates.
    let later = today() + chrono::Duration::days(30);
    let mut amended = record.clone();
    amended["name"] = json!("Thủ tục cấp bản sao trích lục khai sinh điện tử");
    let (s, v2) = app
        .send(
            Method::PUT,
            "/api/v1/procedures/9.000001",
            Some(&admin),
            Some(json!({"record": amended, "effective_from": later.to_string()})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["versions"].as_array().unwrap().len(), 2);
    let (_, now) = app
        .get_json(&format!("/api/v1/procedures/9.000001?at={}", today()))
        .await;
    assert_eq!(now["version"], 1);
    assert_eq!(now["record"]["name"], record["name"]);
    let (_, then) = app
        .get_json(&format!("/api/v1/procedures/9.000001?at={later}"))
        .await;
    assert_eq!(
        then["record"]["name"],
        "Thủ tục cấp bản sao trích lục khai sinh điện tử"
    );

    let (s, gone) = app
        .post(
            "/api/v1/procedures/9.000001/abolish",
            Some(&admin),
            json!({"on": today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(gone["status"], "abolished");
    let (_, found) = app
        .get_json("/api/v1/procedures?q=trich%20luc%20khai%20sinh%20dien%20tu")
        .await;
    assert!(
        !codes(&found).contains(&"9.000001".to_string()),
        "abolished procedures leave the public search: {found}"
    );
    let (s, e) = app
        .post(
            "/api/v1/procedures/9.000001/publish",
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_transition"))
    );
    let (s, e) = app
        .send(
            Method::PUT,
            "/api/v1/procedures/9.000001",
            Some(&admin),
            Some(json!({"record": amended, "effective_from": later.to_string()})),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("procedure_abolished"))
    );

    let (_, stats) = app
        .get_json(&format!(
            "/api/v1/procedures/stats?month={}",
            today().format("%Y-%m")
        ))
        .await;
    assert_eq!(stats["total"]["published"], 2, "{stats}");
    assert_eq!(stats["total"]["abolished"], 1);
    let (_, next) = app
        .get_json(&format!(
            "/api/v1/procedures/stats?month={}",
            later.format("%Y-%m")
        ))
        .await;
    assert_eq!(
        next["total"]["amended"], 1,
        "counted in the month it takes effect"
    );
    let (s, e) = app.get_json("/api/v1/procedures/stats?month=2025-13").await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_month"))
    );
}

#[tokio::test]
async fn agencies_apply_procedures_with_their_workflows() {
    let app = TestApp::new().await;
    import_dvc(
        app.store.as_ref(),
        &sample(&["1.001193", "1.000894"]),
        today(),
        "test",
    )
    .await
    .unwrap();
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.01.30.H38",
        "UBND phường Hạc Thành",
        "commune_committee",
        Some("000.00.00.H38"),
    )
    .await;
    let admin = app.user("qt.tinh", "admin", Some("000.00.00.H38")).await;
    let leader = app.user("lanhdao", "leader", Some("000.00.00.H38")).await;

    let path = "/api/v1/agencies/000.01.30.H38/procedures/1.001193";
    let (s, _) = app
        .send(Method::PUT, path, Some(&leader), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, applied) = app
        .send(Method::PUT, path, Some(&admin), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK, "{applied}");
    let steps = applied["workflow"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4, "default workflow");
    assert_eq!(steps[0]["role"], "receiving_officer");
    let total: u64 = steps.iter().map(|s| s["share"].as_u64().unwrap()).sum();
    let (_, rec) = app.get_json("/api/v1/procedures/1.001193").await;
    let counter = rec["record"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "counter")
        .unwrap()
        .clone();
    let days = counter["time"]["amount"].as_f64().unwrap();
    assert_eq!(
        total,
        (days * 100.0).round() as u64,
        "shares add up to the statutory time"
    );

    let bad = json!({"workflow": {"steps": [
        {"name": "Tiếp nhận", "role": "receiving_officer", "share": 10},
        {"name": "Xử lý", "role": "specialist", "share": 10}
    ]}});
    let (s, e) = app
        .send(
            Method::PUT,
            "/api/v1/agencies/000.01.30.H38/procedures/1.000894",
            Some(&admin),
            Some(bad),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("workflow_shares_mismatch")
        )
    );
    assert!(e["message"].as_str().unwrap().contains("phải bằng"));

    let (_, list) = app
        .get_json("/api/v1/agencies/000.01.30.H38/procedures")
        .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the refused workflow was not stored"
    );
    let (_, mine) = app
        .get_json("/api/v1/procedures?agency=000.01.30.H38")
        .await;
    assert_eq!(codes(&mine), vec!["1.001193"]);
}

#[tokio::test]
async fn the_catalogue_exports() {
    let app = TestApp::new().await;
    import_dvc(
        app.store.as_ref(),
        &sample(&["1.001193", "1.000894"]),
        today(),
        "test",
    )
    .await
    .unwrap();
    let res = app.get("/api/v1/procedures/export?format=jsonl").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], "1.000894");
    let csv = app
        .get("/api/v1/procedures/export?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("1.00")).count(),
        2,
        "{csv}"
    );
    assert!(csv.contains("Thủ tục đăng ký khai sinh"));
    let res = app.get("/api/v1/procedures/export?format=xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a real XLSX");
    let sheet = book
        .worksheet_range("Thủ tục hành chính")
        .expect("the sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "header and two procedures");
    assert_eq!(rows[0][0], "Mã thủ tục");
    assert_eq!(rows[2][0], "1.001193");
    assert_eq!(rows[2][1], "Thủ tục đăng ký khai sinh");
    let (s, e) = app.get_json("/api/v1/procedures/export?format=pdf").await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_format"))
    );
}
