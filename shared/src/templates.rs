//! Templates as leaders keep them: the built-in ones, read-only, and the
//! leader's own copies, each save a new version; and the rules an edited
//! template must keep on top of `validate::check_template`.

use serde::{Deserialize, Serialize};

use crate::template::{QuestionKind, Template};
use crate::validate::{FieldError, check_template};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Most questions in a template.
pub const QUESTIONS_MAX: usize = 60;
/// Longest prompt, section title or template name, in characters.
pub const PROMPT_MAX: usize = 500;
/// Most options of a single choice.
pub const OPTIONS_MAX: usize = 20;
/// Longest option or scale end label, in characters.
pub const LABEL_MAX: usize = 100;

/// A template in the leader's list: its newest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TemplateEntry {
    /// Stable across versions.
    pub key: String,
    pub name: String,
    pub version: i64,
    /// Built in: read-only, copy it to change it.
    pub built_in: bool,
    pub template: Template,
}

/// Copies a template into a new one of the leader's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyTemplate {
    /// The key of the template to copy.
    pub from: String,
    pub name: String,
}

/// A new version of one of the leader's templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveTemplate {
    pub template: Template,
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

/// Every problem with a template a leader wrote: the template rules, and
/// a name, titles, prompts, ids, options and labels within bounds.
pub fn check_template_edit(t: &Template) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut add = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
    };
    if t.name.trim().is_empty() || too_long(&t.name, PROMPT_MAX) {
        add(
            "name",
            format!("Give the template a name of at most {PROMPT_MAX} characters."),
        );
    }
    let count = t.questions().count();
    if count == 0 {
        add(
            "sections",
            "A template needs at least one question.".to_owned(),
        );
    }
    if count > QUESTIONS_MAX {
        add("sections", format!("At most {QUESTIONS_MAX} questions."));
    }
    for (i, s) in t.sections.iter().enumerate() {
        if s.title.trim().is_empty() || too_long(&s.title, PROMPT_MAX) {
            add(
                &format!("sections.{i}"),
                "Give the section a title.".to_owned(),
            );
        }
    }
    for q in t.questions() {
        let ok_id = !q.id.is_empty()
            && q.id.len() <= 40
            && q.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok_id {
            add(&q.id, "An id is 1 to 40 of a-z, 0-9, _ and -.".to_owned());
        }
        if too_long(&q.prompt, PROMPT_MAX) {
            add(
                &q.id,
                format!("A prompt has at most {PROMPT_MAX} characters."),
            );
        }
        let labels: Vec<&String> = match &q.kind {
            QuestionKind::Scale {
                min_label,
                max_label,
                ..
            } => vec![min_label, max_label],
            QuestionKind::SingleChoice { options } => {
                if options.len() > OPTIONS_MAX {
                    add(&q.id, format!("At most {OPTIONS_MAX} options."));
                }
                let mut seen = std::collections::BTreeSet::new();
                if options
                    .iter()
                    .any(|o| o.trim().is_empty() || !seen.insert(o.trim()))
                {
                    add(&q.id, "Each option needs its own text.".to_owned());
                }
                options.iter().collect()
            }
            _ => Vec::new(),
        };
        if labels.iter().any(|l| too_long(l, LABEL_MAX)) {
            add(
                &q.id,
                format!("A label has at most {LABEL_MAX} characters."),
            );
        }
    }
    errors.extend(check_template(t));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Question, Section, Visibility};

    fn one(kind: QuestionKind, visibility: Visibility) -> Template {
        Template {
            name: "Mine".into(),
            version: 1,
            sections: vec![Section {
                title: "Start".into(),
                questions: vec![Question {
                    id: "q1".into(),
                    prompt: "How is it going?".into(),
                    kind,
                    visibility,
                    required: false,
                }],
            }],
        }
    }

    #[test]
    fn a_sound_template_passes_and_free_text_is_never_anonymous() {
        assert!(
            check_template_edit(&one(QuestionKind::LongText, Visibility::Confidential)).is_empty()
        );
        let anonymous_text =
            check_template_edit(&one(QuestionKind::LongText, Visibility::Anonymous));
        assert_eq!(anonymous_text.len(), 1);
        assert_eq!(anonymous_text[0].field, "q1");
    }

    #[test]
    fn names_titles_ids_and_options_are_checked() {
        let mut t = one(
            QuestionKind::SingleChoice {
                options: vec!["A".into(), "A".into()],
            },
            Visibility::Anonymous,
        );
        t.name = " ".into();
        t.sections[0].title = String::new();
        t.sections[0].questions[0].id = "Bad Id".into();
        let fields: Vec<String> = check_template_edit(&t)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(fields.contains(&"name".to_owned()), "{fields:?}");
        assert!(fields.contains(&"sections.0".to_owned()), "{fields:?}");
        assert!(
            fields.iter().filter(|f| *f == "Bad Id").count() >= 2,
            "{fields:?}"
        );
        t.sections[0].questions.clear();
        assert!(
            check_template_edit(&t)
                .iter()
                .any(|e| e.field == "sections")
        );
    }
}
