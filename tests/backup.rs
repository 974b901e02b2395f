//! `skipcheck backup` under write load, then `skipcheck restore`: the copy
//! is one consistent moment of the live database, and it comes back whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tests::TestApp;

async fn mail_rows(db: &backend::Db) -> i64 {
    sqlx::query_scalar("select count(*) from mail_log")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_made_under_write_load_restores_whole() {
    let app = TestApp::sqlite().await;
    // An answer waits sealed under the server's key.
    assert_eq!(
        app.submit_scores(0, 6, 7).await.status,
        axum::http::StatusCode::OK
    );
    let org: String = sqlx::query_scalar("select id from organisations limit 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // A writer that keeps adding rows, each in its own transaction, and
    // counts those the database acknowledged.
    let written = Arc::new(AtomicI64::new(mail_rows(&app.db).await));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, written, stop, org) = (app.db.clone(), written.clone(), stop.clone(), org);
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                sqlx::query(
                    "insert into mail_log (id, org_id, kind, recipient, subject, sent_at, outcome) \
                     values ($1, $2, 'test', 'load@example.com', 'load', $3, 'sent to load@example.com')",
                )
                .bind(format!("load-{n}"))
                .bind(&org)
                .bind(n)
                .execute(db.writer())
                .await
                .unwrap();
                written.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let dir = std::env::temp_dir().join(format!("skipcheck-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copy.db");
    let _ = std::fs::remove_file(&file);
    let before = written.load(Ordering::SeqCst);
    let live = app.sqlite_path().unwrap();
    backend::backup::backup(&live, &file).await.unwrap();
    let after = written.load(Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(after > before, "no writes went on during the backup");

    // A second backup to the same file is refused, not overwritten.
    assert!(backend::backup::backup(&live, &file).await.is_err());
    // Nor is a database that is not there (a wrong data directory) copied
    // as a new, empty one.
    let nowhere = dir.join("nowhere/skipcheck.db");
    let refused = backend::backup::backup(&nowhere, &dir.join("empty.db")).await;
    assert!(refused.unwrap_err().to_string().contains("no database at"));
    assert!(!nowhere.exists() && !dir.join("empty.db").exists());

    // The copy's sealed answers open with the server's key, and with no other.
    let sealed: i64 = sqlx::query_scalar("select count(*) from pending_ballots")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(sealed > 0, "the demo leaves answers sealed");
    backend::backup::check_key(&file, Some(app.key.as_ref()))
        .await
        .unwrap();
    let other = backend::sealed::ServerKey::random();
    assert!(
        backend::backup::check_key(&file, Some(&other))
            .await
            .is_err()
    );
    assert!(backend::backup::check_key(&file, None).await.is_err());

    // Restored over a lost database: opens, migrates, and holds one moment
    // between the start and the end of the backup.
    let target = dir.join("restored/skipcheck.db");
    backend::backup::restore(&file, &target, false)
        .await
        .unwrap();
    let restored = backend::Db::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    let rows = mail_rows(&restored).await;
    assert!(
        (before..=after).contains(&rows),
        "{rows} rows, not between {before} and {after}"
    );
    let people: i64 = sqlx::query_scalar("select count(*) from people")
        .fetch_one(restored.pool())
        .await
        .unwrap();
    assert!(people > 0);
    restored.close().await;
    // An existing database is replaced only on purpose.
    assert!(
        backend::backup::restore(&file, &target, false)
            .await
            .is_err()
    );
    backend::backup::restore(&file, &target, true)
        .await
        .unwrap();
    // A file that is not a database is refused before anything is touched.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(
        backend::backup::restore(&junk, &target, true)
            .await
            .is_err()
    );
    assert!(target.is_file());
    let _ = std::fs::remove_dir_all(&dir);
    app.finish().await;
}
