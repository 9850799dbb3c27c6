//! `motcua backup`, `motcua backup verify` and `motcua restore`: the operator's commands over
//! [`crate::backup`] and [`crate::restore`].

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::config::Config;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    /// The directory under which the backup is made (as `motcua-<UTC time>/`). Default: the
    /// configured `backup_dir`.
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Keep only the newest N backups in that directory afterwards.
    #[arg(long)]
    pub keep: Option<usize>,
    #[command(subcommand)]
    pub cmd: Option<BackupCmd>,
}

#[derive(Subcommand)]
pub enum BackupCmd {
    /// Restore a backup into a scratch place and check it: hashes, row counts, migrations, the
    /// audit chain of every dossier, the documents dossiers hold. Exits non-zero on a problem.
    Verify {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup directory (`motcua-<UTC time>`).
    #[arg(long)]
    pub from: PathBuf,
    /// Remove first what an interrupted restore left in the data directory.
    #[arg(long)]
    pub discard_incomplete: bool,
}

pub async fn backup(config: Config, args: BackupArgs) -> anyhow::Result<()> {
    if let Some(BackupCmd::Verify { dir, json }) = args.cmd {
        let report = crate::restore::verify(&dir, config.database_url.as_deref()).await?;
        if json {
            println!("{}", serde_json::to_string(&report)?);
        } else {
            for p in &report.problems {
                println!("{p}");
            }
            println!(
                "backend={} tables={} rows={} dossiers={} events={} documents={} problems={}",
                report.backend,
                report.tables,
                report.rows,
                report.dossiers,
                report.events,
                report.documents,
                report.problems.len()
            );
        }
        if !report.problems.is_empty() {
            anyhow::bail!("bản sao lưu có {} lỗi", report.problems.len());
        }
        return Ok(());
    }
    let parent = args
        .to
        .or_else(|| config.backup_dir.clone())
        .ok_or_else(|| anyhow::anyhow!("give --to DIR (or set backup_dir)"))?;
    let store = crate::open_store(&config).await?;
    let docs =
        motcua_app::blobs::Blobs::open(&config.documents()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = crate::backup::take(
        store.as_ref(),
        config.database_url.as_deref(),
        &docs,
        &parent,
    )
    .await?;
    println!("{}", dir.display());
    if let Some(keep) = args.keep {
        for removed in crate::backup::prune(&parent, keep)? {
            eprintln!("removed {}", removed.display());
        }
    }
    Ok(())
}

pub async fn restore(config: Config, args: RestoreArgs) -> anyhow::Result<()> {
    let documents = config.documents();
    let m = crate::restore::restore(
        &args.from,
        &crate::restore::Target {
            data_dir: &config.data_dir,
            database_url: config.database_url.as_deref(),
            documents: &documents,
        },
        args.discard_incomplete,
    )
    .await?;
    println!(
        "restored backend={} created_at={} rows={} documents={}",
        m.backend,
        m.created_at.to_rfc3339(),
        m.counts.values().sum::<i64>(),
        m.documents.len()
    );
    Ok(())
}
