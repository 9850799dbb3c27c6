//! Administrative units: the real 2025 and pre-2025 data, searched the way people type.

use crate::support::{TestApp, names};
use reqwest::StatusCode;

#[tokio::test]
async fn accent_free_search_finds_hoa_hiep_first() {
    let app = TestApp::new().await;
    let (status, body) = app
        .get_json("/api/v1/units?q=hoa%20hiep&at=2025-08-01")
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = names(&body);
    assert!(found.len() >= 2, "{found:?}");
    // Every commune really named "Hòa Hiệp" comes before "Hiệp Hòa" (same words, other order).
    let first_other = found
        .iter()
        .position(|n| !n.ends_with("Hòa Hiệp") && !n.ends_with("Hoà Hiệp"));
    let last_exact = found
        .iter()
        .rposition(|n| n.ends_with("Hòa Hiệp") || n.ends_with("Hoà Hiệp"));
    assert!(last_exact.is_some(), "{found:?}");
    if let (Some(o), Some(e)) = (first_other, last_exact) {
        assert!(e < o, "phrase matches first: {found:?}");
    }
    assert_eq!(body["total"].as_i64().unwrap() as usize, found.len());
}

#[tokio::test]
async fn tone_placement_does_not_matter_but_tones_do() {
    let app = TestApp::new().await;
    let new_style = names(
        &app.get_json("/api/v1/units?q=Ho%C3%A0%20Hi%E1%BB%87p")
            .await
            .1,
    ); // Hoà Hiệp
    let old_style = names(
        &app.get_json("/api/v1/units?q=H%C3%B2a%20Hi%E1%BB%87p")
            .await
            .1,
    ); // Hòa Hiệp
    assert!(!new_style.is_empty());
    assert_eq!(new_style, old_style);
    // "Hóa" (sắc) is another word than "Hòa" (huyền): a typed accent discriminates...
    let hoa_sac = names(
        &app.get_json("/api/v1/units?q=Thanh%20H%C3%B3a&level=province")
            .await
            .1,
    );
    assert_eq!(hoa_sac, vec!["Tỉnh Thanh Hóa"]);
    let hoa_huyen = names(
        &app.get_json("/api/v1/units?q=Thanh%20H%C3%B2a&level=province")
            .await
            .1,
    );
    assert!(hoa_huyen.is_empty(), "{hoa_huyen:?}");
    // ...while no accent matches both, and đ folds to d.
    let all = names(
        &app.get_json("/api/v1/units?q=dak%20lak&level=province")
            .await
            .1,
    );
    assert_eq!(all, vec!["Tỉnh Đắk Lắk"]);
}

#[tokio::test]
async fn units_are_effective_dated() {
    let app = TestApp::new().await;
    let (_, now) = app.get_json("/api/v1/units?level=province&limit=500").await;
    assert_eq!(now["total"], 34);
    let (_, communes) = app
        .get_json("/api/v1/units?level=commune&limit=1&at=2025-07-01")
        .await;
    assert_eq!(communes["total"], 3321);
    let (_, before) = app
        .get_json("/api/v1/units?level=province&limit=500&at=2025-06-30")
        .await;
    assert_eq!(before["total"], 63);
    let (_, districts) = app
        .get_json("/api/v1/units?level=district&limit=1&at=2024-01-01")
        .await;
    assert_eq!(districts["total"], 696);
    let (_, none) = app
        .get_json("/api/v1/units?level=district&limit=1&at=2025-07-01")
        .await;
    assert_eq!(none["total"], 0, "no district level since 1/7/2025");
    // Children of a province, in either era.
    let (_, hn) = app.get_json("/api/v1/units?parent=01&q=ba%20dinh").await;
    assert_eq!(names(&hn), vec!["Phường Ba Đình"]);
    let (_, old_hn) = app
        .get_json("/api/v1/units?parent=001&at=2020-01-01&limit=500")
        .await;
    assert!(names(&old_hn).contains(&"Phường Trúc Bạch".to_string()));
}

#[tokio::test]
async fn lineage_links_old_and_new_communes() {
    let app = TestApp::new().await;
    // 2025 Phường Ba Đình (00004) took in pre-2025 communes, among them Trúc Bạch (00004).
    let (status, body) = app.get_json("/api/v1/units/2025:commune:00004").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "Phường Ba Đình");
    let olds: Vec<&str> = body["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["old_code"].as_str().unwrap())
        .collect();
    assert!(olds.contains(&"00004"), "{olds:?}");
    let (_, old) = app.get_json("/api/v1/units/legacy:commune:00004").await;
    assert_eq!(old["name"], "Phường Trúc Bạch");
    assert_eq!(old["lineage"][0]["new_code"], "00004");
}

#[tokio::test]
async fn bad_unit_queries_are_refused_clearly() {
    let app = TestApp::new().await;
    let (status, body) = app.get_json("/api/v1/units?at=2025-13-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_date");
    assert!(body["message"].as_str().unwrap().contains("không hợp lệ"));
    let (status, body) = app.get_json("/api/v1/units?level=huyen").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_level");
    let (status, body) = app.get_json("/api/v1/units?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_query");
    let (status, body) = app.get_json("/api/v1/units/2025:commune:99999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    // Wildcards typed by a user are words, not patterns.
    let (status, body) = app.get_json("/api/v1/units?q=%25%25%25_").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["total"].as_i64().unwrap() > 3000,
        "punctuation-only query filters nothing"
    );
}
