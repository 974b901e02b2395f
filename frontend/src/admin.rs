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

use crate::account::{AccountPage, PASSWORD_HINT, SetPasswordPage, check_new_password, label};
use crate::api::{self, ApiError};
use crate::components::{Failure, IncompleteLink, format_time};
use crate::forms::{CheckField, ErrorSummary, FormErrors, LinkToHand, TextField, focus_id};
use crate::shell::{Bundle, Session, Shell, expect_session, go_to, loaded, set_title};

fn account_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "Name",
        "email" => "Email",
        "is_leader" | "is_admin" => "Roles",
        _ => return None,
    })
}

fn person_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "Name",
        "email" => "Email",
        "title" => "Title",
        "team" => "Team",
        "manager_email" => "Manager's email",
        "active" => "Still here",
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
            <Routes fallback=|| view! { <h1>"Not found"</h1><p><a href="/admin/people">"Back to people"</a></p> }>
                <Route path=path!("/admin") view=|| view! { <AdminOnly><PeoplePage /></AdminOnly> } />
                <Route path=path!("/admin/people") view=|| view! { <AdminOnly><PeoplePage /></AdminOnly> } />
                <Route path=path!("/admin/accounts") view=|| view! { <AdminOnly><AccountsPage /></AdminOnly> } />
                <Route path=path!("/admin/settings") view=|| view! { <AdminOnly><SettingsPage /></AdminOnly> } />
                <Route path=path!("/admin/account") view=AccountPage />
                <Route path=path!("/admin/setup") view=|| view! {
                    <h1>"Skipcheck is set up"</h1>
                    <p>"Next: " <a href="/admin/people">"bring in your people"</a> ", then " <a href="/admin/accounts">"invite the leaders"</a> "."</p>
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
    move || {
        match session.get() {
        Session::LoggedIn(me) if me.is_admin => children().into_any(),
        _ => view! {
            <h1>"Only for admins"</h1>
            <p>"Admins manage people and accounts. Ask one of them if you need something changed."</p>
            <p><a href="/" rel="external">"Back to your rounds"</a></p>
        }
        .into_any(),
    }
    }
}

fn show_setup(status: SetupStatus) -> AnyView {
    view! { <SetupPage status /> }.into_any()
}

fn setup_label(field: &str) -> Option<&'static str> {
    match field {
        "name" => Some("Your name"),
        other => label(other),
    }
}

/// The one-time setup of an empty server.
#[component]
fn SetupPage(
    /// What the server said about setup.
    status: SetupStatus,
) -> impl IntoView {
    set_title("Set up Skipcheck");
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
            <h1>"Set up Skipcheck"</h1>
            <div class="notice error" role="alert">
                <p>"Setup is turned off here: this server is reached over plain HTTP on a public address, so the first password would cross the network unencrypted."</p>
            </div>
            <p>"Do one of these, then reload this page:"</p>
            <ul>
                <li>"serve Skipcheck behind HTTPS and start it with " <code>"--public-url https://…"</code>";"</li>
                <li>"or create the first admin on the server: " <code>"skipcheck admin create --organisation \"Name\" --email you@example.com --name \"Your Name\""</code>";"</li>
                <li>"or, on a network you trust, start it with " <code>"--allow-insecure-setup"</code>"."</li>
            </ul>
        }
        .into_any();
    }
    view! {
        <h1>"Set up Skipcheck"</h1>
        <p>"This page appears once, while the server has no account. You will be its first admin: you bring in the people, invite the leaders, and choose the settings. Admins never see anyone's answers."</p>
        <ErrorSummary errors label=setup_label />
        <form class="stack" on:submit=submit novalidate>
            <TextField name="organisation" label="Organisation" hint="As your people know it, e.g. Acme Ltd." autocomplete="organization" value=organisation errors />
            <TextField name="name" label="Your name" autocomplete="name" value=name errors />
            <TextField name="email" label="Email" hint="You log in with it." kind="email" autocomplete="username" value=email errors />
            <TextField name="password" label="Password" hint=PASSWORD_HINT kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label="Password again" kind="password" autocomplete="new-password" value=again errors />
            <CheckField name="is_leader" label="I will also lead skip-levels" hint="Leaders run skip-level rounds and read their own people's check-ins. You can change this later." checked=leads errors />
            <button type="submit" disabled=move || busy.get()>{move || if busy.get() { "Setting up…" } else { "Set up Skipcheck" }}</button>
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
    set_title("Accounts");
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
            format!(
                "Asked for a new password on {}: send them a new link",
                format_time(at)
            )
        } else if !a.has_password {
            match a.link_expires_at {
                Some(t) if t > now => format!("Invited; their link works until {}", format_time(t)),
                _ => "Invited; the link has expired: send a new one".to_owned(),
            }
        } else {
            "Active".to_owned()
        };
        let roles = match (a.is_admin, a.is_leader) {
            (true, true) => "Admin, leader",
            (true, false) => "Admin",
            _ => "Leader",
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
                    <button type="button" class="small" aria-label=format!("New link for {who}")
                        on:click=move |_| act(Action::NewLink(id1.clone()))>
                        "New link"
                    </button>
                    <button type="button" class="small secondary" aria-label=format!("{} leader: {who}", if is_leader { "Remove" } else { "Make" })
                        on:click=move |_| act(Action::Roles(id2.clone(), UpdateAccount { is_admin: None, is_leader: Some(!is_leader) }))>
                        {if is_leader { "Remove leader" } else { "Make leader" }}
                    </button>
                    <button type="button" class="small secondary" aria-label=format!("{} admin: {who}", if is_admin { "Remove" } else { "Make" })
                        on:click=move |_| act(Action::Roles(id3.clone(), UpdateAccount { is_admin: Some(!is_admin), is_leader: None }))>
                        {if is_admin { "Remove admin" } else { "Make admin" }}
                    </button>
                </td>
            </tr>
        }
    };
    view! {
        <h1>"Accounts"</h1>
        <p class="muted">"Leaders run skip-level rounds and read only their own. Admins manage people, accounts and settings, and never see anyone's answers. Someone can be both."</p>
        {move || handover.get().map(|l| view! { <LinkToHand who=l.account.name url=l.url expires_at=l.expires_at /> })}
        <h2>"Invite a leader or admin"</h2>
        <ErrorSummary errors label=account_label />
        <form class="stack" on:submit=invite novalidate>
            <TextField name="name" label="Name" autocomplete="off" value=name errors />
            <TextField name="email" label="Email" hint="They log in with it. If it is in the directory, their place there is found by it." kind="email" value=email errors />
            <fieldset>
                <legend>"Roles"</legend>
                <CheckField name="is_leader" label="Leader" hint="Runs skip-levels and reads their own people's check-ins." checked=leader errors />
                <CheckField name="is_admin" label="Admin" hint="Manages people, accounts and settings." checked=admin errors />
            </fieldset>
            <button type="submit">"Invite and make a link"</button>
        </form>
        <h2>"Everyone with an account"</h2>
        {move || failure.get().map(|error| view! { <Failure error /> })}
        {loaded(accounts, move |list: Vec<AccountSummary>| {
            let rows = list.into_iter().map(row).collect_view();
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Roles"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
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
    set_title("People");
    let version = RwSignal::new(0u32);
    let people = LocalResource::new(move || {
        version.track();
        api::people()
    });
    let editing = RwSignal::new(None::<PersonEntry>);
    let notice = RwSignal::new(None::<String>);
    view! {
        <h1>"People"</h1>
        <p class="muted">"The directory: who reports to whom. Skip-levels, rotation and anonymous groups all come from it."</p>
        <Import on_done=Callback::new(move |()| version.update(|v| *v += 1)) />
        {move || notice.get().map(|m| view! { <p class="notice ok" role="status">{m}</p> })}
        {move || {
            let person = editing.get();
            let on_done = Callback::new(move |saved: Option<String>| {
                notice.set(saved.map(|name| format!("Saved {name}.")));
                if editing.get_untracked().is_some() {
                    editing.set(None);
                }
                version.update(|v| *v += 1);
            });
            view! { <PersonForm person on_done /> }
        }}
        <h2 id="directory">"Everyone"</h2>
        {loaded(people, move |list: Vec<PersonEntry>| view! { <PeopleTable list editing /> })}
    }
}

#[component]
fn PeopleTable(list: Vec<PersonEntry>, editing: RwSignal<Option<PersonEntry>>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="notice">"No one in the directory yet. Import a CSV file above, or add people one at a time."</p> }.into_any();
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
                format!("Showing {SHOWN} of {} matches: type in the filter to narrow them down.", matching.len())
            });
            let rows = matching
                .into_iter()
                .take(shown)
                .map(|p| {
                    let edit = p.clone();
                    let status = if p.active { "Active" } else { "Inactive" };
                    view! {
                        <tr class:inactive=!p.active>
                            <td>{p.name.clone()}<br /><span class="muted">{p.email.clone()}</span></td>
                            <td>{p.title.clone()}</td>
                            <td>{p.team.clone()}</td>
                            <td>{p.manager_name.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="num">{p.level}</td>
                            <td class="num">{p.reports}</td>
                            <td>{status}</td>
                            <td><button type="button" class="small secondary" aria-label=format!("Edit {}", p.name)
                                on:click=move |_| { editing.set(Some(edit.clone())); focus_id("person-form"); }>"Edit"</button></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                {note.map(|n| view! { <p class="muted" role="status">{n}</p> })}
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Title"</th><th scope="col">"Team"</th>
                            <th scope="col">"Manager"</th><th scope="col" class="num">"Level"</th>
                            <th scope="col" class="num">"Below them"</th><th scope="col">"Status"</th><th scope="col">"Edit"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };
    view! {
        <p class="meta">{format!("{active} active, {} inactive. Level 0 is the top of the organisation.", total - active)}</p>
        <div class="field">
            <label for="people-filter">"Filter"</label>
            <p class="hint" id="people-filter-hint">"By name, email, title or team."</p>
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
        format!("Edit {}", p.name)
    } else {
        "Add one person".to_owned()
    };
    view! {
        <section class="panel" id="person-form" tabindex="-1" aria-labelledby="person-form-title">
            <h2 id="person-form-title">{heading}</h2>
            <ErrorSummary errors label=person_label />
            <form class="stack" on:submit=submit novalidate>
                <TextField name="name" label="Name" value=name errors />
                <TextField name="email" label="Email" kind="email" value=email errors />
                <TextField name="title" label="Title" hint="Optional." value=title errors />
                <TextField name="team" label="Team" hint="Optional." value=team errors />
                <TextField name="manager_email" label="Manager's email" hint="Leave blank for someone who reports to nobody here." kind="email" value=manager errors />
                {is_edit.then(|| view! {
                    <CheckField name="active" label="Still here" hint="Untick when they leave: their past meetings stay, and they drop out of new rounds." checked=active errors />
                })}
                <div class="button-row">
                    <button type="submit">{if is_edit { "Save changes" } else { "Add person" }}</button>
                    {is_edit.then(|| view! { <button type="button" class="secondary" on:click=move |_| on_done.run(None)>"Cancel"</button> })}
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
                Ok(e) => format!(
                    "Deleted: {} check-ins, {} sets of meeting notes, {} action items.",
                    e.checkins, e.notes, e.items
                ),
                Err(e) => format!("Nothing was deleted: {}", e.message()),
            };
            confirming.set(false);
            outcome.set(Some(text));
            focus_id("erase-outcome");
        });
    };
    view! {
        <details class="erase">
            <summary>"Delete their data on request"</summary>
            <p>{format!(
                "Deletes {name}'s check-ins (their confidential answers), the leaders' notes of their meetings and their action items. \
                 Anonymous figures stay: they hold no person. Their place in the directory stays; untick \"Still here\" when they leave."
            )}</p>
            {move || if confirming.get() {
                view! {
                    <p role="alert">"This can't be undone."</p>
                    <div class="button-row">
                        <button type="button" class="danger" on:click=erase>"Delete for good"</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    </div>
                }
                .into_any()
            } else {
                view! { <button type="button" class="secondary" on:click=move |_| confirming.set(true)>"Delete their data…"</button> }.into_any()
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
                message: Some("The file is larger than 10 MB. Split it, or leave out columns Skipcheck does not use.".to_owned()),
            });
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let Some(text) = text.ok().and_then(|t| t.as_string()) else {
                errors.set(FormErrors {
                    fields: Vec::new(),
                    message: Some("The file could not be read.".to_owned()),
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
            <h2 id="import-title">"Import from a spreadsheet (CSV)"</h2>
            <p class="hint" id="csv-hint">
                "The first line names the columns: " <code>"email,name,title,manager_email,team"</code>
                " (in any order; title and team may be left out; other columns are ignored). Comma or semicolon, UTF-8. "
                "People are matched by email and updated in place; people no longer in the file become inactive and keep their history. "
                "You see every change before anything is written."
            </p>
            <ErrorSummary errors />
            <div class="field">
                <label for="csv-file">"CSV file"</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" aria-describedby="csv-hint" on:change=chosen disabled=move || busy.get() />
            </div>
            {move || busy.get().then(|| view! { <p class="muted" role="status">"Checking the file…"</p> })}
            {move || preview.get().map(|report| view! {
                <div id="import-preview" tabindex="-1" class="preview">
                    <h3>"What will change"</h3>
                    <ReportView report />
                    <div class="button-row">
                        <button type="button" on:click=confirm disabled=move || busy.get()>"Import these changes"</button>
                        <button type="button" class="secondary" on:click=cancel>"Cancel"</button>
                    </div>
                </div>
            })}
            {move || done.get().map(|report| view! {
                <div id="import-done" tabindex="-1" class="notice ok" role="status">
                    <p><strong>"Imported."</strong></p>
                    <ReportView report />
                </div>
            })}
        </section>
    }
}

#[component]
fn ReportView(report: ImportReport) -> impl IntoView {
    let summary = format!(
        "{} people in the file: {} new, {} changed, {} moved to another manager, {} back, {} no longer in the file (they become inactive), {} unchanged.",
        report.rows,
        report.added.len(),
        report.changed.len(),
        report.moved.len(),
        report.reactivated.len(),
        report.deactivated.len(),
        report.unchanged
    );
    let list = |title: &'static str, items: Vec<ImportChange>| {
        (!items.is_empty()).then(|| {
            let n = items.len();
            let lis = items
                .into_iter()
                .map(|c| {
                    let details = if c.details.is_empty() { String::new() } else { format!(": {}", c.details.join("; ")) };
                    view! { <li>{format!("{} <{}>{details} (line {})", c.name, c.email, c.line)}</li> }
                })
                .collect_view();
            view! { <details><summary>{format!("{title} ({n})")}</summary><ul>{lis}</ul></details> }
        })
    };
    let gone = (!report.deactivated.is_empty()).then(|| {
        let n = report.deactivated.len();
        let lis = report
            .deactivated
            .into_iter()
            .map(|r| view! { <li>{format!("{} <{}>", r.name, r.email)}</li> })
            .collect_view();
        view! { <details><summary>{format!("No longer in the file ({n})")}</summary><ul>{lis}</ul></details> }
    });
    view! {
        <p>{summary}</p>
        {list("New", report.added)}
        {list("Changed", report.changed)}
        {list("Moved to another manager", report.moved)}
        {list("Back", report.reactivated)}
        {gone}
    }
}

fn settings_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "organisation" => "Organisation",
        "k" => "Smallest group shown",
        "host" => "Host",
        "port" => "Port",
        "tls" => "Encryption",
        "from" => "Sender",
        "to" => "Send a test to",
        _ => return None,
    })
}

/// The organisation's settings: name, k, SMTP, and the emails sent.
#[component]
pub fn SettingsPage() -> impl IntoView {
    set_title("Settings");
    let settings = LocalResource::new(api::settings);
    let log = LocalResource::new(api::mail_log);
    let embed = LocalResource::new(api::embed_settings);
    view! {
        <h1>"Settings"</h1>
        {loaded(settings, |s: Settings| view! { <SettingsForms settings=s /> })}
        {loaded(embed, |s| view! { <crate::embed_settings::EmbedPanel settings=s /> })}
        <h2>"Emails sent"</h2>
        {loaded(log, |list: Vec<MailRecord>| {
            if list.is_empty() {
                return view! { <p class="muted">"None yet. With an SMTP server set, invitations, managers' notices and reminders are emailed and listed here."</p> }.into_any();
            }
            let rows = list
                .into_iter()
                .map(|m| view! {
                    <tr><td>{format_time(m.sent_at)}</td><td>{m.kind}</td><td>{m.recipient}</td><td>{m.subject}</td><td>{m.outcome}</td></tr>
                })
                .collect_view();
            view! {
                <div class="table-wrap"><table>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"To"</th><th scope="col">"Subject"</th><th scope="col">"Outcome"</th></tr></thead>
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
                    smtp_note.set(Some(
                        "Saved. Send a test email to check it works.".to_owned(),
                    ));
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
                    smtp_note.set(Some("Forgotten.".to_owned()));
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
        spawn_local(async move {
            match api::test_email(&body).await {
                Ok(o) => {
                    smtp_errors.set(FormErrors::default());
                    smtp_note.set(Some(if o.sent {
                        format!("Test email {}.", o.outcome)
                    } else {
                        format!("The test failed: {}", o.outcome)
                    }));
                }
                Err(e) => smtp_errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let source_words = move || match source.get() {
        SmtpSource::Settings => "Emails go through the server below.",
        SmtpSource::Environment => {
            "Emails go through the server set in Skipcheck's environment (SKIPCHECK_SMTP_*). Save one here to use another."
        }
        SmtpSource::None => {
            "No SMTP server: nothing is emailed, and leaders copy the invitations into their own mail. Set one to send invitations, managers' notices and reminders."
        }
    };
    view! {
        <section class="panel" aria-labelledby="org-title">
            <h2 id="org-title">"Organisation"</h2>
            <ErrorSummary errors=org_errors label=settings_label />
            {move || org_saved.get().then(|| view! { <p class="notice ok" role="status">"Saved."</p> })}
            <form class="stack" on:submit=save_org novalidate>
                <TextField name="organisation" label="Organisation" value=organisation errors=org_errors />
                <TextField name="k" label="Smallest group shown" hint="Anonymous figures appear only over at least this many people (5 by default, never below 3), and move in steps of it. New rounds take it; open rounds keep theirs." value=k errors=org_errors />
                <button type="submit">"Save"</button>
            </form>
        </section>
        <section class="panel" aria-labelledby="smtp-title">
            <h2 id="smtp-title">"Email (SMTP)"</h2>
            <p>{source_words}</p>
            <ErrorSummary errors=smtp_errors label=settings_label />
            {move || smtp_note.get().map(|n| view! { <p class="notice ok" role="status">{n}</p> })}
            <form class="stack" on:submit=save_smtp novalidate>
                <TextField name="host" label="Host" hint="e.g. smtp.example.com" value=host errors=smtp_errors />
                <TextField name="port" label="Port" hint="587 with STARTTLS, 465 with TLS." value=port errors=smtp_errors />
                <div class="field">
                    <label for="f-tls">"Encryption"</label>
                    <select id="f-tls" bind:value=tls>
                        <option value="starttls">"STARTTLS (port 587)"</option>
                        <option value="tls">"TLS (port 465)"</option>
                        <option value="none">"None (a relay on this machine only)"</option>
                    </select>
                </div>
                <TextField name="username" label="User name" hint="Leave blank if the server needs no login." value=username errors=smtp_errors />
                <TextField name="password" label="Password" kind="password" autocomplete="new-password"
                    hint=if password_set { "A password is stored. Leave blank to keep it." } else { "Leave blank if the server needs no login." }
                    value=password errors=smtp_errors />
                <TextField name="from" label="Sender" hint="As people will see it, e.g. Skipcheck <skipcheck@example.com>." value=from errors=smtp_errors />
                <div class="button-row">
                    <button type="submit">"Save email settings"</button>
                    <button type="button" class="secondary" on:click=forget>"Forget these settings"</button>
                </div>
            </form>
            <form class="stack" on:submit=test novalidate>
                <TextField name="to" label="Send a test to" kind="email" value=to errors=smtp_errors />
                <button type="submit" class="secondary">"Send a test email"</button>
            </form>
        </section>
    }
}
