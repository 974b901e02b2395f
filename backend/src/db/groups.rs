//! The groups of a round's breakdown and their counts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use sqlx::AnyPool;

use crate::breakdown::{self, Ancestor, GroupRow, NewGroup, Tally};

use super::{Db, DbResult, Tx, directory};

/// Everyone above a person, nearest first: what places a ballot, with how
/// many of the round's meetings are under each team's head ([`Round`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Line(Vec<Ancestor>);

/// A round's planned people and everyone above them, as read at one moment
/// ([`Planned`]): what places a ballot.
#[derive(Debug)]
struct Round {
    /// Each one's name and manager, by id.
    people: HashMap<String, (String, Option<String>)>,
    /// How many of the round's meetings are with people under each manager
    /// who has any, at any depth.
    under: HashMap<String, u32>,
}

impl Round {
    /// The people of `lines`, with the meetings of `planned` counted under
    /// each manager: every planned person once for each one above them.
    fn new(lines: Vec<directory::Line>, planned: &[String]) -> Self {
        let mut round = Self {
            people: lines
                .into_iter()
                .map(|l| (l.id, (l.name, l.manager_id)))
                .collect(),
            under: HashMap::new(),
        };
        let mut under = HashMap::new();
        for person in planned {
            for (manager, _) in round.above(person) {
                *under.entry(manager.to_owned()).or_default() += 1;
            }
        }
        round.under = under;
        round
    }

    /// Everyone above a person, nearest first, as (id, name), up to 64
    /// steps (in case of a circle).
    fn above<'a>(&'a self, person_id: &str) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut manager = self.people.get(person_id).and_then(|(_, m)| m.as_deref());
        std::iter::from_fn(move || {
            let id = manager?;
            let (key, (name, next)) = self.people.get_key_value(id)?;
            manager = next.as_deref();
            Some((key.as_str(), name.as_str()))
        })
        .take(64)
    }

    /// The line above a person planned in the round when it was read.
    fn line(&self, person_id: &str) -> Option<Line> {
        self.people.contains_key(person_id).then(|| {
            Line(
                self.above(person_id)
                    .map(|(id, name)| (id.to_owned(), name.to_owned()))
                    .collect(),
            )
        })
    }

    /// The round's meetings under `manager_id`.
    fn under(&self, manager_id: &str) -> u32 {
        self.under.get(manager_id).copied().unwrap_or(0)
    }
}

/// Each round's [`Round`], kept a few seconds: what decides the group a
/// ballot is counted in ([`breakdown::placement`]). It moves only when
/// meetings are scheduled or cancelled or the directory changes; this
/// instance forgets it when it makes such a change, and another instance's
/// change is seen within [`Planned::FOR`]. A ballot placed by a read that
/// old is placed as it would have been a moment earlier, by a line and
/// counts of one moment: the figures of every group still move only in
/// steps of k, whichever group a ballot is counted in. A round is one read
/// of its planned people and the lines above them (the report's,
/// [`Db::lines_above_planned`]), where a walk up from each submission's
/// person and down from each team's head took a query each; submissions
/// that find it missing at once wait for one read.
#[derive(Debug, Clone)]
pub(super) struct Planned(Arc<Cache<String, (Instant, Arc<Round>), People>>);

/// A [`Round`]'s weight in the cache: its people.
#[derive(Debug, Clone)]
struct People;

impl quick_cache::Weighter<String, (Instant, Arc<Round>)> for People {
    fn weight(&self, _: &String, (_, round): &(Instant, Arc<Round>)) -> u64 {
        u64::try_from(round.people.len()).unwrap_or(u64::MAX).max(1)
    }
}

impl Default for Planned {
    fn default() -> Self {
        // A person is an id, a name and a manager's id, about 150 bytes: the
        // cache holds 100 000 of them at most, 15 MB, a few hundred a round.
        // Its rounds are those being answered, a few: 32 expected keeps it
        // one shard, not several each with its share of the 100 000, so a
        // round of up to 97 000 people (the share a new entry may take) is
        // kept; a larger one would be read again for each submission.
        Self(Arc::new(Cache::with_weighter(32, 100_000, People)))
    }
}

impl Planned {
    /// How long a round's read is kept.
    const FOR: Duration = Duration::from_secs(10);

    /// The round as read at most [`Planned::FOR`] ago.
    async fn of_round(&self, db: &Db, round_id: &str) -> DbResult<Arc<Round>> {
        loop {
            match self.0.get_value_or_guard_async(round_id).await {
                Ok((at, round)) if at.elapsed() < Self::FOR => return Ok(round),
                Ok(_) => {
                    self.0.remove(round_id);
                }
                Err(guard) => {
                    let round = Arc::new(read_round(db, round_id).await?);
                    let _ = guard.insert((Instant::now(), round.clone()));
                    return Ok(round);
                }
            }
        }
    }

    /// Forgets every round: meetings or people have changed.
    pub(super) fn forget(&self) {
        self.0.clear();
    }
}

/// Reads a round's planned people and the lines above them.
async fn read_round(db: &Db, round_id: &str) -> DbResult<Round> {
    // The planned first: one planned in between is then in both reads.
    let planned = db.planned_people(round_id).await?;
    let lines = db.lines_above_planned(round_id).await?;
    Ok(Round::new(lines, &planned))
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
    /// Whether a chain's groups may not all exist yet: this instance has not
    /// seen them made. Groups are made a whole chain at a time and never
    /// removed, so its last one tells. Making them again is harmless (a
    /// group there already is left as it is), so nothing is asked of the
    /// database: a chain not known here is made, in the submission's own
    /// write on SQLite, in one statement before it on Postgres.
    pub(super) fn missing(&self, round_id: &str, chain: &[NewGroup]) -> bool {
        chain.last().is_some_and(|last| {
            self.0
                .get(&(round_id.to_owned(), last.id.clone()))
                .is_none()
        })
    }

    /// Notes that a chain's groups exist now, by its round and last group,
    /// so the next submission in it need not ask.
    pub(super) fn made(&self, key: (String, String)) {
        self.0.insert(key, ());
    }
}

/// Adds the statement that makes the `groups` groups of a chain, those that
/// do not exist yet, to `sql`: the round is `$round`, each group's five
/// fields are bound in turn from `$first` on ([`bind_group`]).
pub(super) fn push_ensure_statement(sql: &mut String, round: usize, first: usize, groups: usize) {
    use std::fmt::Write as _;
    sql.push_str(
        "insert into round_groups (round_id, group_id, parent_id, level, manager_id, label) values ",
    );
    for g in 0..groups {
        let [id, parent, level, manager, label] = [0, 1, 2, 3, 4].map(|i| first + 5 * g + i);
        let comma = if g == 0 { "" } else { ", " };
        // Writing to a String cannot fail.
        let _ = write!(
            sql,
            "{comma}(${round}, ${id}, ${parent}, ${level}, ${manager}, ${label})"
        );
    }
    sql.push_str(" on conflict (round_id, group_id) do nothing");
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

/// Makes the groups of a chain that do not exist yet, in one statement: a
/// group made is there for good, whatever happens next. By id, so that two
/// instances making the same groups take them in one order.
pub(super) async fn ensure(writer: &AnyPool, round_id: &str, chain: &[NewGroup]) -> DbResult<()> {
    let mut sql = String::with_capacity(128 + 32 * chain.len());
    push_ensure_statement(&mut sql, 1, 2, chain.len());
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round_id);
    let mut chain: Vec<&NewGroup> = chain.iter().collect();
    chain.sort_by(|a, b| a.id.cmp(&b.id));
    for g in chain {
        query = bind_group(query, g);
    }
    query.execute(writer).await?;
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

    /// The groups a ballot of `person_id` is counted under in a round,
    /// from the whole round down. `leader_person` is the round's leader's
    /// place in the directory.
    pub(super) async fn placement(
        &self,
        round_id: &str,
        person_id: &str,
        leader_person: Option<&str>,
        k: u32,
    ) -> DbResult<Vec<NewGroup>> {
        let round = self.planned.of_round(self, round_id).await?;
        let line = match round.line(person_id) {
            Some(line) => line,
            // Planned since the round was read, by another instance.
            None => self.line_above(person_id).await?,
        };
        let heads = breakdown::heads(&line.0, leader_person);
        Ok(breakdown::placement(heads, |id| round.under(id), k))
    }

    /// Everyone above a person, read from the directory as it stands now.
    async fn line_above(&self, person_id: &str) -> DbResult<Line> {
        let lines = self.lines_above_person(person_id).await?;
        Ok(Round::new(lines, &[]).line(person_id).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round(people: usize) -> Round {
        Round {
            people: (0..people)
                .map(|i| (format!("p{i}"), (format!("Person {i}"), None)))
                .collect(),
            under: HashMap::new(),
        }
    }

    #[test]
    fn a_round_of_tens_of_thousands_is_kept_and_the_cache_holds_no_more_than_its_weight() {
        let planned = Planned::default();
        planned
            .0
            .insert("big".to_owned(), (Instant::now(), Arc::new(round(60_000))));
        assert!(
            planned.0.get("big").is_some(),
            "a 60 000-person round was not kept"
        );
        planned.0.insert(
            "bigger".to_owned(),
            (Instant::now(), Arc::new(round(60_000))),
        );
        assert!(
            planned.0.weight() <= 100_000,
            "weight {}",
            planned.0.weight()
        );
    }

    #[test]
    fn the_line_above_a_planned_person_is_walked_up_nearest_first_and_stops_at_a_circle() {
        let mut r = round(0);
        for (id, manager) in [("a", Some("b")), ("b", Some("c")), ("c", Some("b"))] {
            r.people.insert(
                id.to_owned(),
                (id.to_uppercase(), manager.map(str::to_owned)),
            );
        }
        let line = r.line("a").unwrap().0;
        assert_eq!(line.len(), 64);
        assert_eq!(
            line[..3],
            [
                ("b".to_owned(), "B".to_owned()),
                ("c".to_owned(), "C".to_owned()),
                ("b".to_owned(), "B".to_owned())
            ]
        );
        assert!(r.line("nobody").is_none());
    }
}
