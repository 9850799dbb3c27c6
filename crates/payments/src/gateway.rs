//! The [`Gateway`] trait: what motcua asks of any online payment provider (VNPAY today; the
//! national portal's payment platform or another gateway as further implementations).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::payment::GatewayOutcome;

/// A payment attempt to open at the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRequest {
    /// Our reference of the attempt (VNPAY's `vnp_TxnRef`), unique per merchant.
    pub reference: String,
    /// Integer đồng.
    pub amount_vnd: u64,
    /// What is paid for, e.g. "Thanh toan le phi ho so 000.00.06.H56-251027-0361".
    pub order_info: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The payer's IP address.
    pub client_ip: String,
}

/// Where the payer goes to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkout {
    /// Redirect the browser to this URL.
    Redirect { url: String },
    /// Show this QR payload (and its image) for a banking app.
    Qr { payload: String },
}

/// A gateway report whose signature was checked: what the domain may act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReport {
    pub reference: String,
    /// The amount the gateway states, in đồng.
    pub amount_vnd: u64,
    pub outcome: GatewayOutcome,
}

/// What the return page may show: the outcome as the gateway's signed return states it. It
/// changes nothing (only the notification or a query does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnView {
    pub reference: String,
    pub amount_vnd: u64,
    pub success: bool,
    /// The gateway's response code ("00", "24", …).
    pub code: String,
    /// The gateway's meaning of the code, in Vietnamese.
    pub message_vi: &'static str,
}

/// A status query for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRequest {
    /// A fresh id of this request (unique within the day).
    pub request_id: String,
    pub reference: String,
    pub order_info: String,
    /// When the attempt was created (VNPAY's `vnp_TransactionDate`).
    pub attempt_created_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub server_ip: String,
}

/// What a status query says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOutcome {
    /// Final: paid or failed, as a verified report.
    Final(VerifiedReport),
    /// Not finished at the gateway yet.
    Pending,
    /// The gateway does not know the attempt (the payer never reached its page).
    NotFound,
    /// A state the domain does not act on (refund in progress, reversed, …), with its code.
    Other { code: String },
}

/// A refund of a paid attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub request_id: String,
    pub reference: String,
    pub amount_vnd: u64,
    /// The gateway's transaction number of the payment.
    pub transaction_no: String,
    pub attempt_created_at: DateTime<Utc>,
    /// The officer who asks, as the gateway records it.
    pub created_by: String,
    pub order_info: String,
    pub at: DateTime<Utc>,
    pub server_ip: String,
}

/// The gateway's answer to a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundResult {
    pub accepted: bool,
    pub code: String,
    pub message: String,
}

/// Why a gateway call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("invalid signature")]
    InvalidSignature,
    #[error("missing or malformed field {0}")]
    Malformed(&'static str),
    #[error("the gateway does not support {0}")]
    Unsupported(&'static str),
    #[error("transport: {0}")]
    Transport(String),
    #[error("the gateway refused: {code} {message}")]
    Refused { code: String, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// An online payment provider, for one merchant account.
#[async_trait]
pub trait Gateway: Send + Sync {
    /// Stable name ("vnpay").
    fn name(&self) -> &'static str;
    /// Where the payer goes to pay this attempt.
    fn checkout(&self, attempt: &AttemptRequest) -> Result<Checkout, GatewayError>;
    /// Checks the browser's return (query parameters) and says what to show.
    fn verify_return(&self, params: &[(String, String)]) -> Result<ReturnView, GatewayError>;
    /// Checks a server-to-server notification (query parameters or form fields).
    fn verify_notification(
        &self,
        params: &[(String, String)],
    ) -> Result<VerifiedReport, GatewayError>;
    /// Asks the gateway for an attempt's status.
    async fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, GatewayError>;
    /// Asks the gateway to give a payment back.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult, GatewayError>;
}
