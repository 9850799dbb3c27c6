//! `motcua documents gc`: removes from the document store the files no dossier holds (left by
//! a process that died between writing a file and committing its dossier command).

use clap::Subcommand;

use crate::config::Config;

#[derive(Subcommand)]
pub enum DocumentsCmd {
    /// Remove the files no dossier holds, older than `--min-age-minutes` (default 60: files of
    /// uploads still in flight are left alone). Safe while `motcua serve` runs.
    Gc {
        #[arg(long, default_value_t = 60)]
        min_age_minutes: u32,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: DocumentsCmd) -> anyhow::Result<()> {
    let DocumentsCmd::Gc {
        min_age_minutes,
        json,
    } = cmd;
    let store = crate::open_store(&config).await?;
    let blobs =
        motcua_app::blobs::Blobs::open(&config.documents()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let report = motcua_app::documents::sweep(
        store.as_ref(),
        &blobs,
        chrono::Duration::minutes(i64::from(min_age_minutes)),
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{} ({})", e.message_vi(), e.code()))?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "documents files={} held={} young={} removed={}",
            report.files, report.held, report.young, report.removed
        );
    }
    Ok(())
}
