//! The directory: admins import people from CSV (preview, then import) and
//! add, change or deactivate them one at a time. Admins only: leaders see
//! people through their rounds.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::Email;
use shared::admin::{ImportReport, PersonEntry, PersonInput};
use shared::api::ErrorBody;
use shared::people::{check_name, check_optional};

use crate::AppState;
use crate::auth::AuthAdmin;
use crate::db::{PersonFields, PersonRow, new_id};
use crate::directory::{self, ImportError, MAX_BYTES};
use crate::error::{ApiError, ApiJson, Fields};

fn entries(people: &[PersonRow]) -> Vec<PersonEntry> {
    let places = directory::places(people);
    let by_id: std::collections::HashMap<&str, &PersonRow> =
        people.iter().map(|p| (p.id.as_str(), p)).collect();
    let manager = |p: &PersonRow| {
        p.manager_id
            .as_deref()
            .and_then(|id| by_id.get(id).copied())
    };
    people
        .iter()
        .map(|p| {
            let place = places.get(&p.id).copied().unwrap_or_default();
            PersonEntry {
                id: p.id.clone(),
                name: p.name.clone(),
                email: p.email.clone(),
                title: p.title.clone(),
                team: p.team.clone(),
                manager_id: p.manager_id.clone(),
                manager_name: manager(p).map(|m| m.name.clone()),
                manager_email: manager(p).map(|m| m.email.clone()),
                active: p.active != 0,
                level: place.level,
                reports: place.reports,
            }
        })
        .collect()
}

async fn entry(state: &AppState, org_id: &str, id: &str) -> Result<PersonEntry, ApiError> {
    let people = state.db.people(org_id).await?;
    entries(&people)
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ApiError::NotFound)
}

/// Everyone in the directory, active or not, with their level in the
/// reporting tree. Admins only.
#[utoipa::path(get, path = "/admin/people", tag = "admin", security(("session" = [])),
    responses((status = 200, body = Vec<PersonEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<Vec<PersonEntry>>, ApiError> {
    let people = state.db.people(&admin.org_id).await?;
    Ok(Json(entries(&people)))
}

/// Checks a person's fields against the rules and the directory; `editing`
/// is the id of the person being changed.
fn check_person<'a>(
    req: &'a PersonInput,
    people: &'a [PersonRow],
    editing: Option<&str>,
) -> Result<(String, Email, String, String, Option<&'a str>), ApiError> {
    let mut fields = Fields::default();
    let name = fields.check("name", check_name(&req.name));
    let email = fields.check("email", Email::parse(&req.email));
    let title = fields.check("title", check_optional(&req.title));
    let team = fields.check("team", check_optional(&req.team));
    let manager_email = req.manager_email.as_deref().unwrap_or("").trim();
    let mut manager_id = None;
    if !manager_email.is_empty() {
        match Email::parse(manager_email) {
            Err(message) => fields.add("manager_email", message),
            Ok(m) => match people.iter().find(|p| p.email == m.as_str()) {
                None => fields.add(
                    "manager_email",
                    format!("Nobody in the directory has the email {m}."),
                ),
                Some(p) if p.active == 0 => fields.add(
                    "manager_email",
                    format!(
                        "{} has left the directory; choose an active manager.",
                        p.name
                    ),
                ),
                Some(p) => {
                    if let Some(me) = editing
                        && directory::would_cycle(people, me, &p.id)
                    {
                        fields.add(
                            "manager_email",
                            format!(
                                "{} reports to this person, so cannot be their manager.",
                                p.name
                            ),
                        );
                    } else {
                        manager_id = Some(p.id.as_str());
                    }
                }
            },
        }
    }
    if let Some(email) = &email
        && people
            .iter()
            .any(|p| p.email == email.as_str() && Some(p.id.as_str()) != editing)
    {
        fields.add("email", "Someone in the directory already has this email.");
    }
    if req.active == Some(false)
        && let Some(me) = editing
    {
        let reports = people
            .iter()
            .filter(|p| p.active != 0 && p.manager_id.as_deref() == Some(me))
            .count();
        if reports > 0 {
            fields.add(
                "active",
                format!("{reports} people report to this person: give them another manager first."),
            );
        }
    }
    fields.finish()?;
    match (name, email, title, team) {
        (Some(name), Some(email), Some(title), Some(team)) => {
            Ok((name, email, title, team, manager_id))
        }
        _ => Err(ApiError::BadRequest("invalid fields".to_owned())),
    }
}

/// Adds one person. Admins only.
#[utoipa::path(post, path = "/admin/people", tag = "admin", security(("session" = [])),
    request_body = PersonInput,
    responses(
        (status = 201, body = PersonEntry),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn add(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<PersonInput>,
) -> Result<(StatusCode, Json<PersonEntry>), ApiError> {
    let entry = save(&state, &admin, None, &req).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Adds a person (`id` is `None`) or changes one, after every check.
async fn save(
    state: &AppState,
    admin: &AuthAdmin,
    id: Option<&str>,
    req: &PersonInput,
) -> Result<PersonEntry, ApiError> {
    let people = state.db.people(&admin.org_id).await?;
    if let Some(id) = id
        && !people.iter().any(|p| p.id == id)
    {
        return Err(ApiError::NotFound);
    }
    let (name, email, title, team, manager_id) = check_person(req, &people, id)?;
    if let Some(id) = id
        && people
            .iter()
            .any(|p| p.id == id && p.email != email.as_str())
        && state.db.has_upcoming_meeting(id, crate::now()).await?
    {
        // Their invitation and reminders go to this address: a change now
        // could send their personal link to someone else.
        return Err(ApiError::field(
            "email",
            "This person has an upcoming skip-level, so their email can't change until it has happened.",
        ));
    }
    let fields = PersonFields {
        name: &name,
        email: email.as_str(),
        title: &title,
        team: &team,
        manager_id,
        active: req.active.unwrap_or(true),
    };
    let new_id = new_id();
    let (id, saved) = match id {
        Some(id) => (
            id,
            state.db.update_person(&admin.org_id, id, &fields).await?,
        ),
        None => (
            new_id.as_str(),
            state
                .db
                .insert_person(&admin.org_id, &new_id, &fields)
                .await?,
        ),
    };
    if !saved {
        return Err(ApiError::field(
            "email",
            "Someone in the directory already has this email.",
        ));
    }
    tracing::info!(person = %id, by = %admin.account_id, "person saved");
    entry(state, &admin.org_id, id).await
}

/// Changes one person: every field is given, `active: false` deactivates
/// (their history stays). Admins only.
#[utoipa::path(put, path = "/admin/people/{id}", tag = "admin", security(("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    request_body = PersonInput,
    responses(
        (status = 200, body = PersonEntry),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    admin: AuthAdmin,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PersonInput>,
) -> Result<Json<PersonEntry>, ApiError> {
    Ok(Json(save(&state, &admin, Some(&id), &req).await?))
}

/// Reads a CSV body of at most [`MAX_BYTES`].
async fn csv_body(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BYTES).await.map_err(|_| {
        ApiError::TooLarge(format!(
            "The file is larger than {} MB. Split it, or leave out columns Skipcheck does not use.",
            MAX_BYTES / 1024 / 1024
        ))
    })
}

async fn run_import(
    state: &AppState,
    admin: &AuthAdmin,
    body: Body,
    dry_run: bool,
) -> Result<Json<ImportReport>, ApiError> {
    let bytes = csv_body(body).await?;
    match directory::import(&state.db, &admin.org_id, &bytes, dry_run).await {
        Ok(report) => {
            if report.applied {
                tracing::info!(by = %admin.account_id, rows = report.rows, added = report.added.len(),
                    deactivated = report.deactivated.len(), "directory imported");
            }
            Ok(Json(report))
        }
        Err(ImportError::Invalid(problems)) => Err(ApiError::Validation(problems)),
        Err(ImportError::Db(e)) => Err(e.into()),
    }
}

/// What importing this CSV file would change; writes nothing. The body is
/// the file (`text/csv`, UTF-8, comma or semicolon, at most 10 MB and 50 000
/// rows). A bad file gets every problem, by line. Admins only.
#[utoipa::path(post, path = "/admin/directory/preview", tag = "admin", security(("session" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ImportReport),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, description = "Larger than 10 MB", body = ErrorBody),
        (status = 422, description = "Problems in the file, each with its line", body = ErrorBody),
    ))]
pub(super) async fn preview(
    State(state): State<AppState>,
    admin: AuthAdmin,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    run_import(&state, &admin, body, true).await
}

/// Imports a CSV file, all or nothing: people are matched by email and
/// updated in place; people not in the file become inactive. Admins only.
#[utoipa::path(post, path = "/admin/directory/import", tag = "admin", security(("session" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ImportReport),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, description = "Larger than 10 MB", body = ErrorBody),
        (status = 422, description = "Problems in the file, each with its line; nothing was written", body = ErrorBody),
    ))]
pub(super) async fn import(
    State(state): State<AppState>,
    admin: AuthAdmin,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    run_import(&state, &admin, body, false).await
}

/// Deletes a person's data on request: their check-ins' confidential
/// answers, the leaders' notes of their meetings and their action items.
/// Their place in the directory stays (deactivate it separately), and so do
/// the anonymous counts, which hold no person, and their ballots, which
/// keep them from answering a round twice. Admins only.
#[utoipa::path(delete, path = "/admin/people/{id}/data", tag = "admin", security(("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = shared::meeting::Erased),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ))]
pub(super) async fn erase(
    State(state): State<AppState>,
    admin: AuthAdmin,
    Path(id): Path<String>,
) -> Result<Json<shared::meeting::Erased>, ApiError> {
    let people = state.db.people(&admin.org_id).await?;
    if !people.iter().any(|p| p.id == id) {
        return Err(ApiError::NotFound);
    }
    let (checkins, notes, items) = state.db.erase_person_data(&id).await?;
    tracing::info!(by = %admin.account_id, person = %id, checkins, notes, items, "person's data erased on request");
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Json(shared::meeting::Erased {
        checkins: count(checkins),
        notes: count(notes),
        items: count(items),
    }))
}
