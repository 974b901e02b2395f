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
/// change is seen by the first submission after the next read, which one
/// begins [`Planned::FOR`] after the last at a submission's request and
/// waits for at [`Planned::AT_MOST`]. A ballot placed by a read that
/// old is placed as it would have been a moment earlier, by a line and
/// counts of one moment: the figures of every group still move only in
/// steps of k, whichever group a ballot is counted in. A round is one read
/// of its planned people and the lines above them (the report's,
/// [`Db::lines_above_planned`]), where a walk up from each submission's
/// person and down from each team's head took a query each. Submissions
/// that find a round missing at once wait for one read; one older than
/// [`Planned::FOR`] is still used while one task reads it again, so that
/// no submission waits on that read, unless it is older than
/// [`Planned::AT_MOST`] (no submission for a while, or the reads failing). The read takes about 24 ms
/// for a round of 6 000 meetings in a directory of 10 000 on SQLite: every
/// 10 seconds the submissions of those 24 ms waited for it.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    rounds: Arc<Cache<String, (Instant, Arc<Round>), People>>,
    /// Moved on by [`Planned::forget`]: a read begun before is not kept.
    generation: Arc<std::sync::atomic::AtomicU64>,
    /// The rounds being read again.
    refreshing: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

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
        Self {
            rounds: Arc::new(Cache::with_weighter(32, 100_000, People)),
            generation: Arc::default(),
            refreshing: Arc::default(),
        }
    }
}

impl Planned {
    /// How long a round's read is used before it is read again.
    const FOR: Duration = Duration::from_secs(10);
    /// How long it is used at most, while it is read again.
    const AT_MOST: Duration = Duration::from_secs(30);

    /// The round as read at most [`Planned::FOR`] ago, or, while it is read
    /// again, at most [`Planned::AT_MOST`] ago.
    async fn of_round(&self, db: &Db, round_id: &str) -> DbResult<Arc<Round>> {
        use std::sync::atomic::Ordering::SeqCst;
        loop {
            match self.rounds.get_value_or_guard_async(round_id).await {
                Ok((at, round)) if at.elapsed() < Self::FOR => return Ok(round),
                Ok((at, round)) if at.elapsed() < Self::AT_MOST => {
                    self.read_again(db, round_id);
                    return Ok(round);
                }
                Ok(_) => {
                    self.rounds.remove(round_id);
                }
                Err(guard) => {
                    let generation = self.generation.load(SeqCst);
                    let round = Arc::new(read_round(db, round_id).await?);
                    if self.generation.load(SeqCst) == generation {
                        let _ = guard.insert((Instant::now(), round.clone()));
                    }
                    return Ok(round);
                }
            }
        }
    }

    /// Reads the round again in a task of its own, unless one already does.
    fn read_again(&self, db: &Db, round_id: &str) {
        use std::sync::atomic::Ordering::SeqCst;
        let first = self
            .refreshing
            .lock()
            .is_ok_and(|mut reading| reading.insert(round_id.to_owned()));
        if !first {
            return;
        }
        let generation = self.generation.load(SeqCst);
        let reading = Reading(self.clone(), round_id.to_owned());
        let db = db.clone();
        tokio::spawn(async move {
            let Reading(planned, round_id) = &reading;
            match read_round(&db, round_id).await {
                Ok(round) if planned.generation.load(SeqCst) == generation => {
                    let read = (Instant::now(), Arc::new(round));
                    planned.rounds.insert(round_id.clone(), read);
                    // Forgotten meanwhile: this read may be from before.
                    if planned.generation.load(SeqCst) != generation {
                        planned.rounds.remove(round_id);
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reading a round's planned people failed"),
            }
        });
    }

    /// Forgets every round: meetings or people have changed.
    pub(super) fn forget(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.rounds.clear();
    }
}

/// A round being read again by [`Planned::read_again`]'s task: no longer
/// once the task ends, however it ends.
struct Reading(Planned, String);

impl Drop for Reading {
    fn drop(&mut self) {
        if let Ok(mut reading) = self.0.refreshing.lock() {
            reading.remove(&self.1);
        }
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
            .rounds
            .insert("big".to_owned(), (Instant::now(), Arc::new(round(60_000))));
        assert!(
            planned.rounds.get("big").is_some(),
            "a 60 000-person round was not kept"
        );
        planned.rounds.insert(
            "bigger".to_owned(),
            (Instant::now(), Arc::new(round(60_000))),
        );
        assert!(
            planned.rounds.weight() <= 100_000,
            "weight {}",
            planned.rounds.weight()
        );
    }

    /// The cache's entry for `round`, once it was read after `since`.
    async fn read_after(planned: &Planned, round: &str, since: Instant) -> Arc<Round> {
        for _ in 0..500 {
            match planned.rounds.get(round) {
                Some((at, read)) if at > since => return read,
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
        panic!("{round} was not read again");
    }

    #[tokio::test]
    async fn a_round_read_a_while_ago_is_used_at_once_and_read_again_behind() {
        let dir = std::env::temp_dir().join(format!("skipcheck-planned-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        let planned = Planned::default();
        let old = Arc::new(round(3));
        let ago = |d: Duration| Instant::now().checked_sub(d).unwrap();
        let stale = ago(Planned::FOR + Duration::from_secs(1));

        // Used as it is, and read again by a task of its own.
        planned.rounds.insert("r".to_owned(), (stale, old.clone()));
        let used = planned.of_round(&db, "r").await.unwrap();
        assert!(Arc::ptr_eq(&used, &old), "the submission waited for a read");
        let again = read_after(&planned, "r", stale).await;
        assert!(again.people.is_empty(), "not what the database holds");
        let used = planned.of_round(&db, "r").await.unwrap();
        assert!(Arc::ptr_eq(&used, &again));

        // Too old to be used: read first.
        let too_old = ago(Planned::AT_MOST);
        planned
            .rounds
            .insert("r".to_owned(), (too_old, old.clone()));
        let used = planned.of_round(&db, "r").await.unwrap();
        assert!(!Arc::ptr_eq(&used, &old), "a read that old was used");

        // A read begun before the directory changed is not kept.
        planned.rounds.insert("s".to_owned(), (stale, old.clone()));
        planned.of_round(&db, "s").await.unwrap();
        planned.forget();
        for _ in 0..500 {
            if planned.refreshing.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(planned.refreshing.lock().unwrap().is_empty());
        assert!(planned.rounds.get("s").is_none(), "an old read was kept");

        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
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
