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
use crate::i18n::{t, tf};
use crate::shell::{Session, expect_session, go_to, set_title};

pub(crate) fn label(field: &str) -> Option<String> {
    Some(match field {
        "organisation" => t("account.organisation"),
        "name" => t("account.your_name"),
        "email" => t("account.email"),
        "password" | "new_password" => t("account.password"),
        "current_password" => t("account.current_password"),
        "confirm" => t("account.password_again"),
        _ => return None,
    })
}

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
            message: t("account.passwords_differ"),
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
    set_title(&t("account.choose_title"));
    let info = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move { api::link_info(&token).await }
        }
    });
    move || match info.get() {
        None => view! { <p class="muted" role="status">{t("loading")}</p> }.into_any(),
        Some(Err(error)) => view! {
            <h1>{t("account.choose_title")}</h1>
            <Failure error />
            <p>{t("account.ask_new_link")}</p>
        }
        .into_any(),
        Some(Ok(info)) => view! { <SetPasswordForm token=token.clone() info /> }.into_any(),
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
        t("account.choose_new_title")
    } else {
        t("account.welcome")
    };
    view! {
        <h1>{heading}</h1>
        <p>{tf("account.choose_for", &[("name", &info.name), ("email", &info.email), ("until", &format_time(info.expires_at))])}</p>
        <ErrorSummary errors label=label />
        <form class="stack" on:submit=submit novalidate>
            <input type="email" autocomplete="username" value=info.email hidden readonly />
            <TextField name="password" label=t("account.password") hint=t("account.password_hint") kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label=t("account.password_again") kind="password" autocomplete="new-password" value=again errors />
            <button type="submit" disabled=move || busy.get()>{move || if busy.get() { t("account.saving") } else { t("account.save_and_log_in") }}</button>
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
                on:click=move |_| open.update(|o| *o = !*o)>{t("account.forgot")}</button>
            {move || open.get().then(|| if done.get() {
                view! { <p class="notice ok" role="status">{t("account.forgot_done")}</p> }.into_any()
            } else {
                view! {
                    <form class="stack" on:submit=submit novalidate>
                        <ErrorSummary errors />
                        <TextField name="email" label=t("account.your_email") kind="email" autocomplete="username" value=email errors />
                        <button type="submit">{t("account.ask_link")}</button>
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
    set_title(&t("account.title"));
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
                (true, true) => t("account.role_admin_leader"),
                (true, false) => t("account.role_admin"),
                _ => t("account.role_leader"),
            }
        ),
        _ => String::new(),
    };
    view! {
        <h1>{t("account.title")}</h1>
        <p class="meta">{who}</p>
        <h2>{t("account.change_heading")}</h2>
        <p class="muted">{tf("account.change_note", &[("min", &PASSWORD_MIN.to_string())])}</p>
        <ErrorSummary errors label=label />
        {move || saved.get().then(|| view! { <p class="notice ok" role="status">{t("account.changed")}</p> })}
        <form class="stack" on:submit=submit novalidate>
            <TextField name="current_password" label=t("account.current_password") kind="password" autocomplete="current-password" value=current errors />
            <TextField name="new_password" label=t("account.new_password") hint=t("account.password_hint") kind="password" autocomplete="new-password" value=password errors />
            <TextField name="confirm" label=t("account.new_password_again") kind="password" autocomplete="new-password" value=again errors />
            <button type="submit">{t("account.change")}</button>
        </form>
        <h2>{t("account.sessions")}</h2>
        <p>{t("account.sessions_note")}</p>
        {move || everywhere_error.get().map(|error| view! { <Failure error /> })}
        <button type="button" class="secondary" on:click=everywhere>{t("account.log_out_everywhere")}</button>
    }
}
