//! Agencies: the tree of bodies that receive and decide dossiers.

use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Agencies: Send + Sync {
    async fn create_agency(&self, a: &NewAgency) -> DbResult<Agency>;
    /// Inserts many agencies in one transaction, skipping codes that exist. Returns how many
    /// were inserted.
    async fn insert_agencies(&self, batch: &[NewAgency]) -> DbResult<u64>;
    async fn list_agencies(&self, q: &AgencyQuery) -> DbResult<Page<Agency>>;
    async fn get_agency(&self, id: Uuid) -> DbResult<Agency>;
    async fn get_agency_by_code(&self, code: &str) -> DbResult<Agency>;
    /// The ancestors of an agency, nearest first.
    async fn agency_ancestors(&self, id: Uuid) -> DbResult<Vec<Uuid>>;
}
