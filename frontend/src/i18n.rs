//! The reader's language. Strings live in `frontend/i18n/{lang}.json`, one
//! file per language, served at `/i18n/{lang}.json`; a bundle loads its
//! reader's file before it shows anything, so no bundle carries the text of
//! every language (the check-in's size budget could not afford it).
//!
//! The language: the page's `<html lang>` when the server chose it (an
//! embedded widget's `data-lang`, else the browser's `Accept-Language`),
//! else the browser's own language; English when the server has no file.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

thread_local! {
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

/// Loads the reader's strings (English if theirs are missing), or those
/// of `only`.
pub async fn load(only: Option<&str>) {
    let mut lang = only.map_or_else(wanted, str::to_owned);
    let mut strings = crate::api::get_js(&format!("/i18n/{lang}.json")).await;
    if strings.is_none() && lang != "en" {
        lang = "en".to_owned();
        strings = crate::api::get_js(&format!("/i18n/{lang}.json")).await;
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

/// Uses these strings (a language file's text) from now on: for tests, and
/// for pages that have their strings at hand.
pub fn use_strings(lang: &str, json: &str) {
    let strings = js_sys::JSON::parse(json).unwrap_or(JsValue::UNDEFINED);
    STRINGS.with(|s| *s.borrow_mut() = (lang.to_owned(), strings));
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

/// A text of a built-in template in the reader's language; a leader's own
/// wording is shown as written.
pub fn template_text(english: &str) -> String {
    lookup(&format!("tpl:{english}")).unwrap_or_else(|| english.to_owned())
}

/// The message of a server error: the reader's language for the codes the
/// pages know, the server's sentence otherwise.
pub fn error_message(code: &str, server_message: &str) -> String {
    lookup(&format!("error.{code}")).unwrap_or_else(|| server_message.to_owned())
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

/// Loads the reader's strings (or those of `only`), then runs `mount`.
pub fn start(only: Option<&'static str>, mount: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        load(only).await;
        mount();
    });
}
