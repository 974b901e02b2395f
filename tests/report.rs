//! The round report, its breakdown by manager, the trend and the exports,
//! played by an attacker who wants one person's answer out of them. Every
//! scenario runs on SQLite and on Postgres, on an organisation built here
//! (not the demo's), with k = 5.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use backend::db::{Db, NewAccount, NewPerson};
use serde_json::{Value, json};
use tests::{Reply, TestApp, on_both};

on_both!(
    empty:
    a_suppressed_team_takes_the_next_smallest_with_it_and_the_whole_isolates_no_one,
    figures_move_only_in_steps_of_k_per_team_and_question,
    an_answer_stays_in_the_team_it_was_written_in,
    a_large_team_one_level_further_has_its_own_row,
    the_exports_hold_exactly_what_the_report_shows,
    the_trend_shows_each_round_as_its_own_report_shows_it,
    reports_and_exports_admit_only_their_leader,
    k_stays_as_it_was_when_the_round_opened,
    submissions_at_once_each_person_twice_count_each_once,
    a_submission_that_fails_fails_alone,
    one_planned_by_another_instance_meanwhile_is_placed_by_their_line,
);

const K: u32 = 5;
const PASSWORD: &str = "correct horse battery";

/// An organisation: a leader, their direct reports each with a team, and one
/// round meeting everyone below the direct reports.
struct Org {
    org_id: String,
    leader: String,
    round: String,
    /// Person name → id.
    ids: HashMap<String, String>,
    /// Person name → invite token.
    tokens: HashMap<String, String>,
    /// In meeting order.
    people: Vec<String>,
}

/// A team under one of the leader's direct reports: how many report to the
/// manager directly, and sub-teams (a lead with their own reports).
struct Team {
    manager: &'static str,
    direct: usize,
    leads: &'static [(&'static str, usize)],
}

fn new_person(name: &str, manager: Option<&str>) -> NewPerson {
    NewPerson {
        id: backend::db::new_id(),
        name: name.to_owned(),
        email: format!("{}@example.test", name.to_lowercase().replace(' ', ".")),
        title: String::new(),
        team: String::new(),
        manager_id: manager.map(str::to_owned),
    }
}

/// Teams with no sub-teams: (manager, people reporting to them).
fn plain(sizes: &[(&'static str, usize)]) -> Vec<Team> {
    sizes
        .iter()
        .map(|&(manager, direct)| Team {
            manager,
            direct,
            leads: &[],
        })
        .collect()
}

async fn build(app: &TestApp, teams: &[Team]) -> Org {
    let db = &app.db;
    let now = backend::now();
    let org_id = backend::db::new_id();
    db.insert_organisation(&org_id, "Report Org", K, now)
        .await
        .unwrap();
    let leader = new_person("Lee Leader", None);
    let mut people = vec![leader.clone()];
    let mut in_round = Vec::new();
    for team in teams {
        let manager = new_person(team.manager, Some(&leader.id));
        people.push(manager.clone());
        for i in 0..team.direct {
            let p = new_person(&format!("{} Report {i}", team.manager), Some(&manager.id));
            in_round.push(p.clone());
            people.push(p);
        }
        for (lead, n) in team.leads {
            let lead_p = new_person(lead, Some(&manager.id));
            in_round.push(lead_p.clone());
            people.push(lead_p.clone());
            for i in 0..*n {
                let p = new_person(&format!("{lead} Report {i}"), Some(&lead_p.id));
                in_round.push(p.clone());
                people.push(p);
            }
        }
    }
    db.insert_people(&org_id, &people).await.unwrap();
    let account = backend::db::new_id();
    let hash = backend::auth::password::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    db.add_account(
        &NewAccount {
            id: &account,
            org_id: &org_id,
            name: &leader.name,
            email: &leader.email,
            password_hash: &hash,
            is_admin: true,
            is_leader: true,
        },
        now,
    )
    .await
    .unwrap();
    let template = backend::db::new_id();
    db.insert_template(
        &template,
        &org_id,
        backend::templates::SKIP_LEVEL_KEY,
        &backend::templates::skip_level(),
        now,
    )
    .await
    .unwrap();
    let round = open_round(app, &org_id, &account, &template, "Q1", now).await;
    let mut org = Org {
        org_id,
        leader: leader.email.clone(),
        round: round.clone(),
        ids: people
            .iter()
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect(),
        tokens: HashMap::new(),
        people: in_round.iter().map(|p| p.name.clone()).collect(),
    };
    org.tokens = meet(&app.db, &round, &in_round).await;
    org
}

async fn open_round(
    app: &TestApp,
    org_id: &str,
    account: &str,
    template: &str,
    name: &str,
    at: i64,
) -> String {
    let round = backend::db::new_id();
    app.db
        .insert_round(&round, org_id, account, template, name, "quarterly", K, at)
        .await
        .unwrap();
    round
}

/// Schedules a meeting with each person; returns their invite tokens.
async fn meet(db: &Db, round: &str, people: &[NewPerson]) -> HashMap<String, String> {
    let at = backend::now() + 86_400;
    let mut tokens = HashMap::new();
    for p in people {
        let token = backend::auth::token::new_token();
        db.schedule(
            &backend::db::new_id(),
            round,
            &p.id,
            at,
            30,
            &backend::auth::token::hash_token(&token),
            at + 7 * 86_400,
        )
        .await
        .unwrap();
        tokens.insert(p.name.clone(), token);
    }
    tokens
}

/// Sends a check-in through an invite link, with these anonymous answers.
async fn send(app: &TestApp, token: &str, support: Value, morale: Value) -> Reply {
    let body = json!({"answers": {
        "personal": {"text": "Fine, thanks"},
        "support": support,
        "morale": morale,
    }});
    app.with_token(
        Method::POST,
        "/api/checkin/submit",
        token,
        Some(&body.to_string()),
    )
    .await
}

/// Submits a check-in through an invite link, with these anonymous answers.
async fn submit(app: &TestApp, token: &str, support: Value, morale: Value) {
    let reply = send(app, token, support, morale).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

impl Org {
    /// Adds people to the directory, through `db`, and meets them in the
    /// round; returns their invite tokens.
    async fn join(&self, db: &Db, people: &[NewPerson]) -> HashMap<String, String> {
        db.insert_people(&self.org_id, people).await.unwrap();
        meet(db, &self.round, people).await
    }

    async fn cookie(&self, app: &TestApp) -> String {
        app.login_as(&self.leader, PASSWORD).await.unwrap()
    }

    async fn submit(&self, app: &TestApp, name: &str, support: Value, morale: Value) {
        submit(app, &self.tokens[name], support, morale).await;
    }

    /// Sends `name`'s check-in, the same answers for everyone, and returns
    /// the reply, whatever it is.
    async fn send(&self, app: &TestApp, name: &str) -> Reply {
        send(
            app,
            &self.tokens[name],
            json!({"scale": 6}),
            json!({"scale": 7}),
        )
        .await
    }

    async fn submit_all(&self, app: &TestApp, names: &[String]) {
        for (i, name) in names.iter().enumerate() {
            let m = i32::try_from(i % 10).unwrap() + 1;
            self.submit(app, name, json!({"scale": 11 - m}), json!({"scale": m}))
                .await;
        }
    }

    fn team(&self, manager: &str) -> Vec<String> {
        self.people
            .iter()
            .filter(|p| p.starts_with(manager))
            .cloned()
            .collect()
    }

    /// The teams' groups as stored: (manager, ballots, counted), fewest
    /// ballots first.
    async fn stored_groups(&self, app: &TestApp) -> Vec<(String, i64, i64)> {
        sqlx::query_as(
            "select group_id, ballots, counted from round_groups where round_id = $1 and group_id <> 'all'
             order by ballots",
        )
        .bind(&self.round)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
    }

    async fn report(&self, app: &TestApp, cookie: &str) -> Value {
        let reply = app
            .leader_get(cookie, &format!("/api/rounds/{}/report", self.round))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()
    }
}

fn group<'a>(report: &'a Value, org: &Org, manager: &str) -> &'a Value {
    let id = &org.ids[manager];
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no row for {manager}: {report}"))
}

/// The counts of one question of a result list: answer label → count,
/// "prefer not to say" included, as n.
fn counts(results: &Value, question: &str) -> Option<(HashMap<String, i64>, i64)> {
    let r = results
        .as_array()?
        .iter()
        .find(|r| r["question_id"] == question)?;
    let r = &r["result"];
    if r["status"] != "released" {
        return None;
    }
    let map = r["buckets"]
        .as_array()?
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().to_owned(),
                b["count"].as_i64().unwrap(),
            )
        })
        .collect();
    Some((map, r["n"].as_i64().unwrap()))
}

/// The attacker's subtraction: the whole round minus every shown team, per
/// question and value. Whatever is left must be nobody or at least k people.
fn assert_subtraction_isolates_no_one(report: &Value) {
    for question in ["support", "morale"] {
        let Some((whole, whole_n)) = counts(&report["results"], question) else {
            continue;
        };
        let mut left = whole.clone();
        let mut left_n = whole_n;
        for g in report["groups"].as_array().unwrap() {
            if g["status"] != "shown" || g["level"] != 1 {
                continue;
            }
            let (part, n) = counts(&g["results"], question).unwrap();
            left_n -= n;
            for (label, c) in part {
                *left.get_mut(&label).unwrap() -= c;
            }
        }
        assert!(
            left_n == 0 || left_n >= i64::from(K),
            "{question}: the whole minus the shown teams leaves {left_n} people: {report}"
        );
        assert!(left.values().all(|c| *c >= 0));
    }
}

async fn a_suppressed_team_takes_the_next_smallest_with_it_and_the_whole_isolates_no_one(
    app: &TestApp,
) {
    let org = build(app, &plain(&[("Ana", 10), ("Bo", 6), ("Cy", 3)])).await;
    org.submit_all(app, &org.people).await;
    let cookie = org.cookie(app).await;
    let report = org.report(app, &cookie).await;

    assert_eq!(report["response"]["planned"], 19);
    assert_eq!(report["response"]["respondents"], 19);
    // Ana's 10 and Bo's first 5 are counted in their teams; Cy's 3 belong to
    // the whole round and wait there for two more; Bo's sixth waits.
    assert_eq!(report["response"]["counted"], 15);
    assert_eq!(group(&report, &org, "Ana")["status"], "shown");
    assert_eq!(group(&report, &org, "Ana")["n"], 10);
    assert_eq!(group(&report, &org, "Cy")["status"], "too_small");
    assert_eq!(group(&report, &org, "Cy")["results"], json!([]));
    // Cy's team is not shown: the next-smallest, Bo's, is hidden with it.
    assert_eq!(group(&report, &org, "Bo")["status"], "hidden");
    assert_eq!(group(&report, &org, "Bo")["n"], 0);
    assert_eq!(group(&report, &org, "Bo")["results"], json!([]));
    assert_subtraction_isolates_no_one(&report);

    // Two people join Cy's team and meet the leader too: Cy's team now plans
    // five and is a group of its own from here on.
    let cy = org.ids["Cy"].clone();
    let more: Vec<NewPerson> = (0..2)
        .map(|i| new_person(&format!("Cy Late {i}"), Some(&cy)))
        .collect();
    let tokens = org.join(&app.db, &more).await;
    for p in &more {
        submit(
            app,
            &tokens[&p.name],
            json!({"scale": 2}),
            json!({"scale": 2}),
        )
        .await;
    }
    let later = org.report(app, &cookie).await;
    // Cy's team now plans five, but the three earlier answers stay where
    // they were written: the late two join the group Cy's team now makes.
    assert_eq!(later["response"]["counted"], 15);
    assert_eq!(group(&later, &org, "Cy")["status"], "waiting");
    assert_eq!(
        figures_only(&later["results"]),
        figures_only(&report["results"]),
        "the whole moved by two"
    );
    assert_subtraction_isolates_no_one(&later);
}

async fn figures_move_only_in_steps_of_k_per_team_and_question(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 7), ("Bo", 7)])).await;
    let cookie = org.cookie(app).await;
    // Interleave the two teams; some prefer not to say.
    let ana = org.team("Ana");
    let bo = org.team("Bo");
    let order: Vec<&String> = ana.iter().zip(&bo).flat_map(|(a, b)| [a, b]).collect();
    let mut seen: Vec<Value> = vec![org.report(app, &cookie).await];
    for (i, name) in order.iter().enumerate() {
        let morale = if i % 3 == 0 {
            json!("prefer_not_to_say")
        } else {
            json!({"scale": i32::try_from(i % 10).unwrap() + 1})
        };
        org.submit(app, name, json!({"scale": 7}), morale).await;
        let now = org.report(app, &cookie).await;
        let before = seen.last().unwrap();
        for scope in ["Ana", "Bo"] {
            let (b, a) = (group(before, &org, scope), group(&now, &org, scope));
            let (bn, an) = (b["n"].as_u64().unwrap(), a["n"].as_u64().unwrap());
            assert!(an % u64::from(K) == 0, "{scope}: n = {an}");
            if an == bn {
                assert_eq!(
                    a["results"], b["results"],
                    "{scope} moved without k new answers"
                );
            } else {
                assert!(an >= bn + u64::from(K));
            }
        }
        let (bn, an) = (
            before["response"]["counted"].as_u64().unwrap(),
            now["response"]["counted"].as_u64().unwrap(),
        );
        if an == bn {
            assert_eq!(
                figures_only(&now["results"]),
                figures_only(&before["results"]),
                "the whole moved without k answers"
            );
        }
        // Per question: every ballot is in every question, declined or not.
        for question in ["support", "morale"] {
            if let Some((c, n)) = counts(&now["results"], question) {
                let r = now["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["question_id"] == question)
                    .unwrap();
                let declined = r["result"]["declined"].as_i64().unwrap();
                let values: i64 = c.values().sum();
                assert!(values == 0 || values + declined == n, "{r}");
                assert_eq!(n, i64::try_from(an).unwrap());
            }
        }
        seen.push(now);
    }
    let last = seen.last().unwrap();
    assert_eq!(last["response"]["counted"], 10);
    assert_eq!(group(last, &org, "Ana")["n"], 5);
    let morale = last["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question_id"] == "morale")
        .unwrap();
    assert!(
        morale["result"]["declined"].as_u64().unwrap() > 0,
        "{morale}"
    );
}

async fn an_answer_stays_in_the_team_it_was_written_in(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 5), ("Bo", 6)])).await;
    let cookie = org.cookie(app).await;
    let ana = org.team("Ana");
    org.submit_all(app, &ana).await;
    // One who has answered moves to Bo's team, which then answers.
    sqlx::query("update people set manager_id = $1 where id = $2")
        .bind(&org.ids["Bo"])
        .bind(&org.ids[&ana[0]])
        .execute(app.db.writer())
        .await
        .unwrap();
    org.submit_all(app, &org.team("Bo")).await;
    let report = org.report(app, &cookie).await;

    // Ana's five stay in Ana's team; Bo's six are Bo's own, five counted.
    assert_eq!(group(&report, &org, "Ana")["n"], 5);
    assert_eq!(group(&report, &org, "Bo")["n"], 5);
    assert_eq!(report["response"]["counted"], 10);
    let stored = org.stored_groups(app).await;
    assert_eq!(
        stored,
        [
            (org.ids["Ana"].clone(), 5, 5),
            (org.ids["Bo"].clone(), 6, 5)
        ]
    );
}

async fn one_planned_by_another_instance_meanwhile_is_placed_by_their_line(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 5), ("Bo", 5)])).await;
    // This instance reads the round, its planned people and the lines above
    // them, to place a ballot.
    org.submit_all(app, &org.team("Bo")[..1]).await;
    // Another instance adds one to Ana's team and meets them: this one
    // does not know them when they answer.
    let other = app.another_instance().await;
    let newcomer = new_person("Ana Newcomer", Some(&org.ids["Ana"]));
    let tokens = org.join(&other, std::slice::from_ref(&newcomer)).await;
    other.close().await;
    submit(
        app,
        &tokens[&newcomer.name],
        json!({"scale": 6}),
        json!({"scale": 7}),
    )
    .await;

    // Their ballot is Ana's team's, as the line above them says.
    let stored = org.stored_groups(app).await;
    assert!(
        stored.contains(&(org.ids["Ana"].clone(), 1, 0)),
        "{stored:?}"
    );
    assert!(
        stored.contains(&(org.ids["Bo"].clone(), 1, 0)),
        "{stored:?}"
    );
}

async fn submissions_at_once_each_person_twice_count_each_once(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 7), ("Bo", 6)])).await;
    // Everyone submits twice, all at once, the two side by side: the
    // writes wait together and are committed several to a transaction
    // (both of a person's, at times), a refused one writing nothing.
    let sends = org
        .people
        .iter()
        .flat_map(|name| [name, name])
        .map(|name| org.send(app, name));
    let replies = futures_util::future::join_all(sends).await;
    for (name, pair) in org.people.iter().zip(replies.chunks(2)) {
        let mut statuses = [pair[0].status, pair[1].status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{name}");
    }
    let ballots: i64 = sqlx::query_scalar("select count(*) from ballots where round_id = $1")
        .bind(&org.round)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(ballots, i64::try_from(org.people.len()).unwrap());
    let stored = org.stored_groups(app).await;
    assert_eq!(
        stored,
        [
            (org.ids["Bo"].clone(), 6, 5),
            (org.ids["Ana"].clone(), 7, 5)
        ]
    );
    // What waits is what is not counted yet: two of Ana's, one of Bo's.
    let waiting: i64 =
        sqlx::query_scalar("select count(*) from pending_ballots where round_id = $1")
            .bind(&org.round)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(waiting, 3);
    let report = org.report(app, &org.cookie(app).await).await;
    assert_eq!(report["response"]["counted"], 10);
    assert_eq!(group(&report, &org, "Ana")["n"], 5);
    assert_eq!(group(&report, &org, "Bo")["n"], 5);
}

/// A submission that cannot be written (here: the answers waiting in its
/// group cannot be opened when it completes k of them) fails on its own; the
/// others sent with it, which share its transaction, are stored.
async fn a_submission_that_fails_fails_alone(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 7), ("Bo", 6)])).await;
    let submit = |name: String| {
        let org = &org;
        async move { org.send(app, &name).await }
    };
    for i in 0..4 {
        let reply = submit(format!("Ana Report {i}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    // One of the four waiting in Ana's group is damaged: the fifth, which
    // makes k due, is stored all the same, and the group's answers wait
    // (the server logs why), rather than every later one of Ana's team
    // being refused.
    sqlx::query(
        "update pending_ballots set sealed = 'damaged' where id in
         (select id from pending_ballots where round_id = $1 and group_id = $2 limit 1)",
    )
    .bind(&org.round)
    .bind(&org.ids["Ana"])
    .execute(app.db.writer())
    .await
    .unwrap();
    let fifth = submit("Ana Report 4".to_owned()).await;
    assert_eq!(fifth.status, StatusCode::OK, "{}", fifth.text());
    assert_eq!(app.db.open_due(&app.key).await.unwrap(), 0);

    // While the writer is held here, what is sent waits for it, to be
    // written together in one transaction: on SQLite the one writing
    // connection, on Postgres the two groups' rows, locked (the first batch
    // waits for them, the rest queue behind). Ana's sixth loses its meeting
    // meanwhile, so its write fails, and only it.
    let sqlite = app.db.backend() == backend::db::Backend::Sqlite;
    let mut held = app.db.writer().begin().await.unwrap();
    if !sqlite {
        sqlx::query(
            "select 1 from round_groups where round_id = $1 and group_id in ($2, $3) for update",
        )
        .bind(&org.round)
        .bind(&org.ids["Ana"])
        .bind(&org.ids["Bo"])
        .execute(&mut *held)
        .await
        .unwrap();
    }
    let bo = futures_util::future::join_all((0..6).map(|i| submit(format!("Bo Report {i}"))));
    let sixth = submit("Ana Report 5".to_owned());
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        sqlx::query(
            "delete from meetings where round_id = $1 and person_id =
             (select id from people where name = 'Ana Report 5')",
        )
        .bind(&org.round)
        .execute(&mut *held)
        .await
        .unwrap();
        held.commit().await.unwrap();
    };
    let (bo, sixth, ()) = futures_util::future::join3(bo, sixth, release).await;
    assert_eq!(
        sixth.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        sixth.text()
    );
    for reply in &bo {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    let stored = org.stored_groups(app).await;
    assert_eq!(
        stored,
        [
            (org.ids["Ana"].clone(), 5, 0),
            (org.ids["Bo"].clone(), 6, 5)
        ]
    );
    let ballots: i64 = sqlx::query_scalar("select count(*) from ballots where round_id = $1")
        .bind(&org.round)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(ballots, 11);
}

async fn a_large_team_one_level_further_has_its_own_row(app: &TestApp) {
    let org = build(
        app,
        &[
            Team {
                manager: "Ana",
                direct: 4,
                leads: &[("Eve", 5), ("Fay", 2)],
            },
            Team {
                manager: "Bo",
                direct: 5,
                leads: &[],
            },
        ],
    )
    .await;
    org.submit_all(app, &org.people).await;
    let cookie = org.cookie(app).await;
    let report = org.report(app, &cookie).await;

    // Eve's five are a group of their own, inside Ana's; Fay's two (and Fay
    // and Eve themselves) count in Ana's.
    let eve = group(&report, &org, "Eve");
    assert_eq!(eve["level"], 2);
    assert_eq!(eve["parent"], org.ids["Ana"].as_str());
    assert_eq!(eve["status"], "shown");
    assert_eq!(eve["n"], 5);
    let ana = group(&report, &org, "Ana");
    assert_eq!(ana["status"], "shown");
    // Ana: 4 direct + Eve + Fay + Fay's 2 = 8 of her own, 5 counted, plus Eve's 5.
    assert_eq!(ana["n"], 10);
    assert_eq!(group(&report, &org, "Bo")["n"], 5);
    assert!(
        report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["id"] != org.ids["Fay"].as_str()),
        "a team one level further is listed only when large enough"
    );
    assert_subtraction_isolates_no_one(&report);
}

async fn the_exports_hold_exactly_what_the_report_shows(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 10), ("Bo", 5), ("Cy", 3)])).await;
    org.submit_all(app, &org.people).await;
    let cookie = org.cookie(app).await;
    let report = org.report(app, &cookie).await;
    let csv = app
        .leader_get(&cookie, &format!("/api/rounds/{}/report.csv", org.round))
        .await;
    let json_file = app
        .leader_get(&cookie, &format!("/api/rounds/{}/report.json", org.round))
        .await;

    assert_eq!(json_file.status, StatusCode::OK);
    assert_eq!(
        json_file.json(),
        report,
        "the JSON file is the page's report"
    );
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let morale_prompt = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question_id"] == "morale")
        .unwrap()["prompt"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every group has its rows; a hidden one a single row with no count.
    for g in report["groups"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("group")] == id).collect();
        assert!(!mine.is_empty(), "{id} missing from the CSV");
        if g["status"] != "shown" {
            assert_eq!(mine.len(), 1);
            assert_eq!(mine[0][col("count")], "");
            assert_eq!(mine[0][col("status")], g["status"].as_str().unwrap());
            continue;
        }
        // The shown counts, value by value, as the report has them.
        let (shown, n) = counts(&g["results"], "morale").unwrap();
        let exported: HashMap<String, i64> = mine
            .iter()
            .filter(|r| r[col("question")] == morale_prompt)
            .map(|r| (r[col("answer")].clone(), r[col("count")].parse().unwrap()))
            .collect();
        assert_eq!(exported, shown);
        assert_eq!(exported.values().sum::<i64>() + declined(g, "morale"), n);
    }
    // Never a count for fewer than k: every group row's n is 0 or ≥ k.
    for r in &rows {
        if let Ok(n) = r[col("n")].parse::<u32>() {
            assert!(n == 0 || n >= K, "{r:?}");
        }
    }
}

/// The released figures of a result list (a suppressed one says only how
/// many have answered so far, which every check-in's status tells anyway).
fn figures_only(results: &Value) -> Vec<Value> {
    results
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"]["status"] == "released")
        .cloned()
        .collect()
}

fn declined(g: &Value, question: &str) -> i64 {
    g["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question_id"] == question)
        .and_then(|r| r["result"]["declined"].as_i64())
        .unwrap_or(0)
}

async fn the_trend_shows_each_round_as_its_own_report_shows_it(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 5), ("Bo", 5)])).await;
    org.submit_all(app, &org.people).await;
    // A second, later round where one of Bo's people is not met: Bo's team
    // is then too small, and Ana's goes hidden beside it.
    let (account, template): (String, String) =
        sqlx::query_as("select leader_id, template_id from rounds where id = $1")
            .bind(&org.round)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let later = open_round(
        app,
        &org.org_id,
        &account,
        &template,
        "Q2",
        backend::now() + 100,
    )
    .await;
    let again: Vec<NewPerson> = org
        .people
        .iter()
        .filter(|p| *p != &org.team("Bo")[0])
        .map(|name| NewPerson {
            id: org.ids[name].clone(),
            ..new_person(name, None)
        })
        .collect();
    let tokens = meet(&app.db, &later, &again).await;
    for (i, p) in again.iter().enumerate() {
        let morale = json!({"scale": i32::try_from(i).unwrap() % 10 + 1});
        submit(app, &tokens[&p.name], json!({"scale": 5}), morale).await;
    }
    let cookie = org.cookie(app).await;
    let trend = app.leader_get(&cookie, "/api/trends").await;
    let csv = app.leader_get(&cookie, "/api/trends.csv").await;

    assert_eq!(trend.status, StatusCode::OK);
    let points = trend.json();
    let points = points.as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["round_name"], "Q1");
    assert_eq!(points[1]["round_name"], "Q2");
    let teams = |p: &Value| -> Vec<String> {
        p["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["manager_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(teams(&points[0]), ["Ana", "Bo"]);
    assert!(teams(&points[1]).is_empty(), "{}", points[1]);
    for p in points {
        let figure = p["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["question_id"] == "morale")
            .unwrap();
        let n = figure["n"].as_u64().unwrap();
        assert!(n == 0 || n >= u64::from(K), "{figure}");
        assert!(figure["mean"].is_number(), "{figure}");
    }
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("Morale, team of Ana"));
    assert!(
        !csv.text()
            .lines()
            .any(|l| l.starts_with("Q2") && l.contains("team of"))
    );
}

async fn reports_and_exports_admit_only_their_leader(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 5)])).await;
    org.submit_all(app, &org.people).await;
    let leader = org.cookie(app).await;
    let (admin_only, other_leader) = app.outsiders(&leader, "").await;
    let employee = format!("Bearer {}", org.tokens[&org.people[0]]);
    let round = &org.round;
    for uri in [
        format!("/api/rounds/{round}/report"),
        format!("/api/rounds/{round}/report.csv"),
        format!("/api/rounds/{round}/report.json"),
        "/api/trends".to_owned(),
        "/api/trends.csv".to_owned(),
    ] {
        let ok = app.leader_get(&leader, &uri).await;
        let nobody = app.send(Method::GET, &uri, &[], None).await;
        let admin = app.leader_get(&admin_only, &uri).await;
        let link = app
            .send(Method::GET, &uri, &[("authorization", &employee)], None)
            .await;
        let other = app.leader_get(&other_leader, &uri).await;

        assert_eq!(ok.status, StatusCode::OK, "{uri}");
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            admin.status,
            StatusCode::FORBIDDEN,
            "{uri}: an admin reads no figure"
        );
        assert_eq!(link.status, StatusCode::UNAUTHORIZED, "{uri}");
        if uri.contains("/rounds/") {
            assert_eq!(
                other.status,
                StatusCode::NOT_FOUND,
                "{uri}: another leader's round"
            );
        } else {
            assert_eq!(other.status, StatusCode::OK, "{uri}");
            assert!(
                !other.text().contains("Ana"),
                "{uri}: another leader's figures"
            );
        }
    }
}

async fn k_stays_as_it_was_when_the_round_opened(app: &TestApp) {
    let org = build(app, &plain(&[("Ana", 4)])).await;
    let cookie = org.cookie(app).await;
    // The admin lowers the organisation's k to 3: new rounds only.
    let lowered = app
        .as_account(
            &cookie,
            Method::PUT,
            "/api/admin/settings",
            Some(&json!({"organisation": "Report Org", "k": 3})),
        )
        .await;
    org.submit_all(app, &org.people[..3]).await;
    let report = org.report(app, &cookie).await;

    assert_eq!(lowered.status, StatusCode::OK, "{}", lowered.text());
    assert_eq!(report["k"], K);
    assert_eq!(
        report["response"]["counted"], 0,
        "three answers were counted"
    );
    assert_eq!(
        report["results"][0]["result"]["status"], "suppressed",
        "{report}"
    );
}
