//! Page tests, run in headless Chromium by wasm-bindgen-test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use frontend::checkin::{Link, parse_fragment, who_sees};
use frontend::components::QuestionField;
use leptos::prelude::*;
use shared::{Answer, Question, QuestionKind, Visibility};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

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
    assert_eq!(parse_fragment("#i=abc"), Link::Invite("abc".into()));
    assert_eq!(parse_fragment("#m=def"), Link::Manager("def".into()));
    assert_eq!(parse_fragment("#i="), Link::Incomplete);
    assert_eq!(parse_fragment(""), Link::Incomplete);
    assert_eq!(parse_fragment("#x=abc"), Link::Incomplete);
}

#[wasm_bindgen_test]
fn the_who_sees_note_names_the_leader_and_the_manager_who_wont_see_it() {
    let confidential = who_sees(Visibility::Confidential, "Alex", Some("Priya"), 5);
    let anonymous = who_sees(Visibility::Anonymous, "Alex", Some("Priya"), 5);
    assert!(confidential.contains("only Alex") && confidential.contains("Priya won't see it"));
    assert!(anonymous.contains("at least 5 people") && !anonymous.contains("Priya"));
}

#[wasm_bindgen_test]
async fn a_question_shows_its_note_its_error_and_reports_a_choice() {
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
        Some("morale-who morale-err")
    );
    assert_eq!(radio.get_attribute("aria-invalid").as_deref(), Some("true"));
    drop(handle);
}
