//! Series, rotation, scheduling and the dashboard through the router, each
//! scenario on SQLite and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{Reply, TestApp, on_both, token_of};

on_both!(
    a_skip_level_series_proposes_people_two_levels_down_with_reasons,
    a_scheduled_meeting_has_an_invitation_a_calendar_file_and_a_working_link,
    the_manager_is_told_when_and_sees_no_answers,
    a_lost_link_is_reissued_and_the_old_one_dies,
    a_meeting_moves_and_bad_times_are_refused,
    a_skipped_proposal_is_not_proposed_again_this_quarter,
    bad_series_are_refused_with_each_field_named,
    series_routes_admit_only_their_leader,
    a_peer_series_proposes_people_at_the_leaders_level,
    the_dashboard_shows_the_week_and_check_ins_not_started,
    a_leader_outside_the_directory_is_told_why,
    a_new_joiner_is_proposed_first,
    a_started_meeting_does_not_move_and_an_email_does_not_change_before_it,
    a_cancelled_meeting_kills_its_link_and_frees_the_person,
    the_leader_downloads_a_meeting_for_their_calendar_without_the_link,
    a_stopped_series_proposes_and_schedules_no_one_and_keeps_its_meetings,
);

const DAY: i64 = 86_400;

async fn start(app: &TestApp, cookie: &str, body: Value) -> Value {
    let reply = app
        .as_account(cookie, Method::POST, "/api/series", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

fn weekly() -> Value {
    json!({"kind": "skip_level", "name": "Engineering skip-levels", "cadence": "weekly", "per_week": 2})
}

async fn detail(app: &TestApp, cookie: &str, id: &str) -> Value {
    let reply = app
        .as_account(cookie, Method::GET, &format!("/api/series/{id}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

async fn schedule(app: &TestApp, cookie: &str, series: &str, person: &str, at: i64) -> Reply {
    app.as_account(
        cookie,
        Method::POST,
        &format!("/api/series/{series}/meetings"),
        Some(&json!({"person_id": person, "at": at, "duration_minutes": 45, "utc_offset_minutes": 60})),
    )
    .await
}

/// A new series of the demo leader, its first proposal, and a meeting
/// scheduled with them two days from now: (series id, invitation).
async fn scheduled(app: &TestApp, cookie: &str) -> (String, Value) {
    let series = start(app, cookie, weekly()).await;
    let id = series["id"].as_str().unwrap().to_owned();
    let first = detail(app, cookie, &id).await["proposals"][0].clone();
    let reply = schedule(
        app,
        cookie,
        &id,
        first["person_id"].as_str().unwrap(),
        backend::now() + 2 * DAY,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    (id, reply.json())
}

async fn a_skip_level_series_proposes_people_two_levels_down_with_reasons(app: &TestApp) {
    let cookie = app.login().await;

    let series = start(app, &cookie, weekly()).await;
    let id = series["id"].as_str().unwrap();
    let first = detail(app, &cookie, id).await;
    let again = detail(app, &cookie, id).await;

    // 24 engineers and 2 people below a tech lead: 26 people two or more levels down.
    assert_eq!(series["people"], 26);
    assert_eq!(series["template_name"], "Skip-level 1:1");
    let proposals = first["proposals"].as_array().unwrap();
    assert!(proposals.len() >= 2);
    assert!(proposals.iter().all(|p| p["level"].as_u64().unwrap() >= 2));
    assert!(
        proposals
            .iter()
            .all(|p| !p["reason"].as_str().unwrap().is_empty())
    );
    // The demo round already plans ten of them: the never-met come first.
    assert!(
        proposals[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("No skip-level with you yet"),
        "{}",
        proposals[0]["reason"]
    );
    assert_ne!(
        proposals[0]["team"], proposals[1]["team"],
        "teams are spread"
    );
    assert_eq!(first, again, "the order is deterministic");
    let listed = app
        .as_account(&cookie, Method::GET, "/api/series", None)
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Depth 2 and one team.
    let narrow = start(
        app,
        &cookie,
        json!({"kind": "skip_level", "name": "Platform", "cadence": "quarterly", "depth": 2, "teams": ["Platform"]}),
    )
    .await;
    assert_eq!(
        narrow["people"], 6,
        "the six Platform engineers, not the two below their lead"
    );
    let batch = detail(app, &cookie, narrow["id"].as_str().unwrap()).await;
    assert!(
        batch["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["team"] == "Platform")
    );
}

async fn a_scheduled_meeting_has_an_invitation_a_calendar_file_and_a_working_link(app: &TestApp) {
    let cookie = app.login().await;
    let (series, invitation) = scheduled(app, &cookie).await;
    let person = invitation["meeting"]["person_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let person_id = {
        let people = app
            .as_account(&cookie, Method::GET, "/api/admin/people", None)
            .await
            .json();
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == person.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let url = invitation["url"].as_str().unwrap();
    let token = token_of(url, "#i=");
    let checkin = app
        .with_token(Method::GET, "/api/checkin", &token, None)
        .await;
    let twice = schedule(app, &cookie, &series, &person_id, backend::now() + 3 * DAY).await;
    let after = detail(app, &cookie, &series).await;

    assert!(
        url.starts_with("http://skipcheck.test/checkin/#i="),
        "{url}"
    );
    let text = invitation["text"].as_str().unwrap();
    let first_name = person.split(' ').next().unwrap();
    assert!(text.starts_with(&format!("Hi {first_name},")), "{text}");
    assert!(text.contains(url));
    assert!(text.contains("only I read them"));
    assert!(text.contains("45 minutes"));
    assert!(
        invitation["subject"]
            .as_str()
            .unwrap()
            .contains("(UTC+01:00)")
    );
    let ics = invitation["ics"].as_str().unwrap();
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART:") && ics.contains("DTEND:"),
        "{ics}"
    );
    assert_eq!(checkin.status, StatusCode::OK, "{}", checkin.text());
    assert_eq!(checkin.json()["person_name"], person.as_str());
    assert_eq!(checkin.json()["editable"], true);
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        after["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["person_id"] != person_id.as_str())
    );
    assert_eq!(after["meetings"][0]["person_name"], person.as_str());
    assert_eq!(after["series"]["upcoming"], 1);
    // The round of this quarter exists, with k locked.
    let rounds = app
        .as_account(&cookie, Method::GET, "/api/rounds", None)
        .await
        .json();
    assert!(rounds.as_array().unwrap().iter().any(|r| {
        r["name"]
            .as_str()
            .unwrap()
            .starts_with("Engineering skip-levels · Q")
    }));
}

async fn the_manager_is_told_when_and_sees_no_answers(app: &TestApp) {
    let cookie = app.login().await;
    let (_, invitation) = scheduled(app, &cookie).await;
    let person = invitation["meeting"]["person_name"].as_str().unwrap();
    let notice = &invitation["manager"];
    let manager_url = notice["url"].as_str().unwrap();
    let manager_token = token_of(manager_url, "#m=");
    // The employee writes something; the manager must never see it.
    let token = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let secret = "my manager micromanages me";
    let draft = json!({"answers": {"personal": {"text": secret}}}).to_string();
    app.with_token(Method::PUT, "/api/checkin/draft", &token, Some(&draft))
        .await;

    let page = app
        .with_token(Method::GET, "/api/estimate", &manager_token, None)
        .await;

    assert_eq!(notice["name"], invitation["meeting"]["manager_name"]);
    assert!(notice["text"].as_str().unwrap().contains(person));
    assert!(
        !notice["text"].as_str().unwrap().contains("checkin"),
        "no check-in link for the manager"
    );
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.json()["team_meetings"][0]["person_name"], person);
    assert!(!page.text().contains(secret));
    // A second meeting of the same manager's team reuses their page.
    let series = app
        .as_account(&cookie, Method::GET, "/api/series", None)
        .await
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = detail(app, &cookie, &series).await["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            // Someone in the same team, so the same manager.
            p["team"] == invitation_team(&invitation)
        })
        .cloned();
    if let Some(next) = next {
        let reply = schedule(
            app,
            &cookie,
            &series,
            next["person_id"].as_str().unwrap(),
            backend::now() + 4 * DAY,
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        if reply.json()["manager"]["name"] == notice["name"] {
            assert_eq!(
                reply.json()["manager"]["url"],
                Value::Null,
                "the page is made once per round"
            );
        }
    }
}

fn invitation_team(invitation: &Value) -> Value {
    let manager = invitation["meeting"]["manager_name"]
        .as_str()
        .unwrap_or_default();
    json!(match manager {
        "Priya Natarajan" => "Platform",
        "Tomás Herrera" => "Product",
        "Grace Okafor" => "Data",
        _ => "Mobile",
    })
}

async fn a_lost_link_is_reissued_and_the_old_one_dies(app: &TestApp) {
    let cookie = app.login().await;
    let (_, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let old = token_of(invitation["url"].as_str().unwrap(), "#i=");

    let reply = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/invitation"),
            Some(&json!({})),
        )
        .await;
    let new = token_of(reply.json()["url"].as_str().unwrap(), "#i=");
    let old_opens = app
        .with_token(Method::GET, "/api/checkin", &old, None)
        .await;
    let new_opens = app
        .with_token(Method::GET, "/api/checkin", &new, None)
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_ne!(old, new);
    assert_eq!(old_opens.status, StatusCode::NOT_FOUND);
    assert_eq!(old_opens.error(), "invalid_link");
    assert_eq!(new_opens.status, StatusCode::OK);
    assert_eq!(
        reply.json()["manager"],
        Value::Null,
        "the manager was told already"
    );
}

async fn a_meeting_moves_and_bad_times_are_refused(app: &TestApp) {
    let cookie = app.login().await;
    let (series, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let uri = format!("/api/meetings/{meeting}/time");
    let later = backend::now() + 5 * DAY;

    let moved = app
        .as_account(&cookie, Method::PUT, &uri, Some(&json!({"at": later})))
        .await;
    let past = app
        .as_account(
            &cookie,
            Method::PUT,
            &uri,
            Some(&json!({"at": backend::now() - 60})),
        )
        .await;
    let long = app
        .as_account(
            &cookie,
            Method::PUT,
            &uri,
            Some(&json!({"at": later, "duration_minutes": 600})),
        )
        .await;
    let proposal = detail(app, &cookie, &series).await["proposals"][0]["person_id"].clone();
    let in_past = schedule(
        app,
        &cookie,
        &series,
        proposal.as_str().unwrap(),
        backend::now() - DAY,
    )
    .await;
    let stranger = schedule(app, &cookie, &series, "nobody", backend::now() + DAY).await;

    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(moved.json()["meeting_at"], later);
    for (reply, field) in [
        (&past, "at"),
        (&long, "duration_minutes"),
        (&in_past, "at"),
        (&stranger, "person_id"),
    ] {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        assert_eq!(reply.json()["fields"][0]["field"], field);
    }
}

async fn a_skipped_proposal_is_not_proposed_again_this_quarter(app: &TestApp) {
    let cookie = app.login().await;
    let series = start(app, &cookie, weekly()).await;
    let id = series["id"].as_str().unwrap();
    let before = detail(app, &cookie, id).await;
    let skipped = before["proposals"][0]["person_id"].as_str().unwrap();

    let reply = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/series/{id}/skip"),
            Some(&json!({"person_id": skipped})),
        )
        .await;
    let after = detail(app, &cookie, id).await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    assert!(
        after["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["person_id"] != skipped)
    );
    assert_eq!(
        after["proposals"].as_array().unwrap().len(),
        before["proposals"].as_array().unwrap().len() - 1,
        "everyone else is still proposed"
    );
}

async fn bad_series_are_refused_with_each_field_named(app: &TestApp) {
    let cookie = app.login().await;
    let cases = [
        (
            json!({"kind": "skip_level", "name": "", "cadence": "peer", "depth": 1}),
            vec!["name", "cadence", "depth"],
        ),
        (
            json!({"kind": "skip_level", "name": "X", "cadence": "weekly", "per_week": 0}),
            vec!["per_week"],
        ),
        (
            json!({"kind": "peer", "name": "X", "cadence": "peer", "interval_weeks": 8}),
            vec!["interval_weeks"],
        ),
        (
            json!({"kind": "skip_level", "name": "X", "cadence": "weekly", "teams": ["Nowhere"]}),
            vec!["teams"],
        ),
    ];

    for (body, fields) in cases {
        let reply = app
            .as_account(&cookie, Method::POST, "/api/series", Some(&body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.text()
        );
        let got: Vec<String> = reply.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, fields, "{body}");
    }
    let unknown_kind = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/series",
            Some(&json!({"kind": "daily", "name": "X", "cadence": "weekly"})),
        )
        .await;
    assert_eq!(unknown_kind.status, StatusCode::BAD_REQUEST);
    let listed = app
        .as_account(&cookie, Method::GET, "/api/series", None)
        .await
        .json();
    assert_eq!(listed, json!([]), "nothing was created");
}

/// Invites someone by email as a leader (and admin, if asked) and logs them in.
async fn account(
    app: &TestApp,
    admin: &str,
    email: &str,
    is_admin: bool,
    is_leader: bool,
) -> String {
    app.new_account(admin, email, is_admin, is_leader, "a long password 1")
        .await
}

async fn series_routes_admit_only_their_leader(app: &TestApp) {
    let cookie = app.login().await;
    let (series, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let admin_only = account(app, &cookie, "admin-only@demo.example", true, false).await;
    let other_leader = account(
        app,
        &cookie,
        "priya.natarajan@demo.skipcheck.test",
        false,
        true,
    )
    .await;
    let routes: [(Method, String, Option<Value>); 11] = [
        (Method::GET, format!("/api/series/{series}"), None),
        (
            Method::POST,
            format!("/api/series/{series}/skip"),
            Some(json!({"person_id": "x"})),
        ),
        (
            Method::POST,
            format!("/api/series/{series}/meetings"),
            Some(json!({"person_id": "x", "at": backend::now() + DAY})),
        ),
        (
            Method::POST,
            format!("/api/meetings/{meeting}/invitation"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            format!("/api/meetings/{meeting}/time"),
            Some(json!({"at": backend::now() + DAY})),
        ),
        (Method::GET, "/api/series".to_owned(), None),
        (Method::POST, "/api/series".to_owned(), Some(weekly())),
        (Method::GET, "/api/series/options".to_owned(), None),
        (Method::GET, "/api/dashboard".to_owned(), None),
        (
            Method::POST,
            format!("/api/meetings/{meeting}/remind"),
            Some(json!({})),
        ),
        (Method::DELETE, format!("/api/meetings/{meeting}"), None),
    ];

    for (method, uri, body) in &routes {
        let admin = app
            .as_account(&admin_only, method.clone(), uri, body.as_ref())
            .await;
        let nobody = app
            .send(
                method.clone(),
                uri,
                &[],
                body.as_ref().map(Value::to_string).as_deref(),
            )
            .await;
        let employee = app
            .with_token(
                method.clone(),
                uri,
                &token_of(invitation["url"].as_str().unwrap(), "#i="),
                body.as_ref().map(Value::to_string).as_deref(),
            )
            .await;
        assert_eq!(admin.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(employee.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        let other = app
            .as_account(&other_leader, method.clone(), uri, body.as_ref())
            .await;
        if uri.contains(&series) || uri.contains(meeting) {
            assert_eq!(
                other.status,
                StatusCode::NOT_FOUND,
                "another leader's: {method} {uri}"
            );
        } else {
            // Their own: what they see, or a series they start.
            assert!(
                other.status.is_success(),
                "{method} {uri}: {}",
                other.status
            );
        }
    }
    let own = app
        .as_account(&cookie, Method::GET, &format!("/api/series/{series}"), None)
        .await;
    assert_eq!(own.status, StatusCode::OK);
}

async fn a_peer_series_proposes_people_at_the_leaders_level(app: &TestApp) {
    let admin = app.login().await;
    let priya = account(
        app,
        &admin,
        "priya.natarajan@demo.skipcheck.test",
        false,
        true,
    )
    .await;

    let options = app
        .as_account(&priya, Method::GET, "/api/series/options", None)
        .await
        .json();
    let peer = start(
        app,
        &priya,
        json!({"kind": "peer", "name": "Peers", "cadence": "peer", "interval_weeks": 3}),
    )
    .await;
    let proposals = detail(app, &priya, peer["id"].as_str().unwrap()).await["proposals"].clone();
    let skip = start(
        app,
        &priya,
        json!({"kind": "skip_level", "name": "Mine", "cadence": "quarterly"}),
    )
    .await;

    assert_eq!(options["in_directory"], true);
    assert_eq!(options["peers"], 3);
    assert_eq!(options["levels"], json!([6, 2]));
    assert_eq!(peer["people"], 3);
    assert_eq!(peer["template_name"], "Peer 1:1");
    let first = proposals[0]["name"].as_str().unwrap();
    assert!(
        ["Grace Okafor", "Lukas Becker", "Tomás Herrera"].contains(&first),
        "{first}"
    );
    assert!(
        proposals[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("No peer 1:1 with you yet")
    );
    assert_eq!(skip["people"], 2, "Zoe and Ravi, below her tech lead");
    let invitation = schedule(
        app,
        &priya,
        peer["id"].as_str().unwrap(),
        proposals[0]["person_id"].as_str().unwrap(),
        backend::now() + DAY,
    )
    .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.text()
    );
    assert!(
        invitation.json()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Peer 1:1 with")
    );
    assert_eq!(
        invitation.json()["manager"],
        Value::Null,
        "peers' managers are not notified"
    );
}

async fn the_dashboard_shows_the_week_and_check_ins_not_started(app: &TestApp) {
    let cookie = app.login().await;
    let series = start(app, &cookie, weekly()).await;
    let id = series["id"].as_str().unwrap();
    let first = detail(app, &cookie, id).await["proposals"][0]["person_id"].clone();
    let soon = backend::now() + 3600;
    let reply = schedule(app, &cookie, id, first.as_str().unwrap(), soon).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let name = reply.json()["meeting"]["person_name"].clone();

    let board = app
        .as_account(&cookie, Method::GET, "/api/dashboard", None)
        .await;
    let token = token_of(reply.json()["url"].as_str().unwrap(), "#i=");
    let draft = json!({"answers": {"personal": {"text": "started"}}}).to_string();
    app.with_token(Method::PUT, "/api/checkin/draft", &token, Some(&draft))
        .await;
    let after = app
        .as_account(&cookie, Method::GET, "/api/dashboard", None)
        .await
        .json();

    assert_eq!(board.status, StatusCode::OK, "{}", board.text());
    let board = board.json();
    assert!(
        board["not_started"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["meeting"]["person_name"] == name)
    );
    assert!(
        !after["not_started"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["meeting"]["person_name"] == name)
    );
    assert_eq!(board["proposals"][0]["series_id"], id);
    // Two a week, less the one just planned (unless it falls in next week).
    let this_week =
        backend::rotation::week_start(soon) == backend::rotation::week_start(backend::now());
    assert_eq!(
        board["proposals"][0]["proposals"].as_array().unwrap().len(),
        if this_week { 1 } else { 2 }
    );
    assert_eq!(board["email_enabled"], false);
}

async fn a_leader_outside_the_directory_is_told_why(app: &TestApp) {
    let admin = app.login().await;
    let outsider = account(app, &admin, "outsider@demo.example", false, true).await;

    let options = app
        .as_account(&outsider, Method::GET, "/api/series/options", None)
        .await;
    let refused = app
        .as_account(&outsider, Method::POST, "/api/series", Some(&weekly()))
        .await;

    assert_eq!(options.json()["in_directory"], false);
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("no place in the directory")
    );
}

async fn a_new_joiner_is_proposed_first(app: &TestApp) {
    let cookie = app.login().await;
    let joiner = json!({"name": "Nia New", "email": "nia@demo.example", "team": "Data",
        "manager_email": "grace.okafor@demo.skipcheck.test"});
    let added = app
        .as_account(&cookie, Method::POST, "/api/admin/people", Some(&joiner))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());

    let series = start(app, &cookie, weekly()).await;
    let first = detail(app, &cookie, series["id"].as_str().unwrap()).await["proposals"][0].clone();

    assert_eq!(first["name"], "Nia New");
    assert!(
        first["reason"]
            .as_str()
            .unwrap()
            .starts_with("New joiner (joined this week)"),
        "{}",
        first["reason"]
    );
}

async fn a_started_meeting_does_not_move_and_an_email_does_not_change_before_it(app: &TestApp) {
    let cookie = app.login().await;
    let (_, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let person_email = invitation["person_email"].as_str().unwrap().to_owned();
    let people = app
        .as_account(&cookie, Method::GET, "/api/admin/people", None)
        .await
        .json();
    let person = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == person_email.as_str())
        .unwrap()
        .clone();
    let uri = format!("/api/admin/people/{}", person["id"].as_str().unwrap());
    let mut edit = json!({"name": person["name"], "email": "someone.else@demo.example",
        "title": person["title"], "team": person["team"], "manager_email": person["manager_email"]});

    let email_change = app
        .as_account(&cookie, Method::PUT, &uri, Some(&edit))
        .await;
    edit["email"] = json!(person_email);
    edit["title"] = json!("Staff Engineer");
    let title_change = app
        .as_account(&cookie, Method::PUT, &uri, Some(&edit))
        .await;
    let next_year = app
        .as_account(
            &cookie,
            Method::PUT,
            &format!("/api/meetings/{meeting}/time"),
            Some(&json!({"at": backend::now() + 200 * DAY})),
        )
        .await;
    app.db
        .reschedule_meeting(meeting, backend::now() - 60)
        .await
        .unwrap();
    let started = app
        .as_account(
            &cookie,
            Method::PUT,
            &format!("/api/meetings/{meeting}/time"),
            Some(&json!({"at": backend::now() + DAY})),
        )
        .await;

    assert_eq!(
        email_change.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        email_change.text()
    );
    assert_eq!(email_change.json()["fields"][0]["field"], "email");
    assert_eq!(
        title_change.status,
        StatusCode::OK,
        "{}",
        title_change.text()
    );
    assert_eq!(
        next_year.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside the round's quarter"
    );
    assert_eq!(started.status, StatusCode::CONFLICT);
}

async fn a_cancelled_meeting_kills_its_link_and_frees_the_person(app: &TestApp) {
    let cookie = app.login().await;
    let (series, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let token = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let draft = json!({"answers": {"personal": {"text": "to be deleted"}}}).to_string();
    app.with_token(Method::PUT, "/api/checkin/draft", &token, Some(&draft))
        .await;

    let cancelled = app
        .as_account(
            &cookie,
            Method::DELETE,
            &format!("/api/meetings/{meeting}"),
            None,
        )
        .await;
    let link = app
        .with_token(Method::GET, "/api/checkin", &token, None)
        .await;
    let again = app
        .as_account(
            &cookie,
            Method::DELETE,
            &format!("/api/meetings/{meeting}"),
            None,
        )
        .await;
    let after = detail(app, &cookie, &series).await;
    let kept: i64 = sqlx::query_scalar("select count(*) from checkins where meeting_id = $1")
        .bind(meeting)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // A meeting that has started stays.
    let demo_round = app
        .as_account(&cookie, Method::GET, "/api/rounds", None)
        .await
        .json();
    let old_round = demo_round
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Q4 skip-levels")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let old = app
        .as_account(
            &cookie,
            Method::GET,
            &format!("/api/rounds/{old_round}"),
            None,
        )
        .await
        .json();
    let started = old["meetings"][0]["id"].as_str().unwrap().to_owned();
    app.db
        .reschedule_meeting(&started, backend::now() - 60)
        .await
        .unwrap();
    let refused = app
        .as_account(
            &cookie,
            Method::DELETE,
            &format!("/api/meetings/{started}"),
            None,
        )
        .await;

    assert_eq!(
        cancelled.status,
        StatusCode::NO_CONTENT,
        "{}",
        cancelled.text()
    );
    assert_eq!(link.status, StatusCode::NOT_FOUND);
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(kept, 0, "the written answers are gone");
    assert_eq!(after["meetings"], json!([]));
    assert!(
        after["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == invitation["meeting"]["person_name"]),
        "the person can be proposed again"
    );
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

async fn the_leader_downloads_a_meeting_for_their_calendar_without_the_link(app: &TestApp) {
    let cookie = app.login().await;
    let (_, invitation) = scheduled(app, &cookie).await;
    let meeting = invitation["meeting"]["id"].as_str().unwrap();
    let uri = format!("/api/meetings/{meeting}/calendar.ics");

    let ics = app.as_account(&cookie, Method::GET, &uri, None).await;
    let nobody = app.send(Method::GET, &uri, &[], None).await;
    let admin_only = account(app, &cookie, "cal-admin@demo.example", true, false).await;
    let admin = app.as_account(&admin_only, Method::GET, &uri, None).await;

    assert_eq!(ics.status, StatusCode::OK);
    assert!(
        ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = ics.text();
    assert!(
        text.contains("BEGIN:VEVENT") && text.contains("DTSTART:"),
        "{text}"
    );
    assert!(
        !text.contains("checkin/#i="),
        "no personal link in the leader's calendar"
    );
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.status, StatusCode::FORBIDDEN);
}

async fn a_stopped_series_proposes_and_schedules_no_one_and_keeps_its_meetings(app: &TestApp) {
    let cookie = app.login().await;
    let (series, invitation) = scheduled(app, &cookie).await;
    let uri = format!("/api/series/{series}");
    let other = account(
        app,
        &cookie,
        "priya.natarajan@demo.skipcheck.test",
        false,
        true,
    )
    .await;

    let not_theirs = app.as_account(&other, Method::DELETE, &uri, None).await;
    let stopped = app.as_account(&cookie, Method::DELETE, &uri, None).await;
    let after = detail(app, &cookie, &series).await;
    let next = schedule(app, &cookie, &series, "anyone", backend::now() + DAY).await;
    let board = app
        .as_account(&cookie, Method::GET, "/api/dashboard", None)
        .await
        .json();
    let link = token_of(invitation["url"].as_str().unwrap(), "#i=");
    let still = app
        .with_token(Method::GET, "/api/checkin", &link, None)
        .await;

    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(stopped.status, StatusCode::NO_CONTENT);
    assert_eq!(after["series"]["stopped"], true);
    assert_eq!(after["proposals"], json!([]));
    assert!(after["empty_reason"].as_str().unwrap().contains("stopped"));
    assert_eq!(
        after["meetings"].as_array().unwrap().len(),
        1,
        "its meetings stay"
    );
    assert_eq!(next.status, StatusCode::CONFLICT);
    assert!(
        board["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["series_id"] != series.as_str())
    );
    assert_eq!(
        still.status,
        StatusCode::OK,
        "a scheduled meeting's link still works"
    );
}
