//! The dossier as its events make it: [`DossierState`] (the projection stored beside the
//! events) and its [`Status`]. [`DossierState::apply`] folds one event in without checking it;
//! checked folding ([`super::fold`], [`super::replay`]) lives with the rules in `decide.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agency::AgencyCode;
use crate::auth::Role;
use crate::catalogue::model::Channel;

use super::applicant::Applicant;
use super::code::DossierCode;
use super::command::{
    Actor, Collector, PaymentMethod, ProcedureRef, RatingLevel, ReceivedComponent, ResultForm,
    ReturnChannel, TransferOutcome,
};
use super::document::AttachedDocument;
use super::event::{Event, EventEnvelope};

/// Where a dossier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Before the first event.
    #[default]
    Empty,
    /// Lodged, waiting for the one-stop officer's check.
    Submitted,
    /// Asked to supplement or complete before it can be received.
    AwaitingIntakeSupplement,
    /// Refused at the check. Terminal.
    Refused,
    /// Received with an appointment, not yet forwarded.
    Received,
    /// At the competent agency, in its workflow.
    Processing,
    /// Waiting for the applicant's supplement; the clock is paused.
    AwaitingSupplement,
    /// Processing stopped. Terminal.
    Stopped,
    /// Decided: granted; the result document is being issued.
    Approved,
    /// Decided: not granted; the written answer is being issued.
    Rejected,
    /// Result document issued (đã xử lý xong), waiting to be returned.
    Done,
    /// Result returned. Terminal.
    Returned,
    /// Withdrawn by the applicant. Terminal.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 13] = [
        Status::Empty,
        Status::Submitted,
        Status::AwaitingIntakeSupplement,
        Status::Refused,
        Status::Received,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::Stopped,
        Status::Approved,
        Status::Rejected,
        Status::Done,
        Status::Returned,
        Status::Withdrawn,
    ];

    /// Stable snake_case key (same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Empty => "empty",
            Status::Submitted => "submitted",
            Status::AwaitingIntakeSupplement => "awaiting_intake_supplement",
            Status::Refused => "refused",
            Status::Received => "received",
            Status::Processing => "processing",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::Stopped => "stopped",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Done => "done",
            Status::Returned => "returned",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status as people read it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Empty => "Chưa khởi tạo",
            Status::Submitted => "Chờ tiếp nhận",
            Status::AwaitingIntakeSupplement => "Chờ bổ sung, hoàn thiện để tiếp nhận",
            Status::Refused => "Từ chối tiếp nhận",
            Status::Received => "Đã tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::AwaitingSupplement => "Tạm dừng, chờ bổ sung hồ sơ",
            Status::Stopped => "Dừng giải quyết",
            Status::Approved => "Đã phê duyệt",
            Status::Rejected => "Không đủ điều kiện giải quyết",
            Status::Done => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
            Status::Withdrawn => "Đã rút hồ sơ",
        }
    }

    /// Closed: no command is accepted any more, except the owner's one rating of a returned
    /// dossier (which leaves the status as it is).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Refused | Status::Stopped | Status::Returned | Status::Withdrawn
        )
    }

    /// Received and not yet finished or closed: the deadline runs (or is paused).
    pub fn is_in_progress(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::Processing
                | Status::AwaitingSupplement
                | Status::Approved
                | Status::Rejected
        )
    }
}

impl TryFrom<String> for Status {
    type Error = crate::UnknownKey;

    fn try_from(value: String) -> Result<Self, crate::UnknownKey> {
        Status::parse(&value).ok_or(crate::UnknownKey {
            what: "dossier status",
            value,
        })
    }
}

/// How a dossier came to an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// Lodged there.
    Lodged,
    /// Forwarded there by the receiving place.
    Forwarded,
    /// Transferred there (liên thông).
    Transferred,
}

/// One agency in the dossier's path (a row of the phiếu kiểm soát's hand-overs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyHop {
    pub agency: AgencyCode,
    pub since: DateTime<Utc>,
    pub via: HopKind,
    pub by: Actor,
}

/// A time the clock was paused for a supplement during processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub start: DateTime<Utc>,
    /// When the supplement arrived (or the dossier was stopped or withdrawn while waiting).
    pub end: Option<DateTime<Utc>>,
}

/// The supplement request the applicant has yet to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRequest {
    pub at: DateTime<Utc>,
    pub by: Actor,
    /// True before receipt (yêu cầu bổ sung, hoàn thiện at the check).
    pub at_intake: bool,
    pub reason: String,
    pub missing: Vec<String>,
}

/// The workflow step being worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveStep {
    pub index: u32,
    pub name: String,
    pub role: Role,
    pub assignee: Uuid,
    pub assigned_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepEnd {
    Completed,
    /// The dossier was transferred to another agency while the step was active.
    Transferred,
}

/// A finished workflow step (a row of the phiếu kiểm soát).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub agency: Option<AgencyCode>,
    pub index: u32,
    pub name: String,
    pub role: Role,
    pub assignee: Uuid,
    pub assigned_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub ended: StepEnd,
    pub note: Option<String>,
}

impl StepRecord {
    /// Whether the step ended after its due instant.
    pub fn is_late(&self) -> bool {
        self.ended_at > self.due
    }
}

/// The apology and extension, used at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyRecord {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub reason: String,
    pub previous_due: DateTime<Utc>,
    pub new_appointment: DateTime<Utc>,
}

/// Granted or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    Rejected,
}

/// The decision on the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub at: DateTime<Utc>,
    pub by: Actor,
    /// The reason of a rejection, or the approver's note.
    pub reason: Option<String>,
}

/// The issued result document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRecord {
    pub result_code: String,
    pub form: ResultForm,
    pub at: DateTime<Utc>,
}

/// One fee payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub amount_vnd: u64,
    pub method: PaymentMethod,
    pub receipt_no: Option<String>,
    pub at: DateTime<Utc>,
}

/// The applicant's rating of the handling (đánh giá mức độ hài lòng).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub level: RatingLevel,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    pub by: Actor,
}

/// How a dossier was closed without a result: refused, stopped or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub reason: Option<String>,
}

/// The dossier: every field the projection, the look-up page and the statistics read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DossierState {
    /// Seq of the last event applied (0: none).
    pub version: u32,
    pub last_event_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub code: Option<DossierCode>,
    pub procedure: Option<ProcedureRef>,
    pub channel: Option<Channel>,
    pub applicant: Option<Applicant>,
    /// Lodged by a representative under this authorisation (#20).
    #[serde(default)]
    pub authorisation: Option<super::command::Authorisation>,
    /// The citizen account that lodged it online; citizens act on their own dossiers only.
    pub owner: Option<Uuid>,
    /// The partner account (post office, community digital team) that lodged it for the
    /// citizen: it may follow the dossier, and does nothing else to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Uuid>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The agency that holds the dossier now.
    pub agency: Option<AgencyCode>,
    /// Every agency it went through, the lodging place first.
    pub hops: Vec<AgencyHop>,
    /// Supplement requests at the check, before receipt.
    pub intake_supplement_requests: u32,
    /// The request the applicant has yet to answer, if any.
    pub open_request: Option<SupplementRequest>,
    pub received_at: Option<DateTime<Utc>>,
    /// The current appointment: the receipt's, or the apology's new one. Never moved by pauses
    /// (they are added when classifying, see [`super::timeliness`]).
    pub appointment: Option<DateTime<Utc>>,
    /// The appointment given at receipt.
    pub original_appointment: Option<DateTime<Utc>>,
    /// When the current appointment was set (receipt or apology).
    pub appointment_set_at: Option<DateTime<Utc>>,
    /// Clock pauses for supplements during processing.
    pub pauses: Vec<Pause>,
    /// Supplement requests during processing (the national index counts more than one as
    /// late).
    pub supplement_requests: u32,
    pub apology: Option<ApologyRecord>,
    /// Index of the next step of the current agency's workflow.
    pub next_step: u32,
    pub active_step: Option<ActiveStep>,
    /// Finished steps, every agency, in order.
    pub steps: Vec<StepRecord>,
    pub decision: Option<Decision>,
    pub result: Option<ResultRecord>,
    pub fee_due_vnd: u64,
    pub fee_collected_vnd: u64,
    /// Fees given back (refunds). Absent from states stored before refunds were recorded.
    #[serde(default)]
    pub fee_refunded_vnd: u64,
    pub payments: Vec<Payment>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_via: Option<ReturnChannel>,
    /// Kết thúc xử lý: the first of result recorded, stopped, refused, withdrawn.
    pub finished_at: Option<DateTime<Utc>>,
    pub refusal: Option<Closure>,
    pub stop: Option<Closure>,
    pub withdrawal: Option<Closure>,
    /// Files attached to the components (số hóa), in order; the electronic result's file is
    /// in [`ResultRecord::form`]. Absent from states stored before documents existed.
    #[serde(default)]
    pub documents: Vec<AttachedDocument>,
    /// The components received: recorded at lodging, then those supplemented (named, without
    /// a count of pieces). Empty for dossiers lodged before components were recorded.
    #[serde(default)]
    pub components: Vec<ReceivedComponent>,
    /// Who collected the result at the counter, when recorded.
    #[serde(default)]
    pub returned_to: Option<Collector>,
    /// The applicant's rating, once the result is returned. Absent from states stored before
    /// ratings existed.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// Transferred to another deployment and not back yet (liên thông between systems).
    #[serde(default)]
    pub away: Option<Away>,
    /// Taken in from another deployment: where its result goes back.
    #[serde(default)]
    pub origin: Option<Origin>,
    /// The outcome the other deployment sent back, last one.
    #[serde(default)]
    pub transfer_outcome: Option<TransferOutcome>,
    /// The result sent by post: tracking number and fee (the last recorded).
    #[serde(default)]
    pub postage: Option<Postage>,
}

/// A result sent by public postal service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postage {
    /// Số hiệu bưu gửi.
    pub tracking_no: String,
    /// Cước dịch vụ bưu chính, VND.
    pub fee_vnd: u64,
    pub at: DateTime<Utc>,
    pub by: Actor,
}

/// A dossier at another deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Away {
    pub peer: String,
    /// The agency here that sent it (where it comes back).
    pub from: AgencyCode,
    /// The agency there.
    pub to: AgencyCode,
    pub since: DateTime<Utc>,
}

/// Where a dossier taken in from another deployment came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub peer: String,
    /// The agency there that sent it.
    pub from: AgencyCode,
    pub message_id: String,
}

impl DossierState {
    /// The state before any event.
    pub fn new() -> DossierState {
        DossierState::default()
    }

    /// Whether the one extension allowed has been used.
    pub fn apology_used(&self) -> bool {
        self.apology.is_some()
    }

    /// The assignee of the active step.
    pub fn assignee(&self) -> Option<Uuid> {
        self.active_step.as_ref().map(|s| s.assignee)
    }

    /// Digitised as the national index counts it (Decision 766 indicator 4.2): a file on a
    /// component and an electronic result (result code and file).
    pub fn is_digitised(&self) -> bool {
        !self.documents.is_empty() && self.result.as_ref().is_some_and(|r| r.form.is_electronic())
    }

    /// Whether a component was taken from data already held (indicator 4.3).
    pub fn reuses_data(&self) -> bool {
        self.documents.iter().any(|d| d.source.is_reused())
    }

    /// Fees still to collect.
    pub fn fee_outstanding_vnd(&self) -> u64 {
        self.fee_due_vnd.saturating_sub(self.fee_collected_vnd)
    }

    /// The open pause, if the clock is stopped now.
    pub fn open_pause(&self) -> Option<&Pause> {
        self.pauses.last().filter(|p| p.end.is_none())
    }

    /// The pauses that move the current appointment: those that began at or after it was set
    /// (a new appointment given with an apology already accounts for earlier pauses).
    pub fn pauses_since_appointment(&self) -> Vec<Pause> {
        match self.appointment_set_at {
            Some(set) => self
                .pauses
                .iter()
                .filter(|p| p.start >= set)
                .copied()
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether a closed pause moved the current appointment (then the effective appointment
    /// needs the calendar, [`super::timeliness::current_due`]).
    pub fn appointment_moved_by_pauses(&self) -> bool {
        self.pauses_since_appointment()
            .iter()
            .any(|p| p.end.is_some())
    }

    /// Supplemented components join the list once, without a count of pieces.
    fn add_supplemented(&mut self, documents: &[String]) {
        for d in documents {
            if !self.components.iter().any(|c| &c.component == d) {
                self.components.push(ReceivedComponent {
                    component: d.clone(),
                    originals: 0,
                    copies: 0,
                    electronic: false,
                });
            }
        }
    }

    fn close_pause(&mut self, at: DateTime<Utc>) {
        if let Some(p) = self.pauses.last_mut()
            && p.end.is_none()
        {
            p.end = Some(at.max(p.start));
        }
    }

    fn finish(&mut self, at: DateTime<Utc>) {
        if self.finished_at.is_none() {
            self.finished_at = Some(at);
        }
    }

    /// Folds one event in. Trusts it: this is the projection's update, for events that the
    /// rules produced ([`super::decide`]) or that [`super::replay`] checked. Never panics.
    pub fn apply(&mut self, envelope: &EventEnvelope) {
        let EventEnvelope {
            seq,
            at,
            actor,
            event,
        } = envelope;
        let (at, actor) = (*at, *actor);
        self.version = *seq;
        self.last_event_at = Some(at);
        match event {
            Event::Submitted {
                code,
                procedure,
                agency,
                channel,
                applicant,
                components,
                authorisation,
            } => {
                self.status = Status::Submitted;
                self.authorisation = authorisation.as_deref().cloned();
                self.components = components.clone();
                self.code = Some(code.clone());
                self.procedure = Some(procedure.clone());
                self.channel = Some(*channel);
                self.applicant = Some(applicant.clone());
                self.owner = (*channel == Channel::Online).then_some(actor.user);
                self.partner = (actor.role == Role::Partner).then_some(actor.user);
                self.submitted_at = Some(at);
                self.agency = Some(agency.clone());
                self.hops = vec![AgencyHop {
                    agency: agency.clone(),
                    since: at,
                    via: HopKind::Lodged,
                    by: actor,
                }];
            }
            Event::Received {
                appointment,
                fee_due_vnd,
            } => {
                self.status = Status::Received;
                self.received_at = Some(at);
                self.appointment = Some(*appointment);
                self.original_appointment = Some(*appointment);
                self.appointment_set_at = Some(at);
                self.fee_due_vnd = *fee_due_vnd;
            }
            Event::IntakeSupplementRequested { reason, missing } => {
                self.status = Status::AwaitingIntakeSupplement;
                self.intake_supplement_requests = self.intake_supplement_requests.saturating_add(1);
                self.open_request = Some(SupplementRequest {
                    at,
                    by: actor,
                    at_intake: true,
                    reason: reason.clone(),
                    missing: missing.clone(),
                });
            }
            Event::Supplemented { documents, .. } => {
                self.status = Status::Submitted;
                self.open_request = None;
                self.add_supplemented(documents);
            }
            Event::Refused { reason } => {
                self.status = Status::Refused;
                self.open_request = None;
                self.refusal = Some(Closure {
                    at,
                    by: actor,
                    reason: Some(reason.clone()),
                });
                self.finish(at);
            }
            Event::Forwarded { to, .. } => {
                self.status = Status::Processing;
                self.move_to(to, at, HopKind::Forwarded, actor);
            }
            Event::StepAssigned {
                index,
                name,
                role,
                assignee,
                due,
            } => {
                self.active_step = Some(ActiveStep {
                    index: *index,
                    name: name.clone(),
                    role: *role,
                    assignee: *assignee,
                    assigned_at: at,
                    due: *due,
                });
            }
            Event::StepCompleted { index, note } => {
                if let Some(step) = self.active_step.take() {
                    self.steps
                        .push(self.record(step, at, StepEnd::Completed, note.clone()));
                }
                self.next_step = index.saturating_add(1);
            }
            Event::Transferred {
                from,
                to,
                reason,
                peer,
            } => {
                if let Some(step) = self.active_step.take() {
                    self.steps.push(self.record(
                        step,
                        at,
                        StepEnd::Transferred,
                        Some(reason.clone()),
                    ));
                }
                self.status = Status::Processing;
                self.move_to(to, at, HopKind::Transferred, actor);
                self.away = peer.as_ref().map(|peer| Away {
                    peer: peer.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    since: at,
                });
            }
            Event::TransferReceived {
                code,
                procedure,
                agency,
                from,
                channel,
                applicant,
                components,
                appointment,
                peer,
                message_id,
                ..
            } => {
                self.status = Status::Processing;
                self.components = components.clone();
                self.code = Some(code.clone());
                self.procedure = Some(procedure.clone());
                self.channel = Some(*channel);
                self.applicant = Some(applicant.clone());
                self.owner = None;
                self.submitted_at = Some(at);
                self.received_at = Some(at);
                self.appointment = Some(*appointment);
                self.original_appointment = Some(*appointment);
                self.appointment_set_at = Some(at);
                self.agency = Some(agency.clone());
                self.hops = vec![AgencyHop {
                    agency: agency.clone(),
                    since: at,
                    via: HopKind::Transferred,
                    by: actor,
                }];
                self.origin = Some(Origin {
                    peer: peer.clone(),
                    from: from.clone(),
                    message_id: message_id.clone(),
                });
            }
            Event::TransferReturned { to, outcome, .. } => {
                self.status = Status::Processing;
                self.move_to(to, at, HopKind::Transferred, actor);
                self.away = None;
                self.transfer_outcome = Some(outcome.clone());
            }
            Event::SupplementRequested { reason, missing } => {
                self.status = Status::AwaitingSupplement;
                self.supplement_requests = self.supplement_requests.saturating_add(1);
                self.pauses.push(Pause {
                    start: at,
                    end: None,
                });
                self.open_request = Some(SupplementRequest {
                    at,
                    by: actor,
                    at_intake: false,
                    reason: reason.clone(),
                    missing: missing.clone(),
                });
            }
            Event::SupplementProvided { documents, .. } => {
                self.status = Status::Processing;
                self.close_pause(at);
                self.open_request = None;
                self.add_supplemented(documents);
            }
            Event::Stopped { reason } => {
                self.status = Status::Stopped;
                self.close_pause(at);
                self.open_request = None;
                self.stop = Some(Closure {
                    at,
                    by: actor,
                    reason: Some(reason.clone()),
                });
                self.finish(at);
            }
            Event::Apologized {
                reason,
                previous_due,
                new_appointment,
            } => {
                self.appointment = Some(*new_appointment);
                self.appointment_set_at = Some(at);
                self.apology = Some(ApologyRecord {
                    at,
                    by: actor,
                    reason: reason.clone(),
                    previous_due: *previous_due,
                    new_appointment: *new_appointment,
                });
            }
            Event::Approved { note } => {
                self.status = Status::Approved;
                self.decision = Some(Decision {
                    verdict: Verdict::Approved,
                    at,
                    by: actor,
                    reason: note.clone(),
                });
            }
            Event::Rejected { reason } => {
                self.status = Status::Rejected;
                self.decision = Some(Decision {
                    verdict: Verdict::Rejected,
                    at,
                    by: actor,
                    reason: Some(reason.clone()),
                });
            }
            Event::ResultRecorded { result_code, form } => {
                self.status = Status::Done;
                self.result = Some(ResultRecord {
                    result_code: result_code.clone(),
                    form: form.clone(),
                    at,
                });
                self.finish(at);
            }
            Event::FeeCollected {
                amount_vnd,
                method,
                receipt_no,
            } => {
                self.fee_collected_vnd = self.fee_collected_vnd.saturating_add(*amount_vnd);
                self.payments.push(Payment {
                    amount_vnd: *amount_vnd,
                    method: *method,
                    receipt_no: receipt_no.clone(),
                    at,
                });
            }
            Event::FeeAdjusted { fee_due_vnd, .. } => self.fee_due_vnd = *fee_due_vnd,
            Event::FeeRefunded { amount_vnd, .. } => {
                self.fee_refunded_vnd = self.fee_refunded_vnd.saturating_add(*amount_vnd);
            }
            Event::ResultReturned { via, collector } => {
                self.status = Status::Returned;
                self.returned_at = Some(at);
                self.returned_via = Some(*via);
                self.returned_to = collector.clone();
            }
            Event::DocumentAttached {
                component,
                sha256,
                media_type,
                size,
                source,
            } => {
                self.documents.push(AttachedDocument {
                    component: component.clone(),
                    sha256: sha256.clone(),
                    media_type: *media_type,
                    size: *size,
                    source: source.clone(),
                    at,
                    by: actor,
                });
            }
            Event::Withdrawn { reason } => {
                self.status = Status::Withdrawn;
                self.close_pause(at);
                self.open_request = None;
                self.withdrawal = Some(Closure {
                    at,
                    by: actor,
                    reason: reason.clone(),
                });
                self.finish(at);
            }
            Event::PostageRecorded {
                tracking_no,
                fee_vnd,
            } => {
                self.postage = Some(Postage {
                    tracking_no: tracking_no.clone(),
                    fee_vnd: *fee_vnd,
                    at,
                    by: actor,
                });
            }
            Event::Rated { level, comment } => {
                self.rating = Some(Rating {
                    level: *level,
                    comment: comment.clone(),
                    at,
                    by: actor,
                });
            }
        }
    }

    fn move_to(&mut self, to: &AgencyCode, at: DateTime<Utc>, via: HopKind, by: Actor) {
        self.agency = Some(to.clone());
        self.hops.push(AgencyHop {
            agency: to.clone(),
            since: at,
            via,
            by,
        });
        self.next_step = 0;
        self.active_step = None;
    }

    fn record(
        &self,
        step: ActiveStep,
        at: DateTime<Utc>,
        ended: StepEnd,
        note: Option<String>,
    ) -> StepRecord {
        StepRecord {
            agency: self.agency.clone(),
            index: step.index,
            name: step.name,
            role: step.role,
            assignee: step.assignee,
            assigned_at: step.assigned_at,
            due: step.due,
            ended_at: at,
            ended,
            note,
        }
    }
}

/// Whose turn it is on a dossier: who must act next, as the pages say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "turn", rename_all = "snake_case")]
pub enum Turn {
    /// The one-stop desk: to check and receive (lodged), or to forward (received).
    Desk { received: bool },
    /// The applicant: a supplement is asked for.
    Applicant,
    /// The competent agency: no step is assigned yet.
    Assignment,
    /// A step is in someone's hands.
    Step { name: String, assignee: Uuid },
    /// The steps are done: the leader's decision is awaited.
    Decision,
    /// Decided: the result document is to be issued.
    Issue,
    /// The result is ready to hand over.
    Return,
    /// Nothing more to do.
    Closed,
}

impl Turn {
    /// Vietnamese, for the pages (the step's holder is named by the page).
    pub fn label_vi(&self) -> String {
        match self {
            Turn::Desk { received: false } => "Bộ phận Một cửa: kiểm tra, tiếp nhận".into(),
            Turn::Desk { received: true } => "Bộ phận Một cửa: chuyển cơ quan giải quyết".into(),
            Turn::Applicant => "Người nộp: bổ sung hồ sơ".into(),
            Turn::Assignment => "Cơ quan giải quyết: chờ phân công".into(),
            Turn::Step { name, .. } => format!("Đang xử lý bước «{name}»"),
            Turn::Decision => "Chờ lãnh đạo phê duyệt".into(),
            Turn::Issue => "Chờ ban hành kết quả".into(),
            Turn::Return => "Chờ trả kết quả".into(),
            Turn::Closed => "Đã kết thúc".into(),
        }
    }
}

impl DossierState {
    /// Whose turn it is now ([`Turn`]).
    pub fn turn(&self) -> Turn {
        match self.status {
            Status::Submitted => Turn::Desk { received: false },
            Status::Received => Turn::Desk { received: true },
            Status::AwaitingIntakeSupplement | Status::AwaitingSupplement => Turn::Applicant,
            Status::Processing => match &self.active_step {
                Some(s) => Turn::Step {
                    name: s.name.clone(),
                    assignee: s.assignee,
                },
                None if self
                    .steps
                    .iter()
                    .any(|s| s.agency.is_some() && s.agency == self.agency) =>
                {
                    Turn::Decision
                }
                None => Turn::Assignment,
            },
            Status::Approved | Status::Rejected => Turn::Issue,
            Status::Done => Turn::Return,
            Status::Empty
            | Status::Refused
            | Status::Stopped
            | Status::Returned
            | Status::Withdrawn => Turn::Closed,
        }
    }
}
