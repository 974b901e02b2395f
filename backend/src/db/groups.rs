//! The groups of a round's breakdown and their counts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use sqlx::AnyPool;

use crate::breakdown::{self, Ancestor, GroupRow, NewGroup, Tally};

use super::{Db, DbResult, Tx};

/// Everyone above a person, nearest first: what places a ballot, with how
/// many of the round's meetings are under each team's head ([`Planned`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Line(Vec<Ancestor>);

impl Line {
    /// Adds the next one up.
    pub(super) fn push(&mut self, id: String, name: String) {
        self.0.push((id, name));
    }
}

/// How many of a round's meetings are with people under each manager, at
/// any depth, kept a few seconds per round: what decides whether a ballot's
/// team is a group of its own ([`breakdown::placement`]). The counts move
/// only when meetings are scheduled or cancelled or the directory changes;
/// this instance forgets them when it makes such a change, and another
/// instance's change is seen within [`Planned::FOR`]. A ballot placed by a
/// count that old is placed as it would have been a moment earlier: the
/// figures of every group still move only in steps of k, whichever group a
/// ballot is counted in. A round's counts come from one read of its planned
/// people and the lines above them (the report's,
/// [`Db::lines_above_planned`]), where a walk down from each team's head
/// took one query per team, each a few milliseconds on a large directory;
/// submissions that find them missing at once wait for one read.
#[derive(Debug, Clone)]
pub(super) struct Planned(Arc<Cache<String, (Instant, Arc<Counts>)>>);

/// Meetings under each manager who has any, by manager.
type Counts = HashMap<String, u32>;

impl Default for Planned {
    fn default() -> Self {
        // An entry is a round's teams' heads and counts: a few hundred.
        Self(Arc::new(Cache::new(100)))
    }
}

impl Planned {
    /// How long a round's counts are kept.
    const FOR: Duration = Duration::from_secs(10);

    /// The round's meetings under `manager_id`.
    async fn under(&self, db: &Db, round_id: &str, manager_id: &str) -> DbResult<u32> {
        Ok(self
            .of_round(db, round_id)
            .await?
            .get(manager_id)
            .copied()
            .unwrap_or(0))
    }

    /// The round's meetings under each manager who has any.
    async fn of_round(&self, db: &Db, round_id: &str) -> DbResult<Arc<Counts>> {
        loop {
            match self.0.get_value_or_guard_async(round_id).await {
                Ok((at, counts)) if at.elapsed() < Self::FOR => return Ok(counts),
                Ok(_) => {
                    self.0.remove(round_id);
                }
                Err(guard) => {
                    let counts = Arc::new(count_under(db, round_id).await?);
                    let _ = guard.insert((Instant::now(), counts.clone()));
                    return Ok(counts);
                }
            }
        }
    }

    /// Forgets every count: meetings or people have changed.
    pub(super) fn forget(&self) {
        self.0.clear();
    }
}

/// Counts a round's meetings under each manager: every planned person
/// counts once for each one above them, up to 64 steps (in case of a
/// circle).
async fn count_under(db: &Db, round_id: &str) -> DbResult<Counts> {
    // The planned first: one planned in between is then in both reads.
    let planned = db.planned_people(round_id).await?;
    let lines = db.lines_above_planned(round_id).await?;
    let manager_of: HashMap<&str, &str> = lines
        .iter()
        .filter_map(|l| Some((l.id.as_str(), l.manager_id.as_deref()?)))
        .collect();
    let mut counts = Counts::new();
    for person in &planned {
        let mut at = person.as_str();
        for _ in 0..64 {
            let Some(&manager) = manager_of.get(at) else {
                break;
            };
            *counts.entry(manager.to_owned()).or_default() += 1;
            at = manager;
        }
    }
    Ok(counts)
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

    /// Notes that a chain's groups exist now, by its round and last group,
    /// so the next submission in it need not ask.
    pub(super) fn made(&self, key: (String, String)) {
        self.0.insert(key, ());
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

/// Makes the groups of a chain that do not exist yet, from the top down,
/// each a write of its own: a group made is there for good, whatever
/// happens next.
pub(super) async fn ensure(writer: &AnyPool, round_id: &str, chain: &[NewGroup]) -> DbResult<()> {
    let mut sql = String::with_capacity(256);
    push_ensure_statement(&mut sql, 1, 2);
    for g in chain {
        bind_group(
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(round_id),
            g,
        )
        .execute(writer)
        .await?;
    }
    Ok(())
}

impl Db {
    /// Commits a transaction that changes meetings or people, and forgets
    /// the counts of planned meetings it may have changed.
    pub(super) async fn commit_replanned(&self, tx: Tx<'_>) -> DbResult<()> {
        let committed = tx.commit().await;
        self.planned.forget();
        committed
    }

    /// The groups a ballot from `line` is counted under in a round, from the
    /// whole round down. `leader_person` is the round's leader's place in
    /// the directory.
    pub(super) async fn placement(
        &self,
        round_id: &str,
        line: &Line,
        leader_person: Option<&str>,
        k: u32,
    ) -> DbResult<Vec<NewGroup>> {
        let heads = breakdown::heads(&line.0, leader_person);
        let mut planned = Vec::with_capacity(2);
        if let Some((direct, further)) = heads {
            // A team is a group only under a group: past the first too
            // small, no count is needed.
            for (id, _) in [direct, further].into_iter().flatten() {
                let n = self.planned.under(self, round_id, id).await?;
                planned.push((id.as_str(), n));
                if n < k {
                    break;
                }
            }
        }
        let planned_under = |id: &str| {
            planned
                .iter()
                .find(|(head, _)| *head == id)
                .map_or(0, |(_, n)| *n)
        };
        Ok(breakdown::placement(heads, planned_under, k))
    }

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
