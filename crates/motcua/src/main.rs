//! `motcua`: the one binary. `serve` runs the web service; the other subcommands are the
//! operator's tools (migrations, agencies, accounts, the calendar).

mod audit_cmd;
mod backup;
mod backup_cmd;
mod calendar_cmd;
mod config;
mod demo;
mod documents_cmd;
mod dossiers_cmd;
#[cfg(feature = "generator")]
mod generate;
mod procedures_cmd;
mod restore;
mod stats_cmd;

use std::io::Read;
use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use motcua_app::accounts::{self as service, CreateAgency, CreateUser};
use motcua_store::{AgencyQuery, DynStore};

use config::{Config, Overrides};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Hệ thống thông tin giải quyết thủ tục hành chính (one-stop shop)"
)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (migrates the database first).
    Serve {
        /// Address to listen on. Env: MOTCUA_LISTEN.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load demo data: agencies for every province and commune, one account per role.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Agencies (cơ quan, đơn vị).
    #[command(subcommand)]
    Agency(AgencyCmd),
    /// Accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Dossiers: import from a previous system.
    #[command(subcommand)]
    Dossiers(dossiers_cmd::DossiersCmd),
    /// The audit trail of dossiers.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// The procedure catalogue: import, export, search.
    #[command(subcommand)]
    Procedures(procedures_cmd::ProceduresCmd),
    /// The legal calendar: holidays, working days, appointments, lunar dates.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCmd),
    /// Statistics: rebuild the counters from the event log (and, built with the generator
    /// feature, generate benchmark data).
    #[command(subcommand)]
    Stats(stats_cmd::StatsCmd),
    /// Documents: remove files no dossier holds.
    #[command(subcommand)]
    Documents(documents_cmd::DocumentsCmd),
    /// Back up the database and the documents while servers run (`backup verify DIR` checks one).
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into an empty data directory or database.
    Restore(backup_cmd::RestoreArgs),
}

#[derive(Subcommand)]
enum AgencyCmd {
    /// Create an agency.
    Create {
        /// Electronic identifier code, e.g. 000.00.06.H56.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// ministry | province_committee | department | commune_committee | service_centre | vertical_branch
        #[arg(long)]
        kind: String,
        /// Parent agency code.
        #[arg(long)]
        parent: Option<String>,
        /// Administrative unit id, e.g. 2025:province:38.
        #[arg(long)]
        unit: Option<String>,
    },
    /// List agencies.
    List {
        /// Name, with or without diacritics.
        #[arg(long)]
        q: Option<String>,
        /// Province code.
        #[arg(long)]
        province: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// citizen | receiving_officer | specialist | leader | admin
        #[arg(long)]
        role: String,
        /// Agency code the role is scoped to (officers, specialists, leaders).
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        full_name: Option<String>,
        /// A citizen account's personal identification number (12 digits), checked against the
        /// person's card: online dossiers carry it.
        #[arg(long)]
        id_number: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn init_tracing(c: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&c.log).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if c.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_store(c: &Config) -> anyhow::Result<DynStore> {
    restore::refuse_incomplete(&c.data_dir)?;
    let store = motcua_store::connect(c.database_url.as_deref(), &c.data_dir)
        .await
        .context("opening the database")?;
    let report = store.migrate().await.context("migrating the database")?;
    if report.units_loaded > 0 {
        tracing::info!(
            units = report.units_loaded,
            lineage = report.lineage_loaded,
            "reference data loaded"
        );
    }
    if report.stats_rebuild_needed {
        stats_cmd::rebuild_after_upgrade(c, store.as_ref())
            .await
            .context("rebuilding the statistics after the upgrade")?;
    }
    Ok(store)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi (error): {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(&cli.overrides)?;
    if let Command::Serve {
        listen: Some(l), ..
    } = &cli.command
    {
        config.listen = *l;
    }
    init_tracing(&config);
    match cli.command {
        Command::Serve { demo, .. } => serve(config, demo).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!("migrated ({:?})", store.backend());
            Ok(())
        }
        Command::Agency(cmd) => agency(config, cmd).await,
        Command::User(cmd) => user(config, cmd).await,
        Command::Calendar(cmd) => calendar_cmd::run(config, cmd).await,
        Command::Procedures(cmd) => procedures_cmd::run(config, cmd).await,
        Command::Audit(cmd) => audit_cmd::run(config, cmd).await,
        Command::Dossiers(cmd) => dossiers_cmd::run(config, cmd).await,
        Command::Stats(cmd) => stats_cmd::run(config, cmd).await,
        Command::Documents(cmd) => documents_cmd::run(config, cmd).await,
        Command::Backup(args) => backup_cmd::backup(config, args).await,
        Command::Restore(args) => backup_cmd::restore(config, args).await,
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    tracing::info!(?config, "starting motcua");
    let store = open_store(&config).await?;
    if demo {
        let agencies = demo::seed_agencies(store.as_ref()).await?;
        let users = demo::seed_users(store.as_ref()).await?;
        let (procedures, applied) = demo::seed_catalogue(store.as_ref()).await?;
        demo::seed_hall(store.as_ref()).await?;
        tracing::info!(agencies, users, procedures, applied, "demo data ready");
    }
    if config
        .public_url
        .as_deref()
        .is_none_or(|u| u.trim().is_empty())
    {
        tracing::warn!(
            public_url = %config.public_url_or_listen(),
            "public_url is not set: receipts' QR codes, tickets and notices point at this \
             server's own address; set public_url to the address citizens use"
        );
    }
    let state = motcua_web::AppState::try_new(store.clone(), config.app(demo)?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Payments pending at a gateway are reconciled beside the server (#23).
    let (stop_payments, payments_stopped) = tokio::sync::watch::channel(false);
    let reconciler = motcua_app::payments::reconcile::spawn(state.app.clone(), payments_stopped);
    let app = motcua_web::router(state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    if demo {
        let fake = demo::start_payments(
            store.as_ref(),
            &config.public_url_or_listen(),
            &format!("http://127.0.0.1:{}", addr.port()),
        )
        .await?;
        tracing::info!(%fake, "demo payments at the fake VNPAY");
    }
    tracing::info!(%addr, elapsed_ms = started.elapsed().as_millis() as u64, "listening on http://{addr}");

    let sweeper = tokio::spawn(sweep_sessions(store.clone()));
    let backups = match config.backup_dir.clone() {
        Some(dir) => Some(tokio::spawn(backup::schedule(
            store.clone(),
            config.database_url.clone(),
            config.documents(),
            dir,
            config.backup_interval()?,
            config.backup_keep,
        ))),
        None => None,
    };
    // Notices to citizens are delivered beside the server and stop with it.
    let (stop_notices, notices_stopped) = tokio::sync::watch::channel(false);
    let notices = motcua_app::notify::spawn(store.clone(), config.notify()?, notices_stopped)
        .map_err(|e| anyhow::anyhow!("notices: {e}"))?;
    // Webhooks to other systems (#21), from the same outbox, stop with the server too.
    let webhooks = motcua_app::webhooks::worker::spawn(
        store.clone(),
        config.webhooks(),
        stop_notices.subscribe(),
    )
    .map_err(|e| anyhow::anyhow!("webhooks: {e}"))?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop_notices.send(true);
        let _ = stop_payments.send(true);
        // The display boards' live streams end, so that shutdown does not wait on them.
        motcua_web::ui::hall::stop_streams();
    })
    .await?;
    sweeper.abort();
    let _ = reconciler.await;
    if let Some(b) = backups {
        b.abort();
    }
    // The worker finishes the notices it holds (each attempt is bounded by its timeout).
    let _ = notices.await;
    let _ = webhooks.await;
    // Every read of personal data answered is in the access log before the process exits.
    if let Err(e) = store.flush().await {
        tracing::error!(error = %e, "the access log could not be written at shutdown");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Deletes expired sessions every hour.
async fn sweep_sessions(store: DynStore) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired_sessions(chrono::Utc::now()).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
    }
}

/// Resolves on SIGINT or SIGTERM; in-flight requests then finish before the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}

fn fail(e: motcua_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message_vi(), e.code())
}

async fn agency(config: Config, cmd: AgencyCmd) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    match cmd {
        AgencyCmd::Create {
            code,
            name,
            kind,
            parent,
            unit,
        } => {
            let a = service::create_agency(
                store.as_ref(),
                CreateAgency {
                    code,
                    name,
                    kind,
                    parent_code: parent,
                    unit_id: unit,
                },
            )
            .await
            .map_err(fail)?;
            println!("{}\t{}\t{}", a.code, a.kind.as_str(), a.name);
        }
        AgencyCmd::List {
            q,
            province,
            limit,
            json,
        } => {
            let page = store
                .list_agencies(&AgencyQuery {
                    q,
                    province_code: province,
                    limit,
                    ..Default::default()
                })
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page)?);
            } else {
                for a in &page.items {
                    println!("{}\t{}\t{}", a.code, a.kind.as_str(), a.name);
                }
                eprintln!("{} / {} cơ quan", page.items.len(), page.total);
            }
        }
    }
    Ok(())
}

async fn user(config: Config, cmd: UserCmd) -> anyhow::Result<()> {
    let UserCmd::Create {
        username,
        role,
        agency,
        full_name,
        id_number,
        password_stdin: _,
    } = cmd;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let store = open_store(&config).await?;
    let u = service::create_user(
        store.as_ref(),
        CreateUser {
            username,
            full_name,
            password,
            role,
            agency_code: agency,
            id_number,
        },
    )
    .await
    .map_err(fail)?;
    let roles: Vec<&str> = u.roles().iter().map(|r| r.as_str()).collect();
    println!("{}\t{}", u.username, roles.join(","));
    Ok(())
}
