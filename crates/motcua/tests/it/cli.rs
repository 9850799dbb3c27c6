//! The operator's command line: migrations, agencies and accounts.

use std::io::Write;
use std::process::{Output, Stdio};

use crate::processes::motcua;
use crate::support::TestDb;

pub fn run(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = motcua()
        .args(db.cli_args())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("motcua runs");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn operators_create_agencies_and_accounts() {
    let db = TestDb::fresh();
    let out = run(&db, &["migrate"], None);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = run(
        &db,
        &[
            "agency",
            "create",
            "--code",
            "000.00.00.H38",
            "--name",
            "Ủy ban nhân dân tỉnh Thanh Hóa",
            "--kind",
            "province_committee",
            "--unit",
            "2025:province:38",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "000.00.00.H38\tprovince_committee\tỦy ban nhân dân tỉnh Thanh Hóa"
    );

    let out = run(
        &db,
        &[
            "agency",
            "create",
            "--code",
            "38",
            "--name",
            "X",
            "--kind",
            "department",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("không đúng định dạng"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("invalid_agency_code"));

    let out = run(&db, &["agency", "list", "--q", "thanh hoa", "--json"], None);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["total"], 1);

    let out = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "lanhdao",
            "--role",
            "leader",
            "--agency",
            "000.00.00.H38",
            "--password-stdin",
        ],
        Some("mot-mat-khau-dai\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "lanhdao\tleader");
    let out = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "canbo1",
            "--role",
            "leader",
            "--password-stdin",
        ],
        Some("mot-mat-khau-dai"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("agency_required"));

    // The account works for logging in.
    let store = db.open().await;
    let (user, hash) = store.user_by_username("lanhdao").await.unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(motcua_app::auth::verify_password("mot-mat-khau-dai".into(), Some(hash)).await);
    assert_eq!(user.grants.len(), 1);
}

#[tokio::test]
async fn demo_seed_covers_every_province_and_commune() {
    let db = TestDb::fresh();
    let store = db.open().await;
    let stats = |kind| {
        let store = store.clone();
        async move {
            store
                .list_agencies(&motcua_store::AgencyQuery {
                    kind: Some(kind),
                    limit: 1,
                    ..Default::default()
                })
                .await
                .unwrap()
                .total
        }
    };
    let out = run(&db, &["agency", "list"], None);
    assert!(out.status.success());
    // Seed through the same code `serve --demo` runs: the server listens once seeding is done.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = motcua()
        .args(db.cli_args())
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    let http = crate::support::client();
    loop {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status() == reqwest::StatusCode::OK
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "demo seed did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    use motcua_domain::agency::AgencyKind::*;
    assert_eq!(
        store.procedure_hits().await.unwrap().len(),
        2642,
        "the real catalogue"
    );
    let centre = store.get_agency_by_code("000.00.01.H38").await.unwrap();
    assert!(
        store.agency_procedures(centre.id).await.unwrap().len() > 100,
        "the demo centre takes dossiers"
    );
    assert_eq!(stats(ProvinceCommittee).await, 34);
    assert_eq!(stats(CommuneCommittee).await, 3321);
    assert_eq!(stats(ServiceCentre).await, 34 + 3321);
    assert_eq!(stats(Ministry).await, 7);
    for user in ["quantri", "tiepnhan", "chuyenvien", "lanhdao", "congdan"] {
        assert!(store.user_by_username(user).await.is_ok(), "{user}");
    }
}
