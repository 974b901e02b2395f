//! A leader's rounds, their meetings and the anonymous morale report.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::api::{
    CheckinStatus, ErrorBody, MeetingSummary, RoundDetail, RoundReport, RoundSummary, TrendPoint,
};

use crate::auth::AuthLeader;
use crate::db::{Db, MeetingRow, RoundRow};
use crate::error::ApiError;
use crate::report::{self, Directory};

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

pub(super) async fn own_round(
    db: &Db,
    leader: &AuthLeader,
    id: &str,
) -> Result<RoundRow, ApiError> {
    db.round_of_leader(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The rounds the logged-in leader runs. Leaders only.
#[utoipa::path(get, path = "/rounds", tag = "rounds", security(("session" = [])),
    responses((status = 200, body = Vec<RoundSummary>), (status = 401, body = ErrorBody)))]
pub(super) async fn list(
    State(db): State<Db>,
    leader: AuthLeader,
) -> Result<Json<Vec<RoundSummary>>, ApiError> {
    let rounds = db.rounds_of_leader(&leader.account_id).await?;
    Ok(Json(rounds.iter().map(summary).collect()))
}

/// One round with its meetings. Leaders only, their own rounds.
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

/// The round's report: response rate, the whole round's anonymous figures,
/// the breakdown by manager with each manager's estimate and the gap, every
/// figure over at least k people and moving only in steps of k, and no
/// shown group that lets the others be subtracted from the whole.
/// Leaders only, their own rounds.
#[utoipa::path(get, path = "/rounds/{id}/report", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses((status = 200, body = RoundReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn report(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<RoundReport>, ApiError> {
    Ok(Json(load_report(&db, &leader, &id).await?))
}

async fn load_report(db: &Db, leader: &AuthLeader, id: &str) -> Result<RoundReport, ApiError> {
    let round = own_round(db, leader, id).await?;
    let dir = Directory::load(db, &leader.account_id).await?;
    Ok(report::round_report(db, &round, &dir).await?)
}

fn download(content_type: &'static str, name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The round's report as a CSV file: exactly what the report shows, under
/// the same rules. Leaders only, their own rounds.
#[utoipa::path(get, path = "/rounds/{id}/report.csv", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses(
        (status = 200, description = "The report (text/csv)", content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn report_csv(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let report = load_report(&db, &leader, &id).await?;
    let csv = report::report_csv(&report).map_err(anyhow::Error::from)?;
    Ok(download("text/csv; charset=utf-8", "round-report.csv", csv))
}

/// The round's report as a JSON file, the same body as `/rounds/{id}/report`.
/// Leaders only, their own rounds.
#[utoipa::path(get, path = "/rounds/{id}/report.json", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses(
        (status = 200, body = RoundReport),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn report_json(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let report = load_report(&db, &leader, &id).await?;
    let json = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
    Ok(download("application/json", "round-report.json", json))
}

/// The leader's rounds as a trend, oldest first: each round's figures and
/// shown groups, exactly as that round's report shows them. Leaders only.
#[utoipa::path(get, path = "/trends", tag = "rounds", security(("session" = [])),
    responses((status = 200, body = Vec<TrendPoint>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn trends(
    State(db): State<Db>,
    leader: AuthLeader,
) -> Result<Json<Vec<TrendPoint>>, ApiError> {
    let dir = Directory::load(&db, &leader.account_id).await?;
    Ok(Json(report::trend(&db, &leader.account_id, &dir).await?))
}

/// The trend as a CSV file. Leaders only.
#[utoipa::path(get, path = "/trends.csv", tag = "rounds", security(("session" = [])),
    responses(
        (status = 200, description = "The trend (text/csv)", content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ))]
pub(super) async fn trends_csv(
    State(db): State<Db>,
    leader: AuthLeader,
) -> Result<Response, ApiError> {
    let dir = Directory::load(&db, &leader.account_id).await?;
    let points = report::trend(&db, &leader.account_id, &dir).await?;
    let csv = report::trend_csv(&points).map_err(anyhow::Error::from)?;
    Ok(download("text/csv; charset=utf-8", "trend.csv", csv))
}
