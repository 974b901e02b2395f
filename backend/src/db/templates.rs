//! Templates as a leader sees them: the built-in ones and their own copies,
//! newest version of each.

use shared::Template;
use sqlx::FromRow;

use super::directory::parse_template;
use super::{Db, DbResult};

/// The newest version of one template.
#[derive(Debug, Clone, FromRow)]
pub struct TemplateRow {
    pub template_key: String,
    pub version: i64,
    pub name: String,
    pub body: String,
    pub owner_id: Option<String>,
}

impl TemplateRow {
    pub fn template(&self) -> DbResult<Template> {
        parse_template(&self.body)
    }
}

const NEWEST: &str = "select t.template_key, t.version, t.name, t.body, t.owner_id from templates t
     where t.org_id = $1 and (t.owner_id is null or t.owner_id = $2)
       and t.version = (select max(u.version) from templates u
                        where u.org_id = t.org_id and u.template_key = t.template_key)";

impl Db {
    /// The built-in templates and the leader's own, newest versions, built-in first.
    pub async fn templates_of(&self, org_id: &str, leader_id: &str) -> DbResult<Vec<TemplateRow>> {
        let sql = format!("{NEWEST} order by t.owner_id is not null, t.name, t.template_key");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(leader_id)
            .fetch_all(&self.pool)
            .await
    }

    /// One template the leader may use, newest version.
    pub async fn template_for(
        &self,
        org_id: &str,
        leader_id: &str,
        key: &str,
    ) -> DbResult<Option<TemplateRow>> {
        let sql = format!("{NEWEST} and t.template_key = $3");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(leader_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }
}
