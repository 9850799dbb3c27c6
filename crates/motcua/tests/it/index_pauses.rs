//! Decision 766 indicator 2.1 and the periodic report judge open dossiers by the legal rule
//! (legal-rules.md §1.4, §3.2): supplement time is not counted, a dossier waiting for a
//! supplement is judged at the request, more than one request is late for the index; each
//! dossier as its events up to the period's end made it (later events change nothing). A
//! hand-computed 2025-Q2 workload of 22 dossiers, imported with their histories; then one live
//! command, and `motcua stats rebuild` gives back exactly the counters kept incrementally.
//!
//! Office hours 07:30–11:30, 13:30–17:00 (450 minutes a day). Every dossier is received at the
//! centre at 08:00 and forwarded to the department at 08:30 the same day.
//!
//! | dossiers | received | appointment | what happens | at 30/6/2025 24:00 |
//! |---|---|---|---|---|
//! | a ×9 | Mon 2/6 | 9/6 17:00 | result 5/6 10:00 | finished on time |
//! | b ×3 | Mon 12/5 | 16/5 17:00 | result 19/5 10:00 | finished late |
//! | c | Mon 12/5 | 16/5 17:00 | supplement asked Tue 13/5 08:00, given Thu 15/5 08:00: 210 + 210 + 450 + 30 = 900 minutes = 2 days, effective Tue 20/5 17:00; result 20/5 10:00 | finished on time |
//! | d ×2 | Mon 23/6 | 4/7 17:00 | — | open, within time |
//! | e | Mon 2/6 | 13/6 17:00 | result 3/7 10:00 (after the period) | open, overdue |
//! | f | Mon 16/6 | Fri 27/6 17:00 | asked Tue 17/6 08:00, given Thu 19/6 08:00: 900 minutes, effective Tue 1/7 17:00 | open, within time |
//! | g | Mon 16/6 | Fri 27/6 17:00 | asked Wed 25/6 09:00, given 3/7 08:00 (after the period) | waiting at the end, judged at 25/6 09:00: within time |
//! | h | Mon 2/6 | 14/7 17:00 | asked 3/6, given 4/6, asked 5/6, given 6/6 | open, within time, late for the index (two requests) |
//! | i | Mon 2/6 | Fri 6/6 17:00 | asked Tue 10/6 09:00, still waiting | judged at 10/6 09:00: overdue |
//! | r ×2 | online, 2/6 | — | refused at the check | never received |
//!
//! To handle: 20 received (the refused are not). On time for 2.1: a ×9 + c + d ×2 + f + g = 14;
//! late: b ×3 + e + h + i = 6. Indicator 2.1 = 20 × 14/20 = 14 points. (Judged by the stored
//! appointment at the period's end, f and g were late and h on time: 13 points.) The report:
//! 13 finished, 7 in progress, of which e and i overdue (h is late for the index only).

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::RulePack;
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::{
    Actor, Applicant, Command, DossierAction as A, DossierCode, DossierState, EventEnvelope,
    ProcedureRef, ResultForm, Submission, execute,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::pause_dates::vn;
use crate::stats::indicator;
use crate::support::TestApp;

const PROVINCE: &str = "000.00.00.H38";
const CENTRE: &str = "000.00.01.H38";
const JUSTICE: &str = "000.00.02.H38";

fn actor(n: u128, role: Role) -> Actor {
    Actor {
        user: Uuid::from_u128(n),
        role,
    }
}

/// One dossier's history, built command by command through the rules.
struct Story {
    state: DossierState,
    events: Vec<EventEnvelope>,
}

impl Story {
    fn run(&mut self, who: Actor, at: DateTime<Utc>, action: A) -> &mut Story {
        let command = Command {
            actor: who,
            at,
            action,
        };
        for e in execute(&self.state, &command).unwrap() {
            self.state.apply(&e);
            self.events.push(e);
        }
        self
    }

    fn line(&self) -> String {
        json!({ "events": self.events }).to_string()
    }
}

fn submission(seq: u32, day: (u32, u32), channel: Channel) -> Submission {
    let centre = AgencyCode::parse(CENTRE).unwrap();
    let date = NaiveDate::from_ymd_opt(2025, day.0, day.1).unwrap();
    Submission {
        authorisation: None,
        code: DossierCode::new(&centre, date, seq).unwrap(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            version: 1,
        },
        agency: centre,
        channel,
        applicant: Applicant::new("Lê Văn Hùng", "038085001234", None, None, None, date).unwrap(),
        components: Vec::new(),
    }
}

/// Received at 08:00 on `day` with `appointment`, forwarded at 08:30.
fn received(seq: u32, day: (u32, u32), appointment: DateTime<Utc>) -> Story {
    let officer = actor(1, Role::ReceivingOfficer);
    let mut s = Story {
        state: DossierState::new(),
        events: Vec::new(),
    };
    s.run(
        officer,
        vn(day.0, day.1, 8, 0),
        A::ReceiveDirect {
            submission: submission(seq, day, Channel::Counter),
            appointment,
            fee_due_vnd: 0,
        },
    )
    .run(
        officer,
        vn(day.0, day.1, 8, 30),
        A::Forward {
            to: AgencyCode::parse(JUSTICE).unwrap(),
        },
    );
    s
}

fn ask(s: &mut Story, at: DateTime<Utc>) {
    s.run(
        actor(2, Role::Specialist),
        at,
        A::RequestSupplement {
            reason: "Thiếu giấy tờ".into(),
            missing: vec!["Giấy chứng sinh".into()],
        },
    );
}

fn give(s: &mut Story, at: DateTime<Utc>) {
    s.run(
        actor(1, Role::ReceivingOfficer),
        at,
        A::ProvideSupplement {
            documents: vec!["Giấy chứng sinh".into()],
            note: None,
        },
    );
}

/// Approved at 09:00, result at 10:00 on `day`.
fn resolve(s: &mut Story, day: (u32, u32)) {
    s.run(
        actor(3, Role::Leader),
        vn(day.0, day.1, 9, 0),
        A::Approve { note: None },
    )
    .run(
        actor(2, Role::Specialist),
        vn(day.0, day.1, 10, 0),
        A::RecordResult {
            result_code: "KQ-01".into(),
            form: ResultForm::Paper,
        },
    );
}

fn workload() -> Vec<Story> {
    let mut out = Vec::new();
    let mut seq = 0;
    let mut next = || {
        seq += 1;
        seq
    };
    for _ in 0..9 {
        let mut a = received(next(), (6, 2), vn(6, 9, 17, 0));
        resolve(&mut a, (6, 5));
        out.push(a);
    }
    for _ in 0..3 {
        let mut b = received(next(), (5, 12), vn(5, 16, 17, 0));
        resolve(&mut b, (5, 19));
        out.push(b);
    }
    let mut c = received(next(), (5, 12), vn(5, 16, 17, 0));
    ask(&mut c, vn(5, 13, 8, 0));
    give(&mut c, vn(5, 15, 8, 0));
    resolve(&mut c, (5, 20));
    out.push(c);
    for _ in 0..2 {
        out.push(received(next(), (6, 23), vn(7, 4, 17, 0)));
    }
    let mut e = received(next(), (6, 2), vn(6, 13, 17, 0));
    resolve(&mut e, (7, 3));
    out.push(e);
    let mut f = received(next(), (6, 16), vn(6, 27, 17, 0));
    ask(&mut f, vn(6, 17, 8, 0));
    give(&mut f, vn(6, 19, 8, 0));
    out.push(f);
    let mut g = received(next(), (6, 16), vn(6, 27, 17, 0));
    ask(&mut g, vn(6, 25, 9, 0));
    give(&mut g, vn(7, 3, 8, 0));
    out.push(g);
    let mut h = received(next(), (6, 2), vn(7, 14, 17, 0));
    ask(&mut h, vn(6, 3, 8, 0));
    give(&mut h, vn(6, 4, 8, 0));
    ask(&mut h, vn(6, 5, 8, 0));
    give(&mut h, vn(6, 6, 8, 0));
    out.push(h);
    let mut i = received(next(), (6, 2), vn(6, 6, 17, 0));
    ask(&mut i, vn(6, 10, 9, 0));
    out.push(i);
    for _ in 0..2 {
        let mut r = Story {
            state: DossierState::new(),
            events: Vec::new(),
        };
        r.run(
            actor(4, Role::Citizen),
            vn(6, 2, 7, 0),
            A::Submit {
                submission: submission(next(), (6, 2), Channel::Online),
            },
        )
        .run(
            actor(1, Role::ReceivingOfficer),
            vn(6, 2, 9, 0),
            A::Refuse {
                reason: "Không thuộc thẩm quyền".into(),
            },
        );
        out.push(r);
    }
    out
}

/// Indicator 2.1 of the province for 2025-Q2: (numerator, denominator, points); and the
/// report's (in progress, of which overdue).
async fn q2(app: &TestApp, leader: &str) -> ((f64, f64, f64), (i64, i64)) {
    let get = |path: String| async move {
        let (s, d) = app.send(Method::GET, &path, Some(leader), None).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        d
    };
    let ix = get(format!("/api/v1/index?unit={PROVINCE}&period=2025-Q2")).await;
    let i21 = indicator(&ix, "2.1");
    let r = get(format!(
        "/api/v1/stats/report?unit={PROVINCE}&period=2025-Q2"
    ))
    .await;
    let total = &r["total"];
    (
        (
            i21["numerator"].as_f64().unwrap(),
            i21["denominator"].as_f64().unwrap(),
            i21["points"].as_f64().unwrap(),
        ),
        (
            total["in_progress"].as_i64().unwrap_or_default(),
            total["in_progress_split"]["overdue"]
                .as_i64()
                .unwrap_or_default(),
        ),
    )
}

#[tokio::test]
async fn index_2_1_follows_the_national_rules_through_pauses_and_repeated_supplements() {
    let (app, [_officer, _specialist, leader, _citizen, _stranger]) =
        crate::dossiers::setup().await;
    let store = app.store.as_ref();
    let calendar = motcua_app::calendar::load(store, &RulePack::vietnam())
        .await
        .unwrap();
    let stories = workload();
    assert_eq!(stories.len(), 22);
    let text = stories
        .iter()
        .map(Story::line)
        .collect::<Vec<_>>()
        .join("\n");
    motcua_app::dossiers::import_jsonl(store, &calendar, &text)
        .await
        .unwrap();

    let expected = ((14.0, 20.0, 14.0), (7, 2));
    assert_eq!(q2(&app, &leader).await, expected);

    // A live command after the period (i's supplement arrives on 1/7) changes nothing of Q2,
    // and the counters it wrote are those a rebuild computes from the event log.
    let code = stories[19].state.code.as_ref().unwrap().to_string();
    let row = store.dossier_by_code(&code).await.unwrap();
    let command = Command {
        actor: actor(1, Role::ReceivingOfficer),
        at: vn(7, 1, 8, 0),
        action: A::ProvideSupplement {
            documents: vec!["Giấy chứng sinh".into()],
            note: None,
        },
    };
    motcua_app::dossiers::act(store, &calendar, &row, row.seq, command)
        .await
        .unwrap();
    assert_eq!(q2(&app, &leader).await, expected);
    let incremental = store.stat_dump().await.unwrap();
    assert!(
        incremental
            .0
            .iter()
            .any(|c| c.metric == "open_index_late" && c.delta < 0),
        "levels are taken back"
    );
    let out = crate::cli::run(&app.db, &["stats", "rebuild"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(store.stat_dump().await.unwrap(), incremental);
    assert_eq!(q2(&app, &leader).await, expected);
}
