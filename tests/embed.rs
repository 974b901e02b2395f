//! The check-in embedded in an intranet, through the router on SQLite and
//! Postgres: the identity an intranet signs, the origins that may frame the
//! widget and call its API, the signing secrets and the theme, and who may
//! change them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode, header};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tests::{PUBLIC_URL, TestApp, on_both};

on_both!(
    a_signed_identity_opens_that_persons_check_in,
    a_new_emailed_link_leaves_the_widgets_link_working,
    every_bad_identity_gets_a_401_and_nothing_else,
    a_person_with_nothing_open_is_told_so,
    secrets_rotate_two_at_a_time,
    origins_and_themes_are_checked,
    embed_settings_admit_only_admins,
    only_listed_origins_frame_the_widget_or_call_its_api,
);

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn now() -> i64 {
    backend::now()
}

fn identity(email: &str, secret: &str) -> String {
    sign(
        &json!({"sub": email, "aud": PUBLIC_URL, "exp": now() + 300}),
        secret,
    )
}

async fn exchange(app: &TestApp, org: &str, token: &str) -> tests::Reply {
    let body = json!({ "token": token }).to_string();
    app.send(
        Method::POST,
        &format!("/api/embed/{org}/session"),
        &[],
        Some(&body),
    )
    .await
}

async fn a_signed_identity_opens_that_persons_check_in(app: &TestApp) {
    let person = &app.demo.invites[0];
    let embed = &app.demo.embed;
    // Upper case and spaces: the intranet's spelling of the email.
    let email = format!(" {} ", person.email.to_uppercase());
    let reply = exchange(app, &embed.org_id, &identity(&email, &embed.secret)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let link = reply.json()["link"].as_str().unwrap().to_owned();
    let expires = reply.json()["expires_at"].as_i64().unwrap();
    assert!(
        expires > now() + 3600 && expires <= now() + 12 * 3600,
        "{expires}"
    );

    let through_widget = app
        .with_token(Method::GET, "/api/checkin", &link, None)
        .await;
    let through_email = app
        .with_token(Method::GET, "/api/checkin", &app.invite(0), None)
        .await;
    assert_eq!(through_widget.status, StatusCode::OK);
    let (w, e) = (through_widget.json(), through_email.json());
    assert_eq!(w["person_name"], person.name.as_str());
    assert_eq!(w["meeting_at"], e["meeting_at"]);
    assert_eq!(w["round_name"], e["round_name"]);

    // What the widget saves is what the emailed link reads.
    let draft = json!({"answers": {"personal": {"text": "Saved from the intranet"}}}).to_string();
    let saved = app
        .with_token(Method::PUT, "/api/checkin/draft", &link, Some(&draft))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let again = app
        .with_token(Method::GET, "/api/checkin", &app.invite(0), None)
        .await
        .json();
    assert_eq!(
        again["answers"]["personal"]["text"],
        "Saved from the intranet"
    );
}

async fn a_new_emailed_link_leaves_the_widgets_link_working(app: &TestApp) {
    let embed = &app.demo.embed;
    let person = &app.demo.invites[0];
    let reply = exchange(app, &embed.org_id, &identity(&person.email, &embed.secret)).await;
    let link = reply.json()["link"].as_str().unwrap().to_owned();
    let view = app
        .with_token(Method::GET, "/api/checkin", &link, None)
        .await
        .json();
    let meeting = view["meeting_id"].as_str().unwrap().to_owned();

    // The leader reissues the emailed link (say it leaked).
    let cookie = app.login().await;
    let reissued = app
        .as_account(
            &cookie,
            Method::POST,
            &format!("/api/meetings/{meeting}/invitation"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(reissued.status, StatusCode::CREATED, "{}", reissued.text());
    let old = app
        .with_token(Method::GET, "/api/checkin", &app.invite(0), None)
        .await;
    assert_eq!(
        old.status,
        StatusCode::NOT_FOUND,
        "the old emailed link dies"
    );
    let widget = app
        .with_token(Method::GET, "/api/checkin", &link, None)
        .await;
    assert_eq!(
        widget.status,
        StatusCode::OK,
        "the widget's link keeps working"
    );
}

async fn every_bad_identity_gets_a_401_and_nothing_else(app: &TestApp) {
    let embed = &app.demo.embed;
    let email = app.demo.invites[0].email.as_str();
    let secret = embed.secret.as_str();
    let good = identity(email, secret);
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let boss = sign(
        &json!({"sub": app.demo.leader.email, "aud": PUBLIC_URL, "exp": now() + 300}),
        "guessed",
    );
    parts[1] = boss.split('.').nth(1).unwrap().to_owned();
    let tampered = parts.join(".");
    let cases = [
        (
            "expired",
            sign(
                &json!({"sub": email, "aud": PUBLIC_URL, "exp": now() - 120}),
                secret,
            ),
            "identity_expired",
        ),
        ("tampered", tampered, "identity_invalid"),
        (
            "another secret",
            identity(email, "not the secret"),
            "identity_invalid",
        ),
        (
            "another audience",
            sign(
                &json!({"sub": email, "aud": "https://elsewhere.example", "exp": now() + 300}),
                secret,
            ),
            "identity_audience",
        ),
        (
            "no audience",
            sign(&json!({"sub": email, "exp": now() + 300}), secret),
            "identity_invalid",
        ),
        (
            "an hour long",
            sign(
                &json!({"sub": email, "aud": PUBLIC_URL, "exp": now() + 3600}),
                secret,
            ),
            "identity_too_long",
        ),
        (
            "unknown person",
            identity("nobody@demo.skipcheck.test", secret),
            "identity_unknown",
        ),
        (
            "alg none",
            format!(
                "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
                good.split('.').nth(1).unwrap()
            ),
            "identity_invalid",
        ),
        ("garbage", "not.a.token".to_owned(), "identity_invalid"),
        ("empty", String::new(), "identity_invalid"),
    ];
    for (what, token, code) in cases {
        let reply = exchange(app, &embed.org_id, &token).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.text()
        );
        assert_eq!(reply.error(), code, "{what}");
        let body = reply.json();
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error", "message"], "{what}: {body}");
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    // An organisation that doesn't exist looks like one without secrets.
    let reply = exchange(app, "no-such-org", &good).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error(), "identity_not_set_up");
    // A body that isn't one is a 4xx, never a 5xx.
    for body in ["", "{}", "{\"token\": 5}", "[]"] {
        let reply = app
            .send(
                Method::POST,
                &format!("/api/embed/{}/session", embed.org_id),
                &[],
                Some(body),
            )
            .await;
        assert!(reply.status.is_client_error(), "{body}: {}", reply.status);
    }
}

async fn a_person_with_nothing_open_is_told_so(app: &TestApp) {
    let embed = &app.demo.embed;
    // Managers meet their leader in 1:1s, not skip-levels: nothing to fill in.
    let manager = &app.demo.manager_links[0];
    let reply = exchange(app, &embed.org_id, &identity(&manager.email, &embed.secret)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), json!({"link": null, "expires_at": null}));
}

async fn settings(app: &TestApp, cookie: &str) -> Value {
    let reply = app.leader_get(cookie, "/api/admin/settings/embed").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

async fn secrets_rotate_two_at_a_time(app: &TestApp) {
    let cookie = app.login().await;
    let org = app.demo.embed.org_id.clone();
    let first = settings(app, &cookie).await;
    assert_eq!(first["audience"], PUBLIC_URL);
    assert_eq!(first["org_id"], org.as_str());
    let old = first["secrets"][0].clone();
    // Shown by its end only, after the answer that added it.
    let demo_secret = app.demo.embed.secret.as_str();
    assert_eq!(old["secret"], format!("…{}", &demo_secret[60..]));
    assert!(!first.to_string().contains(demo_secret));

    let added = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/admin/settings/embed/secrets",
            None,
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let secrets = added.json()["secrets"].as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2);
    let new = secrets
        .iter()
        .find(|s| s["id"] != old["id"])
        .unwrap()
        .clone();
    assert_eq!(new["secret"].as_str().unwrap().len(), 64);
    // Never again in full.
    let later = settings(app, &cookie).await.to_string();
    assert!(!later.contains(new["secret"].as_str().unwrap()), "{later}");
    let third = app
        .as_account(
            &cookie,
            Method::POST,
            "/api/admin/settings/embed/secrets",
            None,
        )
        .await;
    assert_eq!(third.status, StatusCode::CONFLICT);

    let email = app.demo.invites[1].email.as_str();
    let signed_old = identity(email, demo_secret);
    let signed_new = identity(email, new["secret"].as_str().unwrap());
    assert_eq!(
        exchange(app, &org, &signed_old).await.status,
        StatusCode::OK
    );
    assert_eq!(
        exchange(app, &org, &signed_new).await.status,
        StatusCode::OK
    );

    let uri = format!(
        "/api/admin/settings/embed/secrets/{}",
        old["id"].as_str().unwrap()
    );
    let removed = app.as_account(&cookie, Method::DELETE, &uri, None).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.json()["secrets"].as_array().unwrap().len(), 1);
    let refused = exchange(app, &org, &signed_old).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        exchange(app, &org, &signed_new).await.status,
        StatusCode::OK
    );
    let again = app.as_account(&cookie, Method::DELETE, &uri, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

async fn save(app: &TestApp, cookie: &str, body: &Value) -> tests::Reply {
    app.as_account(cookie, Method::PUT, "/api/admin/settings/embed", Some(body))
        .await
}

fn fields(reply: &tests::Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn origins_and_themes_are_checked(app: &TestApp) {
    let cookie = app.login().await;
    let before = settings(app, &cookie).await;
    let theme = json!({"accent": "", "font": "", "radius": 6, "scheme": "light"});
    for bad in [
        "http://intranet.example.com",
        "intranet.example.com",
        "https://intranet.example.com/portal",
        "https://*.example.com",
    ] {
        let reply = save(app, &cookie, &json!({"origins": [bad], "theme": theme})).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(fields(&reply), ["origins"], "{bad}");
    }
    // A yellow accent fails contrast on white; dark mode takes it.
    let yellow = json!({"accent": "#ffd400", "font": "", "radius": 6, "scheme": "light"});
    let reply = save(app, &cookie, &json!({"origins": [], "theme": yellow})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&reply), ["accent"]);
    assert!(reply.text().contains("4.5:1"), "{}", reply.text());
    let bad_font =
        json!({"accent": "", "font": "x;}body{display:none", "radius": 99, "scheme": "auto"});
    let reply = save(app, &cookie, &json!({"origins": [], "theme": bad_font})).await;
    assert_eq!(fields(&reply), ["font", "radius"]);
    // Nothing refused was kept.
    assert_eq!(settings(app, &cookie).await, before);

    let dark_yellow = json!({"accent": "#FFD400", "font": "\"Source Sans 3\", sans-serif", "radius": 12, "scheme": "dark"});
    let reply = save(
        app,
        &cookie,
        &json!({"origins": ["https://Intranet.Example.com/", "https://intranet.example.com", "", "http://localhost:3000"], "theme": dark_yellow}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let saved = reply.json();
    assert_eq!(
        saved["origins"],
        json!(["https://intranet.example.com", "http://localhost:3000"])
    );
    assert_eq!(saved["theme"]["accent"], "#ffd400");
    assert_eq!(saved["theme"]["scheme"], "dark");
}

async fn embed_settings_admit_only_admins(app: &TestApp) {
    let cookie = app.login().await;
    let (admin_only, other_leader) = app.outsiders(&cookie, "embed").await;
    let body = json!({"origins": ["https://intranet.example.com"], "theme": {"radius": 4}});
    let routes = [
        (Method::GET, "/api/admin/settings/embed", None),
        (Method::PUT, "/api/admin/settings/embed", Some(&body)),
        (Method::POST, "/api/admin/settings/embed/secrets", None),
    ];
    for (method, uri, body) in &routes {
        let allowed = app
            .as_account(&admin_only, method.clone(), uri, *body)
            .await;
        assert_eq!(
            allowed.status,
            StatusCode::OK,
            "{method} {uri}: {}",
            allowed.text()
        );
        let leader = app
            .as_account(&other_leader, method.clone(), uri, *body)
            .await;
        assert_eq!(leader.status, StatusCode::FORBIDDEN, "{method} {uri}");
        let nobody = app
            .send(
                method.clone(),
                uri,
                &[],
                body.map(Value::to_string).as_deref(),
            )
            .await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        for token in [app.invite(0), app.manager_link(0)] {
            let link = app
                .with_token(
                    method.clone(),
                    uri,
                    &token,
                    body.map(Value::to_string).as_deref(),
                )
                .await;
            assert_eq!(
                link.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} by link"
            );
        }
    }
    let secrets = settings(app, &admin_only).await["secrets"].clone();
    let uri = format!(
        "/api/admin/settings/embed/secrets/{}",
        secrets[0]["id"].as_str().unwrap()
    );
    let leader = app
        .as_account(&other_leader, Method::DELETE, &uri, None)
        .await;
    assert_eq!(leader.status, StatusCode::FORBIDDEN);
    let nobody = app.send(Method::DELETE, &uri, &[], None).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    let allowed = app
        .as_account(&admin_only, Method::DELETE, &uri, None)
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
}

fn header_of(reply: &tests::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn preflight(app: &TestApp, origin: &str, uri: &str) -> tests::Reply {
    app.send(
        Method::OPTIONS,
        uri,
        &[
            ("origin", origin),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "authorization, content-type",
            ),
        ],
        None,
    )
    .await
}

/// The check-in, asked for by a page of `origin`.
async fn check_in_from(app: &TestApp, origin: &str) -> tests::Reply {
    let auth = format!("Bearer {}", app.invite(0));
    app.send(
        Method::GET,
        "/api/checkin",
        &[("origin", origin), ("authorization", &auth)],
        None,
    )
    .await
}

async fn only_listed_origins_frame_the_widget_or_call_its_api(app: &TestApp) {
    let org = &app.demo.embed.org_id;
    let listed = backend::demo::DEMO_ORIGINS[0];
    let evil = "https://evil.example";

    let page = app
        .send(
            Method::GET,
            &format!("/embed/{org}?host={listed}&lang=de&accent=%23ffd400"),
            &[],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = header_of(&page, "content-security-policy").unwrap();
    assert!(
        csp.starts_with(&format!(
            "frame-ancestors {}",
            backend::demo::DEMO_ORIGINS.join(" ")
        )),
        "{csp}"
    );
    let frame_ancestors = csp.split(';').next().unwrap();
    assert!(!frame_ancestors.contains("'self'"), "{csp}");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    let html = page.text();
    assert!(html.contains("<html lang=\"de\""), "{html}");
    assert!(html.contains("/embed/frame.js"));
    // The refused accent is reported to the host page, and not used.
    assert!(html.contains("data-theme-error=\"data-accent:"), "{html}");
    assert!(!html.contains("--sc-accent:#ffd400"), "{html}");
    assert!(html.contains("--sc-accent:#2446a8"), "{html}");

    let stranger = app
        .send(Method::GET, &format!("/embed/{org}?host={evil}"), &[], None)
        .await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    assert!(
        header_of(&stranger, "content-security-policy")
            .unwrap()
            .starts_with("frame-ancestors http")
    );
    let unknown = app
        .send(
            Method::GET,
            &format!("/embed/nope?host={listed}"),
            &[],
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert!(
        header_of(&unknown, "content-security-policy")
            .unwrap()
            .starts_with("frame-ancestors 'none'")
    );

    // Every other page keeps frame-ancestors 'self'.
    for uri in [
        "/",
        "/checkin/",
        "/admin/",
        "/embed.js",
        "/api/openapi.json",
    ] {
        let reply = app.send(Method::GET, uri, &[], None).await;
        let csp = header_of(&reply, "content-security-policy").unwrap();
        assert!(csp.starts_with("frame-ancestors 'self'"), "{uri}: {csp}");
    }
    let script = app.send(Method::GET, "/embed.js", &[], None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        header_of(&script, "content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().contains("skipcheck:"));

    // CORS: the widget's API answers listed origins, and only those.
    let ok = preflight(app, "http://127.0.0.1:8090", "/api/checkin/draft").await;
    assert_eq!(
        header_of(&ok, "access-control-allow-origin").as_deref(),
        Some(listed)
    );
    assert!(header_of(&ok, "access-control-allow-credentials").is_none());
    let refused = preflight(app, "https://evil.example", "/api/checkin/draft").await;
    assert!(header_of(&refused, "access-control-allow-origin").is_none());
    let not_widget = preflight(app, "http://127.0.0.1:8090", "/api/admin/settings").await;
    assert!(header_of(&not_widget, "access-control-allow-origin").is_none());

    let get = check_in_from(app, listed).await;
    assert_eq!(get.status, StatusCode::OK);
    assert_eq!(
        header_of(&get, "access-control-allow-origin").as_deref(),
        Some(listed)
    );
    let get = check_in_from(app, evil).await;
    assert!(header_of(&get, "access-control-allow-origin").is_none());
    let session = app
        .send(
            Method::OPTIONS,
            &format!("/api/embed/{org}/session"),
            &[
                ("origin", listed),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
        .await;
    assert_eq!(
        header_of(&session, "access-control-allow-origin").as_deref(),
        Some(listed)
    );

    // The languages are served to anyone; unknown ones are not.
    let de = app.send(Method::GET, "/i18n/de.json", &[], None).await;
    assert_eq!(de.status, StatusCode::OK);
    assert_eq!(de.json()["q.yes"], "Ja");
    assert!(
        de.json().get("admin.people").is_none(),
        "the check-in's part holds the pages' strings"
    );
    let xx = app.send(Method::GET, "/i18n/xx.json", &[], None).await;
    assert_eq!(xx.status, StatusCode::NOT_FOUND);
    // The signed-in pages load both parts, compressed where the browser
    // takes it.
    let pages = app
        .send(Method::GET, "/i18n/de.pages.json", &[], None)
        .await;
    assert_eq!(pages.status, StatusCode::OK);
    assert_eq!(pages.json()["q.yes"], "Ja");
    assert_eq!(pages.json()["admin.people"], "Personen");
    let compressed = app
        .send(
            Method::GET,
            "/i18n/de.pages.json",
            &[("accept-encoding", "gzip, br")],
            None,
        )
        .await;
    assert_eq!(
        header_of(&compressed, "content-encoding").as_deref(),
        Some("br")
    );
    assert!(compressed.body.len() * 2 < pages.body.len());
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut compressed.body.as_slice(), &mut unpacked).unwrap();
    assert_eq!(unpacked, pages.body);
}
