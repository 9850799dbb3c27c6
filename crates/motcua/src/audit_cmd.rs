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

/// What the audit found.
#[derive(Debug, serde::Serialize)]
pub struct AuditReport {
    pub dossiers: usize,
    pub events: usize,
    /// Each dossier whose chain is broken: `{"code", "problem"}`.
    pub broken: Vec<serde_json::Value>,
}

/// Checks every dossier's chain against its projection.
pub async fn check(store: &dyn motcua_store::Store) -> anyhow::Result<AuditReport> {
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
    Ok(AuditReport {
        dossiers: ids.len(),
        events,
        broken,
    })
}

pub async fn run(config: Config, cmd: AuditCmd) -> anyhow::Result<()> {
    let AuditCmd::Verify { json } = cmd;
    let store = crate::open_store(&config).await?;
    let report = check(store.as_ref()).await?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for b in &report.broken {
            println!(
                "{}\t{}",
                b["code"].as_str().unwrap_or_default(),
                b["problem"].as_str().unwrap_or_default()
            );
        }
        println!(
            "dossiers={} events={} broken={}",
            report.dossiers,
            report.events,
            report.broken.len()
        );
    }
    if report.broken.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} hồ sơ có nhật ký bị sửa hoặc xóa", report.broken.len())
    }
}
