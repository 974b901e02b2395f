//! The meeting view, open on a laptop during the conversation: the person's
//! check-in, the follow-ups still open from earlier meetings, the template's
//! talking points, the leader's private notes (saved as they type) and the
//! action items made in this meeting. Part of the insights bundle.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Answer;
use shared::meeting::{
    ActionItem, ItemOwner, ItemStatus, ItemUpdate, MeetingView, NewItem, Notes, PersonHistory,
};

use crate::api;
use crate::components::format_time;
use crate::forms::{CheckField, ErrorSummary, FormErrors, TextField, focus_id};
use crate::leader::param_id;
use crate::shell::{loaded, set_title};

#[component]
pub fn MeetingPage() -> impl IntoView {
    let id = param_id();
    let view = LocalResource::new(move || {
        let id = id();
        async move { api::meeting_view(&id).await }
    });
    view! { {loaded(view, meeting_view)} }
}

fn owner_words(owner: ItemOwner) -> &'static str {
    match owner {
        ItemOwner::Leader => "you",
        ItemOwner::Employee => "them",
        ItemOwner::Manager => "their manager",
    }
}

/// One line about an item: who, when due, shared or not.
pub fn item_meta(item: &ActionItem) -> String {
    let due = item.due_on.as_ref().map_or_else(String::new, |d| {
        format!(" · due {}", crate::components::format_day(d))
    });
    let shared = if item.shared { " · they see it" } else { "" };
    format!("for {}{due}{shared}", owner_words(item.owner))
}

fn meeting_view(v: MeetingView) -> impl IntoView {
    let MeetingView {
        briefing,
        talking_points,
        notes,
        notes_updated_at,
        items,
    } = v;
    let meeting_id = briefing.meeting.id.clone();
    let person = briefing.meeting.person_name.clone();
    set_title(&format!("Meeting with {person}"));
    let answers = answers_list(&briefing);
    let sent = sent_line(&briefing);
    let points = talking_points
        .into_iter()
        .map(|p| view! { <li>{p}</li> })
        .collect_view();
    let earlier = RwSignal::new(briefing.follow_ups);
    let mine = RwSignal::new(items);
    view! {
        <p><a href=format!("/meetings/{meeting_id}") rel="external">"← Briefing"</a>
            " · "<a href=format!("/insights/meetings/{meeting_id}/history")>"Every meeting with them"</a></p>
        <h1>{format!("Meeting with {person}")}</h1>
        <p class="meta">{format!(
            "{} · {} · {}",
            briefing.meeting.person_title,
            format_time(briefing.meeting.meeting_at),
            briefing.round_name
        )}</p>
        <div class="meeting">
            <div>
                <section aria-labelledby="follow-ups">
                    <h2 id="follow-ups">"Open follow-ups from earlier meetings"</h2>
                    <ItemList items=earlier empty="Nothing open from earlier meetings with them." />
                </section>
                <section aria-labelledby="checkin">
                    <h2 id="checkin">"Their check-in"</h2>
                    <p class="muted">{sent}</p>
                    <dl>{answers}</dl>
                </section>
                <section aria-labelledby="points">
                    <h2 id="points">"Talking points"</h2>
                    <ul>{points}</ul>
                </section>
            </div>
            <div>
                <NotesBox meeting_id=meeting_id.clone() initial=notes saved_at=notes_updated_at />
                <section aria-labelledby="items">
                    <h2 id="items">"Action items from this meeting"</h2>
                    <ItemList items=mine empty="None yet. Add what you or they will do before you meet again." />
                    <NewItemForm meeting_id items=mine />
                </section>
            </div>
        </div>
    }
}

/// The confidential answers of a check-in, question by question.
fn answers_list(briefing: &shared::api::Briefing) -> impl IntoView + use<> {
    briefing
        .template
        .questions()
        .filter(|q| q.visibility == shared::Visibility::Confidential)
        .map(|q| {
            let answer = match briefing.answers.get(&q.id) {
                None => "No answer".to_owned(),
                Some(Answer::Text(t)) => t.clone(),
                Some(a) => a.label(),
            };
            view! { <dt>{q.prompt.clone()}</dt><dd class="answer">{answer}</dd> }
        })
        .collect_view()
}

fn sent_line(briefing: &shared::api::Briefing) -> String {
    briefing.submitted_at.map_or_else(
        || "Their check-in is not sent yet.".to_owned(),
        |at| format!("Check-in sent {}.", format_time(at)),
    )
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let id = param_id();
    let history = LocalResource::new(move || {
        let id = id();
        async move { api::history(&id).await }
    });
    view! { {loaded(history, move |h| history_view(h, id()))} }
}

fn history_view(h: PersonHistory, meeting_id: String) -> impl IntoView {
    set_title(&format!("History with {}", h.person_name));
    let meetings = h
        .meetings
        .into_iter()
        .map(|m| {
            let b = &m.briefing;
            let heading = format!("{} · {}", format_time(b.meeting.meeting_at), b.round_name);
            let notes = if m.notes.trim().is_empty() {
                "No notes.".to_owned()
            } else {
                m.notes.clone()
            };
            let items = RwSignal::new(m.items.clone());
            view! {
                <section class="past">
                    <h2>{heading}</h2>
                    <p><a href=format!("/insights/meetings/{}", b.meeting.id)>"Open this meeting"</a></p>
                    <h3>"Check-in"</h3>
                    <p class="muted">{sent_line(b)}</p>
                    <dl>{answers_list(b)}</dl>
                    <h3>"Your notes"</h3>
                    <p class="answer">{notes}</p>
                    <h3>"Action items"</h3>
                    <ItemList items empty="None." />
                </section>
            }
        })
        .collect_view();
    view! {
        <p><a href=format!("/insights/meetings/{meeting_id}")>"← Meeting view"</a></p>
        <h1>{format!("History with {}", h.person_name)}</h1>
        <p class="meta">{h.person_title}</p>
        <p class="downloads">
            "Download for your records: "
            <a href=format!("/api/meetings/{meeting_id}/history.md") download="">"all meetings (Markdown)"</a>
            " · "
            <a href=format!("/api/meetings/{meeting_id}/export.md") download="">"this meeting (Markdown)"</a>
        </p>
        {meetings}
    }
}

/// The private notes, saved a moment after typing stops and when the field
/// is left.
#[component]
fn NotesBox(meeting_id: String, initial: String, saved_at: Option<i64>) -> impl IntoView {
    let text = RwSignal::new(initial.clone());
    let saved_text = StoredValue::new(initial);
    let status =
        RwSignal::new(saved_at.map_or_else(String::new, |at| format!("Saved {}", format_time(at))));
    let generation = StoredValue::new(0_u32);
    let meeting_id = StoredValue::new(meeting_id);
    let save = move || {
        let body = text.get_untracked();
        if body == saved_text.get_value() {
            return;
        }
        status.set("Saving…".to_owned());
        spawn_local(async move {
            let id = meeting_id.get_value();
            match api::save_notes(&id, &Notes { body: body.clone() }).await {
                Ok(saved) => {
                    saved_text.set_value(body);
                    status.set(format!("Saved {}", format_time(saved.updated_at)));
                }
                Err(e) => status.set(format!(
                    "Not saved: {} Your text is still here.",
                    e.message()
                )),
            }
        });
    };
    let on_input = move |ev| {
        text.set(event_target_value(&ev));
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    save();
                }
            },
            std::time::Duration::from_millis(800),
        );
    };
    view! {
        <section>
            <h2><label for="notes">"Your private notes"</label></h2>
            <p class="hint" id="notes-hint">"Only you ever read these, never an admin or anyone else. They save as you type."</p>
            <textarea id="notes" rows="10" aria-describedby="notes-hint notes-status"
                prop:value=move || text.get() on:input=on_input on:blur=move |_| save()></textarea>
            <p class="muted" id="notes-status" role="status">{move || status.get()}</p>
        </section>
    }
}

/// A list of items, each with what closes or reopens it.
#[component]
fn ItemList(items: RwSignal<Vec<ActionItem>>, empty: &'static str) -> impl IntoView {
    move || {
        let list = items.get();
        if list.is_empty() {
            return view! { <p class="muted">{empty}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|item| view! { <ItemRow item items /> })
            .collect_view();
        view! { <ul class="items">{rows}</ul> }.into_any()
    }
}

#[component]
fn ItemRow(item: ActionItem, items: RwSignal<Vec<ActionItem>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(String::new());
    let id = item.id.clone();
    let change = move |status: ItemStatus| {
        let id = id.clone();
        let update = ItemUpdate {
            status: Some(status),
            outcome: (status != ItemStatus::Open).then(|| outcome.get_untracked()),
            ..ItemUpdate::default()
        };
        spawn_local(async move {
            match api::update_item(&id, &update).await {
                Ok(new) => {
                    error.set(None);
                    items.update(|list| {
                        if let Some(slot) = list.iter_mut().find(|i| i.id == new.id) {
                            *slot = new;
                        }
                    });
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let (done, drop_it, reopen) = (change.clone(), change.clone(), change);
    let open = item.status == ItemStatus::Open;
    let state = match item.status {
        ItemStatus::Open => String::new(),
        ItemStatus::Done => "Done".to_owned(),
        ItemStatus::Dropped => "Dropped".to_owned(),
    };
    let outcome_id = format!("outcome-{}", item.id);
    let closed = item.closed_at.map(|at| {
        let what = if item.outcome.is_empty() {
            String::new()
        } else {
            format!(": {}", item.outcome)
        };
        format!("{state} {}{what}", format_time(at))
    });
    let from = format!("from the meeting of {}", format_time(item.meeting_at));
    view! {
        <li class="item" class:closed=!open>
            <p class="item-title">{item.title.clone()}</p>
            <p class="muted">{format!("{} · {from}", item_meta(&item))}</p>
            {closed.map(|c| view! { <p class="muted">{c}</p> })}
            {if open {
                view! {
                    <div class="item-actions">
                        <label for=outcome_id.clone() class="visually-hidden">{format!("What was done: {}", item.title)}</label>
                        <input id=outcome_id type="text" placeholder="What was done (optional)" bind:value=outcome />
                        <button type="button" aria-label=format!("Done: {}", item.title) on:click=move |_| done(ItemStatus::Done)>"Done"</button>
                        <button type="button" class="secondary" aria-label=format!("Drop: {}", item.title) on:click=move |_| drop_it(ItemStatus::Dropped)>"Drop"</button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="secondary" aria-label=format!("Reopen: {}", item.title) on:click=move |_| reopen(ItemStatus::Open)>"Reopen"</button>
                }
                .into_any()
            }}
            <p class="field-error" role="alert">{move || error.get()}</p>
        </li>
    }
}

#[component]
fn NewItemForm(meeting_id: String, items: RwSignal<Vec<ActionItem>>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new("leader".to_owned());
    let due = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let errors = RwSignal::new(FormErrors::default());
    let busy = RwSignal::new(false);
    let meeting_id = StoredValue::new(meeting_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let item = NewItem {
            title: title.get_untracked(),
            owner: ItemOwner::parse(&owner.get_untracked()).unwrap_or(ItemOwner::Leader),
            due_on: Some(due.get_untracked()).filter(|d| !d.is_empty()),
            shared: shared.get_untracked(),
        };
        let problems = shared::meeting::check_new_item(&item);
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::add_item(&meeting_id.get_value(), &item).await {
                Ok(new) => {
                    items.update(|list| list.push(new));
                    title.set(String::new());
                    due.set(String::new());
                    shared.set(false);
                    errors.set(FormErrors::default());
                    focus_id("f-title");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="new-item" on:submit=submit novalidate>
            <h3>"Add an action item"</h3>
            <ErrorSummary errors />
            <TextField name="title" label="What is to be done" value=title errors />
            <div class="field">
                <label for="f-owner">"Who does it"</label>
                <select id="f-owner" on:change=move |ev| owner.set(event_target_value(&ev))
                    prop:value=move || owner.get()>
                    <option value="leader">"You"</option>
                    <option value="employee">"They do"</option>
                    <option value="manager">"Their manager"</option>
                </select>
            </div>
            <TextField name="due_on" label="Due (optional)" kind="date" value=due errors />
            <CheckField name="shared" label="Show it to them on their next check-in" checked=shared errors />
            <button type="submit" disabled=move || busy.get()>"Add the item"</button>
        </form>
    }
}
