//! Real `motcua serve` processes: two of them on one database serve consistently, and a
//! process stops cleanly on SIGTERM.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{PASSWORD, TestDb, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn motcua() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_DATA_DIR")
        .env("MOTCUA_LOG", "warn");
    cmd
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start(db: &TestDb) -> Server {
    start_at(db, free_port(), &[]).await
}

/// A server on `port` with more arguments (e.g. `--config file.toml`).
pub(crate) async fn start_at(db: &TestDb, port: u16, args: &[String]) -> Server {
    let log = std::env::temp_dir().join(format!("motcua-serve-{port}.log"));
    let child = motcua()
        .args(db.cli_args())
        .args(args)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("motcua starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = http.get(format!("{base}/readyz")).send().await
            && res.status() == StatusCode::OK
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server on {base} never became ready: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server { child, base }
}

#[tokio::test]
async fn two_servers_on_one_database_agree() {
    let db = TestDb::fresh();
    // Both start (and migrate) at the same time.
    let (a, b) = tokio::join!(start(&db), start(&db));
    let store = db.open().await;
    motcua_app::accounts::create_user(
        store.as_ref(),
        motcua_app::accounts::CreateUser {
            username: "quantri".into(),
            full_name: None,
            password: PASSWORD.into(),
            role: "admin".into(),
            agency_code: None,
            id_number: None,
        },
    )
    .await
    .unwrap();
    let http = client();
    // A token issued by A is valid on B (sessions live in the database).
    let token: Value = http
        .post(format!("{}/api/v1/auth/token", a.base))
        .json(&json!({"username": "quantri", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap();
    let me = http
        .get(format!("{}/api/v1/me", b.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // Writes through either are seen by both; the same code cannot be created twice.
    let create = |base: &str, code: &str| {
        http.post(format!("{base}/api/v1/agencies"))
            .bearer_auth(token)
            .json(&json!({"code": code, "name": "Sở Tư pháp", "kind": "department"}))
            .send()
    };
    let (ra, rb) = tokio::join!(
        create(&a.base, "000.00.06.H56"),
        create(&b.base, "000.00.06.H56")
    );
    let mut statuses = vec![ra.unwrap().status().as_u16(), rb.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    assert_eq!(
        create(&b.base, "000.00.07.H56").await.unwrap().status(),
        StatusCode::CREATED
    );
    for base in [&a.base, &b.base] {
        let list: Value = http
            .get(format!("{base}/api/v1/agencies"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 2, "{base}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let db = TestDb::fresh();
    let mut server = start(&db).await;
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Kill -9 the server during intake, restart it, and find every acknowledged dossier with its
/// events, the codes without gaps, and the audit chain intact.
/// A database with the procedure 1.001193, one service centre and its receiving officer
/// `tiepnhan`.
async fn one_counter(db: &TestDb) {
    let store = db.open().await;
    crate::catalogue::import(store.as_ref(), &["1.001193"]).await;
    for (code, name, kind) in [(
        "000.00.01.H38",
        "Trung tâm PVHCC Thanh Hóa",
        "service_centre",
    )] {
        motcua_app::accounts::create_agency(
            store.as_ref(),
            motcua_app::accounts::CreateAgency {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                parent_code: None,
                unit_id: None,
            },
        )
        .await
        .unwrap();
    }
    motcua_app::accounts::create_user(
        store.as_ref(),
        motcua_app::accounts::CreateUser {
            username: "tiepnhan".into(),
            full_name: None,
            password: PASSWORD.into(),
            role: "receiving_officer".into(),
            agency_code: Some("000.00.01.H38".into()),
            id_number: None,
        },
    )
    .await
    .unwrap();
}

async fn officer_token(server: &Server) -> String {
    let token: Value = client()
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&json!({"username": "tiepnhan", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["token"].as_str().unwrap().to_string()
}

/// Reads of personal data are logged in the background: every read answered before SIGTERM
/// is in the access log once the process has exited.
#[cfg(unix)]
#[tokio::test]
async fn every_read_answered_is_logged_when_the_server_stops_cleanly() {
    let db = TestDb::fresh();
    one_counter(&db).await;
    let mut server = start(&db).await;
    let token = officer_token(&server).await;
    let body = json!({"procedure": "1.001193", "agency": "000.00.01.H38", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "038090001234"}});
    let created: Value = client()
        .post(format!("{}/api/v1/dossiers", server.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!(
        "{}/api/v1/dossiers/{}",
        server.base,
        created["code"].as_str().unwrap()
    );
    // Eight clients read until the server stops under them; each 200 is a logged read.
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (http, url, token, answered) = (client(), url.clone(), token.clone(), answered.clone());
        clients.push(tokio::spawn(async move {
            while let Ok(r) = http.get(&url).bearer_auth(&token).send().await {
                if r.status() != StatusCode::OK {
                    break;
                }
                if r.bytes().await.is_ok() {
                    answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for c in clients {
        let _ = c.await;
    }
    let answered = answered.load(std::sync::atomic::Ordering::SeqCst);
    assert!(answered > 10, "the reads reached the server: {answered}");
    let store = db.open().await;
    let logged = store
        .personal_data_reads(
            &motcua_app::dossiers::applicant_key("038090001234"),
            1_000_000,
        )
        .await
        .unwrap();
    assert!(
        logged.len() >= answered,
        "{answered} reads answered, {} logged",
        logged.len()
    );
    eprintln!(
        "access log at shutdown: {answered} reads answered, {} logged",
        logged.len()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn kill_9_during_intake_loses_no_acknowledged_dossier() {
    let db = TestDb::fresh();
    one_counter(&db).await;
    let mut server = start(&db).await;
    let token = officer_token(&server).await;
    let body = json!({"procedure": "1.001193", "agency": "000.00.01.H38", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "038090001234"}});

    // Eight clients send intakes until the server dies under them.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (http, base, token, body, acked) = (
            client(),
            server.base.clone(),
            token.clone(),
            body.clone(),
            acknowledged.clone(),
        );
        clients.push(tokio::spawn(async move {
            loop {
                match http
                    .post(format!("{base}/api/v1/dossiers"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(code) = v["code"].as_str() {
                            acked.lock().unwrap().push(code.to_string());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    let _ = server.child.wait();
    for c in clients {
        let _ = c.await;
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() > 10,
        "the load reached the server: {}",
        acked.len()
    );
    eprintln!(
        "crash test: {} dossiers acknowledged before kill -9",
        acked.len()
    );

    // Restart on the same database: everything acknowledged is there.
    let server = start(&db).await;
    let store = db.open().await;
    for code in &acked {
        let row = store
            .dossier_by_code(code)
            .await
            .unwrap_or_else(|e| panic!("{code} acknowledged but lost: {e}"));
        assert!(!store.dossier_events(row.id).await.unwrap().is_empty());
    }
    let mut seqs: Vec<u32> = store
        .list_dossiers(&motcua_store::DossierQuery {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .map(|d| d.code.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u32).collect::<Vec<_>>(),
        "codes without gaps"
    );
    let out = crate::cli::run(&db, &["audit", "verify"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // And it takes new dossiers where it stopped.
    let r = client()
        .post(format!("{}/api/v1/dossiers", server.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["code"]
            .as_str()
            .unwrap()
            .ends_with(&format!("-{:04}", seqs.len() + 1))
    );
}
