//! Statistics: the counters a dossier command changes (kept in the command's own transaction)
//! and their recomputation from the event log, then the figures people read from them: the
//! periodic report, the Decision 766 service index and its ranking, a unit's dashboard and
//! the public figures.
//!
//! Which counters change, and how a finish is judged, is the domain's
//! ([`motcua_domain::stats::deltas`], judged with the calendar and the office hours of the
//! agency holding the dossier); this module maps agency codes to ids and reads the store.
//!
//! # A unit and its figures
//!
//! A unit is an agency with every agency below it (a province is its People's Committee's
//! subtree). Its counters are sums over that subtree, read from the monthly roll-up for whole
//! months (and for any month reaching today, since no count of events lies after today) and
//! from the daily cells otherwise. The report of a period needs the counters before the period
//! (the balance carried over), those inside it, and how many dossiers in progress at its end
//! are late: the open levels of the counters summed up to its last day
//! ([`motcua_domain::stats::open_deltas`]: past the effective appointment, judged at the
//! request while waiting for a supplement; for the index also when asked for a supplement more
//! than once), as each dossier's events up to then left it. The open levels are the only
//! counters written on days after their event; they are read up to a day, never summed over a
//! period. A period not over yet is judged now: overdue from the projection (`dossiers`:
//! `appointment`, `paused_at`), plus those late for the index only for repeated requests.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use motcua_domain::agency::{AgencyCode, AgencyKind};
use motcua_domain::auth::Role;
use motcua_domain::calendar::{Calendar, Duration, OfficeHours};
use motcua_domain::catalogue::{OnlineLevel, Procedure};
use motcua_domain::dossier::timeliness::{FinishClassification, classify_finish, current_due};
use motcua_domain::dossier::{Actor, DossierState, EventEnvelope, vietnam_date};
use motcua_domain::index::{
    CatalogueFacts, IndexPacks, IndexResult, ProcedureFacts, RankOptions, compute, index_inputs,
    rank,
};
use motcua_domain::stats::rate::percent;
use motcua_domain::stats::{self as dstats, Counters, InProgressSplit, Metric, PeriodReport};
use motcua_store::{
    Agency, AgencyQuery, CounterDelta, DbError, OverdueQuery, RebuildReport, StatSumQuery, Store,
    StoredEvent, month_end, month_start,
};
use serde::Serialize;
use uuid::Uuid;

use crate::calendar::{format_vn_instant, office_hours};
use crate::error::AppError;

// ---- counters --------------------------------------------------------------------------------

/// The agencies a dossier's counters may name (code → id), with the office hours of those
/// that may finish it (absent: the default hours).
#[derive(Debug, Clone, Default)]
pub struct AgencyBook {
    map: HashMap<AgencyCode, (Uuid, Option<Arc<OfficeHours>>)>,
}

impl AgencyBook {
    pub fn new() -> AgencyBook {
        AgencyBook::default()
    }

    /// One agency, with the default office hours (intake: nothing finishes).
    pub fn one(code: &AgencyCode, id: Uuid) -> AgencyBook {
        let mut book = AgencyBook::new();
        book.insert(code.clone(), id, None);
        book
    }

    pub fn insert(&mut self, code: AgencyCode, id: Uuid, hours: Option<Arc<OfficeHours>>) {
        self.map.insert(code, (id, hours));
    }

    pub fn contains(&self, code: &AgencyCode) -> bool {
        self.map.contains_key(code)
    }

    pub fn id(&self, code: &AgencyCode) -> Option<Uuid> {
        self.map.get(code).map(|(id, _)| *id)
    }

    fn hours(&self, code: &AgencyCode) -> Option<&OfficeHours> {
        self.map.get(code).and_then(|(_, h)| h.as_deref())
    }
}

fn default_hours() -> &'static OfficeHours {
    static DEFAULT: OnceLock<OfficeHours> = OnceLock::new();
    DEFAULT.get_or_init(OfficeHours::default)
}

/// Judges a finished dossier with the calendar and the office hours of the agency holding it
/// (no calendar: no judgement, the finish still counts).
fn classifier<'a>(
    book: &'a AgencyBook,
    calendar: Option<&'a Calendar>,
) -> impl Fn(&DossierState) -> Option<FinishClassification> + 'a {
    move |s: &DossierState| {
        let calendar = calendar?;
        let hours = s
            .agency
            .as_ref()
            .and_then(|a| book.hours(a))
            .unwrap_or_else(|| default_hours());
        classify_finish(&calendar.clock(hours), s).ok().flatten()
    }
}

/// The effective appointment of a state ([`current_due`]) with the calendar and the office
/// hours of the agency holding it (no calendar: only an appointment no pause moved).
fn due_fn<'a>(
    book: &'a AgencyBook,
    calendar: Option<&'a Calendar>,
) -> impl Fn(&DossierState) -> Option<DateTime<Utc>> + 'a {
    move |s: &DossierState| match calendar {
        Some(calendar) => {
            let hours = s
                .agency
                .as_ref()
                .and_then(|a| book.hours(a))
                .unwrap_or_else(|| default_hours());
            current_due(&calendar.clock(hours), s).ok().flatten()
        }
        None => s.appointment.filter(|_| !s.appointment_moved_by_pauses()),
    }
}

fn to_store(
    deltas: Vec<dstats::CounterDelta>,
    book: &AgencyBook,
    procedure: &str,
) -> Result<Vec<CounterDelta>, AppError> {
    deltas
        .into_iter()
        .map(|d| {
            let agency_id = book.id(&d.agency).ok_or_else(|| {
                AppError::Internal(format!("counter for agency {} not looked up", d.agency))
            })?;
            Ok(CounterDelta {
                agency_id,
                procedure_code: procedure.to_string(),
                day: d.day,
                metric: d.metric.as_str().to_string(),
                delta: d.delta,
            })
        })
        .collect()
}

/// The counter changes that follow from a command's events (`before` → `after`), for the
/// agencies in `book`; a finish is judged with `calendar` (`None`: a command that cannot
/// finish a dossier, such as intake).
pub fn counters(
    before: &DossierState,
    envelopes: &[EventEnvelope],
    after: &DossierState,
    book: &AgencyBook,
    procedure: &str,
    calendar: Option<&Calendar>,
) -> Result<Vec<CounterDelta>, AppError> {
    let mut deltas = dstats::deltas(before, envelopes, after, classifier(book, calendar));
    deltas.extend(dstats::open_deltas(
        before,
        envelopes,
        after,
        due_fn(book, calendar),
    ));
    to_store(deltas, book, procedure)
}

/// The counters of a whole history, recomputed event by event (import, rebuild).
pub fn replay(
    envelopes: &[EventEnvelope],
    book: &AgencyBook,
    procedure: &str,
    calendar: Option<&Calendar>,
) -> Result<Vec<CounterDelta>, AppError> {
    let mut deltas = dstats::replay_counters(envelopes, classifier(book, calendar));
    deltas.extend(dstats::replay_open(envelopes, due_fn(book, calendar)));
    to_store(deltas, book, procedure)
}

/// The counters of a command on a stored dossier: `held_by` is the agency holding it before
/// the command, `held_after` after it (another one after a forward or a transfer). The office
/// hours are read only when the command finishes the dossier.
#[allow(clippy::too_many_arguments)]
pub async fn command_counters(
    store: &dyn Store,
    calendar: &Calendar,
    held_by: Uuid,
    held_after: Uuid,
    before: &DossierState,
    envelopes: &[EventEnvelope],
    after: &DossierState,
    procedure: &str,
) -> Result<Vec<CounterDelta>, AppError> {
    let mut book = AgencyBook::new();
    // The office hours matter to a finish's judgement and to an appointment a pause moved.
    let finishes = before.finished_at.is_none() && after.finished_at.is_some();
    let moved = before.appointment_moved_by_pauses() || after.appointment_moved_by_pauses();
    if let Some(code) = before.agency.as_ref() {
        let hours = match finishes || moved {
            true => Some(Arc::new(office_hours(store, held_by).await?)),
            false => None,
        };
        book.insert(code.clone(), held_by, hours);
    }
    if let Some(code) = after.agency.as_ref()
        && !book.contains(code)
    {
        let hours = match moved {
            true => Some(Arc::new(office_hours(store, held_after).await?)),
            false => None,
        };
        book.insert(code.clone(), held_after, hours);
    }
    counters(before, envelopes, after, &book, procedure, Some(calendar))
}

/// The counters of an imported history (`state` is its replayed end state): every agency it
/// went through is looked up with its office hours.
pub async fn history_counters(
    store: &dyn Store,
    calendar: &Calendar,
    state: &DossierState,
    envelopes: &[EventEnvelope],
) -> Result<Vec<CounterDelta>, AppError> {
    let mut book = AgencyBook::new();
    for code in state.hops.iter().map(|h| &h.agency).chain(&state.agency) {
        if book.contains(code) {
            continue;
        }
        let agency = store
            .get_agency_by_code(code.as_str())
            .await
            .map_err(|e| match e {
                DbError::NotFound => {
                    AppError::invalid("unknown_agency", format!("không có cơ quan mã {code}"))
                }
                e => e.into(),
            })?;
        let hours = office_hours(store, agency.id).await?;
        book.insert(code.clone(), agency.id, Some(Arc::new(hours)));
    }
    let procedure = state
        .procedure
        .as_ref()
        .map(|p| p.code.as_str())
        .ok_or_else(|| AppError::invalid("import_refused", "hồ sơ chưa có thủ tục"))?;
    replay(envelopes, &book, procedure, Some(calendar))
}

/// A stored event as the domain reads it.
pub fn envelope_of(e: &StoredEvent) -> Result<EventEnvelope, String> {
    Ok(EventEnvelope {
        seq: u32::try_from(e.seq).map_err(|_| format!("event number {}", e.seq))?,
        at: e.at,
        actor: Actor {
            user: e.actor_id.unwrap_or_default(),
            role: Role::parse(&e.actor_role)
                .ok_or_else(|| format!("unknown role {:?}", e.actor_role))?,
        },
        event: serde_json::from_str(&e.data)
            .map_err(|err| format!("event {} of {}: {err}", e.seq, e.dossier_id))?,
    })
}

/// Recomputes every counter from the event log (`motcua stats rebuild`), in one transaction;
/// `progress` hears the dossiers done so far.
pub async fn rebuild(
    store: &dyn Store,
    calendar: &Calendar,
    mut progress: impl FnMut(u64) + Send,
) -> Result<RebuildReport, AppError> {
    let agencies = store
        .list_agencies(&AgencyQuery {
            limit: i64::MAX,
            ..Default::default()
        })
        .await?
        .items;
    let mut hours: HashMap<Uuid, Arc<OfficeHours>> = HashMap::new();
    for (id, json) in store.office_hours_all().await? {
        let h: OfficeHours = serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("stored office hours: {e}")))?;
        hours.insert(id, Arc::new(h));
    }
    let mut book = AgencyBook::new();
    for a in &agencies {
        if let Ok(code) = AgencyCode::parse(&a.code) {
            book.insert(code, a.id, hours.get(&a.id).cloned());
        }
    }
    let mut done = 0u64;
    let mut replay_one = |log: &[StoredEvent]| -> Result<Vec<CounterDelta>, String> {
        let envelopes = log.iter().map(envelope_of).collect::<Result<Vec<_>, _>>()?;
        let mut state = DossierState::new();
        for e in &envelopes {
            state.apply(e);
        }
        let procedure = state
            .procedure
            .as_ref()
            .map(|p| p.code.clone())
            .ok_or_else(|| format!("dossier {} has no procedure", log[0].dossier_id))?;
        done += 1;
        progress(done);
        replay(&envelopes, &book, &procedure, Some(calendar))
            .map_err(|e| format!("dossier {}: {e}", log[0].dossier_id))
    };
    Ok(store.rebuild_stats(&mut replay_one).await?)
}

// ---- periods ---------------------------------------------------------------------------------

/// A reporting period: whole Vietnam days `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    /// YYYY-MM-DD.
    #[schema(value_type = String)]
    pub from: NaiveDate,
    #[schema(value_type = String)]
    pub to: NaiveDate,
    /// "Tháng 11/2026", "Quý IV/2026", "Năm 2026", "Từ 01/11/2026 đến 24/11/2026".
    pub label: String,
}

impl Period {
    /// The instant the period ends (the next day's midnight, Vietnam time).
    pub fn end(&self) -> DateTime<Utc> {
        vn_midnight(self.to.succ_opt().unwrap_or(self.to))
    }

    /// The period `from..=to` with a label.
    pub fn days(from: NaiveDate, to: NaiveDate) -> Period {
        Period {
            from,
            to,
            label: format!(
                "Từ {} đến {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ),
        }
    }

    /// The calendar year of `day`.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
            label: format!("Năm {year}"),
        })
    }
}

fn vn_midnight(day: NaiveDate) -> DateTime<Utc> {
    motcua_domain::vn_time::midnight(day)
}

fn bad_period(s: &str) -> AppError {
    AppError::bad_request(
        "invalid_period",
        format!(
            "Kỳ báo cáo \"{}\" không hợp lệ: cần dạng 2026-11 (tháng), 2026-Q4 (quý), 2026 (năm) \
             hoặc from=YYYY-MM-DD&to=YYYY-MM-DD.",
            s.trim()
        ),
    )
}

/// Reads `period=2026-11 | 2026-Q4 | 2026` or `from`/`to` (YYYY-MM-DD; `to` defaults to today);
/// with none of them, the current month.
pub fn parse_period(
    period: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Period, AppError> {
    use crate::calendar::parse_date;
    if let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) {
        if from.is_some() || to.is_some() {
            return Err(AppError::bad_request(
                "invalid_period",
                "Chỉ ghi kỳ báo cáo (period) hoặc khoảng ngày (from, to), không ghi cả hai.",
            ));
        }
        let year = |y: &str| {
            (y.len() == 4)
                .then(|| y.parse::<i32>().ok())
                .flatten()
                .filter(|y| (1900..=2100).contains(y))
        };
        if let Some(y) = year(p) {
            return Period::year(y).ok_or_else(|| bad_period(p));
        }
        if let Some((y, q)) = p.split_once(['-', '/'])
            && let Some(y) = year(y)
        {
            let q = q.trim();
            if let Some(n) = q
                .strip_prefix(['Q', 'q'])
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=4).contains(n))
            {
                let from = NaiveDate::from_ymd_opt(y, 3 * n - 2, 1).ok_or_else(|| bad_period(p))?;
                let roman = ["I", "II", "III", "IV"][n as usize - 1];
                return Ok(Period {
                    from,
                    to: month_end(from.checked_add_months(Months::new(2)).unwrap_or(from)),
                    label: format!("Quý {roman}/{y}"),
                });
            }
            if let Some(m) = q
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=12).contains(m) && q.len() == 2)
            {
                let from = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(|| bad_period(p))?;
                return Ok(Period {
                    from,
                    to: month_end(from),
                    label: format!("Tháng {m:02}/{y}"),
                });
            }
        }
        return Err(bad_period(p));
    }
    match (from, to) {
        (None, None) => {
            let from = month_start(today);
            Ok(Period {
                from,
                to: month_end(today),
                label: format!("Tháng {:02}/{}", from.month(), from.year()),
            })
        }
        (None, Some(_)) => Err(AppError::bad_request(
            "invalid_period",
            "Cần ghi ngày bắt đầu (from) của khoảng ngày.",
        )),
        (Some(f), t) => {
            let from = parse_date(f)?;
            let to = t.map(parse_date).transpose()?.unwrap_or(today);
            if to < from {
                return Err(AppError::bad_request(
                    "invalid_period",
                    "Ngày kết thúc (to) phải sau ngày bắt đầu (from).",
                ));
            }
            if (to - from).num_days() > 366 * 10 {
                return Err(AppError::bad_request(
                    "invalid_period",
                    "Khoảng ngày báo cáo dài quá 10 năm.",
                ));
            }
            Ok(Period::days(from, to))
        }
    }
}

// ---- figures ---------------------------------------------------------------------------------

/// The metrics the balance carried over needs (received, moved, finished).
const BALANCE: [Metric; 10] = [
    Metric::ReceivedOnline,
    Metric::ReceivedCounter,
    Metric::ReceivedPostal,
    Metric::ForwardedIn,
    Metric::ForwardedOut,
    Metric::TransferredIn,
    Metric::TransferredOut,
    Metric::Resolved,
    Metric::Stopped,
    Metric::Withdrawn,
];

fn keys(metrics: &[Metric]) -> Vec<String> {
    metrics.iter().map(|m| m.as_str().to_string()).collect()
}

/// A unit's counters for a period, and its in-progress dossiers late at the period's end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub before: Counters,
    pub within: Counters,
    /// Past their effective appointment (the report's split).
    pub overdue: i64,
    /// Late for Decision 766 indicator 2.1 (the index's split): overdue, or asked for a
    /// supplement more than once.
    pub index_late: i64,
}

impl Figures {
    /// In progress at the period's end (from the counters).
    pub fn in_progress(&self) -> i64 {
        self.before.in_progress() + self.within.received() + self.within.moved_in()
            - self.within.moved_out()
            - self.within.finished()
    }

    /// The split of [`Figures::in_progress`] for the report: overdue (never more than the
    /// dossiers in progress), the rest within time.
    pub fn split(&self) -> InProgressSplit {
        self.split_by(self.overdue)
    }

    /// The split of [`Figures::in_progress`] for the service index.
    pub fn index_split(&self) -> InProgressSplit {
        self.split_by(self.index_late)
    }

    fn split_by(&self, late: i64) -> InProgressSplit {
        let in_progress = self.in_progress().max(0);
        let late = late.clamp(0, in_progress);
        InProgressSplit {
            within_time: in_progress - late,
            overdue: late,
        }
    }

    pub fn report(&self) -> PeriodReport {
        PeriodReport::from_counters(&self.before, &self.within, Some(self.split()))
    }

    fn minus(&self, other: &Figures) -> Figures {
        let neg = |c: &Counters| c.iter().map(|(m, v)| (m, -v)).collect::<Counters>();
        Figures {
            before: self.before.clone() + neg(&other.before),
            within: self.within.clone() + neg(&other.within),
            overdue: self.overdue - other.overdue,
            index_late: self.index_late - other.index_late,
        }
    }

    fn is_empty(&self) -> bool {
        self.before.iter().next().is_none() && self.within.iter().next().is_none()
    }
}

/// The last day to read for a period: no counter lies after today, so a period reaching today
/// may read its last month whole (from the monthly roll-up).
fn reading_to(period: &Period, today: NaiveDate) -> NaiveDate {
    if period.to >= today {
        month_end(period.to)
    } else {
        period.to
    }
}

/// Keyed by root and procedure (`None`: all procedures).
type FigureMap = HashMap<(Uuid, Option<String>), Figures>;

/// The figures of `roots`' subtrees for a period, restricted to `procedures` (empty: all), and
/// per procedure when asked.
pub async fn figures(
    store: &dyn Store,
    roots: &[Uuid],
    period: &Period,
    procedures: &[String],
    by_procedure: bool,
    now: DateTime<Utc>,
) -> Result<FigureMap, AppError> {
    let today = vietnam_date(now);
    let mut out: FigureMap = HashMap::new();
    if roots.is_empty() {
        return Ok(out);
    }
    let to = reading_to(period, today);
    if let Some(before_to) = period.from.pred_opt() {
        let sums = store
            .stat_sums(&StatSumQuery {
                roots: roots.to_vec(),
                from: None,
                to: before_to,
                metrics: keys(&BALANCE),
                procedures: procedures.to_vec(),
                by_procedure,
            })
            .await?;
        for s in sums {
            if let Some(m) = Metric::parse(&s.metric) {
                out.entry((s.root, s.procedure_code))
                    .or_default()
                    .before
                    .add_to(m, s.value);
            }
        }
    }
    let sums = store
        .stat_sums(&StatSumQuery {
            roots: roots.to_vec(),
            from: Some(period.from),
            to,
            metrics: Vec::new(),
            procedures: procedures.to_vec(),
            by_procedure,
        })
        .await?;
    for s in sums {
        // The open levels are read up to the period's end below, not summed over it.
        if let Some(m) = Metric::parse(&s.metric).filter(|m| !m.is_open_level()) {
            out.entry((s.root, s.procedure_code))
                .or_default()
                .within
                .add_to(m, s.value);
        }
    }
    // Open dossiers late at the period's end: the levels up to its last day (legal-rules.md
    // §1.4, judged as the events up to then left each dossier). A period not over yet is
    // judged now: overdue from the projection, plus those late for the index only because
    // of repeated supplement requests (levels up to today).
    let end = period.end();
    let current = end > now;
    let levels = store
        .stat_sums(&StatSumQuery {
            roots: roots.to_vec(),
            from: None,
            to: if current { today } else { period.to },
            metrics: keys(&[Metric::OpenOverdue, Metric::OpenIndexLate]),
            procedures: procedures.to_vec(),
            by_procedure,
        })
        .await?;
    for s in levels {
        let f = out.entry((s.root, s.procedure_code)).or_default();
        match (Metric::parse(&s.metric), current) {
            (Some(Metric::OpenOverdue), false) => f.overdue += s.value,
            (Some(Metric::OpenOverdue), true) => f.index_late -= s.value,
            (Some(Metric::OpenIndexLate), _) => f.index_late += s.value,
            _ => {}
        }
    }
    if current {
        let counts = store
            .stat_overdue(&OverdueQuery {
                roots: roots.to_vec(),
                at: now,
                procedures: procedures.to_vec(),
                by_procedure,
                due_before: None,
            })
            .await?;
        for c in counts {
            let f = out.entry((c.root, c.procedure_code)).or_default();
            f.overdue += c.overdue;
            f.index_late += c.overdue;
        }
    }
    Ok(out)
}

fn take(map: &FigureMap, root: Uuid) -> Figures {
    map.get(&(root, None)).cloned().unwrap_or_default()
}

/// An agency or procedure as a report names it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

impl UnitRef {
    fn of(a: &Agency) -> UnitRef {
        UnitRef {
            code: a.code.clone(),
            name: a.name.clone(),
        }
    }
}

/// One row of the periodic report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub code: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub report: PeriodReport,
}

/// The periodic report of a unit (báo cáo tình hình, kết quả giải quyết TTHC).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub unit: UnitRef,
    pub period: Period,
    /// The instant the in-progress dossiers are judged at (Vietnam time): the period's end,
    /// or now.
    pub judged_at: String,
    /// Only this procedure, when asked.
    pub procedure: Option<String>,
    /// The whole unit.
    #[schema(value_type = Object)]
    pub total: PeriodReport,
    /// The unit's own counters (when it has any), then each agency directly below it with
    /// its subtree; they add up to `total`.
    pub agencies: Vec<ReportRow>,
    /// Per procedure, over the whole unit; they add up to `total`.
    pub procedures: Vec<ReportRow>,
}

async fn children(store: &dyn Store, parent: Uuid) -> Result<Vec<Agency>, AppError> {
    Ok(store
        .list_agencies(&AgencyQuery {
            parent: Some(parent),
            limit: i64::MAX,
            ..Default::default()
        })
        .await?
        .items)
}

async fn procedure_names(store: &dyn Store) -> Result<HashMap<String, String>, AppError> {
    Ok(store
        .procedure_hits()
        .await?
        .into_iter()
        .map(|h| (h.code, h.name))
        .collect())
}

/// The periodic report of `unit` (its subtree): rows per agency below it and, with
/// `per_procedure`, per procedure (read from the daily cells: the slower part for a large
/// unit and a long period).
pub async fn report(
    store: &dyn Store,
    unit: &Agency,
    period: &Period,
    procedure: Option<&str>,
    per_procedure: bool,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let procedures: Vec<String> = procedure.map(str::to_string).into_iter().collect();
    let below = children(store, unit.id).await?;
    let mut roots = vec![unit.id];
    roots.extend(below.iter().map(|a| a.id));
    let map = figures(store, &roots, period, &procedures, false, now).await?;
    let total = take(&map, unit.id);
    let mut agencies = Vec::with_capacity(below.len() + 1);
    let mut rest = total.clone();
    let mut rows = Vec::with_capacity(below.len());
    for a in &below {
        let f = take(&map, a.id);
        rest = rest.minus(&f);
        rows.push(ReportRow {
            code: a.code.clone(),
            name: a.name.clone(),
            report: f.report(),
        });
    }
    if !rest.is_empty() || rest.overdue != 0 {
        agencies.push(ReportRow {
            code: unit.code.clone(),
            name: unit.name.clone(),
            report: rest.report(),
        });
    }
    agencies.extend(rows);
    let per = match per_procedure {
        true => figures(store, &[unit.id], period, &procedures, true, now).await?,
        false => HashMap::new(),
    };
    let names = match per.is_empty() {
        true => HashMap::new(),
        false => procedure_names(store).await?,
    };
    let mut procedures: Vec<ReportRow> = per
        .into_iter()
        .filter_map(|((_, p), f)| p.map(|p| (p, f)))
        .map(|(code, f)| ReportRow {
            name: names.get(&code).cloned().unwrap_or_default(),
            code,
            report: f.report(),
        })
        .collect();
    procedures.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Report {
        unit: UnitRef::of(unit),
        period: period.clone(),
        judged_at: format_vn_instant(period.end().min(now)),
        procedure: procedure.map(str::to_string),
        total: total.report(),
        agencies,
        procedures,
    })
}

// ---- index -----------------------------------------------------------------------------------

fn packs() -> &'static IndexPacks {
    static PACKS: OnceLock<IndexPacks> = OnceLock::new();
    PACKS.get_or_init(IndexPacks::embedded)
}

/// The pack in force on the period's first day (the oldest one before any pack).
fn pack_for(period: &Period) -> Result<&'static motcua_domain::index::IndexPack, AppError> {
    packs()
        .for_date(period.from)
        .or_else(|| packs().iter().next())
        .ok_or_else(|| AppError::Internal("no index pack".into()))
}

/// What the catalogue says of a procedure, for the index (Decree 63/2010 art. 8 §2 a–g for
/// "fully publicised").
pub fn procedure_facts(p: &Procedure) -> ProcedureFacts {
    let filled = |s: &str| !s.trim().is_empty();
    ProcedureFacts {
        online_service: p.online_level != OnlineLevel::None,
        has_fees: p.has_financial_obligation,
        fully_publicised: filled(&p.name)
            && !p.steps.is_empty()
            && !p.channels.is_empty()
            && !p.components.is_empty()
            && p.channels.iter().any(|c| c.time.is_some())
            && !p.applicant_types.is_empty()
            && (filled(&p.implementing_body) || filled(&p.competent_body)),
    }
}

/// Every procedure's facts, remembered per catalogue version.
async fn all_procedure_facts(
    store: &dyn Store,
) -> Result<Arc<HashMap<String, ProcedureFacts>>, AppError> {
    type Cached = Option<(String, Arc<HashMap<String, ProcedureFacts>>)>;
    static CACHE: Mutex<Cached> = Mutex::new(None);
    let version = store.catalogue_version().await?;
    if let Some((v, facts)) = CACHE.lock().expect("facts cache").as_ref()
        && *v == version
    {
        return Ok(facts.clone());
    }
    let mut facts = HashMap::new();
    for record in store.procedure_records().await? {
        if let Ok(p) = serde_json::from_str::<Procedure>(&record) {
            facts.insert(p.code.clone(), procedure_facts(&p));
        }
    }
    let facts = Arc::new(facts);
    *CACHE.lock().expect("facts cache") = Some((version, facts.clone()));
    Ok(facts)
}

/// The catalogue figures of each root for a period: the procedures its agencies apply, with
/// their counters in the period (none applied: "no data").
async fn catalogue_facts(
    store: &dyn Store,
    roots: &[Uuid],
    period: &Period,
    procedure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, CatalogueFacts>, AppError> {
    let mut applied: HashMap<Uuid, Vec<String>> = HashMap::new();
    for &root in roots {
        let mut codes = store.stat_applied_procedures(root).await?;
        if let Some(p) = procedure {
            codes.retain(|c| c == p);
        }
        if !codes.is_empty() {
            applied.insert(root, codes);
        }
    }
    let mut out = HashMap::new();
    if applied.is_empty() {
        return Ok(out);
    }
    let facts = all_procedure_facts(store).await?;
    let today = vietnam_date(now);
    let with: Vec<Uuid> = applied.keys().copied().collect();
    let sums = store
        .stat_sums(&StatSumQuery {
            roots: with,
            from: Some(period.from),
            to: reading_to(period, today),
            metrics: keys(&[Metric::ReceivedOnline, Metric::FeeDue, Metric::PaidOnline]),
            procedures: procedure.map(str::to_string).into_iter().collect(),
            by_procedure: true,
        })
        .await?;
    let mut counters: HashMap<(Uuid, String), Counters> = HashMap::new();
    for s in sums {
        if let (Some(m), Some(p)) = (Metric::parse(&s.metric), s.procedure_code) {
            counters.entry((s.root, p)).or_default().add_to(m, s.value);
        }
    }
    let empty = Counters::new();
    for (root, codes) in applied {
        let rows: Vec<(ProcedureFacts, Counters)> = codes
            .iter()
            .filter_map(|c| {
                let f = facts.get(c)?;
                let k = (root, c.clone());
                Some((
                    *f,
                    counters.get(&k).cloned().unwrap_or_else(|| empty.clone()),
                ))
            })
            .collect();
        out.insert(
            root,
            CatalogueFacts::tally(rows.iter().map(|(f, c)| (f, c))),
        );
    }
    Ok(out)
}

/// The service index of a unit for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndexView {
    pub unit: UnitRef,
    pub period: Period,
    pub procedure: Option<String>,
    /// Dossiers received in the period.
    pub received: i64,
    /// Dossiers to handle in the period (the denominator of 2.1).
    pub to_handle: i64,
    /// Every group and indicator with its numerator, denominator, rate, points and `no_data`.
    #[schema(value_type = Object)]
    pub result: IndexResult,
}

/// A unit's feedback figures for a period: the counts of indicators 5.1–5.3 and the reports
/// about its dossiers received in the period (5.4).
pub type FeedbackFigures = (motcua_domain::feedback::FeedbackCounts, u64);

fn score_with(
    figures: &Figures,
    facts: &CatalogueFacts,
    period: &Period,
    feedback: Option<&FeedbackFigures>,
    synced: Option<(i64, i64)>,
) -> Result<IndexResult, AppError> {
    // Dossiers record digitisation and re-use whatever the catalogue holds of the unit.
    let facts = CatalogueFacts {
        tracks_digitisation: true,
        ..facts.clone()
    };
    let mut inputs = index_inputs(
        &figures.before,
        &figures.within,
        Some(figures.index_split()),
        &facts,
    );
    if let Some((counts, about_dossiers)) = feedback {
        motcua_domain::index::add_feedback(&mut inputs, counts, *about_dossiers);
    }
    // Indicator 1.4 from the national portal's sync log (#21), when the sync is in use.
    if let Some((synced, to_sync)) = synced {
        use motcua_domain::index::InputKey;
        inputs.set(InputKey::DossiersSynced, synced as f64);
        inputs.set(InputKey::DossiersToSync, to_sync as f64);
    }
    Ok(compute(pack_for(period)?, &inputs))
}

/// The index of `unit` for a period (optionally one procedure), with its feedback figures
/// when known (see `App::service_index`).
pub async fn index(
    store: &dyn Store,
    unit: &Agency,
    period: &Period,
    procedure: Option<&str>,
    now: DateTime<Utc>,
    feedback: Option<&FeedbackFigures>,
) -> Result<IndexView, AppError> {
    let procedures: Vec<String> = procedure.map(str::to_string).into_iter().collect();
    let map = figures(store, &[unit.id], period, &procedures, false, now).await?;
    let f = take(&map, unit.id);
    let facts = catalogue_facts(store, &[unit.id], period, procedure, now).await?;
    let synced = crate::webhooks::portal::synced(store, unit.id, period).await?;
    let result = score_with(
        &f,
        &facts.get(&unit.id).cloned().unwrap_or_default(),
        period,
        feedback,
        synced,
    )?;
    Ok(IndexView {
        unit: UnitRef::of(unit),
        period: period.clone(),
        procedure: procedure.map(str::to_string),
        received: f.within.received(),
        to_handle: f.report().total,
        result,
    })
}

/// One group's points in a ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupPoints {
    pub code: String,
    pub name_vi: String,
    pub points: f64,
    pub max: f64,
}

/// One unit of a ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankedUnit {
    /// 1 for the best; equal totals share a rank; `null` when not ranked.
    pub rank: Option<u32>,
    pub unit: UnitRef,
    pub total: f64,
    pub max_with_data: f64,
    /// Dossiers received in the period (the denominator the ranking trusts).
    pub received: u64,
    /// Dossiers to handle (the denominator of 2.1).
    pub to_handle: i64,
    /// Too few dossiers to be ranked.
    pub insufficient_data: bool,
    pub best: bool,
    pub worst: bool,
    pub groups: Vec<GroupPoints>,
}

/// The children of a parent (or the provinces), ranked by their index.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub parent: Option<UnitRef>,
    pub period: Period,
    pub procedure: Option<String>,
    /// Units receiving fewer dossiers are listed, not ranked.
    pub min_received: u64,
    pub units: Vec<RankedUnit>,
}

/// The units ranked under `parent`: the agencies directly below it, or every province's
/// People's Committee when `None`.
pub async fn ranking_units(
    store: &dyn Store,
    parent: Option<&Agency>,
) -> Result<Vec<Agency>, AppError> {
    match parent {
        Some(p) => children(store, p.id).await,
        None => Ok(store
            .list_agencies(&AgencyQuery {
                kind: Some(AgencyKind::ProvinceCommittee),
                limit: i64::MAX,
                ..Default::default()
            })
            .await?
            .items
            .into_iter()
            .filter(|a| a.parent_id.is_none())
            .collect()),
    }
}

/// Ranks `units` (see [`ranking_units`]) by their index for a period, each with its feedback
/// figures when `feedback` has them.
pub async fn ranking(
    store: &dyn Store,
    parent: Option<&Agency>,
    units: &[Agency],
    period: &Period,
    procedure: Option<&str>,
    now: DateTime<Utc>,
    feedback: &HashMap<Uuid, FeedbackFigures>,
) -> Result<Ranking, AppError> {
    let procedures: Vec<String> = procedure.map(str::to_string).into_iter().collect();
    let roots: Vec<Uuid> = units.iter().map(|a| a.id).collect();
    let map = figures(store, &roots, period, &procedures, false, now).await?;
    let facts = catalogue_facts(store, &roots, period, procedure, now).await?;
    let mut scored = Vec::with_capacity(units.len());
    let mut to_handle = HashMap::new();
    for a in units {
        let f = take(&map, a.id);
        let synced = crate::webhooks::portal::synced(store, a.id, period).await?;
        let result = score_with(
            &f,
            &facts.get(&a.id).cloned().unwrap_or_default(),
            period,
            feedback.get(&a.id),
            synced,
        )?;
        to_handle.insert(a.id, f.report().total);
        scored.push((a, result, f.within.received().max(0) as u64));
    }
    let options = RankOptions::default();
    let ranked = rank(&scored, options);
    Ok(Ranking {
        parent: parent.map(UnitRef::of),
        period: period.clone(),
        procedure: procedure.map(str::to_string),
        min_received: options.min_received,
        units: ranked
            .into_iter()
            .map(|r| RankedUnit {
                rank: r.rank,
                unit: UnitRef::of(r.unit),
                total: r.result.total,
                max_with_data: r.result.max_with_data,
                received: r.received,
                to_handle: to_handle.get(&r.unit.id).copied().unwrap_or(0),
                insufficient_data: r.insufficient_data,
                best: r.best,
                worst: r.worst,
                groups: group_points(&r.result),
            })
            .collect(),
    })
}

fn group_points(r: &IndexResult) -> Vec<GroupPoints> {
    r.groups
        .iter()
        .map(|g| GroupPoints {
            code: g.code.clone(),
            name_vi: g.name_vi.clone(),
            points: g.points,
            max: g.max,
        })
        .collect()
}

// ---- dashboard -------------------------------------------------------------------------------

/// Today's intake of a unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Today {
    #[schema(value_type = String)]
    pub date: NaiveDate,
    pub submitted: i64,
    pub received: i64,
    pub received_online: i64,
    pub received_counter: i64,
    pub received_postal: i64,
    pub resolved: i64,
    pub returned: i64,
}

/// One month of a unit's trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthFigures {
    /// YYYY-MM.
    pub month: String,
    pub received: i64,
    pub received_online: i64,
    pub resolved: i64,
    pub resolved_late: i64,
    /// (early + on time) / resolved, percent.
    pub on_time_rate: Option<f64>,
}

/// Received dossiers by channel.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ChannelMix {
    pub online: i64,
    pub counter: i64,
    pub postal: i64,
    /// online / all, percent.
    pub online_rate: Option<f64>,
}

/// What a unit's dashboard shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub unit: UnitRef,
    /// Vietnam time.
    pub at: String,
    pub today: Today,
    /// Received and not finished now.
    pub in_progress: i64,
    /// Of those, due by the close of office of the next working day.
    pub due_soon: i64,
    /// Of those, past their appointment.
    pub overdue: i64,
    /// The last 12 months, oldest first (the current month so far last).
    pub trend: Vec<MonthFigures>,
    /// Over the 12 months of the trend.
    pub channels: ChannelMix,
    /// The index of the year so far.
    pub index_period: Period,
    pub index_total: f64,
    pub index_max_with_data: f64,
    pub index_groups: Vec<GroupPoints>,
}

/// A unit's dashboard figures now.
pub async fn dashboard(
    store: &dyn Store,
    calendar: &Calendar,
    unit: &Agency,
    now: DateTime<Utc>,
) -> Result<Dashboard, AppError> {
    let today = vietnam_date(now);
    let roots = [unit.id];
    let day = store
        .stat_sums(&StatSumQuery {
            roots: roots.to_vec(),
            from: Some(today),
            to: today,
            ..Default::default()
        })
        .await?;
    let day: Counters = day
        .into_iter()
        .filter_map(|s| Some((Metric::parse(&s.metric)?, s.value)))
        .collect();
    let balance: Counters = store
        .stat_sums(&StatSumQuery {
            roots: roots.to_vec(),
            from: None,
            to: month_end(today),
            metrics: keys(&BALANCE),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter_map(|s| Some((Metric::parse(&s.metric)?, s.value)))
        .collect();
    let in_progress = balance.in_progress().max(0);
    let soon = calendar
        .clock(default_hours())
        .appointment(now, None, Duration::WorkingDays(1))
        .unwrap_or(now);
    let counts = store
        .stat_overdue(&OverdueQuery {
            roots: roots.to_vec(),
            at: now,
            procedures: Vec::new(),
            by_procedure: false,
            due_before: Some(soon),
        })
        .await?;
    let (overdue, due_soon) = counts
        .iter()
        .fold((0, 0), |(o, s), c| (o + c.overdue, s + c.due_soon));
    let first = month_start(today)
        .checked_sub_months(Months::new(11))
        .unwrap_or(today);
    let trend_metrics = [
        Metric::ReceivedOnline,
        Metric::ReceivedCounter,
        Metric::ReceivedPostal,
        Metric::Resolved,
        Metric::ResolvedEarly,
        Metric::ResolvedOnTime,
        Metric::ResolvedLate,
    ];
    let mut months: BTreeMap<NaiveDate, Counters> = BTreeMap::new();
    let mut m = first;
    while m <= today {
        months.insert(m, Counters::new());
        m = m
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    for s in store
        .stat_series(unit.id, first, today, &keys(&trend_metrics))
        .await?
    {
        if let (Some(c), Some(metric)) = (months.get_mut(&s.month), Metric::parse(&s.metric)) {
            c.add_to(metric, s.value);
        }
    }
    let mut channels = ChannelMix::default();
    let trend = months
        .iter()
        .map(|(m, c)| {
            channels.online += c.get(Metric::ReceivedOnline);
            channels.counter += c.get(Metric::ReceivedCounter);
            channels.postal += c.get(Metric::ReceivedPostal);
            MonthFigures {
                month: m.format("%Y-%m").to_string(),
                received: c.received(),
                received_online: c.get(Metric::ReceivedOnline),
                resolved: c.get(Metric::Resolved),
                resolved_late: c.get(Metric::ResolvedLate),
                on_time_rate: percent(
                    c.get(Metric::ResolvedEarly) + c.get(Metric::ResolvedOnTime),
                    c.get(Metric::Resolved),
                ),
            }
        })
        .collect();
    channels.online_rate = percent(
        channels.online,
        channels.online + channels.counter + channels.postal,
    );
    let year = Period::year(today.year()).ok_or_else(|| AppError::Internal("year".into()))?;
    let index = index(store, unit, &year, None, now, None).await?;
    Ok(Dashboard {
        unit: UnitRef::of(unit),
        at: format_vn_instant(now),
        today: Today {
            date: today,
            submitted: day.get(Metric::Submitted),
            received: day.received(),
            received_online: day.get(Metric::ReceivedOnline),
            received_counter: day.get(Metric::ReceivedCounter),
            received_postal: day.get(Metric::ReceivedPostal),
            resolved: day.get(Metric::Resolved),
            returned: day.get(Metric::Returned),
        },
        in_progress,
        due_soon: due_soon.min(in_progress),
        overdue: overdue.min(in_progress),
        trend,
        channels,
        index_period: year,
        index_total: index.result.total,
        index_max_with_data: index.result.max_with_data,
        index_groups: group_points(&index.result),
    })
}

// ---- public ----------------------------------------------------------------------------------

/// The published figures of one unit (no personal data: counts and rates only).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicRow {
    pub code: String,
    pub name: String,
    /// Newly received in the period.
    pub received: i64,
    /// Total to handle (carried over + received + moved in − moved out).
    pub to_handle: i64,
    pub resolved: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    pub in_progress: i64,
    pub in_progress_overdue: i64,
    /// (early + on time) / resolved, percent.
    pub on_time_rate: Option<f64>,
    /// Received online / received, percent.
    pub online_rate: Option<f64>,
}

impl PublicRow {
    fn of(code: &str, name: &str, r: &PeriodReport) -> PublicRow {
        PublicRow {
            code: code.to_string(),
            name: name.to_string(),
            received: r.new_total(),
            to_handle: r.total,
            resolved: r.resolved,
            resolved_early: r.resolved_early,
            resolved_on_time: r.resolved_on_time,
            resolved_late: r.resolved_late,
            in_progress: r.in_progress,
            in_progress_overdue: r.in_progress_split.map(|s| s.overdue).unwrap_or(0),
            on_time_rate: r.rates.on_time,
            online_rate: r.rates.online,
        }
    }
}

/// What anyone may read of a unit's figures for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStats {
    pub unit: UnitRef,
    pub period: Period,
    pub total: PublicRow,
    /// The agencies directly below the unit.
    pub agencies: Vec<PublicRow>,
    pub index_total: f64,
    pub index_max_with_data: f64,
    pub index_groups: Vec<GroupPoints>,
}

/// The public figures of a unit for a period.
pub async fn public(
    store: &dyn Store,
    unit: &Agency,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<PublicStats, AppError> {
    let r = report(store, unit, period, None, false, now).await?;
    let index = index(store, unit, period, None, now, None).await?;
    Ok(PublicStats {
        unit: r.unit.clone(),
        period: r.period.clone(),
        total: PublicRow::of(&unit.code, &unit.name, &r.total),
        agencies: r
            .agencies
            .iter()
            .map(|row| PublicRow::of(&row.code, &row.name, &row.report))
            .collect(),
        index_total: index.result.total,
        index_max_with_data: index.result.max_with_data,
        index_groups: group_points(&index.result),
    })
}

/// The statistics service: the unit a caller oversees and its figures.
impl crate::state::App {
    /// The unit named by `code`, if `caller` oversees it.
    pub async fn overseen_unit(
        &self,
        caller: &crate::auth::Caller,
        code: &str,
    ) -> Result<Agency, AppError> {
        let unit = self.agency(code.trim()).await?;
        let scope = crate::auth::ResolvedScope::of(self, unit.id).await?;
        crate::auth::require(caller, motcua_domain::auth::Action::Oversee(scope.scope()))?;
        Ok(unit)
    }

    /// Forbidden unless `caller` oversees every one of `units`.
    pub async fn require_oversees_all(
        &self,
        caller: &crate::auth::Caller,
        units: &[Agency],
    ) -> Result<(), AppError> {
        for u in units {
            let scope = crate::auth::ResolvedScope::of(self, u.id).await?;
            crate::auth::require(caller, motcua_domain::auth::Action::Oversee(scope.scope()))?;
        }
        Ok(())
    }

    /// The procedure a statistics query narrows to, checked to exist (`None`: all).
    pub async fn stats_procedure(&self, code: Option<&str>) -> Result<Option<String>, AppError> {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        match self.store.procedure(code).await {
            Ok(row) => Ok(Some(row.code)),
            Err(motcua_store::DbError::NotFound) => Err(AppError::NotFound("thủ tục")),
            Err(e) => Err(e.into()),
        }
    }

    /// The periodic report of a unit (see [`report`]).
    pub async fn unit_report(
        &self,
        unit: &Agency,
        period: &Period,
        procedure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Report, AppError> {
        report(self.store.as_ref(), unit, period, procedure, true, now).await
    }

    /// A unit's dashboard figures now (see [`dashboard`]).
    pub async fn unit_dashboard(
        &self,
        unit: &Agency,
        now: DateTime<Utc>,
    ) -> Result<Dashboard, AppError> {
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        dashboard(self.store.as_ref(), &calendar, unit, now).await
    }

    /// The service index of a unit (see [`index`]).
    pub async fn unit_index(
        &self,
        unit: &Agency,
        period: &Period,
        procedure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IndexView, AppError> {
        self.service_index(unit, period, procedure, now).await
    }

    /// The units ranked below `parent` (without it: the provinces).
    pub async fn ranking_units(&self, parent: Option<&Agency>) -> Result<Vec<Agency>, AppError> {
        ranking_units(self.store.as_ref(), parent).await
    }

    /// The provinces, by name.
    pub async fn provinces(&self) -> Result<Vec<Agency>, AppError> {
        let mut provinces = ranking_units(self.store.as_ref(), None).await?;
        provinces.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(provinces)
    }

    /// `units` ranked by their index (see [`ranking`]).
    pub async fn rank_units(
        &self,
        parent: Option<&Agency>,
        units: &[Agency],
        period: &Period,
        procedure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Ranking, AppError> {
        // Feedback is counted per unit, not per procedure (as in `service_index`).
        let mut feedback = HashMap::new();
        if procedure.is_none() {
            for u in units {
                feedback.insert(u.id, self.feedback_figures(u.id, period).await?);
            }
        }
        ranking(
            self.store.as_ref(),
            parent,
            units,
            period,
            procedure,
            now,
            &feedback,
        )
        .await
    }

    /// The published figures of a unit (see [`public`]).
    pub async fn public_stats(
        &self,
        unit: &Agency,
        period: &Period,
        now: DateTime<Utc>,
    ) -> Result<PublicStats, AppError> {
        public(self.store.as_ref(), unit, period, now).await
    }

    /// The figures of subtrees (see [`figures`]).
    pub async fn figures(
        &self,
        roots: &[Uuid],
        period: &Period,
        procedures: &[String],
        by_procedure: bool,
        now: DateTime<Utc>,
    ) -> Result<FigureMap, AppError> {
        figures(
            self.store.as_ref(),
            roots,
            period,
            procedures,
            by_procedure,
            now,
        )
        .await
    }

    /// `Err(seconds to wait)` when `ip` used up its minute of public look-ups.
    pub async fn check_lookup_rate(&self, ip: Option<std::net::IpAddr>) -> Result<(), u64> {
        self.lookup_limiter.check(self.store.as_ref(), ip).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_read_the_way_reports_name_them() {
        let today = d(2026, 11, 24);
        let p = parse_period(Some("2026-11"), None, None, today).unwrap();
        assert_eq!((p.from, p.to), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(p.label, "Tháng 11/2026");
        let p = parse_period(Some("2026-Q4"), None, None, today).unwrap();
        assert_eq!(
            (p.from, p.to, p.label.as_str()),
            (d(2026, 10, 1), d(2026, 12, 31), "Quý IV/2026")
        );
        let p = parse_period(Some("2025"), None, None, today).unwrap();
        assert_eq!((p.from, p.to), (d(2025, 1, 1), d(2025, 12, 31)));
        let p = parse_period(None, Some("2026-11-03"), None, today).unwrap();
        assert_eq!((p.from, p.to), (d(2026, 11, 3), today));
        let p = parse_period(None, None, None, today).unwrap();
        assert_eq!((p.from, p.to), (d(2026, 11, 1), d(2026, 11, 30)));
        for bad in ["2026-13", "2026-Q5", "26", "2026-1", "tháng 11"] {
            assert!(parse_period(Some(bad), None, None, today).is_err(), "{bad}");
        }
        assert!(parse_period(None, Some("2026-11-03"), Some("2026-11-01"), today).is_err());
        assert!(parse_period(Some("2026"), Some("2026-01-01"), None, today).is_err());
        // The period ends at the next midnight, Vietnam time.
        let p = parse_period(Some("2026-11"), None, None, today).unwrap();
        assert_eq!(
            p.end(),
            Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap()
        );
    }
}
