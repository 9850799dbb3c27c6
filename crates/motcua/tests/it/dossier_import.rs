//! Migration from a previous system: dossiers with their full histories and original times,
//! replayed through the state machine; an impossible history refuses the whole file.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::{
    Actor, Applicant, Command, DossierAction, DossierCode, DossierState, ProcedureRef, Submission,
    execute,
};
use serde_json::json;
use uuid::Uuid;

use crate::cli::run;
use crate::support::TestApp;

/// A dossier received on 10/3/2025 and forwarded; `impossible` adds an approval by a receiving
/// officer (only leaders approve).
fn history(seq: u32, impossible: bool) -> String {
    let centre = AgencyCode::parse("000.00.01.H38").unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
    let at = Utc.with_ymd_and_hms(2025, 3, 10, 2, 0, 0).unwrap();
    let officer = Actor {
        user: Uuid::from_u128(1),
        role: Role::ReceivingOfficer,
    };
    let leader = Actor {
        user: Uuid::from_u128(2),
        role: Role::Leader,
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
        applicant: Applicant::new("Phạm Văn Dũng", "038085001234", None, None, None, day).unwrap(),
        components: Vec::new(),
    };
    let mut commands = vec![
        (
            officer,
            at,
            DossierAction::ReceiveDirect {
                submission,
                appointment: at + Duration::days(2),
                fee_due_vnd: 0,
            },
        ),
        (
            officer,
            at + Duration::hours(1),
            DossierAction::Forward {
                to: AgencyCode::parse("000.00.02.H38").unwrap(),
            },
        ),
    ];
    if impossible {
        commands.push((
            leader,
            at + Duration::hours(3),
            DossierAction::Approve { note: None },
        ));
    }
    let mut state = DossierState::new();
    let mut events = Vec::new();
    for (actor, at, action) in commands {
        for e in execute(&state, &Command { actor, at, action }).unwrap() {
            state.apply(&e);
            events.push(e);
        }
    }
    if impossible {
        events.last_mut().unwrap().actor = officer;
    }
    json!({ "events": events }).to_string()
}

#[tokio::test]
async fn dossiers_come_with_their_histories_or_not_at_all() {
    let app = TestApp::new().await;
    crate::catalogue::import(app.store.as_ref(), &["1.001193"]).await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        None,
    )
    .await;
    app.agency("000.00.02.H38", "Sở Tư pháp Thanh Hóa", "department", None)
        .await;
    let dir = std::env::temp_dir().join(format!("import-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, lines: Vec<String>| {
        let p = dir.join(name);
        std::fs::write(&p, lines.join("\n")).unwrap();
        p.display().to_string()
    };

    let good = file("good.jsonl", vec![history(1, false), history(7, false)]);
    let out = run(&app.db, &["dossiers", "import", &good], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "imported dossiers=2 events=6"
    );
    let row = app
        .store
        .dossier_by_code("000.00.01.H38-250310-0007")
        .await
        .unwrap();
    assert_eq!(row.status.as_str(), "processing");
    assert_eq!(
        row.received_at,
        Some(Utc.with_ymd_and_hms(2025, 3, 10, 2, 0, 0).unwrap()),
        "original times kept"
    );
    let dept = app.store.get_agency_by_code("000.00.02.H38").await.unwrap();
    assert_eq!(row.agency_id, dept.id, "where the history left it");
    assert!(run(&app.db, &["audit", "verify"], None).status.success());

    // An impossible history on line 2 refuses the whole file; line 1 is not kept either.
    let bad = file("bad.jsonl", vec![history(3, false), history(4, true)]);
    let out = run(&app.db, &["dossiers", "import", &bad], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Dòng 2") && err.contains("import_refused"),
        "{err}"
    );
    assert!(
        app.store
            .dossier_by_code("000.00.01.H38-250310-0003")
            .await
            .is_err(),
        "nothing of a refused file is kept"
    );
    // Codes already present refuse the file too.
    let out = run(&app.db, &["dossiers", "import", &good], None);
    assert!(!out.status.success());
    let _ = std::fs::remove_dir_all(&dir);

    // New intake on that agency and day continues after the imported numbers.
    let make =
        |seq: u32| -> Result<motcua_store::DossierWrite, String> { Err(format!("seq {seq}")) };
    let err = app
        .store
        .create_dossier("000.00.01.H38", "250310", None, Box::new(make))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("seq 8"), "{err}");
}

/// The example of the README's "Importing dossiers from a previous system", as printed there
/// (spread over lines for reading: one line once compacted).
fn readme_example() -> String {
    let readme = include_str!("../../../../README.md");
    let section = readme
        .split("### Importing dossiers from a previous system")
        .nth(1)
        .expect("the README's import section");
    let block = section
        .split("```json\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the section's JSON example");
    let value: serde_json::Value = serde_json::from_str(block).expect("the example is JSON");
    value.to_string()
}

#[tokio::test]
async fn the_readme_example_imports() {
    let app = TestApp::new().await;
    crate::catalogue::import(app.store.as_ref(), &["1.001193"]).await;
    app.agency(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
        None,
    )
    .await;
    app.agency("000.00.02.H38", "Sở Tư pháp Thanh Hóa", "department", None)
        .await;
    let dir = std::env::temp_dir().join(format!("readme-import-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = crate::support::TempDir(dir);
    let path = dir.0.join("old-system.jsonl");
    std::fs::write(&path, readme_example()).unwrap();
    let out = run(
        &app.db,
        &["dossiers", "import", &path.display().to_string()],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "imported dossiers=1 events=3"
    );
    let row = app
        .store
        .dossier_by_code("000.00.01.H38-250310-0001")
        .await
        .unwrap();
    assert_eq!(row.status.as_str(), "processing");
    assert_eq!(
        row.appointment,
        Some(Utc.with_ymd_and_hms(2025, 3, 12, 10, 0, 0).unwrap())
    );
}
