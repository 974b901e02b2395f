//! The real server killed with SIGKILL in the middle of a load of draft
//! saves and submissions, then started again on the same SQLite file:
//! every write it acknowledged is there, and for every round and group the
//! anonymous counts plus the answers still sealed equal the ballots cast.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Acked, acknowledged_writes_are_there, ballots_add_up, free_addr, serve, writers};

#[test]
fn acknowledged_writes_survive_a_kill_9() {
    let dir = std::env::temp_dir().join(format!("skipcheck-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tokens = common::invite_tokens(&common::demo(&dir, &[]));
    assert!(tokens.len() >= 4);

    let addr = free_addr();
    let mut server = serve(&dir, addr, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let load = writers(addr, &tokens, (10, 1), true, &stop);
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL, mid-load: no shutdown, no flush.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(String, Acked)> = load.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(
        acked.iter().any(|(_, a)| a.draft.is_some_and(|n| n > 10)),
        "too few writes before the kill to mean anything"
    );
    assert!(
        acked.iter().any(|(_, a)| a.submitted),
        "no submission was acknowledged before the kill"
    );

    let server = serve(&dir, addr, &[]);
    acknowledged_writes_are_there(addr, &acked);
    drop(server);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}", dir.join("skipcheck.db").display());
    let cast = runtime.block_on(ballots_add_up(&url));
    assert!(
        cast > 0,
        "no ballot was cast: the load did not reach submissions"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
