//! The API through the router, each scenario on SQLite and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Column, Row};
use tests::{TestApp, on_both};

on_both!(
    an_invite_link_opens_the_check_in_with_who_sees_each_answer,
    an_unknown_or_missing_link_gets_a_json_error,
    a_draft_keeps_confidential_answers_and_refuses_anonymous_ones,
    drafts_saved_at_once_each_land_on_their_own,
    bad_input_gets_a_clear_error_and_changes_nothing,
    the_leader_reads_submitted_answers_but_never_a_draft,
    anonymous_figures_appear_at_k_and_move_only_in_steps_of_k,
    anonymous_answers_count_once_and_are_then_sealed,
    nothing_changes_once_the_meeting_has_started,
    anonymous_answers_are_stored_with_nothing_that_links_them_to_a_person,
    no_row_of_the_counts_points_at_the_newest_ballot,
    answers_left_due_are_opened_by_the_next_pass,
    instances_opening_the_same_answers_open_each_once,
    submissions_at_once_are_each_counted_once_by_their_answer,
    a_check_in_whose_template_is_gone_finds_none,
    a_template_that_breaks_the_rules_is_never_stored,
    a_manager_estimate_shows_beside_the_team_morale,
    leader_pages_need_a_valid_login,
    password_guessing_is_slowed_for_the_guesser_only,
    guesses_from_the_leaders_own_address_do_not_lock_out_their_browser,
    every_documented_route_exists,
    a_nul_character_is_refused_alike_on_every_database,
);

const CHECKIN: &str = "/api/checkin";
const DRAFT: &str = "/api/checkin/draft";
const SUBMIT: &str = "/api/checkin/submit";

async fn an_invite_link_opens_the_check_in_with_who_sees_each_answer(app: &TestApp) {
    let reply = app
        .with_token(Method::GET, CHECKIN, &app.invite(0), None)
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let view = reply.json();
    assert_eq!(view["person_name"], app.demo.invites[0].name.as_str());
    assert_eq!(view["leader_name"], "Alex Rivera");
    assert_eq!(view["editable"], true);
    assert_eq!(view["k"], 5);
    let questions: Vec<&Value> = view["template"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .collect();
    assert!(questions.len() >= 12);
    assert!(
        questions
            .iter()
            .all(|q| q["visibility"] == "confidential" || q["visibility"] == "anonymous")
    );
    let support = questions.iter().find(|q| q["id"] == "support").unwrap();
    assert_eq!(support["visibility"], "anonymous");
}

async fn an_unknown_or_missing_link_gets_a_json_error(app: &TestApp) {
    let unknown = app
        .with_token(Method::GET, CHECKIN, &"0".repeat(64), None)
        .await;
    let missing = app.send(Method::GET, CHECKIN, &[], None).await;
    let manager_as_invite = app
        .with_token(Method::GET, CHECKIN, &app.manager_link(0), None)
        .await;

    for reply in [unknown, missing, manager_as_invite] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.error(), "invalid_link");
    }
}

async fn a_draft_keeps_confidential_answers_and_refuses_anonymous_ones(app: &TestApp) {
    let token = app.invite(1);
    let draft = json!({"answers": {"personal": {"text": "Busy but good"}}}).to_string();
    let with_anonymous =
        json!({"answers": {"personal": {"text": "x"}, "morale": {"scale": 4}}}).to_string();

    let saved = app
        .with_token(Method::PUT, DRAFT, &token, Some(&draft))
        .await;
    let refused = app
        .with_token(Method::PUT, DRAFT, &token, Some(&with_anonymous))
        .await;
    let view = app
        .with_token(Method::GET, CHECKIN, &token, None)
        .await
        .json();

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["field"], "morale");
    assert_eq!(
        view["answers"],
        json!({"personal": {"text": "Busy but good"}})
    );
}

/// Drafts sent together (on SQLite written several to a transaction) are
/// each saved or refused on their own.
async fn drafts_saved_at_once_each_land_on_their_own(app: &TestApp) {
    let tokens: Vec<String> = (0..5).map(|i| app.invite(i)).collect();
    let body = |text: String| json!({"answers": {"personal": {"text": text}}}).to_string();
    for (i, token) in tokens.iter().enumerate() {
        let first = app
            .with_token(Method::PUT, DRAFT, token, Some(&body(format!("{i} first"))))
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    }
    // The last one's meeting starts; then, all at once, each one's second
    // and third draft.
    start_meeting(app, &tokens[4]).await;
    let sends = tokens.iter().enumerate().flat_map(|(i, token)| {
        ["second", "third"].map(|which| {
            let body = body(format!("{i} {which}"));
            async move { app.with_token(Method::PUT, DRAFT, token, Some(&body)).await }
        })
    });
    let replies = futures_util::future::join_all(sends).await;
    for (i, pair) in replies.chunks(2).enumerate() {
        for reply in pair {
            let expected = if i == 4 {
                StatusCode::CONFLICT
            } else {
                StatusCode::OK
            };
            assert_eq!(reply.status, expected, "{i}: {}", reply.text());
        }
    }
    for (i, token) in tokens.iter().enumerate() {
        let view = app
            .with_token(Method::GET, CHECKIN, token, None)
            .await
            .json();
        let text = view["answers"]["personal"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let kept = if i == 4 {
            vec![format!("{i} first")]
        } else {
            vec![format!("{i} second"), format!("{i} third")]
        };
        assert!(kept.contains(&text), "{i}: {text}");
    }
}

async fn bad_input_gets_a_clear_error_and_changes_nothing(app: &TestApp) {
    let token = app.invite(2);
    let first = json!({"answers": {"personal": {"text": "original"}}}).to_string();
    app.with_token(Method::PUT, DRAFT, &token, Some(&first))
        .await;
    let long = "x".repeat(shared::validate::LONG_TEXT_MAX + 1);
    let cases: [(&str, &str, StatusCode, &str); 6] = [
        (SUBMIT, "{not json", StatusCode::BAD_REQUEST, "bad_request"),
        (DRAFT, r#"{"answers": {}, "extra": 1}"#, StatusCode::BAD_REQUEST, "bad_request"),
        (DRAFT, &json!({"answers": {"personal": {"text": long}}}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (
            SUBMIT,
            &json!({"answers": {"personal": {"text": "a"}, "support": {"scale": 11}, "morale": {"scale": 5}}}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (SUBMIT, &json!({"answers": {"personal": {"text": "only this"}}}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        (DRAFT, &json!({"answers": {"personal": {"scale": 3}}}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "validation"),
    ];

    for (uri, body, status, code) in cases {
        let method = if uri == DRAFT {
            Method::PUT
        } else {
            Method::POST
        };
        let reply = app.with_token(method, uri, &token, Some(body)).await;
        assert_eq!(reply.status, status, "{uri} {body:.60}: {}", reply.text());
        assert_eq!(reply.error(), code);
        assert!(!reply.json()["message"].as_str().unwrap().is_empty());
    }
    let view = app
        .with_token(Method::GET, CHECKIN, &token, None)
        .await
        .json();
    assert_eq!(view["answers"], json!({"personal": {"text": "original"}}));
    assert_eq!(view["submitted_at"], Value::Null);
    assert_eq!(view["anonymous_sealed"], false);
}

async fn the_leader_reads_submitted_answers_but_never_a_draft(app: &TestApp) {
    let cookie = app.login().await;
    let rounds = app.leader_get(&cookie, "/api/rounds").await.json();
    let round_id = rounds[0]["id"].as_str().unwrap().to_owned();
    let round = app
        .leader_get(&cookie, &format!("/api/rounds/{round_id}"))
        .await
        .json();
    let meeting = round["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["person_name"] == app.demo.invites[3].name.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let briefing_uri = format!("/api/meetings/{meeting}");
    let draft = json!({"answers": {"personal": {"text": "just a draft"}}}).to_string();
    app.with_token(Method::PUT, DRAFT, &app.invite(3), Some(&draft))
        .await;

    let before = app.leader_get(&cookie, &briefing_uri).await.json();
    app.submit_scores(3, 7, 6).await;
    let after = app.leader_get(&cookie, &briefing_uri).await.json();
    let in_step = app
        .with_token(Method::GET, CHECKIN, &app.invite(3), None)
        .await
        .json();
    let edit = json!({"answers": {"personal": {"text": "edited, not sent"}}}).to_string();
    app.with_token(Method::PUT, DRAFT, &app.invite(3), Some(&edit))
        .await;
    let edited = app
        .with_token(Method::GET, CHECKIN, &app.invite(3), None)
        .await
        .json();
    let still = app.leader_get(&cookie, &briefing_uri).await.json();

    assert_eq!(before["meeting"]["status"], "draft");
    assert_eq!(before["answers"], json!({}));
    assert_eq!(after["meeting"]["status"], "submitted");
    assert_eq!(after["answers"]["personal"]["text"], "Person 3 is fine");
    assert!(
        after["answers"].get("morale").is_none(),
        "an anonymous answer reached the briefing"
    );
    assert_eq!(rounds[0]["meetings"], 10);
    assert_eq!(in_step["unsent_changes"], false);
    assert_eq!(edited["unsent_changes"], true);
    assert_eq!(
        still["answers"]["personal"]["text"], "Person 3 is fine",
        "a draft reached the leader"
    );
}

async fn round_morale(app: &TestApp, cookie: &str) -> Value {
    let rounds = app.leader_get(cookie, "/api/rounds").await.json();
    let id = rounds[0]["id"].as_str().unwrap();
    app.leader_get(cookie, &format!("/api/rounds/{id}/report"))
        .await
        .json()
}

fn result<'a>(report: &'a Value, question: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question_id"] == question)
        .map(|r| &r["result"])
        .unwrap()
}

async fn anonymous_figures_appear_at_k_and_move_only_in_steps_of_k(app: &TestApp) {
    let cookie = app.login().await;
    let morale = [8, 6, 7, 9, 5, 2];

    for (i, m) in morale.iter().take(4).enumerate() {
        assert_eq!(app.submit_scores(i, 6, *m).await.status, StatusCode::OK);
    }
    let at_four = round_morale(app, &cookie).await;
    app.submit_scores(4, 6, morale[4]).await;
    let at_five = round_morale(app, &cookie).await;
    app.submit_scores(5, 6, morale[5]).await;
    let at_six = round_morale(app, &cookie).await;

    assert_eq!(
        result(&at_four, "morale"),
        &json!({"status": "suppressed", "n": 4, "k": 5})
    );
    assert!(result(&at_four, "morale").get("buckets").is_none());
    let released = result(&at_five, "morale");
    assert_eq!(released["status"], "released");
    assert_eq!(released["n"], 5);
    assert!((released["mean"].as_f64().unwrap() - 7.0).abs() < 1e-9);
    assert_eq!(released["buckets"][7], json!({"label": "8", "count": 1}));
    assert_eq!(
        result(&at_six, "morale"),
        released,
        "a sixth answer moved the figure"
    );
    assert_eq!(at_six["response"]["respondents"], 6);
    assert_eq!(at_six["response"]["counted"], 5);
}

async fn anonymous_answers_count_once_and_are_then_sealed(app: &TestApp) {
    let token = app.invite(0);
    let first = app.submit_scores(0, 4, 4).await;
    let again = app.submit_scores(0, 9, 9).await;
    let confidential_only =
        json!({"answers": {"personal": {"text": "edited after submit"}}}).to_string();
    let edit = app
        .with_token(Method::POST, SUBMIT, &token, Some(&confidential_only))
        .await;
    let view = app
        .with_token(Method::GET, CHECKIN, &token, None)
        .await
        .json();

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json()["anonymous_sealed"], true);
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error(), "sealed");
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
    assert_eq!(view["answers"]["personal"]["text"], "edited after submit");
    let ballots: i64 = sqlx::query_scalar("select count(*) from ballots where round_id in (select id from rounds where name = 'Q4 skip-levels')")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let waiting: i64 = sqlx::query_scalar("select count(*) from pending_ballots where round_id in (select id from rounds where name = 'Q4 skip-levels')")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // One ballot, its answers waiting sealed (k = 5): the second attempt added none.
    assert_eq!((ballots, waiting), (1, 1));
}

/// Moves the meeting an invite leads to a minute into the past.
async fn start_meeting(app: &TestApp, token: &str) {
    let meeting_id: String = sqlx::query_scalar(
        "select meeting_id from links where kind = 'invite' and token_hash = $1",
    )
    .bind(backend::auth::token::hash_token(token))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    app.db
        .reschedule_meeting(&meeting_id, backend::now() - 60)
        .await
        .unwrap();
}

async fn nothing_changes_once_the_meeting_has_started(app: &TestApp) {
    let token = app.invite(4);
    let draft = json!({"answers": {"personal": {"text": "before"}}}).to_string();
    app.with_token(Method::PUT, DRAFT, &token, Some(&draft))
        .await;
    start_meeting(app, &token).await;

    let late_draft = json!({"answers": {"personal": {"text": "after"}}}).to_string();
    let draft_reply = app
        .with_token(Method::PUT, DRAFT, &token, Some(&late_draft))
        .await;
    let submit_reply = app.submit_scores(4, 5, 5).await;
    let view = app
        .with_token(Method::GET, CHECKIN, &token, None)
        .await
        .json();

    assert_eq!(draft_reply.status, StatusCode::CONFLICT);
    assert_eq!(draft_reply.error(), "locked");
    assert_eq!(submit_reply.error(), "locked");
    assert_eq!(view["editable"], false);
    assert_eq!(view["answers"]["personal"]["text"], "before");
    assert_eq!(view["anonymous_sealed"], false);
}

async fn anonymous_answers_are_stored_with_nothing_that_links_them_to_a_person(app: &TestApp) {
    for i in 0..5 {
        app.submit_scores(i, 5 + i32::try_from(i).unwrap(), 6).await;
    }
    let ballot_columns = columns(app, "ballots").await;

    assert_eq!(
        columns(app, "group_tallies").await,
        ["round_id", "group_id", "question_id", "answer", "count"],
    );
    assert_eq!(
        ballot_columns,
        ["round_id", "person_id"],
        "a ballot must hold no answer"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select answer, count from group_tallies where question_id = 'morale' and count > 0 and round_id in (select id from rounds where name = 'Q4 skip-levels')",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows,
        [(r#"{"scale":6}"#.to_owned(), 5)],
        "five answers of 6 are one count of 5"
    );
}

async fn no_row_of_the_counts_points_at_the_newest_ballot(app: &TestApp) {
    // k = 5: the fifth submission counts all five at once.
    app.submit_scores(0, 3, 4).await;
    app.submit_scores(1, 9, 8).await;
    for i in 2..5 {
        app.submit_scores(i, 5, 5).await;
    }

    // Every value has its count, at zero if nobody chose it: a row that
    // appeared only when first chosen would say what its ballot chose.
    let counts: Vec<(String, String, i64)> =
        sqlx::query_as("select question_id, answer, count from group_tallies where round_id in (select id from rounds where name = 'Q4 skip-levels')")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        counts.len(),
        22,
        "ten points and \"prefer not to say\" each for support and morale"
    );
    let chosen: Vec<(&str, &str)> = counts
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(q, a, _)| (q.as_str(), a.as_str()))
        .collect();
    assert_eq!(chosen.len(), 6);
    assert!(chosen.contains(&("morale", r#"{"scale":8}"#)));

    // SQLite zeroes what a grown count leaves behind when it moves in its
    // page (the connection that writes does; the others may not write).
    if app.db.backend() == backend::db::Backend::Sqlite {
        let secure_delete: i64 = sqlx::query_scalar("pragma secure_delete")
            .fetch_one(app.db.writer())
            .await
            .unwrap();
        assert_eq!(secure_delete, 1);
    }

    // Postgres stamps each row version with the transaction that wrote it.
    // The newest submission rewrote every count, so the stamps are all one
    // and single out no value.
    if app.db.backend() == backend::db::Backend::Postgres {
        let writers: Vec<(String,)> =
            sqlx::query_as("select distinct xmin::text from group_tallies where round_id in (select id from rounds where name = 'Q4 skip-levels')")
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(writers.len(), 1, "{writers:?}");
    }
}

/// A check-in's read brings its template's id, and the template is read
/// after it: one gone in between (its organisation deleted) is no
/// template, which the routes refuse as an unknown link, not a failure.
async fn a_check_in_whose_template_is_gone_finds_none(app: &TestApp) {
    let hash = backend::auth::token::hash_token(&app.invite(0));
    let row = app.db.linked_checkin(&hash).await.unwrap().unwrap();
    let forms = backend::db::Forms::default();
    let found = forms.template(&app.db, &row).await.unwrap().unwrap();
    assert!(found.questions().count() > 0);
    let gone = backend::db::LinkedCheckin {
        template_id: "no-such-template".to_owned(),
        ..row
    };
    assert!(forms.template(&app.db, &gone).await.unwrap().is_none());
    assert!(
        forms
            .remember(&app.db, &hash, &gone)
            .await
            .unwrap()
            .is_none()
    );
    assert!(forms.get(&hash).is_none(), "nothing is kept for the link");
}

async fn answers_left_due_are_opened_by_the_next_pass(app: &TestApp) {
    for i in 0..3 {
        assert_eq!(app.submit_scores(i, 6, 7).await.status, StatusCode::OK);
    }
    let round = current_round(app).await;
    let (group, waiting, counted) = round_groups(app, &round).await[0].clone();
    assert_eq!(counted, 0, "nothing is counted under k");
    assert!(waiting >= 1);
    assert_eq!(
        app.db.open_due(&app.key).await.unwrap(),
        0,
        "nothing is due"
    );
    // As if the round's k were as many as wait there, and the submission
    // that made them due had stopped before opening them.
    sqlx::query("update rounds set k_threshold = $2 where id = $1")
        .bind(&round)
        .bind(waiting)
        .execute(app.db.writer())
        .await
        .unwrap();

    assert!(app.db.open_due(&app.key).await.unwrap() >= 1);
    let after = round_groups(app, &round).await;
    let opened = after.iter().find(|g| g.0 == group).unwrap();
    assert_eq!(opened.2, waiting, "the group's answers are counted");
    assert!(
        after
            .iter()
            .all(|(_, ballots, counted)| ballots - counted < waiting)
    );
    let (sealed, per_question) = sealed_and_counted(app, &round, &group).await;
    assert_eq!(sealed, 0);
    assert_eq!(per_question, vec![waiting; per_question.len()]);
    assert!(!per_question.is_empty());
    assert_eq!(app.db.open_due(&app.key).await.unwrap(), 0, "opened once");
}

/// Instances that find the same answers due at once (a ballot each in one
/// group, or a pass of [`backend::Db::open_due`] each) all try to open them:
/// each step is opened once, by one of them, and counted once.
async fn instances_opening_the_same_answers_open_each_once(app: &TestApp) {
    let round = current_round(app).await;
    let set_k = |k: i64| {
        sqlx::query("update rounds set k_threshold = $2 where id = $1")
            .bind(&round)
            .bind(k)
            .execute(app.db.writer())
    };
    // A k no group reaches: every answer waits.
    set_k(1000).await.unwrap();
    let people = app.demo.invites.len().min(16);
    for i in 0..people {
        assert_eq!(app.submit_scores(i, 6, 7).await.status, StatusCode::OK);
    }
    let groups = round_groups(app, &round).await;
    let waiting: i64 = groups.iter().map(|(_, b, c)| b - c).sum();
    assert!(waiting >= 4, "{waiting} answers wait: too few to race for");
    // The smallest k: the answers waiting are steps of three, due now, and
    // both instances go through the same steps side by side.
    set_k(3).await.unwrap();
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(app.another_instance().await);
    }
    let passes = others
        .iter()
        .chain([&app.db])
        .map(|db| db.open_due(&app.key));
    let opened: Vec<usize> = futures_util::future::try_join_all(passes).await.unwrap();
    assert!(opened.iter().sum::<usize>() >= 1);

    for (group, ballots, counted) in round_groups(app, &round).await {
        assert_eq!(counted % 3, 0, "group {group}: {counted} counted");
        assert!(
            ballots - counted < 3,
            "group {group}: {counted} of {ballots} counted"
        );
        let (sealed, per_question) = sealed_and_counted(app, &round, &group).await;
        assert_eq!(
            sealed,
            ballots - counted,
            "group {group}: the rest left sealed"
        );
        assert!(
            per_question.iter().all(|n| *n == counted),
            "group {group}: {counted} counted, but the counts add up to {per_question:?}"
        );
    }
    for db in others {
        db.close().await;
    }
}

/// Everyone submits at once with the smallest k: the submissions are
/// written in batches, and what each batch makes due is opened while the
/// next is written, some groups by two batches' openings at once. Still
/// each step is opened once, and every answer has come back only once
/// what it made due was open: no pass of [`Db::open_due`] is needed.
async fn submissions_at_once_are_each_counted_once_by_their_answer(app: &TestApp) {
    let round = current_round(app).await;
    sqlx::query("update rounds set k_threshold = 3 where id = $1")
        .bind(&round)
        .execute(app.db.writer())
        .await
        .unwrap();
    let all_ballots = |groups: &[(String, i64, i64)]| groups.iter().map(|(_, b, _)| b).sum::<i64>();
    let before = all_ballots(&round_groups(app, &round).await);
    let people = app.demo.invites.len();
    let answers =
        futures_util::future::join_all((0..people).map(|i| app.submit_scores(i, 4, 5))).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    let groups = round_groups(app, &round).await;
    assert_eq!(
        all_ballots(&groups),
        before + i64::try_from(people).unwrap()
    );
    let mut counted_in_all = 0;
    for (group, ballots, counted) in groups {
        assert_eq!(counted % 3, 0, "group {group}: {counted} counted");
        assert!(
            ballots - counted < 3,
            "group {group}: {counted} of {ballots} counted, the rest left due"
        );
        let (sealed, per_question) = sealed_and_counted(app, &round, &group).await;
        assert_eq!(sealed, ballots - counted, "group {group}: the rest sealed");
        assert!(
            per_question.iter().all(|n| *n == counted),
            "group {group}: {counted} counted, but the counts add up to {per_question:?}"
        );
        counted_in_all += counted;
    }
    assert!(
        counted_in_all >= 3,
        "{counted_in_all} counted: nothing was due"
    );
}

/// The demo's current round.
async fn current_round(app: &TestApp) -> String {
    sqlx::query_scalar("select id from rounds where name = 'Q4 skip-levels'")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A round's groups as (group, ballots, counted), most ballots first.
async fn round_groups(app: &TestApp, round: &str) -> Vec<(String, i64, i64)> {
    sqlx::query_as(
        "select group_id, ballots, counted from round_groups where round_id = $1 order by ballots desc, group_id",
    )
    .bind(round)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

/// A group's answers still sealed, and what each anonymous question's
/// counts add up to.
async fn sealed_and_counted(app: &TestApp, round: &str, group: &str) -> (i64, Vec<i64>) {
    let sealed = sqlx::query_scalar(
        "select count(*) from pending_ballots where round_id = $1 and group_id = $2",
    )
    .bind(round)
    .bind(group)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let per_question = sqlx::query_scalar(
        "select cast(sum(count) as bigint) from group_tallies where round_id = $1 and group_id = $2 group by question_id",
    )
    .bind(round)
    .bind(group)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    (sealed, per_question)
}

async fn a_template_that_breaks_the_rules_is_never_stored(app: &TestApp) {
    let mut template = backend::templates::skip_level();
    template.version = 2;
    // Free text can't be anonymous: a sentence can give its writer away.
    let question = &mut template.sections[0].questions[0];
    question.visibility = shared::Visibility::Anonymous;
    let org_id: String = sqlx::query_scalar("select id from organisations")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    let stored = app
        .db
        .insert_template("t2", &org_id, "skip-level", &template, 0)
        .await;

    let error = stored.expect_err("an anonymous text question must be refused");
    assert!(error.to_string().contains("personal"), "{error}");
    let versions: i64 = sqlx::query_scalar("select count(*) from templates where id = 't2'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(versions, 0);
}

async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select * from {table} limit 1"
    )))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

async fn a_manager_estimate_shows_beside_the_team_morale(app: &TestApp) {
    let cookie = app.login().await;
    let token = app.manager_link(0);

    let view = app
        .with_token(Method::GET, "/api/estimate", &token, None)
        .await;
    let out_of_range = app
        .with_token(
            Method::PUT,
            "/api/estimate",
            &token,
            Some(r#"{"morale": 11}"#),
        )
        .await;
    let saved = app
        .with_token(
            Method::PUT,
            "/api/estimate",
            &token,
            Some(r#"{"morale": 8}"#),
        )
        .await;
    let report = round_morale(app, &cookie).await;

    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.json()["morale"], Value::Null);
    assert_eq!(out_of_range.status, StatusCode::BAD_REQUEST);
    assert_eq!(saved.json()["morale"], 8);
    let estimates = report["manager_estimates"].as_array().unwrap();
    assert_eq!(estimates.len(), 4);
    let mine = estimates
        .iter()
        .find(|e| e["manager_name"] == app.demo.manager_links[0].name.as_str())
        .unwrap();
    assert_eq!(mine["morale"], 8);
    // The demo round meets four of the platform team: too few for figures of
    // its own, so the estimate stands beside a row that says so.
    assert_eq!(mine["team_size"], 4);
    let group = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == mine["group_id"])
        .unwrap();
    assert_eq!(group["status"], "too_small");
    assert_eq!(group["estimate"], 8);
    assert_eq!(group["gap"], Value::Null);
}

async fn leader_pages_need_a_valid_login(app: &TestApp) {
    let wrong = json!({"email": app.demo.leader.email, "password": "wrong"}).to_string();
    let unknown = json!({"email": "nobody@example.com", "password": "wrong"}).to_string();

    let anonymous = app.send(Method::GET, "/api/rounds", &[], None).await;
    let bad_password = app
        .send(Method::POST, "/api/session", &[], Some(&wrong))
        .await;
    let bad_email = app
        .send(Method::POST, "/api/session", &[], Some(&unknown))
        .await;
    let cookie = app.login().await;
    let me = app.leader_get(&cookie, "/api/me").await;
    let logout = app
        .send(Method::DELETE, "/api/session", &[("cookie", &cookie)], None)
        .await;
    let after_logout = app.leader_get(&cookie, "/api/rounds").await;
    let not_mine = app
        .leader_get(&app.login().await, "/api/meetings/nope")
        .await;

    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad_password.json(),
        bad_email.json(),
        "unknown email and wrong password look the same"
    );
    assert_eq!(me.json()["email"], app.demo.leader.email.as_str());
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(after_logout.status, StatusCode::UNAUTHORIZED);
    assert_eq!(not_mine.error(), "not_found");
}

async fn a_nul_character_is_refused_alike_on_every_database(app: &TestApp) {
    // Postgres can't store a NUL in text; SQLite can. Neither ever sees one.
    let login = json!({"email": "alex\u{0}@demo.skipcheck.test", "password": "x"}).to_string();
    assert!(login.contains("\\u0000"), "{login}");
    let reply = app
        .send(Method::POST, "/api/session", &[], Some(&login))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert!(reply.json()["message"].as_str().unwrap().contains("NUL"));

    let token = app.invite(3);
    let draft = json!({"answers": {"personal": {"text": "before\u{0}after"}}}).to_string();
    let reply = app
        .with_token(Method::PUT, DRAFT, &token, Some(&draft))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    // A backslash and "u0000" as text are just text.
    let text = json!({"answers": {"personal": {"text": "C:\\u0000"}}}).to_string();
    let reply = app
        .with_token(Method::PUT, DRAFT, &token, Some(&text))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let cookie = app.login().await;
    for uri in [
        "/api/rounds/a%00b",
        "/api/trends?series=%00",
        "/api/me?x=%00",
    ] {
        let reply = app
            .send(Method::GET, uri, &[("cookie", cookie.as_str())], None)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            reply.text()
        );
    }
    // Every operation documents that 400.
    let doc = app
        .send(Method::GET, "/api/openapi.json", &[], None)
        .await
        .json();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["responses"]["400"].is_object(),
                "{method} {path} does not document 400"
            );
        }
    }
}

async fn every_documented_route_exists(app: &TestApp) {
    let doc = app
        .send(Method::GET, "/api/openapi.json", &[], None)
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();

    assert!(paths.len() >= 9, "{paths:?}");
    for (path, methods) in paths {
        let uri = path.replace("{id}", "some-id");
        for method in methods.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let reply = app.send(method.clone(), &uri, &[], Some("{}")).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}"
            );
            assert_ne!(
                reply.error(),
                "no_route",
                "{method} {uri} is documented but not routed"
            );
        }
    }
    assert_eq!(
        app.send(Method::GET, "/api/nothing-here", &[], None)
            .await
            .error(),
        "no_route"
    );
}

async fn password_guessing_is_slowed_for_the_guesser_only(app: &TestApp) {
    // Behind a proxy that names the client, as in production.
    let config = backend::Config {
        client_ip_header: Some(axum::http::HeaderName::from_static("x-forwarded-for")),
        ..backend::Config::new(tests::PUBLIC_URL)
    };
    let router = app.router_with(config);
    let login = |from: String, email: String, password: String| {
        let router = router.clone();
        async move {
            let body = json!({"email": email, "password": password}).to_string();
            let request = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/session")
                .header("content-type", "application/json")
                .header("x-forwarded-for", format!("10.9.9.9, {from}"))
                .body(axum::body::Body::from(body))
                .unwrap();
            tower::ServiceExt::oneshot(router, request).await.unwrap()
        }
    };
    let leader = app.demo.leader.email.clone();
    let right = app.demo.leader.password.clone();

    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            login("203.0.113.9".into(), leader.clone(), "guess".into())
                .await
                .status(),
        );
    }
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    // The guesser is made to wait, even with the right password…
    let slowed = login("203.0.113.9".into(), leader.to_uppercase(), right.clone()).await;
    assert_eq!(slowed.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = slowed.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // …an unknown email the same way, at the same pace…
    for _ in 0..10 {
        let reply = login(
            "203.0.113.9".into(),
            "nobody@example.com".into(),
            "guess".into(),
        )
        .await;
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    }
    let unknown = login(
        "203.0.113.9".into(),
        "nobody@example.com".into(),
        "guess".into(),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
    // …while the leader, elsewhere, logs in as usual.
    let owner = login("198.51.100.7".into(), leader.clone(), right.clone()).await;
    assert_eq!(owner.status(), StatusCode::OK);
    // Longer than any account's email or password: wrong, and counted.
    let long_email = login(
        "192.0.2.1".into(),
        format!("{}{leader}", "x".repeat(300)),
        right.clone(),
    )
    .await;
    let long_password = login(
        "192.0.2.1".into(),
        leader.clone(),
        format!("{right}{}", "x".repeat(300)),
    )
    .await;
    assert_eq!(long_email.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(long_password.status(), StatusCode::UNAUTHORIZED);
    // Guesses at the leader from many addresses, one each, spend no budget
    // of the leader's own: the leader, from anywhere, still gets in.
    for i in 0..60 {
        let reply = login(format!("198.18.0.{i}"), leader.clone(), "guess".into()).await;
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    }
    let owner = login("198.51.100.8".into(), leader.clone(), right).await;
    assert_eq!(owner.status(), StatusCode::OK);
}

/// Everyone here comes from one address, as an office behind one, or a
/// guesser on the leader's own machine: guesses at the leader's email
/// spend that address's budget for it, but the browser the leader logged
/// in from before keeps a signed device cookie, whose attempts spend a
/// budget of its own. Without the cookie, with another account's, or with
/// one altered, the address's budget applies; the cookie's own budget ends
/// too.
async fn guesses_from_the_leaders_own_address_do_not_lock_out_their_browser(app: &TestApp) {
    let leader = app.demo.leader.email.clone();
    let right = app.demo.leader.password.clone();
    let login = |password: &str, cookie: Option<&str>| {
        let body = json!({"email": leader, "password": password}).to_string();
        let cookie = cookie.map(str::to_owned);
        async move {
            let headers: Vec<(&str, &str)> = cookie
                .as_deref()
                .map(|c| ("cookie", c))
                .into_iter()
                .collect();
            app.send(Method::POST, "/api/session", &headers, Some(&body))
                .await
        }
    };
    // Another account, and the device cookie of a browser that logged in to it.
    let email = "someone.else@example.com";
    let admin = app.login().await;
    app.new_account(&admin, email, false, true, "another long password")
        .await;
    let theirs = app
        .send(
            Method::POST,
            "/api/session",
            &[],
            Some(&json!({"email": email, "password": "another long password"}).to_string()),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    let theirs = tests::set_cookie(&theirs, "skipcheck_device_").unwrap();

    let first = login(&right, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let device = tests::set_cookie(&first, "skipcheck_device_").expect("a device cookie");
    let set = first
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("skipcheck_device_"))
        .unwrap();
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/session",
        "Max-Age=15552000",
    ] {
        assert!(set.contains(attribute), "{attribute}: {set}");
    }
    // The email in it is keyed with the server's key: not its plain hash,
    // which anyone could compute from a list of emails.
    let plain = backend::auth::token::hash_token(&leader.to_lowercase());
    assert!(!set.contains(&plain[..16]), "{set}");
    // One per account: the other account's stays in the browser.
    let name = |pair: &str| pair.split_once('=').unwrap().0.to_owned();
    assert_ne!(name(&device), name(&theirs));
    assert!(tests::set_cookie(&first, "skipcheck_session=").is_some());

    let mut guesses = Vec::new();
    for _ in 0..12 {
        guesses.push(login("guess", None).await.status);
    }
    assert_eq!(
        guesses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{guesses:?}"
    );
    // Without the cookie, the right password waits like any guess…
    assert_eq!(
        login(&right, None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …and with its id altered (the email in it still the leader's, but
    // its signature no longer holds)…
    let (signature, rest) = device.split_once("%3D").unwrap();
    let first_char = if rest.starts_with('0') { "1" } else { "0" };
    let altered = format!("{signature}%3D{first_char}{}", &rest[1..]);
    assert_eq!(
        login(&right, Some(&altered)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …and with another account's renamed as the leader's (its value,
    // signed, names the other account).
    let renamed = format!("{}={}", name(&device), theirs.split_once('=').unwrap().1);
    assert_eq!(
        login(&right, Some(&renamed)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The leader's browser gets in.
    let back = login(&right, Some(&device)).await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(tests::set_cookie(&back, "skipcheck_session=").is_some());
    // Another account's cookie is no one else's.
    assert_eq!(
        login(&right, Some(&theirs)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The cookie's own budget is a budget: guesses with it end in a wait.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login("guess", Some(&device)).await.status);
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

/// Plays someone who copies the SQLite file and its `-wal` after every
/// submission, in a known order: between two folds the copies hold the
/// answers only sealed, all of one size, and the counts unchanged; at the
/// k-th submission they move by k at once.
#[tokio::test]
async fn copies_of_the_sqlite_files_between_folds_show_no_answer_and_no_order() {
    let app = TestApp::sqlite().await;
    let path = app.sqlite_path().unwrap();
    let wal = path.with_extension("db-wal");
    let morale = [2, 9, 4, 7, 5];
    let snapshot = |i: usize| {
        let dir = std::env::temp_dir().join(format!(
            "skipcheck-copy-{i}-{}",
            backend::auth::token::random_hex(4)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&path, dir.join("copy.db")).unwrap();
        if wal.exists() {
            std::fs::copy(&wal, dir.join("copy.db-wal")).unwrap();
        }
        dir
    };
    let raw_of = |dir: &std::path::Path| {
        let mut raw = std::fs::read(dir.join("copy.db")).unwrap();
        raw.extend(std::fs::read(dir.join("copy.db-wal")).unwrap_or_default());
        raw
    };
    // The demo's last round is counted already: what its counts show is
    // there from the start, and must be all there is until the fold. It is
    // taken with the log copied into the file and emptied, so each page is
    // there once: a page of old counts that sat in the log and was then
    // copied into the file by the checkpoints would be counted twice.
    // A checkpoint cannot empty the log while a reader is in it (the
    // server's own checkpoints read too): it says so, and is tried again.
    let mut emptied = false;
    for _ in 0..100 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("pragma wal_checkpoint(truncate)")
            .fetch_one(app.db.writer())
            .await
            .unwrap();
        emptied = busy == 0;
        if emptied {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(emptied, "the log could not be emptied");
    let baseline_dir = snapshot(99);
    let baseline = scale_mentions(&raw_of(&baseline_dir));
    let _ = std::fs::remove_dir_all(&baseline_dir);
    let mut snapshots = Vec::new();

    for (i, m) in morale.iter().enumerate() {
        let reply = app.submit_scores(i, 6, *m).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        snapshots.push(snapshot(i));
    }

    for (i, dir) in snapshots.iter().enumerate() {
        let raw = raw_of(dir);
        let copy = backend::Db::connect(&format!("sqlite://{}", dir.join("copy.db").display()))
            .await
            .unwrap();
        let counted: i64 = sqlx::query_scalar(
            "select coalesce(sum(count), 0) from group_tallies where question_id = 'morale' and round_id in (select id from rounds where name = 'Q4 skip-levels')",
        )
        .fetch_one(copy.pool())
        .await
        .unwrap();
        let sealed: Vec<String> = sqlx::query_scalar("select sealed from pending_ballots where round_id in (select id from rounds where name = 'Q4 skip-levels')")
            .fetch_all(copy.pool())
            .await
            .unwrap();
        copy.close().await;
        if i < 4 {
            assert_eq!(
                counted,
                0,
                "after {} submissions nothing is counted yet",
                i + 1
            );
            assert_eq!(sealed.len(), i + 1);
            assert!(
                sealed.iter().all(|s| s.len() == sealed[0].len()),
                "one size for all"
            );
            assert_eq!(
                scale_mentions(&raw),
                baseline,
                "after {} submissions an answer is readable in the files",
                i + 1
            );
        } else {
            assert_eq!(counted, 5, "the fifth submission counts all five at once");
            assert!(sealed.is_empty(), "nothing waits once counted");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
    app.finish().await;
}

/// How often bytes hold an anonymous answer as the counts store it
/// (`{"scale":N}`), per value.
fn scale_mentions(bytes: &[u8]) -> std::collections::BTreeMap<u8, usize> {
    let needle = br#"{"scale":"#;
    let mut found = std::collections::BTreeMap::new();
    for w in bytes.windows(needle.len() + 1) {
        if w.starts_with(needle) && w[needle.len()].is_ascii_digit() {
            *found.entry(w[needle.len()]).or_default() += 1;
        }
    }
    found
}

/// On SQLite one connection writes and the others only read: a write sent to
/// a reading connection by mistake fails loudly, where it would otherwise
/// race the writer for the file's lock.
#[tokio::test]
async fn on_sqlite_only_the_writing_connection_writes() {
    let app = TestApp::sqlite().await;
    let rename = "update organisations set name = 'Renamed'";
    let refused = sqlx::query(rename).execute(app.db.pool()).await;
    let error = refused.expect_err("a reading connection wrote");
    assert!(error.to_string().contains("readonly"), "{error}");
    let renamed = sqlx::query(rename).execute(app.db.writer()).await.unwrap();
    assert!(renamed.rows_affected() > 0);
    let name: String = sqlx::query_scalar("select name from organisations")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(name, "Renamed");
}
