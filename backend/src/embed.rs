//! The check-in inside an intranet page. The intranet's server signs who
//! the viewer is (an HS256 JWT); `/embed.js` on the intranet page puts the
//! check-in in an iframe at `/embed/{org}`, which only the organisation's
//! allowed origins may frame, and exchanges the token for a personal link.

use axum::http::{HeaderValue, Method, header};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use shared::embed::{self, DARK, LIGHT, Palette, Scheme, Theme};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::db::Db;
use crate::error::ApiError;

/// How far ahead an identity token may expire.
pub const MAX_TOKEN_LIFE: i64 = 15 * 60;
/// Clock difference tolerated between the intranet's server and this one.
const LEEWAY: u64 = 30;

/// The script an intranet page loads.
pub const EMBED_JS: &str = include_str!("../../frontend/embed/embed.js");
/// The script of the framed page: hand-shake with the host, identity
/// exchange, height and events.
pub const FRAME_JS: &str = include_str!("../../frontend/embed/frame.js");
/// The check-in page as Trunk built it (or a placeholder: see build.rs).
const CHECKIN_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/checkin-index.html"));

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
}

/// Checks an identity token against the organisation's secrets and returns
/// the email it names. Each refusal says what to fix, and nothing more.
pub fn verify(
    token: &str,
    secrets: &[String],
    audience: &str,
    now: i64,
) -> Result<String, ApiError> {
    const TAMPERED: ApiError = ApiError::Identity(
        "identity_invalid",
        "We couldn't confirm who you are. Reload the page; if it keeps happening, tell your intranet team.",
    );
    if secrets.is_empty() {
        return Err(ApiError::Identity(
            "identity_not_set_up",
            "The check-in isn't set up on this intranet yet: no signing secret. Tell your intranet team.",
        ));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    validation.leeway = LEEWAY;
    validation.validate_nbf = true;
    let mut last = TAMPERED;
    for secret in secrets {
        let key = DecodingKey::from_secret(secret.as_bytes());
        match jsonwebtoken::decode::<Claims>(token, &key, &validation) {
            Ok(data) => {
                if data.claims.exp > now + MAX_TOKEN_LIFE + i64::try_from(LEEWAY).unwrap_or(0) {
                    return Err(ApiError::Identity(
                        "identity_too_long",
                        "The sign-in your intranet sent lasts too long (at most 15 minutes). Tell your intranet team.",
                    ));
                }
                return shared::Email::parse(&data.claims.sub)
                    .map(|e| e.as_str().to_owned())
                    .map_err(|_| TAMPERED);
            }
            Err(e) => match e.kind() {
                // Another secret may have signed it.
                ErrorKind::InvalidSignature => {}
                ErrorKind::ExpiredSignature => {
                    last = ApiError::Identity(
                        "identity_expired",
                        "Your sign-in has expired. Reload the page to continue.",
                    );
                }
                ErrorKind::InvalidAudience => {
                    last = ApiError::Identity(
                        "identity_audience",
                        "This sign-in was made for another Skipcheck server. Tell your intranet team.",
                    );
                }
                _ => return Err(TAMPERED),
            },
        }
    }
    Err(last)
}

/// The unknown-person refusal: the same whether the email is missing or
/// the person has left.
pub const UNKNOWN_PERSON: ApiError = ApiError::Identity(
    "identity_unknown",
    "Skipcheck doesn't know you yet. Ask your admin to add you to the directory.",
);

/// The allowed origins stored as lines, parsed.
pub fn origins(stored: &str) -> Vec<String> {
    stored
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A stored theme, or the default one.
pub fn stored_theme(json: &str) -> Theme {
    serde_json::from_str(json).unwrap_or_default()
}

/// The query of an embed page: the host's origin and the data attributes.
#[derive(Debug, Default, Deserialize)]
pub struct EmbedQuery {
    pub host: Option<String>,
    pub lang: Option<String>,
    pub accent: Option<String>,
    pub font: Option<String>,
    pub radius: Option<String>,
    pub scheme: Option<String>,
}

/// The theme of one embedded widget: the settings', with each data
/// attribute that keeps the rules in its place. A refused attribute is
/// reported (and the setting kept), so the host page's developer learns why.
pub fn theme_for(stored: &Theme, query: &EmbedQuery) -> (Theme, Option<String>) {
    let mut theme = stored.clone();
    if let Some(s) = query.scheme.as_deref().and_then(Scheme::parse) {
        theme.scheme = s;
    }
    if let Some(r) = query.radius.as_deref().and_then(|r| r.parse().ok()) {
        theme.radius = r;
    }
    if let Some(f) = &query.font {
        theme.font.clone_from(f);
    }
    if let Some(a) = &query.accent {
        theme.accent.clone_from(a);
    }
    let problems = embed::check_theme(&theme);
    if problems.is_empty() {
        return (theme, None);
    }
    // Keep what passes, one attribute at a time. An accent from the
    // settings that the asked-for scheme can't take gives way to that
    // scheme's own.
    let refused = |field| problems.iter().any(|(f, _)| *f == field);
    let mut kept = theme.clone();
    if refused("radius") {
        kept.radius = stored.radius;
    }
    if refused("font") {
        kept.font.clone_from(&stored.font);
    }
    if refused("accent") {
        kept.accent.clone_from(&stored.accent);
        if embed::check_theme(&kept)
            .iter()
            .any(|(f, _)| *f == "accent")
        {
            kept.accent.clear();
        }
    }
    // Reported: what the host page's own attributes asked for.
    let given = |field: &str| match field {
        "accent" => query.accent.is_some(),
        "font" => query.font.is_some(),
        _ => query.radius.is_some(),
    };
    let message = problems
        .into_iter()
        .filter(|(f, _)| given(f))
        .map(|(f, m)| format!("data-{f}: {m}"))
        .collect::<Vec<_>>()
        .join(" ");
    if message.is_empty() {
        return (kept, None);
    }
    (kept, Some(message))
}

fn palette_css(p: &Palette) -> String {
    let c = |rgb| embed::css_colour(rgb);
    format!(
        "--sc-bg:{};--sc-fg:{};--sc-muted:{};--sc-accent:{};--sc-on-accent:{};--sc-error:{};--sc-ok:{};--sc-line:{};--sc-border:{};--sc-soft:{};",
        c(p.bg),
        c(p.fg),
        c(p.muted),
        c(p.accent),
        c(p.on_accent),
        c(p.error),
        c(p.ok),
        c(p.line),
        c(p.border),
        c(p.soft)
    )
}

/// The theme as CSS custom properties on the framed page's root. Only
/// values that passed [`embed::check_theme`] get here.
pub fn theme_css(theme: &Theme) -> String {
    let accent = embed::parse_colour(&theme.accent);
    let light = embed::palette(LIGHT, accent, "light").unwrap_or(LIGHT);
    let dark = embed::palette(DARK, accent, "dark").unwrap_or(DARK);
    // `html[data-embed]` outranks base.css's `:root`, whatever the order.
    let mut css = format!("html[data-embed]{{--sc-radius:{}px;", theme.radius.min(24));
    if !theme.font.trim().is_empty() {
        css.push_str(&format!("--sc-font:{};", theme.font.trim()));
    }
    match theme.scheme {
        Scheme::Light => css.push_str(&palette_css(&light)),
        Scheme::Dark => {
            css.push_str(&palette_css(&dark));
            css.push_str("color-scheme:dark;");
        }
        Scheme::Auto => {
            css.push_str(&palette_css(&light));
            css.push_str("}@media (prefers-color-scheme: dark){html[data-embed]{");
            css.push_str(&palette_css(&dark));
            css.push_str("color-scheme:dark;}");
        }
    }
    css.push('}');
    // The framed page has no scrollbar of its own: the host sizes the frame.
    css.push_str("html,body{overflow:hidden}");
    css
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The framed check-in: the check-in page with the theme, the language and
/// the frame's script. (Trunk's minified HTML has no `<head>` tag and no
/// quotes, so the page is cut at its `<html …>` tag and its `<title>`.)
pub fn page(theme: &Theme, lang: &str, theme_error: Option<&str>) -> String {
    let lang = crate::i18n::language(lang);
    let mut html = format!("<!doctype html><html lang=\"{lang}\" data-embed=\"1\"");
    if let Some(e) = theme_error {
        html.push_str(&format!(" data-theme-error=\"{}\"", escape(e)));
    }
    html.push('>');
    let rest = CHECKIN_HTML
        .find("<html")
        .and_then(|at| {
            CHECKIN_HTML[at..]
                .find('>')
                .map(|end| &CHECKIN_HTML[at + end + 1..])
        })
        .unwrap_or(CHECKIN_HTML);
    let (before, after) = rest.split_at(rest.find("<title").unwrap_or(0));
    html.push_str(before);
    html.push_str(&format!(
        "<style>{}</style><script src=\"/embed/frame.js\"></script>",
        theme_css(theme)
    ));
    html.push_str(after);
    html
}

/// The `frame-ancestors` policy of an embed page.
pub fn frame_policy(origins: &[String]) -> String {
    let ancestors = if origins.is_empty() {
        "'none'".to_owned()
    } else {
        origins.join(" ")
    };
    format!(
        "frame-ancestors {ancestors}; {}; object-src 'none'; base-uri 'none'",
        crate::assets::script_src()
    )
}

/// The API paths the widget calls, the only ones that answer other origins.
fn embed_api(path: &str) -> bool {
    matches!(
        path,
        "/api/checkin" | "/api/checkin/draft" | "/api/checkin/submit"
    ) || (path.starts_with("/api/embed/") && path.ends_with("/session"))
}

/// CORS for the widget's API, for the allowed origins only; no cookies
/// (the widget authenticates with a bearer token).
pub fn cors(db: Db) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, parts: &axum::http::request::Parts| {
                let db = db.clone();
                let wanted = embed_api(parts.uri.path());
                async move {
                    let Ok(origin) = origin.to_str() else {
                        return false;
                    };
                    wanted && db.embed_origin_allowed(origin).await.unwrap_or(false)
                }
            },
        ))
        .allow_methods([Method::GET, Method::PUT, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};

    fn sign(claims: &serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn code(r: Result<String, ApiError>) -> &'static str {
        match r {
            Err(ApiError::Identity(code, _)) => code,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tokens_are_checked() {
        let now = crate::now();
        let aud = "https://skipcheck.example.com";
        let secrets = ["old".to_owned(), "new".to_owned()];
        let good = serde_json::json!({"sub": "Ada@Example.com", "aud": aud, "exp": now + 600});
        assert_eq!(
            verify(&sign(&good, "new"), &secrets, aud, now).unwrap(),
            "ada@example.com"
        );
        assert!(verify(&sign(&good, "old"), &secrets, aud, now).is_ok());
        assert_eq!(
            code(verify(&sign(&good, "other"), &secrets, aud, now)),
            "identity_invalid"
        );
        assert_eq!(
            code(verify(&sign(&good, "new"), &[], aud, now)),
            "identity_not_set_up"
        );
        let expired = serde_json::json!({"sub": "a@example.com", "aud": aud, "exp": now - 120});
        assert_eq!(
            code(verify(&sign(&expired, "new"), &secrets, aud, now)),
            "identity_expired"
        );
        let long = serde_json::json!({"sub": "a@example.com", "aud": aud, "exp": now + 3600});
        assert_eq!(
            code(verify(&sign(&long, "new"), &secrets, aud, now)),
            "identity_too_long"
        );
        let elsewhere = serde_json::json!({"sub": "a@example.com", "aud": "https://x.example", "exp": now + 60});
        assert_eq!(
            code(verify(&sign(&elsewhere, "new"), &secrets, aud, now)),
            "identity_audience"
        );
        let no_aud = serde_json::json!({"sub": "a@example.com", "exp": now + 60});
        assert_eq!(
            code(verify(&sign(&no_aud, "new"), &secrets, aud, now)),
            "identity_invalid"
        );
        // A token whose payload was changed after signing.
        let token = sign(&good, "new");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = sign(
            &serde_json::json!({"sub": "boss@example.com", "aud": aud, "exp": now + 600}),
            "x",
        );
        let forged_payload = forged.split('.').nth(1).unwrap().to_owned();
        parts[1] = &forged_payload;
        assert_eq!(
            code(verify(&parts.join("."), &secrets, aud, now)),
            "identity_invalid"
        );
        // alg=none is never accepted.
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert_eq!(code(verify(&none, &secrets, aud, now)), "identity_invalid");
        assert_eq!(
            code(verify("garbage", &secrets, aud, now)),
            "identity_invalid"
        );
    }

    #[test]
    fn attributes_that_fail_are_reported_and_the_rest_kept() {
        let stored = Theme::default();
        let query = EmbedQuery {
            accent: Some("#ffee00".into()),
            radius: Some("12".into()),
            ..EmbedQuery::default()
        };
        let (theme, error) = theme_for(&stored, &query);
        assert_eq!(theme.radius, 12);
        assert_eq!(theme.accent, "");
        assert!(error.unwrap().starts_with("data-accent:"));
        // The settings' dark purple can't show on a dark background: the
        // dark scheme's own accent takes its place, and nothing is reported.
        let purple = Theme {
            accent: "#7a1f5c".into(),
            ..Theme::default()
        };
        let dark = EmbedQuery {
            scheme: Some("dark".into()),
            ..EmbedQuery::default()
        };
        let (theme, error) = theme_for(&purple, &dark);
        assert_eq!(
            (theme.scheme, theme.accent.as_str(), error),
            (Scheme::Dark, "", None)
        );
        let css = theme_css(&Theme {
            scheme: Scheme::Auto,
            ..Theme::default()
        });
        assert!(css.contains("prefers-color-scheme: dark"), "{css}");
    }
}
