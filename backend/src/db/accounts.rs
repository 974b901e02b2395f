//! Accounts and their sessions.

use sqlx::FromRow;

use super::{Db, DbResult};

/// An account as the login needs it.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub password_hash: String,
}

/// The account behind a live session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionAccount {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub name: String,
    pub is_admin: i64,
    pub is_leader: i64,
}

impl Db {
    /// Creates an account.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_account(
        &self,
        id: &str,
        org_id: &str,
        person_id: Option<&str>,
        email: &str,
        password_hash: &str,
        is_admin: bool,
        is_leader: bool,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into accounts (id, org_id, person_id, email, password_hash, is_admin, is_leader, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(org_id)
        .bind(person_id)
        .bind(email)
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(i64::from(is_leader))
        .bind(now)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The account with this email (compared case-insensitively).
    pub async fn account_by_email(&self, email: &str) -> DbResult<Option<AccountRow>> {
        sqlx::query_as(
            "select id, org_id, email, password_hash from accounts where lower(email) = lower($1)",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await
    }

    /// Stores a new session.
    pub async fn insert_session(
        &self,
        token_hash: &str,
        account_id: &str,
        expires_at: i64,
    ) -> DbResult<()> {
        sqlx::query("insert into sessions (token_hash, account_id, expires_at) values ($1, $2, $3)")
            .bind(token_hash)
            .bind(account_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The account of a session that has not expired.
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> DbResult<Option<SessionAccount>> {
        sqlx::query_as(
            "select a.id, a.org_id, a.email, coalesce(p.name, a.email) as name, a.is_admin, a.is_leader
             from sessions s
             join accounts a on a.id = s.account_id
             left join people p on p.id = a.person_id
             where s.token_hash = $1 and s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Ends a session, and sweeps expired ones while at it.
    pub async fn delete_session(&self, token_hash: &str, now: i64) -> DbResult<()> {
        sqlx::query("delete from sessions where token_hash = $1 or expires_at <= $2")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// How many logins for this email failed since `since`.
    pub async fn login_failures(&self, email: &str, since: i64) -> DbResult<i64> {
        sqlx::query_scalar(
            "select count(*) from login_failures where email = lower($1) and at > $2",
        )
        .bind(email)
        .bind(since)
        .fetch_one(&self.pool)
        .await
    }

    /// Notes a failed login, and forgets failures older than `forget_before`.
    pub async fn note_login_failure(
        &self,
        email: &str,
        now: i64,
        forget_before: i64,
    ) -> DbResult<()> {
        sqlx::query("delete from login_failures where at <= $1")
            .bind(forget_before)
            .execute(&self.pool)
            .await?;
        sqlx::query("insert into login_failures (email, at) values (lower($1), $2)")
            .bind(email)
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Forgets the failures of an email after a successful login.
    pub async fn clear_login_failures(&self, email: &str) -> DbResult<()> {
        sqlx::query("delete from login_failures where email = lower($1)")
            .bind(email)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
