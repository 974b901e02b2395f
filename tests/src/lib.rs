//! `TestApp`: a fresh database with the demo organisation, and the router in
//! front of it, for one test. Runs on SQLite (a new file) or Postgres (a new
//! database on `SKIPCHECK_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod smtp;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use backend::demo::DemoOutput;
use backend::{AppState, Config, Db};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Executor;
use tower::ServiceExt;

/// The Postgres server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("SKIPCHECK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` code of an error body.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

/// One test's application.
pub struct TestApp {
    pub db: Db,
    pub router: Router,
    /// The server's key, which seals anonymous answers until they are counted.
    pub key: std::sync::Arc<backend::sealed::ServerKey>,
    pub demo: DemoOutput,
    /// The database's URL, for another instance on it.
    url: String,
    drop_database: Option<(String, String)>,
    _dir: Option<TempDir>,
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The public URL every test app's links start with.
pub const PUBLIC_URL: &str = "http://skipcheck.test";

fn unique() -> String {
    backend::auth::token::random_hex(8)
}

/// Runs each scenario once on a fresh SQLite file and once on a fresh
/// Postgres database, with the demo organisation; `empty:` first starts them
/// on an empty database instead.
#[macro_export]
macro_rules! on_both {
    (empty: $($scenario:ident),* $(,)?) => {
        $crate::on_both!(@with false; $($scenario),*);
    };
    ($($scenario:ident),* $(,)?) => {
        $crate::on_both!(@with true; $($scenario),*);
    };
    (@with $demo:literal; $($scenario:ident),*) => {$(
        mod $scenario {
            #[tokio::test]
            async fn on_sqlite() {
                let app = $crate::TestApp::sqlite_with($demo).await;
                super::$scenario(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let app = $crate::TestApp::postgres_with($demo).await;
                super::$scenario(&app).await;
                app.finish().await;
            }
        }
    )*};
}

impl TestApp {
    /// A new SQLite file with the demo data.
    pub async fn sqlite() -> Self {
        Self::sqlite_with(true).await
    }

    /// A new Postgres database with the demo data.
    pub async fn postgres() -> Self {
        Self::postgres_with(true).await
    }

    /// A new SQLite file, with the demo data or empty.
    pub async fn sqlite_with(demo: bool) -> Self {
        let dir = std::env::temp_dir().join(format!("skipcheck-test-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
        let db = Db::connect(&url).await.expect("sqlite opens");
        Self::with_db(db, url, demo, None, Some(TempDir(dir))).await
    }

    /// A new Postgres database, with the demo data or empty.
    pub async fn postgres_with(demo: bool) -> Self {
        let admin_url = postgres_admin_url();
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Postgres is needed for these tests and did not answer at {admin_url}: {e}. \
                 Set SKIPCHECK_TEST_POSTGRES to a server where this user may create databases."
                )
            });
        let name = format!("skipcheck_test_{}", unique());
        admin
            .execute(sqlx::AssertSqlSafe(format!("create database {name}")))
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url.split('?').next().unwrap_or(&admin_url);
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        let db = Db::connect(&url).await.expect("postgres opens");
        Self::with_db(db, url, demo, Some((admin_url, name)), None).await
    }

    async fn with_db(
        db: Db,
        url: String,
        with_demo: bool,
        drop_database: Option<(String, String)>,
        dir: Option<TempDir>,
    ) -> Self {
        // SKIPCHECK_TEST_LOG=1 shows the server's log, 500s' causes included.
        if std::env::var_os("SKIPCHECK_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        let public_url = PUBLIC_URL.to_owned();
        let config = Config::new(public_url.clone());
        let demo = if with_demo {
            let size = backend::demo::Size::default();
            backend::demo::create(&db, &public_url, false, size, &config.key, backend::now())
                .await
                .expect("demo data")
        } else {
            DemoOutput::default()
        };
        let key = config.key.clone();
        let router = backend::app(AppState::new(db.clone(), config));
        Self {
            db,
            router,
            key,
            demo,
            url,
            drop_database,
            _dir: dir,
        }
    }

    /// Closes the pool and drops the test's Postgres database.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.drop_database
            && let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await
        {
            let sql = format!("drop database if exists {name} with (force)");
            let _ = admin.execute(sqlx::AssertSqlSafe(sql)).await;
            admin.close().await;
        }
    }

    /// Sends a request through the router, with a JSON body or none.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        match body {
            Some(b) => {
                self.send_body(
                    method,
                    uri,
                    headers,
                    "application/json",
                    b.as_bytes().to_vec(),
                )
                .await
            }
            None => self.send_request(method, uri, headers, None).await,
        }
    }

    /// Sends a request with a raw body of the given content type.
    pub async fn send_body(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        self.send_request(method, uri, headers, Some((content_type, body)))
            .await
    }

    async fn send_request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some((content_type, body)) => req
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Another instance's storage on the same database: what one instance
    /// changes there, the other learns only by reading it.
    pub async fn another_instance(&self) -> Db {
        Db::connect(&self.url)
            .await
            .expect("the database opens again")
    }

    /// The SQLite file of this test, if it runs on SQLite.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.0.join("test.db"))
    }

    /// The same database behind another configuration.
    pub fn router_with(&self, config: Config) -> Router {
        backend::app(AppState::new(self.db.clone(), config))
    }

    /// Logs in with any email and password; returns the `Cookie` header, or
    /// the failed reply.
    pub async fn login_as(&self, email: &str, password: &str) -> Result<String, Reply> {
        let body = serde_json::json!({"email": email, "password": password});
        let reply = self
            .send(Method::POST, "/api/session", &[], Some(&body.to_string()))
            .await;
        if reply.status == StatusCode::OK {
            Ok(cookie_of(&reply))
        } else {
            Err(reply)
        }
    }

    /// An account invited by `admin` (a `Cookie` header) with these roles,
    /// its password set through its one-time link; returns its `Cookie`.
    pub async fn new_account(
        &self,
        admin: &str,
        email: &str,
        is_admin: bool,
        is_leader: bool,
        password: &str,
    ) -> String {
        let body = serde_json::json!({"name": "Someone", "email": email,
            "is_admin": is_admin, "is_leader": is_leader});
        let link = self
            .as_account(admin, Method::POST, "/api/admin/accounts", Some(&body))
            .await;
        assert_eq!(link.status, StatusCode::CREATED, "{}", link.text());
        let token = token_of(link.json()["url"].as_str().unwrap(), "#t=");
        let set = serde_json::json!({"password": password}).to_string();
        let reply = self
            .with_token(Method::POST, "/api/password/link", &token, Some(&set))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        self.login_as(email, password).await.unwrap()
    }

    /// An admin-only account and another leader, invited by the admin behind
    /// `cookie`, emails told apart by `tag`: their `Cookie` headers.
    pub async fn outsiders(&self, cookie: &str, tag: &str) -> (String, String) {
        let password = "another long password";
        let admin = self
            .new_account(
                cookie,
                &format!("admin{tag}@example.test"),
                true,
                false,
                password,
            )
            .await;
        let other = self
            .new_account(
                cookie,
                &format!("leader{tag}@example.test"),
                false,
                true,
                password,
            )
            .await;
        (admin, other)
    }

    /// A logged-in request with a JSON body (or none).
    pub async fn as_account(
        &self,
        cookie: &str,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        let body = body.map(Value::to_string);
        self.send(method, uri, &[("cookie", cookie)], body.as_deref())
            .await
    }

    /// The token of the `i`-th demo invite.
    pub fn invite(&self, i: usize) -> String {
        token_of(&self.demo.invites[i].url, "#i=")
    }

    /// The token of the `i`-th manager link.
    pub fn manager_link(&self, i: usize) -> String {
        token_of(&self.demo.manager_links[i].url, "#m=")
    }

    /// A request with a personal link's token.
    pub async fn with_token(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        body: Option<&str>,
    ) -> Reply {
        let auth = format!("Bearer {token}");
        self.send(method, uri, &[("authorization", &auth)], body)
            .await
    }

    /// Logs the demo leader in; returns the `Cookie` header to send.
    pub async fn login(&self) -> String {
        let body = serde_json::json!({"email": self.demo.leader.email, "password": self.demo.leader.password});
        let reply = self
            .send(Method::POST, "/api/session", &[], Some(&body.to_string()))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        cookie_of(&reply)
    }

    /// A leader's GET.
    pub async fn leader_get(&self, cookie: &str, uri: &str) -> Reply {
        self.send(Method::GET, uri, &[("cookie", cookie)], None)
            .await
    }

    /// Submits a full check-in for invite `i` with these scores.
    pub async fn submit_scores(&self, i: usize, support: i32, morale: i32) -> Reply {
        let body = serde_json::json!({"answers": {
            "personal": {"text": format!("Person {i} is fine")},
            "support": {"scale": support},
            "morale": {"scale": morale},
        }});
        self.with_token(
            Method::POST,
            "/api/checkin/submit",
            &self.invite(i),
            Some(&body.to_string()),
        )
        .await
    }
}

/// The `Cookie` header that sends back the session a reply set.
pub fn cookie_of(reply: &Reply) -> String {
    set_cookie(reply, "skipcheck_session=").expect("a session cookie")
}

/// The `name=value` of the cookie a reply set whose pair starts with
/// `prefix`, if it set one.
pub fn set_cookie(reply: &Reply, prefix: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next())
        .find(|pair| pair.starts_with(prefix))
        .map(str::to_owned)
}

/// The secret of a link, after `marker` (`#t=`, `#i=`…).
pub fn token_of(url: &str, marker: &str) -> String {
    url.split(marker)
        .nth(1)
        .expect("a personal link")
        .to_owned()
}
