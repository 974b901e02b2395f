//! The reference the benchmark's write figures are ratios to: single-row
//! write transactions per second, with the server's driver, pragmas and
//! durability, from TASKS concurrent tasks for SECONDS, on the database at
//! URL (a table of its own). Prints one JSON object:
//! `{"tps": …, "p99_ms": …, "transactions": …, "ways": {…}}`.
//!
//! On SQLite it measures two ways and keeps the faster: through the server's
//! one writing connection, and through a pool of four connections that race
//! for the file's lock (what the server did before it had one writer). On
//! Postgres the server's pool is the only way.
//!
//!     cargo run --release --example raw_txn -- URL [TASKS] [SECONDS]
//!
//! `scripts/bench.sh` runs it beside the server, on the same disk or server.

use std::time::{Duration, Instant};

use backend::db::{Backend, sqlite_pool};
use serde_json::json;
use sqlx::{AnyPool, Executor};

/// [`backend::db::SQLITE_WRITER_PRAGMAS`] with SQLite's default checkpoints.
const RACING_PRAGMAS: &str = "pragma secure_delete = on; pragma wal_autocheckpoint = 1000";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: raw_txn URL [TASKS] [SECONDS]"))?;
    let tasks: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let seconds: f64 = args.next().map_or(Ok(5.0), |a| a.parse())?;

    let db = backend::Db::connect(&url).await?;
    db.writer()
        .execute("create table if not exists bench_raw (id text primary key, n bigint not null)")
        .await?;
    let mut ways = serde_json::Map::new();
    let writer = measure(db.writer(), tasks, seconds).await?;
    ways.insert("writer".into(), writer.to_json());
    let mut best = writer;
    if db.backend() == Backend::Sqlite {
        // The writer's pragmas, but the checkpoints SQLite's own.
        let racing = sqlite_pool(4, RACING_PRAGMAS).connect(&url).await?;
        let pooled = measure(&racing, tasks, seconds).await?;
        racing.close().await;
        ways.insert("four_racing".into(), pooled.to_json());
        if pooled.tps > best.tps {
            best = pooled;
        }
    }
    db.writer().execute("drop table bench_raw").await?;
    db.close().await;
    let mut out = best.to_json();
    out["ways"] = serde_json::Value::Object(ways);
    println!("{out}");
    Ok(())
}

struct Measured {
    tps: f64,
    p99_ms: f64,
    transactions: usize,
}

impl Measured {
    fn to_json(&self) -> serde_json::Value {
        json!({ "tps": self.tps, "p99_ms": self.p99_ms, "transactions": self.transactions })
    }
}

/// Upserts one of 100 rows per task, each in a transaction of its own.
async fn measure(pool: &AnyPool, tasks: usize, seconds: f64) -> anyhow::Result<Measured> {
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(seconds);
    let running: Vec<_> = (0..tasks)
        .map(|task| {
            let pool = pool.clone();
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
    for task in running {
        latencies.extend(task.await??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let p99 = latencies
        .get(latencies.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    Ok(Measured {
        tps: latencies.len() as f64 / elapsed,
        p99_ms: p99.as_secs_f64() * 1000.0,
        transactions: latencies.len(),
    })
}
