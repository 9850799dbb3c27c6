//! The effective appointment through a supplement pause, to the minute, everywhere it is shown
//! or used: the API's dossier JSON, the public look-up (API and page), the officers' dossier
//! page and queue, the control sheet, the applicant's notice, and the queues' due filters.
//!
//! The example: received Thu 24/4/2025 09:00 with appointment Mon 5/5/2025 17:00;
//! supplement asked Fri 25/4 14:00 and given Mon 28/4 10:00. Office hours 07:30–11:30 and
//! 13:30–17:00; Saturday 26/4/2025 was worked (make-up day for 2/5). Paused office minutes:
//! 25/4 14:00–17:00 = 180, Sat 26/4 = 450, 28/4 07:30–10:00 = 150; total 780. From 5/5 17:00:
//! 6/5 takes 450 (330 left), 7/5 07:30–11:30 takes 240 (90 left), 13:30 + 90 = 15:00 on 7/5.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::RulePack;
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::{
    Actor, Applicant, Command, DossierAction, DossierCode, DossierState, ProcedureRef, Submission,
    execute,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, browser, get_page};

const CENTRE: &str = "000.00.01.H38";
const JUSTICE: &str = "000.00.02.H38";

/// Vietnam time on a day of 2025 as UTC.
pub(crate) fn vn(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, hour, minute, 0)
        .unwrap()
        - chrono::Duration::hours(7)
}

fn officer() -> Actor {
    Actor {
        user: Uuid::from_u128(11),
        role: Role::ReceivingOfficer,
    }
}

/// A dossier of the example up to the request (at `requested`), and the supplement given at
/// `given` when there is one. Sequence `seq` of 24/4/2025 at the centre.
fn history(
    seq: u32,
    requested: DateTime<Utc>,
    given: Option<DateTime<Utc>>,
) -> Vec<motcua_domain::dossier::EventEnvelope> {
    let centre = AgencyCode::parse(CENTRE).unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 4, 24).unwrap();
    let specialist = Actor {
        user: Uuid::from_u128(12),
        role: Role::Specialist,
    };
    let submission = Submission {
        authorisation: None,
        code: DossierCode::new(&centre, day, seq).unwrap(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            version: 1,
        },
        agency: centre.clone(),
        channel: Channel::Counter,
        applicant: Applicant::new(
            "Nguyễn Thị Hồng Nhung",
            "038199012345",
            Some("0912345678"),
            Some("nhung@example.vn"),
            None,
            day,
        )
        .unwrap(),
        components: Vec::new(),
    };
    let mut commands = vec![
        (
            officer(),
            vn(4, 24, 9, 0),
            DossierAction::ReceiveDirect {
                submission,
                appointment: vn(5, 5, 17, 0),
                fee_due_vnd: 0,
            },
        ),
        (
            officer(),
            vn(4, 24, 9, 30),
            DossierAction::Forward {
                to: AgencyCode::parse(JUSTICE).unwrap(),
            },
        ),
        (
            specialist,
            requested,
            DossierAction::RequestSupplement {
                reason: "Thiếu bản sao giấy chứng sinh".into(),
                missing: vec!["Giấy chứng sinh".into()],
            },
        ),
    ];
    if let Some(at) = given {
        commands.push((officer(), at, supplement()));
    }
    let mut state = DossierState::new();
    let mut events = Vec::new();
    for (actor, at, action) in commands {
        for e in execute(&state, &Command { actor, at, action }).unwrap() {
            state.apply(&e);
            events.push(e);
        }
    }
    events
}

fn supplement() -> DossierAction {
    DossierAction::ProvideSupplement {
        documents: vec!["Giấy chứng sinh".into()],
        note: None,
    }
}

fn code(seq: u32) -> String {
    format!("{CENTRE}-250424-{seq:04}")
}

async fn queue(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers?{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_appointment_moves_by_the_pause_to_the_minute_everywhere() {
    let (app, [_officer, specialist, _leader, _citizen, _stranger]) =
        crate::dossiers::setup().await;
    let store = app.store.as_ref();
    let calendar = motcua_app::calendar::load(store, &RulePack::vietnam())
        .await
        .unwrap();
    // 1: the example, paused (the supplement is given below, as a live command).
    // 2: the example imported with the supplement already given.
    // 3: asked after its appointment passed (6/5 09:00), still waiting: overdue.
    let lines = [
        history(1, vn(4, 25, 14, 0), None),
        history(2, vn(4, 25, 14, 0), Some(vn(4, 28, 10, 0))),
        history(3, vn(5, 6, 9, 0), None),
    ]
    .map(|events| json!({ "events": events }).to_string());
    motcua_app::dossiers::import_jsonl(store, &calendar, &lines.join("\n"))
        .await
        .unwrap();

    // Waiting for the supplement: judged at the request, so only the third is overdue.
    let overdue = queue(&app, &specialist, "overdue=true").await;
    assert!(overdue.contains(&code(3)), "{overdue:?}");
    assert!(!overdue.contains(&code(1)), "{overdue:?}");
    let row = store.dossier_by_code(&code(1)).await.unwrap();
    assert_eq!(row.appointment, Some(vn(5, 5, 17, 0)));
    assert_eq!(row.paused_at, Some(vn(4, 25, 14, 0)));

    // The supplement arrives on Monday 28/4 at 10:00.
    let command = Command {
        actor: officer(),
        at: vn(4, 28, 10, 0),
        action: supplement(),
    };
    let (write, _) = motcua_app::dossiers::prepare(store, &calendar, &row, command)
        .await
        .unwrap();
    let notice = write
        .outbox
        .iter()
        .find(|m| m.kind == "supplement_provided")
        .expect("the applicant is told the new appointment");
    let notice = motcua_app::notices::Notice::parse(&notice.payload).unwrap();
    assert_eq!(notice.appointment.as_deref(), Some("2025-05-07T15:00"));
    let email =
        motcua_app::notify::templates::email("supplement_provided", &notice, &Default::default());
    assert!(
        email
            .body
            .contains("Ngày hẹn trả kết quả mới: 15 giờ 00, ngày 07/05/2025"),
        "{}",
        email.body
    );
    store.append_dossier(row.seq, &write).await.unwrap();

    for n in [1, 2] {
        let code = code(n);
        let row = store.dossier_by_code(&code).await.unwrap();
        assert_eq!(row.appointment, Some(vn(5, 7, 15, 0)), "{code}");
        assert_eq!(row.paused_at, None);

        // The API's dossier JSON.
        let (s, d) = app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&specialist),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["appointment"], "2025-05-07T15:00", "{code}");
        assert_eq!(d["original_appointment"], "2025-05-05T17:00");
        assert_eq!(d["paused_since"], Value::Null);

        // The public look-up, API and page.
        let (_, d) = app
            .get_json(&format!("/api/v1/public/dossiers/{code}"))
            .await;
        assert_eq!(d["appointment"], "2025-05-07T15:00", "{d}");
        let html = app
            .get(&format!("/tra-cuu/{code}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("07/05/2025 15:00"), "{code}");
        assert!(!html.contains("05/05/2025 17:00"), "{code}");

        // The control sheet.
        let res = app
            .client
            .get(app.url(&format!("/api/v1/dossiers/{code}/forms/control_sheet")))
            .bearer_auth(&specialist)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("15 giờ 00 phút, ngày 07/05/2025"), "{code}");
        assert!(!html.contains("17 giờ 00 phút, ngày 05/05/2025"), "{code}");
    }

    // The officers' dossier page and queue.
    let (b, _) = browser(&app, "chuyenvien").await;
    let (s, html) = get_page(&b, &app, &format!("/ho-so/{}", code(1))).await;
    assert_eq!(s, StatusCode::OK);
    // The timeline keeps what the receipt said (05/05/2025 17:00); the summary is effective.
    assert!(
        html.contains("id=\"summary-appointment\">07/05/2025 15:00<"),
        "{html}"
    );
    let (_, html) = get_page(&b, &app, "/xu-ly?tab=agency").await;
    assert!(html.contains("07/05/2025 15:00"));

    // The due filters read the effective appointment: not due by 6/5 noon, due by 7/5 15:01.
    let before = |t: &str| format!("due_before={t}");
    let by_6 = queue(&app, &specialist, &before("2025-05-06T12:00")).await;
    assert!(
        !by_6.contains(&code(1)) && !by_6.contains(&code(2)),
        "{by_6:?}"
    );
    let by_7 = queue(&app, &specialist, &before("2025-05-07T15:01")).await;
    assert!(
        by_7.contains(&code(1)) && by_7.contains(&code(2)),
        "{by_7:?}"
    );
    // Exactly at the effective appointment it is not yet past.
    let at_7 = queue(&app, &specialist, &before("2025-05-07T15:00")).await;
    assert!(!at_7.contains(&code(1)), "{at_7:?}");
}
