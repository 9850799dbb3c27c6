//! The procedure catalogue: versioned records, their lifecycle and where they apply.

use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::catalogue::ProcedureStatus;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Catalogue: Send + Sync {
    /// Writes records in one transaction: a new code is created (version 1), a changed record
    /// becomes a new version (an amendment when published), an identical one is left alone.
    async fn write_procedures(&self, batch: &[ProcedureWrite]) -> DbResult<Vec<WriteOutcome>>;
    async fn procedure(&self, code: &str) -> DbResult<ProcedureRow>;
    /// The version in force on `at` (the latest when `None`).
    async fn procedure_version(
        &self,
        code: &str,
        at: Option<NaiveDate>,
    ) -> DbResult<ProcedureVersion>;
    async fn procedure_versions(&self, code: &str) -> DbResult<Vec<ProcedureVersion>>;
    /// Publishes a draft or abolishes a procedure on a date, logging the change.
    async fn set_procedure_status(
        &self,
        code: &str,
        status: ProcedureStatus,
        on: NaiveDate,
    ) -> DbResult<()>;
    /// A page of procedures by code, with the filters of `q` (its terms are ignored).
    async fn list_procedures(&self, q: &ProcedureSearch) -> DbResult<Page<ProcedureHit>>;
    /// The codes of every procedure matching the terms and filters of `q` (unordered: the
    /// caller ranks them).
    async fn match_procedures(&self, q: &ProcedureSearch) -> DbResult<Vec<String>>;
    /// Every procedure's search row (for the in-memory ranking data and typo vocabulary).
    async fn procedure_hits(&self) -> DbResult<Vec<ProcedureHit>>;
    /// Changes whenever any procedure changes.
    async fn catalogue_version(&self) -> DbResult<String>;
    async fn procedure_changes(
        &self,
        month: &str,
        agency: Option<Uuid>,
    ) -> DbResult<Vec<ChangeCount>>;
    /// Every current record (JSON), by code.
    async fn procedure_records(&self) -> DbResult<Vec<String>>;
    async fn apply_procedure(&self, code: &str, agency: Uuid, workflow: &str) -> DbResult<()>;
    async fn agency_procedures(&self, agency: Uuid) -> DbResult<Vec<AppliedProcedure>>;
    /// (procedure code, agency) for every procedure an agency of the province applies, by code.
    async fn applied_in_province(&self, province_code: &str) -> DbResult<Vec<(String, Uuid)>>;
    async fn applied_workflow(&self, code: &str, agency: Uuid) -> DbResult<String>;
    /// The agencies that apply a procedure (take its dossiers), by code, at most `limit`.
    async fn agencies_applying(&self, code: &str, limit: i64) -> DbResult<Vec<Agency>>;
}
