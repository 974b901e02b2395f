//! `skipcheck`: parse the command line, then hand over to the library.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use backend::accounts::{FirstAdmin, FirstRun, add_admin, first_run, issue_link};
use backend::config::{
    AdminCommand, AdminCreateArgs, Cli, Command, ImportArgs, LogFormat, ResetLinkArgs,
};
use backend::directory::{self, ImportError};
use backend::{AppState, Db, backup, demo};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let log = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,memory_serve=warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only where someone reads them: not in a log file.
        .with_ansi(std::io::stderr().is_terminal());
    match cli.log_format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().flatten_event(true).init(),
    }

    match cli.command {
        Command::Serve(args) => {
            let (db, _hold) = open(&args.database).await?;
            let listener = tokio::net::TcpListener::bind(args.address.listen)
                .await
                .with_context(|| format!("listening on {}", args.address.listen))?;
            let config = args.config()?;
            if !db.has_accounts().await? {
                if config.setup_allowed {
                    tracing::info!(
                        "no account yet: open {}/admin/setup to create the first admin",
                        config.public_url
                    );
                } else {
                    tracing::warn!(
                        "no account yet, and setup is refused over plain HTTP on a public address: use an https:// --public-url, --allow-insecure-setup, or `skipcheck admin create`"
                    );
                }
            }
            tracing::info!(listen = %args.address.listen, public_url = %config.public_url, "skipcheck is serving");
            let state = AppState::new(db.clone(), config);
            backend::serve(listener, state, shutdown_signal()).await?;
            db.close().await;
        }
        Command::Demo(args) => {
            let (db, _hold) = open(&args.database).await?;
            let public_url = args.address.public_url();
            let key = std::sync::Arc::new(args.database.server_key(args.key_file.as_ref())?);
            let size = args.size();
            let out =
                demo::create(&db, &public_url, args.reset, size, &key, backend::now()).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!("{}", out.to_text(&public_url));
            }
            db.close().await;
        }
        Command::Admin(AdminCommand::Create(args)) => create_admin(args).await?,
        Command::Admin(AdminCommand::ResetLink(args)) => reset_link(args).await?,
        Command::Import(args) => import(args).await?,
        Command::Backup(args) => {
            let Some(live) = args.database.sqlite_path() else {
                bail!(
                    "`skipcheck backup` copies SQLite databases; back up Postgres with pg_dump (see the README's Deploying section)"
                );
            };
            let key_file = args.database.key_file(args.key_file.as_ref());
            let key = args.database.existing_server_key(args.key_file.as_ref())?;
            backup::backup(&live, &args.file).await?;
            // A copy whose answers its key does not open is no backup.
            if let Err(e) = backup::check_key(&args.file, key.as_ref()).await {
                let _ = std::fs::remove_file(&args.file);
                return Err(e.context(format!(
                    "the server key ({}) does not go with this database; nothing was kept",
                    key_file.display()
                )));
            }
            println!("Copied the database to {}", args.file.display());
            let beside = backup::key_beside(&args.file);
            if key_in_environment() {
                // The key checked is the one the server uses, not a file.
                println!(
                    "The server key is in SKIPCHECK_KEY, not in a file: keep it with the backup"
                );
            } else if backup::copy_key(&key_file, &beside, false)? {
                println!(
                    "Copied the server key to {} (keep it as safe as the database)",
                    beside.display()
                );
            } else {
                println!(
                    "No server key at {}: nothing else to copy",
                    key_file.display()
                );
            }
        }
        Command::Restore(args) => {
            let Some(target) = args.database.sqlite_path() else {
                bail!(
                    "`skipcheck restore` restores SQLite databases; restore Postgres with pg_restore or psql"
                );
            };
            backup::check(&args.file).await?;
            // The key goes with the database: checked before either is put back.
            let beside = backup::key_beside(&args.file);
            let key_file = args.database.key_file(args.key_file.as_ref());
            // The server uses SKIPCHECK_KEY when it is set: that is the key
            // that must open the backup, and no file is put back.
            let key = match backend::sealed::ServerKey::read(&beside)? {
                Some(key) if !key_in_environment() => Some(key),
                _ => args.database.existing_server_key(args.key_file.as_ref())?,
            };
            backup::check_key(&args.file, key.as_ref())
                .await
                .with_context(|| {
                    format!(
                        "put the server key that went with it beside the backup, as {}",
                        beside.display()
                    )
                })?;
            if !key_in_environment() {
                backup::key_to_copy(&beside, &key_file, args.force)?;
            }
            backup::restore(&args.file, &target, args.force).await?;
            println!("Restored {} to {}", args.file.display(), target.display());
            if !key_in_environment() && backup::copy_key(&beside, &key_file, args.force)? {
                println!("Restored the server key to {}", key_file.display());
            }
        }
    }
    Ok(())
}

/// Whether the server key is given in `SKIPCHECK_KEY` (the server then
/// uses it, whatever key file there is).
fn key_in_environment() -> bool {
    backend::sealed::ServerKey::from_environment().is_some()
}

/// The database, and on SQLite this command's hold on its file, taken
/// before it is opened (`skipcheck restore` waits for no one: it refuses
/// while the hold is taken, and the command refuses while it restores).
async fn open(args: &backend::config::DatabaseArgs) -> anyhow::Result<(Db, Option<backup::Hold>)> {
    let url = args.url()?;
    let hold = match args.sqlite_path() {
        Some(file) => backup::Hold::shared(&file)?,
        None => None,
    };
    let db = Db::connect(&url).await.context("opening the database")?;
    Ok((db, hold))
}

/// The organisation a shell command acts on: the one named, or the only one.
async fn organisation(db: &Db, name: Option<&str>) -> anyhow::Result<Option<String>> {
    let all = db.organisations().await?;
    if all.is_empty() {
        return Ok(None);
    }
    match name {
        Some(name) => match all.iter().find(|(_, n)| n == name) {
            Some((id, _)) => Ok(Some(id.clone())),
            None => bail!(
                "no organisation is called {name:?}; there are: {}",
                all.iter()
                    .map(|(_, n)| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        None => match all.as_slice() {
            [(id, _)] => Ok(Some(id.clone())),
            _ => bail!(
                "there are several organisations; name one with --organisation: {}",
                all.iter()
                    .map(|(_, n)| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

/// The password: asked twice at a terminal, else one line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("Same password again: ")?;
        if first != again {
            bail!("the two passwords differ; nothing was created");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Shows every field problem on its own line.
fn field_problems(e: backend::error::ApiError) -> anyhow::Error {
    match e {
        backend::error::ApiError::Validation(fields) => anyhow::anyhow!(
            "nothing was created:\n{}",
            fields
                .iter()
                .map(|f| format!("  {}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn create_admin(args: AdminCreateArgs) -> anyhow::Result<()> {
    let (db, _hold) = open(&args.database).await?;
    let org = organisation(&db, args.organisation.as_deref()).await?;
    let password = read_password()?;
    let now = backend::now();
    match org {
        None => {
            let Some(organisation) = args.organisation.as_deref() else {
                bail!("the database is empty: name the organisation with --organisation");
            };
            let admin =
                FirstAdmin::parse(organisation, &args.name, &args.email, password, args.leader)
                    .map_err(field_problems)?;
            let email = admin.email.clone();
            match first_run(&db, admin, now).await? {
                FirstRun::Created(_) => {
                    println!("Created {organisation:?} and its first admin, {email}.");
                }
                FirstRun::AlreadyDone => bail!("someone else set up this database meanwhile"),
            }
        }
        Some(org_id) => {
            // The same checks as the first run; the organisation name is not used.
            let admin = FirstAdmin::parse("-", &args.name, &args.email, password, args.leader)
                .map_err(field_problems)?;
            let added = add_admin(&db, &org_id, &admin, now).await?;
            if !added {
                bail!(
                    "{} already has an account; `skipcheck admin reset-link --email {}` gives it a new password link",
                    admin.email,
                    admin.email
                );
            }
            println!("Created the admin {}.", admin.email);
        }
    }
    db.close().await;
    Ok(())
}

async fn reset_link(args: ResetLinkArgs) -> anyhow::Result<()> {
    let (db, _hold) = open(&args.database).await?;
    let email = shared::Email::parse(&args.email).map_err(anyhow::Error::msg)?;
    let Some(account) = db.account_by_email(email.as_str()).await? else {
        bail!("no account has the email {email}");
    };
    let purpose = if account.password_hash.is_empty() {
        "invite"
    } else {
        "reset"
    };
    let (url, expires_at) = issue_link(
        &db,
        &account.id,
        purpose,
        &args.address.public_url(),
        backend::now(),
    )
    .await?;
    println!(
        "One-time link for {email} (works once, for 72 hours; older links no longer work):\n{url}"
    );
    tracing::debug!(expires_at, "link issued");
    db.close().await;
    Ok(())
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let (db, _hold) = open(&args.database).await?;
    let Some(org_id) = organisation(&db, args.organisation.as_deref()).await? else {
        bail!(
            "the database has no organisation yet: run `skipcheck admin create` or open the setup page first"
        );
    };
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let report = match directory::import(&db, &org_id, &bytes, args.dry_run).await {
        Ok(report) => report,
        Err(ImportError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("{}: {}", p.field, p.message);
            }
            bail!(
                "{} has {} problem(s); nothing was imported",
                args.file.display(),
                problems.len()
            );
        }
        Err(ImportError::Db(e)) => return Err(e.into()),
    };
    let verb = if report.applied { "" } else { "would be " };
    println!("{} people in the file.", report.rows);
    for (what, list) in [
        ("added", &report.added),
        ("changed", &report.changed),
        ("moved", &report.moved),
        ("back", &report.reactivated),
    ] {
        println!("{} {verb}{what}", list.len());
        for c in list {
            println!(
                "  line {:>5}  {} <{}>  {}",
                c.line,
                c.name,
                c.email,
                c.details.join("; ")
            );
        }
    }
    println!(
        "{} {verb}made inactive (not in the file)",
        report.deactivated.len()
    );
    for r in &report.deactivated {
        println!("  {} <{}>", r.name, r.email);
    }
    println!("{} unchanged", report.unchanged);
    if !report.applied {
        println!("Dry run: nothing was written.");
    }
    db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
