//! Counter deltas of real command sequences: hand-checked scenarios, and properties over random
//! histories (rebuild == incremental; every balance closes; a finish counts once).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use proptest::prelude::*;

use crate::agency::AgencyCode;
use crate::catalogue::model::Channel;
use crate::dossier::timeliness::{IndexTimeliness, effective_appointment};
use crate::dossier::{
    DocumentSource, DossierAction as A, DossierCode, DossierState, MediaType, PaymentMethod,
    RatingLevel, ResultForm, ReturnChannel, Status,
};

use super::test_support::{Driven, agency, classify, clock, submission, vn};
use super::{CounterDelta, Counters, Metric, coalesce, deltas, replay_counters};

/// The deltas as (agency index, day of March 2027, metric).
fn short(deltas: &[CounterDelta]) -> Vec<(usize, u32, Metric)> {
    deltas
        .iter()
        .map(|d| {
            assert_eq!(d.delta, 1);
            let i = (0..3).find(|&i| agency(i) == d.agency).unwrap();
            (i, d.day.day(), d.metric)
        })
        .collect()
}

fn receive_direct(channel: Channel, at: DateTime<Utc>, appointment: DateTime<Utc>, fee: u64) -> A {
    A::ReceiveDirect {
        submission: submission(channel, 0, at, 1),
        appointment,
        fee_due_vnd: fee,
    }
}

#[test]
fn stats_deltas_counter_dossier_forwarded_transferred_paid_online() {
    use Metric as M;
    let mut d = Driven::new();
    let due = vn(2027, 3, 5, 17, 0);
    let got = d.run(
        vn(2027, 3, 1, 8, 0),
        receive_direct(Channel::Counter, vn(2027, 3, 1, 8, 0), due, 50_000),
    );
    assert_eq!(
        short(&got),
        [
            (0, 1, M::Submitted),
            (0, 1, M::ReceivedCounter),
            (0, 1, M::FeeDue)
        ]
    );
    let got = d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(1) });
    assert_eq!(
        short(&got),
        [(0, 1, M::ForwardedOut), (1, 1, M::ForwardedIn)]
    );
    let got = d.run(
        vn(2027, 3, 2, 10, 0),
        A::Transfer {
            to: agency(2),
            reason: "Liên thông".into(),
            peer: None,
        },
    );
    assert_eq!(
        short(&got),
        [(1, 2, M::TransferredOut), (2, 2, M::TransferredIn)]
    );
    assert!(
        d.run(vn(2027, 3, 3, 9, 0), A::Approve { note: None })
            .is_empty()
    );
    let got = d.run(
        vn(2027, 3, 3, 10, 0),
        A::RecordResult {
            result_code: "12/GP-UBND".into(),
            form: ResultForm::Electronic {
                file_ref: "sha256:abc".into(),
            },
        },
    );
    assert_eq!(
        short(&got),
        [
            (2, 3, M::ElectronicResult),
            (2, 3, M::Resolved),
            (2, 3, M::ResolvedEarly),
            (2, 3, M::FinishedIndexOnTime)
        ]
    );
    let pay = |amount| A::CollectFee {
        amount_vnd: amount,
        method: PaymentMethod::Online,
        receipt_no: None,
    };
    assert_eq!(
        short(&d.run(vn(2027, 3, 3, 11, 0), pay(20_000))),
        [(2, 3, M::PaidOnline)]
    );
    // A dossier is paid online once, however many payments.
    assert!(d.run(vn(2027, 3, 3, 11, 30), pay(30_000)).is_empty());
    let got = d.run(
        vn(2027, 3, 4, 8, 0),
        A::ReturnResult {
            via: ReturnChannel::Online,
            collector: None,
        },
    );
    assert_eq!(short(&got), [(2, 4, M::Returned)]);

    // Balances: nothing left in progress anywhere; the finish counted at the third agency.
    for i in 0..3 {
        let c = Counters::from_deltas(d.deltas.iter().filter(|x| x.agency == agency(i)));
        assert_eq!(c.in_progress(), 0, "agency {i}");
    }
    let all = Counters::from_deltas(&d.deltas);
    assert_eq!(
        (all.received(), all.finished(), all.awaiting_receipt()),
        (1, 1, 0)
    );
}

#[test]
fn stats_deltas_two_supplements_are_late_for_the_index_only() {
    use Metric as M;
    let mut d = Driven::new();
    let at = vn(2027, 3, 1, 8, 0);
    let got = d.run(
        at,
        A::Submit {
            submission: submission(Channel::Online, 0, at, 7),
        },
    );
    assert_eq!(short(&got), [(0, 1, M::Submitted)]);
    let got = d.run(
        vn(2027, 3, 1, 9, 0),
        A::Receive {
            appointment: vn(2027, 3, 5, 17, 0),
            fee_due_vnd: 0,
        },
    );
    assert_eq!(short(&got), [(0, 1, M::ReceivedOnline)]);
    // Forwarded to itself: no move.
    assert!(
        d.run(vn(2027, 3, 1, 9, 30), A::Forward { to: agency(0) })
            .is_empty()
    );
    for (ask, give) in [
        (vn(2027, 3, 1, 10, 0), vn(2027, 3, 1, 14, 0)),
        (vn(2027, 3, 2, 8, 0), vn(2027, 3, 2, 9, 0)),
    ] {
        let got = d.run(
            ask,
            A::RequestSupplement {
                reason: "Thiếu giấy tờ".into(),
                missing: vec!["Tờ khai".into()],
            },
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].metric, M::SupplementRequested);
        assert!(
            d.run(
                give,
                A::ProvideSupplement {
                    documents: vec!["Tờ khai".into()],
                    note: None,
                },
            )
            .is_empty()
        );
    }
    // 90 + 30 + 60 working minutes of pauses: due Monday 8/3 10:30.
    assert_eq!(
        effective_appointment(&clock(), &d.state).unwrap(),
        Some(vn(2027, 3, 8, 10, 30))
    );
    d.run(vn(2027, 3, 3, 9, 0), A::Approve { note: None });
    let got = d.run(
        vn(2027, 3, 3, 10, 0),
        A::RecordResult {
            result_code: "5/QĐ".into(),
            form: ResultForm::Paper,
        },
    );
    assert_eq!(
        short(&got),
        [
            (0, 3, M::Resolved),
            (0, 3, M::ResolvedEarly),
            (0, 3, M::FinishedIndexLate),
            (0, 3, M::FinishedLateBySupplements)
        ]
    );
}

#[test]
fn stats_deltas_late_result_is_late_both_ways() {
    use Metric as M;
    let mut d = Driven::new();
    let at = vn(2027, 3, 1, 8, 0);
    d.run(
        at,
        receive_direct(Channel::Postal, at, vn(2027, 3, 2, 17, 0), 0),
    );
    d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(1) });
    d.run(
        vn(2027, 3, 3, 8, 0),
        A::Reject {
            reason: "Không đủ điều kiện".into(),
        },
    );
    let got = d.run(
        vn(2027, 3, 3, 9, 0),
        A::RecordResult {
            result_code: "7/TB".into(),
            form: ResultForm::Paper,
        },
    );
    assert_eq!(
        short(&got),
        [
            (1, 3, M::Resolved),
            (1, 3, M::ResolvedLate),
            (1, 3, M::FinishedIndexLate)
        ]
    );
    let c = Counters::from_deltas(&d.deltas);
    assert_eq!(c.get(M::ReceivedPostal), 1);
}

#[test]
fn stats_deltas_withdrawals_refusal_and_stop() {
    use Metric as M;
    // Before receipt: not a finish.
    let mut d = Driven::new();
    let at = vn(2027, 3, 1, 8, 0);
    d.run(
        at,
        A::Submit {
            submission: submission(Channel::Online, 0, at, 2),
        },
    );
    let got = d.run(vn(2027, 3, 1, 9, 0), A::Withdraw { reason: None });
    assert_eq!(short(&got), [(0, 1, M::WithdrawnBeforeReceipt)]);
    assert_eq!(Counters::from_deltas(&d.deltas).awaiting_receipt(), 0);

    // After receipt: a finish, on time for the index.
    let mut d = Driven::new();
    d.run(
        at,
        receive_direct(Channel::Counter, at, vn(2027, 3, 5, 17, 0), 0),
    );
    let got = d.run(vn(2027, 3, 2, 9, 0), A::Withdraw { reason: None });
    assert_eq!(
        short(&got),
        [(0, 2, M::Withdrawn), (0, 2, M::FinishedIndexOnTime)]
    );

    // After the result: the result was the finish.
    let mut d = Driven::new();
    d.run(
        at,
        receive_direct(Channel::Counter, at, vn(2027, 3, 5, 17, 0), 0),
    );
    d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(1) });
    d.run(vn(2027, 3, 1, 10, 0), A::Approve { note: None });
    d.run(
        vn(2027, 3, 1, 11, 0),
        A::RecordResult {
            result_code: "1/GP".into(),
            form: ResultForm::Paper,
        },
    );
    let got = d.run(vn(2027, 3, 2, 9, 0), A::Withdraw { reason: None });
    assert_eq!(short(&got), [(1, 2, M::WithdrawnAfterResult)]);
    let c = Counters::from_deltas(&d.deltas);
    assert_eq!((c.finished(), c.in_progress()), (1, 0));

    // Refused at the check: never received.
    let mut d = Driven::new();
    d.run(
        at,
        A::Submit {
            submission: submission(Channel::Postal, 0, at, 3),
        },
    );
    let got = d.run(
        vn(2027, 3, 1, 10, 0),
        A::Refuse {
            reason: "Không thuộc thẩm quyền".into(),
        },
    );
    assert_eq!(short(&got), [(0, 1, M::Refused)]);
    let c = Counters::from_deltas(&d.deltas);
    assert_eq!(
        (c.received(), c.finished(), c.awaiting_receipt()),
        (0, 0, 0)
    );

    // Stopped after the appointment: late for the index, no legal split (not resolved).
    let mut d = Driven::new();
    d.run(
        at,
        receive_direct(Channel::Counter, at, vn(2027, 3, 1, 17, 0), 0),
    );
    d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(2) });
    let got = d.run(
        vn(2027, 3, 2, 9, 0),
        A::Stop {
            reason: "Dừng".into(),
        },
    );
    assert_eq!(
        short(&got),
        [(2, 2, M::Stopped), (2, 2, M::FinishedIndexLate)]
    );
}

/// A file attached to the "Tờ khai" component; `n` makes its hash.
fn attach(n: u8, source: DocumentSource) -> A {
    A::AttachDocument {
        component: "Tờ khai".into(),
        sha256: format!("{n:02x}").repeat(32),
        media_type: MediaType::Pdf,
        size: 1024,
        source,
    }
}

/// An earlier dossier of the same person, at another agency.
fn earlier() -> DossierCode {
    DossierCode::for_receipt(&agency(2), vn(2026, 1, 5, 9, 0), 12).unwrap()
}

#[test]
fn stats_deltas_digitised_and_reused_count_once_per_dossier() {
    use Metric as M;
    let mut d = Driven::new();
    let at = vn(2027, 3, 1, 8, 0);
    d.run(
        at,
        receive_direct(Channel::Counter, at, vn(2027, 3, 5, 17, 0), 0),
    );
    // A scanned component alone is not a digitised dossier: the result must be on file too.
    assert!(
        d.run(vn(2027, 3, 1, 8, 10), attach(1, DocumentSource::Scanned))
            .is_empty()
    );
    let reuse = || {
        attach(
            2,
            DocumentSource::Reused {
                from_dossier: earlier(),
            },
        )
    };
    assert_eq!(
        short(&d.run(vn(2027, 3, 1, 8, 20), reuse())),
        [(0, 1, M::Reused)]
    );
    // Once per dossier, however many components are re-used.
    assert!(
        d.run(
            vn(2027, 3, 1, 8, 30),
            attach(
                3,
                DocumentSource::Reused {
                    from_dossier: earlier()
                }
            )
        )
        .is_empty()
    );
    d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(1) });
    d.run(vn(2027, 3, 2, 9, 0), A::Approve { note: None });
    let got = d.run(
        vn(2027, 3, 2, 10, 0),
        A::RecordResult {
            result_code: "15/GCN".into(),
            form: ResultForm::Electronic {
                file_ref: format!("sha256:{}", "ab".repeat(32)),
            },
        },
    );
    assert_eq!(
        short(&got),
        [
            (1, 2, M::ElectronicResult),
            (1, 2, M::Digitised),
            (1, 2, M::Resolved),
            (1, 2, M::ResolvedEarly),
            (1, 2, M::FinishedIndexOnTime)
        ]
    );
    // A later scan changes nothing: the dossier was counted.
    assert!(
        d.run(vn(2027, 3, 2, 11, 0), attach(4, DocumentSource::Scanned))
            .is_empty()
    );

    // The other order: the electronic result first, the component after it.
    let mut d = Driven::new();
    d.run(
        at,
        receive_direct(Channel::Postal, at, vn(2027, 3, 5, 17, 0), 0),
    );
    d.run(vn(2027, 3, 1, 9, 0), A::Forward { to: agency(0) });
    d.run(vn(2027, 3, 1, 10, 0), A::Approve { note: None });
    d.run(
        vn(2027, 3, 1, 11, 0),
        A::RecordResult {
            result_code: "16/GCN".into(),
            form: ResultForm::Electronic {
                file_ref: format!("sha256:{}", "cd".repeat(32)),
            },
        },
    );
    assert_eq!(
        short(&d.run(vn(2027, 3, 1, 11, 30), attach(5, DocumentSource::Scanned))),
        [(0, 1, M::Digitised)]
    );
}

#[test]
fn stats_deltas_without_classification_still_count_the_finish() {
    let mut d = Driven::new();
    let at = vn(2027, 3, 1, 8, 0);
    d.run(
        at,
        receive_direct(Channel::Counter, at, vn(2027, 3, 5, 17, 0), 0),
    );
    let before = d.state.clone();
    let cmd = crate::dossier::Command {
        actor: super::test_support::officer(),
        at: vn(2027, 3, 2, 8, 0),
        action: A::Withdraw { reason: None },
    };
    let envelopes = crate::dossier::execute(&before, &cmd).unwrap();
    let mut after = before.clone();
    envelopes.iter().for_each(|e| after.apply(e));
    let got = deltas(&before, &envelopes, &after, |_| None);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].metric, Metric::Withdrawn);
    assert!(deltas(&after, &[], &after, classify).is_empty());
}

// ---- properties over random histories -------------------------------------------------------

/// One random step: which of the plausible actions, how long after the last event, and a byte
/// driving the action's data.
#[derive(Debug, Clone)]
struct Seed {
    pick: u8,
    minutes: i64,
    fuzz: u8,
}

fn seed() -> impl Strategy<Value = Seed> {
    (
        any::<u8>(),
        prop_oneof![6 => 1i64..600, 3 => 600i64..6000],
        any::<u8>(),
    )
        .prop_map(|(pick, minutes, fuzz)| Seed {
            pick,
            minutes,
            fuzz,
        })
}

/// Actions that make sense in `state` (the rules may still refuse some: then nothing happens).
fn candidates(state: &DossierState, at: DateTime<Utc>, f: u8) -> Vec<A> {
    let hours = |n: u8| chrono::Duration::hours(i64::from(n));
    let other = |s: &DossierState| {
        let here = s.agency.clone();
        (1..=3)
            .map(|k| agency(usize::from(f) + k))
            .find(|a| Some(a) != here.as_ref())
            .unwrap()
    };
    let fee = || A::CollectFee {
        amount_vnd: if f.is_multiple_of(2) {
            state.fee_outstanding_vnd()
        } else {
            state.fee_outstanding_vnd() / 2 + 1
        },
        method: [
            PaymentMethod::Online,
            PaymentMethod::Cash,
            PaymentMethod::Transfer,
        ][usize::from(f % 3)],
        receipt_no: None,
    };
    let apologize = || {
        effective_appointment(&clock(), state)
            .ok()
            .flatten()
            .map(|due| A::Apologize {
                reason: "Cần xác minh thêm".into(),
                new_appointment: due + chrono::Duration::days(i64::from(1 + f % 3)),
                current_due: due,
            })
    };
    let supplement = || A::ProvideSupplement {
        documents: vec!["Tờ khai".into()],
        note: None,
    };
    let mut out = match state.status {
        Status::Empty => {
            let channel = Channel::ALL[usize::from(f % 3)];
            let s = submission(channel, usize::from(f / 3), at, 1 + u32::from(f));
            if channel == Channel::Online || f.is_multiple_of(2) {
                vec![A::Submit { submission: s }]
            } else {
                vec![A::ReceiveDirect {
                    submission: s,
                    appointment: at + hours(1 + f % 100),
                    fee_due_vnd: if f.is_multiple_of(3) { 0 } else { 40_000 },
                }]
            }
        }
        Status::Submitted => vec![
            A::Receive {
                appointment: at + hours(1 + f % 100),
                fee_due_vnd: if f.is_multiple_of(3) { 0 } else { 40_000 },
            },
            A::Receive {
                appointment: at + hours(30 + f % 50),
                fee_due_vnd: 0,
            },
            A::RequestIntakeSupplement {
                reason: "Chưa đầy đủ".into(),
                missing: vec!["Tờ khai".into()],
            },
            A::Refuse {
                reason: "Không thuộc thẩm quyền".into(),
            },
        ],
        Status::AwaitingIntakeSupplement | Status::AwaitingSupplement => vec![supplement(), fee()],
        Status::Received => vec![
            A::Forward {
                to: agency(usize::from(f)),
            },
            fee(),
        ],
        Status::Processing => vec![
            A::Transfer {
                to: other(state),
                reason: "Liên thông".into(),
                peer: None,
            },
            A::RequestSupplement {
                reason: "Thiếu giấy tờ".into(),
                missing: vec!["Bản sao".into()],
            },
            A::Approve { note: None },
            A::Reject {
                reason: "Không đủ điều kiện".into(),
            },
            fee(),
        ],
        Status::Approved | Status::Rejected => vec![
            A::RecordResult {
                result_code: "9/GP".into(),
                form: if f.is_multiple_of(2) {
                    ResultForm::Electronic {
                        file_ref: "sha256:ff".into(),
                    }
                } else {
                    ResultForm::Paper
                },
            },
            fee(),
        ],
        Status::Done => vec![
            A::ReturnResult {
                via: if f.is_multiple_of(2) {
                    ReturnChannel::Online
                } else {
                    ReturnChannel::Counter
                },
                collector: None,
            },
            fee(),
        ],
        // The owner's rating (refused for counter and postal dossiers: they have none).
        Status::Returned => vec![A::Rate {
            level: RatingLevel::ALL[usize::from(f % 3)],
            comment: None,
        }],
        _ => vec![],
    };
    out.extend(apologize());
    // Now and then a component: scanned at the counter, or taken from an earlier dossier.
    if f.is_multiple_of(3) && !state.status.is_terminal() && state.status != Status::Empty {
        out.push(attach(
            f,
            if f.is_multiple_of(2) {
                DocumentSource::Scanned
            } else {
                DocumentSource::Reused {
                    from_dossier: earlier(),
                }
            },
        ));
    }
    // Closing actions, rarely, so runs go deep.
    if f.is_multiple_of(9) && !state.status.is_terminal() && state.status != Status::Empty {
        out.push(A::Withdraw { reason: None });
        out.push(A::Stop {
            reason: "Dừng".into(),
        });
    }
    out
}

/// Drives the seeds; returns the dossier (with every command's deltas) and how many commands
/// were accepted.
fn drive(seeds: &[Seed]) -> (Driven, usize) {
    let mut d = Driven::new();
    let mut accepted = 0;
    for s in seeds {
        let at = d
            .state
            .last_event_at
            .unwrap_or_else(|| vn(2027, 3, 1, 8, 0))
            + chrono::Duration::minutes(s.minutes);
        let options = candidates(&d.state, at, s.fuzz);
        if options.is_empty() {
            break;
        }
        let action = options[usize::from(s.pick) % options.len()].clone();
        if d.try_run(at, action).is_ok() {
            accepted += 1;
        }
    }
    (d, accepted)
}

fn per_agency(deltas: &[CounterDelta]) -> HashMap<AgencyCode, Counters> {
    let mut m: HashMap<AgencyCode, Counters> = HashMap::new();
    for d in deltas {
        m.entry(d.agency.clone())
            .or_default()
            .add_to(d.metric, d.delta);
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Rebuilding from the history gives exactly the deltas the commands produced, in order.
    #[test]
    fn stats_rebuild_equals_incremental(seeds in prop::collection::vec(seed(), 1..40)) {
        let (d, _) = drive(&seeds);
        let rebuilt = replay_counters(&d.log, classify);
        prop_assert_eq!(&rebuilt, &d.deltas);
        prop_assert_eq!(coalesce(rebuilt), coalesce(d.deltas.clone()));
        // The history is one the rules accept.
        prop_assert_eq!(crate::dossier::replay(&d.log).unwrap(), d.state);
    }

    /// The open levels summed up to any day are the dossier's standing at that day's end, as
    /// [`crate::dossier::timeliness::standing_at`] judges the state its events up to then make.
    #[test]
    fn stats_open_levels_are_the_standing_at_each_days_end(
        seeds in prop::collection::vec(seed(), 1..40),
    ) {
        use crate::dossier::timeliness::{current_due, standing_at};
        use crate::dossier::vietnam_date;
        let (d, accepted) = drive(&seeds);
        prop_assume!(accepted > 0);
        let levels = super::replay_open(&d.log, |s| current_due(&clock(), s).ok().flatten());
        prop_assert!(levels.iter().all(|x| x.delta == 1 || x.delta == -1));
        let first = vietnam_date(d.log[0].at);
        let last = vietnam_date(d.log.last().unwrap().at) + chrono::Duration::days(40);
        let mut day = first;
        while day <= last {
            let end = vn(day.year(), day.month(), day.day(), 0, 0) + chrono::Duration::days(1);
            let mut state = DossierState::new();
            d.log.iter().filter(|e| e.at < end).for_each(|e| state.apply(e));
            let standing = standing_at(&clock(), &state, end).unwrap();
            for (metric, expected) in [
                (Metric::OpenOverdue, standing.is_some_and(|s| s.overdue)),
                (Metric::OpenIndexLate, standing.is_some_and(|s| s.index_late)),
            ] {
                let here = |a: &AgencyCode| Some(a) == state.agency.as_ref();
                let sum: i64 = levels
                    .iter()
                    .filter(|x| x.metric == metric && x.day <= day)
                    .map(|x| x.delta)
                    .sum();
                prop_assert_eq!(sum, i64::from(expected), "{} at the end of {}", metric, day);
                let held: i64 = levels
                    .iter()
                    .filter(|x| x.metric == metric && x.day <= day && here(&x.agency))
                    .map(|x| x.delta)
                    .sum();
                prop_assert_eq!(held, sum, "{} counts at the agency holding it", metric);
            }
            day = day.succ_opt().unwrap();
        }
    }

    /// Every balance closes on the final state, per agency; a finish is counted once.
    #[test]
    fn stats_balances_close(seeds in prop::collection::vec(seed(), 1..40)) {
        use Metric as M;
        let (d, accepted) = drive(&seeds);
        prop_assume!(accepted > 0);
        let s = &d.state;
        prop_assert!(d.deltas.iter().all(|x| x.delta == 1));
        let in_progress = s.received_at.is_some() && s.finished_at.is_none();
        for (agency, c) in per_agency(&d.deltas) {
            let here = s.agency.as_ref() == Some(&agency);
            prop_assert_eq!(c.in_progress(), i64::from(in_progress && here), "agency {}", agency);
            prop_assert!(c.in_progress() >= 0);
        }
        let all = Counters::from_deltas(&d.deltas);
        let finished = s.received_at.is_some() && s.finished_at.is_some();
        prop_assert_eq!(all.get(M::Submitted), 1);
        prop_assert_eq!(all.received(), i64::from(s.received_at.is_some()));
        prop_assert_eq!(all.finished(), i64::from(finished));
        prop_assert_eq!(all.in_progress(), i64::from(in_progress));
        prop_assert_eq!(
            all.awaiting_receipt(),
            i64::from(matches!(
                s.status,
                Status::Submitted | Status::AwaitingIntakeSupplement
            ))
        );
        // Classification never fails in 2027: every finish is split.
        let index_split = all.get(M::FinishedIndexOnTime) + all.get(M::FinishedIndexLate);
        prop_assert_eq!(index_split, all.finished());
        let legal_split =
            all.get(M::ResolvedEarly) + all.get(M::ResolvedOnTime) + all.get(M::ResolvedLate);
        prop_assert_eq!(legal_split, all.get(M::Resolved));
        prop_assert!(all.get(M::FinishedLateBySupplements) <= all.get(M::FinishedIndexLate));
        if let Some(c) = classify(s) {
            let late = c.index == IndexTimeliness::Late;
            prop_assert_eq!(all.get(M::FinishedIndexLate), i64::from(late));
        }
        // Counted per dossier, once.
        let electronic = s.result.as_ref().is_some_and(|r| r.form.is_electronic());
        let paid_online = s.payments.iter().any(|p| p.method == PaymentMethod::Online);
        let withdrawals = all.get(M::Withdrawn)
            + all.get(M::WithdrawnBeforeReceipt)
            + all.get(M::WithdrawnAfterResult);
        prop_assert_eq!(all.get(M::Resolved), i64::from(s.result.is_some()));
        prop_assert_eq!(all.get(M::ElectronicResult), i64::from(electronic));
        prop_assert_eq!(all.get(M::PaidOnline), i64::from(paid_online));
        prop_assert_eq!(all.get(M::FeeDue), i64::from(s.fee_due_vnd > 0));
        prop_assert_eq!(all.get(M::Returned), i64::from(s.status == Status::Returned));
        prop_assert_eq!(all.get(M::SupplementRequested), i64::from(s.supplement_requests));
        prop_assert_eq!(all.get(M::Apologized), i64::from(s.apology.is_some()));
        prop_assert_eq!(withdrawals, i64::from(s.status == Status::Withdrawn));
        prop_assert_eq!(all.get(M::Digitised), i64::from(s.is_digitised()));
        prop_assert_eq!(all.get(M::Reused), i64::from(s.reuses_data()));
        prop_assert_eq!(all.get(M::Rated), i64::from(s.rating.is_some()));
        let dislike = s.rating.as_ref().is_some_and(|r| r.level == RatingLevel::Dissatisfied);
        prop_assert_eq!(all.get(M::Dissatisfied), i64::from(dislike));
        let moves = s.hops.len() as i64 - 1;
        prop_assert!(all.moved_in() == all.moved_out() && all.moved_in() <= moves);
    }
}

/// The generator reaches every outcome the properties are about.
#[test]
fn stats_generator_reaches_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(seed(), 1..40);
    let mut statuses: HashMap<Status, usize> = HashMap::new();
    let mut all = Counters::new();
    for _ in 0..400 {
        let (d, _) = drive(&strategy.new_tree(&mut runner).unwrap().current());
        *statuses.entry(d.state.status).or_default() += 1;
        all += Counters::from_deltas(&d.deltas);
    }
    for status in [
        Status::Refused,
        Status::Stopped,
        Status::Returned,
        Status::Withdrawn,
        Status::Processing,
    ] {
        assert!(
            statuses.get(&status).is_some_and(|&n| n > 0),
            "{status:?}: {statuses:?}"
        );
    }
    for m in Metric::ALL.into_iter().filter(|m| !m.is_open_level()) {
        assert!(all.get(m) > 0, "{m} never counted: {all:?}");
    }
}
