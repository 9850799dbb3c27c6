//! Public holidays as data. A [`RulePack`] lists the statutory holidays (Labour Code 2019
//! art. 112 by default, embedded from `rule-pack-vn.json`) and derives a [`YearSchedule`] for any
//! year; an official yearly schedule (the civil-service days off and make-up Saturdays the
//! government announces) replaces that derivation for its whole year. Schedules travel as CSV
//! (`date,kind,name,source`, see [`parse_schedule_csv`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::error::{CalendarError, ScheduleProblem, weekday_vi};
use super::lunar::{LunarCalendar, LunarDate, can_chi_year};

/// First and last Gregorian years the working-day calendar covers.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// The default Vietnamese rule pack, as JSON.
pub const VIETNAM_RULE_PACK_JSON: &str = include_str!("rule-pack-vn.json");

/// A set of statutory holiday rules with the compensation rule that goes with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePack {
    pub id: String,
    pub name: String,
    /// When present, a holiday on a Saturday or Sunday gives a day off (nghỉ bù) on the next
    /// working day.
    #[serde(default)]
    pub compensation: Option<CompensationRule>,
    pub holidays: Vec<HolidayRule>,
}

/// The nghỉ bù rule: its name prefix ("Nghỉ bù") and legal source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompensationRule {
    pub name: String,
    pub source: String,
}

/// One statutory holiday, in force for Gregorian years `from_year..=to_year` (open when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRule {
    pub name: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
    #[serde(flatten)]
    pub date: HolidayDate,
}

/// How a holiday's days are found in a given year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HolidayDate {
    /// A fixed Gregorian day (Feb 29 is observed in leap years only).
    Solar { month: u32, day: u32 },
    /// A fixed lunar day, never in a leap month; not observed in a year whose month lacks the
    /// day (30 of a 29-day month).
    Lunar { month: u32, day: u32 },
    /// Tết: `days_before_new_year` days before 1/1 lunar (1 = the last day of the old year)
    /// and `days_from_new_year` days from 1/1 on (4 = mùng 1 to mùng 4).
    LunarNewYear {
        days_before_new_year: u32,
        days_from_new_year: u32,
    },
    /// The day next to Quốc khánh (2/9): 1/9 when 2/9 falls on one of `day_before_on`,
    /// otherwise 3/9.
    NationalDayAdjacent { day_before_on: Vec<Weekday> },
}

/// Whether a listed day is a day off or a (make-up) working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    Off,
    Work,
}

/// One day of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub source: String,
}

/// The days off and make-up working days of one Gregorian year. Days it does not list follow
/// the week: Monday–Friday work, Saturday and Sunday rest. Off entries on a weekend are allowed
/// (they name the weekend days of a holiday) and change nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    pub entries: Vec<DayEntry>,
}

pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn schedule_error(line: Option<u64>, problem: ScheduleProblem) -> CalendarError {
    CalendarError::Schedule { line, problem }
}

fn check_year(year: i32) -> Result<(), CalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange { year })
    }
}

impl YearSchedule {
    /// Checks the schedule: supported year, every date in that year, no date twice, a name on
    /// every entry, make-up working days only on a Saturday or Sunday.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&self.year) {
            return Err(schedule_error(
                None,
                ScheduleProblem::YearOutOfRange { year: self.year },
            ));
        }
        let mut seen = BTreeSet::new();
        for e in &self.entries {
            let problem = if e.date.year() != self.year {
                Some(ScheduleProblem::WrongYear {
                    date: e.date,
                    year: self.year,
                })
            } else {
                entry_problem(e, &mut seen)
            };
            if let Some(problem) = problem {
                return Err(schedule_error(None, problem));
            }
        }
        Ok(())
    }

    /// The entries that differ from the plain week, sorted: days off that are not a Saturday
    /// or Sunday, and worked Saturdays and Sundays.
    pub fn holidays(&self) -> Vec<DayEntry> {
        let mut out: Vec<DayEntry> = self
            .entries
            .iter()
            .filter(|e| match e.kind {
                DayKind::Off => !is_weekend(e.date),
                DayKind::Work => is_weekend(e.date),
            })
            .cloned()
            .collect();
        out.sort_by_key(|e| e.date);
        out
    }
}

/// The problem with one entry, if any (checks shared by CSV rows and schedule values).
fn entry_problem(e: &DayEntry, seen: &mut BTreeSet<NaiveDate>) -> Option<ScheduleProblem> {
    if e.name.trim().is_empty() {
        return Some(ScheduleProblem::EmptyName);
    }
    if e.kind == DayKind::Work && !is_weekend(e.date) {
        return Some(ScheduleProblem::WorkOnWeekday {
            date: e.date,
            weekday: e.date.weekday(),
        });
    }
    if !seen.insert(e.date) {
        return Some(ScheduleProblem::DuplicateDate { date: e.date });
    }
    None
}

/// Parses official schedules from CSV with the header `date,kind,name,source` (kind `off` or
/// `work`, dates `YYYY-MM-DD`), grouped by year, each sorted by date. Errors name the line.
pub fn parse_schedule_csv(text: &str) -> Result<Vec<YearSchedule>, CalendarError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| {
        schedule_error(
            Some(1),
            ScheduleProblem::Malformed {
                detail: e.to_string(),
            },
        )
    })?;
    let header: Vec<&str> = header.iter().collect();
    if header != ["date", "kind", "name", "source"] {
        return Err(schedule_error(
            Some(1),
            ScheduleProblem::Header {
                found: header.join(","),
            },
        ));
    }
    let mut years: BTreeMap<i32, Vec<DayEntry>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            schedule_error(
                line,
                ScheduleProblem::Malformed {
                    detail: e.to_string(),
                },
            )
        })?;
        let line = record.position().map(|p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let date = NaiveDate::parse_from_str(field(0), "%Y-%m-%d").map_err(|_| {
            schedule_error(
                line,
                ScheduleProblem::BadDate {
                    value: field(0).to_owned(),
                },
            )
        })?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
            return Err(schedule_error(
                line,
                ScheduleProblem::YearOutOfRange { year: date.year() },
            ));
        }
        let kind = match field(1) {
            "off" => DayKind::Off,
            "work" => DayKind::Work,
            other => {
                return Err(schedule_error(
                    line,
                    ScheduleProblem::BadKind {
                        value: other.to_owned(),
                    },
                ));
            }
        };
        let entry = DayEntry {
            date,
            kind,
            name: field(2).to_owned(),
            source: field(3).to_owned(),
        };
        if let Some(problem) = entry_problem(&entry, &mut seen) {
            return Err(schedule_error(line, problem));
        }
        years.entry(date.year()).or_default().push(entry);
    }
    Ok(years
        .into_iter()
        .map(|(year, mut entries)| {
            entries.sort_by_key(|e| e.date);
            YearSchedule { year, entries }
        })
        .collect())
}

/// Writes schedules in the CSV format [`parse_schedule_csv`] reads.
pub fn write_schedule_csv(schedules: &[YearSchedule]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(["date", "kind", "name", "source"]);
    for s in schedules {
        for e in &s.entries {
            let kind = match e.kind {
                DayKind::Off => "off",
                DayKind::Work => "work",
            };
            let _ = writer.write_record([&e.date.to_string(), kind, &e.name, &e.source]);
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

impl RulePack {
    /// The default Vietnamese pack (Labour Code 2019 art. 112, with nghỉ bù). Quốc khánh has
    /// its adjacent day from 2021 (before that, Labour Code 2012: 2/9 only). The pack applies
    /// the 2012/2019 holidays to every year; earlier codes are not modelled.
    pub fn vietnam() -> RulePack {
        // The embedded JSON is constant and checked by the tests.
        RulePack::from_json(VIETNAM_RULE_PACK_JSON).expect("the embedded rule pack is valid")
    }

    /// Reads and validates a pack from JSON (the format of `rule-pack-vn.json`).
    pub fn from_json(json: &str) -> Result<RulePack, CalendarError> {
        let pack: RulePack = serde_json::from_str(json).map_err(|e| CalendarError::RulePack {
            rule: String::new(),
            reason: e.to_string(),
        })?;
        pack.validate()?;
        Ok(pack)
    }

    /// Checks every rule: months and days in range, year bounds in order.
    pub fn validate(&self) -> Result<(), CalendarError> {
        for rule in &self.holidays {
            let bad = |reason: &str| {
                Err(CalendarError::RulePack {
                    rule: rule.name.clone(),
                    reason: reason.to_owned(),
                })
            };
            if rule.name.trim().is_empty() {
                return bad("empty name");
            }
            if let (Some(from), Some(to)) = (rule.from_year, rule.to_year)
                && from > to
            {
                return bad("from_year is after to_year");
            }
            match &rule.date {
                HolidayDate::Solar { month, day } => {
                    // 2000 is a leap year, so Feb 29 passes.
                    if NaiveDate::from_ymd_opt(2000, *month, *day).is_none() {
                        return bad("no such Gregorian day");
                    }
                }
                HolidayDate::Lunar { month, day } => {
                    if !(1..=12).contains(month) || !(1..=30).contains(day) {
                        return bad("lunar month must be 1–12 and day 1–30");
                    }
                }
                HolidayDate::LunarNewYear {
                    days_before_new_year,
                    days_from_new_year,
                } => {
                    if *days_before_new_year > 15 || *days_from_new_year > 15 {
                        return bad("Tết may span at most 15 days on each side of 1/1");
                    }
                }
                HolidayDate::NationalDayAdjacent { .. } => {}
            }
        }
        Ok(())
    }

    fn in_force(rule: &HolidayRule, year: i32) -> bool {
        rule.from_year.is_none_or(|f| f <= year) && rule.to_year.is_none_or(|t| year <= t)
    }

    /// The statutory holidays falling in Gregorian `year`, before compensation, sorted; when
    /// two rules give the same day, the first rule names it (no extra day is given).
    fn raw_holidays(&self, year: i32) -> Vec<DayEntry> {
        let lunar = LunarCalendar::vietnam();
        let mut days: BTreeMap<NaiveDate, DayEntry> = BTreeMap::new();
        for rule in self.holidays.iter() {
            let mut add = |date: NaiveDate, name: String| {
                if date.year() == year && Self::in_force(rule, year) {
                    days.entry(date).or_insert(DayEntry {
                        date,
                        kind: DayKind::Off,
                        name,
                        source: rule.source.clone(),
                    });
                }
            };
            match &rule.date {
                HolidayDate::Solar { month, day } => {
                    if let Some(d) = NaiveDate::from_ymd_opt(year, *month, *day) {
                        add(d, rule.name.clone());
                    }
                }
                HolidayDate::Lunar { month, day } => {
                    // Lunar months 11–12 of the previous lunar year fall in this Gregorian year.
                    for ly in [year - 1, year] {
                        if let Ok(d) = lunar.lunar_to_solar(LunarDate::new(ly, *month, *day)) {
                            add(d, rule.name.clone());
                        }
                    }
                }
                HolidayDate::LunarNewYear {
                    days_before_new_year,
                    days_from_new_year,
                } => {
                    if let Ok(tet) = lunar.new_year(year) {
                        let name = format!("{} {}", rule.name, can_chi_year(year));
                        let first = tet - Days::new(u64::from(*days_before_new_year));
                        let count = days_before_new_year + days_from_new_year;
                        for d in first.iter_days().take(count as usize) {
                            add(d, name.clone());
                        }
                    }
                }
                HolidayDate::NationalDayAdjacent { day_before_on } => {
                    if let Some(national) = NaiveDate::from_ymd_opt(year, 9, 2) {
                        let adjacent = if day_before_on.contains(&national.weekday()) {
                            national.pred_opt()
                        } else {
                            national.succ_opt()
                        };
                        if let Some(d) = adjacent {
                            add(d, rule.name.clone());
                        }
                    }
                }
            }
        }
        days.into_values().collect()
    }

    /// The schedule the rules alone give for Gregorian `year`: every holiday day (weekend ones
    /// included, for their names) plus, with a compensation rule, one nghỉ bù per holiday day
    /// on a Saturday or Sunday, on the next weekday that is not already off (in date order).
    /// This is what an administrator starts from when entering an official schedule.
    pub fn statutory_schedule(&self, year: i32) -> Result<YearSchedule, CalendarError> {
        check_year(year)?;
        // The previous year's late holidays may push a nghỉ bù into January.
        let mut holidays = self.raw_holidays(year - 1);
        holidays.extend(self.raw_holidays(year));
        let mut off: BTreeSet<NaiveDate> = holidays.iter().map(|e| e.date).collect();
        let mut entries = holidays.clone();
        if let Some(comp) = &self.compensation {
            for h in holidays.iter().filter(|h| is_weekend(h.date)) {
                let mut d = h.date;
                while let Some(next) = d.succ_opt() {
                    d = next;
                    if !is_weekend(d) && !off.contains(&d) {
                        break;
                    }
                }
                off.insert(d);
                entries.push(DayEntry {
                    date: d,
                    kind: DayKind::Off,
                    // "Nghỉ bù Giỗ Tổ Hùng Vương (26/4 là Chủ nhật)": the holiday's name
                    // without its own parenthesis.
                    name: format!(
                        "{} {} ({}/{} là {})",
                        comp.name,
                        h.name.split(" (").next().unwrap_or(&h.name),
                        h.date.day(),
                        h.date.month(),
                        weekday_vi(h.date.weekday())
                    ),
                    source: comp.source.clone(),
                });
            }
        }
        entries.retain(|e| e.date.year() == year);
        entries.sort_by_key(|e| e.date);
        Ok(YearSchedule { year, entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pack_parses_and_round_trips() {
        let pack = RulePack::vietnam();
        assert_eq!(pack.holidays.len(), 7);
        let json = serde_json::to_string(&pack).unwrap();
        assert_eq!(RulePack::from_json(&json).unwrap(), pack);
    }

    #[test]
    fn bad_rules_are_rejected() {
        let bad = r#"{"id":"x","name":"x","holidays":[
            {"type":"lunar","month":13,"day":1,"name":"X","source":"s"}]}"#;
        let err = RulePack::from_json(bad).unwrap_err();
        assert_eq!(err.code(), "holiday_rule_invalid");
        let bad = r#"{"id":"x","name":"x","holidays":[
            {"type":"solar","month":2,"day":30,"name":"X","source":"s"}]}"#;
        assert!(RulePack::from_json(bad).is_err());
        assert!(RulePack::from_json("{").is_err());
    }
}
