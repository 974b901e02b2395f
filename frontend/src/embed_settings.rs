//! The admin's "Intranet widget" settings: the origins that may embed the
//! check-in, the secrets the intranet signs identities with, the widget's
//! theme, and the snippet to paste.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::embed::{EmbedSettings, SaveEmbed, Scheme, Theme};

use crate::api;
use crate::components::format_time;
use crate::forms::{CopyText, ErrorSummary, FormErrors, TextField};

fn label(field: &str) -> Option<&'static str> {
    Some(match field {
        "origins" => "Intranet origins",
        "accent" => "Accent colour",
        "font" => "Font",
        "radius" => "Corner radius",
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
    let done = move |result: Result<EmbedSettings, api::ApiError>, saved: &'static str| match result
    {
        Ok(s) => {
            errors.set(FormErrors::default());
            current.set(s);
            note.set(Some(saved.to_owned()));
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
        spawn_local(async move { done(api::save_embed(&body).await, "Saved.") });
    };
    let add = move |_| {
        spawn_local(async move {
            done(
                api::add_embed_secret().await,
                "Secret added. Give it to your intranet's server, then remove the old one.",
            );
        });
    };
    let secrets = move || {
        let s = current.get();
        if s.secrets.is_empty() {
            return view! { <p class="muted">"No secret yet: add one, and give it to your intranet's server, which signs who is viewing."</p> }.into_any();
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
                            "Secret removed: tokens signed with it are refused from now on.",
                        );
                    });
                };
                let added = format!("Secret added {}", format_time(secret.created_at));
                // Shown in full once, right after it is added.
                let shown = if secret.secret.starts_with('…') {
                    view! { <p>{format!("{added}, ending in {}", secret.secret.trim_start_matches('…'))}</p> }.into_any()
                } else {
                    view! {
                        <CopyText id=format!("secret-{}", secret.id)
                            label=format!("{added}: copy it now, it is shown only once")
                            text=secret.secret />
                    }
                    .into_any()
                };
                view! {
                    <div class="panel">
                        {shown}
                        <button type="button" class="secondary" on:click=remove>"Remove this secret"</button>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="embed-title">
            <h2 id="embed-title">"Intranet widget"</h2>
            <p>"Employees can fill in their check-in inside your intranet, signed in by it: no link, no password. Your intranet's server signs who is viewing (an HS256 token: sub = their email, aud = the address below, at most 15 minutes), and the page passes it to the widget."</p>
            <ErrorSummary errors label=label />
            {move || note.get().map(|n| view! { <p class="notice ok" role="status">{n}</p> })}
            <form class="stack" on:submit=save novalidate>
                <div class="field">
                    <label for="f-origins">"Intranet origins"</label>
                    <p class="hint" id="f-origins-hint">"One per line, e.g. https://intranet.example.com. Only these may show the widget and call its API; https only, except on localhost."</p>
                    <p class="field-error" id="f-origins-err">{move || errors.with(|e| e.of("origins"))}</p>
                    <textarea id="f-origins" rows="3" spellcheck="false" aria-describedby="f-origins-hint f-origins-err"
                        aria-invalid=move || errors.with(|e| e.of("origins").is_some()).to_string()
                        bind:value=origins></textarea>
                </div>
                <TextField name="accent" label="Accent colour" hint="#rrggbb, for buttons and links; it must keep a 4.5:1 contrast. Empty: Skipcheck's blue." value=accent errors />
                <TextField name="font" label="Font" hint="A CSS font family list, e.g. \"Source Sans 3\", sans-serif. Empty: the system font." value=font errors />
                <TextField name="radius" label="Corner radius" hint="In pixels, 0 to 24." value=radius errors />
                <div class="field">
                    <label for="f-scheme">"Colours"</label>
                    <select id="f-scheme" bind:value=scheme>
                        <option value="light">"Light"</option>
                        <option value="dark">"Dark"</option>
                        <option value="auto">"As the reader's system is set"</option>
                    </select>
                </div>
                <button type="submit">"Save widget settings"</button>
            </form>
            <h3>"Signing secrets"</h3>
            <p class="muted">"Up to two at once, so you can move to a new one without a gap: add the new secret, give it to your intranet, then remove the old one."</p>
            {secrets}
            <button type="button" class="secondary" on:click=add
                disabled=move || current.with(|s| s.secrets.len() >= shared::embed::SECRETS_MAX)>"Add a secret"</button>
            <h3>"Snippet"</h3>
            <p class="muted">{move || format!("Paste it where the check-in belongs; put the token your server signed in data-token. Audience (aud): {}. Optional: data-lang (en, de), data-accent, data-font, data-radius, data-scheme.", current.with(|s| s.audience.clone()))}</p>
            {move || view! { <CopyText id="embed-snippet".to_owned() label="Snippet".to_owned() text=snippet(&current.get()) multiline=true /> }}
        </section>
    }
}
