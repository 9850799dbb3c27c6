//! Vietnamese legal time: lunar calendar, holidays, office hours, working-day deadlines.
//!
//! - [`lunar`](LunarCalendar): the Vietnamese lunisolar calendar 1900–2100, computed from
//!   Meeus' astronomy at UTC+7 ([`solar_to_lunar`], [`lunar_to_solar`], [`can_chi_year`]).
//! - holidays: statutory holidays as data ([`RulePack`], Labour Code 2019 art. 112 by
//!   default) and official yearly schedules ([`YearSchedule`], [`parse_schedule_csv`]) that
//!   replace the statutory derivation for their year.
//! - [`Calendar`]: working days of 1900–2100 from a pack and schedules, O(1) lookups.
//! - [`OfficeHours`]: an agency's sessions (default 07:30–11:30, 13:30–17:00).
//! - deadlines ([`WorkClock`], from [`Calendar::clock`]): effective receipt with a per-procedure
//!   cut-off, appointments for a [`Duration`], pauses, and [`Timeliness`].
//!
//! Legal model (Civil Code 2015 art. 147–148): a period in days starts the day after the event
//! and ends at the end of its last day; here "end of day" is the close of the last office
//! session. All instants are `DateTime<Utc>`, reckoned in Vietnam time (UTC+7, no DST). A
//! calendar is a pure value: a dossier keeps the appointment computed at receipt, and a later
//! schedule edit (a new `Calendar`) only changes new computations.
//!
//! ```
//! use chrono::{NaiveTime, TimeZone, Utc};
//! use motcua_domain::calendar::{Calendar, Duration, OfficeHours};
//!
//! let calendar = Calendar::statutory();
//! let hours = OfficeHours::default();
//! let clock = calendar.clock(&hours);
//! // Received Friday 2027-03-05 at 16:00 (UTC+7), after a 15:00 cut-off: counts from Monday.
//! let received = Utc.with_ymd_and_hms(2027, 3, 5, 9, 0, 0).unwrap();
//! let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
//! let due = clock.appointment(received, cutoff, Duration::WorkingDays(3)).unwrap();
//! // Monday 8/3 is the receipt day; three working days later is Thursday 11/3, 17:00.
//! assert_eq!(due, Utc.with_ymd_and_hms(2027, 3, 11, 10, 0, 0).unwrap());
//! ```

mod astro;
mod deadline;
mod error;
mod holidays;
mod lunar;
mod office;
mod workdays;

pub use deadline::{Duration, Timeliness, WorkClock};
pub use error::{CalendarError, OfficeHoursProblem, ScheduleProblem};
pub use holidays::{
    CompensationRule, DayEntry, DayKind, FIRST_YEAR, HolidayDate, HolidayRule, LAST_YEAR, RulePack,
    VIETNAM_RULE_PACK_JSON, YearSchedule, parse_schedule_csv, write_schedule_csv,
};
pub use lunar::{
    FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR, LunarCalendar, LunarDate, VIETNAM_UTC_OFFSET_SECONDS,
    can_chi_year, leap_month, lunar_new_year, lunar_to_solar, solar_to_lunar,
};
pub use office::OfficeHours;
pub use workdays::Calendar;
