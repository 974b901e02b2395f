//! The HTTP API. Each resource has its own router; together they make the
//! OpenAPI document, so the document is the code.

mod accounts;
mod checkin;
mod embed;
mod estimate;
mod health;
mod meetings;
mod people;
mod rounds;
mod series;
mod session;
mod settings;
mod setup;
mod templates;
mod themes;

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::no_route;

#[derive(OpenApi)]
#[openapi(
    info(title = "Skipcheck API", description = "Skip-level check-ins, briefings and anonymous morale."),
    modifiers(&Security),
    components(schemas(shared::api::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "link",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token of a personal link (invite or manager) or of a one-time link to set a password.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The server's --metrics-token."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every route with its documentation; `/api/openapi.json` serves the result.
pub fn router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::<AppState>::new()
        .routes(routes!(checkin::get_checkin))
        .routes(routes!(checkin::save_draft))
        .routes(routes!(checkin::submit))
        .routes(routes!(estimate::get_estimate, estimate::save_estimate))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::me))
        .routes(routes!(setup::status, setup::setup))
        .routes(routes!(accounts::list, accounts::invite))
        .routes(routes!(accounts::update))
        .routes(routes!(accounts::new_link))
        .routes(routes!(accounts::link_info, accounts::set_password))
        .routes(routes!(accounts::forgot))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::logout_everywhere))
        .routes(routes!(people::list, people::add))
        .routes(routes!(people::update))
        .routes(routes!(people::preview))
        .routes(routes!(people::import))
        .routes(routes!(series::list, series::create))
        .routes(routes!(series::options))
        .routes(routes!(series::detail, series::stop))
        .routes(routes!(series::skip))
        .routes(routes!(series::schedule))
        .routes(routes!(series::reissue))
        .routes(routes!(series::move_meeting))
        .routes(routes!(series::dashboard))
        .routes(routes!(series::remind))
        .routes(routes!(series::calendar))
        .routes(routes!(settings::get, settings::save))
        .routes(routes!(settings::save_smtp, settings::delete_smtp))
        .routes(routes!(settings::test))
        .routes(routes!(settings::log))
        .routes(routes!(rounds::list))
        .routes(routes!(rounds::detail))
        .routes(routes!(rounds::report))
        .routes(routes!(rounds::report_csv))
        .routes(routes!(rounds::report_json))
        .routes(routes!(rounds::trends))
        .routes(routes!(rounds::trends_csv))
        .routes(routes!(meetings::briefing, series::cancel))
        .routes(routes!(meetings::view))
        .routes(routes!(meetings::save_notes))
        .routes(routes!(meetings::add_item))
        .routes(routes!(meetings::update_item))
        .routes(routes!(meetings::circle_back))
        .routes(routes!(themes::get, themes::save))
        .routes(routes!(themes::send))
        .routes(routes!(templates::list, templates::copy))
        .routes(routes!(templates::get, templates::save))
        .routes(routes!(meetings::history))
        .routes(routes!(meetings::export_meeting))
        .routes(routes!(meetings::export_history))
        .routes(routes!(people::erase))
        .routes(routes!(embed::get, embed::save))
        .routes(routes!(embed::add_secret))
        .routes(routes!(embed::delete_secret))
        .routes(routes!(embed::session))
        .fallback(no_route);
    let mut router = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(crate::telemetry::serve))
        .nest("/api", api);
    let mut doc = serde_json::to_value(router.to_openapi()).unwrap_or_default();
    document_refusals(&mut doc);
    router.route(
        "/api/openapi.json",
        axum::routing::get(move || async move { Json(doc) }),
    )
}

/// The refusals every route of a kind can give, whatever its handler: added
/// to each operation that doesn't list them itself, so that the document
/// says every status a client can see (the fuzz test holds it to that).
fn document_refusals(doc: &mut serde_json::Value) {
    let refusal = |what: &str| {
        serde_json::json!({
            "description": what,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
    {
        let schemes: Vec<String> = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_object())
            .flat_map(|s| s.keys().cloned())
            .collect();
        // Any route refuses a path or query that holds a NUL character.
        let mut add = vec![(
            "400",
            "The request is not valid: a parameter or the body is not of the documented shape, or holds a NUL character.",
        )];
        if operation.get("requestBody").is_some() {
            add.push(("413", "The body is larger than this API accepts."));
        }
        if schemes.iter().any(|s| s == "session") {
            add.push(("401", "Not logged in, or the session has ended."));
            add.push(("403", "The account lacks the role this needs."));
        }
        if schemes.iter().any(|s| s == "link") {
            add.push(("404", "The link is not valid."));
            add.push(("410", "The link has expired."));
        }
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(|r| r.as_object_mut())
        else {
            continue;
        };
        for (status, what) in add {
            responses.entry(status).or_insert_with(|| refusal(what));
        }
    }
}

/// The embedded widget's pages and scripts (HTML and JavaScript, outside
/// the API document).
pub fn embed_pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/embed.js", get(embed::embed_js))
        .route("/embed/frame.js", get(embed::frame_js))
        .route("/embed/{org}", get(embed::page))
        .route("/i18n/{file}", get(crate::i18n::serve))
}
