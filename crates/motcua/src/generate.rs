//! The benchmark's data generator, `motcua stats generate`: only in a binary built with the
//! `generator` feature (`cargo build --release -p motcua --features generator`), never in the
//! production one.
//!
//! `motcua stats generate --dossiers N` loads the demo agency tree (34 provinces, 3,321
//! communes) and the shipped catalogue, then writes N dossiers received between `--from`
//! (default 1/7/2025, the two-tier start) and today, in date order, through the store's
//! import path in large transactions. Each dossier's history is driven through the real state
//! machine with the real calendar (lodging online, at the counter or by post; the officer's
//! check, refusals and withdrawals; forwarding to the commune People's Committee or a
//! department; supplement requests; approval, an electronic or paper result, fees paid online,
//! return; stops; late finishes), and its projection row and counters are those of that
//! history: the counters are [`stats::replay`] of its events, so they equal what `stats
//! rebuild` would compute from them (they are summed per cell over each batch and written with
//! their roll-up in one transaction, the rows in another). The events themselves are not
//! stored (the figures do not read them), so `stats rebuild` on a generated database would
//! count nothing. With `--open-rows-only` only the rows of unfinished dossiers are stored:
//! the figures of the current period read the same (they read finished dossiers from the
//! counters alone) on a database a fraction of the size.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveTime, Utc};
use motcua_app::stats::{self, AgencyBook};
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::calendar::{Calendar, OfficeHours};
use motcua_domain::catalogue::{Channel, Procedure};
use motcua_domain::dossier::{
    Actor, Applicant, Command, DossierAction, DossierCode, DossierState, EventEnvelope,
    PaymentMethod, ProcedureRef, ResultForm, ReturnChannel, Submission, execute, vietnam_date,
};
use motcua_store::{AgencyQuery, CounterDelta, DossierWrite, ProcedureSearch, Store};
use uuid::Uuid;

use crate::config::Config;
use crate::stats_cmd::{Progress, calendar};

/// SplitMix64: small, fast, and the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn minutes(&mut self, lo: i64, hi: i64) -> ChronoDuration {
        ChronoDuration::minutes(lo + self.below((hi - lo).max(1) as u64) as i64)
    }
}

/// Procedures chosen with Zipf-like weights (the first ones far more often).
struct Weighted {
    items: Vec<usize>,
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(items: Vec<usize>) -> Weighted {
        let mut total = 0.0;
        let cumulative = (0..items.len())
            .map(|i| {
                total += 1.0 / (i as f64 + 1.0);
                total
            })
            .collect();
        Weighted { items, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cumulative.partition_point(|c| *c < x);
        self.items[i.min(self.items.len() - 1)]
    }
}

struct Place {
    code: AgencyCode,
    id: Uuid,
    province: String,
}

struct Commune {
    centre: usize,
    committee: usize,
}

struct Province {
    centre: usize,
    departments: Vec<usize>,
}

struct Proc {
    code: String,
    version: u32,
    name: String,
    record: Procedure,
}

/// Everything the generator thread needs.
struct World {
    calendar: Arc<Calendar>,
    hours: OfficeHours,
    places: Vec<Place>,
    communes: Vec<(usize, Commune)>,
    provinces: Vec<Province>,
    procs: Vec<Proc>,
    commune_procs: Weighted,
    province_procs: Weighted,
    book: AgencyBook,
    now: DateTime<Utc>,
}

fn vn(day: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    motcua_domain::vn_time::instant(day, t)
}

/// One dossier's commands, in order, applied as far as "now".
struct Story<'a> {
    world: &'a World,
    state: DossierState,
    log: Vec<EventEnvelope>,
    last: DateTime<Utc>,
    stopped: bool,
}

impl Story<'_> {
    fn run(&mut self, at: DateTime<Utc>, role: Role, action: DossierAction) -> bool {
        if self.stopped {
            return false;
        }
        let at = at.max(self.last + ChronoDuration::seconds(1));
        if at > self.world.now {
            self.stopped = true;
            return false;
        }
        let command = Command {
            actor: Actor {
                user: Uuid::from_u128(role as u128 + 1),
                role,
            },
            at,
            action,
        };
        match execute(&self.state, &command) {
            Ok(envelopes) => {
                for e in &envelopes {
                    self.state.apply(e);
                }
                self.log.extend(envelopes);
                self.last = at;
                true
            }
            Err(_) => {
                self.stopped = true;
                false
            }
        }
    }
}

impl World {
    /// One dossier lodged at `t0`; `None` when the state machine refused its first command.
    fn dossier(
        &self,
        rng: &mut Rng,
        t0: DateTime<Utc>,
        sequences: &mut HashMap<(usize, NaiveDate), u32>,
    ) -> Option<DossierWrite> {
        use DossierAction as A;
        use Role::{Citizen, ReceivingOfficer as Officer};
        let at_commune = rng.chance(0.7);
        let (lodge, handler, procedure) = if at_commune {
            let (_, c) = &self.communes[rng.below(self.communes.len() as u64) as usize];
            (c.centre, c.committee, self.commune_procs.pick(rng))
        } else {
            let p = &self.provinces[rng.below(self.provinces.len() as u64) as usize];
            let d = p.departments[rng.below(p.departments.len() as u64) as usize];
            (p.centre, d, self.province_procs.pick(rng))
        };
        let proc_ = &self.procs[procedure];
        let channel = match rng.below(100) {
            0..45 => Channel::Online,
            45..50 => Channel::Postal,
            _ => Channel::Counter,
        };
        let day = vietnam_date(t0);
        let seq = sequences.entry((lodge, day)).or_insert(0);
        *seq += 1;
        let place = &self.places[lodge];
        let code = DossierCode::new(&place.code, day, *seq).ok()?;
        let id_number = format!("0381{:02}{:06}", 60 + rng.below(40), rng.below(1_000_000));
        let applicant = Applicant::new("Nguyễn Văn An", &id_number, None, None, None, day).ok()?;
        let submission = Submission {
            authorisation: None,
            code,
            procedure: ProcedureRef {
                code: proc_.code.clone(),
                version: proc_.version,
            },
            agency: place.code.clone(),
            channel,
            applicant,
            components: Vec::new(),
        };
        let mut s = Story {
            world: self,
            state: DossierState::new(),
            log: Vec::new(),
            last: t0 - ChronoDuration::seconds(1),
            stopped: false,
        };
        let fee = if rng.chance(0.3) { 50_000 } else { 0 };
        let appointment = |at: DateTime<Utc>| {
            motcua_app::dossiers::appointment(
                &self.calendar,
                &self.hours,
                &proc_.record,
                channel,
                at,
            )
            .ok()
        };
        let mut t = t0;
        if channel == Channel::Online {
            if !s.run(t, Citizen, A::Submit { submission }) {
                return None;
            }
            match rng.below(100) {
                0..2 => {
                    s.run(
                        t + rng.minutes(30, 600),
                        Officer,
                        A::Refuse {
                            reason: "Hồ sơ không thuộc thẩm quyền".into(),
                        },
                    );
                }
                2..4 => {
                    s.run(
                        t + rng.minutes(30, 600),
                        Officer,
                        A::Withdraw { reason: None },
                    );
                }
                n => {
                    if n < 9 {
                        t += rng.minutes(30, 300);
                        s.run(
                            t,
                            Officer,
                            A::RequestIntakeSupplement {
                                reason: "Thiếu giấy tờ".into(),
                                missing: vec!["Bản sao giấy khai sinh".into()],
                            },
                        );
                        t += rng.minutes(600, 4000);
                        s.run(
                            t,
                            Officer,
                            A::ProvideSupplement {
                                documents: vec!["Bản sao giấy khai sinh".into()],
                                note: None,
                            },
                        );
                    }
                    t += rng.minutes(10, 900);
                    if let Some(appointment) = appointment(t) {
                        s.run(
                            t,
                            Officer,
                            A::Receive {
                                appointment,
                                fee_due_vnd: fee,
                            },
                        );
                    }
                }
            }
        } else {
            let appointment = appointment(t)?;
            if !s.run(
                t,
                Officer,
                A::ReceiveDirect {
                    submission,
                    appointment,
                    fee_due_vnd: fee,
                },
            ) {
                return None;
            }
        }
        if s.state.received_at.is_some() {
            self.handle(&mut s, rng, handler, fee);
        }
        let state = s.state;
        let current = state
            .agency
            .as_ref()
            .and_then(|c| self.book.id(c))
            .unwrap_or(place.id);
        let counters = stats::replay(
            &s.log,
            &self.book,
            &proc_.code,
            Some(self.calendar.as_ref()),
        )
        .ok()?;
        let due = motcua_domain::dossier::timeliness::current_due(
            &self.calendar.clock(&OfficeHours::default()),
            &state,
        )
        .ok()?;
        let mut row = motcua_app::dossiers::row_of(
            Uuid::now_v7(),
            &state,
            due,
            current,
            place.id,
            Some(place.province.clone()),
            &proc_.name,
        );
        row.updated_at = s.last;
        Some(DossierWrite {
            row,
            events: Vec::new(),
            outbox: Vec::new(),
            counters,
            payment: None,
        })
    }

    /// After receipt: fees, forwarding, supplements, then a finish (or still in progress).
    fn handle(&self, s: &mut Story<'_>, rng: &mut Rng, handler: usize, fee: u64) {
        use DossierAction as A;
        use Role::{Leader, ReceivingOfficer as Officer, Specialist};
        let mut t = s.last;
        if fee > 0 {
            let method = if rng.chance(0.5) {
                PaymentMethod::Online
            } else {
                PaymentMethod::Cash
            };
            s.run(
                t + rng.minutes(1, 30),
                Officer,
                A::CollectFee {
                    amount_vnd: fee,
                    method,
                    receipt_no: None,
                },
            );
        }
        t = s.last + rng.minutes(5, 240);
        s.run(
            t,
            Officer,
            A::Forward {
                to: self.places[handler].code.clone(),
            },
        );
        let supplements = match rng.below(100) {
            0..2 => 2,
            2..10 => 1,
            _ => 0,
        };
        for _ in 0..supplements {
            t = s.last + rng.minutes(600, 3000);
            s.run(
                t,
                Specialist,
                A::RequestSupplement {
                    reason: "Bổ sung giấy tờ".into(),
                    missing: vec!["Giấy xác nhận".into()],
                },
            );
            t = s.last + rng.minutes(600, 6000);
            s.run(
                t,
                Officer,
                A::ProvideSupplement {
                    documents: vec!["Giấy xác nhận".into()],
                    note: None,
                },
            );
        }
        match rng.below(100) {
            0..3 => {
                s.run(
                    s.last + rng.minutes(600, 3000),
                    Officer,
                    A::Withdraw { reason: None },
                );
                return;
            }
            3..5 => {
                s.run(
                    s.last + rng.minutes(600, 3000),
                    Specialist,
                    A::Stop {
                        reason: "Người yêu cầu không bổ sung hồ sơ".into(),
                    },
                );
                return;
            }
            _ => {}
        }
        let Some(due) = s.state.appointment else {
            return;
        };
        let finish = match rng.below(100) {
            // Early: some day before the appointment's day.
            0..62 => {
                let span = (due - s.last).num_minutes() - 24 * 60;
                if span > 60 {
                    s.last + rng.minutes(30, span)
                } else {
                    due - rng.minutes(10, 120)
                }
            }
            // On time: the appointment's day, before it.
            62..85 => due - rng.minutes(5, 180),
            // Late: up to a week after.
            _ => due + rng.minutes(30, 7 * 24 * 60),
        };
        s.run(
            finish - rng.minutes(10, 60),
            Leader,
            A::Approve { note: None },
        );
        let form = if rng.chance(0.5) {
            ResultForm::Electronic {
                file_ref: "sha256:5f2c".into(),
            }
        } else {
            ResultForm::Paper
        };
        let electronic = matches!(form, ResultForm::Electronic { .. });
        s.run(
            finish,
            Specialist,
            A::RecordResult {
                result_code: "123/QĐ-UBND".into(),
                form,
            },
        );
        s.run(
            s.last + rng.minutes(60, 4000),
            Officer,
            A::ReturnResult {
                via: if electronic {
                    ReturnChannel::Online
                } else {
                    ReturnChannel::Counter
                },
                collector: None,
            },
        );
    }
}

pub(crate) async fn generate(
    config: Config,
    dossiers: u64,
    from: &str,
    seed: u64,
    batch: usize,
    open_rows_only: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = crate::open_store(&config).await?;
    let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
        .with_context(|| format!("--from {from}: YYYY-MM-DD"))?;
    let agencies_added = crate::demo::seed_agencies(store.as_ref()).await?;
    crate::demo::seed_users(store.as_ref()).await?;
    let (procedures, _) = crate::demo::seed_catalogue(store.as_ref()).await?;
    eprintln!(
        "agencies added={agencies_added} procedures={procedures} ({:.0} s)",
        started.elapsed().as_secs_f64()
    );
    let calendar = Arc::new(calendar(&config, store.as_ref()).await?);
    let world = world(store.as_ref(), calendar.clone()).await?;
    let now = world.now;
    let today = vietnam_date(now);
    anyhow::ensure!(from <= today, "--from is after today");
    let days: Vec<NaiveDate> = from
        .iter_days()
        .take_while(|d| *d <= today)
        .filter(|d| calendar.is_working_day(*d).unwrap_or(false))
        .collect();
    anyhow::ensure!(!days.is_empty(), "no working day between --from and today");
    // Each batch: the projection rows, and the counters of all its dossiers summed per cell.
    type Batch = (Vec<DossierWrite>, Vec<CounterDelta>);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let generator = std::thread::spawn(move || {
        let mut rng = Rng(seed);
        let mut sequences = HashMap::new();
        let mut out = Vec::with_capacity(batch);
        let mut cells: HashMap<(Uuid, String, NaiveDate, String), i64> = HashMap::new();
        let mut drawn = 0usize;
        let mut made = 0u64;
        let take = |out: &mut Vec<DossierWrite>, cells: &mut HashMap<_, i64>| -> Batch {
            let counters = cells
                .drain()
                .map(
                    |((agency_id, procedure_code, day, metric), delta)| CounterDelta {
                        agency_id,
                        procedure_code,
                        day,
                        metric,
                        delta,
                    },
                )
                .collect();
            (std::mem::take(out), counters)
        };
        let per_day = dossiers as f64 / days.len() as f64;
        for (i, day) in days.iter().enumerate() {
            // Whole dossiers per day, spread so the total is exact.
            let target = (((i + 1) as f64 * per_day).round() as u64).min(dossiers);
            let n = target.saturating_sub(made);
            made = made.max(target);
            let mut times: Vec<DateTime<Utc>> = (0..n)
                .map(|_| {
                    // A minute inside 07:30–11:30 or 13:30–17:00.
                    let m = rng.below(450) as i64;
                    let (h, min) = if m < 240 { (7, 30) } else { (9, 30) };
                    let start = NaiveTime::from_hms_opt(h, min, 0).unwrap_or_default();
                    vn(*day, start)
                        + ChronoDuration::minutes(m)
                        + ChronoDuration::seconds(rng.below(60) as i64)
                })
                .filter(|t| *t <= world.now)
                .collect();
            times.sort_unstable();
            for t in times {
                if let Some(mut w) = world.dossier(&mut rng, t, &mut sequences) {
                    for c in w.counters.drain(..) {
                        *cells
                            .entry((c.agency_id, c.procedure_code, c.day, c.metric))
                            .or_default() += c.delta;
                    }
                    if !(open_rows_only && w.row.finished_at.is_some()) {
                        out.push(w);
                    }
                    drawn += 1;
                }
                if drawn >= batch {
                    drawn = 0;
                    if tx.blocking_send(take(&mut out, &mut cells)).is_err() {
                        return made;
                    }
                }
            }
        }
        if drawn > 0 {
            let _ = tx.blocking_send(take(&mut out, &mut cells));
        }
        made
    });
    let mut written = 0u64;
    let mut progress = Progress::new();
    let mut counted = 0u64;
    while let Some((writes, counters)) = rx.recv().await {
        if !writes.is_empty() {
            store
                .import_dossiers(&writes)
                .await
                .context("writing generated dossiers")?;
        }
        store
            .add_stat_counters(&counters)
            .await
            .context("writing generated counters")?;
        written += writes.len() as u64;
        counted += counters.len() as u64;
        progress.tick(|| format!("{written} hồ sơ, {counted} ô thống kê"));
    }
    let made = generator
        .join()
        .map_err(|_| anyhow::anyhow!("the generator thread failed"))?;
    println!(
        "generated dossiers={made} rows={written} counter_cells_written={counted} from={from} \
         to={today} seconds={:.1}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The agency tree, the procedures by level (those whose time limit the calendar can
/// compute), and the agency book, from the database.
async fn world(store: &dyn Store, calendar: Arc<Calendar>) -> anyhow::Result<World> {
    let agencies = store
        .list_agencies(&AgencyQuery {
            limit: i64::MAX,
            ..Default::default()
        })
        .await?
        .items;
    let mut places = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut book = AgencyBook::new();
    for a in &agencies {
        let Ok(code) = AgencyCode::parse(&a.code) else {
            continue;
        };
        book.insert(code.clone(), a.id, None);
        index.insert(a.code.clone(), places.len());
        places.push(Place {
            code,
            id: a.id,
            province: a.province_code.clone().unwrap_or_default(),
        });
    }
    let mut provinces = Vec::new();
    let mut communes = Vec::new();
    let mut codes: Vec<&String> = agencies
        .iter()
        .filter(|a| a.code.starts_with("000.00.00.H"))
        .map(|a| &a.code)
        .collect();
    codes.sort();
    for committee in codes {
        let pp = &committee["000.00.00.H".len()..];
        let Some(&centre) = index.get(&format!("000.00.01.H{pp}")) else {
            continue;
        };
        let departments: Vec<usize> = (2..=11)
            .filter_map(|n| index.get(&format!("000.00.{n:02}.H{pp}")).copied())
            .collect();
        if departments.is_empty() {
            continue;
        }
        let p = provinces.len();
        provinces.push(Province {
            centre,
            departments,
        });
        for k in 1.. {
            let (y, zz) = (k / 100, k % 100);
            let (Some(&committee), Some(&centre)) = (
                index.get(&format!("000.{zz:02}.{:02}.H{pp}", 30 + y)),
                index.get(&format!("000.{zz:02}.{:02}.H{pp}", 40 + y)),
            ) else {
                break;
            };
            communes.push((p, Commune { centre, committee }));
        }
    }
    anyhow::ensure!(
        !provinces.is_empty() && !communes.is_empty(),
        "the demo agency tree is missing"
    );
    let hours = OfficeHours::default();
    let probe = vn(
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
        NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    );
    let mut procs = Vec::new();
    let mut by_level: HashMap<&str, Vec<usize>> = HashMap::new();
    for level in ["commune", "province"] {
        let page = store
            .list_procedures(&ProcedureSearch {
                level: Some(level.into()),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        for hit in page.items {
            let Ok((record, version, _)) =
                motcua_app::catalogue::record(store, &hit.code, None).await
            else {
                continue;
            };
            let computable = [Channel::Online, Channel::Counter, Channel::Postal]
                .iter()
                .all(|c| {
                    motcua_app::dossiers::appointment(&calendar, &hours, &record, *c, probe).is_ok()
                });
            if !computable {
                continue;
            }
            by_level.entry(level).or_default().push(procs.len());
            procs.push(Proc {
                code: hit.code.clone(),
                version: version as u32,
                name: hit.name.clone(),
                record,
            });
        }
    }
    // The most used procedures: a fixed shuffle, then Zipf weights.
    let mut pick = |level: &str, n: usize| {
        let mut items = by_level.remove(level).unwrap_or_default();
        let mut rng = Rng(17);
        for i in (1..items.len()).rev() {
            items.swap(i, rng.below(i as u64 + 1) as usize);
        }
        items.truncate(n);
        Weighted::new(items)
    };
    let commune_procs = pick("commune", 60);
    let province_procs = pick("province", 300);
    anyhow::ensure!(
        !commune_procs.items.is_empty() && !province_procs.items.is_empty(),
        "the catalogue has no procedure with a computable time limit"
    );
    Ok(World {
        calendar,
        hours,
        places,
        communes,
        provinces,
        procs,
        commune_procs,
        province_procs,
        book,
        now: Utc::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_draws_the_same_numbers_for_the_same_seed() {
        let mut a = Rng(1);
        let mut b = Rng(1);
        assert_eq!(
            (0..5).map(|_| a.next()).collect::<Vec<_>>(),
            (0..5).map(|_| b.next()).collect::<Vec<_>>()
        );
        let w = Weighted::new(vec![10, 11, 12]);
        let mut rng = Rng(3);
        let mut seen = [0; 3];
        for _ in 0..3000 {
            seen[w.pick(&mut rng) - 10] += 1;
        }
        // Weights 1, 1/2, 1/3.
        assert!(seen[0] > seen[1] && seen[1] > seen[2], "{seen:?}");
    }
}
