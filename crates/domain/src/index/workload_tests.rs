//! A hand-computed month: twelve dossiers driven through the real rules → the counters → the
//! report row (and its roll-up from three agencies) → the service index.
//!
//! Agencies: 0 = the service centre (receives everything), 1 and 2 = departments. March 2027
//! has no holiday; the period is 1–31 March.
//!
//! | dossier | story | finish (legal / index) |
//! |---|---|---|
//! | D0 | counter, received 24/2, forwarded to 1, result 3/3 (due 3/3 17:00) | on time / on time |
//! | D1 | online, fee paid online, electronic result 2/3 (due 5/3) | early / on time |
//! | D2 | counter, result 4/3 15:00 (due 4/3 17:00) | on time / on time |
//! | D3 | postal, fee in cash, rejected, result 3/3 (due 2/3) | late / late |
//! | D4 | online, supplemented twice, electronic result 3/3 (due 8/3 10:30) | early / **late** |
//! | D5 | counter, withdrawn 3/3 after receipt | — / on time |
//! | D6 | online, transferred 1 → 2, electronic result 8/3, paid online | early / on time |
//! | D7 | online, received 29/3 (due 2/4) | in progress, within time |
//! | D8 | counter, forwarded to 2, due 24/3 | in progress, overdue |
//! | D9 | postal, refused at the check | — |
//! | D10 | online, withdrawn before receipt | — |
//! | D11 | counter, stopped 5/3 (due 8/3) | — / on time |

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalogue::model::Channel;
use crate::dossier::timeliness::standing_at;
use crate::dossier::{DossierAction as A, PaymentMethod, RatingLevel, ResultForm, ReturnChannel};
use crate::stats::test_support::{Driven, agency, clock, submission, vn};
use crate::stats::{CounterDelta, Counters, InProgressSplit, Metric, PeriodReport};

use super::*;

fn lodge_online(d: &mut Driven, day: u32, seq: u32) {
    let at = vn(2027, 3, day, 8, 0);
    d.run(
        at,
        A::Submit {
            submission: submission(Channel::Online, 0, at, seq),
        },
    );
}

fn receive(d: &mut Driven, at: DateTime<Utc>, due: DateTime<Utc>, fee: u64) {
    d.run(
        at,
        A::Receive {
            appointment: due,
            fee_due_vnd: fee,
        },
    );
}

fn direct(d: &mut Driven, channel: Channel, at: DateTime<Utc>, due: DateTime<Utc>, fee: u64) {
    d.run(
        at,
        A::ReceiveDirect {
            submission: submission(channel, 0, at, 9),
            appointment: due,
            fee_due_vnd: fee,
        },
    );
}

fn forward(d: &mut Driven, at: DateTime<Utc>, to: usize) {
    d.run(at, A::Forward { to: agency(to) });
}

fn result(d: &mut Driven, day: u32, hour: u32, electronic: bool) {
    d.run(vn(2027, 3, day, hour - 1, 0), A::Approve { note: None });
    let form = if electronic {
        ResultForm::Electronic {
            file_ref: "sha256:0a1b".into(),
        }
    } else {
        ResultForm::Paper
    };
    d.run(
        vn(2027, 3, day, hour, 0),
        A::RecordResult {
            result_code: "15/GP-UBND".into(),
            form,
        },
    );
}

fn pay(d: &mut Driven, at: DateTime<Utc>, amount: u64, method: PaymentMethod) {
    d.run(
        at,
        A::CollectFee {
            amount_vnd: amount,
            method,
            receipt_no: None,
        },
    );
}

fn give_back(d: &mut Driven, at: DateTime<Utc>, via: ReturnChannel) {
    d.run(
        at,
        A::ReturnResult {
            via,
            collector: None,
        },
    );
}

/// The twelve dossiers.
fn month() -> Vec<Driven> {
    let mut all = Vec::new();

    let mut d0 = Driven::new();
    let at = vn(2027, 2, 24, 9, 0);
    d0.run(
        at,
        A::ReceiveDirect {
            submission: submission(Channel::Counter, 0, at, 1),
            appointment: vn(2027, 3, 3, 17, 0),
            fee_due_vnd: 0,
        },
    );
    forward(&mut d0, vn(2027, 2, 24, 10, 0), 1);
    result(&mut d0, 3, 10, false);
    all.push(d0);

    let mut d1 = Driven::new();
    lodge_online(&mut d1, 1, 1);
    receive(
        &mut d1,
        vn(2027, 3, 1, 8, 30),
        vn(2027, 3, 5, 17, 0),
        50_000,
    );
    forward(&mut d1, vn(2027, 3, 1, 9, 0), 1);
    result(&mut d1, 2, 10, true);
    pay(
        &mut d1,
        vn(2027, 3, 2, 11, 0),
        50_000,
        PaymentMethod::Online,
    );
    give_back(&mut d1, vn(2027, 3, 2, 14, 0), ReturnChannel::Online);
    d1.run(
        vn(2027, 3, 2, 20, 0),
        A::Rate {
            level: RatingLevel::Dissatisfied,
            comment: None,
        },
    );
    all.push(d1);

    let mut d2 = Driven::new();
    direct(
        &mut d2,
        Channel::Counter,
        vn(2027, 3, 1, 9, 0),
        vn(2027, 3, 4, 17, 0),
        0,
    );
    forward(&mut d2, vn(2027, 3, 1, 9, 30), 1);
    result(&mut d2, 4, 15, false);
    give_back(&mut d2, vn(2027, 3, 5, 8, 0), ReturnChannel::Counter);
    all.push(d2);

    let mut d3 = Driven::new();
    direct(
        &mut d3,
        Channel::Postal,
        vn(2027, 3, 1, 10, 0),
        vn(2027, 3, 2, 17, 0),
        20_000,
    );
    forward(&mut d3, vn(2027, 3, 1, 10, 30), 1);
    d3.run(
        vn(2027, 3, 3, 8, 0),
        A::Reject {
            reason: "Không đủ điều kiện".into(),
        },
    );
    d3.run(
        vn(2027, 3, 3, 9, 0),
        A::RecordResult {
            result_code: "3/TB-UBND".into(),
            form: ResultForm::Paper,
        },
    );
    pay(&mut d3, vn(2027, 3, 3, 10, 0), 20_000, PaymentMethod::Cash);
    give_back(&mut d3, vn(2027, 3, 4, 8, 0), ReturnChannel::Post);
    all.push(d3);

    let mut d4 = Driven::new();
    lodge_online(&mut d4, 1, 4);
    receive(&mut d4, vn(2027, 3, 1, 8, 30), vn(2027, 3, 5, 17, 0), 0);
    forward(&mut d4, vn(2027, 3, 1, 8, 45), 1);
    for (ask, give) in [((1, 10), (1, 14)), ((2, 8), (2, 9))] {
        d4.run(
            vn(2027, 3, ask.0, ask.1, 0),
            A::RequestSupplement {
                reason: "Thiếu bản sao".into(),
                missing: vec!["Bản sao sổ đỏ".into()],
            },
        );
        d4.run(
            vn(2027, 3, give.0, give.1, 0),
            A::ProvideSupplement {
                documents: vec!["Bản sao sổ đỏ".into()],
                note: None,
            },
        );
    }
    result(&mut d4, 3, 10, true);
    all.push(d4);

    let mut d5 = Driven::new();
    direct(
        &mut d5,
        Channel::Counter,
        vn(2027, 3, 2, 8, 0),
        vn(2027, 3, 9, 17, 0),
        0,
    );
    forward(&mut d5, vn(2027, 3, 2, 9, 0), 1);
    d5.run(
        vn(2027, 3, 3, 9, 0),
        A::Withdraw {
            reason: Some("Không còn nhu cầu".into()),
        },
    );
    all.push(d5);

    let mut d6 = Driven::new();
    lodge_online(&mut d6, 2, 6);
    receive(
        &mut d6,
        vn(2027, 3, 2, 8, 30),
        vn(2027, 3, 10, 17, 0),
        30_000,
    );
    forward(&mut d6, vn(2027, 3, 2, 9, 0), 1);
    d6.run(
        vn(2027, 3, 3, 9, 0),
        A::Transfer {
            to: agency(2),
            reason: "Liên thông thuế".into(),
            peer: None,
        },
    );
    result(&mut d6, 8, 10, true);
    pay(
        &mut d6,
        vn(2027, 3, 8, 11, 0),
        30_000,
        PaymentMethod::Online,
    );
    give_back(&mut d6, vn(2027, 3, 8, 14, 0), ReturnChannel::Online);
    all.push(d6);

    let mut d7 = Driven::new();
    lodge_online(&mut d7, 29, 7);
    receive(
        &mut d7,
        vn(2027, 3, 29, 9, 0),
        vn(2027, 4, 2, 17, 0),
        10_000,
    );
    forward(&mut d7, vn(2027, 3, 29, 10, 0), 1);
    all.push(d7);

    let mut d8 = Driven::new();
    direct(
        &mut d8,
        Channel::Counter,
        vn(2027, 3, 22, 8, 0),
        vn(2027, 3, 24, 17, 0),
        0,
    );
    forward(&mut d8, vn(2027, 3, 22, 9, 0), 2);
    all.push(d8);

    let mut d9 = Driven::new();
    let at = vn(2027, 3, 3, 8, 0);
    d9.run(
        at,
        A::Submit {
            submission: submission(Channel::Postal, 0, at, 9),
        },
    );
    d9.run(
        vn(2027, 3, 3, 10, 0),
        A::Refuse {
            reason: "Không thuộc thẩm quyền".into(),
        },
    );
    all.push(d9);

    let mut d10 = Driven::new();
    lodge_online(&mut d10, 3, 10);
    d10.run(vn(2027, 3, 3, 12, 0), A::Withdraw { reason: None });
    all.push(d10);

    let mut d11 = Driven::new();
    direct(
        &mut d11,
        Channel::Counter,
        vn(2027, 3, 4, 8, 0),
        vn(2027, 3, 8, 17, 0),
        0,
    );
    forward(&mut d11, vn(2027, 3, 4, 9, 0), 1);
    d11.run(
        vn(2027, 3, 5, 9, 0),
        A::Stop {
            reason: "Có tranh chấp".into(),
        },
    );
    all.push(d11);

    all
}

const START: (i32, u32, u32) = (2027, 3, 1);
const END: (i32, u32, u32) = (2027, 3, 31);

fn day(t: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2).unwrap()
}

/// Counters before the period and inside it, for the agencies in `agencies`.
fn counters(dossiers: &[Driven], agencies: &[usize]) -> (Counters, Counters) {
    let keep = |d: &&CounterDelta| agencies.iter().any(|&i| agency(i) == d.agency);
    let deltas: Vec<&CounterDelta> = dossiers
        .iter()
        .flat_map(|d| d.deltas.iter())
        .filter(keep)
        .collect();
    let before = Counters::from_deltas(deltas.iter().copied().filter(|d| d.day < day(START)));
    let within = Counters::from_deltas(
        deltas
            .iter()
            .copied()
            .filter(|d| d.day >= day(START) && d.day <= day(END)),
    );
    (before, within)
}

/// In progress at the end of the period, held by `agencies`: (legal split, index split).
fn split(dossiers: &[Driven], agencies: &[usize]) -> (InProgressSplit, InProgressSplit) {
    let end = vn(2027, 3, 31, 23, 59);
    let (mut legal, mut index) = (InProgressSplit::default(), InProgressSplit::default());
    for d in dossiers {
        if !agencies.iter().any(|&i| d.state.agency == Some(agency(i))) {
            continue;
        }
        if let Some(s) = standing_at(&clock(), &d.state, end).unwrap() {
            if s.overdue {
                legal.overdue += 1
            } else {
                legal.within_time += 1
            }
            if s.index_late {
                index.overdue += 1
            } else {
                index.within_time += 1
            }
        }
    }
    (legal, index)
}

#[test]
fn index_workload_month_by_hand() {
    use Metric as M;
    let dossiers = month();

    let unit = [0, 1, 2];
    let (before, within) = counters(&dossiers, &unit);

    // ---- counters ----
    assert_eq!(before.in_progress(), 1, "D0 carried over");
    let expected: Counters = [
        (M::Submitted, 11),
        (M::ReceivedOnline, 4),
        (M::ReceivedCounter, 4),
        (M::ReceivedPostal, 1),
        (M::FeeDue, 4),
        (M::ForwardedOut, 9),
        (M::ForwardedIn, 9),
        (M::TransferredOut, 1),
        (M::TransferredIn, 1),
        (M::SupplementRequested, 2),
        (M::Resolved, 6),
        (M::ResolvedEarly, 3),
        (M::ResolvedOnTime, 2),
        (M::ResolvedLate, 1),
        (M::Withdrawn, 1),
        (M::Stopped, 1),
        (M::FinishedIndexOnTime, 6),
        (M::FinishedIndexLate, 2),
        (M::FinishedLateBySupplements, 1),
        (M::Refused, 1),
        (M::WithdrawnBeforeReceipt, 1),
        (M::ElectronicResult, 3),
        (M::PaidOnline, 2),
        (M::Returned, 4),
        (M::Rated, 1),
        (M::Dissatisfied, 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(within, expected);

    // ---- report row ----
    let (legal, index_split) = split(&dossiers, &unit);
    assert_eq!(
        legal,
        InProgressSplit {
            within_time: 1,
            overdue: 1
        }
    );
    assert_eq!(index_split, legal);
    let row = PeriodReport::from_counters(&before, &within, Some(legal));
    assert_eq!(
        (
            row.carried_over,
            row.new_online,
            row.new_counter,
            row.new_postal,
            row.moved_in,
            row.moved_out
        ),
        (1, 4, 4, 1, 10, 10)
    );
    assert_eq!(row.total, 10);
    assert_eq!(
        (
            row.resolved,
            row.resolved_early,
            row.resolved_on_time,
            row.resolved_late
        ),
        (6, 3, 2, 1)
    );
    assert_eq!(
        (row.withdrawn, row.stopped, row.refused, row.in_progress),
        (1, 1, 1, 2)
    );
    let r = row.rates;
    assert_eq!(r.on_time, Some(83.33)); // 5 / 6
    assert_eq!(r.early, Some(50.0));
    assert_eq!(r.late, Some(16.67));
    assert_eq!(r.handled_on_time, Some(70.0)); // (6 + 1) / 10
    assert_eq!(r.overdue, Some(20.0)); // (1 + 1) / 10
    assert_eq!(r.in_progress_within_time, Some(50.0));
    assert_eq!(r.online, Some(44.44)); // 4 / 9
    assert_eq!(r.electronic_result, Some(50.0)); // 3 / 6
    assert_eq!(r.paid_online, Some(50.0)); // 2 / 4

    // The same row as the sum of the three agencies' rows: the centre hands everything on,
    // department 1 keeps D7, department 2 keeps D8.
    let rows: Vec<PeriodReport> = unit
        .iter()
        .map(|&i| {
            let (b, w) = counters(&dossiers, &[i]);
            PeriodReport::from_counters(&b, &w, Some(split(&dossiers, &[i]).0))
        })
        .collect();
    let per_agency: Vec<(i64, i64, i64)> = rows
        .iter()
        .map(|r| (r.carried_over, r.total, r.in_progress))
        .collect();
    assert_eq!(per_agency, [(0, 0, 0), (1, 8, 1), (0, 2, 1)]);
    let summed: PeriodReport = rows.into_iter().sum();
    assert_eq!(summed.total, row.total);
    assert_eq!(summed.in_progress, row.in_progress);
    assert_eq!(summed.rates, row.rates);
    assert_eq!((summed.moved_in, summed.moved_out), (10, 10));

    // ---- index ----
    // Four procedures: the one with dossiers (online service, fees, fully publicised) and
    // three quiet ones.
    let busy = ProcedureFacts {
        online_service: true,
        has_fees: true,
        fully_publicised: true,
    };
    let online_only = ProcedureFacts {
        online_service: true,
        has_fees: false,
        fully_publicised: true,
    };
    let paper_fee = ProcedureFacts {
        online_service: false,
        has_fees: true,
        fully_publicised: false,
    };
    let quiet = Counters::new();
    let catalogue = CatalogueFacts::tally([
        (&busy, &within),
        (&online_only, &quiet),
        (&paper_fee, &quiet),
        (&online_only, &quiet),
    ]);
    let inputs = index_inputs(&before, &within, Some(index_split), &catalogue);
    let expected_inputs: IndexInputs = [
        (InputKey::DossiersToHandle, 10.0),
        (InputKey::DossiersHandledOnTime, 7.0),
        (InputKey::DossiersOverdue, 3.0),
        (InputKey::DossiersReceived, 9.0),
        (InputKey::DossiersReceivedOnline, 4.0),
        (InputKey::DossiersResolved, 6.0),
        (InputKey::DossiersWithElectronicResult, 3.0),
        (InputKey::DossiersWithFees, 4.0),
        (InputKey::DossiersPaidOnline, 2.0),
        (InputKey::ProceduresInCompetence, 4.0),
        (InputKey::ProceduresWithOnlineService, 3.0),
        (InputKey::ProceduresPublicised, 4.0),
        (InputKey::ProceduresFullyPublicised, 3.0),
        (InputKey::OnlineServices, 3.0),
        (InputKey::OnlineServicesWithDossiers, 1.0),
        (InputKey::ProceduresWithFees, 2.0),
        (InputKey::ProceduresWithFeeDossiers, 1.0),
        (InputKey::ProceduresWithOnlinePayment, 1.0),
        (InputKey::DossiersDigitised, 0.0),
        (InputKey::DossiersReusingData, 0.0),
        (InputKey::DossiersWithComplaint, 1.0),
    ]
    .into_iter()
    .fold(IndexInputs::new(), |i, (k, v)| i.with(k, v));
    assert_eq!(inputs, expected_inputs);

    let result = compute(&dvcqg_2025(), &inputs);
    let points = |code: &str| {
        let i = result.indicator(code).unwrap();
        (i.no_data, i.points)
    };
    assert_eq!(points("1.1"), (true, 0.0));
    assert_eq!(points("1.3"), (false, 1.5)); // 2 × 3/4
    assert_eq!(points("2.1"), (false, 14.0)); // 20 × 7/10
    assert_eq!(points("3.1"), (false, 1.88)); // 2 × 0.75 / 0.8 = 1.875
    assert_eq!(points("3.2"), (false, 1.33)); // 4 × 1/3
    assert_eq!(points("3.3"), (false, 5.33)); // 6 × (4/9) / 0.5, no sync factor
    assert_eq!(points("3.5"), (false, 1.25)); // 2 × 0.5 / 0.8
    assert_eq!(points("3.5b"), (false, 1.25));
    assert_eq!(points("3.6"), (false, 3.0)); // 6 × 2/4
    assert_eq!(points("4.1"), (false, 3.0)); // 6 × 3/6
    assert_eq!(points("4.2"), (false, 0.0)); // tracked: no dossier of the month was digitised
    assert_eq!(points("5.2"), (true, 0.0)); // no feedback in motcua yet
    // (10 − 3 overdue − 1 rated "not satisfied")/10 = 60% → 6 × 0.6 / 0.9
    assert_eq!(points("5.4"), (false, 4.0));
    let groups: Vec<(&str, f64)> = result
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.points))
        .collect();
    assert_eq!(
        groups,
        [
            ("1", 1.5),
            ("2", 14.0),
            ("3", 8.54),
            ("TT", 5.5),
            ("4", 3.0),
            ("5", 4.0)
        ]
    );
    assert_eq!(result.total, 36.54);
    assert_eq!(result.max_with_data, 62.0); // 4.2 (6 points) now has data

    // Ranked beside two other units: this one has enough dossiers? 9 received < 30: shown
    // with its denominator, not ranked.
    let ranked = rank(
        &[
            ("Tỉnh X", result.clone(), 9),
            ("Tỉnh Y", result.clone(), 120),
        ],
        RankOptions::default(),
    );
    assert_eq!(ranked[1].unit, "Tỉnh X");
    assert!(ranked[1].insufficient_data && ranked[1].rank.is_none() && ranked[1].received == 9);
}
