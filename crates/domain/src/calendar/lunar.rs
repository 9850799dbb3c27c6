//! The Vietnamese lunisolar calendar (âm lịch), lunar years 1900–2100, computed from astronomy
//! (see [`super::astro`]) rather than copied from tables.
//!
//! Rules, evaluated in local civil days at the calendar's UTC offset (UTC+7 for Vietnam):
//! - a lunar month starts on the local day that contains the new moon;
//! - month 11 is the month that contains the December solstice (Sun at 270°);
//! - when 13 months separate two month-11 starts, the first month after month 11 that contains
//!   no major solar term (trung khí, a multiple of 30° of solar longitude) is the leap month and
//!   takes the number of the month before it.
//!
//! The same rules at UTC+8 give the Chinese calendar, which is how the engine is checked against
//! an independent table (tests/data/SOURCES.md). Month starts are computed once per offset, so a
//! conversion is a binary search.

use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::astro::{jd_ut_from_jde, jde_from_jd_ut, new_moon_jde, sun_apparent_longitude};
use super::error::CalendarError;

/// First and last lunar years the engine converts.
pub const FIRST_LUNAR_YEAR: i32 = 1900;
pub const LAST_LUNAR_YEAR: i32 = 2100;

/// Vietnam's offset from UTC, in seconds (UTC+7 since 1968 for the calendar; no DST).
pub const VIETNAM_UTC_OFFSET_SECONDS: i32 = crate::vn_time::OFFSET_SECONDS;

/// Julian day number minus chrono's `num_days_from_ce` for the same civil date.
const JDN_MINUS_CE: i32 = 1_721_425;

/// A date of the lunar calendar. `year` is the lunar year that starts at Tết (so 5/1/2025 in
/// the Gregorian calendar is 6/12 of lunar year 2024). `leap` marks the leap (nhuận) month,
/// which follows the ordinary month of the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub leap: bool,
    pub day: u32,
}

impl LunarDate {
    /// An ordinary (non-leap) lunar date.
    pub fn new(year: i32, month: u32, day: u32) -> Self {
        Self {
            year,
            month,
            leap: false,
            day,
        }
    }

    /// A date of a leap month.
    pub fn leap(year: i32, month: u32, day: u32) -> Self {
        Self {
            year,
            month,
            leap: true,
            day,
        }
    }
}

impl fmt::Display for LunarDate {
    /// "ngày 26 tháng 6 nhuận năm Ất Tỵ (2025)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ngày {} tháng {}{} năm {} ({})",
            self.day,
            self.month,
            if self.leap { " nhuận" } else { "" },
            can_chi_year(self.year),
            self.year
        )
    }
}

const STEMS: [&str; 10] = [
    "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
];
const BRANCHES: [&str; 12] = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
];

/// The sexagenary (can chi) name of a lunar year in Vietnamese: 2024 → "Giáp Thìn",
/// 2025 → "Ất Tỵ", 2026 → "Bính Ngọ". Defined for every year (1984 is Giáp Tý).
pub fn can_chi_year(year: i32) -> String {
    let stem = (i64::from(year) + 6).rem_euclid(10) as usize;
    let branch = (i64::from(year) + 8).rem_euclid(12) as usize;
    format!("{} {}", STEMS[stem], BRANCHES[branch])
}

/// One lunar month: its first day (as chrono's days-from-CE) and its label.
#[derive(Debug, Clone, Copy)]
struct Month {
    start: i32,
    year: i32,
    month: u32,
    leap: bool,
}

/// Precomputed month starts of the lunar calendar at one UTC offset.
#[derive(Debug, Clone)]
pub struct LunarCalendar {
    offset_seconds: i32,
    /// Consecutive months; the last one only marks where the one before it ends.
    months: Vec<Month>,
    /// Index in `months` of month 1 of each lunar year FIRST_LUNAR_YEAR..=LAST_LUNAR_YEAR + 1.
    year_start: Vec<usize>,
}

impl LunarCalendar {
    /// The Vietnamese calendar (UTC+7), computed on first use and shared.
    pub fn vietnam() -> &'static LunarCalendar {
        static VIETNAM: OnceLock<LunarCalendar> = OnceLock::new();
        VIETNAM.get_or_init(|| Self::with_utc_offset_seconds(VIETNAM_UTC_OFFSET_SECONDS))
    }

    /// The same rules evaluated at another UTC offset, e.g. `8 * 3600` for the Chinese
    /// calendar. Takes a few milliseconds; keep the value.
    pub fn with_utc_offset_seconds(offset_seconds: i32) -> LunarCalendar {
        let off_days = f64::from(offset_seconds) / 86_400.0;
        // Lunations from late 1897 to 2103: enough for month 11 of 1898 up to month 11 of 2102.
        let k_first = ((1897.5 - 2000.0) * 12.3685_f64).floor() as i32;
        let k_last = ((2103.0 - 2000.0) * 12.3685_f64).ceil() as i32;
        let starts: Vec<i32> = (k_first..=k_last)
            .map(|k| {
                let jd_ut = jd_ut_from_jde(new_moon_jde(k));
                (jd_ut + 0.5 + off_days).floor() as i32 - JDN_MINUS_CE
            })
            .collect();
        // Solar longitude at the local midnight that begins each month.
        let longitude: Vec<f64> = starts
            .iter()
            .map(|&d| {
                let jd_ut = f64::from(d + JDN_MINUS_CE) - 0.5 - off_days;
                sun_apparent_longitude(jde_from_jd_ut(jd_ut))
            })
            .collect();
        let has_major_term =
            |i: usize| (longitude[i] / 30.0).floor() != (longitude[i + 1] / 30.0).floor();
        // Months that contain the December solstice.
        let elevens: Vec<usize> = (0..starts.len() - 1)
            .filter(|&i| longitude[i] < 270.0 && longitude[i + 1] >= 270.0)
            .collect();

        let mut months = Vec::with_capacity(starts.len());
        for pair in elevens.windows(2) {
            let (p, q) = (pair[0], pair[1]);
            debug_assert!(
                q - p == 12 || q - p == 13,
                "{} months between solstices",
                q - p
            );
            let gregorian_year = civil(starts[p]).map_or(0, |d| d.year());
            let leap_at = if q - p == 13 {
                (p + 1..q).find(|&i| !has_major_term(i))
            } else {
                None
            };
            let (mut month, mut year) = (10, gregorian_year);
            for (i, &start) in starts.iter().enumerate().take(q).skip(p) {
                let leap = Some(i) == leap_at;
                if !leap {
                    month = month % 12 + 1;
                    if month == 1 {
                        year = gregorian_year + 1;
                    }
                }
                months.push(Month {
                    start,
                    year,
                    month,
                    leap,
                });
            }
        }
        if let Some(&last) = elevens.last() {
            let year = civil(starts[last]).map_or(0, |d| d.year());
            months.push(Month {
                start: starts[last],
                year,
                month: 11,
                leap: false,
            });
        }

        let year_start = (FIRST_LUNAR_YEAR..=LAST_LUNAR_YEAR + 1)
            .map(|y| {
                months
                    .iter()
                    .position(|m| m.year == y && m.month == 1 && !m.leap)
                    .expect("the lunation range covers lunar years 1900-2101")
            })
            .collect();
        LunarCalendar {
            offset_seconds,
            months,
            year_start,
        }
    }

    /// The UTC offset this calendar was computed for, in seconds.
    pub fn utc_offset_seconds(&self) -> i32 {
        self.offset_seconds
    }

    fn year_index(&self, year: i32) -> Result<usize, CalendarError> {
        if (FIRST_LUNAR_YEAR..=LAST_LUNAR_YEAR).contains(&year) {
            Ok((year - FIRST_LUNAR_YEAR) as usize)
        } else {
            Err(CalendarError::YearOutOfRange { year })
        }
    }

    /// The months of lunar year `year`, with the start of the next year at the end.
    fn months_of(&self, year: i32) -> Result<&[Month], CalendarError> {
        let i = self.year_index(year)?;
        Ok(&self.months[self.year_start[i]..=self.year_start[i + 1]])
    }

    /// The lunar date of a Gregorian date. Supported: from Tết 1900 (1900-01-31) to the day
    /// before Tết 2101.
    pub fn solar_to_lunar(&self, date: NaiveDate) -> Result<LunarDate, CalendarError> {
        let d = date.num_days_from_ce();
        let first = self.months[self.year_start[0]].start;
        let end = self.months[self.year_start[self.year_start.len() - 1]].start;
        if d < first || d >= end {
            return Err(CalendarError::DateOutOfRange { date });
        }
        let i = self.months.partition_point(|m| m.start <= d) - 1;
        let m = self.months[i];
        Ok(LunarDate {
            year: m.year,
            month: m.month,
            leap: m.leap,
            day: (d - m.start + 1) as u32,
        })
    }

    /// The Gregorian date of a lunar date; errors for a month or a day the year does not have.
    pub fn lunar_to_solar(&self, date: LunarDate) -> Result<NaiveDate, CalendarError> {
        let months = self.months_of(date.year)?;
        if !(1..=12).contains(&date.month) {
            return Err(CalendarError::LunarMonthOutOfRange { month: date.month });
        }
        let Some(i) = months[..months.len() - 1]
            .iter()
            .position(|m| m.month == date.month && m.leap == date.leap)
        else {
            return Err(CalendarError::NoSuchLeapMonth {
                year: date.year,
                month: date.month,
                leap_month: leap_of(months),
            });
        };
        let days_in_month = (months[i + 1].start - months[i].start) as u32;
        if date.day == 0 || date.day > days_in_month {
            return Err(CalendarError::LunarDayOutOfRange {
                year: date.year,
                month: date.month,
                leap: date.leap,
                day: date.day,
                days_in_month,
            });
        }
        let d = months[i].start + date.day as i32 - 1;
        civil(d).ok_or(CalendarError::YearOutOfRange { year: date.year })
    }

    /// Tết: the Gregorian date of 1/1 of lunar year `year`.
    pub fn new_year(&self, year: i32) -> Result<NaiveDate, CalendarError> {
        self.lunar_to_solar(LunarDate::new(year, 1, 1))
    }

    /// The leap month of lunar year `year`, if it has one (e.g. 6 for 2025).
    pub fn leap_month(&self, year: i32) -> Result<Option<u32>, CalendarError> {
        Ok(leap_of(self.months_of(year)?))
    }

    /// Number of days (29 or 30) of a month of lunar year `year`.
    pub fn days_in_month(&self, year: i32, month: u32, leap: bool) -> Result<u32, CalendarError> {
        let first = self.lunar_to_solar(LunarDate {
            year,
            month,
            leap,
            day: 1,
        })?;
        let months = self.months_of(year)?;
        let d = first.num_days_from_ce();
        let i = months.iter().position(|m| m.start == d).unwrap_or(0);
        Ok((months[i + 1].start - months[i].start) as u32)
    }
}

fn leap_of(months: &[Month]) -> Option<u32> {
    months[..months.len() - 1]
        .iter()
        .find(|m| m.leap)
        .map(|m| m.month)
}

fn civil(days_from_ce: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days_from_ce)
}

/// [`LunarCalendar::solar_to_lunar`] on the Vietnamese calendar.
pub fn solar_to_lunar(date: NaiveDate) -> Result<LunarDate, CalendarError> {
    LunarCalendar::vietnam().solar_to_lunar(date)
}

/// [`LunarCalendar::lunar_to_solar`] on the Vietnamese calendar.
pub fn lunar_to_solar(date: LunarDate) -> Result<NaiveDate, CalendarError> {
    LunarCalendar::vietnam().lunar_to_solar(date)
}

/// Tết Nguyên đán of lunar year `year` in the Vietnamese calendar.
pub fn lunar_new_year(year: i32) -> Result<NaiveDate, CalendarError> {
    LunarCalendar::vietnam().new_year(year)
}

/// The leap month of a Vietnamese lunar year, if any.
pub fn leap_month(year: i32) -> Result<Option<u32>, CalendarError> {
    LunarCalendar::vietnam().leap_month(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn can_chi() {
        assert_eq!(can_chi_year(2024), "Giáp Thìn");
        assert_eq!(can_chi_year(2025), "Ất Tỵ");
        assert_eq!(can_chi_year(2026), "Bính Ngọ");
        assert_eq!(can_chi_year(1984), "Giáp Tý");
        assert_eq!(can_chi_year(2023), "Quý Mão");
        assert_eq!(can_chi_year(1900), "Canh Tý");
    }

    #[test]
    fn months_are_29_or_30_days_and_years_have_12_or_13() {
        let cal = LunarCalendar::vietnam();
        for w in cal.months.windows(2) {
            let len = w[1].start - w[0].start;
            assert!(len == 29 || len == 30, "{:?} has {len} days", w[0]);
        }
        for y in FIRST_LUNAR_YEAR..=LAST_LUNAR_YEAR {
            let n = cal.months_of(y).unwrap().len() - 1;
            assert_eq!(
                n,
                if cal.leap_month(y).unwrap().is_some() {
                    13
                } else {
                    12
                },
                "{y}"
            );
        }
    }

    #[test]
    fn display() {
        let d = solar_to_lunar(ymd(2025, 8, 19)).unwrap();
        assert_eq!(d.to_string(), "ngày 26 tháng 6 nhuận năm Ất Tỵ (2025)");
    }
}
