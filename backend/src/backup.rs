//! `skipcheck backup` and `skipcheck restore`: a consistent copy of a live
//! SQLite database (`VACUUM INTO`, which reads one snapshot while the
//! server goes on writing), with the server key beside it; and putting both
//! back. Postgres has its own tools (`pg_dump`), which the README names.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sqlx::Row;

use crate::config::private_file;
use crate::sealed::ServerKey;

/// Where a backup keeps the server key: beside the database, `FILE.key`.
pub fn key_beside(file: &Path) -> PathBuf {
    beside(file, ".key")
}

/// The file named as `file` with `suffix` added: `FILE.key`, `FILE-wal`.
fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the live SQLite database at `from` into `to`, a file that must
/// not exist yet. The database is read as it is, not migrated: the server
/// that runs on it may be of another version than this command.
pub async fn backup(from: &Path, to: &Path) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!(
            "there is no database at {}: give the --data-dir (or DATABASE_URL) the server runs with",
            from.display()
        );
    }
    let path = to
        .to_str()
        .context("the backup's path must be valid UTF-8")?;
    // Made first, new and readable by its owner only: `VACUUM INTO` fills
    // an empty file, and would make a new one as the umask says.
    match private_file(to) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} exists already; choose a new file", to.display())
        }
        Err(e) => return Err(e).with_context(|| format!("creating {}", to.display())),
    }
    let checked = match vacuum_into(from, path).await {
        Ok(()) => check(to).await,
        Err(e) => Err(e),
    };
    if checked.is_err() {
        // No half or damaged copy left to be taken for a backup.
        let _ = std::fs::remove_file(to);
    }
    checked
}

/// Copies the live database `from` into the empty file at `path`.
async fn vacuum_into(from: &Path, path: &str) -> anyhow::Result<()> {
    let live = open_existing(from, "rw").await?;
    let copied = sqlx::query("vacuum into $1")
        .bind(path)
        .execute(&live)
        .await;
    live.close().await;
    copied.context("copying the database")?;
    Ok(())
}

/// A connection to the SQLite file `file`, which must exist, in `mode`
/// (`ro` or `rw`).
async fn open_existing(file: &Path, mode: &str) -> anyhow::Result<sqlx::AnyPool> {
    let url = format!("sqlite://{}?mode={mode}", file.display());
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .with_context(|| format!("opening {}", file.display()))
}

/// Fails unless `key` opens the anonymous answers that wait sealed in the
/// database `file` (tried on one of them), or none wait.
pub async fn check_key(file: &Path, key: Option<&ServerKey>) -> anyhow::Result<()> {
    let pool = open_existing(file, "ro").await?;
    let sealed: sqlx::Result<Option<String>> =
        sqlx::query_scalar("select sealed from pending_ballots limit 1")
            .fetch_optional(&pool)
            .await;
    pool.close().await;
    let Some(sealed) = sealed? else {
        return Ok(());
    };
    let Some(key) = key else {
        bail!(
            "anonymous answers wait sealed in {} and there is no server key to open them with",
            file.display()
        );
    };
    key.open(&sealed)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

/// Fails unless `file` is a whole Skipcheck database.
pub async fn check(file: &Path) -> anyhow::Result<()> {
    let pool = open_existing(file, "ro").await?;
    let integrity: String = sqlx::query("pragma integrity_check")
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    let migrations: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .with_context(|| format!("{} is not a Skipcheck database", file.display()))?;
    pool.close().await;
    if integrity != "ok" || migrations == 0 {
        bail!(
            "{} is damaged ({integrity}, {migrations} migrations)",
            file.display()
        );
    }
    Ok(())
}

/// A command's hold on a SQLite database, for as long as it uses it: an
/// advisory lock (`flock`) on `FILE.lock` beside it, a file of its own
/// that is never replaced (so SQLite's locks on the database are not
/// touched). Every command that opens the database holds it shared, taken
/// before the database is opened; [`restore`] holds it alone, so it refuses
/// while a server or another command runs on the file, and they refuse to
/// start while it replaces it. Where the file system has no such locks, a
/// warning says so and nothing is held.
#[derive(Debug)]
pub struct Hold(#[allow(dead_code)] std::fs::File);

impl Hold {
    /// Holds `database` shared with other commands; fails while it is
    /// restored.
    pub fn shared(database: &Path) -> anyhow::Result<Option<Self>> {
        let busy = format!(
            "{} is being restored; start again once `skipcheck restore` is done",
            database.display()
        );
        Self::take(database, true, busy)
    }

    /// Holds `database` alone; fails while anything else uses it.
    pub fn alone(database: &Path) -> anyhow::Result<Option<Self>> {
        let busy = format!(
            "a Skipcheck server (or another command) is using {}; stop it, then restore",
            database.display()
        );
        Self::take(database, false, busy)
    }

    fn take(database: &Path, shared: bool, busy: String) -> anyhow::Result<Option<Self>> {
        let lock = beside(database, ".lock");
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&lock)
            .with_context(|| format!("opening {}", lock.display()))?;
        let taken = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match taken {
            Ok(()) => Ok(Some(Self(file))),
            Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::Error::msg(busy)),
            Err(std::fs::TryLockError::Error(error)) => {
                tracing::warn!(%error, "this file system takes no lock: a restore cannot tell whether the database is in use");
                Ok(None)
            }
        }
    }
}

/// Puts the backup `from` in place of the database file `to`: checked
/// first, then written beside (readable by its owner only) and renamed, so
/// a failure leaves the old file as it was. Its `-wal` and `-shm` go: they
/// belong to the old file. Refused while a server or another command uses
/// `to` ([`Hold`]), even with `force`: it would go on writing to the file
/// replaced.
pub async fn restore(from: &Path, to: &Path, force: bool) -> anyhow::Result<()> {
    check(from).await?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::config::create_private_dir(dir)?;
    }
    let _alone = Hold::alone(to)?;
    if to.exists() && !force {
        bail!(
            "{} exists; stop the server, then add --force to replace it",
            to.display()
        );
    }
    let partial = beside(to, ".restoring");
    // One left by a restore that stopped half-way.
    let _ = std::fs::remove_file(&partial);
    let copied = private_file(&partial)
        .and_then(|mut copy| {
            std::io::copy(&mut std::fs::File::open(from)?, &mut copy)?;
            copy.sync_all()
        })
        .with_context(|| format!("copying {}", from.display()));
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    copied?;
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(beside(to, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&partial, to)?;
    Ok(())
}

/// The key file `from` holds, to be copied to `to`: `None` when there is
/// none; an error when `to` holds another and `force` is not given.
pub fn key_to_copy(from: &Path, to: &Path, force: bool) -> anyhow::Result<Option<Vec<u8>>> {
    let key = match std::fs::read(from) {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if to.exists() && !force && std::fs::read(to)? != key {
        bail!(
            "{} holds another key; add --force to replace it",
            to.display()
        );
    }
    Ok(Some(key))
}

/// Copies a key file, readable by its owner only; `false` when there is
/// none to copy.
pub fn copy_key(from: &Path, to: &Path, force: bool) -> anyhow::Result<bool> {
    let Some(key) = key_to_copy(from, to, force)? else {
        return Ok(false);
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(to)?;
    std::io::Write::write_all(&mut file, &key)?;
    file.sync_all()?;
    Ok(true)
}
