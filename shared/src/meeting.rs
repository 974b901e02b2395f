//! The meeting itself and what comes after it: the leader's private notes,
//! action items (follow-ups) with an owner, a due day and a status, and the
//! rules for them.

use serde::{Deserialize, Serialize};

use crate::api::Briefing;
use crate::validate::FieldError;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Longest private notes for one meeting, in characters.
pub const NOTES_MAX: usize = 20_000;
/// Longest action item title, in characters.
pub const ITEM_TITLE_MAX: usize = 300;
/// Longest note on how an item was closed, in characters.
pub const OUTCOME_MAX: usize = 2_000;

/// Who does an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemOwner {
    Leader,
    Employee,
    /// The employee's manager.
    Manager,
}

impl ItemOwner {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Employee => "employee",
            Self::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "leader" => Some(Self::Leader),
            "employee" => Some(Self::Employee),
            "manager" => Some(Self::Manager),
            _ => None,
        }
    }
}

/// Where an action item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
    /// Closed without being done.
    Dropped,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "done" => Some(Self::Done),
            "dropped" => Some(Self::Dropped),
            _ => None,
        }
    }
}

/// An action item, as its leader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActionItem {
    pub id: String,
    /// The meeting it came from.
    pub meeting_id: String,
    pub meeting_at: i64,
    /// The employee the meeting was with.
    pub person_name: String,
    pub title: String,
    pub owner: ItemOwner,
    /// A calendar day, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub status: ItemStatus,
    /// Whether the employee sees it on their next check-in.
    pub shared: bool,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// What was done, said when closing.
    pub outcome: String,
}

/// A new action item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 300))]
    pub title: String,
    pub owner: ItemOwner,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub shared: bool,
}

/// A change to an action item: only the fields given change. Closing it
/// (status `done` or `dropped`) records when; `outcome` says what was done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub owner: Option<ItemOwner>,
    /// `YYYY-MM-DD`, or `""` to clear it.
    #[serde(default)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub shared: Option<bool>,
    #[serde(default)]
    pub status: Option<ItemStatus>,
    #[serde(default)]
    pub outcome: Option<String>,
}

/// An action item as the employee sees it on their check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SharedItem {
    pub title: String,
    pub due_on: Option<String>,
    pub status: ItemStatus,
}

/// The leader's private notes for a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Notes {
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
}

/// When notes were saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotesSaved {
    pub updated_at: i64,
}

/// The meeting view: the briefing (with the open follow-ups from every
/// earlier meeting with this person), the template's talking points, the
/// private notes and this meeting's action items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingView {
    pub briefing: Briefing,
    /// What to talk about: the template's section titles and questions.
    pub talking_points: Vec<String>,
    pub notes: String,
    pub notes_updated_at: Option<i64>,
    /// Items made in this meeting.
    pub items: Vec<ActionItem>,
}

/// One past meeting in a person's history with a leader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PastMeeting {
    pub briefing: Briefing,
    pub notes: String,
    pub items: Vec<ActionItem>,
}

/// Every meeting of one person with the leader, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonHistory {
    pub person_name: String,
    pub person_title: String,
    pub meetings: Vec<PastMeeting>,
}

/// What deleting a person's data on request removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Erased {
    /// Check-ins (their confidential answers).
    pub checkins: u32,
    /// Leaders' private notes of their meetings.
    pub notes: u32,
    pub items: u32,
}

/// Most themes a leader shares after one round.
pub const THEMES_MAX: usize = 20;
/// Longest theme, in characters.
pub const THEME_MAX: usize = 2_000;

/// The broad themes of a round, as the leader writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Themes {
    /// One text per theme, in order; never a quote of anyone.
    pub themes: Vec<String>,
}

/// A manager the themes can go to, and when they last did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ThemeRecipient {
    pub manager_id: String,
    pub name: String,
    pub sent_at: Option<i64>,
}

/// A round's themes and who may receive them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ThemesDraft {
    pub themes: Vec<String>,
    /// The managers of the round (those asked for an estimate).
    pub managers: Vec<ThemeRecipient>,
    /// Whether they are emailed too (SMTP is set).
    pub email_enabled: bool,
}

/// Sends the themes as they stand to these managers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendThemes {
    pub manager_ids: Vec<String>,
}

/// What a manager reads: the themes as sent, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SharedThemes {
    pub sent_at: i64,
    pub themes: Vec<String>,
}

/// Every problem with a round's themes.
pub fn check_themes(t: &Themes) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if t.themes.len() > THEMES_MAX {
        errors.push(FieldError {
            field: "themes".to_owned(),
            message: format!("At most {THEMES_MAX} themes."),
        });
    }
    for (i, theme) in t.themes.iter().enumerate() {
        if let Some(e) = text_error(&format!("themes.{i}"), theme, THEME_MAX, true) {
            errors.push(FieldError {
                message: if theme.trim().is_empty() {
                    "Write the theme, or remove it.".to_owned()
                } else {
                    e.message
                },
                ..e
            });
        }
    }
    errors
}

/// Whether `day` is a real calendar day written `YYYY-MM-DD`.
pub fn is_day(day: &str) -> bool {
    let b = day.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        day.get(r)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2999).contains(&y) && (1..=days).contains(&d)
}

fn text_error(field: &str, text: &str, max: usize, required: bool) -> Option<FieldError> {
    let message = if required && text.trim().is_empty() {
        "Say what is to be done.".to_owned()
    } else if text.chars().count() > max {
        format!("At most {max} characters.")
    } else {
        return None;
    };
    Some(FieldError {
        field: field.to_owned(),
        message,
    })
}

fn day_error(due_on: Option<&str>) -> Option<FieldError> {
    due_on
        .filter(|d| !d.is_empty() && !is_day(d))
        .map(|_| FieldError {
            field: "due_on".to_owned(),
            message: "A due date is a day, written like 2026-12-31.".to_owned(),
        })
}

/// Every problem with a new item.
pub fn check_new_item(item: &NewItem) -> Vec<FieldError> {
    [
        text_error("title", &item.title, ITEM_TITLE_MAX, true),
        day_error(item.due_on.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every problem with a change to an item.
pub fn check_item_update(update: &ItemUpdate) -> Vec<FieldError> {
    [
        update
            .title
            .as_deref()
            .and_then(|t| text_error("title", t, ITEM_TITLE_MAX, true)),
        day_error(update.due_on.as_deref()),
        update
            .outcome
            .as_deref()
            .and_then(|t| text_error("outcome", t, OUTCOME_MAX, false)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every problem with notes.
pub fn check_notes(notes: &Notes) -> Vec<FieldError> {
    text_error("body", &notes.body, NOTES_MAX, false)
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_day_is_a_real_calendar_day() {
        assert!(is_day("2026-12-31"));
        assert!(is_day("2028-02-29"));
        assert!(!is_day("2026-02-29"));
        assert!(!is_day("2026-13-01"));
        assert!(!is_day("2026-1-01"));
        assert!(!is_day("31.12.2026"));
        assert!(!is_day("2026-12-3x"));
    }

    #[test]
    fn an_item_needs_a_title_within_bounds_and_a_real_day() {
        let mut item = NewItem {
            title: "  ".to_owned(),
            owner: ItemOwner::Leader,
            due_on: Some("tomorrow".to_owned()),
            shared: false,
        };
        let fields: Vec<String> = check_new_item(&item).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "due_on"]);
        item.title = "x".repeat(ITEM_TITLE_MAX + 1);
        item.due_on = None;
        assert_eq!(check_new_item(&item).len(), 1);
        item.title = "Ask about the budget".to_owned();
        assert!(check_new_item(&item).is_empty());
    }
}
