//! Errors of the calendar engine. Each error has a stable machine code ([`CalendarError::code`])
//! and a Vietnamese message for people ([`CalendarError::message_vi`]); `Display` is English,
//! for logs.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

/// Everything that can go wrong in the calendar engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("year {year} is outside the supported range 1900–2100")]
    YearOutOfRange { year: i32 },
    #[error(
        "date {date} is outside the supported range (lunar years 1900–2100, 1900-01-01..=2100-12-31 for working days)"
    )]
    DateOutOfRange { date: NaiveDate },
    #[error("instant {instant} is outside the supported range (1900–2100, Vietnam time)")]
    InstantOutOfRange { instant: DateTime<Utc> },
    #[error("lunar month {month} does not exist (expected 1–12)")]
    LunarMonthOutOfRange { month: u32 },
    #[error("lunar month {month}{} of {year} has {days_in_month} days, so day {day} does not exist", if *.leap { " (leap)" } else { "" })]
    LunarDayOutOfRange {
        year: i32,
        month: u32,
        leap: bool,
        day: u32,
        days_in_month: u32,
    },
    #[error("lunar year {year} has no leap month {month} (its leap month: {leap_month:?})")]
    NoSuchLeapMonth {
        year: i32,
        month: u32,
        leap_month: Option<u32>,
    },
    #[error("{}{problem}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Schedule {
        line: Option<u64>,
        problem: ScheduleProblem,
    },
    #[error("invalid office hours: {problem}")]
    OfficeHours { problem: OfficeHoursProblem },
    #[error("invalid holiday rule {rule:?}: {reason}")]
    RulePack { rule: String, reason: String },
    #[error("pause ends ({end}) before it starts ({start})")]
    PauseEndsBeforeStart {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

/// What is wrong with a holiday schedule (a CSV row or a [`super::YearSchedule`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleProblem {
    #[error("the header must be `date,kind,name,source`, found `{found}`")]
    Header { found: String },
    #[error("unreadable row: {detail}")]
    Malformed { detail: String },
    #[error("invalid date {value:?} (expected YYYY-MM-DD)")]
    BadDate { value: String },
    #[error("invalid kind {value:?} (expected `off` or `work`)")]
    BadKind { value: String },
    #[error("the name is empty")]
    EmptyName,
    #[error("{date} is a {weekday}: only a Saturday or Sunday can be a make-up working day")]
    WorkOnWeekday { date: NaiveDate, weekday: Weekday },
    #[error("{date} appears twice")]
    DuplicateDate { date: NaiveDate },
    #[error("{date} does not belong to the schedule of year {year}")]
    WrongYear { date: NaiveDate, year: i32 },
    #[error("year {year} is outside the supported range 1900–2100")]
    YearOutOfRange { year: i32 },
    #[error("year {year} has two official schedules")]
    DuplicateYear { year: i32 },
}

/// What is wrong with a set of office sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursProblem {
    #[error("no session")]
    Empty,
    #[error("session {index} does not end after it starts")]
    EmptySession { index: usize },
    #[error(
        "session {index} starts before the previous one ends (sessions must be sorted and must not overlap)"
    )]
    Overlap { index: usize },
}

impl ScheduleProblem {
    fn code(&self) -> &'static str {
        match self {
            Self::Header { .. } => "schedule_bad_header",
            Self::Malformed { .. } => "schedule_malformed_row",
            Self::BadDate { .. } => "schedule_bad_date",
            Self::BadKind { .. } => "schedule_bad_kind",
            Self::EmptyName => "schedule_empty_name",
            Self::WorkOnWeekday { .. } => "schedule_work_on_weekday",
            Self::DuplicateDate { .. } => "schedule_duplicate_date",
            Self::WrongYear { .. } => "schedule_wrong_year",
            Self::YearOutOfRange { .. } => "schedule_year_out_of_range",
            Self::DuplicateYear { .. } => "schedule_duplicate_year",
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Self::Header { found } => {
                format!("Dòng tiêu đề phải là \"date,kind,name,source\", nhưng tệp có \"{found}\".")
            }
            Self::Malformed { detail } => format!("Không đọc được dòng này ({detail})."),
            Self::BadDate { value } => {
                format!("Ngày \"{value}\" không hợp lệ (định dạng đúng: YYYY-MM-DD).")
            }
            Self::BadKind { value } => format!(
                "Loại ngày \"{value}\" không hợp lệ (chỉ nhận \"off\" – nghỉ hoặc \"work\" – làm việc)."
            ),
            Self::EmptyName => "Thiếu tên ngày nghỉ hoặc ngày làm bù.".to_owned(),
            Self::WorkOnWeekday { date, weekday } => format!(
                "Ngày {} là {}, không thể khai báo là ngày làm bù (chỉ thứ Bảy hoặc Chủ nhật mới có thể là ngày làm bù).",
                vi_date(*date),
                weekday_vi(*weekday)
            ),
            Self::DuplicateDate { date } => {
                format!("Ngày {} được khai báo hai lần.", vi_date(*date))
            }
            Self::WrongYear { date, year } => {
                format!("Ngày {} không thuộc lịch năm {year}.", vi_date(*date))
            }
            Self::YearOutOfRange { year } => {
                format!("Năm {year} nằm ngoài phạm vi hỗ trợ (1900–2100).")
            }
            Self::DuplicateYear { year } => {
                format!("Năm {year} có hai lịch nghỉ chính thức.")
            }
        }
    }
}

impl CalendarError {
    /// A stable, machine-readable code (snake_case) for the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::YearOutOfRange { .. } => "year_out_of_range",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::InstantOutOfRange { .. } => "instant_out_of_range",
            Self::LunarMonthOutOfRange { .. } => "lunar_month_out_of_range",
            Self::LunarDayOutOfRange { .. } => "lunar_day_out_of_range",
            Self::NoSuchLeapMonth { .. } => "lunar_leap_month_absent",
            Self::Schedule { problem, .. } => problem.code(),
            Self::OfficeHours { problem } => match problem {
                OfficeHoursProblem::Empty => "office_hours_empty",
                OfficeHoursProblem::EmptySession { .. } => "office_hours_empty_session",
                OfficeHoursProblem::Overlap { .. } => "office_hours_overlap",
            },
            Self::RulePack { .. } => "holiday_rule_invalid",
            Self::PauseEndsBeforeStart { .. } => "pause_ends_before_start",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::YearOutOfRange { year } => {
                format!("Năm {year} nằm ngoài phạm vi hỗ trợ (1900–2100).")
            }
            Self::DateOutOfRange { date } => {
                format!(
                    "Ngày {} nằm ngoài phạm vi hỗ trợ (1900–2100).",
                    vi_date(*date)
                )
            }
            Self::InstantOutOfRange { instant } => format!(
                "Thời điểm {} nằm ngoài phạm vi hỗ trợ (1900–2100).",
                instant.format("%d/%m/%Y %H:%M UTC")
            ),
            Self::LunarMonthOutOfRange { month } => {
                format!("Không có tháng {month} âm lịch (chỉ có tháng 1 đến tháng 12).")
            }
            Self::LunarDayOutOfRange {
                year,
                month,
                leap,
                day,
                days_in_month,
            } => format!(
                "Tháng {month}{} năm {year} âm lịch chỉ có {days_in_month} ngày, không có ngày {day}.",
                if *leap { " nhuận" } else { "" }
            ),
            Self::NoSuchLeapMonth {
                year,
                month,
                leap_month,
            } => match leap_month {
                Some(l) => format!(
                    "Năm {year} âm lịch không có tháng {month} nhuận (năm này nhuận tháng {l})."
                ),
                None => format!(
                    "Năm {year} âm lịch không có tháng {month} nhuận (năm này không có tháng nhuận)."
                ),
            },
            Self::Schedule { line, problem } => match line {
                Some(l) => format!("Dòng {l}: {}", problem.message_vi()),
                None => problem.message_vi(),
            },
            Self::OfficeHours { problem } => match problem {
                OfficeHoursProblem::Empty => "Giờ làm việc phải có ít nhất một buổi.".to_owned(),
                OfficeHoursProblem::EmptySession { index } => format!(
                    "Buổi làm việc thứ {} phải kết thúc sau giờ bắt đầu.",
                    index + 1
                ),
                OfficeHoursProblem::Overlap { index } => format!(
                    "Buổi làm việc thứ {} bắt đầu trước khi buổi trước kết thúc (các buổi phải theo thứ tự và không chồng lên nhau).",
                    index + 1
                ),
            },
            Self::RulePack { rule, .. } => {
                format!("Quy tắc ngày lễ \"{rule}\" không hợp lệ.")
            }
            Self::PauseEndsBeforeStart { .. } => {
                "Khoảng tạm dừng kết thúc trước thời điểm bắt đầu.".to_owned()
            }
        }
    }
}

/// `dd/mm/yyyy`, the way Vietnamese documents write dates.
fn vi_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// The Vietnamese name of a weekday, as written mid-sentence.
pub(crate) fn weekday_vi(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}
