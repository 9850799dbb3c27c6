//! Rows of a dossier's payment, its gateway account and its fee receipt (see
//! `port::Payments`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An agency's gateway merchant account and receipt book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAccount {
    pub agency_id: Uuid,
    /// "vnpay".
    pub gateway: String,
    /// `vnp_TmnCode`.
    pub merchant_code: String,
    pub hash_secret: String,
    pub pay_url: String,
    pub api_url: String,
    pub return_url: String,
    /// Ký hiệu mẫu biên lai.
    pub receipt_template: String,
    /// Ký hiệu biên lai.
    pub receipt_serial: String,
    pub updated_at: DateTime<Utc>,
}

/// A stored payment: its projection and its events (each the domain's envelope as JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub dossier_code: String,
    pub agency_id: Uuid,
    pub status: String,
    pub amount_vnd: i64,
    pub seq: i32,
    pub events: Vec<String>,
    pub receipt: Option<FeeReceiptRow>,
}

/// A fee receipt's number in its agency's book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeReceiptRow {
    pub template: String,
    pub serial: String,
    pub number: i64,
    pub issued_at: DateTime<Utc>,
}

/// One online attempt as the reconciliation worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub reference: String,
    pub payment_id: Uuid,
    pub gateway: String,
    /// pending | paid | failed | expired
    pub outcome: String,
    pub amount_vnd: i64,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One new event of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaymentEvent {
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub data: String,
}

/// What a payment command writes, in one transaction: the events after `expected_seq`, the
/// projection, the attempts as they now stand, and, when the payment became paid, a receipt
/// numbered from the book `(agency, template, serial)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentWrite {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub dossier_code: String,
    pub agency_id: Uuid,
    pub status: String,
    pub amount_vnd: i64,
    pub events: Vec<NewPaymentEvent>,
    pub attempts: Vec<AttemptRow>,
    /// `(template, serial)` of the book to number a receipt from.
    pub issue_receipt: Option<(String, String)>,
    pub at: DateTime<Utc>,
}

/// The bank account an agency collects transfers on (VietQR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub agency_id: Uuid,
    /// NAPAS BIN, 6 digits.
    pub bank_bin: String,
    pub account: String,
    pub account_name: String,
    pub updated_at: DateTime<Utc>,
}
