//! Properties of the dossier state machine (`motcua_domain::dossier`): random sequences of
//! commands, mostly plausible (a command allowed in the current status, by the role that
//! performs it, with data near the edges) and sometimes anything at all, driven through
//! `execute` + `apply`. Module names start with `dossier_` so
//! `cargo test -p motcua-domain dossier` runs them.

use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::{Calendar, OfficeHours, Timeliness, WorkClock};
use motcua_domain::catalogue::model::Channel;
use motcua_domain::dossier::timeliness::{
    IndexTimeliness, classify_finish, effective_appointment, standing_at,
};
use motcua_domain::dossier::*;
use proptest::prelude::*;
use uuid::Uuid;

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::statutory);
static HOURS: LazyLock<OfficeHours> = LazyLock::new(OfficeHours::default);

fn clock() -> WorkClock<'static> {
    CALENDAR.clock(&HOURS)
}

const AGENCIES: [&str; 3] = ["000.00.06.H56", "000.00.12.H56", "000.00.20.H56"];
const KINDS: u8 = 26;
/// The other deployment transfers go to and come back from.
const PEER: &str = "bo-tu-phap";
/// Refuse, stop, withdraw.
const CLOSING: [u8; 3] = [5, 11, 18];

fn agency(i: usize) -> AgencyCode {
    AgencyCode::parse(AGENCIES[i % AGENCIES.len()]).unwrap()
}

fn user(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

/// Monday 1 March 2027, 08:00 in Vietnam.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 1, 0, 0).unwrap()
}

/// One random step of a run.
#[derive(Debug, Clone)]
struct Seed {
    /// Choose among the actions the current status allows (else `kind` as is).
    plausible: bool,
    kind: u8,
    /// Minutes after the last event (negative: before it).
    minutes: i64,
    /// The role that performs the action (else `role` as is).
    natural_role: bool,
    role: u8,
    /// Drives the data of the action, and its edge cases.
    fuzz: u8,
    blank_text: bool,
    amount: u64,
}

fn seed() -> impl Strategy<Value = Seed> {
    (
        prop::bool::weighted(0.8),
        0..KINDS,
        prop_oneof![8 => 0i64..600, 3 => 600i64..5000, 1 => -120i64..0],
        prop::bool::weighted(0.92),
        0u8..5,
        any::<u8>(),
        prop::bool::weighted(0.06),
        0u64..100_000,
    )
        .prop_map(
            |(plausible, kind, minutes, natural_role, role, fuzz, blank_text, amount)| Seed {
                plausible,
                kind,
                minutes,
                natural_role,
                role,
                fuzz,
                blank_text,
                amount,
            },
        )
}

fn applicant() -> Applicant {
    Applicant {
        name: "Lê Thị Hoa".into(),
        id_number: CitizenId::parse("038185000123").unwrap(),
        phone: Some("0987654321".into()),
        email: None,
        address: None,
    }
}

fn submission(channel: Channel, at: DateTime<Utc>, fuzz: u8) -> Submission {
    // Now and then, a code of another day or agency.
    let code_at = if fuzz.is_multiple_of(23) {
        at + chrono::Duration::days(1)
    } else {
        at
    };
    let code_agency = if fuzz.is_multiple_of(29) {
        agency(1)
    } else {
        agency(0)
    };
    Submission {
        authorisation: None,
        code: DossierCode::for_receipt(&code_agency, code_at, 1 + u32::from(fuzz)).unwrap(),
        procedure: ProcedureRef {
            code: "2.000635".into(),
            version: 1,
        },
        agency: agency(0),
        channel,
        applicant: applicant(),
        components: Vec::new(),
    }
}

/// The action of kind `kind` for `state`, with the actor that naturally performs it.
fn action(kind: u8, state: &DossierState, s: &Seed, at: DateTime<Utc>) -> (Actor, DossierAction) {
    use DossierAction as A;
    let f = s.fuzz;
    let text = |t: &str| {
        if s.blank_text {
            " ".to_owned()
        } else {
            t.to_owned()
        }
    };
    let hours = |n: u8| chrono::Duration::hours(i64::from(n));
    let officer = Actor {
        user: user(2),
        role: Role::ReceivingOfficer,
    };
    let specialist = Actor {
        user: user(3),
        role: Role::Specialist,
    };
    let leader = Actor {
        user: user(4),
        role: Role::Leader,
    };
    let citizen = Actor {
        user: if f.is_multiple_of(10) {
            user(9)
        } else {
            state.owner.unwrap_or(user(1))
        },
        role: Role::Citizen,
    };
    let citizen_or_officer = if state.owner.is_some() && f.is_multiple_of(2) {
        citizen
    } else {
        officer
    };
    let missing = if f.is_multiple_of(9) {
        vec![]
    } else {
        vec!["Tờ khai".to_owned()]
    };
    let step_index = state
        .active_step
        .as_ref()
        .map_or(state.next_step, |a| a.index)
        + u32::from(f.is_multiple_of(7));
    let assignee_or_leader = match &state.active_step {
        Some(a) if f.is_multiple_of(2) => Actor {
            user: a.assignee,
            role: Role::Specialist,
        },
        _ => leader,
    };
    match kind {
        0 => {
            let channel = Channel::ALL[usize::from(f % 3)];
            let mut submission = submission(channel, at, f);
            let actor = if channel == Channel::Online {
                Actor {
                    user: user(1),
                    role: Role::Citizen,
                }
            } else if channel == Channel::Postal && f.is_multiple_of(4) {
                // A post office lodges for the citizen, under her authorisation (now and
                // then without it, which is refused).
                submission.authorisation = (!f.is_multiple_of(8)).then(|| Authorisation {
                    representative_name: "Bưu điện tỉnh Thanh Hóa".into(),
                    representative_id: None,
                    partner: true,
                    scope: text("Nộp hồ sơ qua bưu chính"),
                    document_number: "BCCI-000731".into(),
                });
                Actor {
                    user: user(8),
                    role: Role::Partner,
                }
            } else {
                officer
            };
            (actor, A::Submit { submission })
        }
        1 => {
            let channel = if f.is_multiple_of(7) {
                Channel::Online
            } else if f.is_multiple_of(2) {
                Channel::Counter
            } else {
                Channel::Postal
            };
            (
                officer,
                A::ReceiveDirect {
                    submission: submission(channel, at, f),
                    appointment: at + hours(1 + f % 120),
                    fee_due_vnd: if f.is_multiple_of(2) { s.amount } else { 0 },
                },
            )
        }
        2 => (
            officer,
            A::Receive {
                appointment: if f.is_multiple_of(13) {
                    at
                } else {
                    at + hours(1 + f % 120)
                },
                fee_due_vnd: if f.is_multiple_of(2) { s.amount } else { 0 },
            },
        ),
        3 => (
            officer,
            A::RequestIntakeSupplement {
                reason: text("Hồ sơ chưa đầy đủ"),
                missing,
            },
        ),
        4 => (
            citizen_or_officer,
            A::ProvideSupplement {
                documents: vec!["Tờ khai".into()],
                note: None,
            },
        ),
        5 => (
            officer,
            A::Refuse {
                reason: text("Không thuộc thẩm quyền"),
            },
        ),
        6 => (
            officer,
            A::Forward {
                to: agency(usize::from(f)),
            },
        ),
        7 => (
            assignee_or_leader,
            A::AssignStep {
                index: step_index,
                name: text("Thẩm định hồ sơ"),
                role: Role::Specialist,
                assignee: user(3 + f % 3),
                due: if f.is_multiple_of(17) {
                    at
                } else {
                    at + hours(1 + f % 48)
                },
            },
        ),
        8 => (
            assignee_or_leader,
            A::CompleteStep {
                index: step_index,
                note: None,
            },
        ),
        9 => (
            if f.is_multiple_of(2) {
                specialist
            } else {
                leader
            },
            A::Transfer {
                to: agency(usize::from(f)),
                reason: text("Liên thông"),
                // Now and then to another deployment (a ministry's system).
                peer: f.is_multiple_of(3).then(|| PEER.to_owned()),
            },
        ),
        10 => (
            specialist,
            A::RequestSupplement {
                reason: text("Thiếu giấy tờ"),
                missing,
            },
        ),
        11 => (
            leader,
            A::Stop {
                reason: text("Dừng giải quyết"),
            },
        ),
        12 => {
            let effective = effective_appointment(&clock(), state).ok().flatten();
            let mut current = effective.or(state.appointment).unwrap_or(at);
            if f.is_multiple_of(5) {
                current -= chrono::Duration::hours(1);
            }
            let new = if f.is_multiple_of(4) {
                current
            } else {
                current + chrono::Duration::days(i64::from(1 + f % 5))
            };
            (
                specialist,
                A::Apologize {
                    reason: text("Cần xác minh thêm"),
                    new_appointment: new,
                    current_due: current,
                },
            )
        }
        13 => (leader, A::Approve { note: None }),
        14 => (
            leader,
            A::Reject {
                reason: text("Không đủ điều kiện"),
            },
        ),
        15 => (
            specialist,
            A::RecordResult {
                result_code: text("12/GP-UBND"),
                form: if f.is_multiple_of(2) {
                    ResultForm::Electronic {
                        file_ref: text("sha256:abc"),
                    }
                } else {
                    ResultForm::Paper
                },
            },
        ),
        16 => {
            let method = [PaymentMethod::Transfer, PaymentMethod::Cash][usize::from(f % 2)];
            let payer = officer;
            (
                payer,
                A::CollectFee {
                    amount_vnd: if f.is_multiple_of(3) {
                        s.amount
                    } else {
                        state.fee_outstanding_vnd()
                    },
                    method,
                    receipt_no: None,
                },
            )
        }
        17 => (
            officer,
            A::ReturnResult {
                via: [
                    ReturnChannel::Counter,
                    ReturnChannel::Post,
                    ReturnChannel::Online,
                ][usize::from(f % 3)],
                collector: None,
            },
        ),
        18 => (
            citizen_or_officer,
            A::Withdraw {
                reason: (f.is_multiple_of(2)).then(|| "Không còn nhu cầu".to_owned()),
            },
        ),
        21 => (
            if f.is_multiple_of(2) { officer } else { leader },
            A::AdjustFee {
                fee_due_vnd: if f.is_multiple_of(3) { 0 } else { s.amount },
                reason: text("Áp dụng mức phí mới"),
            },
        ),
        22 => (
            if f.is_multiple_of(2) { officer } else { leader },
            A::RefundFee {
                amount_vnd: if f.is_multiple_of(3) {
                    s.amount
                } else {
                    state.fee_collected_vnd
                },
                reason: text("Nộp thừa"),
            },
        ),
        23 => (
            officer,
            A::ReceiveTransfer {
                submission: submission(Channel::Counter, at, f),
                from: agency(1),
                appointment: at + hours(1 + f % 120),
                peer: if f.is_multiple_of(11) {
                    " ".into()
                } else {
                    PEER.into()
                },
                message_id: format!("m-{f}"),
                reason: text("Liên thông từ tỉnh"),
            },
        ),
        24 => (
            officer,
            A::ReturnTransfer {
                peer: if f.is_multiple_of(7) {
                    "khac".into()
                } else {
                    PEER.into()
                },
                message_id: format!("r-{f}"),
                outcome: TransferOutcome {
                    approved: !f.is_multiple_of(3),
                    note: None,
                    result_code: text("15/QĐ-BTP"),
                    result_link: None,
                },
            },
        ),
        25 => (
            officer,
            A::RecordPostage {
                tracking_no: if f.is_multiple_of(5) {
                    "EB 1".into()
                } else {
                    format!("EB{:09}VN", u32::from(f) * 7919)
                },
                fee_vnd: s.amount,
            },
        ),
        20 => (
            citizen,
            A::Rate {
                level: RatingLevel::ALL[usize::from(f % 3)],
                comment: (f.is_multiple_of(2)).then(|| text("Cán bộ nhiệt tình")),
            },
        ),
        _ => {
            let source = match f % 4 {
                0 => DocumentSource::Scanned,
                1 => DocumentSource::Uploaded,
                2 => DocumentSource::Reused {
                    // Now and then the dossier itself, which is refused.
                    from_dossier: match &state.code {
                        Some(own) if f.is_multiple_of(17) => own.clone(),
                        _ => DossierCode::for_receipt(&agency(2), base(), 77).unwrap(),
                    },
                },
                // Sent with a dossier from a peer (now and then another peer, refused).
                _ => DocumentSource::Transferred {
                    peer: if f.is_multiple_of(7) {
                        "khac".into()
                    } else {
                        PEER.into()
                    },
                },
            };
            let actor = match source {
                DocumentSource::Scanned | DocumentSource::Transferred { .. } => officer,
                DocumentSource::Uploaded => citizen,
                DocumentSource::Reused { .. } => citizen_or_officer,
            };
            (
                actor,
                A::AttachDocument {
                    component: text("Tờ khai"),
                    sha256: if f.is_multiple_of(11) {
                        "not-a-hash".to_owned()
                    } else {
                        format!("{:02x}", f % 8).repeat(32)
                    },
                    media_type: MediaType::ALL[usize::from(f % 3)],
                    size: if f.is_multiple_of(13) { 0 } else { 2048 },
                    source,
                },
            )
        }
    }
}

/// The command a seed makes for `state`.
fn command(state: &DossierState, s: &Seed) -> Command {
    let at = state.last_event_at.unwrap_or_else(base) + chrono::Duration::minutes(s.minutes);
    let kind = if s.plausible {
        let allowed: Vec<u8> = (0..KINDS)
            .filter(|&k| allowed_statuses(&action(k, state, s, at).1).contains(&state.status))
            .collect();
        // Closing actions (refuse, stop, withdraw) are allowed almost everywhere; taking them
        // rarely lets runs go deep.
        let open: Vec<u8> = allowed
            .iter()
            .copied()
            .filter(|k| !CLOSING.contains(k))
            .collect();
        let pool = if open.is_empty() || s.fuzz.is_multiple_of(12) {
            &allowed
        } else {
            &open
        };
        if pool.is_empty() {
            s.kind
        } else {
            pool[usize::from(s.kind) % pool.len()]
        }
    } else {
        s.kind
    };
    let (mut actor, action) = action(kind, state, s, at);
    if !s.natural_role {
        actor = Actor {
            user: user(1 + s.role),
            role: Role::ALL[usize::from(s.role) % Role::ALL.len()],
        };
    }
    Command { actor, at, action }
}

/// What a terminal dossier still accepts: the owner's one rating of a returned dossier, the
/// postage of a result sent by post, and a refund of fees taken (money goes back whenever).
fn after_the_end(before: &DossierState, cmd: &Command) -> bool {
    let fees_staff = matches!(cmd.actor.role, Role::ReceivingOfficer | Role::Leader);
    match &cmd.action {
        DossierAction::Rate { .. } => {
            before.status == Status::Returned
                && before.rating.is_none()
                && before.owner == Some(cmd.actor.user)
                && cmd.actor.role == Role::Citizen
        }
        DossierAction::RecordPostage { .. } => {
            before.status == Status::Returned && cmd.actor.role == Role::ReceivingOfficer
        }
        DossierAction::RefundFee { amount_vnd, .. } => {
            fees_staff && *amount_vnd > 0 && *amount_vnd <= before.fee_collected_vnd
        }
        _ => false,
    }
}

/// What a run went through.
struct Trace {
    state: DossierState,
    log: Vec<EventEnvelope>,
    /// The state after every accepted command.
    states: Vec<DossierState>,
    accepted: usize,
}

/// Drives the seeds, checking after each command what must hold whatever happened.
fn drive(seeds: &[Seed]) -> Result<Trace, TestCaseError> {
    let mut state = DossierState::new();
    let mut log = Vec::new();
    let mut states = vec![state.clone()];
    let mut accepted = 0;
    for s in seeds {
        let cmd = command(&state, s);
        let before = state.clone();
        let was_terminal = state.status.is_terminal();
        match execute(&state, &cmd) {
            Err(e) => {
                // (a) a refusal changes nothing and explains itself.
                prop_assert_eq!(&state, &before);
                prop_assert!(!e.code().is_empty());
                let msg = e.message_vi();
                prop_assert!(!msg.is_empty() && !msg.contains('{'), "{}", msg);
            }
            Ok(envelopes) => {
                // (c) nothing is accepted after a terminal status but what the record keeps
                // adding to a closed dossier (`after_the_end`), which leaves the status.
                prop_assert!(
                    !was_terminal || after_the_end(&before, &cmd),
                    "accepted {:?} in {:?}",
                    cmd.action,
                    before.status
                );
                prop_assert!(!envelopes.is_empty());
                for (i, e) in envelopes.iter().enumerate() {
                    prop_assert_eq!(e.seq as usize, log.len() + i + 1);
                    prop_assert_eq!(e.at, cmd.at);
                    prop_assert_eq!(e.actor, cmd.actor);
                }
                for e in &envelopes {
                    state.apply(e);
                }
                log.extend(envelopes);
                accepted += 1;
                check_invariants(&state, log.len())?;
                states.push(state.clone());
            }
        }
    }
    Ok(Trace {
        state,
        log,
        states,
        accepted,
    })
}

fn check_invariants(s: &DossierState, events: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(s.version as usize, events);
    prop_assert!(s.status != Status::Empty);
    prop_assert!(s.code.is_some() && s.agency.is_some() && !s.hops.is_empty());
    prop_assert!(s.fee_collected_vnd <= s.fee_due_vnd);
    prop_assert_eq!(
        s.payments.iter().map(|p| p.amount_vnd).sum::<u64>(),
        s.fee_collected_vnd
    );
    // At most one open pause, the last one, exactly while waiting for a supplement.
    let open = s.pauses.iter().filter(|p| p.end.is_none()).count();
    prop_assert_eq!(open, usize::from(s.status == Status::AwaitingSupplement));
    prop_assert!(s.open_pause().is_some() == (open == 1));
    prop_assert!(s.pauses.iter().all(|p| p.end.is_none_or(|e| e >= p.start)));
    prop_assert_eq!(s.pauses.len() as u32, s.supplement_requests);
    // Received once, with an appointment after the receipt.
    prop_assert_eq!(s.received_at.is_some(), s.appointment.is_some());
    if let (Some(r), Some(a)) = (s.received_at, s.original_appointment) {
        prop_assert!(a > r);
    }
    if let Some(apology) = &s.apology {
        prop_assert_eq!(s.appointment, Some(apology.new_appointment));
        prop_assert!(apology.new_appointment > apology.previous_due);
        prop_assert!(apology.at < apology.previous_due);
    } else {
        prop_assert_eq!(s.appointment, s.original_appointment);
    }
    // Finished exactly when a result is issued or the dossier is closed.
    let finished = matches!(
        s.status,
        Status::Done | Status::Returned | Status::Refused | Status::Stopped | Status::Withdrawn
    );
    prop_assert!(s.finished_at.is_some() || !finished);
    prop_assert!(s.finished_at.is_none() || finished);
    if s.status == Status::Returned {
        prop_assert!(s.result.is_some() && s.decision.is_some());
        prop_assert_eq!(s.fee_outstanding_vnd(), 0);
    }
    if s.result.is_some() {
        prop_assert!(s.decision.is_some());
    }
    prop_assert_eq!(s.stop.is_some(), s.status == Status::Stopped);
    prop_assert_eq!(s.refusal.is_some(), s.status == Status::Refused);
    prop_assert_eq!(s.withdrawal.is_some(), s.status == Status::Withdrawn);
    prop_assert!(s.refusal.is_none() || s.received_at.is_none());
    // Every attached file is named by a real hash, is not empty, and is there once per
    // component.
    for (i, d) in s.documents.iter().enumerate() {
        prop_assert!(is_sha256_hex(&d.sha256) && d.size > 0 && !d.component.is_empty());
        prop_assert!(
            !s.documents[..i]
                .iter()
                .any(|e| e.component == d.component && e.sha256 == d.sha256)
        );
    }
    Ok(())
}

fn seeds() -> impl Strategy<Value = Vec<Seed>> {
    prop::collection::vec(seed(), 1..70)
}

mod dossier_properties {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// (a) Any sequence never panics; every refusal leaves the state as it was; the
        /// invariants of a dossier hold after every accepted command.
        #[test]
        fn random_commands_never_panic_and_refusals_change_nothing(seeds in seeds()) {
            let trace = drive(&seeds)?;
            prop_assert!(trace.states.len() == trace.accepted + 1);
        }

        /// (b) The checked fold of all the events is the state built incrementally, and so is
        /// the fold of every prefix.
        #[test]
        fn fold_of_all_events_is_the_incremental_state(seeds in seeds(), cut in any::<prop::sample::Index>()) {
            let trace = drive(&seeds)?;
            prop_assert_eq!(fold(&trace.log), Ok(trace.state.clone()));
            let k = cut.index(trace.log.len() + 1);
            let prefix = replay(&trace.log[..k]).map_err(|e| TestCaseError::fail(e.message_vi()))?;
            prop_assert_eq!(prefix.version as usize, k);
            // A prefix ends between two commands, or inside a direct receipt (lodged and
            // received by one command).
            let inside_direct_receipt = k == 1
                && trace.log.get(1).is_some_and(|e| e.event.kind() == "received" && e.at == trace.log[0].at);
            prop_assert!(trace.states.contains(&prefix) || inside_direct_receipt);
            // And the stored form round-trips.
            let json = serde_json::to_string(&trace.log).unwrap();
            let back: Vec<EventEnvelope> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &trace.log);
            let json = serde_json::to_string(&trace.state).unwrap();
            let back: DossierState = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, trace.state);
        }

        /// (c) Once terminal, every command of every kind, by anyone, is refused — except
        /// what [`after_the_end`] lets through.
        #[test]
        fn terminal_states_refuse_everything(seeds in seeds(), probe in seed()) {
            let trace = drive(&seeds)?;
            if trace.state.status.is_terminal() {
                for kind in 0..KINDS {
                    for natural_role in [true, false] {
                        let s = Seed { plausible: false, kind, natural_role, ..probe.clone() };
                        let cmd = command(&trace.state, &s);
                        let refused = execute(&trace.state, &cmd);
                        prop_assert!(
                            refused.is_err() || after_the_end(&trace.state, &cmd),
                            "{:?} accepted",
                            cmd.action
                        );
                    }
                }
            }
        }

        /// (d) Counted late by the index ⇒ late by law, or asked for a supplement at least twice;
        /// and late by law ⇒ late for the index.
        #[test]
        fn index_lateness_implies_legal_lateness_or_repeated_supplements(
            seeds in seeds(),
            probe_minutes in 0i64..20_000,
        ) {
            let trace = drive(&seeds)?;
            for s in &trace.states {
                if let Some(c) = classify_finish(&clock(), s).unwrap() {
                    let legally_late = matches!(c.legal, Timeliness::Late { .. });
                    if c.index == IndexTimeliness::Late {
                        prop_assert!(legally_late || s.supplement_requests >= 2);
                    }
                    if legally_late {
                        prop_assert_eq!(c.index, IndexTimeliness::Late);
                    }
                    prop_assert!(c.effective_appointment >= s.appointment.unwrap());
                }
                let now = s.last_event_at.unwrap_or_else(base) + chrono::Duration::minutes(probe_minutes);
                if let Some(st) = standing_at(&clock(), s, now).unwrap() {
                    prop_assert!(!st.index_late || st.overdue || s.supplement_requests >= 2);
                    prop_assert_eq!(st.overdue, matches!(st.legal, Timeliness::Late { .. }));
                    prop_assert!(st.due >= s.appointment.unwrap());
                }
            }
        }
    }

    proptest! {
        /// Codes: any valid code prints and parses back; any text parses or is refused, never
        /// panics.
        #[test]
        fn dossier_codes_round_trip(
            a in 0u16..1000, b in 0u8..100, c in 0u8..100, letter in b'A'..=b'Z', d in 0u8..100,
            days in 0i64..36_524, seq in 1u32..=9999,
        ) {
            let agency = AgencyCode::parse(&format!("{a:03}.{b:02}.{c:02}.{}{d:02}", letter as char)).unwrap();
            let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let code = DossierCode::new(&agency, date, seq).unwrap();
            let text = code.to_string();
            prop_assert_eq!(text.len(), agency.as_str().len() + 12);
            prop_assert_eq!(DossierCode::parse(&text), Ok(code.clone()));
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<DossierCode>(&json).unwrap(), code);
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}", digits in "[0-9]{10,13}") {
            let _ = DossierCode::parse(&s);
            let _ = CitizenId::parse(&s);
            let _ = normalize_phone(&s);
            if let Ok(id) = CitizenId::parse(&digits) {
                prop_assert_eq!(id.masked().chars().count(), 12);
                prop_assert!(id.province_name().is_some());
                prop_assert!((1900..2400).contains(&id.birth_year()));
            }
            let applicant = Applicant {
                name: s.clone(),
                id_number: CitizenId::parse("001099012345").unwrap(),
                phone: Some(s.clone()),
                email: Some(s.clone()),
                address: Some(s.clone()),
            };
            let normalized = applicant.normalized();
            prop_assert_eq!(normalized.normalized(), normalized.clone());
            if let Err(e) = normalized.validate(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()) {
                prop_assert!(!e.message_vi().is_empty());
            }
        }
    }

    /// The generator reaches every status and every event kind (so the properties are not
    /// vacuous).
    #[test]
    fn the_generator_reaches_everything() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut statuses = std::collections::BTreeSet::new();
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let seeds = seeds().new_tree(&mut runner).unwrap().current();
            let trace = drive(&seeds).unwrap();
            statuses.extend(trace.states.iter().map(|s| s.status.as_str()));
            kinds.extend(trace.log.iter().map(|e| e.event.kind()));
        }
        for s in Status::ALL {
            assert!(
                statuses.contains(s.as_str()),
                "never reached {}",
                s.as_str()
            );
        }
        for k in Event::KINDS {
            assert!(kinds.contains(k), "never produced {k}");
        }
    }
}
