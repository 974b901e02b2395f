//! After a round: the broad themes the leader shares with the round's
//! managers. Written here, never quoting anyone; each chosen manager reads
//! them on their page for the round (and by email where SMTP is set).
//! Part of the insights bundle.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::meeting::{SendThemes, Themes, ThemesDraft};

use crate::api;
use crate::components::format_time;
use crate::forms::{ErrorSummary, FormErrors, field_id};
use crate::i18n::{t, tf};
use crate::leader::param_id;
use crate::shell::{loaded, set_title};

#[component]
pub fn ThemesPage() -> impl IntoView {
    let id = param_id();
    let draft = LocalResource::new(move || {
        let id = id();
        async move { api::themes(&id).await }
    });
    view! { {loaded(draft, move |d| themes_view(d, id()))} }
}

fn themes_view(d: ThemesDraft, round_id: String) -> impl IntoView {
    set_title(&t("themes.title"));
    let start = if d.themes.is_empty() {
        vec![String::new()]
    } else {
        d.themes.clone()
    };
    let themes: RwSignal<Vec<RwSignal<String>>> =
        RwSignal::new(start.into_iter().map(RwSignal::new).collect());
    let errors = RwSignal::new(FormErrors::default());
    let saved_note = RwSignal::new(None::<String>);
    let email_enabled = d.email_enabled;
    let managers = RwSignal::new(d.managers);
    let chosen = RwSignal::new(Vec::<String>::new());
    let sent_note = RwSignal::new(None::<String>);
    let round = StoredValue::new(round_id.clone());

    let save = move || {
        let body = Themes {
            themes: themes
                .get_untracked()
                .iter()
                .map(|t| t.get_untracked())
                .collect(),
        };
        let problems = shared::meeting::check_themes(&body);
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        spawn_local(async move {
            match api::save_themes(&round.get_value(), &body).await {
                Ok(d) => {
                    errors.set(FormErrors::default());
                    managers.set(d.managers);
                    saved_note.set(Some(t("themes.saved")));
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save();
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = SendThemes {
            manager_ids: chosen.get_untracked(),
        };
        if body.manager_ids.is_empty() {
            sent_note.set(Some(t("themes.choose_manager")));
            return;
        }
        spawn_local(async move {
            let note = match api::send_themes(&round.get_value(), &body).await {
                Ok(outcomes) => {
                    let mails = outcomes
                        .iter()
                        .map(|o| o.outcome.clone())
                        .collect::<Vec<_>>()
                        .join("; ");
                    let refreshed = api::themes(&round.get_value()).await;
                    if let Ok(d) = refreshed {
                        managers.set(d.managers);
                    }
                    if mails.is_empty() {
                        t("themes.sent")
                    } else {
                        tf("themes.sent_email", &[("mails", &mails)])
                    }
                }
                Err(e) => tf("themes.not_sent", &[("why", &e.message())]),
            };
            sent_note.set(Some(note));
        });
    };

    let fields = move || {
        themes
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let name = format!("themes.{i}");
                let id = field_id(&name);
                let error = {
                    let name = name.clone();
                    move || errors.with(|e| e.of(&name))
                };
                let remove = move |_| {
                    themes.update(|list| {
                        if list.len() > 1 {
                            list.remove(i);
                        } else if let Some(only) = list.first() {
                            only.set(String::new());
                        }
                    });
                };
                view! {
                    <div class="field theme">
                        <label for=id.clone()>{tf("themes.theme", &[("n", &(i + 1).to_string())])}</label>
                        <p class="field-error" id=format!("{id}-err")>{error}</p>
                        <textarea id=id.clone() rows="3" aria-describedby=format!("themes-hint {id}-err")
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        <button type="button" class="secondary small" aria-label=tf("themes.remove_label", &[("n", &(i + 1).to_string())])
                            on:click=remove>{t("themes.remove")}</button>
                    </div>
                }
            })
            .collect_view()
    };
    let boxes = move || {
        managers
            .get()
            .into_iter()
            .map(|m| {
                let id = format!("m-{}", m.manager_id);
                let mid = m.manager_id.clone();
                let when = m.sent_at.map_or_else(
                    || t("themes.not_sent_yet"),
                    |at| tf("themes.sent_at", &[("at", &format_time(at))]),
                );
                view! {
                    <div class="check">
                        <input type="checkbox" id=id.clone() on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|x| *x != mid);
                                if on {
                                    c.push(mid.clone());
                                }
                            });
                        } />
                        <label for=id>{format!("{} ({when})", m.name)}</label>
                    </div>
                }
            })
            .collect_view()
    };
    let no_managers = managers.with_untracked(Vec::is_empty);
    view! {
        <p><a href=format!("/insights/rounds/{round_id}")>{t("themes.back_to_report")}</a></p>
        <h1>{t("themes.title")}</h1>
        <p id="themes-hint">{t("themes.hint")}</p>
        <form class="stack" on:submit=on_save novalidate>
            <ErrorSummary errors />
            {fields}
            <div class="button-row">
                <button type="button" class="secondary" on:click=move |_| themes.update(|l| l.push(RwSignal::new(String::new())))>{t("themes.add")}</button>
                <button type="submit">{t("themes.save")}</button>
            </div>
            <p role="status" class="muted">{move || saved_note.get()}</p>
        </form>
        <h2>{t("themes.send_heading")}</h2>
        {if no_managers {
            view! { <p>{t("themes.no_managers")}</p> }.into_any()
        } else {
            view! {
                <form class="stack" on:submit=send novalidate>
                    <fieldset>
                        <legend>{t("themes.legend")}</legend>
                        {boxes}
                    </fieldset>
                    <p class="hint">{if email_enabled {
                        t("themes.each_finds_email")
                    } else {
                        t("themes.each_finds")
                    }}</p>
                    <button type="submit">{t("themes.send")}</button>
                    <p role="status">{move || sent_note.get()}</p>
                </form>
            }
            .into_any()
        }}
    }
}
