//! First run: the one-time setup of an empty server. Anyone may call it, once,
//! while no account exists.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::admin::{SetupRequest, SetupStatus};
use shared::api::{ErrorBody, Me};

use super::session::start_session;
use crate::AppState;
use crate::accounts::{FirstAdmin, FirstRun, first_run};
use crate::error::{ApiError, ApiJson};

/// Whether the setup page is open, and allowed here. Anyone.
#[utoipa::path(get, path = "/setup", tag = "setup",
    responses((status = 200, body = SetupStatus)))]
pub(super) async fn status(State(state): State<AppState>) -> Result<Json<SetupStatus>, ApiError> {
    Ok(Json(SetupStatus {
        needed: !state.db.has_accounts().await?,
        allowed: state.config.setup_allowed,
    }))
}

/// Creates the organisation and its first admin, and logs them in. Anyone,
/// once: afterwards it answers 409, and admins invite everyone else.
#[utoipa::path(post, path = "/setup", tag = "setup", request_body = SetupRequest,
    responses(
        (status = 201, body = Me, description = "Set up; the session cookie is set"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 403, description = "Plain HTTP on a public address without --allow-insecure-setup", body = ErrorBody),
        (status = 409, description = "Already set up", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn setup(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<(StatusCode, CookieJar, Json<Me>), ApiError> {
    if !state.config.setup_allowed {
        return Err(ApiError::Forbidden(
            "Setup is refused over plain HTTP on a public address: the password would cross the network in clear. Serve Skipcheck behind HTTPS (--public-url https://…), or start it with --allow-insecure-setup.",
        ));
    }
    if state.db.has_accounts().await? {
        return Err(already_done());
    }
    let admin = FirstAdmin::parse(
        &req.organisation,
        &req.name,
        &req.email,
        req.password,
        req.is_leader,
    )?;
    match first_run(&state.db, admin, crate::now()).await? {
        FirstRun::Created(account_id) => {
            tracing::info!(account = %account_id, "first admin created");
            let (jar, me) = start_session(&state, jar, &account_id).await?;
            Ok((StatusCode::CREATED, jar, me))
        }
        FirstRun::AlreadyDone => Err(already_done()),
    }
}

fn already_done() -> ApiError {
    ApiError::Conflict(
        "Skipcheck is already set up. Log in, or ask an admin to invite you.".to_owned(),
    )
}
