//! Test helpers shared by the statistics and index tests: a dossier driven command by
//! command through the real rules, collecting its counter deltas.

use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::agency::AgencyCode;
use crate::auth::Role;
use crate::calendar::{Calendar, OfficeHours, WorkClock};
use crate::catalogue::model::Channel;
use crate::dossier::timeliness::{FinishClassification, classify_finish};
use crate::dossier::{
    Actor, Applicant, CitizenId, Command, DossierAction, DossierCode, DossierError, DossierState,
    EventEnvelope, ProcedureRef, Submission, execute,
};

use super::{CounterDelta, deltas};

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::statutory);
static HOURS: LazyLock<OfficeHours> = LazyLock::new(OfficeHours::default);

pub(crate) fn clock() -> WorkClock<'static> {
    CALENDAR.clock(&HOURS)
}

/// The classification the service layer passes to [`deltas`].
pub(crate) fn classify(state: &DossierState) -> Option<FinishClassification> {
    classify_finish(&clock(), state).ok().flatten()
}

/// Vietnam local time (UTC+7) as an instant.
pub(crate) fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    crate::vn_time::to_utc(
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .naive_utc(),
    )
}

pub(crate) const AGENCIES: [&str; 3] = ["000.00.06.H56", "000.00.12.H56", "000.00.20.H56"];

pub(crate) fn agency(i: usize) -> AgencyCode {
    AgencyCode::parse(AGENCIES[i % AGENCIES.len()]).unwrap()
}

fn actor(n: u8, role: Role) -> Actor {
    Actor {
        user: Uuid::from_bytes([n; 16]),
        role,
    }
}

pub(crate) fn citizen() -> Actor {
    actor(1, Role::Citizen)
}
pub(crate) fn officer() -> Actor {
    actor(2, Role::ReceivingOfficer)
}
pub(crate) fn specialist() -> Actor {
    actor(3, Role::Specialist)
}
pub(crate) fn leader() -> Actor {
    actor(4, Role::Leader)
}

/// The natural actor of an action (online lodging by the citizen, the rest by staff).
pub(crate) fn actor_for(action: &DossierAction) -> Actor {
    use DossierAction as A;
    match action {
        A::Submit { submission } if submission.channel == Channel::Online => citizen(),
        A::AttachDocument {
            source: crate::dossier::DocumentSource::Uploaded,
            ..
        } => citizen(),
        A::Transfer { .. } | A::Stop { .. } | A::RequestSupplement { .. } => specialist(),
        A::Approve { .. } | A::Reject { .. } => leader(),
        A::Rate { .. } => citizen(),
        A::Apologize { .. } | A::RecordResult { .. } => specialist(),
        _ => officer(),
    }
}

/// A submission to agency `lodged_at`, coded for `at` with daily number `seq`.
pub(crate) fn submission(
    channel: Channel,
    lodged_at: usize,
    at: DateTime<Utc>,
    seq: u32,
) -> Submission {
    let agency = agency(lodged_at);
    Submission {
        authorisation: None,
        code: DossierCode::for_receipt(&agency, at, seq).unwrap(),
        procedure: ProcedureRef {
            code: "2.000635".into(),
            version: 1,
        },
        agency,
        channel,
        applicant: Applicant {
            name: "Lê Thị Hoa".into(),
            id_number: CitizenId::parse("038185000123").unwrap(),
            phone: Some("0987654321".into()),
            email: None,
            address: None,
        },
        components: Vec::new(),
    }
}

/// A dossier driven through [`execute`], with the deltas of every accepted command.
#[derive(Debug, Default)]
pub(crate) struct Driven {
    pub state: DossierState,
    pub log: Vec<EventEnvelope>,
    pub deltas: Vec<CounterDelta>,
}

impl Driven {
    pub fn new() -> Driven {
        Driven::default()
    }

    /// Runs one command; on success appends its events and deltas and returns the deltas.
    pub fn try_run(
        &mut self,
        at: DateTime<Utc>,
        action: DossierAction,
    ) -> Result<Vec<CounterDelta>, DossierError> {
        let command = Command {
            actor: actor_for(&action),
            at,
            action,
        };
        let envelopes = execute(&self.state, &command)?;
        let mut after = self.state.clone();
        for e in &envelopes {
            after.apply(e);
        }
        let d = deltas(&self.state, &envelopes, &after, classify);
        self.state = after;
        self.log.extend(envelopes);
        self.deltas.extend(d.iter().cloned());
        Ok(d)
    }

    /// Runs one command that must be accepted.
    pub fn run(&mut self, at: DateTime<Utc>, action: DossierAction) -> Vec<CounterDelta> {
        match self.try_run(at, action.clone()) {
            Ok(d) => d,
            Err(e) => panic!("{action:?} refused in {:?}: {e}", self.state.status),
        }
    }
}
