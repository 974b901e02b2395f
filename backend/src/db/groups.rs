//! The groups of a round's breakdown and their counts.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sqlx::AnyPool;

use crate::breakdown::{self, Ancestor, GroupRow, NewGroup, Tally};

use super::{Db, DbResult, Tx};

/// Everyone above a person, nearest first, with how many of the round's
/// meetings are on their line ([`line!`]): what places a ballot.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    ancestors: Vec<Ancestor>,
    /// Meetings under the leader's direct report on the line, and of those
    /// under that one's report on it.
    planned: (i64, i64),
}

impl Line {
    /// Adds the next one up, as a row of [`line!`] gives it.
    pub(super) fn push(&mut self, id: String, name: String, direct: i64, further: i64) {
        self.planned = (direct, further);
        self.ancestors.push((id, name));
    }

    /// The groups a ballot from this line is counted under, from the whole
    /// round down. `leader_person` is the round's leader's place in the
    /// directory.
    pub(super) fn place(&self, leader_person: Option<&str>, k: u32) -> Vec<NewGroup> {
        let heads = breakdown::heads(&self.ancestors, leader_person);
        let direct = heads.and_then(|(direct, _)| direct);
        breakdown::placement(
            heads,
            |id| {
                let n = if direct.is_some_and(|d| d.0 == id) {
                    self.planned.0
                } else {
                    self.planned.1
                };
                super::count(n)
            },
            k,
        )
    }
}

/// Everyone above the person of a `link` (a query's earlier part, with
/// `person_id`, `round_id` and `leader_person`), as `line (id, name, direct,
/// further, depth)`: each with how many of the link's round's meetings are
/// with people under the leader's direct report on the line, and of those
/// how many under that one's report on it ([`breakdown::heads`]; without a
/// leader in the directory the top of the line stands in). One walk up (the
/// depth bound stops a circle), then one down the direct report's line,
/// whose step (`from down …`) the backend gives.
macro_rules! line {
    ($step:literal) => {
        concat!(
            "up (id, manager_id, depth) as (
                 select id, manager_id, cast(0 as bigint) from people where id = (select person_id from link)
                 union all
                 select p.id, p.manager_id, up.depth + 1 from people p join up on p.id = up.manager_id
                 where up.depth < 64
             ),
             top (depth) as (
                 select case when (select leader_person from link) is null
                             then (select coalesce(max(depth), 0) + 1 from up)
                        else (select depth from up where id = (select leader_person from link) and depth > 0) end
             ),
             heads (direct, further) as (
                 select (select id from up where depth = top.depth - 1 and depth > 0),
                        (select id from up where depth = top.depth - 2 and depth > 0)
                 from top
             ),
             down (id, deeper, depth) as (
                 select p.id, 0, cast(1 as bigint) from heads join people p on p.manager_id = heads.direct
                 union all
                 select p.id, case when down.id = (select further from heads) then 1 else down.deeper end,
                        down.depth + 1 ",
            $step,
            " where down.depth < 64
             ),
             planned (direct, further) as (
                 select count(*), coalesce(sum(down.deeper), 0) from down
                 join meetings m on m.round_id = (select round_id from link) and m.person_id = down.id
             ),
             line (id, name, direct, further, depth) as (
                 select p.id, p.name, planned.direct, planned.further, up.depth
                 from up join people p on p.id = up.id cross join planned
                 where up.depth > 0
             )"
        )
    };
}

/// [`line!`] on SQLite.
macro_rules! line_sqlite {
    () => {
        line!("from down join people p on p.manager_id = down.id")
    };
}

/// [`line!`] on Postgres. Postgres estimates a step of a recursive walk at
/// many rows and so joins it to the whole directory, read through at every
/// level (about 10 ms at 10 000 people). A lateral subquery that is kept
/// apart (`offset 0`) makes each step an index lookup per person reached
/// (under 1 ms).
macro_rules! line_postgres {
    () => {
        line!(
            "from down cross join lateral (select q.id from people q where q.manager_id = down.id offset 0) p"
        )
    };
}

/// The groups of rounds' breakdowns known to exist, so a submission need not
/// ask. What is kept here holds for good, on every instance: a group is never
/// removed while its round lasts, and a round's id is never used again.
#[derive(Debug, Clone)]
pub(super) struct Known(Arc<Cache<(String, String), ()>>);

impl Default for Known {
    fn default() -> Self {
        // An entry is two ids: 10 000 of them take about a megabyte.
        Self(Arc::new(Cache::new(10_000)))
    }
}

impl Known {
    /// Whether some group of a chain does not exist yet. Groups are made a
    /// whole chain at a time and never removed, so its last one tells.
    pub(super) async fn missing(
        &self,
        pool: &AnyPool,
        round_id: &str,
        chain: &[NewGroup],
    ) -> DbResult<bool> {
        let Some(last) = chain.last() else {
            return Ok(false);
        };
        let key = (round_id.to_owned(), last.id.clone());
        if self.0.get(&key).is_some() {
            return Ok(false);
        }
        let found: i64 = sqlx::query_scalar(
            "select count(*) from round_groups where round_id = $1 and group_id = $2",
        )
        .bind(round_id)
        .bind(&last.id)
        .fetch_one(pool)
        .await?;
        if found > 0 {
            self.0.insert(key, ());
        }
        Ok(found == 0)
    }
}

/// Adds the statement that makes a group unless it exists to `sql`: the
/// round is `$round`, the group's five fields are bound from `$first` on
/// ([`bind_group`]).
pub(super) fn push_ensure_statement(sql: &mut String, round: usize, first: usize) {
    use std::fmt::Write as _;
    let [id, parent, level, manager, label] = [0, 1, 2, 3, 4].map(|i| first + i);
    // Writing to a String cannot fail.
    let _ = write!(
        sql,
        "insert into round_groups (round_id, group_id, parent_id, level, manager_id, label)
         values (${round}, ${id}, ${parent}, ${level}, ${manager}, ${label})
         on conflict (round_id, group_id) do nothing"
    );
}

/// Binds a group's fields for [`push_ensure_statement`].
pub(super) fn bind_group<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    g: &'q NewGroup,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(&g.id)
        .bind(&g.parent)
        .bind(i64::from(g.level))
        .bind(&g.manager_id)
        .bind(&g.label)
}

/// Makes the groups of a chain that do not exist yet.
pub(super) async fn ensure(tx: &mut Tx<'_>, round_id: &str, chain: &[NewGroup]) -> DbResult<()> {
    let mut sql = String::new();
    push_ensure_statement(&mut sql, 1, 2);
    for g in chain {
        bind_group(
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(round_id),
            g,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Db {
    /// A round's groups.
    pub async fn round_groups(&self, round_id: &str) -> DbResult<Vec<GroupRow>> {
        sqlx::query_as(
            "select group_id, parent_id, level, manager_id, label, ballots, counted
             from round_groups where round_id = $1 order by level, label",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
    }

    /// A round's counts: (group, question, answer json, count).
    pub async fn group_tallies(&self, round_id: &str) -> DbResult<Vec<Tally>> {
        sqlx::query_as(
            "select group_id, question_id, answer, count from group_tallies where round_id = $1",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The people a round's meetings are with.
    pub async fn planned_people(&self, round_id: &str) -> DbResult<Vec<String>> {
        sqlx::query_scalar("select person_id from meetings where round_id = $1")
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
    }

    /// The directory person behind an account, if any.
    pub async fn account_person(&self, account_id: &str) -> DbResult<Option<String>> {
        sqlx::query_scalar("select person_id from accounts where id = $1")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await
            .map(Option::flatten)
    }
}
