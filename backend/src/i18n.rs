//! The languages of the pages: one JSON file each in `frontend/i18n/`, the
//! English one holding every key. The check-in loads its language's file
//! from `/i18n/{lang}.json`, so the bundle carries no strings of its own.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/languages.rs"));

/// The strings of a language, by its code.
pub fn strings(lang: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(code, _)| *code == lang)
        .map(|(_, json)| *json)
}

/// The first language of an `Accept-Language` list (or a data attribute)
/// that the pages speak; English otherwise.
pub fn language(list: &str) -> &'static str {
    list.split(',')
        .map(|l| l.split(';').next().unwrap_or("").trim().to_lowercase())
        .find_map(|l| {
            let primary = l.split('-').next().unwrap_or("");
            LANGUAGES
                .iter()
                .map(|(code, _)| *code)
                .find(|known| *known == primary)
        })
        .unwrap_or("en")
}

/// `/i18n/{lang}.json`. Anyone may load it.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(json) = file.strip_suffix(".json").and_then(strings) else {
        return (StatusCode::NOT_FOUND, "no such language").into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        json,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn parse(lang: &str) -> BTreeMap<String, String> {
        serde_json::from_str(strings(lang).unwrap())
            .unwrap_or_else(|e| panic!("{lang}.json is not a flat object of strings: {e}"))
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    /// Every text of the built-in templates a reader sees.
    fn template_texts() -> Vec<String> {
        let mut texts = Vec::new();
        for t in [crate::templates::skip_level(), crate::templates::peer()] {
            for s in &t.sections {
                texts.push(s.title.clone());
                for q in &s.questions {
                    texts.push(q.prompt.clone());
                    match &q.kind {
                        shared::QuestionKind::Scale {
                            min_label,
                            max_label,
                            ..
                        } => texts.extend([min_label.clone(), max_label.clone()]),
                        shared::QuestionKind::SingleChoice { options } => {
                            texts.extend(options.iter().cloned());
                        }
                        _ => {}
                    }
                }
            }
        }
        texts
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let english = parse("en");
        assert!(
            LANGUAGES.len() >= 2,
            "{:?}",
            LANGUAGES.iter().map(|l| l.0).collect::<Vec<_>>()
        );
        for (lang, _) in LANGUAGES {
            let strings = parse(lang);
            for (key, text) in &english {
                let Some(translated) = strings.get(key) else {
                    panic!("{lang}.json misses the key {key:?}");
                };
                assert_eq!(
                    placeholders(translated),
                    placeholders(text),
                    "{lang}.json: {key:?} has other placeholders than English"
                );
                assert!(
                    !translated.trim().is_empty() || key == "q.required",
                    "{lang}: {key} is empty"
                );
            }
            for key in strings.keys() {
                assert!(
                    english.contains_key(key) || key.starts_with("tpl:"),
                    "{lang}.json has {key:?}, which English lacks"
                );
            }
            if *lang != "en" {
                for text in template_texts() {
                    assert!(
                        strings.contains_key(&format!("tpl:{text}")),
                        "{lang}.json misses the built-in template's {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_key_the_pages_use_is_in_english() {
        let english = parse("en");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src");
        let mut used = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for call in ["t(\"", "tf(\""] {
                for (at, _) in source.match_indices(call) {
                    // `t(` must be the whole name, not the end of another.
                    let before = source[..at].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    let rest = &source[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    used += 1;
                    assert!(
                        english.contains_key(key),
                        "{} uses {key:?}, which en.json lacks",
                        path.display()
                    );
                }
            }
        }
        assert!(used > 40, "only {used} keys found: is the scan broken?");
    }

    #[test]
    fn unknown_languages_are_not_served() {
        assert!(strings("en").is_some());
        assert!(strings("de").is_some());
        assert!(strings("../en").is_none());
        assert_eq!(language("de-AT,de;q=0.9,en;q=0.5"), "de");
        assert_eq!(language("fr-CH, fr;q=0.9, de;q=0.8"), "de");
        assert_eq!(language("fr"), "en");
    }
}
