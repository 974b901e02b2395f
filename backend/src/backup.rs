//! `skipcheck backup` and `skipcheck restore`: a consistent copy of a live
//! SQLite database (`VACUUM INTO`, which reads one snapshot while the
//! server goes on writing), with the server key beside it; and putting both
//! back. Postgres has its own tools (`pg_dump`), which the README names.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sqlx::Row;

use crate::sealed::ServerKey;

/// Where a backup keeps the server key: beside the database, `FILE.key`.
pub fn key_beside(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".key");
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
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    let path = to
        .to_str()
        .context("the backup's path must be valid UTF-8")?;
    // Made first, readable by its owner only: `VACUUM INTO` fills an
    // empty file, and would make a new one as the umask says.
    crate::config::create_private(to).with_context(|| format!("creating {}", to.display()))?;
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

/// A running server's hold on its SQLite file, for as long as it serves: a
/// shared advisory lock (`flock`, which SQLite's own `fcntl` locks neither
/// see nor are disturbed by), which [`restore`] asks for alone. Several
/// servers on one file hold it together. Drop it after the database is
/// closed: closing a descriptor of the file while SQLite's connections are
/// open would drop their locks in this process.
#[derive(Debug)]
pub struct ServerHold(#[allow(dead_code)] std::fs::File);

impl ServerHold {
    /// Holds the database `file`, which exists once the database is open.
    /// Fails while [`restore`] replaces it.
    pub fn take(file: &Path) -> anyhow::Result<Self> {
        let opened = std::fs::File::open(file)
            .with_context(|| format!("opening {} to hold it", file.display()))?;
        let busy = format!(
            "{} is being restored; start the server once `skipcheck restore` is done",
            file.display()
        );
        lock(opened, true, busy).map(Self)
    }
}

/// `file` with an advisory lock taken on it, shared or alone; `busy` is
/// the error when another holds it.
fn lock(file: std::fs::File, shared: bool, busy: String) -> anyhow::Result<std::fs::File> {
    let taken = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match taken {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::Error::msg(busy)),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Holds the database `file`, if there is one, for [`restore`] alone:
/// fails while a server is running on it.
fn hold_alone(file: &Path) -> anyhow::Result<Option<std::fs::File>> {
    let opened = match std::fs::File::open(file) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let busy = format!(
        "a Skipcheck server is running on {}; stop it, then restore",
        file.display()
    );
    lock(opened, false, busy).map(Some)
}

/// Puts the backup `from` in place of the database file `to`: checked
/// first, then written beside and renamed, so a failure leaves the old file
/// as it was. Its `-wal` and `-shm` go: they belong to the old file.
/// Refused while a server runs on `to` ([`ServerHold`]), even with `force`:
/// it would go on writing to the file replaced.
pub async fn restore(from: &Path, to: &Path, force: bool) -> anyhow::Result<()> {
    check(from).await?;
    let _alone = hold_alone(to)?;
    if to.exists() && !force {
        bail!(
            "{} exists; stop the server, then add --force to replace it",
            to.display()
        );
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(from, &partial).with_context(|| format!("copying {}", from.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(
        &partial,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )?;
    std::fs::File::open(&partial)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut side = to.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
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
