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
use crate::i18n::{t, template_text, tf};
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

/// One line about an item: who, when due, shared or not.
pub fn item_meta(item: &ActionItem) -> String {
    let who = match item.owner {
        ItemOwner::Leader => t("meeting.for_you"),
        ItemOwner::Employee => t("meeting.for_them"),
        ItemOwner::Manager => t("meeting.for_manager"),
    };
    let due = item.due_on.as_ref().map_or_else(String::new, |d| {
        let date = crate::components::format_day(d);
        format!(" · {}", tf("meeting.due", &[("date", &date)]))
    });
    let shared = if item.shared {
        format!(" · {}", t("meeting.they_see_it"))
    } else {
        String::new()
    };
    format!("{who}{due}{shared}")
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
    set_title(&tf("meeting.title", &[("name", &person)]));
    let answers = answers_list(&briefing);
    let sent = sent_line(&briefing);
    let points = talking_points
        .into_iter()
        .map(|p| view! { <li>{template_text(&p)}</li> })
        .collect_view();
    let earlier = RwSignal::new(briefing.follow_ups);
    let mine = RwSignal::new(items);
    view! {
        <p><a href=format!("/meetings/{meeting_id}") rel="external">{t("meeting.back_to_briefing")}</a>
            " · "<a href=format!("/insights/meetings/{meeting_id}/history")>{t("meeting.every_meeting")}</a></p>
        <h1>{tf("meeting.title", &[("name", &person)])}</h1>
        <p class="meta">{format!(
            "{} · {} · {}",
            briefing.meeting.person_title,
            format_time(briefing.meeting.meeting_at),
            briefing.round_name
        )}</p>
        <div class="meeting">
            <div>
                <section aria-labelledby="follow-ups">
                    <h2 id="follow-ups">{t("meeting.open_follow_ups")}</h2>
                    <ItemList items=earlier empty=t("meeting.nothing_open") />
                </section>
                <section aria-labelledby="checkin">
                    <h2 id="checkin">{t("meeting.their_checkin")}</h2>
                    <p class="muted">{sent}</p>
                    <dl>{answers}</dl>
                </section>
                <section aria-labelledby="points">
                    <h2 id="points">{t("meeting.talking_points")}</h2>
                    <ul>{points}</ul>
                </section>
            </div>
            <div>
                <NotesBox meeting_id=meeting_id.clone() initial=notes saved_at=notes_updated_at />
                <section aria-labelledby="items">
                    <h2 id="items">{t("meeting.items_here")}</h2>
                    <ItemList items=mine empty=t("meeting.none_yet") />
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
                None => t("meeting.no_answer"),
                Some(Answer::Text(text)) => text.clone(),
                Some(Answer::YesNo(true)) => t("meeting.yes"),
                Some(Answer::YesNo(false)) => t("meeting.no"),
                Some(a) => a.label(),
            };
            view! { <dt>{template_text(&q.prompt)}</dt><dd class="answer">{answer}</dd> }
        })
        .collect_view()
}

fn sent_line(briefing: &shared::api::Briefing) -> String {
    briefing.submitted_at.map_or_else(
        || t("meeting.not_sent"),
        |at| tf("meeting.sent", &[("at", &format_time(at))]),
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
    set_title(&tf("meeting.history_title", &[("name", &h.person_name)]));
    let meetings = h
        .meetings
        .into_iter()
        .map(|m| {
            let b = &m.briefing;
            let heading = format!("{} · {}", format_time(b.meeting.meeting_at), b.round_name);
            let notes = if m.notes.trim().is_empty() {
                t("meeting.no_notes")
            } else {
                m.notes.clone()
            };
            let items = RwSignal::new(m.items.clone());
            view! {
                <section class="past">
                    <h2>{heading}</h2>
                    <p><a href=format!("/insights/meetings/{}", b.meeting.id)>{t("meeting.open_this")}</a></p>
                    <h3>{t("meeting.checkin")}</h3>
                    <p class="muted">{sent_line(b)}</p>
                    <dl>{answers_list(b)}</dl>
                    <h3>{t("meeting.your_notes")}</h3>
                    <p class="answer">{notes}</p>
                    <h3>{t("meeting.action_items")}</h3>
                    <ItemList items empty=t("meeting.none") />
                </section>
            }
        })
        .collect_view();
    view! {
        <p><a href=format!("/insights/meetings/{meeting_id}")>{t("meeting.back_to_meeting")}</a></p>
        <h1>{tf("meeting.history_title", &[("name", &h.person_name)])}</h1>
        <p class="meta">{h.person_title}</p>
        <p class="downloads">
            {t("meeting.download")}
            <a href=format!("/api/meetings/{meeting_id}/history.md") download="">{t("meeting.all_meetings_md")}</a>
            " · "
            <a href=format!("/api/meetings/{meeting_id}/export.md") download="">{t("meeting.this_meeting_md")}</a>
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
    let status = RwSignal::new(saved_at.map_or_else(String::new, |at| {
        tf("meeting.saved", &[("at", &format_time(at))])
    }));
    let generation = StoredValue::new(0_u32);
    let meeting_id = StoredValue::new(meeting_id);
    let save = move || {
        let body = text.get_untracked();
        if body == saved_text.get_value() {
            return;
        }
        status.set(t("meeting.saving"));
        spawn_local(async move {
            let id = meeting_id.get_value();
            match api::save_notes(&id, &Notes { body: body.clone() }).await {
                Ok(saved) => {
                    saved_text.set_value(body);
                    let at = format_time(saved.updated_at);
                    status.set(tf("meeting.saved", &[("at", &at)]));
                }
                Err(e) => status.set(tf("meeting.not_saved", &[("why", &e.message())])),
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
            <h2><label for="notes">{t("meeting.private_notes")}</label></h2>
            <p class="hint" id="notes-hint">{t("meeting.notes_hint")}</p>
            <textarea id="notes" rows="10" aria-describedby="notes-hint notes-status"
                prop:value=move || text.get() on:input=on_input on:blur=move |_| save()></textarea>
            <p class="muted" id="notes-status" role="status">{move || status.get()}</p>
        </section>
    }
}

/// A list of items, each with what closes or reopens it.
#[component]
fn ItemList(items: RwSignal<Vec<ActionItem>>, empty: String) -> impl IntoView {
    move || {
        let list = items.get();
        if list.is_empty() {
            return view! { <p class="muted">{empty.clone()}</p> }.into_any();
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
    let outcome_id = format!("outcome-{}", item.id);
    let closed = item.closed_at.map(|at| {
        let at = format_time(at);
        let state = match item.status {
            ItemStatus::Dropped => tf("meeting.dropped_at", &[("at", &at)]),
            _ => tf("meeting.done_at", &[("at", &at)]),
        };
        if item.outcome.is_empty() {
            state
        } else {
            format!("{state}: {}", item.outcome)
        }
    });
    let from = tf("meeting.from", &[("at", &format_time(item.meeting_at))]);
    view! {
        <li class="item" class:closed=!open>
            <p class="item-title">{item.title.clone()}</p>
            <p class="muted">{format!("{} · {from}", item_meta(&item))}</p>
            {closed.map(|c| view! { <p class="muted">{c}</p> })}
            {if open {
                view! {
                    <div class="item-actions">
                        <label for=outcome_id.clone() class="visually-hidden">{tf("meeting.what_was_done", &[("title", &item.title)])}</label>
                        <input id=outcome_id type="text" placeholder=t("meeting.what_was_done_placeholder") bind:value=outcome />
                        <button type="button" aria-label=tf("meeting.done_label", &[("title", &item.title)]) on:click=move |_| done(ItemStatus::Done)>{t("meeting.done")}</button>
                        <button type="button" class="secondary" aria-label=tf("meeting.drop_label", &[("title", &item.title)]) on:click=move |_| drop_it(ItemStatus::Dropped)>{t("meeting.drop")}</button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="secondary" aria-label=tf("meeting.reopen_label", &[("title", &item.title)]) on:click=move |_| reopen(ItemStatus::Open)>{t("meeting.reopen")}</button>
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
            <h3>{t("meeting.add_item_heading")}</h3>
            <ErrorSummary errors />
            <TextField name="title" label=t("meeting.item_title") value=title errors />
            <div class="field">
                <label for="f-owner">{t("meeting.who_does_it")}</label>
                <select id="f-owner" on:change=move |ev| owner.set(event_target_value(&ev))
                    prop:value=move || owner.get()>
                    <option value="leader">{t("meeting.owner_you")}</option>
                    <option value="employee">{t("meeting.owner_them")}</option>
                    <option value="manager">{t("meeting.owner_manager")}</option>
                </select>
            </div>
            <TextField name="due_on" label=t("meeting.due_label") kind="date" value=due errors />
            <CheckField name="shared" label=t("meeting.shared_label") checked=shared errors />
            <button type="submit" disabled=move || busy.get()>{t("meeting.add_item")}</button>
        </form>
    }
}
