//! Passwords and one's own account: the page a one-time link opens, "forgot
//! password", and changing one's password or ending every session.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::admin::{ChangePassword, ForgotPassword, SetPassword};
use shared::people::{PASSWORD_MIN, check_password};

use crate::api;
use crate::components::{Failure, format_time};
use crate::forms::{ErrorSummary, FormErrors, TextField};
use crate::shell::{Session, expect_session, go_to, set_title};

pub(crate) fn label(field: &str) -> Option<&'static str> {
    Some(match field {
        "organisation" => "Organisation",
        "name" => "Your name",
        "email" => "Email",
        "password" | "new_password" => "Password",
        "current_password" => "Current password",
        "confirm" => "Password again",
        _ => return None,
    })
}

pub(crate) const PASSWORD_HINT: &str =
    "At least 10 characters. A few unrelated words are easy to remember and hard to guess.";

/// Checks that a new password is long enough and typed the same twice.
pub(crate) fn check_new_password(field: &str, password: &str, again: &str) -> Vec<FieldError> {
    let mut fields = Vec::new();
    if let Some(message) = check_password(password) {
        fields.push(FieldError {
            field: field.to_owned(),
            message,
        });
    } else if password != again {
        fields.push(FieldError {
            field: "confirm".to_owned(),
            message: "The two passwords are not the same.".to_owned(),
        });
    }
    fields
}

/// What a one-time link opens: choose a password.
#[component]
pub fn SetPasswordPage(
    /// The link's secret.
    token: String,
) -> impl IntoView {
    set_title("Choose a password");
    let info = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move { api::link_info(&token).await }
        }
    });
    move || {
        match info.get() {
        None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
        Some(Err(error)) => view! {
            <h1>"Choose a password"</h1>
            <Failure error />
            <p>"Ask one of your Skipcheck admins for a new link. Each link works once, for 72 hours."</p>
        }
        .into_any(),
        Some(Ok(info)) => view! { <SetPasswordForm token=token.clone() info /> }.into_any(),
    }
    }
}

#[component]
fn SetPasswordForm(token: String, info: shared::admin::LinkInfo) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problems = check_new_password(
            "password",
            &password.get_untracked(),
            &again.get_untracked(),
        );
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        let body = SetPassword {
            password: password.get_untracked(),
        };
        let token = token.clone();
        busy.set(true);
        spawn_local(async move {
            match api::set_password(&token, &body).await {
                // Logged in: the start page of the leader's (or, for an
                // admin only, the admin's) pages.
                Ok(_) => go_to("/"),
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
            busy.set(false);
        });
    };
    let heading = if info.purpose == "reset" {
        "Choose a new password"
    } else {
        "Welcome to Skipcheck"
    };
    view! {
        <h1>{heading}</h1>
        <p>{format!("Choose a password for {} ({}). This link works once, until {}.", info.name, info.email, format_time(info.expires_at))}</p>
        <ErrorSummary errors label=label />
        <form class="stack" on:submit=submit novalidate>
            <input type="email" autocomplete="username" value=info.email hidden readonly />
            <TextField name="password" label="Password" hint=PASSWORD_HINT kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label="Password again" kind="password" autocomplete="new-password" value=again errors />
            <button type="submit" disabled=move || busy.get()>{move || if busy.get() { "Saving…" } else { "Save and log in" }}</button>
        </form>
    }
}

/// "Forgot your password?" on the login page: the admins are told and send a
/// new link; no email is needed.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ForgotPassword {
            email: email.get_untracked(),
        };
        spawn_local(async move {
            match api::forgot_password(&body).await {
                Ok(()) => {
                    errors.set(FormErrors::default());
                    done.set(true);
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    // The form is made only when asked for, so the login form stays the
    // page's one email field.
    let open = RwSignal::new(false);
    view! {
        <div class="forgot">
            <button type="button" class="link" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Forgot your password?"</button>
            {move || open.get().then(|| if done.get() {
                view! { <p class="notice ok" role="status">"Your admins can now see that you asked. One of them will send you a new one-time link."</p> }.into_any()
            } else {
                view! {
                    <form class="stack" on:submit=submit novalidate>
                        <ErrorSummary errors />
                        <TextField name="email" label="Your email" kind="email" autocomplete="username" value=email errors />
                        <button type="submit">"Ask for a new link"</button>
                    </form>
                }
                .into_any()
            })}
        </div>
    }
}

/// One's own account: change the password, log out everywhere.
#[component]
pub fn AccountPage() -> impl IntoView {
    set_title("Your account");
    let session = expect_session();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let problems = check_new_password(
            "new_password",
            &password.get_untracked(),
            &again.get_untracked(),
        );
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        let body = ChangePassword {
            current_password: current.get_untracked(),
            new_password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::change_password(&body).await {
                Ok(()) => {
                    errors.set(FormErrors::default());
                    current.set(String::new());
                    password.set(String::new());
                    again.set(String::new());
                    saved.set(true);
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let everywhere_error = RwSignal::new(None::<api::ApiError>);
    let everywhere = move |_| {
        spawn_local(async move {
            match api::logout_everywhere().await {
                Ok(()) => session.set(Session::LoggedOut),
                Err(e) => everywhere_error.set(Some(e)),
            }
        });
    };
    let who = move || match session.get() {
        Session::LoggedIn(me) => format!(
            "{} ({}) · {}",
            me.name,
            me.email,
            match (me.is_admin, me.is_leader) {
                (true, true) => "admin and leader",
                (true, false) => "admin",
                _ => "leader",
            }
        ),
        _ => String::new(),
    };
    view! {
        <h1>"Your account"</h1>
        <p class="meta">{who}</p>
        <h2>"Change your password"</h2>
        <p class="muted">{format!("Your other sessions end when you change it. At least {PASSWORD_MIN} characters.")}</p>
        <ErrorSummary errors label=label />
        {move || saved.get().then(|| view! { <p class="notice ok" role="status">"Password changed. Your other sessions have ended."</p> })}
        <form class="stack" on:submit=submit novalidate>
            <TextField name="current_password" label="Current password" kind="password" autocomplete="current-password" value=current errors />
            <TextField name="new_password" label="New password" hint=PASSWORD_HINT kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label="New password again" kind="password" autocomplete="new-password" value=again errors />
            <button type="submit">"Change password"</button>
        </form>
        <h2>"Sessions"</h2>
        <p>"Lost a laptop, or logged in on a shared computer? End every session of your account, this one included."</p>
        {move || everywhere_error.get().map(|error| view! { <Failure error /> })}
        <button type="button" class="secondary" on:click=everywhere>"Log out everywhere"</button>
    }
}
