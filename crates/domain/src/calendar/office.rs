//! Office hours of an agency: the sessions (buổi) of a working day, in Vietnam local time.
//! The same sessions apply to every working day. Cut-off times belong to procedures and are
//! passed to the deadline functions, not stored here.

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::error::{CalendarError, OfficeHoursProblem};

/// Sorted, non-overlapping sessions of a working day. Build with [`OfficeHours::new`] (which
/// validates) or take the default, 07:30–11:30 and 13:30–17:00. Sessions may touch (one ends
/// when the next starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfficeHoursSpec", into = "OfficeHoursSpec")]
pub struct OfficeHours {
    sessions: Vec<(NaiveTime, NaiveTime)>,
    /// Per session: start and end in seconds from midnight, working seconds before its start.
    spans: Vec<Span>,
    day_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: i64,
    end: i64,
    before: i64,
}

/// The serialised form: `{"sessions": [["07:30:00", "11:30:00"], ...]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OfficeHoursSpec {
    sessions: Vec<(NaiveTime, NaiveTime)>,
}

impl TryFrom<OfficeHoursSpec> for OfficeHours {
    type Error = CalendarError;
    fn try_from(spec: OfficeHoursSpec) -> Result<Self, Self::Error> {
        OfficeHours::new(spec.sessions)
    }
}

impl From<OfficeHours> for OfficeHoursSpec {
    fn from(hours: OfficeHours) -> Self {
        OfficeHoursSpec {
            sessions: hours.sessions,
        }
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for OfficeHours {
    /// 07:30–11:30 and 13:30–17:00.
    fn default() -> Self {
        OfficeHours::new(vec![(hm(7, 30), hm(11, 30)), (hm(13, 30), hm(17, 0))])
            .expect("the default sessions are valid")
    }
}

impl OfficeHours {
    /// Validates and builds office hours: at least one session, each ending after it starts,
    /// sorted and not overlapping. Times are taken to the second.
    pub fn new(sessions: Vec<(NaiveTime, NaiveTime)>) -> Result<Self, CalendarError> {
        let err = |problem| CalendarError::OfficeHours { problem };
        if sessions.is_empty() {
            return Err(err(OfficeHoursProblem::Empty));
        }
        let mut spans = Vec::with_capacity(sessions.len());
        let mut before = 0;
        let mut previous_end = 0;
        for (index, &(start, end)) in sessions.iter().enumerate() {
            let (start, end) = (
                i64::from(start.num_seconds_from_midnight()),
                i64::from(end.num_seconds_from_midnight()),
            );
            if end <= start {
                return Err(err(OfficeHoursProblem::EmptySession { index }));
            }
            if index > 0 && start < previous_end {
                return Err(err(OfficeHoursProblem::Overlap { index }));
            }
            spans.push(Span { start, end, before });
            before += end - start;
            previous_end = end;
        }
        Ok(OfficeHours {
            sessions,
            spans,
            day_seconds: before,
        })
    }

    /// The sessions, as given.
    pub fn sessions(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.sessions
    }

    /// Working minutes in one working day (450 for the default hours).
    pub fn minutes_per_day(&self) -> i64 {
        self.day_seconds / 60
    }

    pub(crate) fn day_seconds(&self) -> i64 {
        self.day_seconds
    }

    /// Start of the first session, in seconds from midnight.
    pub(crate) fn open(&self) -> i64 {
        self.spans[0].start
    }

    /// End of the last session, in seconds from midnight.
    pub(crate) fn close(&self) -> i64 {
        self.spans[self.spans.len() - 1].end
    }

    /// Working seconds from midnight to `tod` (seconds from midnight).
    pub(crate) fn worked_before(&self, tod: i64) -> i64 {
        for s in &self.spans {
            if tod < s.end {
                return s.before + (tod - s.start).max(0);
            }
        }
        self.day_seconds
    }

    /// The start of the session running at `tod`, or of the next one that day: `tod` itself
    /// when inside a session, `None` after the last session's end.
    pub(crate) fn at_or_next_start(&self, tod: i64) -> Option<i64> {
        self.spans
            .iter()
            .find(|s| tod < s.end)
            .map(|s| tod.max(s.start))
    }

    /// The earliest time of day with `r` working seconds before it, for `0 < r <= day`:
    /// an exact session boundary resolves to the end of the earlier session.
    pub(crate) fn earliest_time_at(&self, r: i64) -> i64 {
        for s in &self.spans {
            if r <= s.before + (s.end - s.start) {
                return s.start + (r - s.before);
            }
        }
        self.close()
    }

    /// The latest time of day with `r` working seconds before it, for `0 <= r < day`:
    /// an exact session boundary resolves to the start of the later session.
    pub(crate) fn latest_time_at(&self, r: i64) -> i64 {
        for s in &self.spans {
            if r < s.before + (s.end - s.start) {
                return s.start + (r - s.before);
            }
        }
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_hours() {
        let h = OfficeHours::default();
        assert_eq!(h.minutes_per_day(), 450);
        assert_eq!(h.open(), 7 * 3600 + 1800);
        assert_eq!(h.close(), 17 * 3600);
        assert_eq!(h.worked_before(12 * 3600), 4 * 3600);
        assert_eq!(h.earliest_time_at(4 * 3600), 11 * 3600 + 1800);
        assert_eq!(h.latest_time_at(4 * 3600), 13 * 3600 + 1800);
        assert_eq!(h.at_or_next_start(12 * 3600), Some(13 * 3600 + 1800));
        assert_eq!(h.at_or_next_start(17 * 3600), None);
    }

    #[test]
    fn validation() {
        assert_eq!(
            OfficeHours::new(vec![]).unwrap_err().code(),
            "office_hours_empty"
        );
        let e = OfficeHours::new(vec![(hm(9, 0), hm(8, 0))]).unwrap_err();
        assert_eq!(e.code(), "office_hours_empty_session");
        let e = OfficeHours::new(vec![(hm(8, 0), hm(12, 0)), (hm(11, 0), hm(17, 0))]).unwrap_err();
        assert_eq!(e.code(), "office_hours_overlap");
        assert!(OfficeHours::new(vec![(hm(8, 0), hm(12, 0)), (hm(12, 0), hm(17, 0))]).is_ok());
        let json = serde_json::to_string(&OfficeHours::default()).unwrap();
        assert_eq!(
            json,
            r#"{"sessions":[["07:30:00","11:30:00"],["13:30:00","17:00:00"]]}"#
        );
        let back: OfficeHours = serde_json::from_str(&json).unwrap();
        assert_eq!(back, OfficeHours::default());
        assert!(serde_json::from_str::<OfficeHours>(r#"{"sessions":[]}"#).is_err());
    }
}
