//! The JSON bodies of first run, accounts and the directory.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Whether the one-time setup page is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetupStatus {
    /// True until the first admin exists.
    pub needed: bool,
    /// False when the server refuses setup here: plain HTTP on an address
    /// other than loopback, without `--allow-insecure-setup`.
    pub allowed: bool,
}

/// First run: the organisation and its first admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub organisation: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// Whether the first admin also leads skip-levels (default: yes).
    #[serde(default = "yes")]
    pub is_leader: bool,
}

fn yes() -> bool {
    true
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountSummary {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_leader: bool,
    /// False until the person has chosen a password through their link.
    pub has_password: bool,
    /// When the person last asked for a new password (Unix seconds), if they
    /// have since been given no new link.
    pub reset_requested_at: Option<i64>,
    /// When their one-time link runs out, if one is open.
    pub link_expires_at: Option<i64>,
    /// Whether the account has a place in the directory (same email).
    pub in_directory: bool,
}

/// Invites a leader or admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteAccount {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub is_leader: bool,
}

/// Changes an account's roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    pub is_admin: Option<bool>,
    pub is_leader: Option<bool>,
}

/// A one-time link to set a password: hand it to the person yourself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OneTimeLink {
    pub account: AccountSummary,
    /// The link, with its secret after `#`; shown once, stored only hashed.
    pub url: String,
    pub expires_at: i64,
}

/// What a one-time link opens, before the password is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkInfo {
    pub name: String,
    pub email: String,
    /// `invite` for a first password, `reset` for a new one.
    pub purpose: String,
    pub expires_at: i64,
}

/// Sets a password through a one-time link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// Changes one's own password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Asks the admins for a new password link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
}

/// One person of the directory, as the admin sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonEntry {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub team: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    pub active: bool,
    /// Levels below the top of the reporting tree (0 = reports to nobody).
    pub level: u32,
    /// People who report to this person, directly or further down.
    pub reports: u32,
}

/// Adds a person, or changes one (all fields are given each time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub team: String,
    /// The manager's email; blank or absent for someone who reports to nobody.
    #[serde(default)]
    pub manager_email: Option<String>,
    /// Absent means active.
    #[serde(default)]
    pub active: Option<bool>,
}

/// One person a directory import adds or changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportChange {
    /// The line of the file (1 is the header).
    pub line: u32,
    pub email: String,
    pub name: String,
    /// What changes, in words ("title: Engineer → Senior Engineer").
    pub details: Vec<String>,
}

/// Someone in the directory who is not in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportRemoval {
    pub email: String,
    pub name: String,
}

/// What an import will change (preview) or changed (import).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: u32,
    pub added: Vec<ImportChange>,
    /// Name, title or team changed (a move to another manager is listed in `moved`).
    pub changed: Vec<ImportChange>,
    pub moved: Vec<ImportChange>,
    /// Inactive people the file brings back.
    pub reactivated: Vec<ImportChange>,
    /// Active people not in the file: they become inactive, their history kept.
    pub deactivated: Vec<ImportRemoval>,
    pub unchanged: u32,
    /// False for a preview; true once written.
    pub applied: bool,
}

/// Where the SMTP server in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSource {
    /// This settings page.
    Settings,
    /// The server's environment (`SKIPCHECK_SMTP_*`).
    Environment,
    /// None: nothing is emailed; leaders copy the texts.
    None,
}

/// The SMTP server in use, without its password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SmtpView {
    pub source: SmtpSource,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub from: String,
    /// `starttls`, `tls` or `none`.
    pub tls: String,
    pub password_set: bool,
}

/// The organisation's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Settings {
    pub organisation: String,
    /// The anonymity threshold given to new rounds (never below 3); a round
    /// keeps the k it opened with.
    pub k: u32,
    pub smtp: SmtpView,
}

/// Changes the organisation's name and the k of new rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveSettings {
    pub organisation: String,
    pub k: u32,
}

/// Sets the organisation's SMTP server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveSmtp {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub username: String,
    /// Absent keeps the stored password.
    #[serde(default)]
    pub password: Option<String>,
    pub from: String,
    /// `starttls`, `tls` or `none`.
    pub tls: String,
}

/// Sends a test email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestEmail {
    pub to: String,
}

/// What became of an email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SendOutcome {
    pub sent: bool,
    /// "sent to …" or "not sent to …: why".
    pub outcome: String,
}

/// One email Skipcheck tried to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MailRecord {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub sent_at: i64,
    pub outcome: String,
}
