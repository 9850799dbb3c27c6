//! Vietnam time: UTC+7, no daylight saving time. Every instant is stored in UTC and everything
//! legal (dates, office hours, deadlines, registers, "today") is computed in Vietnam time; every
//! conversion between the two goes through this module. [`now`] and [`today`] are the only
//! functions of the domain that read the clock.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// Vietnam's offset from UTC, in seconds (UTC+7 since 1975; no DST).
pub const OFFSET_SECONDS: i32 = 7 * 3600;

/// The fixed offset, for `with_timezone` and `and_local_timezone`.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(OFFSET_SECONDS).expect("UTC+7 is a valid offset")
}

/// The current instant, in Vietnam time.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&offset())
}

/// Today's date in Vietnam.
pub fn today() -> NaiveDate {
    date(Utc::now())
}

/// An instant with Vietnam's offset (for formatting with `%z` or `to_rfc3339`).
pub fn at(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&offset())
}

/// Vietnam's wall-clock time of an instant; `None` past the end of chrono's range.
pub fn checked_local(t: DateTime<Utc>) -> Option<NaiveDateTime> {
    t.naive_utc()
        .checked_add_signed(TimeDelta::seconds(i64::from(OFFSET_SECONDS)))
}

/// Vietnam's wall-clock time of an instant (the UTC wall clock past the end of chrono's range,
/// which no dossier reaches).
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    checked_local(t).unwrap_or_else(|| t.naive_utc())
}

/// The date of an instant in Vietnam (the last representable date at the very end of chrono's
/// range).
pub fn date(t: DateTime<Utc>) -> NaiveDate {
    checked_local(t).map_or(NaiveDate::MAX, |l| l.date())
}

/// The instant of a Vietnam wall-clock time (no DST: every local time exists once).
pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::seconds(i64::from(OFFSET_SECONDS))).and_utc()
}

/// The instant `time` on `day` in Vietnam.
pub fn instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    to_utc(day.and_time(time))
}

/// The instant a Vietnam day starts.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    instant(day, NaiveTime::MIN)
}

/// A day as people write it in Vietnam, `24/11/2025` (or `24-11-2025`, `24.11.2025`, one-digit
/// day and month allowed), or as links and older forms carry it, `2025-11-24`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() > 10 {
        return None;
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let mut parts = s.split(['/', '-', '.']);
    let day = parts.next()?.parse::<u32>().ok()?;
    let month = parts.next()?.parse::<u32>().ok()?;
    let year_text = parts.next()?;
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year_text.parse().ok()?, month, day)
}

/// A day as a form shows it: `24/11/2025`.
pub fn day_text(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A Vietnam wall-clock time as people type it: `24/11/2025 14:30` (a day alone is `None`; the
/// caller chooses its hour), or `2025-11-24T14:30` as older forms carry it.
pub fn parse_day_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.len() > 20 {
        return None;
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Some(t);
    }
    let (day, time) = s.split_once([' ', 'T'])?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some(parse_day(day)?.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_are_read_as_written_in_vietnam_and_as_links_carry_them() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 4).unwrap();
        for s in [
            "04/11/2025",
            "4/11/2025",
            " 04-11-2025 ",
            "4.11.2025",
            "2025-11-04",
        ] {
            assert_eq!(parse_day(s), Some(d), "{s}");
        }
        // Day first, never month first.
        assert_eq!(
            parse_day("11/04/2025"),
            NaiveDate::from_ymd_opt(2025, 4, 11)
        );
        for s in [
            "31/02/2025",
            "04/13/2025",
            "04/11/25",
            "",
            "hôm nay",
            "1/1/2025/1",
        ] {
            assert_eq!(parse_day(s), None, "{s}");
        }
        assert_eq!(day_text(d), "04/11/2025");
        let t = parse_day_time("04/11/2025 14:30").unwrap();
        assert_eq!(t.to_string(), "2025-11-04 14:30:00");
        assert_eq!(parse_day_time("2025-11-04T14:30"), Some(t));
        assert_eq!(parse_day_time("04/11/2025"), None);
        assert_eq!(parse_day_time("04/11/2025 25:00"), None);
    }

    #[test]
    fn late_evening_utc_is_the_next_day_in_vietnam() {
        let t = Utc.with_ymd_and_hms(2025, 1, 24, 17, 30, 0).unwrap();
        assert_eq!(date(t), NaiveDate::from_ymd_opt(2025, 1, 25).unwrap());
        assert_eq!(local(t).to_string(), "2025-01-25 00:30:00");
        assert_eq!(at(t).to_rfc3339(), "2025-01-25T00:30:00+07:00");
        assert_eq!(to_utc(local(t)), t);
    }

    #[test]
    fn a_vietnam_day_starts_at_17_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2025, 2, 3).unwrap();
        assert_eq!(
            midnight(day),
            Utc.with_ymd_and_hms(2025, 2, 2, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn the_end_of_time_does_not_panic() {
        assert_eq!(date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
    }
}
