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
pub use checkins::{CheckinRow, LinkRow, SubmitOutcome};
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

/// The connection pool, and the one place that talks SQL.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// A storage failure, kept apart so handlers can tell "duplicate" from "broken".
pub type DbResult<T> = Result<T, sqlx::Error>;

impl Db {
    /// Connects, creating a SQLite file if needed, and applies the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // SQLite takes one writer at a time; a small pool avoids busy waits.
            options = options.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    // Zero what is deleted or moved rather than leave it in the
                    // file: a count that grows can move within its page, and
                    // its old value would otherwise stay readable there.
                    conn.execute("pragma secure_delete = on").await.map(|_| ())
                })
            });
        }
        let pool = options.connect(&create_if_missing(url, backend)).await?;
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer writes; the mode is kept in the file.
            pool.execute("pragma journal_mode = wal").await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, backend })
    }

    /// The pool, for tests that look at what is stored.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
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
