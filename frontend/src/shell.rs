//! What the leader's and the admin's bundles share: who is logged in, the
//! login form, the header with its navigation, and loading a resource.
//!
//! The two bundles are apart so that each stays within its size budget; a
//! link from one to the other is a full page load (`rel="external"`, which
//! the router leaves alone).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Router;
use shared::admin::SetupStatus;
use shared::api::{LoginRequest, Me};

use crate::account::ForgotPassword;
use crate::api::{self, ApiError};
use crate::components::Failure;
use crate::i18n::t;

/// Whether someone is logged in, or the server still needs its first admin.
#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Checking,
    Setup(SetupStatus),
    LoggedOut,
    LoggedIn(Me),
}

/// Which bundle is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    Leader,
    Admin,
    Insights,
    Templates,
}

/// Shows a loaded value, a loading line, or the error; a lost session sends
/// the reader back to the login form.
pub fn loaded<T, V>(
    resource: LocalResource<Result<T, ApiError>>,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = expect_session();
    // In an effect rather than while rendering: switching to the login form
    // removes this very view.
    Effect::new(move || {
        if resource.with(|r| matches!(r, Some(Err(e)) if e.is_unauthenticated())) {
            session.set(Session::LoggedOut);
        }
    });
    move || match resource.get() {
        None => view! { <p class="muted" role="status">{t("shell.loading")}</p> }.into_any(),
        Some(Ok(value)) => render(value).into_any(),
        Some(Err(error)) => view! { <Failure error /> }.into_any(),
    }
}

/// Names the page in the browser's title bar and tab, and for screen readers.
pub fn set_title(title: &str) {
    document().set_title(&format!("{title} · Skipcheck"));
}

/// The session signal the shell provides.
pub fn expect_session() -> RwSignal<Session> {
    use_context::<RwSignal<Session>>().unwrap_or_else(|| RwSignal::new(Session::LoggedOut))
}

/// Loads a page of another bundle.
pub fn go_to(path: &str) {
    let _ = window().location().assign(path);
}

/// The header, and `children` (the bundle's routes) once someone allowed
/// in is logged in. The leader's bundle sends an admin-only account to the
/// admin's pages, and an empty server to its setup page; the admin's bundle
/// shows setup itself through `setup`.
#[component]
pub fn Shell(
    /// Which bundle this is.
    bundle: Bundle,
    /// What an empty server shows (the admin's bundle only).
    #[prop(optional)]
    setup: Option<fn(SetupStatus) -> AnyView>,
    /// The bundle's routes.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_context::<RwSignal<Session>>().unwrap_or_else(|| {
        let session = RwSignal::new(Session::Checking);
        provide_context(session);
        spawn_local(async move {
            let me = api::me().await;
            session.set(match me {
                Ok(me) => Session::LoggedIn(me),
                Err(_) => match api::setup_status().await {
                    Ok(status) if status.needed => Session::Setup(status),
                    _ => Session::LoggedOut,
                },
            });
        });
        session
    });
    let logout = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            session.set(Session::LoggedOut);
        });
    };
    let external = move |here: Bundle| (bundle != here).then_some("external");
    let nav = move || match session.get() {
        Session::LoggedIn(me) => Some(view! {
            <nav aria-label=t("shell.nav")>
                {me.is_leader.then(|| view! {
                    <a href="/" rel=external(Bundle::Leader)>{t("shell.rounds")}</a>
                    <a href="/templates/" rel=external(Bundle::Templates)>{t("shell.templates")}</a>
                })}
                {me.is_admin.then(|| view! {
                    <a href="/admin/people" rel=external(Bundle::Admin)>{t("shell.people")}</a>
                    <a href="/admin/accounts" rel=external(Bundle::Admin)>{t("shell.accounts")}</a>
                    <a href="/admin/settings" rel=external(Bundle::Admin)>{t("shell.settings")}</a>
                })}
                <a href="/admin/account" rel=external(Bundle::Admin)>{me.name}</a>
                <button type="button" class="link" on:click=logout>{t("shell.log_out")}</button>
            </nav>
        }),
        _ => None,
    };
    let body = move || match session.get() {
        Session::Checking => {
            view! { <p class="muted" role="status">{t("shell.loading")}</p> }.into_any()
        }
        Session::Setup(status) => match setup {
            Some(show) => show(status),
            None => {
                go_to("/admin/setup");
                view! { <p class="muted" role="status">{t("shell.opening_setup")}</p> }.into_any()
            }
        },
        Session::LoggedOut => view! { <Login /> }.into_any(),
        Session::LoggedIn(me) if bundle == Bundle::Leader && !me.is_leader && is_leader_home() => {
            go_to("/admin/people");
            view! { <p class="muted" role="status">{t("shell.opening_people")}</p> }.into_any()
        }
        Session::LoggedIn(_) => children().into_any(),
    };
    view! {
        <Router>
            <a class="skip-link" href="#main">{t("shell.skip_link")}</a>
            <header class="top">
                <a href="/" class="brand" rel=external(Bundle::Leader)>"Skipcheck"</a>
                {nav}
            </header>
            <main id="main" tabindex="-1">{body}</main>
        </Router>
    }
}

/// Whether the leader's start page is open (where an admin-only account
/// has nothing to see).
fn is_leader_home() -> bool {
    window().location().pathname().as_deref() == Ok("/")
}

#[component]
fn Login() -> impl IntoView {
    let session = expect_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let body = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::login(&body).await {
                Ok(me) => session.set(Session::LoggedIn(me)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    set_title(&t("shell.log_in"));
    view! {
        <h1>{t("shell.log_in")}</h1>
        <form class="login" on:submit=submit>
            <label for="email">{t("shell.email")}</label>
            <input id="email" type="email" autocomplete="username" required
                bind:value=email />
            <label for="password">{t("shell.password")}</label>
            <input id="password" type="password" autocomplete="current-password" required
                bind:value=password />
            {move || error.get().map(|error| view! { <Failure error /> })}
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t("shell.logging_in") } else { t("shell.log_in") }}
            </button>
        </form>
        <ForgotPassword />
    }
}
