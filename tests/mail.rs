//! Email through a local SMTP sink started by each test: settings,
//! invitations with their calendar file, managers' notices, reminders, the
//! record of sends, and nothing failing without (or with a broken) SMTP.
//! Each scenario on SQLite and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::smtp::SmtpSink;
use tests::{Reply, TestApp, on_both, token_of};

on_both!(
    an_invitation_and_the_managers_notice_are_emailed_and_recorded,
    without_smtp_nothing_fails_and_nothing_is_sent,
    a_broken_smtp_server_fails_no_request,
    a_reminder_sends_a_new_link_that_replaces_the_old,
    a_failed_reminder_leaves_the_old_link_working,
    a_password_reset_by_an_admin_is_told_to_the_account_owner,
    smtp_settings_are_checked_admin_only_and_never_show_the_password,
    the_servers_environment_is_used_when_the_organisation_sets_none,
    new_rounds_take_the_organisations_k,
    every_leader_hears_when_a_signing_secret_is_added,
);

async fn every_leader_hears_when_a_signing_secret_is_added(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let admin = app.login().await;
    let (_, other_leader) = app.outsiders(&admin, "secret").await;
    assert!(!other_leader.is_empty());
    use_sink(app, &admin, &sink).await;
    let before = sink.messages().len();
    let added = app
        .as_account(
            &admin,
            Method::POST,
            "/api/admin/settings/embed/secrets",
            None,
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let secrets: Vec<String> = added.json()["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["secret"].as_str().unwrap().to_owned())
        .collect();
    let notices: Vec<_> = sink.messages().into_iter().skip(before).collect();
    let mut to: Vec<String> = notices.iter().map(|m| m.rcpt.join(",")).collect();
    to.sort();
    // The demo leader and the other leader; not the admin-only account.
    let mut leaders = vec![
        app.demo.leader.email.clone(),
        "leadersecret@example.test".to_owned(),
    ];
    leaders.sort();
    assert_eq!(to, leaders);
    for m in &notices {
        let text = m.text();
        assert!(text.contains("added a signing secret"), "{text}");
        for secret in &secrets {
            assert!(!text.contains(secret), "the notice does not carry a secret");
        }
    }
}

const DAY: i64 = 86_400;

async fn use_sink(app: &TestApp, admin: &str, sink: &SmtpSink) {
    let body = json!({"host": "127.0.0.1", "port": sink.addr.port(), "tls": "none",
        "from": "Skipcheck <skipcheck@demo.example>", "username": "mailer", "password": "s3cret-smtp"});
    let reply = app
        .as_account(admin, Method::PUT, "/api/admin/settings/smtp", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

/// Starts a series and schedules its first proposal in two days.
async fn schedule_one(app: &TestApp, cookie: &str) -> Value {
    let series = app
        .as_account(
            cookie,
            Method::POST,
            "/api/series",
            Some(&json!({"kind": "skip_level", "name": "S", "cadence": "weekly"})),
        )
        .await
        .json();
    let id = series["id"].as_str().unwrap();
    let detail = app
        .as_account(cookie, Method::GET, &format!("/api/series/{id}"), None)
        .await
        .json();
    let person = detail["proposals"][0]["person_id"].as_str().unwrap();
    let reply = app
        .as_account(
            cookie,
            Method::POST,
            &format!("/api/series/{id}/meetings"),
            Some(&json!({"person_id": person, "at": backend::now() + 2 * DAY})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

async fn mail_log(app: &TestApp, admin: &str) -> Vec<Value> {
    app.as_account(admin, Method::GET, "/api/admin/mail", None)
        .await
        .json()
        .as_array()
        .unwrap()
        .clone()
}

async fn an_invitation_and_the_managers_notice_are_emailed_and_recorded(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let cookie = app.login().await;
    use_sink(app, &cookie, &sink).await;

    let invitation = schedule_one(app, &cookie).await;

    let person_email = invitation["person_email"].as_str().unwrap();
    assert!(
        invitation["email_outcome"]
            .as_str()
            .unwrap()
            .starts_with("sent to"),
        "{}",
        invitation["email_outcome"]
    );
    assert!(
        invitation["manager"]["email_outcome"]
            .as_str()
            .unwrap()
            .starts_with("sent to")
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    let to_person = messages.iter().find(|m| m.rcpt == [person_email]).unwrap();
    let text = to_person.text();
    assert!(text.contains("/checkin/#i="), "the link is in the email");
    assert_eq!(
        invitation["url"],
        Value::Null,
        "an emailed link reaches its owner only"
    );
    assert!(
        !invitation["text"]
            .as_str()
            .unwrap()
            .contains("/checkin/#i=")
    );
    assert!(!invitation["ics"].as_str().unwrap().contains("/checkin/#i="));
    assert!(
        text.contains("text/calendar"),
        "the calendar file is attached"
    );
    assert!(text.contains("invitation.ics"));
    assert!(text.contains("Reply-To:"), "replies go to the leader");
    let manager_email = invitation["manager"]["email"].as_str().unwrap();
    let to_manager = messages.iter().find(|m| m.rcpt == [manager_email]).unwrap();
    assert!(
        !to_manager.text().contains("/checkin/"),
        "the manager gets no check-in link"
    );
    let log = mail_log(app, &cookie).await;
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|m| m["outcome"].as_str().unwrap().starts_with("sent to"))
    );
    let kinds: Vec<&str> = log.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"invitation") && kinds.contains(&"manager_notice"));
    let dashboard = app
        .as_account(&cookie, Method::GET, "/api/dashboard", None)
        .await
        .json();
    assert_eq!(dashboard["email_enabled"], true);
}

async fn without_smtp_nothing_fails_and_nothing_is_sent(app: &TestApp) {
    let cookie = app.login().await;

    let invitation = schedule_one(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let remind = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/remind"),
            Some(&json!({})),
        )
        .await;
    let settings = app
        .as_account(&cookie, Method::GET, "/api/admin/settings", None)
        .await
        .json();

    assert_eq!(invitation["email_outcome"], Value::Null);
    assert!(
        !invitation["text"].as_str().unwrap().is_empty(),
        "the text to copy is there"
    );
    assert_eq!(remind.status, StatusCode::CONFLICT);
    assert_eq!(settings["smtp"]["source"], "none");
    assert!(mail_log(app, &cookie).await.is_empty());
}

async fn a_broken_smtp_server_fails_no_request(app: &TestApp) {
    let cookie = app.login().await;
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let body =
        json!({"host": "127.0.0.1", "port": port, "tls": "none", "from": "skipcheck@demo.example"});
    app.as_account(
        &cookie,
        Method::PUT,
        "/api/admin/settings/smtp",
        Some(&body),
    )
    .await;

    let invitation = schedule_one(app, &cookie).await;
    let test = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/admin/settings/smtp/test",
            Some(&json!({"to": "x@demo.example"})),
        )
        .await;

    assert!(
        invitation["email_outcome"]
            .as_str()
            .unwrap()
            .starts_with("not sent to"),
        "{}",
        invitation["email_outcome"]
    );
    assert_eq!(test.status, StatusCode::OK);
    assert_eq!(test.json()["sent"], false);
    let log = mail_log(app, &cookie).await;
    assert_eq!(log.len(), 3, "every attempt is recorded");
    assert!(
        log.iter()
            .all(|m| m["outcome"].as_str().unwrap().starts_with("not sent"))
    );
}

async fn a_reminder_sends_a_new_link_that_replaces_the_old(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let cookie = app.login().await;
    use_sink(app, &cookie, &sink).await;
    let invitation = schedule_one(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let old = token_of(&link_in(&sink.messages()[0].text()), "#i=");

    let reply = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/remind"),
            Some(&json!({})),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["sent"], true);
    let reminder = sink.messages().into_iter().last().unwrap().text();
    assert!(reminder.contains("Subject: Reminder"), "{reminder}");
    let new = token_of(&link_in(&reminder), "#i=");
    assert_ne!(new, old);
    let old_opens = app
        .with_token(Method::GET, "/api/checkin", &old, None)
        .await;
    let new_opens = app
        .with_token(Method::GET, "/api/checkin", &new, None)
        .await;
    assert_eq!(old_opens.status, StatusCode::NOT_FOUND);
    assert_eq!(new_opens.status, StatusCode::OK);
}

/// The personal link in an email.
fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/checkin/#i="))
        .unwrap()
        .to_owned()
}

async fn smtp_settings_are_checked_admin_only_and_never_show_the_password(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let cookie = app.login().await;
    let bad = json!({"host": "", "port": 0, "tls": "ssl3", "from": "not an address"});

    let refused = app
        .as_account(&cookie, Method::PUT, "/api/admin/settings/smtp", Some(&bad))
        .await;
    use_sink(app, &cookie, &sink).await;
    let settings = app
        .as_account(&cookie, Method::GET, "/api/admin/settings", None)
        .await;
    // Saving without a password keeps it.
    let keep = json!({"host": "127.0.0.1", "port": sink.addr.port(), "tls": "none", "from": "skipcheck@demo.example"});
    app.as_account(
        &cookie,
        Method::PUT,
        "/api/admin/settings/smtp",
        Some(&keep),
    )
    .await;
    let kept = app
        .as_account(&cookie, Method::GET, "/api/admin/settings", None)
        .await
        .json();
    let test = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/admin/settings/smtp/test",
            Some(&json!({"to": "ada@demo.example"})),
        )
        .await;
    let not_an_address = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/admin/settings/smtp/test",
            Some(&json!({"to": "ada"})),
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["host", "port", "tls", "from"]);
    assert_eq!(settings.json()["smtp"]["source"], "settings");
    assert_eq!(settings.json()["smtp"]["password_set"], true);
    assert!(
        !settings.text().contains("s3cret-smtp"),
        "the password never leaves the server"
    );
    assert_eq!(kept["smtp"]["password_set"], true);
    assert_eq!(test.json()["sent"], true, "{}", test.text());
    assert_eq!(sink.messages().last().unwrap().rcpt, ["ada@demo.example"]);
    assert_eq!(not_an_address.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Leaders and strangers are refused.
    let leader = leader_only(app, &cookie).await;
    for (method, uri) in [
        (Method::GET, "/api/admin/settings"),
        (Method::PUT, "/api/admin/settings/smtp"),
        (Method::DELETE, "/api/admin/settings/smtp"),
        (Method::POST, "/api/admin/settings/smtp/test"),
        (Method::GET, "/api/admin/mail"),
        (Method::PUT, "/api/admin/settings"),
    ] {
        let as_leader = app
            .as_account(&leader, method.clone(), uri, Some(&keep))
            .await;
        let nobody: Reply = app
            .send(method.clone(), uri, &[], Some(&keep.to_string()))
            .await;
        assert_eq!(as_leader.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    let cleared = app
        .as_account(&cookie, Method::DELETE, "/api/admin/settings/smtp", None)
        .await;
    assert_eq!(cleared.json()["smtp"]["source"], "none");
}

/// A leader-only account, logged in.
async fn leader_only(app: &TestApp, admin: &str) -> String {
    app.new_account(admin, "lee@demo.example", false, true, "leader password 1")
        .await
}

async fn the_servers_environment_is_used_when_the_organisation_sets_none(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let config = backend::Config {
        smtp: Some(backend::mail::Smtp {
            host: "127.0.0.1".to_owned(),
            port: sink.addr.port(),
            username: String::new(),
            password: secrecy::SecretString::from(String::new()),
            from: "skipcheck@env.example".to_owned(),
            tls: backend::mail::TlsMode::None,
        }),
        ..backend::Config::new(tests::PUBLIC_URL)
    };
    let router = app.router_with(config);
    let cookie = app.login().await;
    let request = axum::http::Request::builder()
        .method(Method::GET)
        .uri("/api/admin/settings")
        .header("cookie", &cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = tower::ServiceExt::oneshot(router.clone(), request)
        .await
        .unwrap();
    let body = http_body_util::BodyExt::collect(reply.into_body())
        .await
        .unwrap()
        .to_bytes();
    let settings: Value = serde_json::from_slice(&body).unwrap();
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/admin/settings/smtp/test")
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"to": "ada@demo.example"}).to_string(),
        ))
        .unwrap();
    let sent = tower::ServiceExt::oneshot(router, request).await.unwrap();

    assert_eq!(settings["smtp"]["source"], "environment");
    assert_eq!(settings["smtp"]["from"], "skipcheck@env.example");
    assert_eq!(sent.status(), StatusCode::OK);
    assert_eq!(sink.messages().len(), 1);
}

async fn new_rounds_take_the_organisations_k(app: &TestApp) {
    let cookie = app.login().await;

    let too_low = app
        .as_account(
            &cookie,
            Method::PUT,
            "/api/admin/settings",
            Some(&json!({"organisation": "Demo Co", "k": 2})),
        )
        .await;
    let ok = app
        .as_account(
            &cookie,
            Method::PUT,
            "/api/admin/settings",
            Some(&json!({"organisation": "Demo Co", "k": 7})),
        )
        .await;
    let invitation = schedule_one(app, &cookie).await;

    assert_eq!(too_low.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_low.json()["fields"][0]["field"], "k");
    assert_eq!(ok.json()["k"], 7);
    assert!(
        invitation["text"]
            .as_str()
            .unwrap()
            .contains("at least 7 people")
    );
    let token = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let checkin = app
        .with_token(Method::GET, "/api/checkin", &token, None)
        .await
        .json();
    assert_eq!(checkin["k"], 7, "the round locked k = 7 when it opened");
}

async fn a_failed_reminder_leaves_the_old_link_working(app: &TestApp) {
    let cookie = app.login().await;
    // No SMTP while scheduling: the leader gets the link to hand over.
    let invitation = schedule_one(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let old = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let body =
        json!({"host": "127.0.0.1", "port": port, "tls": "none", "from": "skipcheck@demo.example"});
    app.as_account(
        &cookie,
        Method::PUT,
        "/api/admin/settings/smtp",
        Some(&body),
    )
    .await;

    let reply = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/remind"),
            Some(&json!({})),
        )
        .await;
    let opens = app
        .with_token(Method::GET, "/api/checkin", &old, None)
        .await;
    let links: i64 =
        sqlx::query_scalar("select count(*) from links where meeting_id = $1 and kind = 'invite'")
            .bind(meeting)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    // Once started, no reminder: it would cut off the open page.
    let draft = json!({"answers": {"personal": {"text": "started"}}}).to_string();
    app.with_token(Method::PUT, "/api/checkin/draft", &old, Some(&draft))
        .await;
    let started = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/remind"),
            Some(&json!({})),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["sent"], false);
    assert_eq!(opens.status, StatusCode::OK, "the old link still works");
    assert_eq!(links, 1, "the unsent link is gone");
    assert_eq!(started.status, StatusCode::CONFLICT);
}

async fn a_password_reset_by_an_admin_is_told_to_the_account_owner(app: &TestApp) {
    let sink = SmtpSink::start().await;
    let admin = app.login().await;
    leader_only(app, &admin).await;
    use_sink(app, &admin, &sink).await;
    let accounts = app
        .as_account(&admin, Method::GET, "/api/admin/accounts", None)
        .await
        .json();
    let lee = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "lee@demo.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let link = app
        .as_account(
            &admin,
            Method::POST,
            &format!("/api/admin/accounts/{lee}/link"),
            None,
        )
        .await;

    assert_eq!(link.status, StatusCode::CREATED);
    let notice = sink
        .messages()
        .into_iter()
        .find(|m| m.rcpt == ["lee@demo.example"])
        .unwrap();
    let text = notice.text();
    assert!(
        text.contains("made a one-time link to set a new password"),
        "{text}"
    );
    let url = link.json()["url"].as_str().unwrap().to_owned();
    assert!(!text.contains(&url), "the notice does not carry the link");
    assert!(
        app.login_as("lee@demo.example", "leader password 1")
            .await
            .is_ok(),
        "the password works until the link is used"
    );
}
