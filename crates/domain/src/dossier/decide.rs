//! The rules: [`decide`] says whether a command may happen to a dossier and which events it
//! produces; [`execute`] numbers those events into envelopes; [`replay`] (and its alias
//! [`fold`]) rebuilds a dossier from stored envelopes, re-deciding every event's originating
//! command, so an imported or tampered history that the rules would not have produced is
//! refused. Every "may this happen" of a dossier is answered here and nowhere else.
//!
//! Checks run in this order, and the first failure is the answer: the dossier exists (or not,
//! for a creation); the command is not earlier than the last event; the status allows the
//! action; the actor's role may perform it (and a citizen acts on their own dossier only); then
//! the action's own data.

use chrono::{DateTime, Utc};

use crate::auth::Role;
use crate::catalogue::model::Channel;

use super::applicant::CitizenId;
use super::command::{
    Actor, Authorisation, Collector, Command, DossierAction, MAX_COMPONENT_PIECES, MAX_COMPONENTS,
    MAX_RATING_COMMENT_CHARS, MAX_TRACKING_CHARS, ProcedureRef, ReceivedComponent, ResultForm,
    ReturnChannel, Submission, TransferOutcome,
};
use super::document::{DocumentSource, MAX_COMPONENT_CHARS, is_sha256_hex};
use super::error::DossierError;
use super::event::{Event, EventEnvelope};
use super::state::{DossierState, Status};
use super::vietnam_date;

use Status as S;

const STAFF: &[Role] = &[Role::ReceivingOfficer, Role::Specialist, Role::Leader];
const OFFICER: &[Role] = &[Role::ReceivingOfficer];
const CITIZEN_OR_OFFICER: &[Role] = &[Role::Citizen, Role::ReceivingOfficer];
const HANDLERS: &[Role] = &[Role::Specialist, Role::Leader];
const LEADER: &[Role] = &[Role::Leader];
const FEE_STAFF: &[Role] = &[Role::ReceivingOfficer, Role::Leader];
const OFFICER_OR_PARTNER: &[Role] = &[Role::ReceivingOfficer, Role::Partner];

/// Longest reason of a fee adjustment or refund, in characters.
pub const MAX_FEE_REASON_CHARS: usize = 500;

/// The furthest an apology may move the appointment, in calendar days after the current one.
pub const MAX_EXTENSION_DAYS: i64 = 366;

/// Statuses in which an action is allowed (the transitions table of the module docs).
pub fn allowed_statuses(action: &DossierAction) -> &'static [Status] {
    use DossierAction as A;
    match action {
        A::Submit { .. } | A::ReceiveDirect { .. } | A::ReceiveTransfer { .. } => &[S::Empty],
        A::ReturnTransfer { .. } => &[S::Processing],
        A::Receive { .. } | A::RequestIntakeSupplement { .. } | A::Refuse { .. } => &[S::Submitted],
        A::ProvideSupplement { .. } => &[S::AwaitingIntakeSupplement, S::AwaitingSupplement],
        A::Forward { .. } => &[S::Received],
        // Once the result is issued nothing is left to assign; a step still open may finish.
        A::AssignStep { .. } => &[S::Processing, S::Approved, S::Rejected],
        A::CompleteStep { .. } => &[S::Processing, S::Approved, S::Rejected, S::Done],
        A::Transfer { .. } | A::RequestSupplement { .. } => &[S::Processing],
        A::Stop { .. } => &[S::Received, S::Processing, S::AwaitingSupplement],
        A::Apologize { .. } => &[S::Received, S::Processing, S::Approved, S::Rejected],
        A::Approve { .. } | A::Reject { .. } => &[S::Processing],
        A::RecordResult { .. } => &[S::Approved, S::Rejected],
        A::CollectFee { .. } => &[
            S::Received,
            S::Processing,
            S::AwaitingSupplement,
            S::Approved,
            S::Rejected,
            S::Done,
        ],
        A::AdjustFee { .. } => &[
            S::Received,
            S::Processing,
            S::AwaitingSupplement,
            S::Approved,
            S::Rejected,
            S::Done,
        ],
        // Money is given back whenever it was taken, the dossier finished or not.
        A::RefundFee { .. } => &[
            S::Received,
            S::Processing,
            S::AwaitingSupplement,
            S::Stopped,
            S::Approved,
            S::Rejected,
            S::Done,
            S::Returned,
            S::Withdrawn,
        ],
        A::ReturnResult { .. } => &[S::Done],
        A::Rate { .. } => &[S::Returned],
        A::RecordPostage { .. } => &[S::Done, S::Returned],
        A::Withdraw { .. } | A::AttachDocument { .. } => &[
            S::Submitted,
            S::AwaitingIntakeSupplement,
            S::Received,
            S::Processing,
            S::AwaitingSupplement,
            S::Approved,
            S::Rejected,
            S::Done,
        ],
    }
}

/// Roles that may perform an action.
pub fn allowed_roles(action: &DossierAction) -> &'static [Role] {
    use DossierAction as A;
    match action {
        A::Submit { submission } if submission.channel == Channel::Online => &[Role::Citizen],
        // A partner (post office) lodges a postal dossier for a citizen; the papers follow by
        // post and the officer checks them on arrival.
        A::Submit { submission } if submission.channel == Channel::Postal => OFFICER_OR_PARTNER,
        A::Submit { .. }
        | A::ReceiveDirect { .. }
        | A::Receive { .. }
        | A::RequestIntakeSupplement { .. }
        | A::Refuse { .. }
        | A::Forward { .. }
        | A::ReturnResult { .. } => OFFICER,
        // Recorded by this deployment for the other one (the nil user), from a verified
        // signed message, at the desk's role.
        A::ReceiveTransfer { .. } | A::ReturnTransfer { .. } => OFFICER,
        // Only staff record a payment (cash or transfer); see `decide`.
        A::CollectFee { .. } => OFFICER,
        A::AdjustFee { .. } | A::RefundFee { .. } => FEE_STAFF,
        A::ProvideSupplement { .. } | A::Withdraw { .. } | A::AttachDocument { .. } => {
            CITIZEN_OR_OFFICER
        }
        A::AssignStep { .. }
        | A::CompleteStep { .. }
        | A::RequestSupplement { .. }
        | A::Apologize { .. }
        | A::RecordResult { .. } => STAFF,
        A::Transfer { .. } | A::Stop { .. } => HANDLERS,
        A::Approve { .. } | A::Reject { .. } => LEADER,
        A::Rate { .. } => &[Role::Citizen],
        A::RecordPostage { .. } => OFFICER,
    }
}

/// Decides a command against a dossier: the events it produces, or why it is refused.
/// Pure: the state is not touched; apply the events (see [`execute`]) to move on.
pub fn decide(state: &DossierState, command: &Command) -> Result<Vec<Event>, DossierError> {
    use DossierAction as A;
    let Command { actor, at, action } = command;
    let (actor, at) = (*actor, *at);
    let label = action.label_vi();
    precheck(state, actor, at, action)?;

    let event = match action {
        A::Submit { submission } => {
            // A partner lodges only under the citizen's authorisation, recorded as the
            // partner's; no one else records a partner's.
            let by_partner = submission.authorisation.as_ref().is_some_and(|a| a.partner);
            if by_partner != (actor.role == Role::Partner) {
                return Err(DossierError::AuthorisationInvalid);
            }
            submitted(submission, at)?
        }
        A::ReceiveDirect {
            submission,
            appointment,
            fee_due_vnd,
        } => {
            if submission.channel == Channel::Online {
                return Err(DossierError::DirectReceiptOnline);
            }
            let lodged = submitted(submission, at)?;
            let mut next = state.clone();
            next.apply(&EventEnvelope {
                seq: state.version.saturating_add(1),
                at,
                actor,
                event: lodged.clone(),
            });
            let receive = Command {
                actor,
                at,
                action: A::Receive {
                    appointment: *appointment,
                    fee_due_vnd: *fee_due_vnd,
                },
            };
            let mut events = vec![lodged];
            events.extend(decide(&next, &receive)?);
            return Ok(events);
        }
        A::Receive {
            appointment,
            fee_due_vnd,
        } => {
            if *appointment <= at {
                return Err(DossierError::AppointmentNotAfterReceipt {
                    appointment: *appointment,
                });
            }
            Event::Received {
                appointment: *appointment,
                fee_due_vnd: *fee_due_vnd,
            }
        }
        A::RequestIntakeSupplement { reason, missing } => Event::IntakeSupplementRequested {
            reason: reason_text(reason, label)?,
            missing: missing_items(missing)?,
        },
        A::ProvideSupplement { documents, note } => {
            let documents = clean_list(documents);
            let note = clean_opt(note.as_deref());
            if state.status == S::AwaitingIntakeSupplement {
                Event::Supplemented { documents, note }
            } else {
                Event::SupplementProvided { documents, note }
            }
        }
        A::Refuse { reason } => Event::Refused {
            reason: reason_text(reason, label)?,
        },
        A::Forward { to } => Event::Forwarded {
            from: current_agency(state, label)?,
            to: to.clone(),
        },
        A::AssignStep {
            index,
            name,
            role,
            assignee,
            due,
        } => {
            match &state.active_step {
                Some(active) => {
                    if *index != active.index {
                        return Err(DossierError::StepOutOfOrder {
                            expected: active.index,
                            found: *index,
                        });
                    }
                    if actor.role != Role::Leader && actor.user != active.assignee {
                        return Err(DossierError::NotAssignee {
                            name: active.name.clone(),
                            action: "phân công lại",
                        });
                    }
                }
                None if *index != state.next_step => {
                    return Err(DossierError::StepOutOfOrder {
                        expected: state.next_step,
                        found: *index,
                    });
                }
                None => {}
            }
            let name = name.trim();
            if name.is_empty() {
                return Err(DossierError::StepNameRequired);
            }
            if !matches!(
                role,
                Role::ReceivingOfficer | Role::Specialist | Role::Leader
            ) {
                return Err(DossierError::StepRoleNotStaff { role: *role });
            }
            if *due <= at {
                return Err(DossierError::StepDueNotAfterAssignment { due: *due });
            }
            Event::StepAssigned {
                index: *index,
                name: name.to_owned(),
                role: *role,
                assignee: *assignee,
                due: *due,
            }
        }
        A::CompleteStep { index, note } => {
            let active = state
                .active_step
                .as_ref()
                .ok_or(DossierError::NoActiveStep)?;
            if *index != active.index {
                return Err(DossierError::NotActiveStep {
                    active: active.index,
                    found: *index,
                });
            }
            if actor.role != Role::Leader && actor.user != active.assignee {
                return Err(DossierError::NotAssignee {
                    name: active.name.clone(),
                    action: "hoàn thành",
                });
            }
            Event::StepCompleted {
                index: *index,
                note: clean_opt(note.as_deref()),
            }
        }
        A::Transfer { to, reason, peer } => {
            let from = current_agency(state, label)?;
            if from == *to {
                return Err(DossierError::SameAgency { agency: from });
            }
            let peer = match peer {
                Some(p) => Some(clean_opt(Some(p)).ok_or(DossierError::PeerRequired)?),
                None => None,
            };
            Event::Transferred {
                from,
                to: to.clone(),
                reason: reason_text(reason, label)?,
                peer,
            }
        }
        A::ReceiveTransfer {
            submission: s,
            from,
            appointment,
            peer,
            message_id,
            reason,
        } => {
            let procedure_code = s.procedure.code.trim();
            if procedure_code.is_empty() {
                return Err(DossierError::ProcedureCodeRequired);
            }
            let peer = clean_opt(Some(peer)).ok_or(DossierError::PeerRequired)?;
            let message_id = clean_opt(Some(message_id)).ok_or(DossierError::PeerRequired)?;
            let applicant = s.applicant.normalized();
            applicant.validate(vietnam_date(at))?;
            Event::TransferReceived {
                code: s.code.clone(),
                procedure: ProcedureRef {
                    code: procedure_code.to_owned(),
                    version: s.procedure.version,
                },
                agency: s.agency.clone(),
                from: from.clone(),
                channel: s.channel,
                applicant,
                components: received_components(&s.components)?,
                appointment: *appointment,
                peer,
                message_id,
                reason: reason_text(reason, label)?,
            }
        }
        A::ReturnTransfer {
            peer,
            message_id,
            outcome,
        } => {
            let away = state
                .away
                .as_ref()
                .filter(|a| a.peer == *peer)
                .ok_or(DossierError::NotAtPeer)?;
            if outcome.result_code.trim().is_empty() {
                return Err(DossierError::ResultCodeRequired);
            }
            Event::TransferReturned {
                peer: peer.clone(),
                message_id: message_id.clone(),
                from: away.to.clone(),
                to: away.from.clone(),
                outcome: TransferOutcome {
                    approved: outcome.approved,
                    note: clean_opt(outcome.note.as_deref()),
                    result_code: outcome.result_code.trim().to_owned(),
                    result_link: clean_opt(outcome.result_link.as_deref()),
                },
            }
        }
        A::RequestSupplement { reason, missing } => Event::SupplementRequested {
            reason: reason_text(reason, label)?,
            missing: missing_items(missing)?,
        },
        A::Stop { reason } => Event::Stopped {
            reason: reason_text(reason, label)?,
        },
        A::Apologize {
            reason,
            new_appointment,
            current_due,
        } => {
            if state.apology_used() {
                return Err(DossierError::ApologyAlreadyUsed);
            }
            let reason = reason_text(reason, label)?;
            let stored = state.appointment.ok_or(DossierError::NotAllowedInState {
                status: state.status,
                action: label,
            })?;
            let paused = !state.pauses_since_appointment().is_empty();
            if (!paused && *current_due != stored) || *current_due < stored {
                return Err(DossierError::CurrentDueMismatch {
                    given: *current_due,
                    stored,
                });
            }
            if at >= *current_due {
                return Err(DossierError::AppointmentPassed { due: *current_due });
            }
            if *new_appointment <= *current_due {
                return Err(DossierError::NewAppointmentNotLater {
                    current: *current_due,
                    proposed: *new_appointment,
                });
            }
            if *new_appointment > *current_due + chrono::TimeDelta::days(MAX_EXTENSION_DAYS) {
                return Err(DossierError::NewAppointmentTooFar {
                    current: *current_due,
                    proposed: *new_appointment,
                });
            }
            Event::Apologized {
                reason,
                previous_due: *current_due,
                new_appointment: *new_appointment,
            }
        }
        A::Approve { note } => Event::Approved {
            note: clean_opt(note.as_deref()),
        },
        A::Reject { reason } => Event::Rejected {
            reason: reason_text(reason, label)?,
        },
        A::RecordResult { result_code, form } => {
            let result_code = result_code.trim();
            if result_code.is_empty() {
                return Err(DossierError::ResultCodeRequired);
            }
            let form = match form {
                ResultForm::Paper => ResultForm::Paper,
                ResultForm::Electronic { file_ref } => {
                    let file_ref = file_ref.trim();
                    if file_ref.is_empty() {
                        return Err(DossierError::ResultFileRequired);
                    }
                    ResultForm::Electronic {
                        file_ref: file_ref.to_owned(),
                    }
                }
            };
            Event::ResultRecorded {
                result_code: result_code.to_owned(),
                form,
            }
        }
        A::CollectFee {
            amount_vnd,
            method,
            receipt_no,
        } => {
            if actor.role == Role::Citizen {
                return Err(DossierError::PaymentMethodNotAllowed);
            }
            let outstanding = state.fee_outstanding_vnd();
            if outstanding == 0 {
                return Err(DossierError::NoFeeDue);
            }
            if *amount_vnd == 0 || *amount_vnd > outstanding {
                return Err(DossierError::FeeAmountInvalid {
                    amount: *amount_vnd,
                    outstanding,
                });
            }
            Event::FeeCollected {
                amount_vnd: *amount_vnd,
                method: *method,
                receipt_no: clean_opt(receipt_no.as_deref()),
            }
        }
        A::AdjustFee {
            fee_due_vnd,
            reason,
        } => {
            if state.fee_collected_vnd > 0 {
                return Err(DossierError::FeeAlreadyCollected);
            }
            Event::FeeAdjusted {
                previous_vnd: state.fee_due_vnd,
                fee_due_vnd: *fee_due_vnd,
                reason: fee_reason(reason, label)?,
            }
        }
        A::RefundFee { amount_vnd, reason } => {
            let refundable = state
                .fee_collected_vnd
                .saturating_sub(state.fee_refunded_vnd);
            if *amount_vnd == 0 || *amount_vnd > refundable {
                return Err(DossierError::FeeRefundInvalid {
                    amount: *amount_vnd,
                    refundable,
                });
            }
            Event::FeeRefunded {
                amount_vnd: *amount_vnd,
                reason: fee_reason(reason, label)?,
            }
        }
        A::ReturnResult { via, collector } => {
            let electronic = state
                .result
                .as_ref()
                .is_some_and(|r| r.form.is_electronic());
            if *via == ReturnChannel::Online && !electronic {
                return Err(DossierError::ElectronicResultRequired);
            }
            let outstanding = state.fee_outstanding_vnd();
            if outstanding > 0 {
                return Err(DossierError::FeeNotCollected { outstanding });
            }
            let collector = collector
                .as_ref()
                .map(|c| {
                    let name = c.name.trim();
                    if name.is_empty() || name.chars().count() > crate::input::MAX_NAME_CHARS {
                        return Err(DossierError::CollectorNameRequired);
                    }
                    Ok(Collector {
                        name: name.to_owned(),
                        ..c.clone()
                    })
                })
                .transpose()?;
            Event::ResultReturned {
                via: *via,
                collector,
            }
        }
        A::Withdraw { reason } => Event::Withdrawn {
            reason: clean_opt(reason.as_deref()),
        },
        A::AttachDocument {
            component,
            sha256,
            media_type,
            size,
            source,
        } => attached(state, actor, component, sha256, *size, source, label).map(
            |(component, source)| Event::DocumentAttached {
                component,
                sha256: sha256.clone(),
                media_type: *media_type,
                size: *size,
                source,
            },
        )?,
        A::Rate { level, comment } => {
            if state.rating.is_some() {
                return Err(DossierError::AlreadyRated);
            }
            let comment = clean_opt(comment.as_deref());
            if comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > MAX_RATING_COMMENT_CHARS)
            {
                return Err(DossierError::RatingCommentTooLong {
                    max: MAX_RATING_COMMENT_CHARS,
                });
            }
            Event::Rated {
                level: *level,
                comment,
            }
        }
        A::RecordPostage {
            tracking_no,
            fee_vnd,
        } => {
            if state.returned_via.is_some_and(|v| v != ReturnChannel::Post) {
                return Err(DossierError::NotReturnedByPost);
            }
            let tracking_no = tracking_no.trim();
            if tracking_no.is_empty()
                || tracking_no.chars().count() > MAX_TRACKING_CHARS
                || !tracking_no
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(DossierError::InvalidTrackingNumber);
            }
            Event::PostageRecorded {
                tracking_no: tracking_no.to_ascii_uppercase(),
                fee_vnd: *fee_vnd,
            }
        }
    };
    Ok(vec![event])
}

/// The checks every command goes through before its own: existence, time order, status, role.
fn precheck(
    state: &DossierState,
    actor: Actor,
    at: DateTime<Utc>,
    action: &DossierAction,
) -> Result<(), DossierError> {
    let label = action.label_vi();
    // Every text of the command within its limit and free of control characters.
    if let Ok(fields) = serde_json::to_value(action) {
        crate::input::check_json("", &fields)?;
    }
    let creates = matches!(
        action,
        DossierAction::Submit { .. }
            | DossierAction::ReceiveDirect { .. }
            | DossierAction::ReceiveTransfer { .. }
    );
    // At another deployment, nothing happens here until its result comes back.
    if state.away.is_some() && !matches!(action, DossierAction::ReturnTransfer { .. }) {
        return Err(DossierError::AtPeer {
            peer: state
                .away
                .as_ref()
                .map(|a| a.peer.clone())
                .unwrap_or_default(),
        });
    }
    match (creates, state.status == S::Empty) {
        (true, false) => return Err(DossierError::AlreadyCreated { action: label }),
        (false, true) => return Err(DossierError::NotCreated { action: label }),
        _ => {}
    }
    if let Some(last) = state.last_event_at
        && at < last
    {
        return Err(DossierError::TimeBeforeLastEvent { at, last });
    }
    if !allowed_statuses(action).contains(&state.status) {
        if matches!(action, DossierAction::ReturnResult { .. }) && state.status.is_in_progress() {
            return Err(DossierError::ResultNotRecorded);
        }
        if matches!(action, DossierAction::Rate { .. }) {
            return Err(DossierError::RateBeforeReturn {
                status: state.status,
            });
        }
        return Err(DossierError::NotAllowedInState {
            status: state.status,
            action: label,
        });
    }
    if !allowed_roles(action).contains(&actor.role) {
        return Err(DossierError::RoleNotAllowed {
            role: actor.role,
            action: label,
        });
    }
    if actor.role == Role::Citizen && !creates && state.owner != Some(actor.user) {
        return Err(DossierError::NotOwner { action: label });
    }
    Ok(())
}

/// The checks of an attachment; returns the trimmed component and the source.
fn attached(
    state: &DossierState,
    actor: Actor,
    component: &str,
    sha256: &str,
    size: u64,
    source: &DocumentSource,
    label: &'static str,
) -> Result<(String, DocumentSource), DossierError> {
    // A citizen adds files while the dossier waits for them (before the check, or when asked
    // for a supplement), not while it is being examined.
    if actor.role == Role::Citizen
        && !matches!(
            state.status,
            S::Submitted | S::AwaitingIntakeSupplement | S::AwaitingSupplement
        )
    {
        return Err(DossierError::NotAllowedInState {
            status: state.status,
            action: label,
        });
    }
    let component = component.trim();
    if component.is_empty() || component.chars().count() > MAX_COMPONENT_CHARS {
        return Err(DossierError::DocumentComponentInvalid);
    }
    if !is_sha256_hex(sha256) {
        return Err(DossierError::DocumentHashInvalid);
    }
    if size == 0 {
        return Err(DossierError::DocumentEmpty);
    }
    match (source, actor.role) {
        (DocumentSource::Scanned, Role::ReceivingOfficer)
        | (DocumentSource::Uploaded, Role::Citizen)
        | (DocumentSource::Reused { .. }, _) => {}
        // Recorded by this deployment (the nil user, at the desk's role) for a dossier that
        // came from that peer.
        (DocumentSource::Transferred { peer }, Role::ReceivingOfficer)
            if state.origin.as_ref().is_some_and(|o| &o.peer == peer) => {}
        _ => return Err(DossierError::DocumentSourceNotAllowed { role: actor.role }),
    }
    if let DocumentSource::Reused { from_dossier } = source
        && state.code.as_ref() == Some(from_dossier)
    {
        return Err(DossierError::ReuseFromSameDossier);
    }
    if state
        .documents
        .iter()
        .any(|d| d.component == component && d.sha256 == sha256)
    {
        return Err(DossierError::DocumentAlreadyAttached {
            component: component.to_owned(),
        });
    }
    Ok((component.to_owned(), source.clone()))
}

/// An authorisation as recorded: scope and number trimmed and within their limits, the
/// representative someone other than the applicant (`applicant_id`).
pub fn checked_authorisation(
    a: &Authorisation,
    applicant_id: &CitizenId,
) -> Result<Authorisation, DossierError> {
    let scope = a.scope.trim();
    let number = a.document_number.trim();
    let name = a.representative_name.trim();
    let fits = |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max;
    if !fits(scope, super::command::MAX_AUTHORISATION_SCOPE_CHARS)
        || !fits(number, super::command::MAX_AUTHORISATION_NUMBER_CHARS)
        || !fits(name, super::command::MAX_AUTHORISATION_SCOPE_CHARS)
        || a.representative_id.as_ref() == Some(applicant_id)
        // A person is identified by their number; a partner organisation by its account.
        || a.partner == a.representative_id.is_some()
    {
        return Err(DossierError::AuthorisationInvalid);
    }
    for (field, text) in [
        ("authorisation.scope", scope),
        ("authorisation.document_number", number),
    ] {
        crate::input::check(field, text).map_err(DossierError::Text)?;
    }
    Ok(Authorisation {
        representative_name: name.to_owned(),
        representative_id: a.representative_id.clone(),
        partner: a.partner,
        scope: scope.to_owned(),
        document_number: number.to_owned(),
    })
}

fn submitted(s: &Submission, at: DateTime<Utc>) -> Result<Event, DossierError> {
    let procedure_code = s.procedure.code.trim();
    if procedure_code.is_empty() {
        return Err(DossierError::ProcedureCodeRequired);
    }
    if s.code.agency() != &s.agency {
        return Err(DossierError::CodeAgencyMismatch {
            code: s.code.clone(),
            agency: s.agency.clone(),
        });
    }
    let today = vietnam_date(at);
    if s.code.date() != today {
        return Err(DossierError::CodeDateMismatch {
            code: s.code.clone(),
            date: today,
        });
    }
    let applicant = s.applicant.normalized();
    applicant.validate(today)?;
    Ok(Event::Submitted {
        code: s.code.clone(),
        procedure: ProcedureRef {
            code: procedure_code.to_owned(),
            version: s.procedure.version,
        },
        agency: s.agency.clone(),
        channel: s.channel,
        components: received_components(&s.components)?,
        authorisation: s
            .authorisation
            .as_ref()
            .map(|a| checked_authorisation(a, &applicant.id_number).map(Box::new))
            .transpose()?,
        applicant,
    })
}

/// The components received, trimmed, each with a sane count of pieces (a name may repeat:
/// the catalogue lists the same paper under several cases).
fn received_components(list: &[ReceivedComponent]) -> Result<Vec<ReceivedComponent>, DossierError> {
    if list.len() > MAX_COMPONENTS {
        return Err(DossierError::InvalidComponents {
            message: format!("Hồ sơ ghi nhận tối đa {MAX_COMPONENTS} thành phần."),
        });
    }
    let mut out: Vec<ReceivedComponent> = Vec::with_capacity(list.len());
    for c in list {
        let name = c.component.trim();
        if name.is_empty() || name.chars().count() > MAX_COMPONENT_CHARS {
            return Err(DossierError::InvalidComponents {
                message: "Tên thành phần hồ sơ trống hoặc quá dài.".into(),
            });
        }
        if c.originals > MAX_COMPONENT_PIECES || c.copies > MAX_COMPONENT_PIECES {
            return Err(DossierError::InvalidComponents {
                message: format!(
                    "Số bản chính, bản sao của mỗi thành phần tối đa {MAX_COMPONENT_PIECES}."
                ),
            });
        }
        if c.originals == 0 && c.copies == 0 && !c.electronic {
            return Err(DossierError::InvalidComponents {
                message: format!("Thành phần \"{name}\" không có bản nào."),
            });
        }
        out.push(ReceivedComponent {
            component: name.to_owned(),
            ..c.clone()
        });
    }
    Ok(out)
}

fn current_agency(
    state: &DossierState,
    label: &'static str,
) -> Result<crate::agency::AgencyCode, DossierError> {
    state
        .agency
        .clone()
        .ok_or(DossierError::NotCreated { action: label })
}

/// A fee adjustment's or refund's reason: required, at most [`MAX_FEE_REASON_CHARS`].
fn fee_reason(reason: &str, label: &'static str) -> Result<String, DossierError> {
    let r = reason_text(reason, label)?;
    if r.chars().count() > MAX_FEE_REASON_CHARS {
        return Err(DossierError::FeeReasonTooLong {
            max: MAX_FEE_REASON_CHARS,
        });
    }
    Ok(r)
}

fn reason_text(reason: &str, label: &'static str) -> Result<String, DossierError> {
    clean_opt(Some(reason)).ok_or(DossierError::ReasonRequired { action: label })
}

fn missing_items(items: &[String]) -> Result<Vec<String>, DossierError> {
    let items = clean_list(items);
    if items.is_empty() {
        return Err(DossierError::MissingItemsRequired);
    }
    Ok(items)
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn clean_list(items: &[String]) -> Vec<String> {
    items.iter().filter_map(|s| clean_opt(Some(s))).collect()
}

/// Decides `command` and numbers its events after the dossier's last one, stamped with the
/// command's instant and actor: what the store appends (optimistic concurrency on `seq`).
pub fn execute(
    state: &DossierState,
    command: &Command,
) -> Result<Vec<EventEnvelope>, DossierError> {
    let events = decide(state, command)?;
    let mut seq = state.version;
    events
        .into_iter()
        .map(|event| {
            seq = seq.checked_add(1).ok_or(DossierError::SequenceExhausted)?;
            Ok(EventEnvelope {
                seq,
                at: command.at,
                actor: command.actor,
                event,
            })
        })
        .collect()
}

/// The command that produces `envelope`'s event, as `decide` would be asked it. Events carry
/// their commands' data, so this is exact; both kinds of supplement come from
/// `ProvideSupplement`, and a direct receipt is replayed as `Submit` then `Receive`.
pub fn originating_command(envelope: &EventEnvelope) -> Command {
    use DossierAction as A;
    let action = match &envelope.event {
        Event::Submitted {
            code,
            procedure,
            agency,
            channel,
            applicant,
            components,
            authorisation,
        } => A::Submit {
            submission: Submission {
                code: code.clone(),
                procedure: procedure.clone(),
                agency: agency.clone(),
                channel: *channel,
                applicant: applicant.clone(),
                components: components.clone(),
                authorisation: authorisation.as_deref().cloned(),
            },
        },
        Event::Received {
            appointment,
            fee_due_vnd,
        } => A::Receive {
            appointment: *appointment,
            fee_due_vnd: *fee_due_vnd,
        },
        Event::IntakeSupplementRequested { reason, missing } => A::RequestIntakeSupplement {
            reason: reason.clone(),
            missing: missing.clone(),
        },
        Event::Supplemented { documents, note } | Event::SupplementProvided { documents, note } => {
            A::ProvideSupplement {
                documents: documents.clone(),
                note: note.clone(),
            }
        }
        Event::Refused { reason } => A::Refuse {
            reason: reason.clone(),
        },
        Event::Forwarded { to, .. } => A::Forward { to: to.clone() },
        Event::StepAssigned {
            index,
            name,
            role,
            assignee,
            due,
        } => A::AssignStep {
            index: *index,
            name: name.clone(),
            role: *role,
            assignee: *assignee,
            due: *due,
        },
        Event::StepCompleted { index, note } => A::CompleteStep {
            index: *index,
            note: note.clone(),
        },
        Event::Transferred {
            to, reason, peer, ..
        } => A::Transfer {
            to: to.clone(),
            reason: reason.clone(),
            peer: peer.clone(),
        },
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
            reason,
        } => A::ReceiveTransfer {
            submission: Submission {
                code: code.clone(),
                procedure: procedure.clone(),
                agency: agency.clone(),
                channel: *channel,
                applicant: applicant.clone(),
                components: components.clone(),
                authorisation: None,
            },
            from: from.clone(),
            appointment: *appointment,
            peer: peer.clone(),
            message_id: message_id.clone(),
            reason: reason.clone(),
        },
        Event::TransferReturned {
            peer,
            message_id,
            outcome,
            ..
        } => A::ReturnTransfer {
            peer: peer.clone(),
            message_id: message_id.clone(),
            outcome: outcome.clone(),
        },
        Event::SupplementRequested { reason, missing } => A::RequestSupplement {
            reason: reason.clone(),
            missing: missing.clone(),
        },
        Event::Stopped { reason } => A::Stop {
            reason: reason.clone(),
        },
        Event::Apologized {
            reason,
            previous_due,
            new_appointment,
        } => A::Apologize {
            reason: reason.clone(),
            new_appointment: *new_appointment,
            current_due: *previous_due,
        },
        Event::Approved { note } => A::Approve { note: note.clone() },
        Event::Rejected { reason } => A::Reject {
            reason: reason.clone(),
        },
        Event::ResultRecorded { result_code, form } => A::RecordResult {
            result_code: result_code.clone(),
            form: form.clone(),
        },
        Event::FeeCollected {
            amount_vnd,
            method,
            receipt_no,
        } => A::CollectFee {
            amount_vnd: *amount_vnd,
            method: *method,
            receipt_no: receipt_no.clone(),
        },
        Event::FeeAdjusted {
            fee_due_vnd,
            reason,
            ..
        } => A::AdjustFee {
            fee_due_vnd: *fee_due_vnd,
            reason: reason.clone(),
        },
        Event::FeeRefunded { amount_vnd, reason } => A::RefundFee {
            amount_vnd: *amount_vnd,
            reason: reason.clone(),
        },
        Event::ResultReturned { via, collector } => A::ReturnResult {
            via: *via,
            collector: collector.clone(),
        },
        Event::Withdrawn { reason } => A::Withdraw {
            reason: reason.clone(),
        },
        Event::DocumentAttached {
            component,
            sha256,
            media_type,
            size,
            source,
        } => A::AttachDocument {
            component: component.clone(),
            sha256: sha256.clone(),
            media_type: *media_type,
            size: *size,
            source: source.clone(),
        },
        Event::PostageRecorded {
            tracking_no,
            fee_vnd,
        } => A::RecordPostage {
            tracking_no: tracking_no.clone(),
            fee_vnd: *fee_vnd,
        },
        Event::Rated { level, comment } => A::Rate {
            level: *level,
            comment: comment.clone(),
        },
    };
    Command {
        actor: envelope.actor,
        at: envelope.at,
        action,
    }
}

/// Rebuilds a dossier from its stored envelopes, checking each one: numbered 1, 2, … without
/// gaps, and exactly the event that its originating command ([`originating_command`]) produces
/// from the state before it. The first bad envelope refuses the whole history with
/// [`DossierError::InvalidHistory`] (its `seq` and the cause).
pub fn replay(envelopes: &[EventEnvelope]) -> Result<DossierState, DossierError> {
    let mut state = DossierState::new();
    for envelope in envelopes {
        let invalid = |cause: DossierError| DossierError::InvalidHistory {
            seq: envelope.seq,
            cause: Box::new(cause),
        };
        let expected = state
            .version
            .checked_add(1)
            .ok_or_else(|| invalid(DossierError::SequenceExhausted))?;
        if envelope.seq != expected {
            return Err(invalid(DossierError::SequenceGap {
                expected,
                found: envelope.seq,
            }));
        }
        let produced = decide(&state, &originating_command(envelope)).map_err(invalid)?;
        // A direct receipt produces [Submitted, Received]: the Submitted half is checked here
        // (Submit accepts counter and postal lodging too) and Received on the next envelope.
        if produced.as_slice() != std::slice::from_ref(&envelope.event) {
            return Err(invalid(DossierError::HistoryMismatch));
        }
        state.apply(envelope);
    }
    Ok(state)
}

/// The checked fold of a dossier's history: the same as [`replay`].
pub fn fold(envelopes: &[EventEnvelope]) -> Result<DossierState, DossierError> {
    replay(envelopes)
}
