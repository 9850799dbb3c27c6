//! Agencies (cơ quan, đơn vị) and their electronic identifier codes.
//!
//! The code is the one used in dossier codes (Circular 01/2018/TT-VPCP art. 19, Circular
//! 03/2025/TT-VPCP): `V1V2V3.Z1Z2.Y1Y2.MX1X2` under the QCVN on identifier codes of agencies
//! (TT 10/2016/TT-BTTTT), e.g. `000.00.06.H56`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Bộ, cơ quan ngang bộ.
    Ministry,
    /// Ủy ban nhân dân tỉnh / thành phố.
    ProvinceCommittee,
    /// Sở, ban, ngành (or a ministry's cục, vụ).
    Department,
    /// Ủy ban nhân dân xã / phường / đặc khu.
    CommuneCommittee,
    /// Trung tâm Phục vụ hành chính công (Bộ phận Một cửa).
    ServiceCentre,
    /// Cơ quan ngành dọc: công an, thuế, bảo hiểm xã hội...
    VerticalBranch,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 6] = [
        AgencyKind::Ministry,
        AgencyKind::ProvinceCommittee,
        AgencyKind::Department,
        AgencyKind::CommuneCommittee,
        AgencyKind::ServiceCentre,
        AgencyKind::VerticalBranch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Ministry => "ministry",
            AgencyKind::ProvinceCommittee => "province_committee",
            AgencyKind::Department => "department",
            AgencyKind::CommuneCommittee => "commune_committee",
            AgencyKind::ServiceCentre => "service_centre",
            AgencyKind::VerticalBranch => "vertical_branch",
        }
    }

    pub fn parse(s: &str) -> Option<AgencyKind> {
        AgencyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AgencyKind::Ministry => "Bộ, cơ quan ngang bộ",
            AgencyKind::ProvinceCommittee => "UBND cấp tỉnh",
            AgencyKind::Department => "Sở, ban, ngành",
            AgencyKind::CommuneCommittee => "UBND cấp xã",
            AgencyKind::ServiceCentre => "Trung tâm Phục vụ hành chính công",
            AgencyKind::VerticalBranch => "Cơ quan ngành dọc",
        }
    }
}

/// An agency's electronic identifier code, `V1V2V3.Z1Z2.Y1Y2.MX1X2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid agency code {0:?}: expected the form 000.00.06.H56")]
pub struct InvalidAgencyCode(pub String);

impl AgencyCode {
    pub fn parse(s: &str) -> Result<AgencyCode, InvalidAgencyCode> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('.').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let ok = parts.len() == 4
            && digits(parts[0], 3)
            && digits(parts[1], 2)
            && digits(parts[2], 2)
            && parts[3].len() == 3
            && parts[3].as_bytes()[0].is_ascii_uppercase()
            && digits(&parts[3][1..], 2);
        if ok {
            Ok(AgencyCode(s.to_string()))
        } else {
            Err(InvalidAgencyCode(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = InvalidAgencyCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AgencyCode::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_qcvn_codes_and_refuses_others() {
        assert!(AgencyCode::parse("000.00.06.H56").is_ok());
        assert!(AgencyCode::parse(" 000.00.01.H26 ").is_ok());
        for bad in [
            "",
            "000.00.06",
            "000.00.06.h56",
            "00.00.06.H56",
            "000.0a.06.H56",
            "000.00.06.H5",
        ] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(k.as_str()), Some(k));
        }
    }
}
