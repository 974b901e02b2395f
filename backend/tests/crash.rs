//! The real server killed with SIGKILL in the middle of a load of draft
//! saves and submissions, then started again on the same SQLite file:
//! every write it acknowledged is there, and for every round and group the
//! anonymous counts plus the answers still sealed equal the ballots cast.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn skipcheck(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skipcheck"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null());
    command
}

fn start(dir: &Path, addr: SocketAddr) -> Server {
    let child = skipcheck(dir, &["serve", "--listen", &addr.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(addr, "GET", "/healthz", None, None).map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// One request on its own connection: the status and the body, or `None`
/// when the connection failed (the server is gone).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let body = body.unwrap_or("");
    let auth = token.map_or(String::new(), |t| format!("authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    tcp.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// What one writer had acknowledged when the server died.
#[derive(Default, Clone)]
struct Acked {
    draft: Option<u32>,
    attempted: u32,
    submitted: bool,
}

fn answers(n: u32, anonymous: bool) -> String {
    if anonymous {
        format!(
            r#"{{"answers": {{"personal": {{"text": "draft {n}"}}, "support": {{"scale": 6}}, "morale": {{"scale": 4}}}}}}"#
        )
    } else {
        format!(r#"{{"answers": {{"personal": {{"text": "draft {n}"}}}}}}"#)
    }
}

/// Per round and group: ballots given = counted + still sealed, the counts
/// of each anonymous question add up to those counted, and the groups'
/// ballots add up to the ballots cast in the round.
async fn ballots_add_up(file: &Path) {
    let db = backend::Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let pool = db.pool();
    let rounds: Vec<String> = sqlx::query_scalar("select id from rounds")
        .fetch_all(pool)
        .await
        .unwrap();
    let mut cast = 0;
    for round in rounds {
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
            assert_eq!(
                counted + sealed,
                given,
                "round {round}, group {group}: {counted} counted + {sealed} sealed != {given}"
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
                assert_eq!(
                    n, counted,
                    "round {round}, group {group}: counts add up to {n}"
                );
            }
        }
        cast += ballots;
    }
    assert!(
        cast > 0,
        "no ballot was cast: the load did not reach submissions"
    );
    db.close().await;
}

#[test]
fn acknowledged_writes_survive_a_kill_9() {
    let dir = std::env::temp_dir().join(format!("skipcheck-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let demo = skipcheck(&dir, &["demo", "--json"]).output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let demo: serde_json::Value = serde_json::from_slice(&demo.stdout).unwrap();
    let tokens: Vec<String> = demo["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let url = i["url"].as_str().unwrap();
            url.split_once("#i=").unwrap().1.to_owned()
        })
        .collect();
    assert!(tokens.len() >= 4);

    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = start(&dir, addr);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|token| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acked = Acked::default();
                for n in 1.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    acked.attempted = n;
                    // Every tenth write submits, anonymous answers and all.
                    let (method, path) = if n % 10 == 0 {
                        ("POST", "/api/checkin/submit")
                    } else {
                        ("PUT", "/api/checkin/draft")
                    };
                    let body = answers(n, n % 10 == 0);
                    match http(addr, method, path, Some(&token), Some(&body)) {
                        Some((200, _)) => {
                            acked.draft = Some(n);
                            acked.submitted |= method == "POST";
                        }
                        // A meeting already started or sealed: not a write.
                        Some(_) => {}
                        None => break,
                    }
                }
                (token, acked)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL, mid-load: no shutdown, no flush.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(String, Acked)> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(
        acked.iter().any(|(_, a)| a.draft.is_some_and(|n| n > 10)),
        "too few writes before the kill to mean anything"
    );
    assert!(
        acked.iter().any(|(_, a)| a.submitted),
        "no submission was acknowledged before the kill"
    );

    let _server = start(&dir, addr);
    for (token, acked) in &acked {
        let Some(last) = acked.draft else { continue };
        let (status, body) = http(addr, "GET", "/api/checkin", Some(token), None).unwrap();
        assert_eq!(status, 200, "{body}");
        let view: serde_json::Value = serde_json::from_str(&body).unwrap();
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
    drop(_server);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(ballots_add_up(&dir.join("skipcheck.db")));
    let _ = std::fs::remove_dir_all(PathBuf::from(&dir));
}
