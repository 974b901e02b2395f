//! The reader's language. Strings live in `frontend/i18n/{lang}.json`, one
//! file per language, served at `/i18n/{lang}.json`; a bundle loads its
//! reader's file before it shows anything, so no bundle carries the text of
//! every language (the check-in's size budget could not afford it).
//!
//! The language: the page's `<html lang>` when the server chose it (an
//! embedded widget's `data-lang`, else the browser's `Accept-Language`),
//! else the browser's own language; English when the server has no file.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// How a server's sentence without a known code is shown.
    static SERVER_TEXT: std::cell::Cell<fn(&str) -> String> = const { std::cell::Cell::new(str::to_owned) };
    static STRINGS: RefCell<(String, JsValue)> = RefCell::new((String::from("en"), JsValue::UNDEFINED));
}

/// The language in use, e.g. `de`.
pub fn lang() -> String {
    STRINGS.with(|s| s.borrow().0.clone())
}

/// The locale dates and numbers are written in: the browser's own (say
/// `en-GB`) when it is of the language in use, else the language.
pub fn locale() -> String {
    let lang = lang();
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .filter(|l| l.split('-').next() == Some(lang.as_str()))
        .unwrap_or(lang)
}

fn wanted() -> String {
    let document = web_sys::window().and_then(|w| w.document());
    let chosen = document
        .as_ref()
        .and_then(|d| d.document_element())
        .filter(|html| html.has_attribute("data-embed"))
        .and_then(|html| html.get_attribute("lang"));
    chosen
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_default()
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Which strings a bundle loads: the check-in's few, or those of the
/// signed-in pages as well.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Checkin,
    Pages,
}

/// Loads the reader's strings (English if theirs are missing).
pub async fn load(part: Part) {
    let file = |lang: &str| match part {
        Part::Checkin => format!("/i18n/{lang}.json"),
        Part::Pages => format!("/i18n/{lang}.pages.json"),
    };
    let mut lang = wanted();
    let mut strings = crate::api::get_js(&file(&lang)).await;
    if strings.is_none() && lang != "en" {
        lang = "en".to_owned();
        strings = crate::api::get_js(&file(&lang)).await;
    }
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", &lang);
    }
    STRINGS.with(|s| *s.borrow_mut() = (lang, strings.unwrap_or(JsValue::UNDEFINED)));
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        // Right-to-left languages say so in their file.
        let _ = html.set_attribute("dir", &t("dir"));
    }
}

/// Uses a language file's strings (both its parts) from now on: for tests.
pub fn use_strings(lang: &str, file: &str) {
    let parts = js_sys::JSON::parse(file).unwrap_or(JsValue::UNDEFINED);
    let strings = js_sys::Object::new();
    for part in ["checkin", "pages"] {
        if let Ok(part) = js_sys::Reflect::get(&parts, &JsValue::from_str(part))
            && let Ok(part) = part.dyn_into::<js_sys::Object>()
        {
            js_sys::Object::assign(&strings, &part);
        }
    }
    STRINGS.with(|s| *s.borrow_mut() = (lang.to_owned(), strings.into()));
}

fn lookup(key: &str) -> Option<String> {
    STRINGS.with(|s| {
        js_sys::Reflect::get(&s.borrow().1, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    })
}

/// The string for `key`; the key itself when it is missing, which the
/// tests catch.
pub fn t(key: &str) -> String {
    lookup(key).unwrap_or_else(|| key.to_owned())
}

/// [`t`] with `{name}` placeholders filled in.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    // One pass by hand: `str::replace` brings a substring search the
    // check-in's size budget can't spare.
    let text = t(key);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open + 1..];
        let close = rest.find('}').unwrap_or(rest.len());
        let name = &rest[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// [`tf`] for a count: `{key}.one`, `{key}.other` (or the language's
/// other plural forms, as `Intl.PluralRules` names them), with `{n}` the
/// count as the reader's locale writes it.
pub fn tn(key: &str, n: usize, args: &[(&str, &str)]) -> String {
    let rules = js_sys::Intl::PluralRules::new(
        &js_sys::Array::of1(&JsValue::from_str(&locale())),
        &js_sys::Object::new(),
    );
    let category = String::from(rules.select(n as f64));
    let key = [format!("{key}.{category}"), format!("{key}.other")]
        .into_iter()
        .find(|k| lookup(k).is_some())
        .unwrap_or_else(|| format!("{key}.other"));
    let count = crate::components::format_number(n);
    let mut all = vec![("n", count.as_str())];
    all.extend_from_slice(args);
    tf(&key, &all)
}

/// A text of a built-in template in the reader's language; a leader's own
/// wording is shown as written.
pub fn template_text(english: &str) -> String {
    lookup(&format!("tpl:{english}")).unwrap_or_else(|| english.to_owned())
}

/// The message of a server error in the reader's language: the server's
/// sentence translated by [`server_text`] in the bundles [`start`]ed with
/// [`Part::Pages`], else the text for its code, else the sentence. (The
/// check-in knows every code it can meet, and can't spare the bytes of the
/// sentence matcher.)
pub fn error_message(code: &str, server_message: &str) -> String {
    // The sentence first: it says more than its code (`too_large` is a
    // check-in's text or a directory's file).
    let sentence = SERVER_TEXT.get()(server_message);
    if sentence != server_message {
        return sentence;
    }
    lookup(&format!("error.{code}")).unwrap_or(sentence)
}

/// A sentence the server (or a shared check) wrote in English, in the
/// reader's language: the language file has it as `msg:<English>`, where
/// `{…}` stands for a value, filled in the translation by name, or in
/// order for `{}`. Untranslated sentences stay in English.
pub fn server_text(english: &str) -> String {
    if let Some(exact) = lookup(&format!("msg:{english}")) {
        return exact;
    }
    let keys = STRINGS.with(|s| match s.borrow().1.dyn_ref::<js_sys::Object>() {
        Some(strings) => js_sys::Object::keys(strings),
        None => js_sys::Array::new(),
    });
    keys.iter()
        .filter_map(|k| k.as_string())
        .filter_map(|k| {
            let values = capture(k.strip_prefix("msg:")?, english)?;
            Some(fill_values(&t(&k), &values))
        })
        .next()
        .unwrap_or_else(|| english.to_owned())
}

/// The values of `text` at the `{…}` of `pattern`, with their names, if
/// the text is of that pattern.
fn capture<'a>(pattern: &'a str, text: &'a str) -> Option<Vec<(&'a str, &'a str)>> {
    let mut values = Vec::new();
    let (literal, mut pattern) = pattern.split_once('{').unwrap_or((pattern, ""));
    let mut text = text.strip_prefix(literal)?;
    if pattern.is_empty() {
        return text.is_empty().then_some(values);
    }
    loop {
        let (name, rest) = pattern.split_once('}')?;
        let (literal, next) = rest.split_once('{').unwrap_or((rest, ""));
        let end = if next.is_empty() && literal.is_empty() {
            text.len()
        } else if next.is_empty() {
            // The last literal ends the text.
            text.strip_suffix(literal)?.len()
        } else {
            text.find(literal)?
        };
        values.push((name, &text[..end]));
        text = &text[end + literal.len()..];
        if next.is_empty() {
            return text.is_empty().then_some(values);
        }
        pattern = next;
    }
}

/// `translation` with its `{name}` filled from `values`, and each `{}` by
/// the next unnamed value.
fn fill_values(translation: &str, values: &[(&str, &str)]) -> String {
    let mut unnamed = values.iter().filter(|(name, _)| name.is_empty());
    let mut out = String::new();
    let mut rest = translation;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &rest[open + 1..open + close];
        let value = if name.is_empty() {
            unnamed.next()
        } else {
            values.iter().find(|(n, _)| *n == name)
        };
        out.push_str(value.map_or("", |(_, v)| v));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Why an answer was refused, in the reader's language.
pub fn answer_error(e: &shared::AnswerError) -> String {
    use shared::AnswerError;
    match e {
        AnswerError::Required => t("answer.required"),
        AnswerError::TooLong { max } => tf(
            "answer.too_long",
            &[("max", &crate::components::format_number(*max))],
        ),
        AnswerError::OutOfRange { min, max } => tf(
            "answer.out_of_range",
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        AnswerError::UnknownOption => t("answer.unknown_option"),
        AnswerError::WrongKind => t("answer.wrong_kind"),
    }
}

/// Loads the reader's strings of `part`, then runs `mount`.
pub fn start(part: Part, mount: impl FnOnce() + 'static) {
    if part == Part::Pages {
        SERVER_TEXT.set(server_text);
    }
    wasm_bindgen_futures::spawn_local(async move {
        load(part).await;
        mount();
    });
}
