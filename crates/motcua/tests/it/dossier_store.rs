//! The dossier write path of the storage port, on both backends: codes without gaps under
//! concurrent intake, one transaction per command, optimistic concurrency, idempotent creation,
//! and a hash chain that exposes any edited or deleted event.

use chrono::Utc;
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::Status;
use motcua_store::{
    Conflict, Created, DbError, DossierRow, DossierWrite, DynStore, NewEvent, verify_chain,
};
use uuid::Uuid;

use crate::support::TestApp;

async fn setup() -> (TestApp, Uuid) {
    let app = TestApp::new().await;
    let centre = app
        .agency(
            "000.00.01.H38",
            "Trung tâm PVHCC Thanh Hóa",
            "service_centre",
            None,
        )
        .await;
    // A minimal published procedure for the foreign key.
    let p: motcua_domain::catalogue::Procedure = serde_json::from_value(serde_json::json!({
        "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "decision_number": "", "kind": "", "field": "Hộ tịch",
        "levels": ["commune"], "applicant_types": [], "competent_body": "", "implementing_body": "", "delegated_body": "",
        "coordinating_body": "", "reception_address": "", "related_procedures": [], "steps": [], "channels": [],
        "components": [], "legal_basis": [], "result": [], "requirements": "", "online_level": "partial",
        "online_level_stated": false, "eligible_full_online": false, "has_financial_obligation": false,
        "source_url": "", "agency_folder": "bo-tu-phap", "formality_id": null
    }))
    .expect("a procedure record");
    let w = motcua_app::catalogue::to_write(
        &p,
        Utc::now().date_naive(),
        "test",
        motcua_domain::catalogue::ProcedureStatus::Published,
    );
    app.store.write_procedures(&[w]).await.unwrap();
    (app, centre.id)
}

fn write(id: Uuid, code: &str, agency: Uuid, status: &str, kinds: &[&str]) -> DossierWrite {
    let now = Utc::now();
    DossierWrite {
        row: DossierRow {
            id,
            code: code.to_string(),
            agency_id: agency,
            intake_agency_id: agency,
            province_code: Some("38".into()),
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            channel: Channel::Counter,
            status: Status::parse(status).expect("a dossier status"),
            applicant_name: "Nguyễn Văn An".into(),
            applicant_key: "k".into(),
            search: format!(" {} nguyen van an", code.to_lowercase()),
            submitted_at: now,
            received_at: Some(now),
            appointment: Some(now),
            paused_at: None,
            finished_at: None,
            returned_at: None,
            seq: 0,
            last_hash: String::new(),
            state: "{}".into(),
            updated_at: now,
        },
        events: kinds
            .iter()
            .map(|k| NewEvent {
                at: now,
                actor_id: None,
                actor_role: "receiving_officer".into(),
                kind: k.to_string(),
                data: format!("{{\"note\":\"{k}\"}}"),
            })
            .collect(),
        outbox: vec![],
        counters: vec![motcua_store::CounterDelta {
            agency_id: agency,
            procedure_code: "1.001193".into(),
            day: now.date_naive(),
            metric: "received".into(),
            delta: 1,
        }],
        payment: None,
    }
}

async fn create(store: &DynStore, agency: Uuid, key: Option<&str>) -> Result<Created, DbError> {
    let make = move |seq: u32| {
        Ok(write(
            Uuid::now_v7(),
            &format!("000.00.01.H38-251027-{seq:04}"),
            agency,
            "received",
            &["received"],
        ))
    };
    store
        .create_dossier(
            "000.00.01.H38",
            "251027",
            key.map(|k| motcua_store::IdempotencyKey {
                key: k.to_string(),
                user: None,
                fingerprint: String::new(),
            }),
            Box::new(make),
        )
        .await
}

#[tokio::test]
async fn concurrent_intake_gets_consecutive_codes_without_gaps() {
    let (app, agency) = setup().await;
    let store = app.store.clone();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(
            async move { create(&store, agency, None).await },
        ));
    }
    let mut codes = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Created::New(code) => codes.push(code),
            other => panic!("{other:?}"),
        }
    }
    codes.sort();
    let expected: Vec<String> = (1..=40)
        .map(|i| format!("000.00.01.H38-251027-{i:04}"))
        .collect();
    assert_eq!(codes, expected);

    // A creation that fails gives its number back: the next one takes it.
    let failing = |_: u32| Err("refused by the domain".to_string());
    assert!(
        store
            .create_dossier("000.00.01.H38", "251027", None, Box::new(failing))
            .await
            .is_err()
    );
    assert_eq!(
        create(&store, agency, None).await.unwrap(),
        Created::New("000.00.01.H38-251027-0041".into())
    );
    // Another day starts again at 0001.
    let make = move |seq: u32| {
        Ok(write(
            Uuid::now_v7(),
            &format!("000.00.01.H38-251028-{seq:04}"),
            agency,
            "received",
            &["received"],
        ))
    };
    assert_eq!(
        store
            .create_dossier("000.00.01.H38", "251028", None, Box::new(make))
            .await
            .unwrap(),
        Created::New("000.00.01.H38-251028-0001".into())
    );
}

#[tokio::test]
async fn a_failing_creation_among_concurrent_ones_costs_no_number() {
    let (app, agency) = setup().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 7 == 3 {
                let failing = |_: u32| Err("refused by the domain".to_string());
                store
                    .create_dossier("000.00.01.H38", "251027", None, Box::new(failing))
                    .await
            } else {
                create(&store, agency, None).await
            }
        }));
    }
    let (mut codes, mut failed) = (Vec::new(), 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(Created::New(code)) => codes.push(code),
            Ok(other) => panic!("{other:?}"),
            Err(e) => {
                assert!(e.to_string().contains("refused by the domain"), "{e}");
                failed += 1;
            }
        }
    }
    assert_eq!(failed, 4);
    codes.sort();
    let expected: Vec<String> = (1..=26)
        .map(|i| format!("000.00.01.H38-251027-{i:04}"))
        .collect();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_make_one_dossier() {
    let (app, agency) = setup().await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            create(&store, agency, Some("same-key")).await.unwrap()
        }));
    }
    let mut new = Vec::new();
    let mut existing = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Created::New(code) => new.push(code),
            Created::Existing(code) => existing.push(code),
        }
    }
    assert_eq!(new, vec!["000.00.01.H38-251027-0001".to_string()]);
    assert_eq!(existing.len(), 11);
    assert!(existing.iter().all(|c| *c == new[0]));
}

#[tokio::test]
async fn a_retried_creation_returns_the_first_dossier() {
    let (app, agency) = setup().await;
    let first = create(&app.store, agency, Some("key-1")).await.unwrap();
    let again = create(&app.store, agency, Some("key-1")).await.unwrap();
    let Created::New(code) = first else { panic!() };
    assert_eq!(again, Created::Existing(code));
    assert_eq!(
        create(&app.store, agency, Some("key-2")).await.unwrap(),
        Created::New("000.00.01.H38-251027-0002".into())
    );
}

#[tokio::test]
async fn two_officers_at_once_one_wins_and_nothing_else_changes() {
    let (app, agency) = setup().await;
    let Created::New(code) = create(&app.store, agency, None).await.unwrap() else {
        panic!()
    };
    let row = app.store.dossier_by_code(&code).await.unwrap();
    assert_eq!(row.seq, 1);
    let a = write(row.id, &code, agency, "processing", &["forwarded"]);
    let b = write(row.id, &code, agency, "refused", &["refused"]);
    let (ra, rb) = tokio::join!(
        app.store.append_dossier(1, &a),
        app.store.append_dossier(1, &b)
    );
    let ok = [ra.is_ok(), rb.is_ok()];
    assert_eq!(
        ok.iter().filter(|x| **x).count(),
        1,
        "exactly one succeeds: {ra:?} {rb:?}"
    );
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(
        matches!(loser, Err(DbError::Conflict(Conflict::StaleVersion))),
        "{loser:?}"
    );
    let after = app.store.dossier_by_code(&code).await.unwrap();
    assert_eq!(after.seq, 2);
    let events = app.store.dossier_events(row.id).await.unwrap();
    assert_eq!(events.len(), 2, "the loser wrote no event");
    assert_eq!(
        events[1].kind,
        if after.status == Status::Processing {
            "forwarded"
        } else {
            "refused"
        }
    );
    verify_chain(&events, after.seq, &after.last_hash).expect("the chain verifies");
}

#[tokio::test]
async fn the_chain_exposes_edited_or_deleted_events() {
    let (app, agency) = setup().await;
    let Created::New(code) = create(&app.store, agency, None).await.unwrap() else {
        panic!()
    };
    let row = app.store.dossier_by_code(&code).await.unwrap();
    app.store
        .append_dossier(
            1,
            &write(
                row.id,
                &code,
                agency,
                "processing",
                &["forwarded", "step_assigned"],
            ),
        )
        .await
        .unwrap();
    let head = app.store.dossier_by_code(&code).await.unwrap();
    let events = app.store.dossier_events(row.id).await.unwrap();
    verify_chain(&events, head.seq, &head.last_hash).unwrap();

    let mut edited = events.clone();
    edited[1].data = "{\"note\":\"forged\"}".into();
    assert_eq!(
        verify_chain(&edited, head.seq, &head.last_hash).unwrap_err(),
        "event 2 was altered"
    );
    let mut deleted = events.clone();
    deleted.remove(1);
    assert!(verify_chain(&deleted, head.seq, &head.last_hash).is_err());
    let truncated = &events[..2];
    assert!(
        verify_chain(truncated, head.seq, &head.last_hash)
            .unwrap_err()
            .contains("ends at event 2")
    );
}

#[tokio::test]
async fn audit_verify_finds_a_tampered_log() {
    let (app, agency) = setup().await;
    for _ in 0..3 {
        create(&app.store, agency, None).await.unwrap();
    }
    let out = crate::cli::run(&app.db, &["audit", "verify"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("dossiers=3 events=3 broken=0"));
    // Someone edits an event behind motcua's back.
    crate::support::execute(&app, "UPDATE dossier_events SET data = '{\"note\":\"forged\"}' WHERE seq = 1 AND dossier_id = (SELECT id FROM dossiers WHERE code = '000.00.01.H38-251027-0002')").await;
    let out = crate::cli::run(&app.db, &["audit", "verify"], None);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("000.00.01.H38-251027-0002\tevent 1 was altered"),
        "{text}"
    );
    assert!(text.contains("broken=1"));
}

#[tokio::test]
async fn a_status_the_domain_does_not_know_is_a_store_error() {
    let (app, agency) = setup().await;
    let created = create(&app.store, agency, None).await.unwrap();
    let code = match created {
        Created::New(code) | Created::Existing(code) => code,
    };
    crate::support::execute(
        &app,
        &format!("UPDATE dossiers SET status = 'lost' WHERE code = '{code}'"),
    )
    .await;
    // A store of its own: this one's row cache still holds the row as it wrote it.
    let store = app.db.open().await;
    match store.dossier_by_code(&code).await {
        Err(DbError::Other(m)) => assert!(m.contains("unknown dossier status \"lost\""), "{m}"),
        other => panic!("expected a decoding error, got {other:?}"),
    }
}
