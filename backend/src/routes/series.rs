//! A leader's series: starting one, who to meet next and why, scheduling
//! (with the invitation, its calendar file and the manager's notice), new
//! links, moving a meeting, and the leader's dashboard. Leaders only, and
//! only their own series and meetings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::admin::SendOutcome;
use shared::api::{ErrorBody, MeetingSummary};
use shared::series::{
    Cadence, Dashboard, DashboardMeeting, Invitation, ManagerNotice, NewSeries, Proposal, Reissue,
    RescheduleRequest, ScheduleRequest, SeriesDetail, SeriesKind, SeriesOptions, SeriesProposals,
    SeriesSummary, SkipRequest, TeamCount,
};

use super::rounds::meeting_summary;
use crate::AppState;
use crate::auth::AuthLeader;
use crate::auth::token::{hash_token, new_token};
use crate::db::{Db, InvitationRow, NewRound, PersonRow, SeriesRow, new_id};
use crate::error::{ApiError, ApiJson, Fields};
use crate::invitation::{self, LINK_GRACE_SECONDS};
use crate::mail::{self, Outgoing};
use crate::rotation::{self, Context};
use crate::templates;

/// Most people listed, proposals and the people to take instead.
const ALTERNATIVES: usize = 60;
/// How long a manager's page for a round stays open after the round.
const MANAGER_LINK_GRACE: i64 = 30 * 86_400;

/// The leader's place in the directory, which series are drawn from.
fn leader_person(leader: &AuthLeader) -> Result<&str, ApiError> {
    leader.person_id.as_deref().ok_or_else(|| {
        ApiError::Conflict(format!(
            "Your account ({}) has no place in the directory, so Skipcheck can't tell who is below you. Ask an admin to import you with this email.",
            leader.email
        ))
    })
}

fn kind_of(row: &SeriesRow) -> SeriesKind {
    if row.kind == "peer" {
        SeriesKind::Peer
    } else {
        SeriesKind::SkipLevel
    }
}

/// Everything the rotation of one series needs, loaded once.
struct Loaded {
    people: Vec<PersonRow>,
    history: Vec<crate::db::HistoryRow>,
    round_id: Option<String>,
    skipped: Vec<String>,
    now: i64,
}

async fn load(db: &Db, leader: &AuthLeader, row: &SeriesRow) -> Result<Loaded, ApiError> {
    let now = crate::now();
    let round_id = db.round_at(&row.id, now).await?;
    let skipped = match &round_id {
        Some(r) => db.skipped(r).await?,
        None => Vec::new(),
    };
    Ok(Loaded {
        people: db.people(&leader.org_id).await?,
        history: db.history_of_leader(&leader.account_id).await?,
        round_id,
        skipped,
        now,
    })
}

/// The ordered list: the proposals first (`due.count` of them), then the
/// people to take instead; and how many the series covers.
fn ordered(row: &SeriesRow, loaded: &Loaded, me: &str) -> (Vec<Proposal>, rotation::Due, usize) {
    let candidates = rotation::scope(row, &loaded.people, me);
    let ctx = Context {
        series: row,
        history: &loaded.history,
        round_id: loaded.round_id.as_deref(),
        skipped: &loaded.skipped,
        now: loaded.now,
    };
    let list = rotation::propose(&candidates, ctx, candidates.len().min(ALTERNATIVES));
    let due = rotation::due(row, &loaded.history, list.len(), loaded.now);
    (list, due, candidates.len())
}

async fn summary(
    db: &Db,
    leader: &AuthLeader,
    row: &SeriesRow,
    loaded: &Loaded,
) -> Result<SeriesSummary, ApiError> {
    let people = leader
        .person_id
        .as_deref()
        .map(|me| rotation::scope(row, &loaded.people, me))
        .unwrap_or_default();
    let met: std::collections::HashSet<&str> = loaded
        .history
        .iter()
        .filter(|h| h.series_id.as_deref() == Some(row.id.as_str()))
        .map(|h| h.person_id.as_str())
        .collect();
    let upcoming = loaded
        .history
        .iter()
        .filter(|h| h.series_id.as_deref() == Some(row.id.as_str()) && h.scheduled_at > loaded.now)
        .count();
    let template_name = db
        .latest_template(&leader.org_id, &row.template_key)
        .await?
        .map(|(_, name)| name)
        .unwrap_or_default();
    Ok(SeriesSummary {
        id: row.id.clone(),
        kind: kind_of(row),
        name: row.name.clone(),
        cadence: Cadence::parse(&row.cadence).unwrap_or(Cadence::Weekly),
        depth: row.depth.and_then(|d| u32::try_from(d).ok()),
        teams: row.teams(),
        per_week: u32::try_from(row.per_week).unwrap_or(1),
        interval_weeks: u32::try_from(row.interval_weeks).unwrap_or(4),
        template_name,
        people: u32::try_from(people.len()).unwrap_or(u32::MAX),
        met: u32::try_from(
            people
                .iter()
                .filter(|(p, _)| met.contains(p.id.as_str()))
                .count(),
        )
        .unwrap_or(u32::MAX),
        upcoming: u32::try_from(upcoming).unwrap_or(u32::MAX),
        stopped: row.stopped_at.is_some(),
    })
}

/// One of the leader's meetings, or 404.
async fn own_meeting(
    db: &Db,
    leader: &AuthLeader,
    id: &str,
) -> Result<crate::db::MeetingRow, ApiError> {
    db.meeting_of_leader(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// What an invitation says about one of the leader's meetings, or 404.
async fn own_invitation(db: &Db, leader: &AuthLeader, id: &str) -> Result<InvitationRow, ApiError> {
    db.invitation(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn own_series(db: &Db, leader: &AuthLeader, id: &str) -> Result<SeriesRow, ApiError> {
    db.series_one(&leader.account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The leader's series. Leaders only.
#[utoipa::path(get, path = "/series", tag = "series", security(("session" = [])),
    responses((status = 200, body = Vec<SeriesSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    leader: AuthLeader,
) -> Result<Json<Vec<SeriesSummary>>, ApiError> {
    let rows = state.db.series_of_leader(&leader.account_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let loaded = load(&state.db, &leader, row).await?;
        out.push(summary(&state.db, &leader, row, &loaded).await?);
    }
    Ok(Json(out))
}

/// What a new series can cover: the teams and levels below the leader, and
/// the leader's peers. Leaders only.
#[utoipa::path(get, path = "/series/options", tag = "series", security(("session" = [])),
    responses((status = 200, body = SeriesOptions), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn options(
    State(state): State<AppState>,
    leader: AuthLeader,
) -> Result<Json<SeriesOptions>, ApiError> {
    let Some(me) = leader.person_id.as_deref() else {
        return Ok(Json(SeriesOptions {
            in_directory: false,
            teams: Vec::new(),
            levels: Vec::new(),
            peers: 0,
        }));
    };
    let people = state.db.people(&leader.org_id).await?;
    let below = crate::directory::below(&people, me);
    let mut teams: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    let mut levels: Vec<u32> = Vec::new();
    for (p, level) in &below {
        if !p.team.is_empty() {
            *teams.entry(p.team.as_str()).or_default() += 1;
        }
        let i = usize::try_from(*level).unwrap_or(1).saturating_sub(1);
        if levels.len() <= i {
            levels.resize(i + 1, 0);
        }
        levels[i] += 1;
    }
    let peers = rotation::peers(&people, me).len();
    Ok(Json(SeriesOptions {
        in_directory: true,
        teams: teams
            .into_iter()
            .map(|(team, people)| TeamCount {
                team: team.to_owned(),
                people,
            })
            .collect(),
        levels,
        peers: u32::try_from(peers).unwrap_or(u32::MAX),
    }))
}

fn series_row(leader: &AuthLeader, req: &NewSeries, id: String, now: i64) -> SeriesRow {
    let (kind, key) = match req.kind {
        SeriesKind::SkipLevel => ("skip_level", templates::SKIP_LEVEL_KEY),
        SeriesKind::Peer => ("peer", templates::PEER_KEY),
    };
    let mut teams = req
        .teams
        .iter()
        .map(|t| t.trim().to_owned())
        .collect::<Vec<_>>();
    teams.sort();
    teams.dedup();
    SeriesRow {
        id,
        org_id: leader.org_id.clone(),
        leader_id: leader.account_id.clone(),
        kind: kind.to_owned(),
        name: req.name.trim().to_owned(),
        template_key: req.template_key.clone().unwrap_or_else(|| key.to_owned()),
        cadence: req.cadence.as_str().to_owned(),
        depth: req.depth.map(i64::from),
        teams: serde_json::to_string(&teams).unwrap_or_else(|_| "[]".to_owned()),
        per_week: i64::from(req.per_week),
        interval_weeks: i64::from(req.interval_weeks),
        created_at: now,
        stopped_at: None,
    }
}

/// Starts a series: a skip-level over the leader's organisation (depth,
/// teams, weekly or quarterly) or peer 1:1s every 3 to 5 weeks. Leaders only.
#[utoipa::path(post, path = "/series", tag = "series", security(("session" = [])),
    request_body = NewSeries,
    responses(
        (status = 201, body = SeriesSummary),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "The leader is not in the directory", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    leader: AuthLeader,
    ApiJson(req): ApiJson<NewSeries>,
) -> Result<(StatusCode, Json<SeriesSummary>), ApiError> {
    let problems = req.check();
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let me = leader_person(&leader)?;
    let now = crate::now();
    let row = series_row(&leader, &req, new_id(), now);
    let people = state.db.people(&leader.org_id).await?;
    let known: std::collections::HashSet<&str> = crate::directory::below(&people, me)
        .into_iter()
        .map(|(p, _)| p.team.as_str())
        .chain(people.iter().map(|p| p.team.as_str()))
        .collect();
    let mut fields = Fields::default();
    for team in row.teams() {
        if !known.contains(team.as_str()) {
            fields.add(
                "teams",
                format!("No one in the directory is in the team {team:?}."),
            );
        }
    }
    if let Some(key) = &req.template_key
        && state
            .db
            .template_for(&leader.org_id, &leader.account_id, key)
            .await?
            .is_none()
    {
        fields.add("template_key", "There is no such template of yours.");
    }
    fields.finish()?;
    ensure_template(&state.db, &leader.org_id, &row.template_key, now).await?;
    state.db.insert_series(&row).await?;
    tracing::info!(series = %row.id, leader = %leader.account_id, "series started");
    let loaded = load(&state.db, &leader, &row).await?;
    Ok((
        StatusCode::CREATED,
        Json(summary(&state.db, &leader, &row, &loaded).await?),
    ))
}

/// Gives the organisation the built-in template if it has none of that key.
pub(super) async fn ensure_template(
    db: &Db,
    org_id: &str,
    key: &str,
    now: i64,
) -> Result<(), ApiError> {
    if db.latest_template(org_id, key).await?.is_none() {
        let template = if key == templates::PEER_KEY {
            templates::peer()
        } else {
            templates::skip_level()
        };
        db.insert_template(&new_id(), org_id, key, &template, now)
            .await?;
    }
    Ok(())
}

/// A series with who to meet next (each with a reason), and its meetings.
/// Leaders only, their own series.
#[utoipa::path(get, path = "/series/{id}", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Series id")),
    responses((status = 200, body = SeriesDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn detail(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<Json<SeriesDetail>, ApiError> {
    let row = own_series(&state.db, &leader, &id).await?;
    let loaded = load(&state.db, &leader, &row).await?;
    let series = summary(&state.db, &leader, &row, &loaded).await?;
    let (proposals, due, empty_reason) = match leader.person_id.as_deref() {
        None => (
            Vec::new(),
            rotation::Due {
                count: 0,
                next_turn: None,
            },
            Some(format!(
                "Your account ({}) has no place in the directory. Ask an admin to import you with this email.",
                leader.email
            )),
        ),
        Some(_) if row.stopped_at.is_some() => (
            Vec::new(),
            rotation::Due {
                count: 0,
                next_turn: None,
            },
            Some("You stopped this series: it proposes no one. Its meetings stay below; start a new series to go on.".to_owned()),
        ),
        Some(me) => {
            let (list, due, in_scope) = ordered(&row, &loaded, me);
            let reason = if in_scope == 0 {
                Some(match kind_of(&row) {
                    SeriesKind::SkipLevel => "Nobody in the directory is two or more levels below you in the chosen teams. Check the directory with an admin, or start a series with other teams.".to_owned(),
                    SeriesKind::Peer => "Nobody else in the directory is at your level.".to_owned(),
                })
            } else if list.is_empty() {
                Some("Everyone is planned or skipped for this quarter. New proposals come with the next quarter.".to_owned())
            } else {
                None
            };
            (list, due, reason)
        }
    };
    let meetings = state.db.meetings_of_series(&row.id).await?;
    Ok(Json(SeriesDetail {
        series,
        proposals,
        due: u32::try_from(due.count).unwrap_or(u32::MAX),
        next_turn: due.next_turn,
        meetings: meetings.iter().map(meeting_summary).collect(),
        empty_reason,
    }))
}

/// Skips a proposal: the person is not proposed again this quarter. Leaders
/// only, their own series.
#[utoipa::path(post, path = "/series/{id}/skip", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Series id")),
    request_body = SkipRequest,
    responses(
        (status = 204, description = "Skipped for this quarter"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Not someone this series covers", body = ErrorBody),
    ))]
pub(super) async fn skip(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SkipRequest>,
) -> Result<StatusCode, ApiError> {
    let row = own_series(&state.db, &leader, &id).await?;
    let me = leader_person(&leader)?;
    let people = state.db.people(&leader.org_id).await?;
    if !rotation::scope(&row, &people, me)
        .iter()
        .any(|(p, _)| p.id == req.person_id)
    {
        return Err(ApiError::field(
            "person_id",
            "This series does not cover this person.",
        ));
    }
    let round = current_round(&state.db, &leader, &row, crate::now()).await?;
    state.db.skip(&round, &req.person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The series' round for the quarter holding `at`, opened if needed.
async fn current_round(
    db: &Db,
    leader: &AuthLeader,
    row: &SeriesRow,
    at: i64,
) -> Result<String, ApiError> {
    if let Some(id) = db.round_at(&row.id, at).await? {
        return Ok(id);
    }
    let (opens_at, closes_at, quarter) = rotation::quarter(at);
    let k = db
        .organisation(&leader.org_id)
        .await?
        .and_then(|(_, k)| u32::try_from(k).ok())
        .unwrap_or(shared::AnonymityThreshold::default().get());
    let now = crate::now();
    ensure_template(db, &leader.org_id, &row.template_key, now).await?;
    let name = format!("{} · {quarter}", row.name);
    Ok(db
        .open_round(
            &NewRound {
                id: &new_id(),
                series: row,
                name: &name,
                opens_at,
                closes_at,
                k,
            },
            now,
        )
        .await?)
}

fn check_time(at: i64, duration: u32, now: i64) -> Result<(), ApiError> {
    let mut fields = Fields::default();
    if at <= now {
        fields.add("at", "Choose a time in the future.");
    } else if at > now + 400 * 86_400 {
        fields.add("at", "Choose a time within the next year.");
    }
    if !(15..=180).contains(&duration) {
        fields.add(
            "duration_minutes",
            "A meeting lasts from 15 to 180 minutes.",
        );
    }
    fields.finish()
}

/// Schedules a meeting with a person the series covers (a proposal, or
/// someone else in its place): makes the personal link and returns the
/// invitation, its calendar file, and what to tell the person's manager.
/// Leaders only, their own series.
#[utoipa::path(post, path = "/series/{id}/meetings", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Series id")),
    request_body = ScheduleRequest,
    responses(
        (status = 201, body = Invitation),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The person already has a meeting this quarter", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn schedule(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ScheduleRequest>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let row = own_series(&state.db, &leader, &id).await?;
    if row.stopped_at.is_some() {
        return Err(ApiError::Conflict(
            "This series is stopped. Start a new one to schedule.".to_owned(),
        ));
    }
    let me = leader_person(&leader)?;
    let now = crate::now();
    check_time(req.at, req.duration_minutes, now)?;
    let people = state.db.people(&leader.org_id).await?;
    if !rotation::scope(&row, &people, me)
        .iter()
        .any(|(p, _)| p.id == req.person_id)
    {
        return Err(ApiError::field(
            "person_id",
            "This series does not cover this person.",
        ));
    }
    let round = current_round(&state.db, &leader, &row, req.at).await?;
    let meeting_id = new_id();
    let token = new_token();
    let expires_at = req.at + LINK_GRACE_SECONDS;
    if !state
        .db
        .schedule(
            &meeting_id,
            &round,
            &req.person_id,
            req.at,
            req.duration_minutes,
            &hash_token(&token),
            expires_at,
        )
        .await?
    {
        return Err(ApiError::Conflict(
            "This person already has a meeting with you this quarter. Move that meeting instead."
                .to_owned(),
        ));
    }
    tracing::info!(meeting = %meeting_id, series = %row.id, "meeting scheduled");
    let invitation = make_invitation(
        &state,
        &leader,
        &meeting_id,
        &token,
        req.utc_offset_minutes,
        true,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// The invitation of a meeting whose link is `token`; with `notify`, the
/// manager's notice too (and their page for the round, if they have none).
async fn make_invitation(
    state: &AppState,
    leader: &AuthLeader,
    meeting_id: &str,
    token: &str,
    utc_offset_minutes: i32,
    notify: bool,
) -> Result<Invitation, ApiError> {
    let m: InvitationRow = state
        .db
        .invitation(&leader.account_id, meeting_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let url = format!("{}/checkin/#i={token}", state.config.public_url);
    let (subject, text) = invitation::invitation(&m, &url, utc_offset_minutes);
    let now = crate::now();
    let ics = invitation::ics(&m, &subject, &text, now);
    let manager = match (&m.manager_id, &m.manager_name, &m.manager_email) {
        (Some(id), Some(name), Some(email))
            if notify
                && m.series_kind.as_deref() != Some("peer")
                && leader.person_id.as_deref() != Some(id.as_str()) =>
        {
            Some(manager_notice(state, &m, id, name, email, utc_offset_minutes).await?)
        }
        _ => None,
    };
    let summary = state
        .db
        .meeting_of_leader(&leader.account_id, meeting_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut invitation = Invitation {
        meeting: meeting_summary(&summary),
        person_email: m.person_email.clone(),
        subject,
        text,
        url: Some(url.clone()),
        expires_at: m.scheduled_at + LINK_GRACE_SECONDS,
        ics,
        manager,
        email_outcome: None,
    };
    if email(state, leader, &m, &mut invitation).await? {
        // Emailed: the link reaches only its owner. Whoever else holds an
        // employee's link could answer in their name, anonymous questions
        // included.
        let hidden = "[the personal link, sent only to them by email]";
        invitation.url = None;
        invitation.text = invitation.text.replace(&url, hidden);
        invitation.ics = invitation::ics(&m, &invitation.subject, &invitation.text, now);
    }
    Ok(invitation)
}

/// Emails the invitation (with its calendar file) and the manager's
/// notice, where SMTP is set, and notes what became of each. True when the
/// invitation went.
async fn email(
    state: &AppState,
    leader: &AuthLeader,
    m: &InvitationRow,
    invitation: &mut Invitation,
) -> Result<bool, ApiError> {
    let Some(smtp) = mail::smtp_for(&state.db, state.config.smtp.as_ref(), &leader.org_id).await?
    else {
        return Ok(false);
    };
    let now = crate::now();
    let reply_to = Some((m.leader_name.as_str(), m.leader_email.as_str()));
    let sent = mail::send(
        &state.db,
        &smtp,
        &leader.org_id,
        &Outgoing {
            kind: "invitation",
            to_name: &m.person_name,
            to_email: &m.person_email,
            reply_to,
            subject: &invitation.subject,
            text: &invitation.text,
            ics: Some(&invitation.ics),
        },
        now,
    )
    .await;
    invitation.email_outcome = Some(sent.outcome);
    if let Some(notice) = &mut invitation.manager {
        let told = mail::send(
            &state.db,
            &smtp,
            &leader.org_id,
            &Outgoing {
                kind: "manager_notice",
                to_name: &notice.name,
                to_email: &notice.email,
                reply_to,
                subject: &notice.subject,
                text: &notice.text,
                ics: None,
            },
            now,
        )
        .await;
        notice.email_outcome = Some(told.outcome);
    }
    Ok(sent.sent)
}

/// Reminds someone who has not started their check-in: a new personal link
/// (the old one stops working), by email. Needs SMTP. Leaders only, their
/// own meetings.
#[utoipa::path(post, path = "/meetings/{id}/remind", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    request_body = Reissue,
    responses(
        (status = 200, body = SendOutcome),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "No SMTP server is set, or the meeting has started", body = ErrorBody),
    ))]
pub(super) async fn remind(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reissue>,
) -> Result<Json<SendOutcome>, ApiError> {
    let m = own_invitation(&state.db, &leader, &id).await?;
    let now = crate::now();
    if m.scheduled_at <= now {
        return Err(ApiError::Conflict(
            "The meeting has started: there is nothing to remind of.".to_owned(),
        ));
    }
    let smtp = mail::smtp_for(&state.db, state.config.smtp.as_ref(), &leader.org_id)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(
                "No email is set up: send them a new link yourself (New link on the series page)."
                    .to_owned(),
            )
        })?;
    let started = state
        .db
        .meeting_of_leader(&leader.account_id, &id)
        .await?
        .is_some_and(|row| row.has_checkin > 0);
    if started {
        // A new link would cut off the page they may have open.
        return Err(ApiError::Conflict(
            "They have started their check-in already: no reminder needed.".to_owned(),
        ));
    }
    // The new link works beside the old one until the email is out: if it
    // fails, nobody is left with a dead link.
    let token = new_token();
    let hash = hash_token(&token);
    state
        .db
        .add_invite(&id, &hash, m.scheduled_at + LINK_GRACE_SECONDS, false)
        .await?;
    let url = format!("{}/checkin/#i={token}", state.config.public_url);
    let (subject, text) = invitation::reminder(&m, &url, body.utc_offset_minutes);
    let sent = mail::send(
        &state.db,
        &smtp,
        &leader.org_id,
        &Outgoing {
            kind: "reminder",
            to_name: &m.person_name,
            to_email: &m.person_email,
            reply_to: Some((m.leader_name.as_str(), m.leader_email.as_str())),
            subject: &subject,
            text: &text,
            ics: None,
        },
        now,
    )
    .await;
    state.db.settle_invite(&id, &hash, sent.sent).await?;
    Ok(Json(sent))
}

async fn manager_notice(
    state: &AppState,
    m: &InvitationRow,
    manager_id: &str,
    name: &str,
    email: &str,
    utc_offset_minutes: i32,
) -> Result<ManagerNotice, ApiError> {
    let (subject, mut text) = invitation::manager_notice(m, utc_offset_minutes);
    // The manager's page for the round: their team's meetings (times only)
    // and their estimate of the team's morale.
    let mut url = None;
    if !state.db.has_manager_link(&m.round_id, manager_id).await? {
        let token = new_token();
        let closes = state
            .db
            .round_closes_at(&m.round_id)
            .await?
            .unwrap_or(m.scheduled_at);
        let made = state
            .db
            .insert_manager_link(
                &m.round_id,
                manager_id,
                &hash_token(&token),
                closes + MANAGER_LINK_GRACE,
            )
            .await;
        match made {
            // Another meeting of the same team, scheduled at the same moment,
            // made the page first.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
            other => {
                other?;
                let link = format!("{}/estimate#m={token}", state.config.public_url);
                text.push_str(&format!(
                    "\n\nYour page for this quarter lists your team's skip-levels and asks how you think your team's morale is (it helps me read the anonymous figures):\n{link}"
                ));
                url = Some(link);
            }
        }
    }
    Ok(ManagerNotice {
        name: name.to_owned(),
        email: email.to_owned(),
        subject,
        text,
        url,
        email_outcome: None,
    })
}

/// A new personal link for a meeting (a lost invitation); the old link
/// stops working. Returns the invitation again. Leaders only, their own
/// meetings.
#[utoipa::path(post, path = "/meetings/{id}/invitation", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    request_body = Reissue,
    responses(
        (status = 201, body = Invitation),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn reissue(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reissue>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let offset = body.utc_offset_minutes;
    let m = own_invitation(&state.db, &leader, &id).await?;
    let token = new_token();
    state
        .db
        .replace_invite(
            &id,
            &hash_token(&token),
            m.scheduled_at + LINK_GRACE_SECONDS,
        )
        .await?;
    tracing::info!(meeting = %id, "personal link re-issued");
    let invitation = make_invitation(&state, &leader, &id, &token, offset, false).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// Moves a meeting; its link then works until a week after the new time.
/// Leaders only, their own meetings.
#[utoipa::path(put, path = "/meetings/{id}/time", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, body = MeetingSummary),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The meeting has started", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn move_meeting(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RescheduleRequest>,
) -> Result<Json<MeetingSummary>, ApiError> {
    let meeting = own_meeting(&state.db, &leader, &id).await?;
    let now = crate::now();
    if meeting.scheduled_at <= now {
        // Moving it would reopen a locked check-in and revive its link.
        return Err(ApiError::Conflict(
            "This meeting has started, so it can't be moved. Schedule a new one instead."
                .to_owned(),
        ));
    }
    check_time(req.at, req.duration_minutes, now)?;
    if let Some((opens, closes)) = state.db.round_window(&meeting.round_id).await?
        && !(opens..closes).contains(&req.at)
    {
        return Err(ApiError::field(
            "at",
            format!(
                "Keep it within the round's quarter, before {}; for a later quarter, schedule it there.",
                invitation::format_time(closes, 0)
            ),
        ));
    }
    state
        .db
        .move_meeting(
            &id,
            req.at,
            req.duration_minutes,
            req.at + LINK_GRACE_SECONDS,
        )
        .await?;
    let m = own_meeting(&state.db, &leader, &id).await?;
    Ok(Json(meeting_summary(&m)))
}

/// Stops a series: it proposes no one and schedules nothing more; its
/// rounds and meetings stay. Leaders only, their own series.
#[utoipa::path(delete, path = "/series/{id}", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Series id")),
    responses(
        (status = 204, description = "Stopped"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn stop(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !state
        .db
        .stop_series(&leader.account_id, &id, crate::now())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    tracing::info!(series = %id, "series stopped");
    Ok(StatusCode::NO_CONTENT)
}

/// The meeting as a calendar file, for the leader's own calendar. It
/// carries no personal link: that went to the person alone. Leaders only,
/// their own meetings.
#[utoipa::path(get, path = "/meetings/{id}/calendar.ics", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The meeting (text/calendar)", content_type = "text/calendar"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn calendar(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let m = own_invitation(&state.db, &leader, &id).await?;
    let what = if m.series_kind.as_deref() == Some("peer") {
        "Peer 1:1"
    } else {
        "Skip-level 1:1"
    };
    let subject = format!("{what}: {} and {}", m.person_name, m.leader_name);
    let text = format!(
        "{what} with {}. Their check-in and your notes: {}/meetings/{}",
        m.person_name, state.config.public_url, m.meeting_id
    );
    let ics = invitation::ics(&m, &subject, &text, crate::now());
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"meeting.ics\"",
            ),
        ],
        ics,
    ))
}

/// Cancels a meeting that has not started: its personal link stops working
/// and the person's confidential answers are deleted with it; anonymous
/// answers already sent stay counted (nothing links them to the person).
/// The person can be proposed and scheduled again. Leaders only, their own
/// meetings.
#[utoipa::path(delete, path = "/meetings/{id}", tag = "series", security(("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The meeting has started", body = ErrorBody),
    ))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    leader: AuthLeader,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let meeting = own_meeting(&state.db, &leader, &id).await?;
    if meeting.scheduled_at <= crate::now() {
        return Err(ApiError::Conflict(
            "This meeting has started, so it stays in the record.".to_owned(),
        ));
    }
    state.db.cancel_meeting(&id).await?;
    tracing::info!(meeting = %id, "meeting cancelled");
    Ok(StatusCode::NO_CONTENT)
}

/// The leader's home: this week's meetings, check-ins not started a day
/// before their meeting, and each series' next proposals. Leaders only.
#[utoipa::path(get, path = "/dashboard", tag = "series", security(("session" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn dashboard(
    State(state): State<AppState>,
    leader: AuthLeader,
) -> Result<Json<Dashboard>, ApiError> {
    const DAY: i64 = 86_400;
    let now = crate::now();
    let week_start = rotation::week_start(now);
    let entry = |m: &crate::db::MeetingRow| DashboardMeeting {
        meeting: meeting_summary(m),
        series_name: m.round_name.clone(),
        round_id: m.round_id.clone(),
    };
    let this_week = state
        .db
        .meetings_between(&leader.account_id, week_start, week_start + 7 * DAY)
        .await?;
    let soon = state
        .db
        .meetings_between(&leader.account_id, now, now + DAY)
        .await?;
    let mut proposals = Vec::new();
    if let Some(me) = leader.person_id.as_deref() {
        for row in state.db.series_of_leader(&leader.account_id).await? {
            if row.stopped_at.is_some() {
                continue;
            }
            let loaded = load(&state.db, &leader, &row).await?;
            let (mut list, due, _) = ordered(&row, &loaded, me);
            list.truncate(due.count.min(5));
            proposals.push(SeriesProposals {
                series_id: row.id.clone(),
                series_name: row.name.clone(),
                proposals: list,
            });
        }
    }
    Ok(Json(Dashboard {
        this_week: this_week.iter().map(entry).collect(),
        not_started: soon
            .iter()
            .filter(|m| m.has_checkin == 0)
            .map(entry)
            .collect(),
        proposals,
        email_enabled: super::settings::enabled(&state, &leader.org_id).await?,
    }))
}
