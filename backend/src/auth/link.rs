//! Personal links. The token travels in the `Authorization: Bearer` header
//! (the page keeps it in the URL fragment), so it never lands in a request
//! line or an access log.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use shared::Template;

use super::token::hash_token;
use crate::AppState;
use crate::db::{AccountLinkRow, Db, LinkRow, LinkedCheckin};
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

/// An employee's invite read together with the check-in it opens, in one
/// query, and the template the check-in is asked with: what submitting
/// needs.
#[derive(Debug, Clone)]
pub struct InviteSubmission {
    pub checkin: LinkedCheckin,
    pub template: Arc<Template>,
}

/// The hash of the personal link's token a request carries.
struct LinkToken(String);

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
    let LinkToken(token_hash) = LinkToken::from_headers(&parts.headers)?;
    let found = state.db.link(&token_hash).await?;
    unexpired(found.filter(|l| l.kind == kind), |l| l.expires_at)
}

/// A link found by its token, refused as every personal link is: unknown
/// (or of another kind) first, then expired.
fn unexpired<T>(found: Option<T>, expires_at: impl Fn(&T) -> i64) -> Result<T, ApiError> {
    let link = found.ok_or(ApiError::InvalidLink)?;
    if expires_at(&link) <= crate::now() {
        return Err(ApiError::ExpiredLink);
    }
    Ok(link)
}

impl LinkToken {
    fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        bearer(headers)
            .map(|token| Self(hash_token(token)))
            .ok_or(ApiError::InvalidLink)
    }
}

/// The check-in an invite opens, refused as [`InviteLink`] refuses: unknown
/// (or not an invite) first, then expired.
pub async fn invited_checkin(db: &Db, token_hash: &str) -> Result<LinkedCheckin, ApiError> {
    let found = db.linked_checkin(token_hash).await?;
    unexpired(found.filter(|row| row.kind == "invite"), |row| {
        row.expires_at
    })
}

impl<S> FromRequestParts<S> for InviteSubmission
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let LinkToken(token_hash) = LinkToken::from_headers(&parts.headers)?;
        let state = AppState::from_ref(state);
        let checkin = invited_checkin(&state.db, &token_hash).await?;
        let template = known(state.forms.template(&state.db, &checkin).await?)?;
        Ok(Self { checkin, template })
    }
}

/// A check-in's template, read after the check-in: one gone in between
/// (its organisation deleted) refuses the link, as if it were unknown.
fn known(template: Option<Arc<Template>>) -> Result<Arc<Template>, ApiError> {
    template.ok_or(ApiError::InvalidLink)
}

/// An invite as a draft save needs it: its token's hash and the template its
/// check-in is asked with. An invite used before is found in memory, and the
/// save then checks the link itself; a new one is read and checked as
/// [`InviteSubmission`] is, and its meeting must not have started.
#[derive(Debug, Clone)]
pub struct InviteForm {
    pub token_hash: String,
    pub template: Arc<Template>,
}

impl<S> FromRequestParts<S> for InviteForm
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let LinkToken(token_hash) = LinkToken::from_headers(&parts.headers)?;
        let state = AppState::from_ref(state);
        if let Some(template) = state.forms.get(&token_hash) {
            return Ok(Self {
                token_hash,
                template,
            });
        }
        let row = invited_checkin(&state.db, &token_hash).await?;
        if row.scheduled_at <= crate::now() {
            return Err(ApiError::Locked);
        }
        let template = known(state.forms.remember(&state.db, &token_hash, &row).await?)?;
        Ok(Self {
            token_hash,
            template,
        })
    }
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
        let LinkToken(token_hash) = LinkToken::from_headers(&parts.headers)?;
        let found = state.db.account_link(&token_hash).await?;
        let link = unexpired(found, |l| l.expires_at)?;
        Ok(Self { token_hash, link })
    }
}
