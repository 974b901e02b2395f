//! The pages, embedded at build time and served from memory, compressed by
//! `Accept-Encoding`. Trunk puts a content hash in every file name but the
//! HTML, so those files are cached for a year and the HTML is revalidated.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use memory_serve::{CacheControl, MemoryServe};

/// Release builds store the files brotli-compressed; memory-serve unpacks
/// them (for clients that take neither brotli nor gzip) and makes gzip
/// (and, in debug builds, brotli too) once per process, for each bundle at
/// its first request ([`lazily`]), so a server that serves only the API
/// holds none of it (about 5 MB).
static PAGES: OnceLock<Router> = OnceLock::new();

/// A bundle's files; its client-side routes (any path of it that is no
/// file) fall back to its `index.html`.
fn configure(pages: MemoryServe) -> MemoryServe {
    pages
        .index_file(Some("/index.html"))
        .fallback(Some("/index.html"))
        .fallback_status(StatusCode::OK)
        .enable_brotli(true)
        .enable_gzip(true)
        .html_cache_control(CacheControl::NoCache)
        .cache_control(CacheControl::Long)
}

/// The bundle `make` makes, made at its first request (on a thread for
/// blocking work: unpacking and gzipping take milliseconds) and kept.
fn lazily(make: fn() -> Router) -> Router {
    let bundle: &'static tokio::sync::OnceCell<Router> =
        Box::leak(Box::new(tokio::sync::OnceCell::new()));
    Router::new().fallback(move |request: axum::extract::Request| async move {
        let made = bundle
            .get_or_try_init(|| tokio::task::spawn_blocking(make))
            .await;
        let Ok(router) = made else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the pages could not be unpacked",
            )
                .into_response();
        };
        match tower::Service::call(&mut router.clone(), request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    })
}

/// `/checkin/…`: the employee's bundle. `/admin/…`: the admin's bundle.
/// `/insights/…`: the leader's round reports and trends (charts, in a
/// bundle of their own). Everything else: the leader's pages. Each
/// bundle's paths that are no file fall back to its `index.html`.
pub fn router() -> Router {
    PAGES
        .get_or_init(|| {
            let checkin = lazily(|| configure(memory_serve::load!("checkin")).into_router());
            let leader = lazily(|| configure(memory_serve::load!("leader")).into_router());
            let admin = lazily(|| configure(memory_serve::load!("admin")).into_router());
            let insights = lazily(|| configure(memory_serve::load!("insights")).into_router());
            let templates = lazily(|| configure(memory_serve::load!("templates")).into_router());
            Router::new()
                .route(
                    "/checkin",
                    axum::routing::get(|| async {
                        axum::response::Redirect::permanent("/checkin/")
                    }),
                )
                .nest_service("/checkin/", checkin)
                .route(
                    "/admin",
                    axum::routing::get(|| async { axum::response::Redirect::permanent("/admin/") }),
                )
                .nest_service("/admin/", admin)
                .nest_service("/insights/", insights)
                // Short addresses for pages of the admin's bundle that every
                // account uses (a redirect keeps a link's #fragment).
                .route(
                    "/account",
                    axum::routing::get(|| async { axum::response::Redirect::to("/admin/account") }),
                )
                // The manager's page lives in the insights bundle.
                .route(
                    "/estimate",
                    axum::routing::get(|| async {
                        axum::response::Redirect::to("/insights/estimate")
                    }),
                )
                // The template editor, a bundle of its own (it was at /admin/templates).
                .nest_service("/templates/", templates)
                .route(
                    "/templates",
                    axum::routing::get(|| async {
                        axum::response::Redirect::permanent("/templates/")
                    }),
                )
                .route(
                    "/admin/templates",
                    axum::routing::get(|| async {
                        axum::response::Redirect::permanent("/templates/")
                    }),
                )
                .route(
                    "/admin/templates/{id}",
                    axum::routing::get(
                        |axum::extract::Path(id): axum::extract::Path<String>| async move {
                            // Ids only: anything else would reach the Location header.
                            let id = if id
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                            {
                                id
                            } else {
                                String::new()
                            };
                            axum::response::Redirect::permanent(&format!("/templates/{id}"))
                        },
                    ),
                )
                .route(
                    "/set-password",
                    axum::routing::get(|| async {
                        axum::response::Redirect::to("/admin/set-password")
                    }),
                )
                .fallback_service(leader)
                // A file that is not there is not a page: no HTML for it.
                .layer(axum::middleware::map_response(
                    |uri: axum::http::Uri, response: Response| async move {
                        if looks_like_a_file(uri.path()) && is_html(&response) {
                            (StatusCode::NOT_FOUND, "no such file").into_response()
                        } else {
                            response
                        }
                    },
                ))
        })
        .clone()
}

/// Whether a path names a file (its last part has an extension: `x.js`,
/// `logo.gif`, `site.webmanifest`) rather than a page of a bundle's router,
/// whose paths are words and ids.
fn looks_like_a_file(path: &str) -> bool {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty()
            && (1..=12).contains(&extension.len())
            && extension.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Every bundle's page as text.
const PAGES_HTML: [&str; 5] = [
    include_str!(concat!(env!("OUT_DIR"), "/checkin-index.html")),
    include_str!(concat!(env!("OUT_DIR"), "/leader-index.html")),
    include_str!(concat!(env!("OUT_DIR"), "/admin-index.html")),
    include_str!(concat!(env!("OUT_DIR"), "/insights-index.html")),
    include_str!(concat!(env!("OUT_DIR"), "/templates-index.html")),
];

/// `script-src` for Skipcheck's own pages: their files, WebAssembly, and
/// each page's inline start-up script (Trunk's) by its hash; no other
/// inline script, no `eval`.
pub fn script_src() -> &'static str {
    static SCRIPT_SRC: OnceLock<String> = OnceLock::new();
    SCRIPT_SRC.get_or_init(|| {
        use base64::Engine as _;
        use sha2::Digest as _;
        let mut policy = String::from("script-src 'self' 'wasm-unsafe-eval'");
        for html in PAGES_HTML {
            for script in inline_scripts(html) {
                let hash = sha2::Sha256::digest(script.as_bytes());
                let hash = base64::engine::general_purpose::STANDARD.encode(hash);
                let source = format!(" 'sha256-{hash}'");
                if !policy.contains(&source) {
                    policy.push_str(&source);
                }
            }
        }
        policy
    })
}

/// The contents of a page's `<script>` elements without `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + open_end];
        let body_start = start + open_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            found.push(&rest[body_start..body_start + close]);
        }
        rest = &rest[body_start + close..];
    }
    found
}

/// The policy of Skipcheck's own pages: framed by themselves only (the
/// widget's page says otherwise), scripts as [`script_src`] says, no
/// plugins, no `<base>` tricks.
pub fn content_security_policy() -> String {
    format!(
        "frame-ancestors 'self'; {}; object-src 'none'; base-uri 'none'",
        script_src()
    )
}
