//! Administrative units and their lineage across the 2025 reorganisation (reference data).

use async_trait::async_trait;

use crate::*;

#[async_trait]
pub trait Units: Send + Sync {
    async fn search_units(&self, q: &UnitQuery) -> DbResult<Page<UnitRow>>;
    async fn get_unit(&self, id: &str) -> DbResult<UnitRow>;
    /// Links from pre-2025 communes to the 2025 commune `new_code`, or from old to new.
    async fn unit_lineage(
        &self,
        code: &str,
        era: motcua_domain::units::Era,
    ) -> DbResult<Vec<LineageRow>>;
}
