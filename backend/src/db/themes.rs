//! The broad themes a leader shares with the round's managers.

use super::{Db, DbResult};

impl Db {
    /// A round's draft themes, in order.
    pub async fn themes(&self, round_id: &str) -> DbResult<Vec<String>> {
        sqlx::query_scalar("select body from round_themes where round_id = $1 order by position")
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Replaces a round's draft themes.
    pub async fn save_themes(&self, round_id: &str, themes: &[String]) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("delete from round_themes where round_id = $1")
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        for (i, body) in themes.iter().enumerate() {
            sqlx::query("insert into round_themes (round_id, position, body) values ($1, $2, $3)")
                .bind(round_id)
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .bind(body.trim())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Records the themes as sent to one manager (a copy, JSON).
    pub async fn share_themes(
        &self,
        round_id: &str,
        manager_id: &str,
        themes_json: &str,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into theme_shares (id, round_id, manager_id, themes, sent_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(super::new_id())
        .bind(round_id)
        .bind(manager_id)
        .bind(themes_json)
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// What was sent to one manager for a round: (sent at, themes JSON), newest first.
    pub async fn shared_themes(
        &self,
        round_id: &str,
        manager_id: &str,
    ) -> DbResult<Vec<(i64, String)>> {
        sqlx::query_as(
            "select sent_at, themes from theme_shares where round_id = $1 and manager_id = $2
             order by sent_at desc, id",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_all(&self.pool)
        .await
    }

    /// When each manager of a round last received the themes.
    pub async fn last_shared(&self, round_id: &str) -> DbResult<Vec<(String, i64)>> {
        sqlx::query_as(
            "select manager_id, max(sent_at) from theme_shares where round_id = $1 group by manager_id",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
    }

    /// A manager's name and email, if they are a person of the round's organisation.
    pub async fn manager_contact(
        &self,
        round_id: &str,
        manager_id: &str,
    ) -> DbResult<Option<(String, String)>> {
        sqlx::query_as(
            "select p.name, p.email from people p join rounds r on r.org_id = p.org_id
             where r.id = $1 and p.id = $2",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_optional(&self.pool)
        .await
    }
}
