//! A leader's rounds, their meetings and the anonymous morale report.

use axum::Json;
use axum::extract::{Path, State};
use shared::Score;
use shared::api::{
    CheckinStatus, ErrorBody, ManagerEstimate, MeetingSummary, MoraleReport, RoundDetail,
    RoundSummary,
};

use crate::auth::AuthLeader;
use crate::db::{Db, MeetingRow, RoundRow};
use crate::error::ApiError;
use crate::morale;

fn summary(r: &RoundRow) -> RoundSummary {
    RoundSummary {
        id: r.id.clone(),
        name: r.name.clone(),
        cadence: r.cadence.clone(),
        template_name: r.template_name.clone(),
        meetings: u32::try_from(r.meetings).unwrap_or(0),
        submitted: u32::try_from(r.submitted).unwrap_or(0),
    }
}

/// One meeting as the leader's lists show it.
pub(super) fn meeting_summary(m: &MeetingRow) -> MeetingSummary {
    MeetingSummary {
        id: m.id.clone(),
        person_name: m.person_name.clone(),
        person_title: m.person_title.clone(),
        manager_name: m.manager_name.clone(),
        meeting_at: m.scheduled_at,
        status: if m.submitted_at.is_some() {
            CheckinStatus::Submitted
        } else if m.has_checkin > 0 {
            CheckinStatus::Draft
        } else {
            CheckinStatus::NotStarted
        },
    }
}

async fn own_round(db: &Db, leader: &AuthLeader, id: &str) -> Result<RoundRow, ApiError> {
    db.round_of_leader(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The rounds the logged-in leader runs.
#[utoipa::path(get, path = "/rounds", tag = "rounds", security(("session" = [])),
    responses((status = 200, body = Vec<RoundSummary>), (status = 401, body = ErrorBody)))]
pub(super) async fn list(
    State(db): State<Db>,
    leader: AuthLeader,
) -> Result<Json<Vec<RoundSummary>>, ApiError> {
    let rounds = db.rounds_of_leader(&leader.account_id).await?;
    Ok(Json(rounds.iter().map(summary).collect()))
}

/// One round with its meetings.
#[utoipa::path(get, path = "/rounds/{id}", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses((status = 200, body = RoundDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn detail(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<RoundDetail>, ApiError> {
    let round = own_round(&db, &leader, &id).await?;
    let meetings = db.meetings_of_round(&round.id).await?;
    Ok(Json(RoundDetail {
        k: round.k(),
        meetings: meetings.iter().map(meeting_summary).collect(),
        id: round.id,
        name: round.name,
        cadence: round.cadence,
        template_name: round.template_name,
    }))
}

/// The round's anonymous figures (only over at least k people, moving only in
/// steps of k) and each manager's estimate of their team's morale.
#[utoipa::path(get, path = "/rounds/{id}/morale", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses((status = 200, body = MoraleReport), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn morale(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<MoraleReport>, ApiError> {
    let round = own_round(&db, &leader, &id).await?;
    let template = round.template()?;
    let tallies = db.released_tallies(&round.id).await?;
    let k = round.k();
    let respondents = u32::try_from(round.ballots).unwrap_or(0);
    let results = morale::results(&template, &tallies, respondents, k);

    let people = db.people(&leader.org_id).await?;
    let team_sizes = morale::team_sizes(
        people
            .iter()
            .map(|p| (p.id.as_str(), p.manager_id.as_deref())),
    );
    let manager_estimates = db
        .estimates_of_round(&round.id)
        .await?
        .into_iter()
        .map(|e| ManagerEstimate {
            team_size: team_sizes.get(e.manager_id.as_str()).copied().unwrap_or(0),
            morale: e
                .morale
                .and_then(|n| i32::try_from(n).ok())
                .and_then(|n| Score::parse(n).ok()),
            manager_name: e.manager_name,
        })
        .collect();
    Ok(Json(MoraleReport {
        k,
        respondents,
        results,
        manager_estimates,
    }))
}
