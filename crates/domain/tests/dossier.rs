//! Tests of the dossier state machine (`motcua_domain::dossier`) by example: every transition,
//! every refusal, the dossier code, the applicant's identification number, replay of stored
//! histories, and timeliness with the real calendar. Module names start with `dossier_` so
//! `cargo test -p motcua-domain dossier` runs them all.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::{Calendar, Duration, OfficeHours, Timeliness, WorkClock};
use motcua_domain::catalogue::model::Channel;
use motcua_domain::dossier::*;
use uuid::Uuid;

/// A Vietnam local time (UTC+7) as a UTC instant.
fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - chrono::Duration::hours(7)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn agency(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

const CENTRE: &str = "000.00.06.H56";
const DEPT: &str = "000.00.12.H56";
const OTHER: &str = "000.00.20.H56";

fn user(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

fn citizen() -> Actor {
    Actor {
        user: user(1),
        role: Role::Citizen,
    }
}
fn officer() -> Actor {
    Actor {
        user: user(2),
        role: Role::ReceivingOfficer,
    }
}
fn specialist() -> Actor {
    Actor {
        user: user(3),
        role: Role::Specialist,
    }
}
fn leader() -> Actor {
    Actor {
        user: user(4),
        role: Role::Leader,
    }
}
fn other_specialist() -> Actor {
    Actor {
        user: user(5),
        role: Role::Specialist,
    }
}

fn applicant() -> Applicant {
    Applicant {
        name: "  Nguyễn   Văn An ".into(),
        id_number: CitizenId::parse("001099012345").unwrap(),
        phone: Some("+84 912 345 678".into()),
        email: Some("an.nguyen@example.vn".into()),
        address: Some("Số 1 Tràng Tiền, Hà Nội".into()),
    }
}

fn submission(channel: Channel, at: DateTime<Utc>) -> Submission {
    Submission {
        authorisation: None,
        code: DossierCode::for_receipt(&agency(CENTRE), at, 361).unwrap(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            version: 3,
        },
        agency: agency(CENTRE),
        channel,
        applicant: applicant(),
        components: Vec::new(),
    }
}

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::statutory);
static HOURS: LazyLock<OfficeHours> = LazyLock::new(OfficeHours::default);

fn clock() -> WorkClock<'static> {
    CALENDAR.clock(&HOURS)
}

/// Monday 1 March 2027, 08:00: a working day with no holiday near.
fn t0() -> DateTime<Utc> {
    vn(2027, 3, 1, 8, 0)
}

/// Three working days from `t0`: Thursday 4 March 2027, 17:00.
fn appointment() -> DateTime<Utc> {
    clock()
        .appointment(t0(), None, Duration::WorkingDays(3))
        .unwrap()
}

/// A dossier driven through commands, keeping its stored history.
#[derive(Debug, Clone, Default)]
struct Run {
    state: DossierState,
    log: Vec<EventEnvelope>,
}

impl Run {
    fn try_do(
        &mut self,
        actor: Actor,
        at: DateTime<Utc>,
        action: DossierAction,
    ) -> Result<Vec<Event>, DossierError> {
        let before = self.state.clone();
        let command = Command { actor, at, action };
        match execute(&self.state, &command) {
            Ok(envelopes) => {
                for e in &envelopes {
                    self.state.apply(e);
                }
                self.log.extend(envelopes.iter().cloned());
                Ok(envelopes.into_iter().map(|e| e.event).collect())
            }
            Err(e) => {
                assert_eq!(self.state, before, "a refused command changes nothing");
                Err(e)
            }
        }
    }

    #[track_caller]
    fn ok(&mut self, actor: Actor, at: DateTime<Utc>, action: DossierAction) -> Vec<&'static str> {
        match self.try_do(actor, at, action) {
            Ok(events) => events.iter().map(Event::kind).collect(),
            Err(e) => panic!("refused: {} — {}", e.code(), e.message_vi()),
        }
    }

    #[track_caller]
    fn refused(&mut self, actor: Actor, at: DateTime<Utc>, action: DossierAction) -> DossierError {
        match self.try_do(actor, at, action) {
            Ok(events) => panic!("accepted: {events:?}"),
            Err(e) => e,
        }
    }
}

fn receive(fee: u64) -> DossierAction {
    DossierAction::Receive {
        appointment: appointment(),
        fee_due_vnd: fee,
    }
}

fn forward(to: &str) -> DossierAction {
    DossierAction::Forward { to: agency(to) }
}

fn assign(
    index: u32,
    name: &str,
    role: Role,
    assignee: Actor,
    due: DateTime<Utc>,
) -> DossierAction {
    DossierAction::AssignStep {
        index,
        name: name.into(),
        role,
        assignee: assignee.user,
        due,
    }
}

fn complete(index: u32) -> DossierAction {
    DossierAction::CompleteStep {
        index,
        note: Some("Đủ điều kiện".into()),
    }
}

fn reason(s: &str) -> String {
    s.to_owned()
}

/// Online, received at t0 with a fee of 50.000 đồng.
fn received_online(fee: u64) -> Run {
    let mut run = Run::default();
    run.ok(
        citizen(),
        t0() - chrono::Duration::minutes(30),
        DossierAction::Submit {
            submission: submission(Channel::Online, t0()),
        },
    );
    run.ok(officer(), t0(), receive(fee));
    run
}

/// Forwarded to DEPT at 08:10 on day 1, step 0 assigned to the specialist.
fn processing(fee: u64) -> Run {
    let mut run = received_online(fee);
    run.ok(officer(), vn(2027, 3, 1, 8, 10), forward(DEPT));
    run.ok(
        leader(),
        vn(2027, 3, 1, 8, 20),
        assign(
            0,
            "Thẩm định hồ sơ",
            Role::Specialist,
            specialist(),
            vn(2027, 3, 3, 17, 0),
        ),
    );
    run
}

fn approved(fee: u64) -> Run {
    let mut run = processing(fee);
    run.ok(specialist(), vn(2027, 3, 2, 9, 0), complete(0));
    run.ok(
        leader(),
        vn(2027, 3, 2, 10, 0),
        DossierAction::Approve { note: None },
    );
    run
}

fn done(fee: u64, form: ResultForm) -> Run {
    let mut run = approved(fee);
    run.ok(
        leader(),
        vn(2027, 3, 2, 11, 0),
        DossierAction::RecordResult {
            result_code: "123/GP-UBND".into(),
            form,
        },
    );
    run
}

fn electronic() -> ResultForm {
    ResultForm::Electronic {
        file_ref: "sha256:9f86d081884c7d659a2feaa0c55ad015".into(),
    }
}

/// One action of every kind, with data that would pass its own checks on a suitable dossier.
fn every_action(at: DateTime<Utc>) -> Vec<(Actor, DossierAction)> {
    vec![
        (
            citizen(),
            DossierAction::Submit {
                submission: submission(Channel::Online, at),
            },
        ),
        (
            officer(),
            DossierAction::ReceiveDirect {
                submission: submission(Channel::Counter, at),
                appointment: at + chrono::Duration::days(3),
                fee_due_vnd: 0,
            },
        ),
        (
            officer(),
            DossierAction::Receive {
                appointment: at + chrono::Duration::days(3),
                fee_due_vnd: 0,
            },
        ),
        (
            officer(),
            DossierAction::RequestIntakeSupplement {
                reason: reason("Thiếu giấy tờ"),
                missing: vec!["Bản sao giấy khai sinh".into()],
            },
        ),
        (
            citizen(),
            DossierAction::ProvideSupplement {
                documents: vec!["Bản sao giấy khai sinh".into()],
                note: None,
            },
        ),
        (
            officer(),
            DossierAction::Refuse {
                reason: reason("Không thuộc thẩm quyền"),
            },
        ),
        (officer(), forward(OTHER)),
        (
            leader(),
            assign(
                0,
                "Thẩm định",
                Role::Specialist,
                specialist(),
                at + chrono::Duration::days(1),
            ),
        ),
        (leader(), complete(0)),
        (
            leader(),
            DossierAction::Transfer {
                to: agency(OTHER),
                reason: reason("Liên thông"),
                peer: None,
            },
        ),
        (
            specialist(),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Sơ đồ thửa đất".into()],
            },
        ),
        (
            leader(),
            DossierAction::Stop {
                reason: reason("Dừng"),
            },
        ),
        (
            leader(),
            DossierAction::Apologize {
                reason: reason("Chậm"),
                new_appointment: at + chrono::Duration::days(30),
                current_due: at + chrono::Duration::days(1),
            },
        ),
        (leader(), DossierAction::Approve { note: None }),
        (
            leader(),
            DossierAction::Reject {
                reason: reason("Không đủ điều kiện"),
            },
        ),
        (
            leader(),
            DossierAction::RecordResult {
                result_code: "1/QĐ".into(),
                form: ResultForm::Paper,
            },
        ),
        (
            officer(),
            DossierAction::CollectFee {
                amount_vnd: 1,
                method: PaymentMethod::Cash,
                receipt_no: None,
            },
        ),
        (
            officer(),
            DossierAction::ReturnResult {
                via: ReturnChannel::Counter,
                collector: None,
            },
        ),
        (citizen(), DossierAction::Withdraw { reason: None }),
    ]
}

#[track_caller]
fn assert_all_refused(run: &mut Run, at: DateTime<Utc>) {
    for (actor, action) in every_action(at) {
        let name = action.name();
        let e = run.refused(actor, at, action);
        assert!(
            matches!(e.code(), "not_allowed_in_state" | "dossier_already_exists"),
            "{name}: {}",
            e.code()
        );
    }
}

mod dossier_lifecycle {
    use super::*;

    #[test]
    fn online_dossier_from_submission_to_online_return() {
        let mut run = Run::default();
        let submitted_at = t0() - chrono::Duration::minutes(30);
        assert_eq!(
            run.ok(
                citizen(),
                submitted_at,
                DossierAction::Submit {
                    submission: submission(Channel::Online, t0())
                }
            ),
            ["submitted"]
        );
        let s = &run.state;
        assert_eq!(s.status, Status::Submitted);
        assert_eq!(s.owner, Some(user(1)));
        assert_eq!(s.channel, Some(Channel::Online));
        assert_eq!(
            s.code.as_ref().unwrap().to_string(),
            "000.00.06.H56-270301-0361"
        );
        let a = s.applicant.as_ref().unwrap();
        assert_eq!(a.name, "Nguyễn Văn An", "normalised");
        assert_eq!(a.phone.as_deref(), Some("0912345678"), "normalised");

        assert_eq!(run.ok(officer(), t0(), receive(50_000)), ["received"]);
        assert_eq!(run.state.status, Status::Received);
        assert_eq!(run.state.received_at, Some(t0()));
        assert_eq!(run.state.appointment, Some(appointment()));
        assert_eq!(run.state.original_appointment, Some(appointment()));
        assert_eq!(run.state.appointment, Some(vn(2027, 3, 4, 17, 0)));

        assert_eq!(
            run.ok(officer(), vn(2027, 3, 1, 8, 10), forward(DEPT)),
            ["forwarded"]
        );
        assert_eq!(run.state.status, Status::Processing);
        assert_eq!(run.state.agency, Some(agency(DEPT)));
        assert_eq!(
            run.state
                .hops
                .iter()
                .map(|h| (h.agency.to_string(), h.via))
                .collect::<Vec<_>>(),
            [
                (CENTRE.to_owned(), HopKind::Lodged),
                (DEPT.to_owned(), HopKind::Forwarded)
            ]
        );

        let step_due = vn(2027, 3, 3, 17, 0);
        run.ok(
            leader(),
            vn(2027, 3, 1, 8, 20),
            assign(
                0,
                "Thẩm định hồ sơ",
                Role::Specialist,
                specialist(),
                step_due,
            ),
        );
        assert_eq!(run.state.assignee(), Some(user(3)));
        assert_eq!(run.state.active_step.as_ref().unwrap().index, 0);
        assert_eq!(
            run.ok(specialist(), vn(2027, 3, 2, 9, 0), complete(0)),
            ["step_completed"]
        );
        assert_eq!(run.state.next_step, 1);
        assert_eq!(run.state.assignee(), None);
        assert_eq!(run.state.steps.len(), 1);
        assert!(!run.state.steps[0].is_late());
        assert_eq!(run.state.steps[0].agency, Some(agency(DEPT)));

        run.ok(
            leader(),
            vn(2027, 3, 2, 9, 30),
            assign(
                1,
                "Phê duyệt kết quả",
                Role::Leader,
                leader(),
                vn(2027, 3, 4, 11, 0),
            ),
        );
        assert_eq!(
            run.ok(
                leader(),
                vn(2027, 3, 2, 10, 0),
                DossierAction::Approve {
                    note: Some("Đồng ý".into())
                }
            ),
            ["approved"]
        );
        assert_eq!(run.state.status, Status::Approved);
        assert_eq!(
            run.state.decision.as_ref().unwrap().verdict,
            Verdict::Approved
        );
        run.ok(leader(), vn(2027, 3, 2, 10, 5), complete(1));

        let recorded_at = vn(2027, 3, 2, 11, 0);
        assert_eq!(
            run.ok(
                leader(),
                recorded_at,
                DossierAction::RecordResult {
                    result_code: " 123/GP-UBND ".into(),
                    form: electronic()
                }
            ),
            ["result_recorded"]
        );
        assert_eq!(run.state.status, Status::Done);
        assert_eq!(run.state.finished_at, Some(recorded_at));
        assert_eq!(
            run.state.result.as_ref().unwrap().result_code,
            "123/GP-UBND"
        );

        assert_eq!(
            run.ok(
                officer(),
                vn(2027, 3, 2, 12, 0),
                DossierAction::CollectFee {
                    amount_vnd: 50_000,
                    method: PaymentMethod::Transfer,
                    receipt_no: Some("BL-0001".into())
                }
            ),
            ["fee_collected"]
        );
        assert_eq!(run.state.fee_outstanding_vnd(), 0);

        let returned_at = vn(2027, 3, 2, 14, 0);
        assert_eq!(
            run.ok(
                officer(),
                returned_at,
                DossierAction::ReturnResult {
                    via: ReturnChannel::Online,
                    collector: None,
                }
            ),
            ["result_returned"]
        );
        assert_eq!(run.state.status, Status::Returned);
        assert_eq!(run.state.returned_at, Some(returned_at));
        assert_eq!(
            run.state.finished_at,
            Some(recorded_at),
            "finish = result recorded"
        );
        assert_eq!(run.state.version, run.log.len() as u32);
        assert_eq!(fold(&run.log).unwrap(), run.state);
        assert_all_refused(&mut run, vn(2027, 3, 3, 9, 0));
    }

    #[test]
    fn counter_receipt_is_lodged_and_received_at_once() {
        let mut run = Run::default();
        let events = run.ok(
            officer(),
            t0(),
            DossierAction::ReceiveDirect {
                submission: submission(Channel::Counter, t0()),
                appointment: appointment(),
                fee_due_vnd: 0,
            },
        );
        assert_eq!(events, ["submitted", "received"]);
        assert_eq!(run.state.status, Status::Received);
        assert_eq!(run.state.owner, None);
        assert_eq!(run.state.submitted_at, Some(t0()));
        assert_eq!(run.state.received_at, Some(t0()));
        assert_eq!(run.log.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(replay(&run.log).unwrap(), run.state);

        // By post, too.
        let mut postal = Run::default();
        postal.ok(
            officer(),
            t0(),
            DossierAction::ReceiveDirect {
                submission: submission(Channel::Postal, t0()),
                appointment: appointment(),
                fee_due_vnd: 0,
            },
        );
        assert_eq!(postal.state.channel, Some(Channel::Postal));

        // Online dossiers are checked first.
        let e = Run::default().refused(
            officer(),
            t0(),
            DossierAction::ReceiveDirect {
                submission: submission(Channel::Online, t0()),
                appointment: appointment(),
                fee_due_vnd: 0,
            },
        );
        assert_eq!(e.code(), "direct_receipt_online");

        // A postal dossier may also be registered first, then checked.
        let mut registered = Run::default();
        registered.ok(
            officer(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Postal, t0()),
            },
        );
        assert_eq!(registered.state.status, Status::Submitted);
    }

    #[test]
    fn a_partner_lodges_by_post_under_the_citizens_authorisation_and_follows_it() {
        let post = Actor {
            user: user(9),
            role: Role::Partner,
        };
        let authorised = |partner: bool, id: Option<&str>| {
            let mut s = submission(Channel::Postal, t0());
            s.authorisation = Some(Authorisation {
                representative_name: " Bưu điện tỉnh Thanh Hóa ".into(),
                representative_id: id.map(|n| CitizenId::parse(n).unwrap()),
                partner,
                scope: "Nộp hồ sơ và nhận kết quả qua bưu chính".into(),
                document_number: "BCCI-2027-000123".into(),
            });
            DossierAction::Submit { submission: s }
        };
        let mut run = Run::default();
        assert_eq!(run.ok(post, t0(), authorised(true, None)), ["submitted"]);
        assert_eq!(run.state.status, Status::Submitted, "the officer checks it");
        assert_eq!(run.state.partner, Some(post.user), "the partner follows it");
        assert_eq!(run.state.owner, None, "it is no one's account's dossier");
        let a = run.state.authorisation.as_ref().unwrap();
        assert_eq!(a.representative_name, "Bưu điện tỉnh Thanh Hóa");
        assert!(a.partner && a.representative_id.is_none());
        assert_eq!(replay(&run.log).unwrap(), run.state);
        // Then it is the officer's: the partner receives nothing, decides nothing.
        assert_eq!(
            run.refused(post, t0(), receive(0)).code(),
            "role_not_allowed"
        );
        run.ok(officer(), vn(2027, 3, 1, 9, 0), receive(0));
        assert_eq!(run.state.channel, Some(Channel::Postal));

        let refused =
            |actor: Actor, action: DossierAction| Run::default().refused(actor, t0(), action);
        // Without the citizen's authorisation, or with a person's instead of its own.
        let bare = DossierAction::Submit {
            submission: submission(Channel::Postal, t0()),
        };
        assert_eq!(refused(post, bare).code(), "authorisation_invalid");
        assert_eq!(
            refused(post, authorised(false, Some("038199012345"))).code(),
            "authorisation_invalid"
        );
        // A partner's authorisation names no person, and no one else records one.
        assert_eq!(
            refused(post, authorised(true, Some("038199012345"))).code(),
            "authorisation_invalid"
        );
        assert_eq!(
            refused(officer(), authorised(true, None)).code(),
            "authorisation_invalid"
        );
        // Only by post: not online, not at the counter.
        let mut online = submission(Channel::Online, t0());
        online.authorisation = match authorised(true, None) {
            DossierAction::Submit { submission } => submission.authorisation,
            _ => unreachable!(),
        };
        assert_eq!(
            refused(post, DossierAction::Submit { submission: online }).code(),
            "role_not_allowed"
        );
    }

    #[test]
    fn intake_supplement_goes_back_to_the_check_and_keeps_the_code() {
        let mut run = Run::default();
        let day = t0() - chrono::Duration::hours(1);
        run.ok(
            citizen(),
            day,
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        let code = run.state.code.clone();
        assert_eq!(
            run.ok(
                officer(),
                t0(),
                DossierAction::RequestIntakeSupplement {
                    reason: reason("Hồ sơ chưa đầy đủ"),
                    missing: vec![" Bản sao giấy khai sinh ".into(), "  ".into()]
                }
            ),
            ["intake_supplement_requested"]
        );
        assert_eq!(run.state.status, Status::AwaitingIntakeSupplement);
        let request = run.state.open_request.as_ref().unwrap();
        assert!(request.at_intake);
        assert_eq!(request.missing, ["Bản sao giấy khai sinh"]);
        assert_eq!(run.state.received_at, None, "not received");
        // Nothing can be received or processed while waiting.
        assert_eq!(
            run.refused(officer(), t0(), receive(0)).code(),
            "not_allowed_in_state"
        );
        assert_eq!(
            run.ok(
                citizen(),
                vn(2027, 3, 1, 9, 0),
                DossierAction::ProvideSupplement {
                    documents: vec!["Bản sao giấy khai sinh".into()],
                    note: None
                }
            ),
            ["supplemented"]
        );
        assert_eq!(run.state.status, Status::Submitted);
        assert_eq!(run.state.open_request, None);
        assert_eq!(run.state.intake_supplement_requests, 1);
        assert_eq!(run.state.supplement_requests, 0);
        assert!(run.state.pauses.is_empty(), "no clock runs before receipt");
        run.ok(officer(), vn(2027, 3, 1, 9, 30), receive(0));
        assert_eq!(run.state.code, code);
    }

    #[test]
    fn refusal_is_terminal() {
        let mut run = Run::default();
        run.ok(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        let e = run.refused(
            officer(),
            t0(),
            DossierAction::Refuse { reason: " ".into() },
        );
        assert_eq!(e.code(), "reason_required");
        assert_eq!(
            e.message_vi(),
            "Cần nêu rõ lý do khi từ chối tiếp nhận hồ sơ."
        );
        let at = vn(2027, 3, 1, 8, 30);
        assert_eq!(
            run.ok(
                officer(),
                at,
                DossierAction::Refuse {
                    reason: reason("Thủ tục không thuộc thẩm quyền giải quyết")
                }
            ),
            ["refused"]
        );
        assert_eq!(run.state.status, Status::Refused);
        assert_eq!(run.state.finished_at, Some(at));
        assert_eq!(
            run.state.refusal.as_ref().unwrap().reason.as_deref(),
            Some("Thủ tục không thuộc thẩm quyền giải quyết")
        );
        assert_all_refused(&mut run, vn(2027, 3, 2, 8, 0));
    }

    #[test]
    fn transfer_keeps_the_code_and_starts_the_next_agency_workflow() {
        let mut run = processing(0);
        let code = run.state.code.clone();
        let at = vn(2027, 3, 1, 10, 0);
        let e = run.refused(
            specialist(),
            at,
            DossierAction::Transfer {
                to: agency(DEPT),
                reason: reason("Lấy ý kiến"),
                peer: None,
            },
        );
        assert_eq!(e.code(), "same_agency");
        assert_eq!(
            run.refused(
                officer(),
                at,
                DossierAction::Transfer {
                    to: agency(OTHER),
                    reason: reason("Lấy ý kiến"),
                    peer: None,
                }
            )
            .code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.ok(
                specialist(),
                at,
                DossierAction::Transfer {
                    to: agency(OTHER),
                    reason: reason("Liên thông xác nhận nghĩa vụ tài chính"),
                    peer: None,
                }
            ),
            ["transferred"]
        );
        let s = &run.state;
        assert_eq!(s.code, code, "same dossier code across agencies");
        assert_eq!(s.status, Status::Processing);
        assert_eq!(s.agency, Some(agency(OTHER)));
        assert_eq!(s.hops.len(), 3);
        assert_eq!(s.hops[2].via, HopKind::Transferred);
        assert_eq!(s.hops[2].since, at);
        assert_eq!(s.next_step, 0);
        assert_eq!(s.active_step, None);
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.steps[0].ended, StepEnd::Transferred);
        assert_eq!(s.steps[0].agency, Some(agency(DEPT)));
        // The receiving agency's workflow starts at its first step.
        let e = run.refused(
            leader(),
            at,
            assign(
                1,
                "Xác nhận",
                Role::Specialist,
                specialist(),
                vn(2027, 3, 2, 17, 0),
            ),
        );
        assert_eq!(e.code(), "step_out_of_order");
        run.ok(
            leader(),
            at,
            assign(
                0,
                "Xác nhận",
                Role::Specialist,
                other_specialist(),
                vn(2027, 3, 2, 17, 0),
            ),
        );
        // And back again: a transfer to an agency visited before is allowed.
        run.ok(
            other_specialist(),
            vn(2027, 3, 1, 15, 0),
            DossierAction::Transfer {
                to: agency(DEPT),
                reason: reason("Trả kết quả liên thông"),
                peer: None,
            },
        );
        assert_eq!(run.state.hops.len(), 4);
    }

    #[test]
    fn supplement_during_processing_pauses_and_resumes_the_clock() {
        let mut run = processing(0);
        let asked = vn(2027, 3, 2, 8, 0);
        let e = run.refused(
            specialist(),
            asked,
            DossierAction::RequestSupplement {
                reason: reason("Thiếu sơ đồ"),
                missing: vec![],
            },
        );
        assert_eq!(e.code(), "missing_items_required");
        assert_eq!(
            run.ok(
                specialist(),
                asked,
                DossierAction::RequestSupplement {
                    reason: reason("Thiếu sơ đồ thửa đất"),
                    missing: vec!["Sơ đồ thửa đất".into()]
                }
            ),
            ["supplement_requested"]
        );
        assert_eq!(run.state.status, Status::AwaitingSupplement);
        assert_eq!(
            run.state.pauses,
            [Pause {
                start: asked,
                end: None
            }]
        );
        assert_eq!(run.state.supplement_requests, 1);
        assert!(run.state.open_pause().is_some());
        // Nothing is decided while the clock is stopped.
        for action in [
            DossierAction::Approve { note: None },
            DossierAction::Apologize {
                reason: reason("Chậm"),
                new_appointment: vn(2027, 3, 20, 17, 0),
                current_due: appointment(),
            },
            DossierAction::RequestSupplement {
                reason: reason("Lần nữa"),
                missing: vec!["x".into()],
            },
        ] {
            assert_eq!(
                run.refused(leader(), asked, action).code(),
                "not_allowed_in_state"
            );
        }
        assert_eq!(
            effective_appointment_now(&run.state),
            None,
            "unknown while paused"
        );
        // Another citizen cannot answer; the owner can.
        let stranger = Actor {
            user: user(9),
            role: Role::Citizen,
        };
        let supplement = DossierAction::ProvideSupplement {
            documents: vec!["Sơ đồ thửa đất".into()],
            note: Some("Bổ sung qua cổng".into()),
        };
        assert_eq!(
            run.refused(stranger, asked, supplement.clone()).code(),
            "not_owner"
        );
        let back = vn(2027, 3, 3, 8, 0);
        assert_eq!(run.ok(citizen(), back, supplement), ["supplement_provided"]);
        assert_eq!(run.state.status, Status::Processing);
        assert_eq!(
            run.state.pauses,
            [Pause {
                start: asked,
                end: Some(back)
            }]
        );
        assert_eq!(run.state.open_request, None);
        // One working day paused (Tue 08:00 → Wed 08:00): Thursday 17:00 becomes Friday 17:00.
        assert_eq!(
            effective_appointment_now(&run.state),
            Some(vn(2027, 3, 5, 17, 0))
        );
        assert_eq!(
            run.state.appointment,
            Some(appointment()),
            "stored as received"
        );
    }

    fn effective_appointment_now(state: &DossierState) -> Option<DateTime<Utc>> {
        timeliness::effective_appointment(&clock(), state).unwrap()
    }

    #[test]
    fn stop_is_terminal_and_closes_an_open_pause() {
        let mut run = processing(0);
        let asked = vn(2027, 3, 2, 8, 0);
        run.ok(
            specialist(),
            asked,
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        let stopped = vn(2027, 3, 20, 8, 0);
        assert_eq!(
            run.refused(
                specialist(),
                stopped,
                DossierAction::Stop { reason: "".into() }
            )
            .code(),
            "reason_required"
        );
        assert_eq!(
            run.ok(
                leader(),
                stopped,
                DossierAction::Stop {
                    reason: reason("Quá thời hạn bổ sung mà công dân không bổ sung")
                }
            ),
            ["stopped"]
        );
        assert_eq!(run.state.status, Status::Stopped);
        assert_eq!(run.state.pauses[0].end, Some(stopped));
        assert_eq!(run.state.finished_at, Some(stopped));
        // The result may not be issued.
        let e = run.refused(
            leader(),
            stopped,
            DossierAction::RecordResult {
                result_code: "1/QĐ".into(),
                form: ResultForm::Paper,
            },
        );
        assert_eq!(e.code(), "not_allowed_in_state");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ đang ở trạng thái «Dừng giải quyết», không thể cập nhật kết quả giải quyết."
        );
        assert_all_refused(&mut run, stopped);
        // Judged as at the request: the request came before the appointment.
        let c = timeliness::classify_finish(&clock(), &run.state)
            .unwrap()
            .unwrap();
        assert_eq!(c.index, timeliness::IndexTimeliness::OnTime);
    }

    #[test]
    fn stop_from_received() {
        let mut run = received_online(0);
        run.ok(
            leader(),
            vn(2027, 3, 1, 9, 0),
            DossierAction::Stop {
                reason: reason("Công dân đề nghị dừng"),
            },
        );
        assert_eq!(run.state.status, Status::Stopped);
    }

    #[test]
    fn reject_then_paper_answer_returned_at_the_counter() {
        let mut run = processing(0);
        let at = vn(2027, 3, 2, 10, 0);
        assert_eq!(
            run.refused(leader(), at, DossierAction::Reject { reason: "".into() })
                .code(),
            "reason_required"
        );
        assert_eq!(
            run.refused(
                specialist(),
                at,
                DossierAction::Reject {
                    reason: reason("Không đủ điều kiện")
                }
            )
            .code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.ok(
                leader(),
                at,
                DossierAction::Reject {
                    reason: reason("Thửa đất đang có tranh chấp")
                }
            ),
            ["rejected"]
        );
        assert_eq!(run.state.status, Status::Rejected);
        let d = run.state.decision.as_ref().unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        assert_eq!(d.reason.as_deref(), Some("Thửa đất đang có tranh chấp"));
        assert_eq!(
            run.refused(officer(), at, DossierAction::Approve { note: None })
                .code(),
            "not_allowed_in_state"
        );
        run.ok(
            specialist(),
            vn(2027, 3, 2, 11, 0),
            DossierAction::RecordResult {
                result_code: "45/TB-UBND".into(),
                form: ResultForm::Paper,
            },
        );
        assert_eq!(
            run.refused(
                officer(),
                vn(2027, 3, 2, 14, 0),
                DossierAction::ReturnResult {
                    via: ReturnChannel::Online,
                    collector: None,
                }
            )
            .code(),
            "electronic_result_required"
        );
        assert_eq!(
            run.ok(
                officer(),
                vn(2027, 3, 2, 14, 0),
                DossierAction::ReturnResult {
                    via: ReturnChannel::Counter,
                    collector: None,
                }
            ),
            ["result_returned"]
        );
        assert_eq!(run.state.returned_via, Some(ReturnChannel::Counter));
    }

    #[test]
    fn result_data_is_checked() {
        let mut run = approved(0);
        let at = vn(2027, 3, 2, 11, 0);
        let e = run.refused(
            leader(),
            at,
            DossierAction::RecordResult {
                result_code: "  ".into(),
                form: ResultForm::Paper,
            },
        );
        assert_eq!(e.code(), "result_code_required");
        let e = run.refused(
            leader(),
            at,
            DossierAction::RecordResult {
                result_code: "1/GP".into(),
                form: ResultForm::Electronic {
                    file_ref: " ".into(),
                },
            },
        );
        assert_eq!(e.code(), "result_file_required");
        let e = run.refused(
            citizen(),
            at,
            DossierAction::RecordResult {
                result_code: "1/GP".into(),
                form: ResultForm::Paper,
            },
        );
        assert_eq!(e.code(), "role_not_allowed");
        assert_eq!(
            e.message_vi(),
            "Người dùng với vai trò «Công dân» không được phép cập nhật kết quả giải quyết."
        );
    }

    #[test]
    fn fees_are_collected_in_parts_never_beyond_what_is_due() {
        let mut run = processing(50_000);
        let at = vn(2027, 3, 1, 9, 0);
        let fee = |amount, method| DossierAction::CollectFee {
            amount_vnd: amount,
            method,
            receipt_no: None,
        };
        let e = run.refused(officer(), at, fee(0, PaymentMethod::Cash));
        assert_eq!(e.code(), "fee_amount_invalid");
        let e = run.refused(officer(), at, fee(60_000, PaymentMethod::Cash));
        assert_eq!(e.code(), "fee_amount_invalid");
        assert_eq!(
            e.message_vi(),
            "Số tiền thu (60.000 đồng) không hợp lệ: phải lớn hơn 0 và không vượt quá số còn phải thu (50.000 đồng)."
        );
        // A citizen never records a payment, online or not (the service also refuses `online`
        // through the collect_fee action: the gateway's confirmation records it).
        for method in [PaymentMethod::Cash, PaymentMethod::Online] {
            let e = run.refused(citizen(), at, fee(50_000, method));
            assert_eq!(e.code(), "role_not_allowed");
        }
        let e = run.refused(specialist(), at, fee(50_000, PaymentMethod::Cash));
        assert_eq!(e.code(), "role_not_allowed");
        run.ok(officer(), at, fee(20_000, PaymentMethod::Cash));
        assert_eq!(run.state.fee_outstanding_vnd(), 30_000);
        run.ok(officer(), at, fee(30_000, PaymentMethod::Transfer));
        assert_eq!(run.state.fee_collected_vnd, 50_000);
        assert_eq!(run.state.payments.len(), 2);
        let e = run.refused(officer(), at, fee(1, PaymentMethod::Transfer));
        assert_eq!(e.code(), "no_fee_due");
        // No fee at all.
        let mut free = processing(0);
        assert_eq!(
            free.refused(officer(), at, fee(1, PaymentMethod::Cash))
                .code(),
            "no_fee_due"
        );
        // Not before receipt.
        let mut lodged = Run::default();
        lodged.ok(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        assert_eq!(
            lodged
                .refused(officer(), t0(), fee(1, PaymentMethod::Cash))
                .code(),
            "not_allowed_in_state"
        );
    }

    #[test]
    fn nothing_is_assigned_once_the_result_is_issued() {
        let at = vn(2027, 3, 2, 14, 0);
        let mut run = done(0, ResultForm::Paper);
        let e = run.refused(
            leader(),
            at,
            assign(
                9,
                "Thẩm định",
                Role::Specialist,
                specialist(),
                at + chrono::Duration::days(1),
            ),
        );
        assert_eq!(e.code(), "not_allowed_in_state");
        assert_eq!(run.state.turn(), Turn::Return);
    }

    #[test]
    fn whose_turn_follows_the_steps() {
        let mut run = received_online(0);
        assert_eq!(run.state.turn(), Turn::Desk { received: true });
        run.ok(officer(), vn(2027, 3, 1, 8, 10), forward(DEPT));
        assert_eq!(run.state.turn(), Turn::Assignment);
        let mut run = processing(0);
        assert_eq!(
            run.state.turn(),
            Turn::Step {
                name: "Thẩm định hồ sơ".into(),
                assignee: specialist().user
            }
        );
        run.ok(specialist(), vn(2027, 3, 2, 9, 0), complete(0));
        assert_eq!(run.state.turn(), Turn::Decision);
        assert_eq!(run.state.turn().label_vi(), "Chờ lãnh đạo phê duyệt");
    }

    #[test]
    fn return_needs_a_result_and_the_fee() {
        let at = vn(2027, 3, 2, 14, 0);
        let ret = || DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        };
        // Before any result.
        let mut run = processing(50_000);
        let e = run.refused(officer(), at, ret());
        assert_eq!(e.code(), "result_not_recorded");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ chưa có kết quả giải quyết, không thể trả kết quả."
        );
        let mut run = approved(50_000);
        assert_eq!(
            run.refused(officer(), at, ret()).code(),
            "result_not_recorded"
        );
        // Result recorded, fee outstanding.
        let mut run = done(50_000, ResultForm::Paper);
        let e = run.refused(officer(), at, ret());
        assert_eq!(e.code(), "fee_not_collected");
        assert_eq!(
            e.message_vi(),
            "Chưa thu đủ phí, lệ phí (còn 50.000 đồng), không thể trả kết quả."
        );
        run.ok(
            officer(),
            at,
            DossierAction::CollectFee {
                amount_vnd: 50_000,
                method: PaymentMethod::Cash,
                receipt_no: Some("0001234".into()),
            },
        );
        assert_eq!(run.refused(citizen(), at, ret()).code(), "role_not_allowed");
        // Who collects it: a name is needed when one is given; it is kept, trimmed.
        let collected = |name: &str| DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: Some(Collector {
                name: name.into(),
                id_number: CitizenId::parse("038199012346").unwrap(),
                on_behalf: true,
            }),
        };
        let e = run.refused(officer(), at, collected("   "));
        assert_eq!(e.code(), "collector_name_required");
        run.ok(officer(), at, collected(" Trần Văn Bình "));
        assert_eq!(run.state.status, Status::Returned);
        let who = run.state.returned_to.as_ref().unwrap();
        assert_eq!((who.name.as_str(), who.on_behalf), ("Trần Văn Bình", true));
        // By post.
        let mut run = done(0, ResultForm::Paper);
        run.ok(
            officer(),
            at,
            DossierAction::ReturnResult {
                via: ReturnChannel::Post,
                collector: None,
            },
        );
    }

    #[test]
    fn withdrawal_at_any_point_before_return() {
        let at = vn(2027, 3, 2, 15, 0);
        let withdraw = || DossierAction::Withdraw {
            reason: Some("  Không còn nhu cầu ".into()),
        };
        // Before receipt.
        let mut run = Run::default();
        run.ok(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        assert_eq!(run.ok(citizen(), at, withdraw()), ["withdrawn"]);
        assert_eq!(run.state.status, Status::Withdrawn);
        assert_eq!(
            run.state.withdrawal.as_ref().unwrap().reason.as_deref(),
            Some("Không còn nhu cầu")
        );
        assert_eq!(run.state.finished_at, Some(at));
        assert_all_refused(&mut run, at);
        // While waiting for a supplement: the pause closes.
        let mut run = processing(0);
        run.ok(
            specialist(),
            vn(2027, 3, 2, 8, 0),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        run.ok(officer(), at, DossierAction::Withdraw { reason: None });
        assert_eq!(run.state.pauses[0].end, Some(at));
        // After the result is issued, before it is returned: the finish stays the result's.
        let mut run = done(0, electronic());
        let recorded = run.state.finished_at;
        let stranger = Actor {
            user: user(9),
            role: Role::Citizen,
        };
        assert_eq!(run.refused(stranger, at, withdraw()).code(), "not_owner");
        run.ok(citizen(), at, withdraw());
        assert_eq!(run.state.finished_at, recorded);
        // After the return: refused.
        let mut run = done(0, electronic());
        run.ok(
            officer(),
            at,
            DossierAction::ReturnResult {
                via: ReturnChannel::Online,
                collector: None,
            },
        );
        let e = run.refused(citizen(), at, withdraw());
        assert_eq!(e.code(), "not_allowed_in_state");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ đang ở trạng thái «Đã trả kết quả», không thể rút hồ sơ."
        );
    }
}

mod dossier_apology {
    use super::*;

    fn apologize(new: DateTime<Utc>, current: DateTime<Utc>) -> DossierAction {
        DossierAction::Apologize {
            reason: reason("Cần xác minh thực địa"),
            new_appointment: new,
            current_due: current,
        }
    }

    #[test]
    fn once_before_the_appointment_to_a_later_date() {
        let mut run = processing(0);
        let at = vn(2027, 3, 3, 9, 0);
        let new = vn(2027, 3, 10, 17, 0);
        let e = run.refused(leader(), at, apologize(appointment(), appointment()));
        assert_eq!(e.code(), "new_appointment_not_later");
        let e = run.refused(
            leader(),
            at,
            apologize(vn(2027, 3, 4, 10, 0), appointment()),
        );
        assert_eq!(e.code(), "new_appointment_not_later");
        let e = run.refused(
            leader(),
            at,
            DossierAction::Apologize {
                reason: " ".into(),
                new_appointment: new,
                current_due: appointment(),
            },
        );
        assert_eq!(e.code(), "reason_required");
        // The effective appointment must be the stored one when nothing paused the clock.
        let e = run.refused(leader(), at, apologize(new, vn(2027, 3, 5, 17, 0)));
        assert_eq!(e.code(), "current_due_mismatch");
        assert_eq!(
            run.refused(citizen(), at, apologize(new, appointment()))
                .code(),
            "role_not_allowed"
        );

        assert_eq!(
            run.ok(leader(), at, apologize(new, appointment())),
            ["apologized"]
        );
        assert!(run.state.apology_used());
        assert_eq!(run.state.appointment, Some(new));
        assert_eq!(run.state.original_appointment, Some(appointment()));
        let apology = run.state.apology.as_ref().unwrap();
        assert_eq!(apology.previous_due, appointment());

        let e = run.refused(
            leader(),
            vn(2027, 3, 4, 9, 0),
            apologize(vn(2027, 3, 20, 17, 0), new),
        );
        assert_eq!(e.code(), "apology_already_used");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ đã được xin lỗi và gia hạn một lần; mỗi hồ sơ chỉ được gia hạn một lần."
        );
    }

    #[test]
    fn not_after_the_appointment_passed() {
        let mut run = processing(0);
        for at in [appointment(), vn(2027, 3, 5, 8, 0)] {
            let e = run.refused(
                leader(),
                at,
                apologize(vn(2027, 3, 10, 17, 0), appointment()),
            );
            assert_eq!(e.code(), "appointment_passed");
            assert_eq!(
                e.message_vi(),
                "Đã quá thời hạn trả kết quả (17:00 04/03/2027); văn bản xin lỗi và đề nghị gia hạn phải gửi trước thời hạn này."
            );
        }
    }

    #[test]
    fn a_pause_moves_the_deadline_the_apology_is_judged_against() {
        let mut run = processing(0);
        run.ok(
            specialist(),
            vn(2027, 3, 2, 8, 0),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        run.ok(
            citizen(),
            vn(2027, 3, 3, 8, 0),
            DossierAction::ProvideSupplement {
                documents: vec!["Tờ khai".into()],
                note: None,
            },
        );
        let due = timeliness::effective_appointment(&clock(), &run.state)
            .unwrap()
            .unwrap();
        assert_eq!(due, vn(2027, 3, 5, 17, 0));
        // Friday morning: past the stored appointment, within the effective one.
        let at = vn(2027, 3, 5, 9, 0);
        let e = run.refused(
            leader(),
            at,
            apologize(vn(2027, 3, 12, 17, 0), appointment()),
        );
        assert_eq!(e.code(), "appointment_passed");
        let e = run.refused(
            leader(),
            at,
            apologize(vn(2027, 3, 12, 17, 0), vn(2027, 3, 1, 17, 0)),
        );
        assert_eq!(e.code(), "current_due_mismatch", "earlier than stored");
        run.ok(leader(), at, apologize(vn(2027, 3, 12, 17, 0), due));
        // The new appointment accounts for the earlier pause: it is not extended again.
        assert_eq!(
            timeliness::effective_appointment(&clock(), &run.state).unwrap(),
            Some(vn(2027, 3, 12, 17, 0))
        );
        // A later pause does extend it (Mon 08:00 → Tue 08:00: one working day).
        run.ok(
            specialist(),
            vn(2027, 3, 8, 8, 0),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Bản vẽ".into()],
            },
        );
        run.ok(
            citizen(),
            vn(2027, 3, 9, 8, 0),
            DossierAction::ProvideSupplement {
                documents: vec!["Bản vẽ".into()],
                note: None,
            },
        );
        assert_eq!(
            timeliness::effective_appointment(&clock(), &run.state).unwrap(),
            Some(vn(2027, 3, 15, 17, 0))
        );
    }

    #[test]
    fn not_in_a_terminal_or_finished_state() {
        let mut run = done(0, electronic());
        let at = vn(2027, 3, 2, 14, 0);
        assert_eq!(
            run.refused(
                leader(),
                at,
                apologize(vn(2027, 3, 10, 17, 0), appointment())
            )
            .code(),
            "not_allowed_in_state"
        );
        run.ok(
            officer(),
            at,
            DossierAction::ReturnResult {
                via: ReturnChannel::Online,
                collector: None,
            },
        );
        let e = run.refused(
            leader(),
            at,
            apologize(vn(2027, 3, 10, 17, 0), appointment()),
        );
        assert_eq!(e.code(), "not_allowed_in_state");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ đang ở trạng thái «Đã trả kết quả», không thể xin gia hạn."
        );
    }

    #[test]
    fn allowed_after_the_decision_before_the_result() {
        let mut run = approved(0);
        run.ok(
            leader(),
            vn(2027, 3, 3, 9, 0),
            apologize(vn(2027, 3, 10, 17, 0), appointment()),
        );
    }
}

mod dossier_refusals {
    use super::*;

    #[test]
    fn nothing_before_creation_and_no_second_creation() {
        let mut run = Run::default();
        let e = run.refused(officer(), t0(), receive(0));
        assert_eq!(e.code(), "dossier_not_created");
        assert_eq!(
            e.message_vi(),
            "Hồ sơ chưa được tạo, không thể tiếp nhận hồ sơ."
        );
        let mut run = received_online(0);
        let e = run.refused(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        assert_eq!(e.code(), "dossier_already_exists");
    }

    #[test]
    fn wrong_state() {
        let mut run = received_online(0);
        let at = vn(2027, 3, 1, 9, 0);
        for (actor, action) in [
            (officer(), receive(0)),
            (leader(), DossierAction::Approve { note: None }),
            (
                specialist(),
                DossierAction::Transfer {
                    to: agency(OTHER),
                    reason: reason("x"),
                    peer: None,
                },
            ),
            (
                leader(),
                assign(
                    0,
                    "Thẩm định",
                    Role::Specialist,
                    specialist(),
                    vn(2027, 3, 3, 17, 0),
                ),
            ),
            (
                citizen(),
                DossierAction::ProvideSupplement {
                    documents: vec![],
                    note: None,
                },
            ),
        ] {
            let e = run.refused(actor, at, action);
            assert_eq!(e.code(), "not_allowed_in_state");
            assert!(
                e.message_vi()
                    .starts_with("Hồ sơ đang ở trạng thái «Đã tiếp nhận», không thể ")
            );
        }
        let mut run = processing(0);
        let e = run.refused(officer(), at, forward(OTHER));
        assert_eq!(
            e.message_vi(),
            "Hồ sơ đang ở trạng thái «Đang xử lý», không thể chuyển hồ sơ đến cơ quan có thẩm quyền."
        );
    }

    #[test]
    fn roles() {
        let mut run = Run::default();
        let e = run.refused(
            officer(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        assert_eq!(e.code(), "role_not_allowed");
        assert_eq!(
            e.message_vi(),
            "Người dùng với vai trò «Cán bộ tiếp nhận» không được phép nộp hồ sơ trực tuyến."
        );
        let e = run.refused(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Counter, t0()),
            },
        );
        assert_eq!(e.code(), "role_not_allowed");
        let admin = Actor {
            user: user(7),
            role: Role::Admin,
        };
        let mut run = received_online(0);
        assert_eq!(
            run.refused(citizen(), t0(), forward(DEPT)).code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.refused(admin, t0(), forward(DEPT)).code(),
            "role_not_allowed"
        );
        let mut run = processing(0);
        assert_eq!(
            run.refused(specialist(), t0(), DossierAction::Approve { note: None })
                .code(),
            "time_before_last_event"
        );
        assert_eq!(
            run.refused(
                specialist(),
                vn(2027, 3, 2, 9, 0),
                DossierAction::Approve { note: None }
            )
            .code(),
            "role_not_allowed"
        );
    }

    #[test]
    fn time_never_runs_backwards() {
        let mut run = received_online(0);
        let e = run.refused(
            officer(),
            t0() - chrono::Duration::seconds(1),
            forward(DEPT),
        );
        assert_eq!(e.code(), "time_before_last_event");
        assert!(
            e.message_vi().contains("08:00 01/03/2027"),
            "{}",
            e.message_vi()
        );
        // The same instant is fine.
        run.ok(officer(), t0(), forward(DEPT));
    }

    #[test]
    fn submission_data() {
        let mut run = Run::default();
        let mut s = submission(Channel::Online, t0());
        s.agency = agency(DEPT);
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "code_agency_mismatch");
        let s = submission(Channel::Online, t0() + chrono::Duration::days(1));
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "code_date_mismatch");
        assert_eq!(
            e.message_vi(),
            "Mã hồ sơ 000.00.06.H56-270302-0361 không mang ngày tiếp nhận 01/03/2027."
        );
        let mut s = submission(Channel::Online, t0());
        s.procedure.code = " ".into();
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "procedure_code_required");
        let mut s = submission(Channel::Online, t0());
        s.applicant.phone = Some("12345".into());
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "phone_invalid");
        let mut s = submission(Channel::Online, t0());
        s.applicant.name = "   ".into();
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "applicant_name_required");
        let mut s = submission(Channel::Online, t0());
        s.applicant.email = Some("an@".into());
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "email_invalid");
        // Born (by the number) in 2030: refused in 2027.
        let mut s = submission(Channel::Online, t0());
        s.applicant.id_number = CitizenId::parse("001230000001").unwrap();
        let e = run.refused(citizen(), t0(), DossierAction::Submit { submission: s });
        assert_eq!(e.code(), "citizen_id_birth_year_in_future");
        // Components received: a count over 99, no piece at all, no name are refused.
        let piece = |name: &str, originals: u32, copies: u32| ReceivedComponent {
            component: name.into(),
            originals,
            copies,
            electronic: false,
        };
        for bad in [
            vec![piece("Tờ khai", 100, 0)],
            vec![piece("Tờ khai", 0, 0)],
            vec![piece("  ", 1, 0)],
        ] {
            let mut s = submission(Channel::Counter, t0());
            s.components = bad;
            let e = run.refused(officer(), t0(), DossierAction::Submit { submission: s });
            assert_eq!(e.code(), "invalid_components");
        }
        // Midnight in Vietnam is 17:00 UTC: the code's date is Vietnam's.
        let late = vn(2027, 3, 1, 23, 30);
        let s = submission(Channel::Online, late);
        assert_eq!(s.code.date(), ymd(2027, 3, 1));
        run.ok(citizen(), late, DossierAction::Submit { submission: s });
    }

    #[test]
    fn extreme_instants_never_panic() {
        use motcua_domain::calendar::CalendarError;
        let extremes = [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC];
        let states = [
            DossierState::new(),
            received_online(0).state,
            processing(50_000).state,
            done(0, electronic()).state,
        ];
        for state in &states {
            for &at in &extremes {
                for (actor, mut action) in every_action(t0()) {
                    // Data at the extremes too.
                    match &mut action {
                        DossierAction::Receive { appointment, .. }
                        | DossierAction::ReceiveDirect { appointment, .. } => *appointment = at,
                        DossierAction::Apologize {
                            new_appointment,
                            current_due,
                            ..
                        } => {
                            *new_appointment = at;
                            *current_due = at;
                        }
                        DossierAction::AssignStep { due, .. } => *due = at,
                        _ => {}
                    }
                    let command = Command { actor, at, action };
                    if let Err(e) = execute(state, &command) {
                        assert!(!e.message_vi().is_empty());
                        let _ = e.to_string();
                    }
                }
                // The calendar refuses what it cannot reckon; nothing panics.
                let _: Result<_, CalendarError> = timeliness::standing_at(&clock(), state, at);
                let _ = timeliness::overdue_now(&clock(), state, at);
            }
        }
        let mut odd = processing(0).state;
        odd.appointment = Some(DateTime::<Utc>::MAX_UTC);
        odd.finished_at = Some(DateTime::<Utc>::MIN_UTC);
        assert!(timeliness::classify_finish(&clock(), &odd).is_err());
        assert!(timeliness::effective_appointment(&clock(), &odd).is_err());
        for e in [
            DossierError::TimeBeforeLastEvent {
                at: DateTime::<Utc>::MIN_UTC,
                last: DateTime::<Utc>::MAX_UTC,
            },
            DossierError::AppointmentPassed {
                due: DateTime::<Utc>::MAX_UTC,
            },
            DossierError::FeeNotCollected {
                outstanding: u64::MAX,
            },
        ] {
            assert!(!e.message_vi().is_empty());
        }
    }

    #[test]
    fn event_numbers_do_not_overflow() {
        let mut state = received_online(0).state;
        state.version = u32::MAX;
        let e = execute(
            &state,
            &Command {
                actor: officer(),
                at: vn(2027, 3, 1, 9, 0),
                action: forward(DEPT),
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "sequence_exhausted");
        let fields: Vec<_> = [
            ApplicantField::Name,
            ApplicantField::IdNumber,
            ApplicantField::Phone,
            ApplicantField::Email,
        ]
        .into_iter()
        .map(|f| (f.as_str(), f.label_vi()))
        .collect();
        assert_eq!(
            fields,
            [
                ("name", "Họ và tên"),
                ("id_number", "Số định danh cá nhân"),
                ("phone", "Số điện thoại"),
                ("email", "Thư điện tử")
            ]
        );
    }

    #[test]
    fn receipt_needs_a_future_appointment() {
        let mut run = Run::default();
        run.ok(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        let e = run.refused(
            officer(),
            t0(),
            DossierAction::Receive {
                appointment: t0(),
                fee_due_vnd: 0,
            },
        );
        assert_eq!(e.code(), "appointment_not_after_receipt");
    }

    #[test]
    fn workflow_steps() {
        let mut run = received_online(0);
        run.ok(officer(), vn(2027, 3, 1, 8, 10), forward(DEPT));
        let at = vn(2027, 3, 1, 9, 0);
        let due = vn(2027, 3, 2, 17, 0);
        assert_eq!(
            run.refused(specialist(), at, complete(0)).code(),
            "no_active_step"
        );
        assert_eq!(
            run.refused(
                leader(),
                at,
                assign(0, " ", Role::Specialist, specialist(), due)
            )
            .code(),
            "step_name_required"
        );
        assert_eq!(
            run.refused(
                leader(),
                at,
                assign(0, "Thẩm định", Role::Specialist, specialist(), at)
            )
            .code(),
            "step_due_not_after_assignment"
        );
        assert_eq!(
            run.refused(
                leader(),
                at,
                assign(2, "Thẩm định", Role::Specialist, specialist(), due)
            )
            .code(),
            "step_out_of_order"
        );
        run.ok(
            leader(),
            at,
            assign(0, "Thẩm định", Role::Specialist, specialist(), due),
        );
        assert_eq!(
            run.refused(specialist(), at, complete(1)).code(),
            "not_active_step"
        );
        let e = run.refused(other_specialist(), at, complete(0));
        assert_eq!(e.code(), "not_assignee");
        assert_eq!(
            e.message_vi(),
            "Chỉ người được phân công hoặc lãnh đạo mới được hoàn thành bước «Thẩm định»."
        );
        // Reassignment: by the assignee handing over, or a leader; not by anyone else.
        assert_eq!(
            run.refused(
                other_specialist(),
                at,
                assign(0, "Thẩm định", Role::Specialist, other_specialist(), due)
            )
            .code(),
            "not_assignee"
        );
        assert_eq!(
            run.refused(
                leader(),
                at,
                assign(1, "Thẩm định", Role::Specialist, other_specialist(), due)
            )
            .code(),
            "step_out_of_order"
        );
        run.ok(
            specialist(),
            at,
            assign(0, "Thẩm định", Role::Specialist, other_specialist(), due),
        );
        assert_eq!(run.state.assignee(), Some(user(5)));
        // A leader may complete on behalf, late.
        run.ok(leader(), vn(2027, 3, 3, 8, 0), complete(0));
        assert!(run.state.steps[0].is_late());
        assert_eq!(run.state.next_step, 1);
    }
}

mod dossier_history {
    use super::*;

    fn full_history() -> Run {
        let mut run = processing(50_000);
        run.ok(
            specialist(),
            vn(2027, 3, 1, 10, 0),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        run.ok(
            citizen(),
            vn(2027, 3, 1, 14, 0),
            DossierAction::ProvideSupplement {
                documents: vec!["Tờ khai".into()],
                note: None,
            },
        );
        run.ok(
            specialist(),
            vn(2027, 3, 1, 15, 0),
            DossierAction::Transfer {
                to: agency(OTHER),
                reason: reason("Liên thông"),
                peer: None,
            },
        );
        run.ok(
            leader(),
            vn(2027, 3, 2, 9, 0),
            DossierAction::Approve { note: None },
        );
        run.ok(
            leader(),
            vn(2027, 3, 2, 10, 0),
            DossierAction::RecordResult {
                result_code: "9/GP".into(),
                form: electronic(),
            },
        );
        run.ok(
            officer(),
            vn(2027, 3, 2, 10, 30),
            DossierAction::CollectFee {
                amount_vnd: 50_000,
                method: PaymentMethod::Transfer,
                receipt_no: None,
            },
        );
        run.ok(
            officer(),
            vn(2027, 3, 2, 11, 0),
            DossierAction::ReturnResult {
                via: ReturnChannel::Post,
                collector: None,
            },
        );
        run
    }

    #[test]
    fn replay_rebuilds_the_state() {
        let run = full_history();
        assert_eq!(replay(&run.log).unwrap(), run.state);
        assert_eq!(fold(&run.log).unwrap(), run.state);
        assert_eq!(replay(&[]).unwrap(), DossierState::new());
        // Every prefix is a valid history too.
        for n in 0..=run.log.len() {
            assert_eq!(replay(&run.log[..n]).unwrap().version, n as u32);
        }
    }

    #[test]
    fn json_round_trip_with_stable_kinds() {
        let run = full_history();
        let json = serde_json::to_string(&run.log).unwrap();
        let back: Vec<EventEnvelope> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, run.log);
        let first = serde_json::to_value(&run.log[0]).unwrap();
        assert_eq!(first["event"]["kind"], "submitted");
        assert_eq!(first["event"]["code"], "000.00.06.H56-270301-0361");
        assert_eq!(first["event"]["applicant"]["id_number"], "001099012345");
        assert_eq!(first["actor"]["role"], "citizen");
        for e in &run.log {
            let v = serde_json::to_value(&e.event).unwrap();
            assert_eq!(v["kind"], e.event.kind());
            assert!(Event::KINDS.contains(&e.event.kind()));
        }
        let state_json = serde_json::to_string(&run.state).unwrap();
        let state: DossierState = serde_json::from_str(&state_json).unwrap();
        assert_eq!(state, run.state);
        let v = serde_json::to_value(&run.state).unwrap();
        assert_eq!(v["status"], "returned");
    }

    #[test]
    fn tampered_histories_are_refused() {
        let run = full_history();
        let cause = |log: &[EventEnvelope]| match replay(log).unwrap_err() {
            DossierError::InvalidHistory { seq, cause } => (seq, cause.code()),
            other => panic!("{other:?}"),
        };
        // A gap.
        let mut log = run.log.clone();
        log.remove(3);
        assert_eq!(cause(&log), (5, "sequence_gap"));
        // Reordered events.
        let mut log = run.log.clone();
        log.swap(1, 2);
        let (s1, s2) = (log[1].seq, log[2].seq);
        log[1].seq = s2;
        log[2].seq = s1;
        assert_eq!(cause(&log), (2, "not_allowed_in_state"));
        // More fee than was due.
        let mut log = run.log.clone();
        let i = log
            .iter()
            .position(|e| e.event.kind() == "fee_collected")
            .unwrap();
        log[i].event = Event::FeeCollected {
            amount_vnd: 90_000,
            method: PaymentMethod::Cash,
            receipt_no: None,
        };
        assert_eq!(cause(&log), (log[i].seq, "fee_amount_invalid"));
        // Approved by a specialist.
        let mut log = run.log.clone();
        let i = log
            .iter()
            .position(|e| e.event.kind() == "approved")
            .unwrap();
        log[i].actor = specialist();
        assert_eq!(cause(&log).1, "role_not_allowed");
        // A transfer that lies about where it came from.
        let mut log = run.log.clone();
        let i = log
            .iter()
            .position(|e| e.event.kind() == "transferred")
            .unwrap();
        log[i].event = Event::Transferred {
            from: agency(CENTRE),
            to: agency(OTHER),
            reason: "Liên thông".into(),
            peer: None,
        };
        assert_eq!(cause(&log), (log[i].seq, "history_mismatch"));
        // Time running backwards.
        let mut log = run.log.clone();
        log[4].at = t0() - chrono::Duration::days(1);
        assert_eq!(cause(&log), (5, "time_before_last_event"));
        // A non-normalised applicant is not what Submit produces.
        let mut log = run.log.clone();
        if let Event::Submitted { applicant, .. } = &mut log[0].event {
            applicant.name = format!(" {} ", applicant.name);
        }
        assert_eq!(cause(&log), (1, "history_mismatch"));
        let e = replay(&log).unwrap_err();
        assert_eq!(e.code(), "invalid_history");
        assert_eq!(
            e.message_vi(),
            "Lịch sử hồ sơ không hợp lệ tại sự kiện số 1: Sự kiện không khớp với kết quả của thao tác tương ứng."
        );
    }

    #[test]
    fn originating_commands_reproduce_their_events() {
        let run = full_history();
        let mut state = DossierState::new();
        for e in &run.log {
            let produced = decide(&state, &originating_command(e)).unwrap();
            assert_eq!(produced, vec![e.event.clone()]);
            state.apply(e);
        }
    }
}

mod dossier_code {
    use super::*;

    #[test]
    fn format_and_parse() {
        let code = DossierCode::new(&agency(CENTRE), ymd(2025, 10, 27), 361).unwrap();
        assert_eq!(code.to_string(), "000.00.06.H56-251027-0361");
        let parsed = DossierCode::parse("000.00.06.H56-251027-0361").unwrap();
        assert_eq!(parsed, code);
        assert_eq!(parsed.agency(), &agency(CENTRE));
        assert_eq!(parsed.date(), ymd(2025, 10, 27));
        assert_eq!(parsed.seq(), 361);
        assert_eq!(
            " 000.00.01.H26-260930-0012 "
                .parse::<DossierCode>()
                .unwrap()
                .seq(),
            12
        );
        for (seq, text) in [(1, "0001"), (9999, "9999")] {
            let c = DossierCode::new(&agency(CENTRE), ymd(2000, 1, 1), seq).unwrap();
            assert_eq!(c.to_string(), format!("000.00.06.H56-000101-{text}"));
            assert_eq!(DossierCode::parse(&c.to_string()).unwrap(), c);
        }
        // serde: a string.
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"000.00.06.H56-251027-0361\"");
        assert_eq!(serde_json::from_str::<DossierCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<DossierCode>("\"000.00.06.H56-251027\"").is_err());
        // The Vietnam date of an instant.
        let c = DossierCode::for_receipt(&agency(CENTRE), vn(2025, 12, 31, 23, 59), 1).unwrap();
        assert_eq!(c.to_string(), "000.00.06.H56-251231-0001");
    }

    #[test]
    fn errors() {
        let a = agency(CENTRE);
        let new = |date, seq| DossierCode::new(&a, date, seq).unwrap_err().code();
        assert_eq!(
            new(ymd(2025, 1, 1), 0),
            "dossier_code_sequence_out_of_range"
        );
        assert_eq!(
            new(ymd(2025, 1, 1), 10_000),
            "dossier_code_sequence_out_of_range"
        );
        assert_eq!(
            new(ymd(2025, 1, 1), 70_000),
            "dossier_code_sequence_out_of_range"
        );
        assert_eq!(new(ymd(1999, 12, 31), 1), "dossier_code_year_out_of_range");
        assert_eq!(new(ymd(2100, 1, 1), 1), "dossier_code_year_out_of_range");
        let e = DossierCode::new(&a, ymd(2025, 1, 1), 10_000).unwrap_err();
        assert_eq!(
            e.message_vi(),
            "Số thứ tự 10000 không hợp lệ: số thứ tự hồ sơ trong ngày phải từ 1 đến 9999."
        );
        let parse = |s: &str| DossierCode::parse(s).unwrap_err().code();
        assert_eq!(parse(""), "dossier_code_malformed");
        assert_eq!(parse("abc"), "dossier_code_malformed");
        assert_eq!(parse("000.00.06.H56-251027"), "dossier_code_malformed");
        assert_eq!(
            parse("000.00.06.H56-251027-0361-1"),
            "dossier_code_malformed"
        );
        assert_eq!(parse("000.00.06.H56-251027-361"), "dossier_code_malformed");
        assert_eq!(parse("000.00.06.H56-251027-03a1"), "dossier_code_malformed");
        assert_eq!(
            parse("000.00.06.H56-251027-0000"),
            "dossier_code_sequence_out_of_range"
        );
        assert_eq!(parse("000.00.06.h56-251027-0361"), "dossier_code_agency");
        assert_eq!(parse("000.00.06.H56-251327-0361"), "dossier_code_date");
        assert_eq!(parse("000.00.06.H56-250230-0361"), "dossier_code_date");
        assert_eq!(parse("000.00.06.H56-2510270-0361"), "dossier_code_date");
        assert_eq!(parse("000.00.06.H56-2510２7-0361"), "dossier_code_date");
        assert!(
            DossierCode::parse("x-251027-0361")
                .unwrap_err()
                .message_vi()
                .contains("«x»")
        );
    }
}

mod dossier_applicant {
    use super::*;

    #[test]
    fn valid_identification_numbers() {
        let id = CitizenId::parse("001099012345").unwrap();
        assert_eq!(id.province_code(), 1);
        assert_eq!(id.province_name(), Some("Thành phố Hà Nội"));
        assert_eq!(id.birth_year(), 1999);
        assert!(!id.is_female());
        assert_eq!(id.masked(), "0010******45");
        assert_eq!(
            format!("{id:?}"),
            "CitizenId(0010******45)",
            "no leak in logs"
        );
        let id = CitizenId::parse("079203001234").unwrap();
        assert_eq!(id.province_name(), Some("Thành phố Hồ Chí Minh"));
        assert_eq!(id.birth_year(), 2003);
        let id = CitizenId::parse(" 038185000123 ").unwrap();
        assert_eq!(id.as_str(), "038185000123");
        assert_eq!(id.province_name(), Some("Tỉnh Thanh Hóa"));
        assert_eq!(id.birth_year(), 1985);
        assert!(id.is_female());
        assert_eq!(CitizenId::parse("096300000001").unwrap().birth_year(), 2000);
        let today = ymd(2026, 6, 1);
        assert!(
            CitizenId::parse_on("001226000001", today).is_ok(),
            "born 2026"
        );
        // serde as digits.
        let json = serde_json::to_string(&CitizenId::parse("001099012345").unwrap()).unwrap();
        assert_eq!(json, "\"001099012345\"");
        assert!(serde_json::from_str::<CitizenId>("\"000099012345\"").is_err());
    }

    #[test]
    fn invalid_identification_numbers() {
        let code = |s: &str| CitizenId::parse(s).unwrap_err().code();
        assert_eq!(code("00109901234"), "citizen_id_length");
        assert_eq!(code("0010990123456"), "citizen_id_length");
        assert_eq!(code(""), "citizen_id_length");
        assert_eq!(code("00109901234A"), "citizen_id_not_digits");
        assert_eq!(code("0010-9901234"), "citizen_id_not_digits");
        assert_eq!(code("００１099012345"), "citizen_id_not_digits");
        assert_eq!(code("000099012345"), "citizen_id_province");
        assert_eq!(code("100099012345"), "citizen_id_province");
        assert_eq!(
            code("003099012345"),
            "citizen_id_province",
            "003 is not issued"
        );
        assert_eq!(code("097099012345"), "citizen_id_province");
        let e = CitizenId::parse("100099012345").unwrap_err();
        assert_eq!(e.field(), ApplicantField::IdNumber);
        assert_eq!(
            e.message_vi(),
            "Ba chữ số đầu của số định danh cá nhân (100) không phải mã tỉnh, thành phố hợp lệ."
        );
        assert_eq!(
            CitizenId::parse("0010990123").unwrap_err().message_vi(),
            "Số định danh cá nhân (số CCCD) phải gồm đúng 12 chữ số (số đã nhập có 10 ký tự)."
        );
        let today = ymd(2026, 6, 1);
        let future = |s: &str| CitizenId::parse_on(s, today).unwrap_err().code();
        assert_eq!(future("001227000001"), "citizen_id_birth_year_in_future");
        assert_eq!(future("001399000001"), "citizen_id_birth_year_in_future");
        assert_eq!(
            future("001400000001"),
            "citizen_id_birth_year_in_future",
            "22nd century"
        );
        assert_eq!(future("001900000001"), "citizen_id_birth_year_in_future");
        // Structurally valid all the same (stored histories stay readable).
        assert_eq!(CitizenId::parse("001400000001").unwrap().birth_year(), 2100);
        assert_eq!(CitizenId::parse("001900000001").unwrap().birth_year(), 2300);
    }

    #[test]
    fn applicant_validation_and_public_view() {
        let today = ymd(2026, 6, 1);
        let a = Applicant::new(
            " Trần Thị  Bình ",
            "001185001234",
            Some("024 3825 1234"),
            Some(" binh@example.vn "),
            Some(""),
            today,
        )
        .unwrap();
        assert_eq!(a.name, "Trần Thị Bình");
        assert_eq!(a.phone.as_deref(), Some("02438251234"));
        assert_eq!(a.email.as_deref(), Some("binh@example.vn"));
        assert_eq!(a.address, None);
        assert_eq!(a.normalized(), a, "idempotent");
        let view = a.public_view();
        assert_eq!(view.id_number, "0011******34");
        assert_eq!(view.phone.as_deref(), Some("*******234"));
        let err = |name: &str, phone: Option<&str>, email: Option<&str>| {
            Applicant::new(name, "001185001234", phone, email, None, today).unwrap_err()
        };
        let e = err("", None, None);
        assert_eq!(
            (e.field(), e.code()),
            (ApplicantField::Name, "applicant_name_required")
        );
        let e = err("An", Some("0123"), None);
        assert_eq!(
            (e.field(), e.code()),
            (ApplicantField::Phone, "phone_invalid")
        );
        assert_eq!(e.field().as_str(), "phone");
        let e = err("An", None, Some("an at example.vn"));
        assert_eq!(
            (e.field(), e.code()),
            (ApplicantField::Email, "email_invalid")
        );
        assert_eq!(
            e.message_vi(),
            "Địa chỉ thư điện tử «an at example.vn» không hợp lệ."
        );
        assert!(Applicant::new("An", "001185001234", Some("  "), None, None, today).is_ok());
        let e = Applicant::new("An", "001230001234", None, None, None, today).unwrap_err();
        assert_eq!(e.code(), "citizen_id_birth_year_in_future");
    }
}

mod dossier_labels {
    use super::*;

    #[test]
    fn every_status_has_a_label_and_a_stable_key() {
        for s in Status::ALL {
            assert!(!s.label_vi().is_empty());
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::String(s.as_str().to_owned())
            );
        }
        let terminal: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                Status::Refused,
                Status::Stopped,
                Status::Returned,
                Status::Withdrawn
            ]
        );
        assert_eq!(Status::Returned.label_vi(), "Đã trả kết quả");
    }

    #[test]
    fn every_action_is_refused_somewhere_and_named() {
        for (_, action) in every_action(t0()) {
            assert!(!allowed_statuses(&action).is_empty());
            assert!(!allowed_roles(&action).is_empty());
            assert!(!action.label_vi().is_empty());
            let v = serde_json::to_value(&action).unwrap();
            assert_eq!(v["action"], action.name());
        }
    }
}

mod dossier_timeliness {
    use super::*;
    use timeliness::{IndexTimeliness, classify_finish, overdue_now, standing_at};

    fn finish_at(mut run: Run, at: DateTime<Utc>) -> Run {
        run.ok(leader(), at, DossierAction::Approve { note: None });
        run.ok(
            leader(),
            at,
            DossierAction::RecordResult {
                result_code: "1/GP".into(),
                form: ResultForm::Paper,
            },
        );
        run
    }

    fn supplement(run: &mut Run, from: DateTime<Utc>, to: DateTime<Utc>) {
        run.ok(
            specialist(),
            from,
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        run.ok(
            citizen(),
            to,
            DossierAction::ProvideSupplement {
                documents: vec!["Tờ khai".into()],
                note: None,
            },
        );
    }

    #[test]
    fn early_on_time_late() {
        let c = |at| {
            classify_finish(&clock(), &finish_at(processing(0), at).state)
                .unwrap()
                .unwrap()
        };
        let early = c(vn(2027, 3, 3, 10, 0));
        assert_eq!(early.legal, Timeliness::Early);
        assert_eq!(early.index, IndexTimeliness::OnTime);
        assert_eq!(early.effective_appointment, appointment());
        let on_time = c(vn(2027, 3, 4, 17, 0));
        assert_eq!(on_time.legal, Timeliness::OnTime);
        assert_eq!(on_time.index, IndexTimeliness::OnTime);
        let late = c(vn(2027, 3, 5, 8, 30));
        assert_eq!(
            late.legal,
            Timeliness::Late {
                working_days: 1,
                working_minutes: 60
            }
        );
        assert_eq!(late.index, IndexTimeliness::Late);
        assert!(!late.late_by_supplements);
    }

    #[test]
    fn a_pause_extends_the_appointment_at_classification() {
        let mut run = processing(0);
        supplement(&mut run, vn(2027, 3, 2, 8, 0), vn(2027, 3, 3, 8, 0));
        let run = finish_at(run, vn(2027, 3, 5, 10, 0));
        let c = classify_finish(&clock(), &run.state).unwrap().unwrap();
        assert_eq!(c.effective_appointment, vn(2027, 3, 5, 17, 0));
        assert_eq!(c.legal, Timeliness::OnTime);
        assert_eq!(c.index, IndexTimeliness::OnTime);
    }

    #[test]
    fn two_supplement_requests_count_as_late_for_the_index() {
        let mut run = processing(0);
        supplement(&mut run, vn(2027, 3, 1, 9, 0), vn(2027, 3, 1, 10, 0));
        supplement(&mut run, vn(2027, 3, 1, 11, 0), vn(2027, 3, 1, 14, 0));
        assert_eq!(run.state.supplement_requests, 2);
        let now = vn(2027, 3, 2, 9, 0);
        let standing = standing_at(&clock(), &run.state, now).unwrap().unwrap();
        assert!(!standing.overdue);
        assert!(standing.index_late);
        let run = finish_at(run, vn(2027, 3, 2, 9, 0));
        let c = classify_finish(&clock(), &run.state).unwrap().unwrap();
        assert_eq!(c.legal, Timeliness::Early);
        assert_eq!(c.index, IndexTimeliness::Late);
        assert!(c.late_by_supplements);
    }

    #[test]
    fn overdue_now_for_dossiers_in_progress() {
        let run = processing(0);
        assert!(!overdue_now(&clock(), &run.state, vn(2027, 3, 4, 16, 0)).unwrap());
        let s = standing_at(&clock(), &run.state, vn(2027, 3, 4, 16, 0))
            .unwrap()
            .unwrap();
        assert_eq!(s.legal, Timeliness::OnTime, "due today");
        assert_eq!(s.remaining_working_minutes, 60);
        assert!(overdue_now(&clock(), &run.state, vn(2027, 3, 5, 8, 0)).unwrap());
        let s = standing_at(&clock(), &run.state, vn(2027, 3, 5, 8, 0))
            .unwrap()
            .unwrap();
        assert!(s.overdue && s.index_late);
        assert_eq!(s.remaining_working_minutes, -30);
        // Paused before the appointment: judged at the request, never overdue while waiting.
        let mut paused = processing(0);
        paused.ok(
            specialist(),
            vn(2027, 3, 2, 8, 0),
            DossierAction::RequestSupplement {
                reason: reason("Thiếu"),
                missing: vec!["Tờ khai".into()],
            },
        );
        let s = standing_at(&clock(), &paused.state, vn(2027, 4, 30, 8, 0))
            .unwrap()
            .unwrap();
        assert_eq!(s.paused_since, Some(vn(2027, 3, 2, 8, 0)));
        assert_eq!(s.reference, vn(2027, 3, 2, 8, 0));
        assert!(!s.overdue);
        // Not in progress: nothing to say.
        let finished = done(0, ResultForm::Paper);
        assert!(
            standing_at(&clock(), &finished.state, t0())
                .unwrap()
                .is_none()
        );
        assert!(!overdue_now(&clock(), &finished.state, vn(2028, 1, 1, 8, 0)).unwrap());
        assert!(
            standing_at(&clock(), &DossierState::new(), t0())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn only_received_dossiers_are_classified() {
        let mut run = Run::default();
        run.ok(
            citizen(),
            t0(),
            DossierAction::Submit {
                submission: submission(Channel::Online, t0()),
            },
        );
        run.ok(citizen(), t0(), DossierAction::Withdraw { reason: None });
        assert!(run.state.finished_at.is_some());
        assert_eq!(classify_finish(&clock(), &run.state).unwrap(), None);
        assert_eq!(
            timeliness::effective_appointment(&clock(), &run.state).unwrap(),
            None
        );
        // A withdrawal after receipt is classified.
        let mut run = received_online(0);
        run.ok(
            citizen(),
            vn(2027, 3, 8, 8, 0),
            DossierAction::Withdraw { reason: None },
        );
        let c = classify_finish(&clock(), &run.state).unwrap().unwrap();
        assert_eq!(c.index, IndexTimeliness::Late);
        assert_eq!(c.legal.rank(), 2);
    }
}

/// Fees changed by staff with a reason while nothing is collected, and refunds recorded on
/// the dossier (the payment service issues both with the payment's own events).
mod fee_changes {
    use super::*;

    fn adjust(fee: u64, why: &str) -> DossierAction {
        DossierAction::AdjustFee {
            fee_due_vnd: fee,
            reason: why.into(),
        }
    }

    fn collect(amount: u64) -> DossierAction {
        DossierAction::CollectFee {
            amount_vnd: amount,
            method: PaymentMethod::Cash,
            receipt_no: None,
        }
    }

    #[test]
    fn the_fee_changes_only_before_collection_and_the_return_waits_for_it() {
        let at = vn(2027, 3, 2, 14, 0);
        let mut run = done(50_000, ResultForm::Paper);
        assert_eq!(
            run.refused(citizen(), at, adjust(0, "Miễn")).code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.refused(specialist(), at, adjust(0, "Miễn")).code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.refused(officer(), at, adjust(80_000, " ")).code(),
            "reason_required"
        );
        let long = "x".repeat(MAX_FEE_REASON_CHARS + 1);
        assert_eq!(
            run.refused(officer(), at, adjust(80_000, &long)).code(),
            "fee_reason_too_long"
        );
        assert_eq!(
            run.ok(leader(), at, adjust(80_000, "Áp dụng mức thu mới")),
            vec!["fee_adjusted"]
        );
        assert_eq!(run.state.fee_due_vnd, 80_000);
        // The result waits for the new amount.
        let ret = DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        };
        let e = run.refused(officer(), at, ret.clone());
        assert!(
            matches!(
                e,
                DossierError::FeeNotCollected {
                    outstanding: 80_000
                }
            ),
            "{e:?}"
        );
        run.ok(officer(), at, collect(80_000));
        assert_eq!(
            run.refused(officer(), at, adjust(0, "Miễn")).code(),
            "fee_already_collected"
        );
        run.ok(officer(), at, ret);
        // The history replays, the adjustment with it.
        assert_eq!(replay(&run.log).unwrap(), run.state);
    }

    #[test]
    fn a_refund_gives_back_at_most_what_was_collected_even_after_the_return() {
        let at = vn(2027, 3, 2, 14, 0);
        let refund = |amount, why: &str| DossierAction::RefundFee {
            amount_vnd: amount,
            reason: why.into(),
        };
        let mut run = done(50_000, ResultForm::Paper);
        assert_eq!(
            run.refused(officer(), at, refund(1, "Thu nhầm")).code(),
            "fee_refund_invalid"
        );
        run.ok(officer(), at, collect(50_000));
        run.ok(
            officer(),
            at,
            DossierAction::ReturnResult {
                via: ReturnChannel::Counter,
                collector: None,
            },
        );
        assert_eq!(
            run.refused(officer(), at, refund(50_001, "Thu nhầm"))
                .code(),
            "fee_refund_invalid"
        );
        assert_eq!(
            run.refused(officer(), at, refund(50_000, "")).code(),
            "reason_required"
        );
        assert_eq!(
            run.refused(citizen(), at, refund(50_000, "Thu nhầm"))
                .code(),
            "role_not_allowed"
        );
        assert_eq!(
            run.ok(leader(), at, refund(50_000, "Thu nhầm")),
            vec!["fee_refunded"]
        );
        assert_eq!(run.state.fee_refunded_vnd, 50_000);
        assert_eq!(run.state.status, Status::Returned);
        assert_eq!(
            run.refused(officer(), at, refund(1, "Lần nữa")).code(),
            "fee_refund_invalid"
        );
        assert_eq!(replay(&run.log).unwrap(), run.state);
    }
}
