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
    // Everyone above the person, nearest first (the depth bound stops a circle).
    let ancestors: Vec<Ancestor> = sqlx::query_as(
        "with recursive up (id, manager_id, depth) as (
             select id, manager_id, cast(0 as bigint) from people where id = $1
             union all
             select p.id, p.manager_id, up.depth + 1 from people p join up on p.id = up.manager_id
             where up.depth < 64
         )
         select p.id, p.name from up join people p on p.id = up.id where up.depth > 0 order by up.depth",
    )
    .bind(person_id)
    .fetch_all(pool)
    .await?;
    let heads = breakdown::heads(&ancestors, leader_person);
    // How many of the round's meetings are with people under the direct
    // report's team, and of those under the further one's (which lies inside
    // it), in one walk down the direct report's line.
    let mut planned: (i64, i64) = (0, 0);
    if let Some((Some(direct), further)) = heads {
        let sql = match backend {
            Backend::Sqlite => PLANNED_SQLITE,
            Backend::Postgres => PLANNED_POSTGRES,
        };
        planned = sqlx::query_as(sql)
            .bind(&direct.0)
            .bind(round_id)
            .bind(further.map(|f| f.0.as_str()))
            .fetch_one(pool)
            .await?;
    }
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

/// How many of a round's meetings ($2) are with people under a manager ($1),
/// and of those how many under one of the manager's reports ($3): one walk
/// down the manager's line, whose step (`from down …`) the backend gives.
macro_rules! planned {
    ($step:literal) => {
        concat!(
            "with recursive down (id, deeper, depth) as (
                 select id, 0, cast(1 as bigint) from people where manager_id = $1
                 union all
                 select p.id, case when down.id = $3 then 1 else down.deeper end, down.depth + 1 ",
            $step,
            " where down.depth < 64
             )
             select count(*), coalesce(sum(down.deeper), 0) from down
             join meetings m on m.round_id = $2 and m.person_id = down.id"
        )
    };
}

const PLANNED_SQLITE: &str = planned!("from down join people p on p.manager_id = down.id");

/// Postgres estimates a step of a recursive walk at many rows and so joins
/// it to the whole directory, read through at every level (about 10 ms at
/// 10 000 people). A lateral subquery that is kept apart (`offset 0`) makes
/// each step an index lookup per person reached (under 1 ms).
const PLANNED_POSTGRES: &str = planned!(
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

/// Makes the groups of a chain that do not exist yet.
pub(super) async fn ensure(tx: &mut Tx<'_>, round_id: &str, chain: &[NewGroup]) -> DbResult<()> {
    for g in chain {
        sqlx::query(
            "insert into round_groups (round_id, group_id, parent_id, level, manager_id, label)
             values ($1, $2, $3, $4, $5, $6) on conflict (round_id, group_id) do nothing",
        )
        .bind(round_id)
        .bind(&g.id)
        .bind(&g.parent)
        .bind(i64::from(g.level))
        .bind(&g.manager_id)
        .bind(&g.label)
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
