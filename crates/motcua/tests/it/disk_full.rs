//! Faults: the disk of the data directory fills up while intake runs.
//!
//! The data directory is on a real small file system: a 96 MiB tmpfs mounted for the test (the
//! suite runs as root, here and in CI; the test fails, never skips, when it cannot mount). A
//! filler file then takes every free block, so the kernel answers `ENOSPC` to SQLite and to the
//! document store exactly as on a full disk. While it is full:
//! - `/readyz` answers 503 and names the disk;
//! - intake on SQLite fails with 503 `storage_full` (PostgreSQL, whose files are elsewhere, goes
//!   on taking dossiers), document uploads fail with 503 `storage_full`, and the sign-in page
//!   says so in Vietnamese;
//! - nothing is half-written: every dossier has all its events (the audit chain verifies), the
//!   counters count every dossier once, the day's codes have no gap, and the document store
//!   holds no partial file.
//!
//! When the filler is removed the same server (no restart) is ready and takes dossiers and
//! documents again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{TempDir, TestApp, TestDb, client};

/// A tmpfs of a given size on a fresh directory, unmounted and removed on drop.
pub(crate) struct SmallDisk {
    pub dir: PathBuf,
}

impl SmallDisk {
    pub fn mount(mib: u32) -> SmallDisk {
        let dir =
            std::env::temp_dir().join(format!("motcua-disk-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={mib}m,mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "cannot mount a {mib} MiB tmpfs on {} (the disk-full test needs root, as the suite \
             has here and in CI): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    /// Takes every free block with one file; returns it.
    pub fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        for chunk in [1 << 20, 4096, 512, 1] {
            let bytes = vec![0x5au8; chunk];
            loop {
                match f.write_all(&bytes) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                    Err(e) => panic!("filling {}: {e}", path.display()),
                }
            }
        }
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

async fn readyz(app: &TestApp) -> (StatusCode, String) {
    let res = app.get("/readyz").await;
    (res.status(), res.text().await.unwrap())
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Each stored document is whole: its name is the SHA-256 of its bytes.
fn assert_documents_whole(dir: &Path) {
    for f in files(dir) {
        let name = format!(
            "{}{}",
            f.parent().unwrap().file_name().unwrap().to_string_lossy(),
            f.file_name().unwrap().to_string_lossy()
        );
        let hash: String = Sha256::digest(std::fs::read(&f).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(name, hash, "a partial or stray file: {}", f.display());
    }
}

async fn upload(app: &TestApp, token: &str, code: &str, text: &str) -> (StatusCode, Value) {
    let (s, d) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let version = d["version"].as_i64().unwrap();
    let res = app
        .client
        .post(app.url(&format!(
            "/api/v1/dossiers/{code}/documents?component=T%E1%BB%9D%20khai&version={version}"
        )))
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(crate::documents::pdf(text))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_full_disk_refuses_writes_cleanly_and_service_returns_with_space() {
    let disk = SmallDisk::mount(96);
    let data = disk.dir.join("data");
    let sqlite = !matches!(TestDb::fresh(), TestDb::Postgres(_));
    let db = match TestDb::fresh() {
        TestDb::Sqlite(_) => TestDb::Sqlite(Arc::new(TempDir(data.clone()))),
        pg => pg,
    };
    std::fs::create_dir_all(&data).unwrap();
    let store = db.open().await;
    let documents = data.join("documents");
    let config = motcua_app::Config {
        documents: motcua_app::blobs::BlobConfig::Local(documents.clone()),
        data_dir: Some(data.clone()),
        min_free_disk_bytes: 1024 * 1024,
        ..motcua_app::Config::default()
    };
    let app = TestApp::serve(db, store.clone(), config).await;
    let [officer, ..] = crate::dossiers::seed(&app).await;
    let (s, body) = readyz(&app).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("disk: ok"), "{body}");
    let (s, first) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let first = first["code"].as_str().unwrap().to_string();
    let (s, d) = upload(&app, &officer, &first, "before").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");

    // Three clients take dossiers until told to stop.
    let acknowledged = Arc::new(Mutex::new(vec![first.clone()]));
    let failures = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (acknowledged, failures, stop) = (acknowledged.clone(), failures.clone(), stop.clone());
        let (url, token) = (app.url("/api/v1/dossiers"), officer.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&crate::dossiers::body("counter"))
                    .send()
                    .await
                    .expect("the server answers");
                let status = r.status();
                let body: Value = r.json().await.unwrap_or_default();
                if status == StatusCode::CREATED {
                    let code = body["code"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().push(code);
                } else {
                    let what = format!("{} {}", body["error"], body["message"]);
                    failures.lock().unwrap().push((status.as_u16(), what));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    let count = || acknowledged.lock().unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < 30 {
        assert!(Instant::now() < deadline, "intake never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let filler = disk.fill();
    let (s, body) = readyz(&app).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.starts_with("not ready"), "{body}");
    assert!(body.contains("disk: full"), "{body}");
    assert!(body.contains("database: ok"), "{body}");
    let stored_before = files(&documents);
    let (s, e) = upload(&app, &officer, &first, "while full").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{e}");
    assert_eq!(e["error"], "storage_full", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("đã đầy"),
        "a Vietnamese message: {e}"
    );
    assert_eq!(
        files(&documents),
        stored_before,
        "nothing of the upload is left"
    );
    if sqlite {
        // SQLite writes into the WAL's free pages first; once they are used, intake fails.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !failures
            .lock()
            .unwrap()
            .iter()
            .any(|(s, what)| *s == 503 && what.contains("storage_full"))
        {
            assert!(
                Instant::now() < deadline,
                "intake on a full disk never failed ({} acknowledged, failures {:?})",
                count(),
                failures.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A person signing in (a session is a write) reads why in Vietnamese. (A small write
        // may still find room in pages SQLite already holds: try until one is refused.)
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let b = client();
            let csrf = crate::support::page_csrf(&b, &app, "/dang-nhap").await;
            let res = b
                .post(app.url("/dang-nhap"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", "tiepnhan"),
                    ("password", crate::support::PASSWORD),
                ])
                .send()
                .await
                .unwrap();
            if res.status() == StatusCode::SEE_OTHER {
                assert!(Instant::now() < deadline, "sign-in never refused");
                continue;
            }
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            let page = res.text().await.unwrap();
            assert!(
                page.contains("Bộ nhớ lưu trữ của hệ thống đã đầy"),
                "{page}"
            );
            break;
        }
    } else {
        // The database is elsewhere: intake goes on.
        let target = count() + 10;
        let deadline = Instant::now() + Duration::from_secs(60);
        while count() < target {
            assert!(Instant::now() < deadline, "PostgreSQL intake stopped");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // Space returns: the same server serves again.
    std::fs::remove_file(&filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (s, body) = readyz(&app).await;
        if s == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "never ready again: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let target = count() + 20;
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < target {
        assert!(Instant::now() < deadline, "intake did not resume");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let (s, d) = upload(&app, &officer, &first, "after").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");

    let failures = failures.lock().unwrap().clone();
    for (status, what) in &failures {
        assert!(
            *status == 503 && what.contains("storage_full"),
            "a write refused on a full disk says so: {status} {what}"
        );
    }
    assert_eq!(!failures.is_empty(), sqlite, "{failures:?}");

    // Nothing half-written.
    let acknowledged = acknowledged.lock().unwrap().clone();
    for code in &acknowledged {
        store
            .dossier_by_code(code)
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
    }
    let ids = store.dossier_ids().await.unwrap();
    let mut seqs = Vec::new();
    for id in &ids {
        let head = store.dossier_head(*id).await.unwrap();
        let events = store.dossier_events(*id).await.unwrap();
        motcua_store::verify_chain(&events, head.seq, &head.last_hash)
            .unwrap_or_else(|e| panic!("{}: {e}", head.code));
        seqs.push(
            head.code
                .rsplit('-')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert_eq!(
        ids.len(),
        acknowledged.len(),
        "no dossier without its answer"
    );
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>());
    let (cells, _) = store.stat_dump().await.unwrap();
    let received: i64 = cells
        .iter()
        .filter(|c| c.metric == "received_counter")
        .map(|c| c.delta)
        .sum();
    assert_eq!(received, ids.len() as i64, "each dossier counted once");
    assert_documents_whole(&documents);
    assert_eq!(files(&documents).len(), 2, "the files before and after");
}
