//! The JSON bodies of the HTTP API, as both sides read and write them.
//!
//! Times are Unix seconds (UTC); the page formats them in the reader's zone.

use serde::{Deserialize, Serialize};

use crate::template::{Answers, Template};
use crate::validate::{FieldError, Score};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Every error the API returns has this shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `validation`, `not_found`, `locked`.
    pub error: String,
    /// A sentence for a person.
    pub message: String,
    /// Per-field problems, for `validation` errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// What an employee's invite link opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CheckinView {
    pub person_name: String,
    pub leader_name: String,
    pub leader_title: String,
    /// The employee's own manager, who never sees these answers.
    pub manager_name: Option<String>,
    pub round_name: String,
    /// When the meeting starts; the check-in is read-only from then on.
    pub meeting_at: i64,
    /// False once the meeting has started.
    pub editable: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template: Template,
    /// The confidential answers saved so far (draft or submitted).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    /// When the confidential answers were last submitted, if ever.
    pub submitted_at: Option<i64>,
    /// Whether the saved answers differ from the submitted ones, which are
    /// what the leader reads.
    pub unsent_changes: bool,
    /// Whether this person's anonymous answers are already in. They can't be
    /// changed afterwards: nothing links them to the person any more.
    pub anonymous_sealed: bool,
    /// The anonymity threshold `k` of this round.
    pub k: u32,
}

/// A draft of the confidential answers, saved as the employee types.
/// Anonymous answers are never sent as drafts: they stay in the browser until submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

/// Submits the check-in: every answer, confidential and anonymous.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

/// What the server says after a save or submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Saved {
    pub saved_at: i64,
    pub submitted_at: Option<i64>,
    pub anonymous_sealed: bool,
}

/// What a manager's perception link opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EstimateView {
    pub manager_name: String,
    pub leader_name: String,
    pub round_name: String,
    /// The manager's current estimate, if given.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub morale: Option<Score>,
    pub editable: bool,
    /// The manager's direct reports' skip-levels this round: who and when,
    /// never what they answered.
    #[serde(default)]
    pub team_meetings: Vec<TeamMeeting>,
}

/// One skip-level of a manager's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TeamMeeting {
    pub person_name: String,
    pub meeting_at: i64,
}

/// A manager's estimate of their team's morale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EstimateRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = i32, minimum = 1, maximum = 10))]
    pub morale: Score,
}

/// Logging in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The account behind the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_leader: bool,
}

/// One round in the leader's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoundSummary {
    pub id: String,
    pub name: String,
    pub cadence: String,
    pub template_name: String,
    pub meetings: u32,
    /// Check-ins submitted so far.
    pub submitted: u32,
}

/// Where one check-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckinStatus {
    NotStarted,
    Draft,
    Submitted,
}

/// One meeting of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingSummary {
    pub id: String,
    pub person_name: String,
    pub person_title: String,
    pub manager_name: Option<String>,
    pub meeting_at: i64,
    pub status: CheckinStatus,
}

/// A round with its meetings, for its leader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoundDetail {
    pub id: String,
    pub name: String,
    pub cadence: String,
    pub template_name: String,
    pub k: u32,
    pub meetings: Vec<MeetingSummary>,
}

/// One bar of a distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Bucket {
    pub label: String,
    pub count: u32,
}

/// An anonymous figure: released only over at least `k` respondents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Aggregate {
    /// Too few answers to show anything: `n` of the `k` needed.
    Suppressed { n: u32, k: u32 },
    /// The distribution over `n` respondents (`n ≥ k`), and its mean for scales.
    Released {
        n: u32,
        buckets: Vec<Bucket>,
        mean: Option<f64>,
    },
}

/// One anonymous question's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnonymousResult {
    pub question_id: String,
    pub prompt: String,
    pub result: Aggregate,
}

/// A manager's estimate of their team's morale, beside what the team said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ManagerEstimate {
    pub manager_name: String,
    pub team_size: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub morale: Option<Score>,
}

/// The round's anonymous results and the managers' estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MoraleReport {
    pub k: u32,
    /// People whose anonymous answers are in (the figures move only in steps of `k`).
    pub respondents: u32,
    pub results: Vec<AnonymousResult>,
    pub manager_estimates: Vec<ManagerEstimate>,
}

/// What the leader reads before one meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Briefing {
    pub meeting: MeetingSummary,
    pub round_id: String,
    pub round_name: String,
    /// The template version this person answered.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template: Template,
    /// Confidential answers; anonymous questions are never among them.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    pub submitted_at: Option<i64>,
}
