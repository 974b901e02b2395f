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
    /// The meeting's id: the page keeps unsent anonymous answers under it,
    /// whichever link (emailed, or the intranet's) opened the check-in.
    pub meeting_id: String,
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
    pub template: Template,
    /// The confidential answers saved so far (draft or submitted).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::answers_schema))]
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
    /// What the leader promised to follow up on, with its status: the items
    /// from earlier meetings the leader chose to share.
    #[serde(default)]
    pub promised: Vec<crate::meeting::SharedItem>,
}

/// A draft of the confidential answers, saved as the employee types.
/// Anonymous answers are never sent as drafts: they stay in the browser until submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::answers_schema))]
    pub answers: Answers,
}

/// Submits the check-in: every answer, confidential and anonymous.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::answers_schema))]
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
    /// The broad themes the leader shared with this manager, newest first.
    #[serde(default)]
    pub themes: Vec<crate::meeting::SharedThemes>,
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
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
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
    /// The distribution over `n` respondents (`n ≥ k`), and its mean and
    /// median for scales; `declined` of them preferred not to say, and are in
    /// no bar. With fewer than `k` values given, only `n` and `declined` show.
    Released {
        n: u32,
        buckets: Vec<Bucket>,
        mean: Option<f64>,
        #[serde(default)]
        median: Option<f64>,
        #[serde(default)]
        declined: u32,
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
    /// People of the manager's team, at any depth, who meet the leader this round.
    pub team_size: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub morale: Option<Score>,
    /// The breakdown's row for this manager's team, if it has one.
    #[serde(default)]
    pub group_id: Option<String>,
}

/// Who was planned, who answered, and how many answers the figures hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Response {
    /// Meetings in the round.
    pub planned: u32,
    /// Check-ins sent to the leader.
    pub submitted: u32,
    /// People whose anonymous answers are in.
    pub respondents: u32,
    /// Of those, the answers counted in the figures; the rest wait until
    /// their group has `k` more.
    pub counted: u32,
}

/// Why a group of the breakdown shows figures or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// Its figures, over at least `k` people.
    Shown,
    /// Fewer than `k` of its people meet the leader this round: their answers
    /// count in the enclosing group.
    TooSmall,
    /// Fewer than `k` of its answers are counted so far.
    Waiting,
    /// Enough answers, hidden because a group beside it is suppressed: the
    /// whole minus the shown groups must never single anyone out.
    Hidden,
}

/// One group of the breakdown by manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupReport {
    /// The manager's person id; stable from round to round.
    pub id: String,
    /// The enclosing group's id, for a group one level further down.
    pub parent: Option<String>,
    /// 1: the team under one of the leader's direct reports; 2: one level further.
    pub level: u32,
    pub manager_name: String,
    /// Meetings in the round with people of this team.
    pub planned: u32,
    pub status: GroupStatus,
    /// Answers in the figures (0 unless shown).
    pub n: u32,
    /// The figures, when shown.
    pub results: Vec<AnonymousResult>,
    /// The manager's own estimate of the team's morale.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub estimate: Option<Score>,
    /// Estimate minus the team's mean morale, when both are there.
    pub gap: Option<f64>,
}

/// A round's anonymous results: the whole round, the breakdown by manager,
/// and the managers' estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoundReport {
    pub round_id: String,
    pub round_name: String,
    pub k: u32,
    pub response: Response,
    /// The whole round's figures.
    pub results: Vec<AnonymousResult>,
    /// Level-1 groups, each followed by its level-2 groups.
    pub groups: Vec<GroupReport>,
    pub manager_estimates: Vec<ManagerEstimate>,
}

/// One question's figure in one round of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrendFigure {
    pub question_id: String,
    pub prompt: String,
    /// `None` where the round's figure is not shown.
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Answers in the figure (0 where not shown).
    pub n: u32,
}

/// One group's morale in one round of a trend, only where that round shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrendGroup {
    pub id: String,
    pub manager_name: String,
    pub mean: Option<f64>,
    pub n: u32,
}

/// One round as a point of the leader's trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrendPoint {
    pub round_id: String,
    pub round_name: String,
    /// When the round opened (or was made), Unix seconds.
    pub at: i64,
    pub k: u32,
    pub response: Response,
    pub figures: Vec<TrendFigure>,
    pub groups: Vec<TrendGroup>,
}

/// What the leader reads before one meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Briefing {
    pub meeting: MeetingSummary,
    pub round_id: String,
    pub round_name: String,
    /// The template version this person answered.
    pub template: Template,
    /// Confidential answers; anonymous questions are never among them.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::answers_schema))]
    pub answers: Answers,
    pub submitted_at: Option<i64>,
    /// Open action items from earlier meetings with this person, oldest first.
    #[serde(default)]
    pub follow_ups: Vec<crate::meeting::ActionItem>,
}
