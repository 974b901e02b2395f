//! SMTP settings and the record of every email sent.

use sqlx::FromRow;

use super::{Db, DbResult};

/// An organisation's SMTP settings, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SmtpRow {
    pub host: String,
    pub port: i64,
    pub username: String,
    pub password: String,
    pub from_address: String,
    pub tls: String,
}

/// One recorded email.
#[derive(Debug, Clone, FromRow)]
pub struct MailLogRow {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub sent_at: i64,
    pub outcome: String,
}

impl Db {
    /// An organisation's SMTP settings, if set.
    pub async fn smtp_settings(&self, org_id: &str) -> DbResult<Option<SmtpRow>> {
        sqlx::query_as(
            "select host, port, username, password, from_address, tls from smtp_settings where org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Stores an organisation's SMTP settings.
    pub async fn save_smtp_settings(&self, org_id: &str, s: &SmtpRow, now: i64) -> DbResult<()> {
        sqlx::query(
            "insert into smtp_settings (org_id, host, port, username, password, from_address, tls, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (org_id) do update set host = excluded.host, port = excluded.port,
                 username = excluded.username, password = excluded.password,
                 from_address = excluded.from_address, tls = excluded.tls, updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(&s.host)
        .bind(s.port)
        .bind(&s.username)
        .bind(&s.password)
        .bind(&s.from_address)
        .bind(&s.tls)
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Forgets an organisation's SMTP settings.
    pub async fn delete_smtp_settings(&self, org_id: &str) -> DbResult<()> {
        sqlx::query("delete from smtp_settings where org_id = $1")
            .bind(org_id)
            .execute(&self.writer)
            .await
            .map(|_| ())
    }

    /// Records an email and what became of it.
    #[allow(clippy::too_many_arguments)]
    pub async fn log_mail(
        &self,
        id: &str,
        org_id: &str,
        kind: &str,
        recipient: &str,
        subject: &str,
        now: i64,
        outcome: &str,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into mail_log (id, org_id, kind, recipient, subject, sent_at, outcome)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(org_id)
        .bind(kind)
        .bind(recipient)
        .bind(subject)
        .bind(now)
        .bind(outcome)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// The newest emails of an organisation.
    pub async fn mail_log(&self, org_id: &str, limit: i64) -> DbResult<Vec<MailLogRow>> {
        sqlx::query_as(
            "select kind, recipient, subject, sent_at, outcome from mail_log where org_id = $1
             order by sent_at desc, id limit $2",
        )
        .bind(org_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Sets the organisation's name and the k of its new rounds.
    pub async fn update_organisation(&self, org_id: &str, name: &str, k: u32) -> DbResult<()> {
        sqlx::query("update organisations set name = $2, k_threshold = $3 where id = $1")
            .bind(org_id)
            .bind(name)
            .bind(i64::from(k))
            .execute(&self.writer)
            .await
            .map(|_| ())
    }
}
