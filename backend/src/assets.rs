//! The pages, embedded at build time and served from memory, compressed by
//! `Accept-Encoding`. Trunk puts a content hash in every file name but the
//! HTML, so those files are cached for a year and the HTML is revalidated.

use std::sync::OnceLock;

use axum::Router;
use axum::http::StatusCode;
use memory_serve::{CacheControl, MemoryServe};

/// Release builds store the files brotli-compressed; gzip (and, in debug
/// builds, brotli too) is made once per process, here.
static PAGES: OnceLock<Router> = OnceLock::new();

fn configure(pages: MemoryServe) -> MemoryServe {
    pages
        .index_file(Some("/index.html"))
        .enable_brotli(true)
        .enable_gzip(true)
        .html_cache_control(CacheControl::NoCache)
        .cache_control(CacheControl::Long)
}

/// `/checkin/…`: the employee's bundle. `/admin/…`: the admin's bundle.
/// `/insights/…`: the leader's round reports and trends (charts, in a
/// bundle of their own). Everything else: the leader's pages. The admin's and the leader's
/// client-side routes fall back to their bundle's `index.html`.
pub fn router() -> Router {
    PAGES
        .get_or_init(|| {
            let checkin = configure(memory_serve::load!("checkin")).into_router();
            let leader = configure(memory_serve::load!("leader"))
                .fallback(Some("/index.html"))
                .fallback_status(StatusCode::OK)
                .into_router();
            let admin = configure(memory_serve::load!("admin"))
                .fallback(Some("/index.html"))
                .fallback_status(StatusCode::OK)
                .into_router();
            let insights = configure(memory_serve::load!("insights"))
                .fallback(Some("/index.html"))
                .fallback_status(StatusCode::OK)
                .into_router();
            let templates = configure(memory_serve::load!("templates"))
                .fallback(Some("/index.html"))
                .fallback_status(StatusCode::OK)
                .into_router();
            Router::new()
                .route(
                    "/checkin",
                    axum::routing::get(|| async {
                        axum::response::Redirect::permanent("/checkin/")
                    }),
                )
                .nest("/checkin/", checkin)
                .route(
                    "/admin",
                    axum::routing::get(|| async { axum::response::Redirect::permanent("/admin/") }),
                )
                .nest("/admin/", admin)
                .nest("/insights/", insights)
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
                .nest("/templates/", templates)
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
                .merge(leader)
        })
        .clone()
}
