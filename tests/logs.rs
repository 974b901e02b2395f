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
    app.finish().await;

    assert_eq!(saved.status, StatusCode::OK);
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(submitted.status, StatusCode::OK);
    assert_eq!(set_reply.status, StatusCode::OK);
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
    ] {
        assert!(!logs.contains(forbidden), "the logs hold {forbidden:?}");
    }
    let session = cookie.split('=').nth(1).unwrap();
    assert!(!logs.contains(session), "the logs hold the session token");
}
