//! The pages, embedded at build time and served from memory, compressed by
//! `Accept-Encoding`. Trunk puts a content hash in every file name but the
//! HTML, so those files are cached for a year and the HTML is revalidated.

use axum::Router;
use axum::http::StatusCode;
use memory_serve::CacheControl;

/// `/checkin/…`: the employee's bundle. Everything else: the leader's pages,
/// whose client-side routes all fall back to their `index.html`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let checkin = memory_serve::load!("checkin")
        .index_file(Some("/index.html"))
        .html_cache_control(CacheControl::NoCache)
        .cache_control(CacheControl::Long)
        .into_router();
    let leader = memory_serve::load!("leader")
        .index_file(Some("/index.html"))
        .fallback(Some("/index.html"))
        .fallback_status(StatusCode::OK)
        .html_cache_control(CacheControl::NoCache)
        .cache_control(CacheControl::Long)
        .into_router();
    Router::new()
        .route(
            "/checkin",
            axum::routing::get(|| async { axum::response::Redirect::permanent("/checkin/") }),
        )
        .nest("/checkin/", checkin)
        .merge(leader)
}
