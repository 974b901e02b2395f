//! The validation rules. The page runs them as the employee types; the server
//! runs the same functions before it stores anything.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::template::{Answer, Answers, Question, QuestionKind, Template, Visibility};

/// Most characters a one-line answer may hold.
pub const SHORT_TEXT_MAX: usize = 200;
/// Most characters a long answer may hold.
pub const LONG_TEXT_MAX: usize = 4000;

/// Most steps from a scale's minimum to its maximum.
pub const SCALE_MAX_STEPS: i32 = 100;

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    Required,
    TooLong { max: usize },
    OutOfRange { min: i32, max: i32 },
    UnknownOption,
    WrongKind,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("Please answer this question."),
            Self::TooLong { max } => write!(f, "Please keep this under {max} characters."),
            Self::OutOfRange { min, max } => write!(f, "Choose a number from {min} to {max}."),
            Self::UnknownOption => f.write_str("Choose one of the options."),
            Self::WrongKind => f.write_str("This answer does not fit the question."),
        }
    }
}

/// A refused answer, by question id, with a message for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Whether a blank answer is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A draft: blanks are fine, what is there must still be valid.
    Draft,
    /// A submission: required questions must be answered.
    Submit,
}

/// Checks one answer (or its absence) against its question.
pub fn check_answer(
    question: &Question,
    answer: Option<&Answer>,
    mode: Mode,
) -> Result<(), AnswerError> {
    let Some(answer) = answer else {
        return if mode == Mode::Submit && question.required {
            Err(AnswerError::Required)
        } else {
            Ok(())
        };
    };
    match (&question.kind, answer) {
        (QuestionKind::ShortText, Answer::Text(t)) => check_text(t, SHORT_TEXT_MAX, question, mode),
        (QuestionKind::LongText, Answer::Text(t)) => check_text(t, LONG_TEXT_MAX, question, mode),
        (QuestionKind::Scale { min, max, .. }, Answer::Scale(n)) => {
            if (*min..=*max).contains(n) {
                Ok(())
            } else {
                Err(AnswerError::OutOfRange {
                    min: *min,
                    max: *max,
                })
            }
        }
        (QuestionKind::SingleChoice { options }, Answer::Choice(c)) => {
            if options.iter().any(|o| o == c) {
                Ok(())
            } else {
                Err(AnswerError::UnknownOption)
            }
        }
        (QuestionKind::YesNo, Answer::YesNo(_)) => Ok(()),
        (_, Answer::PreferNotToSay) if question.visibility == Visibility::Anonymous => Ok(()),
        _ => Err(AnswerError::WrongKind),
    }
}

fn check_text(text: &str, max: usize, question: &Question, mode: Mode) -> Result<(), AnswerError> {
    if text.chars().count() > max {
        Err(AnswerError::TooLong { max })
    } else if text.trim().is_empty() && question.required && mode == Mode::Submit {
        Err(AnswerError::Required)
    } else {
        Ok(())
    }
}

/// Checks a set of answers against a template: every answer must belong to a
/// question (of the wanted visibility, when one is given) and pass its rule.
/// Returns every problem at once, in template order.
pub fn check_answers(
    template: &Template,
    answers: &Answers,
    only: Option<Visibility>,
    mode: Mode,
) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = answers
        .keys()
        .filter_map(|id| {
            let message = match template.question(id) {
                None => "There is no such question here.",
                Some(q) if only.is_some_and(|v| q.visibility != v) => match q.visibility {
                    Visibility::Anonymous => {
                        "Anonymous answers are only sent on submit, never saved by name."
                    }
                    Visibility::Confidential => {
                        "A confidential answer can't be sent with the anonymous ones."
                    }
                },
                Some(_) => return None,
            };
            Some(FieldError {
                field: id.clone(),
                message: message.to_owned(),
            })
        })
        .collect();
    for question in template.questions() {
        if only.is_some_and(|v| question.visibility != v) {
            continue;
        }
        if let Err(e) = check_answer(question, answers.get(&question.id), mode) {
            errors.push(FieldError {
                field: question.id.clone(),
                message: e.to_string(),
            });
        }
    }
    errors
}

/// Checks a template itself: unique ids, sane scales, options present, and
/// anonymous questions only of a countable kind.
pub fn check_template(template: &Template) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for q in template.questions() {
        let mut fail = |message: &str| {
            errors.push(FieldError {
                field: q.id.clone(),
                message: message.to_owned(),
            });
        };
        if q.id.is_empty() || !seen.insert(q.id.as_str()) {
            fail("Each question needs its own id.");
        }
        if q.prompt.trim().is_empty() {
            fail("A question needs a prompt.");
        }
        match &q.kind {
            QuestionKind::Scale { min, max, .. } if min >= max => {
                fail("A scale's minimum must be below its maximum.");
            }
            // Every point of an anonymous scale has its own count (see the
            // backend's tallies), and a longer scale is no easier to answer.
            QuestionKind::Scale { min, max, .. }
                if i64::from(*max) - i64::from(*min) > i64::from(SCALE_MAX_STEPS) =>
            {
                fail(&format!(
                    "A scale can have at most {SCALE_MAX_STEPS} steps."
                ));
            }
            QuestionKind::SingleChoice { options } if options.len() < 2 => {
                fail("A choice needs at least two options.");
            }
            _ => {}
        }
        if q.visibility == Visibility::Anonymous && !q.kind.is_countable() {
            fail("Only scales, choices and yes/no questions can be anonymous.");
        }
    }
    errors
}

/// The smallest number of people an anonymous figure may be computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct AnonymityThreshold(u32);

impl AnonymityThreshold {
    /// No organisation may go below this.
    pub const MIN: u32 = 3;
    /// What a new organisation gets.
    pub const DEFAULT: Self = Self(5);

    /// Accepts `k` of at least [`Self::MIN`].
    pub fn parse(k: u32) -> Result<Self, String> {
        if k >= Self::MIN {
            Ok(Self(k))
        } else {
            Err(format!(
                "The anonymity threshold can't be below {}.",
                Self::MIN
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for AnonymityThreshold {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for AnonymityThreshold {
    type Error = String;
    fn try_from(k: u32) -> Result<Self, String> {
        Self::parse(k)
    }
}

impl From<AnonymityThreshold> for u32 {
    fn from(k: AnonymityThreshold) -> u32 {
        k.0
    }
}

/// A 1–10 rating, as a manager gives for their team's morale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Score(i32);

impl Score {
    pub const MIN: i32 = 1;
    pub const MAX: i32 = 10;

    /// Accepts a whole number from 1 to 10.
    pub fn parse(n: i32) -> Result<Self, AnswerError> {
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(AnswerError::OutOfRange {
                min: Self::MIN,
                max: Self::MAX,
            })
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for Score {
    type Error = String;
    fn try_from(n: i32) -> Result<Self, String> {
        Self::parse(n).map_err(|e| e.to_string())
    }
}

impl From<Score> for i32 {
    fn from(s: Score) -> i32 {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Section;

    fn question(id: &str, kind: QuestionKind, visibility: Visibility, required: bool) -> Question {
        Question {
            id: id.to_owned(),
            prompt: format!("{id}?"),
            kind,
            visibility,
            required,
        }
    }

    fn scale() -> QuestionKind {
        QuestionKind::Scale {
            min: 1,
            max: 10,
            min_label: "low".into(),
            max_label: "high".into(),
        }
    }

    fn template() -> Template {
        Template {
            name: "t".into(),
            version: 1,
            sections: vec![Section {
                title: "s".into(),
                questions: vec![
                    question(
                        "how",
                        QuestionKind::ShortText,
                        Visibility::Confidential,
                        true,
                    ),
                    question(
                        "more",
                        QuestionKind::LongText,
                        Visibility::Confidential,
                        false,
                    ),
                    question("morale", scale(), Visibility::Anonymous, true),
                ],
            }],
        }
    }

    #[test]
    fn a_scale_answer_inside_its_range_passes_and_outside_fails() {
        let q = question("m", scale(), Visibility::Anonymous, true);
        assert_eq!(
            check_answer(&q, Some(&Answer::Scale(1)), Mode::Submit),
            Ok(())
        );
        assert_eq!(
            check_answer(&q, Some(&Answer::Scale(10)), Mode::Submit),
            Ok(())
        );
        assert_eq!(
            check_answer(&q, Some(&Answer::Scale(11)), Mode::Submit),
            Err(AnswerError::OutOfRange { min: 1, max: 10 })
        );
        assert_eq!(
            check_answer(&q, Some(&Answer::Scale(0)), Mode::Draft),
            Err(AnswerError::OutOfRange { min: 1, max: 10 })
        );
    }

    #[test]
    fn text_is_limited_in_characters_not_bytes() {
        let q = question(
            "t",
            QuestionKind::ShortText,
            Visibility::Confidential,
            false,
        );
        let at_limit = "é".repeat(SHORT_TEXT_MAX);
        assert_eq!(
            check_answer(&q, Some(&Answer::Text(at_limit)), Mode::Submit),
            Ok(())
        );
        let over = "a".repeat(SHORT_TEXT_MAX + 1);
        assert_eq!(
            check_answer(&q, Some(&Answer::Text(over)), Mode::Submit),
            Err(AnswerError::TooLong {
                max: SHORT_TEXT_MAX
            })
        );
    }

    #[test]
    fn a_required_question_may_be_blank_in_a_draft_but_not_on_submit() {
        let q = question("t", QuestionKind::ShortText, Visibility::Confidential, true);
        assert_eq!(check_answer(&q, None, Mode::Draft), Ok(()));
        assert_eq!(
            check_answer(&q, None, Mode::Submit),
            Err(AnswerError::Required)
        );
        let blank = Answer::Text("   ".into());
        assert_eq!(
            check_answer(&q, Some(&blank), Mode::Submit),
            Err(AnswerError::Required)
        );
    }

    #[test]
    fn an_answer_of_the_wrong_kind_is_refused() {
        let q = question("t", QuestionKind::YesNo, Visibility::Confidential, false);
        assert_eq!(
            check_answer(&q, Some(&Answer::Scale(3)), Mode::Draft),
            Err(AnswerError::WrongKind)
        );
        assert_eq!(
            check_answer(&q, Some(&Answer::YesNo(false)), Mode::Draft),
            Ok(())
        );
    }

    #[test]
    fn prefer_not_to_say_answers_an_anonymous_question_only() {
        let anonymous = question("m", scale(), Visibility::Anonymous, true);
        let confidential = question("c", scale(), Visibility::Confidential, false);
        let declined = Answer::PreferNotToSay;
        assert_eq!(
            check_answer(&anonymous, Some(&declined), Mode::Submit),
            Ok(())
        );
        assert_eq!(
            check_answer(&confidential, Some(&declined), Mode::Submit),
            Err(AnswerError::WrongKind)
        );
        assert_eq!(
            serde_json::to_string(&declined).unwrap(),
            r#""prefer_not_to_say""#
        );
    }

    #[test]
    fn a_choice_must_be_one_of_the_options() {
        let kind = QuestionKind::SingleChoice {
            options: vec!["a".into(), "b".into()],
        };
        let q = question("c", kind, Visibility::Anonymous, false);
        assert_eq!(
            check_answer(&q, Some(&Answer::Choice("b".into())), Mode::Draft),
            Ok(())
        );
        assert_eq!(
            check_answer(&q, Some(&Answer::Choice("c".into())), Mode::Draft),
            Err(AnswerError::UnknownOption)
        );
    }

    #[test]
    fn checking_answers_reports_every_problem_and_unknown_ids() {
        let mut answers = Answers::new();
        answers.insert("morale".into(), Answer::Scale(42));
        answers.insert("nope".into(), Answer::Text("x".into()));
        let errors = check_answers(&template(), &answers, None, Mode::Submit);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["nope", "how", "morale"]);
    }

    #[test]
    fn checking_one_visibility_refuses_answers_of_the_other() {
        let mut answers = Answers::new();
        answers.insert("how".into(), Answer::Text("fine".into()));
        answers.insert("morale".into(), Answer::Scale(7));
        let errors = check_answers(
            &template(),
            &answers,
            Some(Visibility::Confidential),
            Mode::Draft,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "morale");
    }

    #[test]
    fn an_anonymous_text_question_makes_a_template_invalid() {
        let mut t = template();
        t.sections[0].questions[1].visibility = Visibility::Anonymous;
        let errors = check_template(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "more");
        assert!(check_template(&template()).is_empty());
    }

    #[test]
    fn a_scale_must_rise_and_have_at_most_a_hundred_steps() {
        let with_scale = |min, max| {
            let mut t = template();
            t.sections[0].questions[2].kind = QuestionKind::Scale {
                min,
                max,
                min_label: "low".into(),
                max_label: "high".into(),
            };
            check_template(&t).len()
        };
        assert_eq!(with_scale(0, 100), 0);
        assert_eq!(with_scale(0, 101), 1);
        assert_eq!(with_scale(i32::MIN, i32::MAX), 1);
        assert_eq!(with_scale(5, 5), 1);
    }

    #[test]
    fn the_anonymity_threshold_is_never_below_three() {
        assert!(AnonymityThreshold::parse(2).is_err());
        assert_eq!(
            AnonymityThreshold::parse(3).map(AnonymityThreshold::get),
            Ok(3)
        );
        assert_eq!(AnonymityThreshold::default().get(), 5);
        assert!(serde_json::from_str::<AnonymityThreshold>("1").is_err());
    }

    #[test]
    fn a_score_is_one_to_ten_and_refused_otherwise_when_deserialised() {
        assert_eq!(Score::parse(1).map(Score::get), Ok(1));
        assert!(Score::parse(0).is_err());
        assert!(serde_json::from_str::<Score>("11").is_err());
        assert_eq!(
            serde_json::from_str::<Score>("7").ok().map(Score::get),
            Some(7)
        );
    }

    #[test]
    fn answers_serialise_as_tagged_values() {
        let json = serde_json::to_string(&Answer::Scale(7)).unwrap();
        assert_eq!(json, r#"{"scale":7}"#);
        let back: Answer = serde_json::from_str(r#"{"text":"hi"}"#).unwrap();
        assert_eq!(back, Answer::Text("hi".into()));
    }
}
