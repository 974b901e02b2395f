//! Who a series covers, and who to meet next.
//!
//! The order is a pure function of the directory, the leader's history, the
//! round's skips and the time, picked one person at a time:
//! 1. new joiners who have never met the leader come first;
//! 2. then the longest wait since the last meeting with the leader, in steps
//!    of four weeks (never met counts as longest, so everyone gets a first
//!    meeting before anyone gets a second);
//! 3. among equal waits, a team not yet in this batch, then a team nobody
//!    from has met the leader this quarter, then a level not yet in this
//!    batch, then the exact wait;
//! 4. then the name and the email, so the same inputs give the same list.
//!
//! The person met last in the series is never proposed straight away again,
//! nor anyone already planned in this quarter's round or skipped in it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate};
use shared::series::{Proposal, SKIP_FROM_LEVEL, Why};

use crate::db::{HistoryRow, PersonRow, SeriesRow};
use crate::directory;

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
/// Someone who joined within this many days, and has never met the leader,
/// is a new joiner.
const NEW_JOINER_DAYS: i64 = 90;

/// The calendar quarter holding `at`: its start, its end, and its name
/// ("Q1 2027").
pub fn quarter(at: i64) -> (i64, i64, String) {
    let date = DateTime::from_timestamp(at, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let q = date.month0() / 3;
    let start = |year: i32, q: u32| {
        NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |d| d.and_utc().timestamp())
    };
    let (next_year, next_q) = if q == 3 {
        (date.year() + 1, 0)
    } else {
        (date.year(), q + 1)
    };
    (
        start(date.year(), q),
        start(next_year, next_q),
        format!("Q{} {}", q + 1, date.year()),
    )
}

/// Monday 00:00 UTC of the week holding `at` (1970-01-01 was a Thursday).
pub fn week_start(at: i64) -> i64 {
    let day = at.div_euclid(DAY);
    (day - (day + 3).rem_euclid(7)) * DAY
}

/// How many people a series should meet now, and when its next turn starts
/// when that is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub count: usize,
    pub next_turn: Option<i64>,
}

/// A weekly series meets its people a week, less those already planned
/// this week; a quarterly one everyone not yet planned this quarter
/// (`in_scope` left); a peer series one peer once its interval has passed
/// since the last peer 1:1.
pub fn due(series: &SeriesRow, history: &[HistoryRow], in_scope: usize, now: i64) -> Due {
    let mine = history
        .iter()
        .filter(|h| h.series_id.as_deref() == Some(series.id.as_str()));
    match series.cadence.as_str() {
        "quarterly" => Due {
            count: in_scope,
            next_turn: None,
        },
        "peer" => {
            let last = mine.map(|h| h.scheduled_at).max();
            let weeks = series.interval_weeks.clamp(1, 52);
            match last.map(|at| at + weeks * WEEK) {
                Some(next) if next > now => Due {
                    count: 0,
                    next_turn: Some(next),
                },
                _ => Due {
                    count: 1,
                    next_turn: None,
                },
            }
        }
        _ => {
            let start = week_start(now);
            let planned = mine
                .filter(|h| (start..start + WEEK).contains(&h.scheduled_at))
                .count();
            let per_week = usize::try_from(series.per_week).unwrap_or(1);
            let count = per_week.saturating_sub(planned);
            Due {
                count,
                next_turn: (count == 0).then_some(start + WEEK),
            }
        }
    }
}

/// Everyone a series covers, with their level below the leader (1 = direct
/// report). A skip-level series covers levels 2 and down (to its depth); a
/// peer series covers people at the leader's level elsewhere in the tree.
/// Only active people; only the chosen teams, if any.
pub fn scope<'a>(
    series: &SeriesRow,
    people: &'a [PersonRow],
    leader_person: &str,
) -> Vec<(&'a PersonRow, u32)> {
    let teams: HashSet<String> = series.teams().into_iter().collect();
    let in_teams = |p: &PersonRow| teams.is_empty() || teams.contains(&p.team);
    if series.kind == "peer" {
        return peers(people, leader_person)
            .into_iter()
            .filter(|p| in_teams(p))
            .map(|p| (p, 0))
            .collect();
    }
    let deepest = series
        .depth
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(u32::MAX);
    directory::below(people, leader_person)
        .into_iter()
        .filter(|(p, level)| (SKIP_FROM_LEVEL..=deepest).contains(level) && in_teams(p))
        .collect()
}

/// Active people at the leader's level in the reporting tree, outside the
/// leader's own tree, by name.
pub fn peers<'a>(people: &'a [PersonRow], leader_person: &str) -> Vec<&'a PersonRow> {
    let places = directory::places(people);
    let Some(mine) = places.get(leader_person) else {
        return Vec::new();
    };
    let below: HashSet<&str> = directory::below(people, leader_person)
        .into_iter()
        .map(|(p, _)| p.id.as_str())
        .collect();
    let mut peers: Vec<&PersonRow> = people
        .iter()
        .filter(|p| {
            p.active != 0
                && p.id != leader_person
                && !below.contains(p.id.as_str())
                && places.get(&p.id).is_some_and(|pl| pl.level == mine.level)
        })
        .collect();
    peers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.email.cmp(&b.email)));
    peers
}

/// What rotation needs to know besides the directory.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub series: &'a SeriesRow,
    /// Every meeting the leader has had or planned.
    pub history: &'a [HistoryRow],
    /// The round of this quarter, if it is open.
    pub round_id: Option<&'a str>,
    /// People skipped in that round.
    pub skipped: &'a [String],
    pub now: i64,
}

/// The next `count` people to meet, best first, each with a one-line reason.
pub fn propose(candidates: &[(&PersonRow, u32)], ctx: Context<'_>, count: usize) -> Vec<Proposal> {
    let (quarter_start, _, _) = quarter(ctx.now);
    // The last meeting with each person, any series; who is planned this round.
    let mut last: HashMap<&str, i64> = HashMap::new();
    let mut this_round: HashSet<&str> = HashSet::new();
    let mut teams_this_quarter: HashSet<&str> = HashSet::new();
    let team_of: HashMap<&str, &str> = candidates
        .iter()
        .map(|(p, _)| (p.id.as_str(), p.team.as_str()))
        .collect();
    for h in ctx.history {
        let at = last.entry(h.person_id.as_str()).or_insert(h.scheduled_at);
        *at = (*at).max(h.scheduled_at);
        if Some(h.round_id.as_str()) == ctx.round_id {
            this_round.insert(h.person_id.as_str());
        }
        if h.series_id.as_deref() == Some(ctx.series.id.as_str())
            && h.scheduled_at >= quarter_start
            && let Some(team) = team_of.get(h.person_id.as_str())
        {
            teams_this_quarter.insert(team);
        }
    }
    // Never twice in a row: the series' latest meeting's person waits a turn.
    let latest = ctx
        .history
        .iter()
        .filter(|h| h.series_id.as_deref() == Some(ctx.series.id.as_str()))
        .max_by_key(|h| h.scheduled_at)
        .map(|h| h.person_id.as_str());
    let skipped: HashSet<&str> = ctx.skipped.iter().map(String::as_str).collect();
    let mut pool: Vec<&(&PersonRow, u32)> = candidates
        .iter()
        .filter(|(p, _)| {
            let id = p.id.as_str();
            !this_round.contains(id) && !skipped.contains(id) && Some(id) != latest
        })
        .collect();

    let mut picked: Vec<Proposal> = Vec::new();
    let mut picked_teams: HashSet<&str> = HashSet::new();
    let mut picked_levels: HashSet<u32> = HashSet::new();
    while picked.len() < count && !pool.is_empty() {
        let key = |(p, level): &(&PersonRow, u32)| {
            let id = p.id.as_str();
            let met = last.get(id).copied();
            let new_joiner =
                met.is_none() && p.joined_at > 0 && ctx.now - p.joined_at <= NEW_JOINER_DAYS * DAY;
            // Whole weeks waited; never met counts as longest. Waits within
            // the same four weeks count as equal, so that teams and levels
            // can be spread among them.
            let waited = met.map_or(i64::MAX, |at| (ctx.now - at).max(0) / WEEK);
            let has_team = !p.team.is_empty();
            (
                !new_joiner,
                std::cmp::Reverse(waited / 4),
                has_team && picked_teams.contains(p.team.as_str()),
                has_team && teams_this_quarter.contains(p.team.as_str()),
                picked_levels.contains(level),
                std::cmp::Reverse(waited),
                p.name.clone(),
                p.email.clone(),
            )
        };
        let Some(best) = pool
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| key(c))
            .map(|(i, _)| i)
        else {
            break;
        };
        let (person, level) = *pool.remove(best);
        picked_teams.insert(person.team.as_str());
        picked_levels.insert(level);
        picked.push(Proposal {
            person_id: person.id.clone(),
            name: person.name.clone(),
            title: person.title.clone(),
            team: person.team.clone(),
            level,
            reason: String::new(),
            why: why(
                person,
                last.get(person.id.as_str()).copied(),
                &teams_this_quarter,
                ctx,
            ),
        });
        if let Some(last) = picked.last_mut() {
            last.reason = reason(&last.why);
        }
    }
    picked
}

/// Why a person is proposed.
fn why(person: &PersonRow, met: Option<i64>, teams: &HashSet<&str>, ctx: Context<'_>) -> Why {
    let weeks = |since: i64| u32::try_from((ctx.now - since).max(0) / WEEK).unwrap_or(u32::MAX);
    let new_joiner = person.joined_at > 0 && ctx.now - person.joined_at <= NEW_JOINER_DAYS * DAY;
    Why {
        peer: ctx.series.kind == "peer",
        planned: met.is_some_and(|at| at > ctx.now),
        met_weeks_ago: met.filter(|at| *at <= ctx.now).map(weeks),
        joined_weeks_ago: (met.is_none() && new_joiner).then(|| weeks(person.joined_at)),
        unmet_team: (!person.team.is_empty() && !teams.contains(person.team.as_str()))
            .then(|| person.team.clone()),
    }
}

/// [`Why`] in one line of English.
pub fn reason(why: &Why) -> String {
    let what = if why.peer { "peer 1:1" } else { "skip-level" };
    let weeks = |w: u32| match w {
        0 => "this week".to_owned(),
        1 => "1 week ago".to_owned(),
        n => format!("{n} weeks ago"),
    };
    let mut parts = vec![
        match (why.planned, why.met_weeks_ago, why.joined_weeks_ago) {
            (true, _, _) => format!("{} planned", shared::text::capitalised(what)),
            (_, Some(w), _) => format!("Last {what} {}", weeks(w)),
            (_, None, Some(w)) => {
                format!("New joiner (joined {}); no {what} with you yet", weeks(w))
            }
            (_, None, None) => format!("No {what} with you yet"),
        },
    ];
    if let Some(team) = &why.unmet_team {
        parts.push(format!("nobody from {team} this quarter"));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000; // Wednesday 2026-11-18, 11:06 UTC

    fn person(
        id: &str,
        manager: Option<&str>,
        team: &str,
        joined_days_ago: Option<i64>,
    ) -> PersonRow {
        PersonRow {
            id: id.to_owned(),
            name: id.to_uppercase(),
            email: format!("{id}@x.io"),
            title: String::new(),
            team: team.to_owned(),
            manager_id: manager.map(str::to_owned),
            active: 1,
            joined_at: joined_days_ago.map_or(0, |d| NOW - d * DAY),
        }
    }

    /// A VP over two managers; Payments has three engineers, Search two and
    /// a tech lead with one report (four levels).
    fn directory() -> Vec<PersonRow> {
        vec![
            person("ceo", None, "Exec", None),
            person("vp", Some("ceo"), "Eng", None),
            person("vp2", Some("ceo"), "Sales", None),
            person("pay", Some("vp"), "Payments", None),
            person("srch", Some("vp"), "Search", None),
            person("ann", Some("pay"), "Payments", None),
            person("bob", Some("pay"), "Payments", None),
            person("cat", Some("pay"), "Payments", Some(10)),
            person("dan", Some("srch"), "Search", None),
            person("eve", Some("srch"), "Search", None),
            person("fay", Some("eve"), "Search", None),
        ]
    }

    fn series(kind: &str, depth: Option<i64>, teams: &[&str]) -> SeriesRow {
        SeriesRow {
            id: "s".to_owned(),
            org_id: "o".to_owned(),
            leader_id: "a".to_owned(),
            kind: kind.to_owned(),
            name: "S".to_owned(),
            template_key: "skip-level".to_owned(),
            cadence: "weekly".to_owned(),
            depth,
            teams: serde_json::to_string(teams).unwrap(),
            per_week: 2,
            interval_weeks: 4,
            created_at: 0,
            stopped_at: None,
        }
    }

    fn met(person: &str, weeks_ago: i64) -> HistoryRow {
        HistoryRow {
            person_id: person.to_owned(),
            scheduled_at: NOW - weeks_ago * WEEK,
            series_id: Some("s".to_owned()),
            round_id: "old".to_owned(),
        }
    }

    fn ids(p: &[Proposal]) -> Vec<&str> {
        p.iter().map(|p| p.person_id.as_str()).collect()
    }

    #[test]
    fn a_quarter_runs_from_its_first_day_to_the_next_quarters() {
        let (start, end, name) = quarter(NOW);
        assert_eq!(name, "Q4 2026");
        assert_eq!(start, 1_790_812_800); // 2026-10-01
        assert_eq!(end, 1_798_761_600); // 2027-01-01
        assert_eq!(quarter(end).2, "Q1 2027");
    }

    #[test]
    fn a_weeks_people_a_quarters_batch_and_a_peer_once_the_interval_has_passed() {
        let mut weekly = series("skip_level", None, &[]);
        weekly.per_week = 2;
        let this_week = vec![met("ann", 0)];
        assert_eq!(
            due(&weekly, &this_week, 9, NOW),
            Due {
                count: 1,
                next_turn: None
            }
        );
        let two = vec![met("ann", 0), met("bob", 0)];
        let next_monday = week_start(NOW) + WEEK;
        assert_eq!(
            due(&weekly, &two, 9, NOW),
            Due {
                count: 0,
                next_turn: Some(next_monday)
            }
        );
        assert_eq!(week_start(NOW), 1_794_787_200, "Monday 2026-11-16");

        let mut quarterly = series("skip_level", None, &[]);
        quarterly.cadence = "quarterly".to_owned();
        assert_eq!(due(&quarterly, &two, 9, NOW).count, 9);

        let mut peer = series("peer", None, &[]);
        peer.cadence = "peer".to_owned();
        peer.interval_weeks = 4;
        assert_eq!(due(&peer, &[], 3, NOW).count, 1);
        assert_eq!(due(&peer, &[met("x", 5)], 3, NOW).count, 1);
        assert_eq!(
            due(&peer, &[met("x", 2)], 3, NOW),
            Due {
                count: 0,
                next_turn: Some(NOW - 2 * WEEK + 4 * WEEK)
            }
        );
    }

    #[test]
    fn skip_level_scope_starts_two_levels_down_and_stops_at_the_depth() {
        let people = directory();
        let all: Vec<&str> = scope(&series("skip_level", None, &[]), &people, "vp")
            .iter()
            .map(|(p, _)| p.id.as_str())
            .collect();
        assert_eq!(all, ["ann", "bob", "cat", "dan", "eve", "fay"]);
        let two = scope(&series("skip_level", Some(2), &[]), &people, "vp");
        assert!(two.iter().all(|(p, level)| *level == 2 && p.id != "fay"));
        let search = scope(&series("skip_level", None, &["Search"]), &people, "vp");
        assert_eq!(search.len(), 3);
    }

    #[test]
    fn peer_scope_is_the_leaders_level_outside_their_own_tree() {
        let people = directory();
        let peers: Vec<&str> = scope(&series("peer", None, &[]), &people, "pay")
            .iter()
            .map(|(p, _)| p.id.as_str())
            .collect();
        assert_eq!(peers, ["srch"]);
        let vps: Vec<&str> = scope(&series("peer", None, &[]), &people, "vp")
            .iter()
            .map(|(p, _)| p.id.as_str())
            .collect();
        assert_eq!(vps, ["vp2"]);
    }

    #[test]
    fn new_joiners_first_then_longest_wait_with_teams_and_levels_spread() {
        let people = directory();
        let s = series("skip_level", None, &[]);
        let candidates = scope(&s, &people, "vp");
        let history = vec![
            met("ann", 20),
            met("bob", 3),
            met("dan", 14),
            met("eve", 1),
            met("fay", 14),
        ];
        let ctx = Context {
            series: &s,
            history: &history,
            round_id: None,
            skipped: &[],
            now: NOW,
        };

        let order = propose(&candidates, ctx, 6);

        // cat joined 10 days ago; eve was met last, so waits a turn; ann
        // waited longest; dan and fay waited as long, dan's level-2 slot is
        // taken by ann so fay (level 3) comes first.
        assert_eq!(ids(&order), ["cat", "ann", "fay", "dan", "bob"]);
        assert!(
            order[0]
                .reason
                .starts_with("New joiner (joined 1 week ago)"),
            "{}",
            order[0].reason
        );
        assert_eq!(order[1].reason, "Last skip-level 20 weeks ago");
        assert_eq!(propose(&candidates, ctx, 6), order, "deterministic");
    }

    #[test]
    fn nobody_from_a_team_this_quarter_is_said_and_preferred() {
        let people = directory();
        let s = series("skip_level", Some(2), &[]);
        let candidates = scope(&s, &people, "vp");
        // Everyone met long ago; a Payments person this quarter.
        let history = vec![
            met("ann", 1),
            met("bob", 30),
            met("cat", 30),
            met("dan", 30),
            met("eve", 30),
        ];
        let ctx = Context {
            series: &s,
            history: &history,
            round_id: None,
            skipped: &[],
            now: NOW,
        };

        let order = propose(&candidates, ctx, 2);

        assert_eq!(ids(&order), ["dan", "bob"], "one per team, Search first");
        assert_eq!(
            order[0].reason,
            "Last skip-level 30 weeks ago; nobody from Search this quarter"
        );
    }

    #[test]
    fn people_planned_this_round_or_skipped_are_not_proposed() {
        let people = directory();
        let s = series("skip_level", Some(2), &[]);
        let candidates = scope(&s, &people, "vp");
        let mut planned = met("dan", -1);
        planned.round_id = "now".to_owned();
        let history = vec![planned];
        let skipped = vec!["ann".to_owned()];
        let ctx = Context {
            series: &s,
            history: &history,
            round_id: Some("now"),
            skipped: &skipped,
            now: NOW,
        };

        let order = propose(&candidates, ctx, 10);

        assert_eq!(ids(&order), ["cat", "eve", "bob"]);
    }
}
