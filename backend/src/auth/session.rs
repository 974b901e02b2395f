//! Account sessions: an opaque token in an HttpOnly cookie, stored hashed.
//! [`AuthAccount`] is anyone logged in; [`AuthLeader`] and [`AuthAdmin`]
//! also need that role, and refuse with 403 otherwise.

use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::token::hash_token;
use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "skipcheck_session";

/// A logged-in account, whatever its roles.
#[derive(Debug, Clone)]
pub struct AuthAccount {
    pub account_id: String,
    pub org_id: String,
    /// The account's place in the directory, if its email is there.
    pub person_id: Option<String>,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_leader: bool,
    /// The hash of this session's token.
    pub session_hash: String,
}

impl<S> FromRequestParts<S> for AuthAccount
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let session_hash = hash_token(token.value());
        let account = state
            .db
            .session_account(&session_hash, crate::now())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(Self {
            account_id: account.id,
            org_id: account.org_id,
            person_id: account.person_id,
            name: account.name,
            email: account.email,
            is_admin: account.is_admin != 0,
            is_leader: account.is_leader != 0,
            session_hash,
        })
    }
}

/// A logged-in account that leads rounds: it reads only its own.
#[derive(Debug, Clone)]
pub struct AuthLeader(pub AuthAccount);

/// A logged-in admin: manages people, accounts and settings, and never
/// reads an answer.
#[derive(Debug, Clone)]
pub struct AuthAdmin(pub AuthAccount);

impl Deref for AuthLeader {
    type Target = AuthAccount;
    fn deref(&self) -> &AuthAccount {
        &self.0
    }
}

impl Deref for AuthAdmin {
    type Target = AuthAccount;
    fn deref(&self) -> &AuthAccount {
        &self.0
    }
}

impl<S> FromRequestParts<S> for AuthLeader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let account = AuthAccount::from_request_parts(parts, state).await?;
        if account.is_leader {
            Ok(Self(account))
        } else {
            Err(ApiError::Forbidden(
                "Only leaders read rounds and briefings. An admin can make your account a leader's.",
            ))
        }
    }
}

impl<S> FromRequestParts<S> for AuthAdmin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let account = AuthAccount::from_request_parts(parts, state).await?;
        if account.is_admin {
            Ok(Self(account))
        } else {
            Err(ApiError::Forbidden(
                "Only admins manage people and accounts.",
            ))
        }
    }
}
