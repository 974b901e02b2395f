//! A manager's perception form (`/estimate#m=TOKEN`): how they think their
//! team's morale is, shown to the leader beside the team's anonymous figure.
//! Served with the leader's bundle, so the employee's check-in stays small.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{EstimateRequest, EstimateView, TeamMeeting};
use shared::{Answer, Question, Score, Visibility};

use crate::api::{self, ApiError};
use crate::components::{Failure, QuestionField, focus_question, format_time, load_once, time_now};
use crate::i18n::{answer_error, t, tf};

/// The page for a manager's link.
#[component]
pub fn EstimatePage(
    /// The token from the link's fragment.
    token: String,
) -> impl IntoView {
    let fetch_token = token.clone();
    load_once(
        async move { api::estimate(&fetch_token).await },
        "estimate.title",
        move |view| view! { <EstimateForm view token=token.clone() /> },
    )
}

#[component]
fn EstimateForm(view: EstimateView, token: String) -> impl IntoView {
    let EstimateView {
        manager_name,
        leader_name,
        round_name,
        morale,
        editable,
        team_meetings,
        themes,
    } = view;
    let themes = themes.into_iter().next().map(|shared| {
        let items = shared
            .themes
            .into_iter()
            .map(|t| view! { <li>{t}</li> })
            .collect_view();
        view! {
            <h2>{tf("estimate.themes", &[("leader", &leader_name)])}</h2>
            <p class="muted">{tf("estimate.themes_note", &[("at", &format_time(shared.sent_at))])}</p>
            <ul>{items}</ul>
        }
    });
    let question = Question {
        id: "estimate".to_owned(),
        prompt: t("estimate.question"),
        kind: shared::QuestionKind::Scale {
            min: Score::MIN,
            max: Score::MAX,
            min_label: t("estimate.low"),
            max_label: t("estimate.high"),
        },
        visibility: Visibility::Confidential,
        required: true,
    };
    let value = RwSignal::new(morale.map(|s| Answer::Scale(s.get())));
    // What the server holds, as opposed to what is picked on the page.
    let stored = RwSignal::new(morale);
    let error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let score = match value.get_untracked() {
            Some(Answer::Scale(n)) => Score::parse(n),
            _ => Err(shared::AnswerError::Required),
        };
        let morale = match score {
            Ok(s) => s,
            Err(e) => {
                error.set(Some(answer_error(&e)));
                focus_question("estimate");
                return;
            }
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = api::save_estimate(&token.get_value(), &EstimateRequest { morale }).await;
            outcome.set(Some(result.map(|view| {
                stored.set(view.morale);
                let key = if view.editable {
                    "estimate.saved_open"
                } else {
                    "estimate.saved"
                };
                tf(key, &[("at", &time_now())])
            })));
            busy.set(false);
        });
    };
    let note = tf("estimate.note", &[("leader", &leader_name)]);
    view! {
        <h1>{t("estimate.title")}</h1>
        <p class="meta">{tf("estimate.hi", &[("manager", &manager_name), ("round", &round_name), ("leader", &leader_name)])}</p>
        <p>{tf("estimate.why", &[("leader", &leader_name)])}</p>
        <p>{move || match stored.get() {
            Some(s) => tf("estimate.current", &[("n", &s.get().to_string())]),
            None => t("estimate.none"),
        }}</p>
        {themes}
        <TeamMeetings meetings=team_meetings leader=leader_name.clone() />
        {(!editable).then(|| view! {
            <p class="notice" role="status">{t("estimate.closed")}</p>
        })}
        <form on:submit=save novalidate>
            <QuestionField
                question
                note
                value=value
                error=error
                disabled=Signal::derive(move || !editable)
                on_change=Callback::new(move |a| {
                    value.set(a);
                    error.set(None);
                })
                on_blur=Callback::new(|()| {})
            />
            <div class="actions">
                {move || outcome.get().map(|r| match r {
                    Ok(msg) => view! { <p class="notice ok" role="status">{msg}</p> }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                })}
                <button type="submit" disabled=move || busy.get() || !editable>{t("estimate.save")}</button>
            </div>
        </form>
    }
}

/// Who of the manager's team has a skip-level this round, and when: never
/// what they answer.
#[component]
fn TeamMeetings(meetings: Vec<TeamMeeting>, leader: String) -> impl IntoView {
    if meetings.is_empty() {
        return None;
    }
    let items = meetings
        .into_iter()
        .map(|m| view! { <li>{format!("{} · {}", m.person_name, format_time(m.meeting_at))}</li> })
        .collect_view();
    Some(view! {
        <h2>{t("estimate.team")}</h2>
        <p class="muted">{tf("estimate.team_note", &[("leader", &leader)])}</p>
        <ul>{items}</ul>
    })
}
