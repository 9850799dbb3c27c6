//! Test support: a fresh database per test (a temp SQLite file, or a PostgreSQL schema) and a
//! real server on 127.0.0.1:0 driven by a real HTTP client.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Once};

use motcua_store::DynStore;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const PASSWORD: &str = "mat-khau-thu-nghiem";

/// A temporary directory, removed when the last user of it is dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where the test databases live.
#[derive(Clone, Debug)]
pub enum TestDb {
    Sqlite(Arc<TempDir>),
    Postgres(String),
}

impl TestDb {
    /// A fresh, empty database for one test.
    pub fn fresh() -> TestDb {
        match std::env::var("MOTCUA_TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => {
                assert!(
                    url.starts_with("postgres://") || url.starts_with("postgresql://"),
                    "MOTCUA_TEST_DATABASE_URL must be a postgres:// URL"
                );
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let sep = if url.contains('?') { '&' } else { '?' };
                TestDb::Postgres(format!("{url}{sep}schema={schema}"))
            }
            _ => {
                static NOTICE: Once = Once::new();
                NOTICE.call_once(|| {
                    eprintln!(
                        "\n*** motcua tests: running on embedded SQLite. PostgreSQL is NOT tested in this run: \
                         set MOTCUA_TEST_DATABASE_URL=postgres://... (scripts/test does both). ***\n"
                    )
                });
                let dir = std::env::temp_dir()
                    .join(format!("motcua-test-{}", uuid::Uuid::new_v4().simple()));
                TestDb::Sqlite(Arc::new(TempDir(dir)))
            }
        }
    }

    /// Arguments that point the `motcua` binary at this database.
    pub fn cli_args(&self) -> Vec<String> {
        match self {
            TestDb::Sqlite(dir) => vec!["--data-dir".into(), dir.0.display().to_string()],
            TestDb::Postgres(url) => vec!["--database-url".into(), url.clone()],
        }
    }

    pub async fn open(&self) -> DynStore {
        let (url, dir) = match self {
            TestDb::Sqlite(dir) => (None, dir.0.clone()),
            TestDb::Postgres(url) => (Some(url.as_str()), std::env::temp_dir()),
        };
        let store = motcua_store::connect(url, &dir).await.unwrap_or_else(|e| {
            panic!(
                "\n\n!!! cannot open the test database ({}): {e}\n!!! PostgreSQL tests were requested but PostgreSQL is not reachable.\n",
                motcua_store::redact_url(url.unwrap_or("sqlite"))
            )
        });
        store.migrate().await.expect("migrations apply");
        store
    }
}

/// A running server with its own database.
pub struct TestApp {
    /// The database (its temporary directory lives as long as the app).
    pub db: TestDb,
    pub store: DynStore,
    pub addr: SocketAddr,
    pub client: Client,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(motcua_app::Config::default()).await
    }

    pub async fn with_config(config: motcua_app::Config) -> TestApp {
        let db = TestDb::fresh();
        let store = db.open().await;
        Self::serve(db, store, config).await
    }

    /// A server on a database the caller opened.
    pub async fn serve(db: TestDb, store: DynStore, config: motcua_app::Config) -> TestApp {
        let addr = serve(store.clone(), config).await;
        TestApp {
            db,
            store,
            addr,
            client: client(),
        }
    }

    /// Another server on the same database, with its own connections and memory: what a
    /// second process (or host) of one installation is.
    pub async fn second_process(&self, config: motcua_app::Config) -> TestApp {
        let store = self.db.open().await;
        let addr = serve(store.clone(), config).await;
        TestApp {
            db: self.db.clone(),
            store,
            addr,
            client: client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Sends JSON with an optional bearer token; returns status and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// Creates an agency directly through the service layer (as the CLI does).
    pub async fn agency(
        &self,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> motcua_store::Agency {
        self.agency_in(code, name, kind, parent, None).await
    }

    /// [`TestApp::agency`] for an administrative unit (`2025:province:38`).
    pub async fn agency_in(
        &self,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
        unit: Option<&str>,
    ) -> motcua_store::Agency {
        motcua_app::accounts::create_agency(
            self.store.as_ref(),
            motcua_app::accounts::CreateAgency {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                parent_code: parent.map(str::to_string),
                unit_id: unit.map(str::to_string),
            },
        )
        .await
        .expect("agency created")
    }

    /// Creates an account with [`PASSWORD`] and returns a bearer token for it.
    pub async fn user(&self, username: &str, role: &str, agency: Option<&str>) -> String {
        motcua_app::accounts::create_user(
            self.store.as_ref(),
            motcua_app::accounts::CreateUser {
                username: username.into(),
                full_name: Some(format!("Người dùng {username}")),
                password: PASSWORD.into(),
                role: role.into(),
                agency_code: agency.map(str::to_string),
                id_number: (role == "citizen").then(|| citizen_id(username)),
            },
        )
        .await
        .expect("user created");
        self.token(username, PASSWORD).await
    }

    /// `action` on the dossier `code` as `token`, at the version it reads now.
    pub async fn act(
        &self,
        token: &str,
        code: &str,
        action: &str,
        mut fields: Value,
    ) -> (StatusCode, Value) {
        let (_, d) = self
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/dossiers/{code}"),
                Some(token),
                None,
            )
            .await;
        fields["version"] = d["version"].clone();
        self.post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await
    }

    pub async fn token(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["token"].as_str().expect("token").to_string()
    }
}

/// Serves the whole router on 127.0.0.1 and a free port.
async fn serve(store: DynStore, config: motcua_app::Config) -> SocketAddr {
    let app = motcua_web::router(motcua_web::AppState::new(store, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("server runs");
    });
    addr
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Names of the items of a list response.
pub fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs raw SQL against the app's database, bypassing motcua (to play an intruder in tests).
pub async fn execute(app: &TestApp, sql: &str) {
    match &app.db {
        TestDb::Sqlite(dir) => {
            let url = format!("sqlite://{}", dir.0.join("motcua.sqlite3").display());
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&pool)
                .await
                .expect("sql runs");
        }
        TestDb::Postgres(url) => {
            let (base, schema) = url.split_once("?schema=").expect("schema");
            let pool = sqlx::PgPool::connect(base).await.expect("postgres");
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("SET search_path TO {schema}")))
                .execute(&mut *conn)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut *conn)
                .await
                .expect("sql runs");
        }
    }
}

/// The CSRF token of a UI page (the value of its first `csrf` field).
pub fn csrf_from(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

/// A browser (cookie jar) signed in through the UI's login form, and its session's CSRF token.
pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> (Client, String) {
    let b = client();
    let csrf = page_csrf(&b, app, "/dang-nhap").await;
    let res = b
        .post(app.url("/dang-nhap"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
    // The token is bound to the new session: read it from a page.
    let csrf = page_csrf(&b, app, "/").await;
    (b, csrf)
}

/// The CSRF token of the page at `path`, for this browser.
pub async fn page_csrf(b: &Client, app: &TestApp, path: &str) -> String {
    let res = b.get(app.url(path)).send().await.unwrap();
    csrf_from(&res.text().await.unwrap())
}

/// A browser signed in as `username` with the test password.
pub async fn browser(app: &TestApp, username: &str) -> (Client, String) {
    sign_in(app, username, PASSWORD).await
}

/// A UI page: its status and HTML.
pub async fn get_page(b: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = b.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The ID number a test's citizen account is bound to: `congdan` is the applicant of the
/// tests' standard dossier (038199012345); any other account is another person of Thanh Hóa,
/// born in the 20th century, numbered from its name.
pub fn citizen_id(username: &str) -> String {
    if username == "congdan" {
        return "038199012345".into();
    }
    let n = username
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("0380{:08}", n % 100_000_000)
}
