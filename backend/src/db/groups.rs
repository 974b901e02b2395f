//! The groups of a round's breakdown and their counts.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sqlx::AnyPool;

use crate::breakdown::{self, Ancestor, GroupRow, NewGroup, Tally};

use super::{Backend, Db, DbResult, Tx};

/// The groups a ballot of `person_id` in `round_id` is counted under, from the
/// whole round down, as the directory and the round's meetings stand now.
/// `leader_person` is the round's leader's place in the directory.
pub(super) async fn place(
    pool: &AnyPool,
    backend: Backend,
    round_id: &str,
    person_id: &str,
    leader_person: Option<&str>,
    k: u32,
) -> DbResult<Vec<NewGroup>> {
    let sql = match backend {
        Backend::Sqlite => LINE_SQLITE,
        Backend::Postgres => LINE_POSTGRES,
    };
    let line: Vec<(String, String, i64, i64)> = sqlx::query_as(sql)
        .bind(person_id)
        .bind(round_id)
        .bind(leader_person)
        .fetch_all(pool)
        .await?;
    let planned = line.first().map_or((0, 0), |l| (l.2, l.3));
    let ancestors: Vec<Ancestor> = line.into_iter().map(|(id, name, ..)| (id, name)).collect();
    let heads = breakdown::heads(&ancestors, leader_person);
    let direct = heads.and_then(|(direct, _)| direct);
    Ok(breakdown::placement(
        heads,
        |id| {
            let n = if direct.is_some_and(|d| d.0 == id) {
                planned.0
            } else {
                planned.1
            };
            super::count(n)
        },
        k,
    ))
}

/// Everyone above a person ($1), nearest first (the depth bound stops a
/// circle), each with how many of a round's ($2) meetings are with people
/// under the leader's ($3) direct report on the line, and of those how many
/// under that one's report on it ([`breakdown::heads`]; without a leader in
/// the directory the top of the line stands in): one walk up, then one down
/// the direct report's line, whose step (`from down …`) the backend gives.
macro_rules! line {
    ($step:literal) => {
        concat!(
            "with recursive up (id, manager_id, depth) as (
                 select id, manager_id, cast(0 as bigint) from people where id = $1
                 union all
                 select p.id, p.manager_id, up.depth + 1 from people p join up on p.id = up.manager_id
                 where up.depth < 64
             ),
             top (depth) as (
                 select case when $3 is null then (select coalesce(max(depth), 0) + 1 from up)
                        else (select depth from up where id = $3 and depth > 0) end
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
                 join meetings m on m.round_id = $2 and m.person_id = down.id
             )
             select p.id, p.name, planned.direct, planned.further
             from up join people p on p.id = up.id cross join planned
             where up.depth > 0 order by up.depth"
        )
    };
}

const LINE_SQLITE: &str = line!("from down join people p on p.manager_id = down.id");

/// Postgres estimates a step of a recursive walk at many rows and so joins
/// it to the whole directory, read through at every level (about 10 ms at
/// 10 000 people). A lateral subquery that is kept apart (`offset 0`) makes
/// each step an index lookup per person reached (under 1 ms).
const LINE_POSTGRES: &str = line!(
    "from down cross join lateral (select q.id from people q where q.manager_id = down.id offset 0) p"
);

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

/// The statement that makes a group unless it exists: the round is `$round`,
/// the group's five fields are bound from `$first` on ([`bind_group`]).
pub(super) fn ensure_statement(round: usize, first: usize) -> String {
    let [id, parent, level, manager, label] = [0, 1, 2, 3, 4].map(|i| first + i);
    format!(
        "insert into round_groups (round_id, group_id, parent_id, level, manager_id, label)
         values (${round}, ${id}, ${parent}, ${level}, ${manager}, ${label})
         on conflict (round_id, group_id) do nothing"
    )
}

/// Binds a group's fields for [`ensure_statement`].
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
    let sql = ensure_statement(1, 2);
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
