//! Personal links. The token travels in the `Authorization: Bearer` header
//! (the page keeps it in the URL fragment), so it never lands in a request
//! line or an access log.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::token::hash_token;
use crate::AppState;
use crate::db::{AccountLinkRow, LinkRow};
use crate::error::ApiError;

/// An employee's invite to one meeting.
#[derive(Debug, Clone)]
pub struct InviteLink {
    pub link: LinkRow,
    pub meeting_id: String,
}

/// A manager's perception form for one round.
#[derive(Debug, Clone)]
pub struct ManagerLink(pub LinkRow);

/// Someone holding a one-time link to set their password.
#[derive(Debug, Clone)]
pub struct PasswordLink {
    pub token_hash: String,
    pub link: AccountLinkRow,
}

/// The token of an `Authorization: Bearer` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

async fn find<S>(parts: &Parts, state: &S, kind: &str) -> Result<LinkRow, ApiError>
where
    AppState: FromRef<S>,
{
    let state = AppState::from_ref(state);
    let token = bearer(&parts.headers).ok_or(ApiError::InvalidLink)?;
    let link = state
        .db
        .link(&hash_token(token))
        .await?
        .filter(|l| l.kind == kind)
        .ok_or(ApiError::InvalidLink)?;
    if link.expires_at <= crate::now() {
        return Err(ApiError::ExpiredLink);
    }
    Ok(link)
}

impl<S> FromRequestParts<S> for InviteLink
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let link = find(parts, state, "invite").await?;
        let meeting_id = link.meeting_id.clone().ok_or(ApiError::InvalidLink)?;
        Ok(Self { link, meeting_id })
    }
}

impl<S> FromRequestParts<S> for ManagerLink
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        find(parts, state, "manager").await.map(Self)
    }
}

impl<S> FromRequestParts<S> for PasswordLink
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let token_hash = hash_token(bearer(&parts.headers).ok_or(ApiError::InvalidLink)?);
        let link = state
            .db
            .account_link(&token_hash)
            .await?
            .ok_or(ApiError::InvalidLink)?;
        if link.expires_at <= crate::now() {
            return Err(ApiError::ExpiredLink);
        }
        Ok(Self { token_hash, link })
    }
}
