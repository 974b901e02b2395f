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
    pub person_id: Option<String>,
    pub email: String,
    pub name: String,
    pub is_admin: i64,
    pub is_leader: i64,
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone, FromRow)]
pub struct AccountListRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_admin: i64,
    pub is_leader: i64,
    pub has_password: i64,
    pub reset_requested_at: Option<i64>,
    pub link_expires_at: Option<i64>,
    pub in_directory: i64,
}

/// The account a one-time link belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct AccountLinkRow {
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub purpose: String,
    pub expires_at: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    /// `""` for an invited account that has no password yet.
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub is_leader: bool,
}

/// Why roles were not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolesOutcome {
    Changed,
    NotFound,
    /// It would leave the organisation without an admin.
    LastAdmin,
}

const ACCOUNT_LIST_SELECT: &str = "select a.id, coalesce(p.name, nullif(a.name, ''), a.email) as name, a.email,
        a.is_admin, a.is_leader,
        case when a.password_hash = '' then 0 else 1 end as has_password,
        a.reset_requested_at,
        (select max(l.expires_at) from account_links l where l.account_id = a.id) as link_expires_at,
        case when a.person_id is null then 0 else 1 end as in_directory
     from accounts a left join people p on p.id = a.person_id";

impl Db {
    /// Whether any account exists: the first one is made by the setup page.
    pub async fn has_accounts(&self) -> DbResult<bool> {
        let n: i64 = sqlx::query_scalar("select count(*) from accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// First run: the organisation and its first admin, once. Returns false
    /// (and writes nothing) when an account or an earlier setup exists.
    pub async fn first_run(
        &self,
        org_id: &str,
        org_name: &str,
        k: u32,
        account: &NewAccount<'_>,
        now: i64,
    ) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        // The single row is the lock: a racing second setup fails here.
        let claimed = sqlx::query("insert into first_run (id, done_at) values (1, $1)")
            .bind(now)
            .execute(&mut *tx)
            .await;
        match claimed {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => {
                other?;
            }
        }
        let existing: i64 = sqlx::query_scalar("select count(*) from accounts")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Ok(false);
        }
        sqlx::query(
            "insert into organisations (id, name, k_threshold, created_at) values ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(org_name)
        .bind(i64::from(k))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_account(&mut tx, account, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds an account; `Ok(false)` when the email is taken.
    pub async fn add_account(&self, account: &NewAccount<'_>, now: i64) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        match insert_account(&mut tx, account, now).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => other?,
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The accounts of an organisation, by name.
    pub async fn accounts(&self, org_id: &str) -> DbResult<Vec<AccountListRow>> {
        let sql = format!("{ACCOUNT_LIST_SELECT} where a.org_id = $1 order by 2, a.email");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(&self.pool)
            .await
    }

    /// One account of an organisation.
    pub async fn account(&self, org_id: &str, id: &str) -> DbResult<Option<AccountListRow>> {
        let sql = format!("{ACCOUNT_LIST_SELECT} where a.org_id = $1 and a.id = $2");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Changes roles, refusing to leave the organisation without an admin.
    pub async fn set_roles(
        &self,
        org_id: &str,
        id: &str,
        is_admin: Option<bool>,
        is_leader: Option<bool>,
    ) -> DbResult<RolesOutcome> {
        let mut tx = self.writer.begin().await?;
        // Two admins demoting each other at once: the organisation's row is
        // the lock, so the second sees the first's change and is refused.
        sqlx::query("update organisations set k_threshold = k_threshold where id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        let found = sqlx::query(
            "update accounts set is_admin = coalesce($3, is_admin), is_leader = coalesce($4, is_leader)
             where org_id = $1 and id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(is_admin.map(i64::from))
        .bind(is_leader.map(i64::from))
        .execute(&mut *tx)
        .await?;
        if found.rows_affected() == 0 {
            return Ok(RolesOutcome::NotFound);
        }
        let admins: i64 =
            sqlx::query_scalar("select count(*) from accounts where org_id = $1 and is_admin = 1")
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await?;
        if admins == 0 {
            // Dropping the transaction rolls the change back.
            return Ok(RolesOutcome::LastAdmin);
        }
        tx.commit().await?;
        Ok(RolesOutcome::Changed)
    }

    /// Makes a new one-time link for an account; older ones stop working.
    pub async fn replace_account_link(
        &self,
        account_id: &str,
        token_hash: &str,
        purpose: &str,
        expires_at: i64,
        now: i64,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("delete from account_links where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into account_links (token_hash, account_id, purpose, expires_at, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(purpose)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The request is answered.
        sqlx::query("update accounts set reset_requested_at = null where id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// The account a one-time link is for, expired or not.
    pub async fn account_link(&self, token_hash: &str) -> DbResult<Option<AccountLinkRow>> {
        sqlx::query_as(
            "select l.account_id, coalesce(p.name, nullif(a.name, ''), a.email) as name, a.email,
                    l.purpose, l.expires_at
             from account_links l
             join accounts a on a.id = l.account_id
             left join people p on p.id = a.person_id
             where l.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Uses a one-time link: sets the password, removes the account's links
    /// and ends its sessions. False if the link was used meanwhile.
    pub async fn use_account_link(
        &self,
        token_hash: &str,
        account_id: &str,
        password_hash: &str,
    ) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        let used =
            sqlx::query("delete from account_links where token_hash = $1 and account_id = $2")
                .bind(token_hash)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        if used.rows_affected() == 0 {
            return Ok(false);
        }
        for sql in [
            "delete from account_links where account_id = $1",
            "delete from sessions where account_id = $1",
            "update accounts set reset_requested_at = null where id = $1",
        ] {
            sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
        }
        sqlx::query("update accounts set password_hash = $2 where id = $1")
            .bind(account_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An account's password hash.
    pub async fn password_hash(&self, account_id: &str) -> DbResult<Option<String>> {
        sqlx::query_scalar("select password_hash from accounts where id = $1")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Sets a new password and ends every session of the account but `keep`.
    pub async fn change_password(
        &self,
        account_id: &str,
        password_hash: &str,
        keep: &str,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("update accounts set password_hash = $2 where id = $1")
            .bind(account_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from sessions where account_id = $1 and token_hash <> $2")
            .bind(account_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Ends every session of an account.
    pub async fn delete_sessions_of(&self, account_id: &str) -> DbResult<()> {
        sqlx::query("delete from sessions where account_id = $1")
            .bind(account_id)
            .execute(&self.writer)
            .await
            .map(|_| ())
    }

    /// Notes that the person with this email asked for a new password. Says
    /// nothing about whether the email exists.
    pub async fn request_password_reset(&self, email: &str, now: i64) -> DbResult<()> {
        sqlx::query("update accounts set reset_requested_at = $2 where email = $1")
            .bind(email)
            .bind(now)
            .execute(&self.writer)
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
            .execute(&self.writer)
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
            "select a.id, a.org_id, a.person_id, a.email,
                    coalesce(p.name, nullif(a.name, ''), a.email) as name, a.is_admin, a.is_leader
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
            .execute(&self.writer)
            .await
            .map(|_| ())
    }
}

async fn insert_account(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    a: &NewAccount<'_>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "insert into accounts (id, org_id, person_id, email, name, password_hash, is_admin, is_leader, created_at)
         values ($1, $2, (select id from people where org_id = $2 and email = $3), $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.id)
    .bind(a.org_id)
    .bind(a.email)
    .bind(a.name)
    .bind(a.password_hash)
    .bind(i64::from(a.is_admin))
    .bind(i64::from(a.is_leader))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
