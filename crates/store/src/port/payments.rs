//! A dossier's payment (fees, online attempts, receipt) and each agency's gateway account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AttemptRow, DbResult, DossierWrite, FeeReceiptRow, GatewayAccount, PaymentRecord, PaymentWrite,
};

#[async_trait]
pub trait Payments: Send + Sync {
    /// The agency's gateway account, if configured.
    async fn gateway_account(&self, agency: Uuid) -> DbResult<Option<GatewayAccount>>;
    /// Sets (or replaces) the agency's gateway account.
    async fn put_gateway_account(&self, account: &GatewayAccount) -> DbResult<()>;
    /// The payment of a dossier, if one was opened.
    async fn payment_of_dossier(&self, dossier: Uuid) -> DbResult<Option<PaymentRecord>>;
    /// The payment an attempt reference belongs to.
    async fn payment_of_attempt(&self, reference: &str) -> DbResult<Option<PaymentRecord>>;
    /// Writes a payment command if the payment is still at `expected_seq` (0: a new payment),
    /// else `Conflict::StaleVersion`; with `dossier`, the dossier's events in the same
    /// transaction (its own optimistic check). Returns the receipt issued, if any.
    async fn write_payment(
        &self,
        expected_seq: i32,
        write: &PaymentWrite,
        dossier: Option<(i32, &DossierWrite)>,
    ) -> DbResult<Option<FeeReceiptRow>>;
    /// Online attempts still pending that started before `started_before` or expired before
    /// `expired_before`, oldest first, at most `limit`.
    async fn pending_attempts(
        &self,
        started_before: DateTime<Utc>,
        expired_before: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<AttemptRow>>;
    /// The payment events of an agency's payments from `from` (included) to `to` (excluded),
    /// oldest first, at most `limit`: `(dossier code, the envelope as JSON)`.
    async fn payment_events_between(
        &self,
        agency: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, String)>>;
    /// The online attempts of an agency's payments still pending that started before
    /// `started_before`, oldest first, at most `limit`: `(dossier code, attempt)`.
    async fn pending_attempts_of_agency(
        &self,
        agency: Uuid,
        started_before: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<(String, AttemptRow)>>;
    /// The agency's bank account for transfers, if set.
    async fn bank_account(&self, agency: Uuid) -> DbResult<Option<crate::BankAccount>>;
    /// Sets (or replaces) the agency's bank account.
    async fn put_bank_account(&self, account: &crate::BankAccount) -> DbResult<()>;
    /// The payments of an agency still awaiting their money (due, failed or expired), at most
    /// `limit`: `(dossier code, amount due)`.
    async fn awaited_payments(&self, agency: Uuid, limit: i64) -> DbResult<Vec<(String, i64)>>;
}
