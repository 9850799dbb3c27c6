//! The merchant's answer to VNPAY's IPN: signature, order, amount and state are checked, in
//! VNPAY's order, and the answer says what to apply. The payment's rules stay in
//! [`motcua_domain::payment`]: this only maps their verdict to VNPAY's [`RspCode`].
//!
//! | check | answer |
//! |---|---|
//! | signature (or the merchant code, a field) wrong or missing | 97 (99 for a malformed field) |
//! | no payment or no attempt with `vnp_TxnRef` | 01 |
//! | `vnp_Amount` is not the attempt's amount | 04 |
//! | the report changes nothing (already paid, or the outcome already known) | 02 |
//! | otherwise | 00, and the report is to be applied |

use chrono::{DateTime, Utc};
use motcua_domain::payment::{
    PaymentAction, PaymentActor, PaymentCommand, PaymentError, PaymentState, ReportSource, decide,
};

use crate::gateway::{GatewayError, VerifiedReport};

use super::codes::RspCode;

/// What to answer, and the command to run when the IPN changes the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpnDecision {
    pub rsp: RspCode,
    pub command: Option<PaymentCommand>,
}

/// Decides the answer to an IPN: `verified` is the gateway's verification of it, `state` the
/// payment whose attempt `vnp_TxnRef` names (`None` when there is none).
pub fn answer(
    verified: Result<VerifiedReport, GatewayError>,
    state: Option<&PaymentState>,
    at: DateTime<Utc>,
) -> IpnDecision {
    let refuse = |rsp| IpnDecision { rsp, command: None };
    let report = match verified {
        Ok(r) => r,
        Err(GatewayError::InvalidSignature) => return refuse(RspCode::InvalidSignature),
        Err(_) => return refuse(RspCode::Other),
    };
    let Some(state) = state else {
        return refuse(RspCode::OrderNotFound);
    };
    let Some(attempt) = state.attempt(&report.reference) else {
        return refuse(RspCode::OrderNotFound);
    };
    if report.amount_vnd != attempt.amount_vnd {
        return refuse(RspCode::InvalidAmount);
    }
    let command = PaymentCommand {
        // A late IPN is still heard: never earlier than the payment's last event.
        at: state.last_at.map_or(at, |last| last.max(at)),
        actor: PaymentActor::System,
        action: PaymentAction::Report {
            reference: report.reference,
            source: ReportSource::Notification,
            outcome: report.outcome,
        },
    };
    match decide(state, &command) {
        Ok(events) if events.is_empty() => refuse(RspCode::AlreadyConfirmed),
        Ok(_) => IpnDecision {
            rsp: RspCode::Confirmed,
            command: Some(command),
        },
        Err(PaymentError::WrongAmount { .. }) => refuse(RspCode::InvalidAmount),
        Err(PaymentError::UnknownReference { .. }) => refuse(RspCode::OrderNotFound),
        Err(_) => refuse(RspCode::Other),
    }
}
