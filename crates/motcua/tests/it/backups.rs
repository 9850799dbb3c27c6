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
use crate::stats::act;
use crate::support::{TempDir, TestApp, TestDb};

/// A server keeping its documents in `<dir>/documents`.
async fn served() -> (TestApp, [String; 5], TempDir) {
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-backup-{}", uuid::Uuid::new_v4().simple())),
    );
    let config = motcua_app::Config {
        documents: motcua_app::blobs::BlobConfig::Local(dir.0.join("data").join("documents")),
        ..motcua_app::Config::default()
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

fn run(args: &[String]) -> Output {
    motcua().args(args).output().unwrap()
}

/// Runs `motcua`, which must succeed; returns what it printed.
fn succeeds(args: &[String]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `motcua`, which must fail saying `why`.
fn refused(args: &[String], why: &str) {
    let out = run(args);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(why), "{why}: {}", text(&out));
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
        json!({"via": "counter", "collector": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345"}}),
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
    // The access log rows of these reads are committed now: the commands run next are waited
    // for without yielding, and a write of this server left open would lock them out.
    app.store.flush().await.unwrap();
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

fn p(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test]
async fn a_backup_restores_whole_and_verifies() {
    let (app, tokens, dir) = served().await;
    let dossiers = populate(&app, &tokens, 3).await;
    let statuses: std::collections::BTreeSet<&str> =
        dossiers.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "processing",
            "received",
            "refused",
            "rejected",
            "returned",
            "stopped",
            "submitted",
            "withdrawn"
        ]
        .into()
    );
    let source = source_args(&app, &dir.0.join("data"));
    let backups = dir.0.join("backups");

    let made = PathBuf::from(succeeds(&with(&source, &["backup", "--to", &p(&backups)])));
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
    let report = succeeds(&with(&source, &["backup", "verify", &p(&made), "--json"]));
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["dossiers"], dossiers.len());
    assert_eq!(report["documents"], 3);

    // Restore into an empty place; a second restore there is refused: it is not empty.
    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    succeeds(&with(&target, &["restore", "--from", &p(&made)]));
    let out = run(&with(&target, &["restore", "--from", &p(&made)]));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("không trống") || text(&out).contains("đã có"),
        "{}",
        text(&out)
    );

    // What was restored is what was there: rows, dossiers, counters, files.
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
        assert_eq!(row.status.as_str(), status, "{code}");
    }
    assert_eq!(
        store.stat_dump().await.unwrap(),
        app.store.stat_dump().await.unwrap()
    );
    let docs = motcua_app::blobs::Blobs::open(&motcua_app::blobs::BlobConfig::Local(
        restored_dir.join("documents"),
    ))
    .unwrap();
    for f in manifest["documents"].as_array().unwrap() {
        let sha = f["sha256"].as_str().unwrap();
        let bytes = docs.get(sha).await.unwrap().expect("restored file");
        assert_eq!(motcua_app::blobs::sha256_hex(&bytes), sha);
    }
    drop(store);
    drop_database(&app, scratch).await;

    // A changed byte in the backup is found before anything is restored.
    let db_file = made.join(manifest["database_file"].as_str().unwrap());
    let mut bytes = std::fs::read(&db_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&db_file, bytes).unwrap();
    refused(
        &with(&source, &["backup", "verify", &p(&made)]),
        "không khớp mã băm",
    );
}

/// `motcua` with `args`, slowed down per document so it can be killed midway.
fn slow(args: &[String]) -> Child {
    motcua()
        .args(args)
        .env("MOTCUA_BACKUP_FILE_DELAY_MS", "400")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether a directory's document store holds a file yet.
fn has_documents(dir: &Path) -> bool {
    std::fs::read_dir(dir.join("documents/sha256")).is_ok_and(|mut e| e.next().is_some())
}

#[tokio::test]
async fn a_killed_backup_is_never_taken_for_a_whole_one() {
    let (app, tokens, dir) = served().await;
    populate(&app, &tokens, 4).await;
    let source = source_args(&app, &dir.0.join("data"));
    let backups = dir.0.join("backups");
    // Killed while copying the documents: the database copy is there, the manifest is not.
    let child = slow(&with(&source, &["backup", "--to", &p(&backups)]));
    let watch = backups.clone();
    kill_when(child, move || {
        backups_in(&watch).iter().any(|d| has_documents(d))
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
    refused(
        &with(&source, &["backup", "verify", &p(partial)]),
        "chưa hoàn tất",
    );
    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    refused(
        &with(&target, &["restore", "--from", &p(partial)]),
        "chưa hoàn tất",
    );
    assert!(!restored_dir.join("motcua.sqlite3").exists());
    // Renamed to look whole, it is still refused: no manifest.
    let renamed = backups.join("motcua-renamed");
    std::fs::rename(partial, &renamed).unwrap();
    refused(
        &with(&target, &["restore", "--from", &p(&renamed)]),
        "không phải bản sao lưu hoàn chỉnh",
    );

    // The next backups are whole, and `--keep 1` keeps only the newest.
    let keep_one = with(&source, &["backup", "--to", &p(&backups), "--keep", "1"]);
    succeeds(&keep_one);
    let made = PathBuf::from(succeeds(&keep_one));
    assert_eq!(backups_in(&backups), vec![made.clone(), renamed]);
    succeeds(&with(&source, &["backup", "verify", &p(&made)]));
    drop_database(&app, scratch).await;
}

#[tokio::test]
async fn a_killed_restore_says_so_until_it_is_discarded() {
    let (app, tokens, dir) = served().await;
    let dossiers = populate(&app, &tokens, 4).await;
    let source = source_args(&app, &dir.0.join("data"));
    let made = succeeds(&with(
        &source,
        &["backup", "--to", &p(&dir.0.join("backups"))],
    ));

    let restored_dir = dir.0.join("restored");
    let (target, scratch) = target_args(&app, &restored_dir).await;
    let child = slow(&with(&target, &["restore", "--from", &made]));
    let watch = restored_dir.clone();
    kill_when(child, move || has_documents(&watch)).await;
    assert!(restored_dir.join("RESTORE-INCOMPLETE").exists());
    // Nothing opens it as a database; a new restore is refused until told to discard.
    refused(&with(&target, &["migrate"]), "khôi phục chưa hoàn tất");
    refused(
        &with(&target, &["restore", "--from", &made]),
        "--discard-incomplete",
    );
    succeeds(&with(
        &target,
        &["restore", "--from", &made, "--discard-incomplete"],
    ));
    assert!(!restored_dir.join("RESTORE-INCOMPLETE").exists());
    let audit = succeeds(&with(&target, &["audit", "verify"]));
    assert!(
        audit.contains(&format!("dossiers={} ", dossiers.len())),
        "{audit}"
    );
    drop_database(&app, scratch).await;
}

#[tokio::test]
async fn serve_makes_scheduled_backups_and_keeps_the_newest() {
    let (app, tokens, dir) = served().await;
    populate(&app, &tokens, 1).await;
    let backups = dir.0.join("scheduled");
    let port = crate::processes::free_port();
    let mut server = motcua()
        .args(with(
            &source_args(&app, &dir.0.join("data")),
            &["serve", "--listen", &format!("127.0.0.1:{port}")],
        ))
        .env("MOTCUA_BACKUP_DIR", p(&backups))
        .env("MOTCUA_BACKUP_INTERVAL_HOURS", "0.0003") // about a second
        .env("MOTCUA_BACKUP_KEEP", "2")
        .env("MOTCUA_METRICS_TOKEN", "prometheus-test-token")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < 4 {
        assert!(Instant::now() < deadline, "backups seen: {seen:?}");
        seen.extend(
            backups_in(&backups)
                .into_iter()
                .filter(|d| d.join("manifest.json").exists()),
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = crate::support::client()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .bearer_auth("prometheus-test-token")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("motcua_backup_last_success_timestamp_seconds"),
        "{metrics}"
    );
    std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    server.wait().unwrap();
    // Only the newest two remain (an interrupted one, if the stop came mid-backup, is a
    // `.partial` directory), and they are whole.
    let kept: Vec<PathBuf> = backups_in(&backups)
        .into_iter()
        .filter(|d| !d.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|k| k > seen.iter().nth(1).unwrap()));
    let source = source_args(&app, &dir.0.join("data"));
    for k in &kept {
        succeeds(&with(&source, &["backup", "verify", &p(k)]));
    }
}

#[tokio::test]
async fn a_failed_backup_leaves_nothing_and_says_why() {
    let (app, tokens, dir) = served().await;
    populate(&app, &tokens, 1).await;
    // A document whose bytes no longer match its name (a damaged disk).
    let docs = motcua_app::blobs::Blobs::open(&motcua_app::blobs::BlobConfig::Local(
        dir.0.join("data").join("documents"),
    ))
    .unwrap();
    let sha = docs.list().await.unwrap()[0].sha256.clone();
    docs.put(&sha, b"hong".to_vec().into()).await.unwrap();
    let backups = dir.0.join("backups");
    refused(
        &with(
            &source_args(&app, &dir.0.join("data")),
            &["backup", "--to", &p(&backups)],
        ),
        "does not match its hash",
    );
    assert_eq!(backups_in(&backups), Vec::<PathBuf>::new());
}
