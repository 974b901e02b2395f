//! Personal links, check-ins, anonymous ballots and managers' estimates.
//!
//! The anonymous side is kept apart on purpose: a ballot says only "this person
//! has answered in this round"; the answers go into per-value counts that hold
//! no person, no time and no order.

use std::sync::Arc;

use quick_cache::sync::Cache;
use shared::{Answer, Answers, Template, Visibility};
use sqlx::{AnyConnection, AnyPool, FromRow, Row};
use tokio::sync::{mpsc, oneshot};

use super::directory::parse_template;
use super::{Db, DbResult, Tx, groups};
use crate::breakdown::NewGroup;
use crate::sealed::ServerKey;

/// A personal link, found by its token's hash.
#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    pub kind: String,
    pub round_id: String,
    pub person_id: String,
    pub meeting_id: Option<String>,
    pub expires_at: i64,
}

/// Everything an employee's check-in page shows.
#[derive(Debug, Clone, FromRow)]
pub struct CheckinRow {
    pub leader_id: String,
    pub person_name: String,
    pub leader_name: String,
    pub leader_title: String,
    pub manager_name: Option<String>,
    pub round_name: String,
    pub scheduled_at: i64,
    pub k_threshold: i64,
    pub template_body: String,
    pub draft: Option<String>,
    pub submitted: Option<String>,
    pub submitted_at: Option<i64>,
    pub sealed: i64,
}

impl CheckinRow {
    pub fn template(&self) -> DbResult<Template> {
        parse_template(&self.template_body)
    }

    /// Whether what was typed since differs from what the leader reads.
    pub fn unsent_changes(&self) -> bool {
        self.submitted.is_some() && self.submitted != self.draft
    }

    /// The latest confidential answers the employee typed.
    pub fn draft_answers(&self) -> DbResult<Answers> {
        match &self.draft {
            Some(json) => serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e))),
            None => Ok(Answers::new()),
        }
    }
}

/// An employee's link together with what saving and submitting its
/// check-in need: read in one query, since every draft save and submission
/// starts here (its template's body only the first time the template is
/// met: [`Forms`]; the line above its person from the round's people,
/// [`groups::Planned`]).
#[derive(Debug, Clone, FromRow)]
pub struct LinkedCheckin {
    pub kind: String,
    pub expires_at: i64,
    pub round_id: String,
    pub person_id: String,
    pub meeting_id: String,
    /// The leader's place in the directory, if they have one.
    pub leader_person: Option<String>,
    pub scheduled_at: i64,
    pub k_threshold: i64,
    pub template_id: String,
    pub submitted_at: Option<i64>,
    pub sealed: i64,
}

/// An invite's check-in, found by the link's token hash ($1).
macro_rules! linked {
    () => {
        "select l.kind, l.expires_at, l.round_id, l.person_id, m.id as meeting_id,
                a.person_id as leader_person, m.scheduled_at, r.k_threshold,
                r.template_id, c.submitted_at,
                (select count(*) from ballots b where b.round_id = l.round_id and b.person_id = l.person_id) as sealed
         from links l
         join meetings m on m.id = l.meeting_id
         join rounds r on r.id = m.round_id
         join accounts a on a.id = r.leader_id
         left join checkins c on c.meeting_id = m.id
         where l.token_hash = $1"
    };
}

/// A draft to save.
struct Draft {
    token_hash: String,
    json: String,
    now: i64,
}

impl Draft {
    async fn save<'c, E>(&self, executor: E) -> DbResult<Option<DraftSaved>>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        sqlx::query_as(
            "insert into checkins (meeting_id, draft, updated_at)
             select m.id, $2, $3 from links l join meetings m on m.id = l.meeting_id
             where l.token_hash = $1 and l.kind = 'invite' and l.expires_at > $3 and m.scheduled_at > $3
             on conflict (meeting_id) do update set draft = excluded.draft, updated_at = excluded.updated_at
             returning submitted_at,
                 (select count(*) from meetings m join ballots b
                      on b.round_id = m.round_id and b.person_id = m.person_id
                  where m.id = checkins.meeting_id) as sealed",
        )
        .bind(&self.token_hash)
        .bind(&self.json)
        .bind(self.now)
        .fetch_optional(executor)
        .await
    }
}

type Reply<T> = oneshot::Sender<DbResult<T>>;

/// A write waiting in the [`WriteQueue`], with what it came to once done.
struct Pending<W, T> {
    write: W,
    outcome: Option<DbResult<T>>,
    reply: Reply<T>,
}

impl<W, T> Pending<W, T> {
    fn new(write: W, reply: Reply<T>) -> Self {
        Self {
            write,
            outcome: None,
            reply,
        }
    }

    /// Answers the waiting request: its own outcome if its transaction was
    /// committed, else why not.
    fn answer(self, committed: DbResult<()>) {
        let outcome = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(error), _) => Err(error),
            (Ok(()), None) => Err(sqlx::Error::Protocol("the write was not made".to_owned())),
        };
        let _ = self.reply.send(outcome);
    }
}

/// A write for the [`WriteQueue`].
enum Job {
    Draft(Pending<Draft, Option<DraftSaved>>),
    Cast(Pending<Box<Cast>, SubmitOutcome>),
}

impl Job {
    /// Does the job's writes in `tx`. A draft is one statement, and a
    /// submission refused leaves nothing written: each is undone alone.
    /// `Err` when the transaction can go no further.
    async fn run(&mut self, tx: &mut Tx<'_>) -> DbResult<()> {
        match self {
            Job::Draft(draft) => draft.outcome = Some(draft.write.save(&mut **tx).await),
            Job::Cast(cast) => {
                cast.outcome = Some(Ok(cast.write.write_sqlite(tx).await?));
            }
        }
        Ok(())
    }

    fn answer(self, committed: DbResult<()>) {
        match self {
            Job::Draft(draft) => draft.answer(committed),
            Job::Cast(cast) => cast.answer(committed),
        }
    }
}

/// Writes that wait their turn and are written together: on SQLite draft
/// saves and submissions, on Postgres submissions. SQLite's file takes one
/// writer and one sync to disk per transaction; a write on its own would pay
/// both. Postgres runs writes side by side, but each statement and each
/// commit has its cost, and a submission is four rows and, every k-th,
/// every count of its group: there, one statement for all the submissions
/// waiting costs little more than one for a single one ([`CAST_POSTGRES`]).
/// A task takes the writes that wait, up to 64, does them in one
/// transaction (on Postgres one statement, see [`write_batch`]), and
/// answers each once it is committed. When nobody else is writing, a batch
/// is one write and waits for nothing. Each write's failure is its own: a
/// draft is one statement, which SQLite undoes alone, a submission refused
/// writes nothing, and a failure that stops the batch has each of its
/// writes tried again on its own.
#[derive(Debug, Clone)]
pub(super) struct WriteQueue {
    send: mpsc::Sender<Job>,
    /// The connection the batches are written on.
    pub(super) writer: AnyPool,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Draft")
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl WriteQueue {
    const BATCH: usize = 64;

    pub(super) fn start(writer: sqlx::AnyPool, backend: super::Backend) -> Self {
        let (send, mut waiting) = mpsc::channel::<Job>(1024);
        let queue = Self {
            send,
            writer: writer.clone(),
        };
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(Self::BATCH);
            while waiting.recv_many(&mut batch, Self::BATCH).await > 0 {
                let committed = write_batch(&writer, backend, &mut batch).await;
                if committed.is_err() && batch.len() > 1 {
                    // What stopped the transaction may be one write's own
                    // failure: each is tried again alone, so that it is
                    // only its own.
                    for job in batch.drain(..) {
                        let mut one = [job];
                        let committed = write_batch(&writer, backend, &mut one).await;
                        let [job] = one;
                        job.answer(committed);
                    }
                    continue;
                }
                let committed = committed.map_err(|e| e.to_string());
                for job in batch.drain(..) {
                    job.answer(committed.clone().map_err(sqlx::Error::Protocol));
                }
            }
        });
        queue
    }

    async fn send<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> DbResult<T> {
        let closed = || sqlx::Error::PoolClosed;
        let (reply, answer) = oneshot::channel();
        self.send.send(job(reply)).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

/// Does a batch of writes, each keeping its own outcome; `Err` is the error
/// that stopped the batch, and then nothing of it is written (each write
/// is tried again on its own). On SQLite in one transaction. On Postgres
/// the submissions are one statement, its own transaction, so no `BEGIN`
/// and `COMMIT` wait for a round trip each (a draft, none of which is
/// queued there, would be a statement of its own, its failure its own).
async fn write_batch(
    writer: &sqlx::AnyPool,
    backend: super::Backend,
    batch: &mut [Job],
) -> DbResult<()> {
    match backend {
        super::Backend::Sqlite => {
            let mut tx = writer.begin().await?;
            for job in batch.iter_mut() {
                job.run(&mut tx).await?;
            }
            tx.commit().await
        }
        super::Backend::Postgres => {
            let mut conn = writer.acquire().await?;
            let mut casts = Vec::new();
            for job in batch.iter_mut() {
                match job {
                    Job::Cast(cast) => casts.push(cast),
                    Job::Draft(draft) => {
                        draft.outcome = Some(draft.write.save(&mut *conn).await);
                    }
                }
            }
            cast_postgres(&mut conn, &mut casts).await
        }
    }
}

/// What a saved draft's page needs to know afterwards.
#[derive(Debug, Clone, FromRow)]
pub struct DraftSaved {
    pub submitted_at: Option<i64>,
    pub sealed: i64,
}

/// The templates check-ins are asked with, by invite, so a draft save checks
/// its answers without reading the database first. What is kept here holds
/// for good: a link's meeting, a meeting's round and a round's template never
/// change (a new version of a template is a new template). What can change
/// (the link's expiry or removal, the meeting's time) the save checks itself.
#[derive(Debug, Clone)]
pub struct Forms {
    by_link: Arc<Cache<String, Arc<Template>>>,
    by_id: Arc<Cache<String, Arc<Template>>>,
}

impl Default for Forms {
    fn default() -> Self {
        Self {
            // A link's entry is its token's hash and a pointer: 10 000 of
            // them take about a megabyte.
            by_link: Arc::new(Cache::new(10_000)),
            by_id: Arc::new(Cache::new(256)),
        }
    }
}

impl Forms {
    /// The template of the check-in an invite opens, if seen before.
    pub fn get(&self, token_hash: &str) -> Option<Arc<Template>> {
        self.by_link.get(token_hash)
    }

    /// The template of a check-in just read through its invite, kept for
    /// the next save ([`Forms::template`]).
    pub async fn remember(
        &self,
        db: &Db,
        token_hash: &str,
        row: &LinkedCheckin,
    ) -> DbResult<Option<Arc<Template>>> {
        let template = self.template(db, row).await?;
        if let Some(template) = &template {
            self.by_link.insert(token_hash.to_owned(), template.clone());
        }
        Ok(template)
    }

    /// The template of a check-in, each template read and parsed once and
    /// shared (a check-in's read brings only its id). `None` if it is gone
    /// since the check-in was read: its organisation was deleted.
    pub async fn template(&self, db: &Db, row: &LinkedCheckin) -> DbResult<Option<Arc<Template>>> {
        if let Some(template) = self.by_id.get(&row.template_id) {
            return Ok(Some(template));
        }
        let body: Option<String> = sqlx::query_scalar("select body from templates where id = $1")
            .bind(&row.template_id)
            .fetch_optional(&db.pool)
            .await?;
        let Some(body) = body else {
            return Ok(None);
        };
        let template = Arc::new(parse_template(&body)?);
        self.by_id.insert(row.template_id.clone(), template.clone());
        Ok(Some(template))
    }
}

/// What a submission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored; `sealed` says whether an anonymous ballot is now in.
    Stored { sealed: bool },
    /// Anonymous answers came for a person who has already cast a ballot.
    AlreadySealed,
}

fn to_json<T: serde::Serialize>(value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

impl Db {
    /// The link with this token hash, expired or not.
    pub async fn link(&self, token_hash: &str) -> DbResult<Option<LinkRow>> {
        sqlx::query_as("select kind, round_id, person_id, meeting_id, expires_at from links where token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// The link with this token hash and the check-in it opens, if the link
    /// leads to a meeting.
    pub async fn linked_checkin(&self, token_hash: &str) -> DbResult<Option<LinkedCheckin>> {
        sqlx::query_as(linked!())
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// What an employee's check-in page shows for one meeting.
    pub async fn checkin(&self, meeting_id: &str) -> DbResult<Option<CheckinRow>> {
        sqlx::query_as(
            "select r.leader_id, p.name as person_name,
                    coalesce(lp.name, a.email) as leader_name, coalesce(lp.title, '') as leader_title,
                    boss.name as manager_name, r.name as round_name, m.scheduled_at, r.k_threshold,
                    t.body as template_body, c.draft, c.submitted, c.submitted_at,
                    (select count(*) from ballots b where b.round_id = m.round_id and b.person_id = m.person_id) as sealed
             from meetings m
             join rounds r on r.id = m.round_id
             join templates t on t.id = r.template_id
             join accounts a on a.id = r.leader_id
             left join people lp on lp.id = a.person_id
             join people p on p.id = m.person_id
             left join people boss on boss.id = p.manager_id
             left join checkins c on c.meeting_id = m.id
             where m.id = $1",
        )
        .bind(meeting_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Saves what the employee has typed of the confidential answers, through
    /// their invite, in one statement that also checks what can change: the
    /// link is still there and unexpired, the meeting not started. `None`
    /// when one of those fails (nothing is written then). Answers once the
    /// draft is committed.
    pub async fn save_draft(
        &self,
        token_hash: &str,
        answers: &Answers,
        now: i64,
    ) -> DbResult<Option<DraftSaved>> {
        let draft = Draft {
            token_hash: token_hash.to_owned(),
            json: to_json(answers)?,
            now,
        };
        match self.backend {
            super::Backend::Sqlite => {
                self.writes
                    .send(|reply| Job::Draft(Pending::new(draft, reply)))
                    .await
            }
            // A draft is one statement, its own transaction: batched with
            // the submissions it measured no faster, and it would hold its
            // check-in's row while the batch waits for groups' rows.
            super::Backend::Postgres => draft.save(&self.writer).await,
        }
    }

    /// Submits a check-in: the confidential answers for the leader, and, once per
    /// person and round, the anonymous answers as counts.
    ///
    /// What can be worked out beforehand is: the group the ballot is counted
    /// in (from the directory as it stood a few seconds ago at most, see
    /// [`groups::Planned`]), the sealed
    /// answers, and on Postgres its groups, made if need be. Then one
    /// transaction, shared with the other writes waiting (see
    /// [`WriteQueue`]), writes: the answers, the ballot, its sealed anonymous
    /// answers and its group's count stand or fall together. When k answers
    /// are then due in the group, they are opened and counted: on SQLite in
    /// the same transaction, on Postgres right after its commit, before the
    /// submission is answered (see [`open_steps`]).
    pub async fn submit_checkin(
        &self,
        target: &LinkedCheckin,
        template: Arc<Template>,
        confidential: &Answers,
        anonymous: &Answers,
        key: Arc<ServerKey>,
        now: i64,
    ) -> DbResult<SubmitOutcome> {
        let json = to_json(confidential)?;
        let ballot = if anonymous.is_empty() {
            None
        } else {
            let k = super::count(target.k_threshold);
            let chain = self
                .placement(
                    &target.round_id,
                    &target.person_id,
                    target.leader_person.as_deref(),
                    k,
                )
                .await?;
            let missing = self.groups.missing(&target.round_id, &chain);
            let sealed = key
                .seal(to_json(anonymous)?.as_bytes(), longest_ballot(&template)?)
                .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            Some((chain, missing, sealed))
        };

        let Some((chain, missing, sealed)) = ballot else {
            sqlx::query(SUBMITTED)
                .bind(&target.meeting_id)
                .bind(&json)
                .bind(now)
                .execute(&self.writer)
                .await?;
            return Ok(SubmitOutcome::Stored {
                sealed: target.sealed > 0,
            });
        };
        let cast = Cast {
            meeting_id: target.meeting_id.clone(),
            json,
            now,
            round_id: target.round_id.clone(),
            person_id: target.person_id.clone(),
            group: chain
                .last()
                .map_or(crate::breakdown::WHOLE_ROUND, |g| g.id.as_str())
                .to_owned(),
            ensure: missing.then_some(chain),
            sealed,
            k: target.k_threshold,
            template,
            key,
        };
        if self.backend == super::Backend::Postgres
            && let Some(chain) = &cast.ensure
        {
            groups::ensure(&self.writer, &cast.round_id, chain).await?;
        }
        let made = cast
            .ensure
            .as_ref()
            .and_then(|chain| chain.last())
            .map(|last| (cast.round_id.clone(), last.id.clone()));
        let outcome = self
            .writes
            .send(|reply| Job::Cast(Pending::new(Box::new(cast), reply)))
            .await?;
        // A ballot refused made no group on SQLite (its statement is first).
        if let (Some(key), SubmitOutcome::Stored { .. }) = (made, outcome) {
            self.groups.made(key);
        }
        Ok(outcome)
    }

    /// A manager's estimate for a round, if given.
    pub async fn estimate(&self, round_id: &str, manager_id: &str) -> DbResult<Option<i64>> {
        sqlx::query_scalar(
            "select morale from manager_estimates where round_id = $1 and manager_id = $2",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Stores or replaces a manager's estimate.
    pub async fn save_estimate(
        &self,
        round_id: &str,
        manager_id: &str,
        morale: i64,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into manager_estimates (round_id, manager_id, morale, updated_at) values ($1, $2, $3, $4)
             on conflict (round_id, manager_id) do update set morale = excluded.morale, updated_at = excluded.updated_at",
        )
        .bind(round_id)
        .bind(manager_id)
        .bind(morale)
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Names for the manager's perception page: (manager, leader, round).
    pub async fn estimate_names(
        &self,
        round_id: &str,
        manager_id: &str,
    ) -> DbResult<Option<(String, String, String)>> {
        sqlx::query_as(
            "select mp.name, coalesce(lp.name, a.email), r.name
             from rounds r
             join accounts a on a.id = r.leader_id
             left join people lp on lp.id = a.person_id
             join people mp on mp.id = $2
             where r.id = $1",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_optional(&self.pool)
        .await
    }
}

impl Db {
    /// Opens the answers due in every group: those a submission made due
    /// and did not open itself (the opening failed, or a round's k was
    /// lowered, or the instance stopped between a batch's commit and its
    /// opening on Postgres). `serve` runs it every few seconds; a submission
    /// opens what it makes due itself, so there is mostly nothing to do but
    /// for a group whose answers can't be opened. Returns how many groups
    /// it found due and saw opened (on Postgres another instance may have
    /// opened some of them at the same time); one that fails is left, and
    /// logged once (again only when it has more ballots), not every few
    /// seconds.
    pub async fn open_due(&self, key: &ServerKey) -> DbResult<usize> {
        let due: Vec<(String, String, i64, String, i64)> = sqlx::query_as(
            "select g.round_id, g.group_id, r.k_threshold, t.body, g.ballots from round_groups g
             join rounds r on r.id = g.round_id
             join templates t on t.id = r.template_id
             where r.k_threshold > 0 and g.ballots - g.counted >= r.k_threshold",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut opened = 0;
        let mut stuck = std::collections::HashSet::new();
        for (round_id, group, k, body, ballots) in &due {
            let template = parse_template(body)?;
            let group = GroupAt {
                round_id,
                group,
                k: *k,
                template: &template,
                key,
            };
            // One group that fails (an answer damaged) stops no other.
            match fold_due(&self.writer, self.backend, &group).await {
                Ok(()) => opened += 1,
                Err(error) => {
                    let state = (round_id.clone(), group.group.to_owned(), *ballots);
                    if !self.stuck.reported(&state) {
                        tracing::error!(%error, ballots, "opening a group's answers failed");
                    }
                    stuck.insert(state);
                }
            }
        }
        self.stuck.keep(stuck);
        Ok(opened)
    }
}

/// The groups whose due answers could not be opened at the last pass of
/// [`Db::open_due`], each as (round, group, ballots).
#[derive(Debug, Clone, Default)]
pub(super) struct Stuck(Arc<std::sync::Mutex<std::collections::HashSet<(String, String, i64)>>>);

impl Stuck {
    /// Whether `state` was stuck at the last pass already.
    fn reported(&self, state: &(String, String, i64)) -> bool {
        self.0.lock().is_ok_and(|seen| seen.contains(state))
    }

    /// Keeps what is stuck now, forgetting the rest.
    fn keep(&self, now: std::collections::HashSet<(String, String, i64)>) {
        if let Ok(mut seen) = self.0.lock() {
            *seen = now;
        }
    }
}

/// How long a ballot's anonymous answers can be on `template`'s form, as
/// sealed: each anonymous question with its longest answer. Every ballot of
/// a round is sealed to this one size, whatever was chosen.
fn longest_ballot(template: &Template) -> DbResult<usize> {
    let json_len = |answer: &Answer| serde_json::to_string(answer).map_or(0, |s| s.len());
    let longest: Answers = template
        .questions()
        .filter(|q| q.visibility == Visibility::Anonymous)
        .filter_map(|q| {
            let answers = q.kind.values().into_iter().chain([Answer::PreferNotToSay]);
            Some((q.id.clone(), answers.max_by_key(json_len)?))
        })
        .collect();
    Ok(to_json(&longest)?.len())
}

/// A submission with a ballot, worked out: what its transaction writes.
struct Cast {
    meeting_id: String,
    json: String,
    now: i64,
    round_id: String,
    person_id: String,
    /// The group the ballot is counted in.
    group: String,
    /// The chain of groups down to it, when they are not all there yet.
    ensure: Option<Vec<NewGroup>>,
    sealed: String,
    k: i64,
    template: Arc<Template>,
    key: Arc<ServerKey>,
}

/// A submission's confidential answers, for the leader.
macro_rules! submitted {
    () => {
        "insert into checkins (meeting_id, draft, submitted, updated_at, submitted_at) values ($1, $2, $2, $3, $3)
         on conflict (meeting_id) do update set draft = excluded.draft, submitted = excluded.submitted,
             updated_at = excluded.updated_at, submitted_at = excluded.submitted_at"
    };
}
/// The ballot: this person has answered in this round.
macro_rules! ballot {
    () => {
        "insert into ballots (round_id, person_id) values ($4, $5)"
    };
}
/// The anonymous answers, sealed, waiting in their group.
macro_rules! sealed {
    () => {
        "insert into pending_ballots (id, round_id, group_id, sealed) values ($6, $4, $7, $8)"
    };
}
/// The group's count of ballots, bumped.
macro_rules! counted {
    () => {
        "update round_groups set ballots = ballots + 1 where round_id = $4 and group_id = $7
         returning ballots, counted"
    };
}

/// The anonymous answers waiting in a group: those [`fold`] opens.
macro_rules! pending {
    ($round:literal, $group:literal) => {
        concat!(
            "select id, sealed from pending_ballots where round_id = ",
            $round,
            " and group_id = ",
            $group
        )
    };
}
/// [`pending!`] in a submission's group, once k ($9) or more of them wait:
/// on SQLite the last of a submission's statements.
macro_rules! waiting {
    () => {
        concat!(
            pending!("$4", "$7"),
            " and $9 > 0
             and (select ballots - counted from round_groups where round_id = $4 and group_id = $7) >= $9"
        )
    };
}

impl Cast {
    /// The group the ballot is counted in.
    fn group(&self) -> GroupAt<'_> {
        GroupAt {
            round_id: &self.round_id,
            group: &self.group,
            k: self.k,
            template: &self.template,
            key: &self.key,
        }
    }

    /// The submission's writes on SQLite in `tx`, which the caller commits
    /// if they are stored. When the person's ballot is already in, nothing
    /// is written: the ballot comes first, and a statement that fails is
    /// undone alone.
    ///
    /// The answers, the ballot, its sealed anonymous answers, its group's
    /// count and the groups to make go in one round trip, with the answers
    /// waiting in the group last, if k of them are due to be opened. The
    /// writer is SQLite's only one: nothing else writes until the commit,
    /// so what waits is exactly the k the count says.
    async fn write_sqlite(&self, tx: &mut Tx<'_>) -> DbResult<SubmitOutcome> {
        let ensure = self.ensure.as_deref().unwrap_or_default();
        let mut query = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(cast_sqlite(ensure))))
            .bind(self.k);
        for g in ensure {
            query = groups::bind_group(query, g);
        }
        let rows = match query.fetch_all(&mut **tx).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(SubmitOutcome::AlreadySealed);
            }
            other => other?,
        };
        let (count, waiting) = rows.split_first().ok_or(sqlx::Error::RowNotFound)?;
        let counted: i64 = count.try_get(1)?;
        if !waiting.is_empty() {
            let waiting = waiting
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<DbResult<Vec<(String, String)>>>()?;
            match fold(tx, super::Backend::Sqlite, &self.group(), counted, &waiting).await {
                Ok(_) => {}
                // An answer that can't be opened (damaged, or sealed with
                // another key) is found before anything is written: the
                // submission stands, and the group waits, as on Postgres.
                Err(sqlx::Error::Decode(error)) => {
                    tracing::error!(%error, "opening a group's answers failed");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(SubmitOutcome::Stored { sealed: true })
    }

    /// Binds what SQLite's statements take, $1 to $8.
    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        query
            .bind(&self.meeting_id)
            .bind(&self.json)
            .bind(self.now)
            .bind(&self.round_id)
            .bind(&self.person_id)
            .bind(super::new_id())
            .bind(&self.group)
            .bind(&self.sealed)
    }
}

/// A group of a round's breakdown, with what opening its answers takes.
struct GroupAt<'a> {
    round_id: &'a str,
    group: &'a str,
    k: i64,
    template: &'a Template,
    key: &'a ServerKey,
}

impl GroupAt<'_> {
    /// Whether k answers wait to be opened.
    fn due(&self, ballots: i64, counted: i64) -> bool {
        self.k > 0 && ballots - counted >= self.k
    }

    /// The group's ballots and those counted, as its row has them now.
    async fn counts(&self, conn: &mut AnyConnection) -> DbResult<(i64, i64)> {
        sqlx::query_as(
            "select ballots, counted from round_groups where round_id = $1 and group_id = $2",
        )
        .bind(self.round_id)
        .bind(self.group)
        .fetch_one(conn)
        .await
    }
}

/// Opens the answers due in a group ([`open_steps`]): what [`Db::open_due`]
/// does for a group left due (an answer that could not be opened, a round's
/// k lowered, or an instance stopped between a commit and its opening). On
/// SQLite in a transaction, which holds the one writer's file; on Postgres
/// step by step, each written only if no one else opened it meanwhile. A
/// failure here loses nothing: the ballots are in, and the next submission
/// to the group, or the next pass, opens them.
async fn fold_due(writer: &AnyPool, backend: super::Backend, group: &GroupAt<'_>) -> DbResult<()> {
    match backend {
        super::Backend::Sqlite => {
            let mut tx = writer.begin().await?;
            let counts = group.counts(&mut tx).await?;
            open_steps(&mut tx, backend, group, counts).await?;
            tx.commit().await
        }
        super::Backend::Postgres => {
            let mut conn = writer.acquire().await?;
            let counts = group.counts(&mut conn).await?;
            open_steps(&mut conn, backend, group, counts).await
        }
    }
}

/// Opens the answers due in a group, k at a time, the first k by id (ids
/// are random: no order of arrival shows); what is left waits for the next
/// step. `(ballots, counted)` are the group's row's. Each step is written
/// only while the group's counted ballots are still those it started from
/// ([`fold`]): one step is opened once, whoever else tries at the same
/// time, and this goes on from where the other left it.
async fn open_steps(
    conn: &mut AnyConnection,
    backend: super::Backend,
    group: &GroupAt<'_>,
    (mut ballots, mut counted): (i64, i64),
) -> DbResult<()> {
    while group.due(ballots, counted) {
        let waiting: Vec<(String, String)> =
            sqlx::query_as(concat!(pending!("$1", "$2"), " order by id limit $3"))
                .bind(group.round_id)
                .bind(group.group)
                .bind(group.k)
                .fetch_all(&mut *conn)
                .await?;
        let whole = i64::try_from(waiting.len()).ok() == Some(group.k);
        if whole && fold(conn, backend, group, counted, &waiting).await? {
            counted += group.k;
            continue;
        }
        // Someone else opened this step meanwhile, or fewer than k wait
        // where the count says k do: then both are left as they are rather
        // than fewer than k opened, and that is said.
        let now = group.counts(conn).await?;
        if now.1 == counted {
            tracing::error!(
                ballots,
                counted,
                waiting = waiting.len(),
                "a group's count and its waiting answers disagree"
            );
            break;
        }
        (ballots, counted) = now;
    }
    Ok(())
}

const SUBMITTED: &str = submitted!();

/// A submission with a ballot: the confidential answers, the ballot, and its
/// anonymous answers put aside, sealed, in the group of the
/// breakdown they will be counted in (fixed now, for good); when that group
/// has k of them waiting, [`fold`] opens them, adds them to its counts at
/// once, and so releases new figures. Returns the group's ballots and those
/// counted. On SQLite, the statements sent at once, the ballot first (with
/// the groups of `ensure` made after it) and the answers waiting last, if
/// they are due to be opened; on Postgres, a batch's in one statement
/// ([`CAST_POSTGRES`]).
///
/// Until then the database holds the answers only sealed with the server's
/// key, so a copy of its files taken between two folds (SQLite's `-wal`
/// included) shows each submission as a blob of one size and the counts
/// unchanged. When the counts do move, every count of the group is
/// rewritten in one statement: a count that changed alone would stand out
/// by its row version (Postgres shows it to any reader as `xmin`) as the
/// value the last step added to. Every possible value has its row, at
/// zero, from the group's first fold on: a row created for a new value would
/// say which value was chosen.
fn cast_sqlite(ensure: &[NewGroup]) -> String {
    let mut sql = String::from(concat!(ballot!(), ";\n"));
    if !ensure.is_empty() {
        groups::push_ensure_statement(&mut sql, 4, 10, ensure.len());
        sql.push_str(";\n");
    }
    sql.push_str(concat!(
        submitted!(),
        ";\n",
        sealed!(),
        ";\n",
        counted!(),
        ";\n",
        waiting!()
    ));
    sql
}

/// [`cast_sqlite`]'s writes for a batch of submissions on Postgres, in one
/// statement: `$1` is the batch as a JSON array of [`CastRow`]. The groups'
/// rows are locked first, in one order whoever writes (two instances'
/// batches never wait on each other in a circle), and held to its commit at
/// the statement's end, so the counts it returns are the groups' then. A
/// ballot already in, or a second one of a person in the batch, writes
/// nothing of its submission; one whose group is not there (it always is:
/// groups are made before and never removed) neither. Returns, for each
/// submission of the batch by its place `n`, whether it was written and its
/// group's ballots and counted after the batch.
const CAST_POSTGRES: &str = "with given as materialized (
         select * from json_to_recordset(cast($1 as json)) as g(n bigint, meeting_id text,
             answers text, at bigint, round_id text, person_id text, id text, group_id text,
             sealed text)
     ),
     grouped as materialized (
         select round_id, group_id from round_groups
         where (round_id, group_id) in (select round_id, group_id from given)
         order by round_id, group_id
         for update
     ),
     once as materialized (
         select distinct on (round_id, person_id) given.* from given join grouped using (round_id, group_id)
         order by round_id, person_id, n
     ),
     ballot as (
         insert into ballots (round_id, person_id) select round_id, person_id from once
         on conflict do nothing
         returning round_id, person_id
     ),
     taken as materialized (select once.* from once join ballot using (round_id, person_id)),
     answers as (
         insert into checkins (meeting_id, draft, submitted, updated_at, submitted_at)
         select meeting_id, answers, answers, at, at from taken
         on conflict (meeting_id) do update set draft = excluded.draft, submitted = excluded.submitted,
             updated_at = excluded.updated_at, submitted_at = excluded.submitted_at
     ),
     sealed as (
         insert into pending_ballots (id, round_id, group_id, sealed)
         select id, round_id, group_id, sealed from taken
     ),
     counted as (
         update round_groups g set ballots = g.ballots + t.n
         from (select round_id, group_id, count(*) as n from taken group by round_id, group_id) t
         where g.round_id = t.round_id and g.group_id = t.group_id
         returning g.round_id, g.group_id, g.ballots, g.counted
     )
     select given.n, taken.n is not null as written,
         exists (select 1 from grouped where grouped.round_id = given.round_id
             and grouped.group_id = given.group_id) as grouped,
         counted.ballots, counted.counted
     from given
     left join taken on taken.n = given.n
     left join counted on counted.round_id = taken.round_id and counted.group_id = taken.group_id";

/// A submission as [`CAST_POSTGRES`] takes it.
#[derive(serde::Serialize)]
struct CastRow<'a> {
    n: usize,
    meeting_id: &'a str,
    answers: &'a str,
    at: i64,
    round_id: &'a str,
    person_id: &'a str,
    id: String,
    group_id: &'a str,
    sealed: &'a str,
}

/// Writes a batch of submissions on Postgres on `conn` ([`CAST_POSTGRES`],
/// one statement, its own transaction), setting each one's outcome; `Err`
/// when the statement failed (nothing is written when Postgres refused it;
/// a connection lost at its commit leaves it unknown, as for any write).
/// Then opens what they made due, each step a statement of its own
/// written only if nobody opened it meanwhile ([`open_steps`]). The submissions are in by then:
/// whatever stops an opening (an answer damaged, or sealed with another
/// key, found before anything of its step is written) leaves the group
/// waiting, for the next submission to it or [`Db::open_due`].
async fn cast_postgres(
    conn: &mut AnyConnection,
    casts: &mut [&mut Pending<Box<Cast>, SubmitOutcome>],
) -> DbResult<()> {
    if casts.is_empty() {
        return Ok(());
    }
    let rows: Vec<CastRow> = casts
        .iter()
        .enumerate()
        .map(|(n, pending)| {
            let c = &pending.write;
            CastRow {
                n,
                meeting_id: &c.meeting_id,
                answers: &c.json,
                at: c.now,
                round_id: &c.round_id,
                person_id: &c.person_id,
                id: super::new_id(),
                group_id: &c.group,
                sealed: &c.sealed,
            }
        })
        .collect();
    let written = sqlx::query(CAST_POSTGRES)
        .bind(to_json(&rows)?)
        .fetch_all(&mut *conn)
        .await?;
    // The statement is committed: nothing from here on fails the batch.
    let due = match outcomes(casts, written) {
        Ok(due) => due,
        Err(error) => {
            // The submissions left without an outcome are answered that
            // their write was not made, as if their connection had failed.
            tracing::error!(%error, "a batch's outcome could not be read");
            return Ok(());
        }
    };
    for (n, ballots, counted) in due {
        let Some(pending) = casts.get(n) else {
            continue;
        };
        let group = pending.write.group();
        let opened = open_steps(conn, super::Backend::Postgres, &group, (ballots, counted));
        if let Err(error) = opened.await {
            tracing::error!(%error, "opening a group's answers failed");
        }
    }
    Ok(())
}

/// Sets each submission's outcome from [`CAST_POSTGRES`]'s rows, and
/// returns the groups they made due, each once: (a submission in it,
/// ballots, counted).
fn outcomes(
    casts: &mut [&mut Pending<Box<Cast>, SubmitOutcome>],
    written: Vec<sqlx::any::AnyRow>,
) -> DbResult<Vec<(usize, i64, i64)>> {
    let mut due = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in written {
        let n = usize::try_from(row.try_get::<i64, _>(0)?).map_err(|_| sqlx::Error::RowNotFound)?;
        let pending = casts.get_mut(n).ok_or(sqlx::Error::RowNotFound)?;
        let outcome = if row.try_get::<bool, _>(1)? {
            let (ballots, counted): (i64, i64) = (row.try_get(3)?, row.try_get(4)?);
            let group = pending.write.group();
            if group.due(ballots, counted)
                && seen.insert((group.round_id.to_owned(), group.group.to_owned()))
            {
                due.push((n, ballots, counted));
            }
            Ok(SubmitOutcome::Stored { sealed: true })
        } else if row.try_get::<bool, _>(2)? {
            Ok(SubmitOutcome::AlreadySealed)
        } else {
            Err(sqlx::Error::RowNotFound)
        };
        pending.outcome = Some(outcome);
    }
    Ok(due)
}

/// Opens answers that wait in a group, `waiting` as (id, sealed), and adds
/// them to its counts; its counted ballots go from `counted` up by as many.
///
/// Every possible answer of every anonymous question gets its row written,
/// with what it adds (most add nothing), in one statement: on the first fold
/// the rows are made, all at once, and later each is rewritten. With it, in
/// the same round trip, the opened answers go and the group's counted
/// ballots catch up. On Postgres all of it only if the group's counted
/// ballots are still `counted`, so a step is opened once when two try it;
/// returns whether it was written. (On SQLite the one writer's transaction
/// holds the file, so nobody else can have moved them.)
async fn fold(
    conn: &mut AnyConnection,
    backend: super::Backend,
    group: &GroupAt<'_>,
    counted: i64,
    waiting: &[(String, String)],
) -> DbResult<bool> {
    // (question, answer) -> how many of the waiting chose it; every possible
    // value is there, at zero if nobody did. The round's template never
    // changes: a new version is a new template.
    let mut counts: std::collections::BTreeMap<(String, String), i64> =
        std::collections::BTreeMap::new();
    for question in group
        .template
        .questions()
        .filter(|q| q.visibility == Visibility::Anonymous)
    {
        let values = question
            .kind
            .values()
            .into_iter()
            .chain([Answer::PreferNotToSay]);
        for value in values {
            counts.insert((question.id.clone(), to_json(&value)?), 0);
        }
    }
    for (_, sealed) in waiting {
        let plain = group
            .key
            .open(sealed)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        // serde's message can quote what it read: only where it stopped.
        let answers: Answers = serde_json::from_slice(&plain).map_err(|e| {
            let at = format!("opened answers unreadable at column {}", e.column());
            sqlx::Error::Decode(at.into())
        })?;
        for (question_id, answer) in &answers {
            *counts
                .entry((question_id.clone(), to_json::<Answer>(answer)?))
                .or_default() += 1;
        }
    }
    let rows: Vec<String> = (0..counts.len())
        .map(|i| format!("($1, $2, ${}, ${}, ${})", 3 * i + 5, 3 * i + 6, 3 * i + 7))
        .collect();
    let opened: Vec<String> = (0..waiting.len())
        .map(|i| format!("${}", 3 * counts.len() + 5 + i))
        .collect();
    let (rows, opened) = (rows.join(", "), opened.join(", "));
    const COUNTED: &str = "update round_groups set counted = $3
         where round_id = $1 and group_id = $2 and counted = $4";
    const TALLIES: &str =
        "insert into group_tallies (round_id, group_id, question_id, answer, count)";
    const ADDED: &str = "on conflict (round_id, group_id, question_id, answer)
         do update set count = group_tallies.count + excluded.count";
    let sql = match backend {
        super::Backend::Sqlite => format!(
            "{TALLIES} values {rows} {ADDED};
             delete from pending_ballots where id in ({opened});
             {COUNTED}"
        ),
        super::Backend::Postgres => format!(
            "with counted as ({COUNTED} returning 1),
             done as (delete from pending_ballots where id in ({opened})
                 and exists (select 1 from counted))
             {TALLIES} select * from (values {rows}) as v
             where exists (select 1 from counted) {ADDED}"
        ),
    };
    let opened = i64::try_from(waiting.len()).unwrap_or(i64::MAX);
    let mut write = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(group.round_id)
        .bind(group.group)
        .bind(counted.saturating_add(opened))
        .bind(counted);
    for ((question_id, answer), n) in counts {
        write = write.bind(question_id).bind(answer).bind(n);
    }
    for (id, _) in waiting {
        write = write.bind(id);
    }
    let written = write.execute(&mut *conn).await?;
    Ok(backend == super::Backend::Sqlite || written.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Question, QuestionKind, Section};

    fn anonymous(id: &str, kind: QuestionKind) -> Question {
        Question {
            id: id.to_owned(),
            prompt: id.to_owned(),
            kind,
            visibility: Visibility::Anonymous,
            required: false,
        }
    }

    #[test]
    fn every_ballot_of_a_form_is_sealed_to_one_size_whatever_was_chosen() {
        let long_option = "a much longer option, \"quoted\" ".repeat(40);
        let template = Template {
            name: "t".to_owned(),
            version: 1,
            sections: vec![Section {
                title: "s".to_owned(),
                questions: vec![
                    anonymous(
                        "morale",
                        QuestionKind::Scale {
                            min: 1,
                            max: 10,
                            min_label: String::new(),
                            max_label: String::new(),
                        },
                    ),
                    anonymous(
                        "mood",
                        QuestionKind::SingleChoice {
                            options: vec!["ok".to_owned(), long_option.clone()],
                        },
                    ),
                ],
            }],
        };
        let key = ServerKey::random();
        let longest = longest_ballot(&template).unwrap();
        let ballot = |morale: Answer, mood: Answer| {
            let answers = Answers::from([("morale".to_owned(), morale), ("mood".to_owned(), mood)]);
            let json = to_json(&answers).unwrap();
            assert!(json.len() <= longest, "{json} is longer than {longest}");
            key.seal(json.as_bytes(), longest).unwrap()
        };
        let sizes: std::collections::BTreeSet<usize> = [
            ballot(Answer::Scale(1), Answer::Choice("ok".to_owned())),
            ballot(Answer::Scale(10), Answer::Choice(long_option)),
            ballot(Answer::PreferNotToSay, Answer::PreferNotToSay),
        ]
        .iter()
        .map(String::len)
        .collect();
        assert_eq!(sizes.len(), 1, "sizes: {sizes:?}");
    }
}
