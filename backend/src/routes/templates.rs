//! The leader's templates: the built-in skip-level and peer templates,
//! read-only, and the leader's own copies. Saving a copy makes a new
//! version; a round keeps the version it opened with, so answers keep the
//! questions as they were asked.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::ErrorBody;
use shared::templates::{CopyTemplate, SaveTemplate, TemplateEntry, check_template_edit};

use super::series::ensure_template;
use crate::AppState;
use crate::auth::AuthLeader;
use crate::db::{TemplateRow, new_id};
use crate::error::{ApiError, ApiJson, valid};
use crate::templates as built_in;

fn entry(row: &TemplateRow) -> Result<TemplateEntry, ApiError> {
    Ok(TemplateEntry {
        key: row.template_key.clone(),
        name: row.name.clone(),
        version: row.version,
        built_in: row.owner_id.is_none(),
        template: row.template()?,
    })
}

/// Stores a version of one of the leader's templates.
async fn store(
    state: &AppState,
    leader: &AuthLeader,
    key: &str,
    template: &shared::Template,
) -> Result<(), sqlx::Error> {
    state
        .db
        .insert_owned_template(
            &new_id(),
            &leader.org_id,
            key,
            Some(&leader.account_id),
            template,
            crate::now(),
        )
        .await
}

async fn one(state: &AppState, leader: &AuthLeader, key: &str) -> Result<TemplateRow, ApiError> {
    state
        .db
        .template_for(&leader.org_id, &leader.account_id, key)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The built-in templates and the leader's own, newest version of each.
/// Leaders only.
#[utoipa::path(get, path = "/templates", tag = "templates", security(("session" = [])),
    responses((status = 200, body = Vec<TemplateEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    leader: AuthLeader,
) -> Result<Json<Vec<TemplateEntry>>, ApiError> {
    let now = crate::now();
    for key in [built_in::SKIP_LEVEL_KEY, built_in::PEER_KEY] {
        ensure_template(&state.db, &leader.org_id, key, now).await?;
    }
    let rows = state
        .db
        .templates_of(&leader.org_id, &leader.account_id)
        .await?;
    Ok(Json(rows.iter().map(entry).collect::<Result<_, _>>()?))
}

/// One template, newest version: built in, or the leader's own. Leaders
/// only; another leader's copy is not found.
#[utoipa::path(get, path = "/templates/{key}", tag = "templates", security(("session" = [])),
    params(("key" = String, Path, description = "Template key")),
    responses((status = 200, body = TemplateEntry), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(key): Path<String>,
) -> Result<Json<TemplateEntry>, ApiError> {
    Ok(Json(entry(&one(&state, &leader, &key).await?)?))
}

/// Copies a template (built in, or one of the leader's) into a new one of the
/// leader's own, version 1. Leaders only.
#[utoipa::path(post, path = "/templates", tag = "templates", security(("session" = [])),
    request_body = CopyTemplate,
    responses((status = 201, body = TemplateEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "No such template to copy", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
pub(super) async fn copy(
    State(state): State<AppState>,
    leader: AuthLeader,
    ApiJson(req): ApiJson<CopyTemplate>,
) -> Result<(StatusCode, Json<TemplateEntry>), ApiError> {
    let from = one(&state, &leader, &req.from).await?;
    let mut template = from.template()?;
    template.name = req.name.trim().to_owned();
    template.version = 1;
    valid(check_template_edit(&template))?;
    let key = format!("t-{}", crate::auth::token::random_hex(6));
    store(&state, &leader, &key, &template).await?;
    tracing::info!(template = %key, "template copied");
    Ok((
        StatusCode::CREATED,
        Json(entry(&one(&state, &leader, &key).await?)?),
    ))
}

/// Saves one of the leader's templates as a new version: the questions,
/// their order, kinds, visibility and whether each is required. Rounds
/// already open keep the version they opened with; new rounds take this
/// one. Built-in templates can't be changed (copy one). Leaders only, their
/// own templates.
#[utoipa::path(put, path = "/templates/{key}", tag = "templates", security(("session" = [])),
    params(("key" = String, Path, description = "Template key")),
    request_body = SaveTemplate,
    responses((status = 200, body = TemplateEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "A built-in template, or not a leader", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Saved elsewhere meanwhile: the version sent is not the newest", body = ErrorBody),
        (status = 422, description = "The template breaks a rule; each problem names its question", body = ErrorBody)))]
pub(super) async fn save(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SaveTemplate>,
) -> Result<Json<TemplateEntry>, ApiError> {
    let current = one(&state, &leader, &key).await?;
    if current.owner_id.is_none() {
        return Err(ApiError::Forbidden(
            "Built-in templates can't be changed: make a copy and edit that.",
        ));
    }
    let mut template = req.template;
    template.name = template.name.trim().to_owned();
    template.version = current.version + 1;
    valid(check_template_edit(&template))?;
    match store(&state, &leader, &key, &template).await {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(ApiError::Conflict(
                "This template was saved elsewhere meanwhile. Reload it, then make your change again."
                    .to_owned(),
            ));
        }
        other => other?,
    }
    Ok(Json(entry(&one(&state, &leader, &key).await?)?))
}
