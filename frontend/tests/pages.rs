//! Page tests, run in headless Chromium by wasm-bindgen-test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use frontend::checkin::{CheckinForm, Link, parse_fragment, who_sees};
use frontend::components::QuestionField;
use frontend::insights::gap_text;
use leptos::prelude::*;
use shared::api::{Bucket, CheckinView};
use shared::meeting::{ItemStatus, SharedItem};
use shared::validate::SHORT_TEXT_MAX;
use shared::{Answer, Answers, Question, QuestionKind, Section, Template, Visibility};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The pages' English strings, as the server serves them.
fn english() {
    frontend::i18n::use_strings("en", include_str!("../i18n/en.json"));
}

fn container() -> web_sys::HtmlElement {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn scale_question() -> Question {
    Question {
        id: "morale".into(),
        prompt: "How is your morale?".into(),
        kind: QuestionKind::Scale {
            min: 1,
            max: 10,
            min_label: "Very low".into(),
            max_label: "Very high".into(),
        },
        visibility: Visibility::Anonymous,
        required: true,
    }
}

#[wasm_bindgen_test]
fn a_link_fragment_picks_the_page() {
    english();
    assert_eq!(parse_fragment("#i=abc"), Link::Invite("abc".into()));
    assert_eq!(parse_fragment("#m=def"), Link::Manager("def".into()));
    assert_eq!(parse_fragment("#i="), Link::Incomplete);
    assert_eq!(parse_fragment(""), Link::Incomplete);
    assert_eq!(parse_fragment("#x=abc"), Link::Incomplete);
}

#[wasm_bindgen_test]
fn the_who_sees_note_names_the_leader_and_the_manager_who_wont_see_it() {
    english();
    let confidential = who_sees(Visibility::Confidential, "Alex", Some("Priya"), 5);
    let anonymous = who_sees(Visibility::Anonymous, "Alex", Some("Priya"), 5);
    assert!(confidential.contains("only Alex") && confidential.contains("Priya won't see it"));
    assert!(anonymous.contains("at least 5 people") && !anonymous.contains("Priya"));
}

#[wasm_bindgen_test]
async fn a_question_shows_its_note_its_error_and_reports_a_choice() {
    english();
    let parent = container();
    let error = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(None::<Answer>);
    let handle = mount_to(parent.clone(), move || {
        view! {
            <QuestionField
                question=scale_question()
                note="Anonymous: only combined.".to_owned()
                value=chosen
                error=error
                disabled=false
                on_change=Callback::new(move |a| chosen.set(a))
                on_blur=Callback::new(|()| {})
            />
        }
    });

    error.set(Some("Choose a number from 1 to 10.".into()));
    let seven: web_sys::HtmlElement = parent
        .query_selector("#morale-6")
        .unwrap()
        .unwrap()
        .unchecked_into();
    seven.click();
    // Effects run on the next tick.
    leptos::task::tick().await;

    let text = parent.text_content().unwrap_or_default();
    assert!(text.contains("How is your morale?"), "{text}");
    assert!(text.contains("Anonymous: only combined."), "{text}");
    assert!(text.contains("Choose a number from 1 to 10."), "{text}");
    assert_eq!(chosen.get_untracked(), Some(Answer::Scale(7)));
    let radio = parent.query_selector("#morale-0").unwrap().unwrap();
    assert_eq!(
        radio.get_attribute("aria-describedby").as_deref(),
        Some("morale-ends morale-who morale-err")
    );
    assert_eq!(radio.get_attribute("aria-invalid").as_deref(), Some("true"));
    drop(handle);
}

/// A check-in; `meeting` keeps each test's unsent anonymous answers apart
/// in localStorage.
fn checkin_view(editable: bool, meeting: &str) -> CheckinView {
    CheckinView {
        meeting_id: meeting.to_owned(),
        person_name: "Sam".into(),
        leader_name: "Alex Rivera".into(),
        leader_title: "VP Engineering".into(),
        manager_name: Some("Priya Shah".into()),
        round_name: "Q4 skip-levels".into(),
        meeting_at: 1_800_000_000,
        editable,
        template: Template {
            name: "Skip-level".into(),
            version: 1,
            sections: vec![Section {
                title: "Check-in".into(),
                questions: vec![
                    Question {
                        id: "personal".into(),
                        prompt: "How are things going for you personally?".into(),
                        kind: QuestionKind::ShortText,
                        visibility: Visibility::Confidential,
                        required: true,
                    },
                    scale_question(),
                ],
            }],
        },
        answers: Answers::new(),
        submitted_at: None,
        unsent_changes: false,
        anonymous_sealed: false,
        k: 5,
        promised: vec![SharedItem {
            title: "Find a mentor in the data team".into(),
            due_on: Some("2026-12-15".into()),
            status: ItemStatus::Open,
        }],
    }
}

fn text_of(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_check_in_says_who_sees_each_answer_and_flags_what_is_missing_on_submit() {
    english();
    let parent = container();
    // A meeting of its own, so no answers from another test are in localStorage.
    let token = "test-token-who-sees-and-submit".to_owned();
    let view = checkin_view(true, "meeting-who-sees");
    let handle = mount_to(parent.clone(), move || {
        view! { <CheckinForm view token /> }
    });

    let text = parent.text_content().unwrap_or_default();
    assert!(text.contains("Your skip-level with Alex Rivera"), "{text}");
    assert!(
        text.contains("What Alex Rivera follows up on with you")
            && text.contains("Find a mentor in the data team (open, due ")
            && text.contains("Dec")
            && !text.contains("2026-12-15"),
        "{text}"
    );
    assert_eq!(
        text_of("personal-who"),
        "Confidential: only Alex Rivera will read this, with your name. Priya Shah won't see it."
    );
    assert_eq!(
        text_of("morale-who"),
        "Anonymous: Alex Rivera sees only combined results from at least 5 people, never your answer."
    );

    // Submitting with nothing answered: no request, an error at each required
    // question, and the keyboard focus on the first.
    let button: web_sys::HtmlElement = parent
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    leptos::task::tick().await;

    assert_eq!(text_of("personal-err"), "Please answer this question.");
    assert_eq!(text_of("morale-err"), "Please answer this question.");
    let field = document().get_element_by_id("personal").unwrap();
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    let focused = document().active_element().map(|e| e.id());
    assert_eq!(focused.as_deref(), Some("personal"));
    assert!(
        parent
            .text_content()
            .unwrap_or_default()
            .contains("Some answers need another look"),
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn an_answer_over_the_limit_is_flagged_while_typing_and_kept() {
    english();
    let parent = container();
    let token = "test-token-over-the-limit".to_owned();
    let view = checkin_view(true, "meeting-over-the-limit");
    let handle = mount_to(parent.clone(), move || {
        view! { <CheckinForm view token /> }
    });
    let input: web_sys::HtmlInputElement = document()
        .get_element_by_id("personal")
        .unwrap()
        .unchecked_into();
    let long = "a".repeat(SHORT_TEXT_MAX + 1);
    input.set_value(&long);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;

    assert_eq!(
        text_of("personal-err"),
        format!("Please keep this under {SHORT_TEXT_MAX} characters.")
    );
    assert_eq!(
        text_of("personal-count"),
        format!("{} / {SHORT_TEXT_MAX} characters", SHORT_TEXT_MAX + 1)
    );
    // Nothing typed is cut or lost.
    assert_eq!(input.value(), long);
    // The draft save is due in 700 ms; keep the form alive past the test so
    // it has somewhere to report.
    std::mem::forget(handle);
}

#[wasm_bindgen_test]
async fn a_check_in_after_the_meeting_started_is_read_only() {
    english();
    let parent = container();
    let token = "test-token-read-only".to_owned();
    let view = checkin_view(false, "meeting-read-only");
    let handle = mount_to(parent.clone(), move || {
        view! { <CheckinForm view token /> }
    });
    let text = parent.text_content().unwrap_or_default();
    assert!(text.contains("The meeting has started"), "{text}");
    for selector in ["#personal", "#morale-0", "button[type=submit]"] {
        let element = parent.query_selector(selector).unwrap().unwrap();
        assert!(
            element.has_attribute("disabled"),
            "{selector} is not disabled"
        );
    }
    drop(handle);
}

#[wasm_bindgen_test]
fn a_managers_gap_reads_in_words() {
    english();
    assert_eq!(gap_text(Some(1.84)), "thinks 1.8 higher");
    assert_eq!(gap_text(Some(-1.0)), "thinks 1.0 lower");
    assert_eq!(gap_text(Some(0.01)), "the same");
    assert_eq!(gap_text(None), "–");
}

#[wasm_bindgen_test]
async fn an_anonymous_question_can_be_declined_and_the_choice_is_reported() {
    english();
    let parent = container();
    let chosen = RwSignal::new(None::<Answer>);
    let handle = mount_to(parent.clone(), move || {
        view! {
            <QuestionField
                question=scale_question()
                note=String::new()
                value=chosen
                error=Signal::derive(|| None::<String>)
                disabled=false
                on_change=Callback::new(move |a| chosen.set(a))
                on_blur=Callback::new(|()| {})
            />
        }
    });
    // Ten points, then "Prefer not to say".
    let decline: web_sys::HtmlElement = parent
        .query_selector("#morale-10")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let label = parent
        .query_selector("label[for=morale-10]")
        .unwrap()
        .unwrap()
        .text_content();
    decline.click();
    leptos::task::tick().await;

    assert_eq!(label.as_deref(), Some("Prefer not to say"));
    assert_eq!(chosen.get_untracked(), Some(Answer::PreferNotToSay));
    drop(handle);
}

#[wasm_bindgen_test]
fn a_histogram_is_one_image_with_a_sentence_and_a_bar_per_value() {
    english();
    let parent = container();
    let buckets: Vec<Bucket> = (1..=4)
        .map(|i| Bucket {
            label: i.to_string(),
            count: i,
        })
        .collect();
    let handle = mount_to(parent.clone(), move || {
        frontend::charts::histogram(&buckets, "Morale: mean 3.0".to_owned())
    });
    let svg = parent.query_selector("svg").unwrap().unwrap();
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(
        svg.get_attribute("aria-label").as_deref(),
        Some("Morale: mean 3.0")
    );
    assert_eq!(parent.inner_html().matches("<rect").count(), 4);
    drop(handle);
}

#[wasm_bindgen_test]
async fn in_german_the_page_and_the_built_in_questions_are_german() {
    frontend::i18n::use_strings("de", include_str!("../i18n/de.json"));
    let note = who_sees(Visibility::Anonymous, "Alex", Some("Priya"), 5);
    assert_eq!(
        note,
        "Anonym: Alex sieht nur zusammengefasste Ergebnisse von mindestens 5 Personen, nie Ihre Antwort."
    );
    let parent = container();
    // The built-in template's morale question, as stored in English.
    let question = Question {
        id: "morale-de".into(),
        prompt: "On a scale of 1-10, how would you rate your morale right now?".into(),
        ..scale_question()
    };
    let value = RwSignal::new(None::<Answer>);
    let error = RwSignal::new(None::<String>);
    let handle = mount_to(parent.clone(), move || {
        view! {
            <QuestionField question note=String::new() value=value error=error
                disabled=false on_change=Callback::new(|_| {}) on_blur=Callback::new(|()| {}) />
        }
    });
    let text = parent.text_content().unwrap_or_default();
    assert!(
        text.contains("Wie würden Sie Ihre Stimmung gerade"),
        "{text}"
    );
    assert!(
        text.contains("(Pflichtfeld)") && text.contains("Keine Angabe"),
        "{text}"
    );
    let last = parent.query_selector("#morale-de-9").unwrap().unwrap();
    assert_eq!(
        last.get_attribute("aria-label").as_deref(),
        Some("10 von 10, Sehr gut")
    );
    // A leader's own wording is shown as written.
    assert_eq!(
        frontend::i18n::template_text("Our own question?"),
        "Our own question?"
    );
    drop(handle);
    english();
}

#[wasm_bindgen_test]
fn the_servers_sentences_are_translated_with_their_values() {
    frontend::i18n::use_strings(
        "de",
        r#"{"checkin": {}, "pages": {
            "msg:Write at least one theme first.": "Schreiben Sie zuerst ein Thema.",
            "msg:Peer 1:1s are every {} to {} weeks.": "Alle {} bis {} Wochen.",
            "msg:No one in the directory is in the team {team:?}.": "Niemand ist im Team {team:?}.",
            "msg:At most {max} characters, {who}.": "{who}: höchstens {max} Zeichen."
        }}"#,
    );
    use frontend::i18n::server_text;
    assert_eq!(
        server_text("Write at least one theme first."),
        "Schreiben Sie zuerst ein Thema."
    );
    assert_eq!(
        server_text("Peer 1:1s are every 2 to 8 weeks."),
        "Alle 2 bis 8 Wochen."
    );
    assert_eq!(
        server_text("No one in the directory is in the team \"Sales\"."),
        "Niemand ist im Team \"Sales\"."
    );
    assert_eq!(
        server_text("At most 40 characters, Ada."),
        "Ada: höchstens 40 Zeichen."
    );
    // Not of any pattern: as written.
    assert_eq!(server_text("Peer 1:1s are rare."), "Peer 1:1s are rare.");
    assert_eq!(server_text("Something new."), "Something new.");
    english();
}
