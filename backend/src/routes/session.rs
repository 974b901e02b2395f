//! Logging in and out.

use std::net::SocketAddr;

use axum::Extension;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use shared::api::{ErrorBody, LoginRequest, Me};

use crate::AppState;
use crate::auth::token::{hash_token, new_token};
use crate::auth::{AuthAccount, SESSION_COOKIE, limits, password};
use crate::error::{ApiError, ApiJson};

/// How long a session lasts.
const SESSION_SECONDS: i64 = 12 * 3600;
fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// The cookies that say this browser logged in to an account before, one
/// per account: an id of its own and the account's email (its key,
/// [`limits::email_key`]), signed
/// with the server's key (the signature covers the value, so the email is
/// in it, and in the name only to tell accounts apart). Attempts at that
/// account that bring it spend a budget of their own, which guesses from
/// the same address cannot spend ([`limits`]). Sent only to the login
/// route.
const DEVICE_COOKIE: &str = "skipcheck_device_";
/// How long a browser is known after its last login.
const DEVICE_DAYS: i64 = 180;

/// The name of the device cookie for the email whose key is `key`.
fn device_name(key: &str) -> String {
    format!("{DEVICE_COOKIE}{}", key.get(..16).unwrap_or(key))
}

/// The device cookie `id` for the email whose key is `key`.
fn device_cookie(id: &str, key: &str, secure: bool) -> Cookie<'static> {
    Cookie::build((device_name(key), format!("{id}:{key}")))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/api/session")
        .max_age(time::Duration::days(DEVICE_DAYS))
        .build()
}

/// The id of this browser's device cookie for the email whose key is
/// `key`, if `signed` holds one signed here.
fn device_id(signed: &SignedCookieJar, key: &str) -> Option<String> {
    let cookie = signed.get(&device_name(key))?;
    let (id, of) = cookie.value().split_once(':')?;
    (of == key).then(|| id.to_owned())
}

/// Logs in with email and password; sets the session cookie, and the
/// browser's device cookie for the account. Anyone may call it.
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, body = Me, description = "Logged in; the session cookie is set, and a device cookie that lets this browser's later attempts at the account spend a budget of their own"),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many attempts from this client (for this email, or at all) or from this browser with its device cookie; `Retry-After` says when to try again", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
pub(super) async fn login(
    State(state): State<AppState>,
    // The connection's address (absent where no socket is, as in tests).
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    jar: CookieJar,
    signed: SignedCookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(CookieJar, SignedCookieJar, Json<Me>), ApiError> {
    let email = req.email.trim();
    let client = limits::client_address(
        &headers,
        state.config.client_ip_header.as_ref(),
        peer.map(|Extension(ConnectInfo(addr))| addr.ip()),
    );
    let key = limits::email_key(&state.cookie_key, email);
    let device = device_id(&signed, &key);
    state
        .login_limits
        .attempt(limits::Attempt {
            account: &key,
            client,
            device: device.as_deref(),
        })
        .map_err(ApiError::TooManyAttempts)?;
    // Longer than any account's email or password can be: no account's.
    if email.chars().count() > shared::people::EMAIL_MAX
        || req.password.chars().count() > shared::people::PASSWORD_MAX
    {
        return Err(ApiError::InvalidCredentials);
    }
    let account = state.db.account_by_email(email).await?;
    let ok = password::verify(
        req.password,
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await?;
    let Some(account) = account.filter(|_| ok) else {
        return Err(ApiError::InvalidCredentials);
    };
    tracing::info!(account = %account.id, "logged in");
    let (jar, me) = start_session(&state, jar, &account.id).await?;
    let id = device.unwrap_or_else(new_token);
    let signed = signed.add(device_cookie(&id, &key, state.config.https()));
    Ok((jar, signed, me))
}

/// Starts a session for an account: the cookie, and who is now logged in.
pub(super) async fn start_session(
    state: &AppState,
    jar: CookieJar,
    account_id: &str,
) -> Result<(CookieJar, Json<Me>), ApiError> {
    let token = new_token();
    let now = crate::now();
    state
        .db
        .insert_session(&hash_token(&token), account_id, now + SESSION_SECONDS)
        .await?;
    let me = state
        .db
        .session_account(&hash_token(&token), now)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    Ok((
        jar.add(session_cookie(token, state.config.https())),
        Json(Me {
            name: me.name,
            email: me.email,
            is_admin: me.is_admin != 0,
            is_leader: me.is_leader != 0,
        }),
    ))
}

/// The cookie that ends a session in the browser.
pub(super) fn removal_cookie(state: &AppState) -> Cookie<'static> {
    session_cookie(String::new(), state.config.https())
}

/// Logs out: ends the session and clears the cookie. Anyone may call it
/// (without a session it only clears the cookie).
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204, description = "Logged out")))]
pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state
            .db
            .delete_session(&hash_token(c.value()), crate::now())
            .await?;
    }
    Ok((jar.remove(removal_cookie(&state)), StatusCode::NO_CONTENT))
}

/// The logged-in account. Anyone logged in.
#[utoipa::path(get, path = "/me", tag = "session", security(("session" = [])),
    responses((status = 200, body = Me), (status = 401, description = "Not logged in", body = ErrorBody)))]
pub(super) async fn me(account: AuthAccount) -> Json<Me> {
    Json(Me {
        name: account.name,
        email: account.email,
        is_admin: account.is_admin,
        is_leader: account.is_leader,
    })
}
