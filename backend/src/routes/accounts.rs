//! Accounts: admins invite leaders and other admins and hand out one-time
//! links; anyone with such a link sets their password; everyone logged in
//! changes their own password or logs out everywhere.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use shared::Email;
use shared::admin::{
    AccountSummary, ChangePassword, ForgotPassword, InviteAccount, LinkInfo, OneTimeLink,
    SetPassword, UpdateAccount,
};
use shared::api::{ErrorBody, Me};
use shared::people::{check_name, check_password};

use super::session::{removal_cookie, start_session};
use crate::AppState;
use crate::accounts::issue_link;
use crate::auth::{AuthAccount, AuthAdmin, PasswordLink, password};
use crate::db::{AccountListRow, NewAccount, RolesOutcome, new_id};
use crate::error::{ApiError, ApiJson, Fields};
use crate::mail;

fn summary(a: AccountListRow) -> AccountSummary {
    AccountSummary {
        id: a.id,
        name: a.name,
        email: a.email,
        is_admin: a.is_admin != 0,
        is_leader: a.is_leader != 0,
        has_password: a.has_password != 0,
        reset_requested_at: a.reset_requested_at,
        link_expires_at: a.link_expires_at,
        in_directory: a.in_directory != 0,
    }
}

async fn account_summary(
    state: &AppState,
    admin: &AuthAdmin,
    id: &str,
) -> Result<AccountSummary, ApiError> {
    state
        .db
        .account(&admin.org_id, id)
        .await?
        .map(summary)
        .ok_or(ApiError::NotFound)
}

/// The organisation's accounts. Admins only.
#[utoipa::path(get, path = "/admin/accounts", tag = "admin", security(("session" = [])),
    responses((status = 200, body = Vec<AccountSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<Vec<AccountSummary>>, ApiError> {
    let rows = state.db.accounts(&admin.org_id).await?;
    Ok(Json(rows.into_iter().map(summary).collect()))
}

/// Invites a leader or admin: makes the account and returns its one-time
/// link (72 hours) to hand over. Admins only.
#[utoipa::path(post, path = "/admin/accounts", tag = "admin", security(("session" = [])),
    request_body = InviteAccount,
    responses(
        (status = 201, body = OneTimeLink),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is not valid, or the email has an account", body = ErrorBody),
    ))]
pub(super) async fn invite(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<InviteAccount>,
) -> Result<(StatusCode, Json<OneTimeLink>), ApiError> {
    let mut fields = Fields::default();
    let name = fields.check("name", check_name(&req.name));
    let email = fields.check("email", Email::parse(&req.email));
    if !req.is_admin && !req.is_leader {
        fields.add(
            "is_leader",
            "Choose at least one role: leader, admin, or both.",
        );
    }
    fields.finish()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(ApiError::BadRequest("invalid fields".to_owned()));
    };
    let id = new_id();
    let now = crate::now();
    let added = state
        .db
        .add_account(
            &NewAccount {
                id: &id,
                org_id: &admin.org_id,
                name: &name,
                email: email.as_str(),
                password_hash: "",
                is_admin: req.is_admin,
                is_leader: req.is_leader,
            },
            now,
        )
        .await?;
    if !added {
        return Err(ApiError::field(
            "email",
            "Someone already has an account with this email.",
        ));
    }
    let (url, expires_at) =
        issue_link(&state.db, &id, "invite", &state.config.public_url, now).await?;
    tracing::info!(account = %id, by = %admin.account_id, "account invited");
    Ok((
        StatusCode::CREATED,
        Json(OneTimeLink {
            account: account_summary(&state, &admin, &id).await?,
            url,
            expires_at,
        }),
    ))
}

/// Changes an account's roles; the last admin stays an admin. Admins only.
#[utoipa::path(patch, path = "/admin/accounts/{id}", tag = "admin", security(("session" = [])),
    params(("id" = String, Path, description = "Account id")),
    request_body = UpdateAccount,
    responses(
        (status = 200, body = AccountSummary),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "It would leave no admin", body = ErrorBody),
        (status = 422, description = "It would leave the account with no role", body = ErrorBody),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    admin: AuthAdmin,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateAccount>,
) -> Result<Json<AccountSummary>, ApiError> {
    let before = account_summary(&state, &admin, &id).await?;
    let is_admin = req.is_admin.unwrap_or(before.is_admin);
    let is_leader = req.is_leader.unwrap_or(before.is_leader);
    if !is_admin && !is_leader {
        return Err(ApiError::field(
            "is_leader",
            "An account needs at least one role: leader, admin, or both.",
        ));
    }
    match state
        .db
        .set_roles(&admin.org_id, &id, req.is_admin, req.is_leader)
        .await?
    {
        RolesOutcome::Changed => {}
        RolesOutcome::NotFound => return Err(ApiError::NotFound),
        RolesOutcome::LastAdmin => {
            return Err(ApiError::Conflict(
                "This is the last admin: make someone else an admin first.".to_owned(),
            ));
        }
    }
    tracing::info!(account = %id, by = %admin.account_id, is_admin, is_leader, "roles changed");
    Ok(Json(account_summary(&state, &admin, &id).await?))
}

/// A new one-time link for an account, for a lost invitation or a forgotten
/// password; the account's older links stop working. Admins only.
#[utoipa::path(post, path = "/admin/accounts/{id}/link", tag = "admin", security(("session" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 201, body = OneTimeLink),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn new_link(
    State(state): State<AppState>,
    admin: AuthAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<OneTimeLink>), ApiError> {
    let account = account_summary(&state, &admin, &id).await?;
    let purpose = if account.has_password {
        "reset"
    } else {
        "invite"
    };
    let now = crate::now();
    let (url, expires_at) =
        issue_link(&state.db, &id, purpose, &state.config.public_url, now).await?;
    tracing::info!(account = %id, by = %admin.account_id, purpose, "one-time link issued");
    // Whoever holds the link can take over the account: its owner hears of
    // it by email where SMTP is set, and their password works until the link
    // is used.
    if account.has_password
        && let Some(smtp) =
            mail::smtp_for(&state.db, state.config.smtp.as_ref(), &admin.org_id).await?
    {
        let text = format!(
            "Hi {},\n\n{} ({}) made a one-time link to set a new password for your Skipcheck account. If you asked for it, they will send it to you. If you did not, tell them or another admin now: your current password keeps working until the link is used, and using it ends all your sessions.",
            account.name, admin.name, admin.email
        );
        mail::send(
            &state.db,
            &smtp,
            &admin.org_id,
            &mail::Outgoing {
                kind: "password_notice",
                to_name: &account.name,
                to_email: &account.email,
                reply_to: None,
                subject: "A new password link was made for your Skipcheck account",
                text: &text,
                ics: None,
            },
            now,
        )
        .await;
    }
    Ok((
        StatusCode::CREATED,
        Json(OneTimeLink {
            account: account_summary(&state, &admin, &id).await?,
            url,
            expires_at,
        }),
    ))
}

/// Whose password a one-time link sets. The link's holder.
#[utoipa::path(get, path = "/password/link", tag = "session", security(("link" = [])),
    responses(
        (status = 200, body = LinkInfo),
        (status = 404, description = "Unknown or used link", body = ErrorBody),
        (status = 410, description = "Expired link", body = ErrorBody),
    ))]
pub(super) async fn link_info(link: PasswordLink) -> Json<LinkInfo> {
    Json(LinkInfo {
        name: link.link.name,
        email: link.link.email,
        purpose: link.link.purpose,
        expires_at: link.link.expires_at,
    })
}

/// Sets the password through a one-time link, which then stops working;
/// every other session of the account ends, and this browser is logged in.
/// The link's holder.
#[utoipa::path(post, path = "/password/link", tag = "session", security(("link" = [])),
    request_body = SetPassword,
    responses(
        (status = 200, body = Me, description = "Password set; the session cookie is set"),
        (status = 404, description = "Unknown or used link", body = ErrorBody),
        (status = 410, description = "Expired link", body = ErrorBody),
        (status = 422, description = "The password is too short or too long", body = ErrorBody),
    ))]
pub(super) async fn set_password(
    State(state): State<AppState>,
    jar: CookieJar,
    link: PasswordLink,
    ApiJson(req): ApiJson<SetPassword>,
) -> Result<(CookieJar, Json<Me>), ApiError> {
    if let Some(problem) = check_password(&req.password) {
        return Err(ApiError::field("password", problem));
    }
    let hash = password::hash(req.password).await?;
    if !state
        .db
        .use_account_link(&link.token_hash, &link.link.account_id, &hash)
        .await?
    {
        return Err(ApiError::InvalidLink);
    }
    tracing::info!(account = %link.link.account_id, "password set through a one-time link");
    start_session(&state, jar, &link.link.account_id).await
}

/// Tells the admins that someone forgot their password; they answer with a
/// new one-time link. Anyone; the answer is the same whether or not the
/// email has an account.
#[utoipa::path(post, path = "/password/forgot", tag = "session", request_body = ForgotPassword,
    responses((status = 202, description = "Noted (whether or not the email has an account)"),
        (status = 422, description = "Not an email address", body = ErrorBody)))]
pub(super) async fn forgot(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ForgotPassword>,
) -> Result<StatusCode, ApiError> {
    let email = Email::parse(&req.email).map_err(|m| ApiError::field("email", m))?;
    state
        .db
        .request_password_reset(email.as_str(), crate::now())
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Changes one's own password; every other session of the account ends.
/// Anyone logged in.
#[utoipa::path(put, path = "/me/password", tag = "session", security(("session" = [])),
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one too short", body = ErrorBody),
    ))]
pub(super) async fn change_password(
    State(state): State<AppState>,
    account: AuthAccount,
    ApiJson(req): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    let current = state.db.password_hash(&account.account_id).await?;
    if !password::verify(req.current_password, current).await? {
        return Err(ApiError::field(
            "current_password",
            "This is not your current password.",
        ));
    }
    if let Some(problem) = check_password(&req.new_password) {
        return Err(ApiError::field("new_password", problem));
    }
    let hash = password::hash(req.new_password).await?;
    state
        .db
        .change_password(&account.account_id, &hash, &account.session_hash)
        .await?;
    tracing::info!(account = %account.account_id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Logs out everywhere: ends every session of the account, this one too.
/// Anyone logged in.
#[utoipa::path(delete, path = "/me/sessions", tag = "session", security(("session" = [])),
    responses((status = 204, description = "Every session ended"), (status = 401, body = ErrorBody)))]
pub(super) async fn logout_everywhere(
    State(state): State<AppState>,
    account: AuthAccount,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    state.db.delete_sessions_of(&account.account_id).await?;
    tracing::info!(account = %account.account_id, "logged out everywhere");
    Ok((jar.remove(removal_cookie(&state)), StatusCode::NO_CONTENT))
}
