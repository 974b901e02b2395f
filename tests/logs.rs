//! Logs never hold an answer or a personal link's token, at any level.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use serde_json::json;
use tests::TestApp;

/// Collects everything logged, at every level, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn nothing_logged_holds_an_answer_or_a_token_even_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();
    let app = TestApp::sqlite().await;
    let token = app.invite(0);
    let secret = "a-confidential-sentence-7f3a";
    let draft = json!({"answers": {"personal": {"text": secret}}}).to_string();
    let bad =
        json!({"answers": {"personal": {"text": secret}, "morale": {"scale": 99}}}).to_string();

    let saved = app
        .with_token(Method::PUT, "/api/checkin/draft", &token, Some(&draft))
        .await;
    let refused = app
        .with_token(Method::POST, "/api/checkin/submit", &token, Some(&bad))
        .await;
    let submitted = app.submit_scores(0, 7, 8).await;
    let cookie = app.login().await;
    app.leader_get(&cookie, "/api/rounds").await;
    let password = app.demo.leader.password.clone();
    // An invitation to set a password, and the password set with it.
    let invite = json!({"name": "Lee", "email": "lee@demo.example", "is_leader": true});
    let link = app
        .as_account(&cookie, Method::POST, "/api/admin/accounts", Some(&invite))
        .await
        .json();
    let one_time = tests::token_of(link["url"].as_str().unwrap(), "#t=");
    let new_password = "lee-secret-password-9d2c";
    let set = json!({"password": new_password}).to_string();
    let set_reply = app
        .with_token(Method::POST, "/api/password/link", &one_time, Some(&set))
        .await;
    // A series scheduled and emailed through a sink, then a reminder: the
    // emails carry personal links, and the SMTP login has a password.
    let sink = tests::smtp::SmtpSink::start().await;
    let smtp_password = "smtp-secret-31f9";
    let smtp = json!({"host": "127.0.0.1", "port": sink.addr.port(), "tls": "none",
        "from": "skipcheck@demo.example", "username": "mailer", "password": smtp_password});
    app.as_account(
        &cookie,
        Method::PUT,
        "/api/admin/settings/smtp",
        Some(&smtp),
    )
    .await;
    let series = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/series",
            Some(&json!({"kind": "skip_level", "name": "S", "cadence": "weekly"})),
        )
        .await
        .json();
    let id = series["id"].as_str().unwrap();
    let detail = app
        .as_account(&cookie, Method::GET, &format!("/api/series/{id}"), None)
        .await
        .json();
    let scheduled = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/series/{id}/meetings"),
            Some(&json!({"person_id": detail["proposals"][0]["person_id"], "at": backend::now() + 86_400})),
        )
        .await
        .json();
    let meeting = scheduled["meeting"]["id"].as_str().unwrap();
    app.as_account(
        &cookie,
        Method::POST,
        &format!("/api/meetings/{meeting}/remind"),
        Some(&json!({})),
    )
    .await;
    let emailed_links: Vec<String> = sink
        .messages()
        .iter()
        .flat_map(|m| {
            m.text()
                .split_whitespace()
                .filter(|w| w.contains("#i=") || w.contains("#m="))
                .map(|w| w.split('=').nth(1).unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    // Four more ballots: the fifth opens and counts the sealed answers.
    for i in 1..5 {
        app.submit_scores(i, 3, 2).await;
    }
    // Private notes and an action item in a meeting.
    let note = "private-note-in-logs-5e1a";
    let item = "action-item-in-logs-8c2d";
    let meeting_id: String = sqlx::query_scalar("select id from meetings limit 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let noted = app
        .as_account(
            &cookie,
            Method::PUT,
            &format!("/api/meetings/{meeting_id}/notes"),
            Some(&json!({"body": note})),
        )
        .await;
    let added = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting_id}/items"),
            Some(&json!({"title": item, "owner": "leader"})),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK);
    assert_eq!(added.status, StatusCode::CREATED);
    // The round's report, its exports and the trend: figures, no person.
    let rounds = app.leader_get(&cookie, "/api/rounds").await.json();
    let round = rounds[0]["id"].as_str().unwrap();
    for uri in [
        format!("/api/rounds/{round}/report"),
        format!("/api/rounds/{round}/report.csv"),
        format!("/api/rounds/{round}/report.json"),
        "/api/trends".to_owned(),
        "/api/trends.csv".to_owned(),
    ] {
        assert_eq!(app.leader_get(&cookie, &uri).await.status, StatusCode::OK);
    }
    let sealed_left: i64 = sqlx::query_scalar("select count(*) from pending_ballots")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    app.finish().await;

    assert_eq!(saved.status, StatusCode::OK);
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(submitted.status, StatusCode::OK);
    assert_eq!(set_reply.status, StatusCode::OK);
    assert!(
        emailed_links.len() >= 2,
        "the invitation and the reminder were emailed"
    );
    assert_eq!(sealed_left, 0, "the fold ran");
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("/api/checkin/draft"),
        "the capture works: {}",
        &logs[..logs.len().min(500)]
    );
    for forbidden in [
        secret,
        "Person 0 is fine",
        token.as_str(),
        password.as_str(),
        one_time.as_str(),
        new_password,
        smtp_password,
        note,
        item,
    ] {
        assert!(!logs.contains(forbidden), "the logs hold {forbidden:?}");
    }
    let session = cookie.split('=').nth(1).unwrap();
    assert!(!logs.contains(session), "the logs hold the session token");
    for link in &emailed_links {
        assert!(
            !logs.contains(link.as_str()),
            "the logs hold an emailed link's token"
        );
    }
    assert!(
        !logs.contains(r#"{"scale":"#),
        "the logs hold an anonymous answer"
    );
}

/// A group whose due answers cannot be opened (one is damaged) is left
/// waiting, and said once, not at every pass of the server's opening of
/// what is left due (every 5 seconds, for as long as it runs).
#[tokio::test]
async fn a_group_whose_answers_cannot_be_opened_is_logged_once_not_at_every_pass() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_writer(move || writer.clone())
        .finish();
    // This test's thread only (the runtime is this thread): the other test
    // of this file takes every thread's logs.
    let _logging = tracing::subscriber::set_default(subscriber);
    let app = TestApp::sqlite().await;
    for i in 0..4 {
        assert_eq!(app.submit_scores(i, 6, 7).await.status, StatusCode::OK);
    }
    sqlx::query(
        "update pending_ballots set sealed = 'damaged' where id = (select min(id) from pending_ballots
         where round_id in (select id from rounds where name = 'Q4 skip-levels'))",
    )
        .execute(app.db.writer())
        .await
        .unwrap();
    // The fifth makes k due: its opening fails, and says so.
    assert_eq!(app.submit_scores(4, 6, 7).await.status, StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(app.db.open_due(&app.key).await.unwrap(), 0);
    }
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert_eq!(
        logs.matches("opening a group's answers failed").count(),
        2,
        "once by the submission, once by the passes after it: {logs}"
    );
    app.finish().await;
}
