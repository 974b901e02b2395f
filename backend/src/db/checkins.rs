//! Personal links, check-ins, anonymous ballots and managers' estimates.
//!
//! The anonymous side is kept apart on purpose: a ballot says only "this person
//! has answered in this round"; the answers go into per-value counts that hold
//! no person, no time and no order.

use shared::{Answer, Answers, Template, Visibility};
use sqlx::FromRow;

use super::directory::parse_template;
use super::{Db, DbResult, groups};
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

    /// Saves what the employee has typed of the confidential answers.
    pub async fn save_draft(&self, meeting_id: &str, answers: &Answers, now: i64) -> DbResult<()> {
        sqlx::query(
            "insert into checkins (meeting_id, draft, updated_at) values ($1, $2, $3)
             on conflict (meeting_id) do update set draft = excluded.draft, updated_at = excluded.updated_at",
        )
        .bind(meeting_id)
        .bind(to_json(answers)?)
        .bind(now)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Submits a check-in: the confidential answers for the leader, and, once per
    /// person and round, the anonymous answers as counts.
    ///
    /// Runs in one transaction: the ballot, the counts and the release of new
    /// figures stand or fall together.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_checkin(
        &self,
        link: &LinkRow,
        meeting_id: &str,
        template: &Template,
        confidential: &Answers,
        anonymous: &Answers,
        key: &ServerKey,
        now: i64,
    ) -> DbResult<SubmitOutcome> {
        let mut tx = self.pool.begin().await?;
        let json = to_json(confidential)?;
        sqlx::query(
            "insert into checkins (meeting_id, draft, submitted, updated_at, submitted_at) values ($1, $2, $2, $3, $3)
             on conflict (meeting_id) do update set draft = excluded.draft, submitted = excluded.submitted,
                 updated_at = excluded.updated_at, submitted_at = excluded.submitted_at",
        )
        .bind(meeting_id)
        .bind(&json)
        .bind(now)
        .execute(&mut *tx)
        .await?;

        let mut sealed: i64 = sqlx::query_scalar(
            "select count(*) from ballots where round_id = $1 and person_id = $2",
        )
        .bind(&link.round_id)
        .bind(&link.person_id)
        .fetch_one(&mut *tx)
        .await?;
        if !anonymous.is_empty() {
            let ballot = sqlx::query("insert into ballots (round_id, person_id) values ($1, $2)")
                .bind(&link.round_id)
                .bind(&link.person_id)
                .execute(&mut *tx)
                .await;
            match ballot {
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Ok(SubmitOutcome::AlreadySealed);
                }
                other => {
                    other?;
                }
            }
            add_to_tallies(&mut tx, link, template, anonymous, key).await?;
            sealed = 1;
        }
        tx.commit().await?;
        Ok(SubmitOutcome::Stored { sealed: sealed > 0 })
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
        .execute(&self.pool)
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

/// Puts a ballot's anonymous answers aside, sealed, in the group of the
/// breakdown they will be counted in (fixed now, for good); when that group
/// has k of them waiting, opens them, adds them to its counts at once, and so
/// releases new figures.
///
/// Until then the database holds the answers only sealed with the server's
/// key, so a copy of its files taken between two folds (SQLite's `-wal`
/// included) shows each submission as a blob of one size and the counts
/// unchanged. When the counts do move, every count of the group is
/// rewritten in one statement: a count that changed alone would share its
/// row version with the ballot written in the same transaction (Postgres
/// shows it to any reader as `xmin`). Every possible value has its row, at
/// zero, from the group's first fold on: a row created for a new value would
/// say which value was chosen.
async fn add_to_tallies(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    link: &LinkRow,
    template: &Template,
    anonymous: &Answers,
    key: &ServerKey,
) -> DbResult<()> {
    let round_id = link.round_id.as_str();
    // Bumping the counters locks the round's and the group's rows, so
    // concurrent submissions each see their own exact count.
    let k: i64 = sqlx::query_scalar(
        "update rounds set ballots = ballots + 1 where id = $1 returning k_threshold",
    )
    .bind(round_id)
    .fetch_one(&mut **tx)
    .await?;
    let chain = groups::place(tx, round_id, &link.person_id, super::count(k)).await?;
    groups::ensure(tx, round_id, &chain).await?;
    let group = chain
        .last()
        .map_or(crate::breakdown::WHOLE_ROUND, |g| g.id.as_str());
    let (ballots, counted): (i64, i64) = sqlx::query_as(
        "update round_groups set ballots = ballots + 1 where round_id = $1 and group_id = $2
         returning ballots, counted",
    )
    .bind(round_id)
    .bind(group)
    .fetch_one(&mut **tx)
    .await?;
    let sealed = key
        .seal(to_json(anonymous)?.as_bytes())
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "insert into pending_ballots (id, round_id, group_id, sealed) values ($1, $2, $3, $4)",
    )
    .bind(super::new_id())
    .bind(round_id)
    .bind(group)
    .bind(sealed)
    .execute(&mut **tx)
    .await?;
    if k <= 0 || ballots - counted < k {
        return Ok(());
    }
    fold(tx, round_id, group, template, key, ballots).await
}

/// Opens the k answers that wait in a group and adds them to its counts.
async fn fold(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    round_id: &str,
    group: &str,
    template: &Template,
    key: &ServerKey,
    ballots: i64,
) -> DbResult<()> {
    let waiting: Vec<String> = sqlx::query_scalar(
        "select sealed from pending_ballots where round_id = $1 and group_id = $2",
    )
    .bind(round_id)
    .bind(group)
    .fetch_all(&mut **tx)
    .await?;
    let mut counts: std::collections::BTreeMap<(String, String), i64> =
        std::collections::BTreeMap::new();
    for sealed in &waiting {
        let plain = key
            .open(sealed)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let answers: Answers =
            serde_json::from_slice(&plain).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        for (question_id, answer) in &answers {
            *counts
                .entry((question_id.clone(), to_json::<Answer>(answer)?))
                .or_default() += 1;
        }
    }
    let seeded: i64 = sqlx::query_scalar(
        "select count(*) from group_tallies where round_id = $1 and group_id = $2",
    )
    .bind(round_id)
    .bind(group)
    .fetch_one(&mut **tx)
    .await?;
    // The round's template never changes: a new version is a new template.
    if seeded == 0 {
        let anonymous_questions = template
            .questions()
            .filter(|q| q.visibility == Visibility::Anonymous);
        for question in anonymous_questions {
            let values = question
                .kind
                .values()
                .into_iter()
                .chain([Answer::PreferNotToSay]);
            for value in values {
                sqlx::query(
                    "insert into group_tallies (round_id, group_id, question_id, answer, count)
                     values ($1, $2, $3, $4, 0)
                     on conflict (round_id, group_id, question_id, answer) do nothing",
                )
                .bind(round_id)
                .bind(group)
                .bind(&question.id)
                .bind(to_json(&value)?)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    // count = count + (n where the answer is one of these, else 0), for every row.
    let cases: Vec<String> = (0..counts.len())
        .map(|i| {
            format!(
                "when question_id = ${} and answer = ${} then ${}",
                3 * i + 3,
                3 * i + 4,
                3 * i + 5
            )
        })
        .collect();
    let sql = if cases.is_empty() {
        "update group_tallies set count = count where round_id = $1 and group_id = $2".to_owned()
    } else {
        format!(
            "update group_tallies set count = count + case {} else 0 end where round_id = $1 and group_id = $2",
            cases.join(" ")
        )
    };
    let mut update = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(group);
    for ((question_id, answer), n) in &counts {
        update = update
            .bind(question_id.clone())
            .bind(answer.clone())
            .bind(*n);
    }
    update.execute(&mut **tx).await?;
    sqlx::query("delete from pending_ballots where round_id = $1 and group_id = $2")
        .bind(round_id)
        .bind(group)
        .execute(&mut **tx)
        .await?;
    sqlx::query("update round_groups set counted = $1 where round_id = $2 and group_id = $3")
        .bind(ballots)
        .bind(round_id)
        .bind(group)
        .execute(&mut **tx)
        .await?;
    let folded = i64::try_from(waiting.len()).unwrap_or(0);
    sqlx::query("update rounds set released_n = released_n + $1 where id = $2")
        .bind(folded)
        .bind(round_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
