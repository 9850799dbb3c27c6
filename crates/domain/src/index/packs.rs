//! The packs known to the system ([`IndexPacks`]), keyed by version and effective date: a
//! period is scored with the pack in force on a chosen day ([`IndexPacks::for_date`]).

use chrono::NaiveDate;

use super::error::PackError;
use super::pack::IndexPack;

/// The embedded pack: Decision 766 as the national portal computes it (2025, two-tier).
pub const DVCQG_2025_JSON: &str = include_str!("index-766-dvcqg-2025.json");

/// The embedded pack, parsed.
pub fn dvcqg_2025() -> IndexPack {
    // The embedded JSON is constant and checked by the tests.
    IndexPack::from_json(DVCQG_2025_JSON).expect("the embedded index pack is valid")
}

/// Packs ordered by effective date; versions and dates unique.
#[derive(Debug, Clone, Default)]
pub struct IndexPacks {
    packs: Vec<IndexPack>,
}

impl IndexPacks {
    /// No pack.
    pub fn new() -> IndexPacks {
        IndexPacks::default()
    }

    /// The packs shipped with motcua.
    pub fn embedded() -> IndexPacks {
        IndexPacks {
            packs: vec![dvcqg_2025()],
        }
    }

    /// Adds a pack after validating it; refuses a version already loaded or a second pack
    /// taking effect on the same day.
    pub fn add(&mut self, pack: IndexPack) -> Result<(), PackError> {
        pack.validate()?;
        if self.get(&pack.version).is_some() {
            return Err(PackError::DuplicateVersion {
                version: pack.version,
            });
        }
        if let Some(same) = self
            .packs
            .iter()
            .find(|p| p.effective_from == pack.effective_from)
        {
            return Err(PackError::DuplicateEffectiveDate {
                first: same.version.clone(),
                second: pack.version,
                date: pack.effective_from,
            });
        }
        let at = self
            .packs
            .partition_point(|p| p.effective_from < pack.effective_from);
        self.packs.insert(at, pack);
        Ok(())
    }

    /// The pack in force on `date`: the latest taking effect on or before it. Score a period
    /// with the pack in force on its first day.
    pub fn for_date(&self, date: NaiveDate) -> Option<&IndexPack> {
        self.packs.iter().rev().find(|p| p.effective_from <= date)
    }

    /// The pack of this version.
    pub fn get(&self, version: &str) -> Option<&IndexPack> {
        self.packs.iter().find(|p| p.version == version)
    }

    /// Every pack, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &IndexPack> {
        self.packs.iter()
    }
}
