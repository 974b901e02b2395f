//! A manager's perception form (`/estimate#m=TOKEN`): how they think their
//! team's morale is, shown to the leader beside the team's anonymous figure.
//! Served with the leader's bundle, so the employee's check-in stays small.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{EstimateRequest, EstimateView, TeamMeeting};
use shared::{Answer, Question, Score, Visibility};

use crate::api::{self, ApiError};
use crate::components::{Failure, QuestionField, focus_question, format_time, load_once, time_now};

/// The page for a manager's link.
#[component]
pub fn EstimatePage(
    /// The token from the link's fragment.
    token: String,
) -> impl IntoView {
    let fetch_token = token.clone();
    load_once(
        async move { api::estimate(&fetch_token).await },
        "Your team's morale",
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
            <h2>{format!("Themes from {leader_name}")}</h2>
            <p class="muted">{format!("Shared {}. Broad themes from the skip-levels, never anyone's words.", format_time(shared.sent_at))}</p>
            <ul>{items}</ul>
        }
    });
    let question = Question {
        id: "estimate".to_owned(),
        prompt: "How do you think your team's morale is right now?".to_owned(),
        kind: shared::QuestionKind::Scale {
            min: Score::MIN,
            max: Score::MAX,
            min_label: "Very low".to_owned(),
            max_label: "Very high".to_owned(),
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
                error.set(Some(e.to_string()));
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
                if view.editable {
                    format!("Saved at {}. You can change it any time.", time_now())
                } else {
                    format!("Saved at {}.", time_now())
                }
            })));
            busy.set(false);
        });
    };
    let note = format!(
        "{leader_name} sees your estimate with your name, next to the team's anonymous morale."
    );
    view! {
        <h1>"Your team's morale"</h1>
        <p class="meta">{format!("Hi {manager_name}. {round_name}, with {leader_name}.")}</p>
        <p>"Skip-level meetings ask your team, anonymously, how their morale is. Your estimate lets "
            {leader_name.clone()}" see how well the picture from above matches. There is no right answer."</p>
        <p>{move || match stored.get() {
            Some(s) => format!("Your current estimate: {} out of 10.", s.get()),
            None => "You haven't given an estimate yet.".to_owned(),
        }}</p>
        {themes}
        <TeamMeetings meetings=team_meetings leader=leader_name.clone() />
        {(!editable).then(|| view! {
            <p class="notice" role="status">"This round is closed, so your estimate can no longer be changed."</p>
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
                <button type="submit" disabled=move || busy.get() || !editable>"Save estimate"</button>
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
        <h2>"Your team's skip-levels"</h2>
        <p class="muted">{format!("What they tell {leader} stays between them; you'll hear broad themes, never who said what.")}</p>
        <ul>{items}</ul>
    })
}
