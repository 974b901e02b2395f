//! Command line and environment: every flag has an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Skipcheck: skip-level 1:1s, with check-ins before each meeting and
/// anonymous morale that never shows a group smaller than k.
#[derive(Debug, Parser)]
#[command(
    name = "skipcheck",
    version,
    about,
    long_about = None,
    after_help = "Both commands take --database-url, --data-dir, --listen and --public-url; \
                  `skipcheck serve --help` explains each. Every flag can also be set by the \
                  environment variable named there (see .env.example)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the pages.
    Serve(ServeArgs),
    /// Create a demo organisation (about 30 people, one open round) and print
    /// the leader's login and every personal link.
    Demo(DemoArgs),
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
    /// The URL to connect to, creating the data directory for the default.
    pub fn url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data_dir)?;
                let path = self.data_dir.join("skipcheck.db");
                Ok(format!("sqlite://{}?mode=rwc", path.display()))
            }
        }
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
}

/// What the running server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Links and cookies are made for this address.
    pub public_url: String,
}

impl Config {
    /// Whether cookies must be `Secure`.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
