//! `GET /metrics`, in Prometheus's text format: requests by route template
//! and status, their latency, the database pool, check-ins saved and
//! submitted. No label holds a person, a token or an answer: routes are
//! templates (`/api/meetings/{id}`), never paths.
//!
//! Who may read it: with `--metrics-token`, whoever sends it as a bearer
//! token; without one, only a connection from this machine's loopback that
//! did not come through a proxy (none at all when `--client-ip-header` says a
//! proxy is in front).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::Extension;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's recorder, installed on first use; `None` if another
/// recorder was installed first.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    &BUCKETS,
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Installs the recorder, so counts start with the first request.
pub fn install() {
    let _ = handle();
}

/// Keeps the matched route's template on the response, for [`track`]
/// (routing happens inside it).
pub async fn tag_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(matched);
    }
    response
}

/// A request's method as a label: one of the standard ones, else `other`
/// (a method of the client's own making would be a new series each time).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts every request and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(request.method());
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let route = match response.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        // Pages and their files, or an API path that matched nothing.
        None if api => "unmatched".to_owned(),
        None => "pages".to_owned(),
    };
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// The metrics, for Prometheus.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    security((), ("metrics" = [])),
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 403, description = "Not from loopback, or the wrong token"),
        (status = 503, description = "No recorder in this process"),
    ))]
pub async fn serve(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let allowed = match &state.config.metrics_token {
        Some(token) => crate::auth::bearer(&headers).is_some_and(|given| same(given, token)),
        // Behind a proxy (`--client-ip-header`), the proxy is what connects
        // from loopback, on anyone's behalf, whatever headers it sets.
        None if state.config.client_ip_header.is_some() => false,
        None => {
            let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"]
                .iter()
                .any(|h| headers.contains_key(*h));
            let loopback = peer.is_some_and(|Extension(ConnectInfo(addr))| addr.ip().is_loopback());
            loopback && !proxied
        }
    };
    if !allowed {
        return (
            StatusCode::FORBIDDEN,
            "metrics: send --metrics-token as a bearer token, or, with no proxy in front, ask from this machine's loopback",
        )
            .into_response();
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder").into_response();
    };
    for (role, pool) in state.db.pools() {
        let idle = pool.num_idle() as f64;
        metrics::gauge!("db_pool_connections", "pool" => role, "state" => "idle").set(idle);
        metrics::gauge!("db_pool_connections", "pool" => role, "state" => "busy")
            .set(f64::from(pool.size()) - idle);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// Compares secrets by their digests: how long it takes says nothing about
/// where the secrets differ.
fn same(given: &str, token: &str) -> bool {
    use sha2::Digest as _;
    sha2::Sha256::digest(given) == sha2::Sha256::digest(token)
}
