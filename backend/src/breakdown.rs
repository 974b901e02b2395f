//! A round's breakdown by manager: which group an anonymous answer is counted
//! in, and which groups' figures may be shown.
//!
//! Rule: an answer is counted, once and for good, in the smallest group that
//! reaches k as planned when it is written: the team under the leader's
//! direct report on the person's line (level 1), or one level further (level
//! 2), else the whole round. Each group's counts move only when k of its
//! answers are in. On the way out, a group with fewer than k counted is
//! suppressed, and so is the next-smallest beside it, so the whole minus the
//! shown groups never isolates fewer than k people.

use std::collections::{BTreeMap, HashMap};

use shared::api::{AnonymousResult, GroupReport, GroupStatus};
use shared::{Score, Template};

use crate::db::Line;
use crate::morale;

/// The id of the whole round's group.
pub const WHOLE_ROUND: &str = "all";

/// A group a ballot may be counted in, as it is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub id: String,
    pub parent: Option<String>,
    pub level: u32,
    pub manager_id: Option<String>,
    pub label: String,
}

impl NewGroup {
    fn whole_round() -> Self {
        Self {
            id: WHOLE_ROUND.to_owned(),
            parent: None,
            level: 0,
            manager_id: None,
            label: String::new(),
        }
    }
}

/// One person above the one who answers: (id, name), nearest first.
pub type Ancestor = (String, String);

/// The managers that head the person's level-1 and level-2 teams: the
/// leader's direct report on the person's line, and that one's report on it.
/// Without a leader in the directory the top of the line stands in for them.
/// `None` for a person outside the leader's tree.
pub fn heads<'a>(
    ancestors: &'a [Ancestor],
    leader_person: Option<&str>,
) -> Option<(Option<&'a Ancestor>, Option<&'a Ancestor>)> {
    let at = match leader_person {
        Some(leader) => ancestors.iter().position(|(id, _)| id == leader)?,
        None => ancestors.len(),
    };
    let direct = at.checked_sub(1).and_then(|i| ancestors.get(i));
    let further = at.checked_sub(2).and_then(|i| ancestors.get(i));
    Some((direct, further))
}

/// The chain of groups a ballot is counted under, from the whole round down
/// to the one that holds it: a team is a group of its own only if `planned`
/// says at least `k` of its people meet the leader this round.
pub fn placement(
    heads: Option<(Option<&Ancestor>, Option<&Ancestor>)>,
    planned: impl Fn(&str) -> u32,
    k: u32,
) -> Vec<NewGroup> {
    let mut chain = vec![NewGroup::whole_round()];
    let Some((direct, further)) = heads else {
        return chain;
    };
    for head in [direct, further].into_iter().flatten() {
        if planned(&head.0) < k {
            break;
        }
        let parent = chain.last().map(|g| g.id.clone());
        chain.push(NewGroup {
            id: head.0.clone(),
            parent,
            level: u32::try_from(chain.len()).unwrap_or(u32::MAX),
            manager_id: Some(head.0.clone()),
            label: head.1.clone(),
        });
    }
    chain
}

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupRow {
    pub group_id: String,
    pub parent_id: Option<String>,
    pub level: i64,
    pub manager_id: Option<String>,
    pub label: String,
    pub ballots: i64,
    pub counted: i64,
}

/// A team under one of the leader's direct reports with meetings in the
/// round, from the directory as it is now: it has a row in the breakdown
/// even when too small to be a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub manager_id: String,
    pub manager_name: String,
    pub planned: u32,
}

/// How many of the people in `planned` stand below each person, at any depth.
pub fn planned_below(people: &[Line], planned: &[String]) -> HashMap<String, u32> {
    let manager: HashMap<&str, Option<&str>> = people
        .iter()
        .map(|p| (p.id.as_str(), p.manager_id.as_deref()))
        .collect();
    let mut below: HashMap<String, u32> = HashMap::new();
    for person in planned {
        let mut up = manager.get(person.as_str()).copied().flatten();
        let mut steps = 0;
        // The step bound guards against a circle in bad directory data.
        while let Some(m) = up.filter(|_| steps < manager.len()) {
            *below.entry(m.to_owned()).or_default() += 1;
            up = manager.get(m).copied().flatten();
            steps += 1;
        }
    }
    below
}

/// The teams under the leader's direct reports (or, without a leader in the
/// directory, under the top of the tree) that meet the leader this round.
pub fn teams(
    people: &[Line],
    leader_person: Option<&str>,
    planned_below: &HashMap<String, u32>,
) -> Vec<Team> {
    let mut reports: Vec<&Line> = people
        .iter()
        .filter(|p| p.manager_id.as_deref() == leader_person)
        .collect();
    reports.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    reports
        .into_iter()
        .filter_map(|p| {
            let planned = planned_below.get(&p.id).copied().unwrap_or(0);
            (planned > 0).then(|| Team {
                manager_id: p.id.clone(),
                manager_name: p.name.clone(),
                planned,
            })
        })
        .collect()
}

/// A manager's estimate of their team's morale.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub manager_id: String,
    pub morale: Option<Score>,
}

/// One counted value: (group, question, answer json, count).
pub type Tally = (String, String, String, i64);

/// Everything the breakdown is made from.
pub struct Inputs<'a> {
    pub template: &'a Template,
    pub k: u32,
    pub groups: &'a [GroupRow],
    pub tallies: &'a [Tally],
    pub teams: &'a [Team],
    pub estimates: &'a [Estimate],
    /// How many people of each manager's team (any depth) meet the leader in this round.
    pub planned: &'a HashMap<String, u32>,
}

/// The whole round's figures and the breakdown: (results, counted, groups).
pub fn build(input: &Inputs<'_>) -> (Vec<AnonymousResult>, u32, Vec<GroupReport>) {
    let k = input.k;
    let children: BTreeMap<&str, Vec<&GroupRow>> =
        input.groups.iter().fold(BTreeMap::new(), |mut map, g| {
            if let Some(parent) = &g.parent_id {
                map.entry(parent.as_str()).or_default().push(g);
            }
            map
        });
    let subtree = |id: &str| -> Vec<String> {
        let mut out = vec![];
        let mut next = vec![id.to_owned()];
        while let Some(g) = next.pop() {
            if let Some(c) = children.get(g.as_str()) {
                next.extend(c.iter().map(|c| c.group_id.clone()));
            }
            out.push(g);
        }
        out
    };
    // Each group's count and tallies, found by its id: a round has a few
    // hundred groups and a few thousand tallies, so no scan per group.
    let counted: HashMap<&str, u32> = input
        .groups
        .iter()
        .map(|g| (g.group_id.as_str(), u32::try_from(g.counted).unwrap_or(0)))
        .collect();
    let tallies_of: HashMap<&str, Vec<&Tally>> =
        input.tallies.iter().fold(HashMap::new(), |mut map, t| {
            map.entry(t.0.as_str()).or_default().push(t);
            map
        });
    let counted_in =
        |ids: &[String]| -> u32 { ids.iter().filter_map(|id| counted.get(id.as_str())).sum() };
    let figures = |ids: &[String], n: u32| -> Vec<AnonymousResult> {
        let tallies: Vec<(String, String, i64)> = ids
            .iter()
            .filter_map(|id| tallies_of.get(id.as_str()))
            .flatten()
            .map(|(_, q, a, c)| (q.clone(), a.clone(), *c))
            .collect();
        morale::results(input.template, &tallies, n, k)
    };

    let all_ids: Vec<String> = input.groups.iter().map(|g| g.group_id.clone()).collect();
    let total = counted_in(&all_ids);
    let overall = figures(&all_ids, total);

    // Level 1: every team under a direct report with meetings in the round,
    // and every group made at write time (a team may have moved since).
    let mut level1: Vec<GroupReport> = Vec::new();
    for g in input.groups.iter().filter(|g| g.level == 1) {
        let ids = subtree(&g.group_id);
        level1.push(row(g, counted_in(&ids), input));
    }
    for team in input.teams {
        if !level1.iter().any(|r| r.id == team.manager_id) {
            level1.push(GroupReport {
                id: team.manager_id.clone(),
                parent: None,
                level: 1,
                manager_name: team.manager_name.clone(),
                planned: team.planned,
                status: GroupStatus::TooSmall,
                n: 0,
                results: Vec::new(),
                estimate: None,
                gap: None,
            });
        }
    }
    suppress(&mut level1, total, k);
    level1.sort_by(|a, b| a.manager_name.cmp(&b.manager_name));

    let mut out = Vec::new();
    for mut parent in level1 {
        let mut level2: Vec<GroupReport> = children
            .get(parent.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|g| row(g, counted_in(&subtree(&g.group_id)), input))
            .collect();
        if parent.status == GroupStatus::Shown {
            suppress(&mut level2, parent.n, k);
        } else {
            for child in &mut level2 {
                if child.status == GroupStatus::Shown {
                    child.status = GroupStatus::Hidden;
                }
            }
        }
        finish(&mut parent, &subtree, &figures, input);
        out.push(parent);
        for mut child in level2 {
            finish(&mut child, &subtree, &figures, input);
            out.push(child);
        }
    }
    (overall, total, out)
}

fn row(g: &GroupRow, counted: u32, input: &Inputs<'_>) -> GroupReport {
    GroupReport {
        id: g.group_id.clone(),
        parent: g.parent_id.clone().filter(|p| p != WHOLE_ROUND),
        level: u32::try_from(g.level).unwrap_or(0),
        manager_name: g.label.clone(),
        planned: input.planned.get(&g.group_id).copied().unwrap_or(0),
        status: if counted >= input.k {
            GroupStatus::Shown
        } else {
            GroupStatus::Waiting
        },
        n: counted,
        results: Vec::new(),
        estimate: None,
        gap: None,
    }
}

/// Secondary suppression among siblings whose parent counts `parent_n`: a
/// suppressed group never stands alone, and the parent minus the shown
/// groups is either nothing or at least `k`.
fn suppress(siblings: &mut [GroupReport], parent_n: u32, k: u32) {
    loop {
        let shown: Vec<usize> = (0..siblings.len())
            .filter(|&i| siblings[i].status == GroupStatus::Shown)
            .collect();
        let hidden_groups = siblings.len() - shown.len();
        let shown_n: u32 = shown.iter().map(|&i| siblings[i].n).sum();
        let rest = parent_n.saturating_sub(shown_n);
        let alone = hidden_groups == 1;
        let isolates = rest > 0 && rest < k;
        if !(alone || isolates) {
            return;
        }
        let Some(&smallest) = shown.iter().min_by(|&&a, &&b| {
            let (a, b) = (&siblings[a], &siblings[b]);
            (a.n, a.planned, &a.manager_name).cmp(&(b.n, b.planned, &b.manager_name))
        }) else {
            return;
        };
        siblings[smallest].status = GroupStatus::Hidden;
    }
}

/// Fills in a row's figures (only if shown) and its manager's estimate.
fn finish(
    row: &mut GroupReport,
    subtree: &impl Fn(&str) -> Vec<String>,
    figures: &impl Fn(&[String], u32) -> Vec<AnonymousResult>,
    input: &Inputs<'_>,
) {
    row.estimate = input
        .estimates
        .iter()
        .find(|e| e.manager_id == row.id)
        .and_then(|e| e.morale);
    if row.status != GroupStatus::Shown {
        row.n = 0;
        return;
    }
    row.results = figures(&subtree(&row.id), row.n);
    row.gap = row
        .estimate
        .zip(morale::mean_of(&row.results, morale::MORALE))
        .map(|(e, m)| f64::from(e.get()) - m);
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Answer;

    fn ancestors(ids: &[&str]) -> Vec<Ancestor> {
        ids.iter()
            .map(|id| ((*id).to_owned(), id.to_uppercase()))
            .collect()
    }

    fn ids(chain: &[NewGroup]) -> Vec<&str> {
        chain.iter().map(|g| g.id.as_str()).collect()
    }

    #[test]
    fn an_answer_goes_to_the_smallest_team_that_reaches_k_as_planned() {
        // person → e (their manager) → d → leader
        let line = ancestors(&["e", "d", "leader", "ceo"]);
        let heads = heads(&line, Some("leader"));
        let planned = |big_e: bool| {
            move |id: &str| match id {
                "d" => 12,
                "e" => {
                    if big_e {
                        5
                    } else {
                        3
                    }
                }
                _ => 0,
            }
        };
        assert_eq!(ids(&placement(heads, planned(true), 5)), ["all", "d", "e"]);
        assert_eq!(ids(&placement(heads, planned(false), 5)), ["all", "d"]);
        assert_eq!(ids(&placement(heads, |_| 4, 5)), ["all"]);
        let chain = placement(heads, planned(true), 5);
        assert_eq!(chain[2].parent.as_deref(), Some("d"));
        assert_eq!(chain[2].label, "E");
    }

    #[test]
    fn someone_outside_the_leaders_tree_or_right_below_counts_in_the_whole_round() {
        let line = ancestors(&["other-vp", "ceo"]);
        assert_eq!(heads(&line, Some("leader")), None);
        assert_eq!(ids(&placement(None, |_| 50, 5)), ["all"]);
        let direct = ancestors(&["leader"]);
        assert_eq!(
            ids(&placement(heads(&direct, Some("leader")), |_| 50, 5)),
            ["all"]
        );
    }

    fn group(id: &str, parent: Option<&str>, level: i64, counted: i64) -> GroupRow {
        GroupRow {
            group_id: id.to_owned(),
            parent_id: parent.map(str::to_owned),
            level,
            manager_id: (level > 0).then(|| id.to_owned()),
            label: id.to_uppercase(),
            ballots: counted,
            counted,
        }
    }

    fn tallies(groups: &[GroupRow]) -> Vec<Tally> {
        let answer = serde_json::to_string(&Answer::Scale(6)).unwrap();
        groups
            .iter()
            .filter(|g| g.counted > 0)
            .flat_map(|g| {
                ["support", "morale"]
                    .map(|q| (g.group_id.clone(), q.to_owned(), answer.clone(), g.counted))
            })
            .collect()
    }

    fn statuses(groups: &[GroupRow], teams: &[Team]) -> Vec<(String, GroupStatus, u32)> {
        let template = crate::templates::skip_level();
        let tallies = tallies(groups);
        let planned = HashMap::new();
        let (_, _, rows) = build(&Inputs {
            template: &template,
            k: 5,
            groups,
            tallies: &tallies,
            teams,
            estimates: &[],
            planned: &planned,
        });
        rows.into_iter().map(|r| (r.id, r.status, r.n)).collect()
    }

    #[test]
    fn a_suppressed_group_takes_the_next_smallest_with_it() {
        let groups = [
            group("all", None, 0, 0),
            group("a", Some("all"), 1, 10),
            group("b", Some("all"), 1, 5),
            group("c", Some("all"), 1, 0),
        ];
        let rows = statuses(&groups, &[]);
        assert_eq!(
            rows,
            [
                ("a".to_owned(), GroupStatus::Shown, 10),
                ("b".to_owned(), GroupStatus::Hidden, 0),
                ("c".to_owned(), GroupStatus::Waiting, 0),
            ]
        );
    }

    #[test]
    fn a_team_too_small_to_be_a_group_is_listed_and_hides_the_next_smallest() {
        let groups = [
            group("all", None, 0, 5),
            group("a", Some("all"), 1, 10),
            group("b", Some("all"), 1, 5),
        ];
        let small = Team {
            manager_id: "s".to_owned(),
            manager_name: "S".to_owned(),
            planned: 3,
        };
        let rows = statuses(&groups, &[small]);
        assert_eq!(rows[1], ("b".to_owned(), GroupStatus::Hidden, 0));
        assert_eq!(rows[2], ("s".to_owned(), GroupStatus::TooSmall, 0));
        assert_eq!(rows[0].1, GroupStatus::Shown);
    }

    #[test]
    fn subgroups_of_a_hidden_group_are_hidden_and_siblings_suppress_each_other() {
        let groups = [
            group("all", None, 0, 0),
            group("a", Some("all"), 1, 0),
            group("a1", Some("a"), 2, 5),
            group("a2", Some("a"), 2, 5),
            group("a3", Some("a"), 2, 0),
            group("b", Some("all"), 1, 0),
            group("b1", Some("b"), 2, 5),
        ];
        let rows = statuses(&groups, &[]);
        let status = |id: &str| rows.iter().find(|r| r.0 == id).unwrap().1;
        assert_eq!(status("a"), GroupStatus::Shown);
        assert_eq!(status("b"), GroupStatus::Shown);
        // a3 has nothing counted; a1 or a2 goes with it.
        assert_eq!(status("a3"), GroupStatus::Waiting);
        assert_eq!(
            [status("a1"), status("a2")]
                .iter()
                .filter(|s| **s == GroupStatus::Hidden)
                .count(),
            1
        );
        // b1 is all of b: showing it gives nothing away.
        assert_eq!(status("b1"), GroupStatus::Shown);
    }

    #[test]
    fn the_shown_groups_never_leave_fewer_than_k_unaccounted() {
        // Whatever the counts, the whole minus the shown groups is 0 or ≥ k.
        for a in [0, 5, 10] {
            for b in [0, 5, 10] {
                for rest in [0, 5] {
                    let groups = [
                        group("all", None, 0, rest),
                        group("a", Some("all"), 1, a),
                        group("b", Some("all"), 1, b),
                    ];
                    let rows = statuses(&groups, &[]);
                    let shown: u32 = rows
                        .iter()
                        .filter(|r| r.1 == GroupStatus::Shown)
                        .map(|r| r.2)
                        .sum();
                    let whole = u32::try_from(a + b + rest).unwrap();
                    let left = whole - shown;
                    assert!(left == 0 || left >= 5, "{a} {b} {rest}: {left}");
                    let hidden = rows.iter().filter(|r| r.1 != GroupStatus::Shown).count();
                    assert_ne!(hidden, 1, "{a} {b} {rest}: a lone suppressed group");
                }
            }
        }
    }
}
