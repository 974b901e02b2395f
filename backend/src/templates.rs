//! The built-in templates.
//!
//! The skip-level template follows the pre-meeting question template from
//! "Skip-Level 1-on-1s: The Underrated Practice for Stronger Engineering Teams";
//! the peer template follows the peer 1:1 practice from "Skip-level 1:1s are
//! your hidden superpower".

use shared::{Question, QuestionKind, Section, Template, Visibility};

fn text(id: &str, prompt: &str, required: bool) -> Question {
    Question {
        id: id.to_owned(),
        prompt: prompt.to_owned(),
        kind: QuestionKind::LongText,
        visibility: Visibility::Confidential,
        required,
    }
}

fn scale(id: &str, prompt: &str, low: &str, high: &str) -> Question {
    Question {
        id: id.to_owned(),
        prompt: prompt.to_owned(),
        kind: QuestionKind::Scale {
            min: 1,
            max: 10,
            min_label: low.to_owned(),
            max_label: high.to_owned(),
        },
        visibility: Visibility::Anonymous,
        required: true,
    }
}

fn section(title: &str, questions: Vec<Question>) -> Section {
    Section {
        title: title.to_owned(),
        questions,
    }
}

/// The key the skip-level template is stored under.
pub const SKIP_LEVEL_KEY: &str = "skip-level";
/// The key the peer template is stored under.
pub const PEER_KEY: &str = "peer";

/// The default skip-level check-in. Support and morale are anonymous.
pub fn skip_level() -> Template {
    Template {
        name: "Skip-level 1:1".to_owned(),
        version: 1,
        sections: vec![
            section(
                "Check-in",
                vec![
                    text("personal", "How are things going for you personally?", true),
                    text(
                        "outside_work",
                        "Anything fun or interesting happening outside of work you'd like to share?",
                        false,
                    ),
                ],
            ),
            section(
                "Well-being and motivation",
                vec![
                    text(
                        "workload",
                        "How do you feel about your current workload and responsibilities?",
                        false,
                    ),
                    scale(
                        "support",
                        "On a scale of 1-10, how supported do you feel by your manager and the team?",
                        "Not at all",
                        "Fully supported",
                    ),
                ],
            ),
            section(
                "Career and growth",
                vec![
                    text(
                        "skills",
                        "What skills are you planning to develop in the next 6-12 months?",
                        false,
                    ),
                    text(
                        "career",
                        "Are you happy with where you are now in your career?",
                        false,
                    ),
                    text(
                        "training",
                        "Is there any training or mentorship you'd find helpful?",
                        false,
                    ),
                ],
            ),
            section(
                "Company strategy and feedback",
                vec![
                    text(
                        "strategy",
                        "Is there anything about our broader strategy you find confusing or concerning?",
                        false,
                    ),
                    text(
                        "one_change",
                        "If you could change one thing to make our team or product more effective, what would it be?",
                        false,
                    ),
                ],
            ),
            section(
                "Open-ended questions",
                vec![
                    text(
                        "anything_else",
                        "Is there anything else you'd like me to know that we haven't covered?",
                        false,
                    ),
                    text(
                        "questions",
                        "Any questions for me, whether about the team, the product, or the company direction?",
                        false,
                    ),
                ],
            ),
            section(
                "Morale",
                vec![scale(
                    "morale",
                    "On a scale of 1-10, how would you rate your morale right now?",
                    "Very low",
                    "Very high",
                )],
            ),
        ],
    }
}

/// The peer 1:1 template, for people in other groups.
pub fn peer() -> Template {
    Template {
        name: "Peer 1:1".to_owned(),
        version: 1,
        sections: vec![section(
            "Catching up",
            vec![
                text("going_well", "What's going well in your world?", false),
                text("issues", "What issues are you seeing?", false),
                text(
                    "helpful",
                    "Who is being particularly helpful or difficult?",
                    false,
                ),
                text(
                    "big_picture",
                    "What should we know about your plans so we keep each other in the picture?",
                    false,
                ),
            ],
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_templates_are_valid() {
        assert_eq!(shared::validate::check_template(&skip_level()), vec![]);
        assert_eq!(shared::validate::check_template(&peer()), vec![]);
    }

    #[test]
    fn support_and_morale_are_anonymous_and_everything_else_confidential() {
        let t = skip_level();
        let anonymous: Vec<&str> = t
            .questions()
            .filter(|q| q.visibility == Visibility::Anonymous)
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(anonymous, ["support", "morale"]);
        assert_eq!(t.sections.len(), 6);
    }
}
