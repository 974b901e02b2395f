//! `skipcheck backup` and `skipcheck restore`: a consistent copy of a live
//! SQLite database (`VACUUM INTO`, which reads one snapshot while the
//! server goes on writing), with the server key beside it; and putting both
//! back. Postgres has its own tools (`pg_dump`), which the README names.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sqlx::Row;

use crate::db::{Backend, Db};

/// Where a backup keeps the server key: beside the database, `FILE.key`.
pub fn key_beside(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Copies the live database into `to`, a file that must not exist yet.
pub async fn backup(db: &Db, to: &Path) -> anyhow::Result<()> {
    if db.backend() != Backend::Sqlite {
        bail!(
            "`skipcheck backup` copies SQLite databases; back up Postgres with pg_dump (see the README's Deploying section)"
        );
    }
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    let path = to
        .to_str()
        .context("the backup's path must be valid UTF-8")?;
    sqlx::query("vacuum into $1")
        .bind(path)
        .execute(db.writer())
        .await
        .context("copying the database")?;
    check(to).await
}

/// Fails unless `file` is a whole Skipcheck database.
pub async fn check(file: &Path) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .with_context(|| format!("opening {}", file.display()))?;
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

/// Puts the backup `from` in place of the database file `to` (the server
/// must be stopped): checked first, then written beside and renamed, so a
/// failure leaves the old file as it was. Its `-wal` and `-shm` go: they
/// belong to the old file.
pub async fn restore(from: &Path, to: &Path, force: bool) -> anyhow::Result<()> {
    check(from).await?;
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

/// Copies a key file, readable by its owner only; `false` when there is
/// none to copy.
pub fn copy_key(from: &Path, to: &Path, force: bool) -> anyhow::Result<bool> {
    let key = match std::fs::read(from) {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if to.exists() && !force && std::fs::read(to)? != key {
        bail!(
            "{} holds another key; add --force to replace it",
            to.display()
        );
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(to)?;
    std::io::Write::write_all(&mut file, &key)?;
    file.sync_all()?;
    Ok(true)
}
