//! Official forms through the API: a counter dossier's receipt as A4 HTML and as PDF (its text
//! extracted back, diacritics intact), the register of the day, refusals.

use reqwest::StatusCode;

use crate::dossiers::{body, setup};

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    squash(&doc.extract_text(&pages).expect("extractable text"))
}

#[tokio::test]
async fn a_counter_dossier_prints_its_receipt_and_register() {
    let (app, [officer, _specialist, _leader, citizen, stranger]) = setup().await;
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&officer), body("counter"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let name = d["applicant_name"].as_str().unwrap().to_string();

    let fetch = |path: String, token: String| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let kind = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (status, kind, res.bytes().await.unwrap().to_vec())
        }
    };
    let (s, kind, html) = fetch(
        format!("/api/v1/dossiers/{code}/forms/receipt"),
        officer.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = String::from_utf8(html).unwrap();
    for expected in [
        code.as_str(),
        name.as_str(),
        "Trung tâm PVHCC Thanh Hóa",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "size: A4",
        "/static/fonts/",
    ] {
        assert!(html.contains(expected), "the receipt shows {expected}");
    }

    let (s, kind, pdf) = fetch(
        format!("/api/v1/dossiers/{code}/forms/receipt?format=pdf"),
        officer.clone(),
    )
    .await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(text.contains(&code), "{text}");
    assert!(text.contains(&squash(&name)), "{text}");
    assert!(text.contains("TIẾP NHẬN HỒ SƠ"), "{text}");

    // The fonts the HTML names are served.
    let font = app.get("/static/fonts/LiberationSerif-Regular.ttf").await;
    assert_eq!(font.status(), StatusCode::OK);

    // A form that does not apply yet, an unknown one, a bad format, strangers.
    let (s, _, e) = fetch(
        format!("/api/v1/dossiers/{code}/forms/stop_notice"),
        officer.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&e));
    let (s, _, _) = fetch(
        format!("/api/v1/dossiers/{code}/forms/thu_tinh"),
        officer.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = fetch(
        format!("/api/v1/dossiers/{code}/forms/receipt?format=docx"),
        officer.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for other in [&citizen, &stranger] {
        let (s, _, _) = fetch(
            format!("/api/v1/dossiers/{code}/forms/receipt"),
            other.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    // The register of the day lists it.
    let today = motcua_domain::vn_time::today();
    let (s, kind, pdf) = fetch(
        format!("/api/v1/agencies/000.00.01.H38/register?from={today}&to={today}&format=pdf"),
        officer.clone(),
    )
    .await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf_text(&pdf).contains(&code));
    let (s, _, _) = fetch(
        format!("/api/v1/agencies/000.00.01.H38/register?from={today}&to={today}"),
        stranger.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
