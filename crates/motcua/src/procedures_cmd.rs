//! `motcua procedures ...`: import the national portal's catalogue, export, search.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use motcua_web::error::AppError;
use motcua_web::service::catalogue::{self as cat, SearchCache, SearchParams};

use crate::config::Config;

#[derive(Subcommand)]
pub enum ProceduresCmd {
    /// Import procedures; re-importing the same records changes nothing.
    Import {
        /// Input format: dvc-jsonl (the national public service portal crawl).
        #[arg(long, default_value = "dvc-jsonl")]
        format: String,
        /// Files (.jsonl, or .jsonl.gz).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write one JSON line per record (outcome, needs review, notes) to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Export the catalogue (current versions).
    Export {
        /// jsonl | csv | xlsx
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Output file (standard output when absent; required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Search the catalogue as the portal does.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

fn fail(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message_vi(), e.code())
}

/// Reads a file, decompressing `.gz`.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("không đọc được {}: {e}", path.display()))?;
    gunzip_if_needed(&bytes, &path.display().to_string())
}

pub fn gunzip_if_needed(bytes: &[u8], name: &str) -> anyhow::Result<String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut s)
            .map_err(|e| anyhow::anyhow!("{name}: tệp nén hỏng: {e}"))?;
        Ok(s)
    } else {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| anyhow::anyhow!("{name}: không phải văn bản UTF-8"))
    }
}

pub async fn run(config: Config, cmd: ProceduresCmd) -> anyhow::Result<()> {
    let store = crate::open_store(&config).await?;
    match cmd {
        ProceduresCmd::Import {
            format,
            files,
            report,
        } => {
            if format != "dvc-jsonl" {
                anyhow::bail!("định dạng nhập \"{format}\" không hỗ trợ (dvc-jsonl)");
            }
            let mut lines = Vec::new();
            let mut total = cat::ImportReport::default();
            for f in &files {
                let text = read_text(f)?;
                let r = cat::import_dvc(
                    store.as_ref(),
                    &text,
                    motcua_domain::vn_time::today(),
                    "import",
                )
                .await
                .map_err(fail)?;
                eprintln!(
                    "{}: {} bản ghi: {} mới, {} cập nhật, {} không đổi, {} lỗi, {} cần rà soát",
                    f.display(),
                    r.records,
                    r.created,
                    r.amended,
                    r.unchanged,
                    r.failed,
                    r.needs_review
                );
                for d in &r.details {
                    lines.push(serde_json::json!({"file": f.display().to_string(), "line": d.line, "code": d.code,
                        "outcome": d.outcome, "needs_review": d.needs_review, "notes": d.notes}).to_string());
                }
                total.records += r.records;
                total.created += r.created;
                total.amended += r.amended;
                total.unchanged += r.unchanged;
                total.failed += r.failed;
                total.needs_review += r.needs_review;
                total.channels_stating_time += r.channels_stating_time;
                total.channels_time_parsed += r.channels_time_parsed;
            }
            if let Some(path) = report {
                std::fs::write(&path, lines.join("\n") + "\n")?;
            }
            let rate = 100.0 * total.channels_time_parsed as f64
                / total.channels_stating_time.max(1) as f64;
            println!(
                "records={} created={} amended={} unchanged={} failed={} needs_review={} time_parsed={}/{} ({rate:.2}%)",
                total.records,
                total.created,
                total.amended,
                total.unchanged,
                total.failed,
                total.needs_review,
                total.channels_time_parsed,
                total.channels_stating_time
            );
        }
        ProceduresCmd::Export { format, out } => {
            let records = store.procedure_records().await?;
            let bytes: Vec<u8> = match format.as_str() {
                "jsonl" => (records.join("\n") + "\n").into_bytes(),
                "csv" => {
                    let procs = motcua_web::api::parse_records(&records).map_err(fail)?;
                    motcua_domain::catalogue::to_csv(&procs)?.into_bytes()
                }
                "xlsx" => {
                    if out.is_none() {
                        anyhow::bail!("xuất xlsx cần --out TỆP");
                    }
                    let procs = motcua_web::api::parse_records(&records).map_err(fail)?;
                    motcua_sheets::procedures_xlsx(&procs)?
                }
                other => {
                    anyhow::bail!("định dạng xuất \"{other}\" không hỗ trợ (jsonl, csv, xlsx)")
                }
            };
            match out {
                Some(path) => std::fs::write(&path, bytes)?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
        }
        ProceduresCmd::Search { query, limit, json } => {
            let cache = SearchCache::default();
            let r = cat::search(
                store.as_ref(),
                &cache,
                SearchParams {
                    q: Some(query),
                    limit,
                    ..Default::default()
                },
            )
            .await
            .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                for h in &r.items {
                    println!("{}\t{}", h.code, h.name);
                }
                eprintln!("{} kết quả", r.total);
            }
        }
    }
    Ok(())
}
