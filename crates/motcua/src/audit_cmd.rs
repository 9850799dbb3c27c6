//! `motcua audit verify`: checks every dossier's event log against its hash chain and its
//! projection, so an edited or deleted event is found.

use clap::Subcommand;

use crate::config::Config;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Verify the event log of every dossier; exits non-zero when any chain is broken.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: AuditCmd) -> anyhow::Result<()> {
    let AuditCmd::Verify { json } = cmd;
    let store = crate::open_store(&config).await?;
    let ids = store.dossier_ids().await?;
    let mut broken = Vec::new();
    let mut events = 0usize;
    for id in &ids {
        let log = store.dossier_events(*id).await?;
        events += log.len();
        let head = store.dossier_head(*id).await?;
        if let Err(problem) = motcua_store::verify_chain(&log, head.seq, &head.last_hash) {
            broken.push(serde_json::json!({"code": head.code, "problem": problem}));
        }
    }
    if json {
        println!(
            "{}",
            serde_json::json!({"dossiers": ids.len(), "events": events, "broken": broken})
        );
    } else {
        for b in &broken {
            println!(
                "{}\t{}",
                b["code"].as_str().unwrap_or_default(),
                b["problem"].as_str().unwrap_or_default()
            );
        }
        println!(
            "dossiers={} events={} broken={}",
            ids.len(),
            events,
            broken.len()
        );
    }
    if broken.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} hồ sơ có nhật ký bị sửa hoặc xóa", broken.len())
    }
}
