//! The binary's other half: embedded pages, and a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{Method, StatusCode, header};
use tests::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first absolute path in `html` that ends with `suffix` (the HTML is
/// minified, so attribute values may be quoted either way, or not at all).
fn asset(html: &str, suffix: &str) -> Option<String> {
    html.split(['"', '\'', '=', ' ', '>'])
        .find(|s| s.ends_with(suffix) && s.starts_with('/'))
        .map(str::to_owned)
}

#[tokio::test]
async fn pages_are_served_precompressed_and_hashed_files_cached_for_a_year() {
    let app = TestApp::sqlite().await;

    let index = app.send(Method::GET, "/checkin/", &[], None).await;
    let deep_link = app.send(Method::GET, "/rounds/some-round", &[], None).await;

    assert_eq!(index.status, StatusCode::OK);
    assert!(
        index.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(
        deep_link.status,
        StatusCode::OK,
        "leader routes fall back to their page"
    );
    // A file that is not there answers 404, not a page,
    // with the pages built or not.
    for missing in [
        "/x.js",
        "/x.js/",
        "/x.wasm",
        "/x.css",
        "/admin/x.js",
        "/insights/app.css.map",
        "/x.gif",
        "/leader/site.webmanifest",
        "/templates/font.ttf",
        "/embed/x.js",
    ] {
        let reply = app.send(Method::GET, missing, &[], None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
    }
    let Some(wasm) = asset(&index.text(), ".wasm") else {
        let required = std::env::var("SKIPCHECK_REQUIRE_PAGES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "the pages were not built into the server: {}",
            index.text()
        );
        eprintln!(
            "WARNING: pages not built (run scripts/build-frontend.sh); only the placeholder was checked"
        );
        app.finish().await;
        return;
    };
    for encoding in ["br", "gzip"] {
        let reply = app
            .send(Method::GET, &wasm, &[("accept-encoding", encoding)], None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{wasm}");
        assert_eq!(reply.headers[header::CONTENT_ENCODING], encoding);
        assert!(
            reply.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
    }
    // A page's own path within a bundle is that bundle's page, made at its
    // first request.
    for (page, bundle) in [
        ("/checkin/later", "/checkin/checkin-"),
        ("/admin/people", "/admin/admin-"),
        ("/insights/rounds/x", "/insights/insights-"),
        ("/templates/abc", "/templates/templates-"),
        ("/rounds/1", "/leader-"),
    ] {
        let reply = app.send(Method::GET, page, &[], None).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        assert!(reply.text().contains(bundle), "{page}: {}", reply.text());
    }
    let csp = index.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    // Scripts: the server's own files, WebAssembly, and each page's inline
    // start-up script by its hash; nothing else inline, no eval.
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src: {csp}"));
    assert!(
        script_src.starts_with("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{script_src}"
    );
    assert!(
        !script_src.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"),
        "{script_src}"
    );
    for page in [
        "/checkin/",
        "/",
        "/admin/",
        "/insights/trends",
        "/templates/",
    ] {
        let html = app.send(Method::GET, page, &[], None).await.text();
        let start = html.find("<script type=module>").unwrap() + "<script type=module>".len();
        let script = &html[start..start + html[start..].find("</script>").unwrap()];
        use base64::Engine as _;
        use sha2::Digest as _;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        assert!(
            script_src.contains(&format!("'sha256-{hash}'")),
            "{page}'s start-up script is not allowed by {script_src}"
        );
    }
    let html_cache = index.headers[header::CACHE_CONTROL].to_str().unwrap();
    assert_eq!(
        html_cache, "no-cache",
        "the HTML must be revalidated to pick up new hashes"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_server_answers_health_checks_on_a_real_socket_and_shuts_down() {
    let app = TestApp::sqlite().await;
    let (addr, stop, server) = on_a_socket(&app, backend::Config::new).await;

    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    // Without a token, /metrics answers this machine, not a proxied client.
    let local = request(
        addr,
        "GET /metrics HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n",
    )
    .await;
    let proxied = request(
        addr,
        "GET /metrics HTTP/1.1\r\nhost: test\r\nx-forwarded-for: 203.0.113.9\r\nconnection: close\r\n\r\n",
    )
    .await;
    let _ = stop.send(());
    let served = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;

    assert!(local.starts_with("HTTP/1.1 200"), "{local}");
    assert!(local.contains("http_requests_total"), "{local}");
    assert!(proxied.starts_with("HTTP/1.1 403"), "{proxied}");

    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
    assert!(
        matches!(served, Ok(Ok(Ok(())))),
        "graceful shutdown: {served:?}"
    );
    app.finish().await;
}

/// Behind a proxy that sets no forwarding header, every client comes from
/// loopback: once `--client-ip-header` says a proxy is in front, loopback
/// alone no longer opens `/metrics`.
#[tokio::test]
async fn behind_a_proxy_metrics_need_the_token_even_from_loopback() {
    let app = TestApp::sqlite().await;
    let (addr, stop, server) = on_a_socket(&app, |url| backend::Config {
        client_ip_header: Some(axum::http::HeaderName::from_static("x-forwarded-for")),
        ..backend::Config::new(url)
    })
    .await;
    let through_proxy = request(
        addr,
        "GET /metrics HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n",
    )
    .await;
    let health = request(
        addr,
        "GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n",
    )
    .await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(through_proxy.starts_with("HTTP/1.1 403"), "{through_proxy}");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    app.finish().await;
}

/// The app served on a real socket of its own, with `config` made for its
/// address: the address, what stops it, and the server's task.
async fn on_a_socket(
    app: &TestApp,
    config: impl FnOnce(String) -> backend::Config,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = backend::AppState::new(app.db.clone(), config(format!("http://{addr}")));
    let server = tokio::spawn(backend::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

/// One request on a new connection; the whole answer.
async fn request(addr: std::net::SocketAddr, head: &str) -> String {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn shutting_down_says_not_ready_then_finishes_the_requests_in_flight() {
    let app = TestApp::sqlite().await;
    let (addr, stop, server) = on_a_socket(&app, |url| backend::Config {
        drain: std::time::Duration::from_millis(800),
        ..backend::Config::new(url)
    })
    .await;
    let ready = "GET /readyz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n";
    assert!(request(addr, ready).await.starts_with("HTTP/1.1 200 OK"));

    // A login whose body has only half arrived when the shutdown begins.
    let body = r#"{"email":"nobody@example.com","password":"not the password"}"#;
    let mut in_flight = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/session HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let _ = stop.send(());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    // Draining: not ready, while still answering.
    let draining = request(addr, ready).await;
    assert!(
        draining.starts_with("HTTP/1.1 503"),
        "ready while shutting down: {draining}"
    );
    let health = request(
        addr,
        "GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    // After the drain the listener closes, and the login still gets its
    // whole answer.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    in_flight.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("\"error\""), "{response}");
    let served = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(matches!(served, Ok(Ok(Ok(())))), "{served:?}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
    app.finish().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_for_prometheus_and_name_no_one() {
    let app = TestApp::sqlite().await;
    let config = backend::Config {
        metrics_token: Some("scrape-secret".to_owned()),
        ..backend::Config::new(tests::PUBLIC_URL)
    };
    let router = app.router_with(config);
    let get = |path: &'static str, token: Option<&'static str>| {
        let router = router.clone();
        async move {
            let mut request = axum::http::Request::builder().uri(path);
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let response = tower::ServiceExt::oneshot(
                router,
                request.body(axum::body::Body::empty()).unwrap(),
            )
            .await
            .unwrap();
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    // A check-in read through its link, so a route with a token is counted.
    let invite = &app.demo.invites[0];
    let token = app.invite(0);
    let read = app
        .with_token(Method::GET, "/api/checkin", &token, None)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(app.submit_scores(1, 6, 7).await.status, StatusCode::OK);
    get("/healthz", None).await;
    // A method of the client's own making counts as `other`, not as a new series.
    let made_up = tower::ServiceExt::oneshot(
        router.clone(),
        axum::http::Request::builder()
            .method(Method::from_bytes(b"FOO123").unwrap())
            .uri("/healthz")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert!(made_up.status().is_client_error(), "{}", made_up.status());

    assert_eq!(get("/metrics", None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        get("/metrics", Some("wrong")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, text) = get("/metrics", Some("scrape-secret")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/checkin",status="200""#),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    // Both of SQLite's pools: the one that reads and the one that writes.
    for pool in ["read", "write"] {
        assert!(
            text.lines().any(|l| l.starts_with("db_pool_connections{")
                && l.contains(&format!(r#"pool="{pool}""#))),
            "{text}"
        );
    }
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("checkins_submitted_total") && !l.ends_with(" 0")),
        "{text}"
    );
    assert!(!text.contains("FOO123"), "{text}");
    // No person, token or answer in any label.
    for secret in [token.as_str(), invite.email.as_str(), invite.name.as_str()] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
    app.finish().await;
}
