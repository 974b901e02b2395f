//! All HTTP the pages do. Every function returns `shared` types, or an
//! [`ApiError`] holding the server's error body.
//!
//! Requests go straight through the browser's `fetch` and `JSON`: an HTTP
//! client crate and `serde_json` cost the check-in bundle kilobytes of its
//! 90 KB budget for nothing the browser doesn't already do.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::FieldError;
use shared::admin::{
    AccountSummary, ChangePassword, ForgotPassword, ImportReport, InviteAccount, LinkInfo,
    MailRecord, OneTimeLink, PersonEntry, PersonInput, SaveSettings, SaveSmtp, SendOutcome,
    SetPassword, Settings, SetupRequest, SetupStatus, TestEmail, UpdateAccount,
};
use shared::api::{
    Briefing, CheckinView, DraftRequest, ErrorBody, EstimateRequest, EstimateView, LoginRequest,
    Me, MeetingSummary, RoundDetail, RoundReport, RoundSummary, Saved, SubmitRequest, TrendPoint,
};
use shared::meeting::{
    ActionItem, ItemUpdate, MeetingView, NewItem, Notes, NotesSaved, PersonHistory,
};
use shared::series::{
    Dashboard, Invitation, NewSeries, Reissue, RescheduleRequest, ScheduleRequest, SeriesDetail,
    SeriesOptions, SeriesSummary, SkipRequest,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// A request that did not give what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error.
    Server { status: u16, body: ErrorBody },
    /// The server could not be reached, or answered something unreadable.
    Network(String),
}

impl ApiError {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            Self::Server { body, .. } => crate::i18n::error_message(&body.error, &body.message),
            Self::Network(_) => crate::i18n::t("error.network"),
        }
    }

    /// Problems with single fields, if the server named any.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::Server { body, .. } => &body.fields,
            Self::Network(_) => &[],
        }
    }

    /// The server's error code (`locked`, `sealed`, `validation`…), if it answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Server { body, .. } => Some(&body.error),
            Self::Network(_) => None,
        }
    }

    /// Whether the session is missing or over.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Self::Server { status: 401, .. })
    }
}

type Result<T> = std::result::Result<T, ApiError>;

fn unreadable(what: impl std::fmt::Debug) -> ApiError {
    ApiError::Network(format!("{what:?}"))
}

/// JSON text for a value. Maps become plain objects, as the server expects.
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&js).ok().map(String::from)
}

/// A value from JSON text, parsed by the browser.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let js = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(js).ok()
}

/// Sends a request to the same origin (which brings the session cookie) and
/// returns the status and the body's text.
async fn fetch(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<(u16, String)> {
    fetch_as(method, url, token, body.map(|b| (b, "application/json"))).await
}

/// [`fetch`] with a body of any content type.
async fn fetch_as(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<(String, &str)>,
) -> Result<(u16, String)> {
    let headers = Headers::new().map_err(unreadable)?;
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(unreadable)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some((body, content_type)) = body {
        headers
            .set("Content-Type", content_type)
            .map_err(unreadable)?;
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let sent = JsFuture::from(
        web_sys::window()
            .ok_or_else(|| unreadable("no window"))?
            .fetch_with_str_and_init(url, &init),
    )
    .await
    .map_err(unreadable)?;
    let response: Response = sent.dyn_into().map_err(unreadable)?;
    let text = JsFuture::from(response.text().map_err(unreadable)?)
        .await
        .map_err(unreadable)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// A JSON document as the browser parsed it, if the request succeeded.
pub async fn get_js(url: &str) -> Option<JsValue> {
    match fetch("GET", url, None, None).await {
        Ok((200, text)) => js_sys::JSON::parse(&text).ok(),
        _ => None,
    }
}

/// Sends a request and reads the answer into `T`, or the error body.
async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<T> {
    let body = match body {
        Some(b) => Some(to_json(b).ok_or_else(|| unreadable("could not encode the request"))?),
        None => None,
    };
    let (status, text) = fetch(method, url, token, body).await?;
    read(status, &text)
}

/// A success's body as `T`, or the error body.
fn read<T: DeserializeOwned>(status: u16, text: &str) -> Result<T> {
    if (200..300).contains(&status) {
        return from_json(text).ok_or_else(|| unreadable("an unreadable answer"));
    }
    let body = from_json::<ErrorBody>(text).unwrap_or_else(|| ErrorBody {
        error: "http".to_owned(),
        message: crate::i18n::tf("api.http", &[("status", &status.to_string())]),
        fields: Vec::new(),
    });
    Err(ApiError::Server { status, body })
}

/// A GET.
async fn get<T: DeserializeOwned>(url: &str, token: Option<&str>) -> Result<T> {
    call::<(), T>("GET", url, token, None).await
}

/// The employee's check-in.
pub async fn checkin(token: &str) -> Result<CheckinView> {
    get("/api/checkin", Some(token)).await
}

/// Saves the confidential answers typed so far.
pub async fn save_draft(token: &str, body: &DraftRequest) -> Result<Saved> {
    call("PUT", "/api/checkin/draft", Some(token), Some(body)).await
}

/// Submits the check-in.
pub async fn submit(token: &str, body: &SubmitRequest) -> Result<Saved> {
    call("POST", "/api/checkin/submit", Some(token), Some(body)).await
}

/// A manager's perception form.
pub async fn estimate(token: &str) -> Result<EstimateView> {
    get("/api/estimate", Some(token)).await
}

/// Saves a manager's estimate.
pub async fn save_estimate(token: &str, body: &EstimateRequest) -> Result<EstimateView> {
    call("PUT", "/api/estimate", Some(token), Some(body)).await
}

/// Logs in; the server sets the session cookie.
pub async fn login(body: &LoginRequest) -> Result<Me> {
    call("POST", "/api/session", None, Some(body)).await
}

/// Logs out.
pub async fn logout() -> Result<()> {
    match fetch("DELETE", "/api/session", None, None).await? {
        (204, _) => Ok(()),
        (status, _) => Err(ApiError::Network(format!("The server answered {status}."))),
    }
}

/// The logged-in account.
pub async fn me() -> Result<Me> {
    get("/api/me", None).await
}

/// The leader's rounds.
pub async fn rounds() -> Result<Vec<RoundSummary>> {
    get("/api/rounds", None).await
}

/// One round with its meetings.
pub async fn round(id: &str) -> Result<RoundDetail> {
    get(&format!("/api/rounds/{id}"), None).await
}

/// A round's report: response, anonymous figures, breakdown, estimates.
pub async fn report(id: &str) -> Result<RoundReport> {
    get(&format!("/api/rounds/{id}/report"), None).await
}

/// The leader's rounds as a trend.
pub async fn trends() -> Result<Vec<TrendPoint>> {
    get("/api/trends", None).await
}

/// One meeting's briefing.
pub async fn briefing(id: &str) -> Result<Briefing> {
    get(&format!("/api/meetings/{id}"), None).await
}

/// A request answered by "204 No Content" (or 202) on success.
async fn call_empty<B: Serialize>(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<()> {
    let body = match body {
        Some(b) => Some(to_json(b).ok_or_else(|| unreadable("could not encode the request"))?),
        None => None,
    };
    match fetch(method, url, token, body).await? {
        (status, _) if (200..300).contains(&status) => Ok(()),
        (status, text) => read::<()>(status, &text),
    }
}

/// Whether the server still needs its first admin.
pub async fn setup_status() -> Result<SetupStatus> {
    get("/api/setup", None).await
}

/// Creates the organisation and first admin; logs them in.
pub async fn setup(body: &SetupRequest) -> Result<Me> {
    call("POST", "/api/setup", None, Some(body)).await
}

/// Whose password a one-time link sets.
pub async fn link_info(token: &str) -> Result<LinkInfo> {
    get("/api/password/link", Some(token)).await
}

/// Sets a password through a one-time link; logs in.
pub async fn set_password(token: &str, body: &SetPassword) -> Result<Me> {
    call("POST", "/api/password/link", Some(token), Some(body)).await
}

/// Tells the admins a password was forgotten.
pub async fn forgot_password(body: &ForgotPassword) -> Result<()> {
    call_empty("POST", "/api/password/forgot", None, Some(body)).await
}

/// Changes the logged-in account's password.
pub async fn change_password(body: &ChangePassword) -> Result<()> {
    call_empty("PUT", "/api/me/password", None, Some(body)).await
}

/// Ends every session of the logged-in account.
pub async fn logout_everywhere() -> Result<()> {
    call_empty::<()>("DELETE", "/api/me/sessions", None, None).await
}

/// The organisation's accounts.
pub async fn accounts() -> Result<Vec<AccountSummary>> {
    get("/api/admin/accounts", None).await
}

/// Invites a leader or admin.
pub async fn invite(body: &InviteAccount) -> Result<OneTimeLink> {
    call("POST", "/api/admin/accounts", None, Some(body)).await
}

/// Changes an account's roles.
pub async fn update_account(id: &str, body: &UpdateAccount) -> Result<AccountSummary> {
    call(
        "PATCH",
        &format!("/api/admin/accounts/{id}"),
        None,
        Some(body),
    )
    .await
}

/// A new one-time link for an account.
pub async fn new_link(id: &str) -> Result<OneTimeLink> {
    call::<(), _>(
        "POST",
        &format!("/api/admin/accounts/{id}/link"),
        None,
        None,
    )
    .await
}

/// The directory.
pub async fn people() -> Result<Vec<PersonEntry>> {
    get("/api/admin/people", None).await
}

/// Adds a person.
pub async fn add_person(body: &PersonInput) -> Result<PersonEntry> {
    call("POST", "/api/admin/people", None, Some(body)).await
}

/// Changes a person.
pub async fn update_person(id: &str, body: &PersonInput) -> Result<PersonEntry> {
    call("PUT", &format!("/api/admin/people/{id}"), None, Some(body)).await
}

/// What a people file would change (`apply = false`), or imports it.
pub async fn import_people(csv: String, apply: bool) -> Result<ImportReport> {
    let url = if apply {
        "/api/admin/directory/import"
    } else {
        "/api/admin/directory/preview"
    };
    let (status, text) = fetch_as("POST", url, None, Some((csv, "text/csv"))).await?;
    read(status, &text)
}

/// The leader's home.
pub async fn dashboard() -> Result<Dashboard> {
    get("/api/dashboard", None).await
}

/// The leader's series.
pub async fn series_list() -> Result<Vec<SeriesSummary>> {
    get("/api/series", None).await
}

/// What a new series can cover.
pub async fn series_options() -> Result<SeriesOptions> {
    get("/api/series/options", None).await
}

/// Starts a series.
pub async fn new_series(body: &NewSeries) -> Result<SeriesSummary> {
    call("POST", "/api/series", None, Some(body)).await
}

/// One series with its proposals and meetings.
pub async fn series(id: &str) -> Result<SeriesDetail> {
    get(&format!("/api/series/{id}"), None).await
}

/// Schedules a meeting; returns its invitation.
pub async fn schedule(series_id: &str, body: &ScheduleRequest) -> Result<Invitation> {
    call(
        "POST",
        &format!("/api/series/{series_id}/meetings"),
        None,
        Some(body),
    )
    .await
}

/// Skips a proposal this quarter.
pub async fn skip(series_id: &str, body: &SkipRequest) -> Result<()> {
    call_empty(
        "POST",
        &format!("/api/series/{series_id}/skip"),
        None,
        Some(body),
    )
    .await
}

/// A new personal link for a meeting.
pub async fn reissue(meeting_id: &str, body: &Reissue) -> Result<Invitation> {
    call(
        "POST",
        &format!("/api/meetings/{meeting_id}/invitation"),
        None,
        Some(body),
    )
    .await
}

/// Moves a meeting.
pub async fn move_meeting(meeting_id: &str, body: &RescheduleRequest) -> Result<MeetingSummary> {
    call(
        "PUT",
        &format!("/api/meetings/{meeting_id}/time"),
        None,
        Some(body),
    )
    .await
}

/// Reminds someone by email, with a new link.
pub async fn remind(meeting_id: &str, body: &Reissue) -> Result<SendOutcome> {
    call(
        "POST",
        &format!("/api/meetings/{meeting_id}/remind"),
        None,
        Some(body),
    )
    .await
}

/// The organisation's settings.
pub async fn settings() -> Result<Settings> {
    get("/api/admin/settings", None).await
}

/// Saves the organisation's name and k.
pub async fn save_settings(body: &SaveSettings) -> Result<Settings> {
    call("PUT", "/api/admin/settings", None, Some(body)).await
}

/// Saves the SMTP server.
pub async fn save_smtp(body: &SaveSmtp) -> Result<Settings> {
    call("PUT", "/api/admin/settings/smtp", None, Some(body)).await
}

/// Forgets the SMTP server.
pub async fn delete_smtp() -> Result<Settings> {
    call::<(), _>("DELETE", "/api/admin/settings/smtp", None, None).await
}

/// Sends a test email.
pub async fn test_email(body: &TestEmail) -> Result<SendOutcome> {
    call("POST", "/api/admin/settings/smtp/test", None, Some(body)).await
}

/// The embedding settings.
pub async fn embed_settings() -> Result<shared::embed::EmbedSettings> {
    get("/api/admin/settings/embed", None).await
}

/// Saves the allowed origins and the widget's theme.
pub async fn save_embed(body: &shared::embed::SaveEmbed) -> Result<shared::embed::EmbedSettings> {
    call("PUT", "/api/admin/settings/embed", None, Some(body)).await
}

/// Adds a signing secret.
pub async fn add_embed_secret() -> Result<shared::embed::EmbedSettings> {
    call::<(), _>("POST", "/api/admin/settings/embed/secrets", None, None).await
}

/// Removes a signing secret.
pub async fn delete_embed_secret(id: &str) -> Result<shared::embed::EmbedSettings> {
    call::<(), _>(
        "DELETE",
        &format!("/api/admin/settings/embed/secrets/{id}"),
        None,
        None,
    )
    .await
}

/// The newest emails sent.
pub async fn mail_log() -> Result<Vec<MailRecord>> {
    get("/api/admin/mail", None).await
}

/// Cancels a meeting that has not started.
pub async fn cancel_meeting(meeting_id: &str) -> Result<()> {
    call_empty::<()>("DELETE", &format!("/api/meetings/{meeting_id}"), None, None).await
}

/// Stops a series.
pub async fn stop_series(id: &str) -> Result<()> {
    call_empty::<()>("DELETE", &format!("/api/series/{id}"), None, None).await
}

/// The meeting view: briefing, talking points, notes, this meeting's items.
pub async fn meeting_view(id: &str) -> Result<MeetingView> {
    get(&format!("/api/meetings/{id}/view"), None).await
}

/// Saves the leader's private notes for a meeting.
pub async fn save_notes(id: &str, body: &Notes) -> Result<NotesSaved> {
    call(
        "PUT",
        &format!("/api/meetings/{id}/notes"),
        None,
        Some(body),
    )
    .await
}

/// Adds an action item to a meeting.
pub async fn add_item(meeting_id: &str, body: &NewItem) -> Result<ActionItem> {
    call(
        "POST",
        &format!("/api/meetings/{meeting_id}/items"),
        None,
        Some(body),
    )
    .await
}

/// Changes an action item.
pub async fn update_item(id: &str, body: &ItemUpdate) -> Result<ActionItem> {
    call("PATCH", &format!("/api/items/{id}"), None, Some(body)).await
}

/// The leader's open items due on `today` (`YYYY-MM-DD`) or earlier.
pub async fn circle_back(today: String) -> Result<Vec<ActionItem>> {
    get(&format!("/api/follow-ups?today={today}"), None).await
}

/// Every meeting of a meeting's person with the leader, newest first.
pub async fn history(meeting_id: &str) -> Result<PersonHistory> {
    get(&format!("/api/meetings/{meeting_id}/history"), None).await
}

/// Deletes a person's confidential answers, notes and items (admins).
pub async fn erase_person_data(person_id: &str) -> Result<shared::meeting::Erased> {
    call::<(), _>(
        "DELETE",
        &format!("/api/admin/people/{person_id}/data"),
        None,
        None,
    )
    .await
}

/// A round's themes and the managers who may receive them.
pub async fn themes(round_id: &str) -> Result<shared::meeting::ThemesDraft> {
    get(&format!("/api/rounds/{round_id}/themes"), None).await
}

/// Saves a round's themes.
pub async fn save_themes(
    round_id: &str,
    body: &shared::meeting::Themes,
) -> Result<shared::meeting::ThemesDraft> {
    call(
        "PUT",
        &format!("/api/rounds/{round_id}/themes"),
        None,
        Some(body),
    )
    .await
}

/// Sends the saved themes to managers.
pub async fn send_themes(
    round_id: &str,
    body: &shared::meeting::SendThemes,
) -> Result<Vec<SendOutcome>> {
    call(
        "POST",
        &format!("/api/rounds/{round_id}/themes/send"),
        None,
        Some(body),
    )
    .await
}

/// The built-in templates and the leader's own.
pub async fn templates() -> Result<Vec<shared::templates::TemplateEntry>> {
    get("/api/templates", None).await
}

/// One template, newest version.
pub async fn template(key: &str) -> Result<shared::templates::TemplateEntry> {
    get(&format!("/api/templates/{key}"), None).await
}

/// Copies a template into a new one of the leader's own.
pub async fn copy_template(
    body: &shared::templates::CopyTemplate,
) -> Result<shared::templates::TemplateEntry> {
    call("POST", "/api/templates", None, Some(body)).await
}

/// Saves a new version of one of the leader's templates.
pub async fn save_template(
    key: &str,
    body: &shared::templates::SaveTemplate,
) -> Result<shared::templates::TemplateEntry> {
    call("PUT", &format!("/api/templates/{key}"), None, Some(body)).await
}
