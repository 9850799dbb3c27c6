//! Events: the facts of a payment's life, as stored. The `kind` names are stable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::PaymentMethod;

use super::command::{PaymentActor, ReportSource};
use super::fee_line::FeeLine;

/// One event, numbered within its payment (1, 2, …), with its instant and actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEnvelope {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: PaymentActor,
    pub event: PaymentEvent,
}

/// A fact about a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentEvent {
    /// Fees due: the lines and their total.
    Due {
        lines: Vec<FeeLine>,
        amount_vnd: u64,
    },
    /// An online attempt for the amount due.
    AttemptStarted {
        gateway: String,
        reference: String,
        amount_vnd: u64,
        expires_at: DateTime<Utc>,
    },
    /// The attempt failed at the gateway.
    AttemptFailed { reference: String, code: String },
    /// The attempt ran out of time without an outcome.
    AttemptExpired { reference: String },
    /// Paid in full: online (`reference` and `transaction_no` of the gateway, `source` of the
    /// report) or at the counter (`receipt_no`).
    Paid {
        method: PaymentMethod,
        amount_vnd: u64,
        reference: Option<String>,
        transaction_no: Option<String>,
        source: Option<ReportSource>,
        receipt_no: Option<String>,
    },
    /// A second attempt was paid after the payment was already settled: money to give back.
    /// The payment stays paid once.
    ExtraPaymentReceived {
        reference: String,
        amount_vnd: u64,
        transaction_no: String,
    },
    /// The amount paid was given back.
    Refunded { amount_vnd: u64, reason: String },
    /// The fee lines due changed, with the reason: the lines and total before and after.
    Adjusted {
        previous_lines: Vec<FeeLine>,
        previous_amount_vnd: u64,
        lines: Vec<FeeLine>,
        amount_vnd: u64,
        reason: String,
    },
}

impl PaymentEvent {
    /// Stable kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            PaymentEvent::Due { .. } => "due",
            PaymentEvent::AttemptStarted { .. } => "attempt_started",
            PaymentEvent::AttemptFailed { .. } => "attempt_failed",
            PaymentEvent::AttemptExpired { .. } => "attempt_expired",
            PaymentEvent::Paid { .. } => "paid",
            PaymentEvent::ExtraPaymentReceived { .. } => "extra_payment_received",
            PaymentEvent::Refunded { .. } => "refunded",
            PaymentEvent::Adjusted { .. } => "adjusted",
        }
    }
}
