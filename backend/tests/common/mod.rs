//! What the tests that run the real binary share: a server process that
//! dies with its guard, one-connection HTTP requests that say when the
//! server is gone, the load of check-in writers, and the ballot arithmetic
//! every database must keep whatever happened to the server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A child process, killed (SIGKILL) and reaped when dropped.
pub(crate) struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// `skipcheck <args> --data-dir <dir>`, quiet, with none of the settings
/// the caller's shell may have exported (`DATABASE_URL`, `SKIPCHECK_…`):
/// each test gives its own.
pub(crate) fn skipcheck(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skipcheck"));
    for (name, _) in std::env::vars_os() {
        let setting = name
            .to_str()
            .is_some_and(|n| n == "DATABASE_URL" || n.starts_with("SKIPCHECK_"));
        if setting {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// `skipcheck demo --json` with these arguments: the demo's links and login.
pub(crate) fn demo(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = skipcheck(dir, &[&["demo", "--json"], args].concat())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The tokens of the demo's check-in links (`…#i=<token>`).
pub(crate) fn invite_tokens(demo: &serde_json::Value) -> Vec<String> {
    demo["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let url = i["url"].as_str().unwrap();
            url.split_once("#i=").unwrap().1.to_owned()
        })
        .collect()
}

/// Waits until `GET /healthz` at `addr` answers 200.
pub(crate) fn wait_for(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(addr, "/healthz").0 != 200 {
        assert!(Instant::now() < deadline, "nothing answered at {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `skipcheck serve` on `addr` with these extra arguments, once it answers.
pub(crate) fn serve(dir: &Path, addr: SocketAddr, args: &[&str]) -> Process {
    let child = skipcheck(
        dir,
        &[&["serve", "--listen", &addr.to_string()], args].concat(),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let server = Process(child);
    wait_for(addr);
    server
}

/// An answer: its status (0 when the connection failed: the server is
/// gone), its head and its body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request on its own connection, with extra header lines.
pub(crate) fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    try_http(addr, method, path, headers, body).unwrap_or(Reply {
        status: 0,
        head: String::new(),
        body: String::new(),
    })
}

fn try_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Option<Reply> {
    let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let body = body.unwrap_or("");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\n{extra}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    tcp.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    Some(Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

pub(crate) fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let reply = http(addr, "GET", path, &[], None);
    (reply.status, reply.body)
}

/// A request with an employee's link.
pub(crate) fn with_link(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> Reply {
    http(
        addr,
        method,
        path,
        &[("authorization", &format!("Bearer {token}"))],
        body,
    )
}

/// What one writer had acknowledged when the load stopped.
#[derive(Default, Clone, Debug)]
pub(crate) struct Acked {
    /// The last draft number answered with 200.
    pub(crate) draft: Option<u32>,
    /// The last number sent.
    pub(crate) attempted: u32,
    /// A submission with anonymous answers answered with 200.
    pub(crate) submitted: bool,
    /// A submission with anonymous answers was sent (answered or not).
    pub(crate) tried_submit: bool,
    /// Writes answered with 200.
    pub(crate) writes: u32,
    /// When a write last got no answer or a 5xx (no server, or the proxy
    /// found none).
    pub(crate) last_failure: Option<Instant>,
}

/// Draft `n`'s body; with the anonymous answers, a whole submission.
pub(crate) fn answers(n: u32, anonymous: bool) -> String {
    if anonymous {
        format!(
            r#"{{"answers": {{"personal": {{"text": "draft {n}"}}, "support": {{"scale": 6}}, "morale": {{"scale": 4}}}}}}"#
        )
    } else {
        format!(r#"{{"answers": {{"personal": {{"text": "draft {n}"}}}}}}"#)
    }
}

/// One thread per link, saving drafts through `addr` until `stop`; every
/// `submit_every`-th write submits (anonymous answers and all), from a
/// write that differs by writer when `waves` > 1, so that submissions go on
/// throughout the load. A writer ends early when `end_on_failure` and the
/// server is gone.
pub(crate) fn writers(
    addr: SocketAddr,
    tokens: &[String],
    (submit_every, waves): (u32, u32),
    end_on_failure: bool,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<(String, Acked)>> {
    tokens
        .iter()
        .cloned()
        .zip(0u32..)
        .map(|(token, i)| {
            let first_submit = submit_every * (1 + i % waves.max(1));
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acked = Acked::default();
                for n in 1.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    acked.attempted = n;
                    let submit = n % submit_every == 0 && n >= first_submit;
                    let (method, path) = if submit {
                        ("POST", "/api/checkin/submit")
                    } else {
                        ("PUT", "/api/checkin/draft")
                    };
                    acked.tried_submit |= submit && !acked.submitted;
                    let reply = with_link(addr, method, path, &token, Some(&answers(n, submit)));
                    match reply.status {
                        200 => {
                            acked.draft = Some(n);
                            acked.submitted |= submit;
                            acked.writes += 1;
                        }
                        0 if end_on_failure => break,
                        0 | 500.. => acked.last_failure = Some(Instant::now()),
                        // Refused (already sealed): not a write.
                        _ => {}
                    }
                }
                (token, acked)
            })
        })
        .collect()
}

/// Every acknowledged draft is there (or a later one that was sent), and
/// every acknowledged submission.
pub(crate) fn acknowledged_writes_are_there(addr: SocketAddr, acked: &[(String, Acked)]) {
    for (token, acked) in acked {
        let Some(last) = acked.draft else { continue };
        let reply = with_link(addr, "GET", "/api/checkin", token, None);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let view = reply.json();
        let text = view["answers"]["personal"]["text"]
            .as_str()
            .unwrap_or_default();
        let n: u32 = text.strip_prefix("draft ").unwrap().parse().unwrap();
        assert!(
            (last..=acked.attempted).contains(&n),
            "acknowledged draft {last} lost: the check-in holds {text:?}"
        );
        if acked.submitted {
            assert!(
                view["submitted_at"].is_i64(),
                "an acknowledged submission is gone"
            );
        }
    }
}

/// Per round: the groups' ballots add up to the people who cast one. Per
/// group: ballots given = counted + still sealed, counted a multiple of k and
/// fewer than k waiting (no release step missed or doubled), and each
/// anonymous question's counts add up to those counted. Returns the ballots
/// cast in all rounds.
pub(crate) async fn ballots_add_up(url: &str) -> i64 {
    let db = backend::Db::connect(url).await.unwrap();
    let pool = db.pool();
    let rounds: Vec<(String, i64)> = sqlx::query_as("select id, k_threshold from rounds")
        .fetch_all(pool)
        .await
        .unwrap();
    let mut cast = 0;
    for (round, k) in rounds {
        let ballots: i64 = sqlx::query_scalar("select count(*) from ballots where round_id = $1")
            .bind(&round)
            .fetch_one(pool)
            .await
            .unwrap();
        let groups: Vec<(String, i64, i64)> = sqlx::query_as(
            "select group_id, ballots, counted from round_groups where round_id = $1",
        )
        .bind(&round)
        .fetch_all(pool)
        .await
        .unwrap();
        let given: i64 = groups.iter().map(|g| g.1).sum();
        assert_eq!(
            given, ballots,
            "round {round}: groups hold {given} of {ballots} ballots"
        );
        for (group, given, counted) in groups {
            let sealed: i64 = sqlx::query_scalar(
                "select count(*) from pending_ballots where round_id = $1 and group_id = $2",
            )
            .bind(&round)
            .bind(&group)
            .fetch_one(pool)
            .await
            .unwrap();
            let at = format!("round {round}, group {group}");
            assert_eq!(
                counted + sealed,
                given,
                "{at}: {counted} counted + {sealed} sealed != {given}"
            );
            assert_eq!(
                counted % k,
                0,
                "{at}: {counted} counted is not a multiple of k = {k}"
            );
            assert!(
                sealed < k,
                "{at}: {sealed} wait sealed, k = {k}: a release was missed"
            );
            let per_question: Vec<i64> = sqlx::query_scalar(
                "select cast(sum(count) as bigint) from group_tallies \
                 where round_id = $1 and group_id = $2 group by question_id",
            )
            .bind(&round)
            .bind(&group)
            .fetch_all(pool)
            .await
            .unwrap();
            for n in per_question {
                assert_eq!(n, counted, "{at}: counts add up to {n}");
            }
        }
        cast += ballots;
    }
    db.close().await;
    cast
}
