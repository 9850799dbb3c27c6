//! The fold of a payment's events: its [`PaymentStatus`], attempts and settlement.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::PaymentMethod;

use super::command::ReportSource;
use super::event::PaymentEvent;
use super::fee_line::FeeLine;

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing due yet.
    Empty,
    /// Due, no attempt yet.
    Due,
    /// An online attempt waits for the gateway.
    Pending,
    Paid,
    /// The last attempt failed; a new one may be started.
    Failed,
    /// The last attempt expired; a new one may be started.
    Expired,
    Refunded,
    /// The fees were adjusted to nothing (an exemption): nothing to pay.
    Waived,
}

impl PaymentStatus {
    pub fn label_vi(self) -> &'static str {
        match self {
            PaymentStatus::Empty => "Chưa phát sinh",
            PaymentStatus::Due => "Chờ thanh toán",
            PaymentStatus::Pending => "Đang chờ cổng thanh toán xác nhận",
            PaymentStatus::Paid => "Đã thanh toán",
            PaymentStatus::Failed => "Thanh toán không thành công",
            PaymentStatus::Expired => "Giao dịch hết hạn",
            PaymentStatus::Refunded => "Đã hoàn tiền",
            PaymentStatus::Waived => "Được miễn phí, lệ phí",
        }
    }
}

/// What became of an online attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AttemptOutcome {
    Pending,
    Paid,
    Failed { code: String },
    Expired,
}

/// One online attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub gateway: String,
    pub reference: String,
    pub amount_vnd: u64,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
}

/// How the amount due was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub method: PaymentMethod,
    pub amount_vnd: u64,
    pub at: DateTime<Utc>,
    pub reference: Option<String>,
    pub transaction_no: Option<String>,
    pub source: Option<ReportSource>,
    pub receipt_no: Option<String>,
}

/// An attempt paid after the payment was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraPayment {
    pub reference: String,
    pub amount_vnd: u64,
    pub transaction_no: String,
    pub at: DateTime<Utc>,
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    pub amount_vnd: u64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A change of the fee lines due (staff, with a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub at: DateTime<Utc>,
    pub previous_lines: Vec<FeeLine>,
    pub previous_amount_vnd: u64,
    pub lines: Vec<FeeLine>,
    pub amount_vnd: u64,
    pub reason: String,
}

/// A payment, as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentState {
    pub lines: Vec<FeeLine>,
    pub amount_due_vnd: u64,
    pub attempts: Vec<Attempt>,
    pub settlement: Option<Settlement>,
    pub refund: Option<RefundRecord>,
    /// Paid attempts beyond the settlement: money to give back.
    pub extra_payments: Vec<ExtraPayment>,
    /// Changes of the fee lines, oldest first.
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    /// Number of events applied.
    pub seq: u32,
    pub last_at: Option<DateTime<Utc>>,
}

impl PaymentState {
    pub fn status(&self) -> PaymentStatus {
        if self.refund.is_some() {
            return PaymentStatus::Refunded;
        }
        if self.settlement.is_some() {
            return PaymentStatus::Paid;
        }
        if self.seq == 0 {
            return PaymentStatus::Empty;
        }
        if self.amount_due_vnd == 0 {
            return PaymentStatus::Waived;
        }
        match self.attempts.last().map(|a| &a.outcome) {
            None => PaymentStatus::Due,
            Some(AttemptOutcome::Pending) => PaymentStatus::Pending,
            Some(AttemptOutcome::Failed { .. }) => PaymentStatus::Failed,
            Some(AttemptOutcome::Expired) => PaymentStatus::Expired,
            // An attempt is marked paid only together with the settlement.
            Some(AttemptOutcome::Paid) => PaymentStatus::Paid,
        }
    }

    /// The attempt with this reference.
    pub fn attempt(&self, reference: &str) -> Option<&Attempt> {
        self.attempts.iter().find(|a| a.reference == reference)
    }

    /// The attempt waiting for the gateway, if any.
    pub fn pending_attempt(&self) -> Option<&Attempt> {
        self.attempts
            .last()
            .filter(|a| a.outcome == AttemptOutcome::Pending)
    }

    /// Applies an event (already decided) at `at`.
    pub fn apply(&mut self, at: DateTime<Utc>, event: &PaymentEvent) {
        self.seq += 1;
        self.last_at = Some(at);
        let set = |attempts: &mut Vec<Attempt>, reference: &str, outcome: AttemptOutcome| {
            if let Some(a) = attempts.iter_mut().find(|a| a.reference == reference) {
                a.outcome = outcome;
            }
        };
        match event {
            PaymentEvent::Due { lines, amount_vnd } => {
                self.lines = lines.clone();
                self.amount_due_vnd = *amount_vnd;
            }
            PaymentEvent::AttemptStarted {
                gateway,
                reference,
                amount_vnd,
                expires_at,
            } => self.attempts.push(Attempt {
                gateway: gateway.clone(),
                reference: reference.clone(),
                amount_vnd: *amount_vnd,
                started_at: at,
                expires_at: *expires_at,
                outcome: AttemptOutcome::Pending,
            }),
            PaymentEvent::AttemptFailed { reference, code } => set(
                &mut self.attempts,
                reference,
                AttemptOutcome::Failed { code: code.clone() },
            ),
            PaymentEvent::AttemptExpired { reference } => {
                set(&mut self.attempts, reference, AttemptOutcome::Expired)
            }
            PaymentEvent::Paid {
                method,
                amount_vnd,
                reference,
                transaction_no,
                source,
                receipt_no,
            } => {
                if let Some(r) = reference {
                    set(&mut self.attempts, r, AttemptOutcome::Paid);
                }
                self.settlement = Some(Settlement {
                    method: *method,
                    amount_vnd: *amount_vnd,
                    at,
                    reference: reference.clone(),
                    transaction_no: transaction_no.clone(),
                    source: *source,
                    receipt_no: receipt_no.clone(),
                });
            }
            PaymentEvent::ExtraPaymentReceived {
                reference,
                amount_vnd,
                transaction_no,
            } => {
                set(&mut self.attempts, reference, AttemptOutcome::Paid);
                self.extra_payments.push(ExtraPayment {
                    reference: reference.clone(),
                    amount_vnd: *amount_vnd,
                    transaction_no: transaction_no.clone(),
                    at,
                });
            }
            PaymentEvent::Adjusted {
                previous_lines,
                previous_amount_vnd,
                lines,
                amount_vnd,
                reason,
            } => {
                self.lines = lines.clone();
                self.amount_due_vnd = *amount_vnd;
                self.adjustments.push(Adjustment {
                    at,
                    previous_lines: previous_lines.clone(),
                    previous_amount_vnd: *previous_amount_vnd,
                    lines: lines.clone(),
                    amount_vnd: *amount_vnd,
                    reason: reason.clone(),
                });
            }
            PaymentEvent::Refunded { amount_vnd, reason } => {
                self.refund = Some(RefundRecord {
                    amount_vnd: *amount_vnd,
                    reason: reason.clone(),
                    at,
                });
            }
        }
    }
}
