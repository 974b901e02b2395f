//! The languages of the pages: one JSON file each in `frontend/i18n/`, the
//! English one holding every key, in two parts: `checkin`, what the
//! employee's check-in (and the manager's estimate) shows, and `pages`,
//! what the signed-in pages add. The check-in loads only its part, from
//! `/i18n/{lang}.json`; the other bundles load both, from
//! `/i18n/{lang}.pages.json`. No bundle carries strings of its own.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/languages.rs"));

/// Which strings a bundle loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Checkin,
    /// The check-in's strings and the signed-in pages'.
    Pages,
}

/// A language file's two parts, each a flat JSON object of strings.
#[derive(serde::Deserialize, Default)]
struct File {
    checkin: Map<String, Value>,
    #[serde(default)]
    pages: Map<String, Value>,
}

/// A part as served: its JSON, and the same compressed with brotli.
struct Served {
    json: String,
    brotli: Vec<u8>,
}

impl Served {
    fn new(strings: Map<String, Value>) -> Self {
        let json = Value::Object(strings).to_string();
        let mut brotli = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        if brotli::BrotliCompress(&mut json.as_bytes(), &mut brotli, &params).is_err() {
            brotli.clear();
        }
        Self { json, brotli }
    }
}

/// Every language's parts as the browser loads them (the check-in's, and
/// both together); a file that is not two objects serves nothing (a test
/// fails on it first).
static SERVED: LazyLock<Vec<(&'static str, Served, Served)>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .filter_map(|(code, json)| {
            let file: File = serde_json::from_str(json).ok()?;
            let checkin = Served::new(file.checkin.clone());
            let mut all = file.checkin;
            all.extend(file.pages);
            Some((*code, checkin, Served::new(all)))
        })
        .collect()
});

fn served(lang: &str, part: Part) -> Option<&'static Served> {
    SERVED
        .iter()
        .find(|(code, _, _)| *code == lang)
        .map(|(_, checkin, pages)| match part {
            Part::Checkin => checkin,
            Part::Pages => pages,
        })
}

/// The strings of a language, by its code, as a JSON object.
pub fn strings(lang: &str, part: Part) -> Option<&'static str> {
    served(lang, part).map(|s| s.json.as_str())
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

/// `/i18n/{lang}.json` and `/i18n/{lang}.pages.json`, brotli-compressed
/// for browsers that take it. Anyone may load them.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let found = match file.strip_suffix(".pages.json") {
        Some(lang) => served(lang, Part::Pages),
        None => file
            .strip_suffix(".json")
            .and_then(|lang| served(lang, Part::Checkin)),
    };
    let Some(served) = found else {
        return (StatusCode::NOT_FOUND, "no such language").into_response();
    };
    let takes_brotli = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|c| c.trim() == "br"));
    let common = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if takes_brotli && !served.brotli.is_empty() {
        let brotli = [(header::CONTENT_ENCODING, HeaderValue::from_static("br"))];
        (common, brotli, served.brotli.clone()).into_response()
    } else {
        (common, served.json.clone()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A language's two parts, each key once across both.
    fn parse(lang: &str) -> [BTreeMap<String, String>; 2] {
        let (_, json) = LANGUAGES.iter().find(|(code, _)| *code == lang).unwrap();
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Parts {
            checkin: BTreeMap<String, String>,
            pages: BTreeMap<String, String>,
        }
        let parts: Parts = serde_json::from_str(json).unwrap_or_else(|e| {
            panic!("{lang}.json is not {{\"checkin\": {{…}}, \"pages\": {{…}}}} of strings: {e}")
        });
        for key in parts.checkin.keys() {
            assert!(
                !parts.pages.contains_key(key),
                "{lang}.json has {key:?} in both parts"
            );
        }
        [parts.checkin, parts.pages]
    }

    /// Plural forms other than English's: a language may add `x.few` and
    /// the like where English has `x.other`.
    fn is_plural_form_of(key: &str, english: &BTreeMap<String, String>) -> bool {
        ["zero", "two", "few", "many"].iter().any(|form| {
            key.strip_suffix(form)
                .and_then(|base| base.strip_suffix('.'))
                .is_some_and(|base| english.contains_key(&format!("{base}.other")))
        })
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        // A translation may name a value twice, or once where English
        // names it twice.
        found.dedup();
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
            let parts = parse(lang);
            for (part, (english, strings)) in english.iter().zip(&parts).enumerate() {
                for (key, text) in english {
                    let Some(translated) = strings.get(key) else {
                        panic!("{lang}.json misses the key {key:?} (part {part})");
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
                        english.contains_key(key)
                            || key.starts_with("tpl:")
                            || key.starts_with("msg:")
                            || is_plural_form_of(key, english),
                        "{lang}.json has {key:?}, which English lacks (or has in the other part)"
                    );
                }
            }
            if *lang != "en" {
                for text in template_texts() {
                    assert!(
                        parts[0].contains_key(&format!("tpl:{text}")),
                        "{lang}.json misses the built-in template's {text:?}"
                    );
                }
            }
            // What the browser loads is what the file says.
            let served: BTreeMap<String, String> =
                serde_json::from_str(strings(lang, Part::Pages).unwrap()).unwrap();
            assert_eq!(served.len(), parts[0].len() + parts[1].len());
            let served: BTreeMap<String, String> =
                serde_json::from_str(strings(lang, Part::Checkin).unwrap()).unwrap();
            assert_eq!(served, parts[0]);
        }
    }

    /// Every `t("key")`, `tf("key", …)` and `tn("key", …)` in the
    /// frontend's sources, by file.
    fn keys_used() -> Vec<(String, Vec<String>)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let mut keys = Vec::new();
            for call in ["t(", "tf(", "tn("] {
                for (at, _) in source.match_indices(call) {
                    // `t(` must be the whole name, not the end of another.
                    let before = source[..at].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    // rustfmt may put the key on the next line.
                    let Some(rest) = source[at + call.len()..].trim_start().strip_prefix('"')
                    else {
                        continue;
                    };
                    let key = &rest[..rest.find('"').unwrap()];
                    if call == "tn(" {
                        keys.extend([format!("{key}.one"), format!("{key}.other")]);
                    } else {
                        keys.push(key.to_owned());
                    }
                }
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, keys));
        }
        files
    }

    #[test]
    fn every_key_the_pages_use_is_in_english() {
        let [checkin, pages] = parse("en");
        // What the check-in bundle is built from must find its strings in
        // the part it loads.
        let checkin_files = ["checkin.rs", "components.rs", "api.rs", "i18n.rs"];
        let mut used = 0;
        for (file, keys) in keys_used() {
            for key in keys {
                used += 1;
                if checkin_files.contains(&file.as_str()) {
                    assert!(
                        checkin.contains_key(&key),
                        "{file} uses {key:?}, which en.json's checkin part lacks"
                    );
                } else {
                    assert!(
                        checkin.contains_key(&key) || pages.contains_key(&key),
                        "{file} uses {key:?}, which en.json lacks"
                    );
                }
            }
        }
        assert!(used > 300, "only {used} keys found: is the scan broken?");
    }

    #[test]
    fn every_english_key_is_used() {
        let used: std::collections::BTreeSet<String> =
            keys_used().into_iter().flat_map(|(_, keys)| keys).collect();
        // Keys chosen by a `match` are written as plain literals.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src");
        let sources: String = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
            .collect();
        for part in parse("en") {
            for key in part.keys() {
                // `error.*` are looked up by the server's code, `dir` by
                // name, `tpl:*` by a built-in template's text.
                let by_name = key.starts_with("error.") || key.starts_with("tpl:") || key == "dir";
                assert!(
                    by_name || used.contains(key) || sources.contains(&format!("\"{key}\"")),
                    "en.json's {key:?} is used nowhere"
                );
            }
        }
    }

    /// The string literals of a Rust source, outside comments and tests,
    /// as the program writes them (`\"` unescaped, `\`-continued lines
    /// joined).
    fn literals(source: &str) -> Vec<String> {
        let source = source.split("#[cfg(test)]").next().unwrap_or(source);
        let mut found = Vec::new();
        let mut chars = source.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                // A char literal: `'"'` is no string.
                '\'' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' if previous != '\'' => {
                    let mut text = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some('\n') => {
                                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                        chars.next();
                                    }
                                }
                                Some('n') => text.push('\n'),
                                Some(other) => text.push(other),
                                None => {}
                            },
                            c => text.push(c),
                        }
                    }
                    found.push(text);
                }
                _ => {}
            }
            previous = c;
        }
        found
    }

    /// The sentences the server, and the checks it shares with the pages,
    /// send to be shown to people: whole sentences in the files that check
    /// requests, leaving out mails and the built-in templates' texts.
    fn server_sentences() -> std::collections::BTreeSet<String> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut files = vec![
            "backend/src/error.rs".to_owned(),
            "backend/src/directory.rs".to_owned(),
            "backend/src/embed.rs".to_owned(),
        ];
        for dir in ["backend/src/routes", "backend/src/auth", "shared/src"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                // openapi.rs: the API document's descriptions, for API clients.
                if name.ends_with(".rs")
                    && !["mod.rs", "templates.rs", "openapi.rs"].contains(&name.as_str())
                {
                    files.push(format!("{dir}/{name}"));
                }
            }
        }
        files.push("shared/src/templates.rs".to_owned());
        let built_in = template_texts();
        let mut sentences = std::collections::BTreeSet::new();
        for file in files {
            let source = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            for text in literals(&source) {
                let sentence = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c == '{')
                    && text.contains(' ')
                    && (text.ends_with('.') || text.ends_with('?'));
                let mail = text.contains('\n') || text.starts_with("This is a test from");
                if sentence && !mail && !built_in.contains(&text) {
                    sentences.insert(text);
                }
            }
        }
        // A mail's outcome, shown on the series and settings pages.
        let mail = std::fs::read_to_string(format!("{root}/backend/src/mail.rs")).unwrap();
        for outcome in ["sent to {}", "not sent to {}: {e}"] {
            assert!(literals(&mail).iter().any(|l| l == outcome), "{outcome}");
            sentences.insert(outcome.to_owned());
        }
        // An import's change to a person, shown in its preview.
        let directory =
            std::fs::read_to_string(format!("{root}/backend/src/directory.rs")).unwrap();
        for change in ["reports to {}", "manager: {} → {}"] {
            assert!(literals(&directory).iter().any(|l| l == change), "{change}");
            sentences.insert(change.to_owned());
        }
        sentences
    }

    #[test]
    fn every_language_has_every_sentence_the_server_shows() {
        let sentences = server_sentences();
        assert!(sentences.len() > 60, "only {} found", sentences.len());
        for (lang, _) in LANGUAGES {
            let all: BTreeMap<String, String> = parse(lang).into_iter().flatten().collect();
            for (key, text) in &all {
                if let Some(english) = key.strip_prefix("msg:") {
                    assert!(
                        sentences.contains(english),
                        "{lang}.json translates {english:?}, which the server no longer says"
                    );
                    // Every value in its place: `{}` fills in order, so a
                    // translation keeps each of them.
                    let all = |text: &str| {
                        let mut found: Vec<String> = text
                            .split('{')
                            .skip(1)
                            .filter_map(|rest| rest.split_once('}').map(|(n, _)| n.to_owned()))
                            .collect();
                        found.sort_unstable();
                        found
                    };
                    assert_eq!(
                        all(text),
                        all(english),
                        "{lang}.json: {key:?} has other placeholders than English"
                    );
                }
            }
            if *lang == "en" {
                continue;
            }
            let missing: Vec<&String> = sentences
                .iter()
                .filter(|s| !all.contains_key(&format!("msg:{s}")))
                .collect();
            assert!(
                missing.is_empty(),
                "{lang}.json misses \"msg:…\" for {missing:#?}"
            );
        }
    }

    #[test]
    fn unknown_languages_are_not_served() {
        assert!(strings("en", Part::Checkin).is_some());
        assert!(strings("de", Part::Pages).is_some());
        assert!(strings("../en", Part::Checkin).is_none());
        assert_eq!(language("de-AT,de;q=0.9,en;q=0.5"), "de");
        assert_eq!(language("fr-CH, fr;q=0.9, de;q=0.8"), "de");
        assert_eq!(language("fr"), "en");
    }
}
