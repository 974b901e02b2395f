//! Templates, questions and answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who may read an answer. Every form shows it next to each question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the meeting's leader reads it, with the employee's name.
    Confidential,
    /// Only ever shown as an aggregate over at least `k` people.
    Anonymous,
}

/// What kind of answer a question takes. Serialised as `"long_text"` or
/// `{"scale": {"min": 1, …}}`: external tags keep the page's decoder small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One line of text.
    ShortText,
    /// A paragraph or more.
    LongText,
    /// A whole number from `min` to `max`, with labels for both ends.
    Scale {
        min: i32,
        max: i32,
        #[cfg_attr(feature = "openapi", schema(max_length = 100))]
        min_label: String,
        #[cfg_attr(feature = "openapi", schema(max_length = 100))]
        max_label: String,
    },
    /// One of a fixed list of options.
    SingleChoice {
        #[cfg_attr(feature = "openapi", schema(min_items = 2, max_items = 20))]
        options: Vec<String>,
    },
    /// Yes or no.
    YesNo,
}

impl QuestionKind {
    /// Whether answers of this kind can be counted into an aggregate.
    ///
    /// Free text can't be: a sentence can give its writer away however many
    /// others answered, so text questions are always confidential.
    pub fn is_countable(&self) -> bool {
        matches!(
            self,
            Self::Scale { .. } | Self::SingleChoice { .. } | Self::YesNo
        )
    }

    /// Every answer a countable question can take, in display order (the bars
    /// of its distribution); empty for free text.
    pub fn values(&self) -> Vec<Answer> {
        match self {
            Self::Scale { min, max, .. } => (*min..=*max).map(Answer::Scale).collect(),
            Self::SingleChoice { options } => options.iter().cloned().map(Answer::Choice).collect(),
            Self::YesNo => vec![Answer::YesNo(true), Answer::YesNo(false)],
            Self::ShortText | Self::LongText => Vec::new(),
        }
    }
}

/// One question of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// Stable key, unique within the template (`"workload"`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub id: String,
    /// The question as the employee reads it.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub prompt: String,
    pub kind: QuestionKind,
    pub visibility: Visibility,
    pub required: bool,
}

/// A titled group of questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub title: String,
    pub questions: Vec<Question>,
}

/// An ordered list of sections. A template is versioned: answers keep pointing
/// at the version they were given to, so a change never rewrites them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub name: String,
    pub version: i64,
    pub sections: Vec<Section>,
}

impl Template {
    /// Every question, in order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }
}

/// One answer. Serialised as `{"text": "…"}`, `{"scale": 7}`, `{"choice": "…"}`,
/// `{"yes_no": true}` or `"prefer_not_to_say"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Text(String),
    Scale(i32),
    Choice(String),
    YesNo(bool),
    /// Only for an anonymous question: counted as a value of its own, so that
    /// every anonymous question has exactly one answer per ballot.
    PreferNotToSay,
}

impl Answer {
    /// The answer as a short label, as shown in a distribution.
    pub fn label(&self) -> String {
        match self {
            Self::Text(t) | Self::Choice(t) => t.clone(),
            Self::Scale(n) => n.to_string(),
            Self::YesNo(true) => "yes".to_owned(),
            Self::YesNo(false) => "no".to_owned(),
            Self::PreferNotToSay => "prefer not to say".to_owned(),
        }
    }
}

/// Answers by question id.
pub type Answers = BTreeMap<String, Answer>;
