//! `motcua backup`, `motcua backup verify` and `motcua restore`, run as child processes on a
//! server's database and documents: a round trip with dossiers in many states, their events,
//! documents and statistics; a backup killed (SIGKILL) midway leaves nothing restore or verify
//! accepts; a restore killed midway leaves a data directory that says so, which a new restore
//! refuses until told to discard it.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::documents::pdf;
use crate::dossiers::{body, setup_with};
use crate::processes::motcua;
use crate::support::{TempDir, TestApp, TestDb};

/// A server keeping its documents in `<dir>/documents`.
async fn served() -> (TestApp, [String; 5], TempDir) {
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-backup-{}", uuid::Uuid::new_v4().simple())),
    );
    let config = motcua_web::WebConfig {
        documents: motcua_web::blobs::BlobConfig::Local(dir.0.join("data").join("documents")),
        ..motcua_web::WebConfig::default()
    };
    let (app, tokens) = setup_with(config).await;
    (app, tokens, dir)
}

/// Arguments pointing `motcua` at the app's database with `data_dir` for the documents.
fn source_args(app: &TestApp, data_dir: &Path) -> Vec<String> {
    let mut args = match &app.db {
        TestDb::Sqlite(d) => vec![
            "--database-url".to_string(),
            format!("sqlite://{}", d.0.join("motcua.sqlite3").display()),
        ],
        TestDb::Postgres(_) => app.db.cli_args(),
    };
    args.extend(["--data-dir".into(), data_dir.display().to_string()]);
    args
}

/// Where a restore goes: an empty data directory, and on PostgreSQL a new, empty database with
/// the same schema name (a dump restores into its own schema). Returns the arguments and the
/// database to drop afterwards.
async fn target_args(app: &TestApp, data_dir: &Path) -> (Vec<String>, Option<String>) {
    let mut args = vec!["--data-dir".to_string(), data_dir.display().to_string()];
    let mut scratch = None;
    if let TestDb::Postgres(url) = &app.db {
        let (base, schema) = url.split_once("?schema=").unwrap();
        let name = format!("motcua_it_{}", uuid::Uuid::new_v4().simple());
        admin(base, &format!("CREATE DATABASE {name}")).await;
        let (server, _) = base.rsplit_once('/').unwrap();
        args.extend([
            "--database-url".into(),
            format!("{server}/{name}?schema={schema}"),
        ]);
        scratch = Some(format!("{server}/{name}"));
    }
    (args, scratch)
}

async fn admin(base: &str, sql: &str) {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .unwrap();
}

async fn drop_database(app: &TestApp, scratch: Option<String>) {
    if let (TestDb::Postgres(url), Some(db)) = (&app.db, scratch) {
        let (base, _) = url.split_once("?schema=").unwrap();
        let name = db.rsplit_once('/').unwrap().1;
        admin(
            base,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
}

fn run(args: &[String], env: &[(&str, &str)]) -> Output {
    let mut cmd = motcua();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn with(args: &[String], more: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend(more.iter().map(|s| s.to_string()));
    all
}

async fn act(app: &TestApp, token: &str, code: &str, action: &str, mut fields: Value) -> Value {
    let (_, d) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    fields["version"] = d["version"].clone();
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{action}: {d}");
    d
}

/// Dossiers in many states (with events, counters and a few documents); returns each code
/// with its status.
pub(crate) async fn populate(
    app: &TestApp,
    tokens: &[String; 5],
    files: usize,
) -> Vec<(String, String)> {
    let [officer, specialist, leader, citizen, _] = tokens;
    let new = |channel: &'static str, token: &String| {
        let token = token.clone();
        async move {
            let (s, d) = app
                .post("/api/v1/dossiers", Some(&token), body(channel))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            d["code"].as_str().unwrap().to_string()
        }
    };
    let fwd = json!({"to": "000.00.02.H38"});
    let mut out = Vec::new();
    let code = new("counter", officer).await;
    out.push(code);
    let code = new("online", citizen).await;
    out.push(code);
    let code = new("online", citizen).await;
    act(
        app,
        officer,
        &code,
        "refuse",
        json!({"reason": "Không thuộc thẩm quyền"}),
    )
    .await;
    out.push(code);
    let code = new("counter", officer).await;
    act(app, officer, &code, "forward", fwd.clone()).await;
    out.push(code);
    let code = new("counter", officer).await;
    act(app, officer, &code, "forward", fwd.clone()).await;
    act(
        app,
        leader,
        &code,
        "reject",
        json!({"reason": "Không đủ điều kiện"}),
    )
    .await;
    out.push(code);
    let code = new("counter", officer).await;
    act(app, officer, &code, "forward", fwd.clone()).await;
    act(
        app,
        specialist,
        &code,
        "stop",
        json!({"reason": "Người nộp đề nghị dừng"}),
    )
    .await;
    out.push(code);
    let code = new("counter", officer).await;
    act(
        app,
        officer,
        &code,
        "withdraw",
        json!({"reason": "Rút hồ sơ"}),
    )
    .await;
    out.push(code);
    let code = new("counter", officer).await;
    act(app, officer, &code, "forward", fwd.clone()).await;
    act(app, leader, &code, "approve", json!({"note": "Đồng ý"})).await;
    act(
        app,
        specialist,
        &code,
        "record_result",
        json!({"result_code": "KS-2025-000123", "form": {"form": "paper"}}),
    )
    .await;
    act(
        app,
        officer,
        &code,
        "return_result",
        json!({"via": "counter"}),
    )
    .await;
    out.push(code);
    // Documents on the first dossier.
    for i in 0..files {
        let (_, d) = app
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/dossiers/{}", out[0]),
                Some(officer),
                None,
            )
            .await;
        let res = app
            .client
            .post(app.url(&format!(
                "/api/v1/dossiers/{}/documents?component=T%E1%BB%9D%20khai&version={}",
                out[0], d["version"]
            )))
            .bearer_auth(officer)
            .header("content-type", "application/octet-stream")
            .body(pdf(&format!("tệp {i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    let mut with_status = Vec::new();
    for code in out {
        let (_, d) = app
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(officer),
                None,
            )
            .await;
        with_status.push((code, d["status"].as_str().unwrap_or_default().to_string()));
    }
    with_status
}

fn backups_in(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    all.sort();
    all
}

/// Waits until `ready()` holds, then kills the child with SIGKILL.
async fn kill_when(mut child: Child, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the process ended before it was killed: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "never reached the moment to kill"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
}

#[tokio::test]
async fn a_backup_restores_whole_and_verifies() {
    let (app, tokens, dir) = served().await;
    let dossiers = populate(&app, &tokens, 3).await;
    let statuses: std::collections::BTreeSet<&str> =
        dossiers.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        [
            "received",
            "refused",
            "rejected",
            "processing",
            "returned",
            "stopped",
            "submitted",
            "withdrawn"
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    let source = source_args(&app, &dir.0.join("data"));
    let backups = dir.0.join("backups");

    let out = run(
        &with(&source, &["backup", "--to", &backups.display().to_string()]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let made = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert_eq!(backups_in(&backups), vec![made.clone()]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(made.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["counts"]["dossiers"], dossiers.len());
    assert_eq!(manifest["counts"]["documents"], 3);
    assert_eq!(manifest["documents"].as_array().unwrap().len(), 3);
    assert!(manifest["counts"]["dossier_events"].as_i64().unwrap() > dossiers.len() as i64);
    assert!(manifest["counts"]["stat_daily"].as_i64().unwrap() > 0);
    assert!(manifest["migrations"].as_array().unwrap().len() >= 8);

    // Verify restores it into a scratch place and checks it.
    let out = run(
        &with(
            &source,
            &["backup", "verify", &made.display().to_string(), "--json"],
        ),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["dossiers"], dossiers.len());
    assert_eq!(report["documents"], 3);

    // Restore into an empty place, then read it back through a server of its own.
    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    let out = run(
        &with(&target, &["restore", "--from", &made.display().to_string()]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    // A second restore into the same place is refused: it is not empty any more.
    let out = run(
        &with(&target, &["restore", "--from", &made.display().to_string()]),
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("không trống") || text(&out).contains("đã có"),
        "{}",
        text(&out)
    );

    let url = target
        .iter()
        .position(|a| a == "--database-url")
        .map(|i| target[i + 1].clone());
    let store = motcua_store::connect(url.as_deref(), &restored_dir)
        .await
        .unwrap();
    assert_eq!(
        store.snapshot().await.unwrap(),
        app.store.snapshot().await.unwrap()
    );
    for (code, status) in &dossiers {
        let row = store.dossier_by_code(code).await.unwrap();
        assert_eq!(&row.status, status, "{code}");
    }
    let (before, after) = (
        app.store.stat_dump().await.unwrap(),
        store.stat_dump().await.unwrap(),
    );
    assert_eq!(before, after);
    let docs = motcua_web::blobs::Blobs::open(&motcua_web::blobs::BlobConfig::Local(
        restored_dir.join("documents"),
    ))
    .unwrap();
    for f in manifest["documents"].as_array().unwrap() {
        let sha = f["sha256"].as_str().unwrap();
        let bytes = docs.get(sha).await.unwrap().expect("restored file");
        assert_eq!(motcua_web::blobs::sha256_hex(&bytes), sha);
    }
    drop(store);
    drop_database(&app, scratch).await;

    // A changed byte in the backup is found before anything is restored.
    let db_file = made.join(manifest["database_file"].as_str().unwrap());
    let mut bytes = std::fs::read(&db_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&db_file, bytes).unwrap();
    let out = run(
        &with(&source, &["backup", "verify", &made.display().to_string()]),
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("không khớp mã băm"), "{}", text(&out));
}

#[tokio::test]
async fn a_killed_backup_is_never_taken_for_a_whole_one() {
    let (app, tokens, dir) = served().await;
    populate(&app, &tokens, 4).await;
    let source = source_args(&app, &dir.0.join("data"));
    let backups = dir.0.join("backups");
    let child = motcua()
        .args(with(
            &source,
            &["backup", "--to", &backups.display().to_string()],
        ))
        .env("MOTCUA_BACKUP_FILE_DELAY_MS", "400")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while copying the documents: the database copy is there, the manifest is not.
    let watch = backups.clone();
    kill_when(child, move || {
        backups_in(&watch).iter().any(|d| {
            std::fs::read_dir(d.join("documents/sha256")).is_ok_and(|mut e| e.next().is_some())
        })
    })
    .await;
    let left = backups_in(&backups);
    assert_eq!(left.len(), 1);
    let partial = &left[0];
    assert!(
        partial
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with(".partial"),
        "{partial:?}"
    );
    assert!(!partial.join("manifest.json").exists());
    let out = run(
        &with(
            &source,
            &["backup", "verify", &partial.display().to_string()],
        ),
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("chưa hoàn tất"), "{}", text(&out));
    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    let out = run(
        &with(
            &target,
            &["restore", "--from", &partial.display().to_string()],
        ),
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("chưa hoàn tất"), "{}", text(&out));
    assert!(!restored_dir.join("motcua.sqlite3").exists());
    // Renamed to look whole, it is still refused: no manifest.
    let renamed = backups.join("motcua-renamed");
    std::fs::rename(partial, &renamed).unwrap();
    let out = run(
        &with(
            &target,
            &["restore", "--from", &renamed.display().to_string()],
        ),
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("không phải bản sao lưu hoàn chỉnh"),
        "{}",
        text(&out)
    );

    // The next backup is whole, and `--keep 1` keeps only it.
    let out = run(
        &with(
            &source,
            &[
                "backup",
                "--to",
                &backups.display().to_string(),
                "--keep",
                "1",
            ],
        ),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(
        &with(
            &source,
            &[
                "backup",
                "--to",
                &backups.display().to_string(),
                "--keep",
                "1",
            ],
        ),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let made = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert_eq!(backups_in(&backups), vec![made.clone(), renamed]);
    let out = run(
        &with(&source, &["backup", "verify", &made.display().to_string()]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    drop_database(&app, scratch).await;
}

#[tokio::test]
async fn a_killed_restore_says_so_until_it_is_discarded() {
    let (app, tokens, dir) = served().await;
    let dossiers = populate(&app, &tokens, 4).await;
    let source = source_args(&app, &dir.0.join("data"));
    let backups = dir.0.join("backups");
    let out = run(
        &with(&source, &["backup", "--to", &backups.display().to_string()]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let made = String::from_utf8_lossy(&out.stdout).trim().to_string();

    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    let child = motcua()
        .args(with(&target, &["restore", "--from", &made]))
        .env("MOTCUA_BACKUP_FILE_DELAY_MS", "400")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let watch = restored_dir.clone();
    kill_when(child, move || {
        std::fs::read_dir(watch.join("documents/sha256")).is_ok_and(|mut e| e.next().is_some())
    })
    .await;
    assert!(restored_dir.join("RESTORE-INCOMPLETE").exists());
    // Nothing opens it as a database; a new restore is refused until told to discard.
    let out = run(&with(&target, &["migrate"]), &[]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("khôi phục chưa hoàn tất"),
        "{}",
        text(&out)
    );
    let out = run(&with(&target, &["restore", "--from", &made]), &[]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("--discard-incomplete"),
        "{}",
        text(&out)
    );
    let out = run(
        &with(
            &target,
            &["restore", "--from", &made, "--discard-incomplete"],
        ),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!restored_dir.join("RESTORE-INCOMPLETE").exists());
    let out = run(&with(&target, &["audit", "verify"]), &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("dossiers={} ", dossiers.len())),
        "{}",
        text(&out)
    );
    drop_database(&app, scratch).await;
}
