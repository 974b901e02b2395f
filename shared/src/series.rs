//! The JSON bodies of series, rotation, scheduling and the leader's
//! dashboard, and the rules for a new series.

use serde::{Deserialize, Serialize};

use crate::api::MeetingSummary;
use crate::validate::FieldError;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Most people a weekly series proposes for one week.
pub const PER_WEEK_MAX: u32 = 10;
/// Peer 1:1s: from every 3 to every 5 weeks.
pub const INTERVAL_WEEKS: std::ops::RangeInclusive<u32> = 3..=5;
/// How many levels below the leader a skip-level starts: 1 is their direct
/// reports, whom they meet anyway.
pub const SKIP_FROM_LEVEL: u32 = 2;

/// What a series is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// People two or more levels below the leader.
    SkipLevel,
    /// People at the leader's level in other groups.
    Peer,
}

/// How a series spreads its meetings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// One or a few people each week.
    Weekly,
    /// Everyone in a batch, once a quarter.
    Quarterly,
    /// One peer every few weeks.
    Peer,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Quarterly => "quarterly",
            Self::Peer => "peer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "weekly" => Some(Self::Weekly),
            "quarterly" => Some(Self::Quarterly),
            "peer" => Some(Self::Peer),
            _ => None,
        }
    }
}

/// Starts a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSeries {
    pub kind: SeriesKind,
    pub name: String,
    /// `weekly` or `quarterly` for a skip-level series; a peer series is `peer`.
    pub cadence: Cadence,
    /// Skip-level: the deepest level to include (2 = your directs' reports
    /// only); absent = all the way down.
    #[serde(default)]
    pub depth: Option<u32>,
    /// Only people of these teams; empty = every team.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Weekly: how many people a week (1 to 10).
    #[serde(default = "one")]
    pub per_week: u32,
    /// Peer: weeks between two peer 1:1s (3 to 5).
    #[serde(default = "four")]
    pub interval_weeks: u32,
    /// The template to use (a built-in one or the leader's own, by key);
    /// absent = the built-in template of the kind.
    #[serde(default)]
    pub template_key: Option<String>,
}

fn one() -> u32 {
    1
}

fn four() -> u32 {
    4
}

impl NewSeries {
    /// Every problem with the fields, by field name.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut add = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            });
        };
        if let Err(m) = crate::people::check_name(&self.name) {
            add("name", m);
        }
        match (self.kind, self.cadence) {
            (SeriesKind::SkipLevel, Cadence::Weekly | Cadence::Quarterly)
            | (SeriesKind::Peer, Cadence::Peer) => {}
            (SeriesKind::SkipLevel, Cadence::Peer) => {
                add(
                    "cadence",
                    "A skip-level series is weekly or quarterly.".to_owned(),
                );
            }
            (SeriesKind::Peer, _) => {
                add(
                    "cadence",
                    "A peer series has the cadence \"peer\".".to_owned(),
                );
            }
        }
        if let Some(d) = self.depth
            && d < SKIP_FROM_LEVEL
        {
            add(
                "depth",
                format!(
                    "Skip-levels start {SKIP_FROM_LEVEL} levels down; choose {SKIP_FROM_LEVEL} or more, or all the way down."
                ),
            );
        }
        if !(1..=PER_WEEK_MAX).contains(&self.per_week) {
            add(
                "per_week",
                format!("Choose from 1 to {PER_WEEK_MAX} people a week."),
            );
        }
        if !INTERVAL_WEEKS.contains(&self.interval_weeks) {
            add(
                "interval_weeks",
                format!(
                    "Peer 1:1s are every {} to {} weeks.",
                    INTERVAL_WEEKS.start(),
                    INTERVAL_WEEKS.end()
                ),
            );
        }
        for t in &self.teams {
            if let Err(m) = crate::people::check_name(t) {
                add("teams", m);
            }
        }
        errors
    }
}

/// A series as the leader's pages list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeriesSummary {
    pub id: String,
    pub kind: SeriesKind,
    pub name: String,
    pub cadence: Cadence,
    pub depth: Option<u32>,
    pub teams: Vec<String>,
    pub per_week: u32,
    pub interval_weeks: u32,
    pub template_name: String,
    /// People the series covers today.
    pub people: u32,
    /// Of them, people met (or scheduled) at least once in this series.
    pub met: u32,
    /// Meetings still to come.
    pub upcoming: u32,
    /// Whether the leader stopped the series.
    pub stopped: bool,
}

/// One person the rotation proposes, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Proposal {
    pub person_id: String,
    pub name: String,
    pub title: String,
    pub team: String,
    /// Levels below the leader (1 = direct report).
    pub level: u32,
    /// Why this person, in one line of English (for API clients; the page
    /// words `why` in the reader's language).
    pub reason: String,
    /// Why this person, in parts.
    pub why: Why,
}

/// Why the rotation proposes a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Why {
    /// A series of peer 1:1s, else of skip-levels.
    pub peer: bool,
    /// A meeting with the leader is planned already.
    pub planned: bool,
    /// Whole weeks since the last meeting with the leader, if there was one.
    pub met_weeks_ago: Option<u32>,
    /// Whole weeks since they joined, for a new joiner never met.
    pub joined_weeks_ago: Option<u32>,
    /// Their team, when nobody from it has met the leader this quarter.
    pub unmet_team: Option<String>,
}

/// A series with its next proposals and its meetings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeriesDetail {
    pub series: SeriesSummary,
    /// Everyone still to meet this quarter, best first: the first `due` are
    /// this turn's proposals, the rest are there to swap one for.
    pub proposals: Vec<Proposal>,
    /// How many to meet this turn: a week's people not yet planned, the
    /// quarter's batch, or one peer once the interval has passed.
    pub due: u32,
    /// When the next turn starts, when nobody is due now.
    pub next_turn: Option<i64>,
    /// Meetings of the series, newest first.
    pub meetings: Vec<MeetingSummary>,
    /// Why there are no proposals, when there are none.
    pub empty_reason: Option<String>,
}

/// Schedules a meeting with a person (accepting or swapping a proposal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    pub person_id: String,
    /// When the meeting starts (Unix seconds).
    pub at: i64,
    /// Minutes (15 to 180; default 30).
    #[serde(default = "thirty")]
    pub duration_minutes: u32,
    /// The leader's offset from UTC in minutes, to write the time in the
    /// invitation as the leader sees it.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

fn thirty() -> u32 {
    30
}

/// Moves a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    pub at: i64,
    #[serde(default = "thirty")]
    pub duration_minutes: u32,
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// Asks for a new personal link for a meeting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reissue {
    /// The leader's offset from UTC in minutes, for the invitation's text.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// Skips a proposal for this round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SkipRequest {
    pub person_id: String,
}

/// What the employee's manager is told: that a skip-level happens, and when;
/// never anything from the check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ManagerNotice {
    pub name: String,
    pub email: String,
    pub subject: String,
    pub text: String,
    /// The manager's own page for this round, when it was just made (its
    /// secret is shown once).
    pub url: Option<String>,
    /// What happened to the email, when SMTP is set.
    pub email_outcome: Option<String>,
}

/// A scheduled meeting's invitation, to send or to copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invitation {
    pub meeting: MeetingSummary,
    pub person_email: String,
    pub subject: String,
    /// The transparent invitation: why, what to expect, who sees what, the link.
    pub text: String,
    /// The personal link, shown once (a new one kills it); absent when it
    /// was emailed, so that it only ever reaches the person it is for.
    pub url: Option<String>,
    /// When the link stops working.
    pub expires_at: i64,
    /// The calendar file (text/calendar).
    pub ics: String,
    pub manager: Option<ManagerNotice>,
    /// What happened to the email, when SMTP is set; absent without SMTP.
    pub email_outcome: Option<String>,
}

/// One meeting on the leader's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DashboardMeeting {
    pub meeting: MeetingSummary,
    pub series_name: String,
    pub round_id: String,
}

/// A series' next proposals, for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeriesProposals {
    pub series_id: String,
    pub series_name: String,
    pub proposals: Vec<Proposal>,
}

/// The leader's home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Dashboard {
    /// Meetings from the start of this week to its end, by time.
    pub this_week: Vec<DashboardMeeting>,
    /// Meetings within the next day whose check-in is not started.
    pub not_started: Vec<DashboardMeeting>,
    pub proposals: Vec<SeriesProposals>,
    /// Whether reminders can be emailed (SMTP is set).
    pub email_enabled: bool,
}

/// What the new-series form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeriesOptions {
    /// Whether the leader's account has a place in the directory.
    pub in_directory: bool,
    /// Teams below the leader, with how many people each has there.
    pub teams: Vec<TeamCount>,
    /// People per level below the leader (index 0 = level 1).
    pub levels: Vec<u32>,
    /// People at the leader's level elsewhere.
    pub peers: u32,
}

/// A team and its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TeamCount {
    pub team: String,
    pub people: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> NewSeries {
        NewSeries {
            kind: SeriesKind::SkipLevel,
            name: "Skip-levels".to_owned(),
            cadence: Cadence::Weekly,
            depth: None,
            teams: vec![],
            per_week: 2,
            interval_weeks: 4,
            template_key: None,
        }
    }

    #[test]
    fn a_sound_series_passes() {
        assert!(series().check().is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = NewSeries {
            name: " ".to_owned(),
            cadence: Cadence::Peer,
            depth: Some(1),
            per_week: 0,
            interval_weeks: 6,
            ..series()
        };
        let fields: Vec<String> = bad.check().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["name", "cadence", "depth", "per_week", "interval_weeks"]
        );
    }

    #[test]
    fn a_peer_series_is_peer_cadence_only() {
        let peer = NewSeries {
            kind: SeriesKind::Peer,
            cadence: Cadence::Quarterly,
            ..series()
        };
        assert_eq!(peer.check()[0].field, "cadence");
    }
}
