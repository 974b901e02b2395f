//! `/healthz` (alive, with its database) and `/readyz` (wants requests),
//! for load balancers and orchestrators. Anyone may call them.

use axum::extract::State;
use axum::http::StatusCode;

use crate::db::Db;

/// 200 when the database answers, 503 when it does not.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "Serving"), (status = 503, description = "Database unreachable")))]
pub(super) async fn healthz(State(db): State<Db>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// 200 when this instance takes requests; 503 once it is shutting down, or
/// when its database does not answer.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "Ready"), (status = 503, description = "Shutting down, or database unreachable")))]
pub(super) async fn readyz(
    State(db): State<Db>,
    State(readiness): State<crate::Readiness>,
) -> (StatusCode, &'static str) {
    if readiness.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
