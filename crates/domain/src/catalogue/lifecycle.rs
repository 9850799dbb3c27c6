//! A procedure's lifecycle in the catalogue: a draft is published, a published procedure is
//! abolished; nothing goes back. [`ProcedureStatus::can_transition_to`] is the one table of
//! these moves.

use serde::{Deserialize, Serialize};

use crate::UnknownKey;

/// Where a procedure stands in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureStatus {
    /// Dự thảo: entered, not yet public; no dossier can be lodged.
    Draft,
    /// Đang công khai: public, dossiers are lodged.
    Published,
    /// Đã bãi bỏ: abolished on a date; its history stays.
    Abolished,
}

impl ProcedureStatus {
    pub const ALL: [ProcedureStatus; 3] = [
        ProcedureStatus::Draft,
        ProcedureStatus::Published,
        ProcedureStatus::Abolished,
    ];

    /// Stable snake_case key (same as the serde name; the value stored).
    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureStatus::Draft => "draft",
            ProcedureStatus::Published => "published",
            ProcedureStatus::Abolished => "abolished",
        }
    }

    pub fn parse(s: &str) -> Option<ProcedureStatus> {
        ProcedureStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status as people read it.
    pub fn label_vi(self) -> &'static str {
        match self {
            ProcedureStatus::Draft => "Dự thảo",
            ProcedureStatus::Published => "Đang công khai",
            ProcedureStatus::Abolished => "Đã bãi bỏ",
        }
    }

    /// Whether a procedure in this status may be moved to `to`: publish a draft, abolish a
    /// published procedure.
    pub fn can_transition_to(self, to: ProcedureStatus) -> bool {
        matches!(
            (self, to),
            (ProcedureStatus::Draft, ProcedureStatus::Published)
                | (ProcedureStatus::Published, ProcedureStatus::Abolished)
        )
    }
}

impl std::fmt::Display for ProcedureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for ProcedureStatus {
    type Error = UnknownKey;

    fn try_from(value: String) -> Result<Self, UnknownKey> {
        ProcedureStatus::parse(&value).ok_or(UnknownKey {
            what: "procedure status",
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ProcedureStatus::{self, *};

    #[test]
    fn only_forward_moves_are_allowed() {
        for from in ProcedureStatus::ALL {
            for to in ProcedureStatus::ALL {
                let allowed = matches!((from, to), (Draft, Published) | (Published, Abolished));
                assert_eq!(from.can_transition_to(to), allowed, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn keys_round_trip_and_unknown_ones_are_errors() {
        for s in ProcedureStatus::ALL {
            assert_eq!(ProcedureStatus::try_from(s.as_str().to_string()), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        let e = ProcedureStatus::try_from("retired".to_string()).unwrap_err();
        assert_eq!(e.to_string(), "unknown procedure status \"retired\"");
    }
}
