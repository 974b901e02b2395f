//! `/healthz`, for load balancers.

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
