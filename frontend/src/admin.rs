//! The admin's bundle: the one-time setup of an empty server, accounts
//! (invite leaders and admins, hand out one-time links, change roles) and
//! people (CSV import with a preview, people one at a time). Admins never see
//! answers, so nothing here shows any.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Routes};
use leptos_router::path;
use shared::admin::{
    AccountSummary, ImportChange, ImportReport, InviteAccount, MailRecord, OneTimeLink,
    PersonEntry, PersonInput, SaveSettings, SaveSmtp, Settings, SetupRequest, SetupStatus,
    SmtpSource, TestEmail, UpdateAccount,
};
use shared::{Email, FieldError};
use wasm_bindgen::JsCast;

use crate::account::{AccountPage, SetPasswordPage, check_new_password, label};
use crate::api::{self, ApiError};
use crate::components::{Failure, IncompleteLink, format_number, format_time};
use crate::forms::{CheckField, ErrorSummary, FormErrors, LinkToHand, TextField, focus_id};
use crate::i18n::{server_text, t, tf, tn};
use crate::shell::{Bundle, Session, Shell, expect_session, go_to, loaded, set_title};

fn account_label(field: &str) -> Option<String> {
    Some(match field {
        "name" => t("admin.name"),
        "email" => t("admin.email"),
        "is_leader" | "is_admin" => t("admin.roles"),
        _ => return None,
    })
}

fn person_label(field: &str) -> Option<String> {
    Some(match field {
        "name" => t("admin.name"),
        "email" => t("admin.email"),
        "title" => t("admin.title"),
        "team" => t("admin.team"),
        "manager_email" => t("admin.manager_email"),
        "active" => t("admin.still_here"),
        _ => return None,
    })
}

/// The admin's bundle: setup on an empty server, people and accounts; and
/// for every account, the page a one-time password link opens and one's own
/// account page.
#[component]
pub fn AdminApp() -> impl IntoView {
    if window().location().pathname().as_deref() == Ok("/admin/set-password") {
        let fragment = window().location().hash().unwrap_or_default();
        let token = fragment
            .strip_prefix("#t=")
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        provide_context(RwSignal::new(Session::LoggedOut));
        // Once the password is set, SetPasswordPage opens the start page.
        let page = match token {
            Some(token) => view! { <SetPasswordPage token /> }.into_any(),
            None => view! { <IncompleteLink /> }.into_any(),
        };
        return view! { <main id="main">{page}</main> }.into_any();
    }
    view! {
        <Shell bundle=Bundle::Admin setup=show_setup>
            <Routes fallback=|| view! { <h1>{t("admin.not_found")}</h1><p><a href="/admin/people">{t("admin.back_to_people")}</a></p> }>
                <Route path=path!("/admin") view=|| view! { <AdminOnly><PeoplePage /></AdminOnly> } />
                <Route path=path!("/admin/people") view=|| view! { <AdminOnly><PeoplePage /></AdminOnly> } />
                <Route path=path!("/admin/accounts") view=|| view! { <AdminOnly><AccountsPage /></AdminOnly> } />
                <Route path=path!("/admin/settings") view=|| view! { <AdminOnly><SettingsPage /></AdminOnly> } />
                <Route path=path!("/admin/account") view=AccountPage />
                <Route path=path!("/admin/setup") view=|| view! {
                    <h1>{t("admin.setup_done")}</h1>
                    <p>
                        {t("admin.next_1")} <a href="/admin/people">{t("admin.next_people")}</a>
                        {t("admin.next_2")} <a href="/admin/accounts">{t("admin.next_leaders")}</a>
                        {t("admin.next_3")}
                    </p>
                } />
            </Routes>
        </Shell>
    }
    .into_any()
}

/// Shows `children` to admins only; everyone else is told so.
#[component]
fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let session = expect_session();
    move || match session.get() {
        Session::LoggedIn(me) if me.is_admin => children().into_any(),
        _ => view! {
            <h1>{t("admin.only_admins")}</h1>
            <p>{t("admin.only_admins_note")}</p>
            <p><a href="/" rel="external">{t("admin.back_to_rounds")}</a></p>
        }
        .into_any(),
    }
}

fn show_setup(status: SetupStatus) -> AnyView {
    view! { <SetupPage status /> }.into_any()
}

fn setup_label(field: &str) -> Option<String> {
    match field {
        "name" => Some(t("admin.your_name")),
        other => label(other),
    }
}

/// The one-time setup of an empty server.
#[component]
fn SetupPage(
    /// What the server said about setup.
    status: SetupStatus,
) -> impl IntoView {
    set_title(&t("admin.setup_title"));
    let organisation = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let leads = RwSignal::new(true);
    let errors = RwSignal::new(FormErrors::default());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if let Err(message) = Email::parse(&email.get_untracked()) {
            problems.push(FieldError {
                field: "email".to_owned(),
                message,
            });
        }
        problems.extend(check_new_password(
            "password",
            &password.get_untracked(),
            &again.get_untracked(),
        ));
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        let body = SetupRequest {
            organisation: organisation.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            is_leader: leads.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::setup(&body).await {
                Ok(_) => {
                    // The next step of a first day: bring in the people.
                    go_to("/admin/people");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
            busy.set(false);
        });
    };
    if !status.allowed {
        return view! {
            <h1>{t("admin.setup_title")}</h1>
            <div class="notice error" role="alert">
                <p>{t("admin.setup_off")}</p>
            </div>
            <p>{t("admin.setup_off_do")}</p>
            <ul>
                <li>{t("admin.setup_off_https")} <code>"--public-url https://…"</code>{t("admin.setup_off_https_end")}</li>
                <li>{t("admin.setup_off_cli")} <code>"skipcheck admin create --organisation \"Name\" --email you@example.com --name \"Your Name\""</code>{t("admin.setup_off_cli_end")}</li>
                <li>{t("admin.setup_off_insecure")} <code>"--allow-insecure-setup"</code>{t("admin.setup_off_insecure_end")}</li>
            </ul>
        }
        .into_any();
    }
    view! {
        <h1>{t("admin.setup_title")}</h1>
        <p>{t("admin.setup_intro")}</p>
        <ErrorSummary errors label=setup_label />
        <form class="stack" on:submit=submit novalidate>
            <TextField name="organisation" label=t("admin.organisation") hint=t("admin.organisation_hint") autocomplete="organization" value=organisation errors />
            <TextField name="name" label=t("admin.your_name") autocomplete="name" value=name errors />
            <TextField name="email" label=t("admin.email") hint=t("admin.email_hint_self") kind="email" autocomplete="username" value=email errors />
            <TextField name="password" label=t("admin.password") hint=t("admin.password_hint") kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label=t("admin.password_again") kind="password" autocomplete="new-password" value=again errors />
            <CheckField name="is_leader" label=t("admin.lead_too") hint=t("admin.lead_too_hint") checked=leads errors />
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t("admin.setting_up") } else { t("admin.setup_title") }}
            </button>
        </form>
    }
    .into_any()
}

/// What a button on an account's row does.
enum Action {
    NewLink(String),
    Roles(String, UpdateAccount),
}

/// The organisation's accounts.
#[component]
pub fn AccountsPage() -> impl IntoView {
    set_title(&t("admin.accounts"));
    let version = RwSignal::new(0u32);
    let accounts = LocalResource::new(move || {
        version.track();
        api::accounts()
    });
    let handover = RwSignal::new(None::<OneTimeLink>);
    let failure = RwSignal::new(None::<ApiError>);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let leader = RwSignal::new(true);
    let admin = RwSignal::new(false);
    let errors = RwSignal::new(FormErrors::default());
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = InviteAccount {
            name: name.get_untracked(),
            email: email.get_untracked(),
            is_admin: admin.get_untracked(),
            is_leader: leader.get_untracked(),
        };
        spawn_local(async move {
            match api::invite(&body).await {
                Ok(link) => {
                    errors.set(FormErrors::default());
                    name.set(String::new());
                    email.set(String::new());
                    handover.set(Some(link));
                    version.update(|v| *v += 1);
                    focus_id("handover-link");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let act = move |action: Action| {
        spawn_local(async move {
            let result = match action {
                Action::NewLink(id) => api::new_link(&id).await.map(Some),
                Action::Roles(id, roles) => api::update_account(&id, &roles).await.map(|_| None),
            };
            match result {
                Ok(link) => {
                    failure.set(None);
                    if link.is_some() {
                        handover.set(link);
                        focus_id("handover-link");
                    }
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let row = move |a: AccountSummary| {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let status = if let Some(at) = a.reset_requested_at {
            tf("admin.reset_asked", &[("at", &format_time(at))])
        } else if !a.has_password {
            match a.link_expires_at {
                Some(until) if until > now => {
                    tf("admin.invited_until", &[("at", &format_time(until))])
                }
                _ => t("admin.invited_expired"),
            }
        } else {
            t("admin.active")
        };
        let roles = match (a.is_admin, a.is_leader) {
            (true, true) => t("admin.role_admin_leader"),
            (true, false) => t("admin.role_admin"),
            _ => t("admin.role_leader"),
        };
        let (id1, id2, id3) = (a.id.clone(), a.id.clone(), a.id.clone());
        let (is_leader, is_admin) = (a.is_leader, a.is_admin);
        let who = a.name.clone();
        view! {
            <tr>
                <td>{a.name}<br /><span class="muted">{a.email}</span></td>
                <td>{roles}</td>
                <td>{status}</td>
                <td class="actions-cell">
                    <button type="button" class="small" aria-label=tf("admin.new_link_for", &[("who", &who)])
                        on:click=move |_| act(Action::NewLink(id1.clone()))>
                        {t("admin.new_link")}
                    </button>
                    <button type="button" class="small secondary"
                        aria-label=if is_leader { tf("admin.remove_leader_for", &[("who", &who)]) } else { tf("admin.make_leader_for", &[("who", &who)]) }
                        on:click=move |_| act(Action::Roles(id2.clone(), UpdateAccount { is_admin: None, is_leader: Some(!is_leader) }))>
                        {if is_leader { t("admin.remove_leader") } else { t("admin.make_leader") }}
                    </button>
                    <button type="button" class="small secondary"
                        aria-label=if is_admin { tf("admin.remove_admin_for", &[("who", &who)]) } else { tf("admin.make_admin_for", &[("who", &who)]) }
                        on:click=move |_| act(Action::Roles(id3.clone(), UpdateAccount { is_admin: Some(!is_admin), is_leader: None }))>
                        {if is_admin { t("admin.remove_admin") } else { t("admin.make_admin") }}
                    </button>
                </td>
            </tr>
        }
    };
    view! {
        <h1>{t("admin.accounts")}</h1>
        <p class="muted">{t("admin.accounts_intro")}</p>
        {move || handover.get().map(|l| view! { <LinkToHand who=l.account.name url=l.url expires_at=l.expires_at /> })}
        <h2>{t("admin.invite_title")}</h2>
        <ErrorSummary errors label=account_label />
        <form class="stack" on:submit=invite novalidate>
            <TextField name="name" label=t("admin.name") autocomplete="off" value=name errors />
            <TextField name="email" label=t("admin.email") hint=t("admin.email_hint_invite") kind="email" value=email errors />
            <fieldset>
                <legend>{t("admin.roles")}</legend>
                <CheckField name="is_leader" label=t("admin.role_leader") hint=t("admin.role_leader_hint") checked=leader errors />
                <CheckField name="is_admin" label=t("admin.role_admin") hint=t("admin.role_admin_hint") checked=admin errors />
            </fieldset>
            <button type="submit">{t("admin.invite")}</button>
        </form>
        <h2>{t("admin.everyone_with_account")}</h2>
        {move || failure.get().map(|error| view! { <Failure error /> })}
        {loaded(accounts, move |list: Vec<AccountSummary>| {
            let rows = list.into_iter().map(row).collect_view();
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.roles")}</th>
                            <th scope="col">{t("admin.status")}</th><th scope="col">{t("admin.actions")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })}
    }
}

/// Most people listed at once; a filter narrows the rest.
const SHOWN: usize = 200;

/// The directory: import, add, edit.
#[component]
pub fn PeoplePage() -> impl IntoView {
    set_title(&t("admin.people"));
    let version = RwSignal::new(0u32);
    let people = LocalResource::new(move || {
        version.track();
        api::people()
    });
    let editing = RwSignal::new(None::<PersonEntry>);
    let notice = RwSignal::new(None::<String>);
    view! {
        <h1>{t("admin.people")}</h1>
        <p class="muted">{t("admin.people_intro")}</p>
        <Import on_done=Callback::new(move |()| version.update(|v| *v += 1)) />
        {move || notice.get().map(|m| view! { <p class="notice ok" role="status">{m}</p> })}
        {move || {
            let person = editing.get();
            let on_done = Callback::new(move |saved: Option<String>| {
                notice.set(saved.map(|name| tf("admin.saved_person", &[("name", &name)])));
                if editing.get_untracked().is_some() {
                    editing.set(None);
                }
                version.update(|v| *v += 1);
            });
            view! { <PersonForm person on_done /> }
        }}
        <h2 id="directory">{t("admin.everyone")}</h2>
        {loaded(people, move |list: Vec<PersonEntry>| view! { <PeopleTable list editing /> })}
    }
}

#[component]
fn PeopleTable(list: Vec<PersonEntry>, editing: RwSignal<Option<PersonEntry>>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="notice">{t("admin.directory_empty")}</p> }.into_any();
    }
    let filter = RwSignal::new(String::new());
    let active = list.iter().filter(|p| p.active).count();
    let total = list.len();
    let list = StoredValue::new(list);
    let rows = move || {
        let needle = filter.get().to_lowercase();
        list.with_value(|list| {
            let matching: Vec<&PersonEntry> = list
                .iter()
                .filter(|p| {
                    needle.is_empty()
                        || [&p.name, &p.email, &p.team, &p.title]
                            .iter()
                            .any(|f| f.to_lowercase().contains(&needle))
                })
                .collect();
            let shown = matching.len().min(SHOWN);
            let note = (matching.len() > SHOWN).then(|| {
                let total = format_number(matching.len());
                tf("admin.showing", &[("shown", &format_number(SHOWN)), ("total", &total)])
            });
            let rows = matching
                .into_iter()
                .take(shown)
                .map(|p| {
                    let edit = p.clone();
                    let status = if p.active { t("admin.active") } else { t("admin.inactive") };
                    view! {
                        <tr class:inactive=!p.active>
                            <td>{p.name.clone()}<br /><span class="muted">{p.email.clone()}</span></td>
                            <td>{p.title.clone()}</td>
                            <td>{p.team.clone()}</td>
                            <td>{p.manager_name.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="num">{p.level}</td>
                            <td class="num">{p.reports}</td>
                            <td>{status}</td>
                            <td><button type="button" class="small secondary" aria-label=tf("admin.edit_person", &[("name", &p.name)])
                                on:click=move |_| { editing.set(Some(edit.clone())); focus_id("person-form"); }>{t("admin.edit")}</button></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                {note.map(|n| view! { <p class="muted" role="status">{n}</p> })}
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.title")}</th><th scope="col">{t("admin.team")}</th>
                            <th scope="col">{t("admin.manager")}</th><th scope="col" class="num">{t("admin.level")}</th>
                            <th scope="col" class="num">{t("admin.below_them")}</th><th scope="col">{t("admin.status")}</th>
                            <th scope="col">{t("admin.edit")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };
    let (active, inactive) = (format_number(active), format_number(total - active));
    let counts = tf(
        "admin.active_inactive",
        &[("active", &active), ("inactive", &inactive)],
    );
    view! {
        <p class="meta">{counts}</p>
        <div class="field">
            <label for="people-filter">{t("admin.filter")}</label>
            <p class="hint" id="people-filter-hint">{t("admin.filter_hint")}</p>
            <input id="people-filter" type="search" aria-describedby="people-filter-hint" bind:value=filter />
        </div>
        {rows}
    }
    .into_any()
}

/// Adds a person, or edits the one given.
#[component]
fn PersonForm(person: Option<PersonEntry>, on_done: Callback<Option<String>>) -> impl IntoView {
    let editing = person.clone();
    let p = person.unwrap_or(PersonEntry {
        id: String::new(),
        name: String::new(),
        email: String::new(),
        title: String::new(),
        team: String::new(),
        manager_id: None,
        manager_name: None,
        manager_email: None,
        active: true,
        level: 0,
        reports: 0,
    });
    let name = RwSignal::new(p.name.clone());
    let email = RwSignal::new(p.email.clone());
    let title = RwSignal::new(p.title.clone());
    let team = RwSignal::new(p.team.clone());
    let manager = RwSignal::new(p.manager_email.clone().unwrap_or_default());
    let active = RwSignal::new(p.active);
    let errors = RwSignal::new(FormErrors::default());
    let id = editing.as_ref().map(|e| e.id.clone());
    let is_edit = id.is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PersonInput {
            name: name.get_untracked(),
            email: email.get_untracked(),
            title: title.get_untracked(),
            team: team.get_untracked(),
            manager_email: Some(manager.get_untracked()),
            active: Some(active.get_untracked()),
        };
        let id = id.clone();
        spawn_local(async move {
            let result = match &id {
                Some(id) => api::update_person(id, &body).await,
                None => api::add_person(&body).await,
            };
            match result {
                Ok(p) => {
                    errors.set(FormErrors::default());
                    if id.is_none() {
                        for s in [name, email, title, team, manager] {
                            s.set(String::new());
                        }
                    }
                    on_done.run(Some(p.name));
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let heading = if is_edit {
        tf("admin.edit_person", &[("name", &p.name)])
    } else {
        t("admin.add_one")
    };
    view! {
        <section class="panel" id="person-form" tabindex="-1" aria-labelledby="person-form-title">
            <h2 id="person-form-title">{heading}</h2>
            <ErrorSummary errors label=person_label />
            <form class="stack" on:submit=submit novalidate>
                <TextField name="name" label=t("admin.name") value=name errors />
                <TextField name="email" label=t("admin.email") kind="email" value=email errors />
                <TextField name="title" label=t("admin.title") hint=t("admin.optional") value=title errors />
                <TextField name="team" label=t("admin.team") hint=t("admin.optional") value=team errors />
                <TextField name="manager_email" label=t("admin.manager_email") hint=t("admin.manager_email_hint") kind="email" value=manager errors />
                {is_edit.then(|| view! {
                    <CheckField name="active" label=t("admin.still_here") hint=t("admin.still_here_hint") checked=active errors />
                })}
                <div class="button-row">
                    <button type="submit">{if is_edit { t("admin.save_changes") } else { t("admin.add_person") }}</button>
                    {is_edit.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| on_done.run(None)>{t("admin.cancel")}</button>
                    })}
                </div>
            </form>
            {editing.map(|p| view! { <EraseData id=p.id name=p.name /> })}
        </section>
    }
}

/// Deleting a person's data on request, after a confirmation.
#[component]
fn EraseData(id: String, name: String) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let outcome = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let erase = move |_| {
        spawn_local(async move {
            let text = match api::erase_person_data(&id.get_value()).await {
                Ok(e) => {
                    let [c, m, i] =
                        [e.checkins, e.notes, e.items].map(|n| format_number(n as usize));
                    tf(
                        "admin.erased",
                        &[("checkins", &c), ("notes", &m), ("items", &i)],
                    )
                }
                Err(e) => tf("admin.erase_failed", &[("why", &e.message())]),
            };
            confirming.set(false);
            outcome.set(Some(text));
            focus_id("erase-outcome");
        });
    };
    view! {
        <details class="erase">
            <summary>{t("admin.erase_title")}</summary>
            <p>{tf("admin.erase_note", &[("name", &name)])}</p>
            {move || if confirming.get() {
                view! {
                    <p role="alert">{t("admin.erase_final")}</p>
                    <div class="button-row">
                        <button type="button" class="danger" on:click=erase>{t("admin.erase_confirm")}</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t("admin.erase_keep")}</button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="secondary" on:click=move |_| confirming.set(true)>{t("admin.erase_start")}</button>
                }
                .into_any()
            }}
            <p id="erase-outcome" tabindex="-1" role="status">{move || outcome.get()}</p>
        </details>
    }
}

/// The CSV import: choose a file, see what changes, confirm.
#[component]
fn Import(on_done: Callback<()>) -> impl IntoView {
    let csv = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<ImportReport>);
    let done = RwSignal::new(None::<ImportReport>);
    let errors = RwSignal::new(FormErrors::default());
    let busy = RwSignal::new(false);
    let chosen = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        let Some(file) = file else { return };
        preview.set(None);
        done.set(None);
        errors.set(FormErrors::default());
        if file.size() > 10.0 * 1024.0 * 1024.0 {
            errors.set(FormErrors {
                fields: Vec::new(),
                message: Some(t("admin.csv_too_large")),
            });
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let Some(text) = text.ok().and_then(|t| t.as_string()) else {
                errors.set(FormErrors {
                    fields: Vec::new(),
                    message: Some(t("admin.csv_unreadable")),
                });
                busy.set(false);
                return;
            };
            match api::import_people(text.clone(), false).await {
                Ok(report) => {
                    csv.set(Some(text));
                    preview.set(Some(report));
                    focus_id("import-preview");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
            busy.set(false);
        });
    };
    let confirm = move |_| {
        let Some(text) = csv.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api::import_people(text, true).await {
                Ok(report) => {
                    preview.set(None);
                    csv.set(None);
                    done.set(Some(report));
                    on_done.run(());
                    focus_id("import-done");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
            busy.set(false);
        });
    };
    let cancel = move |_| {
        preview.set(None);
        csv.set(None);
    };
    view! {
        <section class="panel" aria-labelledby="import-title">
            <h2 id="import-title">{t("admin.import_title")}</h2>
            <p class="hint" id="csv-hint">
                {t("admin.csv_hint_1")} <code>"email,name,title,manager_email,team"</code>
                {t("admin.csv_hint_2")}
            </p>
            <ErrorSummary errors />
            <div class="field">
                <label for="csv-file">{t("admin.csv_file")}</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" aria-describedby="csv-hint" on:change=chosen disabled=move || busy.get() />
            </div>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{t("admin.csv_checking")}</p> })}
            {move || preview.get().map(|report| view! {
                <div id="import-preview" tabindex="-1" class="preview">
                    <h3>{t("admin.import_preview")}</h3>
                    <ReportView report />
                    <div class="button-row">
                        <button type="button" on:click=confirm disabled=move || busy.get()>{t("admin.import_confirm")}</button>
                        <button type="button" class="secondary" on:click=cancel>{t("admin.cancel")}</button>
                    </div>
                </div>
            })}
            {move || done.get().map(|report| view! {
                <div id="import-done" tabindex="-1" class="notice ok" role="status">
                    <p><strong>{t("admin.imported")}</strong></p>
                    <ReportView report />
                </div>
            })}
        </section>
    }
}

#[component]
fn ReportView(report: ImportReport) -> impl IntoView {
    let n = [
        report.added.len(),
        report.changed.len(),
        report.moved.len(),
        report.reactivated.len(),
        report.deactivated.len(),
        report.unchanged as usize,
    ]
    .map(format_number);
    let args: [(&str, &str); 6] = [
        ("added", &n[0]),
        ("changed", &n[1]),
        ("moved", &n[2]),
        ("back", &n[3]),
        ("gone", &n[4]),
        ("unchanged", &n[5]),
    ];
    let summary = tn("admin.import_summary", report.rows as usize, &args);
    let list = |title: String, items: Vec<ImportChange>| {
        (!items.is_empty()).then(|| {
            let n = format_number(items.len());
            let lis = items
                .into_iter()
                .map(|c| {
                    let details = if c.details.is_empty() {
                        String::new()
                    } else {
                        let details: Vec<String> =
                            c.details.iter().map(|d| server_text(d)).collect();
                        format!(": {}", details.join("; "))
                    };
                    let line = c.line.to_string();
                    let args: [(&str, &str); 4] = [
                        ("name", &c.name),
                        ("email", &c.email),
                        ("details", &details),
                        ("line", &line),
                    ];
                    let text = tf("admin.import_line", &args);
                    view! { <li>{text}</li> }
                })
                .collect_view();
            view! { <details><summary>{format!("{title} ({n})")}</summary><ul>{lis}</ul></details> }
        })
    };
    let gone = (!report.deactivated.is_empty()).then(|| {
        let n = format_number(report.deactivated.len());
        let lis = report
            .deactivated
            .into_iter()
            .map(|r| view! { <li>{format!("{} <{}>", r.name, r.email)}</li> })
            .collect_view();
        view! { <details><summary>{format!("{} ({n})", t("admin.import_gone"))}</summary><ul>{lis}</ul></details> }
    });
    view! {
        <p>{summary}</p>
        {list(t("admin.import_new"), report.added)}
        {list(t("admin.import_changed"), report.changed)}
        {list(t("admin.import_moved"), report.moved)}
        {list(t("admin.import_back"), report.reactivated)}
        {gone}
    }
}

fn settings_label(field: &str) -> Option<String> {
    Some(match field {
        "organisation" => t("admin.organisation"),
        "k" => t("admin.k"),
        "host" => t("admin.smtp_host"),
        "port" => t("admin.smtp_port"),
        "tls" => t("admin.smtp_tls"),
        "from" => t("admin.smtp_from"),
        "to" => t("admin.smtp_test_to"),
        _ => return None,
    })
}

/// What kind of email it was, in words.
fn mail_kind(kind: String) -> String {
    match kind.as_str() {
        "invitation" => t("admin.mail_invitation"),
        "manager_notice" => t("admin.mail_manager_notice"),
        "reminder" => t("admin.mail_reminder"),
        "themes" => t("admin.mail_themes"),
        "embed_secret_notice" => t("admin.mail_embed_secret_notice"),
        "password_notice" => t("admin.mail_password_notice"),
        "test" => t("admin.mail_test"),
        _ => kind,
    }
}

/// The organisation's settings: name, k, SMTP, and the emails sent.
#[component]
pub fn SettingsPage() -> impl IntoView {
    set_title(&t("admin.settings"));
    let settings = LocalResource::new(api::settings);
    let log = LocalResource::new(api::mail_log);
    let embed = LocalResource::new(api::embed_settings);
    view! {
        <h1>{t("admin.settings")}</h1>
        {loaded(settings, |s: Settings| view! { <SettingsForms settings=s /> })}
        {loaded(embed, |s| view! { <crate::embed_settings::EmbedPanel settings=s /> })}
        <h2>{t("admin.mail_log")}</h2>
        {loaded(log, |list: Vec<MailRecord>| {
            if list.is_empty() {
                return view! { <p class="muted">{t("admin.mail_log_empty")}</p> }.into_any();
            }
            let rows = list
                .into_iter()
                .map(|m| view! {
                    <tr><td>{format_time(m.sent_at)}</td><td>{mail_kind(m.kind)}</td><td>{m.recipient}</td><td>{m.subject}</td><td>{m.outcome}</td></tr>
                })
                .collect_view();
            view! {
                <div class="table-wrap"><table>
                    <thead><tr>
                        <th scope="col">{t("admin.mail_when")}</th><th scope="col">{t("admin.mail_what")}</th>
                        <th scope="col">{t("admin.mail_to")}</th><th scope="col">{t("admin.mail_subject")}</th>
                        <th scope="col">{t("admin.mail_outcome")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
            .into_any()
        })}
    }
}

#[component]
fn SettingsForms(settings: Settings) -> impl IntoView {
    let organisation = RwSignal::new(settings.organisation.clone());
    let k = RwSignal::new(settings.k.to_string());
    let org_errors = RwSignal::new(FormErrors::default());
    let org_saved = RwSignal::new(false);
    let save_org = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        org_saved.set(false);
        let body = SaveSettings {
            organisation: organisation.get_untracked(),
            k: k.get_untracked().trim().parse().unwrap_or(0),
        };
        spawn_local(async move {
            match api::save_settings(&body).await {
                Ok(_) => {
                    org_errors.set(FormErrors::default());
                    org_saved.set(true);
                }
                Err(e) => org_errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let smtp = settings.smtp;
    let source = RwSignal::new(smtp.source);
    let host = RwSignal::new(smtp.host.clone());
    let port = RwSignal::new(smtp.port.to_string());
    let username = RwSignal::new(smtp.username.clone());
    let password = RwSignal::new(String::new());
    let from = RwSignal::new(smtp.from.clone());
    let tls = RwSignal::new(smtp.tls.clone());
    let password_set = smtp.password_set;
    let smtp_errors = RwSignal::new(FormErrors::default());
    let smtp_note = RwSignal::new(None::<String>);
    let save_smtp = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = password.get_untracked();
        let body = SaveSmtp {
            host: host.get_untracked(),
            port: port.get_untracked().trim().parse().unwrap_or(0),
            username: username.get_untracked(),
            password: (!typed.is_empty()).then_some(typed),
            from: from.get_untracked(),
            tls: tls.get_untracked(),
        };
        spawn_local(async move {
            match api::save_smtp(&body).await {
                Ok(s) => {
                    smtp_errors.set(FormErrors::default());
                    source.set(s.smtp.source);
                    password.set(String::new());
                    smtp_note.set(Some(t("admin.smtp_saved")));
                }
                Err(e) => smtp_errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let forget = move |_| {
        spawn_local(async move {
            match api::delete_smtp().await {
                Ok(s) => {
                    source.set(s.smtp.source);
                    smtp_note.set(Some(t("admin.smtp_forgotten")));
                }
                Err(e) => smtp_errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let to = RwSignal::new(String::new());
    let test = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TestEmail {
            to: to.get_untracked(),
        };
        let address = body.to.clone();
        spawn_local(async move {
            match api::test_email(&body).await {
                Ok(o) => {
                    smtp_errors.set(FormErrors::default());
                    smtp_note.set(Some(if o.sent {
                        let to = o.outcome.strip_prefix("sent to ").unwrap_or(&address);
                        tf("admin.test_sent", &[("to", to)])
                    } else {
                        tf("admin.test_failed", &[("why", &o.outcome)])
                    }));
                }
                Err(e) => smtp_errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let source_words = move || match source.get() {
        SmtpSource::Settings => t("admin.smtp_source_settings"),
        SmtpSource::Environment => t("admin.smtp_source_environment"),
        SmtpSource::None => t("admin.smtp_source_none"),
    };
    view! {
        <section class="panel" aria-labelledby="org-title">
            <h2 id="org-title">{t("admin.organisation")}</h2>
            <ErrorSummary errors=org_errors label=settings_label />
            {move || org_saved.get().then(|| view! { <p class="notice ok" role="status">{t("admin.saved")}</p> })}
            <form class="stack" on:submit=save_org novalidate>
                <TextField name="organisation" label=t("admin.organisation") value=organisation errors=org_errors />
                <TextField name="k" label=t("admin.k") hint=t("admin.k_hint") value=k errors=org_errors />
                <button type="submit">{t("admin.save")}</button>
            </form>
        </section>
        <section class="panel" aria-labelledby="smtp-title">
            <h2 id="smtp-title">{t("admin.smtp_title")}</h2>
            <p>{source_words}</p>
            <ErrorSummary errors=smtp_errors label=settings_label />
            {move || smtp_note.get().map(|n| view! { <p class="notice ok" role="status">{n}</p> })}
            <form class="stack" on:submit=save_smtp novalidate>
                <TextField name="host" label=t("admin.smtp_host") hint=t("admin.smtp_host_hint") value=host errors=smtp_errors />
                <TextField name="port" label=t("admin.smtp_port") hint=t("admin.smtp_port_hint") value=port errors=smtp_errors />
                <div class="field">
                    <label for="f-tls">{t("admin.smtp_tls")}</label>
                    <select id="f-tls" bind:value=tls>
                        <option value="starttls">{t("admin.smtp_starttls")}</option>
                        <option value="tls">{t("admin.smtp_tls_465")}</option>
                        <option value="none">{t("admin.smtp_no_tls")}</option>
                    </select>
                </div>
                <TextField name="username" label=t("admin.smtp_user") hint=t("admin.smtp_no_login") value=username errors=smtp_errors />
                <TextField name="password" label=t("admin.password") kind="password" autocomplete="new-password"
                    hint=if password_set { t("admin.smtp_password_stored") } else { t("admin.smtp_no_login") }
                    value=password errors=smtp_errors />
                <TextField name="from" label=t("admin.smtp_from") hint=t("admin.smtp_from_hint") value=from errors=smtp_errors />
                <div class="button-row">
                    <button type="submit">{t("admin.smtp_save")}</button>
                    <button type="button" class="secondary" on:click=forget>{t("admin.smtp_forget")}</button>
                </div>
            </form>
            <form class="stack" on:submit=test novalidate>
                <TextField name="to" label=t("admin.smtp_test_to") kind="email" value=to errors=smtp_errors />
                <button type="submit" class="secondary">{t("admin.smtp_test")}</button>
            </form>
        </section>
    }
}
