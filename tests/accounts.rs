//! First run, accounts and roles through the router, each scenario on SQLite
//! and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{PUBLIC_URL, Reply, TestApp, cookie_of, on_both, token_of};

on_both!(
    empty:
    an_empty_server_is_set_up_once_and_its_admin_is_logged_in,
    setup_with_bad_fields_names_each_field_and_creates_nothing,
    setup_over_plain_http_on_a_public_address_is_refused,
);

on_both!(
    a_server_with_accounts_has_no_setup,
    an_invited_leader_sets_a_password_once_and_can_log_in,
    each_route_admits_only_its_roles,
    the_last_admin_cannot_be_demoted,
    inviting_with_bad_fields_or_a_taken_email_changes_nothing,
    a_password_change_ends_the_other_sessions,
    logging_out_everywhere_ends_every_session,
    a_forgotten_password_is_answered_by_an_admin_with_a_new_link,
    an_expired_or_missing_one_time_link_is_refused,
);

const ADMIN: &str = "/api/admin/accounts";
const LINK: &str = "/api/password/link";

fn setup_body(email: &str) -> Value {
    json!({"organisation": "Acme", "name": "Ada Admin", "email": email, "password": "correct horse battery"})
}

fn field_names(reply: &Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn setup_needed(app: &TestApp) -> bool {
    let status = app.send(Method::GET, "/api/setup", &[], None).await;
    assert_eq!(status.status, StatusCode::OK);
    status.json()["needed"].as_bool().unwrap()
}

async fn an_empty_server_is_set_up_once_and_its_admin_is_logged_in(app: &TestApp) {
    assert!(setup_needed(app).await);

    let first = app
        .send(
            Method::POST,
            "/api/setup",
            &[],
            Some(&setup_body(" Ada@Acme.example ").to_string()),
        )
        .await;
    let again = app
        .send(
            Method::POST,
            "/api/setup",
            &[],
            Some(&setup_body("eve@acme.example").to_string()),
        )
        .await;

    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let cookie = cookie_of(&first);
    let me = app.as_account(&cookie, Method::GET, "/api/me", None).await;
    assert_eq!(me.json()["email"], "ada@acme.example");
    assert_eq!(me.json()["is_admin"], true);
    assert_eq!(me.json()["is_leader"], true);
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(!setup_needed(app).await);
    assert!(
        app.login_as("eve@acme.example", "correct horse battery")
            .await
            .is_err()
    );
    assert!(
        app.login_as("ada@acme.example", "correct horse battery")
            .await
            .is_ok()
    );
}

async fn setup_with_bad_fields_names_each_field_and_creates_nothing(app: &TestApp) {
    let body =
        json!({"organisation": "  ", "name": "Ada", "email": "not-an-email", "password": "short"});

    let reply = app
        .send(Method::POST, "/api/setup", &[], Some(&body.to_string()))
        .await;
    let malformed = app
        .send(
            Method::POST,
            "/api/setup",
            &[],
            Some("{\"organisation\": 1"),
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&reply), ["organisation", "email", "password"]);
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error(), "bad_request");
    assert!(setup_needed(app).await);
}

async fn setup_over_plain_http_on_a_public_address_is_refused(app: &TestApp) {
    let config = backend::Config {
        setup_allowed: false,
        ..backend::Config::new("http://203.0.113.5:8080")
    };
    let router = app.router_with(config);
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/setup")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            setup_body("ada@acme.example").to_string(),
        ))
        .unwrap();

    let reply = tower::ServiceExt::oneshot(router, request).await.unwrap();

    assert_eq!(reply.status(), StatusCode::FORBIDDEN);
    assert!(setup_needed(app).await, "nothing was created");
}

async fn a_server_with_accounts_has_no_setup(app: &TestApp) {
    let reply = app
        .send(
            Method::POST,
            "/api/setup",
            &[],
            Some(&setup_body("mallory@evil.example").to_string()),
        )
        .await;

    assert!(!setup_needed(app).await);
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(
        app.login_as("mallory@evil.example", "correct horse battery")
            .await
            .is_err()
    );
}

/// Invites someone as the demo admin; returns the link's token and the account id.
async fn invite(
    app: &TestApp,
    admin: &str,
    email: &str,
    admin_role: bool,
    leader: bool,
) -> (String, String) {
    let body =
        json!({"name": "Lee Leader", "email": email, "is_admin": admin_role, "is_leader": leader});
    let reply = app
        .as_account(admin, Method::POST, ADMIN, Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let url = reply.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{PUBLIC_URL}/admin/set-password#t=")),
        "{url}"
    );
    (
        token_of(&url, "#t="),
        reply.json()["account"]["id"].as_str().unwrap().to_owned(),
    )
}

/// Sets a password through a one-time link; returns the reply.
async fn set_password(app: &TestApp, token: &str, password: &str) -> Reply {
    let body = json!({"password": password}).to_string();
    app.with_token(Method::POST, LINK, token, Some(&body)).await
}

async fn an_invited_leader_sets_a_password_once_and_can_log_in(app: &TestApp) {
    let admin = app.login().await;
    let (token, id) = invite(app, &admin, "lee@demo.example", false, true).await;

    let info = app.with_token(Method::GET, LINK, &token, None).await;
    let before = app.login_as("lee@demo.example", "").await;
    let too_short = set_password(app, &token, "short").await;
    let set = set_password(app, &token, "a long enough password").await;
    let reused = set_password(app, &token, "another long password").await;
    let listed = app.as_account(&admin, Method::GET, ADMIN, None).await;

    assert_eq!(info.status, StatusCode::OK, "{}", info.text());
    assert_eq!(info.json()["email"], "lee@demo.example");
    assert_eq!(info.json()["purpose"], "invite");
    let expires = info.json()["expires_at"].as_i64().unwrap();
    assert!(
        (expires - backend::now() - 72 * 3600).abs() < 60,
        "72 hours"
    );
    assert_eq!(before.unwrap_err().status, StatusCode::UNAUTHORIZED);
    assert_eq!(too_short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&too_short), ["password"]);
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["is_leader"], true);
    assert_eq!(set.json()["is_admin"], false);
    assert_eq!(reused.status, StatusCode::NOT_FOUND, "a link works once");
    let lee = app
        .login_as("lee@demo.example", "a long enough password")
        .await
        .unwrap();
    let rounds = app.as_account(&lee, Method::GET, "/api/rounds", None).await;
    assert_eq!(rounds.status, StatusCode::OK);
    assert_eq!(
        rounds.json(),
        json!([]),
        "a new leader sees no one else's rounds"
    );
    let entry = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["has_password"], true);
    assert_eq!(entry["link_expires_at"], Value::Null);
    // Only the hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("select token_hash from account_links")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&token));
}

async fn each_route_admits_only_its_roles(app: &TestApp) {
    let admin_and_leader = app.login().await;
    let (token, _) = invite(
        app,
        &admin_and_leader,
        "only-admin@demo.example",
        true,
        false,
    )
    .await;
    set_password(app, &token, "admin password 1").await;
    let (token, _) = invite(
        app,
        &admin_and_leader,
        "only-leader@demo.example",
        false,
        true,
    )
    .await;
    set_password(app, &token, "leader password 1").await;
    let only_admin = app
        .login_as("only-admin@demo.example", "admin password 1")
        .await
        .unwrap();
    let only_leader = app
        .login_as("only-leader@demo.example", "leader password 1")
        .await
        .unwrap();
    let rounds = app
        .as_account(&admin_and_leader, Method::GET, "/api/rounds", None)
        .await
        .json();
    let round = rounds[0]["id"].as_str().unwrap().to_owned();
    let meetings = app
        .as_account(
            &admin_and_leader,
            Method::GET,
            &format!("/api/rounds/{round}"),
            None,
        )
        .await
        .json();
    let meeting = meetings["meetings"][0]["id"].as_str().unwrap().to_owned();
    let leader_routes = [
        "/api/rounds".to_owned(),
        format!("/api/rounds/{round}"),
        format!("/api/rounds/{round}/report"),
        format!("/api/meetings/{meeting}"),
    ];
    let admin_routes = ["/api/admin/accounts", "/api/admin/people"];

    for uri in &leader_routes {
        let ok = app
            .as_account(&admin_and_leader, Method::GET, uri, None)
            .await;
        let admin = app.as_account(&only_admin, Method::GET, uri, None).await;
        let nobody = app.send(Method::GET, uri, &[], None).await;
        assert_eq!(ok.status, StatusCode::OK, "{uri}");
        assert_eq!(
            admin.status,
            StatusCode::FORBIDDEN,
            "an admin never reads answers: {uri}"
        );
        assert_eq!(admin.error(), "forbidden");
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    // The other leader's own round list is empty, and the demo round is not theirs.
    for uri in &leader_routes[1..] {
        let other = app.as_account(&only_leader, Method::GET, uri, None).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{uri}");
    }
    for uri in admin_routes {
        let ok = app.as_account(&only_admin, Method::GET, uri, None).await;
        let leader = app.as_account(&only_leader, Method::GET, uri, None).await;
        let nobody = app.send(Method::GET, uri, &[], None).await;
        let link = app.with_token(Method::GET, uri, &app.invite(0), None).await;
        assert_eq!(ok.status, StatusCode::OK, "{uri}");
        assert_eq!(leader.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            link.status,
            StatusCode::UNAUTHORIZED,
            "an employee link is no login: {uri}"
        );
    }
    // Changing an account's roles: an admin's, and nobody else's. The
    // leader tries to make themselves admin.
    let accounts = app
        .as_account(&only_admin, Method::GET, "/api/admin/accounts", None)
        .await
        .json();
    let leader_id = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "only-leader@demo.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("/api/admin/accounts/{leader_id}");
    let promote = json!({"is_admin": true, "is_leader": true});
    let leader = app
        .as_account(&only_leader, Method::PATCH, &uri, Some(&promote))
        .await;
    let body = promote.to_string();
    let nobody = app.send(Method::PATCH, &uri, &[], Some(&body)).await;
    let link = app
        .with_token(Method::PATCH, &uri, &app.invite(0), Some(&body))
        .await;
    assert_eq!(leader.status, StatusCode::FORBIDDEN, "{}", leader.text());
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(link.status, StatusCode::UNAUTHORIZED);
    let still = app
        .as_account(&only_leader, Method::GET, "/api/admin/accounts", None)
        .await;
    assert_eq!(
        still.status,
        StatusCode::FORBIDDEN,
        "no refused call made them admin"
    );
    let leader_only = json!({"is_admin": false, "is_leader": true});
    let ok = app
        .as_account(&only_admin, Method::PATCH, &uri, Some(&leader_only))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    for cookie in [&only_admin, &only_leader, &admin_and_leader] {
        let me = app.as_account(cookie, Method::GET, "/api/me", None).await;
        assert_eq!(me.status, StatusCode::OK);
    }
}

async fn the_last_admin_cannot_be_demoted(app: &TestApp) {
    let admin = app.login().await;
    let accounts = app
        .as_account(&admin, Method::GET, ADMIN, None)
        .await
        .json();
    let me = accounts[0]["id"].as_str().unwrap().to_owned();
    let uri = format!("{ADMIN}/{me}");

    let demoted = app
        .as_account(
            &admin,
            Method::PATCH,
            &uri,
            Some(&json!({"is_admin": false})),
        )
        .await;
    let no_role = app
        .as_account(
            &admin,
            Method::PATCH,
            &uri,
            Some(&json!({"is_admin": false, "is_leader": false})),
        )
        .await;
    let unknown = app
        .as_account(
            &admin,
            Method::PATCH,
            &format!("{ADMIN}/nope"),
            Some(&json!({"is_leader": true})),
        )
        .await;
    invite(app, &admin, "second-admin@demo.example", true, false).await;
    let after_second = app
        .as_account(
            &admin,
            Method::PATCH,
            &uri,
            Some(&json!({"is_admin": false})),
        )
        .await;

    assert_eq!(demoted.status, StatusCode::CONFLICT, "{}", demoted.text());
    assert_eq!(no_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        after_second.status,
        StatusCode::OK,
        "{}",
        after_second.text()
    );
    assert_eq!(after_second.json()["is_admin"], false);
    let me_now = app.as_account(&admin, Method::GET, "/api/me", None).await;
    assert_eq!(me_now.json()["is_admin"], false);
    let refused = app.as_account(&admin, Method::GET, ADMIN, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "roles apply at once");
}

async fn inviting_with_bad_fields_or_a_taken_email_changes_nothing(app: &TestApp) {
    let admin = app.login().await;
    let before = app
        .as_account(&admin, Method::GET, ADMIN, None)
        .await
        .json();
    let cases = [
        (
            json!({"name": "", "email": "x", "is_leader": true}),
            vec!["name", "email"],
        ),
        (
            json!({"name": "No Role", "email": "norole@demo.example"}),
            vec!["is_leader"],
        ),
        (
            json!({"name": "Copy", "email": app.demo.leader.email.to_uppercase(), "is_leader": true}),
            vec!["email"],
        ),
    ];

    for (body, fields) in cases {
        let reply = app
            .as_account(&admin, Method::POST, ADMIN, Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(field_names(&reply), fields, "{body}");
    }
    let unknown_field = app
        .as_account(
            &admin,
            Method::POST,
            ADMIN,
            Some(&json!({"name": "A", "email": "a@b.example", "is_leader": true, "password": "x"})),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let after = app
        .as_account(&admin, Method::GET, ADMIN, None)
        .await
        .json();
    assert_eq!(before, after);
}

async fn a_password_change_ends_the_other_sessions(app: &TestApp) {
    let email = app.demo.leader.email.clone();
    let old = app.demo.leader.password.clone();
    let here = app.login().await;
    let elsewhere = app.login().await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let wrong = app
        .as_account(
            &here,
            Method::PUT,
            "/api/me/password",
            Some(&change("nope", "a new long password")),
        )
        .await;
    let short = app
        .as_account(
            &here,
            Method::PUT,
            "/api/me/password",
            Some(&change(&old, "short")),
        )
        .await;
    let ok = app
        .as_account(
            &here,
            Method::PUT,
            "/api/me/password",
            Some(&change(&old, "a new long password")),
        )
        .await;

    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&wrong), ["current_password"]);
    assert_eq!(field_names(&short), ["new_password"]);
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text());
    let still = app.as_account(&here, Method::GET, "/api/me", None).await;
    let ended = app
        .as_account(&elsewhere, Method::GET, "/api/me", None)
        .await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert!(app.login_as(&email, &old).await.is_err());
    assert!(app.login_as(&email, "a new long password").await.is_ok());
}

async fn logging_out_everywhere_ends_every_session(app: &TestApp) {
    let a = app.login().await;
    let b = app.login().await;

    let reply = app
        .as_account(&a, Method::DELETE, "/api/me/sessions", None)
        .await;
    let nobody = app
        .send(Method::DELETE, "/api/me/sessions", &[], None)
        .await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(
        reply.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"),
        "the cookie is cleared"
    );
    for cookie in [&a, &b] {
        let me = app.as_account(cookie, Method::GET, "/api/me", None).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
}

async fn a_forgotten_password_is_answered_by_an_admin_with_a_new_link(app: &TestApp) {
    let admin = app.login().await;
    let (first_token, id) = invite(app, &admin, "forgetful@demo.example", false, true).await;
    set_password(app, &first_token, "first long password").await;
    let forgetful = app
        .login_as("forgetful@demo.example", "first long password")
        .await
        .unwrap();
    let ask = |email: &str| json!({"email": email}).to_string();

    let known = app
        .send(
            Method::POST,
            "/api/password/forgot",
            &[],
            Some(&ask("Forgetful@demo.example")),
        )
        .await;
    let unknown = app
        .send(
            Method::POST,
            "/api/password/forgot",
            &[],
            Some(&ask("nobody@demo.example")),
        )
        .await;
    let not_email = app
        .send(
            Method::POST,
            "/api/password/forgot",
            &[],
            Some(&ask("nobody")),
        )
        .await;
    let listed = app
        .as_account(&admin, Method::GET, ADMIN, None)
        .await
        .json();
    let asked = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap()["reset_requested_at"]
        .clone();
    let first = app
        .as_account(&admin, Method::POST, &format!("{ADMIN}/{id}/link"), None)
        .await;
    let second = app
        .as_account(&admin, Method::POST, &format!("{ADMIN}/{id}/link"), None)
        .await;
    let leader_tries = app
        .as_account(
            &forgetful,
            Method::POST,
            &format!("{ADMIN}/{id}/link"),
            None,
        )
        .await;
    let old_token = token_of(first.json()["url"].as_str().unwrap(), "#t=");
    let new_token = token_of(second.json()["url"].as_str().unwrap(), "#t=");
    let old = set_password(app, &old_token, "second long password").await;
    let new = set_password(app, &new_token, "second long password").await;

    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(
        unknown.status,
        StatusCode::ACCEPTED,
        "no hint whether an email exists"
    );
    assert_eq!(known.body, unknown.body);
    assert_eq!(not_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(asked.is_i64(), "the admin sees the request: {asked}");
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.json()["account"]["reset_requested_at"], Value::Null);
    assert_eq!(leader_tries.status, StatusCode::FORBIDDEN);
    assert_eq!(
        old.status,
        StatusCode::NOT_FOUND,
        "a newer link kills the old one"
    );
    assert_eq!(new.status, StatusCode::OK, "{}", new.text());
    let ended = app
        .as_account(&forgetful, Method::GET, "/api/me", None)
        .await;
    assert_eq!(
        ended.status,
        StatusCode::UNAUTHORIZED,
        "a reset ends old sessions"
    );
    assert!(
        app.login_as("forgetful@demo.example", "second long password")
            .await
            .is_ok()
    );
}

async fn an_expired_or_missing_one_time_link_is_refused(app: &TestApp) {
    let admin = app.login().await;
    let (token, _) = invite(app, &admin, "late@demo.example", false, true).await;
    sqlx::query("update account_links set expires_at = 1")
        .execute(app.db.writer())
        .await
        .unwrap();

    let expired_info = app.with_token(Method::GET, LINK, &token, None).await;
    let expired_set = set_password(app, &token, "a long enough password").await;
    let missing = app
        .send(
            Method::POST,
            LINK,
            &[],
            Some(&json!({"password": "a long enough password"}).to_string()),
        )
        .await;
    let session_link = app
        .with_token(Method::GET, LINK, &app.invite(0), None)
        .await;
    let change_without_session = app
        .send(
            Method::PUT,
            "/api/me/password",
            &[],
            Some(
                &json!({"current_password": "x", "new_password": "a long enough password"})
                    .to_string(),
            ),
        )
        .await;

    assert_eq!(expired_info.status, StatusCode::GONE);
    assert_eq!(expired_info.error(), "expired_link");
    assert_eq!(expired_set.status, StatusCode::GONE);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        session_link.status,
        StatusCode::NOT_FOUND,
        "an employee's link sets no password"
    );
    assert_eq!(change_without_session.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.login_as("late@demo.example", "a long enough password")
            .await
            .is_err()
    );
}
