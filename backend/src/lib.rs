//! The Skipcheck server: a JSON API over SQLite or Postgres, and the pages,
//! embedded, as one binary.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

pub mod accounts;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod breakdown;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod embed;
pub mod error;
pub mod export;
pub mod i18n;
pub mod invitation;
pub mod mail;
pub mod morale;
pub mod report;
pub mod rotation;
pub mod routes;
pub mod sealed;
pub mod telemetry;
pub mod templates;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use config::Config;
pub use db::Db;

/// What every handler can reach. Nothing here is state a second instance
/// would need: it all lives in the database.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub readiness: Readiness,
    /// Login attempts per client, in this instance's memory.
    pub login_limits: Arc<auth::limits::LoginLimits>,
    /// The templates of check-ins seen through their invites.
    pub forms: db::Forms,
    /// Signs the cookies that say a browser logged in to an account
    /// before (see [`auth::limits`]).
    pub cookie_key: axum_extra::extract::cookie::Key,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self {
            db,
            cookie_key: config.key.cookie_key(),
            config: Arc::new(config),
            readiness: Readiness::default(),
            login_limits: Arc::default(),
            forms: db::Forms::default(),
        }
    }
}

/// Whether this instance wants new requests: not once it is shutting down.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<std::sync::atomic::AtomicBool>);

impl Readiness {
    pub fn is_draining(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn drain(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The whole application: API, OpenAPI document, health check and pages.
pub fn app(state: AppState) -> Router {
    let (api, _) = routes::router().split_for_parts();
    let cors = embed::cors(state.db.clone());
    telemetry::install();
    api.merge(routes::embed_pages())
        .route_layer(axum::middleware::from_fn(telemetry::tag_route))
        .route_layer(axum::middleware::from_fn(error::refuse_nul))
        .with_state(state)
        .merge(assets::router())
        // JSON bodies up to 256 KB; the directory import reads its CSV body
        // itself, up to its own 10 MB.
        .layer(DefaultBodyLimit::max(256 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        // No framing by other sites until the embedding settings name them
        // (the widget's allowed origins); no plugins; no <base> tricks.
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_str(&assets::content_security_policy())
                .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'")),
        ))
        // Other origins may call the widget's API, when they are on an
        // organisation's list (see embed.rs).
        .layer(cors)
        // Counted and timed by route template, for /metrics.
        .layer(axum::middleware::from_fn(telemetry::track))
        // One line per request: method, path, status, time. Paths hold ids only;
        // tokens travel in headers and answers in bodies, and neither is logged.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then says
/// it is not ready for `config.drain`, then stops accepting and lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Without TCP_NODELAY a response sent in two writes waits on the client's
    // delayed ACK (about 40 ms) on kept-alive connections.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let readiness = state.readiness.clone();
    let drain = state.config.drain;
    let shutdown = async move {
        shutdown.await;
        // Not ready any more; still accepting while load balancers notice.
        readiness.drain();
        tracing::info!(seconds = drain.as_secs(), "shutting down: draining");
        tokio::time::sleep(drain).await;
    };
    let opening = tokio::spawn(open_due(state.db.clone(), state.config.key.clone()));
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    opening.abort();
    served
}

/// Every few seconds, opens the anonymous answers that submissions made due
/// and left waiting (see [`Db::open_due`]): an answer that could not be
/// opened, a round's k lowered, or, on Postgres, what an instance stopped
/// between a batch's commit and its opening left.
async fn open_due(db: Db, key: Arc<sealed::ServerKey>) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        match db.open_due(&key).await {
            Ok(0) => {}
            Ok(groups) => tracing::info!(groups, "opened anonymous answers left due"),
            Err(error) => tracing::warn!(%error, "opening anonymous answers left due failed"),
        }
    }
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
