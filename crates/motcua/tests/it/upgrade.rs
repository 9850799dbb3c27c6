//! Upgrades keep a province's data: a database made by the release with migrations 0001–0008
//! (`tests/fixtures/release-0008/`, made by `scripts/make-upgrade-fixture`: dossiers in many
//! states, their events, documents and counters) is migrated to the current schema, whatever
//! migrations came after, and its data is checked: row counts, dossiers read through the API,
//! documents downloaded, every audit chain, and the counters equal to a rebuild.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TempDir, TestApp, TestDb};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0008")
}

/// The schema name of the PostgreSQL dump, replaced by each test's own.
const SCHEMA_PLACEHOLDER: &str = "motcua_fixture_schema";

/// The tables whose rows an upgrade must keep exactly.
const KEPT: &[&str] = &[
    "agencies",
    "users",
    "procedures",
    "dossiers",
    "dossier_events",
    "documents",
    "dossier_documents",
    "stat_daily",
    "outbox",
];

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("fixture"))
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip(path: &Path, bytes: &[u8]) {
    let mut z = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::best(),
    );
    z.write_all(bytes).unwrap();
    z.finish().unwrap();
}

/// Loads the fixture of the backend of `db` into it (not migrated).
async fn load(db: &TestDb) {
    match db {
        TestDb::Sqlite(dir) => {
            std::fs::create_dir_all(&dir.0).unwrap();
            std::fs::write(
                dir.0.join("motcua.sqlite3"),
                gunzip(&fixture_dir().join("sqlite.sqlite3.gz")),
            )
            .unwrap();
        }
        TestDb::Postgres(url) => {
            use sqlx::Connection;
            let (base, schema) = url.split_once("?schema=").unwrap();
            let sql = String::from_utf8(gunzip(&fixture_dir().join("postgres.sql.gz"))).unwrap();
            let sql = sql.replace(SCHEMA_PLACEHOLDER, schema);
            let mut c = sqlx::PgConnection::connect(base).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_release_0008_database_upgrades_with_its_data() {
    let expect: Value =
        serde_json::from_slice(&std::fs::read(fixture_dir().join("expect.json")).unwrap()).unwrap();
    let db = TestDb::fresh();
    load(&db).await;
    let store = db.open().await; // runs every migration after 0008
    let now = store.snapshot().await.unwrap();
    assert!(now.migrations.starts_with(&[1, 2, 3, 4, 5, 6, 7, 8]));
    for table in KEPT {
        assert_eq!(
            now.counts.get(*table).copied(),
            expect["counts"][table].as_i64(),
            "{table}"
        );
    }
    for id in store.dossier_ids().await.unwrap() {
        let head = store.dossier_head(id).await.unwrap();
        let log = store.dossier_events(id).await.unwrap();
        motcua_store::verify_chain(&log, head.seq, &head.last_hash)
            .unwrap_or_else(|e| panic!("{}: {e}", head.code));
    }
    let counters = store.stat_dump().await.unwrap();

    // Read through the API of a current server, documents included.
    let docs = TempDir(
        std::env::temp_dir().join(format!("motcua-upgrade-{}", uuid::Uuid::new_v4().simple())),
    );
    copy_tree(&fixture_dir().join("documents"), &docs.0.join("sha256"));
    let config = motcua_app::Config {
        documents: motcua_app::blobs::BlobConfig::Local(docs.0.clone()),
        ..motcua_app::Config::default()
    };
    let app = TestApp::serve(db, store, config).await;
    // The counters the old release kept are those the current one rebuilds from the events;
    // the rebuild adds only the counters later migrations introduced.
    let out = crate::cli::run(&app.db, &["stats", "rebuild"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rebuilt = app.store.stat_dump().await.unwrap();
    assert_eq!(of_release_0008(&rebuilt), counters);
    assert!(
        rebuilt.0.len() > counters.0.len(),
        "the open dossiers' lateness counters are rebuilt"
    );
    // `motcua migrate` (and `serve`) on the old database rebuild them by themselves.
    let db2 = TestDb::fresh();
    load(&db2).await;
    let out = crate::cli::run(&db2, &["migrate"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db2.open().await.stat_dump().await.unwrap(), rebuilt);
    let officer = app.token("tiepnhan", PASSWORD).await;
    for d in expect["dossiers"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        let (s, got) = app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{code}: {got}");
        assert_eq!(got["status"], d["status"], "{code}");
    }
    let first = expect["dossiers"][0]["code"].as_str().unwrap();
    for sha in expect["documents"].as_array().unwrap() {
        let sha = sha.as_str().unwrap();
        let (s, _, bytes) = crate::documents::download(&app, &officer, first, sha).await;
        assert_eq!(s, StatusCode::OK, "{sha}");
        assert_eq!(motcua_app::blobs::sha256_hex(&bytes), sha);
    }
    // New work goes on after the upgrade.
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            Some(&officer),
            crate::dossiers::body("counter"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Writes the fixture from a database populated now (run by `scripts/make-upgrade-fixture`,
/// once per backend, with `MOTCUA_FIXTURE_OUT` set). Only a release whose migrations end at
/// 0008 may write it.
#[tokio::test]
#[ignore = "writes the upgrade fixture; run by scripts/make-upgrade-fixture"]
async fn make_fixture() {
    let Ok(out) = std::env::var("MOTCUA_FIXTURE_OUT") else {
        return;
    };
    let out = PathBuf::from(out);
    let dir = TempDir(
        std::env::temp_dir().join(format!("motcua-fixture-{}", uuid::Uuid::new_v4().simple())),
    );
    let config = motcua_app::Config {
        documents: motcua_app::blobs::BlobConfig::Local(dir.0.join("documents")),
        ..motcua_app::Config::default()
    };
    let (app, tokens) = crate::dossiers::setup_with(config).await;
    let snapshot = app.store.snapshot().await.unwrap();
    assert_eq!(
        snapshot.migrations,
        [1, 2, 3, 4, 5, 6, 7, 8],
        "the fixture is of release 0008"
    );
    let dossiers = crate::backups::populate(&app, &tokens, 2).await;
    let snapshot = app.store.snapshot().await.unwrap();
    std::fs::create_dir_all(&out).unwrap();
    match &app.db {
        TestDb::Sqlite(_) => {
            let file = dir.0.join("copy.sqlite3");
            app.store.snapshot_to(&file, None).await.unwrap();
            gzip(
                &out.join("sqlite.sqlite3.gz"),
                &std::fs::read(&file).unwrap(),
            );
            let docs = out.join("documents");
            let _ = std::fs::remove_dir_all(&docs);
            copy_tree(&dir.0.join("documents/sha256"), &docs);
            let documents: Vec<String> = motcua_app::blobs::Blobs::open(
                &motcua_app::blobs::BlobConfig::Local(dir.0.join("documents")),
            )
            .unwrap()
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.sha256)
            .collect();
            let expect = json!({
                "counts": KEPT.iter().map(|t| (t.to_string(), json!(snapshot.counts[*t]))).collect::<serde_json::Map<_, _>>(),
                "dossiers": dossiers.iter().map(|(c, s)| json!({"code": c, "status": s})).collect::<Vec<_>>(),
                "documents": documents,
            });
            std::fs::write(
                out.join("expect.json"),
                serde_json::to_string_pretty(&expect).unwrap(),
            )
            .unwrap();
        }
        TestDb::Postgres(url) => {
            let (base, schema) = url.split_once("?schema=").unwrap();
            let dump = std::process::Command::new("pg_dump")
                .args([
                    "--format=plain",
                    "--inserts",
                    "--no-owner",
                    "--no-privileges",
                    &format!("--schema={schema}"),
                    &format!("--dbname={base}"),
                ])
                .output()
                .unwrap();
            assert!(dump.status.success());
            // psql's meta-commands (`\restrict`) are not SQL.
            let sql: String = String::from_utf8(dump.stdout)
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with('\\'))
                .map(|l| format!("{l}\n"))
                .collect();
            gzip(
                &out.join("postgres.sql.gz"),
                sql.replace(schema, SCHEMA_PLACEHOLDER).as_bytes(),
            );
        }
    }
}

/// The counters of the metrics release 0008 kept (later migrations added others).
fn of_release_0008(
    dump: &(
        Vec<motcua_store::CounterDelta>,
        Vec<motcua_store::RollupRow>,
    ),
) -> (
    Vec<motcua_store::CounterDelta>,
    Vec<motcua_store::RollupRow>,
) {
    use motcua_domain::stats::Metric;
    let added = [Metric::OpenOverdue.as_str(), Metric::OpenIndexLate.as_str()];
    (
        dump.0
            .iter()
            .filter(|c| !added.contains(&c.metric.as_str()))
            .cloned()
            .collect(),
        dump.1
            .iter()
            .filter(|r| !added.contains(&r.metric.as_str()))
            .cloned()
            .collect(),
    )
}
