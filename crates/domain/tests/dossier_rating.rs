//! The applicant's rating by example (`motcua_domain::dossier`, rate → rated): only the
//! citizen who lodged online, only after the return, only once; it replays and it is counted
//! (`rated`, `dissatisfied`) for Decision 766 indicator 5.4. Module names start with
//! `dossier_` so `cargo test -p motcua-domain dossier` runs them.

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::catalogue::model::Channel;
use motcua_domain::dossier::*;
use motcua_domain::stats::{Metric, deltas};
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
fn other_citizen() -> Actor {
    actor(9, Role::Citizen)
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

fn rate(level: RatingLevel, comment: Option<&str>) -> DossierAction {
    DossierAction::Rate {
        level,
        comment: comment.map(str::to_string),
    }
}

struct Run {
    state: DossierState,
    log: Vec<EventEnvelope>,
}

impl Run {
    fn go(
        &mut self,
        who: Actor,
        at: DateTime<Utc>,
        action: DossierAction,
    ) -> Result<Vec<EventEnvelope>, DossierError> {
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
        self.log.extend(envelopes.clone());
        Ok(envelopes)
    }

    #[track_caller]
    fn ok(&mut self, who: Actor, at: DateTime<Utc>, action: DossierAction) -> Vec<EventEnvelope> {
        match self.go(who, at, action) {
            Ok(e) => e,
            Err(e) => panic!("refused: {} — {}", e.code(), e.message_vi()),
        }
    }

    #[track_caller]
    fn code(&mut self, who: Actor, at: DateTime<Utc>, action: DossierAction) -> &'static str {
        match self.go(who, at, action) {
            Ok(_) => panic!("accepted"),
            Err(e) => {
                assert!(!e.message_vi().is_empty());
                e.code()
            }
        }
    }

    /// Lodged through `channel` and taken to "done" (result recorded, not returned).
    fn done(channel: Channel) -> Run {
        let mut r = Run {
            state: DossierState::new(),
            log: Vec::new(),
        };
        if channel == Channel::Online {
            r.ok(
                citizen(),
                vn(1, 8, 0),
                DossierAction::Submit {
                    submission: submission(channel),
                },
            );
            r.ok(
                officer(),
                vn(1, 8, 5),
                DossierAction::Receive {
                    appointment: vn(4, 17, 0),
                    fee_due_vnd: 0,
                },
            );
        } else {
            r.ok(
                officer(),
                vn(1, 8, 5),
                DossierAction::ReceiveDirect {
                    submission: submission(channel),
                    appointment: vn(4, 17, 0),
                    fee_due_vnd: 0,
                },
            );
        }
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
                form: ResultForm::Paper,
            },
        );
        r
    }
}

#[test]
fn dossier_rating_only_after_the_return_by_the_owner_once() {
    let mut r = Run::done(Channel::Online);
    // Done but not returned: too early, with the status named.
    assert_eq!(
        r.code(citizen(), vn(2, 11, 0), rate(RatingLevel::Satisfied, None)),
        "rate_before_return"
    );
    let e = execute(
        &r.state,
        &Command {
            actor: citizen(),
            at: vn(2, 11, 0),
            action: rate(RatingLevel::Satisfied, None),
        },
    )
    .unwrap_err();
    assert!(
        e.message_vi().contains("Đã xử lý xong"),
        "{}",
        e.message_vi()
    );
    r.ok(
        officer(),
        vn(2, 12, 0),
        DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        },
    );
    // Returned: not an officer, not another citizen.
    assert_eq!(
        r.code(officer(), vn(2, 13, 0), rate(RatingLevel::Satisfied, None)),
        "role_not_allowed"
    );
    assert_eq!(
        r.code(
            other_citizen(),
            vn(2, 13, 0),
            rate(RatingLevel::Satisfied, None)
        ),
        "not_owner"
    );
    let too_long = "x".repeat(MAX_RATING_COMMENT_CHARS + 1);
    assert_eq!(
        r.code(
            citizen(),
            vn(2, 13, 0),
            rate(RatingLevel::Neutral, Some(&too_long))
        ),
        "rating_comment_too_long"
    );
    // The owner: once; the status stays returned; a blank comment is none.
    let envelopes = r.ok(
        citizen(),
        vn(2, 14, 0),
        rate(RatingLevel::Dissatisfied, Some("  Chờ lâu  ")),
    );
    assert_eq!(r.state.status, Status::Returned);
    let rating = r.state.rating.clone().unwrap();
    assert_eq!(rating.level, RatingLevel::Dissatisfied);
    assert_eq!(rating.comment.as_deref(), Some("Chờ lâu"));
    assert_eq!(envelopes[0].event.kind(), "rated");
    assert_eq!(envelopes[0].event.label_vi(), "Đánh giá mức độ hài lòng");
    assert_eq!(
        r.code(citizen(), vn(2, 15, 0), rate(RatingLevel::Satisfied, None)),
        "already_rated"
    );
    // It replays, and it is stored with stable names.
    assert_eq!(replay(&r.log).unwrap(), r.state);
    let stored = serde_json::to_value(&envelopes[0].event).unwrap();
    assert_eq!(stored["kind"], "rated");
    assert_eq!(stored["level"], "dissatisfied");
    let action: DossierAction =
        serde_json::from_value(serde_json::json!({"action": "rate", "level": "neutral"})).unwrap();
    assert_eq!(action, rate(RatingLevel::Neutral, None));
    assert_eq!(action.name(), "rate");
}

#[test]
fn dossier_rating_a_counter_dossier_has_no_owner_to_rate_it() {
    let mut r = Run::done(Channel::Counter);
    r.ok(
        officer(),
        vn(2, 12, 0),
        DossierAction::ReturnResult {
            via: ReturnChannel::Counter,
            collector: None,
        },
    );
    assert_eq!(
        r.code(citizen(), vn(2, 13, 0), rate(RatingLevel::Satisfied, None)),
        "not_owner"
    );
}

#[test]
fn dossier_rating_is_counted_and_a_dislike_separately() {
    for (level, dislikes) in [
        (RatingLevel::Satisfied, 0),
        (RatingLevel::Neutral, 0),
        (RatingLevel::Dissatisfied, 1),
    ] {
        let mut r = Run::done(Channel::Online);
        r.ok(
            officer(),
            vn(2, 12, 0),
            DossierAction::ReturnResult {
                via: ReturnChannel::Counter,
                collector: None,
            },
        );
        let before = r.state.clone();
        let envelopes = r.ok(citizen(), vn(3, 9, 0), rate(level, None));
        let d = deltas(&before, &envelopes, &r.state, |_| None);
        let count = |m: Metric| d.iter().filter(|c| c.metric == m).count();
        assert_eq!(count(Metric::Rated), 1, "{level:?}");
        assert_eq!(count(Metric::Dissatisfied), dislikes, "{level:?}");
        assert_eq!(d.len(), 1 + dislikes);
        // At the agency that holds it, on the day of the rating.
        assert!(d.iter().all(|c| c.agency == agency("000.00.12.H56")));
        assert!(
            d.iter()
                .all(|c| c.day == chrono::NaiveDate::from_ymd_opt(2027, 3, 3).unwrap())
        );
        assert_eq!(Metric::parse("dissatisfied"), Some(Metric::Dissatisfied));
    }
}
