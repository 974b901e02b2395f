//! Command line and environment: every flag has an environment variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

/// Skipcheck: skip-level 1:1s, with check-ins before each meeting and
/// anonymous morale that never shows a group smaller than k.
#[derive(Debug, Parser)]
#[command(
    name = "skipcheck",
    version,
    about,
    long_about = None,
    after_help = "Every command takes --database-url and --data-dir; serve and demo also take \
                  --listen and --public-url; `skipcheck serve --help` explains each. Every flag can also be set by the \
                  environment variable named there (see .env.example)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// How the log on standard error is written: `text` (in colour only at
    /// a terminal) or `json`, one object per line, for a log collector.
    #[arg(
        long,
        global = true,
        env = "SKIPCHECK_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

/// The log's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the pages.
    Serve(ServeArgs),
    /// Create a demo organisation (about 30 people, one open round) and print
    /// the leader's login and every personal link.
    Demo(DemoArgs),
    /// Manage admin accounts from the shell.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import the directory from a CSV file (columns email, name, title,
    /// manager_email, team), as the admin page does.
    Import(ImportArgs),
    /// Copy the live SQLite database into FILE (consistent while the server
    /// runs), and the server key into FILE.key. Postgres: use pg_dump.
    Backup(BackupArgs),
    /// Put a backup made by `skipcheck backup` back in place of the SQLite
    /// database, with its key. Stop the server first.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The server key's file. Default: `skipcheck.key` in the data directory.
    #[arg(long, env = "SKIPCHECK_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// The backup to write (it must not exist yet).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The server key's file. Default: `skipcheck.key` in the data directory.
    #[arg(long, env = "SKIPCHECK_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Replace the database (and a different key) that are there.
    #[arg(long)]
    pub force: bool,

    /// The backup to restore.
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin. The password is read from standard input (one line)
    /// or, at a terminal, asked for twice; never from a flag. On an empty
    /// database this is the first run, and needs --organisation.
    Create(AdminCreateArgs),
    /// Print a new one-time link to set the password of an account (the
    /// account's older links stop working).
    ResetLink(ResetLinkArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The admin's email, which they log in with.
    #[arg(long)]
    pub email: String,

    /// The admin's name.
    #[arg(long)]
    pub name: String,

    /// The organisation: its name on first run; with several organisations,
    /// the one to add the admin to.
    #[arg(long)]
    pub organisation: Option<String>,

    /// Also make the admin a leader, who runs skip-levels.
    #[arg(long)]
    pub leader: bool,
}

#[derive(Debug, Args)]
pub struct ResetLinkArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub address: AddressArgs,

    /// The account's email.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The CSV file: a header row, then one person per row.
    pub file: PathBuf,

    /// Show what would change, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The organisation to import into, when there are several.
    #[arg(long)]
    pub organisation: Option<String>,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH` or `postgres://…`. Default: a SQLite file
    /// `skipcheck.db` in the data directory, created on first start.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for the default SQLite database.
    #[arg(long, env = "SKIPCHECK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// The SQLite file, if the database is one kept in a file (not one in
    /// memory): the URL's path decoded as sqlx decodes it (`%20` is a space).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.database_url {
            None => Some(self.data_dir.join("skipcheck.db")),
            Some(url) if url.contains(":memory:") || url.contains("mode=memory") => None,
            Some(url) => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .map(|rest| {
                    let path = rest.split('?').next().unwrap_or(rest);
                    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
                    PathBuf::from(decoded.as_ref())
                }),
        }
    }

    /// The server key's file: `key_file`, else `skipcheck.key` in the data
    /// directory.
    pub fn key_file(&self, key_file: Option<&PathBuf>) -> PathBuf {
        key_file
            .cloned()
            .unwrap_or_else(|| self.data_dir.join("skipcheck.key"))
    }

    /// The server key: `SKIPCHECK_KEY` (hex) if set, else the key file,
    /// created the first time.
    pub fn server_key(
        &self,
        key_file: Option<&PathBuf>,
    ) -> anyhow::Result<crate::sealed::ServerKey> {
        crate::sealed::ServerKey::from_environment()
            .unwrap_or_else(|| crate::sealed::ServerKey::load_or_create(&self.key_file(key_file)))
    }

    /// The server key as [`Self::server_key`] finds it, but never a new
    /// one: `None` when neither `SKIPCHECK_KEY` nor the key file holds one.
    pub fn existing_server_key(
        &self,
        key_file: Option<&PathBuf>,
    ) -> anyhow::Result<Option<crate::sealed::ServerKey>> {
        crate::sealed::ServerKey::from_environment()
            .transpose()?
            .map_or_else(
                || crate::sealed::ServerKey::read(&self.key_file(key_file)),
                |key| Ok(Some(key)),
            )
    }

    /// The URL to connect to. A SQLite file (the data directory's for the
    /// default) that does not exist yet is made here, with the directories
    /// it goes in, readable by the server's user only, whatever the umask:
    /// it holds the leader's confidential answers (SQLite makes its `-wal`
    /// and `-shm` with the file's own permissions).
    pub fn url(&self) -> anyhow::Result<String> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => {
                // Written so that sqlx reads the path back as it is.
                const PATH: &percent_encoding::AsciiSet =
                    &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');
                let path = self.data_dir.join("skipcheck.db");
                let path = path.to_string_lossy();
                let path = percent_encoding::utf8_percent_encode(&path, PATH);
                format!("sqlite://{path}?mode=rwc")
            }
        };
        // Not for a URL that opens its file read-only (`mode=ro`).
        let creates = !url.contains("mode=") || url.contains("mode=rwc");
        if let Some(file) = self.sqlite_path().filter(|_| creates) {
            create_private(&file)?;
        }
        Ok(url)
    }
}

/// Where the server listens and how links to it are written.
#[derive(Debug, Clone, Args)]
pub struct AddressArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SKIPCHECK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The address people reach the server at, as every printed link starts.
    /// Default: `http://` and the listen address.
    #[arg(long, env = "SKIPCHECK_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl AddressArgs {
    /// The public URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub address: AddressArgs,

    #[command(flatten)]
    pub smtp: SmtpArgs,

    /// The server's key file, which seals anonymous answers until k of them
    /// can be counted at once. Created on first start (readable by its owner
    /// only); back it up with the database. Default: skipcheck.key in the
    /// data directory. SKIPCHECK_KEY (64 hex digits) overrides the file.
    #[arg(long, env = "SKIPCHECK_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Allow the first-run setup page over plain HTTP on an address other
    /// than loopback. Without it, setup there needs an `https://` public URL,
    /// so the first admin's password never crosses a network in clear.
    #[arg(long, env = "SKIPCHECK_ALLOW_INSECURE_SETUP")]
    pub allow_insecure_setup: bool,

    /// On SIGTERM or Ctrl-C, answer `/readyz` with 503 for this many seconds
    /// before refusing new connections, so a load balancer stops sending
    /// requests first (set it to its check interval); requests in flight
    /// always finish.
    #[arg(long, env = "SKIPCHECK_DRAIN_SECONDS", default_value_t = 0)]
    pub drain_seconds: u64,

    /// Behind a reverse proxy: the header it puts the client's address in
    /// (its last value is used), e.g. `X-Forwarded-For`, so that login
    /// attempts are counted per client rather than for the proxy. Set it
    /// only when the proxy always sets the header.
    #[arg(long, env = "SKIPCHECK_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<axum::http::HeaderName>,

    /// A token Prometheus sends (`Authorization: Bearer …`) to read
    /// `/metrics`. Without one, `/metrics` answers loopback connections
    /// that did not come through a proxy only.
    #[arg(long, env = "SKIPCHECK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

/// The server's own SMTP server, for organisations that set none on their
/// settings page. Without a host, no email is sent: the pages show the text
/// to copy instead.
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// SMTP host, e.g. smtp.example.com.
    #[arg(long, env = "SKIPCHECK_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port.
    #[arg(long, env = "SKIPCHECK_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// SMTP user name (none: no login).
    #[arg(long, env = "SKIPCHECK_SMTP_USER", default_value = "")]
    pub smtp_user: String,

    /// SMTP password; prefer the environment variable to the flag, which
    /// other users of the machine can see.
    #[arg(
        long,
        env = "SKIPCHECK_SMTP_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    pub smtp_password: String,

    /// The sender, e.g. "Skipcheck <skipcheck@example.com>".
    #[arg(long, env = "SKIPCHECK_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// starttls (port 587), tls (port 465) or none (a relay on this machine only).
    #[arg(long, env = "SKIPCHECK_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
}

impl SmtpArgs {
    /// The SMTP server, if a host is set.
    pub fn smtp(&self) -> anyhow::Result<Option<crate::mail::Smtp>> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let tls = crate::mail::TlsMode::parse(&self.smtp_tls)
            .ok_or_else(|| anyhow::anyhow!("--smtp-tls must be starttls, tls or none"))?;
        let from = self.smtp_from.clone().ok_or_else(|| {
            anyhow::anyhow!("--smtp-from (SKIPCHECK_SMTP_FROM) is needed with an SMTP host")
        })?;
        Ok(Some(crate::mail::Smtp {
            host,
            port: self.smtp_port,
            username: self.smtp_user.clone(),
            password: secrecy::SecretString::from(self.smtp_password.clone()),
            from,
            tls,
        }))
    }
}

impl ServeArgs {
    /// What the server needs to know.
    pub fn config(&self) -> anyhow::Result<Config> {
        let public_url = self.address.public_url();
        let setup_allowed = public_url.starts_with("https://")
            || self.address.listen.ip().is_loopback()
            || self.allow_insecure_setup;
        let key = self.database.server_key(self.key_file.as_ref())?;
        Ok(Config {
            public_url,
            setup_allowed,
            smtp: self.smtp.smtp()?,
            key: std::sync::Arc::new(key),
            drain: std::time::Duration::from_secs(self.drain_seconds),
            client_ip_header: self.client_ip_header.clone(),
            metrics_token: self.metrics_token.clone().filter(|t| !t.is_empty()),
        })
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub address: AddressArgs,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,

    /// Replace an existing demo organisation (its answers are lost).
    #[arg(long)]
    pub reset: bool,

    /// People in the organisation (the small demo has 31); more make an
    /// organisation to measure with: directors, managers of eight, engineers.
    #[arg(long, default_value_t = 31, value_parser = clap::value_parser!(u32).range(31..=200_000))]
    pub people: u32,

    /// Finished rounds before the current one, each with a twentieth of the
    /// engineers met and four in five answers in.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,

    /// Engineers met in the current round, beyond the small demo's ten
    /// [default: as many as in each finished round]; a benchmark's supply of
    /// check-ins to submit.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=200_000))]
    pub invites: Option<u32>,

    /// The server key that seals the waiting anonymous answers
    /// [default: DATA_DIR/skipcheck.key]
    #[arg(long, env = "SKIPCHECK_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

impl DemoArgs {
    /// The organisation's size.
    pub fn size(&self) -> crate::demo::Size {
        crate::demo::Size {
            people: self.people as usize,
            rounds: self.rounds as usize,
            invites: self.invites.map(|n| n as usize),
        }
    }
}

/// What the running server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Links and cookies are made for this address.
    pub public_url: String,
    /// Whether the first-run setup page may be used here.
    pub setup_allowed: bool,
    /// The server's SMTP server, for organisations that set none.
    pub smtp: Option<crate::mail::Smtp>,
    /// The key that seals anonymous answers until k of them are counted.
    pub key: std::sync::Arc<crate::sealed::ServerKey>,
    /// How long `/readyz` says 503 before the server stops accepting.
    pub drain: std::time::Duration,
    /// The reverse proxy's header with the client's address, if any.
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// The bearer token that reads `/metrics`, if any.
    pub metrics_token: Option<String>,
}

impl Config {
    /// A server at `public_url` where setup is allowed (tests, loopback).
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into(),
            setup_allowed: true,
            smtp: None,
            key: std::sync::Arc::new(crate::sealed::ServerKey::random()),
            drain: std::time::Duration::ZERO,
            client_ip_header: None,
            metrics_token: None,
        }
    }

    /// Whether cookies must be `Secure`.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Makes the empty file `file` (an empty file is an empty SQLite database)
/// and the directories it goes in, readable by their owner only, unless it
/// exists; directories that exist are left as they are.
pub fn create_private(file: &Path) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    match private_file(file) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// A new file at `path`, readable by its owner only; fails if anything
/// (a symbolic link included) is there.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the directory `dir` and those it goes in that do not exist yet,
/// readable by their owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
