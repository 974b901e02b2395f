//! A manager's page for a round, opened by their personal link: their
//! team's skip-levels (who and when, nothing said), their estimate of the
//! team's morale, and the broad themes the leader chose to share with them.

use axum::Json;
use axum::extract::State;
use shared::Score;
use shared::api::{ErrorBody, EstimateRequest, EstimateView, TeamMeeting};
use shared::meeting::SharedThemes;

use crate::auth::ManagerLink;
use crate::db::Db;
use crate::error::{ApiError, ApiJson};

async fn view(db: &Db, link: &ManagerLink) -> Result<EstimateView, ApiError> {
    let (manager_name, leader_name, round_name) = db
        .estimate_names(&link.0.round_id, &link.0.person_id)
        .await?
        .ok_or(ApiError::InvalidLink)?;
    let morale = db
        .estimate(&link.0.round_id, &link.0.person_id)
        .await?
        .and_then(|n| i32::try_from(n).ok())
        .and_then(|n| Score::parse(n).ok());
    let team_meetings = db
        .team_meetings(&link.0.round_id, &link.0.person_id)
        .await?
        .into_iter()
        .map(|(person_name, meeting_at)| TeamMeeting {
            person_name,
            meeting_at,
        })
        .collect();
    let themes = db
        .shared_themes(&link.0.round_id, &link.0.person_id)
        .await?
        .into_iter()
        .map(|(sent_at, json)| SharedThemes {
            sent_at,
            themes: serde_json::from_str(&json).unwrap_or_default(),
        })
        .collect();
    Ok(EstimateView {
        themes,
        manager_name,
        leader_name,
        round_name,
        morale,
        editable: true,
        team_meetings,
    })
}

/// The manager's form, with the estimate given so far.
#[utoipa::path(get, path = "/estimate", tag = "manager", security(("link" = [])),
    responses((status = 200, body = EstimateView), (status = 404, description = "Unknown link", body = ErrorBody)))]
pub(super) async fn get_estimate(
    State(db): State<Db>,
    link: ManagerLink,
) -> Result<Json<EstimateView>, ApiError> {
    Ok(Json(view(&db, &link).await?))
}

/// Gives or changes the estimate (1–10).
#[utoipa::path(put, path = "/estimate", tag = "manager", security(("link" = [])),
    request_body = EstimateRequest,
    responses(
        (status = 200, body = EstimateView),
        (status = 400, description = "Malformed body or a score outside 1-10", body = ErrorBody),
        (status = 404, description = "Unknown link", body = ErrorBody),
    ))]
pub(super) async fn save_estimate(
    State(db): State<Db>,
    link: ManagerLink,
    ApiJson(req): ApiJson<EstimateRequest>,
) -> Result<Json<EstimateView>, ApiError> {
    db.save_estimate(
        &link.0.round_id,
        &link.0.person_id,
        i64::from(req.morale.get()),
        crate::now(),
    )
    .await?;
    Ok(Json(view(&db, &link).await?))
}
