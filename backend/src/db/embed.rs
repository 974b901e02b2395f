//! The embedding settings: allowed origins, theme, signing secrets.

use super::{Db, DbResult};

impl Db {
    /// An organisation's allowed origins (one per line) and theme (json).
    pub async fn embed_settings(&self, org_id: &str) -> DbResult<Option<(String, String)>> {
        sqlx::query_as("select origins, theme from embed_settings where org_id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn save_embed_settings(
        &self,
        org_id: &str,
        origins: &str,
        theme: &str,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into embed_settings (org_id, origins, theme, updated_at) values ($1, $2, $3, $4)
             on conflict (org_id) do update set origins = excluded.origins, theme = excluded.theme,
                 updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(origins)
        .bind(theme)
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Whether any organisation lets `origin` embed the widget.
    pub async fn embed_origin_allowed(&self, origin: &str) -> DbResult<bool> {
        let rows: Vec<(String,)> = sqlx::query_as("select origins from embed_settings")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().any(|(list,)| list.lines().any(|o| o == origin)))
    }

    /// An organisation's secrets: (id, secret, created_at), newest first.
    pub async fn embed_secrets(&self, org_id: &str) -> DbResult<Vec<(String, String, i64)>> {
        sqlx::query_as(
            "select id, secret, created_at from embed_secrets where org_id = $1
             order by created_at desc, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Adds a secret unless `max` are active already; returns whether it did.
    pub async fn add_embed_secret(
        &self,
        org_id: &str,
        id: &str,
        secret: &str,
        max: usize,
        now: i64,
    ) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        let count: i64 = sqlx::query_scalar("select count(*) from embed_secrets where org_id = $1")
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= max {
            return Ok(false);
        }
        sqlx::query(
            "insert into embed_secrets (id, org_id, secret, created_at) values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(org_id)
        .bind(secret)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await.map(|()| true)
    }

    /// Removes a secret; returns whether there was one.
    pub async fn delete_embed_secret(&self, org_id: &str, id: &str) -> DbResult<bool> {
        sqlx::query("delete from embed_secrets where org_id = $1 and id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&self.writer)
            .await
            .map(|r| r.rows_affected() > 0)
    }

    /// The active person with this email in the organisation.
    pub async fn active_person_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> DbResult<Option<String>> {
        sqlx::query_scalar("select id from people where org_id = $1 and email = $2 and active = 1")
            .bind(org_id)
            .bind(email)
            .fetch_optional(&self.pool)
            .await
    }

    /// The person's next meeting that has not started: (meeting id, round id).
    pub async fn next_open_meeting(
        &self,
        person_id: &str,
        now: i64,
    ) -> DbResult<Option<(String, String)>> {
        sqlx::query_as(
            "select id, round_id from meetings where person_id = $1 and scheduled_at > $2
             order by scheduled_at, id limit 1",
        )
        .bind(person_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// A personal link to a meeting for the embedded widget, clearing the
    /// widget's links to it that have run out (emailed links stay, so they
    /// can still say they have expired).
    pub async fn insert_embed_link(
        &self,
        meeting_id: &str,
        round_id: &str,
        person_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "delete from links where meeting_id = $1 and embedded = 1 and expires_at <= $2",
        )
        .bind(meeting_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        super::series::insert_invite(
            &mut tx, meeting_id, round_id, person_id, token_hash, expires_at,
        )
        .await?;
        sqlx::query("update links set embedded = 1 where token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
