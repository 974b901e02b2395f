//! Turning released anonymous counts into figures, and nothing below k.

use std::collections::HashMap;

use shared::api::{Aggregate, AnonymousResult, Bucket};
use shared::{Answer, QuestionKind, Template, Visibility};

/// The figures for each anonymous question of `template`, from the released
/// counts `(question id, answer json, count)`. A question with fewer than `k`
/// released answers shows only how many people have answered so far.
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
                released_figure(&q.kind, &counts, n)
            };
            AnonymousResult {
                question_id: q.id.clone(),
                prompt: q.prompt.clone(),
                result,
            }
        })
        .collect()
}

fn released_figure(kind: &QuestionKind, counts: &HashMap<Answer, u32>, n: u32) -> Aggregate {
    let values = kind.values();
    let buckets = values
        .iter()
        .map(|v| Bucket {
            label: v.label(),
            count: counts.get(v).copied().unwrap_or(0),
        })
        .collect();
    let mean = matches!(kind, QuestionKind::Scale { .. }).then(|| {
        let sum: f64 = counts
            .iter()
            .map(|(a, c)| match a {
                Answer::Scale(v) => f64::from(*v) * f64::from(*c),
                _ => 0.0,
            })
            .sum();
        sum / f64::from(n)
    });
    Aggregate::Released { n, buckets, mean }
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
        let Aggregate::Released { n, buckets, mean } = morale_of(&results) else {
            panic!("expected a released figure");
        };
        assert_eq!(*n, 5);
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
