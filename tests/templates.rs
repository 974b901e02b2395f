//! Leaders' templates through the router on SQLite and Postgres: copying
//! the built-in ones, editing a copy into new versions, the rules a template
//! keeps, and answers that keep the questions as they were asked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{TestApp, on_both, token_of};

on_both!(
    a_leader_copies_the_built_in_template_and_each_save_is_a_new_version,
    an_answer_to_a_removed_question_keeps_its_original_prompt,
    a_template_that_breaks_a_rule_is_refused_naming_the_question,
    template_routes_admit_only_their_leader,
);

async fn copy_skip_level(app: &TestApp, cookie: &str, name: &str) -> Value {
    let reply = app
        .as_account(
            cookie,
            Method::POST,
            "/api/templates",
            Some(&json!({"from": "skip-level", "name": name})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

async fn save(app: &TestApp, cookie: &str, key: &str, template: &Value) -> tests::Reply {
    app.as_account(
        cookie,
        Method::PUT,
        &format!("/api/templates/{key}"),
        Some(&json!({"template": template})),
    )
    .await
}

async fn a_leader_copies_the_built_in_template_and_each_save_is_a_new_version(app: &TestApp) {
    let cookie = app.login().await;
    let copy = copy_skip_level(app, &cookie, "Our skip-levels").await;
    let key = copy["key"].as_str().unwrap().to_owned();
    let mut template = copy["template"].clone();
    // Remove the first question, move the last section first, add a choice.
    template["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let last = template["sections"].as_array_mut().unwrap().pop().unwrap();
    template["sections"].as_array_mut().unwrap().insert(0, last);
    template["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "focus", "prompt": "Where should we focus?", "kind": {"single_choice": {"options": ["Quality", "Speed"]}},
            "visibility": "anonymous", "required": false}));
    let saved = save(app, &cookie, &key, &template).await;
    let list = app.leader_get(&cookie, "/api/templates").await.json();

    assert_eq!(copy["version"], 1);
    assert_eq!(copy["built_in"], false);
    assert_eq!(copy["template"]["name"], "Our skip-levels");
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(saved.json()["version"], 2);
    assert_eq!(saved.json()["template"]["sections"][0]["title"], "Morale");
    let keys: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["key"].as_str().unwrap(), t["built_in"].as_bool().unwrap()))
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.contains(&("skip-level", true)) && keys.contains(&("peer", true)));
    assert!(keys.contains(&(key.as_str(), false)));
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key.as_str())
        .unwrap();
    assert_eq!(mine["version"], 2, "the list shows the newest version");
    // The built-in one is unchanged.
    let built_in = app
        .leader_get(&cookie, "/api/templates/skip-level")
        .await
        .json();
    assert_eq!(
        built_in["template"]["sections"][0]["questions"][0]["id"],
        "personal"
    );
}

async fn an_answer_to_a_removed_question_keeps_its_original_prompt(app: &TestApp) {
    let cookie = app.login().await;
    let copy = copy_skip_level(app, &cookie, "Versioned").await;
    let key = copy["key"].as_str().unwrap().to_owned();
    let series = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/series",
            Some(&json!({"kind": "skip_level", "name": "With my template", "cadence": "weekly", "template_key": key})),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let id = series.json()["id"].as_str().unwrap().to_owned();
    let detail = app
        .leader_get(&cookie, &format!("/api/series/{id}"))
        .await
        .json();
    let person = detail["proposals"][0]["person_id"].as_str().unwrap();
    let invitation = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/series/{id}/meetings"),
            Some(&json!({"person_id": person, "at": backend::now() + 2 * 86_400})),
        )
        .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.text()
    );
    let invitation = invitation.json();
    let token = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let meeting = invitation["meeting"]["id"].as_str().unwrap().to_owned();
    let body = json!({"answers": {"personal": {"text": "Answered under version 1"},
        "support": {"scale": 6}, "morale": "prefer_not_to_say"}});
    let sent = app
        .with_token(
            Method::POST,
            "/api/checkin/submit",
            &token,
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());

    // Version 2 drops the question that was answered.
    let mut template = copy["template"].clone();
    template["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .retain(|q| q["id"] != "personal");
    assert_eq!(
        save(app, &cookie, &key, &template).await.status,
        StatusCode::OK
    );
    let briefing = app
        .leader_get(&cookie, &format!("/api/meetings/{meeting}"))
        .await
        .json();

    assert_eq!(briefing["template"]["version"], 1);
    assert_eq!(
        briefing["template"]["sections"][0]["questions"][0]["prompt"],
        "How are things going for you personally?"
    );
    assert_eq!(
        briefing["answers"]["personal"]["text"],
        "Answered under version 1"
    );
}

async fn a_template_that_breaks_a_rule_is_refused_naming_the_question(app: &TestApp) {
    let cookie = app.login().await;
    let copy = copy_skip_level(app, &cookie, "Strict").await;
    let key = copy["key"].as_str().unwrap().to_owned();
    // (a pointer into the template, a value that breaks a rule, the field named)
    let cases = [
        (
            "/sections/0/questions/0/visibility",
            json!("anonymous"),
            "personal",
        ),
        ("/sections/0/questions/1/id", json!("personal"), "personal"),
        (
            "/sections/1/questions/1/kind",
            json!({"scale": {"min": 5, "max": 5, "min_label": "a", "max_label": "b"}}),
            "support",
        ),
        ("/name", json!(" "), "name"),
        ("/sections/0/title", json!(""), "sections.0"),
    ];
    for (pointer, value, field) in cases {
        let mut template = copy["template"].clone();
        *template.pointer_mut(pointer).unwrap() = value;
        let reply = save(app, &cookie, &key, &template).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.text()
        );
        let json = reply.json();
        let fields: Vec<&str> = json["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field}: {}", reply.text());
    }
    let unchanged = app
        .leader_get(&cookie, &format!("/api/templates/{key}"))
        .await
        .json();
    assert_eq!(unchanged["version"], 1, "nothing refused was stored");
    let malformed = app
        .as_account(
            &cookie,
            Method::PUT,
            &format!("/api/templates/{key}"),
            Some(&json!({"template": 3})),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let built_in = save(app, &cookie, "skip-level", &copy["template"]).await;
    assert_eq!(built_in.status, StatusCode::FORBIDDEN);
    let unknown = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/series",
            Some(&json!({"kind": "skip_level", "name": "S", "cadence": "weekly", "template_key": "t-nothing"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["fields"][0]["field"], "template_key");
}

async fn template_routes_admit_only_their_leader(app: &TestApp) {
    let cookie = app.login().await;
    let copy = copy_skip_level(app, &cookie, "Private").await;
    let key = copy["key"].as_str().unwrap().to_owned();
    let (admin, other) = app.outsiders(&cookie, "5").await;
    let employee = format!("Bearer {}", app.invite(0));
    let mine = format!("/api/templates/{key}");
    let body = json!({"template": copy["template"]});
    for (method, uri, body) in [
        (Method::GET, "/api/templates".to_owned(), None),
        (
            Method::POST,
            "/api/templates".to_owned(),
            Some(json!({"from": "skip-level", "name": "X"})),
        ),
        (Method::GET, mine.clone(), None),
        (Method::PUT, mine.clone(), Some(body)),
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
            .as_account(&other, method.clone(), &uri, body.as_ref())
            .await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(link.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri}");
        if uri == mine {
            assert_eq!(
                o.status,
                StatusCode::NOT_FOUND,
                "{method} {uri}: another leader's copy"
            );
        } else {
            assert!(o.status.is_success(), "{method} {uri}: {}", o.text());
            assert!(
                !o.text().contains("Private"),
                "another leader's copy is listed"
            );
        }
    }
}
