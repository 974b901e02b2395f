//! Organisations, the people directory and templates.

use std::collections::HashMap;

use shared::Template;
use sqlx::FromRow;

use super::{Db, DbResult};
use crate::directory::{ImportRow, Plan, Write};

/// A person to add to the directory.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub team: String,
    pub manager_id: Option<String>,
}

/// A person of the directory.
#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub team: String,
    pub manager_id: Option<String>,
    /// 0 once the person has left the directory (their history stays).
    pub active: i64,
    /// When they first appeared in the directory (0 if before that was kept).
    pub joined_at: i64,
}

/// One person's place in the reporting tree: all a report needs of them.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Line {
    pub id: String,
    pub name: String,
    pub manager_id: Option<String>,
}

/// The fields of one person, as an admin sets them.
#[derive(Debug, Clone)]
pub struct PersonFields<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub title: &'a str,
    pub team: &'a str,
    pub manager_id: Option<&'a str>,
    pub active: bool,
}

/// The walk up from some people, each person once (so a circle ends); how
/// the first are found (`$start`, a `from` and `where` giving `p`) and each
/// one up (`$step`) is the caller's.
macro_rules! lines {
    ($start:literal, $step:literal) => {
        concat!(
            "with recursive up (id, name, manager_id) as (
                 select p.id, p.name, p.manager_id ",
            $start,
            "
                 union
                 select p.id, p.name, p.manager_id ",
            $step,
            ")
             select id, name, manager_id from up"
        )
    };
}

/// [`lines!`] from a round's ($1) planned people on SQLite.
const LINES_SQLITE: &str = lines!(
    "from meetings m join people p on p.id = m.person_id where m.round_id = $1",
    "from up join people p on p.id = up.manager_id"
);

/// [`lines!`] from a round's ($1) planned people on Postgres, which would
/// otherwise join the meetings and each step to the whole directory, read
/// through: a lateral subquery kept apart (`offset 0`) makes each an index
/// lookup per person (the report of a round with 436 meetings in a
/// directory of 10 000: the walk 5.7 ms against 7.4 with the meetings
/// joined, median of eight, prepared).
const LINES_POSTGRES: &str = lines!(
    "from meetings m cross join lateral (select q.id, q.name, q.manager_id from people q where q.id = m.person_id offset 0) p
     where m.round_id = $1",
    "from up cross join lateral (select q.id, q.name, q.manager_id from people q where q.id = up.manager_id offset 0) p"
);

/// [`lines!`] from one person ($1), on either backend: a few rows, each
/// found by its key.
const LINES_ABOVE_PERSON: &str = lines!(
    "from people p where p.id = $1",
    "from up join people p on p.id = up.manager_id"
);

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
        .execute(&self.writer)
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
        let mut tx = self.writer.begin().await?;
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
        self.commit_replanned(tx).await
    }

    /// Adds people; managers must come before the people who report to them.
    pub async fn insert_people(&self, org_id: &str, people: &[NewPerson]) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        for p in people {
            sqlx::query(
                "insert into people (id, org_id, name, email, title, team, manager_id) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&p.id)
            .bind(org_id)
            .bind(&p.name)
            .bind(&p.email)
            .bind(&p.title)
            .bind(&p.team)
            .bind(p.manager_id.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        self.commit_replanned(tx).await
    }

    /// Everyone in an organisation, active or not.
    pub async fn people(&self, org_id: &str) -> DbResult<Vec<PersonRow>> {
        sqlx::query_as(
            "select id, name, email, title, team, manager_id, active, joined_at from people
             where org_id = $1 order by name, email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The reporting lines a round's report needs, in no order: the people
    /// planned in the round and everyone above them (a few hundred rows
    /// where the directory holds ten thousand).
    pub async fn lines_above_planned(&self, round_id: &str) -> DbResult<Vec<Line>> {
        let sql = match self.backend {
            super::Backend::Sqlite => LINES_SQLITE,
            super::Backend::Postgres => LINES_POSTGRES,
        };
        sqlx::query_as(sql)
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A person's reporting line: they and everyone above them, in no order.
    pub async fn lines_above_person(&self, person_id: &str) -> DbResult<Vec<Line>> {
        sqlx::query_as(LINES_ABOVE_PERSON)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Writes a checked import in one transaction: new people, changed
    /// people, every changed reporting line, and those no longer in the file
    /// made inactive. Accounts with the email of a person get their place.
    pub async fn apply_import(
        &self,
        org_id: &str,
        rows: &[ImportRow],
        plan: &Plan,
        joined_at: i64,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        let id_of: HashMap<&str, &str> = rows
            .iter()
            .zip(&plan.writes)
            .map(|(r, w)| (r.email.as_str(), w.id()))
            .collect();
        // People first, reporting lines after: a manager may come later in the file.
        for (row, write) in rows.iter().zip(&plan.writes) {
            let (sql, joined_at) = match write {
                Write::Keep { .. } => continue,
                // joined_at marks a new joiner for rotation.
                Write::Insert { .. } => (
                    "insert into people (id, org_id, name, email, title, team, active, joined_at)
                     values ($1, $2, $3, $4, $5, $6, 1, $7)",
                    Some(joined_at),
                ),
                Write::Update { .. } => (
                    "update people set name = $3, email = $4, title = $5, team = $6, active = 1
                     where id = $1 and org_id = $2",
                    None,
                ),
            };
            let mut query = sqlx::query(sql)
                .bind(write.id())
                .bind(org_id)
                .bind(&row.name)
                .bind(row.email.as_str())
                .bind(&row.title)
                .bind(&row.team);
            if let Some(at) = joined_at {
                query = query.bind(at);
            }
            query.execute(&mut *tx).await?;
        }
        for (row, write) in rows.iter().zip(&plan.writes) {
            if matches!(write, Write::Keep { .. }) {
                continue;
            }
            let manager = row
                .manager
                .as_ref()
                .and_then(|m| id_of.get(m.as_str()).copied());
            sqlx::query("update people set manager_id = $2 where id = $1")
                .bind(write.id())
                .bind(manager)
                .execute(&mut *tx)
                .await?;
        }
        for id in &plan.deactivate {
            sqlx::query("update people set active = 0 where id = $1 and org_id = $2")
                .bind(id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
        }
        link_accounts(&mut tx, org_id).await?;
        self.commit_replanned(tx).await
    }

    /// Adds one person; `Ok(false)` when the email is taken.
    pub async fn insert_person(
        &self,
        org_id: &str,
        id: &str,
        p: &PersonFields<'_>,
    ) -> DbResult<bool> {
        self.write_person(
            "insert into people (id, org_id, name, email, title, team, manager_id, active, joined_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            org_id,
            id,
            p,
            Some(crate::now()),
        )
        .await
    }

    /// Changes one person; `Ok(false)` when the new email is someone else's.
    pub async fn update_person(
        &self,
        org_id: &str,
        id: &str,
        p: &PersonFields<'_>,
    ) -> DbResult<bool> {
        self.write_person(
            "update people set name = $3, email = $4, title = $5, team = $6, manager_id = $7, active = $8
             where id = $1 and org_id = $2",
            org_id,
            id,
            p,
            None,
        )
        .await
    }

    async fn write_person(
        &self,
        sql: &'static str,
        org_id: &str,
        id: &str,
        p: &PersonFields<'_>,
        joined_at: Option<i64>,
    ) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        let mut query = sqlx::query(sql)
            .bind(id)
            .bind(org_id)
            .bind(p.name)
            .bind(p.email)
            .bind(p.title)
            .bind(p.team)
            .bind(p.manager_id)
            .bind(i64::from(p.active));
        if let Some(at) = joined_at {
            query = query.bind(at);
        }
        let written = query.execute(&mut *tx).await;
        match written {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => other?,
        };
        link_accounts(&mut tx, org_id).await?;
        self.commit_replanned(tx).await?;
        Ok(true)
    }

    /// The organisation's name and anonymity threshold.
    pub async fn organisation(&self, org_id: &str) -> DbResult<Option<(String, i64)>> {
        sqlx::query_as("select name, k_threshold from organisations where id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Every organisation: (id, name), oldest first.
    pub async fn organisations(&self) -> DbResult<Vec<(String, String)>> {
        sqlx::query_as("select id, name from organisations order by created_at, name")
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
        self.insert_owned_template(id, org_id, key, None, template, now)
            .await
    }

    /// [`Db::insert_template`] for a leader's own template (`owner`), or a
    /// built-in one (`None`).
    pub async fn insert_owned_template(
        &self,
        id: &str,
        org_id: &str,
        key: &str,
        owner: Option<&str>,
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
            "insert into templates (id, org_id, template_key, version, name, body, created_at, owner_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(org_id)
        .bind(key)
        .bind(template.version)
        .bind(&template.name)
        .bind(body)
        .bind(now)
        .bind(owner)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }
}

/// Reads a template stored as JSON.
pub(super) fn parse_template(body: &str) -> DbResult<Template> {
    serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Gives accounts the place in the directory that has their email, or none
/// when that person left (an account outlives its directory entry).
async fn link_accounts(tx: &mut sqlx::Transaction<'_, sqlx::Any>, org_id: &str) -> DbResult<()> {
    sqlx::query(
        "update accounts set person_id = (
             select p.id from people p
             where p.org_id = accounts.org_id and p.email = accounts.email and p.active = 1)
         where org_id = $1",
    )
    .bind(org_id)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
