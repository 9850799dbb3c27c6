//! The calendar as the rest of motcua uses it: the engine built from the rule pack and the
//! official schedules in the database (cached, refreshed when any process changes them), and
//! the parsing of the dates and instants people type.

use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use motcua_domain::calendar::{
    Calendar, CalendarError, DayEntry, LunarDate, OfficeHours, RulePack, YearSchedule,
};
use motcua_domain::vn_time;
use motcua_store::{HolidayYear, Store};

use crate::error::AppError;

/// How long a process trusts its cached calendar before asking the database for changes.
const RECHECK: StdDuration = StdDuration::from_secs(5);

/// The working-day calendar of the database, rebuilt when a schedule changes.
pub struct CalendarCache {
    pack: RulePack,
    inner: Mutex<Option<Cached>>,
}

struct Cached {
    version: String,
    checked: Instant,
    calendar: Arc<Calendar>,
}

impl Default for CalendarCache {
    fn default() -> Self {
        CalendarCache::new(RulePack::vietnam())
    }
}

impl CalendarCache {
    /// A cache whose calendars apply the statutory holiday rules of `pack`.
    pub fn new(pack: RulePack) -> Self {
        CalendarCache {
            pack,
            inner: Mutex::new(None),
        }
    }

    /// The current calendar.
    pub async fn get(&self, store: &dyn Store) -> Result<Arc<Calendar>, AppError> {
        if let Some(c) = self.inner.lock().expect("calendar cache").as_ref()
            && c.checked.elapsed() < RECHECK
        {
            return Ok(c.calendar.clone());
        }
        let version = store.calendar_version().await?;
        {
            let mut guard = self.inner.lock().expect("calendar cache");
            if let Some(c) = guard.as_mut()
                && c.version == version
            {
                c.checked = Instant::now();
                return Ok(c.calendar.clone());
            }
        }
        let calendar = Arc::new(load(store, &self.pack).await?);
        *self.inner.lock().expect("calendar cache") = Some(Cached {
            version,
            checked: Instant::now(),
            calendar: calendar.clone(),
        });
        Ok(calendar)
    }

    /// Forgets the cached calendar (after this process changed a schedule).
    pub fn invalidate(&self) {
        *self.inner.lock().expect("calendar cache") = None;
    }
}

/// Builds the engine from a statutory rule pack and the database's official schedules.
pub async fn load(store: &dyn Store, pack: &RulePack) -> Result<Calendar, AppError> {
    let schedules = store
        .holiday_schedules()
        .await?
        .into_iter()
        .map(|y| y.schedule)
        .collect();
    Calendar::new(pack.clone(), schedules)
        .map_err(|e| AppError::Internal(format!("stored holiday schedules are invalid: {e}")))
}

/// An agency's office hours: its own when set, else the default.
pub async fn office_hours(store: &dyn Store, agency: uuid::Uuid) -> Result<OfficeHours, AppError> {
    match store.agency_office_hours(agency).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("stored office hours: {e}"))),
        None => Ok(OfficeHours::default()),
    }
}

/// Sets an agency's office hours from `["07:30", "11:30"]` pairs (`None`: back to the default).
pub async fn set_office_hours(
    store: &dyn Store,
    agency: uuid::Uuid,
    sessions: Option<Vec<(String, String)>>,
) -> Result<OfficeHours, AppError> {
    let Some(sessions) = sessions else {
        store.set_agency_office_hours(agency, None).await?;
        return Ok(OfficeHours::default());
    };
    let parsed = sessions
        .iter()
        .map(|(a, b)| Ok((parse_time(a)?, parse_time(b)?)))
        .collect::<Result<Vec<_>, AppError>>()
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let hours =
        OfficeHours::new(parsed).map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let json = serde_json::to_string(&hours).expect("office hours serialise");
    store.set_agency_office_hours(agency, Some(&json)).await?;
    Ok(hours)
}

/// A calendar error as an API error (400: the input was outside what the calendar answers).
pub fn calendar_error(e: CalendarError) -> AppError {
    AppError::bad_request(e.code(), e.message_vi())
}

/// Replaces a year's official schedule after validating it.
pub async fn set_year(
    store: &dyn Store,
    schedule: YearSchedule,
    note: &str,
    by: &str,
) -> Result<HolidayYear, AppError> {
    schedule
        .validate()
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid(
            "source_required",
            "Cần ghi căn cứ pháp lý của lịch nghỉ (ví dụ: số công văn của Văn phòng Chính phủ).",
        ));
    }
    if let Some(e) = schedule.entries.iter().find(|e| e.source.trim().is_empty()) {
        return Err(AppError::invalid(
            "source_required",
            format!("Ngày {} chưa có căn cứ pháp lý.", e.date.format("%d/%m/%Y")),
        ));
    }
    let year = HolidayYear {
        schedule,
        note: note.to_string(),
        updated_at: Utc::now(),
        updated_by: by.to_string(),
    };
    store.replace_holiday_year(&year).await?;
    Ok(year)
}

/// The days of `year` a person needs to know: days off that are not weekends, and worked
/// weekend days.
pub fn holidays(calendar: &Calendar, year: i32) -> Result<Vec<DayEntry>, AppError> {
    calendar.holidays(year).map_err(calendar_error)
}

pub fn parse_date(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::bad_request(
            "invalid_date",
            format!("Ngày \"{}\" không hợp lệ, cần dạng YYYY-MM-DD.", s.trim()),
        )
    })
}

/// `YYYY-MM-DDTHH:MM` (or with seconds, or a space) in Vietnam time → UTC.
pub fn parse_vn_instant(s: &str) -> Result<DateTime<Utc>, AppError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or_else(|| {
        AppError::bad_request(
            "invalid_instant",
            format!("Thời điểm \"{s}\" không hợp lệ, cần dạng YYYY-MM-DDTHH:MM (giờ Việt Nam)."),
        )
    })?;
    Ok(vn_time::to_utc(naive))
}

/// Formats an instant as `YYYY-MM-DDTHH:MM` in Vietnam time.
pub fn format_vn_instant(t: DateTime<Utc>) -> String {
    vn_time::local(t).format("%Y-%m-%dT%H:%M").to_string()
}

pub fn parse_time(s: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        AppError::bad_request(
            "invalid_time",
            format!("Giờ \"{}\" không hợp lệ, cần dạng HH:MM.", s.trim()),
        )
    })
}

/// `D/M/YYYY` (lunar), with `leap` for a leap month.
pub fn parse_lunar(s: &str, leap: bool) -> Result<LunarDate, AppError> {
    let parts: Vec<&str> = s.trim().split('/').collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.trim().parse().ok()).collect();
    match nums.as_deref() {
        Some([d, m, y])
            if (1..=31).contains(d) && (1..=12).contains(m) && (1..=9999).contains(y) =>
        {
            Ok(LunarDate {
                year: *y as i32,
                month: *m as u32,
                day: *d as u32,
                leap,
            })
        }
        _ => Err(AppError::bad_request(
            "invalid_lunar_date",
            format!(
                "Ngày âm lịch \"{}\" không hợp lệ, cần dạng D/M/YYYY.",
                s.trim()
            ),
        )),
    }
}

/// `26/6/2025 nhuận` or `10/3/2026`.
pub fn format_lunar(d: &LunarDate) -> String {
    format!(
        "{}/{}/{}{}",
        d.day,
        d.month,
        d.year,
        if d.leap { " nhuận" } else { "" }
    )
}

/// The calendar service: the calendar in force, agencies' office hours, the official
/// schedules of years.
impl crate::state::App {
    /// The working-day calendar in force (cached).
    pub async fn current_calendar(&self) -> Result<Arc<Calendar>, AppError> {
        self.calendar.get(self.store.as_ref()).await
    }

    /// The official schedule of `year`, when one is set.
    pub async fn official_year(&self, year: i32) -> Result<Option<HolidayYear>, AppError> {
        Ok(self
            .store
            .holiday_schedules()
            .await?
            .into_iter()
            .find(|y| y.schedule.year == year))
    }

    /// An agency's office hours: its own when set, else the default.
    pub async fn office_hours_of(&self, agency: uuid::Uuid) -> Result<OfficeHours, AppError> {
        office_hours(self.store.as_ref(), agency).await
    }

    /// An agency's office hours through the look-up cache (for computing deadlines).
    pub async fn cached_office_hours(
        &self,
        agency: uuid::Uuid,
    ) -> Result<Arc<OfficeHours>, AppError> {
        self.lookups.office_hours(self.store.as_ref(), agency).await
    }

    /// Sets an agency's office hours as `caller`, who must configure the agency (see
    /// [`set_office_hours`]).
    pub async fn set_office_hours(
        &self,
        caller: &crate::auth::Caller,
        agency: uuid::Uuid,
        sessions: Option<Vec<(String, String)>>,
    ) -> Result<OfficeHours, AppError> {
        let scope = crate::auth::ResolvedScope::of(self, agency).await?;
        crate::auth::require(
            caller,
            motcua_domain::auth::Action::ConfigureAgency(scope.scope()),
        )?;
        let hours = set_office_hours(self.store.as_ref(), agency, sessions).await?;
        self.changed(crate::changes::Changed::OfficeHours(agency))
            .await;
        Ok(hours)
    }

    /// Replaces a year's official schedule (system administrators; see [`set_year`]).
    pub async fn set_holiday_year(
        &self,
        caller: &crate::auth::Caller,
        schedule: YearSchedule,
        note: &str,
    ) -> Result<HolidayYear, AppError> {
        crate::auth::require(caller, motcua_domain::auth::Action::ManageCalendar)?;
        let year = set_year(self.store.as_ref(), schedule, note, &caller.user.username).await?;
        self.changed(crate::changes::Changed::Calendar).await;
        Ok(year)
    }

    /// Edits a year's schedule as the calendar now has it: removes the days of `remove`,
    /// adds `add` (refused when its date is already there), and saves it with `note`.
    pub async fn edit_holiday_year(
        &self,
        caller: &crate::auth::Caller,
        year: i32,
        remove: &std::collections::BTreeSet<NaiveDate>,
        add: Option<DayEntry>,
        note: &str,
    ) -> Result<HolidayYear, AppError> {
        crate::auth::require(caller, motcua_domain::auth::Action::ManageCalendar)?;
        let calendar = self.current_calendar().await?;
        let current = calendar.schedule(year).map_err(calendar_error)?;
        let mut entries: Vec<DayEntry> = current
            .entries
            .iter()
            .filter(|e| !remove.contains(&e.date))
            .cloned()
            .collect();
        if let Some(e) = add {
            if entries.iter().any(|x| x.date == e.date) {
                return Err(AppError::invalid(
                    "schedule_duplicate_date",
                    format!(
                        "Ngày {} đã có trong lịch; bỏ ngày đó trước nếu muốn đổi.",
                        e.date.format("%d/%m/%Y")
                    ),
                ));
            }
            entries.push(e);
        }
        entries.sort_by_key(|e| e.date);
        self.set_holiday_year(caller, YearSchedule { year, entries }, note)
            .await
    }

    /// Removes the official schedule of a year (system administrators): the statutory rules
    /// apply again.
    pub async fn delete_holiday_year(
        &self,
        caller: &crate::auth::Caller,
        year: i32,
    ) -> Result<(), AppError> {
        crate::auth::require(caller, motcua_domain::auth::Action::ManageCalendar)?;
        self.store
            .delete_holiday_year(year)
            .await
            .map_err(|e| match e {
                motcua_store::DbError::NotFound => {
                    AppError::NotFound("lịch nghỉ chính thức của năm này")
                }
                e => e.into(),
            })?;
        self.changed(crate::changes::Changed::Calendar).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_read_in_vietnam_time() {
        let t = parse_vn_instant("2025-10-27T08:00").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 10, 27, 1, 0, 0).unwrap());
        assert_eq!(format_vn_instant(t), "2025-10-27T08:00");
        assert!(parse_vn_instant("27/10/2025 08:00").is_err());
    }

    #[test]
    fn lunar_dates_parse_and_print() {
        let d = parse_lunar("26/6/2025", true).unwrap();
        assert_eq!(format_lunar(&d), "26/6/2025 nhuận");
        assert!(parse_lunar("30/13/2025", false).is_err());
        assert!(parse_lunar("a/b/c", false).is_err());
    }
}
