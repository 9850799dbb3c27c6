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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(db: &TestDb) -> Server {
    let port = free_port();
    let child = motcua()
        .args(db.cli_args())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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
            "server on {base} never became ready"
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
    motcua_web::service::create_user(
        store.as_ref(),
        motcua_web::service::CreateUser {
            username: "quantri".into(),
            full_name: None,
            password: PASSWORD.into(),
            role: "admin".into(),
            agency_code: None,
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
