//! Deadline arithmetic: effective receipt, appointments (ngày hẹn trả), pauses for a
//! supplement, and on-time classification. Instants are UTC at the API and reckoned in
//! Vietnam time (UTC+7, no DST) inside.
//!
//! Everything rests on one coordinate, the *working-second clock* `W(t)`: the working seconds
//! from 1900-01-01 00:00 (Vietnam time) to `t`, counting only office sessions of working days.
//! `W` is non-decreasing and piecewise linear, and the calendar's prefix-sum table makes it
//! O(1): `W(t) = working days before t's day × seconds per day + seconds worked that day`.
//! Adding working time is inverting `W`; the inverse is taken at the earliest instant, so a
//! result never sits at a session start when it could sit at the end of the session before.

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::lunar::VIETNAM_UTC_OFFSET_SECONDS;
use super::office::OfficeHours;
use super::workdays::{Calendar, EPOCH_TO_FIRST_DAY};

const DAY: i64 = 86_400;
const OFFSET: i64 = VIETNAM_UTC_OFFSET_SECONDS as i64;

/// A processing time allowed by law or by a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Duration {
    /// Ends at the close of office on the n-th working day after the receipt day
    /// (0 = the close of the receipt day: "giải quyết trong ngày").
    WorkingDays(u32),
    /// n × 60 working minutes counted from the receipt instant.
    WorkingHours(u32),
}

/// How a finish instant compares with the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished on a day before the appointment's day (trước hạn).
    Early,
    /// Finished on the appointment's day, at or before the appointment (đúng hạn).
    OnTime,
    /// Finished after the appointment (quá hạn). `working_days`: working days after the
    /// appointment's day up to and including the finish day (0 when late on the same day, or
    /// finished on a day off right after). `working_minutes`: whole working minutes between
    /// the appointment and the finish (0 when finished outside office hours right after).
    Late {
        working_days: u32,
        working_minutes: i64,
    },
}

impl Timeliness {
    /// Rank for comparisons: Early < OnTime < Late.
    pub fn rank(&self) -> u8 {
        match self {
            Timeliness::Early => 0,
            Timeliness::OnTime => 1,
            Timeliness::Late { .. } => 2,
        }
    }
}

/// A calendar together with one agency's office hours: the deadline engine. Cheap to copy;
/// build one per computation with [`Calendar::clock`].
#[derive(Debug, Clone, Copy)]
pub struct WorkClock<'a> {
    calendar: &'a Calendar,
    hours: &'a OfficeHours,
}

impl Calendar {
    /// The deadline engine for an agency with `hours`.
    pub fn clock<'a>(&'a self, hours: &'a OfficeHours) -> WorkClock<'a> {
        WorkClock {
            calendar: self,
            hours,
        }
    }
}

/// A local instant split into the calendar's day index and the second of the day.
#[derive(Debug, Clone, Copy)]
struct Local {
    day: usize,
    tod: i64,
}

impl<'a> WorkClock<'a> {
    pub fn calendar(&self) -> &'a Calendar {
        self.calendar
    }

    pub fn hours(&self) -> &'a OfficeHours {
        self.hours
    }

    fn local(&self, t: DateTime<Utc>) -> Result<Local, CalendarError> {
        let secs = t.timestamp() + OFFSET;
        let day = secs.div_euclid(DAY) - EPOCH_TO_FIRST_DAY;
        if day < 0 || day >= self.calendar.day_count() as i64 {
            return Err(CalendarError::InstantOutOfRange { instant: t });
        }
        Ok(Local {
            day: day as usize,
            tod: secs.rem_euclid(DAY),
        })
    }

    fn instant(&self, day: usize, tod: i64) -> DateTime<Utc> {
        let secs = (day as i64 + EPOCH_TO_FIRST_DAY) * DAY + tod - OFFSET;
        // Every day index of the table is a valid chrono instant.
        DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    /// W(t), in whole seconds (sub-second parts are dropped).
    fn w(&self, t: DateTime<Utc>) -> Result<i64, CalendarError> {
        let l = self.local(t)?;
        let mut w = i64::from(self.calendar.working_before(l.day)) * self.hours.day_seconds();
        if self.calendar.is_working_index(l.day) {
            w += self.hours.worked_before(l.tod);
        }
        Ok(w)
    }

    /// The earliest instant with W = `w` (w > 0).
    fn earliest_at(&self, w: i64, context: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let per_day = self.hours.day_seconds();
        let (q, r) = (w.div_euclid(per_day), w.rem_euclid(per_day));
        let (k, tod) = if r == 0 {
            (q - 1, self.hours.close())
        } else {
            (q, self.hours.earliest_time_at(r))
        };
        let day = u64::try_from(k)
            .ok()
            .and_then(|k| self.calendar.working_day(k))
            .ok_or(CalendarError::InstantOutOfRange { instant: context })?;
        Ok(self.instant(day, tod))
    }

    /// The latest instant with W = `w` (w >= 0).
    fn latest_at(&self, w: i64, context: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let per_day = self.hours.day_seconds();
        let (q, r) = (w.div_euclid(per_day), w.rem_euclid(per_day));
        let day = u64::try_from(q)
            .ok()
            .and_then(|k| self.calendar.working_day(k))
            .ok_or(CalendarError::InstantOutOfRange { instant: context })?;
        Ok(self.instant(day, self.hours.latest_time_at(r)))
    }

    fn add_working_seconds(
        &self,
        a: DateTime<Utc>,
        s: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let w = self.w(a)?;
        let out_of_range = CalendarError::InstantOutOfRange { instant: a };
        let target = w.checked_add(s).ok_or_else(|| out_of_range.clone())?;
        match s.cmp(&0) {
            std::cmp::Ordering::Equal => Ok(a),
            std::cmp::Ordering::Greater => self.earliest_at(target, a),
            std::cmp::Ordering::Less if target >= 0 => self.latest_at(target, a),
            std::cmp::Ordering::Less => Err(out_of_range),
        }
    }

    /// Whole working minutes from `a` to `b` (negative when `b` is before `a`, truncated
    /// toward zero). Sub-second parts of the instants are ignored.
    pub fn working_minutes_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        Ok((self.w(b)? - self.w(a)?) / 60)
    }

    /// The instant `m` working minutes after `a` (before it when `m` is negative): for m > 0
    /// the earliest instant with that much working time in between, so the result is inside
    /// a session or at its end, never at a session start; for m < 0 the latest such instant
    /// (inside a session or at its start); `a` itself for m = 0.
    pub fn add_working_minutes(
        &self,
        a: DateTime<Utc>,
        m: i64,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let s = m
            .checked_mul(60)
            .ok_or(CalendarError::InstantOutOfRange { instant: a })?;
        self.add_working_seconds(a, s)
    }

    /// The instant counting starts from. A dossier received on a working day, before the
    /// cut-off (received exactly at the cut-off still counts) and before the last session
    /// closes, counts from that day: from the receipt instant when inside a session, else from
    /// the next session's start that day. Otherwise (after the cut-off, after closing time, on
    /// a day off) it counts from the first session of the next working day.
    pub fn effective_receipt(
        &self,
        received_at: DateTime<Utc>,
        cutoff: Option<NaiveTime>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let l = self.local(received_at)?;
        let before_cutoff = cutoff.is_none_or(|c| {
            let c_secs = i64::from(c.num_seconds_from_midnight());
            l.tod < c_secs || (l.tod == c_secs && received_at.nanosecond() <= c.nanosecond())
        });
        if self.calendar.is_working_index(l.day)
            && before_cutoff
            && let Some(start) = self.hours.at_or_next_start(l.tod)
        {
            return Ok(if start == l.tod {
                received_at
            } else {
                self.instant(l.day, start)
            });
        }
        let k = u64::from(self.calendar.working_before(l.day + 1));
        let day = self
            .calendar
            .working_day(k)
            .ok_or(CalendarError::InstantOutOfRange {
                instant: received_at,
            })?;
        Ok(self.instant(day, self.hours.open()))
    }

    /// The appointment (ngày hẹn trả) for a dossier received at `received_at` under a
    /// procedure with `cutoff` and processing time `duration`; always on a working day, inside
    /// office hours or at a session's edge. Also the due instant of a workflow step started at
    /// `received_at` (with no cut-off).
    pub fn appointment(
        &self,
        received_at: DateTime<Utc>,
        cutoff: Option<NaiveTime>,
        duration: Duration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let start = self.effective_receipt(received_at, cutoff)?;
        match duration {
            Duration::WorkingDays(n) => {
                let day = self.local(start)?.day;
                let k = u64::from(self.calendar.working_before(day)) + u64::from(n);
                let due = self
                    .calendar
                    .working_day(k)
                    .ok_or(CalendarError::InstantOutOfRange {
                        instant: received_at,
                    })?;
                Ok(self.instant(due, self.hours.close()))
            }
            Duration::WorkingHours(n) => self.add_working_seconds(start, i64::from(n) * 3600),
        }
    }

    /// The appointment after pauses (waiting for the citizen's supplement): each closed pause
    /// `(start, Some(end))` pushes `base_due` later by the whole working minutes inside it
    /// (overlapping pauses count once; a pause after `base_due` counts too). While any pause
    /// is still open (`end = None`) the appointment is unknown: `Ok(None)`.
    pub fn due_with_pauses(
        &self,
        base_due: DateTime<Utc>,
        pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    ) -> Result<Option<DateTime<Utc>>, CalendarError> {
        let mut closed = Vec::with_capacity(pauses.len());
        for &(start, end) in pauses {
            let Some(end) = end else { return Ok(None) };
            if end < start {
                return Err(CalendarError::PauseEndsBeforeStart { start, end });
            }
            closed.push((self.w(start)?, self.w(end)?));
        }
        closed.sort_unstable();
        let (mut total, mut reach) = (0i64, i64::MIN);
        for (s, e) in closed {
            let s = s.max(reach);
            if e > s {
                total += e - s;
            }
            reach = reach.max(e);
        }
        let minutes = total / 60;
        Ok(Some(self.add_working_seconds(base_due, minutes * 60)?))
    }

    /// Compares a finish instant with the appointment (see [`Timeliness`]).
    pub fn classify(
        &self,
        finish: DateTime<Utc>,
        appointment: DateTime<Utc>,
    ) -> Result<Timeliness, CalendarError> {
        let f = self.local(finish)?;
        let a = self.local(appointment)?;
        if f.day < a.day {
            return Ok(Timeliness::Early);
        }
        if finish <= appointment {
            return Ok(Timeliness::OnTime);
        }
        let working_days =
            self.calendar.working_before(f.day + 1) - self.calendar.working_before(a.day + 1);
        let working_minutes = self.working_minutes_between(appointment, finish)?;
        Ok(Timeliness::Late {
            working_days,
            working_minutes,
        })
    }
}
