//! `skipcheck`: parse the command line, then hand over to the library.

use anyhow::Context;
use backend::config::{Cli, Command};
use backend::{AppState, Config, Db, demo};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,memory_serve=warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    match cli.command {
        Command::Serve(args) => {
            let db = Db::connect(&args.database.url()?)
                .await
                .context("opening the database")?;
            let listener = tokio::net::TcpListener::bind(args.address.listen)
                .await
                .with_context(|| format!("listening on {}", args.address.listen))?;
            let public_url = args.address.public_url();
            tracing::info!(listen = %args.address.listen, %public_url, "skipcheck is serving");
            let state = AppState::new(db.clone(), Config { public_url });
            backend::serve(listener, state, shutdown_signal()).await?;
            db.close().await;
        }
        Command::Demo(args) => {
            let db = Db::connect(&args.database.url()?)
                .await
                .context("opening the database")?;
            let public_url = args.address.public_url();
            let out = demo::create(&db, &public_url, args.reset, backend::now()).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!("{}", out.to_text(&public_url));
            }
            db.close().await;
        }
    }
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
