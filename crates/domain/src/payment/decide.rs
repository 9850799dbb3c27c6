//! The rules: [`decide`] says whether a command may happen to a payment and which events it
//! produces; [`execute`] numbers them; [`fold`] rebuilds a payment from its envelopes. Every
//! "may this happen" of a payment is answered here.
//!
//! Checks run in this order: the command is not earlier than the last event; the status allows
//! the action; the actor may perform it; then the action's own data.

use crate::auth::Role;
use crate::dossier::PaymentMethod;

use super::command::{
    GatewayOutcome, MAX_CODE_CHARS, MAX_GATEWAY_CHARS, MAX_REASON_CHARS, MAX_REFERENCE_CHARS,
    PaymentAction, PaymentActor, PaymentCommand,
};
use super::error::PaymentError;
use super::event::{PaymentEnvelope, PaymentEvent};
use super::fee_line::{FeeLine, MAX_FEE_LINE_VND, MAX_FEE_LINES, total_vnd};
use super::state::{Attempt, AttemptOutcome, PaymentState, PaymentStatus};

use PaymentStatus as S;

/// Statuses in which an action is allowed. Gateway reports and expiry are answered in every
/// status with an attempt (a late report must be heard, and may change nothing).
pub fn allowed_statuses(action: &PaymentAction) -> &'static [PaymentStatus] {
    use PaymentAction as A;
    match action {
        A::Open { .. } => &[S::Empty],
        A::StartAttempt { .. } => &[S::Due, S::Pending, S::Failed, S::Expired],
        A::Report { .. } | A::Expire { .. } => {
            &[S::Pending, S::Paid, S::Failed, S::Expired, S::Refunded]
        }
        A::RecordCounter { .. } => &[S::Due, S::Pending, S::Failed, S::Expired],
        A::Refund { .. } => &[S::Paid],
        // While nothing is paid; a pending attempt must end (or expire) first.
        A::Adjust { .. } => &[
            S::Empty,
            S::Due,
            S::Pending,
            S::Failed,
            S::Expired,
            S::Waived,
        ],
    }
}

/// Whether `actor` may perform `action`.
fn actor_may(actor: &PaymentActor, action: &PaymentAction) -> bool {
    use PaymentAction as A;
    let staff =
        |roles: &[Role]| matches!(actor, PaymentActor::Staff { role, .. } if roles.contains(role));
    match action {
        A::Open { .. } => staff(&[Role::ReceivingOfficer]),
        A::StartAttempt { .. } => {
            matches!(actor, PaymentActor::Citizen { .. }) || staff(&[Role::ReceivingOfficer])
        }
        A::Report { .. } => matches!(actor, PaymentActor::System),
        A::Expire { .. } => {
            matches!(actor, PaymentActor::System) || staff(&[Role::ReceivingOfficer])
        }
        A::RecordCounter { .. } => staff(&[Role::ReceivingOfficer]),
        A::Refund { .. } | A::Adjust { .. } => staff(&[Role::ReceivingOfficer, Role::Leader]),
    }
}

fn text(field: &'static str, s: &str, max: usize) -> Result<(), PaymentError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(PaymentError::InvalidText { field, max });
    }
    Ok(())
}

/// The events a command produces, or why it is refused. An empty list means the command is
/// accepted and changes nothing (a repeated report, a failure after a success).
pub fn decide(
    state: &PaymentState,
    cmd: &PaymentCommand,
) -> Result<Vec<PaymentEvent>, PaymentError> {
    use PaymentAction as A;
    let action = cmd.action.name();
    if let Some(last) = state.last_at
        && cmd.at < last
    {
        return Err(PaymentError::TimeBeforeLastEvent { at: cmd.at, last });
    }
    let status = state.status();
    if !allowed_statuses(&cmd.action).contains(&status) {
        return Err(PaymentError::NotAllowedInState { status, action });
    }
    if !actor_may(&cmd.actor, &cmd.action) {
        return Err(PaymentError::ActorNotAllowed { action });
    }
    match &cmd.action {
        A::Open { lines } => {
            if lines.len() > MAX_FEE_LINES {
                return Err(PaymentError::TooManyLines { max: MAX_FEE_LINES });
            }
            for l in lines {
                l.validate()?;
            }
            let total = total_vnd(lines).filter(|t| *t <= MAX_FEE_LINE_VND).ok_or(
                PaymentError::AmountTooLarge {
                    max: MAX_FEE_LINE_VND,
                },
            )?;
            if total == 0 {
                return Err(PaymentError::NothingDue);
            }
            Ok(vec![PaymentEvent::Due {
                lines: lines.clone(),
                amount_vnd: total,
            }])
        }
        A::StartAttempt {
            gateway,
            reference,
            expires_at,
        } => {
            text("gateway", gateway, MAX_GATEWAY_CHARS)?;
            text("reference", reference, MAX_REFERENCE_CHARS)?;
            if state.attempt(reference).is_some() {
                return Err(PaymentError::DuplicateReference {
                    reference: reference.clone(),
                });
            }
            if *expires_at <= cmd.at {
                return Err(PaymentError::ExpiryNotAfterStart);
            }
            // Retry only once the pending attempt is past its expiry.
            let mut events = expire_pending(state, cmd)?;
            events.push(PaymentEvent::AttemptStarted {
                gateway: gateway.trim().to_owned(),
                reference: reference.clone(),
                amount_vnd: state.amount_due_vnd,
                expires_at: *expires_at,
            });
            Ok(events)
        }
        A::Report {
            reference,
            source,
            outcome,
        } => {
            let attempt = known_attempt(state, reference)?;
            match outcome {
                GatewayOutcome::Paid {
                    amount_vnd,
                    transaction_no,
                } => {
                    text("transaction_no", transaction_no, MAX_CODE_CHARS)?;
                    if *amount_vnd != attempt.amount_vnd {
                        return Err(PaymentError::WrongAmount {
                            amount: *amount_vnd,
                            due: attempt.amount_vnd,
                        });
                    }
                    if attempt.outcome == AttemptOutcome::Paid {
                        // The same success again: nothing changes.
                        return Ok(Vec::new());
                    }
                    if state.settlement.is_some() {
                        // Settled by another attempt or at the counter: never paid twice.
                        return Ok(vec![PaymentEvent::ExtraPaymentReceived {
                            reference: reference.clone(),
                            amount_vnd: *amount_vnd,
                            transaction_no: transaction_no.clone(),
                        }]);
                    }
                    // The gateway's word wins over our own failure or expiry of the attempt.
                    Ok(vec![PaymentEvent::Paid {
                        method: PaymentMethod::Online,
                        amount_vnd: *amount_vnd,
                        reference: Some(reference.clone()),
                        transaction_no: Some(transaction_no.clone()),
                        source: Some(*source),
                        receipt_no: None,
                    }])
                }
                GatewayOutcome::Failed { code } => {
                    text("code", code, MAX_CODE_CHARS)?;
                    // A failure never overrides a success, nor repeats a known outcome.
                    if attempt.outcome != AttemptOutcome::Pending {
                        return Ok(Vec::new());
                    }
                    Ok(vec![PaymentEvent::AttemptFailed {
                        reference: reference.clone(),
                        code: code.clone(),
                    }])
                }
            }
        }
        A::Expire { reference } => {
            let attempt = known_attempt(state, reference)?;
            if attempt.outcome != AttemptOutcome::Pending {
                return Ok(Vec::new());
            }
            if cmd.at < attempt.expires_at {
                return Err(PaymentError::NotExpiredYet {
                    reference: reference.clone(),
                    expires_at: attempt.expires_at,
                });
            }
            Ok(vec![PaymentEvent::AttemptExpired {
                reference: reference.clone(),
            }])
        }
        A::RecordCounter {
            method,
            amount_vnd,
            receipt_no,
        } => {
            if *method == PaymentMethod::Online {
                return Err(PaymentError::OnlineAtCounter);
            }
            if let Some(r) = receipt_no {
                text("receipt_no", r, MAX_CODE_CHARS)?;
            }
            // The citizen may be paying online right now: wait for the outcome or expiry.
            let mut events = expire_pending(state, cmd)?;
            if *amount_vnd != state.amount_due_vnd {
                return Err(PaymentError::WrongAmount {
                    amount: *amount_vnd,
                    due: state.amount_due_vnd,
                });
            }
            events.push(PaymentEvent::Paid {
                method: *method,
                amount_vnd: *amount_vnd,
                reference: None,
                transaction_no: None,
                source: None,
                receipt_no: receipt_no.clone(),
            });
            Ok(events)
        }
        A::Refund { reason } => {
            text("reason", reason, MAX_REASON_CHARS)?;
            let paid = state.settlement.as_ref().map_or(0, |s| s.amount_vnd);
            Ok(vec![PaymentEvent::Refunded {
                amount_vnd: paid,
                reason: reason.trim().to_owned(),
            }])
        }
        A::Adjust { lines, reason } => adjusted(state, cmd, lines, reason),
    }
}

/// The change of the fee lines: the pending attempt (if any) must be past its expiry.
fn adjusted(
    state: &PaymentState,
    cmd: &PaymentCommand,
    lines: &[FeeLine],
    reason: &str,
) -> Result<Vec<PaymentEvent>, PaymentError> {
    text("reason", reason, MAX_REASON_CHARS)?;
    if lines.len() > MAX_FEE_LINES {
        return Err(PaymentError::TooManyLines { max: MAX_FEE_LINES });
    }
    for l in lines {
        l.validate()?;
    }
    let total = total_vnd(lines).filter(|t| *t <= MAX_FEE_LINE_VND).ok_or(
        PaymentError::AmountTooLarge {
            max: MAX_FEE_LINE_VND,
        },
    )?;
    if state.status() == S::Empty && total == 0 {
        return Err(PaymentError::NothingDue);
    }
    if lines == state.lines.as_slice() {
        return Err(PaymentError::FeeUnchanged);
    }
    let mut events = expire_pending(state, cmd)?;
    events.push(PaymentEvent::Adjusted {
        previous_lines: state.lines.clone(),
        previous_amount_vnd: state.amount_due_vnd,
        lines: lines.to_vec(),
        amount_vnd: total,
        reason: reason.trim().to_owned(),
    });
    Ok(events)
}

/// The attempt with this reference, or the refusal.
fn known_attempt<'a>(
    state: &'a PaymentState,
    reference: &str,
) -> Result<&'a Attempt, PaymentError> {
    state
        .attempt(reference)
        .ok_or_else(|| PaymentError::UnknownReference {
            reference: reference.to_owned(),
        })
}

/// The expiry of the pending attempt, if any: refused while it is still valid.
fn expire_pending(
    state: &PaymentState,
    cmd: &PaymentCommand,
) -> Result<Vec<PaymentEvent>, PaymentError> {
    match state.pending_attempt() {
        Some(p) if cmd.at < p.expires_at => Err(PaymentError::AttemptPending),
        Some(p) => Ok(vec![PaymentEvent::AttemptExpired {
            reference: p.reference.clone(),
        }]),
        None => Ok(Vec::new()),
    }
}

/// Decides and numbers the events after the state's last one.
pub fn execute(
    state: &PaymentState,
    cmd: &PaymentCommand,
) -> Result<Vec<PaymentEnvelope>, PaymentError> {
    let events = decide(state, cmd)?;
    Ok(events
        .into_iter()
        .zip(state.seq + 1..)
        .map(|(event, seq)| PaymentEnvelope {
            seq,
            at: cmd.at,
            actor: cmd.actor,
            event,
        })
        .collect())
}

/// The payment its envelopes make.
pub fn fold<'a>(envelopes: impl IntoIterator<Item = &'a PaymentEnvelope>) -> PaymentState {
    let mut state = PaymentState::default();
    for e in envelopes {
        state.apply(e.at, &e.event);
    }
    state
}
