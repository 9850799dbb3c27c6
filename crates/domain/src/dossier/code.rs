//! The dossier code (mã số hồ sơ): `<agency electronic code>-<YYMMDD>-<XXXX>`, e.g.
//! `000.00.06.H56-251027-0361` (Circular 01/2018/TT-VPCP art. 19; kept by Circular
//! 03/2025/TT-VPCP). `YYMMDD` is the day the system first received the dossier, in Vietnam time;
//! `XXXX` is the 4-digit sequence of that agency on that day (0001–9999). One code follows the
//! dossier for its whole life, across forwarding and inter-agency transfers (liên thông).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;

use super::error::vn_date;

/// The highest sequence number a day can hold (4 digits).
pub const MAX_DAILY_SEQUENCE: u32 = 9999;

/// A dossier code. Build it with [`DossierCode::new`] or [`DossierCode::for_receipt`], read it
/// with [`DossierCode::parse`]; it serialises as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    agency: AgencyCode,
    date: NaiveDate,
    seq: u16,
}

/// Why a dossier code cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error("invalid dossier code {value:?}: expected the form 000.00.06.H56-251027-0361")]
    Malformed { value: String },
    #[error("invalid agency code {value:?} in a dossier code")]
    Agency { value: String },
    #[error("invalid receipt date {value:?} in a dossier code (expected YYMMDD)")]
    Date { value: String },
    #[error("the receipt date {date} cannot be written as YYMMDD (years 2000–2099 only)")]
    YearOutOfRange { date: NaiveDate },
    #[error("sequence {seq} is outside 1..=9999")]
    SequenceOutOfRange { seq: u32 },
}

impl DossierCodeError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "dossier_code_malformed",
            Self::Agency { .. } => "dossier_code_agency",
            Self::Date { .. } => "dossier_code_date",
            Self::YearOutOfRange { .. } => "dossier_code_year_out_of_range",
            Self::SequenceOutOfRange { .. } => "dossier_code_sequence_out_of_range",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Malformed { value } => format!(
                "Mã hồ sơ «{value}» không đúng định dạng (ví dụ đúng: 000.00.06.H56-251027-0361)."
            ),
            Self::Agency { value } => {
                format!(
                    "Mã cơ quan «{value}» trong mã hồ sơ không hợp lệ (ví dụ đúng: 000.00.06.H56)."
                )
            }
            Self::Date { value } => format!(
                "Ngày tiếp nhận «{value}» trong mã hồ sơ không hợp lệ (định dạng đúng: YYMMDD)."
            ),
            Self::YearOutOfRange { date } => format!(
                "Ngày {} không ghi được theo dạng YYMMDD của mã hồ sơ (chỉ nhận các năm 2000–2099).",
                vn_date(*date)
            ),
            Self::SequenceOutOfRange { seq } => format!(
                "Số thứ tự {seq} không hợp lệ: số thứ tự hồ sơ trong ngày phải từ 1 đến {MAX_DAILY_SEQUENCE}."
            ),
        }
    }
}

impl DossierCode {
    /// The code of the `seq`-th dossier received by `agency` on `date` (Vietnam calendar date).
    pub fn new(agency: &AgencyCode, date: NaiveDate, seq: u32) -> Result<Self, DossierCodeError> {
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierCodeError::YearOutOfRange { date });
        }
        let seq = u16::try_from(seq)
            .ok()
            .filter(|s| (1..=MAX_DAILY_SEQUENCE).contains(&u32::from(*s)))
            .ok_or(DossierCodeError::SequenceOutOfRange { seq })?;
        Ok(DossierCode {
            agency: agency.clone(),
            date,
            seq,
        })
    }

    /// The code of a dossier received at instant `at`: the date is taken in Vietnam time.
    pub fn for_receipt(
        agency: &AgencyCode,
        at: DateTime<Utc>,
        seq: u32,
    ) -> Result<Self, DossierCodeError> {
        DossierCode::new(agency, super::vietnam_date(at), seq)
    }

    /// Reads `000.00.06.H56-251027-0361` (surrounding spaces are ignored).
    pub fn parse(s: &str) -> Result<Self, DossierCodeError> {
        let s = s.trim();
        let malformed = || DossierCodeError::Malformed {
            value: s.to_owned(),
        };
        let mut parts = s.split('-');
        let (Some(agency), Some(date), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let agency = AgencyCode::parse(agency).map_err(|_| DossierCodeError::Agency {
            value: agency.to_owned(),
        })?;
        let all_digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(date, 6) {
            return Err(DossierCodeError::Date {
                value: date.to_owned(),
            });
        }
        if !all_digits(seq, 4) {
            return Err(malformed());
        }
        let number = |range: std::ops::Range<usize>| {
            date.get(range)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        };
        let year = 2000 + number(0..2) as i32;
        let date = NaiveDate::from_ymd_opt(year, number(2..4), number(4..6)).ok_or_else(|| {
            DossierCodeError::Date {
                value: date.to_owned(),
            }
        })?;
        let seq: u32 = seq.parse().map_err(|_| malformed())?;
        DossierCode::new(&agency, date, seq)
    }

    /// The receiving agency's electronic code.
    pub fn agency(&self) -> &AgencyCode {
        &self.agency
    }

    /// The receipt date (Vietnam calendar).
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The sequence number within the agency's day, 1..=9999.
    pub fn seq(&self) -> u32 {
        u32::from(self.seq)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.agency,
            self.date.year().rem_euclid(100),
            self.date.month(),
            self.date.day(),
            self.seq
        )
    }
}

impl FromStr for DossierCode {
    type Err = DossierCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DossierCode::parse(s)
    }
}

impl TryFrom<String> for DossierCode {
    type Error = DossierCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DossierCode::parse(&s)
    }
}

impl From<DossierCode> for String {
    fn from(c: DossierCode) -> String {
        c.to_string()
    }
}
