//! The admin's "Intranet widget" settings: the origins that may embed the
//! check-in, the secrets the intranet signs identities with, the widget's
//! theme, and the snippet to paste.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::embed::{EmbedSettings, SaveEmbed, Scheme, Theme};

use crate::api;
use crate::components::format_time;
use crate::forms::{CopyText, ErrorSummary, FormErrors, TextField};
use crate::i18n::{t, tf};

fn label(field: &str) -> Option<String> {
    Some(match field {
        "origins" => t("embed_admin.origins"),
        "accent" => t("embed_admin.accent"),
        "font" => t("embed_admin.font"),
        "radius" => t("embed_admin.radius"),
        _ => return None,
    })
}

/// The snippet an intranet page pastes.
pub fn snippet(s: &EmbedSettings) -> String {
    format!(
        "<script async src=\"{url}/embed.js\"></script>\n<div data-skipcheck=\"{org}\" data-token=\"SIGNED-TOKEN\"></div>",
        url = s.audience,
        org = s.org_id
    )
}

/// The "Intranet widget" section of the settings page.
#[component]
pub fn EmbedPanel(settings: EmbedSettings) -> impl IntoView {
    let current = RwSignal::new(settings.clone());
    let theme = settings.theme;
    let origins = RwSignal::new(settings.origins.join("\n"));
    let accent = RwSignal::new(theme.accent);
    let font = RwSignal::new(theme.font);
    let radius = RwSignal::new(theme.radius.to_string());
    let scheme = RwSignal::new(
        match theme.scheme {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
            Scheme::Auto => "auto",
        }
        .to_owned(),
    );
    let errors = RwSignal::new(FormErrors::default());
    let note = RwSignal::new(None::<String>);
    let done = move |result: Result<EmbedSettings, api::ApiError>, saved: String| match result {
        Ok(s) => {
            errors.set(FormErrors::default());
            current.set(s);
            note.set(Some(saved));
        }
        Err(e) => {
            note.set(None);
            errors.set(FormErrors::from_error(&e));
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = SaveEmbed {
            origins: origins.get_untracked().lines().map(str::to_owned).collect(),
            theme: Theme {
                accent: accent.get_untracked(),
                font: font.get_untracked(),
                // Not a number: the server says what it accepts.
                radius: radius.get_untracked().trim().parse().unwrap_or(u32::MAX),
                scheme: Scheme::parse(&scheme.get_untracked()).unwrap_or_default(),
            },
        };
        spawn_local(async move { done(api::save_embed(&body).await, t("embed_admin.saved")) });
    };
    let add = move |_| {
        spawn_local(async move {
            done(api::add_embed_secret().await, t("embed_admin.secret_added"));
        });
    };
    let secrets = move || {
        let s = current.get();
        if s.secrets.is_empty() {
            return view! { <p class="muted">{t("embed_admin.no_secret")}</p> }.into_any();
        }
        s.secrets
            .into_iter()
            .map(|secret| {
                let id = secret.id.clone();
                let remove = move |_| {
                    let id = id.clone();
                    spawn_local(async move {
                        done(
                            api::delete_embed_secret(&id).await,
                            t("embed_admin.secret_removed"),
                        );
                    });
                };
                let at = format_time(secret.created_at);
                // Shown in full once, right after it is added.
                let shown = if secret.secret.starts_with('…') {
                    let end = secret.secret.trim_start_matches('…');
                    view! { <p>{tf("embed_admin.secret_ending", &[("at", &at), ("end", end)])}</p> }.into_any()
                } else {
                    view! {
                        <CopyText id=format!("secret-{}", secret.id)
                            label=tf("embed_admin.secret_copy", &[("at", &at)])
                            text=secret.secret />
                    }
                    .into_any()
                };
                view! {
                    <div class="panel">
                        {shown}
                        <button type="button" class="secondary" on:click=remove>{t("embed_admin.remove_secret")}</button>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="embed-title">
            <h2 id="embed-title">{t("embed_admin.title")}</h2>
            <p>{t("embed_admin.intro")}</p>
            <ErrorSummary errors label=label />
            {move || note.get().map(|n| view! { <p class="notice ok" role="status">{n}</p> })}
            <form class="stack" on:submit=save novalidate>
                <div class="field">
                    <label for="f-origins">{t("embed_admin.origins")}</label>
                    <p class="hint" id="f-origins-hint">{t("embed_admin.origins_hint")}</p>
                    <p class="field-error" id="f-origins-err">{move || errors.with(|e| e.of("origins"))}</p>
                    <textarea id="f-origins" rows="3" spellcheck="false" aria-describedby="f-origins-hint f-origins-err"
                        aria-invalid=move || errors.with(|e| e.of("origins").is_some()).to_string()
                        bind:value=origins></textarea>
                </div>
                <TextField name="accent" label=t("embed_admin.accent") hint=t("embed_admin.accent_hint") value=accent errors />
                <TextField name="font" label=t("embed_admin.font") hint=t("embed_admin.font_hint") value=font errors />
                <TextField name="radius" label=t("embed_admin.radius") hint=t("embed_admin.radius_hint") value=radius errors />
                <div class="field">
                    <label for="f-scheme">{t("embed_admin.scheme")}</label>
                    <select id="f-scheme" bind:value=scheme>
                        <option value="light">{t("embed_admin.scheme_light")}</option>
                        <option value="dark">{t("embed_admin.scheme_dark")}</option>
                        <option value="auto">{t("embed_admin.scheme_auto")}</option>
                    </select>
                </div>
                <button type="submit">{t("embed_admin.save")}</button>
            </form>
            <h3>{t("embed_admin.secrets")}</h3>
            <p class="muted">{t("embed_admin.secrets_note")}</p>
            {secrets}
            <button type="button" class="secondary" on:click=add
                disabled=move || current.with(|s| s.secrets.len() >= shared::embed::SECRETS_MAX)>
                {t("embed_admin.add_secret")}
            </button>
            <h3>{t("embed_admin.snippet")}</h3>
            <p class="muted">
                {move || tf("embed_admin.snippet_note", &[("aud", &current.with(|s| s.audience.clone()))])}
            </p>
            {move || view! {
                <CopyText id="embed-snippet".to_owned() label=t("embed_admin.snippet") text=snippet(&current.get()) multiline=true />
            }}
        </section>
    }
}
