//! The payment state machine: each rule by example, and its invariants by property (never paid
//! twice, never paid with a wrong amount, a success never overridden, citizens never record).

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use motcua_domain::auth::Role;
use motcua_domain::catalogue::FeeKind;
use motcua_domain::dossier::PaymentMethod;
use motcua_domain::payment::{
    FeeLine, GatewayOutcome, PaymentAction, PaymentActor, PaymentCommand, PaymentEnvelope,
    PaymentError, PaymentEvent, PaymentState, PaymentStatus, ReportSource, execute, fold,
};
use proptest::prelude::*;
use uuid::Uuid;

const DUE: u64 = 1_500_000;

fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 7, 2, 0, 0).unwrap() + TimeDelta::minutes(min)
}

fn officer() -> PaymentActor {
    PaymentActor::Staff {
        user: Uuid::from_u128(1),
        role: Role::ReceivingOfficer,
    }
}

fn citizen() -> PaymentActor {
    PaymentActor::Citizen {
        user: Uuid::from_u128(2),
    }
}

fn line(amount: u64) -> FeeLine {
    FeeLine {
        name: "Lệ phí".into(),
        kind: FeeKind::Charge,
        legal_basis: Some("Thông tư 40/2026/TT-BTC".into()),
        amount_vnd: amount,
        exemption: None,
        description: "Lệ phí: 1,500,000".into(),
    }
}

/// A payment and its history, driven command by command.
#[derive(Default)]
struct Ledger {
    history: Vec<PaymentEnvelope>,
    state: PaymentState,
}

impl Ledger {
    fn run(
        &mut self,
        at: i64,
        actor: PaymentActor,
        action: PaymentAction,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        let cmd = PaymentCommand {
            at: t(at),
            actor,
            action,
        };
        let envs = execute(&self.state, &cmd)?;
        for e in &envs {
            self.state.apply(e.at, &e.event);
        }
        self.history.extend(envs.iter().cloned());
        Ok(envs.into_iter().map(|e| e.event).collect())
    }

    fn opened() -> Ledger {
        let mut l = Ledger::default();
        l.run(
            0,
            officer(),
            PaymentAction::Open {
                lines: vec![line(DUE)],
            },
        )
        .unwrap();
        l
    }

    fn start(&mut self, at: i64, reference: &str) -> Result<Vec<PaymentEvent>, PaymentError> {
        self.run(
            at,
            citizen(),
            PaymentAction::StartAttempt {
                gateway: "vnpay".into(),
                reference: reference.into(),
                expires_at: t(at + 15),
            },
        )
    }

    fn report(
        &mut self,
        at: i64,
        reference: &str,
        outcome: GatewayOutcome,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        self.run(
            at,
            PaymentActor::System,
            PaymentAction::Report {
                reference: reference.into(),
                source: ReportSource::Notification,
                outcome,
            },
        )
    }
}

fn paid(amount: u64, txn: &str) -> GatewayOutcome {
    GatewayOutcome::Paid {
        amount_vnd: amount,
        transaction_no: txn.into(),
    }
}

fn failed() -> GatewayOutcome {
    GatewayOutcome::Failed { code: "24".into() }
}

#[test]
fn paid_online_once() {
    let mut l = Ledger::opened();
    assert_eq!(l.state.status(), PaymentStatus::Due);
    l.start(1, "A1").unwrap();
    assert_eq!(l.state.status(), PaymentStatus::Pending);
    assert_eq!(l.report(2, "A1", paid(DUE, "14000001")).unwrap().len(), 1);
    assert_eq!(l.state.status(), PaymentStatus::Paid);
    // The same IPN again, then the query saying the same: nothing changes.
    assert_eq!(l.report(3, "A1", paid(DUE, "14000001")).unwrap(), vec![]);
    // A later failure never overrides the success.
    assert_eq!(l.report(4, "A1", failed()).unwrap(), vec![]);
    assert_eq!(l.state.status(), PaymentStatus::Paid);
    assert_eq!(fold(&l.history), l.state);
}

#[test]
fn wrong_amount_and_unknown_reference_change_nothing() {
    let mut l = Ledger::opened();
    l.start(1, "A1").unwrap();
    let before = l.state.clone();
    assert_eq!(
        l.report(2, "A1", paid(DUE - 1, "1")).unwrap_err(),
        PaymentError::WrongAmount {
            amount: DUE - 1,
            due: DUE
        }
    );
    assert!(matches!(
        l.report(2, "ZZ", paid(DUE, "1")),
        Err(PaymentError::UnknownReference { .. })
    ));
    assert_eq!(l.state, before);
}

#[test]
fn expired_attempt_is_retried_and_a_late_success_still_counts_once() {
    let mut l = Ledger::opened();
    l.start(1, "A1").unwrap();
    // Not before its expiry.
    assert!(matches!(
        l.start(5, "A2"),
        Err(PaymentError::AttemptPending)
    ));
    assert!(matches!(
        l.run(
            5,
            PaymentActor::System,
            PaymentAction::Expire {
                reference: "A1".into()
            }
        ),
        Err(PaymentError::NotExpiredYet { .. })
    ));
    l.run(
        16,
        PaymentActor::System,
        PaymentAction::Expire {
            reference: "A1".into(),
        },
    )
    .unwrap();
    assert_eq!(l.state.status(), PaymentStatus::Expired);
    assert!(matches!(
        l.start(17, "A1"),
        Err(PaymentError::DuplicateReference { .. })
    ));
    l.start(17, "A2").unwrap();
    l.report(18, "A2", paid(DUE, "2")).unwrap();
    // The old attempt was paid after all (its IPN came late): recorded to give back.
    let ev = l.report(19, "A1", paid(DUE, "1")).unwrap();
    assert!(matches!(
        ev[..],
        [PaymentEvent::ExtraPaymentReceived { .. }]
    ));
    assert_eq!(l.state.status(), PaymentStatus::Paid);
    assert_eq!(
        l.state.settlement.as_ref().unwrap().reference.as_deref(),
        Some("A2")
    );
    assert_eq!(l.report(20, "A1", paid(DUE, "1")).unwrap(), vec![]);
}

#[test]
fn a_failed_attempt_is_retried() {
    let mut l = Ledger::opened();
    l.start(1, "A1").unwrap();
    l.report(2, "A1", failed()).unwrap();
    assert_eq!(l.state.status(), PaymentStatus::Failed);
    assert_eq!(l.report(3, "A1", failed()).unwrap(), vec![]);
    l.start(4, "A2").unwrap();
    assert_eq!(l.state.status(), PaymentStatus::Pending);
}

#[test]
fn counter_payments_are_staff_only_and_exact() {
    let mut l = Ledger::opened();
    let cash = |amount| PaymentAction::RecordCounter {
        method: PaymentMethod::Cash,
        amount_vnd: amount,
        receipt_no: Some("0000123".into()),
    };
    assert!(matches!(
        l.run(1, citizen(), cash(DUE)),
        Err(PaymentError::ActorNotAllowed { .. })
    ));
    assert!(matches!(
        l.run(1, PaymentActor::System, cash(DUE)),
        Err(PaymentError::ActorNotAllowed { .. })
    ));
    assert!(matches!(
        l.run(
            1,
            officer(),
            PaymentAction::RecordCounter {
                method: PaymentMethod::Online,
                amount_vnd: DUE,
                receipt_no: None
            }
        ),
        Err(PaymentError::OnlineAtCounter)
    ));
    assert!(matches!(
        l.run(1, officer(), cash(DUE + 1)),
        Err(PaymentError::WrongAmount { .. })
    ));
    // Not while the citizen may be paying online.
    l.start(2, "A1").unwrap();
    assert_eq!(
        l.run(3, officer(), cash(DUE)),
        Err(PaymentError::AttemptPending)
    );
    let ev = l.run(20, officer(), cash(DUE)).unwrap();
    assert!(matches!(
        ev[..],
        [
            PaymentEvent::AttemptExpired { .. },
            PaymentEvent::Paid { .. }
        ]
    ));
    assert!(matches!(
        l.run(21, officer(), cash(DUE)),
        Err(PaymentError::NotAllowedInState {
            status: PaymentStatus::Paid,
            ..
        })
    ));
}

#[test]
fn refund_needs_an_authorised_officer_and_a_reason() {
    let mut l = Ledger::opened();
    let refund = |r: &str| PaymentAction::Refund { reason: r.into() };
    assert!(matches!(
        l.run(1, officer(), refund("x")),
        Err(PaymentError::NotAllowedInState { .. })
    ));
    l.start(1, "A1").unwrap();
    l.report(2, "A1", paid(DUE, "1")).unwrap();
    let specialist = PaymentActor::Staff {
        user: Uuid::from_u128(3),
        role: Role::Specialist,
    };
    assert!(matches!(
        l.run(3, specialist, refund("x")),
        Err(PaymentError::ActorNotAllowed { .. })
    ));
    assert!(matches!(
        l.run(3, citizen(), refund("x")),
        Err(PaymentError::ActorNotAllowed { .. })
    ));
    assert!(matches!(
        l.run(3, officer(), refund("  ")),
        Err(PaymentError::InvalidText { .. })
    ));
    let leader = PaymentActor::Staff {
        user: Uuid::from_u128(4),
        role: Role::Leader,
    };
    l.run(3, leader, refund("Hồ sơ bị từ chối tiếp nhận"))
        .unwrap();
    assert_eq!(l.state.status(), PaymentStatus::Refunded);
    assert_eq!(l.state.refund.as_ref().unwrap().amount_vnd, DUE);
    assert_eq!(l.report(4, "A1", paid(DUE, "1")).unwrap(), vec![]);
    assert_eq!(l.state.status(), PaymentStatus::Refunded);
}

#[test]
fn opening_checks_the_lines() {
    let mut l = Ledger::default();
    assert_eq!(
        l.run(0, officer(), PaymentAction::Open { lines: vec![] }),
        Err(PaymentError::NothingDue)
    );
    assert!(matches!(
        l.run(
            0,
            citizen(),
            PaymentAction::Open {
                lines: vec![line(1)]
            }
        ),
        Err(PaymentError::ActorNotAllowed { .. })
    ));
    assert!(matches!(
        l.run(
            0,
            officer(),
            PaymentAction::Open {
                lines: vec![line(1); 21]
            }
        ),
        Err(PaymentError::TooManyLines { .. })
    ));
    l.run(
        0,
        officer(),
        PaymentAction::Open {
            lines: vec![line(1_000), line(500)],
        },
    )
    .unwrap();
    assert_eq!(l.state.amount_due_vnd, 1_500);
    assert!(matches!(
        l.run(
            0,
            officer(),
            PaymentAction::Open {
                lines: vec![line(1)]
            }
        ),
        Err(PaymentError::NotAllowedInState { .. })
    ));
    // Commands may not go back in time.
    assert!(matches!(
        l.start(-1, "A1"),
        Err(PaymentError::TimeBeforeLastEvent { .. })
    ));
}

#[test]
fn every_error_has_a_code_and_a_vietnamese_message() {
    let e = PaymentError::WrongAmount {
        amount: 1,
        due: 1_500_000,
    };
    assert_eq!(e.code(), "payment_wrong_amount");
    assert_eq!(
        e.message_vi(),
        "Số tiền 1 đồng không khớp với số phải nộp 1.500.000 đồng."
    );
}

// ---- properties ----

#[derive(Debug, Clone)]
enum Step {
    Start(u8),
    Report(u8, bool, i8, bool),
    Expire(u8),
    Counter(i8, bool),
    Refund(bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..3).prop_map(Step::Start),
        (0u8..4, any::<bool>(), -1i8..=1, any::<bool>())
            .prop_map(|(r, ok, d, q)| Step::Report(r, ok, d, q)),
        (0u8..3).prop_map(Step::Expire),
        (-1i8..=1, any::<bool>()).prop_map(|(d, c)| Step::Counter(d, c)),
        any::<bool>().prop_map(Step::Refund),
    ]
}

fn amount(delta: i8) -> u64 {
    DUE.saturating_add_signed(i64::from(delta))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn paid_once_exactly_and_never_overridden(steps in prop::collection::vec((step(), 0i64..20), 0..40)) {
        let mut l = Ledger::opened();
        let mut now = 0;
        let mut was_paid = false;
        for (s, dt) in steps {
            now += dt;
            let before = l.state.clone();
            let r = match s {
                Step::Start(r) => l.start(now, &format!("A{r}")),
                Step::Report(r, ok, d, q) => l.run(now, PaymentActor::System, PaymentAction::Report {
                    reference: format!("A{r}"),
                    source: if q { ReportSource::Query } else { ReportSource::Notification },
                    outcome: if ok { paid(amount(d), &format!("T{r}")) } else { failed() },
                }),
                Step::Expire(r) => l.run(now, PaymentActor::System, PaymentAction::Expire { reference: format!("A{r}") }),
                Step::Counter(d, by_citizen) => l.run(
                    now,
                    if by_citizen { citizen() } else { officer() },
                    PaymentAction::RecordCounter { method: PaymentMethod::Transfer, amount_vnd: amount(d), receipt_no: None },
                ),
                Step::Refund(by_citizen) => l.run(
                    now,
                    if by_citizen { citizen() } else { officer() },
                    PaymentAction::Refund { reason: "Nộp thừa".into() },
                ),
            };
            if r.is_err() {
                prop_assert_eq!(&l.state, &before, "a refused command changes nothing");
            }
            if let (Step::Counter(_, true), Ok(ev)) = (&s, &r) {
                prop_assert!(ev.is_empty(), "a citizen recorded a payment");
            }
            let status = l.state.status();
            if was_paid {
                prop_assert!(matches!(status, PaymentStatus::Paid | PaymentStatus::Refunded), "success overridden: {:?}", status);
            }
            was_paid |= status == PaymentStatus::Paid;
        }
        let paid_events: Vec<_> = l.history.iter().filter_map(|e| match &e.event {
            PaymentEvent::Paid { amount_vnd, .. } => Some(*amount_vnd),
            _ => None,
        }).collect();
        prop_assert!(paid_events.len() <= 1, "paid twice: {:?}", paid_events);
        prop_assert!(paid_events.iter().all(|a| *a == DUE), "paid a wrong amount");
        let extras_exact = l.history.iter().all(|e| match &e.event {
            PaymentEvent::ExtraPaymentReceived { amount_vnd, .. } => *amount_vnd == DUE,
            _ => true,
        });
        prop_assert!(extras_exact, "an extra payment of a wrong amount");
        prop_assert_eq!(fold(&l.history), l.state.clone());
        // Sequence numbers run without gaps.
        // No attempt is failed or expired after it was paid.
        let mut paid_refs: Vec<&str> = Vec::new();
        for e in &l.history {
            match &e.event {
                PaymentEvent::Paid { reference: Some(r), .. }
                | PaymentEvent::ExtraPaymentReceived { reference: r, .. } => paid_refs.push(r),
                PaymentEvent::AttemptFailed { reference, .. }
                | PaymentEvent::AttemptExpired { reference } => {
                    prop_assert!(!paid_refs.contains(&reference.as_str()), "success of {} overridden", reference);
                }
                _ => {}
            }
        }
        let gapless = l.history.iter().zip(1u32..).all(|(e, n)| e.seq == n);
        prop_assert!(gapless, "sequence numbers with a gap");
    }
}

/// Staff change the fee lines with a reason while nothing is paid and no attempt may still
/// succeed; the next attempt asks for the new amount; lines adding up to zero waive the fees.
#[test]
fn staff_adjust_the_lines_until_paid() {
    let adjust = |lines: Vec<FeeLine>, reason: &str| PaymentAction::Adjust {
        lines,
        reason: reason.into(),
    };
    let leader = PaymentActor::Staff {
        user: Uuid::from_u128(3),
        role: Role::Leader,
    };
    let mut l = Ledger::opened();
    let reduced = FeeLine {
        exemption: Some("Giảm 50% theo Thông tư 40/2026/TT-BTC".into()),
        ..line(DUE / 2)
    };
    assert_eq!(
        l.run(1, citizen(), adjust(vec![reduced.clone()], "Giảm"))
            .unwrap_err(),
        PaymentError::ActorNotAllowed { action: "adjust" }
    );
    assert!(matches!(
        l.run(1, leader, adjust(vec![reduced.clone()], "  ")),
        Err(PaymentError::InvalidText {
            field: "reason",
            ..
        })
    ));
    assert_eq!(
        l.run(1, leader, adjust(vec![line(DUE)], "Như cũ"))
            .unwrap_err(),
        PaymentError::FeeUnchanged
    );
    let events = l
        .run(
            2,
            leader,
            adjust(vec![reduced.clone()], "Tàu bay dưới 5.700 kg"),
        )
        .unwrap();
    assert!(matches!(
        &events[..],
        [PaymentEvent::Adjusted { previous_amount_vnd: DUE, amount_vnd, .. }] if *amount_vnd == DUE / 2
    ));
    assert_eq!(l.state.status(), PaymentStatus::Due);
    assert_eq!(l.state.adjustments.len(), 1);
    // An attempt asks for the new amount; while it may succeed the lines stay.
    l.start(3, "R1").unwrap();
    assert_eq!(l.state.attempts[0].amount_vnd, DUE / 2);
    assert_eq!(
        l.run(4, officer(), adjust(vec![line(DUE)], "Lại"))
            .unwrap_err(),
        PaymentError::AttemptPending
    );
    // Past its expiry the attempt expires first.
    let events = l
        .run(20, officer(), adjust(vec![], "Miễn toàn bộ"))
        .unwrap();
    assert_eq!(
        events.iter().map(PaymentEvent::kind).collect::<Vec<_>>(),
        vec!["attempt_expired", "adjusted"]
    );
    assert_eq!(l.state.status(), PaymentStatus::Waived);
    assert!(matches!(
        l.start(21, "R2"),
        Err(PaymentError::NotAllowedInState { .. })
    ));
    l.run(
        22,
        officer(),
        adjust(vec![line(DUE)], "Không thuộc diện miễn"),
    )
    .unwrap();
    l.run(
        23,
        officer(),
        PaymentAction::RecordCounter {
            method: PaymentMethod::Cash,
            amount_vnd: DUE,
            receipt_no: None,
        },
    )
    .unwrap();
    assert!(matches!(
        l.run(24, leader, adjust(vec![reduced], "Sau khi thu")),
        Err(PaymentError::NotAllowedInState {
            status: PaymentStatus::Paid,
            ..
        })
    ));
    assert_eq!(fold(&l.history), l.state);
}
