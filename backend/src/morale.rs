//! Turning released anonymous counts into figures, and nothing below k.

use std::collections::HashMap;

use shared::api::{Aggregate, AnonymousResult, Bucket};
use shared::{Answer, QuestionKind, Template, Visibility};

/// The id of the anonymous question a manager's estimate is set against.
pub const MORALE: &str = "morale";

/// The figures for each anonymous question of `template`, from the released
/// counts `(question id, answer json, count)`. A question with fewer than `k`
/// released answers shows only how many people have answered so far
/// (`respondents`); "prefer not to say" is counted apart from the values, and
/// the distribution, mean and median need `k` people who gave a value.
pub fn results(
    template: &Template,
    released: &[(String, String, i64)],
    respondents: u32,
    k: u32,
) -> Vec<AnonymousResult> {
    template
        .questions()
        .filter(|q| q.visibility == Visibility::Anonymous)
        .map(|q| {
            let mut counts: HashMap<Answer, u32> = HashMap::new();
            for (_, json, n) in released.iter().filter(|(id, _, _)| *id == q.id) {
                if let Ok(answer) = serde_json::from_str::<Answer>(json) {
                    *counts.entry(answer).or_default() += u32::try_from(*n).unwrap_or(0);
                }
            }
            let n: u32 = counts.values().sum();
            let result = if n < k || n == 0 {
                Aggregate::Suppressed { n: respondents, k }
            } else {
                released_figure(&q.kind, &counts, n, k)
            };
            AnonymousResult {
                question_id: q.id.clone(),
                prompt: q.prompt.clone(),
                result,
            }
        })
        .collect()
}

fn released_figure(
    kind: &QuestionKind,
    counts: &HashMap<Answer, u32>,
    n: u32,
    k: u32,
) -> Aggregate {
    let declined = counts.get(&Answer::PreferNotToSay).copied().unwrap_or(0);
    let answered = n - declined;
    if answered < k {
        return Aggregate::Released {
            n,
            buckets: Vec::new(),
            mean: None,
            median: None,
            declined,
        };
    }
    let buckets: Vec<Bucket> = kind
        .values()
        .iter()
        .map(|v| Bucket {
            label: v.label(),
            count: counts.get(v).copied().unwrap_or(0),
        })
        .collect();
    let scale: Vec<(i32, u32)> = kind
        .values()
        .iter()
        .filter_map(|v| match v {
            Answer::Scale(x) => Some((*x, counts.get(v).copied().unwrap_or(0))),
            _ => None,
        })
        .collect();
    let (mean, median) = if scale.is_empty() {
        (None, None)
    } else {
        let sum: f64 = scale
            .iter()
            .map(|(v, c)| f64::from(*v) * f64::from(*c))
            .sum();
        (Some(sum / f64::from(answered)), median(&scale, answered))
    };
    Aggregate::Released {
        n,
        buckets,
        mean,
        median,
        declined,
    }
}

/// The median of values given as (value, count) in rising order, over `total`.
fn median(values: &[(i32, u32)], total: u32) -> Option<f64> {
    let nth = |i: u32| {
        let mut seen = 0;
        values.iter().find_map(|(v, c)| {
            seen += c;
            (seen > i).then_some(f64::from(*v))
        })
    };
    match total {
        0 => None,
        t if t % 2 == 1 => nth(t / 2),
        t => Some((nth(t / 2 - 1)? + nth(t / 2)?) / 2.0),
    }
}

/// The mean of one question among results, if it is shown.
pub fn mean_of(results: &[AnonymousResult], question_id: &str) -> Option<f64> {
    results
        .iter()
        .find(|r| r.question_id == question_id)
        .and_then(|r| match r.result {
            Aggregate::Released { mean, .. } => mean,
            Aggregate::Suppressed { .. } => None,
        })
}

/// How many people are under each person, directly or further down.
pub fn team_sizes<'a>(
    people: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> HashMap<&'a str, u32> {
    let managers: HashMap<&str, Option<&str>> = people.collect();
    let mut sizes: HashMap<&str, u32> = HashMap::new();
    for &manager in managers.values() {
        let mut up = manager;
        let mut steps = 0;
        // The step bound guards against a cycle in bad directory data.
        while let Some(m) = up.filter(|_| steps < managers.len()) {
            *sizes.entry(m).or_default() += 1;
            up = managers.get(m).copied().flatten();
            steps += 1;
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tallies(values: &[(i32, i64)]) -> Vec<(String, String, i64)> {
        values
            .iter()
            .map(|(v, n)| {
                (
                    "morale".to_owned(),
                    serde_json::to_string(&Answer::Scale(*v)).unwrap(),
                    *n,
                )
            })
            .collect()
    }

    fn morale_of(results: &[AnonymousResult]) -> &Aggregate {
        &results
            .iter()
            .find(|r| r.question_id == "morale")
            .unwrap()
            .result
    }

    #[test]
    fn fewer_than_k_answers_give_no_figure_only_a_count() {
        let t = crate::templates::skip_level();
        let results = results(&t, &tallies(&[(7, 2), (3, 2)]), 4, 5);
        assert_eq!(morale_of(&results), &Aggregate::Suppressed { n: 4, k: 5 });
    }

    #[test]
    fn k_answers_give_the_distribution_and_mean() {
        let t = crate::templates::skip_level();
        let results = results(&t, &tallies(&[(8, 3), (6, 2)]), 5, 5);
        let Aggregate::Released {
            n,
            buckets,
            mean,
            median,
            declined,
        } = morale_of(&results)
        else {
            panic!("expected a released figure");
        };
        assert_eq!(*n, 5);
        assert_eq!(*declined, 0);
        assert_eq!(*median, Some(8.0));
        assert_eq!(buckets.len(), 10);
        assert_eq!(
            buckets[7],
            Bucket {
                label: "8".into(),
                count: 3
            }
        );
        assert_eq!(*mean, Some((8.0 * 3.0 + 6.0 * 2.0) / 5.0));
    }

    #[test]
    fn prefer_not_to_say_is_counted_apart_and_the_rest_needs_k_of_its_own() {
        let t = crate::templates::skip_level();
        let declined = |n: i64| {
            let mut rows = tallies(&[(4, 3), (9, 3)]);
            rows.push((
                "morale".to_owned(),
                serde_json::to_string(&Answer::PreferNotToSay).unwrap(),
                n,
            ));
            rows
        };
        let shown = results(&t, &declined(4), 10, 5);
        let Aggregate::Released {
            n,
            mean,
            median,
            declined: apart,
            buckets,
        } = morale_of(&shown)
        else {
            panic!("expected a released figure");
        };
        assert_eq!((*n, *apart), (10, 4));
        assert_eq!(buckets.iter().map(|b| b.count).sum::<u32>(), 6);
        assert_eq!(*mean, Some(6.5));
        assert_eq!(*median, Some(6.5));

        // Nine ballots of which five declined: four values are too few to show.
        let mut rows = tallies(&[(4, 2), (9, 2)]);
        rows.push((
            "morale".to_owned(),
            serde_json::to_string(&Answer::PreferNotToSay).unwrap(),
            5,
        ));
        let few = results(&t, &rows, 9, 5);
        assert_eq!(
            morale_of(&few),
            &Aggregate::Released {
                n: 9,
                buckets: Vec::new(),
                mean: None,
                median: None,
                declined: 5
            }
        );
    }

    #[test]
    fn the_median_takes_the_middle_value_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&[(1, 1), (5, 1), (9, 1)], 3), Some(5.0));
        assert_eq!(median(&[(2, 2), (7, 2)], 4), Some(4.5));
        assert_eq!(median(&[(3, 0), (6, 5)], 5), Some(6.0));
        assert_eq!(median(&[], 0), None);
    }

    #[test]
    fn team_sizes_count_everyone_below_a_manager() {
        let people = [
            ("cto", None),
            ("m", Some("cto")),
            ("a", Some("m")),
            ("b", Some("a")),
        ];
        let sizes = team_sizes(people.iter().map(|(p, m)| (*p, *m)));
        assert_eq!(sizes.get("cto"), Some(&3));
        assert_eq!(sizes.get("m"), Some(&2));
        assert_eq!(sizes.get("a"), Some(&1));
        assert_eq!(sizes.get("b"), None);
    }
}
