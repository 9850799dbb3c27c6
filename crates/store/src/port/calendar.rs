//! The calendar: official yearly holiday schedules and agencies' office hours.

use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Calendar: Send + Sync {
    /// Every official yearly schedule, by year.
    async fn holiday_schedules(&self) -> DbResult<Vec<HolidayYear>>;
    /// Replaces (or adds) the official schedule of one year, atomically.
    async fn replace_holiday_year(&self, year: &HolidayYear) -> DbResult<()>;
    /// Removes a year's official schedule (the statutory rules apply again). `NotFound` if none.
    async fn delete_holiday_year(&self, year: i32) -> DbResult<()>;
    /// Changes whenever any schedule changes (for caches shared by several processes).
    async fn calendar_version(&self) -> DbResult<String>;
    /// An agency's office hours as stored (JSON), `None` for the default.
    async fn set_agency_office_hours(&self, agency: Uuid, json: Option<&str>) -> DbResult<()>;
    async fn agency_office_hours(&self, agency: Uuid) -> DbResult<Option<String>>;

    /// Office hours as stored (JSON) of every agency that has its own.
    async fn office_hours_all(&self) -> DbResult<Vec<(Uuid, String)>>;
}
