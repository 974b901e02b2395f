//! The briefing: what the leader reads before one meeting.

use axum::Json;
use axum::extract::{Path, State};
use shared::api::{Briefing, ErrorBody};

use super::rounds::meeting_summary;
use crate::auth::AuthLeader;
use crate::db::Db;
use crate::error::ApiError;

/// One meeting's briefing: the person, and the confidential answers they
/// submitted (never a draft, never an anonymous answer).
#[utoipa::path(get, path = "/meetings/{id}", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = Briefing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn briefing(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<Briefing>, ApiError> {
    let m = db
        .meeting_of_leader(&leader.account_id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(Briefing {
        meeting: meeting_summary(&m),
        template: m.template()?,
        answers: m.submitted_answers()?,
        submitted_at: m.submitted_at,
        round_id: m.round_id,
        round_name: m.round_name,
    }))
}
