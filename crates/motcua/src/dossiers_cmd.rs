//! `motcua dossiers import`: dossiers from a previous system, with their histories.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Config;

#[derive(Subcommand)]
pub enum DossiersCmd {
    /// Import dossiers (JSON Lines: one `{"events": [...]}` per line, see the README). The whole
    /// file is refused if any history is impossible.
    Import { file: PathBuf },
}

pub async fn run(config: Config, cmd: DossiersCmd) -> anyhow::Result<()> {
    let DossiersCmd::Import { file } = cmd;
    let text = crate::procedures_cmd::read_text(&file)?;
    let store = crate::open_store(&config).await?;
    let calendar = motcua_app::calendar::load(store.as_ref(), &config.holiday_rules()?)
        .await
        .map_err(|e| anyhow::anyhow!("{} ({})", e.message_vi(), e.code()))?;
    let (dossiers, events) = motcua_app::dossiers::import_jsonl(store.as_ref(), &calendar, &text)
        .await
        .map_err(|e| anyhow::anyhow!("{} ({})", e.message_vi(), e.code()))?;
    println!("imported dossiers={dossiers} events={events}");
    Ok(())
}
