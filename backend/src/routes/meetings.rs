//! The briefing and the meeting itself: what the leader reads before one
//! meeting, the private notes and action items during it, and the
//! follow-ups after it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::api::{Briefing, ErrorBody};
use shared::meeting::{
    ActionItem, ItemUpdate, MeetingView, NewItem, Notes, NotesSaved, PastMeeting, PersonHistory,
    check_item_update, check_new_item, check_notes,
};

use super::rounds::meeting_summary;
use crate::auth::AuthLeader;
use crate::db::{Db, ItemRow, MeetingRow};
use crate::error::{ApiError, ApiJson, valid};

async fn own_meeting(db: &Db, leader: &AuthLeader, id: &str) -> Result<MeetingRow, ApiError> {
    db.meeting_of_leader(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn items(rows: &[ItemRow]) -> Vec<ActionItem> {
    rows.iter().map(ItemRow::to_api).collect()
}

async fn briefing_of(db: &Db, leader: &AuthLeader, m: MeetingRow) -> Result<Briefing, ApiError> {
    let follow_ups = db
        .open_items_with(&leader.account_id, &m.person_id, &m.id)
        .await?;
    Ok(Briefing {
        meeting: meeting_summary(&m),
        template: m.template()?,
        answers: m.submitted_answers()?,
        submitted_at: m.submitted_at,
        follow_ups: items(&follow_ups),
        round_id: m.round_id,
        round_name: m.round_name,
    })
}

/// One meeting's briefing: the person, the confidential answers they
/// submitted (never a draft, never an anonymous answer), and the follow-ups
/// still open from earlier meetings with them. Leaders only, their own meetings.
#[utoipa::path(get, path = "/meetings/{id}", tag = "rounds", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = Briefing), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn briefing(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<Briefing>, ApiError> {
    let m = own_meeting(&db, &leader, &id).await?;
    Ok(Json(briefing_of(&db, &leader, m).await?))
}

/// The meeting view, open during the conversation: the briefing, the
/// template's talking points, the leader's private notes and this meeting's
/// action items. Leaders only, their own meetings; no one else ever reads
/// the notes, admins included.
#[utoipa::path(get, path = "/meetings/{id}/view", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn view(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<MeetingView>, ApiError> {
    let m = own_meeting(&db, &leader, &id).await?;
    let notes = db.notes(&m.id).await?;
    let made_here = db.items_of_meeting(&m.id).await?;
    let briefing = briefing_of(&db, &leader, m).await?;
    let talking_points = briefing
        .template
        .sections
        .iter()
        .map(|s| s.title.clone())
        .collect();
    Ok(Json(MeetingView {
        briefing,
        talking_points,
        notes_updated_at: notes.as_ref().map(|(_, at)| *at),
        notes: notes.map(|(body, _)| body).unwrap_or_default(),
        items: items(&made_here),
    }))
}

/// Saves the leader's private notes for a meeting (the page autosaves as
/// they type). Leaders only, their own meetings.
#[utoipa::path(put, path = "/meetings/{id}/notes", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    request_body = Notes,
    responses((status = 200, body = NotesSaved), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "Too long", body = ErrorBody)))]
pub(super) async fn save_notes(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(notes): ApiJson<Notes>,
) -> Result<Json<NotesSaved>, ApiError> {
    let m = own_meeting(&db, &leader, &id).await?;
    valid(check_notes(&notes))?;
    let now = crate::now();
    db.save_notes(&m.id, &notes.body, now).await?;
    Ok(Json(NotesSaved { updated_at: now }))
}

/// Adds an action item to a meeting, with an owner (the leader, the
/// employee or the employee's manager), a due day and whether the employee
/// sees it. Leaders only, their own meetings.
#[utoipa::path(post, path = "/meetings/{id}/items", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    request_body = NewItem,
    responses((status = 201, body = ActionItem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "A field is not valid", body = ErrorBody)))]
pub(super) async fn add_item(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(item): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<ActionItem>), ApiError> {
    let m = own_meeting(&db, &leader, &id).await?;
    valid(check_new_item(&item))?;
    let item_id = crate::db::new_id();
    db.insert_item(
        &item_id,
        &m.id,
        &m.person_id,
        &leader.account_id,
        &item,
        crate::now(),
    )
    .await?;
    let row = db
        .item_of_leader(&leader.account_id, &item_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(meeting = %m.id, item = %item_id, "action item added");
    Ok((StatusCode::CREATED, Json(row.to_api())))
}

/// Changes an action item; closing it (`done` or `dropped`) records when,
/// and `outcome` says what was done. Leaders only, their own items.
#[utoipa::path(patch, path = "/items/{id}", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Action item id")),
    request_body = ItemUpdate,
    responses((status = 200, body = ActionItem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "A field is not valid", body = ErrorBody)))]
pub(super) async fn update_item(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<ItemUpdate>,
) -> Result<Json<ActionItem>, ApiError> {
    db.item_of_leader(&leader.account_id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    valid(check_item_update(&change))?;
    db.update_item(&id, &change, crate::now()).await?;
    let row = db
        .item_of_leader(&leader.account_id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.to_api()))
}

/// The day the reader is in, for "due or overdue".
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(super) struct Today {
    /// The reader's date, `YYYY-MM-DD` (default: today in UTC).
    today: Option<String>,
}

/// "Circle back": the leader's open items due on `today` or earlier, oldest
/// first. Leaders only.
#[utoipa::path(get, path = "/follow-ups", tag = "meetings", security(("session" = [])),
    params(Today),
    responses((status = 200, body = Vec<ActionItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`today` is not a day", body = ErrorBody)))]
pub(super) async fn circle_back(
    State(db): State<Db>,
    leader: AuthLeader,
    Query(q): Query<Today>,
) -> Result<Json<Vec<ActionItem>>, ApiError> {
    let today = match q.today {
        Some(day) if shared::meeting::is_day(&day) => day,
        Some(_) => return Err(ApiError::field("today", "A day, written like 2026-12-31.")),
        None => chrono::DateTime::from_timestamp(crate::now(), 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    };
    Ok(Json(items(
        &db.circle_back(&leader.account_id, &today).await?,
    )))
}

async fn history_of(db: &Db, leader: &AuthLeader, id: &str) -> Result<PersonHistory, ApiError> {
    let m = own_meeting(db, leader, id).await?;
    let person_title = m.person_title.clone();
    let person_name = m.person_name.clone();
    let mut meetings = Vec::new();
    for past in db.meetings_with(&leader.account_id, &m.person_id).await? {
        meetings.push(past_meeting(db, leader, past).await?);
    }
    Ok(PersonHistory {
        person_name,
        person_title,
        meetings,
    })
}

async fn past_meeting(
    db: &Db,
    leader: &AuthLeader,
    m: MeetingRow,
) -> Result<PastMeeting, ApiError> {
    let notes = db.notes(&m.id).await?.map(|(body, _)| body);
    let made_here = db.items_of_meeting(&m.id).await?;
    Ok(PastMeeting {
        briefing: briefing_of(db, leader, m).await?,
        notes: notes.unwrap_or_default(),
        items: items(&made_here),
    })
}

/// Every meeting of this meeting's person with the leader, newest first:
/// each check-in, the notes and the items. Leaders only, their own meetings.
#[utoipa::path(get, path = "/meetings/{id}/history", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Any meeting with the person")),
    responses((status = 200, body = PersonHistory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn history(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<PersonHistory>, ApiError> {
    Ok(Json(history_of(&db, &leader, &id).await?))
}

fn markdown(name: &str, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One meeting as a Markdown file for the leader's own records: the
/// check-in's confidential answers, the notes and the items. Leaders only,
/// their own meetings.
#[utoipa::path(get, path = "/meetings/{id}/export.md", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "The meeting (text/markdown)", content_type = "text/markdown"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn export_meeting(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let m = own_meeting(&db, &leader, &id).await?;
    let person = m.person_name.clone();
    let past = past_meeting(&db, &leader, m).await?;
    let mut text = format!("# Skip-level with {person}\n\n");
    crate::export::meeting(&past, &mut text);
    Ok(markdown("meeting.md", text))
}

/// The person's whole history with the leader as a Markdown file. Leaders
/// only, their own meetings.
#[utoipa::path(get, path = "/meetings/{id}/history.md", tag = "meetings", security(("session" = [])),
    params(("id" = String, Path, description = "Any meeting with the person")),
    responses((status = 200, description = "The history (text/markdown)", content_type = "text/markdown"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn export_history(
    State(db): State<Db>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let h = history_of(&db, &leader, &id).await?;
    Ok(markdown("history.md", crate::export::history(&h)))
}
