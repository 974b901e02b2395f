//! The leader's private notes and the action items of meetings.

use shared::meeting::{ActionItem, ItemOwner, ItemStatus, ItemUpdate, NewItem, SharedItem};
use sqlx::FromRow;

use super::{Db, DbResult};

/// An action item with its meeting and person.
#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub id: String,
    pub meeting_id: String,
    pub meeting_at: i64,
    pub person_id: String,
    pub person_name: String,
    pub title: String,
    pub owner: String,
    pub due_on: Option<String>,
    pub status: String,
    pub shared: i64,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub outcome: String,
}

impl ItemRow {
    fn owner(&self) -> ItemOwner {
        ItemOwner::parse(&self.owner).unwrap_or(ItemOwner::Leader)
    }

    fn status(&self) -> ItemStatus {
        ItemStatus::parse(&self.status).unwrap_or(ItemStatus::Open)
    }

    /// As the leader sees it.
    pub fn to_api(&self) -> ActionItem {
        ActionItem {
            id: self.id.clone(),
            meeting_id: self.meeting_id.clone(),
            meeting_at: self.meeting_at,
            person_name: self.person_name.clone(),
            title: self.title.clone(),
            owner: self.owner(),
            due_on: self.due_on.clone(),
            status: self.status(),
            shared: self.shared != 0,
            created_at: self.created_at,
            closed_at: self.closed_at,
            outcome: self.outcome.clone(),
        }
    }

    /// As the employee sees it.
    pub fn to_shared(&self) -> SharedItem {
        SharedItem {
            title: self.title.clone(),
            due_on: self.due_on.clone(),
            status: self.status(),
        }
    }
}

const ITEM_SELECT: &str = "select i.id, i.meeting_id, m.scheduled_at as meeting_at, i.person_id,
        p.name as person_name, i.title, i.owner, i.due_on, i.status, i.shared, i.created_at,
        i.closed_at, i.outcome
     from action_items i
     join meetings m on m.id = i.meeting_id
     join people p on p.id = i.person_id";

impl Db {
    /// A meeting's private notes and when they were saved.
    pub async fn notes(&self, meeting_id: &str) -> DbResult<Option<(String, i64)>> {
        sqlx::query_as("select body, updated_at from meeting_notes where meeting_id = $1")
            .bind(meeting_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Saves a meeting's private notes.
    pub async fn save_notes(&self, meeting_id: &str, body: &str, now: i64) -> DbResult<()> {
        sqlx::query(
            "insert into meeting_notes (meeting_id, body, updated_at) values ($1, $2, $3)
             on conflict (meeting_id) do update set body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(meeting_id)
        .bind(body)
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Adds an action item to a meeting.
    pub async fn insert_item(
        &self,
        id: &str,
        meeting_id: &str,
        person_id: &str,
        leader_id: &str,
        item: &NewItem,
        now: i64,
    ) -> DbResult<()> {
        sqlx::query(
            "insert into action_items (id, meeting_id, person_id, leader_id, title, owner, due_on, status, shared, created_at, position)
             values ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9,
                 (select coalesce(max(position), 0) + 1 from action_items where meeting_id = $2))",
        )
        .bind(id)
        .bind(meeting_id)
        .bind(person_id)
        .bind(leader_id)
        .bind(item.title.trim())
        .bind(item.owner.as_str())
        .bind(item.due_on.as_deref().filter(|d| !d.is_empty()))
        .bind(i64::from(item.shared))
        .bind(now)
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// One of a leader's items.
    pub async fn item_of_leader(&self, leader_id: &str, id: &str) -> DbResult<Option<ItemRow>> {
        let sql = format!("{ITEM_SELECT} where i.id = $1 and i.leader_id = $2");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(leader_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The items made in one meeting, in the order they were made.
    pub async fn items_of_meeting(&self, meeting_id: &str) -> DbResult<Vec<ItemRow>> {
        let sql = format!("{ITEM_SELECT} where i.meeting_id = $1 order by i.position");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(meeting_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A leader's open items with a person from meetings other than this
    /// one, oldest first.
    pub async fn open_items_with(
        &self,
        leader_id: &str,
        person_id: &str,
        except_meeting: &str,
    ) -> DbResult<Vec<ItemRow>> {
        let sql = format!(
            "{ITEM_SELECT} where i.leader_id = $1 and i.person_id = $2 and i.meeting_id <> $3
             and i.status = 'open' order by m.scheduled_at, i.position"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(person_id)
            .bind(except_meeting)
            .fetch_all(&self.pool)
            .await
    }

    /// A leader's open items due on or before `today` (`YYYY-MM-DD`), oldest first.
    pub async fn circle_back(&self, leader_id: &str, today: &str) -> DbResult<Vec<ItemRow>> {
        let sql = format!(
            "{ITEM_SELECT} where i.leader_id = $1 and i.status = 'open'
             and i.due_on is not null and i.due_on <= $2 order by i.due_on, m.scheduled_at, i.position"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(today)
            .fetch_all(&self.pool)
            .await
    }

    /// The items a leader shared with a person, newest first.
    pub async fn shared_items(&self, leader_id: &str, person_id: &str) -> DbResult<Vec<ItemRow>> {
        let sql = format!(
            "{ITEM_SELECT} where i.leader_id = $1 and i.person_id = $2 and i.shared = 1
             order by m.scheduled_at desc, i.position limit 50"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(leader_id)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Changes an item; closing it stamps `now`, reopening clears that.
    pub async fn update_item(&self, id: &str, change: &ItemUpdate, now: i64) -> DbResult<()> {
        let due = change
            .due_on
            .as_ref()
            .map(|d| (!d.is_empty()).then(|| d.clone()));
        let closed_at = change
            .status
            .map(|s| (s != ItemStatus::Open).then_some(now));
        sqlx::query(
            "update action_items set
                 title = coalesce($2, title),
                 owner = coalesce($3, owner),
                 due_on = case when $4 = 1 then $5 else due_on end,
                 shared = coalesce($6, shared),
                 status = coalesce($7, status),
                 closed_at = case when $8 = 1 then $9 else closed_at end,
                 outcome = coalesce($10, outcome)
             where id = $1",
        )
        .bind(id)
        .bind(change.title.as_deref().map(str::trim))
        .bind(change.owner.map(ItemOwner::as_str))
        .bind(i64::from(due.is_some()))
        .bind(due.flatten())
        .bind(change.shared.map(i64::from))
        .bind(change.status.map(ItemStatus::as_str))
        .bind(i64::from(closed_at.is_some()))
        .bind(closed_at.flatten())
        .bind(change.outcome.as_deref())
        .execute(&self.writer)
        .await
        .map(|_| ())
    }

    /// Deletes a person's confidential answers, the notes of their meetings
    /// and their action items, in one transaction: (check-ins, notes, items).
    /// Anonymous counts hold no person and stay; the ballot that says they
    /// answered stays too, so they can't answer a round twice.
    pub async fn erase_person_data(&self, person_id: &str) -> DbResult<(u64, u64, u64)> {
        let mut tx = self.writer.begin().await?;
        let mine = "select id from meetings where person_id = $1";
        let checkins = sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from checkins where meeting_id in ({mine})"
        )))
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let notes = sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from meeting_notes where meeting_id in ({mine})"
        )))
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let items = sqlx::query("delete from action_items where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok((checkins, notes, items))
    }
}
