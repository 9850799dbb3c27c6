//! The personal data access log (see `access_log.rs`).

use async_trait::async_trait;

use crate::*;

#[async_trait]
pub trait AccessLog: Send + Sync {
    /// Records one staff read of a dossier's personal data.
    async fn record_personal_data_read(&self, read: &PersonalDataRead) -> DbResult<()>;
    /// The reads of the dossiers of one applicant (by `applicant_key`), newest first.
    async fn personal_data_reads(
        &self,
        applicant_key: &str,
        limit: i64,
    ) -> DbResult<Vec<PersonalDataRead>>;
}
