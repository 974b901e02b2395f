//! The organisation's settings: its name, the k of new rounds, the SMTP
//! server, a test email, and the record of emails sent. Admins only.

use axum::Json;
use axum::extract::State;
use shared::Email;
use shared::admin::{
    MailRecord, SaveSettings, SaveSmtp, SendOutcome, Settings, SmtpSource, SmtpView, TestEmail,
};
use shared::api::ErrorBody;
use shared::people::check_name;
use shared::validate::AnonymityThreshold;

use crate::AppState;
use crate::auth::AuthAdmin;
use crate::db::SmtpRow;
use crate::error::{ApiError, ApiJson, Fields};
use crate::mail::{self, Outgoing, TlsMode};

async fn settings_of(state: &AppState, org_id: &str) -> Result<Settings, ApiError> {
    let (organisation, k) = state
        .db
        .organisation(org_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let stored = state.db.smtp_settings(org_id).await?;
    let smtp = match (&stored, &state.config.smtp) {
        (Some(s), _) => SmtpView {
            source: SmtpSource::Settings,
            host: s.host.clone(),
            port: u16::try_from(s.port).unwrap_or(587),
            username: s.username.clone(),
            from: s.from_address.clone(),
            tls: s.tls.clone(),
            password_set: !s.password.is_empty(),
        },
        (None, Some(env)) => SmtpView {
            source: SmtpSource::Environment,
            host: env.host.clone(),
            port: env.port,
            username: env.username.clone(),
            from: env.from.clone(),
            tls: env.tls.as_str().to_owned(),
            password_set: !secrecy::ExposeSecret::expose_secret(&env.password).is_empty(),
        },
        (None, None) => SmtpView {
            source: SmtpSource::None,
            host: String::new(),
            port: 587,
            username: String::new(),
            from: String::new(),
            tls: "starttls".to_owned(),
            password_set: false,
        },
    };
    Ok(Settings {
        organisation,
        k: u32::try_from(k).unwrap_or(AnonymityThreshold::MIN),
        smtp,
    })
}

/// The organisation's settings; never the SMTP password. Admins only.
#[utoipa::path(get, path = "/admin/settings", tag = "admin", security(("session" = [])),
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn get(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(settings_of(&state, &admin.org_id).await?))
}

/// Renames the organisation and sets the k of new rounds (3 or more; open
/// rounds keep theirs). Admins only.
#[utoipa::path(put, path = "/admin/settings", tag = "admin", security(("session" = [])),
    request_body = SaveSettings,
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
pub(super) async fn save(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<SaveSettings>,
) -> Result<Json<Settings>, ApiError> {
    let mut fields = Fields::default();
    let name = fields.check("organisation", check_name(&req.organisation));
    let k = fields.check("k", AnonymityThreshold::parse(req.k));
    if req.k > 50 {
        fields.add("k", "Choose at most 50: figures would hardly ever show.");
    }
    fields.finish()?;
    if let (Some(name), Some(k)) = (name, k) {
        state
            .db
            .update_organisation(&admin.org_id, &name, k.get())
            .await?;
        tracing::info!(by = %admin.account_id, k = k.get(), "settings changed");
    }
    Ok(Json(settings_of(&state, &admin.org_id).await?))
}

/// Sets the organisation's SMTP server; a password left out is kept.
/// Admins only.
#[utoipa::path(put, path = "/admin/settings/smtp", tag = "admin", security(("session" = [])),
    request_body = SaveSmtp,
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
pub(super) async fn save_smtp(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<SaveSmtp>,
) -> Result<Json<Settings>, ApiError> {
    let mut fields = Fields::default();
    let host = req.host.trim();
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
        fields.add(
            "host",
            "Enter the SMTP server's host name, e.g. smtp.example.com.",
        );
    }
    if req.port == 0 {
        fields.add(
            "port",
            "Enter the port, usually 587 (STARTTLS) or 465 (TLS).",
        );
    }
    let tls = TlsMode::parse(&req.tls);
    if tls.is_none() {
        fields.add("tls", "Choose starttls, tls or none.");
    }
    if req.from.parse::<lettre::message::Mailbox>().is_err() {
        fields.add(
            "from",
            "Enter the sender as an address, e.g. Skipcheck <skipcheck@example.com>.",
        );
    }
    fields.finish()?;
    let kept = match req.password {
        Some(p) => p,
        None => state
            .db
            .smtp_settings(&admin.org_id)
            .await?
            .map(|s| s.password)
            .unwrap_or_default(),
    };
    state
        .db
        .save_smtp_settings(
            &admin.org_id,
            &SmtpRow {
                host: host.to_owned(),
                port: i64::from(req.port),
                username: req.username.trim().to_owned(),
                password: kept,
                from_address: req.from.trim().to_owned(),
                tls: tls.map_or("starttls", TlsMode::as_str).to_owned(),
            },
            crate::now(),
        )
        .await?;
    tracing::info!(by = %admin.account_id, "smtp settings changed");
    Ok(Json(settings_of(&state, &admin.org_id).await?))
}

/// Forgets the organisation's SMTP server (the server's environment, if
/// any, applies again). Admins only.
#[utoipa::path(delete, path = "/admin/settings/smtp", tag = "admin", security(("session" = [])),
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn delete_smtp(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<Settings>, ApiError> {
    state.db.delete_smtp_settings(&admin.org_id).await?;
    Ok(Json(settings_of(&state, &admin.org_id).await?))
}

/// Sends a test email through the SMTP server in use. Admins only.
#[utoipa::path(post, path = "/admin/settings/smtp/test", tag = "admin", security(("session" = [])),
    request_body = TestEmail,
    responses((status = 200, body = SendOutcome), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "No SMTP server is set", body = ErrorBody),
        (status = 422, description = "Not an email address", body = ErrorBody)))]
pub(super) async fn test(
    State(state): State<AppState>,
    admin: AuthAdmin,
    ApiJson(req): ApiJson<TestEmail>,
) -> Result<Json<SendOutcome>, ApiError> {
    let to = Email::parse(&req.to).map_err(|m| ApiError::field("to", m))?;
    let smtp = mail::smtp_for(&state.db, state.config.smtp.as_ref(), &admin.org_id)
        .await?
        .ok_or_else(|| ApiError::Conflict("No SMTP server is set: save one first.".to_owned()))?;
    let sent = mail::send(
        &state.db,
        &smtp,
        &admin.org_id,
        &Outgoing {
            kind: "test",
            to_name: &admin.name,
            to_email: to.as_str(),
            reply_to: None,
            subject: "Skipcheck test email",
            text: "This is a test from Skipcheck's settings page. Invitations and reminders will come the same way.",
            ics: None,
        },
        crate::now(),
    )
    .await;
    Ok(Json(sent))
}

/// The newest 100 emails, with their outcome. Admins only.
#[utoipa::path(get, path = "/admin/mail", tag = "admin", security(("session" = [])),
    responses((status = 200, body = Vec<MailRecord>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn log(
    State(state): State<AppState>,
    admin: AuthAdmin,
) -> Result<Json<Vec<MailRecord>>, ApiError> {
    let rows = state.db.mail_log(&admin.org_id, 100).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| MailRecord {
                kind: r.kind,
                recipient: r.recipient,
                subject: r.subject,
                sent_at: r.sent_at,
                outcome: r.outcome,
            })
            .collect(),
    ))
}

/// Whether the organisation can email.
pub(super) async fn enabled(state: &AppState, org_id: &str) -> Result<bool, ApiError> {
    Ok(
        mail::smtp_for(&state.db, state.config.smtp.as_ref(), org_id)
            .await?
            .is_some(),
    )
}
