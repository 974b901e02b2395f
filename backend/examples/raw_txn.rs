//! The reference the benchmark's write figures are ratios to: single-row
//! write transactions per second straight through the server's own pool
//! (same driver, same pragmas, same durability), from CONNECTIONS concurrent
//! tasks for SECONDS, on the database at URL (a table of its own). Prints one
//! JSON object: `{"tps": …, "p99_ms": …, "transactions": …}`.
//!
//!     cargo run --release --example raw_txn -- URL [CONNECTIONS] [SECONDS]
//!
//! `scripts/bench.sh` runs it beside the server, on the same disk or server.

use std::time::{Duration, Instant};

use sqlx::Executor;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: raw_txn URL [CONNECTIONS] [SECONDS]"))?;
    let connections: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let seconds: f64 = args.next().map_or(Ok(5.0), |a| a.parse())?;

    let db = backend::Db::connect(&url).await?;
    db.pool()
        .execute("create table if not exists bench_raw (id text primary key, n bigint not null)")
        .await?;
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|task| {
            let pool = db.pool().clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for n in 0i64.. {
                    if Instant::now() >= until {
                        break;
                    }
                    let began = Instant::now();
                    let mut tx = pool.begin().await?;
                    sqlx::query(
                        "insert into bench_raw (id, n) values ($1, $2) \
                         on conflict (id) do update set n = excluded.n",
                    )
                    .bind(format!("{task}-{}", n % 100))
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    latencies.push(began.elapsed());
                }
                Ok::<_, sqlx::Error>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let p99 = latencies
        .get(latencies.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    db.pool().execute("drop table bench_raw").await?;
    db.close().await;
    println!(
        "{}",
        serde_json::json!({
            "tps": latencies.len() as f64 / elapsed,
            "p99_ms": p99.as_secs_f64() * 1000.0,
            "transactions": latencies.len(),
        })
    );
    Ok(())
}
