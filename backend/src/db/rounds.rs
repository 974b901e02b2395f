//! Rounds, their meetings and personal links, and what the leader reads.

use shared::{Answers, Template};
use sqlx::FromRow;

use super::directory::parse_template;
use super::{Db, DbResult, count};

/// A round as the leader's pages need it.
#[derive(Debug, Clone, FromRow)]
pub struct RoundRow {
    pub id: String,
    pub name: String,
    pub cadence: String,
    pub k_threshold: i64,
    pub ballots: i64,
    /// When the round opened (or was made).
    pub opens_at: i64,
    pub template_name: String,
    pub template_body: String,
    pub meetings: i64,
    pub submitted: i64,
}

impl RoundRow {
    /// The round's template.
    pub fn template(&self) -> DbResult<Template> {
        parse_template(&self.template_body)
    }

    /// The round's anonymity threshold.
    pub fn k(&self) -> u32 {
        count(self.k_threshold)
    }
}

/// One meeting, with its person and where the check-in stands.
#[derive(Debug, Clone, FromRow)]
pub struct MeetingRow {
    pub id: String,
    pub round_id: String,
    pub round_name: String,
    pub person_id: String,
    pub person_name: String,
    pub person_title: String,
    pub manager_name: Option<String>,
    pub scheduled_at: i64,
    pub has_checkin: i64,
    pub submitted: Option<String>,
    pub submitted_at: Option<i64>,
    pub template_body: String,
}

impl MeetingRow {
    /// The template version this meeting's check-in answers.
    pub fn template(&self) -> DbResult<Template> {
        parse_template(&self.template_body)
    }

    /// The submitted confidential answers.
    pub fn submitted_answers(&self) -> DbResult<Answers> {
        match &self.submitted {
            Some(json) => serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e))),
            None => Ok(Answers::new()),
        }
    }
}

/// A manager's estimate for a round (absent if not given yet).
#[derive(Debug, Clone, FromRow)]
pub struct EstimateRow {
    pub manager_id: String,
    pub manager_name: String,
    pub morale: Option<i64>,
}

const ROUND_SELECT: &str = "select r.id, r.name, r.cadence, r.k_threshold,
        (select count(*) from ballots b where b.round_id = r.id) as ballots,
        case when r.opens_at > 0 then r.opens_at else r.created_at end as opens_at,
        t.name as template_name, t.body as template_body,
        (select count(*) from meetings m where m.round_id = r.id) as meetings,
        (select count(*) from meetings m join checkins c on c.meeting_id = m.id
          where m.round_id = r.id and c.submitted_at is not null) as submitted
     from rounds r join templates t on t.id = r.template_id";

const MEETING_SELECT: &str = "select m.id, m.round_id, r.name as round_name, m.person_id,
        p.name as person_name, p.title as person_title, boss.name as manager_name,
        m.scheduled_at,
        (select count(*) from checkins c where c.meeting_id = m.id) as has_checkin,
        c.submitted, c.submitted_at, t.body as template_body
     from meetings m
     join rounds r on r.id = m.round_id
     join templates t on t.id = r.template_id
     join people p on p.id = m.person_id
     left join people boss on boss.id = p.manager_id
     left join checkins c on c.meeting_id = m.id";

impl Db {
    /// Creates a round.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_round(
        &self,
        id: &str,
        org_id: &str,
        leader_id: &str,
        template_id: &str,
        name: &str,
        cadence: &str,
        k: u32,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into rounds (id, org_id, leader_id, template_id, name, cadence, k_threshold, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(org_id)
        .bind(leader_id)
        .bind(template_id)
        .bind(name)
        .bind(cadence)
        .bind(i64::from(k))
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Stores a manager's perception link's hash.
    pub async fn insert_manager_link(
        &self,
        round_id: &str,
        manager_id: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into links (token_hash, kind, round_id, person_id, meeting_id, expires_at)
             values ($1, 'manager', $2, $3, null, $4)",
        )
        .bind(token_hash)
        .bind(round_id)
        .bind(manager_id)
        .bind(expires_at)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Moves a meeting (a test and an admin need this).
    pub async fn reschedule_meeting(&self, meeting_id: &str, scheduled_at: i64) -> DbResult<()> {
        sqlx::query("update meetings set scheduled_at = $1 where id = $2")
            .bind(scheduled_at)
            .bind(meeting_id)
            .execute(&self.writer)
            .await
            .map(|_| ())
    }

    /// The rounds a leader runs, newest first.
    pub async fn rounds_of_leader(&self, leader_id: &str) -> DbResult<Vec<RoundRow>> {
        let sql =
            format!("{ROUND_SELECT} where r.leader_id = $1 order by r.created_at desc, r.name");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .fetch_all(&self.pool)
            .await
    }

    /// One of a leader's rounds.
    pub async fn round_of_leader(
        &self,
        leader_id: &str,
        round_id: &str,
    ) -> DbResult<Option<RoundRow>> {
        let sql = format!("{ROUND_SELECT} where r.leader_id = $1 and r.id = $2");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(round_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// A round's meetings, in date order.
    pub async fn meetings_of_round(&self, round_id: &str) -> DbResult<Vec<MeetingRow>> {
        let sql = format!("{MEETING_SELECT} where m.round_id = $1 order by m.scheduled_at, p.name");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A series' meetings, newest first.
    pub async fn meetings_of_series(&self, series_id: &str) -> DbResult<Vec<MeetingRow>> {
        let sql =
            format!("{MEETING_SELECT} where r.series_id = $1 order by m.scheduled_at desc, p.name");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(series_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A leader's meetings from `from` up to `to`, by time.
    pub async fn meetings_between(
        &self,
        leader_id: &str,
        from: i64,
        to: i64,
    ) -> DbResult<Vec<MeetingRow>> {
        let sql = format!(
            "{MEETING_SELECT} where r.leader_id = $1 and m.scheduled_at >= $2 and m.scheduled_at < $3
             order by m.scheduled_at, p.name"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
    }

    /// A person's meetings in a leader's rounds, newest first.
    pub async fn meetings_with(
        &self,
        leader_id: &str,
        person_id: &str,
    ) -> DbResult<Vec<MeetingRow>> {
        let sql = format!(
            "{MEETING_SELECT} where r.leader_id = $1 and m.person_id = $2 order by m.scheduled_at desc"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await
    }

    /// One meeting of one of a leader's rounds.
    pub async fn meeting_of_leader(
        &self,
        leader_id: &str,
        meeting_id: &str,
    ) -> DbResult<Option<MeetingRow>> {
        let sql = format!("{MEETING_SELECT} where m.id = $1 and r.leader_id = $2");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(meeting_id)
            .bind(leader_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Every manager with a perception link in a round, and their estimate.
    pub async fn estimates_of_round(&self, round_id: &str) -> DbResult<Vec<EstimateRow>> {
        sqlx::query_as(
            "select p.id as manager_id, p.name as manager_name, e.morale
             from links l
             join people p on p.id = l.person_id
             left join manager_estimates e on e.round_id = l.round_id and e.manager_id = l.person_id
             where l.round_id = $1 and l.kind = 'manager'
             order by p.name",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
    }
}
