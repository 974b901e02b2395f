//! The meeting view and what comes after it: private notes, action items,
//! follow-ups in the next briefing and on the employee's check-in, and the
//! "circle back" list, through the router on SQLite and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{Reply, TestApp, on_both};

on_both!(
    a_follow_up_from_one_meeting_is_in_the_next_briefing_until_closed,
    private_notes_reach_no_one_but_their_leader,
    circle_back_lists_what_is_due_oldest_first,
    the_employee_sees_only_what_was_shared_with_them,
    bad_items_and_notes_are_refused_naming_the_field_and_change_nothing,
    meeting_routes_admit_only_their_leader,
    the_history_and_its_exports_hold_every_meeting_newest_first,
    an_admin_erases_a_persons_data_and_the_counts_stay,
    themes_reach_only_the_chosen_managers_as_written_then,
);

/// The demo's first person (Amara) met the leader last quarter and meets
/// them again this quarter: (last quarter's meeting, this quarter's meeting).
async fn two_meetings(app: &TestApp, cookie: &str) -> (String, String) {
    let rounds = app.leader_get(cookie, "/api/rounds").await.json();
    let name = app.demo.invites[0].name.clone();
    let mut ids = Vec::new();
    for round in ["Q3 skip-levels", "Q4 skip-levels"] {
        let id = rounds
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == round)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let detail = app
            .leader_get(cookie, &format!("/api/rounds/{id}"))
            .await
            .json();
        let meeting = detail["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["person_name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} is not in {round}"));
        ids.push(meeting["id"].as_str().unwrap().to_owned());
    }
    (ids[0].clone(), ids[1].clone())
}

async fn save_notes(app: &TestApp, cookie: &str, meeting: &str, body: &str) -> Reply {
    app.as_account(
        cookie,
        Method::PUT,
        &format!("/api/meetings/{meeting}/notes"),
        Some(&json!({ "body": body })),
    )
    .await
}

async fn add_item(app: &TestApp, cookie: &str, meeting: &str, body: Value) -> Reply {
    app.as_account(
        cookie,
        Method::POST,
        &format!("/api/meetings/{meeting}/items"),
        Some(&body),
    )
    .await
}

async fn patch_item(app: &TestApp, cookie: &str, id: &str, body: Value) -> Reply {
    app.as_account(
        cookie,
        Method::PATCH,
        &format!("/api/items/{id}"),
        Some(&body),
    )
    .await
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_follow_up_from_one_meeting_is_in_the_next_briefing_until_closed(app: &TestApp) {
    let cookie = app.login().await;
    let (first, second) = two_meetings(app, &cookie).await;

    let kept = add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Introduce Amara to the data team", "owner": "leader", "due_on": "2026-12-01"}),
    )
    .await;
    let closed = add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Share the on-call review", "owner": "manager"}),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text());
    assert_eq!(closed.status, StatusCode::CREATED);
    let closed_id = closed.json()["id"].as_str().unwrap().to_owned();
    let before = app
        .leader_get(&cookie, &format!("/api/meetings/{second}"))
        .await
        .json();
    let done = patch_item(
        app,
        &cookie,
        &closed_id,
        json!({"status": "done", "outcome": "Sent the notes"}),
    )
    .await;
    let after = app
        .leader_get(&cookie, &format!("/api/meetings/{second}"))
        .await
        .json();
    let first_view = app
        .leader_get(&cookie, &format!("/api/meetings/{first}/view"))
        .await
        .json();

    assert_eq!(
        titles(&before["follow_ups"]),
        [
            "Introduce Amara to the data team",
            "Share the on-call review"
        ]
    );
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(done.json()["status"], "done");
    assert!(done.json()["closed_at"].as_i64().unwrap() > 0);
    assert_eq!(done.json()["outcome"], "Sent the notes");
    assert_eq!(
        titles(&after["follow_ups"]),
        ["Introduce Amara to the data team"]
    );
    // The meeting the items came from keeps both, the closed one marked so.
    let items = first_view["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["status"], "done");
    // An item is not a follow-up of its own meeting.
    assert_eq!(first_view["briefing"]["follow_ups"], json!([]));
    assert!(!first_view["talking_points"].as_array().unwrap().is_empty());
}

async fn private_notes_reach_no_one_but_their_leader(app: &TestApp) {
    let cookie = app.login().await;
    let (_, second) = two_meetings(app, &cookie).await;
    let secret = "private-note-3b9e: worried about the reorg";
    let saved = save_notes(app, &cookie, &second, secret).await;
    let view = app
        .leader_get(&cookie, &format!("/api/meetings/{second}/view"))
        .await
        .json();
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(view["notes"], secret);
    assert!(view["notes_updated_at"].as_i64().unwrap() > 0);

    // Everyone else, on every route they can reach, never sees it.
    let (admin, other) = app.outsiders(&cookie, "2").await;
    let employee = format!("Bearer {}", app.invite(0));
    let manager = format!("Bearer {}", app.manager_link(0));
    let mut seen = Vec::new();
    for uri in [
        format!("/api/meetings/{second}/view"),
        format!("/api/meetings/{second}"),
        "/api/admin/people".to_owned(),
        "/api/admin/accounts".to_owned(),
        "/api/rounds".to_owned(),
        "/api/follow-ups".to_owned(),
    ] {
        seen.push(app.leader_get(&admin, &uri).await);
        seen.push(app.leader_get(&other, &uri).await);
    }
    for uri in ["/api/checkin", "/api/estimate"] {
        seen.push(
            app.send(Method::GET, uri, &[("authorization", &employee)], None)
                .await,
        );
        seen.push(
            app.send(Method::GET, uri, &[("authorization", &manager)], None)
                .await,
        );
    }
    for reply in &seen {
        assert!(
            !reply.text().contains("private-note-3b9e"),
            "{}",
            reply.text()
        );
    }
    assert_eq!(
        app.leader_get(&admin, &format!("/api/meetings/{second}/view"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn circle_back_lists_what_is_due_oldest_first(app: &TestApp) {
    let cookie = app.login().await;
    let (first, second) = two_meetings(app, &cookie).await;
    for (meeting, title, due) in [
        (&second, "Due today", Some("2026-11-20")),
        (&first, "Overdue", Some("2026-11-02")),
        (&second, "Next month", Some("2026-12-24")),
        (&first, "Whenever", None),
    ] {
        let reply = add_item(
            app,
            &cookie,
            meeting,
            json!({"title": title, "owner": "leader", "due_on": due}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    let due = app
        .leader_get(&cookie, "/api/follow-ups?today=2026-11-20")
        .await;
    assert_eq!(due.status, StatusCode::OK);
    assert_eq!(titles(&due.json()), ["Overdue", "Due today"]);
    assert_eq!(
        due.json()[0]["person_name"],
        app.demo.invites[0].name.as_str()
    );

    let overdue = due.json()[0]["id"].as_str().unwrap().to_owned();
    patch_item(app, &cookie, &overdue, json!({"status": "dropped"})).await;
    let later = app
        .leader_get(&cookie, "/api/follow-ups?today=2026-11-20")
        .await
        .json();
    assert_eq!(titles(&later), ["Due today"]);
    let bad = app
        .leader_get(&cookie, "/api/follow-ups?today=20.11.2026")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["fields"][0]["field"], "today");
}

async fn the_employee_sees_only_what_was_shared_with_them(app: &TestApp) {
    let cookie = app.login().await;
    let (first, _) = two_meetings(app, &cookie).await;
    add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Find Amara a mentor", "owner": "leader", "shared": true, "due_on": "2026-12-15"}),
    )
    .await;
    add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Ask her manager about the promotion case", "owner": "leader"}),
    )
    .await;
    let checkin = app
        .with_token(Method::GET, "/api/checkin", &app.invite(0), None)
        .await;
    let someone_else = app
        .with_token(Method::GET, "/api/checkin", &app.invite(1), None)
        .await;

    assert_eq!(checkin.status, StatusCode::OK);
    assert_eq!(
        checkin.json()["promised"],
        json!([{"title": "Find Amara a mentor", "due_on": "2026-12-15", "status": "open"}])
    );
    assert!(!checkin.text().contains("promotion case"));
    assert_eq!(someone_else.json()["promised"], json!([]));
}

async fn bad_items_and_notes_are_refused_naming_the_field_and_change_nothing(app: &TestApp) {
    let cookie = app.login().await;
    let (first, _) = two_meetings(app, &cookie).await;
    let cases = [
        (
            json!({"title": "  ", "owner": "leader"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
        ),
        (
            json!({"title": "x".repeat(301), "owner": "leader"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
        ),
        (
            json!({"title": "Ok", "owner": "leader", "due_on": "tomorrow"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("due_on"),
        ),
        (
            json!({"title": "Ok", "owner": "leader", "due_on": "2026-02-30"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("due_on"),
        ),
        (
            json!({"title": "Ok", "owner": "the cat"}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json!({"title": "Ok", "owner": "leader", "extra": 1}),
            StatusCode::BAD_REQUEST,
            None,
        ),
    ];
    for (body, status, field) in cases {
        let reply = add_item(app, &cookie, &first, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text());
        assert!(reply.json()["message"].is_string(), "{}", reply.text());
        if let Some(field) = field {
            assert_eq!(reply.json()["fields"][0]["field"], field, "{body}");
        }
    }
    let long = save_notes(app, &cookie, &first, &"x".repeat(20_001)).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(long.json()["fields"][0]["field"], "body");

    let good = add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Keep", "owner": "employee"}),
    )
    .await;
    let id = good.json()["id"].as_str().unwrap().to_owned();
    let bad_update = patch_item(app, &cookie, &id, json!({"title": "", "status": "done"})).await;
    assert_eq!(bad_update.status, StatusCode::UNPROCESSABLE_ENTITY);
    let view = app
        .leader_get(&cookie, &format!("/api/meetings/{first}/view"))
        .await
        .json();
    assert_eq!(titles(&view["items"]), ["Keep"], "nothing else was stored");
    assert_eq!(
        view["items"][0]["status"], "open",
        "a refused change changed nothing"
    );
    assert_eq!(view["notes"], "");
}

async fn meeting_routes_admit_only_their_leader(app: &TestApp) {
    let cookie = app.login().await;
    let (first, _) = two_meetings(app, &cookie).await;
    let item = add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Mine", "owner": "leader"}),
    )
    .await
    .json();
    let item = item["id"].as_str().unwrap();
    let (admin, other) = app.outsiders(&cookie, "3").await;
    let employee = format!("Bearer {}", app.invite(0));
    let routes = [
        (Method::GET, format!("/api/meetings/{first}/view"), None),
        (
            Method::PUT,
            format!("/api/meetings/{first}/notes"),
            Some(json!({"body": "x"})),
        ),
        (
            Method::POST,
            format!("/api/meetings/{first}/items"),
            Some(json!({"title": "x", "owner": "leader"})),
        ),
        (
            Method::PATCH,
            format!("/api/items/{item}"),
            Some(json!({"status": "done"})),
        ),
        (Method::GET, "/api/follow-ups".to_owned(), None),
    ];
    for (method, uri, body) in routes {
        let text = body.as_ref().map(Value::to_string);
        let nobody = app.send(method.clone(), &uri, &[], text.as_deref()).await;
        let link = app
            .send(
                method.clone(),
                &uri,
                &[("authorization", &employee)],
                text.as_deref(),
            )
            .await;
        let admin_reply = app
            .as_account(&admin, method.clone(), &uri, body.as_ref())
            .await;
        let other_reply = app
            .as_account(&other, method.clone(), &uri, body.as_ref())
            .await;
        let own = app
            .as_account(&cookie, method.clone(), &uri, body.as_ref())
            .await;

        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(link.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(admin_reply.status, StatusCode::FORBIDDEN, "{method} {uri}");
        if uri.ends_with("/follow-ups") {
            assert_eq!(other_reply.status, StatusCode::OK);
            assert_eq!(other_reply.json(), json!([]), "another leader's items");
        } else {
            assert_eq!(other_reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        }
        assert!(own.status.is_success(), "{method} {uri}: {}", own.text());
    }
}

async fn the_history_and_its_exports_hold_every_meeting_newest_first(app: &TestApp) {
    let cookie = app.login().await;
    let (first, second) = two_meetings(app, &cookie).await;
    save_notes(app, &cookie, &first, "Last quarter: on-call is heavy").await;
    add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Rotate on-call", "owner": "manager"}),
    )
    .await;
    add_item(
        app,
        &cookie,
        &second,
        json!({"title": "Check in on on-call", "owner": "leader"}),
    )
    .await;

    let history = app
        .leader_get(&cookie, &format!("/api/meetings/{second}/history"))
        .await;
    let markdown = app
        .leader_get(&cookie, &format!("/api/meetings/{first}/history.md"))
        .await;
    let one = app
        .leader_get(&cookie, &format!("/api/meetings/{first}/export.md"))
        .await;

    assert_eq!(history.status, StatusCode::OK, "{}", history.text());
    let h = history.json();
    assert_eq!(h["person_name"], app.demo.invites[0].name.as_str());
    let meetings = h["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 2);
    assert_eq!(
        meetings[0]["briefing"]["meeting"]["id"],
        second.as_str(),
        "newest first"
    );
    assert_eq!(meetings[1]["notes"], "Last quarter: on-call is heavy");
    assert_eq!(titles(&meetings[1]["items"]), ["Rotate on-call"]);
    // The demo's last quarter check-in is in, with its confidential answers.
    assert_eq!(
        meetings[1]["briefing"]["answers"]["personal"]["text"],
        "Busy but good."
    );

    assert_eq!(markdown.status, StatusCode::OK);
    let text = markdown.text();
    let newer = text.find("Check in on on-call").unwrap();
    let older = text.find("Rotate on-call").unwrap();
    assert!(newer < older, "{text}");
    assert!(text.contains("> Last quarter: on-call is heavy"), "{text}");
    assert!(text.contains("> Busy but good."), "{text}");
    assert!(one.text().contains("Rotate on-call"));
    assert!(
        !one.text().contains("Check in on on-call"),
        "one meeting only"
    );
    assert!(
        one.text()
            .contains("**How are things going for you personally?**"),
        "{}",
        one.text()
    );
    assert!(
        !text.contains("morale"),
        "no anonymous answer in an export: {text}"
    );
}

async fn an_admin_erases_a_persons_data_and_the_counts_stay(app: &TestApp) {
    let cookie = app.login().await;
    let (first, second) = two_meetings(app, &cookie).await;
    save_notes(app, &cookie, &second, "to be erased").await;
    add_item(
        app,
        &cookie,
        &first,
        json!({"title": "Erase me", "owner": "leader"}),
    )
    .await;
    let person: String = sqlx::query_scalar("select person_id from meetings where id = $1")
        .bind(&first)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let counts_before: i64 =
        sqlx::query_scalar("select cast(coalesce(sum(count), 0) as bigint) from group_tallies")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let (_, leader_only) = app.outsiders(&cookie, "9").await;

    let refused = app
        .as_account(
            &leader_only,
            Method::DELETE,
            &format!("/api/admin/people/{person}/data"),
            None,
        )
        .await;
    let unknown = app
        .as_account(
            &cookie,
            Method::DELETE,
            "/api/admin/people/nobody/data",
            None,
        )
        .await;
    let erased = app
        .as_account(
            &cookie,
            Method::DELETE,
            &format!("/api/admin/people/{person}/data"),
            None,
        )
        .await;
    let history = app
        .leader_get(&cookie, &format!("/api/meetings/{first}/history"))
        .await
        .json();
    let counts_after: i64 =
        sqlx::query_scalar("select cast(coalesce(sum(count), 0) as bigint) from group_tallies")
            .fetch_one(app.db.pool())
            .await
            .unwrap();

    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text());
    // Last quarter's submitted check-in, one note, one item.
    assert_eq!(
        erased.json(),
        json!({"checkins": 1, "notes": 1, "items": 1})
    );
    for m in history["meetings"].as_array().unwrap() {
        assert_eq!(m["briefing"]["answers"], json!({}));
        assert_eq!(m["notes"], "");
        assert_eq!(m["items"], json!([]));
    }
    assert_eq!(
        counts_after, counts_before,
        "anonymous counts hold no person"
    );
}

async fn themes_reach_only_the_chosen_managers_as_written_then(app: &TestApp) {
    let cookie = app.login().await;
    let rounds = app.leader_get(&cookie, "/api/rounds").await.json();
    let round = rounds[0]["id"].as_str().unwrap().to_owned();
    let themes_uri = format!("/api/rounds/{round}/themes");
    let send_uri = format!("{themes_uri}/send");
    let sink = tests::smtp::SmtpSink::start().await;
    let smtp = json!({"host": "127.0.0.1", "port": sink.addr.port(), "tls": "none",
        "from": "skipcheck@demo.example"});
    app.as_account(
        &cookie,
        Method::PUT,
        "/api/admin/settings/smtp",
        Some(&smtp),
    )
    .await;

    let nothing_yet = app
        .as_account(
            &cookie,
            Method::POST,
            &send_uri,
            Some(&json!({"manager_ids": ["x"]})),
        )
        .await;
    let empty = app
        .as_account(
            &cookie,
            Method::PUT,
            &themes_uri,
            Some(&json!({"themes": ["Release pressure", " "]})),
        )
        .await;
    let saved = app
        .as_account(
            &cookie,
            Method::PUT,
            &themes_uri,
            Some(&json!({"themes": ["Release pressure is high", "People want clearer career paths"]})),
        )
        .await;
    let draft = saved.json();
    let managers = draft["managers"].as_array().unwrap();
    let first = managers
        .iter()
        .find(|m| m["name"] == app.demo.manager_links[0].name.as_str())
        .unwrap()["manager_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = app
        .as_account(
            &cookie,
            Method::POST,
            &send_uri,
            Some(&json!({"manager_ids": ["nobody"]})),
        )
        .await;
    let sent = app
        .as_account(
            &cookie,
            Method::POST,
            &send_uri,
            Some(&json!({"manager_ids": [first]})),
        )
        .await;
    // A later edit changes nothing already sent.
    app.as_account(
        &cookie,
        Method::PUT,
        &themes_uri,
        Some(&json!({"themes": ["Edited later"]})),
    )
    .await;
    let chosen = app
        .with_token(Method::GET, "/api/estimate", &app.manager_link(0), None)
        .await
        .json();
    let other = app
        .with_token(Method::GET, "/api/estimate", &app.manager_link(1), None)
        .await
        .json();
    let after = app.leader_get(&cookie, &themes_uri).await.json();

    assert_eq!(nothing_yet.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nothing_yet.json()["fields"][0]["field"], "themes");
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["fields"][0]["field"], "themes.1");
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(managers.len(), 4);
    assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stranger.json()["fields"][0]["field"], "manager_ids");
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
    assert_eq!(sent.json()[0]["sent"], true, "{}", sent.text());
    assert_eq!(
        chosen["themes"][0]["themes"],
        json!([
            "Release pressure is high",
            "People want clearer career paths"
        ])
    );
    assert_eq!(other["themes"], json!([]));
    let mails = sink.messages();
    let to_manager: Vec<_> = mails
        .iter()
        .filter(|m| m.text().contains("Release pressure is high"))
        .collect();
    assert_eq!(to_manager.len(), 1);
    assert!(!to_manager[0].text().contains("Edited later"));
    let first_row = after["managers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager_id"] == first.as_str())
        .unwrap();
    assert!(first_row["sent_at"].as_i64().unwrap() > 0);

    // Only the round's leader writes or sends them.
    let (admin, other_leader) = app.outsiders(&cookie, "7").await;
    let employee = format!("Bearer {}", app.invite(0));
    for (method, uri, body) in [
        (Method::GET, themes_uri.clone(), None),
        (
            Method::PUT,
            themes_uri.clone(),
            Some(json!({"themes": ["x"]})),
        ),
        (
            Method::POST,
            send_uri.clone(),
            Some(json!({"manager_ids": [first]})),
        ),
    ] {
        let text = body.as_ref().map(Value::to_string);
        let nobody = app.send(method.clone(), &uri, &[], text.as_deref()).await;
        let link = app
            .send(
                method.clone(),
                &uri,
                &[("authorization", &employee)],
                text.as_deref(),
            )
            .await;
        let a = app
            .as_account(&admin, method.clone(), &uri, body.as_ref())
            .await;
        let o = app
            .as_account(&other_leader, method.clone(), &uri, body.as_ref())
            .await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(link.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(o.status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
}
