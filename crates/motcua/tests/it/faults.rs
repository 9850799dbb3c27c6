//! Faults: PostgreSQL crashes (`pg_ctl stop -m immediate`) and comes back in the middle of
//! intake. Two servers (one in this process, one `motcua serve` child) take dossiers from four
//! clients throughout: while the database is down `/readyz` says 503 and intake fails cleanly
//! (5xx with an error code); afterwards both servers serve again without a restart, every
//! acknowledged dossier is in the database, and the day's codes run from 0001 without a gap.
//!
//! The database is a private PostgreSQL cluster made for the test (`initdb` and `pg_ctl` of
//! `/usr/lib/postgresql/*/bin`, run as the `postgres` account, on a free port in a temporary
//! directory): never the shared server, which other tests use. It runs in the PostgreSQL pass
//! of the suite (`MOTCUA_TEST_DATABASE_URL=postgres://…`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::{TestApp, TestDb, client};

/// A PostgreSQL cluster of its own, stopped and removed on drop.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn as_postgres(program: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .output()
        .expect("runuser runs")
}

impl Cluster {
    fn new() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries in /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .find(|b| b.join("initdb").exists())
            .expect("initdb");
        let dir = std::env::temp_dir().join(format!("motcua-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let chown = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(chown.success());
        let port = crate::processes::free_port();
        let data = dir.join("data");
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c = Cluster { bin, dir, port };
        c.start();
        c
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        let mut all = vec![
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
        ];
        all.extend_from_slice(args);
        let out = as_postgres(&self.bin.join("pg_ctl"), &all);
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn start(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            self.port,
            self.dir.display()
        );
        self.pg_ctl(&["-o", &opts, "start"]);
    }

    /// A crash: no checkpoint, recovery from the WAL at the next start.
    fn crash(&self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ready(base: &str) -> StatusCode {
    match client().get(format!("{base}/readyz")).send().await {
        Ok(r) => r.status(),
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

#[tokio::test]
async fn intake_survives_a_postgres_crash_and_restart() {
    if !std::env::var("MOTCUA_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("faults: PostgreSQL pass only (MOTCUA_TEST_DATABASE_URL=postgres://…)");
        return;
    }
    let cluster = Cluster::new();
    let db = TestDb::Postgres(format!("{}?schema=fault", cluster.url()));
    let store = db.open().await;
    let app = TestApp::serve(db.clone(), store.clone(), motcua_app::Config::default()).await;
    let [officer, ..] = crate::dossiers::seed(&app).await;
    let child = crate::processes::start(&db).await;
    let bases = [format!("http://{}", app.addr), child.base.clone()];

    // Four clients take dossiers in turn on both servers until told to stop.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let failures = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for i in 0..4 {
        let (acknowledged, failures, stop) = (acknowledged.clone(), failures.clone(), stop.clone());
        let (base, token) = (bases[i % 2].clone(), officer.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let res = http
                    .post(format!("{base}/api/v1/dossiers"))
                    .bearer_auth(&token)
                    .json(&crate::dossiers::body("counter"))
                    .timeout(Duration::from_secs(15))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let d: serde_json::Value = r.json().await.unwrap();
                        acknowledged
                            .lock()
                            .unwrap()
                            .push(d["code"].as_str().unwrap().into());
                    }
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        failures
                            .lock()
                            .unwrap()
                            .push((status, body["error"].to_string()));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(e) => {
                        failures.lock().unwrap().push((0, e.to_string()));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    let count = || acknowledged.lock().unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < 20 {
        assert!(
            Instant::now() < deadline,
            "intake never started: {:?}",
            failures.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    cluster.crash();
    let before_restart = count();
    for base in &bases {
        assert_eq!(
            ready(base).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "{base} while down"
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.start();
    // Both servers come back by themselves, and intake goes on.
    let deadline = Instant::now() + Duration::from_secs(60);
    for base in &bases {
        while ready(base).await != StatusCode::OK {
            assert!(Instant::now() < deadline, "{base} never ready again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let target = count() + 20;
    while count() < target {
        assert!(
            Instant::now() < deadline,
            "intake did not resume: {:?}",
            failures
                .lock()
                .unwrap()
                .iter()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    // The outage itself is proven by `/readyz` above; requests that were waiting for a pooled
    // connection may ride it out (the pool's acquire timeout is longer than the outage), so a run
    // without any failed request is correct too.
    for (status, what) in &failures {
        assert!(
            (500..600).contains(status) || *status == 0,
            "failures during the outage are server errors or refused connections: {status} {what}"
        );
    }

    // Every acknowledged dossier is there; the codes run from 0001 without a gap.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > before_restart);
    for code in &acknowledged {
        store
            .dossier_by_code(code)
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
    }
    let mut seqs = Vec::new();
    for id in store.dossier_ids().await.unwrap() {
        let code = store.dossier_head(id).await.unwrap().code;
        seqs.push(code.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>());
    // A dossier whose commit reached the disk just as the connection broke is kept without an
    // acknowledgement (its client saw a 5xx): never the other way round.
    assert!(seqs.len() >= acknowledged.len());
    drop(child);
}
