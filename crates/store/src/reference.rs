//! Reference data shipped inside the binary: the administrative units of both eras and the
//! official lineage between them (see `data/SOURCES.md`).

use motcua_domain::units::{self, AdminUnit, Lineage};

const UNITS_2025: &str = include_str!("../../../data/units-2025.csv");
const UNITS_LEGACY: &str = include_str!("../../../data/units-legacy.csv");
const LINEAGE: &str = include_str!("../../../data/units-2025-lineage.csv");
const HOLIDAYS: &str = include_str!("../../../data/holiday-schedules.csv");

/// The official schedules shipped with this release, loaded once into a new database; after
/// that, administrators own them.
pub const HOLIDAYS_LOAD: &str = "holiday-schedules-2024-2026";
pub const HOLIDAYS_NOTE: &str =
    "Lịch nghỉ chính thức của cán bộ, công chức, viên chức (phát hành kèm motcua)";

/// Every unit of both eras. The shipped files are checked by the tests, so a parse error here
/// is a build defect.
pub fn all_units() -> Vec<AdminUnit> {
    let mut all = units::parse_units_legacy(UNITS_LEGACY).expect("shipped units-legacy.csv parses");
    all.extend(units::parse_units_2025(UNITS_2025).expect("shipped units-2025.csv parses"));
    all
}

pub fn lineage() -> Vec<Lineage> {
    units::parse_lineage(LINEAGE).expect("shipped units-2025-lineage.csv parses")
}

pub fn holiday_schedules() -> Vec<motcua_domain::calendar::YearSchedule> {
    motcua_domain::calendar::parse_schedule_csv(HOLIDAYS)
        .expect("shipped holiday-schedules.csv parses")
}

#[cfg(test)]
mod tests {
    use motcua_domain::units::{Era, Level};

    #[test]
    fn shipped_units_have_the_official_counts() {
        let all = super::all_units();
        let count = |era, level| {
            all.iter()
                .filter(|u| u.era == era && u.level == level)
                .count()
        };
        assert_eq!(count(Era::TwoTier2025, Level::Province), 34);
        assert_eq!(count(Era::TwoTier2025, Level::Commune), 3321);
        assert_eq!(count(Era::Legacy, Level::Province), 63);
        assert_eq!(count(Era::Legacy, Level::District), 696);
        assert!(count(Era::Legacy, Level::Commune) > 10_000);
        assert_eq!(super::lineage().len(), 10_565);
        let years: Vec<i32> = super::holiday_schedules().iter().map(|s| s.year).collect();
        assert_eq!(years, vec![2024, 2025, 2026]);
    }
}
