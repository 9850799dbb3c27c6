//! What is asked of a payment ([`PaymentAction`]), by whom ([`PaymentActor`]) and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;
use crate::dossier::PaymentMethod;

use super::fee_line::FeeLine;

/// Longest gateway name ("vnpay", "vietqr", …), in characters.
pub const MAX_GATEWAY_CHARS: usize = 30;
/// Longest attempt reference (VNPAY's `vnp_TxnRef` allows 100), in characters.
pub const MAX_REFERENCE_CHARS: usize = 100;
/// Longest gateway transaction number, failure code or receipt number, in characters.
pub const MAX_CODE_CHARS: usize = 50;
/// Longest refund reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Who acts. Gateway reports come from the system after it verified them (a signed
/// notification, or the answer of a status query); a citizen only starts attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum PaymentActor {
    Citizen {
        user: Uuid,
    },
    Staff {
        user: Uuid,
        role: Role,
    },
    /// The payment system itself: verified gateway reports, expiry by the clock.
    System,
}

/// A request to change a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCommand {
    pub at: DateTime<Utc>,
    pub actor: PaymentActor,
    pub action: PaymentAction,
}

/// Where a verified gateway report comes from. The browser's return URL is not a source: it
/// shows the outcome and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportSource {
    /// The gateway's server-to-server notification (VNPAY's IPN), signature checked.
    Notification,
    /// The answer of a transaction status query (VNPAY's `querydr`), signature checked.
    Query,
}

/// What the gateway says of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GatewayOutcome {
    /// Paid `amount_vnd`, under the gateway's transaction number.
    Paid {
        amount_vnd: u64,
        transaction_no: String,
    },
    /// Not paid (cancelled, declined, …), with the gateway's code.
    Failed { code: String },
}

/// An action on a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PaymentAction {
    /// The fees due, fixed when the dossier is received. Staff.
    Open { lines: Vec<FeeLine> },
    /// An online attempt at `gateway` under `reference`, valid until `expires_at`. The citizen
    /// or staff.
    StartAttempt {
        gateway: String,
        reference: String,
        expires_at: DateTime<Utc>,
    },
    /// A verified gateway report on the attempt `reference`. System.
    Report {
        reference: String,
        source: ReportSource,
        outcome: GatewayOutcome,
    },
    /// The attempt `reference` is past its expiry without an outcome. System or staff.
    Expire { reference: String },
    /// Cash or bank transfer received at the counter. A receiving officer.
    RecordCounter {
        method: PaymentMethod,
        amount_vnd: u64,
        receipt_no: Option<String>,
    },
    /// The whole amount paid is given back. A receiving officer or a leader, with a reason.
    Refund { reason: String },
    /// The fee lines due change (which of the catalogue's alternatives applies, an amount, an
    /// exemption or reduction with its legal basis) while nothing is paid. A receiving officer
    /// or a leader, with a reason. Lines adding up to zero waive the fees.
    Adjust { lines: Vec<FeeLine>, reason: String },
}

impl PaymentAction {
    /// Stable name, for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            PaymentAction::Open { .. } => "open",
            PaymentAction::StartAttempt { .. } => "start_attempt",
            PaymentAction::Report { .. } => "report",
            PaymentAction::Expire { .. } => "expire",
            PaymentAction::RecordCounter { .. } => "record_counter",
            PaymentAction::Refund { .. } => "refund",
            PaymentAction::Adjust { .. } => "adjust",
        }
    }
}
