//! Accounts as the setup page, the admin pages and the shell make them: the
//! first admin, invitations and one-time links to set a password.

use shared::people::{check_name, check_password};
use shared::{AnonymityThreshold, Email};

use crate::auth::token::{hash_token, new_token};
use crate::db::{Db, NewAccount, new_id};
use crate::error::{ApiError, Fields};

/// How long a one-time link to set a password works.
pub const LINK_SECONDS: i64 = 72 * 3600;

/// The page a one-time link opens; the token stays in the fragment, so it
/// never reaches a request line or a log.
pub fn password_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/admin/set-password#t={token}")
}

/// Makes a new one-time link for an account (older ones stop working) and
/// returns it with its expiry.
pub async fn issue_link(
    db: &Db,
    account_id: &str,
    purpose: &str,
    public_url: &str,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = new_token();
    let expires_at = now + LINK_SECONDS;
    db.replace_account_link(account_id, &hash_token(&token), purpose, expires_at, now)
        .await?;
    Ok((password_url(public_url, &token), expires_at))
}

/// The first admin, checked field by field.
#[derive(Debug)]
pub struct FirstAdmin {
    pub organisation: String,
    pub name: String,
    pub email: Email,
    pub password: String,
    pub is_leader: bool,
}

impl FirstAdmin {
    /// Checks every field, reporting all problems at once.
    pub fn parse(
        organisation: &str,
        name: &str,
        email: &str,
        password: String,
        is_leader: bool,
    ) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        let organisation = fields.check("organisation", check_name(organisation));
        let name = fields.check("name", check_name(name));
        let email = fields.check("email", Email::parse(email));
        if let Some(problem) = check_password(&password) {
            fields.add("password", problem);
        }
        fields.finish()?;
        match (organisation, name, email) {
            (Some(organisation), Some(name), Some(email)) => Ok(Self {
                organisation,
                name,
                email,
                password,
                is_leader,
            }),
            _ => Err(ApiError::BadRequest("invalid fields".to_owned())),
        }
    }
}

impl FirstAdmin {
    /// The account row, with the password's hash.
    fn account<'a>(&'a self, id: &'a str, org_id: &'a str, hash: &'a str) -> NewAccount<'a> {
        NewAccount {
            id,
            org_id,
            name: &self.name,
            email: self.email.as_str(),
            password_hash: hash,
            is_admin: true,
            is_leader: self.is_leader,
        }
    }
}

/// Adds an admin to an organisation (`skipcheck admin create` on a server
/// that has one); `Ok(false)` when the email has an account.
pub async fn add_admin(
    db: &Db,
    org_id: &str,
    admin: &FirstAdmin,
    now: i64,
) -> anyhow::Result<bool> {
    let hash = crate::auth::password::hash(admin.password.clone()).await?;
    Ok(db
        .add_account(&admin.account(&new_id(), org_id, &hash), now)
        .await?)
}

/// What creating the first admin did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstRun {
    /// The organisation and admin exist; here is the account id.
    Created(String),
    /// Someone was first: setup is closed.
    AlreadyDone,
}

/// First run: creates the organisation and its first admin, once.
pub async fn first_run(db: &Db, admin: FirstAdmin, now: i64) -> anyhow::Result<FirstRun> {
    let hash = crate::auth::password::hash(admin.password.clone()).await?;
    let org_id = new_id();
    let account_id = new_id();
    let created = db
        .first_run(
            &org_id,
            &admin.organisation,
            AnonymityThreshold::default().get(),
            &admin.account(&account_id, &org_id, &hash),
            now,
        )
        .await?;
    Ok(if created {
        FirstRun::Created(account_id)
    } else {
        FirstRun::AlreadyDone
    })
}
