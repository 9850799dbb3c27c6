//! Documents of a dossier by example (`motcua_domain::dossier`, attach_document): who may
//! attach a file and when, where it came from, what is refused, and how it replays. Module
//! names start with `dossier_` so `cargo test -p motcua-domain dossier` runs them.

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::catalogue::model::Channel;
use motcua_domain::dossier::*;
use uuid::Uuid;

fn vn(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, d, h, mi, 0).unwrap() - chrono::Duration::hours(7)
}

fn agency(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn actor(n: u8, role: Role) -> Actor {
    Actor {
        user: Uuid::from_bytes([n; 16]),
        role,
    }
}

fn citizen() -> Actor {
    actor(1, Role::Citizen)
}
fn officer() -> Actor {
    actor(2, Role::ReceivingOfficer)
}
fn specialist() -> Actor {
    actor(3, Role::Specialist)
}
fn leader() -> Actor {
    actor(4, Role::Leader)
}

fn submission(channel: Channel) -> Submission {
    Submission {
        authorisation: None,
        code: DossierCode::for_receipt(&agency("000.00.06.H56"), vn(1, 8, 0), 7).unwrap(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            version: 1,
        },
        agency: agency("000.00.06.H56"),
        channel,
        applicant: Applicant {
            name: "Lê Thị Hoa".into(),
            id_number: CitizenId::parse("038185000123").unwrap(),
            phone: None,
            email: None,
            address: None,
        },
        components: Vec::new(),
    }
}

fn attach(component: &str, n: u8, source: DocumentSource) -> DossierAction {
    DossierAction::AttachDocument {
        component: component.into(),
        sha256: format!("{n:02x}").repeat(32),
        media_type: MediaType::Png,
        size: 4096,
        source,
    }
}

fn earlier() -> DossierCode {
    DossierCode::parse("000.00.20.H56-260105-0012").unwrap()
}

struct Run {
    state: DossierState,
    log: Vec<EventEnvelope>,
}

impl Run {
    fn new() -> Run {
        Run {
            state: DossierState::new(),
            log: Vec::new(),
        }
    }

    fn go(
        &mut self,
        who: Actor,
        at: DateTime<Utc>,
        action: DossierAction,
    ) -> Result<(), DossierError> {
        let before = self.state.clone();
        let envelopes = execute(
            &self.state,
            &Command {
                actor: who,
                at,
                action,
            },
        )
        .inspect_err(|_| assert_eq!(self.state, before))?;
        for e in &envelopes {
            self.state.apply(e);
        }
        self.log.extend(envelopes);
        Ok(())
    }

    #[track_caller]
    fn ok(&mut self, who: Actor, at: DateTime<Utc>, action: DossierAction) {
        if let Err(e) = self.go(who, at, action) {
            panic!("refused: {} — {}", e.code(), e.message_vi());
        }
    }

    #[track_caller]
    fn code(&mut self, who: Actor, at: DateTime<Utc>, action: DossierAction) -> &'static str {
        match self.go(who, at, action) {
            Ok(()) => panic!("accepted"),
            Err(e) => {
                assert!(!e.message_vi().is_empty());
                e.code()
            }
        }
    }
}

#[test]
fn dossier_documents_the_citizen_uploads_while_the_dossier_waits_for_them() {
    let mut r = Run::new();
    r.ok(
        citizen(),
        vn(1, 8, 0),
        DossierAction::Submit {
            submission: submission(Channel::Online),
        },
    );
    r.ok(
        citizen(),
        vn(1, 8, 5),
        attach("Tờ khai", 1, DocumentSource::Uploaded),
    );
    // Another citizen, or a citizen claiming a counter scan, is refused.
    assert_eq!(
        r.code(
            actor(9, Role::Citizen),
            vn(1, 8, 6),
            attach("Tờ khai", 2, DocumentSource::Uploaded)
        ),
        "not_owner"
    );
    assert_eq!(
        r.code(
            citizen(),
            vn(1, 8, 6),
            attach("Tờ khai", 2, DocumentSource::Scanned)
        ),
        "document_source_not_allowed"
    );
    assert_eq!(
        r.code(
            officer(),
            vn(1, 8, 6),
            attach("Tờ khai", 2, DocumentSource::Uploaded)
        ),
        "document_source_not_allowed"
    );
    // The same file on the same component once; on another component it is fine.
    assert_eq!(
        r.code(
            citizen(),
            vn(1, 8, 7),
            attach(" Tờ khai ", 1, DocumentSource::Uploaded)
        ),
        "document_already_attached"
    );
    r.ok(
        citizen(),
        vn(1, 8, 8),
        attach("Bản sao giấy khai sinh", 1, DocumentSource::Uploaded),
    );
    r.ok(
        officer(),
        vn(1, 9, 0),
        DossierAction::Receive {
            appointment: vn(4, 17, 0),
            fee_due_vnd: 0,
        },
    );
    // Received: the citizen no longer adds files; the officer still scans.
    assert_eq!(
        r.code(
            citizen(),
            vn(1, 9, 5),
            attach("Tờ khai", 3, DocumentSource::Uploaded)
        ),
        "not_allowed_in_state"
    );
    r.ok(
        officer(),
        vn(1, 9, 6),
        attach("Tờ khai", 3, DocumentSource::Scanned),
    );
    assert_eq!(r.state.documents.len(), 3);
    assert_eq!(r.state.documents[0].component, "Tờ khai");
    assert_eq!(r.state.documents[0].by, citizen());
    assert_eq!(r.state.documents[2].source, DocumentSource::Scanned);
    assert!(!r.state.is_digitised() && !r.state.reuses_data());
    // Specialists and leaders do not attach components.
    for who in [specialist(), leader()] {
        assert_eq!(
            r.code(
                who,
                vn(1, 9, 7),
                attach("Tờ khai", 4, DocumentSource::Scanned)
            ),
            "role_not_allowed"
        );
    }
    assert_eq!(replay(&r.log).unwrap(), r.state);
}

#[test]
fn dossier_documents_reuse_and_the_electronic_result_make_it_digitised() {
    let mut r = Run::new();
    r.ok(
        officer(),
        vn(1, 8, 0),
        DossierAction::ReceiveDirect {
            submission: submission(Channel::Counter),
            appointment: vn(4, 17, 0),
            fee_due_vnd: 0,
        },
    );
    let own = r.state.code.clone().unwrap();
    assert_eq!(
        r.code(
            officer(),
            vn(1, 8, 1),
            attach("Tờ khai", 1, DocumentSource::Reused { from_dossier: own })
        ),
        "reuse_from_same_dossier"
    );
    r.ok(
        officer(),
        vn(1, 8, 2),
        attach(
            "Giấy khai sinh",
            1,
            DocumentSource::Reused {
                from_dossier: earlier(),
            },
        ),
    );
    assert!(r.state.reuses_data() && !r.state.is_digitised());
    let label = r.log.last().unwrap().event.label_vi();
    assert_eq!(label, "Sử dụng lại dữ liệu đã số hóa");
    r.ok(
        officer(),
        vn(1, 9, 0),
        DossierAction::Forward {
            to: agency("000.00.12.H56"),
        },
    );
    r.ok(leader(), vn(2, 9, 0), DossierAction::Approve { note: None });
    r.ok(
        specialist(),
        vn(2, 10, 0),
        DossierAction::RecordResult {
            result_code: "15/GCN-STP".into(),
            form: ResultForm::Electronic {
                file_ref: format!("sha256:{}", "ef".repeat(32)),
            },
        },
    );
    assert!(r.state.is_digitised());
    // Done, not returned: the officer may still scan; returned, nothing is accepted.
    r.ok(
        officer(),
        vn(2, 11, 0),
        attach("Tờ khai", 2, DocumentSource::Scanned),
    );
    r.ok(
        officer(),
        vn(2, 12, 0),
        DossierAction::ReturnResult {
            via: ReturnChannel::Online,
            collector: None,
        },
    );
    assert_eq!(
        r.code(
            officer(),
            vn(2, 13, 0),
            attach("Tờ khai", 3, DocumentSource::Scanned)
        ),
        "not_allowed_in_state"
    );
    assert_eq!(replay(&r.log).unwrap(), r.state);
    // The stored event, with its stable kind and the source's tag.
    let stored = serde_json::to_value(&r.log[2].event).unwrap();
    assert_eq!(stored["kind"], "document_attached");
    assert_eq!(stored["media_type"], "image/png");
    assert_eq!(stored["source"]["kind"], "reused");
    assert_eq!(
        stored["source"]["from_dossier"],
        "000.00.20.H56-260105-0012"
    );
}

#[test]
fn dossier_documents_bad_data_is_refused() {
    let mut r = Run::new();
    r.ok(
        officer(),
        vn(1, 8, 0),
        DossierAction::ReceiveDirect {
            submission: submission(Channel::Counter),
            appointment: vn(4, 17, 0),
            fee_due_vnd: 0,
        },
    );
    let with = |component: &str, sha256: &str, size: u64| DossierAction::AttachDocument {
        component: component.into(),
        sha256: sha256.into(),
        media_type: MediaType::Pdf,
        size,
        source: DocumentSource::Scanned,
    };
    let good = "0a".repeat(32);
    assert_eq!(
        r.code(officer(), vn(1, 8, 1), with("  ", &good, 1)),
        "document_component_invalid"
    );
    assert_eq!(
        r.code(officer(), vn(1, 8, 1), with(&"x".repeat(501), &good, 1)),
        "document_component_invalid"
    );
    assert_eq!(
        r.code(
            officer(),
            vn(1, 8, 1),
            with("Tờ khai", &good.to_uppercase(), 1)
        ),
        "document_hash_invalid"
    );
    assert_eq!(
        r.code(officer(), vn(1, 8, 1), with("Tờ khai", &good, 0)),
        "empty_file"
    );
    r.ok(officer(), vn(1, 8, 2), with("Tờ khai", &good, 1));
    // A history whose document event was edited does not replay.
    let mut log = r.log.clone();
    if let Event::DocumentAttached { sha256, .. } = &mut log[2].event {
        *sha256 = "nope".into();
    }
    assert!(replay(&log).is_err());
}
