//! The employee's check-in, opened by their invite link.

use axum::Json;
use axum::extract::State;
use shared::api::{CheckinView, DraftRequest, ErrorBody, Saved, SubmitRequest};
use shared::validate::check_answers;
use shared::{Answers, Mode, Template, Visibility};

use crate::auth::{InviteForm, InviteLink, InviteSubmission, invited_checkin};
use crate::db::{CheckinRow, Db, SubmitOutcome};
use crate::error::{ApiError, ApiJson, valid};

async fn load(db: &Db, invite: &InviteLink) -> Result<(CheckinRow, Template), ApiError> {
    let row = db
        .checkin(&invite.meeting_id)
        .await?
        .ok_or(ApiError::InvalidLink)?;
    let template = row.template()?;
    Ok((row, template))
}

/// Answers may change only before the meeting starts.
fn ensure_open(scheduled_at: i64, now: i64) -> Result<(), ApiError> {
    if now < scheduled_at {
        Ok(())
    } else {
        Err(ApiError::Locked)
    }
}

/// The check-in form, with what was saved so far.
#[utoipa::path(get, path = "/checkin", tag = "check-in", security(("link" = [])),
    responses(
        (status = 200, body = CheckinView),
        (status = 404, description = "Unknown link", body = ErrorBody),
        (status = 410, description = "Expired link", body = ErrorBody),
    ))]
pub(super) async fn get_checkin(
    State(db): State<Db>,
    invite: InviteLink,
) -> Result<Json<CheckinView>, ApiError> {
    let (row, template) = load(&db, &invite).await?;
    let promised = db
        .shared_items(&row.leader_id, &invite.link.person_id)
        .await?
        .iter()
        .map(crate::db::ItemRow::to_shared)
        .collect();
    Ok(Json(CheckinView {
        meeting_id: invite.meeting_id.clone(),
        promised,
        answers: row.draft_answers()?,
        unsent_changes: row.unsent_changes(),
        editable: crate::now() < row.scheduled_at,
        k: u32::try_from(row.k_threshold).unwrap_or(u32::MAX),
        person_name: row.person_name,
        leader_name: row.leader_name,
        leader_title: row.leader_title,
        manager_name: row.manager_name,
        round_name: row.round_name,
        meeting_at: row.scheduled_at,
        template,
        submitted_at: row.submitted_at,
        anonymous_sealed: row.sealed > 0,
    }))
}

/// Saves the confidential answers typed so far. Anonymous answers are refused
/// here: they are never stored as drafts, where they would sit by a name.
#[utoipa::path(put, path = "/checkin/draft", tag = "check-in", security(("link" = [])),
    request_body = DraftRequest,
    responses(
        (status = 200, body = Saved),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 409, description = "The meeting has started", body = ErrorBody),
        (status = 422, description = "Invalid answers", body = ErrorBody),
    ))]
pub(super) async fn save_draft(
    State(db): State<Db>,
    form: InviteForm,
    ApiJson(req): ApiJson<DraftRequest>,
) -> Result<Json<Saved>, ApiError> {
    valid(check_answers(
        &form.template,
        &req.answers,
        Some(Visibility::Confidential),
        Mode::Draft,
    ))?;
    let now = crate::now();
    let Some(saved) = db.save_draft(&form.token_hash, &req.answers, now).await? else {
        // Nothing written: say why, as the link's first use would have.
        let row = invited_checkin(&db, &form.token_hash).await?;
        ensure_open(row.scheduled_at, now)?;
        return Err(ApiError::Locked);
    };
    metrics::counter!("checkin_drafts_saved_total").increment(1);
    Ok(Json(Saved {
        saved_at: now,
        submitted_at: saved.submitted_at,
        anonymous_sealed: saved.sealed > 0,
    }))
}

/// Submits the check-in. Confidential answers go to the leader with the name;
/// anonymous answers, once per person and round, go into counts that hold no
/// name. After that only the confidential answers can be changed.
#[utoipa::path(post, path = "/checkin/submit", tag = "check-in", security(("link" = [])),
    request_body = SubmitRequest,
    responses(
        (status = 200, body = Saved),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 409, description = "The meeting has started, or the anonymous answers are already in", body = ErrorBody),
        (status = 422, description = "Invalid answers", body = ErrorBody),
    ))]
pub(super) async fn submit(
    State(db): State<Db>,
    State(config): State<std::sync::Arc<crate::Config>>,
    InviteSubmission { checkin, template }: InviteSubmission,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<Json<Saved>, ApiError> {
    let now = crate::now();
    ensure_open(checkin.scheduled_at, now)?;
    let sealed = checkin.sealed > 0;
    let (mut anonymous, confidential): (Answers, Answers) =
        req.answers.into_iter().partition(|(id, _)| {
            template
                .question(id)
                .is_some_and(|q| q.visibility == Visibility::Anonymous)
        });
    if sealed {
        if !anonymous.is_empty() {
            return Err(ApiError::Sealed);
        }
        valid(check_answers(
            &template,
            &confidential,
            Some(Visibility::Confidential),
            Mode::Submit,
        ))?;
    } else {
        let all: Answers = confidential
            .iter()
            .chain(&anonymous)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        valid(check_answers(&template, &all, None, Mode::Submit))?;
        // An anonymous question left blank is counted as "prefer not to
        // say": every anonymous question has one answer per ballot.
        for q in template
            .questions()
            .filter(|q| q.visibility == Visibility::Anonymous)
        {
            anonymous
                .entry(q.id.clone())
                .or_insert(shared::Answer::PreferNotToSay);
        }
    }
    match db
        .submit_checkin(
            &checkin,
            template,
            &confidential,
            &anonymous,
            config.key.clone(),
            now,
        )
        .await?
    {
        SubmitOutcome::Stored { sealed } => {
            metrics::counter!("checkins_submitted_total").increment(1);
            Ok(Json(Saved {
                saved_at: now,
                submitted_at: Some(now),
                anonymous_sealed: sealed,
            }))
        }
        SubmitOutcome::AlreadySealed => Err(ApiError::Sealed),
    }
}
