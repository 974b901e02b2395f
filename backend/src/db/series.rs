//! Series, their rounds (one per quarter), the history rotation reads, and
//! meetings as a series schedules them.

use sqlx::FromRow;

use super::{Db, DbResult};

/// A series as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SeriesRow {
    pub id: String,
    pub org_id: String,
    pub leader_id: String,
    pub kind: String,
    pub name: String,
    pub template_key: String,
    pub cadence: String,
    pub depth: Option<i64>,
    /// JSON array of team names.
    pub teams: String,
    pub per_week: i64,
    pub interval_weeks: i64,
    pub created_at: i64,
    /// When the leader stopped it, if they did.
    pub stopped_at: Option<i64>,
}

impl SeriesRow {
    /// The teams to include; empty = every team.
    pub fn teams(&self) -> Vec<String> {
        serde_json::from_str(&self.teams).unwrap_or_default()
    }
}

/// One past or planned meeting of a leader, for rotation.
#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    pub person_id: String,
    pub scheduled_at: i64,
    pub series_id: Option<String>,
    pub round_id: String,
}

/// Everything an invitation says about one meeting.
#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub meeting_id: String,
    pub round_id: String,
    pub person_id: String,
    pub person_name: String,
    pub person_email: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    pub leader_name: String,
    pub leader_title: String,
    pub leader_email: String,
    pub org_name: String,
    pub series_kind: Option<String>,
    pub scheduled_at: i64,
    pub duration_minutes: i64,
    pub k_threshold: i64,
}

/// A new round for a series.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    pub id: &'a str,
    pub series: &'a SeriesRow,
    pub name: &'a str,
    pub opens_at: i64,
    pub closes_at: i64,
    pub k: u32,
}

const SERIES_SELECT: &str =
    "select id, org_id, leader_id, kind, name, template_key, cadence, depth, teams,
        per_week, interval_weeks, created_at, stopped_at from series";

impl Db {
    /// Stores a new series.
    pub async fn insert_series(&self, s: &SeriesRow) -> DbResult<()> {
        sqlx::query(
            "insert into series (id, org_id, leader_id, kind, name, template_key, cadence, depth, teams,
                                 per_week, interval_weeks, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&s.id)
        .bind(&s.org_id)
        .bind(&s.leader_id)
        .bind(&s.kind)
        .bind(&s.name)
        .bind(&s.template_key)
        .bind(&s.cadence)
        .bind(s.depth)
        .bind(&s.teams)
        .bind(s.per_week)
        .bind(s.interval_weeks)
        .bind(s.created_at)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// A leader's series, oldest first.
    pub async fn series_of_leader(&self, leader_id: &str) -> DbResult<Vec<SeriesRow>> {
        let sql = format!("{SERIES_SELECT} where leader_id = $1 order by created_at, name");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Stops a series; its rounds and meetings stay.
    pub async fn stop_series(&self, leader_id: &str, id: &str, now: i64) -> DbResult<bool> {
        let done = sqlx::query(
            "update series set stopped_at = coalesce(stopped_at, $3) where id = $1 and leader_id = $2",
        )
        .bind(id)
        .bind(leader_id)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// One of a leader's series.
    pub async fn series_one(&self, leader_id: &str, id: &str) -> DbResult<Option<SeriesRow>> {
        let sql = format!("{SERIES_SELECT} where leader_id = $1 and id = $2");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The newest version of a template of the organisation: (id, name).
    pub async fn latest_template(
        &self,
        org_id: &str,
        key: &str,
    ) -> DbResult<Option<(String, String)>> {
        sqlx::query_as(
            "select id, name from templates where org_id = $1 and template_key = $2
             order by version desc limit 1",
        )
        .bind(org_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
    }

    /// The series' round whose window holds `at`, if it exists.
    pub async fn round_at(&self, series_id: &str, at: i64) -> DbResult<Option<String>> {
        sqlx::query_scalar(
            "select id from rounds where series_id = $1 and opens_at <= $2 and closes_at > $2",
        )
        .bind(series_id)
        .bind(at)
        .fetch_optional(&self.pool)
        .await
    }

    /// Opens a round of a series with the newest version of its template;
    /// its k is locked from now on. Returns its id, or the id of the round
    /// another request opened for the same window meanwhile.
    pub async fn open_round(&self, r: &NewRound<'_>, now: i64) -> DbResult<String> {
        let mut tx = self.writer.begin().await?;
        // Serialises two requests opening the same quarter: the second waits
        // for the first's row lock and then finds its round.
        sqlx::query("update series set created_at = created_at where id = $1")
            .bind(&r.series.id)
            .execute(&mut *tx)
            .await?;
        let existing: Option<String> = sqlx::query_scalar(
            "select id from rounds where series_id = $1 and opens_at <= $2 and closes_at > $2",
        )
        .bind(&r.series.id)
        .bind(r.opens_at)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let cadence = if r.series.cadence == "quarterly" {
            "quarterly"
        } else {
            "weekly"
        };
        sqlx::query(
            "insert into rounds (id, org_id, leader_id, template_id, name, cadence, k_threshold, created_at,
                                 series_id, opens_at, closes_at)
             values ($1, $2, $3,
                     (select id from templates where org_id = $2 and template_key = $4 order by version desc limit 1),
                     $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.id)
        .bind(&r.series.org_id)
        .bind(&r.series.leader_id)
        .bind(&r.series.template_key)
        .bind(r.name)
        .bind(cadence)
        .bind(i64::from(r.k))
        .bind(now)
        .bind(&r.series.id)
        .bind(r.opens_at)
        .bind(r.closes_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.id.to_owned())
    }

    /// A series round's window (opens, closes); none for rounds without one.
    pub async fn round_window(&self, round_id: &str) -> DbResult<Option<(i64, i64)>> {
        sqlx::query_as("select opens_at, closes_at from rounds where id = $1 and closes_at > 0")
            .bind(round_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Cancels a meeting: it, its links and its check-in (the confidential
    /// answers) go. An anonymous ballot already cast stays counted: nothing
    /// links it to the person, so it can't be taken back.
    pub async fn cancel_meeting(&self, meeting_id: &str) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        for sql in [
            "delete from links where meeting_id = $1",
            "delete from checkins where meeting_id = $1",
            "delete from meetings where id = $1",
        ] {
            sqlx::query(sql).bind(meeting_id).execute(&mut *tx).await?;
        }
        self.commit_replanned(tx).await
    }

    /// Whether a person has a meeting still to come.
    pub async fn has_upcoming_meeting(&self, person_id: &str, now: i64) -> DbResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from meetings where person_id = $1 and scheduled_at > $2",
        )
        .bind(person_id)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// When a round's window closes.
    pub async fn round_closes_at(&self, round_id: &str) -> DbResult<Option<i64>> {
        sqlx::query_scalar("select closes_at from rounds where id = $1 and closes_at > 0")
            .bind(round_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Every meeting a leader has had or planned, in any round.
    pub async fn history_of_leader(&self, leader_id: &str) -> DbResult<Vec<HistoryRow>> {
        sqlx::query_as(
            "select m.person_id, m.scheduled_at, r.series_id, r.id as round_id
             from meetings m join rounds r on r.id = m.round_id
             where r.leader_id = $1
             order by m.scheduled_at",
        )
        .bind(leader_id)
        .fetch_all(&self.pool)
        .await
    }

    /// People skipped in a round.
    pub async fn skipped(&self, round_id: &str) -> DbResult<Vec<String>> {
        sqlx::query_scalar("select person_id from rotation_skips where round_id = $1")
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Skips a person for a round's proposals.
    pub async fn skip(&self, round_id: &str, person_id: &str) -> DbResult<()> {
        sqlx::query(
            "insert into rotation_skips (round_id, person_id) values ($1, $2)
             on conflict (round_id, person_id) do nothing",
        )
        .bind(round_id)
        .bind(person_id)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Schedules a meeting with its invite link; `Ok(false)` when the person
    /// already has a meeting in this round.
    #[allow(clippy::too_many_arguments)]
    pub async fn schedule(
        &self,
        id: &str,
        round_id: &str,
        person_id: &str,
        at: i64,
        duration_minutes: u32,
        invite_hash: &str,
        expires_at: i64,
    ) -> DbResult<bool> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "insert into meetings (id, round_id, person_id, scheduled_at, duration_minutes) values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(round_id)
        .bind(person_id)
        .bind(at)
        .bind(i64::from(duration_minutes))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => other?,
        };
        insert_invite(&mut tx, id, round_id, person_id, invite_hash, expires_at).await?;
        self.commit_replanned(tx).await?;
        Ok(true)
    }

    /// Adds an invite link to a meeting; with `replace`, every other invite
    /// link of the meeting stops working, in the same transaction.
    pub async fn add_invite(
        &self,
        meeting_id: &str,
        invite_hash: &str,
        expires_at: i64,
        replace: bool,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        // The meeting's row is locked first (a write), so two requests for
        // the same meeting take turns on both databases, and SQLite never
        // has to upgrade a read to a write.
        sqlx::query("update meetings set duration_minutes = duration_minutes where id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        let (round_id, person_id): (String, String) =
            sqlx::query_as("select round_id, person_id from meetings where id = $1")
                .bind(meeting_id)
                .fetch_one(&mut *tx)
                .await?;
        insert_invite(
            &mut tx,
            meeting_id,
            &round_id,
            &person_id,
            invite_hash,
            expires_at,
        )
        .await?;
        if replace {
            drop_others(&mut tx, meeting_id, invite_hash).await?;
        }
        tx.commit().await
    }

    /// Keeps only this invite link of a meeting (`keep = true`), or drops
    /// this one (`keep = false`).
    pub async fn settle_invite(&self, meeting_id: &str, hash: &str, keep: bool) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        if keep {
            drop_others(&mut tx, meeting_id, hash).await?;
        } else {
            sqlx::query("delete from links where token_hash = $1")
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Replaces a meeting's invite link: the old one stops working.
    pub async fn replace_invite(
        &self,
        meeting_id: &str,
        invite_hash: &str,
        expires_at: i64,
    ) -> DbResult<()> {
        self.add_invite(meeting_id, invite_hash, expires_at, true)
            .await
    }

    /// Moves a meeting; its link then works until `expires_at`.
    pub async fn move_meeting(
        &self,
        meeting_id: &str,
        at: i64,
        duration_minutes: u32,
        expires_at: i64,
    ) -> DbResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("update meetings set scheduled_at = $2, duration_minutes = $3 where id = $1")
            .bind(meeting_id)
            .bind(at)
            .bind(i64::from(duration_minutes))
            .execute(&mut *tx)
            .await?;
        sqlx::query("update links set expires_at = $2 where meeting_id = $1 and kind = 'invite'")
            .bind(meeting_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Whether a manager already has their page for a round.
    pub async fn has_manager_link(&self, round_id: &str, manager_id: &str) -> DbResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from links where round_id = $1 and person_id = $2 and kind = 'manager'",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// What an invitation says about a meeting of one of a leader's rounds.
    pub async fn invitation(
        &self,
        leader_id: &str,
        meeting_id: &str,
    ) -> DbResult<Option<InvitationRow>> {
        sqlx::query_as(
            "select m.id as meeting_id, m.round_id, p.id as person_id, p.name as person_name,
                    p.email as person_email, boss.id as manager_id, boss.name as manager_name,
                    boss.email as manager_email,
                    coalesce(lp.name, nullif(a.name, ''), a.email) as leader_name,
                    coalesce(lp.title, '') as leader_title, a.email as leader_email,
                    o.name as org_name, s.kind as series_kind, m.scheduled_at, m.duration_minutes,
                    r.k_threshold
             from meetings m
             join rounds r on r.id = m.round_id
             join organisations o on o.id = r.org_id
             join accounts a on a.id = r.leader_id
             left join people lp on lp.id = a.person_id
             left join series s on s.id = r.series_id
             join people p on p.id = m.person_id
             left join people boss on boss.id = p.manager_id
             where m.id = $1 and r.leader_id = $2",
        )
        .bind(meeting_id)
        .bind(leader_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// A manager's direct reports' meetings in a round: (name, time).
    pub async fn team_meetings(
        &self,
        round_id: &str,
        manager_id: &str,
    ) -> DbResult<Vec<(String, i64)>> {
        sqlx::query_as(
            "select p.name, m.scheduled_at from meetings m join people p on p.id = m.person_id
             where m.round_id = $1 and p.manager_id = $2 order by m.scheduled_at, p.name",
        )
        .bind(round_id)
        .bind(manager_id)
        .fetch_all(&self.pool)
        .await
    }
}

async fn drop_others(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    meeting_id: &str,
    keep_hash: &str,
) -> DbResult<()> {
    sqlx::query(
        "delete from links where meeting_id = $1 and kind = 'invite' and embedded = 0 and token_hash <> $2",
    )
        .bind(meeting_id)
        .bind(keep_hash)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Stores an employee's personal link to a meeting.
pub(super) async fn insert_invite(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    meeting_id: &str,
    round_id: &str,
    person_id: &str,
    invite_hash: &str,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query(
        "insert into links (token_hash, kind, round_id, person_id, meeting_id, expires_at)
         values ($1, 'invite', $2, $3, $4, $5)",
    )
    .bind(invite_hash)
    .bind(round_id)
    .bind(person_id)
    .bind(meeting_id)
    .bind(expires_at)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
