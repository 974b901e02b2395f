//! Leader sessions: an opaque token in an HttpOnly cookie, stored hashed.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::token::hash_token;
use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "skipcheck_session";

/// A logged-in account that leads rounds.
#[derive(Debug, Clone)]
pub struct AuthLeader {
    pub account_id: String,
    pub org_id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_leader: bool,
}

impl<S> FromRequestParts<S> for AuthLeader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let account = state
            .db
            .session_account(&hash_token(token.value()), crate::now())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(Self {
            account_id: account.id,
            org_id: account.org_id,
            name: account.name,
            email: account.email,
            is_admin: account.is_admin != 0,
            is_leader: account.is_leader != 0,
        })
    }
}
