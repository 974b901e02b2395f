//! Storage. All SQL lives here, as one text for SQLite and Postgres through
//! sqlx's `Any` driver: the business logic exists once, whichever database
//! `DATABASE_URL` names.

mod accounts;
mod checkins;
mod directory;
mod embed;
mod follow_ups;
mod groups;
mod mail;
mod rounds;
mod series;
mod templates;
mod themes;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use accounts::{
    AccountLinkRow, AccountListRow, AccountRow, NewAccount, RolesOutcome, SessionAccount,
};
pub use checkins::{CheckinRow, DraftSaved, Forms, LinkRow, LinkedCheckin, SubmitOutcome};
pub use directory::{Line, NewPerson, PersonFields, PersonRow};
pub use follow_ups::ItemRow;
pub use mail::{MailLogRow, SmtpRow};
pub use rounds::{EstimateRow, MeetingRow, RoundRow};
pub use series::{HistoryRow, InvitationRow, NewRound, SeriesRow};
pub use templates::TemplateRow;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL's scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
        }
    }
}

/// A SQLite URL that creates its file when it does not exist yet, as the
/// default database does, unless the URL sets a `mode` of its own.
fn create_if_missing(url: &str, backend: Backend) -> String {
    if backend != Backend::Sqlite || url.contains("mode=") || url.contains(":memory:") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

/// The connection pools, and the one place that talks SQL.
#[derive(Clone, Debug)]
pub struct Db {
    /// Reads. On SQLite these connections refuse to write (`query_only`), so
    /// a write sent here by mistake fails in the tests instead of racing.
    pool: AnyPool,
    /// Writes. On SQLite one connection: the file takes one writer at a time,
    /// and writers queued here wait their turn in order, where writers racing
    /// for the file's lock would sleep in SQLite's busy handler (1, 2, 5,
    /// 10 ms…) and lose it again. On Postgres the same pool as `pool`.
    writer: AnyPool,
    /// Submissions, and on SQLite draft saves, queue here and are written
    /// several to a transaction (see [`checkins::WriteQueue`]).
    writes: checkins::WriteQueue,
    /// The breakdown groups known to exist (see [`groups::Known`]).
    groups: groups::Known,
    /// Meetings planned under teams' heads (see [`groups::Planned`]).
    planned: groups::Planned,
    /// Groups whose due answers could not be opened, as last reported (see
    /// [`Db::open_due`]).
    stuck: checkins::Stuck,
    backend: Backend,
}

/// A storage failure, kept apart so handlers can tell "duplicate" from "broken".
pub type DbResult<T> = Result<T, sqlx::Error>;

/// A transaction on either backend.
type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

/// How the writing SQLite connection is set up. Zero what is deleted or
/// moved rather than leave it in the file: a count that grows can move within
/// its page, and its old value would otherwise stay readable there. Leave
/// checkpoints (copying the write-ahead log into the file) mostly to a task
/// of their own, off the path of the writes that wait for the writer; the
/// writer checkpoints only when that task falls behind a steady load (16 MB
/// of log), which also lets the log start over.
pub const SQLITE_WRITER_PRAGMAS: &str =
    "pragma secure_delete = on; pragma wal_autocheckpoint = 4000";

/// How each Postgres connection is set up. Its queries are short, and
/// compiling one (JIT) takes 20 to 50 ms: Postgres does it when a plan's
/// estimated cost is high, as for a walk down a reporting line whose size it
/// cannot know, which then runs in under a millisecond.
///
/// A transaction of Skipcheck's waits on nothing but its own statements, so
/// one idle for 10 s belongs to an instance that hangs (stopped, or cut off
/// from the network with its connection to Postgres still open): Postgres
/// then ends its session, and the rows it locked (a group's count, which
/// every submission to that group waits for) are free for the other
/// instances again, well within a request's 30 s. Without it they would
/// wait until the hung instance came back, or until Postgres found the
/// connection dead, hours later.
macro_rules! postgres_session {
    () => {
        "set jit = off; set idle_in_transaction_session_timeout = '10s'"
    };
}
const POSTGRES_SESSION: &str = postgres_session!();

/// How the connection that writes the [`checkins::WriteQueue`]'s batches
/// is set up. A batch comes as one JSON array, of a size Postgres cannot
/// know (it guesses 100 rows), so it would join it to the groups by
/// reading every row of them (a hash join), where each of the few ballots
/// is one lookup in an index. This connection runs nothing but those
/// batches and the openings that follow them, each row found by its key.
const POSTGRES_QUEUE_SESSION: &str = concat!(
    postgres_session!(),
    "; set enable_seqscan = off; set enable_hashjoin = off; set enable_mergejoin = off"
);

/// What every pool does: wait at most 10 s for a connection, and hand one
/// out without first asking it whether it still answers (a round trip to
/// the connection's thread or to Postgres before every query): the pool
/// asks each connection that when it comes back, and drops it if not.
fn pool_options() -> AnyPoolOptions {
    AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
}

/// Options of a SQLite pool of `connections`, each connection set up with
/// `pragmas`.
pub fn sqlite_pool(connections: u32, pragmas: &'static str) -> AnyPoolOptions {
    pool_options()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move { conn.execute(pragmas).await.map(|_| ()) })
        })
}

impl Db {
    /// Connects, creating a SQLite file if needed, and applies the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = create_if_missing(url, backend);
        if backend == Backend::Postgres {
            let pool = pool_options()
                .after_connect(|conn, _| {
                    Box::pin(async move { conn.execute(POSTGRES_SESSION).await.map(|_| ()) })
                })
                .connect(&url)
                .await?;
            sqlx::migrate!("./migrations").run(&pool).await?;
            let queue = pool_options()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move { conn.execute(POSTGRES_QUEUE_SESSION).await.map(|_| ()) })
                })
                .connect_lazy(&url)?;
            return Ok(Self {
                writes: checkins::WriteQueue::start(queue, backend),
                writer: pool.clone(),
                pool,
                groups: groups::Known::default(),
                planned: groups::Planned::default(),
                stuck: checkins::Stuck::default(),
                backend,
            });
        }
        let writer = sqlite_pool(1, SQLITE_WRITER_PRAGMAS).connect(&url).await?;
        // WAL lets readers go on while the writer writes; the mode is kept in the file.
        writer.execute("pragma journal_mode = wal").await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let pool = sqlite_pool(3, "pragma query_only = on").connect_lazy(&url)?;
        tokio::spawn(checkpoints(pool.clone()));
        Ok(Self {
            pool,
            writes: checkins::WriteQueue::start(writer.clone(), backend),
            writer,
            groups: groups::Known::default(),
            planned: groups::Planned::default(),
            stuck: checkins::Stuck::default(),
            backend,
        })
    }

    /// The pool that reads (on SQLite it refuses writes), for tests that
    /// look at what is stored.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool that writes.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pools, by what they do: on SQLite one reads and one writes, on
    /// Postgres one does both, and one writes the queued submissions.
    pub fn pools(&self) -> Vec<(&'static str, &AnyPool)> {
        match self.backend {
            Backend::Sqlite => vec![("read", &self.pool), ("write", &self.writer)],
            Backend::Postgres => vec![("read_write", &self.pool), ("queue", &self.writes.writer)],
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
        self.writes.writer.close().await;
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// Copies the write-ahead log into the database file four times a second,
/// from a reading connection, without waiting for readers or the writer
/// (`PASSIVE`), until the pool closes. The writer starts the log over once
/// all of it is copied.
async fn checkpoints(pool: AnyPool) {
    let mut every = tokio::time::interval(Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        every.tick().await;
        if let Err(e) = pool.execute("pragma wal_checkpoint(passive)").await
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "checkpoint of the write-ahead log failed");
        }
    }
}

/// A random id for a new row: 128 bits, hex. Random keys leave no insertion order.
pub fn new_id() -> String {
    crate::auth::token::random_hex(16)
}

/// Converts a count read from the database.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
