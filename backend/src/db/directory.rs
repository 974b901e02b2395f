//! Organisations, the people directory and templates.

use shared::Template;
use sqlx::FromRow;

use super::{Db, DbResult};

/// A person to add to the directory.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub manager_id: Option<String>,
}

/// A person of the directory.
#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub manager_id: Option<String>,
}

impl Db {
    /// Creates an organisation.
    pub async fn insert_organisation(
        &self,
        id: &str,
        name: &str,
        k: u32,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into organisations (id, name, k_threshold, created_at) values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(i64::from(k))
        .bind(now)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The id of the organisation with this name, if any.
    pub async fn organisation_by_name(&self, name: &str) -> DbResult<Option<String>> {
        sqlx::query_scalar("select id from organisations where name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    /// Deletes an organisation and everything in it.
    pub async fn delete_organisation(&self, id: &str) -> DbResult<()> {
        // Children first: SQLite enforces foreign keys row by row, and people point at people.
        let mut tx = self.pool.begin().await?;
        for sql in [
            "delete from rounds where org_id = $1",
            "delete from templates where org_id = $1",
            "delete from accounts where org_id = $1",
            "update people set manager_id = null where org_id = $1",
            "delete from people where org_id = $1",
            "delete from organisations where id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Adds people; managers must come before the people who report to them.
    pub async fn insert_people(&self, org_id: &str, people: &[NewPerson]) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        for p in people {
            sqlx::query(
                "insert into people (id, org_id, name, email, title, manager_id) values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&p.id)
            .bind(org_id)
            .bind(&p.name)
            .bind(&p.email)
            .bind(&p.title)
            .bind(p.manager_id.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Everyone in an organisation.
    pub async fn people(&self, org_id: &str) -> DbResult<Vec<PersonRow>> {
        sqlx::query_as(
            "select id, name, email, title, manager_id from people where org_id = $1 order by name",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Stores a template version, if it keeps the template rules
    /// (`shared::validate::check_template`): the counts of anonymous answers
    /// rely on them, so nothing else may reach the table.
    pub async fn insert_template(
        &self,
        id: &str,
        org_id: &str,
        key: &str,
        template: &Template,
        now: i64,
    ) -> DbResult<()> {
        let problems = shared::validate::check_template(template);
        if let Some(first) = problems.first() {
            let why = format!(
                "template {key:?} breaks {} rule(s), first at question {:?}: {}",
                problems.len(),
                first.field,
                first.message
            );
            return Err(sqlx::Error::Encode(why.into()));
        }
        let body = serde_json::to_string(template).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "insert into templates (id, org_id, template_key, version, name, body, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(org_id)
        .bind(key)
        .bind(template.version)
        .bind(&template.name)
        .bind(body)
        .bind(now)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }
}

/// Reads a template stored as JSON.
pub(super) fn parse_template(body: &str) -> DbResult<Template> {
    serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
