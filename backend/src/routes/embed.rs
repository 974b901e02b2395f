//! Embedding the check-in in an intranet: the admin's settings (allowed
//! origins, signing secrets, theme), the identity exchange the widget makes,
//! and the pages and scripts the intranet loads.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::ErrorBody;
use shared::embed::{
    self, EmbedIdentity, EmbedSecret, EmbedSession, EmbedSettings, ORIGINS_MAX, SECRETS_MAX,
    SaveEmbed,
};

use crate::AppState;
use crate::auth::AuthAdmin;
use crate::auth::token::{hash_token, new_token, random_hex};
use crate::embed::{self as widget, EmbedQuery};
use crate::error::{ApiError, ApiJson, Fields};

/// How long the personal link the widget gets lasts: a working day, so a
/// check-in left open in a tab still saves. It lives in the frame's memory
/// only; every page load signs in anew.
const LINK_LIFE: i64 = 12 * 60 * 60;

/// The settings; each secret shown by its last four characters only, but
/// for the one just added (`reveal`), which is shown once, in full.
async fn settings_of(
    state: &AppState,
    org_id: &str,
    reveal: Option<&str>,
) -> Result<EmbedSettings, ApiError> {
    let (origins, theme) = state.db.embed_settings(org_id).await?.unwrap_or_default();
    let secrets = state
        .db
        .embed_secrets(org_id)
        .await?
        .into_iter()
        .map(|(id, secret, created_at)| EmbedSecret {
            secret: if reveal == Some(id.as_str()) {
                secret
            } else {
                format!(
                    "…{}",
                    secret.get(secret.len().saturating_sub(4)..).unwrap_or("")
                )
            },
            id,
            created_at,
        })
        .collect();
    Ok(EmbedSettings {
        org_id: org_id.to_owned(),
        origins: widget::origins(&origins),
        secrets,
        audience: state.config.public_url.clone(),
        theme: widget::stored_theme(&theme),
    })
}

/// The embedding settings; secrets by their last four characters. Admins only.
#[utoipa::path(get, path = "/admin/settings/embed", tag = "admin", security(("session" = [])),
    responses((status = 200, body = EmbedSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn get(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<EmbedSettings>, ApiError> {
    Ok(Json(settings_of(&state, &admin.org_id, None).await?))
}

/// Sets the origins that may embed the check-in (exact, https outside
/// loopback) and the widget's theme (an accent must keep WCAG AA contrast).
/// Admins only.
#[utoipa::path(put, path = "/admin/settings/embed", tag = "admin", security(("session" = [])),
    request_body = SaveEmbed,
    responses((status = 200, body = EmbedSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "An origin or the theme is not valid", body = ErrorBody)))]
pub(super) async fn save(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<SaveEmbed>,
) -> Result<Json<EmbedSettings>, ApiError> {
    let mut fields = Fields::default();
    let mut origins: Vec<String> = Vec::new();
    for raw in req.origins.iter().filter(|o| !o.trim().is_empty()) {
        if let Some(o) = fields.check("origins", embed::check_origin(raw))
            && !origins.contains(&o)
        {
            origins.push(o);
        }
    }
    if origins.len() > ORIGINS_MAX {
        fields.add("origins", format!("List at most {ORIGINS_MAX} origins."));
    }
    for (field, message) in embed::check_theme(&req.theme) {
        fields.add(field, message);
    }
    fields.finish()?;
    let mut theme = req.theme;
    theme.accent = theme.accent.trim().to_lowercase();
    theme.font = theme.font.trim().to_owned();
    let theme = serde_json::to_string(&theme).map_err(anyhow::Error::from)?;
    state
        .db
        .save_embed_settings(&admin.org_id, &origins.join("\n"), &theme, crate::now())
        .await?;
    tracing::info!(by = %admin.account_id, origins = origins.len(), "embed settings changed");
    Ok(Json(settings_of(&state, &admin.org_id, None).await?))
}

/// Adds a signing secret (at most two at once: add the new one, move the
/// intranet to it, then remove the old one). The answer holds it in full,
/// the only time it is shown; every leader is told. Admins only.
#[utoipa::path(post, path = "/admin/settings/embed/secrets", tag = "admin", security(("session" = [])),
    responses((status = 200, body = EmbedSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Two secrets are active already", body = ErrorBody)))]
pub(super) async fn add_secret(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<EmbedSettings>, ApiError> {
    let id = random_hex(8);
    let added = state
        .db
        .add_embed_secret(&admin.org_id, &id, &new_token(), SECRETS_MAX, crate::now())
        .await?;
    if !added {
        return Err(ApiError::Conflict(
            "Two secrets are active already. Remove the one your intranet no longer uses, then add a new one."
                .to_owned(),
        ));
    }
    tracing::info!(by = %admin.account_id, "embed secret added");
    tell_leaders(&state, &admin).await?;
    Ok(Json(settings_of(&state, &admin.org_id, Some(&id)).await?))
}

/// A signing secret lets its holder open anyone's check-in through the
/// widget, so every leader hears when one is added (where SMTP is set),
/// as an account's owner hears of a password link.
async fn tell_leaders(state: &AppState, admin: &AuthAdmin) -> Result<(), ApiError> {
    let Some(smtp) =
        crate::mail::smtp_for(&state.db, state.config.smtp.as_ref(), &admin.org_id).await?
    else {
        return Ok(());
    };
    let now = crate::now();
    for leader in state.db.accounts(&admin.org_id).await? {
        if leader.is_leader == 0 {
            continue;
        }
        let text = format!(
            "Hi {},\n\n{} ({}) added a signing secret for the intranet widget on Skipcheck's settings page. The intranet's server uses it to say who is viewing the check-in: whoever holds it can open the check-in of anyone in the directory. If you did not expect this, ask them why.",
            leader.name, admin.name, admin.email
        );
        crate::mail::send(
            &state.db,
            &smtp,
            &admin.org_id,
            &crate::mail::Outgoing {
                kind: "embed_secret_notice",
                to_name: &leader.name,
                to_email: &leader.email,
                reply_to: None,
                subject: "A signing secret was added for Skipcheck's intranet widget",
                text: &text,
                ics: None,
            },
            now,
        )
        .await;
    }
    Ok(())
}

/// Removes a signing secret: tokens signed with it are refused from now on.
/// Admins only.
#[utoipa::path(delete, path = "/admin/settings/embed/secrets/{id}", tag = "admin", security(("session" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = EmbedSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn delete_secret(
    State(state): State<AppState>,
    admin: AuthAdmin,
    Path(id): Path<String>,
) -> Result<Json<EmbedSettings>, ApiError> {
    if !state.db.delete_embed_secret(&admin.org_id, &id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(by = %admin.account_id, "embed secret removed");
    Ok(Json(settings_of(&state, &admin.org_id, None).await?))
}

/// Exchanges the identity the intranet signed for a personal link to the
/// person's next open check-in (none: nothing to fill in right now).
/// Called by the widget, from an allowed origin; no cookie involved.
#[utoipa::path(post, path = "/embed/{org}/session", tag = "check-in",
    params(("org" = String, Path, description = "The organisation's id, from the snippet")),
    request_body = EmbedIdentity,
    responses((status = 200, body = EmbedSession),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Expired, tampered, wrong-audience or unknown-person token", body = ErrorBody)))]
pub(super) async fn session(
    State(state): State<AppState>,
    Path(org): Path<String>,
    ApiJson(req): ApiJson<EmbedIdentity>,
) -> Result<Json<EmbedSession>, ApiError> {
    let secrets: Vec<String> = state
        .db
        .embed_secrets(&org)
        .await?
        .into_iter()
        .map(|(_, secret, _)| secret)
        .collect();
    let now = crate::now();
    let email = widget::verify(&req.token, &secrets, &state.config.public_url, now)?;
    let person = state
        .db
        .active_person_by_email(&org, &email)
        .await?
        .ok_or(widget::UNKNOWN_PERSON)?;
    let Some((meeting_id, round_id)) = state.db.next_open_meeting(&person, now).await? else {
        return Ok(Json(EmbedSession {
            link: None,
            expires_at: None,
        }));
    };
    let token = new_token();
    let expires_at = now + LINK_LIFE;
    state
        .db
        .insert_embed_link(
            &meeting_id,
            &round_id,
            &person,
            &hash_token(&token),
            now,
            expires_at,
        )
        .await?;
    Ok(Json(EmbedSession {
        link: Some(token),
        expires_at: Some(expires_at),
    }))
}

fn script(body: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            // Short: a fix reaches every intranet page within minutes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            // Loaded by other origins' pages.
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/embed.js`, for intranet pages. Anyone may load it.
pub(super) async fn embed_js() -> Response {
    script(widget::EMBED_JS)
}

/// `/embed/frame.js`, the framed page's own script.
pub(super) async fn frame_js() -> Response {
    script(widget::FRAME_JS)
}

/// `/embed/{org}`: the check-in page for an iframe, which only the
/// organisation's allowed origins may frame (`frame-ancestors`).
pub(super) async fn page(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(query): Query<EmbedQuery>,
    request_headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    // `/embed/x.js`: a file that is not there, not an organisation's page.
    if org.contains('.') {
        return Err(ApiError::NotFound);
    }
    let (origins, theme) = state.db.embed_settings(&org).await?.unwrap_or_default();
    let origins = widget::origins(&origins);
    let policy = widget::frame_policy(&origins);
    let host_allowed = query
        .host
        .as_deref()
        .is_some_and(|h| origins.iter().any(|o| o == h));
    let policy = HeaderValue::from_str(&policy).map_err(anyhow::Error::from)?;
    let headers = [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
    ];
    if !host_allowed {
        return Ok((
            StatusCode::FORBIDDEN,
            headers,
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Skipcheck</title>\
             <p>This check-in can only be shown on your organisation's intranet. \
             An admin lists the intranet's address on Skipcheck's settings page.</p></html>",
        )
            .into_response());
    }
    let (theme, problem) = widget::theme_for(&widget::stored_theme(&theme), &query);
    // The data attribute's language, else the browser's.
    let lang = query.lang.clone().unwrap_or_else(|| {
        request_headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("en")
            .to_owned()
    });
    let lang = lang.as_str();
    Ok((headers, widget::page(&theme, lang, problem.as_deref())).into_response())
}
