//! Two server instances on one Postgres database behind HAProxy (Debian's
//! package, started here), with the demo's employees saving drafts and
//! submitting through the proxy to both; one instance is killed with SIGKILL
//! in the middle. Nothing acknowledged is lost, the leader's session goes on
//! on the survivor, and the ballot counts and release steps stay exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Acked, Process, acknowledged_writes_are_there, ballots_add_up, free_addr, http};
use sqlx::Executor;

fn postgres_admin_url() -> String {
    std::env::var("SKIPCHECK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A new database on the test server; returns its URL.
async fn create_database(admin_url: &str, name: &str) -> String {
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("Postgres is needed and did not answer at {admin_url}: {e}"));
    admin
        .execute(sqlx::AssertSqlSafe(format!("create database {name}")))
        .await
        .unwrap();
    admin.close().await;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    format!("{}/{name}", &base[..base.rfind('/').unwrap()])
}

/// The test's database and directory, removed when the test ends, passed
/// or failed.
struct Scratch {
    admin_url: String,
    name: String,
    dir: std::path::PathBuf,
}

impl Scratch {
    /// A new database and an empty directory for the test called `what`;
    /// returns them with the database's URL.
    fn new(runtime: &tokio::runtime::Runtime, what: &str) -> (Self, String) {
        let admin_url = postgres_admin_url();
        let name = format!("skipcheck_{what}_{}", std::process::id());
        let url = runtime.block_on(create_database(&admin_url, &name));
        let dir = std::env::temp_dir().join(format!("skipcheck-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let scratch = Self {
            admin_url,
            name,
            dir,
        };
        (scratch, url)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let sql = format!("drop database if exists {} with (force)", self.name);
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            runtime.block_on(async {
                if let Ok(admin) = sqlx::AnyPool::connect(&self.admin_url).await {
                    let _ = admin.execute(sqlx::AssertSqlSafe(sql)).await;
                    admin.close().await;
                }
            });
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// HAProxy on `front`, round robin over the instances, each checked on
/// `/readyz` every 250 ms; a request that could not reach an instance is
/// sent to the other (never one that reached it: it may have been written).
fn haproxy(dir: &std::path::Path, front: SocketAddr, instances: &[SocketAddr]) -> Process {
    let servers: String = instances
        .iter()
        .enumerate()
        .map(|(i, addr)| format!("    server i{i} {addr} check\n"))
        .collect();
    // Health checks every 250 ms: a dead instance refuses the connection at
    // once, and two refusals take it out; a live one that answers slowly
    // under load (2 cores) has two seconds before it counts as failed.
    let config = format!(
        "global\n    maxconn 512\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 15s\n    timeout server 15s\n    timeout check 2s\n    retries 2\n    option redispatch\n\
         frontend web\n    bind {front}\n    default_backend skipcheck\n\
         backend skipcheck\n    balance roundrobin\n    option httpchk GET /readyz\n    default-server inter 250ms fall 2 rise 1\n{servers}"
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let haproxy = ["/usr/sbin/haproxy", "haproxy"]
        .into_iter()
        .find(|p| Command::new(p).arg("-v").output().is_ok())
        .expect("HAProxy is needed: scripts/setup.sh --test installs Debian's package");
    let child = Command::new(haproxy)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let proxy = Process(child);
    common::wait_for(front);
    proxy
}

/// The number a counter of `/metrics` shows on one instance.
fn counter(addr: SocketAddr, name: &str) -> f64 {
    let (status, text) = common::get(addr, "/metrics");
    assert_eq!(status, 200, "{text}");
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn two_instances_behind_a_proxy_lose_nothing_when_one_dies() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Declared before the processes, so dropped after them.
    let (scratch, url) = Scratch::new(&runtime, "cluster");
    let dir = &scratch.dir;

    // Both instances share the database and the server key (in the data directory).
    // A grown demo: a few dozen people with a check-in open.
    let demo = common::demo(dir, &["--database-url", &url, "--people", "600"]);
    let tokens = common::invite_tokens(&demo);
    assert!(tokens.len() >= 30, "{} links", tokens.len());
    let (a, b, front) = (free_addr(), free_addr(), free_addr());
    let mut first = common::serve(dir, a, &["--database-url", &url]);
    let _second = common::serve(dir, b, &["--database-url", &url]);
    let _proxy = haproxy(dir, front, &[a, b]);

    let login = serde_json::json!({"email": demo["leader"]["email"], "password": demo["leader"]["password"]});
    let reply = http(front, "POST", "/api/session", &[], Some(&login.to_string()));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cookie = reply
        .head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("set-cookie") && value.starts_with("skipcheck_session="))
                .then_some(value)
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let load = common::writers(front, &tokens, (5, 24), false, &stop);
    std::thread::sleep(Duration::from_millis(1000));
    let saved_on = |addr| counter(addr, "checkin_drafts_saved_total");
    // Both take their share, within seconds on a busy machine (once, in a
    // fresh clone's run, the proxy had sent none to one after a second).
    let shared_by = std::time::Instant::now() + Duration::from_secs(10);
    let (mut on_a, mut on_b) = (saved_on(a), saved_on(b));
    while (on_a <= 0.0 || on_b <= 0.0) && std::time::Instant::now() < shared_by {
        std::thread::sleep(Duration::from_millis(200));
        (on_a, on_b) = (saved_on(a), saved_on(b));
    }
    assert!(
        on_a > 0.0 && on_b > 0.0,
        "the proxy did not share the load in 10 s: {on_a} and {on_b} drafts"
    );
    // SIGKILL, mid-load: requests in flight on this instance get no answer.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let killed = std::time::Instant::now();
    let after_kill = saved_on(b);
    // By 1.5 s the proxy has taken the killed one out; the load goes on as
    // long again, every request of it to be answered.
    std::thread::sleep(Duration::from_millis(1500));
    let checked_from = saved_on(b);
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(String, Acked)> = load.into_iter().map(|w| w.join().unwrap()).collect();

    assert!(
        saved_on(b) > after_kill,
        "the survivor saved nothing after the kill: the proxy did not move the load"
    );
    assert!(
        acked.iter().any(|(_, a)| a.submitted),
        "no submission was acknowledged"
    );
    // Once its health checks (every 250 ms, two failures) found the instance
    // gone, the proxy sent every request to the survivor.
    let late: Vec<Duration> = acked
        .iter()
        .filter_map(|(_, a)| a.last_failure)
        .filter_map(|t| t.checked_duration_since(killed))
        .filter(|d| *d > Duration::from_millis(1500))
        .collect();
    assert!(
        late.is_empty(),
        "requests still failed after the kill: {late:?}"
    );
    assert!(
        saved_on(b) > checked_from,
        "no load went on after the proxy's checks, so none was checked"
    );
    acknowledged_writes_are_there(front, &acked);

    // The leader's session, made before the kill, works on the survivor.
    for addr in [front, b] {
        let me = http(addr, "GET", "/api/me", &[("cookie", &cookie)], None);
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.json()["email"], demo["leader"]["email"]);
    }

    // Each person's ballot counted once: no fewer than were acknowledged,
    // no more than were sent (one lost in the kill may have been written).
    // What a submission makes due it opens right after its commit: what
    // the killed one left due in between, the survivor opens within
    // seconds.
    runtime.block_on(nothing_left_due(&url));
    let cast = runtime.block_on(ballots_add_up(&url));
    let current_round: i64 = runtime.block_on(async {
        let db = backend::Db::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar(
            "select count(*) from ballots where round_id in (select id from rounds where name = 'Q4 skip-levels')",
        )
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        n
    });
    let acknowledged = acked.iter().filter(|(_, a)| a.submitted).count() as i64;
    let sent = acked.iter().filter(|(_, a)| a.tried_submit).count() as i64;
    assert!(
        (acknowledged..=sent).contains(&current_round),
        "{current_round} ballots for {acknowledged} acknowledged and {sent} sent"
    );
    assert!(cast >= current_round);
    let writes: u32 = acked.iter().map(|(_, a)| a.writes).sum();
    eprintln!(
        "{writes} writes acknowledged ({on_a} drafts on the first instance before the kill, \
         {} on the survivor), {current_round} ballots for {acknowledged} acknowledged and {sent} sent",
        saved_on(b)
    );
}

/// Waits, up to 20 s, until no group has k answers waiting to be opened.
async fn nothing_left_due(url: &str) {
    let db = backend::Db::connect(url).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let due: i64 = sqlx::query_scalar(
            "select count(*) from round_groups g join rounds r on r.id = g.round_id
             where r.k_threshold > 0 and g.ballots - g.counted >= r.k_threshold",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if due == 0 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    db.close().await;
}

/// An instance that hangs in the middle of a transaction (stopped, or cut
/// off with its connection to Postgres still open) holds the rows it
/// locked: here a row the other instance then waits for, as a submission
/// waits for its group's count. Postgres ends the hung session after 10 s
/// idle in its transaction, so the other goes on well within a request's
/// 30 s, and the hung one's transaction is gone, not committed later.
#[test]
fn an_instance_hung_in_a_transaction_holds_no_lock_for_long() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Dropped last, outside the runtime.
    let (_scratch, url) = Scratch::new(&runtime, "hung");
    runtime.block_on(async {
        let hung = backend::Db::connect(&url).await.unwrap();
        let other = backend::Db::connect(&url).await.unwrap();
        for sql in [
            "create table contended (id bigint primary key, n bigint not null)",
            "insert into contended values (1, 0)",
        ] {
            hung.writer().execute(sql).await.unwrap();
        }

        let mut stuck = hung.writer().begin().await.unwrap();
        sqlx::query("update contended set n = n + 1 where id = 1")
            .execute(&mut *stuck)
            .await
            .unwrap();
        // ...and the hung instance sends nothing more.

        let began = std::time::Instant::now();
        let waited = tokio::time::timeout(
            Duration::from_secs(25),
            sqlx::query("update contended set n = n + 10 where id = 1").execute(other.writer()),
        )
        .await;
        let elapsed = began.elapsed();
        assert!(
            matches!(waited, Ok(Ok(_))),
            "the other instance still waited for the hung one's lock after {elapsed:?}: {waited:?}"
        );
        assert!(
            elapsed >= Duration::from_secs(5),
            "the lock was free after {elapsed:?}: the test did not make the other instance wait"
        );
        assert!(
            stuck.commit().await.is_err(),
            "the hung instance's transaction was still there to commit"
        );
        let n: i64 = sqlx::query_scalar("select n from contended where id = 1")
            .fetch_one(other.pool())
            .await
            .unwrap();
        assert_eq!(n, 10, "only the other instance's write is in");
        hung.close().await;
        other.close().await;
    });
}
