//! `motcua calendar ...`: the legal calendar from the command line. Commands that depend on the
//! official schedules read them from the database; lunar conversions need none.

use std::path::PathBuf;

use clap::Subcommand;
use motcua_app::AppError;
use motcua_app::calendar::{
    self as cal, calendar_error, format_lunar, format_vn_instant, parse_date, parse_lunar,
    parse_time, parse_vn_instant,
};
use motcua_domain::calendar::{
    DayKind, Duration, OfficeHours, can_chi_year, lunar_to_solar, parse_schedule_csv,
    solar_to_lunar,
};
use serde_json::json;

use crate::config::Config;

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// Every day off that is not a weekend day and every worked weekend day of a year.
    Holidays {
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// The Nth working day after a date.
    AddWorkingDays {
        /// YYYY-MM-DD
        date: String,
        n: u32,
        #[arg(long)]
        json: bool,
    },
    /// The appointment for a receipt instant (Vietnam time) and a processing time.
    Due {
        /// Receipt instant, YYYY-MM-DDTHH:MM (Vietnam time).
        #[arg(long)]
        from: String,
        #[arg(
            long,
            conflicts_with = "working_hours",
            required_unless_present = "working_hours"
        )]
        working_days: Option<u32>,
        #[arg(long)]
        working_hours: Option<u32>,
        /// Procedure cut-off, HH:MM: received later counts from the next working day.
        #[arg(long)]
        cutoff: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Solar date → Vietnamese lunar date and the year's can-chi name.
    Lunar {
        /// YYYY-MM-DD
        date: String,
        #[arg(long)]
        json: bool,
    },
    /// Vietnamese lunar date → solar date.
    Solar {
        /// D/M/YYYY (lunar)
        #[arg(long)]
        lunar: String,
        /// The month is the leap month (tháng nhuận).
        #[arg(long)]
        leap: bool,
        #[arg(long)]
        json: bool,
    },
    /// Set a year's official schedule from a CSV file (`date,kind,name,source`).
    SetYear {
        year: i32,
        #[arg(long)]
        file: PathBuf,
        /// Legal source of the schedule (e.g. the Government Office's letter).
        #[arg(long)]
        note: String,
    },
    /// Remove a year's official schedule: the statutory rules apply again.
    ResetYear { year: i32 },
    /// Print the statutory holiday rules in force (JSON), a starting point for `holiday_rules`.
    Rules,
}

fn fail(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message_vi(), e.code())
}

pub async fn run(config: Config, cmd: CalendarCmd) -> anyhow::Result<()> {
    match cmd {
        CalendarCmd::Lunar { date, json } => {
            let d = parse_date(&date).map_err(fail)?;
            let l = solar_to_lunar(d).map_err(calendar_error).map_err(fail)?;
            let can_chi = can_chi_year(l.year);
            if json {
                println!(
                    "{}",
                    json!({"solar": d.to_string(), "day": l.day, "month": l.month, "year": l.year, "leap": l.leap,
                           "text": format_lunar(&l), "can_chi": can_chi})
                );
            } else {
                println!("{}\t{can_chi}", format_lunar(&l));
            }
        }
        CalendarCmd::Solar { lunar, leap, json } => {
            let l = parse_lunar(&lunar, leap).map_err(fail)?;
            let d = lunar_to_solar(l).map_err(calendar_error).map_err(fail)?;
            if json {
                println!(
                    "{}",
                    json!({"solar": d.to_string(), "lunar": format_lunar(&l), "can_chi": can_chi_year(l.year)})
                );
            } else {
                println!("{d}");
            }
        }
        CalendarCmd::Holidays { year, json } => {
            let calendar = calendar(&config).await?;
            let days = cal::holidays(&calendar, year).map_err(fail)?;
            if json {
                let items: Vec<_> = days
                    .iter()
                    .map(|d| json!({"date": d.date.to_string(), "kind": kind(d.kind), "name": d.name, "source": d.source}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                for d in days {
                    println!("{}\t{}\t{}", d.date, kind(d.kind), d.name);
                }
            }
        }
        CalendarCmd::AddWorkingDays { date, n, json } => {
            let d = parse_date(&date).map_err(fail)?;
            let calendar = calendar(&config).await?;
            let r = calendar
                .add_working_days(d, n)
                .map_err(calendar_error)
                .map_err(fail)?;
            if json {
                println!(
                    "{}",
                    json!({"from": d.to_string(), "working_days": n, "date": r.to_string()})
                );
            } else {
                println!("{r}");
            }
        }
        CalendarCmd::Due {
            from,
            working_days,
            working_hours,
            cutoff,
            json,
        } => {
            let at = parse_vn_instant(&from).map_err(fail)?;
            let cutoff = cutoff
                .as_deref()
                .map(parse_time)
                .transpose()
                .map_err(fail)?;
            let duration = match (working_days, working_hours) {
                (Some(d), _) => Duration::WorkingDays(d),
                (None, Some(h)) => Duration::WorkingHours(h),
                (None, None) => anyhow::bail!("cần --working-days hoặc --working-hours"),
            };
            let calendar = calendar(&config).await?;
            let hours = OfficeHours::default();
            let clock = calendar.clock(&hours);
            let due = clock
                .appointment(at, cutoff, duration)
                .map_err(calendar_error)
                .map_err(fail)?;
            if json {
                let start = clock
                    .effective_receipt(at, cutoff)
                    .map_err(calendar_error)
                    .map_err(fail)?;
                println!(
                    "{}",
                    json!({"from": format_vn_instant(at), "effective_receipt": format_vn_instant(start),
                           "appointment": format_vn_instant(due), "appointment_utc": due})
                );
            } else {
                println!("{}", format_vn_instant(due));
            }
        }
        CalendarCmd::SetYear { year, file, note } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("không đọc được {}: {e}", file.display()))?;
            let schedules = parse_schedule_csv(&text)
                .map_err(calendar_error)
                .map_err(fail)?;
            let schedule = schedules.into_iter().find(|s| s.year == year).unwrap_or(
                motcua_domain::calendar::YearSchedule {
                    year,
                    entries: Vec::new(),
                },
            );
            if !text
                .lines()
                .skip(1)
                .all(|l| l.trim().is_empty() || l.starts_with(&year.to_string()))
            {
                anyhow::bail!("tệp {} có ngày không thuộc năm {year}", file.display());
            }
            let store = crate::open_store(&config).await?;
            let y = cal::set_year(store.as_ref(), schedule, &note, "cli")
                .await
                .map_err(fail)?;
            println!("{year}\t{} ngày", y.schedule.entries.len());
        }
        CalendarCmd::Rules => {
            println!(
                "{}",
                serde_json::to_string_pretty(&config.holiday_rules()?)?
            );
        }
        CalendarCmd::ResetYear { year } => {
            let store = crate::open_store(&config).await?;
            store.delete_holiday_year(year).await.map_err(|e| match e {
                motcua_store::DbError::NotFound => {
                    anyhow::anyhow!("năm {year} không có lịch nghỉ chính thức")
                }
                e => e.into(),
            })?;
            println!("{year}\tstatutory");
        }
    }
    Ok(())
}

fn kind(k: DayKind) -> &'static str {
    match k {
        DayKind::Off => "off",
        DayKind::Work => "work",
    }
}

async fn calendar(config: &Config) -> anyhow::Result<motcua_domain::calendar::Calendar> {
    let store = crate::open_store(config).await?;
    cal::load(store.as_ref(), &config.holiday_rules()?)
        .await
        .map_err(fail)
}
