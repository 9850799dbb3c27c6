//! Citizen feedback (PAKN): each state and deadline of the national portal's rules on the
//! legal calendar, dates computed by hand.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use motcua_domain::auth::Role;
use motcua_domain::calendar::Calendar;
use motcua_domain::feedback::{
    Category, Contact, FeedbackAction as A, FeedbackActor, FeedbackCommand, FeedbackEnvelope,
    FeedbackError, FeedbackEvent, FeedbackState, FeedbackStatus as S, Photo, Place, Report,
    Subject, Timeliness, execute, fold,
};
use uuid::Uuid;

/// 09:00 in Vietnam on the given day.
fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct World {
    cal: Calendar,
    unit: Uuid,
    other_unit: Uuid,
    author: Uuid,
    officer: FeedbackActor,
    specialist: FeedbackActor,
    leader: FeedbackActor,
}

fn world() -> World {
    World {
        cal: Calendar::statutory(),
        unit: Uuid::from_u128(1),
        other_unit: Uuid::from_u128(2),
        author: Uuid::from_u128(10),
        officer: FeedbackActor::Staff {
            user: Uuid::from_u128(20),
            role: Role::ReceivingOfficer,
        },
        specialist: FeedbackActor::Staff {
            user: Uuid::from_u128(21),
            role: Role::Specialist,
        },
        leader: FeedbackActor::Staff {
            user: Uuid::from_u128(22),
            role: Role::Leader,
        },
    }
}

fn photo(n: u8) -> Photo {
    Photo {
        sha256: format!("{n:02x}").repeat(32),
        media_type: "image/jpeg".into(),
    }
}

fn report() -> Report {
    Report {
        subject: Subject::Procedure {
            code: "1.001193".into(),
        },
        title: "Hẹn trả kết quả quá lâu".into(),
        content: "Thủ tục cấp phiếu lý lịch tư pháp yêu cầu nộp bản sao không cần thiết.".into(),
        photos: vec![photo(1)],
        place: Some(Place {
            lat: Some(19.8067),
            lon: Some(105.7852),
            commune: None,
        }),
        contact: Contact {
            name: Some("Phạm Thị Thu Hà".into()),
            phone: Some("0912345678".into()),
            email: None,
        },
    }
}

/// Runs `action` at `when`; panics if refused.
fn run(
    w: &World,
    s: &FeedbackState,
    actor: FeedbackActor,
    when: DateTime<Utc>,
    action: A,
) -> (Vec<FeedbackEnvelope>, FeedbackState) {
    let cmd = FeedbackCommand {
        at: when,
        actor,
        action,
    };
    execute(s, &cmd, &w.cal).unwrap_or_else(|e| panic!("{}: {e}", cmd.action.name()))
}

fn refused(
    w: &World,
    s: &FeedbackState,
    actor: FeedbackActor,
    when: DateTime<Utc>,
    action: A,
) -> FeedbackError {
    let cmd = FeedbackCommand {
        at: when,
        actor,
        action,
    };
    execute(s, &cmd, &w.cal).expect_err("refused")
}

fn person(account: Option<Uuid>) -> FeedbackActor {
    FeedbackActor::Person { account }
}

/// Submitted on Monday 2 March 2026 by the signed-in author.
fn submitted(w: &World) -> FeedbackState {
    let (_, s) = run(
        w,
        &FeedbackState::default(),
        person(Some(w.author)),
        at(2026, 3, 2),
        A::Submit {
            report: report(),
            agency: w.unit,
        },
    );
    s
}

#[test]
fn deadlines_count_working_days_from_the_submission() {
    let w = world();
    let s = submitted(&w);
    assert_eq!(s.status, S::Submitted);
    assert_eq!(s.category, Some(Category::Regulation));
    let d = s.deadlines(&w.cal).unwrap().unwrap();
    assert_eq!(d.start, day(2026, 3, 2));
    // Tue 3, Wed 4.
    assert_eq!(d.refuse_by, day(2026, 3, 4));
    // 3, 4, 5, 6, Mon 9.
    assert_eq!(d.first_supplement_by, day(2026, 3, 9));
    // Three weeks of five working days, no holiday in March.
    assert_eq!(d.handle_by, day(2026, 3, 23));
    assert_eq!(d.publish_by, None);
    assert_eq!(
        s.timeliness(&w.cal, day(2026, 3, 23)).unwrap(),
        Timeliness::InTime
    );
    assert_eq!(
        s.timeliness(&w.cal, day(2026, 3, 24)).unwrap(),
        Timeliness::Overdue
    );
}

#[test]
fn the_handling_deadline_skips_the_holidays_of_april_and_may() {
    let w = world();
    // Friday 24 April 2026. Giỗ Tổ Hùng Vương (10/3 lunar) is Sunday 26 April: its day off
    // moves to Monday 27; 30 April and 1 May are holidays. Working days: Apr 28, 29; May 4–8,
    // 11–15, 18, 19, 20.
    let (_, s) = run(
        &w,
        &FeedbackState::default(),
        person(None),
        at(2026, 4, 24),
        A::Submit {
            report: report(),
            agency: w.unit,
        },
    );
    let d = s.deadlines(&w.cal).unwrap().unwrap();
    assert_eq!(d.refuse_by, day(2026, 4, 29));
    assert_eq!(d.first_supplement_by, day(2026, 5, 6));
    assert_eq!(d.handle_by, day(2026, 5, 20));
}

#[test]
fn a_report_goes_from_submission_to_a_published_answer_and_its_reactions() {
    let w = world();
    let s = submitted(&w);
    let (_, s) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 3),
        A::Receive {
            category: Category::Regulation,
        },
    );
    assert_eq!(s.status, S::InProgress);
    // First request for more on the 5th working day: on time.
    let (e, s) = run(
        &w,
        &s,
        w.specialist,
        at(2026, 3, 9),
        A::AskMore {
            what: "Xin cho biết số hồ sơ đã nộp.".into(),
        },
    );
    assert_eq!(
        e[0].event,
        FeedbackEvent::MoreAsked {
            what: "Xin cho biết số hồ sơ đã nộp.".into(),
            late: false
        }
    );
    assert_eq!(s.status, S::AwaitingSupplement);
    // Only its author (or the counter) supplements.
    let stranger = person(Some(Uuid::from_u128(99)));
    let supplement = || A::Supplement {
        content: "Hồ sơ số 000.00.01.H38-260302-0001.".into(),
        photos: vec![photo(2)],
    };
    assert!(matches!(
        refused(&w, &s, stranger, at(2026, 3, 10), supplement()),
        FeedbackError::ActorNotAllowed { .. }
    ));
    let (_, s) = run(
        &w,
        &s,
        person(Some(w.author)),
        at(2026, 3, 10),
        supplement(),
    );
    assert_eq!((s.status, s.supplements), (S::InProgress, 1));
    // The clock did not stop.
    assert_eq!(
        s.deadlines(&w.cal).unwrap().unwrap().handle_by,
        day(2026, 3, 23)
    );
    let draft = |t: &str| A::DraftAnswer { answer: t.into() };
    assert!(matches!(
        refused(&w, &s, w.officer, at(2026, 3, 11), draft("x")),
        FeedbackError::ActorNotAllowed { .. }
    ));
    let (_, s) = run(&w, &s, w.specialist, at(2026, 3, 11), draft("Dự thảo 1"));
    assert_eq!(s.status, S::AnswerDrafted);
    assert!(matches!(
        refused(&w, &s, w.specialist, at(2026, 3, 12), A::Approve),
        FeedbackError::ActorNotAllowed { .. }
    ));
    let (_, s) = run(
        &w,
        &s,
        w.leader,
        at(2026, 3, 12),
        A::ReturnDraft {
            reason: "Nêu rõ căn cứ pháp lý.".into(),
        },
    );
    assert_eq!(s.status, S::InProgress);
    let (_, s) = run(
        &w,
        &s,
        w.specialist,
        at(2026, 3, 13),
        draft("Theo Nghị định 118/2025/NĐ-CP, …"),
    );
    // Approved on the deadline: handled on time; published within 2 working days of it.
    let (e, s) = run(&w, &s, w.leader, at(2026, 3, 23), A::Approve);
    assert_eq!(e[0].event, FeedbackEvent::Approved { late: false });
    assert_eq!(s.status, S::AwaitingPublication);
    assert!(s.status.is_handled());
    assert_eq!(
        s.deadlines(&w.cal).unwrap().unwrap().publish_by,
        Some(day(2026, 3, 25))
    );
    assert_eq!(
        s.timeliness(&w.cal, day(2026, 4, 30)).unwrap(),
        Timeliness::HandledOnTime
    );
    let (e, s) = run(&w, &s, w.officer, at(2026, 3, 26), A::Publish);
    assert_eq!(e[0].event, FeedbackEvent::Published { late: true });
    assert_eq!(s.status, S::Published);
    assert_eq!(
        s.answer.as_deref(),
        Some("Theo Nghị định 118/2025/NĐ-CP, …")
    );

    // Reactions: one per account, the last one counts; staff and anonymous visitors do not react.
    let (b, c) = (Uuid::from_u128(31), Uuid::from_u128(32));
    let react = |like| A::React { like };
    let (_, s) = run(&w, &s, person(Some(b)), at(2026, 3, 27), react(false));
    let (_, s) = run(&w, &s, person(Some(c)), at(2026, 3, 27), react(false));
    let (_, s) = run(&w, &s, person(Some(w.author)), at(2026, 3, 27), react(true));
    assert_eq!(s.reaction_counts(), (1, 2));
    assert!(s.disliked());
    let (e, s2) = run(&w, &s, person(Some(b)), at(2026, 3, 28), react(false));
    assert!(e.is_empty(), "the same reaction again changes nothing");
    assert_eq!(s2, s);
    let (_, s) = run(&w, &s, person(Some(b)), at(2026, 3, 28), react(true));
    assert_eq!(s.reaction_counts(), (2, 1));
    assert!(!s.disliked());
    for actor in [w.leader, person(None)] {
        assert!(matches!(
            refused(&w, &s, actor, at(2026, 3, 28), react(true)),
            FeedbackError::ActorNotAllowed { .. }
        ));
    }
    assert!(matches!(
        refused(&w, &s, w.specialist, at(2026, 3, 28), draft("sửa")),
        FeedbackError::NotAllowedInState { .. }
    ));
}

#[test]
fn a_refusal_on_the_second_working_day_is_on_time_and_on_the_third_late() {
    let w = world();
    let s = submitted(&w);
    let refuse = || A::Refuse {
        reason: "Nội dung là khiếu nại, không phải phản ánh, kiến nghị.".into(),
    };
    let (e, done) = run(&w, &s, w.officer, at(2026, 3, 4), refuse());
    assert!(matches!(
        e[0].event,
        FeedbackEvent::Refused { late: false, .. }
    ));
    assert_eq!(done.status, S::Refused);
    assert_eq!(
        done.timeliness(&w.cal, day(2026, 3, 4)).unwrap(),
        Timeliness::NotHandled
    );
    let (e, _) = run(&w, &s, w.officer, at(2026, 3, 5), refuse());
    assert!(matches!(
        e[0].event,
        FeedbackEvent::Refused { late: true, .. }
    ));
    // Nothing more happens to a refused report; a received one is no longer refused.
    assert!(matches!(
        refused(
            &w,
            &done,
            w.officer,
            at(2026, 3, 5),
            A::Receive {
                category: Category::Regulation
            }
        ),
        FeedbackError::NotAllowedInState { .. }
    ));
    let (_, received) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 3),
        A::Receive {
            category: Category::Regulation,
        },
    );
    assert!(matches!(
        refused(&w, &received, w.officer, at(2026, 3, 4), refuse()),
        FeedbackError::NotAllowedInState { .. }
    ));
    // A refusal needs a reason.
    assert!(matches!(
        refused(
            &w,
            &s,
            w.officer,
            at(2026, 3, 4),
            A::Refuse {
                reason: "  ".into()
            }
        ),
        FeedbackError::InvalidText {
            field: "reason",
            ..
        }
    ));
}

#[test]
fn a_transfer_restarts_the_clock_at_the_receiving_unit() {
    let w = world();
    let s = submitted(&w);
    let (_, s) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 3),
        A::Receive {
            category: Category::Regulation,
        },
    );
    assert!(matches!(
        refused(
            &w,
            &s,
            w.officer,
            at(2026, 3, 20),
            A::Transfer {
                to_agency: w.unit,
                reason: "x".into()
            }
        ),
        FeedbackError::SameAgency
    ));
    // Friday 20 March: at the other unit, waiting to be received, from that day.
    let (e, s) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 20),
        A::Transfer {
            to_agency: w.other_unit,
            reason: "Thuộc thẩm quyền của Sở Tư pháp.".into(),
        },
    );
    assert_eq!(
        e[0].event,
        FeedbackEvent::Transferred {
            from_agency: w.unit,
            to_agency: w.other_unit,
            reason: "Thuộc thẩm quyền của Sở Tư pháp.".into()
        }
    );
    assert_eq!(
        (s.status, s.agency, s.transfers),
        (S::Submitted, Some(w.other_unit), 1)
    );
    let d = s.deadlines(&w.cal).unwrap().unwrap();
    assert_eq!(d.start, day(2026, 3, 20));
    assert_eq!(d.refuse_by, day(2026, 3, 24));
    // Mar 23–27, Mar 30–Apr 3, Apr 6–10.
    assert_eq!(d.handle_by, day(2026, 4, 10));
    assert_eq!(
        s.timeliness(&w.cal, day(2026, 3, 30)).unwrap(),
        Timeliness::InTime,
        "past the first unit's deadline, within the new one"
    );
    // Its first request for more is counted from the transfer too: Mar 27 is the 5th day.
    let (_, r) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 23),
        A::Receive {
            category: Category::StaffBehaviour,
        },
    );
    let (e, _) = run(
        &w,
        &r,
        w.specialist,
        at(2026, 3, 27),
        A::AskMore {
            what: "Thời gian, địa điểm?".into(),
        },
    );
    assert!(matches!(
        e[0].event,
        FeedbackEvent::MoreAsked { late: false, .. }
    ));
    // The new unit may refuse it within 2 working days of the transfer.
    let (e, _) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 24),
        A::Refuse {
            reason: "Không thuộc phạm vi.".into(),
        },
    );
    assert!(matches!(
        e[0].event,
        FeedbackEvent::Refused { late: false, .. }
    ));
}

#[test]
fn handling_after_the_deadline_is_recorded_late() {
    let w = world();
    let s = submitted(&w);
    let (_, s) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 3),
        A::Receive {
            category: Category::Regulation,
        },
    );
    let (e, s) = run(
        &w,
        &s,
        w.specialist,
        at(2026, 3, 10),
        A::AskMore {
            what: "Bổ sung ảnh.".into(),
        },
    );
    assert!(matches!(
        e[0].event,
        FeedbackEvent::MoreAsked { late: true, .. }
    ));
    let (_, s) = run(
        &w,
        &s,
        w.officer,
        at(2026, 3, 11),
        A::Supplement {
            content: "Nộp tại quầy.".into(),
            photos: vec![],
        },
    );
    let (_, s) = run(
        &w,
        &s,
        w.leader,
        at(2026, 3, 20),
        A::DraftAnswer {
            answer: "Trả lời.".into(),
        },
    );
    let (e, s) = run(&w, &s, w.leader, at(2026, 3, 24), A::Approve);
    assert_eq!(e[0].event, FeedbackEvent::Approved { late: true });
    assert_eq!(
        s.timeliness(&w.cal, day(2026, 3, 24)).unwrap(),
        Timeliness::HandledLate
    );
    assert!(!s.timeliness(&w.cal, day(2026, 3, 24)).unwrap().is_on_time());
}

#[test]
fn the_author_withdraws_and_an_anonymous_report_is_supplemented_by_its_holder() {
    let w = world();
    let s = submitted(&w);
    let withdraw = || A::Withdraw {
        reason: "Đã được giải quyết.".into(),
    };
    for actor in [person(Some(Uuid::from_u128(99))), person(None), w.officer] {
        assert!(matches!(
            refused(&w, &s, actor, at(2026, 3, 3), withdraw()),
            FeedbackError::ActorNotAllowed { .. }
        ));
    }
    let (_, done) = run(&w, &s, person(Some(w.author)), at(2026, 3, 3), withdraw());
    assert_eq!(done.status, S::Withdrawn);
    assert!(done.closed_at.is_some());

    let (_, anon) = run(
        &w,
        &FeedbackState::default(),
        person(None),
        at(2026, 3, 2),
        A::Submit {
            report: report(),
            agency: w.unit,
        },
    );
    assert_eq!(anon.author, None);
    let (_, anon) = run(
        &w,
        &anon,
        w.officer,
        at(2026, 3, 2),
        A::AskMore {
            what: "Địa chỉ cụ thể?".into(),
        },
    );
    let (_, anon) = run(
        &w,
        &anon,
        person(None),
        at(2026, 3, 3),
        A::Supplement {
            content: "Số 5 Lê Lợi.".into(),
            photos: vec![],
        },
    );
    // Asked before it was received: back to waiting for receipt.
    assert_eq!(anon.status, S::Submitted);
    // Citizens do not receive or classify; staff submit only at the counter.
    assert!(matches!(
        refused(
            &w,
            &anon,
            person(Some(w.author)),
            at(2026, 3, 3),
            A::Receive {
                category: Category::Regulation
            }
        ),
        FeedbackError::ActorNotAllowed { .. }
    ));
    assert!(matches!(
        refused(
            &w,
            &FeedbackState::default(),
            w.specialist,
            at(2026, 3, 3),
            A::Submit {
                report: report(),
                agency: w.unit
            }
        ),
        FeedbackError::ActorNotAllowed { .. }
    ));
}

#[test]
fn a_report_is_checked_whole_before_anything_is_recorded() {
    let w = world();
    let submit = |r: Report| A::Submit {
        report: r,
        agency: w.unit,
    };
    let fresh = FeedbackState::default();
    let cases: Vec<(Report, &str)> = vec![
        (
            Report {
                photos: (1..=6).map(photo).collect(),
                ..report()
            },
            "feedback_too_many_photos",
        ),
        (
            Report {
                photos: vec![Photo {
                    sha256: "ab".repeat(32),
                    media_type: "application/pdf".into(),
                }],
                ..report()
            },
            "feedback_photo_invalid",
        ),
        (
            Report {
                place: Some(Place {
                    lat: Some(48.85),
                    lon: Some(2.35),
                    commune: None,
                }),
                ..report()
            },
            "feedback_place_invalid",
        ),
        (
            Report {
                place: Some(Place {
                    lat: Some(19.8),
                    lon: None,
                    commune: None,
                }),
                ..report()
            },
            "feedback_place_invalid",
        ),
        (
            Report {
                title: " ".into(),
                ..report()
            },
            "feedback_text_invalid",
        ),
        (
            Report {
                content: "x".repeat(5_001),
                ..report()
            },
            "feedback_text_invalid",
        ),
        (
            Report {
                content: "Nội dung\u{202E}đảo chiều".into(),
                ..report()
            },
            "feedback_text_invalid",
        ),
    ];
    for (r, code) in cases {
        let e = refused(&w, &fresh, person(None), at(2026, 3, 2), submit(r));
        assert_eq!(e.code(), code, "{e}");
        assert!(!e.message_vi().is_empty());
    }
    // A commune alone is a place; staff behaviour is classified as such from the start.
    let (_, s) = run(
        &w,
        &fresh,
        w.officer,
        at(2026, 3, 2),
        submit(Report {
            subject: Subject::StaffBehaviour,
            place: Some(Place {
                lat: None,
                lon: None,
                commune: Some("16279".into()),
            }),
            ..report()
        }),
    );
    assert_eq!(s.category, Some(Category::StaffBehaviour));
    assert_eq!(s.author, None, "submitted at the counter for someone");
}

#[test]
fn the_state_is_the_fold_of_its_stored_events_and_time_goes_forward() {
    let w = world();
    let mut s = FeedbackState::default();
    let mut log: Vec<FeedbackEnvelope> = Vec::new();
    let steps: Vec<(FeedbackActor, DateTime<Utc>, A)> = vec![
        (
            person(Some(w.author)),
            at(2026, 3, 2),
            A::Submit {
                report: report(),
                agency: w.unit,
            },
        ),
        (
            w.officer,
            at(2026, 3, 3),
            A::Receive {
                category: Category::Regulation,
            },
        ),
        (
            w.officer,
            at(2026, 3, 3),
            A::Classify {
                category: Category::StaffBehaviour,
            },
        ),
        (
            w.specialist,
            at(2026, 3, 4),
            A::DraftAnswer {
                answer: "Trả lời.".into(),
            },
        ),
        (w.leader, at(2026, 3, 5), A::Approve),
        (w.leader, at(2026, 3, 5), A::Publish),
    ];
    for (actor, when, action) in steps {
        let (events, next) = run(&w, &s, actor, when, action);
        log.extend(events);
        s = next;
    }
    assert_eq!(
        log.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    let stored: Vec<FeedbackEnvelope> =
        serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    assert_eq!(fold(&stored), s);
    assert_eq!(s.category, Some(Category::StaffBehaviour));
    assert_eq!(
        log.iter().map(|e| e.event.kind()).collect::<Vec<_>>(),
        vec![
            "submitted",
            "received",
            "classified",
            "answer_drafted",
            "approved",
            "published"
        ]
    );
    assert!(matches!(
        refused(
            &w,
            &s,
            person(Some(w.author)),
            at(2026, 3, 4),
            A::React { like: true }
        ),
        FeedbackError::TimeBeforeLastEvent { .. }
    ));
}

/// A report submitted on `submitted` and, if `approved`, handled then and published, with
/// `likes` and `dislikes`.
fn handled(
    w: &World,
    submitted: DateTime<Utc>,
    approved: Option<DateTime<Utc>>,
    category: Category,
    likes: u128,
    dislikes: u128,
) -> FeedbackState {
    let (_, s) = run(
        w,
        &FeedbackState::default(),
        person(None),
        submitted,
        A::Submit {
            report: report(),
            agency: w.unit,
        },
    );
    let (_, mut s) = run(w, &s, w.officer, submitted, A::Receive { category });
    if let Some(when) = approved {
        let draft = A::DraftAnswer {
            answer: "Trả lời.".into(),
        };
        let (_, a) = run(w, &s, w.specialist, when, draft);
        let (_, a) = run(w, &a, w.leader, when, A::Approve);
        let (_, a) = run(w, &a, w.leader, when, A::Publish);
        s = a;
        for (i, like) in (0..likes)
            .map(|_| true)
            .chain((0..dislikes).map(|_| false))
            .enumerate()
        {
            let who = person(Some(Uuid::from_u128(1_000 + i as u128)));
            s = run(w, &s, who, when, A::React { like }).1;
        }
    }
    s
}

#[test]
fn indicators_5_1_to_5_3_on_a_hand_counted_month() {
    use motcua_domain::feedback::indicators::{Counted, count};
    let w = world();
    let reg = Category::Regulation;
    let refused_one = {
        let (_, s) = run(
            &w,
            &FeedbackState::default(),
            person(None),
            at(2026, 3, 3),
            A::Submit {
                report: report(),
                agency: w.unit,
            },
        );
        run(
            &w,
            &s,
            w.officer,
            at(2026, 3, 4),
            A::Refuse {
                reason: "Không phải PAKN.".into(),
            },
        )
        .1
    };
    let reports = [
        // 1: handled on time (deadline 23 March), liked: satisfactory.
        (
            handled(&w, at(2026, 3, 2), Some(at(2026, 3, 20)), reg, 1, 0),
            false,
        ),
        // 2: handled a day late; about staff behaviour.
        (
            handled(
                &w,
                at(2026, 3, 2),
                Some(at(2026, 3, 24)),
                Category::StaffBehaviour,
                0,
                0,
            ),
            false,
        ),
        // 3: still open on 31 March, past its deadline.
        (handled(&w, at(2026, 3, 2), None, reg, 0, 0), false),
        // 4: open, within its deadline (6 April): on time and satisfactory.
        (handled(&w, at(2026, 3, 16), None, reg, 0, 0), false),
        // 5: refused: not counted.
        (refused_one, false),
        // 6: on time, but more dislikes than likes.
        (
            handled(&w, at(2026, 3, 2), Some(at(2026, 3, 10)), reg, 1, 2),
            false,
        ),
        // 7: on time, but another report complains of its handling.
        (
            handled(&w, at(2026, 3, 2), Some(at(2026, 3, 10)), reg, 0, 0),
            true,
        ),
        // 8: from January, handled late in March: to handle, not received in the period.
        (
            handled(&w, at(2026, 1, 5), Some(at(2026, 3, 5)), reg, 0, 0),
            false,
        ),
        // 9: from January, handled in January: not in March at all.
        (
            handled(&w, at(2026, 1, 5), Some(at(2026, 1, 20)), reg, 0, 0),
            false,
        ),
    ];
    let c = count(
        reports.iter().map(|(state, complained_of)| Counted {
            state,
            complained_of: *complained_of,
        }),
        &w.cal,
        day(2026, 3, 1),
        day(2026, 3, 31),
    )
    .unwrap();
    assert_eq!(c.received, 6, "1, 2, 3, 4, 6, 7");
    assert_eq!(c.about_regulations, 5, "all but 2");
    assert_eq!(c.to_handle, 7, "1, 2, 3, 4, 6, 7, 8");
    assert_eq!(c.handled_on_time, 4, "1, 4, 6, 7");
    assert_eq!(c.satisfactory, 2, "1, 4");
}
