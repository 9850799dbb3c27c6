//! The working-day calendar: which days of 1900–2100 are working days, from a rule pack plus
//! the official yearly schedules. Built once into a prefix-sum table, so working-day questions
//! are O(1). A `Calendar` is an immutable value; editing a schedule means building a new one.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::error::{CalendarError, ScheduleProblem};
use super::holidays::{
    DayEntry, DayKind, FIRST_YEAR, LAST_YEAR, RulePack, YearSchedule, is_weekend,
};

/// Days from 1970-01-01 to 1900-01-01 (the calendar's day index 0).
pub(crate) const EPOCH_TO_FIRST_DAY: i64 = -25_567;

/// Working days of 1900-01-01..=2100-12-31 under a rule pack and official schedules.
#[derive(Clone)]
pub struct Calendar {
    pack: RulePack,
    official: BTreeMap<i32, YearSchedule>,
    /// The schedule in force for each year (official, or derived from the pack).
    effective: Vec<YearSchedule>,
    /// `working_before[i]`: working days among day indices `0..i` (length days + 1).
    working_before: Vec<u32>,
    /// Day index of each working day, in order.
    working_days: Vec<u32>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("pack", &self.pack.id)
            .field("official_years", &self.official.keys().collect::<Vec<_>>())
            .field("working_days", &self.working_days.len())
            .finish()
    }
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl Calendar {
    /// Builds the calendar. Each official schedule replaces the pack's derivation for its
    /// whole year; other years follow the pack. Errors on an invalid pack or schedule, or two
    /// schedules for one year.
    pub fn new(pack: RulePack, schedules: Vec<YearSchedule>) -> Result<Calendar, CalendarError> {
        pack.validate()?;
        let mut official = BTreeMap::new();
        for s in schedules {
            s.validate()?;
            let year = s.year;
            if official.insert(year, s).is_some() {
                return Err(CalendarError::Schedule {
                    line: None,
                    problem: ScheduleProblem::DuplicateYear { year },
                });
            }
        }
        let mut effective = Vec::with_capacity((LAST_YEAR - FIRST_YEAR + 1) as usize);
        for year in FIRST_YEAR..=LAST_YEAR {
            effective.push(match official.get(&year) {
                Some(s) => s.clone(),
                None => pack.statutory_schedule(year)?,
            });
        }

        let start = first_day();
        let mut working_before = vec![0u32];
        let mut working_days = Vec::new();
        let mut index = 0u32;
        for schedule in &effective {
            let overrides: BTreeMap<NaiveDate, DayKind> =
                schedule.entries.iter().map(|e| (e.date, e.kind)).collect();
            let year_start = NaiveDate::from_ymd_opt(schedule.year, 1, 1).unwrap_or(start);
            for day in year_start
                .iter_days()
                .take_while(|d| d.year() == schedule.year)
            {
                let working = match overrides.get(&day) {
                    Some(DayKind::Off) => false,
                    Some(DayKind::Work) => true,
                    None => !is_weekend(day),
                };
                if working {
                    working_days.push(index);
                }
                working_before.push(working_days.len() as u32);
                index += 1;
            }
        }
        Ok(Calendar {
            pack,
            official,
            effective,
            working_before,
            working_days,
        })
    }

    /// The default pack with no official schedule.
    pub fn statutory() -> Calendar {
        Calendar::new(RulePack::vietnam(), Vec::new()).expect("the default pack is valid")
    }

    /// The rule pack the calendar was built from.
    pub fn rule_pack(&self) -> &RulePack {
        &self.pack
    }

    /// The official schedule of `year`, if one was given.
    pub fn official_schedule(&self, year: i32) -> Option<&YearSchedule> {
        self.official.get(&year)
    }

    /// Every official schedule, by year.
    pub fn official_schedules(&self) -> impl Iterator<Item = &YearSchedule> {
        self.official.values()
    }

    /// The schedule in force for `year`: the official one, or the pack's derivation.
    pub fn schedule(&self, year: i32) -> Result<&YearSchedule, CalendarError> {
        if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
            Ok(&self.effective[(year - FIRST_YEAR) as usize])
        } else {
            Err(CalendarError::YearOutOfRange { year })
        }
    }

    /// What the rules alone give for `year` (to prefill an administrator's edit).
    pub fn statutory_schedule(&self, year: i32) -> Result<YearSchedule, CalendarError> {
        self.pack.statutory_schedule(year)
    }

    /// Days off that are not a Saturday or Sunday, and worked weekend days, of `year`, sorted,
    /// with their names.
    pub fn holidays(&self, year: i32) -> Result<Vec<DayEntry>, CalendarError> {
        Ok(self.schedule(year)?.holidays())
    }

    /// Number of days the table covers.
    pub(crate) fn day_count(&self) -> usize {
        self.working_before.len() - 1
    }

    /// Day index of a date, or an error outside 1900–2100.
    pub(crate) fn index_of(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let i = i64::from(date.num_days_from_ce()) - i64::from(first_day().num_days_from_ce());
        if i >= 0 && (i as usize) < self.day_count() {
            Ok(i as usize)
        } else {
            Err(CalendarError::DateOutOfRange { date })
        }
    }

    pub(crate) fn date_of(&self, index: usize) -> NaiveDate {
        first_day() + chrono::Days::new(index as u64)
    }

    /// Working days among day indices `0..index`.
    #[inline]
    pub(crate) fn working_before(&self, index: usize) -> u32 {
        self.working_before[index]
    }

    #[inline]
    pub(crate) fn is_working_index(&self, index: usize) -> bool {
        self.working_before[index + 1] != self.working_before[index]
    }

    /// Day index of the working day with ordinal `k` (0 = the first working day of 1900).
    #[inline]
    pub(crate) fn working_day(&self, k: u64) -> Option<usize> {
        usize::try_from(k)
            .ok()
            .and_then(|k| self.working_days.get(k))
            .map(|&i| i as usize)
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.is_working_index(self.index_of(date)?))
    }

    /// The `n`-th working day strictly after `date` (Civil Code art. 147: a period starts the
    /// day after the event). `n = 0` gives `date` itself when it is a working day, else the
    /// next working day.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index_of(date)?;
        let k = if n == 0 {
            u64::from(self.working_before[i])
        } else {
            u64::from(self.working_before[i + 1]) + u64::from(n) - 1
        };
        match self.working_day(k) {
            Some(j) => Ok(self.date_of(j)),
            None => Err(CalendarError::DateOutOfRange { date }),
        }
    }

    /// Working days in `(a, b]` when `a <= b`, or minus the working days in `(b, a]`:
    /// `working_days_between(d, add_working_days(d, n)) == n` for n ≥ 1.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let (i, j) = (self.index_of(a)?, self.index_of(b)?);
        Ok(i64::from(self.working_before[j + 1]) - i64::from(self.working_before[i + 1]))
    }
}
