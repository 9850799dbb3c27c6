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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use motcua_domain::auth::Role;
    use motcua_domain::catalogue::FeeKind;
    use motcua_domain::payment::{FeeLine, GatewayOutcome, execute};
    use uuid::Uuid;

    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 7, 2, 0, 0).unwrap() + chrono::TimeDelta::minutes(min)
    }

    fn pending() -> PaymentState {
        let mut s = PaymentState::default();
        let cmds = [
            (
                PaymentActor::Staff {
                    user: Uuid::nil(),
                    role: Role::ReceivingOfficer,
                },
                PaymentAction::Open {
                    lines: vec![FeeLine {
                        name: "Lệ phí".into(),
                        kind: FeeKind::Charge,
                        legal_basis: None,
                        amount_vnd: 20_000,
                        exemption: None,
                        description: String::new(),
                    }],
                },
            ),
            (
                PaymentActor::Citizen { user: Uuid::nil() },
                PaymentAction::StartAttempt {
                    gateway: "vnpay".into(),
                    reference: "A1".into(),
                    expires_at: at(15),
                },
            ),
        ];
        for (actor, action) in cmds {
            let cmd = PaymentCommand {
                at: at(0),
                actor,
                action,
            };
            for e in execute(&s, &cmd).unwrap() {
                s.apply(e.at, &e.event);
            }
        }
        s
    }

    fn paid(reference: &str, amount: u64) -> Result<VerifiedReport, GatewayError> {
        Ok(VerifiedReport {
            reference: reference.into(),
            amount_vnd: amount,
            outcome: GatewayOutcome::Paid {
                amount_vnd: amount,
                transaction_no: "1".into(),
            },
        })
    }

    #[test]
    fn every_answer() {
        let s = pending();
        let rsp = |v, st: Option<&PaymentState>| answer(v, st, at(1)).rsp;
        assert_eq!(
            rsp(Err(GatewayError::InvalidSignature), Some(&s)),
            RspCode::InvalidSignature
        );
        assert_eq!(
            rsp(Err(GatewayError::Malformed("vnp_Amount")), Some(&s)),
            RspCode::Other
        );
        assert_eq!(rsp(paid("A1", 20_000), None), RspCode::OrderNotFound);
        assert_eq!(rsp(paid("B9", 20_000), Some(&s)), RspCode::OrderNotFound);
        assert_eq!(rsp(paid("A1", 20_001), Some(&s)), RspCode::InvalidAmount);
        let ok = answer(paid("A1", 20_000), Some(&s), at(1));
        assert_eq!(ok.rsp, RspCode::Confirmed);
        let mut after = s.clone();
        for e in execute(&after, &ok.command.unwrap()).unwrap() {
            after.apply(e.at, &e.event);
        }
        assert_eq!(
            rsp(paid("A1", 20_000), Some(&after)),
            RspCode::AlreadyConfirmed
        );
        assert_eq!(
            RspCode::AlreadyConfirmed.body(),
            serde_json::json!({"RspCode": "02", "Message": "Order already confirmed"})
        );
    }
}
