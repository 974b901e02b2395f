//! The check-in embedded in an intranet: which origins may frame it, the
//! secrets an intranet signs its viewers' identity with, and the widget's
//! theme, with the WCAG contrast rules a theme must keep.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// At most this many origins may embed the widget.
pub const ORIGINS_MAX: usize = 20;
/// At most this many signing secrets are active at once: the current one and
/// the next, so an intranet can move to a new secret without a gap.
pub const SECRETS_MAX: usize = 2;

/// What the admin's settings page shows about embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmbedSettings {
    /// The organisation's id, which the snippet names.
    pub org_id: String,
    /// Exact origins (`https://intranet.example.com`) that may frame the widget.
    pub origins: Vec<String>,
    /// The secrets identity tokens may be signed with, newest first.
    pub secrets: Vec<EmbedSecret>,
    /// The audience a token must name: this server's public URL.
    pub audience: String,
    pub theme: Theme,
}

/// An HS256 signing secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmbedSecret {
    pub id: String,
    /// In full only in the answer that added it, to copy into the
    /// intranet's server; afterwards its last four characters (`…3f9a`).
    pub secret: String,
    pub created_at: i64,
}

/// Saves the allowed origins and the theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveEmbed {
    pub origins: Vec<String>,
    pub theme: Theme,
}

/// Light, dark, or as the reader's system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    #[default]
    Light,
    Dark,
    Auto,
}

impl Scheme {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            "auto" => Some(Self::Auto),
            _ => None,
        }
    }
}

/// The widget's look. Empty fields keep the default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// `#rrggbb`; empty for Skipcheck's blue.
    #[serde(default)]
    pub accent: String,
    /// A CSS font family list, e.g. `"Source Sans 3", sans-serif`; empty for the system font.
    #[serde(default)]
    pub font: String,
    /// Corner radius in pixels, 0 to 24.
    #[serde(default = "default_radius")]
    pub radius: u32,
    #[serde(default)]
    pub scheme: Scheme,
}

fn default_radius() -> u32 {
    6
}

/// A colour as red, green, blue.
pub type Rgb = (u8, u8, u8);

/// The colours of the widget in one scheme; every pair a reader sees meets
/// WCAG 2.2 AA (see the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub bg: Rgb,
    pub fg: Rgb,
    pub muted: Rgb,
    pub accent: Rgb,
    pub on_accent: Rgb,
    pub error: Rgb,
    pub ok: Rgb,
    pub line: Rgb,
    pub border: Rgb,
    pub soft: Rgb,
}

pub const LIGHT: Palette = Palette {
    bg: (0xff, 0xff, 0xff),
    fg: (0x1d, 0x23, 0x30),
    muted: (0x5a, 0x62, 0x72),
    accent: (0x24, 0x46, 0xa8),
    on_accent: (0xff, 0xff, 0xff),
    error: (0xb3, 0x26, 0x1e),
    ok: (0x1d, 0x6b, 0x3a),
    line: (0xd5, 0xd9, 0xe2),
    border: (0x8a, 0x92, 0xa3),
    soft: (0xf1, 0xf3, 0xf8),
};

pub const DARK: Palette = Palette {
    bg: (0x16, 0x19, 0x20),
    fg: (0xe8, 0xea, 0xf0),
    muted: (0xa9, 0xb0, 0xbf),
    accent: (0x8f, 0xb0, 0xff),
    on_accent: (0x0b, 0x10, 0x20),
    error: (0xff, 0x8a, 0x80),
    ok: (0x7d, 0xd6, 0x9b),
    line: (0x3a, 0x41, 0x50),
    border: (0x7b, 0x84, 0x96),
    soft: (0x22, 0x27, 0x33),
};

/// Reads `#rrggbb` (or `#rgb`).
pub fn parse_colour(raw: &str) -> Option<Rgb> {
    let hex = raw.trim().strip_prefix('#')?;
    let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
    match hex.len() {
        6 => Some((digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
        3 => {
            let d = |i| digit(i, 1).map(|v| v * 17);
            Some((d(0)?, d(1)?, d(2)?))
        }
        _ => None,
    }
}

/// `#rrggbb`.
pub fn css_colour((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// WCAG 2.2 relative luminance.
fn luminance((r, g, b): Rgb) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG 2.2 contrast ratio, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// AA for normal text.
pub const TEXT_CONTRAST: f64 = 4.5;

/// The palette of `scheme` with `accent` (if any), or why the accent fails:
/// it is link text on the background, so it needs 4.5:1 there, and the text
/// on an accent button is white or near-black, whichever reads better.
pub fn palette(base: Palette, accent: Option<Rgb>, scheme_name: &str) -> Result<Palette, String> {
    let Some(accent) = accent else {
        return Ok(base);
    };
    let on_accent = [(0xff, 0xff, 0xff), (0x0b, 0x10, 0x20)]
        .into_iter()
        .max_by(|a, b| contrast(*a, accent).total_cmp(&contrast(*b, accent)))
        .unwrap_or((0xff, 0xff, 0xff));
    let against_bg = contrast(accent, base.bg);
    if against_bg < TEXT_CONTRAST {
        let colour = css_colour(accent);
        // Two whole sentences, so each can be translated.
        return Err(if scheme_name == "dark" {
            format!(
                "{colour} has a contrast of {against_bg:.1}:1 against the dark background; links and buttons need at least 4.5:1. Choose a lighter colour."
            )
        } else {
            format!(
                "{colour} has a contrast of {against_bg:.1}:1 against the light background; links and buttons need at least 4.5:1. Choose a darker colour."
            )
        });
    }
    Ok(Palette {
        accent,
        on_accent,
        ..base
    })
}

/// Checks a theme: the accent against each scheme it will show in, the
/// font list, the radius. Returns the problems by field.
pub fn check_theme(theme: &Theme) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    let accent = theme.accent.trim();
    if !accent.is_empty() {
        match parse_colour(accent) {
            None => problems.push((
                "accent",
                "Enter a colour as #rrggbb, e.g. #2446a8, or leave it empty for the default."
                    .to_owned(),
            )),
            Some(rgb) => {
                let schemes: &[(Palette, &str)] = match theme.scheme {
                    Scheme::Light => &[(LIGHT, "light")],
                    Scheme::Dark => &[(DARK, "dark")],
                    Scheme::Auto => &[(LIGHT, "light"), (DARK, "dark")],
                };
                for (base, name) in schemes {
                    if let Err(e) = palette(*base, Some(rgb), name) {
                        problems.push(("accent", e));
                        break;
                    }
                }
            }
        }
    }
    // Names, commas and quoted names only: nothing that could end the
    // declaration or open a comment, and quotes in pairs.
    let font = &theme.font;
    if font.chars().count() > 200
        || !font
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '-' | '_' | '.' | '"' | '\''))
        || font.matches('"').count() % 2 == 1
        || font.matches('\'').count() % 2 == 1
    {
        problems.push((
            "font",
            "Enter a font family list such as \"Source Sans 3\", sans-serif: letters, digits, spaces, commas, hyphens and quoted names, at most 200 characters."
                .to_owned(),
        ));
    }
    if theme.radius > 24 {
        problems.push((
            "radius",
            "Choose a corner radius from 0 to 24 pixels.".to_owned(),
        ));
    }
    problems
}

/// Checks an origin the admin typed: `https://host[:port]`, or `http://` on
/// loopback only; no path. Returns it as browsers send it.
pub fn check_origin(raw: &str) -> Result<String, String> {
    let origin = raw.trim().trim_end_matches('/').to_lowercase();
    let bad = || {
        format!(
            "{:?} is not an origin: write the scheme and host only, e.g. https://intranet.example.com.",
            raw.trim()
        )
    };
    let (scheme, rest) = origin.split_once("://").ok_or_else(bad)?;
    if rest.is_empty()
        || rest.contains(['/', '?', '#', '@', '*', ' ', '"', '\'', ';', ','])
        || rest.chars().any(|c| c.is_control() || !c.is_ascii())
    {
        return Err(bad());
    }
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !rest.ends_with(']') => {
            if port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(bad());
            }
            host
        }
        _ => rest,
    };
    if host.is_empty() {
        return Err(bad());
    }
    let loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    // Browsers leave the default port out of an origin.
    let origin = match scheme {
        "https" => origin
            .strip_suffix(":443")
            .map_or(origin.clone(), str::to_owned),
        _ => origin
            .strip_suffix(":80")
            .map_or(origin.clone(), str::to_owned),
    };
    match scheme {
        "https" => Ok(origin),
        "http" if loopback => Ok(origin),
        "http" => Err(format!(
            "{origin} uses plain http: only https origins may embed the check-in (http is allowed on localhost, for trying it out)."
        )),
        _ => Err(bad()),
    }
}

/// What exchanging an identity token gives the widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmbedSession {
    /// A personal link's token for the person's next open check-in, valid
    /// for 12 hours; none when there is nothing to fill in right now.
    pub link: Option<String>,
    pub expires_at: Option<i64>,
}

/// The body of an identity exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmbedIdentity {
    /// The HS256 JWT the intranet signed: sub = email, aud = this server's
    /// public URL, exp at most 15 minutes ahead.
    pub token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_aa(p: &Palette) {
        for (name, fg, bg, need) in [
            ("text", p.fg, p.bg, 4.5),
            ("muted text", p.muted, p.bg, 4.5),
            ("links", p.accent, p.bg, 4.5),
            ("button text", p.on_accent, p.accent, 4.5),
            ("errors", p.error, p.bg, 4.5),
            ("confirmations", p.ok, p.bg, 4.5),
            ("text on notices", p.fg, p.soft, 4.5),
            ("muted text on notices", p.muted, p.soft, 4.5),
            ("field borders", p.border, p.bg, 3.0),
            ("focus ring", p.accent, p.bg, 3.0),
        ] {
            let c = contrast(fg, bg);
            assert!(c >= need, "{name}: {c:.2} < {need}");
        }
    }

    #[test]
    fn default_palettes_pass_aa() {
        assert_aa(&LIGHT);
        assert_aa(&DARK);
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast((0x77, 0x77, 0x77), (255, 255, 255)) - 4.48).abs() < 0.01);
    }

    #[test]
    fn accents_are_judged_per_scheme() {
        let mut theme = Theme {
            accent: "#ffd400".into(),
            ..Theme::default()
        };
        let problems = check_theme(&theme);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].1.contains("darker"), "{problems:?}");
        theme.scheme = Scheme::Dark;
        assert!(check_theme(&theme).is_empty());
        theme.scheme = Scheme::Auto;
        assert_eq!(check_theme(&theme).len(), 1);
        theme.accent = "#2446a8".into();
        theme.scheme = Scheme::Light;
        assert!(check_theme(&theme).is_empty());
        let p = palette(LIGHT, parse_colour("#ffd400"), "dark");
        assert!(p.is_err());
        assert_aa(&palette(DARK, parse_colour("#ffd400"), "dark").unwrap());
        theme.accent = "blue".into();
        assert_eq!(check_theme(&theme)[0].0, "accent");
    }

    #[test]
    fn fonts_and_radius_are_bounded() {
        let theme = Theme {
            font: "x; } body { display:none".into(),
            radius: 99,
            ..Theme::default()
        };
        let fields: Vec<_> = check_theme(&theme).into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["font", "radius"]);
        for bad in ["\"Open Sans, serif", "a /* b", "x [y]", "'a\" b"] {
            let theme = Theme {
                font: bad.into(),
                ..Theme::default()
            };
            assert_eq!(check_theme(&theme).len(), 1, "{bad}");
        }
        let good = Theme {
            font: "\"Source Sans 3\", 'Noto Sans', system-ui, sans-serif".into(),
            ..Theme::default()
        };
        assert!(check_theme(&good).is_empty());
    }

    #[test]
    fn origins_are_exact_and_https() {
        assert_eq!(
            check_origin(" https://Intranet.Example.com/ ").unwrap(),
            "https://intranet.example.com"
        );
        assert_eq!(
            check_origin("http://127.0.0.1:8090").unwrap(),
            "http://127.0.0.1:8090"
        );
        assert!(check_origin("http://localhost:3000").is_ok());
        assert_eq!(
            check_origin("https://intranet.example.com:443").unwrap(),
            "https://intranet.example.com"
        );
        for bad in [
            "http://intranet.example.com",
            "intranet.example.com",
            "https://intranet.example.com/path",
            "https://*.example.com",
            "https://a.example.com, https://b.example.com",
            "https://",
            "https://host:0",
            "https://host:99999",
            "javascript://x",
            "https://exa mple.com",
        ] {
            assert!(check_origin(bad).is_err(), "{bad} accepted");
        }
    }
}
