//! The broad themes a leader shares with the round's managers after the
//! round: the leader writes them (never quoting anyone), picks managers and
//! sends; each manager reads only that, on their page for the round, and by
//! email where SMTP is set.

use axum::Json;
use axum::extract::{Path, State};
use shared::admin::SendOutcome;
use shared::api::ErrorBody;
use shared::meeting::{SendThemes, ThemeRecipient, Themes, ThemesDraft, check_themes};

use super::rounds::own_round;
use crate::AppState;
use crate::auth::AuthLeader;
use crate::error::{ApiError, ApiJson, valid};
use crate::mail::{self, Outgoing};

async fn draft(
    state: &AppState,
    leader: &AuthLeader,
    round_id: &str,
) -> Result<ThemesDraft, ApiError> {
    let sent = state.db.last_shared(round_id).await?;
    let managers = state
        .db
        .estimates_of_round(round_id)
        .await?
        .into_iter()
        .map(|e| ThemeRecipient {
            sent_at: sent
                .iter()
                .find(|(id, _)| *id == e.manager_id)
                .map(|(_, at)| *at),
            manager_id: e.manager_id,
            name: e.manager_name,
        })
        .collect();
    let email_enabled = mail::smtp_for(&state.db, state.config.smtp.as_ref(), &leader.org_id)
        .await?
        .is_some();
    Ok(ThemesDraft {
        themes: state.db.themes(round_id).await?,
        managers,
        email_enabled,
    })
}

/// The round's themes as written so far, and the managers who may receive
/// them. Leaders only, their own rounds.
#[utoipa::path(get, path = "/rounds/{id}/themes", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    responses((status = 200, body = ThemesDraft), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<ThemesDraft>, ApiError> {
    let round = own_round(&state.db, &leader, &id).await?.id;
    Ok(Json(draft(&state, &leader, &round).await?))
}

/// Saves the round's themes (what was already sent does not change).
/// Leaders only, their own rounds.
#[utoipa::path(put, path = "/rounds/{id}/themes", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    request_body = Themes,
    responses((status = 200, body = ThemesDraft), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "A theme is empty or too long", body = ErrorBody)))]
pub(super) async fn save(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Themes>,
) -> Result<Json<ThemesDraft>, ApiError> {
    let round = own_round(&state.db, &leader, &id).await?.id;
    valid(check_themes(&req))?;
    state.db.save_themes(&round, &req.themes).await?;
    Ok(Json(draft(&state, &leader, &round).await?))
}

/// Sends the themes as they stand to the chosen managers of the round: each
/// finds them on their page for the round, and by email where SMTP is set.
/// Leaders only, their own rounds; only the round's managers.
#[utoipa::path(post, path = "/rounds/{id}/themes/send", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Round id")),
    request_body = SendThemes,
    responses((status = 200, description = "What became of each email (none without SMTP)", body = Vec<SendOutcome>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "No theme, no manager, or one not of this round", body = ErrorBody)))]
pub(super) async fn send(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SendThemes>,
) -> Result<Json<Vec<SendOutcome>>, ApiError> {
    let round = own_round(&state.db, &leader, &id).await?.id;
    let themes = state.db.themes(&round).await?;
    if themes.is_empty() {
        return Err(ApiError::field("themes", "Write at least one theme first."));
    }
    let managers = state.db.estimates_of_round(&round).await?;
    if req.manager_ids.is_empty() {
        return Err(ApiError::field(
            "manager_ids",
            "Choose at least one manager.",
        ));
    }
    if let Some(stranger) = req
        .manager_ids
        .iter()
        .find(|id| !managers.iter().any(|m| &m.manager_id == *id))
    {
        return Err(ApiError::field(
            "manager_ids",
            format!("{stranger} is not a manager of this round."),
        ));
    }
    let json = serde_json::to_string(&themes).map_err(anyhow::Error::from)?;
    let now = crate::now();
    let smtp = mail::smtp_for(&state.db, state.config.smtp.as_ref(), &leader.org_id).await?;
    let mut outcomes = Vec::new();
    for manager in &req.manager_ids {
        state.db.share_themes(&round, manager, &json, now).await?;
        let (Some(smtp), Some((name, email))) =
            (&smtp, state.db.manager_contact(&round, manager).await?)
        else {
            continue;
        };
        let text = format!(
            "Hello {name},\n\n{} shares the broad themes from their skip-levels this round. \
             They are themes, never anyone's words.\n\n{}\n\nThey are also on your page for the round.\n",
            leader.name,
            themes
                .iter()
                .map(|t| format!("- {t}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let subject = format!("Themes from {}'s skip-levels", leader.name);
        outcomes.push(
            mail::send(
                &state.db,
                smtp,
                &leader.org_id,
                &Outgoing {
                    kind: "themes",
                    to_name: &name,
                    to_email: &email,
                    reply_to: None,
                    subject: &subject,
                    text: &text,
                    ics: None,
                },
                now,
            )
            .await,
        );
    }
    tracing::info!(round = %round, managers = req.manager_ids.len(), "themes shared");
    Ok(Json(outcomes))
}
