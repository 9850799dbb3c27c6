//! Citizen feedback (phản ánh, kiến nghị): a report with a photo from submission to its
//! published answer through the API (the photo's GPS gone from the stored bytes, the place
//! taken from it when the person chose so), who may see and do what, the notices written at
//! each step, reactions, and the deadlines on the legal calendar (a refusal on the second
//! working day, a transfer restarting the clock) on days chosen by the test.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::auth::Role;
use motcua_domain::feedback::{
    Category, Contact, FeedbackAction, FeedbackActor, FeedbackCommand, FeedbackEvent,
    FeedbackStatus, Place, Report, Subject,
};
use motcua_store::OutboxQuery;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, browser, client, csrf_from, get_page};

const PROVINCE: &str = "000.00.00.H38";
const CENTRE: &str = "000.00.01.H38";
const WARD: &str = "000.00.31.H38";
const JUSTICE: &str = "000.00.02.H38";

/// An 8×8 grey baseline JPEG, with an EXIF segment when given.
fn jpeg(exif: Option<&[u8]>) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    if let Some(tiff) = exif {
        out.extend([0xFF, 0xE1]);
        out.extend(((tiff.len() + 8) as u16).to_be_bytes());
        out.extend(b"Exif\0\0");
        out.extend(tiff);
    }
    out.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend([1u8; 64]);
    out.extend([
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
    ]);
    for class in [0x00, 0x10] {
        out.extend([0xFF, 0xC4, 0x00, 0x14, class, 1]);
        out.extend([0u8; 15]);
        out.push(0x00);
    }
    out.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    out.extend([0x3F, 0xFF, 0xD9]);
    out
}

/// EXIF (TIFF) saying where and with what the photo was taken: 19°48'27" N, 105°46'30" E
/// (Thanh Hóa), a phone's make.
fn exif_with_gps() -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let r = |n: u32| Rational::from((n, 1));
    let fields = [
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"DienThoai".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(19), r(48), r(27)]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"E".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(105), r(46), r(30)]),
        },
    ];
    let mut w = exif::experimental::Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    w.write(&mut buf, false).expect("EXIF written");
    buf.into_inner()
}

fn gps_in(bytes: &[u8]) -> Option<(f64, f64)> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let deg = |t| match &exif.get_field(t, exif::In::PRIMARY)?.value {
        exif::Value::Rational(v) => {
            Some(v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0)
        }
        _ => None,
    };
    Some((deg(exif::Tag::GPSLatitude)?, deg(exif::Tag::GPSLongitude)?))
}

struct Fixture {
    app: TestApp,
    citizen: String,
    citizen2: String,
    officer: String,
    specialist: String,
    leader: String,
    ward_officer: String,
    justice: String,
}

async fn fixture() -> Fixture {
    fixture_with(None).await
}

async fn fixture_with(tiles: Option<&str>) -> Fixture {
    fixture_cfg(motcua_app::Config {
        map_tile_url: tiles.map(str::to_string),
        ..Default::default()
    })
    .await
}

async fn fixture_cfg(config: motcua_app::Config) -> Fixture {
    let app = TestApp::with_config(motcua_app::Config {
        lookups_per_minute: 100_000,
        ..config
    })
    .await;
    app.agency(PROVINCE, "UBND tỉnh Thanh Hóa", "province_committee", None)
        .await;
    app.agency(
        CENTRE,
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        Some(PROVINCE),
    )
    .await;
    app.agency(
        JUSTICE,
        "Sở Tư pháp Thanh Hóa",
        "department",
        Some(PROVINCE),
    )
    .await;
    app.agency_in(
        WARD,
        "UBND phường Hạc Thành",
        "commune_committee",
        Some(PROVINCE),
        Some("2025:commune:14797"),
    )
    .await;
    Fixture {
        citizen: app.user("congdan", "citizen", None).await,
        citizen2: app.user("congdan2", "citizen", None).await,
        officer: app.user("tiepnhan", "receiving_officer", Some(WARD)).await,
        specialist: app.user("chuyenvien", "specialist", Some(WARD)).await,
        leader: app.user("lanhdao", "leader", Some(WARD)).await,
        ward_officer: app
            .user("tiepnhan.tt", "receiving_officer", Some(CENTRE))
            .await,
        justice: app.user("chuyenvien.tp", "specialist", Some(JUSTICE)).await,
        app,
    }
}

async fn submit_multipart(
    app: &TestApp,
    token: Option<&str>,
    report: Value,
    photos: Vec<Vec<u8>>,
) -> (StatusCode, Value) {
    let text = report.to_string();
    let files: Vec<(&str, &str, &[u8])> = photos
        .iter()
        .map(|p| ("photo", "anh.jpg", p.as_slice()))
        .collect();
    let (content_type, body) = crate::ui_counter::multipart(&[("report", &text)], &files);
    let mut req = client()
        .post(app.url("/api/v1/feedback"))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = client().get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn act(app: &TestApp, token: &str, code: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/feedback/{code}/actions"),
        Some(token),
        body,
    )
    .await
}

async fn photo(app: &TestApp, url: &str, token: Option<&str>) -> (StatusCode, Vec<u8>) {
    let mut req = client().get(app.url(url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    (res.status(), res.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn a_photo_goes_in_without_its_gps_and_the_answer_comes_out_in_public() {
    let f = fixture().await;
    let app = &f.app;
    let tagged = jpeg(Some(&exif_with_gps()));
    assert!(gps_in(&tagged).is_some(), "the test photo carries GPS");
    let (s, receipt) = submit_multipart(
        app,
        Some(&f.citizen),
        json!({"about": "other", "title": "Đèn đường hỏng trước chợ",
            "content": "Ba cột đèn trước chợ Vườn Hoa không sáng từ tuần trước.",
            "commune": "14797", "place_from_photo": true,
            "name": "Nguyễn Thị Hồng Nhung", "phone": "0912 345 678", "email": "nhung@example.vn"}),
        vec![tagged.clone()],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{receipt}");
    let code = receipt["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("PA"), "{code}");
    // Found from the commune.
    assert_eq!(receipt["agency"], WARD);
    assert_eq!(receipt["status"], "submitted");

    // The staff of the ward see it whole, with the contact; the stored photo has no GPS and
    // no camera, and is not the bytes sent.
    let (s, view) = get(app, &format!("/api/v1/feedback/{code}"), Some(&f.officer)).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(view["contact"]["phone"], "0912345678");
    assert_eq!(view["place"]["commune"], "2025:commune:14797");
    let lat = view["place"]["lat"].as_f64().unwrap();
    let lon = view["place"]["lon"].as_f64().unwrap();
    assert!(
        (lat - 19.8075).abs() < 1e-4 && (lon - 105.775).abs() < 1e-4,
        "{view}"
    );
    let url = view["photos"][0]["url"].as_str().unwrap().to_string();
    let (s, stored) = photo(app, &url, Some(&f.officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(stored, tagged);
    assert_eq!(stored, jpeg(None), "only the metadata went");
    assert!(gps_in(&stored).is_none());
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&stored))
            .is_err(),
        "no EXIF at all"
    );
    // Before publication: the photo is not public; the look-up shows no content, no contact.
    assert_eq!(photo(app, &url, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        photo(app, &url, Some(&f.citizen2)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, public) = get(app, &format!("/api/v1/public/feedback/{code}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(public["content"].is_null() && public["photos"] == json!([]));
    assert!(!public.to_string().contains("0912345678"));
    // Another unit's staff and another citizen may not read it; its author may, without
    // acts of staff.
    for t in [&f.ward_officer, &f.citizen2] {
        assert_eq!(
            get(app, &format!("/api/v1/feedback/{code}"), Some(t))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
    }
    let (_, mine) = get(app, &format!("/api/v1/feedback/{code}"), Some(&f.citizen)).await;
    assert!(mine["contact"].is_null());
    assert_eq!(mine["actions"], json!(["withdraw"]));

    // The queue of the ward.
    let (s, queue) = get(app, "/api/v1/feedback", Some(&f.officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["due"]["key"], "on-track");

    // Receive, ask for more, the author supplements, draft, approve, publish.
    let v = view["version"].as_i64().unwrap();
    let (s, r) = act(
        app,
        &f.specialist,
        &code,
        json!({"version": v, "action": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    let (s, r) = act(
        app,
        &f.citizen2,
        &code,
        json!({"version": v, "action": "receive", "category": "regulation"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (s, r) = act(
        app,
        &f.officer,
        &code,
        json!({"version": v, "action": "receive", "category": "regulation"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "in_progress");
    let (s, r) = act(
        app,
        &f.officer,
        &code,
        json!({"version": v, "action": "ask_more", "what": "Ảnh chụp ban đêm"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version: {r}");
    assert_eq!(r["error"], "stale_version");
    let v = r["version"].as_i64().unwrap_or(v + 1);
    let (s, r) = act(
        app,
        &f.officer,
        &code,
        json!({"version": v, "action": "ask_more", "what": "Ảnh chụp ban đêm"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let v = r["version"].as_i64().unwrap();
    let (s, r) = act(
        app,
        &f.citizen2,
        &code,
        json!({"version": v, "action": "supplement", "content": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (s, r) = act(
        app,
        &f.citizen,
        &code,
        json!({"version": v, "action": "supplement", "content": "Đèn tắt từ 18 giờ."}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let v = r["version"].as_i64().unwrap();
    let (s, r) = act(
        app,
        &f.officer,
        &code,
        json!({"version": v, "action": "draft_answer", "answer": "x"}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a receiving officer does not answer: {r}"
    );
    let answer = "UBND phường đã thay bóng đèn ngày 05/12; đèn sáng lại bình thường.";
    let (s, r) = act(
        app,
        &f.specialist,
        &code,
        json!({"version": v, "action": "draft_answer", "answer": answer}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let v = r["version"].as_i64().unwrap();
    let (s, r) = act(
        app,
        &f.specialist,
        &code,
        json!({"version": v, "action": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (s, r) = act(
        app,
        &f.leader,
        &code,
        json!({"version": v, "action": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "awaiting_publication");
    let v = r["version"].as_i64().unwrap();
    let (s, r) = act(
        app,
        &f.officer,
        &code,
        json!({"version": v, "action": "publish"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "published");
    let v = r["version"].as_i64().unwrap();

    // In public now: content, answer, place and photo, never the contact.
    let (_, public) = get(app, &format!("/api/v1/public/feedback/{code}"), None).await;
    assert_eq!(public["answer"], answer);
    assert!(public["content"].as_str().unwrap().contains("Vườn Hoa"));
    assert_eq!(public["place"]["lat"], view["place"]["lat"]);
    let text = public.to_string();
    assert!(
        !text.contains("0912345678") && !text.contains("nhung@example.vn"),
        "{text}"
    );
    assert_eq!(photo(app, &url, None).await, (StatusCode::OK, jpeg(None)));
    let (_, list) = get(
        app,
        "/api/v1/public/feedback?q=den%20duong&agency=000.00.31.H38",
        None,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["code"], code.as_str());
    let (_, none) = get(
        app,
        "/api/v1/public/feedback?category=staff_behaviour",
        None,
    )
    .await;
    assert_eq!(none["total"], 0);

    // Reactions: one per account, changed by reacting again; anonymous may not.
    let (s, r) = act(
        app,
        &f.citizen2,
        &code,
        json!({"version": v, "action": "react", "like": false}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["likes"].clone(), r["dislikes"].clone()),
        (json!(0), json!(1))
    );
    assert!(r["contact"].is_null() && r["content"] == "", "{r}");
    let v = r["version"].as_i64().unwrap();
    let (_, r) = act(
        app,
        &f.citizen2,
        &code,
        json!({"version": v, "action": "react", "like": true}),
    )
    .await;
    let v = r["version"].as_i64().unwrap();
    let (_, r) = act(
        app,
        &f.citizen,
        &code,
        json!({"version": v, "action": "react", "like": true}),
    )
    .await;
    assert_eq!(
        (r["likes"].clone(), r["dislikes"].clone()),
        (json!(2), json!(0)),
        "{r}"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/feedback/{code}/actions"),
            None,
            json!({"version": v, "action": "react", "like": true}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Notices: the receipt, the request for more and the answer, by e-mail and SMS.
    let outbox = f
        .app
        .store
        .list_outbox(&OutboxQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut kinds: Vec<String> = outbox.items.iter().map(|m| m.kind.clone()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "feedback_more_asked",
            "feedback_more_asked",
            "feedback_published",
            "feedback_published",
            "feedback_submitted",
            "feedback_submitted"
        ]
    );
    assert!(
        outbox
            .items
            .iter()
            .all(|m| m.feedback_id.is_some() && m.dossier_id.is_none())
    );

    // The event log is a hash chain, as dossiers' are.
    let row = f.app.store.feedback_by_code(&code).await.unwrap();
    let events: Vec<_> = f
        .app
        .store
        .feedback_events(row.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.as_chain_event())
        .collect();
    motcua_store::verify_chain(&events, row.seq, &row.last_hash).expect("chain holds");
    assert_eq!(events.len(), 10);
}

#[tokio::test]
async fn bad_reports_are_refused_whole() {
    let f = fixture().await;
    let app = &f.app;
    let base =
        json!({"about": "other", "title": "Tiêu đề", "content": "Nội dung", "commune": "14797"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (
            with("about", json!("weather")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_subject",
        ),
        (
            with("title", json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "feedback_text_invalid",
        ),
        (
            with("title", json!("x".repeat(201))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "feedback_text_invalid",
        ),
        (
            with("phone", json!("12ab")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            with("lat", json!(48.85)).clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "feedback_place_invalid",
        ),
        (
            with("commune", json!("99999")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "feedback_unit_unknown",
        ),
        (
            json!({"about": "dossier", "code": "000.00.01.H38-261207-9999", "title": "t", "content": "c"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_dossier",
        ),
    ];
    for (body, status, code) in cases {
        let (s, r) = app.post("/api/v1/feedback", None, body.clone()).await;
        assert_eq!(
            (s, r["error"].as_str()),
            (status, Some(code)),
            "{body}: {r}"
        );
    }
    // Six photos; a PDF; a broken JPEG.
    let (s, r) = submit_multipart(app, None, base.clone(), vec![jpeg(None); 6]).await;
    assert_eq!(
        (s, r["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("feedback_too_many_photos")
        ),
        "{r}"
    );
    let pdf = crate::documents::pdf("x");
    let (s, r) = submit_multipart(app, None, base.clone(), vec![pdf]).await;
    assert_eq!(
        (s, r["error"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_file_type")
        ),
        "{r}"
    );
    let mut broken = jpeg(None);
    broken.truncate(broken.len() - 5);
    broken.extend([0xFF, 0xD9]);
    let (s, r) = submit_multipart(app, None, base.clone(), vec![broken]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    // Nothing was written.
    let page = app
        .store
        .list_feedback(&motcua_store::FeedbackQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    // Anonymous and JSON is fine, to the unit named.
    let (s, r) = app
        .post("/api/v1/feedback", None, with("agency", json!(CENTRE)))
        .await;
    assert_eq!(
        (s, r["agency"].as_str()),
        (StatusCode::CREATED, Some(CENTRE)),
        "{r}"
    );
}

fn at(day: &str, hour: u32) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    motcua_domain::vn_time::instant(d, chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap())
}

fn staff(user: Uuid, role: Role) -> FeedbackActor {
    FeedbackActor::Staff { user, role }
}

/// The deadlines on the legal calendar, through the application's one write path with the
/// instants chosen: submitted on Thursday 12 March 2026, the refusal deadline is the second
/// working day after it (Monday 16 March, over the weekend); refused that day it is on time,
/// the next day late. A transfer restarts the clock at the new unit.
#[tokio::test]
async fn deadlines_count_working_days_and_a_transfer_restarts_the_clock() {
    let f = fixture().await;
    let app = motcua_app::App::new(f.app.store.clone(), motcua_app::Config::default());
    let ward = f.app.store.get_agency_by_code(WARD).await.unwrap().id;
    let justice = f.app.store.get_agency_by_code(JUSTICE).await.unwrap().id;
    let officer = Uuid::now_v7();
    let report = || Report {
        subject: Subject::Other,
        title: "Đường ngập".into(),
        content: "Đường ngập sau mưa.".into(),
        photos: Vec::new(),
        place: Some(Place {
            lat: None,
            lon: None,
            commune: Some("2025:commune:14797".into()),
        }),
        contact: Contact::default(),
    };
    let submit = |day: &str| FeedbackCommand {
        at: at(day, 9),
        actor: FeedbackActor::Person { account: None },
        action: FeedbackAction::Submit {
            report: report(),
            agency: ward,
        },
    };
    let refuse = |day: &str| FeedbackCommand {
        at: at(day, 16),
        actor: staff(officer, Role::ReceivingOfficer),
        action: FeedbackAction::Refuse {
            reason: "Không thuộc phạm vi".into(),
        },
    };
    let late_of = |events: &[motcua_store::StoredFeedbackEvent]| -> bool {
        match serde_json::from_str(&events.last().unwrap().data).unwrap() {
            FeedbackEvent::Refused { late, .. } => late,
            other => panic!("{other:?}"),
        }
    };
    // Refused on the second working day: on time.
    let (a, s) = app.feedback_at(None, &submit("2026-03-12")).await.unwrap();
    let row = f.app.store.feedback_by_code(&a).await.unwrap();
    // 15 working days after Thursday 12 March: Thursday 2 April.
    assert_eq!(row.handle_by, NaiveDate::from_ymd_opt(2026, 4, 2));
    let d = s
        .deadlines(&app.calendar.get(app.store.as_ref()).await.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(d.refuse_by, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    assert_eq!(
        d.first_supplement_by,
        NaiveDate::from_ymd_opt(2026, 3, 19).unwrap()
    );
    let (_, s) = app
        .feedback_at(Some(&a), &refuse("2026-03-16"))
        .await
        .unwrap();
    assert_eq!(s.status, FeedbackStatus::Refused);
    let row = f.app.store.feedback_by_code(&a).await.unwrap();
    assert!(!late_of(
        &f.app.store.feedback_events(row.id).await.unwrap()
    ));
    assert_eq!(row.status, FeedbackStatus::Refused);
    assert!(row.closed_at.is_some());
    // On the third: late.
    let (b, _) = app.feedback_at(None, &submit("2026-03-12")).await.unwrap();
    app.feedback_at(Some(&b), &refuse("2026-03-17"))
        .await
        .unwrap();
    let row = f.app.store.feedback_by_code(&b).await.unwrap();
    assert!(late_of(&f.app.store.feedback_events(row.id).await.unwrap()));
    // Nothing after a refusal.
    let again = app.feedback_at(Some(&b), &refuse("2026-03-18")).await;
    assert!(
        matches!(again, Err(motcua_app::AppError::Conflict { .. })),
        "{again:?}"
    );

    // A transfer on Monday 23 March restarts the clock at the department: handled by the 15th
    // working day after it (Monday 13 April), not the ward's 2 April.
    let (c, _) = app.feedback_at(None, &submit("2026-03-12")).await.unwrap();
    app.feedback_at(
        Some(&c),
        &FeedbackCommand {
            at: at("2026-03-13", 10),
            actor: staff(officer, Role::ReceivingOfficer),
            action: FeedbackAction::Receive {
                category: Category::Regulation,
            },
        },
    )
    .await
    .unwrap();
    let (_, s) = app
        .feedback_at(
            Some(&c),
            &FeedbackCommand {
                at: at("2026-03-23", 10),
                actor: staff(officer, Role::Specialist),
                action: FeedbackAction::Transfer {
                    to_agency: justice,
                    reason: "Thuộc thẩm quyền Sở Tư pháp".into(),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (s.status, s.agency, s.transfers),
        (FeedbackStatus::Submitted, Some(justice), 1)
    );
    let row = f.app.store.feedback_by_code(&c).await.unwrap();
    assert_eq!(row.agency_id, justice);
    assert_eq!(row.handle_by, NaiveDate::from_ymd_opt(2026, 4, 13));
    // Now the department's queue holds it, not the ward's.
    let (_, q) = get(&f.app, "/api/v1/feedback", Some(&f.justice)).await;
    assert_eq!(q["total"], 1, "{q}");
    assert_eq!(q["items"][0]["code"], c.as_str());
    assert_eq!(q["items"][0]["due"]["key"], "late", "{q}");
    let (_, q) = get(&f.app, "/api/v1/feedback", Some(&f.officer)).await;
    assert_eq!(
        q["total"], 0,
        "refused and transferred: none left at the ward: {q}"
    );
}

/// The pages, as a phone's browser uses them: an anonymous person sends a photo from the form,
/// the ward's staff take it through their acts page by page, and the answer appears on the
/// public page (with the photo, its place listed and the map's tile server allowed by the
/// page's policy) and on the report's follow page.
#[tokio::test]
async fn the_pages_take_a_photo_to_a_published_answer() {
    let tiles = "https://tiles.example.vn/{z}/{x}/{y}.png";
    let f = fixture_with(Some(tiles)).await;
    let app = &f.app;
    let anon = client();
    let (s, html) = get_page(&anon, app, "/phan-anh/gui").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("capture=\"environment\""),
        "phone camera first"
    );
    let csrf = csrf_from(&html);
    let photo = jpeg(Some(&exif_with_gps()));
    let post = |fields: Vec<(&'static str, String)>| {
        let anon = anon.clone();
        let photo = photo.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = crate::ui_counter::multipart(&fields, &[("photo", "anh.jpg", &photo)]);
            let res = anon
                .post(app.url("/phan-anh/gui"))
                .header(reqwest::header::CONTENT_TYPE, ct)
                .body(body)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    // A mistake comes back with what was typed.
    let (s, html) = post(vec![
        ("csrf", csrf.clone()),
        ("about", "other".into()),
        ("title", "Ổ gà trên đường Lê Lợi".into()),
        ("content", "".into()),
        ("commune", "14797".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"form-error\"") && html.contains("Ổ gà trên đường Lê Lợi"));
    let (s, html) = post(vec![
        ("csrf", csrf.clone()),
        ("about", "other".into()),
        ("title", "Ổ gà trên đường Lê Lợi".into()),
        ("content", "Ổ gà sâu trước số 25, xe máy dễ ngã.".into()),
        ("commune", "14797".into()),
        ("place_from_photo", "1".into()),
        ("phone", "0912345678".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::CREATED, "{html}");
    let code = after(&html, "id=\"feedback-code\">");
    let code = code.split('<').next().unwrap().to_string();
    assert!(code.starts_with("PA"), "{code}");
    // Not yet public: the follow page shows the status, not the content.
    let (_, html) = get_page(&anon, app, &format!("/phan-anh/{code}")).await;
    assert!(
        html.contains("Chờ tiếp nhận") && !html.contains("Ổ gà sâu"),
        "{html}"
    );

    // The ward's staff, page by page.
    let (officer, _) = browser(app, "tiepnhan").await;
    let (specialist, _) = browser(app, "chuyenvien").await;
    let (leader, _) = browser(app, "lanhdao").await;
    let (_, html) = get_page(&officer, app, "/xu-ly/phan-anh").await;
    assert!(html.contains(&code) && html.contains("on-track"), "{html}");
    let act = |b: &reqwest::Client, fields: Vec<(&'static str, &'static str)>| {
        let b = b.clone();
        let code = code.clone();
        async move {
            let (s, html) = get_page(&b, app, &format!("/xu-ly/phan-anh/{code}")).await;
            assert_eq!(s, StatusCode::OK, "{html}");
            assert!(
                !html.contains("Ổ gà sâu") || html.contains("0912345678"),
                "staff see the contact"
            );
            let csrf = csrf_from(&html);
            let version = after(&html, "name=\"version\" value=\"");
            let mut form: Vec<(&str, String)> = vec![("csrf", csrf), ("version", version)];
            form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
            let res = b
                .post(app.url(&format!("/xu-ly/phan-anh/{code}/thao-tac")))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "{fields:?}: {}",
                res.text().await.unwrap()
            );
        }
    };
    act(
        &officer,
        vec![("action", "receive"), ("category", "regulation")],
    )
    .await;
    let (_, html) = get_page(&officer, app, &format!("/xu-ly/phan-anh/{code}")).await;
    assert!(
        !html.contains("id=\"act-draft_answer\""),
        "a receiving officer does not answer"
    );
    act(
        &specialist,
        vec![
            ("action", "draft_answer"),
            ("answer", "Đã vá ổ gà ngày 06/12."),
        ],
    )
    .await;
    act(&leader, vec![("action", "approve")]).await;
    act(&officer, vec![("action", "publish")]).await;

    // In public: the answer, the photo (no GPS in it), the place; the tile server allowed.
    let res = anon
        .get(app.url("/phan-anh?q=o%20ga"))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("img-src 'self' data: https://tiles.example.vn;"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains("Đã vá ổ gà ngày 06/12."), "{html}");
    assert!(
        html.contains(&format!("data-tiles=\"{}\"", tiles.replace('/', "&#x2f;")))
            || html.contains("data-tiles=\"https:"),
        "{html}"
    );
    assert!(
        html.contains("data-lat=\"19.807500\" data-lon=\"105.775000\""),
        "{html}"
    );
    assert!(html.contains("/static/vendor/leaflet/leaflet.js"));
    assert!(!html.contains("0912345678"));
    let src = after(&html, "<img src=\"");
    let bytes = anon
        .get(app.url(&src))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), jpeg(None).as_slice());
    assert_eq!(
        get_page(&anon, app, "/static/vendor/leaflet/leaflet.js")
            .await
            .0,
        StatusCode::OK
    );
    // The follow box leads to the report; signed in, one may like the answer.
    let res = anon
        .get(app.url(&format!("/phan-anh?ma={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (citizen, _) = browser(app, "congdan2").await;
    let (_, html) = get_page(&citizen, app, &format!("/phan-anh/{code}")).await;
    assert!(
        html.contains("id=\"react-form\"") && html.contains("Đã vá ổ gà"),
        "{html}"
    );
    let csrf = csrf_from(&html);
    let version = after(&html, "name=\"version\" value=\"");
    let res = citizen
        .post(app.url(&format!("/phan-anh/{code}/danh-gia")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("like", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_page(&anon, app, &format!("/phan-anh/{code}")).await;
    assert!(
        html.contains("Hài lòng: <span class=\"num\">1</span>"),
        "{html}"
    );
    // Without a tile server: no map, the places still listed.
    let plain = fixture().await;
    let html = client()
        .get(plain.app.url("/phan-anh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("feedback-map\"") && !html.contains("leaflet.js"));
}

/// The text after `marker` in `html`, up to the next double quote.
fn after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Takes a report through the API to its published answer; returns its code and photo URL.
async fn published_report(f: &Fixture) -> (String, String) {
    let app = &f.app;
    let (s, r) = submit_multipart(
        app,
        None,
        json!({"about": "other", "title": "Rác thải ven sông", "content": "Rác đổ ven sông Hạc.",
            "commune": "14797", "place_from_photo": true, "phone": "0912345678"}),
        vec![jpeg(Some(&exif_with_gps()))],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let code = r["code"].as_str().unwrap().to_string();
    let mut v = r["version"].as_i64().unwrap();
    for (token, body) in [
        (
            &f.officer,
            json!({"action": "receive", "category": "regulation"}),
        ),
        (
            &f.specialist,
            json!({"action": "draft_answer", "answer": "Đã thu gom rác ngày 06/12."}),
        ),
        (&f.leader, json!({"action": "approve"})),
        (&f.officer, json!({"action": "publish"})),
    ] {
        let mut body = body;
        body["version"] = json!(v);
        let (s, r) = act(app, token, &code, body).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        v = r["version"].as_i64().unwrap();
    }
    let (_, view) = get(app, &format!("/api/v1/feedback/{code}"), Some(&f.officer)).await;
    let photo = view["photos"][0]["url"].as_str().unwrap().to_string();
    (code, photo)
}

/// The spec's field names and XML, exactly, for one published request.
#[tokio::test]
async fn open311_speaks_the_spec_in_json_and_xml() {
    let f = fixture_cfg(motcua_app::Config {
        open311_api_keys: vec!["khoa-bi-mat".into()],
        public_url: "https://motcua.example.vn".into(),
        ..Default::default()
    })
    .await;
    let (code, photo) = published_report(&f).await;
    let app = &f.app;
    let (s, list) = get(app, &format!("/open311/v2/requests/{code}.json"), None).await;
    assert_eq!(s, StatusCode::OK);
    let r = &list[0];
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "address",
            "address_id",
            "agency_responsible",
            "description",
            "expected_datetime",
            "lat",
            "long",
            "media_url",
            "requested_datetime",
            "service_code",
            "service_name",
            "service_notice",
            "service_request_id",
            "status",
            "status_notes",
            "updated_datetime",
            "zipcode"
        ]
    );
    assert_eq!(r["status"], "closed");
    assert_eq!(r["status_notes"], "Đã thu gom rác ngày 06/12.");
    assert_eq!(r["agency_responsible"], "UBND phường Hạc Thành");
    assert_eq!(r["media_url"], format!("https://motcua.example.vn{photo}"));
    assert!(
        r["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+07:00"),
        "{r}"
    );
    assert!((r["lat"].as_f64().unwrap() - 19.8075).abs() < 1e-6);
    let xml = client()
        .get(app.url(&format!("/open311/v2/requests/{code}.xml")))
        .send()
        .await
        .unwrap();
    assert_eq!(xml.headers()["content-type"], "text/xml; charset=utf-8");
    let xml = xml.text().await.unwrap();
    assert!(xml.starts_with(&format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><service_request_id>{code}</service_request_id><status>closed</status><status_notes>Đã thu gom rác ngày 06/12.</status_notes><service_name>Phản ánh khác</service_name><service_code>other</service_code>"
    )), "{xml}");
    assert!(
        xml.contains("<address/>") && xml.ends_with("</request></service_requests>"),
        "{xml}"
    );
    // Services and a definition in XML; errors in the spec's shape.
    let services = client()
        .get(app.url("/open311/v2/services.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(services.contains("<services><service><service_code>other</service_code><service_name>Phản ánh khác</service_name>"), "{services}");
    assert!(
        services.contains("<metadata>false</metadata><type>realtime</type>"),
        "{services}"
    );
    let def = client()
        .get(app.url("/open311/v2/services/dossier.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(def.contains("<service_definition><service_code>dossier</service_code><attributes><attribute><variable>true</variable><code>code</code><datatype>string</datatype><required>true</required>"), "{def}");
    let (s, e) = get(app, "/open311/v2/services/pothole.json", None).await;
    assert_eq!(
        (s, e[0]["code"].clone()),
        (StatusCode::NOT_FOUND, json!(404)),
        "{e}"
    );
    let e = client()
        .get(app.url("/open311/v2/requests.xml?start_date=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    assert!(
        e.text().await.unwrap().contains(
            "<errors><error><code>400</code><description>start_date must be a W3C datetime"
        )
    );
    let (s, _) = get(
        app,
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "over 90 days");
    // Updates: received, drafted, approved, published (closed, with the answer).
    let (s, u) = get(app, "/open311/v2/servicerequestupdates.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let mine: Vec<&Value> = u
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["service_request_id"] == code.as_str())
        .collect();
    assert_eq!(mine.len(), 4, "{u}");
    assert_eq!(mine[3]["status"], "closed");
    assert_eq!(mine[3]["description"], "Đã thu gom rác ngày 06/12.");
    assert_eq!(mine[0]["update_id"], format!("{code}-2"));
}

/// A published Open311 client library (georeport, PyPI), driven from Python against the real
/// server, in JSON and XML; posting with the spec's form fields and an API key.
#[tokio::test]
async fn open311_works_with_a_published_client_library() {
    let f = fixture_cfg(motcua_app::Config {
        open311_api_keys: vec!["khoa-bi-mat".into()],
        ..Default::default()
    })
    .await;
    let (code, _) = published_report(&f).await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/open311-interop/client.py"
    );
    let root = f.app.url("/open311/v2");
    let out = tokio::process::Command::new("python3")
        .args([script, &root, "khoa-bi-mat", WARD, &code])
        .output()
        .await
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Open311 client failed: {stdout}\n{stderr}\n\
         It needs georeport: python3 -m pip install georeport==0.3.1 (scripts/test installs it)."
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    for fmt in ["json", "xml"] {
        let p = &seen[format!("published_{fmt}")];
        assert_eq!(p["service_request_id"], code.as_str(), "{fmt}: {p}");
        assert_eq!(p["status"], "closed", "{fmt}");
        assert_eq!(p["status_notes"], "Đã thu gom rác ngày 06/12.", "{fmt}");
        // XML gives text, JSON a number.
        assert!(p["lat"].to_string().contains("19.8075"), "{fmt}: {p}");
    }
    // The posted request went to the ward named as the jurisdiction, with its contact kept
    // private.
    let posted = seen["posted"].as_str().unwrap();
    let row = f.app.store.feedback_by_code(posted).await.unwrap();
    assert_eq!(
        row.agency_id,
        f.app.store.get_agency_by_code(WARD).await.unwrap().id
    );
    let (_, view) = get(
        &f.app,
        &format!("/api/v1/feedback/{posted}"),
        Some(&f.officer),
    )
    .await;
    assert_eq!(view["contact"]["name"], "Lan Trần");
    assert_eq!(view["contact"]["phone"], "0987654321");
    assert!(
        seen["updates_xml"]
            .as_str()
            .unwrap()
            .contains("<request_update>")
    );
}

/// Indicators 5.1–5.3 and the feedback term of 5.4 from the reports' events, on a workload
/// computed by hand for March 2026 at the ward:
///
/// | report | submitted | then | 5.2 (to handle / on time) | 5.3 (received / satisfactory) |
/// |---|---|---|---|---|
/// | A | 2 Mar | approved 10 Mar (due 23 Mar), published; 2 dislikes, 1 like | yes / yes | yes / no (disliked) |
/// | B | 2 Mar | staff behaviour; approved 25 Mar | yes / no | yes / no (late) |
/// | C | 16 Mar | open (due 6 Apr) | yes / yes | yes / no (D complains of it) |
/// | D | 20 Mar | about C's handling, open | yes / yes | yes / yes |
/// | E | 5 Mar | refused 6 Mar | — | — |
/// | F | 9 Mar | about a dossier, open (due 30 Mar) | yes / no (overdue on 31 Mar) | yes / no |
/// | G | 5 Jan | approved 3 Mar (late) | yes / no | — (not received in March) |
///
/// So 5.1: 4 of 5 about regulations; 5.2: 3 of 6 (3 points of 6); 5.3: 1 of 5 (1.2 points);
/// 5.4 counts F as a dossier with a PAKN.
#[tokio::test]
async fn the_index_counts_feedback_from_its_events() {
    let f = fixture().await;
    let app = motcua_app::App::new(f.app.store.clone(), motcua_app::Config::default());
    let ward = f.app.store.get_agency_by_code(WARD).await.unwrap().id;
    let officer = Uuid::now_v7();
    let staff_at = |role| staff(officer, role);
    let cmd =
        |day: &str, hour: u32, actor: FeedbackActor, action: FeedbackAction| FeedbackCommand {
            at: at(day, hour),
            actor,
            action,
        };
    let report = |subject: Subject| Report {
        subject,
        title: "Phản ánh".into(),
        content: "Nội dung phản ánh.".into(),
        photos: Vec::new(),
        place: Some(Place {
            lat: None,
            lon: None,
            commune: Some("2025:commune:14797".into()),
        }),
        contact: Contact::default(),
    };
    let submit = |day: &str, subject: Subject| {
        cmd(
            day,
            9,
            FeedbackActor::Person { account: None },
            FeedbackAction::Submit {
                report: report(subject),
                agency: ward,
            },
        )
    };
    let receive = |day: &str, category| {
        cmd(
            day,
            10,
            staff_at(Role::ReceivingOfficer),
            FeedbackAction::Receive { category },
        )
    };
    let draft = |day: &str| {
        cmd(
            day,
            11,
            staff_at(Role::Specialist),
            FeedbackAction::DraftAnswer {
                answer: "Trả lời.".into(),
            },
        )
    };
    let approve = |day: &str| cmd(day, 15, staff_at(Role::Leader), FeedbackAction::Approve);
    let run = |code: Option<String>, c: FeedbackCommand| {
        let app = app.clone();
        async move {
            app.feedback_at(code.as_deref(), &c)
                .await
                .expect("accepted")
                .0
        }
    };
    // A
    let a = run(None, submit("2026-03-02", Subject::Other)).await;
    run(Some(a.clone()), receive("2026-03-03", Category::Regulation)).await;
    run(Some(a.clone()), draft("2026-03-09")).await;
    run(Some(a.clone()), approve("2026-03-10")).await;
    run(
        Some(a.clone()),
        cmd(
            "2026-03-11",
            9,
            staff_at(Role::Leader),
            FeedbackAction::Publish,
        ),
    )
    .await;
    for (i, like) in [false, false, true].into_iter().enumerate() {
        let who = FeedbackActor::Person {
            account: Some(Uuid::from_u128(i as u128 + 1)),
        };
        run(
            Some(a.clone()),
            cmd("2026-03-12", 9, who, FeedbackAction::React { like }),
        )
        .await;
    }
    // B
    let b = run(None, submit("2026-03-02", Subject::StaffBehaviour)).await;
    run(
        Some(b.clone()),
        receive("2026-03-03", Category::StaffBehaviour),
    )
    .await;
    run(Some(b.clone()), draft("2026-03-24")).await;
    run(Some(b.clone()), approve("2026-03-25")).await;
    // C, D
    let c = run(None, submit("2026-03-16", Subject::Other)).await;
    run(
        None,
        submit("2026-03-20", Subject::Feedback { code: c.clone() }),
    )
    .await;
    // E
    let e = run(None, submit("2026-03-05", Subject::Other)).await;
    run(
        Some(e),
        cmd(
            "2026-03-06",
            9,
            staff_at(Role::ReceivingOfficer),
            FeedbackAction::Refuse {
                reason: "Không phải phản ánh".into(),
            },
        ),
    )
    .await;
    // F
    run(
        None,
        submit(
            "2026-03-09",
            Subject::Dossier {
                code: "000.00.31.H38-260309-0001".into(),
            },
        ),
    )
    .await;
    // G
    let g = run(None, submit("2026-01-05", Subject::Other)).await;
    run(Some(g.clone()), receive("2026-01-06", Category::Regulation)).await;
    run(Some(g.clone()), draft("2026-03-02")).await;
    run(Some(g.clone()), approve("2026-03-03")).await;
    // A report of another unit changes nothing.
    let justice = f.app.store.get_agency_by_code(JUSTICE).await.unwrap().id;
    app.feedback_at(
        None,
        &FeedbackCommand {
            at: at("2026-03-04", 9),
            actor: FeedbackActor::Person { account: None },
            action: FeedbackAction::Submit {
                report: report(Subject::Other),
                agency: justice,
            },
        },
    )
    .await
    .unwrap();

    let (s, index) = get(
        &f.app,
        &format!("/api/v1/index?unit={WARD}&period=2026-03"),
        Some(&f.leader),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{index}");
    let indicator = |code: &str| -> Value {
        index["result"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["indicators"].as_array().unwrap().iter())
            .find(|i| i["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {index}"))
            .clone()
    };
    let figures = |code: &str| {
        let i = indicator(code);
        (
            i["numerator"].as_f64(),
            i["denominator"].as_f64(),
            i["points"].as_f64().unwrap(),
            i["no_data"].as_bool().unwrap(),
        )
    };
    assert_eq!(figures("5.1"), (Some(4.0), Some(5.0), 0.0, false));
    assert_eq!(figures("5.2"), (Some(3.0), Some(6.0), 3.0, false));
    assert_eq!(figures("5.3"), (Some(1.0), Some(5.0), 1.2, false));
    // 5.4's denominator is dossiers (none here): F's term is checked where it is added
    // (`motcua_domain::index::add_feedback`'s test).
    assert!(!indicator("5.4")["no_data"].as_bool().unwrap());
    // The rankings (operations view, public statistics) score the same feedback terms.
    let state = motcua_app::App::new(f.app.store.clone(), motcua_app::Config::default());
    let ward = f.app.store.get_agency_by_code(WARD).await.unwrap();
    let period = motcua_app::stats::parse_period(
        Some("2026-03"),
        None,
        None,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
    )
    .unwrap();
    let ranking = state
        .rank_units(
            None,
            std::slice::from_ref(&ward),
            &period,
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(
        Some(ranking.units[0].total),
        index["result"]["total"].as_f64(),
        "the ranking's total is the index's, feedback included"
    );
}
