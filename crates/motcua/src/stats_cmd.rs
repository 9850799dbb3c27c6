//! `motcua stats rebuild`: recompute the statistics counters from the event log. The
//! benchmark's data generator (`motcua stats generate`) is in `generate.rs`, built only with
//! the `generator` feature.

use std::time::Instant;

use clap::Subcommand;
use motcua_domain::calendar::Calendar;
use motcua_store::Store;
use motcua_web::service::stats;

use crate::config::Config;

#[derive(Subcommand)]
pub enum StatsCmd {
    /// Recompute every statistics counter (and the monthly roll-up) from the dossiers' event
    /// logs, in one transaction.
    Rebuild {
        #[arg(long)]
        json: bool,
    },
    /// Benchmark data: load the demo agencies and catalogue, then generate dossiers with
    /// plausible histories across every province and commune (projection rows and counters;
    /// no events).
    #[cfg(feature = "generator")]
    Generate {
        /// How many dossiers.
        #[arg(long)]
        dossiers: u64,
        /// First day of receipts (YYYY-MM-DD).
        #[arg(long, default_value = "2025-07-01")]
        from: String,
        /// Seed of the pseudo-random choices (the same seed gives the same data).
        #[arg(long, default_value_t = 766)]
        seed: u64,
        /// Dossiers per transaction.
        #[arg(long, default_value_t = 50_000)]
        batch: usize,
        /// Store the projection rows of unfinished dossiers only (the counters of every
        /// dossier are stored): the statistics of the current period read the same, on a much
        /// smaller database.
        #[arg(long)]
        open_rows_only: bool,
    },
}

pub async fn run(config: Config, cmd: StatsCmd) -> anyhow::Result<()> {
    match cmd {
        StatsCmd::Rebuild { json } => rebuild(config, json).await,
        #[cfg(feature = "generator")]
        StatsCmd::Generate {
            dossiers,
            from,
            seed,
            batch,
            open_rows_only,
        } => {
            crate::generate::generate(config, dossiers, &from, seed, batch.max(1), open_rows_only)
                .await
        }
    }
}

pub(crate) fn fail(e: motcua_web::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message_vi(), e.code())
}

pub(crate) async fn calendar(config: &Config, store: &dyn Store) -> anyhow::Result<Calendar> {
    motcua_web::service::calendar::load(store, &config.holiday_rules()?)
        .await
        .map_err(fail)
}

/// Rebuilds the counters right after an upgrade that added counters older releases did not
/// keep (see `MigrateReport::stats_rebuild_needed`), so the report and index stay right.
pub(crate) async fn rebuild_after_upgrade(
    config: &Config,
    store: &dyn Store,
) -> anyhow::Result<()> {
    let calendar = calendar(config, store).await?;
    let mut progress = Progress::new();
    let report = stats::rebuild(store, &calendar, |done| {
        progress.tick(|| format!("{done} hồ sơ"))
    })
    .await
    .map_err(fail)?;
    tracing::info!(
        dossiers = report.dossiers,
        rows = report.rows,
        "statistics rebuilt from the event log after the upgrade"
    );
    Ok(())
}

/// Prints a line at most every `every` (stderr), for long work.
pub(crate) struct Progress {
    started: Instant,
    last: Instant,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        Progress {
            started: Instant::now(),
            last: Instant::now(),
        }
    }

    pub(crate) fn tick(&mut self, what: impl FnOnce() -> String) {
        if self.last.elapsed().as_secs() >= 5 {
            self.last = Instant::now();
            eprintln!(
                "  {:>6.0} s  {}",
                self.started.elapsed().as_secs_f64(),
                what()
            );
        }
    }
}

async fn rebuild(config: Config, json: bool) -> anyhow::Result<()> {
    let store = crate::open_store(&config).await?;
    let calendar = calendar(&config, store.as_ref()).await?;
    let started = Instant::now();
    let mut progress = Progress::new();
    let report = stats::rebuild(store.as_ref(), &calendar, |done| {
        progress.tick(|| format!("{done} hồ sơ"))
    })
    .await
    .map_err(fail)?;
    let secs = started.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            serde_json::json!({"dossiers": report.dossiers, "events": report.events,
                "rows": report.rows, "seconds": secs})
        );
    } else {
        println!(
            "rebuilt dossiers={} events={} rows={} seconds={secs:.1}",
            report.dossiers, report.events, report.rows
        );
    }
    Ok(())
}
