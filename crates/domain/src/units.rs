//! Administrative units (đơn vị hành chính) as effective-dated data.
//!
//! Two eras are shipped: the three-tier units before 1/7/2025 (63 provinces, 696 districts,
//! communes) and the two-tier units since (34 provinces, 3,321 communes, no district), with the
//! official lineage old commune → new commune. Codes are the statistics office's and are reused
//! across eras with other meanings (commune 00004 is Trúc Bạch before and Ba Đình after), so a
//! unit is identified by era, level and code together ([`AdminUnit::id`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{fold_ascii, tone_key};

/// The first day of the two-tier local government (Resolution 202/2025/QH15).
pub fn two_tier_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "province" => Some(Level::Province),
            "district" => Some(Level::District),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }
}

/// Which set of units a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// Before 1/7/2025: province → district → commune.
    Legacy,
    /// Since 1/7/2025: province → commune.
    TwoTier2025,
}

impl Era {
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Legacy => "legacy",
            Era::TwoTier2025 => "2025",
        }
    }

    /// The era in force on a date.
    pub fn at(date: NaiveDate) -> Era {
        if date < two_tier_start() {
            Era::Legacy
        } else {
            Era::TwoTier2025
        }
    }

    pub fn valid_from(self) -> Option<NaiveDate> {
        match self {
            Era::Legacy => None,
            Era::TwoTier2025 => Some(two_tier_start()),
        }
    }

    pub fn valid_to(self) -> Option<NaiveDate> {
        match self {
            Era::Legacy => two_tier_start().pred_opt(),
            Era::TwoTier2025 => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub era: Era,
    pub level: Level,
    pub code: String,
    /// Full name with its type, as officially written: "Phường Hòa Hiệp", "Tỉnh Thanh Hóa".
    pub name: String,
    /// "Tỉnh", "Thành phố", "Quận", "Huyện", "Phường", "Xã", "Đặc khu", ...
    pub kind: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl AdminUnit {
    /// Stable identifier across eras: `2025:commune:00004`.
    pub fn id(&self) -> String {
        unit_id(self.era, self.level, &self.code)
    }

    pub fn name_ascii(&self) -> String {
        fold_ascii(&self.name)
    }

    pub fn name_key(&self) -> String {
        tone_key(&self.name)
    }
}

pub fn unit_id(era: Era, level: Level, code: &str) -> String {
    format!("{}:{}:{}", era.as_str(), level.as_str(), code)
}

/// A link from a pre-2025 commune to the 2025 commune it became (all or part of).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    pub old_code: String,
    pub old_district_code: String,
    pub old_province_code: String,
    pub partly: bool,
    pub new_code: String,
    pub new_province_code: String,
}

#[derive(Debug, thiserror::Error)]
#[error("units data line {line}: {message}")]
pub struct UnitsDataError {
    pub line: u64,
    pub message: String,
}

fn reader(data: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data.as_bytes())
}

fn data_err(line: u64, e: impl std::fmt::Display) -> UnitsDataError {
    UnitsDataError {
        line,
        message: e.to_string(),
    }
}

/// The type word a name starts with ("Thành phố Hà Nội" → "Thành phố").
fn kind_of(name: &str) -> String {
    for k in [
        "Thành phố",
        "Thị xã",
        "Thị trấn",
        "Đặc khu",
        "Tỉnh",
        "Quận",
        "Huyện",
        "Phường",
        "Xã",
    ] {
        if name.starts_with(k) {
            return k.to_string();
        }
    }
    String::new()
}

/// Parses `units-2025.csv`: `province_code,province_name,ward_code,ward_name,ward_type,lat,lon`.
pub fn parse_units_2025(data: &str) -> Result<Vec<AdminUnit>, UnitsDataError> {
    let mut out: Vec<AdminUnit> = Vec::new();
    let mut seen_province = std::collections::HashSet::new();
    for (i, rec) in reader(data).records().enumerate() {
        let line = i as u64 + 2;
        let r = rec.map_err(|e| data_err(line, e))?;
        let f = |n: usize| r.get(n).unwrap_or("").trim().to_string();
        let (pcode, pname, code, name, kind) = (f(0), f(1), f(2), f(3), f(4));
        if pcode.is_empty() || code.is_empty() || name.is_empty() {
            return Err(data_err(line, "missing code or name"));
        }
        if seen_province.insert(pcode.clone()) {
            out.push(AdminUnit {
                era: Era::TwoTier2025,
                level: Level::Province,
                kind: kind_of(&pname),
                code: pcode.clone(),
                name: pname,
                parent_code: None,
                province_code: pcode.clone(),
                lat: None,
                lon: None,
            });
        }
        out.push(AdminUnit {
            era: Era::TwoTier2025,
            level: Level::Commune,
            code,
            name,
            kind,
            parent_code: Some(pcode.clone()),
            province_code: pcode,
            lat: f(5).parse().ok(),
            lon: f(6).parse().ok(),
        });
    }
    Ok(out)
}

/// Parses `units-legacy.csv`:
/// `province_code,province_name,district_code,district_name,district_type,ward_code,ward_name,ward_type`.
pub fn parse_units_legacy(data: &str) -> Result<Vec<AdminUnit>, UnitsDataError> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, rec) in reader(data).records().enumerate() {
        let line = i as u64 + 2;
        let r = rec.map_err(|e| data_err(line, e))?;
        let f = |n: usize| r.get(n).unwrap_or("").trim().to_string();
        let (pcode, pname, dcode, dname, dkind, code, name, kind) =
            (f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7));
        if pcode.is_empty() || dcode.is_empty() {
            return Err(data_err(line, "missing province or district code"));
        }
        let unit = |level, code: &str, name: &str, kind: &str, parent: Option<&str>| AdminUnit {
            era: Era::Legacy,
            level,
            code: code.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            parent_code: parent.map(str::to_string),
            province_code: pcode.clone(),
            lat: None,
            lon: None,
        };
        if seen.insert((Level::Province, pcode.clone())) {
            out.push(unit(
                Level::Province,
                &pcode,
                &pname,
                &kind_of(&pname),
                None,
            ));
        }
        if seen.insert((Level::District, dcode.clone())) {
            out.push(unit(Level::District, &dcode, &dname, &dkind, Some(&pcode)));
        }
        // A few districts have no commune (island districts): their row has no ward.
        if !code.is_empty() && seen.insert((Level::Commune, code.clone())) {
            out.push(unit(Level::Commune, &code, &name, &kind, Some(&dcode)));
        }
    }
    Ok(out)
}

/// Parses `units-2025-lineage.csv`.
pub fn parse_lineage(data: &str) -> Result<Vec<Lineage>, UnitsDataError> {
    let mut out = Vec::new();
    for (i, rec) in reader(data).records().enumerate() {
        let line = i as u64 + 2;
        let r = rec.map_err(|e| data_err(line, e))?;
        let f = |n: usize| r.get(n).unwrap_or("").trim().to_string();
        if f(0).is_empty() || f(4).is_empty() {
            return Err(data_err(line, "missing old or new code"));
        }
        out.push(Lineage {
            old_code: f(0),
            old_district_code: f(1),
            old_province_code: f(2),
            partly: f(3) == "1",
            new_code: f(4),
            new_province_code: f(5),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_eras_with_their_levels() {
        let new = "province_code,province_name,ward_code,ward_name,ward_type,ward_lat,ward_lon\n\
                   01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường,21.0386,105.838\n";
        let units = parse_units_2025(new).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].level, Level::Province);
        assert_eq!(units[0].kind, "Thành phố");
        assert_eq!(units[1].id(), "2025:commune:00004");
        assert_eq!(units[1].parent_code.as_deref(), Some("01"));

        let old = "province_code,province_name,district_code,district_name,district_type,ward_code,ward_name,ward_type\n\
                   01,Thành phố Hà Nội,001,Quận Ba Đình,Quận,00004,Phường Trúc Bạch,Phường\n";
        let units = parse_units_legacy(old).unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(units[2].id(), "legacy:commune:00004");
        assert_eq!(units[2].parent_code.as_deref(), Some("001"));
    }

    #[test]
    fn era_switches_on_first_july_2025() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(Era::at(d(2025, 6, 30)), Era::Legacy);
        assert_eq!(Era::at(d(2025, 7, 1)), Era::TwoTier2025);
    }

    #[test]
    fn a_row_without_code_is_refused_with_its_line() {
        let bad = "province_code,province_name,ward_code,ward_name,ward_type,ward_lat,ward_lon\n\
                   01,Hà Nội,,Phường X,Phường,,\n";
        let e = parse_units_2025(bad).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
